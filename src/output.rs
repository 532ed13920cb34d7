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
