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
//! Memory is bounded whatever the file declares: the container's parts are
//! checked before anything is unpacked, and sheets are read cell by cell
//! (never as one rectangle spanning the declared dimension), keeping only
//! cells within the first [`MAX_ROWS`] rows and [`MAX_COLUMNS`] columns.

use crate::annex1::{Annex1Year, Header};
use crate::error::{Error, Location, Result, column_letters};
use crate::fuel::FuelGroup;
use crate::nfr::{self, RowKind};
use crate::notation_key::{Cell, NotationKey};
use crate::pollutant::Pollutant;
use calamine::{Data, Reader, Xlsx, XlsxError, open_workbook};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

mod labels;
mod outside;

/// Rows of a sheet that are read (an Annex I sheet has 170).
pub const MAX_ROWS: u32 = 2_000;
/// Columns of a sheet that are read (an Annex I sheet uses A-AL).
pub const MAX_COLUMNS: u32 = 256;

/// A value column of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Pollutant(Pollutant),
    /// Fuel in TJ NCV (AF-AJ).
    Fuel(FuelGroup),
    /// Other activity (AK).
    OtherActivity,
    /// Other Activity Units (AL), a text.
    OtherActivityUnit,
}

impl Column {
    /// The 33 columns in template order (E ... AD, AF ... AL).
    pub fn all() -> Vec<Column> {
        let mut v: Vec<Column> = Pollutant::ALL
            .iter()
            .map(|p| Column::Pollutant(*p))
            .collect();
        v.extend(FuelGroup::ALL.iter().map(|g| Column::Fuel(*g)));
        v.push(Column::OtherActivity);
        v.push(Column::OtherActivityUnit);
        v
    }

    /// The column's letter in the NFR 2019-1 template.
    pub fn template_letter(self) -> &'static str {
        match self {
            Column::Pollutant(p) => p.column(),
            Column::Fuel(g) => crate::annex1::ACTIVITY_COLUMNS[g.index()],
            Column::OtherActivity => "AK",
            Column::OtherActivityUnit => "AL",
        }
    }

    /// The column's name in messages (`NOx`, `Liquid Fuels`).
    pub fn label(self) -> String {
        match self {
            Column::Pollutant(p) => p.id().to_string(),
            Column::Fuel(g) => g.column_name().to_string(),
            Column::OtherActivity => "Other activity (specified)".into(),
            Column::OtherActivityUnit => "Other Activity Units".into(),
        }
    }

    /// The column a header text names, if any.
    fn from_header(text: &str) -> Option<Column> {
        let key: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect();
        let activity = match key.as_str() {
            "liquidfuels" => Some(Column::Fuel(FuelGroup::Liquid)),
            "solidfuels" => Some(Column::Fuel(FuelGroup::Solid)),
            "gaseousfuels" => Some(Column::Fuel(FuelGroup::Gaseous)),
            "biomass" => Some(Column::Fuel(FuelGroup::Biomass)),
            "otherfuels" => Some(Column::Fuel(FuelGroup::Other)),
            "otheractivity(specified)" | "otheractivity" => Some(Column::OtherActivity),
            "otheractivityunits" | "otheractivityunit" => Some(Column::OtherActivityUnit),
            _ => None,
        };
        // "PAHs" heads the four PAH columns (row 11); it names no column.
        if activity.is_some() || key == "pahs" {
            return activity;
        }
        Pollutant::parse(text).map(Column::Pollutant)
    }
}

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

/// Reads every year sheet of an Annex I workbook.
pub fn read(path: &Path) -> Result<Workbook> {
    let grids = read_grids(path)?;
    let mut book = Workbook {
        path: path.to_path_buf(),
        years: Vec::new(),
        other_sheets: Vec::new(),
        skipped: Vec::new(),
        notes: Vec::new(),
        unreadable: Vec::new(),
        issues: Vec::new(),
    };
    for grid in &grids {
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
        // What a sheet that turns out not to be a year sheet said is dropped.
        let marks = (
            book.skipped.len(),
            book.notes.len(),
            book.unreadable.len(),
            book.issues.len(),
        );
        match read_year_sheet(path, grid, &mut book) {
            Ok(y) => book.years.push(y),
            Err(reason) => {
                book.skipped.truncate(marks.0);
                book.notes.truncate(marks.1);
                book.unreadable.truncate(marks.2);
                book.issues.truncate(marks.3);
                book.other_sheets.push((grid.name.clone(), reason));
            }
        }
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

/// The same as [`read`]: every workbook is read leniently (kept for the
/// callers that say so).
pub fn read_lenient(path: &Path) -> Result<Workbook> {
    read(path)
}

/// The cells of one sheet, as calamine gives them, within the bounds.
struct Grid {
    name: String,
    cells: HashMap<(u32, u32), Data>,
    /// Cells with a value beyond the bounds, and the first of them (0-based).
    beyond: usize,
    first_beyond: (u32, u32),
}

impl Grid {
    fn get(&self, row: u32, col: u32) -> &Data {
        static EMPTY: Data = Data::Empty;
        self.cells.get(&(row, col)).unwrap_or(&EMPTY)
    }

    fn text(&self, row: u32, col: u32) -> String {
        crate::sheet::cell_text(self.get(row, col)).unwrap_or_default()
    }

    fn max_row(&self) -> u32 {
        self.cells.keys().map(|(r, _)| *r).max().unwrap_or(0)
    }
}

/// Checks the container, then reads every worksheet cell by cell.
fn read_grids(path: &Path) -> Result<Vec<Grid>> {
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
    // Zip bombs and references beyond a sheet's limits are refused before
    // the container is unpacked.
    crate::sheet::check_container_bounds(path)?;
    // calamine may still panic on some malformed XML (an overlong cell
    // reference overflows its arithmetic): that is an unusable file too.
    std::panic::catch_unwind(|| read_cells(path)).unwrap_or_else(|_| {
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
fn read_cells(path: &Path) -> Result<Vec<Grid>> {
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
                if let Some(grid) = read_grid(path, &mut wb, name)? {
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
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
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

/// True when a text squeezed (lower case, no spaces) is `target` (lower
/// case, no spaces), without allocating: most cells are not.
fn squeezed_is(text: &str, target: &str) -> bool {
    let mut want = target.chars();
    for c in text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
    {
        if want.next() != Some(c) {
            return false;
        }
    }
    want.next().is_none()
}

/// Normalised header text: lower case, no spaces.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where the table of a sheet is: the header row (the row above the first
/// code, or the row of the `NFR Code` cell) and the code column.
///
/// The `NFR Code` cell when there is one; else found by content: the column
/// holding the most NFR codes of sector rows (at least ten), and the row
/// above its first code.
fn locate_table(grid: &Grid) -> Option<(u32, u32)> {
    let mut header_cells: Vec<(u32, u32)> = grid
        .cells
        .iter()
        .filter(|(_, v)| matches!(v, Data::String(s) if squeezed_is(s, "nfrcode")))
        .map(|(k, _)| *k)
        .collect();
    header_cells.sort();
    if let Some(first) = header_cells.first() {
        return Some(*first);
    }
    let mut codes: HashMap<u32, Vec<u32>> = HashMap::new();
    for (&(r, c), v) in &grid.cells {
        if let Data::String(s) = v
            && s.len() <= 40
            && labels::template_row(s).is_some_and(|t| t.kind == RowKind::Sector)
        {
            codes.entry(c).or_default().push(r);
        }
    }
    let (col, rows) = codes
        .into_iter()
        .filter(|(_, rows)| rows.len() >= 10)
        .max_by_key(|(c, rows)| (rows.len(), std::cmp::Reverse(*c)))?;
    let first = *rows.iter().min()?;
    Some((first.checked_sub(1)?, col))
}

/// Reads one sheet as a year sheet, or `Err(reason)` when it is not one.
fn read_year_sheet(
    path: &Path,
    grid: &Grid,
    book: &mut Workbook,
) -> std::result::Result<YearSheet, String> {
    let at = Location::file(path).with_sheet(grid.name.clone());
    let cell_at = |row: u32, col: u32| {
        at.clone()
            .with_row(u64::from(row) + 1)
            .with_column(column_letters(col as usize))
    };
    let Some((header_row, code_col)) = locate_table(grid) else {
        return Err(
            "no 'NFR Code' header cell and no column of NFR codes: not an Annex I year sheet"
                .into(),
        );
    };

    let template_version = (0..header_row)
        .flat_map(|r| (0..code_col.max(1) + 1).map(move |c| (r, c)))
        .map(|(r, c)| grid.text(r, c))
        .find(|t| {
            let u = t.trim().to_ascii_uppercase();
            u.starts_with("NFR") && u.len() <= 20 && u.bytes().any(|b| b.is_ascii_digit())
        })
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    // NFR 2014-2 (written `NFR 2014-2`, `NFR14`, `NFR-14`): rows are found by
    // code all the same, but rows it lacks are not an error.
    let older_layout = {
        let v: String = squeeze(&template_version).replace('-', "");
        v.contains("2014") || v.contains("nfr14")
    };

    let Some((mut columns, names_row)) = find_columns(grid, header_row, code_col, &at, book) else {
        return Err(format!(
            "no row above the codes of column {} names the template's pollutant columns (NOx (as NO2) ... PCBs): not an Annex I year sheet",
            column_letters(code_col as usize)
        ));
    };
    let excluded = check_units(grid, header_row, names_row, &mut columns, &cell_at, book);
    let header = read_header(grid, header_row, &at, book)?;

    let year = header.year;
    let mut table = Annex1Year::empty(header);
    let mut counts = CellCounts::default();
    let mut rows: BTreeMap<u32, u32> = BTreeMap::new();
    let value_cols: Vec<(Column, u32)> = Column::all()
        .into_iter()
        .filter_map(|c| columns.get(&c).map(|i| (c, *i)))
        .collect();
    let first_value_col = value_cols
        .iter()
        .map(|(_, c)| *c)
        .chain(excluded.iter().copied())
        .min()
        .unwrap_or(code_col + 1);
    let mapped: std::collections::HashSet<u32> = value_cols.iter().map(|(_, c)| *c).collect();
    let is_value_col =
        |c: u32| mapped.contains(&c) && columns.get(&Column::OtherActivityUnit) != Some(&c);
    let mut outside = outside::Outside::default();
    let mut text_numbers = std::collections::BTreeSet::new();

    // Numbers or keys above the header, in the value columns: not the table.
    for (&(r, c), v) in &grid.cells {
        if r < header_row && mapped.contains(&c) && holds_value(v) {
            outside.add(outside::Place::Above, r, c);
        }
    }

    // The template row of each sheet row, by the text of its code cell.
    let mut row_of: BTreeMap<u32, &'static nfr::Row> = BTreeMap::new();
    let mut duplicates: Vec<u32> = Vec::new();
    for r in header_row + 1..=grid.max_row() {
        let text = grid.text(r, code_col);
        let Some(t) = labels::template_row(&text).filter(|t| t.kind != RowKind::MemoHeader) else {
            continue;
        };
        match rows.get(&t.number) {
            Some(first) => {
                book.issues.push(Issue {
                    check: "format.duplicate-row",
                    serious: true,
                    at: cell_at(r, code_col),
                    cell: None,
                    message: format!(
                        "{} is also on row {first}; a code may stand on one row only: row {first} is read, this row is not",
                        t.code
                    ),
                });
                duplicates.push(r);
            }
            None => {
                rows.insert(t.number, r + 1);
                row_of.insert(r, t);
            }
        }
    }
    let last_table_row = row_of.keys().next_back().copied().unwrap_or(header_row);
    // Cells with a value outside the template rows and columns, by row.
    let mut values_by_row: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for (&(r, c), v) in &grid.cells {
        if r > header_row && c >= first_value_col && !excluded.contains(&c) && holds_value(v) {
            values_by_row.entry(r).or_default().push(c);
        }
    }
    for (r, mut cols) in values_by_row {
        cols.sort_unstable();
        if r > last_table_row {
            for c in cols {
                outside.add(outside::Place::Below, r, c);
            }
            continue;
        }
        let template_row = row_of.get(&r);
        for c in cols {
            if !mapped.contains(&c) {
                outside.add(outside::Place::Beside, r, c);
            } else if template_row.is_none() && is_value_col(c) {
                let code = grid.text(r, code_col);
                let code = code.trim();
                let place = if code.is_empty() {
                    outside::Place::NoCode {
                        code_column: column_letters(code_col as usize),
                    }
                } else if duplicates.contains(&r) {
                    // Reported with the code (format.duplicate-row).
                    continue;
                } else {
                    outside::Place::UnknownCode {
                        message: nfr::unknown_code_message(code),
                    }
                };
                outside.add(place, r, c);
            }
        }
    }
    book.skipped.extend(outside.blocks(&at));

    for (&r, template_row) in &row_of {
        let cells = table
            .rows
            .get_mut(&template_row.number)
            .expect("template row");
        for &(column, c) in &value_cols {
            let raw = grid.get(r, c);
            if column == Column::OtherActivityUnit {
                cells.other_activity_unit = crate::sheet::cell_text(raw).unwrap_or_default();
                continue;
            }
            let cell = match read_value_cell(raw) {
                Ok(cell) => cell,
                Err(problem) => {
                    book.unreadable.push(Unreadable {
                        at: cell_at(r, c),
                        year,
                        template_row: template_row.number,
                        column,
                        text: shown_text(raw),
                        problem,
                    });
                    Cell::Empty
                }
            };
            if let (Cell::Number(d), Data::String(s)) = (cell, raw) {
                text_numbers.insert((template_row.number, column));
                book.notes.push(format!(
                    "{}: a number stored as text ('{}'), read as {}",
                    cell_at(r, c),
                    s.trim(),
                    crate::number::format_decimal(d)
                ));
            }
            match cell {
                Cell::Number(_) => counts.numbers += 1,
                Cell::Key(_) => counts.keys += 1,
                Cell::Empty => counts.empty += 1,
            }
            match column {
                Column::Pollutant(p) => cells.set(p, cell),
                Column::Fuel(g) => cells.fuels[g.index()] = cell,
                Column::OtherActivity => cells.other_activity = cell,
                Column::OtherActivityUnit => unreachable!("handled above"),
            }
        }
    }

    let missing: Vec<&nfr::Row> = nfr::rows()
        .iter()
        .filter(|t| t.kind != RowKind::MemoHeader && !rows.contains_key(&t.number))
        .collect();
    if !missing.is_empty() {
        let list = |rows: &[&&nfr::Row]| {
            rows.iter()
                .map(|t| format!("{} (row {})", t.code, t.number))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (optional, required): (Vec<&&nfr::Row>, Vec<&&nfr::Row>) =
            missing.iter().partition(|t| labels::may_be_missing(t));
        if older_layout {
            let all = missing
                .iter()
                .map(|t| format!("{} (row {} of NFR 2019-1)", t.code, t.number))
                .collect::<Vec<_>>()
                .join(", ");
            book.notes.push(format!(
                "{at}: {template_version} has no row for {all}; these rows are left empty"
            ));
        } else {
            let code_at = at.clone().with_column(column_letters(code_col as usize));
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
            *table.rows.get_mut(&t.number).expect("template row") =
                crate::annex1::RowCells::empty("");
        }
    }

    Ok(YearSheet {
        sheet: grid.name.clone(),
        template_version,
        table,
        cells: CellMap {
            file: path.to_path_buf(),
            sheet: grid.name.clone(),
            rows,
            columns,
            text_numbers,
        },
        counts,
    })
}

/// A cell's content as Excel shows it, for messages.
fn shown_text(raw: &Data) -> String {
    match raw {
        Data::Error(e) => excel_error_text(e).to_string(),
        other => crate::sheet::cell_text(other).unwrap_or_default(),
    }
}

/// An Excel error as Excel shows it.
fn excel_error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType as E;
    match e {
        E::Div0 => "#DIV/0!",
        E::NA => "#N/A",
        E::Name => "#NAME?",
        E::Null => "#NULL!",
        E::Num => "#NUM!",
        E::Ref => "#REF!",
        E::Value => "#VALUE!",
        E::GettingData => "#GETTING_DATA",
    }
}

/// True for a cell that holds a number or a notation key.
fn holds_value(v: &Data) -> bool {
    match v {
        Data::Empty => false,
        Data::String(s) => {
            NotationKey::parse(s).is_some()
                || crate::number::parse_decimal(s).is_ok()
                || labels::without_group_separators(s).is_some()
        }
        _ => true,
    }
}

/// The template columns, found by their names in the header rows, and the
/// row that names them; `None` when no row names a pollutant column (not a
/// year sheet). Columns that are missing or named twice are reported.
fn find_columns(
    grid: &Grid,
    header_row: u32,
    code_col: u32,
    at: &Location,
    book: &mut Workbook,
) -> Option<(HashMap<Column, u32>, u32)> {
    // The names row is the header row (or a row above it) that names the
    // most template columns.
    let mut best: Option<(usize, u32, HashMap<Column, Vec<u32>>)> = None;
    for r in header_row.saturating_sub(4)..=header_row {
        let mut found: HashMap<Column, Vec<u32>> = HashMap::new();
        for ((row, c), v) in &grid.cells {
            if *row != r || *c <= code_col {
                continue;
            }
            if let Data::String(s) = v
                && let Some(col) = Column::from_header(s)
            {
                found.entry(col).or_default().push(*c);
            }
        }
        if best.as_ref().is_none_or(|(n, _, _)| found.len() > *n) {
            best = Some((found.len(), r, found));
        }
    }
    let (_, names_row, found) = best?;
    if !found.keys().any(|c| matches!(c, Column::Pollutant(_))) {
        return None;
    }
    let names_at = at.clone().with_row(u64::from(names_row) + 1);
    let mut columns = HashMap::new();
    let mut missing = Vec::new();
    for col in Column::all() {
        match found.get(&col) {
            Some(several) => {
                let mut several = several.clone();
                several.sort_unstable();
                columns.insert(col, several[0]);
                if several.len() > 1 {
                    let letters: Vec<String> = several
                        .iter()
                        .map(|c| column_letters(*c as usize))
                        .collect();
                    book.issues.push(Issue {
                        check: "format.column",
                        serious: true,
                        at: names_at.clone(),
                        cell: None,
                        message: format!(
                            "columns {} are all named {}; the template has one such column: {} is read, the others are not",
                            letters.join(", "),
                            col.label(),
                            letters[0]
                        ),
                    });
                }
            }
            None => missing.push(format!(
                "{} (column {})",
                col.label(),
                col.template_letter()
            )),
        }
    }
    if !missing.is_empty() {
        book.issues.push(Issue {
            check: "format.column",
            serious: true,
            at: names_at,
            cell: None,
            message: format!(
                "no column is named {}; the template names its columns in this row (NOx (as NO2) ... PCBs, Liquid Fuels ... Other Activity Units); left empty",
                missing.join(", ")
            ),
        });
    }
    Some((columns, names_row))
}

/// Each pollutant's unit in the header row, where it is written, must be
/// the template's (`Gg` is `kt`): a column in other units would be read
/// wrongly, so it is not read (reported, and its cells left empty). The
/// sheet columns left out.
fn check_units(
    grid: &Grid,
    header_row: u32,
    names_row: u32,
    columns: &mut HashMap<Column, u32>,
    cell_at: &dyn Fn(u32, u32) -> Location,
    book: &mut Workbook,
) -> Vec<u32> {
    let mut excluded = Vec::new();
    if header_row == names_row {
        return excluded;
    }
    for p in Pollutant::ALL {
        let Some(&c) = columns.get(&Column::Pollutant(p)) else {
            continue;
        };
        let text = grid.text(header_row, c);
        if text.trim().is_empty() || labels::same_unit(&text, p.unit()) {
            continue;
        }
        book.issues.push(Issue {
            check: "format.unit",
            serious: true,
            at: cell_at(header_row, c),
            cell: None,
            message: format!(
                "the unit of {p} is '{}' but the template reports {p} in {}; the column is not read (its cells are left empty): convert it to {} and read it again",
                text.trim(),
                p.unit(),
                p.unit()
            ),
        });
        columns.remove(&Column::Pollutant(p));
        excluded.push(c);
    }
    excluded
}

/// A value cell: a number, a notation key or nothing.
fn read_value_cell(raw: &Data) -> std::result::Result<Cell, String> {
    match raw {
        Data::Empty => Ok(Cell::Empty),
        Data::Float(f) => crate::number::from_excel(*f)
            .map(Cell::Number)
            .map_err(|e| e.to_string()),
        Data::Int(i) => Ok(Cell::Number(rust_decimal::Decimal::from(*i))),
        // A number shown as a date is still the number Excel stores.
        Data::DateTime(d) => crate::number::from_excel(d.as_f64())
            .map(Cell::Number)
            .map_err(|e| e.to_string()),
        Data::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(Cell::Empty);
            }
            if let Some(k) = NotationKey::parse(t) {
                return Ok(Cell::Key(k));
            }
            if let Some(plain) = labels::without_group_separators(t) {
                return crate::number::parse_decimal(&plain)
                    .map(Cell::Number)
                    .map_err(|e| format!("'{t}': {e}"));
            }
            crate::number::parse_decimal(t)
                .map(Cell::Number)
                .map_err(|_| {
                    format!("'{t}' is neither a number nor a notation key (NO, NE, NA, IE, C, NR)")
                })
        }
        Data::Bool(b) => Err(format!(
            "holds the logical value {}, not a number or a notation key",
            if *b { "TRUE" } else { "FALSE" }
        )),
        Data::Error(e) => Err(format!(
            "shows the Excel error {}: its formula cannot be computed; read as empty: fix it in the workbook",
            excel_error_text(e)
        )),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Err(format!(
            "holds the date or duration '{s}', not a number or a notation key"
        )),
    }
}

/// The header block: the value beside each label in the label column; the
/// year from `year:` (B6) or the sheet name, reported when they disagree.
/// `Err(reason)` when neither gives a year.
fn read_header(
    grid: &Grid,
    header_row: u32,
    at: &Location,
    book: &mut Workbook,
) -> std::result::Result<Header, String> {
    let mut header = Header::default();
    let mut year_cell: Option<(u32, u32)> = None;
    for r in 0..header_row {
        for c in 0..3 {
            let label = squeeze(&grid.text(r, c));
            let value = || grid.text(r, c + 1).trim().to_string();
            match label.trim_end_matches(':') {
                "country" => header.country = value(),
                "reporting" | "reportingdate" | "date" => {
                    header.reporting_date = reporting_date(grid.get(r, c + 1))
                }
                "year" => year_cell = Some((r, c + 1)),
                "version" => header.version = value(),
                _ => {}
            }
        }
    }
    let from_name = year_in_name(&grid.name);
    let from_cell = match year_cell {
        Some((r, c)) => {
            let text = grid.text(r, c);
            let cell_at = at
                .clone()
                .with_row(u64::from(r) + 1)
                .with_column(column_letters(c as usize));
            if text.trim().is_empty() {
                None
            } else {
                match crate::activity::parse_year(text.trim()) {
                    Ok(y) => Some((y, cell_at)),
                    Err(e) => {
                        book.issues.push(Issue {
                            check: "format.year",
                            serious: from_name.is_none(),
                            at: cell_at,
                            cell: None,
                            message: format!(
                                "the year of the sheet: {e}{}",
                                match from_name {
                                    Some(n) =>
                                        format!("; the year of the sheet name, {n}, is used"),
                                    None => String::new(),
                                }
                            ),
                        });
                        None
                    }
                }
            }
        }
        None => None,
    };
    header.year = match (from_cell, from_name) {
        (Some((y, cell_at)), Some(n)) if y != n => {
            book.issues.push(Issue {
                check: "format.year",
                serious: false,
                at: cell_at,
                cell: None,
                message: format!(
                    "the header block says year {y} but the sheet name '{}' says {n}; the header block's {y} is used: correct the one that is wrong",
                    grid.name
                ),
            });
            y
        }
        (Some((y, _)), _) => y,
        (None, Some(n)) => n,
        (None, None) => {
            return Err(
                "the year of the sheet is not given: the header block has no year (label 'year:' in column A, the year beside it) and the sheet name has none; the sheet is not read".into(),
            );
        }
    };
    Ok(header)
}

/// The reporting date as the template writes it (DD.MM.YYYY); a date cell
/// is written so (in the 1900 date system, Excel's default; calamine does
/// not say when a workbook uses the 1904 one), other cells as their text.
fn reporting_date(value: &Data) -> String {
    match value {
        Data::DateTime(d) if d.is_datetime() => {
            let serial = d.as_f64().floor() as i64;
            let (y, m, day) = crate::date::civil_from_excel_serial(serial);
            format!("{day:02}.{m:02}.{y}")
        }
        other => crate::sheet::cell_text(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// A year (1980-2100) standing alone in a sheet name (`2019`, `NFR-19 2022`).
fn year_in_name(name: &str) -> Option<i32> {
    let found: Vec<i32> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| crate::activity::parse_year(t).ok())
        .collect();
    match found.as_slice() {
        [y] => Some(*y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_texts_name_template_columns() {
        assert_eq!(
            Column::from_header("NOx\n(as NO2)"),
            Some(Column::Pollutant(Pollutant::NOx))
        );
        assert_eq!(
            Column::from_header("PCDD/ PCDF\n(dioxins/ furans)"),
            Some(Column::Pollutant(Pollutant::PCDDF))
        );
        assert_eq!(
            Column::from_header("Total 1-4"),
            Some(Column::Pollutant(Pollutant::PAH14))
        );
        assert_eq!(Column::from_header("PAHs"), None);
        assert_eq!(
            Column::from_header("Other activity (specified)"),
            Some(Column::OtherActivity)
        );
        assert_eq!(
            Column::from_header("Gaseous Fuels"),
            Some(Column::Fuel(FuelGroup::Gaseous))
        );
        assert_eq!(Column::from_header("kt"), None);
        assert_eq!(Column::all().len(), 33);
    }

    #[test]
    fn sheet_names_give_a_year_only_when_there_is_one() {
        assert_eq!(year_in_name("2019"), Some(2019));
        assert_eq!(year_in_name("NFR-19 2022"), Some(2022));
        assert_eq!(year_in_name("Summary"), None);
        assert_eq!(year_in_name("2019 vs 2020"), None);
    }

    #[test]
    fn a_reporting_date_cell_reads_as_the_template_writes_it() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        // Serial day 45337 of the 1900 date system is 15 February 2024.
        let date = Data::DateTime(ExcelDateTime::new(
            45337.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(reporting_date(&date), "15.02.2024");
        assert_eq!(reporting_date(&Data::Float(2021.0)), "2021");
        assert_eq!(
            reporting_date(&Data::String(" 15.02.2021 ".into())),
            "15.02.2021"
        );
    }

    #[test]
    fn value_cells_are_numbers_keys_or_empty() {
        assert_eq!(read_value_cell(&Data::Empty), Ok(Cell::Empty));
        assert_eq!(read_value_cell(&Data::String(" ".into())), Ok(Cell::Empty));
        assert_eq!(
            read_value_cell(&Data::String("NE ".into())),
            Ok(Cell::Key(NotationKey::NE))
        );
        assert_eq!(
            read_value_cell(&Data::Float(0.30310896000000004)),
            Ok(Cell::Number(
                rust_decimal::Decimal::from_str_exact("0.30310896000000004").unwrap()
            ))
        );
        assert_eq!(
            read_value_cell(&Data::String("118454.36".into())),
            Ok(Cell::Number(
                rust_decimal::Decimal::from_str_exact("118454.36").unwrap()
            ))
        );
        let e = read_value_cell(&Data::String("n/a".into())).unwrap_err();
        assert!(
            e.contains("'n/a' is neither a number nor a notation key"),
            "{e}"
        );
        assert!(read_value_cell(&Data::Bool(true)).is_err());
        assert!(read_value_cell(&Data::String("0,5".into())).is_err());
        assert!(read_value_cell(&Data::Error(calamine::CellErrorType::Div0)).is_err());
    }
}
