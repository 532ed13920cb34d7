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

use super::projection::Model;
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
                let t = model.removable(m, year, p) * share * p.tonnes_per_unit();
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
