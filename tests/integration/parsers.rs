//! Property tests of the parsers of numbers and units: any text is a value
//! or an error, never a panic, and what is read is exact.
//!
//! They run 512 cases each in `cargo test`; `AIRINV_FUZZ_CASES` (see
//! `tests/fuzz.sh`) runs more.

use crate::harness::fuzz_cases;
use airinv::number::{format_decimal, from_excel, parse_decimal, read_excel, to_excel};
use airinv::unit::{parse_activity_unit, parse_factor_unit};
use proptest::prelude::*;
use rust_decimal::Decimal;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(512)))]

    /// Any text: a decimal or an error.
    #[test]
    fn any_text_is_a_number_or_an_error(t in "\\PC{0,40}") {
        let _ = parse_decimal(&t);
    }

    /// Texts made of number characters: a decimal or an error.
    #[test]
    fn number_like_text_is_a_number_or_an_error(t in "[-+0-9.eE]{0,40}") {
        if let Ok(d) = parse_decimal(&t) {
            // What is read prints back as a number that reads the same.
            prop_assert_eq!(parse_decimal(&format_decimal(d)).unwrap(), d);
        }
    }

    /// Every decimal written out is read back exactly.
    #[test]
    fn decimals_round_trip_exactly(m in any::<i64>(), scale in 0u32..=18) {
        let d = Decimal::new(m, scale);
        prop_assert_eq!(parse_decimal(&format_decimal(d)).unwrap(), d.normalize());
        prop_assert_eq!(parse_decimal(&d.to_string()).unwrap(), d.normalize());
    }

    /// Any double: an exact decimal that is the same double; or, when it
    /// has digits beyond the 28th decimal place, marked as rounded and
    /// within half a unit of the 28th place of it; or an error.
    #[test]
    fn excel_numbers_read_back_as_the_same_double(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        if let Ok(r) = read_excel(v) {
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
            }
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

    /// Unit-like texts (multipliers, units, words, slashes, dashes).
    #[test]
    fn unit_like_text_is_understood_or_refused(
        t in "(1000 |10\\^6 |million )?(TJ|GJ|kt|t|Mg|head|km|m3|ha|toe|ktoe|GWh|kWh|l|vehicles|bodies)( clinker| fuel| NCV)?(/| per |–1 )?(year|day|GJ|t|head)?"
    ) {
        if let Ok(q) = parse_activity_unit(&t) {
            prop_assert!(q.scale > Decimal::ZERO, "{t:?}");
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
