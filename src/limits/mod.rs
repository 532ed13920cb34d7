//! Emission limit values for plants: sets of limits by pollutant, fuel
//! category, plant type, status (new or existing) and thermal input band,
//! shipped as data (`emission-factors/limit-values/`: the 1999 protocols
//! and the EU values as France transposed them) or given by the user as a
//! file of the same columns; and the flue-gas volumes that turn emission
//! factors into concentrations ([`flue_gas`]).
//!
//! ```text
//! SET (a shipped name or a file) ──► LimitSet (rows checked, line by line)
//! plant (fuel ─► fuel categories, thermal input, type, hours, commissioning)
//!     ──► LimitSet::status (new or existing, by the set's rule and --ratification-year)
//!     ──► LimitSet::applicable (the band's limit, interpolated in a linear band;
//!                               a minimum desulphurisation rate as an alternative)
//! ```

pub mod flue_gas;

use crate::error::{Error, Location, Result};
use crate::fuel::{ActivityFuel, Fuels, fuel_key};
use crate::number::{format_decimal, parse_decimal};
use crate::plant::PlantType;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::Path;
use std::sync::LazyLock;

/// The shipped sets: name, file text.
pub const SHIPPED: [(&str, &str); 2] = [
    (
        "protocols-1999",
        include_str!("../../emission-factors/limit-values/protocols-1999.csv"),
    ),
    (
        "eu-ied-fr-2013",
        include_str!("../../emission-factors/limit-values/eu-ied-fr-2013.csv"),
    ),
];

/// The columns of a limit-value set, in order.
pub const COLUMNS: [&str; 14] = [
    "kind",
    "pollutant",
    "fuel",
    "plant_type",
    "status",
    "min_mwth",
    "max_mwth",
    "value",
    "value_at_max",
    "o2_pct",
    "min_hours",
    "new_from",
    "applies_from",
    "reference",
];

/// What a row requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A concentration, mg/Nm3 at the row's O2.
    Limit,
    /// A minimum share of the fuel's sulphur removed, %.
    Desulphurisation,
}

/// New or existing, against a set's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Existing,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Existing => "existing",
        }
    }
}

/// A year, or a year counted from the ratification year (`R+2`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Year(i32),
    AfterRatification(i32),
}

impl When {
    fn parse(text: &str) -> std::result::Result<When, String> {
        let t = text.trim();
        if let Some(n) = t.strip_prefix("R+").or(t.strip_prefix("r+")) {
            return n
                .parse::<i32>()
                .ok()
                .filter(|n| (0..=50).contains(n))
                .map(When::AfterRatification)
                .ok_or(format!(
                    "'{t}' is not R+n (n years after the ratification year, 0 to 50)"
                ));
        }
        crate::number::parse_year(t)
            .map(When::Year)
            .map_err(|e| format!("'{t}': a year or R+n ({e})"))
    }

    /// The year, with the ratification year where the rule counts from it.
    pub fn resolve(self, ratification: Option<i32>) -> Option<i32> {
        match self {
            When::Year(y) => Some(y),
            When::AfterRatification(n) => ratification.map(|r| r + n),
        }
    }

    pub fn text(self) -> String {
        match self {
            When::Year(y) => y.to_string(),
            When::AfterRatification(n) => format!("R+{n}"),
        }
    }
}

/// One row of a set.
#[derive(Debug, Clone)]
pub struct LimitRow {
    /// The set's file and line.
    pub at: Location,
    pub kind: Kind,
    pub pollutant: Pollutant,
    /// A fuel category (`solid`, `natural gas`, `any` ...).
    pub fuel: String,
    /// `None`: any plant type.
    pub plant_type: Option<PlantType>,
    pub status: Status,
    pub min_mwth: Option<Decimal>,
    pub max_mwth: Option<Decimal>,
    pub value: Decimal,
    pub value_at_max: Option<Decimal>,
    pub o2_pct: Option<Decimal>,
    pub min_hours: Option<Decimal>,
    pub new_from: When,
    pub applies_from: When,
    pub reference: String,
}

impl LimitRow {
    /// The band in words: `100-300 MWth`.
    pub fn band(&self) -> String {
        match (self.min_mwth, self.max_mwth) {
            (Some(a), Some(b)) => format!("{}-{} MWth", format_decimal(a), format_decimal(b)),
            (Some(a), None) => format!("above {} MWth", format_decimal(a)),
            (None, Some(b)) => format!("up to {} MWth", format_decimal(b)),
            (None, None) => "any size".into(),
        }
    }

    fn fits(&self, mw: Decimal) -> bool {
        self.min_mwth.is_none_or(|m| mw > m) && self.max_mwth.is_none_or(|m| mw <= m)
    }

    /// The row's value at a thermal input: the value, or in a linear band
    /// value + (value_at_max − value) × (P − min) / (max − min).
    pub fn value_at(&self, mw: Decimal) -> Decimal {
        match (self.value_at_max, self.min_mwth, self.max_mwth) {
            (Some(end), Some(a), Some(b)) if b > a => {
                self.value + (end - self.value) * (mw - a) / (b - a)
            }
            _ => self.value,
        }
    }
}

/// A set of limit values.
#[derive(Debug, Clone)]
pub struct LimitSet {
    /// The shipped name, or the file given.
    pub name: String,
    pub rows: Vec<LimitRow>,
}

/// What a plant is asked, for one pollutant.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    pub kind: Kind,
    /// mg/Nm3 for a limit, % for a desulphurisation rate.
    pub value: Decimal,
    pub o2_pct: Option<Decimal>,
    /// Why this value: the row's reference, band and interpolation.
    pub why: String,
    /// The year it applies from, where it can be told.
    pub applies_from: Option<i32>,
}

/// The requirements of a pollutant for a plant: a limit, a desulphurisation
/// rate, or both (met by either).
#[derive(Debug, Clone, Serialize)]
pub struct Applicable {
    pub limit: Option<Requirement>,
    pub desulphurisation: Option<Requirement>,
}

/// What a plant is, for a set.
#[derive(Debug, Clone)]
pub struct PlantFacts<'a> {
    pub fuel: &'a ActivityFuel,
    pub plant_type: PlantType,
    pub thermal_input_mw: Decimal,
    pub hours: Option<Decimal>,
    pub commissioning_year: Option<i32>,
    /// The year assessed.
    pub year: i32,
}

impl LimitSet {
    /// A shipped set by name, or a file of the same columns.
    pub fn load(name_or_path: &str) -> Result<LimitSet> {
        if let Some((name, text)) = SHIPPED
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name_or_path.trim()))
        {
            return parse(
                text,
                name,
                Path::new(&format!("emission-factors/limit-values/{name}.csv")),
            );
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            return Err(Error::file(
                path,
                format!(
                    "is neither a shipped limit-value set ({}) nor a file",
                    SHIPPED
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        parse(&text, name_or_path, path)
    }

    /// The pollutants the set has limits for, in template order.
    pub fn pollutants(&self) -> Vec<Pollutant> {
        let mut ps: Vec<Pollutant> = self.rows.iter().map(|r| r.pollutant).collect();
        ps.sort();
        ps.dedup();
        ps
    }

    /// New or existing, and why: by the commissioning year against the
    /// rows' `new_from` (a year, or R+n from the ratification year).
    pub fn status(
        &self,
        plant: &PlantFacts,
        pollutant: Pollutant,
        ratification: Option<i32>,
    ) -> std::result::Result<(Status, String), String> {
        let Some(rule) = self
            .rows
            .iter()
            .find(|r| r.pollutant == pollutant)
            .map(|r| r.new_from)
        else {
            return Err(format!("the set has no limit for {}", pollutant.id()));
        };
        let Some(from) = rule.resolve(ratification) else {
            return Err(format!(
                "the set decides new and existing plants by the ratification year (new from {}): give --ratification-year",
                rule.text()
            ));
        };
        let rule_text = match rule {
            When::Year(y) => format!("new if commissioned in {y} or later"),
            When::AfterRatification(n) => format!(
                "new if commissioned in {from} or later (ratification {} + {n})",
                from - n
            ),
        };
        Ok(match plant.commissioning_year {
            Some(c) if c >= from => (Status::New, format!("commissioned {c}: {rule_text}")),
            Some(c) => (Status::Existing, format!("commissioned {c}: {rule_text}")),
            None if plant.year < from => (
                Status::Existing,
                format!(
                    "commissioning year not given, in operation in {}: {rule_text}",
                    plant.year
                ),
            ),
            None => (
                Status::Existing,
                format!("commissioning year not given: taken as existing ({rule_text})"),
            ),
        })
    }

    /// The requirements of a pollutant for a plant of a status: the rows of
    /// the first fuel category of the plant's fuel that the set has for the
    /// pollutant, of its type, size band and hours.
    pub fn applicable(
        &self,
        fuels: &Fuels,
        plant: &PlantFacts,
        pollutant: Pollutant,
        status: Status,
        ratification: Option<i32>,
    ) -> Option<Applicable> {
        // The most specific fuel category with a row for this plant (its
        // status, type, size and hours): an existing gas boiler has no
        // 'natural gas' row in the 1999 protocol and takes 'gaseous fuels'.
        let categories = fuel_categories(fuels, plant.fuel);
        let find_in = |kind: Kind, category: &str| {
            self.rows.iter().find(|r| {
                r.kind == kind
                    && r.pollutant == pollutant
                    && r.fuel == category
                    && r.status == status
                    && r.plant_type.is_none_or(|t| t == plant.plant_type)
                    && r.fits(plant.thermal_input_mw)
                    && !matches!((r.min_hours, plant.hours), (Some(m), Some(h)) if h < m)
            })
        };
        let category = categories
            .iter()
            .map(String::as_str)
            .chain(std::iter::once("any"))
            .find(|c| {
                find_in(Kind::Limit, c).is_some() || find_in(Kind::Desulphurisation, c).is_some()
            })?;
        let find = |kind: Kind| find_in(kind, category);
        let requirement = |r: &LimitRow| {
            let value = r.value_at(plant.thermal_input_mw);
            let unit = match r.kind {
                Kind::Limit => "mg/Nm3",
                Kind::Desulphurisation => "% desulphurisation",
            };
            let mut why = format!(
                "{}: {} {}, {} {}",
                r.reference,
                r.fuel,
                r.status.name(),
                r.band(),
                match r.value_at_max {
                    Some(end) => format!(
                        "{}-{} {unit} linear: {} at {} MWth",
                        format_decimal(r.value),
                        format_decimal(end),
                        format_decimal(value.round_dp(4).normalize()),
                        format_decimal(plant.thermal_input_mw.round_dp(4).normalize())
                    ),
                    None => format!("{} {unit}", format_decimal(value)),
                }
            );
            if let Some(o2) = r.o2_pct {
                why.push_str(&format!(" at {} % O2", format_decimal(o2)));
            }
            if let Some(h) = r.min_hours {
                why.push_str(&format!(
                    "; for plants running {} h a year or more{}",
                    format_decimal(h),
                    if plant.hours.is_none() {
                        " (the plant's hours are not given)"
                    } else {
                        ""
                    }
                ));
            }
            let applies_from = r.applies_from.resolve(ratification);
            if let Some(y) = applies_from {
                why.push_str(&format!("; applies from {y}"));
            }
            Requirement {
                kind: r.kind,
                value,
                o2_pct: r.o2_pct,
                why,
                applies_from,
            }
        };
        let limit = find(Kind::Limit).map(requirement);
        let desulphurisation = find(Kind::Desulphurisation).map(requirement);
        if limit.is_none() && desulphurisation.is_none() {
            return None;
        }
        Some(Applicable {
            limit,
            desulphurisation,
        })
    }
}

/// The fuel categories of a fuel, most specific first
/// (`emission-factors/limit-values/fuel-categories.csv`, through the
/// fuel's fallbacks).
pub fn fuel_categories(fuels: &Fuels, fuel: &ActivityFuel) -> Vec<String> {
    static TABLE: LazyLock<Vec<(String, Vec<String>)>> = LazyLock::new(|| {
        include_str!("../../emission-factors/limit-values/fuel-categories.csv")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(f, c)| {
                (
                    fuel_key(f),
                    c.split('|').map(|s| s.trim().to_string()).collect(),
                )
            })
            .collect()
    });
    for name in fuels.chain_of(fuel) {
        if let Some((_, cats)) = TABLE.iter().find(|(f, _)| *f == fuel_key(&name)) {
            return cats.clone();
        }
    }
    Vec::new()
}

/// Reads a set's text: the columns of [`COLUMNS`], every value checked
/// with its line and column.
fn parse(text: &str, name: &str, path: &Path) -> Result<LimitSet> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::file(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    for c in COLUMNS {
        if !header.iter().any(|h| h == c) {
            return Err(Error::file(
                path,
                format!(
                    "has no column '{c}': a limit-value set has the columns {}",
                    COLUMNS.join(",")
                ),
            ));
        }
    }
    let col = |n: &str| header.iter().position(|h| h == n).expect("checked");
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| Error::file(path, e.to_string()))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let at = |c: &str| Location::file(path).with_line(line).with_column(c);
        let get = |c: &str| rec.get(col(c)).unwrap_or("").trim().to_string();
        let dec = |c: &str| -> Result<Option<Decimal>> {
            let t = get(c);
            if t.is_empty() {
                return Ok(None);
            }
            parse_decimal(&t)
                .map(Some)
                .map_err(|e| Error::input(at(c), format!("'{t}' is not a number ({e})")))
        };
        let kind = match get("kind").to_ascii_lowercase().as_str() {
            "limit" => Kind::Limit,
            "desulphurisation" | "desulfurisation" | "desulfurization" => Kind::Desulphurisation,
            other => {
                return Err(Error::input(
                    at("kind"),
                    format!("'{other}': limit or desulphurisation"),
                ));
            }
        };
        let p = get("pollutant");
        let pollutant = Pollutant::parse(&p).ok_or_else(|| {
            Error::input(
                at("pollutant"),
                format!("'{p}' is not a pollutant ({})", Pollutant::id_list()),
            )
        })?;
        let t = get("plant_type");
        let plant_type = if t.eq_ignore_ascii_case("any") {
            None
        } else {
            Some(PlantType::parse(&t).ok_or_else(|| {
                Error::input(
                    at("plant_type"),
                    format!("'{t}': boiler, gas turbine or any"),
                )
            })?)
        };
        let status = match get("status").to_ascii_lowercase().as_str() {
            "new" => Status::New,
            "existing" => Status::Existing,
            other => {
                return Err(Error::input(
                    at("status"),
                    format!("'{other}': new or existing"),
                ));
            }
        };
        let value = dec("value")?.ok_or_else(|| {
            Error::input(
                at("value"),
                "no value: the limit (mg/Nm3) or the rate (%)".to_string(),
            )
        })?;
        let when = |c: &str| When::parse(&get(c)).map_err(|e| Error::input(at(c), e));
        let fuel = get("fuel").to_ascii_lowercase();
        if fuel.is_empty() {
            return Err(Error::input(
                at("fuel"),
                "no fuel category (solid, liquid, natural gas, gaseous, any ...)".to_string(),
            ));
        }
        let row = LimitRow {
            at: Location::file(path).with_line(line),
            kind,
            pollutant,
            fuel,
            plant_type,
            status,
            min_mwth: dec("min_mwth")?,
            max_mwth: dec("max_mwth")?,
            value,
            value_at_max: dec("value_at_max")?,
            o2_pct: dec("o2_pct")?,
            min_hours: dec("min_hours")?,
            new_from: when("new_from")?,
            applies_from: when("applies_from")?,
            reference: get("reference"),
        };
        if row.kind == Kind::Limit && row.o2_pct.is_none() {
            return Err(Error::input(
                at("o2_pct"),
                "a limit needs its reference O2 content (%)".to_string(),
            ));
        }
        if let (Some(a), Some(b)) = (row.min_mwth, row.max_mwth)
            && a >= b
        {
            return Err(Error::input(
                at("max_mwth"),
                "max_mwth is not above min_mwth".to_string(),
            ));
        }
        if row.value_at_max.is_some() && (row.min_mwth.is_none() || row.max_mwth.is_none()) {
            return Err(Error::input(
                at("value_at_max"),
                "a linear band needs min_mwth and max_mwth".to_string(),
            ));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(Error::file(path, "has no limit rows"));
    }
    Ok(LimitSet {
        name: name.to_string(),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn facts<'a>(fuel: &'a ActivityFuel, mw: &str, commissioned: Option<i32>) -> PlantFacts<'a> {
        PlantFacts {
            fuel,
            plant_type: PlantType::Boiler,
            thermal_input_mw: d(mw),
            hours: Some(d("6000")),
            commissioning_year: commissioned,
            year: 2024,
        }
    }

    #[test]
    fn the_1999_protocols_by_size_fuel_and_status() {
        let set = LimitSet::load("protocols-1999").unwrap();
        let fuels = Fuels::built_in();
        let coal = ActivityFuel::read("Hard coal", fuels).unwrap();
        // An existing coal boiler of 200 MWth: SO2 2000-400 linear over 100-500 MWth:
        // 2000 + (400 − 2000) × (200 − 100) / 400 = 1600 mg/Nm3 at 6 % O2; or 40-90 %
        // desulphurisation linear over 150-500: 40 + 50 × 50 / 350 = 47.142857...%.
        let f = facts(&coal, "200", Some(1975));
        let (status, why) = set.status(&f, Pollutant::SOx, Some(2026)).unwrap();
        assert_eq!(status, Status::Existing);
        assert_eq!(
            why,
            "commissioned 1975: new if commissioned in 2028 or later (ratification 2026 + 2)"
        );
        let a = set
            .applicable(fuels, &f, Pollutant::SOx, status, Some(2026))
            .unwrap();
        let limit = a.limit.unwrap();
        assert_eq!(limit.value, d("1600"));
        assert_eq!(limit.o2_pct, Some(d("6")));
        assert_eq!(limit.applies_from, Some(2027));
        let rate = a.desulphurisation.unwrap();
        assert_eq!(rate.value.round_dp(6), d("47.142857"));
        // NOx: existing solid 650; new (commissioned 2030) 300-400 MWth band: 200.
        let nox = set
            .applicable(fuels, &f, Pollutant::NOx, Status::Existing, Some(2026))
            .unwrap();
        assert_eq!(nox.limit.unwrap().value, d("650"));
        let new = facts(&coal, "350", Some(2030));
        assert_eq!(
            set.status(&new, Pollutant::NOx, Some(2026)).unwrap().0,
            Status::New
        );
        assert_eq!(
            set.applicable(fuels, &new, Pollutant::NOx, Status::New, Some(2026))
                .unwrap()
                .limit
                .unwrap()
                .value,
            d("200")
        );
        // Dust (Heavy Metals Annex V): 50 mg/Nm3.
        assert_eq!(
            set.applicable(fuels, &f, Pollutant::TSP, Status::Existing, Some(2026))
                .unwrap()
                .limit
                .unwrap()
                .value,
            d("50")
        );
        // Below 50 MWth nothing applies.
        assert!(
            set.applicable(
                fuels,
                &facts(&coal, "40", None),
                Pollutant::SOx,
                Status::Existing,
                None
            )
            .is_none()
        );
        // Natural gas: NOx existing 350 (gaseous fuels), new 150 (natural gas, 50-300).
        let gas = ActivityFuel::read("natural gas", fuels).unwrap();
        let g = facts(&gas, "120", None);
        assert_eq!(
            set.applicable(fuels, &g, Pollutant::NOx, Status::Existing, None)
                .unwrap()
                .limit
                .unwrap()
                .value,
            d("350")
        );
        assert_eq!(
            set.applicable(fuels, &g, Pollutant::NOx, Status::New, None)
                .unwrap()
                .limit
                .unwrap()
                .value,
            d("150")
        );
        // Without a ratification year the protocol's rule cannot be applied.
        assert!(
            set.status(&f, Pollutant::SOx, None)
                .unwrap_err()
                .contains("--ratification-year")
        );
    }

    #[test]
    fn the_eu_values_by_band() {
        let set = LimitSet::load("eu-ied-fr-2013").unwrap();
        let fuels = Fuels::built_in();
        let coal = ActivityFuel::read("Hard coal", fuels).unwrap();
        let f = facts(&coal, "1000", Some(1982));
        let (status, _) = set.status(&f, Pollutant::SOx, None).unwrap();
        assert_eq!(status, Status::Existing);
        // Existing other solid fuels, >= 300 MWth: SO2 200, NOx 200, dust 20 mg/Nm3 at 6 % O2.
        for (p, v) in [
            (Pollutant::SOx, "200"),
            (Pollutant::NOx, "200"),
            (Pollutant::TSP, "20"),
        ] {
            assert_eq!(
                set.applicable(fuels, &f, p, status, None)
                    .unwrap()
                    .limit
                    .unwrap()
                    .value,
                d(v),
                "{p}"
            );
        }
    }

    #[test]
    fn a_users_set_is_checked_line_by_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bat.csv");
        std::fs::write(
            &path,
            format!(
                "{}\nlimit,SO2,solid,boiler,existing,50,,abc,,6,,2020,2020,x\n",
                COLUMNS.join(",")
            ),
        )
        .unwrap();
        let e = LimitSet::load(path.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2, column value: 'abc' is not a number"),
            "{e}"
        );
        let e = LimitSet::load("gothenburg-2012").unwrap_err().to_string();
        assert!(
            e.contains("is neither a shipped limit-value set (protocols-1999, eu-ied-fr-2013)"),
            "{e}"
        );
    }
}
