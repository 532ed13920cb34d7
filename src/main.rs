//! The `airinv` command line: parses arguments, calls the library, prints
//! its reports and maps the outcome to an exit code (0 ok, 1 findings or
//! rejected input, 2 unusable input).

use anyhow::Result;

// Standard output through one function: a closed pipe (`airinv factors
// --problems | head -1`) ends the program quietly with exit 0, as ripgrep
// and xsv do, rather than with a panic.
macro_rules! print {
    ($($t:tt)*) => { out(format_args!($($t)*)) };
}
macro_rules! println {
    ($($t:tt)*) => { out(format_args!("{}\n", format_args!($($t)*))) };
}

fn out(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|_| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(2);
    }
}
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "airinv",
    version,
    about = "Air-pollutant emission inventories for the UNECE Air Convention (CLRTAP): activity data × EMEP/EEA Guidebook 2023 factors → Annex I (NFR 2019-1)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Compile an inventory: activity data × emission factors → Annex I workbook, CSVs, detail.csv, run.json.
    Compile(CompileArgs),
    /// Look up, import and check emission factors.
    Factors(FactorsArgs),
    /// Compare a year with the protocols' base years and commitments (Gothenburg, Heavy Metals, POPs).
    Compare(CompareArgs),
    /// Import a filled Annex I workbook (a past submission): annex1_<YEAR>.csv per year sheet and annex1.xlsx.
    Import(ImportArgs),
    /// Convert a sheet laid out for people (an energy balance) into an activity file, with a mapping.
    Convert(ConvertArgs),
    /// Check an inventory before submission: completeness, notation keys, sums, consistency, implied factors, time series, recalculations.
    Check(CheckArgs),
    /// Project scenarios (WM, WAM) from a compiled base year with measures and their costs; --optimize finds the least-cost shares meeting the targets.
    Scenario(ScenarioArgs),
    /// The Informative Inventory Report's material in one page: summary, trends, key categories, methods, notation keys, recalculations, uncertainty, data quality.
    Report(ReportArgs),
    /// Key category analysis: level, trend (with --base) and, for inventory folders, Approach 2.
    Kca(KcaArgs),
    /// Uncertainty of the totals and the trend: Approach 1 (error propagation) and Monte Carlo.
    Uncertainty(UncertaintyArgs),
    /// Where a number comes from: one cell of a compile's output (2022!E14), from its detail.csv lines, the rows summed into it, or the reasons for its notation key.
    Explain(ExplainArgs),
}

#[derive(Args)]
struct ExplainArgs {
    /// An output folder of airinv compile (annex1_<YEAR>.csv, detail.csv, run.json).
    folder: PathBuf,
    /// The cell as annex1.xlsx names it: YEAR!CELL (2022!E14 = 1A1a NOx of 2022); in a shell, quote it: '2022!E14'.
    cell: Option<String>,
    /// The year (with --code and --pollutant, instead of CELL).
    #[arg(long)]
    year: Option<i32>,
    /// NFR code of the row (1A1a or 1.A.1.a).
    #[arg(long)]
    code: Option<String>,
    /// Pollutant id (NOx, PM2.5, ...).
    #[arg(long)]
    pollutant: Option<String>,
    /// The inventory folder the output was compiled from: the notation keys it declares, with their reasons, and its fuel names.
    #[arg(long)]
    inventory: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormatArg,
}

#[derive(Args)]
struct KcaArgs {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files), an activity file's output or an Annex I workbook.
    source: PathBuf,
    /// The year to analyse.
    #[arg(long)]
    year: i32,
    /// Base year of the trend assessment.
    #[arg(long)]
    base: Option<i32>,
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    /// Draw the Pareto chart of the key categories (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
}

#[derive(Args)]
struct UncertaintyArgs {
    /// An inventory folder (Approach 1 and Monte Carlo), or an output folder or Annex I workbook (Approach 1 with defaults).
    source: PathBuf,
    /// The year to analyse.
    #[arg(long)]
    year: i32,
    /// Base year of the trend.
    #[arg(long)]
    base: Option<i32>,
    /// Uncertainties (CSV: nfr,fuel,pollutant,activity_pct,factor_pct; 95 % half-widths in %). Repeatable.
    #[arg(long)]
    uncertainties: Vec<PathBuf>,
    /// Monte Carlo iterations.
    #[arg(long, default_value_t = airinv::cmd::uncertainty::DEFAULT_ITERATIONS)]
    iterations: u64,
    /// Monte Carlo seed: the same seed gives the same output, whatever the threads.
    #[arg(long, default_value_t = airinv::cmd::uncertainty::DEFAULT_SEED)]
    seed: u64,
    /// Number of threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    /// Write the IIR tables (a summary and one sheet per pollutant) to this workbook.
    #[arg(long)]
    xlsx: Option<PathBuf>,
    /// Draw the largest contributors to the uncertainty (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
}

#[derive(Args)]
struct ReportArgs {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files) or an Annex I workbook.
    source: PathBuf,
    /// The folder to write index.html, charts/ and tables/ into.
    #[arg(long)]
    out: PathBuf,
    /// The year reported on (the latest by default).
    #[arg(long)]
    year: Option<i32>,
    /// The base year of the trend (key categories) and of the Heavy Metals and POPs Protocols.
    #[arg(long)]
    base: Option<i32>,
    /// An earlier submission of the same years: its recalculations.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// The Party whose commitments apply (ISO2), when the source does not say it.
    #[arg(long)]
    party: Option<String>,
    /// The language of the page's texts: en or ru.
    #[arg(long, default_value = "en")]
    lang: String,
}

#[derive(Args)]
struct ScenarioArgs {
    /// Scenario files (TOML); several (WM and WAM) are written side by side.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
    /// Choose the least-cost measure shares that meet every target (a linear programme).
    #[arg(long)]
    optimize: bool,
    #[arg(long, value_enum, default_value = "table")]
    format: ScenarioFormatArg,
    /// Date for the Annex IV header (DD.MM.YYYY); today by default.
    #[arg(long)]
    reporting_date: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScenarioFormatArg {
    Table,
    Json,
}

#[derive(Args)]
struct ImportArgs {
    /// The Annex I workbook (.xlsx), NFR 2019-1 or NFR 2014-2.
    workbook: PathBuf,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
}

#[derive(Args)]
struct CompareArgs {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files) or an Annex I workbook.
    source: PathBuf,
    /// The year to compare.
    #[arg(long)]
    year: i32,
    /// Base year of the Heavy Metals and POPs Protocols chosen at ratification (1985-1995; default 1990).
    #[arg(long)]
    base: Option<i32>,
    /// Party (ISO2) whose Gothenburg commitments apply; default: the inventory's country.
    #[arg(long)]
    party: Option<String>,
    /// A scenario of commitments (CSV: pollutant,reduction_pct[,base_year,source] or TOML [[commitment]]).
    #[arg(long)]
    commitments: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    format: FormatArg,
    /// Each sector's share of the change, by NFR row or GNFR sector.
    #[arg(long, value_enum)]
    by: Option<ByArg>,
    /// Draw the series against base-year levels and commitments (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
}

#[derive(Args)]
struct CheckArgs {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files) or an Annex I workbook.
    source: PathBuf,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value = "text")]
    format: CheckFormatArg,
    /// The previous submission of the same years: list every cell that changed (recalculations).
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Write the recalculation table (every changed cell) to this CSV file.
    #[arg(long, requires = "previous")]
    recalculations: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Table,
    Csv,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ByArg {
    Nfr,
    Gnfr,
}

#[derive(Args)]
struct ConvertArgs {
    /// The sheet: a CSV file or a workbook (xlsx, xls, ods).
    source: PathBuf,
    /// The mapping (TOML) saying how the sheet is laid out and where its lines and fuels go.
    #[arg(long, short)]
    mapping: PathBuf,
    /// The activity file to write (CSV); the report and the cell ledger are written beside it.
    #[arg(long, short)]
    out: PathBuf,
    /// The workbook sheet, if not the one the mapping names.
    #[arg(long)]
    sheet: Option<String>,
}

/// Output format of check and explain.
#[derive(Clone, Copy, clap::ValueEnum)]
enum CheckFormatArg {
    Text,
    Json,
    Csv,
}

#[derive(Args)]
struct CompileArgs {
    /// An inventory folder (with inventory.toml) or a single activity file (CSV, xlsx, xls, ods).
    source: PathBuf,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
    /// Your own emission factors (CSV or workbook); they take precedence over the Guidebook. Repeatable.
    #[arg(long = "factors")]
    factors: Vec<PathBuf>,
    /// detail.csv: one line per activity key and pollutant (keys) or per input row and pollutant (rows).
    #[arg(long, value_enum, default_value = "keys")]
    detail: DetailArg,
    /// Write the outputs even when input rows were rejected (they are listed in rejected.csv).
    #[arg(long)]
    keep_going: bool,
    /// Country (ISO2), when the inventory does not say it.
    #[arg(long)]
    country: Option<String>,
    /// Reporting date for the workbook header (DD.MM.YYYY); today by default.
    #[arg(long)]
    reporting_date: Option<String>,
    /// Number of threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
    /// No progress display while large files are read.
    #[arg(long, short)]
    quiet: bool,
    /// CSV separator of the input files: , ; tab or | (detected when not given).
    #[arg(long)]
    delimiter: Option<String>,
    /// Read numbers of CSV inputs with a decimal comma (1,5 = 1.5); detected in files separated by ; or tabs.
    #[arg(long)]
    decimal_comma: bool,
    /// Text encoding of CSV inputs: utf-8, utf-16, windows-1251, windows-1252 (detected when not given).
    #[arg(long)]
    encoding: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum DetailArg {
    Keys,
    Rows,
}

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
struct FactorsArgs {
    #[command(subcommand)]
    command: Option<FactorsCommand>,
    /// NFR code of the Annex I row (1A1a or 1.A.1.a).
    code: Option<String>,
    /// Fuel (a Guidebook fuel or an alias: natural_gas, lignite...).
    #[arg(long)]
    fuel: Option<String>,
    #[arg(long)]
    technology: Option<String>,
    /// Pollutant id (NOx, PM2.5, ...).
    #[arg(long)]
    pollutant: Option<String>,
    /// Tier (1 or 2).
    #[arg(long)]
    tier: Option<String>,
    /// A normalised factor file to use instead of the embedded Guidebook 2023 one.
    #[arg(long)]
    db: Option<PathBuf>,
    /// List the rows of the factor export that are not used, with their row and reason.
    #[arg(long)]
    problems: bool,
    /// List every Annex I row × pollutant: computed by a Tier 1 method, needing an activity airinv cannot derive, or without a Tier 1 (CSV on stdout, a summary on stderr).
    #[arg(long)]
    coverage: bool,
    /// With --problems: import this EEA export and list its problems instead of the embedded list.
    #[arg(long, requires = "problems")]
    export: Option<PathBuf>,
    /// Output: text (one line per factor), csv or json.
    #[arg(long, value_enum, default_value = "text")]
    format: FactorsFormatArg,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FactorsFormatArg {
    Text,
    Csv,
    Json,
}

#[derive(Subcommand)]
enum FactorsCommand {
    /// Convert the EEA's Guidebook emission factor export into airinv's normalised factor file.
    Import {
        /// The export (columns NFR,Sector,Table,Type,Technology,Fuel,Abatement,Region,Pollutant,Value,Unit,CI_lower,CI_upper,Reference).
        export: PathBuf,
        /// The normalised factor file to write (its problems list is written beside it).
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Compile(args) => compile(args),
        Command::Factors(args) => factors(args),
        Command::Compare(args) => compare(args),
        Command::Import(args) => import(args),
        Command::Convert(args) => convert(args),
        Command::Check(args) => check(args),
        Command::Scenario(args) => scenario(args),
        Command::Report(args) => report(args),
        Command::Kca(args) => kca(args),
        Command::Uncertainty(args) => uncertainty(args),
        Command::Explain(args) => explain(args),
    }
}

fn explain(args: ExplainArgs) -> Result<ExitCode> {
    use airinv::cmd::explain;
    let e = explain::run(&explain::ExplainOptions {
        folder: args.folder,
        cell: args.cell,
        year: args.year,
        code: args.code,
        pollutant: args.pollutant,
        inventory: args.inventory,
    })?;
    print!(
        "{}",
        match args.format {
            CheckFormatArg::Text => explain::text(&e),
            CheckFormatArg::Json => explain::json(&e),
            CheckFormatArg::Csv => explain::csv(&e),
        }
    );
    Ok(if e.differs() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn scenario(args: ScenarioArgs) -> Result<ExitCode> {
    use airinv::cmd::scenario::{self, Format};
    let report = scenario::run(&scenario::ScenarioOptions {
        files: args.files,
        out: args.out,
        optimize: args.optimize,
        format: match args.format {
            ScenarioFormatArg::Table => Format::Table,
            ScenarioFormatArg::Json => Format::Json,
        },
        reporting_date: args.reporting_date,
    })?;
    print!("{}", report.text);
    for p in &report.outputs {
        eprintln!("wrote {}", p.display());
    }
    for n in &report.notes {
        eprintln!("note: {n}");
    }
    if report.all_met {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!("some targets are not met (see above and summary.json)");
        Ok(ExitCode::from(1))
    }
}

fn format_of(f: FormatArg) -> airinv::cmd::compare::Format {
    use airinv::cmd::compare::Format;
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    }
}

fn kca(args: KcaArgs) -> Result<ExitCode> {
    use airinv::cmd::kca;
    let report = kca::run(&kca::KcaOptions {
        source: args.source,
        year: args.year,
        base: args.base,
        format: format_of(args.format),
        plot: args.plot,
    })?;
    print!("{}", report.text);
    if let Some(p) = report.plot {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn uncertainty(args: UncertaintyArgs) -> Result<ExitCode> {
    use airinv::cmd::uncertainty;
    let report = uncertainty::run(&uncertainty::UncertaintyOptions {
        source: args.source,
        year: args.year,
        base: args.base,
        uncertainties: args.uncertainties,
        iterations: args.iterations,
        seed: args.seed,
        threads: args.threads,
        format: format_of(args.format),
        xlsx: args.xlsx,
        plot: args.plot,
    })?;
    print!("{}", report.text);
    for p in &report.outputs {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn compare(args: CompareArgs) -> Result<ExitCode> {
    use airinv::cmd::compare::{self, Format};
    let report = compare::run(&compare::CompareOptions {
        source: args.source,
        year: args.year,
        base: args.base,
        party: args.party,
        commitments: args.commitments,
        format: match args.format {
            FormatArg::Table => Format::Table,
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
        },
        by: args.by.map(|b| match b {
            ByArg::Nfr => airinv::compare::By::Nfr,
            ByArg::Gnfr => airinv::compare::By::Gnfr,
        }),
        plot: args.plot,
    })?;
    for line in &report.reading {
        eprintln!("note: {line}");
    }
    print!("{}", report.text);
    if let Some(p) = report.plot {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn import(args: ImportArgs) -> Result<ExitCode> {
    use airinv::cmd::import;
    let report = import::run(&import::ImportOptions {
        workbook: args.workbook.clone(),
        out: args.out,
    })?;
    println!("read {}", args.workbook.display());
    for line in &report.sheets {
        println!("  {line}");
    }
    for (sheet, why) in &report.other_sheets {
        println!("  sheet {sheet}: not read, {why}");
    }
    for note in &report.notes {
        eprintln!("note: {note}");
    }
    for s in &report.skipped {
        eprintln!("skipped: {}: {}", s.at, s.reason);
    }
    for u in &report.unreadable {
        eprintln!("unreadable: {u}");
    }
    for (serious, i) in &report.issues {
        eprintln!("{}: {i}", if *serious { "error" } else { "warning" });
    }
    for p in &report.outputs {
        println!("wrote {}", p.display());
    }
    let c = report.counts;
    println!(
        "cells read {} = numbers {} + keys {} + empty {}; cells with a value not read: {}",
        c.total(),
        c.numbers,
        c.keys,
        c.empty,
        report.skipped.iter().map(|s| s.cells).sum::<usize>()
    );
    if !report.unreadable.is_empty() {
        println!(
            "cells that could not be read (counted as empty): {}",
            report.unreadable.len()
        );
    }
    if report.has_findings() {
        eprintln!(
            "error: the CSVs were written but lack what is listed above (values not placed, cells not read, rows or columns missing)"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn convert(args: ConvertArgs) -> Result<ExitCode> {
    use airinv::cmd::convert;
    let report = convert::run(&convert::ConvertOptions {
        source: args.source,
        mapping: args.mapping,
        out: args.out,
        sheet: args.sheet,
    })?;
    print!("{}", report.summary);
    for p in &report.outputs {
        println!("wrote {}", p.display());
    }
    Ok(if report.conversion.findings() == 0 {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "{} finding(s): unmapped cells that are not zero, or subtotals that differ from their parts (see the report)",
            report.conversion.findings()
        );
        ExitCode::from(1)
    })
}

/// Shows rows/s, bytes read and the time left on stderr, from the second
/// second of a run on; returns the stop flag and the display thread.
fn progress_display(
    progress: std::sync::Arc<airinv::stream::Progress>,
) -> (
    std::sync::Arc<std::sync::atomic::AtomicBool>,
    std::thread::JoinHandle<()>,
) {
    use std::sync::atomic::{AtomicBool, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let handle = std::thread::spawn(move || {
        let start = std::time::Instant::now();
        let mut shown = false;
        while !flag.load(Ordering::Relaxed) {
            std::thread::sleep(std::time::Duration::from_millis(200));
            let elapsed = start.elapsed().as_secs_f64();
            if elapsed < 1.5 {
                continue;
            }
            let bytes = progress.bytes.load(Ordering::Relaxed) as f64;
            let total = progress.total_bytes.load(Ordering::Relaxed) as f64;
            let rows = progress.rows.load(Ordering::Relaxed) as f64;
            let eta = if bytes > 0.0 && total > bytes {
                (total - bytes) / (bytes / elapsed)
            } else {
                0.0
            };
            eprint!(
                "\r{:>8.0} rows/s  {:>7.1} of {:.1} MB read  {:>4.0} s left ",
                rows / elapsed,
                bytes / 1e6,
                total / 1e6,
                eta
            );
            shown = true;
        }
        if shown {
            eprint!("\r{:70}\r", "");
        }
    });
    (stop, handle)
}

fn compile(args: CompileArgs) -> Result<ExitCode> {
    use airinv::cmd::compile;
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    let progress = std::sync::Arc::new(airinv::stream::Progress::default());
    let display = (!args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .then(|| progress_display(progress.clone()));
    let result = compile::run(&airinv::compile::CompileOptions {
        source: args.source,
        out: args.out,
        factors: args.factors,
        detail: match args.detail {
            DetailArg::Keys => airinv::lineage::Detail::Keys,
            DetailArg::Rows => airinv::lineage::Detail::Rows,
        },
        keep_going: args.keep_going,
        country: args.country,
        reporting_date: args.reporting_date,
        csv: csv_options(
            args.delimiter.as_deref(),
            args.decimal_comma,
            args.encoding.as_deref(),
        )?,
        progress: Some(progress.clone()),
    });
    if let Some((stop, handle)) = display {
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let _ = handle.join();
    }
    let report = result?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    if !report.rejected.is_empty() {
        eprintln!("{} input row(s) rejected:", report.counts.rejected);
        for r in report.rejected.iter().take(20) {
            eprintln!("  {r}");
        }
        if report.rejected.len() > 20 {
            eprintln!(
                "  ... and {} more, all listed in rejected.csv",
                report.rejected.len() - 20
            );
        }
    }
    for line in &report.summary {
        println!("{line}");
    }
    for p in &report.outputs {
        println!("wrote {}", p.display());
    }
    println!(
        "rows read {} = used {} + rejected {}",
        report.counts.read, report.counts.used, report.counts.rejected
    );
    for line in report.keys.lines() {
        println!("{line}");
    }
    if !report.written {
        eprintln!(
            "error: the inventory was not written because input rows were rejected; fix them (see rejected.csv) or run with --keep-going"
        );
        return Ok(ExitCode::from(2));
    }
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn report(args: ReportArgs) -> Result<ExitCode> {
    use airinv::cmd::report::{self, Lang, Options};
    let lang = Lang::parse(&args.lang)
        .ok_or_else(|| anyhow::anyhow!("--lang {}: the languages are en and ru", args.lang))?;
    let outcome = report::run(&Options {
        source: args.source,
        out: args.out,
        year: args.year,
        base: args.base,
        previous: args.previous,
        party: args.party,
        lang,
    })?;
    println!(
        "wrote {} ({} files beside it)",
        outcome.page.display(),
        outcome.files.len() - 1
    );
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> Result<ExitCode> {
    use airinv::cmd::check;
    let report = check::run(&check::CheckOptions {
        source: args.source,
        previous: args.previous,
        recalculations: args.recalculations,
    })?;
    let text = match args.format {
        CheckFormatArg::Text => check::text(&report),
        CheckFormatArg::Json => check::json(&report),
        CheckFormatArg::Csv => check::csv(&report),
    };
    print!("{text}");
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The forced CSV settings of the command line.
fn csv_options(
    delimiter: Option<&str>,
    decimal_comma: bool,
    encoding: Option<&str>,
) -> Result<airinv::sheet::CsvOptions> {
    use airinv::sheet::{CsvOptions, TextEncoding, parse_delimiter};
    Ok(CsvOptions {
        delimiter: delimiter
            .map(parse_delimiter)
            .transpose()
            .map_err(|e| anyhow::anyhow!("--delimiter: {e}"))?,
        decimal_comma: decimal_comma.then_some(true),
        encoding: encoding
            .map(|e| {
                TextEncoding::parse(e).ok_or_else(|| {
                    anyhow::anyhow!(
                        "--encoding: '{e}' is not an encoding airinv reads; the encodings are {}",
                        TextEncoding::NAMES
                    )
                })
            })
            .transpose()?,
    })
}

fn factors(args: FactorsArgs) -> Result<ExitCode> {
    use airinv::cmd::factors;
    if let Some(FactorsCommand::Import { export, out }) = args.command {
        let report = factors::import(&export, &out)?;
        println!("{report}");
        return Ok(ExitCode::SUCCESS);
    }
    if args.coverage {
        let (table, summary) = factors::coverage()?;
        print!("{table}");
        eprint!("{summary}");
        return Ok(ExitCode::SUCCESS);
    }
    if args.problems {
        print!(
            "{}",
            factors::problems(args.export.as_deref(), args.code.as_deref())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let text = factors::lookup(&factors::Lookup {
        code: args.code,
        fuel: args.fuel,
        technology: args.technology,
        pollutant: args.pollutant,
        tier: args.tier,
        db: args.db,
        format: match args.format {
            FactorsFormatArg::Text => factors::Format::Text,
            FactorsFormatArg::Csv => factors::Format::Csv,
            FactorsFormatArg::Json => factors::Format::Json,
        },
    })?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
