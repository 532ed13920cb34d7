//! Road transport exhaust PM (1A3bi-iv, Tier 1).
//!
//! The Guidebook 2023 chapter 1.A.3.b.i-iv treats exhaust particles as fine:
//! its Tier 1 "PM" factor (Table 3-6, g/kg fuel) is PM2.5, and
//! PM2.5 = PM10 = TSP. The EEA export files these factors under TSP only
//! (its Tier 2 exhaust tables file the same particles as PM2.5), so the
//! calculation gives PM10 and PM2.5 the TSP emission of the same activity.
//!
//! Black carbon: the Guidebook gives BC as a fraction of exhaust PM2.5 per
//! vehicle category, but no value was found in a source that could be read
//! (the export has no BC row for 1.A.3.b; see
//! `shared/reference/methods/road-bc-fractions.csv`), so BC stays NE rather
//! than be filled from memory. A country's fractions can be given as its
//! own factors (`BC, % of PM2.5`).

/// The Annex I rows of road exhaust.
pub const EXHAUST_ROWS: [&str; 4] = ["1A3bi", "1A3bii", "1A3biii", "1A3biv"];

/// True when a row's Tier 1 exhaust TSP is also its PM10 and PM2.5.
pub fn exhaust_pm_is_fine(code: &str) -> bool {
    EXHAUST_ROWS.contains(&code)
}

/// What detail.csv says of PM10 and PM2.5 taken from TSP.
pub const WHY: &str = "Guidebook 1.A.3.b.i-iv Tier 1: exhaust PM is PM2.5 (PM2.5 = PM10 = TSP); the export files the factor under TSP";
