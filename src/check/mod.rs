//! Quality checks of an inventory before submission (`airinv check`).
//!
//! CEIP reviews every submission (Stage 1: completeness and format; Stage 2:
//! consistency, time series, recalculations) and sends its findings back
//! weeks later. These checks run the same kinds of tests offline, over the
//! Annex I tables of a [`Submission`]: an inventory folder (compiled in
//! memory), an output folder of `annex1_<YEAR>.csv` files, or an Annex I
//! workbook.
//!
//! Each [`Finding`] has a severity, a check id, the year, the row code, the
//! pollutant, the sheet and cell of the template where there is one, and a
//! sentence saying what is wrong and what to do. Cells are named as in the
//! Annex I workbook: the sheet of the year and the template cell (`E14` is
//! 1A1a NOx); for an output folder that is the cell of `annex1.xlsx` beside
//! the CSVs, for an inventory folder the cell `airinv compile` writes.
//!
//! | family | module | check ids |
//! |---|---|---|
//! | completeness (CEIP Stage 1) | [`completeness`] | `completeness.empty`, `completeness.activity-empty` |
//! | notation keys | [`notation_keys`] | `notation-key.invalid`, `notation-key.nr`, `notation-key.ie-target`, `notation-key.ie-unexplained`, `notation-key.ne-tier1` |
//! | sums | [`sums`] | `sum.national-total`, `sum.pah`, `sum.compliance` |
//! | physical consistency | [`consistency`] | `consistency.pm-order`, `consistency.negative`, `consistency.adjustment`, `consistency.magnitude` |
//! | implied emission factors | [`implied_factors`] | `implied-factor.outside-interval` |
//! | time series (CEIP Stage 2) | [`time_series`] | `time-series.dip-jump`, `time-series.large-sigma` |
//! | activity-data time series | [`activity_breaks`] | `time-series.activity-break` |
//! | recalculations | [`recalculation`] | `recalculation.changed`, `recalculation.years` |
//! | gap fills (inventory folders) | [`gap_fills`] | `gap-fill.filled` |
//! | activity without a factor (inventory folders) | [`without_factor`] | `completeness.activity-without-factor` |
//! | reclassifications in the statistics | [`reclassification`] | `time-series.reclassification`, `splice.reallocated`, `splice.kept` |
//!
//! Severities: **error** for what CEIP would reject or a number that cannot
//! be right (an empty required cell, a text that is not a key, a total that
//! is not the sum of its rows, PM2.5 above PM10, a negative emission);
//! **warning** for what needs a look (a dip or jump, an implied factor
//! outside the Guidebook's interval, NR where reporting is required);
//! **info** for what to know (NE where the Guidebook has a Tier 1 factor,
//! IE that a workbook cannot explain, the recalculations).
//!
//! # Tolerance
//!
//! An inventory folder is compiled in memory into exact decimals, so its
//! sums must match exactly and values are compared as they are.
//!
//! Tables read from files are compared **as Excel shows them**
//! ([`Tolerance::workbook`]): workbook cells are IEEE doubles, and
//! `annex1_<YEAR>.csv` files may hold them too (written by `airinv import`)
//! or values rounded by hand. (Tables `airinv compile` wrote add up exactly
//! and pass either way.)
//! - each value is taken to its 15 significant digits, Excel's precision
//!   (the 16th and 17th digits of a double are the noise of binary
//!   arithmetic: `=SUM` of 0.1 and 0.2 gives 0.30000000000000004);
//! - a total is accepted when it differs from the exact sum of its terms by
//!   no more than the rounding of the values involved: half a unit in the
//!   last decimal place each of them shows (a value written 0.00386257154
//!   stands for anything within ±0.000000000005; whole numbers such as 0 or
//!   14 are taken as exact), or by less than one millionth of the
//!   quantities summed ([`IMMATERIAL`]: 65 kg in a national total of 65 kt;
//!   no estimate is that precise, and such differences come from values
//!   rounded before they were typed or pasted). Beyond both, a total that is
//!   not the sum of its rows is reported;
//! - values compared in order (PM2.5 ≤ PM10) or for change (recalculations)
//!   are compared at 15 significant digits, with no further allowance.

pub mod activity_breaks;
pub mod completeness;
pub mod consistency;
pub mod gap_fills;
pub mod implied_factors;
pub mod notation_keys;
pub mod recalculation;
pub mod reclassification;
pub mod sums;
pub mod time_series;
pub mod without_factor;

use crate::annex1::Annex1Year;
use crate::compile::Compiled;
use crate::error::{Error, Result};
use crate::inventory::KeyOverride;
use crate::nfr::Row;
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use crate::source::{Source, UnreadableCell, YearTable};
use crate::workbook::CellMap;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl std::fmt::Display for Severity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of a check.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// The check id (`sum.national-total`).
    pub check: &'static str,
    pub year: Option<i32>,
    /// The template row's code (`1A1a`, `NATIONAL TOTAL`).
    pub code: Option<String>,
    /// The pollutant id (`PM2.5`), when the finding is about one pollutant.
    pub pollutant: Option<String>,
    /// The sheet of the workbook (the year's sheet).
    pub sheet: Option<String>,
    /// The A1 cell (`E14`) or range (`E15:AD15`) of the template.
    pub cell: Option<String>,
    /// What is wrong and what to do.
    pub message: String,
    /// Template row and column index, to sort findings as the sheet reads.
    #[serde(skip)]
    order: (u32, u16),
}

impl Finding {
    /// A finding about a whole submission (no year, row or cell).
    pub fn new(severity: Severity, check: &'static str, message: impl Into<String>) -> Finding {
        Finding {
            severity,
            check,
            year: None,
            code: None,
            pollutant: None,
            sheet: None,
            cell: None,
            message: message.into(),
            order: (0, 0),
        }
    }

    /// A finding about a cell (or a range of a row) of a year.
    pub fn at(
        severity: Severity,
        check: &'static str,
        year: &YearView,
        row: &Row,
        column: &str,
        message: impl Into<String>,
    ) -> Finding {
        let first = column.split(':').next().unwrap_or(column);
        let cell = match column.split_once(':') {
            Some((a, b)) => format!("{}:{}", year.cell_ref(row, a), year.cell_ref(row, b)),
            None => year.cell_ref(row, column),
        };
        Finding {
            severity,
            check,
            year: Some(year.year()),
            code: Some(row.code.clone()),
            pollutant: None,
            sheet: Some(year.sheet.clone()),
            cell: Some(cell),
            message: message.into(),
            order: (row.number, crate::annex1::column_index(first)),
        }
    }

    /// A finding about a year as a whole.
    pub fn year_only(
        severity: Severity,
        check: &'static str,
        year: &YearView,
        message: impl Into<String>,
    ) -> Finding {
        let mut f = Finding::new(severity, check, message);
        f.year = Some(year.year());
        f.sheet = Some(year.sheet.clone());
        f
    }

    pub fn with_pollutant(mut self, p: Pollutant) -> Finding {
        self.pollutant = Some(p.id().to_string());
        self
    }

    /// Where the finding is, as a compiler reads it: `sheet 2019, cell E14`.
    pub fn place(&self) -> String {
        match (&self.sheet, &self.cell) {
            (Some(s), Some(c)) => format!("sheet {s}, cell {c}"),
            (Some(s), None) => format!("sheet {s}"),
            (None, Some(c)) => format!("cell {c}"),
            (None, None) => String::new(),
        }
    }
}

/// Where the tables of a submission come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An inventory folder, compiled in memory.
    Inventory,
    /// `annex1_<YEAR>.csv` files (an output folder or one file).
    AnnexCsv,
    /// An Annex I workbook: cells are IEEE doubles.
    Workbook,
}

/// The tables checked and what is known about where they come from.
#[derive(Debug, Clone)]
pub struct Submission {
    pub path: PathBuf,
    pub kind: Kind,
    /// Every year, in year order.
    pub years: Vec<YearTable>,
    /// The notation keys of inventory.toml (inventory folders only): where
    /// each IE is included.
    pub key_overrides: Vec<KeyOverride>,
    /// Cells whose text is neither a number nor a notation key; they are
    /// read as empty and reported by [`notation_keys`].
    pub unreadable: Vec<UnreadableCell>,
    /// Where each year's cells are in a workbook (its layout may differ
    /// from NFR 2019-1's), by year.
    pub cell_maps: BTreeMap<i32, CellMap>,
    /// Findings made while reading: values a workbook holds outside the
    /// table, numbers stored as text.
    pub reading: Vec<Finding>,
    /// The reclassifications inventory.toml declares (`[[splice]]`;
    /// inventory folders only).
    pub splices: Vec<crate::splice::Splice>,
}

impl Submission {
    /// The submission of a source (see [`Source::open`]), with the compile
    /// of an inventory folder (its lineage), so that a command that needs
    /// both compiles it once.
    pub fn from_source(source: &Source) -> Result<(Submission, Option<Compiled>)> {
        let path = source.path().to_path_buf();
        match source {
            Source::Inventory(inventory) | Source::ActivityFile(inventory) => {
                let mut reading = gap_fills::findings(inventory)?;
                let tables = source.tables()?;
                if let Some(compiled) = &tables.compiled {
                    reading.extend(without_factor::findings(&compiled.report.without_factor));
                }
                let splices = match &tables.compiled {
                    Some(c) => {
                        reading.extend(reclassification::declared(
                            &c.report.splices,
                            &c.report.spliced,
                        ));
                        c.report.splices.clone()
                    }
                    None => Vec::new(),
                };
                let submission = Submission {
                    path,
                    kind: Kind::Inventory,
                    years: tables.years,
                    key_overrides: inventory.keys.clone(),
                    unreadable: Vec::new(),
                    cell_maps: BTreeMap::new(),
                    reading,
                    splices,
                };
                Ok((submission, tables.compiled))
            }
            Source::OutputFolder(csvs) | Source::AnnexCsv(csvs) => Ok((
                Submission {
                    path,
                    kind: Kind::AnnexCsv,
                    years: csvs.years.clone(),
                    key_overrides: Vec::new(),
                    unreadable: csvs.unreadable.clone(),
                    cell_maps: BTreeMap::new(),
                    reading: Vec::new(),
                    splices: Vec::new(),
                },
                None,
            )),
            Source::Workbook(book) => Ok((Submission::of_workbook(book), None)),
        }
    }

    /// An Annex I workbook, read leniently: cells that are neither a number
    /// nor a key, values outside the table and numbers stored as text
    /// become findings rather than stopping the check.
    fn of_workbook(book: &crate::workbook::Workbook) -> Submission {
        let path = &book.path;
        let mut reading = Vec::new();
        for s in &book.skipped {
            let (severity, what) = if s.in_table {
                (
                    Severity::Error,
                    "they are not in the Annex I table airinv reads, so they are not checked; give the row the NFR code of a template row",
                )
            } else {
                (Severity::Info, "they are not part of the Annex I table")
            };
            let mut f = Finding::new(
                severity,
                "format.outside-table",
                format!("{}; {what}", s.reason),
            );
            f.sheet = s.at.sheet.clone();
            f.cell = Some(s.range.clone()).filter(|r| !r.is_empty());
            reading.push(f);
        }
        for i in &book.issues {
            let mut f = Finding::new(
                if i.serious {
                    Severity::Error
                } else {
                    Severity::Warning
                },
                i.check,
                i.message.clone(),
            );
            f.sheet = i.at.sheet.clone();
            f.cell = i.cell.clone().or_else(|| i.at.cell());
            if f.cell.is_none() {
                f.message = format!("{}: {}", i.at, i.message);
            }
            reading.push(f);
        }
        for (sheet, why) in &book.other_sheets {
            let mut f = Finding::new(
                Severity::Info,
                "format.other-sheet",
                format!("not an Annex I year sheet, skipped: {why}"),
            );
            f.sheet = Some(sheet.clone());
            reading.push(f);
        }
        for note in &book.notes {
            reading.push(Finding::new(Severity::Info, "format.note", note.clone()));
        }
        let unreadable = book
            .unreadable
            .iter()
            .map(|u| UnreadableCell {
                at: u.at.clone(),
                year: u.year,
                row: u.template_row,
                column: u.column.template_letter().to_string(),
                text: u.text.clone(),
                problem: u.problem.clone(),
            })
            .collect();
        let cell_maps: BTreeMap<i32, CellMap> = book
            .years
            .iter()
            .map(|y| (y.table.header.year, y.cells.clone()))
            .collect();
        // Findings on a year sheet carry its year.
        for f in &mut reading {
            f.year = f.sheet.as_ref().and_then(|sheet| {
                cell_maps
                    .iter()
                    .find(|(_, m)| &m.sheet == sheet)
                    .map(|(y, _)| *y)
            });
        }
        Submission {
            path: path.to_path_buf(),
            kind: Kind::Workbook,
            years: crate::source::workbook_years(book),
            key_overrides: Vec::new(),
            unreadable,
            cell_maps,
            reading,
            splices: Vec::new(),
        }
    }

    /// A submission of tables made in memory (tests, other commands).
    pub fn from_tables(kind: Kind, tables: Vec<Annex1Year>) -> Submission {
        Submission {
            path: PathBuf::new(),
            kind,
            years: tables
                .into_iter()
                .map(|table| YearTable {
                    origin: format!("table of {}", table.header.year),
                    table,
                    file: None,
                })
                .collect(),
            key_overrides: Vec::new(),
            unreadable: Vec::new(),
            cell_maps: BTreeMap::new(),
            reading: Vec::new(),
            splices: Vec::new(),
        }
    }

    /// One year as the checks see it.
    pub fn view<'a>(&'a self, t: &YearTable, table: &'a Annex1Year) -> YearView<'a> {
        YearView {
            table,
            sheet: self.sheet_name(t),
            map: self.cell_maps.get(&t.table.header.year),
        }
    }

    /// The tolerance of sums and comparisons for this kind of source: exact
    /// for an inventory compiled in memory; as Excel shows them for tables
    /// read from files (a workbook's doubles, and CSVs, which may hold them
    /// after `airinv import` or values typed and rounded by hand).
    pub fn tolerance(&self) -> Tolerance {
        match self.kind {
            Kind::Inventory => Tolerance::exact(),
            Kind::Workbook | Kind::AnnexCsv => Tolerance::workbook(),
        }
    }

    /// The sheet name of a year: the workbook's sheet when the table was
    /// read from one, else the year, as `annex1.xlsx` names its sheets.
    pub fn sheet_name(&self, t: &YearTable) -> String {
        match self.cell_maps.get(&t.table.header.year) {
            Some(map) => map.sheet.clone(),
            None => t.table.header.year.to_string(),
        }
    }
}

/// Excel's precision: the significant digits it shows and computes with.
pub const EXCEL_DIGITS: u32 = 15;

/// A difference between a workbook total and the sum of its terms below
/// this share of the quantities summed (one millionth) is not reported: no
/// emission estimate is that precise, and such differences come from values
/// rounded before they were typed or pasted.
pub const IMMATERIAL: Decimal = Decimal::from_parts(1, 0, 0, false, 6);

/// How values are compared (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tolerance {
    /// Exact decimals, compared as they are.
    Exact,
    /// Workbook doubles, compared as Excel shows them.
    AsExcelShows,
}

impl Tolerance {
    pub fn exact() -> Tolerance {
        Tolerance::Exact
    }

    pub fn workbook() -> Tolerance {
        Tolerance::AsExcelShows
    }

    /// The value as it is compared: itself, or its 15 significant digits.
    pub fn shown(self, v: Decimal) -> Decimal {
        match self {
            Tolerance::Exact => v,
            Tolerance::AsExcelShows => v.round_sf(EXCEL_DIGITS).unwrap_or(v).normalize(),
        }
    }

    /// The rounding a value may carry: none for exact values and whole
    /// numbers (0, 14), else half a unit in the last decimal place it shows.
    pub fn rounding(self, v: Decimal) -> Decimal {
        let shown = self.shown(v);
        if self == Tolerance::Exact || shown.fract().is_zero() {
            return Decimal::ZERO;
        }
        let places = shown.scale() + 1;
        if places > 28 {
            Decimal::ZERO
        } else {
            Decimal::new(5, places)
        }
    }

    /// True when a reported total matches the exact sum of its terms:
    /// exactly, or for workbooks within the rounding of the total and of
    /// each term, or within [`IMMATERIAL`] of the quantities summed.
    pub fn sum_matches(self, reported: Decimal, expected: Decimal, terms: &[Decimal]) -> bool {
        let Some(difference) = reported.checked_sub(expected) else {
            return false;
        };
        if self == Tolerance::Exact {
            return difference.is_zero();
        }
        let rounding = terms
            .iter()
            .chain(std::iter::once(&reported))
            .try_fold(Decimal::ZERO, |acc, t| acc.checked_add(self.rounding(*t)))
            .unwrap_or(Decimal::MAX);
        let magnitude = terms
            .iter()
            .try_fold(Decimal::ZERO, |acc, t| acc.checked_add(t.abs()))
            .unwrap_or(Decimal::MAX);
        let immaterial = magnitude.checked_mul(IMMATERIAL).unwrap_or(Decimal::MAX);
        difference.abs() <= rounding.max(immaterial)
    }

    /// True when `a ≤ b` as compared.
    pub fn at_most(self, a: Decimal, b: Decimal) -> bool {
        self.shown(a) <= self.shown(b)
    }

    /// True when `a` and `b` are equal as compared.
    pub fn equal(self, a: Decimal, b: Decimal) -> bool {
        self.shown(a) == self.shown(b)
    }
}

/// One year of a submission as the checks see it.
#[derive(Debug, Clone)]
pub struct YearView<'a> {
    pub table: &'a Annex1Year,
    /// The sheet name findings name.
    pub sheet: String,
    /// Where the template's cells are in the workbook, when it was read
    /// from one; else cells are the template's (`E14`).
    pub map: Option<&'a CellMap>,
}

impl YearView<'_> {
    /// A year of a table made in memory or read from CSV.
    pub fn plain(table: &Annex1Year, sheet: impl Into<String>) -> YearView<'_> {
        YearView {
            table,
            sheet: sheet.into(),
            map: None,
        }
    }

    /// The A1 reference of a template cell (row, column letter) in this
    /// year's sheet.
    pub fn cell_ref(&self, row: &Row, column: &str) -> String {
        let mapped = self.map.and_then(|m| {
            let c = crate::workbook::Column::all()
                .into_iter()
                .find(|c| c.template_letter() == column)?;
            m.cell(row.number, c)
        });
        mapped.unwrap_or_else(|| format!("{column}{}", row.number))
    }

    pub fn year(&self) -> i32 {
        self.table.header.year
    }

    pub fn cell(&self, row: &Row, p: Pollutant) -> Cell {
        self.table
            .rows
            .get(&row.number)
            .map(|c| c.get(p))
            .unwrap_or_default()
    }
}

/// What `airinv check` compares a submission with.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    /// An earlier submission of the same years, for the recalculation table.
    pub previous: Option<&'a Submission>,
}

/// Runs every check over a submission. Findings are in a fixed order:
/// severity, year, template row, column, check.
pub fn run(submission: &Submission, options: &Options) -> Result<Vec<Finding>> {
    let guidebook = implied_factors::Tier1::embedded()?;
    let mut findings = Vec::new();
    let (tables, magnitude) = consistency::within_magnitude(submission);
    findings.extend(magnitude);
    findings.extend(submission.reading.iter().cloned());
    let views: Vec<YearView> = submission
        .years
        .iter()
        .zip(&tables)
        .map(|(t, table)| submission.view(t, table))
        .collect();
    let tol = submission.tolerance();
    completeness::check(&views, submission, &mut findings);
    notation_keys::check(&views, submission, &guidebook, &mut findings);
    sums::check(&views, tol, &mut findings);
    consistency::check(&views, tol, &mut findings);
    implied_factors::check(&views, &guidebook, &mut findings);
    time_series::check(&views, &mut findings);
    activity_breaks::check(&views, &mut findings);
    reclassification::check(&views, &submission.splices, &mut findings);
    if let Some(previous) = options.previous {
        findings.extend(recalculation::findings(&recalculation::compare(
            previous, submission,
        )));
    }
    sort(&mut findings);
    Ok(findings)
}

/// Sorts findings: severity, year, row, column, check.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.severity, a.year, a.order, a.check, &a.pollutant).cmp(&(
            b.severity,
            b.year,
            b.order,
            b.check,
            &b.pollutant,
        ))
    });
}

/// Counts of findings by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match f.severity {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
    c
}

/// A list of years as ranges: `1990-1999, 2003, 2005-2006`.
pub fn year_ranges(years: &[i32]) -> String {
    let mut ys = years.to_vec();
    ys.sort_unstable();
    ys.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ys.len() {
        let start = ys[i];
        let mut end = start;
        while i + 1 < ys.len() && ys[i + 1] == end + 1 {
            i += 1;
            end = ys[i];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    parts.join(", ")
}

/// A decimal for messages: exact, without trailing zeros.
pub(crate) fn show(d: Decimal) -> String {
    crate::number::format_decimal(d)
}

/// An error for a submission that has no year to check.
pub fn no_years(path: &Path) -> Error {
    Error::file(path, "has no year to check")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_lists_read_as_ranges() {
        assert_eq!(
            year_ranges(&[1990, 1991, 1992, 2003, 2005, 2006]),
            "1990-1992, 2003, 2005-2006"
        );
        assert_eq!(year_ranges(&[2022]), "2022");
        assert_eq!(year_ranges(&[]), "");
    }

    #[test]
    fn workbooks_are_compared_as_excel_shows_them() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(crate::number::MAX_MAGNITUDE, d("100000000000000000000"));
        let t = Tolerance::workbook();
        // Doubles: the 16th-17th digits are noise.
        assert_eq!(t.shown(d("0.30000000000000004")), d("0.3"));
        assert!(t.at_most(d("0.30000000000000004"), d("0.3")));
        assert!(t.equal(d("0.0000045572999999999995"), d("0.0000045573")));
        assert!(!t.equal(d("3.2"), d("3.3")));
        assert!(!Tolerance::exact().at_most(d("0.30000000000000004"), d("0.3")));
        // Rounding: half a unit in the last decimal place shown.
        assert_eq!(t.rounding(d("0.00386257154")), d("0.000000000005"));
        assert_eq!(t.rounding(d("0.0014317283999999999")), d("0.00000000005"));
        assert_eq!(t.rounding(d("0")), d("0"));
        assert_eq!(t.rounding(d("31")), d("0"));
        assert_eq!(t.rounding(d("31.5")), d("0.05"));
        assert_eq!(Tolerance::exact().rounding(d("0.1")), d("0"));
        // Wallonia 1990, 1A1a PAH1-4 (AB14): the four PAHs written with 10
        // and 11 decimals sum to 0.00386257158, the total shows 0.00386257154:
        // within the allowance 4 × 0.000000000005 + 0.00000000005.
        let four = [
            d("0.00031180507999999997"),
            d("0.00178186014"),
            d("0.0014317283999999999"),
            d("0.00033717796"),
        ];
        let sum: Decimal = four.iter().sum();
        assert!(t.sum_matches(d("0.00386257154"), sum, &four));
        assert!(!Tolerance::exact().sum_matches(d("0.00386257154"), sum, &four));
        // 1A3dii 1990 (AB36): 0.000632688 against 0.0006329232 is an error.
        let four = [
            d("0.00027518400000000004"),
            d("0.00027518400000000004"),
            d("0.0000550368"),
            d("0.0000275184"),
        ];
        let sum: Decimal = four.iter().sum();
        assert!(!t.sum_matches(d("0.000632688"), sum, &four));
        // A millionth of the magnitude is immaterial: 17.064292900340003
        // against 17.0642928998100018 (2C1, 1990) passes; a thousandth not.
        let four = [d("17.0642928998100018")];
        assert!(t.sum_matches(d("17.064292900340003"), four[0], &four));
        assert!(!t.sum_matches(d("17.08"), four[0], &four));
    }
}
