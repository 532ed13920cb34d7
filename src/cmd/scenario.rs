//! `airinv scenario FILE... --out DIR [--optimize]`: ratification scenarios
//! projected from a compiled base year, with measures, costs, targets and
//! (with `--optimize`) the least-cost shares that meet them; writes
//! `projection.csv`, `measures.csv`, `summary.json`, `cost_curves.csv`,
//! `cost_curves_<SCENARIO>_<YEAR>.svg` (and `.png`) and `annex4.xlsx`.

use crate::error::{Error, Result};
use crate::number::format_decimal;
use crate::scenario::projection::Base;
use crate::scenario::{self, Outcome};
use rust_decimal::Decimal;
use std::path::PathBuf;

/// Output format of what is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    #[default]
    Table,
    Json,
}

#[derive(Debug, Clone, Default)]
pub struct ScenarioOptions {
    /// Scenario files (TOML); several (WM, WAM) share one set of outputs.
    pub files: Vec<PathBuf>,
    pub out: PathBuf,
    pub optimize: bool,
    pub format: Format,
    /// The date written in the Annex IV header (DD.MM.YYYY); today by default.
    pub reporting_date: Option<String>,
}

/// What a run made.
pub struct ScenarioReport {
    pub text: String,
    pub outcomes: Vec<Outcome>,
    pub outputs: Vec<PathBuf>,
    /// What could not be made (a PNG without fonts), to show.
    pub notes: Vec<String>,
    /// Every target met (or none given).
    pub all_met: bool,
}

pub fn run(opts: &ScenarioOptions) -> Result<ScenarioReport> {
    if opts.files.is_empty() {
        return Err(Error::file(&opts.out, "no scenario file given"));
    }
    let mut outcomes = Vec::new();
    let mut bases: Vec<(PathBuf, Option<String>, i32, Base)> = Vec::new();
    for f in &opts.files {
        let s = scenario::file::load(f)?;
        if outcomes.iter().any(|o: &Outcome| o.scenario.name == s.name) {
            return Err(Error::file(
                f,
                format!(
                    "a second scenario named {}: give each a name (name = \"WAM\")",
                    s.name
                ),
            ));
        }
        let at = bases
            .iter()
            .position(|(p, c, y, _)| *p == s.base && *c == s.country && *y == s.base_year);
        let i = match at {
            Some(i) => i,
            None => {
                let b = scenario::projection::compile_base(&s, opts.reporting_date.clone())?;
                bases.push((s.base.clone(), s.country.clone(), s.base_year, b));
                bases.len() - 1
            }
        };
        let outcome = scenario::run(&s, &bases[i].3, opts.optimize)
            .map_err(|e| crate::config::problem_at(f, e))?;
        outcomes.push(outcome);
    }
    // One transaction (output::OutputDir), summary.json last: a killed run
    // leaves the old set, two runs cannot interleave, the curves of a
    // scenario no longer run are removed, and no input is written over.
    let mut inputs = opts.files.clone();
    inputs.extend(bases.iter().map(|(p, ..)| p.clone()));
    let mut out = crate::output::OutputDir::open(&opts.out, &inputs)?;
    scenario::report::write_projection(&out.file("projection.csv")?, &outcomes)?;
    scenario::report::write_measures(&out.file("measures.csv")?, &outcomes)?;
    scenario::report::write_curves(&out.file("cost_curves.csv")?, &outcomes)?;
    let mut notes = Vec::new();
    write_curve_pictures(&mut out, &outcomes, &mut notes)?;
    let date = outcomes
        .first()
        .map(|o| o.base_table.header.reporting_date.clone())
        .unwrap_or_default();
    scenario::annex4::write(&out.file("annex4.xlsx")?, &outcomes, &date)?;
    scenario::report::write_summary(&out.file("summary.json")?, &outcomes)?;
    let outputs = out.commit(Some("summary.json"), true)?;
    let text = match opts.format {
        Format::Table => table_text(&outcomes),
        Format::Json => crate::output::json_text(&scenario::report::summary(&outcomes)),
    };
    let all_met = outcomes.iter().all(Outcome::all_met);
    Ok(ScenarioReport {
        text,
        outcomes,
        outputs,
        notes,
        all_met,
    })
}

/// The curves as SVG (and PNG where fonts allow; else a note).
fn write_curve_pictures(
    out: &mut crate::output::OutputDir,
    outcomes: &[Outcome],
    notes: &mut Vec<String>,
) -> Result<()> {
    for o in outcomes {
        for y in &o.years {
            if y.curves.is_empty() {
                continue;
            }
            let title = format!(
                "Marginal abatement cost curves, scenario {}, {} ({} of {})",
                o.scenario.name,
                y.result.year,
                o.scenario.currency,
                o.scenario
                    .price_year
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            );
            let svg = scenario::curve::svg(&y.curves, &title, &o.scenario.currency);
            let stem = format!(
                "cost_curves_{}",
                scenario::annex4::sheet_name(y.result.year, &o.scenario.name)
            );
            let p = out.file(&format!("{stem}.svg"))?;
            crate::output::write_bytes_atomically(&p, svg.as_bytes())?;
            if cfg!(feature = "png") {
                match crate::plot::png(&svg) {
                    Ok(png) => {
                        let p = out.file(&format!("{stem}.png"))?;
                        crate::output::write_bytes_atomically(&p, &png)?;
                    }
                    Err(e) => notes.push(format!("{stem}.png not written: {e}")),
                }
            }
        }
    }
    Ok(())
}

/// A number for people: rounded to 4 decimals.
fn show(v: Decimal) -> String {
    format_decimal(v.round_dp(4).normalize())
}

/// A change in %, signed, to one decimal.
fn signed_pct(v: Decimal) -> String {
    let v = v.round_dp(1).normalize();
    if v > Decimal::ZERO {
        format!("+{}", format_decimal(v))
    } else {
        format_decimal(v)
    }
}

fn table_text(outcomes: &[Outcome]) -> String {
    let mut s = String::new();
    for o in outcomes {
        let sc = &o.scenario;
        s.push_str(&format!(
            "scenario {} ({}): base {} {}, {} measure(s), {} target(s); costs in {}{}\n",
            sc.name,
            sc.path.display(),
            sc.base.display(),
            o.base_year,
            sc.measures.len(),
            sc.targets.len(),
            sc.currency,
            sc.price_year
                .map(|p| format!(" of {p}"))
                .unwrap_or_default()
        ));
        for w in &o.warnings {
            s.push_str(&format!("  warning: {w}\n"));
        }
        for y in &o.years {
            s.push_str(&format!(
                "  {}{}: annual cost {} {}\n",
                y.result.year,
                match (y.optimized, y.feasible) {
                    (true, true) => " (least cost)",
                    (true, false) =>
                        " (least cost of what can be met; the rest at its best reachable)",
                    _ => "",
                },
                show(y.result.cost.round_dp(0)),
                sc.currency
            ));
            for t in &y.targets {
                let change = t
                    .base_emission
                    .filter(|b| !b.is_zero())
                    .map(|b| {
                        format!(
                            " ({} % from {})",
                            signed_pct((t.emission - b) / b * Decimal::ONE_HUNDRED),
                            match t.target.kind {
                                scenario::file::TargetKind::Reduction { base_year, .. } =>
                                    base_year,
                                _ => 0,
                            }
                        )
                    })
                    .unwrap_or_default();
                s.push_str(&format!(
                    "    {} {} {}{change}, target {} {}: {}\n",
                    t.target.pollutant.id(),
                    show(t.emission),
                    t.target.pollutant.unit(),
                    show(t.ceiling),
                    t.target.pollutant.unit(),
                    if t.met {
                        "met".to_string()
                    } else {
                        format!(
                            "NOT met, {} {} above",
                            show(t.shortfall),
                            t.target.pollutant.unit()
                        )
                    }
                ));
                if let Some(best) = t.best_reachable.filter(|b| *b > t.ceiling) {
                    let pct = t
                        .base_emission
                        .filter(|b| !b.is_zero())
                        .map(|b| {
                            format!(" ({} %)", signed_pct((best - b) / b * Decimal::ONE_HUNDRED))
                        })
                        .unwrap_or_default();
                    s.push_str(&format!(
                        "      impossible with these measures: the best reachable is {} {}{pct}, {} {} short of the target\n",
                        show(best),
                        t.target.pollutant.unit(),
                        show((best - t.ceiling).max(Decimal::ZERO)),
                        t.target.pollutant.unit()
                    ));
                }
            }
            for (m, r) in sc.measures.iter().zip(&y.result.measures) {
                if r.share.is_zero() {
                    continue;
                }
                s.push_str(&format!(
                    "    {} on {} % of {} {}: {} {}/yr\n",
                    m.id,
                    show((r.share * Decimal::ONE_HUNDRED).round_dp(4)),
                    m.nfr,
                    m.fuel.join("/"),
                    show(r.cost.round_dp(0)),
                    sc.currency
                ));
            }
        }
    }
    s
}
