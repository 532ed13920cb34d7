//! Every worksheet of an .xlsx workbook read cell by cell into typed cells
//! (numbers, texts, errors, dates as calamine gives them), within a bound
//! of rows and columns: for readers that find a table by its content, such
//! as the Annex I workbook reader (`annex1::xlsx_read`). The container is
//! checked first ([`super::container::check_container_bounds`]: zip bombs, the shared-string count), and sheets are never
//! loaded as one rectangle spanning the dimension they declare.

use super::cell::cell_text;
use super::container::check_container_bounds;
use crate::error::{Error, Result};
use calamine::{Data, Reader, Xlsx, XlsxError, open_workbook};
use std::collections::HashMap;
use std::path::Path;

/// The cells of one worksheet, as calamine gives them, within the bounds
/// (0-based rows and columns).
pub struct Grid {
    pub name: String,
    cells: HashMap<(u32, u32), Data>,
    /// Cells with a value beyond the bounds, and the first of them (0-based).
    pub beyond: usize,
    pub first_beyond: (u32, u32),
}

impl Grid {
    /// The non-empty cells, by (row, column).
    pub fn cells(&self) -> &HashMap<(u32, u32), Data> {
        &self.cells
    }

    /// A cell; empty where the sheet has none.
    pub fn get(&self, row: u32, col: u32) -> &Data {
        static EMPTY: Data = Data::Empty;
        self.cells.get(&(row, col)).unwrap_or(&EMPTY)
    }

    /// A cell as text ([`cell_text`]; an unreadable number as empty).
    pub fn text(&self, row: u32, col: u32) -> String {
        cell_text(self.get(row, col)).unwrap_or_default()
    }

    /// The last row holding a cell (0 for an empty sheet).
    pub fn max_row(&self) -> u32 {
        self.cells.keys().map(|(r, _)| *r).max().unwrap_or(0)
    }
}

/// Checks the container, then reads every worksheet of an .xlsx (or .xlsm)
/// cell by cell, keeping the cells within the first `max_rows` rows and
/// `max_columns` columns and counting the others.
pub fn read_grids(path: &Path, max_rows: u32, max_columns: u32) -> Result<Vec<Grid>> {
    // Zip bombs and references beyond a sheet's limits are refused before
    // the container is unpacked.
    check_container_bounds(path)?;
    // calamine may still panic on some malformed XML (an overlong cell
    // reference overflows its arithmetic): that is an unusable file too.
    std::panic::catch_unwind(|| read_cells(path, max_rows, max_columns)).unwrap_or_else(|_| {
        Err(Error::file(
            path,
            "is malformed: its sheets cannot be read as an xlsx workbook; open it in Excel or LibreOffice and save it again",
        ))
    })
}

/// Opens the workbook with calamine.
fn open_xlsx(path: &Path) -> Result<Xlsx<std::io::BufReader<std::fs::File>>> {
    open_workbook(path).map_err(|e: XlsxError| match e {
        XlsxError::Password => Error::file(
            path,
            "is password protected; save a copy without a password and import that",
        ),
        other => Error::file(
            path,
            format!("cannot be read as an xlsx workbook ({other}); is it damaged?"),
        ),
    })
}

/// Reads every worksheet cell by cell, within the bounds. The sheets are
/// shared among the threads, each with its own reader of the file, and
/// gathered in the workbook's order.
fn read_cells(path: &Path, max_rows: u32, max_columns: u32) -> Result<Vec<Grid>> {
    use rayon::prelude::*;
    let names = open_xlsx(path)?.sheet_names().to_vec();
    let per_thread = names
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let parts: Vec<Result<Vec<Grid>>> = names
        .par_chunks(per_thread)
        .map(|chunk| {
            let mut wb = open_xlsx(path)?;
            let mut grids = Vec::new();
            for name in chunk {
                if let Some(grid) = read_grid(path, &mut wb, name, (max_rows, max_columns))? {
                    grids.push(grid);
                }
            }
            Ok(grids)
        })
        .collect();
    let mut grids = Vec::new();
    for part in parts {
        grids.extend(part?);
    }
    Ok(grids)
}

/// Reads one worksheet's cells; `None` for a sheet that holds no cells
/// (a chart or dialog sheet).
fn read_grid(
    path: &Path,
    wb: &mut Xlsx<std::io::BufReader<std::fs::File>>,
    name: &str,
    (max_rows, max_columns): (u32, u32),
) -> Result<Option<Grid>> {
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(XlsxError::NotAWorksheet(_)) => return Ok(None),
        Err(e) => {
            return Err(Error::file(
                path,
                format!("sheet '{name}' cannot be read ({e}); is the file damaged?"),
            ));
        }
    };
    let mut grid = Grid {
        name: name.to_string(),
        cells: HashMap::with_capacity(8192),
        beyond: 0,
        first_beyond: (0, 0),
    };
    loop {
        let cell = reader.next_cell().map_err(|e| {
            Error::file(
                path,
                format!("sheet '{name}' cannot be read ({e}); is the file damaged?"),
            )
        })?;
        let Some(cell) = cell else { break };
        let (row, col) = cell.get_position();
        let value: Data = cell.get_value().clone().into();
        if matches!(value, Data::Empty) {
            continue;
        }
        if row >= max_rows || col >= max_columns {
            if grid.beyond == 0 {
                grid.first_beyond = (row, col);
            }
            grid.beyond += 1;
            continue;
        }
        grid.cells.insert((row, col), value);
    }
    Ok(Some(grid))
}
