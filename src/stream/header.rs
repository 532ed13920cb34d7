//! The header of an activity CSV file, read before the blocks: the first
//! line with any text, which must name the columns; or the finding that
//! the file is for the general reader (not UTF-8, quotes, another
//! separator).

use super::input::Input;
use super::scan::{MAX_FIELDS, not_for_the_fast_path, split_quoted, trim_cr};
use crate::activity::Columns;
use crate::error::{Error, Location, Result};

/// The header of a file and what was read past it.
pub(super) struct Header {
    pub(super) columns: Columns,
    /// Its line.
    pub(super) line: u64,
    /// Empty lines before it.
    pub(super) blank_before: u64,
    /// The bytes read after it.
    pub(super) rest: Vec<u8>,
}

/// Reads the header, the first line with any text; `None` when the file is
/// not for the fast path (not UTF-8, or another separator than `,` unless
/// one is forced).
pub(super) fn read_header(input: &mut Input, delimiter_forced: bool) -> Result<Option<Header>> {
    let path = input.path;
    let mut carry: Vec<u8> = Vec::with_capacity(input.block_size * 2);
    input.more(&mut carry)?;
    let mut offset = if carry.starts_with(b"\xEF\xBB\xBF") {
        3
    } else {
        0
    };
    let mut line = 0u64;
    let mut blank_before = 0u64;
    let columns = loop {
        let end = match memchr::memchr(b'\n', &carry[offset..]) {
            Some(e) => offset + e,
            None if input.eof => carry.len(),
            None if carry.len() - offset > crate::sheet::MAX_LINE_BYTES => {
                if not_for_the_fast_path(&carry[offset..]) {
                    return Ok(None);
                }
                return Err(Error::input(
                    Location::file(path).with_row(line + 1),
                    format!(
                        "the header line is longer than {} bytes with no line end; is this an activity CSV file?",
                        crate::sheet::MAX_LINE_BYTES
                    ),
                ));
            }
            None => {
                input.more(&mut carry)?;
                continue;
            }
        };
        line += 1;
        if end - offset > crate::sheet::MAX_LINE_BYTES {
            if not_for_the_fast_path(&carry[offset..end]) {
                return Ok(None);
            }
            return Err(Error::input(
                Location::file(path).with_row(line),
                format!(
                    "the header line is longer than {} bytes; is this an activity CSV file?",
                    crate::sheet::MAX_LINE_BYTES
                ),
            ));
        }
        let header_bytes = trim_cr(&carry[offset..end]);
        // Lone CR line ends, NUL bytes, quotes and wide headers are read by
        // the general reader, so that both readings agree.
        if header_bytes.iter().any(|b| matches!(b, b'\r' | 0 | b'"'))
            || memchr::memchr_iter(b',', header_bytes).count() >= MAX_FIELDS
        {
            return Ok(None);
        }
        let Ok(header_text) = std::str::from_utf8(header_bytes) else {
            return Ok(None);
        };
        if !header_text.trim().is_empty()
            && crate::sheet::detect_delimiter(header_text) != b','
            && !delimiter_forced
        {
            return Ok(None);
        }
        let cells = split_quoted(header_bytes);
        offset = (end + 1).min(carry.len());
        if cells.iter().all(|c| c.trim().is_empty()) {
            if end >= carry.len() {
                return Err(Error::file(
                    path,
                    format!(
                        "the activity file is empty; it needs a header row with {}",
                        crate::activity::REQUIRED.join(",")
                    ),
                ));
            }
            blank_before += 1;
            continue;
        }
        match Columns::from_header(&cells) {
            Ok(columns) => break columns,
            // A file the general reader reads says what is wrong with it
            // there, so that both readings give the same first error (a
            // quote left open below a bad header is said first by both).
            Err(_)
                if input
                    .file
                    .metadata()
                    .is_ok_and(|m| m.len() <= crate::sheet::MAX_CSV_BYTES) =>
            {
                return Ok(None);
            }
            Err(problem) => {
                return Err(Error::input(Location::file(path).with_row(line), problem));
            }
        }
    };
    carry.drain(..offset);
    Ok(Some(Header {
        columns,
        line,
        blank_before,
        rest: carry,
    }))
}
