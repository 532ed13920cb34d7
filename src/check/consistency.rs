//! Physical consistency of the numbers of a row.
//!
//! - `consistency.pm-order` (error): PM2.5 ≤ PM10 ≤ TSP and BC ≤ PM2.5, in
//!   every row where both cells are numbers (PM2.5 ≤ TSP is tested when
//!   PM10 is not a number): fine particles are part of the coarser ones and
//!   black carbon is part of PM2.5.
//! - `consistency.negative` (error): no emission or activity below zero,
//!   except in the ADJUSTMENTS rows (151, 153).
//! - `consistency.adjustment` (error): ADJUSTMENTS and ADJUSTMENTS AND
//!   FLEXIBILITIES are ≤ 0 (notes (c) and (d): "negative value").
//! - `consistency.magnitude` (error): a value of 10^20 or more in the
//!   reporting unit (kt, t, kg, g I-TEQ, TJ) is no inventory value; it is
//!   reported and left out of the other checks (see [`crate::number::MAX_MAGNITUDE`]).

use super::{Finding, Severity, Submission, Tolerance, YearView, show};
use crate::annex1::{ACTIVITY_COLUMNS, Annex1Year};
use crate::nfr::{self, RowKind};
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;

/// The tables with values beyond [`MAX_MAGNITUDE`](crate::number::MAX_MAGNITUDE) emptied, and a finding
/// for each such value.
pub fn within_magnitude(submission: &Submission) -> (Vec<Annex1Year>, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut tables = Vec::new();
    for t in &submission.years {
        let mut table = t.table.clone();
        let view = submission.view(t, &t.table);
        for r in nfr::rows() {
            let Some(cells) = table.rows.get_mut(&r.number) else {
                continue;
            };
            let too_big = |c: &Cell| {
                c.number()
                    .is_some_and(|v| v.abs() >= crate::number::MAX_MAGNITUDE)
            };
            let mut found: Vec<(String, Decimal)> = Vec::new();
            for p in Pollutant::ALL {
                if too_big(&cells.get(p)) {
                    found.push((
                        p.column().to_string(),
                        cells.get(p).number().unwrap_or_default(),
                    ));
                    cells.set(p, Cell::Empty);
                }
            }
            for (i, c) in cells.fuels.iter_mut().enumerate() {
                if too_big(c) {
                    found.push((
                        ACTIVITY_COLUMNS[i].to_string(),
                        c.number().unwrap_or_default(),
                    ));
                    *c = Cell::Empty;
                }
            }
            if too_big(&cells.other_activity) {
                found.push((
                    "AK".to_string(),
                    cells.other_activity.number().unwrap_or_default(),
                ));
                cells.other_activity = Cell::Empty;
            }
            for (column, value) in found {
                findings.push(Finding::at(
                    Severity::Error,
                    "consistency.magnitude",
                    &view,
                    r,
                    &column,
                    format!(
                        "{} {column}{} is {}, beyond any inventory value (10^20 or more in the template's unit); check the unit and the number. It is left out of the other checks",
                        r.code,
                        r.number,
                        show(value)
                    ),
                ));
            }
        }
        tables.push(table);
    }
    (tables, findings)
}

pub fn check(years: &[YearView], tol: Tolerance, out: &mut Vec<Finding>) {
    for y in years {
        pm_order(y, tol, out);
        signs(y, out);
    }
}

fn pm_order(y: &YearView, tol: Tolerance, out: &mut Vec<Finding>) {
    use Pollutant::{BC, PM10, PM25, TSP};
    for r in nfr::rows() {
        let Some(cells) = y.table.rows.get(&r.number) else {
            continue;
        };
        let num = |p: Pollutant| cells.get(p).number();
        let mut pairs = vec![(PM25, PM10), (PM10, TSP), (BC, PM25)];
        if num(PM10).is_none() {
            pairs.push((PM25, TSP));
        }
        for (small, large) in pairs {
            let (Some(a), Some(b)) = (num(small), num(large)) else {
                continue;
            };
            if tol.at_most(a, b) {
                continue;
            }
            let why = if small == BC {
                "black carbon is part of PM2.5"
            } else {
                "the finer fraction is part of the coarser one"
            };
            out.push(
                Finding::at(
                    Severity::Error,
                    "consistency.pm-order",
                    y,
                    r,
                    small.column(),
                    format!(
                        "{} {small} ({}{n}) = {} is above {large} ({}{n}) = {}; {why}, so {small} ≤ {large}: correct one of them",
                        r.code,
                        small.column(),
                        show(a),
                        large.column(),
                        show(b),
                        n = r.number
                    ),
                )
                .with_pollutant(small),
            );
        }
    }
}

fn signs(y: &YearView, out: &mut Vec<Finding>) {
    for r in nfr::rows() {
        let Some(cells) = y.table.rows.get(&r.number) else {
            continue;
        };
        let adjustment = r.kind == RowKind::Compliance && r.code.starts_with("ADJUSTMENTS");
        for p in Pollutant::ALL {
            let Some(v) = cells.get(p).number() else {
                continue;
            };
            let cell = format!("{}{}", p.column(), r.number);
            if adjustment && v > Decimal::ZERO {
                out.push(
                    Finding::at(
                        Severity::Error,
                        "consistency.adjustment",
                        y,
                        r,
                        p.column(),
                        format!(
                            "{} {p} ({cell}) is {}, but adjustments are reported as a negative value (the template's notes (c) and (d)); write it with a minus sign",
                            r.code,
                            show(v)
                        ),
                    )
                    .with_pollutant(p),
                );
            } else if !adjustment && v < Decimal::ZERO {
                out.push(
                    Finding::at(
                        Severity::Error,
                        "consistency.negative",
                        y,
                        r,
                        p.column(),
                        format!(
                            "{} {p} ({cell}) is {}; emissions cannot be negative (only the ADJUSTMENTS rows are)",
                            r.code,
                            show(v)
                        ),
                    )
                    .with_pollutant(p),
                );
            }
        }
        let activity = cells
            .fuels
            .iter()
            .chain(std::iter::once(&cells.other_activity));
        for (i, c) in activity.enumerate() {
            if let Some(v) = c.number().filter(|v| *v < Decimal::ZERO) {
                let column = ACTIVITY_COLUMNS[i];
                out.push(Finding::at(
                    Severity::Error,
                    "consistency.negative",
                    y,
                    r,
                    column,
                    format!(
                        "{} activity {column}{} is {}; activity data cannot be negative",
                        r.code,
                        r.number,
                        show(v)
                    ),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Kind;
    use super::*;
    use crate::annex1::Header;

    fn n(s: &str) -> Cell {
        Cell::Number(Decimal::from_str_exact(s).unwrap())
    }

    fn run(t: Annex1Year, tol: Tolerance) -> Vec<Finding> {
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t]);
        let (tables, mut out) = within_magnitude(&s);
        let views = vec![YearView::plain(&tables[0], "2022")];
        check(&views, tol, &mut out);
        out
    }

    fn pm(pm25: &str, pm10: &str, tsp: &str, bc: &str) -> Annex1Year {
        let mut t = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        let r = t.row_mut("1A4bi").unwrap();
        r.set(Pollutant::PM25, n(pm25));
        r.set(Pollutant::PM10, n(pm10));
        r.set(Pollutant::TSP, n(tsp));
        r.set(Pollutant::BC, n(bc));
        t
    }

    #[test]
    fn pm_fractions_nest() {
        assert!(run(pm("1", "1", "2", "0.1"), Tolerance::exact()).is_empty());
        let f = run(pm("1.2", "1", "2", "0.1"), Tolerance::exact());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cell.as_deref(), Some("I41"));
        assert!(
            f[0].message.contains("1.2 is above PM10 (J41) = 1"),
            "{}",
            f[0].message
        );
        let f = run(pm("1", "3", "2", "1.5"), Tolerance::exact());
        let cells: Vec<&str> = f.iter().filter_map(|x| x.cell.as_deref()).collect();
        assert_eq!(cells, ["J41", "L41"]);
        // Doubles summed apart: within the workbook tolerance they are equal.
        assert!(
            run(
                pm("0.30000000000000004", "0.3", "0.3", "0"),
                Tolerance::workbook()
            )
            .is_empty()
        );
    }

    #[test]
    fn negatives_are_errors_except_adjustments_which_must_be_negative() {
        let mut t = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        t.row_mut("2A1").unwrap().set(Pollutant::SOx, n("-0.5"));
        t.row_mut("2A1").unwrap().other_activity = n("-1");
        t.row_mut("ADJUSTMENTS")
            .unwrap()
            .set(Pollutant::NOx, n("-2"));
        t.row_mut("ADJUSTMENTS AND FLEXIBILITIES")
            .unwrap()
            .set(Pollutant::NH3, n("0.5"));
        let f = run(t, Tolerance::exact());
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|x| (x.check, x.cell.as_deref().unwrap()))
            .collect();
        assert_eq!(
            got,
            [
                ("consistency.negative", "G57"),
                ("consistency.negative", "AK57"),
                ("consistency.adjustment", "H153")
            ]
        );
    }

    #[test]
    fn values_beyond_any_inventory_are_reported_and_left_out() {
        let mut t = pm("1", "1", "2", "0.1");
        t.row_mut("1A4bi")
            .unwrap()
            .set(Pollutant::PM25, n("7900000000000000000000000000"));
        let f = run(t, Tolerance::exact());
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].check, "consistency.magnitude");
        assert_eq!(f[0].cell.as_deref(), Some("I41"));
    }
}
