//! `airinv import`: a filled Annex I workbook (a past submission) to
//! `annex1_<YEAR>.csv` for every year sheet, in the layout `compile`
//! writes, and `annex1.xlsx` written again as the official template.
//!
//! Every value cell is accounted for: the report gives, per sheet and in
//! all, cells read = numbers + keys + empty, and lists every value that was
//! not read (one line per block outside the table, one per cell that could
//! not be read) and every deviation from the template's layout that was
//! read around.

use airinv::workbook::{CellCounts, Skipped};
use airinv::{Source, annex1, output};
use anyhow::Result;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Annex I workbook (.xlsx), NFR 2019-1 or NFR 2014-2.
    workbook: PathBuf,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
}

/// What an import read and wrote.
#[derive(Debug, Clone, Default)]
struct ImportReport {
    /// One line per year sheet: sheet, year and its cell counts.
    sheets: Vec<String>,
    /// Sheets that are not year sheets, with the reason.
    other_sheets: Vec<(String, String)>,
    years: Vec<i32>,
    counts: CellCounts,
    skipped: Vec<Skipped>,
    notes: Vec<String>,
    /// Value cells that could not be read (Excel errors, texts that are
    /// neither a number nor a key), read as empty: one line each.
    unreadable: Vec<String>,
    /// Deviations from the template's layout that were read around, with
    /// whether numbers may be missing because of them (see
    /// [`airinv::workbook::Issue`]).
    issues: Vec<(bool, String)>,
    outputs: Vec<PathBuf>,
}

impl ImportReport {
    /// True when a value cell of the table could not be read (a row whose
    /// code is not a template row): the import is not the whole workbook.
    fn lost_data(&self) -> bool {
        self.skipped.iter().any(|s| s.in_table)
    }

    /// True when the CSVs were written but are not the whole workbook: a
    /// value not placed, a cell not read, a row or column missing. (Exit
    /// code 1: written, with findings.)
    fn has_findings(&self) -> bool {
        self.lost_data() || !self.unreadable.is_empty() || self.issues.iter().any(|(s, _)| *s)
    }
}

/// Reads the workbook, writes one CSV per year and the workbook again, and
/// says what was read; exit 1 when a value could not be placed.
pub fn run(args: Args) -> Result<ExitCode> {
    let report = import(&args.workbook, &args.out)?;
    print_report(&args.workbook, &report);
    if report.has_findings() {
        eprintln!(
            "error: the CSVs were written but lack what is listed above (values not placed, cells not read, rows or columns missing)"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn print_report(workbook: &Path, report: &ImportReport) {
    println!("read {}", workbook.display());
    for line in &report.sheets {
        println!("  {line}");
    }
    for (sheet, why) in &report.other_sheets {
        println!("  sheet {sheet}: not read, {why}");
    }
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    for s in &report.skipped {
        eprintln!("skipped: {}: {}", s.at, s.reason);
    }
    for u in &report.unreadable {
        eprintln!("unreadable: {u}");
    }
    for (serious, i) in &report.issues {
        eprintln!("{}: {i}", if *serious { "error" } else { "warning" });
    }
    for p in &report.outputs {
        println!("wrote {}", p.display());
    }
    let c = report.counts;
    println!(
        "cells read {} = numbers {} + keys {} + empty {}; cells with a value not read: {}",
        c.total(),
        c.numbers,
        c.keys,
        c.empty,
        report.skipped.iter().map(|s| s.cells).sum::<usize>()
    );
    if !report.unreadable.is_empty() {
        println!(
            "cells that could not be read (counted as empty): {}",
            report.unreadable.len()
        );
    }
}

fn import(path: &Path, out: &Path) -> Result<ImportReport> {
    let not_a_workbook = || {
        anyhow::anyhow!(
            "{}: Annex I workbooks are read from .xlsx (or .xlsm) files; open it in Excel or LibreOffice and save it as an .xlsx workbook",
            path.display()
        )
    };
    if path.is_file() && !airinv::sheet::is_workbook(path) {
        return Err(not_a_workbook());
    }
    let Source::Workbook(book) = Source::open(path)? else {
        return Err(not_a_workbook());
    };
    let mut report = ImportReport {
        other_sheets: book.other_sheets.clone(),
        counts: book.counts(),
        skipped: book.skipped.clone(),
        notes: book.notes.clone(),
        unreadable: book
            .unreadable
            .iter()
            .map(|u| format!("{}: {}", u.at, u.problem))
            .collect(),
        issues: book
            .issues
            .iter()
            .map(|i| (i.serious, format!("{}: {}", i.at, i.message)))
            .collect(),
        ..ImportReport::default()
    };
    for y in &book.years {
        let c = y.counts;
        report.sheets.push(format!(
            "sheet {}{}: year {}, {} cells = {} numbers + {} keys + {} empty",
            y.sheet,
            if y.template_version.is_empty() {
                String::new()
            } else {
                format!(" ({})", y.template_version)
            },
            y.table.header.year,
            c.total(),
            c.numbers,
            c.keys,
            c.empty
        ));
        report.years.push(y.table.header.year);
    }
    // One transaction (output::OutputDir); the workbook read is not
    // written over.
    let mut out = output::OutputDir::open(out, &[path.to_path_buf()])?;
    let mut tables: Vec<annex1::Annex1Year> = book.years.into_iter().map(|y| y.table).collect();
    tables.sort_by_key(|t| t.header.year);
    for t in &tables {
        let p = out.file(&format!("annex1_{}.csv", t.header.year))?;
        output::write_atomically(&p, |w| annex1::write_csv(w, t))?;
    }
    let xlsx = out.file("annex1.xlsx")?;
    annex1::write_xlsx(&xlsx, &tables, |_| Ok(()))?;
    // The run record, last: which workbook these tables come from, and what
    // was read of it (a folder holding it holds the whole set).
    output::write_json(&out.file("run.json")?, &ImportRecord::new(path, &report)?)?;
    report.outputs = out.commit(Some("run.json"), true)?;
    Ok(report)
}

/// The record of an import (`run.json`): the workbook (path, BLAKE3), its
/// year sheets with their cell counts, the sheets skipped and every value
/// not read.
#[derive(serde::Serialize)]
struct ImportRecord<'a> {
    program: &'static str,
    version: &'static str,
    command: &'static str,
    workbook: airinv::compile::FileRecord,
    years: &'a [i32],
    sheets: &'a [String],
    other_sheets: Vec<String>,
    cells: Cells,
    not_read: Vec<String>,
    layout_deviations: Vec<&'a str>,
}

/// The value cells read: numbers + keys + empty.
#[derive(serde::Serialize)]
struct Cells {
    read: usize,
    numbers: usize,
    keys: usize,
    empty: usize,
}

impl<'a> ImportRecord<'a> {
    fn new(workbook: &Path, report: &'a ImportReport) -> airinv::Result<ImportRecord<'a>> {
        let c = report.counts;
        Ok(ImportRecord {
            program: "airinv",
            version: env!("CARGO_PKG_VERSION"),
            command: "import",
            workbook: airinv::compile::FileRecord::of(workbook)?,
            years: &report.years,
            sheets: &report.sheets,
            other_sheets: report
                .other_sheets
                .iter()
                .map(|(sheet, why)| format!("{sheet}: {why}"))
                .collect(),
            cells: Cells {
                read: c.total(),
                numbers: c.numbers,
                keys: c.keys,
                empty: c.empty,
            },
            not_read: report
                .skipped
                .iter()
                .map(|s| format!("{}: {}", s.at, s.reason))
                .chain(report.unreadable.iter().cloned())
                .collect(),
            layout_deviations: report.issues.iter().map(|(_, m)| m.as_str()).collect(),
        })
    }
}
