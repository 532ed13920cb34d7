//! One sheet read as a year sheet: its layout and header, the template row
//! of each sheet row, the values outside the table, the value cells, and
//! the template rows the sheet lacks. Everything read around is recorded in
//! the [`Workbook`], in this order.

use super::header::read_header;
use super::layout::{Layout, layout};
use super::outside::{Outside, Place};
use super::values::{holds_value, read_value_cell};
use super::{CellCounts, CellMap, Issue, Unreadable, Workbook, YearSheet, cell_at, labels};
use crate::annex1::{Annex1Year, Column, RowCells};
use crate::error::{Location, column_letters};
use crate::nfr::{self, RowKind};
use crate::notation_key::Cell;
use crate::sheet::{Data, Grid};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::Path;

/// Reads one sheet as a year sheet, or `Err(reason)` when it is not one.
pub(super) fn read_year_sheet(
    path: &Path,
    grid: &Grid,
    book: &mut Workbook,
) -> std::result::Result<YearSheet, String> {
    let at = Location::file(path).with_sheet(grid.name.clone());
    let layout = layout(grid, &at, book)?;
    let header = read_header(grid, layout.header_row, &at, book)?;
    let rows = template_rows(grid, &layout, &at, book);
    book.skipped
        .extend(outside_values(grid, &layout, &rows).blocks(&at));
    let year = header.year;
    let mut table = Annex1Year::empty(header);
    let read = read_values(grid, &layout, &rows, &mut table, &at, year, book);
    empty_missing_rows(&layout, &rows, &mut table, &at, book);
    Ok(YearSheet {
        sheet: grid.name.clone(),
        template_version: layout.template_version,
        table,
        cells: CellMap {
            file: path.to_path_buf(),
            sheet: grid.name.clone(),
            rows: rows.sheet_row,
            columns: layout.columns,
            text_numbers: read.text_numbers,
        },
        counts: read.counts,
    })
}

/// The template row of each sheet row, found by the text of its code cell.
struct TemplateRows {
    /// Sheet row (0-based) → template row.
    of: BTreeMap<u32, &'static nfr::Row>,
    /// Template row number → sheet row (1-based).
    sheet_row: BTreeMap<u32, u32>,
    /// Sheet rows (0-based) whose code stands on an earlier row too.
    duplicates: Vec<u32>,
}

/// The template row of each sheet row below the header; a code on two rows
/// is read from the first and reported.
fn template_rows(grid: &Grid, layout: &Layout, at: &Location, book: &mut Workbook) -> TemplateRows {
    let mut rows = TemplateRows {
        of: BTreeMap::new(),
        sheet_row: BTreeMap::new(),
        duplicates: Vec::new(),
    };
    let code_col = layout.code_col;
    for r in layout.header_row + 1..=grid.max_row() {
        let text = grid.text(r, code_col);
        let Some(t) = labels::template_row(&text).filter(|t| t.kind != RowKind::MemoHeader) else {
            continue;
        };
        match rows.sheet_row.get(&t.number) {
            Some(first) => {
                book.issues.push(Issue {
                    check: "format.duplicate-row",
                    serious: true,
                    at: cell_at(at, r, code_col),
                    cell: None,
                    message: format!(
                        "{} is also on row {first}; a code may stand on one row only: row {first} is read, this row is not",
                        t.code
                    ),
                });
                rows.duplicates.push(r);
            }
            None => {
                rows.sheet_row.insert(t.number, r + 1);
                rows.of.insert(r, t);
            }
        }
    }
    rows
}

/// The values (numbers or keys) outside the template rows and columns:
/// above the header in the value columns, below the last template row,
/// beside the value columns, and in value columns of rows that are not
/// template rows.
fn outside_values(grid: &Grid, layout: &Layout, rows: &TemplateRows) -> Outside {
    let header_row = layout.header_row;
    let code_col = layout.code_col;
    let first_value_col = layout.first_value_col();
    let mapped: HashSet<u32> = layout.value_cols.iter().map(|(_, c)| *c).collect();
    let is_value_col =
        |c: u32| mapped.contains(&c) && layout.columns.get(&Column::OtherActivityUnit) != Some(&c);
    let mut outside = Outside::default();
    // Numbers or keys above the header, in the value columns: not the table.
    for (&(r, c), v) in grid.cells() {
        if r < header_row && mapped.contains(&c) && holds_value(v) {
            outside.add(Place::Above, r, c);
        }
    }
    let last_table_row = rows.of.keys().next_back().copied().unwrap_or(header_row);
    // Cells with a value outside the template rows and columns, by row.
    let mut values_by_row: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (&(r, c), v) in grid.cells() {
        if r > header_row && c >= first_value_col && !layout.excluded.contains(&c) && holds_value(v)
        {
            values_by_row.entry(r).or_default().push(c);
        }
    }
    for (r, mut cols) in values_by_row {
        cols.sort_unstable();
        if r > last_table_row {
            for c in cols {
                outside.add(Place::Below, r, c);
            }
            continue;
        }
        let template_row = rows.of.get(&r);
        for c in cols {
            if !mapped.contains(&c) {
                outside.add(Place::Beside, r, c);
            } else if template_row.is_none() && is_value_col(c) {
                let code = grid.text(r, code_col);
                let code = code.trim();
                let place = if code.is_empty() {
                    Place::NoCode {
                        code_column: column_letters(code_col as usize),
                    }
                } else if rows.duplicates.contains(&r) {
                    // Reported with the code (format.duplicate-row).
                    continue;
                } else {
                    Place::UnknownCode {
                        message: nfr::unknown_code_message(code),
                    }
                };
                outside.add(place, r, c);
            }
        }
    }
    outside
}

/// What reading the value cells gave besides the table.
struct ValuesRead {
    counts: CellCounts,
    /// Table cells holding a number stored as text.
    text_numbers: BTreeSet<(u32, Column)>,
}

/// Reads the value cells of every template row into the table; cells that
/// are neither a number nor a key are read as empty and recorded, numbers
/// stored as text noted.
fn read_values(
    grid: &Grid,
    layout: &Layout,
    rows: &TemplateRows,
    table: &mut Annex1Year,
    at: &Location,
    year: i32,
    book: &mut Workbook,
) -> ValuesRead {
    let mut read = ValuesRead {
        counts: CellCounts::default(),
        text_numbers: BTreeSet::new(),
    };
    for (&r, template_row) in &rows.of {
        let cells = table
            .rows
            .get_mut(&template_row.number)
            .expect("template row");
        for &(column, c) in &layout.value_cols {
            let raw = grid.get(r, c);
            if column == Column::OtherActivityUnit {
                cells.other_activity_unit = crate::sheet::cell_text(raw).unwrap_or_default();
                continue;
            }
            let cell = match read_value_cell(raw) {
                Ok((cell, rounded)) => {
                    if rounded {
                        book.notes.push(format!(
                            "{}: {} has digits beyond the 28th decimal place, which exact decimals do not hold: rounded to {}",
                            cell_at(at, r, c),
                            match raw {
                                Data::Float(f) => format!("{f:e}"),
                                other => crate::sheet::cell_text(other).unwrap_or_default(),
                            },
                            cell.number().map(crate::number::format_decimal).unwrap_or_default()
                        ));
                    }
                    cell
                }
                Err(problem) => {
                    book.unreadable.push(Unreadable {
                        at: cell_at(at, r, c),
                        year,
                        template_row: template_row.number,
                        column,
                        text: crate::sheet::cell_text(raw).unwrap_or_default(),
                        problem,
                    });
                    Cell::Empty
                }
            };
            if let (Cell::Number(d), Data::String(s)) = (cell, raw) {
                read.text_numbers.insert((template_row.number, column));
                book.notes.push(format!(
                    "{}: a number stored as text ('{}'), read as {}",
                    cell_at(at, r, c),
                    s.trim(),
                    crate::number::format_decimal(d)
                ));
            }
            match cell {
                Cell::Number(_) => read.counts.numbers += 1,
                Cell::Key(_) => read.counts.keys += 1,
                Cell::Empty => read.counts.empty += 1,
            }
            match column {
                Column::Pollutant(p) => cells.set(p, cell),
                Column::Fuel(g) => cells.fuels[g.index()] = cell,
                Column::OtherActivity => cells.other_activity = cell,
                Column::OtherActivityUnit => unreachable!("handled above"),
            }
        }
    }
    read
}

/// The template rows the sheet lacks: left empty (not even the template's
/// unit), reported as an issue (serious unless a layout may lack them), or
/// noted for the older NFR 2014-2 layout.
fn empty_missing_rows(
    layout: &Layout,
    rows: &TemplateRows,
    table: &mut Annex1Year,
    at: &Location,
    book: &mut Workbook,
) {
    let missing: Vec<&nfr::Row> = nfr::rows()
        .iter()
        .filter(|t| t.kind != RowKind::MemoHeader && !rows.sheet_row.contains_key(&t.number))
        .collect();
    if missing.is_empty() {
        return;
    }
    let list = |rows: &[&&nfr::Row]| {
        rows.iter()
            .map(|t| format!("{} (row {})", t.code, t.number))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (optional, required): (Vec<&&nfr::Row>, Vec<&&nfr::Row>) =
        missing.iter().partition(|t| labels::may_be_missing(t));
    if layout.older_layout {
        let all = missing
            .iter()
            .map(|t| format!("{} (row {} of NFR 2019-1)", t.code, t.number))
            .collect::<Vec<_>>()
            .join(", ");
        book.notes.push(format!(
            "{at}: {} has no row for {all}; these rows are left empty",
            layout.template_version
        ));
    } else {
        let code_at = at
            .clone()
            .with_column(column_letters(layout.code_col as usize));
        if !optional.is_empty() {
            let necd_only = optional.iter().all(|t| t.number == 153 || t.number == 154);
            book.issues.push(Issue {
                check: "format.missing-row",
                serious: false,
                at: code_at.clone(),
                cell: None,
                message: format!(
                    "the sheet has no row for {} of NFR 2019-1{}; left empty",
                    list(&optional),
                    if necd_only {
                        " (the NEC Directive's rows, which a Party outside the EU does not report)"
                    } else {
                        ""
                    }
                ),
            });
        }
        if !required.is_empty() {
            book.issues.push(Issue {
                check: "format.missing-row",
                serious: true,
                at: code_at,
                cell: None,
                message: format!(
                    "the sheet has no row for {} of NFR 2019-1: no cell of the code column holds the code; the row is left empty (add it with its values or notation keys)",
                    list(&required)
                ),
            });
        }
    }
    for t in missing {
        *table.rows.get_mut(&t.number).expect("template row") = RowCells::empty("");
    }
}
