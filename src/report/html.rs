//! The page's building blocks: the files written beside it (CSV tables,
//! SVG and PNG charts), sections, tables with numbers formatted per column,
//! figures and one-line notes.

use super::format::Column;
use super::i18n::Lang;
use crate::chart::esc;
use crate::error::Result;
use crate::output;
use rust_decimal::Decimal;
use std::fmt::Write as _;

/// The files beside the page, collected as they are written.
pub struct Files<'a> {
    /// The output folder, written as one transaction.
    pub out: &'a mut output::OutputDir,
}

impl Files<'_> {
    /// Writes `tables/NAME.csv` (exact values) and returns its relative path.
    pub fn csv(&mut self, name: &str, header: &[&str], rows: &[Vec<String>]) -> Result<String> {
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

    /// Writes `charts/NAME.svg` (and `.png` where the build has it) and
    /// returns the SVG's relative path.
    pub fn chart(&mut self, name: &str, svg: &str) -> Result<String> {
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

/// A section whose input is missing, in one line.
pub fn missing(h: &mut String, message: &str) {
    let _ = writeln!(h, r#"<p class="missing">{}</p>"#, esc(message));
}

/// A note under a table or a chart.
pub fn note(h: &mut String, message: &str) {
    let _ = writeln!(h, r#"<p class="note">{}</p>"#, esc(message));
}

/// A link to a file beside the page, as a note.
pub fn file_note(h: &mut String, lead: &str, rel: &str) {
    let _ = writeln!(
        h,
        r#"<p class="note">{} <a href="{rel}">{rel}</a></p>"#,
        esc(lead)
    );
}

pub fn table_head(h: &mut String, headers: &[String]) {
    head(h, headers, None)
}

fn head(h: &mut String, headers: &[String], class: Option<&str>) {
    match class {
        Some(c) => {
            let _ = write!(h, r#"<table class="{c}"><thead><tr>"#);
        }
        None => h.push_str("<table><thead><tr>"),
    }
    for x in headers {
        let _ = write!(h, "<th>{}</th>", esc(x));
    }
    h.push_str("</tr></thead><tbody>\n");
}

pub fn section(h: &mut String, id: &str, title: &str) {
    let _ = writeln!(h, "<section id=\"{id}\"><h2>{}</h2>", esc(title));
}

/// A chart inline, with its file under it.
pub fn figure(h: &mut String, svg: &str, rel: &str) {
    let _ = writeln!(
        h,
        "<figure>{svg}<figcaption><a href=\"{rel}\">{rel}</a></figcaption></figure>"
    );
}

/// A cell of a [`table`].
#[derive(Debug, Clone)]
pub enum Value {
    /// Words (a name, a status): escaped.
    Text(String),
    /// The inventory's own words (inventory.toml), in whatever language
    /// they were written: marked so.
    Own(String),
    /// A number, shown with its column's decimals.
    Number(Decimal),
    /// A number already written (a percentage, a range), right-aligned.
    Shown(String),
    /// HTML made by the page (a link, a list), as it is.
    Html(String),
    Empty,
}

/// How a table's number columns are formatted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Each column its own decimals ([`Column`]).
    Each,
    /// One format for every number of the table (years of one quantity side by side).
    Shared,
    /// Each column its own decimals, in small type (a long table).
    Compact,
}

/// A table whose number columns each have the same decimals down
/// ([`Column`]).
pub fn table(h: &mut String, headers: &[String], rows: &[Vec<Value>], lang: Lang) {
    table_in(h, headers, rows, lang, Layout::Each)
}

/// [`table`] with a layout.
pub fn table_in(
    h: &mut String,
    headers: &[String],
    rows: &[Vec<Value>],
    lang: Lang,
    layout: Layout,
) {
    let width = headers.len();
    let numbers = |i: Option<usize>| {
        Column::of(rows.iter().flat_map(|r| {
            r.iter()
                .enumerate()
                .filter(move |(k, _)| i.is_none_or(|i| i == *k))
                .filter_map(|(_, v)| match v {
                    Value::Number(d) => Some(*d),
                    _ => None,
                })
        }))
    };
    let columns: Vec<Column> = match layout {
        Layout::Shared => vec![numbers(None); width],
        _ => (0..width).map(|i| numbers(Some(i))).collect(),
    };
    head(h, headers, (layout == Layout::Compact).then_some("compact"));
    for r in rows {
        h.push_str("<tr>");
        for (i, v) in r.iter().enumerate() {
            match v {
                Value::Text(t) => {
                    let _ = write!(h, "<td>{}</td>", esc(t));
                }
                Value::Own(t) => {
                    let _ = write!(h, r#"<td><span class="own">{}</span></td>"#, esc(t));
                }
                Value::Number(d) => {
                    let _ = write!(h, r#"<td class="n">{}</td>"#, columns[i].show(*d, lang));
                }
                Value::Shown(t) => {
                    let _ = write!(h, r#"<td class="n">{}</td>"#, esc(t));
                }
                Value::Html(t) => {
                    let _ = write!(h, "<td>{t}</td>");
                }
                Value::Empty => h.push_str("<td></td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>\n");
}
