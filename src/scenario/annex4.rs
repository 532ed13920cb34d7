//! `annex4.xlsx`: the projections in the layout of the CLRTAP Annex IV
//! projections template (texts, markers and notes of each sheet kind in
//! `src/data/annex4-template.toml`): an `Introduction` sheet listing the
//! others, the historic base year's sheet (`2005`) when the base compiles
//! it, a `PROJ_BASE_YEAR` sheet, then one sheet per projection year and
//! scenario (`2030_WM`), each with the header block (rows 1-7; B7 the
//! submission year on the base-year sheets), the column headers (rows
//! 10-13: E = NOx ... AD = PCBs, AF-AL activity data), the 127 NFR rows
//! (14-140), NATIONAL TOTAL (141), the fuel-used rows (143-149) and,
//! except on `PROJ_BASE_YEAR`, the adjustments and compliance totals
//! (151-154), column D's note markers and the sheet kind's notes. A10 is
//! the template's formula `=B4&": "&B5&": "&B6`. Totals are values, as in
//! the template.

use super::Outcome;
use crate::annex1::{ACTIVITY_COLUMNS, Annex1Year, COLUMN_WIDTHS, column_index, write_cell};
use crate::error::{Error, Result};
use crate::nfr::RowKind;
use crate::pollutant::Pollutant;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Clone, serde::Deserialize)]
struct Texts {
    title_base: String,
    title_wm: String,
    title_wam: String,
    title_other: String,
    version: String,
    country_label: String,
    country_hint: String,
    date_label: String,
    date_hint: String,
    year_label: String,
    year_label_base: String,
    year_hint: String,
    version_label: String,
    version_label_base: String,
    version_hint: String,
    title_historic: String,
    adjustments_label: String,
    sectors_header: String,
    pah_header: String,
    code_headers: Vec<String>,
    merges: Vec<String>,
    fuel_used_key: String,
    other_activity_total_key: String,
    group_headers: BTreeMap<String, String>,
    column_names: BTreeMap<String, String>,
    historic: Notes,
    base: Notes,
    projection: Notes,
    introduction: Introduction,
}

/// A sheet kind's notes and the markers in column D that point to them.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Notes {
    /// The row (from 1) of the first note.
    pub footnote_row: u32,
    /// Column D's marker by template row.
    pub markers: BTreeMap<u32, String>,
    pub footnotes: Vec<String>,
}

/// The Introduction sheet's texts.
#[derive(Debug, Clone, serde::Deserialize)]
struct Introduction {
    title: String,
    statement: String,
    summary: String,
    header: Vec<String>,
    #[serde(rename = "type")]
    kind: String,
    historic: String,
    base: String,
    wm: String,
    wam: String,
    other: String,
    note_historic: String,
    note_base: String,
    notes: Vec<String>,
}

fn texts() -> &'static Texts {
    static TEXTS: std::sync::LazyLock<Texts> = std::sync::LazyLock::new(|| {
        toml::from_str(include_str!("../data/annex4-template.toml"))
            .expect("embedded annex4-template.toml")
    });
    &TEXTS
}

/// A sheet name Excel accepts: no `[]:*?/\`, at most 31 characters.
pub fn sheet_name(year: i32, scenario: &str) -> String {
    let clean: String = scenario
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let name = format!("{year}_{clean}");
    name.chars().take(31).collect()
}

/// The kinds of data sheet.
#[derive(Clone, Copy)]
enum Kind<'a> {
    /// The historic base year (2005).
    Historic,
    Base,
    Projection(&'a str),
}

impl Kind<'_> {
    fn notes(self) -> &'static Notes {
        let t = texts();
        match self {
            Kind::Historic => &t.historic,
            Kind::Base => &t.base,
            Kind::Projection(_) => &t.projection,
        }
    }

    /// The base-year sheets: "YEAR (a)", "Inventory Version (a)/(b)".
    fn is_base(self) -> bool {
        !matches!(self, Kind::Projection(_))
    }
}

/// The notes and markers of each sheet kind, as written (for tests and
/// checks of a workbook against the template's layout): the historic
/// base year's, the projections base year's, a projection sheet's.
pub fn notes() -> [(&'static str, &'static Notes); 3] {
    let t = texts();
    [
        ("historic", &t.historic),
        ("base", &t.base),
        ("projection", &t.projection),
    ]
}

/// Writes the workbook: the base year of the first scenario, then every
/// scenario's years.
pub fn write(path: &Path, outcomes: &[Outcome], date: &str) -> Result<()> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::file(path, format!("cannot write the workbook: {e}"))
    };
    // Every data sheet first (names checked), then written after the Introduction.
    let mut sheets: Vec<(String, &Annex1Year, Kind<'_>)> = Vec::new();
    if let Some(first) = outcomes.first() {
        if let Some(h) = &first.historic {
            sheets.push((h.header.year.to_string(), h, Kind::Historic));
        }
        sheets.push(("PROJ_BASE_YEAR".into(), &first.base_table, Kind::Base));
    }
    for o in outcomes {
        for y in &o.years {
            let name = sheet_name(y.result.year, &o.scenario.name);
            if sheets.iter().any(|(n, ..)| *n == name) {
                return Err(Error::file(
                    path,
                    format!(
                        "two scenarios make the sheet {name}: give them different names (name = \"WM\", name = \"WAM\")"
                    ),
                ));
            }
            sheets.push((name, &y.table, Kind::Projection(&o.scenario.name)));
        }
    }
    if !sheets.is_empty() {
        introduction(&mut wb, &sheets).map_err(xerr)?;
    }
    for (name, table, kind) in &sheets {
        sheet(&mut wb, name, table, *kind, date).map_err(xerr)?;
    }
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::output::write_bytes_atomically(path, &bytes)
}

/// The `Introduction` sheet: what the workbook is, and one line per data
/// sheet (table, type, description, note), then the template's notes on
/// WM/WAM and on the pollutants that are mandatory.
fn introduction(
    wb: &mut rust_xlsxwriter::Workbook,
    sheets: &[(String, &Annex1Year, Kind<'_>)],
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    let i = &texts().introduction;
    let crate::annex1::xlsx_write::Formats { bold, header, wrap } =
        crate::annex1::xlsx_write::formats();
    let ws = wb.add_worksheet();
    ws.set_name("Introduction")?;
    ws.write_string_with_format(0, 0, &i.title, &bold)?;
    ws.merge_range(1, 0, 1, 3, &i.statement, &wrap)?;
    ws.set_row_height(1, 45.0)?;
    ws.write_string_with_format(3, 0, &i.summary, &bold)?;
    for (c, h) in i.header.iter().enumerate() {
        ws.write_string_with_format(4, c as u16, h, &header)?;
    }
    for (r, (name, table, kind)) in sheets.iter().enumerate() {
        let row = 5 + r as u32;
        let year = table.header.year.to_string();
        let (description, note) = match kind {
            Kind::Historic => (&i.historic, i.note_historic.as_str()),
            Kind::Base => (&i.base, i.note_base.as_str()),
            Kind::Projection(s) if s.eq_ignore_ascii_case("WM") => (&i.wm, ""),
            Kind::Projection(s) if s.eq_ignore_ascii_case("WAM") => (&i.wam, ""),
            Kind::Projection(_) => (&i.other, ""),
        };
        let scenario = match kind {
            Kind::Projection(s) => *s,
            _ => "",
        };
        ws.write_string(row, 0, name)?;
        ws.write_string(row, 1, &i.kind)?;
        ws.write_string_with_format(
            row,
            2,
            description
                .replace("{year}", &year)
                .replace("{scenario}", scenario),
            &wrap,
        )?;
        if !note.is_empty() {
            ws.write_string_with_format(row, 3, note, &wrap)?;
        }
    }
    let after = 5 + sheets.len() as u32 + 1;
    for (k, note) in i.notes.iter().enumerate() {
        let row = after + k as u32;
        if k == 0 {
            ws.merge_range(row, 0, row, 3, note, &wrap)?;
            ws.set_row_height(row, 30.0)?;
        } else {
            ws.write_string(row, 0, note)?;
        }
    }
    for (c, w) in [(0u16, 18.0), (1, 20.0), (2, 60.0), (3, 60.0)] {
        ws.set_column_width(c, w)?;
    }
    Ok(())
}

/// The year of a DD.MM.YYYY date, else its text.
fn submission_year(date: &str) -> Option<f64> {
    date.rsplit('.')
        .next()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (1980..=2100).contains(y))
        .map(f64::from)
}

fn sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    name: &str,
    table: &Annex1Year,
    kind: Kind<'_>,
    date: &str,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::Formula;
    let t = texts();
    let crate::annex1::xlsx_write::Formats { bold, header, wrap } =
        crate::annex1::xlsx_write::formats();
    let ws = wb.add_worksheet();
    ws.set_name(name)?;
    let base = kind.is_base();
    let title = match kind {
        Kind::Historic => &t.title_historic,
        Kind::Base => &t.title_base,
        Kind::Projection(s) if s.eq_ignore_ascii_case("WM") => &t.title_wm,
        Kind::Projection(s) if s.eq_ignore_ascii_case("WAM") => &t.title_wam,
        Kind::Projection(_) => &t.title_other,
    };
    ws.write_string_with_format(0, 0, title, &bold)?;
    ws.write_string_with_format(1, 0, &t.version, &bold)?;

    let rows = [
        (3, &t.country_label, &t.country_hint),
        (4, &t.date_label, &t.date_hint),
        (
            5,
            if matches!(kind, Kind::Base) {
                &t.year_label_base
            } else {
                &t.year_label
            },
            &t.year_hint,
        ),
        (
            6,
            if base {
                &t.version_label_base
            } else {
                &t.version_label
            },
            &t.version_hint,
        ),
    ];
    for (row, label, hint) in rows {
        ws.write_string(row, 0, label)?;
        ws.write_string(row, 2, hint)?;
    }
    ws.write_string(3, 1, &table.header.country)?;
    ws.write_string(4, 1, date)?;
    ws.write_number(5, 1, f64::from(table.header.year))?;
    // B7: on the base-year sheets the year of the submission the
    // emissions come from (the reporting date's); "v1.0" on projections.
    match (base, submission_year(date)) {
        (true, Some(y)) => ws.write_number(6, 1, y).map(|_| ())?,
        (true, None) => {}
        (false, _) => ws.write_string(6, 1, "v1.0").map(|_| ())?,
    }
    // Column headers, rows 10-13.
    let mut fixed: BTreeMap<(u32, u16), String> = BTreeMap::new();
    fixed.insert((9, 1), t.sectors_header.clone());
    for (col, text) in &t.group_headers {
        fixed.insert((9, column_index(col)), text.clone());
    }
    fixed.insert((10, column_index("X")), t.pah_header.clone());
    for (col, text) in &t.column_names {
        fixed.insert((11, column_index(col)), text.clone());
    }
    for (i, text) in t.code_headers.iter().enumerate() {
        fixed.insert((12, i as u16), text.clone());
    }
    for p in Pollutant::ALL {
        fixed.insert((12, column_index(p.column())), p.unit().to_string());
    }
    for col in &ACTIVITY_COLUMNS[..5] {
        fixed.insert((12, column_index(col)), "TJ NCV".to_string());
    }
    for range in &t.merges {
        let (a, b) = range.split_once(':').expect("a range");
        let corner = |a1: &str| {
            let split = a1.find(|c: char| c.is_ascii_digit()).expect("a row");
            let (letters, digits) = a1.split_at(split);
            (
                digits.parse::<u32>().expect("a row") - 1,
                column_index(letters),
            )
        };
        let ((r0, c0), (r1, c1)) = (corner(a), corner(b));
        let text = fixed.remove(&(r0, c0)).unwrap_or_default();
        ws.merge_range(r0, c0, r1, c1, &text, &header)?;
    }
    for ((row, col), text) in &fixed {
        ws.write_string_with_format(*row, *col, text, &header)?;
    }
    let a10 = format!("{}: {}: {}", table.header.country, date, table.header.year);
    ws.write_formula_with_format(
        9,
        0,
        Formula::new(r#"=B4&": "&B5&": "&B6"#).set_result(a10),
        &header,
    )?;
    body(ws, table, kind, &wrap)?;
    let notes = kind.notes();
    for (i, note) in notes.footnotes.iter().enumerate() {
        let row = notes.footnote_row - 1 + i as u32;
        ws.merge_range(row, 0, row, 6, note, &wrap)?;
        ws.set_row_height(row, 30.0)?;
    }
    for (col, width) in COLUMN_WIDTHS {
        ws.set_column_width(column_index(col), width)?;
    }
    ws.set_row_height(9, 37.5)?;
    Ok(())
}

/// The rows of a data sheet: sectors, national total, fuel used and
/// (except on `PROJ_BASE_YEAR`) the compliance rows, each with its GNFR,
/// code (row 151 as the template labels it), name and the sheet kind's
/// marker in D; empty fuel-used cells and AK141:AL141 hold the template's
/// notation key.
fn body(
    ws: &mut rust_xlsxwriter::Worksheet,
    table: &Annex1Year,
    kind: Kind<'_>,
    wrap: &rust_xlsxwriter::Format,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    let t = texts();
    let markers = &kind.notes().markers;
    let key = |text: &str| {
        crate::notation_key::NotationKey::parse(text).map(crate::notation_key::Cell::Key)
    };
    for r in crate::nfr::rows() {
        let keep = match r.kind {
            RowKind::Sector | RowKind::NationalTotal | RowKind::FuelUsed => true,
            RowKind::Compliance => !matches!(kind, Kind::Base),
            RowKind::MemoHeader | RowKind::Memo => false,
        };
        if !keep {
            continue;
        }
        let row = r.number - 1;
        if !r.gnfr.is_empty() {
            ws.write_string(row, 0, &r.gnfr)?;
        }
        let code = if r.number == 151 {
            t.adjustments_label.as_str()
        } else {
            r.code.as_str()
        };
        ws.write_string(row, 1, code)?;
        ws.write_string_with_format(row, 2, &r.name, wrap)?;
        if let Some(m) = markers.get(&r.number) {
            ws.write_string(row, 3, m)?;
        }
        let cells = &table.rows[&r.number];
        // An empty fuel-used cell: the template's key.
        let fill = |c: crate::notation_key::Cell| match (r.kind, c) {
            (RowKind::FuelUsed, crate::notation_key::Cell::Empty) => {
                key(&t.fuel_used_key).unwrap_or(c)
            }
            _ => c,
        };
        for p in Pollutant::ALL {
            write_cell(ws, row, column_index(p.column()), fill(cells.get(p)))?;
        }
        for (i, c) in cells.fuels.iter().enumerate() {
            write_cell(ws, row, column_index(ACTIVITY_COLUMNS[i]), fill(*c))?;
        }
        if r.kind == RowKind::NationalTotal {
            for col in ["AK", "AL"] {
                ws.write_string(row, column_index(col), &t.other_activity_total_key)?;
            }
            continue;
        }
        write_cell(ws, row, column_index("AK"), fill(cells.other_activity))?;
        if !cells.other_activity_unit.is_empty() {
            ws.write_string(row, column_index("AL"), &cells.other_activity_unit)?;
        }
    }
    Ok(())
}
