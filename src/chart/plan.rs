//! The National Action Plan's charts on the report page (`airinv report
//! --scenarios --plants`): the projected national totals of each option
//! against its targets, small multiples of one pollutant each; and the
//! plants' concentrations as a share of their limit values.
//!
//! Laid out as the page's other charts ([`super::report`]): the width of
//! two charts side by side, labels measured and kept clear of the lines
//! (checked by [`super::geometry::problems`]), legends under the plot.

use super::axis::{ticks, year_ticks};
use super::canvas::{self, esc, text, text_width};
use super::colour::{self, OKABE_ITO};
use super::report::{LegendItem, Mark, W, bar_slots, legend, number};
use crate::number::Separators;
use std::fmt::Write;

/// One option's projected values of a pollutant: (year, value).
pub struct Line {
    pub name: String,
    pub points: Vec<(i32, f64)>,
}

/// One panel: a pollutant, its options' lines and the targets (year, ceiling).
pub struct Panel {
    pub title: String,
    pub lines: Vec<Line>,
    pub targets: Vec<(i32, f64)>,
}

const PANEL_W: f64 = 300.0;
const PANEL_H: f64 = 190.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 24.0;

/// The colour of the `i`-th option (the Okabe–Ito sequence).
pub fn option_colour(i: usize) -> &'static str {
    OKABE_ITO[i % 7]
}

/// Projected emissions per pollutant (two panels per line), a line per
/// option in its colour, the targets as red bars across their year.
pub fn projections(
    title: &str,
    panels: &[Panel],
    target_word: &str,
    separators: Separators,
) -> String {
    let rows = panels.len().div_ceil(2).max(1);
    let names: Vec<&str> = panels
        .first()
        .map(|p| p.lines.iter().map(|l| l.name.as_str()).collect())
        .unwrap_or_default();
    let mut items: Vec<LegendItem> = names
        .iter()
        .enumerate()
        .map(|(i, n)| LegendItem {
            mark: Mark::Line(option_colour(i), false),
            name: n.to_string(),
        })
        .collect();
    items.push(LegendItem {
        mark: Mark::Line(colour::LIMIT, false),
        name: target_word.to_string(),
    });
    let body_h = 40.0 + PANEL_H * rows as f64;
    let mut body = String::new();
    for (i, p) in panels.iter().enumerate() {
        let x0 = (i % 2) as f64 * PANEL_W;
        let y0 = 40.0 + (i / 2) as f64 * PANEL_H;
        panel(&mut body, p, x0, y0, separators);
    }
    let mut legend_svg = String::new();
    let legend_h = legend(&mut legend_svg, body_h + 6.0, &items);
    let height = body_h + 6.0 + legend_h + 8.0;
    document(title, height, &body, &legend_svg)
}

fn panel(s: &mut String, p: &Panel, x0: f64, y0: f64, separators: Separators) {
    let years: Vec<i32> = p
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(y, _)| *y))
        .chain(p.targets.iter().map(|(y, _)| *y))
        .collect();
    let (first, last) = match (years.iter().min(), years.iter().max()) {
        (Some(f), Some(l)) if l > f => (*f, *l),
        (Some(f), _) => (*f - 1, *f + 1),
        _ => return,
    };
    let max = p
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(_, v)| *v))
        .chain(p.targets.iter().map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let yt = ticks(max * 1.05);
    let top = *yt.last().unwrap_or(&1.0);
    let (pw, ph) = (PANEL_W - LEFT - RIGHT, PANEL_H - TOP - BOTTOM);
    // Half a year of room at each end, so that markers stay inside.
    let span = f64::from(last - first) + 1.0;
    let px = |y: f64| x0 + LEFT + (y - f64::from(first) + 0.5) / span * pw;
    let py = |v: f64| y0 + TOP + ph - v / top * ph;
    let _ = writeln!(
        s,
        "{}",
        text(
            x0 + LEFT,
            y0 + 16.0,
            12.0,
            "start",
            None,
            r#" font-weight="bold""#,
            &p.title
        )
    );
    for t in &yt {
        let y = py(*t);
        let _ = writeln!(
            s,
            r##"<line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e4e4e4"/>{}"##,
            x0 + LEFT,
            x0 + LEFT + pw,
            text(
                x0 + LEFT - 4.0,
                y + 3.5,
                10.0,
                "end",
                None,
                "",
                &number(*t, separators)
            )
        );
    }
    // Label the years of the data, or at most about six.
    let mut labelled: Vec<i32> = years.clone();
    labelled.sort_unstable();
    labelled.dedup();
    if labelled.len() > 6 {
        labelled = year_ticks(first, last);
    }
    for y in labelled {
        let _ = writeln!(
            s,
            "{}",
            text(
                px(f64::from(y)),
                y0 + PANEL_H - BOTTOM + 17.0,
                10.0,
                "middle",
                None,
                "",
                &y.to_string()
            )
        );
    }
    for (y, v) in &p.targets {
        let (cx, cy) = (px(f64::from(*y)), py(*v));
        let _ = writeln!(
            s,
            r#"<line class="ref" x1="{:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" stroke="{}" stroke-width="3"><title>{y}: {}</title></line>"#,
            cx - 12.0,
            cx + 12.0,
            colour::LIMIT,
            number(*v, separators)
        );
    }
    for (i, l) in p.lines.iter().enumerate() {
        let c = option_colour(i);
        let points: Vec<String> = l
            .points
            .iter()
            .map(|(y, v)| format!("{:.1},{:.1}", px(f64::from(*y)), py(*v)))
            .collect();
        let _ = writeln!(
            s,
            r#"<polyline class="series" points="{}" fill="none" stroke="{c}" stroke-width="2"/>"#,
            points.join(" ")
        );
        for (y, v) in &l.points {
            let _ = writeln!(
                s,
                r#"<circle class="mark" cx="{:.1}" cy="{:.1}" r="3" fill="{c}"><title>{} {y}: {}</title></circle>"#,
                px(f64::from(*y)),
                py(*v),
                esc(&l.name),
                number(*v, separators)
            );
        }
    }
}

/// One bar of [`limit_bars`]: a plant and pollutant, its concentration as
/// % of the limit value.
pub struct LimitBar {
    pub label: String,
    pub pct_of_limit: f64,
    pub colour: &'static str,
}

/// Bars of concentrations as % of their limit values, the 100 % line
/// dashed and labelled in the right margin, names under the bars (turned
/// when they do not fit), a legend (the colours' meaning) under it all.
pub fn limit_bars(
    title: &str,
    bars: &[LimitBar],
    limit_word: &str,
    items: &[(&'static str, String)],
    separators: Separators,
) -> String {
    const PLOT_TOP: f64 = 44.0;
    const PLOT_H: f64 = 200.0;
    let max = bars.iter().map(|b| b.pct_of_limit).fold(100.0, f64::max);
    let yt = ticks(max * 1.05);
    let top = *yt.last().unwrap_or(&100.0);
    let labels: Vec<String> = yt
        .iter()
        .map(|t| format!("{} %", number(*t, separators)))
        .collect();
    let axis_left = (labels
        .iter()
        .map(|l| text_width(l, 10.0))
        .fold(0.0, f64::max)
        + 14.0)
        .ceil();
    let limit_label = format!("{} %", number(100.0, separators));
    let right = 16.0 + text_width(&limit_label, 10.0) + 6.0;
    let widest = bars
        .iter()
        .map(|b| text_width(&b.label, 10.0))
        .fold(0.0, f64::max);
    let (left, slot, turned) = bar_slots(axis_left, right, bars.len(), widest, 10.0);
    let bar = (slot * 0.7).min(40.0);
    let base = PLOT_TOP + PLOT_H;
    let py = |v: f64| PLOT_TOP + PLOT_H * (1.0 - v / top);
    let mut body = String::new();
    for (t, l) in yt.iter().zip(&labels) {
        let y = py(*t);
        let _ = writeln!(
            body,
            r##"<line x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e4e4e4"/>{}"##,
            W - right,
            text(left - 5.0, y + 3.5, 10.0, "end", None, "", l)
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let y = py(b.pct_of_limit.max(0.0));
        let _ = writeln!(
            body,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{:.1}" fill="{}"><title>{}: {} %</title></rect>"#,
            base - y,
            b.colour,
            esc(&b.label),
            number(b.pct_of_limit, separators)
        );
        let cx = x + bar / 2.0;
        let label = if turned {
            text(
                cx + 3.0,
                base + 10.0,
                10.0,
                "end",
                Some(-45.0),
                "",
                &b.label,
            )
        } else {
            text(cx, base + 14.0, 10.0, "middle", None, "", &b.label)
        };
        let _ = writeln!(body, "{label}");
    }
    let ly = py(100.0);
    let _ = writeln!(
        body,
        r##"<line class="ref" x1="{left}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}" stroke="{}" stroke-dasharray="5,4" stroke-width="1.5"/>{}"##,
        W - right,
        colour::LIMIT,
        text(
            W - right + 5.0,
            ly + 4.0,
            10.0,
            "start",
            None,
            "",
            &limit_label
        )
    );
    let names_h = if turned {
        (widest + 10.0) * std::f64::consts::FRAC_1_SQRT_2 + 14.0
    } else {
        22.0
    };
    let mut legend_items: Vec<LegendItem> = items
        .iter()
        .map(|(c, n)| LegendItem {
            mark: Mark::Box(
                colour::Paint {
                    colour: c,
                    pattern: colour::Pattern::Solid,
                },
                1.0,
            ),
            name: n.clone(),
        })
        .collect();
    legend_items.push(LegendItem {
        mark: Mark::Line(colour::LIMIT, true),
        name: limit_word.to_string(),
    });
    let legend_top = base + names_h + 8.0;
    let mut legend_svg = String::new();
    let legend_h = legend(&mut legend_svg, legend_top, &legend_items);
    let height = legend_top + legend_h + 8.0;
    document(title, height, &body, &legend_svg)
}

/// A chart's document: its canvas, title, body and legend.
fn document(title: &str, height: f64, body: &str, legend: &str) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}<title>{}</title>",
        canvas::open(W, height, r#" font-size="12" role="img""#),
        esc(title)
    );
    let _ = writeln!(s, "{}", canvas::BACKGROUND);
    let _ = writeln!(
        s,
        "{}",
        text(
            12.0,
            24.0,
            14.0,
            "start",
            None,
            r#" font-weight="bold""#,
            title
        )
    );
    s.push_str(body);
    s.push_str(legend);
    s.push_str(canvas::CLOSE);
    s
}

#[cfg(test)]
mod tests {
    use super::super::geometry::problems;
    use super::*;

    #[test]
    fn projections_draw_a_line_per_option_and_the_targets() {
        let panel = |name: &str| Panel {
            title: format!("{name}, kt"),
            lines: vec![
                Line {
                    name: "WM".into(),
                    points: vec![(2024, 1303.8), (2030, 1303.8), (2040, 1303.8)],
                },
                Line {
                    name: "WAM".into(),
                    points: vec![(2024, 1303.8), (2030, 519.0), (2040, 470.0)],
                },
            ],
            targets: vec![(2030, 472.9), (2040, 472.9)],
        };
        let svg = projections(
            "Projected emissions",
            &[panel("SOx"), panel("NOx"), panel("PM2.5")],
            "target",
            Separators::PLAIN,
        );
        assert_eq!(svg.matches("<polyline").count(), 6);
        assert_eq!(svg.matches(r#"class="ref""#).count(), 6);
        assert!(problems(&svg).is_empty(), "{:?}", problems(&svg));
    }

    #[test]
    fn limit_bars_mark_the_limit_and_keep_labels_clear() {
        let bars: Vec<LimitBar> = (0..12)
            .map(|i| LimitBar {
                label: format!("Ekibastuz GRES-{i} SO2"),
                pct_of_limit: 80.0 + 40.0 * f64::from(i),
                colour: OKABE_ITO[i as usize % 3],
            })
            .collect();
        let svg = limit_bars(
            "Plants",
            &bars,
            "limit value",
            &[(OKABE_ITO[0], "SO2".into())],
            Separators::PLAIN,
        );
        assert_eq!(svg.matches(r#"class="bar""#).count(), 12);
        assert!(svg.contains(">100 %</text>"));
        assert!(problems(&svg).is_empty(), "{:?}", problems(&svg));
    }
}
