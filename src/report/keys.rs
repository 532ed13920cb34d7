//! The notation-key section, as an IIR chapter rather than a log: a table
//! of keys × GNFR sector (cells and rows), the IE rows with where they are
//! included, and each row reported NE although the Guidebook gives a Tier 1
//! method once, with the data it would take and the reason inventory.toml
//! gives. Every cell, with its reason in full, is in the CSV beside the page.

use super::html::{Files, Layout, Value, file_note, missing, note, section, table, table_in};
use super::i18n::{Lang, code_name, fill, gnfr_name, text};
use super::methods::dotted;
use super::{KeyUse, Material};
use crate::check::implied_factors::Tier1;
use crate::error::Result;
use crate::notation_key::NotationKey;
use crate::pollutant::Pollutant;
use crate::unit::{CountKind, Dimension, FactorUnit};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The longest reason shown on the page; the CSV has every reason whole.
const REASON_CHARS: usize = 110;

/// A reason cut at a word before `REASON_CHARS`, with `…` when cut.
fn shortened(reason: &str) -> String {
    if reason.chars().count() <= REASON_CHARS {
        return reason.to_string();
    }
    let cut: String = reason.chars().take(REASON_CHARS).collect();
    let at = cut.rfind(' ').unwrap_or(cut.len());
    format!("{}…", cut[..at].trim_end_matches([',', ';', ':', ' ']))
}

/// What a factor's activity is, in words (`fuel energy (TJ)`).
fn dimension_words(d: Dimension, lang: Lang) -> &'static str {
    let key = match d {
        Dimension::Energy => "dim_energy",
        Dimension::Electricity => "dim_electricity",
        Dimension::Mass => "dim_mass",
        Dimension::Volume => "dim_volume",
        Dimension::Area => "dim_area",
        Dimension::Distance => "dim_distance",
        Dimension::Count(CountKind::Animal) => "dim_animals",
        Dimension::Count(CountKind::Person) => "dim_people",
        Dimension::Count(CountKind::Body) => "dim_bodies",
        Dimension::Count(CountKind::Lto) => "dim_lto",
        Dimension::Count(CountKind::Vehicle) => "dim_vehicles",
        Dimension::Count(_) => "dim_count",
    };
    text(lang, key)
}

/// One row reported NE where the Guidebook gives Tier 1 factors.
struct NeRow {
    code: String,
    pollutants: Vec<Pollutant>,
    /// The activity the factors need, in words.
    needs: BTreeSet<&'static str>,
    /// Guidebook code → its tables.
    tables: BTreeMap<String, BTreeSet<String>>,
    reason: String,
}

/// The NE rows with a Tier 1 method, from check's findings of the year,
/// one per row, with the factors' chapters, tables and activity.
fn ne_rows(m: &Material, lang: Lang) -> Vec<NeRow> {
    let mut by_code: BTreeMap<u32, NeRow> = BTreeMap::new();
    let tier1 = Tier1::embedded().ok();
    for f in &m.ne_tier1 {
        let (Some(code), Some(p)) = (&f.code, f.pollutant.as_deref().and_then(Pollutant::parse))
        else {
            continue;
        };
        let Some(row) = crate::nfr::find(code) else {
            continue;
        };
        let reason = m
            .keys
            .iter()
            .find(|k| k.code == row.code && k.key == NotationKey::NE)
            .map(|k| k.explanation.clone())
            .unwrap_or_default();
        let entry = by_code.entry(row.number).or_insert_with(|| NeRow {
            code: row.code.clone(),
            pollutants: Vec::new(),
            needs: BTreeSet::new(),
            tables: BTreeMap::new(),
            reason,
        });
        entry.pollutants.push(p);
        for factor in tier1.iter().flat_map(|t| t.factors(&row.code, p, None)) {
            if let FactorUnit::Rate { per, .. } = &factor.unit {
                entry.needs.insert(dimension_words(per.dimension, lang));
            }
            entry
                .tables
                .entry(factor.source_code.clone())
                .or_default()
                .insert(super::table_number(crate::pins::text(&factor.pins.table)));
        }
    }
    by_code.into_values().collect()
}

/// The most pollutants listed by name in a row of the NE table.
const LISTED: usize = 5;

/// Pollutants in words: all of them, their ids, or the first ids and how many.
fn pollutant_list(ps: &[Pollutant], lang: Lang) -> String {
    if ps.len() >= Pollutant::ALL.len() - 1 {
        text(lang, "all_pollutants").to_string()
    } else if ps.len() > LISTED {
        let first: Vec<&str> = ps.iter().take(LISTED - 1).map(|p| p.id()).collect();
        format!("{} … ({})", first.join(", "), ps.len())
    } else {
        ps.iter().map(|p| p.id()).collect::<Vec<_>>().join(", ")
    }
}

/// The GNFR sector of a code.
fn gnfr(code: &str) -> String {
    crate::nfr::find(code)
        .map(|r| r.gnfr.clone())
        .unwrap_or_default()
}

pub fn write(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "keys", t("keys"));
    if m.keys.is_empty() {
        missing(h, t("no_keys"));
        h.push_str("</section>\n");
        return Ok(());
    }
    // Keys × sector: cells (rows).
    let keys: BTreeSet<NotationKey> = m.keys.iter().map(|k| k.key).collect();
    let mut counts: BTreeMap<String, BTreeMap<NotationKey, (usize, usize)>> = BTreeMap::new();
    for k in &m.keys {
        let c = counts
            .entry(gnfr(&k.code))
            .or_default()
            .entry(k.key)
            .or_default();
        c.0 += k.pollutants.len();
        c.1 += 1;
    }
    let total_cells: usize = m.keys.iter().map(|k| k.pollutants.len()).sum();
    note(
        h,
        &fill(
            lang,
            "keys_intro",
            &[
                ("cells", &total_cells.to_string()),
                ("year", &m.year.to_string()),
            ],
        ),
    );
    h.push_str("<div class=\"side\"><div>\n");
    let mut headers = vec![t("sector").to_string()];
    headers.extend(keys.iter().map(|k| k.as_str().to_string()));
    let rows: Vec<Vec<Value>> = counts
        .iter()
        .map(|(g, by_key)| {
            let mut r = vec![Value::Text(gnfr_name(lang, g))];
            for k in &keys {
                r.push(match by_key.get(k) {
                    Some((cells, rows)) => Value::Shown(fill(
                        lang,
                        "cells_rows",
                        &[("cells", &cells.to_string()), ("rows", &rows.to_string())],
                    )),
                    None => Value::Empty,
                });
            }
            r
        })
        .collect();
    table(h, &headers, &rows, lang);
    h.push_str("</div><div>\n");
    // IE: where each is included.
    let ie: Vec<&KeyUse> = m.keys.iter().filter(|k| k.key == NotationKey::IE).collect();
    if !ie.is_empty() {
        let _ = writeln!(h, "<h3>{}</h3>", crate::chart::esc(t("ie_title")));
        let rows: Vec<Vec<Value>> = ie
            .iter()
            .map(|k| {
                vec![
                    Value::Text(k.code.clone()),
                    Value::Text(code_name(lang, &k.code)),
                    Value::Text(pollutant_list(&k.pollutants, lang)),
                    Value::Text(k.included_in.clone()),
                    if k.explanation.is_empty() {
                        Value::Empty
                    } else {
                        Value::Own(shortened(&k.explanation))
                    },
                ]
            })
            .collect();
        table(
            h,
            &[
                t("code").into(),
                t("name").into(),
                t("pollutants").into(),
                t("included_in").into(),
                t("explanation").into(),
            ],
            &rows,
            lang,
        );
    }
    h.push_str("</div></div>\n");
    // NE rows with a Guidebook Tier 1 method, once each.
    let _ = writeln!(h, "<h3>{}</h3>", crate::chart::esc(t("ne_tier1")));
    let ne = ne_rows(m, lang);
    if ne.is_empty() {
        missing(h, t("no_ne_tier1"));
    } else {
        // One line per sector and what the rows need, each row once in it
        // with its pollutants and the Guidebook's tables.
        let mut groups: BTreeMap<(String, String), Vec<&NeRow>> = BTreeMap::new();
        for r in &ne {
            let needs: Vec<&str> = r.needs.iter().copied().collect();
            groups
                .entry((gnfr(&r.code), needs.join("; ")))
                .or_default()
                .push(r);
        }
        let explained = ne.iter().filter(|r| !r.reason.is_empty()).count();
        let rows: Vec<Vec<Value>> = groups
            .iter()
            .map(|((sector, needs), rows)| {
                let list: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        let tables: Vec<String> = r
                            .tables
                            .iter()
                            .map(|(chapter, tables)| {
                                let tables: Vec<&str> = tables
                                    .iter()
                                    .map(String::as_str)
                                    .filter(|t| !t.is_empty())
                                    .collect();
                                if tables.is_empty() {
                                    chapter.clone()
                                } else {
                                    format!("{chapter} {} {}", t("table_one"), tables.join(", "))
                                }
                            })
                            .collect();
                        format!(
                            "<b>{}</b> {} ({}; {})",
                            crate::chart::esc(&r.code),
                            crate::chart::esc(&code_name(lang, &r.code)),
                            crate::chart::esc(&pollutant_list(&r.pollutants, lang)),
                            crate::chart::esc(&tables.join("; "))
                        )
                    })
                    .collect();
                vec![
                    Value::Text(gnfr_name(lang, sector)),
                    Value::Text(if needs.is_empty() {
                        t("ne_needs_unknown").to_string()
                    } else {
                        needs.clone()
                    }),
                    Value::Html(list.join("; ")),
                ]
            })
            .collect();
        table_in(
            h,
            &[
                t("sector").into(),
                t("ne_needs").into(),
                t("ne_rows").into(),
            ],
            &rows,
            lang,
            Layout::Compact,
        );
        note(
            h,
            &fill(
                lang,
                "ne_reasons",
                &[
                    ("rows", &ne.len().to_string()),
                    ("explained", &explained.to_string()),
                ],
            ),
        );
    }
    // Every cell, with its reason whole, in the CSV.
    let mut cells = Vec::new();
    let ne_cells: BTreeSet<(String, String)> = m
        .ne_tier1
        .iter()
        .filter_map(|f| Some((f.code.clone()?, f.pollutant.clone()?)))
        .collect();
    for k in &m.keys {
        let row = crate::nfr::find(&k.code);
        for p in &k.pollutants {
            cells.push(vec![
                k.code.clone(),
                row.map(|r| format!("{}{}", p.column(), r.number))
                    .unwrap_or_default(),
                p.id().to_string(),
                k.key.as_str().to_string(),
                k.included_in.clone(),
                k.explanation.clone(),
                ne_cells
                    .contains(&(k.code.clone(), p.id().to_string()))
                    .to_string(),
                row.map(|r| dotted(&r.code)).unwrap_or_default(),
            ]);
        }
    }
    let rel = files.csv(
        "notation-keys",
        &[
            "code",
            "cell",
            "pollutant",
            "key",
            "included_in",
            "explanation",
            "guidebook_tier1",
            "guidebook_code",
        ],
        &cells,
    )?;
    file_note(h, t("keys_file"), &rel);
    h.push_str("</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_reasons_are_cut_at_a_word_and_say_so() {
        let short = "Fuel use of military buildings";
        assert_eq!(shortened(short), short);
        let long = "word ".repeat(60);
        let s = shortened(&long);
        assert!(s.ends_with("word…"), "{s}");
        assert!(s.chars().count() <= REASON_CHARS + 1);
    }
}
