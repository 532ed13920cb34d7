//! Errors with locations.
//!
//! Every error a user can cause names where it happened in their own terms:
//! the file, the sheet, the row and the column (or the A1 cell of a
//! workbook), the text that was found and what would have been accepted.

use std::fmt;
use std::path::{Path, PathBuf};

/// Where a value was read: file, sheet (for workbooks), row and column.
///
/// Rows are 1-based as a spreadsheet shows them (the header of a CSV file is
/// row 1). Columns are named by their header text in CSV files and by their
/// letter in workbooks, so a location prints as `activity.csv, row 12, column
/// value` or `annex1.xlsx, sheet 2019, cell H27`.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<u64>,
    /// The row is a line of a text file that is not a table
    /// (inventory.toml, a commitment file): said `line N`, not `row N`.
    #[serde(skip)]
    pub is_line: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
}

impl Location {
    pub fn file(path: impl AsRef<Path>) -> Location {
        Location {
            file: path.as_ref().display().to_string(),
            ..Location::default()
        }
    }

    pub fn with_sheet(mut self, sheet: impl Into<String>) -> Location {
        self.sheet = Some(sheet.into());
        self
    }

    pub fn with_row(mut self, row: u64) -> Location {
        self.row = Some(row);
        self
    }

    pub fn with_line(mut self, line: u64) -> Location {
        self.row = Some(line);
        self.is_line = true;
        self
    }

    pub fn with_column(mut self, column: impl Into<String>) -> Location {
        self.column = Some(column.into());
        self
    }

    /// The location of the row, without the column.
    pub fn with_column_cleared(mut self) -> Location {
        self.column = None;
        self
    }

    /// The A1 reference of the cell when the location is a workbook cell
    /// (a sheet, a row and a column letter).
    pub fn cell(&self) -> Option<String> {
        match (&self.sheet, self.row, &self.column) {
            (Some(_), Some(row), Some(col)) if is_column_letters(col) => {
                Some(format!("{col}{row}"))
            }
            _ => None,
        }
    }
}

fn is_column_letters(s: &str) -> bool {
    !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_uppercase())
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(sheet) = &self.sheet {
            write!(f, ", sheet {sheet}")?;
        }
        if let Some(cell) = self.cell() {
            return write!(f, ", cell {cell}");
        }
        if let Some(row) = self.row {
            let word = if self.is_line { "line" } else { "row" };
            write!(f, ", {word} {row}")?;
        }
        if let Some(col) = &self.column {
            write!(f, ", column {col}")?;
        }
        Ok(())
    }
}

/// The letters of a 0-based column index, as a spreadsheet names it (0 → A, 27 → AB).
pub fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        out.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

/// The library's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read or written. (The I/O error is said
    /// in the message, not chained: printed once.)
    #[error("{}: {}", .path.display(), io_words(.error))]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
    /// A value in an input file is not what was expected there.
    #[error("{at}: {problem}")]
    Input { at: Location, problem: String },
    /// A value given on the command line is not usable (an unknown code, fuel or pollutant).
    #[error("{0}")]
    Argument(String),
    /// A file as a whole cannot be used (not a workbook, bad TOML, missing column...).
    #[error("{path}: {problem}")]
    File { path: PathBuf, problem: String },
    /// Several emission factors fit one activity and nothing says which one to use.
    #[error("{0}")]
    Ambiguous(String),
    /// The input was read but some rows or cells had to be rejected.
    #[error("{count} input row(s) rejected; first: {first}")]
    Rejected { count: usize, first: String },
}

impl Error {
    pub fn io(path: impl AsRef<Path>, error: std::io::Error) -> Error {
        Error::Io {
            path: path.as_ref().to_path_buf(),
            error,
        }
    }

    pub fn input(at: Location, problem: impl Into<String>) -> Error {
        Error::Input {
            at,
            problem: problem.into(),
        }
    }

    pub fn file(path: impl AsRef<Path>, problem: impl Into<String>) -> Error {
        Error::File {
            path: path.as_ref().to_path_buf(),
            problem: problem.into(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An I/O error in a compiler's words.
fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "does not exist".into(),
        std::io::ErrorKind::PermissionDenied => "cannot be opened: permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a folder, not a file".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_follow_spreadsheet_naming() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(4), "E");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(29), "AD");
        assert_eq!(column_letters(37), "AL");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn locations_print_as_a_compiler_reads_them() {
        let csv = Location::file("activity.csv")
            .with_row(12)
            .with_column("value");
        assert_eq!(csv.to_string(), "activity.csv, row 12, column value");
        let cell = Location::file("annex1.xlsx")
            .with_sheet("2019")
            .with_row(27)
            .with_column("H");
        assert_eq!(cell.to_string(), "annex1.xlsx, sheet 2019, cell H27");
        assert_eq!(cell.cell().as_deref(), Some("H27"));
    }
}
