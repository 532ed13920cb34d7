//! The .xls compound file (OLE2): the ranges its sheets declare in their
//! DIMENSIONS records, read from the container without calamine, so a
//! crafted file declaring billions of cells is refused before calamine
//! reserves memory for them.

use super::limits::{MAX_PART_BYTES, MAX_SHEET_CELLS};
use crate::error::{Error, Result};
use std::path::Path;

/// The signature of an OLE compound file (an .xls workbook).
pub(super) const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Refuses an .xls workbook whose sheets declare (in their DIMENSIONS
/// records) a range of more than [`MAX_SHEET_CELLS`] cells, or a range that
/// ends before it starts: calamine reserves memory for the declared range
/// before it reads a cell, and a crafted file can declare billions. The
/// records are found in the file's `Workbook` stream by reading its
/// compound-file container ([`xls_dimensions`]).
pub(super) fn check_xls_bounds(path: &Path) -> Result<()> {
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
/// ends before it starts): the stream is read from the compound-file
/// container ([`workbook_stream`]), then its records ([`dimension_records`]).
pub fn xls_dimensions(bytes: &[u8]) -> std::result::Result<Vec<DeclaredRange>, String> {
    Ok(dimension_records(&workbook_stream(bytes)?))
}

/// The `Workbook` (or `Book`) stream of a compound file, read through its
/// header, the sector allocation table (with its DIFAT extension), the
/// directory, and the regular or the mini stream. Every offset is checked;
/// a chain that loops is an error.
fn workbook_stream(bytes: &[u8]) -> std::result::Result<Vec<u8>, String> {
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
    let mut stream = if size < cutoff {
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
    stream.truncate(size);
    Ok(stream)
}

/// The ranges the DIMENSIONS records (type 0x0200) of a workbook stream
/// declare, as calamine reads them. BIFF records: type, length, data.
fn dimension_records(stream: &[u8]) -> Vec<DeclaredRange> {
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
    dims
}

fn u16_of(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}

fn u32_of(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
        let e = crate::sheet::check_container_bounds(&p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("declares 3000000000 rows × 200 columns"), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any bytes after a compound-file signature: dimensions or an error,
        /// never more dimension records than the bytes can hold (each takes
        /// at least 14); a patch that changes no byte reads 5 rows × 3
        /// columns, as written.
        #[test]
        fn any_compound_file_is_read_or_refused(
            tail in proptest::collection::vec(any::<u8>(), 0..3000),
            patch in proptest::collection::vec((0usize..2560, any::<u8>()), 0..40),
        ) {
            let mut bytes = OLE.to_vec();
            bytes.extend_from_slice(&tail);
            if let Ok(dims) = xls_dimensions(&bytes) {
                prop_assert!(dims.len() * 14 <= bytes.len(), "{} records", dims.len());
            }
            let original = tiny_xls(5, 3, 0xFFFF_FFFE);
            let mut valid = original.clone();
            for (at, b) in &patch {
                valid[*at] = *b;
            }
            let read = xls_dimensions(&valid);
            if let Ok(dims) = &read {
                prop_assert!(dims.len() * 14 <= valid.len(), "{} records", dims.len());
            }
            if valid == original {
                prop_assert_eq!(read, Ok(vec![(Some(5), Some(3))]));
            }
        }
    }
}
