//! `airinv explain`: where a number of the Annex I table comes from, from
//! an output folder of `airinv compile` ([`airinv::explain`]), as text (4
//! significant digits, the exact value beside), JSON (the
//! [`Explanation`] as it is) or CSV (one line per contributing line or
//! cell).

use airinv::Error;
use airinv::explain::{Agreement, Explanation, Line, Options, Target, Term};
use airinv::number::format_decimal;
use airinv::output::Format;
use rust_decimal::Decimal;
use std::fmt::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// An output folder of airinv compile (annex1_<YEAR>.csv, detail.csv, run.json).
    folder: PathBuf,
    /// The cell as annex1.xlsx names it: YEAR!CELL (2022!E14 = 1A1a NOx of 2022); in a shell, quote it: '2022!E14'.
    cell: Option<String>,
    /// The year (with --code and --pollutant, instead of CELL).
    #[arg(long)]
    year: Option<i32>,
    /// NFR code of the row (1A1a or 1.A.1.a).
    #[arg(long)]
    code: Option<String>,
    /// Pollutant id (NOx, PM2.5, ...).
    #[arg(long)]
    pollutant: Option<String>,
    /// The inventory folder the output was compiled from: the notation keys it declares, with their reasons, and its fuel names.
    #[arg(long)]
    inventory: Option<PathBuf>,
    /// Output: table (the explanation as text), csv (one line per contributing line) or json.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
}

/// Explains the cell and prints it; exit code 1 when the lines do not give
/// the cell (the folder was edited after the compile).
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let target = match (&args.cell, args.year, &args.code, &args.pollutant) {
        (Some(cell), None, None, None) => Target::parse(cell)?,
        (None, Some(year), Some(code), Some(pollutant)) => Target::of(year, code, pollutant)?,
        (Some(_), ..) => {
            return Err(Error::Argument(
                "give the cell either as YEAR!CELL (2022!E14) or with --year, --code and --pollutant, not both".into(),
            )
            .into());
        }
        _ => {
            return Err(Error::Argument(
                "which cell? Give it as YEAR!CELL, the sheet and cell of annex1.xlsx (2022!E14 = 1A1a NOx of 2022), or with --year, --code and --pollutant".into(),
            )
            .into());
        }
    };
    let e = airinv::explain::explain(&Options {
        folder: args.folder,
        target,
        inventory: args.inventory,
    })?;
    print!(
        "{}",
        match args.format {
            Format::Table => text(&e),
            Format::Json => airinv::output::json_text(&e),
            Format::Csv => csv(&e),
        }
    );
    Ok(if e.differs() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// A value to 4 significant digits, with the exact value beside when they differ.
fn show(d: Decimal) -> String {
    let short = airinv::number::show(d, 4);
    let exact = format_decimal(d);
    if short == exact {
        exact
    } else {
        format!("{short} (exact {exact})")
    }
}

/// A cell's text: a number shown with [`show`], a key or `empty`.
fn show_value(v: &airinv::explain::Value) -> String {
    match v.number {
        Some(d) => show(d),
        None if v.text.is_empty() => "empty".into(),
        None => v.text.clone(),
    }
}

/// The explanation as text.
fn text(e: &Explanation) -> String {
    let mut out = String::new();
    let unit = if e.unit.is_empty() {
        String::new()
    } else {
        format!(" {}", e.unit)
    };
    let _ = writeln!(
        out,
        "{}: {} {}, {}{}",
        e.cell,
        e.code,
        e.name,
        e.quantity,
        if e.unit.is_empty() {
            String::new()
        } else {
            format!(" ({})", e.unit)
        }
    );
    let value_unit = if e.value.number.is_some() { &unit } else { "" };
    let _ = writeln!(
        out,
        "value: {}{value_unit} ({})",
        show_value(&e.value),
        e.read_from
    );
    let _ = writeln!(out, "made of: {}", e.rule);
    if let Some(mode) = e.detail {
        let _ = writeln!(
            out,
            "{}/detail.csv has one line per {} and pollutant (compile --detail {})",
            e.folder,
            match mode {
                airinv::explain::DetailMode::Keys => "activity key",
                airinv::explain::DetailMode::Rows => "input row",
            },
            match mode {
                airinv::explain::DetailMode::Keys => "keys",
                airinv::explain::DetailMode::Rows => "rows",
            }
        );
    }
    for (i, l) in e.lines.iter().enumerate() {
        line_text(&mut out, i + 1, l, e);
    }
    terms_text(&mut out, &e.terms);
    let parts = if e.terms.is_empty() {
        format!("{} line(s)", e.lines.len())
    } else {
        format!("{} term(s)", e.terms.len())
    };
    let sum = e
        .sum
        .as_ref()
        .map(show_value)
        .unwrap_or_else(|| "nothing".into());
    let diff = e.difference.map(format_decimal).unwrap_or_default();
    match e.agreement {
        Agreement::Exact => {
            let _ = writeln!(
                out,
                "sum of the {parts}: {sum}{} = the cell, exactly",
                if e.sum.as_ref().is_some_and(|s| s.number.is_some()) {
                    unit.as_str()
                } else {
                    ""
                }
            );
        }
        Agreement::Rounding => {
            let _ = writeln!(
                out,
                "sum of the {parts}: {sum}{unit}, the cell to 27 digits (difference {diff}): each input row's emission is rounded at 28 significant digits, where compile rounded the key's once (compile --detail keys gives the key's lines)"
            );
        }
        Agreement::Partial => {
            let _ = writeln!(
                out,
                "sum of the {parts} the folder shows: {sum}{}; the cell is {}{unit}:",
                if e.sum.is_some() { unit.as_str() } else { "" },
                show_value(&e.value)
            );
        }
        Agreement::Differs => {
            let _ = writeln!(
                out,
                "sum of the {parts}: {}{unit}, but the cell is {}{unit}{}: the folder was changed after the compile",
                sum,
                show_value(&e.value),
                if diff.is_empty() {
                    String::new()
                } else {
                    format!(" (difference {diff})")
                }
            );
        }
        Agreement::Words => {}
    }
    for r in &e.reasons {
        let _ = writeln!(out, "- {r}");
    }
    out
}

/// One detail line: the activity, the factor, the conversion, the emission
/// and where it comes from.
fn line_text(out: &mut String, n: usize, l: &Line, e: &Explanation) {
    let mut key: Vec<String> = Vec::new();
    key.extend(l.fuel.clone());
    for (what, v) in [
        ("technology", &l.technology),
        ("table", &l.table),
        ("abatement", &l.abatement),
        ("region", &l.region),
        ("tier", &l.tier),
        ("abatement efficiency", &l.abatement_efficiency),
    ] {
        if let Some(v) = v {
            key.push(format!("{what} {v}"));
        }
    }
    let what = if key.is_empty() {
        "activity".to_string()
    } else {
        key.join(", ")
    };
    let rows = match (&l.source_id, l.activity_rows) {
        (Some(id), _) => format!("input row {} (source_id {id})", l.input_row),
        (None, 1) => format!("1 input row: {}", l.input_row),
        (None, n) => format!("{n} input rows, the first {}", l.input_row),
    };
    let _ = writeln!(
        out,
        "{n}. {what}: {} {}, {rows}",
        show(l.activity),
        l.activity_unit
    );
    if let Some(other) = &l.other_columns {
        let _ = writeln!(out, "   other columns: {other}");
    }
    if let Some(fill) = &l.gap_fill {
        let _ = writeln!(out, "   gap fill: {fill}");
    }
    if let Some(splice) = &l.splice {
        let _ = writeln!(out, "   splice: {splice}");
    }
    if let Some(plant) = &l.plant {
        let _ = writeln!(
            out,
            "   plant: {plant} (Tier 3: its part of the row's activity)"
        );
    }
    if e.quantity != l.pollutant {
        // An activity cell: what the key puts in it.
        let _ = writeln!(
            out,
            "   in the cell: {} {} (detail.csv line {})",
            l.in_cell.map(show).unwrap_or_default(),
            e.unit,
            l.detail_line
        );
        return;
    }
    let f = &l.factor;
    let _ = writeln!(
        out,
        "   factor: {} {} ({}, Tier {}, {}, {}; {})",
        format_decimal(f.value),
        f.unit,
        f.id,
        f.tier,
        f.table,
        f.reference,
        f.source
    );
    let _ = writeln!(out, "   chosen: {}", l.why);
    let _ = writeln!(
        out,
        "   conversion: {}; multiplier {} {} per {}",
        l.conversion,
        format_decimal(l.multiplier),
        l.emission_unit,
        l.activity_unit
    );
    let product = match (l.product, l.multiplier_rounded) {
        (Some(p), _) if p == l.emission => "=",
        (_, true) => "≈",
        _ => "≠",
    };
    let _ = writeln!(
        out,
        "   emission: {} {} × {} {product} {} {}{} (detail.csv line {})",
        format_decimal(l.activity),
        l.activity_unit,
        format_decimal(l.multiplier),
        show(l.emission),
        l.emission_unit,
        if l.exact {
            ""
        } else {
            ", rounded at 28 significant digits"
        },
        l.detail_line
    );
    if product == "≈" {
        let _ = writeln!(
            out,
            "   (the multiplier is a quotient rounded at 28 digits; compile divides by the NCV last)"
        );
    }
}

/// The cells summed into a total: every number, and the keys in full when
/// they are few, else counted.
fn terms_text(out: &mut String, terms: &[Term]) {
    let few = terms.len() <= 20;
    let mut keys: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for t in terms {
        if t.value.number.is_none() && !few {
            let k = if t.value.text.is_empty() {
                "empty".to_string()
            } else {
                t.value.text.clone()
            };
            *keys.entry(k).or_default() += 1;
            continue;
        }
        let _ = writeln!(
            out,
            "  {} {} {} {}: {}",
            if t.subtract { "−" } else { "+" },
            t.cell.as_deref().unwrap_or("run.json"),
            t.code,
            t.name,
            show_value(&t.value)
        );
    }
    if !keys.is_empty() {
        let counts: Vec<String> = keys.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(
            out,
            "  and {} row(s) without a number: {} (--format json or csv lists them)",
            keys.values().sum::<usize>(),
            counts.join(", ")
        );
    }
}

/// The explanation as CSV: one line per detail line behind the cell
/// (`cell,value,detail_line`, detail.csv's columns but year and code,
/// `gap_fill,splice,in_cell`), else one per cell
/// summed into it (`cell,value,term_cell,code,name,operation,term_value`),
/// else one per reason (`cell,value,reason`).
fn csv(e: &Explanation) -> String {
    let mut w = airinv::output::csv_writer(Vec::new());
    let head = [e.cell.clone(), e.value.text.clone()];
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    if !e.lines.is_empty() {
        // detail.csv's columns (without year and code), then what the line
        // puts in the cell.
        use airinv::lineage::{COMMON, FACTOR, ROW_COLUMNS};
        let mut header = vec!["cell", "value", "detail_line"];
        header.extend(&COMMON[2..]);
        header.extend(ROW_COLUMNS);
        header.extend(FACTOR);
        header.extend(["gap_fill", "splice", "in_cell"]);
        let _ = w.write_record(&header);
        for l in &e.lines {
            let f = &l.factor;
            let mut rec: Vec<String> = head.to_vec();
            rec.extend([
                l.detail_line.to_string(),
                opt(&l.fuel),
                opt(&l.technology),
                opt(&l.table),
                opt(&l.abatement),
                opt(&l.region),
                opt(&l.tier),
                opt(&l.abatement_efficiency),
                l.activity_rows.to_string(),
                format_decimal(l.activity),
                l.activity_unit.clone(),
                l.input_row.clone(),
                opt(&l.source_id),
                opt(&l.other_columns),
                l.pollutant.clone(),
                f.id.clone(),
                format_decimal(f.value),
                f.unit.clone(),
                f.tier.clone(),
                f.table.clone(),
                f.reference.clone(),
                f.source.clone(),
                l.why.clone(),
                l.conversion.clone(),
                format_decimal(l.multiplier),
                format_decimal(l.emission),
                l.emission_unit.clone(),
                if l.exact {
                    "yes"
                } else {
                    "rounded at 28 digits"
                }
                .to_string(),
                opt(&l.gap_fill),
                opt(&l.splice),
                l.in_cell.map(format_decimal).unwrap_or_default(),
            ]);
            let _ = airinv::output::write_safe_record(&mut w, &rec);
        }
    } else if !e.terms.is_empty() {
        let _ = w.write_record([
            "cell",
            "value",
            "term_cell",
            "code",
            "name",
            "operation",
            "term_value",
        ]);
        for t in &e.terms {
            let mut rec: Vec<String> = head.to_vec();
            rec.extend([
                t.cell.clone().unwrap_or_default(),
                t.code.clone(),
                t.name.clone(),
                if t.subtract { "-" } else { "+" }.to_string(),
                t.value.text.clone(),
            ]);
            let _ = airinv::output::write_safe_record(&mut w, &rec);
        }
    } else {
        let _ = w.write_record(["cell", "value", "reason"]);
        for r in &e.reasons {
            let mut rec: Vec<String> = head.to_vec();
            rec.push(r.clone());
            let _ = airinv::output::write_safe_record(&mut w, &rec);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
