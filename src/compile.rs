//! The compile pipeline, as a library: an inventory folder (or one activity
//! file) → the Annex I tables of every year with the lineage of each cell,
//! in memory. Commands (`compile`, `check`, `compare`, `kca`, ...) and
//! [`crate::source`] call it; writing the outputs is the `compile`
//! command's job ([`crate::cmd::compile`]).
//!
//! ```text
//! load_inventory (inventory.toml or one file) ─► inventory_fuels (aliases, NCVs)
//!   │
//!   ├─ each activity source, in parallel:
//!   │    plain CSV ─► stream::read_csv (blocks in parallel)
//!   │    workbook / other CSV ─► activity::read_file
//!   │    sheet + mapping ─► mapping::convert_source ─► activity::read_table
//!   │  └─► calculate::Accumulator (exact sums per activity key), merged in file order
//!   ▼
//! calculate::compute (one factor per pollutant via matching::FactorIndex)
//!   ▼
//! aggregate::build ─► annex1::Annex1Year per year  ═► Compiled
//! ```

use crate::activity::{self, Counts, ReadOptions, Rejection};
use crate::aggregate;
use crate::annex1::{self, Header};
use crate::calculate::{self, Accumulator, KeyError, KeyResult};
use crate::emission_factor::{self, Factor};
use crate::error::{Error, Result};
use crate::fuel::Fuels;
use crate::inventory::Inventory;
use crate::lineage::Detail;
use crate::matching::FactorIndex;
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// What to compile and how.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// An inventory folder (with inventory.toml) or one activity file.
    pub source: PathBuf,
    pub out: PathBuf,
    /// Extra factor files (country-specific), after the inventory's own.
    pub factors: Vec<PathBuf>,
    pub detail: Detail,
    /// Write the outputs even when rows were rejected.
    pub keep_going: bool,
    /// The country (ISO2), when the source does not say it.
    pub country: Option<String>,
    /// The reporting date for the header (DD.MM.YYYY); today when not given.
    pub reporting_date: Option<String>,
    /// Counters a progress display reads while large files are read.
    pub progress: Option<std::sync::Arc<crate::stream::Progress>>,
    /// How CSV inputs are read, where forced (`--delimiter`,
    /// `--decimal-comma`, `--encoding`); detected otherwise.
    pub csv: crate::sheet::CsvOptions,
}

/// What a compile did.
#[derive(Debug, Clone, Default)]
pub struct CompileReport {
    pub counts: Counts,
    pub rejected: Vec<Rejection>,
    pub warnings: Vec<String>,
    pub years: Vec<i32>,
    /// Files written (empty when rows were rejected and --keep-going was not given).
    pub outputs: Vec<PathBuf>,
    pub written: bool,
    /// Lines of national totals to show.
    pub summary: Vec<String>,
    /// Where the notation keys come from: rows NE for want of data.
    pub keys: aggregate::KeySummary,
}

/// Loads the inventory of a source path: a folder with inventory.toml, or one file.
pub fn load_inventory(source: &Path) -> Result<Inventory> {
    if source.is_dir() && !source.join("inventory.toml").exists() {
        Err(Error::file(
            source,
            "is a folder without inventory.toml: give an inventory folder (see inventories/example) or one activity file",
        ))
    } else if source.is_dir() {
        Inventory::load(source)
    } else if source.exists() {
        Ok(Inventory::single_file(source))
    } else {
        Err(Error::file(source, "does not exist"))
    }
}

/// The fuel table of an inventory: the built-in one with its own names and NCVs.
pub fn inventory_fuels(inv: &Inventory) -> Result<Fuels> {
    let mut fuels = Fuels::built_in().clone();
    let toml = inv.dir.join("inventory.toml");
    for (alias, fuel) in &inv.fuel_aliases {
        fuels
            .add_alias(alias, fuel)
            .map_err(|e| Error::file(&toml, format!("[fuels] {e}")))?;
    }
    for (fuel, value) in &inv.ncv {
        fuels
            .set_ncv(fuel, *value, "inventory.toml [ncv]")
            .map_err(|e| Error::file(&toml, format!("[ncv] {e}")))?;
    }
    for (fuel, years, value) in &inv.ncv_volume {
        fuels
            .set_volume_ncv(fuel, *years, *value, "inventory.toml [ncv_volume]")
            .map_err(|e| Error::file(&toml, format!("[ncv_volume] {e}")))?;
    }
    Ok(fuels)
}

/// Converts a sheet through its mapping for a compile: the conversion, the
/// summary line of its cells, and a `warning: ` line when it has findings.
fn convert_for_compile(
    source: &crate::inventory::ActivitySource,
    mapping: &Path,
) -> Result<(crate::mapping::Conversion, Vec<String>)> {
    let (_, c) = crate::mapping::convert_source(&source.path, source.sheet.as_deref(), mapping)?;
    let n = c.counts;
    let mut lines = vec![format!(
        "{} converted by {}: cells read {} = mapped {} + excluded {} + unmapped {}; {} activity rows",
        source.path.display(),
        mapping.display(),
        n.read,
        n.mapped,
        n.excluded,
        n.unmapped,
        c.rows.len()
    )];
    if c.findings() > 0 {
        lines.push(format!(
            "warning: {} converted by {}: {} unmapped cell(s) that are not zero and {} subtotal(s) that differ from their parts; run airinv convert for the report",
            source.path.display(),
            mapping.display(),
            n.unmapped_nonzero,
            c.failed_checks().count()
        ));
    }
    Ok((c, lines))
}

/// A compile done in memory: the tables of every year and their lineage,
/// before anything is written.
pub struct Compiled {
    pub inventory: Inventory,
    pub report: CompileReport,
    /// The Annex I table of every year.
    pub tables: Vec<annex1::Annex1Year>,
    /// Every computed activity key, with the lineage of its emissions.
    pub results: Vec<KeyResult>,
    /// Each input, its counts and (when it was hashed while read) its SHA-256.
    pub(crate) input_counts: Vec<(crate::inventory::ActivitySource, Counts, Option<String>)>,
    pub(crate) user_files: Vec<PathBuf>,
    pub(crate) index: FactorIndex,
    pub(crate) country: Option<String>,
}

/// Reads, matches, calculates and aggregates, writing nothing.
pub fn compute(opts: &CompileOptions) -> Result<Compiled> {
    let inv = load_inventory(&opts.source)?;
    let fuels = inventory_fuels(&inv)?;
    let guidebook = emission_factor::embedded()?;
    let mut user: Vec<Factor> = Vec::new();
    let user_files: Vec<PathBuf> = inv
        .factors
        .iter()
        .chain(opts.factors.iter())
        .cloned()
        .collect();
    for f in &user_files {
        user.extend(emission_factor::read_user_file_with(f, &opts.csv)?);
    }
    let country = opts.country.clone().or(inv.country.clone());
    let index = FactorIndex::new(guidebook, user, fuels, country.clone()).with_methods(
        crate::method::sulphur::factors(country.as_deref(), &inv.sulphur),
    );

    // Read every activity file, in parallel, and merge in file order.
    // Gaps of activity series filled as inventory.toml declares ([[fill]]).
    let fills = crate::gap_fill::declarations(&inv)?;
    let read_options = ReadOptions {
        years: crate::gap_fill::read_years(&fills, &inv.years),
        fuels: Some(index.fuels()),
        csv: opts.csv,
    };
    if inv.activity.is_empty() {
        return Err(Error::file(
            inv.dir.join("inventory.toml"),
            "names no activity files (activity = [...])",
        ));
    }
    let keep_rows = opts.detail == Detail::Rows;
    type Part = (
        Accumulator,
        Vec<Rejection>,
        Counts,
        Vec<String>,
        Option<String>,
    );
    let progress = opts.progress.clone().unwrap_or_default();
    let parts: Vec<Result<Part>> = inv
        .activity
        .par_iter()
        .map(|source| {
            let mut acc = Accumulator::new(keep_rows);
            let mut rejected = Vec::new();
            let mut notes = Vec::new();
            let mut sha256 = None;
            let counts = match &source.mapping {
                // A CSV file of any size: streamed in parallel blocks
                // (per-row lineage needs every row, so it reads whole).
                None if !keep_rows
                    && source.sheet.is_none()
                    && !crate::sheet::is_workbook(&source.path) =>
                {
                    match crate::stream::read_csv(&source.path, &read_options, &progress)? {
                        Some(streamed) => {
                            acc = streamed.acc;
                            rejected = streamed.rejected;
                            sha256 = Some(streamed.sha256);
                            streamed.counts
                        }
                        // Not a plain UTF-8 comma-separated file: read whole,
                        // with encoding and separator detection.
                        None => activity::read_file(
                            &source.path,
                            None,
                            &read_options,
                            &mut rejected,
                            |a| acc.add(a),
                        )?,
                    }
                }
                None => activity::read_file(
                    &source.path,
                    source.sheet.as_deref(),
                    &read_options,
                    &mut rejected,
                    |a| acc.add(a),
                )?,
                // A sheet laid out for people: converted by its mapping first.
                Some(mapping) => {
                    let (conversion, lines) = convert_for_compile(source, mapping)?;
                    notes = lines;
                    let table = conversion
                        .activity_table(crate::mapping::converted_location(&source.path, mapping));
                    activity::read_table(&table, &read_options, &mut rejected, |a| acc.add(a))?
                }
            };
            Ok((acc, rejected, counts, notes, sha256))
        })
        .collect();
    let mut acc = Accumulator::new(keep_rows);
    let mut report = CompileReport::default();
    let mut input_counts = Vec::new();
    let mut conversion_warnings = Vec::new();
    for (source, part) in inv.activity.iter().zip(parts) {
        let (a, rejected, counts, notes, sha256) = part?;
        acc.merge(a);
        report.rejected.extend(rejected);
        report.counts.add(counts);
        input_counts.push((source.clone(), counts, sha256));
        for n in notes {
            match n.strip_prefix("warning: ") {
                Some(w) => conversion_warnings.push(w.to_string()),
                None => report.summary.push(n),
            }
        }
    }
    if !fills.is_empty() {
        let toml = inv.dir.join("inventory.toml");
        let filled = crate::gap_fill::apply(&mut acc, &fills, &inv.years, toml)?;
        report
            .summary
            .extend(filled.account(&mut report.counts, &mut report.rejected));
    }
    let mut years: Vec<i32> = if inv.years.is_empty() {
        let mut ys: Vec<i32> = acc.keys.keys().map(|k| k.year).collect();
        ys.dedup();
        ys
    } else {
        inv.years.clone()
    };
    years.sort();
    years.dedup();
    report.years = years.clone();
    // A year the inventory lists but no activity row is of: compiled, it
    // would be all NE (or worse, all declared keys) with exit 0.
    let empty: Vec<String> = years
        .iter()
        .filter(|y| !acc.keys.keys().any(|k| k.year == **y))
        .map(|y| y.to_string())
        .collect();
    if !empty.is_empty() {
        let rejected = if report.rejected.is_empty() {
            String::new()
        } else {
            format!(
                " ({} input row(s) were rejected: see the list above)",
                report.rejected.len()
            )
        };
        return Err(Error::file(
            inv.dir.join("inventory.toml"),
            format!(
                "years: no activity row is of {}{rejected}; give activity for it or take it out of years = [...]",
                empty.join(", ")
            ),
        ));
    }

    // Calculate.
    let mut results: Vec<KeyResult> = Vec::new();
    let mut fatal: Vec<String> = Vec::new();
    let mut rejected_rows = std::collections::BTreeSet::new();
    for r in calculate::compute(acc, &index) {
        match r {
            Ok(k) => results.push(k),
            Err(failure) => match failure.error {
                KeyError::Rejected(rej) => {
                    rejected_rows.insert((failure.key.year, failure.key.row.number));
                    report.counts.used -= failure.total.count;
                    report.counts.rejected += failure.total.count;
                    report.rejected.push(rej);
                }
                KeyError::Fatal(m) => fatal.push(m),
            },
        }
    }
    if !fatal.is_empty() {
        return Err(Error::Ambiguous(fatal.join("\n\n")));
    }

    let header = Header {
        country: country.clone().unwrap_or_default(),
        reporting_date: opts
            .reporting_date
            .clone()
            .unwrap_or_else(crate::date::today),
        year: 0,
        version: inv.version.clone(),
    };
    let agg = aggregate::build(
        &results,
        &years,
        &header,
        &inv.default_keys,
        &inv.keys,
        &rejected_rows,
        &inv.adjustments,
        index.fuels(),
    );
    if !agg.errors.is_empty() {
        return Err(Error::Ambiguous(agg.errors.join("\n")));
    }
    report.warnings = conversion_warnings;
    report.warnings.extend(agg.warnings.iter().cloned());
    report
        .warnings
        .extend(unknown_technologies(&results, &index));
    for y in &agg.years {
        let nt = y.row("NATIONAL TOTAL").expect("row 141");
        let main: Vec<String> = [
            crate::pollutant::Pollutant::NOx,
            crate::pollutant::Pollutant::NMVOC,
            crate::pollutant::Pollutant::SOx,
            crate::pollutant::Pollutant::NH3,
            crate::pollutant::Pollutant::PM25,
        ]
        .iter()
        .map(|p| match nt.get(*p) {
            // Exact values are in the files; 4 significant digits here.
            crate::notation_key::Cell::Number(d) => {
                format!("{p} {} {}", crate::number::significant(d, 4), p.unit())
            }
            other => format!("{p} {other}"),
        })
        .collect();
        report.summary.push(format!(
            "{} national total: {}",
            y.header.year,
            main.join(", ")
        ));
    }
    report.keys = agg.keys.clone();
    Ok(Compiled {
        inventory: inv,
        report,
        tables: agg.years,
        results,
        input_counts,
        user_files,
        index,
        country,
    })
}

/// A warning for each activity whose technology no factor of its row has
/// and that got no factor at all (a misspelt `Dairy cow`), with the
/// closest technologies of the row.
fn unknown_technologies(results: &[KeyResult], index: &FactorIndex) -> Vec<String> {
    let key = crate::fuel::fuel_key;
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in results.iter().filter(|r| r.lines.is_empty()) {
        let Some(technology) = r.key.pins.technology.as_deref() else {
            continue;
        };
        let row = r.key.row;
        if !seen.insert((row.code.clone(), key(technology))) {
            continue;
        }
        let code = row.code.trim_end_matches("(fu)").to_string();
        let mut names: Vec<&str> = index
            .guidebook()
            .iter()
            .chain(index.user())
            .filter(|f| f.annex1_codes.contains(&code))
            .filter_map(|f| f.pins.technology.as_deref())
            .collect();
        names.sort();
        names.dedup();
        if names.iter().any(|n| key(n) == key(technology)) {
            continue;
        }
        out.push(format!(
            "{} {}: no factor has technology '{technology}', so every pollutant is NE{}",
            r.key.year,
            row.code,
            crate::suggest::did_you_mean(technology, names.iter().copied())
        ));
    }
    out
}
