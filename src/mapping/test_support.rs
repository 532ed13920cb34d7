//! Mappings and sheets for the tests of the folder.

use super::rules::Mapping;
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
