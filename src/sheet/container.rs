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
        check_xlsx_container(path)?;
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
/// that declare more than [`MAX_PART_BYTES`], and a shared-string table
/// that declares more strings than its bytes hold, before calamine unpacks
/// anything. The Annex I workbook reader's whole check; the activity-sheet
/// reader's first ([`check_container_bounds`]).
pub(crate) fn check_xlsx_container(path: &Path) -> Result<()> {
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut head = [0u8; 8];
    let n = file.read(&mut head).map_err(|e| Error::io(path, e))?;
    if n == 8 && head == OLE {
        return Err(Error::file(
            path,
            "is password protected (encrypted) or is an old .xls file with an .xlsx name; save a copy as an .xlsx workbook without a password and import that",
        ));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(|e| {
        Error::file(
            path,
            format!("is not an xlsx workbook: it cannot be opened as one ({e}); is it damaged?"),
        )
    })?;
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
        check_part(path, &mut zip, i, &name, size)?;
    }
    Ok(())
}

/// Unpacks one part of an xlsx container through, so that its checksum
/// (CRC-32) is verified: a part whose bytes changed after it was written
/// (one digit flipped) is refused by every command, not read with the wrong
/// digit. The shared-string table must hold the strings it declares
/// ([`super::xlsx_xml::shared_string_count`]: calamine reserves that many
/// before reading one, at least 5 bytes, `<si/>`, each), and a worksheet's
/// number cells must be plain text ([`super::xlsx_xml::check_number_cells`]).
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
    let part = zip.by_index(index).map_err(|e| damaged(&e))?;
    std::io::copy(&mut part.take(MAX_PART_BYTES + 1), &mut std::io::sink())
        .map_err(|e| damaged(&e))?;
    let lower = name.to_ascii_lowercase();
    let shared = lower.ends_with("sharedstrings.xml");
    let worksheet = lower.starts_with("xl/worksheets/") && lower.ends_with(".xml");
    if !shared && !worksheet {
        return Ok(());
    }
    let part = zip.by_index(index).map_err(|e| damaged(&e))?;
    let input = std::io::BufReader::new(part.take(MAX_PART_BYTES + 1));
    let found = if shared {
        match shared_string_count(input) {
            Ok(Some(declared)) if declared > u128::from(size / 5 + 1) => {
                Err(PartProblem::Count(declared.to_string()))
            }
            Ok(_) => Ok(()),
            Err(e) => Err(e),
        }
    } else {
        check_number_cells(input)
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
