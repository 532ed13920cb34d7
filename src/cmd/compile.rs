//! `airinv compile`: an inventory folder (or one activity file) to the
//! Annex I workbook, its CSVs, the lineage and the run record.
//!
//! The pipeline (read → match factors → calculate → aggregate) and the
//! writing of its outputs are the library's [`crate::compile`]. Outputs are
//! written only when every input row was used (or `--keep-going` is given),
//! each file atomically.

use crate::compile::{CompileOptions, CompileReport, compute, write};
use crate::error::Result;
use crate::source::Source;
use std::path::Path;

/// Runs a compile and writes its outputs.
pub fn run(source: &Path, opts: &CompileOptions) -> Result<CompileReport> {
    let source = Source::open_activity(source)?;
    let inventory = source
        .inventory()
        .expect("an activity source has an inventory");
    let compiled = compute(inventory, opts)?;
    write(opts, inventory, compiled)
}
