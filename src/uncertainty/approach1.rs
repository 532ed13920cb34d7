//! Approach 1: error propagation (IPCC 2006 Vol. 1 ch. 3, Table 3.2;
//! Guidebook Part A ch. 5 §5), per pollutant over the NFR rows, in exact
//! decimals (square roots to 28 significant digits).
//!
//! With C the base-year and D the year's emission of a row, E and F its
//! activity and factor uncertainties (95 % half-widths, %):
//!
//! ```text
//! G = √(E² + F²)                                   combined uncertainty, %
//! H = (G · D / ΣD)²                                contribution to the variance of the total
//! U_total = √ΣH                                    % of the total
//! A = ((0.01·D + ΣD)/(0.01·C + ΣC) − 1)·100 − (ΣD/ΣC − 1)·100   Type A sensitivity
//! B = D / ΣC                                       Type B sensitivity
//! K = A · F                                        trend uncertainty from the factor (correlated between years)
//! L = B · E · √2                                   trend uncertainty from the activity (uncorrelated)
//! M = K² + L²;  U_trend = √ΣM                      percentage points of the trend
//! ```

use crate::number::{exact, exact_opt};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Serialize;

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
    /// Activity uncertainty (E), %.
    #[serde(serialize_with = "exact")]
    pub activity_pct: Decimal,
    /// Factor uncertainty (F), %.
    #[serde(serialize_with = "exact")]
    pub factor_pct: Decimal,
    /// Where the uncertainties come from, in words.
    pub activity_source: String,
    pub factor_source: String,
}

/// One row of the Approach 1 table (in JSON, a category).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowResult {
    #[serde(flatten)]
    pub input: RowInput,
    /// G, %.
    #[serde(serialize_with = "exact")]
    pub combined_pct: Decimal,
    /// H, %².
    #[serde(skip)]
    pub variance: Decimal,
    /// H / ΣH, % of the variance of the total.
    #[serde(rename = "contribution_pct", serialize_with = "exact")]
    pub variance_share: Decimal,
    /// With a base year: I (Type A), J (Type B), K, L, M.
    #[serde(skip)]
    pub type_a: Option<Decimal>,
    #[serde(skip)]
    pub type_b: Option<Decimal>,
    #[serde(skip)]
    pub trend_from_factor: Option<Decimal>,
    #[serde(skip)]
    pub trend_from_activity: Option<Decimal>,
    #[serde(rename = "trend_contribution", serialize_with = "exact_opt")]
    pub trend_variance: Option<Decimal>,
    /// The row's key-category criteria (`L1/T2`), when a key category
    /// analysis was made beside ([`super::analyse`]); empty otherwise.
    pub key: String,
}

/// A pollutant's Approach 1 result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approach1 {
    pub pollutant: Pollutant,
    pub unit: &'static str,
    /// ΣD.
    #[serde(serialize_with = "exact")]
    pub total: Decimal,
    /// √ΣH, % of the total (None when the total is zero).
    #[serde(serialize_with = "exact_opt")]
    pub uncertainty_pct: Option<Decimal>,
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
    let mut out: Vec<RowResult> = rows
        .into_iter()
        .map(|r| {
            let g = sqrt(r.activity_pct * r.activity_pct + r.factor_pct * r.factor_pct);
            let h = if total.is_zero() {
                Decimal::ZERO
            } else {
                let x = g * r.emission / total;
                x * x
            };
            let (mut a, mut b, mut k, mut l, mut m) = (None, None, None, None, None);
            if let (Some(sc), Some(tp)) = (base_total.filter(|c| !c.is_zero()), trend_pct) {
                let c = r.base.unwrap_or(Decimal::ZERO);
                let ta = ((one_pct * r.emission + total) / (one_pct * c + sc) - Decimal::ONE)
                    * hundred
                    - tp;
                let tb = r.emission / sc;
                let kk = ta * r.factor_pct;
                let ll = tb * r.activity_pct * sqrt2;
                a = Some(ta);
                b = Some(tb);
                k = Some(kk);
                l = Some(ll);
                m = Some(kk * kk + ll * ll);
            }
            RowResult {
                input: r,
                combined_pct: g,
                variance: h,
                variance_share: Decimal::ZERO,
                type_a: a,
                type_b: b,
                trend_from_factor: k,
                trend_from_activity: l,
                trend_variance: m,
                key: String::new(),
            }
        })
        .collect();
    let sum_h: Decimal = out.iter().map(|r| r.variance).sum();
    for r in &mut out {
        if !sum_h.is_zero() {
            r.variance_share = r.variance / sum_h * hundred;
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
    Approach1 {
        pollutant,
        unit: pollutant.unit(),
        total,
        uncertainty_pct: (!total.is_zero()).then(|| sqrt(sum_h)),
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
        RowInput {
            row: crate::nfr::find(code).unwrap().number,
            code,
            base: Some(d(c)),
            emission: d(e),
            activity_pct: d(ad),
            factor_pct: d(ef),
            activity_source: String::new(),
            factor_source: String::new(),
        }
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
