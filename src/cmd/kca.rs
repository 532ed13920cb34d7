//! `airinv kca`: key category analysis (level, trend, and Approach 2 when
//! the source has the lineage to give each row's uncertainty) of any source
//! of Annex I tables, as a table, CSV or JSON, with an optional Pareto chart.

use airinv::kca::{self, PollutantKca, RowUncertainties};
use airinv::number::{format_decimal, show};
use airinv::output::Format;
use airinv::source::{Source, Tables, YearTable, missing_year};
use anyhow::Result;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files), an activity file's output or an Annex I workbook.
    source: PathBuf,
    /// The year to analyse.
    #[arg(long)]
    year: i32,
    /// Base year of the trend assessment.
    #[arg(long)]
    base: Option<i32>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Draw the Pareto chart of the key categories (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
    /// Uncertainties for Approach 2, as `airinv uncertainty --uncertainties` takes them. Repeatable.
    #[arg(long)]
    uncertainties: Vec<PathBuf>,
}

/// The table of a year among a source's years, or an error naming the years it has.
fn year_table(tables: &[YearTable], year: i32, source: &Path) -> airinv::Result<usize> {
    tables
        .iter()
        .position(|t| t.table.header.year == year)
        .ok_or_else(|| missing_year(source, year, tables.iter().map(|t| t.table.header.year)))
}

pub fn run(opts: Args) -> Result<ExitCode> {
    // An inventory folder is compiled once: its tables and its lineage.
    let source = Source::open(&opts.source)?;
    let Tables {
        years: tables,
        compiled,
    } = source.tables()?;
    let y = year_table(&tables, opts.year, &opts.source)?;
    let b = opts
        .base
        .map(|b| year_table(&tables, b, &opts.source))
        .transpose()?;
    // Approach 2 weighs by each row's uncertainty, as `airinv uncertainty`
    // computes it: from the lineage of an inventory folder, else from the
    // defaults per row (and the uncertainty files given).
    let lineage = match (compiled, source.inventory()) {
        (Some(c), Some(inv)) => Some(airinv::uncertainty::lineage_of(c, inv)?),
        _ => None,
    };
    let all: Vec<&airinv::Annex1Year> = tables.iter().map(|t| &t.table).collect();
    let uncertainties: RowUncertainties = airinv::uncertainty::key_uncertainties(
        &all,
        lineage.as_ref(),
        &opts.source,
        &airinv::uncertainty::Options {
            year: opts.year,
            base: opts.base,
            uncertainties: opts.uncertainties.clone(),
            ..Default::default()
        },
    )?;
    let analyses = kca::analyse(
        &tables[y].table,
        b.map(|b| &tables[b].table),
        Some(&uncertainties),
    );
    let text = match opts.format {
        Format::Table => table(&analyses, &tables[y].origin),
        Format::Csv => csv_text(&analyses),
        Format::Json => json(&analyses),
    };
    let plot = match &opts.plot {
        None => None,
        Some(path) => {
            airinv::chart::key_categories::write(path, &analyses, opts.year)?;
            Some(path.clone())
        }
    };
    print!("{text}");
    if let Some(p) = plot {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A share for people: 4 significant digits.
fn pct(d: Decimal) -> String {
    show(d, 4)
}

fn opt_pct(d: Option<Decimal>) -> String {
    d.map(pct).unwrap_or_else(|| "-".into())
}

fn table(analyses: &[PollutantKca], origin: &str) -> String {
    let mut s = String::new();
    if let Some(first) = analyses.first() {
        s.push_str(&format!(
            "Key categories {}{} (Approach 1{}; threshold {} %); {origin}\n",
            first.year,
            first
                .base
                .map(|b| format!(", trend against {b}"))
                .unwrap_or_default(),
            if first
                .categories
                .iter()
                .any(|c| c.approach2.as_ref().is_some_and(|a| a.level_u.is_some()))
            {
                " and 2"
            } else {
                ""
            },
            kca::THRESHOLD_PCT
        ));
    }
    for k in analyses {
        s.push_str(&format!(
            "\n{} ({}): total {}{}\n",
            k.pollutant.id(),
            k.pollutant.unit(),
            show(k.total, 4),
            k.base_total
                .map(|b| format!(", {} in {}", show(b, 4), k.base.unwrap_or_default()))
                .unwrap_or_default()
        ));
        let mut rows = vec![vec![
            "code".to_string(),
            "emission".into(),
            "level %".into(),
            "cumul. %".into(),
            "trend %".into(),
            "U %".into(),
            "key".into(),
            "name".into(),
        ]];
        for c in k.key_categories() {
            rows.push(vec![
                c.code.to_string(),
                show(c.emission, 4),
                pct(c.level),
                pct(c.cumulative),
                opt_pct(c.trend_share()),
                opt_pct(c.approach2.as_ref().map(|a| a.uncertainty_pct)),
                c.criteria.clone(),
                c.name.to_string(),
            ]);
        }
        s.push_str(&super::columns(&rows, "  "));
        let n = k.categories.len();
        let keys = k.key_categories().count();
        s.push_str(&format!(
            "  {keys} key categor{} of {n} with emissions\n",
            if keys == 1 { "y" } else { "ies" }
        ));
    }
    s
}

fn opt(d: Option<Decimal>) -> String {
    d.map(format_decimal).unwrap_or_default()
}

fn csv_text(analyses: &[PollutantKca]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record([
        "pollutant",
        "unit",
        "year",
        "code",
        "name",
        "emission",
        "level_pct",
        "cumulative_pct",
        "key_level",
        "base_year",
        "base_emission",
        "trend_pct",
        "trend_cumulative_pct",
        "key_trend",
        "uncertainty_pct",
        "level_u_pct",
        "key_level_u",
        "trend_u_pct",
        "key_trend_u",
        "key",
    ]);
    for k in analyses {
        for c in &k.categories {
            let t = c.trend.as_ref();
            let a2 = c.approach2.as_ref();
            let t2 = a2.and_then(|a| a.trend.as_ref());
            let _ = w.write_record([
                k.pollutant.id(),
                k.pollutant.unit(),
                &k.year.to_string(),
                c.code,
                c.name,
                &format_decimal(c.emission),
                &format_decimal(c.level),
                &format_decimal(c.cumulative),
                &c.key_level.to_string(),
                &k.base.map(|b| b.to_string()).unwrap_or_default(),
                &opt(t.map(|t| t.base_emission)),
                &opt(c.trend_share()),
                &opt(t.and_then(|t| t.trend_cumulative)),
                &c.key_trend().to_string(),
                &opt(a2.map(|a| a.uncertainty_pct)),
                &opt(a2.and_then(|a| a.level_u)),
                &a2.is_some_and(|a| a.key_level_u).to_string(),
                &opt(t2.and_then(|t| t.trend_u)),
                &t2.is_some_and(|t| t.key_trend_u).to_string(),
                &c.criteria,
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The analyses as JSON: `{"pollutants": [...]}`.
fn json(analyses: &[PollutantKca]) -> String {
    #[derive(serde::Serialize)]
    struct Json<'a> {
        pollutants: &'a [PollutantKca],
    }
    airinv::output::json_text(&Json {
        pollutants: analyses,
    })
}
