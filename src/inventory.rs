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
//!
//! [fuels]                        # the compiler's own fuel names
//! "Energy hard coal" = "Hard Coal"
//!
//! [ncv]                          # net calorific values, GJ per tonne
//! Diesel = "42.9"
//!
//! [[notation_keys]]              # keys for cells with no estimate
//! code = "1A4ai"
//! pollutants = ["NH3"]           # or "all"
//! key = "IE"
//! included_in = "1A4bi"          # required for IE
//! note = "Reported with residential combustion"
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

/// An inventory as described by its inventory.toml.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
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
    pub keys: Vec<KeyOverride>,
    pub adjustments: Vec<Adjustment>,
    /// Uncertainty files (`uncertainties = [...]`) for `airinv uncertainty`.
    pub uncertainties: Vec<PathBuf>,
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

fn parse(text: &str, dir: &Path, path: &Path) -> Result<Inventory> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        // The line of the mistake, as an editor shows it.
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() as u64 + 1);
        let message = format!("is not valid TOML: {}", e.message().trim());
        match line {
            Some(line) => Error::input(crate::error::Location::file(path).with_row(line), message),
            None => Error::file(path, message),
        }
    })?;
    let bad = |key: &str, problem: String| Error::file(path, format!("{key}: {problem}"));
    let known = [
        "name",
        "country",
        "years",
        "version",
        "activity",
        "factors",
        "history",
        "fuels",
        "ncv",
        "notation_keys",
        "adjustments",
        "uncertainties",
    ];
    for key in doc.keys() {
        if !known.contains(&key.as_str()) {
            return Err(bad(
                key,
                format!(
                    "is not a setting of inventory.toml; the settings are {}",
                    known.join(", ")
                ),
            ));
        }
    }
    let string = |key: &str| -> Result<Option<String>> {
        match doc.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad(key, "must be text in quotes".into())),
        }
    };
    let mut inv = Inventory {
        dir: dir.to_path_buf(),
        name: string("name")?.unwrap_or_else(|| {
            dir.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("inventory")
                .to_string()
        }),
        version: string("version")?.unwrap_or_default(),
        ..Inventory::default()
    };
    if let Some(c) = string("country")? {
        let c = c.trim().to_ascii_uppercase();
        if c.len() != 2 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
            return Err(bad(
                "country",
                format!("'{c}' is not an ISO 3166-1 alpha-2 code (two letters, e.g. KZ)"),
            ));
        }
        inv.country = Some(c);
    }
    if let Some(v) = doc.get("years") {
        let list = v
            .as_array()
            .ok_or_else(|| bad("years", "must be a list of years, e.g. [2005, 2022]".into()))?;
        for y in list {
            let text = match y {
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let year = crate::activity::parse_year(&text).map_err(|e| bad("years", e))?;
            if !inv.years.contains(&year) {
                inv.years.push(year);
            }
        }
        inv.years.sort();
    }
    if let Some(v) = doc.get("activity") {
        let list = v
            .as_array()
            .ok_or_else(|| bad("activity", "must be a list of files".into()))?;
        for item in list {
            let source = match item {
                toml::Value::String(s) => ActivitySource {
                    path: dir.join(s),
                    sheet: None,
                    mapping: None,
                },
                toml::Value::Table(t) => {
                    let file = t.get("file").and_then(|f| f.as_str()).ok_or_else(|| {
                        bad("activity", "each { } entry needs file = \"...\"".into())
                    })?;
                    if let Some(k) = t
                        .keys()
                        .find(|k| !["file", "sheet", "mapping"].contains(&k.as_str()))
                    {
                        return Err(bad(
                            "activity",
                            format!(
                                "'{k}' is not a setting of an entry; they are file, sheet, mapping"
                            ),
                        ));
                    }
                    ActivitySource {
                        path: dir.join(file),
                        sheet: t.get("sheet").and_then(|s| s.as_str()).map(String::from),
                        mapping: t
                            .get("mapping")
                            .and_then(|m| m.as_str())
                            .map(|m| dir.join(m)),
                    }
                }
                _ => {
                    return Err(bad(
                        "activity",
                        "entries are file names or { file = ..., sheet = ..., mapping = ... }"
                            .into(),
                    ));
                }
            };
            inv.activity.push(source);
        }
    }
    if let Some(v) = doc.get("factors") {
        let list = v
            .as_array()
            .ok_or_else(|| bad("factors", "must be a list of files".into()))?;
        for item in list {
            let s = item
                .as_str()
                .ok_or_else(|| bad("factors", "entries are file names".into()))?;
            inv.factors.push(dir.join(s));
        }
    }
    if let Some(v) = doc.get("uncertainties") {
        let list = v
            .as_array()
            .ok_or_else(|| bad("uncertainties", "must be a list of files".into()))?;
        for item in list {
            let s = item
                .as_str()
                .ok_or_else(|| bad("uncertainties", "entries are file names".into()))?;
            inv.uncertainties.push(dir.join(s));
        }
    }
    if let Some(v) = doc.get("history") {
        let list = v
            .as_array()
            .ok_or_else(|| bad("history", "must be a list of workbooks or folders".into()))?;
        for item in list {
            let s = item
                .as_str()
                .ok_or_else(|| bad("history", "entries are file or folder names".into()))?;
            inv.history.push(dir.join(s));
        }
    }
    if let Some(v) = doc.get("fuels") {
        let t = v.as_table().ok_or_else(|| {
            bad(
                "fuels",
                "must be a table of \"your name\" = \"Guidebook fuel\"".into(),
            )
        })?;
        for (alias, fuel) in t {
            let fuel = fuel
                .as_str()
                .ok_or_else(|| bad("fuels", format!("'{alias}' must name a fuel in quotes")))?;
            inv.fuel_aliases.push((alias.clone(), fuel.to_string()));
        }
    }
    if let Some(v) = doc.get("ncv") {
        let t = v
            .as_table()
            .ok_or_else(|| bad("ncv", "must be a table of fuel = GJ per tonne".into()))?;
        for (fuel, value) in t {
            let d = decimal_value(value).map_err(|e| bad("ncv", format!("{fuel}: {e}")))?;
            inv.ncv.push((fuel.clone(), d));
        }
    }
    if let Some(v) = doc.get("notation_keys") {
        let list = v
            .as_array()
            .ok_or_else(|| bad("notation_keys", "must be [[notation_keys]] entries".into()))?;
        for (i, item) in list.iter().enumerate() {
            let label = format!("notation_keys entry {}", i + 1);
            let t = item
                .as_table()
                .ok_or_else(|| bad(&label, "must be a table".into()))?;
            inv.keys
                .push(parse_key_override(t).map_err(|e| bad(&label, e))?);
        }
    }
    if let Some(v) = doc.get("adjustments") {
        let list = v
            .as_array()
            .ok_or_else(|| bad("adjustments", "must be [[adjustments]] entries".into()))?;
        for (i, item) in list.iter().enumerate() {
            let label = format!("adjustments entry {}", i + 1);
            let t = item
                .as_table()
                .ok_or_else(|| bad(&label, "must be a table".into()))?;
            let a = parse_adjustment(t).map_err(|e| bad(&label, e))?;
            if !inv.years.is_empty() && !inv.years.contains(&a.year) {
                return Err(bad(
                    &label,
                    format!("{} is not one of the inventory's years", a.year),
                ));
            }
            inv.adjustments.push(a);
        }
    }
    Ok(inv)
}

fn parse_adjustment(t: &toml::Table) -> std::result::Result<Adjustment, String> {
    for key in t.keys() {
        if !["year", "pollutant", "value", "row", "note"].contains(&key.as_str()) {
            return Err(format!(
                "'{key}' is not a field of an adjustment; the fields are year, pollutant, value, row, note"
            ));
        }
    }
    let year = match t.get("year") {
        Some(toml::Value::Integer(i)) => crate::activity::parse_year(&i.to_string())?,
        Some(toml::Value::String(s)) => crate::activity::parse_year(s)?,
        _ => return Err("year = <the year adjusted> is required".into()),
    };
    let pollutant_text = t.get("pollutant").and_then(|v| v.as_str()).unwrap_or("");
    let pollutant = Pollutant::parse(pollutant_text).ok_or_else(|| {
        format!(
            "pollutant '{pollutant_text}' is not a pollutant id; the ids are {}",
            Pollutant::id_list()
        )
    })?;
    let value = decimal_value(
        t.get("value")
            .ok_or("value = <negative number> is required")?,
    )
    .map_err(|e| format!("value: {e}"))?;
    if value > Decimal::ZERO {
        return Err(format!(
            "value {} is positive; approved adjustments are reported as negative values (template notes (c) and (d))",
            crate::number::format_decimal(value)
        ));
    }
    let row = match t
        .get("row")
        .and_then(|v| v.as_str())
        .map(|s| s.trim().to_ascii_lowercase())
    {
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
        note: t
            .get("note")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string(),
    })
}

fn parse_key_override(t: &toml::Table) -> std::result::Result<KeyOverride, String> {
    let text = |k: &str| {
        t.get(k)
            .and_then(|v| v.as_str())
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let code_text = text("code");
    let row =
        crate::nfr::find(&code_text).ok_or_else(|| crate::nfr::unknown_code_message(&code_text))?;
    let key_text = text("key");
    let key = NotationKey::parse(&key_text)
        .ok_or_else(|| format!("key '{key_text}' is not a notation key (NO, NE, NA, IE, C, NR)"))?;
    let pollutants = match t.get("pollutants") {
        None => Vec::new(),
        Some(toml::Value::String(s)) if s.eq_ignore_ascii_case("all") => Vec::new(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|p| {
                let s = p.as_str().unwrap_or("");
                Pollutant::parse(s).ok_or_else(|| {
                    format!(
                        "'{s}' is not a pollutant id; the ids are {}",
                        Pollutant::id_list()
                    )
                })
            })
            .collect::<std::result::Result<_, _>>()?,
        Some(_) => return Err("pollutants must be a list of ids or \"all\"".into()),
    };
    let years = match t.get("years") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|y| {
                y.as_integer()
                    .and_then(|i| i32::try_from(i).ok())
                    .ok_or("years must be whole numbers")
            })
            .collect::<std::result::Result<_, _>>()?,
        Some(_) => return Err("years must be a list".into()),
    };
    let included_in = text("included_in");
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
    Ok(KeyOverride {
        code: row.code.clone(),
        pollutants,
        years,
        key,
        included_in,
        note: text("note"),
    })
}

/// A decimal from TOML: text, an integer, or a float (through the audited
/// shortest-text conversion, so `42.9` is 42.9).
pub fn decimal_value(v: &toml::Value) -> std::result::Result<Decimal, String> {
    match v {
        toml::Value::String(s) => crate::number::parse_decimal(s).map_err(|e| e.to_string()),
        toml::Value::Integer(i) => Ok(Decimal::from(*i)),
        toml::Value::Float(f) => crate::number::from_excel(*f).map_err(|e| e.to_string()),
        other => Err(format!("'{other}' is not a number")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Inventory> {
        parse(text, Path::new("inv"), Path::new("inv/inventory.toml"))
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
    fn a_toml_mistake_is_named_at_its_line() {
        let e = load("name = \"x\"\nyears = [2022\nactivity = [\"a.csv\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("inv/inventory.toml, row 3: is not valid TOML"),
            "{e}"
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = load("contry = \"KZ\"").unwrap_err().to_string();
        assert!(e.contains("contry") && e.contains("not a setting"), "{e}");
        let e = load("[[notation_keys]]\ncode = \"1A4ai\"\nkey = \"IE\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("included_in"), "{e}");
        let e = load("[[notation_keys]]\ncode = \"1A9\"\nkey = \"NO\"")
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an NFR code"), "{e}");
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
