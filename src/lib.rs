//! airinv: air-pollutant emission inventories for the UNECE Air Convention
//! (CLRTAP), from activity data and the EMEP/EEA Guidebook 2023 factors, to
//! the Annex I reporting template (NFR 2019-1).
//!
//! # Data flow
//!
//! ```text
//!  inventory.toml ──► inventory::Inventory ─┐
//!                                           │
//!  a balance sheet + mapping.toml ──► mapping::convert (every number cell
//!                                           │  mapped, excluded or unmapped;
//!                                           │  subtotals checked)
//!  activity CSV / sheets ──► activity (rows checked, rejected with location)
//!                                           │
//!                                           ▼
//!                     calculate::Accumulator (exact sums per activity key)
//!                                           │
//!  emission_factor (embedded Guidebook      ▼
//!  2023 + user files) ──► matching::FactorIndex ──► calculate::compute
//!  fuel, unit, nfr, pollutant               │      (one factor per pollutant,
//!                                           │       activity × factor, exact)
//!                                           ▼
//!                     aggregate::build ──► annex1::Annex1Year (per year:
//!                                           │  cells, notation keys, totals)
//!                                           ▼
//!              annex1.xlsx, annex1_<YEAR>.csv, lineage (detail.csv), run.json
//! ```
//!
//! The principal types: [`activity::Activity`] (one checked input row),
//! [`emission_factor::Factor`] (one factor, with its origin),
//! [`matching::FactorIndex`] (chooses factors for an activity),
//! [`calculate::KeyResult`] (the emission of summed activities, with the
//! lineage of each pollutant), [`annex1::Annex1Year`] (the template table of
//! a year) and [`notation_key::Cell`] (a number, a notation key, or nothing).
//! Past submissions come in through [`workbook::read`]: a filled Annex I
//! workbook, one [`annex1::Annex1Year`] per year sheet, cells located by NFR
//! code and column name. [`check::Submission`] holds the tables of an
//! inventory, an output folder or a workbook, and [`check::run`] tests them
//! as CEIP would (completeness, keys, sums, consistency, implied factors,
//! time series, recalculations), each [`check::Finding`] at its sheet and
//! cell. [`sheet::read`] reads CSV files as Excel writes them in any locale
//! (encoding, separator, decimal comma) and bounds workbooks before they are
//! unpacked.
//! [`kca::analyse`] finds the key categories of a year (level, trend,
//! Approach 2) in any Annex I table; [`uncertainty`] propagates the
//! uncertainty of each activity and factor of a compiled inventory
//! ([`uncertainty::Lineage`]) by Approach 1 (exact decimals) and by Monte
//! Carlo ([`uncertainty::monte_carlo::run`], the one floating-point
//! computation besides plots).
//! Numbers are [`rust_decimal::Decimal`] throughout; [`number::from_excel`]
//! is the one conversion from a workbook's doubles.
//!
//! # Example
//!
//! ```no_run
//! use airinv::cmd::compile::{CompileOptions, run};
//! let report = run(&CompileOptions {
//!     source: "inventories/example".into(),
//!     out: "out".into(),
//!     ..CompileOptions::default()
//! })?;
//! assert_eq!(report.counts.read, report.counts.used + report.counts.rejected);
//! # Ok::<(), airinv::error::Error>(())
//! ```
pub mod activity;
pub mod aggregate;
pub mod annex1;
pub mod calculate;
pub mod chart;
pub mod check;
pub mod cmd;
pub mod commitment;
pub mod compare;
pub mod data;
pub mod digest;
pub mod emission_factor;
pub mod error;
pub mod fuel;
pub mod guidebook;
pub mod inventory;
pub mod kca;
pub mod lineage;
pub mod mapping;
pub mod matching;
pub mod nfr;
pub mod notation_key;
pub mod number;
pub mod output;
pub mod plot;
pub mod pollutant;
pub mod sheet;
pub mod source;
pub mod stream;
pub mod trend;
pub mod uncertainty;
pub mod unit;
pub mod workbook;
