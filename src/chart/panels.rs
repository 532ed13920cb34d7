//! Panels of bars, two per line, under a title and a legend line: the
//! Pareto chart of key categories (`kca --plot`, [`super::key_categories`])
//! and the largest contributors to uncertainty (`uncertainty --plot`,
//! [`super::contributors`]).

use super::axis::label;
use super::canvas::{self, esc};
use super::colour;
use std::fmt::Write;

/// One bar.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    /// Share, in % (0-100).
    pub value: f64,
    /// Drawn solid (a key category); light otherwise.
    pub highlight: bool,
    /// The bar's GNFR sector (`A_PublicPower`): its paint on every chart.
    pub sector: String,
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

/// The title and the legend line of a chart of panels.
pub fn heading(s: &mut String, title: &str, legend: &str) {
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
}

/// Draws the panels (two per line) under a title and a legend line.
pub fn svg(panels: &[Panel], title: &str, legend: &str) -> String {
    let rows = panels.len().div_ceil(COLUMNS).max(1);
    let width = PANEL_W * COLUMNS as f64;
    let height = PANEL_H * rows as f64 + 60.0;
    let mut s = String::new();
    let _ = writeln!(s, "{}", canvas::open(width, height, ""));
    let _ = writeln!(s, "{}", canvas::BACKGROUND);
    s.push_str(&colour::defs(
        panels
            .iter()
            .flat_map(|p| p.bars.iter().map(|b| colour::sector(&b.sector))),
    ));
    heading(&mut s, title, legend);
    for (i, p) in panels.iter().enumerate() {
        let x0 = (i % COLUMNS) as f64 * PANEL_W;
        let y0 = 60.0 + (i / COLUMNS) as f64 * PANEL_H;
        panel(&mut s, p, x0, y0);
    }
    s.push_str(canvas::CLOSE);
    s
}

/// The top of a panel's scale: 100 % for a cumulative panel, else the
/// largest bar rounded up to ten.
fn scale_top(p: &Panel) -> f64 {
    if p.cumulative {
        100.0
    } else {
        let m = p.bars.iter().map(|b| b.value).fold(0.0f64, f64::max);
        ((m / 10.0).ceil() * 10.0).clamp(10.0, 100.0)
    }
}

/// The gridlines of a scale: its quarters (12.5 % and 37.5 % of 50 %).
fn gridlines(top: f64) -> Vec<f64> {
    (0..=4).map(|i| top * f64::from(i) / 4.0).collect()
}

fn panel(s: &mut String, p: &Panel, x0: f64, y0: f64) {
    let (pw, ph) = (PANEL_W - MARGIN_L - MARGIN_R, PANEL_H - MARGIN_T - MARGIN_B);
    let ymax = scale_top(p);
    let py = |v: f64| y0 + MARGIN_T + ph - v.clamp(0.0, ymax) / ymax * ph;
    let _ = writeln!(s, r#"<g>"#);
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" font-size="13" font-weight="bold">{}</text>"#,
        x0 + MARGIN_L,
        y0 + 18.0,
        esc(&p.title)
    );
    for v in gridlines(ymax) {
        let y = py(v);
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{} %</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            x0 + MARGIN_L - 4.0,
            y + 3.0,
            label(v)
        );
    }
    let n = p.bars.len().max(1) as f64;
    let slot = pw / n;
    let mut cum = 0.0;
    let mut points = Vec::new();
    for (i, b) in p.bars.iter().enumerate() {
        let x = x0 + MARGIN_L + i as f64 * slot;
        let top = py(b.value);
        let paint = colour::sector(&b.sector).fill();
        let opacity = if b.highlight { 1.0 } else { 0.35 };
        let _ = writeln!(
            s,
            r#"<rect class="bar" x="{:.1}" y="{top:.1}" width="{:.1}" height="{:.1}" fill="{paint}" fill-opacity="{opacity}"><title>{}: {:.2} %</title></rect>"#,
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
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="1.5"/>"#,
            points.join(" "),
            colour::CUMULATIVE
        );
    }
    if let Some(t) = p.threshold {
        let y = py(t);
        let _ = writeln!(
            s,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-dasharray="5,3"/>"#,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            colour::LIMIT
        );
    }
    let _ = writeln!(s, "</g>");
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
                    sector: "A_PublicPower".into(),
                },
                Bar {
                    label: "3Da1 & co".into(),
                    value: 40.0,
                    highlight: false,
                    sector: "L_AgriOther".into(),
                },
            ],
            cumulative: true,
            threshold: Some(80.0),
        };
        let s = svg(&[p], "Key categories", "legend");
        assert_eq!(s.matches(r#"<rect class="bar" x="#).count(), 2);
        // In the paint of their sectors: 1A1a (A) solid blue, 3Da1 (L, the 12th) sky blue hatched, light.
        assert!(s.contains(r##"fill="#0072B2" fill-opacity="1""##));
        assert!(s.contains(r#"fill="url(#hatch-56B4E9)" fill-opacity="0.35""#));
        assert!(s.contains("1A1a: 60.00 %"));
        assert!(s.contains("3Da1 &amp; co"));
        assert!(s.contains("<polyline"));
        assert!(s.contains("stroke-dasharray"));
    }

    #[test]
    fn gridlines_are_labelled_at_their_values() {
        let p = Panel {
            title: "SOx".into(),
            bars: vec![Bar {
                label: "1A1a".into(),
                value: 41.0,
                highlight: true,
                sector: "A_PublicPower".into(),
            }],
            cumulative: false,
            threshold: None,
        };
        assert_eq!(scale_top(&p), 50.0);
        let s = svg(&[p], "Contributors", "legend");
        for shown in ["0 %", "12.5 %", "25 %", "37.5 %", "50 %"] {
            assert!(s.contains(&format!(">{shown}</text>")), "{shown}");
        }
        assert!(!s.contains(">12 %<") && !s.contains(">38 %<"));
    }
}
