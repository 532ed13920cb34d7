//! The commands of the `airinv` binary, one module per verb: each holds its
//! arguments (clap's `Args`), its `run` (open the input, call the library,
//! write what the library made) and the text it prints. The library
//! returns data; rendering it for the console lives here.

// Standard output through one function: a closed pipe (`airinv factors
// --problems | head -1`) ends the program quietly with exit 0, as ripgrep
// and xsv do, rather than with a panic.
macro_rules! print {
    ($($t:tt)*) => { $crate::cmd::out(format_args!($($t)*)) };
}
macro_rules! println {
    ($($t:tt)*) => { $crate::cmd::out(format_args!("{}\n", format_args!($($t)*))) };
}

pub mod check;
pub mod compare;
pub mod compile;
pub mod convert;
pub mod explain;
pub mod factors;
pub mod import;
pub mod kca;
pub mod plants;
pub mod ratification;
pub mod report;
pub mod scenario;
pub mod uncertainty;

/// Writes to standard output; a closed pipe exits 0, another error 2.
pub fn out(args: std::fmt::Arguments) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_fmt(args).and_then(|_| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("error: writing to standard output: {e}");
        std::process::exit(2);
    }
}

/// Lays out rows of cells as columns two spaces apart, each line trimmed.
pub fn columns(rows: &[Vec<String>], indent: &str) -> String {
    let widths: Vec<usize> = (0..rows.first().map_or(0, Vec::len))
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut s = String::new();
    for r in rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        s.push_str(indent);
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}
