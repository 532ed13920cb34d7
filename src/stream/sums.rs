//! Sums: a key's sums within a block (a 128-bit integer per scale of the
//! values the fast path read, an exact decimal for the others), what a
//! block gives, and the merge of the blocks' results, in block order, into
//! exact sums per activity key with each rejection and first row at its
//! line in the file.

use super::value::exact_decimal;
use crate::activity::{ActivityKey, Counts, Rejection};
use crate::calculate::{Accumulator, KeyTotal};
use crate::error::Location;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// Row locations kept per key for messages.
const KEPT: usize = 5;

/// What reading a file gave.
pub struct Streamed {
    pub acc: Accumulator,
    pub rejected: Vec<Rejection>,
    pub counts: Counts,
    /// BLAKE3 of the file's bytes, as hex.
    pub blake3: String,
}

/// A key's sums within one block.
#[derive(Debug, Clone, Default)]
pub(super) struct Sums {
    /// Σ mantissa per scale of the values read by the fast path (most files
    /// use one or two scales).
    by_scale: Vec<(u32, i128)>,
    /// Σ of the values read by the general path.
    other: Decimal,
    pub(super) count: u64,
    /// Lines (within the block) of the first rows.
    lines: Vec<u64>,
    /// A sum left the range of exact arithmetic (the key is then rejected).
    overflow: bool,
}

impl Sums {
    pub(super) fn add_fast(&mut self, mantissa: i128, scale: u32, line: u64) {
        self.add_to_scale(scale, mantissa);
        self.note(line);
    }

    /// Adds `sum` to the sum of the mantissas of `scale`.
    #[inline]
    fn add_to_scale(&mut self, scale: u32, sum: i128) {
        match self.by_scale.iter_mut().find(|(s, _)| *s == scale) {
            Some((_, total)) => match total.checked_add(sum) {
                Some(v) => *total = v,
                None => self.overflow = true,
            },
            None => self.by_scale.push((scale, sum)),
        }
    }

    /// Adds `count` rows whose mantissas of `scale` sum to `sum` (their
    /// lines are not kept: the first rows of the key were noted).
    pub(super) fn add_many(&mut self, scale: u32, sum: i128, count: u64) {
        if count == 0 {
            return;
        }
        self.add_to_scale(scale, sum);
        self.count += count;
    }

    /// The first rows' lines are all noted.
    pub(super) fn lines_full(&self) -> bool {
        self.lines.len() >= KEPT
    }

    pub(super) fn add_other(&mut self, value: Decimal, line: u64) {
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
pub(super) struct BlockResult {
    /// Line ends in the block (its rows, empty or not).
    pub(super) newlines: u64,
    /// The sums of each key the block has, in the order first met.
    pub(super) keys: Vec<(ActivityKey, Sums)>,
    /// Rejections with their line within the block.
    pub(super) rejected: Vec<(u64, Rejection)>,
    pub(super) counts: Counts,
    /// A row that is one field holding `;`, tab or `|`: a file whose rows use
    /// different separators.
    pub(super) mixed_separators: bool,
    /// A line longer than a field may be (`crate::sheet::MAX_FIELD_BYTES`):
    /// the general reader says where.
    pub(super) long_line: bool,
}

/// The blocks' results merged in block order as they come, into exact
/// sums per activity key with each rejection and first row at its line in
/// the file: a block that comes before its predecessors waits (at most the
/// blocks in flight), so memory holds the keys and a few blocks, whatever
/// the number of rows.
pub(super) struct Merger {
    counts: Counts,
    rejected: Vec<Rejection>,
    /// Per key: the sum, the row count, the first lines, and whether the
    /// sum left the range of exact decimals (the key's rows are then
    /// rejected by the calculation, with their locations).
    totals: HashMap<ActivityKey, (Decimal, u64, Vec<u64>, bool)>,
    /// The line before the next block's first.
    first_line: u64,
    /// The index of the next block to merge, and the blocks that came early.
    next: usize,
    early: std::collections::BTreeMap<usize, BlockResult>,
}

impl Merger {
    /// A merger for a file whose header is at `header_line`, after
    /// `blank_before_header` empty lines.
    pub(super) fn new(header_line: u64, blank_before_header: u64) -> Merger {
        Merger {
            counts: Counts {
                empty: blank_before_header,
                ..Counts::default()
            },
            rejected: Vec::new(),
            totals: HashMap::new(),
            first_line: header_line,
            next: 0,
            early: std::collections::BTreeMap::new(),
        }
    }

    /// Takes block `index`'s result, merging it and every block after it
    /// that waited for it.
    pub(super) fn add(&mut self, index: usize, block: BlockResult) {
        self.early.insert(index, block);
        while let Some(b) = self.early.remove(&self.next) {
            self.merge(b);
            self.next += 1;
        }
    }

    fn merge(&mut self, b: BlockResult) {
        self.counts.add(b.counts);
        for (line, mut r) in b.rejected {
            r.at.row = Some(self.first_line + line);
            self.rejected.push(r);
        }
        for (key, k) in b.keys {
            let entry = self
                .totals
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
                    entry.2.push(self.first_line + l);
                }
            }
        }
        self.first_line += b.newlines;
    }

    /// The exact sums per activity key, with the file's digest.
    pub(super) fn finish(self, at: &Location, blake3: String) -> Streamed {
        debug_assert!(self.early.is_empty(), "every block merged");
        let mut acc = Accumulator::new(false);
        for (key, (value, count, lines, overflow)) in self.totals {
            acc.keys.insert(
                key,
                KeyTotal {
                    value,
                    count,
                    first_rows: lines.into_iter().map(|l| at.clone().with_row(l)).collect(),
                    overflow,
                    ..KeyTotal::default()
                },
            );
        }
        let mut rejected = self.rejected;
        rejected.sort_by_key(|r| r.at.row);
        Streamed {
            acc,
            rejected,
            counts: self.counts,
            blake3,
        }
    }
}
