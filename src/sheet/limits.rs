//! The bounds of what the sheet readers take from a workbook, shared by the
//! container checks ([`super::container`], [`super::xls`]) and the sheet
//! reader ([`super::workbook`]): memory stays bounded whatever a file
//! declares.

/// The most bytes one part of a workbook container may unpack to (256 MiB):
/// the bound of both the activity-sheet reader and the Annex I workbook
/// reader (a year sheet of a filled template is about 300 kB).
pub const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

/// The most cells a workbook sheet read through [`super::read`] may hold, and the
/// most its used range (first to last non-empty row × column) may span:
/// calamine holds a sheet as one rectangle of that range, about 32 bytes a
/// cell, and airinv a text per cell; 10 million cells stay within about
/// 1 GB. An activity sheet of 200 000 rows × 50 columns fits.
pub const MAX_SHEET_CELLS: u64 = 10_000_000;
