//! Implied emission factors against the Guidebook's Tier 1 95 % intervals.
//!
//! The implied emission factor (IEF) of a row is its emission divided by its
//! activity. The template gives fuel activity in TJ NCV per fuel group
//! (AF liquid, AG solid, AH gaseous, AI biomass, AJ other fuels), so the
//! test is meaningful for the fuel-combustion rows 1A whose Guidebook Tier 1
//! factors are per energy (g/GJ, mg/GJ...): stationary combustion 1A1,
//! 1A2, 1A4, 1A5. Rows whose Tier 1 factors are per tonne of fuel or per
//! vehicle-km (road, rail, navigation, aviation) are not tested, since their
//! fuel in TJ does not convert to those units without the fuels' own NCVs.
//!
//! The rule, for a row, a year and a pollutant with a number:
//!
//! 1. Every fuel group with activity (a number above zero in AF-AJ) needs a
//!    Tier 1 interval for the row and pollutant: the lowest `ci_lower` and
//!    highest `ci_upper` of the Guidebook 2023 Tier 1 factors per energy of
//!    the fuels of that group (Natural gas and Gaseous Fuels are gaseous;
//!    Hard Coal, Brown Coal, Solid Fuels are solid...). Factors without an
//!    interval, or whose interval does not contain their value (a few
//!    garbled rows of the export), are left out. If a group with activity
//!    has no interval, the row and pollutant are not tested.
//! 2. The bounds are the activity-weighted intervals:
//!    `Σ TJ_g × lower_g ≤ emission ≤ Σ TJ_g × upper_g`. For a row burning
//!    one fuel group this is that group's interval; for a mix it is exactly
//!    the range the row's IEF can take when every fuel's own factor lies in
//!    its interval, so a finding is never caused by the mix itself.
//! 3. Outside the bounds is a warning naming the IEF, the cells it comes
//!    from and the interval with its Guidebook tables. Comparisons are exact
//!    (grams against grams); the IEF in the message is rounded to four
//!    significant digits for reading.

use super::{Finding, Severity, YearView, show};
use crate::emission_factor::{Factor, FactorKind};
use crate::fuel::{FuelGroup, Fuels};
use crate::nfr::{self, RowKind};
use crate::pollutant::Pollutant;
use crate::unit::{Dimension, FactorUnit, Period};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

/// A Tier 1 interval of a row, pollutant and fuel group, in grams per GJ.
#[derive(Debug, Clone)]
pub struct Interval {
    pub lower: Decimal,
    pub upper: Decimal,
    /// The tables and fuels it comes from (`Table_3-4 Natural gas`).
    pub sources: BTreeSet<String>,
    /// The mass unit to show it in (`g`, `mg`) and its grams.
    pub unit: (String, Decimal),
}

/// The Guidebook 2023 Tier 1 emission factors, indexed for the checks.
pub struct Tier1 {
    factors: Vec<Factor>,
    /// (Annex I code, pollutant) → indices of factors.
    by_cell: BTreeMap<(String, Pollutant), Vec<usize>>,
    intervals: BTreeMap<(String, Pollutant, FuelGroup), Interval>,
}

const GJ_IN_J: Decimal = Decimal::from_parts(1_000_000_000, 0, 0, false, 0);

impl Tier1 {
    /// From the embedded Guidebook 2023 database.
    pub fn embedded() -> crate::error::Result<Tier1> {
        Ok(Tier1::new(crate::emission_factor::embedded()?))
    }

    pub fn new(all: Vec<Factor>) -> Tier1 {
        let fuels = Fuels::built_in();
        let factors: Vec<Factor> = all
            .into_iter()
            .filter(|f| {
                f.pins.tier == Some(crate::pins::Tier::One) && f.kind == FactorKind::EmissionFactor
            })
            .collect();
        let mut by_cell: BTreeMap<(String, Pollutant), Vec<usize>> = BTreeMap::new();
        let mut intervals: BTreeMap<(String, Pollutant, FuelGroup), Interval> = BTreeMap::new();
        for (i, f) in factors.iter().enumerate() {
            for code in &f.annex1_codes {
                by_cell
                    .entry((code.clone(), f.pollutant))
                    .or_default()
                    .push(i);
            }
            let (Some(group), Some((lower, upper)), Some(unit)) = (
                f.fuel.as_ref().and_then(|n| fuels.group(n)),
                grams_per_gj_interval(f),
                mass_unit(f),
            ) else {
                continue;
            };
            for code in &f.annex1_codes {
                let source = format!(
                    "{} {}",
                    crate::pins::text(&f.pins.table),
                    crate::pins::text(&f.fuel)
                );
                intervals
                    .entry((code.clone(), f.pollutant, group))
                    .and_modify(|iv| {
                        iv.lower = iv.lower.min(lower);
                        iv.upper = iv.upper.max(upper);
                        iv.sources.insert(source.clone());
                    })
                    .or_insert_with(|| Interval {
                        lower,
                        upper,
                        sources: BTreeSet::from([source.clone()]),
                        unit: unit.clone(),
                    });
            }
        }
        Tier1 {
            factors,
            by_cell,
            intervals,
        }
    }

    /// The Tier 1 factors for a row and pollutant; with `groups`, only those
    /// of fuels of these groups (and those with no fuel).
    pub fn factors(&self, code: &str, p: Pollutant, groups: Option<&[FuelGroup]>) -> Vec<&Factor> {
        let fuels = Fuels::built_in();
        self.by_cell
            .get(&(code.to_string(), p))
            .into_iter()
            .flatten()
            .map(|&i| &self.factors[i])
            .filter(
                |f| match (groups, f.fuel.as_ref().map(|n| fuels.group(n))) {
                    (None, _) => true,
                    (Some(gs), Some(Some(g))) => gs.contains(&g),
                    (Some(_), Some(None)) => false,
                    // A factor for no fuel fits whatever is burnt.
                    (Some(_), None) => true,
                },
            )
            .collect()
    }

    pub fn interval(&self, code: &str, p: Pollutant, g: FuelGroup) -> Option<&Interval> {
        self.intervals.get(&(code.to_string(), p, g))
    }
}

/// The 95 % interval of a factor per energy, in grams per GJ, when it has
/// one that contains its value.
fn grams_per_gj_interval(f: &Factor) -> Option<(Decimal, Decimal)> {
    let FactorUnit::Rate {
        grams, per, period, ..
    } = &f.unit
    else {
        return None;
    };
    if per.dimension != Dimension::Energy || *period != Period::Year {
        return None;
    }
    let (lo, hi) = (f.ci_lower?, f.ci_upper?);
    if !(lo <= f.value && f.value <= hi) || lo < Decimal::ZERO {
        return None;
    }
    let to_g_per_gj = |v: Decimal| {
        v.checked_mul(*grams)?
            .checked_mul(GJ_IN_J)?
            .checked_div(per.scale)
    };
    Some((to_g_per_gj(lo)?, to_g_per_gj(hi)?))
}

fn mass_unit(f: &Factor) -> Option<(String, Decimal)> {
    match &f.unit {
        FactorUnit::Rate {
            grams, mass_symbol, ..
        } => Some((mass_symbol.clone(), *grams)),
        _ => None,
    }
}

pub fn check(years: &[YearView], tier1: &Tier1, out: &mut Vec<Finding>) {
    let thousand = Decimal::ONE_THOUSAND;
    for y in years {
        for row in nfr::rows()
            .iter()
            .filter(|r| r.kind == RowKind::Sector && r.code.starts_with("1A"))
        {
            let Some(cells) = y.table.rows.get(&row.number) else {
                continue;
            };
            let groups: Vec<(FuelGroup, Decimal)> = FuelGroup::ALL
                .iter()
                .filter_map(|g| {
                    cells.fuels[g.index()]
                        .number()
                        .filter(|v| *v > Decimal::ZERO)
                        .map(|v| (*g, v))
                })
                .collect();
            if groups.is_empty() {
                continue;
            }
            let Some(total_gj) = groups
                .iter()
                .try_fold(Decimal::ZERO, |acc, (_, tj)| acc.checked_add(*tj))
                .and_then(|tj| tj.checked_mul(thousand))
            else {
                continue;
            };
            for p in Pollutant::ALL {
                let Some(emission) = cells.get(p).number() else {
                    continue;
                };
                let Some(intervals) = groups
                    .iter()
                    .map(|(g, tj)| tier1.interval(&row.code, p, *g).map(|iv| (*g, *tj, iv)))
                    .collect::<Option<Vec<_>>>()
                else {
                    continue;
                };
                let bound = |pick: fn(&Interval) -> Decimal| {
                    intervals
                        .iter()
                        .try_fold(Decimal::ZERO, |acc, (_, tj, iv)| {
                            acc.checked_add(tj.checked_mul(thousand)?.checked_mul(pick(iv))?)
                        })
                };
                let (Some(lower), Some(upper), Some(grams)) = (
                    bound(|iv| iv.lower),
                    bound(|iv| iv.upper),
                    emission.checked_mul(p.grams_per_unit()),
                ) else {
                    continue;
                };
                if lower <= grams && grams <= upper {
                    continue;
                }
                let (unit, unit_grams) = intervals[0].2.unit.clone();
                let per_gj = |g: Decimal| {
                    g.checked_div(total_gj)
                        .and_then(|v| v.checked_div(unit_grams))
                        .map(|v| crate::number::show(v, 4))
                        .unwrap_or_else(|| "?".into())
                };
                let ief = per_gj(grams);
                let cells_used: Vec<String> = intervals
                    .iter()
                    .map(|(g, _, _)| {
                        format!(
                            "{}{}",
                            crate::annex1::ACTIVITY_COLUMNS[g.index()],
                            row.number
                        )
                    })
                    .collect();
                let detail: Vec<String> = intervals
                    .iter()
                    .map(|(g, tj, iv)| {
                        format!(
                            "{} {} TJ: {}-{} {unit}/GJ ({})",
                            g.column_name(),
                            show(*tj),
                            per_gj_single(iv.lower, unit_grams),
                            per_gj_single(iv.upper, unit_grams),
                            iv.sources.iter().cloned().collect::<Vec<_>>().join(", ")
                        )
                    })
                    .collect();
                let side = if grams < lower { "below" } else { "above" };
                let interval_text = if intervals.len() == 1 {
                    format!("the Guidebook 2023 Tier 1 95 % interval {}", detail[0])
                } else {
                    format!(
                        "{}-{} {unit}/GJ, the Guidebook 2023 Tier 1 95 % intervals of the fuels reported weighted by their activity ({})",
                        per_gj(lower),
                        per_gj(upper),
                        detail.join("; ")
                    )
                };
                out.push(
                    Finding::at(
                        Severity::Warning,
                        "implied-factor.outside-interval",
                        y,
                        row,
                        p.column(),
                        format!(
                            "{} {p}: the implied emission factor {ief} {unit}/GJ ({}{} = {} {} over {} TJ in {}) is {side} {interval_text}; check the emission and the activity data, or explain the factor used in the IIR",
                            row.code,
                            p.column(),
                            row.number,
                            show(emission),
                            p.unit(),
                            show(total_gj / thousand),
                            cells_used.join(" + "),
                        ),
                    )
                    .with_pollutant(p),
                );
            }
        }
    }
}

fn per_gj_single(g: Decimal, unit_grams: Decimal) -> String {
    g.checked_div(unit_grams)
        .map(show)
        .unwrap_or_else(|| "?".into())
}

#[cfg(test)]
mod tests {
    use super::super::completeness::PM;
    use super::super::{Kind, Submission};
    use super::*;
    use crate::annex1::{Annex1Year, Header};
    use crate::notation_key::Cell;
    use std::sync::LazyLock;

    static TIER1: LazyLock<Tier1> = LazyLock::new(|| Tier1::embedded().unwrap());

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn run(t: Annex1Year) -> Vec<Finding> {
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t]);
        let views = vec![YearView::plain(&s.years[0].table, "2022")];
        let mut out = Vec::new();
        check(&views, &TIER1, &mut out);
        out
    }

    #[test]
    fn tier1_intervals_come_from_the_guidebook_in_grams_per_gj() {
        // 1.A.1.a natural gas NOx: 89 g/GJ, 95 % interval 15.6-180 (Table 3-4).
        let iv = TIER1
            .interval("1A1a", Pollutant::NOx, FuelGroup::Gaseous)
            .unwrap();
        assert_eq!((iv.lower, iv.upper), (d("15.6"), d("180")));
        assert!(
            iv.sources.contains("Table_3-4 Natural gas"),
            "{:?}",
            iv.sources
        );
        // Solid: hard coal 200-350, brown coal 143-571 and the coal-derived
        // blast furnace gas 22-27 (solid fuels, as IPCC groups them).
        let iv = TIER1
            .interval("1A1a", Pollutant::NOx, FuelGroup::Solid)
            .unwrap();
        assert_eq!((iv.lower, iv.upper), (d("22"), d("571")));
        // Rail factors are per tonne of fuel: no interval per energy.
        assert!(
            TIER1
                .interval("1A3c", Pollutant::NOx, FuelGroup::Liquid)
                .is_none()
        );
        for p in PM {
            assert!(!TIER1.factors("1A1a", p, None).is_empty());
        }
    }

    fn gas_row(nox: &str, tj: &str) -> Annex1Year {
        let mut t = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        let r = t.row_mut("1A1a").unwrap();
        r.set(Pollutant::NOx, Cell::Number(d(nox)));
        r.fuels[FuelGroup::Gaseous.index()] = Cell::Number(d(tj));
        t
    }

    #[test]
    fn an_implied_factor_inside_the_interval_passes_and_outside_warns() {
        // 10 000 TJ at 89 g/GJ = 0.89 kt: inside 15.6-180.
        assert!(run(gas_row("0.89", "10000")).is_empty());
        // At the bounds exactly: 0.156 kt and 1.8 kt pass.
        assert!(run(gas_row("0.156", "10000")).is_empty());
        assert!(run(gas_row("1.8", "10000")).is_empty());
        // 2 kt over 10 000 TJ = 200 g/GJ > 180.
        let f = run(gas_row("2", "10000"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].cell.as_deref(), Some("E14"));
        assert_eq!(f[0].severity, Severity::Warning);
        assert!(f[0].message.contains("200 g/GJ"), "{}", f[0].message);
        assert!(f[0].message.contains("above"), "{}", f[0].message);
        assert!(f[0].message.contains("15.6-180 g/GJ"), "{}", f[0].message);
        assert!(f[0].message.contains("Table_3-4"), "{}", f[0].message);
        let f = run(gas_row("0.1", "10000"));
        assert!(f[0].message.contains("10 g/GJ") && f[0].message.contains("below"));
    }

    #[test]
    fn a_fuel_mix_is_judged_by_the_activity_weighted_intervals() {
        // Gas 10 000 TJ (15.6-180) and solid fuels 10 000 TJ (22-571):
        // bounds 0.376 kt - 7.51 kt. 4 kt passes although 200 g/GJ is above
        // the gas interval; 8 kt does not.
        let mut t = gas_row("4", "10000");
        t.row_mut("1A1a").unwrap().fuels[FuelGroup::Solid.index()] = Cell::Number(d("10000"));
        assert!(run(t.clone()).is_empty());
        t.row_mut("1A1a")
            .unwrap()
            .set(Pollutant::NOx, Cell::Number(d("8")));
        let f = run(t);
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("18.8-375.5 g/GJ"), "{}", f[0].message);
        // A group without an interval (other fuels) leaves the row untested.
        let mut t = gas_row("8", "10000");
        t.row_mut("1A1a").unwrap().fuels[FuelGroup::Other.index()] = Cell::Number(d("5"));
        assert!(run(t).is_empty());
    }
}
