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

use crate::activity::{Activity, Efficiency, Rejection};
use crate::emission_factor::{Factor, Origin};
use crate::error::Location;
use crate::matching::{FactorIndex, MatchError, Query};
use crate::number::format_decimal;
use crate::pollutant::Pollutant;
use crate::unit::{FactorUnit, Period, conversion_via_ncv, ratio};
use rayon::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What activities are summed by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityKey {
    pub year: i32,
    /// Template row number of the Annex I row.
    pub row: u32,
    pub fuel: String,
    pub technology: String,
    pub table: String,
    pub abatement: String,
    pub region: String,
    pub tier: String,
    pub unit: String,
    pub efficiency: Efficiency,
}

impl ActivityKey {
    pub fn of(a: &Activity) -> ActivityKey {
        ActivityKey {
            year: a.year,
            row: a.row.number,
            fuel: a.fuel.clone(),
            technology: a.technology.clone(),
            table: a.table.clone(),
            abatement: a.abatement.clone(),
            region: a.region.clone(),
            tier: a.tier.clone(),
            unit: a.unit_text.clone(),
            efficiency: a.abatement_efficiency.clone(),
        }
    }

    pub fn code(&self) -> &'static str {
        &crate::nfr::by_number(self.row)
            .expect("key rows are template rows")
            .code
    }
}

/// One activity row kept for per-row lineage.
#[derive(Debug, Clone)]
pub struct RowRecord {
    pub at: Location,
    pub value: Decimal,
    pub source_id: String,
    pub extra: Vec<(String, String)>,
}

/// The activity behind a key.
#[derive(Debug, Clone)]
pub struct KeyTotal {
    pub value: Decimal,
    pub count: u64,
    /// The first rows (locations for messages).
    pub first_rows: Vec<Location>,
    /// Every row, when per-row lineage is asked for.
    pub rows: Vec<RowRecord>,
    /// The sum left the range of exact decimals (the key is then rejected).
    pub overflow: bool,
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
        let total = self
            .keys
            .entry(ActivityKey::of(&a))
            .or_insert_with(|| KeyTotal {
                value: Decimal::ZERO,
                count: 0,
                first_rows: Vec::new(),
                rows: Vec::new(),
                overflow: false,
            });
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
    pub factor_tier: String,
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
pub fn compute(acc: Accumulator, index: &FactorIndex) -> Vec<Result<KeyResult, Box<KeyFailure>>> {
    let keys: Vec<(ActivityKey, KeyTotal)> = acc.keys.into_iter().collect();
    keys.into_par_iter()
        .map(|(key, total)| match compute_key(&key, &total, index) {
            Ok((lines, energy_tj)) => Ok(KeyResult {
                key,
                total,
                lines,
                energy_tj,
            }),
            Err(error) => Err(Box::new(KeyFailure { key, total, error })),
        })
        .collect()
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

/// The largest emission of one activity key and pollutant, in the
/// reporting unit (kt, t, kg, g I-TEQ): beyond it the activity or the
/// factor is wrong (a unit slip), and sums of the table could leave the
/// range of exact decimals.
pub const MAX_EMISSION: Decimal = Decimal::from_parts(0x6310_0000, 0x6BC7_5E2D, 0x5, false, 0);

/// `activity × multiplier ÷ divisor`, dividing last, and whether the
/// result is exact.
pub fn apply(activity: Decimal, multiplier: Decimal, divisor: Decimal) -> (Decimal, bool) {
    let product = activity * multiplier;
    if divisor == Decimal::ONE {
        return (product.normalize(), !full(product) && !full(multiplier));
    }
    match ratio(product, divisor) {
        Ok((q, exact)) => (q, exact && !full(product)),
        Err(_) => (product / divisor, false),
    }
}

fn compute_key(
    key: &ActivityKey,
    total: &KeyTotal,
    index: &FactorIndex,
) -> Result<(Vec<Line>, Option<Decimal>), KeyError> {
    let row = crate::nfr::by_number(key.row).expect("template row");
    let factor_code = row.code.trim_end_matches("(fu)").to_string();
    let quantity =
        crate::unit::parse_activity_unit(&key.unit).map_err(|e| KeyError::Fatal(e.to_string()))?;
    let fuels = index.fuels();
    // A volume of gas burnt: the energy it holds, at the gas's calorific
    // value per volume (exact: a product of decimals).
    let volume_ncv = fuels
        .volume_ncv(&key.fuel, key.year)
        .filter(|_| quantity.dimension == crate::unit::Dimension::Volume)
        .filter(|_| factor_code.starts_with("1A"));
    let (quantity, volume_text) = match volume_ncv {
        Some(v) => (
            crate::unit::volume_as_energy(&quantity, v.mj_per_m3).map_err(KeyError::Fatal)?,
            format!(
                " at NCV {} MJ/m3 ({})",
                format_decimal(v.mj_per_m3),
                v.source
            ),
        ),
        None => (quantity, String::new()),
    };
    let ncv = fuels
        .ncv(&key.fuel)
        .filter(|_| factor_code.starts_with("1A"))
        .cloned();
    let query = Query {
        year: key.year,
        code: factor_code.clone(),
        fuel: key.fuel.clone(),
        technology: key.technology.clone(),
        table: key.table.clone(),
        abatement: key.abatement.clone(),
        region: key.region.clone(),
        tier: key.tier.clone(),
        dimension: Some(quantity.dimension),
        ncv_known: ncv.is_some(),
    };
    let where_ = || {
        let mut s: Vec<String> = total.first_rows.iter().map(|l| l.to_string()).collect();
        if total.count as usize > s.len() {
            s.push(format!(
                "and {} more row(s)",
                total.count as usize - s.len()
            ));
        }
        s.join("; ")
    };
    if total.overflow {
        return Err(KeyError::Rejected(Rejection {
            at: total.first_rows.first().cloned().unwrap_or_default(),
            reason: format!(
                "the sum of the activity of these rows is beyond the range of exact decimals (year {}, {} row(s): {}); check the values and their units",
                key.year,
                total.count,
                where_()
            ),
        }));
    }
    let selection = index.select(&query).map_err(|e| match e {
        MatchError::Unit(m) => KeyError::Rejected(Rejection {
            at: total.first_rows.first().cloned().unwrap_or_default(),
            reason: format!(
                "{m}{} (year {}, {} row(s): {})",
                if quantity.dimension == crate::unit::Dimension::Volume {
                    "; for a gas burnt, give its net calorific value per volume under [ncv_volume] in inventory.toml (MJ per m3), e.g. \"Natural gas\" = \"33.821\""
                } else {
                    ""
                },
                key.year,
                total.count,
                where_()
            ),
        }),
        MatchError::Ambiguous(m) => {
            KeyError::Fatal(format!("{m}\n(activity of {}: {})", key.year, where_()))
        }
    })?;

    // Energy in TJ for the activity-data columns.
    let tj = crate::unit::parse_activity_unit("TJ").expect("TJ");
    // Arithmetic beyond the range of decimals: the activity or a factor is
    // far beyond any inventory value.
    let beyond = |what: String| {
        KeyError::Rejected(Rejection {
            at: total.first_rows.first().cloned().unwrap_or_default(),
            reason: format!(
                "{what} is beyond the range of exact decimals (year {}, {} {} of {} row(s): {}); check the values and their units",
                key.year,
                crate::number::format_decimal(total.value),
                key.unit,
                total.count,
                where_()
            ),
        })
    };
    let energy_tj = match quantity.dimension {
        crate::unit::Dimension::Energy => Some(
            key_value_in(total.value, &quantity, &tj)
                .ok_or_else(|| beyond("the activity in TJ".into()))?,
        ),
        crate::unit::Dimension::Mass if fuels.group(&key.fuel).is_some() => match ncv.as_ref() {
            // t × GJ/t = GJ; exact.
            Some((n, _)) => Some(
                total
                    .value
                    .checked_mul(quantity.scale)
                    .map(|v| v / Decimal::from(1_000_000))
                    .and_then(|t| t.checked_mul(*n))
                    .map(|gj| gj / Decimal::ONE_THOUSAND)
                    .ok_or_else(|| beyond("the activity in TJ".into()))?,
            ),
            None => None,
        },
        _ => None,
    };

    let mut lines: Vec<Line> = Vec::new();
    let mut shares: Vec<(Pollutant, &Factor, String)> = Vec::new();
    for (pollutant, chosen) in &selection.by_pollutant {
        let f = chosen.factor;
        match &f.unit {
            FactorUnit::ShareOf(_) => shares.push((*pollutant, f, chosen.why.clone())),
            FactorUnit::Rate {
                grams, per, period, ..
            } => {
                // The conversion as a fraction: activity unit → factor denominator.
                let (num, den, conv_text) = if quantity.dimension.fits(per.dimension) {
                    (quantity.scale, per.scale, String::new())
                } else {
                    let (n, source) = ncv.as_ref().expect("NCV fit only when an NCV is known");
                    let (num, den) =
                        conversion_via_ncv(&quantity, per, *n).map_err(KeyError::Fatal)?;
                    (
                        num,
                        den,
                        format!(" at NCV {} GJ/t ({source})", format_decimal(*n)),
                    )
                };
                let (conv, conv_exact) = ratio(num, den).map_err(KeyError::Fatal)?;
                let mut conv_text = format!(
                    "1 {} = {} {}{conv_text}{volume_text}",
                    key.unit,
                    format_decimal(conv),
                    per
                );
                let days = match period {
                    Period::Day => Decimal::from(365),
                    Period::Year => Decimal::ONE,
                };
                let kept = Decimal::ONE - key.efficiency.for_pollutant(*pollutant);
                // grams per factor mass unit ÷ grams per reporting unit: powers of ten.
                let (per_unit, _) =
                    ratio(*grams, pollutant.grams_per_unit()).map_err(KeyError::Fatal)?;
                let too_big = || beyond(emission_of(*pollutant, f));
                let rate = f
                    .value
                    .checked_mul(per_unit)
                    .and_then(|r| r.checked_mul(days))
                    .and_then(|r| r.checked_mul(kept))
                    .ok_or_else(too_big)?;
                // An exact conversion multiplies; one that is not a finite
                // decimal (through an NCV) divides once, last.
                let (multiplier, divisor) = if conv_exact {
                    (conv.checked_mul(rate).ok_or_else(too_big)?, Decimal::ONE)
                } else {
                    (num.checked_mul(rate).ok_or_else(too_big)?, den)
                };
                if days != Decimal::ONE {
                    conv_text.push_str("; per day × 365 days");
                }
                if kept != Decimal::ONE {
                    conv_text.push_str(&format!(
                        "; abatement efficiency {} applied",
                        format_decimal(Decimal::ONE - kept)
                    ));
                }
                let (emission, exact) =
                    checked_apply(total.value, multiplier, divisor).ok_or_else(too_big)?;
                if emission.abs() >= MAX_EMISSION {
                    return Err(too_big());
                }
                lines.push(line(
                    f,
                    *pollutant,
                    &chosen.why,
                    conv_text,
                    multiplier,
                    divisor,
                    emission,
                    exact,
                ));
            }
            FactorUnit::Efficiency => {}
        }
    }
    for (pollutant, f, why) in shares {
        let FactorUnit::ShareOf(of) = f.unit else {
            continue;
        };
        match lines.iter().find(|l| l.pollutant == of).cloned() {
            Some(base) => {
                let too_big = || beyond(emission_of(pollutant, f));
                let multiplier = base
                    .multiplier
                    .checked_mul(f.value)
                    .map(|m| m / Decimal::ONE_HUNDRED)
                    .ok_or_else(too_big)?;
                let (emission, exact) =
                    checked_apply(total.value, multiplier, base.divisor).ok_or_else(too_big)?;
                if emission.abs() >= MAX_EMISSION {
                    return Err(too_big());
                }
                let text = format!(
                    "{}% of the {of} emission of the same activity ({})",
                    format_decimal(f.value),
                    base.factor_id
                );
                lines.push(line(
                    f,
                    pollutant,
                    &why,
                    text,
                    multiplier,
                    base.divisor,
                    emission,
                    exact && base.exact,
                ));
            }
            None => {
                // No base emission: the share cannot be applied; the cell stays NE.
            }
        }
    }
    lines.sort_by_key(|l| l.pollutant);
    Ok((lines, energy_tj))
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
        factor_tier: f.tier.clone(),
        factor_table: f.table.clone(),
        factor_reference: f.reference.clone(),
        factor_source: match &f.origin {
            Origin::Guidebook => "EMEP/EEA Guidebook 2023".to_string(),
            Origin::User(at) => at.to_string(),
        },
        why: why.to_string(),
        conversion,
        multiplier,
        divisor,
        emission,
        exact,
    }
}
