//! Reading the reference data embedded in the binary.
//!
//! Every data file (template layout, factor database, fuels, units) is a CSV
//! whose leading `#` lines name its source; this module gives the one CSV
//! reader configuration they share.

/// A CSV reader over embedded text: comma separated, header row, `#` comments.
pub fn reader(text: &'static str) -> csv::Reader<&'static [u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .flexible(false)
        .from_reader(text.as_bytes())
}
