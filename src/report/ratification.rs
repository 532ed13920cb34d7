//! The ratification options of the National Action Plan's material
//! (`airinv report --ratification DIR`), read from the files `airinv
//! ratification OPTIONS --out DIR` writes:
//!
//! ```text
//! DIR/options.csv ─────────► Line (option, year, requirement: ceiling,
//!                             emission with existing measures, at least
//!                             cost, met, costs), numbers exact
//! DIR/options_measures.csv ► Bought (option, year, measure, share, cost)
//!        ▼
//! page: the options side by side (one table, requirements in words), their
//! yearly costs as a chart (stacked by the pollutant each cost is for), the
//! measures bought
//! ```
//!
//! The page shows the run's numbers, rounded per column; a file or a column
//! that is not there, or a cell that is not a number, is an error naming
//! the file, the line and the column.

use super::format::Column;
use super::html::{Files, Value, figure, missing, note, table};
use super::i18n::{Lang, fill, text, unit};
use crate::chart::colour::{OKABE_ITO, Paint, Pattern};
use crate::chart::report::{Series, stacked_bars};
use crate::chart::{esc, to_f64};
use crate::error::{Error, Result};
use crate::number::parse_decimal;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One line of options.csv: an option's requirement in a year.
#[derive(Debug, Clone)]
pub struct Line {
    pub option: String,
    pub year: i32,
    pub protocol: String,
    pub pollutant: String,
    pub unit: String,
    /// As the run writes it: `60 % below 2005`, `below 2021 level`,
    /// `ceiling 400 kt`.
    pub requirement: String,
    pub what_if: String,
    pub ceiling: Decimal,
    pub existing: Decimal,
    pub existing_met: bool,
    pub emission: Decimal,
    pub met: bool,
    pub shortfall: Decimal,
    pub annual_cost: Decimal,
    pub cost_per_t: Option<Decimal>,
    pub marginal_cost_per_t: Option<Decimal>,
    pub option_annual_cost: Decimal,
    pub currency: String,
    pub limits: String,
}

/// One line of options_measures.csv: a measure bought for an option.
#[derive(Debug, Clone)]
pub struct Bought {
    pub option: String,
    pub year: i32,
    pub measure: String,
    pub name: String,
    pub code: String,
    pub share: Decimal,
    pub annual_cost: Decimal,
    pub for_pollutants: String,
}

/// A ratification run's output folder, read.
#[derive(Debug, Clone)]
pub struct Run {
    pub dir: PathBuf,
    pub lines: Vec<Line>,
    pub measures: Vec<Bought>,
}

/// A CSV row with its file and line, for errors that name them.
struct Cells<'a> {
    path: &'a Path,
    line: usize,
    header: &'a [String],
    row: &'a csv::StringRecord,
}

impl Cells<'_> {
    fn text(&self, column: &str) -> String {
        self.header
            .iter()
            .position(|h| h == column)
            .and_then(|i| self.row.get(i))
            .unwrap_or("")
            .to_string()
    }

    fn error(&self, column: &str, what: &str) -> Error {
        Error::file(
            self.path,
            format!("line {}, column {column}: {what}", self.line),
        )
    }

    fn number(&self, column: &str) -> Result<Decimal> {
        self.maybe(column)?
            .ok_or_else(|| self.error(column, "a number is needed"))
    }

    fn maybe(&self, column: &str) -> Result<Option<Decimal>> {
        let v = self.text(column);
        if v.trim().is_empty() {
            return Ok(None);
        }
        parse_decimal(v.trim())
            .map(Some)
            .map_err(|e| self.error(column, &format!("'{v}' is not a number ({e})")))
    }

    fn year(&self, column: &str) -> Result<i32> {
        let v = self.text(column);
        v.trim()
            .parse()
            .map_err(|_| self.error(column, &format!("'{v}' is not a year")))
    }

    fn yes(&self, column: &str) -> bool {
        self.text(column) == "yes"
    }
}

/// Reads a CSV file of the run, demanding its columns, a value per line.
fn read<T>(
    path: &Path,
    columns: &[&str],
    mut each: impl FnMut(&Cells) -> Result<T>,
) -> Result<Vec<T>> {
    let mut reader = csv::Reader::from_path(path).map_err(|e| {
        Error::file(
            path,
            format!("cannot be read ({e}): --ratification takes the output folder of `airinv ratification`"),
        )
    })?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| Error::file(path, e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let absent: Vec<&str> = columns
        .iter()
        .copied()
        .filter(|c| !header.iter().any(|h| h == c))
        .collect();
    if !absent.is_empty() {
        return Err(Error::file(
            path,
            format!(
                "has no column {} (airinv ratification writes them)",
                absent.join(", ")
            ),
        ));
    }
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| Error::file(path, format!("line {}: {e}", i + 2)))?;
        out.push(each(&Cells {
            path,
            line: i + 2,
            header: &header,
            row: &row,
        })?);
    }
    Ok(out)
}

/// The columns of options.csv the page reads.
const OPTION_COLUMNS: [&str; 19] = [
    "option",
    "year",
    "protocol",
    "pollutant",
    "unit",
    "requirement",
    "what_if",
    "ceiling",
    "existing_measures",
    "existing_met",
    "least_cost_emission",
    "met",
    "shortfall",
    "annual_cost",
    "cost_per_t",
    "marginal_cost_per_t",
    "option_annual_cost",
    "currency",
    "limits",
];

/// The columns of options_measures.csv the page reads.
const MEASURE_COLUMNS: [&str; 8] = [
    "option",
    "year",
    "measure",
    "name",
    "code",
    "share",
    "annual_cost",
    "for_pollutants",
];

/// Reads the output folder of a ratification run.
pub fn read_run(dir: &Path) -> Result<Run> {
    let lines = read(&dir.join("options.csv"), &OPTION_COLUMNS, |c| {
        Ok(Line {
            option: c.text("option"),
            year: c.year("year")?,
            protocol: c.text("protocol"),
            pollutant: c.text("pollutant"),
            unit: c.text("unit"),
            requirement: c.text("requirement"),
            what_if: c.text("what_if"),
            ceiling: c.number("ceiling")?,
            existing: c.number("existing_measures")?,
            existing_met: c.yes("existing_met"),
            emission: c.number("least_cost_emission")?,
            met: c.yes("met"),
            shortfall: c.number("shortfall")?,
            annual_cost: c.number("annual_cost")?,
            cost_per_t: c.maybe("cost_per_t")?,
            marginal_cost_per_t: c.maybe("marginal_cost_per_t")?,
            option_annual_cost: c.number("option_annual_cost")?,
            currency: c.text("currency"),
            limits: c.text("limits"),
        })
    })?;
    let measures = read(&dir.join("options_measures.csv"), &MEASURE_COLUMNS, |c| {
        Ok(Bought {
            option: c.text("option"),
            year: c.year("year")?,
            measure: c.text("measure"),
            name: c.text("name"),
            code: c.text("code"),
            share: c.number("share")?,
            annual_cost: c.number("annual_cost")?,
            for_pollutants: c.text("for_pollutants"),
        })
    })?;
    Ok(Run {
        dir: dir.to_path_buf(),
        lines,
        measures,
    })
}

/// A protocol of options.csv by its short name in the language.
fn protocol_words(protocol: &str, lang: Lang) -> String {
    let key = match protocol {
        p if p.starts_with("Gothenburg") => "protocol_gothenburg_short",
        "Heavy Metals" => "protocol_heavy_metals_short",
        "POPs" => "protocol_pops_short",
        other => return other.to_string(),
    };
    text(lang, key).to_string()
}

/// A requirement as the run writes it (`60 % below 2005`, `below 2021
/// level`, `ceiling 400 kt`), in the language; anything else as it is.
pub fn requirement_words(requirement: &str, lang: Lang) -> String {
    let words: Vec<&str> = requirement.split(' ').collect();
    let separators = lang.separators();
    let number = |s: &str| crate::number::with_separators(s, separators);
    match words.as_slice() {
        ["below", year, "level"] => fill(lang, "req_below", &[("year", year)]),
        [pct, "%", "below", year] => fill(
            lang,
            "req_reduction",
            &[("pct", &number(pct)), ("year", year)],
        ),
        ["ceiling", value, rest @ ..] => fill(
            lang,
            "req_ceiling",
            &[
                ("value", &number(value)),
                ("unit", &unit(lang, &rest.join(" "))),
            ],
        ),
        _ => requirement.to_string(),
    }
}

/// Millions of a currency amount, for the page's cost columns.
fn millions(d: Decimal) -> Decimal {
    d / Decimal::from(1_000_000)
}

/// The paint of a pollutant on the cost chart: its place among the
/// pollutants in the reporting order, in the Okabe–Ito colours.
fn pollutant_paint(p: &str) -> Paint {
    let place = Pollutant::parse(p)
        .and_then(|p| Pollutant::ALL.iter().position(|q| *q == p))
        .unwrap_or(0);
    Paint {
        colour: OKABE_ITO[place % 7],
        pattern: if place < 7 {
            Pattern::Solid
        } else {
            Pattern::Hatched
        },
    }
}

/// The ratification part of the plan section.
pub fn write(h: &mut String, run: &Run, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    if run.lines.is_empty() {
        missing(h, t("no_ratification_lines"));
        return Ok(());
    }
    let currency = run
        .lines
        .iter()
        .map(|l| l.currency.as_str())
        .find(|c| !c.is_empty())
        .unwrap_or("");
    note(
        h,
        &fill(
            lang,
            "ratification_from",
            &[("dir", &run.dir.display().to_string())],
        ),
    );
    // The options side by side: one row per option, year and requirement.
    let rows: Vec<Vec<Value>> = run
        .lines
        .iter()
        .map(|l| {
            let met = |yes: bool| {
                Value::Html(format!(
                    r#"<span class="{}">{}</span>"#,
                    if yes { "met" } else { "not-met" },
                    esc(t(if yes { "yes" } else { "no" }))
                ))
            };
            let mut requirement = format!(
                "{}: {}, {} {}",
                protocol_words(&l.protocol, lang),
                l.pollutant,
                requirement_words(&l.requirement, lang),
                if l.what_if.is_empty() {
                    String::new()
                } else {
                    format!("({})", t("what_if_short"))
                }
            );
            requirement = requirement.trim_end().to_string();
            vec![
                Value::Text(l.option.clone()),
                Value::Shown(l.year.to_string()),
                Value::Text(requirement),
                Value::Text(unit(lang, &l.unit)),
                Value::Number(l.ceiling),
                Value::Number(l.existing),
                met(l.existing_met),
                Value::Number(l.emission),
                met(l.met),
                Value::Number(millions(l.annual_cost)),
                l.cost_per_t.map(Value::Number).unwrap_or(Value::Empty),
                l.marginal_cost_per_t
                    .map(Value::Number)
                    .unwrap_or(Value::Empty),
            ]
        })
        .collect();
    table(
        h,
        &[
            t("option").into(),
            t("year").into(),
            t("plan_requirement").into(),
            t("unit").into(),
            t("ceiling").into(),
            t("with_existing").into(),
            t("met_short").into(),
            t("at_least_cost").into(),
            t("met_short").into(),
            fill(lang, "annual_cost_of", &[("currency", currency)]),
            fill(lang, "cost_per_t_of", &[("currency", currency)]),
            fill(lang, "marginal_per_t_of", &[("currency", currency)]),
        ],
        &rows,
        lang,
    );
    if run.lines.iter().any(|l| !l.what_if.is_empty()) {
        note(h, t("what_if_note"));
    }
    let limits: Vec<&str> = {
        let mut v: Vec<&str> = run
            .lines
            .iter()
            .map(|l| l.limits.as_str())
            .filter(|l| !l.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    for l in limits {
        let _ = writeln!(
            h,
            r#"<p class="note">{} <span class="own">{}</span></p>"#,
            esc(t("limits_note")),
            esc(l)
        );
    }
    // The yearly cost of each option and year, stacked by the pollutant
    // each part is for, as a chart and a table.
    let mut categories: Vec<(String, i32)> = Vec::new();
    for l in &run.lines {
        if !categories.contains(&(l.option.clone(), l.year)) {
            categories.push((l.option.clone(), l.year));
        }
    }
    let mut by_pollutant: BTreeMap<usize, (String, Vec<f64>)> = BTreeMap::new();
    for l in &run.lines {
        let k = categories
            .iter()
            .position(|c| c.0 == l.option && c.1 == l.year)
            .unwrap_or(0);
        let place = Pollutant::parse(&l.pollutant)
            .and_then(|p| Pollutant::ALL.iter().position(|q| *q == p))
            .unwrap_or(usize::MAX);
        by_pollutant
            .entry(place)
            .or_insert_with(|| (l.pollutant.clone(), vec![0.0; categories.len()]))
            .1[k] += to_f64(millions(l.annual_cost));
    }
    let series: Vec<Series> = by_pollutant
        .into_values()
        .filter(|(_, v)| v.iter().any(|x| *x > 0.0))
        .map(|(p, values)| Series {
            paint: pollutant_paint(&p),
            name: p,
            values,
        })
        .collect();
    let totals: Vec<Decimal> = categories
        .iter()
        .map(|(o, y)| {
            run.lines
                .iter()
                .find(|l| &l.option == o && l.year == *y)
                .map(|l| millions(l.option_annual_cost))
                .unwrap_or_default()
        })
        .collect();
    if !series.is_empty() {
        let million = fill(lang, "million_of", &[("currency", currency)]);
        let svg = stacked_bars(
            &fill(lang, "chart_option_costs", &[("currency", currency)]),
            &million,
            &categories
                .iter()
                .map(|(o, y)| format!("{o} {y}"))
                .collect::<Vec<_>>(),
            &series,
            lang.separators(),
        );
        let rel = files.chart("plan-ratification-costs", &svg)?;
        figure(h, &svg, &rel);
    }
    let column = Column::of(totals.iter().copied());
    let _ = writeln!(
        h,
        "<p>{}</p>",
        esc(&categories
            .iter()
            .zip(&totals)
            .map(|((o, y), c)| format!(
                "{o} {y}: {} {}",
                column.show(*c, lang),
                fill(lang, "million_of", &[("currency", currency)])
            ))
            .collect::<Vec<_>>()
            .join("; "))
    );
    // The measures bought.
    let bought: Vec<&Bought> = run.measures.iter().filter(|m| !m.share.is_zero()).collect();
    let _ = writeln!(h, "<h4>{}</h4>", esc(t("ratification_measures")));
    if bought.is_empty() {
        missing(h, t("no_measures"));
        return Ok(());
    }
    let rows: Vec<Vec<Value>> = bought
        .iter()
        .map(|m| {
            vec![
                Value::Text(m.option.clone()),
                Value::Shown(m.year.to_string()),
                Value::Text(if m.name.is_empty() || m.name == m.measure {
                    m.measure.clone()
                } else {
                    format!("{}: {}", m.measure, m.name)
                }),
                Value::Text(m.code.clone()),
                Value::Number(m.share * Decimal::ONE_HUNDRED),
                Value::Number(millions(m.annual_cost)),
                Value::Text(m.for_pollutants.replace(';', ",")),
            ]
        })
        .collect();
    table(
        h,
        &[
            t("option").into(),
            t("year").into(),
            t("measure").into(),
            t("code").into(),
            t("share_pct").into(),
            fill(lang, "annual_cost_of", &[("currency", currency)]),
            t("for_pollutants").into(),
        ],
        &rows,
        lang,
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_read_in_the_language() {
        assert_eq!(
            requirement_words("59.5 % below 2005", Lang::Ru),
            "на 59,5 % ниже уровня 2005 г."
        );
        assert_eq!(
            requirement_words("below 2021 level", Lang::Ru),
            "ниже уровня 2021 г."
        );
        assert_eq!(
            requirement_words("ceiling 400 kt", Lang::Ru),
            "не более 400 кт"
        );
        assert_eq!(
            requirement_words("60 % below 2005", Lang::En),
            "60 % below 2005"
        );
        assert_eq!(
            requirement_words("something else", Lang::Ru),
            "something else"
        );
        assert_eq!(
            protocol_words("Gothenburg (2012)", Lang::Ru),
            "Гётеборгский"
        );
    }
}
