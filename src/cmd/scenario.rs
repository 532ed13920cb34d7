//! `airinv scenario FILE... --out DIR [--optimize]`: ratification scenarios
//! projected from a compiled base year, with measures, costs, targets and
//! (with `--optimize`) the least-cost shares that meet them; writes
//! `projection.csv`, `measures.csv`, `summary.json`, `cost_curves.csv`,
//! `cost_curves_<SCENARIO>_<YEAR>.svg` (and `.png`) and `annex4.xlsx`.

use crate::error::{Error, Result};
use crate::nfr::RowKind;
use crate::notation_key::Cell;
use crate::number::format_decimal;
use crate::pollutant::Pollutant;
use crate::scenario::projection::{Base, BaseKey};
use crate::scenario::{self, Outcome, file::Scenario};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
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

/// The base year of a scenario from the compile pipeline: every activity
/// key of the year (activity in TJ for fuels, emissions per pollutant) and
/// the national totals of every compiled year. The one place the scenario
/// command calls the compile pipeline.
pub fn compile_base(s: &Scenario, reporting_date: Option<String>) -> Result<Base> {
    use crate::compile::{CompileOptions, compute, inventory_fuels};
    let compiled = compute(&CompileOptions {
        source: s.base.clone(),
        country: s.country.clone(),
        reporting_date,
        ..CompileOptions::default()
    })?;
    if let Some(first) = compiled.report.rejected.first() {
        return Err(Error::file(
            &s.path,
            format!(
                "the base {} has {} rejected input row(s) (first: {}: {}); run airinv compile on it and correct them first",
                s.base.display(),
                compiled.report.rejected.len(),
                first.at,
                first.reason
            ),
        ));
    }
    let fuels = inventory_fuels(&compiled.inventory)?;
    let table = compiled
        .tables
        .iter()
        .find(|t| t.header.year == s.base_year)
        .cloned()
        .ok_or_else(|| {
            Error::file(
                &s.path,
                format!(
                    "base_year {} is not a year of the base {} (it compiles {})",
                    s.base_year,
                    s.base.display(),
                    compiled
                        .tables
                        .iter()
                        .map(|t| t.header.year.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    let mut keys = Vec::new();
    for r in compiled
        .results
        .iter()
        .filter(|r| r.key.year == s.base_year)
    {
        let row = r.key.row;
        if !matches!(row.kind, RowKind::Sector | RowKind::FuelUsed) {
            continue;
        }
        let mut emissions: BTreeMap<Pollutant, Decimal> = BTreeMap::new();
        for line in &r.lines {
            *emissions.entry(line.pollutant).or_default() += line.emission;
        }
        if !emissions.contains_key(&Pollutant::PAH14) {
            let four: Vec<Decimal> = Pollutant::PAHS
                .iter()
                .filter_map(|p| emissions.get(p).copied())
                .collect();
            if !four.is_empty() {
                emissions.insert(Pollutant::PAH14, four.iter().sum());
            }
        }
        let (activity, unit) = match r.energy_tj {
            Some(tj) => (tj, "TJ".to_string()),
            None => (r.total.value, r.key.unit.to_string()),
        };
        keys.push(BaseKey {
            row: row.number,
            code: row.code.clone(),
            fuel: r.key.fuel.clone(),
            technology: r.key.pins.technology.clone(),
            unit,
            activity,
            fuel_group: r
                .key
                .fuel
                .as_ref()
                .and_then(|f| f.id)
                .map(|id| fuels.fuel(id).group),
            sector: row.kind == RowKind::Sector,
            emissions,
        });
    }
    let total_row = crate::nfr::find("NATIONAL TOTAL")
        .expect("the total row")
        .number;
    let totals = compiled
        .tables
        .iter()
        .map(|t| {
            let cells = &t.rows[&total_row];
            let by: BTreeMap<Pollutant, Decimal> = Pollutant::ALL
                .iter()
                .filter_map(|p| match cells.get(*p) {
                    Cell::Number(v) => Some((*p, v)),
                    _ => None,
                })
                .collect();
            (t.header.year, by)
        })
        .collect();
    Ok(Base {
        year: s.base_year,
        keys,
        table,
        totals,
    })
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
                let b = compile_base(&s, opts.reporting_date.clone())?;
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
        Format::Json => {
            serde_json::to_string_pretty(&scenario::report::summary(&outcomes)).unwrap_or_default()
                + "\n"
        }
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
