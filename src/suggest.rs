//! "Did you mean": the names of a list closest to a name that was not found,
//! in one place for every message that makes suggestions: a line or fuel of
//! a sheet that a mapping names ([`names_like`]), a misspelt fuel,
//! technology or unit ([`closest`], [`did_you_mean`]), and the NFR codes
//! close to a mistyped one (`nfr::suggest`, over [`edit_distance`]).
//!
//! Distances are the optimal string alignment distance (Levenshtein plus a
//! swap of two neighbouring letters as one edit). [`closest`] makes them
//! smaller by the words the names share, so `Natual gas` finds `Natural gas`
//! and `coal hard` finds `Hard coal`; names further than about a third of
//! their length away are not suggested.

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

/// The edit distance between two names, over characters: insertions,
/// deletions, substitutions, and swaps of two neighbouring characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
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

/// Up to `n` candidates closest to `name`, closest first (ties in the
/// candidates' order); none when nothing is close.
pub fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
    if !searchable(name) {
        return Vec::new();
    }
    let key = normal(name);
    if key.is_empty() {
        return Vec::new();
    }
    let words: Vec<&str> = key.split(' ').collect();
    let mut scored: Vec<(usize, usize, &'a str)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, c) in candidates.into_iter().enumerate() {
        let ck = normal(c);
        if ck.is_empty() || !seen.insert(ck.clone()) {
            continue;
        }
        let mut d = edit_distance(&key, &ck);
        // Shared words: the same words in another order are close.
        let shared = ck.split(' ').filter(|w| words.contains(w)).count();
        if shared > 0 && shared == words.len() && shared == ck.split(' ').count() {
            d = d.min(1);
        }
        let limit = key
            .chars()
            .count()
            .max(ck.chars().count())
            .div_ceil(3)
            .max(1);
        let d = d.saturating_sub(shared.min(1));
        if d <= limit {
            scored.push((d, i, c));
        }
    }
    scored.sort();
    scored.into_iter().take(n).map(|(_, _, c)| c).collect()
}

/// `; did you mean 'A' or 'B'?`, or nothing when no name is close.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let found = closest(name, candidates, 3);
    if found.is_empty() {
        return String::new();
    }
    let quoted: Vec<String> = found.iter().map(|c| format!("'{c}'")).collect();
    format!("; did you mean {}?", quoted.join(" or "))
}

fn normal(s: &str) -> String {
    s.to_lowercase()
        .replace(['_', '-', '\u{a0}'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
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

#[cfg(test)]
mod closest_tests {
    use super::*;

    const FUELS: [&str; 6] = [
        "Hard coal",
        "Natural gas",
        "Gas oil",
        "Brown coal",
        "Diesel",
        "Residual fuel oil",
    ];

    #[test]
    fn misspellings_find_the_name() {
        assert_eq!(closest("Natual gas", FUELS, 3)[0], "Natural gas");
        assert_eq!(closest("natrual gas", FUELS, 3)[0], "Natural gas");
        assert_eq!(closest("Disel", FUELS, 3), ["Diesel"]);
        assert_eq!(closest("coal hard", FUELS, 1), ["Hard coal"]);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn nothing_close_is_not_suggested() {
        assert!(closest("ugol", FUELS, 3).is_empty());
        assert!(closest("", FUELS, 3).is_empty());
        assert_eq!(did_you_mean("xyzzy", FUELS), "");
        assert_eq!(
            did_you_mean("Natual gas", FUELS),
            "; did you mean 'Natural gas'?"
        );
    }
}
