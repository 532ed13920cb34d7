//! The header block of a year sheet: country, reporting date, year and
//! version, found by their labels; the year from `year:` (B6) or the sheet
//! name.

use super::labels::squeeze;
use super::{Issue, Workbook};
use crate::annex1::Header;
use crate::error::{Location, column_letters};
use crate::sheet::{Data, Grid};

/// The header block: the value beside each label in the label column; the
/// year from `year:` (B6) or the sheet name, reported when they disagree.
/// `Err(reason)` when neither gives a year.
pub(super) fn read_header(
    grid: &Grid,
    header_row: u32,
    at: &Location,
    book: &mut Workbook,
) -> std::result::Result<Header, String> {
    let mut header = Header::default();
    let mut year_cell: Option<(u32, u32)> = None;
    for r in 0..header_row {
        for c in 0..3 {
            let label = squeeze(&grid.text(r, c));
            let value = || grid.text(r, c + 1).trim().to_string();
            match label.trim_end_matches(':') {
                "country" => header.country = value(),
                "reporting" | "reportingdate" | "date" => {
                    header.reporting_date = reporting_date(grid.get(r, c + 1))
                }
                "year" => year_cell = Some((r, c + 1)),
                "version" => header.version = value(),
                _ => {}
            }
        }
    }
    let from_name = year_in_name(&grid.name);
    let from_cell = match year_cell {
        Some((r, c)) => {
            let text = grid.text(r, c);
            let cell_at = at
                .clone()
                .with_row(u64::from(r) + 1)
                .with_column(column_letters(c as usize));
            if text.trim().is_empty() {
                None
            } else {
                match crate::activity::parse_year(text.trim()) {
                    Ok(y) => Some((y, cell_at)),
                    Err(e) => {
                        book.issues.push(Issue {
                            check: "format.year",
                            serious: from_name.is_none(),
                            at: cell_at,
                            cell: None,
                            message: format!(
                                "the year of the sheet: {e}{}",
                                match from_name {
                                    Some(n) =>
                                        format!("; the year of the sheet name, {n}, is used"),
                                    None => String::new(),
                                }
                            ),
                        });
                        None
                    }
                }
            }
        }
        None => None,
    };
    header.year = match (from_cell, from_name) {
        (Some((y, cell_at)), Some(n)) if y != n => {
            book.issues.push(Issue {
                check: "format.year",
                serious: false,
                at: cell_at,
                cell: None,
                message: format!(
                    "the header block says year {y} but the sheet name '{}' says {n}; the header block's {y} is used: correct the one that is wrong",
                    grid.name
                ),
            });
            y
        }
        (Some((y, _)), _) => y,
        (None, Some(n)) => n,
        (None, None) => {
            return Err(
                "the year of the sheet is not given: the header block has no year (label 'year:' in column A, the year beside it) and the sheet name has none; the sheet is not read".into(),
            );
        }
    };
    Ok(header)
}

/// The reporting date as the template writes it (DD.MM.YYYY); a date cell
/// is written so (in the 1900 date system, Excel's default; calamine does
/// not say when a workbook uses the 1904 one), other cells as their text.
fn reporting_date(value: &Data) -> String {
    match value {
        Data::DateTime(d) if d.is_datetime() => {
            let serial = d.as_f64().floor() as i64;
            let (y, m, day) = crate::date::civil_from_excel_serial(serial);
            format!("{day:02}.{m:02}.{y}")
        }
        other => crate::sheet::cell_text(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// A year (1980-2100) standing alone in a sheet name (`2019`, `NFR-19 2022`).
fn year_in_name(name: &str) -> Option<i32> {
    let found: Vec<i32> = name
        .split(|c: char| !c.is_ascii_digit())
        .filter(|t| t.len() == 4)
        .filter_map(|t| crate::activity::parse_year(t).ok())
        .collect();
    match found.as_slice() {
        [y] => Some(*y),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_give_a_year_only_when_there_is_one() {
        assert_eq!(year_in_name("2019"), Some(2019));
        assert_eq!(year_in_name("NFR-19 2022"), Some(2022));
        assert_eq!(year_in_name("Summary"), None);
        assert_eq!(year_in_name("2019 vs 2020"), None);
    }

    #[test]
    fn a_reporting_date_cell_reads_as_the_template_writes_it() {
        use calamine::{ExcelDateTime, ExcelDateTimeType};
        // Serial day 45337 of the 1900 date system is 15 February 2024.
        let date = Data::DateTime(ExcelDateTime::new(
            45337.0,
            ExcelDateTimeType::DateTime,
            false,
        ));
        assert_eq!(reporting_date(&date), "15.02.2024");
        assert_eq!(reporting_date(&Data::Float(2021.0)), "2021");
        assert_eq!(
            reporting_date(&Data::String(" 15.02.2021 ".into())),
            "15.02.2021"
        );
    }
}
