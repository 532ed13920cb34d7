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
    /// SHA-256 of the file's bytes, as hex.
    pub sha256: String,
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
        match self.by_scale.iter_mut().find(|(s, _)| *s == scale) {
            Some((_, sum)) => match sum.checked_add(mantissa) {
                Some(v) => *sum = v,
                None => self.overflow = true,
            },
            None => self.by_scale.push((scale, mantissa)),
        }
        self.note(line);
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
}

/// Merges the blocks' results in block order into exact sums per activity
/// key, with each rejection and first row at its line in the file (the
/// header is at `header_line`, after `blank_before_header` empty lines).
pub(super) fn merge(
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
                spliced: String::new(),
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
