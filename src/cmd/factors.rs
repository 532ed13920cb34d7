//! `airinv factors`: import the EEA export, look factors up, list problems.

use crate::emission_factor::{self, Factor, FactorKind};
use crate::error::{Error, Result};
use crate::guidebook;
use crate::number::format_decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What an import made.
#[derive(Debug)]
pub struct ImportReport {
    pub rows_read: usize,
    pub factors: usize,
    pub problems: usize,
    /// Factors imported with a correction of emission-factors/corrections.csv.
    pub corrected: usize,
    /// Factors derived from rows of the export (jet kerosene per t of LTO fuel).
    pub derived: usize,
    pub problems_by_category: BTreeMap<&'static str, usize>,
    pub out: PathBuf,
    pub problems_out: PathBuf,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "rows read {} = factors imported {} + rows not imported {}",
            self.rows_read, self.factors, self.problems
        )?;
        for (category, n) in &self.problems_by_category {
            writeln!(f, "  not imported, {category}: {n}")?;
        }
        writeln!(
            f,
            "imported with a correction of emission-factors/corrections.csv: {} (listed with the problems)",
            self.corrected
        )?;
        writeln!(
            f,
            "factors derived: {} (jet kerosene per tonne of LTO fuel, from the per-aircraft LTO tables)",
            self.derived
        )?;
        writeln!(f, "factors written to {}", self.out.display())?;
        write!(
            f,
            "rows not imported, with row and reason, written to {}",
            self.problems_out.display()
        )
    }
}

/// The problems file written beside a normalised factor file.
pub fn problems_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("factors");
    out.with_file_name(format!("{stem}-problems.csv"))
}

/// `airinv factors import EXPORT --out FILE`.
pub fn import(export: &Path, out: &Path) -> Result<ImportReport> {
    let imported = guidebook::import(export)?;
    let problems_out = problems_path(out);
    crate::output::write_atomically(out, |w| {
        emission_factor::write_normalised(w, &imported.factors)
    })?;
    crate::output::write_atomically(&problems_out, |w| {
        guidebook::write_problems(w, &imported.problems, &imported.corrected)
    })?;
    let mut by_category = BTreeMap::new();
    for p in &imported.problems {
        *by_category.entry(p.category.as_str()).or_insert(0) += 1;
    }
    Ok(ImportReport {
        rows_read: imported.rows_read,
        factors: imported.factors.len() - imported.derived,
        problems: imported.problems.len(),
        corrected: imported.corrected.len(),
        derived: imported.derived,
        problems_by_category: by_category,
        out: out.to_path_buf(),
        problems_out,
    })
}

/// A lookup of factors.
#[derive(Debug, Default, Clone)]
pub struct Lookup {
    pub code: Option<String>,
    pub fuel: Option<String>,
    pub technology: Option<String>,
    pub pollutant: Option<String>,
    pub tier: Option<String>,
    /// A normalised factor file to read instead of the embedded one.
    pub db: Option<PathBuf>,
}

/// `airinv factors [CODE] [--fuel F] ...`: the factors that fit, as text.
pub fn lookup(q: &Lookup) -> Result<String> {
    let factors = match &q.db {
        Some(p) => emission_factor::read_normalised_file(p)?,
        None => emission_factor::embedded()?,
    };
    let code = match &q.code {
        Some(c) => Some(
            crate::nfr::find(c)
                .ok_or_else(|| Error::Argument(crate::nfr::unknown_code_message(c)))?
                .code
                .clone(),
        ),
        None => None,
    };
    let fuels = crate::fuel::Fuels::built_in();
    let fuel_names: Option<Vec<String>> = q.fuel.as_ref().map(|f| fuels.chain(f));
    let pollutant = match &q.pollutant {
        Some(p) => Some(crate::pollutant::Pollutant::parse(p).ok_or_else(|| {
            Error::Argument(format!(
                "'{p}' is not a pollutant id; the ids are {}",
                crate::pollutant::Pollutant::id_list()
            ))
        })?),
        None => None,
    };
    let key = crate::fuel::fuel_key;
    let selected: Vec<&Factor> = factors
        .iter()
        .filter(|f| code.as_ref().is_none_or(|c| f.annex1_codes.contains(c)))
        .filter(|f| {
            fuel_names
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| key(n) == key(&f.fuel)))
        })
        .filter(|f| {
            q.technology
                .as_ref()
                .is_none_or(|t| key(t) == key(&f.technology))
        })
        .filter(|f| pollutant.is_none_or(|p| f.pollutant == p))
        .filter(|f| {
            q.tier
                .as_ref()
                .is_none_or(|t| t.trim_start_matches(['T', 't']) == f.tier)
        })
        .collect();
    let mut out = String::new();
    for f in &selected {
        out.push_str(&format_factor(f));
    }
    out.push_str(&format!("{} factor(s)\n", selected.len()));
    Ok(out)
}

fn format_factor(f: &Factor) -> String {
    let ci = match (f.ci_lower, f.ci_upper) {
        (Some(lo), Some(hi)) => format!("95% CI {}-{}", format_decimal(lo), format_decimal(hi)),
        _ => "no CI".to_string(),
    };
    let kind = match f.kind {
        FactorKind::EmissionFactor => format!("Tier {}", f.tier),
        FactorKind::AbatementEfficiency => format!("Tier {} abatement efficiency", f.tier),
    };
    let mut what = Vec::new();
    for (label, v) in [
        ("technology", &f.technology),
        ("fuel", &f.fuel),
        ("abatement", &f.abatement),
        ("region", &f.region),
    ] {
        if !v.is_empty() {
            what.push(format!("{label} {v}"));
        }
    }
    format!(
        "{} {} {} {} {}: {} {} [{}], {}; {}; ref. {}\n",
        f.id,
        f.annex1_codes.join(" "),
        kind,
        f.table,
        what.join(", "),
        f.pollutant,
        format_decimal(f.value),
        f.unit_text,
        ci,
        f.unit.canonical(),
        f.reference
    )
}

/// `airinv factors --problems`: the rows of the export that were not
/// imported, with their row and reason.
pub fn problems(export: Option<&Path>) -> Result<String> {
    match export {
        Some(p) => {
            let imported = guidebook::import(p)?;
            let mut buf = Vec::new();
            guidebook::write_problems(&mut buf, &imported.problems, &imported.corrected)
                .map_err(|e| Error::io(p, e))?;
            Ok(String::from_utf8_lossy(&buf).into_owned())
        }
        None => Ok(guidebook::EMBEDDED_PROBLEMS.to_string()),
    }
}

/// `airinv factors --coverage`: every Annex I row × pollutant, computed from
/// fuel use or by a Tier 1 method, needing another activity (which), or
/// without a Tier 1 in the Guidebook; as CSV, with a summary.
pub fn coverage() -> Result<(String, String)> {
    let factors = emission_factor::embedded()?;
    let lines = crate::coverage::table(&factors);
    let mut buf = Vec::new();
    crate::coverage::write_csv(&mut buf, &lines)
        .map_err(|e| Error::io(Path::new("(standard output)"), e))?;
    let mut summary = format!("{} row × pollutant cells:\n", lines.len());
    for (label, n) in crate::coverage::summary(&lines) {
        summary.push_str(&format!("  {label}: {n}\n"));
    }
    Ok((String::from_utf8_lossy(&buf).into_owned(), summary))
}
