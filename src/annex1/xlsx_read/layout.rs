//! Where a year sheet's table is and how it is laid out: the code column
//! and the header row, the template version the sheet names, the value
//! columns found by their names and the units of the pollutant columns.

use super::labels::{self, squeeze, squeezed_is};
use super::{Issue, Workbook};
use crate::annex1::Column;
use crate::error::{Location, column_letters};
use crate::fuel::FuelGroup;
use crate::nfr::RowKind;
use crate::pollutant::Pollutant;
use crate::sheet::{Data, Grid};
use std::collections::HashMap;

/// The layout of a year sheet.
pub(super) struct Layout {
    /// The row above the first template row (0-based).
    pub header_row: u32,
    /// The column of the NFR codes (0-based).
    pub code_col: u32,
    /// The template version the sheet names (`NFR 2019-1`), or empty.
    pub template_version: String,
    /// NFR 2014-2: rows it lacks are not an error.
    pub older_layout: bool,
    /// Template column → sheet column, for the columns found and read.
    pub columns: HashMap<Column, u32>,
    /// The same, in template order.
    pub value_cols: Vec<(Column, u32)>,
    /// Sheet columns not read (a pollutant in other units).
    pub excluded: Vec<u32>,
}

impl Layout {
    /// The first sheet column of the values (read or not).
    pub fn first_value_col(&self) -> u32 {
        self.value_cols
            .iter()
            .map(|(_, c)| *c)
            .chain(self.excluded.iter().copied())
            .min()
            .unwrap_or(self.code_col + 1)
    }
}

/// The layout of a sheet, reporting what it lacks into `book`, or
/// `Err(reason)` when it is not a year sheet.
pub(super) fn layout(
    grid: &Grid,
    at: &Location,
    book: &mut Workbook,
) -> std::result::Result<Layout, String> {
    let Some((header_row, code_col)) = locate_table(grid) else {
        return Err(
            "no 'NFR Code' header cell and no column of NFR codes: not an Annex I year sheet"
                .into(),
        );
    };

    let template_version = (0..header_row)
        .flat_map(|r| (0..code_col.max(1) + 1).map(move |c| (r, c)))
        .map(|(r, c)| grid.text(r, c))
        .find(|t| {
            let u = t.trim().to_ascii_uppercase();
            u.starts_with("NFR") && u.len() <= 20 && u.bytes().any(|b| b.is_ascii_digit())
        })
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    // NFR 2014-2 (written `NFR 2014-2`, `NFR14`, `NFR-14`): rows are found by
    // code all the same, but rows it lacks are not an error.
    let older_layout = {
        let v: String = squeeze(&template_version).replace('-', "");
        v.contains("2014") || v.contains("nfr14")
    };

    let Some((mut columns, names_row)) = find_columns(grid, header_row, code_col, at, book) else {
        return Err(format!(
            "no row above the codes of column {} names the template's pollutant columns (NOx (as NO2) ... PCBs): not an Annex I year sheet",
            column_letters(code_col as usize)
        ));
    };
    let cell_at = |row: u32, col: u32| super::cell_at(at, row, col);
    let excluded = check_units(grid, header_row, names_row, &mut columns, &cell_at, book);
    let value_cols: Vec<(Column, u32)> = Column::all()
        .into_iter()
        .filter_map(|c| columns.get(&c).map(|i| (c, *i)))
        .collect();
    Ok(Layout {
        header_row,
        code_col,
        template_version,
        older_layout,
        columns,
        value_cols,
        excluded,
    })
}

/// Where the table of a sheet is: the header row (the row above the first
/// code, or the row of the `NFR Code` cell) and the code column.
///
/// The `NFR Code` cell when there is one; else found by content: the column
/// holding the most NFR codes of sector rows (at least ten), and the row
/// above its first code.
fn locate_table(grid: &Grid) -> Option<(u32, u32)> {
    let mut header_cells: Vec<(u32, u32)> = grid
        .cells()
        .iter()
        .filter(|(_, v)| matches!(v, Data::String(s) if squeezed_is(s, "nfrcode")))
        .map(|(k, _)| *k)
        .collect();
    header_cells.sort();
    if let Some(first) = header_cells.first() {
        return Some(*first);
    }
    let mut codes: HashMap<u32, Vec<u32>> = HashMap::new();
    for (&(r, c), v) in grid.cells() {
        if let Data::String(s) = v
            && s.len() <= 40
            && labels::template_row(s).is_some_and(|t| t.kind == RowKind::Sector)
        {
            codes.entry(c).or_default().push(r);
        }
    }
    let (col, rows) = codes
        .into_iter()
        .filter(|(_, rows)| rows.len() >= 10)
        .max_by_key(|(c, rows)| (rows.len(), std::cmp::Reverse(*c)))?;
    let first = *rows.iter().min()?;
    Some((first.checked_sub(1)?, col))
}

/// The column a header text names, if any.
fn column_from_header(text: &str) -> Option<Column> {
    let key: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let activity = match key.as_str() {
        "liquidfuels" => Some(Column::Fuel(FuelGroup::Liquid)),
        "solidfuels" => Some(Column::Fuel(FuelGroup::Solid)),
        "gaseousfuels" => Some(Column::Fuel(FuelGroup::Gaseous)),
        "biomass" => Some(Column::Fuel(FuelGroup::Biomass)),
        "otherfuels" => Some(Column::Fuel(FuelGroup::Other)),
        "otheractivity(specified)" | "otheractivity" => Some(Column::OtherActivity),
        "otheractivityunits" | "otheractivityunit" => Some(Column::OtherActivityUnit),
        _ => None,
    };
    // "PAHs" heads the four PAH columns (row 11); it names no column.
    if activity.is_some() || key == "pahs" {
        return activity;
    }
    Pollutant::parse(text).map(Column::Pollutant)
}

/// The template columns, found by their names in the header rows, and the
/// row that names them; `None` when no row names a pollutant column (not a
/// year sheet). Columns that are missing or named twice are reported.
fn find_columns(
    grid: &Grid,
    header_row: u32,
    code_col: u32,
    at: &Location,
    book: &mut Workbook,
) -> Option<(HashMap<Column, u32>, u32)> {
    // The names row is the header row (or a row above it) that names the
    // most template columns.
    let mut best: Option<(usize, u32, HashMap<Column, Vec<u32>>)> = None;
    for r in header_row.saturating_sub(4)..=header_row {
        let mut found: HashMap<Column, Vec<u32>> = HashMap::new();
        for ((row, c), v) in grid.cells() {
            if *row != r || *c <= code_col {
                continue;
            }
            if let Data::String(s) = v
                && let Some(col) = column_from_header(s)
            {
                found.entry(col).or_default().push(*c);
            }
        }
        if best.as_ref().is_none_or(|(n, _, _)| found.len() > *n) {
            best = Some((found.len(), r, found));
        }
    }
    let (_, names_row, found) = best?;
    if !found.keys().any(|c| matches!(c, Column::Pollutant(_))) {
        return None;
    }
    let names_at = at.clone().with_row(u64::from(names_row) + 1);
    let mut columns = HashMap::new();
    let mut missing = Vec::new();
    for col in Column::all() {
        match found.get(&col) {
            Some(several) => {
                let mut several = several.clone();
                several.sort_unstable();
                columns.insert(col, several[0]);
                if several.len() > 1 {
                    let letters: Vec<String> = several
                        .iter()
                        .map(|c| column_letters(*c as usize))
                        .collect();
                    book.issues.push(Issue {
                        check: "format.column",
                        serious: true,
                        at: names_at.clone(),
                        cell: None,
                        message: format!(
                            "columns {} are all named {}; the template has one such column: {} is read, the others are not",
                            letters.join(", "),
                            col.label(),
                            letters[0]
                        ),
                    });
                }
            }
            None => missing.push(format!(
                "{} (column {})",
                col.label(),
                col.template_letter()
            )),
        }
    }
    if !missing.is_empty() {
        book.issues.push(Issue {
            check: "format.column",
            serious: true,
            at: names_at,
            cell: None,
            message: format!(
                "no column is named {}; the template names its columns in this row (NOx (as NO2) ... PCBs, Liquid Fuels ... Other Activity Units); left empty",
                missing.join(", ")
            ),
        });
    }
    Some((columns, names_row))
}

/// Each pollutant's unit in the header row, where it is written, must be
/// the template's (`Gg` is `kt`): a column in other units would be read
/// wrongly, so it is not read (reported, and its cells left empty). The
/// sheet columns left out.
fn check_units(
    grid: &Grid,
    header_row: u32,
    names_row: u32,
    columns: &mut HashMap<Column, u32>,
    cell_at: &dyn Fn(u32, u32) -> Location,
    book: &mut Workbook,
) -> Vec<u32> {
    let mut excluded = Vec::new();
    if header_row == names_row {
        return excluded;
    }
    for p in Pollutant::ALL {
        let Some(&c) = columns.get(&Column::Pollutant(p)) else {
            continue;
        };
        let text = grid.text(header_row, c);
        if text.trim().is_empty() || labels::same_unit(&text, p.unit()) {
            continue;
        }
        book.issues.push(Issue {
            check: "format.unit",
            serious: true,
            at: cell_at(header_row, c),
            cell: None,
            message: format!(
                "the unit of {p} is '{}' but the template reports {p} in {}; the column is not read (its cells are left empty): convert it to {} and read it again",
                text.trim(),
                p.unit(),
                p.unit()
            ),
        });
        columns.remove(&Column::Pollutant(p));
        excluded.push(c);
    }
    excluded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_texts_name_template_columns() {
        assert_eq!(
            column_from_header("NOx\n(as NO2)"),
            Some(Column::Pollutant(Pollutant::NOx))
        );
        assert_eq!(
            column_from_header("PCDD/ PCDF\n(dioxins/ furans)"),
            Some(Column::Pollutant(Pollutant::PCDDF))
        );
        assert_eq!(
            column_from_header("Total 1-4"),
            Some(Column::Pollutant(Pollutant::PAH14))
        );
        assert_eq!(column_from_header("PAHs"), None);
        assert_eq!(
            column_from_header("Other activity (specified)"),
            Some(Column::OtherActivity)
        );
        assert_eq!(
            column_from_header("Gaseous Fuels"),
            Some(Column::Fuel(FuelGroup::Gaseous))
        );
        assert_eq!(column_from_header("kt"), None);
        assert_eq!(Column::all().len(), 33);
    }
}
