//! The plant register (`plants = ["plants.csv"]` in inventory.toml): one
//! row per plant (or unit) and year, read from a CSV file or a workbook
//! sheet, every value checked where it stands.
//!
//! ```text
//! plants.csv ──► sheet::read_with ──► read_table: header (known columns,
//!     <POLLUTANT>_mg_nm3 and <POLLUTANT>_t), each row checked ──► Vec<Plant>
//!        │
//!        ├─► tier3 (calculation): a plant's emissions replace the Tier 1
//!        │   estimate for its share of its row's fuel
//!        └─► compliance (analyses): the plant against limit values
//! ```
//!
//! Columns (names in any case; only `id`, `year`, `nfr`, `fuel` and one way
//! to size the plant are required):
//!
//! | column | what |
//! |---|---|
//! | `id`, `name` | the plant's (or unit's) identifier and name |
//! | `year` | the inventory year the row is for |
//! | `nfr`, `fuel`, `technology` | the Annex I row and fuel whose activity the plant's fuel is part of (`technology` when the row has several keys of the fuel) |
//! | `thermal_input_mw` | rated thermal input, MWth; or `electric_mw` with `efficiency` (net electric, a fraction): thermal input = electric ÷ efficiency |
//! | `plant_type` | `boiler` (when empty) or `gas turbine`: which limits apply |
//! | `commissioning_year`, `latitude`, `longitude`, `stack_height_m`, `hours` | as named (`hours`: operating hours in the year) |
//! | `fuel_use`, `fuel_unit` | the plant's fuel in the year (any unit of the row's activity's dimension: TJ, GJ, t, m3 ...); without it, thermal input × hours |
//! | `o2_pct` | the dry O2 content (%) the concentrations and the flue-gas volume are at (measured, or a reference) |
//! | `flue_gas_nm3` | dry flue-gas volume of the year at `o2_pct`, Nm3; without it, the fuel's specific volume × fuel use |
//! | `<POLLUTANT>_mg_nm3` | measured concentration (`SOx_mg_nm3`, `NOx_mg_nm3`, `TSP_mg_nm3`: any airinv pollutant id) |
//! | `<POLLUTANT>_t` | annual emission reported by the plant, tonnes |
//! | `desulphurisation_pct` | the share of the fuel's sulphur the plant removes now, % (for a limit's desulphurisation alternative) |
//! | `source`, `note` | free text |

use crate::error::{Error, Location, Result};
use crate::fuel::{ActivityFuel, Fuels};
use crate::nfr::Row;
use crate::number::parse_decimal;
use crate::pollutant::Pollutant;
use crate::unit::ActivityUnit;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

/// What a plant is, for the limits that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlantType {
    Boiler,
    GasTurbine,
}

impl PlantType {
    pub fn parse(text: &str) -> Option<PlantType> {
        match text.trim().to_ascii_lowercase().as_str() {
            "" | "boiler" => Some(PlantType::Boiler),
            "gas turbine" | "gas_turbine" | "turbine" => Some(PlantType::GasTurbine),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PlantType::Boiler => "boiler",
            PlantType::GasTurbine => "gas turbine",
        }
    }
}

/// One row of a plant register: a plant (or unit) in one year.
#[derive(Debug, Clone)]
pub struct Plant {
    /// The register's row (file, sheet, row).
    pub at: Location,
    pub id: String,
    pub name: String,
    pub year: i32,
    pub row: &'static Row,
    pub fuel: ActivityFuel,
    pub technology: Option<String>,
    pub plant_type: PlantType,
    pub thermal_input_mw: Option<Decimal>,
    pub electric_mw: Option<Decimal>,
    pub efficiency: Option<Decimal>,
    pub commissioning_year: Option<i32>,
    pub latitude: Option<Decimal>,
    pub longitude: Option<Decimal>,
    pub stack_height_m: Option<Decimal>,
    pub hours: Option<Decimal>,
    /// Fuel use with its unit.
    pub fuel_use: Option<(Decimal, ActivityUnit)>,
    pub o2_pct: Option<Decimal>,
    pub flue_gas_nm3: Option<Decimal>,
    /// Measured concentrations, mg/Nm3 dry at `o2_pct`, with the column each is in.
    pub concentrations: BTreeMap<Pollutant, Decimal>,
    /// Annual emissions reported by the plant, tonnes.
    pub emissions_t: BTreeMap<Pollutant, Decimal>,
    pub desulphurisation_pct: Option<Decimal>,
    pub source: String,
}

impl Plant {
    /// The rated thermal input in MWth: given, or electric capacity ÷
    /// efficiency (rounded at 28 digits when not a finite decimal).
    pub fn thermal_input(&self) -> Decimal {
        match (self.thermal_input_mw, self.electric_mw, self.efficiency) {
            (Some(t), ..) => t,
            (None, Some(e), Some(eff)) => e / eff,
            _ => unreachable!("checked when read: a plant has a way to size it"),
        }
    }

    /// How the thermal input is known, in words.
    pub fn thermal_input_basis(&self) -> String {
        match (self.thermal_input_mw, self.electric_mw, self.efficiency) {
            (Some(_), ..) => "rated thermal input".into(),
            (None, Some(e), Some(eff)) => format!(
                "{} MWe ÷ electric efficiency {}",
                crate::number::format_decimal(e),
                crate::number::format_decimal(eff)
            ),
            _ => String::new(),
        }
    }

    /// A reference to the plant for messages: `plant P1 (plants.csv, row 3)`.
    pub fn label(&self) -> String {
        format!("plant {} ({})", self.id, self.at)
    }
}

/// A plant's part of an activity key, carried by the key's result
/// ([`crate::calculate::KeyResult`]): which plant, and where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub id: String,
    pub name: String,
    pub at: Location,
}

/// The columns a register may have besides the pollutant columns.
pub const COLUMNS: [&str; 22] = [
    "id",
    "name",
    "year",
    "nfr",
    "fuel",
    "technology",
    "plant_type",
    "thermal_input_mw",
    "electric_mw",
    "efficiency",
    "commissioning_year",
    "latitude",
    "longitude",
    "stack_height_m",
    "hours",
    "fuel_use",
    "fuel_unit",
    "o2_pct",
    "flue_gas_nm3",
    "desulphurisation_pct",
    "source",
    "note",
];

/// What a register column holds.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Column {
    Named(usize),
    Concentration(Pollutant),
    Emission(Pollutant),
}

/// Reads a plant register: a CSV file, or a sheet of a workbook.
pub fn read(path: &Path, sheet: Option<&str>, fuels: &Fuels) -> Result<Vec<Plant>> {
    let table = crate::sheet::read(path, sheet)?;
    read_table(&table, fuels)
}

/// The columns of the header row, each known.
fn header_columns(
    table: &crate::sheet::Sheet,
    header: &crate::sheet::SheetRow,
) -> Result<Vec<Option<Column>>> {
    let mut columns = Vec::new();
    for (i, name) in header.cells.iter().enumerate() {
        let n = name.trim().to_ascii_lowercase();
        if n.is_empty() {
            columns.push(None);
            continue;
        }
        let column = if let Some(k) = COLUMNS.iter().position(|c| *c == n) {
            Some(Column::Named(k))
        } else if let Some(p) = name
            .trim()
            .strip_suffix("_mg_nm3")
            .or(name.trim().strip_suffix("_MG_NM3"))
        {
            Pollutant::parse(p).map(Column::Concentration)
        } else if let Some(p) = name
            .trim()
            .strip_suffix("_t")
            .or(name.trim().strip_suffix("_T"))
        {
            Pollutant::parse(p).map(Column::Emission)
        } else {
            None
        };
        let Some(column) = column else {
            return Err(Error::input(
                table.cell_location(header.number, i, Some(name.trim())),
                format!(
                    "'{}' is not a column of a plant register: the columns are {}, and <POLLUTANT>_mg_nm3 (a measured concentration) or <POLLUTANT>_t (a reported emission) with an airinv pollutant id ({})",
                    name.trim(),
                    COLUMNS.join(", "),
                    Pollutant::id_list()
                ),
            ));
        };
        if columns.contains(&Some(column)) {
            return Err(Error::input(
                table.cell_location(header.number, i, Some(name.trim())),
                format!("the column '{}' is there twice", name.trim()),
            ));
        }
        columns.push(Some(column));
    }
    for required in ["id", "year", "nfr", "fuel"] {
        let k = COLUMNS
            .iter()
            .position(|c| *c == required)
            .expect("a column");
        if !columns.contains(&Some(Column::Named(k))) {
            return Err(Error::input(
                table.at.clone().with_row(header.number),
                format!(
                    "the plant register has no column '{required}' (required: id, year, nfr, fuel, and thermal_input_mw or electric_mw with efficiency)"
                ),
            ));
        }
    }
    Ok(columns)
}

/// Reads the plants of a table: the header is the first row with text.
pub fn read_table(table: &crate::sheet::Sheet, fuels: &Fuels) -> Result<Vec<Plant>> {
    let mut rows = table
        .rows
        .iter()
        .skip_while(|r| r.cells.iter().all(|c| c.trim().is_empty()));
    let Some(header) = rows.next() else {
        return Err(Error::file(
            &table.at.file,
            "the plant register is empty; it needs a header row (id, year, nfr, fuel, thermal_input_mw ...)",
        ));
    };
    let columns = header_columns(table, header)?;
    let mut plants: Vec<Plant> = Vec::new();
    for row in rows {
        if row.cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let plant = RowReader {
            table,
            header,
            columns: &columns,
            row,
        }
        .plant(fuels)?;
        if let Some(other) = plants
            .iter()
            .find(|p| p.id == plant.id && p.year == plant.year)
        {
            return Err(Error::input(
                plant.at.clone().with_column("id"),
                format!(
                    "plant {} is listed twice for {} (also at {}): one row per plant and year",
                    plant.id, plant.year, other.at
                ),
            ));
        }
        plants.push(plant);
    }
    Ok(plants)
}

/// One data row being read.
struct RowReader<'a> {
    table: &'a crate::sheet::Sheet,
    header: &'a crate::sheet::SheetRow,
    columns: &'a [Option<Column>],
    row: &'a crate::sheet::SheetRow,
}

impl RowReader<'_> {
    fn index(&self, name: &str) -> Option<usize> {
        let k = COLUMNS.iter().position(|c| *c == name)?;
        self.columns
            .iter()
            .position(|c| *c == Some(Column::Named(k)))
    }

    fn location(&self, i: usize) -> Location {
        let name = self.header.cells.get(i).map(|s| s.trim());
        self.table.cell_location(self.row.number, i, name)
    }

    /// The text of a named column, trimmed (empty when the column is not there).
    fn text(&self, name: &str) -> String {
        self.index(name)
            .and_then(|i| self.row.cells.get(i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    }

    fn bad(&self, name: &str, problem: String) -> Error {
        let at = match self.index(name) {
            Some(i) => self.location(i),
            None => self.table.at.clone().with_row(self.row.number),
        };
        Error::input(at, problem)
    }

    fn required(&self, name: &str) -> Result<String> {
        let t = self.text(name);
        if t.is_empty() {
            return Err(self.bad(
                name,
                format!("{name} is empty; every plant row needs id, year, nfr and fuel"),
            ));
        }
        Ok(t)
    }

    /// A number of a named column within [low, high], or none when empty.
    fn number(
        &self,
        name: &str,
        low: Decimal,
        high: Decimal,
        what: &str,
    ) -> Result<Option<Decimal>> {
        let t = self.text(name);
        if t.is_empty() {
            return Ok(None);
        }
        number_in(&t, low, high, what)
            .map(Some)
            .map_err(|e| self.bad(name, e))
    }

    fn year(&self, name: &str) -> Result<Option<i32>> {
        let t = self.text(name);
        if t.is_empty() {
            return Ok(None);
        }
        crate::number::parse_year(&t)
            .map(Some)
            .map_err(|e| self.bad(name, format!("'{t}': {e}")))
    }

    /// A commissioning year: 1850 to 2100 (plants are older than inventories).
    fn commissioning_year(&self) -> Result<Option<i32>> {
        let t = self.text("commissioning_year");
        if t.is_empty() {
            return Ok(None);
        }
        match t.parse::<i32>() {
            Ok(y) if (1850..=2100).contains(&y) => Ok(Some(y)),
            _ => Err(self.bad(
                "commissioning_year",
                format!(
                    "'{t}' is not a year from 1850 to 2100 (for units of several years, the first)"
                ),
            )),
        }
    }

    fn plant(&self, fuels: &Fuels) -> Result<Plant> {
        let big = Decimal::from(1_000_000_000_000i64);
        let id = self.required("id")?;
        let year = self.year("year")?.ok_or_else(|| {
            self.bad(
                "year",
                "year is empty; every plant row needs id, year, nfr and fuel".into(),
            )
        })?;
        let nfr = self.required("nfr")?;
        let row = crate::nfr::find(&nfr)
            .ok_or_else(|| self.bad("nfr", crate::nfr::unknown_code_message(&nfr)))?;
        let fuel_text = self.required("fuel")?;
        let fuel = ActivityFuel::read(&fuel_text, fuels)
            .filter(|f| f.id.is_some())
            .ok_or_else(|| {
                self.bad(
                    "fuel",
                    format!(
                        "'{fuel_text}' is not a fuel of airinv's fuel table{}",
                        fuels.did_you_mean(&fuel_text)
                    ),
                )
            })?;
        let plant_type = PlantType::parse(&self.text("plant_type")).ok_or_else(|| {
            self.bad(
                "plant_type",
                format!(
                    "'{}' is not a plant type: boiler or gas turbine (empty: boiler)",
                    self.text("plant_type")
                ),
            )
        })?;
        let thermal_input_mw = self.number(
            "thermal_input_mw",
            Decimal::ZERO,
            big,
            "a thermal input in MW",
        )?;
        let electric_mw = self.number(
            "electric_mw",
            Decimal::ZERO,
            big,
            "an electric capacity in MW",
        )?;
        let efficiency = self.number(
            "efficiency",
            Decimal::ZERO,
            Decimal::ONE,
            "an efficiency (a fraction above 0, at most 1)",
        )?;
        if efficiency.is_some_and(|e| e.is_zero()) {
            return Err(self.bad(
                "efficiency",
                "the efficiency is 0: a fraction above 0 (0.33 for 33 %)".into(),
            ));
        }
        if thermal_input_mw.is_none() && !(electric_mw.is_some() && efficiency.is_some()) {
            let (column, what) = if electric_mw.is_some() {
                (
                    "efficiency",
                    "electric_mw needs efficiency (net electric, a fraction such as 0.33) to give the thermal input",
                )
            } else {
                (
                    "thermal_input_mw",
                    "the plant has no size: give thermal_input_mw, or electric_mw with efficiency",
                )
            };
            return Err(self.bad(column, what.into()));
        }
        let hours = self.number(
            "hours",
            Decimal::ZERO,
            Decimal::from(8784),
            "operating hours in a year (0 to 8784)",
        )?;
        let fuel_use =
            match self.number("fuel_use", Decimal::ZERO, big, "a fuel use (0 or more)")? {
                None => None,
                Some(v) => {
                    let u = self.text("fuel_unit");
                    if u.is_empty() {
                        return Err(self.bad(
                            "fuel_unit",
                            "fuel_use needs its unit in fuel_unit (TJ, GJ, t, m3 ...)".into(),
                        ));
                    }
                    let unit = ActivityUnit::parse(&u).map_err(|e| self.bad("fuel_unit", e))?;
                    Some((v, unit))
                }
            };
        let o2_pct = self.number(
            "o2_pct",
            Decimal::ZERO,
            Decimal::from(20),
            "an O2 content in % (0 to 20)",
        )?;
        let mut concentrations = BTreeMap::new();
        let mut emissions_t = BTreeMap::new();
        for (i, c) in self.columns.iter().enumerate() {
            let text = self.row.cells.get(i).map(|s| s.trim()).unwrap_or("");
            if text.is_empty() {
                continue;
            }
            match c {
                Some(Column::Concentration(p)) => {
                    let v = number_in(text, Decimal::ZERO, big, "a concentration in mg/Nm3")
                        .map_err(|e| Error::input(self.location(i), e))?;
                    if o2_pct.is_none() {
                        return Err(Error::input(self.location(i), "a measured concentration needs the O2 content it is at: give o2_pct (the measured O2, or the reference O2 the value is given at)".to_string()));
                    }
                    concentrations.insert(*p, v);
                }
                Some(Column::Emission(p)) => {
                    let v = number_in(text, Decimal::ZERO, big, "an emission in tonnes")
                        .map_err(|e| Error::input(self.location(i), e))?;
                    emissions_t.insert(*p, v);
                }
                _ => {}
            }
        }
        let flue_gas_nm3 = self.number(
            "flue_gas_nm3",
            Decimal::ZERO,
            Decimal::from(1_000_000_000_000_000i64),
            "a flue-gas volume in Nm3",
        )?;
        if flue_gas_nm3.is_some() && o2_pct.is_none() {
            return Err(self.bad(
                "flue_gas_nm3",
                "a flue-gas volume needs the O2 content it is at: give o2_pct".into(),
            ));
        }
        Ok(Plant {
            at: self.table.at.clone().with_row(self.row.number),
            name: self.text("name"),
            id,
            year,
            row,
            fuel,
            technology: Some(self.text("technology")).filter(|t| !t.is_empty()),
            plant_type,
            thermal_input_mw,
            electric_mw,
            efficiency,
            commissioning_year: self.commissioning_year()?,
            latitude: self.number(
                "latitude",
                Decimal::from(-90),
                Decimal::from(90),
                "a latitude (-90 to 90)",
            )?,
            longitude: self.number(
                "longitude",
                Decimal::from(-180),
                Decimal::from(180),
                "a longitude (-180 to 180)",
            )?,
            stack_height_m: self.number(
                "stack_height_m",
                Decimal::ZERO,
                Decimal::from(1000),
                "a stack height in m (0 to 1000)",
            )?,
            hours,
            fuel_use,
            o2_pct,
            flue_gas_nm3,
            concentrations,
            emissions_t,
            desulphurisation_pct: self.number(
                "desulphurisation_pct",
                Decimal::ZERO,
                Decimal::ONE_HUNDRED,
                "a desulphurisation rate in % (0 to 100)",
            )?,
            source: self.text("source"),
        })
    }
}

/// A number from text, within [low, high], or why it is not one.
fn number_in(
    text: &str,
    low: Decimal,
    high: Decimal,
    what: &str,
) -> std::result::Result<Decimal, String> {
    let v = parse_decimal(text).map_err(|e| format!("'{text}' is not a number ({e}); {what}"))?;
    if v < low || v > high {
        return Err(format!("'{text}' is not {what}"));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(text: &str) -> crate::sheet::Sheet {
        crate::sheet::Sheet {
            at: Location::file("plants.csv"),
            lettered: false,
            rows: text
                .lines()
                .enumerate()
                .map(|(i, l)| crate::sheet::SheetRow {
                    number: i as u64 + 1,
                    cells: l.split(',').map(String::from).collect(),
                })
                .collect(),
        }
    }

    fn read_text(text: &str) -> Result<Vec<Plant>> {
        read_table(&sheet(text), Fuels::built_in())
    }

    #[test]
    fn a_register_row_is_read_exactly() {
        let p = &read_text(
            "id,name,year,nfr,fuel,electric_mw,efficiency,commissioning_year,hours,fuel_use,fuel_unit,o2_pct,SO2_mg_nm3,NOx_t\nP1,Plant one,2024,1.A.1.a,hard coal,330,0.33,1982,6000,1000.5,TJ,6,1200,15.5\n",
        )
        .unwrap()[0];
        assert_eq!(p.id, "P1");
        assert_eq!(p.row.code, "1A1a");
        assert_eq!(p.fuel.name.as_ref() as &str, "hard coal");
        // 330 MWe ÷ 0.33 = 1000 MWth.
        assert_eq!(p.thermal_input(), Decimal::from(1000));
        assert_eq!(p.concentrations[&Pollutant::SOx], Decimal::from(1200));
        assert_eq!(p.emissions_t[&Pollutant::NOx], "15.5".parse().unwrap());
        assert_eq!(p.fuel_use.as_ref().unwrap().0, "1000.5".parse().unwrap());
        assert_eq!(p.commissioning_year, Some(1982));
    }

    fn message(text: &str) -> String {
        read_text(text).unwrap_err().to_string()
    }

    #[test]
    fn bad_values_are_named_with_file_row_and_column() {
        const HEAD: &str = "id,year,nfr,fuel,thermal_input_mw,efficiency,o2_pct,SOx_mg_nm3";
        let m = message(&format!("{HEAD}\nP1,2024,1A9z,Hard coal,100,,,\n"));
        assert!(m.starts_with("plants.csv, row 2, column nfr:"), "{m}");
        let m = message(&format!("{HEAD}\nP1,2024,1A1a,Hard coal,-5,,,\n"));
        assert!(
            m.starts_with(
                "plants.csv, row 2, column thermal_input_mw: '-5' is not a thermal input"
            ),
            "{m}"
        );
        let m = message(&format!("{HEAD}\nP1,2024,1A1a,Hard coal,100,,,900\n"));
        assert!(
            m.starts_with(
                "plants.csv, row 2, column SOx_mg_nm3: a measured concentration needs the O2"
            ),
            "{m}"
        );
        let m = message(&format!("{HEAD}\nP1,2024,1A1a,coal dust,100,,,\n"));
        assert!(
            m.starts_with("plants.csv, row 2, column fuel: 'coal dust' is not a fuel"),
            "{m}"
        );
        let m = message(&format!("{HEAD}\nP1,2024,1A1a,Hard coal,,,,\n"));
        assert!(
            m.contains("row 2, column thermal_input_mw: the plant has no size"),
            "{m}"
        );
        let m = message(&format!("{HEAD}\nP1,2024,1A1a,Hard coal,100,,25,\n"));
        assert!(
            m.contains("row 2, column o2_pct: '25' is not an O2 content"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\nP1,2024,1A1a,Hard coal,100,,,\nP1,2024,1A1a,Hard coal,50,,,\n"
        ));
        assert!(
            m.starts_with("plants.csv, row 3, column id: plant P1 is listed twice for 2024"),
            "{m}"
        );
        let m = message("id,year,nfr,fuel,capacity\nP1,2024,1A1a,Hard coal,5\n");
        assert!(
            m.starts_with("plants.csv, row 1, column capacity: 'capacity' is not a column"),
            "{m}"
        );
        let m = message("id,year,fuel,thermal_input_mw\nP1,2024,Hard coal,5\n");
        assert!(m.contains("no column 'nfr'"), "{m}");
    }
}
