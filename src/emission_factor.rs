//! Emission factors: the normalised factor file, the user's own factor
//! files, and the database the calculation matches against.
//!
//! The default database is `emission-factors/emep-eea-2023.csv`, made by
//! `airinv factors import` from the EEA's export of the EMEP/EEA Guidebook
//! 2023 emission factors, and embedded in the binary. Its columns:
//!
//! `id,annex1_codes,guidebook_code,table,tier,kind,technology,fuel,abatement,region,pollutant,value,unit,unit_understood,ci_lower,ci_upper,reference,note`
//!
//! A user's factor file (country-specific or Tier 2/3 factors) has the
//! columns `nfr,fuel,technology,pollutant,value,unit` and optionally
//! `table,abatement,region,tier,ci_lower,ci_upper,reference,id`; its factors
//! take precedence over the Guidebook's for the activities they fit.

use crate::error::{Error, Location, Result};
use crate::number::{format_decimal, parse_decimal};
use crate::pins::{Name, Pins, Tier, text};
use crate::pollutant::Pollutant;
use crate::unit::{FactorUnit, parse_factor_unit};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::Path;

/// What a factor row gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactorKind {
    /// Mass of pollutant per unit of activity (or a share of another pollutant).
    EmissionFactor,
    /// Fraction of the emission removed by an abatement technique.
    AbatementEfficiency,
}

impl FactorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FactorKind::EmissionFactor => "emission factor",
            FactorKind::AbatementEfficiency => "abatement efficiency",
        }
    }

    pub fn parse(text: &str) -> Option<FactorKind> {
        match text.trim() {
            "emission factor" => Some(FactorKind::EmissionFactor),
            "abatement efficiency" => Some(FactorKind::AbatementEfficiency),
            _ => None,
        }
    }
}

/// Where a factor comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The embedded or a given normalised Guidebook database.
    Guidebook,
    /// A user's factor file, with the row of the factor.
    User(Location),
}

/// One emission factor.
#[derive(Debug, Clone)]
pub struct Factor {
    pub id: String,
    /// The Annex I rows the factor applies to (most have one; `2.D.3.i, 2.G`
    /// has two).
    pub annex1_codes: Vec<String>,
    /// The code as the source writes it (`1.A.1.a`).
    pub source_code: String,
    pub kind: FactorKind,
    /// The fuel the factor is for, as its source names it; `None`: any fuel
    /// (a fuel-generic factor).
    pub fuel: Option<Name>,
    /// Technology, table, abatement, region: `None` where the factor names
    /// none. The tier: `1`, `2` (Guidebook tiers; none for the rows of the
    /// export that give no tier), or what the user wrote (`3`, `CS` when
    /// nothing).
    pub pins: Pins,
    pub pollutant: Pollutant,
    pub value: Decimal,
    /// The unit as written in the source.
    pub unit_text: String,
    pub unit: FactorUnit,
    pub ci_lower: Option<Decimal>,
    pub ci_upper: Option<Decimal>,
    pub reference: String,
    pub note: String,
    pub origin: Origin,
    /// The years a user factor applies to (empty: every year).
    pub years: Vec<i32>,
}

impl Factor {
    /// A short description for messages: `GB23-… (1.A.1.a Table_3-4, Natural gas, NOx 89 g/GJ)`.
    pub fn describe(&self) -> String {
        let mut what = vec![self.source_code.clone()];
        let p = &self.pins;
        for s in [&p.table, &p.technology, &self.fuel, &p.abatement, &p.region]
            .into_iter()
            .flatten()
        {
            what.push(s.to_string());
        }
        format!(
            "{} ({}: {} {} {})",
            self.id,
            what.join(", "),
            self.pollutant,
            format_decimal(self.value),
            self.unit_text
        )
    }
}

/// The header of the normalised factor file.
pub const NORMALISED_COLUMNS: [&str; 18] = [
    "id",
    "annex1_codes",
    "guidebook_code",
    "table",
    "tier",
    "kind",
    "technology",
    "fuel",
    "abatement",
    "region",
    "pollutant",
    "value",
    "unit",
    "unit_understood",
    "ci_lower",
    "ci_upper",
    "reference",
    "note",
];

/// The comment lines at the top of the normalised file naming its source.
pub const NORMALISED_PREAMBLE: &str = "\
# Emission factors of the EMEP/EEA air pollutant emission inventory guidebook 2023, normalised by airinv.
# Source: EEA, EMEP/EEA air pollutant emission inventory guidebook 2023, emission factor database export
# (EMEP_20260207.csv). Reproduced with acknowledgement of the source, as the Guidebook's notice allows.
# Made with `airinv factors import`; one row per factor. unit is as the export writes it, unit_understood
# is how airinv reads it (mass per activity, % of another pollutant, or a fraction); annex1_codes lists
# the Annex I (NFR 2019-1) rows the factor applies to.
";

/// The default database, embedded.
pub const EMBEDDED_NAME: &str = "emission-factors/emep-eea-2023.csv";
pub(crate) const EMBEDDED: &str = include_str!("../emission-factors/emep-eea-2023.csv");

/// Reads the normalised factor file embedded in the binary.
pub fn embedded() -> Result<Vec<Factor>> {
    read_normalised(EMBEDDED.as_bytes(), Path::new(EMBEDDED_NAME))
}

/// Reads a normalised factor file from disk.
pub fn read_normalised_file(path: &Path) -> Result<Vec<Factor>> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    read_normalised(&bytes, path)
}

fn read_normalised(bytes: &[u8], name: &Path) -> Result<Vec<Factor>> {
    let mut reader = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| Error::file(name, format!("cannot read the header: {e}")))?
        .clone();
    if headers.iter().collect::<Vec<_>>() != NORMALISED_COLUMNS {
        return Err(Error::file(
            name,
            format!(
                "is not a normalised factor file: the columns must be {}",
                NORMALISED_COLUMNS.join(",")
            ),
        ));
    }
    let mut factors = Vec::new();
    // Units by their text: the database writes a few dozen, each parsed once.
    let mut units: HashMap<String, FactorUnit> = HashMap::new();
    for record in reader.records() {
        let r = record.map_err(|e| match e.position() {
            Some(p) => Error::input(
                Location::file(name).with_row(p.line()),
                format!("cannot be read: {e}"),
            ),
            None => Error::file(name, format!("cannot be read: {e}")),
        })?;
        let line = r.position().map(|p| p.line()).unwrap_or(0);
        let at = |col: &str| {
            Location::file(name)
                .with_row(line)
                .with_column(col.to_string())
        };
        let pollutant = Pollutant::parse(&r[10]).ok_or_else(|| {
            Error::input(
                at("pollutant"),
                format!("'{}' is not a pollutant id", &r[10]),
            )
        })?;
        let value = parse_decimal(&r[11]).map_err(|e| Error::input(at("value"), e.to_string()))?;
        let unit = match units.get(&r[13]) {
            Some(u) => u.clone(),
            None => {
                let u = parse_factor_unit(&r[13])
                    .map_err(|e| Error::input(at("unit_understood"), e))?;
                units.insert(r[13].to_string(), u.clone());
                u
            }
        };
        let kind = FactorKind::parse(&r[5])
            .ok_or_else(|| Error::input(at("kind"), format!("'{}' is not a factor kind", &r[5])))?;
        factors.push(Factor {
            id: r[0].to_string(),
            annex1_codes: r[1].split_whitespace().map(String::from).collect(),
            source_code: r[2].to_string(),
            kind,
            fuel: crate::fuel::name(&r[7]),
            pins: Pins::parse([&r[6], &r[3], &r[8], &r[9], &r[4]]),
            pollutant,
            value,
            unit_text: r[12].to_string(),
            unit,
            ci_lower: optional_decimal(&r[14]),
            ci_upper: optional_decimal(&r[15]),
            reference: r[16].to_string(),
            note: r[17].to_string(),
            origin: Origin::Guidebook,
            years: Vec::new(),
        });
    }
    Ok(factors)
}

fn optional_decimal(text: &str) -> Option<Decimal> {
    parse_decimal(text).ok()
}

/// Writes factors as a normalised factor file.
pub fn write_normalised<W: std::io::Write>(mut out: W, factors: &[Factor]) -> std::io::Result<()> {
    out.write_all(NORMALISED_PREAMBLE.as_bytes())?;
    let mut w = crate::output::csv_writer(out);
    w.write_record(NORMALISED_COLUMNS)?;
    let opt = |d: Option<Decimal>| d.map(format_decimal).unwrap_or_default();
    for f in factors {
        let [technology, table, abatement, region, tier] = f.pins.texts();
        w.write_record([
            f.id.as_str(),
            &f.annex1_codes.join(" "),
            &f.source_code,
            table,
            tier,
            f.kind.as_str(),
            technology,
            text(&f.fuel),
            abatement,
            region,
            f.pollutant.id(),
            &format_decimal(f.value),
            &f.unit_text,
            &f.unit.canonical(),
            &opt(f.ci_lower),
            &opt(f.ci_upper),
            &f.reference,
            &f.note,
        ])?;
    }
    w.flush()
}

/// The columns of a user's factor file.
pub const USER_COLUMNS: &str = "nfr,fuel,technology,pollutant,value,unit (required); year,table,abatement,region,tier,ci_lower,ci_upper,reference,id (optional)";

/// Reads a user's factor file (CSV or a workbook's first sheet).
///
/// Every row must be usable: a factor that cannot be read stops the run
/// with its location, since a country-specific factor left out silently
/// would let the Guidebook default stand in for it.
pub fn read_user_file(path: &Path) -> Result<Vec<Factor>> {
    read_user_file_with(path, &crate::sheet::CsvOptions::default())
}

/// Reads a user's factor file, with CSV settings forced where given.
pub fn read_user_file_with(path: &Path, csv: &crate::sheet::CsvOptions) -> Result<Vec<Factor>> {
    let sheet = crate::sheet::read_with(path, None, csv)?;
    let mut rows = sheet
        .rows
        .iter()
        .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()));
    let Some(header) = rows.next() else {
        return Err(Error::file(
            path,
            format!("the factor file is empty; its columns are {USER_COLUMNS}"),
        ));
    };
    let names: Vec<String> = header
        .cells
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| names.iter().position(|n| n == name);
    let required = ["nfr", "fuel", "technology", "pollutant", "value", "unit"];
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|n| col(n).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(Error::input(
            sheet.at.clone().with_row(header.number),
            format!(
                "the factor file lacks the column(s) {}; its columns are {USER_COLUMNS}",
                missing.join(", ")
            ),
        ));
    }
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("user");
    let mut factors = Vec::new();
    for row in rows {
        let get = |name: &str| -> String {
            col(name)
                .and_then(|i| row.cells.get(i))
                .map(|s| s.trim().to_string())
                .unwrap_or_default()
        };
        let at = |name: &str| sheet.cell_location(row.number, col(name).unwrap_or(0), Some(name));
        let code = get("nfr");
        let annex = crate::nfr::find(&code)
            .ok_or_else(|| Error::input(at("nfr"), crate::nfr::unknown_code_message(&code)))?;
        let pollutant_text = get("pollutant");
        let pollutant = Pollutant::parse(&pollutant_text).ok_or_else(|| {
            Error::input(
                at("pollutant"),
                format!(
                    "'{pollutant_text}' is not an Annex I pollutant; the ids are {}",
                    Pollutant::id_list()
                ),
            )
        })?;
        let value =
            parse_decimal(&get("value")).map_err(|e| Error::input(at("value"), e.to_string()))?;
        if value < Decimal::ZERO {
            return Err(Error::input(
                at("value"),
                format!(
                    "the factor {} is negative; an emission factor is zero or more (a reduction goes in abatement_efficiency, an approved adjustment in inventory.toml)",
                    crate::number::format_decimal(value)
                ),
            ));
        }
        let unit_text = get("unit");
        let unit = parse_factor_unit(&unit_text).map_err(|e| {
            Error::input(
                at("unit"),
                format!("the unit '{unit_text}' cannot be used: {e}"),
            )
        })?;
        if let FactorUnit::Efficiency = unit {
            return Err(Error::input(
                at("unit"),
                "a factor file gives emission factors; give an abatement efficiency in the activity file's abatement_efficiency column",
            ));
        }
        let optional = |name: &str| -> Result<Option<Decimal>> {
            let t = get(name);
            if t.is_empty() {
                Ok(None)
            } else {
                parse_decimal(&t)
                    .map(Some)
                    .map_err(|e| Error::input(at(name), e.to_string()))
            }
        };
        let years = match get("year") {
            y if y.is_empty() => Vec::new(),
            y => y
                .split([' ', ';', ','])
                .filter(|t| !t.is_empty())
                .map(|t| crate::activity::parse_year(t).map_err(|e| Error::input(at("year"), e)))
                .collect::<Result<Vec<i32>>>()?,
        };
        let id = match get("id") {
            id if !id.is_empty() => id,
            _ => format!("{stem}:{}", row.number),
        };
        factors.push(Factor {
            id,
            annex1_codes: vec![annex.code.clone()],
            source_code: code,
            kind: FactorKind::EmissionFactor,
            fuel: crate::fuel::name(&get("fuel")),
            pins: Pins {
                tier: Tier::parse(&get("tier")).or(Some(Tier::CountrySpecific)),
                ..Pins::parse([
                    &get("technology"),
                    &get("table"),
                    &get("abatement"),
                    &get("region"),
                    "",
                ])
            },
            pollutant,
            value,
            unit_text,
            unit,
            ci_lower: optional("ci_lower")?,
            ci_upper: optional("ci_upper")?,
            reference: get("reference"),
            note: String::new(),
            origin: Origin::User(sheet.at.clone().with_row(row.number)),
            years,
        });
    }
    Ok(factors)
}

#[cfg(test)]
mod tests {
    //! The embedded database against Guidebook 2023 Tier 1 factors written
    //! by hand from its tables (value and unit as published), and the
    //! normalised file's reading of what it does not accept.
    use super::*;
    use crate::unit::{Dimension, Period};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    /// (guidebook code, table, fuel, pollutant, value, unit as published,
    /// grams of pollutant per GJ or per tonne): Guidebook 2023, chapters
    /// 1.A.1 (Table 3-2, hard coal; Table 3-4, natural gas), 1.A.4
    /// (Table 3-6, biomass), 2.A.1 (Table 3-1, cement, per tonne of clinker).
    const HAND: [(&str, &str, &str, Pollutant, &str, &str, &str); 9] = [
        (
            "1.A.1.a",
            "Table_3-2",
            "Hard Coal",
            Pollutant::NOx,
            "209",
            "g/GJ",
            "209",
        ),
        (
            "1.A.1.a",
            "Table_3-2",
            "Hard Coal",
            Pollutant::SOx,
            "820",
            "g/GJ",
            "820",
        ),
        (
            "1.A.1.a",
            "Table_3-2",
            "Hard Coal",
            Pollutant::PM25,
            "3.4",
            "g/GJ",
            "3.4",
        ),
        (
            "1.A.1.a",
            "Table_3-2",
            "Hard Coal",
            Pollutant::Hg,
            "1.4",
            "mg/GJ",
            "0.0014",
        ),
        (
            "1.A.1.a",
            "Table_3-4",
            "Natural gas",
            Pollutant::NOx,
            "89",
            "g/GJ",
            "89",
        ),
        (
            "1.A.4.b.i",
            "Table_3-6",
            "Biomass",
            Pollutant::PM25,
            "740",
            "g/GJ",
            "740",
        ),
        (
            "1.A.4.b.i",
            "Table_3-6",
            "Biomass",
            Pollutant::BaP,
            "121",
            "mg/GJ",
            "0.121",
        ),
        (
            "2.A.1",
            "Table_3-1",
            "",
            Pollutant::PM10,
            "234",
            "g/Mg clinker",
            "234",
        ),
        (
            "2.A.1",
            "Table_3-1",
            "",
            Pollutant::TSP,
            "260",
            "g/Mg clinker",
            "260",
        ),
    ];

    #[test]
    fn embedded_tier1_factors_are_the_guidebook_s() {
        let all = embedded().unwrap();
        assert!(all.len() > 10_000, "{}", all.len());
        for (code, table, fuel, pollutant, value, unit, grams) in HAND {
            let found: Vec<&Factor> = all
                .iter()
                .filter(|f| {
                    f.source_code == code
                        && f.pins.table.as_ref().map(|t| t.as_str()) == Some(table)
                        && f.fuel.as_ref().map_or("", |n| n.as_str()) == fuel
                        && f.pollutant == pollutant
                        && f.pins.region.is_none()
                        && f.pins.abatement.is_none()
                })
                .collect();
            assert_eq!(
                found.len(),
                1,
                "{code} {table} {fuel} {pollutant}: {found:#?}"
            );
            let f = found[0];
            assert_eq!(
                (f.value, f.unit_text.as_str()),
                (d(value), unit),
                "{code} {pollutant}"
            );
            assert_eq!(f.kind, FactorKind::EmissionFactor);
            // The unit as understood: grams per GJ (10^9 J) or per tonne (10^6 g).
            let FactorUnit::Rate {
                grams: g,
                per,
                period,
                ..
            } = &f.unit
            else {
                panic!("{unit}");
            };
            let per_unit = match per.dimension {
                Dimension::Energy => d("1000000000"),
                Dimension::Mass => d("1000000"),
                other => panic!("{other:?}"),
            };
            assert_eq!(
                f.value * *g / per.scale * per_unit,
                d(grams),
                "{code} {pollutant}"
            );
            assert_eq!(*period, Period::Year);
        }
    }

    const HEADER: &str = "id,annex1_codes,guidebook_code,table,tier,kind,technology,fuel,abatement,region,pollutant,value,unit,unit_understood,ci_lower,ci_upper,reference,note\n";

    #[test]
    fn a_normalised_file_is_read_as_written_and_its_errors_are_placed() {
        let text = format!(
            "# a comment\n{HEADER}X-1,1A2f 1A2a,1.A.2.a,Table_3-3,1,emission factor,,Hard Coal,,EU Region,NOx,173,g/GJ,g/GJ,150,200,Ref,\n"
        );
        let f = &read_normalised(text.as_bytes(), Path::new("f.csv")).unwrap()[0];
        assert_eq!(f.annex1_codes, ["1A2f", "1A2a"]);
        assert_eq!((f.pollutant, f.value), (Pollutant::NOx, d("173")));
        assert_eq!((f.ci_lower, f.ci_upper), (Some(d("150")), Some(d("200"))));
        assert_eq!(
            f.pins.region.as_ref().map(|r| r.as_str()),
            Some("EU Region")
        );
        assert!(f.pins.technology.is_none());
        let e = read_normalised(
            format!("{HEADER}X-1,1A1a,1.A.1.a,T,1,emission factor,,Coal,,,NOx,1O,g/GJ,g/GJ,,,R,\n")
                .as_bytes(),
            Path::new("f.csv"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("f.csv") && e.contains("row 2") && e.contains("value") && e.contains("'1O'"),
            "{e}"
        );
        let e = read_normalised(
            format!("{HEADER}X-1,1A1a,1.A.1.a,T,1,emission factor,,Coal,,,CO2,1,g/GJ,g/GJ,,,R,\n")
                .as_bytes(),
            Path::new("f.csv"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("pollutant") && e.contains("'CO2' is not a pollutant id"),
            "{e}"
        );
        let e = read_normalised(b"id,value\n", Path::new("f.csv"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("is not a normalised factor file"), "{e}");
    }
}
