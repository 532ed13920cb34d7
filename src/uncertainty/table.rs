//! The uncertainty tables as the IIR has them (IPCC 2006 Table 3.2 per
//! pollutant: category, emissions, U_AD, U_EF, combined, contribution to
//! variance, trend sensitivities, key or not), as CSV and as the sheets of
//! `uncertainty.xlsx`.

use super::{Analysis, PollutantUncertainty};
use crate::error::{Error, Result};
use crate::number::{format_decimal, to_excel};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::path::Path;

/// The columns of the table.
pub const COLUMNS: [&str; 17] = [
    "pollutant",
    "code",
    "name",
    "base_emission",
    "emission",
    "activity_pct",
    "factor_pct",
    "combined_pct",
    "variance_share_pct",
    "type_a",
    "type_b",
    "trend_from_factor",
    "trend_from_activity",
    "trend_variance",
    "key",
    "activity_source",
    "factor_source",
];

fn cells(u: &PollutantUncertainty) -> Vec<Vec<(String, Option<Decimal>)>> {
    let a = &u.approach1;
    let p = a.pollutant;
    let num = |d: Option<Decimal>| (d.map(format_decimal).unwrap_or_default(), d);
    let text = |s: &str| (s.to_string(), None);
    let mut out: Vec<Vec<(String, Option<Decimal>)>> = a
        .rows
        .iter()
        .map(|r| {
            let name = crate::nfr::by_number(r.input.row)
                .map(|x| x.name.as_str())
                .unwrap_or("");
            vec![
                text(p.id()),
                text(r.input.code),
                text(name),
                num(r.input.base),
                num(Some(r.input.emission)),
                num(Some(r.input.activity_pct)),
                num(Some(r.input.factor_pct)),
                num(Some(r.combined_pct)),
                num(Some(r.variance_share)),
                num(r.type_a),
                num(r.type_b),
                num(r.trend_from_factor),
                num(r.trend_from_activity),
                num(r.trend_variance),
                text(&r.key),
                text(&r.input.activity_source),
                text(&r.input.factor_source),
            ]
        })
        .collect();
    let mut total = vec![
        text(p.id()),
        text("TOTAL"),
        text("national total (sector rows)"),
        num(a.base_total()),
        num(Some(a.total)),
        text(""),
        text(""),
        num(a.uncertainty_pct),
        num(Some(Decimal::ONE_HUNDRED).filter(|_| a.uncertainty_pct.is_some())),
        text(""),
        text(""),
        text(""),
        text(""),
        num(a.trend_uncertainty_pct().map(|t| t * t)),
        text(""),
        text(""),
        text(""),
    ];
    total[12] = (
        a.trend_pct()
            .map(|t| format!("trend {} %", format_decimal(t.round_dp(4))))
            .unwrap_or_default(),
        None,
    );
    out.push(total);
    out
}

/// The tables of every pollutant, one after the other, as CSV.
pub fn csv_text(all: &[PollutantUncertainty]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record(COLUMNS);
    for u in all {
        for row in cells(u) {
            let _ = w.write_record(
                row.iter()
                    .map(|(t, _)| crate::output::csv_safe(t).into_owned()),
            );
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// `uncertainty.xlsx`: a `Summary` sheet and one sheet per pollutant.
pub fn write_xlsx(path: &Path, analysis: &Analysis) -> Result<()> {
    let all = &analysis.pollutants;
    let summary = summary_rows(analysis);
    use rust_xlsxwriter::{Format, Workbook};
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::file(path, format!("cannot write the workbook: {e}"))
    };
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("Summary").map_err(xerr)?;
    for (r, row) in summary.iter().enumerate() {
        for (c, t) in row.iter().enumerate() {
            match crate::number::parse_decimal(t) {
                Ok(d) if r > 0 => ws.write_number(r as u32, c as u16, to_excel(d)),
                _ if r == 0 => ws.write_string_with_format(r as u32, c as u16, t, &bold),
                _ => ws.write_string(r as u32, c as u16, t),
            }
            .map_err(xerr)?;
        }
    }
    for u in all {
        let ws = wb.add_worksheet();
        // Sheet names cannot hold / (PCDD/F → PCDD_F).
        ws.set_name(sheet_name(u.approach1.pollutant))
            .map_err(xerr)?;
        for (c, h) in COLUMNS.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *h, &bold)
                .map_err(xerr)?;
        }
        for (r, row) in cells(u).iter().enumerate() {
            for (c, (t, d)) in row.iter().enumerate() {
                let (r, c) = (r as u32 + 1, c as u16);
                match d {
                    Some(d) => ws.write_number(r, c, to_excel(*d)),
                    None => ws.write_string(r, c, t),
                }
                .map_err(xerr)?;
            }
        }
        ws.set_column_width(2, 40).map_err(xerr)?;
    }
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::output::write_bytes_atomically(path, &bytes)
}

/// The `Summary` sheet: one row per pollutant (Approach 1, the Monte
/// Carlo's interval and trend, what it drew), with a header.
fn summary_rows(analysis: &Analysis) -> Vec<Vec<String>> {
    let mut rows = vec![
        [
            "pollutant",
            "unit",
            "year",
            "total",
            "uncertainty_pct",
            "base_year",
            "trend_pct",
            "trend_uncertainty_pct",
            "mc_iterations",
            "mc_seed",
            "mc_mean",
            "mc_lower",
            "mc_upper",
            "mc_trend_lower_pct",
            "mc_trend_upper_pct",
            "sampled_activities",
            "sampled_factors",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<Vec<String>>(),
    ];
    for u in &analysis.pollutants {
        let a = &u.approach1;
        let mc = u.monte_carlo.as_ref();
        let f = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
        let opt = |d: Option<Decimal>| d.map(format_decimal).unwrap_or_default();
        let of_mc = |v: Option<String>| v.unwrap_or_default();
        rows.push(vec![
            a.pollutant.id().to_string(),
            a.pollutant.unit().to_string(),
            analysis.year.to_string(),
            format_decimal(a.total),
            opt(a.uncertainty_pct),
            analysis.base.map(|b| b.to_string()).unwrap_or_default(),
            opt(a.trend_pct()),
            opt(a.trend_uncertainty_pct()),
            of_mc(mc.map(|m| m.iterations.to_string())),
            of_mc(mc.map(|m| m.seed.to_string())),
            f(mc.map(|m| m.total.mean)),
            f(mc.map(|m| m.total.lower)),
            f(mc.map(|m| m.total.upper)),
            f(mc.and_then(|m| m.trend).map(|t| t.lower)),
            f(mc.and_then(|m| m.trend).map(|t| t.upper)),
            of_mc(mc.map(|m| m.sampled.activities.to_string())),
            of_mc(mc.map(|m| m.sampled.factors.to_string())),
        ]);
    }
    rows
}

/// A pollutant's sheet name: its id without the characters Excel forbids.
pub fn sheet_name(p: Pollutant) -> String {
    p.id()
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect()
}
