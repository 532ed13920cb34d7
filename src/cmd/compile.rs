//! `airinv compile`: an inventory folder (or one activity file) to the
//! Annex I workbook, its CSVs, the lineage and the run record.
//!
//! The pipeline (read → match factors → calculate → aggregate) is the
//! library's [`crate::compile`]; this command writes its result. Outputs are
//! written only when every input row was used (or `--keep-going` is given),
//! each file atomically.

use crate::activity::{Counts, Rejection};
use crate::annex1;
use crate::compile::{CompileOptions, CompileReport, Compiled, compute};
use crate::emission_factor;
use crate::error::Result;
use crate::inventory::Inventory;
use crate::lineage;
use crate::matching::FactorIndex;
use crate::output;
use std::path::{Path, PathBuf};

/// Runs a compile and writes its outputs.
pub fn run(opts: &CompileOptions) -> Result<CompileReport> {
    let compiled = compute(opts)?;
    write(opts, compiled)
}

/// Writes a compile's outputs: only the list of rejected rows when rows
/// were rejected (unless `keep_going`), else every output, atomically.
pub fn write(opts: &CompileOptions, compiled: Compiled) -> Result<CompileReport> {
    let Compiled {
        inventory: inv,
        mut report,
        tables,
        results,
        input_counts,
        user_files,
        index,
        country,
    } = compiled;
    // The whole set is written as one transaction (output::OutputDir): a
    // killed run leaves the old set, two runs cannot interleave, and no
    // input is written over.
    let mut inputs: Vec<PathBuf> = input_counts
        .iter()
        .map(|(s, _, _)| s.path.clone())
        .collect();
    inputs.extend(user_files.iter().cloned());
    inputs.extend(
        input_counts
            .iter()
            .filter_map(|(s, _, _)| s.mapping.clone()),
    );
    let mut out = output::OutputDir::open(&opts.out, &inputs)?;
    if !report.rejected.is_empty() {
        let rejected_path = out.file("rejected.csv")?;
        write_rejected(&rejected_path, &report.rejected)?;
        if !opts.keep_going {
            report.outputs = out.commit(None, false)?;
            return Ok(report);
        }
    }

    // Write.
    let xlsx = out.file("annex1.xlsx")?;
    annex1::write_xlsx(&xlsx, &tables, |wb| crate::trend::add_sheet(wb, &tables))?;
    for y in &tables {
        let p = out.file(&format!("annex1_{}.csv", y.header.year))?;
        output::write_atomically(&p, |w| annex1::write_csv(w, y))?;
    }
    let trend = out.file("annex1_trend.csv")?;
    output::write_atomically(&trend, |w| crate::trend::write_csv(w, &tables))?;
    let detail = out.file("detail.csv")?;
    output::write_atomically(&detail, |w| lineage::write(w, &results, opts.detail))?;
    let run_json = out.file("run.json")?;
    let record = run_record(
        &inv,
        &input_counts,
        &user_files,
        &index,
        &report,
        country.as_deref(),
    )?;
    output::write_atomically(&run_json, |w| {
        serde_json::to_writer_pretty(&mut *w, &record).map_err(std::io::Error::other)?;
        w.write_all(b"\n")
    })?;
    report.outputs = out.commit(Some("run.json"), true)?;
    report.written = true;
    Ok(report)
}

fn write_rejected(path: &Path, rejected: &[Rejection]) -> Result<()> {
    output::write_atomically(path, |w| {
        let mut c = output::csv_writer(w);
        c.write_record(["file", "sheet", "row", "column", "reason"])?;
        for r in rejected {
            // File names, sheet names and reasons quote what users typed.
            let record = [
                r.at.file.as_str(),
                r.at.sheet.as_deref().unwrap_or(""),
                &r.at.row.map(|n| n.to_string()).unwrap_or_default(),
                r.at.column.as_deref().unwrap_or(""),
                &r.reason,
            ];
            output::write_safe_record(&mut c, record)?;
        }
        c.flush()
    })
}

/// The SHA-256 of a file, as hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    crate::digest::file(path)
}

fn run_record(
    inv: &Inventory,
    inputs: &[(crate::inventory::ActivitySource, Counts, Option<String>)],
    user_files: &[PathBuf],
    index: &FactorIndex,
    report: &CompileReport,
    country: Option<&str>,
) -> Result<serde_json::Value> {
    let mut input_list = Vec::new();
    for (source, counts, sha256) in inputs {
        let mapping = match &source.mapping {
            Some(m) => serde_json::json!({
                "path": m.display().to_string(),
                "sha256": sha256_file(m)?,
            }),
            None => serde_json::Value::Null,
        };
        input_list.push(serde_json::json!({
            "path": source.path.display().to_string(),
            "sheet": source.sheet,
            "sha256": match sha256 {
                Some(h) => h.clone(),
                None => sha256_file(&source.path)?,
            },
            "mapping": mapping,
            "rows_read": counts.read,
            "rows_used_at_reading": counts.used,
            "rows_rejected_at_reading": counts.rejected,
            "empty_lines": counts.empty,
        }));
    }
    let mut factor_files = Vec::new();
    for f in user_files {
        factor_files.push(serde_json::json!({
            "path": f.display().to_string(),
            "sha256": sha256_file(f)?,
        }));
    }
    Ok(serde_json::json!({
        "program": "airinv",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "compile",
        "inventory": inv.name,
        "country": country,
        "years": report.years,
        "inputs": input_list,
        "factor_database": {
            "name": emission_factor::EMBEDDED_NAME,
            "source": "EMEP/EEA air pollutant emission inventory guidebook 2023, emission factor database export (EMEP_20260207.csv)",
            "sha256": crate::digest::bytes(emission_factor::EMBEDDED.as_bytes()),
            "factors": index.guidebook().len(),
        },
        "user_factor_files": factor_files,
        "user_factors": index.user().len(),
        "rows": {
            "read": report.counts.read,
            "used": report.counts.used,
            "rejected": report.counts.rejected,
            "empty_lines_skipped": report.counts.empty,
        },
        "adjustments": inv.adjustments,
        "rejected": report.rejected,
        "warnings": report.warnings,
    }))
}
