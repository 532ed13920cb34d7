//! The calculation: activity × emission factor, summed per year, Annex I
//! row and pollutant, in exact decimals.
//!
//! Activities are first summed per key (year, row, fuel, technology, table,
//! abatement, region, tier, unit, abatement efficiency): a sum of exact
//! decimals, whatever the order. Each key is matched to its factors once,
//! and its emission is the activity sum × one multiplier per pollutant:
//!
//! ```text
//! emission [reporting unit] = activity × (activity unit → factor denominator)
//!                              × factor value × (grams per factor mass unit)
//!                              × (365 if the factor is per day) × (1 − abatement efficiency)
//!                              ÷ (grams per reporting unit: 10^9 for kt, 10^6 for t ...)
//! ```
//!
//! A factor given as a share of another pollutant (BC as % of PM2.5) gives
//! that pollutant's emission × share ÷ 100. Keys are computed in parallel and
//! gathered in key order, so results are identical to the last digit
//! whatever the number of threads.

use crate::activity::{Activity, Rejection};
use crate::emission_factor::{Factor, Origin};
use crate::error::Location;
use crate::fuel::Fuels;
use crate::matching::{FactorIndex, MatchError, Query};
use crate::number::format_decimal;
use crate::pins::Tier;
use crate::pollutant::Pollutant;
use crate::unit::{Dimension, FactorUnit, Period, Quantity, conversion_via_ncv, ratio};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::BTreeMap;

pub use crate::activity::ActivityKey;

/// One activity row kept for per-row lineage.
#[derive(Debug, Clone)]
pub struct RowRecord {
    pub at: Location,
    pub value: Decimal,
    pub source_id: String,
    pub extra: Vec<(String, String)>,
}

/// The activity behind a key.
#[derive(Debug, Clone, Default)]
pub struct KeyTotal {
    pub value: Decimal,
    pub count: u64,
    /// The first rows (locations for messages).
    pub first_rows: Vec<Location>,
    /// Every row, when per-row lineage is asked for.
    pub rows: Vec<RowRecord>,
    /// The sum left the range of exact decimals (the key is then rejected).
    pub overflow: bool,
    /// How a gap of the series was filled (`crate::gap_fill`); empty for data.
    pub filled: String,
    /// How the activity was re-allocated between rows for a reclassification
    /// in the statistics (`crate::splice`); empty when it is as reported.
    pub spliced: String,
}

/// How many row locations a key keeps for messages.
const KEPT_LOCATIONS: usize = 5;

/// Sums activities per key.
#[derive(Debug, Clone, Default)]
pub struct Accumulator {
    pub keys: BTreeMap<ActivityKey, KeyTotal>,
    /// Keep every row for per-row lineage.
    pub keep_rows: bool,
}

impl Accumulator {
    pub fn new(keep_rows: bool) -> Accumulator {
        Accumulator {
            keys: BTreeMap::new(),
            keep_rows,
        }
    }

    pub fn add(&mut self, a: Activity) {
        let total = self.keys.entry(a.key).or_default();
        match total.value.checked_add(a.value) {
            Some(v) => total.value = v,
            None => total.overflow = true,
        }
        total.count += 1;
        if total.first_rows.len() < KEPT_LOCATIONS {
            total.first_rows.push(a.at.clone());
        }
        if self.keep_rows {
            total.rows.push(RowRecord {
                at: a.at,
                value: a.value,
                source_id: a.source_id,
                extra: a.extra,
            });
        }
    }

    /// Adds another accumulator's sums (in a fixed order: the caller merges
    /// partial sums in file order).
    pub fn merge(&mut self, other: Accumulator) {
        for (k, t) in other.keys {
            match self.keys.get_mut(&k) {
                Some(mine) => {
                    match mine.value.checked_add(t.value) {
                        Some(v) => mine.value = v,
                        None => mine.overflow = true,
                    }
                    mine.overflow |= t.overflow;
                    mine.count += t.count;
                    for l in t.first_rows {
                        if mine.first_rows.len() < KEPT_LOCATIONS {
                            mine.first_rows.push(l);
                        }
                    }
                    mine.rows.extend(t.rows);
                }
                None => {
                    self.keys.insert(k, t);
                }
            }
        }
    }
}

/// The emission of one key for one pollutant, with its lineage.
#[derive(Debug, Clone)]
pub struct Line {
    pub pollutant: Pollutant,
    pub factor_id: String,
    pub factor_value: Decimal,
    pub factor_unit: String,
    pub factor_tier: Option<crate::pins::Tier>,
    /// The factor's table, empty when it names none (as detail.csv shows it).
    pub factor_table: String,
    pub factor_reference: String,
    /// `Guidebook` or the user file and row.
    pub factor_source: String,
    /// Why this factor was chosen.
    pub why: String,
    /// The conversion from the activity's unit to the factor's denominator.
    pub conversion: String,
    /// Reporting units per unit of activity, times `divisor`.
    pub multiplier: Decimal,
    /// What the activity × multiplier is divided by: 1, or the part of an
    /// NCV conversion that is not a finite decimal (divided last so that
    /// 430 TJ of diesel at 43 GJ/t is exactly 10 000 t).
    pub divisor: Decimal,
    pub emission: Decimal,
    /// False when a division could not be carried exactly (an NCV
    /// conversion that is not a finite decimal, or a result beyond 28
    /// significant digits): the value is then correct to 28 significant digits.
    pub exact: bool,
}

/// The result of one key.
#[derive(Debug, Clone)]
pub struct KeyResult {
    pub key: ActivityKey,
    pub total: KeyTotal,
    pub lines: Vec<Line>,
    /// The activity in TJ NCV when it is fuel (for the activity columns).
    pub energy_tj: Option<Decimal>,
    /// For a key made by a method from another row's activity (the 3Da2a
    /// and 3Da3 NH3 of a 3B population): what it is. Its activity is not
    /// the row's activity data.
    pub derived: Option<String>,
    /// The pollutants the Guidebook's Tier 1 gives for the key's row and
    /// fuel group that no factor gave ([`without_factor`]).
    pub missing: Vec<Missing>,
    /// A plant's part of the key (Tier 3, [`crate::tier3`]); `None` for the
    /// key's activity, or its Tier 1 remainder when plants took a part.
    pub plant: Option<crate::plant::Part>,
}

/// A pollutant an activity key emits by the Guidebook's Tier 1 that no
/// factor gave: a line of detail.csv with no factor and no emission, and
/// `airinv check`'s `completeness.activity-without-factor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing {
    /// `None`: the key has no factor for any pollutant, and the
    /// Guidebook's Tier 1 names none for its row.
    pub pollutant: Option<Pollutant>,
    /// What was searched, and what the Guidebook gives there.
    pub why: String,
}

/// The pollutants of a key (with activity) that the Guidebook's Tier 1
/// gives for its row, fuel group and technology and no factor gave; one
/// entry without a pollutant when nothing gave any and the Tier 1 names
/// none.
pub fn without_factor(
    key: &ActivityKey,
    total: &KeyTotal,
    lines: &[Line],
    index: &FactorIndex,
) -> Vec<Missing> {
    if total.value.is_zero() {
        return Vec::new();
    }
    let q = Query::new(key);
    let used: Vec<&str> = lines.iter().map(|l| l.factor_id.as_str()).collect();
    let mut out: Vec<Missing> = index
        .expected(&q, &used)
        .into_iter()
        .filter(|p| lines.iter().all(|l| l.pollutant != *p))
        .map(|p| Missing {
            pollutant: Some(p),
            why: index.searched(&q, Some(p)),
        })
        .collect();
    if lines.is_empty() && out.is_empty() {
        out.push(Missing {
            pollutant: None,
            why: index.searched(&q, None),
        });
    }
    out
}

/// What went wrong for a key.
#[derive(Debug, Clone)]
pub enum KeyError {
    /// The rows of the key are rejected (unit mismatch).
    Rejected(Rejection),
    /// The run must stop (ambiguous factors).
    Fatal(String),
}

/// A key that could not be computed.
#[derive(Debug, Clone)]
pub struct KeyFailure {
    pub key: ActivityKey,
    pub total: KeyTotal,
    pub error: KeyError,
}

/// Computes every key, in parallel, in key order.
///
/// Livestock populations of 3B also give the NH3 of their manure applied to
/// soils (3Da2a) and of grazing (3Da3), as keys of those rows made from the
/// 3B activity ([`crate::method::manure`]), unless the year has activity of
/// its own for the row.
pub fn compute(acc: Accumulator, index: &FactorIndex) -> Vec<Result<KeyResult, Box<KeyFailure>>> {
    let mut keys: Vec<(ActivityKey, KeyTotal, Option<String>)> =
        acc.keys.into_iter().map(|(k, t)| (k, t, None)).collect();
    let derived = manure_parts(&keys);
    keys.extend(derived);
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    keys.into_par_iter()
        .filter_map(|(key, total, derived)| {
            match (compute_key(&key, &total, index), &derived) {
                (Ok((mut lines, energy_tj)), Some(why)) => {
                    // A part with no Table 3-2 factor for the animal gives nothing.
                    lines.retain(|l| l.pollutant == Pollutant::NH3);
                    if lines.is_empty() {
                        return None;
                    }
                    for l in &mut lines {
                        l.why = format!(
                            "{why}; Guidebook Tier {} {}",
                            crate::pins::text(&l.factor_tier),
                            l.factor_table
                        );
                    }
                    Some(Ok(KeyResult {
                        key,
                        total,
                        lines,
                        energy_tj,
                        derived,
                        missing: Vec::new(),
                        plant: None,
                    }))
                }
                // The parts are the method's, not the compiler's rows: a part
                // that cannot be computed is left out, not a rejected row.
                (Err(_), Some(_)) => None,
                (Ok((lines, energy_tj)), None) => Some(Ok(KeyResult {
                    missing: without_factor(&key, &total, &lines, index),
                    key,
                    total,
                    lines,
                    energy_tj,
                    derived: None,
                    plant: None,
                })),
                (Err(error), None) => Some(Err(Box::new(KeyFailure { key, total, error }))),
            }
        })
        .collect()
}

/// The 3Da2a and 3Da3 keys of the 3B populations, for the years that have
/// no activity of their own in those rows.
fn manure_parts(
    keys: &[(ActivityKey, KeyTotal, Option<String>)],
) -> Vec<(ActivityKey, KeyTotal, Option<String>)> {
    use crate::method::manure;
    let own: std::collections::BTreeSet<(i32, u32)> =
        keys.iter().map(|(k, ..)| (k.year, k.row.number)).collect();
    let mut out = Vec::new();
    for (k, t, _) in keys {
        let code = k.code();
        if !manure::is_livestock_row(code) || t.overflow {
            continue;
        }
        for (target, abatement, part) in manure::PARTS {
            let row = crate::nfr::find(target).expect("3Da2a and 3Da3 are template rows");
            if own.contains(&(k.year, row.number)) {
                continue;
            }
            let key = ActivityKey {
                row,
                pins: crate::pins::Pins {
                    abatement: crate::pins::Name::new(abatement),
                    table: None,
                    ..k.pins.clone()
                },
                ..k.clone()
            };
            out.push((key, t.clone(), Some(manure::why(code, part))));
        }
    }
    out
}

/// Digits a decimal's mantissa uses: 28 means it may have been rounded.
fn full(d: Decimal) -> bool {
    d.mantissa().unsigned_abs().to_string().len() >= 28
}

/// [`apply`], or `None` when the product leaves the range of decimals.
pub fn checked_apply(
    activity: Decimal,
    multiplier: Decimal,
    divisor: Decimal,
) -> Option<(Decimal, bool)> {
    activity.checked_mul(multiplier)?;
    if divisor.is_zero() {
        return None;
    }
    Some(apply(activity, multiplier, divisor))
}

/// `activity × multiplier ÷ divisor`, dividing last, and whether the
/// result is exact.
pub fn apply(activity: Decimal, multiplier: Decimal, divisor: Decimal) -> (Decimal, bool) {
    let product = activity * multiplier;
    // A product whose digits go beyond the 28 of a decimal is rounded to
    // fewer scale digits than its factors have together (1e-28 × 0.001 is
    // rounded to 0): then it is not exact, whatever its digits look like.
    let product_exact = product.scale() == activity.scale() + multiplier.scale();
    if divisor == Decimal::ONE {
        return (
            product.normalize(),
            product_exact && !full(product) && !full(multiplier),
        );
    }
    match ratio(product, divisor) {
        Ok((q, exact)) => (q, exact && product_exact && !full(product)),
        Err(_) => (product / divisor, false),
    }
}

/// One key's calculation: activity × factor for each pollutant the
/// factors give, then the road-exhaust PM and the shares of other
/// pollutants; with the activity in TJ for the activity-data columns.
fn compute_key(
    key: &ActivityKey,
    total: &KeyTotal,
    index: &FactorIndex,
) -> Result<(Vec<Line>, Option<Decimal>), KeyError> {
    let work = KeyWork::new(key, total, index.fuels())?;
    if total.overflow {
        return Err(work.rejected(format!(
            "the sum of the activity of these rows is beyond the range of exact decimals (year {}, {} row(s): {}); check the values and their units",
            key.year,
            total.count,
            work.rows()
        )));
    }
    let query = Query {
        dimension: Some(work.quantity.dimension),
        ncv_known: work.ncv.is_some(),
        ..Query::new(key)
    };
    let selection = index.select(&query).map_err(|e| match e {
        MatchError::Unit(m) => work.rejected(format!(
            "{m}{} (year {}, {} row(s): {})",
            if work.quantity.dimension == Dimension::Volume {
                "; for a gas burnt, give its net calorific value per volume under [ncv_volume] in inventory.toml (MJ per m3), e.g. \"Natural gas\" = \"33.821\""
            } else {
                ""
            },
            key.year,
            total.count,
            work.rows()
        )),
        MatchError::Ambiguous(m) => {
            KeyError::Fatal(format!("{m}\n(activity of {}: {})", key.year, work.rows()))
        }
    })?;
    let energy_tj = work.energy_tj()?;
    let mut lines: Vec<Line> = Vec::new();
    let mut shares: Vec<(Pollutant, &Factor, &str)> = Vec::new();
    for (pollutant, chosen) in &selection.by_pollutant {
        let f = chosen.factor;
        match &f.unit {
            FactorUnit::ShareOf(_) => shares.push((*pollutant, f, &chosen.why)),
            FactorUnit::Rate { .. } => lines.push(work.rate_line(*pollutant, f, &chosen.why)?),
            FactorUnit::Efficiency => {}
        }
    }
    if crate::method::road::exhaust_pm_is_fine(key.code()) {
        road_exhaust_pm(&mut lines);
    }
    for (pollutant, f, why) in shares {
        if let Some(l) = work.share_line(pollutant, f, why, &lines)? {
            lines.push(l);
        }
    }
    lines.sort_by_key(|l| l.pollutant);
    Ok((lines, energy_tj))
}

/// What the calculation of a key knows of its activity.
struct KeyWork<'k> {
    key: &'k ActivityKey,
    total: &'k KeyTotal,
    /// The key's fuel is a fuel of the table.
    fuel_known: bool,
    /// The activity's quantity; a volume of gas burnt as the energy it holds.
    quantity: Cow<'k, Quantity>,
    /// How a volume became energy, for the conversion text (else empty).
    volume_text: String,
    /// The fuel's NCV (GJ/t) and its source, for fuel combustion (1A).
    ncv: Option<(Decimal, String)>,
}

impl<'k> KeyWork<'k> {
    fn new(key: &'k ActivityKey, total: &'k KeyTotal, fuels: &Fuels) -> Result<Self, KeyError> {
        let quantity = key.unit.quantity();
        let fuel_id = key.fuel.as_ref().and_then(|f| f.id);
        let combustion = key.code().starts_with("1A");
        // A volume of gas burnt: the energy it holds, at the gas's calorific
        // value per volume (exact: a product of decimals).
        let volume_ncv = fuel_id
            .and_then(|id| fuels.volume_ncv_of(id, key.year))
            .filter(|_| quantity.dimension == Dimension::Volume && combustion);
        let (quantity, volume_text) = match volume_ncv {
            Some(v) => (
                Cow::Owned(
                    crate::unit::volume_as_energy(quantity, v.mj_per_m3)
                        .map_err(KeyError::Fatal)?,
                ),
                format!(
                    " at NCV {} MJ/m3 ({})",
                    format_decimal(v.mj_per_m3),
                    v.source
                ),
            ),
            None => (Cow::Borrowed(quantity), String::new()),
        };
        Ok(KeyWork {
            key,
            total,
            fuel_known: fuel_id.is_some(),
            quantity,
            volume_text,
            ncv: fuel_id
                .and_then(|id| fuels.ncv_of(id))
                .filter(|_| combustion)
                .cloned(),
        })
    }

    /// The rows behind the key, for messages: the first few and how many more.
    fn rows(&self) -> String {
        let total = self.total;
        let mut s: Vec<String> = total.first_rows.iter().map(|l| l.to_string()).collect();
        if total.count as usize > s.len() {
            s.push(format!(
                "and {} more row(s)",
                total.count as usize - s.len()
            ));
        }
        s.join("; ")
    }

    /// The key's rows rejected, at the first of them.
    fn rejected(&self, reason: String) -> KeyError {
        KeyError::Rejected(Rejection {
            at: self.total.first_rows.first().cloned().unwrap_or_default(),
            reason,
        })
    }

    /// Arithmetic beyond the range of decimals: the activity or a factor is
    /// far beyond any inventory value.
    fn beyond(&self, what: String) -> KeyError {
        self.rejected(format!(
            "{what} is beyond the range of exact decimals (year {}, {} {} of {} row(s): {}); check the values and their units",
            self.key.year,
            format_decimal(self.total.value),
            self.key.unit,
            self.total.count,
            self.rows()
        ))
    }

    /// The activity in TJ, for the activity-data columns: energy as it is,
    /// a mass of fuel through its NCV; `None` for other activity.
    fn energy_tj(&self) -> Result<Option<Decimal>, KeyError> {
        let in_tj = || self.beyond("the activity in TJ".into());
        let value = self.total.value;
        Ok(match self.quantity.dimension {
            Dimension::Energy => {
                let tj = crate::unit::parse_activity_unit("TJ").expect("TJ");
                Some(key_value_in(value, &self.quantity, &tj).ok_or_else(in_tj)?)
            }
            // t × GJ/t = GJ; exact.
            Dimension::Mass if self.fuel_known => match &self.ncv {
                Some((n, _)) => Some(
                    value
                        .checked_mul(self.quantity.scale)
                        .map(|v| v / Decimal::from(1_000_000))
                        .and_then(|t| t.checked_mul(*n))
                        .map(|gj| gj / Decimal::ONE_THOUSAND)
                        .ok_or_else(in_tj)?,
                ),
                None => None,
            },
            _ => None,
        })
    }

    /// The emission of a factor per unit of activity, with its conversion
    /// in words.
    fn rate_line(&self, pollutant: Pollutant, f: &Factor, why: &str) -> Result<Line, KeyError> {
        let FactorUnit::Rate {
            grams, per, period, ..
        } = &f.unit
        else {
            unreachable!("rate_line is called for factors per unit of activity");
        };
        let too_big = || self.beyond(emission_of(pollutant, f));
        let r = rate(
            &self.quantity,
            f.value,
            *grams,
            per,
            *period,
            self.ncv.as_ref().map(|(n, _)| *n),
            self.key.efficiency_for(pollutant),
            pollutant,
        )
        .map_err(|e| match e {
            RateError::Unit(m) => KeyError::Fatal(m),
            RateError::Overflow => too_big(),
        })?;
        let mut conversion = format!(
            "1 {} = {} {}{}{}",
            self.key.unit,
            format_decimal(r.conversion),
            per,
            match (&self.ncv, r.via_ncv) {
                (Some((n, source)), true) =>
                    format!(" at NCV {} GJ/t ({source})", format_decimal(*n)),
                _ => String::new(),
            },
            self.volume_text
        );
        if r.days != Decimal::ONE {
            conversion.push_str("; per day × 365 days");
        }
        if r.kept != Decimal::ONE {
            conversion.push_str(&format!(
                "; abatement efficiency {} applied",
                format_decimal(Decimal::ONE - r.kept)
            ));
        }
        let (emission, exact) =
            checked_apply(self.total.value, r.multiplier, r.divisor).ok_or_else(too_big)?;
        if emission.abs() >= crate::number::MAX_MAGNITUDE {
            return Err(too_big());
        }
        Ok(line(
            f,
            pollutant,
            why,
            conversion,
            r.multiplier,
            r.divisor,
            emission,
            exact,
        ))
    }

    /// The emission of a factor given as a share of another pollutant's
    /// (BC as % of PM2.5); `None` when that pollutant has no emission (the
    /// cell stays NE).
    fn share_line(
        &self,
        pollutant: Pollutant,
        f: &Factor,
        why: &str,
        lines: &[Line],
    ) -> Result<Option<Line>, KeyError> {
        let FactorUnit::ShareOf(of) = f.unit else {
            return Ok(None);
        };
        let Some(base) = lines.iter().find(|l| l.pollutant == of) else {
            return Ok(None);
        };
        let too_big = || self.beyond(emission_of(pollutant, f));
        let multiplier = base
            .multiplier
            .checked_mul(f.value)
            .map(|m| m / Decimal::ONE_HUNDRED)
            .ok_or_else(too_big)?;
        let (emission, exact) =
            checked_apply(self.total.value, multiplier, base.divisor).ok_or_else(too_big)?;
        if emission.abs() >= crate::number::MAX_MAGNITUDE {
            return Err(too_big());
        }
        let text = format!(
            "{}% of the {of} emission of the same activity ({})",
            format_decimal(f.value),
            base.factor_id
        );
        Ok(Some(line(
            f,
            pollutant,
            why,
            text,
            multiplier,
            base.divisor,
            emission,
            exact && base.exact,
        )))
    }
}

/// Road exhaust: the Tier 1 PM factor (filed under TSP) is PM2.5 and PM10
/// too, where the key has no factor of its own for them.
fn road_exhaust_pm(lines: &mut Vec<Line>) {
    let Some(tsp) = lines
        .iter()
        .find(|l| l.pollutant == Pollutant::TSP && l.factor_tier == Some(Tier::One))
        .cloned()
    else {
        return;
    };
    for p in [Pollutant::PM10, Pollutant::PM25] {
        if lines.iter().all(|l| l.pollutant != p) {
            lines.push(Line {
                pollutant: p,
                why: format!("{}; {}", crate::method::road::WHY, tsp.why),
                conversion: format!("{}; the TSP emission", tsp.conversion),
                ..tsp.clone()
            });
        }
    }
}

/// The exact arithmetic of one factor per activity, apart from its
/// lineage text: reporting units per unit of activity as a multiplier and a
/// divisor (the part of an NCV conversion that is not a finite decimal,
/// divided last), so that `emission = activity × multiplier ÷ divisor`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rate {
    /// Factor denominators per activity unit (rounded at 28 digits when
    /// `conversion_exact` is false).
    pub conversion: Decimal,
    pub conversion_exact: bool,
    /// The conversion went through the fuel's net calorific value.
    pub via_ncv: bool,
    /// 365 for a factor per day, else 1.
    pub days: Decimal,
    /// 1 − the abatement efficiency.
    pub kept: Decimal,
    pub multiplier: Decimal,
    pub divisor: Decimal,
}

/// Why a [`Rate`] cannot be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateError {
    /// The units do not convert (a message).
    Unit(String),
    /// Beyond the range of exact decimals.
    Overflow,
}

/// The [`Rate`] of a factor of `value` `grams`-per-`per` (per `period`) for
/// an activity in `activity` units, with the fuel's NCV (GJ/t) where the
/// units need it, an abatement efficiency and the reporting unit of the
/// pollutant.
#[allow(clippy::too_many_arguments)]
pub fn rate(
    activity: &crate::unit::Quantity,
    value: Decimal,
    grams: Decimal,
    per: &crate::unit::Quantity,
    period: Period,
    ncv: Option<Decimal>,
    efficiency: Decimal,
    pollutant: Pollutant,
) -> Result<Rate, RateError> {
    // The conversion as a fraction: activity unit → factor denominator.
    let (num, den, via_ncv) = if activity.dimension.fits(per.dimension) {
        (activity.scale, per.scale, false)
    } else {
        let n = ncv.ok_or_else(|| {
            RateError::Unit(format!(
                "{} does not convert to {per} without a net calorific value",
                activity
            ))
        })?;
        let (num, den) = conversion_via_ncv(activity, per, n).map_err(RateError::Unit)?;
        (num, den, true)
    };
    let (conversion, conversion_exact) = ratio(num, den).map_err(RateError::Unit)?;
    let days = match period {
        Period::Day => Decimal::from(365),
        Period::Year => Decimal::ONE,
    };
    let kept = Decimal::ONE - efficiency;
    // grams per factor mass unit ÷ grams per reporting unit: powers of ten.
    let (per_unit, _) = ratio(grams, pollutant.grams_per_unit()).map_err(RateError::Unit)?;
    let r = value
        .checked_mul(per_unit)
        .and_then(|r| r.checked_mul(days))
        .and_then(|r| r.checked_mul(kept))
        .ok_or(RateError::Overflow)?;
    // An exact conversion multiplies; one that is not a finite decimal
    // (through an NCV) divides once, last.
    let (multiplier, divisor) = if conversion_exact {
        (
            conversion.checked_mul(r).ok_or(RateError::Overflow)?,
            Decimal::ONE,
        )
    } else {
        (num.checked_mul(r).ok_or(RateError::Overflow)?, den)
    };
    Ok(Rate {
        conversion,
        conversion_exact,
        via_ncv,
        days,
        kept,
        multiplier,
        divisor,
    })
}

fn key_value_in(
    value: Decimal,
    from: &crate::unit::Quantity,
    to: &crate::unit::Quantity,
) -> Option<Decimal> {
    value.checked_mul(from.scale)?.checked_div(to.scale)
}

/// "the NOx emission with factor GB23-… (89 g/GJ)", for messages.
fn emission_of(pollutant: Pollutant, f: &Factor) -> String {
    format!(
        "the {pollutant} emission with factor {} ({} {})",
        f.id,
        crate::number::format_decimal(f.value),
        f.unit_text
    )
}

fn line(
    f: &Factor,
    pollutant: Pollutant,
    why: &str,
    conversion: String,
    multiplier: Decimal,
    divisor: Decimal,
    emission: Decimal,
    exact: bool,
) -> Line {
    Line {
        pollutant,
        factor_id: f.id.clone(),
        factor_value: f.value,
        factor_unit: f.unit_text.clone(),
        factor_tier: f.pins.tier.clone(),
        factor_table: crate::pins::text(&f.pins.table).to_string(),
        factor_reference: f.reference.clone(),
        factor_source: match &f.origin {
            Origin::Guidebook => "EMEP/EEA Guidebook 2023".to_string(),
            Origin::User(at) => at.to_string(),
        },
        // A factor the importer corrected or derived says so where it is used.
        why: if ["corrected", "derived", "converted"]
            .iter()
            .any(|w| f.note.starts_with(w))
        {
            format!("{why}; {}", f.note)
        } else {
            why.to_string()
        },
        conversion,
        multiplier,
        divisor,
        emission,
        exact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::parse_activity_unit;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn the_arithmetic_of_a_factor_per_tonne_on_energy_through_the_ncv() {
        // 430 TJ of diesel at 43 GJ/t = 10 000 t; × 52.4 kg NOx/t = 524 t = 0.524 kt.
        let FactorUnit::Rate {
            grams, per, period, ..
        } = crate::unit::parse_factor_unit("kg/tonne fuel").unwrap()
        else {
            panic!()
        };
        let tj = parse_activity_unit("TJ").unwrap();
        let r = rate(
            &tj,
            d("52.4"),
            grams,
            &per,
            period,
            Some(d("43")),
            Decimal::ZERO,
            Pollutant::NOx,
        )
        .unwrap();
        assert!(r.via_ncv && !r.conversion_exact);
        assert_eq!(apply(d("430"), r.multiplier, r.divisor), (d("0.524"), true));
        // Without an NCV the units do not convert.
        assert!(matches!(
            rate(
                &tj,
                d("52.4"),
                grams,
                &per,
                period,
                None,
                Decimal::ZERO,
                Pollutant::NOx
            ),
            Err(RateError::Unit(_))
        ));
    }

    #[test]
    fn the_arithmetic_of_a_factor_per_day_with_abatement() {
        // 1 000 head × 0.01 kg NH3 per head per day × 365 × (1 − 0.3) = 2.555 t.
        let FactorUnit::Rate {
            grams, per, period, ..
        } = crate::unit::parse_factor_unit("kg NH3 (AAP d)-1").unwrap()
        else {
            panic!()
        };
        let head = parse_activity_unit("head").unwrap();
        let r = rate(
            &head,
            d("0.01"),
            grams,
            &per,
            period,
            None,
            d("0.3"),
            Pollutant::NH3,
        )
        .unwrap();
        assert_eq!((r.days, r.kept), (d("365"), d("0.7")));
        assert_eq!(
            apply(d("1000"), r.multiplier, r.divisor),
            (d("0.002555"), true)
        );
    }
}
