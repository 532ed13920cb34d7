//! Approach 1: error propagation (IPCC 2006 Vol. 1 ch. 3, Table 3.2;
//! Guidebook Part A ch. 5 §5), per pollutant over the NFR rows, in exact
//! decimals (square roots to 28 significant digits).
//!
//! The lower and the upper side of each 95 % interval are propagated apart
//! (IPCC 2006 Eq. 3.1 and 3.2 applied to each side, as the Swiss FOEN
//! implementation does), with the intervals the Monte Carlo draws (a
//! symmetric interval a normal, an asymmetric one reproduced exactly): a
//! pollutant's level uncertainty is `−x % / +y %`, and equals IPCC's
//! single value when every input is symmetric. With C the base-year and D
//! the year's emission of a row, E and F its activity and factor
//! uncertainties (95 % half-widths, %, each side apart, or their mean Ē and
//! F̄ where one value is needed):
//!
//! ```text
//! G = √(E² + F²), per side                        combined uncertainty, %
//! U_total = √Σ(G · D / ΣD)², per side              % of the total (the lower side at most 100 %)
//! H = (Ḡ · D / ΣD)², Ḡ the mean of G's sides                 contribution to the variance
//! A = ((0.01·D + ΣD)/(0.01·C + ΣC) − 1)·100 − (ΣD/ΣC − 1)·100   Type A sensitivity
//! B = D / ΣC                                       Type B sensitivity
//! K = A · F̄c                                      trend from the factors used in both years (correlated)
//! K' = √((F̄y · D)² + (F̄b · C · ΣD/ΣC)²) / ΣC      trend from factors used in one year only (uncorrelated)
//! L = B · Ē · √2                                   trend from the activity (uncorrelated)
//! M = K² + K'² + L²;  U_trend = √ΣM                percentage points of the trend
//! ```
//!
//! A row's factor uncertainty splits by the lineage (F̄c: lines whose
//! factor is used for the row in both years; F̄y: in the year only, % of D;
//! F̄b: in the base year only, % of C): the same factor is correlated
//! between the years (IPCC's Type A), a different one is not, and both
//! years' uncertainties enter with their first-order sensitivities. A row
//! with no emission in the year (a vanished category) has its base year's
//! uncertainties: it adds nothing to the level and its share to the trend.
//!
//! Approach 1 assumes small uncertainties (IPCC 2006 Vol. 1 ch. 3: σ/mean
//! below about 0.3, a 95 % half-width below 1.96 × 0.3 = 58.8 %). Where
//! rows wider than that carry more than half of a pollutant's variance its
//! result is marked indicative ([`Approach1::indicative`]) and the outputs
//! lead with the Monte Carlo.

use crate::number::{exact, exact_opt};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Serialize;

/// A 95 % half-width beyond which Approach 1 is out of its range: σ/mean
/// 0.3 (IPCC 2006 Vol. 1 ch. 3) × 1.96, in %.
pub const VALID_HALF_WIDTH_PCT: Decimal = Decimal::from_parts(588, 0, 0, false, 1);

/// How a row's factors relate between the base year and the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Between {
    /// No base year.
    None,
    /// Every line's factor is used in both years: correlated.
    Same,
    /// No factor is used in both years: uncorrelated.
    Different,
    /// Some lines' factors are, some are not.
    Partly,
}

impl Between {
    /// In words, for the tables.
    pub fn text(self) -> &'static str {
        match self {
            Between::None => "",
            Between::Same => "same factor: correlated",
            Between::Different => "different factors: uncorrelated",
            Between::Partly => "partly the same factor",
        }
    }
}

/// One row's emissions and uncertainties.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowInput {
    /// Template row number.
    #[serde(skip)]
    pub row: u32,
    pub code: &'static str,
    /// Base-year emission (C), with a base year.
    #[serde(rename = "base_emission", serialize_with = "exact_opt")]
    pub base: Option<Decimal>,
    /// The year's emission (D).
    #[serde(serialize_with = "exact")]
    pub emission: Decimal,
    /// Activity uncertainty (E), % below and above.
    #[serde(serialize_with = "exact")]
    pub activity_lower_pct: Decimal,
    #[serde(serialize_with = "exact")]
    pub activity_upper_pct: Decimal,
    /// Factor uncertainty (F), % below and above.
    #[serde(serialize_with = "exact")]
    pub factor_lower_pct: Decimal,
    #[serde(serialize_with = "exact")]
    pub factor_upper_pct: Decimal,
    /// For the trend: the factor uncertainty (mean of the sides) of the
    /// lines whose factor is used in both years, % of D ...
    #[serde(serialize_with = "exact")]
    pub factor_correlated_pct: Decimal,
    /// ... of the lines whose factor is used in the year only, % of D ...
    #[serde(serialize_with = "exact")]
    pub factor_year_only_pct: Decimal,
    /// ... and of the base-year lines whose factor is not used in the year, % of C.
    #[serde(serialize_with = "exact")]
    pub factor_base_only_pct: Decimal,
    pub factor_between_years: Between,
    /// Where the uncertainties come from, in words.
    pub activity_source: String,
    pub factor_source: String,
    /// Lines whose activity or factor uncertainty is a placeholder (no
    /// verified source gives it).
    pub placeholders: usize,
}

impl RowInput {
    /// A row whose uncertainties are the same for every line and both
    /// years (a table's row: the factor counted as the same in both years).
    pub fn uniform(
        row: &'static crate::nfr::Row,
        base: Option<Decimal>,
        emission: Decimal,
        activity: &super::Spread,
        factor: &super::Spread,
    ) -> RowInput {
        RowInput {
            row: row.number,
            code: row.code.as_str(),
            base,
            emission,
            activity_lower_pct: activity.below,
            activity_upper_pct: activity.above,
            factor_lower_pct: factor.below,
            factor_upper_pct: factor.above,
            factor_correlated_pct: factor.mean(),
            factor_year_only_pct: Decimal::ZERO,
            factor_base_only_pct: Decimal::ZERO,
            factor_between_years: if base.is_some() {
                Between::Same
            } else {
                Between::None
            },
            activity_source: activity.source.clone(),
            factor_source: factor.source.clone(),
            placeholders: usize::from(activity.placeholder || factor.placeholder),
        }
    }

    /// The activity uncertainty, mean of the sides (Ē), %.
    pub fn activity_pct(&self) -> Decimal {
        mean(self.activity_lower_pct, self.activity_upper_pct)
    }

    /// The factor uncertainty, mean of the sides (F̄), %.
    pub fn factor_pct(&self) -> Decimal {
        mean(self.factor_lower_pct, self.factor_upper_pct)
    }
}

/// One row of the Approach 1 table (in JSON, a category).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowResult {
    #[serde(flatten)]
    pub input: RowInput,
    /// Ē and F̄, %.
    #[serde(serialize_with = "exact")]
    pub activity_pct: Decimal,
    #[serde(serialize_with = "exact")]
    pub factor_pct: Decimal,
    /// G's lower and upper sides, %.
    #[serde(serialize_with = "exact")]
    pub combined_lower_pct: Decimal,
    #[serde(serialize_with = "exact")]
    pub combined_upper_pct: Decimal,
    /// Ḡ, the mean of G's sides, %: the row's `U` in Approach 2 of the key
    /// categories.
    #[serde(serialize_with = "exact")]
    pub combined_pct: Decimal,
    /// H, %².
    #[serde(skip)]
    pub variance: Decimal,
    /// H / ΣH, % of the variance of the total.
    #[serde(rename = "contribution_pct", serialize_with = "exact")]
    pub variance_share: Decimal,
    /// With a base year: I (Type A), J (Type B), K, K', L, M.
    #[serde(skip)]
    pub type_a: Option<Decimal>,
    #[serde(skip)]
    pub type_b: Option<Decimal>,
    #[serde(skip)]
    pub trend_from_factor: Option<Decimal>,
    #[serde(skip)]
    pub trend_from_factor_uncorrelated: Option<Decimal>,
    #[serde(skip)]
    pub trend_from_activity: Option<Decimal>,
    #[serde(rename = "trend_contribution", serialize_with = "exact_opt")]
    pub trend_variance: Option<Decimal>,
    /// The row's key-category criteria (`L1/T2`), when a key category
    /// analysis was made beside ([`super::analyse`]); empty otherwise.
    pub key: String,
}

impl RowResult {
    /// Wider than Approach 1's range on either side ([`VALID_HALF_WIDTH_PCT`]).
    pub fn wide(&self) -> bool {
        self.combined_lower_pct.max(self.combined_upper_pct) > VALID_HALF_WIDTH_PCT
    }
}

/// A pollutant's Approach 1 result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approach1 {
    pub pollutant: Pollutant,
    pub unit: &'static str,
    /// ΣD.
    #[serde(serialize_with = "exact")]
    pub total: Decimal,
    /// The level uncertainty's lower and upper sides, % of the total (None
    /// when the total is zero).
    #[serde(serialize_with = "exact_opt")]
    pub lower_pct: Option<Decimal>,
    #[serde(serialize_with = "exact_opt")]
    pub upper_pct: Option<Decimal>,
    /// The mean of the two sides (IPCC's single value when every input is
    /// symmetric).
    #[serde(serialize_with = "exact_opt")]
    pub uncertainty_pct: Option<Decimal>,
    /// The share of the variance from rows wider than Approach 1's range, %.
    #[serde(serialize_with = "exact")]
    pub wide_share_pct: Decimal,
    /// More than half of the variance from such rows: Approach 1 is
    /// indicative, the Monte Carlo's interval is the result.
    pub indicative: bool,
    /// With a base year: the trend.
    #[serde(flatten)]
    pub trend: Option<Trend>,
    /// Rows in descending order of their contribution to the variance.
    #[serde(rename = "categories")]
    pub rows: Vec<RowResult>,
}

/// The trend of a pollutant's total, with a base year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// ΣC.
    #[serde(serialize_with = "exact")]
    pub base_total: Decimal,
    /// (ΣD − ΣC)/ΣC × 100 (none when ΣC is zero).
    #[serde(serialize_with = "exact_opt")]
    pub trend_pct: Option<Decimal>,
    /// √ΣM, percentage points.
    #[serde(serialize_with = "exact_opt")]
    pub trend_uncertainty_pct: Option<Decimal>,
}

impl Approach1 {
    /// ΣC, with a base year.
    pub fn base_total(&self) -> Option<Decimal> {
        self.trend.as_ref().map(|t| t.base_total)
    }

    /// The trend, %, when it can be computed.
    pub fn trend_pct(&self) -> Option<Decimal> {
        self.trend.as_ref().and_then(|t| t.trend_pct)
    }

    /// The trend's uncertainty, percentage points.
    pub fn trend_uncertainty_pct(&self) -> Option<Decimal> {
        self.trend.as_ref().and_then(|t| t.trend_uncertainty_pct)
    }

    /// The level uncertainty's sides, when the total is not zero.
    pub fn sides(&self) -> Option<(Decimal, Decimal)> {
        self.lower_pct.zip(self.upper_pct)
    }
}

/// √x to 28 significant digits (Newton's method from a power of ten), 0
/// for x ≤ 0. No floating point: Approach 1 is exact decimals.
pub fn sqrt(x: Decimal) -> Decimal {
    if x <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let ten = Decimal::TEN;
    let mut g = Decimal::ONE;
    if x > Decimal::ONE {
        while g * g * Decimal::ONE_HUNDRED < x {
            g *= ten;
        }
    } else {
        while g * g > x * Decimal::ONE_HUNDRED {
            g /= ten;
        }
    }
    for _ in 0..200 {
        let next = (g + x / g) / Decimal::TWO;
        if next == g {
            break;
        }
        g = next;
    }
    g.normalize()
}

/// The mean of two sides (the side itself when they are equal, to the last digit).
pub fn mean(lower: Decimal, upper: Decimal) -> Decimal {
    if lower == upper {
        lower
    } else {
        (lower + upper) / Decimal::TWO
    }
}

/// Approach 1 over the rows of one pollutant.
pub fn compute(pollutant: Pollutant, rows: Vec<RowInput>, with_base: bool) -> Approach1 {
    let hundred = Decimal::ONE_HUNDRED;
    let one_pct = Decimal::new(1, 2);
    let total: Decimal = rows.iter().map(|r| r.emission).sum();
    let base_total: Option<Decimal> =
        with_base.then(|| rows.iter().map(|r| r.base.unwrap_or(Decimal::ZERO)).sum());
    let sqrt2 = sqrt(Decimal::TWO);
    let trend_pct = base_total
        .filter(|c| !c.is_zero())
        .map(|c| (total - c) / c * hundred);
    let (mut lower2, mut upper2) = (Decimal::ZERO, Decimal::ZERO);
    let mut out: Vec<RowResult> = rows
        .into_iter()
        .map(|r| {
            let side = |e: Decimal, f: Decimal| sqrt(e * e + f * f);
            let g_lower = side(r.activity_lower_pct, r.factor_lower_pct);
            let g_upper = side(r.activity_upper_pct, r.factor_upper_pct);
            let g = mean(g_lower, g_upper);
            let h = if total.is_zero() {
                Decimal::ZERO
            } else {
                let x = g * r.emission / total;
                let (lo, hi) = (g_lower * r.emission / total, g_upper * r.emission / total);
                lower2 += lo * lo;
                upper2 += hi * hi;
                x * x
            };
            let (activity, factor) = (r.activity_pct(), r.factor_pct());
            let (mut a, mut b, mut k, mut k2, mut l, mut m) = (None, None, None, None, None, None);
            if let (Some(sc), Some(tp)) = (base_total.filter(|c| !c.is_zero()), trend_pct) {
                let c = r.base.unwrap_or(Decimal::ZERO);
                let ta = ((one_pct * r.emission + total) / (one_pct * c + sc) - Decimal::ONE)
                    * hundred
                    - tp;
                let tb = r.emission / sc;
                let kk = ta * r.factor_correlated_pct;
                let year_only = r.factor_year_only_pct * r.emission / sc;
                let base_only = r.factor_base_only_pct * c / sc * total / sc;
                let kk2 = sqrt(year_only * year_only + base_only * base_only);
                let ll = tb * activity * sqrt2;
                a = Some(ta);
                b = Some(tb);
                k = Some(kk);
                k2 = Some(kk2);
                l = Some(ll);
                m = Some(kk * kk + kk2 * kk2 + ll * ll);
            }
            RowResult {
                input: r,
                activity_pct: activity,
                factor_pct: factor,
                combined_lower_pct: g_lower,
                combined_upper_pct: g_upper,
                combined_pct: g,
                variance: h,
                variance_share: Decimal::ZERO,
                type_a: a,
                type_b: b,
                trend_from_factor: k,
                trend_from_factor_uncorrelated: k2,
                trend_from_activity: l,
                trend_variance: m,
                key: String::new(),
            }
        })
        .collect();
    let sum_h: Decimal = out.iter().map(|r| r.variance).sum();
    let mut wide_share_pct = Decimal::ZERO;
    for r in &mut out {
        if !sum_h.is_zero() {
            r.variance_share = r.variance / sum_h * hundred;
        }
        if r.wide() {
            wide_share_pct += r.variance_share;
        }
    }
    out.sort_by(|a, b| {
        b.variance
            .cmp(&a.variance)
            .then(a.input.row.cmp(&b.input.row))
    });
    let trend_uncertainty_pct = trend_pct.map(|_| {
        sqrt(
            out.iter()
                .map(|r| r.trend_variance.unwrap_or(Decimal::ZERO))
                .sum(),
        )
    });
    let level = |x2: Decimal| (!total.is_zero()).then(|| sqrt(x2));
    // The total cannot fall below zero: its lower side is at most 100 %.
    let (lower_pct, upper_pct) = (level(lower2).map(|x| x.min(hundred)), level(upper2));
    Approach1 {
        pollutant,
        unit: pollutant.unit(),
        total,
        lower_pct,
        upper_pct,
        uncertainty_pct: lower_pct.zip(upper_pct).map(|(lo, hi)| mean(lo, hi)),
        wide_share_pct,
        indicative: wide_share_pct > Decimal::new(50, 0),
        trend: base_total.map(|base_total| Trend {
            base_total,
            trend_pct,
            trend_uncertainty_pct,
        }),
        rows: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn close(a: Decimal, b: &str) {
        let diff = (a - d(b)).abs();
        assert!(diff < d("0.000000001"), "{a} is not {b}");
    }

    #[test]
    fn square_roots_are_exact_to_the_last_digits() {
        assert!(
            (sqrt(d("340.25")) * sqrt(d("340.25")) - d("340.25")).abs()
                < d("0.000000000000000000000001")
        );
        assert_eq!(sqrt(d("144")), d("12"));
        assert_eq!(sqrt(d("0.0004")), d("0.02"));
        assert_eq!(sqrt(Decimal::ZERO), Decimal::ZERO);
        close(sqrt(Decimal::TWO), "1.41421356237309504880168872");
    }

    fn row(code: &'static str, c: &str, e: &str, ad: &str, ef: &str) -> RowInput {
        let s = |x: &str| crate::uncertainty::Spread::symmetric(d(x), String::new());
        RowInput::uniform(
            crate::nfr::find(code).unwrap(),
            Some(d(c)),
            d(e),
            &s(ad),
            &s(ef),
        )
    }

    /// Three NOx rows, by hand (IPCC 2006 Table 3.2):
    /// base C = 50, 40, 10 (ΣC 100); year D = 45, 30, 15 (ΣD 90, trend −10 %);
    /// E (activity) = 5, 5, 20 %; F (factor) = 20, 30, 100 %.
    /// G = √425, √925, √10400; H = G²·(D/90)² = 425/4 = 106.25,
    /// 925/9 = 102.777…, 10400/36 = 288.888…; ΣH = 497.91666…, U = 22.31404639832647…%.
    /// Type A: 1A1a ((0.45 + 90)/(0.5 + 100) − 1)·100 + 10 = 0 (it keeps its
    /// share); 1A3bi (90.3/100.4 − 1)·100 + 10 = −0.0597609561752988…;
    /// 3Da1 (90.15/100.1 − 1)·100 + 10 = 0.0599400599400599…
    /// Type B = D/100 = 0.45, 0.3, 0.15. K = A·F: 0, −1.79282868525896…, 5.99400599400599…
    /// L = B·E·√2: 2.25·√2, 1.5·√2, 3·√2. M = K² + L²: 10.125, 7.71423469468738…,
    /// 53.9281078561797…; ΣM = 71.7673425508671…, U_trend = 8.47156080960687… pp.
    #[test]
    fn three_rows_by_hand() {
        let a = compute(
            Pollutant::NOx,
            vec![
                row("1A1a", "50", "45", "5", "20"),
                row("1A3bi", "40", "30", "5", "30"),
                row("3Da1", "10", "15", "20", "100"),
            ],
            true,
        );
        assert_eq!(a.total, d("90"));
        assert_eq!(a.base_total(), Some(d("100")));
        assert_eq!(a.trend_pct(), Some(d("-10")));
        let codes: Vec<&str> = a.rows.iter().map(|r| r.input.code).collect();
        assert_eq!(codes, ["3Da1", "1A1a", "1A3bi"]);
        close(a.rows[0].variance, "288.888888888888888888888888");
        assert_eq!(a.rows[1].variance, d("106.25"));
        close(a.rows[2].variance, "102.777777777777777777777777");
        close(a.uncertainty_pct.unwrap(), "22.314046398326473558463739");
        assert_eq!(a.rows[1].type_a, Some(Decimal::ZERO));
        close(a.rows[2].type_a.unwrap(), "-0.059760956175298804780876494");
        close(a.rows[0].type_a.unwrap(), "0.059940059940059940059940060");
        assert_eq!(a.rows[0].type_b, Some(d("0.15")));
        close(a.rows[1].trend_variance.unwrap(), "10.125");
        close(
            a.rows[2].trend_variance.unwrap(),
            "7.714234694687385914509293503",
        );
        close(
            a.rows[0].trend_variance.unwrap(),
            "53.928107856179784251712323640",
        );
        close(
            a.trend_uncertainty_pct().unwrap(),
            "8.471560809606879648076744050",
        );
        // Shares of the variance add up to 100 %.
        let shares: Decimal = a.rows.iter().map(|r| r.variance_share).sum();
        close(shares, "100");
    }
}
