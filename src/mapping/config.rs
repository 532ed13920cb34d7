//! The mapping file format: reading a mapping's TOML in two stages.
//!
//! 1. serde reads the text into raw structs that mirror the file
//!    (`deny_unknown_fields`), so a misspelt key or a value of the wrong
//!    kind is an error naming the key, what is accepted, and its line;
//! 2. a checking pass turns the raw structs into a [`Mapping`]: names, years
//!    and year ranges, units, Guidebook fuels, NFR codes, shares that add up,
//!    each entry's settings fitting what it is. Its messages name the entry
//!    (`lines entry 3 (Road), target 2: ...`).

use super::{
    Accepted, Except, FuelRole, FuelRule, Layout, LineRole, LineRule, Mapping, NameSpec, Subtotal,
    Target, Targets, YearSource, name_key,
};
use crate::number::{format_decimal, parse_decimal, parse_year};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::IgnoredAny;
use std::path::Path;

/// What is wrong with a mapping, said in the user's terms.
type Problem = String;

// ---------------------------------------------------------------------------
// Stage 1: the file as written
// ---------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    name: Option<String>,
    source: Option<String>,
    sheet: Option<RawSheet>,
    #[serde(default)]
    fuels: Vec<RawFuel>,
    #[serde(default)]
    lines: Vec<RawLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [sheet] table")]
struct RawSheet {
    name: Option<String>,
    line_column: Option<RawColumn>,
    year_row: Option<i64>,
    year: Option<RawYear>,
    fuel_row: Option<i64>,
    first_data_row: Option<i64>,
    unit: Option<String>,
    write_unit: Option<String>,
    empty: Option<Vec<String>>,
    years: Option<Vec<RawYear>>,
}

/// `line_column = "B"` or `line_column = 2`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "line_column is a column letter (\"A\") or number (1)"
)]
enum RawColumn {
    Number(i64),
    Letters(String),
}

/// A number as TOML may write it: text in quotes (exact), a whole number,
/// or a float (read through the audited shortest-text conversion, so `0.9`
/// is 0.9).
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a number, e.g. \"0.9\" or 12")]
enum RawNumber {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl RawNumber {
    fn decimal(&self) -> std::result::Result<Decimal, Problem> {
        match self {
            RawNumber::Text(s) => parse_decimal(s).map_err(|e| e.to_string()),
            RawNumber::Integer(i) => Ok(Decimal::from(*i)),
            RawNumber::Float(f) => crate::number::from_excel(*f).map_err(|e| e.to_string()),
        }
    }
}

/// A year as TOML may write it: `2022`, `"2022"` (or `2022.0`).
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a year, e.g. 2022")]
enum RawYear {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl RawYear {
    fn year(&self) -> std::result::Result<i32, Problem> {
        match self {
            RawYear::Text(s) => parse_year(s),
            RawYear::Integer(i) => parse_year(&i.to_string()),
            RawYear::Float(f) => parse_year(&f.to_string()),
        }
    }
}

/// `names = "A"`, `names = ["A", "B"]` or `names = { 2021 = "A", "2022-2024" = ["B"] }`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "names are a text, a list of texts, or a table of years, e.g. { 2021 = \"A\", \"2022-2024\" = \"B\" }"
)]
enum RawNames {
    One(String),
    List(Vec<String>),
    ByYear(ByYear),
}

/// `"2022-2024" = "B"` entries, in the order the file gives them.
struct ByYear(Vec<(String, RawNameList)>);

impl<'de> Deserialize<'de> for ByYear {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ByYear;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of years, e.g. { 2021 = \"A\", \"2022-2024\" = \"B\" }")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<ByYear, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(ByYear(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "names are texts in quotes")]
enum RawNameList {
    One(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[fuels]] table")]
struct RawFuel {
    names: Option<RawNames>,
    fuel: Option<String>,
    exclude: Option<String>,
    total: Option<bool>,
    /// A note for the reader of the mapping (any value; not read).
    #[serde(rename = "note")]
    _note: Option<IgnoredAny>,
}

/// The settings that pin a target's activity rows to factors.
const PINS: [&str; 5] = ["technology", "table", "abatement", "region", "tier"];

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[lines]] table")]
struct RawLine {
    names: Option<RawNames>,
    label: Option<String>,
    // A mapped line.
    nfr: Option<String>,
    to: Option<Vec<RawTarget>>,
    rest: Option<String>,
    except: Option<Vec<RawExcept>>,
    technology: Option<String>,
    table: Option<String>,
    abatement: Option<String>,
    region: Option<String>,
    tier: Option<String>,
    // A line left out.
    exclude: Option<String>,
    // A subtotal.
    subtotal_of: Option<RawNames>,
    tolerance: Option<RawNumber>,
    remainder: Option<RawRemainder>,
    accept: Option<Vec<RawAccepted>>,
    note: Option<IgnoredAny>,
}

impl RawLine {
    /// The settings given, in the order of the settings lists.
    fn given(&self) -> Vec<&'static str> {
        let set = [
            ("names", self.names.is_some()),
            ("label", self.label.is_some()),
            ("nfr", self.nfr.is_some()),
            ("to", self.to.is_some()),
            ("rest", self.rest.is_some()),
            ("except", self.except.is_some()),
            ("note", self.note.is_some()),
            ("technology", self.technology.is_some()),
            ("table", self.table.is_some()),
            ("abatement", self.abatement.is_some()),
            ("region", self.region.is_some()),
            ("tier", self.tier.is_some()),
            ("exclude", self.exclude.is_some()),
            ("subtotal_of", self.subtotal_of.is_some()),
            ("tolerance", self.tolerance.is_some()),
            ("remainder", self.remainder.is_some()),
            ("accept", self.accept.is_some()),
        ];
        set.iter().filter(|(_, on)| *on).map(|(k, _)| *k).collect()
    }

    fn targets(&self) -> RawTargets<'_> {
        RawTargets {
            nfr: self.nfr.as_deref(),
            to: self.to.as_deref(),
            rest: self.rest.as_deref(),
            pins: [
                &self.technology,
                &self.table,
                &self.abatement,
                &self.region,
                &self.tier,
            ],
        }
    }
}

/// `[lines.remainder]`: where what a subtotal's parts do not explain goes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table ([lines.remainder])")]
struct RawRemainder {
    nfr: Option<String>,
    to: Option<Vec<RawTarget>>,
    rest: Option<String>,
    technology: Option<String>,
    table: Option<String>,
    abatement: Option<String>,
    region: Option<String>,
    tier: Option<String>,
}

impl RawRemainder {
    fn targets(&self) -> RawTargets<'_> {
        RawTargets {
            nfr: self.nfr.as_deref(),
            to: self.to.as_deref(),
            rest: self.rest.as_deref(),
            pins: [
                &self.technology,
                &self.table,
                &self.abatement,
                &self.region,
                &self.tier,
            ],
        }
    }
}

/// One of `to = [...]`.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a target, e.g. { nfr = \"1A1a\", share = \"0.5\" }"
)]
struct RawTarget {
    nfr: Option<String>,
    share: Option<RawNumber>,
    fuels: Option<Vec<String>>,
    technology: Option<String>,
    table: Option<String>,
    abatement: Option<String>,
    region: Option<String>,
    tier: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "{ year, fuel, reason }")]
struct RawExcept {
    year: Option<i64>,
    fuel: Option<String>,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "{ year, fuel, difference, note }")]
struct RawAccepted {
    year: Option<i64>,
    fuel: Option<String>,
    difference: Option<RawNumber>,
    note: Option<String>,
}

/// The targets part of a line or a remainder: `nfr = ...` (with pins) or
/// `to = [...]`, and `rest`.
struct RawTargets<'a> {
    nfr: Option<&'a str>,
    to: Option<&'a [RawTarget]>,
    rest: Option<&'a str>,
    /// In the order of [`PINS`].
    pins: [&'a Option<String>; 5],
}

/// Reads the TOML into the raw structs. A syntax error says so with its
/// line; a key or value serde refuses is named with its line.
fn read_raw(text: &str) -> std::result::Result<RawMapping, Problem> {
    text.parse::<toml::Table>().map_err(|e: toml::de::Error| {
        let message = e.message().trim();
        match e.span() {
            Some(span) => format!(
                "line {}: is not valid TOML: {message}",
                crate::config::line_of(text, span.start)
            ),
            None => format!("is not valid TOML: {message}"),
        }
    })?;
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let message = plain_words(e.message());
        let Some(span) = e.span() else {
            return message;
        };
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        match key_before(before) {
            Some(key) if !message.starts_with('\'') => format!("line {line}: {key}: {message}"),
            _ => format!("line {line}: {message}"),
        }
    })
}

/// The key of the value that starts after `before` (`key = ` just before
/// it), if there is one: the name of a setting whose value is refused.
fn key_before(before: &str) -> Option<&str> {
    let rest = before.trim_end().strip_suffix('=')?.trim_end();
    let start = rest
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(0, |i| i + 1);
    let key = &rest[start..];
    (!key.is_empty()).then_some(key)
}

/// serde's words for what it refuses, in the words the rest of the messages use.
fn plain_words(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once('`')
    {
        let settings = expected
            .trim_start_matches(", expected ")
            .trim_start_matches("one of ")
            .replace('`', "");
        return format!("'{key}' is not a setting here; the settings are {settings}");
    }
    message
        .replace("expected a string", "expected text in quotes")
        .replace("expected a sequence", "expected a list")
        .replace("expected i64", "expected a whole number")
        .replace("expected a boolean", "expected true or false")
}

// ---------------------------------------------------------------------------
// Stage 2: checking what the file says
// ---------------------------------------------------------------------------

/// Text as the mapping means it: trimmed.
fn text(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|s| s.trim().to_string())
}

/// A row number as the spreadsheet shows it (1, 2, ...).
fn row_number(value: Option<i64>, key: &str) -> std::result::Result<Option<u64>, Problem> {
    match value {
        None => Ok(None),
        Some(i) if i >= 1 => Ok(Some(i as u64)),
        Some(_) => Err(format!(
            "[sheet]: {key} must be a row number as the spreadsheet shows it (1, 2, ...)"
        )),
    }
}

pub(super) fn parse(toml_text: &str, path: &Path) -> std::result::Result<Mapping, Problem> {
    let raw = read_raw(toml_text)?;
    let layout = match &raw.sheet {
        Some(sheet) => layout(sheet)?,
        None => {
            return Err(
                "has no [sheet] table saying where the line names, years and fuels are".into(),
            );
        }
    };
    let fuels = raw
        .fuels
        .iter()
        .enumerate()
        .map(|(i, f)| fuel(i + 1, f, &format!("fuels entry {}", i + 1)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mapped_fuels: Vec<&str> = fuels
        .iter()
        .filter_map(|f| match &f.role {
            FuelRole::Fuel(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let lines = raw
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| line(i + 1, l, &format!("lines entry {}", i + 1), &mapped_fuels))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if lines.is_empty() {
        return Err("has no [[lines]] entries: nothing would be mapped".into());
    }
    Ok(Mapping {
        path: path.to_path_buf(),
        name: text(&raw.name).unwrap_or_default(),
        source: text(&raw.source).unwrap_or_default(),
        layout,
        fuels,
        lines,
    })
}

fn layout(s: &RawSheet) -> std::result::Result<Layout, Problem> {
    let line_column = match &s.line_column {
        None => 0,
        Some(RawColumn::Number(i)) if *i >= 1 => (*i - 1) as usize,
        Some(RawColumn::Letters(l)) => column_index(l).ok_or_else(|| {
            format!("[sheet]: line_column '{l}' is not a column letter (A, B, ... AA) or number")
        })?,
        Some(RawColumn::Number(_)) => {
            return Err("[sheet]: line_column is a column letter (\"A\") or number (1)".into());
        }
    };
    let year = match (row_number(s.year_row, "year_row")?, &s.year) {
        (Some(_), Some(_)) => {
            return Err(
                "[sheet]: give either year_row (years in a header row) or year (one year for the sheet), not both"
                    .into(),
            );
        }
        (Some(r), None) => YearSource::Row(r),
        (None, Some(y)) => YearSource::Fixed(y.year().map_err(|p| format!("[sheet]: year: {p}"))?),
        (None, None) => {
            return Err(
                "[sheet]: say where the years are: year_row = <row> or year = <year>".into(),
            );
        }
    };
    let fuel_row = row_number(s.fuel_row, "fuel_row")?
        .ok_or("[sheet]: fuel_row (the row holding the fuel names) is required")?;
    let last_header = match year {
        YearSource::Row(r) => r.max(fuel_row),
        YearSource::Fixed(_) => fuel_row,
    };
    let first_data_row = row_number(s.first_data_row, "first_data_row")?.unwrap_or(last_header + 1);
    if first_data_row <= last_header {
        return Err(format!(
            "[sheet]: first_data_row {first_data_row} is not below the header rows (row {last_header})"
        ));
    }
    let unit = text(&s.unit)
        .ok_or("[sheet]: unit (the unit of the sheet's numbers, e.g. \"TJ\") is required")?;
    let write_unit = text(&s.write_unit).unwrap_or_else(|| unit.clone());
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
    let empty = s
        .empty
        .iter()
        .flatten()
        .map(|e| e.trim().to_string())
        .collect();
    let mut years = s
        .years
        .iter()
        .flatten()
        .map(|y| y.year().map_err(|p| format!("[sheet]: years: {p}")))
        .collect::<std::result::Result<Vec<i32>, Problem>>()?;
    years.sort();
    years.dedup();
    Ok(Layout {
        sheet: text(&s.name).filter(|s| !s.is_empty()),
        line_column,
        year,
        fuel_row,
        first_data_row,
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

/// Names for all years, or by year (or `first-last`); none may be empty.
fn name_specs(raw: &RawNames, label: &str) -> std::result::Result<Vec<NameSpec>, Problem> {
    let spec = |name: &String, years| NameSpec {
        name: name_key(name),
        years,
    };
    let specs: Vec<NameSpec> = match raw {
        RawNames::One(name) => vec![spec(name, None)],
        RawNames::List(list) => list.iter().map(|n| spec(n, None)).collect(),
        RawNames::ByYear(ByYear(entries)) => {
            let mut out = Vec::new();
            for (key, list) in entries {
                let years = Some(
                    crate::number::parse_year_range(key).map_err(|e| format!("{label}: {e}"))?,
                );
                match list {
                    RawNameList::One(name) => out.push(spec(name, years)),
                    RawNameList::List(l) => out.extend(l.iter().map(|n| spec(n, years))),
                }
            }
            out
        }
    };
    if specs.is_empty() || specs.iter().any(|s| s.name.is_empty()) {
        return Err(format!("{label}: a name is empty"));
    }
    Ok(specs)
}

fn fuel(entry: usize, f: &RawFuel, label: &str) -> std::result::Result<FuelRule, Problem> {
    let names = name_specs(
        f.names
            .as_ref()
            .ok_or_else(|| format!("{label}: names (the fuel's names in the sheet) is required"))?,
        label,
    )?;
    let role = match (text(&f.fuel), text(&f.exclude), f.total.unwrap_or(false)) {
        (Some(name), None, false) => {
            let known = crate::fuel::Fuels::built_in().find(&name).ok_or_else(|| {
                format!(
                    "{label}: '{name}' is not a Guidebook fuel or alias; the fuels are: {}",
                    crate::fuel::Fuels::built_in().names()
                )
            })?;
            FuelRole::Fuel(known.name.clone())
        }
        (None, Some(reason), false) if !reason.is_empty() => FuelRole::Exclude(reason),
        (None, None, true) => FuelRole::Total,
        _ => {
            return Err(format!(
                "{label}: give exactly one of fuel = \"<Guidebook fuel>\", exclude = \"<why>\" or total = true"
            ));
        }
    };
    Ok(FuelRule { entry, names, role })
}

/// One target: the code, the share and fuels (in `to = [...]` only), the pins.
fn target(
    nfr: Option<&str>,
    share: Option<&RawNumber>,
    fuels: Option<&[String]>,
    pins: [&Option<String>; 5],
    label: &str,
    mapped_fuels: &[&str],
) -> std::result::Result<Target, Problem> {
    let code = nfr
        .map(str::trim)
        .ok_or_else(|| format!("{label}: nfr is required"))?;
    let row = crate::nfr::find(code)
        .ok_or_else(|| format!("{label}: {}", crate::nfr::unknown_code_message(code)))?;
    if !row.takes_activity() {
        return Err(format!(
            "{label}: '{}' is not a row that takes activity data",
            row.code
        ));
    }
    let share = match share {
        Some(s) => s.decimal().map_err(|e| format!("{label}: share: {e}"))?,
        None => Decimal::ONE,
    };
    if share <= Decimal::ZERO || share > Decimal::ONE {
        return Err(format!(
            "{label}: share {share} is not above 0 and at most 1"
        ));
    }
    let mut names = Vec::new();
    for name in fuels.into_iter().flatten() {
        let fuel = crate::fuel::Fuels::built_in()
            .find(name)
            .ok_or_else(|| format!("{label}: '{name}' is not a Guidebook fuel or alias"))?;
        if !mapped_fuels.contains(&fuel.name.as_str()) {
            return Err(format!(
                "{label}: no [[fuels]] entry maps to '{}', so this target would never apply",
                fuel.name
            ));
        }
        if !names.contains(&fuel.name) {
            names.push(fuel.name.clone());
        }
    }
    let [technology, table, abatement, region, tier] = pins.map(|p| text(p).unwrap_or_default());
    Ok(Target {
        nfr: row.code.clone(),
        share,
        fuels: names,
        technology,
        table,
        abatement,
        region,
        tier,
    })
}

/// `nfr = ...` (with pins) or `to = [...]`, and `rest`.
fn targets(
    raw: &RawTargets,
    label: &str,
    mapped_fuels: &[&str],
) -> std::result::Result<Targets, Problem> {
    let rest = raw
        .rest
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let to = match (raw.nfr, raw.to) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{label}: give nfr = \"...\" for the whole line or to = [...] targets, not both"
            ));
        }
        (Some(nfr), None) => vec![target(
            Some(nfr),
            None,
            None,
            raw.pins,
            label,
            mapped_fuels,
        )?],
        (None, Some(items)) => {
            if let Some((p, _)) = PINS.iter().zip(raw.pins).find(|(_, v)| v.is_some()) {
                return Err(format!("{label}: with to = [...], give {p} in each target"));
            }
            let mut out = Vec::new();
            for (i, t) in items.iter().enumerate() {
                out.push(target(
                    t.nfr.as_deref(),
                    t.share.as_ref(),
                    t.fuels.as_deref(),
                    [&t.technology, &t.table, &t.abatement, &t.region, &t.tier],
                    &format!("{label}, target {}", i + 1),
                    mapped_fuels,
                )?);
            }
            if out.is_empty() {
                return Err(format!("{label}: to = [] maps nothing"));
            }
            out
        }
        (None, None) => return Err(format!("{label}: nfr or to is required")),
    };
    let targets = Targets {
        to,
        rest,
        except: Vec::new(),
    };
    check_shares(&targets, label)?;
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

/// The settings of each kind of line (the `[[lines]]` struct holds them all).
const EXCLUDED_LINE: [&str; 4] = ["names", "label", "exclude", "note"];
const SUBTOTAL_LINE: [&str; 7] = [
    "names",
    "label",
    "subtotal_of",
    "tolerance",
    "remainder",
    "accept",
    "note",
];
const MAPPED_LINE: [&str; 12] = [
    "names",
    "label",
    "nfr",
    "to",
    "rest",
    "except",
    "note",
    "technology",
    "table",
    "abatement",
    "region",
    "tier",
];

/// The settings a kind of line takes.
fn check_settings(l: &RawLine, allowed: &[&str], label: &str) -> std::result::Result<(), Problem> {
    match l.given().into_iter().find(|k| !allowed.contains(k)) {
        Some(key) => Err(format!(
            "{label}: '{key}' is not a setting here; the settings are {}",
            allowed.join(", ")
        )),
        None => Ok(()),
    }
}

fn line(
    entry: usize,
    l: &RawLine,
    label: &str,
    mapped_fuels: &[&str],
) -> std::result::Result<LineRule, Problem> {
    let names = name_specs(
        l.names
            .as_ref()
            .ok_or_else(|| format!("{label}: names (the line's names in the sheet) is required"))?,
        label,
    )?;
    let short = text(&l.label)
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| names[0].name.clone());
    let label = format!("{label} ({short})");
    let label = label.as_str();
    let role = if let Some(reason) = text(&l.exclude) {
        check_settings(l, &EXCLUDED_LINE, label)?;
        if reason.is_empty() {
            return Err(format!("{label}: exclude needs a reason"));
        }
        LineRole::Exclude(reason)
    } else if let Some(parts) = &l.subtotal_of {
        check_settings(l, &SUBTOTAL_LINE, label)?;
        let parts = name_specs(parts, &format!("{label}: subtotal_of"))?;
        let tolerance = match &l.tolerance {
            Some(t) => t
                .decimal()
                .map_err(|e| format!("{label}: tolerance: {e}"))?,
            None => Decimal::ZERO,
        };
        if tolerance < Decimal::ZERO {
            return Err(format!("{label}: tolerance cannot be negative"));
        }
        let remainder = match &l.remainder {
            Some(r) => Some(targets(
                &r.targets(),
                &format!("{label}: remainder"),
                mapped_fuels,
            )?),
            None => None,
        };
        let accept = l
            .accept
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, a)| accepted(a, &format!("{label}: accept {}", i + 1)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        LineRole::Subtotal(Subtotal {
            parts,
            tolerance,
            remainder,
            accept,
        })
    } else {
        check_settings(l, &MAPPED_LINE, label)?;
        if l.nfr.is_none() && l.to.is_none() {
            return Err(format!(
                "{label}: say what the line is: nfr = \"<code>\", to = [...], exclude = \"<why>\" or subtotal_of = [...]"
            ));
        }
        let mut targets = targets(&l.targets(), label, mapped_fuels)?;
        targets.except = l
            .except
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, x)| except(x, &format!("{label}: except {}", i + 1)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        LineRole::Map(targets)
    };
    Ok(LineRule {
        entry,
        label: short,
        names,
        role,
    })
}

/// The `year` and `fuel` (the fuel's name in the sheet) of an entry that
/// names one cell of the sheet.
fn year_and_fuel(
    year: Option<i64>,
    fuel: &Option<String>,
    label: &str,
) -> std::result::Result<(i32, String), Problem> {
    let year = match year {
        Some(i) => parse_year(&i.to_string()).map_err(|p| format!("{label}: {p}"))?,
        None => return Err(format!("{label}: year is required")),
    };
    let fuel = text(fuel)
        .ok_or_else(|| format!("{label}: fuel (the fuel's name in the sheet) is required"))?;
    Ok((year, name_key(&fuel)))
}

fn except(x: &RawExcept, label: &str) -> std::result::Result<Except, Problem> {
    let (year, fuel) = year_and_fuel(x.year, &x.fuel, label)?;
    let reason = text(&x.reason)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{label}: reason is required"))?;
    Ok(Except { year, fuel, reason })
}

fn accepted(a: &RawAccepted, label: &str) -> std::result::Result<Accepted, Problem> {
    let (year, fuel) = year_and_fuel(a.year, &a.fuel, label)?;
    let difference = a
        .difference
        .as_ref()
        .ok_or_else(|| format!("{label}: difference (subtotal minus parts, exact) is required"))?
        .decimal()
        .map_err(|e| format!("{label}: difference: {e}"))?;
    let note = text(&a.note)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{label}: note (why the difference is accepted) is required"))?;
    Ok(Accepted {
        year,
        fuel,
        difference,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::test_support::{SHEET, load};

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
        assert!(
            e.contains("m.toml, line 7: 'nrf' is not a setting here; the settings are names,"),
            "{e}"
        );
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

    #[test]
    fn a_value_of_the_wrong_kind_is_named_with_its_key_and_line() {
        let e = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = 5\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "m.toml, line 7: fuel: invalid type: integer `5`, expected text in quotes"
        );
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nto = [{{ nfr = \"1A1a\", share = true }}]\n"
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "m.toml, line 7: share: expected a number, e.g. \"0.9\" or 12"
        );
        let e = load("[sheet]\nyear_row = \"1\"\n").unwrap_err();
        assert_eq!(
            e,
            "m.toml, line 2: year_row: invalid type: string \"1\", expected a whole number"
        );
        // Not TOML at all: said with toml's words and the line (fuzzing
        // found syntax errors named no line: issue 17).
        let e = load("[[lines]\n").unwrap_err();
        assert!(e.starts_with("m.toml, line 1: is not valid TOML: "), "{e}");
        let e = load("name = \"x\"\nsource = \"y\"\nunit\n").unwrap_err();
        assert!(
            e.starts_with("m.toml, line 3: is not valid TOML: key with no value"),
            "{e}"
        );
    }

    #[test]
    fn each_kind_of_line_takes_its_own_settings() {
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nexclude = \"exports\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "m.toml: lines entry 1 (P): 'nfr' is not a setting here; the settings are names, label, exclude, note"
        );
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"T\"\nsubtotal_of = [\"P\"]\nrest = \"x\"\n"
        ))
        .unwrap_err();
        assert!(
            e.contains("lines entry 1 (T): 'rest' is not a setting here; the settings are names, label, subtotal_of,"),
            "{e}"
        );
        // A note may be anything: it is for the reader of the mapping.
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\nnote = [\"since 2021\", 2021]\n[[lines]]\nnames = \"P\"\nexclude = \"exports\"\nnote = 3\n"
        ))
        .unwrap();
        assert!(matches!(&m.lines[0].role, LineRole::Exclude(r) if r == "exports"));
        assert_eq!(m.fuels[0].role, FuelRole::Fuel("Natural gas".into()));
    }

    #[test]
    fn years_and_numbers_are_read_as_written() {
        let m = load(
            "[sheet]\nyear = \"2022\"\nfuel_row = 1\nunit = \"TJ\"\nyears = [2022, \"2022\"]\nempty = [\" - \"]\nline_column = \"B\"\n[[lines]]\nnames = \"T\"\nsubtotal_of = { \"2021-2022\" = [\"P\", \"Q\"] }\ntolerance = 0.5\n",
        )
        .unwrap();
        assert_eq!(m.layout.year, YearSource::Fixed(2022));
        assert_eq!(m.layout.years, [2022]);
        assert_eq!(m.layout.empty, ["-"]);
        assert_eq!(m.layout.line_column, 1);
        let LineRole::Subtotal(sub) = &m.lines[0].role else {
            panic!("a subtotal")
        };
        assert_eq!(sub.tolerance, Decimal::new(5, 1));
        assert_eq!(sub.parts.len(), 2);
        assert_eq!(sub.parts[1].years, Some((2021, 2022)));
    }
}
