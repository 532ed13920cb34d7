//! Data quality: `check`'s findings grouped by check, each with what the
//! check finds in the page's language (the catalogue's `check.<id>`), how
//! many, and the first place. The findings' own sentences are in the CSV.

use super::Material;
use super::html::{Files, Value, file_note, missing, section, table};
use super::i18n::{Lang, fill, text};
use crate::check::{Finding, Severity};
use crate::error::Result;

/// A severity in words.
fn severity(s: Severity, lang: Lang) -> &'static str {
    text(
        lang,
        match s {
            Severity::Error => "severity_error",
            Severity::Warning => "severity_warning",
            Severity::Info => "severity_info",
        },
    )
}

/// Where a finding is, in words: `1A1a, sheet 2024, cell H14`.
fn place(f: &Finding, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(code) = &f.code {
        parts.push(code.clone());
    }
    match (&f.sheet, &f.cell) {
        (Some(s), Some(c)) => {
            parts.push(fill(lang, "place_sheet_cell", &[("sheet", s), ("cell", c)]))
        }
        (Some(s), None) => parts.push(fill(lang, "place_sheet", &[("sheet", s)])),
        (None, Some(c)) => parts.push(fill(lang, "place_cell", &[("cell", c)])),
        (None, None) => {}
    }
    parts.join(", ")
}

/// What a check finds, in the language; its id when the catalogue has no entry.
fn description(check: &str, lang: Lang) -> String {
    let key = format!("check.{check}");
    match text(lang, &key) {
        "??" => check.to_string(),
        words => words.to_string(),
    }
}

pub fn write(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "quality", t("quality"));
    // Grouped by check: count, severity and the first finding.
    let mut groups: Vec<(&Finding, usize)> = Vec::new();
    for f in &m.findings {
        match groups.iter_mut().find(|g| g.0.check == f.check) {
            Some(g) => g.1 += 1,
            None => groups.push((f, 1)),
        }
    }
    if groups.is_empty() {
        missing(h, t("no_findings"));
        h.push_str("</section>\n");
        return Ok(());
    }
    let rows: Vec<Vec<Value>> = groups
        .iter()
        .map(|(f, count)| {
            vec![
                Value::Text(f.check.to_string()),
                Value::Text(severity(f.severity, lang).to_string()),
                Value::Shown(count.to_string()),
                Value::Text(description(f.check, lang)),
                Value::Text(place(f, lang)),
            ]
        })
        .collect();
    table(
        h,
        &[
            t("check").into(),
            t("severity").into(),
            t("count").into(),
            t("check_finds").into(),
            t("first_place").into(),
        ],
        &rows,
        lang,
    );
    let csv: Vec<Vec<String>> = groups
        .iter()
        .map(|(f, count)| {
            vec![
                f.check.to_string(),
                f.severity.as_str().to_string(),
                count.to_string(),
                format!("{}: {}", f.place(), f.message),
            ]
        })
        .collect();
    let rel = files.csv("findings", &["check", "severity", "count", "example"], &csv)?;
    file_note(h, t("findings_file"), &rel);
    h.push_str("</section>\n");
    Ok(())
}
