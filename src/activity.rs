//! Activity data: reading the tidy activity files compilers give.
//!
//! A CSV file or a workbook sheet with a header row naming the columns
//! `year,nfr,fuel,technology,value,unit` (fuel and technology cells may be
//! empty), optionally `table,abatement,region,tier,abatement_efficiency,source_id`,
//! and any other columns, which are carried to `detail.csv`. Column names are
//! matched case-insensitively. Empty lines are skipped and counted.
//!
//! Each row is either used or rejected with its location and reason: an
//! unknown NFR code (with the closest valid codes), a value that is not a
//! number or is negative, an unknown unit (with the accepted ones), a year
//! outside the inventory's years.

use crate::error::{Error, Location, Result};
use crate::fuel::{ActivityFuel, Fuels};
use crate::nfr::{self, Row, RowKind};
use crate::number::parse_decimal;
use crate::pins::Pins;
use crate::unit::{ActivityUnit, normalise};
use rust_decimal::Decimal;
use std::path::Path;

/// The required columns.
pub const REQUIRED: [&str; 6] = ["year", "nfr", "fuel", "technology", "value", "unit"];
/// The optional columns airinv reads.
pub const OPTIONAL: [&str; 6] = [
    "table",
    "abatement",
    "region",
    "tier",
    "abatement_efficiency",
    "source_id",
];

/// The largest activity of one row, in the base unit of its quantity (J,
/// g, m³, m², km or items): 10^24 J is a thousand times the world's yearly
/// energy use. Larger values are a slip of unit or digits, refused with the
/// row (the calculation's arithmetic is checked besides).
pub const MAX_ACTIVITY_BASE: Decimal =
    Decimal::from_parts(0xA100_0000, 0x1BCE_CCED, 0xD3C2, false, 0);

/// What activities are summed by: the year, the Annex I row, the fuel,
/// the pins, the unit and the abatement efficiency, each read once from its
/// cell. Keys sort in this order (the row in template order, the parts as
/// their texts, a part not given first), which is the order of detail.csv.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityKey {
    pub year: i32,
    /// The Annex I row the activity is reported in.
    pub row: &'static Row,
    /// `None`: no fuel (an empty cell, `NA`, `-`).
    pub fuel: Option<ActivityFuel>,
    pub pins: Pins,
    pub unit: ActivityUnit,
    /// Fractions of the emission removed; `None` when the row gives none.
    pub efficiency: Option<Efficiency>,
}

impl ActivityKey {
    /// The template's code of the key's row (`1A1a`).
    pub fn code(&self) -> &'static str {
        &self.row.code
    }

    /// The fuel as written, empty when there is none (for files and messages).
    pub fn fuel_text(&self) -> &str {
        crate::pins::text(&self.fuel)
    }

    /// The fraction of the emission of a pollutant removed by abatement.
    pub fn efficiency_for(&self, p: crate::pollutant::Pollutant) -> Decimal {
        self.efficiency
            .as_ref()
            .map_or(Decimal::ZERO, |e| e.for_pollutant(p))
    }
}

/// One activity, as read and checked.
#[derive(Debug, Clone)]
pub struct Activity {
    pub at: Location,
    /// What it is summed by.
    pub key: ActivityKey,
    pub value: Decimal,
    pub source_id: String,
    /// Other columns of the row that hold a value, carried to detail.csv.
    pub extra: Vec<(String, String)>,
}

/// A row or cell that could not be used, with where and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rejection {
    pub at: Location,
    pub reason: String,
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.at, self.reason)
    }
}

/// Counts of what was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Counts {
    /// Data rows read (not the header, not empty lines).
    pub read: u64,
    pub used: u64,
    pub rejected: u64,
    /// Empty lines skipped.
    pub empty: u64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.read += other.read;
        self.used += other.used;
        self.rejected += other.rejected;
        self.empty += other.empty;
    }
}

/// Checks made while reading.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions<'a> {
    /// The inventory's years; rows of other years are rejected. Empty: any year.
    pub years: Vec<i32>,
    /// Years read besides the inventory's, as the basis of gap filling
    /// (`[[fill]]`): their rows are read, but a message lists only `years`.
    pub basis_years: Vec<i32>,
    /// The fuel table: fuel burnt (activity in energy units) must be a fuel
    /// of it, so that it lands in the right activity-data column.
    pub fuels: Option<&'a crate::fuel::Fuels>,
    /// How CSV files are read (separator, decimal comma, encoding), where
    /// the compiler forces it; detected otherwise.
    pub csv: crate::sheet::CsvOptions,
}

/// Reads an activity file (CSV, or a sheet of a workbook), calling `each`
/// with every usable activity and collecting rejections.
pub fn read_file<F>(
    path: &Path,
    sheet: Option<&str>,
    options: &ReadOptions,
    rejected: &mut Vec<Rejection>,
    each: F,
) -> Result<Counts>
where
    F: FnMut(Activity),
{
    let table = crate::sheet::read_with(path, sheet, &options.csv)?;
    read_table(&table, options, rejected, each)
}

/// Reads activity rows from a table already in memory (a file read by
/// [`read_file`], or the rows a mapping made from a sheet).
pub fn read_table<F>(
    table: &crate::sheet::Sheet,
    options: &ReadOptions,
    rejected: &mut Vec<Rejection>,
    mut each: F,
) -> Result<Counts>
where
    F: FnMut(Activity),
{
    let mut counts = Counts::default();
    let mut rows = table.rows.iter();
    // The header is the first row with any text.
    let header = loop {
        match rows.next() {
            Some(r) if r.cells.iter().all(|c| c.trim().is_empty()) => counts.empty += 1,
            Some(r) => break r,
            None => {
                return Err(Error::file(
                    &table.at.file,
                    format!(
                        "the activity file is empty; it needs a header row with {}",
                        REQUIRED.join(",")
                    ),
                ));
            }
        }
    };
    let columns = Columns::from_header(&header.cells)
        .map_err(|problem| Error::input(table.at.clone().with_row(header.number), problem))?;
    for row in rows {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            counts.empty += 1;
            continue;
        }
        counts.read += 1;
        let loc = |col: usize| {
            table.cell_location(row.number, col, columns.names.get(col).map(String::as_str))
        };
        match columns.activity(&row.cells, options, loc) {
            Ok(a) => {
                counts.used += 1;
                each(a);
            }
            Err(r) => {
                counts.rejected += 1;
                rejected.push(r);
            }
        }
    }
    Ok(counts)
}

/// The positions of the columns in a file.
pub struct Columns {
    pub names: Vec<String>,
    pub year: usize,
    pub nfr: usize,
    pub fuel: usize,
    pub technology: usize,
    pub value: usize,
    pub unit: usize,
    pub table: Option<usize>,
    pub abatement: Option<usize>,
    pub region: Option<usize>,
    pub tier: Option<usize>,
    pub efficiency: Option<usize>,
    pub source_id: Option<usize>,
    pub extra: Vec<usize>,
}

impl Columns {
    /// The columns of a header row, or why it is not an activity header.
    pub fn from_header(cells: &[String]) -> std::result::Result<Columns, String> {
        let names: Vec<String> = cells
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let mut seen = std::collections::HashSet::new();
        for n in names.iter().filter(|n| !n.is_empty()) {
            if !seen.insert(n) {
                return Err(format!("the column '{n}' appears twice in the header"));
            }
        }
        let find = |n: &str| names.iter().position(|c| c == n);
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|n| find(n).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "the header lacks the column(s) {}; an activity file needs {} (optional: {})",
                missing.join(", "),
                REQUIRED.join(","),
                OPTIONAL.join(",")
            ));
        }
        let known: Vec<&str> = REQUIRED.iter().chain(OPTIONAL.iter()).copied().collect();
        let extra = names
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_empty() && !known.contains(&n.as_str()))
            .map(|(i, _)| i)
            .collect();
        Ok(Columns {
            year: find("year").unwrap_or_default(),
            nfr: find("nfr").unwrap_or_default(),
            fuel: find("fuel").unwrap_or_default(),
            technology: find("technology").unwrap_or_default(),
            value: find("value").unwrap_or_default(),
            unit: find("unit").unwrap_or_default(),
            table: find("table"),
            abatement: find("abatement"),
            region: find("region"),
            tier: find("tier"),
            efficiency: find("abatement_efficiency"),
            source_id: find("source_id"),
            extra,
            names: cells.iter().map(|c| c.trim().to_string()).collect(),
        })
    }

    /// The columns an activity is summed by (its key), in a fixed order.
    pub fn key_columns(&self) -> Vec<usize> {
        let mut v = vec![self.year, self.nfr, self.fuel, self.technology, self.unit];
        v.extend(
            [
                self.table,
                self.abatement,
                self.region,
                self.tier,
                self.efficiency,
            ]
            .into_iter()
            .flatten(),
        );
        v
    }

    /// Checks one row of cells: the activity, or the rejection with its location.
    pub fn activity<L>(
        &self,
        cells: &[String],
        options: &ReadOptions,
        loc: L,
    ) -> std::result::Result<Activity, Rejection>
    where
        L: Fn(usize) -> Location,
    {
        let cell = |i: usize| cells.get(i).map(|s| normalise(s)).unwrap_or_default();
        let opt = |i: Option<usize>| i.map(cell).unwrap_or_default();
        let reject = |i: usize, reason: String| Rejection { at: loc(i), reason };

        if let Some((i, problem)) = self.cell_beyond_header(cells) {
            return Err(reject(i, problem));
        }
        let year = year_of(&cell(self.year), options).map_err(|r| reject(self.year, r))?;
        let row = row_of(&cell(self.nfr)).map_err(|r| reject(self.nfr, r))?;
        let raw_value = cells.get(self.value).map(|s| s.trim()).unwrap_or_default();
        let value = value_of(raw_value, &cell(self.value)).map_err(|r| reject(self.value, r))?;
        let unit_text = cell(self.unit);
        let unit = ActivityUnit::parse(&unit_text).map_err(|e| {
            reject(
                self.unit,
                if unit_text.is_empty() {
                    "no unit is given".into()
                } else {
                    format!("unit '{unit_text}': {e}")
                },
            )
        })?;
        if value
            .checked_mul(unit.quantity().scale)
            .is_none_or(|base| base > MAX_ACTIVITY_BASE)
        {
            return Err(reject(
                self.value,
                format!(
                    "{} {unit_text} is beyond any national activity (more than 10^24 J, g, m³ or items); check the value and its unit",
                    crate::number::format_decimal(value)
                ),
            ));
        }
        let fuel_text = cell(self.fuel);
        if let (Some(fuels), crate::unit::Dimension::Energy) =
            (options.fuels, unit.quantity().dimension)
            && let Some(problem) = fuel_burnt_problem(&fuel_text, &unit_text, fuels)
        {
            return Err(reject(self.fuel, problem));
        }
        let efficiency = match self.efficiency.map(cell).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => {
                Some(Efficiency::parse(&t).map_err(|r| reject(self.efficiency.unwrap_or(0), r))?)
            }
        };
        // Other columns go to detail.csv only where they hold a value, so
        // that empty columns (a sheet saved with thousands of them) cost
        // nothing per row.
        let extra = self
            .extra
            .iter()
            .filter_map(|&i| {
                let value = cells.get(i).filter(|v| !v.trim().is_empty())?;
                Some((self.names[i].clone(), value.clone()))
            })
            .collect();
        let fuels = options.fuels.unwrap_or(Fuels::built_in());
        Ok(Activity {
            at: loc(self.value).with_column_cleared(),
            key: ActivityKey {
                year,
                row,
                fuel: ActivityFuel::read(&fuel_text, fuels),
                pins: Pins::parse([
                    &cell(self.technology),
                    &opt(self.table),
                    &opt(self.abatement),
                    &opt(self.region),
                    &opt(self.tier),
                ]),
                unit,
                efficiency,
            },
            value,
            source_id: opt(self.source_id),
            extra,
        })
    }
}

impl Columns {
    /// The first cell beyond the header that holds anything, and why its
    /// row is not read: it has no column, so the row is not read as
    /// written (`21,000` would lose its `000`). Empty cells beyond the
    /// header (a trailing separator) hold nothing and are let pass.
    fn cell_beyond_header(&self, cells: &[String]) -> Option<(usize, String)> {
        let (i, extra) = cells
            .iter()
            .enumerate()
            .skip(self.names.len())
            .find(|(_, c)| !c.trim().is_empty())?;
        Some((
            i,
            format!(
                "the row has more cells than the header names ({}): cell {} ('{}') has no column; quote a value that holds the separator, or name the column in the header",
                self.names.len(),
                i + 1,
                crate::suggest::clip(extra.trim())
            ),
        ))
    }
}

/// The year of a row, one of the inventory's (`years`; empty: any) or a
/// basis year of gap filling; a message names the inventory's years alone.
fn year_of(text: &str, options: &ReadOptions) -> std::result::Result<i32, String> {
    let year = parse_year(text)?;
    let years = &options.years;
    if !years.is_empty() && !years.contains(&year) && !options.basis_years.contains(&year) {
        return Err(format!(
            "{year} is not one of the inventory's years ({}); add it to years in inventory.toml or remove the row",
            years
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(year)
}

/// The Annex I row of a code, a row that takes activity data.
fn row_of(code: &str) -> std::result::Result<&'static Row, String> {
    if code.is_empty() {
        return Err("no NFR code is given".into());
    }
    let row = nfr::find(code).ok_or_else(|| nfr::unknown_code_message(code))?;
    if !row.takes_activity() {
        return Err(match row.kind {
            RowKind::NationalTotal | RowKind::Compliance => format!(
                "'{}' is a total of the template, computed by airinv; give activity data for sector rows",
                row.code
            ),
            _ => format!("'{}' is not a row that takes activity data", row.code),
        });
    }
    Ok(row)
}

/// The activity of a value cell (`raw` as written, trimmed; `text`
/// normalised): a number of ASCII digits, zero or more.
fn value_of(raw: &str, text: &str) -> std::result::Result<Decimal, String> {
    // Digits are ASCII digits: a superscript or another script's digit
    // is not silently read as one (`10²` is not 102).
    if let Some(c) = raw
        .chars()
        .find(|c| !c.is_ascii() && !matches!(c, '–' | '—' | '−' | '‑' | '\u{a0}' | '\u{202f}'))
    {
        return Err(format!(
            "'{}' holds the character '{c}' (U+{:04X}), which is not a digit airinv reads; write numbers with the digits 0-9, a dot and an optional exponent",
            crate::suggest::clip(raw),
            u32::from(c)
        ));
    }
    let value = crate::number::parse_grouped(text).map_err(|e| {
        let hint = if text.contains(',') {
            " (use a dot as decimal separator and no thousands separator)"
        } else {
            ""
        };
        format!("{e}{hint}")
    })?;
    if value < Decimal::ZERO {
        return Err(format!(
            "the activity {value} is negative; activity data cannot be below zero"
        ));
    }
    Ok(value)
}

/// What is wrong with the fuel of an activity in energy units (fuel
/// burnt): none given, or one the fuel table does not know.
fn fuel_burnt_problem(fuel: &str, unit: &str, fuels: &Fuels) -> Option<String> {
    if crate::fuel::is_none(fuel) {
        return Some(format!(
            "an activity in {unit} is fuel burnt, so it needs a fuel (a Guidebook fuel or alias)"
        ));
    }
    if fuels.find(fuel).is_none() {
        return Some(format!(
            "'{fuel}' is not a fuel airinv knows{}; write a Guidebook fuel or alias (emission-factors/fuels.csv), or, in an inventory folder, name it under [fuels] in inventory.toml (\"{fuel}\" = \"<Guidebook fuel>\"); the fuels are: {}",
            fuels.did_you_mean(fuel),
            fuels.names()
        ));
    }
    None
}

/// The abatement efficiencies of an activity: one fraction for every
/// pollutant (`0.95`, `95%`) or one per pollutant (`PM2.5=0.95; PM10=0.9`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Efficiency {
    /// The text as written, trimmed (part of the aggregation key; first,
    /// so that keys sort by it).
    pub text: String,
    pub all: Option<Decimal>,
    pub by_pollutant: Vec<(crate::pollutant::Pollutant, Decimal)>,
}

impl Efficiency {
    pub fn parse(text: &str) -> std::result::Result<Efficiency, String> {
        let t = text.trim();
        let mut e = Efficiency {
            text: t.to_string(),
            ..Efficiency::default()
        };
        if !t.contains('=') {
            e.all = Some(parse_efficiency(t)?);
            return Ok(e);
        }
        for part in t.split([';', ' ']).filter(|p| !p.trim().is_empty()) {
            let (p, v) = part
                .split_once('=')
                .ok_or_else(|| format!("'{part}' is not pollutant=efficiency (e.g. PM2.5=0.95)"))?;
            let pollutant = crate::pollutant::Pollutant::parse(p).ok_or_else(|| {
                format!(
                    "'{p}' is not a pollutant id; the ids are {}",
                    crate::pollutant::Pollutant::id_list()
                )
            })?;
            e.by_pollutant.push((pollutant, parse_efficiency(v)?));
        }
        Ok(e)
    }

    /// The fraction removed for a pollutant (zero when none is given).
    pub fn for_pollutant(&self, p: crate::pollutant::Pollutant) -> Decimal {
        self.by_pollutant
            .iter()
            .find(|(q, _)| *q == p)
            .map(|(_, v)| *v)
            .or(self.all)
            .unwrap_or(Decimal::ZERO)
    }
}

pub use crate::number::parse_year;

/// An abatement efficiency as a fraction: `0.95` or `95%`.
pub fn parse_efficiency(text: &str) -> std::result::Result<Decimal, String> {
    let t = text.trim();
    let (number, percent) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (t, false),
    };
    let mut v = parse_decimal(number).map_err(|e| format!("abatement efficiency: {e}"))?;
    if percent {
        v /= Decimal::ONE_HUNDRED;
    }
    if v < Decimal::ZERO || v > Decimal::ONE {
        return Err(format!(
            "an abatement efficiency of '{t}' is not between 0 and 1 (or 0% and 100%)"
        ));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_efficiencies() {
        assert_eq!(parse_year("2022"), Ok(2022));
        assert_eq!(parse_year("2022.0"), Ok(2022));
        assert!(parse_year("2022.5").is_err());
        assert!(parse_year("22").is_err());
        assert!(parse_year("year").is_err());
        assert_eq!(
            parse_efficiency("0.95").unwrap(),
            Decimal::from_str_exact("0.95").unwrap()
        );
        assert_eq!(
            parse_efficiency("95%").unwrap(),
            Decimal::from_str_exact("0.95").unwrap()
        );
        assert!(parse_efficiency("1.5").is_err());
        assert!(parse_efficiency("-5%").is_err());
        let e = Efficiency::parse("PM2.5=0.95; PM10=90%").unwrap();
        assert_eq!(
            e.for_pollutant(crate::pollutant::Pollutant::PM10),
            Decimal::from_str_exact("0.9").unwrap()
        );
        assert_eq!(
            e.for_pollutant(crate::pollutant::Pollutant::NOx),
            Decimal::ZERO
        );
        assert_eq!(
            Efficiency::parse("0.5")
                .unwrap()
                .for_pollutant(crate::pollutant::Pollutant::NOx),
            Decimal::from_str_exact("0.5").unwrap()
        );
        assert!(Efficiency::parse("PM9=0.5").is_err());
    }

    #[test]
    fn the_activity_bound_is_ten_to_the_24() {
        assert_eq!(
            MAX_ACTIVITY_BASE,
            Decimal::from_str_exact("1000000000000000000000000").unwrap()
        );
    }

    /// The key of one row of `year,nfr,fuel,technology,value,unit,tier,abatement_efficiency`.
    fn key_of(row: &str) -> ActivityKey {
        let header: Vec<String> = "year,nfr,fuel,technology,value,unit,tier,abatement_efficiency"
            .split(',')
            .map(String::from)
            .collect();
        let columns = Columns::from_header(&header).unwrap();
        let cells: Vec<String> = row.split(',').map(String::from).collect();
        let options = ReadOptions {
            fuels: Some(Fuels::built_in()),
            ..ReadOptions::default()
        };
        columns
            .activity(&cells, &options, |_| Location::file("a.csv"))
            .unwrap()
            .key
    }

    #[test]
    fn a_key_s_parts_are_read_once_from_its_cells() {
        let k = key_of("2022,1.A.1.a, natural_gas ,,12.5,TJ,Tier 2,95%");
        assert_eq!((k.year, k.row.number, k.code()), (2022, 14, "1A1a"));
        let fuel = k.fuel.as_ref().unwrap();
        assert_eq!(fuel.name.as_str(), "natural_gas");
        assert_eq!(Fuels::built_in().fuel(fuel.id.unwrap()).name, "Natural gas");
        assert_eq!(k.pins.technology, None);
        assert_eq!(k.pins.tier, Some(crate::pins::Tier::Two));
        assert_eq!(k.unit.as_str(), "TJ");
        assert_eq!(k.unit.quantity().dimension, crate::unit::Dimension::Energy);
        assert_eq!(
            k.efficiency_for(crate::pollutant::Pollutant::NOx),
            Decimal::from_str_exact("0.95").unwrap()
        );
        // Nothing given is None, never an empty text.
        let k = key_of("2022,3B1a,,Dairy cows,100,1000 head,,");
        assert_eq!((k.fuel.as_ref(), k.fuel_text()), (None, ""));
        assert_eq!(k.pins.technology.as_deref(), Some("Dairy cows"));
        assert_eq!((&k.pins.tier, &k.efficiency), (&None, &None));
        assert_eq!(
            k.efficiency_for(crate::pollutant::Pollutant::NH3),
            Decimal::ZERO
        );
    }

    #[test]
    fn keys_sort_by_year_template_row_and_then_their_parts_as_written() {
        let mut keys = [
            "2022,1A1a,Natural gas,,1,TJ,,",
            "2021,1A2a,Diesel,,1,TJ,,",
            "2022,1A1a,Hard coal,,1,TJ,,",
            "2022,3B1a,,Dairy cows,1,1000 head,,",
            "2022,1A1a,Natural gas,,1,TJ,2,",
            "2022,1A1a,Natural gas,,1,TJ,,0.5",
            "2022,1A1a,Diesel,,1,TJ,,",
            "2022,1A1b,Diesel,,1,TJ,,",
        ]
        .map(key_of);
        keys.sort();
        let shown: Vec<String> = keys
            .iter()
            .map(|k| {
                format!(
                    "{} {} {} {} {}",
                    k.year,
                    k.code(),
                    k.fuel_text(),
                    crate::pins::text(&k.pins.tier),
                    k.efficiency.as_ref().map_or("", |e| e.text.as_str())
                )
            })
            .collect();
        // 1A1a (row 14) before 1A1b (15) before 3B1a; within a row, fuels
        // as their texts; no tier before a tier, no efficiency before one.
        assert_eq!(
            shown,
            [
                "2021 1A2a Diesel  ",
                "2022 1A1a Diesel  ",
                "2022 1A1a Hard coal  ",
                "2022 1A1a Natural gas  ",
                "2022 1A1a Natural gas  0.5",
                "2022 1A1a Natural gas 2 ",
                "2022 1A1b Diesel  ",
                "2022 3B1a   ",
            ]
        );
    }
}
