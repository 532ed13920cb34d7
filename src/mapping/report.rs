//! The text report of a conversion: a summary (printed by `convert`, and
//! first in the report file) and the details (the rest of the report file).
//!
//! Amounts of energy are rounded to 0.001 and grouped by thousands; the
//! exact values are in the cell ledger.

use super::records::{CellRecord, Check, CheckStatus, Conversion, Outcome};
use super::rules::Mapping;
use crate::number::{amount, format_decimal, grouped, percent};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

/// Unmapped cells the summary lists (the details list them all).
const SUMMARY_CELLS: usize = 20;

/// The summary: what was converted, the cell counts, the energy of each
/// subtotal, the subtotal checks and the unmapped cells that are not zero.
pub fn summary(mapping: &Mapping, c: &Conversion, source: &Path, mapping_path: &Path) -> String {
    let mut s = String::new();
    heading(&mut s, mapping, source, mapping_path);
    counts(&mut s, c);
    subtotal_energy(&mut s, c);
    checks(&mut s, c);
    unmapped_not_zero(&mut s, c);
    s
}

/// The details: where each subtotal's energy went by reason, the cells by
/// outcome and reason, the accepted differences, the subtotal remainders
/// and every unmapped cell.
pub fn details(c: &Conversion) -> String {
    let mut d = String::new();
    let _ = writeln!(d, "details");
    energy_by_reason(&mut d, c);
    cells_by_outcome(&mut d, c);
    accepted_differences(&mut d, c);
    let _ = writeln!(d, "subtotal remainders:");
    for r in c.cells.iter().filter(|r| r.remainder) {
        let _ = writeln!(d, "  {}", describe_cell(r, &c.unit));
    }
    let unmapped: Vec<&CellRecord> = c
        .cells
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Unmapped(_)))
        .collect();
    let _ = writeln!(d, "unmapped cells ({}):", unmapped.len());
    for r in unmapped {
        let _ = writeln!(d, "  {}", describe_cell(r, &c.unit));
    }
    d
}

/// The file names converted, and the mapping's name and source.
fn heading(s: &mut String, mapping: &Mapping, source: &Path, mapping_path: &Path) {
    let file = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string()
    };
    let _ = writeln!(
        s,
        "conversion of {} with {}",
        file(source),
        file(mapping_path)
    );
    if !mapping.name.is_empty() {
        let _ = writeln!(s, "  {}", mapping.name);
    }
    if !mapping.source.is_empty() {
        let _ = writeln!(s, "  source: {}", mapping.source);
    }
}

/// Cells read by outcome, the cells beyond an exact decimal, and the
/// activity rows written.
fn counts(s: &mut String, c: &Conversion) {
    let n = &c.counts;
    let _ = writeln!(
        s,
        "cells read {} = mapped {} + excluded {} + unmapped {}",
        n.read, n.mapped, n.excluded, n.unmapped
    );
    if n.beyond_range > 0 {
        let examples: Vec<String> = c
            .cells
            .iter()
            .filter_map(|r| {
                r.beyond_range
                    .as_ref()
                    .map(|t| format!("{} {t} ('{}' / '{}')", r.cell, r.line, r.fuel))
            })
            .take(5)
            .collect();
        let _ = writeln!(
            s,
            "  {} cell(s) hold numbers with digits beyond the 28th decimal place (float artefacts); they are rounded to 28 places (marked in the cell ledger), and none is mapped: {}",
            n.beyond_range,
            examples.join("; ")
        );
    }
    let remainders = c.cells.iter().filter(|r| r.remainder).count();
    let remainders_mapped = c
        .cells
        .iter()
        .filter(|r| r.remainder && r.outcome == Outcome::Mapped)
        .count();
    let _ = writeln!(
        s,
        "  {} activity rows written ({} mapped cells are zero and give none; {} of {} subtotal remainders mapped)",
        c.rows.len(),
        n.mapped_zero,
        remainders_mapped,
        remainders
    );
}

/// One line per subtotal and year: its energy, and how much of it was
/// mapped, excluded and left unmapped.
fn subtotal_energy(s: &mut String, c: &Conversion) {
    let unit = &c.unit;
    let _ = writeln!(
        s,
        "energy of each subtotal ({unit}, to 0.001; exact values in the cell ledger): how much was mapped"
    );
    for sh in &c.shares {
        let excluded: Decimal = sh.excluded.iter().map(|(_, v)| *v).sum();
        let _ = writeln!(
            s,
            "  {} {}: {} {unit}, of which mapped {} ({}), excluded {} ({}), unmapped {} ({})",
            sh.year,
            sh.label,
            amount(sh.value),
            amount(sh.mapped),
            percent(sh.mapped, sh.value),
            amount(excluded),
            percent(excluded, sh.value),
            amount(sh.unmapped),
            percent(sh.unmapped, sh.value),
        );
    }
}

/// The subtotal checks by status, and each failed one.
fn checks(s: &mut String, c: &Conversion) {
    let count =
        |st: &dyn Fn(&CheckStatus) -> bool| c.checks.iter().filter(|k| st(&k.status)).count();
    let failed: Vec<&Check> = c.failed_checks().collect();
    let _ = writeln!(
        s,
        "subtotal checks: {} cells, {} within tolerance, {} remainders, {} accepted, {} failed",
        c.checks.len(),
        count(&|k| *k == CheckStatus::Ok),
        count(&|k| *k == CheckStatus::Remainder),
        count(&|k| matches!(k, CheckStatus::Accepted(_))),
        failed.len()
    );
    for k in &failed {
        let _ = writeln!(
            s,
            "  FAILED {} {} / {} (cell {}): subtotal {}, parts {}, difference {} {} (tolerance {})",
            k.year,
            k.line,
            k.fuel,
            k.cell,
            grouped(k.subtotal),
            grouped(k.parts),
            grouped(k.difference),
            c.unit,
            format_decimal(k.tolerance)
        );
    }
}

/// The unmapped cells that are not zero (the first twenty).
fn unmapped_not_zero(s: &mut String, c: &Conversion) {
    let unmapped: Vec<&CellRecord> = c
        .cells
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Unmapped(_)) && !r.value.is_zero())
        .collect();
    if unmapped.is_empty() {
        return;
    }
    let _ = writeln!(s, "unmapped cells that are not zero: {}", unmapped.len());
    for r in unmapped.iter().take(SUMMARY_CELLS) {
        let _ = writeln!(s, "  {}", describe_cell(r, &c.unit));
    }
    if unmapped.len() > SUMMARY_CELLS {
        let _ = writeln!(
            s,
            "  ... and {} more, all in the report file",
            unmapped.len() - SUMMARY_CELLS
        );
    }
}

/// Where the energy of each subtotal went: mapped, excluded by reason,
/// unmapped, and what its parts do not explain.
fn energy_by_reason(d: &mut String, c: &Conversion) {
    let unit = &c.unit;
    let _ = writeln!(
        d,
        "where the energy of each subtotal went ({unit}, to 0.001):"
    );
    for sh in &c.shares {
        let _ = writeln!(d, "  {} {}: {} {unit}", sh.year, sh.label, amount(sh.value));
        let _ = writeln!(
            d,
            "    mapped {} ({})",
            amount(sh.mapped),
            percent(sh.mapped, sh.value)
        );
        for (reason, v) in sh.excluded.iter().filter(|(_, v)| !v.is_zero()) {
            let _ = writeln!(
                d,
                "    excluded {} ({}): {reason}",
                amount(*v),
                percent(*v, sh.value)
            );
        }
        if !sh.unmapped.is_zero() {
            let _ = writeln!(
                d,
                "    unmapped {} ({})",
                amount(sh.unmapped),
                percent(sh.unmapped, sh.value)
            );
        }
        if !sh.difference.is_zero() {
            let _ = writeln!(
                d,
                "    not explained by its parts (rounding, or a subtotal that differs) {} ({})",
                amount(sh.difference),
                percent(sh.difference, sh.value)
            );
        }
    }
}

/// How many cells (not remainders) had each outcome and reason.
fn cells_by_outcome(d: &mut String, c: &Conversion) {
    let _ = writeln!(d, "cells by outcome and reason:");
    let mut reasons: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in c.cells.iter().filter(|r| !r.remainder) {
        let key = match &r.outcome {
            Outcome::Mapped => ("mapped".to_string(), String::new()),
            Outcome::Excluded(why) => ("excluded".to_string(), why.clone()),
            Outcome::Unmapped(why) => ("unmapped".to_string(), why.clone()),
        };
        *reasons.entry(key).or_default() += 1;
    }
    for ((outcome, why), count) in &reasons {
        if why.is_empty() {
            let _ = writeln!(d, "  {count} {outcome}");
        } else {
            let _ = writeln!(d, "  {count} {outcome}: {why}");
        }
    }
}

/// The differences between subtotals and their parts the mapping accepts,
/// with its notes.
fn accepted_differences(d: &mut String, c: &Conversion) {
    let accepted: Vec<(&Check, &String)> = c
        .checks
        .iter()
        .filter_map(|k| match &k.status {
            CheckStatus::Accepted(note) => Some((k, note)),
            _ => None,
        })
        .collect();
    if accepted.is_empty() {
        return;
    }
    let _ = writeln!(d, "accepted differences between subtotals and their parts:");
    for (k, note) in accepted {
        let _ = writeln!(
            d,
            "  {} {} / {} (cell {}): subtotal {}, parts {}, difference {}: {note}",
            k.year,
            k.line,
            k.fuel,
            k.cell,
            grouped(k.subtotal),
            grouped(k.parts),
            grouped(k.difference)
        );
    }
}

/// One cell or remainder: where it is, its value and what became of it.
fn describe_cell(r: &CellRecord, unit: &str) -> String {
    let outcome = match &r.outcome {
        Outcome::Mapped => {
            let mut t = format!("mapped {} to {}", grouped(r.mapped), r.codes.join(", "));
            if let Some(rest) = &r.rest {
                let _ = write!(t, "; the rest excluded: {rest}");
            }
            t
        }
        Outcome::Excluded(why) => format!("excluded: {why}"),
        Outcome::Unmapped(why) => format!("unmapped: {why}"),
    };
    format!(
        "{} {} '{}' / '{}': {} {unit}, {outcome}",
        r.cell,
        r.year.map(|y| y.to_string()).unwrap_or_default(),
        r.line,
        r.fuel,
        grouped(r.value)
    )
}
