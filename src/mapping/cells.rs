//! Reading the cells and checking the subtotals: every non-empty cell of
//! the sheet gets its outcome (mapped, excluded or unmapped); the cells of
//! mapped lines and fuels go through their line's targets; each subtotal
//! cell is checked against the sum of its parts, and what the parts do not
//! explain is mapped by the subtotal's remainder, accepted, or a failed check.

use super::grid::{Grid, join_years};
use super::records::{ActivityRow, CellRecord, Cells, Check, CheckStatus, Outcome, Tallies};
use super::rules::{FuelRole, LineRole, LineRule, Mapping, Targets};
use crate::error::{Error, Result};
use crate::number::format_decimal;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The largest amount a cell may hold (in the unit written): sums of up to
/// 10^10 such cells stay exact decimals.
const MAX_CELL: Decimal = Decimal::from_parts(0xA764_0000, 0x0DE0_B6B3, 0, false, 0);

pub(super) const TOTAL_COLUMN: &str = "Total over the fuels (not counted twice)";

/// Reads every non-empty cell and gives it its outcome; maps the cells of
/// mapped lines and fuels.
pub(super) fn read_cells(grid: &Grid, source: &str) -> Result<Cells> {
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
            // A number with digits beyond the 28th decimal place (a float
            // artefact such as `-2.842170943040401e-14`) is kept rounded to
            // 28 places and marked with the text as written (issue 29's rule).
            let (raw, beyond_range) = match crate::number::read_decimal(text) {
                Ok(r) => (r.value, r.rounded.then(|| text.to_string())),
                Err(crate::number::NumberError::OutOfRange(_)) => (Decimal::MAX, None),
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
            // A cell beyond any amount a sheet of statistics holds would
            // overflow the sums of subtotals and shares: refused.
            let Some(value) = raw
                .checked_mul(layout.factor)
                .filter(|v| v.abs() <= MAX_CELL)
            else {
                if col.year.is_some() && !col.fuel.is_empty() {
                    errors.push(format!(
                        "{}: '{text}' is beyond any amount a sheet of statistics holds (at most 10^18 {} a cell); check the number and the unit",
                        grid.location(ri, col.index),
                        layout.write_unit
                    ));
                }
                continue;
            };
            out.values.insert((ri, ci), value);
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
                                    "{}: '{text}' ({line}, {year}) has digits beyond the 28th decimal place (a float artefact), so it cannot be activity data as written; round it in the sheet or except the cell in the mapping",
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
    every_except_used(mapping, &excepted)?;
    if !errors.is_empty() {
        return Err(cells_not_converted(grid, errors));
    }
    Ok(out)
}

/// Every cell a mapped line excepts must be a number of the sheet (a
/// changed sheet is checked again): `excepted` holds (line entry, year,
/// fuel) of the cells excepted.
fn every_except_used(mapping: &Mapping, excepted: &[(usize, i32, String)]) -> Result<()> {
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
    Ok(())
}

/// The cells that cannot be converted, the first twenty listed.
fn cells_not_converted(grid: &Grid, errors: Vec<String>) -> Error {
    let n = errors.len();
    let shown: Vec<String> = errors.into_iter().take(20).collect();
    Error::file(
        &grid.table.at.file,
        format!(
            "{n} cell(s) cannot be converted:\n  {}{}",
            shown.join("\n  "),
            if n > 20 { "\n  ..." } else { "" }
        ),
    )
}

/// Checks every subtotal cell against its parts; maps the remainders a
/// mapping gives targets for. Returns the checks and, by (row, year), the
/// energy of the remainders.
pub(super) fn check_subtotals(
    grid: &Grid,
    cells: &mut Cells,
    source: &str,
) -> Result<(Vec<Check>, Tallies)> {
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
pub(super) fn remainder(
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
            value,
            unit: made.unit.to_string(),
            pins: t.pins.clone(),
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
