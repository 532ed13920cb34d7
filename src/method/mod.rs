//! Guidebook Tier 1 methods that are more than one factor per activity row.
//!
//! The calculation (`calculate.rs`) multiplies an activity by one factor per
//! pollutant. Where the Guidebook's Tier 1 method is more than that, the
//! method lives here, as data and small rules the calculation applies, each
//! with the words `detail.csv` shows for it:
//!
//! - [`manure`]: one livestock population gives NH3 in housing and storage
//!   (3B), manure applied to soils (3Da2a) and grazing (3Da3), Table 3-2 of
//!   chapter 3.B;
//! - [`road`]: road exhaust PM is PM2.5 (PM2.5 = PM10 = TSP), chapter
//!   1.A.3.b.i-iv Tier 1;
//! - [`sulphur`]: SO2 = 2 × sulphur content × fuel, for road, rail, off-road
//!   machinery and navigation, with defaults per fuel and country group and
//!   an override in inventory.toml.
//!
//! Aviation's jet kerosene factors (per tonne of LTO fuel of a representative
//! aircraft) are derived when the export is imported (`guidebook.rs`), since
//! they are factors, not a rule of calculation.

pub mod manure;
pub mod road;
pub mod sulphur;
