//! `annex4.xlsx`: the projections in the layout of the CLRTAP Annex IV
//! projections template (texts in `src/data/annex4-template.toml`): a
//! `PROJ_BASE_YEAR` sheet, then one sheet per projection year and scenario
//! (`2030_WM`), each with the header block (rows 1-7), the column headers
//! (rows 10-13: E = NOx ... AD = PCBs, AF-AL activity data), the 127 NFR
//! rows (14-140), NATIONAL TOTAL (141), the fuel-used rows (143-149) and,
//! on projection sheets, the adjustments and compliance totals (151-154),
//! then the footnotes. A10 is the template's formula `=B4&": "&B5&": "&B6`.
//! Totals are values, as in the template.

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
    sectors_header: String,
    pah_header: String,
    code_headers: Vec<String>,
    merges: Vec<String>,
    footnotes: Vec<String>,
    group_headers: BTreeMap<String, String>,
    column_names: BTreeMap<String, String>,
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

enum Kind<'a> {
    Base,
    Projection(&'a str),
}

/// Writes the workbook: the base year of the first scenario, then every
/// scenario's years.
pub fn write(path: &Path, outcomes: &[Outcome], date: &str) -> Result<()> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::file(path, format!("cannot write the workbook: {e}"))
    };
    let mut names: Vec<String> = Vec::new();
    if let Some(first) = outcomes.first() {
        sheet(
            &mut wb,
            "PROJ_BASE_YEAR",
            &first.base_table,
            Kind::Base,
            date,
        )
        .map_err(xerr)?;
        names.push("PROJ_BASE_YEAR".into());
    }
    for o in outcomes {
        for y in &o.years {
            let name = sheet_name(y.result.year, &o.scenario.name);
            if names.contains(&name) {
                return Err(Error::file(
                    path,
                    format!(
                        "two scenarios make the sheet {name}: give them different names (name = \"WM\", name = \"WAM\")"
                    ),
                ));
            }
            sheet(
                &mut wb,
                &name,
                &y.table,
                Kind::Projection(&o.scenario.name),
                date,
            )
            .map_err(xerr)?;
            names.push(name);
        }
    }
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::output::write_bytes_atomically(path, &bytes)
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
    let base = matches!(kind, Kind::Base);
    let title = match kind {
        Kind::Base => &t.title_base,
        Kind::Projection(s) if s.eq_ignore_ascii_case("WM") => &t.title_wm,
        Kind::Projection(s) if s.eq_ignore_ascii_case("WAM") => &t.title_wam,
        Kind::Projection(_) => &t.title_other,
    };
    ws.write_string_with_format(0, 0, title, &bold)?;
    ws.write_string_with_format(1, 0, &t.version, &bold)?;
    let version = if base {
        table.header.version.clone()
    } else {
        "v1.0".to_string()
    };
    let rows = [
        (3, &t.country_label, &t.country_hint),
        (4, &t.date_label, &t.date_hint),
        (
            5,
            if base {
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
    if !version.is_empty() {
        ws.write_string(6, 1, &version)?;
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
    // Rows: sectors, national total, fuel used, compliance (not on the base sheet).
    let mut last = 0;
    for r in crate::nfr::rows() {
        let keep = match r.kind {
            RowKind::Sector | RowKind::NationalTotal | RowKind::FuelUsed => true,
            RowKind::Compliance => !base,
            RowKind::MemoHeader | RowKind::Memo => false,
        };
        if !keep {
            continue;
        }
        let row = r.number - 1;
        last = last.max(row);
        if !r.gnfr.is_empty() {
            ws.write_string(row, 0, &r.gnfr)?;
        }
        ws.write_string(row, 1, &r.code)?;
        ws.write_string_with_format(row, 2, &r.name, &wrap)?;
        if !r.note.is_empty() {
            ws.write_string(row, 3, &r.note)?;
        }
        let cells = &table.rows[&r.number];
        for p in Pollutant::ALL {
            write_cell(ws, row, column_index(p.column()), cells.get(p))?;
        }
        for (i, c) in cells.fuels.iter().enumerate() {
            write_cell(ws, row, column_index(ACTIVITY_COLUMNS[i]), *c)?;
        }
        write_cell(ws, row, column_index("AK"), cells.other_activity)?;
        if !cells.other_activity_unit.is_empty() {
            ws.write_string(row, column_index("AL"), &cells.other_activity_unit)?;
        }
    }
    for (i, note) in t.footnotes.iter().enumerate() {
        let row = last + 2 + i as u32;
        ws.merge_range(row, 0, row, 6, note, &wrap)?;
        ws.set_row_height(row, 30.0)?;
    }
    for (col, width) in COLUMN_WIDTHS {
        ws.set_column_width(column_index(col), width)?;
    }
    ws.set_row_height(9, 37.5)?;
    Ok(())
}
