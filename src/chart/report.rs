//! The report page's charts (`airinv report`), inline in the page and as
//! files beside it: a stacked bar chart of a pollutant's emissions by GNFR
//! sector over the years, and a Pareto chart of its key categories.
//! Colours are the Okabe–Ito palette ([`super::colour::OKABE_ITO`]), plus grey for
//! the rest; every series is also named in a legend, so the chart reads in
//! black and white too.

use super::axis::{label, ticks};
use super::canvas::{self, esc};
use super::colour::OKABE_ITO as PALETTE;
use std::fmt::Write;

/// One stacked series: its name and a value per category (year).
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

const W: f64 = 720.0;
const H: f64 = 360.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 230.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 40.0;

fn frame(s: &mut String, title: &str, unit: &str, max: f64) -> f64 {
    let _ = writeln!(
        s,
        "{}<title>{}</title>",
        canvas::open(W, H, r#" font-size="12" role="img""#),
        esc(title)
    );
    let _ = writeln!(s, "{}", canvas::BACKGROUND);
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let ticks = ticks(max);
    let top = *ticks.last().unwrap_or(&1.0);
    let plot_h = H - TOP - BOTTOM;
    for t in &ticks {
        let y = TOP + plot_h * (1.0 - t / top);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#dddddd"/><text x="{lx}" y="{ty:.1}" text-anchor="end">{l}</text>"##,
            x2 = W - RIGHT,
            lx = LEFT - 6.0,
            ty = y + 4.0,
            l = label(*t)
        );
    }
    let _ = writeln!(
        s,
        r#"<text x="14" y="{y}" transform="rotate(-90 14 {y})" text-anchor="middle">{u}</text>"#,
        y = TOP + plot_h / 2.0,
        u = esc(unit)
    );
    top
}

/// Bars per category (year), stacked by series, with a legend.
pub fn stacked_bars(title: &str, unit: &str, categories: &[String], series: &[Series]) -> String {
    let mut s = String::new();
    let totals: Vec<f64> = (0..categories.len())
        .map(|i| series.iter().map(|x| x.values[i].max(0.0)).sum())
        .collect();
    let max = totals.iter().cloned().fold(0.0, f64::max);
    let top = frame(&mut s, title, unit, max);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let slot = plot_w / categories.len().max(1) as f64;
    let bar = (slot * 0.7).min(60.0);
    for (i, cat) in categories.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = TOP + plot_h;
        for (k, x_series) in series.iter().enumerate() {
            let v = x_series.values[i].max(0.0);
            let h = plot_h * v / top;
            if h > 0.0 {
                y -= h;
                let _ = writeln!(
                    s,
                    r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{c}"><title>{n} {cat}: {v}</title></rect>"#,
                    c = PALETTE[k.min(PALETTE.len() - 1)],
                    n = esc(&x_series.name),
                    v = label(v)
                );
            }
        }
        let _ = writeln!(
            s,
            r#"<text x="{cx:.1}" y="{ty}" text-anchor="middle">{c}</text>"#,
            cx = x + bar / 2.0,
            ty = H - BOTTOM + 16.0,
            c = esc(cat)
        );
    }
    legend(&mut s, series.iter().map(|x| x.name.as_str()));
    s.push_str(canvas::CLOSE);
    s
}

fn legend<'a>(s: &mut String, names: impl Iterator<Item = &'a str>) {
    for (k, name) in names.enumerate() {
        let y = TOP + 18.0 * k as f64;
        let x = W - RIGHT + 14.0;
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="{y}" width="12" height="12" fill="{c}"/><text x="{tx}" y="{ty}">{n}</text>"#,
            c = PALETTE[k.min(PALETTE.len() - 1)],
            tx = x + 18.0,
            ty = y + 10.0,
            n = esc(name)
        );
    }
}

/// A Pareto chart: bars of each category's share (%), largest first, and
/// the cumulative share as a line with the threshold (80 %) marked.
pub fn pareto(title: &str, names: &[String], shares_pct: &[f64], threshold_pct: f64) -> String {
    let mut s = String::new();
    let top = frame(&mut s, title, "%", 100.0);
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let n = names.len().max(1);
    let slot = plot_w / n as f64;
    let bar = (slot * 0.7).min(40.0);
    let mut cumulative = 0.0;
    let mut points = Vec::new();
    for (i, (name, share)) in names.iter().zip(shares_pct).enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let h = plot_h * share / top;
        let y = TOP + plot_h - h;
        let key = cumulative < threshold_pct;
        cumulative += share;
        let _ = writeln!(
            s,
            r#"<rect class="bar" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{c}"><title>{n}: {v} %</title></rect>"#,
            c = if key { PALETTE[0] } else { PALETTE[7] },
            n = esc(name),
            v = label(*share)
        );
        let _ = writeln!(
            s,
            r#"<text x="{cx:.1}" y="{ty}" text-anchor="end" font-size="10" transform="rotate(-45 {cx:.1} {ty})">{n}</text>"#,
            cx = x + bar / 2.0,
            ty = H - BOTTOM + 12.0,
            n = esc(name)
        );
        points.push(format!(
            "{:.1},{:.1}",
            x + bar / 2.0,
            TOP + plot_h * (1.0 - cumulative.min(100.0) / top)
        ));
    }
    let _ = writeln!(
        s,
        r##"<polyline points="{}" fill="none" stroke="#D55E00" stroke-width="2"/>"##,
        points.join(" ")
    );
    let ty = TOP + plot_h * (1.0 - threshold_pct / top);
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{ty:.1}" x2="{x2}" y2="{ty:.1}" stroke="#000000" stroke-dasharray="5,4"/><text x="{tx}" y="{tty:.1}">{threshold_pct} %</text>"##,
        x2 = W - RIGHT,
        tx = W - RIGHT + 6.0,
        tty = ty + 4.0
    );
    s.push_str(canvas::CLOSE);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacked_bars_draw_one_rectangle_per_positive_value() {
        let svg = stacked_bars(
            "NOx",
            "kt",
            &["2021".into(), "2022".into()],
            &[
                Series {
                    name: "A_PublicPower".into(),
                    values: vec![2.0, 3.0],
                },
                Series {
                    name: "F_RoadTransport".into(),
                    values: vec![1.0, 0.0],
                },
            ],
        );
        assert_eq!(svg.matches(r#"class="bar""#).count(), 3);
        assert!(svg.contains("A_PublicPower"));
        // The tallest stack (3 kt) fits under the top tick.
        assert!(svg.starts_with("<svg"));
    }

    #[test]
    fn pareto_marks_the_key_categories_until_the_threshold() {
        let svg = pareto(
            "NOx",
            &["1A1a".into(), "1A3bi".into(), "3B1a".into()],
            &[70.0, 20.0, 10.0],
            80.0,
        );
        // 1A1a (0 % before it) and 1A3bi (70 % before it) are key; 3B1a (90 %) is not.
        assert_eq!(svg.matches(PALETTE[0]).count(), 2);
        assert_eq!(svg.matches(PALETTE[7]).count(), 1);
    }
}
