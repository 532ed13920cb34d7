//! The texts of a filled template as Parties write them: row labels in the
//! code column (`COMPLIANCE TOTAL (NECR)`, `National Total`, line breaks,
//! note markers), numbers stored as text with thousands separators, and the
//! units of the header row (`kt` or `Gg`).
//!
//! Every variant accepted here is one seen in submissions or allowed by the
//! template's own history; anything else is left to the caller to report.

use crate::nfr::{self, Row, RowKind};

/// The template row a code-column text names, however it is written.
///
/// Accepted besides what [`nfr::find`] accepts (dots, case, spaces):
/// - any whitespace, line breaks included (`COMPLIANCE TOTAL\n(NECD)`);
/// - a note marker after the label (`NATIONAL TOTAL (a)`);
/// - `(NECR)` for `(NECD)`: the United Kingdom, no longer in the EU, labels
///   rows 153-154 after its National Emission Ceilings Regulations;
/// - `NATIONAL TOTAL (based on fuel sold)` and `TOTAL` + `NATIONAL`
///   wordings of row 141.
pub fn template_row(text: &str) -> Option<&'static Row> {
    let squeezed: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if squeezed.is_empty() {
        return None;
    }
    if let Some(r) = nfr::find(&squeezed) {
        return Some(r);
    }
    let mut key = squeezed.to_lowercase();
    // A trailing note marker: (a) ... (e).
    for marker in ["(a)", "(b)", "(c)", "(d)", "(e)"] {
        if let Some(stripped) = key.strip_suffix(marker) {
            key = stripped.to_string();
            break;
        }
    }
    let key = key
        .replace("(necr)", "(necd)")
        .replace("(nec)", "(necd)")
        .replace('_', "");
    let alias = match key.as_str() {
        "nationaltotal(basedonfuelsold)" | "nationaltotal(fuelsold)" | "totalnational" => {
            "NATIONAL TOTAL"
        }
        "adjustmentsandflexibilities(necd)" => "ADJUSTMENTS AND FLEXIBILITIES",
        "adjustments(clrtap)" => "ADJUSTMENTS",
        other => other,
    };
    nfr::find(alias)
}

/// True for the rows a Party outside the EU may leave out (rows 153-154,
/// the NEC Directive's), and for the rows every layout may lack without
/// losing an emission: fuel used, compliance rows and memo items.
pub fn may_be_missing(row: &Row) -> bool {
    matches!(
        row.kind,
        RowKind::FuelUsed | RowKind::Compliance | RowKind::Memo | RowKind::MemoHeader
    )
}

/// A number stored as text as people type it: `1 234.5`, `1\u{a0}234.5`,
/// `1 234,5` (spaces or non-breaking spaces between groups of three
/// digits; then a comma can only be the decimal sign). The number's plain
/// text, when the separators stand between groups of three digits; else
/// `None`.
pub fn without_group_separators(text: &str) -> Option<String> {
    let t = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{202f}');
    let is_sep = |c: char| c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\'';
    if !t.contains(is_sep) {
        return None;
    }
    let (sign, rest) = match t.strip_prefix(['-', '+']) {
        Some(r) => (&t[..1], r),
        None => ("", t),
    };
    // With spaces as thousands separators a comma can only be the decimal
    // sign (`1 234,5`, as Russian or French Excel writes it).
    let (int, frac) = match rest.split_once('.').or_else(|| rest.split_once(',')) {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    let groups: Vec<&str> = int.split(is_sep).collect();
    let first_ok = groups
        .first()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = groups[1..]
        .iter()
        .all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    let frac_ok = frac.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    (first_ok && rest_ok && frac_ok).then(|| {
        let mut s = format!("{sign}{}", groups.concat());
        if let Some(f) = frac {
            s.push('.');
            s.push_str(f);
        }
        s
    })
}

/// True when a unit written in the header row is the template's unit:
/// the same text (case and spaces aside), or the same mass (`Gg` is `kt`,
/// `Mg` is `t`).
pub fn same_unit(written: &str, template: &str) -> bool {
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let (w, t) = (squeeze(written), squeeze(template));
    if w == t {
        return true;
    }
    let canonical = |s: &str| -> String {
        let s = s.trim_matches(['[', ']', '(', ')']);
        match s {
            "gg" => "kt".to_string(),
            "mg" => "t".to_string(),
            other => other.replace("gg", "kt"),
        }
    };
    canonical(&w) == canonical(&t)
}

/// True when a text squeezed (lower case, no spaces) is `target` (lower
/// case, no spaces), without allocating: most cells are not.
pub fn squeezed_is(text: &str, target: &str) -> bool {
    let mut want = target.chars();
    for c in text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
    {
        if want.next() != Some(c) {
            return false;
        }
    }
    want.next().is_none()
}

/// Normalised header text: lower case, no spaces.
pub fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_rows_are_found_in_their_variants() {
        let n = |t: &str| template_row(t).map(|r| r.number);
        assert_eq!(n("COMPLIANCE TOTAL (NECD)"), Some(154));
        assert_eq!(n("COMPLIANCE TOTAL (NECR)"), Some(154));
        assert_eq!(n("compliance total\n(necd)"), Some(154));
        assert_eq!(n("COMPLIANCE  TOTAL (CLRTAP)"), Some(152));
        assert_eq!(n("ADJUSTMENTS AND FLEXIBILITIES (NECR)"), Some(153));
        assert_eq!(n("National total"), Some(141));
        assert_eq!(n("NATIONAL TOTAL (a)"), Some(141));
        assert_eq!(n("NATIONAL TOTAL\u{a0}"), Some(141));
        assert_eq!(n(" 1.A.2.g.vii\n"), Some(23));
        assert_eq!(n("som"), None);
        assert_eq!(n(""), None);
    }

    #[test]
    fn thousands_separators_are_removed_only_between_groups_of_three() {
        assert_eq!(
            without_group_separators("1 234.5").as_deref(),
            Some("1234.5")
        );
        assert_eq!(
            without_group_separators("-12\u{a0}345\u{a0}678").as_deref(),
            Some("-12345678")
        );
        assert_eq!(
            without_group_separators(" 118 454.36 ").as_deref(),
            Some("118454.36")
        );
        assert_eq!(
            without_group_separators("1 234,5").as_deref(),
            Some("1234.5")
        );
        assert_eq!(
            without_group_separators("12\u{a0}345,678").as_deref(),
            Some("12345.678")
        );
        assert_eq!(without_group_separators("1 234,5,6"), None);
        assert_eq!(without_group_separators("1 23.5"), None);
        assert_eq!(without_group_separators("1234.5"), None);
        assert_eq!(without_group_separators("12 34"), None);
        assert_eq!(without_group_separators("n a"), None);
    }

    #[test]
    fn units_are_the_same_mass_under_other_names() {
        assert!(same_unit("kt", "kt"));
        assert!(same_unit("Gg", "kt"));
        assert!(same_unit(" KT ", "kt"));
        assert!(same_unit("Mg", "t"));
        assert!(same_unit("g I-TEQ", "g I-TEQ"));
        assert!(!same_unit("t", "kt"));
        assert!(!same_unit("kg", "t"));
    }
}
