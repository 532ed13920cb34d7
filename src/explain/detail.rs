//! The lines of `detail.csv` behind one year and row, read as they stream
//! by (the file may hold millions of lines), in the order compile wrote
//! and summed them; both layouts (`--detail keys` and `--detail rows`).

use crate::error::{Error, Result};
use crate::fuel::FuelGroup;
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
    /// Made by a Guidebook method from another row's activity (the 3Da2a
    /// and 3Da3 NH3 of a 3B population): not this row's activity data.
    pub derived: bool,
    /// The fuel group of the fuel in airinv's fuel table (with the
    /// inventory's names when it is given); for activity cells.
    pub fuel_group: Option<FuelGroup>,
    /// What the line puts in the cell: its emission, or for an activity
    /// cell its amount in the cell's unit when the folder tells it.
    pub in_cell: Option<Decimal>,
}

/// The detail.csv column names needed, both layouts.
const DETAIL_COLUMNS: [&str; 25] = [
    "year",
    "code",
    "fuel",
    "technology",
    "table",
    "abatement",
    "region",
    "tier",
    "abatement_efficiency",
    "activity_rows",
    "activity",
    "activity_unit",
    "pollutant",
    "factor_id",
    "factor_value",
    "factor_unit",
    "factor_tier",
    "factor_table",
    "factor_reference",
    "factor_source",
    "why",
    "conversion",
    "multiplier",
    "emission",
    "exact",
];

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
    let mode = match (at("input_row"), at("first_input_row")) {
        (Some(_), None) => DetailMode::Rows,
        (None, Some(_)) => DetailMode::Keys,
        _ => {
            return Err(Error::file(
                &path,
                "is not the detail.csv airinv compile writes (it has neither input_row nor first_input_row)",
            ));
        }
    };
    let mut columns = Vec::new();
    for name in DETAIL_COLUMNS {
        columns.push(at(name).ok_or_else(|| {
            Error::file(
                &path,
                format!("has no column {name}: it is not the detail.csv airinv compile writes"),
            )
        })?);
    }
    let optional = |name: &str| at(name);
    let (input, source_id, other, gap_fill, emission_unit) = (
        optional(if mode == DetailMode::Rows {
            "input_row"
        } else {
            "first_input_row"
        }),
        optional("source_id"),
        optional("other_columns"),
        optional("gap_fill"),
        optional("emission_unit"),
    );
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
        let get = |i: usize| record.get(columns[i]).unwrap_or("");
        if get(0) != year_text || get(1) != code {
            continue;
        }
        let opt_at = |i: Option<usize>| {
            i.and_then(|i| record.get(i))
                .filter(|s| !s.is_empty())
                .map(String::from)
        };
        let text = |i: usize| Some(get(i).to_string()).filter(|s| !s.is_empty());
        let number = |i: usize| {
            parse_decimal(get(i)).map_err(|_| {
                Error::input(
                    crate::error::Location::file(&path)
                        .with_row(line_no)
                        .with_column(DETAIL_COLUMNS[i]),
                    format!("'{}' is not a number", get(i)),
                )
            })
        };
        let activity = number(10)?;
        let multiplier = number(22)?;
        let why = get(20).to_string();
        lines.push(Line {
            detail_line: line_no,
            fuel: text(2),
            technology: text(3),
            table: text(4),
            abatement: text(5),
            region: text(6),
            tier: text(7),
            abatement_efficiency: text(8),
            activity_rows: get(9).parse().unwrap_or(0),
            activity,
            activity_unit: get(11).to_string(),
            input_row: opt_at(input).unwrap_or_default(),
            source_id: opt_at(source_id),
            other_columns: opt_at(other),
            pollutant: get(12).to_string(),
            factor: FactorUsed {
                id: get(13).to_string(),
                value: number(14)?,
                unit: get(15).to_string(),
                tier: get(16).to_string(),
                table: get(17).to_string(),
                reference: get(18).to_string(),
                source: get(19).to_string(),
            },
            derived: is_derived(&why),
            why,
            conversion: get(21).to_string(),
            multiplier,
            emission: number(23)?,
            emission_unit: opt_at(emission_unit).unwrap_or_default(),
            exact: get(24) == "yes",
            product: activity.checked_mul(multiplier),
            multiplier_rounded: multiplier.scale() >= 28
                || multiplier.mantissa().unsigned_abs().to_string().len() >= 28,
            gap_fill: opt_at(gap_fill),
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
