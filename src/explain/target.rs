//! The cell to explain: a year sheet, a template row and a column, as
//! `annex1.xlsx` names it (`2022!E14`) or by year, NFR code and pollutant.

use crate::annex1::ACTIVITY_COLUMNS;
use crate::error::{Error, Result};
use crate::fuel::FuelGroup;
use crate::nfr::{self, Row, RowKind};
use crate::pollutant::Pollutant;

/// A column of the table that holds a value: a pollutant (E-AD) or an
/// activity-data column (AF-AJ fuel groups, AK other activity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Pollutant(Pollutant),
    Fuel(FuelGroup),
    OtherActivity,
}

impl Column {
    /// The template's column letter.
    pub fn letter(self) -> &'static str {
        match self {
            Column::Pollutant(p) => p.column(),
            Column::Fuel(g) => ACTIVITY_COLUMNS[g.index()],
            Column::OtherActivity => "AK",
        }
    }

    /// The column for its letter (upper or lower case).
    pub fn parse(letters: &str) -> std::result::Result<Column, String> {
        let l = letters.trim().to_ascii_uppercase();
        if let Some(p) = Pollutant::ALL.iter().find(|p| p.column() == l) {
            return Ok(Column::Pollutant(*p));
        }
        if let Some(g) = FuelGroup::ALL
            .iter()
            .find(|g| ACTIVITY_COLUMNS[g.index()] == l)
        {
            return Ok(Column::Fuel(*g));
        }
        match l.as_str() {
            "AK" => Ok(Column::OtherActivity),
            "AL" => Err("column AL holds the unit of AK (Other Activity Units); explain AK".into()),
            "A" | "B" | "C" | "D" => Err(format!(
                "column {l} holds the row's labels (A GNFR sector, B NFR code, C name, D note); {}",
                COLUMNS_ARE
            )),
            _ => Err(format!("column {l} is outside the table; {COLUMNS_ARE}")),
        }
    }
}

const COLUMNS_ARE: &str = "the values are in E-AD (pollutants: E = NOx, F = NMVOC, G = SOx, H = NH3, I = PM2.5 ... AD = PCBs) and AF-AK (activity data: AF liquid, AG solid, AH gaseous fuels, AI biomass, AJ other fuels in TJ NCV, AK other activity)";

const ROWS_ARE: &str = "the table's rows are 14-140 (sectors, 14 = 1A1a), 141 (NATIONAL TOTAL), 143-149 (road transport on fuel used), 151-154 (adjustments and compliance totals) and 157-164 (memo items)";

/// One cell of the table: year sheet, template row, column.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub year: i32,
    pub row: &'static Row,
    pub column: Column,
}

impl PartialEq for Target {
    fn eq(&self, other: &Target) -> bool {
        (self.year, self.row.number, self.column) == (other.year, other.row.number, other.column)
    }
}

impl Target {
    /// A cell as `annex1.xlsx` names it: `2022!E14`, `'2022'!E14`,
    /// `2022!e14`.
    pub fn parse(text: &str) -> Result<Target> {
        let t = text.trim();
        let (sheet, cell) = t.rsplit_once('!').ok_or_else(|| {
            Error::Argument(format!(
                "'{t}' is not a cell: write it as YEAR!CELL, the sheet and cell of annex1.xlsx (2022!E14 = 1A1a NOx of 2022), or give --year, --code and --pollutant"
            ))
        })?;
        let sheet = sheet.trim();
        let sheet = ['\'', '"']
            .iter()
            .find_map(|q| sheet.strip_prefix(*q).and_then(|s| s.strip_suffix(*q)))
            .unwrap_or(sheet);
        let year = crate::number::parse_year(sheet).map_err(|e| {
            Error::Argument(format!(
                "'{t}': the sheet of a cell is its year, as in annex1.xlsx: {e}"
            ))
        })?;
        let cell = cell.trim();
        let split = cell
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(cell.len());
        let (letters, digits) = cell.split_at(split);
        if letters.is_empty() || !letters.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(Error::Argument(format!(
                "'{t}': '{cell}' is not a cell reference (a column letter and a row number: E14)"
            )));
        }
        let number: u32 = digits.parse().map_err(|_| {
            Error::Argument(format!(
                "'{t}': '{cell}' is not a cell reference (a column letter and a row number: E14)"
            ))
        })?;
        let column = Column::parse(letters).map_err(|e| Error::Argument(format!("'{t}': {e}")))?;
        let row = nfr::by_number(number)
            .filter(|r| r.kind != RowKind::MemoHeader)
            .ok_or_else(|| {
                Error::Argument(format!(
                    "'{t}': row {number} holds no values of the table; {ROWS_ARE}"
                ))
            })?;
        Ok(Target { year, row, column })
    }

    /// A cell by year, NFR code (`1A1a`, `1.A.1.a`) and pollutant (an id
    /// or a name airinv reads: `NOx`, `SO2`, `PM2.5`).
    pub fn of(year: i32, code: &str, pollutant: &str) -> Result<Target> {
        let row = nfr::find(code)
            .filter(|r| r.kind != RowKind::MemoHeader)
            .ok_or_else(|| Error::Argument(nfr::unknown_code_message(code)))?;
        let p = Pollutant::parse(pollutant).ok_or_else(|| {
            Error::Argument(format!(
                "'{pollutant}' is not a pollutant of the Annex I template; the pollutants are {}",
                Pollutant::id_list()
            ))
        })?;
        Ok(Target {
            year,
            row,
            column: Column::Pollutant(p),
        })
    }

    /// `2022!E14`.
    pub fn cell(&self) -> String {
        cell_name(self.year, self.column, self.row.number)
    }
}

pub(super) fn cell_name(year: i32, column: Column, row: u32) -> String {
    format!("{year}!{}{row}", column.letter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_as_annex1_xlsx_names_them() {
        let t = Target::parse("2022!E14").unwrap();
        assert_eq!(
            (t.year, t.row.code.as_str(), t.column),
            (2022, "1A1a", Column::Pollutant(Pollutant::NOx))
        );
        assert_eq!(Target::parse("'2022'!e14").unwrap(), t);
        assert_eq!(Target::parse(" 2022 ! E14 ").unwrap(), t);
        assert_eq!(
            Target::parse("2005!AB141").unwrap().column,
            Column::Pollutant(Pollutant::PAH14)
        );
        assert_eq!(
            Target::parse("2005!AG17").unwrap().column,
            Column::Fuel(FuelGroup::Solid)
        );
        assert_eq!(
            Target::parse("2005!AK57").unwrap().column,
            Column::OtherActivity
        );
        assert_eq!(t.cell(), "2022!E14");
        assert_eq!(Target::of(2022, "1.A.1.a", "nox").unwrap(), t);
        for (bad, says) in [
            ("E14", "YEAR!CELL"),
            ("2022!B14", "labels"),
            ("2022!AL14", "unit of AK"),
            ("2022!AE14", "outside the table"),
            ("2022!E13", "row 13 holds no values"),
            ("2022!E156", "row 156 holds no values"),
            ("2022!E200", "row 200"),
            ("1850!E14", "1980-2100"),
            ("2022!14", "not a cell reference"),
        ] {
            let e = Target::parse(bad).unwrap_err().to_string();
            assert!(e.contains(says), "{bad}: {e}");
        }
        assert!(Target::of(2022, "1A9", "NOx").is_err());
        assert!(
            Target::of(2022, "1A1a", "CO2")
                .unwrap_err()
                .to_string()
                .contains("NOx NMVOC")
        );
    }
}
