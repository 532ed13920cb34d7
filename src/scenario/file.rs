//! The scenario file (TOML), read in two stages: raw serde structs that
//! refuse unknown keys (a misspelt key is an error naming the key and its
//! line), then a validating pass that turns them into [`Scenario`], naming
//! the table, the key and the line of every value it refuses.
//!
//! ```toml
//! name = "WM"                       # the scenario's name in every output
//! base = ".."                       # inventory folder or activity file, relative to this file
//! base_year = 2024                  # the year projected from (compiled from `base`)
//! years = [2030, 2040]              # projection years
//! discount_rate = 0.04              # for the capital recovery factor
//! currency = "EUR"                  # the currency and price year costs are shown in
//! price_year = 2024
//! [exchange_rates]                  # units of `currency` per unit of another currency
//! USD = 0.9
//! [price_index]                     # any index by year: a cost of year Y × index[price_year] / index[Y]
//! 2011 = 100
//! 2024 = 131
//!
//! [[growth]]                        # activity growth: a compound annual rate ...
//! nfr = "1A1a"                      # an NFR code, or a prefix ending in * ("1A4*", "*")
//! fuel = "Hard coal"                # optional
//! rate = 0.01
//! [[growth]]                        # ... or activity values per year (the activity unit: TJ for fuels)
//! nfr = "1A3bi"
//! activity = { 2030 = 120000, 2040 = 130000 }
//! # activity_file = "projected.csv" # or projected activity in the activity format (year,nfr,fuel,value,unit)
//!
//! [[measure]]                       # or library = "B01" (emission-factors/abatement-measures.csv);
//!                                   # guidebook = ["GB23-..."]: removals from Guidebook Tier 2 abatement efficiencies
//! id = "FGD"
//! nfr = "1A1a"
//! fuel = "Hard coal"
//! removal = { SOx = 0.95, Hg = 0.64 }
//! group = "SOx"                     # alternatives share a group (default: the first pollutant)
//! investment = 1500                 # per unit of activity per year of capacity (or per kW, see `per`)
//! lifetime = 20
//! fixed_om_pct = 2
//! variable_cost = 30                # per unit of activity
//! max_share = 0.9
//! share = { 2030 = 0.5 }            # decided (WM): a floor for --optimize
//! start_year = 2028
//!
//! [[target]]
//! pollutant = "SOx"
//! year = 2030
//! reduction_pct = 59
//! base_year = 2005                  # compiled from `base`, or given as base_emission (kt) with its source
//! ```

use crate::error::{Error, Result};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A number in the scenario file: an integer, a float (read through its
/// shortest text, so `0.95` is 0.95) or a text (`"0.95"`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum RawNum {
    Int(i64),
    Float(f64),
    Text(String),
}

impl RawNum {
    fn decimal(&self) -> std::result::Result<Decimal, String> {
        match self {
            RawNum::Int(i) => Ok(Decimal::from(*i)),
            RawNum::Float(f) => crate::number::from_excel(*f).map_err(|e| e.to_string()),
            RawNum::Text(s) => {
                crate::number::parse_decimal(s).map_err(|e| format!("'{s}' is not a number ({e})"))
            }
        }
    }
}

type Num = Spanned<RawNum>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    base: Spanned<String>,
    country: Option<String>,
    base_year: Spanned<i64>,
    years: Spanned<Vec<i64>>,
    discount_rate: Num,
    currency: Option<String>,
    price_year: Option<Spanned<i64>>,
    #[serde(default)]
    exchange_rates: BTreeMap<String, Num>,
    #[serde(default)]
    price_index: BTreeMap<String, Num>,
    #[serde(default)]
    growth: Vec<Spanned<RawGrowth>>,
    activity_file: Option<Spanned<String>>,
    #[serde(default)]
    measure: Vec<Spanned<RawMeasure>>,
    #[serde(default)]
    target: Vec<Spanned<RawTarget>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGrowth {
    nfr: String,
    fuel: Option<String>,
    rate: Option<Num>,
    activity: Option<BTreeMap<String, Num>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMeasure {
    pub(crate) id: Option<String>,
    pub(crate) library: Option<String>,
    /// Ids of Guidebook Tier 2 abatement efficiencies (`GB23-...`) giving its removals.
    guidebook: Option<Fuels>,
    pub(crate) name: Option<String>,
    pub(crate) nfr: Option<String>,
    fuel: Option<Fuels>,
    #[serde(default)]
    removal: BTreeMap<String, Num>,
    pub(crate) pollutant: Option<String>,
    group: Option<String>,
    annual_cost: Option<Num>,
    investment: Option<Num>,
    lifetime: Option<Num>,
    fixed_om_pct: Option<Num>,
    fixed_om: Option<Num>,
    variable_cost: Option<Num>,
    cost_per_tonne: Option<Num>,
    pub(crate) unit: Option<String>,
    pub(crate) per: Option<String>,
    full_load_hours: Option<Num>,
    efficiency: Option<Num>,
    pub(crate) currency: Option<String>,
    price_year: Option<i64>,
    max_share: Option<Num>,
    #[serde(default)]
    share: BTreeMap<String, Num>,
    start_year: Option<i64>,
    pub(crate) source: Option<String>,
}

/// One text or a list of texts (fuels; Guidebook factor ids).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Fuels {
    One(String),
    Many(Vec<String>),
}

impl Fuels {
    fn list(&self) -> Vec<String> {
        let all = match self {
            Fuels::One(f) => vec![f.clone()],
            Fuels::Many(v) => v.clone(),
        };
        all.into_iter()
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    pollutant: String,
    year: i64,
    reduction_pct: Option<Num>,
    base_year: Option<i64>,
    base_emission: Option<Num>,
    ceiling: Option<Num>,
    source: Option<String>,
}

/// Which activity keys a growth rule or a measure reaches: an NFR code, or
/// a prefix (`1A4*`; `*` is every row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodePattern {
    Exact(String),
    Prefix(String),
}

impl CodePattern {
    fn parse(text: &str) -> std::result::Result<CodePattern, String> {
        let t = text.trim();
        if let Some(prefix) = t.strip_suffix('*') {
            return Ok(CodePattern::Prefix(prefix.to_string()));
        }
        match crate::nfr::find(t) {
            Some(row) => Ok(CodePattern::Exact(row.code.clone())),
            None => Err(crate::nfr::unknown_code_message(t)),
        }
    }

    pub fn matches(&self, code: &str) -> bool {
        match self {
            CodePattern::Exact(c) => c == code,
            CodePattern::Prefix(p) => code.starts_with(p.as_str()),
        }
    }

    /// Larger is more specific: an exact code, then the longer prefix.
    pub fn specificity(&self) -> usize {
        match self {
            CodePattern::Exact(_) => usize::MAX,
            CodePattern::Prefix(p) => p.len(),
        }
    }
}

impl std::fmt::Display for CodePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodePattern::Exact(c) => write!(f, "{c}"),
            CodePattern::Prefix(p) => write!(f, "{p}*"),
        }
    }
}

/// How activity grows from the base year.
#[derive(Debug, Clone)]
pub enum GrowthKind {
    /// Compound annual rate: activity × (1 + rate)^(year − base year).
    Rate(Decimal),
    /// The activity of the matched keys together, per year (in their unit);
    /// each key is scaled by value ÷ base-year sum. Years between two given
    /// ones are not interpolated: every projection year must be given.
    Activity(BTreeMap<i32, Decimal>),
}

#[derive(Debug, Clone)]
pub struct Growth {
    pub line: usize,
    /// Where the rule is written (`wm.toml, line 12`, `projected.csv, row 3`).
    pub at: String,
    /// The unit of explicit activity values, when the rule says it.
    pub unit: Option<String>,
    pub nfr: CodePattern,
    pub fuel: Option<String>,
    pub kind: GrowthKind,
}

/// What a measure's capital and fixed costs are per.
#[derive(Debug, Clone, PartialEq)]
pub enum CostBasis {
    /// Per unit of activity (per TJ of fuel per year).
    Activity,
    /// Investment and fixed O&M per kW of electric capacity, variable cost
    /// per MWh of electricity: turned into per TJ of fuel with the full-load
    /// hours and the electric efficiency the scenario states.
    Kw {
        full_load_hours: Decimal,
        efficiency: Decimal,
    },
}

/// The cost of a measure, as the scenario gives it (currency and price
/// year of its source, converted in [`super::cost`]).
#[derive(Debug, Clone)]
pub struct CostSpec {
    pub annual_cost: Option<Decimal>,
    pub investment: Option<Decimal>,
    pub lifetime: Option<u32>,
    /// Fixed O&M as % of the investment per year.
    pub fixed_om_pct: Option<Decimal>,
    /// Fixed O&M as an amount per unit (of activity, or per kW) per year.
    pub fixed_om: Option<Decimal>,
    pub variable_cost: Option<Decimal>,
    /// A cost per tonne of the primary pollutant removed (sources that give
    /// no engineering costs): the annual cost is this × the tonnes removed.
    pub cost_per_tonne: Option<Decimal>,
    /// How library costs were turned into these numbers (unit conversions).
    pub note: String,
    pub basis: CostBasis,
    pub currency: String,
    pub price_year: Option<i32>,
}

/// One control option on an activity.
#[derive(Debug, Clone)]
pub struct Measure {
    pub line: usize,
    pub id: String,
    pub name: String,
    pub nfr: CodePattern,
    /// The fuels it treats (empty: every fuel of the row).
    pub fuel: Vec<String>,
    /// Fraction of each pollutant's emission removed from the treated activity.
    pub removal: BTreeMap<Pollutant, Decimal>,
    /// The pollutant its cost per tonne is shown for.
    pub primary: Pollutant,
    /// Measures of one group on one activity are alternatives (their
    /// shares sum to at most 1); measures of different groups (FGD and SCR)
    /// combine. Default: the primary pollutant's id.
    pub group: String,
    pub cost: CostSpec,
    /// The activity unit costs are per (`TJ` for fuels).
    pub unit: String,
    pub max_share: Decimal,
    /// Shares already decided, by year (a floor for the optimisation).
    pub share: BTreeMap<i32, Decimal>,
    pub start_year: Option<i32>,
    pub source: String,
}

impl Measure {
    /// The share decided for a year: the latest given year at or before it.
    pub fn decided_share(&self, year: i32) -> Decimal {
        self.share
            .range(..=year)
            .next_back()
            .map(|(_, s)| *s)
            .unwrap_or(Decimal::ZERO)
    }

    /// The most of the activity it can treat in a year (0 before it starts).
    pub fn upper_share(&self, year: i32) -> Decimal {
        match self.start_year {
            Some(s) if year < s => Decimal::ZERO,
            _ => self.max_share,
        }
    }
}

/// Where a target's reference level comes from.
#[derive(Debug, Clone)]
pub enum TargetKind {
    /// A % reduction from a base year's emission: compiled from the base
    /// inventory, or given (`base_emission`, with its source).
    Reduction {
        pct: Decimal,
        base_year: i32,
        base_emission: Option<Decimal>,
    },
    /// An emission ceiling in the template unit (kt for the main pollutants).
    Ceiling(Decimal),
}

#[derive(Debug, Clone)]
pub struct Target {
    pub line: usize,
    pub pollutant: Pollutant,
    pub year: i32,
    pub kind: TargetKind,
    pub source: String,
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    /// The inventory folder or activity file, resolved against the scenario's folder.
    pub base: PathBuf,
    pub country: Option<String>,
    pub base_year: i32,
    /// Projection years, ascending.
    pub years: Vec<i32>,
    pub discount_rate: Decimal,
    pub currency: String,
    pub price_year: Option<i32>,
    pub exchange_rates: BTreeMap<String, Decimal>,
    pub price_index: BTreeMap<i32, Decimal>,
    pub growth: Vec<Growth>,
    pub measures: Vec<Measure>,
    pub targets: Vec<Target>,
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// Projected activity in the activity format (`year,nfr,fuel,value,unit`;
/// other columns are ignored): one explicit-activity growth rule per code
/// and fuel, which must give every projection year.
fn read_activity_file(path: &Path, years: &[i32]) -> Result<Vec<Growth>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| Error::file(path, format!("cannot be read as CSV: {e}")))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| Error::file(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            Error::file(
                path,
                format!("has no column {name} (projected activity: year,nfr,fuel,value,unit)"),
            )
        })
    };
    let (cy, cn, cf, cv, cu) = (
        col("year")?,
        col("nfr")?,
        col("fuel")?,
        col("value")?,
        col("unit")?,
    );
    // (code, fuel) → (first row, unit, values by year)
    type Group = (u64, String, BTreeMap<i32, Decimal>);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for (i, rec) in r.records().enumerate() {
        let row = i as u64 + 2;
        let at = |c: &str| {
            crate::error::Location::file(path)
                .with_row(row)
                .with_column(c)
        };
        let rec = rec.map_err(|e| Error::input(at("year"), e.to_string()))?;
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        let year = crate::activity::parse_year(get(cy)).map_err(|e| Error::input(at("year"), e))?;
        let code = crate::nfr::find(get(cn))
            .ok_or_else(|| Error::input(at("nfr"), crate::nfr::unknown_code_message(get(cn))))?
            .code
            .clone();
        let value = crate::number::parse_decimal(get(cv))
            .map_err(|e| Error::input(at("value"), format!("'{}': {e}", get(cv))))?;
        if value < Decimal::ZERO {
            return Err(Error::input(at("value"), "activity must not be negative"));
        }
        let unit = get(cu).to_string();
        let g = groups.entry((code, get(cf).to_string())).or_insert((
            row,
            unit.clone(),
            BTreeMap::new(),
        ));
        if !g.1.eq_ignore_ascii_case(&unit) {
            return Err(Error::input(
                at("unit"),
                format!(
                    "{unit}, where row {} of the same code and fuel has {}",
                    g.0, g.1
                ),
            ));
        }
        if g.2.insert(year, value).is_some() {
            return Err(Error::input(
                at("year"),
                format!("a second value for {year} of the same code and fuel"),
            ));
        }
    }
    let mut out = Vec::new();
    for ((code, fuel), (row, unit, values)) in groups {
        if let Some(y) = years.iter().find(|y| !values.contains_key(y)) {
            return Err(Error::input(
                crate::error::Location::file(path).with_row(row),
                format!("{code} {fuel}: no value for the projection year {y}"),
            ));
        }
        out.push(Growth {
            line: row as usize,
            at: format!("{}, row {row}", path.display()),
            unit: Some(unit),
            nfr: CodePattern::Exact(code),
            fuel: Some(fuel).filter(|f| !f.is_empty()),
            kind: GrowthKind::Activity(values),
        });
    }
    Ok(out)
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

/// Validates the text of a scenario file (`path` names it in messages and
/// is what relative paths are resolved against).
pub fn parse(text: &str, path: &Path) -> Result<Scenario> {
    let raw: RawScenario = toml::from_str(text)
        .map_err(|e| Error::file(path, format!("not a valid scenario file: {e}")))?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let at = |span: std::ops::Range<usize>, what: String| {
        Error::input(
            crate::error::Location::file(path).with_line(line_of(text, span.start) as u64),
            what,
        )
    };
    let num = |n: &Num, what: &str| -> Result<Decimal> {
        n.get_ref()
            .decimal()
            .map_err(|e| at(n.span(), format!("{what}: {e}")))
    };
    let year = |y: i64, span: std::ops::Range<usize>, what: &str| -> Result<i32> {
        if (1980..=2100).contains(&y) {
            Ok(y as i32)
        } else {
            Err(at(span, format!("{what} = {y}: a year from 1980 to 2100")))
        }
    };
    let year_key = |k: &str, span: std::ops::Range<usize>, what: &str| -> Result<i32> {
        match k.trim().parse::<i64>() {
            Ok(y) => year(y, span, what),
            Err(_) => Err(at(
                span,
                format!("{what}: '{k}' is not a year (write {{ 2030 = ... }})"),
            )),
        }
    };
    let fraction = |n: &Num, what: &str| -> Result<Decimal> {
        let v = num(n, what)?;
        if v < Decimal::ZERO || v > Decimal::ONE {
            return Err(at(
                n.span(),
                format!(
                    "{what} = {v}: a fraction from 0 to 1 (0.95 for 95 %)",
                    v = crate::number::format_decimal(v)
                ),
            ));
        }
        Ok(v)
    };
    let non_negative = |n: &Num, what: &str| -> Result<Decimal> {
        let v = num(n, what)?;
        if v < Decimal::ZERO {
            return Err(at(
                n.span(),
                format!(
                    "{what} = {}: must not be negative",
                    crate::number::format_decimal(v)
                ),
            ));
        }
        Ok(v)
    };

    for (what, name) in std::iter::once(("base", &raw.base))
        .chain(raw.activity_file.as_ref().map(|f| ("activity_file", f)))
    {
        crate::config::check_file_name(name.get_ref())
            .map_err(|e| at(name.span(), format!("{what}: {e}")))?;
    }
    let base_year = year(*raw.base_year.get_ref(), raw.base_year.span(), "base_year")?;
    let mut years = Vec::new();
    for y in raw.years.get_ref() {
        let y = year(*y, raw.years.span(), "years")?;
        if y <= base_year {
            return Err(at(
                raw.years.span(),
                format!(
                    "years: {y} is not after base_year {base_year}; projection years come after the base year"
                ),
            ));
        }
        if !years.contains(&y) {
            years.push(y);
        }
    }
    if years.is_empty() {
        return Err(at(
            raw.years.span(),
            "years is empty: give the projection years, e.g. [2030, 2040]".into(),
        ));
    }
    years.sort_unstable();
    let discount_rate = num(&raw.discount_rate, "discount_rate")?;
    if discount_rate <= Decimal::ZERO || discount_rate >= Decimal::ONE {
        return Err(at(
            raw.discount_rate.span(),
            format!(
                "discount_rate = {}: a rate per year as a fraction above 0 and below 1 (0.04 for 4 %)",
                crate::number::format_decimal(discount_rate)
            ),
        ));
    }
    let currency = raw.currency.clone().unwrap_or_else(|| "EUR".to_string());
    let price_year = match &raw.price_year {
        Some(p) => Some(year(*p.get_ref(), p.span(), "price_year")?),
        None => None,
    };
    let mut exchange_rates = BTreeMap::new();
    for (cur, n) in &raw.exchange_rates {
        let v = num(n, &format!("exchange_rates {cur}"))?;
        if v <= Decimal::ZERO {
            return Err(at(
                n.span(),
                format!("exchange_rates {cur}: must be above 0"),
            ));
        }
        exchange_rates.insert(cur.trim().to_string(), v);
    }
    let mut price_index = BTreeMap::new();
    for (k, n) in &raw.price_index {
        let y = year_key(k, n.span(), "price_index")?;
        let v = num(n, &format!("price_index {k}"))?;
        if v <= Decimal::ZERO {
            return Err(at(n.span(), format!("price_index {k}: must be above 0")));
        }
        price_index.insert(y, v);
    }

    let mut growth = Vec::new();
    for g in &raw.growth {
        let line = line_of(text, g.span().start);
        let r = g.get_ref();
        let nfr =
            CodePattern::parse(&r.nfr).map_err(|e| at(g.span(), format!("[[growth]] nfr: {e}")))?;
        let kind = match (&r.rate, &r.activity) {
            (Some(rate), None) => {
                let v = num(rate, "[[growth]] rate")?;
                if v <= -Decimal::ONE {
                    return Err(at(
                        rate.span(),
                        "[[growth]] rate: a compound annual rate above -1 (0.02 for +2 % a year)"
                            .into(),
                    ));
                }
                GrowthKind::Rate(v)
            }
            (None, Some(values)) => {
                let mut by_year = BTreeMap::new();
                for (k, n) in values {
                    let y = year_key(k, n.span(), "[[growth]] activity")?;
                    by_year.insert(y, non_negative(n, &format!("[[growth]] activity {k}"))?);
                }
                for y in &years {
                    if !by_year.contains_key(y) {
                        return Err(at(
                            g.span(),
                            format!(
                                "[[growth]] {}: activity gives no value for the projection year {y}",
                                r.nfr
                            ),
                        ));
                    }
                }
                GrowthKind::Activity(by_year)
            }
            _ => {
                return Err(at(
                    g.span(),
                    format!(
                        "[[growth]] {}: give either rate (compound annual, 0.02 for +2 %) or activity ({{ 2030 = ..., 2040 = ... }}), not both or neither",
                        r.nfr
                    ),
                ));
            }
        };
        growth.push(Growth {
            line,
            at: format!("{}, line {line}", path.display()),
            unit: None,
            nfr,
            fuel: r.fuel.clone().filter(|f| !f.trim().is_empty()),
            kind,
        });
    }

    if let Some(f) = &raw.activity_file {
        growth.extend(read_activity_file(&dir.join(f.get_ref()), &years)?);
    }

    let mut measures = Vec::new();
    let library = super::library::measures();
    let mut guidebook: Option<Vec<crate::emission_factor::Factor>> = None;
    for m in &raw.measure {
        let line = line_of(text, m.span().start);
        let span = m.span();
        let r = m.get_ref();
        // A library measure: its values, with the scenario's own on top.
        let lib = match &r.library {
            Some(id) => Some(
                library
                    .iter()
                    .find(|l| l.id.eq_ignore_ascii_case(id.trim()))
                    .ok_or_else(|| {
                        at(
                            span.clone(),
                            format!(
                                "[[measure]] library = '{id}': no such measure in emission-factors/abatement-measures.csv (ids {})",
                                library
                                    .iter()
                                    .map(|l| l.id.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        )
                    })?,
            ),
            None => None,
        };
        let id =
            r.id.clone()
                .or_else(|| lib.map(|l| l.id.clone()))
                .ok_or_else(|| at(span.clone(), "[[measure]] has no id".into()))?;
        let what = |key: &str| format!("[[measure]] {id}: {key}");
        // Guidebook Tier 2 abatement efficiencies named by id.
        let mut from_guidebook: Vec<&crate::emission_factor::Factor> = Vec::new();
        if let Some(ids) = &r.guidebook {
            if guidebook.is_none() {
                guidebook = Some(crate::emission_factor::embedded()?);
            }
            let all = guidebook.as_ref().expect("loaded");
            for gid in ids.list() {
                let f = all
                    .iter()
                    .find(|f| f.id.eq_ignore_ascii_case(&gid))
                    .filter(|f| f.kind == crate::emission_factor::FactorKind::AbatementEfficiency)
                    .ok_or_else(|| {
                        at(
                            span.clone(),
                            format!(
                                "{}: '{gid}' is not a Guidebook abatement efficiency (ids GB23-...: airinv factors CODE lists them)",
                                what("guidebook")
                            ),
                        )
                    })?;
                from_guidebook.push(f);
            }
        }
        let nfr_text = r
            .nfr
            .clone()
            .or_else(|| lib.map(|l| l.nfr.clone()))
            .or_else(|| {
                from_guidebook
                    .first()
                    .and_then(|f| f.annex1_codes.first().cloned())
            })
            .ok_or_else(|| {
                at(
                    span.clone(),
                    format!("{}: give the NFR code it applies to", what("nfr")),
                )
            })?;
        let nfr = CodePattern::parse(&nfr_text)
            .map_err(|e| at(span.clone(), format!("{}: {e}", what("nfr"))))?;
        let mut removal = BTreeMap::new();
        if let Some(l) = lib {
            removal.extend(l.removal.iter().map(|(p, v)| (*p, *v)));
        }
        for f in &from_guidebook {
            removal.insert(f.pollutant, f.value);
        }
        for (k, n) in &r.removal {
            let p = Pollutant::parse(k).ok_or_else(|| {
                at(
                    n.span(),
                    format!(
                        "{}: '{k}' is not a pollutant ({})",
                        what("removal"),
                        Pollutant::id_list()
                    ),
                )
            })?;
            removal.insert(p, fraction(n, &format!("{} {k}", what("removal")))?);
        }
        if removal.is_empty() {
            return Err(at(
                span.clone(),
                format!(
                    "{}: give the fraction it removes of at least one pollutant, e.g. removal = {{ SOx = 0.95 }}",
                    what("removal")
                ),
            ));
        }
        let primary = match r.pollutant.as_deref().or(lib.map(|l| l.primary.id())) {
            Some(p) => {
                let p = Pollutant::parse(p).ok_or_else(|| {
                    at(
                        span.clone(),
                        format!("{}: '{p}' is not a pollutant", what("pollutant")),
                    )
                })?;
                if !removal.contains_key(&p) {
                    return Err(at(
                        span.clone(),
                        format!(
                            "{}: {} is not among the pollutants it removes",
                            what("pollutant"),
                            p.id()
                        ),
                    ));
                }
                p
            }
            None => *removal.keys().next().expect("not empty"),
        };
        let opt = |n: &Option<Num>, key: &str| -> Result<Option<Decimal>> {
            n.as_ref().map(|n| non_negative(n, &what(key))).transpose()
        };
        let pick =
            |own: Option<Decimal>,
             from_lib: fn(&super::library::LibraryMeasure) -> Option<Decimal>| {
                own.or_else(|| lib.and_then(from_lib))
            };
        let lifetime = match &r.lifetime {
            Some(n) => {
                let v = num(n, &what("lifetime"))?;
                if v < Decimal::ONE || v.fract() != Decimal::ZERO || v > Decimal::from(100) {
                    return Err(at(
                        n.span(),
                        format!("{}: whole years from 1 to 100", what("lifetime")),
                    ));
                }
                Some(u32::try_from(v.mantissa()).unwrap_or(1))
            }
            None => lib.and_then(|l| l.lifetime),
        };
        let per = r.per.clone().or_else(|| lib.and_then(|l| l.per.clone()));
        let basis = match per.as_deref().map(str::trim) {
            None | Some("activity") => CostBasis::Activity,
            Some(p) if p.eq_ignore_ascii_case("kw") => {
                let flh = r.full_load_hours.as_ref().ok_or_else(|| {
                    at(
                        span.clone(),
                        format!(
                            "{}: costs per kW need full_load_hours (hours a year at full load) and efficiency (electric, 0.35) to become costs per TJ of fuel",
                            what("per")
                        ),
                    )
                })?;
                let eff = r.efficiency.as_ref().ok_or_else(|| {
                    at(
                        span.clone(),
                        format!(
                            "{}: costs per kW need efficiency (electric efficiency, a fraction such as 0.35)",
                            what("per")
                        ),
                    )
                })?;
                let full_load_hours = non_negative(flh, &what("full_load_hours"))?;
                if full_load_hours.is_zero() || full_load_hours > Decimal::from(8784) {
                    return Err(at(
                        flh.span(),
                        format!("{}: hours from above 0 to 8784", what("full_load_hours")),
                    ));
                }
                let efficiency = fraction(eff, &what("efficiency"))?;
                if efficiency.is_zero() {
                    return Err(at(
                        eff.span(),
                        format!("{}: must be above 0", what("efficiency")),
                    ));
                }
                CostBasis::Kw {
                    full_load_hours,
                    efficiency,
                }
            }
            Some(other) => {
                return Err(at(
                    span.clone(),
                    format!("{}: '{other}' (accepted: activity, kW)", what("per")),
                ));
            }
        };
        let cost = CostSpec {
            annual_cost: opt(&r.annual_cost, "annual_cost")?,
            investment: pick(opt(&r.investment, "investment")?, |l| l.investment),
            lifetime,
            fixed_om_pct: opt(&r.fixed_om_pct, "fixed_om_pct")?,
            fixed_om: pick(opt(&r.fixed_om, "fixed_om")?, |l| l.fixed_om),
            variable_cost: pick(opt(&r.variable_cost, "variable_cost")?, |l| l.variable_cost),
            cost_per_tonne: pick(opt(&r.cost_per_tonne, "cost_per_tonne")?, |l| {
                l.cost_per_tonne
            }),
            note: lib.map(|l| l.cost_note.clone()).unwrap_or_default(),
            basis,
            currency: r
                .currency
                .clone()
                .or_else(|| lib.and_then(|l| l.currency.clone()))
                .unwrap_or_else(|| currency.clone()),
            price_year: r
                .price_year
                .map(|y| year(y, span.clone(), &what("price_year")))
                .transpose()?
                .or(lib.and_then(|l| l.price_year))
                .or(price_year),
        };
        if cost.annual_cost.is_some() && cost.investment.is_some() {
            return Err(at(
                span.clone(),
                format!(
                    "[[measure]] {id}: give annual_cost or investment (with lifetime, fixed_om_pct, variable_cost), not both"
                ),
            ));
        }
        if cost.investment.is_some() && cost.lifetime.is_none() {
            return Err(at(
                span.clone(),
                format!(
                    "[[measure]] {id}: an investment needs a lifetime (years) to be annualised"
                ),
            ));
        }
        if cost.annual_cost.is_none()
            && cost.investment.is_none()
            && cost.variable_cost.is_none()
            && cost.fixed_om.is_none()
            && cost.cost_per_tonne.is_none()
        {
            return Err(at(
                span.clone(),
                format!(
                    "[[measure]] {id}: no cost: give annual_cost, or investment with lifetime, fixed_om_pct and variable_cost, or cost_per_tonne{}",
                    if lib.is_some() {
                        " (the library gives no cost usable per unit of activity for this measure)"
                    } else {
                        ""
                    }
                ),
            ));
        }
        let max_share = match &r.max_share {
            Some(n) => fraction(n, &what("max_share"))?,
            None => Decimal::ONE,
        };
        let mut share = BTreeMap::new();
        for (k, n) in &r.share {
            let y = year_key(k, n.span(), &what("share"))?;
            let v = fraction(n, &format!("{} {k}", what("share")))?;
            if v > max_share {
                return Err(at(
                    n.span(),
                    format!(
                        "{} {k} = {}: above max_share {}",
                        what("share"),
                        crate::number::format_decimal(v),
                        crate::number::format_decimal(max_share)
                    ),
                ));
            }
            share.insert(y, v);
        }
        let start_year = r
            .start_year
            .map(|y| year(y, span.clone(), &what("start_year")))
            .transpose()?;
        if let Some(s) = start_year
            && let Some((y, _)) = share.iter().find(|(y, v)| **y < s && !v.is_zero())
        {
            return Err(at(
                span.clone(),
                format!("{}: a share in {y}, before start_year {s}", what("share")),
            ));
        }
        if measures.iter().any(|o: &Measure| o.id == id) {
            return Err(at(
                span.clone(),
                format!("[[measure]] {id}: a second measure with this id"),
            ));
        }
        measures.push(Measure {
            line,
            name: r
                .name
                .clone()
                .or_else(|| lib.map(|l| l.name.clone()))
                .unwrap_or_else(|| id.clone()),
            id,
            nfr,
            fuel: match &r.fuel {
                Some(f) => f.list(),
                None => lib.map(|l| l.fuel.clone()).unwrap_or_default(),
            },
            removal,
            group: r.group.clone().unwrap_or_else(|| primary.id().to_string()),
            primary,
            cost,
            unit: r.unit.clone().unwrap_or_else(|| "TJ".to_string()),
            max_share,
            share,
            start_year,
            source: {
                let mut sources: Vec<String> = r
                    .source
                    .clone()
                    .or_else(|| lib.map(|l| format!("{} ({})", l.source, l.id)))
                    .into_iter()
                    .collect();
                for f in &from_guidebook {
                    sources.push(format!(
                        "EMEP/EEA Guidebook 2023 {} {} {}: {} {} = {} ({}; {})",
                        f.source_code,
                        crate::pins::text(&f.pins.table),
                        crate::pins::text(&f.pins.technology),
                        crate::pins::text(&f.pins.abatement),
                        f.pollutant.id(),
                        crate::number::format_decimal(f.value),
                        f.reference,
                        f.id
                    ));
                }
                sources.join("; ")
            },
        });
    }

    let mut targets = Vec::new();
    for t in &raw.target {
        let line = line_of(text, t.span().start);
        let r = t.get_ref();
        let pollutant = Pollutant::parse(&r.pollutant).ok_or_else(|| {
            at(
                t.span(),
                format!(
                    "[[target]] pollutant: '{}' is not a pollutant ({})",
                    r.pollutant,
                    Pollutant::id_list()
                ),
            )
        })?;
        let what = format!("[[target]] {} {}", pollutant.id(), r.year);
        let y = year(r.year, t.span(), "[[target]] year")?;
        if !years.contains(&y) {
            return Err(at(
                t.span(),
                format!(
                    "{what}: {y} is not one of the projection years ({}); add it to `years` or target one of them",
                    years
                        .iter()
                        .map(|y| y.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let kind = match (&r.reduction_pct, &r.ceiling) {
            (Some(pct), None) => {
                let v = num(pct, &format!("{what} reduction_pct"))?;
                if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
                    return Err(at(
                        pct.span(),
                        format!("{what}: reduction_pct is a % from 0 to 100 (59 for -59 %)"),
                    ));
                }
                let base_year = match r.base_year {
                    Some(b) => year(b, t.span(), &format!("{what} base_year"))?,
                    None => {
                        return Err(at(
                            t.span(),
                            format!(
                                "{what}: reduction_pct needs base_year (2005 for the Gothenburg Protocol)"
                            ),
                        ));
                    }
                };
                let base_emission = r
                    .base_emission
                    .as_ref()
                    .map(|n| non_negative(n, &format!("{what} base_emission")))
                    .transpose()?;
                if base_emission.is_some() && r.source.as_deref().unwrap_or("").trim().is_empty() {
                    return Err(at(
                        t.span(),
                        format!(
                            "{what}: a base_emission given by hand needs its source (source = \"...\")"
                        ),
                    ));
                }
                TargetKind::Reduction {
                    pct: v,
                    base_year,
                    base_emission,
                }
            }
            (None, Some(c)) => TargetKind::Ceiling(non_negative(c, &format!("{what} ceiling"))?),
            _ => {
                return Err(at(
                    t.span(),
                    format!(
                        "{what}: give either reduction_pct (with base_year) or ceiling ({}), not both or neither",
                        pollutant.unit()
                    ),
                ));
            }
        };
        if targets
            .iter()
            .any(|o: &Target| o.pollutant == pollutant && o.year == y)
        {
            return Err(at(t.span(), format!("{what}: a second target")));
        }
        targets.push(Target {
            line,
            pollutant,
            year: y,
            kind,
            source: r.source.clone().unwrap_or_default(),
        });
    }

    Ok(Scenario {
        path: path.to_path_buf(),
        name: raw.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario")
                .to_string()
        }),
        base: dir.join(raw.base.get_ref()),
        country: raw.country.clone(),
        base_year,
        years,
        discount_rate,
        currency,
        price_year,
        exchange_rates,
        price_index,
        growth,
        measures,
        targets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str =
        "base = \"inv\"\nbase_year = 2024\nyears = [2040, 2030]\ndiscount_rate = 0.04\n";

    fn parse_text(text: &str) -> Result<Scenario> {
        parse(text, Path::new("scen/wm.toml"))
    }

    fn message(text: &str) -> String {
        parse_text(text).unwrap_err().to_string()
    }

    #[test]
    fn a_file_name_with_a_control_character_is_named_with_its_line() {
        let m = message(&HEAD.replace("\"inv\"", "\"\\u0000inv\""));
        assert_eq!(
            m,
            "scen/wm.toml, line 1: base: '\\0inv' is not a file name: it holds the control character U+0000"
        );
        let m = message(&format!("{HEAD}activity_file = \"a\\tb.csv\"\n"));
        assert!(
            m.contains("line 5: activity_file: 'a\\tb.csv' is not a file name"),
            "{m}"
        );
    }

    #[test]
    fn a_scenario_is_read_with_exact_numbers_and_paths_from_its_folder() {
        let s = parse_text(&format!(
            "{HEAD}[[growth]]\nnfr = \"1A4*\"\nfuel = \"lignite\"\nrate = 0.015\n\n[[measure]]\nid = \"FGD\"\nnfr = \"1.A.1.a\"\nfuel = [\"Hard coal\", \"lignite\"]\nremoval = {{ SOx = 0.95, Hg = \"0.64\" }}\ninvestment = 1500\nlifetime = 20\nfixed_om_pct = 2\nvariable_cost = 30\nmax_share = 0.9\nshare = {{ 2030 = 0.25 }}\n"
        ))
        .unwrap();
        assert_eq!(s.base, Path::new("scen/inv"));
        assert_eq!(s.years, vec![2030, 2040]);
        assert_eq!(s.discount_rate, Decimal::new(4, 2));
        assert_eq!(s.growth[0].nfr, CodePattern::Prefix("1A4".into()));
        assert!(matches!(s.growth[0].kind, GrowthKind::Rate(r) if r == Decimal::new(15, 3)));
        let m = &s.measures[0];
        assert_eq!(m.nfr, CodePattern::Exact("1A1a".into()));
        assert_eq!(m.fuel, vec!["Hard coal", "lignite"]);
        assert_eq!(m.removal[&Pollutant::SOx], Decimal::new(95, 2));
        assert_eq!(m.removal[&Pollutant::Hg], Decimal::new(64, 2));
        // The first pollutant in template order is the primary one and names the group.
        assert_eq!(m.primary, Pollutant::SOx);
        assert_eq!(m.group, "SOx");
        assert_eq!(m.decided_share(2029), Decimal::ZERO);
        assert_eq!(m.decided_share(2035), Decimal::new(25, 2));
        assert_eq!(m.cost.currency, "EUR");
        assert_eq!(m.line, 10, "the line of its [[measure]] header");
    }

    #[test]
    fn refusals_name_the_table_the_key_and_the_line() {
        let m = message(&format!(
            "{HEAD}\n[[growth]]\nnfr = \"1A9z\"\nrate = 0.01\n"
        ));
        assert!(
            m.starts_with("scen/wm.toml, line 6: [[growth]] nfr:"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[measure]]\nid = \"A\"\nnfr = \"1A1a\"\nremoval = {{ SOx = 0.5 }}\ninvestment = 10\n"
        ));
        assert!(
            m.contains("line 6: [[measure]] A: an investment needs a lifetime"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[measure]]\nid = \"A\"\nnfr = \"1A1a\"\nremoval = {{ SOx = 0.5 }}\nannual_cost = 1\nmax_share = 0.5\nshare = {{ 2030 = 0.8 }}\n"
        ));
        assert!(
            m.contains("line 12: [[measure]] A: share 2030 = 0.8: above max_share 0.5"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[target]]\npollutant = \"SO2\"\nyear = 2035\nceiling = 10\n"
        ));
        assert!(
            m.contains("[[target]] SOx 2035: 2035 is not one of the projection years (2030, 2040)"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[target]]\npollutant = \"NOx\"\nyear = 2030\nreduction_pct = 42\nbase_year = 2005\nbase_emission = 100\n"
        ));
        assert!(
            m.contains("a base_emission given by hand needs its source"),
            "{m}"
        );
        let m = message("base = \"x\"\nbase_year = 2024\nyears = [2020]\ndiscount_rate = 0.04\n");
        assert!(
            m.contains("line 3: years: 2020 is not after base_year 2024"),
            "{m}"
        );
        let m = message(&format!("{HEAD}\n[[measure]]\nlibrary = \"B99\"\n"));
        assert!(m.contains("library = 'B99': no such measure"), "{m}");
    }

    #[test]
    fn a_measure_can_take_its_removals_from_guidebook_abatement_efficiencies() {
        // 2.C.1 Table 3-25: venturi scrubbers or ESP, Zn 0.95 (Kakareka 1998).
        let s = parse_text(&format!(
            "{HEAD}\n[[measure]]\nid = \"ESP\"\nguidebook = \"GB23-ecc53d584b0f\"\nunit = \"t\"\nannual_cost = 1\n"
        ))
        .unwrap();
        let m = &s.measures[0];
        assert_eq!(m.nfr, CodePattern::Exact("2C1".into()));
        assert_eq!(m.removal[&Pollutant::Zn], Decimal::new(95, 2));
        assert!(m.source.contains("Kakareka (1998)"), "{}", m.source);
        let e = message(&format!(
            "{HEAD}\n[[measure]]\nid = \"X\"\nguidebook = \"GB23-2cd17450cf9f\"\nannual_cost = 1\n"
        ));
        assert!(e.contains("is not a Guidebook abatement efficiency"), "{e}");
    }

    #[test]
    fn a_library_measure_needs_what_the_library_cannot_say() {
        // B01's costs are per kW: without full-load hours the scenario is refused.
        let m = message(&format!("{HEAD}\n[[measure]]\nlibrary = \"B01\"\n"));
        assert!(
            m.contains("[[measure]] B01: per: costs per kW need full_load_hours"),
            "{m}"
        );
        // B24 gives a method, not a removal.
        let m = message(&format!("{HEAD}\n[[measure]]\nlibrary = \"B24\"\n"));
        assert!(
            m.contains("[[measure]] B24: removal: give the fraction it removes"),
            "{m}"
        );
        let s = parse_text(&format!("{HEAD}\n[[measure]]\nlibrary = \"B06\"\n")).unwrap();
        let b06 = &s.measures[0];
        assert_eq!(b06.removal.len(), 3);
        assert_eq!(b06.primary, Pollutant::SOx);
        assert_eq!(b06.cost.currency, "USD");
        assert_eq!(b06.cost.price_year, Some(1997));
        assert!(b06.source.contains("CoST"));
    }
}
