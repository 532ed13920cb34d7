//! Pictures for the Informative Inventory Report: each protocol
//! pollutant's time series against its base-year level and commitment line,
//! drawn as SVG (plain text, pasteable into Word or LibreOffice, convertible
//! to PNG). Coordinates are floating point: plots are the one place besides
//! Monte Carlo where airinv uses f64.

use crate::compare::{Comparison, Line};
use crate::notation_key::Cell;
use std::fmt::Write;

/// One panel: a pollutant's series and its reference lines.
pub struct Panel<'a> {
    pub line: &'a Line,
    pub series: Vec<(i32, Cell)>,
}

const PANEL_W: f64 = 380.0;
const PANEL_H: f64 = 250.0;
const COLUMNS: usize = 3;
const MARGIN_L: f64 = 62.0;
const MARGIN_R: f64 = 16.0;
const MARGIN_T: f64 = 34.0;
const MARGIN_B: f64 = 34.0;

/// Text escaped for SVG and HTML (every chart and page of airinv uses this one).
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A decimal as f64, for drawing only.
pub(crate) fn to_f64(d: rust_decimal::Decimal) -> f64 {
    use rust_decimal::prelude::ToPrimitive;
    d.to_f64().unwrap_or(0.0)
}

/// Round numbers for an axis from 0 to `max`.
pub(crate) fn ticks(max: f64) -> Vec<f64> {
    if max <= 0.0 || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    (0..=((max / step).ceil() as usize))
        .map(|i| i as f64 * step)
        .collect()
}

fn label(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{}", (v * 100.0).round() / 100.0)
    } else if v.abs() >= 0.0001 {
        // Four significant digits, without trailing zeros.
        let digits = (4 - v.abs().log10().floor() as i32 - 1).clamp(0, 8) as usize;
        let t = format!("{v:.digits$}");
        t.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        format!("{v:.2e}")
    }
}

/// Draws the comparison as an SVG document.
pub fn svg(cmp: &Comparison, panels: &[Panel<'_>], title: &str) -> String {
    let rows = panels.len().div_ceil(COLUMNS);
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
        r##"<text x="12" y="44" font-size="11" fill="#444">{} · year {} · solid: emissions; dashed grey: base-year level; red: commitment ceiling</text>"##,
        esc(cmp.total_used.row_code()),
        cmp.year
    );
    for (i, panel) in panels.iter().enumerate() {
        let x0 = (i % COLUMNS) as f64 * PANEL_W;
        let y0 = 60.0 + (i / COLUMNS) as f64 * PANEL_H;
        draw_panel(&mut s, panel, cmp.year, x0, y0);
    }
    s.push_str("</svg>\n");
    s
}

fn draw_panel(s: &mut String, panel: &Panel<'_>, year: i32, x0: f64, y0: f64) {
    let line = panel.line;
    let points: Vec<(i32, f64)> = panel
        .series
        .iter()
        .filter_map(|(y, c)| c.number().map(|d| (*y, to_f64(d))))
        .collect();
    let base = line.base.map(to_f64);
    let ceiling = line.ceiling.map(to_f64);
    let max = points
        .iter()
        .map(|p| p.1)
        .chain(base)
        .chain(ceiling)
        .fold(0.0f64, f64::max);
    let yt = ticks(max * 1.05);
    let ymax = *yt.last().unwrap_or(&1.0);
    let (first, last) = match (panel.series.first(), panel.series.last()) {
        (Some(f), Some(l)) => (f.0, l.0.max(f.0 + 1)),
        _ => (year - 1, year),
    };
    let (pw, ph) = (PANEL_W - MARGIN_L - MARGIN_R, PANEL_H - MARGIN_T - MARGIN_B);
    let px = |y: i32| x0 + MARGIN_L + (y - first) as f64 / (last - first) as f64 * pw;
    let py = |v: f64| y0 + MARGIN_T + ph - v / ymax * ph;
    let title = format!(
        "{} ({}) · {}",
        line.pollutant.id(),
        line.unit,
        line.protocol.name()
    );
    let _ = writeln!(
        s,
        r#"<g class="panel" data-pollutant="{}">"#,
        esc(line.pollutant.id())
    );
    let _ = writeln!(
        s,
        r#"<text x="{}" y="{}" font-size="13" font-weight="bold">{}</text>"#,
        x0 + 8.0,
        y0 + 18.0,
        esc(&title)
    );
    // Axes and grid.
    for t in &yt {
        let y = py(*t);
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e4e4e4"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            x0 + MARGIN_L - 4.0,
            y + 3.5,
            esc(&label(*t))
        );
    }
    let span = last - first;
    let step = [1, 2, 5, 10]
        .into_iter()
        .find(|k| span / k <= 6)
        .unwrap_or(10);
    let mut ty = first;
    while ty <= last {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{ty}</text>"#,
            px(ty),
            y0 + PANEL_H - MARGIN_B + 14.0
        );
        ty += step;
    }
    let _ = writeln!(
        s,
        r##"<rect x="{:.1}" y="{:.1}" width="{pw:.1}" height="{ph:.1}" fill="none" stroke="#999"/>"##,
        x0 + MARGIN_L,
        y0 + MARGIN_T
    );
    // Base-year level and commitment ceiling.
    if let Some(b) = base {
        let _ = writeln!(
            s,
            r##"<line class="base" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#777" stroke-dasharray="5,4"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#555">{} level</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            x0 + MARGIN_L + 4.0,
            py(b) - 4.0,
            line.base_year,
            y = py(b)
        );
    }
    if let (Some(c), Some(commitment)) = (ceiling, &line.commitment) {
        let _ = writeln!(
            s,
            r##"<line class="ceiling" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#c0392b" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#c0392b" text-anchor="end">commitment {}</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            x0 + MARGIN_L + pw - 4.0,
            py(c) + 12.0,
            esc(&commitment.describe()),
            y = py(c)
        );
    }
    // The series: a line through consecutive numeric years, a dot per year.
    let mut path = String::new();
    let mut prev: Option<i32> = None;
    for (y, v) in &points {
        // A year between two numbers that has none breaks the line.
        let gap = prev.is_none_or(|p| {
            panel
                .series
                .iter()
                .any(|(between, c)| *between > p && between < y && c.number().is_none())
        });
        let _ = write!(
            path,
            "{}{:.1},{:.1} ",
            if gap { 'M' } else { 'L' },
            px(*y),
            py(*v)
        );
        prev = Some(*y);
    }
    let _ = writeln!(
        s,
        r##"<path class="series" d="{}" fill="none" stroke="#1f5fa8" stroke-width="2"/>"##,
        path.trim()
    );
    for (y, v) in &points {
        let (r, fill) = if *y == year {
            (4.5, "#1f5fa8")
        } else {
            (2.5, "#1f5fa8")
        };
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{fill}"><title>{y}: {}</title></circle>"#,
            px(*y),
            py(*v),
            label(*v)
        );
    }
    if line.base.is_none() && !panel.series.iter().any(|(y, _)| *y == line.base_year) {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#888">no {} in the series</text>"##,
            x0 + MARGIN_L + 4.0,
            y0 + MARGIN_T + 12.0,
            line.base_year
        );
    }
    if points.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" font-size="11" fill="#888" text-anchor="middle">no numbers in the series</text>"##,
            x0 + MARGIN_L + pw / 2.0,
            y0 + MARGIN_T + ph / 2.0
        );
    }
    s.push_str("</g>\n");
}

/// Renders an SVG document to PNG at twice its size (for print), with the
/// system's fonts.
#[cfg(feature = "png")]
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    if opt.fontdb.is_empty() {
        return Err(
            "no fonts are installed, so the labels cannot be drawn; write an .svg instead".into(),
        );
    }
    let tree =
        usvg::Tree::from_str(svg, &opt).map_err(|e| format!("cannot read the picture: {e}"))?;
    let scale = 2.0;
    let size = tree.size();
    let mut pixmap = tiny_skia::Pixmap::new(
        (size.width() * scale) as u32,
        (size.height() * scale) as u32,
    )
    .ok_or("the picture has no size")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))
}

/// Without the `png` feature, only SVG is written.
#[cfg(not(feature = "png"))]
pub fn png(_svg: &str) -> Result<Vec<u8>, String> {
    Err("this airinv was built without the png feature; write an .svg instead".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(100.0), vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        assert!(*ticks(0.37).last().unwrap() >= 0.37);
        assert_eq!(ticks(0.0), vec![0.0, 1.0]);
        assert_eq!(label(0.6), "0.6");
        assert_eq!(label(0.000125), "0.000125");
        assert_eq!(label(250.0), "250");
    }
}
