//! The inputs of the commands, opened one way ([`Source`]): an inventory
//! folder (its `inventory.toml` read once; compiled in memory when its
//! tables are asked for), one activity file (what `compile` also takes), an
//! output folder of `annex1_<YEAR>.csv` files, one such file, or a filled
//! Annex I workbook. What a path is, is decided here only.
//!
//! ```text
//! path ──► Source::open (tables) / Source::open_activity (compile)
//!            ├─ Inventory(inventory.toml) ─┐ tables(): compile::compute,
//!            ├─ ActivityFile ──────────────┘   history merged by year
//!            ├─ OutputFolder / AnnexCsv: every annex1_<YEAR>.csv read,
//!            │    unreadable cells kept aside (check reports them all)
//!            └─ Workbook: workbook::read, what was read around kept
//!                 (notes(); check makes findings of it)
//! ```

use crate::annex1::Annex1Year;
use crate::annex1::csv::{read_annex_csv_lenient, year_of_csv};
use crate::compile::{CompileOptions, Compiled};
use crate::error::{Error, Result};
use crate::inventory::Inventory;
use std::path::{Path, PathBuf};

pub use crate::annex1::csv::UnreadableCell;

/// The table of one year and where it comes from.
#[derive(Debug, Clone)]
pub struct YearTable {
    pub table: Annex1Year,
    /// Where the year comes from, in words (`compiled from activity data`,
    /// `out/annex1_2022.csv`, `BEW_2021.xlsx, sheet 2019`).
    pub origin: String,
    /// The file the values were read from, when they were read (for
    /// findings that point at a file).
    pub file: Option<PathBuf>,
}

/// An input of the commands, recognised from its path and read once.
#[derive(Debug)]
pub enum Source {
    /// An inventory folder: its `inventory.toml`, read.
    Inventory(Inventory),
    /// One activity file (CSV or workbook), compiled as an inventory of one
    /// file: what `compile` takes besides a folder.
    ActivityFile(Inventory),
    /// An output folder of `annex1_<YEAR>.csv` files, read.
    OutputFolder(AnnexCsvs),
    /// One `annex1_<YEAR>.csv`, read.
    AnnexCsv(AnnexCsvs),
    /// A filled Annex I workbook, read.
    Workbook(Box<crate::workbook::Workbook>),
}

/// The `annex1_<YEAR>.csv` files of a source, read: every year, and the
/// cells whose text is neither a number nor a notation key (read as empty).
#[derive(Debug, Clone)]
pub struct AnnexCsvs {
    pub path: PathBuf,
    pub years: Vec<YearTable>,
    pub unreadable: Vec<UnreadableCell>,
}

/// The tables of a source, and the compile of an inventory (its lineage,
/// for the analyses that need it).
pub struct Tables {
    /// Every year, in year order.
    pub years: Vec<YearTable>,
    pub compiled: Option<Compiled>,
}

/// The one answer to "is this an inventory folder?".
fn is_inventory_folder(path: &Path) -> bool {
    path.is_dir() && path.join("inventory.toml").exists()
}

impl Source {
    /// Opens a source of Annex I tables: an inventory folder, an output
    /// folder, an `annex1_<YEAR>.csv` or an Annex I workbook.
    pub fn open(path: &Path) -> Result<Source> {
        if is_inventory_folder(path) {
            return Ok(Source::Inventory(Inventory::load(path)?));
        }
        if path.is_dir() {
            return Ok(Source::OutputFolder(read_annex_csvs(path)?));
        }
        if !path.exists() {
            return Err(Error::file(path, "does not exist"));
        }
        if crate::sheet::is_workbook(path) {
            return Ok(Source::Workbook(Box::new(crate::workbook::read(path)?)));
        }
        Ok(Source::AnnexCsv(read_annex_csvs(path)?))
    }

    /// Opens what `compile` reads: an inventory folder or one activity file.
    pub fn open_activity(path: &Path) -> Result<Source> {
        if is_inventory_folder(path) {
            Ok(Source::Inventory(Inventory::load(path)?))
        } else if path.is_dir() {
            Err(Error::file(
                path,
                "is a folder without inventory.toml: give an inventory folder (see inventories/example) or one activity file",
            ))
        } else if path.exists() {
            Ok(Source::ActivityFile(Inventory::single_file(path)))
        } else {
            Err(Error::file(path, "does not exist"))
        }
    }

    /// The path the source was opened from.
    pub fn path(&self) -> &Path {
        match self {
            Source::Inventory(inv) => &inv.dir,
            Source::ActivityFile(inv) => &inv.activity[0].path,
            Source::OutputFolder(c) | Source::AnnexCsv(c) => &c.path,
            Source::Workbook(book) => &book.path,
        }
    }

    /// The inventory of an inventory folder or an activity file.
    pub fn inventory(&self) -> Option<&Inventory> {
        match self {
            Source::Inventory(inv) | Source::ActivityFile(inv) => Some(inv),
            _ => None,
        }
    }

    /// What reading a workbook had to go around, one line each: values
    /// outside the table or in rows that are not template rows, cells that
    /// could not be read (read as empty), missing rows or columns. A
    /// comparison must not run on part of a submission unawares. Other
    /// sources have none.
    pub fn notes(&self) -> Vec<String> {
        let Source::Workbook(book) = self else {
            return Vec::new();
        };
        let mut notes: Vec<String> = Vec::new();
        for s in &book.skipped {
            notes.push(format!("{}: {}", s.at, s.reason));
        }
        for u in &book.unreadable {
            notes.push(format!("{}: {}", u.at, u.problem));
        }
        for i in &book.issues {
            notes.push(format!("{}: {}", i.at, i.message));
        }
        notes
    }

    /// The tables of every year, in year order. An inventory is compiled in
    /// memory (each time this is called), its past submissions (`history`)
    /// filling the years it does not compile; a cell of an `annex1_<YEAR>.csv`
    /// that is neither a number nor a key is an error (`check` reads them
    /// through [`crate::check::Submission`] instead, reporting them all).
    pub fn tables(&self) -> Result<Tables> {
        match self {
            Source::Inventory(inv) | Source::ActivityFile(inv) => inventory_tables(inv),
            Source::OutputFolder(c) | Source::AnnexCsv(c) => match c.unreadable.first() {
                Some(u) => Err(Error::input(u.at.clone(), u.problem.clone())),
                None => Ok(Tables {
                    years: c.years.clone(),
                    compiled: None,
                }),
            },
            Source::Workbook(book) => Ok(Tables {
                years: workbook_years(book),
                compiled: None,
            }),
        }
    }
}

/// The error for a year a source does not have, naming the years it has.
pub fn missing_year(path: &Path, year: i32, years: impl IntoIterator<Item = i32>) -> Error {
    let have: Vec<String> = years.into_iter().map(|y| y.to_string()).collect();
    Error::file(
        path,
        format!(
            "has no year {year}; its years are {}",
            if have.is_empty() {
                "none".to_string()
            } else {
                have.join(", ")
            }
        ),
    )
}

/// The year sheets of an Annex I workbook, as the file has them (totals
/// included), in year order.
pub fn workbook_years(book: &crate::workbook::Workbook) -> Vec<YearTable> {
    let mut years: Vec<YearTable> = book
        .years
        .iter()
        .map(|y| YearTable {
            origin: format!("{}, sheet {}", book.path.display(), y.sheet),
            table: y.table.clone(),
            file: Some(book.path.clone()),
        })
        .collect();
    years.sort_by_key(|y| y.table.header.year);
    years
}

/// An inventory's time series: the years of its past submissions
/// (`history`), replaced by the years compiled from activity data where both
/// have a year.
fn inventory_tables(inv: &Inventory) -> Result<Tables> {
    let mut by_year: std::collections::BTreeMap<i32, YearTable> = std::collections::BTreeMap::new();
    for past in &inv.history {
        let past = Source::open(past)?;
        if let Source::Inventory(_) = past {
            return Err(Error::file(
                past.path(),
                "history names past submissions (workbooks or output folders), not inventory folders",
            ));
        }
        for mut t in past.tables()?.years {
            t.origin = format!("imported from {}", t.origin);
            by_year.insert(t.table.header.year, t);
        }
    }
    let mut kept = None;
    if !inv.activity.is_empty() {
        let compiled = crate::compile::compute(inv, &CompileOptions::default())?;
        if let Some(first) = compiled.report.rejected.first() {
            return Err(Error::Rejected {
                count: compiled.report.rejected.len(),
                first: first.to_string(),
            });
        }
        let dir = inv.dir.display();
        for table in compiled.tables.iter().cloned() {
            let year = table.header.year;
            let replaced = by_year.contains_key(&year);
            by_year.insert(
                year,
                YearTable {
                    table,
                    origin: if replaced {
                        format!(
                            "compiled from the activity data of {dir} (replaces the imported year)"
                        )
                    } else {
                        format!("compiled from the activity data of {dir}")
                    },
                    file: None,
                },
            );
        }
        kept = Some(compiled);
    }
    Ok(Tables {
        years: by_year.into_values().collect(),
        compiled: kept,
    })
}

/// Reads an output folder of `annex1_<YEAR>.csv` files or one such file,
/// keeping unreadable cells aside (see [`read_annex_csv_lenient`]).
fn read_annex_csvs(path: &Path) -> Result<AnnexCsvs> {
    let folder = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    // A run writing into it now is an error; a stopped one is completed.
    let _hold = crate::output::settle(folder)?;
    let files: Vec<(i32, PathBuf)> = if path.is_dir() {
        let mut files: Vec<(i32, PathBuf)> = std::fs::read_dir(path)
            .map_err(|e| Error::io(path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter_map(|p| year_of_csv(&p).map(|y| (y, p)))
            .collect();
        if files.is_empty() {
            return Err(Error::file(
                path,
                "has no inventory.toml and no annex1_<YEAR>.csv files: it is neither an inventory folder nor an output folder",
            ));
        }
        files.sort();
        files
    } else {
        let year = year_of_csv(path).ok_or_else(|| {
            Error::file(
                path,
                "is not an annex1_<YEAR>.csv file, an output folder, an inventory folder or a workbook",
            )
        })?;
        vec![(year, path.to_path_buf())]
    };
    let mut years = Vec::new();
    let mut unreadable = Vec::new();
    for (year, p) in files {
        let (table, bad) = read_annex_csv_lenient(&p, year)?;
        unreadable.extend(bad);
        years.push(YearTable {
            table,
            origin: p.display().to_string(),
            file: Some(p),
        });
    }
    Ok(AnnexCsvs {
        path: path.to_path_buf(),
        years,
        unreadable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annex1::Header;
    use crate::notation_key::Cell;
    use crate::pollutant::Pollutant;

    /// What a path is, is decided from it once: an inventory folder, an
    /// output folder, an `annex1_<YEAR>.csv`, an activity file for
    /// `compile`, or an error naming the path and what is accepted.
    #[test]
    fn sources_are_recognised_from_their_path() {
        let d = tempfile::tempdir().unwrap();
        let p = |name: &str| d.path().join(name);
        std::fs::create_dir_all(p("inv")).unwrap();
        std::fs::write(
            p("inv/inventory.toml"),
            "country = \"BE\"\nyears = [2022]\nactivity = [\"a.csv\"]\n",
        )
        .unwrap();
        let inv = Source::open(&p("inv")).unwrap();
        assert!(matches!(inv, Source::Inventory(_)));
        assert_eq!(inv.inventory().unwrap().country.as_deref(), Some("BE"));
        assert_eq!(inv.path(), p("inv"));
        assert!(matches!(
            Source::open_activity(&p("inv")).unwrap(),
            Source::Inventory(_)
        ));
        // An output folder: its annex1_<YEAR>.csv files, read.
        std::fs::create_dir_all(p("out")).unwrap();
        let mut table = Annex1Year::empty(Header {
            year: 2022,
            ..Header::default()
        });
        table.row_mut("1A1a").unwrap().set(
            Pollutant::NOx,
            Cell::Number(rust_decimal::Decimal::new(89, 2)),
        );
        let mut bytes = Vec::new();
        crate::annex1::write_csv(&mut bytes, &table).unwrap();
        std::fs::write(p("out/annex1_2022.csv"), &bytes).unwrap();
        let out = Source::open(&p("out")).unwrap();
        assert!(matches!(out, Source::OutputFolder(_)));
        let years = out.tables().unwrap().years;
        assert_eq!(years.len(), 1);
        assert_eq!(
            years[0].table.row("1A1a").unwrap().get(Pollutant::NOx),
            Cell::Number(rust_decimal::Decimal::new(89, 2))
        );
        assert!(out.notes().is_empty());
        assert!(matches!(
            Source::open(&p("out/annex1_2022.csv")).unwrap(),
            Source::AnnexCsv(_)
        ));
        // A plain CSV is an activity file for compile, nothing for the others.
        std::fs::write(p("a.csv"), "year,nfr,fuel,value,unit\n").unwrap();
        assert!(matches!(
            Source::open_activity(&p("a.csv")).unwrap(),
            Source::ActivityFile(_)
        ));
        let e = Source::open(&p("a.csv")).unwrap_err().to_string();
        assert!(e.contains("is not an annex1_<YEAR>.csv file, an output folder, an inventory folder or a workbook"), "{e}");
        // A folder with neither, and nothing at all.
        std::fs::create_dir_all(p("empty")).unwrap();
        let e = Source::open(&p("empty")).unwrap_err().to_string();
        assert!(
            e.contains("has no inventory.toml and no annex1_<YEAR>.csv files"),
            "{e}"
        );
        let e = Source::open_activity(&p("empty")).unwrap_err().to_string();
        assert!(e.contains("is a folder without inventory.toml"), "{e}");
        let e = Source::open(&p("nothing")).unwrap_err().to_string();
        assert!(e.ends_with("nothing: does not exist"), "{e}");
    }
}
