//! Exact numbers: decimals read from text, and the one audited conversion
//! from an Excel number.
//!
//! Nothing on the calculation path goes through `f64`. Text is parsed
//! straight into [`Decimal`] (28 significant digits); a number cell of a
//! workbook, which Excel stores as an IEEE double, is turned into the shortest
//! decimal text that reads back as the same double (what Excel shows with
//! full precision) and parsed from that text, by [`from_excel`].

use rust_decimal::Decimal;
use std::str::FromStr;

/// Why a text is not a number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NumberError {
    Empty,
    NotANumber(String),
    NotFinite(String),
    OutOfRange(String),
}

impl std::fmt::Display for NumberError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NumberError::Empty => write!(f, "the cell is empty where a number is required"),
            NumberError::NotANumber(t) => write!(f, "'{t}' is not a number"),
            NumberError::NotFinite(t) => {
                write!(
                    f,
                    "'{t}' is not a finite number (NaN and infinity cannot be reported)"
                )
            }
            NumberError::OutOfRange(t) => write!(
                f,
                "'{t}' is beyond the range of exact decimals (magnitude below 7.9e28)"
            ),
        }
    }
}

impl std::error::Error for NumberError {}

/// A number read from text or from a workbook's double: its value, and
/// whether it had to be rounded because it has digits beyond the 28th
/// decimal place (`1.80952540538742e-15`, `1e-30`), which no exact decimal
/// holds. A reader that keeps such a value says so where the value is
/// (`rounded` in a cell's note): never a silent loss, and never a value
/// dropped because it is tiny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Read {
    pub value: Decimal,
    pub rounded: bool,
}

/// Parses a decimal number written with a dot as decimal separator,
/// optionally with an exponent (`1.5`, `-0.25`, `8E-05`, `1.2e3`); a value
/// with digits beyond the 28th decimal place is rounded (see [`read_decimal`]).
///
/// Thousands separators and decimal commas are not accepted here: a reader
/// that knows its file uses them converts the text first.
pub fn parse_decimal(text: &str) -> Result<Decimal, NumberError> {
    read_decimal(text).map(|r| r.value)
}

/// [`parse_decimal`], saying whether the value was rounded: a number with
/// digits beyond the 28th decimal place is rounded, half away from zero, to
/// 28 decimal places (to as many as the 28-29 digits of a decimal hold, for
/// a number above 7.9 with that many digits); `1e-29` reads as 0, rounded.
/// Only numbers whose whole part is beyond the range of decimals (7.9e28:
/// `1e40`, `1e308`) are refused.
pub fn read_decimal(text: &str) -> Result<Read, NumberError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(NumberError::Empty);
    }
    let lower = t.to_ascii_lowercase();
    let unsigned = lower.trim_start_matches(['+', '-']);
    if matches!(
        unsigned,
        "nan" | "inf" | "infinity" | "#num!" | "#div/0!" | "#value!"
    ) {
        return Err(NumberError::NotFinite(t.to_string()));
    }
    if !is_number_syntax(t) {
        return Err(NumberError::NotANumber(t.to_string()));
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    // A plain decimal that fits is read as it is; an exponent, or more
    // digits than a decimal holds, from its digits.
    let plain = if t.contains(['e', 'E']) {
        None
    } else {
        Decimal::from_str_exact(t).ok()
    };
    match plain {
        Some(d) => Ok(Read {
            value: clean(d),
            rounded: false,
        }),
        None => match reduce_fraction_digits(t) {
            Some((d, rounded)) => Ok(Read {
                value: clean(d),
                rounded,
            }),
            None => Err(NumberError::OutOfRange(text.trim().to_string())),
        },
    }
}

/// `digits[.digits][e[+-]digits]` with an optional sign: nothing else.
fn is_number_syntax(t: &str) -> bool {
    let b = t.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let mut digits = i - int_start;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        let frac_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        digits += i - frac_start;
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let exp_start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == exp_start || i - exp_start > 4 {
            return false;
        }
    }
    i == b.len()
}

/// A decimal with more digits than 28 significant digits can hold:
/// trailing zeros are dropped; digits left beyond the 28th decimal place
/// are rounded off (true: rounded); `None` when the whole part is beyond
/// the range of decimals.
fn reduce_fraction_digits(t: &str) -> Option<(Decimal, bool)> {
    if t.contains(['e', 'E']) {
        let (mantissa, exp) = t.split_once(['e', 'E'])?;
        let exp: i64 = exp.parse().ok()?;
        let (neg, digits, point) = split_digits(mantissa)?;
        return from_digits(neg, &digits, point as i64 + exp);
    }
    let (neg, digits, point) = split_digits(t)?;
    from_digits(neg, &digits, point as i64)
}

/// Splits `-12.340` into (negative, "12340", 2): digits and the position of
/// the decimal point counted from the left.
fn split_digits(t: &str) -> Option<(bool, String, usize)> {
    let neg = t.starts_with('-');
    let body = t.trim_start_matches(['+', '-']);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    Some((neg, format!("{int}{frac}"), int.len()))
}

/// Builds a decimal from its digit string and the decimal point position
/// (possibly negative or beyond the digits): zeros are dropped, and digits
/// beyond what a decimal holds after the point are rounded half away from
/// zero (the flag says so). `None` when the whole part does not fit.
fn from_digits(neg: bool, digits: &str, point: i64) -> Option<(Decimal, bool)> {
    let trimmed_left = digits.trim_start_matches('0');
    let point = point - (digits.len() - trimmed_left.len()) as i64;
    let significant = trimmed_left.trim_end_matches('0');
    if significant.is_empty() {
        return Some((Decimal::ZERO, false));
    }
    // value = 0.significant × 10^point; its scale is the digits after the point.
    let scale = significant.len() as i64 - point;
    if scale < 0 {
        if significant.len() > 29 {
            return None;
        }
        let factor = 10i128.checked_pow(u32::try_from(-scale).ok()?)?;
        let m = significant.parse::<i128>().ok()?.checked_mul(factor)?;
        let m = if neg { -m } else { m };
        return Decimal::try_from_i128_with_scale(m, 0)
            .ok()
            .map(|d| (d, false));
    }
    // Keep at most 28 places, and no more digits than an i128 parses
    // safely; then fewer places until the mantissa fits a decimal.
    let mut places = scale.min(28);
    loop {
        let keep = significant.len() as i64 - (scale - places);
        let (value, rounded) = round_digits(significant, keep)?;
        let m = if neg { -value } else { value };
        if let Ok(d) = Decimal::try_from_i128_with_scale(m, places as u32) {
            return Some((d, rounded || places < scale));
        }
        if places == 0 {
            return None;
        }
        places -= 1;
    }
}

/// The first `keep` digits of `digits` as an integer, rounded half away
/// from zero on the digit after them (0 when `keep` ≤ 0 and the first
/// digit is below 5); whether any non-zero digit was dropped. `None` when
/// the kept digits do not fit an i128.
fn round_digits(digits: &str, keep: i64) -> Option<(i128, bool)> {
    let b = digits.as_bytes();
    if keep < 0 {
        return Some((0, true));
    }
    let keep = keep as usize;
    if keep > 38 {
        return None;
    }
    let head = &digits[..keep.min(b.len())];
    let mut value: i128 = if head.is_empty() {
        0
    } else {
        head.parse().ok()?
    };
    let dropped = &b[keep.min(b.len())..];
    if dropped.first().is_some_and(|d| *d >= b'5') {
        value += 1;
    }
    Some((value, dropped.iter().any(|d| *d != b'0')))
}

/// Drops trailing zeros and the sign of zero, so equal numbers print alike.
fn clean(d: Decimal) -> Decimal {
    if d.is_zero() {
        Decimal::ZERO
    } else {
        d.normalize()
    }
}

/// The audited conversion of an Excel number cell to a decimal.
///
/// Excel keeps numbers as IEEE doubles and writes them to the file as the
/// shortest text that reads back as the same double; Rust's `{:e}` format
/// prints exactly that shortest round-trip text, which is parsed as a
/// decimal. So `0.30310896000000004` in a cell stays `0.30310896000000004`,
/// and `60.527` stays `60.527` (not `60.52699999999999960209606797434389591217041015625`).
/// A number with digits beyond the 28th decimal place (`1.80952540538742e-15`)
/// is rounded to 28 decimal places ([`read_excel`] says so); only numbers
/// beyond the range of decimals (`1e308`) are an error.
pub fn from_excel(value: f64) -> Result<Decimal, NumberError> {
    read_excel(value).map(|r| r.value)
}

/// [`from_excel`], saying whether the value was rounded.
pub fn read_excel(value: f64) -> Result<Read, NumberError> {
    if !value.is_finite() {
        return Err(NumberError::NotFinite(value.to_string()));
    }
    if value == 0.0 {
        return Ok(Read {
            value: Decimal::ZERO,
            rounded: false,
        });
    }
    let text = format!("{value:e}");
    read_decimal(&text).map_err(|_| NumberError::OutOfRange(text))
}

/// The double that Excel will store for a decimal: the double nearest to it
/// (correctly rounded from the decimal text). Used only to write workbooks.
pub fn to_excel(value: Decimal) -> f64 {
    f64::from_str(&value.to_string()).unwrap_or(f64::NAN)
}

/// The decimal as exact text, without trailing zeros or exponent
/// (`0.89`, `1234567890.123456789`, `0`).
pub fn format_decimal(value: Decimal) -> String {
    clean(value).to_string()
}

/// A year of the inventory: a whole number from 1980 to 2100.
pub fn parse_year(text: &str) -> std::result::Result<i32, String> {
    let t = text.trim();
    let d = parse_decimal(t).map_err(|_| format!("'{t}' is not a year"))?;
    if !d.fract().is_zero() {
        return Err(format!("'{t}' is not a year"));
    }
    let y = i32::try_from(d.trunc().mantissa() / 10i128.pow(d.scale()))
        .map_err(|_| format!("'{t}' is not a year"))?;
    if !(1980..=2100).contains(&y) {
        return Err(format!(
            "{y} is outside the years an inventory covers (1980-2100)"
        ));
    }
    Ok(y)
}

/// [`parse_decimal`], also accepting thousands grouped by spaces,
/// non-breaking or narrow non-breaking spaces (`12 500`, `1\u{a0}234.5`), as
/// Excel in Russian or French writes them in text cells: groups of three
/// digits after the first one to three, one kind of space per number.
pub fn parse_grouped(text: &str) -> Result<Decimal, NumberError> {
    let first = parse_decimal(text);
    let t = text.trim();
    let Some(sep) = t.chars().find(|c| matches!(c, ' ' | '\u{a0}' | '\u{202f}')) else {
        return first;
    };
    if first.is_ok() {
        return first;
    }
    let (sign, body) = match t.strip_prefix(['-', '+']) {
        Some(rest) => (&t[..1], rest),
        None => ("", t),
    };
    let (int, rest) = match body.find(['.', 'e', 'E']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    let groups: Vec<&str> = int.split(sep).collect();
    let grouped = groups.len() > 1
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3)
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    if !grouped {
        return first;
    }
    parse_decimal(&format!("{sign}{}{rest}", groups.concat()))
}

/// For serde (`#[serde(serialize_with = "exact")]`): a decimal as its
/// exact text without trailing zeros (`"0.89"`), as every JSON airinv writes
/// has its numbers.
pub fn exact<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_decimal(*d))
}

/// [`exact`] of an optional decimal: `null` when there is none.
pub fn exact_opt<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => exact(d, s),
        None => s.serialize_none(),
    }
}

/// The largest magnitude a value of a table may have (10^20, in the
/// reporting unit: kt, t, kg, g I-TEQ): beyond it an activity or a factor is
/// wrong (a unit slip), and sums of a table could leave the range of exact
/// decimals. The calculation refuses an emission this large; `airinv check`
/// reports a cell this large and leaves it out of the other checks.
/// 10^20 = 0x5_6BC7_5E2D_6310_0000.
pub const MAX_MAGNITUDE: Decimal = Decimal::from_parts(0x6310_0000, 0x6BC7_5E2D, 0x5, false, 0);

/// `2021` or `2022-2024` (or with an en dash): the first and the last year.
pub fn parse_year_range(text: &str) -> std::result::Result<(i32, i32), String> {
    let bad = |p: String| format!("'{text}' is not a year or a range of years: {p}");
    match text.trim().split_once(['-', '–']) {
        Some((a, b)) => {
            let a = parse_year(a).map_err(bad)?;
            let b = parse_year(b).map_err(bad)?;
            if a > b {
                return Err(bad("the first year is after the last".into()));
            }
            Ok((a, b))
        }
        None => {
            let y = parse_year(text).map_err(bad)?;
            Ok((y, y))
        }
    }
}

/// How numbers are written for people: the thousands separator (none on
/// the console) and the decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Separators {
    pub thousands: Option<char>,
    pub decimal: char,
}

impl Separators {
    /// `1193.5`: the console's way.
    pub const PLAIN: Separators = Separators {
        thousands: None,
        decimal: '.',
    };
    /// `1 805 442.3`: thousands grouped by spaces.
    pub const SPACES: Separators = Separators {
        thousands: Some(' '),
        decimal: '.',
    };
}

/// A value for reading: rounded to `digits` significant digits, half away
/// from zero, without trailing zeros (`569.70232…` → `569.7`, `0.0039054`
/// → `0.003905`, `99.995` → `100`). Digits before the decimal point are
/// never dropped (`123456.7` → `123457`): a rounded integer part would read
/// as a measured one. Every number airinv shows rounded goes through here;
/// files keep the exact value.
pub fn show(d: Decimal, digits: u32) -> String {
    show_in(d, digits, Separators::PLAIN)
}

/// [`show`], written with a language's separators (`1,193.5` in English,
/// `1 193,5` with a no-break space in Russian).
pub fn show_in(d: Decimal, digits: u32, separators: Separators) -> String {
    let places = if d.is_zero() {
        0
    } else {
        (i64::from(digits) - 1 - log10_floor(d)).clamp(0, 28) as u32
    };
    let rounded =
        d.round_dp_with_strategy(places, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    with_separators(&format_decimal(rounded), separators)
}

/// [`show`] for a double of the Monte Carlo: the shortest decimal that
/// reads back as the same double, rounded the same way.
pub fn show_f64(x: f64, digits: u32) -> String {
    match from_excel(x) {
        Ok(d) => show(d, digits),
        Err(_) => x.to_string(),
    }
}

/// `⌊log10 |d|⌋` of a non-zero decimal, exactly, from its digits.
fn log10_floor(d: Decimal) -> i64 {
    let digits = d.mantissa().unsigned_abs().checked_ilog10().unwrap_or(0) as i64 + 1;
    digits - 1 - i64::from(d.scale())
}

/// Inserts the separators into a plain decimal text (`-1234.5`).
pub fn with_separators(text: &str, separators: Separators) -> String {
    let (sign, rest) = match text.strip_prefix(['-', '+']) {
        Some(r) => (&text[..1], r),
        None => ("", text),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let mut out = String::from(sign);
    for (i, c) in int.chars().enumerate() {
        if let Some(sep) = separators.thousands
            && i > 0
            && (int.len() - i) % 3 == 0
        {
            out.push(sep);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(separators.decimal);
        out.push_str(frac);
    }
    out
}

/// A number with its thousands grouped by spaces: `1 805 442.3`.
pub fn grouped(d: Decimal) -> String {
    with_separators(&format_decimal(d), Separators::SPACES)
}

/// An amount for a report: rounded to 0.001 and grouped (the exact values
/// go in the files beside the report).
pub fn amount(d: Decimal) -> String {
    grouped(d.round_dp(3))
}

/// `part` as a percentage of `whole`, to one decimal (`-` when `whole` is zero).
pub fn percent(part: Decimal, whole: Decimal) -> String {
    if whole.is_zero() {
        return "-".into();
    }
    let p = (part / whole * Decimal::ONE_HUNDRED).round_dp(1);
    format!("{} %", format_decimal(p))
}

#[cfg(test)]
mod format_tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(grouped(d("1805442.3")), "1 805 442.3");
        assert_eq!(grouped(d("-38294.769032")), "-38 294.769032");
        assert_eq!(grouped(d("999")), "999");
        assert_eq!(grouped(d("1000")), "1 000");
        assert_eq!(grouped(d("0.5")), "0.5");
        assert_eq!(amount(d("1234.56789")), "1 234.568");
        assert_eq!(percent(d("987"), d("1000")), "98.7 %");
        assert_eq!(percent(d("1"), d("3")), "33.3 %");
        assert_eq!(percent(d("1"), Decimal::ZERO), "-");
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn thousands_grouped_by_spaces_as_excel_writes_them() {
        let d = |t: &str| Decimal::from_str_exact(t).unwrap();
        assert_eq!(parse_grouped("12 500"), Ok(d("12500")));
        assert_eq!(parse_grouped("1\u{a0}234.5"), Ok(d("1234.5")));
        assert_eq!(parse_grouped("-1\u{202f}000\u{202f}000"), Ok(d("-1000000")));
        assert_eq!(parse_grouped("2.5"), Ok(d("2.5")));
        // Not groups of three, or two kinds of space: not a number.
        assert!(parse_grouped("12 50").is_err());
        assert!(parse_grouped("1 234\u{a0}567").is_err());
        assert!(parse_grouped("12 500,5").is_err());
    }

    #[test]
    fn four_significant_digits_for_people() {
        let d = |t: &str| rust_decimal::Decimal::from_str_exact(t).unwrap();
        assert_eq!(show(d("569.70232745929357626983299121"), 4), "569.7");
        assert_eq!(show(d("1193.0077"), 4), "1193");
        assert_eq!(show(d("0.0039054"), 4), "0.003905");
        // The integer part is kept whole.
        assert_eq!(show(d("12345.6"), 4), "12346");
        assert_eq!(show(d("123456"), 2), "123456");
        // Half away from zero, as Excel's ROUND.
        assert_eq!(show(d("99.995"), 4), "100");
        assert_eq!(show(d("0.00012345"), 4), "0.0001235");
        assert_eq!(show(d("-2.345"), 3), "-2.35");
        assert_eq!(show(d("-0.5"), 4), "-0.5");
        assert_eq!(show(d("0"), 4), "0");
        assert_eq!(show(d("0.000"), 4), "0");
        // With a language's separators.
        let ru = Separators {
            thousands: Some('\u{a0}'),
            decimal: ',',
        };
        let en = Separators {
            thousands: Some(','),
            decimal: '.',
        };
        assert_eq!(show_in(d("1193.0012"), 4, en), "1,193");
        assert_eq!(show_in(d("1193.0012"), 4, ru), "1\u{a0}193");
        assert_eq!(show_in(d("-1234567.891"), 4, ru), "-1\u{a0}234\u{a0}568");
        assert_eq!(show_in(d("0.00123456"), 3, en), "0.00123");
        // A double of the Monte Carlo: its shortest decimal, rounded alike.
        assert_eq!(show_f64(67.69999, 4), "67.7");
        assert_eq!(show_f64(196.04, 4), "196");
        assert_eq!(show_f64(0.0, 4), "0");
    }

    #[test]
    fn years_and_ranges_of_years() {
        assert_eq!(parse_year_range("2021"), Ok((2021, 2021)));
        assert_eq!(parse_year_range(" 2022 – 2024 "), Ok((2022, 2024)));
        assert!(
            parse_year_range("2024-2022")
                .unwrap_err()
                .ends_with("the first year is after the last")
        );
        assert!(parse_year_range("20x1").is_err());
    }
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn reads_plain_and_scientific_text_exactly() {
        assert_eq!(parse_decimal("89").unwrap(), d("89"));
        assert_eq!(parse_decimal(" -0.25 ").unwrap(), d("-0.25"));
        assert_eq!(parse_decimal("+1.5").unwrap(), d("1.5"));
        assert_eq!(parse_decimal("8E-05").unwrap(), d("0.00008"));
        assert_eq!(parse_decimal("1.2e3").unwrap(), d("1200"));
        assert_eq!(parse_decimal(".5").unwrap(), d("0.5"));
        assert_eq!(
            parse_decimal("1234567890.123456789").unwrap().to_string(),
            "1234567890.123456789"
        );
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert_eq!(parse_decimal(""), Err(NumberError::Empty));
        assert!(matches!(
            parse_decimal("1,5"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal("NE"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal("0,0066 or 0,13"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal("NaN"),
            Err(NumberError::NotFinite(_))
        ));
        assert!(matches!(
            parse_decimal("-inf"),
            Err(NumberError::NotFinite(_))
        ));
        assert!(matches!(
            parse_decimal("1e"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal("."),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal("1e99999"),
            Err(NumberError::NotANumber(_))
        ));
        assert!(matches!(
            parse_decimal("1e40"),
            Err(NumberError::OutOfRange(_))
        ));
        assert!(matches!(
            parse_decimal("99999999999999999999999999999999"),
            Err(NumberError::OutOfRange(_))
        ));
    }

    #[test]
    fn trailing_zeros_beyond_capacity_are_not_a_loss() {
        assert_eq!(
            parse_decimal("0.100000000000000000000000000000000").unwrap(),
            d("0.1")
        );
        assert_eq!(
            parse_decimal("1.50000000000000000000000000000e2").unwrap(),
            d("150")
        );
        // Digits beyond the 28th decimal place are rounded, and said to be.
        assert_eq!(
            read_decimal("0.12345678901234567890123456789012"),
            Ok(Read {
                value: d("0.1234567890123456789012345679"),
                rounded: true
            })
        );
        // A long number above 7.9 keeps the places a decimal holds.
        assert_eq!(
            read_decimal("9.2345678901234567890123456789012"),
            Ok(Read {
                value: d("9.234567890123456789012345679"),
                rounded: true
            })
        );
    }

    #[test]
    fn tiny_numbers_are_rounded_to_28_places_and_marked() {
        let rounded = |t: &str, v: &str| {
            assert_eq!(
                read_decimal(t),
                Ok(Read {
                    value: d(v),
                    rounded: true
                }),
                "{t}"
            );
        };
        rounded("1.80952540538742e-15", "0.0000000000000018095254053874");
        rounded("1e-29", "0");
        rounded("-6e-29", "-0.0000000000000000000000000001");
        rounded("5e-324", "0");
        rounded("1e-300", "0");
        rounded(
            "0.00000000000000000000000000015",
            "0.0000000000000000000000000002",
        );
        // Exact when 28 places hold it.
        assert_eq!(
            read_decimal("1e-28"),
            Ok(Read {
                value: d("0.0000000000000000000000000001"),
                rounded: false
            })
        );
        assert_eq!(
            read_excel(1.80952540538742e-15),
            Ok(Read {
                value: d("0.0000000000000018095254053874"),
                rounded: true
            })
        );
        assert_eq!(from_excel(5e-324), Ok(Decimal::ZERO));
        // Beyond the range: unreadable.
        assert!(matches!(read_excel(1e308), Err(NumberError::OutOfRange(_))));
        assert!(matches!(
            read_decimal("79228162514264337593543950336"),
            Err(NumberError::OutOfRange(_))
        ));
        assert_eq!(
            read_decimal("79228162514264337593543950335").map(|r| r.rounded),
            Ok(false)
        );
    }

    #[test]
    fn excel_numbers_keep_the_digits_excel_shows() {
        assert_eq!(from_excel(60.527).unwrap(), d("60.527"));
        assert_eq!(
            from_excel(0.30310896000000004).unwrap(),
            d("0.30310896000000004")
        );
        assert_eq!(from_excel(8e-05).unwrap(), d("0.00008"));
        assert_eq!(
            from_excel(1.824399560320852e-05).unwrap(),
            d("0.00001824399560320852")
        );
        assert_eq!(from_excel(-0.0).unwrap(), Decimal::ZERO);
        assert_eq!(from_excel(2021.0).unwrap(), d("2021"));
        assert!(from_excel(f64::NAN).is_err());
        assert_eq!(from_excel(1e-40), Ok(Decimal::ZERO));
    }

    #[test]
    fn excel_round_trip_is_lossless_for_doubles() {
        for v in [
            0.1,
            1.0 / 3.0,
            123456.789e-12,
            9.87654321e20,
            5e-324_f64.max(1e-20),
        ] {
            let dec = from_excel(v).unwrap();
            assert_eq!(to_excel(dec), v, "{v}");
        }
    }

    #[test]
    fn formatting_is_exact_and_plain() {
        assert_eq!(format_decimal(d("0.890")), "0.89");
        assert_eq!(format_decimal(d("-0.000")), "0");
        assert_eq!(
            format_decimal(d("1E+3".replace("E+3", "000").as_str())),
            "1000"
        );
    }
}
