//! An activity cell (AF-AJ fuel groups in TJ NCV, AK other activity) of a
//! row compile computes: the activity keys of the row that fall in the
//! column, each with what it puts there, as far as detail.csv tells (it
//! records the activity in its own unit, not the TJ of a mass of fuel).

use super::detail::{KeyParts, Line, key_parts};
use super::explanation::{Agreement, Explanation, agree, sum_in_order};
use super::target::Column;
use crate::annex1::Annex1Year;
use crate::fuel::Fuels;
use crate::notation_key::NotationKey;
use crate::number::format_decimal;
use rust_decimal::Decimal;

/// An activity cell (AF-AK) of a row compile computes: the activity keys
/// of the row in the year, and what each puts in the column.
pub(super) fn activity(
    e: &mut Explanation,
    table: &Annex1Year,
    all: Vec<Line>,
    column: Column,
    fuels: &Fuels,
    with_inventory: bool,
) {
    let tj = crate::unit::parse_activity_unit("TJ").expect("TJ");
    let target_unit = &table.rows[&e.row].other_activity_unit;
    let target = crate::unit::parse_activity_unit(target_unit).ok();
    // The lines of each key's first pollutant: one per key (or per input
    // row); a key's lines are consecutive.
    let mut keep = Vec::with_capacity(all.len());
    let mut current: Option<(KeyParts, &str)> = None;
    for l in &all {
        let key = key_parts(l);
        if current.is_none_or(|(k, _)| k != key) {
            current = Some((key, l.pollutant.as_str()));
        }
        keep.push(current.is_some_and(|(_, p)| p == l.pollutant));
    }
    let mut lines: Vec<Line> = all
        .into_iter()
        .zip(keep)
        .filter_map(|(l, k)| k.then_some(l))
        .collect();
    let mut unknown: Vec<String> = Vec::new();
    let mut derived = 0;
    for l in &mut lines {
        if l.derived {
            derived += 1;
            continue;
        }
        let group = l.fuel.as_deref().and_then(|f| fuels.group(f));
        l.fuel_group = group;
        let quantity = crate::unit::parse_activity_unit(&l.activity_unit).ok();
        let energy = quantity
            .as_ref()
            .filter(|q| q.dimension == crate::unit::Dimension::Energy);
        match (column, group) {
            (Column::Fuel(g), Some(lg)) if g == lg => match energy {
                Some(q) => l.in_cell = convert(l.activity, q, &tj),
                None => unknown.push(format!(
                    "{} {} of {} (detail.csv line {}) is in the column at its net calorific value, which detail.csv does not record for the activity data ({})",
                    format_decimal(l.activity),
                    l.activity_unit,
                    l.fuel.as_deref().unwrap_or_default(),
                    l.detail_line,
                    l.conversion
                )),
            },
            (Column::OtherActivity, None) => {
                match (quantity.as_ref(), target.as_ref()) {
                    (Some(q), Some(t)) if q.dimension.fits(t.dimension) => {
                        l.in_cell = convert(l.activity, q, t)
                    }
                    _ if l.activity_unit == *target_unit => l.in_cell = Some(l.activity),
                    _ => unknown.push(format!(
                        "{} {} (detail.csv line {}) is not in the unit of AL ({target_unit})",
                        format_decimal(l.activity),
                        l.activity_unit,
                        l.detail_line
                    )),
                }
            }
            (Column::Fuel(_), None) if energy.is_some() && l.fuel.is_some() => unknown.push(format!(
                "'{}' (detail.csv line {}) is not a fuel of airinv's fuel table{}: an inventory's name for a fuel would put it in its fuel group",
                l.fuel.as_deref().unwrap_or_default(),
                l.detail_line,
                if with_inventory { "" } else { " (give the inventory with --inventory to read its [fuels] names)" }
            )),
            _ => {}
        }
    }
    lines.retain(|l| l.in_cell.is_some());
    e.lines = lines;
    e.rule = match column {
        Column::Fuel(g) => format!(
            "the {} burnt in {} in {}, in TJ NCV: the activity of each key whose fuel is in the group",
            g.column_name().to_lowercase(),
            e.code,
            e.year
        ),
        _ => format!(
            "the activity of {} in {} that is not fuel, in the unit of AL ({target_unit})",
            e.code, e.year
        ),
    };
    if derived > 0 {
        e.reasons.push(format!("{derived} line(s) made by the Guidebook's manure NH3 split from another row's animals are not this row's activity data"));
    }
    let sum = sum_in_order(e.lines.iter().filter_map(|l| l.in_cell)).map(|s| s.0);
    if sum.is_none() && e.value.number.is_none() {
        e.reasons.push(match e.value.key() {
            Some(NotationKey::NO) => "no activity of this kind in the row: NO in a combustion row (TJ NCV); a row without activity has the key its pollutant cells share, else NO".into(),
            Some(NotationKey::NA) => "no activity of this kind in the row: NA (not applicable)".into(),
            Some(k) => format!("no activity in the row: {k}, the key its pollutant cells share"),
            None => "no activity in the row".into(),
        });
        agree(e, None, false);
        return;
    }
    agree(e, sum, false);
    let rest = e
        .value
        .number
        .map(|v| v - sum.unwrap_or(Decimal::ZERO))
        .unwrap_or(Decimal::ZERO);
    if e.agreement == Agreement::Exact || rest <= Decimal::ZERO {
        e.reasons.extend(unknown);
        return;
    }
    // Less than the cell: activity the folder does not show in full.
    e.agreement = Agreement::Partial;
    if unknown.is_empty() {
        e.reasons.push(format!(
            "the rest, {} {}, is activity detail.csv does not show: compile writes a line for every activity key (with its emissions, or without a factor), so the folder was changed after the compile",
            format_decimal(rest),
            e.unit
        ));
    }
    e.reasons.extend(unknown);
}

fn convert(
    value: Decimal,
    from: &crate::unit::Quantity,
    to: &crate::unit::Quantity,
) -> Option<Decimal> {
    value
        .checked_mul(from.scale)?
        .checked_div(to.scale)
        .map(|v| v.normalize())
}
