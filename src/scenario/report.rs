//! The files of a scenario run: `projection.csv`, `measures.csv`,
//! `summary.json`, `cost_curves.csv` (and the curves as pictures through
//! `chart::cost_curves::svg`). Numbers are exact decimals as text.

use super::Outcome;
use crate::annex1::Annex1Year;
use crate::error::{Error, Result};
use crate::nfr::RowKind;
use crate::notation_key::Cell;
use crate::number::format_decimal;
use crate::output::{csv_safe, write_atomically};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::BTreeSet;
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
                    ]);
                    csv_line(w, &line)?;
                }
            }
        }
        Ok(())
    })
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

/// The summary of every scenario and year as JSON.
pub fn summary(outcomes: &[Outcome]) -> serde_json::Value {
    use serde_json::json;
    let scenarios: Vec<serde_json::Value> = outcomes
        .iter()
        .map(|o| {
            let s = &o.scenario;
            let years: Vec<serde_json::Value> = o
                .years
                .iter()
                .map(|y| {
                    let emissions: serde_json::Map<String, serde_json::Value> = y
                        .result
                        .totals
                        .iter()
                        .map(|(p, v)| (p.id().to_string(), json!(d(*v))))
                        .collect();
                    let targets: Vec<serde_json::Value> = y
                        .targets
                        .iter()
                        .map(|t| {
                            let mut v = json!({
                                "pollutant": t.target.pollutant.id(),
                                "unit": t.target.pollutant.unit(),
                                "emission": d(t.emission),
                                "target": d(t.ceiling),
                                "met": t.met,
                                "shortfall": d(t.shortfall),
                                "source": t.target.source,
                            });
                            if let super::file::TargetKind::Reduction { pct, base_year, .. } =
                                &t.target.kind
                            {
                                v["reduction_pct"] = json!(d(*pct));
                                v["base_year"] = json!(base_year);
                                v["base_emission"] = json!(t.base_emission.map(d));
                                v["base_from"] = json!(t.base_from);
                                if let Some(b) = t.base_emission
                                    && !b.is_zero()
                                {
                                    v["change_pct"] = json!(d(((t.emission - b) / b
                                        * Decimal::ONE_HUNDRED)
                                        .round_dp(4)));
                                }
                            }
                            if let Some(best) = t.best_reachable {
                                v["best_reachable"] = json!(d(best));
                                v["best_shortfall"] =
                                    json!(d((best - t.ceiling).max(Decimal::ZERO)));
                                if let Some(b) = t.base_emission
                                    && !b.is_zero()
                                {
                                    v["best_reachable_change_pct"] = json!(d(((best - b) / b
                                        * Decimal::ONE_HUNDRED)
                                        .round_dp(4)));
                                }
                            }
                            v
                        })
                        .collect();
                    let measures: Vec<serde_json::Value> = s
                        .measures
                        .iter()
                        .zip(&y.result.measures)
                        .map(|(m, r)| {
                            json!({
                                "id": m.id,
                                "share": d(r.share),
                                "annual_cost": d(r.cost.round_dp(2)),
                            })
                        })
                        .collect();
                    json!({
                        "year": y.result.year,
                        "optimized": y.optimized,
                        "feasible": y.feasible,
                        "emissions": emissions,
                        "targets": targets,
                        "total_annual_cost": d(y.result.cost.round_dp(2)),
                        "measures": measures,
                    })
                })
                .collect();
            json!({
                "scenario": s.name,
                "file": s.path.display().to_string(),
                "base": s.base.display().to_string(),
                "base_year": o.base_year,
                "currency": s.currency,
                "price_year": s.price_year,
                "discount_rate": d(s.discount_rate),
                "all_targets_met": o.all_met(),
                "years": years,
                "warnings": o.warnings,
            })
        })
        .collect();
    json!({ "scenarios": scenarios })
}

/// Writes `summary.json`.
pub fn write_summary(path: &Path, outcomes: &[Outcome]) -> Result<()> {
    let text = serde_json::to_string_pretty(&summary(outcomes))
        .map_err(|e| Error::file(path, e.to_string()))?;
    write_atomically(path, |w| {
        w.write_all(text.as_bytes())?;
        w.write_all(b"\n")
    })
}
