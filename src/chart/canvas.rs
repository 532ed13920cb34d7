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
}
