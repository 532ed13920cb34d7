//! `airinv report`: the Informative Inventory Report's material in one page
//! (see [`crate::report`]).

use crate::error::Result;
pub use crate::report::Options;
pub use crate::report::i18n::Lang;
use crate::source::Source;
use std::path::PathBuf;

/// What the command wrote.
pub struct ReportOutcome {
    pub page: PathBuf,
    pub files: Vec<PathBuf>,
}

/// Writes `OUT/index.html` with its charts and tables.
pub fn run(source: &std::path::Path, opts: &Options) -> Result<ReportOutcome> {
    let written = crate::report::write(&Source::open(source)?, opts)?;
    Ok(ReportOutcome {
        page: written.page,
        files: written.files,
    })
}
