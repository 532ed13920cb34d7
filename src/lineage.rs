//! `detail.csv`: the lineage of every number of the Annex I table.
//!
//! One line per activity key and pollutant (`--detail keys`, the default
//! for large runs): the activity summed over the rows behind the key, with
//! their count, the factor used (id, value, unit, tier, table, reference,
//! source and why it was chosen), the unit conversion and the emission, and
//! (`gap_fill`) how airinv filled the activity when it is not data, and
//! (`splice`) how it re-allocated the activity between rows for a
//! reclassification in the statistics, when it is not as reported. With
//! `--detail rows`, one line per activity row and pollutant, with the row's
//! location, source id and free columns. Summing the `emission` column per
//! year, code and pollutant gives the Annex I cell.
//!
//! An activity key with activity and no factor for a pollutant the
//! Guidebook's Tier 1 gives for its row and fuel group has a line too, after
//! its emissions: the pollutant (empty when no factor fits any pollutant),
//! `why` saying what was searched (`no NOx factor: fuel 'Crude oil' ...`),
//! and the factor, conversion, multiplier, emission and exact columns empty.
//!
//! When the inventory has a plant register, a last column `plant` names the plant
//! whose part of the key a line is (Tier 3, [`crate::tier3`]); empty for the rest.

use crate::calculate::KeyResult;
use crate::number::format_decimal;
use std::io::Write;

/// How detailed detail.csv is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Detail {
    /// One line per activity key and pollutant.
    #[default]
    Keys,
    /// One line per activity row and pollutant.
    Rows,
}

/// The first columns of detail.csv: the activity key and its activity.
pub const COMMON: [&str; 12] = [
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
];

/// The columns of an input row, with `--detail rows` (after [`COMMON`]).
pub const ROW_COLUMNS: [&str; 3] = ["input_row", "source_id", "other_columns"];

/// The columns of the factor and the emission (after the row's).
pub const FACTOR: [&str; 14] = [
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
    "emission_unit",
    "exact",
];

/// The column of a plant's part (written when the inventory has plants).
pub const PLANT: &str = "plant";

/// A plant's part as detail.csv names it: `P1 Name (plants.csv, row 3)`.
fn plant_text(r: &KeyResult) -> String {
    r.plant
        .as_ref()
        .map(|p| {
            if p.name.is_empty() {
                format!("{} ({})", p.id, p.at)
            } else {
                format!("{} {} ({})", p.id, p.name, p.at)
            }
        })
        .unwrap_or_default()
}

/// Writes detail.csv.
pub fn write<W: Write>(out: W, results: &[KeyResult], detail: Detail) -> std::io::Result<()> {
    let mut w = crate::output::csv_writer(out);
    let mut header: Vec<&str> = COMMON.to_vec();
    if detail == Detail::Rows {
        header.extend(ROW_COLUMNS);
    }
    header.extend(FACTOR);
    if detail == Detail::Keys {
        header.push("first_input_row");
    }
    header.extend(["gap_fill", "splice"]);
    let plants = results.iter().any(|r| r.plant.is_some());
    if plants {
        header.push(PLANT);
    }
    w.write_record(&header)?;
    for r in results {
        let plant = plant_text(r);
        let k = &r.key;
        let [technology, table, abatement, region, tier] = k.pins.texts();
        let common = |rows: u64, activity: rust_decimal::Decimal| -> Vec<String> {
            vec![
                k.year.to_string(),
                k.code().to_string(),
                k.fuel_text().to_string(),
                technology.to_string(),
                table.to_string(),
                abatement.to_string(),
                region.to_string(),
                tier.to_string(),
                k.efficiency
                    .as_ref()
                    .map_or(String::new(), |e| e.text.clone()),
                rows.to_string(),
                format_decimal(activity),
                k.unit.to_string(),
            ]
        };
        // The columns after the factor's: the first input row (keys), the
        // gap fill, the splice and the plant (when the inventory has plants).
        let tail = |rec: &mut Vec<String>| {
            rec.extend([r.total.filled.clone(), r.total.spliced.clone()]);
            if plants {
                rec.push(plant.clone());
            }
        };
        let key_record = |middle: Vec<String>| -> Vec<String> {
            let mut rec = common(r.total.count, r.total.value);
            rec.extend(middle);
            rec.push(
                r.total
                    .first_rows
                    .first()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            );
            tail(&mut rec);
            rec
        };
        let row_record = |row: &crate::calculate::RowRecord, middle: Vec<String>| -> Vec<String> {
            let mut rec = common(1, row.value);
            let other: Vec<String> = row.extra.iter().map(|(k, v)| format!("{k}={v}")).collect();
            rec.extend([row.at.to_string(), row.source_id.clone(), other.join("; ")]);
            rec.extend(middle);
            tail(&mut rec);
            rec
        };
        for line in &r.lines {
            let factor = |emission: rust_decimal::Decimal, exact: bool| -> Vec<String> {
                vec![
                    line.pollutant.id().to_string(),
                    line.factor_id.clone(),
                    format_decimal(line.factor_value),
                    line.factor_unit.clone(),
                    crate::pins::text(&line.factor_tier).to_string(),
                    line.factor_table.clone(),
                    line.factor_reference.clone(),
                    line.factor_source.clone(),
                    line.why.clone(),
                    line.conversion.clone(),
                    format_decimal(
                        crate::unit::ratio(line.multiplier, line.divisor)
                            .map(|r| r.0)
                            .unwrap_or(line.multiplier),
                    ),
                    format_decimal(emission),
                    line.pollutant.unit().to_string(),
                    if exact { "yes" } else { "rounded at 28 digits" }.to_string(),
                ]
            };
            match detail {
                Detail::Keys => {
                    let rec = key_record(factor(line.emission, line.exact));
                    crate::output::write_safe_record(&mut w, &rec)?;
                }
                Detail::Rows => {
                    for row in &r.total.rows {
                        let (emission, exact) =
                            crate::calculate::apply(row.value, line.multiplier, line.divisor);
                        let rec = row_record(row, factor(emission, exact));
                        crate::output::write_safe_record(&mut w, &rec)?;
                    }
                }
            }
        }
        for m in &r.missing {
            match detail {
                Detail::Keys => {
                    crate::output::write_safe_record(&mut w, key_record(without_factor(m)))?;
                }
                Detail::Rows => {
                    for row in &r.total.rows {
                        let rec = row_record(row, without_factor(m));
                        crate::output::write_safe_record(&mut w, &rec)?;
                    }
                }
            }
        }
    }
    w.flush()
}

/// The factor columns of a line without a factor: the pollutant (empty
/// when the key has no factor for any), the reason in `why`, every factor,
/// conversion and emission column empty. Such a line adds nothing to a
/// cell: it says which activity has no emission for the pollutant.
fn without_factor(m: &crate::calculate::Missing) -> Vec<String> {
    let mut out = vec![String::new(); FACTOR.len()];
    out[0] = m.pollutant.map(|p| p.id().to_string()).unwrap_or_default();
    out[8] = m.why.clone();
    out
}
