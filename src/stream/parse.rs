//! Parsing blocks: a worker reads the rows of each block it is given,
//! looks up each row's key in its table of keys ([`super::keys`]), checks a
//! key met for the first time with the same code that checks every row of
//! small files ([`crate::activity::Columns::activity`]), reads the value
//! into a mantissa and a scale ([`super::value`]) and adds it to the key's
//! sums of the block ([`super::sums`]). Any row the fast path cannot read
//! goes through the general row check; a block with quotes never comes
//! here (the whole file goes to the general reader, see [`super::blocks`]).

use super::keys::{KeyTable, Layout, PAD, Run};
use super::progress::Progress;
use super::scan::{Row, plain_rows, split_quoted};
use super::sums::{BlockResult, Sums};
use super::value::fast_value;
use crate::activity::{Columns, ReadOptions, Rejection};
use crate::error::Location;
use std::sync::atomic::Ordering;

/// What the workers share.
pub(super) struct Ctx<'a> {
    pub(super) columns: &'a Columns,
    /// The key columns as runs of consecutive columns (first, last).
    pub(super) key_runs: Vec<Run>,
    /// Where the key runs go in a packed key (`None`: more runs than words).
    pub(super) layout: Option<Layout>,
    pub(super) options: &'a ReadOptions<'a>,
    pub(super) at: &'a Location,
    pub(super) progress: &'a Progress,
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

/// A worker: the keys it has met (kept from block to block, so each is
/// checked once per worker) and the sums of the block at hand.
pub(super) struct Worker<'a> {
    ctx: &'a Ctx<'a>,
    keys: KeyTable,
    sums: Vec<Sums>,
    /// Per key, the running sum of the block's values at one scale.
    hot: Vec<Hot>,
    touched: Vec<u32>,
}

/// A key's running sum, within the block at hand, of the values written
/// with its latest scale: most rows add to it and touch nothing else
/// (one small record per key, side by side). The first rows of a key in
/// each block, and any value of another scale or beyond the limit, go
/// through [`Sums`], which keeps their lines; the running sum is added to
/// the key's [`Sums`] when the block ends.
#[derive(Clone, Copy, Default)]
struct Hot {
    /// The key passed its check and its first rows in the block are noted:
    /// values of `scale` up to `limit` may be added here.
    ready: bool,
    scale: u32,
    limit: i128,
    sum: i128,
    count: u64,
}

impl<'a> Worker<'a> {
    pub(super) fn new(ctx: &'a Ctx<'a>) -> Worker<'a> {
        Worker {
            ctx,
            keys: KeyTable::default(),
            sums: Vec::new(),
            hot: Vec::new(),
            touched: Vec::new(),
        }
    }

    /// Parses the block `buf[..len]`, which holds no quote. Keys are packed
    /// when `buf` holds [`PAD`] bytes beyond the block.
    pub(super) fn block(&mut self, buf: &[u8], len: usize) -> BlockResult {
        let mut r = BlockResult::default();
        let padded = Some(buf).filter(|b| b.len() >= len + PAD);
        self.plain_block(&buf[..len], padded, &mut r);
        // The block's sums, in the order the keys were first met.
        for id in self.touched.drain(..) {
            let hot = std::mem::take(&mut self.hot[id as usize]);
            let mut sums = std::mem::take(&mut self.sums[id as usize]);
            sums.add_many(hot.scale, hot.sum, hot.count);
            if let Ok(key) = &self.keys.get(id).checked {
                r.keys.push((key.clone(), sums));
            }
        }
        r
    }

    /// A block without quotes: its rows as the comma scanner finds them.
    fn plain_block(&mut self, block: &[u8], padded: Option<&[u8]>, r: &mut BlockResult) {
        let mut rows = 0u64;
        let line_ends = plain_rows(block, |row| {
            self.row(block, padded, &row, r);
            rows += 1;
            if rows.is_multiple_of(65_536) {
                self.ctx.progress.rows.fetch_add(65_536, Ordering::Relaxed);
            }
        });
        r.newlines += line_ends;
        self.ctx
            .progress
            .rows
            .fetch_add(rows % 65_536, Ordering::Relaxed);
    }

    /// One row of a plain block (`padded`: the block with [`PAD`] bytes
    /// more, when the buffer has them).
    fn row(&mut self, block: &[u8], padded: Option<&[u8]>, row: &Row, r: &mut BlockResult) {
        let (start, commas, line_no) = (row.start, row.commas, row.line);
        let end = if row.end > start && block[row.end - 1] == b'\r' {
            row.end - 1
        } else {
            row.end
        };
        let line = &block[start..end];
        if line.len() > crate::sheet::MAX_FIELD_BYTES {
            r.long_line = true;
            return;
        }
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
        if row.too_many || commas.len() >= self.ctx.columns.names.len() {
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
        let cells = || -> Vec<String> {
            (0..=commas.len())
                .map(|i| String::from_utf8_lossy(field(i)).into_owned())
                .collect()
        };
        // The key: the runs of consecutive key columns as the line has them
        // (commas included), packed into fixed words, or hashed and compared
        // in place when a run is longer than its words.
        let bounds = |&(first, last): &Run| -> (usize, usize) {
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
            (a, b.max(a))
        };
        let run = |r: &Run| -> &[u8] {
            let (a, b) = bounds(r);
            &block[a..b]
        };
        let runs = &self.ctx.key_runs;
        let packed = match (&self.ctx.layout, padded) {
            (Some(layout), Some(padded)) => layout.pack(padded, runs, bounds),
            _ => None,
        };
        let found = match &packed {
            Some((p, hash)) => (*hash, self.keys.packed.find(*hash, p)),
            None => {
                let hash = KeyTable::hash(runs, run);
                (hash, self.keys.find(hash, runs, run))
            }
        };
        let id = match found {
            (_, Some(id)) => id,
            (hash, None) => {
                // The first row of this key: its key fields are checked with
                // the general rules (the value set to 0).
                let mut cells = cells();
                if self.ctx.columns.value < cells.len() {
                    cells[self.ctx.columns.value] = "0".to_string();
                }
                let checked = self.ctx.check(&cells).map(|a| a.key);
                match packed {
                    Some((p, _)) => self.keys.add_packed(hash, p, checked),
                    None => self.keys.add(hash, runs, run, checked),
                }
            }
        };
        if let Err(rejection) = &self.keys.get(id).checked {
            // The row checked in full, so that its first problem is the one
            // the general reader names (the value is checked before the
            // unit, and the key was checked with a value of 0).
            let rejection = self
                .ctx
                .check(&cells())
                .err()
                .unwrap_or_else(|| rejection.clone());
            r.counts.rejected += 1;
            r.rejected.push((line_no, rejection));
            return;
        }
        let value = fast_value(field(self.ctx.columns.value));
        // Most rows: a plain value of the key's latest scale, added to its
        // running sum.
        if let Some((mantissa, scale)) = value
            && let Some(hot) = self.hot.get_mut(id as usize)
            && hot.ready
            && hot.scale == scale
            && mantissa <= hot.limit
            && let Some(sum) = hot.sum.checked_add(mantissa)
        {
            hot.sum = sum;
            hot.count += 1;
            r.counts.used += 1;
            return;
        }
        match value.filter(|(m, sc)| self.keys.get_mut(id).within_limit(*m, *sc)) {
            Some((mantissa, scale)) => {
                self.sums_of(id).add_fast(mantissa, scale, line_no);
                self.warm(id, scale);
            }
            // Not a plain non-negative decimal: the general row check says.
            None => match self.ctx.check(&cells()) {
                Ok(a) => {
                    r.counts.rounded += u64::from(a.rounded);
                    self.sums_of(id).add_other(a.value, line_no)
                }
                Err(rejection) => {
                    r.counts.rejected += 1;
                    r.rejected.push((line_no, rejection));
                    return;
                }
            },
        }
        r.counts.used += 1;
    }

    /// Makes a key's running sum take its values of `scale` once its first
    /// rows in the block are noted (the sum so far kept in [`Sums`]).
    fn warm(&mut self, id: u32, scale: u32) {
        let i = id as usize;
        if !self.sums[i].lines_full() {
            return;
        }
        let hot = &mut self.hot[i];
        if hot.ready && hot.scale == scale {
            return;
        }
        self.sums[i].add_many(hot.scale, hot.sum, hot.count);
        *hot = Hot {
            ready: true,
            scale,
            limit: self.keys.get_mut(id).limit(scale),
            sum: 0,
            count: 0,
        };
    }

    /// The block's sums of a key, marking it met in this block.
    fn sums_of(&mut self, id: u32) -> &mut Sums {
        let i = id as usize;
        if self.sums.len() <= i {
            self.sums.resize_with(i + 1, Sums::default);
            self.hot.resize_with(i + 1, Hot::default);
        }
        if self.sums[i].count == 0 && !self.touched.contains(&id) {
            self.touched.push(id);
        }
        &mut self.sums[i]
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
                let id = self.keys.of_checked(&a.key);
                self.sums_of(id).add_other(a.value, line_no);
                r.counts.used += 1;
                r.counts.rounded += u64::from(a.rounded);
            }
            Err(rejection) => {
                r.counts.rejected += 1;
                r.rejected.push((line_no, rejection));
            }
        }
    }
}
