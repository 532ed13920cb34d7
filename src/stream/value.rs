//! The numbers of the fast path: a plain decimal's text read into an
//! integer mantissa and a scale (summed per key as 128-bit integers), and
//! such a sum turned back into an exact decimal when blocks are merged.

use rust_decimal::Decimal;

/// A plain non-negative decimal (`123`, `4644.097`) as mantissa and scale;
/// `None` for anything else (signs, exponents, spaces, more than 27 digits),
/// which the general check reads.
pub(super) fn fast_value(text: &[u8]) -> Option<(i128, u32)> {
    if text.is_empty() || text.len() > 28 {
        return None;
    }
    if text.len() <= 19 {
        return short_value(text);
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

/// [`fast_value`] of a text of at most 19 bytes, whose digits fit a `u64`.
fn short_value(text: &[u8]) -> Option<(i128, u32)> {
    let mut mantissa: u64 = 0;
    let mut point: Option<usize> = None;
    for (i, &b) in text.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if b == b'.' && point.is_none() {
            point = Some(i);
        } else {
            return None;
        }
    }
    let scale = point.map_or(0, |p| text.len() - p - 1);
    if point.is_some() && text.len() == 1 {
        return None;
    }
    Some((i128::from(mantissa), scale as u32))
}

/// `mantissa` × 10^-`scale` as a decimal, dropping trailing zeros of the
/// mantissa when it is too wide for one (1 000 × `1.000…0` with 26 zeros
/// is 1000 exactly, as the general reader sums it); `None` when it cannot
/// be held exactly.
pub(super) fn exact_decimal(mut mantissa: i128, mut scale: u32) -> Option<Decimal> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_decimals_are_read_fast_and_the_rest_is_left_to_the_general_check() {
        assert_eq!(fast_value(b"4644.097"), Some((4644097, 3)));
        assert_eq!(fast_value(b"12"), Some((12, 0)));
        assert_eq!(fast_value(b"0.50"), Some((50, 2)));
        assert_eq!(fast_value(b".5"), Some((5, 1)));
        assert_eq!(fast_value(b"5."), Some((5, 0)));
        assert_eq!(
            fast_value(b"1234567890123456.789"),
            Some((1234567890123456789, 3))
        );
        assert_eq!(
            fast_value(b"9999999999999999999"),
            Some((9999999999999999999, 0))
        );
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
}
