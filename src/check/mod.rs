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
//! | recalculations | [`recalculation`] | `recalculation.changed`, `recalculation.years` |
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
//! Tables of inventory and output folders hold exact decimals, so their sums
//! must match exactly. Workbook cells are IEEE doubles that Excel adds in
//! double arithmetic: `=SUM(E14:E140)` can differ from the exact sum of the
//! same 127 cells in the 15th or 16th significant digit. For workbooks a
//! value is therefore accepted when it is within [`WORKBOOK_TOLERANCE`]
//! (10⁻⁹) times the magnitude of the quantities compared (for a sum, the sum
//! of their absolute values): 65 g in a national total of 65 kt, a million
//! times above the rounding of doubles and far below any real error.

pub mod completeness;
pub mod consistency;
pub mod implied_factors;
pub mod notation_keys;
pub mod recalculation;
pub mod sums;
pub mod time_series;

use crate::annex1::Annex1Year;
use crate::error::{Error, Result};
use crate::inventory::KeyOverride;
use crate::nfr::Row;
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;
use crate::source::{UnreadableCell, YearTable};
use rust_decimal::Decimal;
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
        let cell = if column.contains(':') {
            let (a, b) = column.split_once(':').unwrap_or((column, column));
            format!("{a}{n}:{b}{n}", n = row.number)
        } else {
            format!("{column}{}", row.number)
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
}

impl Submission {
    /// Loads an inventory folder, an output folder, one `annex1_<YEAR>.csv`
    /// or an Annex I workbook.
    pub fn load(path: &Path) -> Result<Submission> {
        if path.is_dir() && path.join("inventory.toml").exists() {
            let inventory = crate::inventory::Inventory::load(path)?;
            return Ok(Submission {
                path: path.to_path_buf(),
                kind: Kind::Inventory,
                years: crate::source::load(path)?,
                key_overrides: inventory.keys,
                unreadable: Vec::new(),
            });
        }
        if crate::sheet::is_workbook(path) {
            return Ok(Submission {
                path: path.to_path_buf(),
                kind: Kind::Workbook,
                years: crate::source::load(path)?,
                key_overrides: Vec::new(),
                unreadable: Vec::new(),
            });
        }
        let (years, unreadable) = crate::source::load_annex_csvs_lenient(path)?;
        Ok(Submission {
            path: path.to_path_buf(),
            kind: Kind::AnnexCsv,
            years,
            key_overrides: Vec::new(),
            unreadable,
        })
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
        }
    }

    /// The tolerance of sums and comparisons for this kind of source.
    pub fn tolerance(&self) -> Tolerance {
        match self.kind {
            Kind::Workbook => Tolerance::workbook(),
            _ => Tolerance::exact(),
        }
    }

    /// The sheet name of a year: the workbook's sheet when the table was
    /// read from one (`origin` ends with `, sheet <name>`), else the year,
    /// as `annex1.xlsx` names its sheets.
    pub fn sheet_name(&self, t: &YearTable) -> String {
        if self.kind == Kind::Workbook
            && let Some((_, sheet)) = t.origin.rsplit_once(", sheet ")
        {
            return sheet.to_string();
        }
        t.table.header.year.to_string()
    }
}

/// The relative tolerance of workbook values (see the module documentation).
pub const WORKBOOK_TOLERANCE: Decimal = Decimal::from_parts(1, 0, 0, false, 9);

/// How far apart two values may be and still count as equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tolerance {
    /// Relative to the magnitude of the quantities compared.
    pub relative: Decimal,
}

impl Tolerance {
    pub fn exact() -> Tolerance {
        Tolerance {
            relative: Decimal::ZERO,
        }
    }

    pub fn workbook() -> Tolerance {
        Tolerance {
            relative: WORKBOOK_TOLERANCE,
        }
    }

    /// The allowed difference for quantities of a magnitude.
    pub fn allowance(self, magnitude: Decimal) -> Decimal {
        self.relative
            .checked_mul(magnitude.abs())
            .unwrap_or(Decimal::MAX)
    }

    /// True when `a` and `b` are equal within the tolerance, for quantities
    /// whose magnitude (sum of absolute values) is `magnitude`.
    pub fn same(self, a: Decimal, b: Decimal, magnitude: Decimal) -> bool {
        match a.checked_sub(b) {
            Some(d) => d.abs() <= self.allowance(magnitude),
            None => false,
        }
    }

    /// True when `a ≤ b` within the tolerance.
    pub fn at_most(self, a: Decimal, b: Decimal) -> bool {
        a <= b || self.same(a, b, a.abs().max(b.abs()))
    }
}

/// One year of a submission as the checks see it.
#[derive(Debug, Clone)]
pub struct YearView<'a> {
    pub table: &'a Annex1Year,
    /// The sheet name findings name.
    pub sheet: String,
}

impl YearView<'_> {
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

/// The largest magnitude a checked value may have: larger ones are reported
/// (`consistency.magnitude`) and left out of the other checks, so that no
/// sum of a table can leave the range of exact decimals.
/// 10^20 = 0x5_6BC7_5E2D_6310_0000.
pub const MAX_MAGNITUDE: Decimal = Decimal::from_parts(0x6310_0000, 0x6BC7_5E2D, 0x5, false, 0);

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
    let views: Vec<YearView> = submission
        .years
        .iter()
        .zip(&tables)
        .map(|(t, table)| YearView {
            table,
            sheet: submission.sheet_name(t),
        })
        .collect();
    let tol = submission.tolerance();
    completeness::check(&views, submission, &mut findings);
    notation_keys::check(&views, submission, &guidebook, &mut findings);
    sums::check(&views, tol, &mut findings);
    consistency::check(&views, tol, &mut findings);
    implied_factors::check(&views, &guidebook, &mut findings);
    time_series::check(&views, &mut findings);
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

/// A ratio for messages, rounded to a number of significant digits
/// (a value computed by the check, not a cell).
pub(crate) fn show_rounded(d: Decimal, significant: u32) -> String {
    if d.is_zero() {
        return "0".to_string();
    }
    let magnitude = d.abs().log10_floor();
    let places = (significant as i64 - 1 - magnitude).clamp(0, 28) as u32;
    crate::number::format_decimal(d.round_dp(places))
}

/// `floor(log10(|d|))` of a non-zero decimal, exactly.
trait Log10Floor {
    fn log10_floor(&self) -> i64;
}

impl Log10Floor for Decimal {
    fn log10_floor(&self) -> i64 {
        let digits = self.mantissa().unsigned_abs().to_string().len() as i64;
        digits - 1 - self.scale() as i64
    }
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
    fn workbook_tolerance_is_one_billionth_of_the_magnitude() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(WORKBOOK_TOLERANCE, d("0.000000001"));
        assert_eq!(MAX_MAGNITUDE, d("100000000000000000000"));
        let t = Tolerance::workbook();
        // 64.8778294491422 (Excel) against an exact sum differing at 1e-14.
        assert!(t.same(d("64.8778294491422"), d("64.87782944914221"), d("65")));
        assert!(!t.same(d("64.8778"), d("64.8779"), d("65")));
        assert!(!Tolerance::exact().same(d("1"), d("1.0000000000001"), d("1")));
        assert!(t.at_most(d("0.30000000000000004"), d("0.3")));
        assert!(!Tolerance::exact().at_most(d("0.30000000000000004"), d("0.3")));
    }

    #[test]
    fn rounded_display_keeps_significant_digits() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        assert_eq!(show_rounded(d("150.23456"), 4), "150.2");
        assert_eq!(show_rounded(d("0.000123456"), 3), "0.000123");
        assert_eq!(show_rounded(d("123456"), 2), "123456");
        assert_eq!(show_rounded(d("-2.345"), 2), "-2.3");
    }
}
