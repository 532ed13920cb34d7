//! The Pareto chart of the key categories (`kca --plot`): per pollutant,
//! the categories in descending order of level, key ones highlighted, the
//! cumulative share and the 80 % threshold.

use super::canvas::to_f64;
use super::panels::{self, Bar, Panel};
use crate::error::Result;
use crate::kca::{PollutantKca, THRESHOLD_PCT};
use std::path::Path;

/// The Pareto panel of each analysis: the first `top` categories.
pub fn pareto(analyses: &[PollutantKca], top: usize) -> Vec<Panel> {
    analyses
        .iter()
        .map(|k| Panel {
            title: format!("{} {} (level, %)", k.pollutant.id(), k.year),
            bars: k
                .categories
                .iter()
                .take(top)
                .map(|c| Bar {
                    label: c.code.to_string(),
                    value: to_f64(c.level),
                    highlight: c.key_level,
                    sector: crate::nfr::find(c.code)
                        .map(|r| r.gnfr.clone())
                        .unwrap_or_default(),
                })
                .collect(),
            cumulative: true,
            threshold: Some(to_f64(THRESHOLD_PCT)),
        })
        .collect()
}

/// Writes the chart of a year's analyses (the first 20 categories of each)
/// as .svg or .png.
pub fn write(path: &Path, analyses: &[PollutantKca], year: i32) -> Result<()> {
    let svg = panels::svg(
        &pareto(analyses, 20),
        &format!("Key categories {year} (Approach 1, level)"),
        "bars: share of the national total, in the colour of their GNFR sector (light: not key); line: cumulative share; dashed: 80 % threshold",
    );
    super::write(path, &svg)
}
