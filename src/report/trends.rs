//! The trends: per main pollutant a stacked bar chart of its emissions by
//! GNFR sector over the years (each sector in its paint on every chart),
//! two charts side by side; one table of the national totals per year; the
//! sector sums per year in a CSV file per pollutant.

use super::html::{Files, Layout, Value, figure, missing, section, table_in};
use super::i18n::{Lang, gnfr_name, text, unit};
use super::{MAIN, Material};
use crate::chart::colour;
use crate::chart::report::{self as charts, Series};
use crate::chart::to_f64;
use crate::error::Result;
use crate::number::format_decimal;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// The largest sectors drawn each in its paint; the rest are one grey series.
const DRAWN: usize = 7;

pub fn write(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
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
    // The national totals per year of the main pollutants (all in kt).
    let unit_kt = unit(lang, MAIN[0].unit());
    let mut headers = vec![format!("{}, {unit_kt}", t("pollutant"))];
    headers.extend(years.iter().cloned());
    let rows: Vec<Vec<Value>> = MAIN
        .iter()
        .map(|p| {
            let mut r = vec![Value::Text(p.id().to_string())];
            for y in &m.tables {
                r.push(
                    y.table
                        .row("NATIONAL TOTAL")
                        .and_then(|row| row.get(*p).number())
                        .map(Value::Number)
                        .unwrap_or(Value::Empty),
                );
            }
            r
        })
        .collect();
    let _ = writeln!(h, "<h3>{}</h3>", crate::chart::esc(t("totals_by_year")));
    table_in(h, &headers, &rows, lang, Layout::Shared);
    h.push_str("<div class=\"grid\">\n");
    let mut links = Vec::new();
    for p in MAIN {
        let series = super::gnfr_series(&m.tables, p);
        // The largest sectors over all years, then the rest.
        let mut order: Vec<(Decimal, usize)> = series
            .iter()
            .enumerate()
            .map(|(i, (_, v))| (v.iter().map(|d| d.abs()).sum::<Decimal>(), i))
            .filter(|(s, _)| !s.is_zero())
            .collect();
        order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut drawn: Vec<usize> = order.iter().take(DRAWN).map(|(_, i)| *i).collect();
        // In the sectors' order (A, B, C ...), so that stacks read alike.
        drawn.sort_by(|a, b| series[*a].0.cmp(&series[*b].0));
        let mut chart: Vec<Series> = drawn
            .iter()
            .map(|i| Series {
                name: gnfr_name(lang, &series[*i].0),
                paint: colour::sector(&series[*i].0),
                values: series[*i].1.iter().map(|d| to_f64(*d)).collect(),
            })
            .collect();
        if order.len() > DRAWN {
            let mut rest = vec![0.0; years.len()];
            for (_, i) in &order[DRAWN..] {
                for (k, v) in series[*i].1.iter().enumerate() {
                    rest[k] += to_f64(*v);
                }
            }
            chart.push(Series {
                name: t("other_sectors").to_string(),
                paint: colour::OTHER,
                values: rest,
            });
        }
        let unit = unit(lang, &p.info().unit);
        let title = format!("{} ({unit}) {}", p.id(), t("chart_trend"));
        let svg = charts::stacked_bars(&title, &unit, &years, &chart, lang.separators());
        let slug = p.id().replace('.', "");
        let rel = files.chart(&format!("trend-{slug}"), &svg)?;
        h.push_str("<div>");
        figure(h, &svg, &rel);
        h.push_str("</div>\n");
        // Every GNFR sector and year, exact, in the CSV.
        let rows: Vec<Vec<String>> = order
            .iter()
            .map(|(_, i)| {
                let (name, values) = &series[*i];
                let mut r: Vec<String> = vec![name.clone()];
                r.extend(values.iter().map(|v| format_decimal(*v)));
                r
            })
            .collect();
        let mut csv_header = vec!["gnfr".to_string()];
        csv_header.extend(years.iter().cloned());
        let csv_header: Vec<&str> = csv_header.iter().map(String::as_str).collect();
        links.push(files.csv(&format!("trend-{slug}"), &csv_header, &rows)?);
    }
    h.push_str("</div>\n");
    let _ = writeln!(
        h,
        r#"<p class="note">{} {}</p>"#,
        crate::chart::esc(t("trend_tables")),
        links
            .iter()
            .map(|l| format!(r#"<a href="{l}">{l}</a>"#))
            .collect::<Vec<_>>()
            .join(", ")
    );
    h.push_str("</section>\n");
    Ok(())
}
