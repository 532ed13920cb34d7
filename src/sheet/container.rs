//! The bounds of a workbook's container, checked before calamine unpacks
//! anything: the zip parts (declared and actual sizes, a zip bomb), the
//! shared-string table's declared count, the cell references of worksheet
//! parts, and, for an .xls, the ranges its sheets declare ([`super::xls`]).
//! Both the activity-sheet reader and the Annex I workbook reader
//! (`annex1::xlsx_read`, through [`super::grid`]) check their files here.

use super::limits::MAX_PART_BYTES;
use super::xls::{OLE, check_xls_bounds};
use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Refuses an .xls whose sheets declare too many cells ([`check_xls_bounds`]),
/// and a zip-based workbook (.xlsx, .xlsm, .xlsb, .ods) that is not a
/// zip container, or one of whose parts declares or actually unpacks to
/// more than [`MAX_PART_BYTES`] (a zip bomb), before calamine opens it:
/// each part is unpacked once into nothing, counting its bytes, so memory
/// stays bounded whatever the sizes written in the container say. An xlsx
/// shared-string table must hold the strings it declares (calamine reserves
/// them before reading one): [`check_xlsx_container`], the Annex I reader's
/// check, comes first.
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
        // Every bound of an xlsx, each part unpacked once.
        return check_xlsx_container(path);
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

/// Refuses an .xlsx (or .xlsm) that is not a zip container (an OLE compound
/// file under that name is an encrypted workbook or a renamed .xls), parts
/// that declare or unpack to more than [`MAX_PART_BYTES`] (a zip bomb), a
/// part whose checksum does not match its bytes, a shared-string table that
/// declares more strings than its bytes hold, worksheet cell references
/// beyond a sheet's limits and number cells that are not plain text, before
/// calamine unpacks anything. Each part is unpacked once, the parts shared
/// among the threads (each with its own reader of the file); the first
/// problem in the container's order is the one reported.
pub(crate) fn check_xlsx_container(path: &Path) -> Result<()> {
    use rayon::prelude::*;
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 8];
    let n = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    if n == 8 && head == OLE {
        return Err(Error::file(
            path,
            "is password protected (encrypted) or is an old .xls file with an .xlsx name; save a copy as an .xlsx workbook without a password and import that",
        ));
    }
    let mut zip = open_zip(path)?;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let part = zip.by_index_raw(i).map_err(|e| {
            Error::file(
                path,
                format!("is damaged: part {i} of the file cannot be read ({e})"),
            )
        })?;
        let size = part.size();
        let name = part.name().map(|n| n.into_owned()).unwrap_or_default();
        drop(part);
        if size > MAX_PART_BYTES {
            return Err(Error::file(
                path,
                format!(
                    "part {name} would unpack to {size} bytes, more than airinv reads ({MAX_PART_BYTES} bytes); the file is malformed or is not an Annex I workbook"
                ),
            ));
        }
        parts.push((i, name, size));
    }
    let per_thread = parts
        .len()
        .div_ceil(rayon::current_num_threads().max(1))
        .max(1);
    let checked: Vec<Result<()>> = parts
        .par_chunks(per_thread)
        .map(|chunk| {
            let mut zip = open_zip(path)?;
            for (i, name, size) in chunk {
                check_part(path, &mut zip, *i, name, *size)?;
            }
            Ok(())
        })
        .collect();
    checked.into_iter().collect()
}

/// The container of an .xlsx, opened.
fn open_zip(path: &Path) -> Result<zip::ZipArchive<std::io::BufReader<std::fs::File>>> {
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        Error::file(
            path,
            format!("is not an xlsx workbook: it cannot be opened as one ({e}); is it damaged?"),
        )
    })
}

/// Parts up to this size are unpacked into memory once and checked there;
/// larger ones are unpacked as a stream once per check.
const IN_MEMORY: u64 = 16 << 20;

/// Unpacks one part of an xlsx container, so that its checksum (CRC-32) is
/// verified: a part whose bytes changed after it was written (one digit
/// flipped) is refused by every command, not read with the wrong digit. It
/// must unpack to no more than [`MAX_PART_BYTES`]; a worksheet's cell
/// references must lie within a sheet ([`References`]) and its number cells
/// be plain text ([`super::xlsx_xml::check_number_cells`], unless a scan of
/// its bytes shows none can be otherwise: [`plain_values`]); the
/// shared-string table must hold the strings it declares
/// ([`super::xlsx_xml::shared_string_count`]: calamine reserves that many
/// before reading one, at least 5 bytes, `<si/>`, each).
fn check_part<R: std::io::Read + std::io::Seek>(
    path: &Path,
    zip: &mut zip::ZipArchive<R>,
    index: usize,
    name: &str,
    size: u64,
) -> Result<()> {
    use super::xlsx_xml::{PartProblem, check_number_cells, shared_string_count};
    let damaged = |e: &dyn std::fmt::Display| {
        Error::file(
            path,
            format!(
                "is damaged: part {name} cannot be unpacked as it was written ({e}); open it in Excel or LibreOffice and save it again, or get the file again"
            ),
        )
    };
    let too_big = || {
        Error::file(
            path,
            format!(
                "part {name} of the workbook unpacks to more than {MAX_PART_BYTES} bytes, more than airinv unpacks ({MAX_PART_BYTES} bytes): the file is malformed (a zip bomb?) or far larger than an inventory sheet"
            ),
        )
    };
    let lower = name.to_ascii_lowercase();
    let shared = lower.ends_with("sharedstrings.xml");
    let worksheet = lower.starts_with("xl/worksheets/") && lower.ends_with(".xml");
    let mut scan = References::new(name.starts_with("xl/worksheets/"));
    // Small parts (every part of an inventory workbook): unpacked once.
    let mut bytes = Vec::new();
    if size <= IN_MEMORY {
        let part = zip.by_index(index).map_err(|e| damaged(&e))?;
        part.take(IN_MEMORY + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| damaged(&e))?;
    }
    let in_memory = size <= IN_MEMORY && bytes.len() as u64 <= IN_MEMORY;
    if in_memory {
        std::io::Write::write_all(&mut scan, &bytes).map_err(|e| damaged(&e))?;
    } else {
        let part = zip.by_index(index).map_err(|e| damaged(&e))?;
        let unpacked = std::io::copy(&mut part.take(MAX_PART_BYTES + 1), &mut scan)
            .map_err(|e| damaged(&e))?;
        if unpacked > MAX_PART_BYTES {
            return Err(too_big());
        }
    }
    if let Some(bad) = scan.bad {
        return Err(Error::file(
            path,
            format!(
                "part {name} names the cell or row '{bad}', beyond the limits of a sheet (XFD1048576): the file is malformed; open it in Excel or LibreOffice and save it again"
            ),
        ));
    }
    if !shared && !worksheet {
        return Ok(());
    }
    let found = if in_memory {
        if shared {
            declared_strings(shared_string_count(&bytes[..]), size)
        } else if plain_values(&bytes) {
            Ok(())
        } else {
            check_number_cells(&bytes[..])
        }
    } else {
        let part = zip.by_index(index).map_err(|e| damaged(&e))?;
        let input = std::io::BufReader::new(part.take(MAX_PART_BYTES + 1));
        if shared {
            declared_strings(shared_string_count(input), size)
        } else {
            check_number_cells(input)
        }
    };
    match found {
        Ok(()) => Ok(()),
        // Not well-formed XML: calamine says which sheet cannot be read.
        Err(PartProblem::NotXml(_)) => Ok(()),
        Err(PartProblem::Count(declared)) => Err(Error::file(
            path,
            format!(
                "is malformed: part {name} declares {declared} strings in {size} bytes; open it in Excel or LibreOffice and save it again"
            ),
        )),
        Err(PartProblem::NumberCell { cell, what }) => Err(Error::file(
            path,
            format!(
                "is malformed: the number of cell {cell} (part {name}) holds {what}, which Excel never writes and airinv does not read as a number; open the file in Excel or LibreOffice and save it again"
            ),
        )),
    }
}

/// A shared-string count that the part's bytes cannot hold is refused.
fn declared_strings(
    count: std::result::Result<Option<u128>, super::xlsx_xml::PartProblem>,
    size: u64,
) -> std::result::Result<(), super::xlsx_xml::PartProblem> {
    match count {
        Ok(Some(declared)) if declared > u128::from(size / 5 + 1) => {
            Err(super::xlsx_xml::PartProblem::Count(declared.to_string()))
        }
        Ok(_) => Ok(()),
        Err(e) => Err(e),
    }
}

/// True when a worksheet's bytes cannot hold a number cell that is not
/// plain text, so that reading it as XML ([`super::xlsx_xml::check_number_cells`])
/// would find nothing: no `<!` (comment, CDATA), no `<?` after the first
/// element, and nothing but text without `&` (a reference) inside each
/// value element (`<v>` or `<x:v>`, without attributes). Anything else (Excel
/// never writes it) is left to the XML reading.
fn plain_values(b: &[u8]) -> bool {
    // Where the text of the value element at hand starts.
    let mut in_value: Option<usize> = None;
    let mut seen_element = false;
    for p in memchr::memchr_iter(b'<', b) {
        if let Some(start) = in_value
            && memchr::memchr(b'&', &b[start.min(p)..p]).is_some()
        {
            return false;
        }
        let rest = &b[p + 1..];
        match rest.first() {
            Some(b'!') => return false,
            Some(b'?') if seen_element => return false,
            Some(b'?') => {}
            Some(b'/') => {
                let name = tag_name(&rest[1..]);
                if name == b"v" || name.ends_with(b":v") {
                    in_value = None;
                }
            }
            _ => {
                if in_value.is_some() {
                    return false;
                }
                seen_element = true;
                let name = tag_name(rest);
                if name == b"v" || name.ends_with(b":v") {
                    if rest.get(name.len()) != Some(&b'>') {
                        return false;
                    }
                    in_value = Some(p + 1 + name.len() + 1);
                }
            }
        }
    }
    // A value left open at the end: its text up to the end.
    in_value.is_none_or(|start| memchr::memchr(b'&', &b[start.min(b.len())..]).is_none())
}

/// The name of a tag starting at `b` (after its `<` or `</`).
fn tag_name(b: &[u8]) -> &[u8] {
    let end = b
        .iter()
        .position(|c| matches!(c, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
        .unwrap_or(b.len());
    &b[..end]
}

#[cfg(test)]
mod tests {
    use super::plain_values;

    /// The scan lets through only what the XML check would let through.
    #[test]
    fn plain_values_are_told_from_what_the_xml_check_must_read() {
        let sheet = |v: &str| {
            format!(
                "<?xml version=\"1.0\"?><worksheet><sheetData><row r=\"7\"><c r=\"C7\"><v>{v}</v></c><c r=\"D7\" t=\"s\"><v>3</v></c></row></sheetData></worksheet>"
            )
        };
        assert!(plain_values(sheet("33.853").as_bytes()));
        // A formula's `&` is not in a value.
        assert!(plain_values(
            b"<worksheet><c t=\"str\"><f>B4&amp;B5</f><v>BE</v></c></worksheet>"
        ));
        assert!(plain_values(
            b"<x:worksheet><x:c><x:v>1</x:v></x:c></x:worksheet>"
        ));
        for odd in [
            "3&#51;.853",
            "1<!---->2",
            "<![CDATA[1]]>",
            "1<b/>2",
            "1</x><y/>",
            "1<?pi?>",
        ] {
            assert!(!plain_values(sheet(odd).as_bytes()), "{odd}");
        }
        assert!(!plain_values(
            b"<worksheet><c><v t=\"x\">1</v></c></worksheet>"
        ));
        assert!(!plain_values(b"<worksheet><c><v/></c></worksheet>"));
    }
}
