//! `airinv scenario FILE... --out DIR [--optimize]`: ratification scenarios
//! projected from a compiled base year, with measures, costs, targets and
//! (with `--optimize`) the least-cost shares that meet them; writes
//! `projection.csv`, `measures.csv`, `summary.json`, `cost_curves.csv`,
//! `cost_curves_<SCENARIO>_<YEAR>.svg` (and `.png`) and `annex4.xlsx`.

use airinv::number::format_decimal;
use airinv::output::Format;
use airinv::scenario::{self, Outcome};
use anyhow::{Result, bail};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Scenario files (TOML); several (WM and WAM) are written side by side.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, short)]
    out: PathBuf,
    /// Choose the least-cost measure shares that meet every target (a linear programme).
    #[arg(long)]
    optimize: bool,
    /// What is printed: the table or JSON (summary.json); the CSVs are written into --out.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Date for the Annex IV header (DD.MM.YYYY); today by default.
    #[arg(long)]
    reporting_date: Option<String>,
    /// Every warning is an error (a measure that treats no activity): nothing is written.
    #[arg(long)]
    strict: bool,
}

pub fn run(opts: Args) -> Result<ExitCode> {
    if opts.format == Format::Csv {
        bail!(
            "--format csv: scenario prints a table or json; its tables are the CSV files it writes into --out"
        );
    }
    let (outcomes, bases) =
        scenario::run_files(&opts.files, opts.optimize, opts.reporting_date.clone())?;
    let warnings: Vec<&String> = outcomes.iter().flat_map(|o| &o.warnings).collect();
    if opts.strict && !warnings.is_empty() {
        bail!(
            "--strict: {} warning(s), nothing written:\n  {}",
            warnings.len(),
            warnings
                .iter()
                .map(|w| w.as_str())
                .collect::<Vec<_>>()
                .join("\n  ")
        );
    }
    // One transaction (output::OutputDir), summary.json last: a killed run
    // leaves the old set, two runs cannot interleave, the curves of a
    // scenario no longer run are removed, and no input is written over.
    let mut inputs = opts.files.clone();
    inputs.extend(bases);
    let mut out = airinv::output::OutputDir::open(&opts.out, &inputs)?;
    scenario::report::write_projection(&out.file("projection.csv")?, &outcomes)?;
    scenario::report::write_measures(&out.file("measures.csv")?, &outcomes)?;
    scenario::report::write_curves(&out.file("cost_curves.csv")?, &outcomes)?;
    let mut notes = Vec::new();
    airinv::chart::cost_curves::write_pictures(&mut out, &outcomes, &mut notes)?;
    let date = outcomes
        .first()
        .map(|o| o.base_table.header.reporting_date.clone())
        .unwrap_or_default();
    scenario::annex4::write(&out.file("annex4.xlsx")?, &outcomes, &date)?;
    scenario::report::write_summary(&out.file("summary.json")?, &outcomes)?;
    let outputs = out.commit(Some("summary.json"), true)?;
    match opts.format {
        Format::Json => print!(
            "{}",
            airinv::output::json_text(&scenario::report::summary(&outcomes))
        ),
        _ => print!("{}", table_text(&outcomes)),
    }
    for p in &outputs {
        eprintln!("wrote {}", p.display());
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    if outcomes.iter().all(Outcome::all_met) {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "some targets are not met ({}summary.json, \"feasible\": false)",
            if opts.format == Format::Json {
                ""
            } else {
                "see above and "
            }
        );
        Ok(ExitCode::from(1))
    }
}

/// A number for people: rounded to 4 decimals.
fn show(v: Decimal) -> String {
    format_decimal(v.round_dp(4).normalize())
}

/// A change in %, signed, to one decimal.
fn signed_pct(v: Decimal) -> String {
    let v = v.round_dp(1).normalize();
    if v > Decimal::ZERO {
        format!("+{}", format_decimal(v))
    } else {
        format_decimal(v)
    }
}

fn table_text(outcomes: &[Outcome]) -> String {
    let mut s = String::new();
    for o in outcomes {
        let sc = &o.scenario;
        s.push_str(&format!(
            "scenario {} ({}): base {} {}, {} measure(s), {} target(s); costs in {}{}\n",
            sc.name,
            sc.path.display(),
            sc.base.display(),
            o.base_year,
            sc.measures.len(),
            sc.targets.len(),
            sc.currency,
            sc.price_year
                .map(|p| format!(" of {p}"))
                .unwrap_or_default()
        ));
        for w in &o.warnings {
            s.push_str(&format!("  warning: {w}\n"));
        }
        for y in &o.years {
            s.push_str(&format!(
                "  {}{}: annual cost {} {}\n",
                y.result.year,
                match (y.optimized, y.feasible) {
                    (true, true) => " (least cost)",
                    (true, false) =>
                        " (least cost of what can be met; the rest at its best reachable)",
                    _ => "",
                },
                show(y.result.cost.round_dp(0)),
                sc.currency
            ));
            for t in &y.targets {
                let change = t
                    .base_emission
                    .filter(|b| !b.is_zero())
                    .map(|b| {
                        format!(
                            " ({} % from {})",
                            signed_pct((t.emission - b) / b * Decimal::ONE_HUNDRED),
                            match t.target.kind {
                                scenario::file::TargetKind::Reduction { base_year, .. } =>
                                    base_year,
                                _ => 0,
                            }
                        )
                    })
                    .unwrap_or_default();
                s.push_str(&format!(
                    "    {} {} {}{change}, target {} {}: {}\n",
                    t.target.pollutant.id(),
                    show(t.emission),
                    t.target.pollutant.unit(),
                    show(t.ceiling),
                    t.target.pollutant.unit(),
                    if t.met {
                        "met".to_string()
                    } else {
                        format!(
                            "NOT met, {} {} above",
                            show(t.shortfall),
                            t.target.pollutant.unit()
                        )
                    }
                ));
                if t.annual_cost > Decimal::ZERO || t.marginal_cost.is_some() {
                    s.push_str(&format!(
                        "      measures bought for it: {} {}/yr{}\n",
                        show(t.annual_cost.round_dp(0)),
                        sc.currency,
                        match t.marginal_cost {
                            Some(m) => format!(
                                "; marginal cost {} {}/t{}",
                                show(m.round_dp(0)),
                                sc.currency,
                                if m.is_zero() { " (does not bind)" } else { "" }
                            ),
                            None if y.optimized => "; at its best reachable level".to_string(),
                            None => String::new(),
                        }
                    ));
                }
                if !t.met && !t.unpriced.is_empty() {
                    s.push_str(&format!(
                        "      measures whose cost is not given could remove more: {} (the LP cannot price them; decide their shares or give their costs)\n",
                        t.unpriced.join(", ")
                    ));
                }
                if let Some(best) = t.best_reachable.filter(|b| *b > t.ceiling) {
                    let pct = t
                        .base_emission
                        .filter(|b| !b.is_zero())
                        .map(|b| {
                            format!(" ({} %)", signed_pct((best - b) / b * Decimal::ONE_HUNDRED))
                        })
                        .unwrap_or_default();
                    s.push_str(&format!(
                        "      impossible with these measures: the best reachable is {} {}{pct}, {} {} short of the target\n",
                        show(best),
                        t.target.pollutant.unit(),
                        show((best - t.ceiling).max(Decimal::ZERO)),
                        t.target.pollutant.unit()
                    ));
                }
            }
            for ((m, r), a) in sc
                .measures
                .iter()
                .zip(&y.result.measures)
                .zip(&y.attribution)
            {
                if r.share.is_zero() {
                    continue;
                }
                s.push_str(&format!(
                    "    {} on {} % of {} {}: {} {}/yr{}\n",
                    m.id,
                    show((r.share * Decimal::ONE_HUNDRED).round_dp(4)),
                    m.nfr,
                    m.fuel.join("/"),
                    show(r.cost.round_dp(0)),
                    sc.currency,
                    match a.to.keys().map(|p| p.id()).collect::<Vec<_>>().as_slice() {
                        [] => String::new(),
                        ps => format!(" (for {})", ps.join(", ")),
                    }
                ));
            }
        }
    }
    s
}
