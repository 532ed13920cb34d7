//! Completeness (CEIP Stage 1): every cell that must hold a number or a
//! notation key holds one.
//!
//! - Sector rows 14-140: every pollutant cell E-AD (error
//!   `completeness.empty`). PM2.5, PM10, TSP and BC before 2000, when
//!   reporting them was not required, must still be filled: with NR or the
//!   number (the message says so); the other keys (NO, NA, IE, C, NE) state
//!   a fact and are accepted there.
//! - Memo items (rows 157-164), and the road-transport rows on fuel used
//!   (143-149) when the year reports any of them: empty pollutant cells are
//!   warnings (they are outside the national total).
//! - Activity data of sector rows (AF-AK): empty cells are warnings
//!   (`completeness.activity-empty`): CEIP asks for activity data or a key.
//!
//! A row with every pollutant cell (or every activity cell) empty is one
//! finding for the range (`E15:AD15`), not 26.
//!
//! NATIONAL TOTAL and the compliance totals are checked by [`super::sums`],
//! which says what they should hold.

use super::{Finding, Severity, Submission, YearView};
use crate::annex1::ACTIVITY_COLUMNS;
use crate::nfr::{self, Row, RowKind};
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use std::collections::HashSet;

const KEYS: &str = "NO, NE, NA, IE, C, NR";

/// PM2.5, PM10, TSP and BC: reported from 2000 on.
pub const PM: [Pollutant; 4] = [
    Pollutant::PM25,
    Pollutant::PM10,
    Pollutant::TSP,
    Pollutant::BC,
];

/// The first year PM must be reported for.
pub const PM_FROM: i32 = 2000;

pub fn check(years: &[YearView], submission: &Submission, out: &mut Vec<Finding>) {
    // Cells whose text could not be read are reported as such, not as empty.
    let unreadable: HashSet<(i32, u32, &str)> = submission
        .unreadable
        .iter()
        .map(|u| (u.year, u.row, u.column.as_str()))
        .collect();
    for y in years {
        let fuel_used_reported = nfr::rows()
            .iter()
            .filter(|r| r.kind == RowKind::FuelUsed)
            .any(|r| Pollutant::ALL.iter().any(|p| !y.cell(r, *p).is_empty()));
        for row in nfr::rows() {
            let severity = match row.kind {
                RowKind::Sector => Severity::Error,
                RowKind::Memo => Severity::Warning,
                RowKind::FuelUsed if fuel_used_reported => Severity::Warning,
                _ => continue,
            };
            let unread = |column: &str| unreadable.contains(&(y.year(), row.number, column));
            pollutant_cells(y, row, severity, &unread, out);
            if row.kind == RowKind::Sector {
                activity_cells(y, row, &unread, out);
            }
        }
    }
}

/// `unread(column)`: the cell's text could not be read; it is reported as
/// such by [`super::notation_keys`], not as empty.
fn pollutant_cells(
    y: &YearView,
    row: &Row,
    severity: Severity,
    unread: &dyn Fn(&str) -> bool,
    out: &mut Vec<Finding>,
) {
    let empty: Vec<Pollutant> = Pollutant::ALL
        .iter()
        .copied()
        .filter(|p| y.cell(row, *p).is_empty() && !unread(p.column()))
        .collect();
    let why = match row.kind {
        RowKind::Memo => " (a memo item, outside the national total, but reported all the same)",
        RowKind::FuelUsed => {
            " (the year reports road transport on fuel used, so all of rows 143-149 are needed)"
        }
        _ => "",
    };
    if empty.len() == Pollutant::ALL.len() {
        out.push(Finding::at(
            severity,
            "completeness.empty",
            y,
            row,
            "E:AD",
            format!(
                "{} ({}) has no value in any pollutant column{why}; every cell needs a number or a notation key ({KEYS})",
                row.code, row.name
            ),
        ));
        return;
    }
    for p in empty {
        let cell = format!("{}{}", p.column(), row.number);
        let message = if PM.contains(&p) && y.year() < PM_FROM {
            format!(
                "{} {p} ({cell}) is empty; {p} was not required before {PM_FROM}, so write NR (or the emission if you have it)",
                row.code
            )
        } else {
            format!(
                "{} {p} ({cell}) is empty{why}; CEIP's completeness test flags empty cells: write the emission or a notation key ({KEYS})",
                row.code
            )
        };
        out.push(
            Finding::at(severity, "completeness.empty", y, row, p.column(), message)
                .with_pollutant(p),
        );
    }
}

fn activity_cells(y: &YearView, row: &Row, unread: &dyn Fn(&str) -> bool, out: &mut Vec<Finding>) {
    let Some(cells) = y.table.rows.get(&row.number) else {
        return;
    };
    let values: Vec<Cell> = cells
        .fuels
        .iter()
        .copied()
        .chain(std::iter::once(cells.other_activity))
        .collect();
    let empty: Vec<usize> = (0..values.len())
        .filter(|&i| values[i].is_empty() && !unread(ACTIVITY_COLUMNS[i]))
        .collect();
    if empty.len() == values.len() {
        out.push(Finding::at(
            Severity::Warning,
            "completeness.activity-empty",
            y,
            row,
            "AF:AK",
            format!(
                "{} has no activity data (AF-AK all empty); give the activity, or a notation key where there is none (NA for a row without fuel combustion)",
                row.code
            ),
        ));
        return;
    }
    let names = crate::pollutant::activity_columns();
    for i in empty {
        let column = ACTIVITY_COLUMNS[i];
        let name = names
            .iter()
            .find(|c| c.column == column)
            .map(|c| c.name.as_str())
            .unwrap_or(column);
        out.push(Finding::at(
            Severity::Warning,
            "completeness.activity-empty",
            y,
            row,
            column,
            format!(
                "{} activity data '{name}' ({column}{}) is empty; give the activity or a notation key ({KEYS})",
                row.code, row.number
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Submission};
    use super::*;
    use crate::annex1::{Annex1Year, Header};
    use crate::notation_key::NotationKey;

    /// A table with every sector and memo cell NA, as a complete template.
    pub(crate) fn complete(year: i32) -> Annex1Year {
        let mut t = Annex1Year::empty(Header {
            year,
            ..Header::default()
        });
        for r in nfr::rows()
            .iter()
            .filter(|r| matches!(r.kind, RowKind::Sector | RowKind::Memo))
        {
            let cells = t.rows.get_mut(&r.number).unwrap();
            for p in Pollutant::ALL {
                cells.set(p, Cell::Key(NotationKey::NA));
            }
            for f in cells.fuels.iter_mut() {
                *f = Cell::Key(NotationKey::NA);
            }
            cells.other_activity = Cell::Key(NotationKey::NA);
        }
        t
    }

    fn run(t: Annex1Year) -> Vec<Finding> {
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t]);
        let views: Vec<YearView> = s
            .years
            .iter()
            .map(|y| YearView::plain(&y.table, s.sheet_name(y)))
            .collect();
        let mut out = Vec::new();
        check(&views, &s, &mut out);
        out
    }

    #[test]
    fn a_complete_table_has_no_finding() {
        assert_eq!(run(complete(2019)), vec![]);
    }

    #[test]
    fn an_empty_cell_is_found_at_its_cell() {
        let mut t = complete(2019);
        t.row_mut("1A1b").unwrap().set(Pollutant::SOx, Cell::Empty);
        let f = run(t);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Error);
        assert_eq!(f[0].check, "completeness.empty");
        assert_eq!(f[0].cell.as_deref(), Some("G15"));
        assert_eq!(f[0].sheet.as_deref(), Some("2019"));
        assert_eq!(f[0].code.as_deref(), Some("1A1b"));
        assert_eq!(f[0].pollutant.as_deref(), Some("SOx"));
    }

    #[test]
    fn a_wholly_empty_row_is_one_finding_and_pm_before_2000_asks_for_nr() {
        let mut t = complete(1995);
        let r = t.row_mut("1A1c").unwrap();
        for p in Pollutant::ALL {
            r.set(p, Cell::Empty);
        }
        t.row_mut("1A2a").unwrap().set(Pollutant::BC, Cell::Empty);
        t.row_mut("1A2a").unwrap().fuels[2] = Cell::Empty;
        // Memo items are warnings.
        t.row_mut("1A3ai(ii)")
            .unwrap()
            .set(Pollutant::NOx, Cell::Empty);
        let f = run(t);
        assert_eq!(f.len(), 4, "{f:?}");
        let row = f
            .iter()
            .find(|x| x.code.as_deref() == Some("1A1c"))
            .unwrap();
        assert_eq!(row.cell.as_deref(), Some("E16:AD16"));
        assert_eq!(row.pollutant, None);
        let bc = f
            .iter()
            .find(|x| x.pollutant.as_deref() == Some("BC"))
            .unwrap();
        assert!(bc.message.contains("write NR"), "{}", bc.message);
        assert_eq!(bc.cell.as_deref(), Some("L17"));
        let act = f
            .iter()
            .find(|x| x.check == "completeness.activity-empty")
            .unwrap();
        assert_eq!(act.cell.as_deref(), Some("AH17"));
        assert_eq!(act.severity, Severity::Warning);
        let memo = f
            .iter()
            .find(|x| x.code.as_deref() == Some("1A3ai(ii)"))
            .unwrap();
        assert_eq!(memo.severity, Severity::Warning);
        assert_eq!(memo.cell.as_deref(), Some("E157"));
    }

    #[test]
    fn fuel_used_rows_are_required_only_when_the_year_reports_them() {
        let t = complete(2019);
        assert!(run(t.clone()).is_empty());
        let mut t = t;
        t.row_mut("1A3bi(fu)")
            .unwrap()
            .set(Pollutant::NOx, Cell::Number(1.into()));
        let f = run(t);
        // The other 25 cells of 1A3bi(fu) and the six other rows (wholly empty).
        assert_eq!(f.len(), 25 + 6, "{f:?}");
        assert!(f.iter().all(|x| x.severity == Severity::Warning));
    }
}
