//! Writing output files atomically: to a temporary file beside the target,
//! then renamed over it, so an interrupted run never leaves a half-written
//! file where a good one was.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The temporary path a file is written to before it is renamed.
fn temporary(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("output");
    path.with_file_name(format!(".{name}.airinv-tmp-{}", std::process::id()))
}

/// Writes a file through a buffered writer, atomically.
pub fn write_atomically<F>(path: &Path, write: F) -> Result<()>
where
    F: FnOnce(&mut dyn Write) -> std::io::Result<()>,
{
    let tmp = temporary(path);
    let result = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
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
