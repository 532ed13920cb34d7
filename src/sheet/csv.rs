//! Reading a CSV file as Excel writes it in any locale: the separator
//! (detected from the header, one for every line), quoted fields, line
//! numbers as an editor shows them, and the decimal comma
//! ([`super::decimal_comma`]); the text comes from [`super::encoding`].

use super::decimal_comma::{is_comma_number, to_decimal_points};
use super::encoding::{TextEncoding, decode};
use super::{Sheet, SheetRow};
use crate::error::{Error, Location, Result};
use std::path::Path;

/// The largest CSV file read (1 GiB): no activity file is near it, and the
/// file is read whole.
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// The longest header line read (1 MiB): a longer one is not an activity
/// header (a binary file, or a file with no line ends).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// The longest field read (64 KiB): no code, name, unit or number is
/// near it, and a longer one would be copied into every message and output.
pub const MAX_FIELD_BYTES: usize = 64 << 10;

/// The most cells a row of a CSV file may have (1 048 576, 64 times the
/// columns of an Excel sheet): a row with more is refused before it is read,
/// so that no row's cells take more than a few megabytes. Empty cells at the
/// end of a row (after its last value) are not kept, so a file with many
/// empty columns takes no more memory than its values.
pub const MAX_CELLS_PER_ROW: usize = 1 << 20;

/// Refuses what is not a regular file (after symlinks): `/dev/zero`, a
/// pipe or a folder given as a table would be read forever or not at all.
pub fn check_regular_file(path: &Path) -> Result<()> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_file() {
        return Ok(());
    }
    let what = if meta.is_dir() {
        "a folder"
    } else {
        "not a regular file (a device, pipe or socket)"
    };
    Err(Error::file(
        path,
        format!("is {what}; give a CSV file or a workbook"),
    ))
}

/// Old Mac line ends (a CR alone) as line feeds, so that rows, line numbers
/// and the fast reader's fallback agree; CRLF is left as it is.
fn lone_cr_to_lf(text: String) -> String {
    let b = text.as_bytes();
    let lone = |p: usize| b[p] == b'\r' && b.get(p + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', b).any(lone) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// How to read a CSV file: each setting forced, or detected when `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    pub delimiter: Option<u8>,
    pub decimal_comma: Option<bool>,
    pub encoding: Option<TextEncoding>,
}

/// How a CSV file was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvDialect {
    pub delimiter: u8,
    pub decimal_comma: bool,
    pub encoding: TextEncoding,
}

/// The separators a CSV file may use, in order of preference on a tie.
pub const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A separator as given on the command line: `,` `;` `tab` (or `\t`) `|`.
pub fn parse_delimiter(text: &str) -> std::result::Result<u8, String> {
    match text {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\t" | "tab" | "\\t" => Ok(b'\t'),
        "|" | "pipe" => Ok(b'|'),
        other => Err(format!(
            "'{other}' is not a CSV separator airinv reads; use , ; tab or |"
        )),
    }
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b',' => "','",
        b';' => "';'",
        b'\t' => "tab",
        b'|' => "'|'",
        _ => "?",
    }
}

/// Reads a CSV file as [`CsvOptions`] say, and says how it was read.
pub fn read_csv_with(path: &Path, options: &CsvOptions) -> Result<(Sheet, CsvDialect)> {
    check_regular_file(path)?;
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > MAX_CSV_BYTES {
        return Err(Error::file(
            path,
            format!(
                "is {size} bytes, more than airinv reads as a CSV file ({MAX_CSV_BYTES} bytes); split it"
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let (text, encoding) = decode(path, &bytes, options.encoding)?;
    let text = lone_cr_to_lf(text);
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => detect_delimiter(&text),
    };
    let mut rows = parse_csv(path, &text, delimiter)?;
    check_one_delimiter(path, &rows, delimiter)?;
    let decimal_comma = match options.decimal_comma {
        Some(d) => d,
        None => {
            matches!(delimiter, b';' | b'\t')
                && rows
                    .iter()
                    .flat_map(|r| r.cells.iter())
                    .any(|c| is_comma_number(c))
        }
    };
    if decimal_comma {
        to_decimal_points(path, &mut rows)?;
    }
    Ok((
        Sheet {
            at: Location::file(path),
            lettered: false,
            rows,
        },
        CsvDialect {
            delimiter,
            decimal_comma,
            encoding,
        },
    ))
}

/// The separator that splits the first non-empty line into the most fields
/// (outside quotes); `,` when none does.
pub fn detect_delimiter(text: &str) -> u8 {
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    let mut best = (0usize, b',');
    for d in DELIMITERS {
        let n = count_outside_quotes(first, d);
        if n > best.0 {
            best = (n, d);
        }
    }
    best.1
}

fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for b in line.bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

/// What a scan of the text before it is read as CSV finds wrong.
enum Unreadable {
    /// A quoted field opens on this line and is never closed: the CSV
    /// reader would read the rest of the file into that field.
    UnclosedQuote(u64),
    /// The row starting on this line has more than [`MAX_CELLS_PER_ROW`] cells.
    TooManyCells(u64),
}

/// Scans the text as the CSV reader will read it: a quote left open, or a
/// row with more cells than [`MAX_CELLS_PER_ROW`].
fn unreadable(text: &str, delimiter: u8) -> Option<Unreadable> {
    let b = text.as_bytes();
    let (mut i, mut line, mut field_start) = (0, 1u64, true);
    let (mut row_line, mut cells) = (1u64, 1usize);
    while i < b.len() {
        match b[i] {
            b'"' if field_start => {
                let opened = line;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Some(Unreadable::UnclosedQuote(opened)),
                        Some(b'"') if b.get(i + 1) == Some(&b'"') => i += 2,
                        Some(b'"') => break,
                        Some(b'\n') => {
                            line += 1;
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
                field_start = false;
            }
            b'\n' => {
                line += 1;
                field_start = true;
                (row_line, cells) = (line, 1);
            }
            c => {
                field_start = c == delimiter || (c == b'\r' && field_start);
                if c == delimiter {
                    cells += 1;
                    if cells > MAX_CELLS_PER_ROW {
                        return Some(Unreadable::TooManyCells(row_line));
                    }
                }
            }
        }
        i += 1;
    }
    None
}

fn parse_csv(path: &Path, text: &str, delimiter: u8) -> Result<Vec<SheetRow>> {
    match unreadable(text, delimiter) {
        Some(Unreadable::UnclosedQuote(line)) => {
            return Err(Error::input(
                Location::file(path).with_row(line),
                "a quoted field opens here (\") and is never closed, so the rest of the file would be read into it; close the quote",
            ));
        }
        Some(Unreadable::TooManyCells(line)) => {
            return Err(Error::input(
                Location::file(path).with_row(line),
                format!(
                    "the row has more than {MAX_CELLS_PER_ROW} cells, more than airinv reads in a row; is the separator right, or is this not a table?"
                ),
            ));
        }
        None => {}
    }
    let bytes = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    // Line numbers are counted here: the CSV reader skips empty lines
    // without counting them, and a row must be found where an editor shows it.
    let mut lines = LineCounter::default();
    let mut next_line = 1u64;
    let mut header_seen = false;
    loop {
        match reader.read_record(&mut record) {
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
                .map(|f| f.matches('\n').count() as u64)
                .sum::<u64>();
        let is_header = !header_seen;
        header_seen |= record.iter().any(|c| !c.trim().is_empty());
        if is_header && record.as_slice().len() > MAX_LINE_BYTES {
            return Err(Error::input(
                Location::file(path).with_row(number),
                format!(
                    "the header line is longer than {MAX_LINE_BYTES} bytes; is this an activity CSV file?"
                ),
            ));
        }
        if let Some((i, f)) = record
            .iter()
            .enumerate()
            .find(|(_, f)| f.len() > MAX_FIELD_BYTES)
        {
            return Err(Error::input(
                Location::file(path).with_row(number),
                format!(
                    "field {} is {} bytes long, more than airinv reads in a field ({MAX_FIELD_BYTES} bytes); is a quote left open, or is this not a table?",
                    i + 1,
                    f.len()
                ),
            ));
        }
        // Empty cells after a row's last value are not kept (the header's
        // are: its width says which cells lie beyond it); a row keeps two
        // cells at least, so that a row of one field (another separator,
        // `check_one_delimiter`) is told from one of several.
        let kept = if is_header {
            record.len()
        } else {
            (0..record.len())
                .rev()
                .find(|&i| !record[i].trim().is_empty())
                .map_or(0, |last| last + 1)
                .max(record.len().min(2))
        };
        let cells = record.iter().take(kept).map(String::from).collect();
        rows.push(SheetRow { number, cells });
    }
    // Empty lines at the end of the file.
    let last_line = bytes.iter().filter(|&&b| b == b'\n').count() as u64
        + u64::from(!bytes.ends_with(b"\n") && !bytes.is_empty());
    for blank in next_line..=last_line {
        rows.push(SheetRow {
            number: blank,
            cells: Vec::new(),
        });
    }
    Ok(rows)
}

/// A line that holds none of the header's separator but another one is a
/// file whose lines use different separators: refused, since each such line
/// would be read as one field.
fn check_one_delimiter(path: &Path, rows: &[SheetRow], delimiter: u8) -> Result<()> {
    let mut non_empty = rows
        .iter()
        .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()));
    let Some(header) = non_empty.next() else {
        return Ok(());
    };
    if header.cells.len() < 2 {
        return Ok(());
    }
    for row in non_empty {
        if row.cells.len() != 1 {
            continue;
        }
        let line = &row.cells[0];
        if let Some(other) = DELIMITERS
            .iter()
            .find(|d| **d != delimiter && count_outside_quotes(line, **d) > 0)
        {
            return Err(Error::input(
                Location::file(path).with_row(row.number),
                format!(
                    "this line is separated by {} but the header (row {}) by {}; save the file with one separator",
                    delimiter_name(*other),
                    header.number,
                    delimiter_name(delimiter)
                ),
            ));
        }
    }
    Ok(())
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::sheet::xls::OLE;
    use proptest::prelude::*;

    pub(crate) fn read_bytes(bytes: &[u8], options: &CsvOptions) -> Result<(Sheet, CsvDialect)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, bytes).unwrap();
        read_csv_with(&p, options)
    }

    pub(crate) fn cells(sheet: &Sheet) -> Vec<Vec<String>> {
        sheet.rows.iter().map(|r| r.cells.clone()).collect()
    }

    #[test]
    fn excel_csv_of_a_european_locale_is_read_with_its_decimal_commas() {
        let text = "year;nfr;fuel;technology;value;unit\n2022;1A1a;Natural gas;;1,5;TJ\n2022;1A1a;Natural gas;;1 234,5;TJ\n";
        let (sheet, dialect) = read_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
        assert_eq!(dialect.delimiter, b';');
        assert!(dialect.decimal_comma);
        assert_eq!(dialect.encoding, TextEncoding::Utf8);
        assert_eq!(cells(&sheet)[1][4], "1.5");
        assert_eq!(cells(&sheet)[2][4], "1234.5");
        // A ;-file with dot decimals stays as it is.
        let text = "year;nfr;value\n2022;1A1a;1.5\n";
        let (sheet, dialect) = read_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
        assert!(!dialect.decimal_comma);
        assert_eq!(cells(&sheet)[1][2], "1.5");
        // A comma file: a quoted "1,5" is not guessed (it could be 1500).
        let text = "year,nfr,value\n2022,1A1a,\"1,5\"\n";
        let (sheet, dialect) = read_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
        assert!(!dialect.decimal_comma);
        assert_eq!(cells(&sheet)[1][2], "1,5");
        // ... unless asked.
        let forced = CsvOptions {
            decimal_comma: Some(true),
            ..CsvOptions::default()
        };
        let (sheet, _) = read_bytes(text.as_bytes(), &forced).unwrap();
        assert_eq!(cells(&sheet)[1][2], "1.5");
        // An ambiguous number is an error at its row and column.
        let text = "year;nfr;value\n2022;1A1a;1,5\n2022;1A1b;1.234\n";
        let e = read_bytes(text.as_bytes(), &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("a.csv, row 3, column value: '1.234' is ambiguous"),
            "{e}"
        );
    }

    #[test]
    fn mixed_separators_binary_and_workbooks_are_refused_with_what_they_are() {
        let e = read_bytes(b"year,nfr,value\n2022;1A1a;5\n", &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 2: this line is separated by ';' but the header (row 1) by ','"),
            "{e}"
        );
        let e = read_bytes(b"PK\x03\x04rest", &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("is a workbook"), "{e}");
        let e = read_bytes(b"a,b\n1,\x00\x01\x02\n", &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 2: holds binary data"), "{e}");
        let e = read_bytes(&OLE, &CsvOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains(".xls workbook"), "{e}");
    }

    #[test]
    fn separators_are_detected_from_the_header() {
        assert_eq!(detect_delimiter("a;b;c\n1,5;2;3"), b';');
        assert_eq!(detect_delimiter("a,b,c\n"), b',');
        assert_eq!(detect_delimiter("a\tb\n"), b'\t');
        assert_eq!(detect_delimiter("\"x;y\",b\n"), b',');
        assert_eq!(detect_delimiter("single\n"), b',');
        assert_eq!(parse_delimiter("tab"), Ok(b'\t'));
        assert!(parse_delimiter("::").is_err());
        assert_eq!(
            TextEncoding::parse("CP1251"),
            Some(TextEncoding::Windows1251)
        );
        assert_eq!(
            TextEncoding::parse("latin1"),
            Some(TextEncoding::Windows1252)
        );
        assert_eq!(TextEncoding::parse("koi8-r"), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes: an error naming the file, or a table whose rows are
        /// numbered in order within the file's lines; never a panic.
        #[test]
        fn any_bytes_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            match read_bytes(&bytes, &CsvOptions::default()) {
                Ok((sheet, _)) => {
                    let lines = bytes.iter().filter(|b| matches!(b, b'\n' | b'\r')).count() as u64 + 1;
                    prop_assert!(sheet.rows.windows(2).all(|w| w[0].number < w[1].number));
                    prop_assert!(
                        sheet.rows.iter().all(|r| r.number >= 1 && r.number <= lines),
                        "{} lines: {:?}",
                        lines,
                        sheet.rows.iter().map(|r| r.number).collect::<Vec<_>>()
                    );
                }
                Err(e) => prop_assert!(e.to_string().contains("a.csv"), "{}", e),
            }
        }

        /// Delimited rows of plain fields survive any separator and encoding
        /// Excel uses.
        #[test]
        fn rows_survive_every_dialect(
            fields in proptest::collection::vec("[A-Za-zÀ-ÿ0-9 ]{1,8}", 2..6),
            d in 0usize..4,
        ) {
            let delimiter = DELIMITERS[d] as char;
            let line = fields.join(&delimiter.to_string());
            let text = format!("{line}\n{line}\n");
            let (sheet, dialect) = read_bytes(text.as_bytes(), &CsvOptions::default()).unwrap();
            prop_assert_eq!(dialect.delimiter, DELIMITERS[d]);
            // Blank cells after a row's last value are not kept (the
            // header's are), two cells at least.
            let mut kept = fields.clone();
            while kept.len() > 2 && kept.last().is_some_and(|f| f.trim().is_empty()) {
                kept.pop();
            }
            prop_assert_eq!(&sheet.rows[1].cells, &kept);
        }
    }
}
