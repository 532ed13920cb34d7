//! Mappings: from a sheet laid out for people to airinv's activity rows.
//!
//! Statistics rarely come as a tidy table. A national energy balance is a
//! wide sheet: balance lines down the side, years and fuels across the top,
//! subtotals between the lines. A mapping is a TOML file that says how to
//! read such a sheet and where each of its cells goes:
//!
//! ```toml
//! name = "National energy balance 2021-2024"
//! source = "Statistics office, energy balance tables (licence ...)"
//!
//! [sheet]
//! name = "Balance"          # the workbook sheet (not for CSV files)
//! line_column = "A"         # the column holding the balance lines
//! year_row = 1              # the row holding the years (or: year = 2022)
//! fuel_row = 2              # the row holding the fuel names
//! first_data_row = 3        # default: the row after the header rows
//! unit = "TJ"               # the unit of the sheet's numbers
//! write_unit = "TJ"         # the unit written (an exact conversion)
//! empty = ["-", "x"]        # cell texts meaning "no data"
//! years = [2021, 2022]      # read only these years (default: all)
//!
//! [[fuels]]                 # a source fuel → a Guidebook fuel
//! fuel = "Hard Coal"
//! names = { 2021 = "Other bituminous coal", "2022-2024" = "Energy hard coal" }
//!
//! [[fuels]]                 # fuels that are not burnt: excluded, with why
//! names = ["Electricity", "Heat"]
//! exclude = "electricity and heat are not burnt where they are used"
//!
//! [[fuels]]                 # the sheet's total over the fuels
//! names = ["Total"]
//! total = true
//!
//! [[lines]]                 # a balance line → an NFR code
//! names = ["Main activity CHP plants"]
//! nfr = "1A1a"
//!
//! [[lines]]                 # one line to several codes, by fuel or share
//! names = ["Road transport"]
//! to = [
//!   { nfr = "1A3bi", fuels = ["Gasoline"], share = "0.9" },
//!   { nfr = "1A3biv", fuels = ["Gasoline"], share = "0.1" },
//!   { nfr = "1A3biii", fuels = ["Diesel"] },
//! ]
//! rest = "other fuels of road transport are not burnt in engines"
//!
//! [[lines]]                 # a line left out, with why
//! names = ["Exports"]
//! exclude = "supply, not consumption"
//!
//! [[lines]]                 # a subtotal: not counted twice, and checked
//! names = ["Transport sector"]
//! subtotal_of = ["Road transport", "Rail"]
//! tolerance = "0.5"         # in the sheet's unit, per cell
//! ```
//!
//! Names are matched as written (ignoring repeated spaces). A name may be
//! given for all years (`names = ["A", "B"]`) or per year
//! (`{ 2021 = "A", "2022-2024" = "B" }`), since statistics offices rename
//! lines and fuels. Every name a mapping gives must be in the sheet; a
//! per-year name must be in each of its years.
//!
//! Shares are exact decimals between 0 and 1; for each fuel the shares of a
//! line's targets sum to at most 1, and when they sum to less, `rest` says
//! why the rest is not mapped. Targets with `fuels` apply to those fuels
//! (the Guidebook fuels of `[[fuels]]`); targets without apply to the others.
//!
//! A subtotal (`subtotal_of`) is checked cell by cell against the sum of its
//! parts. A difference beyond the tolerance is reported, unless the mapping
//! either maps it (`[lines.remainder]`, with `nfr`/`to`/`rest` like a line:
//! the parts of a subtotal a sheet does not show) or accepts it
//! (`accept = [{ year, fuel, difference, note }]`, the exact difference, so
//! that a changed sheet is checked again).
//!
//! Converting a sheet ([`convert`]) gives every non-empty number cell one
//! outcome: mapped (to activity rows), excluded (with the reason) or
//! unmapped (with what the mapping lacks); and for every subtotal and year,
//! how much of its energy was mapped, excluded and left unmapped.

use crate::error::{Error, Location, Result, column_letters};
use crate::number::{format_decimal, parse_decimal};
use crate::sheet::Sheet;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// A mapping, read and checked.
#[derive(Debug, Clone)]
pub struct Mapping {
    /// The TOML file, for messages.
    pub path: PathBuf,
    pub name: String,
    /// Where the sheet comes from (publisher, licence).
    pub source: String,
    pub layout: Layout,
    pub fuels: Vec<FuelRule>,
    pub lines: Vec<LineRule>,
}

/// How the sheet is laid out.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The workbook sheet; the first sheet when not given.
    pub sheet: Option<String>,
    /// The column of the line names (0-based).
    pub line_column: usize,
    pub year: YearSource,
    /// The row of the fuel names (1-based, as a spreadsheet shows it).
    pub fuel_row: u64,
    pub first_data_row: u64,
    /// The unit of the sheet's numbers.
    pub unit: String,
    /// The unit written to the activity rows.
    pub write_unit: String,
    /// `write_unit`s per `unit` (exact).
    pub factor: Decimal,
    /// Cell texts that mean "no data".
    pub empty: Vec<String>,
    /// The years read; empty: all.
    pub years: Vec<i32>,
}

/// Where a column's year comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearSource {
    /// A header row; an empty cell takes the year of the column to its left
    /// (merged cells in a workbook).
    Row(u64),
    /// One year for the whole sheet.
    Fixed(i32),
}

/// A name in the sheet, for all years or some.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameSpec {
    pub name: String,
    /// Inclusive; `None`: every year.
    pub years: Option<(i32, i32)>,
}

impl NameSpec {
    fn covers(&self, year: i32) -> bool {
        self.years.is_none_or(|(a, b)| (a..=b).contains(&year))
    }

    fn describe(&self) -> String {
        match self.years {
            None => format!("'{}'", self.name),
            Some((a, b)) if a == b => format!("'{}' ({a})", self.name),
            Some((a, b)) => format!("'{}' ({a}-{b})", self.name),
        }
    }
}

/// What a source fuel is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuelRole {
    /// A Guidebook fuel (its name as in `emission-factors/fuels.csv`).
    Fuel(String),
    /// Not mapped, for the reason given.
    Exclude(String),
    /// The sheet's total over the fuels.
    Total,
}

#[derive(Debug, Clone)]
pub struct FuelRule {
    /// The entry's position in the file (1-based), for messages.
    pub entry: usize,
    pub names: Vec<NameSpec>,
    pub role: FuelRole,
}

/// Where (a share of) a line goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The Annex I code as the template writes it.
    pub nfr: String,
    pub share: Decimal,
    /// The Guidebook fuels it applies to; empty: the fuels no other target names.
    pub fuels: Vec<String>,
    pub technology: String,
    pub table: String,
    pub abatement: String,
    pub region: String,
    pub tier: String,
}

/// The targets of a line, and why what they leave is not mapped.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub to: Vec<Target>,
    pub rest: Option<String>,
    /// Cells of the line left out, with why (a value the source put in the
    /// wrong row, say).
    pub except: Vec<Except>,
}

/// A cell of a mapped line that is excluded: its year and source fuel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Except {
    pub year: i32,
    pub fuel: String,
    pub reason: String,
}

impl Targets {
    /// The targets that apply to a Guidebook fuel: those naming it, else
    /// those naming no fuel.
    pub fn for_fuel(&self, fuel: &str) -> Vec<&Target> {
        let named: Vec<&Target> = self
            .to
            .iter()
            .filter(|t| t.fuels.iter().any(|f| f == fuel))
            .collect();
        if named.is_empty() {
            self.to.iter().filter(|t| t.fuels.is_empty()).collect()
        } else {
            named
        }
    }
}

/// A difference between a subtotal and its parts that the mapping accepts.
#[derive(Debug, Clone)]
pub struct Accepted {
    pub year: i32,
    pub fuel: String,
    pub difference: Decimal,
    pub note: String,
}

#[derive(Debug, Clone)]
pub struct Subtotal {
    pub parts: Vec<NameSpec>,
    /// The largest difference taken as rounding, in the sheet's unit.
    pub tolerance: Decimal,
    /// Where what the parts do not explain goes.
    pub remainder: Option<Targets>,
    pub accept: Vec<Accepted>,
}

/// What a balance line is.
#[derive(Debug, Clone)]
pub enum LineRole {
    Map(Targets),
    Exclude(String),
    Subtotal(Subtotal),
}

#[derive(Debug, Clone)]
pub struct LineRule {
    pub entry: usize,
    /// How the report names the line (default: its first name).
    pub label: String,
    pub names: Vec<NameSpec>,
    pub role: LineRole,
}

/// The comparison form of a name in a sheet or a mapping: trimmed, with
/// runs of white space as one space.
pub fn name_key(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Mapping {
    /// Reads and checks a mapping file.
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Mapping::parse(&text, path)
    }

    /// Reads and checks a mapping from its text.
    pub fn parse(text: &str, path: &Path) -> Result<Mapping> {
        parse(text, path).map_err(|problem| Error::file(path, problem))
    }

    /// How messages name a line entry: `lines entry 3 (Road)`.
    pub fn describe_line(&self, rule: &LineRule) -> String {
        format!("lines entry {} ({})", rule.entry, rule.label)
    }
}

// ---------------------------------------------------------------------------
// Reading the TOML
// ---------------------------------------------------------------------------

type Problem = String;

/// A TOML table being read, with its label for messages.
struct Entry<'a> {
    table: &'a toml::Table,
    label: String,
}

impl<'a> Entry<'a> {
    fn check_keys(&self, allowed: &[&str]) -> std::result::Result<(), Problem> {
        for key in self.table.keys() {
            if !allowed.contains(&key.as_str()) {
                return Err(format!(
                    "{}: '{key}' is not a setting here; the settings are {}",
                    self.label,
                    allowed.join(", ")
                ));
            }
        }
        Ok(())
    }

    fn text(&self, key: &str) -> std::result::Result<Option<String>, Problem> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(_) => Err(format!("{}: {key} must be text in quotes", self.label)),
        }
    }

    fn decimal(&self, key: &str) -> std::result::Result<Option<Decimal>, Problem> {
        self.table
            .get(key)
            .map(|v| {
                crate::inventory::decimal_value(v)
                    .map_err(|e| format!("{}: {key}: {e}", self.label))
            })
            .transpose()
    }

    fn row_number(&self, key: &str) -> std::result::Result<Option<u64>, Problem> {
        match self.table.get(key) {
            None => Ok(None),
            Some(toml::Value::Integer(i)) if *i >= 1 => Ok(Some(*i as u64)),
            Some(_) => Err(format!(
                "{}: {key} must be a row number as the spreadsheet shows it (1, 2, ...)",
                self.label
            )),
        }
    }
}

fn parse(text: &str, path: &Path) -> std::result::Result<Mapping, Problem> {
    let doc: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| format!("is not valid TOML: {}", e.message()))?;
    let top = Entry {
        table: &doc,
        label: "the mapping".into(),
    };
    top.check_keys(&["name", "source", "sheet", "fuels", "lines"])?;
    let layout = match doc.get("sheet") {
        Some(toml::Value::Table(t)) => parse_layout(&Entry {
            table: t,
            label: "[sheet]".into(),
        })?,
        Some(_) => return Err("[sheet] must be a table".into()),
        None => {
            return Err(
                "has no [sheet] table saying where the line names, years and fuels are".into(),
            );
        }
    };
    let fuels = array_of_tables(&doc, "fuels")?
        .iter()
        .enumerate()
        .map(|(i, t)| {
            parse_fuel(
                i + 1,
                &Entry {
                    table: t,
                    label: format!("fuels entry {}", i + 1),
                },
            )
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mapped_fuels: Vec<&str> = fuels
        .iter()
        .filter_map(|f| match &f.role {
            FuelRole::Fuel(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let lines = array_of_tables(&doc, "lines")?
        .iter()
        .enumerate()
        .map(|(i, t)| {
            parse_line(
                i + 1,
                &Entry {
                    table: t,
                    label: format!("lines entry {}", i + 1),
                },
                &mapped_fuels,
            )
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if lines.is_empty() {
        return Err("has no [[lines]] entries: nothing would be mapped".into());
    }
    Ok(Mapping {
        path: path.to_path_buf(),
        name: top.text("name")?.unwrap_or_default(),
        source: top.text("source")?.unwrap_or_default(),
        layout,
        fuels,
        lines,
    })
}

fn array_of_tables<'a>(
    doc: &'a toml::Table,
    key: &str,
) -> std::result::Result<Vec<&'a toml::Table>, Problem> {
    match doc.get(key) {
        None => Ok(Vec::new()),
        Some(toml::Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_table()
                    .ok_or_else(|| format!("{key} entries must be [[{key}]] tables"))
            })
            .collect(),
        Some(_) => Err(format!("{key} must be written as [[{key}]] entries")),
    }
}

fn parse_layout(e: &Entry) -> std::result::Result<Layout, Problem> {
    e.check_keys(&[
        "name",
        "line_column",
        "year_row",
        "year",
        "fuel_row",
        "first_data_row",
        "unit",
        "write_unit",
        "empty",
        "years",
    ])?;
    let line_column = match e.table.get("line_column") {
        None => 0,
        Some(toml::Value::Integer(i)) if *i >= 1 => (*i - 1) as usize,
        Some(toml::Value::String(s)) => column_index(s).ok_or_else(|| {
            format!("[sheet]: line_column '{s}' is not a column letter (A, B, ... AA) or number")
        })?,
        Some(_) => {
            return Err("[sheet]: line_column is a column letter (\"A\") or number (1)".into());
        }
    };
    let year = match (e.row_number("year_row")?, e.table.get("year")) {
        (Some(_), Some(_)) => {
            return Err(
                "[sheet]: give either year_row (years in a header row) or year (one year for the sheet), not both"
                    .into(),
            );
        }
        (Some(r), None) => YearSource::Row(r),
        (None, Some(v)) => {
            let text = match v {
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            YearSource::Fixed(
                crate::activity::parse_year(&text).map_err(|p| format!("[sheet]: year: {p}"))?,
            )
        }
        (None, None) => {
            return Err(
                "[sheet]: say where the years are: year_row = <row> or year = <year>".into(),
            );
        }
    };
    let fuel_row = e
        .row_number("fuel_row")?
        .ok_or("[sheet]: fuel_row (the row holding the fuel names) is required")?;
    let last_header = match year {
        YearSource::Row(r) => r.max(fuel_row),
        YearSource::Fixed(_) => fuel_row,
    };
    let first_data_row = e.row_number("first_data_row")?.unwrap_or(last_header + 1);
    if first_data_row <= last_header {
        return Err(format!(
            "[sheet]: first_data_row {first_data_row} is not below the header rows (row {last_header})"
        ));
    }
    let unit = e
        .text("unit")?
        .ok_or("[sheet]: unit (the unit of the sheet's numbers, e.g. \"TJ\") is required")?;
    let write_unit = e.text("write_unit")?.unwrap_or_else(|| unit.clone());
    let from =
        crate::unit::parse_activity_unit(&unit).map_err(|p| format!("[sheet]: unit: {p}"))?;
    let to = crate::unit::parse_activity_unit(&write_unit)
        .map_err(|p| format!("[sheet]: write_unit: {p}"))?;
    if from.dimension != to.dimension {
        return Err(format!(
            "[sheet]: unit '{unit}' ({}) cannot be written as '{write_unit}' ({})",
            from.dimension.describe(),
            to.dimension.describe()
        ));
    }
    let (factor, exact) = crate::unit::ratio(from.scale, to.scale)?;
    if !exact {
        return Err(format!(
            "[sheet]: 1 {unit} is not an exact decimal number of {write_unit}; write the numbers in another unit"
        ));
    }
    let empty = match e.table.get("empty") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|v| {
                v.as_str()
                    .map(|s| s.trim().to_string())
                    .ok_or_else(|| "[sheet]: empty is a list of texts, e.g. [\"-\", \"x\"]".into())
            })
            .collect::<std::result::Result<Vec<String>, Problem>>()?,
        Some(_) => return Err("[sheet]: empty is a list of texts, e.g. [\"-\", \"x\"]".into()),
    };
    let years = match e.table.get("years") {
        None => Vec::new(),
        Some(toml::Value::Array(a)) => {
            let mut ys = a
                .iter()
                .map(|v| {
                    let t = match v {
                        toml::Value::Integer(i) => i.to_string(),
                        toml::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    crate::activity::parse_year(&t).map_err(|p| format!("[sheet]: years: {p}"))
                })
                .collect::<std::result::Result<Vec<i32>, Problem>>()?;
            ys.sort();
            ys.dedup();
            ys
        }
        Some(_) => return Err("[sheet]: years is a list of years, e.g. [2021, 2022]".into()),
    };
    Ok(Layout {
        sheet: e.text("name")?.filter(|s| !s.is_empty()),
        line_column,
        year,
        fuel_row,
        first_data_row,
        unit,
        write_unit,
        factor,
        empty,
        years,
    })
}

/// The 0-based index of a column given as letters (`A`, `AB`) or a number (`1`).
fn column_index(text: &str) -> Option<usize> {
    let t = text.trim();
    if let Ok(n) = t.parse::<usize>() {
        return n.checked_sub(1);
    }
    if t.is_empty() || t.len() > 3 || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for c in t.to_ascii_uppercase().bytes() {
        n = n * 26 + (c - b'A' + 1) as usize;
    }
    Some(n - 1)
}

/// Names: a text, a list of texts, or a table of year (or `first-last`) →
/// text or list.
fn parse_names(v: &toml::Value, label: &str) -> std::result::Result<Vec<NameSpec>, Problem> {
    let list = |v: &toml::Value, years: Option<(i32, i32)>| match v {
        toml::Value::String(s) => Ok(vec![NameSpec {
            name: name_key(s),
            years,
        }]),
        toml::Value::Array(a) => a
            .iter()
            .map(|x| {
                x.as_str()
                    .map(|s| NameSpec {
                        name: name_key(s),
                        years,
                    })
                    .ok_or_else(|| format!("{label}: names are texts in quotes"))
            })
            .collect(),
        _ => Err(format!(
            "{label}: names are a text, a list of texts, or a table of years, e.g. {{ 2021 = \"A\", \"2022-2024\" = \"B\" }}"
        )),
    };
    let specs: Vec<NameSpec> = match v {
        toml::Value::Table(t) => {
            let mut out = Vec::new();
            for (key, value) in t {
                out.extend(list(value, Some(parse_year_range(key, label)?))?);
            }
            out
        }
        other => list(other, None)?,
    };
    if specs.is_empty() || specs.iter().any(|s| s.name.is_empty()) {
        return Err(format!("{label}: a name is empty"));
    }
    Ok(specs)
}

/// `2021` or `2022-2024`.
fn parse_year_range(text: &str, label: &str) -> std::result::Result<(i32, i32), Problem> {
    let bad = |p: String| format!("{label}: '{text}' is not a year or a range of years: {p}");
    let t = text.trim();
    match t.split_once(['-', '–']) {
        Some((a, b)) => {
            let a = crate::activity::parse_year(a).map_err(bad)?;
            let b = crate::activity::parse_year(b).map_err(bad)?;
            if a > b {
                return Err(bad("the first year is after the last".into()));
            }
            Ok((a, b))
        }
        None => {
            let y = crate::activity::parse_year(t).map_err(bad)?;
            Ok((y, y))
        }
    }
}

fn parse_fuel(entry: usize, e: &Entry) -> std::result::Result<FuelRule, Problem> {
    e.check_keys(&["names", "fuel", "exclude", "total", "note"])?;
    let names = parse_names(
        e.table.get("names").ok_or_else(|| {
            format!(
                "{}: names (the fuel's names in the sheet) is required",
                e.label
            )
        })?,
        &e.label,
    )?;
    let total = match e.table.get("total") {
        None => false,
        Some(toml::Value::Boolean(b)) => *b,
        Some(_) => return Err(format!("{}: total is true or false", e.label)),
    };
    let fuel = e.text("fuel")?;
    let exclude = e.text("exclude")?;
    let role = match (fuel, exclude, total) {
        (Some(f), None, false) => {
            let known = crate::fuel::Fuels::built_in().find(&f).ok_or_else(|| {
                format!(
                    "{}: '{f}' is not a Guidebook fuel or alias; the fuels are: {}",
                    e.label,
                    crate::fuel::Fuels::built_in().names()
                )
            })?;
            FuelRole::Fuel(known.name.clone())
        }
        (None, Some(reason), false) if !reason.is_empty() => FuelRole::Exclude(reason),
        (None, None, true) => FuelRole::Total,
        _ => {
            return Err(format!(
                "{}: give exactly one of fuel = \"<Guidebook fuel>\", exclude = \"<why>\" or total = true",
                e.label
            ));
        }
    };
    Ok(FuelRule { entry, names, role })
}

const PINS: [&str; 5] = ["technology", "table", "abatement", "region", "tier"];

fn parse_target(
    e: &Entry,
    default_share: bool,
    mapped_fuels: &[&str],
) -> std::result::Result<Target, Problem> {
    let code = e
        .text("nfr")?
        .ok_or_else(|| format!("{}: nfr is required", e.label))?;
    let row = crate::nfr::find(&code)
        .ok_or_else(|| format!("{}: {}", e.label, crate::nfr::unknown_code_message(&code)))?;
    if !row.takes_activity() {
        return Err(format!(
            "{}: '{}' is not a row that takes activity data",
            e.label, row.code
        ));
    }
    let share = match e.decimal("share")? {
        Some(s) if default_share => {
            return Err(format!(
                "{}: share {s} needs to = [...] targets; nfr = alone maps the whole line",
                e.label
            ));
        }
        Some(s) => s,
        None => Decimal::ONE,
    };
    if share <= Decimal::ZERO || share > Decimal::ONE {
        return Err(format!(
            "{}: share {share} is not above 0 and at most 1",
            e.label
        ));
    }
    let mut fuels = Vec::new();
    match e.table.get("fuels") {
        None => {}
        Some(toml::Value::Array(a)) => {
            for v in a {
                let name = v
                    .as_str()
                    .ok_or_else(|| format!("{}: fuels is a list of Guidebook fuels", e.label))?;
                let fuel = crate::fuel::Fuels::built_in().find(name).ok_or_else(|| {
                    format!("{}: '{name}' is not a Guidebook fuel or alias", e.label)
                })?;
                if !mapped_fuels.contains(&fuel.name.as_str()) {
                    return Err(format!(
                        "{}: no [[fuels]] entry maps to '{}', so this target would never apply",
                        e.label, fuel.name
                    ));
                }
                if !fuels.contains(&fuel.name) {
                    fuels.push(fuel.name.clone());
                }
            }
        }
        Some(_) => {
            return Err(format!("{}: fuels is a list of Guidebook fuels", e.label));
        }
    }
    let pin = |k: &str| e.text(k).map(Option::unwrap_or_default);
    Ok(Target {
        nfr: row.code.clone(),
        share,
        fuels,
        technology: pin("technology")?,
        table: pin("table")?,
        abatement: pin("abatement")?,
        region: pin("region")?,
        tier: pin("tier")?,
    })
}

/// `nfr = ...` (with pins) or `to = [...]`, and `rest`.
fn parse_targets(e: &Entry, mapped_fuels: &[&str]) -> std::result::Result<Targets, Problem> {
    let rest = e.text("rest")?.filter(|r| !r.is_empty());
    let to = match (e.table.get("nfr"), e.table.get("to")) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{}: give nfr = \"...\" for the whole line or to = [...] targets, not both",
                e.label
            ));
        }
        (Some(_), None) => vec![parse_target(e, true, mapped_fuels)?],
        (None, Some(toml::Value::Array(items))) => {
            if let Some(p) = PINS.iter().find(|p| e.table.contains_key(**p)) {
                return Err(format!(
                    "{}: with to = [...], give {p} in each target",
                    e.label
                ));
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let t = item.as_table().ok_or_else(|| {
                    format!("{}: to entries are {{ nfr = \"...\", ... }}", e.label)
                })?;
                let te = Entry {
                    table: t,
                    label: format!("{}, target {}", e.label, i + 1),
                };
                te.check_keys(&[
                    "nfr",
                    "share",
                    "fuels",
                    "technology",
                    "table",
                    "abatement",
                    "region",
                    "tier",
                ])?;
                out.push(parse_target(&te, false, mapped_fuels)?);
            }
            if out.is_empty() {
                return Err(format!("{}: to = [] maps nothing", e.label));
            }
            out
        }
        (None, Some(_)) => return Err(format!("{}: to is a list of targets", e.label)),
        (None, None) => return Err(format!("{}: nfr or to is required", e.label)),
    };
    let targets = Targets {
        to,
        rest,
        except: Vec::new(),
    };
    check_shares(&targets, &e.label)?;
    Ok(targets)
}

/// For every fuel, the shares of the targets that apply sum to at most 1,
/// and to less only with a reason for the rest.
fn check_shares(targets: &Targets, label: &str) -> std::result::Result<(), Problem> {
    let mut sets: Vec<(String, Vec<&Target>)> = Vec::new();
    let generic: Vec<&Target> = targets.to.iter().filter(|t| t.fuels.is_empty()).collect();
    if !generic.is_empty() {
        sets.push(("the fuels no target names".into(), generic));
    }
    let mut named: Vec<&String> = targets.to.iter().flat_map(|t| &t.fuels).collect();
    named.sort();
    named.dedup();
    for f in named {
        sets.push((f.clone(), targets.for_fuel(f)));
    }
    for (what, set) in sets {
        let sum: Decimal = set.iter().map(|t| t.share).sum();
        if sum > Decimal::ONE {
            return Err(format!(
                "{label}: the shares for {what} sum to {}, more than 1",
                format_decimal(sum)
            ));
        }
        let mut codes: Vec<&str> = set.iter().map(|t| t.nfr.as_str()).collect();
        codes.sort();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return Err(format!(
                "{label}: two targets for {what} have the same code; give one target with the sum of their shares"
            ));
        }
        if sum < Decimal::ONE && targets.rest.is_none() {
            return Err(format!(
                "{label}: the shares for {what} sum to {}; say why the rest is not mapped with rest = \"...\"",
                format_decimal(sum)
            ));
        }
    }
    Ok(())
}

fn parse_line(
    entry: usize,
    e: &Entry,
    mapped_fuels: &[&str],
) -> std::result::Result<LineRule, Problem> {
    let names = parse_names(
        e.table.get("names").ok_or_else(|| {
            format!(
                "{}: names (the line's names in the sheet) is required",
                e.label
            )
        })?,
        &e.label,
    )?;
    let label = e
        .text("label")?
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| names[0].name.clone());
    let e = Entry {
        table: e.table,
        label: format!("{} ({label})", e.label),
    };
    let role = if let Some(reason) = e.text("exclude")? {
        e.check_keys(&["names", "label", "exclude", "note"])?;
        if reason.is_empty() {
            return Err(format!("{}: exclude needs a reason", e.label));
        }
        LineRole::Exclude(reason)
    } else if let Some(parts) = e.table.get("subtotal_of") {
        e.check_keys(&[
            "names",
            "label",
            "subtotal_of",
            "tolerance",
            "remainder",
            "accept",
            "note",
        ])?;
        let parts = parse_names(parts, &format!("{}: subtotal_of", e.label))?;
        let tolerance = e.decimal("tolerance")?.unwrap_or(Decimal::ZERO);
        if tolerance < Decimal::ZERO {
            return Err(format!("{}: tolerance cannot be negative", e.label));
        }
        let remainder = match e.table.get("remainder") {
            None => None,
            Some(toml::Value::Table(t)) => {
                let re = Entry {
                    table: t,
                    label: format!("{}: remainder", e.label),
                };
                re.check_keys(&[
                    "nfr",
                    "to",
                    "rest",
                    "technology",
                    "table",
                    "abatement",
                    "region",
                    "tier",
                ])?;
                Some(parse_targets(&re, mapped_fuels)?)
            }
            Some(_) => {
                return Err(format!(
                    "{}: remainder is a table ([lines.remainder])",
                    e.label
                ));
            }
        };
        let accept = match e.table.get("accept") {
            None => Vec::new(),
            Some(toml::Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| parse_accepted(v, &format!("{}: accept {}", e.label, i + 1)))
                .collect::<std::result::Result<Vec<_>, _>>()?,
            Some(_) => return Err(format!("{}: accept is a list", e.label)),
        };
        LineRole::Subtotal(Subtotal {
            parts,
            tolerance,
            remainder,
            accept,
        })
    } else {
        let mut keys = vec!["names", "label", "nfr", "to", "rest", "except", "note"];
        keys.extend(PINS);
        e.check_keys(&keys)?;
        if !e.table.contains_key("nfr") && !e.table.contains_key("to") {
            return Err(format!(
                "{}: say what the line is: nfr = \"<code>\", to = [...], exclude = \"<why>\" or subtotal_of = [...]",
                e.label
            ));
        }
        let mut targets = parse_targets(&e, mapped_fuels)?;
        targets.except = match e.table.get("except") {
            None => Vec::new(),
            Some(toml::Value::Array(a)) => a
                .iter()
                .enumerate()
                .map(|(i, v)| parse_except(v, &format!("{}: except {}", e.label, i + 1)))
                .collect::<std::result::Result<Vec<_>, _>>()?,
            Some(_) => return Err(format!("{}: except is a list", e.label)),
        };
        LineRole::Map(targets)
    };
    Ok(LineRule {
        entry,
        label,
        names,
        role,
    })
}

fn parse_except(v: &toml::Value, label: &str) -> std::result::Result<Except, Problem> {
    let t = v
        .as_table()
        .ok_or_else(|| format!("{label}: is {{ year, fuel, reason }}"))?;
    let e = Entry {
        table: t,
        label: label.to_string(),
    };
    e.check_keys(&["year", "fuel", "reason"])?;
    let (year, fuel) = year_and_fuel(&e)?;
    let reason = e
        .text("reason")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{label}: reason is required"))?;
    Ok(Except {
        year,
        fuel: name_key(&fuel),
        reason,
    })
}

/// The `year` and `fuel` (the fuel's name in the sheet) of an entry that
/// names one cell of the sheet.
fn year_and_fuel(e: &Entry<'_>) -> std::result::Result<(i32, String), Problem> {
    let label = &e.label;
    let year = match e.table.get("year") {
        Some(toml::Value::Integer(i)) => {
            crate::activity::parse_year(&i.to_string()).map_err(|p| format!("{label}: {p}"))?
        }
        _ => return Err(format!("{label}: year is required")),
    };
    let fuel = e
        .text("fuel")?
        .ok_or_else(|| format!("{label}: fuel (the fuel's name in the sheet) is required"))?;
    Ok((year, fuel))
}

fn parse_accepted(v: &toml::Value, label: &str) -> std::result::Result<Accepted, Problem> {
    let t = v
        .as_table()
        .ok_or_else(|| format!("{label}: is {{ year, fuel, difference, note }}"))?;
    let e = Entry {
        table: t,
        label: label.to_string(),
    };
    e.check_keys(&["year", "fuel", "difference", "note"])?;
    let (year, fuel) = year_and_fuel(&e)?;
    let difference = e
        .decimal("difference")?
        .ok_or_else(|| format!("{label}: difference (subtotal minus parts, exact) is required"))?;
    let note = e
        .text("note")?
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{label}: note (why the difference is accepted) is required"))?;
    Ok(Accepted {
        year,
        fuel: name_key(&fuel),
        difference,
        note,
    })
}

// ---------------------------------------------------------------------------
// Converting a sheet
// ---------------------------------------------------------------------------

/// One activity row made from a cell (or a subtotal's remainder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub year: i32,
    pub nfr: String,
    pub fuel: String,
    pub technology: String,
    pub value: Decimal,
    pub unit: String,
    pub table: String,
    pub abatement: String,
    pub region: String,
    pub tier: String,
    /// `file!A1` of the cell, or `file!A1-B2-C3` for a remainder.
    pub source_id: String,
    pub source_line: String,
    pub source_fuel: String,
    pub share: Decimal,
    /// Sort key: Annex I row, sheet row, column, target.
    order: (u32, u64, usize, usize),
}

/// What became of a cell (or a remainder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Mapped to activity rows (a share of it may be excluded: see `rest`).
    Mapped,
    Excluded(String),
    Unmapped(String),
}

/// One non-empty number cell of the sheet, or one remainder of a subtotal.
#[derive(Debug, Clone)]
pub struct CellRecord {
    /// `AB37`, or `AB27-AB15-AB40` for a remainder.
    pub cell: String,
    pub remainder: bool,
    pub row: u64,
    pub year: Option<i32>,
    pub line: String,
    pub fuel: String,
    /// In the written unit (zero when `beyond_range`).
    pub value: Decimal,
    /// The number is beyond what an exact decimal holds (more than 28
    /// digits after the point, a float artefact such as
    /// `-2.842170943040401e-14`): the cell is counted, its value left out
    /// of the sums, and it cannot be mapped.
    pub beyond_range: Option<String>,
    /// In the sheet's Total column (a total over the fuels).
    pub in_total_column: bool,
    pub outcome: Outcome,
    /// The part written to activity rows.
    pub mapped: Decimal,
    /// The codes it was mapped to.
    pub codes: Vec<String>,
    /// Why the part not mapped of a mapped cell is excluded.
    pub rest: Option<String>,
}

/// The check of one subtotal cell against its parts.
#[derive(Debug, Clone)]
pub struct Check {
    pub year: i32,
    pub line: String,
    pub fuel: String,
    pub cell: String,
    pub subtotal: Decimal,
    pub parts: Decimal,
    /// Subtotal minus parts.
    pub difference: Decimal,
    pub tolerance: Decimal,
    pub status: CheckStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStatus {
    /// Within the tolerance.
    Ok,
    /// Beyond the tolerance and taken by the subtotal's remainder.
    Remainder,
    /// Beyond the tolerance and accepted by the mapping, with its note.
    Accepted(String),
    Failed,
}

/// How much of a subtotal's energy went where, in a year.
#[derive(Debug, Clone)]
pub struct Share {
    pub year: i32,
    pub label: String,
    /// The subtotal: the sum of its cells over the fuels (not the Total column).
    pub value: Decimal,
    pub mapped: Decimal,
    /// By reason, largest first.
    pub excluded: Vec<(String, Decimal)>,
    pub unmapped: Decimal,
    /// value − (mapped + excluded + unmapped): what the parts do not explain.
    pub difference: Decimal,
}

/// Counts of a conversion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellCounts {
    /// Non-empty number cells read.
    pub read: usize,
    pub mapped: usize,
    pub excluded: usize,
    pub unmapped: usize,
    /// Mapped cells that are zero (they give no activity row).
    pub mapped_zero: usize,
    /// Unmapped cells that are not zero.
    pub unmapped_nonzero: usize,
    /// Cells whose number is beyond an exact decimal (counted, not summed).
    pub beyond_range: usize,
}

/// A sheet converted by a mapping.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The sheet's file name, used in `source_id`.
    pub source: String,
    pub unit: String,
    pub years: Vec<i32>,
    pub rows: Vec<ActivityRow>,
    /// Cells in sheet order, then remainders.
    pub cells: Vec<CellRecord>,
    pub checks: Vec<Check>,
    pub shares: Vec<Share>,
    pub counts: CellCounts,
}

impl Conversion {
    pub fn failed_checks(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
    }

    /// Findings that need the compiler's eye: unmapped cells that are not
    /// zero, and failed checks.
    pub fn findings(&self) -> usize {
        self.counts.unmapped_nonzero + self.failed_checks().count()
    }
}

/// The columns of the activity file a conversion writes.
pub const ACTIVITY_HEADER: [&str; 14] = [
    "year",
    "nfr",
    "fuel",
    "technology",
    "value",
    "unit",
    "table",
    "abatement",
    "region",
    "tier",
    "source_id",
    "source_line",
    "source_fuel",
    "share",
];

/// Index → (index, years): the rules claiming a sheet row, or the rows
/// that are the parts of a subtotal rule, each for all years (`None`) or some.
type Claims = Vec<(usize, Option<(i32, i32)>)>;

/// A column of the sheet as the header rows describe it.
struct Column {
    index: usize,
    year: Option<i32>,
    fuel: String,
    /// The `[[fuels]]` entry naming it for its year.
    rule: Option<usize>,
}

/// The sheet as the mapping reads it: its columns with their year, fuel
/// and fuel entry; its data rows with the line entries claiming them; the
/// rows of each subtotal's parts.
struct Grid<'a> {
    mapping: &'a Mapping,
    table: &'a Sheet,
    columns: Vec<Column>,
    rows: Vec<&'a crate::sheet::SheetRow>,
    years: Vec<i32>,
    rows_by_name: HashMap<String, Vec<usize>>,
    /// Data row → the line entries claiming it, for all or some years.
    line_rules: HashMap<usize, Claims>,
    /// Subtotal line entry → the data rows of its parts.
    parts: HashMap<usize, Claims>,
}

impl<'a> Grid<'a> {
    fn new(mapping: &'a Mapping, table: &'a Sheet) -> Result<Grid<'a>> {
        let layout = &mapping.layout;
        let rows: Vec<&crate::sheet::SheetRow> = table
            .rows
            .iter()
            .filter(|r| r.number >= layout.first_data_row)
            .collect();
        let mut rows_by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            let name = r
                .cells
                .get(layout.line_column)
                .map(|c| name_key(c))
                .unwrap_or_default();
            if !name.is_empty() {
                rows_by_name.entry(name).or_default().push(i);
            }
        }
        let mut grid = Grid {
            mapping,
            table,
            columns: Vec::new(),
            rows,
            years: Vec::new(),
            rows_by_name,
            line_rules: HashMap::new(),
            parts: HashMap::new(),
        };
        grid.read_header()?;
        grid.resolve_fuels()?;
        grid.resolve_lines()?;
        Ok(grid)
    }

    fn header_cell(&self, row: u64, col: usize) -> String {
        self.table
            .rows
            .iter()
            .find(|r| r.number == row)
            .and_then(|r| r.cells.get(col))
            .map(|c| name_key(c))
            .unwrap_or_default()
    }

    /// The columns' years and fuels, and the years read.
    fn read_header(&mut self) -> Result<()> {
        let layout = &self.mapping.layout;
        let width = self
            .table
            .rows
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0);
        let mut last_year: Option<i32> = None;
        for index in (0..width).filter(|&i| i != layout.line_column) {
            let year = match layout.year {
                YearSource::Fixed(y) => Some(y),
                // A year starts a run of columns (merged cells show it in
                // the first only); other text (a "unit" heading) ends it.
                YearSource::Row(r) => {
                    let text = self.header_cell(r, index);
                    if !text.is_empty() {
                        last_year = crate::activity::parse_year(&text).ok();
                    }
                    last_year
                }
            };
            let fuel = self.header_cell(layout.fuel_row, index);
            self.columns.push(Column {
                index,
                year,
                fuel,
                rule: None,
            });
        }
        let mut sheet_years: Vec<i32> = self.columns.iter().filter_map(|c| c.year).collect();
        sheet_years.sort();
        sheet_years.dedup();
        if sheet_years.is_empty() {
            return Err(Error::input(
                self.table.at.clone(),
                "no column has a year: check year_row or year in the mapping's [sheet]",
            ));
        }
        for y in &layout.years {
            if !sheet_years.contains(y) {
                return Err(Error::file(
                    &self.mapping.path,
                    format!(
                        "[sheet] years names {y} but the sheet has no {y} columns; its years are {}",
                        join_years(&sheet_years)
                    ),
                ));
            }
        }
        self.years = if layout.years.is_empty() {
            sheet_years
        } else {
            layout.years.clone()
        };
        Ok(())
    }

    /// Each column's `[[fuels]]` entry; every name an entry gives must be
    /// in the sheet (in each of its years).
    fn resolve_fuels(&mut self) -> Result<()> {
        let mapping = self.mapping;
        for col in self.columns.iter_mut() {
            let Some(year) = col.year else { continue };
            if col.fuel.is_empty() {
                continue;
            }
            let claims: Vec<&FuelRule> = mapping
                .fuels
                .iter()
                .filter(|r| r.names.iter().any(|s| s.name == col.fuel && s.covers(year)))
                .collect();
            match claims.as_slice() {
                [] => {}
                [one] => col.rule = Some(one.entry - 1),
                [a, b, ..] => {
                    return Err(Error::file(
                        &mapping.path,
                        format!(
                            "fuels entries {} and {} both name '{}' for {year}",
                            a.entry, b.entry, col.fuel
                        ),
                    ));
                }
            }
        }
        for rule in &mapping.fuels {
            for spec in &rule.names {
                let found = |y: i32| {
                    self.columns
                        .iter()
                        .any(|c| c.year == Some(y) && c.fuel == spec.name)
                };
                let missing: Vec<i32> = match spec.years {
                    None if self.years.iter().any(|&y| found(y)) => Vec::new(),
                    None => self.years.clone(),
                    Some((a, b)) => (a..=b)
                        .filter(|y| mapping.layout.years.is_empty() || self.years.contains(y))
                        .filter(|&y| !found(y))
                        .collect(),
                };
                if !missing.is_empty() {
                    let in_years = self
                        .columns
                        .iter()
                        .filter(|c| c.year.is_some_and(|y| missing.contains(&y)))
                        .map(|c| c.fuel.as_str());
                    return Err(Error::file(
                        &mapping.path,
                        format!(
                            "fuels entry {} names {} but the sheet has no such fuel in {}{}",
                            rule.entry,
                            spec.describe(),
                            join_years(&missing),
                            suggest(&spec.name, in_years)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The data row of a name: it must be there, once.
    fn find_row(&self, spec: &NameSpec, what: &str) -> Result<usize> {
        match self.rows_by_name.get(&spec.name).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) => Err(Error::file(
                &self.mapping.path,
                format!(
                    "{what} names '{}', which is the name of several rows of the sheet ({}); the mapping cannot tell them apart",
                    spec.name,
                    many.iter()
                        .map(|&i| format!("row {}", self.rows[i].number))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            None => Err(Error::file(
                &self.mapping.path,
                format!(
                    "{what} names the line '{}' but the sheet has no such line{}",
                    spec.name,
                    suggest(&spec.name, self.rows_by_name.keys().map(String::as_str))
                ),
            )),
        }
    }

    /// The rows each line entry claims (no row claimed twice for a year),
    /// and the rows of each subtotal's parts.
    fn resolve_lines(&mut self) -> Result<()> {
        let mapping = self.mapping;
        for (ri, rule) in mapping.lines.iter().enumerate() {
            for spec in &rule.names {
                let row = self.find_row(spec, &mapping.describe_line(rule))?;
                let claims = self.line_rules.entry(row).or_default();
                for &(other, years) in claims.iter() {
                    let overlap = match (years, spec.years) {
                        (None, _) | (_, None) => true,
                        (Some((a, b)), Some((c, d))) => a <= d && c <= b,
                    };
                    if overlap && other != ri {
                        return Err(Error::file(
                            &mapping.path,
                            format!(
                                "{} and {} both name the line '{}' for the same years",
                                mapping.describe_line(&mapping.lines[other]),
                                mapping.describe_line(rule),
                                spec.name
                            ),
                        ));
                    }
                }
                claims.push((ri, spec.years));
            }
            if let LineRole::Subtotal(s) = &rule.role {
                let what = format!("{}: subtotal_of", mapping.describe_line(rule));
                let mut list = Vec::new();
                for spec in &s.parts {
                    list.push((self.find_row(spec, &what)?, spec.years));
                }
                self.parts.insert(ri, list);
            }
        }
        Ok(())
    }

    /// The line entry of a data row in a year.
    fn rule_of(&self, row: usize, year: i32) -> Option<usize> {
        self.line_rules.get(&row).and_then(|claims| {
            claims
                .iter()
                .find(|(_, ys)| covers(*ys, year))
                .map(|(r, _)| *r)
        })
    }

    /// The data rows of a subtotal entry's parts in a year.
    fn parts_of(&self, rule: usize, year: i32) -> Vec<usize> {
        self.parts
            .get(&rule)
            .map(|list| {
                list.iter()
                    .filter(|(_, ys)| covers(*ys, year))
                    .map(|(r, _)| *r)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn line_name(&self, row: usize) -> String {
        self.rows[row]
            .cells
            .get(self.mapping.layout.line_column)
            .map(|c| name_key(c))
            .unwrap_or_default()
    }

    fn fuel_role(&self, col: &Column) -> Option<&'a FuelRole> {
        col.rule.map(|i| &self.mapping.fuels[i].role)
    }

    /// `AB37`: the A1 reference of a data cell.
    fn cell_ref(&self, row: usize, index: usize) -> String {
        format!("{}{}", column_letters(index), self.rows[row].number)
    }

    fn location(&self, row: usize, index: usize) -> Location {
        self.location_at(self.rows[row].number, index)
    }

    fn location_at(&self, number: u64, index: usize) -> Location {
        self.table
            .at
            .clone()
            .with_row(number)
            .with_column(column_letters(index))
    }
}

fn covers(years: Option<(i32, i32)>, year: i32) -> bool {
    years.is_none_or(|(a, b)| (a..=b).contains(&year))
}

/// Energy by outcome, per (data row, year).
type Tallies = HashMap<(usize, i32), Tally>;

/// What reading the cells gave.
#[derive(Default)]
struct Cells {
    /// (data row, column position) → value, for the numbers read exactly.
    values: HashMap<(usize, usize), Decimal>,
    /// Cells whose number is beyond an exact decimal.
    beyond: std::collections::HashSet<(usize, usize)>,
    records: Vec<CellRecord>,
    rows: Vec<ActivityRow>,
}

impl Cells {
    fn has_numbers(&self, grid: &Grid, row: usize, year: i32) -> bool {
        grid.columns.iter().enumerate().any(|(ci, c)| {
            c.year == Some(year)
                && (self.values.contains_key(&(row, ci)) || self.beyond.contains(&(row, ci)))
        })
    }
}

const TOTAL_COLUMN: &str = "Total over the fuels (not counted twice)";

/// Reads every non-empty cell and gives it its outcome; maps the cells of
/// mapped lines and fuels.
fn read_cells(grid: &Grid, source: &str) -> Result<Cells> {
    let mapping = grid.mapping;
    let layout = &mapping.layout;
    let mut out = Cells::default();
    let mut errors: Vec<String> = Vec::new();
    let mut excepted: Vec<(usize, i32, String)> = Vec::new();
    for (ri, r) in grid.rows.iter().enumerate() {
        for (ci, col) in grid.columns.iter().enumerate() {
            let text = r.cells.get(col.index).map(|c| c.trim()).unwrap_or("");
            if text.is_empty() || layout.empty.iter().any(|e| e == text) {
                continue;
            }
            let (raw, beyond_range) = match parse_decimal(text) {
                Ok(v) => (v, None),
                Err(crate::number::NumberError::OutOfRange(t)) => (Decimal::ZERO, Some(t)),
                // Text outside the year × fuel columns (units, codes, notes)
                // is not a number to account for.
                Err(crate::number::NumberError::NotANumber(_))
                    if col.year.is_none() || col.fuel.is_empty() =>
                {
                    continue;
                }
                Err(e) => {
                    errors.push(format!(
                        "{}: {e}; a cell with no number is empty or one of [sheet] empty = [...]",
                        grid.location(ri, col.index)
                    ));
                    continue;
                }
            };
            let value = raw * layout.factor;
            if beyond_range.is_none() {
                out.values.insert((ri, ci), value);
            } else {
                out.beyond.insert((ri, ci));
            }
            let line = grid.line_name(ri);
            let mut record = CellRecord {
                cell: grid.cell_ref(ri, col.index),
                remainder: false,
                row: r.number,
                year: col.year,
                line: line.clone(),
                fuel: col.fuel.clone(),
                value,
                beyond_range: beyond_range.clone(),
                in_total_column: grid.fuel_role(col) == Some(&FuelRole::Total),
                outcome: Outcome::Mapped,
                mapped: Decimal::ZERO,
                codes: Vec::new(),
                rest: None,
            };
            record.outcome = match (col.year, grid.fuel_role(col)) {
                (None, _) => Outcome::Unmapped("the column has no year".into()),
                (Some(_), _) if col.fuel.is_empty() => {
                    Outcome::Unmapped("the column has no fuel name".into())
                }
                (Some(year), _) if !grid.years.contains(&year) => Outcome::Excluded(format!(
                    "year {year} is not read (the mapping reads {})",
                    join_years(&grid.years)
                )),
                (Some(year), None) => Outcome::Unmapped(format!(
                    "the fuel '{}' ({year}) is not in the mapping",
                    col.fuel
                )),
                (Some(_), Some(FuelRole::Total)) => Outcome::Excluded(TOTAL_COLUMN.into()),
                (Some(_), Some(_)) if line.is_empty() => {
                    Outcome::Unmapped("the row has no line name".into())
                }
                (Some(_), Some(FuelRole::Exclude(reason))) => Outcome::Excluded(reason.clone()),
                (Some(year), Some(FuelRole::Fuel(fuel))) => match grid.rule_of(ri, year) {
                    None => Outcome::Unmapped(format!("the line '{line}' is not in the mapping")),
                    Some(li) => match &mapping.lines[li].role {
                        LineRole::Subtotal(_) => {
                            Outcome::Excluded("subtotal (its parts are counted)".into())
                        }
                        LineRole::Exclude(reason) => Outcome::Excluded(reason.clone()),
                        LineRole::Map(targets) => {
                            if let Some(x) = targets
                                .except
                                .iter()
                                .find(|x| x.year == year && x.fuel == col.fuel)
                            {
                                excepted.push((li, x.year, x.fuel.clone()));
                                Outcome::Excluded(x.reason.clone())
                            } else if beyond_range.is_some() {
                                errors.push(format!(
                                    "{}: '{text}' ({line}, {year}) has more digits than an exact decimal holds (28), so it cannot be activity data; round it in the sheet or except the cell in the mapping",
                                    grid.location(ri, col.index)
                                ));
                                continue;
                            } else if value < Decimal::ZERO {
                                errors.push(format!(
                                    "{}: {} ({line}, {year}) is negative and cannot be activity data; exclude the line or the fuel in the mapping, with the reason",
                                    grid.location(ri, col.index),
                                    format_decimal(raw),
                                ));
                                continue;
                            } else {
                                let made = MadeFrom {
                                    year,
                                    line: &line,
                                    source_fuel: &col.fuel,
                                    unit: &layout.write_unit,
                                    source_id: format!("{source}!{}", record.cell),
                                    order: (r.number, col.index),
                                };
                                apply_targets(
                                    targets,
                                    fuel,
                                    &mut record,
                                    &made,
                                    &mut out.rows,
                                    &format!("the line '{line}' maps no target for {fuel}"),
                                )
                            }
                        }
                    },
                },
            };
            out.records.push(record);
        }
    }
    for (li, rule) in mapping.lines.iter().enumerate() {
        if let LineRole::Map(t) = &rule.role {
            for x in &t.except {
                if !excepted.contains(&(li, x.year, x.fuel.clone())) {
                    return Err(Error::file(
                        &mapping.path,
                        format!(
                            "{} excepts the cell of '{}' in {}, but the line has no number there",
                            mapping.describe_line(rule),
                            x.fuel,
                            x.year
                        ),
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        let n = errors.len();
        let shown: Vec<String> = errors.into_iter().take(20).collect();
        return Err(Error::file(
            &grid.table.at.file,
            format!(
                "{n} cell(s) cannot be converted:\n  {}{}",
                shown.join("\n  "),
                if n > 20 { "\n  ..." } else { "" }
            ),
        ));
    }
    Ok(out)
}

/// Checks every subtotal cell against its parts; maps the remainders a
/// mapping gives targets for. Returns the checks and, by (row, year), the
/// energy of the remainders.
fn check_subtotals(grid: &Grid, cells: &mut Cells, source: &str) -> Result<(Vec<Check>, Tallies)> {
    let mapping = grid.mapping;
    let mut checks = Vec::new();
    let mut remainders: Tallies = HashMap::new();
    for (li, rule) in mapping.lines.iter().enumerate() {
        let LineRole::Subtotal(sub) = &rule.role else {
            continue;
        };
        for spec in &rule.names {
            let row = grid.find_row(spec, &mapping.describe_line(rule))?;
            for &year in &grid.years {
                // A row is a subtotal in the years it has numbers in (a
                // line renamed between years is an empty row in the others).
                let parts = grid.parts_of(li, year);
                if !spec.covers(year) || !cells.has_numbers(grid, row, year) || parts.is_empty() {
                    continue;
                }
                for (ci, col) in grid.columns.iter().enumerate() {
                    if col.year != Some(year) || col.fuel.is_empty() {
                        continue;
                    }
                    if let Some(&r) = std::iter::once(&row)
                        .chain(parts.iter())
                        .find(|&&r| cells.beyond.contains(&(r, ci)))
                    {
                        return Err(Error::input(
                            grid.location(r, col.index),
                            format!(
                                "the number has more digits than an exact decimal holds (28), so the subtotal '{}' cannot be checked against its parts; round it in the sheet",
                                rule.label
                            ),
                        ));
                    }
                    let sub_value = cells.values.get(&(row, ci)).copied();
                    let part_values: Vec<Decimal> = parts
                        .iter()
                        .filter_map(|&p| cells.values.get(&(p, ci)).copied())
                        .collect();
                    if sub_value.is_none() && part_values.is_empty() {
                        continue;
                    }
                    let subtotal = sub_value.unwrap_or(Decimal::ZERO);
                    let sum: Decimal = part_values.iter().copied().sum();
                    let difference = subtotal - sum;
                    let status = if difference.abs() <= sub.tolerance {
                        CheckStatus::Ok
                    } else if let (Some(targets), true) =
                        (&sub.remainder, difference > Decimal::ZERO)
                    {
                        let record = remainder(
                            grid,
                            cells,
                            (row, ci, year),
                            &parts,
                            difference,
                            rule,
                            targets,
                            source,
                        );
                        if !record.in_total_column {
                            remainders.entry((row, year)).or_default().add(&record);
                        }
                        cells.records.push(record);
                        CheckStatus::Remainder
                    } else if let Some(a) = sub.accept.iter().find(|a| {
                        a.year == year && a.fuel == col.fuel && a.difference == difference
                    }) {
                        CheckStatus::Accepted(a.note.clone())
                    } else {
                        CheckStatus::Failed
                    };
                    checks.push(Check {
                        year,
                        line: rule.label.clone(),
                        fuel: col.fuel.clone(),
                        cell: grid.cell_ref(row, col.index),
                        subtotal,
                        parts: sum,
                        difference,
                        tolerance: sub.tolerance,
                        status,
                    });
                }
            }
        }
    }
    // An accepted difference that is not there any more is a mistake.
    for rule in &mapping.lines {
        let LineRole::Subtotal(sub) = &rule.role else {
            continue;
        };
        for a in &sub.accept {
            let used = checks.iter().any(|c| {
                c.line == rule.label
                    && c.year == a.year
                    && c.fuel == a.fuel
                    && c.status == CheckStatus::Accepted(a.note.clone())
            });
            if !used {
                return Err(Error::file(
                    &mapping.path,
                    format!(
                        "{} accepts a difference of {} for '{}' in {}, but the sheet does not show that difference; check the sheet and update or remove the accept entry",
                        mapping.describe_line(rule),
                        format_decimal(a.difference),
                        a.fuel,
                        a.year
                    ),
                ));
            }
        }
    }
    Ok((checks, remainders))
}

/// What the parts of a subtotal do not explain in one column, mapped by
/// the subtotal's remainder targets.
fn remainder(
    grid: &Grid,
    cells: &mut Cells,
    (row, ci, year): (usize, usize, i32),
    parts: &[usize],
    difference: Decimal,
    rule: &LineRule,
    targets: &Targets,
    source: &str,
) -> CellRecord {
    let col = &grid.columns[ci];
    let cell = std::iter::once(grid.cell_ref(row, col.index))
        .chain(parts.iter().map(|&p| grid.cell_ref(p, col.index)))
        .collect::<Vec<_>>()
        .join("-");
    let line = format!("{} minus its parts", rule.label);
    let fuel_role = grid.fuel_role(col);
    let mut record = CellRecord {
        cell: cell.clone(),
        remainder: true,
        row: grid.rows[row].number,
        year: Some(year),
        line: line.clone(),
        fuel: col.fuel.clone(),
        value: difference,
        beyond_range: None,
        in_total_column: fuel_role == Some(&FuelRole::Total),
        outcome: Outcome::Mapped,
        mapped: Decimal::ZERO,
        codes: Vec::new(),
        rest: None,
    };
    record.outcome = match fuel_role {
        None => Outcome::Unmapped(format!(
            "the fuel '{}' ({year}) is not in the mapping",
            col.fuel
        )),
        Some(FuelRole::Total) => Outcome::Excluded(TOTAL_COLUMN.into()),
        Some(FuelRole::Exclude(reason)) => Outcome::Excluded(reason.clone()),
        Some(FuelRole::Fuel(fuel)) => {
            let made = MadeFrom {
                year,
                line: &line,
                source_fuel: &col.fuel,
                unit: &grid.mapping.layout.write_unit,
                source_id: format!("{source}!{cell}"),
                order: (grid.rows[row].number, col.index),
            };
            apply_targets(
                targets,
                fuel,
                &mut record,
                &made,
                &mut cells.rows,
                &format!(
                    "the remainder of '{}' maps no target for {fuel}",
                    rule.label
                ),
            )
        }
    };
    record
}

/// How much of each subtotal's energy went where, by year.
fn shares(grid: &Grid, cells: &Cells, remainders: &Tallies) -> Result<Vec<Share>> {
    let mapping = grid.mapping;
    let by_number: HashMap<u64, usize> = grid
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.number, i))
        .collect();
    let mut tally: Tallies = HashMap::new();
    for c in cells
        .records
        .iter()
        .filter(|c| !c.remainder && !c.in_total_column)
    {
        if let (Some(year), Some(&ri)) = (c.year, by_number.get(&c.row)) {
            tally.entry((ri, year)).or_default().add(c);
        }
    }
    let mut out = Vec::new();
    for &year in &grid.years {
        for (li, rule) in mapping.lines.iter().enumerate() {
            if !matches!(rule.role, LineRole::Subtotal(_)) {
                continue;
            }
            for spec in rule.names.iter().filter(|s| s.covers(year)) {
                let row = grid.find_row(spec, &mapping.describe_line(rule))?;
                if !cells.has_numbers(grid, row, year) {
                    continue;
                }
                let value: Decimal = grid
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        c.year == Some(year) && grid.fuel_role(c) != Some(&FuelRole::Total)
                    })
                    .filter_map(|(ci, _)| cells.values.get(&(row, ci)))
                    .copied()
                    .sum();
                let mut total = Tally::default();
                leaves(
                    grid,
                    li,
                    row,
                    year,
                    &tally,
                    remainders,
                    &mut total,
                    &mut Vec::new(),
                )
                .map_err(|cycle| Error::file(&mapping.path, cycle))?;
                let accounted = total.mapped
                    + total.excluded.values().copied().sum::<Decimal>()
                    + total.unmapped;
                let mut excluded: Vec<(String, Decimal)> = total.excluded.into_iter().collect();
                excluded.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                out.push(Share {
                    year,
                    label: rule.label.clone(),
                    value,
                    mapped: total.mapped,
                    excluded,
                    unmapped: total.unmapped,
                    difference: value - accounted,
                });
            }
        }
    }
    Ok(out)
}

fn count(records: &[CellRecord]) -> CellCounts {
    let mut counts = CellCounts::default();
    for c in records {
        if c.remainder {
            if matches!(c.outcome, Outcome::Unmapped(_)) {
                counts.unmapped_nonzero += 1;
            }
            continue;
        }
        counts.read += 1;
        if c.beyond_range.is_some() {
            counts.beyond_range += 1;
        }
        match c.outcome {
            Outcome::Mapped => {
                counts.mapped += 1;
                if c.value.is_zero() {
                    counts.mapped_zero += 1;
                }
            }
            Outcome::Excluded(_) => counts.excluded += 1,
            Outcome::Unmapped(_) => {
                counts.unmapped += 1;
                if !c.value.is_zero() {
                    counts.unmapped_nonzero += 1;
                }
            }
        }
    }
    counts
}

/// Converts a sheet with a mapping. `source` names the sheet in `source_id`
/// (its file name).
///
/// Reading the header (the years and fuels of the columns) → resolving the
/// mapping's names to columns and rows (every name must be there) → reading
/// and classifying the cells, mapping those of mapped lines and fuels →
/// checking the subtotals and mapping their remainders → adding up where
/// each subtotal's energy went.
pub fn convert(mapping: &Mapping, table: &Sheet, source: &str) -> Result<Conversion> {
    let grid = Grid::new(mapping, table)?;
    let mut cells = read_cells(&grid, source)?;
    let (checks, remainders) = check_subtotals(&grid, &mut cells, source)?;
    let shares = shares(&grid, &cells, &remainders)?;
    let counts = count(&cells.records);
    let mut rows = cells.rows;
    rows.sort_by_key(|r| (r.year, r.order));
    Ok(Conversion {
        source: source.to_string(),
        unit: mapping.layout.write_unit.clone(),
        years: grid.years.clone(),
        rows,
        cells: cells.records,
        checks,
        shares,
        counts,
    })
}

/// Where an activity row comes from.
struct MadeFrom<'a> {
    year: i32,
    line: &'a str,
    source_fuel: &'a str,
    unit: &'a str,
    source_id: String,
    /// Sheet row number and column index, to sort by.
    order: (u64, usize),
}

/// Applies a line's targets to a cell (or remainder) of a Guidebook fuel:
/// writes the activity rows, fills the record, and gives its outcome.
fn apply_targets(
    targets: &Targets,
    fuel: &str,
    record: &mut CellRecord,
    made: &MadeFrom,
    rows: &mut Vec<ActivityRow>,
    no_target: &str,
) -> Outcome {
    let applicable = targets.for_fuel(fuel);
    if applicable.is_empty() {
        return match &targets.rest {
            Some(reason) => Outcome::Excluded(reason.clone()),
            None => Outcome::Unmapped(no_target.to_string()),
        };
    }
    let mut mapped = Decimal::ZERO;
    for (ti, t) in applicable.iter().enumerate() {
        let value = record.value * t.share;
        mapped += value;
        record.codes.push(t.nfr.clone());
        if value.is_zero() {
            continue;
        }
        rows.push(ActivityRow {
            year: made.year,
            nfr: t.nfr.clone(),
            fuel: fuel.to_string(),
            technology: t.technology.clone(),
            value,
            unit: made.unit.to_string(),
            table: t.table.clone(),
            abatement: t.abatement.clone(),
            region: t.region.clone(),
            tier: t.tier.clone(),
            source_id: made.source_id.clone(),
            source_line: made.line.to_string(),
            source_fuel: made.source_fuel.to_string(),
            share: t.share,
            order: (
                crate::nfr::find(&t.nfr).map(|r| r.number).unwrap_or(0),
                made.order.0,
                made.order.1,
                ti,
            ),
        });
    }
    record.mapped = mapped;
    if mapped != record.value {
        record.rest = targets.rest.clone();
    }
    Outcome::Mapped
}

/// Amounts of energy by outcome.
#[derive(Debug, Clone, Default)]
struct Tally {
    mapped: Decimal,
    excluded: BTreeMap<String, Decimal>,
    unmapped: Decimal,
}

impl Tally {
    fn add(&mut self, c: &CellRecord) {
        match &c.outcome {
            Outcome::Mapped => {
                self.mapped += c.mapped;
                let rest = c.value - c.mapped;
                if !rest.is_zero() {
                    let reason = c.rest.clone().unwrap_or_else(|| "not mapped".into());
                    *self.excluded.entry(reason).or_default() += rest;
                }
            }
            Outcome::Excluded(reason) => {
                *self.excluded.entry(reason.clone()).or_default() += c.value;
            }
            Outcome::Unmapped(_) => self.unmapped += c.value,
        }
    }

    fn merge(&mut self, other: &Tally) {
        self.mapped += other.mapped;
        for (k, v) in &other.excluded {
            *self.excluded.entry(k.clone()).or_default() += *v;
        }
        self.unmapped += other.unmapped;
    }
}

/// Adds up the cells of a subtotal's parts in a year, through the parts
/// that are subtotals themselves, with the remainders mapped.
fn leaves(
    grid: &Grid,
    rule: usize,
    row: usize,
    year: i32,
    tally: &Tallies,
    remainders: &Tallies,
    out: &mut Tally,
    seen: &mut Vec<usize>,
) -> std::result::Result<(), String> {
    let mapping = grid.mapping;
    if seen.contains(&row) {
        return Err(format!(
            "{} is a part of itself (through subtotal_of)",
            mapping.describe_line(&mapping.lines[rule])
        ));
    }
    seen.push(row);
    if let Some(r) = remainders.get(&(row, year)) {
        out.merge(r);
    }
    for part in grid.parts_of(rule, year) {
        match grid.rule_of(part, year) {
            Some(pr) if matches!(mapping.lines[pr].role, LineRole::Subtotal(_)) => {
                leaves(grid, pr, part, year, tally, remainders, out, seen)?;
            }
            _ => {
                if let Some(t) = tally.get(&(part, year)) {
                    out.merge(t);
                }
            }
        }
    }
    seen.pop();
    Ok(())
}

fn join_years(years: &[i32]) -> String {
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Reads a mapping and the sheet it names, and converts the sheet.
pub fn convert_source(
    source: &Path,
    sheet: Option<&str>,
    mapping_path: &Path,
) -> Result<(Mapping, Conversion)> {
    let mapping = Mapping::load(mapping_path)?;
    let sheet = sheet.or(mapping.layout.sheet.as_deref());
    let table = crate::sheet::read(source, sheet)?;
    let name = source
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("sheet")
        .to_string();
    let conversion = convert(&mapping, &table, &name)?;
    Ok((mapping, conversion))
}

/// The location activity rows made by a mapping are read at, for messages.
pub fn converted_location(source: &Path, mapping: &Path) -> Location {
    Location::file(format!(
        "{} converted by {}",
        source.display(),
        mapping.display()
    ))
}

/// "; names like it: ..." for a name not found, or nothing.
fn suggest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let key = name.to_lowercase();
    let words: Vec<String> = key
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4)
        .map(String::from)
        .collect();
    let mut found: Vec<(usize, &str)> = candidates
        .filter_map(|c| {
            let lc = c.to_lowercase();
            let d = crate::nfr::edit_distance(&key, &lc);
            let common = words.iter().filter(|w| lc.contains(w.as_str())).count();
            (lc == key || d <= 3 || common > 0).then_some((
                if lc == key {
                    0
                } else {
                    d.min(100) + 100 - common.min(99)
                },
                c,
            ))
        })
        .collect();
    found.sort();
    found.dedup_by(|a, b| a.1 == b.1);
    if found.is_empty() {
        return String::new();
    }
    let names: Vec<String> = found
        .iter()
        .take(5)
        .map(|(_, n)| format!("'{n}'"))
        .collect();
    format!("; names like it: {}", names.join(", "))
}

// ---------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------

impl Conversion {
    /// The activity table as text cells: the header, then one row per
    /// activity row. What is written to the activity file and what compile
    /// reads are the same cells.
    pub fn activity_cells(&self) -> Vec<Vec<String>> {
        let mut out = vec![ACTIVITY_HEADER.iter().map(|s| s.to_string()).collect()];
        for r in &self.rows {
            out.push(vec![
                r.year.to_string(),
                r.nfr.clone(),
                r.fuel.clone(),
                r.technology.clone(),
                format_decimal(r.value),
                r.unit.clone(),
                r.table.clone(),
                r.abatement.clone(),
                r.region.clone(),
                r.tier.clone(),
                r.source_id.clone(),
                crate::output::csv_safe(&r.source_line).into_owned(),
                crate::output::csv_safe(&r.source_fuel).into_owned(),
                format_decimal(r.share),
            ]);
        }
        out
    }

    /// The activity rows as a table that [`crate::activity`] reads, located
    /// at `at` (the sheet through the mapping).
    pub fn activity_table(&self, at: Location) -> Sheet {
        Sheet {
            at,
            lettered: false,
            rows: self
                .activity_cells()
                .into_iter()
                .enumerate()
                .map(|(i, cells)| crate::sheet::SheetRow {
                    number: i as u64 + 1,
                    cells,
                })
                .collect(),
        }
    }

    /// Writes the activity file (CSV).
    pub fn write_activity(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut c = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        for row in self.activity_cells() {
            c.write_record(&row)?;
        }
        c.flush()
    }

    /// Writes the ledger of every cell and remainder (CSV).
    pub fn write_cells(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut c = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        c.write_record([
            "cell", "kind", "year", "line", "fuel", "value", "unit", "outcome", "mapped", "nfr",
            "reason",
        ])?;
        for r in &self.cells {
            let (outcome, reason) = match &r.outcome {
                Outcome::Mapped => ("mapped", r.rest.clone().unwrap_or_default()),
                Outcome::Excluded(why) => ("excluded", why.clone()),
                Outcome::Unmapped(why) => ("unmapped", why.clone()),
            };
            c.write_record([
                r.cell.as_str(),
                if r.remainder { "remainder" } else { "cell" },
                &r.year.map(|y| y.to_string()).unwrap_or_default(),
                &crate::output::csv_safe(&r.line),
                &crate::output::csv_safe(&r.fuel),
                &r.beyond_range
                    .clone()
                    .unwrap_or_else(|| format_decimal(r.value)),
                &self.unit,
                outcome,
                &format_decimal(r.mapped),
                &r.codes.join(" "),
                &reason,
            ])?;
        }
        c.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> std::result::Result<Mapping, String> {
        Mapping::parse(text, Path::new("m.toml")).map_err(|e| e.to_string())
    }

    const SHEET: &str = "[sheet]\nyear_row = 1\nfuel_row = 2\nunit = \"TJ\"\n";

    #[test]
    fn a_minimal_mapping_reads() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"natural gas\"\n[[lines]]\nnames = \"Power\"\nnfr = \"1.A.1.a\"\n"
        ))
        .unwrap();
        assert_eq!(m.layout.first_data_row, 3);
        assert_eq!(m.layout.factor, Decimal::ONE);
        assert_eq!(m.fuels[0].role, FuelRole::Fuel("Natural gas".into()));
        let LineRole::Map(t) = &m.lines[0].role else {
            panic!()
        };
        assert_eq!(t.to[0].nfr, "1A1a");
        assert_eq!(t.to[0].share, Decimal::ONE);
    }

    #[test]
    fn per_year_names_and_ranges() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = {{ 2021 = \"Coal1)\", \"2022-2024\" = [\"Energy  coal\", \"Coal\"] }}\nfuel = \"Hard Coal\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap();
        let names = &m.fuels[0].names;
        assert_eq!(names.len(), 3);
        assert_eq!(names[0].years, Some((2021, 2021)));
        assert_eq!(names[1].name, "Energy coal");
        assert_eq!(names[2].years, Some((2022, 2024)));
        assert!(names[2].covers(2023) && !names[2].covers(2021));
    }

    #[test]
    fn units_convert_exactly_or_not_at_all() {
        let m = load(
            "[sheet]\nyear = 2022\nfuel_row = 1\nunit = \"ktoe\"\nwrite_unit = \"TJ\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n",
        )
        .unwrap();
        assert_eq!(m.layout.factor, Decimal::from_str_exact("41.868").unwrap());
        assert_eq!(m.layout.year, YearSource::Fixed(2022));
        // 2.5 ktoe is 104.67 TJ, exactly, in the activity row.
        let t = sheet(&[&["", "Gas"], &["P", "2.5"]]);
        let m = load(
            "[sheet]\nyear = 2022\nfuel_row = 1\nunit = \"ktoe\"\nwrite_unit = \"TJ\"\n[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n",
        )
        .unwrap();
        let c = convert(&m, &t, "s.csv").unwrap();
        assert_eq!(format_decimal(c.rows[0].value), "104.67");
        assert_eq!(c.rows[0].unit, "TJ");
        let e = load(
            "[sheet]\nyear = 2022\nfuel_row = 1\nunit = \"TJ\"\nwrite_unit = \"t\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n",
        )
        .unwrap_err();
        assert!(e.contains("cannot be written as"), "{e}");
    }

    #[test]
    fn shares_must_be_exact_at_most_one_and_the_rest_explained() {
        let base = format!(
            "{SHEET}[[fuels]]\nnames = \"Petrol\"\nfuel = \"Gasoline\"\n[[fuels]]\nnames = \"Diesel\"\nfuel = \"Diesel\"\n[[lines]]\nnames = \"Road\"\n"
        );
        let ok = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", fuels = [\"Gasoline\"], share = \"0.9\" }}, {{ nfr = \"1A3biv\", fuels = [\"Gasoline\"], share = \"0.1\" }}, {{ nfr = \"1A3biii\" }}]\n"
        ))
        .unwrap();
        let LineRole::Map(t) = &ok.lines[0].role else {
            panic!()
        };
        assert_eq!(t.for_fuel("Gasoline").len(), 2);
        assert_eq!(t.for_fuel("Diesel")[0].nfr, "1A3biii");
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", share = \"0.7\" }}, {{ nfr = \"1A3bii\", share = \"0.4\" }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("sum to 1.1, more than 1"), "{e}");
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", share = \"0.7\" }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("sum to 0.7") && e.contains("rest ="), "{e}");
        assert!(
            load(&format!(
                "{base}to = [{{ nfr = \"1A3bi\", share = \"0.7\" }}]\nrest = \"30 % is off-road\"\n"
            ))
            .is_ok()
        );
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", share = \"1.5\" }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("at most 1"), "{e}");
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", fuels = [\"LPG\"] }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("no [[fuels]] entry maps to 'LPG'"), "{e}");
    }

    fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            at: Location::file("s.csv"),
            lettered: false,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| crate::sheet::SheetRow {
                    number: i as u64 + 1,
                    cells: r.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
        }
    }

    proptest::proptest! {
        /// Shares split a cell exactly: its activity rows and its excluded
        /// rest add up to the cell, whatever the digits.
        #[test]
        fn shares_split_a_cell_exactly(
            mantissa in 0i64..1_000_000_000_000,
            scale in 0u32..9,
            a in 1u32..500,
            b in 0u32..500,
        ) {
            let value = Decimal::new(mantissa, scale);
            let (sa, sb) = (Decimal::new(a as i64, 3), Decimal::new(b as i64, 3));
            let mut to = format!("{{ nfr = \"1A4bi\", share = \"{sa}\" }}");
            if b > 0 {
                to.push_str(&format!(", {{ nfr = \"1A4ai\", share = \"{sb}\" }}"));
            }
            let m = load(&format!(
                "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n[[lines]]\nnames = \"Homes\"\nto = [{to}]\nrest = \"elsewhere\"\n"
            ))
            .unwrap();
            let text = value.to_string();
            let t = sheet(&[&["", "2022"], &["", "Gas"], &["Homes", &text]]);
            let c = convert(&m, &t, "s.csv").unwrap();
            let written: Decimal = c.rows.iter().map(|r| r.value).sum();
            proptest::prop_assert_eq!(written, value * (sa + sb));
            proptest::prop_assert_eq!(c.cells[0].mapped, written);
            let mut tally = Tally::default();
            tally.add(&c.cells[0]);
            let rest: Decimal = tally.excluded.values().copied().sum();
            proptest::prop_assert_eq!(tally.mapped + rest, value);
        }
    }

    #[test]
    fn a_remainder_and_an_excepted_cell() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n\
             [[lines]]\nnames = \"Own use\"\nsubtotal_of = [\"Mines\"]\n[lines.remainder]\nnfr = \"1A1b\"\n\
             [[lines]]\nnames = \"Mines\"\nnfr = \"1A1c\"\n\
             [[lines]]\nnames = \"Plants\"\nnfr = \"1A1a\"\nexcept = [{{ year = 2022, fuel = \"Gas\", reason = \"own use, merged\" }}]\n"
        ))
        .unwrap();
        let t = sheet(&[
            &["", "2022"],
            &["", "Gas"],
            &["Mines", "30"],
            &["Own use", "42.5"],
            &["Plants", "7"],
        ]);
        let c = convert(&m, &t, "s.csv").unwrap();
        let rows: Vec<(&str, String, &str)> = c
            .rows
            .iter()
            .map(|r| {
                (
                    r.nfr.as_str(),
                    format_decimal(r.value),
                    r.source_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("1A1b", "12.5".to_string(), "s.csv!B4-B3"),
                ("1A1c", "30".to_string(), "s.csv!B3")
            ]
        );
        assert_eq!(c.checks[0].status, CheckStatus::Remainder);
        assert_eq!(
            c.cells[2].outcome,
            Outcome::Excluded("own use, merged".into())
        );
        assert_eq!(c.counts.read, 3);
        // Excepting a cell that is not there is an error.
        let t = sheet(&[
            &["", "2023"],
            &["", "Gas"],
            &["Mines", "30"],
            &["Own use", "30"],
            &["Plants", "7"],
        ]);
        let e = convert(&m, &t, "s.csv").unwrap_err().to_string();
        assert!(e.contains("excepts the cell of 'Gas' in 2022"), "{e}");
    }

    #[test]
    fn text_columns_beside_the_numbers_are_not_cells_but_their_numbers_are() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n[[lines]]\nnames = \"Homes\"\nnfr = \"1A4bi\"\n"
        ))
        .unwrap();
        let t = sheet(&[
            &["", "unit", "2022", "note"],
            &["", "", "Gas", ""],
            &["Homes", "TJ", "5", "12"],
        ]);
        let c = convert(&m, &t, "s.csv").unwrap();
        assert_eq!(c.years, [2022]);
        assert_eq!(
            (c.counts.read, c.counts.mapped, c.counts.unmapped),
            (2, 1, 1)
        );
        assert_eq!(c.rows[0].source_id, "s.csv!C3");
        // The 12 under "note" has no year: it is listed, not lost.
        assert_eq!(c.cells[1].cell, "D3");
        assert_eq!(
            c.cells[1].outcome,
            Outcome::Unmapped("the column has no year".into())
        );
    }

    #[test]
    fn mistakes_are_named() {
        let e = load("[sheet]\nfuel_row = 2\nunit = \"TJ\"\n").unwrap_err();
        assert!(e.contains("year_row"), "{e}");
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nnfr = \"1A9z\"\n"
        ))
        .unwrap_err();
        assert!(
            e.contains("lines entry 1 (P)") && e.contains("not an NFR code"),
            "{e}"
        );
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nnrf = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("'nrf' is not a setting"), "{e}");
        let e = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"X\"\nfuel = \"unobtainium\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("not a Guidebook fuel"), "{e}");
        let e = load(&format!("{SHEET}[[lines]]\nnames = \"P\"\n")).unwrap_err();
        assert!(e.contains("say what the line is"), "{e}");
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = {{ \"2024-2022\" = \"P\" }}\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("first year is after the last"), "{e}");
        assert!(column_index("A") == Some(0) && column_index("AB") == Some(27));
        assert_eq!(column_index("3"), Some(2));
    }
}
