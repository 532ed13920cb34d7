//! Every chart airinv draws, as SVG (plain text, pasteable into Word or
//! LibreOffice) or PNG: one module for the canvas, the axes and their
//! labels, escaping and colours, and one file per chart.
//!
//! - [`canvas`]: the SVG document, text escaped for SVG and HTML, decimals
//!   as f64 for drawing;
//! - [`axis`]: round ticks and the one label function (a tick's label
//!   shows its value);
//! - [`colour`]: the palettes, the paint of each GNFR sector (one on every
//!   chart) and the colours with a meaning;
//! - [`geometry`]: where a chart's labels and series lie, read back from its
//!   SVG, the rules of a legible chart (labels inside the canvas, clear of
//!   series and of each other) and the placing of a label where it is clear;
//! - [`panels`]: panels of bars, two per line; [`key_categories`] (`kca
//!   --plot`) and [`contributors`] (`uncertainty --plot`) draw with them;
//! - [`protocols`]: time series against protocol base years and
//!   commitments (`compare --plot`);
//! - [`report`]: the report page's stacked bars and Pareto charts, their
//!   legends under the plot; [`plan`]: its National Action Plan charts
//!   (options' projections against targets, plants against limit values);
//! - [`cost_curves`]: marginal abatement cost curves (`scenario`).
//!
//! Charts draw the analyses' results: this module imports `kca`,
//! `uncertainty`, `compare` and `scenario`, and none of them imports it;
//! the commands and the report page call it.
//!
//! ```text
//!  kca::PollutantKca ──────────► key_categories ─┐
//!  uncertainty::PollutantUncertainty ► contributors ─┴► panels ─┐
//!  compare::Comparison + tables ► protocols ────────────────────┤  axis,
//!  scenario::Outcome ──────────► cost_curves ───────────────────┤  canvas,
//!  report page series, shares ─► report, plan ──────────────────┤  colour,
//!                                                               │  geometry
//!                                                               ▼
//!                                            SVG text ──► write (.svg, .png)
//! ```

pub mod axis;
pub mod canvas;
pub mod colour;
pub mod contributors;
pub mod cost_curves;
pub mod geometry;
pub mod key_categories;
pub mod panels;
pub mod plan;
pub mod protocols;
pub mod report;

pub use axis::label;
pub use canvas::{esc, to_f64};

/// Writes a picture as .svg or .png by the path's extension.
pub fn write(path: &std::path::Path, svg: &str) -> crate::error::Result<()> {
    use crate::error::Error;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("svg") => crate::output::write_bytes_atomically(path, svg.as_bytes()),
        Some("png") => {
            let bytes = png(svg).map_err(|e| Error::file(path, e))?;
            crate::output::write_bytes_atomically(path, &bytes)
        }
        _ => Err(Error::file(path, "the picture must be .svg or .png")),
    }
}

/// Renders an SVG document to PNG at twice its size (for print), with the
/// system's fonts.
#[cfg(feature = "png")]
pub fn png(svg: &str) -> Result<Vec<u8>, String> {
    use resvg::{tiny_skia, usvg};
    let mut opt = usvg::Options::default();
    opt.fontdb_mut().load_system_fonts();
    if opt.fontdb.is_empty() {
        return Err(
            "no fonts are installed, so the labels cannot be drawn; write an .svg instead".into(),
        );
    }
    let tree =
        usvg::Tree::from_str(svg, &opt).map_err(|e| format!("cannot read the picture: {e}"))?;
    let scale = 2.0;
    let size = tree.size();
    let mut pixmap = tiny_skia::Pixmap::new(
        (size.width() * scale) as u32,
        (size.height() * scale) as u32,
    )
    .ok_or("the picture has no size")?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("cannot encode the PNG: {e}"))
}

/// Without the `png` feature, only SVG is written.
#[cfg(not(feature = "png"))]
pub fn png(_svg: &str) -> Result<Vec<u8>, String> {
    Err("this airinv was built without the png feature; write an .svg instead".into())
}
