//! The conversion pipeline ([`convert`]): a sheet through a mapping into
//! a [`Conversion`] (activity rows, the record of every cell, the subtotal
//! checks and shares).

use super::cells::{check_subtotals, read_cells};
use super::grid::Grid;
use super::records::{Conversion, count};
use super::rules::Mapping;
use super::shares::shares;
use crate::error::Result;
use crate::sheet::Sheet;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::records::{CheckStatus, Outcome, Tally};
    use crate::mapping::rules::YearSource;
    use crate::mapping::test_support::{SHEET, load, sheet};
    use crate::number::format_decimal;
    use rust_decimal::Decimal;

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
