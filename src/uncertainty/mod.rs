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
pub use analysis::{
    Analysis, DEFAULT_ITERATIONS, DEFAULT_SEED, Options, analyse, analyse_with, key_uncertainties,
};
use approach1::{Approach1, RowInput};
pub use compiled::{CompiledLineage, compile_lineage, lineage_of};
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
    /// A default that no verified source gives (airinv's assumption).
    pub placeholder: bool,
}

impl Spread {
    pub fn symmetric(pct: Decimal, source: String) -> Spread {
        Spread {
            below: pct,
            above: pct,
            source,
            default: false,
            placeholder: false,
        }
    }

    pub fn is_symmetric(&self) -> bool {
        self.below == self.above
    }

    pub fn is_zero(&self) -> bool {
        self.below.is_zero() && self.above.is_zero()
    }

    /// The larger side.
    pub fn u(&self) -> Decimal {
        self.below.max(self.above)
    }

    /// The mean of the two sides: the `U` of the trend and of Approach 2
    /// of the key categories (as the Swiss FOEN implementation's `U_mean`).
    pub fn mean(&self) -> Decimal {
        approach1::mean(self.below, self.above)
    }

    /// Symmetric in log space: the value is the geometric middle of the
    /// interval, `(1 − below)(1 + above) = 1` within 2 % (the Guidebook's
    /// "factor of f" ranges, the rating defaults).
    pub fn is_log_symmetric(&self) -> bool {
        let hundred = Decimal::ONE_HUNDRED;
        let product = (hundred - self.below) * (hundred + self.above) / (hundred * hundred);
        self.below < hundred && (product - Decimal::ONE).abs() <= Decimal::new(2, 2)
    }

    /// The distribution of the relative draw, median 1, whose 2.5th and
    /// 97.5th percentiles are the interval's: a normal for a symmetric
    /// interval, a lognormal for one symmetric in log space, else a
    /// two-piece normal (each side its own half-width); `None` for 0 %.
    pub fn dist(&self) -> Option<Dist> {
        let f = |d: Decimal| -> f64 { d.to_string().parse().unwrap_or(0.0) / 100.0 };
        if self.is_zero() {
            return None;
        }
        let (below, above) = (f(self.below), f(self.above));
        Some(if self.is_symmetric() {
            Dist::Normal { s: above / Z95 }
        } else if self.is_log_symmetric() {
            Dist::LogNormal {
                sigma: ((1.0 + above).ln() - (1.0 - below).ln()) / 2.0 / Z95,
            }
        } else {
            Dist::TwoPiece {
                below: below / Z95,
                above: above / Z95,
            }
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
    /// The factor's sides Approach 1 uses (a share and its base combined).
    pub fn factor_sides(&self) -> (Decimal, Decimal) {
        let f = &self.factor_spread;
        match &self.base_factor {
            Some((_, s)) => (
                approach1::sqrt(f.below * f.below + s.below * s.below),
                approach1::sqrt(f.above * f.above + s.above * s.above),
            ),
            None => (f.below, f.above),
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
    /// No input counts as exact unless the user says so: a factor without
    /// an interval takes a default ([`defaults::factor_default`]), an
    /// activity its sector's ([`defaults::activity_spread`]).
    pub fn from_results(
        results: &[KeyResult],
        years: &[i32],
        factors: &[Factor],
        overrides: &Overrides,
    ) -> Lineage {
        let by_id: HashMap<&str, &Factor> = factors.iter().map(|f| (f.id.as_str(), f)).collect();
        let mut out = Lineage::default();
        // Defaults by (row, fuel, pollutant), found once.
        let mut defaults_of: HashMap<(&'static str, String, Pollutant), Spread> = HashMap::new();
        let mut factor_of = |id: &str, code: &'static str, row: u32, fuel: &str, p: Pollutant| {
            if let Some(s) = overrides
                .factor(row, fuel, p)
                .or_else(|| by_id.get(id).and_then(|f| defaults::factor_spread(f)))
            {
                return s;
            }
            defaults_of
                .entry((code, fuel.to_lowercase(), p))
                .or_insert_with(|| defaults::factor_default(factors, code, fuel, p, "the factor"))
                .clone()
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
                    .unwrap_or_else(|| defaults::activity_spread(code));
                let user_factor = overrides.factor(row, fuel, p);
                let base_factor = match (&user_factor, by_id.get(line.factor_id.as_str())) {
                    (None, Some(f)) => match f.unit {
                        FactorUnit::ShareOf(base) => {
                            r.lines.iter().find(|l| l.pollutant == base).map(|b| {
                                (
                                    b.factor_id.clone(),
                                    factor_of(&b.factor_id, code, row, fuel, base),
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
                    factor_spread: factor_of(&line.factor_id, code, row, fuel, p),
                    factor: line.factor_id.clone(),
                    base_factor,
                });
            }
        }
        out
    }

    /// Each row's Approach 1 input for a pollutant: the lines of a row
    /// combined as independent (`U_row = √Σ(U_i·E_i)² / E_row`, each side
    /// apart), the year's lines, else the base year's for a row with no
    /// emission in the year; for the trend, the factors split into those
    /// the row uses in both years (correlated) and in one only.
    pub fn rows(&self, p: Pollutant, year: i32, base: Option<i32>) -> Vec<RowInput> {
        /// Sums of squares (absolute: % × emission) of one year's lines.
        #[derive(Default)]
        struct Year<'a> {
            ad_sources: std::collections::BTreeSet<&'a str>,
            ef_sources: std::collections::BTreeSet<&'a str>,
            e: Decimal,
            ad_lo: Decimal,
            ad_hi: Decimal,
            ef_lo: Decimal,
            ef_hi: Decimal,
            lines: usize,
            ad_defaults: usize,
            ef_defaults: usize,
            placeholders: usize,
        }
        #[derive(Default)]
        struct Acc<'a> {
            year: Year<'a>,
            base: Year<'a>,
            year_lines: Vec<&'a LineInput>,
            base_factors: std::collections::HashSet<(&'a str, Option<&'a str>)>,
            year_factors: std::collections::HashSet<(&'a str, Option<&'a str>)>,
        }
        fn key(l: &LineInput) -> (&str, Option<&str>) {
            (
                l.factor.as_str(),
                l.base_factor.as_ref().map(|b| b.0.as_str()),
            )
        }
        let mut by_row: BTreeMap<u32, (&'static str, Acc)> = BTreeMap::new();
        let mut base_lines: Vec<&LineInput> = Vec::new();
        for l in self.lines.iter().filter(|l| l.pollutant == p) {
            let in_year = l.year == year;
            if !in_year && Some(l.year) != base {
                continue;
            }
            let (_, a) = by_row.entry(l.row).or_insert((l.code, Acc::default()));
            let y = if in_year { &mut a.year } else { &mut a.base };
            let (f_lo, f_hi) = l.factor_sides();
            let sq = |pct: Decimal| {
                let x = pct * l.emission;
                x * x
            };
            y.e += l.emission;
            y.ad_lo += sq(l.activity_spread.below);
            y.ad_hi += sq(l.activity_spread.above);
            y.ef_lo += sq(f_lo);
            y.ef_hi += sq(f_hi);
            y.lines += 1;
            y.ad_defaults += usize::from(l.activity_spread.default);
            y.ef_defaults += usize::from(l.factor_spread.default);
            y.placeholders +=
                usize::from(l.activity_spread.placeholder || l.factor_spread.placeholder);
            y.ad_sources.insert(&l.activity_spread.source);
            y.ef_sources.insert(&l.factor_spread.source);
            if let Some((_, b)) = &l.base_factor {
                y.ef_sources.insert(&b.source);
            }
            if in_year {
                a.year_lines.push(l);
                a.year_factors.insert(key(l));
            } else {
                base_lines.push(l);
                a.base_factors.insert(key(l));
            }
        }
        // The factor uncertainty (mean of the sides) of the lines whose
        // factor is, or is not, used for the row in the other year.
        let mean_sq = |l: &LineInput| {
            let (lo, hi) = l.factor_sides();
            let x = approach1::mean(lo, hi) * l.emission;
            x * x
        };
        let mut split: BTreeMap<u32, (Decimal, Decimal, Decimal, usize, usize, usize)> =
            BTreeMap::new();
        for (row, (_, a)) in &by_row {
            let s = split.entry(*row).or_default();
            for l in &a.year_lines {
                if base.is_some() && !a.base_factors.contains(&key(l)) {
                    s.1 += mean_sq(l);
                    s.4 += 1;
                } else {
                    s.0 += mean_sq(l);
                    s.3 += 1;
                }
            }
        }
        for l in &base_lines {
            let (_, a) = &by_row[&l.row];
            if !a.year_factors.contains(&key(l)) {
                let s = split.entry(l.row).or_default();
                s.2 += mean_sq(l);
                s.5 += 1;
            }
        }
        by_row
            .into_iter()
            .map(|(row, (code, a))| {
                let y = if a.year.e.is_zero() { &a.base } else { &a.year };
                let pct = |x2: Decimal, e: Decimal| {
                    if e.is_zero() {
                        Decimal::ZERO
                    } else {
                        approach1::sqrt(x2) / e
                    }
                };
                let (corr, year_only, base_only, n_corr, n_year, n_base) = split[&row];
                RowInput {
                    row,
                    code,
                    base: base.map(|_| a.base.e),
                    emission: a.year.e,
                    activity_lower_pct: pct(y.ad_lo, y.e),
                    activity_upper_pct: pct(y.ad_hi, y.e),
                    factor_lower_pct: pct(y.ef_lo, y.e),
                    factor_upper_pct: pct(y.ef_hi, y.e),
                    factor_correlated_pct: pct(corr, a.year.e),
                    factor_year_only_pct: pct(year_only, a.year.e),
                    factor_base_only_pct: pct(base_only, a.base.e),
                    factor_between_years: match (base, n_corr, n_year + n_base) {
                        (None, _, _) => approach1::Between::None,
                        (_, _, 0) => approach1::Between::Same,
                        (_, 0, _) => approach1::Between::Different,
                        _ => approach1::Between::Partly,
                    },
                    activity_source: sources(y.lines, y.ad_defaults, &y.ad_sources),
                    factor_source: sources(y.lines, y.ef_defaults, &y.ef_sources),
                    placeholders: y.placeholders,
                }
            })
            .collect()
    }

    /// The Monte Carlo model of the pollutants given, for the year and the
    /// base year: quantity 2i is pollutant i's year total, 2i + 1 its base total.
    pub fn mc_model(&self, pollutants: &[Pollutant], year: i32, base: Option<i32>) -> McModel {
        let mut dims: HashMap<(bool, String), u32> = HashMap::new();
        let mut vars: Vec<(u32, Dist)> = vec![(0, Dist::Normal { s: 0.0 })];
        let mut var_index: HashMap<(u32, u8, u64, u64), u32> = HashMap::new();
        let mut var = |dim_key: (bool, String), spread: &Spread| -> u32 {
            let Some(dist) = spread.dist() else {
                return 0;
            };
            let n = dims.len() as u32;
            let d = *dims.entry(dim_key).or_insert(n);
            let key = match dist {
                Dist::Normal { s } => (d, 0, s.to_bits(), 0),
                Dist::LogNormal { sigma } => (d, 1, sigma.to_bits(), 0),
                Dist::TwoPiece { below, above } => (d, 2, below.to_bits(), above.to_bits()),
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

/// Where a row's uncertainties come from: the one source of all its lines,
/// else the count of lines and of defaults, with one source named.
fn sources(lines: usize, defaults: usize, sources: &std::collections::BTreeSet<&str>) -> String {
    match sources.len() {
        0 => String::new(),
        1 => sources
            .iter()
            .next()
            .map(|s| s.to_string())
            .unwrap_or_default(),
        n => format!(
            "{lines} line(s), {defaults} with a default, {n} sources; e.g. {}",
            sources.iter().next().copied().unwrap_or_default()
        ),
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
            let activity = overrides
                .activity(r.number, "", p)
                .unwrap_or_else(|| defaults::activity_spread(&r.code));
            let factor = overrides.factor(r.number, "", p).unwrap_or_else(|| {
                defaults::factor_default(guidebook, &r.code, "", p, "the row's factor")
            });
            Some(RowInput::uniform(r, c, e, &activity, &factor))
        })
        .collect()
}

/// Reads the uncertainty files, if any.
pub fn read_overrides(paths: &[std::path::PathBuf]) -> Result<Overrides> {
    Overrides::read(paths)
}
