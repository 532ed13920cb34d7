//! Time series of the activity data: breaks from one year to the next.
//!
//! An emission series can break because its activity does: a statistics
//! office reclassifies consumers between two lines of its balance, a
//! mapping sends a fuel to another row from one year, a source stops
//! reporting. CEIP's reviewers read the activity columns (AF-AK) of the
//! Annex I table for this. For each sector row and activity column, each
//! year is compared with the year before it:
//!
//! `time-series.activity-break` (warning): the activity is at least
//! [`FACTOR`] times, or at most 1/[`FACTOR`] of, the year before's (a value
//! that appears or disappears counts, a notation key being none), and the
//! larger of the two is at least [`SHARE`] of the year's activity of that
//! column over all sector rows (so that only breaks that matter are named).
//! When another row's same column moves the other way by a similar amount
//! (within a factor of [`SIMILAR`]), the finding names it: that is how a
//! reclassification between rows looks.
//!
//! The comparison is exact (decimals); the ratio is shown to two digits.

use super::{Finding, Severity, YearView, show};
use crate::nfr::{self, Row};
use rust_decimal::Decimal;

/// A change by this factor or more (up or down) is a break.
pub const FACTOR: Decimal = Decimal::TWO;
/// Breaks smaller than this share of the column's total of the year are not named.
pub const SHARE: Decimal = Decimal::from_parts(1, 0, 0, false, 2);
/// Two opposite changes within this factor of each other look like one move.
pub const SIMILAR: Decimal = Decimal::from_parts(15, 0, 0, false, 1);

/// The activity columns: letter, name, index (0-4 fuels, 5 other activity).
pub(super) const COLUMNS: [(&str, &str); 6] = [
    ("AF", "liquid fuels"),
    ("AG", "solid fuels"),
    ("AH", "gaseous fuels"),
    ("AI", "biomass"),
    ("AJ", "other fuels"),
    ("AK", "other activity"),
];

/// The activity of a row in a column (0-4 fuels, 5 other activity); zero
/// for a key or an empty cell.
pub(super) fn activity(y: &YearView, row: &Row, column: usize) -> Decimal {
    let Some(cells) = y.table.rows.get(&row.number) else {
        return Decimal::ZERO;
    };
    let cell = if column < 5 {
        &cells.fuels[column]
    } else {
        &cells.other_activity
    };
    cell.number().unwrap_or(Decimal::ZERO)
}

/// A row's activity in a column that breaks from one year to the next.
pub(super) struct Break<'a> {
    pub row: &'a Row,
    pub before: Decimal,
    pub now: Decimal,
}

impl Break<'_> {
    pub fn delta(&self) -> Decimal {
        self.now - self.before
    }
}

/// The unit of a row's other activity (column AK) in a year.
fn other_unit(y: &YearView, row: &Row) -> String {
    y.table
        .rows
        .get(&row.number)
        .map(|r| r.other_activity_unit.clone())
        .unwrap_or_default()
}

/// The breaks of one activity column from `prev` to `cur`: the rows whose
/// activity changes by [`FACTOR`] or more (or appears or disappears), the
/// larger of the two years being at least [`SHARE`] of the column's total.
pub(super) fn column_breaks<'a>(
    prev: &YearView,
    cur: &YearView,
    c: usize,
    rows: &[&'a Row],
) -> Vec<Break<'a>> {
    // The column's total over the sector rows, the larger of the two years.
    let total = |y: &YearView| -> Decimal {
        rows.iter()
            .map(|r| activity(y, r, c))
            .fold(Decimal::ZERO, |a, b| a.saturating_add(b))
    };
    let limit = total(prev).max(total(cur)).saturating_mul(SHARE);
    if limit.is_zero() {
        return Vec::new();
    }
    rows.iter()
        .filter_map(|&row| {
            // Other activity is only comparable in one unit.
            if c == 5 && other_unit(prev, row) != other_unit(cur, row) {
                return None;
            }
            let (before, now) = (activity(prev, row, c), activity(cur, row, c));
            let larger = before.max(now);
            if larger < limit || larger.is_zero() {
                return None;
            }
            let broken = before.is_zero()
                || now.is_zero()
                || now >= before.saturating_mul(FACTOR)
                || before >= now.saturating_mul(FACTOR);
            broken.then_some(Break { row, before, now })
        })
        .collect()
}

/// Runs the test over the years of a submission (in any order).
pub fn check(years: &[YearView], out: &mut Vec<Finding>) {
    let mut sorted: Vec<&YearView> = years.iter().collect();
    sorted.sort_by_key(|y| y.year());
    let rows: Vec<&Row> = nfr::sector_rows().collect();
    for pair in sorted.windows(2) {
        let (prev, cur) = (pair[0], pair[1]);
        for (c, (letter, name)) in COLUMNS.iter().enumerate() {
            let breaks = column_breaks(prev, cur, c, &rows);
            for b in &breaks {
                let counterpart = breaks.iter().find(|o| {
                    let (d, e) = (b.delta(), o.delta());
                    d.is_sign_negative() != e.is_sign_negative()
                        && d.abs() <= e.abs().saturating_mul(SIMILAR)
                        && e.abs() <= d.abs().saturating_mul(SIMILAR)
                });
                let ratio = if b.before.is_zero() {
                    "from none".to_string()
                } else {
                    format!("× {}", (b.now / b.before).round_dp(2).normalize())
                };
                let unit = if c == 5 {
                    other_unit(cur, b.row)
                } else {
                    "TJ".to_string()
                };
                let mut message = format!(
                    "{} {name} ({letter}{}) {} = {} {unit} against {} {unit} in {} ({ratio}): a break in the activity data",
                    b.row.code,
                    b.row.number,
                    cur.year(),
                    show(b.now),
                    show(b.before),
                    prev.year(),
                );
                if let Some(o) = counterpart {
                    message.push_str(&format!(
                        ", while {} moved the other way ({} to {} {unit}): a reclassification between the two rows?",
                        o.row.code,
                        show(o.before),
                        show(o.now)
                    ));
                }
                message.push_str("; if the statistics changed, not the use, map the years consistently (mapping.toml) or explain the break in the IIR");
                out.push(Finding::at(
                    Severity::Warning,
                    "time-series.activity-break",
                    cur,
                    b.row,
                    letter,
                    message,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annex1::{Annex1Year, Header};
    use crate::notation_key::Cell;

    fn year(y: i32, households: &str, commercial: &str, rail: &str) -> Annex1Year {
        let mut t = Annex1Year::empty(Header {
            year: y,
            ..Header::default()
        });
        let d = |s: &str| Cell::Number(Decimal::from_str_exact(s).unwrap());
        t.row_mut("1A4bi").unwrap().fuels[1] = d(households);
        t.row_mut("1A4ai").unwrap().fuels[1] = d(commercial);
        t.row_mut("1A3c").unwrap().fuels[0] = d(rail);
        t.row_mut("1A1a").unwrap().fuels[1] = d("1000000");
        t
    }

    #[test]
    fn a_reclassification_and_a_jump_are_found() {
        // Kazakhstan-like: 150 000 TJ of coal move from households to
        // commercial in 2022; rail gas oil grows 5.5 times by 2023.
        let tables = [
            year(2021, "300000", "100000", "12000"),
            year(2022, "150000", "250000", "13000"),
            year(2023, "290000", "110000", "66000"),
        ];
        let views: Vec<YearView> = tables
            .iter()
            .map(|t| YearView::plain(t, t.header.year.to_string()))
            .collect();
        let mut out = Vec::new();
        check(&views, &mut out);
        // 300 000 → 150 000 is × 0.5 (a break); 100 000 → 250 000 × 2.5.
        let hh = out
            .iter()
            .find(|f| f.year == Some(2022) && f.code.as_deref() == Some("1A4bi"))
            .unwrap();
        assert!(hh.message.contains("× 0.5"), "{}", hh.message);
        assert!(
            hh.message.contains("while 1A4ai moved the other way"),
            "{}",
            hh.message
        );
        assert_eq!(
            hh.cell.as_deref(),
            Some(&*format!("AG{}", crate::nfr::find("1A4bi").unwrap().number))
        );
        // Rail: 13 000 → 66 000 (× 5.08), above 1 % of the liquid fuels.
        assert!(out.iter().any(|f| f.year == Some(2023)
            && f.code.as_deref() == Some("1A3c")
            && f.message.contains("× 5.08")));
        // 1A1a did not move; 12 000 → 13 000 is no break.
        assert!(!out.iter().any(|f| f.code.as_deref() == Some("1A1a")));
        assert!(
            !out.iter()
                .any(|f| f.year == Some(2022) && f.code.as_deref() == Some("1A3c"))
        );
    }
}
