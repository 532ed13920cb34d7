//! The National Action Plan's material (`airinv report --scenarios DIR
//! --plants FILE --ratification DIR`), read from the files those runs
//! write, each part as a chart and a table:
//!
//! - the options side by side (a `scenario` run's `summary.json`,
//!   `measures.csv`): per scenario and year the projected emission of each
//!   targeted pollutant against its target, the yearly cost, the measures
//!   and whether the targets can be met; the projections as a chart; the
//!   measures and their timeline (their share in each year) and their costs
//!   by sector;
//! - the plants above their limit values (`plant-gaps.csv` of the limit
//!   value run): concentration against limit, excess, emission, the
//!   reduction needed, the measure and its cost;
//! - the ratification options (`options.csv`, `options_measures.csv` of
//!   `airinv ratification`): [`super::ratification`].
//!
//! A part whose input is not given says so in one line. Numbers are read
//! as exact decimals; a file that cannot be read is an error naming the
//! file, and the line or field.

use super::format::percent;
use super::html::{Files, Value, figure, file_note, missing, note, section, table};
use super::i18n::{Lang, fill, gnfr_name, text, unit};
use super::{Material, Options};
use crate::chart::colour::{self, OKABE_ITO};
use crate::chart::plan::{self as charts, LimitBar, Line, Panel};
use crate::chart::report::{Series, stacked_bars};
use crate::chart::{esc, to_f64};
use crate::error::{Error, Result};
use crate::number::parse_decimal;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// `summary.json` of a scenario run, as far as the page needs it (other
/// fields are left alone: the run may write more).
#[derive(Debug, Deserialize)]
pub struct ScenarioRun {
    pub scenarios: Vec<ScenarioOption>,
}

#[derive(Debug, Deserialize)]
pub struct ScenarioOption {
    pub scenario: String,
    pub base_year: i32,
    pub currency: String,
    pub price_year: Option<i32>,
    pub years: Vec<OptionYear>,
}

#[derive(Debug, Deserialize)]
pub struct OptionYear {
    pub year: i32,
    pub feasible: bool,
    pub emissions: BTreeMap<String, String>,
    pub targets: Vec<OptionTarget>,
    pub total_annual_cost: String,
    pub measures: Vec<OptionMeasure>,
}

#[derive(Debug, Deserialize)]
pub struct OptionTarget {
    pub pollutant: String,
    pub unit: String,
    pub emission: String,
    pub target: String,
    pub met: bool,
    pub reduction_pct: Option<String>,
    pub base_year: Option<i32>,
}

#[derive(Debug, Deserialize)]
pub struct OptionMeasure {
    pub id: String,
    pub share: String,
    pub annual_cost: String,
}

/// A decimal of a run's file, or an error naming the file and the field.
fn decimal(path: &Path, what: &str, text: &str) -> Result<Decimal> {
    parse_decimal(text.trim())
        .map_err(|e| Error::file(path, format!("{what}: '{text}' is not a number ({e})")))
}

/// A scenario run's folder read: its summary and its measures.csv rows
/// (header → value).
pub struct Scenarios {
    pub dir: PathBuf,
    pub run: ScenarioRun,
    pub measures: Vec<BTreeMap<String, String>>,
}

/// The rows of a CSV file as header → value, with the file named in errors.
fn csv_rows(path: &Path) -> Result<Vec<BTreeMap<String, String>>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| Error::file(path, e.to_string()))?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::file(path, e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let mut out = Vec::new();
    for (i, r) in reader.records().enumerate() {
        let r = r.map_err(|e| Error::file(path, format!("line {}: {e}", i + 2)))?;
        out.push(
            header
                .iter()
                .cloned()
                .zip(r.iter().map(String::from))
                .collect(),
        );
    }
    Ok(out)
}

/// Reads a scenario run's output folder.
pub fn read_scenarios(dir: &Path) -> Result<Scenarios> {
    let summary = dir.join("summary.json");
    let body = std::fs::read_to_string(&summary).map_err(|e| {
        Error::file(
            &summary,
            format!(
                "cannot be read ({e}): --scenarios takes the output folder of `airinv scenario`"
            ),
        )
    })?;
    let run: ScenarioRun = serde_json::from_str(&body)
        .map_err(|e| Error::file(&summary, format!("is not a scenario summary: {e}")))?;
    let measures_csv = dir.join("measures.csv");
    let measures = if measures_csv.exists() {
        csv_rows(&measures_csv)?
    } else {
        Vec::new()
    };
    Ok(Scenarios {
        dir: dir.to_path_buf(),
        run,
        measures,
    })
}

/// One row of plant-gaps.csv, numbers exact.
#[derive(Debug, Clone)]
pub struct PlantGap {
    pub plant: String,
    pub name: String,
    pub year: String,
    pub pollutant: String,
    pub status: String,
    pub limit: Option<Decimal>,
    pub concentration: Option<Decimal>,
    pub excess_pct: Option<Decimal>,
    pub emission_t: Option<Decimal>,
    pub reduction_t: Option<Decimal>,
    pub measure: String,
    pub annual_cost: Option<Decimal>,
    pub currency: String,
}

/// The columns plant-gaps.csv must have.
const PLANT_COLUMNS: [&str; 14] = [
    "plant",
    "name",
    "year",
    "pollutant",
    "status",
    "limit_mg_nm3",
    "concentration_mg_nm3",
    "concentration_basis",
    "excess_pct",
    "emission_t",
    "reduction_t",
    "measure",
    "annual_cost",
    "currency",
];

/// Reads the plants' limit-value gaps: `plant-gaps.csv`, or a folder holding it.
pub fn read_plants(path: &Path) -> Result<Vec<PlantGap>> {
    let file = if path.is_dir() {
        path.join("plant-gaps.csv")
    } else {
        path.to_path_buf()
    };
    let rows = csv_rows(&file)?;
    if let Some(first) = rows.first() {
        let absent: Vec<&str> = PLANT_COLUMNS
            .iter()
            .copied()
            .filter(|c| !first.contains_key(*c))
            .collect();
        if !absent.is_empty() {
            return Err(Error::file(
                &file,
                format!(
                    "has no column {} (the plants run writes {})",
                    absent.join(", "),
                    PLANT_COLUMNS.join(",")
                ),
            ));
        }
    }
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let get = |c: &str| r.get(c).cloned().unwrap_or_default();
            let number = |c: &str| -> Result<Option<Decimal>> {
                let v = get(c);
                if v.trim().is_empty() {
                    Ok(None)
                } else {
                    decimal(&file, &format!("line {}, column {c}", i + 2), &v).map(Some)
                }
            };
            Ok(PlantGap {
                plant: get("plant"),
                name: get("name"),
                year: get("year"),
                pollutant: get("pollutant"),
                status: get("status"),
                limit: number("limit_mg_nm3")?,
                concentration: number("concentration_mg_nm3")?,
                excess_pct: number("excess_pct")?,
                emission_t: number("emission_t")?,
                reduction_t: number("reduction_t")?,
                measure: get("measure"),
                annual_cost: number("annual_cost")?,
                currency: get("currency"),
            })
        })
        .collect()
}

/// The plan's section: the three parts, each saying so when not given.
pub fn write(h: &mut String, m: &Material, opts: &Options, files: &mut Files) -> Result<()> {
    let lang = opts.lang;
    let t = |k: &str| text(lang, k);
    section(h, "plan", t("plan"));
    let _ = writeln!(
        h,
        "<h3 id=\"plan-scenarios\">{}</h3>",
        esc(t("plan_options"))
    );
    match &opts.scenarios {
        None => missing(h, t("missing_scenarios")),
        Some(dir) => options(h, &read_scenarios(dir)?, m, lang, files)?,
    }
    let _ = writeln!(h, "<h3 id=\"plan-plants\">{}</h3>", esc(t("plan_plants")));
    match &opts.plants {
        None => missing(h, t("missing_plants")),
        Some(path) => plants(h, &read_plants(path)?, lang, files)?,
    }
    let _ = writeln!(
        h,
        "<h3 id=\"plan-ratification\">{}</h3>",
        esc(t("plan_ratification"))
    );
    match &opts.ratification {
        None => missing(h, t("missing_ratification")),
        Some(dir) => {
            super::ratification::write(h, &super::ratification::read_run(dir)?, lang, files)?
        }
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The options side by side, their projections and their measures.
fn options(
    h: &mut String,
    s: &Scenarios,
    m: &Material,
    lang: Lang,
    files: &mut Files,
) -> Result<()> {
    let t = |k: &str| text(lang, k);
    let summary = s.dir.join("summary.json");
    let columns: Vec<(&ScenarioOption, &OptionYear)> = s
        .run
        .scenarios
        .iter()
        .flat_map(|o| o.years.iter().map(move |y| (o, y)))
        .collect();
    if columns.is_empty() {
        missing(h, t("no_scenario_years"));
        return Ok(());
    }
    // The targeted pollutants, in reporting order.
    let mut targeted: Vec<Pollutant> = columns
        .iter()
        .flat_map(|(_, y)| {
            y.targets
                .iter()
                .filter_map(|t| Pollutant::parse(&t.pollutant))
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    targeted.sort_by_key(|p| Pollutant::ALL.iter().position(|q| q == p));
    let mut headers = vec![t("plan_requirement").to_string()];
    headers.extend(
        columns
            .iter()
            .map(|(o, y)| format!("{} {}", o.scenario, y.year)),
    );
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut csv: Vec<Vec<String>> = Vec::new();
    for p in &targeted {
        let mut r = vec![Value::Text(format!("{}, {}", p.id(), unit(lang, p.unit())))];
        for (o, y) in &columns {
            let target = y
                .targets
                .iter()
                .find(|x| Pollutant::parse(&x.pollutant) == Some(*p));
            r.push(match target {
                Some(x) => {
                    let e = decimal(&summary, "targets.emission", &x.emission)?;
                    let c = decimal(&summary, "targets.target", &x.target)?;
                    let words = fill(
                        lang,
                        "emission_of_target",
                        &[
                            ("emission", &super::format::significant(e, 4, lang)),
                            ("target", &super::format::significant(c, 4, lang)),
                        ],
                    );
                    csv.push(vec![
                        o.scenario.clone(),
                        y.year.to_string(),
                        p.id().to_string(),
                        x.unit.clone(),
                        crate::number::format_decimal(e),
                        crate::number::format_decimal(c),
                        x.met.to_string(),
                        x.reduction_pct.clone().unwrap_or_default(),
                        x.base_year.map(|b| b.to_string()).unwrap_or_default(),
                    ]);
                    Value::Html(format!(
                        r#"<span class="{}">{}</span>"#,
                        if x.met { "met" } else { "not-met" },
                        esc(&words)
                    ))
                }
                None => y
                    .emissions
                    .get(p.id())
                    .map(|v| decimal(&summary, "emissions", v))
                    .transpose()?
                    .map(|v| Value::Shown(super::format::significant(v, 4, lang)))
                    .unwrap_or(Value::Empty),
            });
        }
        rows.push(r);
    }
    let mut cost = vec![Value::Text(fill(
        lang,
        "annual_cost_of",
        &[(
            "currency",
            &columns
                .first()
                .map(|(o, _)| {
                    format!(
                        "{}{}",
                        o.currency,
                        o.price_year.map(|y| format!(" {y}")).unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
        )],
    ))];
    let costs: Vec<Decimal> = columns
        .iter()
        .map(|(_, y)| decimal(&summary, "total_annual_cost", &y.total_annual_cost))
        .collect::<Result<_>>()?;
    let cost_column = super::format::Column::of(costs.iter().map(|c| c / Decimal::from(1_000_000)));
    cost.extend(
        costs
            .iter()
            .map(|c| Value::Shown(cost_column.show(c / Decimal::from(1_000_000), lang))),
    );
    rows.push(cost);
    let mut count = vec![Value::Text(t("measures_used").into())];
    count.extend(columns.iter().map(|(_, y)| {
        Value::Shown(
            y.measures
                .iter()
                .filter(|x| parse_decimal(&x.share).is_ok_and(|s| !s.is_zero()))
                .count()
                .to_string(),
        )
    }));
    rows.push(count);
    let mut feasible = vec![Value::Text(t("targets_reachable").into())];
    feasible.extend(
        columns
            .iter()
            .map(|(_, y)| Value::Text(t(if y.feasible { "yes" } else { "no" }).to_string())),
    );
    rows.push(feasible);
    table(h, &headers, &rows, lang);
    note(h, t("plan_options_note"));
    let rel = files.csv(
        "plan-options",
        &[
            "scenario",
            "year",
            "pollutant",
            "unit",
            "emission",
            "target",
            "met",
            "reduction_pct",
            "base_year",
        ],
        &csv,
    )?;
    file_note(h, t("table_file"), &rel);
    projections_chart(h, s, &targeted, m, lang, files)?;
    measures(h, s, lang, files)
}

/// The projected totals of the targeted pollutants, one panel each.
fn projections_chart(
    h: &mut String,
    s: &Scenarios,
    targeted: &[Pollutant],
    m: &Material,
    lang: Lang,
    files: &mut Files,
) -> Result<()> {
    let t = |k: &str| text(lang, k);
    let summary = s.dir.join("summary.json");
    let base_total = |p: Pollutant, year: i32| {
        m.tables
            .iter()
            .find(|y| y.table.header.year == year)
            .and_then(|y| y.table.row("NATIONAL TOTAL"))
            .and_then(|r| r.get(p).number())
    };
    let mut panels = Vec::new();
    for p in targeted {
        let mut lines = Vec::new();
        let mut targets = BTreeMap::new();
        for o in &s.run.scenarios {
            let mut points = Vec::new();
            if let Some(b) = base_total(*p, o.base_year) {
                points.push((o.base_year, to_f64(b)));
            }
            for y in &o.years {
                if let Some(v) = y.emissions.get(p.id()) {
                    points.push((y.year, to_f64(decimal(&summary, "emissions", v)?)));
                }
                for x in y
                    .targets
                    .iter()
                    .filter(|x| Pollutant::parse(&x.pollutant) == Some(*p))
                {
                    targets.insert(
                        y.year,
                        to_f64(decimal(&summary, "targets.target", &x.target)?),
                    );
                }
            }
            lines.push(Line {
                name: o.scenario.clone(),
                points,
            });
        }
        panels.push(Panel {
            title: format!("{}, {}", p.id(), unit(lang, p.unit())),
            lines,
            targets: targets.into_iter().collect(),
        });
    }
    if panels.is_empty() {
        return Ok(());
    }
    let svg = charts::projections(
        t("chart_projections"),
        &panels,
        t("legend_target"),
        lang.separators(),
    );
    let rel = files.chart("plan-projections", &svg)?;
    figure(h, &svg, &rel);
    Ok(())
}

/// The measures of each option: share per year (the timeline), removal,
/// yearly cost; and the costs by sector as a chart.
fn measures(h: &mut String, s: &Scenarios, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    let path = s.dir.join("measures.csv");
    let used: Vec<&BTreeMap<String, String>> = s
        .measures
        .iter()
        .filter(|r| {
            r.get("share")
                .and_then(|v| parse_decimal(v).ok())
                .is_some_and(|v| !v.is_zero())
        })
        .collect();
    let _ = writeln!(h, "<h3>{}</h3>", esc(t("plan_measures")));
    if used.is_empty() {
        missing(h, t("no_measures"));
        return Ok(());
    }
    let field = |r: &BTreeMap<String, String>, k: &str| r.get(k).cloned().unwrap_or_default();
    let years: BTreeSet<String> = used.iter().map(|r| field(r, "year")).collect();
    // One line per scenario and measure, a share per year.
    let mut lines: BTreeMap<(String, String), Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for r in &used {
        lines
            .entry((field(r, "scenario"), field(r, "measure")))
            .or_default()
            .push(r);
    }
    let removed_columns: Vec<String> = s
        .measures
        .first()
        .map(|r| {
            r.keys()
                .filter(|k| k.starts_with("removed_"))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut headers = vec![
        t("scenario").to_string(),
        t("measure").into(),
        t("code").into(),
    ];
    headers.extend(years.iter().map(|y| fill(lang, "share_in", &[("year", y)])));
    let last_year = years.iter().next_back().cloned().unwrap_or_default();
    headers.push(fill(lang, "removed_in", &[("year", &last_year)]));
    headers.push(fill(lang, "cost_in", &[("year", &last_year)]));
    let mut rows = Vec::new();
    for ((scenario, id), rs) in &lines {
        let first = rs[0];
        let mut r = vec![
            Value::Text(scenario.clone()),
            Value::Text(match field(first, "name") {
                name if name.is_empty() || &name == id => id.clone(),
                name => format!("{id}: {name}"),
            }),
            Value::Text(field(first, "code")),
        ];
        for y in &years {
            r.push(match rs.iter().find(|x| &field(x, "year") == y) {
                Some(x) => Value::Shown(
                    percent(
                        decimal(&path, "share", &field(x, "share"))? * Decimal::ONE_HUNDRED,
                        lang,
                    )
                    .trim_start_matches('+')
                    .to_string(),
                ),
                None => Value::Empty,
            });
        }
        let last = rs.iter().find(|x| field(x, "year") == last_year);
        let removed: Vec<String> = match last {
            Some(x) => removed_columns
                .iter()
                .filter_map(|c| {
                    let v = parse_decimal(&field(x, c)).ok().filter(|v| !v.is_zero())?;
                    // removed_SOx_kt → SOx, kt
                    let rest = c.trim_start_matches("removed_");
                    let (p, u) = rest.rsplit_once('_').unwrap_or((rest, ""));
                    Some(format!(
                        "{p} {} {}",
                        super::format::significant(v, 3, lang),
                        unit(lang, u)
                    ))
                })
                .collect(),
            None => Vec::new(),
        };
        r.push(Value::Text(removed.join("; ")));
        r.push(match last {
            Some(x) => Value::Number(decimal(&path, "annual_cost", &field(x, "annual_cost"))?),
            None => Value::Empty,
        });
        rows.push(r);
    }
    table(h, &headers, &rows, lang);
    // The yearly costs by the sector of each measure's row, per option and year.
    let mut categories: Vec<(String, String)> = used
        .iter()
        .map(|r| (field(r, "scenario"), field(r, "year")))
        .collect();
    categories.sort();
    categories.dedup();
    let mut by_sector: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &used {
        let gnfr = crate::nfr::find(&field(r, "code"))
            .map(|row| row.gnfr.clone())
            .unwrap_or_default();
        let k = categories
            .iter()
            .position(|c| c.0 == field(r, "scenario") && c.1 == field(r, "year"))
            .unwrap_or(0);
        let cost = to_f64(decimal(&path, "annual_cost", &field(r, "annual_cost"))?) / 1e6;
        by_sector
            .entry(gnfr)
            .or_insert_with(|| vec![0.0; categories.len()])[k] += cost;
    }
    let series: Vec<Series> = by_sector
        .into_iter()
        .map(|(g, values)| Series {
            name: gnfr_name(lang, &g),
            paint: colour::sector(&g),
            values,
        })
        .collect();
    let currency = used
        .first()
        .map(|r| format!("{} {}", field(r, "currency"), field(r, "price_year")));
    let svg = stacked_bars(
        &fill(
            lang,
            "chart_measure_costs",
            &[("currency", currency.as_deref().unwrap_or(""))],
        ),
        &fill(
            lang,
            "million_of",
            &[("currency", currency.as_deref().unwrap_or(""))],
        ),
        &categories
            .iter()
            .map(|(s, y)| format!("{s} {y}"))
            .collect::<Vec<_>>(),
        &series,
        lang.separators(),
    );
    let rel = files.chart("plan-measure-costs", &svg)?;
    figure(h, &svg, &rel);
    Ok(())
}

/// The plants above their limit values: a chart and a table.
fn plants(h: &mut String, gaps: &[PlantGap], lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    let above: Vec<&PlantGap> = gaps
        .iter()
        .filter(|g| g.excess_pct.is_some_and(|e| e > Decimal::ZERO))
        .collect();
    note(
        h,
        &fill(
            lang,
            "plants_intro",
            &[
                ("lines", &gaps.len().to_string()),
                ("above", &above.len().to_string()),
            ],
        ),
    );
    if above.is_empty() {
        return Ok(());
    }
    let pollutants: Vec<String> = above
        .iter()
        .map(|g| g.pollutant.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let colour_of = |p: &str| OKABE_ITO[pollutants.iter().position(|x| x == p).unwrap_or(0) % 7];
    let bars: Vec<LimitBar> = above
        .iter()
        .filter_map(|g| {
            let pct = match (g.concentration, g.limit) {
                (Some(c), Some(l)) if !l.is_zero() => c / l * Decimal::ONE_HUNDRED,
                _ => Decimal::ONE_HUNDRED + g.excess_pct?,
            };
            Some(LimitBar {
                label: format!("{} {}", g.plant, g.pollutant),
                pct_of_limit: to_f64(pct),
                colour: colour_of(&g.pollutant),
            })
        })
        .collect();
    let items: Vec<(&'static str, String)> = pollutants
        .iter()
        .map(|p| (colour_of(p), p.clone()))
        .collect();
    let svg = charts::limit_bars(
        t("chart_plants"),
        &bars,
        t("legend_limit"),
        &items,
        lang.separators(),
    );
    let rel = files.chart("plan-plants", &svg)?;
    figure(h, &svg, &rel);
    let currency = above
        .iter()
        .map(|g| g.currency.as_str())
        .find(|c| !c.is_empty())
        .unwrap_or("");
    let rows: Vec<Vec<Value>> = above
        .iter()
        .map(|g| {
            let n = |d: Option<Decimal>| d.map(Value::Number).unwrap_or(Value::Empty);
            vec![
                Value::Text(format!("{} ({})", g.name, g.plant)),
                Value::Shown(g.year.clone()),
                Value::Text(g.pollutant.clone()),
                n(g.concentration),
                n(g.limit),
                g.excess_pct
                    .map(|e| Value::Shown(percent(e, lang)))
                    .unwrap_or(Value::Empty),
                n(g.emission_t),
                n(g.reduction_t),
                Value::Text(g.measure.clone()),
                // In millions, as the column's header says.
                n(g.annual_cost.map(|c| c / Decimal::from(1_000_000))),
            ]
        })
        .collect();
    table(
        h,
        &[
            t("plant").into(),
            t("year").into(),
            t("pollutant").into(),
            t("concentration").into(),
            t("limit_value").into(),
            t("excess").into(),
            format!("{}, {}", t("emission"), unit(lang, "t")),
            format!("{}, {}", t("reduction_needed"), unit(lang, "t")),
            t("measure").into(),
            fill(lang, "annual_cost_of", &[("currency", currency)]),
        ],
        &rows,
        lang,
    );
    Ok(())
}
