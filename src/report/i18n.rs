//! The page's fixed texts in English and Russian, from the message
//! catalogue `src/data/report-messages.csv` (complete in both languages; a
//! test checks it).

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
}

static CATALOGUE: LazyLock<BTreeMap<String, (String, String)>> = LazyLock::new(|| {
    let mut reader = crate::data::reader(include_str!("../data/report-messages.csv"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("the embedded message catalogue is valid CSV");
            (r[0].to_string(), (r[1].to_string(), r[2].to_string()))
        })
        .collect()
});

/// A fixed text of the page; an unknown key shows itself (and fails the
/// catalogue test).
pub fn text(lang: Lang, key: &str) -> &'static str {
    match CATALOGUE.get(key) {
        Some((en, ru)) => match lang {
            Lang::En => en,
            Lang::Ru => ru,
        },
        None => "??",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_is_complete_in_both_languages() {
        assert!(CATALOGUE.len() > 50);
        for (key, (en, ru)) in CATALOGUE.iter() {
            assert!(!en.trim().is_empty(), "{key}: no English text");
            assert!(!ru.trim().is_empty(), "{key}: no Russian text");
            assert!(
                ru.chars()
                    .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c)))
                    || ru == en,
                "{key}: the Russian text has no Cyrillic letter: {ru}"
            );
        }
        assert_eq!(text(Lang::Ru, "kca"), "Ключевые категории");
        assert_eq!(text(Lang::En, "kca"), "Key categories");
    }
}
