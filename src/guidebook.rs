//! Importing the EEA's export of the EMEP/EEA Guidebook emission factor
//! database into airinv's normalised factor file.
//!
//! The export has the columns
//! `NFR,Sector,Table,Type,Technology,Fuel,Abatement,Region,Pollutant,Value,Unit,CI_lower,CI_upper,Reference`
//! and is read as it is published (UTF-8 with BOM, multi-line quoted cells).
//! Each row becomes a normalised factor or a listed problem with its row and
//! reason: a pollutant that is not one of Annex I's 26 (CO2, N2O, CH4, fuel
//! consumption), a value that is not a number (`na`, `NC`, `0,0066 or 0,13`),
//! a unit that cannot be read, a mass expressed in another compound than
//! the one reported, or a code with no Annex I row. Nothing is dropped
//! silently: rows read = factors + problems.

use crate::emission_factor::{Factor, FactorKind, Origin};
use crate::error::{Error, Location, Result};
use crate::number::parse_decimal;
use crate::pins::{Name, Pins, Tier};
use crate::pollutant::Pollutant;
use crate::unit::{FactorUnit, normalise, parse_factor_unit};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

/// The columns of the EEA export.
pub const EXPORT_COLUMNS: [&str; 14] = [
    "NFR",
    "Sector",
    "Table",
    "Type",
    "Technology",
    "Fuel",
    "Abatement",
    "Region",
    "Pollutant",
    "Value",
    "Unit",
    "CI_lower",
    "CI_upper",
    "Reference",
];

/// Why an export row did not become a factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemCategory {
    /// CO2, CH4, N2O, particle size fractions...: not reported in Annex I.
    NotAnnexPollutant,
    /// Fuel or energy consumption rows.
    NotAFactor,
    /// `na`, `NC`, empty, or two values in one cell.
    Value,
    /// A unit that cannot be read or applied.
    Unit,
    /// The unit's compound does not match the pollutant (WHO-TEQ for PCDD/F, NH3 for NO).
    Substance,
    /// No Annex I row for the code.
    Code,
    /// The export is wrong here and the row is not used
    /// (`emission-factors/corrections.csv`).
    ExportError,
    /// Imported with a correction of `emission-factors/corrections.csv`
    /// (listed with the problems, but used).
    Corrected,
}

impl ProblemCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemCategory::NotAnnexPollutant => "not an Annex I pollutant",
            ProblemCategory::NotAFactor => "not an emission factor",
            ProblemCategory::Value => "value not usable",
            ProblemCategory::Unit => "unit not usable",
            ProblemCategory::Substance => "unit does not fit the pollutant",
            ProblemCategory::Code => "no Annex I row",
            ProblemCategory::ExportError => "export error, not used",
            ProblemCategory::Corrected => "corrected, used",
        }
    }
}

/// An export row that was not imported, with where it is and why.
#[derive(Debug, Clone)]
pub struct Problem {
    /// Line of the row in the export (the header is line 1).
    pub row: u64,
    pub nfr: String,
    pub table: String,
    pub kind: String,
    pub technology: String,
    pub fuel: String,
    pub pollutant: String,
    pub value: String,
    pub unit: String,
    pub category: ProblemCategory,
    pub reason: String,
}

/// The result of an import.
#[derive(Debug, Clone)]
pub struct Import {
    pub rows_read: usize,
    /// The factors of the export's rows, then those derived from them.
    pub factors: Vec<Factor>,
    /// Rows not imported.
    pub problems: Vec<Problem>,
    /// Rows imported with a correction (category `Corrected`).
    pub corrected: Vec<Problem>,
    /// Factors derived from rows of the export (jet kerosene per tonne of
    /// LTO fuel), at the end of `factors`.
    pub derived: usize,
}

/// What a correction changes in an export row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectedColumn {
    Value,
    Unit,
    /// The fuel the row is for (a table filed under another fuel's name).
    Fuel,
    /// The row is not used at all.
    Row,
}

/// One correction of `emission-factors/corrections.csv`.
#[derive(Debug, Clone)]
pub struct Correction {
    /// The export row (its first line; the header is line 1).
    pub row: u64,
    pub nfr: String,
    pub table: String,
    pub pollutant: String,
    pub column: CorrectedColumn,
    pub published: String,
    pub used: String,
    pub reason: String,
}

impl CorrectedColumn {
    /// The field of an export record the column is (a row correction
    /// names the record by its value).
    fn field(self) -> usize {
        match self {
            CorrectedColumn::Unit => 10,
            CorrectedColumn::Fuel => 5,
            CorrectedColumn::Value | CorrectedColumn::Row => 9,
        }
    }
}

impl Correction {
    /// True when the correction was written for this export record.
    fn fits(&self, line: u64, r: &csv::StringRecord) -> bool {
        let field = |i: usize| r.get(i).unwrap_or("").trim();
        let published = field(self.column.field());
        line == self.row
            && field(0) == self.nfr
            && field(2) == self.table
            && field(8) == self.pollutant
            && published == self.published
    }

    /// The note a corrected factor carries.
    pub fn note(&self) -> String {
        format!(
            "corrected (emission-factors/corrections.csv, export row {}): {} published '{}', used '{}': {}",
            self.row,
            match self.column {
                CorrectedColumn::Value => "value",
                CorrectedColumn::Unit => "unit",
                CorrectedColumn::Fuel => "fuel",
                CorrectedColumn::Row => "row",
            },
            self.published,
            self.used,
            self.reason
        )
    }
}

/// The corrections shipped in `emission-factors/corrections.csv`.
pub static CORRECTIONS: LazyLock<Vec<Correction>> = LazyLock::new(|| {
    let mut reader = crate::data::reader(include_str!("../emission-factors/corrections.csv"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("embedded corrections.csv is valid CSV");
            Correction {
                row: r[0].parse().expect("corrections.csv row"),
                nfr: r[1].to_string(),
                table: r[2].to_string(),
                pollutant: r[3].to_string(),
                column: match &r[4] {
                    "value" => CorrectedColumn::Value,
                    "unit" => CorrectedColumn::Unit,
                    "fuel" => CorrectedColumn::Fuel,
                    "row" => CorrectedColumn::Row,
                    other => panic!("corrections.csv: unknown column {other}"),
                },
                published: r[5].to_string(),
                used: r[6].to_string(),
                reason: r[7].to_string(),
            }
        })
        .collect()
});

/// The representative aircraft whose LTO cycle turns the per-LTO tables
/// into factors per tonne of LTO fuel for jet kerosene: the Guidebook's
/// Tier 1 aviation table (3-3) is for aviation gasoline only.
/// (export code, table, aircraft, why)
pub const REPRESENTATIVE_AIRCRAFT: [(&str, &str, &str, &str); 2] = [
    (
        "1.A.3.a.ii.(i)",
        "Table_3-4-k",
        "B737 (3CM032)",
        "domestic: a narrow-body jet, as the Guidebook's earlier Tier 1 (B737-400 average fleet)",
    ),
    (
        "1.A.3.a.i.(i)",
        "Table_3-4-s",
        "B767-300 (12PW101)",
        "international: a wide-body jet, as the Guidebook's earlier Tier 1 (B767-300ER)",
    ),
];

/// The fuel airinv files the derived jet factors under (fuels.csv).
pub const JET_KEROSENE: &str = "Jet kerosene";

struct CodeMap {
    by_code: HashMap<String, Vec<String>>,
}

static CODE_MAP: LazyLock<CodeMap> = LazyLock::new(|| {
    let mut by_code = HashMap::new();
    let mut reader = crate::data::reader(include_str!("../emission-factors/guidebook-codes.csv"));
    for record in reader.records() {
        let r = record.expect("embedded guidebook-codes.csv is valid CSV");
        by_code.insert(
            r[0].trim().to_string(),
            r[1].split_whitespace().map(String::from).collect(),
        );
    }
    CodeMap { by_code }
});

/// The Annex I codes of a Guidebook code (`1.A.1.a` → `1A1a`), or `None`.
pub fn annex1_codes(guidebook_code: &str) -> Option<Vec<String>> {
    let code = guidebook_code.trim();
    if let Some(codes) = CODE_MAP.by_code.get(code) {
        return Some(codes.clone());
    }
    crate::nfr::find(code)
        .filter(|r| r.takes_activity())
        .map(|r| vec![r.code.clone()])
}

/// Text the export uses for "nothing" in its descriptive columns.
fn blank_if_na(text: &str) -> String {
    let t = normalise(text);
    if t.eq_ignore_ascii_case("na") || t == "-" {
        String::new()
    } else {
        t
    }
}

/// FNV-1a, 64 bits: a stable id from a factor's defining texts.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}

/// Reads the EEA export at `path`.
pub fn import(path: &Path) -> Result<Import> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    import_bytes(&bytes, path)
}

pub fn import_bytes(bytes: &[u8], path: &Path) -> Result<Import> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| Error::file(path, format!("cannot read the header: {e}")))?
        .clone();
    let found: Vec<&str> = headers.iter().map(str::trim).collect();
    if found != EXPORT_COLUMNS {
        return Err(Error::file(
            path,
            format!(
                "is not an EMEP/EEA emission factor export: the columns must be {} (found {})",
                EXPORT_COLUMNS.join(","),
                found.join(",")
            ),
        ));
    }
    let mut out = Import {
        rows_read: 0,
        factors: Vec::new(),
        problems: Vec::new(),
        corrected: Vec::new(),
        derived: 0,
    };
    let mut ids = HashSet::new();
    // Fuel per LTO of the representative aircraft, by (code, table).
    let mut lto_fuel: HashMap<(String, String), rust_decimal::Decimal> = HashMap::new();
    for record in reader.records() {
        let r = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Error::input(
                Location::file(path).with_row(line),
                format!("the CSV cannot be read here: {e}"),
            )
        })?;
        out.rows_read += 1;
        let line = r.position().map(|p| p.line()).unwrap_or(0);
        let problem = |category, reason: String| Problem {
            row: line,
            nfr: r[0].to_string(),
            table: r[2].to_string(),
            kind: r[3].to_string(),
            technology: r[4].to_string(),
            fuel: r[5].to_string(),
            pollutant: r[8].to_string(),
            value: r[9].to_string(),
            unit: r[10].to_string(),
            category,
            reason,
        };
        if r[8].trim() == "Fuel use for LTO"
            && let Some((code, table, ..)) = REPRESENTATIVE_AIRCRAFT
                .iter()
                .find(|(c, t, ..)| r[0].trim() == *c && r[2].trim() == *t)
            && let Ok(v) = parse_decimal(r[9].trim())
        {
            lto_fuel.insert((code.to_string(), table.to_string()), v);
        }
        let correction = CORRECTIONS.iter().find(|c| c.fits(line, &r));
        let mut record = r.clone();
        if let Some(c) = correction {
            if c.column == CorrectedColumn::Row {
                out.problems
                    .push(problem(ProblemCategory::ExportError, c.note()));
                continue;
            }
            let at = c.column.field();
            record = r
                .iter()
                .enumerate()
                .map(|(i, v)| if i == at { c.used.as_str() } else { v })
                .collect();
        }
        match import_row(&record) {
            Ok(mut f) => {
                if let Some(c) = correction {
                    // The id stays that of the row as published.
                    f.id = row_id(&r);
                    f.note = join_notes(&c.note(), &f.note);
                    out.corrected
                        .push(problem(ProblemCategory::Corrected, c.note()));
                }
                let base = f.id.clone();
                let mut n = 1;
                while !ids.insert(f.id.clone()) {
                    n += 1;
                    f.id = format!("{base}-{n}");
                }
                out.factors.push(f);
            }
            Err((category, reason)) => out.problems.push(problem(category, reason)),
        }
    }
    let derived = derive_jet_factors(&out.factors, &lto_fuel);
    out.derived = derived.len();
    out.factors.extend(derived);
    Ok(out)
}

fn join_notes(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (_, true) => a.to_string(),
        (true, false) => b.to_string(),
        (false, false) => format!("{a}; {b}"),
    }
}

/// Factors per tonne of LTO fuel for jet kerosene: each emission per LTO of
/// the representative aircraft ÷ its fuel per LTO.
fn derive_jet_factors(
    factors: &[Factor],
    lto_fuel: &HashMap<(String, String), rust_decimal::Decimal>,
) -> Vec<Factor> {
    let mut out = Vec::new();
    for (code, table, aircraft, why) in REPRESENTATIVE_AIRCRAFT {
        let Some(fuel) = lto_fuel.get(&(code.to_string(), table.to_string())) else {
            continue;
        };
        if fuel.is_zero() {
            continue;
        }
        for f in factors
            .iter()
            .filter(|f| f.source_code == code && f.pins.table.as_deref() == Some(table))
        {
            let FactorUnit::Rate { grams, ref per, .. } = f.unit else {
                continue;
            };
            if per.symbol != "LTO" || grams != rust_decimal::Decimal::ONE_THOUSAND {
                continue;
            }
            // kg per LTO ÷ kg of fuel per LTO × 1000 kg per t = kg per t of fuel.
            let Some(num) = f.value.checked_mul(rust_decimal::Decimal::ONE_THOUSAND) else {
                continue;
            };
            let Ok((value, exact)) = crate::unit::ratio(num, *fuel) else {
                continue;
            };
            let unit_text = "kg/tonne fuel";
            let mut note = format!(
                "derived by airinv: {} {} kg/LTO ÷ {} kg of fuel per LTO of the {aircraft} × 1000 (Tier 2 {table} read as a Tier 1 factor per tonne of LTO fuel; {why})",
                f.pollutant,
                crate::number::format_decimal(f.value),
                crate::number::format_decimal(*fuel)
            );
            if !exact {
                note.push_str("; rounded to 28 significant digits");
            }
            out.push(Factor {
                id: format!(
                    "GB23-{:012x}",
                    fnv1a(&["derived", code, table, f.pollutant.id()]) >> 16
                ),
                annex1_codes: f.annex1_codes.clone(),
                source_code: code.to_string(),
                kind: FactorKind::EmissionFactor,
                fuel: Name::new(JET_KEROSENE),
                pins: Pins {
                    table: Name::new(&format!("{table} per t LTO fuel")),
                    tier: Some(Tier::One),
                    ..Pins::default()
                },
                pollutant: f.pollutant,
                value,
                unit_text: unit_text.to_string(),
                unit: parse_factor_unit(unit_text).expect("kg/tonne fuel"),
                ci_lower: None,
                ci_upper: None,
                reference: f.reference.clone(),
                note,
                origin: Origin::Guidebook,
                years: Vec::new(),
            });
        }
    }
    out
}

/// One export row as a factor, or why it is not imported. A linear pass
/// over the row's columns (kind, pollutant, value, unit, codes, interval),
/// each refusal said with its category; kept whole (a little over 150
/// lines) so the order of the checks reads as the order of the columns.
fn import_row(r: &csv::StringRecord) -> std::result::Result<Factor, (ProblemCategory, String)> {
    use ProblemCategory as P;
    let field = |i: usize| r.get(i).unwrap_or("").trim();
    let (nfr, table, kind_text, pollutant_text, value_text, unit_text) =
        (field(0), field(2), field(3), field(8), field(9), field(10));
    let kind_lower = kind_text.to_ascii_lowercase();
    let (tier, kind) = if kind_lower.contains("fuel consumption") {
        return Err((
            P::NotAFactor,
            format!("'{kind_text}' rows give fuel use, not emissions"),
        ));
    } else if kind_lower.contains("abatement efficiency") {
        (tier_of(&kind_lower), FactorKind::AbatementEfficiency)
    } else if kind_lower.contains("emission factor") {
        (tier_of(&kind_lower), FactorKind::EmissionFactor)
    } else {
        return Err((P::NotAFactor, format!("unknown row type '{kind_text}'")));
    };
    // Masses of ammonia given as nitrogen (NH3-N) are converted to NH3
    // (× 17/14), rounded to 28 significant digits and marked so.
    let as_nitrogen = ["NH3-N", "NH3–N"].iter().find(|n| unit_text.contains(*n));
    let unit_for_parse = match as_nitrogen {
        Some(n) => unit_text.replace(n, "NH3"),
        None => unit_text.to_string(),
    };
    // The pollutant. NO from manure is reported as NOx, as NO2, and the
    // export says so in the unit (`kg a–1 AAP–1 NO2`).
    let unit_result = parse_factor_unit(&unit_for_parse);
    let pollutant = match Pollutant::parse(pollutant_text) {
        Some(p) => p,
        None if pollutant_text == "NO" => match &unit_result {
            Ok(FactorUnit::Rate { substance, .. }) if substance == "NO2" => Pollutant::NOx,
            _ => {
                return Err((
                    P::Substance,
                    format!(
                        "NO given in '{unit_text}': only NO expressed as NO2 can be reported as NOx"
                    ),
                ));
            }
        },
        None if pollutant_text.is_empty() => {
            return Err((P::NotAnnexPollutant, "no pollutant is named".into()));
        }
        None => {
            return Err((
                P::NotAnnexPollutant,
                format!("'{pollutant_text}' is not reported in the Annex I template"),
            ));
        }
    };
    let published = parse_decimal(value_text).map_err(|e| {
        let reason = if value_text.is_empty() {
            "no value is given".to_string()
        } else if matches!(value_text.to_ascii_lowercase().as_str(), "na" | "nc" | "ne") {
            format!("{e} (the Guidebook marks it as not applicable or not calculated)")
        } else {
            e.to_string()
        };
        (P::Value, reason)
    })?;
    let mut note = String::new();
    let value = match as_nitrogen {
        Some(n) if pollutant == Pollutant::NH3 => {
            let product = published
                .checked_mul(rust_decimal::Decimal::from(17))
                .ok_or((P::Value, format!("{published} {n} is out of range")))?;
            let (v, exact) = crate::unit::ratio(product, rust_decimal::Decimal::from(14))
                .map_err(|e| (P::Value, e))?;
            note = format!(
                "converted from {} kg {n} × 17/14 (NH3 per N){}",
                crate::number::format_decimal(published),
                if exact {
                    ""
                } else {
                    ", rounded to 28 significant digits"
                }
            );
            v
        }
        _ => published,
    };
    let unit = match kind {
        FactorKind::AbatementEfficiency => match unit_text {
            "" | "%" | "fraction" => {
                if value < rust_decimal::Decimal::ZERO || value > rust_decimal::Decimal::ONE {
                    return Err((
                        P::Value,
                        format!(
                            "an abatement efficiency of {value} is not a fraction between 0 and 1"
                        ),
                    ));
                }
                FactorUnit::Efficiency
            }
            _ => {
                return Err((
                    P::Unit,
                    format!("'{unit_text}' is not a unit of an abatement efficiency"),
                ));
            }
        },
        FactorKind::EmissionFactor => unit_result.map_err(|e| (P::Unit, e))?,
    };
    check_substance(pollutant, &unit).map_err(|e| (P::Substance, e))?;
    if let FactorUnit::ShareOf(of) = unit
        && of == pollutant
    {
        return Err((P::Unit, format!("{pollutant} given as a share of itself")));
    }
    let annex1 = annex1_codes(nfr).ok_or_else(|| {
        (
            P::Code,
            format!("'{nfr}' has no row in the Annex I template (NFR 2019-1)"),
        )
    })?;
    let (mut ci_lower, mut ci_upper) =
        (parse_decimal(field(11)).ok(), parse_decimal(field(12)).ok());
    if let (Some(lo), Some(hi)) = (ci_lower, ci_upper)
        && hi < lo
    {
        note = join_notes(
            &note,
            &format!("CI dropped: the export gives lower {lo} above upper {hi}"),
        );
        ci_lower = None;
        ci_upper = None;
    }
    Ok(Factor {
        id: row_id(r),
        annex1_codes: annex1,
        source_code: nfr.to_string(),
        kind,
        fuel: Name::new(&blank_if_na(field(5))),
        pins: Pins {
            technology: Name::new(&blank_if_na(field(4))),
            table: Name::new(table),
            abatement: Name::new(&blank_if_na(field(6))),
            region: Name::new(&blank_if_na(field(7))),
            tier,
        },
        pollutant,
        value,
        unit_text: unit_text.to_string(),
        unit,
        ci_lower,
        ci_upper,
        reference: normalise(field(13)),
        note,
        origin: Origin::Guidebook,
        years: Vec::new(),
    })
}

/// The stable id of an export row, from its defining texts as published.
fn row_id(r: &csv::StringRecord) -> String {
    let field = |i: usize| r.get(i).unwrap_or("").trim();
    let id_hash = fnv1a(&[
        field(0),
        field(2),
        field(3),
        field(4),
        field(5),
        field(6),
        field(7),
        field(8),
        field(9),
        field(10),
        field(13),
    ]);
    format!("GB23-{:012x}", id_hash >> 16)
}

fn tier_of(kind_lower: &str) -> Option<Tier> {
    if kind_lower.contains("tier 1") {
        Some(Tier::One)
    } else if kind_lower.contains("tier 2") {
        Some(Tier::Two)
    } else if kind_lower.contains("tier 3") {
        Some(Tier::Three)
    } else {
        None
    }
}

/// The compound a unit names must be the one the pollutant is reported as.
pub fn check_substance(pollutant: Pollutant, unit: &FactorUnit) -> std::result::Result<(), String> {
    let FactorUnit::Rate { substance, .. } = unit else {
        return Ok(());
    };
    let fits = match substance.as_str() {
        "" => true,
        "NH3" => pollutant == Pollutant::NH3,
        "NO2" => pollutant == Pollutant::NOx,
        "SO2" => pollutant == Pollutant::SOx,
        "NMVOC" => pollutant == Pollutant::NMVOC,
        "I-TEQ" | "WHO-TEQ" if pollutant == Pollutant::PCBs => {
            return Err(format!(
                "PCBs are given as toxic equivalents ({substance}); Annex I reports PCBs as a mass (kg), which a TEQ cannot be converted to"
            ));
        }
        "I-TEQ" => pollutant == Pollutant::PCDDF,
        "WHO-TEQ" => {
            return Err(
                "PCDD/F is given in WHO-TEQ; Annex I reports I-TEQ, and the two scales differ"
                    .into(),
            );
        }
        _ => false,
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "the unit gives {substance} but the pollutant is {pollutant}"
        ))
    }
}

/// Writes the problems list as CSV: the rows not imported, then those
/// imported with a correction.
pub fn write_problems<W: std::io::Write>(
    out: W,
    problems: &[Problem],
    corrected: &[Problem],
) -> std::io::Result<()> {
    let mut w = crate::output::csv_writer(out);
    w.write_record([
        "row",
        "nfr",
        "table",
        "type",
        "technology",
        "fuel",
        "pollutant",
        "value",
        "unit",
        "category",
        "reason",
    ])?;
    for p in problems.iter().chain(corrected) {
        // A list for people to open in a spreadsheet: no text may become a formula.
        let row = p.row.to_string();
        let record = [
            row.as_str(),
            &p.nfr,
            &p.table,
            &p.kind,
            &p.technology,
            &p.fuel,
            &p.pollutant,
            &p.value,
            &p.unit,
            p.category.as_str(),
            &p.reason,
        ];
        crate::output::write_safe_record(&mut w, record)?;
    }
    w.flush()
}

/// The problems list of the embedded database, as imported.
pub const EMBEDDED_PROBLEMS: &str = include_str!("../emission-factors/emep-eea-2023-problems.csv");

#[cfg(test)]
mod tests {
    //! The importer's reading of one export row, with units as the export
    //! spells them (µ and u, en dashes for minus signs, `tonnes`, `MG`,
    //! spaces after the slash, NH3 given as N, `% of PM2.5`, `0`), each
    //! checked against a hand reading: grams in the numerator, base units
    //! (J, g, km, items) in the denominator, the period and the compound.
    use super::*;
    use crate::unit::{CountKind, Dimension, Period};
    use rust_decimal::Decimal;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    /// An export row: NFR, table, type, fuel, pollutant, value, unit.
    fn row(
        nfr: &str,
        kind: &str,
        fuel: &str,
        pollutant: &str,
        value: &str,
        unit: &str,
    ) -> std::result::Result<Factor, (ProblemCategory, String)> {
        let fields = [
            nfr,
            "Sector",
            "Table_1",
            kind,
            "NA",
            fuel,
            "",
            "NA",
            pollutant,
            value,
            unit,
            "",
            "",
            "A reference",
        ];
        import_row(&csv::StringRecord::from(fields.to_vec()))
    }

    fn tier1(nfr: &str, pollutant: &str, value: &str, unit: &str) -> Factor {
        row(
            nfr,
            "Tier 1 Emission Factor",
            "Hard Coal",
            pollutant,
            value,
            unit,
        )
        .unwrap_or_else(|e| panic!("{unit}: {e:?}"))
    }

    /// (grams per numerator unit, base units per denominator unit,
    /// dimension, basis, period, compound).
    fn rate(f: &Factor) -> (Decimal, Decimal, Dimension, &str, Period, &str) {
        match &f.unit {
            FactorUnit::Rate {
                grams,
                substance,
                per,
                period,
                ..
            } => (
                *grams,
                per.scale,
                per.dimension,
                per.basis.as_str(),
                *period,
                substance.as_str(),
            ),
            other => panic!("{} read as {other:?}", f.unit_text),
        }
    }

    #[test]
    fn masses_per_energy_with_every_prefix_spelling() {
        let gj = d("1000000000");
        for (unit, grams) in [
            ("g/GJ", "1"),
            ("mg/GJ", "0.001"),
            ("µg/GJ", "0.000001"),
            ("μg/GJ", "0.000001"),
            ("ug/GJ", "0.000001"),
            ("kg/TJ", "1"),
        ] {
            let f = tier1("1.A.1.a", "Pb", "2.5", unit);
            // kg/TJ: 1000 g per 10^12 J = 1 g per 10^9 J (per GJ).
            let per_gj = rate(&f).0 / rate(&f).1 * gj;
            assert_eq!(per_gj, d(grams), "{unit}");
            assert_eq!(f.value, d("2.5"), "{unit}");
            assert_eq!(f.unit_text, unit, "the unit as published is kept");
            assert_eq!(rate(&f).2, Dimension::Energy, "{unit}");
        }
        let f = tier1("1.A.1.a", "PCDD/F", "10", "ng I-TEQ/GJ");
        assert_eq!(
            rate(&f),
            (
                d("0.000000001"),
                gj,
                Dimension::Energy,
                "",
                Period::Year,
                "I-TEQ"
            )
        );
    }

    #[test]
    fn masses_per_tonne_of_fuel_or_product_in_the_export_s_spellings() {
        for (unit, grams, basis) in [
            ("g/tonne fuel", "1", "fuel"),
            ("g/tonnes fuel", "1", "fuel"),
            ("mg/ kg fuel", "1", "fuel"),
            ("g/MG crude oil input", "1", "crude oil input"),
            ("kg/Mg", "1000", ""),
        ] {
            let f = tier1("1.A.3.b.i", "NOx", "3", unit);
            let (g, scale, dim, b, period, compound) = rate(&f);
            // Per tonne of what the unit names: grams per 10^6 g (mg/kg = g/t).
            assert_eq!(g / scale * d("1000000"), d(grams), "{unit}");
            assert_eq!(
                (dim, b, period, compound),
                (Dimension::Mass, basis, Period::Year, ""),
                "{unit}"
            );
        }
    }

    #[test]
    fn rates_per_animal_per_year_or_day_and_ammonia_as_nitrogen() {
        // `kg a–1 AAP–1 NH3`: en dashes for minus signs; kg NH3 per animal
        // place and year.
        let f = tier1("3.B.1.a", "NH3", "39.2", "kg a–1 AAP–1 NH3");
        assert_eq!(
            rate(&f),
            (
                d("1000"),
                Decimal::ONE,
                Dimension::Count(CountKind::Animal),
                "",
                Period::Year,
                "NH3"
            )
        );
        assert_eq!(f.value, d("39.2"));
        // NO of manure as NO2 is reported as NOx.
        let f = tier1("3.B.1.a", "NO", "0.011", "kg a–1 AAP–1 NO2");
        assert_eq!(f.pollutant, Pollutant::NOx);
        assert_eq!(rate(&f).5, "NO2");
        // NH3 given as N, per animal place and day: × 17/14 into NH3.
        let f = tier1("3.B.1.a", "NH3", "0.24", "kg NH3-N (AAP d)–1");
        assert_eq!(f.value, d("0.24") * d("17") / d("14"));
        assert!((f.value - d("0.291428571428571")).abs() < d("0.000000000000001"));
        assert!(f.note.contains("0.24 kg NH3-N × 17/14"), "{}", f.note);
        let (g, _, dim, _, period, compound) = rate(&f);
        assert_eq!(
            (g, dim, period, compound),
            (
                d("1000"),
                Dimension::Count(CountKind::Animal),
                Period::Day,
                "NH3"
            )
        );
    }

    #[test]
    fn rates_per_distance_and_per_item() {
        let f = tier1("1.A.3.b.vi", "TSP", "0.0086", "g km-1 vehicle-1");
        let (g, scale, dim, ..) = rate(&f);
        assert_eq!(
            (g, scale, dim),
            (Decimal::ONE, Decimal::ONE, Dimension::Distance)
        );
        let f = tier1("1.A.3.b.vi", "TSP", "0.0116", "g/km");
        assert_eq!(rate(&f).0 / rate(&f).1, Decimal::ONE);
        let f = tier1("5.C.1.b.v", "Hg", "1.49", "g/body");
        let (g, scale, dim, ..) = rate(&f);
        assert_eq!(
            (g, scale, dim),
            (
                Decimal::ONE,
                Decimal::ONE,
                Dimension::Count(CountKind::Body)
            )
        );
    }

    #[test]
    fn shares_efficiencies_and_what_is_not_a_factor() {
        let f = tier1("1.A.1.a", "BC", "1", "% of PM2.5");
        assert_eq!(f.unit, FactorUnit::ShareOf(Pollutant::PM25));
        assert_eq!(f.value, Decimal::ONE);
        let f = row(
            "1.A.1.a",
            "Tier 2 Abatement Efficiency",
            "Hard Coal",
            "TSP",
            "0.99",
            "",
        )
        .unwrap();
        assert_eq!((f.unit, f.value), (FactorUnit::Efficiency, d("0.99")));
        // Refused, each with its category and reason.
        let refused = |r: std::result::Result<Factor, (ProblemCategory, String)>| r.unwrap_err();
        let (c, why) = refused(row(
            "1.A.1.a",
            "Tier 1 Emission Factor",
            "Hard Coal",
            "Pb",
            "7",
            "0",
        ));
        assert_eq!(c, ProblemCategory::Unit, "{why}");
        let (c, why) = refused(row(
            "1.A.1.a",
            "Tier 1 Emission Factor",
            "Hard Coal",
            "PCB",
            "3.3",
            "ng WHO-TEG/GJ",
        ));
        assert_eq!(c, ProblemCategory::Substance);
        assert!(why.contains("WHO-TEQ"), "{why}");
        let (c, why) = refused(row(
            "1.A.1.a",
            "Tier 1 Emission Factor",
            "Hard Coal",
            "Pb",
            "na",
            "g/GJ",
        ));
        assert_eq!(c, ProblemCategory::Value);
        assert!(why.contains("not applicable"), "{why}");
        let (c, _) = refused(row(
            "1.A.1.a",
            "Tier 1 Emission Factor",
            "Hard Coal",
            "Pb",
            "0,0066 or 0,13",
            "g/GJ",
        ));
        assert_eq!(c, ProblemCategory::Value);
        let (c, _) = refused(row(
            "1.A.1.a",
            "Tier 1 Emission Factor",
            "Hard Coal",
            "CO2",
            "94",
            "t/TJ",
        ));
        assert_eq!(c, ProblemCategory::NotAnnexPollutant);
        let (c, _) = refused(row(
            "1.A.3.a.ii.(i)",
            "Tier 1 Fuel Consumption",
            "Jet",
            "Fuel consumption",
            "825",
            "kg/LTO",
        ));
        assert_eq!(c, ProblemCategory::NotAFactor);
        let (c, why) = refused(row(
            "1.A.1.a",
            "Tier 1 Emission Factor",
            "Hard Coal",
            "NOx",
            "10",
            "kg NH3/t",
        ));
        assert_eq!(c, ProblemCategory::Substance, "{why}");
    }
}
