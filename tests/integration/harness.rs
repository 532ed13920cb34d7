//! A temporary folder per test, files written into it, and the `airinv`
//! binary run inside it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct Dir {
    root: tempfile::TempDir,
}

impl Dir {
    pub fn new() -> Dir {
        Dir {
            root: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// Writes a file (making its folders) and returns its path.
    pub fn write(&self, rel: &str, contents: &str) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, contents).unwrap();
        p
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Runs airinv with `args` in this folder and demands success (the
    /// failure shows stderr); its standard output.
    pub fn run_ok<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> String {
        let out = self.airinv().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "airinv {:?}: {}",
            args.iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned())
                .collect::<Vec<_>>(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The airinv binary, run in this folder.
    pub fn airinv(&self) -> Command {
        let mut c = Command::cargo_bin("airinv").expect("the airinv binary");
        c.current_dir(self.root.path());
        c
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` (read-only reference data and fixtures) when it is there.
/// Tests that need it print plainly that they are skipped when it is not.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        eprintln!(
            "SKIPPED: {} is not present (../shared is not checked out here); this test needs it",
            p.display()
        );
        None
    }
}

/// Parses a CSV file into its header and rows of text.
pub fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// A cell of an annex1_<YEAR>.csv by NFR code and column name.
pub fn annex_cell(path: &Path, code: &str, column: &str) -> String {
    let (header, rows) = csv_rows(path);
    let col = header
        .iter()
        .position(|h| h == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let row = rows
        .iter()
        .find(|r| r[2] == code)
        .unwrap_or_else(|| panic!("no row {code}"));
    row[col].clone()
}

pub fn dec(s: &str) -> rust_decimal::Decimal {
    rust_decimal::Decimal::from_str_exact(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The number of cases each fuzzing property test runs: `AIRINV_FUZZ_CASES`
/// when set (as `tests/fuzz.sh` does, round after round), else `default`
/// (small, so that `cargo test` stays quick).
pub fn fuzz_cases(default: u32) -> u32 {
    std::env::var("AIRINV_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
