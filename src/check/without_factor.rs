//! Activity without a factor (`completeness.activity-without-factor`,
//! inventory folders): activity of a row and fuel that has no emission for
//! a pollutant the Guidebook's Tier 1 gives for its row and fuel group
//! ([`crate::without_factor`]). A reviewer reads the row's implied factor
//! over all its activity: a fuel without NOx makes it look low.
//!
//! - **error** for a main pollutant (NOx, NMVOC, SOx, NH3, PM2.5), or for
//!   activity no factor fits for any pollutant, unless inventory.toml
//!   declares why;
//! - **warning** for the other pollutants, undeclared;
//! - **info** for a declared case: a `[[without_factor]]` entry, or the
//!   notation key the row's cell holds (`[[notation_keys]]`), with its reason.
//!
//! One finding per year, row and pollutant (the cell), naming each fuel,
//! its activity and its share of the row.

use super::{Finding, Severity};
use crate::nfr;
use crate::number::show;
use crate::pollutant::Pollutant;
use crate::without_factor::{Case, Declared};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// The findings of the cases of a compile.
pub fn findings(cases: &[Case]) -> Vec<Finding> {
    // (year, row, pollutant, declared-by) -> the fuels, with their reason.
    type Cell = (i32, u32, Option<Pollutant>, Option<Declared>);
    type At = (i32, u32, Option<Pollutant>, Option<String>);
    let mut cells: BTreeMap<At, (Cell, Vec<String>)> = BTreeMap::new();
    for c in cases {
        let Some(row) = nfr::find(&c.code) else {
            continue;
        };
        for m in &c.missing {
            let fuel = format!(
                "{} {} {}{}",
                c.fuel.as_deref().unwrap_or("(no fuel)"),
                show(c.activity, 6),
                c.unit,
                c.share
                    .map(|s| format!(" ({} % of the row)", show(s * Decimal::ONE_HUNDRED, 3)))
                    .unwrap_or_default()
            );
            let entry = cells
                .entry((
                    c.year,
                    row.number,
                    m.pollutant,
                    m.declared.as_ref().map(|d| d.by.clone()),
                ))
                .or_insert((
                    (c.year, row.number, m.pollutant, m.declared.clone()),
                    Vec::new(),
                ));
            entry.1.push(fuel);
        }
    }
    let mut out = Vec::new();
    for ((year, number, pollutant, declared), fuels) in cells.into_values() {
        let row = nfr::by_number(number).expect("a template row");
        let main = pollutant.is_none_or(|p| Pollutant::MAIN.contains(&p));
        let what = match pollutant {
            Some(p) => format!("no {p} factor"),
            None => "no factor for any pollutant".into(),
        };
        let (severity, message) = match &declared {
            Some(d) => (
                Severity::Info,
                format!(
                    "{} activity without a factor ({what}), declared by {}: {}: {}",
                    row.code,
                    d.by,
                    fuels.join("; "),
                    d.reason
                ),
            ),
            None => (
                if main {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                format!(
                    "{} has activity without emissions ({what}): {}; the Guidebook's Tier 1 gives {} for this row and fuel group, so the row's implied factor is too low. detail.csv's `why` says what was searched: give a factor (--factors or the inventory's factors) or declare why in inventory.toml ([[without_factor]] with code, fuel, pollutants and reason)",
                    row.code,
                    fuels.join("; "),
                    pollutant.map_or("emissions".to_string(), |p| p.id().to_string())
                ),
            ),
        };
        let mut f = Finding::new(severity, "completeness.activity-without-factor", message);
        f.year = Some(year);
        f.code = Some(row.code.clone());
        f.sheet = Some(year.to_string());
        f.cell = Some(match pollutant {
            Some(p) => format!("{}{}", p.column(), row.number),
            None => format!("E{n}:AD{n}", n = row.number),
        });
        f.order = (
            row.number,
            crate::annex1::column_index(pollutant.map_or("E", |p| p.column())),
        );
        if let Some(p) = pollutant {
            f = f.with_pollutant(p);
        }
        out.push(f);
    }
    out
}
