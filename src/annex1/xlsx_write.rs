//! Writing the years as the official Annex I workbook `annex1.xlsx`.

use super::table::{ACTIVITY_COLUMNS, Annex1Year, COLUMN_WIDTHS, column_index, texts};
use crate::error::{Error, Result};
use crate::fuel::FuelGroup;
use crate::nfr::{self, RowKind};
use crate::notation_key::Cell;
use crate::number::to_excel;
use crate::pollutant::Pollutant;
use std::collections::BTreeMap;
use std::path::Path;

/// Writes the years as the official Annex I workbook, one sheet per year
/// named by the year: the template's cells, merged ranges and texts where
/// the template has them (row 14 = 1A1a ... row 141 = NATIONAL TOTAL,
/// E = NOx ... AD = PCBs, AF-AL activity data, notes (a)-(e) in rows
/// 166-170). Cell A10 is the template's formula `=B4&": "&B5&": "&B6`
/// with its value. Totals are written as values (exact sums rounded once to
/// the nearest double), not as the template's `SUM` formulas.
pub fn write_xlsx(
    path: &Path,
    years: &[Annex1Year],
    extra: impl FnOnce(
        &mut rust_xlsxwriter::Workbook,
    ) -> std::result::Result<(), rust_xlsxwriter::XlsxError>,
) -> Result<()> {
    use rust_xlsxwriter::{Format, Formula, Workbook};
    let t = texts();
    let mut wb = Workbook::new();
    let Formats { bold, header, wrap } = formats();
    let xerr = |e: rust_xlsxwriter::XlsxError| {
        Error::file(path, format!("cannot write the workbook: {e}"))
    };
    for y in years {
        let ws = wb.add_worksheet();
        ws.set_name(y.header.year.to_string()).map_err(xerr)?;
        // The template's fixed texts, by (row, column), 0-based.
        let mut fixed: BTreeMap<(u32, u16), (String, &Format)> = BTreeMap::new();
        fixed.insert((1, 0), (t.version.clone(), &bold));
        fixed.insert((9, 1), (t.sectors_header.clone(), &header));
        for (col, text) in &t.group_headers {
            fixed.insert((9, column_index(col)), (text.clone(), &header));
        }
        fixed.insert((10, column_index("X")), (t.pah_header.clone(), &header));
        for (col, text) in &t.column_names {
            fixed.insert((11, column_index(col)), (text.clone(), &header));
        }
        for (i, text) in t.code_headers.iter().enumerate() {
            fixed.insert((12, i as u16), (text.clone(), &header));
        }
        for p in Pollutant::ALL {
            fixed.insert(
                (12, column_index(p.column())),
                (p.unit().to_string(), &header),
            );
        }
        for col in &ACTIVITY_COLUMNS[..5] {
            fixed.insert((12, column_index(col)), ("TJ NCV".to_string(), &header));
        }
        for (i, key) in ["a", "b", "c", "d", "e"].iter().enumerate() {
            if let Some(note) = t.notes.get(*key) {
                fixed.insert((165 + i as u32, 0), (note.clone(), &wrap));
            }
        }
        ws.write_string_with_format(0, 0, &t.title, &bold)
            .map_err(xerr)?;
        // Merged ranges carry the text of their first cell.
        for range in &t.merges {
            let ((r0, c0), (r1, c1)) = parse_range(range);
            let (text, format) = fixed
                .remove(&(r0, c0))
                .unwrap_or_else(|| (String::new(), &header));
            ws.merge_range(r0, c0, r1, c1, &text, format)
                .map_err(xerr)?;
        }
        for ((row, col), (text, format)) in &fixed {
            ws.write_string_with_format(*row, *col, text, format)
                .map_err(xerr)?;
        }
        let block = [
            (3, &t.country_label, &t.country_hint),
            (4, &t.reporting_label, &t.reporting_hint),
            (5, &t.year_label, &t.year_hint),
            (6, &t.version_label, &t.version_hint),
        ];
        for (row, label, hint) in block {
            ws.write_string(row, 0, label).map_err(xerr)?;
            ws.write_string(row, 2, hint).map_err(xerr)?;
        }
        write_header_value(ws, 3, &y.header.country).map_err(xerr)?;
        write_header_value(ws, 4, &y.header.reporting_date).map_err(xerr)?;
        ws.write_number(5, 1, f64::from(y.header.year))
            .map_err(xerr)?;
        write_header_value(ws, 6, &y.header.version).map_err(xerr)?;
        // A10 (merged A10:A12): the template's formula, with its value.
        let title = format!(
            "{}: {}: {}",
            y.header.country, y.header.reporting_date, y.header.year
        );
        ws.write_formula_with_format(
            9,
            0,
            Formula::new(r#"=B4&": "&B5&": "&B6"#).set_result(title),
            &header,
        )
        .map_err(xerr)?;
        for r in nfr::rows() {
            let row = r.number - 1;
            if r.kind == RowKind::MemoHeader {
                ws.write_string_with_format(row, 0, &r.name, &bold)
                    .map_err(xerr)?;
                continue;
            }
            if !r.gnfr.is_empty() {
                ws.write_string(row, 0, &r.gnfr).map_err(xerr)?;
            }
            ws.write_string(row, 1, &r.code).map_err(xerr)?;
            let name = t.sheet_long_names.get(&r.code).unwrap_or(&r.name);
            ws.write_string_with_format(row, 2, name, &wrap)
                .map_err(xerr)?;
            if !r.note.is_empty() {
                ws.write_string(row, 3, &r.note).map_err(xerr)?;
            }
            let cells = &y.rows[&r.number];
            for p in Pollutant::ALL {
                write_cell(ws, row, column_index(p.column()), cells.get(p)).map_err(xerr)?;
            }
            for (i, g) in FuelGroup::ALL.iter().enumerate() {
                write_cell(
                    ws,
                    row,
                    column_index(ACTIVITY_COLUMNS[g.index()]),
                    cells.fuels[i],
                )
                .map_err(xerr)?;
            }
            write_cell(ws, row, column_index("AK"), cells.other_activity).map_err(xerr)?;
            if !cells.other_activity_unit.is_empty() {
                ws.write_string(row, column_index("AL"), &cells.other_activity_unit)
                    .map_err(xerr)?;
            }
        }
        // Column widths and row heights of the template.
        for (col, width) in COLUMN_WIDTHS {
            ws.set_column_width(column_index(col), width)
                .map_err(xerr)?;
        }
        ws.set_row_height(9, 37.5).map_err(xerr)?;
        for row in 165..170 {
            ws.set_row_height(row, 52.5).map_err(xerr)?;
        }
    }
    extra(&mut wb).map_err(xerr)?;
    let bytes = wb.save_to_buffer().map_err(xerr)?;
    crate::output::write_bytes_atomically(path, &bytes)
}

/// The cell formats of the template's sheets.
pub struct Formats {
    /// The title, the version line, memo headers.
    pub bold: rust_xlsxwriter::Format,
    /// The column headers (rows 10-13): bold, wrapped, centred.
    pub header: rust_xlsxwriter::Format,
    /// Long names and notes: wrapped, at the top.
    pub wrap: rust_xlsxwriter::Format,
}

/// The template's cell formats.
pub fn formats() -> Formats {
    use rust_xlsxwriter::{Format, FormatAlign};
    Formats {
        bold: Format::new().set_bold(),
        header: Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center)
            .set_align(FormatAlign::VerticalCenter),
        wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
    }
}

/// A header block value (column B): a whole number as a number (a
/// reporting year typed as `2021`), anything else as text, nothing when empty.
fn write_header_value(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    text: &str,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    if text.is_empty() {
        return Ok(());
    }
    if !text.is_empty() && text.len() <= 9 && text.bytes().all(|b| b.is_ascii_digit()) {
        let n: u32 = text.parse().unwrap_or(0);
        if n.to_string() == text {
            return ws.write_number(row, 1, f64::from(n)).map(|_| ());
        }
    }
    ws.write_string(row, 1, text).map(|_| ())
}

/// The 0-based corners of an A1 range (`A10:A12`).
fn parse_range(range: &str) -> ((u32, u16), (u32, u16)) {
    let corner = |a1: &str| {
        let split = a1.find(|c: char| c.is_ascii_digit()).unwrap_or(a1.len());
        let (letters, digits) = a1.split_at(split);
        let row: u32 = digits
            .parse()
            .expect("a row number in the template's merges");
        (row - 1, column_index(letters))
    };
    let (a, b) = range
        .split_once(':')
        .expect("a range in the template's merges");
    (corner(a), corner(b))
}

/// A table cell written into a worksheet: a number (the nearest double),
/// a notation key as text, nothing for an empty cell.
pub fn write_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    cell: Cell,
) -> std::result::Result<(), rust_xlsxwriter::XlsxError> {
    match cell {
        Cell::Empty => Ok(()),
        Cell::Number(d) => ws.write_number(row, col, to_excel(d)).map(|_| ()),
        Cell::Key(k) => ws.write_string(row, col, k.as_str()).map(|_| ()),
    }
}
