//! The `airinv` command line: parses arguments, calls the library, prints
//! its reports and maps the outcome to an exit code (0 ok, 1 findings or
//! rejected input, 2 unusable input).

use anyhow::Result;
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
    /// Import a filled Annex I workbook (a past submission): annex1_<YEAR>.csv per year sheet and annex1.xlsx.
    Import(ImportArgs),
    /// Check an inventory before submission: completeness, notation keys, sums, consistency, implied factors, time series, recalculations.
    Check(CheckArgs),
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
struct CheckArgs {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files) or an Annex I workbook.
    source: PathBuf,
    /// Output format of the findings.
    #[arg(long, value_enum, default_value = "text")]
    format: FormatArg,
    /// The previous submission of the same years: list every cell that changed (recalculations).
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Write the recalculation table (every changed cell) to this CSV file.
    #[arg(long, requires = "previous")]
    recalculations: Option<PathBuf>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Text,
    Json,
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
    #[arg(long, value_enum, default_value = "rows")]
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
    /// With --problems: import this EEA export and list its problems instead of the embedded list.
    #[arg(long, requires = "problems")]
    export: Option<PathBuf>,
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
        Command::Import(args) => import(args),
        Command::Check(args) => check(args),
    }
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
    if report.lost_data() {
        eprintln!(
            "error: some table cells were not read (skipped above, in rows whose code is not a row of the Annex I template); the CSVs lack them"
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn compile(args: CompileArgs) -> Result<ExitCode> {
    use airinv::cmd::compile;
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    let report = compile::run(&compile::CompileOptions {
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
    })?;
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

fn check(args: CheckArgs) -> Result<ExitCode> {
    use airinv::cmd::check;
    let report = check::run(&check::CheckOptions {
        source: args.source,
        previous: args.previous,
        recalculations: args.recalculations,
    })?;
    match args.format {
        FormatArg::Text => print!("{}", check::text(&report)),
        FormatArg::Json => print!("{}", check::json(&report)),
    }
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
    if args.problems {
        print!("{}", factors::problems(args.export.as_deref())?);
        return Ok(ExitCode::SUCCESS);
    }
    let text = factors::lookup(&factors::Lookup {
        code: args.code,
        fuel: args.fuel,
        technology: args.technology,
        pollutant: args.pollutant,
        tier: args.tier,
        db: args.db,
    })?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
