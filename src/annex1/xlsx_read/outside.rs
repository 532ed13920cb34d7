//! Values a year sheet holds outside the Annex I table (a Party's check
//! rows, comments, helper columns), gathered into blocks: one
//! [`Skipped`] per sheet and block, not one per cell.
//!
//! - above the header rows: one block per sheet;
//! - below the last template row: runs of rows (a gap of up to two empty
//!   rows keeps a run together), `rows 171-175 below the table`;
//! - beside the table (columns that are not the template's): runs of
//!   columns, with the rows they span;
//! - inside the table, rows with no NFR code: runs of rows; these are table
//!   cells whose values cannot be placed (`in_table`);
//! - rows whose code is not a template code: one block per row (`in_table`).

use super::Skipped;
use crate::error::{Location, column_letters};
use std::collections::BTreeMap;

/// Where a value outside the table lies.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    Above,
    Below,
    Beside,
    /// A row inside the table with an empty code cell.
    NoCode {
        code_column: String,
    },
    /// A row whose code is not a row of the template; the message says why.
    UnknownCode {
        message: String,
    },
}

/// The values outside the table of one sheet, cell by cell (0-based).
#[derive(Debug, Default)]
pub struct Outside {
    cells: Vec<(Place, u32, u32)>,
}

impl Outside {
    pub fn add(&mut self, place: Place, row: u32, col: u32) {
        self.cells.push((place, row, col));
    }

    /// The blocks, in sheet order (rows, then columns).
    pub fn blocks(mut self, at: &Location) -> Vec<Skipped> {
        self.cells
            .sort_by(|a, b| (a.1, a.2, &a.0).cmp(&(b.1, b.2, &b.0)));
        let mut by_place: BTreeMap<Place, Vec<(u32, u32)>> = BTreeMap::new();
        for (p, r, c) in self.cells {
            by_place.entry(p).or_default().push((r, c));
        }
        let mut out = Vec::new();
        for (place, cells) in by_place {
            match &place {
                Place::Above => out.push(block(at, &place, &cells)),
                Place::Below => {
                    for run in runs(&cells, |rc| rc.0, 2) {
                        out.push(block(at, &place, &run));
                    }
                }
                Place::Beside => {
                    let mut by_col = cells.clone();
                    by_col.sort_by_key(|(r, c)| (*c, *r));
                    for run in runs(&by_col, |rc| rc.1, 0) {
                        out.push(block(at, &place, &run));
                    }
                }
                Place::NoCode { .. } => {
                    for run in runs(&cells, |rc| rc.0, 0) {
                        out.push(block(at, &place, &run));
                    }
                }
                Place::UnknownCode { .. } => {
                    for run in runs(&cells, |rc| rc.0, 0) {
                        // One row per block: each row has its own code.
                        let mut by_row: BTreeMap<u32, Vec<(u32, u32)>> = BTreeMap::new();
                        for rc in run {
                            by_row.entry(rc.0).or_default().push(rc);
                        }
                        for row in by_row.into_values() {
                            out.push(block(at, &place, &row));
                        }
                    }
                }
            }
        }
        out.sort_by_key(|s| (s.at.row, s.at.column.clone().map(|c| (c.len(), c))));
        out
    }
}

/// Splits cells sorted by `key` into runs whose keys are at most
/// `gap + 1` apart.
fn runs(cells: &[(u32, u32)], key: impl Fn(&(u32, u32)) -> u32, gap: u32) -> Vec<Vec<(u32, u32)>> {
    let mut out: Vec<Vec<(u32, u32)>> = Vec::new();
    for rc in cells {
        match out.last_mut() {
            Some(run) if key(rc) <= key(run.last().expect("a run has a cell")) + gap + 1 => {
                run.push(*rc)
            }
            _ => out.push(vec![*rc]),
        }
    }
    out
}

/// A `rows 171-175` / `row 171` span.
fn span(word: &str, first: String, last: String) -> String {
    if first == last {
        format!("{word} {first}")
    } else {
        format!("{word}s {first}-{last}")
    }
}

fn block(at: &Location, place: &Place, cells: &[(u32, u32)]) -> Skipped {
    let r0 = cells.iter().map(|c| c.0).min().unwrap_or(0);
    let r1 = cells.iter().map(|c| c.0).max().unwrap_or(0);
    let c0 = cells.iter().map(|c| c.1).min().unwrap_or(0);
    let c1 = cells.iter().map(|c| c.1).max().unwrap_or(0);
    let first = format!("{}{}", column_letters(c0 as usize), r0 + 1);
    let last = format!("{}{}", column_letters(c1 as usize), r1 + 1);
    let range = if first == last {
        first.clone()
    } else {
        format!("{first}:{last}")
    };
    let rows = span("row", (r0 + 1).to_string(), (r1 + 1).to_string());
    let columns = span(
        "column",
        column_letters(c0 as usize),
        column_letters(c1 as usize),
    );
    let n = cells.len();
    let hold = if r0 == r1 { "holds" } else { "hold" };
    let values = if n == 1 {
        "a value".to_string()
    } else {
        format!("{n} values")
    };
    let (reason, in_table) = match place {
        Place::Above => (
            format!(
                "{rows} above the table's header rows {hold} {values} ({range}): not part of the template's table, ignored"
            ),
            false,
        ),
        Place::Below => (
            format!(
                "{rows} below the table {hold} {values} ({range}): not part of the template, ignored"
            ),
            false,
        ),
        Place::Beside => (
            format!(
                "{columns} beside the table hold{} {values} in {rows} ({range}): not columns of the template, ignored",
                if c0 == c1 { "s" } else { "" }
            ),
            false,
        ),
        Place::NoCode { code_column } => (
            format!(
                "{rows} inside the table {hold} {values} ({range}) but no NFR code in column {code_column}: these values cannot be placed in the template and are not read"
            ),
            true,
        ),
        Place::UnknownCode { message } => (
            format!("{message}: the {values} of {rows} ({range}) are not read"),
            true,
        ),
    };
    Skipped {
        at: at
            .clone()
            .with_row(u64::from(r0) + 1)
            .with_column(column_letters(c0 as usize)),
        range,
        reason,
        in_table,
        cells: n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_check_row_and_a_helper_column_are_one_block_each() {
        let at = Location::file("f.xlsx").with_sheet("2019");
        let mut o = Outside::default();
        // A check row 173 (0-based 172) over E-AD, and row 175 two rows on.
        for c in 4..30 {
            o.add(Place::Below, 172, c);
        }
        o.add(Place::Below, 174, 4);
        // A helper column AN (39) in rows 14-141.
        for r in 13..141 {
            o.add(Place::Beside, r, 39);
        }
        // Far below: a separate block.
        o.add(Place::Below, 199, 4);
        let b = o.blocks(&at);
        assert_eq!(b.len(), 3, "{b:?}");
        assert_eq!(b[0].range, "AN14:AN141");
        assert_eq!(b[0].cells, 128);
        assert!(
            b[0].reason
                .starts_with("column AN beside the table holds 128 values in rows 14-141"),
            "{}",
            b[0].reason
        );
        assert_eq!(b[1].range, "E173:AD175");
        assert_eq!(b[1].cells, 27);
        assert!(
            b[1].reason
                .starts_with("rows 173-175 below the table hold 27 values"),
            "{}",
            b[1].reason
        );
        assert!(!b[1].in_table);
        assert_eq!(b[2].range, "E200");
        assert_eq!(b[2].at.to_string(), "f.xlsx, sheet 2019, cell E200");
    }

    #[test]
    fn rows_without_a_code_inside_the_table_are_table_values() {
        let at = Location::file("f.xlsx").with_sheet("2019");
        let mut o = Outside::default();
        o.add(
            Place::NoCode {
                code_column: "B".into(),
            },
            50,
            4,
        );
        o.add(
            Place::NoCode {
                code_column: "B".into(),
            },
            50,
            5,
        );
        let b = o.blocks(&at);
        assert_eq!(b.len(), 1);
        assert!(b[0].in_table);
        assert_eq!(b[0].range, "E51:F51");
        assert!(
            b[0].reason.starts_with(
                "row 51 inside the table holds 2 values (E51:F51) but no NFR code in column B"
            ),
            "{}",
            b[0].reason
        );
    }
}
