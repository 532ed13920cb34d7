//! Recalculations: every cell that changed between two submissions of the
//! same years (`airinv check NEW --previous OLD`), with its absolute and
//! relative change, so the IIR's recalculation table writes itself
//! (`--recalculations FILE.csv`).
//!
//! Every pollutant cell (E-AD) and activity cell (AF-AK) of every row is
//! compared, totals included. A number that became a key or the reverse
//! (NE → 0.5) is a change. Unless both submissions are inventory folders
//! (exact decimals), numbers are compared as Excel shows them, to 15
//! significant digits (see [`super::Tolerance`]): a difference in the 16th
//! digit is the noise of doubles, not a recalculation. Years found in one submission only are named
//! (`recalculation.years`).

use super::{Finding, Kind, Severity, Submission, Tolerance, YearView, show};
use crate::annex1::ACTIVITY_COLUMNS;
use crate::nfr::{self, Row, RowKind};
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;

/// One cell that changed.
#[derive(Debug, Clone)]
pub struct Change {
    pub year: i32,
    pub sheet: String,
    pub row: &'static Row,
    /// The template column letter.
    pub column: String,
    /// The cell in the current submission's sheet (`E14`).
    pub cell: String,
    /// The pollutant id or the activity column's name.
    pub what: String,
    pub pollutant: Option<Pollutant>,
    pub unit: String,
    pub previous: Cell,
    pub current: Cell,
}

impl Change {
    /// current − previous, when both are numbers.
    pub fn difference(&self) -> Option<Decimal> {
        self.current.number()?.checked_sub(self.previous.number()?)
    }

    /// The change in % of the previous value, rounded to `dp` decimals.
    pub fn percent(&self, dp: u32) -> Option<Decimal> {
        let previous = self.previous.number().filter(|p| !p.is_zero())?;
        let ratio = self.difference()?.checked_div(previous)?;
        ratio
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|p| p.round_dp(dp).normalize())
    }
}

/// What changed between two submissions.
#[derive(Debug, Clone, Default)]
pub struct Recalculation {
    pub changes: Vec<Change>,
    /// Years found in the previous submission only.
    pub only_previous: Vec<i32>,
    /// Years found in the current submission only.
    pub only_current: Vec<i32>,
}

/// Compares the years the two submissions share, cell by cell.
pub fn compare(previous: &Submission, current: &Submission) -> Recalculation {
    let tol = if previous.kind == Kind::Inventory && current.kind == Kind::Inventory {
        Tolerance::exact()
    } else {
        Tolerance::workbook()
    };
    let mut r = Recalculation::default();
    let year_of =
        |s: &Submission| -> Vec<i32> { s.years.iter().map(|y| y.table.header.year).collect() };
    let (old_years, new_years) = (year_of(previous), year_of(current));
    r.only_previous = old_years
        .iter()
        .copied()
        .filter(|y| !new_years.contains(y))
        .collect();
    r.only_current = new_years
        .iter()
        .copied()
        .filter(|y| !old_years.contains(y))
        .collect();
    let activity_names = crate::pollutant::activity_columns();
    for new in &current.years {
        let year = new.table.header.year;
        let Some(old) = previous.years.iter().find(|o| o.table.header.year == year) else {
            continue;
        };
        let view = current.view(new, &new.table);
        let sheet = view.sheet.clone();
        for row in nfr::rows().iter().filter(|r| r.kind != RowKind::MemoHeader) {
            let (Some(a), Some(b)) = (
                old.table.rows.get(&row.number),
                new.table.rows.get(&row.number),
            ) else {
                continue;
            };
            let mut cells: Vec<(String, String, Option<Pollutant>, String, Cell, Cell)> =
                Pollutant::ALL
                    .iter()
                    .map(|p| {
                        (
                            p.column().to_string(),
                            p.id().to_string(),
                            Some(*p),
                            p.unit().to_string(),
                            a.get(*p),
                            b.get(*p),
                        )
                    })
                    .collect();
            let old_activity = a.fuels.iter().chain(std::iter::once(&a.other_activity));
            let new_activity = b.fuels.iter().chain(std::iter::once(&b.other_activity));
            for (i, (x, y)) in old_activity.zip(new_activity).enumerate() {
                let column = ACTIVITY_COLUMNS[i];
                let name = activity_names
                    .iter()
                    .find(|c| c.column == column)
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| column.to_string());
                let unit = if i < 5 {
                    "TJ NCV".to_string()
                } else {
                    b.other_activity_unit.clone()
                };
                cells.push((column.to_string(), name, None, unit, *x, *y));
            }
            for (column, what, pollutant, unit, x, y) in cells {
                let same = match (x, y) {
                    (Cell::Number(p), Cell::Number(q)) => tol.equal(p, q),
                    (p, q) => p == q,
                };
                if !same {
                    r.changes.push(Change {
                        year,
                        sheet: sheet.clone(),
                        row,
                        cell: view.cell_ref(row, &column),
                        column,
                        what,
                        pollutant,
                        unit,
                        previous: x,
                        current: y,
                    });
                }
            }
        }
    }
    r
}

fn cell_words(c: Cell) -> String {
    match c {
        Cell::Empty => "empty".to_string(),
        other => other.to_string(),
    }
}

/// One info finding per changed cell, and one per year found in one
/// submission only.
pub fn findings(r: &Recalculation) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &r.changes {
        let view_table = crate::annex1::Annex1Year::empty(crate::annex1::Header {
            year: c.year,
            ..Default::default()
        });
        let view = YearView::plain(&view_table, c.sheet.clone());
        let change = match (c.difference(), c.percent(2)) {
            (Some(d), Some(p)) => format!(": {}{} ({}{} %)", sign(d), show(d), sign(p), show(p)),
            (Some(d), None) => format!(": {}{}", sign(d), show(d)),
            _ => String::new(),
        };
        let mut f = Finding::at(
            Severity::Info,
            "recalculation.changed",
            &view,
            c.row,
            &c.column,
            format!(
                "{} {} {} ({}) changed from {} to {} {}{change}; explain the recalculation in the IIR",
                c.row.code,
                c.what,
                c.year,
                c.cell,
                cell_words(c.previous),
                cell_words(c.current),
                c.unit
            ),
        );
        if let Some(p) = c.pollutant {
            f = f.with_pollutant(p);
        }
        f.cell = Some(c.cell.clone());
        out.push(f);
    }
    for (years, which) in [
        (&r.only_previous, "the previous submission only"),
        (&r.only_current, "this submission only"),
    ] {
        for y in years.iter() {
            let mut f = Finding::new(
                Severity::Info,
                "recalculation.years",
                format!("{y} is in {which}: it is not compared"),
            );
            f.year = Some(*y);
            out.push(f);
        }
    }
    out
}

fn sign(d: Decimal) -> &'static str {
    if d > Decimal::ZERO { "+" } else { "" }
}

/// The columns of the recalculation table.
pub const CSV_HEADER: [&str; 11] = [
    "year",
    "sheet",
    "cell",
    "code",
    "name",
    "column",
    "unit",
    "previous",
    "current",
    "change",
    "change_percent",
];

/// Writes the recalculation table: one line per changed cell, exact
/// decimals (the percentage rounded to 4 decimals).
pub fn write_csv<W: std::io::Write>(out: W, r: &Recalculation) -> std::io::Result<()> {
    let mut w = crate::output::csv_writer(out);
    w.write_record(CSV_HEADER)?;
    for c in &r.changes {
        let record = [
            c.year.to_string(),
            c.sheet.clone(),
            c.cell.clone(),
            c.row.code.clone(),
            c.row.name.clone(),
            c.what.clone(),
            c.unit.clone(),
            c.previous.to_string(),
            c.current.to_string(),
            c.difference().map(show).unwrap_or_default(),
            c.percent(4).map(show).unwrap_or_default(),
        ];
        crate::output::write_safe_record(&mut w, &record)?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annex1::{Annex1Year, Header};
    use crate::notation_key::NotationKey;

    fn n(s: &str) -> Cell {
        Cell::Number(Decimal::from_str_exact(s).unwrap())
    }

    fn table(year: i32) -> Annex1Year {
        let mut t = Annex1Year::empty(Header {
            year,
            ..Header::default()
        });
        t.row_mut("1A1a").unwrap().set(Pollutant::NOx, n("3.2"));
        t.row_mut("1A1a").unwrap().fuels[2] = n("1000");
        t.row_mut("1A1b")
            .unwrap()
            .set(Pollutant::NOx, Cell::Key(NotationKey::NE));
        t
    }

    #[test]
    fn changed_cells_with_absolute_and_relative_change() {
        let old = Submission::from_tables(Kind::AnnexCsv, vec![table(2019), table(2020)]);
        let mut a = table(2020);
        a.row_mut("1A1a").unwrap().set(Pollutant::NOx, n("3.36"));
        a.row_mut("1A1a").unwrap().fuels[2] = n("990");
        a.row_mut("1A1b").unwrap().set(Pollutant::NOx, n("0.5"));
        let new = Submission::from_tables(Kind::AnnexCsv, vec![a, table(2021)]);
        let r = compare(&old, &new);
        assert_eq!(r.only_previous, [2019]);
        assert_eq!(r.only_current, [2021]);
        let got: Vec<(String, Option<Decimal>, Option<Decimal>)> = r
            .changes
            .iter()
            .map(|c| (c.cell.clone(), c.difference(), c.percent(2)))
            .collect();
        let d = |s: &str| Some(Decimal::from_str_exact(s).unwrap());
        assert_eq!(
            got,
            [
                ("E14".to_string(), d("0.16"), d("5")),
                ("AH14".to_string(), d("-10"), d("-1")),
                ("E15".to_string(), None, None),
            ]
        );
        let f = findings(&r);
        assert!(
            f[0].message
                .contains("1A1a NOx 2020 (E14) changed from 3.2 to 3.36 kt: +0.16 (+5 %)"),
            "{}",
            f[0].message
        );
        assert!(f[2].message.contains("from NE to 0.5"), "{}", f[2].message);
        let mut csv = Vec::new();
        write_csv(&mut csv, &r).unwrap();
        let csv = String::from_utf8(csv).unwrap();
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "2020,2020,E14,1A1a,Public electricity and heat production,NOx,kt,3.2,3.36,0.16,5"
        );
        assert_eq!(
            csv.lines().nth(2).unwrap(),
            "2020,2020,AH14,1A1a,Public electricity and heat production,Gaseous Fuels,TJ NCV,1000,990,-10,-1"
        );
    }

    #[test]
    fn workbook_noise_is_no_recalculation() {
        let old = Submission::from_tables(Kind::Workbook, vec![table(2019)]);
        let mut a = table(2019);
        a.row_mut("1A1a")
            .unwrap()
            .set(Pollutant::NOx, n("3.2000000000000003"));
        let new = Submission::from_tables(Kind::Workbook, vec![a.clone()]);
        assert!(compare(&old, &new).changes.is_empty());
        // Between two inventories compiled in memory, exact decimals differ.
        let new = Submission::from_tables(Kind::Inventory, vec![a]);
        let old = Submission::from_tables(Kind::Inventory, vec![table(2019)]);
        assert_eq!(compare(&old, &new).changes.len(), 1);
    }
}
