//! Streaming, parallel reading of large activity CSV files.
//!
//! Facility-, vehicle- or municipality-level activity data comes in files of
//! millions of rows. They are read here without holding them in memory:
//!
//! 1. one thread reads the file in blocks of [`BLOCK`] bytes, cuts each block
//!    after its last line end outside quotes, and hashes the bytes (SHA-256,
//!    for run.json) as they pass;
//! 2. the blocks are parsed in parallel: each row's key fields (year, NFR,
//!    fuel, technology, unit, pins) are looked up in the block's own table of
//!    keys; a key seen for the first time in the block is checked once by the
//!    same code that checks every row of small files
//!    ([`crate::activity::Columns::activity`]), so messages and rules are the
//!    same; the value is parsed from its text into an integer mantissa and a
//!    scale and summed as a 128-bit integer per key and scale;
//! 3. the blocks' sums are merged in block order into exact decimals per
//!    activity key.
//!
//! Memory grows with the number of distinct keys and the few blocks in
//! flight, not with the number of rows; results do not depend on the number
//! of threads, since sums are exact and merged in a fixed order. A row the
//! fast path cannot read (a quoted field, an exponent, a value with spaces)
//! goes through the general row check, so nothing is read differently.

use crate::activity::{Columns, Counts, ReadOptions, Rejection};
use crate::calculate::{Accumulator, ActivityKey, KeyTotal};
use crate::error::{Error, Location, Result};
use hashbrown::HashTable;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};

/// Bytes read at a time.
pub const BLOCK: usize = 4 << 20;
/// Row locations kept per key for messages.
const KEPT: usize = 5;

/// Progress counters, read by a progress display.
#[derive(Debug, Default)]
pub struct Progress {
    pub bytes: AtomicU64,
    pub rows: AtomicU64,
    pub total_bytes: AtomicU64,
}

/// What reading a file gave.
pub struct Streamed {
    pub acc: Accumulator,
    pub rejected: Vec<Rejection>,
    pub counts: Counts,
    /// SHA-256 of the file's bytes, as hex.
    pub sha256: String,
}

/// A key's sums within one block.
#[derive(Debug, Clone, Default)]
struct Sums {
    /// Σ mantissa per scale of the values read by the fast path (most files
    /// use one or two scales).
    by_scale: Vec<(u32, i128)>,
    /// Σ of the values read by the general path.
    other: Decimal,
    count: u64,
    /// Lines (within the block) of the first rows.
    lines: Vec<u64>,
    /// A sum left the range of exact arithmetic (the key is then rejected).
    overflow: bool,
}

impl Sums {
    fn add_fast(&mut self, mantissa: i128, scale: u32, line: u64) {
        match self.by_scale.iter_mut().find(|(s, _)| *s == scale) {
            Some((_, sum)) => match sum.checked_add(mantissa) {
                Some(v) => *sum = v,
                None => self.overflow = true,
            },
            None => self.by_scale.push((scale, mantissa)),
        }
        self.note(line);
    }

    fn add_other(&mut self, value: Decimal, line: u64) {
        match self.other.checked_add(value) {
            Some(v) => self.other = v,
            None => self.overflow = true,
        }
        self.note(line);
    }

    fn note(&mut self, line: u64) {
        self.count += 1;
        if self.lines.len() < KEPT {
            self.lines.push(line);
        }
    }
}

/// What one block gave.
#[derive(Default)]
struct BlockResult {
    /// Line ends in the block (its rows, empty or not).
    newlines: u64,
    /// The sums of each key the block has, in the order first met.
    keys: Vec<(ActivityKey, Sums)>,
    /// Rejections with their line within the block.
    rejected: Vec<(u64, Rejection)>,
    counts: Counts,
    /// A row that is one field holding `;`, tab or `|`: a file whose rows use
    /// different separators.
    mixed_separators: bool,
}

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
/// ([`read_header`]), the rest of the file is cut into blocks parsed in
/// parallel ([`parse_blocks`]), and their sums are merged in block order
/// ([`merge`]).
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
    let mut input = Input {
        file,
        path,
        block_size: block_size.max(1),
        hasher: crate::digest::Sha256::new(),
        eof: false,
    };
    let Some(header) = read_header(&mut input, forced.delimiter.is_some())? else {
        return Ok(None);
    };
    let at = Location::file(path);
    let ctx = Ctx {
        columns: &header.columns,
        key_runs: key_runs(&header.columns.key_columns()),
        options,
        at: &at,
        progress,
    };
    let Some(blocks) = parse_blocks(&mut input, header.rest, &ctx)? else {
        return Ok(None);
    };
    let sha256 = input.hasher.hex();
    Ok(Some(merge(
        blocks,
        header.line,
        header.blank_before,
        &at,
        sha256,
    )))
}

/// The file being read: its bytes are hashed as they pass.
struct Input<'p> {
    file: std::fs::File,
    path: &'p Path,
    block_size: usize,
    hasher: crate::digest::Sha256,
    /// The end of the file was reached.
    eof: bool,
}

impl Input<'_> {
    /// Reads up to a block more onto `buf`.
    fn more(&mut self, buf: &mut Vec<u8>) -> Result<()> {
        let before = buf.len();
        self.eof = fill(&mut self.file, buf, self.block_size, self.path)?;
        self.hasher.update(&buf[before..]);
        Ok(())
    }

    /// Reads a block into `buf` (a block long); the bytes read.
    fn block_into(&mut self, buf: &mut [u8]) -> Result<usize> {
        let n = read_into(&mut self.file, buf, self.path)?;
        self.hasher.update(&buf[..n]);
        self.eof = n < self.block_size;
        Ok(n)
    }
}

/// The header of a file and what was read past it.
struct Header {
    columns: Columns,
    /// Its line.
    line: u64,
    /// Empty lines before it.
    blank_before: u64,
    /// The bytes read after it.
    rest: Vec<u8>,
}

/// Reads the header, the first line with any text; `None` when the file is
/// not for the fast path (not UTF-8, or another separator than `,` unless
/// one is forced).
fn read_header(input: &mut Input, delimiter_forced: bool) -> Result<Option<Header>> {
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

/// A block handed to a worker: its index, its buffer, and the length of its
/// whole rows in the buffer.
type Block = (usize, Vec<u8>, usize);

/// Cuts the rest of the file (after `rest`, the bytes already read) into
/// blocks of whole rows and parses them in parallel; the blocks' results
/// with their index, or `None` when the general reader must read the file.
///
/// Blocks go to the workers through a bounded queue and come back to a
/// pool once parsed, so memory stays a few blocks whatever the file size.
/// Plain threads, not rayon tasks: the reader blocks on a full queue, and
/// must never hold the only worker.
fn parse_blocks(
    input: &mut Input,
    rest: Vec<u8>,
    ctx: &Ctx,
) -> Result<Option<Vec<(usize, BlockResult)>>> {
    let threads = rayon::current_num_threads().max(1);
    let in_flight = threads + 2;
    let (block_tx, block_rx) = mpsc::sync_channel::<Block>(threads);
    let (pool_tx, pool_rx) = mpsc::channel::<Vec<u8>>();
    for _ in 0..in_flight {
        let _ = pool_tx.send(vec![0u8; 2 * input.block_size]);
    }
    let block_rx = Mutex::new(block_rx);
    let results: Mutex<Vec<(usize, BlockResult)>> = Mutex::new(Vec::new());
    let abort = AtomicBool::new(false);
    let fed = std::thread::scope(|scope| {
        for _ in 0..threads {
            let pool_tx = pool_tx.clone();
            let (block_rx, results, abort) = (&block_rx, &results, &abort);
            scope.spawn(move || work(ctx, block_rx, &pool_tx, results, abort));
        }
        feed(input, rest, &pool_rx, &pool_tx, block_tx, &abort)
    });
    fed?;
    if abort.load(Ordering::Relaxed) {
        return Ok(None);
    }
    Ok(Some(results.into_inner().unwrap_or_default()))
}

/// A worker thread: parses the blocks it takes from the queue until the
/// queue closes, and gives each buffer back to the pool.
fn work(
    ctx: &Ctx,
    block_rx: &Mutex<mpsc::Receiver<Block>>,
    pool_tx: &mpsc::Sender<Vec<u8>>,
    results: &Mutex<Vec<(usize, BlockResult)>>,
    abort: &AtomicBool,
) {
    let mut worker = Worker::new(ctx);
    loop {
        let next = block_rx.lock().map(|rx| rx.recv());
        let Ok(Ok((index, buf, len))) = next else {
            break;
        };
        // Text that is not UTF-8 (Windows-1251, ...), or a row that
        // is one field holding another separator: the general
        // reader detects the encoding or reports the mixed separators.
        if abort.load(Ordering::Relaxed)
            || std::str::from_utf8(&buf[..len]).is_err()
            || not_for_the_fast_path(&buf[..len])
        {
            abort.store(true, Ordering::Relaxed);
            let _ = pool_tx.send(buf);
            continue;
        }
        let r = worker.block(&buf[..len]);
        if r.mixed_separators {
            abort.store(true, Ordering::Relaxed);
        }
        ctx.progress.bytes.fetch_add(len as u64, Ordering::Relaxed);
        if let Ok(mut all) = results.lock() {
            all.push((index, r));
        }
        let _ = pool_tx.send(buf);
    }
}

/// True for a block holding what only the general reader reads: a quote,
/// a NUL byte (a binary file), or a CR that does not end a CRLF line end
/// (old Mac line ends, or one line end of that kind among others). The
/// whole file is then read by the general reader, so that both readings
/// give the same rows, counts and rejections.
fn not_for_the_fast_path(block: &[u8]) -> bool {
    if memchr::memchr2(b'"', 0, block).is_some() {
        return true;
    }
    // A line that may hold a field beyond the bound: the general reader
    // says where.
    let mut start = 0;
    for p in memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len())) {
        if p - start > crate::sheet::MAX_FIELD_BYTES {
            return true;
        }
        start = p + 1;
    }
    memchr::memchr_iter(b'\r', block).any(|p| block.get(p + 1) != Some(&b'\n'))
}

/// The reading thread: reads the file into pooled buffers, each holding the
/// unfinished line of the previous one and then a block of the file, and
/// hands them on cut after their last whole row. Closes the queue (drops
/// `block_tx`) when it returns.
fn feed(
    input: &mut Input,
    mut tail: Vec<u8>,
    pool_rx: &mpsc::Receiver<Vec<u8>>,
    pool_tx: &mpsc::Sender<Vec<u8>>,
    block_tx: mpsc::SyncSender<Block>,
    abort: &AtomicBool,
) -> Result<()> {
    let block_size = input.block_size;
    let mut index = 0usize;
    while let Ok(mut buf) = pool_rx.recv() {
        // A quote left open keeps the rest of the file from being cut
        // into rows: stop, the general reader says where it opens.
        if abort.load(Ordering::Relaxed) || tail.len() > 4 * BLOCK.max(block_size) {
            abort.store(true, Ordering::Relaxed);
            break;
        }
        if buf.len() < tail.len() + block_size {
            buf.resize(tail.len() + block_size, 0);
        }
        buf[..tail.len()].copy_from_slice(&tail);
        let mut len = tail.len();
        if !input.eof {
            len += input.block_into(&mut buf[len..len + block_size])?;
        }
        // The last rows: a quote opened and never closed is for the
        // general reader to report.
        if input.eof && memchr::memchr_iter(b'"', &buf[..len]).count() % 2 == 1 {
            abort.store(true, Ordering::Relaxed);
            break;
        }
        let cut = if input.eof {
            Some(len)
        } else {
            cut_point(&buf[..len])
        };
        match cut {
            Some(cut) if cut > 0 => {
                tail.clear();
                tail.extend_from_slice(&buf[cut..len]);
                if block_tx.send((index, buf, cut)).is_err() {
                    break;
                }
                index += 1;
            }
            // No whole row yet (a row longer than a block): keep reading.
            _ => {
                tail.clear();
                tail.extend_from_slice(&buf[..len]);
                let _ = pool_tx.send(buf);
            }
        }
        if input.eof && tail.is_empty() {
            break;
        }
        if input.eof && cut.is_none() {
            break;
        }
    }
    Ok(())
}

/// Merges the blocks' results in block order into exact sums per activity
/// key, with each rejection and first row at its line in the file (the
/// header is at `header_line`, after `blank_before_header` empty lines).
fn merge(
    mut blocks: Vec<(usize, BlockResult)>,
    header_line: u64,
    blank_before_header: u64,
    at: &Location,
    sha256: String,
) -> Streamed {
    blocks.sort_by_key(|(i, _)| *i);
    let mut counts = Counts {
        empty: blank_before_header,
        ..Counts::default()
    };
    let mut rejected = Vec::new();
    // Per key: the sum, the row count, the first lines, and whether the sum
    // left the range of exact decimals (the key's rows are then rejected by
    // the calculation, with their locations).
    let mut totals: HashMap<ActivityKey, (Decimal, u64, Vec<u64>, bool)> = HashMap::new();
    let mut first_line = header_line;
    for (_, b) in blocks {
        counts.add(b.counts);
        for (line, mut r) in b.rejected {
            r.at.row = Some(first_line + line);
            rejected.push(r);
        }
        for (key, k) in b.keys {
            let entry = totals
                .entry(key)
                .or_insert((Decimal::ZERO, 0, Vec::new(), false));
            let mut sum = Some(k.other).filter(|_| !k.overflow);
            for (scale, mantissa) in &k.by_scale {
                let part = exact_decimal(*mantissa, *scale);
                sum = sum.zip(part).and_then(|(s, p)| s.checked_add(p));
            }
            match sum.and_then(|s| entry.0.checked_add(s)) {
                Some(total) => entry.0 = total,
                None => entry.3 = true,
            }
            entry.1 += k.count;
            for l in k.lines {
                if entry.2.len() < KEPT {
                    entry.2.push(first_line + l);
                }
            }
        }
        first_line += b.newlines;
    }
    let mut acc = Accumulator::new(false);
    for (key, (value, count, lines, overflow)) in totals {
        acc.keys.insert(
            key,
            KeyTotal {
                value,
                count,
                first_rows: lines.into_iter().map(|l| at.clone().with_row(l)).collect(),
                rows: Vec::new(),
                overflow,
                filled: String::new(),
            },
        );
    }
    rejected.sort_by_key(|r| r.at.row);
    Streamed {
        acc,
        rejected,
        counts,
        sha256,
    }
}

/// `mantissa` × 10^-`scale` as a decimal, dropping trailing zeros of the
/// mantissa when it is too wide for one (1 000 × `1.000…0` with 26 zeros
/// is 1000 exactly, as the general reader sums it); `None` when it cannot
/// be held exactly.
fn exact_decimal(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
    loop {
        if let Ok(d) = Decimal::try_from_i128_with_scale(mantissa, scale) {
            return Some(d);
        }
        if scale == 0 || mantissa % 10 != 0 {
            return None;
        }
        mantissa /= 10;
        scale -= 1;
    }
}

/// Reads up to `max` more bytes onto `buf`; true at the end of the file.
fn fill(file: &mut std::fs::File, buf: &mut Vec<u8>, max: usize, path: &Path) -> Result<bool> {
    let start = buf.len();
    buf.resize(start + max, 0);
    let got = read_into(file, &mut buf[start..], path)?;
    buf.truncate(start + got);
    Ok(got < max)
}

/// Key columns as runs of consecutive columns: `[0, 1, 2, 3, 5]` is
/// `[(0, 3), (5, 5)]`. A run of a plain line is unambiguous (no field of a
/// line without quotes holds a comma).
fn key_runs(columns: &[usize]) -> Vec<(usize, usize)> {
    let mut sorted = columns.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for c in sorted {
        match runs.last_mut() {
            Some((_, last)) if *last + 1 == c => *last = c,
            _ => runs.push((c, c)),
        }
    }
    runs
}

/// Reads until `buf` is full or the file ends; the bytes read.
fn read_into(file: &mut std::fs::File, buf: &mut [u8], path: &Path) -> Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io(path, e)),
        }
    }
    Ok(got)
}

/// The position just after the last line end that is outside quotes, or
/// `None` when the text has none. The text starts at the start of a row.
fn cut_point(text: &[u8]) -> Option<usize> {
    if memchr::memchr(b'"', text).is_none() {
        return memchr::memrchr(b'\n', text).map(|p| p + 1);
    }
    let mut in_quotes = false;
    let mut last = None;
    for p in memchr::memchr2_iter(b'"', b'\n', text) {
        if text[p] == b'"' {
            in_quotes = !in_quotes;
        } else if !in_quotes {
            last = Some(p + 1);
        }
    }
    last
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits one line into cells with the CSV rules (quotes, doubled quotes).
fn split_quoted(line: &[u8]) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => record.iter().map(String::from).collect(),
        _ => vec![String::from_utf8_lossy(line).into_owned()],
    }
}

/// What the workers share.
struct Ctx<'a> {
    columns: &'a Columns,
    /// The key columns as runs of consecutive columns (first, last).
    key_runs: Vec<(usize, usize)>,
    options: &'a ReadOptions<'a>,
    at: &'a Location,
    progress: &'a Progress,
}

impl Ctx<'_> {
    /// The location of a cell of a row (the row is set when blocks are merged).
    fn loc(&self, col: usize) -> Location {
        self.at.clone().with_column(
            self.columns
                .names
                .get(col)
                .cloned()
                .unwrap_or_else(|| format!("{}", col + 1)),
        )
    }

    /// Checks a row through the general path.
    fn check(&self, cells: &[String]) -> std::result::Result<crate::activity::Activity, Rejection> {
        self.columns.activity(cells, self.options, |c| self.loc(c))
    }
}

/// A key as met in the file: the text of its fields, checked once.
struct SeenKey {
    hash: u64,
    /// The key fields, each followed by 0x1f.
    text: Box<[u8]>,
    checked: std::result::Result<ActivityKey, Rejection>,
    /// The largest value the fast path takes for this key's unit, per scale
    /// of the written number, as a mantissa: larger values go through the
    /// general check, which refuses more than 10^24 base units.
    limits: Vec<(u32, i128)>,
    /// Base units in one unit of the key (J in a TJ).
    unit_scale: Decimal,
}

impl SeenKey {
    /// True when `mantissa` × 10^-`scale` units is safely below the limit.
    fn within_limit(&mut self, mantissa: i128, scale: u32) -> bool {
        let limit = match self.limits.iter().find(|(s, _)| *s == scale) {
            Some((_, l)) => *l,
            None => {
                // ⌊10^24 / unit scale × 10^scale⌋, less one for the rounding
                // of the division (the general check decides at the edge).
                let l = crate::activity::MAX_ACTIVITY_BASE
                    .checked_div(self.unit_scale)
                    .and_then(|v| {
                        v.checked_mul(Decimal::from_i128_with_scale(10i128.pow(scale.min(28)), 0))
                    })
                    .map(|v| v.trunc().mantissa() / 10i128.pow(v.trunc().scale()) - 1)
                    .unwrap_or(i128::MAX);
                self.limits.push((scale, l));
                l
            }
        };
        mantissa <= limit
    }
}

/// A worker: the keys it has met (kept from block to block, so each is
/// checked once per worker) and the sums of the block at hand.
struct Worker<'a> {
    ctx: &'a Ctx<'a>,
    table: HashTable<u32>,
    seen: Vec<SeenKey>,
    /// The keys of rows read by the general path (quoted fields ...).
    general: HashMap<ActivityKey, u32>,
    sums: Vec<Sums>,
    touched: Vec<u32>,
}

const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
const NEWLINES: u64 = 0x0a0a_0a0a_0a0a_0a0a;

/// The high bit of each byte of `x` that is zero (exact, no false hits).
fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}

/// Most commas a row may have on the fast path.
const MAX_FIELDS: usize = 64;

fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// A fast hash of a short text: two independent lanes of eight bytes,
/// so the multiplications do not wait on each other; the last words are read
/// overlapping the previous ones (equal texts still hash alike, and keys are
/// compared in full anyway).
fn hash_text(b: &[u8]) -> u64 {
    let word = |i: usize| {
        u64::from_le_bytes([
            b[i],
            b[i + 1],
            b[i + 2],
            b[i + 3],
            b[i + 4],
            b[i + 5],
            b[i + 6],
            b[i + 7],
        ])
    };
    let half = |i: usize| u64::from(u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]));
    let n = b.len();
    let (mut x, mut y) = (0x243f_6a88_85a3_08d3u64, 0x1319_8a2e_0370_7344u64);
    if n >= 16 {
        let mut i = 0;
        while i + 16 <= n {
            x = mix(x, word(i));
            y = mix(y, word(i + 8));
            i += 16;
        }
        if i < n {
            x = mix(x, word(n - 16));
            y = mix(y, word(n - 8));
        }
    } else if n >= 8 {
        x = mix(x, word(0));
        y = mix(y, word(n - 8));
    } else if n >= 4 {
        x = mix(x, half(0));
        y = mix(y, half(n - 4));
    } else if n > 0 {
        x = mix(
            x,
            u64::from(b[0]) | u64::from(b[n / 2]) << 8 | u64::from(b[n - 1]) << 16,
        );
    }
    mix(x ^ y.rotate_left(32), n as u64)
}

impl<'a> Worker<'a> {
    fn new(ctx: &'a Ctx<'a>) -> Worker<'a> {
        Worker {
            ctx,
            table: HashTable::new(),
            seen: Vec::new(),
            general: HashMap::new(),
            sums: Vec::new(),
            touched: Vec::new(),
        }
    }

    fn block(&mut self, block: &[u8]) -> BlockResult {
        let mut r = BlockResult::default();
        if memchr::memchr(b'"', block).is_some() {
            self.quoted_block(block, &mut r);
        } else {
            self.plain_block(block, &mut r);
        }
        // The block's sums, in the order the keys were first met.
        for id in self.touched.drain(..) {
            let sums = std::mem::take(&mut self.sums[id as usize]);
            if let Ok(key) = &self.seen[id as usize].checked {
                r.keys.push((key.clone(), sums));
            }
        }
        r
    }

    /// A block without quotes: one pass over its commas and line ends,
    /// eight bytes at a time.
    fn plain_block(&mut self, block: &[u8], r: &mut BlockResult) {
        let mut commas = [0usize; MAX_FIELDS];
        let mut n = 0usize;
        let mut too_many = false;
        let mut start = 0usize;
        let mut line_no = 0u64;
        let mut rows = 0u64;
        let mut at_separator = |p: usize, this: &mut Self, r: &mut BlockResult| {
            if block[p] == b',' {
                if n < MAX_FIELDS {
                    commas[n] = p;
                    n += 1;
                } else {
                    too_many = true;
                }
                return;
            }
            line_no += 1;
            r.newlines += 1;
            this.line(block, start, p, &commas[..n], too_many, line_no, r);
            start = p + 1;
            n = 0;
            too_many = false;
            rows += 1;
            if rows.is_multiple_of(65_536) {
                this.ctx.progress.rows.fetch_add(65_536, Ordering::Relaxed);
            }
        };
        let mut i = 0;
        for word in block.chunks_exact(8) {
            let w = u64::from_le_bytes([
                word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
            ]);
            let mut found = zero_bytes(w ^ COMMAS) | zero_bytes(w ^ NEWLINES);
            while found != 0 {
                let p = i + (found.trailing_zeros() / 8) as usize;
                found &= found - 1;
                at_separator(p, self, r);
            }
            i += 8;
        }
        for (p, b) in block.iter().enumerate().skip(i) {
            if *b == b',' || *b == b'\n' {
                at_separator(p, self, r);
            }
        }
        if start < block.len() {
            line_no += 1;
            self.line(
                block,
                start,
                block.len(),
                &commas[..n],
                too_many,
                line_no,
                r,
            );
            rows += 1;
        }
        self.ctx
            .progress
            .rows
            .fetch_add(rows % 65_536, Ordering::Relaxed);
    }

    /// One row of a plain block: `block[start..end]`, commas at `commas`.
    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        block: &[u8],
        start: usize,
        end: usize,
        commas: &[usize],
        too_many: bool,
        line_no: u64,
        r: &mut BlockResult,
    ) {
        let end = if end > start && block[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        let line = &block[start..end];
        // Empty lines (or only separators and spaces): skipped and counted.
        // Spaces as `trim` (the general reader) knows them: ASCII's and the
        // vertical tab (0x0B), which `is_ascii_whitespace` leaves out.
        if line
            .first()
            .is_none_or(|b| *b == b',' || b.is_ascii_whitespace() || *b == 0x0B || !b.is_ascii())
            && std::str::from_utf8(line)
                .is_ok_and(|t| t.chars().all(|c| c == ',' || c.is_whitespace()))
        {
            r.counts.empty += 1;
            return;
        }
        if commas.is_empty() && line.iter().any(|b| matches!(b, b';' | b'\t' | b'|')) {
            r.mixed_separators = true;
        }
        if too_many || commas.len() >= self.ctx.columns.names.len() {
            // More cells than the header: the general check (which counts
            // the row) rejects it if a cell beyond the header holds anything.
            let cells = split_quoted(line);
            self.general_row(&cells, line_no, r);
            return;
        }
        r.counts.read += 1;
        let field = |i: usize| -> &[u8] {
            if i > commas.len() {
                return &[];
            }
            let a = if i == 0 { start } else { commas[i - 1] + 1 };
            let b = if i < commas.len() {
                commas[i].min(end)
            } else {
                end
            };
            if a > b { &[] } else { &block[a..b] }
        };
        // The key: the runs of consecutive key columns as the line has them
        // (commas included), hashed and compared in place.
        let run = |&(first, last): &(usize, usize)| -> &[u8] {
            let a = if first == 0 {
                start
            } else {
                commas.get(first - 1).map_or(end, |c| c + 1)
            };
            let b = if last < commas.len() {
                commas[last].min(end)
            } else {
                end
            };
            if a > b { &[] } else { &block[a..b] }
        };
        let runs = &self.ctx.key_runs;
        let mut hash = 0u64;
        for r in runs.iter() {
            hash = mix(hash, hash_text(run(r)));
        }
        let seen = &self.seen;
        let found = self.table.find(hash, |&id| {
            let k = &seen[id as usize];
            if k.hash != hash {
                return false;
            }
            let mut pos = 0;
            for r in runs.iter() {
                let f = run(r);
                let stored = &k.text[pos..];
                if stored.len() <= f.len() || stored[..f.len()] != *f || stored[f.len()] != 0x1f {
                    return false;
                }
                pos += f.len() + 1;
            }
            pos == k.text.len()
        });
        let id = match found {
            Some(&id) => id,
            None => {
                // The first row of this key: its key fields are checked with
                // the general rules (the value set to 0).
                let mut cells: Vec<String> = (0..=commas.len())
                    .map(|i| String::from_utf8_lossy(field(i)).into_owned())
                    .collect();
                if self.ctx.columns.value < cells.len() {
                    cells[self.ctx.columns.value] = "0".to_string();
                }
                let checked = self.ctx.check(&cells).map(|a| a.key);
                let mut text = Vec::new();
                for r in runs.iter() {
                    text.extend_from_slice(run(r));
                    text.push(0x1f);
                }
                self.add_key(hash, text, checked)
            }
        };
        if let Err(rejection) = &self.seen[id as usize].checked {
            // The row checked in full, so that its first problem is the one
            // the general reader names (the value is checked before the
            // unit, and the key was checked with a value of 0).
            let cells: Vec<String> = (0..=commas.len())
                .map(|i| String::from_utf8_lossy(field(i)).into_owned())
                .collect();
            let rejection = self
                .ctx
                .check(&cells)
                .err()
                .unwrap_or_else(|| rejection.clone());
            r.counts.rejected += 1;
            r.rejected.push((line_no, rejection));
            return;
        }
        match fast_value(field(self.ctx.columns.value))
            .filter(|(m, sc)| self.seen[id as usize].within_limit(*m, *sc))
        {
            Some((mantissa, scale)) => self.sums_of(id).add_fast(mantissa, scale, line_no),
            None => {
                // Not a plain non-negative decimal: the general row check says.
                let cells: Vec<String> = (0..=commas.len())
                    .map(|i| String::from_utf8_lossy(field(i)).into_owned())
                    .collect();
                match self.ctx.check(&cells) {
                    Ok(a) => self.sums_of(id).add_other(a.value, line_no),
                    Err(rejection) => {
                        r.counts.rejected += 1;
                        r.rejected.push((line_no, rejection));
                        return;
                    }
                }
            }
        }
        r.counts.used += 1;
    }

    /// Adds a key met in the raw text of a row (its fields' text and their hash).
    fn add_key(
        &mut self,
        hash: u64,
        text: Vec<u8>,
        checked: std::result::Result<ActivityKey, Rejection>,
    ) -> u32 {
        let id = self.push_key(Some((hash, text)), checked);
        let seen = &self.seen;
        self.table
            .insert_unique(hash, id, |&i| seen[i as usize].hash);
        id
    }

    /// Adds a key to those met, with its raw text when it has one.
    fn push_key(
        &mut self,
        raw: Option<(u64, Vec<u8>)>,
        checked: std::result::Result<ActivityKey, Rejection>,
    ) -> u32 {
        let id = self.seen.len() as u32;
        let unit_scale = checked
            .as_ref()
            .ok()
            .map_or(Decimal::ONE, |k| k.unit.quantity().scale);
        let (hash, text) = raw.unwrap_or_default();
        self.seen.push(SeenKey {
            hash,
            text: text.into_boxed_slice(),
            checked,
            limits: Vec::new(),
            unit_scale,
        });
        id
    }

    /// The block's sums of a key, marking it met in this block.
    fn sums_of(&mut self, id: u32) -> &mut Sums {
        let i = id as usize;
        if self.sums.len() <= i {
            self.sums.resize_with(i + 1, Sums::default);
        }
        if self.sums[i].count == 0 && !self.touched.contains(&id) {
            self.touched.push(id);
        }
        &mut self.sums[i]
    }

    /// A block with quotes: read with the CSV rules, every row checked in full.
    fn quoted_block(&mut self, block: &[u8], r: &mut BlockResult) {
        r.newlines = memchr::memchr_iter(b'\n', block).count() as u64;
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(block);
        let mut lines = crate::sheet::LineCounter::default();
        let mut record = csv::StringRecord::new();
        // Empty lines are skipped by the CSV reader: counted from the gaps
        // between the lines of its records.
        let mut next_line = 1u64;
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line =
                        lines.line_at(block, e.position().map(|p| p.byte() as usize).unwrap_or(0));
                    r.counts.read += 1;
                    r.counts.rejected += 1;
                    r.rejected.push((
                        line,
                        Rejection {
                            at: self.ctx.at.clone(),
                            reason: format!("the row cannot be read as CSV: {e}"),
                        },
                    ));
                    break;
                }
            }
            let line = lines.line_at(
                block,
                record.position().map(|p| p.byte() as usize).unwrap_or(0),
            );
            r.counts.empty += line.saturating_sub(next_line);
            next_line = line
                + 1
                + record
                    .iter()
                    .map(|f| f.matches('\n').count() as u64)
                    .sum::<u64>();
            let cells: Vec<String> = record.iter().map(String::from).collect();
            self.general_row(&cells, line, r);
        }
        let last_line = r.newlines + u64::from(!block.ends_with(b"\n") && !block.is_empty());
        r.counts.empty += (last_line + 1).saturating_sub(next_line);
    }

    /// A row read as cells and checked in full.
    fn general_row(&mut self, cells: &[String], line_no: u64, r: &mut BlockResult) {
        if cells.iter().all(|c| c.trim().is_empty()) {
            r.counts.empty += 1;
            return;
        }
        r.counts.read += 1;
        match self.ctx.check(cells) {
            Ok(a) => {
                // Keyed by the checked key itself, apart from the raw keys.
                let id = match self.general.get(&a.key) {
                    Some(&id) => id,
                    None => {
                        let id = self.push_key(None, Ok(a.key.clone()));
                        self.general.insert(a.key, id);
                        id
                    }
                };
                self.sums_of(id).add_other(a.value, line_no);
                r.counts.used += 1;
            }
            Err(rejection) => {
                r.counts.rejected += 1;
                r.rejected.push((line_no, rejection));
            }
        }
    }
}

/// A plain non-negative decimal (`123`, `4644.097`) as mantissa and scale;
/// `None` for anything else (signs, exponents, spaces, more than 27 digits),
/// which the general check reads.
fn fast_value(text: &[u8]) -> Option<(i128, u32)> {
    if text.is_empty() || text.len() > 28 {
        return None;
    }
    let mut mantissa: i128 = 0;
    let mut scale: Option<u32> = None;
    let mut digits = 0;
    for &b in text {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i128::from(b - b'0');
                digits += 1;
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            b'.' if scale.is_none() => scale = Some(0),
            _ => return None,
        }
    }
    if digits == 0 {
        return None;
    }
    Some((mantissa, scale.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_are_read_fast_and_the_rest_is_left_to_the_general_check() {
        assert_eq!(fast_value(b"4644.097"), Some((4644097, 3)));
        assert_eq!(fast_value(b"12"), Some((12, 0)));
        assert_eq!(fast_value(b"0.50"), Some((50, 2)));
        assert_eq!(fast_value(b".5"), Some((5, 1)));
        for other in [
            &b""[..],
            b".",
            b"-1",
            b"+1",
            b"1e3",
            b" 1",
            b"1,5",
            b"1.2.3",
            b"NaN",
        ] {
            assert_eq!(fast_value(other), None, "{:?}", std::str::from_utf8(other));
        }
    }

    #[test]
    fn the_key_hash_reads_every_length_and_tells_texts_apart() {
        let texts: Vec<Vec<u8>> = (0..40)
            .map(|n| (0..n).map(|i| b'a' + (i % 26) as u8).collect())
            .collect();
        let hashes: std::collections::HashSet<u64> = texts.iter().map(|t| hash_text(t)).collect();
        assert_eq!(hashes.len(), texts.len());
        assert_eq!(
            hash_text(b"2021,1A1a,Hard Coal,"),
            hash_text(b"2021,1A1a,Hard Coal,")
        );
        assert_ne!(
            hash_text(b"2021,1A1a,Hard Coal,"),
            hash_text(b"2022,1A1a,Hard Coal,")
        );
    }

    #[test]
    fn key_columns_make_runs() {
        assert_eq!(key_runs(&[0, 1, 2, 3, 5]), [(0, 3), (5, 5)]);
        assert_eq!(key_runs(&[4, 2, 3, 9, 7, 8]), [(2, 4), (7, 9)]);
    }

    #[test]
    fn zero_bytes_are_found_exactly() {
        let w = u64::from_le_bytes(*b"a,b\n,,x\x01");
        let hits = zero_bytes(w ^ COMMAS) | zero_bytes(w ^ NEWLINES);
        let positions: Vec<u32> = (0..8).filter(|i| hits >> (i * 8 + 7) & 1 == 1).collect();
        assert_eq!(positions, [1, 3, 4, 5]);
        // A byte just above a hit is not a false hit.
        let w = u64::from_le_bytes([0x2c, 0x2d, 0x2b, 0x0b, 0x09, 0x0a, 0x01, 0x2c]);
        let hits = zero_bytes(w ^ COMMAS) | zero_bytes(w ^ NEWLINES);
        let positions: Vec<u32> = (0..8).filter(|i| hits >> (i * 8 + 7) & 1 == 1).collect();
        assert_eq!(positions, [0, 5, 7]);
    }

    #[test]
    fn blocks_are_cut_after_line_ends_outside_quotes() {
        assert_eq!(cut_point(b"a,b\nc,d\ne"), Some(8));
        // The line end inside "x\ny" is not a row end; the one inside "z\n... is not either.
        assert_eq!(cut_point(b"a,\"x\ny\"\nb,\"z\n"), Some(8));
        assert_eq!(cut_point(b"a,b"), None);
    }
}
