//! Where a number of the Annex I table comes from: one cell of a compile's
//! output folder explained from the files beside it.
//!
//! ```text
//!  2022!E14 (sheet, column, row of annex1.xlsx) or year + code + pollutant
//!        │ Target::parse / Target::of
//!        ▼
//!  output::settle(folder) ──► annex1_<YEAR>.csv (the cell's exact value)
//!        │                    run.json (adjustments, rejected rows, warnings)
//!        ▼                    detail.csv (streamed: the lines of the year and row)
//!  a sector, fuel-used or memo row, pollutant column:
//!        the detail lines of the pollutant, each activity × factor, summed
//!        in the order compile summed them (the sum is the cell, exactly);
//!        a notation key: why the row holds it, as far as the folder tells
//!  an activity cell (AF-AK): the activity keys of the row in the column
//!  PAH1-4 (AB) of a sector row: BaP + BbF + BkF + IcdP of the row
//!  a total row (141, 151-154): the rows summed into it, recomputed with
//!        the template's rules (annex1::Annex1Year::compute_totals)
//!        ▼
//!  Explanation (Serialize): value, lines or terms, their sum, agreement
//! ```
//!
//! Cell letters and row numbers are those of the template (`annex1.xlsx`,
//! `src/data/annex1-columns.csv` and `annex1-rows.csv`): row 14 is 1A1a
//! whatever line of `annex1_<YEAR>.csv` holds it.
//!
//! An output folder does not record the notation keys inventory.toml
//! declares, nor their reasons: with the inventory folder given
//! ([`Options::inventory`]), the declaration that applies is read from it
//! as it is now.

mod activity;
mod detail;
mod emission;
mod explanation;
mod record;
mod target;
mod totals;

pub use detail::{DetailMode, FactorUsed, Line};
pub use explanation::{Agreement, Explanation, Term, Value};
pub use target::{Column, Target};

use detail::read_detail;
use record::{open_folder, years_held};
use totals::{pah_total, total};

use crate::annex1::Annex1Year;
use crate::error::{Error, Result};
use crate::fuel::Fuels;
use crate::inventory::Inventory;
use crate::nfr::RowKind;
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use std::path::PathBuf;

/// What to explain.
#[derive(Debug, Clone)]
pub struct Options {
    /// An output folder of `airinv compile`.
    pub folder: PathBuf,
    pub target: Target,
    /// The inventory folder the output was compiled from: the notation keys
    /// it declares, with their reasons, and its fuel names.
    pub inventory: Option<PathBuf>,
}

/// Explains one cell of an output folder.
pub fn explain(opts: &Options) -> Result<Explanation> {
    let folder = &opts.folder;
    if !folder.exists() {
        return Err(Error::file(folder, "does not exist"));
    }
    if !folder.is_dir() {
        return Err(Error::file(
            folder,
            "is a file: explain reads the output folder of airinv compile (annex1_<YEAR>.csv, detail.csv, run.json)",
        ));
    }
    // A run writing into it now is an error; a stopped one is completed.
    let _hold = crate::output::settle(folder)?;
    let run = open_folder(folder)?;
    let target = opts.target;
    let csv = folder.join(format!("annex1_{}.csv", target.year));
    if !csv.exists() {
        return Err(Error::file(
            folder,
            format!(
                "has no annex1_{}.csv: the years it holds are {}",
                target.year,
                years_held(folder)?
            ),
        ));
    }
    let table = crate::annex1::csv::read_annex_csv(&csv, target.year)?;
    let cell = cell_of(&table, target);
    let inventory = match &opts.inventory {
        Some(dir) => Some(Inventory::load(dir)?),
        None => None,
    };
    let (quantity, unit) = match target.column {
        Column::Pollutant(p) => (p.id().to_string(), p.unit().to_string()),
        Column::Fuel(g) => (g.column_name().to_string(), "TJ NCV".to_string()),
        Column::OtherActivity => (
            "Other activity".to_string(),
            table.rows[&target.row.number].other_activity_unit.clone(),
        ),
    };
    let mut e = Explanation {
        folder: folder.display().to_string(),
        cell: target.cell(),
        year: target.year,
        row: target.row.number,
        column: target.column.letter().to_string(),
        code: target.row.code.clone(),
        name: target.row.name.clone(),
        quantity,
        unit,
        value: Value::of(cell),
        read_from: format!(
            "{}, code {}, column {}",
            csv.display(),
            target.row.code,
            csv_column(target.column)
        ),
        rule: String::new(),
        detail: None,
        lines: Vec::new(),
        terms: Vec::new(),
        sum: None,
        agreement: Agreement::Words,
        difference: None,
        reasons: Vec::new(),
    };
    if let Some(inv) = &inventory
        && run.inventory.as_deref().is_some_and(|n| n != inv.name)
    {
        e.reasons.push(format!(
            "inventory.toml of {} names the inventory '{}', run.json '{}': it may not be the inventory this folder was compiled from",
            inv.dir.display(),
            inv.name,
            run.inventory.as_deref().unwrap_or_default()
        ));
    }
    let row = target.row;
    match (row.kind, target.column) {
        (
            RowKind::Sector | RowKind::FuelUsed | RowKind::Memo,
            Column::Pollutant(Pollutant::PAH14),
        ) => pah_total(&mut e, &table, row),
        (RowKind::NationalTotal | RowKind::Compliance, Column::Pollutant(p)) => {
            total(&mut e, &table, row, p, &run)
        }
        (RowKind::NationalTotal | RowKind::Compliance, _) => {
            e.rule = "the template's total rows have no activity data".into();
            if !cell.is_empty() {
                e.reasons
                    .push("the cell holds a value compile does not write there".into());
                e.agreement = Agreement::Differs;
            }
        }
        (_, Column::Pollutant(p)) => {
            let (mode, lines) = read_detail(folder, target.year, row)?;
            e.detail = Some(mode);
            emission::emission(&mut e, lines, p, &table, &run, inventory.as_ref());
        }
        (_, column) => {
            let (mode, lines) = read_detail(folder, target.year, row)?;
            e.detail = Some(mode);
            let fuels = fuels_of(inventory.as_ref())?;
            activity::activity(&mut e, &table, lines, column, &fuels, inventory.is_some());
        }
    }
    Ok(e)
}

fn cell_of(table: &Annex1Year, target: Target) -> Cell {
    let cells = &table.rows[&target.row.number];
    match target.column {
        Column::Pollutant(p) => cells.get(p),
        Column::Fuel(g) => cells.fuels[g.index()],
        Column::OtherActivity => cells.other_activity,
    }
}

/// The column's header in annex1_<YEAR>.csv.
fn csv_column(column: Column) -> String {
    let header = crate::annex1::csv_header();
    match column {
        Column::Pollutant(p) => p.id().to_string(),
        Column::Fuel(g) => header[30 + g.index()].clone(),
        Column::OtherActivity => header[35].clone(),
    }
}

/// The fuel table compile used, as far as it can be rebuilt: airinv's own,
/// with the inventory's names for fuels when the inventory is given.
fn fuels_of(inventory: Option<&Inventory>) -> Result<Fuels> {
    let mut fuels = Fuels::built_in().clone();
    for (alias, fuel) in inventory.map(|i| i.fuel_aliases.as_slice()).unwrap_or(&[]) {
        fuels.add_alias(alias, fuel).map_err(|e| {
            Error::file(
                inventory
                    .map(|i| i.dir.join("inventory.toml"))
                    .unwrap_or_default(),
                format!("[fuels] \"{alias}\": {e}"),
            )
        })?;
    }
    Ok(fuels)
}
