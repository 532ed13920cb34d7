//! Reading tables of text cells from CSV files and workbook sheets, with
//! the location of every cell.
//!
//! CSV files are read as Excel writes them in any locale ([`CsvOptions`]):
//! - the **encoding**: UTF-8 (with or without a byte-order mark), UTF-16
//!   with a byte-order mark (Excel's "Unicode text"), or, when the bytes are
//!   not UTF-8, Windows-1251 (Cyrillic) or Windows-1252 (Western European),
//!   told apart by the letters they make (Cyrillic letters next to each
//!   other, or accented Latin letters inside Latin words). Decoding uses the
//!   `encoding_rs` tables (already in the build through calamine);
//! - the **separator**: `,`, `;`, tab or `|`, the one that splits the first
//!   line into the most fields; a line that uses another separator than the
//!   header is an error, not a row read as one field;
//! - the **decimal comma**: in a file separated by `;` or tabs (how Excel
//!   writes CSV where the comma is the decimal separator), numbers written
//!   `1,5`, `-0,25`, `1 234,5`, `1.234,5` or `8,5E-05` are read as 1.5,
//!   -0.25, 1234.5, 1234.5, 0.000085. A number that could be read two ways
//!   (`1.234`: 1234 with a thousands separator, or 1.234?) is an error with
//!   its row and column, never a guess. In a file separated by commas a
//!   decimal comma cannot be told from a thousands separator, so it is read
//!   only when asked (`--decimal-comma`).
//!
//! Each of these can be forced ([`CsvOptions`]; `--delimiter`,
//! `--decimal-comma`, `--encoding` on `airinv compile`). Binary files, and
//! workbooks saved under a `.csv` name, are refused with what they are.
//!
//! Workbooks (.xlsx, .xlsm, .xls, .ods) are read through calamine, each
//! number cell turned into exact decimal text by
//! [`crate::number::from_excel`]; formula cells give their cached values.

//!
//! # Data flow
//!
//! ```text
//!  a .csv file ──► csv::read_csv_with ─┬─ encoding::decode (BOM, UTF-16,
//!                                      │    UTF-8, or Windows-1251/1252 guessed)
//!                                      ├─ csv::detect_delimiter, parse_csv
//!                                      │    (line numbers kept, one separator)
//!                                      └─ decimal_comma (1,5 → 1.5, or an error)
//!                                                   │
//!  a workbook ──► container::check_container_bounds (zip parts, shared
//!                 │   strings, cell references; xls: the declared ranges)
//!                 └► workbook::read_bounded ── check_sheet_bounds, then
//!                        calamine's range, each cell by cell::cell_text
//!                                                   │
//!                                                   ▼
//!                                 Sheet (rows of text cells, each located)
//! ```
//!
//! One file per job: [`csv`] (reading and its settings), [`encoding`]
//! (text encodings), [`decimal_comma`] (numbers written with a decimal
//! comma), [`container`] (bounds of the zip container, for activity sheets
//! and for the Annex I workbook reader alike), [`xls`] (the .xls
//! compound file's declared ranges), [`workbook`] (a sheet of a workbook
//! read into rows) and [`cell`] (a workbook cell as text). This module is
//! the reading layer's bottom: it uses only `error`, `number` and `output`.

mod cell;
mod container;
mod csv;
mod decimal_comma;
mod encoding;
mod workbook;
mod xls;
mod xlsx_xml;

pub use self::csv::{
    CsvDialect, CsvOptions, DELIMITERS, LineCounter, MAX_CSV_BYTES, MAX_FIELD_BYTES,
    MAX_LINE_BYTES, check_regular_file, detect_delimiter, parse_delimiter, read_csv_with,
};
pub use cell::cell_text;
pub use container::{MAX_PART_BYTES, check_container_bounds};
pub use decimal_comma::decimal_comma_to_point;
pub use encoding::{TextEncoding, guess_single_byte};
pub use workbook::{MAX_SHEET_CELLS, check_sheet_bounds, sheet_names};
pub use xls::{DeclaredRange, xls_dimensions};

use crate::error::{Error, Location, Result, column_letters};
use std::path::Path;

/// A row of text cells and its row number as a spreadsheet shows it.
#[derive(Debug, Clone)]
pub struct SheetRow {
    pub number: u64,
    pub cells: Vec<String>,
}

/// A table read whole: rows of text cells.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The file (and sheet) the table was read from.
    pub at: Location,
    /// True when columns are named by letters (a workbook sheet).
    pub lettered: bool,
    pub rows: Vec<SheetRow>,
}

impl Sheet {
    /// The location of a cell, by 0-based column index.
    pub fn cell_location(&self, row: u64, column: usize, header: Option<&str>) -> Location {
        let col = if self.lettered {
            column_letters(column)
        } else {
            header
                .map(String::from)
                .unwrap_or_else(|| format!("{}", column + 1))
        };
        self.at.clone().with_row(row).with_column(col)
    }
}

/// True when a path names a workbook calamine can read.
pub fn is_workbook(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
    )
}

/// Reads a CSV file or one sheet of a workbook (the first sheet when none
/// is named).
pub fn read(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
    if is_workbook(path) {
        workbook::read_bounded(path, sheet)
    } else {
        if let Some(s) = sheet {
            return Err(Error::file(
                path,
                format!("a sheet ('{s}') is named but the file is not a workbook"),
            ));
        }
        read_csv(path)
    }
}

fn read_csv(path: &Path) -> Result<Sheet> {
    read_csv_with(path, &CsvOptions::default()).map(|(sheet, _)| sheet)
}

/// Reads a CSV file or one sheet of a workbook, with CSV settings forced
/// where the options give them (detected otherwise).
pub fn read_with(path: &Path, sheet: Option<&str>, csv: &CsvOptions) -> Result<Sheet> {
    if is_workbook(path) || sheet.is_some() {
        read(path, sheet)
    } else {
        read_csv_with(path, csv).map(|(sheet, _)| sheet)
    }
}
