//! Marginal abatement cost curves, per pollutant and year.
//!
//! Measures that are alternatives on one activity form a ladder (RAINS /
//! GAINS single-pollutant curves): from no control, the next step is the
//! option with the lowest extra cost per extra tonne removed, so options
//! above the lower convex hull (dominated) drop out and the marginal costs
//! rise. Each option is taken at its largest share in the year. The steps
//! of all ladders are then sorted by marginal cost: the width of a step is
//! the tonnes it removes, its height the cost per tonne. The whole cost of
//! a measure is charged to the pollutant of the curve (as US EPA CoST does;
//! a multi-pollutant measure appears on each pollutant's curve with its
//! whole cost), so curves are for display; the LP counts each cost once.

use super::projection::{Model, tonnes_per_unit};
use crate::plot::{esc, to_f64};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;

/// One step of a curve.
#[derive(Debug, Clone)]
pub struct Step {
    pub measure: String,
    /// The cheaper alternative on the same activity this step replaces.
    pub replaces: Option<String>,
    /// Tonnes removed by the step (t, whatever the template unit).
    pub tonnes: Decimal,
    /// Annual cost of the step.
    pub cost: Decimal,
    /// Cost per tonne.
    pub marginal: Decimal,
}

/// The curve of one pollutant in one year.
#[derive(Debug, Clone)]
pub struct Curve {
    pub year: i32,
    pub pollutant: Pollutant,
    pub steps: Vec<Step>,
}

/// The curves of every pollutant the measures remove in a year.
pub fn curves(model: &Model<'_>, year: i32) -> Vec<Curve> {
    let n = model.scenario.measures.len();
    // Groups of alternatives: measures linked through shared keys.
    let mut group: Vec<usize> = (0..n).collect();
    fn root(g: &mut [usize], i: usize) -> usize {
        let mut r = i;
        while g[r] != r {
            r = g[r];
        }
        g[i] = r;
        r
    }
    for alt in model.alternatives() {
        for w in alt.windows(2) {
            let (a, b) = (root(&mut group, w[0]), root(&mut group, w[1]));
            group[a] = b;
        }
    }
    let roots: Vec<usize> = (0..n).map(|i| root(&mut group, i)).collect();
    let mut out = Vec::new();
    for p in Pollutant::ALL {
        // (measure, tonnes at its largest share, cost at it)
        let options: Vec<(usize, Decimal, Decimal)> = (0..n)
            .filter_map(|m| {
                let share = model.scenario.measures[m].upper_share(year);
                let t = model.removable(m, year, p) * share * tonnes_per_unit(p);
                if t <= Decimal::ZERO {
                    return None;
                }
                let cost = model.full_application(m, year).cost * share;
                Some((m, t, cost))
            })
            .collect();
        if options.is_empty() {
            continue;
        }
        let mut steps = Vec::new();
        let mut seen_roots: Vec<usize> = options.iter().map(|o| roots[o.0]).collect();
        seen_roots.sort_unstable();
        seen_roots.dedup();
        for r in seen_roots {
            let ladder: Vec<&(usize, Decimal, Decimal)> =
                options.iter().filter(|o| roots[o.0] == r).collect();
            let (mut t0, mut c0, mut prev): (Decimal, Decimal, Option<usize>) =
                (Decimal::ZERO, Decimal::ZERO, None);
            loop {
                let next = ladder
                    .iter()
                    .filter(|o| o.1 > t0)
                    .map(|o| (o, (o.2 - c0) / (o.1 - t0)))
                    .min_by(|a, b| a.1.cmp(&b.1).then(a.0.1.cmp(&b.0.1).reverse()));
                let Some((o, mc)) = next else { break };
                steps.push(Step {
                    measure: model.scenario.measures[o.0].id.clone(),
                    replaces: prev.map(|m| model.scenario.measures[m].id.clone()),
                    tonnes: o.1 - t0,
                    cost: o.2 - c0,
                    marginal: mc,
                });
                t0 = o.1;
                c0 = o.2;
                prev = Some(o.0);
            }
        }
        steps.sort_by(|a, b| a.marginal.cmp(&b.marginal).then(a.measure.cmp(&b.measure)));
        out.push(Curve {
            year,
            pollutant: p,
            steps,
        });
    }
    out
}

/// A readable number for axis labels.
fn label(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// The curves of a year as one SVG picture, one panel per pollutant.
pub fn svg(curves: &[Curve], title: &str, currency: &str) -> String {
    const W: f64 = 460.0;
    const H: f64 = 280.0;
    const L: f64 = 70.0;
    const R: f64 = 16.0;
    const T: f64 = 36.0;
    const B: f64 = 44.0;
    let cols = curves.len().clamp(1, 2);
    let rows = curves.len().div_ceil(cols).max(1);
    let (width, height) = (W * cols as f64, H * rows as f64 + 30.0);
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" font-size="11"><rect width="100%" height="100%" fill="white"/><text x="10" y="20" font-size="14" font-weight="bold">{}</text>"#,
        esc(title)
    );
    let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
        "#bcbd22", "#17becf",
    ];
    for (i, c) in curves.iter().enumerate() {
        let x0 = W * (i % cols) as f64;
        let y0 = 30.0 + H * (i / cols) as f64;
        let total: f64 = c
            .steps
            .iter()
            .map(|st| to_f64(st.tonnes))
            .sum::<f64>()
            .max(1e-12);
        let top = c
            .steps
            .iter()
            .map(|st| to_f64(st.marginal))
            .fold(0.0_f64, f64::max)
            .max(1e-12)
            * 1.1;
        let (pw, ph) = (W - L - R, H - T - B);
        s.push_str(&format!(
            r#"<text x="{}" y="{}" font-weight="bold">{} {}: cost per t removed ({currency}/t) by t removed</text>"#,
            x0 + L,
            y0 + 20.0,
            esc(c.pollutant.id()),
            c.year
        ));
        s.push_str(&format!(
            r##"<rect x="{}" y="{}" width="{pw}" height="{ph}" fill="none" stroke="#999"/>"##,
            x0 + L,
            y0 + T
        ));
        for k in 0..=4 {
            let v = top * k as f64 / 4.0;
            let y = y0 + T + ph - ph * k as f64 / 4.0;
            s.push_str(&format!(
                r##"<text x="{}" y="{}" text-anchor="end">{}</text><line x1="{}" x2="{}" y1="{y}" y2="{y}" stroke="#eee"/>"##,
                x0 + L - 4.0,
                y + 4.0,
                label(v),
                x0 + L,
                x0 + L + pw
            ));
            let xv = total * k as f64 / 4.0;
            s.push_str(&format!(
                r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
                x0 + L + pw * k as f64 / 4.0,
                y0 + T + ph + 14.0,
                label(xv)
            ));
        }
        s.push_str(&format!(
            r#"<text x="{}" y="{}" text-anchor="middle">t {} removed per year</text>"#,
            x0 + L + pw / 2.0,
            y0 + T + ph + 30.0,
            esc(c.pollutant.id())
        ));
        let mut x = 0.0;
        for (j, st) in c.steps.iter().enumerate() {
            let w = to_f64(st.tonnes) / total * pw;
            let h = to_f64(st.marginal) / top * ph;
            let colour = palette[j % palette.len()];
            s.push_str(&format!(
                r##"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{colour}" fill-opacity="0.75" stroke="#333" stroke-width="0.5"><title>{}: {} t at {} {currency}/t</title></rect>"##,
                x0 + L + x,
                y0 + T + ph - h,
                w.max(0.5),
                h.max(0.5),
                esc(&st.measure),
                label(to_f64(st.tonnes)),
                label(to_f64(st.marginal))
            ));
            if w > 24.0 {
                s.push_str(&format!(
                    r#"<text x="{:.2}" y="{:.2}" text-anchor="middle" font-size="9">{}</text>"#,
                    x0 + L + x + w / 2.0,
                    (y0 + T + ph - h - 3.0).max(y0 + T + 9.0),
                    esc(&st.measure)
                ));
            }
            x += w;
        }
    }
    s.push_str("</svg>\n");
    s
}
