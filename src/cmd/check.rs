//! `airinv check`: the quality checks of [`crate::check`] over an inventory
//! folder, an output folder or an Annex I workbook, as text or JSON, and
//! the recalculation table against a previous submission.

use crate::check::{self, Finding, Submission};
use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// What to check.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// An inventory folder, an output folder, an `annex1_<YEAR>.csv` or an Annex I workbook.
    pub source: PathBuf,
    /// The previous submission of the same years.
    pub previous: Option<PathBuf>,
    /// Where to write the recalculation table (needs `previous`).
    pub recalculations: Option<PathBuf>,
}

/// What a check found.
#[derive(Debug, Clone)]
pub struct CheckReport {
    pub source: PathBuf,
    pub years: Vec<i32>,
    pub findings: Vec<Finding>,
    /// The recalculation table written, if one was asked for.
    pub recalculations: Option<PathBuf>,
    /// The number of changed cells (with a previous submission).
    pub changed_cells: Option<usize>,
}

impl CheckReport {
    pub fn has_errors(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.severity == check::Severity::Error)
    }
}

/// Loads the submissions and runs the checks.
pub fn run(opts: &CheckOptions) -> Result<CheckReport> {
    let current = load(&opts.source)?;
    let previous = match &opts.previous {
        Some(p) => Some(load(p)?),
        None => None,
    };
    if opts.recalculations.is_some() && previous.is_none() {
        return Err(Error::file(
            &opts.source,
            "a recalculation table needs the previous submission: add --previous OLD_SOURCE",
        ));
    }
    let findings = check::run(
        &current,
        &check::Options {
            previous: previous.as_ref(),
        },
    )?;
    let mut report = CheckReport {
        source: opts.source.clone(),
        years: current.years.iter().map(|y| y.table.header.year).collect(),
        findings,
        recalculations: None,
        changed_cells: None,
    };
    if let Some(previous) = &previous {
        let r = check::recalculation::compare(previous, &current);
        report.changed_cells = Some(r.changes.len());
        if let Some(path) = &opts.recalculations {
            crate::output::write_atomically(path, |w| check::recalculation::write_csv(w, &r))?;
            report.recalculations = Some(path.clone());
        }
    }
    Ok(report)
}

fn load(path: &Path) -> Result<Submission> {
    let s = Submission::load(path)?;
    if s.years.is_empty() {
        return Err(check::no_years(path));
    }
    Ok(s)
}

/// The findings as text: one line each, then counts.
pub fn text(report: &CheckReport) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let place = f.place();
        let place = match (place.is_empty(), f.year) {
            (false, _) => format!("{place}: "),
            (true, Some(y)) => format!("{y}: "),
            (true, None) => String::new(),
        };
        out.push_str(&format!(
            "{}: {place}{} [{}]\n",
            f.severity, f.message, f.check
        ));
    }
    let c = check::counts(&report.findings);
    let mut by_check: std::collections::BTreeMap<(check::Severity, &str), usize> =
        std::collections::BTreeMap::new();
    for f in &report.findings {
        *by_check.entry((f.severity, f.check)).or_default() += 1;
    }
    out.push_str(&format!(
        "{}: {} year(s) ({}) checked: {} error(s), {} warning(s), {} info(s)\n",
        report.source.display(),
        report.years.len(),
        check::year_ranges(&report.years),
        c.errors,
        c.warnings,
        c.infos
    ));
    for ((severity, id), n) in by_check {
        out.push_str(&format!("  {n:>6} {severity:<7} {id}\n"));
    }
    if let Some(n) = report.changed_cells {
        out.push_str(&format!(
            "{n} cell(s) changed since the previous submission\n"
        ));
    }
    if let Some(p) = &report.recalculations {
        out.push_str(&format!("wrote {}\n", p.display()));
    }
    out
}

/// The findings as a JSON array of objects with the fields `severity`,
/// `check`, `year`, `code`, `pollutant`, `sheet`, `cell`, `message`.
pub fn json(report: &CheckReport) -> String {
    let mut s = serde_json::to_string_pretty(&report.findings).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
