//! `airinv report`: the Informative Inventory Report's material in one page
//! (see [`airinv::report`]).

use airinv::Source;
use airinv::report::{Options, i18n::Lang};
use anyhow::Result;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
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
    /// The language of the page's texts.
    #[arg(long, value_enum, default_value = "en", ignore_case = true)]
    lang: Lang,
    /// The output folder of `airinv scenario`: the options side by side, their measures and costs.
    #[arg(long)]
    scenarios: Option<PathBuf>,
    /// The output folder of the ratification run: its tables.
    #[arg(long)]
    ratification: Option<PathBuf>,
    /// The plants' limit-value gaps (plant-gaps.csv, or its folder).
    #[arg(long)]
    plants: Option<PathBuf>,
}

/// Writes `OUT/index.html` with its charts and tables.
pub fn run(args: Args) -> Result<ExitCode> {
    let written = airinv::report::write(
        &Source::open(&args.source)?,
        &Options {
            out: args.out,
            year: args.year,
            base: args.base,
            previous: args.previous,
            party: args.party,
            lang: args.lang,
            scenarios: args.scenarios,
            ratification: args.ratification,
            plants: args.plants,
        },
    )?;
    println!(
        "wrote {} ({} files beside it)",
        written.page.display(),
        written.files.len() - 1
    );
    Ok(ExitCode::SUCCESS)
}
