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
pub const COLUMNS: [&str; 24] = [
    "pollutant",
    "code",
    "name",
    "base_emission",
    "emission",
    "activity_lower_pct",
    "activity_upper_pct",
    "factor_lower_pct",
    "factor_upper_pct",
    "combined_lower_pct",
    "combined_upper_pct",
    "combined_pct",
    "variance_share_pct",
    "type_a",
    "type_b",
    "trend_from_factor",
    "trend_from_factor_uncorrelated",
    "trend_from_activity",
    "trend_variance",
    "factor_between_years",
    "key",
    "placeholders",
    "activity_source",
    "factor_source",
];

fn column(name: &str) -> usize {
    COLUMNS
        .iter()
        .position(|c| *c == name)
        .expect("a column of the table")
}

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
            let i = &r.input;
            vec![
                text(p.id()),
                text(i.code),
                text(name),
                num(i.base),
                num(Some(i.emission)),
                num(Some(i.activity_lower_pct)),
                num(Some(i.activity_upper_pct)),
                num(Some(i.factor_lower_pct)),
                num(Some(i.factor_upper_pct)),
                num(Some(r.combined_lower_pct)),
                num(Some(r.combined_upper_pct)),
                num(Some(r.combined_pct)),
                num(Some(r.variance_share)),
                num(r.type_a),
                num(r.type_b),
                num(r.trend_from_factor),
                num(r.trend_from_factor_uncorrelated),
                num(r.trend_from_activity),
                num(r.trend_variance),
                text(i.factor_between_years.text()),
                text(&r.key),
                num(Some(Decimal::from(i.placeholders))),
                text(&i.activity_source),
                text(&i.factor_source),
            ]
        })
        .collect();
    let mut total: Vec<(String, Option<Decimal>)> = COLUMNS.iter().map(|_| text("")).collect();
    total[column("pollutant")] = text(p.id());
    total[column("code")] = text("TOTAL");
    total[column("name")] = text(if a.indicative {
        "national total (sector rows); Approach 1 indicative: rows wider than its range carry most of the variance"
    } else {
        "national total (sector rows)"
    });
    total[column("base_emission")] = num(a.base_total());
    total[column("emission")] = num(Some(a.total));
    total[column("combined_lower_pct")] = num(a.lower_pct);
    total[column("combined_upper_pct")] = num(a.upper_pct);
    total[column("combined_pct")] = num(a.uncertainty_pct);
    total[column("variance_share_pct")] =
        num(Some(Decimal::ONE_HUNDRED).filter(|_| a.uncertainty_pct.is_some()));
    total[column("trend_variance")] = num(a.trend_uncertainty_pct().map(|t| t * t));
    total[column("trend_from_activity")] = (
        a.trend_pct()
            .map(|t| format!("trend {} %", format_decimal(t.round_dp(4))))
            .unwrap_or_default(),
        None,
    );
    total[column("placeholders")] = num(Some(Decimal::from(
        a.rows.iter().map(|r| r.input.placeholders).sum::<usize>(),
    )));
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
            "lower_pct",
            "upper_pct",
            "uncertainty_pct",
            "approach1_indicative",
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
            opt(a.lower_pct),
            opt(a.upper_pct),
            opt(a.uncertainty_pct),
            a.indicative.to_string(),
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
