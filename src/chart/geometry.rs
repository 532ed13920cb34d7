//! Where a chart's labels and data lie, read back from its SVG, and the
//! rules a legible chart keeps: every label inside the canvas with a margin,
//! no label touching a series (a bar, a line, a marker, a reference line)
//! nor another label. The charts place labels with the same shapes
//! ([`Shape::label`], [`Shape::touches`]), and the tests check every chart
//! of the report page and of `compare --plot` with [`problems`].
//!
//! A label's box is its text's width by [`super::canvas::text_width`] (an
//! upper bound of DejaVu Sans) and its height from 0.8 of the font size
//! above the baseline to 0.25 below, turned about its anchor as the
//! `rotate` transform turns it. Series are the elements of class `bar`,
//! `series`, `mark`, `ref` (a reference line), `base` or `ceiling` (`compare --plot`): rectangles, lines, polylines, paths of
//! straight segments and circles (as their square).

use super::canvas::{bold_width, text_width};

/// A point.
pub type Point = (f64, f64);

/// A convex shape: a polygon (a label's box, a bar) or a segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    pub points: Vec<Point>,
}

/// The nearest a label may come to the canvas's edge, in pixels.
pub const EDGE: f64 = 2.0;

/// The nearest a label may come to a series or another label, in pixels.
pub const GAP: f64 = 1.0;

impl Shape {
    pub fn rect(x: f64, y: f64, w: f64, h: f64) -> Shape {
        Shape {
            points: vec![(x, y), (x + w, y), (x + w, y + h), (x, y + h)],
        }
    }

    pub fn segment(a: Point, b: Point) -> Shape {
        Shape { points: vec![a, b] }
    }

    /// The box of a label as [`super::canvas::text`] writes it.
    pub fn label(
        x: f64,
        y: f64,
        size: f64,
        anchor: &str,
        rotate: Option<f64>,
        width: f64,
    ) -> Shape {
        let left = match anchor {
            "middle" => x - width / 2.0,
            "end" => x - width,
            _ => x,
        };
        let (top, bottom) = (y - 0.8 * size, y + 0.25 * size);
        let corners = [
            (left, top),
            (left + width, top),
            (left + width, bottom),
            (left, bottom),
        ];
        let points = match rotate {
            Some(deg) if deg != 0.0 => {
                let (s, c) = deg.to_radians().sin_cos();
                corners
                    .iter()
                    .map(|(px, py)| {
                        let (dx, dy) = (px - x, py - y);
                        (x + dx * c - dy * s, y + dx * s + dy * c)
                    })
                    .collect()
            }
            _ => corners.to_vec(),
        };
        Shape { points }
    }

    /// The smallest upright rectangle holding the shape: (left, top, right, bottom).
    pub fn bounds(&self) -> (f64, f64, f64, f64) {
        self.points.iter().fold(
            (
                f64::INFINITY,
                f64::INFINITY,
                f64::NEG_INFINITY,
                f64::NEG_INFINITY,
            ),
            |(l, t, r, b), (x, y)| (l.min(*x), t.min(*y), r.max(*x), b.max(*y)),
        )
    }

    /// The shape grown by `by` pixels on every side (its upright bounds
    /// for a turned shape would be too large; the corners move outwards
    /// from the centre instead).
    fn grown(&self, by: f64) -> Shape {
        let n = self.points.len() as f64;
        let (cx, cy) = self
            .points
            .iter()
            .fold((0.0, 0.0), |(a, b), (x, y)| (a + x / n, b + y / n));
        Shape {
            points: self
                .points
                .iter()
                .map(|(x, y)| {
                    let (dx, dy) = (x - cx, y - cy);
                    let d = (dx * dx + dy * dy).sqrt();
                    if d == 0.0 {
                        (*x, *y)
                    } else {
                        // Far enough along the diagonal for `by` on each side.
                        let k = by * std::f64::consts::SQRT_2 / d;
                        (x + dx * k, y + dy * k)
                    }
                })
                .collect(),
        }
    }

    /// True when the two convex shapes overlap or come within [`GAP`]
    /// (separating axis theorem).
    pub fn touches(&self, other: &Shape) -> bool {
        let a = self.grown(GAP);
        !separated(&a, other) && !separated(other, &a)
    }

    /// True when the shape keeps [`EDGE`] pixels inside a `width` × `height` canvas.
    pub fn inside(&self, width: f64, height: f64) -> bool {
        let (l, t, r, b) = self.bounds();
        l >= EDGE && t >= EDGE && r <= width - EDGE && b <= height - EDGE
    }
}

/// True when an edge normal of `a` separates the two shapes.
fn separated(a: &Shape, b: &Shape) -> bool {
    let n = a.points.len();
    let edges = if n == 2 { 1 } else { n };
    for i in 0..edges {
        let p = a.points[i];
        let q = a.points[(i + 1) % n];
        let normal = (q.1 - p.1, p.0 - q.0);
        let project = |s: &Shape| {
            s.points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (x, y)| {
                    let v = x * normal.0 + y * normal.1;
                    (lo.min(v), hi.max(v))
                })
        };
        let (a_lo, a_hi) = project(a);
        let (b_lo, b_hi) = project(b);
        if a_hi < b_lo || b_hi < a_lo {
            return true;
        }
    }
    // A segment's own direction separates too (two collinear segments apart).
    if n == 2 {
        let dir = (a.points[1].0 - a.points[0].0, a.points[1].1 - a.points[0].1);
        let project = |s: &Shape| {
            s.points
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (x, y)| {
                    let v = x * dir.0 + y * dir.1;
                    (lo.min(v), hi.max(v))
                })
        };
        let (a_lo, a_hi) = project(a);
        let (b_lo, b_hi) = project(b);
        if a_hi < b_lo || b_hi < a_lo {
            return true;
        }
    }
    false
}

/// A label read back from a chart.
#[derive(Debug, Clone)]
pub struct Label {
    pub text: String,
    pub shape: Shape,
}

/// What a chart draws, read back from its SVG.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub labels: Vec<Label>,
    /// Bars, lines, markers and reference lines, as convex shapes.
    pub series: Vec<Shape>,
}

/// One element's tag: its name, attributes and (for `<text>`) its text.
struct Tag<'a> {
    name: &'a str,
    attributes: Vec<(&'a str, &'a str)>,
}

impl Tag<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    fn number(&self, name: &str) -> Option<f64> {
        self.get(name).and_then(|v| v.trim().parse().ok())
    }
}

/// The tags of an SVG document in order, with the text after each.
fn tags(svg: &str) -> Vec<(Tag<'_>, &str)> {
    let mut out = Vec::new();
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else { break };
        let inside = after[..end].trim_end_matches('/');
        let text_after = &after[end + 1..];
        let following = &text_after[..text_after.find('<').unwrap_or(text_after.len())];
        rest = text_after;
        if inside.starts_with('/') || inside.starts_with('!') || inside.starts_with('?') {
            continue;
        }
        let name_end = inside.find(char::is_whitespace).unwrap_or(inside.len());
        let name = &inside[..name_end];
        let mut attributes = Vec::new();
        let mut a = &inside[name_end..];
        while let Some(eq) = a.find("=\"") {
            let key = a[..eq].trim();
            let value_start = &a[eq + 2..];
            let Some(close) = value_start.find('"') else {
                break;
            };
            attributes.push((key, &value_start[..close]));
            a = &value_start[close + 1..];
        }
        out.push((Tag { name, attributes }, following));
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The angle of a `rotate(a x y)` transform about the label's anchor.
fn rotation(transform: &str, anchor: Point) -> Result<Option<f64>, String> {
    let t = transform.trim();
    let Some(args) = t.strip_prefix("rotate(").and_then(|r| r.strip_suffix(')')) else {
        return Err(format!("a transform the checker does not read: {t}"));
    };
    let values: Vec<f64> = args
        .split([' ', ','])
        .filter(|a| !a.is_empty())
        .filter_map(|a| a.parse().ok())
        .collect();
    match values[..] {
        [a] if anchor == (0.0, 0.0) => Ok(Some(a)),
        [a, x, y] if (x - anchor.0).abs() < 0.1 && (y - anchor.1).abs() < 0.1 => Ok(Some(a)),
        _ => Err(format!("a rotation not about the label's anchor: {t}")),
    }
}

/// Reads a chart back: its size, every label's box and every series shape.
pub fn layout(svg: &str) -> Result<Layout, String> {
    let mut out = Layout::default();
    let mut default_size = 16.0;
    for (tag, following) in tags(svg) {
        let class = tag.get("class").unwrap_or("");
        let is_series = class
            .split_whitespace()
            .any(|c| matches!(c, "bar" | "series" | "mark" | "ref" | "base" | "ceiling"));
        match tag.name {
            "svg" => {
                out.width = tag.number("width").ok_or("an svg without a width")?;
                out.height = tag.number("height").ok_or("an svg without a height")?;
                if let Some(s) = tag.number("font-size") {
                    default_size = s;
                }
            }
            "g" if tag.get("transform").is_some() => {
                return Err(
                    "a group with a transform: the checker reads no group transforms".into(),
                );
            }
            "text" => {
                let size = tag.number("font-size").unwrap_or(default_size);
                let text = unescape(following);
                let width = if tag.get("font-weight") == Some("bold") {
                    bold_width(&text, size)
                } else {
                    text_width(&text, size)
                };
                let x = tag.number("x").ok_or("a text without x")?;
                let y = tag.number("y").ok_or("a text without y")?;
                let rotate = match tag.get("transform") {
                    Some(t) => rotation(t, (x, y))?,
                    None => None,
                };
                let anchor = tag.get("text-anchor").unwrap_or("start");
                out.labels.push(Label {
                    text,
                    shape: Shape::label(x, y, size, anchor, rotate, width),
                });
            }
            "rect" if is_series => {
                let n = |k| tag.number(k).unwrap_or(0.0);
                out.series
                    .push(Shape::rect(n("x"), n("y"), n("width"), n("height")));
            }
            "line" if is_series => {
                let n = |k| tag.number(k).unwrap_or(0.0);
                out.series
                    .push(Shape::segment((n("x1"), n("y1")), (n("x2"), n("y2"))));
            }
            "circle" if is_series => {
                let n = |k| tag.number(k).unwrap_or(0.0);
                let r = n("r");
                out.series
                    .push(Shape::rect(n("cx") - r, n("cy") - r, 2.0 * r, 2.0 * r));
            }
            "polyline" if is_series => {
                let points = numbers(tag.get("points").unwrap_or(""));
                out.series.extend(segments(&points));
            }
            "path" if is_series => {
                for run in tag
                    .get("d")
                    .unwrap_or("")
                    .split('M')
                    .filter(|r| !r.trim().is_empty())
                {
                    let points = numbers(&run.replace('L', " "));
                    if points.len() == 1 {
                        out.series.push(Shape::segment(points[0], points[0]));
                    }
                    out.series.extend(segments(&points));
                }
            }
            _ => {}
        }
    }
    if out.width <= 0.0 || out.height <= 0.0 {
        return Err("no svg element with a size".into());
    }
    Ok(out)
}

/// The points of a `points` list or a path's coordinates (`1,2 3,4`).
fn numbers(s: &str) -> Vec<Point> {
    let values: Vec<f64> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .filter_map(|t| t.parse().ok())
        .collect();
    values.chunks_exact(2).map(|c| (c[0], c[1])).collect()
}

fn segments(points: &[Point]) -> Vec<Shape> {
    points
        .windows(2)
        .map(|w| Shape::segment(w[0], w[1]))
        .collect()
}

/// Every way a chart breaks the rules, in words (empty: a legible chart).
pub fn problems(svg: &str) -> Vec<String> {
    let layout = match layout(svg) {
        Ok(l) => l,
        Err(e) => return vec![e],
    };
    let mut out = Vec::new();
    for (i, label) in layout.labels.iter().enumerate() {
        if label.text.trim().is_empty() {
            continue;
        }
        if !label.shape.inside(layout.width, layout.height) {
            let (l, t, r, b) = label.shape.bounds();
            out.push(format!(
                "label \"{}\" ({l:.0},{t:.0})-({r:.0},{b:.0}) is not {EDGE} px inside the {} × {} canvas",
                label.text, layout.width, layout.height
            ));
        }
        if let Some(s) = layout.series.iter().find(|s| label.shape.touches(s)) {
            out.push(format!(
                "label \"{}\" touches a series at {:?}",
                label.text, s.points
            ));
        }
        for other in &layout.labels[i + 1..] {
            if !other.text.trim().is_empty() && label.shape.touches(&other.shape) {
                out.push(format!(
                    "labels \"{}\" and \"{}\" touch",
                    label.text, other.text
                ));
            }
        }
    }
    out
}

/// The first of `candidates` (label boxes) that stays inside the area
/// (left, top, right, bottom) and touches none of `obstacles`; the first
/// candidate when none does.
pub fn place<'a>(
    candidates: &'a [Shape],
    area: (f64, f64, f64, f64),
    obstacles: &[Shape],
) -> &'a Shape {
    candidates
        .iter()
        .find(|c| {
            let (l, t, r, b) = c.bounds();
            l >= area.0
                && t >= area.1
                && r <= area.2
                && b <= area.3
                && obstacles.iter().all(|o| !c.touches(o))
        })
        .unwrap_or(&candidates[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_inside_and_apart_from_series_pass() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100" font-size="10">
<rect class="bar" x="50" y="40" width="20" height="50" fill="#000"/>
<text x="10" y="20" font-size="10" text-anchor="start">Title</text>
<text x="60" y="98" font-size="10" text-anchor="middle">2024</text>
</svg>"##;
        let l = layout(svg).unwrap();
        assert_eq!(l.labels.len(), 2);
        assert_eq!(l.series.len(), 1);
        // "2024" is 4 digits of 0.66 em at 10 px: 26.4 px wide, centred on 60.
        let (left, top, right, bottom) = l.labels[1].shape.bounds();
        assert!((left - 46.8).abs() < 1e-9 && (right - 73.2).abs() < 1e-9);
        assert!((top - 90.0).abs() < 1e-9 && (bottom - 100.5).abs() < 1e-9);
        // It hangs below the canvas and touches the bar above it.
        let p = problems(svg);
        assert_eq!(p.len(), 2, "{p:?}");
        assert!(p[0].contains("\"2024\"") && p[0].contains("inside"));
        assert!(p[1].contains("touches a series"));
    }

    #[test]
    fn turned_labels_and_lines_are_read_as_drawn() {
        let svg = r##"<svg width="300" height="200">
<polyline class="series" points="10,150 290,150" stroke="#000"/>
<text x="100" y="100" font-size="10" text-anchor="end" transform="rotate(-45 100.0 100.0)">1A3bi</text>
<text x="150" y="155" font-size="10" text-anchor="start">on the line</text>
<path class="series" d="M10,10 L20,20 M40,40 L50,50" stroke="#000"/>
</svg>"##;
        let p = problems(svg);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("on the line"));
        // The turned label (31.4 px long) hangs down to the left of its anchor.
        let l = layout(svg).unwrap();
        let (left, top, right, bottom) = l.labels[0].shape.bounds();
        assert!(
            left < 100.0 - 22.0 && right < 100.0 + 10.0,
            "{left} {right}"
        );
        assert!(
            top < 100.0 && bottom > 100.0 + 22.0 && bottom < 150.0,
            "{top} {bottom}"
        );
        assert_eq!(l.series.len(), 3);
    }

    #[test]
    fn place_takes_the_first_free_box() {
        let line = Shape::segment((0.0, 50.0), (100.0, 50.0));
        let above = Shape::rect(10.0, 40.0, 20.0, 8.0);
        let on = Shape::rect(10.0, 46.0, 20.0, 8.0);
        assert!(on.touches(&line));
        assert!(!above.touches(&line));
        let c = [on.clone(), above.clone()];
        assert_eq!(place(&c, (0.0, 0.0, 100.0, 100.0), &[line]), &above);
        // Two segments on one line but apart do not touch.
        let a = Shape::segment((0.0, 0.0), (10.0, 0.0));
        let b = Shape::segment((20.0, 0.0), (30.0, 0.0));
        assert!(!a.touches(&b));
    }
}
