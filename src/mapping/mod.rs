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
//!
//! # Where each job is
//!
//! ```text
//!  mapping.toml ──► config (serde structs, then checks) ──► Mapping
//!  Sheet + Mapping ──► grid (columns: year, fuel, [[fuels]] entry;
//!                      rows: the [[lines]] entries claiming them)
//!                  ──► cells (every cell's outcome; subtotals checked)
//!                       └► conversion::apply_targets (activity rows)
//!                  ──► shares (where each subtotal's energy went)
//!                  ──► Conversion ──► ledger (activity table, cell ledger)
//!                                 ──► report (the text `convert` prints)
//! ```

mod cells;
mod config;
mod conversion;
mod grid;
mod ledger;
pub mod report;
mod shares;

pub use conversion::{CellRecord, Check, CheckStatus, Conversion, Outcome, convert};

use crate::error::{Error, Location, Result};
use rust_decimal::Decimal;
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
        config::parse(text, path).map_err(|problem| crate::config::problem_at(path, problem))
    }

    /// How messages name a line entry: `lines entry 3 (Road)`.
    pub fn describe_line(&self, rule: &LineRule) -> String {
        format!("lines entry {} ({})", rule.entry, rule.label)
    }
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

#[cfg(test)]
pub(crate) mod test_support {
    use super::Mapping;
    use crate::error::Location;
    use crate::sheet::{Sheet, SheetRow};
    use std::path::Path;

    /// A mapping from its text, or the message of what is wrong with it.
    pub fn load(text: &str) -> std::result::Result<Mapping, String> {
        Mapping::parse(text, Path::new("m.toml")).map_err(|e| e.to_string())
    }

    /// The `[sheet]` of a sheet with the years in row 1 and the fuels in row 2.
    pub const SHEET: &str = "[sheet]\nyear_row = 1\nfuel_row = 2\nunit = \"TJ\"\n";

    /// A sheet `s.csv` of the rows given.
    pub fn sheet(rows: &[&[&str]]) -> Sheet {
        Sheet {
            at: Location::file("s.csv"),
            lettered: false,
            rows: rows
                .iter()
                .enumerate()
                .map(|(i, r)| SheetRow {
                    number: i as u64 + 1,
                    cells: r.iter().map(|c| c.to_string()).collect(),
                })
                .collect(),
        }
    }
}
