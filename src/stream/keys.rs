//! The table of the keys a worker has met: a row's key fields (the runs
//! of consecutive key columns, as the line writes them) are packed into
//! fixed words ([`Layout`], [`Packed`]) and looked up in an open-addressing
//! table, so a key is checked once per worker, by the general row check,
//! the first time it is met. Fields too long for their words are hashed
//! and compared in place in a second table; rows the general path reads
//! are keyed by their checked key.

use super::words::{MASKS, word};
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
        mantissa <= self.limit(scale)
    }

    /// The largest mantissa of `scale` the fast path takes for this key.
    pub(super) fn limit(&mut self, scale: u32) -> i128 {
        match self.limits.iter().find(|(s, _)| *s == scale) {
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
        }
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
    /// Ids of the keys met in raw text, packed ([`Layout`]).
    pub(super) packed: PackedTable,
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

    /// Adds the key of a row's fields packed, as the general check found it.
    pub(super) fn add_packed(
        &mut self,
        hash: u64,
        key: Packed,
        checked: std::result::Result<ActivityKey, Rejection>,
    ) -> u32 {
        let id = self.push(hash, Vec::new(), checked);
        self.packed.insert(hash, key, id);
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

/// Bytes a block's buffer holds beyond its last row, so that a key's words
/// can be read eight bytes at a time up to [`WORDS`] words past any field
/// start without a bounds case (the bytes beyond a field are masked off).
pub(super) const PAD: usize = 8 * WORDS + 8;

/// Words of a packed key.
const WORDS: usize = 8;

/// A row's key fields packed into fixed words: each run of key columns in
/// its own slots of eight bytes (bytes beyond the run zero), with the
/// runs' lengths, so that two rows have the same key exactly when their
/// packed words are equal. Hashing and comparing then take the same
/// instructions for every row, whatever the length of its fields (the
/// variable-length loops mispredicted a branch or two per row).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) struct Packed {
    words: [u64; WORDS],
    /// The length of each run, a byte each.
    lens: u64,
}

/// Where each run of key columns goes in a [`Packed`] key: its first slot
/// and its number of slots; chosen once per file from the runs' numbers of
/// columns. A run longer than its slots is keyed by the general table.
#[derive(Clone, Debug)]
pub(super) struct Layout {
    slots: Vec<(usize, usize)>,
}

impl Layout {
    /// One slot per run at least, the rest shared in proportion to the
    /// runs' numbers of columns (the leftover to the widest run); `None`
    /// when there are more runs than words.
    pub(super) fn new(runs: &[Run]) -> Option<Layout> {
        if runs.is_empty() || runs.len() > WORDS {
            return None;
        }
        let columns: Vec<usize> = runs.iter().map(|(a, b)| b - a + 1).collect();
        let total: usize = columns.iter().sum();
        let spare = WORDS - runs.len();
        let mut counts: Vec<usize> = columns.iter().map(|c| 1 + spare * c / total).collect();
        let used: usize = counts.iter().sum();
        let widest = (0..runs.len()).max_by_key(|&i| (columns[i], usize::MAX - i))?;
        counts[widest] += WORDS - used;
        let mut first = 0;
        let slots = counts
            .into_iter()
            .map(|n| {
                let s = (first, n);
                first += n;
                s
            })
            .collect();
        Some(Layout { slots })
    }

    /// Packs a row's key runs (`bounds` gives each run's start and end in
    /// `padded`, which holds [`PAD`] bytes beyond the last row), with its
    /// hash ([`Packed::hash`], computed as the words are read); `None` when
    /// a run is longer than its slots.
    #[inline(always)]
    pub(super) fn pack(
        &self,
        padded: &[u8],
        runs: &[Run],
        bounds: impl Fn(&Run) -> (usize, usize),
    ) -> Option<(Packed, u64)> {
        let mut p = Packed {
            words: [0; WORDS],
            lens: 0,
        };
        let mut lanes = LANES;
        for (i, (run, &(first, n))) in runs.iter().zip(&self.slots).enumerate() {
            let (a, b) = bounds(run);
            let len = b - a;
            if len > 8 * n {
                return None;
            }
            p.lens |= (len as u64) << (8 * i);
            for s in 0..n {
                let keep = len.saturating_sub(8 * s).min(8);
                let w = word(padded, a + 8 * s) & MASKS[keep];
                p.words[first + s] = w;
                let lane = &mut lanes[(first + s) % 2];
                *lane = mix(*lane, w);
            }
        }
        Some((p, finish(lanes, p.lens)))
    }
}

/// The two lanes' starting values of a packed key's hash.
const LANES: [u64; 2] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344];

/// A packed key's hash from its two lanes and its runs' lengths.
#[inline(always)]
fn finish(lanes: [u64; 2], lens: u64) -> u64 {
    let h = mix(lanes[0] ^ lanes[1].rotate_left(32), lens);
    h ^ (h >> 29)
}

impl Packed {
    /// The hash of a packed key: its words mixed alternately into two
    /// lanes, so the multiplications do not wait on each other.
    #[cfg(test)]
    fn hash(&self) -> u64 {
        let mut lanes = LANES;
        for (k, w) in self.words.iter().enumerate() {
            lanes[k % 2] = mix(lanes[k % 2], *w);
        }
        finish(lanes, self.lens)
    }

    /// Equal words, compared without a branch per word.
    #[inline]
    fn same(&self, other: &Packed) -> bool {
        let mut diff = self.lens ^ other.lens;
        for (a, b) in self.words.iter().zip(&other.words) {
            diff |= a ^ b;
        }
        diff == 0
    }
}

/// The keys met packed, by open addressing with linear probing: each place
/// holds a hash and an id ([`u32::MAX`] for an empty place); the packed
/// keys are kept apart, by id, so that the places (16 bytes each) and the
/// keys of a few hundred keys stay in the first-level cache.
pub(super) struct PackedTable {
    places: Vec<(u64, u32)>,
    /// The packed key of each id (ids of keys not packed hold zeros).
    keys: Vec<Packed>,
    len: usize,
}

impl Default for PackedTable {
    fn default() -> PackedTable {
        PackedTable {
            places: vec![(0, u32::MAX); 256],
            keys: Vec::new(),
            len: 0,
        }
    }
}

impl PackedTable {
    /// The id of a packed key, if met before.
    #[inline]
    pub(super) fn find(&self, hash: u64, key: &Packed) -> Option<u32> {
        let mask = self.places.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let (h, id) = self.places[i];
            if id == u32::MAX {
                return None;
            }
            if h == hash && self.keys[id as usize].same(key) {
                return Some(id);
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds a key not met before, with its id.
    pub(super) fn insert(&mut self, hash: u64, key: Packed, id: u32) {
        let empty = Packed {
            words: [0; WORDS],
            lens: 0,
        };
        if self.keys.len() <= id as usize {
            self.keys.resize(id as usize + 1, empty);
        }
        self.keys[id as usize] = key;
        if 2 * (self.len + 1) > self.places.len() {
            let bigger = vec![(0, u32::MAX); 2 * self.places.len()];
            let old = std::mem::replace(&mut self.places, bigger);
            for (h, i) in old.into_iter().filter(|(_, i)| *i != u32::MAX) {
                self.place(h, i);
            }
        }
        self.place(hash, id);
        self.len += 1;
    }

    fn place(&mut self, hash: u64, id: u32) {
        let mask = self.places.len() - 1;
        let mut i = hash as usize & mask;
        while self.places[i].1 != u32::MAX {
            i = (i + 1) & mask;
        }
        self.places[i] = (hash, id);
    }
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

    #[test]
    fn slots_are_shared_by_the_runs_columns() {
        let slots = |runs: &[Run]| Layout::new(runs).map(|l| l.slots);
        // year..technology and unit: 6 and 2 words.
        assert_eq!(slots(&[(0, 3), (5, 5)]), Some(vec![(0, 6), (6, 2)]));
        assert_eq!(slots(&[(0, 5)]), Some(vec![(0, 8)]));
        assert_eq!(
            slots(&[(0, 0), (2, 2), (4, 4)]),
            Some(vec![(0, 4), (4, 2), (6, 2)])
        );
        let many: Vec<Run> = (0..9).map(|c| (2 * c, 2 * c)).collect();
        assert_eq!(slots(&many), None);
        assert_eq!(slots(&[]), None);
    }

    /// Packs the runs of `line` (fields split at commas) from a buffer
    /// whose bytes after the line are `after`.
    fn pack_line(layout: &Layout, runs: &[Run], line: &[u8], after: u8) -> Option<(Packed, u64)> {
        let mut padded = line.to_vec();
        padded.extend(std::iter::repeat_n(after, PAD));
        let commas: Vec<usize> = (0..line.len()).filter(|&i| line[i] == b',').collect();
        let bounds = |&(first, last): &Run| {
            let a = if first == 0 {
                0
            } else {
                commas.get(first - 1).map_or(line.len(), |c| c + 1)
            };
            let b = commas.get(last).copied().unwrap_or(line.len());
            (a, b.max(a))
        };
        layout.pack(&padded, runs, bounds)
    }

    #[test]
    fn packed_keys_are_equal_exactly_when_their_fields_are() {
        let runs = [(0, 3), (5, 5)];
        let layout = Layout::new(&runs).unwrap();
        let lines: [&[u8]; 8] = [
            b"2022,1A4bi,Hard Coal and Brown Coal,,269.499,TJ,F1",
            b"2022,1A4bi,Hard Coal and Brown Coal,,1,TJ,F2",
            b"2022,1A4bi,Hard Coal and Brown Coa,,269.499,TJ,F1",
            b"2022,1A4bi,Hard Coal and Brown Coal,x,269.499,TJ,F1",
            b"2022,1A4bi,Hard Coal and Brown Coal,,269.499,GJ,F1",
            b"2022,1A4bi,Hard Coal and Brown Coal,,269.499,T,F1",
            b"2023,1A4bi,Hard Coal and Brown Coal,,269.499,TJ,F1",
            b"2022,1A4bi,Hard Coal and Brown Coal,,269.499,TJ",
        ];
        let mut table = PackedTable::default();
        let mut ids = Vec::new();
        for (n, line) in lines.iter().enumerate() {
            let (p, hash) = pack_line(&layout, &runs, line, b'x').unwrap();
            // The hash as the words are read is the packed key's.
            assert_eq!(hash, p.hash());
            // The bytes beyond the line do not count.
            let (q, other) = pack_line(&layout, &runs, line, 0xff).unwrap();
            assert!(p.same(&q) && hash == other);
            let id = table.find(hash, &p).unwrap_or_else(|| {
                table.insert(hash, p, n as u32);
                n as u32
            });
            ids.push(id);
        }
        // Lines 0, 1 and 7 have the same key fields; the others differ in one.
        assert_eq!(ids, [0, 0, 2, 3, 4, 5, 6, 0]);
        // A run longer than its slots is not packed.
        let long = b"2022,1A4bi,Hard Coal and Brown Coal and more and more,,1,TJ";
        assert!(pack_line(&layout, &runs, long, b'x').is_none());
    }

    #[test]
    fn the_packed_table_grows_and_finds_every_key() {
        let mut table = PackedTable::default();
        let key = |n: u64| Packed {
            words: [n, n * 3, 0, 0, 0, 0, 0, n % 7],
            lens: 0x0203,
        };
        // Hashes chosen to collide, so probing is exercised.
        for n in 0..1000u64 {
            table.insert(n % 37, key(n), n as u32);
        }
        for n in 0..1000u64 {
            assert_eq!(table.find(n % 37, &key(n)), Some(n as u32));
        }
        assert_eq!(table.find(5, &key(2000)), None);
    }
}
