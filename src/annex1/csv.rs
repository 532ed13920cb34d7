//! The Annex I table of one year as `annex1_<YEAR>.csv`: one line per
//! template row (row number, GNFR, code, name, the 26 pollutants, the
//! activity data), exact decimals, notation keys as they are; written by
//! `compile`, read back by every command that takes an output folder.

use super::table::{ACTIVITY_COLUMNS, Annex1Year, Header};
use crate::error::{Error, Location, Result};
use crate::nfr;
use crate::notation_key::{Cell, NotationKey};
use crate::number::{format_decimal, parse_decimal};
use crate::pollutant::Pollutant;
use std::path::Path;

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

/// A cell as it is written in CSV: an exact decimal, a key or nothing.
pub fn cell_text(c: Cell) -> String {
    match c {
        Cell::Number(d) => format_decimal(d),
        other => other.to_string(),
    }
}

/// The year of a file named `annex1_<YEAR>.csv`.
pub fn year_of_csv(path: &Path) -> Option<i32> {
    let name = path.file_name()?.to_str()?;
    let year = name.strip_prefix("annex1_")?.strip_suffix(".csv")?;
    crate::number::parse_year(year).ok()
}

/// Reads a cell as written in the CSVs: an exact decimal, a notation key,
/// or nothing.
pub fn parse_cell(text: &str) -> std::result::Result<Cell, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(Cell::Empty);
    }
    if let Some(k) = NotationKey::parse(t) {
        return Ok(Cell::Key(k));
    }
    parse_decimal(t).map(Cell::Number).map_err(|_| {
        format!("'{t}' is neither a number nor a notation key (NO, NE, NA, IE, C, NR)")
    })
}

/// Reads an `annex1_<YEAR>.csv` as airinv writes it.
pub fn read_annex_csv(path: &Path, year: i32) -> Result<Annex1Year> {
    let (table, unreadable) = read_annex_csv_lenient(path, year)?;
    match unreadable.into_iter().next() {
        Some(u) => Err(Error::input(u.at, u.problem)),
        None => Ok(table),
    }
}

/// A cell whose text is neither a number nor a notation key, with the
/// template row and column it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadableCell {
    /// Where it was read (file, row, column).
    pub at: Location,
    pub year: i32,
    /// The template row number (14 for 1A1a).
    pub row: u32,
    /// The template column letter (E for NOx, AF for liquid fuels).
    pub column: String,
    pub text: String,
    pub problem: String,
}

/// Reads an `annex1_<YEAR>.csv`, keeping the cells that are neither a
/// number nor a notation key aside (read as empty) instead of stopping at
/// the first: `airinv check` reports them all.
pub fn read_annex_csv_lenient(path: &Path, year: i32) -> Result<(Annex1Year, Vec<UnreadableCell>)> {
    let sheet = crate::sheet::read(path, None)?;
    let mut rows = sheet.rows.iter();
    let header = rows.next().ok_or_else(|| Error::file(path, "is empty"))?;
    let expected = csv_header();
    if header.cells.iter().map(|c| c.trim()).collect::<Vec<_>>()
        != expected.iter().map(String::as_str).collect::<Vec<_>>()
    {
        return Err(Error::input(
            Location::file(path).with_row(header.number),
            format!(
                "the header is not that of an annex1_<YEAR>.csv ({})",
                expected.join(",")
            ),
        ));
    }
    let mut table = Annex1Year::empty(Header {
        year,
        ..Header::default()
    });
    let mut unreadable = Vec::new();
    for row in rows {
        let code = row.cells.get(2).map(|c| c.trim()).unwrap_or("");
        if code.is_empty() {
            continue;
        }
        let template_row = nfr::find(code).ok_or_else(|| {
            Error::input(
                Location::file(path)
                    .with_row(row.number)
                    .with_column("code"),
                nfr::unknown_code_message(code),
            )
        })?;
        let cells = table
            .rows
            .get_mut(&template_row.number)
            .expect("template row");
        let mut get = |i: usize, column: &str| -> Cell {
            let text = row.cells.get(i).map(String::as_str).unwrap_or("");
            parse_cell(text).unwrap_or_else(|problem| {
                unreadable.push(UnreadableCell {
                    at: Location::file(path)
                        .with_row(row.number)
                        .with_column(expected[i].clone()),
                    year,
                    row: template_row.number,
                    column: column.to_string(),
                    text: text.trim().to_string(),
                    problem,
                });
                Cell::Empty
            })
        };
        for p in Pollutant::ALL {
            cells.set(p, get(4 + p.index(), p.column()));
        }
        for (g, column) in ACTIVITY_COLUMNS[..5].iter().enumerate() {
            cells.fuels[g] = get(30 + g, column);
        }
        cells.other_activity = get(35, "AK");
        cells.other_activity_unit = row.cells.get(36).cloned().unwrap_or_default();
    }
    Ok((table, unreadable))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_are_numbers_keys_or_nothing() {
        assert_eq!(parse_cell(""), Ok(Cell::Empty));
        assert_eq!(parse_cell("NE"), Ok(Cell::Key(NotationKey::NE)));
        assert_eq!(
            parse_cell("0.89"),
            Ok(Cell::Number(
                rust_decimal::Decimal::from_str_exact("0.89").unwrap()
            ))
        );
        assert!(parse_cell("n/a").is_err());
        assert_eq!(year_of_csv(Path::new("out/annex1_2022.csv")), Some(2022));
        assert_eq!(year_of_csv(Path::new("out/detail.csv")), None);
    }
}
