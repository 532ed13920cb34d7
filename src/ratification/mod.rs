//! Ratification options side by side (`airinv ratification`): for each
//! option (protocols, commitments or ceilings, a base year, the scenario
//! to project with, limit values for plants from a ratification year) and
//! each year, what it requires, the projected emission with the existing
//! (decided) measures, the least-cost measures that meet it (or the best
//! reachable and the shortfall), the annual cost, the cost per tonne, the
//! marginal cost of each requirement and which requirements drive the
//! cost.
//!
//! ```text
//!  options.toml ──► file::Options (checked, with lines)
//!        │ per option: its scenario (scenario::file, its base compiled once)
//!        │ with the option's requirements as the scenario's targets
//!        ├─► scenario::run, decided shares ──► emission with existing measures
//!        └─► scenario::run, --optimize   ──► least cost, marginal costs,
//!                                            costs attributed per requirement
//!                                 ──► Comparison (Serialize) ──► report (CSV, JSON, xlsx)
//! ```
//!
//! Limit values for plants (`limits = "protocols-1999"`, `ratification_year`)
//! bring every plant of the scenario base's register above them to them
//! from that year, as a decided measure with the cheapest measure of each
//! plant (`crate::scenario::limits`); a base without a plant register says
//! so, and the option is assessed without them.

pub mod file;
pub mod report;

use crate::commitment::Protocol;
use crate::error::{Error, Location, Result};
use crate::number::{exact, exact_opt};
use crate::pollutant::Pollutant;
use crate::scenario::file::{
    CodePattern, CostSpec, LimitsSpec, Measure, Scenario, Target, TargetKind,
};
use crate::scenario::projection::Base;
use crate::scenario::{self, Outcome};
use file::{Need, RatificationOption};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every option compared.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub file: String,
    pub options: Vec<OptionResult>,
}

/// One option.
#[derive(Debug, Clone, Serialize)]
pub struct OptionResult {
    pub name: String,
    pub protocols: Vec<Protocol>,
    pub scenario: String,
    pub currency: String,
    pub price_year: Option<i32>,
    /// Limit values for plants, when the option asks for them.
    pub limits: Option<LimitValues>,
    pub years: Vec<OptionYear>,
}

/// An option in one year.
#[derive(Debug, Clone, Serialize)]
pub struct OptionYear {
    pub year: i32,
    /// Every requirement met by the least-cost measures.
    pub feasible: bool,
    /// The annual cost of the least-cost measures, to 0.01.
    #[serde(serialize_with = "exact")]
    pub annual_cost: Decimal,
    pub requirements: Vec<RequirementResult>,
    /// The measures bought (share above zero).
    pub measures: Vec<MeasureUse>,
}

/// A requirement of an option in a year.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementResult {
    pub protocol: Protocol,
    pub pollutant: Pollutant,
    pub unit: &'static str,
    /// In words: `59 % below 2021`, `below 2021 level`, `ceiling 400 kt`.
    pub requirement: String,
    pub base_year: Option<i32>,
    /// A base year other than the Protocol's: said so.
    pub what_if: Option<String>,
    #[serde(serialize_with = "exact_opt")]
    pub base_emission: Option<Decimal>,
    #[serde(serialize_with = "exact")]
    pub ceiling: Decimal,
    /// Projected with the existing (decided) measures only.
    #[serde(serialize_with = "exact")]
    pub existing: Decimal,
    pub existing_met: bool,
    /// With the least-cost measures.
    #[serde(serialize_with = "exact")]
    pub emission: Decimal,
    pub met: bool,
    #[serde(serialize_with = "exact")]
    pub shortfall: Decimal,
    #[serde(serialize_with = "exact_opt")]
    pub best_reachable: Option<Decimal>,
    /// The annual cost of the measures bought for it, to 0.01.
    #[serde(serialize_with = "exact")]
    pub annual_cost: Decimal,
    /// That cost per tonne reduced below the existing measures, to 0.01.
    #[serde(serialize_with = "exact_opt")]
    pub cost_per_t: Option<Decimal>,
    /// The cost of its next tonne (the LP's shadow price), to 0.01; none
    /// at its best reachable level.
    #[serde(serialize_with = "exact_opt")]
    pub marginal_cost_per_t: Option<Decimal>,
    pub drives_cost: bool,
    /// Measures whose cost is not given that could remove more of it.
    pub unpriced_measures: Vec<String>,
    pub source: String,
}

/// A measure bought in an option's year.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureUse {
    pub id: String,
    pub name: String,
    pub code: String,
    #[serde(serialize_with = "exact")]
    pub share: Decimal,
    #[serde(serialize_with = "exact")]
    pub annual_cost: Decimal,
    /// The pollutants of the requirements it is bought for.
    pub for_pollutants: Vec<Pollutant>,
}

/// Limit values for plants asked for by an option, and whether they could
/// be assessed.
#[derive(Debug, Clone, Serialize)]
pub struct LimitValues {
    pub set: String,
    pub ratification_year: i32,
    pub assessed: bool,
    pub note: String,
}

/// Limit values for plants as an option applies them: every plant of the
/// scenario base's register brought to the set from the ratification year
/// (a decided measure, `crate::scenario::limits`), or, when the base has no
/// register, a note that the option is assessed without them.
pub fn limit_values(limits: &file::Limits, base: &Base) -> LimitValues {
    let assessed = base.plants.iter().any(|p| p.year == base.year);
    LimitValues {
        set: limits.set.clone(),
        ratification_year: limits.ratification_year,
        assessed,
        note: if assessed {
            format!(
                "limit values '{}' from {}: the plants of the base's register above them brought to them (decided, with the cheapest measure of each plant)",
                limits.set, limits.ratification_year
            )
        } else {
            format!(
                "limit values '{}' from {}: the base inventory has no plant register (plants = [...] in inventory.toml); the option is assessed without them",
                limits.set, limits.ratification_year
            )
        },
    }
}

/// Says in the limit values' note which of their measures leave gaps out of
/// the cost (no library measure costed for the plant: the option's cost is
/// then a lower bound, never silently).
fn uncosted_gaps(v: &mut LimitValues, scenario: &Scenario) {
    let id = format!("ELV {} ", v.set);
    for m in &scenario.measures {
        if m.id.starts_with(&id) && m.cost.note.contains(crate::scenario::limits::UNCOSTED) {
            let why = m.cost.note.rsplit("; ").next().unwrap_or_default();
            v.note.push_str(&format!("; {}: {why}", m.id));
        }
    }
}

/// The decided measure bringing the base's plants to an option's limit
/// values from its ratification year.
fn limits_measure(limits: &file::Limits) -> Measure {
    Measure {
        line: 0,
        id: format!("ELV {}", limits.set),
        name: format!("plants brought to the limit values {}", limits.set),
        nfr: CodePattern::Prefix(String::new()),
        fuel: Vec::new(),
        removal: BTreeMap::new(),
        primary: Pollutant::SOx,
        group: "limits".into(),
        cost: CostSpec::annual(Decimal::ZERO, "", None, String::new()),
        unit: "TJ".into(),
        max_share: Decimal::ONE,
        share: BTreeMap::from([(limits.ratification_year, Decimal::ONE)]),
        start_year: Some(limits.ratification_year),
        source: "the option's limit values".into(),
        limits: Some(LimitsSpec {
            set: limits.set.clone(),
            ratification_year: Some(limits.ratification_year),
            plants: Vec::new(),
        }),
    }
}

/// A scenario file and its base, read and compiled once.
struct Loaded {
    path: PathBuf,
    scenario: Scenario,
    base: Base,
}

/// Runs every option of a file.
pub fn run(options: &file::Options, reporting_date: Option<String>) -> Result<Comparison> {
    let mut loaded: Vec<Loaded> = Vec::new();
    let mut results = Vec::new();
    for o in &options.options {
        let i = match loaded.iter().position(|l| l.path == o.scenario) {
            Some(i) => i,
            None => {
                let scenario = scenario::file::load(&o.scenario)?;
                let base = scenario::projection::compile_base(&scenario, reporting_date.clone())?;
                loaded.push(Loaded {
                    path: o.scenario.clone(),
                    scenario,
                    base,
                });
                loaded.len() - 1
            }
        };
        let l = &loaded[i];
        results.push(option(&options.path, o, &l.scenario, &l.base)?);
    }
    Ok(Comparison {
        file: options.path.display().to_string(),
        options: results,
    })
}

/// The base year of an option's reductions for a protocol.
fn base_year_of(o: &RatificationOption, protocol: Protocol) -> i32 {
    o.base_year.unwrap_or(protocol.default_base())
}

/// The option's requirements as targets of its scenario, every year.
fn targets(path: &Path, o: &RatificationOption, s: &Scenario, base: &Base) -> Result<Vec<Target>> {
    let at = || Location::file(path).with_line(o.line);
    let mut out = Vec::new();
    for &year in &o.years {
        if !s.years.contains(&year) {
            return Err(Error::input(
                at(),
                format!(
                    "[[option]] {}: {year} is not a projection year of {} ({}); add it to its years",
                    o.name,
                    s.path.display(),
                    s.years
                        .iter()
                        .map(|y| y.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        for r in &o.requirements {
            let kind = match r.need {
                Need::Ceiling(c) => TargetKind::Ceiling(c),
                Need::Reduction(pct) => {
                    let b = base_year_of(o, r.protocol);
                    if !base.totals.contains_key(&b) {
                        return Err(Error::input(
                            at(),
                            format!(
                                "[[option]] {}: {} base year {b} is not a year the base compiles ({}); give base_year = one of them (a what-if)",
                                o.name,
                                r.protocol.name(),
                                base.totals
                                    .keys()
                                    .map(|y| y.to_string())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ));
                    }
                    TargetKind::Reduction {
                        pct,
                        base_year: b,
                        base_emission: None,
                    }
                }
            };
            out.push(Target {
                line: o.line as usize,
                pollutant: r.pollutant,
                year,
                kind,
                source: r.source.clone(),
            });
        }
    }
    Ok(out)
}

/// One option: its scenario projected with its requirements as targets,
/// once with the decided measures and once at least cost.
fn option(path: &Path, o: &RatificationOption, s: &Scenario, base: &Base) -> Result<OptionResult> {
    let mut scenario = s.clone();
    scenario.targets = targets(path, o, s, base)?;
    let mut limits = o.limits.as_ref().map(|l| limit_values(l, base));
    if let (Some(l), Some(v)) = (&o.limits, &mut limits)
        && v.assessed
    {
        scenario.measures.push(limits_measure(l));
        scenario = crate::scenario::limits::resolve(&scenario, base)?;
        uncosted_gaps(v, &scenario);
    }
    scenario
        .years
        .retain(|y| *y <= *o.years.last().expect("years"));
    let place = |e: String| crate::config::problem_at(&s.path, e);
    let existing = scenario::run(&scenario, base, false).map_err(place)?;
    let least = scenario::run(&scenario, base, true).map_err(place)?;
    let years = least
        .years
        .iter()
        .zip(&existing.years)
        .filter(|(y, _)| o.years.contains(&y.result.year))
        .map(|(y, e)| option_year(o, &least, y, e))
        .collect();
    Ok(OptionResult {
        name: o.name.clone(),
        protocols: o.protocols.clone(),
        scenario: s.path.display().to_string(),
        currency: s.currency.clone(),
        price_year: s.price_year,
        limits,
        years,
    })
}

/// An option's year from the two runs.
fn option_year(
    o: &RatificationOption,
    least: &Outcome,
    y: &scenario::YearOutcome,
    existing: &scenario::YearOutcome,
) -> OptionYear {
    let requirements = y
        .targets
        .iter()
        .zip(&existing.targets)
        .zip(&o.requirements)
        .map(|((t, e), r)| {
            let base_year = match t.target.kind {
                TargetKind::Reduction { base_year, .. } => Some(base_year),
                TargetKind::Ceiling(_) => None,
            };
            let p = t.target.pollutant;
            let reduced_t = (e.emission - t.emission) * p.tonnes_per_unit();
            RequirementResult {
                protocol: r.protocol,
                pollutant: p,
                unit: p.unit(),
                requirement: match (&r.need, base_year) {
                    (Need::Reduction(pct), Some(b)) if pct.is_zero() => format!("below {b} level"),
                    (Need::Reduction(pct), Some(b)) => {
                        format!("{} % below {b}", crate::number::format_decimal(*pct))
                    }
                    (Need::Ceiling(c), _) | (Need::Reduction(c), None) => {
                        format!("ceiling {} {}", crate::number::format_decimal(*c), p.unit())
                    }
                },
                base_year,
                what_if: base_year.and_then(|b| crate::commitment::what_if_label(r.protocol, b)),
                base_emission: t.base_emission,
                ceiling: t.ceiling,
                existing: e.emission,
                existing_met: e.met,
                emission: t.emission,
                met: t.met,
                shortfall: t.shortfall,
                best_reachable: t.best_reachable,
                annual_cost: t.annual_cost.round_dp(2),
                cost_per_t: (reduced_t > Decimal::ZERO && t.annual_cost > Decimal::ZERO)
                    .then(|| (t.annual_cost / reduced_t).round_dp(2)),
                marginal_cost_per_t: t.marginal_cost.map(|m| m.round_dp(2)),
                drives_cost: t.drives_cost(),
                unpriced_measures: t.unpriced.clone(),
                source: r.source.clone(),
            }
        })
        .collect();
    let measures = least
        .scenario
        .measures
        .iter()
        .zip(&y.result.measures)
        .zip(&y.attribution)
        .filter(|((_, r), _)| !r.share.is_zero())
        .map(|((m, r), a)| MeasureUse {
            id: m.id.clone(),
            name: m.name.clone(),
            code: m.nfr.to_string(),
            share: r.share,
            annual_cost: r.cost.round_dp(2),
            for_pollutants: a.to.keys().copied().collect(),
        })
        .collect();
    OptionYear {
        year: y.result.year,
        feasible: y.all_met(),
        annual_cost: y.result.cost.round_dp(2),
        requirements,
        measures,
    }
}
