//! A pollutant cell of a row compile computes (sector, fuel-used and memo
//! rows): the sum of its detail lines, or why it holds a notation key, as
//! far as the folder (and the inventory, when given) tells.

use super::detail::{DetailMode, Line, activity_keys};
use super::explanation::{Agreement, Explanation, agree, sum_in_order};
use super::record::RunRecord;
use super::target::{Column, cell_name};
use crate::annex1::{ACTIVITY_COLUMNS, Annex1Year};
use crate::fuel::FuelGroup;
use crate::inventory::{Inventory, KeyOverride, in_group};
use crate::nfr::{self, Row, RowKind};
use crate::notation_key::NotationKey;
use crate::number::format_decimal;
use crate::pollutant::Pollutant;

/// A pollutant cell of a row compile computes: its detail lines, or why
/// it holds a key.
pub(super) fn emission(
    e: &mut Explanation,
    all: Vec<Line>,
    p: Pollutant,
    table: &Annex1Year,
    run: &RunRecord,
    inventory: Option<&Inventory>,
) {
    let keys = activity_keys(&all);
    let (mut lines, without): (Vec<Line>, Vec<Line>) = all
        .into_iter()
        .filter(|l| l.pollutant == p.id() || (l.without_factor && l.pollutant.is_empty()))
        .partition(|l| !l.without_factor);
    let without_reasons = without_factor_reasons(&without, p);
    for l in &mut lines {
        l.in_cell = Some(l.emission);
    }
    e.lines = lines;
    e.rule = format!(
        "the {} of detail.csv's lines for {} in {}, each activity × factor in {}, summed",
        p.id(),
        e.code,
        e.year,
        p.unit()
    );
    if e.lines.is_empty() {
        e.rule = format!(
            "no line of detail.csv gives {} for {} in {}",
            p.id(),
            e.code,
            e.year
        );
        key_reasons(e, keys, p, table, run, inventory);
        e.reasons.extend(without_reasons);
        if e.value.number.is_some() {
            e.agreement = Agreement::Differs;
            e.reasons.push("the cell holds a number but detail.csv has no line for it: the folder was changed after the compile".into());
        }
        return;
    }
    let sum = sum_in_order(e.lines.iter().map(|l| l.emission));
    let may_round = e.detail == Some(DetailMode::Rows)
        && (e.lines.iter().any(|l| !l.exact) || sum.is_some_and(|s| s.1));
    agree(e, sum.map(|s| s.0), may_round);
    e.reasons.extend(without_reasons);
}

/// What detail.csv's lines without a factor say: activity of the row that
/// has no emission for the pollutant, and why.
fn without_factor_reasons(lines: &[Line], p: Pollutant) -> Vec<String> {
    lines
        .iter()
        .map(|l| {
            format!(
                "detail.csv line {}: {} {}{} has no {p} emission: {}",
                l.detail_line,
                format_decimal(l.activity),
                l.activity_unit,
                l.fuel
                    .as_deref()
                    .map(|f| format!(" of {f}"))
                    .unwrap_or_default(),
                l.why
            )
        })
        .collect()
}

/// Why a pollutant cell of a row compile computes holds a notation key
/// (or nothing), as far as the folder and the inventory tell.
fn key_reasons(
    e: &mut Explanation,
    keys: usize,
    p: Pollutant,
    table: &Annex1Year,
    run: &RunRecord,
    inventory: Option<&Inventory>,
) {
    let (year, code) = (e.year, e.code.clone());
    let key = e.value.key();
    let row = nfr::find(&code).expect("a template row");
    let activity = activity_cells(table, row);
    // The generic words when inventory.toml is not there to say which entry.
    let generic = inventory.is_none();
    let mut r: Vec<String> = Vec::new();
    let active = if keys > 0 {
        Some(format!(
            "{code} has activity in {year} ({keys} activity key(s) in detail.csv), but no factor gave {p}: no Guidebook factor of the row's fuel and technology, and none in the factor files given with --factors (`airinv factors {code} --pollutant {p}` lists those of the Guidebook)"
        ))
    } else if !activity.is_empty() {
        Some(format!(
            "{code} has activity in {year} ({}), but detail.csv has no line for it: no factor fitted any pollutant of its activity (compile writes a detail line for each emission only)",
            activity.join(", ")
        ))
    } else {
        None
    };
    match (active, key) {
        (Some(why), k) => {
            r.push(why);
            match k {
                Some(NotationKey::NE) => r.push("a row with activity is NE for a pollutant no factor gives (not estimated), unless inventory.toml declares another key for it".into()),
                Some(k) if generic => r.push(format!("{k} is declared by inventory.toml ([[notation_keys]] for {code}): compile writes NE where no factor gives a pollutant of a row with activity")),
                _ => {}
            }
        }
        (None, k) => {
            r.push(format!("detail.csv has no line for {code} in {year} and its activity cells hold no number: no activity was given for the row"));
            r.extend(match k {
                Some(NotationKey::NE) => Some("a row nothing was given for is NE (not estimated), unless inventory.toml declares its key: nothing given is not evidence that nothing occurs; declare NO, NA or IE there where that is the truth, with its reason".into()),
                Some(k) if generic => Some(format!("{k} is declared by inventory.toml: a [[notation_keys]] entry for {code} or a [[default_keys]] entry for its group (compile writes no other key than NE in a row without activity)")),
                Some(_) => None,
                None if row.kind == RowKind::FuelUsed => Some("road transport on fuel used (rows 143-149) is left empty when the year has no fuel-used activity (template note (b))".into()),
                None => Some("the cell is empty".into()),
            });
        }
    }
    let prefix = format!("{year} {code}:");
    for w in run.warnings.iter().filter(|w| w.starts_with(&prefix)) {
        r.push(format!("run.json warns: {w}"));
    }
    if keys == 0 && !run.rejected.is_empty() {
        r.push(format!(
            "run.json lists {} rejected input row(s) (rejected.csv): a row whose input rows were all rejected is NE, whatever inventory.toml declares",
            run.rejected.len()
        ));
    }
    match inventory {
        Some(inv) => r.extend(declared(inv, row, table, p, key, keys > 0 || !activity.is_empty())),
        None if key.is_some() => r.push("the folder does not record the keys inventory.toml declares nor their reasons (nor where an IE is included): give the inventory with --inventory to read them".into()),
        None => {}
    }
    e.reasons.extend(r);
}

/// The declaration of inventory.toml that gives the cell its key, as
/// compile applies them: `[[default_keys]]` to rows without activity (the
/// longer group last), then `[[notation_keys]]` (the last entry last).
fn declared(
    inv: &Inventory,
    row: &Row,
    table: &Annex1Year,
    p: Pollutant,
    key: Option<NotationKey>,
    active: bool,
) -> Vec<String> {
    let year = table.header.year;
    let in_year = |o: &&KeyOverride| o.years.is_empty() || o.years.contains(&year);
    let entry = inv
        .keys
        .iter()
        .filter(in_year)
        .rfind(|o| {
            nfr::find(&o.code).is_some_and(|r| r.number == row.number)
                && (o.pollutants.is_empty() || o.pollutants.contains(&p))
        })
        .map(|o| ("[[notation_keys]] code", o))
        .or_else(|| {
            let mut groups: Vec<&KeyOverride> = inv
                .default_keys
                .iter()
                .filter(in_year)
                .filter(|o| !active && in_group(row, &o.code))
                .collect();
            groups.sort_by_key(|o| o.code.len());
            groups.last().map(|o| ("[[default_keys]] group", *o))
        });
    let toml = inv.dir.join("inventory.toml");
    let Some((what, o)) = entry else {
        return vec![match key {
            Some(NotationKey::NE) | None => format!(
                "{} declares no key for {} {p} in {year}",
                toml.display(),
                row.code
            ),
            Some(k) => format!(
                "{} declares no key for {} {p} in {year} now, but the cell holds {k}: the inventory was changed after this compile",
                toml.display(),
                row.code
            ),
        }];
    };
    let mut out = vec![format!(
        "{} declares {} ({what} = \"{}\"{}){}",
        toml.display(),
        o.key,
        o.code,
        if o.pollutants.is_empty() {
            String::new()
        } else {
            format!(
                ", pollutants = {}",
                o.pollutants
                    .iter()
                    .map(|p| p.id())
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        },
        if o.note.is_empty() {
            ": without a note; CEIP asks for the reason of every key in the IIR".to_string()
        } else {
            format!(": \"{}\"", o.note)
        }
    )];
    if key != Some(o.key) {
        out.push(format!(
            "the cell holds {} but inventory.toml now declares {}: the inventory was changed after this compile, or the rows given for {} were all rejected",
            key.map(|k| k.as_str()).unwrap_or("nothing"),
            o.key,
            row.code
        ));
    }
    if o.key == NotationKey::IE && !o.included_in.is_empty() {
        out.push(match nfr::find(&o.included_in) {
            Some(target) => {
                let there = table.rows[&target.number].get(p);
                format!(
                    "included in {} {}: {} = {}{}",
                    target.code,
                    target.name,
                    cell_name(year, Column::Pollutant(p), target.number),
                    crate::annex1::cell_text(there),
                    if there.number().is_some() {
                        String::new()
                    } else {
                        format!(
                            ": {} has no number for {p} there (airinv check warns of it)",
                            target.code
                        )
                    }
                )
            }
            None => format!("included in '{}'", o.included_in),
        });
    }
    out
}

/// The row's activity cells that hold a number (`AF 48096.3 TJ NCV`).
fn activity_cells(table: &Annex1Year, row: &Row) -> Vec<String> {
    let cells = &table.rows[&row.number];
    let mut out: Vec<String> = FuelGroup::ALL
        .iter()
        .filter_map(|g| {
            cells.fuels[g.index()].number().map(|d| {
                format!(
                    "{} {} TJ NCV",
                    ACTIVITY_COLUMNS[g.index()],
                    format_decimal(d)
                )
            })
        })
        .collect();
    if let Some(d) = cells.other_activity.number() {
        out.push(format!(
            "AK {} {}",
            format_decimal(d),
            cells.other_activity_unit
        ));
    }
    out
}
