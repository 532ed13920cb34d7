//! The `airinv` command line: parses the arguments, runs the command (see
//! [`cmd`]) and maps the outcome to an exit code: 0 ok, 1 findings or
//! rejected input, 2 unusable input.

mod cmd;

use clap::{Parser, Subcommand};
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
    Compile(cmd::compile::Args),
    /// Look up, import and check emission factors.
    Factors(cmd::factors::Args),
    /// Compare a year with the protocols' base years and commitments (Gothenburg, Heavy Metals, POPs).
    Compare(cmd::compare::Args),
    /// Import a filled Annex I workbook (a past submission): annex1_<YEAR>.csv per year sheet and annex1.xlsx.
    Import(cmd::import::Args),
    /// Convert a sheet laid out for people (an energy balance) into an activity file, with a mapping.
    Convert(cmd::convert::Args),
    /// Check an inventory before submission: completeness, notation keys, sums, consistency, implied factors, time series, recalculations.
    Check(cmd::check::Args),
    /// Project scenarios (WM, WAM) from a compiled base year with measures and their costs; --optimize finds the least-cost shares meeting the targets.
    Scenario(cmd::scenario::Args),
    /// Ratification options side by side: what each requires, with existing measures, at least cost, its marginal costs.
    Ratification(cmd::ratification::Args),
    /// The Informative Inventory Report's material in one page: summary, trends, key categories, methods, notation keys, recalculations, uncertainty, data quality.
    Report(cmd::report::Args),
    /// Key category analysis: level, trend (with --base) and, for inventory folders, Approach 2.
    Kca(cmd::kca::Args),
    /// Uncertainty of the totals and the trend: Approach 1 (error propagation) and Monte Carlo.
    Uncertainty(cmd::uncertainty::Args),
    /// Plants against emission limit values (a protocol's, the EU's or your own): the gap by plant and pollutant, the tonnes to remove and the cheapest measures.
    Plants(cmd::plants::Args),
    /// Where a number comes from: one cell of a compile's output (2022!E14), from its detail.csv lines, the rows summed into it, or the reasons for its notation key.
    Explain(cmd::explain::Args),
}

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Compile(args) => cmd::compile::run(args),
        Command::Factors(args) => cmd::factors::run(args),
        Command::Compare(args) => cmd::compare::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Convert(args) => cmd::convert::run(args),
        Command::Check(args) => cmd::check::run(args),
        Command::Scenario(args) => cmd::scenario::run(args),
        Command::Ratification(args) => cmd::ratification::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Kca(args) => cmd::kca::run(args),
        Command::Uncertainty(args) => cmd::uncertainty::run(args),
        Command::Explain(args) => cmd::explain::run(args),
        Command::Plants(args) => cmd::plants::run(args),
    };
    outcome.unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        ExitCode::from(2)
    })
}
