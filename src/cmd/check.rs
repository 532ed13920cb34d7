//! `airinv check`: the quality checks of [`airinv::check`] over an inventory
//! folder, an output folder or an Annex I workbook, as text (grouped), JSON
//! or CSV (every finding), and the recalculation table against a previous
//! submission.

use airinv::check::{self, Finding, Submission};
use airinv::output::Format;
use airinv::source::Source;
use anyhow::{Result, bail};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files) or an Annex I workbook.
    source: PathBuf,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The previous submission of the same years: list every cell that changed (recalculations).
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Write the recalculation table (every changed cell) to this CSV file.
    #[arg(long, requires = "previous")]
    recalculations: Option<PathBuf>,
}

/// What a check found.
struct CheckReport {
    source: PathBuf,
    years: Vec<i32>,
    findings: Vec<Finding>,
    /// The recalculation table written, if one was asked for.
    recalculations: Option<PathBuf>,
    /// The number of changed cells (with a previous submission).
    changed_cells: Option<usize>,
}

/// Loads the submissions, runs the checks and prints the findings; exit 1
/// when one is an error.
pub fn run(args: Args) -> Result<ExitCode> {
    let current = load(&args.source)?;
    let previous = args.previous.as_deref().map(load).transpose()?;
    if args.recalculations.is_some() && previous.is_none() {
        bail!(
            "{}: a recalculation table needs the previous submission: add --previous OLD_SOURCE",
            args.source.display()
        );
    }
    let findings = check::run(
        &current,
        &check::Options {
            previous: previous.as_ref(),
        },
    )?;
    let mut report = CheckReport {
        source: args.source.clone(),
        years: current.years.iter().map(|y| y.table.header.year).collect(),
        findings,
        recalculations: None,
        changed_cells: None,
    };
    if let Some(previous) = &previous {
        let r = check::recalculation::compare(previous, &current);
        report.changed_cells = Some(r.changes.len());
        if let Some(path) = &args.recalculations {
            airinv::output::write_atomically(path, |w| check::recalculation::write_csv(w, &r))?;
            report.recalculations = Some(path.clone());
        }
    }
    print!(
        "{}",
        match args.format {
            Format::Table => text(&report),
            Format::Json => json(&report),
            Format::Csv => csv(&report),
        }
    );
    let errors = report
        .findings
        .iter()
        .any(|f| f.severity == check::Severity::Error);
    Ok(if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn load(path: &Path) -> airinv::Result<Submission> {
    let (s, _) = Submission::from_source(&Source::open(path)?)?;
    if s.years.is_empty() {
        return Err(check::no_years(path));
    }
    Ok(s)
}

/// The findings as text, grouped: one line per check and template row
/// (`error: sum.pah, 1A3dii: 12 cells in 12 sheets (1990-2001), e.g. sheet
/// 1990, cell AB36: ...`), a finding alone in its group in full; then
/// counts. Every finding is in `--format json` and `--format csv`.
fn text(report: &CheckReport) -> String {
    let mut out = String::new();
    // Groups in the order of their first finding.
    let mut groups: Vec<(GroupKey, Vec<&Finding>)> = Vec::new();
    let mut index: std::collections::HashMap<GroupKey, usize> = std::collections::HashMap::new();
    for f in &report.findings {
        let key = (f.severity, f.check, f.code.as_deref());
        match index.get(&key) {
            Some(&i) => groups[i].1.push(f),
            None => {
                index.insert(key, groups.len());
                groups.push((key, vec![f]));
            }
        }
    }
    let mut grouped = false;
    for ((severity, id, code), members) in &groups {
        let first = members[0];
        let place = first.place();
        let place = match (place.is_empty(), first.year) {
            (false, _) => format!("{place}: "),
            (true, Some(y)) => format!("{y}: "),
            (true, None) => String::new(),
        };
        if members.len() == 1 {
            out.push_str(&format!("{severity}: {place}{} [{id}]\n", first.message));
            continue;
        }
        grouped = true;
        let sheets: std::collections::BTreeSet<&str> =
            members.iter().filter_map(|f| f.sheet.as_deref()).collect();
        let years: Vec<i32> = members.iter().filter_map(|f| f.year).collect();
        let cells = members.iter().filter(|f| f.cell.is_some()).count();
        let what = if cells == members.len() {
            format!("{} cells", members.len())
        } else {
            format!("{} findings", members.len())
        };
        let spread = match sheets.len() {
            0 => String::new(),
            1 => format!(" in sheet {}", sheets.iter().next().expect("one sheet")),
            n => format!(" in {n} sheets ({})", check::year_ranges(&years)),
        };
        out.push_str(&format!(
            "{severity}: {id}{}: {what}{spread}, e.g. {place}{}\n",
            code.map(|c| format!(", {c}")).unwrap_or_default(),
            first.message
        ));
    }
    if grouped {
        out.push_str(
            "(findings of one check and row are grouped; --format json or --format csv lists every one)\n",
        );
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

/// Findings are grouped by severity, check and template row.
type GroupKey<'a> = (check::Severity, &'a str, Option<&'a str>);

/// The findings as CSV for Excel users: one line each, with the columns
/// `severity,check,year,code,pollutant,sheet,cell,message` (texts that
/// Excel would take for a formula are written with a leading apostrophe).
fn csv(report: &CheckReport) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "severity",
        "check",
        "year",
        "code",
        "pollutant",
        "sheet",
        "cell",
        "message",
    ];
    let _ = w.write_record(header);
    for f in &report.findings {
        let year = f.year.map(|y| y.to_string()).unwrap_or_default();
        let safe = |s: &Option<String>| {
            airinv::output::csv_safe(s.as_deref().unwrap_or_default()).into_owned()
        };
        let _ = w.write_record([
            f.severity.as_str().to_string(),
            f.check.to_string(),
            year,
            safe(&f.code),
            safe(&f.pollutant),
            safe(&f.sheet),
            safe(&f.cell),
            airinv::output::csv_safe(&f.message).into_owned(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The findings as a JSON array of objects with the fields `severity`,
/// `check`, `year`, `code`, `pollutant`, `sheet`, `cell`, `message`.
fn json(report: &CheckReport) -> String {
    let mut s = serde_json::to_string_pretty(&report.findings).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
