//! Costs attributed to targets: what each target of a year costs, from the
//! measures bought for it.
//!
//! ```text
//!  measure m, annual cost C(m), removing of the year's target pollutants R(m)
//!     R(m) empty           → not attributed (a decided measure, or one bought
//!                            for a pollutant without a target)
//!     one pollutant p      → C(m) to p
//!     several, every marginal cost λ known and Σ λ_p × t_p(m) > 0
//!                          → C(m) × λ_p t_p(m) / Σ_q λ_q t_q(m)  (by marginal cost)
//!     several, otherwise   → C(m) / |R(m)| to each                (equal shares)
//! ```
//!
//! `t_p(m)` is what m removes of p in tonnes. At the least-cost shares a
//! measure between its bounds costs exactly Σ λ_p t_p(m) (the LP's
//! reduced cost is zero), so the split by marginal cost is the one the LP
//! prices it by. Each target's cost is the sum attributed to its pollutant;
//! with what is not attributed it adds up to the year's cost.

use super::projection::YearResult;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// How a measure's cost was split between targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// It removes no pollutant with a target in the year (or costs nothing).
    None,
    /// It removes one pollutant with a target.
    One,
    /// By each target's marginal cost × the tonnes it removes.
    MarginalCost,
    /// Equally: the marginal costs are not known (no optimisation) or zero.
    Equal,
}

/// One measure's cost in a year, by target pollutant.
#[derive(Debug, Clone)]
pub struct Attribution {
    pub to: BTreeMap<Pollutant, Decimal>,
    pub how: How,
}

/// The attribution of every measure's cost in a year to the target
/// pollutants (`marginal`: each target pollutant's marginal cost per
/// tonne, where known).
pub fn attribute(
    result: &YearResult,
    marginal: &BTreeMap<Pollutant, Option<Decimal>>,
) -> Vec<Attribution> {
    result
        .measures
        .iter()
        .map(|m| {
            let removes: Vec<(Pollutant, Decimal)> = marginal
                .keys()
                .filter_map(|p| {
                    m.removed
                        .get(p)
                        .filter(|r| **r > Decimal::ZERO)
                        .map(|r| (*p, *r * p.tonnes_per_unit()))
                })
                .collect();
            if m.cost.is_zero() || removes.is_empty() {
                return Attribution {
                    to: BTreeMap::new(),
                    how: How::None,
                };
            }
            if let [(p, _)] = removes.as_slice() {
                return Attribution {
                    to: BTreeMap::from([(*p, m.cost)]),
                    how: How::One,
                };
            }
            let weights: Option<Vec<(Pollutant, Decimal)>> = removes
                .iter()
                .map(|(p, t)| marginal.get(p).copied().flatten().map(|l| (*p, l * *t)))
                .collect();
            let sum: Decimal = weights.iter().flatten().map(|(_, w)| *w).sum();
            match weights {
                Some(w) if sum > Decimal::ZERO => Attribution {
                    to: w.into_iter().map(|(p, x)| (p, m.cost * x / sum)).collect(),
                    how: How::MarginalCost,
                },
                _ => {
                    let n = Decimal::from(removes.len());
                    Attribution {
                        to: removes.iter().map(|(p, _)| (*p, m.cost / n)).collect(),
                        how: How::Equal,
                    }
                }
            }
        })
        .collect()
}

/// The cost attributed to each pollutant, summed over the measures.
pub fn per_pollutant(attribution: &[Attribution]) -> BTreeMap<Pollutant, Decimal> {
    let mut out: BTreeMap<Pollutant, Decimal> = BTreeMap::new();
    for a in attribution {
        for (p, c) in &a.to {
            *out.entry(*p).or_default() += *c;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::projection::MeasureYear;

    fn measure(cost: i64, removed: &[(Pollutant, i64)]) -> MeasureYear {
        MeasureYear {
            share: Decimal::ONE,
            activity: Decimal::ONE,
            removed: removed
                .iter()
                .map(|(p, r)| (*p, Decimal::from(*r)))
                .collect(),
            cost: Decimal::from(cost),
            cost_per_tonne: None,
        }
    }

    #[test]
    fn costs_go_to_the_targets_each_measure_removes() {
        let result = YearResult {
            year: 2030,
            measures: vec![
                // SOx only: all to SOx.
                measure(1000, &[(Pollutant::SOx, 2), (Pollutant::PM25, 1)]),
                // SOx 1 kt at 300/t and NOx 2 kt at 100/t: 300 000 and
                // 200 000 weigh 3:2 of 500.
                measure(500, &[(Pollutant::SOx, 1), (Pollutant::NOx, 2)]),
                // Nothing with a target.
                measure(70, &[(Pollutant::PM25, 1)]),
            ],
            activity: vec![],
            emissions: vec![],
            totals: BTreeMap::new(),
            cost: Decimal::from(1570),
        };
        let marginal = BTreeMap::from([
            (Pollutant::SOx, Some(Decimal::from(300))),
            (Pollutant::NOx, Some(Decimal::from(100))),
        ]);
        let a = attribute(&result, &marginal);
        assert_eq!(a[0].how, How::One);
        assert_eq!(a[0].to[&Pollutant::SOx], Decimal::from(1000));
        assert_eq!(a[1].how, How::MarginalCost);
        assert_eq!(a[1].to[&Pollutant::SOx], Decimal::from(300));
        assert_eq!(a[1].to[&Pollutant::NOx], Decimal::from(200));
        assert_eq!(a[2].how, How::None);
        let sums = per_pollutant(&a);
        assert_eq!(sums[&Pollutant::SOx], Decimal::from(1300));
        // Without marginal costs: equal shares.
        let unknown = BTreeMap::from([(Pollutant::SOx, None), (Pollutant::NOx, None)]);
        let b = attribute(&result, &unknown);
        assert_eq!(b[1].how, How::Equal);
        assert_eq!(b[1].to[&Pollutant::NOx], Decimal::from(250));
    }
}
