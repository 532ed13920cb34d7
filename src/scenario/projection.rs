//! Projection of a base year's activity and emissions, in exact decimals.
//!
//! Each activity key of the base year (row, fuel, technology ...) grows by
//! its [`Growth`] rule (the most specific that fits: a fuel before none, an
//! exact code before a prefix, a longer prefix before a shorter), or stays
//! at its base-year level when no rule fits (counted in the warnings).
//! Emission factors stay those of the base year (the key's emission ÷ its
//! activity), so for key k, pollutant p and year y:
//!
//! ```text
//! E(k,p,y) = E(k,p,base) × g(k,y) × (1 − Σ over measures m on k of share(m,y) × removal(m,p))
//! ```
//!
//! Measures of one group on one key are alternatives: their shares sum to
//! at most 1. Measures of different groups (an FGD and an SCR) combine, and
//! where two remove the same pollutant their removals add up (to at most 1).

use super::cost::UnitCost;
use super::file::{GrowthKind, Measure, Scenario};
use crate::annex1::Annex1Year;
use crate::error::{Error, Result};
use crate::fuel::{ActivityFuel, FuelGroup, fuel_key};
use crate::nfr::RowKind;
use crate::notation_key::Cell;
use crate::pins::Name;
use crate::pollutant::Pollutant;
use crate::source::Source;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One activity key of the base year, as the compile pipeline computed it.
#[derive(Debug, Clone)]
pub struct BaseKey {
    /// Template row number.
    pub row: u32,
    pub code: String,
    pub fuel: Option<ActivityFuel>,
    pub technology: Option<Name>,
    /// TJ for fuels with an energy content, else the activity's own unit.
    pub unit: String,
    pub activity: Decimal,
    pub fuel_group: Option<FuelGroup>,
    /// In the national total (sector rows 14-140).
    pub sector: bool,
    /// Emission per pollutant, template unit.
    pub emissions: BTreeMap<Pollutant, Decimal>,
}

impl BaseKey {
    /// The fuel as written, empty when the key has none (for messages).
    pub fn fuel_text(&self) -> &str {
        crate::pins::text(&self.fuel)
    }
}

/// The Annex IV template's historic base year.
pub const HISTORIC_YEAR: i32 = 2005;

/// The base: its keys in the base year, its Annex I table of that year and
/// the national totals of every year it compiles (for targets).
#[derive(Debug, Clone)]
pub struct Base {
    pub year: i32,
    pub keys: Vec<BaseKey>,
    pub table: Annex1Year,
    /// The historic base year's table (2005, the Gothenburg Protocol's),
    /// when the base compiles it and projects from a later year: the
    /// Annex IV workbook's `2005` sheet.
    pub historic: Option<Annex1Year>,
    pub totals: BTreeMap<i32, BTreeMap<Pollutant, Decimal>>,
    /// The inventory's plant register and the plants' parts of the base
    /// year's keys (Tier 3), for `limits` measures.
    pub plants: Vec<crate::plant::Plant>,
    pub plant_parts: Vec<crate::calculate::KeyResult>,
}

/// The base year of a scenario from the compile pipeline: every activity
/// key of the year (activity in TJ for fuels, emissions per pollutant) and
/// the national totals of every compiled year. The one place a scenario
/// calls the compile pipeline.
pub fn compile_base(s: &Scenario, reporting_date: Option<String>) -> Result<Base> {
    use crate::compile::{CompileOptions, compute, inventory_fuels};
    let source = Source::open_activity(&s.base)?;
    let inventory = source
        .inventory()
        .expect("an activity source has an inventory");
    let compiled = compute(
        inventory,
        &CompileOptions {
            country: s.country.clone(),
            reporting_date,
            ..CompileOptions::default()
        },
    )?;
    if let Some(first) = compiled.report.rejected.first() {
        return Err(Error::file(
            &s.path,
            format!(
                "the base {} has {} rejected input row(s) (first: {}: {}); run airinv compile on it and correct them first",
                s.base.display(),
                compiled.report.rejected.len(),
                first.at,
                first.reason
            ),
        ));
    }
    let fuels = inventory_fuels(inventory)?;
    let table = compiled
        .tables
        .iter()
        .find(|t| t.header.year == s.base_year)
        .cloned()
        .ok_or_else(|| {
            Error::file(
                &s.path,
                format!(
                    "base_year {} is not a year of the base {} (it compiles {})",
                    s.base_year,
                    s.base.display(),
                    compiled
                        .tables
                        .iter()
                        .map(|t| t.header.year.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
        })?;
    let mut keys = Vec::new();
    for r in compiled
        .results
        .iter()
        .filter(|r| r.key.year == s.base_year)
    {
        let row = r.key.row;
        if !matches!(row.kind, RowKind::Sector | RowKind::FuelUsed) {
            continue;
        }
        let mut emissions: BTreeMap<Pollutant, Decimal> = BTreeMap::new();
        for line in &r.lines {
            *emissions.entry(line.pollutant).or_default() += line.emission;
        }
        if !emissions.contains_key(&Pollutant::PAH14) {
            let four: Vec<Decimal> = Pollutant::PAHS
                .iter()
                .filter_map(|p| emissions.get(p).copied())
                .collect();
            if !four.is_empty() {
                emissions.insert(Pollutant::PAH14, four.iter().sum());
            }
        }
        let (activity, unit) = match r.energy_tj {
            Some(tj) => (tj, "TJ".to_string()),
            None => (r.total.value, r.key.unit.to_string()),
        };
        keys.push(BaseKey {
            row: row.number,
            code: row.code.clone(),
            fuel: r.key.fuel.clone(),
            technology: r.key.pins.technology.clone(),
            unit,
            activity,
            fuel_group: r
                .key
                .fuel
                .as_ref()
                .and_then(|f| f.id)
                .map(|id| fuels.fuel(id).group),
            sector: row.kind == RowKind::Sector,
            emissions,
        });
    }
    let total_row = crate::nfr::find("NATIONAL TOTAL")
        .expect("the total row")
        .number;
    let totals = compiled
        .tables
        .iter()
        .map(|t| {
            let cells = &t.rows[&total_row];
            let by: BTreeMap<Pollutant, Decimal> = Pollutant::ALL
                .iter()
                .filter_map(|p| match cells.get(*p) {
                    Cell::Number(v) => Some((*p, v)),
                    _ => None,
                })
                .collect();
            (t.header.year, by)
        })
        .collect();
    let historic = compiled
        .tables
        .iter()
        .find(|t| t.header.year == HISTORIC_YEAR && s.base_year > HISTORIC_YEAR)
        .cloned();
    Ok(Base {
        year: s.base_year,
        keys,
        table,
        historic,
        totals,
        plants: crate::tier3::read_plants(inventory, &fuels)?,
        plant_parts: compiled
            .results
            .iter()
            .filter(|r| r.key.year == s.base_year && r.plant.is_some())
            .cloned()
            .collect(),
    })
}

/// A scenario prepared on its base: growth factors per year and key, the
/// keys each measure treats, the unit costs.
#[derive(Debug, Clone)]
pub struct Model<'a> {
    pub scenario: &'a Scenario,
    pub base: &'a Base,
    /// growth[year index][key]: activity multiplier from the base year.
    pub growth: Vec<Vec<Decimal>>,
    /// The keys of each measure.
    pub links: Vec<Vec<usize>>,
    pub costs: Vec<UnitCost>,
    pub warnings: Vec<String>,
}

/// A measure in one year.
#[derive(Debug, Clone)]
pub struct MeasureYear {
    pub share: Decimal,
    /// Activity treated (share × projected activity of its keys).
    pub activity: Decimal,
    /// Removed per pollutant, template unit.
    pub removed: BTreeMap<Pollutant, Decimal>,
    pub cost: Decimal,
    /// Cost per tonne of the primary pollutant removed (none when nothing is removed).
    pub cost_per_tonne: Option<Decimal>,
}

/// The projection of one year under given shares.
#[derive(Debug, Clone)]
pub struct YearResult {
    pub year: i32,
    pub measures: Vec<MeasureYear>,
    /// Each key's projected activity and emissions.
    pub activity: Vec<Decimal>,
    pub emissions: Vec<BTreeMap<Pollutant, Decimal>>,
    /// National total (sector rows) per pollutant.
    pub totals: BTreeMap<Pollutant, Decimal>,
    pub cost: Decimal,
}

/// A measure costed per one unit on activity held in another: where the
/// activity is energy (fuels are held in TJ after the compile) and the
/// measure's unit a mass, the message says how to turn a cost per tonne
/// of fuel into one per TJ.
fn unit_mismatch(m: &Measure, k: &BaseKey) -> String {
    let mass = crate::unit::parse_activity_unit(&m.unit)
        .is_ok_and(|q| q.dimension == crate::unit::Dimension::Mass);
    let how = if mass && k.unit.eq_ignore_ascii_case("TJ") {
        format!(
            "fuels are held in TJ (the compile turns tonnes into energy at the fuel's net calorific value): give the costs per TJ with unit = \"TJ\", a cost per t of fuel × 1000 ÷ the NCV in GJ/t (at 43 GJ/t, 1 {cur}/t of fuel is 23.2558 {cur}/TJ)",
            cur = m.cost.currency
        )
    } else {
        format!("give unit = \"{}\" or narrow nfr/fuel", k.unit)
    };
    format!(
        "line {}: [[measure]] {}: its costs are per {} but {} {} is in {}; {how}",
        m.line,
        m.id,
        m.unit,
        k.code,
        k.fuel_text(),
        k.unit
    )
}

fn same_fuel(a: &str, b: &str) -> bool {
    let canon = |f: &str| {
        crate::fuel::Fuels::built_in()
            .find(f)
            .map(|x| fuel_key(&x.name))
            .unwrap_or_else(|| fuel_key(f))
    };
    canon(a) == canon(b)
}

/// Where a growth rule is written, for a message the caller places in the
/// scenario file: `line N` there, else its own file and row.
fn growth_at(scenario: &Scenario, g: &super::file::Growth) -> String {
    if g.at.starts_with(&scenario.path.display().to_string()) {
        format!("line {}", g.line)
    } else {
        g.at.clone()
    }
}

/// A growth rule that fits no activity key of the base year: an error
/// naming its line and what the code has (a misspelt fuel would
/// otherwise leave the activity at its base-year level in silence).
fn unmatched_growth(scenario: &Scenario, base: &Base, g: &super::file::Growth) -> String {
    let fuels: Vec<&str> = base
        .keys
        .iter()
        .filter(|k| g.nfr.matches(&k.code))
        .map(|k| k.fuel_text())
        .filter(|f| !f.is_empty())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let has = if fuels.is_empty() && !base.keys.iter().any(|k| g.nfr.matches(&k.code)) {
        format!("{} has no activity in {}", g.nfr, base.year)
    } else if fuels.is_empty() {
        format!("{} has activity without a fuel in {}", g.nfr, base.year)
    } else {
        format!("{} burns {} in {}", g.nfr, fuels.join(", "), base.year)
    };
    format!(
        "{}: [[growth]] {}{} fits no activity of the base: {has}; correct the code or the fuel, or remove the rule",
        growth_at(scenario, g),
        g.nfr,
        g.fuel
            .as_deref()
            .map(|f| format!(" fuel = \"{f}\""))
            .unwrap_or_default()
    )
}

/// The growth rule of each key: the most specific that fits (a fuel
/// before none, a longer code before a shorter), or none; two rules that
/// fit a key equally, or a rule that fits no key, are an error.
fn growth_rules(scenario: &Scenario, base: &Base) -> Result<Vec<Option<usize>>, String> {
    let mut rule_of: Vec<Option<usize>> = Vec::with_capacity(base.keys.len());
    let mut fits = vec![false; scenario.growth.len()];
    for k in &base.keys {
        let mut best: Option<(usize, (bool, usize))> = None;
        for (i, g) in scenario.growth.iter().enumerate() {
            if !g.nfr.matches(&k.code) {
                continue;
            }
            if let Some(f) = &g.fuel
                && !same_fuel(f, k.fuel_text())
            {
                continue;
            }
            fits[i] = true;
            let rank = (g.fuel.is_some(), g.nfr.specificity());
            match best {
                Some((j, r)) if r == rank => {
                    return Err(format!(
                        "growth rules at {} and at {} both fit {} {} equally; make one more specific",
                        scenario.growth[j].at,
                        g.at,
                        k.code,
                        k.fuel_text()
                    ));
                }
                Some((_, r)) if r > rank => {}
                _ => best = Some((i, rank)),
            }
        }
        rule_of.push(best.map(|(i, _)| i));
    }
    if let Some(i) = fits.iter().position(|f| !f) {
        return Err(unmatched_growth(scenario, base, &scenario.growth[i]));
    }
    Ok(rule_of)
}

impl<'a> Model<'a> {
    /// Prepares a scenario on its base.
    pub fn new(scenario: &'a Scenario, base: &'a Base) -> Result<Model<'a>, String> {
        let mut warnings = Vec::new();
        let rule_of = growth_rules(scenario, base)?;
        let without = rule_of.iter().filter(|r| r.is_none()).count();
        if without > 0 && !scenario.growth.is_empty() {
            warnings.push(format!(
                "{without} of {} activity keys have no [[growth]] rule: their activity stays at its {} level",
                base.keys.len(),
                base.year
            ));
        }
        // Base-year sums of the keys under each activity rule.
        let mut sums: BTreeMap<usize, (Decimal, String)> = BTreeMap::new();
        for (k, rule) in base.keys.iter().zip(&rule_of) {
            if let Some(i) = rule
                && matches!(scenario.growth[*i].kind, GrowthKind::Activity(_))
            {
                let e = sums.entry(*i).or_insert((Decimal::ZERO, k.unit.clone()));
                if !e.1.eq_ignore_ascii_case(&k.unit) {
                    return Err(format!(
                        "{}: the growth rule's activity covers activity in {} and in {}; split the rule by fuel or code",
                        scenario.growth[*i].at, e.1, k.unit
                    ));
                }
                if let Some(u) = &scenario.growth[*i].unit
                    && !u.eq_ignore_ascii_case(&k.unit)
                {
                    return Err(format!(
                        "{}: projected activity in {u}, but {} {} is in {} in {}; give it in {}",
                        scenario.growth[*i].at,
                        k.code,
                        k.fuel_text(),
                        k.unit,
                        base.year,
                        k.unit
                    ));
                }
                e.0 += k.activity;
            }
        }
        let mut growth = Vec::new();
        for &y in &scenario.years {
            let n = (y - scenario.base_year) as u32;
            let mut row = Vec::with_capacity(base.keys.len());
            for rule in &rule_of {
                let g = match rule.map(|i| (i, &scenario.growth[i])) {
                    None => Decimal::ONE,
                    Some((_, g)) => match &g.kind {
                        GrowthKind::Rate(r) => {
                            let mut f = Decimal::ONE;
                            for _ in 0..n {
                                f *= Decimal::ONE + r;
                            }
                            f
                        }
                        GrowthKind::Activity(values) => {
                            let (sum, unit) = &sums[&rule.expect("rule")];
                            if sum.is_zero() {
                                return Err(format!(
                                    "{}: the growth rule's activity covers 0 {unit} in {}, so it cannot be scaled",
                                    g.at, base.year
                                ));
                            }
                            values[&y] / *sum
                        }
                    },
                };
                row.push(g);
            }
            growth.push(row);
        }
        // The keys of each measure.
        let mut links = Vec::new();
        let mut costs = Vec::new();
        for m in &scenario.measures {
            let mut keys = Vec::new();
            for (i, k) in base.keys.iter().enumerate() {
                if !m.nfr.matches(&k.code) {
                    continue;
                }
                if !m.fuel.is_empty() && !m.fuel.iter().any(|f| same_fuel(f, k.fuel_text())) {
                    continue;
                }
                if !m.unit.eq_ignore_ascii_case(&k.unit) {
                    return Err(unit_mismatch(m, k));
                }
                keys.push(i);
            }
            if keys.is_empty() {
                warnings.push(format!(
                    "{}, line {}: [[measure]] {} ({}{}) treats no activity of {}: it removes nothing (scenario --strict makes this an error)",
                    scenario.path.display(),
                    m.line,
                    m.id,
                    m.nfr,
                    if m.fuel.is_empty() {
                        String::new()
                    } else {
                        format!(" {}", m.fuel.join(", "))
                    },
                    base.year
                ));
            }
            links.push(keys);
            costs.push(
                super::cost::unit_cost(m, scenario).map_err(|e| format!("line {}: {e}", m.line))?,
            );
        }
        Ok(Model {
            scenario,
            base,
            growth,
            links,
            costs,
            warnings,
        })
    }

    pub fn year_index(&self, year: i32) -> usize {
        self.scenario
            .years
            .iter()
            .position(|y| *y == year)
            .expect("a projection year")
    }

    /// The sets of measures that are alternatives on some key (one group
    /// on one key: their shares sum to at most 1), deduplicated.
    pub fn alternatives(&self) -> Vec<Vec<usize>> {
        let mut sets: Vec<Vec<usize>> = Vec::new();
        for k in 0..self.base.keys.len() {
            let mut by_group: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for m in (0..self.links.len()).filter(|m| self.links[*m].contains(&k)) {
                by_group
                    .entry(self.scenario.measures[m].group.as_str())
                    .or_default()
                    .push(m);
            }
            for on in by_group.into_values() {
                if on.len() > 1 && !sets.contains(&on) {
                    sets.push(on);
                }
            }
        }
        sets
    }

    /// Measures of several groups that remove one pollutant from one key:
    /// their removals add up, so Σ share × removal must stay at most 1
    /// (a linear bound the LP keeps). Deduplicated (measure, removal) sets.
    pub fn stacked(&self) -> Vec<Vec<(usize, Decimal)>> {
        let mut sets: Vec<Vec<(usize, Decimal)>> = Vec::new();
        for k in 0..self.base.keys.len() {
            for p in Pollutant::ALL {
                let on: Vec<(usize, Decimal)> = (0..self.links.len())
                    .filter(|m| self.links[*m].contains(&k))
                    .filter_map(|m| self.scenario.measures[m].removal.get(&p).map(|e| (m, *e)))
                    .collect();
                let groups: std::collections::BTreeSet<&str> = on
                    .iter()
                    .map(|(m, _)| self.scenario.measures[*m].group.as_str())
                    .collect();
                if groups.len() > 1 && !sets.contains(&on) {
                    sets.push(on);
                }
            }
        }
        sets
    }

    /// What one measure does at share 1 in a year: activity, removal per
    /// pollutant (sector rows only count for the national total), cost.
    pub fn full_application(&self, m: usize, year: i32) -> MeasureYear {
        self.apply(m, year, Decimal::ONE)
    }

    fn apply(&self, mi: usize, year: i32, share: Decimal) -> MeasureYear {
        let yi = self.year_index(year);
        let m: &Measure = &self.scenario.measures[mi];
        let mut activity = Decimal::ZERO;
        let mut removed: BTreeMap<Pollutant, Decimal> = BTreeMap::new();
        for &k in &self.links[mi] {
            let key = &self.base.keys[k];
            let g = self.growth[yi][k];
            activity += share * key.activity * g;
            for (p, eta) in &m.removal {
                if let Some(e) = key.emissions.get(p) {
                    *removed.entry(*p).or_default() += *e * g * share * *eta;
                }
            }
        }
        let primary_t = removed
            .get(&m.primary)
            .map(|r| *r * m.primary.tonnes_per_unit())
            .unwrap_or_default();
        let c = &self.costs[mi];
        let cost = activity * c.per_activity + primary_t * c.per_tonne_removed;
        MeasureYear {
            share,
            activity,
            cost_per_tonne: (!primary_t.is_zero()).then(|| cost / primary_t),
            removed,
            cost,
        }
    }

    /// Projects a year under the given shares (one per measure), exactly.
    pub fn project(&self, year: i32, shares: &[Decimal]) -> Result<YearResult, String> {
        let yi = self.year_index(year);
        // Alternatives on one key sum to at most 1.
        for set in self.alternatives() {
            let sum: Decimal = set.iter().map(|m| shares[*m]).sum();
            if sum > Decimal::ONE {
                let k = (0..self.base.keys.len())
                    .find(|k| set.iter().all(|m| self.links[*m].contains(k)))
                    .expect("a shared key");
                let key = &self.base.keys[k];
                return Err(format!(
                    "{year}: the shares of {} on {} {} add up to {} (more than all of the activity); measures of one group on one activity are alternatives",
                    set.iter()
                        .map(|m| format!(
                            "{} ({})",
                            self.scenario.measures[*m].id,
                            crate::number::format_decimal(shares[*m])
                        ))
                        .collect::<Vec<_>>()
                        .join(", "),
                    key.code,
                    key.fuel_text(),
                    crate::number::format_decimal(sum)
                ));
            }
        }
        let mut activity = Vec::with_capacity(self.base.keys.len());
        let mut emissions = Vec::with_capacity(self.base.keys.len());
        let mut totals: BTreeMap<Pollutant, Decimal> = BTreeMap::new();
        for (k, key) in self.base.keys.iter().enumerate() {
            let g = self.growth[yi][k];
            activity.push(key.activity * g);
            let mut e = BTreeMap::new();
            for (p, base) in &key.emissions {
                let mut removed = Decimal::ZERO;
                for (mi, m) in self.scenario.measures.iter().enumerate() {
                    if self.links[mi].contains(&k)
                        && let Some(eta) = m.removal.get(p)
                    {
                        removed += shares[mi] * *eta;
                    }
                }
                // The LP's rounding (12 decimals) may pass 1 by a hair.
                if removed > Decimal::ONE && removed - Decimal::ONE <= Decimal::new(1, 9) {
                    removed = Decimal::ONE;
                }
                if removed > Decimal::ONE {
                    return Err(format!(
                        "{year}: the measures on {} {} remove {} of its {} (more than all of it): lower their shares or their removals",
                        key.code,
                        key.fuel_text(),
                        crate::number::format_decimal(removed),
                        p.id()
                    ));
                }
                let v = *base * g * (Decimal::ONE - removed);
                if key.sector {
                    *totals.entry(*p).or_default() += v;
                }
                e.insert(*p, v);
            }
            emissions.push(e);
        }
        let measures: Vec<MeasureYear> = (0..self.scenario.measures.len())
            .map(|m| self.apply(m, year, shares[m]))
            .collect();
        let cost = measures.iter().map(|m| m.cost).sum();
        Ok(YearResult {
            year,
            measures,
            activity,
            emissions,
            totals,
            cost,
        })
    }

    /// The national total of a pollutant in a year with no measure applied.
    pub fn uncontrolled(&self, year: i32, p: Pollutant) -> Decimal {
        let yi = self.year_index(year);
        self.base
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.sector)
            .filter_map(|(i, k)| k.emissions.get(&p).map(|e| *e * self.growth[yi][i]))
            .sum()
    }
}

impl Model<'_> {
    /// What a measure at share 1 removes of a pollutant from the national
    /// total (sector rows) in a year.
    pub fn removable(&self, mi: usize, year: i32, p: Pollutant) -> Decimal {
        let yi = self.year_index(year);
        let Some(eta) = self.scenario.measures[mi].removal.get(&p) else {
            return Decimal::ZERO;
        };
        self.links[mi]
            .iter()
            .filter(|k| self.base.keys[**k].sector)
            .filter_map(|k| {
                self.base.keys[*k]
                    .emissions
                    .get(&p)
                    .map(|e| *e * self.growth[yi][*k] * *eta)
            })
            .sum()
    }
}
