//! Aggregation: the computed keys summed into the Annex I table of each
//! year, with notation keys where there is no number.
//!
//! - A row with activity gets, for each pollutant, the sum of its
//!   emissions, or NE when no factor gave one.
//! - A row with no activity gets NE (not estimated) unless the inventory
//!   says otherwise: nothing given is not evidence that nothing occurs. The
//!   road-transport rows on fuel used (143-149) stay empty unless the year
//!   has fuel-used activity.
//! - The inventory's keys then fill cells that have no number: first its
//!   `[[default_keys]]` for the rows of a sector group with no activity,
//!   then its `[[notation_keys]]` per row and pollutant. A key set on a cell
//!   that has a number is an error, since it would hide an estimate.
//! - A row whose input rows were all rejected is NE, never NO, whatever
//!   the inventory declares.
//! - [`KeySummary`] says which rows are NE for want of data, so the
//!   compiler sees them.
//! - Activity data: fuel in TJ NCV by fuel group (AF-AJ); other activity
//!   in the row's unit (AK, AL), converted exactly where the template's unit
//!   can be read.
//! - The inventory's approved adjustments (`[[adjustments]]`) are summed into
//!   ADJUSTMENTS (row 151) or ADJUSTMENTS AND FLEXIBILITIES (row 153).
//! - PAH1-4 = BaP + BbF + BkF + IcdP, then the totals (see [`crate::annex1`]).

use crate::annex1::{Annex1Year, Header};
use crate::calculate::KeyResult;
use crate::fuel::{FuelGroup, Fuels};
use crate::inventory::{Adjustment, KeyOverride, in_group};
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
    /// The rows left NE for want of data, over all years.
    pub keys: KeySummary,
}

/// Where the notation keys of the tables come from, by template row
/// number, over all years.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySummary {
    /// Rows with no activity and no key from the inventory: NE, with the years.
    pub nothing_given: BTreeMap<u32, Vec<i32>>,
    /// Rows with no activity because all their input rows were rejected.
    pub all_rejected: BTreeMap<u32, Vec<i32>>,
    /// Rows with activity where no factor gave a main pollutant, and the
    /// inventory declares no key for it.
    pub ne_with_activity: BTreeMap<u32, BTreeSet<Pollutant>>,
    /// Rows whose cells take a key the inventory declares, by key.
    pub declared: BTreeMap<NotationKey, BTreeSet<u32>>,
}

impl KeySummary {
    /// The summary as console lines (`87 rows NE because nothing was given
    /// for them: ...`); empty when there is nothing to say.
    pub fn lines(&self) -> Vec<String> {
        let code = |row: &u32| nfr::by_number(*row).map(|r| r.code.as_str()).unwrap_or("?");
        let list = |rows: &mut dyn Iterator<Item = String>, n: usize| {
            let all: Vec<String> = rows.collect();
            let mut shown = all.iter().take(15).cloned().collect::<Vec<_>>().join(", ");
            if n > 15 {
                shown.push_str(&format!(", ... ({} more)", n - 15));
            }
            shown
        };
        let mut out = Vec::new();
        if !self.declared.is_empty() {
            let parts: Vec<String> = self
                .declared
                .iter()
                .map(|(k, rows)| format!("{k} {}", rows.len()))
                .collect();
            out.push(format!(
                "notation keys declared in inventory.toml: {} row(s)",
                parts.join(", ")
            ));
        }
        let n = self.nothing_given.len();
        if n > 0 {
            out.push(format!(
                "{n} row(s) NE because nothing was given for them (declare NO, NA or IE in inventory.toml where that is the truth): {}",
                list(&mut self.nothing_given.keys().map(|r| code(r).to_string()), n)
            ));
        }
        let n = self.all_rejected.len();
        if n > 0 {
            out.push(format!(
                "{n} row(s) NE because all their input rows were rejected: {}",
                list(
                    &mut self.all_rejected.keys().map(|r| code(r).to_string()),
                    n
                )
            ));
        }
        let n = self.ne_with_activity.len();
        if n > 0 {
            out.push(format!(
                "{n} row(s) with activity have NE for a main pollutant (no factor fits; give one with --factors, or declare the key): {}",
                list(
                    &mut self.ne_with_activity.iter().map(|(r, ps)| {
                        let ps: Vec<&str> = ps.iter().map(|p| p.id()).collect();
                        format!("{} {}", code(r), ps.join(" "))
                    }),
                    n
                )
            ));
        }
        out
    }
}

/// Builds the table of every year.
///
/// `defaults` are the inventory's `[[default_keys]]` (code = group),
/// `overrides` its `[[notation_keys]]`; `rejected` holds the (year, row
/// number) of activity rejected in calculation.
#[allow(clippy::too_many_arguments)]
pub fn build(
    results: &[KeyResult],
    years: &[i32],
    header: &Header,
    defaults: &[KeyOverride],
    overrides: &[KeyOverride],
    rejected: &BTreeSet<(i32, u32)>,
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
            let row = r.key.row;
            active.insert(row.number);
            fuel_used_activity |= row.kind == RowKind::FuelUsed;
            for line in &r.lines {
                sums.entry((row.number, line.pollutant))
                    .or_default()
                    .add(Cell::Number(line.emission));
            }
            if r.derived.is_some() {
                // Made from another row's activity (3B animals): not this row's activity data.
                continue;
            }
            let group = r
                .key
                .fuel
                .as_ref()
                .and_then(|f| f.id)
                .map(|id| fuels.fuel(id).group);
            match (r.energy_tj, group) {
                (Some(tj), Some(group)) => *fuel_tj.entry((row.number, group)).or_default() += tj,
                (None, Some(_)) => out.warnings.push(format!(
                    "{year} {}: {} {} of {} has no net calorific value, so it is not in the activity-data columns in TJ; give one under [ncv] in inventory.toml",
                    row.code,
                    crate::number::format_decimal(r.total.value),
                    r.key.unit,
                    r.key.fuel_text()
                )),
                _ => other
                    .entry(row.number)
                    .or_default()
                    .push((r.total.value, r.key.unit.to_string())),
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
                    cells.set(p, Cell::Key(NotationKey::NE));
                }
            }
        }
        let mut declared = apply_defaults(&mut table, defaults, &active);
        declared.extend(apply_overrides(&mut table, overrides, &mut out.errors));
        summarise(
            &mut table,
            &active,
            rejected,
            &declared,
            &mut out.keys,
            &mut out.warnings,
        );
        apply_adjustments(&mut table, adjustments, &mut out.errors);
        fill_activity_columns(&mut table, &active, &fuel_tj, &other, &mut out.warnings);
        table.derive_pah_totals();
        table.compute_totals();
        out.years.push(table);
    }
    out
}

/// Applies the `[[default_keys]]` of the year to the rows of their group
/// with no activity, the longer (more specific) group last; returns the
/// (row, pollutant) cells set.
fn apply_defaults(
    table: &mut Annex1Year,
    defaults: &[KeyOverride],
    active: &BTreeSet<u32>,
) -> BTreeSet<(u32, Pollutant)> {
    let year = table.header.year;
    let mut set = BTreeSet::new();
    let mut ordered: Vec<&KeyOverride> = defaults
        .iter()
        .filter(|o| o.years.is_empty() || o.years.contains(&year))
        .collect();
    ordered.sort_by_key(|o| o.code.len());
    for o in ordered {
        for row in nfr::rows()
            .iter()
            .filter(|r| r.takes_activity() && !active.contains(&r.number) && in_group(r, &o.code))
        {
            let cells = table.rows.get_mut(&row.number).expect("template row");
            for p in Pollutant::ALL {
                if cells.get(p).key().is_some() {
                    cells.set(p, Cell::Key(o.key));
                    set.insert((row.number, p));
                }
            }
        }
    }
    set
}

/// Applies the `[[notation_keys]]` of the year; a key over an estimate is
/// one error per entry and year, naming the pollutants. Returns the
/// (row, pollutant) cells set.
fn apply_overrides(
    table: &mut Annex1Year,
    overrides: &[KeyOverride],
    errors: &mut Vec<String>,
) -> BTreeSet<(u32, Pollutant)> {
    let year = table.header.year;
    let mut set = BTreeSet::new();
    for o in overrides
        .iter()
        .filter(|o| o.years.is_empty() || o.years.contains(&year))
    {
        let Some(number) = nfr::find(&o.code).map(|r| r.number) else {
            continue;
        };
        let Some(cells) = table.rows.get_mut(&number) else {
            continue;
        };
        let pollutants: Vec<Pollutant> = if o.pollutants.is_empty() {
            Pollutant::ALL.to_vec()
        } else {
            o.pollutants.clone()
        };
        let mut over: Vec<String> = Vec::new();
        for p in pollutants {
            match cells.get(p) {
                Cell::Number(d) => over.push(format!(
                    "{p} {} {}",
                    crate::number::format_decimal(d),
                    p.unit()
                )),
                _ => {
                    cells.set(p, Cell::Key(o.key));
                    set.insert((number, p));
                }
            }
        }
        if !over.is_empty() {
            let n = over.len();
            let shown = over.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
            errors.push(format!(
                "{year} {}: inventory.toml sets {} but the activity data give an estimate for {n} pollutant(s) ({shown}{}); remove the key, limit it with pollutants = [...], or remove the activity",
                o.code,
                o.key,
                if n > 3 { ", ..." } else { "" }
            ));
        }
    }
    set
}

/// Notes where the year's keys come from in `summary`; a declared NO on a
/// row whose input rows were all rejected becomes NE, with a warning.
fn summarise(
    table: &mut Annex1Year,
    active: &BTreeSet<u32>,
    rejected: &BTreeSet<(i32, u32)>,
    declared: &BTreeSet<(u32, Pollutant)>,
    summary: &mut KeySummary,
    warnings: &mut Vec<String>,
) {
    let year = table.header.year;
    for row in nfr::rows().iter().filter(|r| r.takes_activity()) {
        let cells = table.rows.get_mut(&row.number).expect("template row");
        if rejected.contains(&(year, row.number)) && !active.contains(&row.number) {
            let no: Vec<Pollutant> = Pollutant::ALL
                .into_iter()
                .filter(|p| cells.get(*p) == Cell::Key(NotationKey::NO))
                .collect();
            if !no.is_empty() {
                for p in &no {
                    cells.set(*p, Cell::Key(NotationKey::NE));
                }
                warnings.push(format!(
                    "{year} {}: inventory.toml declares NO but the activity given for it was rejected; it is NE until the rejected rows are mended",
                    row.code
                ));
            }
        }
        let rejected_row = rejected.contains(&(year, row.number)) && !active.contains(&row.number);
        for p in Pollutant::ALL.into_iter().filter(|_| !rejected_row) {
            if let (Cell::Key(k), true) = (cells.get(p), declared.contains(&(row.number, p))) {
                summary.declared.entry(k).or_default().insert(row.number);
            }
        }
        if active.contains(&row.number) {
            for p in Pollutant::MAIN {
                if cells.get(p) == Cell::Key(NotationKey::NE)
                    && !declared.contains(&(row.number, p))
                {
                    summary
                        .ne_with_activity
                        .entry(row.number)
                        .or_default()
                        .insert(p);
                }
            }
            continue;
        }
        let undeclared = Pollutant::ALL.iter().all(|p| {
            cells.get(*p) == Cell::Key(NotationKey::NE) && !declared.contains(&(row.number, *p))
        });
        if rejected.contains(&(year, row.number)) {
            summary
                .all_rejected
                .entry(row.number)
                .or_default()
                .push(year);
        } else if undeclared {
            summary
                .nothing_given
                .entry(row.number)
                .or_default()
                .push(year);
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

/// A unit in the words of the template's label: `Gas throughput [TJ]` with
/// `m3` gives `Gas throughput [m3]`; a label without brackets gives the
/// unit.
fn in_template_words(label: &str, unit: &str) -> String {
    match (label.rfind('['), label.ends_with(']')) {
        (Some(open), true) => format!("{}[{unit}]", &label[..open]),
        _ => unit.to_string(),
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
        // The template's unit when it can be read and an amount is in it
        // (or converts to it); else the first unit given, in the template's
        // words (`Gas throughput [m3]`: column AL is free text, and a blank
        // or zero AK beside the row's emissions would hide the activity).
        let fits = |template: &str| {
            parse_activity_unit(template).is_ok_and(|t| {
                amounts.iter().any(|(_, u)| {
                    parse_activity_unit(u).is_ok_and(|q| q.dimension.fits(t.dimension))
                })
            })
        };
        let target_text = if !combustion && fits(&row.other_activity_unit) {
            row.other_activity_unit.clone()
        } else if !combustion {
            in_template_words(&row.other_activity_unit, &amounts[0].1)
        } else {
            amounts[0].1.clone()
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
                // To 0.001: a message, not a value (an extrapolated year
                // would show all 28 digits).
                _ => left_out.push(format!(
                    "{} {unit}",
                    crate::number::format_decimal(value.round_dp(3).normalize())
                )),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unit_is_put_in_the_words_of_the_template_label() {
        assert_eq!(
            in_template_words("Gas throughput [TJ]", "m3"),
            "Gas throughput [m3]"
        );
        assert_eq!(
            in_template_words("Gas vented flared [TJ]", "t"),
            "Gas vented flared [t]"
        );
        assert_eq!(in_template_words("", "bodies"), "bodies");
        assert_eq!(in_template_words("Number [of x", "head"), "head");
    }
}
