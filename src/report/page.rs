//! The page: one self-contained HTML file (inline CSS and SVG, no script,
//! no font or image fetched), with each chart as SVG and PNG and each table
//! as CSV beside it.

use super::format::{percent, significant};
use super::i18n::{Lang, text};
use super::{MAIN, Material, Options, Written};
use crate::chart::report::{self as charts, Series};
use crate::chart::{esc, to_f64};
use crate::compare::Status;
use crate::error::{Error, Result};
use crate::notation_key::Cell;
use crate::number::format_decimal;
use crate::output;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::fmt::Write as _;

const CSS: &str = r#"
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2em auto; max-width: 62em; color: #111; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .2em; margin-top: 2em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #bbb; padding: .25em .5em; vertical-align: top; }
th { background: #eef3f8; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.missing { color: #555; font-style: italic; }
.met { color: #006d3c; font-weight: bold; } .not-met { color: #b00020; font-weight: bold; }
nav ol { columns: 2; } figure { margin: 1em 0; } figcaption { font-size: .85em; color: #444; }
.note { font-size: .85em; color: #444; }
@media print { h2 { page-break-before: always; } figure, table { page-break-inside: avoid; } nav { page-break-after: always; } }
"#;

/// The files beside the page, collected as they are written.
struct Files<'a> {
    /// The output folder, written as one transaction.
    out: &'a mut output::OutputDir,
}

impl Files<'_> {
    fn csv(&mut self, name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<String> {
        let rel = format!("tables/{name}.csv");
        let path = self.out.file(&rel)?;
        output::write_atomically(&path, |w| {
            let mut c = csv::WriterBuilder::new()
                .terminator(csv::Terminator::Any(b'\n'))
                .from_writer(w);
            c.write_record(header)?;
            for r in rows {
                c.write_record(r.iter().map(|s| output::csv_safe(s).into_owned()))?;
            }
            c.flush()
        })?;
        Ok(rel)
    }

    fn chart(&mut self, name: &str, svg: &str) -> Result<String> {
        let rel = format!("charts/{name}.svg");
        let path = self.out.file(&rel)?;
        output::write_atomically(&path, |w| w.write_all(svg.as_bytes()))?;
        // PNG where the build has it (the `png` feature); the SVG is enough otherwise.
        if let Ok(png) = crate::chart::png(svg) {
            let png_path = self.out.file(&format!("charts/{name}.png"))?;
            output::write_bytes_atomically(&png_path, &png)?;
        }
        Ok(rel)
    }
}

fn cell_text(c: &Cell, lang: Lang) -> String {
    match c {
        Cell::Number(d) => significant(*d, 4, lang),
        Cell::Key(k) => k.as_str().to_string(),
        Cell::Empty => String::new(),
    }
}

fn cell_exact(c: &Cell) -> String {
    match c {
        Cell::Number(d) => format_decimal(*d),
        Cell::Key(k) => k.as_str().to_string(),
        Cell::Empty => String::new(),
    }
}

fn missing(h: &mut String, message: &str) {
    let _ = writeln!(h, r#"<p class="missing">{}</p>"#, esc(message));
}

fn table_head(h: &mut String, headers: &[String]) {
    h.push_str("<table><thead><tr>");
    for x in headers {
        let _ = write!(h, "<th>{}</th>", esc(x));
    }
    h.push_str("</tr></thead><tbody>\n");
}

/// Writes the page and the files beside it.
pub fn write(m: &Material, opts: &Options) -> Result<Written> {
    let lang = opts.lang;
    let t = |k: &str| text(lang, k);
    // One transaction (output::OutputDir), the page last: a killed run
    // leaves the old report, the charts and tables of an earlier run that
    // this one does not make are removed, and no input is written over.
    let mut inputs = vec![m.source.clone()];
    inputs.extend(opts.previous.iter().cloned());
    let mut out = output::OutputDir::open(&opts.out, &inputs)?;
    let mut files = Files { out: &mut out };
    let sections = [
        ("summary", t("summary")),
        ("trends", t("trends")),
        ("kca", t("kca")),
        ("methods", t("methods")),
        ("keys", t("keys")),
        ("recalculations", t("recalculations")),
        ("uncertainty", t("uncertainty")),
        ("quality", t("quality")),
    ];
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{} {}</title><style>{CSS}</style></head><body>",
        lang.code(),
        esc(t("title")),
        m.year
    );
    let _ = writeln!(h, "<h1>{} — {}</h1>", esc(t("title")), m.year);
    let _ = writeln!(
        h,
        r#"<p class="note">{} {} ({} {}). {} {}</p>"#,
        esc(t("generated")),
        esc(&m.source.display().to_string()),
        esc(t("year")),
        m.year,
        esc(t("note_numbers")),
        esc(t("note_names"))
    );
    let _ = writeln!(h, "<nav><h2>{}</h2><ol>", esc(t("contents")));
    for (id, title) in &sections {
        let _ = writeln!(h, "<li><a href=\"#{id}\">{}</a></li>", esc(title));
    }
    h.push_str("</ol></nav>\n");

    summary(&mut h, m, lang, &mut files)?;
    trends(&mut h, m, lang, &mut files)?;
    key_categories(&mut h, m, lang, &mut files)?;
    methods(&mut h, m, lang, &mut files)?;
    keys(&mut h, m, lang, &mut files)?;
    recalculations(&mut h, m, lang, &mut files)?;
    uncertainty(&mut h, m, lang, &mut files)?;
    quality(&mut h, m, lang, &mut files)?;

    let _ = writeln!(h, "<h2>{}</h2><ul>", esc(t("files")));
    for rel in out.names() {
        let _ = writeln!(h, "<li><a href=\"{0}\">{0}</a></li>", esc(rel));
    }
    h.push_str("</ul></body></html>\n");
    let page = out.file("index.html")?;
    output::write_atomically(&page, |w| w.write_all(h.as_bytes()))?;
    let all = out.commit(Some("index.html"), true)?;
    Ok(Written {
        page: opts.out.join("index.html"),
        files: all,
    })
}

fn section(h: &mut String, id: &str, title: &str) {
    let _ = writeln!(h, "<section id=\"{id}\"><h2>{}</h2>", esc(title));
}

fn summary(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "summary", t("summary"));
    let total = m
        .table()
        .row("NATIONAL TOTAL")
        .ok_or_else(|| Error::Ambiguous("the table has no NATIONAL TOTAL row".into()))?;
    // National totals of the year, the 26 pollutants.
    table_head(
        h,
        &[
            t("pollutant").into(),
            t("unit").into(),
            format!("{} {}", t("total"), m.year),
        ],
    );
    let mut rows = Vec::new();
    for p in Pollutant::ALL {
        let c = total.get(p);
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
            esc(p.id()),
            esc(&p.info().unit),
            esc(&cell_text(&c, lang))
        );
        rows.push(vec![
            p.id().to_string(),
            p.info().unit.clone(),
            cell_exact(&c),
        ]);
    }
    h.push_str("</tbody></table>\n");
    let rel = files.csv(
        "national-totals",
        &["pollutant", "unit", "national_total"],
        &rows,
    )?;
    let _ = writeln!(h, r#"<p class="note"><a href="{rel}">{rel}</a></p>"#);
    // The protocols' commitments.
    match &m.comparison {
        Some(c) => {
            table_head(
                h,
                &[
                    t("pollutant").into(),
                    t("base_year").into(),
                    t("base_value").into(),
                    format!("{} {}", t("total"), c.year),
                    t("change").into(),
                    t("commitment").into(),
                    t("status").into(),
                ],
            );
            let mut rows = Vec::new();
            for l in &c.lines {
                let (class, status) = match l.status {
                    Status::Met => ("met", t("met")),
                    Status::NotMet => ("not-met", t("not_met")),
                    Status::NoCommitment => ("", t("no_commitment")),
                    _ => ("", t("cannot_compare")),
                };
                let commitment = l
                    .commitment
                    .as_ref()
                    .map(|c| c.describe())
                    .unwrap_or_default();
                let _ = writeln!(
                    h,
                    "<tr><td>{} ({})</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
                    esc(l.pollutant.id()),
                    esc(l.unit),
                    l.base_year,
                    l.base.map(|b| significant(b, 4, lang)).unwrap_or_default(),
                    // The year's total even where nothing can be compared (no base year).
                    l.value
                        .or_else(|| total.get(l.pollutant).number())
                        .map(|v| significant(v, 4, lang))
                        .unwrap_or_default(),
                    l.change_pct.map(|p| percent(p, lang)).unwrap_or_default(),
                    esc(&commitment),
                    esc(status)
                );
                rows.push(vec![
                    l.pollutant.id().to_string(),
                    l.unit.to_string(),
                    l.base_year.to_string(),
                    l.base.map(format_decimal).unwrap_or_default(),
                    l.value
                        .or_else(|| total.get(l.pollutant).number())
                        .map(format_decimal)
                        .unwrap_or_default(),
                    l.change_pct.map(format_decimal).unwrap_or_default(),
                    commitment,
                    l.status.as_str().to_string(),
                ]);
            }
            h.push_str("</tbody></table>\n");
            let _ = writeln!(h, r#"<p class="note">{}</p>"#, esc(&c.total_reason));
            files.csv(
                "commitments",
                &[
                    "pollutant",
                    "unit",
                    "base_year",
                    "base",
                    "value",
                    "change_pct",
                    "commitment",
                    "status",
                ],
                &rows,
            )?;
        }
        None => missing(h, m.comparison_note.as_deref().unwrap_or("")),
    }
    h.push_str("</section>\n");
    Ok(())
}

fn trends(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "trends", t("trends"));
    let years: Vec<String> = m
        .tables
        .iter()
        .map(|y| y.table.header.year.to_string())
        .collect();
    if years.len() < 2 {
        missing(h, t("one_year"));
    }
    for p in MAIN {
        let series = super::gnfr_series(&m.tables, p);
        // The seven largest sectors over all years, then the rest.
        let mut order: Vec<(Decimal, usize)> = series
            .iter()
            .enumerate()
            .map(|(i, (_, v))| (v.iter().map(|d| d.abs()).sum::<Decimal>(), i))
            .filter(|(s, _)| !s.is_zero())
            .collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut chart: Vec<Series> = order
            .iter()
            .take(7)
            .map(|(_, i)| Series {
                name: series[*i].0.clone(),
                values: series[*i].1.iter().map(|d| to_f64(*d)).collect(),
            })
            .collect();
        if order.len() > 7 {
            let mut rest = vec![0.0; years.len()];
            for (_, i) in &order[7..] {
                for (k, v) in series[*i].1.iter().enumerate() {
                    rest[k] += to_f64(*v);
                }
            }
            chart.push(Series {
                name: t("other_sectors").to_string(),
                values: rest,
            });
        }
        let unit = p.info().unit.clone();
        let title = format!("{} ({unit}) {}", p.id(), t("chart_trend"));
        let svg = charts::stacked_bars(&title, &unit, &years, &chart);
        let slug = p.id().replace('.', "");
        let rel = files.chart(&format!("trend-{slug}"), &svg)?;
        let _ = writeln!(
            h,
            "<figure>{svg}<figcaption><a href=\"{rel}\">{rel}</a></figcaption></figure>"
        );
        // The table: every GNFR sector and year, exact in the CSV.
        let mut header = vec![t("sector").to_string()];
        header.extend(years.iter().cloned());
        let mut rows = Vec::new();
        table_head(h, &header);
        for (_, i) in &order {
            let (name, values) = &series[*i];
            let _ = write!(h, "<tr><td>{}</td>", esc(name));
            for v in values {
                let _ = write!(h, "<td class=\"n\">{}</td>", significant(*v, 4, lang));
            }
            h.push_str("</tr>\n");
            let mut r: Vec<String> = vec![name.clone()];
            r.extend(values.iter().map(|v| format_decimal(*v).to_string()));
            rows.push(r);
        }
        h.push_str("</tbody></table>\n");
        let mut csv_header = vec!["gnfr".to_string()];
        csv_header.extend(years.iter().cloned());
        let csv_header: Vec<&str> = csv_header.iter().map(String::as_str).collect();
        files.csv(&format!("trend-{slug}"), &csv_header, &rows)?;
    }
    h.push_str("</section>\n");
    Ok(())
}

fn key_categories(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "kca", t("kca"));
    for a in &m.key_categories {
        let p = a.pollutant;
        let top: Vec<_> = a
            .categories
            .iter()
            .filter(|c| !c.level.is_zero())
            .take(15)
            .collect();
        let names: Vec<String> = top.iter().map(|c| c.code.to_string()).collect();
        let shares: Vec<f64> = top.iter().map(|c| to_f64(c.level)).collect();
        let svg = charts::pareto(
            &format!("{}: {} {}", p.id(), t("chart_pareto"), m.year),
            &names,
            &shares,
            to_f64(crate::kca::THRESHOLD_PCT),
        );
        let slug = p.id().replace('.', "");
        let rel = files.chart(&format!("kca-{slug}"), &svg)?;
        let _ = writeln!(h, "<h3>{} ({})</h3>", esc(p.id()), esc(&p.info().unit));
        let _ = writeln!(
            h,
            "<figure>{svg}<figcaption><a href=\"{rel}\">{rel}</a></figcaption></figure>"
        );
        let mut header: Vec<String> = vec![
            t("code").into(),
            t("name").into(),
            t("emission").into(),
            t("level").into(),
            t("cumulative").into(),
        ];
        if a.base.is_some() {
            header.push(t("trend").into());
        }
        header.push(t("kca_u").into());
        header.push(t("key").into());
        table_head(h, &header);
        let mut rows = Vec::new();
        for c in &a.categories {
            let a2 = c.approach2.as_ref();
            if c.key {
                let _ = write!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                    esc(c.code),
                    esc(c.name),
                    significant(c.emission, 4, lang),
                    percent(c.level, lang).trim_start_matches('+'),
                    percent(c.cumulative, lang).trim_start_matches('+'),
                );
                if a.base.is_some() {
                    let _ = write!(
                        h,
                        "<td class=\"n\">{}</td>",
                        c.trend_share()
                            .map(|x| percent(x, lang).trim_start_matches('+').to_string())
                            .unwrap_or_default()
                    );
                }
                let _ = writeln!(
                    h,
                    "<td class=\"n\">{}</td><td>{}</td></tr>",
                    a2.map(|a| format!("±{}", significant(a.uncertainty_pct, 3, lang)) + " %")
                        .unwrap_or_default(),
                    esc(&c.criteria)
                );
            }
            let six = |x: Decimal| format_decimal(x.round_dp(6).normalize());
            let t2 = a2.and_then(|a| a.trend.as_ref());
            rows.push(vec![
                c.code.to_string(),
                format_decimal(c.emission),
                six(c.level),
                six(c.cumulative),
                c.key_level.to_string(),
                c.trend_share().map(six).unwrap_or_default(),
                c.key_trend().to_string(),
                a2.map(|a| six(a.uncertainty_pct)).unwrap_or_default(),
                a2.and_then(|a| a.level_u).map(six).unwrap_or_default(),
                a2.is_some_and(|a| a.key_level_u).to_string(),
                t2.and_then(|t| t.trend_u).map(six).unwrap_or_default(),
                t2.is_some_and(|t| t.key_trend_u).to_string(),
                c.criteria.clone(),
            ]);
        }
        h.push_str("</tbody></table>\n");
        files.csv(
            &format!("kca-{slug}"),
            &[
                "code",
                "emission",
                "level_pct",
                "cumulative_pct",
                "key_level",
                "trend_pct",
                "key_trend",
                "uncertainty_pct",
                "level_u_pct",
                "key_level_u",
                "trend_u_pct",
                "key_trend_u",
                "criteria",
            ],
            &rows,
        )?;
    }
    if m.key_categories.is_empty() {
        missing(h, t("missing_kca"));
    } else {
        let _ = writeln!(h, "<p>{}</p>", esc(t("kca_rule")));
    }
    h.push_str("</section>\n");
    Ok(())
}

fn join(set: &std::collections::BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join("; ")
}

fn methods(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "methods", t("methods"));
    match &m.methods {
        None => missing(h, t("missing_methods")),
        Some(methods) => {
            table_head(
                h,
                &[
                    t("code").into(),
                    t("name").into(),
                    t("tiers").into(),
                    t("tables").into(),
                    t("factor_sources").into(),
                    t("activity_sources").into(),
                ],
            );
            let mut rows = Vec::new();
            for x in methods {
                let cells = [
                    x.code.clone(),
                    x.name.clone(),
                    join(&x.tiers),
                    join(&x.tables),
                    join(&x.factor_sources),
                    join(&x.activity_sources),
                ];
                h.push_str("<tr>");
                for c in &cells {
                    let _ = write!(h, "<td>{}</td>", esc(c));
                }
                h.push_str("</tr>\n");
                rows.push(cells.to_vec());
            }
            h.push_str("</tbody></table>\n");
            files.csv(
                "methods",
                &[
                    "code",
                    "name",
                    "tiers",
                    "tables",
                    "factor_sources",
                    "activity_sources",
                ],
                &rows,
            )?;
        }
    }
    h.push_str("</section>\n");
    Ok(())
}

fn keys(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "keys", t("keys"));
    if m.keys.is_empty() {
        missing(h, t("no_keys"));
    } else {
        table_head(
            h,
            &[
                t("code").into(),
                t("name").into(),
                t("key").into(),
                t("pollutants").into(),
                t("included_in").into(),
                t("explanation").into(),
            ],
        );
        let mut rows = Vec::new();
        for k in &m.keys {
            let pollutants = if k.pollutants.len() == Pollutant::ALL.len() {
                "all".to_string()
            } else {
                k.pollutants
                    .iter()
                    .map(|p| p.id())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let cells = [
                k.code.clone(),
                k.name.clone(),
                k.key.as_str().to_string(),
                pollutants,
                k.included_in.clone(),
                k.explanation.clone(),
            ];
            h.push_str("<tr>");
            for c in &cells {
                let _ = write!(h, "<td>{}</td>", esc(c));
            }
            h.push_str("</tr>\n");
            rows.push(cells.to_vec());
        }
        h.push_str("</tbody></table>\n");
        files.csv(
            "notation-keys",
            &[
                "code",
                "name",
                "key",
                "pollutants",
                "included_in",
                "explanation",
            ],
            &rows,
        )?;
    }
    let _ = writeln!(h, "<h3>{}</h3>", esc(t("ne_tier1")));
    if m.ne_tier1.is_empty() {
        missing(h, t("no_findings"));
    } else {
        h.push_str("<ul>\n");
        for f in &m.ne_tier1 {
            let _ = writeln!(h, "<li>{}: {}</li>", esc(&f.place()), esc(&f.message));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

fn recalculations(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "recalculations", t("recalculations"));
    match &m.recalculation {
        None => missing(h, t("missing_previous")),
        Some(r) if r.changes.is_empty() => missing(h, t("no_recalculations")),
        Some(r) => {
            table_head(
                h,
                &[
                    t("year").into(),
                    t("code").into(),
                    t("pollutant").into(),
                    t("previous_value").into(),
                    t("current_value").into(),
                    t("difference").into(),
                ],
            );
            for c in r.changes.iter().take(300) {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    c.year,
                    esc(&c.row.code),
                    esc(&c.what),
                    esc(&cell_text(&c.previous, lang)),
                    esc(&cell_text(&c.current, lang)),
                    c.percent(1).map(|p| percent(p, lang)).unwrap_or_default()
                );
            }
            h.push_str("</tbody></table>\n");
            let path = files.out.file("tables/recalculations.csv")?;
            output::write_atomically(&path, |w| crate::check::recalculation::write_csv(w, r))?;
            let _ = writeln!(
                h,
                "<p class=\"note\">{} (<a href=\"tables/recalculations.csv\">tables/recalculations.csv</a>)</p>",
                r.changes.len()
            );
        }
    }
    h.push_str("</section>\n");
    Ok(())
}

fn uncertainty(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "uncertainty", t("uncertainty"));
    let Some(list) = &m.uncertainty else {
        missing(h, t("missing_uncertainty"));
        h.push_str("</section>\n");
        return Ok(());
    };
    // The totals: the Monte Carlo's 95 % interval first (the result where
    // Approach 1 is out of its range), then Approach 1's two sides.
    let with_mc = list.iter().any(|u| u.monte_carlo.is_some());
    if with_mc {
        let _ = writeln!(
            h,
            "<p>{}: {} {}, {} {}; {}.</p>",
            esc(t("mc")),
            significant(Decimal::from(m.iterations), 6, lang),
            esc(t("iterations")),
            esc(t("seed")),
            m.seed,
            esc(t("mc_as_command"))
        );
    } else {
        let _ = writeln!(h, "<p>{}</p>", esc(t("a1_only")));
    }
    let mut header: Vec<String> = vec![t("pollutant").into(), t("total").into()];
    if with_mc {
        header.push(t("mc_interval").into());
        header.push(t("mc_relative").into());
    }
    header.push(t("a1_interval").into());
    table_head(h, &header);
    let sides = |lo: Decimal, hi: Decimal| {
        format!(
            "−{} % / +{} %",
            significant(lo, 3, lang),
            significant(hi, 3, lang)
        )
    };
    let mut rows = Vec::new();
    for u in list {
        let a = &u.approach1;
        let _ = write!(
            h,
            "<tr><td>{} ({})</td><td class=\"n\">{}</td>",
            esc(a.pollutant.id()),
            esc(&a.pollutant.info().unit),
            significant(a.total, 4, lang),
        );
        if with_mc {
            let (interval, relative) = u
                .monte_carlo
                .as_ref()
                .and_then(|mc| {
                    let lower = crate::number::from_excel(mc.total.lower).ok()?;
                    let upper = crate::number::from_excel(mc.total.upper).ok()?;
                    let rel = (!a.total.is_zero()).then(|| {
                        sides(
                            ((a.total - lower) / a.total * Decimal::ONE_HUNDRED).max(Decimal::ZERO),
                            ((upper - a.total) / a.total * Decimal::ONE_HUNDRED).max(Decimal::ZERO),
                        )
                    });
                    Some((
                        format!(
                            "{} – {}",
                            significant(lower, 4, lang),
                            significant(upper, 4, lang)
                        ),
                        rel.unwrap_or_default(),
                    ))
                })
                .unwrap_or_default();
            let _ = write!(
                h,
                "<td class=\"n\">{}</td><td class=\"n\">{}</td>",
                esc(&interval),
                esc(&relative)
            );
        }
        let _ = writeln!(
            h,
            "<td class=\"n\">{}{}</td></tr>",
            a.sides()
                .map(|(lo, hi)| esc(&sides(lo, hi)))
                .unwrap_or_default(),
            if a.indicative { " *" } else { "" }
        );
        let opt = |d: Option<Decimal>| {
            d.map(|x| format_decimal(x.round_dp(4).normalize()))
                .unwrap_or_default()
        };
        rows.push(vec![
            a.pollutant.id().to_string(),
            format_decimal(a.total),
            opt(a.lower_pct),
            opt(a.upper_pct),
            a.indicative.to_string(),
            u.monte_carlo
                .as_ref()
                .map(|mc| mc.total.lower.to_string())
                .unwrap_or_default(),
            u.monte_carlo
                .as_ref()
                .map(|mc| mc.total.upper.to_string())
                .unwrap_or_default(),
        ]);
    }
    h.push_str("</tbody></table>\n");
    if list.iter().any(|u| u.approach1.indicative) {
        let _ = writeln!(h, "<p>* {}</p>", esc(t("a1_indicative")));
    }
    if m.placeholders > 0 {
        let _ = writeln!(h, "<p>{} {}</p>", m.placeholders, esc(t("placeholders")));
    }
    files.csv(
        "uncertainty",
        &[
            "pollutant",
            "total",
            "approach1_lower_pct",
            "approach1_upper_pct",
            "approach1_indicative",
            "monte_carlo_lower",
            "monte_carlo_upper",
        ],
        &rows,
    )?;
    // The Approach 1 table of each pollutant: its five largest contributors.
    for u in list {
        let a = &u.approach1;
        let _ = writeln!(
            h,
            "<h3>{} ({})</h3>",
            esc(a.pollutant.id()),
            esc(&a.pollutant.info().unit)
        );
        table_head(
            h,
            &[
                t("code").into(),
                t("emission").into(),
                t("u_ad").into(),
                t("u_ef").into(),
                t("combined").into(),
                t("contribution").into(),
            ],
        );
        for r in a.rows.iter().take(5) {
            let code = r.input.code;
            let pct = |x: Decimal| percent(x, lang).trim_start_matches('+').to_string();
            let pct_sides = |lo: Decimal, hi: Decimal| {
                if lo == hi {
                    format!("±{}", pct(lo))
                } else {
                    format!("−{} / +{}", pct(lo), pct(hi))
                }
            };
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                esc(code),
                significant(r.input.emission, 4, lang),
                pct_sides(r.input.activity_lower_pct, r.input.activity_upper_pct),
                pct_sides(r.input.factor_lower_pct, r.input.factor_upper_pct),
                pct_sides(r.combined_lower_pct, r.combined_upper_pct),
                pct(r.variance_share)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
    Ok(())
}

fn quality(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "quality", t("quality"));
    // Grouped by check: count, severity and the first place.
    let mut groups: Vec<(&str, &str, usize, String)> = Vec::new();
    for f in &m.findings {
        match groups.iter_mut().find(|g| g.0 == f.check) {
            Some(g) => g.2 += 1,
            None => groups.push((
                f.check,
                f.severity.as_str(),
                1,
                format!("{}: {}", f.place(), f.message),
            )),
        }
    }
    if groups.is_empty() {
        missing(h, t("no_findings"));
    } else {
        table_head(
            h,
            &[
                t("check").into(),
                t("severity").into(),
                t("count").into(),
                t("example").into(),
            ],
        );
        let mut rows = Vec::new();
        for (check, severity, count, example) in &groups {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{count}</td><td>{}</td></tr>",
                esc(check),
                esc(severity),
                esc(example)
            );
            rows.push(vec![
                check.to_string(),
                severity.to_string(),
                count.to_string(),
                example.clone(),
            ]);
        }
        h.push_str("</tbody></table>\n");
        files.csv(
            "findings",
            &["check", "severity", "count", "example"],
            &rows,
        )?;
    }
    h.push_str("</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<b>\"a\" & b</b>"),
            "&lt;b&gt;&quot;a&quot; &amp; b&lt;/b&gt;"
        );
    }
}
