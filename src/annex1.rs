//! The Annex I table of one year (NFR 2019-1): every template row with its
//! 26 pollutant cells and its activity-data cells, the totals the template
//! defines, and writing it as `annex1_<YEAR>.csv` and as the official
//! workbook `annex1.xlsx`.
//!
//! Totals follow the template's notes:
//! - (a) NATIONAL TOTAL (row 141) = Σ sector rows 14-140 (memo items are
//!   outside it);
//! - (c) COMPLIANCE TOTAL (CLRTAP) (row 152) = NATIONAL TOTAL + ADJUSTMENTS
//!   (row 151) and, where road transport is reported on fuel used (rows
//!   143-149), + Σ fuel-used rows − Σ rows 1A3bi-1A3bvii;
//! - (e) COMPLIANCE TOTAL (NECD) (row 154) = NATIONAL TOTAL + ADJUSTMENTS AND
//!   FLEXIBILITIES (row 153), the same fuel-used correction, and for NOx and
//!   NMVOC, in 2005 and from 2020 on, − sectors 3B and 3D.
//!
//! PAH1-4 (Total 1-4) of each row is BaP + BbF + BkF + IcdP.

use crate::error::{Error, Result};
use crate::fuel::FuelGroup;
use crate::nfr::{self, RowKind};
use crate::notation_key::{Cell, CellSum, NotationKey};
use crate::number::{format_decimal, to_excel};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

/// The header block of a year sheet (cells B4-B7).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub country: String,
    /// Reporting date as the template asks (DD.MM.YYYY).
    pub reporting_date: String,
    pub year: i32,
    pub version: String,
}

/// The cells of one template row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowCells {
    pub pollutants: [Cell; 26],
    /// Liquid, solid, gaseous, biomass and other fuels, TJ NCV (AF-AJ).
    pub fuels: [Cell; 5],
    /// Other activity (AK), in the unit of AL.
    pub other_activity: Cell,
    /// Other Activity Units (AL).
    pub other_activity_unit: String,
}

impl RowCells {
    pub fn empty(unit: &str) -> RowCells {
        RowCells {
            pollutants: [Cell::Empty; 26],
            fuels: [Cell::Empty; 5],
            other_activity: Cell::Empty,
            other_activity_unit: unit.to_string(),
        }
    }

    pub fn get(&self, p: Pollutant) -> Cell {
        self.pollutants[p.index()]
    }

    pub fn set(&mut self, p: Pollutant, c: Cell) {
        self.pollutants[p.index()] = c;
    }
}

/// The Annex I table of one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annex1Year {
    pub header: Header,
    /// By template row number; every row of the template is present.
    pub rows: BTreeMap<u32, RowCells>,
}

impl Annex1Year {
    /// A table with every row of the template and no values.
    pub fn empty(header: Header) -> Annex1Year {
        let rows = nfr::rows()
            .iter()
            .map(|r| (r.number, RowCells::empty(&r.other_activity_unit)))
            .collect();
        Annex1Year { header, rows }
    }

    pub fn row(&self, code: &str) -> Option<&RowCells> {
        nfr::find(code).and_then(|r| self.rows.get(&r.number))
    }

    pub fn row_mut(&mut self, code: &str) -> Option<&mut RowCells> {
        nfr::find(code).and_then(move |r| self.rows.get_mut(&r.number))
    }

    /// Sets PAH1-4 of every row from its four PAHs (where it has any).
    pub fn derive_pah_totals(&mut self) {
        for cells in self.rows.values_mut() {
            let four: Vec<Cell> = Pollutant::PAHS.iter().map(|p| cells.get(*p)).collect();
            if four.iter().all(Cell::is_empty) {
                continue;
            }
            let (sum, _) = crate::notation_key::sum(four);
            cells.set(Pollutant::PAH14, sum);
        }
    }

    /// Computes NATIONAL TOTAL and the compliance totals by the template's notes.
    pub fn compute_totals(&mut self) {
        let year = self.header.year;
        let rows_of = |kind: RowKind| -> Vec<u32> {
            nfr::rows()
                .iter()
                .filter(|r| r.kind == kind)
                .map(|r| r.number)
                .collect()
        };
        let sectors = rows_of(RowKind::Sector);
        let fuel_used = rows_of(RowKind::FuelUsed);
        let road: Vec<u32> = [
            "1A3bi", "1A3bii", "1A3biii", "1A3biv", "1A3bv", "1A3bvi", "1A3bvii",
        ]
        .iter()
        .map(|c| nfr::find(c).expect("road rows").number)
        .collect();
        let agri_3b_3d: Vec<u32> = nfr::sector_rows()
            .filter(|r| r.code.starts_with("3B") || r.code.starts_with("3D"))
            .map(|r| r.number)
            .collect();
        let number = |c: &str| nfr::find(c).expect("template total rows").number;
        let (nt, adj, clrtap, flex, necd) = (
            number("NATIONAL TOTAL"),
            number("ADJUSTMENTS"),
            number("COMPLIANCE TOTAL (CLRTAP)"),
            number("ADJUSTMENTS AND FLEXIBILITIES"),
            number("COMPLIANCE TOTAL (NECD)"),
        );
        for p in Pollutant::ALL {
            let total = sum_cells(&self.rows, &sectors, p);
            // Road transport on fuel used, where it is reported with numbers.
            let fu_correction = match sum_cells(&self.rows, &fuel_used, p) {
                Cell::Number(fu_sum) => {
                    let sold = sum_cells(&self.rows, &road, p)
                        .number()
                        .unwrap_or(Decimal::ZERO);
                    Some(fu_sum - sold)
                }
                _ => None,
            };
            let necd_minus = if matches!(p, Pollutant::NOx | Pollutant::NMVOC)
                && (year == 2005 || year >= 2020)
            {
                sum_cells(&self.rows, &agri_3b_3d, p).number()
            } else {
                None
            };
            let mut updates = vec![(nt, total)];
            for (adj_row, target, minus) in [(adj, clrtap, None), (flex, necd, necd_minus)] {
                let adjustment = self.rows[&adj_row].get(p).number().unwrap_or(Decimal::ZERO);
                let value = match total {
                    Cell::Number(t) => Cell::Number(
                        t + adjustment + fu_correction.unwrap_or(Decimal::ZERO)
                            - minus.unwrap_or(Decimal::ZERO),
                    ),
                    other => other,
                };
                updates.push((target, value));
            }
            for (row, value) in updates {
                self.rows.get_mut(&row).expect("total row").set(p, value);
            }
        }
    }
}

fn sum_cells(table: &BTreeMap<u32, RowCells>, rows: &[u32], p: Pollutant) -> Cell {
    let mut s = CellSum::new();
    for r in rows {
        s.add(table[r].get(p));
    }
    s.cell()
}

/// The header of `annex1_<YEAR>.csv`.
pub fn csv_header() -> Vec<String> {
    let mut h: Vec<String> = ["row", "gnfr", "code", "name"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    h.extend(Pollutant::ALL.iter().map(|p| p.id().to_string()));
    h.extend(
        [
            "liquid_fuels_tj",
            "solid_fuels_tj",
            "gaseous_fuels_tj",
            "biomass_tj",
            "other_fuels_tj",
            "other_activity",
            "other_activity_unit",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    h
}

/// Writes one year as CSV: one line per template row, exact decimals.
pub fn write_csv<W: std::io::Write>(out: W, year: &Annex1Year) -> std::io::Result<()> {
    let mut w = crate::output::csv_writer(out);
    w.write_record(csv_header())?;
    for r in nfr::rows() {
        let cells = &year.rows[&r.number];
        let mut rec: Vec<String> = vec![
            r.number.to_string(),
            r.gnfr.clone(),
            r.code.clone(),
            r.name.clone(),
        ];
        rec.extend(cells.pollutants.iter().map(|c| c.to_string()));
        rec.extend(cells.fuels.iter().map(|c| c.to_string()));
        rec.push(cells.other_activity.to_string());
        rec.push(cells.other_activity_unit.clone());
        crate::output::write_safe_record(&mut w, &rec)?;
    }
    w.flush()
}

/// The fixed texts of the template (`src/data/annex1-template.toml`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct TemplateTexts {
    pub title: String,
    pub version: String,
    pub country_label: String,
    pub country_hint: String,
    pub reporting_label: String,
    pub reporting_hint: String,
    pub year_label: String,
    pub year_hint: String,
    pub version_label: String,
    pub version_hint: String,
    pub sectors_header: String,
    pub pah_header: String,
    pub code_headers: Vec<String>,
    pub group_headers: BTreeMap<String, String>,
    pub column_names: BTreeMap<String, String>,
    pub notes: BTreeMap<String, String>,
    /// Merged ranges (`A10:A12`) of the header rows and the notes.
    pub merges: Vec<String>,
    /// Long names the template breaks over two lines in column C, by code.
    pub sheet_long_names: BTreeMap<String, String>,
}

/// The template's fixed texts.
pub fn texts() -> &'static TemplateTexts {
    static TEXTS: std::sync::LazyLock<TemplateTexts> = std::sync::LazyLock::new(|| {
        toml::from_str(include_str!("data/annex1-template.toml"))
            .expect("embedded annex1-template.toml")
    });
    &TEXTS
}

/// 0-based column index of a column letter.
pub fn column_index(letters: &str) -> u16 {
    letters
        .bytes()
        .fold(0u16, |acc, b| acc * 26 + u16::from(b - b'A' + 1))
        - 1
}

/// The column letters of the activity-data cells AF-AL.
pub const ACTIVITY_COLUMNS: [&str; 7] = ["AF", "AG", "AH", "AI", "AJ", "AK", "AL"];

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
    use rust_xlsxwriter::{Format, FormatAlign, Formula, Workbook};
    let t = texts();
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
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
        for (col, width) in [("A", 21.44), ("B", 12.0), ("C", 46.44), ("D", 7.11)] {
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

fn write_cell(
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

/// A cell as it is written in CSV: an exact decimal, a key or nothing.
pub fn cell_text(c: Cell) -> String {
    match c {
        Cell::Number(d) => format_decimal(d),
        other => other.to_string(),
    }
}

/// The notation key of empty activity-data cells of a row with no activity.
pub const NO_ACTIVITY: Cell = Cell::Key(NotationKey::NO);

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Cell {
        Cell::Number(Decimal::from_str_exact(s).unwrap())
    }

    #[test]
    fn national_total_sums_sector_rows_only() {
        let mut y = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        y.row_mut("1A1a").unwrap().set(Pollutant::NOx, n("0.89"));
        y.row_mut("6A").unwrap().set(Pollutant::NOx, n("0.11"));
        y.row_mut("1A4bi")
            .unwrap()
            .set(Pollutant::NOx, Cell::Key(NotationKey::NE));
        // Memo items stay outside.
        y.row_mut("1A3ai(ii)").unwrap().set(Pollutant::NOx, n("5"));
        y.compute_totals();
        assert_eq!(y.row("NATIONAL TOTAL").unwrap().get(Pollutant::NOx), n("1"));
        assert_eq!(
            y.row("COMPLIANCE TOTAL (CLRTAP)")
                .unwrap()
                .get(Pollutant::NOx),
            n("1")
        );
        assert_eq!(
            y.row("NATIONAL TOTAL").unwrap().get(Pollutant::SOx),
            Cell::Empty
        );
    }

    #[test]
    fn compliance_totals_follow_the_template_notes() {
        let mut y = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        y.row_mut("1A3bi").unwrap().set(Pollutant::NOx, n("10"));
        y.row_mut("3B1a").unwrap().set(Pollutant::NOx, n("2"));
        y.row_mut("3Da1").unwrap().set(Pollutant::NOx, n("1"));
        y.row_mut("1A3bi(fu)").unwrap().set(Pollutant::NOx, n("7"));
        y.row_mut("ADJUSTMENTS")
            .unwrap()
            .set(Pollutant::NOx, n("-0.5"));
        y.row_mut("ADJUSTMENTS AND FLEXIBILITIES")
            .unwrap()
            .set(Pollutant::NOx, n("-0.25"));
        y.compute_totals();
        // 13 + (-0.5) + (7 - 10)
        assert_eq!(
            y.row("COMPLIANCE TOTAL (CLRTAP)")
                .unwrap()
                .get(Pollutant::NOx),
            n("9.5")
        );
        // 13 - 0.25 + (7 - 10) - (2 + 1)
        assert_eq!(
            y.row("COMPLIANCE TOTAL (NECD)")
                .unwrap()
                .get(Pollutant::NOx),
            n("6.75")
        );
        // Before 2020 (and not 2005) 3B and 3D stay in the NECD total.
        y.header.year = 2015;
        y.compute_totals();
        assert_eq!(
            y.row("COMPLIANCE TOTAL (NECD)")
                .unwrap()
                .get(Pollutant::NOx),
            n("9.75")
        );
    }

    #[test]
    fn pah_total_is_the_sum_of_the_four() {
        let mut y = Annex1Year::empty(Header::default());
        let r = y.row_mut("1A4bi").unwrap();
        r.set(Pollutant::BaP, n("0.1"));
        r.set(Pollutant::BbF, n("0.2"));
        r.set(Pollutant::BkF, Cell::Key(NotationKey::NE));
        r.set(Pollutant::IcdP, n("0.05"));
        y.derive_pah_totals();
        assert_eq!(y.row("1A4bi").unwrap().get(Pollutant::PAH14), n("0.35"));
        assert_eq!(y.row("1A1a").unwrap().get(Pollutant::PAH14), Cell::Empty);
    }

    #[test]
    fn column_letters_map_to_indices() {
        assert_eq!(column_index("A"), 0);
        assert_eq!(column_index("E"), 4);
        assert_eq!(column_index("AD"), 29);
        assert_eq!(column_index("AL"), 37);
    }
}
