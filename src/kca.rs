//! Key category analysis (EMEP/EEA Guidebook 2023 Part A ch. 2, after IPCC
//! 2006 Vol. 1 ch. 4), per pollutant over the NFR sector rows 14-140 of the
//! Annex I table (memo items and the fuel-used rows are outside the national
//! total, so outside the analysis).
//!
//! - **Level** (Approach 1, IPCC 2006 Eq. 4.1): `L_x = |E_x| / Σ|E_y|`;
//!   categories sorted by L, key while the cumulative share before them is
//!   below the threshold (80 %, the Guidebook's for air pollutants), so the
//!   category that crosses it is key too.
//! - **Trend** (Approach 1, IPCC 2006 Eq. 4.2 and 4.3): `T_x = |E_x,t −
//!   E_x,0 · E_t/E_0| / E_0` (= `L_x,0 · |Δ_x − Δ_total|`, and `E_x,t / E_0`
//!   for a category without base-year emission), normalised by `Σ T`,
//!   sorted, key up to 80 %.
//! - **Approach 2** (IPCC 2006 Eq. 4.4, 4.5), when each row's combined
//!   uncertainty U is known: `L_x · U_x` and `T_x · U_x`, normalised, sorted,
//!   key up to 80 %. A category key by either approach is key.
//!
//! Notation keys and empty cells count as zero. Everything is exact
//! decimals; shares are percentages.

use crate::annex1::Annex1Year;
use crate::nfr::{self, RowKind};
use crate::number::{exact, exact_opt};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// The Guidebook's threshold for air pollutants, in % (Part A ch. 2; the
/// Swiss FOEN implementation's `KCA_1_P_IIR = 0.8`).
pub const THRESHOLD_PCT: Decimal = Decimal::from_parts(80, 0, 0, false, 0);

/// One category (an NFR row) of a pollutant's analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Category {
    /// Template row number (14 for 1A1a).
    #[serde(skip)]
    pub row: u32,
    pub code: &'static str,
    pub name: &'static str,
    /// Emission in the year, template units.
    #[serde(serialize_with = "exact")]
    pub emission: Decimal,
    /// Level: |E_x| / Σ|E|, %.
    #[serde(serialize_with = "exact")]
    pub level: Decimal,
    /// Cumulative level share, in the order of descending level, %.
    #[serde(serialize_with = "exact")]
    pub cumulative: Decimal,
    pub key_level: bool,
    /// With a base year: the trend assessment.
    #[serde(flatten)]
    pub trend: Option<Trend>,
    /// With the row's combined uncertainty: Approach 2.
    #[serde(flatten)]
    pub approach2: Option<Approach2>,
    /// Key by any assessment.
    pub key: bool,
    /// The criteria that make the category key, as IIRs write them (`L1`,
    /// `T1`, `L2`, `T2`), joined by `/`.
    pub criteria: String,
}

/// The trend assessment of a category (with a base year).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trend {
    /// The base-year emission.
    #[serde(serialize_with = "exact")]
    pub base_emission: Decimal,
    /// T_x / Σ T, % (none when the base-year total is zero).
    #[serde(serialize_with = "exact_opt")]
    pub trend: Option<Decimal>,
    /// Cumulative trend share, in the order of descending trend, %.
    #[serde(serialize_with = "exact_opt")]
    pub trend_cumulative: Option<Decimal>,
    pub key_trend: bool,
}

/// Approach 2 of a category whose combined uncertainty is known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approach2 {
    /// The row's combined uncertainty, %.
    #[serde(serialize_with = "exact")]
    pub uncertainty_pct: Decimal,
    /// L·U / Σ L·U, % (none unless every category's uncertainty is known).
    #[serde(serialize_with = "exact_opt")]
    pub level_u: Option<Decimal>,
    pub key_level_u: bool,
    /// With a base year.
    #[serde(flatten)]
    pub trend: Option<TrendU>,
}

/// Approach 2 of the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendU {
    /// T·U / Σ T·U, %.
    #[serde(serialize_with = "exact_opt")]
    pub trend_u: Option<Decimal>,
    pub key_trend_u: bool,
}

impl Category {
    /// The trend share, %, when assessed.
    pub fn trend_share(&self) -> Option<Decimal> {
        self.trend.as_ref().and_then(|t| t.trend)
    }

    /// Key by the trend (Approach 1).
    pub fn key_trend(&self) -> bool {
        self.trend.as_ref().is_some_and(|t| t.key_trend)
    }

    /// Sets `key` and `criteria` from the assessments.
    fn conclude(&mut self) {
        let a2 = self.approach2.as_ref();
        let mut c = Vec::new();
        for (on, name) in [
            (self.key_level, "L1"),
            (self.key_trend(), "T1"),
            (a2.is_some_and(|a| a.key_level_u), "L2"),
            (
                a2.and_then(|a| a.trend.as_ref())
                    .is_some_and(|t| t.key_trend_u),
                "T2",
            ),
        ] {
            if on {
                c.push(name);
            }
        }
        self.key = !c.is_empty();
        self.criteria = c.join("/");
    }
}

/// The analysis of one pollutant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollutantKca {
    pub pollutant: Pollutant,
    pub unit: &'static str,
    pub year: i32,
    pub base: Option<i32>,
    /// Σ E over the sector rows in the year (the national total by note (a)).
    #[serde(serialize_with = "exact")]
    pub total: Decimal,
    #[serde(serialize_with = "exact_opt")]
    pub base_total: Option<Decimal>,
    /// The threshold of the cumulative shares, % ([`THRESHOLD_PCT`]).
    #[serde(serialize_with = "exact")]
    pub threshold_pct: Decimal,
    /// The categories with an emission in the year or the base year, in
    /// descending order of level (ties in template order).
    pub categories: Vec<Category>,
}

impl PollutantKca {
    pub fn key_categories(&self) -> impl Iterator<Item = &Category> {
        self.categories.iter().filter(|c| c.key)
    }
}

/// Each row's combined uncertainty (%), by (pollutant, template row), for
/// Approach 2.
pub type RowUncertainties = BTreeMap<(Pollutant, u32), Decimal>;

/// A sector row's emission of a pollutant: its number, 0 for keys and empty cells.
fn emission(table: &Annex1Year, row: u32, p: Pollutant) -> Decimal {
    table
        .rows
        .get(&row)
        .and_then(|c| c.get(p).number())
        .unwrap_or(Decimal::ZERO)
}

/// The analysis of every pollutant that has an emission in the year (or
/// the base year), in template column order.
pub fn analyse(
    year: &Annex1Year,
    base: Option<&Annex1Year>,
    uncertainties: Option<&RowUncertainties>,
) -> Vec<PollutantKca> {
    Pollutant::ALL
        .iter()
        .filter_map(|&p| analyse_pollutant(year, base, uncertainties, p))
        .collect()
}

/// The analysis of one pollutant; `None` when no sector row has an emission.
pub fn analyse_pollutant(
    year: &Annex1Year,
    base: Option<&Annex1Year>,
    uncertainties: Option<&RowUncertainties>,
    p: Pollutant,
) -> Option<PollutantKca> {
    let hundred = Decimal::ONE_HUNDRED;
    let rows: Vec<&'static nfr::Row> = nfr::rows()
        .iter()
        .filter(|r| r.kind == RowKind::Sector)
        .collect();
    let mut cats: Vec<Category> = rows
        .iter()
        .map(|r| Category {
            row: r.number,
            code: r.code.as_str(),
            name: r.name.as_str(),
            emission: emission(year, r.number, p),
            level: Decimal::ZERO,
            cumulative: Decimal::ZERO,
            key_level: false,
            trend: base.map(|b| Trend {
                base_emission: emission(b, r.number, p),
                trend: None,
                trend_cumulative: None,
                key_trend: false,
            }),
            approach2: uncertainties
                .and_then(|u| u.get(&(p, r.number)))
                .map(|u| Approach2 {
                    uncertainty_pct: *u,
                    level_u: None,
                    key_level_u: false,
                    trend: base.map(|_| TrendU {
                        trend_u: None,
                        key_trend_u: false,
                    }),
                }),
            key: false,
            criteria: String::new(),
        })
        .filter(|c| {
            !c.emission.is_zero() || c.trend.as_ref().is_some_and(|t| !t.base_emission.is_zero())
        })
        .collect();
    if cats.is_empty() {
        return None;
    }
    let total: Decimal = cats.iter().map(|c| c.emission).sum();
    let abs_total: Decimal = cats.iter().map(|c| c.emission.abs()).sum();
    let base_total: Option<Decimal> = base.map(|_| {
        cats.iter()
            .filter_map(|c| c.trend.as_ref().map(|t| t.base_emission))
            .sum()
    });

    // Level.
    if !abs_total.is_zero() {
        for c in &mut cats {
            c.level = c.emission.abs() / abs_total * hundred;
        }
    }
    let level: Vec<Decimal> = cats.iter().map(|c| c.level).collect();
    for (i, cum, key) in cumulate(&level) {
        cats[i].cumulative = cum;
        cats[i].key_level = key;
    }

    // Trend (needs a base-year total above zero).
    let trend_raw: Option<Vec<Decimal>> = match base_total {
        Some(e0) if !e0.is_zero() => {
            let et = total;
            Some(
                cats.iter()
                    .map(|c| {
                        let x0 = c.trend.as_ref().map_or(Decimal::ZERO, |t| t.base_emission);
                        ((c.emission - x0 * et / e0) / e0).abs()
                    })
                    .collect(),
            )
        }
        _ => None,
    };
    if let Some(raw) = &trend_raw {
        let shares = normalise(raw);
        for (i, cum, key) in cumulate(&shares) {
            if let Some(t) = cats[i].trend.as_mut() {
                t.trend = Some(shares[i]);
                t.trend_cumulative = Some(cum);
                t.key_trend = key;
            }
        }
    }

    // Approach 2: only when every category has an uncertainty.
    if cats.iter().all(|c| c.approach2.is_some()) && uncertainties.is_some() {
        let u: Vec<Decimal> = cats
            .iter()
            .map(|c| {
                c.approach2
                    .as_ref()
                    .map_or(Decimal::ZERO, |a| a.uncertainty_pct)
            })
            .collect();
        let lu = normalise(&level.iter().zip(&u).map(|(l, u)| l * u).collect::<Vec<_>>());
        for (i, _, key) in cumulate(&lu) {
            if let Some(a) = cats[i].approach2.as_mut() {
                a.level_u = Some(lu[i]);
                a.key_level_u = key;
            }
        }
        if let Some(raw) = &trend_raw {
            let tu = normalise(&raw.iter().zip(&u).map(|(t, u)| t * u).collect::<Vec<_>>());
            for (i, _, key) in cumulate(&tu) {
                if let Some(t) = cats[i].approach2.as_mut().and_then(|a| a.trend.as_mut()) {
                    t.trend_u = Some(tu[i]);
                    t.key_trend_u = key;
                }
            }
        }
    }

    for c in &mut cats {
        c.conclude();
    }
    cats.sort_by(|a, b| b.level.cmp(&a.level).then(a.row.cmp(&b.row)));
    Some(PollutantKca {
        pollutant: p,
        unit: p.unit(),
        year: year.header.year,
        base: base.map(|b| b.header.year),
        total,
        base_total,
        threshold_pct: THRESHOLD_PCT,
        categories: cats,
    })
}

/// Each value as a % of their sum (all zero when the sum is zero).
fn normalise(values: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = values.iter().sum();
    values
        .iter()
        .map(|v| {
            if sum.is_zero() {
                Decimal::ZERO
            } else {
                v / sum * Decimal::ONE_HUNDRED
            }
        })
        .collect()
}

/// Sorts shares (%) in descending order (ties by position) and accumulates
/// them: (index, cumulative share, key). A category is key while the share
/// accumulated before it is below the threshold, so the one that crosses
/// the threshold is key; categories with no share are never key.
fn cumulate(shares: &[Decimal]) -> Vec<(usize, Decimal, bool)> {
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| shares[b].cmp(&shares[a]).then(a.cmp(&b)));
    let mut cum = Decimal::ZERO;
    order
        .into_iter()
        .map(|i| {
            let key = cum < THRESHOLD_PCT && shares[i] > Decimal::ZERO;
            cum += shares[i];
            (i, cum, key)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annex1::Header;
    use crate::notation_key::{Cell, NotationKey};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn table(year: i32, nox: &[(&str, &str)]) -> Annex1Year {
        let mut t = Annex1Year::empty(Header {
            year,
            ..Header::default()
        });
        for (code, v) in nox {
            t.row_mut(code)
                .unwrap()
                .set(Pollutant::NOx, Cell::Number(d(v)));
        }
        t
    }

    /// Three NOx rows: 1A1a 60, 1A3bi 30, 3Da1 10 in 2022 (total 100);
    /// 1A1a 50, 1A3bi 40, 3Da1 10 in 2005 (total 100).
    /// Level: 60 %, 30 %, 10 %; cumulative 60, 90, 100: 1A1a (0 before it)
    /// and 1A3bi (60 before it) are key, 3Da1 (90 before it) is not.
    /// Trend: T = |E_t − E_0·100/100| / 100 = 0.10, 0.10, 0 → 50 %, 50 %,
    /// 0 %: 1A1a and 1A3bi key (ties kept in template order).
    #[test]
    fn three_rows_level_and_trend_by_hand() {
        let y = table(2022, &[("1A1a", "60"), ("1A3bi", "30"), ("3Da1", "10")]);
        let b = table(2005, &[("1A1a", "50"), ("1A3bi", "40"), ("3Da1", "10")]);
        let k = analyse_pollutant(&y, Some(&b), None, Pollutant::NOx).unwrap();
        assert_eq!(k.total, d("100"));
        let codes: Vec<&str> = k.categories.iter().map(|c| c.code).collect();
        assert_eq!(codes, ["1A1a", "1A3bi", "3Da1"]);
        let levels: Vec<Decimal> = k.categories.iter().map(|c| c.level).collect();
        assert_eq!(levels, [d("60"), d("30"), d("10")]);
        let cum: Vec<Decimal> = k.categories.iter().map(|c| c.cumulative).collect();
        assert_eq!(cum, [d("60"), d("90"), d("100")]);
        let key: Vec<bool> = k.categories.iter().map(|c| c.key_level).collect();
        assert_eq!(key, [true, true, false]);
        let trend: Vec<Decimal> = k
            .categories
            .iter()
            .map(|c| c.trend_share().unwrap())
            .collect();
        assert_eq!(trend, [d("50"), d("50"), d("0")]);
        let key_t: Vec<bool> = k.categories.iter().map(|c| c.key_trend()).collect();
        assert_eq!(key_t, [true, true, false]);
    }

    /// A small row moving against the total can be trend key: base 1A1a 90,
    /// 2A1 10 (total 100); year 1A1a 45, 2A1 15 (total 60).
    /// T(1A1a) = |45 − 90·0.6|/100 = 0.09; T(2A1) = |15 − 10·0.6|/100 = 0.09.
    #[test]
    fn trend_of_a_row_against_the_total() {
        let y = table(2022, &[("1A1a", "45"), ("2A1", "15")]);
        let b = table(2005, &[("1A1a", "90"), ("2A1", "10")]);
        let k = analyse_pollutant(&y, Some(&b), None, Pollutant::NOx).unwrap();
        let c2a1 = k.categories.iter().find(|c| c.code == "2A1").unwrap();
        assert_eq!(c2a1.level, d("25"));
        assert_eq!(c2a1.trend_share(), Some(d("50")));
        assert!(c2a1.key_trend());
    }

    #[test]
    fn keys_count_as_zero_and_rows_without_emission_are_left_out() {
        let mut y = table(2022, &[("1A1a", "1")]);
        y.row_mut("1A2a")
            .unwrap()
            .set(Pollutant::NOx, Cell::Key(NotationKey::NE));
        let k = analyse_pollutant(&y, None, None, Pollutant::NOx).unwrap();
        assert_eq!(k.categories.len(), 1);
        assert!(analyse_pollutant(&y, None, None, Pollutant::SOx).is_none());
    }

    /// Approach 2: U 10 % and 100 %: L·U = 60·10, 40·100 → 600/4600 and
    /// 4000/4600 (87 %): only 3Da1 is key by L2.
    #[test]
    fn approach_2_weights_by_uncertainty() {
        let y = table(2022, &[("1A1a", "60"), ("3Da1", "40")]);
        let mut u = RowUncertainties::new();
        u.insert((Pollutant::NOx, nfr::find("1A1a").unwrap().number), d("10"));
        u.insert(
            (Pollutant::NOx, nfr::find("3Da1").unwrap().number),
            d("100"),
        );
        let k = analyse_pollutant(&y, None, Some(&u), Pollutant::NOx).unwrap();
        let a = &k.categories[0];
        let b = &k.categories[1];
        assert_eq!(a.code, "1A1a");
        let (a2, b2) = (a.approach2.as_ref().unwrap(), b.approach2.as_ref().unwrap());
        assert_eq!(b2.level_u.unwrap(), d("4000") / d("4600") * d("100"));
        assert!(b2.key_level_u);
        assert!(!a2.key_level_u);
        // No base year: no trend, in Approach 1 or 2.
        assert!(a.trend.is_none() && a2.trend.is_none());
        // 3Da1 is 40 % of the level: key (60 before it is below 80).
        assert!(b.key_level);
        assert_eq!(a.criteria, "L1");
        assert_eq!(b.criteria, "L1/L2");
        assert!(a.key && b.key);
    }
}
