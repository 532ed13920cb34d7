//! Eight bytes at a time: a word read from a byte slice, the masks that
//! keep its first bytes, and the zero-byte test the scanners build on.

/// The eight bytes of `b` at `i`, as one load (little-endian).
#[inline]
pub(super) fn word(b: &[u8], i: usize) -> u64 {
    u64::from_le_bytes(b[i..i + 8].try_into().expect("eight bytes"))
}

/// The low `n` bytes of a word kept, for `n` in 0..=8.
pub(super) const MASKS: [u64; 9] = [
    0,
    0xff,
    0xffff,
    0xff_ffff,
    0xffff_ffff,
    0xff_ffff_ffff,
    0xffff_ffff_ffff,
    0xff_ffff_ffff_ffff,
    u64::MAX,
];

/// Each byte of a word set to `b`.
pub(super) const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// The high bit of each byte of `x` that is zero (exact, no false hits).
#[inline]
pub(super) fn zero_bytes(x: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7)
}
