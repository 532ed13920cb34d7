//! `airinv plants SOURCE --limits SET`: the plants of an inventory's
//! register against a set of emission limit values (a shipped set or a
//! file): per plant, pollutant and year the limit that applies and why,
//! the concentration (measured or implied by the emission factors), the
//! excess, the tonnes to remove, the cheapest measure of the library that
//! removes them and its annual cost; and the national summary. Writes
//! `plant-gaps.csv`, `plant-gaps.xlsx` and `summary.json` into `--out`.

use airinv::compliance::{self, Assessment, Costing};
use airinv::limits::LimitSet;
use airinv::number::{format_decimal, show};
use airinv::output::Format;
use airinv::scenario::limits::LibraryCosting;
use airinv::source::Source;
use anyhow::{Result, bail};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An inventory folder whose inventory.toml names a plant register (plants = ["plants.csv"]).
    source: PathBuf,
    /// The limit values: protocols-1999 (Gothenburg 1999 and Heavy Metals 1998, original texts), eu-ied-fr-2013 (EU IED Annex V as France transposed it), or a file of the same columns.
    #[arg(long)]
    limits: String,
    /// The year assessed (default: the register's last).
    #[arg(long)]
    year: Option<i32>,
    /// The year the Party ratifies (a protocol's new and existing plants and the year its limits apply count from it).
    #[arg(long)]
    ratification_year: Option<i32>,
    /// A scenario file whose discount rate, currency, price year, exchange rates and price index cost the measures (default: the library's USD of each measure's year at --discount-rate).
    #[arg(long)]
    prices: Option<PathBuf>,
    /// The discount rate that annualises investments when --prices is not given.
    #[arg(long, default_value = "0.04")]
    discount_rate: Decimal,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
    /// What is printed: the table or JSON (summary.json); the CSV is written into --out.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

pub fn run(opts: Args) -> Result<ExitCode> {
    if opts.format == Format::Csv {
        bail!("--format csv: plants prints a table or json; its table is plant-gaps.csv in --out");
    }
    if opts.discount_rate <= Decimal::ZERO || opts.discount_rate >= Decimal::ONE {
        bail!(
            "--discount-rate {}: a rate per year as a fraction above 0 and below 1 (0.04 for 4 %)",
            opts.discount_rate
        );
    }
    let source = Source::open_activity(&opts.source)?;
    let Some(inv) = source
        .inventory()
        .filter(|i| !i.plants.is_empty() || opts.source.is_dir())
    else {
        bail!(
            "{}: give an inventory folder whose inventory.toml names a plant register (plants = [\"plants.csv\"])",
            opts.source.display()
        );
    };
    let set = LimitSet::load(&opts.limits)?;
    let costing = match &opts.prices {
        Some(p) => LibraryCosting::of(&airinv::scenario::file::load(p)?),
        None => LibraryCosting::source_currency(opts.discount_rate),
    };
    let assessment = compliance::assess_inventory(
        inv,
        &set,
        &compliance::Options {
            year: opts.year,
            ratification_year: opts.ratification_year,
        },
        &costing,
    )?;
    let mut inputs: Vec<PathBuf> = inv.plants.iter().map(|s| s.path.clone()).collect();
    inputs.extend(inv.activity.iter().map(|s| s.path.clone()));
    inputs.extend(opts.prices.iter().cloned());
    if !LimitSetIsShipped::is(&opts.limits) {
        inputs.push(PathBuf::from(&opts.limits));
    }
    let mut out = airinv::output::OutputDir::open(&opts.out, &inputs)?;
    compliance::write::write_csv(&out.file("plant-gaps.csv")?, &assessment)?;
    compliance::write::write_xlsx(&out.file("plant-gaps.xlsx")?, &assessment)?;
    airinv::output::write_json(&out.file("summary.json")?, &assessment.summary)?;
    let written = out.commit(Some("summary.json"), true)?;
    match opts.format {
        Format::Json => print!("{}", airinv::output::json_text(&assessment.summary)),
        _ => print!("{}", table(&assessment, &costing)),
    }
    for p in &written {
        eprintln!("wrote {}", p.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Whether `--limits` names a shipped set.
struct LimitSetIsShipped;

impl LimitSetIsShipped {
    fn is(name: &str) -> bool {
        airinv::limits::SHIPPED
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case(name.trim()))
    }
}

fn opt(v: Option<Decimal>, digits: u32) -> String {
    v.map(|d| show(d, digits)).unwrap_or_else(|| "-".into())
}

/// The console table: the plants that exceed (every pollutant assessed
/// is in plant-gaps.csv), then the summary.
fn table(a: &Assessment, costing: &dyn Costing) -> String {
    let s = &a.summary;
    let mut text = format!(
        "plants against {} in {}{}: {} plant(s), {} MWth; costs in {}\n",
        s.limit_set,
        s.year,
        s.ratification_year
            .map(|r| format!(" (ratification {r})"))
            .unwrap_or_default(),
        s.plants,
        show(s.capacity_mwth, 4),
        costing.currency()
    );
    let mut rows = vec![
        [
            "plant",
            "name",
            "pollutant",
            "status",
            "limit",
            "conc.",
            "basis",
            "excess %",
            "emission t",
            "reduction t",
            "measure",
            "annual cost",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for g in a.gaps.iter().filter(|g| g.exceeds()) {
        rows.push(vec![
            g.plant.clone(),
            g.name.chars().take(28).collect(),
            g.pollutant.id().to_string(),
            g.status.map(|s| s.name().to_string()).unwrap_or_default(),
            opt(g.limit_mg_nm3, 4),
            opt(g.concentration_mg_nm3, 4),
            g.concentration_basis
                .split(':')
                .next()
                .unwrap_or("")
                .to_string(),
            g.excess_pct
                .map(|e| format_decimal(e.round_dp(0)))
                .unwrap_or_else(|| "-".into()),
            opt(g.emission_t, 4),
            opt(g.reduction_t, 4),
            g.measure.clone().unwrap_or_else(|| "-".into()),
            opt(g.annual_cost, 4),
        ]);
    }
    if rows.len() > 1 {
        text.push_str(&crate::cmd::columns(&rows, ""));
    }
    text.push_str(&format!(
        "{} of {} plant(s) ({} of {} MWth) exceed a requirement\n",
        s.plants_exceeding,
        s.plants,
        show(s.capacity_exceeding_mwth, 4),
        show(s.capacity_mwth, 4)
    ));
    for (p, ps) in &s.by_pollutant {
        text.push_str(&format!(
            "  {}: {} of {} plant(s) exceed; emission {} t, reduction if all comply {} t, annual cost {}{}\n",
            p.id(),
            ps.plants_exceeding,
            ps.plants_assessed,
            show(ps.emission_t, 4),
            show(ps.reduction_t, 4),
            show(ps.annual_cost, 4),
            if ps.plants_without_costed_measure > 0 {
                format!(" ({} plant(s) without a costed measure)", ps.plants_without_costed_measure)
            } else {
                String::new()
            }
        ));
    }
    text.push_str(&format!(
        "annual cost of compliance: {} {}\n",
        show(s.annual_cost, 4),
        s.currency
    ));
    for n in &s.notes {
        text.push_str(&format!("note: {n}\n"));
    }
    text
}
