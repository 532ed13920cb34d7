//! Default uncertainties, so that no input counts as exact unless the user
//! says so: activity data by NFR code prefix (embedded from
//! `src/data/activity-uncertainty.csv`, each with its source and whether it
//! was verified); a factor's 95 % interval from its CI_lower and CI_upper;
//! for a factor without one, the median interval of the Guidebook Tier 1
//! factors of its row (and fuel), else the default of a data-quality
//! rating (`src/data/factor-uncertainty-defaults.csv`, the Guidebook's
//! typical error ranges; placeholders until verified).

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

/// The default activity uncertainty as a spread (the empty prefix fits
/// every row).
pub fn activity_spread(code: &str) -> Spread {
    let d = activity(code).expect("activity-uncertainty.csv has the empty prefix");
    Spread {
        below: d.pct,
        above: d.pct,
        source: format!(
            "default {} % for {}{} ({})",
            crate::number::format_decimal(d.pct),
            if d.prefix.is_empty() {
                code
            } else {
                d.prefix.as_str()
            },
            if d.verified { "" } else { ", placeholder" },
            d.source
        ),
        default: true,
        placeholder: !d.verified,
    }
}

/// A factor's 95 % interval as % below and above its value, from its
/// CI_lower and CI_upper; `None` without both, for a value of zero, or for
/// bounds that are not an interval around the value (the export's 1.A.3.b.i
/// columns, where CI_upper is below the value; or both equal to it).
pub fn factor_spread(f: &Factor) -> Option<Spread> {
    let (lo, hi) = (f.ci_lower?, f.ci_upper?);
    if f.value <= Decimal::ZERO || lo > f.value || hi < f.value || (lo == f.value && hi == f.value)
    {
        return None;
    }
    let hundred = Decimal::ONE_HUNDRED;
    let below = ((f.value - lo) / f.value * hundred).max(Decimal::ZERO);
    let above = ((hi - f.value) / f.value * hundred).max(Decimal::ZERO);
    let interval = format!(
        "{} 95 % interval {}-{} {}",
        f.id,
        crate::number::format_decimal(lo),
        crate::number::format_decimal(hi),
        f.unit_text
    );
    // Wider than an order of magnitude above the value: the widest rating's.
    let widest = widest();
    Some(if above > widest.upper {
        Spread {
            below: below.min(hundred),
            above: widest.upper,
            source: format!(
                "{interval}: its upper side, +{} %, is wider than the widest rating's; taken as rating {}'s +{} % (placeholder)",
                crate::number::show(above, 4),
                widest.rating,
                crate::number::format_decimal(widest.upper)
            ),
            default: true,
            placeholder: true,
        }
    } else {
        Spread {
            below: below.min(hundred),
            above,
            source: interval,
            default: false,
            placeholder: false,
        }
    })
}

/// The widest rating (E, an order of magnitude).
fn widest() -> &'static RatingDefault {
    RATINGS
        .iter()
        .max_by_key(|d| d.upper)
        .expect("factor-uncertainty-defaults.csv has ratings")
}

/// One rating of `src/data/factor-uncertainty-defaults.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingDefault {
    /// A to E.
    pub rating: String,
    /// The Guidebook's typical error range, as written (`50-200`).
    pub typical_error: String,
    /// The upper side airinv takes, %; the lower side makes the interval
    /// symmetric in log space.
    pub upper: Decimal,
    /// The rating assumed for a factor with neither interval nor rating.
    pub unrated: bool,
    pub verified: bool,
    pub source: String,
}

static RATINGS: LazyLock<Vec<RatingDefault>> = LazyLock::new(|| {
    let mut r = crate::data::reader(include_str!("../data/factor-uncertainty-defaults.csv"));
    r.records()
        .map(|rec| {
            let rec = rec.expect("embedded factor-uncertainty-defaults.csv is valid CSV");
            RatingDefault {
                rating: rec[0].to_string(),
                typical_error: rec[1].to_string(),
                upper: Decimal::from_str_exact(&rec[2]).expect("a decimal percentage"),
                unrated: &rec[3] == "true",
                verified: &rec[4] == "verified",
                source: rec[5].to_string(),
            }
        })
        .collect()
});

/// The default of a data-quality rating (A to E, any case).
pub fn rating(letter: &str) -> Option<&'static RatingDefault> {
    RATINGS
        .iter()
        .find(|d| d.rating.eq_ignore_ascii_case(letter.trim()))
}

/// The ratings, for messages (`A, B, C, D, E`).
pub fn rating_list() -> String {
    RATINGS
        .iter()
        .map(|d| d.rating.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl RatingDefault {
    /// The rating's interval: `upper` above, `upper / (1 + upper)` below
    /// (symmetric in log space); `why` says what it is a default for.
    pub fn spread(&self, why: &str) -> Spread {
        let hundred = Decimal::ONE_HUNDRED;
        let below = self.upper / (hundred + self.upper) * hundred;
        Spread {
            below,
            above: self.upper,
            source: format!(
                "{why}default for a rating {} factor (typical error {} %): −{} % / +{} %{} ({})",
                self.rating,
                self.typical_error,
                crate::number::show(below, 3),
                crate::number::format_decimal(self.upper),
                if self.verified { "" } else { ", placeholder" },
                self.source
            ),
            default: true,
            placeholder: !self.verified,
        }
    }
}

/// The rating assumed for a factor with neither interval nor rating.
fn unrated() -> &'static RatingDefault {
    RATINGS
        .iter()
        .find(|d| d.unrated)
        .expect("factor-uncertainty-defaults.csv marks one rating unrated")
}

/// The default uncertainty of a factor without a 95 % interval on an
/// Annex I row: the interval of the median (by its larger side) of the
/// Guidebook Tier 1 factors of the row and pollutant that have one, of the
/// same fuel where there are such (`fuel` empty: any); else the default of
/// the rating assumed for unrated factors. `what` names the factor.
pub fn factor_default(
    guidebook: &[Factor],
    code: &str,
    fuel: &str,
    p: Pollutant,
    what: &str,
) -> Spread {
    let of_row: Vec<(&Factor, Spread)> = guidebook
        .iter()
        .filter(|f| f.pollutant == p && f.pins.tier == Some(crate::pins::Tier::One))
        .filter(|f| f.annex1_codes.iter().any(|c| c == code))
        .filter_map(|f| factor_spread(f).map(|s| (f, s)))
        .collect();
    let same_fuel: Vec<&(&Factor, Spread)> = of_row
        .iter()
        .filter(|(f, _)| !fuel.is_empty() && crate::pins::text(&f.fuel).eq_ignore_ascii_case(fuel))
        .collect();
    let (mut pool, of_what): (Vec<&(&Factor, Spread)>, String) = if same_fuel.is_empty() {
        (of_row.iter().collect(), code.to_string())
    } else {
        (same_fuel, format!("{code} {fuel}"))
    };
    if pool.is_empty() {
        return unrated().spread(&format!(
            "{what} has no 95 % interval and no Guidebook Tier 1 {p} factor of {code} has one: "
        ));
    }
    pool.sort_by(|a, b| a.1.u().cmp(&b.1.u()).then(a.0.id.cmp(&b.0.id)));
    let (_, median) = pool[(pool.len() - 1) / 2];
    Spread {
        source: format!(
            "{what} has no 95 % interval: default, the median of the {} Guidebook Tier 1 {p} factor(s) of {of_what}, {}",
            pool.len(),
            median.source
        ),
        default: true,
        ..median.clone()
    }
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
        // Every sector row has a default; the empty prefix is a placeholder.
        for r in crate::nfr::sector_rows() {
            assert!(activity_spread(&r.code).above > Decimal::ZERO, "{}", r.code);
        }
        assert_eq!(activity("NATIONAL TOTAL").unwrap().prefix, "");
        assert!(activity_spread("NATIONAL TOTAL").placeholder);
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
