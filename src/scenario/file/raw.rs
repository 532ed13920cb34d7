//! The scenario file as written: serde structs that refuse unknown keys,
//! each value kept with its place in the text (`Spanned`) for messages.
//! [`super::parse`] checks them into a [`super::Scenario`].

use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// A number in the scenario file: an integer, a float (read through its
/// shortest text, so `0.95` is 0.95) or a text (`"0.95"`).
#[derive(Debug, Clone)]
pub(super) enum RawNum {
    Int(i64),
    Float(f64),
    Text(String),
}

/// What a table in place of a number most likely is: an unquoted key with a
/// dot, which TOML reads as nested keys (`PM2.5 = 0.9` is `PM2 = { 5 = 0.9 }`).
pub(super) const DOTTED_KEY: &str = "a table where a number belongs: TOML reads a key with a dot \
     written without quotes as nested keys (PM2.5 = 0.9 is PM2 = { 5 = 0.9 }); \
     write the key in quotes: \"PM2.5\" = 0.9";

/// Reads a [`RawNum`] from whichever of the three TOML gives, and names the
/// likely mistake when it gives a table.
struct NumVisitor;

impl<'de> serde::de::Visitor<'de> for NumVisitor {
    type Value = RawNum;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a number (0.95, or in quotes \"0.95\")")
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> std::result::Result<RawNum, E> {
        Ok(RawNum::Int(v))
    }

    fn visit_u64<E: serde::de::Error>(self, v: u64) -> std::result::Result<RawNum, E> {
        i64::try_from(v)
            .map(RawNum::Int)
            .map_err(|_| E::custom(format!("{v} is too large a number")))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> std::result::Result<RawNum, E> {
        Ok(RawNum::Float(v))
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<RawNum, E> {
        Ok(RawNum::Text(v.to_string()))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(
        self,
        _map: A,
    ) -> std::result::Result<RawNum, A::Error> {
        Err(serde::de::Error::custom(DOTTED_KEY))
    }
}

impl<'de> Deserialize<'de> for RawNum {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(NumVisitor)
    }
}

impl RawNum {
    pub(super) fn decimal(&self) -> std::result::Result<Decimal, String> {
        match self {
            RawNum::Int(i) => Ok(Decimal::from(*i)),
            RawNum::Float(f) => crate::number::from_excel(*f).map_err(|e| e.to_string()),
            RawNum::Text(s) => {
                crate::number::parse_decimal(s).map_err(|e| format!("'{s}' is not a number ({e})"))
            }
        }
    }
}

pub(super) type Num = Spanned<RawNum>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub(super) name: Option<String>,
    pub(super) base: Spanned<String>,
    pub(super) country: Option<String>,
    pub(super) base_year: Spanned<i64>,
    pub(super) years: Spanned<Vec<i64>>,
    pub(super) discount_rate: Num,
    pub(super) currency: Option<String>,
    pub(super) price_year: Option<Spanned<i64>>,
    #[serde(default)]
    pub(super) exchange_rates: BTreeMap<String, Num>,
    #[serde(default)]
    pub(super) price_index: BTreeMap<String, Num>,
    #[serde(default)]
    pub(super) growth: Vec<Spanned<RawGrowth>>,
    pub(super) activity_file: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) measure: Vec<Spanned<RawMeasure>>,
    #[serde(default)]
    pub(super) target: Vec<Spanned<RawTarget>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawGrowth {
    pub(super) nfr: String,
    pub(super) fuel: Option<String>,
    pub(super) rate: Option<Num>,
    pub(super) activity: Option<BTreeMap<String, Num>>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMeasure {
    pub(super) id: Option<String>,
    pub(super) library: Option<String>,
    /// Ids of Guidebook Tier 2 abatement efficiencies (`GB23-...`) giving its removals.
    pub(super) guidebook: Option<Fuels>,
    pub(super) name: Option<String>,
    pub(super) nfr: Option<String>,
    pub(super) fuel: Option<Fuels>,
    #[serde(default)]
    pub(super) removal: BTreeMap<String, Num>,
    pub(super) pollutant: Option<String>,
    pub(super) group: Option<String>,
    pub(super) annual_cost: Option<Num>,
    pub(super) investment: Option<Num>,
    pub(super) lifetime: Option<Num>,
    pub(super) fixed_om_pct: Option<Num>,
    pub(super) fixed_om: Option<Num>,
    pub(super) variable_cost: Option<Num>,
    pub(super) cost_per_tonne: Option<Num>,
    pub(super) unit: Option<String>,
    pub(super) per: Option<String>,
    pub(super) full_load_hours: Option<Num>,
    pub(super) efficiency: Option<Num>,
    pub(super) currency: Option<String>,
    pub(super) price_year: Option<i64>,
    pub(super) max_share: Option<Num>,
    #[serde(default)]
    pub(super) share: BTreeMap<String, Num>,
    pub(super) start_year: Option<i64>,
    pub(super) source: Option<String>,
    /// A limit-value set (shipped name or file): the measure brings the
    /// base's plants to it (`crate::scenario::limits`).
    pub(super) limits: Option<String>,
    pub(super) ratification_year: Option<i64>,
    /// Plant ids (default: every plant of `nfr` and `fuel`).
    pub(super) plants: Option<Fuels>,
}

/// One text or a list of texts (fuels; Guidebook factor ids).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum Fuels {
    One(String),
    Many(Vec<String>),
}

impl Fuels {
    pub(super) fn list(&self) -> Vec<String> {
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
pub(super) struct RawTarget {
    pub(super) pollutant: String,
    pub(super) year: i64,
    pub(super) reduction_pct: Option<Num>,
    pub(super) base_year: Option<i64>,
    pub(super) base_emission: Option<Num>,
    pub(super) ceiling: Option<Num>,
    pub(super) source: Option<String>,
}
