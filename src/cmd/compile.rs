//! `airinv compile`: an inventory folder (or one activity file) to the
//! Annex I workbook, its CSVs, the lineage and the run record.
//!
//! The pipeline (read → match factors → calculate → aggregate) and the
//! writing of its outputs are the library's [`airinv::compile`]. Outputs are
//! written only when every input row was used (or `--keep-going` is given),
//! each file atomically.

use airinv::compile::{CompileOptions, compute, write};
use airinv::lineage::Detail;
use airinv::sheet::{CsvOptions, TextEncoding, parse_delimiter};
use airinv::stream::Progress;
use airinv::{Source, compile};
use anyhow::{Result, anyhow};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(clap::Args)]
pub struct Args {
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
    detail: Detail,
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

pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()?;
    }
    let progress = Arc::new(Progress::default());
    let opts = CompileOptions {
        out: args.out,
        factors: args.factors,
        detail: args.detail,
        keep_going: args.keep_going,
        country: args.country,
        reporting_date: args.reporting_date,
        csv: csv_options(
            args.delimiter.as_deref(),
            args.decimal_comma,
            args.encoding.as_deref(),
        )?,
        progress: Some(progress.clone()),
    };
    let source = Source::open_activity(&args.source)?;
    let inventory = source
        .inventory()
        .expect("an activity source has an inventory");
    let display = (!args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .then(|| progress_display(progress.clone()));
    let compiled = compute(inventory, &opts);
    if let Some((stop, handle)) = display {
        stop.store(true, Ordering::Relaxed);
        let _ = handle.join();
    }
    let report = write(&opts, inventory, compiled?)?;
    if !report.written {
        // The first line says what happened; no totals of what was not written.
        eprintln!(
            "error: the inventory was not written: {} input row(s) were rejected; fix them (listed below and in rejected.csv) or run with --keep-going to write it without them",
            report.counts.rejected
        );
    }
    print_report(&report);
    if !report.written {
        return Ok(ExitCode::from(2));
    }
    Ok(if report.rejected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn print_report(report: &compile::CompileReport) {
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
    if report.written {
        for line in &report.totals {
            println!("{line}");
        }
    }
    for p in &report.outputs {
        println!("wrote {}", p.display());
    }
    let blank = match report.counts.empty {
        0 => String::new(),
        n => format!("; {n} blank line(s) skipped as blank"),
    };
    println!(
        "rows read {} = used {} + rejected {}{blank}",
        report.counts.read, report.counts.used, report.counts.rejected
    );
    if report.written {
        for line in report.keys.lines() {
            println!("{line}");
        }
    }
    for line in airinv::without_factor::lines(&report.without_factor) {
        println!("{line}");
    }
}

/// The forced CSV settings of the command line.
fn csv_options(
    delimiter: Option<&str>,
    decimal_comma: bool,
    encoding: Option<&str>,
) -> Result<CsvOptions> {
    Ok(CsvOptions {
        delimiter: delimiter
            .map(parse_delimiter)
            .transpose()
            .map_err(|e| anyhow!("--delimiter: {e}"))?,
        decimal_comma: decimal_comma.then_some(true),
        encoding: encoding
            .map(|e| {
                TextEncoding::parse(e).ok_or_else(|| {
                    anyhow!(
                        "--encoding: '{e}' is not an encoding airinv reads; the encodings are {}",
                        TextEncoding::NAMES
                    )
                })
            })
            .transpose()?,
    })
}

/// Shows rows/s, bytes read and the time left on stderr, from the second
/// second of a run on; returns the stop flag and the display thread.
fn progress_display(progress: Arc<Progress>) -> (Arc<AtomicBool>, std::thread::JoinHandle<()>) {
    let stop = Arc::new(AtomicBool::new(false));
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
