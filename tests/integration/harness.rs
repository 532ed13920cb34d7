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

/// A fixture committed under `tests/data/`.
pub fn data(rel: &str) -> PathBuf {
    repo().join("tests/data").join(rel)
}

/// The Wallonia Annex I workbook (MIT, VITObelgium/emap), committed under
/// `tests/data/` with its attribution.
pub fn wallonia() -> PathBuf {
    data("BEW_2021-annex1-nfr2019.xlsx")
}

/// `../shared` (read-only reference data) when it is there; when it is
/// not, the test is skipped through [`skip`] (a failure under `CI=true`).
pub fn shared(rel: &str) -> Option<PathBuf> {
    let p = repo().join("../shared").join(rel);
    if p.exists() {
        Some(p)
    } else {
        skip(&format!(
            "{} is not present (../shared is not checked out beside the repository; see the README, Tests)",
            p.display()
        ));
        None
    }
}

/// Whether CI runs the tests (`CI=true`, as CI services set it): then no
/// test may skip.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

static SKIPPED: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
static REPORT_AT_EXIT: std::sync::Once = std::sync::Once::new();

unsafe extern "C" {
    /// The C library's `atexit`: the list of skipped tests is printed
    /// after libtest's own summary, when the test binary ends.
    fn atexit(callback: extern "C" fn()) -> std::ffi::c_int;
}

/// The running test cannot run here, for `reason`. Under `CI=true` it
/// fails with the reason. Otherwise the skip is written at once to the
/// terminal (bypassing libtest's capture of a passing test's output) and
/// again in a list printed when the test binary ends, after the
/// `test result:` line, so that a `cargo test` without `../shared` or
/// LibreOffice says which tests did not run and why.
pub fn skip(reason: &str) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    assert!(
        !under_ci(),
        "{test} cannot run, and CI=true forbids skipping: {reason}"
    );
    let line = format!("SKIPPED {test}: {reason}");
    let _ = writeln!(std::io::stderr(), "{line}");
    SKIPPED.lock().unwrap_or_else(|e| e.into_inner()).push(line);
    REPORT_AT_EXIT.call_once(|| {
        // SAFETY: registers a plain function with no arguments; it only
        // locks a static and writes to stderr, ignoring errors.
        unsafe {
            atexit(report_skipped);
        }
    });
}

extern "C" fn report_skipped() {
    use std::io::Write;
    let list = SKIPPED.lock().unwrap_or_else(|e| e.into_inner());
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "\n{} test(s) skipped (they pass without running; CI=true makes each a failure):",
        list.len()
    );
    for line in list.iter() {
        let _ = writeln!(err, "  {line}");
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
