//! The compile pipeline, as a library: an inventory (an inventory folder or
//! one activity file, opened by [`crate::source::Source`]) → the Annex I
//! tables of every year with the lineage of each cell, in memory
//! ([`compute`]); then, for `airinv compile`, the output set ([`write`]:
//! `annex1.xlsx`, `annex1_<YEAR>.csv`, `annex1_trend.csv`, `detail.csv` and
//! the run record `run.json`, as one transaction).
//!
//! ```text
//! Inventory ─► inventory_fuels (aliases, NCVs)
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
use crate::annex1::{self, Annex1Year, Header};
use crate::calculate::{self, Accumulator, KeyError, KeyResult};
use crate::emission_factor::{self, Factor};
use crate::error::{Error, Result};
use crate::fuel::Fuels;
use crate::inventory::{ActivitySource, Inventory};
use crate::lineage::{self, Detail};
use crate::matching::FactorIndex;
use crate::output;
use rayon::prelude::*;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// How to compile and where to write.
#[derive(Debug, Clone, Default)]
pub struct CompileOptions {
    /// The output folder ([`write`]).
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
    /// Lines to show about what was read (conversions, gap filling).
    pub summary: Vec<String>,
    /// Lines of national totals to show, once the outputs are written.
    pub totals: Vec<String>,
    /// Where the notation keys come from: rows NE for want of data.
    pub keys: aggregate::KeySummary,
    /// Activity without a factor for some pollutants, by year, row and fuel.
    pub without_factor: Vec<crate::without_factor::Case>,
    /// The reclassifications inventory.toml declares (`[[splice]]`).
    pub splices: Vec<crate::splice::Splice>,
    /// The activity they re-allocated, by splice, series, year and row.
    pub spliced: Vec<crate::splice::Moved>,
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
    pub report: CompileReport,
    /// The Annex I table of every year.
    pub tables: Vec<annex1::Annex1Year>,
    /// Every computed activity key, with the lineage of its emissions.
    pub results: Vec<KeyResult>,
    /// Each input, its counts and (when it was hashed while read) its BLAKE3.
    pub(crate) input_counts: Vec<(crate::inventory::ActivitySource, Counts, Option<String>)>,
    pub(crate) user_files: Vec<PathBuf>,
    pub(crate) index: FactorIndex,
    pub(crate) country: Option<String>,
}

/// Reads, matches, calculates and aggregates, writing nothing.
pub fn compute(inv: &Inventory, opts: &CompileOptions) -> Result<Compiled> {
    let fuels = inventory_fuels(inv)?;
    // The factors are indexed while the activity is read (reading needs
    // only the fuel table): on a large file both cores are busy anyway, on
    // a small one the index is most of the time.
    let (indexed, read) = std::thread::scope(|scope| {
        let indexing = scope.spawn(|| factor_index(inv, opts, fuels.clone()));
        let read = read_all(inv, opts, &fuels);
        let indexed = indexing
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (indexed, read)
    });
    let (index, user_files, country) = indexed?;
    let (fills, splices, read) = read?;
    let (mut acc, mut report) = (read.acc, read.report);
    if !fills.is_empty() {
        let toml = inv.dir.join("inventory.toml");
        let filled = crate::gap_fill::apply(&mut acc, &fills, &inv.years, toml)?;
        report
            .summary
            .extend(filled.account(&mut report.counts, &mut report.rejected));
    }
    splice_activity(inv, splices, &index, &mut acc, &mut report)?;
    let years = compiled_years(inv, &acc, &report)?;
    report.years = years.clone();
    let (results, rejected_rows) = calculate_keys(acc, &index, &mut report)?;
    let results = plants_tier3(inv, opts, &index, &years, results, &mut report)?;

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
    report.warnings = read.conversion_warnings;
    report.warnings.extend(inv.rounded.iter().cloned());
    report.warnings.extend(agg.warnings.iter().cloned());
    report
        .warnings
        .extend(unknown_technologies(&results, &index));
    report.totals = national_total_lines(&agg.years);
    report.keys = agg.keys.clone();
    report.without_factor = crate::without_factor::cases(
        &results,
        &agg.years,
        &inv.without_factor,
        &inv.keys,
        index.fuels(),
    );
    Ok(Compiled {
        report,
        tables: agg.years,
        results,
        input_counts: read.input_counts,
        user_files,
        index,
        country,
    })
}

/// Re-allocates the activity of reclassified rows as inventory.toml's
/// `[[splice]]` tables declare ([`crate::splice`]), with the lines that
/// say what moved; the declarations and the moves go into the report.
fn splice_activity(
    inv: &Inventory,
    splices: Vec<crate::splice::Splice>,
    index: &FactorIndex,
    acc: &mut Accumulator,
    report: &mut CompileReport,
) -> Result<()> {
    if splices.is_empty() {
        return Ok(());
    }
    let toml = inv.dir.join("inventory.toml");
    let outcome = crate::splice::apply(acc, &splices, index.fuels(), &toml)?;
    if !outcome.moved.is_empty() {
        report.summary.extend(outcome.lines());
    }
    report.spliced = outcome.moved;
    report.splices = splices;
    Ok(())
}

/// Tier 3: the plants of the inventory's registers take their part of
/// their rows' keys ([`crate::tier3`]); a line per key split for the console.
fn plants_tier3(
    inv: &Inventory,
    opts: &CompileOptions,
    index: &FactorIndex,
    years: &[i32],
    results: Vec<KeyResult>,
    report: &mut CompileReport,
) -> Result<Vec<KeyResult>> {
    if inv.plants.is_empty() {
        return Ok(results);
    }
    let plants = crate::tier3::read_plants(inv, index.fuels())?;
    let (results, applied) = crate::tier3::apply(
        results,
        &plants,
        years,
        index.fuels(),
        opts.detail == Detail::Rows,
    )?;
    report.summary.extend(applied.summary);
    Ok(results)
}

/// The inventory's declarations of filled gaps and splices, and its
/// activity read.
fn read_all(
    inv: &Inventory,
    opts: &CompileOptions,
    fuels: &Fuels,
) -> Result<(Vec<crate::gap_fill::Fill>, Vec<crate::splice::Splice>, Read)> {
    // Gaps of activity series filled as inventory.toml declares ([[fill]]).
    let fills = crate::gap_fill::declarations(inv)?;
    // Reclassifications in the statistics, spliced as it declares ([[splice]]).
    let splices = crate::splice::declarations(inv, fuels)?;
    let read = read_activity(inv, opts, fuels, &fills)?;
    Ok((fills, splices, read))
}

/// The factors of a compile: the embedded Guidebook, the inventory's and
/// the command line's own factor files, the methods; with the user files
/// and the country they apply for.
fn factor_index(
    inv: &Inventory,
    opts: &CompileOptions,
    fuels: Fuels,
) -> Result<(FactorIndex, Vec<PathBuf>, Option<String>)> {
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
    Ok((index, user_files, country))
}

/// What reading the activity files gave: the sums per key, the report so
/// far (counts, rejected rows, conversion notes), each file's counts and
/// digest, and the conversions' warnings.
struct Read {
    acc: Accumulator,
    report: CompileReport,
    input_counts: Vec<(ActivitySource, Counts, Option<String>)>,
    conversion_warnings: Vec<String>,
}

/// One activity file read: its sums, rejected rows, counts, notes and the
/// BLAKE3 of a streamed file.
type Part = (
    Accumulator,
    Vec<Rejection>,
    Counts,
    Vec<String>,
    Option<String>,
);

/// Reads every activity file, in parallel, and merges them in file order.
fn read_activity(
    inv: &Inventory,
    opts: &CompileOptions,
    fuels: &Fuels,
    fills: &[crate::gap_fill::Fill],
) -> Result<Read> {
    let read_options = ReadOptions {
        years: inv.years.clone(),
        basis_years: crate::gap_fill::read_years(fills, &inv.years),
        fuels: Some(fuels),
        csv: opts.csv,
    };
    if inv.activity.is_empty() {
        return Err(Error::file(
            inv.dir.join("inventory.toml"),
            "names no activity files (activity = [...])",
        ));
    }
    let keep_rows = opts.detail == Detail::Rows;
    let progress = opts.progress.clone().unwrap_or_default();
    let parts: Vec<Result<Part>> = inv
        .activity
        .par_iter()
        .map(|source| read_one(source, keep_rows, &read_options, &progress))
        .collect();
    let mut read = Read {
        acc: Accumulator::new(keep_rows),
        report: CompileReport::default(),
        input_counts: Vec::new(),
        conversion_warnings: Vec::new(),
    };
    for (source, part) in inv.activity.iter().zip(parts) {
        let (a, rejected, counts, notes, blake3) = part?;
        read.acc.merge(a);
        read.report.rejected.extend(rejected);
        read.report.counts.add(counts);
        read.input_counts.push((source.clone(), counts, blake3));
        for n in notes {
            match n.strip_prefix("warning: ") {
                Some(w) => read.conversion_warnings.push(w.to_string()),
                None => read.report.summary.push(n),
            }
        }
    }
    Ok(read)
}

/// Reads one activity file: a plain CSV streamed in parallel blocks, any
/// other file or sheet whole, a sheet laid out for people through its
/// mapping.
fn read_one(
    source: &ActivitySource,
    keep_rows: bool,
    read_options: &ReadOptions,
    progress: &crate::stream::Progress,
) -> Result<Part> {
    let mut acc = Accumulator::new(keep_rows);
    let mut rejected = Vec::new();
    let mut notes = Vec::new();
    let mut blake3 = None;
    let counts = match &source.mapping {
        // A CSV file of any size: streamed in parallel blocks
        // (per-row lineage needs every row, so it reads whole).
        None if !keep_rows
            && source.sheet.is_none()
            && !crate::sheet::is_workbook(&source.path) =>
        {
            match crate::stream::read_csv(&source.path, read_options, progress)? {
                Some(streamed) => {
                    acc = streamed.acc;
                    rejected = streamed.rejected;
                    blake3 = Some(streamed.blake3);
                    streamed.counts
                }
                // Not a plain UTF-8 comma-separated file: read whole,
                // with encoding and separator detection.
                None => {
                    activity::read_file(&source.path, None, read_options, &mut rejected, |a| {
                        acc.add(a)
                    })?
                }
            }
        }
        None => activity::read_file(
            &source.path,
            source.sheet.as_deref(),
            read_options,
            &mut rejected,
            |a| acc.add(a),
        )?,
        // A sheet laid out for people: converted by its mapping first.
        Some(mapping) => {
            let (conversion, lines) = convert_for_compile(source, mapping)?;
            notes = lines;
            let table = conversion
                .activity_table(crate::mapping::converted_location(&source.path, mapping));
            activity::read_table(&table, read_options, &mut rejected, |a| acc.add(a))?
        }
    };
    Ok((acc, rejected, counts, notes, blake3))
}

/// The years compiled: inventory.toml's `years`, or those of the activity.
/// A year the inventory lists but no activity row is of is an error:
/// compiled, it would be all NE (or worse, all declared keys) with exit 0.
fn compiled_years(inv: &Inventory, acc: &Accumulator, report: &CompileReport) -> Result<Vec<i32>> {
    let mut years: Vec<i32> = if inv.years.is_empty() {
        let mut ys: Vec<i32> = acc.keys.keys().map(|k| k.year).collect();
        ys.dedup();
        ys
    } else {
        inv.years.clone()
    };
    years.sort();
    years.dedup();
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
    Ok(years)
}

/// The (year, template row) pairs whose input rows were rejected.
type RejectedRows = std::collections::BTreeSet<(i32, u32)>;

/// Activity × factor for every key; a key whose rows are rejected is
/// counted so (with the year and row it leaves without an estimate), an
/// ambiguous choice of factors stops the compile.
fn calculate_keys(
    acc: Accumulator,
    index: &FactorIndex,
    report: &mut CompileReport,
) -> Result<(Vec<KeyResult>, RejectedRows)> {
    let mut results: Vec<KeyResult> = Vec::new();
    let mut fatal: Vec<String> = Vec::new();
    let mut rejected_rows = std::collections::BTreeSet::new();
    for r in calculate::compute(acc, index) {
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
    Ok((results, rejected_rows))
}

/// `2022 national total: NOx 83.38 kt, ...`: the main pollutants of each
/// year to 4 significant digits (the files keep the exact values).
fn national_total_lines(years: &[Annex1Year]) -> Vec<String> {
    years
        .iter()
        .map(|y| {
            let nt = y.row("NATIONAL TOTAL").expect("row 141");
            let main: Vec<String> = crate::pollutant::Pollutant::MAIN
                .iter()
                .map(|p| match nt.get(*p) {
                    crate::notation_key::Cell::Number(d) => {
                        format!("{p} {} {}", crate::number::show(d, 4), p.unit())
                    }
                    other => format!("{p} {other}"),
                })
                .collect();
            format!("{} national total: {}", y.header.year, main.join(", "))
        })
        .collect()
}

/// Writes a compile's outputs into `opts.out`: only the list of rejected
/// rows when rows were rejected (unless `keep_going`), else every output.
/// The whole set is one transaction ([`crate::output::OutputDir`]): a
/// killed run leaves the old set, two runs cannot interleave, and no input
/// is written over.
pub fn write(opts: &CompileOptions, inv: &Inventory, compiled: Compiled) -> Result<CompileReport> {
    let Compiled {
        mut report,
        tables,
        results,
        input_counts,
        user_files,
        index,
        country,
    } = compiled;
    let mut inputs: Vec<PathBuf> = input_counts
        .iter()
        .map(|(s, _, _)| s.path.clone())
        .collect();
    inputs.extend(user_files.iter().cloned());
    inputs.extend(inv.plants.iter().map(|s| s.path.clone()));
    inputs.extend(
        input_counts
            .iter()
            .filter_map(|(s, _, _)| s.mapping.clone()),
    );
    let mut out = output::OutputDir::open(&opts.out, &inputs)?;
    if !report.rejected.is_empty() {
        let rejected_path = out.file("rejected.csv")?;
        write_rejected(&rejected_path, &report.rejected)?;
        if !opts.keep_going {
            report.outputs = out.commit(None, false)?;
            return Ok(report);
        }
    }

    // The outputs' paths first (each checked), then the files written side
    // by side: the workbook, each year's CSV, the trend, the lines.
    let xlsx = out.file("annex1.xlsx")?;
    let year_csvs = tables
        .iter()
        .map(|y| out.file(&format!("annex1_{}.csv", y.header.year)))
        .collect::<Result<Vec<_>>>()?;
    let trend = out.file("annex1_trend.csv")?;
    let detail = out.file("detail.csv")?;
    let (book, (csvs, lines)) = rayon::join(
        || annex1::write_xlsx(&xlsx, &tables, |wb| crate::trend::add_sheet(wb, &tables)),
        || {
            rayon::join(
                || -> Result<()> {
                    for (y, p) in tables.iter().zip(&year_csvs) {
                        output::write_atomically(p, |w| annex1::write_csv(w, y))?;
                    }
                    output::write_atomically(&trend, |w| crate::trend::write_csv(w, &tables))
                },
                || output::write_atomically(&detail, |w| lineage::write(w, &results, opts.detail)),
            )
        },
    );
    book?;
    csvs?;
    lines?;
    let record = RunRecord::new(
        inv,
        &input_counts,
        &user_files,
        &index,
        &report,
        country.as_deref(),
    )?;
    output::write_json(&out.file("run.json")?, &record)?;
    report.outputs = out.commit(Some("run.json"), true)?;
    report.written = true;
    Ok(report)
}

fn write_rejected(path: &Path, rejected: &[Rejection]) -> Result<()> {
    output::write_atomically(path, |w| {
        let mut c = output::csv_writer(w);
        c.write_record(["file", "sheet", "row", "column", "reason"])?;
        for r in rejected {
            // File names, sheet names and reasons quote what users typed.
            let record = [
                r.at.file.as_str(),
                r.at.sheet.as_deref().unwrap_or(""),
                &r.at.row.map(|n| n.to_string()).unwrap_or_default(),
                r.at.column.as_deref().unwrap_or(""),
                &r.reason,
            ];
            output::write_safe_record(&mut c, record)?;
        }
        c.flush()
    })
}

/// The run record of a compile (`run.json`): the program, every input
/// with its BLAKE3 and counts, the factor database and the user's factor
/// files, the rows read, used and rejected, and the warnings.
#[derive(Debug, Serialize)]
pub struct RunRecord<'a> {
    pub program: &'static str,
    pub version: &'static str,
    pub command: &'static str,
    pub inventory: &'a str,
    pub country: Option<&'a str>,
    pub years: &'a [i32],
    pub inputs: Vec<InputRecord<'a>>,
    pub factor_database: FactorDatabase,
    pub user_factor_files: Vec<FileRecord>,
    pub user_factors: usize,
    pub rows: RowCounts,
    pub adjustments: &'a [crate::inventory::Adjustment],
    pub rejected: &'a [Rejection],
    pub warnings: &'a [String],
}

/// An activity input of the run record.
#[derive(Debug, Serialize)]
pub struct InputRecord<'a> {
    pub path: String,
    pub sheet: Option<&'a str>,
    pub blake3: String,
    pub mapping: Option<FileRecord>,
    pub rows_read: u64,
    pub rows_used_at_reading: u64,
    pub rows_rejected_at_reading: u64,
    pub empty_lines: u64,
}

/// A file read, with its BLAKE3.
#[derive(Debug, Serialize)]
pub struct FileRecord {
    pub path: String,
    pub blake3: String,
}

impl FileRecord {
    /// The file's path and BLAKE3.
    pub fn of(path: &Path) -> Result<FileRecord> {
        Ok(FileRecord {
            path: path.display().to_string(),
            blake3: crate::digest::file(path)?,
        })
    }
}

/// The embedded factor database of the run record.
#[derive(Debug, Serialize)]
pub struct FactorDatabase {
    pub name: &'static str,
    pub source: &'static str,
    pub blake3: String,
    pub factors: usize,
}

/// The rows of a run: read = used + rejected, and the empty lines skipped.
#[derive(Debug, Serialize)]
pub struct RowCounts {
    pub read: u64,
    pub used: u64,
    pub rejected: u64,
    pub empty_lines_skipped: u64,
}

impl<'a> RunRecord<'a> {
    fn new(
        inv: &'a Inventory,
        inputs: &'a [(crate::inventory::ActivitySource, Counts, Option<String>)],
        user_files: &[PathBuf],
        index: &FactorIndex,
        report: &'a CompileReport,
        country: Option<&'a str>,
    ) -> Result<RunRecord<'a>> {
        let mut input_list = Vec::new();
        for (source, counts, blake3) in inputs {
            input_list.push(InputRecord {
                path: source.path.display().to_string(),
                sheet: source.sheet.as_deref(),
                blake3: match blake3 {
                    Some(h) => h.clone(),
                    None => crate::digest::file(&source.path)?,
                },
                mapping: source.mapping.as_deref().map(FileRecord::of).transpose()?,
                rows_read: counts.read,
                rows_used_at_reading: counts.used,
                rows_rejected_at_reading: counts.rejected,
                empty_lines: counts.empty,
            });
        }
        Ok(RunRecord {
            program: "airinv",
            version: env!("CARGO_PKG_VERSION"),
            command: "compile",
            inventory: &inv.name,
            country,
            years: &report.years,
            inputs: input_list,
            factor_database: FactorDatabase {
                name: emission_factor::EMBEDDED_NAME,
                source: "EMEP/EEA air pollutant emission inventory guidebook 2023, emission factor database export (EMEP_20260207.csv)",
                blake3: crate::digest::bytes(emission_factor::EMBEDDED.as_bytes()),
                factors: index.guidebook().len(),
            },
            user_factor_files: user_files
                .iter()
                .map(|f| FileRecord::of(f))
                .collect::<Result<_>>()?,
            user_factors: index.user().len(),
            rows: RowCounts {
                read: report.counts.read,
                used: report.counts.used,
                rejected: report.counts.rejected,
                empty_lines_skipped: report.counts.empty,
            },
            adjustments: &inv.adjustments,
            rejected: &report.rejected,
            warnings: &report.warnings,
        })
    }
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

#[cfg(test)]
mod tests {
    //! The pipeline in memory on a small inventory, every number by hand
    //! from Guidebook 2023 Table 3-4 of chapter 1.A.1 (natural gas: NOx
    //! 89 g/GJ, CO 39.3 g/GJ, NMVOC 2.6 g/GJ).
    use super::*;
    use crate::notation_key::Cell;
    use crate::pollutant::Pollutant;
    use rust_decimal::Decimal;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn inventory(activity: &str) -> (tempfile::TempDir, Inventory) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("inventory.toml"),
            "country = \"KZ\"\nyears = [2021, 2022]\nactivity = [\"a.csv\"]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("a.csv"),
            format!("year,nfr,fuel,technology,value,unit\n{activity}"),
        )
        .unwrap();
        let inv = Inventory::load(dir.path()).unwrap();
        (dir, inv)
    }

    #[test]
    fn compute_multiplies_sums_and_totals_by_hand() {
        // Two lines of one key add up before the factor applies: 10 000 TJ
        // in 2021 and 2022; 2022 also 2 500 TJ more, in a second line.
        let (_dir, inv) = inventory(
            "2021,1A1a,Natural gas,,10000,TJ\n2022,1A1a,Natural gas,,10000,TJ\n2022,1A1a,Natural gas,,2500,TJ\n",
        );
        let compiled = compute(
            &inv,
            &CompileOptions {
                reporting_date: Some("15.02.2024".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(compiled.report.years, [2021, 2022]);
        let years: Vec<i32> = compiled.tables.iter().map(|t| t.header.year).collect();
        assert_eq!(years, [2021, 2022]);
        let y2022 = &compiled.tables[1];
        assert_eq!(y2022.header.country, "KZ");
        assert_eq!(y2022.header.reporting_date, "15.02.2024");
        let row = y2022.row("1A1a").unwrap();
        // 12 500 TJ = 12 500 000 GJ; × 89 g/GJ = 1 112 500 000 g = 1.1125 kt.
        for (p, kt) in [
            (Pollutant::NOx, "1.1125"),
            (Pollutant::CO, "0.49125"),
            (Pollutant::NMVOC, "0.0325"),
        ] {
            assert_eq!(row.get(p), Cell::Number(d(kt)), "{p}");
        }
        // The national total is the one row: the same values.
        let total = y2022.row("NATIONAL TOTAL").unwrap();
        assert_eq!(total.get(Pollutant::NOx), Cell::Number(d("1.1125")));
        // 2021: 10 000 TJ → 0.89 kt NOx.
        let row = compiled.tables[0].row("1A1a").unwrap();
        assert_eq!(row.get(Pollutant::NOx), Cell::Number(d("0.89")));
        // The gaseous-fuel activity column (AH) in TJ.
        assert!(
            row.fuels.contains(&Cell::Number(d("10000"))),
            "{:?}",
            row.fuels
        );
        let lines = national_total_lines(&compiled.tables);
        assert!(lines[1].contains("NOx 1.113 kt"), "{lines:?}");
    }

    #[test]
    fn a_year_without_activity_is_named_and_nothing_is_computed() {
        let (_dir, inv) = inventory("2022,1A1a,Natural gas,,10000,TJ\n");
        let e = compute(&inv, &CompileOptions::default())
            .err()
            .expect("2021 has no activity")
            .to_string();
        assert!(e.contains("2021"), "{e}");
    }
}
