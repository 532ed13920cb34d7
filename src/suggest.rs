//! "Did you mean": the names closest to one that is not known (a misspelt
//! fuel, technology or unit), for error messages.
//!
//! Closeness is the edit distance between the lower-cased names (Damerau:
//! a swap of two neighbouring letters is one edit), made smaller by the
//! words the two names share, so `Natual gas` finds `Natural gas` and
//! `coal hard` finds `Hard coal`. Names further than about a third of
//! their length away are not suggested.

/// Up to `n` candidates closest to `name`, closest first (ties in the
/// candidates' order); none when nothing is close.
pub fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    n: usize,
) -> Vec<&'a str> {
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
        let mut d = distance(&key, &ck);
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

/// Optimal string alignment distance (Levenshtein plus swaps of neighbours).
fn distance(a: &str, b: &str) -> usize {
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

#[cfg(test)]
mod tests {
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
        assert_eq!(distance("ab", "ba"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
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
