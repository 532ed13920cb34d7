//! `airinv convert`: a sheet laid out for people (an energy balance) and a
//! mapping → the tidy activity file, with a report that accounts for every
//! number cell of the sheet.
//!
//! Writes, atomically, `OUT` (the activity file), `OUT-stem.cells.csv` (every
//! non-empty number cell and subtotal remainder with its outcome) and
//! `OUT-stem.report.txt` (the report, whose summary is also printed).

use crate::error::{Error, Result};
use crate::mapping::{self, CheckStatus, Conversion, Mapping, Outcome};
use crate::number::format_decimal;
use crate::output;
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to convert.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// The sheet: a CSV file or a workbook.
    pub source: PathBuf,
    pub mapping: PathBuf,
    /// The activity file to write.
    pub out: PathBuf,
    /// The workbook sheet, over the mapping's `[sheet] name`.
    pub sheet: Option<String>,
}

/// What a conversion did.
#[derive(Debug, Clone)]
pub struct ConvertReport {
    pub conversion: Conversion,
    /// The summary printed on the terminal.
    pub summary: String,
    /// The full report (summary and details), as written to the report file.
    pub full: String,
    pub outputs: Vec<PathBuf>,
}

/// Converts and writes the activity file, the cell ledger and the report.
pub fn run(opts: &ConvertOptions) -> Result<ConvertReport> {
    let (mapping, conversion) =
        mapping::convert_source(&opts.source, opts.sheet.as_deref(), &opts.mapping)?;
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        output::ensure_dir(dir)?;
    }
    let stem = opts
        .out
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| Error::file(&opts.out, "is not a file name for the activity file"))?;
    let cells_path = opts.out.with_file_name(format!("{stem}.cells.csv"));
    let report_path = opts.out.with_file_name(format!("{stem}.report.txt"));
    let (summary, details) = report(&mapping, &conversion, &opts.source, &opts.mapping);
    let full = format!("{summary}\n{details}");
    output::write_atomically(&opts.out, |w| conversion.write_activity(w))?;
    output::write_atomically(&cells_path, |w| conversion.write_cells(w))?;
    output::write_atomically(&report_path, |w| w.write_all(full.as_bytes()))?;
    Ok(ConvertReport {
        conversion,
        summary,
        full,
        outputs: vec![opts.out.clone(), cells_path, report_path],
    })
}

/// A number with its thousands grouped by spaces: `1 805 442.3`.
pub fn grouped(d: Decimal) -> String {
    let text = format_decimal(d);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// An amount of energy for the report: rounded to 0.001 and grouped (the
/// exact values are in the cell ledger).
pub fn amount(d: Decimal) -> String {
    grouped(d.round_dp(3))
}

/// `part` as a percentage of `whole`, to one decimal.
pub fn percent(part: Decimal, whole: Decimal) -> String {
    if whole.is_zero() {
        return "-".into();
    }
    let p = (part / whole * Decimal::ONE_HUNDRED).round_dp(1);
    format!("{} %", format_decimal(p))
}

/// The report: a summary (printed) and the details (in the report file).
pub fn report(
    mapping: &Mapping,
    c: &Conversion,
    source: &Path,
    mapping_path: &Path,
) -> (String, String) {
    let mut s = String::new();
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
            "  {} cell(s) hold numbers with more digits than an exact decimal holds (float artefacts); they are counted, left out of the sums, and none is mapped: {}",
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
    let count =
        |st: &dyn Fn(&CheckStatus) -> bool| c.checks.iter().filter(|k| st(&k.status)).count();
    let failed: Vec<&mapping::Check> = c.failed_checks().collect();
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
            "  FAILED {} {} / {} (cell {}): subtotal {}, parts {}, difference {} {unit} (tolerance {})",
            k.year,
            k.line,
            k.fuel,
            k.cell,
            grouped(k.subtotal),
            grouped(k.parts),
            grouped(k.difference),
            format_decimal(k.tolerance)
        );
    }
    let unmapped: Vec<&mapping::CellRecord> = c
        .cells
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Unmapped(_)) && !r.value.is_zero())
        .collect();
    if !unmapped.is_empty() {
        let _ = writeln!(s, "unmapped cells that are not zero: {}", unmapped.len());
        for r in unmapped.iter().take(20) {
            let _ = writeln!(s, "  {}", describe_cell(r, unit));
        }
        if unmapped.len() > 20 {
            let _ = writeln!(
                s,
                "  ... and {} more, all in the report file",
                unmapped.len() - 20
            );
        }
    }

    // Details.
    let mut d = String::new();
    let _ = writeln!(d, "details");
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
    let _ = writeln!(d, "cells by outcome and reason:");
    let mut reasons: std::collections::BTreeMap<(String, String), usize> = Default::default();
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
    let accepted: Vec<&mapping::Check> = c
        .checks
        .iter()
        .filter(|k| matches!(k.status, CheckStatus::Accepted(_)))
        .collect();
    if !accepted.is_empty() {
        let _ = writeln!(d, "accepted differences between subtotals and their parts:");
        for k in accepted {
            if let CheckStatus::Accepted(note) = &k.status {
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
    }
    let _ = writeln!(d, "subtotal remainders:");
    for r in c.cells.iter().filter(|r| r.remainder) {
        let _ = writeln!(d, "  {}", describe_cell(r, unit));
    }
    let all_unmapped: Vec<&mapping::CellRecord> = c
        .cells
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Unmapped(_)))
        .collect();
    let _ = writeln!(d, "unmapped cells ({}):", all_unmapped.len());
    for r in all_unmapped {
        let _ = writeln!(d, "  {}", describe_cell(r, unit));
    }
    (s, d)
}

fn describe_cell(r: &mapping::CellRecord, unit: &str) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(grouped(d("1805442.3")), "1 805 442.3");
        assert_eq!(grouped(d("-38294.769032")), "-38 294.769032");
        assert_eq!(grouped(d("999")), "999");
        assert_eq!(grouped(d("1000")), "1 000");
        assert_eq!(grouped(d("0.5")), "0.5");
        assert_eq!(percent(d("987"), d("1000")), "98.7 %");
        assert_eq!(percent(d("1"), d("3")), "33.3 %");
        assert_eq!(percent(d("1"), Decimal::ZERO), "-");
    }
}
