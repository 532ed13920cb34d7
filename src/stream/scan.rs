//! Scanning bytes: where a block may be cut (after a line end outside
//! quotes), what only the general reader reads (quotes, NUL bytes, lone CR
//! line ends, fields beyond the bound), and the comma scanner of the fast
//! path, which finds a plain block's commas and line ends 64 bytes at a
//! time and hands on each row with the positions of its commas.

use super::words::{splat, word, zero_bytes};

/// True for a block holding what only the general reader reads: a quote,
/// a NUL byte (a binary file), or a CR that does not end a CRLF line end
/// (old Mac line ends, or one line end of that kind among others). The
/// whole file is then read by the general reader, so that both readings
/// give the same rows, counts and rejections.
pub(super) fn not_for_the_fast_path(block: &[u8]) -> bool {
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

/// True for a block of plain ASCII text without quotes, NUL bytes or CRs:
/// a block the fast path reads as it is, with no further check (it is valid
/// UTF-8, has no quoted field and no lone CR). One pass that the compiler
/// turns into vector instructions; anything else is checked by
/// [`not_for_the_fast_path`] and the UTF-8 check.
pub(super) fn plain_ascii(block: &[u8]) -> bool {
    block.chunks(4096).all(|chunk| {
        let mut seen = 0u8;
        for &b in chunk {
            seen |= u8::from(b == b'"') | u8::from(b == 0) | u8::from(b == b'\r') | (b >> 7);
        }
        seen == 0
    })
}

/// The position just after the last line end that is outside quotes, or
/// `None` when the text has none. The text starts at the start of a row.
pub(super) fn cut_point(text: &[u8]) -> Option<usize> {
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

pub(super) fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Splits one line into cells with the CSV rules (quotes, doubled quotes).
pub(super) fn split_quoted(line: &[u8]) -> Vec<String> {
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

/// Key columns as runs of consecutive columns: `[0, 1, 2, 3, 5]` is
/// `[(0, 3), (5, 5)]`. A run of a plain line is unambiguous (no field of a
/// line without quotes holds a comma).
pub(super) fn key_runs(columns: &[usize]) -> Vec<(usize, usize)> {
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

const COMMAS: u64 = splat(b',');
const NEWLINES: u64 = splat(b'\n');

/// Bit `j` set for each byte `j` of the 64 that is a comma or a line end:
/// eight bytes at a time, portable (the high bits of the zero-byte test
/// gathered by one multiplication). The last bytes of a block, and
/// processors other than x86-64, use it.
fn separators_portable(chunk: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for k in 0..8 {
        let w = word(chunk, 8 * k);
        let hits = (zero_bytes(w ^ COMMAS) | zero_bytes(w ^ NEWLINES)) >> 7;
        let bits = hits.wrapping_mul(0x0102_0408_1020_4080) >> 56;
        mask |= bits << (8 * k);
    }
    mask
}

/// [`separators_portable`] with SSE2 (part of every x86-64 processor): 16
/// bytes compared at once.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn separators_sse2(chunk: &[u8; 64]) -> u64 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let commas = _mm_set1_epi8(b',' as i8);
    let newlines = _mm_set1_epi8(b'\n' as i8);
    let mut mask = 0u64;
    for (k, sixteen) in chunk.chunks_exact(16).enumerate() {
        let (lo, hi) = (word(sixteen, 0), word(sixteen, 8));
        let v = _mm_set_epi64x(hi as i64, lo as i64);
        let hits = _mm_or_si128(_mm_cmpeq_epi8(v, commas), _mm_cmpeq_epi8(v, newlines));
        mask |= u64::from(_mm_movemask_epi8(hits) as u16) << (16 * k);
    }
    mask
}

/// The separators (commas and line ends) of 64 bytes as a bit mask.
#[inline]
fn separators(chunk: &[u8; 64]) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86-64 baseline: every processor
        // this code runs on has it.
        unsafe { separators_sse2(chunk) }
    }
    #[cfg(not(target_arch = "x86_64"))]
    separators_portable(chunk)
}

/// Bytes whose separators are listed before they are walked: small enough
/// that the list (4 bytes a separator) stays in the first-level cache.
const WINDOW: usize = 4096;

/// Appends the positions (`base` + bit) of the set bits of `mask` to
/// `list` from `n`; the new length. Positions are written eight at a time
/// whatever the count (the slots past the count are overwritten later): a
/// branch per eight separators, not one per separator.
#[inline]
fn flatten(list: &mut [u32; WINDOW + 64], n: usize, base: u32, mut mask: u64) -> usize {
    let count = mask.count_ones() as usize;
    let mut k = n;
    loop {
        for q in 0..8 {
            list[k + q] = base.wrapping_add(mask.trailing_zeros());
            mask &= mask.wrapping_sub(1);
        }
        k += 8;
        if mask == 0 {
            return n + count;
        }
    }
}

/// Most commas a row may have on the fast path.
pub(super) const MAX_FIELDS: usize = 64;

/// One row of a plain block, as the scanner hands it on.
pub(super) struct Row<'c> {
    /// `block[start..end]`, without its line end (a CR before it is kept).
    pub(super) start: usize,
    pub(super) end: usize,
    /// The positions of its first [`MAX_FIELDS`] commas.
    pub(super) commas: &'c [usize],
    /// It has more than [`MAX_FIELDS`] commas.
    pub(super) too_many: bool,
    /// Its line within the block, from 1.
    pub(super) line: u64,
}

/// Calls `each` with every row of a block without quotes, in order (the
/// last one even without a line end); the number of line ends.
///
/// The block is taken a window of [`WINDOW`] bytes at a time: the
/// separators of each 64 bytes found at once ([`separators`]) and listed
/// ([`flatten`]), then the list walked, a row handed on at each line end.
pub(super) fn plain_rows(block: &[u8], mut each: impl FnMut(Row)) -> u64 {
    let mut commas = [0usize; MAX_FIELDS];
    let mut n = 0usize;
    let mut too_many = false;
    let mut start = 0usize;
    let mut line = 0u64;
    let mut at_separator = |p: usize| {
        if block[p] == b',' {
            if n < MAX_FIELDS {
                commas[n] = p;
                n += 1;
            } else {
                too_many = true;
            }
            return;
        }
        line += 1;
        each(Row {
            start,
            end: p,
            commas: &commas[..n],
            too_many,
            line,
        });
        start = p + 1;
        n = 0;
        too_many = false;
    };
    // Positions are listed as u32 offsets of their window.
    let mut list = [0u32; WINDOW + 64];
    let whole = block.len() - block.len() % 64;
    for window in (0..whole).step_by(WINDOW) {
        let to = (window + WINDOW).min(whole);
        let mut k = 0;
        for (c, chunk) in block[window..to].chunks_exact(64).enumerate() {
            let chunk: &[u8; 64] = chunk.try_into().expect("64 bytes");
            k = flatten(&mut list, k, (c * 64) as u32, separators(chunk));
        }
        for &p in &list[..k] {
            at_separator(window + p as usize);
        }
    }
    // The last bytes, as a chunk padded with zeros.
    let mut last = [0u8; 64];
    last[..block.len() - whole].copy_from_slice(&block[whole..]);
    let k = flatten(&mut list, 0, 0, separators_portable(&last));
    for &p in &list[..k] {
        at_separator(whole + p as usize);
    }
    let line_ends = line;
    if start < block.len() {
        each(Row {
            start,
            end: block.len(),
            commas: &commas[..n],
            too_many,
            line: line + 1,
        });
    }
    line_ends
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn separator_masks_agree_with_a_byte_by_byte_scan() {
        // Every byte value at every position of a chunk, among commas and
        // line ends.
        for at in 0..64 {
            for v in 0..=255u8 {
                let mut chunk = [b'a'; 64];
                for (i, b) in chunk.iter_mut().enumerate() {
                    *b = [b',', b'x', b'\n', 0x2d, 0x0b, 0xac][(i * 7 + at) % 6];
                }
                chunk[at] = v;
                let expected = chunk
                    .iter()
                    .enumerate()
                    .filter(|(_, b)| **b == b',' || **b == b'\n')
                    .fold(0u64, |m, (i, _)| m | 1 << i);
                assert_eq!(separators_portable(&chunk), expected, "{at} {v:#x}");
                assert_eq!(separators(&chunk), expected, "{at} {v:#x}");
            }
        }
    }

    #[test]
    fn a_full_chunk_of_separators_is_listed_whole() {
        let mut list = [0u32; WINDOW + 64];
        let n = flatten(&mut list, 3, 64, u64::MAX);
        assert_eq!(n, 67);
        assert_eq!(&list[3..67], &(64..128).collect::<Vec<u32>>()[..]);
        let n = flatten(&mut list, n, 128, 0b1010);
        assert_eq!((n, &list[67..69]), (69, &[129, 131][..]));
    }

    /// A byte the fast path does not take as it is: a quote, a NUL, a CR,
    /// or one of a character beyond ASCII.
    fn odd_byte(b: u8) -> bool {
        b == b'"' || b == 0 || b == b'\r' || b >= 0x80
    }

    #[test]
    fn plain_ascii_blocks_are_told_from_those_needing_checks() {
        let mut block = b"2021,1A1a,Hard Coal,,12.5,TJ\n".repeat(300);
        assert!(plain_ascii(&block));
        for odd in [b'"', 0, b'\r', 0xC3] {
            let at = block.len() - 5;
            let mut b = block.clone();
            b[at] = odd;
            assert!(!plain_ascii(&b), "{odd:#x}");
        }
        // Every byte value at places in whole chunks, across chunk and
        // 4 KB boundaries, and in the last bytes.
        let base = b"2021,1A1a,Hard Coal,,12.5,TJ\n".repeat(300);
        for at in [
            0,
            1,
            63,
            64,
            100,
            4095,
            4096,
            8191,
            base.len() - 40,
            base.len() - 1,
        ] {
            for v in 0..=255u8 {
                let mut b = base.clone();
                b[at] = v;
                assert_eq!(
                    plain_ascii(&b),
                    !b.iter().any(|&x| odd_byte(x)),
                    "{at} {v:#x}"
                );
            }
        }
        block.clear();
        assert!(plain_ascii(&block));
    }

    #[test]
    fn blocks_are_cut_after_line_ends_outside_quotes() {
        assert_eq!(cut_point(b"a,b\nc,d\ne"), Some(8));
        // The line end inside "x\ny" is not a row end; the one inside "z\n... is not either.
        assert_eq!(cut_point(b"a,\"x\ny\"\nb,\"z\n"), Some(8));
        assert_eq!(cut_point(b"a,b"), None);
    }

    #[test]
    fn the_scanner_hands_on_each_row_with_its_commas() {
        // Longer than a word of eight bytes, with an empty line and a last
        // row without a line end.
        let block = b"2021,1A1a,x\n\n2022,1A1b\nlast";
        let mut rows = Vec::new();
        let ends = plain_rows(block, |r| {
            rows.push((
                std::str::from_utf8(&block[r.start..r.end])
                    .unwrap()
                    .to_string(),
                r.commas.to_vec(),
                r.line,
                r.too_many,
            ))
        });
        assert_eq!(ends, 3);
        assert_eq!(
            rows,
            [
                ("2021,1A1a,x".to_string(), vec![4, 9], 1, false),
                (String::new(), vec![], 2, false),
                ("2022,1A1b".to_string(), vec![17], 3, false),
                ("last".to_string(), vec![], 4, false),
            ]
        );
        // More commas than the fast path keeps.
        let wide = ",".repeat(MAX_FIELDS + 1);
        let mut too_many = false;
        plain_rows(wide.as_bytes(), |r| too_many = r.too_many);
        assert!(too_many);
    }
}
