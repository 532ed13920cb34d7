//! `airinv compare`: a year against the protocols' base years and
//! commitments, as a table, CSV or JSON, with an optional picture.

use airinv::Source;
use airinv::commitment::{self, PROTOCOL_POLLUTANTS};
use airinv::compare::{self, By, Comparison, Options};
use airinv::number::format_decimal;
use airinv::output::Format;
use anyhow::Result;
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An inventory folder, an output folder (annex1_<YEAR>.csv files) or an Annex I workbook.
    source: PathBuf,
    /// The year to compare.
    #[arg(long)]
    year: i32,
    /// Base year of every protocol: for Heavy Metals and POPs a year from 1985 to 1995 is the Party's
    /// choice; any other year of the series is a what-if, labelled as such (default: 2005, 1990).
    #[arg(long)]
    base: Option<i32>,
    /// Party (ISO2) whose Gothenburg commitments apply; default: the inventory's country.
    #[arg(long)]
    party: Option<String>,
    /// A scenario of commitments (CSV: pollutant,reduction_pct[,base_year,source] or TOML [[commitment]]).
    #[arg(long)]
    commitments: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Each sector's share of the change, by NFR row or GNFR sector.
    #[arg(long, value_enum)]
    by: Option<By>,
    /// Draw the series against base-year levels and commitments (.svg or .png).
    #[arg(long)]
    plot: Option<PathBuf>,
}

pub fn run(opts: Args) -> Result<ExitCode> {
    let source = Source::open(&opts.source)?;
    // What reading a workbook went around (values not placed, cells not
    // read, rows missing), one line each, said beside the result.
    let reading = source.notes();
    let tables = source.tables()?.years;
    let scenario = match &opts.commitments {
        Some(p) => commitment::read_file(p)?,
        None => Vec::new(),
    };
    // The Party: as given, else the inventory's country when it has commitments.
    let party = opts
        .party
        .clone()
        .map(|p| p.trim().to_ascii_uppercase())
        .or_else(|| {
            tables
                .iter()
                .map(|t| t.table.header.country.trim().to_ascii_uppercase())
                .find(|c| commitment::party_name(c).is_some())
        });
    let cmp = compare::compare(
        &tables,
        &Options {
            year: opts.year,
            base: opts.base,
            party,
            scenario,
            by: opts.by,
        },
    )?;
    let text = match opts.format {
        Format::Table => table(&cmp),
        Format::Csv => csv_text(&cmp),
        Format::Json => airinv::output::json_text(&cmp),
    };
    let plot_path = match &opts.plot {
        None => None,
        Some(path) => {
            airinv::chart::protocols::write(path, &cmp, &tables)?;
            Some(path.clone())
        }
    };
    for line in &reading {
        eprintln!("note: {line}");
    }
    print!("{text}");
    if let Some(p) = plot_path {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A number for people: rounded to 4 significant digits.
fn human(d: Option<Decimal>) -> String {
    d.map(|d| airinv::number::show(d, 4))
        .unwrap_or_else(|| "-".into())
}

fn pct(d: Option<Decimal>) -> String {
    d.map(|p| format!("{:+}", p.round_dp(1)))
        .unwrap_or_else(|| "-".into())
}

fn table(cmp: &Comparison) -> String {
    let mut s = String::new();
    s.push_str(&format!(
        "Year {} against protocol base years{}\nTotal used: {} ({})\n\n",
        cmp.year,
        cmp.party
            .as_ref()
            .map(|p| format!(
                ", commitments of {} ({p})",
                commitment::party_name(p).unwrap_or_else(|| p.clone())
            ))
            .unwrap_or_default(),
        cmp.total_used.row_code(),
        cmp.total_reason
    ));
    let header = [
        "pollutant",
        "unit",
        "protocol",
        "base",
        "base value",
        "year",
        "value",
        "change %",
        "commitment",
        "ceiling",
        "gap",
        "status",
    ];
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    for l in &cmp.lines {
        let gap = match l.gap {
            Some(g) if g > Decimal::ZERO => format!("{} to cut", human(Some(g))),
            Some(g) => format!("margin {}", human(Some(-g))),
            None => "-".into(),
        };
        rows.push(vec![
            l.pollutant.id().to_string(),
            l.unit.to_string(),
            l.protocol.name().to_string(),
            match &l.what_if {
                Some(_) => format!("{} what-if", l.base_year),
                None => l.base_year.to_string(),
            },
            human(l.base),
            l.year.to_string(),
            human(l.value),
            pct(l.change_pct),
            l.commitment
                .as_ref()
                .map(|c| c.describe())
                .unwrap_or_else(|| "unknown".into()),
            human(l.ceiling),
            gap,
            l.status.as_str().to_string(),
        ]);
    }
    s.push_str(&super::columns(&rows, ""));
    let mut notes: Vec<String> = cmp
        .lines
        .iter()
        .filter(|l| !l.note.is_empty())
        .map(|l| format!("  {}: {}", l.pollutant, l.note))
        .collect();
    // What-if base years, once per protocol.
    let mut said = Vec::new();
    for l in &cmp.lines {
        if let Some(w) = &l.what_if
            && !said.contains(&l.protocol)
        {
            said.push(l.protocol);
            notes.push(format!(
                "  {}: base year {} is a {w}",
                l.protocol.name(),
                l.base_year
            ));
        }
    }
    if !notes.is_empty() {
        s.push_str("\nNotes:\n");
        s.push_str(&notes.join("\n"));
        s.push('\n');
    }
    let sources: Vec<String> = cmp
        .lines
        .iter()
        .filter_map(|l| {
            l.commitment
                .as_ref()
                .map(|c| format!("  {}: {} ({})", l.pollutant, c.source, c.of.label()))
        })
        .collect();
    if !sources.is_empty() {
        s.push_str("\nCommitments:\n");
        s.push_str(&sources.join("\n"));
        s.push('\n');
    }
    if !cmp.sectors.is_empty() {
        s.push_str("\nShare of each sector in the change:\n");
        for (p, _) in PROTOCOL_POLLUTANTS {
            let mut lines: Vec<&compare::SectorChange> =
                cmp.sectors.iter().filter(|c| c.pollutant == p).collect();
            if lines.is_empty() {
                continue;
            }
            lines.sort_by_key(|c| std::cmp::Reverse(c.change.abs()));
            s.push_str(&format!("  {p}:\n"));
            for c in lines.iter().take(10) {
                s.push_str(&format!(
                    "    {:<24} {:>12} → {:>12}  change {:>12}  share {}\n",
                    c.sector,
                    human(Some(c.base)),
                    human(Some(c.value)),
                    human(Some(c.change)),
                    c.share_pct
                        .map(|p| format!("{} %", p.round_dp(1)))
                        .unwrap_or_else(|| "-".into())
                ));
            }
        }
    }
    s.push_str("\nYears of the series:\n");
    for o in &cmp.origins {
        s.push_str(&format!("  {}: {}\n", o.year, o.source));
    }
    s
}

fn opt(d: Option<Decimal>) -> String {
    d.map(format_decimal).unwrap_or_default()
}

fn csv_text(cmp: &Comparison) -> String {
    let mut w = airinv::output::csv_writer(Vec::new());
    let _ = w.write_record([
        "pollutant",
        "unit",
        "protocol",
        "total",
        "base_year",
        "base",
        "year",
        "value",
        "change_pct",
        "reduction_pct",
        "ceiling",
        "gap",
        "status",
        "note",
        "commitment_source",
        "protocol_base_year",
        "what_if",
    ]);
    for l in &cmp.lines {
        let _ = w.write_record([
            l.pollutant.id(),
            l.unit,
            l.protocol.name(),
            cmp.total_used.row_code(),
            &l.base_year.to_string(),
            &opt(l.base),
            &l.year.to_string(),
            &opt(l.value),
            &opt(l.change_pct),
            &l.commitment
                .as_ref()
                .and_then(|c| c.reduction_pct)
                .map(format_decimal)
                .unwrap_or_default(),
            &opt(l.ceiling),
            &opt(l.gap),
            l.status.as_str(),
            &l.note,
            &l.commitment
                .as_ref()
                .map(|c| c.source.clone())
                .unwrap_or_default(),
            &l.protocol_base_year.to_string(),
            l.what_if.as_deref().unwrap_or(""),
        ]);
    }
    if !cmp.sectors.is_empty() {
        let _ = w.write_record([""; 17]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default() + &sector_csv(cmp)
}

fn sector_csv(cmp: &Comparison) -> String {
    if cmp.sectors.is_empty() {
        return String::new();
    }
    let mut w = airinv::output::csv_writer(Vec::new());
    let _ = w.write_record([
        "pollutant",
        "sector",
        "base",
        "value",
        "change",
        "share_pct",
    ]);
    for c in &cmp.sectors {
        let _ = w.write_record([
            c.pollutant.id(),
            &c.sector,
            &format_decimal(c.base),
            &format_decimal(c.value),
            &format_decimal(c.change),
            &opt(c.share_pct),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
