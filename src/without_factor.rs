//! Activity without emissions: every activity key with activity that has
//! no factor for a pollutant the Guidebook's Tier 1 gives for its row and
//! fuel group ([`crate::calculate::without_factor`]), gathered by year, row
//! and fuel with its share of the row's activity, and whether
//! inventory.toml declares why (`[[without_factor]]`, or the notation key
//! the row's cell holds with its note).
//!
//! ```text
//! KeyResult.missing ─► cases (year, row, fuel, activity, share, pollutants, declared)
//!                        ├─► compile's console (lines)
//!                        └─► check's completeness.activity-without-factor
//! ```

use crate::annex1::Annex1Year;
use crate::calculate::KeyResult;
use crate::fuel::Fuels;
use crate::inventory::{KeyOverride, WithoutFactor};
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Why a case has no factor, as the inventory declares it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Declared {
    /// `[[without_factor]] entry at line 120`, or `[[notation_keys]] NE for 1A3ei`.
    pub by: String,
    pub reason: String,
}

/// One pollutant of an activity without a factor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingPollutant {
    /// `None`: no factor for any pollutant (the Tier 1 names none).
    pub pollutant: Option<Pollutant>,
    pub declared: Option<Declared>,
    /// What was searched (detail.csv's `why`).
    pub why: String,
}

/// The activity of one year, row and fuel (summed over its keys) that
/// lacks a factor for some pollutants.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Case {
    pub year: i32,
    pub code: String,
    /// The fuel as the activity names it.
    pub fuel: Option<String>,
    /// The activity, in TJ when it is fuel, else in `unit`.
    pub activity: Decimal,
    pub unit: String,
    /// The activity's share of the row's activity in the same unit (0-1).
    pub share: Option<Decimal>,
    pub missing: Vec<MissingPollutant>,
}

impl Case {
    /// True when a main pollutant (or every pollutant) has no factor.
    pub fn lacks_main(&self) -> bool {
        self.missing
            .iter()
            .any(|m| m.pollutant.is_none_or(|p| Pollutant::MAIN.contains(&p)))
    }

    /// True when the pollutant has no factor (or nothing has).
    pub fn lacks(&self, p: Pollutant) -> bool {
        self.missing
            .iter()
            .any(|m| m.pollutant.is_none_or(|q| q == p))
    }
}

/// The cases of a compile, in year, row and fuel order.
pub fn cases(
    results: &[KeyResult],
    tables: &[Annex1Year],
    declared: &[WithoutFactor],
    keys: &[KeyOverride],
    fuels: &Fuels,
) -> Vec<Case> {
    // The row's activity per (year, row, unit): the denominator of shares.
    let mut row_totals: BTreeMap<(i32, String, String), Decimal> = BTreeMap::new();
    for r in results.iter().filter(|r| r.derived.is_none()) {
        let (value, unit) = amount(r);
        *row_totals
            .entry((r.key.year, r.key.code().to_string(), unit))
            .or_default() += value;
    }
    let mut by_fuel: BTreeMap<(i32, u32, Option<String>, String), Case> = BTreeMap::new();
    for r in results.iter().filter(|r| !r.missing.is_empty()) {
        let (value, unit) = amount(r);
        let code = r.key.code().to_string();
        let case = by_fuel
            .entry((
                r.key.year,
                r.key.row.number,
                r.key.fuel.as_ref().map(|f| f.name.to_string()),
                unit.clone(),
            ))
            .or_insert_with(|| Case {
                year: r.key.year,
                code: code.clone(),
                fuel: r.key.fuel.as_ref().map(|f| f.name.to_string()),
                activity: Decimal::ZERO,
                unit: unit.clone(),
                share: None,
                missing: Vec::new(),
            });
        case.activity += value;
        for m in &r.missing {
            if case.missing.iter().any(|c| c.pollutant == m.pollutant) {
                continue;
            }
            let by_entry = declared
                .iter()
                .find(|d| d.covers(r.key.year, &code, r.key.fuel.as_ref(), m.pollutant, fuels))
                .map(|d| Declared {
                    by: format!("[[without_factor]] at line {} of inventory.toml", d.line),
                    reason: d.reason.clone(),
                });
            let by_key = || {
                // No factor at all: declared when the row's cells hold a
                // key declared for every pollutant.
                let p = m.pollutant.unwrap_or(Pollutant::NOx);
                let table = tables.iter().find(|t| t.header.year == r.key.year)?;
                let Cell::Key(k) = table.row(&code)?.get(p) else {
                    return None;
                };
                keys.iter()
                    .find(|o| {
                        o.code == code
                            && o.key == k
                            && (o.years.is_empty() || o.years.contains(&r.key.year))
                            && (o.pollutants.is_empty()
                                || (m.pollutant.is_some() && o.pollutants.contains(&p)))
                    })
                    .map(|o| Declared {
                        by: format!("[[notation_keys]] {k} for {code} in inventory.toml"),
                        reason: o.note.clone(),
                    })
            };
            case.missing.push(MissingPollutant {
                pollutant: m.pollutant,
                declared: by_entry.or_else(by_key),
                why: m.why.clone(),
            });
        }
    }
    let mut out: Vec<Case> = by_fuel.into_values().collect();
    for c in &mut out {
        c.missing.sort_by_key(|m| m.pollutant);
        c.share = row_totals
            .get(&(c.year, c.code.clone(), c.unit.clone()))
            .filter(|t| !t.is_zero())
            .map(|t| c.activity / *t);
    }
    out
}

/// A key's activity in TJ when it is fuel, else in its own unit.
fn amount(r: &KeyResult) -> (Decimal, String) {
    match r.energy_tj {
        Some(tj) => (tj, "TJ".to_string()),
        None => (r.total.value, r.key.unit.to_string()),
    }
}

/// `NOx, SOx, PM2.5 and 14 other pollutants`, or `any pollutant`.
fn pollutant_list(missing: &[&MissingPollutant]) -> String {
    if missing.iter().any(|m| m.pollutant.is_none()) {
        return "any pollutant".into();
    }
    let main: Vec<&str> = missing
        .iter()
        .filter_map(|m| m.pollutant)
        .filter(|p| Pollutant::MAIN.contains(p))
        .map(|p| p.id())
        .collect();
    let others = missing.len() - main.len();
    match (main.is_empty(), others) {
        (true, n) => format!("{n} pollutant(s) other than the main ones"),
        (false, 0) => main.join(", "),
        (false, n) => format!("{} and {n} other pollutant(s)", main.join(", ")),
    }
}

/// The console lines of compile: per year, the activity without a factor
/// for a main pollutant by row and fuel (what inventory.toml declares
/// counted apart), the fuel without a NOx factor, and how many keys lack
/// only other pollutants.
pub fn lines(cases: &[Case]) -> Vec<String> {
    let mut out = Vec::new();
    if cases.is_empty() {
        return out;
    }
    let show = |d: Decimal| crate::number::show(d, 4);
    let years: std::collections::BTreeSet<i32> = cases.iter().map(|c| c.year).collect();
    for year in years {
        let of_year: Vec<&Case> = cases.iter().filter(|c| c.year == year).collect();
        let mut declared = 0;
        for c in of_year.iter().filter(|c| c.lacks_main()) {
            let open: Vec<&MissingPollutant> =
                c.missing.iter().filter(|m| m.declared.is_none()).collect();
            if open.is_empty() {
                declared += 1;
                continue;
            }
            out.push(format!(
                "  {year} {} {}: {} {}{} without a factor for {}",
                c.code,
                c.fuel.as_deref().unwrap_or("(no fuel)"),
                show(c.activity),
                c.unit,
                c.share
                    .map(|s| format!(" ({} % of the row)", show(s * Decimal::ONE_HUNDRED)))
                    .unwrap_or_default(),
                pollutant_list(&open)
            ));
        }
        let nox: Decimal = of_year
            .iter()
            .filter(|c| c.unit == "TJ" && c.lacks(Pollutant::NOx))
            .map(|c| c.activity)
            .sum();
        let nox_open: Decimal = of_year
            .iter()
            .filter(|c| {
                c.unit == "TJ"
                    && c.missing.iter().any(|m| {
                        m.declared.is_none() && m.pollutant.is_none_or(|p| p == Pollutant::NOx)
                    })
            })
            .map(|c| c.activity)
            .sum();
        let others = of_year.iter().filter(|c| !c.lacks_main()).count();
        out.push(format!(
            "  {year}: fuel without a NOx factor {} TJ ({} TJ not declared); {declared} case(s) of a main pollutant declared in inventory.toml; {others} row/fuel(s) lack a factor for other pollutants only",
            show(nox),
            show(nox_open)
        ));
    }
    out.insert(
        0,
        "activity without emissions (no factor; each has a line in detail.csv, `airinv check` lists them):".into(),
    );
    out
}
