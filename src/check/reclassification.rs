//! Reclassifications in the activity statistics: national totals that jump
//! because activity moved between rows, and the splices that resolve them.
//!
//! A statistics office that moves consumers from one line of its balance to
//! another moves their fuel between two Annex I rows; when the rows' factors
//! differ, the national total jumps with no change in what was burnt. CEIP's
//! reviewers flag it as a time-series inconsistency. For each pair of
//! consecutive years (a reclassification is a step from one year to the
//! next; years further apart differ for many reasons) and pollutant whose
//! NATIONAL TOTAL changes by more than [`CHANGE`]:
//!
//! 1. the rows that make most of the change are found: those that moved the
//!    same way as the total, largest first, until they add up to half of it;
//! 2. `time-series.reclassification` (warning) when one of them has an
//!    activity break that year ([`super::activity_breaks`]: × 2 or ÷ 2, at
//!    least 1 % of the column) while other rows' same column moved the other
//!    way by at least half as much (the activity went somewhere else), and no
//!    `[[splice]]` of inventory.toml takes that row, year and fuel group; or
//!    when one of them is declared reclassified by a `[[splice]]` that does
//!    not cover the year;
//! 3. the same id as **info** when the rows are declared for the year: the
//!    activity re-allocated (`basis = "shares"`, resolved: the change left
//!    comes from the rows' total activity) or kept as reported with its
//!    reason (`basis = "reported"`, explained).
//!
//! Every splice is also listed, as gap fills are: `splice.reallocated`
//! (info) for each year and row whose activity airinv re-allocated, with the
//! activity as reported and after; `splice.kept` (info) for each year of a
//! reclassification declared and kept as reported.

use super::activity_breaks::{COLUMNS, activity, column_breaks};
use super::{Finding, Severity, YearView, show};
use crate::fuel::FuelGroup;
use crate::nfr::{self, Row};
use crate::pollutant::Pollutant;
use crate::splice::{Basis, Moved, Splice};
use rust_decimal::Decimal;

/// A national-total change above this share of the year before is looked at.
pub const CHANGE: Decimal = Decimal::from_parts(2, 0, 0, false, 1);

/// The fuel group of an activity column (`None`: other activity, AK).
fn group_of(column: usize) -> Option<FuelGroup> {
    FuelGroup::ALL.get(column).copied()
}

/// A row that makes part of a national total's change, and what is known of it.
struct Driver<'a> {
    row: &'a Row,
    change: Decimal,
}

/// An activity break of a driving row while other rows moved the other way.
struct Moving<'a> {
    row: &'a Row,
    column: usize,
    before: Decimal,
    now: Decimal,
    /// The rows that moved the other way, with their change, largest first.
    others: Vec<(&'a Row, Decimal)>,
}

/// Runs the test over the years of a submission (in any order).
pub fn check(years: &[YearView], splices: &[Splice], out: &mut Vec<Finding>) {
    let mut sorted: Vec<&YearView> = years.iter().collect();
    sorted.sort_by_key(|y| y.year());
    let rows: Vec<&Row> = nfr::sector_rows().collect();
    let nt = nfr::find("NATIONAL TOTAL").expect("row 141");
    for pair in sorted.windows(2) {
        let (prev, cur) = (pair[0], pair[1]);
        if cur.year() - prev.year() != 1 {
            continue;
        }
        let moving = moving_rows(prev, cur, &rows);
        for p in Pollutant::ALL {
            let (Some(before), Some(now)) = (prev.cell(nt, p).number(), cur.cell(nt, p).number())
            else {
                continue;
            };
            let change = now - before;
            if before <= Decimal::ZERO || change.abs() <= before.saturating_mul(CHANGE) {
                continue;
            }
            let drivers = drivers(prev, cur, p, &rows, change);
            if let Some(f) = finding(prev, cur, p, (before, now), &drivers, &moving, splices) {
                out.push(f.with_pollutant(p));
            }
        }
    }
}

/// The rows that make most of a change: those that moved the same way as
/// the total, largest first, until they add up to half of it.
fn drivers<'a>(
    prev: &YearView,
    cur: &YearView,
    p: Pollutant,
    rows: &[&'a Row],
    change: Decimal,
) -> Vec<Driver<'a>> {
    let value = |y: &YearView, r: &Row| y.cell(r, p).number().unwrap_or(Decimal::ZERO);
    let mut same: Vec<Driver> = rows
        .iter()
        .map(|&row| Driver {
            row,
            change: value(cur, row) - value(prev, row),
        })
        .filter(|d| !d.change.is_zero() && d.change.is_sign_negative() == change.is_sign_negative())
        .collect();
    same.sort_by_key(|d| std::cmp::Reverse(d.change.abs()));
    let half = change.abs() / Decimal::TWO;
    let mut sum = Decimal::ZERO;
    let mut out = Vec::new();
    for d in same {
        if sum >= half {
            break;
        }
        sum = sum.saturating_add(d.change.abs());
        out.push(d);
    }
    out
}

/// The activity breaks of a year whose activity went to (or came from)
/// other rows: the other rows' opposite moves in the column add up to at
/// least half of the break.
fn moving_rows<'a>(prev: &YearView, cur: &YearView, rows: &[&'a Row]) -> Vec<Moving<'a>> {
    let mut out = Vec::new();
    for c in 0..COLUMNS.len() {
        for b in column_breaks(prev, cur, c, rows) {
            let delta = b.delta();
            let mut others: Vec<(&Row, Decimal)> = rows
                .iter()
                .filter(|r| r.number != b.row.number)
                .map(|&r| (r, activity(cur, r, c) - activity(prev, r, c)))
                .filter(|(_, d)| !d.is_zero() && d.is_sign_negative() != delta.is_sign_negative())
                .collect();
            others.sort_by_key(|o| std::cmp::Reverse(o.1.abs()));
            let opposite = others
                .iter()
                .fold(Decimal::ZERO, |a, (_, d)| a.saturating_add(d.abs()));
            if opposite >= delta.abs() / Decimal::TWO {
                // The few that make half of the break are named.
                let mut named = Vec::new();
                let mut sum = Decimal::ZERO;
                for o in others {
                    if sum >= delta.abs() / Decimal::TWO {
                        break;
                    }
                    sum = sum.saturating_add(o.1.abs());
                    named.push(o);
                }
                out.push(Moving {
                    row: b.row,
                    column: c,
                    before: b.before,
                    now: b.now,
                    others: named,
                });
            }
        }
    }
    out
}

/// The finding of one year and pollutant, if any.
fn finding(
    prev: &YearView,
    cur: &YearView,
    p: Pollutant,
    (before, now): (Decimal, Decimal),
    drivers: &[Driver],
    moving: &[Moving],
    splices: &[Splice],
) -> Option<Finding> {
    let year = cur.year();
    let covering = |row: &Row| {
        let number = row.number;
        splices
            .iter()
            .filter(move |s| s.rows.iter().any(|r| r.number == number) && s.years.contains(&year))
    };
    let mut suspect: Vec<&Moving> = Vec::new();
    let mut declared: Vec<(&Splice, &Row)> = Vec::new();
    let mut elsewhere: Vec<(&Splice, &Row)> = Vec::new();
    let same_way = |a: Decimal, b: Decimal| a.is_sign_negative() == b.is_sign_negative();
    for d in drivers {
        // The driver's own break the way its emission went, or its part in
        // another row's break (it took or gave the activity that moved).
        for m in moving {
            let own = m.row.number == d.row.number && same_way(m.now - m.before, d.change);
            let part = m
                .others
                .iter()
                .any(|(r, delta)| r.number == d.row.number && same_way(*delta, d.change));
            let covered = covering(d.row).any(|s| s.takes_group(group_of(m.column)));
            if (own || part) && !covered && !suspect.iter().any(|o| std::ptr::eq(*o, m)) {
                suspect.push(m);
            }
        }
        let mut here = covering(d.row).peekable();
        if here.peek().is_some() {
            for s in here {
                if !declared
                    .iter()
                    .any(|(o, r)| o.number == s.number && r.number == d.row.number)
                {
                    declared.push((s, d.row));
                }
            }
        } else if let Some(s) = splices
            .iter()
            .find(|s| s.rows.iter().any(|r| r.number == d.row.number))
        {
            elsewhere.push((s, d.row));
        }
    }
    let nt = nfr::find("NATIONAL TOTAL").expect("row 141");
    let percent = ((now - before) * Decimal::ONE_HUNDRED / before)
        .round_dp(1)
        .normalize();
    let rows: Vec<String> = drivers
        .iter()
        .map(|d| {
            format!(
                "{} ({}{} {})",
                d.row.code,
                sign(d.change),
                show(d.change.abs().round_dp(3).normalize()),
                p.unit()
            )
        })
        .collect();
    let head = format!(
        "NATIONAL TOTAL {p} {year} = {} {} against {} {} in {} ({}{} %), a change of more than {} %: most of it is in {}",
        show(now.round_dp(3).normalize()),
        p.unit(),
        show(before.round_dp(3).normalize()),
        p.unit(),
        prev.year(),
        sign(percent),
        percent.abs(),
        (CHANGE * Decimal::ONE_HUNDRED).normalize(),
        rows.join(", ")
    );
    if !suspect.is_empty() || !elsewhere.is_empty() {
        let mut message = head;
        for m in &suspect {
            let (letter, name) = COLUMNS[m.column];
            let others: Vec<String> = m
                .others
                .iter()
                .map(|(r, d)| {
                    format!(
                        "{} {}{} TJ",
                        r.code,
                        sign(*d),
                        show(d.abs().round_dp(3).normalize())
                    )
                })
                .collect();
            message.push_str(&format!(
                "; {} {name} ({letter}{}) went from {} to {} TJ while {} moved the other way",
                m.row.code,
                m.row.number,
                show(m.before.round_dp(3).normalize()),
                show(m.now.round_dp(3).normalize()),
                others.join(", ")
            ));
        }
        if !suspect.is_empty() {
            message.push_str(": a reclassification in the activity statistics rather than a change in emissions? If the statistics moved the activity, keep each year's total of the rows and split it with one allocation (inventory.toml [[splice]], basis = \"shares\"), or declare it kept as reported with its reason (basis = \"reported\"); else explain the change in the IIR");
        }
        for (s, row) in &elsewhere {
            message.push_str(&format!(
                "; {} is declared reclassified by [[splice]] entry {} for {}, not for {year}: add {year} to its years if the statistics' change reaches it, or explain the change in the IIR",
                row.code,
                s.number,
                crate::check::year_ranges(&s.years)
            ));
        }
        return Some(Finding::at(
            Severity::Warning,
            "time-series.reclassification",
            cur,
            nt,
            p.column(),
            message,
        ));
    }
    if declared.is_empty() {
        return None;
    }
    let mut message = head;
    for (s, row) in &declared {
        let what = match s.basis {
            Basis::Shares(_) => {
                "re-allocated: the change left comes from the rows' total activity, not from the statistics' split"
            }
            Basis::Reported => "kept as reported and explained",
        };
        message.push_str(&format!(
            "; {} is declared reclassified by [[splice]] entry {} ({}), {what}: {}",
            row.code,
            s.number,
            s.basis.describe(),
            s.reason
        ));
    }
    Some(Finding::at(
        Severity::Info,
        "time-series.reclassification",
        cur,
        nt,
        p.column(),
        message,
    ))
}

fn sign(d: Decimal) -> &'static str {
    if d.is_sign_negative() { "−" } else { "+" }
}

/// The splices of an inventory, as infos: each year and row whose activity
/// was re-allocated (`splice.reallocated`), with each fuel as reported and
/// after; each year of a reclassification kept as reported (`splice.kept`).
pub fn declared(splices: &[Splice], moved: &[Moved]) -> Vec<Finding> {
    let mut out = Vec::new();
    for s in splices {
        for &year in &s.years {
            match &s.basis {
                Basis::Reported => {
                    let mut f = Finding::new(
                        Severity::Info,
                        "splice.kept",
                        format!(
                            "{year} {}: declared reclassified in the activity statistics and kept as reported ([[splice]] entry {} of inventory.toml): {}; explain it in the IIR",
                            s.what(),
                            s.number,
                            s.reason
                        ),
                    );
                    f.year = Some(year);
                    f.sheet = Some(year.to_string());
                    out.push(f);
                }
                Basis::Shares(_) => {
                    for row in &s.rows {
                        let mine: Vec<String> = moved
                            .iter()
                            .filter(|m| {
                                m.splice == s.number
                                    && m.key.year == year
                                    && m.key.row.number == row.number
                            })
                            .map(|m| {
                                format!(
                                    "{} {} → {} {}",
                                    if m.key.fuel_text().is_empty() {
                                        "activity"
                                    } else {
                                        m.key.fuel_text()
                                    },
                                    m.reported
                                        .map(|v| show(v.round_dp(3).normalize()))
                                        .unwrap_or_else(|| "none".into()),
                                    show(m.value.round_dp(3).normalize()),
                                    m.key.unit
                                )
                            })
                            .collect();
                        if mine.is_empty() {
                            continue;
                        }
                        let mut f = Finding::new(
                            Severity::Info,
                            "splice.reallocated",
                            format!(
                                "{year} {}: activity re-allocated by airinv, not as reported: {} ([[splice]] entry {} of inventory.toml: {} of {}; {}); document it in the IIR",
                                row.code,
                                mine.join(", "),
                                s.number,
                                s.basis.describe(),
                                s.what(),
                                s.reason
                            ),
                        );
                        f.year = Some(year);
                        f.code = Some(row.code.clone());
                        f.sheet = Some(year.to_string());
                        out.push(f);
                    }
                }
            }
        }
    }
    out
}
