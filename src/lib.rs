//! airinv: air-pollutant emission inventories for the UNECE Air Convention
//! (CLRTAP), from activity data and the EMEP/EEA Guidebook 2023 factors.
pub mod activity;
pub mod aggregate;
pub mod annex1;
pub mod calculate;
pub mod cmd;
pub mod data;
pub mod emission_factor;
pub mod error;
pub mod fuel;
pub mod guidebook;
pub mod inventory;
pub mod lineage;
pub mod matching;
pub mod nfr;
pub mod notation_key;
pub mod number;
pub mod output;
pub mod pollutant;
pub mod sheet;
pub mod unit;
