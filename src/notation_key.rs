//! Notation keys and template cells.
//!
//! A cell of the template holds a number, a notation key, or nothing. The
//! keys are those of the CLRTAP reporting guidelines:
//!
//! | key | meaning |
//! |---|---|
//! | NO | not occurring: the activity does not happen |
//! | NE | not estimated: it happens but was not estimated |
//! | NA | not applicable: the activity happens but does not emit this pollutant |
//! | IE | included elsewhere: estimated and reported in another row (say which) |
//! | C  | confidential |
//! | NR | not relevant: reporting not required (e.g. PM before 2000) |
//!
//! Summing cells (into NATIONAL TOTAL or any aggregate) follows these rules:
//! numbers add up and keys beside a number do not change it (number + IE =
//! number, number + NO = number), but a number summed with NE or C is flagged,
//! since part of the total is missing or hidden; when there is no number, the
//! key that says most about what is missing wins, in the order
//! NE > C > IE > NO > NA > NR (so NO + NO = NO, NO + NA = NO, NO + NE = NE).
//! Empty cells are ignored; a sum of nothing but empty cells stays empty.

use rust_decimal::Decimal;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub enum NotationKey {
    NO,
    NE,
    NA,
    IE,
    C,
    NR,
}

impl NotationKey {
    pub const ALL: [NotationKey; 6] = [
        NotationKey::NO,
        NotationKey::NE,
        NotationKey::NA,
        NotationKey::IE,
        NotationKey::C,
        NotationKey::NR,
    ];

    /// Reads a key as written in a cell (case-insensitive, spaces trimmed).
    pub fn parse(text: &str) -> Option<NotationKey> {
        match text.trim().to_ascii_uppercase().as_str() {
            "NO" => Some(NotationKey::NO),
            "NE" => Some(NotationKey::NE),
            "NA" => Some(NotationKey::NA),
            "IE" => Some(NotationKey::IE),
            "C" => Some(NotationKey::C),
            "NR" => Some(NotationKey::NR),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            NotationKey::NO => "NO",
            NotationKey::NE => "NE",
            NotationKey::NA => "NA",
            NotationKey::IE => "IE",
            NotationKey::C => "C",
            NotationKey::NR => "NR",
        }
    }

    /// Rank when only keys are summed: the higher rank wins.
    fn rank(self) -> u8 {
        match self {
            NotationKey::NE => 5,
            NotationKey::C => 4,
            NotationKey::IE => 3,
            NotationKey::NO => 2,
            NotationKey::NA => 1,
            NotationKey::NR => 0,
        }
    }
}

impl fmt::Display for NotationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A template cell: a number in the template's unit, a key, or nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Number(Decimal),
    Key(NotationKey),
}

impl Cell {
    pub fn number(&self) -> Option<Decimal> {
        match self {
            Cell::Number(d) => Some(*d),
            _ => None,
        }
    }

    pub fn key(&self) -> Option<NotationKey> {
        match self {
            Cell::Key(k) => Some(*k),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
}

impl fmt::Display for Cell {
    /// Numbers as exact decimals, keys as themselves, empty as nothing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Cell::Empty => Ok(()),
            Cell::Number(d) => f.write_str(&crate::number::format_decimal(*d)),
            Cell::Key(k) => f.write_str(k.as_str()),
        }
    }
}

/// What a sum of cells is made of, beyond its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SumFlags {
    /// A number was summed with NE: part of the sum is not estimated.
    pub partly_not_estimated: bool,
    /// A number was summed with C: part of the sum is confidential.
    pub partly_confidential: bool,
}

/// Adds cells by the rules of the module documentation.
#[derive(Debug, Clone, Copy, Default)]
pub struct CellSum {
    total: Option<Decimal>,
    best_key: Option<NotationKey>,
    saw_ne: bool,
    saw_c: bool,
}

impl CellSum {
    pub fn new() -> CellSum {
        CellSum::default()
    }

    pub fn add(&mut self, cell: Cell) {
        match cell {
            Cell::Empty => {}
            Cell::Number(d) => self.total = Some(self.total.unwrap_or(Decimal::ZERO) + d),
            Cell::Key(k) => {
                self.saw_ne |= k == NotationKey::NE;
                self.saw_c |= k == NotationKey::C;
                if self.best_key.is_none_or(|b| k.rank() > b.rank()) {
                    self.best_key = Some(k);
                }
            }
        }
    }

    pub fn result(&self) -> (Cell, SumFlags) {
        match self.total {
            Some(total) => (
                Cell::Number(total),
                SumFlags {
                    partly_not_estimated: self.saw_ne,
                    partly_confidential: self.saw_c,
                },
            ),
            None => (
                self.best_key.map(Cell::Key).unwrap_or(Cell::Empty),
                SumFlags::default(),
            ),
        }
    }

    pub fn cell(&self) -> Cell {
        self.result().0
    }
}

/// Sums cells by the rules of the module documentation.
pub fn sum<I: IntoIterator<Item = Cell>>(cells: I) -> (Cell, SumFlags) {
    let mut s = CellSum::new();
    for c in cells {
        s.add(c);
    }
    s.result()
}

#[cfg(test)]
mod tests {
    use super::NotationKey::*;
    use super::*;

    fn n(v: i64) -> Cell {
        Cell::Number(Decimal::from(v))
    }

    #[test]
    fn keys_parse_only_the_six_official_ones() {
        for k in NotationKey::ALL {
            assert_eq!(NotationKey::parse(k.as_str()), Some(k));
        }
        assert_eq!(NotationKey::parse(" ne "), Some(NE));
        assert_eq!(NotationKey::parse("N/A"), None);
        assert_eq!(NotationKey::parse("0"), None);
        assert_eq!(NotationKey::parse("NO2"), None);
    }

    #[test]
    fn aggregation_rules_hold() {
        // number + IE = number, unflagged
        assert_eq!(sum([n(3), Cell::Key(IE)]), (n(3), SumFlags::default()));
        // NO + NO = NO
        assert_eq!(sum([Cell::Key(NO), Cell::Key(NO)]).0, Cell::Key(NO));
        // NE + number = number, flagged
        let (cell, flags) = sum([Cell::Key(NE), n(2), n(5)]);
        assert_eq!(cell, n(7));
        assert!(flags.partly_not_estimated);
        assert!(!flags.partly_confidential);
        // C beside a number is flagged too
        assert!(sum([Cell::Key(C), n(1)]).1.partly_confidential);
        // keys only: the most telling wins
        assert_eq!(sum([Cell::Key(NO), Cell::Key(NA)]).0, Cell::Key(NO));
        assert_eq!(
            sum([Cell::Key(NO), Cell::Key(NE), Cell::Key(NA)]).0,
            Cell::Key(NE)
        );
        assert_eq!(sum([Cell::Key(NR), Cell::Key(NA)]).0, Cell::Key(NA));
        assert_eq!(sum([Cell::Key(IE), Cell::Key(NO)]).0, Cell::Key(IE));
        // empty cells are ignored, and nothing stays nothing
        assert_eq!(sum([Cell::Empty, n(4)]).0, n(4));
        assert_eq!(sum([Cell::Empty, Cell::Empty]).0, Cell::Empty);
        assert_eq!(sum([]).0, Cell::Empty);
        // zero is a number, not NO
        assert_eq!(sum([n(0), Cell::Key(NO)]).0, n(0));
    }
}
