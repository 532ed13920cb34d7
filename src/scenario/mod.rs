//! Ratification scenarios with an economic assessment (`airinv scenario`):
//! projections of every pollutant from a compiled base year, abatement
//! measures with annualised costs, targets, the least-cost choice of
//! measures (GAINS-style LP), cost curves and the Annex IV projections
//! workbook.
//!
//! ```text
//!  scenario.toml ──► file::Scenario (validated; library measures filled in)
//!  compiled base year ──► projection::Base (keys: activity, emissions)
//!                               │
//!        projection::Model (growth per key and year, measure → keys, cost::UnitCost)
//!                               │
//!        shares per year: decided (WM) or optimize::least_cost (LP, f64)
//!                               │
//!        projection::YearResult (exact: emissions, measures, costs) ──► Outcome
//!                               │
//!        report (projection.csv, measures.csv, summary.json), annex4 (annex4.xlsx), curve (MAC curves)
//! ```
//!
//! Shares follow the years in order: the share chosen for a target year of
//! a measure with an investment stays (equipment once installed keeps
//! running), so the next year starts from it; measures without one (a fuel
//! switch costed per tonne) can be dropped. Decided shares
//! (`share = { 2030 = 0.5 }`) are floors. Each year is optimised in turn
//! (a myopic choice, not one over all years at once).

pub mod annex4;
pub mod attribution;
pub mod cost;
pub mod curve;
pub mod file;
pub mod library;
pub mod limits;
pub mod optimize;
pub mod projection;
pub mod report;

use crate::annex1::Annex1Year;
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use file::{Scenario, Target, TargetKind};
use projection::{Base, Model, YearResult};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A target in its year: its ceiling, the projected emission, met or not.
#[derive(Debug, Clone)]
pub struct TargetResult {
    pub target: Target,
    /// The base year's emission the reduction is from.
    pub base_emission: Option<Decimal>,
    /// Where the base emission comes from.
    pub base_from: String,
    pub ceiling: Decimal,
    pub emission: Decimal,
    pub met: bool,
    /// Emission above the ceiling (0 when met).
    pub shortfall: Decimal,
    /// When the target is not met (or no shares meet every target): the
    /// lowest emission the measures can reach for this pollutant.
    pub best_reachable: Option<Decimal>,
    /// The annual cost of the measures bought for it ([`attribution`]).
    pub annual_cost: Decimal,
    /// Its marginal cost per tonne at the least-cost shares
    /// ([`optimize::marginal_costs`]): known with `--optimize`; `None`
    /// also where the target is at its best reachable level.
    pub marginal_cost: Option<Decimal>,
    /// Measures whose source gives no cost that could remove more of its
    /// pollutant (the LP could not price them): their ids.
    pub unpriced: Vec<String>,
}

impl TargetResult {
    /// The target drives the cost: measures are bought for it and the
    /// next tonne would cost more (or it is at its best reachable).
    pub fn drives_cost(&self) -> bool {
        self.annual_cost > Decimal::ZERO && self.marginal_cost != Some(Decimal::ZERO)
    }
}

/// One projection year of a scenario.
#[derive(Debug, Clone)]
pub struct YearOutcome {
    pub result: YearResult,
    /// The shares come from the LP.
    pub optimized: bool,
    /// False when the LP found no shares meeting every target: the shares
    /// are then the least-cost ones meeting the targets that can be met and
    /// taking the others to their best reachable level.
    pub feasible: bool,
    pub targets: Vec<TargetResult>,
    /// Each measure's cost by target pollutant.
    pub attribution: Vec<attribution::Attribution>,
    /// The Annex I / IV table of the year.
    pub table: Annex1Year,
    pub curves: Vec<curve::Curve>,
}

/// A scenario run.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub scenario: Scenario,
    pub base_year: i32,
    pub base_table: Annex1Year,
    /// The historic base year's table (2005), when the base compiles it.
    pub historic: Option<Annex1Year>,
    pub years: Vec<YearOutcome>,
    /// The unit cost of each measure, and how it was computed.
    pub unit_costs: Vec<cost::UnitCost>,
    pub warnings: Vec<String>,
}

impl YearOutcome {
    /// Every target of the year met.
    pub fn all_met(&self) -> bool {
        self.feasible && self.targets.iter().all(|t| t.met)
    }
}

impl Outcome {
    /// Every target met.
    pub fn all_met(&self) -> bool {
        self.years.iter().all(YearOutcome::all_met)
    }
}

/// Targets are met within one billionth of the emission without measures:
/// the LP computes shares in floating point, and the emissions recomputed
/// exactly from them can differ from a ceiling by that much.
fn tolerance(uncontrolled: Decimal) -> Decimal {
    uncontrolled.abs() * Decimal::new(1, 9)
}

/// The ceiling of a target, and its base emission with where it is from.
fn ceiling(t: &Target, base: &Base) -> Result<(Decimal, Option<Decimal>, String), String> {
    match &t.kind {
        TargetKind::Ceiling(c) => Ok((*c, None, "ceiling".into())),
        TargetKind::Reduction {
            pct,
            base_year,
            base_emission,
        } => {
            let (b, from) = match base_emission {
                Some(b) => (*b, format!("given: {}", t.source)),
                None => match base.totals.get(base_year).and_then(|m| m.get(&t.pollutant)) {
                    Some(b) => (
                        *b,
                        format!("national total {base_year} compiled from the base"),
                    ),
                    None => {
                        return Err(format!(
                            "line {}: [[target]] {} {}: base_year {base_year} is not a year the base compiles ({}); give base_emission (in {}) with its source",
                            t.line,
                            t.pollutant.id(),
                            t.year,
                            base.totals
                                .keys()
                                .map(|y| y.to_string())
                                .collect::<Vec<_>>()
                                .join(", "),
                            t.pollutant.unit()
                        ));
                    }
                },
            };
            Ok((
                b * (Decimal::ONE - *pct / Decimal::ONE_HUNDRED),
                Some(b),
                from,
            ))
        }
    }
}

/// Runs scenario files: each file read, its base compiled once for every
/// scenario on the same base (inventory, country and base year), and
/// projected; the outcomes in the order of the files, and the bases read
/// (inputs the outputs must not be written over).
pub fn run_files(
    files: &[PathBuf],
    optimize: bool,
    reporting_date: Option<String>,
) -> crate::error::Result<(Vec<Outcome>, Vec<PathBuf>)> {
    use crate::error::Error;
    let mut outcomes: Vec<Outcome> = Vec::new();
    let mut bases: Vec<(PathBuf, Option<String>, i32, Base)> = Vec::new();
    for f in files {
        let s = file::load(f)?;
        if outcomes.iter().any(|o| o.scenario.name == s.name) {
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
                let b = projection::compile_base(&s, reporting_date.clone())?;
                bases.push((s.base.clone(), s.country.clone(), s.base_year, b));
                bases.len() - 1
            }
        };
        // `limits` measures become plain measures on the base.
        let s = limits::resolve(&s, &bases[i].3)?;
        let outcome =
            run(&s, &bases[i].3, optimize).map_err(|e| crate::config::problem_at(f, e))?;
        outcomes.push(outcome);
    }
    Ok((outcomes, bases.into_iter().map(|(p, ..)| p).collect()))
}

/// Runs a scenario on its base: projects every year, with decided shares
/// or (`optimize`) the least-cost shares meeting the targets.
pub fn run(scenario: &Scenario, base: &Base, optimize: bool) -> Result<Outcome, String> {
    let model = Model::new(scenario, base)?;
    let mut previous = vec![Decimal::ZERO; scenario.measures.len()];
    let mut years = Vec::new();
    for &year in &scenario.years {
        let y = year_outcome(&model, year, &previous, optimize)?;
        previous = y.result.measures.iter().map(|m| m.share).collect();
        years.push(y);
    }
    Ok(Outcome {
        scenario: scenario.clone(),
        base_year: base.year,
        base_table: base.table.clone(),
        historic: base.historic.clone(),
        years,
        unit_costs: model.costs.clone(),
        warnings: model.warnings.clone(),
    })
}

/// The bounds of each measure's share in a year: its decided share (and,
/// optimising, the share of equipment bought for an earlier year) up to
/// its largest.
fn bounds(model: &Model<'_>, year: i32, previous: &[Decimal], optimize: bool) -> Bounds {
    let upper: Vec<Decimal> = model
        .scenario
        .measures
        .iter()
        .map(|m| m.upper_share(year))
        .collect();
    let lower = model
        .scenario
        .measures
        .iter()
        .enumerate()
        .map(|(i, m)| {
            // Equipment bought for an earlier target year keeps
            // running; measures without an investment can be dropped.
            let floor = if optimize && m.cost.investment.is_some() {
                m.decided_share(year).max(previous[i])
            } else {
                m.decided_share(year)
            };
            floor.min(upper[i])
        })
        .collect::<Vec<_>>();
    // A measure without a cost is not the LP's to choose: its decided share.
    let upper = upper
        .iter()
        .zip(&lower)
        .zip(&model.costs)
        .map(|((u, l), c)| if c.priced { *u } else { *l })
        .collect();
    Bounds { lower, upper }
}

/// The lowest and highest share of each measure in a year.
pub struct Bounds {
    pub lower: Vec<Decimal>,
    pub upper: Vec<Decimal>,
}

/// The shares the LP chose for a year's ceilings: the least-cost ones, or
/// where not every target can be met, each out-of-reach target's best
/// reachable emission and the least-cost shares meeting the others with
/// those at their best. With the ceilings the shares meet.
struct Chosen {
    shares: Vec<Decimal>,
    optimized: bool,
    feasible: bool,
    best: BTreeMap<Pollutant, Decimal>,
    ceilings: Vec<(Pollutant, Decimal)>,
}

fn choose(
    model: &Model<'_>,
    year: i32,
    b: &Bounds,
    targets: &[(Pollutant, Decimal)],
) -> Result<Chosen, String> {
    let mut chosen = Chosen {
        shares: b.lower.clone(),
        optimized: false,
        feasible: true,
        best: BTreeMap::new(),
        ceilings: targets.to_vec(),
    };
    match optimize::least_cost(model, year, &b.lower, &b.upper, targets)? {
        optimize::Solved::Optimal(s) => {
            chosen.shares = s;
            chosen.optimized = true;
        }
        optimize::Solved::Infeasible(per_pollutant) => {
            chosen.feasible = false;
            for (p, s) in per_pollutant {
                let r = model.project(year, &s)?;
                chosen
                    .best
                    .insert(p, r.totals.get(&p).copied().unwrap_or_default());
            }
            // The least cost of meeting what can be met: each target
            // out of reach is taken at its best reachable level.
            chosen.ceilings = targets
                .iter()
                .map(|(p, c)| {
                    let reach = chosen
                        .best
                        .get(p)
                        .map(|b| *b + tolerance(model.uncontrolled(year, *p)))
                        .unwrap_or(*c);
                    (*p, (*c).max(reach))
                })
                .collect();
            if let optimize::Solved::Optimal(s) =
                optimize::least_cost(model, year, &b.lower, &b.upper, &chosen.ceilings)?
            {
                chosen.shares = s;
                chosen.optimized = true;
            }
        }
    }
    Ok(chosen)
}

/// One projection year: its targets' ceilings, the shares (decided, or the
/// LP's), the exact projection, each target met or not with its cost and
/// marginal cost, the table and the cost curves.
fn year_outcome(
    model: &Model<'_>,
    year: i32,
    previous: &[Decimal],
    optimize: bool,
) -> Result<YearOutcome, String> {
    let scenario = model.scenario;
    let b = bounds(model, year, previous, optimize);
    let targets: Vec<&Target> = scenario.targets.iter().filter(|t| t.year == year).collect();
    let mut ceilings = Vec::new();
    for t in &targets {
        let (c, base_emission, from) =
            ceiling(t, model.base).map_err(|e| format!("{}, {e}", scenario.path.display()))?;
        ceilings.push((t.pollutant, c, base_emission, from));
    }
    let lp_targets: Vec<(Pollutant, Decimal)> =
        ceilings.iter().map(|(p, c, _, _)| (*p, *c)).collect();
    let chosen = if optimize && !targets.is_empty() && !scenario.measures.is_empty() {
        choose(model, year, &b, &lp_targets)?
    } else {
        Chosen {
            shares: b.lower.clone(),
            optimized: false,
            feasible: true,
            best: BTreeMap::new(),
            ceilings: lp_targets.clone(),
        }
    };
    let result = model.project(year, &chosen.shares)?;
    let marginal: BTreeMap<Pollutant, Option<Decimal>> = if chosen.optimized {
        let m =
            optimize::marginal_costs(model, year, &b.lower, &b.upper, &chosen.ceilings, &result)?;
        lp_targets.iter().map(|(p, _)| *p).zip(m).collect()
    } else {
        lp_targets.iter().map(|(p, _)| (*p, None)).collect()
    };
    let attribution = attribution::attribute(&result, &marginal);
    let costs = attribution::per_pollutant(&attribution);
    let mut target_results = Vec::new();
    for (t, (p, c, base_emission, from)) in targets.iter().zip(ceilings) {
        let emission = result.totals.get(&p).copied().unwrap_or_default();
        let met = emission <= c + tolerance(model.uncontrolled(year, p));
        // Out of reach, or not met with the decided shares: how far the
        // measures could take it.
        let best_reachable = match chosen.best.get(&p) {
            Some(b) => Some(*b),
            None if !met && !scenario.measures.is_empty() => {
                let s = optimize::most_removed(model, year, &b.lower, &b.upper, p)?;
                model.project(year, &s)?.totals.get(&p).copied()
            }
            None => None,
        };
        target_results.push(TargetResult {
            target: (*t).clone(),
            base_emission,
            base_from: from,
            ceiling: c,
            emission,
            met,
            shortfall: if met { Decimal::ZERO } else { emission - c },
            best_reachable,
            annual_cost: costs.get(&p).copied().unwrap_or_default(),
            marginal_cost: marginal.get(&p).copied().flatten(),
            unpriced: unpriced(model, year, &result, p),
        });
    }
    Ok(YearOutcome {
        table: table_of(model, &result),
        curves: curve::curves(model, year),
        result,
        optimized: chosen.optimized,
        feasible: chosen.feasible,
        targets: target_results,
        attribution,
    })
}

/// The measures without a cost that remove a pollutant and could treat
/// more of their activity than their decided share.
fn unpriced(model: &Model<'_>, year: i32, r: &YearResult, p: Pollutant) -> Vec<String> {
    model
        .scenario
        .measures
        .iter()
        .enumerate()
        .filter(|(i, m)| {
            !model.costs[*i].priced
                && r.measures[*i].share < m.upper_share(year)
                && !model.removable(*i, year, p).is_zero()
        })
        .map(|(_, m)| m.id.clone())
        .collect()
}

/// The Annex I table of a projected year: the base year's table with each
/// number of a row with activity replaced by the row's projected sum, the
/// fuel activity columns by the projected TJ, and the totals recomputed.
fn table_of(model: &Model<'_>, r: &YearResult) -> Annex1Year {
    let mut t = model.base.table.clone();
    t.header.year = r.year;
    let mut rows: BTreeMap<u32, BTreeMap<Pollutant, Decimal>> = BTreeMap::new();
    let mut fuels: BTreeMap<(u32, usize), Decimal> = BTreeMap::new();
    let mut other: BTreeMap<u32, Decimal> = BTreeMap::new();
    for (k, key) in model.base.keys.iter().enumerate() {
        let row = rows.entry(key.row).or_default();
        for (p, e) in &r.emissions[k] {
            *row.entry(*p).or_default() += *e;
        }
        match key.fuel_group {
            Some(g) if key.unit == "TJ" => {
                *fuels.entry((key.row, g.index())).or_default() += r.activity[k]
            }
            _ => *other.entry(key.row).or_default() += r.activity[k],
        }
    }
    for (row, sums) in &rows {
        let Some(cells) = t.rows.get_mut(row) else {
            continue;
        };
        for (p, v) in sums {
            if matches!(cells.get(*p), Cell::Number(_)) {
                cells.set(*p, Cell::Number(*v));
            }
        }
        for (i, c) in cells.fuels.iter_mut().enumerate() {
            if let Cell::Number(_) = c {
                *c = Cell::Number(fuels.get(&(*row, i)).copied().unwrap_or_default());
            }
        }
        if let Cell::Number(_) = cells.other_activity {
            cells.other_activity = Cell::Number(other.get(row).copied().unwrap_or_default());
        }
    }
    t.compute_totals();
    t
}
