//! Numbers as people read them on the page, with the language's separators
//! ([`crate::number::show_in`]; exact values stay in the CSV files):
//! significant digits for a number alone, the same decimals down a table's
//! column ([`Column`]), signed percentages.

use rust_decimal::{Decimal, RoundingStrategy};

use super::i18n::Lang;
use crate::number::{format_decimal, show_in, with_separators};

/// `d` rounded to `digits` significant digits, with the language's
/// thousands separator (`1,193` in English, `1 193` in Russian, with a
/// no-break space) and decimal mark (`.` / `,`).
pub fn significant(d: Decimal, digits: u32, lang: Lang) -> String {
    show_in(d, digits, lang.separators())
}

/// A percentage with one decimal, always (`+5.0 %` above `-42.3 %` in a
/// column), and its sign.
pub fn percent(d: Decimal, lang: Lang) -> String {
    let shown = fixed(d, 1, lang);
    let sign = if shown
        .trim_start_matches('-')
        .chars()
        .any(|c| c.is_ascii_digit() && c != '0')
        && d > Decimal::ZERO
    {
        "+"
    } else {
        ""
    };
    format!("{sign}{shown} %")
}

/// `d` with exactly `places` decimals (half away from zero), with the
/// language's separators.
pub fn fixed(d: Decimal, places: u32, lang: Lang) -> String {
    let mut r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    let text = if r.is_zero() {
        // No "-0.00".
        let mut z = Decimal::ZERO;
        z.rescale(places);
        z.to_string()
    } else {
        r.to_string()
    };
    with_separators(&text, lang.separators())
}

/// How a table's column shows its numbers: the same decimals down the
/// column, as many as its smallest value needs for three significant
/// digits (at most three decimals; none when every value is 100 or more).
/// A value that is not zero but rounds to zero at those decimals shows
/// as `< 0.001`, never as a zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub places: u32,
}

/// The most decimals a column shows.
const MOST: u32 = 3;

impl Column {
    /// The column of these values (zeros do not count).
    pub fn of(values: impl IntoIterator<Item = Decimal>) -> Column {
        let smallest = values
            .into_iter()
            .map(|v| v.abs())
            .filter(|v| !v.is_zero())
            .min();
        let places = match smallest {
            None => 0,
            Some(v) => {
                // Digits before the point of the smallest value (0 below 1).
                let whole = v.trunc();
                let int_digits = if whole.is_zero() {
                    0
                } else {
                    format_decimal(whole).trim_start_matches('-').len() as i64
                };
                let leading_zeros = if whole.is_zero() {
                    // 0.00123: two zeros after the point before the first digit.
                    let s = format_decimal(v);
                    s.trim_start_matches("0.")
                        .chars()
                        .take_while(|c| *c == '0')
                        .count() as i64
                } else {
                    0
                };
                (3 - int_digits + leading_zeros).clamp(0, i64::from(MOST)) as u32
            }
        };
        Column { places }
    }

    /// A value of the column.
    pub fn show(&self, d: Decimal, lang: Lang) -> String {
        let shown = fixed(d, self.places, lang);
        if !d.is_zero()
            && shown
                .trim_start_matches('-')
                .chars()
                .all(|c| matches!(c, '0' | '.' | ','))
        {
            let mut least = Decimal::ONE;
            least.set_scale(self.places).unwrap_or(());
            return format!("< {}", fixed(least, self.places, lang));
        }
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn four_significant_digits_with_separators() {
        assert_eq!(
            significant(d("569.70232745929357626983299121"), 4, Lang::En),
            "569.7"
        );
        assert_eq!(significant(d("1193.0012"), 4, Lang::En), "1,193");
        assert_eq!(significant(d("1193.0012"), 4, Lang::Ru), "1\u{a0}193");
        assert_eq!(significant(d("123456.7"), 4, Lang::En), "123,457");
        assert_eq!(significant(d("0.00123456"), 3, Lang::En), "0.00123");
        assert_eq!(significant(d("-0.5"), 4, Lang::Ru), "-0,5");
        assert_eq!(percent(d("-42.345"), Lang::En), "-42.3 %");
        assert_eq!(percent(d("3"), Lang::En), "+3.0 %");
        assert_eq!(percent(d("0.01"), Lang::En), "0.0 %");
        assert_eq!(percent(d("1011.14"), Lang::Ru), "+1\u{a0}011,1 %");
    }

    #[test]
    fn a_column_has_the_same_decimals_down() {
        // The national totals of the issue: 105, 131, 1.72 and 6.618 in one column.
        let values = [d("105.04"), d("131"), d("1.72"), d("6.618"), d("1201.3")];
        let c = Column::of(values);
        assert_eq!(c.places, 2);
        let shown: Vec<String> = values.iter().map(|v| c.show(*v, Lang::Ru)).collect();
        assert_eq!(shown, ["105,04", "131,00", "1,72", "6,62", "1\u{a0}201,30"]);
        assert_eq!(Column::of([d("579.9"), d("1201")]).places, 0);
        assert_eq!(Column::of([d("57.9"), d("1201")]).places, 1);
        assert_eq!(Column::of([d("1579.9"), d("100")]).places, 0);
        assert_eq!(Column::of([d("0.0123"), d("5")]).places, 3);
        assert_eq!(Column::of([Decimal::ZERO]).places, 0);
        // A tiny value next to large ones is not a zero.
        let c = Column::of([d("500"), d("120")]);
        assert_eq!(c.show(d("0.2"), Lang::En), "< 1");
        assert_eq!(c.show(Decimal::ZERO, Lang::En), "0");
        let c = Column { places: 3 };
        assert_eq!(c.show(d("0.0002"), Lang::Ru), "< 0,001");
        assert_eq!(c.show(d("-0.0004"), Lang::En), "< 0.001");
        assert_eq!(fixed(d("-0.0004"), 2, Lang::En), "0.00");
        assert_eq!(fixed(d("2.345"), 2, Lang::En), "2.35");
    }
}
