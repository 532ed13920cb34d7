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
        read_workbook_sheet_bounded(path, sheet)
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

/// The largest CSV file read (1 GiB): no activity file is near it, and the
/// file is read whole.
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// A text encoding of CSV files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    Utf8,
    /// UTF-16 with a byte-order mark (Excel's "Unicode text").
    Utf16,
    /// Windows-1251: Cyrillic (Excel's CSV in Russian or Kazakh Windows).
    Windows1251,
    /// Windows-1252: Western European (Excel's CSV in English, French,
    /// German... Windows).
    Windows1252,
}

impl TextEncoding {
    /// The names accepted on the command line.
    pub const NAMES: &str = "utf-8, utf-16, windows-1251 (cp1251), windows-1252 (cp1252, latin1)";

    pub fn parse(text: &str) -> Option<TextEncoding> {
        let t: String = text
            .trim()
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        Some(match t.as_str() {
            "utf8" => TextEncoding::Utf8,
            "utf16" => TextEncoding::Utf16,
            "windows1251" | "cp1251" | "1251" => TextEncoding::Windows1251,
            "windows1252" | "cp1252" | "1252" | "latin1" | "iso88591" => TextEncoding::Windows1252,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf16 => "UTF-16",
            TextEncoding::Windows1251 => "Windows-1251",
            TextEncoding::Windows1252 => "Windows-1252",
        }
    }
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

/// The signature of an OLE compound file (an .xls workbook).
const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The text of a CSV file and its encoding.
fn decode(
    path: &Path,
    bytes: &[u8],
    forced: Option<TextEncoding>,
) -> Result<(String, TextEncoding)> {
    if bytes.starts_with(b"PK\x03\x04") {
        return Err(Error::file(
            path,
            "is a workbook (a zip container, as .xlsx and .ods files are), not a CSV file; give it its .xlsx name, or save it as CSV",
        ));
    }
    if bytes.starts_with(&OLE) {
        return Err(Error::file(
            path,
            "is an Excel .xls workbook, not a CSV file; give it its .xls name, or save it as CSV",
        ));
    }
    let utf16 = match bytes {
        [0xFF, 0xFE, ..] => Some(encoding_rs::UTF_16LE),
        [0xFE, 0xFF, ..] => Some(encoding_rs::UTF_16BE),
        _ => None,
    };
    if let Some(enc) = utf16
        && matches!(forced, None | Some(TextEncoding::Utf16))
    {
        let (text, _, errors) = enc.decode(bytes);
        if errors {
            return Err(Error::file(
                path,
                "starts as UTF-16 text but is not valid UTF-16; save it again as CSV UTF-8",
            ));
        }
        return Ok((text.into_owned(), TextEncoding::Utf16));
    }
    if forced == Some(TextEncoding::Utf16) {
        return Err(Error::file(
            path,
            "is not UTF-16 text (it has no UTF-16 byte-order mark); leave --encoding out to detect the encoding",
        ));
    }
    let bom = bytes.starts_with(b"\xEF\xBB\xBF");
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = body.iter().take(64 * 1024).position(|&b| b == 0) {
        return Err(Error::input(
            Location::file(path).with_row(line_of(body, at)),
            "holds binary data (a zero byte), not text: it is not a CSV file; is it a workbook or another file under a .csv name?",
        ));
    }
    // A UTF-8 byte-order mark says the text is UTF-8: text that is not is
    // refused rather than guessed.
    let encoding = match forced {
        Some(e) => e,
        None if bom || std::str::from_utf8(body).is_ok() => TextEncoding::Utf8,
        None => guess_single_byte(body),
    };
    let text = match encoding {
        TextEncoding::Utf8 => match std::str::from_utf8(body) {
            Ok(t) => t.to_string(),
            Err(e) => {
                let at = e.valid_up_to();
                let line = line_of(body, at);
                let line_start = body[..at]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                return Err(Error::input(
                    Location::file(path).with_row(line),
                    format!(
                        "byte {} of the line is not UTF-8, as {}; save the file again as CSV UTF-8, or give its encoding (--encoding windows-1251 or windows-1252)",
                        at - line_start + 1,
                        if forced.is_some() {
                            "--encoding says the file is"
                        } else {
                            "the file's UTF-8 byte-order mark says it is"
                        }
                    ),
                ));
            }
        },
        TextEncoding::Windows1251 => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(body)
            .0
            .into_owned(),
        TextEncoding::Windows1252 => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(body)
            .0
            .into_owned(),
        TextEncoding::Utf16 => unreachable!("handled above"),
    };
    Ok((text, encoding))
}

/// The 1-based line of a byte offset.
fn line_of(bytes: &[u8], offset: usize) -> u64 {
    bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// Windows-1251 or Windows-1252 for bytes that are not UTF-8: the one whose
/// letters read as words. In Windows-1251 the bytes 0xC0-0xFF are Cyrillic
/// letters, which stand next to each other in Cyrillic words; in
/// Windows-1252 they are accented Latin letters, which stand next to plain
/// Latin letters (`Müller`, `Électricité`). Each reading is scored by those
/// neighbours; a tie (no letters at all) is Windows-1252.
pub fn guess_single_byte(bytes: &[u8]) -> TextEncoding {
    let cyrillic = |c: char| ('\u{0400}'..='\u{04FF}').contains(&c);
    let accented = |c: char| {
        matches!(
            c,
            '\u{00C0}'..='\u{00FF}' | 'Œ' | 'œ' | 'Š' | 'š' | 'Ž' | 'ž' | 'Ÿ'
        ) && c != '×'
            && c != '÷'
    };
    let score = |text: &str, own: &dyn Fn(char) -> bool, partner: &dyn Fn(char) -> bool| {
        let chars: Vec<char> = text.chars().collect();
        chars
            .windows(2)
            .filter(|w| (own(w[0]) && partner(w[1])) || (partner(w[0]) && own(w[1])))
            .count()
    };
    let (as_1251, _, _) = encoding_rs::WINDOWS_1251.decode(bytes);
    let (as_1252, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    let cyrillic_words = score(&as_1251, &cyrillic, &cyrillic);
    let latin_words = score(&as_1252, &accented, &|c: char| c.is_ascii_alphabetic());
    if cyrillic_words > latin_words {
        TextEncoding::Windows1251
    } else {
        TextEncoding::Windows1252
    }
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

/// The line where a quoted field opens and is never closed, if one is:
/// the CSV reader would read the rest of the file into that field.
fn unclosed_quote(text: &str, delimiter: u8) -> Option<u64> {
    let b = text.as_bytes();
    let (mut i, mut line, mut field_start) = (0, 1u64, true);
    while i < b.len() {
        match b[i] {
            b'"' if field_start => {
                let opened = line;
                i += 1;
                loop {
                    match b.get(i) {
                        None => return Some(opened),
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
            }
            c => field_start = c == delimiter || (c == b'\r' && field_start),
        }
        i += 1;
    }
    None
}

fn parse_csv(path: &Path, text: &str, delimiter: u8) -> Result<Vec<SheetRow>> {
    if let Some(line) = unclosed_quote(text, delimiter) {
        return Err(Error::input(
            Location::file(path).with_row(line),
            "a quoted field opens here (\") and is never closed, so the rest of the file would be read into it; close the quote",
        ));
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
        rows.push(SheetRow {
            number,
            cells: record.iter().map(String::from).collect(),
        });
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

/// Characters that group thousands in a number with a decimal comma.
const GROUPING: [char; 4] = [' ', '\u{a0}', '\u{202f}', '.'];

/// A number written with a decimal comma (`1,5`, `-0,25`, `1 234,5`,
/// `1.234,5`, `8,5E-05`) rewritten with a decimal point, `Ok(None)` for a
/// text that is not such a number (`2022`, `2.5`, `Hard coal`), and an error
/// for a number that could be read two ways in a file with decimal commas:
/// `1.234` (1234, or 1.234?).
pub fn decimal_comma_to_point(text: &str) -> std::result::Result<Option<String>, String> {
    let t = text.trim();
    let (sign, body) = match t.strip_prefix(['-', '+']) {
        Some(rest) => (&t[..1], rest),
        None => ("", t),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    if !mantissa.bytes().any(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    if !exponent.is_empty() {
        let digits = exponent[1..]
            .strip_prefix(['-', '+'])
            .unwrap_or(&exponent[1..]);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
    }
    let (int, frac) = match mantissa.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if let Some(f) = frac
        && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Ok(None);
    }
    let Some(int_digits) = ungroup(int) else {
        return Ok(None);
    };
    let grouped_by_point = int.contains('.');
    match frac {
        Some(f) => Ok(Some(format!("{sign}{int_digits}.{f}{exponent}"))),
        None if grouped_by_point && int.matches('.').count() == 1 => Err(format!(
            "'{t}' is ambiguous in a file with decimal commas: {int_digits} with a thousands separator, or {}? Write it without thousands separators, or with a decimal comma",
            int
        )),
        None if int != int_digits => Ok(Some(format!("{sign}{int_digits}{exponent}"))),
        None => Ok(None),
    }
}

/// The digits of an integer part, with thousands separators (one kind, in
/// groups of three) removed; `None` when it is not such an integer part.
fn ungroup(int: &str) -> Option<String> {
    if int.is_empty() {
        return Some("0".into());
    }
    if int.bytes().all(|b| b.is_ascii_digit()) {
        return Some(int.to_string());
    }
    let sep = int.chars().find(|c| !c.is_ascii_digit())?;
    if !GROUPING.contains(&sep) {
        return None;
    }
    let groups: Vec<&str> = int.split(sep).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let digits_ok = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && digits_ok).then(|| groups.concat())
}

/// True for a cell that is a number with a decimal comma (`1,5`).
fn is_comma_number(text: &str) -> bool {
    text.contains(',') && matches!(decimal_comma_to_point(text), Ok(Some(_)))
}

/// Rewrites the numbers of a decimal-comma file with decimal points; a
/// number that could be read two ways is an error at its row and column.
fn to_decimal_points(path: &Path, rows: &mut [SheetRow]) -> Result<()> {
    let header: Vec<String> = rows
        .iter()
        .find(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        .map(|r| r.cells.clone())
        .unwrap_or_default();
    for row in rows.iter_mut() {
        for (i, cell) in row.cells.iter_mut().enumerate() {
            match decimal_comma_to_point(cell) {
                Ok(Some(point)) => *cell = point,
                Ok(None) => {}
                Err(problem) => {
                    let column = header
                        .get(i)
                        .map(|h| h.trim())
                        .filter(|h| !h.is_empty())
                        .map(String::from)
                        .unwrap_or_else(|| (i + 1).to_string());
                    return Err(Error::input(
                        Location::file(path)
                            .with_row(row.number)
                            .with_column(column),
                        problem,
                    ));
                }
            }
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

/// The most cells a workbook sheet read through [`read`] may hold, and the
/// most its used range (first to last non-empty row × column) may span:
/// calamine holds a sheet as one rectangle of that range, about 32 bytes a
/// cell, and airinv a text per cell; 10 million cells stay within about
/// 1 GB. An activity sheet of 200 000 rows × 50 columns fits.
pub const MAX_SHEET_CELLS: u64 = 10_000_000;

/// The most bytes one part of a workbook container may unpack to (the
/// Annex I workbook reader's bound: [`crate::workbook::MAX_PART_BYTES`]).
pub const MAX_PART_BYTES: u64 = crate::workbook::MAX_PART_BYTES;

/// Reads a workbook sheet within the memory budget: the container and the
/// sheet are checked ([`check_container_bounds`], [`check_sheet_bounds`])
/// before calamine loads the sheet as a range.
fn read_workbook_sheet_bounded(path: &Path, sheet: Option<&str>) -> Result<Sheet> {
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

/// Refuses an .xls whose sheets declare too many cells ([`check_xls_bounds`]),
/// and a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) that is not a
/// zip container, or one of whose parts declares or actually unpacks to
/// more than [`MAX_PART_BYTES`] (a zip bomb), before calamine opens it:
/// each part is unpacked once into nothing, counting its bytes, so memory
/// stays bounded whatever the sizes written in the container say. An xlsx
/// shared-string table must hold the strings it declares (calamine reserves
/// them before reading one): that check is the Annex I reader's.
pub fn check_container_bounds(path: &Path) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if ext == "xls" {
        return check_xls_bounds(path);
    }
    if !matches!(ext.as_str(), "xlsx" | "xlsm" | "xlsb" | "ods") {
        return Ok(());
    }
    if matches!(ext.as_str(), "xlsx" | "xlsm") {
        crate::workbook::check_container(path)?;
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        Error::file(
            path,
            format!("is not a .{ext} workbook: it is not a zip container as one is ({e}); is it damaged, or another file under this name?"),
        )
    })?;
    for i in 0..zip.len() {
        let damaged = |e: &dyn std::fmt::Display| {
            Error::file(
                path,
                format!(
                    "is damaged: part {} of the workbook cannot be unpacked ({e})",
                    i + 1
                ),
            )
        };
        let mut part = zip.by_index(i).map_err(|e| damaged(&e))?;
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        let declared = part.size();
        let too_big = |size: String| {
            Error::file(
                path,
                format!(
                    "part {name} of the workbook unpacks to {size} bytes, more than airinv unpacks ({MAX_PART_BYTES} bytes): the file is malformed (a zip bomb?) or far larger than an inventory sheet"
                ),
            )
        };
        if declared > MAX_PART_BYTES {
            return Err(too_big(declared.to_string()));
        }
        let mut scan = References::new(name.starts_with("xl/worksheets/"));
        let unpacked = std::io::copy(
            &mut std::io::Read::take(&mut part, MAX_PART_BYTES + 1),
            &mut scan,
        )
        .map_err(|e| damaged(&e))?;
        if unpacked > MAX_PART_BYTES {
            return Err(too_big(format!("more than {MAX_PART_BYTES}")));
        }
        if let Some(bad) = scan.bad {
            return Err(Error::file(
                path,
                format!(
                    "part {name} names the cell or row '{bad}', beyond the limits of a sheet (XFD1048576): the file is malformed; open it in Excel or LibreOffice and save it again"
                ),
            ));
        }
    }
    Ok(())
}

/// Refuses an .xls workbook whose sheets declare (in their DIMENSIONS
/// records) a range of more than [`MAX_SHEET_CELLS`] cells, or a range that
/// ends before it starts: calamine reserves memory for the declared range
/// before it reads a cell, and a crafted file can declare billions. The
/// records are found in the file's `Workbook` stream by reading its
/// compound-file container ([`xls_dimensions`]).
fn check_xls_bounds(path: &Path) -> Result<()> {
    let size = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    if size > MAX_PART_BYTES {
        return Err(Error::file(
            path,
            format!(
                "is {size} bytes, more than airinv reads from an .xls workbook ({MAX_PART_BYTES} bytes)"
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if !bytes.starts_with(&OLE) {
        // Not a compound file: calamine says what it is not.
        return Ok(());
    }
    let dimensions = xls_dimensions(&bytes).map_err(|problem| {
        Error::file(
            path,
            format!("is not a readable .xls workbook ({problem}); open it in Excel or LibreOffice and save it as .xlsx"),
        )
    })?;
    for (rows, cols) in dimensions {
        match (rows, cols) {
            (Some(r), Some(c)) if r.saturating_mul(c) <= MAX_SHEET_CELLS => {}
            (Some(r), Some(c)) => {
                return Err(Error::file(
                    path,
                    format!(
                        "a sheet declares {r} rows × {c} columns, more than airinv reads from a sheet ({MAX_SHEET_CELLS} cells); is it an activity sheet?"
                    ),
                ));
            }
            _ => {
                return Err(Error::file(
                    path,
                    "a sheet declares a range that ends before it starts: the file is malformed; open it in Excel or LibreOffice and save it again",
                ));
            }
        }
    }
    Ok(())
}

/// The rows and columns a DIMENSIONS record declares (`None`: the range
/// ends before it starts).
pub type DeclaredRange = (Option<u64>, Option<u64>);

/// The (rows, columns) each DIMENSIONS record of an .xls file's workbook
/// stream declares, as calamine would reserve them (`None` for a range that
/// ends before it starts), read from its compound-file container: the
/// header, the sector allocation table (with its DIFAT extension), the
/// directory, and the `Workbook` (or `Book`) stream, in the regular or the
/// mini stream. Every offset is checked; a chain that loops is an error.
pub fn xls_dimensions(bytes: &[u8]) -> std::result::Result<Vec<DeclaredRange>, String> {
    let u16_at = |o: usize| -> std::result::Result<u16, String> {
        bytes
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
            .ok_or_else(|| "the file is truncated".to_string())
    };
    let u32_in = |b: &[u8], o: usize| -> std::result::Result<u32, String> {
        b.get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .ok_or_else(|| "the file is truncated".to_string())
    };
    let shift = u16_at(0x1E)?;
    if shift != 9 && shift != 12 {
        return Err(format!("sector size 2^{shift} is not a compound file's"));
    }
    let sector = 1usize << shift;
    let sector_bytes = |n: u32| -> std::result::Result<&[u8], String> {
        let start = (n as usize + 1)
            .checked_mul(sector)
            .ok_or("a sector number is out of range")?;
        bytes
            .get(start..start + sector)
            .ok_or_else(|| format!("sector {n} is beyond the end of the file"))
    };
    let max_sectors = bytes.len() / sector + 1;
    // The FAT's own sectors: 109 in the header, then the DIFAT chain.
    let mut fat_sectors: Vec<u32> = Vec::new();
    for i in 0..109 {
        let n = u32_in(bytes, 0x4C + 4 * i)?;
        if n < 0xFFFF_FFFA {
            fat_sectors.push(n);
        }
    }
    let mut difat = u32_in(bytes, 0x44)?;
    let mut steps = 0;
    while difat < 0xFFFF_FFFA {
        steps += 1;
        if steps > max_sectors {
            return Err("the sector table's chain loops".into());
        }
        let s = sector_bytes(difat)?;
        let per = sector / 4 - 1;
        for i in 0..per {
            let n = u32_in(s, 4 * i)?;
            if n < 0xFFFF_FFFA {
                fat_sectors.push(n);
            }
        }
        difat = u32_in(s, 4 * per)?;
    }
    if fat_sectors.len() > max_sectors {
        return Err("the sector table is larger than the file".into());
    }
    let mut fat: Vec<u32> = Vec::new();
    for n in &fat_sectors {
        let s = sector_bytes(*n)?;
        for i in 0..sector / 4 {
            fat.push(u32_in(s, 4 * i)?);
        }
    }
    // A chain of regular sectors, read whole (at most the file's size).
    let chain = |first: u32| -> std::result::Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut n = first;
        let mut steps = 0;
        while n < 0xFFFF_FFFA {
            steps += 1;
            if steps > max_sectors {
                return Err("a sector chain loops".into());
            }
            out.extend_from_slice(sector_bytes(n)?);
            n = *fat
                .get(n as usize)
                .ok_or_else(|| format!("sector {n} is not in the sector table"))?;
        }
        Ok(out)
    };
    let directory = chain(u32_in(bytes, 0x30)?)?;
    let mut root: Option<(u32, u64)> = None;
    let mut book: Option<(u32, u64)> = None;
    for entry in directory.chunks_exact(128) {
        let name_len = (u16::from_le_bytes([entry[64], entry[65]]) as usize).min(64);
        let name: String = char::decode_utf16(
            entry[..name_len]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]])),
        )
        .map(|c| c.unwrap_or('?'))
        .collect::<String>()
        .trim_end_matches('\0')
        .to_string();
        let start = u32_in(entry, 116)?;
        let size = u64::from(u32_in(entry, 120)?) | (u64::from(u32_in(entry, 124)?) << 32);
        match (entry[66], name.as_str()) {
            (5, _) => root = Some((start, size)),
            (2, "Workbook") => book = Some((start, size)),
            (2, "Book") if book.is_none() => book = Some((start, size)),
            _ => {}
        }
    }
    let (start, size) = book.ok_or("it has no Workbook stream")?;
    let size = usize::try_from(size).map_err(|_| "the Workbook stream is too large")?;
    if size > bytes.len() {
        return Err("the Workbook stream is larger than the file".into());
    }
    let cutoff = u32_in(bytes, 0x38)? as usize;
    let stream = if size < cutoff {
        // In the mini stream: 64-byte sectors chained by the mini FAT.
        let (root_start, _) = root.ok_or("it has no root entry")?;
        let mini_stream = chain(root_start)?;
        let mini_fat_bytes = chain(u32_in(bytes, 0x3C)?)?;
        let mini_fat: Vec<u32> = mini_fat_bytes
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let mut out = Vec::new();
        let mut n = start;
        let mut steps = 0;
        while n < 0xFFFF_FFFA && out.len() < size {
            steps += 1;
            if steps > mini_fat.len() + 1 {
                return Err("a mini-stream chain loops".into());
            }
            let at = n as usize * 64;
            out.extend_from_slice(
                mini_stream
                    .get(at..at + 64)
                    .ok_or("a mini sector is beyond the mini stream")?,
            );
            n = *mini_fat
                .get(n as usize)
                .ok_or("a mini sector is not in the mini table")?;
        }
        out
    } else {
        chain(start)?
    };
    let stream = &stream[..size.min(stream.len())];
    // BIFF records: type, length, data.
    let mut dims = Vec::new();
    let mut at = 0;
    while at + 4 <= stream.len() {
        let kind = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = u16::from_le_bytes([stream[at + 2], stream[at + 3]]) as usize;
        let data = stream.get(at + 4..at + 4 + len).unwrap_or(&[]);
        if kind == 0x0200 {
            let (rf, rl, mut cf, cl) = match data.len() {
                10 => (
                    u32::from(u16_of(data, 0)),
                    u32::from(u16_of(data, 2)),
                    u32::from(u16_of(data, 4)),
                    u32::from(u16_of(data, 6)),
                ),
                14 | 16 => (
                    u32_of(data, 0),
                    u32_of(data, 4),
                    u32::from(u16_of(data, 8)),
                    u32::from(u16_of(data, 10)),
                ),
                _ => {
                    at += 4 + len;
                    continue;
                }
            };
            // As calamine reads it.
            if 0xFF < cf || cl < cf {
                cf = 0;
            }
            if rl >= 1 && cl >= 1 {
                let rows = (i64::from(rl) - 1 - i64::from(rf) + 1)
                    .try_into()
                    .ok()
                    .filter(|r: &u64| *r > 0);
                let cols = (i64::from(cl) - 1 - i64::from(cf) + 1)
                    .try_into()
                    .ok()
                    .filter(|c: &u64| *c > 0);
                dims.push((rows, cols));
            }
        }
        at += 4 + len;
    }
    Ok(dims)
}

fn u16_of(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}

fn u32_of(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

/// Counts nothing but looks, in a worksheet part as it is unpacked, at each
/// cell and row reference (` r="B12"`): one beyond XFD1048576 (calamine's
/// arithmetic overflows on `AAAAAAAAAAAA2`) marks a malformed file.
struct References {
    active: bool,
    /// The end of the previous chunk, for a reference cut in two.
    tail: Vec<u8>,
    bad: Option<String>,
}

impl References {
    fn new(active: bool) -> References {
        References {
            active,
            tail: Vec::new(),
            bad: None,
        }
    }
}

/// True for a cell reference (`B12`) or row number (`12`) within a sheet.
fn within_sheet(reference: &[u8]) -> bool {
    let letters = reference
        .iter()
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    let digits = &reference[letters..];
    if letters > 3 || digits.is_empty() || digits.len() > 7 {
        return false;
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let row: u32 = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let col = reference[..letters]
        .iter()
        .fold(0u32, |acc, b| acc * 26 + u32::from(b - b'A' + 1));
    (1..=1_048_576).contains(&row) && col <= 16_384
}

impl std::io::Write for References {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if !self.active || self.bad.is_some() {
            return Ok(buf.len());
        }
        let mut data = std::mem::take(&mut self.tail);
        data.extend_from_slice(buf);
        let pattern = b" r=\"";
        let mut i = 0;
        loop {
            let Some(p) = data[i..].windows(4).position(|w| w == pattern) else {
                // A pattern may be cut at the chunk's end: keep its start.
                let keep = data.len().saturating_sub(pattern.len() - 1).max(i);
                self.tail = data[keep..].to_vec();
                break;
            };
            let start = i + p + pattern.len();
            match data[start..].iter().position(|&b| b == b'"') {
                Some(len) => {
                    let reference = &data[start..start + len];
                    if !within_sheet(reference) {
                        let shown = &reference[..len.min(40)];
                        self.bad = Some(String::from_utf8_lossy(shown).into());
                        break;
                    }
                    i = start + len + 1;
                }
                // The reference is cut at the chunk's end; a long one is
                // no reference of a sheet.
                None if data.len() - start > 64 => {
                    let shown = &data[start..start + 40];
                    self.bad = Some(String::from_utf8_lossy(shown).into());
                    break;
                }
                None => {
                    self.tail = data[i + p..].to_vec();
                    break;
                }
            }
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
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
        Data::Error(e) => e.to_string(),
    })
}

#[cfg(test)]
mod csv_tests {
    use super::*;
    use proptest::prelude::*;

    fn read_bytes(bytes: &[u8], options: &CsvOptions) -> Result<(Sheet, CsvDialect)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.csv");
        std::fs::write(&p, bytes).unwrap();
        read_csv_with(&p, options)
    }

    fn cells(sheet: &Sheet) -> Vec<Vec<String>> {
        sheet.rows.iter().map(|r| r.cells.clone()).collect()
    }

    #[test]
    fn decimal_commas_become_points_and_nothing_else_changes() {
        let ok = |t: &str| decimal_comma_to_point(t).unwrap();
        assert_eq!(ok("1,5").as_deref(), Some("1.5"));
        assert_eq!(ok(" -0,25 ").as_deref(), Some("-0.25"));
        assert_eq!(ok("1 234,5").as_deref(), Some("1234.5"));
        assert_eq!(ok("1\u{a0}234\u{a0}567,25").as_deref(), Some("1234567.25"));
        assert_eq!(ok("1.234,5").as_deref(), Some("1234.5"));
        assert_eq!(ok("1.234.567").as_deref(), Some("1234567"));
        assert_eq!(ok("8,5E-05").as_deref(), Some("8.5E-05"));
        assert_eq!(ok(",5").as_deref(), Some("0.5"));
        // Not numbers with a decimal comma: left as they are.
        for t in [
            "2022",
            "2.5",
            "0.25",
            "Hard coal, lignite",
            "1,5 t",
            "e5",
            "-",
            "",
            "1,5,6",
            "1 23,5",
            "v1.0",
            "01.02.2022",
        ] {
            assert_eq!(ok(t), None, "{t}");
        }
        // Read two ways: refused.
        let e = decimal_comma_to_point("1.234").unwrap_err();
        assert!(e.contains("ambiguous"), "{e}");
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
    fn encodings_are_detected_and_cyrillic_names_survive() {
        // "Котельная №1" (boiler house no. 1) in Windows-1251.
        let (name, _, _) = encoding_rs::WINDOWS_1251.encode("Котельная №1; Алматы");
        let mut bytes = b"name;value\n".to_vec();
        bytes.extend_from_slice(&name);
        bytes.extend_from_slice(b";2,5\n");
        let (sheet, dialect) = read_bytes(&bytes, &CsvOptions::default()).unwrap();
        assert_eq!(dialect.encoding, TextEncoding::Windows1251);
        assert_eq!(cells(&sheet)[1], ["Котельная №1", " Алматы", "2.5"]);
        // "Müller Heizöl, Électricité" in Windows-1252.
        let (name, _, _) = encoding_rs::WINDOWS_1252.encode("Müller Heizöl;Électricité");
        let mut bytes = b"a;b\n".to_vec();
        bytes.extend_from_slice(&name);
        bytes.push(b'\n');
        let (sheet, dialect) = read_bytes(&bytes, &CsvOptions::default()).unwrap();
        assert_eq!(dialect.encoding, TextEncoding::Windows1252);
        assert_eq!(cells(&sheet)[1], ["Müller Heizöl", "Électricité"]);
        // UTF-8 with a byte-order mark, and UTF-16 (Excel's Unicode text).
        let (sheet, dialect) = read_bytes(
            "\u{feff}a,b\nКотельная,1\n".as_bytes(),
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(dialect.encoding, TextEncoding::Utf8);
        assert_eq!(cells(&sheet)[0][0], "a");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "a\tb\nКотельная\t1,5\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let (sheet, dialect) = read_bytes(&utf16, &CsvOptions::default()).unwrap();
        assert_eq!(dialect.encoding, TextEncoding::Utf16);
        assert_eq!(dialect.delimiter, b'\t');
        assert_eq!(cells(&sheet)[1], ["Котельная", "1.5"]);
        // Forcing UTF-8 on Windows-1251 bytes names the line and byte.
        let forced = CsvOptions {
            encoding: Some(TextEncoding::Utf8),
            ..CsvOptions::default()
        };
        let (name, _, _) = encoding_rs::WINDOWS_1251.encode("Котельная");
        let mut bytes = b"a,b\nx,".to_vec();
        bytes.extend_from_slice(&name);
        let e = read_bytes(&bytes, &forced).unwrap_err().to_string();
        assert!(
            e.contains("a.csv, row 2: byte 3 of the line is not UTF-8"),
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

    /// A compound file of 4 sectors whose `Workbook` stream (BOF, one
    /// DIMENSIONS record, EOF) is in the mini stream.
    fn tiny_xls(rows_last: u32, cols_last: u16, fat3: u32) -> Vec<u8> {
        let mut f = vec![0u8; 512 * 5];
        f[..8].copy_from_slice(&OLE);
        let put16 =
            |f: &mut Vec<u8>, o: usize, v: u16| f[o..o + 2].copy_from_slice(&v.to_le_bytes());
        let put32 =
            |f: &mut Vec<u8>, o: usize, v: u32| f[o..o + 4].copy_from_slice(&v.to_le_bytes());
        put16(&mut f, 0x1A, 3);
        put16(&mut f, 0x1E, 9);
        put16(&mut f, 0x20, 6);
        put32(&mut f, 0x2C, 1);
        put32(&mut f, 0x30, 1);
        put32(&mut f, 0x38, 4096);
        put32(&mut f, 0x3C, 2);
        put32(&mut f, 0x40, 1);
        put32(&mut f, 0x44, 0xFFFF_FFFE);
        for i in 0..109 {
            put32(&mut f, 0x4C + 4 * i, if i == 0 { 0 } else { 0xFFFF_FFFF });
        }
        // Sector 0 (offset 512): the FAT.
        for i in 0..128 {
            put32(&mut f, 512 + 4 * i, 0xFFFF_FFFF);
        }
        put32(&mut f, 512, 0xFFFF_FFFD);
        put32(&mut f, 516, 0xFFFF_FFFE);
        put32(&mut f, 520, 0xFFFF_FFFE);
        put32(&mut f, 524, fat3);
        // Sector 1: the directory: root, then Workbook.
        let entry = |f: &mut Vec<u8>, i: usize, name: &str, kind: u8, start: u32, size: u32| {
            let o = 1024 + 128 * i;
            let units: Vec<u16> = name.encode_utf16().chain(std::iter::once(0)).collect();
            for (k, u) in units.iter().enumerate() {
                f[o + 2 * k..o + 2 * k + 2].copy_from_slice(&u.to_le_bytes());
            }
            f[o + 64..o + 66].copy_from_slice(&((units.len() * 2) as u16).to_le_bytes());
            f[o + 66] = kind;
            f[o + 116..o + 120].copy_from_slice(&start.to_le_bytes());
            f[o + 120..o + 124].copy_from_slice(&size.to_le_bytes());
        };
        entry(&mut f, 0, "Root Entry", 5, 3, 64);
        entry(&mut f, 1, "Workbook", 2, 0, 42);
        // Sector 2: the mini FAT: mini sector 0 ends its chain.
        for i in 0..128 {
            put32(&mut f, 1536 + 4 * i, 0xFFFF_FFFF);
        }
        put32(&mut f, 1536, 0xFFFF_FFFE);
        // Sector 3: the mini stream, holding the Workbook stream.
        let o = 2048;
        put16(&mut f, o, 0x0809);
        put16(&mut f, o + 2, 16);
        put16(&mut f, o + 20, 0x0200);
        put16(&mut f, o + 22, 14);
        put32(&mut f, o + 24, 0);
        put32(&mut f, o + 28, rows_last);
        put16(&mut f, o + 32, 0);
        put16(&mut f, o + 34, cols_last);
        put16(&mut f, o + 38, 0x000A);
        f
    }

    #[test]
    fn xls_dimensions_are_read_from_the_compound_file() {
        let dims = xls_dimensions(&tiny_xls(5, 3, 0xFFFF_FFFE)).unwrap();
        assert_eq!(dims, [(Some(5), Some(3))]);
        let dims = xls_dimensions(&tiny_xls(3_000_000_000, 200, 0xFFFF_FFFE)).unwrap();
        assert_eq!(dims, [(Some(3_000_000_000), Some(200))]);
        // A chain that loops, and a truncated file, are errors, not hangs.
        let e = xls_dimensions(&tiny_xls(5, 3, 3)).unwrap_err();
        assert!(e.contains("loops"), "{e}");
        let e = xls_dimensions(&tiny_xls(5, 3, 0xFFFF_FFFE)[..700]).unwrap_err();
        assert!(
            e.contains("beyond the end of the file") || e.contains("truncated"),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.xls");
        std::fs::write(&p, tiny_xls(3_000_000_000, 200, 0xFFFF_FFFE)).unwrap();
        let e = check_container_bounds(&p).unwrap_err().to_string();
        assert!(e.contains("declares 3000000000 rows × 200 columns"), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes after a compound-file signature: dimensions or an error.
        #[test]
        fn any_compound_file_is_read_or_refused(
            tail in proptest::collection::vec(any::<u8>(), 0..3000),
            patch in proptest::collection::vec((0usize..2560, any::<u8>()), 0..40),
        ) {
            let mut bytes = OLE.to_vec();
            bytes.extend_from_slice(&tail);
            let _ = xls_dimensions(&bytes);
            let mut valid = tiny_xls(5, 3, 0xFFFF_FFFE);
            for (at, b) in &patch {
                valid[*at] = *b;
            }
            let _ = xls_dimensions(&valid);
        }

        /// Any bytes: an error or a table, never a panic.
        #[test]
        fn any_bytes_read_or_refused(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = read_bytes(&bytes, &CsvOptions::default());
        }

        /// Any text cell: converted, left, or refused; never a panic, and a
        /// converted value is a number that parses.
        #[test]
        fn any_cell_converts_to_a_parsable_number_or_stays(t in "\\PC{0,24}") {
            if let Ok(Some(point)) = decimal_comma_to_point(&t) {
                let parsed = crate::number::parse_decimal(&point);
                prop_assert!(
                    parsed.is_ok() || matches!(parsed, Err(crate::number::NumberError::OutOfRange(_))),
                    "{t:?} -> {point:?}"
                );
            }
        }

        /// A decimal written with a comma reads back as the same decimal.
        #[test]
        fn comma_numbers_read_exactly(int in 0u64..10_000_000, frac in 0u32..1_000_000, neg: bool) {
            let text = format!("{}{int},{frac:06}", if neg { "-" } else { "" });
            let point = decimal_comma_to_point(&text).unwrap().unwrap();
            let expected = format!("{}{int}.{frac:06}", if neg { "-" } else { "" });
            prop_assert_eq!(
                crate::number::parse_decimal(&point).unwrap(),
                crate::number::parse_decimal(&expected).unwrap()
            );
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
            prop_assert_eq!(&sheet.rows[1].cells, &fields);
        }
    }
}

#[cfg(test)]
mod cell_text_tests {
    #[test]
    fn excel_error_cells_read_as_excel_shows_them() {
        let cell = calamine::Data::Error(calamine::CellErrorType::Div0);
        assert_eq!(super::cell_text(&cell).unwrap(), "#DIV/0!");
    }
}
