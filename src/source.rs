//! Sources of Annex I tables for the commands that read inventories
//! (`compare`, `check`): an inventory folder (compiled in memory), an
//! output folder of `annex1_<YEAR>.csv` files, one such file, or an Annex I
//! workbook.

use crate::annex1::Annex1Year;
use crate::annex1::csv::{read_annex_csv, read_annex_csv_lenient, year_of_csv};
use crate::compile::Compiled;
use crate::error::{Error, Result};
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

/// Loads every year of a source, in year order.
pub fn load(path: &Path) -> Result<Vec<YearTable>> {
    load_compiled(path).map(|(years, _)| years)
}

/// [`load`], keeping the compile of an inventory folder (its lineage, for
/// the analyses that need it), so that a command compiles it once. Other
/// sources, and an inventory folder of past submissions only, have none.
pub fn load_compiled(path: &Path) -> Result<(Vec<YearTable>, Option<Compiled>)> {
    if path.is_dir() {
        if path.join("inventory.toml").exists() {
            return load_inventory(path);
        }
        return load_output_folder(path).map(|years| (years, None));
    }
    load_file(path).map(|years| (years, None))
}

/// A workbook or an `annex1_<YEAR>.csv` file.
fn load_file(path: &Path) -> Result<Vec<YearTable>> {
    if !path.exists() {
        return Err(Error::file(path, "does not exist"));
    }
    if crate::sheet::is_workbook(path) {
        return load_workbook(path).map(|(years, _)| years);
    }
    let year = year_of_csv(path).ok_or_else(|| {
        Error::file(
            path,
            "is not an annex1_<YEAR>.csv file, an output folder, an inventory folder or a workbook",
        )
    })?;
    let _hold = crate::output::settle(path.parent().unwrap_or(Path::new(".")))?;
    Ok(vec![YearTable {
        table: read_annex_csv(path, year)?,
        origin: path.display().to_string(),
        file: Some(path.to_path_buf()),
    }])
}

/// Loads every year of a source, in year order, with what reading a
/// workbook had to go around, one line each: values outside the table or in
/// rows that are not template rows, cells that could not be read (read as
/// empty), missing rows or columns. Other sources have none.
pub fn load_with_notes(path: &Path) -> Result<(Vec<YearTable>, Vec<String>)> {
    if path.is_file() && crate::sheet::is_workbook(path) {
        return load_workbook(path);
    }
    Ok((load(path)?, Vec::new()))
}

/// The year sheets of an Annex I workbook, as the file has them (totals
/// included), and what was read around (see [`load_with_notes`]): a
/// comparison must not run on part of a submission unawares, so every
/// value not read is said.
fn load_workbook(path: &Path) -> Result<(Vec<YearTable>, Vec<String>)> {
    let book = crate::workbook::read(path)?;
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
    let mut years: Vec<YearTable> = book
        .years
        .into_iter()
        .map(|y| YearTable {
            origin: format!("{}, sheet {}", path.display(), y.sheet),
            table: y.table,
            file: Some(path.to_path_buf()),
        })
        .collect();
    years.sort_by_key(|y| y.table.header.year);
    Ok((years, notes))
}

/// An inventory's time series: the years of its past submissions
/// (`history`), replaced by the years compiled from activity data where both
/// have a year.
fn load_inventory(dir: &Path) -> Result<(Vec<YearTable>, Option<Compiled>)> {
    let inv = crate::inventory::Inventory::load(dir)?;
    let mut by_year: std::collections::BTreeMap<i32, YearTable> = std::collections::BTreeMap::new();
    for past in &inv.history {
        if past.join("inventory.toml").exists() {
            return Err(Error::file(
                past,
                "history names past submissions (workbooks or output folders), not inventory folders",
            ));
        }
        for mut t in load(past)? {
            t.origin = format!("imported from {}", t.origin);
            by_year.insert(t.table.header.year, t);
        }
    }
    let mut kept = None;
    if !inv.activity.is_empty() {
        let compiled = crate::compile::compute(&crate::compile::CompileOptions {
            source: dir.to_path_buf(),
            ..Default::default()
        })?;
        if let Some(first) = compiled.report.rejected.first() {
            return Err(Error::Rejected {
                count: compiled.report.rejected.len(),
                first: first.to_string(),
            });
        }
        for table in compiled.tables.iter().cloned() {
            let year = table.header.year;
            let replaced = by_year.contains_key(&year);
            by_year.insert(
                year,
                YearTable {
                    table,
                    origin: if replaced {
                        format!(
                            "compiled from the activity data of {} (replaces the imported year)",
                            dir.display()
                        )
                    } else {
                        format!("compiled from the activity data of {}", dir.display())
                    },
                    file: None,
                },
            );
        }
        kept = Some(compiled);
    }
    Ok((by_year.into_values().collect(), kept))
}

fn load_output_folder(dir: &Path) -> Result<Vec<YearTable>> {
    // A run writing into it now is an error; a stopped one is completed.
    let _hold = crate::output::settle(dir)?;
    let mut files: Vec<(i32, PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| year_of_csv(&p).map(|y| (y, p)))
        .collect();
    if files.is_empty() {
        return Err(Error::file(
            dir,
            "has no inventory.toml and no annex1_<YEAR>.csv files: it is neither an inventory folder nor an output folder",
        ));
    }
    files.sort();
    files
        .into_iter()
        .map(|(year, p)| {
            Ok(YearTable {
                table: read_annex_csv(&p, year)?,
                origin: p.display().to_string(),
                file: Some(p),
            })
        })
        .collect()
}

/// Loads an output folder of `annex1_<YEAR>.csv` files or one such file,
/// keeping unreadable cells aside (see [`read_annex_csv_lenient`]).
pub fn load_annex_csvs_lenient(path: &Path) -> Result<(Vec<YearTable>, Vec<UnreadableCell>)> {
    let folder = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
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
    } else if !path.exists() {
        return Err(Error::file(path, "does not exist"));
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
    Ok((years, unreadable))
}
