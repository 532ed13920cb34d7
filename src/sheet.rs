//! Reading tables of text cells from CSV files and workbook sheets, with
//! the location of every cell.
//!
//! CSV files are read as UTF-8 (a byte-order mark is skipped); workbooks
//! (.xlsx, .xlsm, .xls, .ods) through calamine, each number cell turned into
//! exact decimal text by [`crate::number::from_excel`]. Formula cells give
//! their cached values.

use crate::error::{Error, Location, Result, column_letters};
use calamine::{Data, Reader, open_workbook_auto};
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
        read_workbook_sheet(path, sheet)
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
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    // Line numbers are counted here: the CSV reader skips empty lines
    // without counting them, and a row must be found where an editor shows it.
    let mut lines = LineCounter::default();
    let mut next_line = 1u64;
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                return Err(Error::input(
                    Location::file(path).with_row(line),
                    format!("the CSV cannot be read here: {e}"),
                ));
            }
        }
        let number = lines.line_at(
            bytes,
            record.position().map(|p| p.byte() as usize).unwrap_or(0),
        );
        // Empty lines the CSV reader skipped since the last record: kept as
        // empty rows, so that readers count them.
        for blank in next_line..number {
            rows.push(SheetRow {
                number: blank,
                cells: Vec::new(),
            });
        }
        next_line = number
            + 1
            + record
                .iter()
                .map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64)
                .sum::<u64>();
        let mut cells = Vec::with_capacity(record.len());
        for (i, field) in record.iter().enumerate() {
            match std::str::from_utf8(field) {
                Ok(s) => cells.push(s.to_string()),
                Err(_) => {
                    return Err(Error::input(
                        Location::file(path)
                            .with_row(number)
                            .with_column(format!("{}", i + 1)),
                        "the text is not UTF-8; save the file as CSV UTF-8",
                    ));
                }
            }
        }
        rows.push(SheetRow { number, cells });
    }
    Ok(Sheet {
        at: Location::file(path),
        lettered: false,
        rows,
    })
}

/// Counts lines up to byte offsets that only move forward.
#[derive(Debug, Default)]
pub struct LineCounter {
    offset: usize,
    newlines: u64,
}

impl LineCounter {
    /// The 1-based line of the record that starts at `offset` (at or after
    /// the last one asked). The CSV reader gives the offset where it began
    /// looking for the record, before the empty lines it skips.
    pub fn line_at(&mut self, bytes: &[u8], offset: usize) -> u64 {
        let mut end = offset.min(bytes.len());
        while end < bytes.len() && (bytes[end] == b'\n' || bytes[end] == b'\r') {
            end += 1;
        }
        if end > self.offset {
            self.newlines += bytes[self.offset..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.offset = end;
        }
        self.newlines + 1
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

/// The text of a workbook cell: strings as they are, numbers as exact
/// decimals, booleans as TRUE/FALSE, errors as Excel shows them.
pub fn cell_text(value: &Data) -> Result<String, String> {
    Ok(match value {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            crate::number::format_decimal(crate::number::from_excel(*f).map_err(|e| e.to_string())?)
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => crate::number::format_decimal(
            crate::number::from_excel(d.as_f64()).map_err(|e| e.to_string())?,
        ),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    })
}
