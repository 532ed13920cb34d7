//! The files of an assessment: `plant-gaps.csv` (exact decimals, one line
//! per plant, pollutant and year), `plant-gaps.xlsx` (the same table and the
//! national summary, for people) and `summary.json`.

use super::{Assessment, Gap, Summary};
use crate::error::{Error, Result};
use crate::number::{format_decimal, to_excel};
use rust_decimal::Decimal;
use std::path::Path;

/// The columns of plant-gaps.csv.
pub const COLUMNS: [&str; 25] = [
    "plant",
    "name",
    "year",
    "pollutant",
    "status",
    "limit_mg_nm3",
    "concentration_mg_nm3",
    "concentration_basis",
    "excess_pct",
    "emission_t",
    "reduction_t",
    "measure",
    "annual_cost",
    "currency",
    "nfr",
    "fuel",
    "thermal_input_mw",
    "reference_o2_pct",
    "min_desulphurisation_pct",
    "needed_removal_pct",
    "met_by",
    "measures_that_achieve_it",
    "status_why",
    "limit_why",
    "note",
];

fn opt(v: Option<Decimal>) -> String {
    v.map(|d| format_decimal(d.normalize())).unwrap_or_default()
}

/// A gap's cells, as plant-gaps.csv writes them.
pub fn cells(g: &Gap) -> Vec<String> {
    vec![
        g.plant.clone(),
        g.name.clone(),
        g.year.to_string(),
        g.pollutant.id().to_string(),
        g.status.map(|s| s.name().to_string()).unwrap_or_default(),
        opt(g.limit_mg_nm3),
        opt(g.concentration_mg_nm3),
        g.concentration_basis.clone(),
        opt(g.excess_pct),
        opt(g.emission_t),
        opt(g.reduction_t),
        g.measure.clone().unwrap_or_default(),
        opt(g.annual_cost),
        if g.annual_cost.is_some() {
            g.currency.clone()
        } else {
            String::new()
        },
        g.nfr.clone(),
        g.fuel.clone(),
        opt(Some(g.thermal_input_mw)),
        opt(g.reference_o2_pct),
        opt(g.min_desulphurisation_pct),
        opt(g.needed_removal.map(|n| n * Decimal::ONE_HUNDRED)),
        match g.met_by {
            Some(crate::limits::Kind::Limit) => "limit".into(),
            Some(crate::limits::Kind::Desulphurisation) => "desulphurisation rate".into(),
            None => String::new(),
        },
        g.options
            .iter()
            .map(|o| match o.annual_cost {
                Some(c) => format!(
                    "{} (removal {}, {} {}/yr: {})",
                    o.id,
                    format_decimal(o.removal),
                    format_decimal(c.round_dp(0)),
                    o.currency,
                    o.formula
                ),
                None => format!(
                    "{} (removal {}, not costed: {})",
                    o.id,
                    format_decimal(o.removal),
                    o.formula
                ),
            })
            .collect::<Vec<_>>()
            .join(" | "),
        g.status_why.clone(),
        g.limit_why.clone(),
        g.note.clone(),
    ]
}

/// plant-gaps.csv.
pub fn write_csv(path: &Path, a: &Assessment) -> Result<()> {
    crate::output::write_atomically(path, |w| {
        let mut c = crate::output::csv_writer(w);
        c.write_record(COLUMNS)?;
        for g in &a.gaps {
            crate::output::write_safe_record(&mut c, cells(g))?;
        }
        c.flush()
    })
}

/// The national summary as label and value rows (the xlsx's Summary sheet).
pub fn summary_rows(s: &Summary) -> Vec<(String, String)> {
    let mut rows = vec![
        ("limit-value set".to_string(), s.limit_set.clone()),
        ("year".into(), s.year.to_string()),
        (
            "ratification year".into(),
            s.ratification_year
                .map(|y| y.to_string())
                .unwrap_or_default(),
        ),
        ("plants".into(), s.plants.to_string()),
        (
            "plants exceeding a requirement".into(),
            s.plants_exceeding.to_string(),
        ),
        (
            "thermal input of the plants, MWth".into(),
            format_decimal(s.capacity_mwth.normalize()),
        ),
        (
            "thermal input of the plants exceeding, MWth".into(),
            format_decimal(s.capacity_exceeding_mwth.normalize()),
        ),
    ];
    for (p, ps) in &s.by_pollutant {
        let id = p.id();
        rows.push((
            format!("{id}: plants exceeding"),
            ps.plants_exceeding.to_string(),
        ));
        rows.push((
            format!("{id}: emission of the plants, t"),
            format_decimal(ps.emission_t.normalize()),
        ));
        rows.push((
            format!("{id}: reduction if all comply, t"),
            format_decimal(ps.reduction_t.normalize()),
        ));
        rows.push((
            format!("{id}: annual cost, {}", s.currency),
            format_decimal(ps.annual_cost.normalize()),
        ));
    }
    rows.push((
        format!("annual cost, {}", s.currency),
        format_decimal(s.annual_cost.normalize()),
    ));
    rows.push(("flue-gas volumes".into(), s.flue_gas_volumes.to_string()));
    for n in &s.notes {
        rows.push(("note".into(), n.clone()));
    }
    rows
}

/// plant-gaps.xlsx: the `Gaps` sheet (numbers as numbers) and the `Summary`.
pub fn write_xlsx(path: &Path, a: &Assessment) -> Result<()> {
    use rust_xlsxwriter::{Format, Workbook};
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::file(path, format!("cannot write the workbook: {e}"))
    };
    let numeric = [2usize, 5, 6, 8, 9, 10, 12, 16, 17, 18, 19];
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("Gaps").map_err(xerr)?;
    for (c, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(xerr)?;
    }
    for (r, g) in a.gaps.iter().enumerate() {
        for (c, t) in cells(g).iter().enumerate() {
            let (row, col) = (r as u32 + 1, c as u16);
            match crate::number::parse_decimal(t) {
                Ok(d) if numeric.contains(&c) => ws.write_number(row, col, to_excel(d)),
                _ => ws.write_string(row, col, t),
            }
            .map_err(xerr)?;
        }
    }
    ws.set_freeze_panes(1, 2).map_err(xerr)?;
    let ws = wb.add_worksheet();
    ws.set_name("Summary").map_err(xerr)?;
    for (r, (label, value)) in summary_rows(&a.summary).iter().enumerate() {
        ws.write_string_with_format(r as u32, 0, label, &bold)
            .map_err(xerr)?;
        match crate::number::parse_decimal(value) {
            Ok(d) => ws.write_number(r as u32, 1, to_excel(d)),
            Err(_) => ws.write_string(r as u32, 1, value),
        }
        .map_err(xerr)?;
    }
    ws.set_column_width(0, 45).map_err(xerr)?;
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::output::write_bytes_atomically(path, &bytes)
}
