//! The value cells of a year sheet: a number (through
//! [`crate::number::from_excel`], or from its text, thousands separators
//! allowed), a notation key, or nothing; anything else is unreadable, with
//! the reason.

use super::labels;
use crate::notation_key::{Cell, NotationKey};
use crate::sheet::Data;

/// True for a cell that holds a number or a notation key.
pub(super) fn holds_value(v: &Data) -> bool {
    match v {
        Data::Empty => false,
        Data::String(s) => {
            NotationKey::parse(s).is_some()
                || crate::number::parse_decimal(s).is_ok()
                || labels::without_group_separators(s).is_some()
        }
        _ => true,
    }
}

/// A value cell: a number, a notation key or nothing; true when the number
/// had digits beyond the 28th decimal place and was rounded to 28 places
/// ([`crate::number::Read`]).
pub(super) fn read_value_cell(raw: &Data) -> std::result::Result<(Cell, bool), String> {
    let number = |r: crate::number::Read| (Cell::Number(r.value), r.rounded);
    match raw {
        Data::Empty => Ok((Cell::Empty, false)),
        Data::Float(f) => crate::number::read_excel(*f)
            .map(number)
            .map_err(|e| e.to_string()),
        Data::Int(i) => Ok((Cell::Number(rust_decimal::Decimal::from(*i)), false)),
        // A number shown as a date is still the number Excel stores.
        Data::DateTime(d) => crate::number::read_excel(d.as_f64())
            .map(number)
            .map_err(|e| e.to_string()),
        Data::String(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok((Cell::Empty, false));
            }
            if let Some(k) = NotationKey::parse(t) {
                return Ok((Cell::Key(k), false));
            }
            if let Some(plain) = labels::without_group_separators(t) {
                return crate::number::read_decimal(&plain)
                    .map(number)
                    .map_err(|e| format!("'{t}': {e}"));
            }
            crate::number::read_decimal(t).map(number).map_err(|_| {
                format!("'{t}' is neither a number nor a notation key (NO, NE, NA, IE, C, NR)")
            })
        }
        Data::Bool(b) => Err(format!(
            "holds the logical value {}, not a number or a notation key",
            if *b { "TRUE" } else { "FALSE" }
        )),
        Data::Error(e) => Err(format!(
            "shows the Excel error {}: its formula cannot be computed; read as empty: fix it in the workbook",
            crate::sheet::cell_text(&Data::Error(e.clone())).unwrap_or_default()
        )),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Err(format!(
            "holds the date or duration '{s}', not a number or a notation key"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_value_cell(raw: &Data) -> std::result::Result<Cell, String> {
        super::read_value_cell(raw).map(|(cell, _)| cell)
    }

    #[test]
    fn tiny_numbers_are_rounded_and_marked_and_huge_ones_unreadable() {
        assert_eq!(
            super::read_value_cell(&Data::Float(1.80952540538742e-15)),
            Ok((
                Cell::Number(
                    rust_decimal::Decimal::from_str_exact("0.0000000000000018095254053874")
                        .unwrap()
                ),
                true
            ))
        );
        assert_eq!(
            super::read_value_cell(&Data::Float(0.5)),
            Ok((Cell::Number(rust_decimal::Decimal::new(5, 1)), false))
        );
        let e = super::read_value_cell(&Data::Float(1e308)).unwrap_err();
        assert!(e.contains("beyond the range of exact decimals"), "{e}");
    }

    #[test]
    fn value_cells_are_numbers_keys_or_empty() {
        assert_eq!(read_value_cell(&Data::Empty), Ok(Cell::Empty));
        assert_eq!(read_value_cell(&Data::String(" ".into())), Ok(Cell::Empty));
        assert_eq!(
            read_value_cell(&Data::String("NE ".into())),
            Ok(Cell::Key(NotationKey::NE))
        );
        assert_eq!(
            read_value_cell(&Data::Float(0.30310896000000004)),
            Ok(Cell::Number(
                rust_decimal::Decimal::from_str_exact("0.30310896000000004").unwrap()
            ))
        );
        assert_eq!(
            read_value_cell(&Data::String("118454.36".into())),
            Ok(Cell::Number(
                rust_decimal::Decimal::from_str_exact("118454.36").unwrap()
            ))
        );
        let e = read_value_cell(&Data::String("n/a".into())).unwrap_err();
        assert!(
            e.contains("'n/a' is neither a number nor a notation key"),
            "{e}"
        );
        assert!(read_value_cell(&Data::Bool(true)).is_err());
        assert!(read_value_cell(&Data::String("0,5".into())).is_err());
        assert!(read_value_cell(&Data::Error(calamine::CellErrorType::Div0)).is_err());
    }
}
