//! The plants against a set of emission limit values: the gap between what
//! the plants emit and what the limits (a protocol's, the EU's, a national
//! or BAT-associated set) would allow, by plant, pollutant and year; what
//! compliance would remove, the measures that achieve it and their cost.
//!
//! ```text
//! plant register + the compile's plant parts (tier3) ─┐
//! limits::LimitSet ─► status (new/existing), the applicable limit and
//!                     desulphurisation rate (by size band, fuel, type, hours)
//!     concentration: measured (to the limit's O2), or implied from the
//!     plant's emission per GJ ÷ the fuel's flue-gas volume at that O2
//!     excess = C / L − 1; needed removal = min(1 − L / C, the rate's)
//!     reduction = emission × needed removal
//!     Costing (a trait: the scenario module's measure library and cost
//!     code implement it) ─► measures removing at least that, each costed
//!     for the plant; the cheapest
//!  ──► Gap per plant, pollutant and year; Summary (national)
//! ```
//!
//! The assessment keeps exact decimals (quotients rounded at 28 digits);
//! [`write`] writes `plant-gaps.csv`, `plant-gaps.xlsx` and `summary.json`.

pub mod write;

use crate::calculate::KeyResult;
use crate::fuel::Fuels;
use crate::limits::flue_gas;
use crate::limits::{Kind, LimitSet, PlantFacts, Status};
use crate::number::format_decimal;
use crate::plant::Plant;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// A plant's size and running, for costing a measure on it.
#[derive(Debug, Clone, Serialize)]
pub struct Size {
    pub thermal_input_mw: Decimal,
    /// Operating hours: the register's, else fuel ÷ thermal input.
    pub hours: Option<Decimal>,
    /// Where the hours come from.
    pub hours_basis: String,
    /// The plant's fuel in the year, TJ.
    pub fuel_tj: Option<Decimal>,
}

/// A measure that removes enough, with its annual cost at the plant.
#[derive(Debug, Clone, Serialize)]
pub struct MeasureOption {
    pub id: String,
    pub name: String,
    /// Fraction of the pollutant it removes.
    pub removal: Decimal,
    /// Annual cost at the plant; `None` when it cannot be costed (the
    /// reason in `formula`).
    pub annual_cost: Option<Decimal>,
    pub currency: String,
    /// How the cost was computed.
    pub formula: String,
}

/// What costs the measures: the measures of a library that fit a plant
/// and remove at least a share of a pollutant, each costed for it.
pub trait Costing {
    /// The currency (and price year) costs are in, for outputs.
    fn currency(&self) -> String;
    /// The measures removing at least `needed` of the pollutant at the
    /// plant, with their annual costs (`emission_t`: the plant's emission
    /// of the pollutant, tonnes, for costs per tonne removed).
    fn options(
        &self,
        plant: &Plant,
        size: &Size,
        pollutant: Pollutant,
        needed: Decimal,
        emission_t: Decimal,
    ) -> Vec<MeasureOption>;
}

/// One plant, pollutant and year against the set.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    pub plant: String,
    pub name: String,
    pub year: i32,
    pub nfr: String,
    pub fuel: String,
    pub pollutant: Pollutant,
    pub thermal_input_mw: Decimal,
    pub status: Option<Status>,
    pub status_why: String,
    pub limit_mg_nm3: Option<Decimal>,
    pub reference_o2_pct: Option<Decimal>,
    /// Why the limit applies (the set's reference, band, interpolation).
    pub limit_why: String,
    /// The minimum desulphurisation rate that meets the requirement instead, %.
    pub min_desulphurisation_pct: Option<Decimal>,
    /// At the limit's O2.
    pub concentration_mg_nm3: Option<Decimal>,
    /// `measured` or `implied` and how.
    pub concentration_basis: String,
    /// (C / L − 1) × 100: above 0 the plant exceeds the limit.
    pub excess_pct: Option<Decimal>,
    /// The plant's emission of the year, tonnes.
    pub emission_t: Option<Decimal>,
    /// Share of the emission to remove to comply (0: complies).
    pub needed_removal: Option<Decimal>,
    /// Which requirement the needed removal meets: `limit` or `desulphurisation`.
    pub met_by: Option<Kind>,
    pub reduction_t: Option<Decimal>,
    /// The cheapest measure that removes enough.
    pub measure: Option<String>,
    pub annual_cost: Option<Decimal>,
    pub currency: String,
    /// Every measure that removes enough, costed.
    pub options: Vec<MeasureOption>,
    pub note: String,
}

impl Gap {
    /// The plant exceeds the requirement.
    pub fn exceeds(&self) -> bool {
        self.needed_removal.is_some_and(|n| n > Decimal::ZERO)
    }
}

/// Per pollutant, over the plants.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PollutantSummary {
    pub plants_assessed: usize,
    pub plants_exceeding: usize,
    pub capacity_exceeding_mwth: Decimal,
    pub emission_t: Decimal,
    pub reduction_t: Decimal,
    pub annual_cost: Decimal,
    /// Plants that exceed with no costed measure (their cost is not in `annual_cost`).
    pub plants_without_costed_measure: usize,
}

/// The national summary.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub limit_set: String,
    pub year: i32,
    pub ratification_year: Option<i32>,
    pub plants: usize,
    pub plants_exceeding: usize,
    pub capacity_mwth: Decimal,
    pub capacity_exceeding_mwth: Decimal,
    pub by_pollutant: BTreeMap<Pollutant, PollutantSummary>,
    pub annual_cost: Decimal,
    pub currency: String,
    pub flue_gas_volumes: &'static str,
    pub notes: Vec<String>,
}

/// A whole assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub summary: Summary,
    pub gaps: Vec<Gap>,
}

/// What is assessed.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The year (default: the register's last).
    pub year: Option<i32>,
    pub ratification_year: Option<i32>,
}

/// Assesses the plants of a year against a set: `results` are the
/// compile's keys (the plants' parts carry their emissions).
pub fn assess(
    set: &LimitSet,
    plants: &[Plant],
    results: &[KeyResult],
    fuels: &Fuels,
    opts: &Options,
    costing: &dyn Costing,
) -> Result<Assessment, String> {
    let year = match opts.year {
        Some(y) => y,
        None => plants
            .iter()
            .map(|p| p.year)
            .max()
            .ok_or("the plant register is empty")?,
    };
    let in_year: Vec<&Plant> = plants.iter().filter(|p| p.year == year).collect();
    if in_year.is_empty() {
        let mut ys: Vec<i32> = plants.iter().map(|p| p.year).collect();
        ys.sort();
        ys.dedup();
        return Err(format!(
            "the plant register has no plant in {year} (its years: {})",
            ys.iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let mut gaps = Vec::new();
    let mut notes = Vec::new();
    for p in &in_year {
        let part = results
            .iter()
            .find(|r| r.key.year == year && r.plant.as_ref().is_some_and(|x| x.id == p.id));
        for pollutant in set.pollutants() {
            gaps.push(gap(set, p, part, pollutant, fuels, opts, costing)?);
        }
    }
    if gaps
        .iter()
        .any(|g| g.pollutant == Pollutant::SOx && g.min_desulphurisation_pct.is_some())
        && in_year.iter().any(|p| p.desulphurisation_pct.is_none())
    {
        notes.push("desulphurisation rates of plants that give none (desulphurisation_pct) are taken as 0 % (no desulphurisation now) for the rate alternative".into());
    }
    if gaps
        .iter()
        .any(|g| g.pollutant == Pollutant::TSP && !g.options.is_empty())
    {
        notes.push("dust (TSP): a measure's removal is its PM10 removal where the library gives none for TSP".into());
    }
    let summary = summarise(set, &in_year, &gaps, year, opts, costing, notes);
    Ok(Assessment { summary, gaps })
}

/// The facts a set needs of a plant.
fn facts(p: &Plant, year: i32) -> PlantFacts<'_> {
    PlantFacts {
        fuel: &p.fuel,
        plant_type: p.plant_type,
        thermal_input_mw: p.thermal_input(),
        hours: p.hours,
        commissioning_year: p.commissioning_year,
        year,
    }
}

/// The plant's size for costing: the register's hours, else its fuel ÷
/// (thermal input × 3.6 GJ/MWh).
fn size(p: &Plant, part: Option<&KeyResult>) -> Size {
    let fuel_tj = part.and_then(|r| r.energy_tj);
    let mw = p.thermal_input();
    let (hours, hours_basis) = match (p.hours, fuel_tj) {
        (Some(h), _) => (Some(h), "operating hours of the register".to_string()),
        (None, Some(tj)) if !mw.is_zero() => {
            let h = tj * Decimal::ONE_THOUSAND / (mw * Decimal::new(36, 1));
            (
                Some(h),
                format!(
                    "full-load hours from the fuel: {} TJ ÷ ({} MWth × 0.0036 TJ/MWh)",
                    show(tj),
                    show(mw)
                ),
            )
        }
        _ => (None, "no hours and no fuel".to_string()),
    };
    Size {
        thermal_input_mw: mw,
        hours,
        hours_basis,
        fuel_tj,
    }
}

fn show(v: Decimal) -> String {
    format_decimal(v.round_dp(4).normalize())
}

/// The plant's emission of a pollutant in the year (template unit), from its part.
fn emission_of(part: Option<&KeyResult>, pollutant: Pollutant) -> Option<(Decimal, String)> {
    let line = part?.lines.iter().find(|l| l.pollutant == pollutant)?;
    let basis = if line.factor_id.starts_with("plant ") {
        format!("{} ({})", line.factor_unit, line.factor_source)
    } else {
        format!(
            "factor {} {} {}",
            line.factor_id,
            format_decimal(line.factor_value),
            line.factor_unit
        )
    };
    Some((line.emission, basis))
}

/// One plant and pollutant.
fn gap(
    set: &LimitSet,
    p: &Plant,
    part: Option<&KeyResult>,
    pollutant: Pollutant,
    fuels: &Fuels,
    opts: &Options,
    costing: &dyn Costing,
) -> Result<Gap, String> {
    let year = p.year;
    let f = facts(p, year);
    let (status, status_why) = set
        .status(&f, pollutant, opts.ratification_year)
        .map_err(|e| format!("{}: {e}", p.label()))?;
    let emission = emission_of(part, pollutant);
    let tonnes = emission
        .as_ref()
        .map(|(e, _)| *e * pollutant.tonnes_per_unit());
    let mut g = Gap {
        plant: p.id.clone(),
        name: p.name.clone(),
        year,
        nfr: p.row.code.clone(),
        fuel: p.fuel.to_string(),
        pollutant,
        thermal_input_mw: f.thermal_input_mw,
        status: Some(status),
        status_why,
        limit_mg_nm3: None,
        reference_o2_pct: None,
        limit_why: String::new(),
        min_desulphurisation_pct: None,
        concentration_mg_nm3: None,
        concentration_basis: String::new(),
        excess_pct: None,
        emission_t: tonnes,
        needed_removal: None,
        met_by: None,
        reduction_t: None,
        measure: None,
        annual_cost: None,
        currency: costing.currency(),
        options: Vec::new(),
        note: String::new(),
    };
    let Some(applicable) = set.applicable(fuels, &f, pollutant, status, opts.ratification_year)
    else {
        g.note = format!(
            "no limit of the set applies to a {} {} of {} MWth{}",
            status.name(),
            p.plant_type.name(),
            show(f.thermal_input_mw),
            if p.hours.is_some() {
                format!(" running {} h", show(p.hours.unwrap_or_default()))
            } else {
                String::new()
            }
        );
        return Ok(g);
    };
    let mut whys = Vec::new();
    let mut needed: Vec<(Decimal, Kind)> = Vec::new();
    if let Some(limit) = &applicable.limit {
        let o2 = limit.o2_pct.expect("a limit has its O2");
        g.limit_mg_nm3 = Some(limit.value);
        g.reference_o2_pct = Some(o2);
        whys.push(limit.why.clone());
        match concentration(p, part, pollutant, o2, fuels) {
            Ok((c, basis)) => {
                g.concentration_mg_nm3 = Some(c);
                g.concentration_basis = basis;
                if !limit.value.is_zero() {
                    g.excess_pct = Some((c / limit.value - Decimal::ONE) * Decimal::ONE_HUNDRED);
                }
                let share = if c > limit.value {
                    Decimal::ONE - limit.value / c
                } else {
                    Decimal::ZERO
                };
                needed.push((share, Kind::Limit));
            }
            Err(why) => g.concentration_basis = why,
        }
    }
    if let Some(rate) = &applicable.desulphurisation {
        g.min_desulphurisation_pct = Some(rate.value);
        whys.push(format!("or {}", rate.why));
        let now = p.desulphurisation_pct.unwrap_or_default() / Decimal::ONE_HUNDRED;
        let min = rate.value / Decimal::ONE_HUNDRED;
        let share = if now >= min || now >= Decimal::ONE {
            Decimal::ZERO
        } else {
            Decimal::ONE - (Decimal::ONE - min) / (Decimal::ONE - now)
        };
        needed.push((share, Kind::Desulphurisation));
    }
    g.limit_why = whys.join("; ");
    // Met by either: the smaller removal.
    if let Some((share, kind)) = needed.into_iter().min_by(|a, b| a.0.cmp(&b.0)) {
        g.needed_removal = Some(share);
        g.met_by = Some(kind);
        if let Some(t) = tonnes {
            g.reduction_t = Some(t * share);
            if share > Decimal::ZERO {
                let s = size(p, part);
                g.options = costing.options(p, &s, pollutant, share, t);
                let cheapest = g
                    .options
                    .iter()
                    .filter(|o| o.annual_cost.is_some())
                    .min_by(|a, b| a.annual_cost.cmp(&b.annual_cost));
                match cheapest {
                    Some(o) => {
                        g.measure = Some(o.id.clone());
                        g.annual_cost = o.annual_cost;
                    }
                    None if g.options.is_empty() => {
                        g.note = format!(
                            "no measure of the library removes {} % of {} at this plant",
                            show(share * Decimal::ONE_HUNDRED),
                            pollutant.id()
                        )
                    }
                    None => {
                        g.note = "no measure that removes enough could be costed (see the options)"
                            .into()
                    }
                }
            }
        } else {
            g.note = format!("no emission estimate of {} for the plant", pollutant.id());
        }
    }
    Ok(g)
}

/// The plant's concentration at a reference O2, and how it is known:
/// measured (converted to the O2), or implied by its emission per GJ and
/// the fuel's flue-gas volume at that O2.
fn concentration(
    p: &Plant,
    part: Option<&KeyResult>,
    pollutant: Pollutant,
    o2: Decimal,
    fuels: &Fuels,
) -> Result<(Decimal, String), String> {
    if let (Some(c), Some(at)) = (p.concentrations.get(&pollutant), p.o2_pct) {
        let v = flue_gas::to_o2(*c, at, o2);
        let how = if at == o2 {
            format!(
                "measured: {} mg/Nm3 at {} % O2",
                format_decimal(*c),
                format_decimal(o2)
            )
        } else {
            format!(
                "measured: {} mg/Nm3 at {} % O2 × (21 − {}) / (21 − {}) = {}",
                format_decimal(*c),
                format_decimal(at),
                format_decimal(o2),
                format_decimal(at),
                show(v)
            )
        };
        return Ok((v, how));
    }
    let (e, basis) = emission_of(part, pollutant)
        .ok_or_else(|| format!("no emission estimate of {}", pollutant.id()))?;
    let tj = part
        .and_then(|r| r.energy_tj)
        .filter(|t| !t.is_zero())
        .ok_or("the plant's fuel in TJ is not known")?;
    let volume = flue_gas::volume_of(fuels, &p.fuel).ok_or_else(|| {
        format!(
            "{} has no specific flue-gas volume (emission-factors/flue-gas.csv)",
            p.fuel
        )
    })?;
    let g_per_gj = e * pollutant.grams_per_unit() / (tj * Decimal::ONE_THOUSAND);
    let c = g_per_gj / volume.at_o2(o2) * Decimal::ONE_THOUSAND;
    Ok((
        c,
        format!(
            "implied: {} g/GJ ({basis}) ÷ {} × 1000",
            show(g_per_gj),
            volume.text(o2)
        ),
    ))
}

fn summarise(
    set: &LimitSet,
    plants: &[&Plant],
    gaps: &[Gap],
    year: i32,
    opts: &Options,
    costing: &dyn Costing,
    notes: Vec<String>,
) -> Summary {
    let mut by_pollutant: BTreeMap<Pollutant, PollutantSummary> = BTreeMap::new();
    for g in gaps {
        let s = by_pollutant.entry(g.pollutant).or_default();
        if g.limit_mg_nm3.is_some() || g.min_desulphurisation_pct.is_some() {
            s.plants_assessed += 1;
        }
        s.emission_t += g.emission_t.unwrap_or_default();
        if g.exceeds() {
            s.plants_exceeding += 1;
            s.capacity_exceeding_mwth += g.thermal_input_mw;
            s.reduction_t += g.reduction_t.unwrap_or_default();
            match g.annual_cost {
                Some(c) => s.annual_cost += c,
                None => s.plants_without_costed_measure += 1,
            }
        }
    }
    let exceeding: Vec<&&Plant> = plants
        .iter()
        .filter(|p| gaps.iter().any(|g| g.plant == p.id && g.exceeds()))
        .collect();
    Summary {
        limit_set: set.name.clone(),
        year,
        ratification_year: opts.ratification_year,
        plants: plants.len(),
        plants_exceeding: exceeding.len(),
        capacity_mwth: plants.iter().map(|p| p.thermal_input()).sum(),
        capacity_exceeding_mwth: exceeding.iter().map(|p| p.thermal_input()).sum(),
        annual_cost: by_pollutant.values().map(|s| s.annual_cost).sum(),
        by_pollutant,
        currency: costing.currency(),
        flue_gas_volumes: flue_gas::SOURCE,
        notes,
    }
}

/// Compiles an inventory with its plant registers (Tier 3) and assesses
/// its plants against a set: the one call for `airinv plants` and for a
/// ratification option weighing the limit values.
pub fn assess_inventory(
    inv: &crate::inventory::Inventory,
    set: &LimitSet,
    opts: &Options,
    costing: &dyn Costing,
) -> crate::error::Result<Assessment> {
    use crate::error::Error;
    let toml = inv.dir.join("inventory.toml");
    if inv.plants.is_empty() {
        return Err(Error::file(
            &toml,
            "names no plant register: add plants = [\"plants.csv\"] (one row per plant and year: id, year, nfr, fuel, thermal_input_mw ...)",
        ));
    }
    let compiled = crate::compile::compute(inv, &crate::compile::CompileOptions::default())?;
    if let Some(first) = compiled.report.rejected.first() {
        return Err(Error::file(
            &toml,
            format!(
                "{} input row(s) are rejected (first: {}: {}); run airinv compile and correct them first",
                compiled.report.rejected.len(),
                first.at,
                first.reason
            ),
        ));
    }
    let fuels = crate::compile::inventory_fuels(inv)?;
    let plants = crate::tier3::read_plants(inv, &fuels)?;
    assess(set, &plants, &compiled.results, &fuels, opts, costing)
        .map_err(|e| Error::file(&inv.plants[0].path, e))
}
