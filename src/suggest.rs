//! "Did you mean": the names of a list closest to a name that was not found.
//!
//! One place for the suggestions every message makes when a name is not
//! known: a line or fuel of a sheet that a mapping names ([`names_like`]),
//! and the NFR codes close to a mistyped one (`nfr::suggest`, over
//! [`edit_distance`]).

/// The longest text a suggestion is searched for (in characters): a longer
/// one is no mistyped name, and the search is quadratic in its length
/// (a 10 MB cell took 25 s).
pub const MAX_SEARCHED_CHARS: usize = 200;

/// True when `text` is short enough to search suggestions for.
pub fn searchable(text: &str) -> bool {
    text.len() <= 4 * MAX_SEARCHED_CHARS && text.chars().count() <= MAX_SEARCHED_CHARS
}

/// A text as a message quotes it: at most 60 characters, then `…` and its
/// length, so a huge cell does not make a huge message.
pub fn clip(text: &str) -> String {
    const SHOWN: usize = 60;
    match text.char_indices().nth(SHOWN) {
        None => text.to_string(),
        Some((end, _)) => format!("{}… ({} bytes)", &text[..end], text.len()),
    }
}

/// Levenshtein distance over characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to five candidates like `name`, closest first, ignoring case: the
/// same name, names at most three edits away, and names sharing a word of
/// four letters or more with it (fewer edits and more shared words first).
pub fn names_like<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    if !searchable(name) {
        return Vec::new();
    }
    let key = name.to_lowercase();
    let words: Vec<String> = key
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 4)
        .map(String::from)
        .collect();
    let mut found: Vec<(usize, &str)> = candidates
        .filter(|c| searchable(c))
        .filter_map(|c| {
            let lc = c.to_lowercase();
            let d = edit_distance(&key, &lc);
            let common = words.iter().filter(|w| lc.contains(w.as_str())).count();
            (lc == key || d <= 3 || common > 0).then_some((
                if lc == key {
                    0
                } else {
                    d.min(100) + 100 - common.min(99)
                },
                c,
            ))
        })
        .collect();
    found.sort();
    found.dedup_by(|a, b| a.1 == b.1);
    found.into_iter().take(5).map(|(_, n)| n).collect()
}

/// `"; names like it: 'A', 'B'"` for a name not found, or nothing: the tail
/// of a message saying the name is not there.
pub fn names_like_it<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let found = names_like(name, candidates);
    if found.is_empty() {
        return String::new();
    }
    let names: Vec<String> = found.iter().map(|n| format!("'{n}'")).collect();
    format!("; names like it: {}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("1A2gix", "1A2gvii"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("Газ", "газ"), 1);
    }

    #[test]
    fn names_like_a_missing_name_come_closest_first() {
        let lines = ["Steel", "Textiles", "Power plants", "Iron and steel works"];
        // "Steel works": two names share the word "steel"; "Steel" is fewer edits away.
        assert_eq!(
            names_like("Steel works", lines.iter().copied()),
            ["Steel", "Iron and steel works"]
        );
        assert_eq!(
            names_like("power Plants", lines.iter().copied()),
            ["Power plants"]
        );
        assert!(names_like("Households", lines.iter().copied()).is_empty());
        assert_eq!(
            names_like_it("Textile", lines.iter().copied()),
            "; names like it: 'Textiles'"
        );
        assert_eq!(names_like_it("Road", lines.iter().copied()), "");
    }
}
