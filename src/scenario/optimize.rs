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
    let mut out = Vec::new();
    for (p, _) in targets {
        out.push((*p, most_removed(model, year, lower, upper, *p)?));
    }
    Ok(Solved::Infeasible(out))
}

/// The shares that remove the most of a pollutant in a year (its best
/// reachable emission), within the shares' bounds.
pub fn most_removed(
    model: &Model<'_>,
    year: i32,
    lower: &[Decimal],
    upper: &[Decimal],
    p: Pollutant,
) -> Result<Vec<Decimal>, String> {
    let n = model.scenario.measures.len();
    let coef: Vec<Decimal> = (0..n).map(|m| model.removable(m, year, p)).collect();
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
    Ok(shares_of(model, &values, lower, upper))
}

/// The marginal cost of each target at the least-cost shares, in the
/// scenario's currency per tonne: the least cost with the target's
/// ceiling lowered by a step (1 t, or a 100 000th of the ceiling when that
/// is less: 59 g of a 5.9 t Hg ceiling), minus the least cost at the ceiling, over the
/// tonnes the second solution removes in addition. Both costs and both
/// emissions are recomputed exactly from the LP's shares (microlp gives
/// no dual values): this is the LP's shadow price of the target's
/// constraint, taken as the cost of the next tonnes. `None` where the
/// ceiling cannot be lowered (a target at its best reachable level); zero
/// where the target does not bind (met by what is bought for others).
pub fn marginal_costs(
    model: &Model<'_>,
    year: i32,
    lower: &[Decimal],
    upper: &[Decimal],
    ceilings: &[(Pollutant, Decimal)],
    at: &super::projection::YearResult,
) -> Result<Vec<Option<Decimal>>, String> {
    let mut out = Vec::new();
    for (i, (p, ceiling)) in ceilings.iter().enumerate() {
        let per_t = p.tonnes_per_unit();
        let one_t = Decimal::ONE / per_t;
        let fine = *ceiling / Decimal::from(100_000);
        let step = if fine > Decimal::ZERO {
            one_t.min(fine)
        } else {
            one_t
        };
        let mut tighter = ceilings.to_vec();
        tighter[i].1 = *ceiling - step;
        let shares = match least_cost(model, year, lower, upper, &tighter)? {
            Solved::Optimal(s) => s,
            Solved::Infeasible(_) => {
                out.push(None);
                continue;
            }
        };
        let next = model.project(year, &shares)?;
        let before = at.totals.get(p).copied().unwrap_or_default();
        let after = next.totals.get(p).copied().unwrap_or_default();
        let tonnes = (before - after) * per_t;
        let extra = next.cost - at.cost;
        // Less than a thousandth of the step removed in addition, or no
        // extra cost: the target does not bind.
        if tonnes * Decimal::from(1000) <= step * per_t || extra <= Decimal::ZERO {
            out.push(Some(Decimal::ZERO));
        } else {
            out.push(Some(extra / tonnes));
        }
    }
    Ok(out)
}
