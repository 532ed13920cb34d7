//! Comparing a year with the protocols' base years: for each protocol
//! pollutant, the base-year and year-Y emissions, the change, the
//! commitment, the gap (what is still to cut, or the margin) and whether it
//! is met; and each sector's share of the change.
//!
//! Commitments are checked on the compliance total (CLRTAP, row 152) when
//! the inventory has approved adjustments (row 151) or reports road
//! transport on fuel used (rows 143-149), otherwise on the national total
//! (row 141); the result says which.

use crate::annex1::Annex1Year;
use crate::commitment::{Commitment, CommitmentOf, PROTOCOL_POLLUTANTS, Protocol};
use crate::error::{Error, Result};
use crate::nfr::{self, RowKind};
use crate::notation_key::Cell;
use crate::number::{exact, exact_opt};
use crate::pollutant::Pollutant;
use crate::source::YearTable;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

/// Which total the commitments are checked on (in JSON, its row's code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TotalUsed {
    NationalTotal,
    ComplianceTotal,
}

impl TotalUsed {
    pub fn row_code(self) -> &'static str {
        match self {
            TotalUsed::NationalTotal => "NATIONAL TOTAL",
            TotalUsed::ComplianceTotal => "COMPLIANCE TOTAL (CLRTAP)",
        }
    }
}

/// How a pollutant stands against its commitment (in JSON, `status` in
/// words and `met`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Met,
    NotMet,
    /// No commitment is known for the Party and pollutant.
    NoCommitment,
    /// A value is missing or is a notation key.
    CannotCompare,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::NotMet => "not met",
            Status::NoCommitment => "commitment unknown",
            Status::CannotCompare => "cannot compare",
        }
    }
}

impl Serialize for TotalUsed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.row_code())
    }
}

impl Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Status", 2)?;
        m.serialize_field("status", self.as_str())?;
        m.serialize_field("met", &(*self == Status::Met))?;
        m.end()
    }
}

/// One protocol pollutant compared.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    pub pollutant: Pollutant,
    pub protocol: Protocol,
    pub unit: &'static str,
    /// The base year compared with.
    pub base_year: i32,
    /// The base year the Protocol itself sets (Gothenburg 2005; Heavy
    /// Metals and POPs 1990 or the Party's choice from 1985 to 1995).
    pub protocol_base_year: i32,
    /// When `base_year` is not the Protocol's: "what-if (...)", said
    /// beside it in every output.
    pub what_if: Option<String>,
    #[serde(serialize_with = "exact_opt")]
    pub base: Option<Decimal>,
    pub year: i32,
    #[serde(serialize_with = "exact_opt")]
    pub value: Option<Decimal>,
    /// (value − base) / base × 100.
    #[serde(serialize_with = "exact_opt")]
    pub change_pct: Option<Decimal>,
    pub commitment: Option<Commitment>,
    /// The highest emission that meets the commitment.
    #[serde(serialize_with = "exact_opt")]
    pub ceiling: Option<Decimal>,
    /// value − ceiling: positive is what is still to cut, negative the margin.
    #[serde(serialize_with = "exact_opt")]
    pub gap: Option<Decimal>,
    #[serde(flatten)]
    pub status: Status,
    /// Why a line cannot be compared, in words.
    pub note: String,
}

/// A sector's part in the change of a pollutant between two years.
#[derive(Debug, Clone, Serialize)]
pub struct SectorChange {
    pub pollutant: Pollutant,
    /// NFR code or GNFR sector.
    pub sector: String,
    #[serde(serialize_with = "exact")]
    pub base: Decimal,
    #[serde(serialize_with = "exact")]
    pub value: Decimal,
    #[serde(serialize_with = "exact")]
    pub change: Decimal,
    /// The sector's change as % of the total change.
    #[serde(serialize_with = "exact_opt")]
    pub share_pct: Option<Decimal>,
}

/// Sector view: by NFR row or GNFR aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum By {
    Nfr,
    Gnfr,
}

/// What to compare.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub year: i32,
    /// The base year of every protocol: for the Heavy Metals and POPs
    /// Protocols a year from 1985 to 1995 is the Party's own choice; any
    /// other year of the series (and any year but 2005 for Gothenburg) is
    /// a what-if, labelled as such.
    pub base: Option<i32>,
    /// The Party whose Gothenburg commitments apply.
    pub party: Option<String>,
    /// A scenario: these replace the Party's commitments pollutant by pollutant.
    pub scenario: Vec<Commitment>,
    pub by: Option<By>,
}

/// The comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub year: i32,
    pub party: Option<String>,
    #[serde(rename = "total")]
    pub total_used: TotalUsed,
    pub total_reason: String,
    pub lines: Vec<Line>,
    pub sectors: Vec<SectorChange>,
    /// Where each year of the series comes from.
    #[serde(rename = "years")]
    pub origins: Vec<YearOrigin>,
}

/// Where a year of the series comes from, in words.
#[derive(Debug, Clone, Serialize)]
pub struct YearOrigin {
    pub year: i32,
    pub source: String,
}

/// True when a year's table has approved adjustments or road transport on fuel used.
fn needs_compliance_total(t: &Annex1Year) -> bool {
    let has_number = |code: &str| {
        t.row(code).is_some_and(|r| {
            Pollutant::ALL
                .iter()
                .any(|p| r.get(*p).number().is_some_and(|d| !d.is_zero()))
        })
    };
    has_number("ADJUSTMENTS")
        || nfr::rows()
            .iter()
            .filter(|r| r.kind == RowKind::FuelUsed)
            .any(|r| has_number(&r.code))
}

/// The total of a pollutant in a year's table: the cell as read, or, for
/// a compliance total left empty in the file, computed by the template's rule.
pub fn total(t: &Annex1Year, used: TotalUsed, p: Pollutant) -> Cell {
    let cell = t
        .row(used.row_code())
        .map(|r| r.get(p))
        .unwrap_or(Cell::Empty);
    if cell.is_empty() && used == TotalUsed::ComplianceTotal {
        let mut computed = t.clone();
        computed.compute_totals();
        return computed
            .row(used.row_code())
            .map(|r| r.get(p))
            .unwrap_or(Cell::Empty);
    }
    cell
}

/// How the compliance totals of the compared years were taken, in words:
/// the Party's own row 152 where it holds numbers (and whether it applies
/// the fuel-used correction of note (c), which the template leaves to the
/// Party, "if applicable"), computed by note (c) where it is empty.
pub fn compliance_basis(years: &[(i32, &Annex1Year)]) -> String {
    let code = TotalUsed::ComplianceTotal.row_code();
    let mut own: Vec<String> = Vec::new();
    let mut computed: Vec<i32> = Vec::new();
    for (year, t) in years {
        let reported: Vec<(Pollutant, Decimal)> = PROTOCOL_POLLUTANTS
            .iter()
            .filter_map(|(p, _)| {
                t.row(code)
                    .and_then(|r| r.get(*p).number())
                    .map(|v| (*p, v))
            })
            .collect();
        if reported.is_empty() {
            computed.push(*year);
            continue;
        }
        let mut with = (*t).clone();
        with.compute_totals();
        let mut without = (*t).clone();
        for r in nfr::rows().iter().filter(|r| r.kind == RowKind::FuelUsed) {
            if let Some(cells) = without.rows.get_mut(&r.number) {
                for p in Pollutant::ALL {
                    cells.set(p, Cell::Empty);
                }
            }
        }
        without.compute_totals();
        // Close enough: within a millionth (a workbook's doubles).
        let close = |a: Decimal, b: Cell| {
            b.number()
                .is_some_and(|b| (a - b).abs() <= (a.abs() + b.abs()) * Decimal::new(1, 6))
        };
        let (mut w, mut wo) = (0, 0);
        for (p, v) in &reported {
            let cw = with.row(code).map(|r| r.get(*p)).unwrap_or_default();
            let cwo = without.row(code).map(|r| r.get(*p)).unwrap_or_default();
            match (close(*v, cw), close(*v, cwo)) {
                (true, false) => w += 1,
                (false, true) => wo += 1,
                _ => {}
            }
        }
        let basis = match (w, wo) {
            (0, 0) => "",
            (_, 0) => ", with the fuel-used correction",
            (0, _) => ", without the fuel-used correction (note (c): \"if applicable\")",
            _ => ", with the fuel-used correction for some pollutants and without it for others",
        };
        own.push(format!("{year} the Party's own row 152{basis}"));
    }
    let mut parts = own;
    if !computed.is_empty() {
        parts.push(format!(
            "{} computed by note (c) (row 152 is empty there): NATIONAL TOTAL + ADJUSTMENTS + rows 143-149 − rows 1A3bi-1A3bvii where fuel used is reported",
            computed
                .iter()
                .map(|y| y.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    format!("compliance totals: {}", parts.join("; "))
}

/// The series of a pollutant's total over all years.
pub fn series(tables: &[YearTable], used: TotalUsed, p: Pollutant) -> Vec<(i32, Cell)> {
    tables
        .iter()
        .map(|t| (t.table.header.year, total(&t.table, used, p)))
        .collect()
}

/// The tables of the series by year.
type ByYear<'a> = BTreeMap<i32, &'a Annex1Year>;

/// An error about the request as a whole (no file or cell to name).
fn request(problem: String) -> Error {
    Error::Argument(problem)
}

/// Compares year `opts.year` with the base years: the tables by year, the
/// commitments that apply, the total they are checked on, then one line
/// per protocol pollutant.
pub fn compare(tables: &[YearTable], opts: &Options) -> Result<Comparison> {
    let by_year: ByYear<'_> = tables
        .iter()
        .map(|t| (t.table.header.year, &t.table))
        .collect();
    let years: Vec<String> = by_year.keys().map(|y| y.to_string()).collect();
    let target = *by_year.get(&opts.year).ok_or_else(|| {
        request(format!(
            "the time series has no {} (its years: {})",
            opts.year,
            years.join(", ")
        ))
    })?;
    if let Some(b) = opts.base
        && !by_year.contains_key(&b)
    {
        return Err(request(format!(
            "the base year {b} is not in the time series (its years: {}); a base year other than the Protocol's is a what-if on a year the series has",
            years.join(", ")
        )));
    }
    let commitments = commitments(opts);
    let (total_used, total_reason) = total_used(target, &by_year, &commitments, opts.year, opts);
    let lines = PROTOCOL_POLLUTANTS
        .iter()
        .map(|(p, protocol)| line(*p, *protocol, &commitments, &by_year, total_used, opts))
        .collect::<Vec<_>>();
    let sectors = match opts.by {
        None => Vec::new(),
        Some(by) => sector_changes(&by_year, &lines, by),
    };
    Ok(Comparison {
        year: opts.year,
        party: opts.party.clone(),
        total_used,
        total_reason,
        lines,
        sectors,
        origins: tables
            .iter()
            .map(|t| YearOrigin {
                year: t.table.header.year,
                source: t.origin.clone(),
            })
            .collect(),
    })
}

/// The commitment of each protocol pollutant: the Party's verified
/// Gothenburg commitments, the Heavy Metals and POPs Protocols' "below the
/// base-year level", then the user's file over them; with `--base`, every
/// one against that year.
fn commitments(opts: &Options) -> BTreeMap<Pollutant, Commitment> {
    let mut commitments: BTreeMap<Pollutant, Commitment> = opts
        .party
        .as_deref()
        .map(crate::commitment::gothenburg)
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.pollutant, c))
        .collect();
    for (p, protocol) in PROTOCOL_POLLUTANTS {
        if protocol != Protocol::Gothenburg {
            commitments.insert(
                p,
                Commitment {
                    pollutant: p,
                    base_year: protocol.default_base(),
                    reduction_pct: None,
                    source: match protocol {
                        Protocol::HeavyMetals => "Heavy Metals Protocol (1998), Article 3: below the reference year level",
                        _ => "POPs Protocol (1998), Article 3: below the reference year level",
                    }
                    .to_string(),
                    of: CommitmentOf::Protocol,
                },
            );
        }
    }
    for c in &opts.scenario {
        commitments.insert(c.pollutant, c.clone());
    }
    if let Some(b) = opts.base {
        for c in commitments.values_mut() {
            c.base_year = b;
        }
    }
    commitments
}

/// The base year of a pollutant: its commitment's, else the Protocol's.
fn base_year_of(
    commitments: &BTreeMap<Pollutant, Commitment>,
    p: Pollutant,
    protocol: Protocol,
    opts: &Options,
) -> i32 {
    commitments
        .get(&p)
        .map(|c| c.base_year)
        .or(opts.base)
        .unwrap_or(protocol.default_base())
}

/// The total commitments are checked on: the compliance total when the
/// year compared or a base year has adjustments or fuel used, with how
/// its years' compliance totals were taken; else the national total.
fn total_used(
    target: &Annex1Year,
    by_year: &ByYear<'_>,
    commitments: &BTreeMap<Pollutant, Commitment>,
    year: i32,
    opts: &Options,
) -> (TotalUsed, String) {
    let base_years: Vec<i32> = PROTOCOL_POLLUTANTS
        .iter()
        .map(|&(p, protocol)| base_year_of(commitments, p, protocol, opts))
        .filter(|b| by_year.contains_key(b))
        .collect();
    let any_compliance = needs_compliance_total(target)
        || base_years
            .iter()
            .any(|b| needs_compliance_total(by_year[b]));
    if !any_compliance {
        return (
            TotalUsed::NationalTotal,
            "no approved adjustments and no road transport on fuel used: commitments are checked on the national total, row 141".to_string(),
        );
    }
    let mut years: Vec<i32> = base_years;
    years.push(year);
    years.sort_unstable();
    years.dedup();
    let compared: Vec<(i32, &Annex1Year)> = years.iter().map(|y| (*y, by_year[y])).collect();
    (
        TotalUsed::ComplianceTotal,
        format!(
            "the inventory has approved adjustments or reports road transport on fuel used, so commitments are checked on the compliance total (CLRTAP), row 152, as the template's note (c) defines it; {}",
            compliance_basis(&compared)
        ),
    )
}

/// One protocol pollutant compared: its base and year values, the change,
/// the ceiling of its commitment, the gap and the status, or why it
/// cannot be compared.
fn line(
    p: Pollutant,
    protocol: Protocol,
    commitments: &BTreeMap<Pollutant, Commitment>,
    by_year: &ByYear<'_>,
    total_used: TotalUsed,
    opts: &Options,
) -> Line {
    let commitment = commitments.get(&p).cloned();
    let base_year = base_year_of(commitments, p, protocol, opts);
    let mut line = Line {
        pollutant: p,
        protocol,
        unit: p.unit(),
        base_year,
        protocol_base_year: crate::commitment::protocol_base(protocol, base_year),
        what_if: crate::commitment::what_if_label(protocol, base_year),
        base: None,
        year: opts.year,
        value: None,
        change_pct: None,
        commitment: commitment.clone(),
        ceiling: None,
        gap: None,
        status: Status::CannotCompare,
        note: String::new(),
    };
    let value_cell = total(by_year[&opts.year], total_used, p);
    let Some(base_cell) = by_year.get(&base_year).map(|t| total(t, total_used, p)) else {
        line.note = format!("{base_year} is not in the time series");
        return line;
    };
    let (Cell::Number(b), Cell::Number(v)) = (base_cell, value_cell) else {
        line.base = base_cell.number();
        line.value = value_cell.number();
        line.note = [(base_year, base_cell), (opts.year, value_cell)]
            .iter()
            .filter(|(_, c)| c.number().is_none())
            .map(|(y, c)| match c {
                Cell::Key(k) => format!("{y} is {k}, not a number"),
                _ => format!("{y} is empty"),
            })
            .collect::<Vec<_>>()
            .join("; ");
        return line;
    };
    line.base = Some(b);
    line.value = Some(v);
    if !b.is_zero() {
        line.change_pct = percent_change(v, b, b);
    }
    match &commitment {
        Some(c) => {
            let ceiling = c.ceiling(b);
            line.ceiling = Some(ceiling);
            line.gap = Some(v - ceiling);
            line.status = if v <= ceiling {
                Status::Met
            } else {
                Status::NotMet
            };
        }
        None => {
            line.status = Status::NoCommitment;
            line.note = match &opts.party {
                Some(party) => format!(
                    "no verified {p} commitment of {party} is known; give one with --commitments"
                ),
                None => "no Party given (--party) and no scenario (--commitments)".to_string(),
            };
        }
    }
    line
}

fn sector_changes(
    by_year: &BTreeMap<i32, &Annex1Year>,
    lines: &[Line],
    by: By,
) -> Vec<SectorChange> {
    let mut out = Vec::new();
    for line in lines {
        let (Some(base_t), Some(year_t)) = (by_year.get(&line.base_year), by_year.get(&line.year))
        else {
            continue;
        };
        let mut groups: BTreeMap<(usize, String), (Decimal, Decimal)> = BTreeMap::new();
        for (i, row) in nfr::sector_rows().enumerate() {
            let key = match by {
                By::Nfr => (i, row.code.clone()),
                By::Gnfr => (0, row.gnfr.clone()),
            };
            let b = base_t.rows[&row.number]
                .get(line.pollutant)
                .number()
                .unwrap_or(Decimal::ZERO);
            let v = year_t.rows[&row.number]
                .get(line.pollutant)
                .number()
                .unwrap_or(Decimal::ZERO);
            let e = groups.entry(key).or_default();
            e.0 += b;
            e.1 += v;
        }
        let total_change: Option<Decimal> = groups
            .values()
            .try_fold(Decimal::ZERO, |t, (b, v)| t.checked_add(v.checked_sub(*b)?));
        for ((_, sector), (b, v)) in groups {
            if b.is_zero() && v.is_zero() {
                continue;
            }
            out.push(SectorChange {
                pollutant: line.pollutant,
                sector,
                base: b,
                value: v,
                change: v.checked_sub(b).unwrap_or(Decimal::MAX),
                share_pct: total_change.and_then(|t| percent_change(v, b, t)),
            });
        }
    }
    out
}

/// `(value − base) / whole × 100`, or `None` when `whole` is zero or the
/// arithmetic leaves the range of exact decimals (values read from an
/// Annex I file may be as large as a decimal holds).
fn percent_change(value: Decimal, base: Decimal, whole: Decimal) -> Option<Decimal> {
    if whole.is_zero() {
        return None;
    }
    value
        .checked_sub(base)?
        .checked_div(whole)?
        .checked_mul(Decimal::ONE_HUNDRED)
}
