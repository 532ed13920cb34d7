//! Writing output files atomically: to a temporary file beside the target,
//! then renamed over it, so an interrupted run never leaves a half-written
//! file where a good one was.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary path a file is written to before it is renamed: an
/// unpredictable name (a planted file or symlink cannot be waiting there),
/// created exclusively by [`write_atomically`].
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    path.with_file_name(format!(".{name}.airinv-tmp-{}", random_hex()))
}

/// 16 random hexadecimal digits.
fn random_hex() -> String {
    use ring::rand::SecureRandom;
    let mut bytes = [0u8; 8];
    if ring::rand::SystemRandom::new().fill(&mut bytes).is_err() {
        // No system randomness: the time and process still differ per run.
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        bytes = ((t as u64) ^ u64::from(std::process::id()).rotate_left(32)).to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The name of the lock file of an output folder.
const LOCK: &str = ".airinv.lock";
/// The list of the files the last run wrote into an output folder.
const MANIFEST: &str = ".airinv-outputs";
/// The start of the name of a run's private staging folder.
const STAGING: &str = ".airinv-stage-";

/// An output folder written as one transaction: the run holds an advisory
/// lock on it (a second run stops with a message), writes every file into a
/// fresh private staging folder inside it (unpredictable name, created
/// exclusively), then moves the files into place with the commit record
/// (run.json) last, removes the files of the previous run that this run did
/// not write (as the previous run's list says; other files are left
/// alone), and records its own list. Leftovers of a killed run (staging
/// folders, temporary files) are removed by the next run. No file is
/// written over one of the run's own inputs.
pub struct OutputDir {
    dir: PathBuf,
    staging: PathBuf,
    inputs: Vec<PathBuf>,
    written: Vec<String>,
    _lock: std::fs::File,
}

impl OutputDir {
    /// Creates the folder if needed, takes its lock, cleans up after a
    /// killed run and makes the staging folder. `inputs` are the files the
    /// run reads, which it must not write over.
    pub fn open(dir: &Path, inputs: &[PathBuf]) -> Result<OutputDir> {
        ensure_dir(dir)?;
        let lock_path = dir.join(LOCK);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(Error::file(
                    dir,
                    "another airinv run is writing into this folder now; wait for it to end, or give another --out",
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
        }
        clean_leftovers(dir)?;
        let staging = dir.join(format!("{STAGING}{}", random_hex()));
        std::fs::create_dir(&staging).map_err(|e| Error::io(&staging, e))?;
        let inputs = inputs
            .iter()
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect();
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            staging,
            inputs,
            written: Vec::new(),
            _lock: lock,
        })
    }

    /// Where to write the output `name` (in the staging folder); an error
    /// when `name` in the folder is one of the run's inputs.
    pub fn file(&mut self, name: &str) -> Result<PathBuf> {
        let target = self.dir.join(name);
        if let Ok(t) = std::fs::canonicalize(&target)
            && self.inputs.contains(&t)
        {
            return Err(Error::file(
                &target,
                "is one of this run's inputs, and the run would write over it; give another --out folder",
            ));
        }
        if !self.written.iter().any(|w| w == name) {
            self.written.push(name.to_string());
        }
        Ok(self.staging.join(name))
    }

    /// Moves the written files into place, `last` (the commit record) last;
    /// with `prune`, removes the files of the previous run not written now.
    /// The paths of the files, in the folder.
    pub fn commit(self, last: Option<&str>, prune: bool) -> Result<Vec<PathBuf>> {
        let previous = std::fs::read_to_string(self.dir.join(MANIFEST)).unwrap_or_default();
        let previous: Vec<&str> = previous.lines().filter(|l| is_plain_name(l)).collect();
        let mut order: Vec<&String> = self
            .written
            .iter()
            .filter(|n| Some(n.as_str()) != last)
            .collect();
        order.extend(self.written.iter().filter(|n| Some(n.as_str()) == last));
        let mut listed: Vec<String> = self.written.clone();
        // A stale file of the previous run goes before the commit record,
        // so a folder with the new run.json never holds the old set.
        let move_in = |name: &str| -> Result<()> {
            let from = self.staging.join(name);
            let to = self.dir.join(name);
            std::fs::rename(&from, &to).map_err(|e| Error::io(&to, e))
        };
        for name in order.iter().filter(|n| Some(n.as_str()) != last) {
            move_in(name)?;
        }
        for old in &previous {
            if self.written.iter().any(|w| w == old) {
                continue;
            }
            if prune {
                let p = self.dir.join(old);
                if std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file()) {
                    std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
                }
            } else {
                listed.push(old.to_string());
            }
        }
        if let Some(last) = last.filter(|l| self.written.iter().any(|w| w == l)) {
            move_in(last)?;
        }
        let manifest = self.dir.join(MANIFEST);
        write_atomically(&manifest, |w| {
            for name in &listed {
                writeln!(w, "{name}")?;
            }
            Ok(())
        })?;
        Ok(self.written.iter().map(|n| self.dir.join(n)).collect())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // Committed or not, the staging folder goes (empty after a commit).
        let _ = std::fs::remove_dir_all(&self.staging);
    }
}

/// A file name without folders (a line of the manifest is trusted no
/// further than that).
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name != "."
        && name != ".."
        && !name.contains(['/', '\\'])
        && Path::new(name).file_name().is_some_and(|n| n == name)
}

/// Removes what a killed run left in `dir`: staging folders and temporary
/// files (never following a symlink: a symlink of that name is removed
/// itself).
fn clean_leftovers(dir: &Path) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if name.starts_with(STAGING) && meta.is_dir() {
            std::fs::remove_dir_all(&path).map_err(|e| Error::io(&path, e))?;
        } else if name.starts_with('.') && name.contains(".airinv-tmp-") && !meta.is_dir() {
            std::fs::remove_file(&path).map_err(|e| Error::io(&path, e))?;
        }
    }
    Ok(())
}

/// Writes a file through a buffered writer, atomically.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let tmp = temporary(path);
    let result = (|| -> std::io::Result<()> {
        // Exclusive: never opens a file or follows a symlink already there.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        w.flush()?;
        w.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    match result {
        Ok(()) => std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e)),
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(Error::io(path, e))
        }
    }
}

/// Writes bytes made in memory (a workbook), atomically.
pub fn write_bytes_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomically(path, |w| w.write_all(bytes))
}

/// Creates an output directory if needed.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

/// Text that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`,
/// or a tab/carriage return first) gets a leading apostrophe, so a name or
/// note typed by a user stays text when the CSV is opened in Excel. Numbers
/// (`-0.5`) are left as they are.
pub fn csv_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && crate::number::parse_decimal(text).is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// A CSV writer set up as every output file of airinv is written: lines end
/// in `\n` (the csv crate's default is `\r\n`), fields are quoted only when
/// they must be. Write fields that hold what users typed through
/// [`write_safe_record`].
pub fn csv_writer<W: Write>(out: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out)
}

/// Writes one record with every field made formula-safe ([`csv_safe`]).
pub fn write_safe_record<W, I, T>(w: &mut csv::Writer<W>, record: I) -> csv::Result<()>
where
    W: Write,
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    w.write_record(
        record
            .into_iter()
            .map(|s| csv_safe(s.as_ref()).into_owned()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(records: &[&[&str]], safe: bool) -> String {
        let mut w = csv_writer(Vec::new());
        for r in records {
            if safe {
                write_safe_record(&mut w, r.iter()).unwrap();
            } else {
                w.write_record(r.iter()).unwrap();
            }
        }
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn csv_lines_end_in_newline_and_formulas_stay_text() {
        let rows: &[&[&str]] = &[
            &["a", "b,c", "", "d"],
            &["=SUM(A1)", "-0.5", "+x", "say \"hi\""],
        ];
        assert_eq!(
            written(rows, false),
            "a,\"b,c\",,d\n=SUM(A1),-0.5,+x,\"say \"\"hi\"\"\"\n"
        );
        assert_eq!(
            written(rows, true),
            "a,\"b,c\",,d\n'=SUM(A1),-0.5,'+x,\"say \"\"hi\"\"\"\n"
        );
        // Records of different lengths are refused, as before.
        let mut w = csv_writer(Vec::new());
        w.write_record(["a", "b"]).unwrap();
        assert!(write_safe_record(&mut w, ["a"]).is_err());
    }
}
