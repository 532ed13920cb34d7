//! Uncertainty analysis (EMEP/EEA Guidebook 2023 Part A ch. 5, after IPCC
//! 2006 Vol. 1 ch. 3): Approach 1 (error propagation, exact decimals) and
//! Approach 2 (Monte Carlo, floating point).
//!
//! Inputs are 95 % half-widths in % (a [`Spread`], which may differ below
//! and above the value). With the lineage of a compiled inventory
//! ([`Lineage::from_results`]) every activity key and pollutant is a line
//! with its own factor: the factor's uncertainty is the Guidebook's 95 %
//! interval of the factor used (CI_lower/CI_upper), the activity's the
//! default of its sector ([`defaults`]); an uncertainty file
//! ([`overrides`]) replaces either. Without lineage (an Annex I workbook)
//! each row gets defaults (activity by sector; factor the median interval
//! of the Guidebook's Tier 1 factors of the row), so Approach 1 still runs;
//! the Monte Carlo needs the lineage.
//!
//! In Approach 1 an asymmetric interval enters with its larger side (IPCC
//! practice); in the Monte Carlo it is a lognormal with the interval's
//! width in log space and its median at the inventory's value (σ =
//! (ln(1 + above) − ln(1 − below)) / 2·1.96, from the upper side alone when
//! the interval reaches zero, at most ln 10 / 1.96), a symmetric one a normal
//! truncated at zero.

pub mod analysis;
pub mod approach1;
pub mod compiled;
pub mod defaults;
pub mod monte_carlo;
pub mod overrides;
pub mod random;
pub mod table;

use crate::calculate::KeyResult;
use crate::emission_factor::Factor;
use crate::error::Result;
use crate::pollutant::Pollutant;
use crate::unit::FactorUnit;
pub use analysis::{Analysis, DEFAULT_ITERATIONS, DEFAULT_SEED, Options, analyse};
use approach1::{Approach1, RowInput};
pub use compiled::{CompiledLineage, compile_lineage, lineage_of, row_uncertainties};
use monte_carlo::{Dist, McLine, McModel, McResult, Z95};
use overrides::Overrides;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// A 95 % interval as % of the value below and above it, and where it
/// comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub below: Decimal,
    pub above: Decimal,
    pub source: String,
    /// A default (not the factor's own interval nor the user's value).
    pub default: bool,
}

impl Spread {
    pub fn symmetric(pct: Decimal, source: String) -> Spread {
        Spread {
            below: pct,
            above: pct,
            source,
            default: false,
        }
    }

    pub fn zero() -> Spread {
        Spread::symmetric(Decimal::ZERO, "none".into())
    }

    pub fn is_symmetric(&self) -> bool {
        self.below == self.above
    }

    /// The half-width Approach 1 uses: the larger side.
    pub fn u(&self) -> Decimal {
        self.below.max(self.above)
    }

    /// The distribution of the relative draw (median or mean 1).
    pub fn dist(&self) -> Option<Dist> {
        let f = |d: Decimal| -> f64 { d.to_string().parse().unwrap_or(0.0) / 100.0 };
        if self.u().is_zero() {
            return None;
        }
        if self.is_symmetric() {
            return Some(Dist::Normal {
                s: f(self.above) / Z95,
            });
        }
        let (below, above) = (f(self.below), f(self.above));
        let width = if below < 1.0 {
            ((1.0 + above).ln() - (1.0 - below).ln()) / 2.0
        } else {
            (1.0 + above).ln()
        };
        Some(Dist::LogNormal {
            sigma: (width / Z95).min(10f64.ln() / Z95),
        })
    }
}

/// One activity key and pollutant with its uncertainties.
#[derive(Debug, Clone)]
pub struct LineInput {
    pub year: i32,
    /// Template row number.
    pub row: u32,
    pub code: &'static str,
    pub fuel: String,
    /// The activity key (year included): lines of one key share its draw.
    pub activity: usize,
    pub pollutant: Pollutant,
    /// Template units.
    pub emission: Decimal,
    pub activity_spread: Spread,
    /// The factor id (lines of one factor share its draw, in every year).
    pub factor: String,
    pub factor_spread: Spread,
    /// For a factor given as a share of another pollutant (BC of PM2.5):
    /// that pollutant's factor, drawn with it.
    pub base_factor: Option<(String, Spread)>,
}

impl LineInput {
    /// The factor uncertainty Approach 1 uses (the share and its base combined).
    pub fn factor_u(&self) -> Decimal {
        let u = self.factor_spread.u();
        match &self.base_factor {
            Some((_, s)) => approach1::sqrt(u * u + s.u() * s.u()),
            None => u,
        }
    }
}

/// The uncertainty inputs of a compiled inventory, line by line.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    pub lines: Vec<LineInput>,
    /// Activity keys by index, described (`2024 1A1a Hard coal, TJ`).
    pub activities: Vec<String>,
}

impl Lineage {
    /// The lines of the years asked for, from the computed keys; `factors`
    /// are every factor the compile could use (to find each one's interval).
    pub fn from_results(
        results: &[KeyResult],
        years: &[i32],
        factors: &[Factor],
        overrides: &Overrides,
    ) -> Lineage {
        let by_id: HashMap<&str, &Factor> = factors.iter().map(|f| (f.id.as_str(), f)).collect();
        let mut out = Lineage::default();
        let factor_of = |id: &str, row: u32, fuel: &str, p: Pollutant| -> Spread {
            overrides
                .factor(row, fuel, p)
                .or_else(|| by_id.get(id).and_then(|f| defaults::factor_spread(f)))
                .unwrap_or_else(|| Spread {
                    source: format!(
                        "{id} has no 95 % interval and no uncertainty was given: counted as 0 %"
                    ),
                    ..Spread::zero()
                })
        };
        for r in results.iter().filter(|r| years.contains(&r.key.year)) {
            let code = r.key.code();
            let (row, fuel) = (r.key.row.number, r.key.fuel_text());
            let activity = out.activities.len();
            out.activities.push(format!(
                "{} {} {}{}, {}",
                r.key.year,
                code,
                fuel,
                match &r.key.pins.technology {
                    None => String::new(),
                    Some(t) => format!(" {t}"),
                },
                r.key.unit
            ));
            for line in r.lines.iter().filter(|l| !l.emission.is_zero()) {
                let p = line.pollutant;
                let activity_spread = overrides
                    .activity(row, fuel, p)
                    .or_else(|| defaults::activity_spread(code))
                    .unwrap_or_else(Spread::zero);
                let user_factor = overrides.factor(row, fuel, p);
                let base_factor = match (&user_factor, by_id.get(line.factor_id.as_str())) {
                    (None, Some(f)) => match f.unit {
                        FactorUnit::ShareOf(base) => {
                            r.lines.iter().find(|l| l.pollutant == base).map(|b| {
                                (
                                    b.factor_id.clone(),
                                    factor_of(&b.factor_id, row, fuel, base),
                                )
                            })
                        }
                        _ => None,
                    },
                    _ => None,
                };
                out.lines.push(LineInput {
                    year: r.key.year,
                    row,
                    code,
                    fuel: fuel.to_string(),
                    activity,
                    pollutant: p,
                    emission: line.emission,
                    activity_spread,
                    factor: line.factor_id.clone(),
                    factor_spread: factor_of(&line.factor_id, row, fuel, p),
                    base_factor,
                });
            }
        }
        out
    }

    /// Each row's Approach 1 input for a pollutant: the lines of a row
    /// combined as independent (`U_row = √Σ(U_i·E_i)² / E_row`), the year's
    /// lines, else the base year's for a row with no emission in the year.
    pub fn rows(&self, p: Pollutant, year: i32, base: Option<i32>) -> Vec<RowInput> {
        #[derive(Default)]
        struct Acc {
            e: Decimal,
            ad2: Decimal,
            ef2: Decimal,
            base: Decimal,
            base_ad2: Decimal,
            base_ef2: Decimal,
            ad_defaults: usize,
            ef_defaults: usize,
            lines: usize,
        }
        let mut by_row: BTreeMap<u32, (&'static str, Acc)> = BTreeMap::new();
        for l in self.lines.iter().filter(|l| l.pollutant == p) {
            let in_year = l.year == year;
            if !in_year && Some(l.year) != base {
                continue;
            }
            let (_, a) = by_row.entry(l.row).or_insert((l.code, Acc::default()));
            let ad = l.activity_spread.u() * l.emission;
            let ef = l.factor_u() * l.emission;
            if in_year {
                a.e += l.emission;
                a.ad2 += ad * ad;
                a.ef2 += ef * ef;
                a.lines += 1;
                a.ad_defaults += usize::from(l.activity_spread.default);
                a.ef_defaults += usize::from(l.factor_spread.default);
            } else {
                a.base += l.emission;
                a.base_ad2 += ad * ad;
                a.base_ef2 += ef * ef;
            }
        }
        by_row
            .into_iter()
            .map(|(row, (code, a))| {
                let (e, ad2, ef2) = if a.e.is_zero() {
                    (a.base, a.base_ad2, a.base_ef2)
                } else {
                    (a.e, a.ad2, a.ef2)
                };
                let pct = |x2: Decimal| {
                    if e.is_zero() {
                        Decimal::ZERO
                    } else {
                        approach1::sqrt(x2) / e
                    }
                };
                RowInput {
                    row,
                    code,
                    base: base.map(|_| a.base),
                    emission: a.e,
                    activity_pct: pct(ad2),
                    factor_pct: pct(ef2),
                    activity_source: format!(
                        "{} line(s), {} with the default",
                        a.lines, a.ad_defaults
                    ),
                    factor_source: format!("{} line(s), {} with a default", a.lines, a.ef_defaults),
                }
            })
            .collect()
    }

    /// The Monte Carlo model of the pollutants given, for the year and the
    /// base year: quantity 2i is pollutant i's year total, 2i + 1 its base total.
    pub fn mc_model(&self, pollutants: &[Pollutant], year: i32, base: Option<i32>) -> McModel {
        let mut dims: HashMap<(bool, String), u32> = HashMap::new();
        let mut vars: Vec<(u32, Dist)> = vec![(0, Dist::Normal { s: 0.0 })];
        let mut var_index: HashMap<(u32, u64, bool), u32> = HashMap::new();
        let mut var = |dim_key: (bool, String), spread: &Spread| -> u32 {
            let Some(dist) = spread.dist() else {
                return 0;
            };
            let n = dims.len() as u32;
            let d = *dims.entry(dim_key).or_insert(n);
            let key = match dist {
                Dist::Normal { s } => (d, s.to_bits(), false),
                Dist::LogNormal { sigma } => (d, sigma.to_bits(), true),
            };
            *var_index.entry(key).or_insert_with(|| {
                vars.push((d, dist));
                (vars.len() - 1) as u32
            })
        };
        let mut lines = Vec::new();
        for l in &self.lines {
            let Some(pi) = pollutants.iter().position(|p| *p == l.pollutant) else {
                continue;
            };
            let quantity = if l.year == year {
                2 * pi
            } else if Some(l.year) == base {
                2 * pi + 1
            } else {
                continue;
            };
            let a = var((false, l.activity.to_string()), &l.activity_spread);
            let f = var((true, l.factor.clone()), &l.factor_spread);
            let b = match &l.base_factor {
                Some((id, s)) => var((true, id.clone()), s),
                None => 0,
            };
            lines.push(McLine {
                quantity,
                emission: l.emission.to_string().parse().unwrap_or(0.0),
                vars: [a, f, b],
            });
        }
        let ratios = if base.is_some() {
            (0..pollutants.len()).map(|i| (2 * i, 2 * i + 1)).collect()
        } else {
            Vec::new()
        };
        McModel {
            dims: dims.len(),
            vars,
            lines,
            quantities: 2 * pollutants.len(),
            ratios,
        }
    }
}

/// The numbers of activities and factors a Monte Carlo samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Sampled {
    #[serde(rename = "sampled_activities")]
    pub activities: usize,
    #[serde(rename = "sampled_factors")]
    pub factors: usize,
}

/// A pollutant's uncertainty: Approach 1 and, with lineage, the Monte Carlo.
#[derive(Debug, Clone, Serialize)]
pub struct PollutantUncertainty {
    #[serde(flatten)]
    pub approach1: Approach1,
    pub monte_carlo: Option<PollutantMc>,
}

/// The Monte Carlo results of one pollutant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PollutantMc {
    pub iterations: u64,
    pub seed: u64,
    /// The year's total: mean, median, 2.5th and 97.5th percentiles.
    #[serde(flatten)]
    pub total: monte_carlo::Summary,
    #[serde(rename = "base")]
    pub base_total: Option<monte_carlo::Summary>,
    /// The trend (year / base − 1), in %.
    #[serde(rename = "trend_pct")]
    pub trend: Option<monte_carlo::Summary>,
    /// What was drawn (see [`sampled`]).
    #[serde(flatten)]
    pub sampled: Sampled,
}

/// Splits a Monte Carlo result of [`Lineage::mc_model`] by pollutant.
pub fn split_mc(result: &McResult, pollutants: usize, with_base: bool) -> Vec<PollutantMc> {
    (0..pollutants)
        .map(|i| {
            let pct = |s: monte_carlo::Summary| monte_carlo::Summary {
                mean: (s.mean - 1.0) * 100.0,
                median: (s.median - 1.0) * 100.0,
                lower: (s.lower - 1.0) * 100.0,
                upper: (s.upper - 1.0) * 100.0,
            };
            PollutantMc {
                iterations: result.iterations,
                seed: result.seed,
                sampled: Sampled::default(),
                total: result.quantities[2 * i],
                base_total: with_base.then(|| result.quantities[2 * i + 1]),
                trend: result.ratios.get(i).copied().map(pct),
            }
        })
        .collect()
}

/// The number of activity keys and of factors the model of these lines draws.
pub fn sampled(lineage: &Lineage, pollutants: &[Pollutant], years: &[i32]) -> Sampled {
    let mut a = std::collections::HashSet::new();
    let mut f = std::collections::HashSet::new();
    for l in lineage
        .lines
        .iter()
        .filter(|l| pollutants.contains(&l.pollutant) && years.contains(&l.year))
    {
        if !l.activity_spread.u().is_zero() {
            a.insert(l.activity);
        }
        if !l.factor_spread.u().is_zero() {
            f.insert(l.factor.as_str());
        }
        if let Some((id, s)) = &l.base_factor
            && !s.u().is_zero()
        {
            f.insert(id.as_str());
        }
    }
    Sampled {
        activities: a.len(),
        factors: f.len(),
    }
}

/// Approach 1 rows of a source without lineage (an Annex I table): each
/// sector row with a number, its activity uncertainty from the uncertainty
/// file (a row with an empty fuel) or the sector default, its factor
/// uncertainty from the file or the Guidebook's Tier 1 intervals of the row.
pub fn table_rows(
    year: &crate::annex1::Annex1Year,
    base: Option<&crate::annex1::Annex1Year>,
    p: Pollutant,
    guidebook: &[Factor],
    overrides: &Overrides,
) -> Vec<RowInput> {
    let value = |t: &crate::annex1::Annex1Year, row: u32| {
        t.rows
            .get(&row)
            .and_then(|c| c.get(p).number())
            .unwrap_or(Decimal::ZERO)
    };
    crate::nfr::sector_rows()
        .filter_map(|r| {
            let e = value(year, r.number);
            let c = base.map(|b| value(b, r.number));
            if e.is_zero() && c.is_none_or(|c| c.is_zero()) {
                return None;
            }
            let (ad, ad_source) = match overrides.activity(r.number, "", p) {
                Some(s) => (s.u(), s.source),
                None => defaults::activity_spread(&r.code)
                    .map(|s| (s.u(), s.source))
                    .unwrap_or((Decimal::ZERO, "none".into())),
            };
            let (ef, ef_source) = match overrides.factor(r.number, "", p) {
                Some(s) => (s.u(), s.source),
                None => defaults::row_factor_pct(guidebook, &r.code, p)
                    .unwrap_or((Decimal::ZERO, "no Guidebook Tier 1 factor: 0 %".into())),
            };
            Some(RowInput {
                row: r.number,
                code: r.code.as_str(),
                base: c,
                emission: e,
                activity_pct: ad,
                factor_pct: ef,
                activity_source: ad_source,
                factor_source: ef_source,
            })
        })
        .collect()
}

/// Reads the uncertainty files, if any.
pub fn read_overrides(paths: &[std::path::PathBuf]) -> Result<Overrides> {
    Overrides::read(paths)
}
