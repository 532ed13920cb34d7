//! `airinv uncertainty`: Approach 1 and the Monte Carlo for a year (and the
//! trend from a base year), as a table, CSV or JSON, with the IIR's tables
//! in `uncertainty.xlsx` and a chart of the largest contributors.

use crate::annex1::Annex1Year;
use crate::error::{Error, Result};
use crate::kca::{self, RowUncertainties};
use crate::number::format_decimal;
use crate::pollutant::Pollutant;
use crate::uncertainty::{
    self, Lineage, PollutantMc, PollutantUncertainty, Sampled, approach1, monte_carlo, table,
};
use rust_decimal::Decimal;
use std::path::PathBuf;

pub use crate::cmd::compare::Format;

/// The Monte Carlo's default number of iterations.
pub const DEFAULT_ITERATIONS: u64 = 100_000;
/// The default seed (a fixed one: the same command gives the same output).
pub const DEFAULT_SEED: u64 = 1;

/// What to analyse and how.
#[derive(Debug, Clone)]
pub struct UncertaintyOptions {
    pub source: PathBuf,
    pub year: i32,
    pub base: Option<i32>,
    /// Uncertainty files, after the inventory's own.
    pub uncertainties: Vec<PathBuf>,
    pub iterations: u64,
    pub seed: u64,
    /// Threads of the Monte Carlo (all cores when not given).
    pub threads: Option<usize>,
    pub format: Format,
    /// Write the tables as `uncertainty.xlsx` here.
    pub xlsx: Option<PathBuf>,
    /// Chart of the largest contributors (.svg or .png).
    pub plot: Option<PathBuf>,
}

impl Default for UncertaintyOptions {
    fn default() -> Self {
        UncertaintyOptions {
            source: PathBuf::new(),
            year: 0,
            base: None,
            uncertainties: Vec::new(),
            iterations: DEFAULT_ITERATIONS,
            seed: DEFAULT_SEED,
            threads: None,
            format: Format::Table,
            xlsx: None,
            plot: None,
        }
    }
}

/// What uncertainty made.
pub struct UncertaintyReport {
    pub text: String,
    pub pollutants: Vec<PollutantUncertainty>,
    /// Files written (xlsx, plot).
    pub outputs: Vec<PathBuf>,
}

pub fn run(opts: &UncertaintyOptions) -> Result<UncertaintyReport> {
    if opts.iterations == 0 {
        return Err(Error::file(&opts.source, "--iterations must be at least 1"));
    }
    let source = crate::source::Source::open(&opts.source)?;
    let (tables, lineage, overrides): (Vec<Annex1Year>, Option<Lineage>, _) =
        if let Some(inventory) = source.inventory() {
            let c = uncertainty::compile_lineage(inventory)?;
            let mut files = c.uncertainty_files.clone();
            files.extend(opts.uncertainties.iter().cloned());
            let overrides = uncertainty::read_overrides(&files)?;
            let years: Vec<i32> = std::iter::once(opts.year).chain(opts.base).collect();
            let lineage = Lineage::from_results(&c.results, &years, &c.factors, &overrides);
            (c.tables, Some(lineage), overrides)
        } else {
            let overrides = uncertainty::read_overrides(&opts.uncertainties)?;
            let tables = source
                .tables()?
                .years
                .into_iter()
                .map(|t| t.table)
                .collect();
            (tables, None, overrides)
        };
    let find = |y: i32| -> Result<&Annex1Year> {
        tables.iter().find(|t| t.header.year == y).ok_or_else(|| {
            let have: Vec<String> = tables.iter().map(|t| t.header.year.to_string()).collect();
            Error::file(
                &opts.source,
                format!("has no year {y}; its years are {}", have.join(", ")),
            )
        })
    };
    let year_table = find(opts.year)?;
    let base_table = opts.base.map(find).transpose()?;
    let guidebook = crate::emission_factor::embedded()?;

    // Approach 1, per pollutant with an emission.
    let mut pollutants: Vec<PollutantUncertainty> = Vec::new();
    for p in Pollutant::ALL {
        let rows = match &lineage {
            Some(l) => l.rows(p, opts.year, opts.base),
            None => uncertainty::table_rows(year_table, base_table, p, &guidebook, &overrides),
        };
        if rows.iter().all(|r| r.emission.is_zero()) {
            continue;
        }
        pollutants.push(PollutantUncertainty {
            approach1: approach1::compute(p, rows, opts.base.is_some()),
            monte_carlo: None,
        });
    }

    // Approach 2, with lineage.
    let mut sampled: Vec<Option<Sampled>> = vec![None; pollutants.len()];
    if let Some(l) = &lineage {
        let ps: Vec<Pollutant> = pollutants.iter().map(|u| u.approach1.pollutant).collect();
        let model = l.mc_model(&ps, opts.year, opts.base);
        let go = || monte_carlo::run(&model, opts.iterations, opts.seed);
        let result = match opts.threads {
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::file(&opts.source, format!("cannot start {n} threads: {e}")))?
                .install(go),
            None => go(),
        };
        let years: Vec<i32> = std::iter::once(opts.year).chain(opts.base).collect();
        for (i, mc) in uncertainty::split_mc(&result, ps.len(), opts.base.is_some())
            .into_iter()
            .enumerate()
        {
            pollutants[i].monte_carlo = Some(mc);
            sampled[i] = Some(uncertainty::sampled(l, &[ps[i]], &years));
        }
    }

    // Key categories for the tables (Approach 1 and 2 by the rows' uncertainties).
    let mut row_u = RowUncertainties::new();
    for u in &pollutants {
        for r in &u.approach1.rows {
            if !r.input.emission.is_zero() {
                row_u.insert((u.approach1.pollutant, r.input.row), r.combined_pct);
            }
        }
    }
    let mut keys = table::Keys::new();
    for k in kca::analyse(year_table, base_table, Some(&row_u)) {
        for c in k.key_categories() {
            keys.insert((k.pollutant, c.row), c.criteria());
        }
    }

    let info = Info {
        year: opts.year,
        base: opts.base,
        lineage: lineage.is_some(),
        iterations: opts.iterations,
        seed: opts.seed,
        source: opts.source.display().to_string(),
    };
    let text = match opts.format {
        Format::Table => text_table(&pollutants, &sampled, &info),
        Format::Csv => table::csv_text(&pollutants, &keys),
        Format::Json => {
            serde_json::to_string_pretty(&json(&pollutants, &sampled, &keys, &info))
                .unwrap_or_default()
                + "\n"
        }
    };
    let mut outputs = Vec::new();
    if let Some(path) = &opts.xlsx {
        table::write_xlsx(
            path,
            &pollutants,
            &keys,
            &summary_rows(&pollutants, &sampled, &info),
        )?;
        outputs.push(path.clone());
    }
    if let Some(path) = &opts.plot {
        let svg = crate::chart::svg(
            &table::contributors(&pollutants, &keys, 15),
            &format!(
                "Largest contributors to the uncertainty of the totals, {}",
                opts.year
            ),
            "bars: each row's share of the variance of the national total (Approach 1); dark: key category",
        );
        crate::chart::write(path, &svg)?;
        outputs.push(path.clone());
    }
    Ok(UncertaintyReport {
        text,
        pollutants,
        outputs,
    })
}

struct Info {
    year: i32,
    base: Option<i32>,
    lineage: bool,
    iterations: u64,
    seed: u64,
    source: String,
}

/// The note on what the inputs are.
fn note(info: &Info) -> &'static str {
    if info.lineage {
        "factor uncertainties from the 95 % intervals of the factors used (asymmetric: lognormal in the Monte Carlo, the larger side in Approach 1); activity uncertainties from the sector defaults unless given"
    } else {
        "no lineage (Annex I tables): Approach 1 only, with default uncertainties per row (activity: sector default; factor: median interval of the row's Guidebook Tier 1 factors) unless given; the Monte Carlo needs an inventory folder"
    }
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

fn text_table(all: &[PollutantUncertainty], sampled: &[Option<Sampled>], info: &Info) -> String {
    let mut s = format!(
        "Uncertainty {}{}, from {}\n{}\n",
        info.year,
        info.base
            .map(|b| format!(" and trend from {b}"))
            .unwrap_or_default(),
        info.source,
        note(info)
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
    for u in all {
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
            r.push(dec(a.trend_pct, 2));
            r.push(dec(a.trend_uncertainty_pct, 2));
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
        let total: (usize, usize) = sampled.iter().flatten().fold((0, 0), |acc, s| {
            (acc.0.max(s.activities), acc.1.max(s.factors))
        });
        s.push_str(&format!(
            "\nsampled per pollutant: up to {} activity keys and {} factors (see --format json)\n",
            total.0, total.1
        ));
    }
    s
}

fn summary_rows(
    all: &[PollutantUncertainty],
    sampled: &[Option<Sampled>],
    info: &Info,
) -> Vec<Vec<String>> {
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
    for (u, sm) in all.iter().zip(sampled) {
        let a = &u.approach1;
        let mc = u.monte_carlo.as_ref();
        let f = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
        rows.push(vec![
            a.pollutant.id().to_string(),
            a.pollutant.unit().to_string(),
            info.year.to_string(),
            format_decimal(a.total),
            a.uncertainty_pct.map(format_decimal).unwrap_or_default(),
            info.base.map(|b| b.to_string()).unwrap_or_default(),
            a.trend_pct.map(format_decimal).unwrap_or_default(),
            a.trend_uncertainty_pct
                .map(format_decimal)
                .unwrap_or_default(),
            if mc.is_some() {
                info.iterations.to_string()
            } else {
                String::new()
            },
            if mc.is_some() {
                info.seed.to_string()
            } else {
                String::new()
            },
            f(mc.map(|m| m.total.mean)),
            f(mc.map(|m| m.total.lower)),
            f(mc.map(|m| m.total.upper)),
            f(mc.and_then(|m| m.trend).map(|t| t.lower)),
            f(mc.and_then(|m| m.trend).map(|t| t.upper)),
            sm.map(|s| s.activities.to_string()).unwrap_or_default(),
            sm.map(|s| s.factors.to_string()).unwrap_or_default(),
        ]);
    }
    rows
}

fn json(
    all: &[PollutantUncertainty],
    sampled: &[Option<Sampled>],
    keys: &table::Keys,
    info: &Info,
) -> serde_json::Value {
    let opt = |d: Option<Decimal>| d.map(format_decimal);
    let pollutants: Vec<serde_json::Value> = all
        .iter()
        .zip(sampled)
        .map(|(u, sm)| {
            let a = &u.approach1;
            let summary = |s: &monte_carlo::Summary| {
                serde_json::json!({"mean": s.mean, "median": s.median, "lower": s.lower, "upper": s.upper})
            };
            let mc = u.monte_carlo.as_ref().map(|m| {
                serde_json::json!({
                    "iterations": info.iterations,
                    "seed": info.seed,
                    "mean": m.total.mean,
                    "median": m.total.median,
                    "lower": m.total.lower,
                    "upper": m.total.upper,
                    "base": m.base_total.as_ref().map(summary),
                    "trend_pct": m.trend.as_ref().map(summary),
                    "sampled_activities": sm.map(|s| s.activities),
                    "sampled_factors": sm.map(|s| s.factors),
                })
            });
            let categories: Vec<serde_json::Value> = a
                .rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "code": r.input.code,
                        "emission": format_decimal(r.input.emission),
                        "base_emission": opt(r.input.base),
                        "activity_pct": format_decimal(r.input.activity_pct),
                        "factor_pct": format_decimal(r.input.factor_pct),
                        "combined_pct": format_decimal(r.combined_pct),
                        "contribution_pct": format_decimal(r.variance_share),
                        "trend_contribution": opt(r.trend_variance),
                        "key": keys.get(&(a.pollutant, r.input.row)).cloned().unwrap_or_default(),
                        "activity_source": r.input.activity_source,
                        "factor_source": r.input.factor_source,
                    })
                })
                .collect();
            let mut v = serde_json::json!({
                "pollutant": a.pollutant.id(),
                "unit": a.pollutant.unit(),
                "total": format_decimal(a.total),
                "uncertainty_pct": opt(a.uncertainty_pct),
                "monte_carlo": mc,
                "categories": categories,
            });
            if info.base.is_some() {
                let m = v.as_object_mut().expect("an object");
                m.insert("base_total".into(), opt(a.base_total).into());
                m.insert("trend_pct".into(), opt(a.trend_pct).into());
                m.insert("trend_uncertainty_pct".into(), opt(a.trend_uncertainty_pct).into());
            }
            v
        })
        .collect();
    serde_json::json!({
        "year": info.year,
        "base": info.base,
        "source": info.source,
        "lineage": info.lineage,
        "note": note(info),
        "pollutants": pollutants,
    })
}
