//! The conversion: what a sheet becomes through a mapping (activity rows,
//! the record of every cell, the subtotal checks and shares), the pipeline
//! that makes it ([`convert`]) and the step that applies a line's targets
//! to a cell.

use super::Mapping;
use super::Targets;
use super::cells::{check_subtotals, read_cells};
use super::grid::Grid;
use super::shares::shares;
use crate::error::Result;
use crate::sheet::Sheet;
use rust_decimal::Decimal;

/// One activity row made from a cell (or a subtotal's remainder).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityRow {
    pub year: i32,
    pub nfr: String,
    pub fuel: String,
    pub technology: String,
    pub value: Decimal,
    pub unit: String,
    pub table: String,
    pub abatement: String,
    pub region: String,
    pub tier: String,
    /// `file!A1` of the cell, or `file!A1-B2-C3` for a remainder.
    pub source_id: String,
    pub source_line: String,
    pub source_fuel: String,
    pub share: Decimal,
    /// Sort key: Annex I row, sheet row, column, target.
    order: (u32, u64, usize, usize),
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
    /// In the written unit (zero when `beyond_range`).
    pub value: Decimal,
    /// The number is beyond what an exact decimal holds (more than 28
    /// digits after the point, a float artefact such as
    /// `-2.842170943040401e-14`): the cell is counted, its value left out
    /// of the sums, and it cannot be mapped.
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
    /// Cells whose number is beyond an exact decimal (counted, not summed).
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

/// Converts a sheet with a mapping. `source` names the sheet in `source_id`
/// (its file name).
///
/// Reading the header (the years and fuels of the columns) → resolving the
/// mapping's names to columns and rows (every name must be there) → reading
/// and classifying the cells, mapping those of mapped lines and fuels →
/// checking the subtotals and mapping their remainders → adding up where
/// each subtotal's energy went.
pub fn convert(mapping: &Mapping, table: &Sheet, source: &str) -> Result<Conversion> {
    let grid = Grid::new(mapping, table)?;
    let mut cells = read_cells(&grid, source)?;
    let (checks, remainders) = check_subtotals(&grid, &mut cells, source)?;
    let shares = shares(&grid, &cells, &remainders)?;
    let counts = count(&cells.records);
    let mut rows = cells.rows;
    rows.sort_by_key(|r| (r.year, r.order));
    Ok(Conversion {
        source: source.to_string(),
        unit: mapping.layout.write_unit.clone(),
        years: grid.years.clone(),
        rows,
        cells: cells.records,
        checks,
        shares,
        counts,
    })
}

/// Where an activity row comes from.
pub(super) struct MadeFrom<'a> {
    pub(super) year: i32,
    pub(super) line: &'a str,
    pub(super) source_fuel: &'a str,
    pub(super) unit: &'a str,
    pub(super) source_id: String,
    /// Sheet row number and column index, to sort by.
    pub(super) order: (u64, usize),
}

/// Applies a line's targets to a cell (or remainder) of a Guidebook fuel:
/// writes the activity rows, fills the record, and gives its outcome.
pub(super) fn apply_targets(
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
            technology: t.technology.clone(),
            value,
            unit: made.unit.to_string(),
            table: t.table.clone(),
            abatement: t.abatement.clone(),
            region: t.region.clone(),
            tier: t.tier.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::YearSource;
    use crate::mapping::shares::Tally;
    use crate::mapping::test_support::{SHEET, load, sheet};
    use crate::number::format_decimal;

    #[test]
    fn units_convert_exactly_or_not_at_all() {
        let m = load(
            "[sheet]\nyear = 2022\nfuel_row = 1\nunit = \"ktoe\"\nwrite_unit = \"TJ\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n",
        )
        .unwrap();
        assert_eq!(m.layout.factor, Decimal::from_str_exact("41.868").unwrap());
        assert_eq!(m.layout.year, YearSource::Fixed(2022));
        // 2.5 ktoe is 104.67 TJ, exactly, in the activity row.
        let t = sheet(&[&["", "Gas"], &["P", "2.5"]]);
        let m = load(
            "[sheet]\nyear = 2022\nfuel_row = 1\nunit = \"ktoe\"\nwrite_unit = \"TJ\"\n[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n",
        )
        .unwrap();
        let c = convert(&m, &t, "s.csv").unwrap();
        assert_eq!(format_decimal(c.rows[0].value), "104.67");
        assert_eq!(c.rows[0].unit, "TJ");
        let e = load(
            "[sheet]\nyear = 2022\nfuel_row = 1\nunit = \"TJ\"\nwrite_unit = \"t\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n",
        )
        .unwrap_err();
        assert!(e.contains("cannot be written as"), "{e}");
    }

    /// Fuzzing found (issue 17): cells of 28 digits made the sum of a
    /// subtotal's parts overflow (a panic). A cell beyond 10^18 is an error
    /// naming its cell; 10^18 itself is read.
    #[test]
    fn absurd_cells_are_errors_with_their_cell_not_overflows() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n[[lines]]\nnames = \"Q\"\nnfr = \"1A4bi\"\n[[lines]]\nnames = \"T\"\nsubtotal_of = [\"P\", \"Q\"]\n"
        ))
        .unwrap();
        let max = "79228162514264337593543950335";
        let t = sheet(&[
            &["", "2022"],
            &["", "Gas"],
            &["P", max],
            &["Q", max],
            &["T", "0"],
        ]);
        let e = convert(&m, &t, "s.csv").unwrap_err().to_string();
        assert!(
            e.contains("s.csv, row 3, column B: '79228162514264337593543950335' is beyond any amount a sheet of statistics holds (at most 10^18 TJ a cell)"),
            "{e}"
        );
        assert!(e.contains("row 4"), "{e}");
        let t = sheet(&[
            &["", "2022"],
            &["", "Gas"],
            &["P", "999999999999999999"],
            &["Q", "1"],
            &["T", "1000000000000000000"],
        ]);
        let c = convert(&m, &t, "s.csv").unwrap();
        let total: Decimal = c.rows.iter().map(|r| r.value).sum();
        assert_eq!(
            total,
            Decimal::from_str_exact("1000000000000000000").unwrap()
        );
        assert!(c.failed_checks().next().is_none());
    }

    proptest::proptest! {
        /// Shares split a cell exactly: its activity rows and its excluded
        /// rest add up to the cell, whatever the digits.
        #[test]
        fn shares_split_a_cell_exactly(
            mantissa in 0i64..1_000_000_000_000,
            scale in 0u32..9,
            a in 1u32..500,
            b in 0u32..500,
        ) {
            let value = Decimal::new(mantissa, scale);
            let (sa, sb) = (Decimal::new(a as i64, 3), Decimal::new(b as i64, 3));
            let mut to = format!("{{ nfr = \"1A4bi\", share = \"{sa}\" }}");
            if b > 0 {
                to.push_str(&format!(", {{ nfr = \"1A4ai\", share = \"{sb}\" }}"));
            }
            let m = load(&format!(
                "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n[[lines]]\nnames = \"Homes\"\nto = [{to}]\nrest = \"elsewhere\"\n"
            ))
            .unwrap();
            let text = value.to_string();
            let t = sheet(&[&["", "2022"], &["", "Gas"], &["Homes", &text]]);
            let c = convert(&m, &t, "s.csv").unwrap();
            let written: Decimal = c.rows.iter().map(|r| r.value).sum();
            proptest::prop_assert_eq!(written, value * (sa + sb));
            proptest::prop_assert_eq!(c.cells[0].mapped, written);
            let mut tally = Tally::default();
            tally.add(&c.cells[0]);
            let rest: Decimal = tally.excluded.values().copied().sum();
            proptest::prop_assert_eq!(tally.mapped + rest, value);
        }
    }

    #[test]
    fn a_remainder_and_an_excepted_cell() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n\
             [[lines]]\nnames = \"Own use\"\nsubtotal_of = [\"Mines\"]\n[lines.remainder]\nnfr = \"1A1b\"\n\
             [[lines]]\nnames = \"Mines\"\nnfr = \"1A1c\"\n\
             [[lines]]\nnames = \"Plants\"\nnfr = \"1A1a\"\nexcept = [{{ year = 2022, fuel = \"Gas\", reason = \"own use, merged\" }}]\n"
        ))
        .unwrap();
        let t = sheet(&[
            &["", "2022"],
            &["", "Gas"],
            &["Mines", "30"],
            &["Own use", "42.5"],
            &["Plants", "7"],
        ]);
        let c = convert(&m, &t, "s.csv").unwrap();
        let rows: Vec<(&str, String, &str)> = c
            .rows
            .iter()
            .map(|r| {
                (
                    r.nfr.as_str(),
                    format_decimal(r.value),
                    r.source_id.as_str(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("1A1b", "12.5".to_string(), "s.csv!B4-B3"),
                ("1A1c", "30".to_string(), "s.csv!B3")
            ]
        );
        assert_eq!(c.checks[0].status, CheckStatus::Remainder);
        assert_eq!(
            c.cells[2].outcome,
            Outcome::Excluded("own use, merged".into())
        );
        assert_eq!(c.counts.read, 3);
        // Excepting a cell that is not there is an error.
        let t = sheet(&[
            &["", "2023"],
            &["", "Gas"],
            &["Mines", "30"],
            &["Own use", "30"],
            &["Plants", "7"],
        ]);
        let e = convert(&m, &t, "s.csv").unwrap_err().to_string();
        assert!(e.contains("excepts the cell of 'Gas' in 2022"), "{e}");
    }

    #[test]
    fn text_columns_beside_the_numbers_are_not_cells_but_their_numbers_are() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\n[[lines]]\nnames = \"Homes\"\nnfr = \"1A4bi\"\n"
        ))
        .unwrap();
        let t = sheet(&[
            &["", "unit", "2022", "note"],
            &["", "", "Gas", ""],
            &["Homes", "TJ", "5", "12"],
        ]);
        let c = convert(&m, &t, "s.csv").unwrap();
        assert_eq!(c.years, [2022]);
        assert_eq!(
            (c.counts.read, c.counts.mapped, c.counts.unmapped),
            (2, 1, 1)
        );
        assert_eq!(c.rows[0].source_id, "s.csv!C3");
        // The 12 under "note" has no year: it is listed, not lost.
        assert_eq!(c.cells[1].cell, "D3");
        assert_eq!(
            c.cells[1].outcome,
            Outcome::Unmapped("the column has no year".into())
        );
    }
}
