//! The largest contributors to the uncertainty of each pollutant's total
//! (`uncertainty --plot`): per pollutant, the rows with the largest share of
//! the variance (Approach 1), key categories highlighted.

use super::panels::{self, Bar, Panel};
use crate::error::Result;
use crate::uncertainty::PollutantUncertainty;
use std::path::Path;

/// The panel of each pollutant: its first `top` rows by share of variance.
pub fn contributors(all: &[PollutantUncertainty], top: usize) -> Vec<Panel> {
    all.iter()
        .map(|u| Panel {
            title: format!(
                "{} (share of the variance of the total, %)",
                u.approach1.pollutant.id()
            ),
            bars: u
                .approach1
                .rows
                .iter()
                .take(top)
                .map(|r| Bar {
                    label: r.input.code.to_string(),
                    value: r.variance_share.to_string().parse().unwrap_or(0.0),
                    highlight: !r.key.is_empty(),
                    sector: crate::nfr::find(r.input.code)
                        .map(|r| r.gnfr.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            cumulative: false,
            threshold: None,
        })
        .collect()
}

/// Writes the chart of a year (the first 15 rows of each pollutant) as
/// .svg or .png.
pub fn write(path: &Path, all: &[PollutantUncertainty], year: i32) -> Result<()> {
    let svg = panels::svg(
        &contributors(all, 15),
        &format!("Largest contributors to the uncertainty of the totals, {year}"),
        "bars: each row's share of the variance of the national total (Approach 1), in the colour of its GNFR sector; light: not a key category",
    );
    super::write(path, &svg)
}
