//! The table of the keys a worker has met: a row's key fields (the runs
//! of consecutive key columns, as the line writes them) are hashed and
//! compared in place, so a key is checked once per worker, by the general
//! row check, the first time it is met; rows the general path reads are
//! keyed by their checked key.

use crate::activity::{ActivityKey, Rejection};
use hashbrown::HashTable;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// A key as met in the file: the text of its fields, checked once.
pub(super) struct SeenKey {
    hash: u64,
    /// The key fields, each followed by 0x1f.
    text: Box<[u8]>,
    pub(super) checked: std::result::Result<ActivityKey, Rejection>,
    /// The largest value the fast path takes for this key's unit, per scale
    /// of the written number, as a mantissa: larger values go through the
    /// general check, which refuses more than 10^24 base units.
    limits: Vec<(u32, i128)>,
    /// Base units in one unit of the key (J in a TJ).
    unit_scale: Decimal,
}

impl SeenKey {
    /// True when `mantissa` × 10^-`scale` units is safely below the limit.
    pub(super) fn within_limit(&mut self, mantissa: i128, scale: u32) -> bool {
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

/// A key column run of a row: the text of columns `first..=last`.
pub(super) type Run = (usize, usize);

/// The keys met, by id.
#[derive(Default)]
pub(super) struct KeyTable {
    /// Ids of the keys met in raw text, by the hash of their fields.
    table: HashTable<u32>,
    seen: Vec<SeenKey>,
    /// The keys of rows read by the general path (quoted fields ...).
    general: HashMap<ActivityKey, u32>,
}

impl KeyTable {
    /// The hash of a row's key fields.
    pub(super) fn hash<'b>(runs: &[Run], text: impl Fn(&Run) -> &'b [u8]) -> u64 {
        runs.iter().fold(0, |h, r| mix(h, hash_text(text(r))))
    }

    /// The id of the key whose fields are those of a row (`text` gives the
    /// text of each run), if it was met before.
    pub(super) fn find<'b>(
        &self,
        hash: u64,
        runs: &[Run],
        text: impl Fn(&Run) -> &'b [u8],
    ) -> Option<u32> {
        let seen = &self.seen;
        self.table
            .find(hash, |&id| {
                let k = &seen[id as usize];
                if k.hash != hash {
                    return false;
                }
                let mut pos = 0;
                for r in runs {
                    let f = text(r);
                    let stored = &k.text[pos..];
                    if stored.len() <= f.len()
                        || stored[f.len()] != 0x1f
                        || !same_text(&stored[..f.len()], f)
                    {
                        return false;
                    }
                    pos += f.len() + 1;
                }
                pos == k.text.len()
            })
            .copied()
    }

    /// Adds the key of a row's fields, as the general check found it.
    pub(super) fn add<'b>(
        &mut self,
        hash: u64,
        runs: &[Run],
        text: impl Fn(&Run) -> &'b [u8],
        checked: std::result::Result<ActivityKey, Rejection>,
    ) -> u32 {
        let mut fields = Vec::new();
        for r in runs {
            fields.extend_from_slice(text(r));
            fields.push(0x1f);
        }
        let id = self.push(hash, fields, checked);
        let seen = &self.seen;
        self.table
            .insert_unique(hash, id, |&i| seen[i as usize].hash);
        id
    }

    /// The id of a key checked by the general path.
    pub(super) fn of_checked(&mut self, key: &ActivityKey) -> u32 {
        if let Some(&id) = self.general.get(key) {
            return id;
        }
        let id = self.push(0, Vec::new(), Ok(key.clone()));
        self.general.insert(key.clone(), id);
        id
    }

    fn push(
        &mut self,
        hash: u64,
        text: Vec<u8>,
        checked: std::result::Result<ActivityKey, Rejection>,
    ) -> u32 {
        let id = self.seen.len() as u32;
        let unit_scale = checked
            .as_ref()
            .ok()
            .map_or(Decimal::ONE, |k| k.unit.quantity().scale);
        self.seen.push(SeenKey {
            hash,
            text: text.into_boxed_slice(),
            checked,
            limits: Vec::new(),
            unit_scale,
        });
        id
    }

    pub(super) fn get(&self, id: u32) -> &SeenKey {
        &self.seen[id as usize]
    }

    pub(super) fn get_mut(&mut self, id: u32) -> &mut SeenKey {
        &mut self.seen[id as usize]
    }
}

/// Two texts of the same length are equal: compared eight bytes at a time
/// in place (keys are short; a call to `memcmp` per field cost more than
/// the comparison).
fn same_text(a: &[u8], b: &[u8]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let n = a.len();
    if n < 8 {
        return a == b;
    }
    let mut i = 0;
    while i + 8 <= n {
        if word(a, i) != word(b, i) {
            return false;
        }
        i += 8;
    }
    i == n || word(a, n - 8) == word(b, n - 8)
}

/// The eight bytes of `b` at `i`, as one load.
fn word(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"))
}

fn mix(h: u64, v: u64) -> u64 {
    (h.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// A fast hash of a short text: two independent lanes of eight bytes,
/// so the multiplications do not wait on each other; the last words are read
/// overlapping the previous ones (equal texts still hash alike, and keys are
/// compared in full anyway).
fn hash_text(b: &[u8]) -> u64 {
    let word = |i: usize| word(b, i);
    let half = |i: usize| {
        u64::from(u32::from_le_bytes(
            b[i..i + 4].try_into().expect("four bytes"),
        ))
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_compared_at_every_length() {
        for n in 0..40 {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same_text(&a, &a.clone()));
            for at in 0..n {
                let mut b = a.clone();
                b[at] ^= 1;
                assert!(!same_text(&a, &b), "{n} {at}");
            }
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
}
