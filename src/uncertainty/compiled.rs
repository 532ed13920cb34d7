//! The lineage of an inventory folder for the uncertainty analyses: a
//! compile done in memory (nothing written), with the factors its lines
//! used (the Guidebook's and the inventory's own, for their intervals) and
//! the inventory's uncertainty files.
//!
//! ```text
//! Inventory ──► compile::compute ──► Compiled ──► lineage_of
//!                                                         │
//!            Lineage::from_results ◄── CompiledLineage ◄──┘
//!                     │
//!                     └─► analysis: Approach 1 and 2, key categories
//! ```

use crate::annex1::Annex1Year;
use crate::compile::Compiled;
use crate::error::{Error, Result};
use crate::inventory::Inventory;
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
