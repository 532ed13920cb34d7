//! `airinv uncertainty`: Approach 1 and the Monte Carlo for a year (and the
//! trend from a base year), as a table, CSV or JSON, with the IIR's tables
//! in `uncertainty.xlsx` and a chart of the largest contributors. The
//! analysis is the library's [`airinv::uncertainty::analyse`].

use airinv::number::show;
use airinv::output::Format;
use airinv::source::Source;
use airinv::uncertainty::{self, Analysis, PollutantMc, approach1, table};
use anyhow::Result;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An inventory folder (Approach 1 and Monte Carlo), or an output folder or Annex I workbook (Approach 1 with defaults).
    source: PathBuf,
    /// The year to analyse.
    #[arg(long)]
    year: i32,
    /// Base year of the trend.
    #[arg(long)]
    base: Option<i32>,
    /// Uncertainties (CSV: nfr,fuel,pollutant,activity_pct,factor_pct; 95 % half-widths in %, lower/upper, or a factor's rating A-E). Repeatable.
    #[arg(long)]
    uncertainties: Vec<PathBuf>,
    /// Monte Carlo iterations.
    #[arg(long, default_value_t = uncertainty::DEFAULT_ITERATIONS)]
    iterations: u64,
    /// Monte Carlo seed: the same seed gives the same output, whatever the threads.
    #[arg(long, default_value_t = uncertainty::DEFAULT_SEED)]
    seed: u64,
    /// Number of threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Write the IIR tables (a summary and one sheet per pollutant) to this workbook.
    #[arg(long)]
    xlsx: Option<PathBuf>,
    /// Draw the largest contributors to the uncertainty (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
}

pub fn run(opts: Args) -> Result<ExitCode> {
    let analysis = uncertainty::analyse(
        &Source::open(&opts.source)?,
        &uncertainty::Options {
            year: opts.year,
            base: opts.base,
            uncertainties: opts.uncertainties,
            iterations: opts.iterations,
            seed: opts.seed,
            threads: opts.threads,
        },
    )?;
    let text = match opts.format {
        Format::Table => text_table(&analysis),
        Format::Csv => table::csv_text(&analysis.pollutants),
        Format::Json => airinv::output::json_text(&analysis),
    };
    let mut outputs = Vec::new();
    if let Some(path) = &opts.xlsx {
        table::write_xlsx(path, &analysis)?;
        outputs.push(path.clone());
    }
    if let Some(path) = &opts.plot {
        airinv::chart::contributors::write(path, &analysis.pollutants, analysis.year)?;
        outputs.push(path.clone());
    }
    print!("{text}");
    for p in &outputs {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Four significant digits for people.
fn sig(x: f64) -> String {
    airinv::number::show_f64(x, 4)
}

fn dec(d: Option<Decimal>) -> String {
    d.map(|d| show(d, 4)).unwrap_or_else(|| "-".into())
}

/// The Monte Carlo's 2.5 and 97.5 percentiles as % of the inventory's total.
fn mc_interval(mc: &PollutantMc, total: Decimal) -> String {
    let t = airinv::number::to_excel(total);
    if t == 0.0 {
        return "-".into();
    }
    format!(
        "−{} / +{}",
        sig(((t - mc.total.lower) / t * 100.0).max(0.0)),
        sig(((mc.total.upper - t) / t * 100.0).max(0.0))
    )
}

/// Approach 1's level uncertainty, `−x / +y` (% of the total), `*` when indicative.
fn approach1_interval(a: &airinv::uncertainty::approach1::Approach1) -> String {
    match a.sides() {
        Some((lo, hi)) => format!(
            "−{} / +{}{}",
            show(lo, 4),
            show(hi, 4),
            if a.indicative { " *" } else { "" }
        ),
        None => "-".into(),
    }
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
            "Monte Carlo: {} iterations, seed {}; intervals are the 2.5 and 97.5 percentiles, as % of the inventory's total\n",
            info.iterations, info.seed
        ));
    }
    let indicative = info.pollutants.iter().any(|u| u.approach1.indicative);
    if indicative {
        s.push_str(&format!(
            "* Approach 1 holds for σ/mean below 0.3 (IPCC 2006 Vol. 1 ch. 3): rows wider than ±{} % carry more than half of the variance, so it is indicative{}\n",
            approach1::VALID_HALF_WIDTH_PCT,
            if info.lineage {
                " and the Monte Carlo is the result"
            } else {
                " (the Monte Carlo needs an inventory folder)"
            }
        ));
    }
    if info.placeholders > 0 {
        s.push_str(&format!(
            "{} line(s) have a placeholder uncertainty (no verified default; give your own with --uncertainties; see --format csv)\n",
            info.placeholders
        ));
    }
    s.push('\n');
    let mut header = vec!["pollutant".to_string(), "unit".into(), "total".into()];
    if info.lineage {
        header.extend([
            "MC mean".into(),
            "MC 2.5-97.5 percentiles".into(),
            "MC % of total".into(),
        ]);
    }
    header.push("A1 % of total".into());
    if info.base.is_some() {
        header.push("trend %".into());
        if info.lineage {
            header.push("MC trend % 2.5-97.5 percentiles".into());
        }
        header.push("trend U pp (A1)".into());
    }
    let mut rows = vec![header];
    for u in &info.pollutants {
        let a = &u.approach1;
        let mut r = vec![
            a.pollutant.id().to_string(),
            a.pollutant.unit().to_string(),
            show(a.total, 4),
        ];
        if info.lineage {
            match &u.monte_carlo {
                Some(mc) => {
                    r.push(sig(mc.total.mean));
                    r.push(format!(
                        "{} to {}",
                        sig(mc.total.lower),
                        sig(mc.total.upper)
                    ));
                    r.push(mc_interval(mc, a.total));
                }
                None => r.extend(["-".into(), "-".into(), "-".into()]),
            }
        }
        r.push(approach1_interval(a));
        if info.base.is_some() {
            r.push(dec(a.trend_pct()));
            if info.lineage {
                r.push(
                    u.monte_carlo
                        .as_ref()
                        .and_then(|m| m.trend)
                        .map(|t| format!("{} to {}", sig(t.lower), sig(t.upper)))
                        .unwrap_or_else(|| "-".into()),
                );
            }
            r.push(dec(a.trend_uncertainty_pct()));
        }
        rows.push(r);
    }
    s.push_str(&super::columns(&rows, ""));
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
