//! Numbers as people read them: 3-4 significant digits with thousands
//! separators in text and charts (exact values stay in the CSV files).

use rust_decimal::Decimal;

use super::i18n::Lang;

/// `d` rounded to `digits` significant digits, with the language's
/// thousands separator (`1,193` in English, `1 193` in Russian, with a
/// no-break space) and decimal mark (`.` / `,`).
pub fn significant(d: Decimal, digits: u32, lang: Lang) -> String {
    if d.is_zero() {
        return "0".into();
    }
    let magnitude = d.abs().log10_floor();
    let dp = (digits as i64 - 1 - magnitude).max(0) as u32;
    let rounded = d.round_sf(digits).unwrap_or(d).round_dp(dp).normalize();
    group(&rounded.to_string(), lang)
}

/// A percentage with one decimal and its sign (`-42.3 %`).
pub fn percent(d: Decimal, lang: Lang) -> String {
    let r = d.round_dp(1);
    let text = format!(
        "{}{}",
        if r > Decimal::ZERO { "+" } else { "" },
        r.normalize()
    );
    format!("{} %", group(&text, lang))
}

/// Inserts thousands separators into a plain decimal text.
fn group(text: &str, lang: Lang) -> String {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(r) => ("-", r),
        None => match text.strip_prefix('+') {
            Some(r) => ("+", r),
            None => ("", text),
        },
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    let sep = match lang {
        Lang::En => ",",
        Lang::Ru => "\u{a0}",
    };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(if lang == Lang::Ru { ',' } else { '.' });
        out.push_str(frac);
    }
    format!("{sign}{out}")
}

trait Log10Floor {
    fn log10_floor(self) -> i64;
}

impl Log10Floor for Decimal {
    /// ⌊log10 |d]⌋ of a non-zero decimal, exactly.
    fn log10_floor(self) -> i64 {
        let m = self.mantissa().unsigned_abs();
        let digits = m.ilog10() as i64 + 1;
        digits - 1 - self.scale() as i64
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
        assert_eq!(significant(d("123456.7"), 4, Lang::En), "123,500");
        assert_eq!(significant(d("0.00123456"), 3, Lang::En), "0.00123");
        assert_eq!(significant(d("-0.5"), 4, Lang::Ru), "-0,5");
        assert_eq!(percent(d("-42.345"), Lang::En), "-42.3 %");
        assert_eq!(percent(d("3"), Lang::En), "+3 %");
    }
}
