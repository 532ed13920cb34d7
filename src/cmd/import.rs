//! `airinv import`: a filled Annex I workbook (a past submission) to
//! `annex1_<YEAR>.csv` for every year sheet, in the layout `compile`
//! writes, and `annex1.xlsx` written again as the official template.
//!
//! Every value cell is accounted for: the report gives, per sheet and in
//! all, cells read = numbers + keys + empty, and lists every value that was
//! not read (one line per block outside the table, one per cell that could
//! not be read) and every deviation from the template's layout that was
//! read around.

use crate::annex1;
use crate::error::Result;
use crate::output;
use crate::workbook::{self, CellCounts, Skipped};
use std::path::PathBuf;

/// What to import and where.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    pub workbook: PathBuf,
    pub out: PathBuf,
}

/// What an import read and wrote.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    /// One line per year sheet: sheet, year and its cell counts.
    pub sheets: Vec<String>,
    /// Sheets that are not year sheets, with the reason.
    pub other_sheets: Vec<(String, String)>,
    pub years: Vec<i32>,
    pub counts: CellCounts,
    pub skipped: Vec<Skipped>,
    pub notes: Vec<String>,
    /// Value cells that could not be read (Excel errors, texts that are
    /// neither a number nor a key), read as empty: one line each.
    pub unreadable: Vec<String>,
    /// Deviations from the template's layout that were read around, with
    /// whether numbers may be missing because of them (see
    /// [`workbook::Issue`]).
    pub issues: Vec<(bool, String)>,
    pub outputs: Vec<PathBuf>,
}

impl ImportReport {
    /// True when a value cell of the table could not be read (a row whose
    /// code is not a template row): the import is not the whole workbook.
    pub fn lost_data(&self) -> bool {
        self.skipped.iter().any(|s| s.in_table)
    }

    /// True when the CSVs were written but are not the whole workbook: a
    /// value not placed, a cell not read, a row or column missing. (Exit
    /// code 1: written, with findings.)
    pub fn has_findings(&self) -> bool {
        self.lost_data() || !self.unreadable.is_empty() || self.issues.iter().any(|(s, _)| *s)
    }
}

/// Reads the workbook and writes one CSV per year and the workbook again.
pub fn run(opts: &ImportOptions) -> Result<ImportReport> {
    let book = workbook::read(&opts.workbook)?;
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
    let mut out = output::OutputDir::open(&opts.out, std::slice::from_ref(&opts.workbook))?;
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
    output::write_json(&out.file("run.json")?, &ImportRecord::new(opts, &report)?)?;
    report.outputs = out.commit(Some("run.json"), true)?;
    Ok(report)
}

/// The record of an import (`run.json`): the workbook (path, SHA-256), its
/// year sheets with their cell counts, the sheets skipped and every value
/// not read.
#[derive(serde::Serialize)]
struct ImportRecord<'a> {
    program: &'static str,
    version: &'static str,
    command: &'static str,
    workbook: crate::compile::FileRecord,
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
    fn new(opts: &ImportOptions, report: &'a ImportReport) -> Result<ImportRecord<'a>> {
        let c = report.counts;
        Ok(ImportRecord {
            program: "airinv",
            version: env!("CARGO_PKG_VERSION"),
            command: "import",
            workbook: crate::compile::FileRecord::of(&opts.workbook)?,
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
