//! Writing output files atomically: each file to a temporary file beside
//! the target, then renamed over it, so an interrupted run never leaves a
//! half-written file where a good one was; and a run's whole set of files
//! as one transaction ([`OutputDir`]: lock, staging folder, journal, commit
//! record last), so that a folder holds the old set or the new one, and a
//! run stopped half-way through putting its files in place is completed by
//! the next command that writes or reads the folder ([`settle`]).

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
/// The journal of a commit under way: present from the moment the new set
/// is complete in its staging folder until it is in place.
const JOURNAL: &str = ".airinv-commit";
/// The first line of a journal.
const JOURNAL_HEADER: &str = "airinv commit 1";

/// An output folder written as one transaction.
///
/// The run holds an advisory lock on the folder (a second run, or a
/// command reading the folder, stops with a message), and writes every file
/// into a fresh private staging folder inside it (unpredictable name,
/// created exclusively). The commit then:
///
/// 1. writes a journal (`.airinv-commit`): the staging folder, each step in
///    order, and the new list of outputs — from then on the new set is
///    decided;
/// 2. removes the old commit record (`run.json`), so that a folder holding
///    a `run.json` always holds the whole set that `run.json` describes;
/// 3. moves the new files into place, removes the files of the previous run
///    that this run did not write (as the previous run's list says; other
///    files are left alone), and moves the new commit record in last;
/// 4. writes the list of outputs and removes the journal.
///
/// A run killed before step 1 leaves the old set (its staging folder is
/// removed by the next run); a run killed after it leaves a journal, and the
/// next run into the folder, or any command reading it ([`settle`]),
/// completes the steps first (each step can be repeated). No file is
/// written over one of the run's own inputs.
pub struct OutputDir {
    dir: PathBuf,
    staging: PathBuf,
    inputs: Vec<PathBuf>,
    written: Vec<String>,
    /// A journal names the staging folder: it must stay until the steps are
    /// done, by this run or by the next.
    pending: bool,
    _lock: std::fs::File,
}

impl OutputDir {
    /// Creates the folder if needed, takes its lock, completes or cleans up
    /// after a killed run and makes the staging folder. `inputs` are the
    /// files the run reads, which it must not write over.
    pub fn open(dir: &Path, inputs: &[PathBuf]) -> Result<OutputDir> {
        ensure_dir(dir)?;
        let lock_path = dir.join(LOCK);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| denied(dir, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(busy(dir)),
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
        }
        recover(dir)?;
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
            pending: false,
            _lock: lock,
        })
    }

    /// Where to write the output `name` (in the staging folder); an error
    /// when `name` in the folder is one of the run's inputs.
    pub fn file(&mut self, name: &str) -> Result<PathBuf> {
        if !is_relative_name(name) {
            return Err(Error::file(
                &self.dir,
                format!("'{name}' is not a name of an output inside the folder"),
            ));
        }
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
        let staged = self.staging.join(name);
        if let Some(parent) = staged.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        Ok(staged)
    }

    /// The names of the outputs written so far (`charts/x.svg`), in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.written.iter().map(String::as_str)
    }

    /// Puts the written files in place as one transaction (see
    /// [`OutputDir`]), `last` (the commit record) last; with `prune`,
    /// removes the files of the previous run not written now. The paths of
    /// the files, in the folder.
    pub fn commit(mut self, last: Option<&str>, prune: bool) -> Result<Vec<PathBuf>> {
        let journal = self.plan(last, prune);
        self.begin(&journal)?;
        journal.apply(&self.dir, usize::MAX)?;
        journal.finish(&self.dir)?;
        self.pending = false;
        Ok(self.written.iter().map(|n| self.dir.join(n)).collect())
    }

    /// The steps of the commit.
    fn plan(&self, last: Option<&str>, prune: bool) -> Journal {
        let previous = std::fs::read_to_string(self.dir.join(MANIFEST)).unwrap_or_default();
        let previous: Vec<&str> = previous.lines().filter(|l| is_relative_name(l)).collect();
        let record = last.filter(|l| self.written.iter().any(|w| w == l));
        let mut steps = Vec::new();
        if let Some(record) = record {
            steps.push(Step::Remove(record.to_string()));
        }
        for name in self.written.iter().filter(|n| Some(n.as_str()) != record) {
            steps.push(Step::Move(name.clone()));
        }
        let mut listed = self.written.clone();
        for old in previous {
            if self.written.iter().any(|w| w == old) {
                continue;
            }
            if prune {
                steps.push(Step::Remove(old.to_string()));
            } else {
                listed.push(old.to_string());
            }
        }
        if let Some(record) = record {
            steps.push(Step::Move(record.to_string()));
        }
        let stage = self
            .staging
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        Journal {
            stage,
            steps,
            listed,
        }
    }

    /// Writes the journal durably: from here on the new set is decided.
    fn begin(&mut self, journal: &Journal) -> Result<()> {
        let path = self.dir.join(JOURNAL);
        write_atomically(&path, |w| w.write_all(journal.text().as_bytes()))?;
        self.pending = true;
        sync_dir(&self.dir);
        Ok(())
    }
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        // Committed or abandoned, the staging folder goes (empty after a
        // commit); not when a journal still needs the files in it.
        if !self.pending {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}

/// The error when another run holds the folder's lock: for a run that
/// writes into it, or for a command that reads it.
fn busy(dir: &Path) -> Error {
    Error::file(
        dir,
        "another airinv run is writing into this folder or reading it now; wait for it to end, or give another --out",
    )
}

fn busy_reading(dir: &Path) -> Error {
    Error::file(
        dir,
        "another airinv run is writing into this folder now; wait for it to end, then run this command again",
    )
}

/// One step of a commit.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    /// Move the staged file of this name into the folder.
    Move(String),
    /// Remove this file from the folder (a regular file only).
    Remove(String),
}

/// The journal of a commit: the staging folder, the steps in order and the
/// list of outputs to record at the end.
#[derive(Debug, PartialEq)]
struct Journal {
    stage: String,
    steps: Vec<Step>,
    listed: Vec<String>,
}

impl Journal {
    fn text(&self) -> String {
        let mut t = format!("{JOURNAL_HEADER}\nstage {}\n", self.stage);
        for step in &self.steps {
            match step {
                Step::Move(n) => t.push_str(&format!("move {n}\n")),
                Step::Remove(n) => t.push_str(&format!("remove {n}\n")),
            }
        }
        for n in &self.listed {
            t.push_str(&format!("list {n}\n"));
        }
        t
    }

    /// Reads a journal; `None` when it is not one airinv wrote whole (every
    /// name a plain file name, the staging folder one of ours).
    fn parse(text: &str) -> Option<Journal> {
        let mut lines = text.lines();
        if lines.next()? != JOURNAL_HEADER {
            return None;
        }
        let stage = lines.next()?.strip_prefix("stage ")?.to_string();
        if !stage.starts_with(STAGING) || !is_plain_name(&stage) {
            return None;
        }
        let mut journal = Journal {
            stage,
            steps: Vec::new(),
            listed: Vec::new(),
        };
        for line in lines {
            let (verb, name) = line.split_once(' ')?;
            if !is_relative_name(name) || name.starts_with(".airinv") {
                return None;
            }
            match verb {
                "move" => journal.steps.push(Step::Move(name.to_string())),
                "remove" => journal.steps.push(Step::Remove(name.to_string())),
                "list" => journal.listed.push(name.to_string()),
                _ => return None,
            }
        }
        Some(journal)
    }

    /// Carries out the first `limit` steps. Each step can be repeated: a
    /// move whose staged file is gone was done; the commit record's removal
    /// is skipped once the new record has been moved in.
    fn apply(&self, dir: &Path, limit: usize) -> Result<()> {
        let stage = dir.join(&self.stage);
        let staged = |name: &str| std::fs::symlink_metadata(stage.join(name)).is_ok();
        for step in self.steps.iter().take(limit) {
            match step {
                Step::Move(name) => {
                    let to = dir.join(name);
                    if staged(name) {
                        in_folder(dir, name)?;
                        std::fs::rename(stage.join(name), &to).map_err(|e| Error::io(&to, e))?;
                    } else if std::fs::symlink_metadata(&to).is_err() {
                        return Err(Error::file(
                            &to,
                            "was being put in place by an airinv run that was stopped, and its new copy is gone; run the command again",
                        ));
                    }
                }
                Step::Remove(name) => {
                    let moved_in_later = self.steps.contains(&Step::Move(name.clone()));
                    if moved_in_later && !staged(name) {
                        continue;
                    }
                    let p = dir.join(name);
                    if real_folders(dir, name)
                        && std::fs::symlink_metadata(&p).is_ok_and(|m| m.is_file())
                    {
                        std::fs::remove_file(&p).map_err(|e| Error::io(&p, e))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Records the list of outputs, then removes the journal and the
    /// (now empty) staging folder.
    fn finish(&self, dir: &Path) -> Result<()> {
        sync_dir(dir);
        write_atomically(&dir.join(MANIFEST), |w| {
            for name in &self.listed {
                writeln!(w, "{name}")?;
            }
            Ok(())
        })?;
        let journal = dir.join(JOURNAL);
        std::fs::remove_file(&journal).map_err(|e| Error::io(&journal, e))?;
        let _ = std::fs::remove_dir_all(dir.join(&self.stage));
        sync_dir(dir);
        Ok(())
    }
}

/// Completes the commit of a run that was stopped after it wrote its
/// journal (the caller holds the folder's lock). A journal that is not
/// whole (cut short before its rename, which cannot happen, or edited) is
/// an error naming it.
fn recover(dir: &Path) -> Result<()> {
    let path = dir.join(JOURNAL);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&path, e)),
    };
    let journal = Journal::parse(&text).ok_or_else(|| {
        Error::file(
            &path,
            "is the record of an airinv run that was stopped while it put its files in place, but it cannot be read; remove it and run the command again",
        )
    })?;
    journal.apply(dir, usize::MAX)?;
    journal.finish(dir)
}

/// A shared hold on an output folder while a command reads it: taken by
/// [`settle`], released when dropped.
pub struct ReadHold {
    _lock: Option<std::fs::File>,
}

/// Makes an output folder that airinv wrote safe to read: when a run is
/// writing into it now, an error; when a run was stopped while it put its
/// files in place, its commit is completed first. Returns a hold that keeps
/// other runs from writing into the folder while it is read. A folder that
/// airinv never wrote into is read as it is.
pub fn settle(dir: &Path) -> Result<ReadHold> {
    let lock_path = dir.join(LOCK);
    let journal = dir.join(JOURNAL);
    if std::fs::symlink_metadata(&lock_path).is_err()
        && std::fs::symlink_metadata(&journal).is_err()
    {
        return Ok(ReadHold { _lock: None });
    }
    let unfinished = std::fs::symlink_metadata(&journal).is_ok();
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    if unfinished {
        // The commit must be completed, which needs the lock (and writing).
        open.write(true).create(true).truncate(false);
    }
    let lock = match open.open(&lock_path) {
        Ok(f) => f,
        Err(e) if unfinished => return Err(Error::io(&lock_path, e)),
        // A folder we may only read, with no unfinished commit: read as is.
        Err(_) => return Ok(ReadHold { _lock: None }),
    };
    if unfinished {
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Err(busy_reading(dir)),
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io(&lock_path, e)),
        }
        let done = recover(dir);
        let _ = lock.unlock();
        done?;
    }
    match lock.try_lock_shared() {
        Ok(()) => Ok(ReadHold { _lock: Some(lock) }),
        Err(std::fs::TryLockError::WouldBlock) => Err(busy_reading(dir)),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::io(&lock_path, e)),
    }
}

/// Makes a folder's entries durable (best effort: not every system can open
/// a folder as a file).
fn sync_dir(dir: &Path) {
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The folders of an output inside `dir`, outermost first (`dir/charts`
/// for `charts/x.svg`).
fn folders_of(dir: &Path, name: &str) -> Vec<PathBuf> {
    let parts: Vec<&str> = name.split('/').collect();
    let mut at = dir.to_path_buf();
    parts[..parts.len() - 1]
        .iter()
        .map(|part| {
            at.push(part);
            at.clone()
        })
        .collect()
}

/// Makes the folders of an output inside `dir`; one that is not a real
/// folder there (a symlink, a file) is an error, so that no output lands
/// outside `dir`.
fn in_folder(dir: &Path, name: &str) -> Result<()> {
    for at in folders_of(dir, name) {
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(Error::file(
                    &at,
                    "is where airinv puts a folder of outputs, but it is not a folder (a file or a link); move it away",
                ));
            }
            Err(_) => std::fs::create_dir(&at).map_err(|e| Error::io(&at, e))?,
        }
    }
    Ok(())
}

/// True when every folder of `name` inside `dir` is a real folder (not a
/// link that would lead a removal outside `dir`).
fn real_folders(dir: &Path, name: &str) -> bool {
    folders_of(dir, name)
        .iter()
        .all(|at| std::fs::symlink_metadata(at).is_ok_and(|m| m.is_dir()))
}

/// A name inside the folder: plain names joined by `/` (`charts/x.svg`),
/// never `..`, never absolute (a line of the manifest or the journal is
/// trusted no further than that).
fn is_relative_name(name: &str) -> bool {
    !name.is_empty() && name.split('/').all(is_plain_name)
}

/// A file name without folders.
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

/// How a command prints its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// For reading: a table, or one line per item (`text` is the same).
    #[default]
    #[value(alias = "text")]
    Table,
    /// CSV with a header, for a spreadsheet.
    Csv,
    /// JSON, keys in alphabetical order.
    Json,
}

/// Data as the JSON airinv writes (`run.json`, `summary.json`, `--format
/// json`): pretty, the keys of every object in alphabetical order (through
/// serde_json's sorted map, whatever the order of a struct's fields), with a
/// final newline. (airinv's data have text keys only, so they always make
/// JSON.)
pub fn json_text<T: serde::Serialize + ?Sized>(data: &T) -> String {
    let value = serde_json::to_value(data).expect("airinv's data have text keys");
    let mut text = serde_json::to_string_pretty(&value).expect("a JSON value prints");
    text.push('\n');
    text
}

/// Writes [`json_text`] of the data, atomically.
pub fn write_json<T: serde::Serialize + ?Sized>(path: &Path, data: &T) -> Result<()> {
    write_bytes_atomically(path, json_text(data).as_bytes())
}

/// Creates an output directory if needed; a file of that name, or a folder
/// that may not be written into, is said in those words.
pub fn ensure_dir(dir: &Path) -> Result<()> {
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        return Err(Error::file(
            dir,
            "is a file, not a folder: the outputs go into a folder; give another --out",
        ));
    }
    std::fs::create_dir_all(dir).map_err(|e| denied(dir, e))
}

/// An error writing into `dir`: permission denied said as such.
fn denied(dir: &Path, e: std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        Error::file(
            dir,
            "may not be written into (permission denied); give an --out folder you may write to",
        )
    } else {
        Error::io(dir, e)
    }
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

    /// Writes a run's files (name, content) through an [`OutputDir`].
    fn stage(dir: &Path, files: &[(&str, &str)]) -> OutputDir {
        let mut out = OutputDir::open(dir, &[]).unwrap();
        for (name, text) in files {
            let p = out.file(name).unwrap();
            write_bytes_atomically(&p, text.as_bytes()).unwrap();
        }
        out
    }

    fn read(dir: &Path, name: &str) -> Option<String> {
        std::fs::read_to_string(dir.join(name)).ok()
    }

    const OLD: &[(&str, &str)] = &[
        ("a.csv", "old a"),
        ("b.csv", "old b"),
        ("stale.csv", "old stale"),
        ("run.json", "old"),
    ];
    const NEW: &[(&str, &str)] = &[
        ("a.csv", "new a"),
        ("b.csv", "new b"),
        ("c.csv", "new c"),
        ("run.json", "new"),
    ];

    /// The folder holds exactly `set` (and the user's own file).
    fn holds(dir: &Path, set: &[(&str, &str)]) -> bool {
        let names = ["a.csv", "b.csv", "c.csv", "stale.csv", "run.json"];
        read(dir, "notes.txt").as_deref() == Some("mine")
            && names.iter().all(|n| {
                read(dir, n).as_deref() == set.iter().find(|(m, _)| m == n).map(|(_, t)| *t)
            })
    }

    /// A run stopped after any number of the commit's steps leaves either
    /// the old set with the old run.json, or no run.json and a journal;
    /// the next run or reader completes the new set, every time.
    #[test]
    fn a_commit_stopped_after_any_step_is_completed_by_the_next_command() {
        // Remove run.json, move a, b, c, remove stale, move run.json.
        let steps = 6;
        for stop in 0..=steps + 1 {
            for reader in [false, true] {
                let t = tempfile::tempdir().unwrap();
                let dir = t.path();
                std::fs::write(dir.join("notes.txt"), "mine").unwrap();
                stage(dir, OLD).commit(Some("run.json"), true).unwrap();
                assert!(holds(dir, OLD));
                let mut out = stage(dir, NEW);
                let journal = out.plan(Some("run.json"), true);
                assert_eq!(journal.steps.len(), steps);
                if stop <= steps {
                    out.begin(&journal).unwrap();
                    journal.apply(dir, stop).unwrap();
                } // else: stopped before the journal was written
                drop(out);
                match read(dir, "run.json").as_deref() {
                    Some("old") => assert!(holds(dir, OLD), "stop {stop}"),
                    Some("new") => assert!(holds(dir, NEW), "stop {stop}"),
                    _ => assert!(dir.join(JOURNAL).exists(), "stop {stop}"),
                }
                if reader {
                    drop(settle(dir).unwrap());
                } else {
                    drop(OutputDir::open(dir, &[]).unwrap());
                }
                let expected = if stop <= steps { NEW } else { OLD };
                assert!(holds(dir, expected), "stop {stop}, reader {reader}");
                assert!(!dir.join(JOURNAL).exists());
                let leftovers: Vec<_> = std::fs::read_dir(dir)
                    .unwrap()
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().starts_with(STAGING))
                    .collect();
                assert!(
                    reader && stop > steps || leftovers.is_empty(),
                    "stop {stop}"
                );
                let listed = read(dir, MANIFEST).unwrap();
                let want = if stop <= steps {
                    "a.csv\nb.csv\nc.csv\nrun.json\n"
                } else {
                    "a.csv\nb.csv\nstale.csv\nrun.json\n"
                };
                assert_eq!(listed, want, "stop {stop}");
            }
        }
    }

    #[test]
    fn outputs_in_subfolders_are_committed_and_pruned_without_leaving_the_folder() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("out");
        let set = |files: &[&str]| {
            let mut out = OutputDir::open(&dir, &[]).unwrap();
            for f in files {
                write_bytes_atomically(&out.file(f).unwrap(), f.as_bytes()).unwrap();
            }
            out.commit(Some("index.html"), true).unwrap()
        };
        let paths = set(&["charts/a.svg", "tables/a.csv", "index.html"]);
        assert_eq!(paths[0], dir.join("charts/a.svg"));
        assert_eq!(read(&dir, "charts/a.svg").as_deref(), Some("charts/a.svg"));
        set(&["charts/b.svg", "index.html"]);
        assert!(!dir.join("charts/a.svg").exists(), "stale chart removed");
        assert!(!dir.join("tables/a.csv").exists());
        assert!(dir.join("charts/b.svg").exists());
        // A folder replaced by a link elsewhere is neither followed nor
        // written through.
        #[cfg(unix)]
        {
            let elsewhere = t.path().join("elsewhere");
            std::fs::create_dir(&elsewhere).unwrap();
            std::fs::write(elsewhere.join("b.svg"), "not ours").unwrap();
            std::fs::remove_dir_all(dir.join("charts")).unwrap();
            std::os::unix::fs::symlink(&elsewhere, dir.join("charts")).unwrap();
            let mut out = OutputDir::open(&dir, &[]).unwrap();
            write_bytes_atomically(&out.file("charts/c.svg").unwrap(), b"c").unwrap();
            write_bytes_atomically(&out.file("index.html").unwrap(), b"i").unwrap();
            let e = out
                .commit(Some("index.html"), true)
                .unwrap_err()
                .to_string();
            assert!(e.contains("it is not a folder"), "{e}");
            assert_eq!(
                std::fs::read_to_string(elsewhere.join("b.svg")).unwrap(),
                "not ours"
            );
            assert!(!elsewhere.join("c.svg").exists());
        }
        for bad in ["../x", "/etc/x", "a//b", "charts/..", ""] {
            let mut out = OutputDir::open(&t.path().join("o2"), &[]).unwrap();
            assert!(out.file(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_out_folder_that_is_a_file_is_said_so() {
        let t = tempfile::tempdir().unwrap();
        let file = t.path().join("out");
        std::fs::write(&file, "mine").unwrap();
        let e = OutputDir::open(&file, &[]).err().unwrap().to_string();
        assert!(
            e.ends_with(
                "out: is a file, not a folder: the outputs go into a folder; give another --out"
            ),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }

    #[test]
    fn a_journal_is_read_back_as_written_and_a_tampered_one_is_refused() {
        let j = Journal {
            stage: format!("{STAGING}0123"),
            steps: vec![Step::Remove("run.json".into()), Step::Move("a.csv".into())],
            listed: vec!["a.csv".into()],
        };
        assert_eq!(Journal::parse(&j.text()), Some(j));
        for bad in [
            "airinv commit 1\nstage ../x\n",
            "airinv commit 1\nstage .airinv-stage-1\nremove ../../etc/passwd\n",
            "airinv commit 1\nstage .airinv-stage-1\nremove .airinv.lock\n",
            "airinv commit 1\nstage .airinv-stage-1\ncopy a.csv\n",
            "airinv commit 2\nstage .airinv-stage-1\n",
        ] {
            assert_eq!(Journal::parse(bad), None, "{bad}");
        }
        let t = tempfile::tempdir().unwrap();
        std::fs::write(t.path().join(JOURNAL), "airinv commit 1\nstage x\n").unwrap();
        let e = OutputDir::open(t.path(), &[]).err().unwrap().to_string();
        assert!(e.contains("cannot be read"), "{e}");
    }

    #[test]
    fn a_reader_is_refused_while_a_run_writes_and_a_run_while_a_reader_reads() {
        let t = tempfile::tempdir().unwrap();
        let out = stage(t.path(), NEW);
        let e = settle(t.path()).err().unwrap().to_string();
        assert!(
            e.ends_with("another airinv run is writing into this folder now; wait for it to end, then run this command again"),
            "{e}"
        );
        out.commit(Some("run.json"), true).unwrap();
        let hold = settle(t.path()).unwrap();
        let second = settle(t.path()).unwrap(); // readers share
        let e = OutputDir::open(t.path(), &[]).err().unwrap().to_string();
        assert!(e.contains("another airinv run"), "{e}");
        drop((hold, second));
        assert!(OutputDir::open(t.path(), &[]).is_ok());
        // A folder airinv never wrote into is read as it is.
        let plain = tempfile::tempdir().unwrap();
        settle(plain.path()).unwrap();
        assert!(!plain.path().join(LOCK).exists());
    }

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
