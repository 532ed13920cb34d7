//! Annualised costs of measures, in exact decimals.
//!
//! ```text
//! CRF(r, n)        = r (1 + r)^n / ((1 + r)^n − 1)
//! annual unit cost = investment × CRF + investment × fixed_om_pct / 100 + fixed_om + variable_cost
//! ```
//!
//! per unit of activity (EUR per TJ of fuel per year), or, for costs per kW
//! of electric capacity, divided by the TJ of fuel one kW burns in a year
//! (full-load hours × 3.6 MJ/kWh ÷ electric efficiency; variable costs per
//! MWh × efficiency ÷ 0.0036 TJ/MWh). A cost per tonne removed is that ×
//! the tonnes of the measure's primary pollutant it removes. Each cost is
//! then turned into the scenario's currency and price year: × the exchange
//! rate the scenario states × index[scenario price year] ÷ index[cost
//! price year]. All of it is written out in `measures.csv`.

use super::file::{CostBasis, Measure, Scenario};
use crate::number::format_decimal;
use rust_decimal::Decimal;

/// Capital recovery factor: r(1+r)^n / ((1+r)^n − 1), exact to 28
/// significant digits.
pub fn crf(rate: Decimal, years: u32) -> Decimal {
    let mut q = Decimal::ONE;
    for _ in 0..years {
        q *= Decimal::ONE + rate;
    }
    rate * q / (q - Decimal::ONE)
}

/// The annual cost of a measure per unit of activity, in the scenario's
/// currency and price year, and how it was made.
#[derive(Debug, Clone)]
pub struct UnitCost {
    /// Per unit of activity treated per year.
    pub per_activity: Decimal,
    /// Per tonne of the primary pollutant removed (a cost given per tonne).
    pub per_tonne_removed: Decimal,
    /// Exchange rate × price index ratio applied.
    pub factor: Decimal,
    /// The computation in words and numbers.
    pub formula: String,
    /// False when the source gives no cost: the measure can be decided, not
    /// chosen by the LP.
    pub priced: bool,
}

/// The unit cost of a measure under a scenario.
pub fn unit_cost(m: &Measure, s: &Scenario) -> Result<UnitCost, String> {
    let c = &m.cost;
    if !c.priced {
        return Ok(UnitCost {
            per_activity: Decimal::ZERO,
            per_tonne_removed: Decimal::ZERO,
            factor: Decimal::ONE,
            formula: format!(
                "cost not given: its source gives none (give annual_cost, investment or cost_per_tonne in the scenario to price it); {} removes what its decided shares say at no cost counted",
                m.id
            ),
            priced: false,
        });
    }
    let zero = Decimal::ZERO;
    let d = |v: Decimal| format_decimal(v.round_dp(6).normalize());
    let mut parts: Vec<String> = Vec::new();
    // The currency and price year.
    let mut factor = Decimal::ONE;
    let mut conversion = Vec::new();
    if c.currency != s.currency {
        let rate = s.exchange_rates.get(&c.currency).ok_or_else(|| {
            format!(
                "measure {} costs are in {} and the scenario's in {}: give exchange_rates {} = ... ({} per {})",
                m.id, c.currency, s.currency, c.currency, s.currency, c.currency
            )
        })?;
        factor *= rate;
        conversion.push(format!(
            "× {} {}/{}",
            format_decimal(*rate),
            s.currency,
            c.currency
        ));
    }
    if let (Some(from), Some(to)) = (c.price_year, s.price_year)
        && from != to
    {
        let (i_from, i_to) = match (s.price_index.get(&from), s.price_index.get(&to)) {
            (Some(a), Some(b)) => (*a, *b),
            _ => {
                return Err(format!(
                    "measure {} costs are of {from} and the scenario's of {to}: give price_index {from} = ... and {to} = ...",
                    m.id
                ));
            }
        };
        factor = factor * i_to / i_from;
        conversion.push(format!(
            "× price index {to}/{from} = {}/{}",
            format_decimal(i_to),
            format_decimal(i_from)
        ));
    }
    // Per kW of capacity → per TJ of fuel.
    let (tj_per_kw, mwh_per_tj) = match &c.basis {
        CostBasis::Activity => (None, None),
        CostBasis::Kw {
            full_load_hours,
            efficiency,
        } => {
            if !m.unit.eq_ignore_ascii_case("TJ") {
                return Err(format!(
                    "measure {}: costs per kW become costs per TJ of fuel; its unit is {}",
                    m.id, m.unit
                ));
            }
            let tj = *full_load_hours * Decimal::new(36, 7) / *efficiency;
            parts.push(format!(
                "1 kW = {} h × 0.0000036 TJ/kWh ÷ efficiency {} = {} TJ fuel/yr",
                format_decimal(*full_load_hours),
                format_decimal(*efficiency),
                d(tj)
            ));
            (Some(tj), Some(*efficiency / Decimal::new(36, 4)))
        }
    };
    let per = if tj_per_kw.is_some() { "kW" } else { &m.unit };
    let mut capital_fixed = zero;
    if let Some(i) = c.investment {
        let n = c.lifetime.expect("validated: an investment has a lifetime");
        let f = crf(s.discount_rate, n);
        capital_fixed += i * f;
        parts.push(format!(
            "investment {} {}/{per} × CRF({} %, {n} y) {} = {}",
            d(i),
            c.currency,
            d(s.discount_rate * Decimal::ONE_HUNDRED),
            d(f),
            d(i * f)
        ));
        if let Some(pct) = c.fixed_om_pct {
            let v = i * pct / Decimal::ONE_HUNDRED;
            capital_fixed += v;
            parts.push(format!("fixed O&M {} % = {}", d(pct), d(v)));
        }
    }
    if let Some(fom) = c.fixed_om {
        capital_fixed += fom;
        parts.push(format!("fixed O&M {} {}/{per}-yr", d(fom), c.currency));
    }
    let mut per_activity = match tj_per_kw {
        Some(tj) => {
            let v = capital_fixed / tj;
            if !capital_fixed.is_zero() {
                parts.push(format!("÷ {} TJ = {} per TJ", d(tj), d(v)));
            }
            v
        }
        None => capital_fixed,
    };
    if let Some(var) = c.variable_cost {
        match mwh_per_tj {
            Some(mwh) => {
                per_activity += var * mwh;
                parts.push(format!(
                    "variable {} per MWh × {} MWh/TJ = {}",
                    d(var),
                    d(mwh),
                    d(var * mwh)
                ));
            }
            None => {
                per_activity += var;
                parts.push(format!("variable {} per {}", d(var), m.unit));
            }
        }
    }
    if let Some(a) = c.annual_cost {
        per_activity += a;
        parts.push(format!("annual cost {} {}/{}", d(a), c.currency, m.unit));
    }
    let per_tonne = c.cost_per_tonne.unwrap_or(zero);
    if c.cost_per_tonne.is_some() {
        parts.push(format!(
            "{} {} per t of {} removed",
            d(per_tonne),
            c.currency,
            m.primary.id()
        ));
    }
    if !c.note.is_empty() {
        parts.push(format!("({})", c.note));
    }
    let mut formula = parts.join("; ");
    if !conversion.is_empty() {
        formula = format!(
            "{formula}; in {} of {}: {}",
            s.currency,
            s.price_year.map(|y| y.to_string()).unwrap_or_default(),
            conversion.join(" ")
        );
    }
    Ok(UnitCost {
        per_activity: per_activity * factor,
        per_tonne_removed: per_tonne * factor,
        factor,
        formula,
        priced: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crf_of_4_percent_over_20_years() {
        // 0.04 × 1.04^20 / (1.04^20 − 1) = 0.0735817505...
        let f = crf("0.04".parse().unwrap(), 20);
        assert_eq!(f.round_dp(10), "0.0735817503".parse().unwrap());
        // The CoST figures: CRF(7 %, 20) = 0.0944, CRF(7 %, 15) = 0.1098.
        assert_eq!(
            crf("0.07".parse().unwrap(), 20).round_dp(4),
            "0.0944".parse().unwrap()
        );
        assert_eq!(
            crf("0.07".parse().unwrap(), 15).round_dp(4),
            "0.1098".parse().unwrap()
        );
    }
}
