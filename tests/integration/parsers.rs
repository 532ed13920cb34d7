//! Property tests of the parsers of numbers and units: any text is a value
//! or an error, never a panic, and what is read is exact, checked against
//! an independent reading (the standard library's float parsing,
//! `Decimal::from_str_exact`, a hand table of unit scales).
//!
//! They run 512 cases each in `cargo test`; `AIRINV_FUZZ_CASES` (see
//! `tests/fuzz.sh`) runs more.

use crate::harness::fuzz_cases;
use airinv::number::{format_decimal, from_excel, parse_decimal, read_excel, to_excel};
use airinv::unit::{parse_activity_unit, parse_factor_unit};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// `d` and the double the standard library reads from the same text agree
/// to the double's precision.
fn same_as_std(text: &str, d: Decimal) -> Result<(), TestCaseError> {
    let x: f64 = text
        .trim()
        .trim_start_matches('+')
        .parse()
        .map_err(|e| TestCaseError::fail(format!("{text:?} read as {d} but std says {e}")))?;
    let y = d.to_f64().unwrap();
    let tolerance = x.abs().max(1e-28) * 1e-12;
    prop_assert!(
        (x - y).abs() <= tolerance,
        "{:?}: std {} airinv {}",
        text,
        x,
        d
    );
    Ok(())
}

/// Base units (J, g, m³, m², km, items) of the activity units the property
/// below generates, by hand: 1 toe = 41.868 GJ, 1 kWh = 3.6 MJ.
const UNIT_SCALES: [(&str, &str); 16] = [
    ("TJ", "1000000000000"),
    ("GJ", "1000000000"),
    ("kt", "1000000000"),
    ("Gg", "1000000000"),
    ("t", "1000000"),
    ("Mg", "1000000"),
    ("kg", "1000"),
    ("head", "1"),
    ("km", "1"),
    ("m3", "1"),
    ("ha", "10000"),
    ("toe", "41868000000"),
    ("ktoe", "41868000000000"),
    ("GWh", "3600000000000"),
    ("kWh", "3600000"),
    ("l", "0.001"),
];
const MULTIPLIERS: [(&str, &str); 4] = [
    ("", "1"),
    ("1000 ", "1000"),
    ("10^6 ", "1000000"),
    ("million ", "1000000"),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(512)))]

    /// Any text: a decimal the standard library reads as the same number,
    /// or an error.
    #[test]
    fn any_text_is_a_number_or_an_error(t in "\\PC{0,40}") {
        if let Ok(d) = parse_decimal(&t) {
            same_as_std(&t, d)?;
        }
    }

    /// Texts made of number characters: a decimal or an error; what is
    /// read is the number the standard library reads.
    #[test]
    fn number_like_text_is_a_number_or_an_error(t in "[-+0-9.eE]{0,40}") {
        if let Ok(d) = parse_decimal(&t) {
            same_as_std(&t, d)?;
        }
    }

    /// A plain decimal (at most 28 digits, no exponent) is read, and is
    /// the decimal `Decimal::from_str_exact` reads; with an exponent, the
    /// number the standard library reads.
    #[test]
    fn plain_decimals_are_read_exactly(
        sign in "[-+]?",
        int in "[0-9]{1,12}",
        frac in proptest::option::of("[0-9]{1,12}"),
        exp in proptest::option::of(-20i32..=20),
    ) {
        let mut t = format!("{sign}{int}");
        if let Some(f) = &frac {
            t = format!("{t}.{f}");
        }
        match exp {
            None => {
                let expected = Decimal::from_str_exact(t.trim_start_matches('+')).unwrap();
                prop_assert_eq!(parse_decimal(&t).unwrap(), expected, "{}", t);
            }
            Some(e) => {
                let t = format!("{t}e{e}");
                match parse_decimal(&t) {
                    Ok(d) => same_as_std(&t, d)?,
                    // Refused only when a digit lies beyond the 28th
                    // decimal place or the number beyond 7.9e28: no exact
                    // decimal holds it.
                    Err(err) => {
                        let frac = frac.as_deref().unwrap_or("").trim_end_matches('0');
                        let digits = format!("{int}{frac}");
                        let zeros = digits.len() - digits.trim_end_matches('0').len();
                        let places = frac.len() as i32 - e - zeros as i32;
                        let x: f64 = t.parse().unwrap();
                        prop_assert!(
                            !digits.trim_matches('0').is_empty() && places > 28 || x.abs() >= 7.9e28,
                            "{}: {}",
                            t,
                            err
                        );
                    }
                }
            }
        }
    }

    /// Every decimal written out is read back exactly, and its text is the
    /// one `Decimal::from_str_exact` reads as the same number.
    #[test]
    fn decimals_round_trip_exactly(m in any::<i64>(), scale in 0u32..=18) {
        let d = Decimal::new(m, scale);
        let text = format_decimal(d);
        prop_assert_eq!(Decimal::from_str_exact(&text).unwrap(), d);
        prop_assert_eq!(parse_decimal(&text).unwrap(), d.normalize());
        prop_assert_eq!(parse_decimal(&d.to_string()).unwrap(), d.normalize());
    }

    /// Any double: the decimal of its shortest text (the standard
    /// library's `{:e}`), which is the same double; or, when that text has
    /// digits beyond the 28th decimal place, that decimal rounded to 28
    /// places and marked (within half a unit of the 28th place); or an
    /// error when the double is not finite or beyond the decimals' range.
    #[test]
    fn excel_numbers_read_back_as_the_same_double(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        let shortest = Decimal::from_scientific(&format!("{v:e}")).ok();
        match read_excel(v) {
            Ok(r) => {
                prop_assert_eq!(from_excel(v).unwrap(), r.value);
                if r.rounded {
                    prop_assert!(r.value.scale() <= 28);
                    // Half a unit of the 28th place, and the double's own
                    // spacing (its shortest text is within half of it).
                    let spacing = v.abs() * f64::EPSILON;
                    prop_assert!(
                        (to_excel(r.value) - v).abs() <= 5e-29 + 2.0 * spacing,
                        "{v:e} read as {}", r.value
                    );
                } else {
                    prop_assert_eq!(to_excel(r.value), if v == 0.0 { 0.0 } else { v });
                    if let Some(s) = shortest {
                        prop_assert_eq!(r.value, s, "{:e}", v);
                    }
                }
            }
            Err(_) => prop_assert!(!v.is_finite() || v.abs() >= 7.9e28, "{:e} refused", v),
        }
    }

    /// Any unit text: understood or refused, never a panic; an understood
    /// activity unit has a positive scale.
    #[test]
    fn any_unit_text_is_understood_or_refused(t in "\\PC{0,30}") {
        if let Ok(q) = parse_activity_unit(&t) {
            prop_assert!(q.scale > Decimal::ZERO, "{t:?}: {q:?}");
        }
        let _ = parse_factor_unit(&t);
    }

    /// Units of statistics with a multiplier and a basis word: the scale is
    /// the hand table's, times the multiplier.
    #[test]
    fn unit_like_text_is_read_with_its_exact_scale(
        m in 0usize..MULTIPLIERS.len(),
        u in 0usize..UNIT_SCALES.len(),
        basis in "( clinker| fuel| NCV)?",
    ) {
        let t = format!("{}{}{basis}", MULTIPLIERS[m].0, UNIT_SCALES[u].0);
        let q = parse_activity_unit(&t).map_err(|e| TestCaseError::fail(format!("{t}: {e}")))?;
        let expected = Decimal::from_str_exact(UNIT_SCALES[u].1).unwrap()
            * Decimal::from_str_exact(MULTIPLIERS[m].1).unwrap();
        prop_assert_eq!(q.scale, expected, "{}", t);
        prop_assert_eq!(q.basis, basis.trim(), "{}", t);
    }

    /// Unit-like texts with a time or a denominator after them: understood
    /// or refused, never a panic; when understood, at the hand table's scale.
    #[test]
    fn unit_like_text_is_understood_or_refused(
        m in 0usize..MULTIPLIERS.len(),
        u in 0usize..UNIT_SCALES.len() + 2,
        tail in "( clinker| fuel| NCV)?(/| per |–1 )?(year|day|GJ|t|head)?",
    ) {
        let unit = ["vehicles", "bodies"].get(u.wrapping_sub(UNIT_SCALES.len()));
        let t = format!("{}{}{tail}", MULTIPLIERS[m].0, unit.copied().unwrap_or_else(|| UNIT_SCALES[u].0));
        if let Ok(q) = parse_activity_unit(&t) {
            let scale = if unit.is_some() { "1" } else { UNIT_SCALES[u].1 };
            let expected = Decimal::from_str_exact(scale).unwrap()
                * Decimal::from_str_exact(MULTIPLIERS[m].1).unwrap();
            prop_assert_eq!(q.scale, expected, "{}", t);
        }
        let _ = parse_factor_unit(&t);
    }
}

#[test]
fn units_of_statistics_are_read_with_their_exact_scale() {
    let tj = parse_activity_unit("TJ").unwrap();
    let ktoe = parse_activity_unit("ktoe").unwrap();
    // 1 ktoe = 41 868 GJ = 41.868 TJ, exactly.
    assert_eq!(
        ktoe.scale / tj.scale,
        Decimal::from_str_exact("41.868").unwrap()
    );
    let e = parse_activity_unit("barrels").unwrap_err();
    assert!(e.contains("accepted units"), "{e}");
}
