//! Plants and limit values in the economic assessment: the measure library
//! and the scenario's cost code cost the measures of a plant gap
//! assessment ([`LibraryCosting`], the [`crate::compliance::Costing`] of
//! `airinv plants` and of scenarios), and a `[[measure]] limits = "SET"`
//! becomes, on the compiled base, one measure per row and fuel of the
//! plants it brings to the limits ([`resolve`]).
//!
//! ```text
//! [[measure]] limits = "protocols-1999", ratification_year = 2026, share = { 2030 = 1 }
//!   base: plants and their parts (Tier 3) ─► compliance::assess (the base year)
//!   per row and fuel of the plants: removal(p) = Σ reduction(p) ÷ the key's emission(p),
//!   annual cost = Σ the cheapest measures' costs ÷ the key's TJ (per TJ: grows with the activity)
//!   ─► plain measures "ID 1A1a Hard Coal", with the limits measure's shares
//! ```

use super::cost::unit_cost;
use super::file::{CodePattern, CostBasis, CostSpec, Measure, Scenario};
use super::library::{self, LibraryMeasure};
use super::projection::Base;
use crate::compliance::{Costing, MeasureOption, Size};
use crate::fuel::{Fuels, fuel_key};
use crate::number::format_decimal;
use crate::plant::Plant;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// How a plant-limit measure's cost note says that some of its gaps have no
/// costed measure (so that its cost is a lower bound), for whoever reports it.
pub const UNCOSTED: &str = "gap(s) without a costed measure are not in the cost";

/// The library's measures costed with a scenario's discount rate,
/// currency, price year, exchange rates and price index.
pub struct LibraryCosting {
    prices: Scenario,
}

impl LibraryCosting {
    /// Costs as a scenario file states them (its prices only are used).
    pub fn of(scenario: &Scenario) -> LibraryCosting {
        LibraryCosting {
            prices: scenario.clone(),
        }
    }

    /// Costs in the library's currency (USD), each in its own price year,
    /// annualised at a discount rate.
    pub fn source_currency(discount_rate: Decimal) -> LibraryCosting {
        LibraryCosting {
            prices: Scenario {
                path: PathBuf::new(),
                name: String::new(),
                base: PathBuf::new(),
                country: None,
                base_year: 0,
                years: Vec::new(),
                discount_rate,
                currency: "USD".into(),
                price_year: None,
                exchange_rates: BTreeMap::new(),
                price_index: BTreeMap::new(),
                growth: Vec::new(),
                measures: Vec::new(),
                targets: Vec::new(),
            },
        }
    }
}

/// The code pattern of a library measure (`1A1a`, `1A2*`) fits a row.
fn nfr_fits(pattern: &str, code: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => code.starts_with(prefix),
        None => pattern == code,
    }
}

/// The share of a pollutant a library measure removes; for dust (TSP) its
/// PM10 removal when it gives none for TSP.
fn removal_of(l: &LibraryMeasure, p: Pollutant) -> Option<Decimal> {
    let of = |q: Pollutant| l.removal.iter().find(|(x, _)| *x == q).map(|(_, v)| *v);
    of(p).or_else(|| {
        if p == Pollutant::TSP {
            of(Pollutant::PM10)
        } else {
            None
        }
    })
}

impl LibraryCosting {
    /// A library measure as a scenario measure on the plant, for the cost code.
    fn measure(&self, l: &LibraryMeasure, plant: &Plant, size: &Size) -> Result<Measure, String> {
        let basis = match l.per.as_deref() {
            Some("kW") => {
                let hours = size
                    .hours
                    .ok_or("costs per kW need the plant's operating hours (or its fuel)")?;
                let efficiency = match (plant.efficiency, plant.electric_mw) {
                    (Some(e), _) => e,
                    (None, Some(e)) if !size.thermal_input_mw.is_zero() => {
                        e / size.thermal_input_mw
                    }
                    _ => return Err(
                        "costs per kW electric need the plant's electric capacity or efficiency"
                            .into(),
                    ),
                };
                if hours.is_zero() {
                    return Err("the plant runs 0 hours".into());
                }
                CostBasis::Kw {
                    full_load_hours: hours,
                    efficiency,
                }
            }
            _ => CostBasis::Activity,
        };
        if l.investment.is_some() && l.lifetime.is_none() {
            return Err("the library gives no lifetime to annualise the investment".into());
        }
        if l.investment.is_none()
            && l.fixed_om.is_none()
            && l.variable_cost.is_none()
            && l.cost_per_tonne.is_none()
        {
            return Err("the library gives no cost".into());
        }
        Ok(Measure {
            line: 0,
            id: l.id.clone(),
            name: l.name.clone(),
            nfr: CodePattern::Exact(plant.row.code.clone()),
            fuel: Vec::new(),
            removal: l.removal.iter().copied().collect(),
            primary: l.primary,
            group: l.id.clone(),
            cost: CostSpec {
                annual_cost: None,
                investment: l.investment,
                lifetime: l.lifetime,
                fixed_om_pct: None,
                fixed_om: l.fixed_om,
                variable_cost: l.variable_cost,
                cost_per_tonne: l.cost_per_tonne,
                note: l.cost_note.clone(),
                basis,
                currency: l.currency.clone().unwrap_or_else(|| "USD".into()),
                price_year: l.price_year,
                priced: l.cost_given,
            },
            unit: "TJ".into(),
            max_share: Decimal::ONE,
            share: BTreeMap::new(),
            start_year: None,
            source: l.source.clone(),
            limits: None,
        })
    }

    fn money(&self, m: &Measure) -> String {
        match self.prices.price_year {
            Some(y) => format!("{} of {y}", self.prices.currency),
            None if m.cost.currency == self.prices.currency => format!(
                "{} of {}",
                m.cost.currency,
                m.cost.price_year.map(|y| y.to_string()).unwrap_or_default()
            ),
            None => self.prices.currency.clone(),
        }
    }
}

impl Costing for LibraryCosting {
    fn currency(&self) -> String {
        match self.prices.price_year {
            Some(y) => format!("{} of {y}", self.prices.currency),
            None => format!("{} (each measure's price year)", self.prices.currency),
        }
    }

    fn options(
        &self,
        plant: &Plant,
        size: &Size,
        pollutant: Pollutant,
        needed: Decimal,
        emission_t: Decimal,
    ) -> Vec<MeasureOption> {
        let fuels = Fuels::built_in();
        let fuel = plant.fuel.id.map(|id| fuel_key(&fuels.fuel(id).name));
        let mut out = Vec::new();
        for l in library::measures() {
            if !nfr_fits(&l.nfr, &plant.row.code) {
                continue;
            }
            if !l.fuel.is_empty() && !l.fuel.iter().any(|f| Some(fuel_key(f)) == fuel) {
                continue;
            }
            let Some(removal) = removal_of(l, pollutant).filter(|r| *r >= needed) else {
                continue;
            };
            let costed = self.measure(l, plant, size).and_then(|m| {
                let uc = unit_cost(&m, &self.prices)?;
                let tj = match &m.cost.basis {
                    CostBasis::Kw {
                        full_load_hours, ..
                    } => size.thermal_input_mw * *full_load_hours * Decimal::new(36, 4),
                    CostBasis::Activity => size.fuel_tj.unwrap_or_default(),
                };
                // Per-tonne costs are of the primary pollutant the measure removes.
                let removed_t = if m.primary == pollutant {
                    emission_t * removal
                } else {
                    Decimal::ZERO
                };
                let cost = uc.per_activity * tj + uc.per_tonne_removed * removed_t;
                let formula = format!(
                    "{}{}",
                    uc.formula,
                    match &m.cost.basis {
                        CostBasis::Kw { .. } => format!(
                            "; × {} TJ/yr ({} MWth × {} h × 0.0036; {})",
                            show(tj),
                            show(size.thermal_input_mw),
                            show(size.hours.unwrap_or_default()),
                            size.hours_basis
                        ),
                        CostBasis::Activity if !uc.per_tonne_removed.is_zero() =>
                            format!("; × {} t removed", show(removed_t)),
                        CostBasis::Activity => format!("; × {} TJ", show(tj)),
                    }
                );
                Ok((cost, formula, self.money(&m)))
            });
            out.push(match costed {
                Ok((cost, formula, currency)) => MeasureOption {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    removal,
                    annual_cost: Some(cost),
                    currency,
                    formula,
                },
                Err(why) => MeasureOption {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    removal,
                    annual_cost: None,
                    currency: String::new(),
                    formula: why,
                },
            });
        }
        out
    }
}

fn show(v: Decimal) -> String {
    format_decimal(v.round_dp(4).normalize())
}

/// The scenario with each `limits` measure turned into plain measures on
/// the base: one per row and fuel of the plants it brings to the limits.
pub fn resolve(s: &Scenario, base: &Base) -> crate::error::Result<Scenario> {
    if s.measures.iter().all(|m| m.limits.is_none()) {
        return Ok(s.clone());
    }
    let at = |line: usize, e: String| {
        crate::error::Error::input(
            crate::error::Location::file(&s.path).with_line(line as u64),
            e,
        )
    };
    let mut out = s.clone();
    out.measures.clear();
    for m in &s.measures {
        let Some(spec) = &m.limits else {
            out.measures.push(m.clone());
            continue;
        };
        let set = crate::limits::LimitSet::load(&spec.set)?;
        let plants: Vec<Plant> = base
            .plants
            .iter()
            .filter(|p| p.year == base.year && m.nfr.matches(&p.row.code))
            .filter(|p| spec.plants.is_empty() || spec.plants.contains(&p.id))
            .filter(|p| {
                m.fuel.is_empty() || m.fuel.iter().any(|f| fuel_key(f) == fuel_key(&p.fuel.name))
            })
            .cloned()
            .collect();
        if plants.is_empty() {
            return Err(at(
                m.line,
                format!(
                    "[[measure]] {}: no plant of the base's register in {} fits it (nfr {}, fuel {}, plants {})",
                    m.id,
                    base.year,
                    m.nfr,
                    m.fuel.join(", "),
                    spec.plants.join(", ")
                ),
            ));
        }
        let costing = LibraryCosting::of(s);
        let opts = crate::compliance::Options {
            year: Some(base.year),
            ratification_year: spec.ratification_year,
        };
        let a = crate::compliance::assess(
            &set,
            &plants,
            &base.plant_parts,
            Fuels::built_in(),
            &opts,
            &costing,
        )
        .map_err(|e| at(m.line, format!("[[measure]] {}: {e}", m.id)))?;
        // Per row and fuel of the plants: the reductions, the costs, the
        // gaps, the gaps without a cost and why (for the first of them, each
        // measure that would close it, as the cost code refused it).
        type Group = (BTreeMap<Pollutant, Decimal>, Decimal, usize, usize, String);
        let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
        for g in a.gaps.iter().filter(|g| g.exceeds()) {
            let e = groups.entry((g.nfr.clone(), g.fuel.clone())).or_default();
            *e.0.entry(g.pollutant).or_default() += g.reduction_t.unwrap_or_default();
            e.1 += g.annual_cost.unwrap_or_default();
            e.2 += 1;
            e.3 += usize::from(g.annual_cost.is_none());
            if g.annual_cost.is_none() && e.4.is_empty() {
                let refused: Vec<String> = g
                    .options
                    .iter()
                    .filter(|o| o.annual_cost.is_none())
                    .map(|o| format!("{}: {}", o.id, o.formula))
                    .collect();
                if !refused.is_empty() {
                    e.4 = format!("plant {}: {}", g.plant, refused.join(" | "));
                }
            }
        }
        for ((code, fuel), (reductions, cost, n, uncosted, why)) in groups {
            let keys: Vec<&super::projection::BaseKey> = base
                .keys
                .iter()
                .filter(|k| {
                    k.code == code && fuel_key(k.fuel_text()) == fuel_key(&fuel) && k.unit == "TJ"
                })
                .collect();
            let tj: Decimal = keys.iter().map(|k| k.activity).sum();
            let mut removal = BTreeMap::new();
            for (p, t) in reductions {
                let emission: Decimal = keys.iter().filter_map(|k| k.emissions.get(&p)).sum();
                if emission.is_zero() || t.is_zero() {
                    continue;
                }
                removal.insert(p, (t / p.tonnes_per_unit() / emission).min(Decimal::ONE));
            }
            let Some(primary) = removal.keys().next().copied() else {
                continue;
            };
            if tj.is_zero() {
                continue;
            }
            out.measures.push(Measure {
                id: format!("{} {code} {fuel}", m.id),
                name: format!("{}: {n} plant-pollutant gap(s) of {code} {fuel} closed", m.name),
                nfr: CodePattern::Exact(code.clone()),
                fuel: vec![fuel.clone()],
                removal,
                primary,
                group: format!("{} {code} {fuel}", m.id),
                cost: CostSpec::annual(
                    cost / tj,
                    &s.currency,
                    s.price_year,
                    format!(
                        "limit values {}: the cheapest library measure of each plant that exceeds, {} {} a year over {} TJ of {} {} in {}{}",
                        set.name,
                        show(cost),
                        costing.currency(),
                        show(tj),
                        code,
                        fuel,
                        base.year,
                        if uncosted > 0 { format!("; {uncosted} {UNCOSTED}{}", if why.is_empty() { String::new() } else { format!(" (e.g. {why})") }) } else { String::new() }
                    ),
                ),
                unit: "TJ".into(),
                limits: None,
                source: format!("airinv plants against {} (ratification year {})", set.name, spec.ratification_year.map(|y| y.to_string()).unwrap_or_else(|| "not given".into())),
                ..m.clone()
            });
        }
    }
    Ok(out)
}
