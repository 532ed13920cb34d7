//! The lines of `detail.csv` behind one year and row, read as they stream
//! by (the file may hold millions of lines), in the order compile wrote
//! and summed them; both layouts (`--detail keys` and `--detail rows`).

use crate::error::{Error, Result};
use crate::fuel::FuelGroup;
use crate::lineage::{COMMON, FACTOR, ROW_COLUMNS};
use crate::nfr::Row;
use crate::number::parse_decimal;
use rust_decimal::Decimal;
use serde::Serialize;
use std::path::Path;

/// How detail.csv was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DetailMode {
    /// One line per activity key and pollutant (`--detail keys`).
    Keys,
    /// One line per input row and pollutant (`--detail rows`).
    Rows,
}

/// The factor of a line.
#[derive(Debug, Clone, Serialize)]
pub struct FactorUsed {
    pub id: String,
    pub value: Decimal,
    pub unit: String,
    pub tier: String,
    pub table: String,
    pub reference: String,
    /// The Guidebook, or the user's factor file and row.
    pub source: String,
}

/// One line of detail.csv behind the cell.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Its line in detail.csv (the header is line 1).
    pub detail_line: u64,
    pub fuel: Option<String>,
    pub technology: Option<String>,
    pub table: Option<String>,
    pub abatement: Option<String>,
    pub region: Option<String>,
    pub tier: Option<String>,
    pub abatement_efficiency: Option<String>,
    /// The input rows summed into the activity (1 with `--detail rows`).
    pub activity_rows: u64,
    pub activity: Decimal,
    pub activity_unit: String,
    /// The input row (`--detail rows`) or the first of the key's rows.
    pub input_row: String,
    pub source_id: Option<String>,
    pub other_columns: Option<String>,
    pub pollutant: String,
    pub factor: FactorUsed,
    /// Why this factor was chosen.
    pub why: String,
    /// The activity's unit in the factor's denominator.
    pub conversion: String,
    /// Reporting units per activity unit.
    pub multiplier: Decimal,
    pub emission: Decimal,
    pub emission_unit: String,
    /// False when the emission was rounded at 28 significant digits (a
    /// division by a net calorific value that is not a finite decimal).
    pub exact: bool,
    /// activity × multiplier (None beyond the range of decimals).
    pub product: Option<Decimal>,
    /// The multiplier as detail.csv writes it is a quotient rounded at 28
    /// digits: activity × multiplier then differs from the emission (computed
    /// dividing last) in the last digits.
    pub multiplier_rounded: bool,
    /// How a gap of the series was filled, when the activity is not data.
    pub gap_fill: Option<String>,
    /// How the activity was re-allocated between rows for a
    /// reclassification in the statistics (`[[splice]]`), when it is not as
    /// reported (a detail.csv written before the column existed has none).
    pub splice: Option<String>,
    /// Made by a Guidebook method from another row's activity (the 3Da2a
    /// and 3Da3 NH3 of a 3B population): not this row's activity data.
    pub derived: bool,
    /// A line of activity without a factor for its pollutant: no
    /// emission; `why` says what was searched.
    pub without_factor: bool,
    /// The plant whose part of the key the line is (Tier 3: detail.csv's
    /// column `plant`, written when the inventory has a plant register).
    pub plant: Option<String>,
    /// The fuel group of the fuel in airinv's fuel table (with the
    /// inventory's names when it is given); for activity cells.
    pub fuel_group: Option<FuelGroup>,
    /// What the line puts in the cell: its emission, or for an activity
    /// cell its amount in the cell's unit when the folder tells it.
    pub in_cell: Option<Decimal>,
}

/// The lines of detail.csv for one year and row, in file order (the order
/// compile summed them in), read as they stream by.
pub(super) fn read_detail(folder: &Path, year: i32, row: &Row) -> Result<(DetailMode, Vec<Line>)> {
    let path = folder.join("detail.csv");
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(&path)
        .map_err(|e| Error::file(&path, e.to_string()))?;
    let header = reader
        .headers()
        .map_err(|e| Error::file(&path, e.to_string()))?
        .clone();
    let at = |name: &str| header.iter().position(|h| h == name);
    let (mode, input) = match (at(ROW_COLUMNS[0]), at("first_input_row")) {
        (Some(i), None) => (DetailMode::Rows, i),
        (None, Some(i)) => (DetailMode::Keys, i),
        _ => {
            return Err(Error::file(
                &path,
                "is not the detail.csv airinv compile writes (it has neither input_row nor first_input_row)",
            ));
        }
    };
    // Every column compile writes in both layouts must be there.
    for name in COMMON
        .iter()
        .chain(FACTOR.iter())
        .chain(["gap_fill"].iter())
    {
        if at(name).is_none() {
            return Err(Error::file(
                &path,
                format!("has no column {name}: it is not the detail.csv airinv compile writes"),
            ));
        }
    }
    let column = |name: &str| at(name).expect("checked above");
    let (year_at, code_at) = (column("year"), column("code"));
    let (year_text, code) = (year.to_string(), row.code.as_str());
    let mut lines = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut line_no: u64 = 1;
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(Error::file(&path, e.to_string())),
        }
        line_no += 1;
        if record.get(year_at) != Some(&year_text) || record.get(code_at) != Some(code) {
            continue;
        }
        let get = |name: &str| at(name).and_then(|i| record.get(i)).unwrap_or("");
        let text = |name: &str| Some(get(name).to_string()).filter(|s| !s.is_empty());
        let number = |name: &str| {
            parse_decimal(get(name)).map_err(|_| {
                Error::input(
                    crate::error::Location::file(&path)
                        .with_row(line_no)
                        .with_column(name),
                    format!("'{}' is not a number", get(name)),
                )
            })
        };
        let activity = number("activity")?;
        // A line without a factor (no factor, no emission) adds nothing.
        let without_factor = get("factor_id").is_empty() && get("emission").is_empty();
        let number = |name: &str| {
            if without_factor && get(name).is_empty() {
                Ok(Decimal::ZERO)
            } else {
                number(name)
            }
        };
        let multiplier = number("multiplier")?;
        let why = get("why").to_string();
        lines.push(Line {
            detail_line: line_no,
            fuel: text("fuel"),
            technology: text("technology"),
            table: text("table"),
            abatement: text("abatement"),
            region: text("region"),
            tier: text("tier"),
            abatement_efficiency: text("abatement_efficiency"),
            activity_rows: get("activity_rows").parse().unwrap_or(0),
            activity,
            activity_unit: get("activity_unit").to_string(),
            input_row: record.get(input).unwrap_or_default().to_string(),
            source_id: text(ROW_COLUMNS[1]),
            other_columns: text(ROW_COLUMNS[2]),
            pollutant: get("pollutant").to_string(),
            factor: FactorUsed {
                id: get("factor_id").to_string(),
                value: number("factor_value")?,
                unit: get("factor_unit").to_string(),
                tier: get("factor_tier").to_string(),
                table: get("factor_table").to_string(),
                reference: get("factor_reference").to_string(),
                source: get("factor_source").to_string(),
            },
            derived: is_derived(&why),
            why,
            conversion: get("conversion").to_string(),
            multiplier,
            emission: number("emission")?,
            emission_unit: get("emission_unit").to_string(),
            exact: get("exact") == "yes",
            product: activity.checked_mul(multiplier),
            multiplier_rounded: multiplier.scale() >= 28
                || multiplier.mantissa().unsigned_abs().to_string().len() >= 28,
            gap_fill: text("gap_fill"),
            without_factor,
            splice: text("splice"),
            plant: text(crate::lineage::PLANT),
            fuel_group: None,
            in_cell: None,
        });
    }
    Ok((mode, lines))
}

/// True for a line that a method made from another row's activity (the
/// manure NH3 split: its `why` begins with the method's words).
fn is_derived(why: &str) -> bool {
    let probe = crate::method::manure::why("\u{0}", "");
    let prefix = probe.split('\u{0}').next().unwrap_or_default();
    !prefix.is_empty() && why.starts_with(prefix)
}

/// The number of activity keys among the lines (each key's lines are
/// consecutive in detail.csv).
pub(super) fn activity_keys(lines: &[Line]) -> usize {
    let mut n = 0;
    let mut last: Option<KeyParts> = None;
    for l in lines {
        let k = key_parts(l);
        if last.as_ref() != Some(&k) {
            n += 1;
            last = Some(k);
        }
    }
    n
}

/// The parts of an activity key that detail.csv writes (fuel ... unit).
pub(super) type KeyParts<'a> = [Option<&'a str>; 8];

/// What an activity key is made of, as detail.csv writes it.
pub(super) fn key_parts(l: &Line) -> KeyParts<'_> {
    [
        l.fuel.as_deref(),
        l.technology.as_deref(),
        l.table.as_deref(),
        l.abatement.as_deref(),
        l.region.as_deref(),
        l.tier.as_deref(),
        l.abatement_efficiency.as_deref(),
        Some(l.activity_unit.as_str()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manure_split_is_told_from_its_words() {
        let why = crate::method::manure::why("3B1a", "manure applied to soils");
        assert!(is_derived(&format!("{why}; Guidebook Tier 1 Table_3-2")));
        assert!(!is_derived("Guidebook Tier 1 Table_3-2"));
    }
}
