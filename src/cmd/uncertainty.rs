//! `airinv uncertainty`: Approach 1 and the Monte Carlo for a year (and the
//! trend from a base year), as a table, CSV or JSON, with the IIR's tables
//! in `uncertainty.xlsx` and a chart of the largest contributors. The
//! analysis is the library's [`crate::uncertainty::analyse`].

use crate::error::Result;
use crate::number::format_decimal;
use crate::source::Source;
use crate::uncertainty::{self, Analysis, PollutantMc, table};
use rust_decimal::Decimal;
use std::path::PathBuf;

pub use crate::cmd::compare::Format;

/// What to analyse and how to show it.
#[derive(Debug, Clone, Default)]
pub struct UncertaintyOptions {
    pub source: PathBuf,
    pub analysis: uncertainty::Options,
    pub format: Format,
    /// Write the tables as `uncertainty.xlsx` here.
    pub xlsx: Option<PathBuf>,
    /// Chart of the largest contributors (.svg or .png).
    pub plot: Option<PathBuf>,
}

/// What uncertainty made.
pub struct UncertaintyReport {
    pub text: String,
    pub analysis: Analysis,
    /// Files written (xlsx, plot).
    pub outputs: Vec<PathBuf>,
}

pub fn run(opts: &UncertaintyOptions) -> Result<UncertaintyReport> {
    let analysis = uncertainty::analyse(&Source::open(&opts.source)?, &opts.analysis)?;
    let text = match opts.format {
        Format::Table => text_table(&analysis),
        Format::Csv => table::csv_text(&analysis.pollutants),
        Format::Json => crate::output::json_text(&analysis),
    };
    let mut outputs = Vec::new();
    if let Some(path) = &opts.xlsx {
        table::write_xlsx(path, &analysis)?;
        outputs.push(path.clone());
    }
    if let Some(path) = &opts.plot {
        let svg = crate::chart::svg(
            &table::contributors(&analysis.pollutants, 15),
            &format!(
                "Largest contributors to the uncertainty of the totals, {}",
                analysis.year
            ),
            "bars: each row's share of the variance of the national total (Approach 1); dark: key category",
        );
        crate::chart::write(path, &svg)?;
        outputs.push(path.clone());
    }
    Ok(UncertaintyReport {
        text,
        analysis,
        outputs,
    })
}

/// Four significant digits for people.
fn sig(x: f64) -> String {
    crate::number::show_f64(x, 4)
}

fn dec(d: Option<Decimal>, dp: u32) -> String {
    d.map(|d| format_decimal(d.round_dp(dp)))
        .unwrap_or_else(|| "-".into())
}

fn mc_interval(mc: &PollutantMc) -> (f64, f64) {
    let m = mc.total.mean;
    if m == 0.0 {
        return (0.0, 0.0);
    }
    (
        (mc.total.lower - m) / m * 100.0,
        (mc.total.upper - m) / m * 100.0,
    )
}

fn text_table(info: &Analysis) -> String {
    let mut s = format!(
        "Uncertainty {}{}, from {}\n{}\n",
        info.year,
        info.base
            .map(|b| format!(" and trend from {b}"))
            .unwrap_or_default(),
        info.source,
        info.note
    );
    if info.lineage {
        s.push_str(&format!(
            "Monte Carlo: {} iterations, seed {}; intervals are the 2.5 and 97.5 percentiles\n",
            info.iterations, info.seed
        ));
    }
    s.push('\n');
    let mut rows = vec![vec![
        "pollutant".to_string(),
        "unit".into(),
        "total".into(),
        "U % (A1)".into(),
        "MC mean".into(),
        "MC 2.5-97.5 percentiles".into(),
        "MC interval % of mean".into(),
    ]];
    if info.base.is_some() {
        rows[0].extend([
            "trend %".into(),
            "trend U pp (A1)".into(),
            "MC trend % 2.5-97.5 percentiles".into(),
        ]);
    }
    for u in &info.pollutants {
        let a = &u.approach1;
        let mut r = vec![
            a.pollutant.id().to_string(),
            a.pollutant.unit().to_string(),
            format_decimal(a.total.round_dp(6).normalize()),
            dec(a.uncertainty_pct, 2),
        ];
        match &u.monte_carlo {
            Some(mc) => {
                let (lo, hi) = mc_interval(mc);
                r.push(sig(mc.total.mean));
                r.push(format!(
                    "{} to {}",
                    sig(mc.total.lower),
                    sig(mc.total.upper)
                ));
                r.push(format!("{lo:+.1} / {hi:+.1}"));
            }
            None => r.extend(["-".into(), "-".into(), "-".into()]),
        }
        if info.base.is_some() {
            r.push(dec(a.trend_pct(), 2));
            r.push(dec(a.trend_uncertainty_pct(), 2));
            r.push(
                u.monte_carlo
                    .as_ref()
                    .and_then(|m| m.trend)
                    .map(|t| format!("{:.2} to {:.2}", t.lower, t.upper))
                    .unwrap_or_else(|| "-".into()),
            );
        }
        rows.push(r);
    }
    let widths: Vec<usize> = (0..rows[0].len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    if info.lineage {
        let total: (usize, usize) = info
            .pollutants
            .iter()
            .filter_map(|u| u.monte_carlo.as_ref())
            .fold((0, 0), |acc, mc| {
                (
                    acc.0.max(mc.sampled.activities),
                    acc.1.max(mc.sampled.factors),
                )
            });
        s.push_str(&format!(
            "\nsampled per pollutant: up to {} activity keys and {} factors (see --format json)\n",
            total.0, total.1
        ));
    }
    s
}
