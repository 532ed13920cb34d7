//! The files of a ratification run: `options.csv` (one line per option,
//! year and requirement), `options_measures.csv` (the measures bought),
//! `ratification.json` (the whole [`Comparison`]) and `ratification.xlsx`
//! (both tables as sheets). Numbers are exact decimals as text in the CSVs,
//! numbers in the workbook.

use super::Comparison;
use crate::error::{Error, Result};
use crate::number::format_decimal;
use rust_decimal::Decimal;
use std::path::Path;

/// The columns of `options.csv` and of the workbook's `Options` sheet.
pub const OPTION_COLUMNS: [&str; 24] = [
    "option",
    "year",
    "protocol",
    "pollutant",
    "unit",
    "requirement",
    "base_year",
    "what_if",
    "base_emission",
    "ceiling",
    "existing_measures",
    "existing_met",
    "least_cost_emission",
    "met",
    "shortfall",
    "best_reachable",
    "annual_cost",
    "cost_per_t",
    "marginal_cost_per_t",
    "drives_cost",
    "option_annual_cost",
    "currency",
    "limits",
    "source",
];

/// The columns of `options_measures.csv` and of the `Measures` sheet.
pub const MEASURE_COLUMNS: [&str; 8] = [
    "option",
    "year",
    "measure",
    "name",
    "code",
    "share",
    "annual_cost",
    "for_pollutants",
];

/// A cell: text, or an exact number (a number in the workbook).
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    Number(Decimal),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Number(d) => format_decimal(d.normalize()),
        }
    }
}

fn t(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn n(d: Option<Decimal>) -> Value {
    d.map(Value::Number).unwrap_or_else(|| t(""))
}

fn yes(b: bool) -> Value {
    t(if b { "yes" } else { "no" })
}

/// The rows of the options table.
pub fn option_rows(c: &Comparison) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for o in &c.options {
        let limits = o
            .limits
            .as_ref()
            .map(|l| l.note.clone())
            .unwrap_or_default();
        for y in &o.years {
            for r in &y.requirements {
                rows.push(vec![
                    t(&o.name),
                    Value::Number(Decimal::from(y.year)),
                    t(r.protocol.name()),
                    t(r.pollutant.id()),
                    t(r.unit),
                    t(&r.requirement),
                    n(r.base_year.map(Decimal::from)),
                    t(r.what_if.clone().unwrap_or_default()),
                    n(r.base_emission),
                    Value::Number(r.ceiling),
                    Value::Number(r.existing),
                    yes(r.existing_met),
                    Value::Number(r.emission),
                    yes(r.met),
                    Value::Number(r.shortfall),
                    n(r.best_reachable),
                    Value::Number(r.annual_cost),
                    n(r.cost_per_t),
                    n(r.marginal_cost_per_t),
                    yes(r.drives_cost),
                    Value::Number(y.annual_cost),
                    t(&o.currency),
                    t(&limits),
                    t(&r.source),
                ]);
            }
        }
    }
    rows
}

/// The rows of the measures table.
pub fn measure_rows(c: &Comparison) -> Vec<Vec<Value>> {
    let mut rows = Vec::new();
    for o in &c.options {
        for y in &o.years {
            for m in &y.measures {
                rows.push(vec![
                    t(&o.name),
                    Value::Number(Decimal::from(y.year)),
                    t(&m.id),
                    t(&m.name),
                    t(&m.code),
                    Value::Number(m.share),
                    Value::Number(m.annual_cost),
                    t(m.for_pollutants
                        .iter()
                        .map(|p| p.id())
                        .collect::<Vec<_>>()
                        .join("; ")),
                ]);
            }
        }
    }
    rows
}

fn write_csv(path: &Path, header: &[&str], rows: &[Vec<Value>]) -> Result<()> {
    crate::output::write_atomically(path, |w| {
        let mut csv = crate::output::csv_writer(w);
        csv.write_record(header).map_err(std::io::Error::other)?;
        for r in rows {
            let fields: Vec<String> = r
                .iter()
                .map(|v| crate::output::csv_safe(&v.text()).into_owned())
                .collect();
            csv.write_record(&fields).map_err(std::io::Error::other)?;
        }
        csv.flush()
    })
}

/// Writes `options.csv` and `options_measures.csv`.
pub fn write_csvs(dir_options: &Path, dir_measures: &Path, c: &Comparison) -> Result<()> {
    write_csv(dir_options, &OPTION_COLUMNS, &option_rows(c))?;
    write_csv(dir_measures, &MEASURE_COLUMNS, &measure_rows(c))
}

/// Writes `ratification.xlsx`: the sheets `Options` and `Measures`.
pub fn write_xlsx(path: &Path, c: &Comparison) -> Result<()> {
    use rust_xlsxwriter::Workbook;
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::file(path, format!("cannot write the workbook: {e}"))
    };
    let mut wb = Workbook::new();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (name, header, rows) in [
        ("Options", &OPTION_COLUMNS[..], option_rows(c)),
        ("Measures", &MEASURE_COLUMNS[..], measure_rows(c)),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name).map_err(xerr)?;
        for (i, h) in header.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, *h, &bold)
                .map_err(xerr)?;
        }
        for (r, row) in rows.iter().enumerate() {
            for (i, v) in row.iter().enumerate() {
                let (r, i) = (r as u32 + 1, i as u16);
                match v {
                    Value::Text(s) if s.is_empty() => {}
                    Value::Text(s) => {
                        ws.write_string(r, i, s).map_err(xerr)?;
                    }
                    Value::Number(d) => {
                        ws.write_number(r, i, crate::number::to_excel(*d))
                            .map_err(xerr)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xerr)?;
    }
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::output::write_bytes_atomically(path, &bytes)
}
