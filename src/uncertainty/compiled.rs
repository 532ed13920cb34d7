//! The lineage of an inventory folder for the uncertainty analyses: a
//! compile done in memory (nothing written), with the factors its lines
//! used (the Guidebook's and the inventory's own, for their intervals) and
//! the inventory's uncertainty files; and each row's combined uncertainty,
//! which the key category analysis (Approach 2) weighs its shares by.
//!
//! ```text
//! Inventory ──► compile::compute ──► Compiled ──► lineage_of
//!                                                         │
//!            Lineage::from_results ◄── CompiledLineage ◄──┘
//!                     │
//!                     └─► row_uncertainties (kca) / Approach 1 and 2 (uncertainty)
//! ```

use super::{Lineage, approach1, read_overrides};
use crate::annex1::Annex1Year;
use crate::compile::Compiled;
use crate::error::{Error, Result};
use crate::inventory::Inventory;
use crate::kca::RowUncertainties;
use crate::pollutant::Pollutant;
use std::path::PathBuf;

/// A compiled inventory with what the uncertainty needs.
pub struct CompiledLineage {
    pub tables: Vec<Annex1Year>,
    pub results: Vec<crate::calculate::KeyResult>,
    /// The Guidebook's factors and the inventory's own (for their intervals).
    pub factors: Vec<crate::emission_factor::Factor>,
    /// The inventory's uncertainty files (`uncertainties = [...]`).
    pub uncertainty_files: Vec<PathBuf>,
}

/// Compiles an inventory in memory (nothing is written).
pub fn compile_lineage(inventory: &Inventory) -> Result<CompiledLineage> {
    let compiled = crate::compile::compute(inventory, &Default::default())?;
    lineage_of(compiled, inventory)
}

/// What the uncertainty needs of a compile of the inventory done already.
pub fn lineage_of(compiled: Compiled, inventory: &Inventory) -> Result<CompiledLineage> {
    if let Some(first) = compiled.report.rejected.first() {
        return Err(Error::Rejected {
            count: compiled.report.rejected.len(),
            first: first.to_string(),
        });
    }
    let mut factors = crate::emission_factor::embedded()?;
    for f in &inventory.factors {
        factors.extend(crate::emission_factor::read_user_file(f)?);
    }
    Ok(CompiledLineage {
        tables: compiled.tables,
        results: compiled.results,
        factors,
        uncertainty_files: inventory.uncertainties.clone(),
    })
}

/// Each row's combined uncertainty (Approach 1, %) in a year, for the
/// Approach 2 key category analysis, from the compile of an inventory.
pub fn row_uncertainties(
    compiled: Compiled,
    inventory: &Inventory,
    year: i32,
) -> Result<RowUncertainties> {
    let c = lineage_of(compiled, inventory)?;
    let overrides = read_overrides(&c.uncertainty_files)?;
    let lineage = Lineage::from_results(&c.results, &[year], &c.factors, &overrides);
    let mut out = RowUncertainties::new();
    for p in Pollutant::ALL {
        for r in lineage.rows(p, year, None) {
            let g = approach1::sqrt(r.activity_pct * r.activity_pct + r.factor_pct * r.factor_pct);
            out.insert((p, r.row), g);
        }
    }
    Ok(out)
}
