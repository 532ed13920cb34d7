//! `airinv convert`: a sheet laid out for people (an energy balance) and a
//! mapping → the tidy activity file, with a report that accounts for every
//! number cell of the sheet.
//!
//! Writes, atomically, `OUT` (the activity file), `OUT-stem.cells.csv` (every
//! non-empty number cell and subtotal remainder with its outcome) and
//! `OUT-stem.report.txt` (the report, whose summary is also printed).

use airinv::mapping::{self, report};
use airinv::{Error, output};
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The sheet: a CSV file or a workbook (xlsx, xls, ods).
    source: PathBuf,
    /// The mapping (TOML) saying how the sheet is laid out and where its lines and fuels go.
    #[arg(long, short)]
    mapping: PathBuf,
    /// The activity file to write (CSV); the report and the cell ledger are written beside it.
    #[arg(long, short)]
    out: PathBuf,
    /// The workbook sheet, if not the one the mapping names.
    #[arg(long)]
    sheet: Option<String>,
}

/// Converts and writes the activity file, the cell ledger and the report;
/// exit 1 when the conversion has findings.
pub fn run(opts: Args) -> Result<ExitCode> {
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
            )
            .into());
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
    print!("{summary}");
    for p in [&opts.out, &cells_path, &report_path] {
        println!("wrote {}", p.display());
    }
    Ok(if conversion.findings() == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} finding(s): unmapped cells that are not zero, or subtotals that differ from their parts (see the report)",
            conversion.findings()
        );
        ExitCode::from(1)
    })
}
