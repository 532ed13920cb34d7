//! Sums: the totals of the template are what its notes define.
//!
//! The expected values come from [`crate::annex1::Annex1Year`]'s own rules
//! (the ones `airinv compile` writes with), applied to a copy of the table:
//!
//! - `sum.national-total` (error): NATIONAL TOTAL (row 141) = Σ rows 14-140,
//!   note (a) ([`Annex1Year::compute_totals`]).
//! - `sum.pah` (error): PAH1-4 (Total 1-4, column AA) = BaP + BbF + BkF +
//!   IcdP, in every row ([`Annex1Year::derive_pah_totals`]).
//! - `sum.compliance` (error when it differs, warning when it is empty):
//!   COMPLIANCE TOTAL (CLRTAP) (row 152) by note (c) and COMPLIANCE TOTAL
//!   (NECD) (row 154) by note (e). The correction each note adds to the
//!   national total (adjustments, fuel used, 3B + 3D) is taken from
//!   `compute_totals` and added to the *reported* national total, so a wrong
//!   national total is reported once, not again in the compliance rows.
//!   The template applies the fuel-used correction "if applicable": a total
//!   that matches the rule with it or without it is accepted, and
//!   `sum.compliance-basis` (info) says which basis each total uses in
//!   which years.
//!
//! A total of 0 over rows with no number (keys only), in a table read from
//! a file, is what Excel's `=SUM` shows there and is not reported.
//!
//! A total is compared when either side has a number: a number against a
//! number within the submission's [`super::Tolerance`] (exact for decimal
//! tables; for workbooks, the rounding of the values involved), and a number
//! on one side only (a key or nothing on the other) is a finding (a 0 over
//! four PAHs that are keys is a warning: a key written as a number). Two keys are not
//! compared: which key a sum of keys should carry is a convention, not a
//! number.

use super::{Finding, Severity, Tolerance, YearView, show};
use crate::annex1::Annex1Year;
use crate::nfr::{self, Row, RowKind};
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;

pub fn check(years: &[YearView], tol: Tolerance, out: &mut Vec<Finding>) {
    let mut bases = Bases::new();
    for y in years {
        national_total(y, tol, out);
        pah(y, tol, out);
        compliance_with_bases(y, tol, out, &mut bases);
    }
    // An inventory compiled in memory applies the correction by the rules:
    // its basis says nothing.
    if tol == Tolerance::AsExcelShows {
        out.extend(basis_findings(&bases));
    }
}

fn row(code: &str) -> &'static Row {
    nfr::find(code).expect("a row of the template")
}

/// The numbers of some rows for a pollutant: the terms of a sum.
fn terms<'r>(t: &Annex1Year, rows: impl Iterator<Item = &'r Row>, p: Pollutant) -> Vec<Decimal> {
    rows.filter_map(|r| t.rows.get(&r.number).and_then(|c| c.get(p).number()))
        .collect()
}

/// What differs between a reported and an expected total, in words.
fn differs(reported: Cell, expected: Cell, terms: &[Decimal], tol: Tolerance) -> Option<String> {
    match (reported, expected) {
        (Cell::Number(r), Cell::Number(e)) => (!tol.sum_matches(r, e, terms)).then(|| {
            format!(
                "is {} but should be {} (difference {})",
                show(r),
                show(e),
                r.checked_sub(e).map(show).unwrap_or_else(|| "?".into())
            )
        }),
        (Cell::Number(r), other) => Some(format!(
            "is {} but the cells it sums have no number ({})",
            show(r),
            if other.is_empty() {
                "all empty".to_string()
            } else {
                format!("they sum to {other}")
            }
        )),
        (Cell::Empty, Cell::Number(e)) => Some(format!("is empty but should be {}", show(e))),
        (Cell::Key(k), Cell::Number(e)) => Some(format!("is {k} but should be {}", show(e))),
        _ => None,
    }
}

fn national_total(y: &YearView, tol: Tolerance, out: &mut Vec<Finding>) {
    let mut computed = y.table.clone();
    computed.compute_totals();
    let nt = row("NATIONAL TOTAL");
    for p in Pollutant::ALL {
        let reported = y.cell(nt, p);
        let expected = computed.rows[&nt.number].get(p);
        if excel_sum_of_no_number(reported, expected, tol) {
            continue;
        }
        let terms = terms(y.table, nfr::sector_rows(), p);
        if let Some(what) = differs(reported, expected, &terms, tol) {
            let message = match as_text_left_out(y, p, reported, tol) {
                Some(cells) => format!(
                    "NATIONAL TOTAL {p} ({}{}) {what}, the sum of rows 14-140 (note (a) of the template): it is the sum without the numbers stored as text in {cells}, which Excel's SUM leaves out; store them as numbers and the total follows",
                    p.column(),
                    nt.number
                ),
                None => format!(
                    "NATIONAL TOTAL {p} ({}{}) {what}, the sum of rows 14-140 (note (a) of the template); correct the total or the rows",
                    p.column(),
                    nt.number
                ),
            };
            out.push(
                Finding::at(
                    Severity::Error,
                    "sum.national-total",
                    y,
                    nt,
                    p.column(),
                    message,
                )
                .with_pollutant(p),
            );
        }
    }
}

/// The sector cells of a pollutant that a workbook holds as text, when the
/// reported total is the sum of the rows without them (what `=SUM` shows):
/// their references, for the message.
fn as_text_left_out(y: &YearView, p: Pollutant, reported: Cell, tol: Tolerance) -> Option<String> {
    let map = y.map?;
    let column = crate::workbook::Column::Pollutant(p);
    let (text, numbers): (Vec<&Row>, Vec<&Row>) = nfr::sector_rows()
        .filter(|r| {
            y.table
                .rows
                .get(&r.number)
                .is_some_and(|c| c.get(p).number().is_some())
        })
        .partition(|r| map.stored_as_text(r.number, column));
    if text.is_empty() {
        return None;
    }
    let kept = terms(y.table, numbers.into_iter(), p);
    let sum = kept
        .iter()
        .try_fold(Decimal::ZERO, |a, t| a.checked_add(*t))?;
    let r = reported.number()?;
    tol.sum_matches(r, sum, &kept).then(|| {
        text.iter()
            .map(|t| y.cell_ref(t, p.column()))
            .collect::<Vec<_>>()
            .join(", ")
    })
}

/// True for a total that is 0 over rows with no number (keys or empty) in
/// a table read from a file: what Excel's `=SUM(E14:E140)` shows when the
/// rows hold only notation keys, as row 141 of the template computes it.
/// The sum is right as Excel defines it; which key a sum of keys should
/// carry is a convention, not a number.
fn excel_sum_of_no_number(reported: Cell, expected: Cell, tol: Tolerance) -> bool {
    tol == Tolerance::AsExcelShows
        && reported.number().is_some_and(|v| v.is_zero())
        && expected.number().is_none()
}

fn pah(y: &YearView, tol: Tolerance, out: &mut Vec<Finding>) {
    let mut computed = y.table.clone();
    computed.derive_pah_totals();
    let total = Pollutant::PAH14;
    // The totals' PAH1-4 follows from the rows' and the national total
    // check: testing it again would repeat the rows' findings.
    for r in nfr::rows()
        .iter()
        .filter(|r| !matches!(r.kind, RowKind::NationalTotal | RowKind::Compliance))
    {
        let Some(cells) = y.table.rows.get(&r.number) else {
            continue;
        };
        let reported = cells.get(total);
        let expected = computed.rows[&r.number].get(total);
        let four: Vec<Decimal> = Pollutant::PAHS
            .iter()
            .filter_map(|p| cells.get(*p).number())
            .collect();
        if let Some(what) = differs(reported, expected, &four, tol) {
            let four: Vec<String> = Pollutant::PAHS
                .iter()
                .map(|p| format!("{}{}", p.column(), r.number))
                .collect();
            // A 0 over four keys (or a key over four zeros) is a key written
            // as a number, not a wrong sum.
            let zero = |c: Cell| c.number().is_some_and(|v| v.is_zero());
            let severity = if zero(reported) || zero(expected) {
                Severity::Warning
            } else {
                Severity::Error
            };
            out.push(
                Finding::at(
                    severity,
                    "sum.pah",
                    y,
                    r,
                    total.column(),
                    format!(
                        "{} PAH1-4 ({}{}) {what}, the sum BaP + BbF + BkF + IcdP ({}); correct the total or the four PAHs",
                        r.code,
                        total.column(),
                        r.number,
                        four.join(" + ")
                    ),
                )
                .with_pollutant(total),
            );
        }
    }
}

/// Whether a Party's compliance total applies the fuel-used correction of
/// notes (c) and (e) (Σ rows 143-149 − Σ rows 1A3bi-1A3bvii): the template
/// says "if applicable", and both are accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Basis {
    WithFuelUsed,
    WithoutFuelUsed,
    /// Some pollutants one way, some the other.
    Mixed,
}

impl Basis {
    fn words(self) -> &'static str {
        match self {
            Basis::WithFuelUsed => {
                "with the fuel-used correction (rows 143-149 in place of road transport on fuel sold)"
            }
            Basis::WithoutFuelUsed => {
                "without the fuel-used correction (road transport on fuel sold, as in the national total; note (c) applies the correction \"if applicable\")"
            }
            Basis::Mixed => {
                "with the fuel-used correction for some pollutants and without it for others"
            }
        }
    }
}

/// The basis each compliance total of each year was found on, for the
/// submission-wide info finding.
type Bases = std::collections::BTreeMap<(u32, i32), Basis>;

/// A copy of the table without road transport on fuel used: the
/// compliance totals a Party computes without the correction.
fn without_fuel_used(t: &Annex1Year) -> Annex1Year {
    let mut t = t.clone();
    for r in nfr::rows().iter().filter(|r| r.kind == RowKind::FuelUsed) {
        if let Some(cells) = t.rows.get_mut(&r.number) {
            for p in Pollutant::ALL {
                cells.set(p, Cell::Empty);
            }
        }
    }
    t.compute_totals();
    t
}

/// The compliance checks of a year, recording the basis of each total.
fn compliance_with_bases(y: &YearView, tol: Tolerance, out: &mut Vec<Finding>, bases: &mut Bases) {
    let mut computed = y.table.clone();
    computed.compute_totals();
    let no_fu = without_fuel_used(y.table);
    let nt = row("NATIONAL TOTAL");
    let targets = [
        (
            row("COMPLIANCE TOTAL (CLRTAP)"),
            "note (c): NATIONAL TOTAL + ADJUSTMENTS (row 151), and where road transport is reported on fuel used and applicable, + rows 143-149 − rows 1A3bi-1A3bvii",
        ),
        (
            row("COMPLIANCE TOTAL (NECD)"),
            "note (e): NATIONAL TOTAL + ADJUSTMENTS AND FLEXIBILITIES (row 153), the same fuel-used correction where applicable, and for NOx and NMVOC in 2005 and from 2020 − sectors 3B and 3D",
        ),
    ];
    // The terms of the corrections: adjustments, fuel used, road transport,
    // 3B and 3D (their rounding is what a total may carry).
    let correction_rows: Vec<&Row> = nfr::rows()
        .iter()
        .filter(|r| {
            r.kind == RowKind::FuelUsed
                || r.code.starts_with("ADJUSTMENTS")
                || r.code.starts_with("1A3b")
                || r.code.starts_with("3B")
                || r.code.starts_with("3D")
        })
        .collect();
    // The rule applied to the national total as reported, by a table's
    // correction (the computed total minus the computed national total).
    let expected_by = |table: &Annex1Year, target: &Row, p: Pollutant| -> Cell {
        let correction = match (
            table.rows[&target.number].get(p),
            table.rows[&nt.number].get(p),
        ) {
            (Cell::Number(c), Cell::Number(n)) => c.checked_sub(n),
            _ => None,
        };
        match (y.cell(nt, p), correction) {
            (Cell::Number(n), Some(c)) => n.checked_add(c).map(Cell::Number),
            (Cell::Number(n), None) => Some(Cell::Number(n)),
            _ => None,
        }
        .unwrap_or_else(|| table.rows[&target.number].get(p))
    };
    for (target, note) in targets {
        let mut expected_cells: Vec<(Pollutant, Cell, Cell, Cell, Vec<Decimal>)> = Vec::new();
        for p in Pollutant::ALL {
            let expected = expected_by(&computed, target, p);
            let expected_without = expected_by(&no_fu, target, p);
            let mut t = terms(y.table, correction_rows.iter().copied(), p);
            t.extend(y.cell(nt, p).number());
            expected_cells.push((p, y.cell(target, p), expected, expected_without, t));
        }
        let all_empty = expected_cells.iter().all(|(_, r, _, _, _)| r.is_empty());
        let any_expected = expected_cells
            .iter()
            .any(|(_, _, e, _, _)| e.number().is_some());
        if all_empty && any_expected {
            let example = expected_cells
                .iter()
                .find_map(|(p, _, e, _, _)| e.number().map(|v| format!("{p} {}", show(v))))
                .unwrap_or_default();
            out.push(Finding::at(
                Severity::Warning,
                "sum.compliance",
                y,
                target,
                "E:AD",
                format!(
                    "{} (row {}) is empty; the template defines it by {note} (here e.g. {example}); fill it in",
                    target.code, target.number
                ),
            ));
            continue;
        }
        let (mut with, mut without) = (0usize, 0usize);
        for (p, reported, expected, expected_without, t) in expected_cells {
            let with_fu = differs(reported, expected, &t, tol);
            let Some(what) = with_fu else {
                // Matches with the correction; count it when the correction
                // makes a difference.
                if differs(reported, expected_without, &t, tol).is_some() {
                    with += 1;
                }
                continue;
            };
            if differs(reported, expected_without, &t, tol).is_none() {
                without += 1;
                continue;
            }
            if excel_sum_of_no_number(reported, expected, tol) {
                continue;
            }
            let also = if expected_without != expected {
                match expected_without {
                    Cell::Number(v) => {
                        format!(" (or {} without the fuel-used correction)", show(v))
                    }
                    _ => String::new(),
                }
            } else {
                String::new()
            };
            let severity = if reported.is_empty() {
                Severity::Warning
            } else {
                Severity::Error
            };
            out.push(
                Finding::at(
                    severity,
                    "sum.compliance",
                    y,
                    target,
                    p.column(),
                    format!(
                        "{} {p} ({}{}) {what}{also}, by the template's {note}",
                        target.code,
                        p.column(),
                        target.number
                    ),
                )
                .with_pollutant(p),
            );
        }
        let basis = match (with, without) {
            (0, 0) => None,
            (_, 0) => Some(Basis::WithFuelUsed),
            (0, _) => Some(Basis::WithoutFuelUsed),
            _ => Some(Basis::Mixed),
        };
        if let Some(b) = basis {
            bases.insert((target.number, y.year()), b);
        }
    }
}

/// One info finding per compliance total saying on which basis the Party
/// computed it, in which years (only years where the fuel-used correction
/// makes a difference tell).
fn basis_findings(bases: &Bases) -> Vec<Finding> {
    let mut by: std::collections::BTreeMap<(u32, Basis), Vec<i32>> = Default::default();
    for ((row_number, year), b) in bases {
        by.entry((*row_number, *b)).or_default().push(*year);
    }
    by.into_iter()
        .map(|((row_number, b), years)| {
            let r = nfr::by_number(row_number).expect("a compliance row");
            let mut f = Finding::new(
                Severity::Info,
                "sum.compliance-basis",
                format!(
                    "{} (row {}) is computed {} in {}; both are accepted",
                    r.code,
                    r.number,
                    b.words(),
                    super::year_ranges(&years)
                ),
            );
            f.code = Some(r.code.clone());
            f
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Submission};
    use super::*;
    use crate::annex1::Header;
    use crate::notation_key::NotationKey;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn n(s: &str) -> Cell {
        Cell::Number(d(s))
    }

    fn table(year: i32) -> Annex1Year {
        let mut t = Annex1Year::empty(Header {
            year,
            ..Header::default()
        });
        t.row_mut("1A1a").unwrap().set(Pollutant::NOx, n("3.3"));
        t.row_mut("3B1a").unwrap().set(Pollutant::NOx, n("0.7"));
        t.row_mut("1A3bi").unwrap().set(Pollutant::NOx, n("10"));
        t.row_mut("1A3bi(fu)").unwrap().set(Pollutant::NOx, n("9"));
        let r = t.row_mut("1A4bi").unwrap();
        r.set(Pollutant::BaP, n("0.1"));
        r.set(Pollutant::BbF, n("0.2"));
        r.set(Pollutant::BkF, Cell::Key(NotationKey::NE));
        r.set(Pollutant::IcdP, n("0.05"));
        t.derive_pah_totals();
        t.compute_totals();
        t
    }

    fn run(t: Annex1Year, tol: Tolerance) -> Vec<Finding> {
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t]);
        let views = vec![YearView::plain(&s.years[0].table, "2022")];
        let mut out = Vec::new();
        check(&views, tol, &mut out);
        out
    }

    #[test]
    fn totals_made_by_the_rules_pass() {
        let t = table(2022);
        // By hand: NT NOx 3.3 + 0.7 + 10 = 14; CLRTAP 14 + (9 − 10) = 13;
        // NECD 13 − 0.7 (3B, from 2020) = 12.3.
        assert_eq!(
            t.row("NATIONAL TOTAL").unwrap().get(Pollutant::NOx),
            n("14")
        );
        assert_eq!(
            t.row("COMPLIANCE TOTAL (NECD)")
                .unwrap()
                .get(Pollutant::NOx),
            n("12.3")
        );
        assert_eq!(run(t, Tolerance::exact()), vec![]);
    }

    #[test]
    fn a_changed_total_is_found_at_its_cell_once() {
        let mut t = table(2022);
        t.row_mut("NATIONAL TOTAL")
            .unwrap()
            .set(Pollutant::NOx, n("15"));
        let f = run(t.clone(), Tolerance::exact());
        // The compliance totals follow the reported total, so they are now
        // 1 too low as reported (13 vs 14): by the rules applied to 15.
        let nt: Vec<&Finding> = f
            .iter()
            .filter(|x| x.check == "sum.national-total")
            .collect();
        assert_eq!(nt.len(), 1);
        assert_eq!(nt[0].cell.as_deref(), Some("E141"));
        assert!(
            nt[0]
                .message
                .contains("is 15 but should be 14 (difference 1)"),
            "{}",
            nt[0].message
        );
        // Fix the compliance totals to follow the changed national total:
        // then only the national total is reported.
        t.row_mut("COMPLIANCE TOTAL (CLRTAP)")
            .unwrap()
            .set(Pollutant::NOx, n("14"));
        t.row_mut("COMPLIANCE TOTAL (NECD)")
            .unwrap()
            .set(Pollutant::NOx, n("13.3"));
        let f = run(t, Tolerance::exact());
        assert_eq!(f.len(), 1, "{f:?}");
    }

    #[test]
    fn pah_total_and_compliance_mismatches_are_errors_and_empty_compliance_a_warning() {
        let mut t = table(2022);
        t.row_mut("1A4bi").unwrap().set(Pollutant::PAH14, n("0.36"));
        let f = run(t, Tolerance::exact());
        // The row's PAH1-4 and, since it now disagrees with the sector rows,
        // the national total's.
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].check, "sum.national-total");
        assert_eq!(f[0].cell.as_deref(), Some("AB141"));
        assert_eq!(f[1].check, "sum.pah");
        assert_eq!(f[1].cell.as_deref(), Some("AB41"));
        assert!(f[1].message.contains("should be 0.35"), "{}", f[1].message);

        let mut t = table(2022);
        for p in Pollutant::ALL {
            t.row_mut("COMPLIANCE TOTAL (CLRTAP)")
                .unwrap()
                .set(p, Cell::Empty);
        }
        let f = run(t, Tolerance::exact());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Warning);
        assert_eq!(f[0].cell.as_deref(), Some("E152:AD152"));
        assert!(f[0].message.contains("NOx 13"), "{}", f[0].message);
    }

    #[test]
    fn compliance_totals_without_the_fuel_used_correction_are_accepted_and_said() {
        // By hand: NT NOx 14; with the correction 14 + (9 − 10) = 13;
        // without it 14. NECD from 2020 − 3B (0.7): 13.3 without.
        let mut t = table(2022);
        t.row_mut("COMPLIANCE TOTAL (CLRTAP)")
            .unwrap()
            .set(Pollutant::NOx, n("14"));
        t.row_mut("COMPLIANCE TOTAL (NECD)")
            .unwrap()
            .set(Pollutant::NOx, n("13.3"));
        let f = run(t.clone(), Tolerance::workbook());
        assert_eq!(f.len(), 2, "{f:?}");
        assert!(f.iter().all(|x| x.check == "sum.compliance-basis"));
        assert!(
            f[0].message.starts_with(
                "COMPLIANCE TOTAL (CLRTAP) (row 152) is computed without the fuel-used correction"
            ) && f[0].message.ends_with("in 2022; both are accepted"),
            "{}",
            f[0].message
        );
        // Neither basis: 13.5 is an error naming both expected values.
        t.row_mut("COMPLIANCE TOTAL (CLRTAP)")
            .unwrap()
            .set(Pollutant::NOx, n("13.5"));
        let f = run(t, Tolerance::workbook());
        let e: Vec<&Finding> = f.iter().filter(|x| x.check == "sum.compliance").collect();
        assert_eq!(e.len(), 1, "{f:?}");
        assert!(
            e[0].message.contains(
                "is 13.5 but should be 13 (difference 0.5) (or 14 without the fuel-used correction)"
            ),
            "{}",
            e[0].message
        );
    }

    #[test]
    fn a_zero_total_over_keys_is_excels_sum_in_a_workbook() {
        let mut t = table(2022);
        for r in nfr::sector_rows() {
            t.rows
                .get_mut(&r.number)
                .unwrap()
                .set(Pollutant::HCB, Cell::Key(NotationKey::NA));
        }
        t.row_mut("NATIONAL TOTAL")
            .unwrap()
            .set(Pollutant::HCB, n("0"));
        let nt = |f: &[Finding]| f.iter().filter(|x| x.check == "sum.national-total").count();
        assert_eq!(nt(&run(t.clone(), Tolerance::workbook())), 0);
        // In an inventory compiled in memory a 0 over keys is a number
        // where none was computed.
        assert_eq!(nt(&run(t, Tolerance::exact())), 1);
    }

    #[test]
    fn workbook_doubles_are_compared_within_the_tolerance() {
        let mut t = table(2022);
        t.row_mut("NATIONAL TOTAL")
            .unwrap()
            .set(Pollutant::NOx, n("14.000000000000002"));
        t.row_mut("COMPLIANCE TOTAL (CLRTAP)")
            .unwrap()
            .set(Pollutant::NOx, n("13.000000000000002"));
        assert_eq!(
            run(t.clone(), Tolerance::workbook())
                .iter()
                .filter(|f| f.check == "sum.national-total")
                .count(),
            0
        );
        assert_eq!(
            run(t, Tolerance::exact())
                .iter()
                .filter(|f| f.check == "sum.national-total")
                .count(),
            1
        );
    }
}
