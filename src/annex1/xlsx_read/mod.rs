//! Reading filled Annex I workbooks (NFR 2019-1, and the older NFR 2014-2
//! layout) into [`Annex1Year`] tables, one per year sheet.
//!
//! Nothing is found by a fixed position, and a workbook is refused only
//! when no sheet holds an Annex I table; every other deviation is recorded
//! ([`Workbook::issues`], [`Workbook::skipped`], [`Workbook::unreadable`])
//! with its sheet and cell, and the rest is read:
//! - a year sheet is a sheet with an `NFR Code` header cell, or else a
//!   column of NFR codes (at least ten sector rows); its rows are found by
//!   the text of the code column (stray spaces, line breaks, dots and case
//!   do not matter; `COMPLIANCE TOTAL (NECR)` is row 154, see
//!   `labels`); rows it lacks are left empty and reported;
//! - its columns are found by the names the template gives them (row 12:
//!   `NOx (as NO2)` ... `PCBs`, `Liquid Fuels` ... `Other Activity Units`),
//!   and each pollutant's unit in the header row (row 13) is checked
//!   (`Gg` is `kt`); a column in other units is not read;
//! - the header block by its labels in column A (`country:`, `reporting:`,
//!   `year:`, `version:`), the value beside each label; the year from
//!   `year:` (cell B6), else from the sheet name (`NFR-19 2022`), reported
//!   when the two disagree;
//! - values outside the table (check rows, helper columns) are reported
//!   as one block per sheet and place (see `outside`).
//!
//! Cells are read as they are: a number through [`crate::number::from_excel`]
//! (a number stored as text from its text, thousands separators allowed,
//! and said so), a notation key as a key, an empty cell as empty (not zero,
//! not NO); formula cells give their cached values. An Excel error or any
//! other text in a value cell is read as empty and reported once. Totals
//! are kept as the file has them; computing them is
//! [`Annex1Year::compute_totals`], a separate step.
//!
//! Memory is bounded whatever the file declares: the sheets are read through
//! [`crate::sheet::read_grids`], which checks the container's parts before
//! anything is unpacked and reads sheets cell by cell (never as one
//! rectangle spanning the declared dimension), keeping only cells within
//! the first [`MAX_ROWS`] rows and [`MAX_COLUMNS`] columns.
//!
//! # Data flow
//!
//! ```text
//!  annex1.xlsx ──► sheet::read_grids (typed cells of every worksheet)
//!                     │  one Grid per sheet
//!                     ▼
//!  year_sheet::read_year_sheet ─┬─ layout (the code column and header row,
//!                               │   the template version, the value columns
//!                               │   by name, their units)
//!                               ├─ header (country, date, year, version)
//!                               ├─ the template row of each sheet row
//!                               │   (labels), values outside the table
//!                               │   (outside), value cells (values)
//!                               └─ rows the sheet lacks
//!                     ▼
//!  Workbook: the YearSheets (Annex1Year + CellMap), and every cell
//!  not read, with its sheet and cell
//! ```

use crate::annex1::Annex1Year;
use crate::error::{Error, Location, Result, column_letters};
use crate::nfr;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub use crate::annex1::Column;

mod header;
mod labels;
mod layout;
mod outside;
mod values;
mod year_sheet;

/// Rows of a sheet that are read (an Annex I sheet has 170).
pub const MAX_ROWS: u32 = 2_000;
/// Columns of a sheet that are read (an Annex I sheet uses A-AL).
pub const MAX_COLUMNS: u32 = 256;

/// Where the cells of a year sheet are: the sheet row of each template row
/// and the sheet column of each template column, so a finding about a
/// table cell can point at the workbook cell (`sheet 2019, cell H27`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellMap {
    pub file: PathBuf,
    pub sheet: String,
    /// Template row number → sheet row (1-based).
    rows: BTreeMap<u32, u32>,
    /// Template column → sheet column (0-based).
    columns: HashMap<Column, u32>,
    /// Table cells holding a number stored as text (template row, column):
    /// Excel's `=SUM` leaves them out.
    text_numbers: std::collections::BTreeSet<(u32, Column)>,
}

impl CellMap {
    /// The A1 reference of a table cell (`H27`), when the sheet has its row.
    pub fn cell(&self, template_row: u32, column: Column) -> Option<String> {
        let row = self.rows.get(&template_row)?;
        let col = self.columns.get(&column)?;
        Some(format!("{}{row}", column_letters(*col as usize)))
    }

    /// True when the table cell holds a number stored as text.
    pub fn stored_as_text(&self, template_row: u32, column: Column) -> bool {
        self.text_numbers.contains(&(template_row, column))
    }

    /// The location of a table cell, by NFR code and column.
    pub fn location(&self, code: &str, column: Column) -> Option<Location> {
        let template_row = nfr::find(code)?.number;
        let row = self.rows.get(&template_row)?;
        let col = self.columns.get(&column)?;
        Some(
            Location::file(&self.file)
                .with_sheet(self.sheet.clone())
                .with_row(u64::from(*row))
                .with_column(column_letters(*col as usize)),
        )
    }
}

/// What the value cells of a sheet held.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellCounts {
    pub numbers: usize,
    pub keys: usize,
    pub empty: usize,
}

impl CellCounts {
    pub fn total(&self) -> usize {
        self.numbers + self.keys + self.empty
    }

    pub fn add(&mut self, other: CellCounts) {
        self.numbers += other.numbers;
        self.keys += other.keys;
        self.empty += other.empty;
    }
}

/// One year sheet, read.
#[derive(Debug, Clone)]
pub struct YearSheet {
    pub sheet: String,
    /// The template version the sheet names (`NFR 2019-1`), or empty.
    pub template_version: String,
    pub table: Annex1Year,
    pub cells: CellMap,
    /// Value cells read: the pollutant and activity cells of every row found.
    pub counts: CellCounts,
}

/// Values that were not read into any table, and why: one cell, or a
/// block of cells outside the table (a check row, a helper column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The sheet and the first cell of the block.
    pub at: Location,
    /// The cell or range (`E171:AL175`).
    pub range: String,
    pub reason: String,
    /// True when the cell is a value cell of the table (a row whose code is
    /// not a template row): data that is not in the import.
    pub in_table: bool,
    /// Cells this entry stands for (1, or all the cells beyond the bounds).
    pub cells: usize,
}

/// A workbook read.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub path: PathBuf,
    /// The year sheets, in the workbook's order.
    pub years: Vec<YearSheet>,
    /// Sheets that are not Annex I year sheets, with the reason.
    pub other_sheets: Vec<(String, String)>,
    pub skipped: Vec<Skipped>,
    /// Things read in a way worth knowing (numbers stored as text, rows an
    /// older layout does not have).
    pub notes: Vec<String>,
    /// Value cells that are neither a number nor a notation key (Excel
    /// errors, texts), read as empty.
    pub unreadable: Vec<Unreadable>,
    /// Deviations from the template's layout, read around: missing rows or
    /// columns, units, years, sheets holding the same year.
    pub issues: Vec<Issue>,
}

/// A deviation from the template's layout that the reading went around.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    /// The check id (`format.missing-row`, `format.column`, `format.unit`,
    /// `format.year`, `format.duplicate-year`).
    pub check: &'static str,
    /// True when numbers of the submission may be missing or wrong because
    /// of it (an error of `check`, exit code 1 of `import`); else a warning.
    pub serious: bool,
    pub at: Location,
    /// The cell or range, when the location is not one cell.
    pub cell: Option<String>,
    pub message: String,
}

/// A value cell that is neither a number nor a notation key (`n/a`, `-`,
/// TRUE, `#DIV/0!`), read as empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    pub at: Location,
    pub year: i32,
    /// The template row number (14 for 1A1a).
    pub template_row: u32,
    pub column: Column,
    /// The cell's text as shown.
    pub text: String,
    pub problem: String,
}

impl Workbook {
    /// Value cells read over all year sheets.
    /// Cells with a value that were not read.
    pub fn skipped_cells(&self) -> usize {
        self.skipped.iter().map(|s| s.cells).sum()
    }

    pub fn counts(&self) -> CellCounts {
        let mut c = CellCounts::default();
        for y in &self.years {
            c.add(y.counts);
        }
        c
    }
}

/// Reads every year sheet of an Annex I workbook: the sheets' cells
/// ([`read_grids`]), then each sheet's table, in parallel, gathered in the
/// workbook's order.
pub fn read(path: &Path) -> Result<Workbook> {
    use rayon::prelude::*;
    let grids = read_grids(path)?;
    let sheets: Vec<Workbook> = grids
        .into_par_iter()
        .map(|grid| read_sheet(path, grid))
        .collect();
    let mut book = Workbook::empty(path);
    for sheet in sheets {
        book.years.extend(sheet.years);
        book.other_sheets.extend(sheet.other_sheets);
        book.skipped.extend(sheet.skipped);
        book.notes.extend(sheet.notes);
        book.unreadable.extend(sheet.unreadable);
        book.issues.extend(sheet.issues);
    }
    if book.years.is_empty() {
        let why: Vec<String> = book
            .other_sheets
            .iter()
            .map(|(s, why)| format!("sheet '{s}': {why}"))
            .collect();
        return Err(Error::file(
            path,
            format!(
                "is not an Annex I workbook: no sheet holds an Annex I table (a column of NFR codes under an 'NFR Code' header, pollutant columns named NOx (as NO2) ... PCBs, as in rows 12-13 of NFR 2019-1){}",
                if why.is_empty() {
                    " (it has no worksheet)".to_string()
                } else {
                    format!(": {}", why.join("; "))
                }
            ),
        ));
    }
    // Two sheets of one year: the first is read, the other reported.
    let mut seen: BTreeMap<i32, String> = BTreeMap::new();
    let mut kept = Vec::new();
    for y in std::mem::take(&mut book.years) {
        match seen.get(&y.table.header.year) {
            Some(first) => {
                book.issues.push(Issue {
                    check: "format.duplicate-year",
                    serious: true,
                    at: Location::file(path).with_sheet(y.sheet.clone()),
                    cell: None,
                    message: format!(
                        "sheet '{first}' holds the year {} too; '{first}' is read and this sheet is not: keep one",
                        y.table.header.year
                    ),
                });
                book.other_sheets.push((
                    y.sheet.clone(),
                    format!(
                        "the year {} is read from sheet '{first}'",
                        y.table.header.year
                    ),
                ));
            }
            None => {
                seen.insert(y.table.header.year, y.sheet.clone());
                kept.push(y);
            }
        }
    }
    book.years = kept;
    Ok(book)
}

impl Workbook {
    /// A workbook with nothing read yet.
    fn empty(path: &Path) -> Workbook {
        Workbook {
            path: path.to_path_buf(),
            years: Vec::new(),
            other_sheets: Vec::new(),
            skipped: Vec::new(),
            notes: Vec::new(),
            unreadable: Vec::new(),
            issues: Vec::new(),
        }
    }
}

/// What one sheet gives: its year table, or why it is not a year sheet;
/// with what reading it went around (cells beyond the bounds are said
/// either way; the rest only of a year sheet).
fn read_sheet(path: &Path, grid: crate::sheet::Grid) -> Workbook {
    let mut book = Workbook::empty(path);
    let at = Location::file(path).with_sheet(grid.name.clone());
    if grid.beyond > 0 {
        let (r, c) = grid.first_beyond;
        let first = at
            .clone()
            .with_row(u64::from(r) + 1)
            .with_column(column_letters(c as usize));
        book.skipped.push(Skipped {
            range: first.cell().unwrap_or_default(),
            at: first,
            reason: format!(
                "{} cell(s) lie beyond row {MAX_ROWS} or column {} and were not read (an Annex I sheet ends at row 170, column AL)",
                grid.beyond,
                column_letters(MAX_COLUMNS as usize - 1)
            ),
            in_table: false,
            cells: grid.beyond,
        });
    }
    match year_sheet::read_year_sheet(path, &grid, &mut book) {
        Ok(y) => book.years.push(y),
        Err(reason) => {
            // What a sheet that turns out not to be a year sheet said is dropped.
            book.skipped.truncate(usize::from(grid.beyond > 0));
            book.notes.clear();
            book.unreadable.clear();
            book.issues.clear();
            book.other_sheets.push((grid.name.clone(), reason));
        }
    }
    book
}

/// The location of a sheet's cell (0-based row and column).
fn cell_at(at: &Location, row: u32, col: u32) -> Location {
    at.clone()
        .with_row(u64::from(row) + 1)
        .with_column(column_letters(col as usize))
}

/// The same as [`read`]: every workbook is read leniently (kept for the
/// callers that say so).
pub fn read_lenient(path: &Path) -> Result<Workbook> {
    read(path)
}

/// Checks the file's type, then reads every worksheet cell by cell.
fn read_grids(path: &Path) -> Result<Vec<crate::sheet::Grid>> {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("xlsx" | "xlsm") => {}
        _ => {
            return Err(Error::file(
                path,
                "Annex I workbooks are read from .xlsx (or .xlsm) files; open it in Excel or LibreOffice and save it as an .xlsx workbook",
            ));
        }
    }
    crate::sheet::read_grids(path, MAX_ROWS, MAX_COLUMNS)
}
