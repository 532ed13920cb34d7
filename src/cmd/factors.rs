//! `airinv factors`: import the EEA export, look factors up, list problems,
//! show the Tier 1 coverage of the template.

use airinv::emission_factor::{self, Factor, FactorKind};
use airinv::number::format_decimal;
use airinv::output::Format;
use airinv::pins::{Tier, text};
use airinv::pollutant::Pollutant;
use airinv::{Error, Result, guidebook};
use clap::Subcommand;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<FactorsCommand>,
    /// NFR code of the Annex I row (1A1a or 1.A.1.a).
    code: Option<String>,
    /// Fuel (a Guidebook fuel or an alias: natural_gas, lignite...).
    #[arg(long)]
    fuel: Option<String>,
    #[arg(long)]
    technology: Option<String>,
    /// Pollutant id (NOx, PM2.5, ...; any case, or a Guidebook name such as SO2).
    #[arg(long, value_enum, ignore_case = true)]
    pollutant: Option<Pollutant>,
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
    /// Output: table (one line per factor), csv or json.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
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

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if let Some(FactorsCommand::Import { export, out }) = args.command {
        println!("{}", import(&export, &out)?);
    } else if args.coverage {
        let (table, summary) = coverage()?;
        print!("{table}");
        eprint!("{summary}");
    } else if args.problems {
        print!(
            "{}",
            problems(args.export.as_deref(), args.code.as_deref())?
        );
    } else {
        print!("{}", lookup(&args)?);
    }
    Ok(ExitCode::SUCCESS)
}

/// What an import made.
#[derive(Debug)]
struct ImportReport {
    rows_read: usize,
    factors: usize,
    problems: usize,
    /// Factors imported with a correction of emission-factors/corrections.csv.
    corrected: usize,
    /// Factors derived from rows of the export (jet kerosene per t of LTO fuel).
    derived: usize,
    problems_by_category: BTreeMap<&'static str, usize>,
    out: PathBuf,
    problems_out: PathBuf,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "rows read {} = factors imported {} + rows not imported {}",
            self.rows_read, self.factors, self.problems
        )?;
        for (category, n) in &self.problems_by_category {
            writeln!(f, "  not imported, {category}: {n}")?;
        }
        writeln!(
            f,
            "imported with a correction of emission-factors/corrections.csv: {} (listed with the problems)",
            self.corrected
        )?;
        writeln!(
            f,
            "factors derived: {} (jet kerosene per tonne of LTO fuel, from the per-aircraft LTO tables)",
            self.derived
        )?;
        writeln!(f, "factors written to {}", self.out.display())?;
        write!(
            f,
            "rows not imported, with row and reason, written to {}",
            self.problems_out.display()
        )
    }
}

/// The problems file written beside a normalised factor file.
fn problems_path(out: &Path) -> PathBuf {
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("factors");
    out.with_file_name(format!("{stem}-problems.csv"))
}

/// `airinv factors import EXPORT --out FILE`.
fn import(export: &Path, out: &Path) -> Result<ImportReport> {
    let imported = guidebook::import(export)?;
    let problems_out = problems_path(out);
    airinv::output::write_atomically(out, |w| {
        emission_factor::write_normalised(w, &imported.factors)
    })?;
    airinv::output::write_atomically(&problems_out, |w| {
        guidebook::write_problems(w, &imported.problems, &imported.corrected)
    })?;
    let mut by_category = BTreeMap::new();
    for p in &imported.problems {
        *by_category.entry(p.category.as_str()).or_insert(0) += 1;
    }
    Ok(ImportReport {
        rows_read: imported.rows_read,
        factors: imported.factors.len() - imported.derived,
        problems: imported.problems.len(),
        corrected: imported.corrected.len(),
        derived: imported.derived,
        problems_by_category: by_category,
        out: out.to_path_buf(),
        problems_out,
    })
}

/// The Annex I code of a lookup, or an error with the closest codes.
fn annex1_code(code: &str) -> Result<String> {
    Ok(airinv::nfr::find(code)
        .ok_or_else(|| Error::Argument(airinv::nfr::unknown_code_message(code)))?
        .code
        .clone())
}

/// `airinv factors [CODE] [--fuel F] ...`: the factors that fit, sorted by
/// tier, table, fuel, technology and pollutant (in template order).
///
/// An unknown code, fuel, technology or pollutant is an error with the
/// closest names; a known one that no factor has says so.
fn lookup(q: &Args) -> Result<String> {
    let factors = match &q.db {
        Some(p) => emission_factor::read_normalised_file(p)?,
        None => emission_factor::embedded()?,
    };
    let code = q.code.as_deref().map(annex1_code).transpose()?;
    let fuels = airinv::fuel::Fuels::built_in();
    let key = airinv::fuel::fuel_key;
    if let Some(f) = &q.fuel
        && fuels.find(f).is_none()
        && !factors.iter().any(|x| key(text(&x.fuel)) == key(f))
    {
        return Err(Error::Argument(format!(
            "--fuel '{f}' is not a fuel of the factor database or an alias{}; the fuels are listed in emission-factors/fuels.csv",
            fuels.did_you_mean(f)
        )));
    }
    if let Some(t) = &q.technology
        && !factors
            .iter()
            .any(|x| key(text(&x.pins.technology)) == key(t))
    {
        let mut names: Vec<&str> = factors.iter().map(|x| text(&x.pins.technology)).collect();
        names.sort();
        names.dedup();
        return Err(Error::Argument(format!(
            "--technology '{t}' is not a technology of the factor database{}",
            airinv::suggest::did_you_mean(t, names)
        )));
    }
    let fuel_names: Option<Vec<String>> = q.fuel.as_ref().map(|f| fuels.chain(f));
    let pollutant = q.pollutant;
    let mut selected: Vec<&Factor> = factors
        .iter()
        .filter(|f| code.as_ref().is_none_or(|c| f.annex1_codes.contains(c)))
        .filter(|f| {
            fuel_names
                .as_ref()
                .is_none_or(|names| names.iter().any(|n| key(n) == key(text(&f.fuel))))
        })
        .filter(|f| {
            q.technology
                .as_ref()
                .is_none_or(|t| key(t) == key(text(&f.pins.technology)))
        })
        .filter(|f| pollutant.is_none_or(|p| f.pollutant == p))
        .filter(|f| {
            q.tier
                .as_ref()
                .is_none_or(|t| Tier::parse(t) == f.pins.tier)
        })
        .collect();
    let position = |p: Pollutant| {
        Pollutant::ALL
            .iter()
            .position(|x| *x == p)
            .unwrap_or(usize::MAX)
    };
    selected.sort_by(|a, b| {
        let (pa, pb) = (&a.pins, &b.pins);
        (
            &pa.tier,
            &pa.table,
            &a.fuel,
            &pa.technology,
            position(a.pollutant),
            &pa.abatement,
            &pa.region,
            &a.id,
        )
            .cmp(&(
                &pb.tier,
                &pb.table,
                &b.fuel,
                &pb.technology,
                position(b.pollutant),
                &pb.abatement,
                &pb.region,
                &b.id,
            ))
    });
    Ok(match q.format {
        Format::Table => {
            let mut out = String::new();
            for f in &selected {
                out.push_str(&format_factor(f));
                out.push('\n');
            }
            out.push_str(&format!("{} factor(s)\n", selected.len()));
            out
        }
        Format::Csv => factors_csv(&selected),
        Format::Json => {
            let list: Vec<FactorJson> = selected.iter().map(|f| FactorJson::of(f)).collect();
            airinv::output::json_text(&list)
        }
    })
}

/// A factor's unit as printed: the canonical unit with `µg` for
/// micrograms (the database writes µg, ug and μg).
fn unit_text(f: &Factor) -> String {
    let c = f.unit.canonical();
    match c.strip_prefix("ug") {
        Some(rest) => format!("µg{rest}"),
        None => c,
    }
}

/// A factor as `--format json` lists it.
#[derive(serde::Serialize)]
struct FactorJson<'a> {
    id: &'a str,
    codes: &'a [String],
    tier: &'a str,
    table: &'a str,
    fuel: &'a str,
    technology: &'a str,
    abatement: &'a str,
    region: &'a str,
    pollutant: Pollutant,
    #[serde(serialize_with = "airinv::number::exact")]
    value: rust_decimal::Decimal,
    unit: String,
    #[serde(serialize_with = "airinv::number::exact_opt")]
    ci_lower: Option<rust_decimal::Decimal>,
    #[serde(serialize_with = "airinv::number::exact_opt")]
    ci_upper: Option<rust_decimal::Decimal>,
    reference: &'a str,
}

impl<'a> FactorJson<'a> {
    fn of(f: &'a Factor) -> FactorJson<'a> {
        FactorJson {
            id: &f.id,
            codes: &f.annex1_codes,
            tier: text(&f.pins.tier),
            table: text(&f.pins.table),
            fuel: text(&f.fuel),
            technology: text(&f.pins.technology),
            abatement: text(&f.pins.abatement),
            region: text(&f.pins.region),
            pollutant: f.pollutant,
            value: f.value,
            unit: unit_text(f),
            ci_lower: f.ci_lower,
            ci_upper: f.ci_upper,
            reference: &f.reference,
        }
    }
}

fn factors_csv(selected: &[&Factor]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let _ = w.write_record([
        "id",
        "codes",
        "tier",
        "table",
        "fuel",
        "technology",
        "abatement",
        "region",
        "pollutant",
        "value",
        "unit",
        "ci_lower",
        "ci_upper",
        "reference",
    ]);
    for f in selected {
        let _ = w.write_record([
            f.id.clone(),
            f.annex1_codes.join(" "),
            text(&f.pins.tier).to_string(),
            text(&f.pins.table).to_string(),
            text(&f.fuel).to_string(),
            text(&f.pins.technology).to_string(),
            text(&f.pins.abatement).to_string(),
            text(&f.pins.region).to_string(),
            f.pollutant.id().to_string(),
            format_decimal(f.value),
            unit_text(f),
            f.ci_lower.map(format_decimal).unwrap_or_default(),
            f.ci_upper.map(format_decimal).unwrap_or_default(),
            f.reference.clone(),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

fn format_factor(f: &Factor) -> String {
    let ci = match (f.ci_lower, f.ci_upper) {
        (Some(lo), Some(hi)) => format!("95% CI {}-{}", format_decimal(lo), format_decimal(hi)),
        _ => "no CI".to_string(),
    };
    let kind = match f.kind {
        FactorKind::EmissionFactor => format!("Tier {}", text(&f.pins.tier)),
        FactorKind::AbatementEfficiency => {
            format!("Tier {} abatement efficiency", text(&f.pins.tier))
        }
    };
    let mut what = Vec::new();
    for (label, v) in [
        ("fuel", &f.fuel),
        ("technology", &f.pins.technology),
        ("abatement", &f.pins.abatement),
        ("region", &f.pins.region),
    ] {
        if let Some(v) = v {
            what.push(format!("{label} {v}"));
        }
    }
    format!(
        "{kind} {} {}: {} {} {}, {ci}; {} {}; ref. {}",
        text(&f.pins.table),
        what.join(", "),
        f.pollutant,
        format_decimal(f.value),
        unit_text(f),
        f.id,
        f.annex1_codes.join(" "),
        f.reference
    )
}

/// `airinv factors --problems [CODE]`: the rows of the export that were not
/// imported, with their row and reason; with a code, those of its row.
fn problems(export: Option<&Path>, code: Option<&str>) -> Result<String> {
    let text = match export {
        Some(p) => {
            let imported = guidebook::import(p)?;
            let mut buf = Vec::new();
            guidebook::write_problems(&mut buf, &imported.problems, &imported.corrected)
                .map_err(|e| Error::io(p, e))?;
            String::from_utf8_lossy(&buf).into_owned()
        }
        None => guidebook::EMBEDDED_PROBLEMS.to_string(),
    };
    let Some(code) = code else {
        return Ok(text);
    };
    let code = annex1_code(code)?;
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let nfr = r
        .headers()
        .ok()
        .and_then(|h| h.iter().position(|c| c == "nfr"))
        .unwrap_or(1);
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    if let Ok(h) = r.headers() {
        let _ = w.write_record(h);
    }
    for rec in r.records().flatten() {
        let fits = rec.get(nfr).is_some_and(|c| {
            c.split(',')
                .any(|c| airinv::nfr::find(c.trim()).is_some_and(|row| row.code == code))
        });
        if fits {
            let _ = w.write_record(&rec);
        }
    }
    Ok(String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default())
}

/// `airinv factors --coverage`: every Annex I row × pollutant, computed from
/// fuel use or by a Tier 1 method, needing another activity (which), or
/// without a Tier 1 in the Guidebook; as CSV, with a summary.
fn coverage() -> Result<(String, String)> {
    let factors = emission_factor::embedded()?;
    let lines = airinv::coverage::table(&factors);
    let mut buf = Vec::new();
    airinv::coverage::write_csv(&mut buf, &lines)
        .map_err(|e| Error::io(Path::new("(standard output)"), e))?;
    let mut summary = format!("{} row × pollutant cells:\n", lines.len());
    for (label, n) in airinv::coverage::summary(&lines) {
        summary.push_str(&format!("  {label}: {n}\n"));
    }
    Ok((String::from_utf8_lossy(&buf).into_owned(), summary))
}
