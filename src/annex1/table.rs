//! The template's table (NFR 2019-1): its rows with their cells, its value
//! columns, its fixed texts and column letters. One [`Annex1Year`] holds
//! every template row of one year, with 26 pollutant cells and the
//! activity-data cells of each.

use crate::fuel::FuelGroup;
use crate::nfr;
use crate::notation_key::{Cell, NotationKey};
use crate::pollutant::Pollutant;
use std::collections::BTreeMap;

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
}

/// A value column of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Pollutant(Pollutant),
    /// Fuel in TJ NCV (AF-AJ).
    Fuel(FuelGroup),
    /// Other activity (AK).
    OtherActivity,
    /// Other Activity Units (AL), a text.
    OtherActivityUnit,
}

impl Column {
    /// The 33 columns in template order (E ... AD, AF ... AL).
    pub fn all() -> Vec<Column> {
        let mut v: Vec<Column> = Pollutant::ALL
            .iter()
            .map(|p| Column::Pollutant(*p))
            .collect();
        v.extend(FuelGroup::ALL.iter().map(|g| Column::Fuel(*g)));
        v.push(Column::OtherActivity);
        v.push(Column::OtherActivityUnit);
        v
    }

    /// The column's letter in the NFR 2019-1 template.
    pub fn template_letter(self) -> &'static str {
        match self {
            Column::Pollutant(p) => p.column(),
            Column::Fuel(g) => ACTIVITY_COLUMNS[g.index()],
            Column::OtherActivity => "AK",
            Column::OtherActivityUnit => "AL",
        }
    }

    /// The column's name in messages (`NOx`, `Liquid Fuels`).
    pub fn label(self) -> String {
        match self {
            Column::Pollutant(p) => p.id().to_string(),
            Column::Fuel(g) => g.column_name().to_string(),
            Column::OtherActivity => "Other activity (specified)".into(),
            Column::OtherActivityUnit => "Other Activity Units".into(),
        }
    }
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
        toml::from_str(include_str!("../data/annex1-template.toml"))
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

/// The widths of the template's columns A-D (the code and name columns).
pub const COLUMN_WIDTHS: [(&str, f64); 4] = [("A", 21.44), ("B", 12.0), ("C", 46.44), ("D", 7.11)];

/// The column letters of the activity-data cells AF-AL.
pub const ACTIVITY_COLUMNS: [&str; 7] = ["AF", "AG", "AH", "AI", "AJ", "AK", "AL"];

/// The notation key of empty activity-data cells of a row with no activity.
pub const NO_ACTIVITY: Cell = Cell::Key(NotationKey::NO);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters_map_to_indices() {
        assert_eq!(column_index("A"), 0);
        assert_eq!(column_index("E"), 4);
        assert_eq!(column_index("AD"), 29);
        assert_eq!(column_index("AL"), 37);
    }

    #[test]
    fn the_value_columns_are_the_template_columns_e_to_al() {
        let all = Column::all();
        assert_eq!(all.len(), 33);
        assert_eq!(all[0].template_letter(), "E");
        assert_eq!(all[32].template_letter(), "AL");
    }
}
