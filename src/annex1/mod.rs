//! The Annex I format (NFR 2019-1): the table of one year, the totals the
//! template defines, and the table written and read as `annex1_<YEAR>.csv`
//! and as the official workbook.
//!
//! One file per job:
//! - [`table`]: [`Annex1Year`], every template row with its 26 pollutant
//!   cells and its activity-data cells; the value columns ([`Column`]), the
//!   template's fixed texts and column letters;
//! - [`totals`]: NATIONAL TOTAL, the compliance totals and PAH1-4, by the
//!   template's notes;
//! - [`csv`]: `annex1_<YEAR>.csv`, written and read back;
//! - [`xlsx_write`]: the workbook `annex1.xlsx`;
//! - [`xlsx_read`]: a filled Annex I workbook (a Party's submission) read
//!   into tables, through [`crate::sheet`], with every cell not read said.
//!
//! The folder spans two layers: the table, its totals and the workbook
//! writer are vocabulary (they use only numbers, codes, pollutants, keys
//! and fuels), [`csv`] and [`xlsx_read`] are reading (they read files
//! through [`crate::sheet`]). `tests/integration/layers.rs` lists the two
//! reading modules by their paths.
//!
//! # Data flow
//!
//! ```text
//!  aggregate::build ──► Annex1Year ──► compute_totals, derive_pah_totals
//!                          │
//!          ┌───────────────┼──────────────────┐
//!          ▼               ▼                  ▼
//!   csv::write_csv   xlsx_write::write_xlsx   (the analyses)
//!   annex1_<YEAR>.csv    annex1.xlsx
//!          │
//!          ▼
//!   csv::read_annex_csv ──► Annex1Year ◄── xlsx_read::read ◄── a Party's
//!                                                    workbook
//! ```

pub mod csv;
pub mod table;
pub mod totals;
pub mod xlsx_read;
pub mod xlsx_write;

pub use csv::{cell_text, csv_header, write_csv};
pub use table::{
    ACTIVITY_COLUMNS, Annex1Year, COLUMN_WIDTHS, Column, Header, NO_ACTIVITY, RowCells,
    TemplateTexts, column_index, texts,
};
pub use xlsx_write::{write_cell, write_xlsx};
