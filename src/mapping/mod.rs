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
//!  mapping.toml ──► file (the TOML as written: serde structs)
//!               ──► config (checks; targets: shares add up) ──► rules::Mapping
//!  Sheet + Mapping ──► grid (columns: year, fuel, [[fuels]] entry;
//!                      rows: the [[lines]] entries claiming them)
//!                  ──► cells (every cell's outcome; subtotals checked;
//!                      a line's targets applied: activity rows)
//!                  ──► shares (where each subtotal's energy went)
//!                  ──► records::Conversion ──► ledger (activity table, cell ledger)
//!                                          ──► report (the text `convert` prints)
//! ```
//!
//! `rules` (what a mapping says) and `records` (what a conversion gives)
//! are the types the steps share; no module of the folder imports one that
//! imports it back, and none imports this one.

mod cells;
mod config;
mod conversion;
mod file;
mod grid;
mod ledger;
mod records;
pub mod report;
mod rules;
mod shares;
mod targets;

pub use conversion::convert;
pub use records::Conversion;
pub use rules::Mapping;

use crate::error::{Error, Location, Result};
use std::path::Path;

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
mod test_support;
