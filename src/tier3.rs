//! Tier 3 with a Tier 1 remainder: the plants of a register
//! ([`crate::plant`]) take their share of their row's fuel, with their own
//! emissions; the rest of the row's activity keeps its Tier 1 estimate.
//!
//! ```text
//! KeyResult of (year, row, fuel): activity X, lines e = X × m ÷ d per pollutant
//!   plant i with fuel F_i (fuel_use, else thermal input × hours), Σ F_i ≤ X
//!     ├─► the plant's part: activity F_i, per pollutant
//!     │     its reported emission (<P>_t), else
//!     │     its measured concentration × flue-gas volume (given, else the fuel's
//!     │       specific volume at its O2 × its fuel), else
//!     │     the factor on its fuel: F_i × m ÷ d
//!     └─► the remainder: activity X − Σ F_i, emission e − Σ (F_i × m ÷ d)
//! ```
//!
//! So a row's total is the plants' emissions plus the Tier 1 remainder,
//! exactly, and plants that give only their fuel use change no total. Each
//! part is a [`KeyResult`] of the same key with [`KeyResult::plant`] set:
//! detail.csv has a line per plant and pollutant (column `plant`), and
//! with `--detail rows` the remainder's rows end with one row per plant
//! taking its fuel away (negative), so the lines of a cell still sum to it.

use crate::calculate::{KeyResult, KeyTotal, Line, RowRecord, checked_apply};
use crate::error::{Error, Result};
use crate::fuel::Fuels;
use crate::inventory::Inventory;
use crate::limits::flue_gas;
use crate::number::format_decimal;
use crate::pins::Tier;
use crate::plant::{Part, Plant};
use crate::pollutant::Pollutant;
use crate::unit::{Dimension, ratio};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What Tier 3 did: the plants used and a line per year for the console.
#[derive(Debug, Clone, Default)]
pub struct Applied {
    pub summary: Vec<String>,
}

/// Reads an inventory's plant registers.
pub fn read_plants(inv: &Inventory, fuels: &Fuels) -> Result<Vec<Plant>> {
    let mut plants = Vec::new();
    for source in &inv.plants {
        plants.extend(crate::plant::read(
            &source.path,
            source.sheet.as_deref(),
            fuels,
        )?);
    }
    Ok(plants)
}

/// Splits the keys the plants of the compiled years belong to; plants of
/// other years are counted in the summary, not used.
pub fn apply(
    results: Vec<KeyResult>,
    plants: &[Plant],
    years: &[i32],
    fuels: &Fuels,
    keep_rows: bool,
) -> Result<(Vec<KeyResult>, Applied)> {
    let mut applied = Applied::default();
    if plants.is_empty() {
        return Ok((results, applied));
    }
    let (used, other): (Vec<&Plant>, Vec<&Plant>) =
        plants.iter().partition(|p| years.contains(&p.year));
    // The key of each plant.
    let mut by_key: BTreeMap<usize, Vec<&Plant>> = BTreeMap::new();
    for p in &used {
        by_key.entry(key_of(&results, p)?).or_default().push(p);
    }
    let mut out = Vec::with_capacity(results.len() + used.len());
    for (i, r) in results.into_iter().enumerate() {
        match by_key.remove(&i) {
            None => out.push(r),
            Some(ps) => {
                let (remainder, parts, line) = split(r, &ps, fuels, keep_rows)?;
                applied.summary.push(line);
                out.push(remainder);
                out.extend(parts);
            }
        }
    }
    if !other.is_empty() {
        let mut ys: Vec<String> = other.iter().map(|p| p.year.to_string()).collect();
        ys.sort();
        ys.dedup();
        applied.summary.push(format!(
            "plant register: {} row(s) of years not compiled ({}) not used",
            other.len(),
            ys.join(", ")
        ));
    }
    Ok((out, applied))
}

/// The one activity key of a plant's year, row and fuel (and technology).
fn key_of(results: &[KeyResult], p: &Plant) -> Result<usize> {
    let fits: Vec<usize> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r.key.year == p.year
                && r.key.row.number == p.row.number
                && r.derived.is_none()
                && r.key.fuel.as_ref().and_then(|f| f.id) == p.fuel.id
                && p.technology.as_deref().is_none_or(|t| {
                    crate::fuel::fuel_key(crate::pins::text(&r.key.pins.technology))
                        == crate::fuel::fuel_key(t)
                })
        })
        .map(|(i, _)| i)
        .collect();
    match fits.as_slice() {
        [one] => Ok(*one),
        [] => Err(Error::input(
            p.at.clone().with_column("fuel"),
            format!(
                "{}: {} {} has no activity in {} in the inventory; a plant's fuel is part of its row's fuel, so the row needs activity of the fuel",
                p.label(),
                p.row.code,
                p.fuel,
                p.year
            ),
        )),
        many => Err(Error::input(
            p.at.clone().with_column("technology"),
            format!(
                "{}: {} {} has {} activity keys in {} (technologies {}): give the plant's technology",
                p.label(),
                p.row.code,
                p.fuel,
                many.len(),
                p.year,
                many.iter()
                    .map(|i| format!("'{}'", crate::pins::text(&results[*i].key.pins.technology)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
    }
}

/// A plant's fuel in the unit of its key's activity.
fn plant_fuel(r: &KeyResult, p: &Plant) -> Result<(Decimal, String)> {
    let key_q = r.key.unit.quantity();
    let (value, q, how) = match &p.fuel_use {
        Some((v, unit)) => (
            *v,
            unit.quantity().clone(),
            format!("fuel use {} {}", format_decimal(*v), unit),
        ),
        None => {
            let Some(h) = p.hours else {
                return Err(Error::input(
                    p.at.clone().with_column("fuel_use"),
                    format!(
                        "{}: no fuel_use and no hours: give the plant's fuel use, or its operating hours (fuel = thermal input × hours)",
                        p.label()
                    ),
                ));
            };
            let gj = p.thermal_input() * h * Decimal::new(36, 1);
            let q = crate::unit::parse_activity_unit("GJ").expect("GJ");
            (
                gj,
                q,
                format!(
                    "thermal input {} MWth × {} h × 3.6 GJ/MWh",
                    show(p.thermal_input()),
                    format_decimal(h)
                ),
            )
        }
    };
    if q.dimension != key_q.dimension {
        return Err(Error::input(
            p.at.clone().with_column("fuel_unit"),
            format!(
                "{}: its fuel is in {} ({}) but {} {} {} is in {}: give the plant's fuel use in {} or a unit of its kind",
                p.label(),
                q.dimension.describe(),
                how,
                p.row.code,
                p.fuel,
                p.year,
                r.key.unit,
                r.key.unit
            ),
        ));
    }
    let (v, _) = ratio(value * q.scale, key_q.scale).map_err(|e| Error::input(p.at.clone(), e))?;
    Ok((v, how))
}

/// The key's activity in GJ per unit of it, for flue-gas volumes (energy
/// keys only, and mass keys through the TJ the compile found).
fn gj_of(r: &KeyResult, activity: Decimal) -> Option<Decimal> {
    let q = r.key.unit.quantity();
    if q.dimension == Dimension::Energy {
        return Some(activity * q.scale / Decimal::from(1_000_000_000));
    }
    let tj = r.energy_tj?;
    if r.total.value.is_zero() {
        return None;
    }
    Some(tj * Decimal::ONE_THOUSAND * activity / r.total.value)
}

fn show(v: Decimal) -> String {
    format_decimal(v.round_dp(4).normalize())
}

/// The plant's own emission of a pollutant, in the pollutant's unit, as a
/// line; `None` when it has no data of its own for it.
fn own_line(
    r: &KeyResult,
    p: &Plant,
    fuel: Decimal,
    pollutant: Pollutant,
    fuels: &Fuels,
) -> Result<Option<Line>> {
    let per_t = Decimal::from(1_000_000) / pollutant.grams_per_unit();
    let (tonnes, value, unit, why, conversion) = if let Some(t) = p.emissions_t.get(&pollutant) {
        (
            *t,
            *t,
            "t reported".to_string(),
            format!("Tier 3, plant {}: the emission the plant reports", p.id),
            format!(
                "{} t = {} {}",
                format_decimal(*t),
                format_decimal(*t * per_t),
                pollutant.unit()
            ),
        )
    } else if let Some(c) = p.concentrations.get(&pollutant) {
        let o2 = p
            .o2_pct
            .expect("checked when read: a concentration has its O2");
        let (volume, volume_text) = match p.flue_gas_nm3 {
            Some(v) => (
                v,
                format!(
                    "{} Nm3 (the plant's flue-gas volume at {} % O2)",
                    format_decimal(v),
                    format_decimal(o2)
                ),
            ),
            None => {
                let spec = flue_gas::volume_of(fuels, &p.fuel).ok_or_else(|| {
                    Error::input(
                        p.at.clone().with_column("flue_gas_nm3"),
                        format!("{}: {} has no specific flue-gas volume (emission-factors/flue-gas.csv): give the plant's flue_gas_nm3", p.label(), p.fuel),
                    )
                })?;
                let gj = gj_of(r, fuel).ok_or_else(|| {
                    Error::input(
                        p.at.clone().with_column("flue_gas_nm3"),
                        format!("{}: its fuel is not energy, so its flue-gas volume cannot be found from the fuel: give flue_gas_nm3", p.label()),
                    )
                })?;
                let v = spec.at_o2(o2) * gj;
                (
                    v,
                    format!("{} GJ × {} = {} Nm3", show(gj), spec.text(o2), show(v)),
                )
            }
        };
        let t = *c * volume / Decimal::from(1_000_000_000);
        (
            t,
            *c,
            format!("mg/Nm3 at {} % O2 (measured)", format_decimal(o2)),
            format!(
                "Tier 3, plant {}: measured concentration × flue-gas volume",
                p.id
            ),
            format!(
                "{} mg/Nm3 × {volume_text} × 10^-9 t/mg = {} t",
                format_decimal(*c),
                show(t)
            ),
        )
    } else {
        return Ok(None);
    };
    let emission = tonnes * per_t;
    let (multiplier, divisor) = if fuel.is_zero() {
        (emission, Decimal::ONE)
    } else {
        (emission, fuel)
    };
    Ok(Some(Line {
        pollutant,
        factor_id: format!("plant {}", p.id),
        factor_value: value,
        factor_unit: unit,
        factor_tier: Some(Tier::Three),
        factor_table: String::new(),
        factor_reference: p.source.clone(),
        factor_source: p.at.to_string(),
        why,
        conversion,
        multiplier,
        divisor,
        emission,
        exact: true,
    }))
}

/// The Tier 1 remainder's emission of a line: the remainder's activity ×
/// the line's factor, as every line is computed, where the line is that
/// product for the row's whole activity (the row less its plants, so no
/// digit is lost to a difference of two rounded emissions); otherwise the
/// row's emission less the plants' Tier 1 emissions (`taken`).
fn remainder_emission(
    l: &mut Line,
    whole: Decimal,
    remainder: Decimal,
    taken: Decimal,
    taken_exact: bool,
) {
    let product = |activity| checked_apply(activity, l.multiplier, l.divisor);
    match (product(whole), product(remainder)) {
        (Some((e, _)), Some((rest, exact))) if e == l.emission => {
            l.emission = rest;
            // Not exact where the row's line was not (a rounded share).
            l.exact &= exact;
        }
        _ => {
            l.emission -= taken;
            l.exact &= taken_exact;
        }
    }
}

/// A key split into its Tier 1 remainder and its plants' parts, with a
/// line for the console.
fn split(
    mut r: KeyResult,
    plants: &[&Plant],
    fuels: &Fuels,
    keep_rows: bool,
) -> Result<(KeyResult, Vec<KeyResult>, String)> {
    let mut fuel: Vec<(Decimal, String)> = Vec::new();
    for p in plants {
        fuel.push(plant_fuel(&r, p)?);
    }
    let sum: Decimal = fuel.iter().map(|(f, _)| *f).sum();
    if sum > r.total.value {
        let last = plants.last().expect("a plant");
        return Err(Error::input(
            last.at.clone().with_column(if last.fuel_use.is_some() {
                "fuel_use"
            } else {
                "hours"
            }),
            format!(
                "the plants' fuel of {} {} in {} ({} {}: {}) is more than the row's activity ({} {}); a plant's fuel is part of its row's",
                r.key.row.code,
                r.key.fuel_text(),
                r.key.year,
                show(sum),
                r.key.unit,
                plants
                    .iter()
                    .zip(&fuel)
                    .map(|(p, (f, _))| format!("{} {} at {}", p.id, show(*f), p.at))
                    .collect::<Vec<_>>()
                    .join(", "),
                show(r.total.value),
                r.key.unit
            ),
        ));
    }
    let beyond = |p: &Plant| {
        Error::input(
            p.at.clone(),
            format!(
                "{}: its emission is beyond the range of exact decimals",
                p.label()
            ),
        )
    };
    let mut parts = Vec::new();
    let mut taken: BTreeMap<Pollutant, (Decimal, bool)> = BTreeMap::new();
    for (p, (f, how)) in plants.iter().zip(&fuel) {
        let mut lines = Vec::new();
        for l in &r.lines {
            let (tier1, exact) =
                checked_apply(*f, l.multiplier, l.divisor).ok_or_else(|| beyond(p))?;
            let t = taken.entry(l.pollutant).or_insert((Decimal::ZERO, true));
            t.0 += tier1;
            t.1 &= exact;
            lines.push(match own_line(&r, p, *f, l.pollutant, fuels)? {
                Some(own) => own,
                None => Line {
                    why: format!(
                        "Tier 3, plant {}: the factor on the plant's fuel ({how}); {}",
                        p.id, l.why
                    ),
                    emission: tier1,
                    exact: exact && l.exact,
                    ..l.clone()
                },
            });
        }
        // Pollutants the plant gives that no factor of the row gives.
        let own: Vec<Pollutant> = p
            .emissions_t
            .keys()
            .chain(p.concentrations.keys())
            .copied()
            .collect();
        for pollutant in own {
            if lines.iter().all(|l| l.pollutant != pollutant)
                && let Some(l) = own_line(&r, p, *f, pollutant, fuels)?
            {
                lines.push(l);
            }
        }
        lines.sort_by_key(|l| l.pollutant);
        let energy_tj = match (r.energy_tj, r.total.value.is_zero()) {
            (Some(tj), false) => Some(
                ratio(tj * *f, r.total.value)
                    .map(|x| x.0)
                    .unwrap_or(tj * *f / r.total.value),
            ),
            _ => None,
        };
        parts.push(KeyResult {
            key: r.key.clone(),
            total: KeyTotal {
                value: *f,
                count: 1,
                first_rows: vec![p.at.clone()],
                rows: if keep_rows {
                    vec![RowRecord {
                        at: p.at.clone(),
                        value: *f,
                        source_id: format!("plant {}", p.id),
                        extra: Vec::new(),
                    }]
                } else {
                    Vec::new()
                },
                filled: r.total.filled.clone(),
                spliced: r.total.spliced.clone(),
                ..KeyTotal::default()
            },
            lines,
            energy_tj,
            derived: None,
            missing: Vec::new(),
            plant: Some(Part {
                id: p.id.clone(),
                name: p.name.clone(),
                at: p.at.clone(),
            }),
        });
    }
    let line = format!(
        "Tier 3 {} {} {}: {} plant(s) {} {} + Tier 1 remainder {} {}",
        r.key.year,
        r.key.row.code,
        r.key.fuel_text(),
        plants.len(),
        show(sum),
        r.key.unit,
        show(r.total.value - sum),
        r.key.unit
    );
    // The remainder.
    let part_tj: Decimal = parts.iter().filter_map(|p| p.energy_tj).sum();
    r.energy_tj = r.energy_tj.map(|tj| tj - part_tj);
    let whole = r.total.value;
    r.total.value -= sum;
    for l in &mut r.lines {
        if let Some((t, exact)) = taken.get(&l.pollutant) {
            remainder_emission(l, whole, r.total.value, *t, *exact);
        }
    }
    if keep_rows {
        for (p, (f, _)) in plants.iter().zip(&fuel) {
            r.total.rows.push(RowRecord {
                at: p.at.clone(),
                value: -*f,
                source_id: format!("plant {}", p.id),
                extra: vec![(
                    "tier3".into(),
                    "the plant's fuel, taken from the row (Tier 3)".into(),
                )],
            });
        }
    }
    Ok((r, parts, line))
}
