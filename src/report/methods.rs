//! The methods section: per NFR row with emissions, how they were computed,
//! written as an inventory's reader writes it ("Guidebook 2023, 1.A.1.a,
//! Table 3-2, Tier 1: hard coal"), and the activity data files.

use super::html::{Files, Layout, Value, missing, section, table_in};
use super::i18n::{Lang, activity_name, fill, row_name, text};
use super::{Material, Method, Way, WaySource};
use crate::error::Result;

/// An NFR code dotted as the Guidebook writes it: `1A3bi` → `1.A.3.b.i`,
/// `3Da2a` → `3.D.a.2.a`, `1A3ai(i)` → `1.A.3.a.i(i)`. A lower-case letter
/// after a letter starts a Roman numeral (`1A2gviii` → `1.A.2.g.viii`).
pub fn dotted(code: &str) -> String {
    let (head, tail) = match code.find('(') {
        Some(i) => (&code[..i], &code[i..]),
        None => (code, ""),
    };
    let chars: Vec<char> = head.chars().collect();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    let mut last_letter = false;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            parts.push(chars[start..i].iter().collect());
            last_letter = false;
        } else if c.is_ascii_lowercase() && last_letter {
            let start = i;
            while i < chars.len() && matches!(chars[i], 'i' | 'v' | 'x') {
                i += 1;
            }
            if i == start {
                i += 1;
            }
            parts.push(chars[start..i].iter().collect());
            last_letter = false;
        } else {
            parts.push(c.to_string());
            last_letter = c.is_ascii_lowercase();
            i += 1;
        }
    }
    format!("{}{tail}", parts.join("."))
}

/// A way as words: `Guidebook 2023, 1.A.1.a, Tables 3-2, 3-3, Tier 1`.
pub fn describe(way: &Way, lang: Lang) -> String {
    let t = |k: &str| text(lang, k);
    let tier = if way.tier.is_empty() {
        String::new()
    } else {
        format!(", {} {}", t("tier"), way.tier)
    };
    match &way.source {
        WaySource::Guidebook(tables) => {
            let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
            let tables = match tables.len() {
                0 => String::new(),
                1 => format!(", {} {}", t("table_one"), tables[0]),
                _ => format!(", {} {}", t("table_many"), tables.join(", ")),
            };
            format!("{}, {}{tables}{tier}", t("guidebook"), way.chapter)
        }
        WaySource::Sulphur => format!("{}{tier}", t("sulphur_method")),
        WaySource::Own(files) => {
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            format!("{} ({}){tier}", t("own_factors"), files.join("; "))
        }
    }
}

/// What a way was used for (`Hard Coal`, `Solid, Dairy cows`) in the
/// language, each name through the activity names' catalogue.
fn used_for(what: &str, lang: Lang) -> String {
    what.split(", ")
        .map(|part| activity_name(lang, part))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An activity file of a row, or the inventory.toml declaration that
/// filled its value (`inventory.toml [[fill]] 8`), in the language.
fn activity_source(source: &str, lang: Lang) -> String {
    match source.strip_prefix("inventory.toml [[fill]] ") {
        Some(n) => fill(lang, "filled_by", &[("n", n)]),
        None => source.to_string(),
    }
}

/// A row's ways, one per line: `way: fuels`.
fn ways(m: &Method, lang: Lang) -> Vec<String> {
    m.ways
        .iter()
        .map(|(way, fuels)| {
            let fuels: Vec<String> = fuels.iter().map(|f| used_for(f, lang)).collect();
            if fuels.is_empty() {
                describe(way, lang)
            } else {
                format!("{}: {}", describe(way, lang), fuels.join(", "))
            }
        })
        .collect()
}

pub fn write(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "methods", t("methods"));
    let Some(methods) = &m.methods else {
        missing(h, t("missing_methods"));
        h.push_str("</section>\n");
        return Ok(());
    };
    let mut rows = Vec::new();
    let mut csv = Vec::new();
    for x in methods {
        let ways = ways(x, lang);
        let sources: Vec<String> = x
            .activity_sources
            .iter()
            .map(|a| activity_source(a, lang))
            .collect();
        rows.push(vec![
            Value::Text(x.row.code.clone()),
            Value::Text(row_name(lang, x.row).to_string()),
            Value::Html(
                ways.iter()
                    .map(|w| crate::chart::esc(w))
                    .collect::<Vec<_>>()
                    .join("<br>"),
            ),
            Value::Text(sources.join(", ")),
        ]);
        csv.push(vec![
            x.row.code.clone(),
            x.row.name.clone(),
            ways.join("; "),
            x.activity_sources
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join("; "),
        ]);
    }
    table_in(
        h,
        &[
            t("code").into(),
            t("name").into(),
            t("method").into(),
            t("activity_sources").into(),
        ],
        &rows,
        lang,
        Layout::Compact,
    );
    let rel = files.csv(
        "methods",
        &["code", "name", "method", "activity_files"],
        &csv,
    )?;
    super::html::file_note(h, t("table_file"), &rel);
    h.push_str("</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_dotted_as_the_guidebook_writes_them() {
        assert_eq!(dotted("1A1a"), "1.A.1.a");
        assert_eq!(dotted("1A3bi"), "1.A.3.b.i");
        assert_eq!(dotted("1A2gviii"), "1.A.2.g.viii");
        assert_eq!(dotted("3Da2a"), "3.D.a.2.a");
        assert_eq!(dotted("2B10a"), "2.B.10.a");
        assert_eq!(dotted("1A3ai(i)"), "1.A.3.a.i(i)");
        assert_eq!(dotted("5C1biv"), "5.C.1.b.iv");
        assert_eq!(dotted("11A"), "11.A");
    }

    #[test]
    fn a_way_reads_as_a_reader_writes_it() {
        let way = Way {
            source: WaySource::Guidebook(["3-2".to_string(), "3-3".to_string()].into()),
            chapter: "1.A.1.a".into(),
            tier: "1".into(),
        };
        assert_eq!(
            describe(&way, Lang::En),
            "Guidebook 2023, 1.A.1.a, Tables 3-2, 3-3, Tier 1"
        );
        assert_eq!(
            describe(&way, Lang::Ru),
            "Руководство ЕМЕП/ЕАОС 2023, 1.A.1.a, табл. 3-2, 3-3, уровень 1"
        );
        let one = Way {
            source: WaySource::Guidebook(BTreeSet::from(["3-1".to_string()])),
            ..way
        };
        assert_eq!(
            describe(&one, Lang::En),
            "Guidebook 2023, 1.A.1.a, Table 3-1, Tier 1"
        );
        assert_eq!(super::super::table_number("Table_3-5_01"), "3-5");
        assert_eq!(
            super::super::table_number("Table_3-4-k per t LTO fuel"),
            "3-4-k"
        );
        assert_eq!(super::super::table_number("Table_3-1a"), "3-1a");
    }
}
