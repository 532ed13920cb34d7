//! What a mapping says, checked: the sheet's layout, what each source fuel
//! is, and where each balance line goes (targets with their shares and
//! pins, exclusions, subtotals). `config` makes these from the TOML file;
//! `grid`, `cells` and `shares` read a sheet through them.

use crate::pins::Pins;
use rust_decimal::Decimal;
use std::path::PathBuf;

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
    pub(super) fn covers(&self, year: i32) -> bool {
        self.years.is_none_or(|(a, b)| (a..=b).contains(&year))
    }

    pub(super) fn describe(&self) -> String {
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
    /// Technology, table, abatement, region, tier of its activity rows.
    pub pins: Pins,
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
    /// How messages name a line entry: `lines entry 3 (Road)`.
    pub fn describe_line(&self, rule: &LineRule) -> String {
        format!("lines entry {} ({})", rule.entry, rule.label)
    }
}
