//! The totals the template defines, computed from the sector rows.
//!
//! Totals follow the template's notes:
//! - (a) NATIONAL TOTAL (row 141) = Σ sector rows 14-140 (memo items are
//!   outside it);
//! - (c) COMPLIANCE TOTAL (CLRTAP) (row 152) = NATIONAL TOTAL + ADJUSTMENTS
//!   (row 151) and, where road transport is reported on fuel used (rows
//!   143-149), + Σ fuel-used rows − Σ rows 1A3bi-1A3bvii;
//! - (e) COMPLIANCE TOTAL (NECD) (row 154) = NATIONAL TOTAL + ADJUSTMENTS AND
//!   FLEXIBILITIES (row 153), the same fuel-used correction, and for NOx and
//!   NMVOC, in 2005 and from 2020 on, − sectors 3B and 3D.
//!
//! PAH1-4 (Total 1-4) of each row is BaP + BbF + BkF + IcdP.

use super::table::{Annex1Year, RowCells};
use crate::nfr::{self, RowKind};
use crate::notation_key::{Cell, CellSum};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

impl Annex1Year {
    /// Sets PAH1-4 of every row from its four PAHs (where it has any).
    pub fn derive_pah_totals(&mut self) {
        for cells in self.rows.values_mut() {
            let four: Vec<Cell> = Pollutant::PAHS.iter().map(|p| cells.get(*p)).collect();
            if four.iter().all(Cell::is_empty) {
                continue;
            }
            let (sum, _) = crate::notation_key::sum(four);
            cells.set(Pollutant::PAH14, sum);
        }
    }

    /// Computes NATIONAL TOTAL and the compliance totals by the template's notes.
    pub fn compute_totals(&mut self) {
        let year = self.header.year;
        let rows_of = |kind: RowKind| -> Vec<u32> {
            nfr::rows()
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.number)
                .collect()
        };
        let sectors = rows_of(RowKind::Sector);
        let fuel_used = rows_of(RowKind::FuelUsed);
        let road: Vec<u32> = [
            "1A3bi", "1A3bii", "1A3biii", "1A3biv", "1A3bv", "1A3bvi", "1A3bvii",
        ]
        .iter()
        .map(|c| nfr::find(c).expect("road rows").number)
        .collect();
        let agri_3b_3d: Vec<u32> = nfr::sector_rows()
            .filter(|r| r.code.starts_with("3B") || r.code.starts_with("3D"))
            .map(|r| r.number)
            .collect();
        let number = |c: &str| nfr::find(c).expect("template total rows").number;
        let (nt, adj, clrtap, flex, necd) = (
            number("NATIONAL TOTAL"),
            number("ADJUSTMENTS"),
            number("COMPLIANCE TOTAL (CLRTAP)"),
            number("ADJUSTMENTS AND FLEXIBILITIES"),
            number("COMPLIANCE TOTAL (NECD)"),
        );
        for p in Pollutant::ALL {
            let total = sum_cells(&self.rows, &sectors, p);
            // Road transport on fuel used, where it is reported with numbers.
            let fu_correction = match sum_cells(&self.rows, &fuel_used, p) {
                Cell::Number(fu_sum) => {
                    let sold = sum_cells(&self.rows, &road, p)
                        .number()
                        .unwrap_or(Decimal::ZERO);
                    Some(fu_sum - sold)
                }
                _ => None,
            };
            let necd_minus = if matches!(p, Pollutant::NOx | Pollutant::NMVOC)
                && (year == 2005 || year >= 2020)
            {
                sum_cells(&self.rows, &agri_3b_3d, p).number()
            } else {
                None
            };
            let mut updates = vec![(nt, total)];
            for (adj_row, target, minus) in [(adj, clrtap, None), (flex, necd, necd_minus)] {
                let adjustment = self.rows[&adj_row].get(p).number().unwrap_or(Decimal::ZERO);
                let value = match total {
                    Cell::Number(t) => Cell::Number(
                        t + adjustment + fu_correction.unwrap_or(Decimal::ZERO)
                            - minus.unwrap_or(Decimal::ZERO),
                    ),
                    other => other,
                };
                updates.push((target, value));
            }
            for (row, value) in updates {
                self.rows.get_mut(&row).expect("total row").set(p, value);
            }
        }
    }
}

fn sum_cells(table: &BTreeMap<u32, RowCells>, rows: &[u32], p: Pollutant) -> Cell {
    let mut s = CellSum::new();
    for r in rows {
        s.add(table[r].get(p));
    }
    s.cell()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annex1::Header;
    use crate::notation_key::NotationKey;

    fn n(s: &str) -> Cell {
        Cell::Number(Decimal::from_str_exact(s).unwrap())
    }

    #[test]
    fn national_total_sums_sector_rows_only() {
        let mut y = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        y.row_mut("1A1a").unwrap().set(Pollutant::NOx, n("0.89"));
        y.row_mut("6A").unwrap().set(Pollutant::NOx, n("0.11"));
        y.row_mut("1A4bi")
            .unwrap()
            .set(Pollutant::NOx, Cell::Key(NotationKey::NE));
        // Memo items stay outside.
        y.row_mut("1A3ai(ii)").unwrap().set(Pollutant::NOx, n("5"));
        y.compute_totals();
        assert_eq!(y.row("NATIONAL TOTAL").unwrap().get(Pollutant::NOx), n("1"));
        assert_eq!(
            y.row("COMPLIANCE TOTAL (CLRTAP)")
                .unwrap()
                .get(Pollutant::NOx),
            n("1")
        );
        assert_eq!(
            y.row("NATIONAL TOTAL").unwrap().get(Pollutant::SOx),
            Cell::Empty
        );
    }

    #[test]
    fn compliance_totals_follow_the_template_notes() {
        let mut y = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        y.row_mut("1A3bi").unwrap().set(Pollutant::NOx, n("10"));
        y.row_mut("3B1a").unwrap().set(Pollutant::NOx, n("2"));
        y.row_mut("3Da1").unwrap().set(Pollutant::NOx, n("1"));
        y.row_mut("1A3bi(fu)").unwrap().set(Pollutant::NOx, n("7"));
        y.row_mut("ADJUSTMENTS")
            .unwrap()
            .set(Pollutant::NOx, n("-0.5"));
        y.row_mut("ADJUSTMENTS AND FLEXIBILITIES")
            .unwrap()
            .set(Pollutant::NOx, n("-0.25"));
        y.compute_totals();
        // 13 + (-0.5) + (7 - 10)
        assert_eq!(
            y.row("COMPLIANCE TOTAL (CLRTAP)")
                .unwrap()
                .get(Pollutant::NOx),
            n("9.5")
        );
        // 13 - 0.25 + (7 - 10) - (2 + 1)
        assert_eq!(
            y.row("COMPLIANCE TOTAL (NECD)")
                .unwrap()
                .get(Pollutant::NOx),
            n("6.75")
        );
        // Before 2020 (and not 2005) 3B and 3D stay in the NECD total.
        y.header.year = 2015;
        y.compute_totals();
        assert_eq!(
            y.row("COMPLIANCE TOTAL (NECD)")
                .unwrap()
                .get(Pollutant::NOx),
            n("9.75")
        );
    }

    #[test]
    fn pah_total_is_the_sum_of_the_four() {
        let mut y = Annex1Year::empty(Header::default());
        let r = y.row_mut("1A4bi").unwrap();
        r.set(Pollutant::BaP, n("0.1"));
        r.set(Pollutant::BbF, n("0.2"));
        r.set(Pollutant::BkF, Cell::Key(NotationKey::NE));
        r.set(Pollutant::IcdP, n("0.05"));
        y.derive_pah_totals();
        assert_eq!(y.row("1A4bi").unwrap().get(Pollutant::PAH14), n("0.35"));
        assert_eq!(y.row("1A1a").unwrap().get(Pollutant::PAH14), Cell::Empty);
    }
}
