//! The page's words in English and Russian, all from data files beside
//! `annex1-rows.csv`:
//!
//! - `src/data/report-messages.csv`: every fixed text of the page (titles,
//!   headers, status words, the checks' descriptions, legends), complete in
//!   both languages (a test checks it);
//! - `src/data/nfr-names-ru.csv`: the Russian names of the template's rows
//!   (the IPCC 2006 Guidelines' Russian terms where the category is the
//!   same, the project's own translation elsewhere, marked row by row);
//! - `src/data/gnfr-names.csv`: the GNFR sectors' names in both languages;
//! - `src/data/activity-names-ru.csv`: the Russian names of fuels, animals,
//!   manure types, crops and vehicle classes (the CIS statistics' names of
//!   fuels, the project's translation elsewhere, marked row by row).
//!
//! Units (`kt` → `кт`) and numbers (`1 193,5`) follow the language too.

use crate::nfr::Row;
use crate::number::Separators;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// The language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    En,
    Ru,
}

impl Lang {
    /// `en` or `ru`, as in `--lang` and the page's `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// How the language writes numbers: `1,193.5` and `1 193,5` (with a
    /// no-break space).
    pub fn separators(self) -> Separators {
        match self {
            Lang::En => Separators {
                thousands: Some(','),
                decimal: '.',
            },
            Lang::Ru => Separators {
                thousands: Some('\u{a0}'),
                decimal: ',',
            },
        }
    }

    fn pick<'a>(self, en: &'a str, ru: &'a str) -> &'a str {
        match self {
            Lang::En => en,
            Lang::Ru => ru,
        }
    }
}

/// key → (English, Russian) of a two-language CSV whose first columns are those.
fn two_languages(text: &'static str) -> BTreeMap<String, (String, String)> {
    let mut reader = crate::data::reader(text);
    reader
        .records()
        .map(|r| {
            let r = r.expect("an embedded catalogue is valid CSV");
            (r[0].to_string(), (r[1].to_string(), r[2].to_string()))
        })
        .collect()
}

static CATALOGUE: LazyLock<BTreeMap<String, (String, String)>> =
    LazyLock::new(|| two_languages(include_str!("../data/report-messages.csv")));

static GNFR: LazyLock<BTreeMap<String, (String, String)>> =
    LazyLock::new(|| two_languages(include_str!("../data/gnfr-names.csv")));

/// Row number → (Russian name, source: `ipcc2006` or `airinv`).
static NFR_RU: LazyLock<BTreeMap<u32, (String, String)>> = LazyLock::new(|| {
    let mut reader = crate::data::reader(include_str!("../data/nfr-names-ru.csv"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("nfr-names-ru.csv is valid CSV");
            (
                r[0].parse().expect("nfr-names-ru.csv: a row number"),
                (r[2].to_string(), r[3].to_string()),
            )
        })
        .collect()
});

/// Activity name (lower case) → (Russian name, source).
static ACTIVITY_RU: LazyLock<BTreeMap<String, (String, String)>> = LazyLock::new(|| {
    two_languages(include_str!("../data/activity-names-ru.csv"))
        .into_iter()
        .map(|(name, names)| (name.to_lowercase(), names))
        .collect()
});

/// A fuel, animal, manure type, crop or vehicle class in the language;
/// one the catalogue does not have, as it is.
pub fn activity_name(lang: Lang, name: &str) -> String {
    match lang {
        Lang::En => name.to_string(),
        Lang::Ru => ACTIVITY_RU
            .get(&name.trim().to_lowercase())
            .map(|(ru, _)| ru.clone())
            .unwrap_or_else(|| name.to_string()),
    }
}

/// A fixed text of the page; an unknown key shows itself (and fails the
/// catalogue test).
pub fn text(lang: Lang, key: &str) -> &'static str {
    match CATALOGUE.get(key) {
        Some((en, ru)) => lang.pick(en, ru),
        None => "??",
    }
}

/// A fixed text with `{name}` placeholders filled in, in order.
pub fn fill(lang: Lang, key: &str, values: &[(&str, &str)]) -> String {
    let mut out = text(lang, key).to_string();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// The English texts of the catalogue (for the test that no English word
/// of it is left on a Russian page).
pub fn english_texts() -> impl Iterator<Item = (&'static str, &'static str)> {
    CATALOGUE
        .values()
        .map(|(en, ru)| (en.as_str(), ru.as_str()))
}

/// A template row's name in the language.
pub fn row_name(lang: Lang, row: &'static Row) -> &'static str {
    match lang {
        Lang::En => &row.name,
        Lang::Ru => NFR_RU
            .get(&row.number)
            .map(|(name, _)| name.as_str())
            .unwrap_or(&row.name),
    }
}

/// The name of a code's row in the language (the code itself when it is no row's).
pub fn code_name(lang: Lang, code: &str) -> String {
    crate::nfr::find(code)
        .map(|r| row_name(lang, r).to_string())
        .unwrap_or_else(|| code.to_string())
}

/// A GNFR sector's name (`A Public power`, `A Электро- и теплоэнергетика`);
/// an unknown one as it is.
pub fn gnfr_name(lang: Lang, gnfr: &str) -> String {
    GNFR.get(gnfr)
        .map(|(en, ru)| lang.pick(en, ru).to_string())
        .unwrap_or_else(|| gnfr.to_string())
}

/// A reporting unit in the language: `kt` → `кт`, `t` → `т`, `kg` → `кг`,
/// `g I-TEQ` → `г I-TEQ` (I-TEQ is a name); anything else as it is.
pub fn unit(lang: Lang, unit: &str) -> String {
    if lang == Lang::En {
        return unit.to_string();
    }
    let (head, tail) = unit.split_once(' ').unwrap_or((unit, ""));
    let head = match head {
        "kt" => "кт",
        "t" => "т",
        "kg" => "кг",
        "g" => "г",
        "Mg" => "т",
        "TJ" => "ТДж",
        "GJ" => "ГДж",
        other => other,
    };
    if tail.is_empty() {
        head.to_string()
    } else {
        format!("{head} {tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cyrillic(s: &str) -> bool {
        s.chars()
            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
    }

    #[test]
    fn the_catalogue_is_complete_in_both_languages() {
        assert!(CATALOGUE.len() > 50);
        for (key, (en, ru)) in CATALOGUE.iter() {
            assert!(!en.trim().is_empty(), "{key}: no English text");
            assert!(!ru.trim().is_empty(), "{key}: no Russian text");
            assert!(
                cyrillic(ru) || ru == en,
                "{key}: the Russian text has no Cyrillic letter: {ru}"
            );
            // The same placeholders in both.
            let holes = |s: &str| {
                let mut v: Vec<String> = s
                    .split('{')
                    .skip(1)
                    .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                    .collect();
                v.sort();
                v
            };
            assert_eq!(holes(en), holes(ru), "{key}");
        }
        assert_eq!(text(Lang::Ru, "kca"), "Ключевые категории");
        assert_eq!(text(Lang::En, "kca"), "Key categories");
        assert_eq!(
            fill(
                Lang::En,
                "is_party",
                &[("party", "KZ"), ("protocol", "the Gothenburg Protocol")]
            ),
            "KZ is a Party to the Gothenburg Protocol."
        );
    }

    #[test]
    fn every_row_and_sector_has_a_russian_name() {
        for row in crate::nfr::rows() {
            let ru = row_name(Lang::Ru, row);
            assert!(cyrillic(ru), "row {} {}: {ru}", row.number, row.code);
            assert_eq!(row_name(Lang::En, row), row.name);
            if !row.gnfr.is_empty() {
                assert!(cyrillic(&gnfr_name(Lang::Ru, &row.gnfr)), "{}", row.gnfr);
                assert!(gnfr_name(Lang::En, &row.gnfr).starts_with(&row.gnfr[..1]));
            }
        }
        // Each row's source says whose name it is.
        assert!(
            NFR_RU
                .values()
                .all(|(_, s)| s == "ipcc2006" || s == "airinv")
        );
        assert_eq!(
            row_name(Lang::Ru, crate::nfr::find("2A1").unwrap()),
            "Производство цемента"
        );
        assert_eq!(
            code_name(Lang::Ru, "1A3bi"),
            "Автомобильный транспорт: легковые автомобили"
        );
    }

    #[test]
    fn activity_names_in_russian_with_their_source() {
        assert_eq!(activity_name(Lang::Ru, "Hard Coal"), "уголь каменный");
        assert_eq!(activity_name(Lang::Ru, "dairy cows"), "молочные коровы");
        assert_eq!(activity_name(Lang::Ru, "Unknown fuel"), "Unknown fuel");
        assert_eq!(activity_name(Lang::En, "Hard Coal"), "Hard Coal");
        for (name, (ru, source)) in ACTIVITY_RU.iter() {
            assert!(ru.chars().any(|c| ('а'..='я').contains(&c)), "{name}: {ru}");
            assert!(
                source == "cis-statistics" || source == "airinv",
                "{name}: {source}"
            );
        }
        // The CIS statistics' names are aliases of the fuel they name.
        let fuels = crate::fuel::Fuels::built_in();
        for (name, (ru, source)) in ACTIVITY_RU
            .iter()
            .filter(|(_, (_, s))| s == "cis-statistics")
        {
            assert_eq!(
                fuels.find(ru).map(|f| f.name.to_lowercase()),
                fuels.find(name).map(|f| f.name.to_lowercase()),
                "{name} ({source}): {ru}"
            );
        }
    }

    #[test]
    fn units_and_numbers_follow_the_language() {
        assert_eq!(unit(Lang::Ru, "kt"), "кт");
        assert_eq!(unit(Lang::Ru, "g I-TEQ"), "г I-TEQ");
        assert_eq!(unit(Lang::Ru, "kg"), "кг");
        assert_eq!(unit(Lang::En, "kt"), "kt");
        assert_eq!(Lang::Ru.separators().decimal, ',');
    }
}
