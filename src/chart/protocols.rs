//! Each protocol pollutant's time series against its base-year level and
//! commitment line (`compare --plot`), as SVG or PNG.

use super::axis::{label, ticks, year_ticks};
use super::canvas::{self, esc, to_f64};
use super::colour;
use crate::compare::{self, Comparison, Line};
use crate::error::Result;
use crate::notation_key::Cell;
use crate::source::YearTable;
use std::fmt::Write;
use std::path::Path;

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

/// Writes the chart of a comparison, one panel per protocol pollutant
/// with the series of the tables, as .svg or .png.
pub fn write(path: &Path, cmp: &Comparison, tables: &[YearTable]) -> Result<()> {
    let panels: Vec<Panel<'_>> = cmp
        .lines
        .iter()
        .map(|l| Panel {
            line: l,
            series: compare::series(tables, cmp.total_used, l.pollutant),
        })
        .collect();
    let title = format!(
        "Emissions against protocol base years{}",
        cmp.party
            .as_ref()
            .map(|p| format!(" and the commitments of {p}"))
            .unwrap_or_default()
    );
    super::write(path, &svg(cmp, &panels, &title))
}

/// Draws the comparison as an SVG document.
pub fn svg(cmp: &Comparison, panels: &[Panel<'_>], title: &str) -> String {
    let rows = panels.len().div_ceil(COLUMNS);
    let width = PANEL_W * COLUMNS as f64;
    let height = PANEL_H * rows as f64 + 60.0;
    let mut s = String::new();
    let _ = writeln!(s, "{}", canvas::open(width, height, ""));
    let _ = writeln!(s, "{}", canvas::BACKGROUND);
    // The row code is escaped with the rest of the legend.
    super::panels::heading(
        &mut s,
        title,
        &format!(
            "{} · year {} · solid: emissions; dashed grey: base-year level; red: commitment ceiling",
            cmp.total_used.row_code(),
            cmp.year
        ),
    );
    for (i, panel) in panels.iter().enumerate() {
        let x0 = (i % COLUMNS) as f64 * PANEL_W;
        let y0 = 60.0 + (i / COLUMNS) as f64 * PANEL_H;
        draw_panel(&mut s, panel, cmp.year, x0, y0);
    }
    s.push_str(canvas::CLOSE);
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
    // The commitment's source: the Party's, the user's file, the Protocol's.
    let title = format!(
        "{} ({}) · {}{}",
        line.pollutant.id(),
        line.unit,
        line.protocol.name(),
        line.commitment
            .as_ref()
            .map(|c| match &c.of {
                crate::commitment::CommitmentOf::Protocol => String::new(),
                of => format!(" · {}", of.label()),
            })
            .unwrap_or_default()
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
    for ty in year_ticks(first, last) {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{ty}</text>"#,
            px(ty),
            y0 + PANEL_H - MARGIN_B + 14.0
        );
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
            r##"<line class="base" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#777" stroke-dasharray="5,4"/><text x="{:.1}" y="{:.1}" font-size="10" fill="#555">{} level{}</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            x0 + MARGIN_L + 4.0,
            py(b) - 4.0,
            line.base_year,
            match &line.what_if {
                Some(_) => format!(" (what-if; Protocol: {})", line.protocol_base_year),
                None => String::new(),
            },
            y = py(b)
        );
    }
    if let (Some(c), Some(commitment)) = (ceiling, &line.commitment) {
        let _ = writeln!(
            s,
            r##"<line class="ceiling" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{limit}" stroke-width="1.5"/><text x="{:.1}" y="{:.1}" font-size="10" fill="{limit}" text-anchor="end">commitment {}</text>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            x0 + MARGIN_L + pw - 4.0,
            py(c) + 12.0,
            esc(&commitment.describe()),
            y = py(c),
            limit = colour::LIMIT
        );
    }
    draw_series(s, panel, &points, year, &px, &py);
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

/// The series: a line through consecutive numeric years (a year without a
/// number breaks it), a dot per year, larger for the year compared.
fn draw_series(
    s: &mut String,
    panel: &Panel<'_>,
    points: &[(i32, f64)],
    year: i32,
    px: &dyn Fn(i32) -> f64,
    py: &dyn Fn(f64) -> f64,
) {
    let mut path = String::new();
    let mut prev: Option<i32> = None;
    for (y, v) in points {
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
        r#"<path class="series" d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
        path.trim(),
        colour::SERIES
    );
    for (y, v) in points {
        let r = if *y == year { 4.5 } else { 2.5 };
        let fill = colour::SERIES;
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{:.1}" r="{r}" fill="{fill}"><title>{y}: {}</title></circle>"#,
            px(*y),
            py(*v),
            label(*v)
        );
    }
}
