//! The colours of the charts: two palettes for series, and the colours that
//! mean the same on every chart that uses them.

/// Okabe & Ito (2008), "Color Universal Design": 7 colours distinguishable
/// with the common forms of colour blindness, then grey. Series on the
/// report page's charts, each also named in a legend.
pub const OKABE_ITO: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#999999",
];

/// The ten colours of D3's `category10`, for the steps of cost curves.
pub const CATEGORY10: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// A key category's bar.
pub const KEY: &str = "#1f6fb2";
/// Any other bar of a Pareto panel.
pub const NOT_KEY: &str = "#a9c4dc";
/// A cumulative share.
pub const CUMULATIVE: &str = "#d35400";
/// A limit: a commitment ceiling, a threshold.
pub const LIMIT: &str = "#c0392b";
/// An emission series.
pub const SERIES: &str = "#1f5fa8";
