//! Streaming, parallel reading of large activity CSV files.
//!
//! Facility-, vehicle- or municipality-level activity data comes in files of
//! millions of rows. They are read here without holding them in memory:
//!
//! 1. each worker thread, in turn with the others, reads the next block of
//!    [`BLOCK`] bytes into its own buffer, cuts it after its last line end
//!    outside quotes, and hashes the bytes (BLAKE3, for run.json: see
//!    [`crate::digest`]) in file order;
//! 2. it then parses its block: each row's key fields (year, NFR, fuel,
//!    technology, unit, pins) are packed into fixed words and looked up in
//!    the worker's table of keys; a key met for the first time is checked
//!    once by the same code that checks every row of small files
//!    ([`crate::activity::Columns::activity`]), so messages and rules are the
//!    same; the value is parsed from its text into an integer mantissa and a
//!    scale and summed as a 128-bit integer per key and scale;
//! 3. the blocks' sums are merged in block order, as soon as a block's
//!    predecessors are merged, into exact decimals per activity key.
//!
//! Memory grows with the number of distinct keys and a block per worker,
//! not with the number of rows; results do not depend on the number
//! of threads, since sums are exact and merged in a fixed order. A row the
//! fast path cannot read (a quoted field, an exponent, a value with spaces)
//! is checked by the general row check; a block that is not plain ASCII
//! (quotes, CRs, other encodings) is checked before it is parsed, and a
//! file the fast path cannot read at all goes to the general reader.
//!
//! # Where each job is
//!
//! ```text
//!  input (file → buffers, BLAKE3) ─► header (the column names)
//!     ─► blocks (the workers, each reading its next block in turn)
//!          └► parse (a worker: rows of a block)
//!               ├ scan (commas and line ends, 64 bytes at a time)
//!               ├ keys (the table of keys met, packed, checked once)
//!               └ value (a plain decimal as mantissa and scale)
//!          (words: eight bytes at a time, for scan and keys)
//!     ─► sums (per key and block; merged in block order) ═► Streamed
//! ```

mod blocks;
mod header;
mod input;
mod keys;
mod parse;
mod progress;
mod scan;
mod sums;
mod value;
mod words;

pub use blocks::BLOCK;
pub use progress::Progress;
pub use sums::Streamed;

use crate::activity::ReadOptions;
use crate::error::{Error, Location, Result};
use std::path::Path;
use std::sync::atomic::Ordering;

/// Reads an activity CSV file in parallel blocks; `None` when the file is
/// not a plain UTF-8 file separated by commas (another separator, a decimal
/// comma, another encoding, mixed separators, a quote left open): the
/// general reader, which detects and checks all of these, reads it then.
pub fn read_csv(
    path: &Path,
    options: &ReadOptions,
    progress: &Progress,
) -> Result<Option<Streamed>> {
    read_csv_in_blocks(path, options, progress, BLOCK)
}

/// [`read_csv`] with a chosen block size (tests use tiny blocks to cut rows,
/// quoted fields and line ends at every possible place): the header is read
/// ([`header::read_header`]), the rest of the file is cut into blocks
/// parsed in parallel ([`blocks::parse_blocks`]), and their sums are merged
/// in block order as they come ([`sums::Merger`]).
pub fn read_csv_in_blocks(
    path: &Path,
    options: &ReadOptions,
    progress: &Progress,
    block_size: usize,
) -> Result<Option<Streamed>> {
    let forced = &options.csv;
    if forced.delimiter.is_some_and(|d| d != b',')
        || forced.decimal_comma == Some(true)
        || forced
            .encoding
            .is_some_and(|e| e != crate::sheet::TextEncoding::Utf8)
    {
        return Ok(None);
    }
    crate::sheet::check_regular_file(path)?;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    if let Ok(meta) = file.metadata() {
        progress.total_bytes.store(meta.len(), Ordering::Relaxed);
    }
    let mut input = input::Input {
        file,
        path,
        block_size: block_size.max(1),
        hasher: crate::digest::Hasher::new(),
        eof: false,
    };
    let Some(header) = header::read_header(&mut input, forced.delimiter.is_some())? else {
        return Ok(None);
    };
    let at = Location::file(path);
    let key_runs = scan::key_runs(&header.columns.key_columns());
    let ctx = parse::Ctx {
        columns: &header.columns,
        layout: keys::Layout::new(&key_runs),
        key_runs,
        options,
        at: &at,
        progress,
    };
    let mut merger = sums::Merger::new(header.line, header.blank_before);
    if !blocks::parse_blocks(&mut input, header.rest, &ctx, &mut merger)? {
        return Ok(None);
    }
    Ok(Some(merger.finish(&at, input.hasher.hex())))
}
