//! Aggregation: the computed keys summed into the Annex I table of each
//! year, with notation keys where there is no number.
//!
//! - A row with activity gets, for each pollutant, the sum of its
//!   emissions, or NE when no factor gave one.
//! - A row with no activity gets NO; the road-transport rows on fuel used
//!   (143-149) stay empty unless the year has fuel-used activity.
//! - The inventory's own notation keys (`[[notation_keys]]`) then fill cells
//!   that have no number; a key set on a cell that has a number is an error,
//!   since it would hide an estimate.
//! - Activity data: fuel in TJ NCV by fuel group (AF-AJ); other activity
//!   in the row's unit (AK, AL), converted exactly where the template's unit
//!   can be read.
//! - The inventory's approved adjustments (`[[adjustments]]`) are summed into
//!   ADJUSTMENTS (row 151) or ADJUSTMENTS AND FLEXIBILITIES (row 153).
//! - PAH1-4 = BaP + BbF + BkF + IcdP, then the totals (see [`crate::annex1`]).

use crate::annex1::{Annex1Year, Header};
use crate::calculate::KeyResult;
use crate::fuel::{FuelGroup, Fuels};
use crate::inventory::{Adjustment, KeyOverride};
use crate::nfr::{self, RowKind};
use crate::notation_key::{Cell, CellSum, NotationKey};
use crate::pollutant::Pollutant;
use crate::unit::parse_activity_unit;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// The tables of all years, and what the compiler should know.
#[derive(Debug, Clone, Default)]
pub struct Aggregated {
    pub years: Vec<Annex1Year>,
    /// Things to look at that do not stop the run.
    pub warnings: Vec<String>,
    /// Things that stop the run (a notation key over an estimate).
    pub errors: Vec<String>,
}

/// Builds the table of every year.
pub fn build(
    results: &[KeyResult],
    years: &[i32],
    header: &Header,
    overrides: &[KeyOverride],
    adjustments: &[Adjustment],
    fuels: &Fuels,
) -> Aggregated {
    let mut out = Aggregated::default();
    for &year in years {
        let mut table = Annex1Year::empty(Header {
            year,
            ..header.clone()
        });
        let mut sums: BTreeMap<(u32, Pollutant), CellSum> = BTreeMap::new();
        let mut active: BTreeSet<u32> = BTreeSet::new();
        let mut fuel_tj: BTreeMap<(u32, FuelGroup), Decimal> = BTreeMap::new();
        let mut other: BTreeMap<u32, Vec<(Decimal, String)>> = BTreeMap::new();
        let mut fuel_used_activity = false;
        for r in results.iter().filter(|r| r.key.year == year) {
            active.insert(r.key.row);
            let row = nfr::by_number(r.key.row).expect("template row");
            fuel_used_activity |= row.kind == RowKind::FuelUsed;
            for line in &r.lines {
                sums.entry((r.key.row, line.pollutant))
                    .or_default()
                    .add(Cell::Number(line.emission));
            }
            if r.derived.is_some() {
                // Made from another row's activity (3B animals): not this row's activity data.
                continue;
            }
            match (r.energy_tj, fuels.group(&r.key.fuel)) {
                (Some(tj), Some(group)) => *fuel_tj.entry((r.key.row, group)).or_default() += tj,
                (None, Some(_)) => out.warnings.push(format!(
                    "{year} {}: {} {} of {} has no net calorific value, so it is not in the activity-data columns in TJ; give one under [ncv] in inventory.toml",
                    row.code,
                    crate::number::format_decimal(r.total.value),
                    r.key.unit,
                    r.key.fuel
                )),
                _ => other.entry(r.key.row).or_default().push((r.total.value, r.key.unit.clone())),
            }
        }
        for row in nfr::rows().iter().filter(|r| r.takes_activity()) {
            let cells = table.rows.get_mut(&row.number).expect("template row");
            if active.contains(&row.number) {
                for p in Pollutant::ALL {
                    let cell = sums
                        .get(&(row.number, p))
                        .map(|s| s.cell())
                        .unwrap_or(Cell::Key(NotationKey::NE));
                    cells.set(p, cell);
                }
            } else if row.kind != RowKind::FuelUsed || fuel_used_activity {
                for p in Pollutant::ALL {
                    cells.set(p, Cell::Key(NotationKey::NO));
                }
            }
        }
        apply_overrides(&mut table, overrides, &mut out.errors);
        apply_adjustments(&mut table, adjustments, &mut out.errors);
        fill_activity_columns(&mut table, &active, &fuel_tj, &other, &mut out.warnings);
        table.derive_pah_totals();
        table.compute_totals();
        out.years.push(table);
    }
    out
}

fn apply_overrides(table: &mut Annex1Year, overrides: &[KeyOverride], errors: &mut Vec<String>) {
    let year = table.header.year;
    for o in overrides
        .iter()
        .filter(|o| o.years.is_empty() || o.years.contains(&year))
    {
        let Some(cells) = table.row_mut(&o.code) else {
            continue;
        };
        let pollutants: Vec<Pollutant> = if o.pollutants.is_empty() {
            Pollutant::ALL.to_vec()
        } else {
            o.pollutants.clone()
        };
        for p in pollutants {
            match cells.get(p) {
                Cell::Number(d) => errors.push(format!(
                    "{year} {} {p}: inventory.toml sets {} but the activity data give an estimate of {} {}; remove the key or the activity",
                    o.code,
                    o.key,
                    crate::number::format_decimal(d),
                    p.unit()
                )),
                _ => cells.set(p, Cell::Key(o.key)),
            }
        }
    }
}

/// Sums the year's adjustments into their rows (151, 153), before the
/// compliance totals are computed from them.
fn apply_adjustments(table: &mut Annex1Year, adjustments: &[Adjustment], errors: &mut Vec<String>) {
    let year = table.header.year;
    for a in adjustments.iter().filter(|a| a.year == year) {
        let cells = table.row_mut(a.row.code()).expect("adjustment rows");
        let before = cells.get(a.pollutant).number().unwrap_or(Decimal::ZERO);
        match before.checked_add(a.value) {
            Some(sum) => cells.set(a.pollutant, Cell::Number(sum)),
            None => errors.push(format!(
                "{year} {}: the adjustments to {} in inventory.toml sum beyond the range of exact decimals (about 7.9e28); check their values",
                a.row.code(),
                a.pollutant
            )),
        }
    }
}

fn fill_activity_columns(
    table: &mut Annex1Year,
    active: &BTreeSet<u32>,
    fuel_tj: &BTreeMap<(u32, FuelGroup), Decimal>,
    other: &BTreeMap<u32, Vec<(Decimal, String)>>,
    warnings: &mut Vec<String>,
) {
    let year = table.header.year;
    for row in nfr::rows().iter().filter(|r| r.takes_activity()) {
        let cells = table.rows.get_mut(&row.number).expect("template row");
        if !active.contains(&row.number) {
            // No activity: the key the pollutant cells agree on (NE for a
            // sector not estimated), else NO.
            let first = cells.pollutants[0];
            let key = match first {
                Cell::Key(k) if cells.pollutants.iter().all(|c| *c == first) => Cell::Key(k),
                Cell::Empty => continue,
                _ => Cell::Key(NotationKey::NO),
            };
            cells.fuels = [key; 5];
            cells.other_activity = key;
            continue;
        }
        let combustion = row.other_activity_unit == "TJ NCV";
        for g in FuelGroup::ALL {
            cells.fuels[g.index()] = match fuel_tj.get(&(row.number, g)) {
                Some(tj) => Cell::Number(*tj),
                None if combustion => Cell::Key(NotationKey::NO),
                None => Cell::Key(NotationKey::NA),
            };
        }
        let Some(amounts) = other.get(&row.number) else {
            cells.other_activity = Cell::Key(NotationKey::NA);
            continue;
        };
        // The template's unit when it can be read, else the first unit given.
        let target_text = match parse_activity_unit(&row.other_activity_unit) {
            Ok(_) if !combustion => row.other_activity_unit.clone(),
            _ => amounts[0].1.clone(),
        };
        let Ok(target) = parse_activity_unit(&target_text) else {
            continue;
        };
        let mut total = Decimal::ZERO;
        let mut left_out = Vec::new();
        for (value, unit) in amounts {
            match parse_activity_unit(unit) {
                Ok(q) if q.dimension.fits(target.dimension) => {
                    total += *value * q.scale / target.scale;
                }
                _ => left_out.push(format!("{} {unit}", crate::number::format_decimal(*value))),
            }
        }
        if !left_out.is_empty() {
            warnings.push(format!(
                "{year} {}: activity {} cannot be summed into other activity ({target_text}); it is used for emissions but not shown in column AK",
                row.code,
                left_out.join(", ")
            ));
        }
        cells.other_activity = Cell::Number(total);
        cells.other_activity_unit = target_text;
    }
}
