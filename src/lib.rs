//! airinv: air-pollutant emission inventories for the UNECE Air Convention
//! (CLRTAP), from activity data and the EMEP/EEA Guidebook 2023 factors, to
//! the Annex I reporting template (NFR 2019-1).
//!
//! # The principal API
//!
//! - [`Source`] is every input, opened one way: [`Source::open`] reads an
//!   inventory folder's `inventory.toml`, an output folder of
//!   `annex1_<YEAR>.csv` files, one such file or an Annex I workbook (with
//!   what reading it went around, [`Source::notes`]);
//!   [`Source::open_activity`] what `compile` takes, an inventory folder or
//!   one activity file. [`Source::tables`] gives one [`YearTable`] per year
//!   (an inventory compiled in memory).
//! - [`compute`] ([`compile::compute`]) compiles a loaded
//!   [`inventory::Inventory`], with [`CompileOptions`], into [`Compiled`]:
//!   the [`Annex1Year`] table of every year and the lineage of every cell
//!   ([`calculate::KeyResult`]), writing nothing; [`compile::write`] writes
//!   the output set (`annex1.xlsx`, the CSVs, `detail.csv`, `run.json`).
//! - [`check::Submission`] and [`check::run`] test the tables as CEIP's
//!   reviewers would, each [`check::Finding`] at its sheet and cell;
//!   [`compare::compare`], [`kca::analyse`] and [`uncertainty::analyse`]
//!   give the protocols, the key categories and the uncertainty. Their
//!   results are data that derive `Serialize` (the commands' `--format
//!   json`, written by [`output::json_text`]).
//! - [`scenario`] projects a compiled base year with growth and abatement
//!   measures (annualised costs, targets, the least-cost shares of a linear
//!   programme) into projections, cost curves and the Annex IV workbook.
//! - A table's cells are [`Cell`]s: a number, a [`NotationKey`], or nothing,
//!   per [`Pollutant`]. Errors are [`Error`]s, with the file, sheet, row and
//!   cell where they happened. Numbers are shown rounded by
//!   [`number::show`] alone.
//!
//! The command line is the binary's (`src/main.rs` and `src/cmd/`, one
//! module per verb with its arguments, its run and its text): the library
//! returns data and writes files, the binary parses and prints.
//!
//! # Layers
//!
//! Each module belongs to one layer and imports only from its own layer or
//! below; no two modules import each other (a test,
//! `tests/integration/layers.rs`, checks it from the source):
//!
//! ```text
//!  commands     the binary: main.rs (parse, dispatch, exit codes) and cmd/
//!     ▲         (one file per verb: its Args, its run, the text printed)
//!  analyses     source (every input, opened once) · check · compare ·
//!               explain (where a cell comes from) · kca · uncertainty ·
//!               scenario · ratification (options side by side) · report ·
//!               chart (every picture)
//!     ▲
//!  calculation  compile (the pipeline) · calculate (exact sums, activity ×
//!               factor) · gap_fill, splice (time-series consistency) ·
//!               stream (large CSVs in parallel blocks) · aggregate
//!               (Annex I tables) · lineage (detail.csv) · trend
//!     ▲
//!  factors      emission_factor (the database) · guidebook (the EEA export
//!               importer) · matching (one factor per activity and pollutant)
//!     ▲
//!  reading      config (TOML files in two stages) · sheet (CSV in any locale,
//!               workbooks, bounds; the one calamine reader) · annex1::csv,
//!               annex1::xlsx_read (annex1_<YEAR>.csv and Annex I workbooks
//!               read) · activity (checked rows) · inventory (inventory.toml)
//!               · mapping (sheets laid out for people) · commitment
//!     ▲
//!  vocabulary   number (exact decimals, the one Excel conversion) · unit ·
//!               nfr · pollutant · notation_key · pins (the parts of an
//!               activity key) · fuel · annex1 (the template table, totals,
//!               xlsx write) · date · data (embedded reference tables) ·
//!               digest · output (atomic files, CSV set-up, the output
//!               format, JSON) · error
//! ```
//!
//! # Data flow of a compile
//!
//! ```text
//!  Source::open_activity (inventory.toml, or one activity file)
//!                 ──► inventory::Inventory ─┐
//!  a balance sheet + mapping.toml ──► mapping::convert (every number cell
//!                                           │  mapped, excluded or unmapped)
//!  activity CSV / sheets ──► activity (rows checked, rejected with location)
//!                                           ▼
//!                     calculate::Accumulator (exact sums per activity key)
//!                                           │
//!                     gap_fill::apply (gaps of series filled as inventory.toml
//!                                           │  [[fill]] declares: IPCC 2006 Vol. 1 ch. 5)
//!                     splice::apply (a reclassification in the statistics:
//!                                           │  each year's total of the rows split with
//!                                           │  one allocation, as [[splice]] declares)
//!  emission_factor (embedded Guidebook      ▼
//!  2023 + user files) ──► matching::FactorIndex ──► calculate::compute
//!                                           ▼      (activity × factor, exact;
//!                                           │  + method: manure NH3 split,
//!                                           │   road exhaust PM, SO2 from sulphur)
//!                     aggregate::build ──► annex1::Annex1Year (per year)
//!                                           ▼
//!    compile::write: annex1.xlsx, annex1_<YEAR>.csv, detail.csv, run.json
//! ```
//!
//! Numbers are [`rust_decimal::Decimal`] throughout; [`number::from_excel`]
//! is the one conversion from a workbook's doubles.
//!
//! # Example
//!
//! ```no_run
//! use airinv::{CompileOptions, Pollutant, Source, compute};
//! let source = Source::open_activity("inventories/example".as_ref())?;
//! let inventory = source.inventory().expect("an inventory folder");
//! let compiled = compute(inventory, &CompileOptions::default())?;
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
/// The Annex I workbook reader ([`annex1::xlsx_read`]), by its former name.
pub use annex1::xlsx_read as workbook;
pub use annex1::xlsx_read::read as read_workbook;
pub use compile::{CompileOptions, Compiled, compute};
pub use error::{Error, Result};
pub use notation_key::{Cell, NotationKey};
pub use pollutant::Pollutant;
pub use source::{Source, YearTable};

pub mod activity;
pub(crate) mod aggregate;
pub mod annex1;
pub mod calculate;
pub mod chart;
pub mod check;
pub mod commitment;
pub mod compare;
pub mod compile;
pub mod compliance;
pub(crate) mod config;
pub mod coverage;
pub(crate) mod data;
pub(crate) mod date;
pub mod digest;
pub mod emission_factor;
pub mod error;
pub mod explain;
pub mod fallback;
pub mod fuel;
pub(crate) mod gap_fill;
pub mod guidebook;
pub mod inventory;
pub mod kca;
pub mod limits;
pub mod lineage;
pub(crate) mod manure;
pub mod mapping;
pub mod matching;
pub(crate) mod method;
pub mod nfr;
pub mod notation_key;
pub mod number;
pub mod output;
pub mod pins;
pub mod plant;
pub mod pollutant;
pub mod ratification;
pub mod report;
pub mod scenario;
pub mod sheet;
pub mod source;
pub(crate) mod splice;
pub mod stream;
pub mod suggest;
pub mod tier3;
pub(crate) mod trend;
pub mod uncertainty;
pub mod unit;
pub mod without_factor;
