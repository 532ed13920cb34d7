//! The output folder itself: is it a compile's (detail.csv, run.json), and
//! what its run.json records that explains cells (adjustments, rejected
//! rows, warnings).

use crate::error::{Error, Result};
use std::path::Path;

/// What run.json records that explains cells.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct RunRecord {
    pub(super) command: Option<String>,
    pub(super) inventory: Option<String>,
    #[serde(default)]
    pub(super) adjustments: Vec<RunAdjustment>,
    #[serde(default)]
    pub(super) rejected: Vec<serde_json::Value>,
    #[serde(default)]
    pub(super) warnings: Vec<String>,
}

#[derive(Debug, serde::Deserialize)]
pub(super) struct RunAdjustment {
    pub(super) year: i32,
    pub(super) pollutant: String,
    pub(super) value: String,
    pub(super) row: String,
    #[serde(default)]
    pub(super) note: String,
}

/// Checks that `folder` is an output folder of `airinv compile` and reads
/// its run.json; otherwise an error naming what the folder holds.
pub(super) fn open_folder(folder: &Path) -> Result<RunRecord> {
    let has = |name: &str| folder.join(name).is_file();
    if has("inventory.toml") {
        return Err(Error::file(
            folder,
            "is an inventory folder: compile it (airinv compile FOLDER --out OUT) and explain a cell of OUT",
        ));
    }
    let run_path = folder.join("run.json");
    let run: Option<RunRecord> = if has("run.json") {
        let text = std::fs::read_to_string(&run_path).map_err(|e| Error::io(&run_path, e))?;
        Some(serde_json::from_str(&text).map_err(|e| {
            Error::file(
                &run_path,
                format!("is not the run record airinv writes: {e}"),
            )
        })?)
    } else {
        None
    };
    let command = run.as_ref().and_then(|r| r.command.as_deref());
    if command.is_some_and(|c| c != "compile") {
        return Err(Error::file(
            folder,
            format!(
                "was written by airinv {} (run.json): a past submission has no lineage; explain reads the output folder of airinv compile",
                command.unwrap_or_default()
            ),
        ));
    }
    match (has("detail.csv"), run) {
        (true, Some(run)) => Ok(run),
        (detail, run) => {
            // run.json is written last and removed first: without it the
            // set of files may not be one run's.
            let missing: Vec<&str> = [
                (!detail, "detail.csv"),
                (
                    run.is_none(),
                    "run.json (the record compile writes last, once every file is in place)",
                ),
            ]
            .iter()
            .filter(|(m, _)| *m)
            .map(|(_, n)| *n)
            .collect();
            Err(Error::file(
                folder,
                format!(
                    "is not an output folder of airinv compile: it has no {}; it holds {}",
                    missing.join(" and no "),
                    listing(folder)?
                ),
            ))
        }
    }
}

/// The names in a folder, for messages (`nothing` when empty).
fn listing(folder: &Path) -> Result<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .map_err(|e| Error::io(folder, e))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    names.sort();
    Ok(match names.len() {
        0 => "nothing".into(),
        n if n > 12 => format!("{}, ... ({} more)", names[..12].join(", "), n - 12),
        _ => names.join(", "),
    })
}

pub(super) fn years_held(folder: &Path) -> Result<String> {
    let mut years: Vec<i32> = std::fs::read_dir(folder)
        .map_err(|e| Error::io(folder, e))?
        .filter_map(|e| e.ok())
        .filter_map(|e| crate::annex1::csv::year_of_csv(&e.path()))
        .collect();
    years.sort();
    Ok(if years.is_empty() {
        "none (no annex1_<YEAR>.csv)".into()
    } else {
        years
            .iter()
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    })
}
