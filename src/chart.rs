//! Bar charts for the Informative Inventory Report: the Pareto chart of key
//! categories (`kca --plot`) and the largest contributors to uncertainty
//! (`uncertainty --plot`), as SVG (PNG through [`crate::plot::png`]).
//! Coordinates are floating point, as in every picture airinv draws.

use crate::plot::esc;
use std::fmt::Write;

/// One bar.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// Share, in % (0-100).
    pub value: f64,
    /// Drawn in the highlight colour (a key category).
    pub highlight: bool,
}

/// One panel: bars in the order given, with the cumulative share as a line
/// and a threshold line when `threshold` is given.
#[derive(Debug, Clone)]
pub struct Panel {
    pub title: String,
    pub bars: Vec<Bar>,
    pub cumulative: bool,
    pub threshold: Option<f64>,
}

const PANEL_W: f64 = 420.0;
const PANEL_H: f64 = 300.0;
const COLUMNS: usize = 2;
const MARGIN_L: f64 = 44.0;
const MARGIN_R: f64 = 16.0;
const MARGIN_T: f64 = 30.0;
const MARGIN_B: f64 = 70.0;

/// Draws the panels (two per line) under a title and a legend line.
pub fn svg(panels: &[Panel], title: &str, legend: &str) -> String {
    let rows = panels.len().div_ceil(COLUMNS).max(1);
    let width = PANEL_W * COLUMNS as f64;
    let height = PANEL_H * rows as f64 + 60.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="12" y="24" font-size="16" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let _ = writeln!(
        s,
        r##"<text x="12" y="44" font-size="11" fill="#444">{}</text>"##,
        esc(legend)
    );
    for (i, p) in panels.iter().enumerate() {
        let x0 = (i % COLUMNS) as f64 * PANEL_W;
        let y0 = 60.0 + (i / COLUMNS) as f64 * PANEL_H;
        panel(&mut s, p, x0, y0);
    }
    s.push_str("</svg>\n");
    s
}

fn panel(s: &mut String, p: &Panel, x0: f64, y0: f64) {
    let (pw, ph) = (PANEL_W - MARGIN_L - MARGIN_R, PANEL_H - MARGIN_T - MARGIN_B);
    let ymax = if p.cumulative {
        100.0
    } else {
        let m = p.bars.iter().map(|b| b.value).fold(0.0f64, f64::max);
        ((m / 10.0).ceil() * 10.0).clamp(10.0, 100.0)
    };
    let py = |v: f64| y0 + MARGIN_T + ph - v.clamp(0.0, ymax) / ymax * ph;
    let _ = writeln!(s, r#"<g>"#);
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" font-size="13" font-weight="bold">{}</text>"#,
        x0 + MARGIN_L,
        y0 + 18.0,
        esc(&p.title)
    );
    for i in 0..=4 {
        let v = ymax * i as f64 / 4.0;
        let y = py(v);
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{v:.0} %</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            x0 + MARGIN_L - 4.0,
            y + 3.0
        );
    }
    let n = p.bars.len().max(1) as f64;
    let slot = pw / n;
    let mut cum = 0.0;
    let mut points = Vec::new();
    for (i, b) in p.bars.iter().enumerate() {
        let x = x0 + MARGIN_L + i as f64 * slot;
        let top = py(b.value);
        let colour = if b.highlight { "#1f6fb2" } else { "#a9c4dc" };
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{colour}"><title>{}: {:.2} %</title></rect>"#,
            x + slot * 0.1,
            slot * 0.8,
            (y0 + MARGIN_T + ph - top).max(0.0),
            esc(&b.label),
            b.value
        );
        let lx = x + slot / 2.0;
        let ly = y0 + MARGIN_T + ph + 6.0;
        let _ = writeln!(
            s,
            r#"<text x="{lx:.1}" y="{ly:.1}" font-size="9" text-anchor="end" transform="rotate(-60 {lx:.1} {ly:.1})">{}</text>"#,
            esc(&b.label)
        );
        cum += b.value;
        points.push(format!("{lx:.1},{:.1}", py(cum)));
    }
    if p.cumulative && !points.is_empty() {
        let _ = writeln!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#d35400" stroke-width="1.5"/>"##,
            points.join(" ")
        );
    }
    if let Some(t) = p.threshold {
        let y = py(t);
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#c0392b" stroke-dasharray="5,3"/>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw
        );
    }
    let _ = writeln!(s, "</g>");
}

/// Writes a picture as .svg or .png by the path's extension.
pub fn write(path: &std::path::Path, svg: &str) -> crate::error::Result<()> {
    use crate::error::Error;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => crate::output::write_bytes_atomically(path, svg.as_bytes()),
        Some("png") => {
            let bytes = crate::plot::png(svg).map_err(|e| Error::file(path, e))?;
            crate::output::write_bytes_atomically(path, &bytes)
        }
        _ => Err(Error::file(path, "the picture must be .svg or .png")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pareto_panel_draws_each_bar_and_the_cumulative_line() {
        let p = Panel {
            title: "NOx".into(),
            bars: vec![
                Bar {
                    label: "1A1a".into(),
                    value: 60.0,
                    highlight: true,
                },
                Bar {
                    label: "3Da1 & co".into(),
                    value: 40.0,
                    highlight: false,
                },
            ],
            cumulative: true,
            threshold: Some(80.0),
        };
        let s = svg(&[p], "Key categories", "legend");
        assert_eq!(s.matches("<rect x=").count(), 2);
        assert!(s.contains("1A1a: 60.00 %"));
        assert!(s.contains("3Da1 &amp; co"));
        assert!(s.contains("<polyline"));
        assert!(s.contains("stroke-dasharray"));
    }
}
