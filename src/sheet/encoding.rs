//! The text encoding of a CSV file: UTF-8 (with or without a byte-order
//! mark), UTF-16 with a byte-order mark, or Windows-1251/1252 told apart by
//! the letters they make; workbooks and binary files under a .csv name are
//! refused with what they are.

use super::xls::OLE;
use crate::error::{Error, Location, Result};
use std::path::Path;

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

/// The text of a CSV file and its encoding.
pub(super) fn decode(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sheet::CsvOptions;
    use crate::sheet::csv::tests::{cells, read_bytes};

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
}
