//! One sheet of a workbook (.xlsx, .xlsm, .xlsb, .xls, .ods) read through
//! calamine into rows of text cells, within a memory budget: the sheet's
//! cells are counted ([`check_sheet_bounds`]) before calamine loads it as
//! one range.

use super::cell::cell_text;
use super::container::check_container_bounds;
use super::limits::MAX_SHEET_CELLS;
use super::{Sheet, SheetRow};
use crate::error::{Error, Location, Result, column_letters};
use calamine::{Reader, open_workbook_auto};
use std::path::Path;

/// Reads a workbook sheet within the memory budget: the container and the
/// sheet are checked ([`check_container_bounds`], [`check_sheet_bounds`])
/// before calamine loads the sheet as a range.
pub(super) fn read_bounded(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    check_container_bounds(path)?;
    // The checks keep calamine from the inputs known to make it panic; any
    // other panic in it is a file it cannot read, not a crash of airinv.
    std::panic::catch_unwind(|| {
        check_sheet_bounds(path, sheet)?;
        read_workbook_sheet(path, sheet)
    })
    .unwrap_or_else(|_| {
        Err(Error::file(
            path,
            "is malformed: its sheet cannot be read; open it in Excel or LibreOffice and save it again",
        ))
    })
}

/// Refuses a sheet whose non-empty cells are more than [`MAX_SHEET_CELLS`]
/// or spread over a range of more (two cells, at A1 and XFD1048576, make a
/// range of 17 billion cells), before calamine loads it as a range. The
/// cells are read one by one and only counted. (.xlsx, .xlsm and .xlsb; an
/// .xls is bounded by the dimensions it declares, [`check_container_bounds`];
/// an .ods sheet by calamine's own limit of 100 million cells.)
pub fn check_sheet_bounds(path: &Path, sheet: Option<&str>) -> Result<()> {
    let mut wb = match open_workbook_auto(path) {
        Ok(wb) => wb,
        // read_workbook_sheet says why it cannot be opened.
        Err(_) => return Ok(()),
    };
    let names = wb.sheet_names().to_vec();
    let Some(name) = (match sheet {
        Some(s) => names.iter().find(|n| n.trim() == s.trim()).cloned(),
        None => names.first().cloned(),
    }) else {
        return Ok(());
    };
    let mut extent = Extent::default();
    let result: std::result::Result<(), String> = match &mut wb {
        calamine::Sheets::Xlsx(x) => match x.worksheet_cells_reader(&name) {
            Ok(mut reader) => loop {
                match reader.next_cell() {
                    Ok(Some(c)) if calamine::DataType::is_empty(c.get_value()) => {}
                    Ok(Some(c)) => {
                        if !extent.add(c.get_position()) {
                            break Ok(());
                        }
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e.to_string()),
                }
            },
            Err(_) => Ok(()),
        },
        calamine::Sheets::Xlsb(x) => match x.worksheet_cells_reader(&name) {
            Ok(mut reader) => loop {
                match reader.next_cell() {
                    Ok(Some(c)) if calamine::DataType::is_empty(c.get_value()) => {}
                    Ok(Some(c)) => {
                        if !extent.add(c.get_position()) {
                            break Ok(());
                        }
                    }
                    Ok(None) => break Ok(()),
                    Err(e) => break Err(e.to_string()),
                }
            },
            Err(_) => Ok(()),
        },
        _ => Ok(()),
    };
    if let Err(e) = result {
        return Err(Error::file(
            path,
            format!("sheet '{name}' cannot be read ({e}); is the file damaged?"),
        ));
    }
    if let Some(problem) = extent.problem() {
        return Err(Error::file(
            path,
            format!(
                "sheet '{name}' {problem}, more than airinv reads from a sheet ({MAX_SHEET_CELLS} cells); is it an activity sheet? Keep the data in one block, or split it over sheets"
            ),
        ));
    }
    Ok(())
}

/// The count and range of a sheet's non-empty cells.
#[derive(Debug, Default)]
struct Extent {
    cells: u64,
    first: Option<(u32, u32)>,
    last: (u32, u32),
}

impl Extent {
    /// Counts a cell; false once there are too many to go on.
    fn add(&mut self, (row, col): (u32, u32)) -> bool {
        self.cells += 1;
        let first = self.first.get_or_insert((row, col));
        first.0 = first.0.min(row);
        first.1 = first.1.min(col);
        self.last.0 = self.last.0.max(row);
        self.last.1 = self.last.1.max(col);
        self.cells <= MAX_SHEET_CELLS
    }

    fn span(&self) -> u64 {
        match self.first {
            Some((r0, c0)) => u64::from(self.last.0 - r0 + 1) * u64::from(self.last.1 - c0 + 1),
            None => 0,
        }
    }

    fn problem(&self) -> Option<String> {
        if self.cells > MAX_SHEET_CELLS {
            return Some(format!("holds more than {MAX_SHEET_CELLS} cells"));
        }
        let (r0, c0) = self.first?;
        (self.span() > MAX_SHEET_CELLS).then(|| {
            format!(
                "spreads its cells from {}{} to {}{}, a range of {} cells",
                column_letters(c0 as usize),
                r0 + 1,
                column_letters(self.last.1 as usize),
                self.last.0 + 1,
                self.span()
            )
        })
    }
}

/// The names of a workbook's sheets, in order.
pub fn sheet_names(path: &Path) -> Result<Vec<String>> {
    let wb = open_workbook_auto(path)
        .map_err(|e| Error::file(path, format!("cannot open the workbook: {e}")))?;
    Ok(wb.sheet_names().to_vec())
}

fn read_workbook_sheet(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    let mut wb = open_workbook_auto(path)
        .map_err(|e| Error::file(path, format!("cannot open the workbook: {e}")))?;
    let names = wb.sheet_names().to_vec();
    let name = match sheet {
        Some(s) => names
            .iter()
            .find(|n| n.trim() == s.trim())
            .cloned()
            .ok_or_else(|| {
                Error::file(
                    path,
                    format!(
                        "there is no sheet '{s}'; the sheets are: {}",
                        names.join(", ")
                    ),
                )
            })?,
        None => names
            .first()
            .cloned()
            .ok_or_else(|| Error::file(path, "the workbook has no sheet"))?,
    };
    let range = wb
        .worksheet_range(&name)
        .map_err(|e| Error::file(path, format!("cannot read sheet '{name}': {e}")))?;
    let at = Location::file(path).with_sheet(name.clone());
    let (first_row, first_col) = range.start().unwrap_or((0, 0));
    let mut rows = Vec::new();
    for (r, row) in range.rows().enumerate() {
        let number = first_row as u64 + r as u64 + 1;
        let mut cells = vec![String::new(); first_col as usize];
        for (c, value) in row.iter().enumerate() {
            let text = cell_text(value).map_err(|problem| {
                Error::input(
                    at.clone()
                        .with_row(number)
                        .with_column(column_letters(first_col as usize + c)),
                    problem,
                )
            })?;
            cells.push(text);
        }
        rows.push(SheetRow { number, cells });
    }
    Ok(Sheet {
        at,
        lettered: true,
        rows,
    })
}
