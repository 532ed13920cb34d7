//! Gap fills (`gap-fill.filled`, info): every value of an inventory folder
//! that airinv made by filling a gap of an activity series rather than read
//! from data, as its inventory.toml declares it (`[[fill]]`, see
//! [`crate::gap_fill`]). CEIP's reviewers ask for such values to be
//! documented in the IIR; the values themselves are in `detail.csv`
//! (column `gap_fill`).

use super::{Finding, Severity};
use crate::error::Result;
use crate::inventory::Inventory;

/// One finding per filled year and NFR code of each `[[fill]]`.
pub fn findings(inv: &Inventory) -> Result<Vec<Finding>> {
    let mut out = Vec::new();
    for fill in crate::gap_fill::declarations(inv)? {
        for &year in &fill.years {
            for row in &fill.rows {
                let mut f = Finding::new(
                    Severity::Info,
                    "gap-fill.filled",
                    format!(
                        "{year} {}{}: activity filled by airinv, not data: {} ([[fill]] entry {} of inventory.toml: {}); document it in the IIR",
                        row.code,
                        [("technology", &fill.technology), ("fuel", &fill.fuel)]
                            .iter()
                            .filter_map(|(what, v)| v.as_ref().map(|v| format!(" {what} '{v}'")))
                            .collect::<String>(),
                        fill.describe(),
                        fill.number,
                        fill.note
                    ),
                );
                f.year = Some(year);
                f.code = Some(row.code.clone());
                f.sheet = Some(year.to_string());
                out.push(f);
            }
        }
    }
    Ok(out)
}
