//! The page: one self-contained HTML file (inline CSS and SVG, no script,
//! no font or image fetched), with each chart as SVG and PNG and each table
//! as CSV beside it. The sections in their order; the key categories,
//! recalculations and uncertainty are drawn here, the others in their own
//! modules.

use super::format::{Column, percent, significant};
use super::html::{Files, Layout, Value, figure, missing, note, section, table_head, table_in};
use super::i18n::{Lang, code_name, gnfr_name, text, unit};
use super::{Material, Options, Written};
use crate::chart::colour;
use crate::chart::esc;
use crate::chart::report::{self as charts, ParetoBar, ParetoWords};
use crate::chart::to_f64;
use crate::number::format_decimal;
use crate::output;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;

const CSS: &str = r#"
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5em auto; max-width: 1240px; padding: 0 1em; color: #111; line-height: 1.35; font-size: 15px; }
h1 { font-size: 1.5em; margin-bottom: .2em; } h2 { border-bottom: 2px solid #0072B2; padding-bottom: .15em; margin-top: 1.6em; }
h3 { margin: 1em 0 .3em; font-size: 1.05em; }
table { border-collapse: collapse; margin: .5em 0; font-size: .87em; }
th, td { border: 1px solid #bbb; padding: .2em .45em; vertical-align: top; }
th { background: #eef3f8; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.missing { color: #555; font-style: italic; margin: .4em 0; }
.met { color: #006d3c; font-weight: bold; } .not-met { color: #b00020; font-weight: bold; }
nav ol { columns: 3; margin: .3em 0; } figure { margin: .5em 0; } figcaption { font-size: .8em; color: #444; }
figure svg { max-width: 100%; height: auto; }
table.compact { font-size: .78em; } .grid table { font-size: .78em; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: .4em 1.5em; align-items: start; }
.side { display: flex; flex-wrap: wrap; gap: 0 1.5em; align-items: flex-start; }
.note { font-size: .82em; color: #444; margin: .3em 0; }
.own { font-style: italic; }
ul.files { columns: 4; font-size: .8em; padding-left: 1.2em; }
@media print { body { max-width: none; } h2 { page-break-before: always; } figure, table { page-break-inside: avoid; } nav { page-break-after: always; } .grid { display: block; } }
"#;

/// Writes the page and the files beside it.
pub fn write(m: &Material, opts: &Options) -> crate::error::Result<Written> {
    let lang = opts.lang;
    let t = |k: &str| text(lang, k);
    // One transaction (output::OutputDir), the page last: a killed run
    // leaves the old report, the charts and tables of an earlier run that
    // this one does not make are removed, and no input is written over.
    let mut inputs = vec![m.source.clone()];
    inputs.extend(opts.previous.iter().cloned());
    inputs.extend(opts.scenarios.iter().cloned());
    inputs.extend(opts.ratification.iter().cloned());
    inputs.extend(opts.plants.iter().cloned());
    let mut out = output::OutputDir::open(&opts.out, &inputs)?;
    let mut files = Files { out: &mut out };
    let sections = [
        ("summary", t("summary")),
        ("commitments", t("commitments")),
        ("trends", t("trends")),
        ("kca", t("kca")),
        ("methods", t("methods")),
        ("keys", t("keys")),
        ("recalculations", t("recalculations")),
        ("uncertainty", t("uncertainty")),
        ("quality", t("quality")),
        ("plan", t("plan")),
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
        r#"<p class="note">{} <code>{}</code>. {} {}</p>"#,
        esc(t("generated")),
        esc(&m.source.display().to_string()),
        esc(t("note_numbers")),
        esc(t("note_names"))
    );
    let _ = writeln!(h, "<nav><h2>{}</h2><ol>", esc(t("contents")));
    for (id, title) in &sections {
        let _ = writeln!(h, "<li><a href=\"#{id}\">{}</a></li>", esc(title));
    }
    h.push_str("</ol></nav>\n");

    super::summary::totals(&mut h, m, lang, &mut files)?;
    super::summary::commitments(&mut h, m, lang, &mut files)?;
    super::trends::write(&mut h, m, lang, &mut files)?;
    key_categories(&mut h, m, lang, &mut files)?;
    super::methods::write(&mut h, m, lang, &mut files)?;
    super::keys::write(&mut h, m, lang, &mut files)?;
    recalculations(&mut h, m, lang, &mut files)?;
    uncertainty(&mut h, m, lang, &mut files)?;
    super::quality::write(&mut h, m, lang, &mut files)?;
    super::plan::write(&mut h, m, opts, &mut files)?;

    let _ = writeln!(h, "<h2>{}</h2><ul class=\"files\">", esc(t("files")));
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

/// The Pareto chart of a pollutant's key categories, its bars painted by sector.
fn pareto_chart(a: &crate::kca::PollutantKca, year: i32, lang: Lang) -> String {
    let t = |k: &str| text(lang, k);
    let top: Vec<_> = a
        .categories
        .iter()
        .filter(|c| !c.level.is_zero())
        .take(15)
        .collect();
    let gnfr = |code: &str| {
        crate::nfr::find(code)
            .map(|r| r.gnfr.clone())
            .unwrap_or_default()
    };
    let bars: Vec<ParetoBar> = top
        .iter()
        .map(|c| ParetoBar {
            name: c.code.to_string(),
            share_pct: to_f64(c.level),
            paint: colour::sector(&gnfr(c.code)),
            key: c.key_level,
        })
        .collect();
    let mut sectors: Vec<String> = top.iter().map(|c| gnfr(c.code)).collect();
    sectors.sort();
    sectors.dedup();
    let words = ParetoWords {
        sectors: sectors
            .iter()
            .map(|g| (colour::sector(g), gnfr_name(lang, g)))
            .collect(),
        not_key: t("legend_not_key"),
        cumulative: t("legend_cumulative"),
        threshold: t("legend_threshold"),
    };
    charts::pareto(
        &format!("{}: {} {}", a.pollutant.id(), t("chart_pareto"), year),
        &bars,
        to_f64(crate::kca::THRESHOLD_PCT),
        &words,
        lang.separators(),
    )
}

fn key_categories(
    h: &mut String,
    m: &Material,
    lang: Lang,
    files: &mut Files,
) -> crate::error::Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "kca", t("kca"));
    // The Pareto charts, two side by side.
    h.push_str("<div class=\"grid\">\n");
    for a in &m.key_categories {
        let p = a.pollutant;
        let svg = pareto_chart(a, m.year, lang);
        let slug = p.id().replace('.', "");
        let rel = files.chart(&format!("kca-{slug}"), &svg)?;
        h.push_str("<div>");
        figure(h, &svg, &rel);
        h.push_str("</div>\n");
    }
    h.push_str("</div>\n");
    // One table as IIRs give it: every key category (in the template's
    // order) × pollutant, the criteria that make it key and its level share.
    let mut key_rows: BTreeMap<u32, &'static str> = BTreeMap::new();
    for a in &m.key_categories {
        for c in a.categories.iter().filter(|c| c.key) {
            key_rows.insert(c.row, c.code);
        }
    }
    if !key_rows.is_empty() {
        let mut headers: Vec<String> = vec![t("code").into(), t("name").into()];
        headers.extend(
            m.key_categories
                .iter()
                .map(|a| a.pollutant.id().to_string()),
        );
        let rows: Vec<Vec<Value>> = key_rows
            .iter()
            .map(|(row, code)| {
                let mut r = vec![
                    Value::Text(code.to_string()),
                    Value::Text(code_name(lang, code)),
                ];
                for a in &m.key_categories {
                    r.push(match a.categories.iter().find(|c| c.row == *row && c.key) {
                        Some(c) => Value::Shown(format!(
                            "{} · {}",
                            c.criteria,
                            percent(c.level, lang).trim_start_matches('+')
                        )),
                        None => Value::Empty,
                    });
                }
                r
            })
            .collect();
        table_in(h, &headers, &rows, lang, Layout::Compact);
        note(h, t("kca_table_note"));
    }
    for a in &m.key_categories {
        let slug = a.pollutant.id().replace('.', "");
        let mut rows = Vec::new();
        for c in &a.categories {
            let a2 = c.approach2.as_ref();
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

fn recalculations(
    h: &mut String,
    m: &Material,
    lang: Lang,
    files: &mut Files,
) -> crate::error::Result<()> {
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
            let shown: Vec<_> = r.changes.iter().take(300).collect();
            let values = Column::of(
                shown
                    .iter()
                    .flat_map(|c| [c.previous.number(), c.current.number()])
                    .flatten(),
            );
            let cell = |c: &crate::notation_key::Cell| match c {
                crate::notation_key::Cell::Number(d) => values.show(*d, lang),
                crate::notation_key::Cell::Key(k) => k.as_str().to_string(),
                crate::notation_key::Cell::Empty => String::new(),
            };
            for c in shown {
                let _ = writeln!(
                    h,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                    c.year,
                    esc(&c.row.code),
                    esc(&c.what),
                    esc(&cell(&c.previous)),
                    esc(&cell(&c.current)),
                    c.percent(1).map(|p| percent(p, lang)).unwrap_or_default()
                );
            }
            h.push_str("</tbody></table>\n");
            let path = files.out.file("tables/recalculations.csv")?;
            output::write_atomically(&path, |w| crate::check::recalculation::write_csv(w, r))?;
            let _ = writeln!(
                h,
                "<p class=\"note\">{}: {} (<a href=\"tables/recalculations.csv\">tables/recalculations.csv</a>)</p>",
                esc(t("changed_cells")),
                r.changes.len()
            );
        }
    }
    h.push_str("</section>\n");
    Ok(())
}

fn uncertainty(
    h: &mut String,
    m: &Material,
    lang: Lang,
    files: &mut Files,
) -> crate::error::Result<()> {
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
            esc(&unit(lang, &a.pollutant.info().unit)),
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
    h.push_str("<div class=\"grid\">\n");
    for u in list {
        let a = &u.approach1;
        let _ = writeln!(
            h,
            "<div><h3>{} ({})</h3>",
            esc(a.pollutant.id()),
            esc(&unit(lang, &a.pollutant.info().unit))
        );
        table_head(
            h,
            &[
                t("code").into(),
                format!(
                    "{}, {}",
                    t("emission"),
                    unit(lang, &a.pollutant.info().unit)
                ),
                t("u_ad").into(),
                t("u_ef").into(),
                t("combined").into(),
                t("contribution").into(),
            ],
        );
        let emissions = Column::of(a.rows.iter().take(5).map(|r| r.input.emission));
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
                emissions.show(r.input.emission, lang),
                pct_sides(r.input.activity_lower_pct, r.input.activity_upper_pct),
                pct_sides(r.input.factor_lower_pct, r.input.factor_upper_pct),
                pct_sides(r.combined_lower_pct, r.combined_upper_pct),
                pct(r.variance_share)
            );
        }
        h.push_str("</tbody></table></div>\n");
    }
    h.push_str("</div>\n</section>\n");
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
