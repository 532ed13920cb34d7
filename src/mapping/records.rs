//! The records of a conversion, shared by the steps that make them: an
//! activity row made from a cell, the outcome and record of every cell, the
//! subtotal checks, the shares of each subtotal's energy, the tallies of
//! energy by outcome, and the [`Conversion`] that holds them all. The steps
//! (`cells`, `shares`, `conversion`) and the writers (`ledger`, `report`)
//! import these; this module imports none of them but `grid`.

use super::grid::Grid;
use crate::pins::Pins;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// One activity row made from a cell (or a subtotal's remainder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub year: i32,
    pub nfr: String,
    pub fuel: String,
    pub value: Decimal,
    pub unit: String,
    /// Technology, table, abatement, region, tier: the target's.
    pub pins: Pins,
    /// `file!A1` of the cell, or `file!A1-B2-C3` for a remainder.
    pub source_id: String,
    pub source_line: String,
    pub source_fuel: String,
    pub share: Decimal,
    /// Sort key: Annex I row, sheet row, column, target.
    pub(super) order: (u32, u64, usize, usize),
}

/// What became of a cell (or a remainder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Mapped to activity rows (a share of it may be excluded: see `rest`).
    Mapped,
    Excluded(String),
    Unmapped(String),
}

/// One non-empty number cell of the sheet, or one remainder of a subtotal.
#[derive(Debug, Clone)]
pub struct CellRecord {
    /// `AB37`, or `AB27-AB15-AB40` for a remainder.
    pub cell: String,
    pub remainder: bool,
    pub row: u64,
    pub year: Option<i32>,
    pub line: String,
    pub fuel: String,
    /// In the written unit (rounded to 28 decimal places when `beyond_range`).
    pub value: Decimal,
    /// The number as written when it has digits beyond the 28th decimal
    /// place (a float artefact such as `-2.842170943040401e-14`): its value
    /// is rounded to 28 places (issue 29), counted and summed like any
    /// other, marked in the cell ledger and the report; it cannot be mapped.
    pub beyond_range: Option<String>,
    /// In the sheet's Total column (a total over the fuels).
    pub in_total_column: bool,
    pub outcome: Outcome,
    /// The part written to activity rows.
    pub mapped: Decimal,
    /// The codes it was mapped to.
    pub codes: Vec<String>,
    /// Why the part not mapped of a mapped cell is excluded.
    pub rest: Option<String>,
}

/// The check of one subtotal cell against its parts.
#[derive(Debug, Clone)]
pub struct Check {
    pub year: i32,
    pub line: String,
    pub fuel: String,
    pub cell: String,
    pub subtotal: Decimal,
    pub parts: Decimal,
    /// Subtotal minus parts.
    pub difference: Decimal,
    pub tolerance: Decimal,
    pub status: CheckStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStatus {
    /// Within the tolerance.
    Ok,
    /// Beyond the tolerance and taken by the subtotal's remainder.
    Remainder,
    /// Beyond the tolerance and accepted by the mapping, with its note.
    Accepted(String),
    Failed,
}

/// How much of a subtotal's energy went where, in a year.
#[derive(Debug, Clone)]
pub struct Share {
    pub year: i32,
    pub label: String,
    /// The subtotal: the sum of its cells over the fuels (not the Total column).
    pub value: Decimal,
    pub mapped: Decimal,
    /// By reason, largest first.
    pub excluded: Vec<(String, Decimal)>,
    pub unmapped: Decimal,
    /// value − (mapped + excluded + unmapped): what the parts do not explain.
    pub difference: Decimal,
}

/// Counts of a conversion.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CellCounts {
    /// Non-empty number cells read.
    pub read: usize,
    pub mapped: usize,
    pub excluded: usize,
    pub unmapped: usize,
    /// Mapped cells that are zero (they give no activity row).
    pub mapped_zero: usize,
    /// Unmapped cells that are not zero.
    pub unmapped_nonzero: usize,
    /// Cells whose number was rounded to 28 decimal places (marked).
    pub beyond_range: usize,
}

/// A sheet converted by a mapping.
#[derive(Debug, Clone)]
pub struct Conversion {
    /// The sheet's file name, used in `source_id`.
    pub source: String,
    pub unit: String,
    pub years: Vec<i32>,
    pub rows: Vec<ActivityRow>,
    /// Cells in sheet order, then remainders.
    pub cells: Vec<CellRecord>,
    pub checks: Vec<Check>,
    pub shares: Vec<Share>,
    pub counts: CellCounts,
}

impl Conversion {
    pub fn failed_checks(&self) -> impl Iterator<Item = &Check> {
        self.checks
            .iter()
            .filter(|c| c.status == CheckStatus::Failed)
    }

    /// Findings that need the compiler's eye: unmapped cells that are not
    /// zero, and failed checks.
    pub fn findings(&self) -> usize {
        self.counts.unmapped_nonzero + self.failed_checks().count()
    }
}

pub(super) fn count(records: &[CellRecord]) -> CellCounts {
    let mut counts = CellCounts::default();
    for c in records {
        if c.remainder {
            if matches!(c.outcome, Outcome::Unmapped(_)) {
                counts.unmapped_nonzero += 1;
            }
            continue;
        }
        counts.read += 1;
        if c.beyond_range.is_some() {
            counts.beyond_range += 1;
        }
        match c.outcome {
            Outcome::Mapped => {
                counts.mapped += 1;
                if c.value.is_zero() {
                    counts.mapped_zero += 1;
                }
            }
            Outcome::Excluded(_) => counts.excluded += 1,
            Outcome::Unmapped(_) => {
                counts.unmapped += 1;
                if !c.value.is_zero() {
                    counts.unmapped_nonzero += 1;
                }
            }
        }
    }
    counts
}

/// Energy by outcome, per (data row, year).
pub(super) type Tallies = HashMap<(usize, i32), Tally>;

/// What reading the cells gave.
#[derive(Default)]
pub(super) struct Cells {
    /// (data row, column position) → value, for the numbers read exactly.
    pub(super) values: HashMap<(usize, usize), Decimal>,
    pub(super) records: Vec<CellRecord>,
    pub(super) rows: Vec<ActivityRow>,
}

impl Cells {
    pub(super) fn has_numbers(&self, grid: &Grid, row: usize, year: i32) -> bool {
        grid.columns
            .iter()
            .enumerate()
            .any(|(ci, c)| c.year == Some(year) && self.values.contains_key(&(row, ci)))
    }
}

/// Amounts of energy by outcome.
#[derive(Debug, Clone, Default)]
pub(super) struct Tally {
    pub(super) mapped: Decimal,
    pub(super) excluded: BTreeMap<String, Decimal>,
    pub(super) unmapped: Decimal,
}

impl Tally {
    pub(super) fn add(&mut self, c: &CellRecord) {
        match &c.outcome {
            Outcome::Mapped => {
                self.mapped += c.mapped;
                let rest = c.value - c.mapped;
                if !rest.is_zero() {
                    let reason = c.rest.clone().unwrap_or_else(|| "not mapped".into());
                    *self.excluded.entry(reason).or_default() += rest;
                }
            }
            Outcome::Excluded(reason) => {
                *self.excluded.entry(reason.clone()).or_default() += c.value;
            }
            Outcome::Unmapped(_) => self.unmapped += c.value,
        }
    }

    pub(super) fn merge(&mut self, other: &Tally) {
        self.mapped += other.mapped;
        for (k, v) in &other.excluded {
            *self.excluded.entry(k.clone()).or_default() += *v;
        }
        self.unmapped += other.unmapped;
    }
}
