//! Numbers as people read them on the page: 4 significant digits with the
//! language's separators ([`crate::number::show_in`]; exact values stay in
//! the CSV files), and signed percentages.

use rust_decimal::Decimal;

use super::i18n::Lang;
use crate::number::{Separators, show_in, with_separators};

/// `d` rounded to `digits` significant digits, with the language's
/// thousands separator (`1,193` in English, `1 193` in Russian, with a
/// no-break space) and decimal mark (`.` / `,`).
pub fn significant(d: Decimal, digits: u32, lang: Lang) -> String {
    show_in(d, digits, separators(lang))
}

/// A percentage with one decimal and its sign (`-42.3 %`).
pub fn percent(d: Decimal, lang: Lang) -> String {
    let r = d.round_dp(1);
    let text = format!(
        "{}{}",
        if r > Decimal::ZERO { "+" } else { "" },
        r.normalize()
    );
    format!("{} %", with_separators(&text, separators(lang)))
}

/// How a language writes numbers.
fn separators(lang: Lang) -> Separators {
    match lang {
        Lang::En => Separators {
            thousands: Some(','),
            decimal: '.',
        },
        Lang::Ru => Separators {
            thousands: Some('\u{a0}'),
            decimal: ',',
        },
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
        assert_eq!(percent(d("3"), Lang::En), "+3 %");
        assert_eq!(percent(d("1011.14"), Lang::Ru), "+1\u{a0}011,1 %");
    }
}
