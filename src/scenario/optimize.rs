//! The least-cost set of measure shares that meets a year's targets, as a
//! linear programme (GAINS-style), solved by `microlp` (pure Rust, f64):
//!
//! ```text
//! minimise   Σ_m cost(m, y) · s_m                         (annual cost at share 1 × share)
//! subject to lower_m ≤ s_m ≤ upper_m                      (decided shares; max_share; 0 before start_year)
//!            Σ_{m of one group on key k} s_m ≤ 1          (alternatives on one activity)
//!            Σ_{m on key k} s_m · removal(m, p) ≤ 1      (removals of several groups add up)
//!            Σ_m removable(m, p, y) · s_m ≥ E(p, y) − ceiling(p)   for every target p
//! ```
//!
//! Floating point stops here: the shares are rounded to 12 decimals and the
//! emissions and costs are recomputed from them exactly by the projection.
//! When the targets cannot all be met, each target pollutant's best
//! reachable emission (the LP maximising its removal) is reported instead.

use super::projection::Model;
use crate::pollutant::Pollutant;
use microlp::{ComparisonOp, OptimizationDirection, Problem};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// What the LP found.
#[derive(Debug, Clone)]
pub enum Solved {
    /// The least-cost shares.
    Optimal(Vec<Decimal>),
    /// No shares meet every target: for each target pollutant, the shares
    /// that remove the most of it.
    Infeasible(Vec<(Pollutant, Vec<Decimal>)>),
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The shares an LP found, as decimals within their bounds, alternatives
/// summing to at most 1.
fn shares_of(
    model: &Model<'_>,
    values: &[f64],
    lower: &[Decimal],
    upper: &[Decimal],
) -> Vec<Decimal> {
    let mut s: Vec<Decimal> = values
        .iter()
        .zip(lower.iter().zip(upper))
        .map(|(v, (lo, hi))| {
            let d = crate::number::from_excel(*v)
                .unwrap_or_default()
                .round_dp(12);
            d.max(*lo).min(*hi)
        })
        .collect();
    for group in model.alternatives() {
        let sum: Decimal = group.iter().map(|m| s[*m]).sum();
        if sum > Decimal::ONE {
            // Rounding pushed the group over 1: take the excess off its largest share.
            let m = *group
                .iter()
                .max_by(|a, b| s[**a].cmp(&s[**b]))
                .expect("a group");
            s[m] -= sum - Decimal::ONE;
        }
    }
    s
}

/// The problem's variables, bounds and alternative constraints.
fn frame(
    model: &Model<'_>,
    direction: OptimizationDirection,
    objective: &[f64],
    lower: &[Decimal],
    upper: &[Decimal],
) -> (Problem, Vec<microlp::Variable>) {
    let mut lp = Problem::new(direction);
    let vars: Vec<microlp::Variable> = objective
        .iter()
        .enumerate()
        .map(|(m, c)| lp.add_var(*c, (f(lower[m]), f(upper[m]))))
        .collect();
    for group in model.alternatives() {
        let terms: Vec<(microlp::Variable, f64)> = group.iter().map(|m| (vars[*m], 1.0)).collect();
        lp.add_constraint(terms.as_slice(), ComparisonOp::Le, 1.0);
    }
    for set in model.stacked() {
        let terms: Vec<(microlp::Variable, f64)> =
            set.iter().map(|(m, e)| (vars[*m], f(*e))).collect();
        lp.add_constraint(terms.as_slice(), ComparisonOp::Le, 1.0);
    }
    (lp, vars)
}

/// Solves a year: `targets` are (pollutant, ceiling in template unit).
pub fn least_cost(
    model: &Model<'_>,
    year: i32,
    lower: &[Decimal],
    upper: &[Decimal],
    targets: &[(Pollutant, Decimal)],
) -> Result<Solved, String> {
    let n = model.scenario.measures.len();
    let costs: Vec<Decimal> = (0..n)
        .map(|m| model.full_application(m, year).cost)
        .collect();
    // Costs in units of the largest, so the LP's numbers stay near 1.
    let scale = costs.iter().copied().max().unwrap_or(Decimal::ONE);
    let scale = if scale.is_zero() { Decimal::ONE } else { scale };
    let objective: Vec<f64> = costs.iter().map(|c| f(*c / scale)).collect();
    let (mut lp, vars) = frame(
        model,
        OptimizationDirection::Minimize,
        &objective,
        lower,
        upper,
    );
    for (p, ceiling) in targets {
        let need = model.uncontrolled(year, *p) - *ceiling;
        let coef: Vec<Decimal> = (0..n).map(|m| model.removable(m, year, *p)).collect();
        let big = coef.iter().copied().max().unwrap_or_default();
        if big.is_zero() {
            if need > Decimal::ZERO {
                return infeasible(model, year, lower, upper, targets);
            }
            continue;
        }
        let terms: Vec<(microlp::Variable, f64)> = coef
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.is_zero())
            .map(|(m, c)| (vars[m], f(*c / big)))
            .collect();
        lp.add_constraint(terms.as_slice(), ComparisonOp::Ge, f(need / big));
    }
    match lp.solve() {
        Ok(outcome) => match outcome.into_solution() {
            Ok(sol) => {
                let values: Vec<f64> = vars.iter().map(|v| sol.var_value(*v)).collect();
                Ok(Solved::Optimal(shares_of(model, &values, lower, upper)))
            }
            Err(_) => Err(format!("{year}: the LP solver stopped before a solution")),
        },
        Err(microlp::Error::Infeasible) => infeasible(model, year, lower, upper, targets),
        Err(e) => Err(format!("{year}: the LP solver failed: {e}")),
    }
}

/// For each target pollutant, the shares removing the most of it.
fn infeasible(
    model: &Model<'_>,
    year: i32,
    lower: &[Decimal],
    upper: &[Decimal],
    targets: &[(Pollutant, Decimal)],
) -> Result<Solved, String> {
    let n = model.scenario.measures.len();
    let mut out = Vec::new();
    for (p, _) in targets {
        let coef: Vec<Decimal> = (0..n).map(|m| model.removable(m, year, *p)).collect();
        let big = coef.iter().copied().max().unwrap_or_default();
        let big = if big.is_zero() { Decimal::ONE } else { big };
        let objective: Vec<f64> = coef.iter().map(|c| f(*c / big)).collect();
        let (lp, vars) = frame(
            model,
            OptimizationDirection::Maximize,
            &objective,
            lower,
            upper,
        );
        let sol = lp
            .solve()
            .map_err(|e| format!("{year}: the LP solver failed: {e}"))?
            .into_solution()
            .map_err(|_| format!("{year}: the LP solver stopped before a solution"))?;
        let values: Vec<f64> = vars.iter().map(|v| sol.var_value(*v)).collect();
        out.push((*p, shares_of(model, &values, lower, upper)));
    }
    Ok(Solved::Infeasible(out))
}
