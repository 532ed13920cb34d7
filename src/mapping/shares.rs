//! Where each subtotal's energy went, by year: the cells of its parts
//! (through parts that are subtotals themselves) and its remainders, added
//! up by outcome: mapped, excluded (by reason) and unmapped.

use super::grid::Grid;
use super::records::{Cells, Share, Tallies, Tally};
use super::rules::{FuelRole, LineRole};
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// How much of each subtotal's energy went where, by year.
pub(super) fn shares(grid: &Grid, cells: &Cells, remainders: &Tallies) -> Result<Vec<Share>> {
    let mapping = grid.mapping;
    let by_number: HashMap<u64, usize> = grid
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.number, i))
        .collect();
    let mut tally: Tallies = HashMap::new();
    for c in cells
        .records
        .iter()
        .filter(|c| !c.remainder && !c.in_total_column)
    {
        if let (Some(year), Some(&ri)) = (c.year, by_number.get(&c.row)) {
            tally.entry((ri, year)).or_default().add(c);
        }
    }
    let mut out = Vec::new();
    for &year in &grid.years {
        for (li, rule) in mapping.lines.iter().enumerate() {
            if !matches!(rule.role, LineRole::Subtotal(_)) {
                continue;
            }
            for spec in rule.names.iter().filter(|s| s.covers(year)) {
                let row = grid.find_row(spec, &mapping.describe_line(rule))?;
                if !cells.has_numbers(grid, row, year) {
                    continue;
                }
                let value: Decimal = grid
                    .columns
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| {
                        c.year == Some(year) && grid.fuel_role(c) != Some(&FuelRole::Total)
                    })
                    .filter_map(|(ci, _)| cells.values.get(&(row, ci)))
                    .copied()
                    .sum();
                let mut total = Tally::default();
                leaves(
                    grid,
                    li,
                    row,
                    year,
                    &tally,
                    remainders,
                    &mut total,
                    &mut Vec::new(),
                )
                .map_err(|cycle| Error::file(&mapping.path, cycle))?;
                let accounted = total.mapped
                    + total.excluded.values().copied().sum::<Decimal>()
                    + total.unmapped;
                let mut excluded: Vec<(String, Decimal)> = total.excluded.into_iter().collect();
                excluded.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                out.push(Share {
                    year,
                    label: rule.label.clone(),
                    value,
                    mapped: total.mapped,
                    excluded,
                    unmapped: total.unmapped,
                    difference: value - accounted,
                });
            }
        }
    }
    Ok(out)
}

/// Adds up the cells of a subtotal's parts in a year, through the parts
/// that are subtotals themselves, with the remainders mapped.
pub(super) fn leaves(
    grid: &Grid,
    rule: usize,
    row: usize,
    year: i32,
    tally: &Tallies,
    remainders: &Tallies,
    out: &mut Tally,
    seen: &mut Vec<usize>,
) -> std::result::Result<(), String> {
    let mapping = grid.mapping;
    if seen.contains(&row) {
        return Err(format!(
            "{} is a part of itself (through subtotal_of)",
            mapping.describe_line(&mapping.lines[rule])
        ));
    }
    seen.push(row);
    if let Some(r) = remainders.get(&(row, year)) {
        out.merge(r);
    }
    for part in grid.parts_of(rule, year) {
        match grid.rule_of(part, year) {
            Some(pr) if matches!(mapping.lines[pr].role, LineRole::Subtotal(_)) => {
                leaves(grid, pr, part, year, tally, remainders, out, seen)?;
            }
            _ => {
                if let Some(t) = tally.get(&(part, year)) {
                    out.merge(t);
                }
            }
        }
    }
    seen.pop();
    Ok(())
}
