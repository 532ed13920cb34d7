//! The rows of the Annex I template (NFR 2019-1) and NFR codes.
//!
//! The template has 127 sector rows (14-140) summed into NATIONAL TOTAL
//! (141), seven road-transport rows on a fuel-used basis (143-149), four
//! compliance rows (151-154) and eight memo items (157-164) that stay
//! outside the national total. The list is embedded from
//! `src/data/annex1-rows.csv`.
//!
//! Codes are matched the way compilers write them: `1A1a`, `1.A.1.a`,
//! `1a1a` and `'1A2gvii '` all name row 14's neighbours correctly.

use std::collections::HashMap;
use std::sync::LazyLock;

/// What a template row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RowKind {
    /// A sector row (14-140), part of the national total.
    Sector,
    /// NATIONAL TOTAL (row 141).
    NationalTotal,
    /// Road transport on a fuel-used basis (rows 143-149).
    FuelUsed,
    /// Adjustments and compliance totals (rows 151-154).
    Compliance,
    /// The "MEMO ITEMS" heading (row 156).
    MemoHeader,
    /// A memo item (rows 157-164), not part of the national total.
    Memo,
}

/// One row of the template.
#[derive(Debug, Clone)]
pub struct Row {
    /// Row number in the template sheet (14 for 1A1a).
    pub number: u32,
    pub kind: RowKind,
    /// GNFR aggregation (`A_PublicPower`), empty for totals.
    pub gnfr: String,
    /// NFR code as the template writes it (`1A1a`, `NATIONAL TOTAL`).
    pub code: String,
    pub name: String,
    /// Note marker (`(a)`...`(e)`).
    pub note: String,
    /// The template's "Other Activity Units" text for the row.
    pub other_activity_unit: String,
}

/// Rows are one per template row number: compared, ordered and hashed by
/// it (template order), so keys holding a `&'static Row` sort as the
/// template does.
impl PartialEq for Row {
    fn eq(&self, other: &Row) -> bool {
        self.number == other.number
    }
}

impl Eq for Row {}

impl std::hash::Hash for Row {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.number.hash(state);
    }
}

impl PartialOrd for Row {
    fn partial_cmp(&self, other: &Row) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Row {
    fn cmp(&self, other: &Row) -> std::cmp::Ordering {
        self.number.cmp(&other.number)
    }
}

impl Row {
    /// True for rows that carry emissions computed from activity data:
    /// sector rows, road transport on fuel used and memo items.
    pub fn takes_activity(&self) -> bool {
        matches!(
            self.kind,
            RowKind::Sector | RowKind::FuelUsed | RowKind::Memo
        )
    }
}

struct Template {
    rows: Vec<Row>,
    by_key: HashMap<String, usize>,
}

static TEMPLATE: LazyLock<Template> = LazyLock::new(|| {
    let mut rows = Vec::new();
    let mut reader = crate::data::reader(include_str!("data/annex1-rows.csv"));
    for record in reader.records() {
        let r = record.expect("embedded annex1-rows.csv is valid CSV");
        let kind = match &r[1] {
            "sector" => RowKind::Sector,
            "national_total" => RowKind::NationalTotal,
            "fuel_used" => RowKind::FuelUsed,
            "compliance" => RowKind::Compliance,
            "memo_header" => RowKind::MemoHeader,
            "memo" => RowKind::Memo,
            other => panic!("unknown row kind {other} in annex1-rows.csv"),
        };
        rows.push(Row {
            number: r[0].parse().expect("row number"),
            kind,
            gnfr: r[2].to_string(),
            code: r[3].to_string(),
            name: r[4].to_string(),
            note: r[5].to_string(),
            other_activity_unit: r[6].to_string(),
        });
    }
    let by_key = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.code.is_empty())
        .map(|(i, r)| (code_key(&r.code), i))
        .collect();
    Template { rows, by_key }
});

/// The comparison key of a code: no dots, spaces or quotes, lower case.
fn code_key(code: &str) -> String {
    code.chars()
        .filter(|c| !matches!(c, '.' | ' ' | '\'' | '"' | '\u{a0}' | '_'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// All rows of the template in order.
pub fn rows() -> &'static [Row] {
    &TEMPLATE.rows
}

/// The row for an NFR code as a compiler may write it (`1A1a`, `1.A.1.a`,
/// `1A2gvii `), or `None`.
pub fn find(code: &str) -> Option<&'static Row> {
    TEMPLATE
        .by_key
        .get(&code_key(code))
        .map(|&i| &TEMPLATE.rows[i])
}

/// The row at a template row number.
pub fn by_number(number: u32) -> Option<&'static Row> {
    TEMPLATE.rows.iter().find(|r| r.number == number)
}

/// The sector rows (14-140) that make up the national total.
pub fn sector_rows() -> impl Iterator<Item = &'static Row> {
    rows().iter().filter(|r| r.kind == RowKind::Sector)
}

/// The valid codes closest to a code that was not found, for messages
/// ("did you mean 1A2gvii, 1A2gviii?").
pub fn suggest(code: &str) -> Vec<&'static str> {
    if !crate::suggest::searchable(code) {
        return Vec::new();
    }
    let key = code_key(code);
    let mut scored: Vec<(usize, &'static str)> = rows()
        .iter()
        .filter(|r| r.takes_activity())
        .map(|r| {
            let k = code_key(&r.code);
            let mut d = crate::suggest::edit_distance(&key, &k);
            if k.starts_with(&key) || key.starts_with(&k) {
                d = d.saturating_sub(1);
            }
            (d, r.code.as_str())
        })
        .collect();
    scored.sort();
    let best = scored.first().map(|s| s.0).unwrap_or(0);
    let limit = (key.len() / 2).max(2);
    scored
        .into_iter()
        .filter(|(d, _)| *d <= best + 1 && *d <= limit)
        .take(4)
        .map(|(_, c)| c)
        .collect()
}

/// The message for a code that is not a row of the template.
pub fn unknown_code_message(code: &str) -> String {
    let suggestions = suggest(code);
    let code = crate::suggest::clip(code);
    if suggestions.is_empty() {
        format!("'{code}' is not an NFR code of the Annex I template (NFR 2019-1)")
    } else {
        format!(
            "'{code}' is not an NFR code of the Annex I template (NFR 2019-1); did you mean {}?",
            suggestions.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_the_official_row_counts() {
        let count = |k| rows().iter().filter(|r| r.kind == k).count();
        assert_eq!(count(RowKind::Sector), 127);
        assert_eq!(count(RowKind::NationalTotal), 1);
        assert_eq!(count(RowKind::FuelUsed), 7);
        assert_eq!(count(RowKind::Compliance), 4);
        assert_eq!(count(RowKind::Memo), 8);
        assert_eq!(find("1A1a").unwrap().number, 14);
        assert_eq!(find("6A").unwrap().number, 140);
        assert_eq!(find("NATIONAL TOTAL").unwrap().number, 141);
        assert_eq!(find("1A3bi(fu)").unwrap().number, 143);
        assert_eq!(find("COMPLIANCE TOTAL (NECD)").unwrap().number, 154);
        assert_eq!(find("11C").unwrap().number, 164);
        // Sector rows are consecutive 14..=140.
        let numbers: Vec<u32> = sector_rows().map(|r| r.number).collect();
        assert_eq!(numbers, (14..=140).collect::<Vec<_>>());
    }

    #[test]
    fn codes_are_found_however_they_are_written() {
        assert_eq!(find("1.A.1.a").unwrap().code, "1A1a");
        assert_eq!(find("1A2gvii ").unwrap().code, "1A2gvii");
        assert_eq!(find("1a3bi").unwrap().code, "1A3bi");
        assert_eq!(find("1.A.3.a.ii.(i)").unwrap().code, "1A3aii(i)");
        assert_eq!(find("3.D.a.2.a").unwrap().code, "3Da2a");
        assert!(find("1A9").is_none());
        // No two template codes collide once dots and case are ignored.
        assert_eq!(
            TEMPLATE.by_key.len(),
            rows().iter().filter(|r| !r.code.is_empty()).count()
        );
    }

    #[test]
    fn unknown_codes_get_close_suggestions() {
        assert!(suggest("1A2gix").contains(&"1A2gvii"));
        assert!(suggest("1A1").contains(&"1A1a"));
        let msg = unknown_code_message("1A4ci9");
        assert!(msg.contains("1A4ci"), "{msg}");
    }
}
