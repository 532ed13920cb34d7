//! The files of a scenario run: `projection.csv`, `measures.csv`,
//! `summary.json`, `cost_curves.csv` (and the curves as pictures through
//! `chart::cost_curves::svg`). Numbers are exact decimals as text.

use super::Outcome;
use crate::annex1::Annex1Year;
use crate::error::Result;
use crate::nfr::RowKind;
use crate::notation_key::Cell;
use crate::number::{exact, exact_opt, format_decimal};
use crate::output::{csv_safe, write_atomically};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn csv_line(w: &mut dyn std::io::Write, fields: &[String]) -> std::io::Result<()> {
    let mut first = true;
    for f in fields {
        if !first {
            w.write_all(b",")?;
        }
        first = false;
        let f = csv_safe(f);
        if f.contains([',', '"', '\n', '\r']) {
            write!(w, "\"{}\"", f.replace('"', "\"\""))?;
        } else {
            w.write_all(f.as_bytes())?;
        }
    }
    w.write_all(b"\n")
}

fn d(v: Decimal) -> String {
    format_decimal(v.normalize())
}

/// The (code, pollutant, emission) numbers of a table: sector rows with a
/// number and NATIONAL TOTAL.
fn table_lines(t: &Annex1Year) -> Vec<(String, Pollutant, Decimal)> {
    let mut out = Vec::new();
    for row in crate::nfr::rows()
        .iter()
        .filter(|r| matches!(r.kind, RowKind::Sector | RowKind::NationalTotal))
    {
        let cells = &t.rows[&row.number];
        for p in Pollutant::ALL {
            if let Cell::Number(v) = cells.get(p) {
                out.push((row.code.clone(), p, v));
            }
        }
    }
    out
}

/// `projection.csv`: scenario, year, code, pollutant, emission, unit; the
/// base year (as compiled) and every projection year.
pub fn write_projection(path: &Path, outcomes: &[Outcome]) -> Result<()> {
    write_atomically(path, |w| {
        csv_line(
            w,
            &["scenario", "year", "code", "pollutant", "emission", "unit"].map(String::from),
        )?;
        for o in outcomes {
            let tables = std::iter::once((o.base_year, &o.base_table))
                .chain(o.years.iter().map(|y| (y.result.year, &y.table)));
            for (year, t) in tables {
                for (code, p, v) in table_lines(t) {
                    csv_line(
                        w,
                        &[
                            o.scenario.name.clone(),
                            year.to_string(),
                            code,
                            p.id().to_string(),
                            d(v),
                            p.unit().to_string(),
                        ],
                    )?;
                }
            }
        }
        Ok(())
    })
}

/// The pollutants any measure removes, in template order.
fn removed_pollutants(outcomes: &[Outcome]) -> Vec<Pollutant> {
    let set: BTreeSet<Pollutant> = outcomes
        .iter()
        .flat_map(|o| o.scenario.measures.iter())
        .flat_map(|m| m.removal.keys().copied())
        .collect();
    set.into_iter().collect()
}

/// `measures.csv`: one line per scenario, year and measure.
pub fn write_measures(path: &Path, outcomes: &[Outcome]) -> Result<()> {
    let pollutants = removed_pollutants(outcomes);
    write_atomically(path, |w| {
        let mut header: Vec<String> = [
            "scenario",
            "year",
            "measure",
            "name",
            "code",
            "fuel",
            "share",
            "activity_treated",
            "activity_unit",
        ]
        .map(String::from)
        .to_vec();
        for p in &pollutants {
            header.push(format!("removed_{}_{}", p.id(), p.unit().replace(' ', "_")));
        }
        header.extend(
            [
                "annual_cost",
                "currency",
                "price_year",
                "cost_per_tonne_removed",
                "per_tonne_of",
                "unit_cost",
                "unit_cost_per",
                "how_costed",
                "source",
                "cost_for_targets",
                "cost_split",
            ]
            .map(String::from),
        );
        csv_line(w, &header)?;
        for o in outcomes {
            let s = &o.scenario;
            for y in &o.years {
                for (i, m) in s.measures.iter().enumerate() {
                    let r = &y.result.measures[i];
                    let uc = &o.unit_costs[i];
                    let mut line = vec![
                        s.name.clone(),
                        y.result.year.to_string(),
                        m.id.clone(),
                        m.name.clone(),
                        m.nfr.to_string(),
                        m.fuel.join("; "),
                        d(r.share),
                        d(r.activity),
                        m.unit.clone(),
                    ];
                    for p in &pollutants {
                        line.push(r.removed.get(p).map(|v| d(*v)).unwrap_or_default());
                    }
                    line.extend([
                        d(r.cost.round_dp(2)),
                        s.currency.clone(),
                        s.price_year.map(|y| y.to_string()).unwrap_or_default(),
                        r.cost_per_tonne
                            .map(|c| d(c.round_dp(2)))
                            .unwrap_or_default(),
                        m.primary.id().to_string(),
                        d(uc.per_activity.round_dp(6)),
                        m.unit.clone(),
                        uc.formula.clone(),
                        m.source.clone(),
                        cost_for_targets(&y.attribution[i]),
                        serde_plain(y.attribution[i].how),
                    ]);
                    csv_line(w, &line)?;
                }
            }
        }
        Ok(())
    })
}

/// A measure's cost by target pollutant, `SOx=1200.5; NOx=300` (to 0.01).
fn cost_for_targets(a: &super::attribution::Attribution) -> String {
    a.to.iter()
        .map(|(p, c)| format!("{}={}", p.id(), d(c.round_dp(2))))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A unit enum's serde name (`marginal_cost`).
fn serde_plain(how: super::attribution::How) -> String {
    serde_json::to_value(how)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// `cost_curves.csv`: the steps of every curve.
pub fn write_curves(path: &Path, outcomes: &[Outcome]) -> Result<()> {
    write_atomically(path, |w| {
        csv_line(
            w,
            &[
                "scenario",
                "year",
                "pollutant",
                "step",
                "measure",
                "replaces",
                "removed_t",
                "cumulative_removed_t",
                "cost_per_t",
                "step_cost",
                "cumulative_cost",
                "currency",
            ]
            .map(String::from),
        )?;
        for o in outcomes {
            for y in &o.years {
                for c in &y.curves {
                    let (mut t, mut cost) = (Decimal::ZERO, Decimal::ZERO);
                    for (i, st) in c.steps.iter().enumerate() {
                        t += st.tonnes;
                        cost += st.cost;
                        csv_line(
                            w,
                            &[
                                o.scenario.name.clone(),
                                c.year.to_string(),
                                c.pollutant.id().to_string(),
                                (i + 1).to_string(),
                                st.measure.clone(),
                                st.replaces.clone().unwrap_or_default(),
                                d(st.tonnes.round_dp(6)),
                                d(t.round_dp(6)),
                                d(st.marginal.round_dp(2)),
                                d(st.cost.round_dp(2)),
                                d(cost.round_dp(2)),
                                o.scenario.currency.clone(),
                            ],
                        )?;
                    }
                }
            }
        }
        Ok(())
    })
}

/// `summary.json`: every scenario and year, exact decimals as text.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub scenarios: Vec<ScenarioSummary>,
}

/// A scenario in the summary.
#[derive(Debug, Serialize)]
pub struct ScenarioSummary {
    pub scenario: String,
    pub file: String,
    pub base: String,
    pub base_year: i32,
    pub currency: String,
    pub price_year: Option<i32>,
    #[serde(serialize_with = "exact")]
    pub discount_rate: Decimal,
    pub all_targets_met: bool,
    pub years: Vec<YearSummary>,
    pub warnings: Vec<String>,
}

/// A target year of a scenario in the summary.
#[derive(Debug, Serialize)]
pub struct YearSummary {
    pub year: i32,
    pub optimized: bool,
    /// Every target of the year met (where not, each target says its
    /// `best_reachable`).
    pub feasible: bool,
    /// National totals per pollutant id.
    pub emissions: BTreeMap<Pollutant, Exact>,
    pub targets: Vec<TargetSummary>,
    /// Rounded to 0.01.
    #[serde(serialize_with = "exact")]
    pub total_annual_cost: Decimal,
    /// The cost of measures that remove no pollutant with a target in the
    /// year (decided ones, or bought for their co-benefits), to 0.01.
    #[serde(serialize_with = "exact")]
    pub not_attributed_cost: Decimal,
    pub measures: Vec<MeasureSummary>,
}

/// A target in its year.
#[derive(Debug, Serialize)]
pub struct TargetSummary {
    pub pollutant: Pollutant,
    pub unit: &'static str,
    #[serde(serialize_with = "exact")]
    pub emission: Decimal,
    /// The ceiling.
    #[serde(serialize_with = "exact")]
    pub target: Decimal,
    pub met: bool,
    #[serde(serialize_with = "exact")]
    pub shortfall: Decimal,
    /// The annual cost of the measures bought for it, to 0.01.
    #[serde(serialize_with = "exact")]
    pub annual_cost: Decimal,
    /// Its marginal cost per tonne at the least-cost shares, to 0.01
    /// (with --optimize; absent at its best reachable level).
    #[serde(serialize_with = "exact_opt", skip_serializing_if = "Option::is_none")]
    pub marginal_cost_per_t: Option<Decimal>,
    /// Measures are bought for it and its next tonne costs more.
    pub drives_cost: bool,
    /// Measures whose cost is not given that could remove more of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unpriced_measures: Vec<String>,
    pub source: String,
    /// A reduction target: from what.
    #[serde(flatten)]
    pub reduction: Option<ReductionSummary>,
    /// When no shares meet every target: the best reachable.
    #[serde(flatten)]
    pub best: Option<BestSummary>,
}

/// A reduction target's base.
#[derive(Debug, Serialize)]
pub struct ReductionSummary {
    #[serde(serialize_with = "exact")]
    pub reduction_pct: Decimal,
    pub base_year: i32,
    #[serde(serialize_with = "exact_opt")]
    pub base_emission: Option<Decimal>,
    pub base_from: String,
    /// The change from the base emission, %, to 4 decimals (a base above zero).
    #[serde(serialize_with = "exact_opt", skip_serializing_if = "Option::is_none")]
    pub change_pct: Option<Decimal>,
}

/// The lowest emission the measures can reach for a target's pollutant.
#[derive(Debug, Serialize)]
pub struct BestSummary {
    #[serde(serialize_with = "exact")]
    pub best_reachable: Decimal,
    #[serde(serialize_with = "exact")]
    pub best_shortfall: Decimal,
    #[serde(serialize_with = "exact_opt", skip_serializing_if = "Option::is_none")]
    pub best_reachable_change_pct: Option<Decimal>,
}

/// A measure's share and annual cost (rounded to 0.01) in a year, and
/// that cost by target pollutant.
#[derive(Debug, Serialize)]
pub struct MeasureSummary {
    pub id: String,
    #[serde(serialize_with = "exact")]
    pub share: Decimal,
    #[serde(serialize_with = "exact")]
    pub annual_cost: Decimal,
    pub cost_for_targets: BTreeMap<Pollutant, Exact>,
    pub cost_split: super::attribution::How,
}

/// A decimal written as [`exact`] text (a map's value).
#[derive(Debug, Clone, Copy)]
pub struct Exact(pub Decimal);

impl Serialize for Exact {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        exact(&self.0, s)
    }
}

/// The change from `base` to `value`, %, to 4 decimals; none from zero.
fn change_pct(value: Decimal, base: Option<Decimal>) -> Option<Decimal> {
    base.filter(|b| !b.is_zero())
        .map(|b| ((value - b) / b * Decimal::ONE_HUNDRED).round_dp(4))
}

/// The summary of every scenario and year.
pub fn summary(outcomes: &[Outcome]) -> Summary {
    let scenarios = outcomes
        .iter()
        .map(|o| {
            let s = &o.scenario;
            let years = o
                .years
                .iter()
                .map(|y| YearSummary {
                    year: y.result.year,
                    optimized: y.optimized,
                    feasible: y.all_met(),
                    emissions: y
                        .result
                        .totals
                        .iter()
                        .map(|(p, v)| (*p, Exact(*v)))
                        .collect(),
                    targets: y
                        .targets
                        .iter()
                        .map(|t| TargetSummary {
                            pollutant: t.target.pollutant,
                            unit: t.target.pollutant.unit(),
                            emission: t.emission,
                            target: t.ceiling,
                            met: t.met,
                            shortfall: t.shortfall,
                            annual_cost: t.annual_cost.round_dp(2),
                            marginal_cost_per_t: t.marginal_cost.map(|m| m.round_dp(2)),
                            drives_cost: t.drives_cost(),
                            unpriced_measures: t.unpriced.clone(),
                            source: t.target.source.clone(),
                            reduction: match &t.target.kind {
                                super::file::TargetKind::Reduction { pct, base_year, .. } => {
                                    Some(ReductionSummary {
                                        reduction_pct: *pct,
                                        base_year: *base_year,
                                        base_emission: t.base_emission,
                                        base_from: t.base_from.clone(),
                                        change_pct: change_pct(t.emission, t.base_emission),
                                    })
                                }
                                _ => None,
                            },
                            best: t.best_reachable.map(|best| BestSummary {
                                best_reachable: best,
                                best_shortfall: (best - t.ceiling).max(Decimal::ZERO),
                                best_reachable_change_pct: change_pct(best, t.base_emission),
                            }),
                        })
                        .collect(),
                    total_annual_cost: y.result.cost.round_dp(2),
                    not_attributed_cost: y
                        .result
                        .measures
                        .iter()
                        .zip(&y.attribution)
                        .filter(|(_, a)| a.to.is_empty())
                        .map(|(r, _)| r.cost)
                        .sum::<Decimal>()
                        .round_dp(2),
                    measures: s
                        .measures
                        .iter()
                        .zip(&y.result.measures)
                        .zip(&y.attribution)
                        .map(|((m, r), a)| MeasureSummary {
                            id: m.id.clone(),
                            share: r.share,
                            annual_cost: r.cost.round_dp(2),
                            cost_for_targets: a
                                .to
                                .iter()
                                .map(|(p, c)| (*p, Exact(c.round_dp(2))))
                                .collect(),
                            cost_split: a.how,
                        })
                        .collect(),
                })
                .collect();
            ScenarioSummary {
                scenario: s.name.clone(),
                file: s.path.display().to_string(),
                base: s.base.display().to_string(),
                base_year: o.base_year,
                currency: s.currency.clone(),
                price_year: s.price_year,
                discount_rate: s.discount_rate,
                all_targets_met: o.all_met(),
                years,
                warnings: o.warnings.clone(),
            }
        })
        .collect();
    Summary { scenarios }
}

/// Writes `summary.json`.
pub fn write_summary(path: &Path, outcomes: &[Outcome]) -> Result<()> {
    crate::output::write_json(path, &summary(outcomes))
}
