//! The result of `explain`: the cell, what it is made of, and whether what
//! is summed gives it, with the exact sum.

use super::detail::{DetailMode, Line};
use crate::notation_key::{Cell, NotationKey};
use crate::number::format_decimal;
use rust_decimal::Decimal;
use serde::Serialize;

/// A cell's content: its text as the CSV has it, and the number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Value {
    /// An exact decimal, a notation key, or empty.
    pub text: String,
    pub number: Option<Decimal>,
}

impl Value {
    pub(super) fn of(cell: Cell) -> Value {
        Value {
            text: crate::annex1::cell_text(cell),
            number: cell.number(),
        }
    }

    /// The notation key, if the cell holds one.
    pub fn key(&self) -> Option<NotationKey> {
        NotationKey::parse(&self.text)
    }
}

/// Another cell summed into the explained one.
#[derive(Debug, Clone, Serialize)]
pub struct Term {
    /// `2022!E14`; none for an adjustment of run.json.
    pub cell: Option<String>,
    pub code: String,
    pub name: String,
    /// Subtracted rather than added.
    pub subtract: bool,
    pub value: Value,
}

/// Whether what was summed gives the cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// The sum is the cell's value, to the last digit.
    Exact,
    /// The sum differs in the last of 28 digits: lines rounded one by one
    /// (`--detail rows` with an NCV division), where compile rounded the key.
    Rounding,
    /// Part of what sums in is not known from the folder (said in `reasons`).
    Partial,
    /// The sum is not the cell: the folder was changed after the compile.
    Differs,
    /// Nothing is summed: a notation key or an empty cell, explained in words.
    Words,
}

/// A cell and where its value comes from.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub folder: String,
    /// `2022!E14`: sheet, column and row of annex1.xlsx.
    pub cell: String,
    pub year: i32,
    /// Template row number.
    pub row: u32,
    pub column: String,
    pub code: String,
    pub name: String,
    /// The pollutant id or the activity column's name.
    pub quantity: String,
    pub unit: String,
    pub value: Value,
    /// Where the value was read.
    pub read_from: String,
    /// How the cell is made, in words.
    pub rule: String,
    /// How detail.csv was written, when lines were read from it.
    pub detail: Option<DetailMode>,
    pub lines: Vec<Line>,
    pub terms: Vec<Term>,
    /// The sum of the lines' `in_cell` or of the terms, by the template's rule.
    pub sum: Option<Value>,
    pub agreement: Agreement,
    /// sum − value, when they differ.
    pub difference: Option<Decimal>,
    /// What else the folder (or the inventory) says, and what it does not.
    pub reasons: Vec<String>,
}

impl Explanation {
    /// True when what sums into the cell does not give it: the folder was
    /// changed after the compile.
    pub fn differs(&self) -> bool {
        self.agreement == Agreement::Differs
    }
}

/// `a + b`, and whether the sum lost digits (beyond 28 significant digits).
fn add(a: Decimal, b: Decimal) -> Option<(Decimal, bool)> {
    let s = a.checked_add(b)?;
    Some((s, s.scale() < a.scale().max(b.scale())))
}

/// Sums in order; `None` beyond the range of decimals; the flag says a
/// partial sum was rounded.
pub(super) fn sum_in_order(values: impl IntoIterator<Item = Decimal>) -> Option<(Decimal, bool)> {
    let mut total: Option<Decimal> = None;
    let mut rounded = false;
    for v in values {
        total = Some(match total {
            None => v,
            Some(t) => {
                let (s, r) = add(t, v)?;
                rounded |= r;
                s
            }
        });
    }
    total.map(|t| (t, rounded))
}

/// Compares a sum with the cell: exact, a rounding of the last digits
/// (when `may_round`), or different.
pub(super) fn agree(e: &mut Explanation, sum: Option<Decimal>, may_round: bool) {
    e.sum = sum.map(|s| Value {
        text: format_decimal(s),
        number: Some(s),
    });
    let (Some(s), Some(v)) = (sum, e.value.number) else {
        e.agreement = if sum.is_none() && e.value.number.is_none() {
            Agreement::Words
        } else {
            Agreement::Differs
        };
        return;
    };
    if s == v {
        e.agreement = Agreement::Exact;
        return;
    }
    let diff = s - v;
    e.difference = Some(diff);
    // Half a unit in the 27th significant digit of each line, at most.
    let tolerance = e
        .lines
        .iter()
        .map(|l| l.emission.abs())
        .fold(Decimal::ZERO, |a, b| a.saturating_add(b))
        .checked_mul(Decimal::new(1, 26))
        .unwrap_or(Decimal::ZERO);
    e.agreement = if may_round && diff.abs() <= tolerance {
        Agreement::Rounding
    } else {
        Agreement::Differs
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sum_says_when_it_lost_digits() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(sum_in_order([d("0.1"), d("0.2")]), Some((d("0.3"), false)));
        let (_, rounded) = sum_in_order([d("100"), d("0.1234567890123456789012345678")]).unwrap();
        assert!(rounded);
        assert_eq!(sum_in_order(Vec::<Decimal>::new()), None);
    }
}
