//! airinv: air-pollutant emission inventories for the UNECE Air Convention
//! (CLRTAP), from activity data and the EMEP/EEA Guidebook 2023 factors, to
//! the Annex I reporting template (NFR 2019-1).
//!
//! # The principal API
//!
//! - [`compute`] ([`compile::compute`]) compiles an inventory folder (with
//!   `inventory.toml`) or one activity file in memory, with [`CompileOptions`],
//!   into [`Compiled`]: the [`Annex1Year`] table of every year and the lineage
//!   of every cell ([`calculate::KeyResult`]), writing nothing.
//! - [`load_source`] reads the Annex I tables of any source (an inventory
//!   folder, an activity file, an output folder, an Annex I workbook), one
//!   [`YearTable`] per year; [`read_workbook`] reads a filled Annex I workbook.
//! - [`check::Submission`] and [`check::run`] test the tables as CEIP's
//!   reviewers would, each [`check::Finding`] at its sheet and cell.
//! - [`scenario`] projects a compiled base year with growth and abatement
//!   measures (annualised costs, targets, the least-cost shares of a linear
//!   programme) into projections, cost curves and the Annex IV workbook.
//! - A table's cells are [`Cell`]s: a number, a [`NotationKey`], or nothing,
//!   per [`Pollutant`]. Errors are [`Error`]s, with the file, sheet, row and
//!   cell where they happened.
//!
//! # Layers
//!
//! Each module belongs to one layer and imports only from its own layer or
//! below; no two modules import each other (a test,
//! `tests/integration/layers.rs`, checks it from the source):
//!
//! ```text
//!  commands     cmd/ (one file per verb: option handling, writing, text)
//!     ▲
//!  analyses     source (any source → tables) · check · compare · explain
//!               (where a cell comes from) · plot
//!     ▲
//!  calculation  compile (the pipeline) · calculate (exact sums, activity ×
//!               factor) · stream (large CSVs in parallel blocks) · aggregate
//!               (Annex I tables) · lineage (detail.csv) · trend
//!     ▲
//!  factors      emission_factor (the database) · guidebook (the EEA export
//!               importer) · matching (one factor per activity and pollutant)
//!     ▲
//!  reading      config (TOML files in two stages) · sheet (CSV in any locale,
//!               workbooks, bounds) · activity (checked rows) · workbook (Annex
//!               I workbooks) · inventory (inventory.toml) · mapping (sheets
//!               laid out for people) · commitment (protocol commitments)
//!     ▲
//!  vocabulary   number (exact decimals, the one Excel conversion) · unit ·
//!               nfr · pollutant · notation_key · fuel · annex1 (the template
//!               table) · date · data (embedded reference tables) · digest ·
//!               output (atomic files, CSV set-up) · error
//! ```
//!
//! # Data flow of a compile
//!
//! ```text
//!  inventory.toml ──► inventory::Inventory ─┐
//!  a balance sheet + mapping.toml ──► mapping::convert (every number cell
//!                                           │  mapped, excluded or unmapped)
//!  activity CSV / sheets ──► activity (rows checked, rejected with location)
//!                                           ▼
//!                     calculate::Accumulator (exact sums per activity key)
//!                                           │
//!                     gap_fill::apply (gaps of series filled as inventory.toml
//!                                           │  [[fill]] declares: IPCC 2006 Vol. 1 ch. 5)
//!  emission_factor (embedded Guidebook      ▼
//!  2023 + user files) ──► matching::FactorIndex ──► calculate::compute
//!                                           ▼      (activity × factor, exact;
//!                                           │  + method: manure NH3 split,
//!                                           │   road exhaust PM, SO2 from sulphur)
//!                     aggregate::build ──► annex1::Annex1Year (per year)
//!                                           ▼
//!    cmd::compile: annex1.xlsx, annex1_<YEAR>.csv, detail.csv, run.json
//! ```
//!
//! Numbers are [`rust_decimal::Decimal`] throughout; [`number::from_excel`]
//! is the one conversion from a workbook's doubles.
//!
//! # Example
//!
//! ```no_run
//! use airinv::{CompileOptions, Pollutant, compute};
//! let compiled = compute(&CompileOptions {
//!     source: "inventories/example".into(),
//!     ..CompileOptions::default()
//! })?;
//! let counts = compiled.report.counts;
//! assert_eq!(counts.read, counts.used + counts.rejected);
//! for table in &compiled.tables {
//!     let total = table.row("NATIONAL TOTAL").unwrap();
//!     println!("{}: NOx {} kt", table.header.year, total.get(Pollutant::NOx));
//! }
//! # Ok::<(), airinv::Error>(())
//! ```
//!
//! `examples/library.rs` runs the same (`cargo run --example library`).

pub use annex1::Annex1Year;
pub use compile::{CompileOptions, Compiled, compute};
pub use error::{Error, Result};
pub use notation_key::{Cell, NotationKey};
pub use pollutant::Pollutant;
pub use source::{YearTable, load as load_source};
pub use workbook::read as read_workbook;

pub mod activity;
pub(crate) mod aggregate;
pub mod annex1;
pub mod calculate;
pub(crate) mod chart;
pub mod check;
pub mod cmd;
pub(crate) mod commitment;
pub mod compare;
pub mod compile;
pub(crate) mod config;
pub(crate) mod coverage;
pub(crate) mod data;
pub(crate) mod date;
pub mod digest;
pub mod emission_factor;
pub mod error;
pub mod explain;
pub mod fuel;
pub(crate) mod gap_fill;
pub(crate) mod guidebook;
pub mod inventory;
pub mod kca;
pub mod lineage;
pub(crate) mod manure;
pub(crate) mod mapping;
pub mod matching;
pub(crate) mod method;
pub mod nfr;
pub mod notation_key;
pub mod number;
pub(crate) mod output;
pub(crate) mod plot;
pub mod pollutant;
pub(crate) mod report;
pub mod scenario;
pub mod sheet;
pub mod source;
pub mod stream;
pub(crate) mod suggest;
pub(crate) mod trend;
pub mod uncertainty;
pub mod unit;
pub mod workbook;
