//! Inventory folders: `inventories/<name>/inventory.toml`.
//!
//! ```toml
//! name = "Example country"
//! country = "XX"                 # ISO 3166-1 alpha-2
//! years = [2005, 2022]
//! version = "v1.0"              # template cell B7
//! activity = ["activity/energy.csv", { file = "activity/agriculture.xlsx", sheet = "2022" }]
//! # a sheet laid out for people, read through a mapping (see crate::mapping):
//! # activity = [{ file = "balance.xlsx", mapping = "mapping.toml" }]
//! factors = ["factors/country-specific.csv"]
//! history = ["submissions/XX_2021.xlsx"]  # past Annex I workbooks or output folders
//! plants = ["plants.csv"]        # plant registers (CSV or { file, sheet }): Tier 3, see crate::plant
//!
//! [fuels]                        # the compiler's own fuel names
//! "Energy hard coal" = "Hard Coal"
//!
//! [ncv]                          # net calorific values, GJ per tonne
//! Diesel = "42.9"
//!
//! [ncv_volume]                   # gases: MJ per m³ (= GJ per thousand m³)
//! "Natural gas" = "33.821"       # every year, or by year:
//! "Coke oven gas" = { 2021 = "16.7", "2022-2024" = "16.9" }
//!
//! [[default_keys]]               # the key of a sector group's rows with no activity
//! group = "1B"                   # a code prefix (1B, 2D3, 3B) or a GNFR sector (K_AgriLivestock)
//! key = "NO"
//! note = "No coal mining, oil or gas production"
//!
//! [[notation_keys]]              # keys for cells with no estimate
//! code = "1A4ai"                 # or rows: code = ["1A4ai", "1A4bi"]
//! pollutants = ["NH3"]           # or "all"
//! key = "IE"
//! included_in = "1A4bi"          # required for IE
//! note = "Reported with residential combustion"
//!
//! [[fill]]                       # a gap of an activity series, filled by airinv
//! nfr = "3B1a"                   # (IPCC 2006 Vol. 1 ch. 5; see crate::gap_fill)
//! technology = "Dairy cows"
//! years = [2024]
//! method = "extrapolation"
//! basis = [2019, 2020, 2021, 2022, 2023]
//! note = "FAOSTAT has no 2024 yet"
//!
//! [[splice]]                     # a reclassification in the activity statistics, spliced
//! nfr = ["1A1a", "1A2gviii"]     # (IPCC 2006 Vol. 1 ch. 5; see crate::splice)
//! fuels = ["Hard Coal"]
//! years = [2022, 2023, 2024]
//! basis = "shares"
//! shares_of = [2022, 2023]
//! reason = "autoproducers classed as main-activity plants from 2024"
//!
//! [[adjustments]]                # approved adjustments (rows 151 and 153)
//! year = 2022
//! pollutant = "NH3"
//! value = "-1.25"                # in the template's unit (kt), negative
//! row = "clrtap"                 # ADJUSTMENTS (151); "necd": ADJUSTMENTS AND FLEXIBILITIES (153)
//! note = "Approved adjustment, emission factor revision for 3Da2a"
//! ```
//!
//! Paths are relative to the folder. Numbers may be written as TOML numbers
//! or as text; both are read exactly (numbers through the same audited
//! conversion as Excel cells).

use crate::error::{Error, Result};
use crate::notation_key::NotationKey;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

/// An activity source: a file, and a sheet for workbooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivitySource {
    pub path: PathBuf,
    pub sheet: Option<String>,
    /// A mapping (TOML) that turns the sheet into activity rows
    /// ([`crate::mapping`]); without one the file is a tidy activity file.
    pub mapping: Option<PathBuf>,
}

/// A notation key set by the compiler for cells with no estimate.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct KeyOverride {
    pub code: String,
    /// Empty: all pollutants.
    pub pollutants: Vec<Pollutant>,
    /// Empty: all years.
    pub years: Vec<i32>,
    pub key: NotationKey,
    pub included_in: String,
    pub note: String,
}

/// Which adjustment row of the template an adjustment goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentRow {
    /// ADJUSTMENTS (row 151), into COMPLIANCE TOTAL (CLRTAP).
    Clrtap,
    /// ADJUSTMENTS AND FLEXIBILITIES (row 153), into COMPLIANCE TOTAL (NECD).
    Necd,
}

impl AdjustmentRow {
    /// The template row's code.
    pub fn code(self) -> &'static str {
        match self {
            AdjustmentRow::Clrtap => "ADJUSTMENTS",
            AdjustmentRow::Necd => "ADJUSTMENTS AND FLEXIBILITIES",
        }
    }
}

/// An approved adjustment (or NECD flexibility) of one year and pollutant,
/// in the template's unit; never positive.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Adjustment {
    pub year: i32,
    pub pollutant: Pollutant,
    pub value: Decimal,
    pub row: AdjustmentRow,
    pub note: String,
}

/// The first and last year of a setting (`"2022-2024"`).
pub type YearRange = (i32, i32);

/// An inventory as described by its inventory.toml.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Settings whose number had digits beyond the 28th decimal place,
    /// rounded to 28 places: one line each, shown by compile.
    pub rounded: Vec<String>,
    pub dir: PathBuf,
    pub name: String,
    pub country: Option<String>,
    pub years: Vec<i32>,
    pub version: String,
    pub activity: Vec<ActivitySource>,
    pub factors: Vec<PathBuf>,
    /// Past submissions (Annex I workbooks or folders of annex1_<YEAR>.csv):
    /// the years of the time series not compiled from activity data.
    pub history: Vec<PathBuf>,
    pub fuel_aliases: Vec<(String, String)>,
    pub ncv: Vec<(String, Decimal)>,
    /// Fuel sulphur contents in mg per kg of fuel (`[sulphur]`), over the
    /// defaults of emission-factors/fuel-sulphur.csv.
    pub sulphur: Vec<(String, Decimal)>,
    /// Net calorific values of gases per volume (MJ per m³), by fuel and
    /// years (`None`: every year).
    pub ncv_volume: Vec<(String, Option<YearRange>, Decimal)>,
    pub keys: Vec<KeyOverride>,
    /// Keys for the rows of a sector group that have no activity and no
    /// key of their own; `code` is the group (a code prefix or a GNFR name).
    pub default_keys: Vec<KeyOverride>,
    pub adjustments: Vec<Adjustment>,
    /// Uncertainty files (`uncertainties = [...]`) for `airinv uncertainty`.
    pub uncertainties: Vec<PathBuf>,
    /// Plant registers (`plants = [...]`): a file, and a sheet for workbooks
    /// ([`crate::plant`]).
    pub plants: Vec<ActivitySource>,
    /// The `[[fill]]` tables as written, with the line each starts on;
    /// `crate::gap_fill` checks and resolves them.
    pub fills: Vec<(u64, FillEntry)>,
    /// Activity without a factor, declared with its reason (`[[without_factor]]`).
    pub without_factor: Vec<WithoutFactor>,
    /// The `[[splice]]` tables as written, with the line each starts on;
    /// `crate::splice` checks and resolves them.
    pub splices: Vec<(u64, SpliceEntry)>,
}

/// Activity the compiler declares to have no factor for some pollutants,
/// and why (`[[without_factor]]`): the Guidebook gives none and no
/// national factor is known. `airinv check` then reports the case as an
/// info naming the reason, not as an error.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WithoutFactor {
    /// The rows (template codes).
    pub codes: Vec<String>,
    /// The fuels as the activity names them; empty: every fuel (and none).
    pub fuels: Vec<String>,
    /// Empty: every pollutant.
    pub pollutants: Vec<Pollutant>,
    /// Empty: every year.
    pub years: Vec<i32>,
    pub reason: String,
    /// The line of inventory.toml the entry starts on.
    pub line: u64,
}

impl WithoutFactor {
    /// True when the entry covers a year, row, fuel (by name or as the
    /// same fuel of the table) and pollutant (`None`: no factor at all).
    pub fn covers(
        &self,
        year: i32,
        code: &str,
        fuel: Option<&crate::fuel::ActivityFuel>,
        pollutant: Option<Pollutant>,
        fuels: &crate::fuel::Fuels,
    ) -> bool {
        (self.years.is_empty() || self.years.contains(&year))
            && self.codes.iter().any(|c| c == code)
            && (self.fuels.is_empty()
                || fuel.is_some_and(|f| self.fuels.iter().any(|n| fuels.is_activity_fuel(n, f))))
            && (self.pollutants.is_empty()
                || pollutant.is_some_and(|p| self.pollutants.contains(&p)))
    }
}

/// `pollutants = [...]` of a declaration checked (omitted or "all": every
/// pollutant, an empty list).
fn pollutant_list(p: Option<raw::Pollutants>) -> std::result::Result<Vec<Pollutant>, String> {
    match p {
        None | Some(raw::Pollutants::All) => Ok(Vec::new()),
        Some(raw::Pollutants::List(list)) => list
            .iter()
            .map(|s| {
                Pollutant::parse(s).ok_or_else(|| {
                    format!(
                        "'{s}' is not a pollutant id; the ids are {}",
                        Pollutant::id_list()
                    )
                })
            })
            .collect(),
    }
}

/// `years = [...]` of a declaration checked: inventory years.
fn year_list(years: &[i64]) -> std::result::Result<Vec<i32>, String> {
    years
        .iter()
        .map(|y| {
            i32::try_from(*y)
                .map_err(|_| format!("years: {y} is not a year"))
                .and_then(|y| crate::number::parse_year(&y.to_string()))
        })
        .collect()
}

/// A `[[without_factor]]` entry checked: known rows and pollutants, years,
/// a reason.
fn without_factor(w: raw::WithoutFactor, line: u64) -> std::result::Result<WithoutFactor, String> {
    let codes = row_codes(w.code, "1A1c", "1A3ei")?;
    let fuels: Vec<String> = OneOrMany::list(w.fuel)
        .iter()
        .map(|f| f.trim().to_string())
        .collect();
    if fuels.iter().any(|f| f.is_empty()) {
        return Err("fuel: an empty name; leave fuel out for every fuel of the row".into());
    }
    let pollutants = pollutant_list(w.pollutants)?;
    let years = year_list(&w.years)?;
    let reason = w.reason.unwrap_or_default().trim().to_string();
    if reason.is_empty() {
        return Err("reason: say why this activity has no factor (what the Guidebook gives, what would be needed); the reason is what check reports".into());
    }
    Ok(WithoutFactor {
        codes,
        fuels,
        pollutants,
        years,
        reason,
        line,
    })
}

/// A `[[fill]]` table of inventory.toml as written (unknown keys are
/// refused when the file is read); `crate::gap_fill` checks its values.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FillEntry {
    /// One NFR code or a list of codes.
    pub nfr: Option<OneOrMany>,
    pub fuel: Option<String>,
    pub technology: Option<String>,
    #[serde(default)]
    pub years: Vec<crate::config::Scalar>,
    pub method: Option<String>,
    #[serde(default)]
    pub basis: Vec<crate::config::Scalar>,
    /// The other series' values by year (`{ 2023 = "3212" }`).
    #[serde(default)]
    pub surrogate: std::collections::BTreeMap<String, crate::config::Scalar>,
    pub note: Option<String>,
}

/// A `[[splice]]` table of inventory.toml as written (unknown keys are
/// refused when the file is read); `crate::splice` checks its values.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpliceEntry {
    /// The rows the statistics moved activity between: a code or a list.
    pub nfr: Option<OneOrMany>,
    /// Fuels by name (omitted with `fuel_groups`: every series of the rows).
    pub fuels: Option<OneOrMany>,
    /// Fuel groups (`solid`, `liquid`, `gaseous`, `biomass`, `other`).
    pub fuel_groups: Option<OneOrMany>,
    /// The years re-allocated.
    #[serde(default)]
    pub years: Vec<crate::config::Scalar>,
    /// How the rows' total is split: `shares` or `reported`.
    pub basis: Option<String>,
    /// The years whose split is kept (`basis = "shares"`).
    #[serde(default)]
    pub shares_of: Vec<crate::config::Scalar>,
    pub reason: Option<String>,
}

/// A text or a list of texts (`nfr = "3B1a"` or `nfr = ["3B1a", "3B1b"]`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    /// The texts given: none when the setting is left out.
    pub fn list(given: Option<OneOrMany>) -> Vec<String> {
        match given {
            None => Vec::new(),
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v,
        }
    }
}

impl Inventory {
    /// An inventory of one activity file, with no settings.
    pub fn single_file(path: &Path) -> Inventory {
        Inventory {
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            name: path
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("inventory")
                .to_string(),
            activity: vec![ActivitySource {
                path: path.to_path_buf(),
                sheet: None,
                mapping: None,
            }],
            ..Inventory::default()
        }
    }

    /// Reads `dir/inventory.toml`.
    pub fn load(dir: &Path) -> Result<Inventory> {
        let path = dir.join("inventory.toml");
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        parse(&text, dir, &path)
    }
}

/// inventory.toml as written: serde refuses unknown keys, naming them and
/// their line; [`parse`] then checks the values.
mod raw {
    use crate::config::Scalar;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct File {
        pub name: Option<String>,
        pub country: Option<String>,
        #[serde(default)]
        pub years: Vec<Scalar>,
        pub version: Option<String>,
        #[serde(default)]
        pub activity: Vec<Source>,
        #[serde(default)]
        pub factors: Vec<String>,
        #[serde(default)]
        pub history: Vec<String>,
        #[serde(default)]
        pub uncertainties: Vec<String>,
        #[serde(default)]
        pub plants: Vec<Source>,
        #[serde(default)]
        pub fuels: BTreeMap<String, String>,
        #[serde(default)]
        pub ncv: BTreeMap<String, Scalar>,
        #[serde(default)]
        pub sulphur: BTreeMap<String, Scalar>,
        #[serde(default)]
        pub ncv_volume: BTreeMap<String, VolumeNcv>,
        #[serde(default)]
        pub notation_keys: Vec<toml::Spanned<Key>>,
        #[serde(default)]
        pub default_keys: Vec<toml::Spanned<DefaultKey>>,
        #[serde(default)]
        pub adjustments: Vec<toml::Spanned<Adjustment>>,
        #[serde(default)]
        pub fill: Vec<toml::Spanned<super::FillEntry>>,
        #[serde(default)]
        pub without_factor: Vec<toml::Spanned<WithoutFactor>>,
        #[serde(default)]
        pub splice: Vec<toml::Spanned<super::SpliceEntry>>,
    }

    /// `[[without_factor]]`: activity declared to have no factor.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct WithoutFactor {
        pub code: Option<super::OneOrMany>,
        pub fuel: Option<super::OneOrMany>,
        pub pollutants: Option<Pollutants>,
        #[serde(default)]
        pub years: Vec<i64>,
        pub reason: Option<String>,
    }

    /// An activity source: a file name, or `{ file, sheet, mapping }`.
    pub enum Source {
        File(String),
        Entry(Entry),
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Entry {
        pub file: String,
        pub sheet: Option<String>,
        pub mapping: Option<String>,
    }

    impl<'de> Deserialize<'de> for Source {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Source, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Source;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a file name or { file = ..., sheet = ..., mapping = ... }")
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Source, E> {
                    Ok(Source::File(v.to_string()))
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    map: A,
                ) -> Result<Source, A::Error> {
                    Entry::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                        .map(Source::Entry)
                }
            }
            d.deserialize_any(V)
        }
    }

    /// `pollutants = ["NH3"]` or `pollutants = "all"`.
    pub enum Pollutants {
        All,
        List(Vec<String>),
    }

    impl<'de> Deserialize<'de> for Pollutants {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pollutants, D::Error> {
            struct V;
            impl<'de> serde::de::Visitor<'de> for V {
                type Value = Pollutants;
                fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                    f.write_str("a list of pollutant ids, or \"all\"")
                }
                fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Pollutants, E> {
                    if v.trim().eq_ignore_ascii_case("all") {
                        Ok(Pollutants::All)
                    } else {
                        Err(E::custom(format!(
                            "pollutants = \"{v}\": give a list of ids, e.g. [\"{v}\"], or \"all\""
                        )))
                    }
                }
                fn visit_seq<A: serde::de::SeqAccess<'de>>(
                    self,
                    mut seq: A,
                ) -> Result<Pollutants, A::Error> {
                    let mut list = Vec::new();
                    while let Some(p) = seq.next_element::<String>()? {
                        list.push(p);
                    }
                    Ok(Pollutants::List(list))
                }
            }
            d.deserialize_any(V)
        }
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Key {
        pub code: Option<super::OneOrMany>,
        pub pollutants: Option<Pollutants>,
        #[serde(default)]
        pub years: Vec<i64>,
        #[serde(default)]
        pub key: String,
        #[serde(default)]
        pub included_in: String,
        #[serde(default)]
        pub note: String,
    }

    /// `"33.821"` for every year, or `{ 2021 = "33.6", "2022-2024" = "33.8" }`.
    #[derive(Deserialize)]
    #[serde(untagged)]
    pub enum VolumeNcv {
        All(Scalar),
        ByYear(BTreeMap<String, Scalar>),
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct DefaultKey {
        #[serde(default)]
        pub group: String,
        #[serde(default)]
        pub years: Vec<i64>,
        #[serde(default)]
        pub key: String,
        #[serde(default)]
        pub included_in: String,
        #[serde(default)]
        pub note: String,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct Adjustment {
        pub year: Option<Scalar>,
        #[serde(default)]
        pub pollutant: String,
        pub value: Option<Scalar>,
        pub row: Option<String>,
        #[serde(default)]
        pub note: String,
    }
}

fn parse(text: &str, dir: &Path, path: &Path) -> Result<Inventory> {
    let file: raw::File = crate::config::parse(text, path)?;
    let mut inv = Inventory {
        dir: dir.to_path_buf(),
        name: file.name.clone().unwrap_or_else(|| {
            dir.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("inventory")
                .to_string()
        }),
        version: file.version.clone().unwrap_or_default(),
        ..Inventory::default()
    };
    if let Some(c) = &file.country {
        let c = c.trim().to_ascii_uppercase();
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(bad(
                path,
                "country",
                format!("'{c}' is not an ISO 3166-1 alpha-2 code (two letters, e.g. KZ)"),
            ));
        }
        inv.country = Some(c);
    }
    for y in &file.years {
        let year = y.year().map_err(|e| bad(path, "years", e))?;
        if !inv.years.contains(&year) {
            inv.years.push(year);
        }
    }
    inv.years.sort();
    files(&file, dir, path, &mut inv)?;
    inv.fuel_aliases = file.fuels.clone().into_iter().collect();
    fuel_settings(&file, path, &mut inv)?;
    inv.fills = file
        .fill
        .into_iter()
        .map(|f| (crate::config::line_of(text, f.span().start), f.into_inner()))
        .collect();
    inv.splices = file
        .splice
        .into_iter()
        .map(|f| (crate::config::line_of(text, f.span().start), f.into_inner()))
        .collect();
    // An entry's problem, at the line where the entry starts.
    let bad_at = |span: std::ops::Range<usize>, label: &str, problem: String| {
        Error::input(
            crate::error::Location::file(path).with_line(crate::config::line_of(text, span.start)),
            format!("{label}: {problem}"),
        )
    };
    for (i, entry) in file.default_keys.into_iter().enumerate() {
        let label = format!("default_keys entry {}", i + 1);
        let span = entry.span();
        inv.default_keys
            .push(default_key(entry.into_inner()).map_err(|e| bad_at(span, &label, e))?);
    }
    for (i, entry) in file.notation_keys.into_iter().enumerate() {
        let label = format!("notation_keys entry {}", i + 1);
        let span = entry.span();
        inv.keys
            .extend(key_override(entry.into_inner()).map_err(|e| bad_at(span, &label, e))?);
    }
    for (i, entry) in file.without_factor.into_iter().enumerate() {
        let label = format!("without_factor entry {}", i + 1);
        let span = entry.span();
        let line = crate::config::line_of(text, span.start);
        inv.without_factor
            .push(without_factor(entry.into_inner(), line).map_err(|e| bad_at(span, &label, e))?);
    }
    for (i, entry) in file.adjustments.into_iter().enumerate() {
        let label = format!("adjustments entry {}", i + 1);
        let span = entry.span();
        let a = adjustment(entry.into_inner()).map_err(|e| bad_at(span.clone(), &label, e))?;
        if !inv.years.is_empty() && !inv.years.contains(&a.year) {
            return Err(bad_at(
                span,
                &label,
                format!("{} is not one of the inventory's years", a.year),
            ));
        }
        inv.adjustments.push(a);
    }
    Ok(inv)
}

/// A setting's problem, in inventory.toml.
fn bad(path: &Path, key: &str, problem: String) -> Error {
    Error::file(path, format!("{key}: {problem}"))
}

/// The files an inventory names (activity, factors, history,
/// uncertainties), relative to its folder: each name checked, no activity
/// file listed twice.
fn files(file: &raw::File, dir: &Path, path: &Path, inv: &mut Inventory) -> Result<()> {
    // A file name with a control character (a NUL pasted from elsewhere)
    // cannot name a file: said with its setting, not as the system's error.
    let plain =
        |key: &str, name: &str| crate::config::check_file_name(name).map_err(|e| bad(path, key, e));
    for source in &file.activity {
        match source {
            raw::Source::File(f) => plain("activity", f)?,
            raw::Source::Entry(e) => {
                plain("activity", &e.file)?;
                if let Some(m) = &e.mapping {
                    plain("activity mapping", m)?;
                }
            }
        }
    }
    for (key, names) in [
        ("factors", &file.factors),
        ("history", &file.history),
        ("uncertainties", &file.uncertainties),
    ] {
        for name in names {
            plain(key, name)?;
        }
    }
    for source in &file.activity {
        inv.activity.push(match source {
            raw::Source::File(f) => ActivitySource {
                path: dir.join(f),
                sheet: None,
                mapping: None,
            },
            raw::Source::Entry(e) => ActivitySource {
                path: dir.join(&e.file),
                sheet: e.sheet.clone(),
                mapping: e.mapping.as_ref().map(|m| dir.join(m)),
            },
        });
    }
    // The same file (and sheet and mapping) listed twice would be counted
    // twice: `a.csv` and `activity/../a.csv` are one file.
    let same_place = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    for (i, a) in inv.activity.iter().enumerate() {
        let key = |s: &ActivitySource| {
            (
                same_place(&s.path),
                s.sheet.clone(),
                s.mapping.as_deref().map(same_place),
            )
        };
        if let Some(j) = inv.activity[..i].iter().position(|b| key(b) == key(a)) {
            return Err(bad(
                path,
                "activity",
                format!(
                    "entries {} and {} name the same file{} ({}), which would be counted twice; list it once",
                    j + 1,
                    i + 1,
                    a.sheet
                        .as_deref()
                        .map(|s| format!(" and sheet '{s}'"))
                        .unwrap_or_default(),
                    a.path.display()
                ),
            ));
        }
    }
    inv.factors = file.factors.iter().map(|f| dir.join(f)).collect();
    inv.history = file.history.iter().map(|f| dir.join(f)).collect();
    inv.uncertainties = file.uncertainties.iter().map(|f| dir.join(f)).collect();
    inv.plants = plant_registers(&file.plants, dir, path)?;
    Ok(())
}

/// The plant registers (`plants = [...]`): files, or `{ file, sheet }`; a
/// register is read as it is, never through a mapping.
fn plant_registers(
    sources: &[raw::Source],
    dir: &Path,
    path: &Path,
) -> Result<Vec<ActivitySource>> {
    let mut out = Vec::new();
    for source in sources {
        let (file, sheet) = match source {
            raw::Source::File(f) => (f, None),
            raw::Source::Entry(e) => {
                if e.mapping.is_some() {
                    return Err(bad(
                        path,
                        "plants",
                        format!(
                            "{}: a plant register is read as it is (one row per plant and year), not through a mapping",
                            e.file
                        ),
                    ));
                }
                (&e.file, e.sheet.clone())
            }
        };
        crate::config::check_file_name(file).map_err(|e| bad(path, "plants", e))?;
        out.push(ActivitySource {
            path: dir.join(file),
            sheet,
            mapping: None,
        });
    }
    Ok(out)
}

/// The fuels' own values: net calorific values per tonne (`[ncv]`) and per
/// volume (`[ncv_volume]`), sulphur contents (`[sulphur]`), each in its
/// range.
fn fuel_settings(file: &raw::File, path: &Path, inv: &mut Inventory) -> Result<()> {
    for (fuel, value) in &file.ncv {
        let d = setting(value, &format!("[ncv] {fuel}"), &mut inv.rounded)
            .map_err(|e| bad(path, "ncv", format!("{fuel}: {e}")))?;
        // The fuels of the Guidebook run from about 5 (wet wood) to 120
        // (hydrogen) GJ/t: a value beyond 1000 is a typo, and would take
        // the conversions beyond the range of exact decimals.
        if d <= Decimal::ZERO || d > Decimal::ONE_THOUSAND {
            return Err(bad(
                path,
                "ncv",
                format!(
                    "{fuel}: {} GJ/t is not a net calorific value (fuels have more than 0 and at most 1000 GJ per tonne; hydrogen, the highest, about 120)",
                    crate::suggest::clip(&crate::number::format_decimal(d))
                ),
            ));
        }
        inv.ncv.push((fuel.clone(), d));
    }
    for (fuel, value) in &file.sulphur {
        let d = setting(value, &format!("[sulphur] {fuel}"), &mut inv.rounded)
            .map_err(|e| bad(path, "sulphur", format!("{fuel}: {e}")))?;
        // mg of sulphur per kg of fuel: 0 to 10^6 (all of it); a negative
        // content would give a negative SO2.
        if d < Decimal::ZERO || d > Decimal::from(1_000_000) {
            return Err(bad(
                path,
                "sulphur",
                format!(
                    "{fuel}: {} mg/kg is not a sulphur content (0 to 1 000 000 mg per kg of fuel; heavy fuel oil has about 10 000)",
                    crate::suggest::clip(&crate::number::format_decimal(d))
                ),
            ));
        }
        inv.sulphur.push((fuel.clone(), d));
    }
    for (fuel, value) in &file.ncv_volume {
        let positive = |d: Decimal| {
            if d > Decimal::ZERO {
                Ok(d)
            } else {
                Err(bad(
                    path,
                    "ncv_volume",
                    format!("{fuel}: {d} is not a calorific value (MJ per m3, above zero)"),
                ))
            }
        };
        match value {
            raw::VolumeNcv::All(v) => {
                let d = setting(v, &format!("[ncv_volume] {fuel}"), &mut inv.rounded)
                    .map_err(|e| bad(path, "ncv_volume", format!("{fuel}: {e}")))?;
                inv.ncv_volume.push((fuel.clone(), None, positive(d)?));
            }
            raw::VolumeNcv::ByYear(years) => {
                for (range, v) in years {
                    let years = crate::number::parse_year_range(range)
                        .map_err(|e| bad(path, "ncv_volume", format!("{fuel}: {e}")))?;
                    let d = setting(v, &format!("[ncv_volume] {fuel} {range}"), &mut inv.rounded)
                        .map_err(|e| bad(path, "ncv_volume", format!("{fuel} {range}: {e}")))?;
                    inv.ncv_volume
                        .push((fuel.clone(), Some(years), positive(d)?));
                }
            }
        }
    }
    Ok(())
}

/// A number of a setting; when it had digits beyond the 28th decimal place,
/// a line saying it was rounded (`what`: where it is written).
fn setting(
    value: &crate::config::Scalar,
    what: &str,
    rounded: &mut Vec<String>,
) -> std::result::Result<Decimal, String> {
    let r = value.read()?;
    if r.rounded {
        rounded.push(format!(
            "inventory.toml {what}: {} has digits beyond the 28th decimal place, which exact decimals do not hold: rounded to {}",
            value.text(),
            crate::number::format_decimal(r.value)
        ));
    }
    Ok(r.value)
}

fn adjustment(a: raw::Adjustment) -> std::result::Result<Adjustment, String> {
    let year = a
        .year
        .ok_or("year = <the year adjusted> is required")?
        .year()?;
    let pollutant = Pollutant::parse(&a.pollutant).ok_or_else(|| {
        format!(
            "pollutant '{}' is not a pollutant id; the ids are {}",
            a.pollutant,
            Pollutant::id_list()
        )
    })?;
    let value = a
        .value
        .ok_or("value = <negative number> is required")?
        .decimal()
        .map_err(|e| format!("value: {e}"))?;
    // 10^12 kt is far beyond any national total, and keeps every sum of
    // adjustments and emissions within the range of exact decimals.
    if value < -Decimal::from(1_000_000_000_000i64) {
        return Err(format!(
            "value {} is beyond any national total (at most 10^12 in magnitude, in the pollutant's unit); check it",
            crate::number::format_decimal(value)
        ));
    }
    if value > Decimal::ZERO {
        return Err(format!(
            "value {} is positive; approved adjustments are reported as negative values (template notes (c) and (d))",
            crate::number::format_decimal(value)
        ));
    }
    let row = match a.row.as_deref().map(|s| s.trim().to_ascii_lowercase()) {
        Some(r) if r == "clrtap" => AdjustmentRow::Clrtap,
        Some(r) if r == "necd" => AdjustmentRow::Necd,
        other => {
            return Err(format!(
                "row {} is not known: row = \"clrtap\" (ADJUSTMENTS, row 151) or row = \"necd\" (ADJUSTMENTS AND FLEXIBILITIES, row 153)",
                other
                    .map(|o| format!("'{o}'"))
                    .unwrap_or_else(|| "(missing)".into())
            ));
        }
    };
    Ok(Adjustment {
        year,
        pollutant,
        value,
        row,
        note: a.note,
    })
}

/// True when a template row belongs to a sector group: its code starts
/// with the group (`1B` holds 1B1a ... 1B2d) or its GNFR sector is it.
pub fn in_group(row: &crate::nfr::Row, group: &str) -> bool {
    row.code.starts_with(group) || row.gnfr.eq_ignore_ascii_case(group)
}

fn default_key(k: raw::DefaultKey) -> std::result::Result<KeyOverride, String> {
    let group = k.group.trim().replace('.', "");
    if group.is_empty() {
        return Err(
            "group = \"<code prefix or GNFR sector>\" is required, e.g. group = \"1B\"".into(),
        );
    }
    let group = crate::nfr::rows()
        .iter()
        .find_map(|r| {
            if r.gnfr.eq_ignore_ascii_case(&group) {
                Some(r.gnfr.clone())
            } else if r.code.to_ascii_lowercase().starts_with(&group.to_ascii_lowercase()) {
                Some(r.code[..group.len()].to_string())
            } else {
                None
            }
        })
        .ok_or_else(|| {
            format!(
                "group '{group}' is no row's code prefix (1B, 2D3, 3B) or GNFR sector (K_AgriLivestock)"
            )
        })?;
    // The key checked as for one row of the group, then given the group.
    let row = key_override(raw::Key {
        code: crate::nfr::rows()
            .iter()
            .find(|r| in_group(r, &group))
            .map(|r| OneOrMany::One(r.code.clone())),
        pollutants: None,
        years: k.years,
        key: k.key,
        included_in: k.included_in,
        note: k.note,
    })?
    .into_iter()
    .next()
    .ok_or_else(|| format!("group '{group}' has no row"))?;
    Ok(KeyOverride { code: group, ..row })
}

/// The Annex I rows a setting `code` names, one or a list; `first` and
/// `second` are the codes its message shows as examples.
fn row_codes(
    code: Option<OneOrMany>,
    first: &str,
    second: &str,
) -> std::result::Result<Vec<String>, String> {
    let codes = OneOrMany::list(code)
        .iter()
        .map(|c| {
            crate::nfr::find(c.trim())
                .map(|r| r.code.clone())
                .ok_or_else(|| crate::nfr::unknown_code_message(c.trim()))
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if codes.is_empty() {
        return Err(format!(
            "code: give the row (code = \"{first}\") or rows (code = [\"{first}\", \"{second}\"])"
        ));
    }
    Ok(codes)
}

/// A `[[notation_keys]]` entry: the same key for each row it names.
fn key_override(k: raw::Key) -> std::result::Result<Vec<KeyOverride>, String> {
    let codes = row_codes(k.code, "1A5a", "1A5b")?;
    let key_text = k.key.trim();
    let key = NotationKey::parse(key_text)
        .ok_or_else(|| format!("key '{key_text}' is not a notation key (NO, NE, NA, IE, C, NR)"))?;
    let pollutants = pollutant_list(k.pollutants)?;
    let years = year_list(&k.years)?;
    let included_in = k.included_in.trim().to_string();
    if key == NotationKey::IE {
        if included_in.is_empty() {
            return Err(
                "IE must say where the emission is included: add included_in = \"<NFR code>\""
                    .into(),
            );
        }
        if crate::nfr::find(&included_in).is_none() {
            return Err(format!(
                "included_in: {}",
                crate::nfr::unknown_code_message(&included_in)
            ));
        }
    }
    let note = k.note.trim().to_string();
    Ok(codes
        .into_iter()
        .map(|code| KeyOverride {
            code,
            pollutants: pollutants.clone(),
            years: years.clone(),
            key,
            included_in: included_in.clone(),
            note: note.clone(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Inventory> {
        parse(text, Path::new("inv"), Path::new("inv/inventory.toml"))
    }

    #[test]
    fn a_file_name_with_a_control_character_is_named_with_its_setting() {
        // Fuzzing found (issue 17): a NUL in a path gave the system's
        // "file name contained an unexpected NUL byte" under the joined path.
        let e = load("years = [2022]\nactivity = [\"\\u0000activity/a.csv\"]\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "inv/inventory.toml: activity: '\\0activity/a.csv' is not a file name: it holds the control character U+0000"
        );
        let e = load("years = [2022]\nfactors = [\"f\\tx.csv\"]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("factors: 'f\\tx.csv' is not a file name"), "{e}");
    }

    #[test]
    fn reads_a_full_inventory() {
        let inv = load(
            r#"
name = "X"
country = "kz"
years = [2022, 2005]
activity = ["a.csv", { file = "b.xlsx", sheet = "2022" }, { file = "eb.csv", mapping = "m.toml" }]
factors = ["cs.csv"]
[fuels]
"Energy hard coal" = "Hard Coal"
[ncv]
Diesel = 42.9
Petrol = "44.1"
[[notation_keys]]
code = "1A4ai"
pollutants = ["NH3"]
key = "IE"
included_in = "1A4bi"
"#,
        )
        .unwrap();
        assert_eq!(inv.country.as_deref(), Some("KZ"));
        assert_eq!(inv.years, [2005, 2022]);
        assert_eq!(inv.activity[1].sheet.as_deref(), Some("2022"));
        assert_eq!(inv.activity[0].path, Path::new("inv/a.csv"));
        assert_eq!(inv.activity[0].mapping, None);
        assert_eq!(
            inv.activity[2].mapping.as_deref(),
            Some(Path::new("inv/m.toml"))
        );
        assert_eq!(inv.ncv[0].1, Decimal::from_str_exact("42.9").unwrap());
        assert_eq!(inv.keys[0].pollutants, [Pollutant::NH3]);
    }

    #[test]
    fn reads_adjustments_exactly() {
        let inv = load(
            r#"
years = [2005, 2022]
[[adjustments]]
year = 2022
pollutant = "NH3"
value = "-1.25"
row = "clrtap"
[[adjustments]]
year = "2005"
pollutant = "NOx"
value = -0.1
row = "NECD"
note = "flexibility"
"#,
        )
        .unwrap();
        assert_eq!(inv.adjustments.len(), 2);
        assert_eq!(inv.adjustments[0].pollutant, Pollutant::NH3);
        assert_eq!(
            inv.adjustments[0].value,
            Decimal::from_str_exact("-1.25").unwrap()
        );
        assert_eq!(inv.adjustments[0].row, AdjustmentRow::Clrtap);
        assert_eq!(inv.adjustments[1].year, 2005);
        assert_eq!(
            inv.adjustments[1].value,
            Decimal::from_str_exact("-0.1").unwrap()
        );
        assert_eq!(inv.adjustments[1].row, AdjustmentRow::Necd);
    }

    #[test]
    fn reads_volume_ncvs_by_year_and_default_keys_by_group() {
        let inv = load(
            r#"
years = [2021, 2022]
[ncv_volume]
"Natural gas" = "33.821"
"Coke oven gas" = { 2021 = "16.7", "2022-2024" = 16.9 }
[[default_keys]]
group = "1.B"
key = "NO"
note = "no mining"
[[default_keys]]
group = "k_agrilivestock"
key = "NA"
"#,
        )
        .unwrap();
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(
            inv.ncv_volume,
            [
                ("Coke oven gas".to_string(), Some((2021, 2021)), d("16.7")),
                ("Coke oven gas".to_string(), Some((2022, 2024)), d("16.9")),
                ("Natural gas".to_string(), None, d("33.821")),
            ]
        );
        assert_eq!(inv.default_keys[0].code, "1B");
        assert_eq!(inv.default_keys[0].key, NotationKey::NO);
        assert_eq!(inv.default_keys[1].code, "K_AgriLivestock");
        let row = crate::nfr::find("1B2c").unwrap();
        assert!(in_group(row, "1B") && !in_group(row, "1B1"));
        assert!(in_group(
            crate::nfr::find("3B1a").unwrap(),
            "K_AgriLivestock"
        ));
        let e = load("[[default_keys]]\ngroup = \"9Z\"\nkey = \"NO\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1") && e.contains("group '9Z' is no row's code prefix"),
            "{e}"
        );
        let e = load("[ncv_volume]\n\"Natural gas\" = \"0\"\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a calorific value"), "{e}");
        let e = load("[ncv_volume]\n\"Natural gas\" = { \"2024-2022\" = \"33\" }\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("the first year is after the last"), "{e}");
    }

    #[test]
    fn a_toml_mistake_is_named_at_its_line() {
        let e = load("name = \"x\"\nyears = [2022\nactivity = [\"a.csv\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("inv/inventory.toml, line 3: is not valid TOML"),
            "{e}"
        );
    }

    #[test]
    fn one_notation_key_entry_may_name_several_rows() {
        let inv = load(
            "[[notation_keys]]\ncode = [\"1A5a\", \"1A5b\"]\nkey = \"NO\"\nnote = \"no military\"",
        )
        .unwrap();
        let codes: Vec<&str> = inv.keys.iter().map(|k| k.code.as_str()).collect();
        assert_eq!(codes, ["1A5a", "1A5b"]);
        assert!(
            inv.keys
                .iter()
                .all(|k| k.key == NotationKey::NO && k.note == "no military")
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = load("contry = \"KZ\"").unwrap_err().to_string();
        assert!(e.contains("contry") && e.contains("not a setting"), "{e}");
        // A misspelt field of an entry is refused, not ignored (a typo
        // `pollutant` would otherwise apply the key to every pollutant).
        let e = load("name = \"x\"\n[[notation_keys]]\ncode = \"1A4ai\"\npollutant = [\"NH3\"]\nkey = \"NE\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("inv/inventory.toml, line 4: 'pollutant' is not a setting here; the settings are code, pollutants"),
            "{e}"
        );
        let e = load("activity = [{ file = \"a.csv\", sheeet = \"x\" }]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("'sheeet' is not a setting"), "{e}");
        let e = load("[[notation_keys]]\ncode = \"1A4ai\"\nkey = \"IE\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("included_in"), "{e}");
        let e = load("[[notation_keys]]\ncode = \"1A9\"\nkey = \"NO\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an NFR code"), "{e}");
        let e = load("[[notation_keys]]\ncode = []\nkey = \"NO\"")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 1") && e.contains("code: give the row (code = \"1A5a\") or rows"),
            "{e}"
        );
        let e = load("[[notation_keys]]\nkey = \"NO\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("code: give the row"), "{e}");
        let e = load(
            "years = [2022]\n[[adjustments]]\nyear = 2022\npollutant = \"NOx\"\nvalue = \"1.5\"\nrow = \"clrtap\"",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("adjustments entry 1") && e.contains("positive"),
            "{e}"
        );
        let e = load(
            "years = [2022]\n[[adjustments]]\nyear = 2021\npollutant = \"NOx\"\nvalue = -1\nrow = \"clrtap\"",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("2021 is not one of the inventory's years"),
            "{e}"
        );
        let e = load("[[adjustments]]\nyear = 2022\npollutant = \"NOx\"\nvalue = -1\nrow = \"eu\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("row = \"clrtap\""), "{e}");
        let e = load("country = \"Kazakhstan\"").unwrap_err().to_string();
        assert!(e.contains("ISO"), "{e}");
        assert!(load("years = [1800]").is_err());
    }
}
