//! The report page's charts (`airinv report`), inline in the page and as
//! files beside it: a stacked bar chart of a pollutant's emissions by GNFR
//! sector over the years, and a Pareto chart of its key categories.
//!
//! Each sector has its paint on every chart ([`super::colour::sector`]),
//! and every series is also named in the legend under the plot, so the
//! chart reads in black and white too. The plot takes the chart's width;
//! labels are laid out by their measured width ([`super::canvas::text_width`])
//! so that none leaves the canvas or touches a bar or a line (the tests
//! check it with [`super::geometry::problems`]). Numbers are written with
//! the page's separators (`12,5` and `1 000` in Russian).

use super::axis::{label, ticks};
use super::canvas::{self, esc, text, text_width};
use super::colour::{self, Paint};
use crate::number::{Separators, with_separators};
use std::fmt::Write;

/// One stacked series: the name in the legend, its paint, a value per category (year).
pub struct Series {
    pub name: String,
    pub paint: Paint,
    pub values: Vec<f64>,
}

/// The chart's width: two charts side by side on a page 1 240 px wide.
pub const W: f64 = 600.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 44.0;
const PLOT_H: f64 = 220.0;
const TITLE: f64 = 14.0;
const FONT: f64 = 12.0;
const SMALL: f64 = 10.0;

/// An axis value with the page's separators.
pub fn number(v: f64, separators: Separators) -> String {
    with_separators(&label(v), separators)
}

/// The opening of a chart: document, title and the patterns it uses.
fn open(s: &mut String, height: f64, title: &str, paints: &[Paint]) {
    let _ = writeln!(
        s,
        "{}<title>{}</title>",
        canvas::open(W, height, r#" font-size="12" role="img""#),
        esc(title)
    );
    let _ = writeln!(s, "{}", canvas::BACKGROUND);
    s.push_str(&colour::defs(paints.iter().copied()));
    let _ = writeln!(
        s,
        "{}",
        text(
            12.0,
            24.0,
            TITLE,
            "start",
            None,
            r#" font-weight="bold""#,
            title
        )
    );
}

/// A vertical axis from 0 to the top tick at or above a maximum: its
/// ticks with their labels (`suffix` after each value).
struct ValueAxis {
    ticks: Vec<f64>,
    labels: Vec<String>,
    top: f64,
    /// The narrowest left margin that holds the labels and the unit.
    left: f64,
}

impl ValueAxis {
    fn new(max: f64, unit: &str, separators: Separators, suffix: &str) -> ValueAxis {
        let ticks = ticks(max);
        let top = *ticks.last().unwrap_or(&1.0);
        let labels: Vec<String> = ticks
            .iter()
            .map(|t| format!("{}{suffix}", number(*t, separators)))
            .collect();
        let widest = labels
            .iter()
            .map(|l| text_width(l, SMALL))
            .fold(0.0, f64::max);
        let unit_room = if unit.is_empty() { 4.0 } else { 22.0 };
        ValueAxis {
            ticks,
            labels,
            top,
            left: (unit_room + widest + 8.0).ceil(),
        }
    }
}

/// Draws the axis with the plot from `left` to `right` pixels from the
/// right edge: gridlines with their values, the unit turned along the axis.
fn value_axis(s: &mut String, axis: &ValueAxis, unit: &str, left: f64, right: f64) {
    for (t, l) in axis.ticks.iter().zip(&axis.labels) {
        let y = TOP + PLOT_H * (1.0 - t / axis.top);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#dddddd"/>{}"##,
            text(left - 5.0, y + 3.5, SMALL, "end", None, "", l),
            x2 = W - right,
        );
    }
    if !unit.is_empty() {
        let y = TOP + PLOT_H / 2.0;
        let _ = writeln!(
            s,
            "{}",
            text(14.0, y, FONT, "middle", Some(-90.0), "", unit)
        );
    }
}

/// A legend under the plot from `top`: boxes (or lines) with names, in as
/// many columns as fit. Returns the height it takes.
pub(crate) fn legend(s: &mut String, top: f64, items: &[LegendItem]) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    let widest = items
        .iter()
        .map(|i| text_width(&i.name, SMALL + 1.0))
        .fold(0.0, f64::max);
    let column = widest + 30.0;
    let columns = (((W - 24.0) / column).floor() as usize).clamp(1, items.len());
    let column = (W - 24.0) / columns as f64;
    let rows = items.len().div_ceil(columns);
    for (k, item) in items.iter().enumerate() {
        let x = 12.0 + column * (k % columns) as f64;
        let y = top + 18.0 * (k / columns) as f64;
        match &item.mark {
            Mark::Box(paint, opacity) => {
                let _ = write!(
                    s,
                    r##"<rect x="{x:.1}" y="{y:.1}" width="12" height="12" fill="{}" fill-opacity="{opacity}" stroke="#666" stroke-width="0.5"/>"##,
                    paint.fill()
                );
            }
            Mark::Line(colour, dash) => {
                let _ = write!(
                    s,
                    r#"<line x1="{x:.1}" y1="{ly:.1}" x2="{x2:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="2"{d}/>"#,
                    ly = y + 6.0,
                    x2 = x + 14.0,
                    d = if *dash {
                        r#" stroke-dasharray="4,3""#
                    } else {
                        ""
                    }
                );
            }
        }
        let _ = writeln!(
            s,
            "{}",
            text(
                x + 20.0,
                y + 10.0,
                SMALL + 1.0,
                "start",
                None,
                "",
                &item.name
            )
        );
    }
    18.0 * rows as f64
}

/// What a legend line shows before its name.
pub(crate) enum Mark {
    /// A box of the paint, with its opacity.
    Box(Paint, f64),
    /// A line of the colour, dashed or not.
    Line(&'static str, bool),
}

/// One line of a legend.
pub(crate) struct LegendItem {
    pub mark: Mark,
    pub name: String,
}

/// The plot's left edge and slot width for `n` bars whose names are at
/// most `widest` pixels at `size`, and whether the names are turned (45°,
/// hanging down to the left of their bar, when they do not fit their
/// slot): at least `axis_left`, and far enough right that the first
/// turned name stays on the canvas.
pub(crate) fn bar_slots(
    axis_left: f64,
    right: f64,
    n: usize,
    widest: f64,
    size: f64,
) -> (f64, f64, bool) {
    let mut left = axis_left;
    loop {
        let slot = (W - right - left) / n.max(1) as f64;
        let turned = widest > slot - 4.0;
        // The turned name's far corner: 0.707 of its length and 0.566 of
        // its height left of its anchor, 3 px right of the bar's centre.
        let need = (std::f64::consts::FRAC_1_SQRT_2 * widest + 0.566 * size - slot / 2.0 - 3.0
            + super::geometry::EDGE
            + 1.0)
            .ceil();
        if !turned || need <= left {
            return (left, slot, turned);
        }
        left = need;
    }
}

/// Where each category's slot starts, in slot widths from the plot's
/// left, with half a slot more before a category that does not follow its
/// neighbour (a year missing between them): (starts, total width in slots).
fn slots(categories: &[String]) -> (Vec<f64>, f64, Vec<usize>) {
    let mut starts = Vec::new();
    let mut breaks = Vec::new();
    let mut at = 0.0;
    for (i, c) in categories.iter().enumerate() {
        if i > 0 {
            let prev: Option<i32> = categories[i - 1].parse().ok();
            let this: Option<i32> = c.parse().ok();
            if let (Some(p), Some(t)) = (prev, this)
                && t > p + 1
            {
                at += 0.5;
                breaks.push(i);
            }
        }
        starts.push(at);
        at += 1.0;
    }
    (starts, at.max(1.0), breaks)
}

/// Bars per category (year), stacked by series, with a legend under the
/// plot. Years that do not follow each other have a gap between their bars,
/// marked on the axis by a break (`//`).
pub fn stacked_bars(
    title: &str,
    unit: &str,
    categories: &[String],
    series: &[Series],
    separators: Separators,
) -> String {
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| series.iter().map(|x| x.values[i].max(0.0)).sum())
        .collect();
    let max = totals.iter().cloned().fold(0.0, f64::max);
    let items: Vec<LegendItem> = series
        .iter()
        .map(|x| LegendItem {
            mark: Mark::Box(x.paint, 1.0),
            name: x.name.clone(),
        })
        .collect();
    let mut body = String::new();
    let axis = ValueAxis::new(max, unit, separators, "");
    let (left, top) = (axis.left, axis.top);
    value_axis(&mut body, &axis, unit, left, RIGHT);
    let plot_w = W - RIGHT - left;
    let (starts, width, breaks) = slots(categories);
    let slot = plot_w / width;
    let bar = (slot * 0.7).min(70.0);
    let base = TOP + PLOT_H;
    for (i, cat) in categories.iter().enumerate() {
        let x = left + slot * starts[i] + (slot - bar) / 2.0;
        let mut y = base;
        for x_series in series {
            let v = x_series.values[i].max(0.0);
            let h = PLOT_H * v / top;
            if h > 0.0 {
                y -= h;
                let _ = writeln!(
                    body,
                    r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{c}"><title>{n} {cat}: {v}</title></rect>"#,
                    c = x_series.paint.fill(),
                    n = esc(&x_series.name),
                    v = number(v, separators)
                );
            }
        }
        let _ = writeln!(
            body,
            "{}",
            text(x + bar / 2.0, base + 16.0, FONT, "middle", None, "", cat)
        );
    }
    for i in breaks {
        // The break sits in the middle of the extra half slot.
        let bx = left + slot * (starts[i] - 0.25);
        let _ = writeln!(
            body,
            r##"<path d="M{:.1},{:.1} L{:.1},{:.1} M{:.1},{:.1} L{:.1},{:.1}" stroke="#555" stroke-width="1.2"/>"##,
            bx - 5.0,
            base + 5.0,
            bx - 1.0,
            base - 5.0,
            bx + 1.0,
            base + 5.0,
            bx + 5.0,
            base - 5.0
        );
    }
    let _ = writeln!(
        body,
        r##"<line x1="{left}" y1="{base}" x2="{x2}" y2="{base}" stroke="#555"/>"##,
        x2 = W - RIGHT
    );
    let legend_top = base + 34.0;
    let mut legend_svg = String::new();
    let legend_h = legend(&mut legend_svg, legend_top, &items);
    let height = legend_top + legend_h + 8.0;
    let paints: Vec<Paint> = series.iter().map(|x| x.paint).collect();
    let mut s = String::new();
    open(&mut s, height, title, &paints);
    s.push_str(&body);
    s.push_str(&legend_svg);
    s.push_str(canvas::CLOSE);
    s
}

/// One bar of a Pareto chart.
pub struct ParetoBar {
    pub name: String,
    pub share_pct: f64,
    pub paint: Paint,
    /// A key category: drawn solid; others light.
    pub key: bool,
}

/// The words of a Pareto chart's legend, in the page's language.
pub struct ParetoWords<'a> {
    /// The sectors' names, for the paints of the bars.
    pub sectors: Vec<(Paint, String)>,
    pub not_key: &'a str,
    pub cumulative: &'a str,
    pub threshold: &'a str,
}

/// The opacity of a bar that is not a key category.
const LIGHT: f64 = 0.35;

/// A Pareto chart: bars of each category's share (%), largest first,
/// painted by sector (light when not key), the cumulative share as a line
/// and the threshold (80 %) dashed, labelled in the margin on the right.
pub fn pareto(
    title: &str,
    bars: &[ParetoBar],
    threshold_pct: f64,
    words: &ParetoWords,
    separators: Separators,
) -> String {
    let mut body = String::new();
    let axis = ValueAxis::new(100.0, "", separators, " %");
    let top = axis.top;
    let threshold_label = format!("{} %", number(threshold_pct, separators));
    let right = RIGHT + text_width(&threshold_label, SMALL) + 8.0;
    let widest = bars
        .iter()
        .map(|b| text_width(&b.name, SMALL))
        .fold(0.0, f64::max);
    let (left, slot, turned) = bar_slots(axis.left, right, bars.len(), widest, SMALL);
    value_axis(&mut body, &axis, "", left, right);
    let bar = (slot * 0.7).min(40.0);
    let base = TOP + PLOT_H;
    let mut cumulative = 0.0;
    let mut points = Vec::new();
    let mut names = String::new();
    for (i, b) in bars.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let h = PLOT_H * b.share_pct.clamp(0.0, 100.0) / top;
        let y = base - h;
        cumulative += b.share_pct;
        let _ = writeln!(
            body,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{c}" fill-opacity="{o}"><title>{n}: {v} %</title></rect>"#,
            c = b.paint.fill(),
            o = if b.key { 1.0 } else { LIGHT },
            n = esc(&b.name),
            v = number(b.share_pct, separators)
        );
        let cx = x + bar / 2.0;
        let label = if turned {
            text(
                cx + 3.0,
                base + 10.0,
                SMALL,
                "end",
                Some(-45.0),
                "",
                &b.name,
            )
        } else {
            text(cx, base + 14.0, SMALL, "middle", None, "", &b.name)
        };
        let _ = writeln!(names, "{label}");
        points.push(format!(
            "{cx:.1},{:.1}",
            TOP + PLOT_H * (1.0 - cumulative.min(100.0) / top)
        ));
    }
    body.push_str(&names);
    let _ = writeln!(
        body,
        r#"<polyline class="series" points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
        points.join(" "),
        colour::CUMULATIVE
    );
    let ty = TOP + PLOT_H * (1.0 - threshold_pct / top);
    let _ = writeln!(
        body,
        r##"<line class="ref" x1="{left}" y1="{ty:.1}" x2="{x2}" y2="{ty:.1}" stroke="#000000" stroke-dasharray="5,4"/>{}"##,
        text(
            W - right + 5.0,
            ty + 4.0,
            SMALL,
            "start",
            None,
            "",
            &threshold_label
        ),
        x2 = W - right,
    );
    let _ = writeln!(
        body,
        r##"<line x1="{left}" y1="{base}" x2="{x2}" y2="{base}" stroke="#555"/>"##,
        x2 = W - right
    );
    // Room for the names under the axis: turned, their width at 45°.
    let names_h = if turned {
        (widest + SMALL) * std::f64::consts::FRAC_1_SQRT_2 + 14.0
    } else {
        22.0
    };
    let mut items: Vec<LegendItem> = words
        .sectors
        .iter()
        .map(|(p, name)| LegendItem {
            mark: Mark::Box(*p, 1.0),
            name: name.clone(),
        })
        .collect();
    items.push(LegendItem {
        mark: Mark::Box(colour::OTHER, LIGHT),
        name: words.not_key.to_string(),
    });
    items.push(LegendItem {
        mark: Mark::Line(colour::CUMULATIVE, false),
        name: words.cumulative.to_string(),
    });
    items.push(LegendItem {
        mark: Mark::Line("#000000", true),
        name: words.threshold.to_string(),
    });
    let legend_top = base + names_h + 8.0;
    let mut legend_svg = String::new();
    let legend_h = legend(&mut legend_svg, legend_top, &items);
    let height = legend_top + legend_h + 8.0;
    let paints: Vec<Paint> = bars.iter().map(|b| b.paint).collect();
    let mut s = String::new();
    open(&mut s, height, title, &paints);
    s.push_str(&body);
    s.push_str(&legend_svg);
    s.push_str(canvas::CLOSE);
    s
}

#[cfg(test)]
mod tests {
    use super::super::geometry::problems;
    use super::*;

    const RU: Separators = Separators {
        thousands: Some('\u{a0}'),
        decimal: ',',
    };

    #[test]
    fn stacked_bars_draw_one_rectangle_per_positive_value() {
        let svg = stacked_bars(
            "NOx",
            "kt",
            &["2021".into(), "2022".into()],
            &[
                Series {
                    name: "A Public power".into(),
                    paint: colour::sector("A_PublicPower"),
                    values: vec![2.0, 3.0],
                },
                Series {
                    name: "H Aviation".into(),
                    paint: colour::sector("H_Aviation"),
                    values: vec![1.0, 0.0],
                },
            ],
            Separators::PLAIN,
        );
        assert_eq!(svg.matches(r#"class="bar""#).count(), 3);
        // Each sector in its own paint; the hatched one defined once.
        assert_eq!(svg.matches(r##"fill="#0072B2"><title>"##).count(), 2);
        assert_eq!(
            svg.matches(r#"fill="url(#hatch-0072B2)"><title>"#).count(),
            1
        );
        assert_eq!(svg.matches(r#"id="hatch-0072B2""#).count(), 1);
        assert!(problems(&svg).is_empty(), "{:?}", problems(&svg));
        // No break between consecutive years.
        assert!(!svg.contains(r##"stroke-width="1.2""##));
    }

    #[test]
    fn years_apart_have_a_gap_marked_and_numbers_have_the_page_separators() {
        let svg = stacked_bars(
            "SOx",
            "кт",
            &["2005".into(), "2022".into()],
            &[Series {
                name: "A Электро- и теплоэнергетика".into(),
                paint: colour::sector("A_PublicPower"),
                values: vec![2500.0, 1250.0],
            }],
            RU,
        );
        assert_eq!(svg.matches(r##"stroke-width="1.2""##).count(), 1);
        // Gridlines at 0, 1 000, 2 000, 2 500 or so, with a no-break space.
        assert!(svg.contains(">1\u{a0}000</text>"), "{svg}");
        assert!(svg.contains("1\u{a0}250</title>"));
        assert!(problems(&svg).is_empty(), "{:?}", problems(&svg));
    }

    fn words() -> ParetoWords<'static> {
        ParetoWords {
            sectors: vec![(colour::sector("A_PublicPower"), "A Public power".into())],
            not_key: "light: not key",
            cumulative: "cumulative share",
            threshold: "threshold",
        }
    }

    #[test]
    fn pareto_paints_bars_by_sector_and_keeps_labels_clear() {
        let bars: Vec<ParetoBar> = [
            ("1A1a", 70.0, true),
            ("1A3bi", 20.0, true),
            ("3B1a", 10.0, false),
        ]
        .iter()
        .map(|(n, v, k)| ParetoBar {
            name: n.to_string(),
            share_pct: *v,
            paint: colour::sector(if n.starts_with('3') {
                "K_AgriLivestock"
            } else {
                "A_PublicPower"
            }),
            key: *k,
        })
        .collect();
        let svg = pareto("NOx", &bars, 80.0, &words(), Separators::PLAIN);
        assert_eq!(svg.matches(r#"fill-opacity="0.35""#).count(), 1 + 1);
        assert!(svg.contains(">80 %</text>"));
        assert!(problems(&svg).is_empty(), "{:?}", problems(&svg));
        // Fifteen long names are turned and still clear of each other and the edges.
        let many: Vec<ParetoBar> = (0..15)
            .map(|i| ParetoBar {
                name: format!("1A3aii(ii){i}"),
                share_pct: 100.0 / 15.0,
                paint: colour::sector("H_Aviation"),
                key: i < 12,
            })
            .collect();
        let svg = pareto("PM2.5", &many, 80.0, &words(), Separators::PLAIN);
        assert!(svg.contains("rotate(-45"));
        assert!(problems(&svg).is_empty(), "{:?}", problems(&svg));
        // The bars use the width: the last ends beyond three quarters of it.
        let last = svg.rfind(r#"class="bar" x=""#).unwrap();
        let x: f64 = svg[last + 15..].split('"').next().unwrap().parse().unwrap();
        assert!(x > 0.75 * W, "{x}");
    }
}
