//! Numbers written with a decimal comma (`1,5`, `1 234,5`, `8,5E-05`) read
//! as decimal points, and numbers that could be read two ways (`1.234`)
//! refused at their row and column.

use super::SheetRow;
use crate::error::{Error, Location, Result};
use std::path::Path;

/// Characters that group thousands in a number with a decimal comma.
const GROUPING: [char; 4] = [' ', '\u{a0}', '\u{202f}', '.'];

/// A number written with a decimal comma (`1,5`, `-0,25`, `1 234,5`,
/// `1.234,5`, `8,5E-05`) rewritten with a decimal point, `Ok(None)` for a
/// text that is not such a number (`2022`, `2.5`, `Hard coal`), and an error
/// for a number that could be read two ways in a file with decimal commas:
/// `1.234` (1234, or 1.234?).
pub fn decimal_comma_to_point(text: &str) -> std::result::Result<Option<String>, String> {
    let t = text.trim();
    let (sign, body) = match t.strip_prefix(['-', '+']) {
        Some(rest) => (&t[..1], rest),
        None => ("", t),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], &body[i..]),
        None => (body, ""),
    };
    if !mantissa.bytes().any(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    if !exponent.is_empty() {
        let digits = exponent[1..]
            .strip_prefix(['-', '+'])
            .unwrap_or(&exponent[1..]);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
    }
    let (int, frac) = match mantissa.split_once(',') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    if let Some(f) = frac
        && (f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Ok(None);
    }
    let Some(int_digits) = ungroup(int) else {
        return Ok(None);
    };
    let grouped_by_point = int.contains('.');
    match frac {
        Some(f) => Ok(Some(format!("{sign}{int_digits}.{f}{exponent}"))),
        None if grouped_by_point && int.matches('.').count() == 1 => Err(format!(
            "'{t}' is ambiguous in a file with decimal commas: {int_digits} with a thousands separator, or {}? Write it without thousands separators, or with a decimal comma",
            int
        )),
        None if int != int_digits => Ok(Some(format!("{sign}{int_digits}{exponent}"))),
        None => Ok(None),
    }
}

/// The digits of an integer part, with thousands separators (one kind, in
/// groups of three) removed; `None` when it is not such an integer part.
fn ungroup(int: &str) -> Option<String> {
    if int.is_empty() {
        return Some("0".into());
    }
    if int.bytes().all(|b| b.is_ascii_digit()) {
        return Some(int.to_string());
    }
    let sep = int.chars().find(|c| !c.is_ascii_digit())?;
    if !GROUPING.contains(&sep) {
        return None;
    }
    let groups: Vec<&str> = int.split(sep).collect();
    let first_ok = (1..=3).contains(&groups[0].len());
    let rest_ok = groups[1..].iter().all(|g| g.len() == 3);
    let digits_ok = groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && digits_ok).then(|| groups.concat())
}

/// True for a cell that is a number with a decimal comma (`1,5`).
pub(super) fn is_comma_number(text: &str) -> bool {
    text.contains(',') && matches!(decimal_comma_to_point(text), Ok(Some(_)))
}

/// Rewrites the numbers of a decimal-comma file with decimal points; a
/// number that could be read two ways is an error at its row and column.
pub(super) fn to_decimal_points(path: &Path, rows: &mut [SheetRow]) -> Result<()> {
    let header: Vec<String> = rows
        .iter()
        .find(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        .map(|r| r.cells.clone())
        .unwrap_or_default();
    for row in rows.iter_mut() {
        for (i, cell) in row.cells.iter_mut().enumerate() {
            match decimal_comma_to_point(cell) {
                Ok(Some(point)) => *cell = point,
                Ok(None) => {}
                Err(problem) => {
                    let column = header
                        .get(i)
                        .map(|h| h.trim())
                        .filter(|h| !h.is_empty())
                        .map(String::from)
                        .unwrap_or_else(|| (i + 1).to_string());
                    return Err(Error::input(
                        Location::file(path)
                            .with_row(row.number)
                            .with_column(column),
                        problem,
                    ));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimal_commas_become_points_and_nothing_else_changes() {
        let ok = |t: &str| decimal_comma_to_point(t).unwrap();
        assert_eq!(ok("1,5").as_deref(), Some("1.5"));
        assert_eq!(ok(" -0,25 ").as_deref(), Some("-0.25"));
        assert_eq!(ok("1 234,5").as_deref(), Some("1234.5"));
        assert_eq!(ok("1\u{a0}234\u{a0}567,25").as_deref(), Some("1234567.25"));
        assert_eq!(ok("1.234,5").as_deref(), Some("1234.5"));
        assert_eq!(ok("1.234.567").as_deref(), Some("1234567"));
        assert_eq!(ok("8,5E-05").as_deref(), Some("8.5E-05"));
        assert_eq!(ok(",5").as_deref(), Some("0.5"));
        // Not numbers with a decimal comma: left as they are.
        for t in [
            "2022",
            "2.5",
            "0.25",
            "Hard coal, lignite",
            "1,5 t",
            "e5",
            "-",
            "",
            "1,5,6",
            "1 23,5",
            "v1.0",
            "01.02.2022",
        ] {
            assert_eq!(ok(t), None, "{t}");
        }
        // Read two ways: refused.
        let e = decimal_comma_to_point("1.234").unwrap_err();
        assert!(e.contains("ambiguous"), "{e}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Any text cell: converted, left, or refused; never a panic, and a
        /// converted value is a number that parses.
        #[test]
        fn any_cell_converts_to_a_parsable_number_or_stays(t in "\\PC{0,24}") {
            if let Ok(Some(point)) = decimal_comma_to_point(&t) {
                let parsed = crate::number::parse_decimal(&point);
                prop_assert!(
                    parsed.is_ok() || matches!(parsed, Err(crate::number::NumberError::OutOfRange(_))),
                    "{t:?} -> {point:?}"
                );
            }
        }

        /// A decimal written with a comma reads back as the same decimal.
        #[test]
        fn comma_numbers_read_exactly(int in 0u64..10_000_000, frac in 0u32..1_000_000, neg: bool) {
            let text = format!("{}{int},{frac:06}", if neg { "-" } else { "" });
            let point = decimal_comma_to_point(&text).unwrap().unwrap();
            let expected = format!("{}{int}.{frac:06}", if neg { "-" } else { "" });
            prop_assert_eq!(
                crate::number::parse_decimal(&point).unwrap(),
                crate::number::parse_decimal(&expected).unwrap()
            );
        }
    }
}
