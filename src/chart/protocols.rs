//! Each protocol pollutant's time series against its base-year level and
//! commitment line (`compare --plot`), as SVG or PNG.

use super::axis::{label, ticks, year_ticks};
use super::canvas::{self, esc, text, text_width, to_f64};
use super::colour;
use super::geometry::{Shape, place};
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
const MARGIN_R: f64 = 22.0;
const MARGIN_T: f64 = 34.0;
const MARGIN_B: f64 = 34.0;
/// The space between the plot's sides and its first and last years.
const INSET: f64 = 12.0;

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
            "{} · year {} · solid: emissions (a gap where a year is missing, ○ the years beside it); dashed grey: base-year level; red: commitment ceiling",
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
    // The first and last years a marker's width inside the plot, clear of
    // the tick labels at its left.
    let px = |y: i32| {
        x0 + MARGIN_L + INSET + (y - first) as f64 / (last - first) as f64 * (pw - 2.0 * INSET)
    };
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
            y0 + PANEL_H - MARGIN_B + 17.0
        );
    }
    let _ = writeln!(
        s,
        r##"<rect x="{:.1}" y="{:.1}" width="{pw:.1}" height="{ph:.1}" fill="none" stroke="#999"/>"##,
        x0 + MARGIN_L,
        y0 + MARGIN_T
    );
    let area = (
        x0 + MARGIN_L + 2.0,
        y0 + MARGIN_T + 2.0,
        x0 + MARGIN_L + pw - 2.0,
        y0 + MARGIN_T + ph - 2.0,
    );
    let mut obstacles = draw_series(s, &points, year, &px, &py);
    // Base-year level and commitment ceiling: the lines, then their labels
    // where they touch neither the series nor each other.
    let mut labels: Vec<(f64, String, String)> = Vec::new();
    if let Some(b) = base {
        let y = py(b);
        let _ = writeln!(
            s,
            r##"<line class="base" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#777" stroke-dasharray="5,4"/>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
        );
        obstacles.push(Shape::segment((x0 + MARGIN_L, y), (x0 + MARGIN_L + pw, y)));
        labels.push((
            y,
            format!(
                "{} level{}",
                line.base_year,
                match &line.what_if {
                    Some(_) => format!(" (what-if; Protocol: {})", line.protocol_base_year),
                    None => String::new(),
                }
            ),
            r##" fill="#555""##.into(),
        ));
    }
    if let (Some(c), Some(commitment)) = (ceiling, &line.commitment) {
        let y = py(c);
        let _ = writeln!(
            s,
            r##"<line class="ceiling" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{limit}" stroke-width="1.5"/>"##,
            x0 + MARGIN_L,
            x0 + MARGIN_L + pw,
            limit = colour::LIMIT
        );
        obstacles.push(Shape::segment((x0 + MARGIN_L, y), (x0 + MARGIN_L + pw, y)));
        labels.push((
            y,
            format!("commitment {}", commitment.describe()),
            format!(r#" fill="{}""#, colour::LIMIT),
        ));
    }
    for (y, words, attributes) in &labels {
        let y = *y;
        let width = text_width(words, 10.0);
        let (l, r) = (x0 + MARGIN_L + 4.0, x0 + MARGIN_L + pw - 4.0);
        // Above or below the line, at the left or the right end, then in the middle.
        let spots = [
            (l, y - 4.0, "start"),
            (l, y + 11.0, "start"),
            (r, y - 4.0, "end"),
            (r, y + 11.0, "end"),
            ((l + r) / 2.0, y - 4.0, "middle"),
            ((l + r) / 2.0, y + 11.0, "middle"),
        ];
        let candidates: Vec<Shape> = spots
            .iter()
            .map(|(x, y, a)| Shape::label(*x, *y, 10.0, a, None, width))
            .collect();
        let chosen = place(&candidates, area, &obstacles);
        let k = candidates.iter().position(|c| c == chosen).unwrap_or(0);
        let (x, ty, anchor) = spots[k];
        let _ = writeln!(s, "{}", text(x, ty, 10.0, anchor, None, attributes, words));
        obstacles.push(chosen.clone());
    }
    if line.base.is_none() && !panel.series.iter().any(|(y, _)| *y == line.base_year) {
        let words = format!("no {} in the series", line.base_year);
        let width = text_width(&words, 10.0);
        let spots = [
            (x0 + MARGIN_L + 4.0, y0 + MARGIN_T + 12.0),
            (x0 + MARGIN_L + 4.0, y0 + MARGIN_T + ph - 6.0),
            (x0 + MARGIN_L + 4.0, y0 + MARGIN_T + ph / 2.0),
        ];
        let candidates: Vec<Shape> = spots
            .iter()
            .map(|(x, y)| Shape::label(*x, *y, 10.0, "start", None, width))
            .collect();
        let chosen = place(&candidates, area, &obstacles);
        let k = candidates.iter().position(|c| c == chosen).unwrap_or(0);
        let _ = writeln!(
            s,
            "{}",
            text(
                spots[k].0,
                spots[k].1,
                10.0,
                "start",
                None,
                r##" fill="#888""##,
                &words
            )
        );
    }
    if points.is_empty() {
        let _ = writeln!(
            s,
            "{}",
            text(
                x0 + MARGIN_L + pw / 2.0,
                y0 + MARGIN_T + ph / 2.0,
                11.0,
                "middle",
                None,
                r##" fill="#888""##,
                "no numbers in the series"
            )
        );
    }
    s.push_str("</g>\n");
}

/// The series: a line through consecutive years with numbers (a year
/// without one, missing from the tables or a notation key, breaks it), a
/// dot per year, larger for the year compared, and a ring around the years
/// beside a missing one. Returns the shapes drawn, for the labels to avoid.
fn draw_series(
    s: &mut String,
    points: &[(i32, f64)],
    year: i32,
    px: &dyn Fn(i32) -> f64,
    py: &dyn Fn(f64) -> f64,
) -> Vec<Shape> {
    let mut drawn = Vec::new();
    let mut path = String::new();
    for (i, (y, v)) in points.iter().enumerate() {
        let joined = i > 0 && points[i - 1].0 + 1 == *y;
        let (x, vy) = (px(*y), py(*v));
        let _ = write!(path, "{}{x:.1},{vy:.1} ", if joined { 'L' } else { 'M' });
        if joined {
            drawn.push(Shape::segment(
                (px(points[i - 1].0), py(points[i - 1].1)),
                (x, vy),
            ));
        }
    }
    let _ = writeln!(
        s,
        r#"<path class="series" d="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
        path.trim(),
        colour::SERIES
    );
    let first = points.first().map(|p| p.0);
    let last = points.last().map(|p| p.0);
    let has = |y: i32| points.iter().any(|p| p.0 == y);
    for (y, v) in points {
        let (x, vy) = (px(*y), py(*v));
        // Beside a gap: a neighbour year inside the series' span has no number.
        let beside_gap = (Some(*y) != first && !has(y - 1)) || (Some(*y) != last && !has(y + 1));
        let r = if *y == year { 4.5 } else { 2.5 };
        let _ = writeln!(
            s,
            r#"<circle class="mark" cx="{x:.1}" cy="{vy:.1}" r="{r}" fill="{}"><title>{y}: {}</title></circle>"#,
            colour::SERIES,
            label(*v)
        );
        let mut outer = r;
        if beside_gap {
            outer = r + 3.0;
            let _ = writeln!(
                s,
                r#"<circle class="mark gap" cx="{x:.1}" cy="{vy:.1}" r="{outer}" fill="none" stroke="{}" stroke-width="1.5"><title>{y}: beside a missing year</title></circle>"#,
                colour::SERIES
            );
        }
        drawn.push(Shape::rect(x - outer, vy - outer, 2.0 * outer, 2.0 * outer));
    }
    drawn
}
