//! `airinv ratification OPTIONS --out DIR`: ratification options side by
//! side (a new verb rather than `scenario` with an options file: an option
//! is a set of requirements run on a scenario, and its outputs compare
//! options, not scenarios); writes `options.csv`, `options_measures.csv`,
//! `ratification.json` and `ratification.xlsx`, and prints the table.

use airinv::output::Format;
use airinv::ratification::{self, Comparison};
use anyhow::{Result, bail};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The options file (TOML: [[option]] with protocols, party, commitments or ceilings, base_year, years, scenario).
    options: PathBuf,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
    /// What is printed: the table or JSON (ratification.json).
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(opts: Args) -> Result<ExitCode> {
    if opts.format == Format::Csv {
        bail!(
            "--format csv: ratification prints a table or json; its tables are options.csv and options_measures.csv in --out"
        );
    }
    let options = ratification::file::load(&opts.options)?;
    let cmp = ratification::run(&options, None)?;
    let mut inputs = vec![opts.options.clone()];
    inputs.extend(options.options.iter().map(|o| o.scenario.clone()));
    let mut out = airinv::output::OutputDir::open(&opts.out, &inputs)?;
    ratification::report::write_csvs(
        &out.file("options.csv")?,
        &out.file("options_measures.csv")?,
        &cmp,
    )?;
    ratification::report::write_xlsx(&out.file("ratification.xlsx")?, &cmp)?;
    airinv::output::write_json(&out.file("ratification.json")?, &cmp)?;
    let written = out.commit(Some("ratification.json"), true)?;
    match opts.format {
        Format::Json => print!("{}", airinv::output::json_text(&cmp)),
        _ => print!("{}", table(&cmp)),
    }
    for p in &written {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// A number for people: 4 significant digits.
fn show(d: Option<Decimal>) -> String {
    d.map(|d| airinv::number::show(d, 4))
        .unwrap_or_else(|| "-".into())
}

/// The options table: one line per option, year and requirement.
fn table(cmp: &Comparison) -> String {
    let mut s = format!("Ratification options of {}\n", cmp.file);
    let mut rows: Vec<Vec<String>> = vec![
        [
            "option",
            "year",
            "requirement",
            "base",
            "ceiling",
            "existing",
            "least cost",
            "met",
            "cost/yr",
            "cost/t",
            "marginal/t",
            "drives",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut notes: Vec<String> = Vec::new();
    for o in &cmp.options {
        if let Some(l) = &o.limits {
            notes.push(format!("{}: {}", o.name, l.note));
        }
        for y in &o.years {
            for (i, r) in y.requirements.iter().enumerate() {
                let what_if = if r.what_if.is_some() { "*" } else { "" };
                rows.push(vec![
                    if i == 0 {
                        o.name.clone()
                    } else {
                        String::new()
                    },
                    if i == 0 {
                        y.year.to_string()
                    } else {
                        String::new()
                    },
                    format!("{} {}{what_if}", r.pollutant.id(), r.requirement),
                    show(r.base_emission),
                    show(Some(r.ceiling)),
                    format!(
                        "{}{}",
                        show(Some(r.existing)),
                        if r.existing_met { "" } else { " (over)" }
                    ),
                    show(Some(r.emission)),
                    match (r.met, r.best_reachable) {
                        (true, _) => "yes".into(),
                        (false, Some(b)) => format!("no, best {}", show(Some(b))),
                        (false, None) => "no".into(),
                    },
                    show(Some(r.annual_cost)),
                    show(r.cost_per_t),
                    match r.marginal_cost_per_t {
                        Some(m) => show(Some(m)),
                        None if !r.met => "at limit".into(),
                        None => "-".into(),
                    },
                    if r.drives_cost { "yes" } else { "" }.into(),
                ]);
            }
            rows.push(vec![
                String::new(),
                String::new(),
                format!(
                    "total: {} {}/yr, {}",
                    show(Some(y.annual_cost)),
                    o.currency,
                    if y.feasible {
                        "every requirement met"
                    } else {
                        "NOT every requirement met"
                    }
                ),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    s.push_str(&super::columns(&rows, ""));
    let currency: Vec<String> = cmp
        .options
        .iter()
        .map(|o| {
            format!(
                "{}{}",
                o.currency,
                o.price_year.map(|y| format!(" of {y}")).unwrap_or_default()
            )
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    s.push_str(&format!(
        "\nEmissions in each pollutant's template unit (kt; t for Pb, Cd, Hg, PAH1-4; g I-TEQ for PCDD/F; kg for HCB); costs in {} a year; existing: with the decided measures only; * a what-if base year (not the Protocol's: 2005 for Gothenburg, 1990 or 1985-1995 for Heavy Metals and POPs)\n",
        currency.join(", ")
    ));
    for n in notes {
        s.push_str(&format!("note: {n}\n"));
    }
    s
}
