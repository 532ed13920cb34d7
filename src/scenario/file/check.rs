//! The checks every value of a scenario file goes through (a number, a
//! year, a fraction, not negative), each refusal an error naming the file
//! and the line of the value.

use super::raw::Num;
use crate::error::{Error, Location, Result};
use rust_decimal::Decimal;
use std::ops::Range;
use std::path::Path;

/// The text of a scenario file and its path, for messages.
pub(super) struct Checker<'a> {
    pub text: &'a str,
    pub path: &'a Path,
}

impl Checker<'_> {
    /// An error at the line of a place in the text.
    pub fn at(&self, span: Range<usize>, what: String) -> Error {
        Error::input(
            Location::file(self.path).with_line(self.line(&span) as u64),
            what,
        )
    }

    /// The 1-based line of a place in the text.
    pub fn line(&self, span: &Range<usize>) -> usize {
        self.text.as_bytes()[..span.start.min(self.text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    /// A number, exact.
    pub fn num(&self, n: &Num, what: &str) -> Result<Decimal> {
        n.get_ref()
            .decimal()
            .map_err(|e| self.at(n.span(), format!("{what}: {e}")))
    }

    /// A year from 1980 to 2100.
    pub fn year(&self, y: i64, span: Range<usize>, what: &str) -> Result<i32> {
        if (1980..=2100).contains(&y) {
            Ok(y as i32)
        } else {
            Err(self.at(span, format!("{what} = {y}: a year from 1980 to 2100")))
        }
    }

    /// A year written as a key (`{ 2030 = ... }`).
    pub fn year_key(&self, k: &str, span: Range<usize>, what: &str) -> Result<i32> {
        match k.trim().parse::<i64>() {
            Ok(y) => self.year(y, span, what),
            Err(_) => Err(self.at(
                span,
                format!("{what}: '{k}' is not a year (write {{ 2030 = ... }})"),
            )),
        }
    }

    /// A fraction from 0 to 1.
    pub fn fraction(&self, n: &Num, what: &str) -> Result<Decimal> {
        let v = self.num(n, what)?;
        if v < Decimal::ZERO || v > Decimal::ONE {
            return Err(self.at(
                n.span(),
                format!(
                    "{what} = {v}: a fraction from 0 to 1 (0.95 for 95 %)",
                    v = crate::number::format_decimal(v)
                ),
            ));
        }
        Ok(v)
    }

    /// A number not below 0.
    pub fn non_negative(&self, n: &Num, what: &str) -> Result<Decimal> {
        let v = self.num(n, what)?;
        if v < Decimal::ZERO {
            return Err(self.at(
                n.span(),
                format!(
                    "{what} = {}: must not be negative",
                    crate::number::format_decimal(v)
                ),
            ));
        }
        Ok(v)
    }
}
