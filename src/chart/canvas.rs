//! The SVG document every chart is drawn on, and text made safe for SVG
//! and HTML. Coordinates are floating point: pictures are one of the places
//! besides Monte Carlo and optimisation where airinv uses f64.

/// The opening tag of a chart's SVG document, `width` × `height` pixels,
/// in the fonts every chart uses, with more attributes (` font-size="12"`)
/// when given.
pub fn open(width: f64, height: f64, attributes: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif"{attributes}>"#
    )
}

/// The white background, under everything else.
pub const BACKGROUND: &str = r#"<rect width="100%" height="100%" fill="white"/>"#;

/// The end of a document.
pub const CLOSE: &str = "</svg>\n";

/// Text escaped for SVG and HTML (every chart and page of airinv uses this one).
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The width in pixels of a text drawn in DejaVu Sans at `size` pixels,
/// from the advance of each character rounded up to a few classes: an
/// upper bound (a test compares it with Chromium's measure of every label
/// of the report page), used to lay labels out and to check them.
pub fn text_width(text: &str, size: f64) -> f64 {
    text_em(text) * size
}

/// [`text_width`] of a bold text (DejaVu Sans Bold is about a tenth wider).
pub fn bold_width(text: &str, size: f64) -> f64 {
    text_em(text) * size * 1.12
}

fn text_em(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ':' | ';' | '\'' | '!' | '|' | 'i' | 'j' | 'l' | 'I' | 'J' => 0.36,
            '(' | ')' | '[' | ']' | '/' | 'f' | 't' | 'r' | '-' | '\u{a0}' | '\u{202f}' => 0.46,
            '0'..='9' | '–' => 0.66,
            '+' | '=' | '<' | '>' | '±' | '×' => 0.86,
            'm' | 'w' | 'ж' | 'ш' | 'щ' | 'ы' | 'ю' | 'ф' | 'M' | 'W' | '%' | '—' | 'Ж' | 'Ш'
            | 'Щ' | 'Ю' | 'Ы' | 'Ф' => 1.1,
            'A'..='Z' | 'А'..='Я' | 'Ё' => 0.8,
            _ => 0.66,
        })
        .sum()
}

/// A label: `<text>` at (`x`, `y`) of the baseline, in `size` pixels,
/// anchored `start`, `middle` or `end`, turned by `rotate` degrees about
/// its anchor, with more attributes (` fill="#555"`) when given. Every
/// chart writes its texts through here, so that
/// [`super::geometry`] reads them all the same way.
pub fn text(
    x: f64,
    y: f64,
    size: f64,
    anchor: &str,
    rotate: Option<f64>,
    attributes: &str,
    content: &str,
) -> String {
    let turn = rotate
        .map(|a| format!(r#" transform="rotate({a} {x:.1} {y:.1})""#))
        .unwrap_or_default();
    format!(
        r#"<text x="{x:.1}" y="{y:.1}" font-size="{size}" text-anchor="{anchor}"{turn}{attributes}>{}</text>"#,
        esc(content)
    )
}

/// A decimal as f64, for drawing only.
pub fn to_f64(d: rust_decimal::Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_svg_and_html() {
        assert_eq!(
            esc(r#"3Da1 & "co" <x>"#),
            "3Da1 &amp; &quot;co&quot; &lt;x&gt;"
        );
        assert!(open(840.0, 360.0, "").ends_with(r#"sans-serif">"#));
        assert!(open(840.0, 360.0, "").contains(r#"width="840""#));
    }

    #[test]
    fn labels_are_written_one_way_and_measured_from_their_characters() {
        assert_eq!(
            text(10.0, 20.0, 12.0, "end", Some(-45.0), "", "1A1a & co"),
            r#"<text x="10.0" y="20.0" font-size="12" text-anchor="end" transform="rotate(-45 10.0 20.0)">1A1a &amp; co</text>"#
        );
        // Digits are wider than "i", Cyrillic capitals wider than lower case.
        assert!(text_width("1000", 10.0) > text_width("iiii", 10.0));
        assert!(text_width("Ж", 10.0) > text_width("а", 10.0));
        assert_eq!(text_width("", 12.0), 0.0);
    }
}
