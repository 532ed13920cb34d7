//! `airinv convert`: a sheet laid out for people (an energy balance) and a
//! mapping → the tidy activity file, with a report that accounts for every
//! number cell of the sheet.
//!
//! Writes, atomically, `OUT` (the activity file), `OUT-stem.cells.csv` (every
//! non-empty number cell and subtotal remainder with its outcome) and
//! `OUT-stem.report.txt` (the report, whose summary is also printed).

use crate::error::{Error, Result};
use crate::mapping::{self, Conversion, report};
use crate::output;
use std::path::PathBuf;

/// What to convert.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// The sheet: a CSV file or a workbook.
    pub source: PathBuf,
    pub mapping: PathBuf,
    /// The activity file to write.
    pub out: PathBuf,
    /// The workbook sheet, over the mapping's `[sheet] name`.
    pub sheet: Option<String>,
}

/// What a conversion did.
#[derive(Debug, Clone)]
pub struct ConvertReport {
    pub conversion: Conversion,
    /// The summary printed on the terminal.
    pub summary: String,
    /// The full report (summary and details), as written to the report file.
    pub full: String,
    pub outputs: Vec<PathBuf>,
}

/// Converts and writes the activity file, the cell ledger and the report.
pub fn run(opts: &ConvertOptions) -> Result<ConvertReport> {
    let stem = opts
        .out
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or_else(|| Error::file(&opts.out, "is not a file name for the activity file"))?;
    let cells_path = opts.out.with_file_name(format!("{stem}.cells.csv"));
    let report_path = opts.out.with_file_name(format!("{stem}.report.txt"));
    // No output is written over the sheet or the mapping read.
    let inputs = [&opts.source, &opts.mapping].map(|p| std::fs::canonicalize(p).ok());
    for target in [&opts.out, &cells_path, &report_path] {
        if let Ok(t) = std::fs::canonicalize(target)
            && inputs.contains(&Some(t))
        {
            return Err(Error::file(
                target,
                "is one of this run's inputs, and the run would write over it; give another --out",
            ));
        }
    }
    let (mapping, conversion) =
        mapping::convert_source(&opts.source, opts.sheet.as_deref(), &opts.mapping)?;
    if let Some(dir) = opts.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        output::ensure_dir(dir)?;
    }
    let summary = report::summary(&mapping, &conversion, &opts.source, &opts.mapping);
    let full = format!("{summary}\n{}", report::details(&conversion));
    output::write_atomically(&opts.out, |w| conversion.write_activity(w))?;
    output::write_atomically(&cells_path, |w| conversion.write_cells(w))?;
    output::write_atomically(&report_path, |w| w.write_all(full.as_bytes()))?;
    Ok(ConvertReport {
        conversion,
        summary,
        full,
        outputs: vec![opts.out.clone(), cells_path, report_path],
    })
}
