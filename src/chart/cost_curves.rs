//! Marginal abatement cost curves (`airinv scenario`), one picture per
//! scenario and year, one panel per pollutant: each step's width is the
//! tonnes it removes, its height the cost per tonne
//! ([`crate::scenario::curve`] computes the steps).

use super::axis::{label, ticks_within};
use super::canvas::{self, esc, to_f64};
use super::colour::CATEGORY10;
use crate::error::Result;
use crate::scenario::Outcome;
use crate::scenario::curve::Curve;

/// The curves of a year as one SVG picture, one panel per pollutant.
///
/// Both axes are fitted to the data (the largest cost per tonne + 10 %,
/// the tonnes removed by all steps), with gridlines at round values
/// within them.
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
        r#"{}{}<text x="10" y="20" font-size="14" font-weight="bold">{}</text>"#,
        canvas::open(width, height, r#" font-size="11""#),
        canvas::BACKGROUND,
        esc(title)
    );
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
        for v in ticks_within(top) {
            let y = y0 + T + ph - ph * v / top;
            s.push_str(&format!(
                r##"<text x="{}" y="{:.1}" text-anchor="end">{}</text><line x1="{}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="#eee"/>"##,
                x0 + L - 4.0,
                y + 4.0,
                label(v),
                x0 + L,
                x0 + L + pw
            ));
        }
        for v in ticks_within(total) {
            s.push_str(&format!(
                r#"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
                x0 + L + pw * v / total,
                y0 + T + ph + 14.0,
                label(v)
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
            let colour = CATEGORY10[j % CATEGORY10.len()];
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
    s.push_str(canvas::CLOSE);
    s
}

/// Writes the curves of every scenario and year as
/// `cost_curves_<YEAR>_<SCENARIO>.svg` in the output folder, and a PNG copy
/// where fonts allow (else a note says why not).
pub fn write_pictures(
    out: &mut crate::output::OutputDir,
    outcomes: &[Outcome],
    notes: &mut Vec<String>,
) -> Result<()> {
    for o in outcomes {
        for y in &o.years {
            if y.curves.is_empty() {
                continue;
            }
            let title = format!(
                "Marginal abatement cost curves, scenario {}, {} ({} of {})",
                o.scenario.name,
                y.result.year,
                o.scenario.currency,
                o.scenario
                    .price_year
                    .map(|p| p.to_string())
                    .unwrap_or_default()
            );
            let svg = svg(&y.curves, &title, &o.scenario.currency);
            let stem = format!(
                "cost_curves_{}",
                crate::scenario::annex4::sheet_name(y.result.year, &o.scenario.name)
            );
            let p = out.file(&format!("{stem}.svg"))?;
            crate::output::write_bytes_atomically(&p, svg.as_bytes())?;
            if cfg!(feature = "png") {
                match super::png(&svg) {
                    Ok(png) => {
                        let p = out.file(&format!("{stem}.png"))?;
                        crate::output::write_bytes_atomically(&p, &png)?;
                    }
                    Err(e) => notes.push(format!("{stem}.png not written: {e}")),
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pollutant::Pollutant;
    use crate::scenario::curve::Step;
    use rust_decimal::Decimal;

    #[test]
    fn the_axes_are_labelled_at_round_values_within_the_data() {
        let step = |measure: &str, tonnes: i64, marginal: i64| Step {
            measure: measure.into(),
            replaces: None,
            tonnes: Decimal::from(tonnes),
            cost: Decimal::from(tonnes * marginal),
            marginal: Decimal::from(marginal),
        };
        let curve = Curve {
            year: 2030,
            pollutant: Pollutant::NOx,
            // 3927 t in all; the steepest 1000 EUR/t, so a top of 1100.
            steps: vec![step("lnb", 3000, 400), step("scr", 927, 1000)],
        };
        let s = svg(&[curve], "curves", "EUR");
        for shown in ["0", "500", "1000", "2000", "3000"] {
            assert!(s.contains(&format!(">{shown}</text>")), "{shown}: {s}");
        }
        // Nothing beyond the data: 1100 EUR/t and 3927 t are the ends.
        assert!(!s.contains(">1500<") && !s.contains(">4000<"));
        assert!(s.contains("<title>scr: 927 t at 1000 EUR/t</title>"));
    }
}
