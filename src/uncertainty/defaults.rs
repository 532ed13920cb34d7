//! Default uncertainties: activity data by NFR code prefix (embedded from
//! `src/data/activity-uncertainty.csv`, each with its source and whether it
//! was verified), and a factor's 95 % interval from the Guidebook's
//! CI_lower and CI_upper.

use super::Spread;
use crate::emission_factor::Factor;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::sync::LazyLock;

/// One default of the activity table.
#[derive(Debug, Clone)]
pub struct ActivityDefault {
    pub prefix: String,
    pub pct: Decimal,
    pub verified: bool,
    pub source: String,
}

static ACTIVITY: LazyLock<Vec<ActivityDefault>> = LazyLock::new(|| {
    let mut r = crate::data::reader(include_str!("../data/activity-uncertainty.csv"));
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded activity-uncertainty.csv is valid CSV");
            ActivityDefault {
                prefix: rec[0].to_string(),
                pct: Decimal::from_str_exact(&rec[1]).expect("a decimal percentage"),
                verified: &rec[2] == "verified",
                source: rec[3].to_string(),
            }
        })
        .collect()
});

/// The default activity uncertainty of an NFR row (longest prefix).
pub fn activity(code: &str) -> Option<&'static ActivityDefault> {
    ACTIVITY
        .iter()
        .filter(|d| code.starts_with(d.prefix.as_str()))
        .max_by_key(|d| d.prefix.len())
}

/// The default activity uncertainty as a spread, `None` when no prefix fits.
pub fn activity_spread(code: &str) -> Option<Spread> {
    activity(code).map(|d| Spread {
        below: d.pct,
        above: d.pct,
        source: format!(
            "default {} % for {}{} ({})",
            crate::number::format_decimal(d.pct),
            d.prefix,
            if d.verified { "" } else { ", placeholder" },
            d.source
        ),
        default: true,
    })
}

/// A factor's 95 % interval as % below and above its value, from its
/// CI_lower and CI_upper; `None` without both or for a value of zero.
pub fn factor_spread(f: &Factor) -> Option<Spread> {
    let (lo, hi) = (f.ci_lower?, f.ci_upper?);
    if f.value <= Decimal::ZERO {
        return None;
    }
    let hundred = Decimal::ONE_HUNDRED;
    let below = ((f.value - lo) / f.value * hundred).max(Decimal::ZERO);
    let above = ((hi - f.value) / f.value * hundred).max(Decimal::ZERO);
    Some(Spread {
        below: below.min(hundred),
        above,
        source: format!(
            "{} 95 % interval {}-{} {}",
            f.id,
            crate::number::format_decimal(lo),
            crate::number::format_decimal(hi),
            f.unit_text
        ),
        default: false,
    })
}

/// For a row without lineage (a workbook): the median of the intervals
/// (the larger side, %) of the Guidebook Tier 1 factors of the row and
/// pollutant, else of all Tier 1 factors of the pollutant.
pub fn row_factor_pct(guidebook: &[Factor], code: &str, p: Pollutant) -> Option<(Decimal, String)> {
    let of = |row_only: bool| -> Vec<Decimal> {
        let mut v: Vec<Decimal> = guidebook
            .iter()
            .filter(|f| f.pollutant == p && f.pins.tier == Some(crate::pins::Tier::One))
            .filter(|f| !row_only || f.annex1_codes.iter().any(|c| c == code))
            .filter_map(factor_spread)
            .map(|s| s.u())
            .collect();
        v.sort();
        v
    };
    let median = |v: &[Decimal]| v[(v.len() - 1) / 2];
    let row = of(true);
    if !row.is_empty() {
        return Some((
            median(&row),
            format!(
                "default: median of the 95 % intervals of the {} Guidebook Tier 1 {p} factor(s) of {code}",
                row.len()
            ),
        ));
    }
    let all = of(false);
    (!all.is_empty()).then(|| {
        (
            median(&all),
            format!(
                "default: median of the 95 % intervals of the {} Guidebook Tier 1 {p} factors (none for {code})",
                all.len()
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn longest_prefix_wins() {
        assert_eq!(activity("1A1a").unwrap().pct, Decimal::from(5));
        assert!(activity("1A1a").unwrap().verified);
        assert_eq!(activity("1B2ai").unwrap().pct, Decimal::from(10));
        assert_eq!(activity("3Da1").unwrap().pct, Decimal::from(20));
        assert!(!activity("3Da1").unwrap().verified);
        assert!(activity("NATIONAL TOTAL").is_none());
    }

    /// 1A1a natural gas NOx in the Guidebook 2023 Tier 1 (Table 3-4):
    /// 89 g/GJ, 95 % interval 15.6-180: 82.47… % below, 102.24… % above.
    #[test]
    fn guidebook_interval_as_percent() {
        let gb = crate::emission_factor::embedded().unwrap();
        let f = gb
            .iter()
            .find(|f| {
                f.annex1_codes.iter().any(|c| c == "1A1a")
                    && f.pollutant == Pollutant::NOx
                    && f.pins.tier == Some(crate::pins::Tier::One)
                    && crate::pins::text(&f.fuel) == "Natural gas"
            })
            .expect("1A1a natural gas NOx Tier 1");
        assert_eq!(f.value, Decimal::from(89));
        let s = factor_spread(f).unwrap();
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(f.ci_lower, Some(d("15.6")));
        assert_eq!(f.ci_upper, Some(d("180")));
        assert_eq!(s.below, d("73.4") / d("89") * d("100"));
        assert_eq!(s.above, d("91") / d("89") * d("100"));
        assert_eq!(s.u(), s.above);
        assert!(!s.is_symmetric());
    }
}
