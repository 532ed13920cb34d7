//! The colours of the charts: two palettes for series, the paint of each
//! GNFR sector (one per sector on every chart), and the colours that mean
//! the same on every chart that uses them.

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

/// A cumulative share.
pub const CUMULATIVE: &str = "#d35400";
/// A limit: a commitment ceiling, a threshold.
pub const LIMIT: &str = "#c0392b";
/// An emission series.
pub const SERIES: &str = "#1f5fa8";

/// How a filled area is drawn: a colour, plain or with a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pattern {
    Solid,
    /// Diagonal stripes of the colour on white.
    Hatched,
    /// Dots of the colour on white.
    Dotted,
}

/// The paint of a bar or a legend box.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Paint {
    pub colour: &'static str,
    pub pattern: Pattern,
}

/// "Other sectors" and anything without a sector: grey.
pub const OTHER: Paint = Paint {
    colour: "#999999",
    pattern: Pattern::Solid,
};

/// The paint of a GNFR sector (`A_PublicPower`), the same on every chart:
/// its letter's place (A, B, ... P, then z for memo items) in the seven
/// Okabe–Ito colours, solid for A-G, hatched for H-N, dotted for O-P and z.
/// Anything else is [`OTHER`].
pub fn sector(gnfr: &str) -> Paint {
    let place = match gnfr.chars().next() {
        Some(c @ 'A'..='P') => c as usize - 'A' as usize,
        Some('z') => 16,
        _ => return OTHER,
    };
    // A bare letter is not a sector's name (GNFR names are `X_Name`).
    if gnfr.len() > 1 && gnfr.as_bytes()[1] != b'_' {
        return OTHER;
    }
    Paint {
        colour: OKABE_ITO[place % 7],
        pattern: match place / 7 {
            0 => Pattern::Solid,
            1 => Pattern::Hatched,
            _ => Pattern::Dotted,
        },
    }
}

impl Paint {
    /// The value of a `fill` attribute: the colour, or the pattern's url.
    pub fn fill(&self) -> String {
        match self.pattern {
            Pattern::Solid => self.colour.to_string(),
            _ => format!("url(#{})", self.id()),
        }
    }

    /// The id of the pattern (`hatch-0072B2`).
    fn id(&self) -> String {
        let kind = match self.pattern {
            Pattern::Solid => "solid",
            Pattern::Hatched => "hatch",
            Pattern::Dotted => "dots",
        };
        format!("{kind}-{}", self.colour.trim_start_matches('#'))
    }

    /// The pattern's definition, `None` for a plain colour.
    fn definition(&self) -> Option<String> {
        let c = self.colour;
        match self.pattern {
            Pattern::Solid => None,
            Pattern::Hatched => Some(format!(
                r#"<pattern id="{}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="white"/><rect width="3.5" height="6" fill="{c}"/></pattern>"#,
                self.id()
            )),
            Pattern::Dotted => Some(format!(
                r#"<pattern id="{}" width="5" height="5" patternUnits="userSpaceOnUse"><rect width="5" height="5" fill="white"/><circle cx="2.5" cy="2.5" r="1.8" fill="{c}"/></pattern>"#,
                self.id()
            )),
        }
    }
}

/// The `<defs>` of the patterns among `paints` (empty when all are plain).
/// Charts inline in one page repeat the same definitions, identical, so
/// any of them serves.
pub fn defs(paints: impl IntoIterator<Item = Paint>) -> String {
    let mut set: Vec<Paint> = paints.into_iter().collect();
    set.sort();
    set.dedup();
    let patterns: String = set.iter().filter_map(Paint::definition).collect();
    if patterns.is_empty() {
        String::new()
    } else {
        format!("<defs>{patterns}</defs>\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sector_has_one_paint_by_its_letter() {
        assert_eq!(sector("A_PublicPower").fill(), "#0072B2");
        assert_eq!(sector("B_Industry").fill(), "#E69F00");
        assert_eq!(sector("G_Shipping").fill(), "#F0E442");
        // H is the first colour again, hatched; O dotted.
        assert_eq!(sector("H_Aviation").colour, "#0072B2");
        assert_eq!(sector("H_Aviation").fill(), "url(#hatch-0072B2)");
        assert_eq!(sector("K_AgriLivestock").fill(), "url(#hatch-D55E00)");
        assert_eq!(sector("O_AviCruise").pattern, Pattern::Dotted);
        assert_eq!(sector("z_Memo").colour, OKABE_ITO[2]);
        assert_eq!(sector("Other sectors"), OTHER);
        assert_eq!(sector(""), OTHER);
        // The 17 sectors have 17 different paints.
        let all: std::collections::BTreeSet<Paint> = "ABCDEFGHIJKLMNOP"
            .chars()
            .map(|c| sector(&format!("{c}_X")))
            .chain([sector("z_Memo")])
            .collect();
        assert_eq!(all.len(), 17);
        let d = defs([
            sector("A_PublicPower"),
            sector("H_Aviation"),
            sector("H_Aviation"),
        ]);
        assert_eq!(d.matches("<pattern").count(), 1);
        assert!(d.contains(r#"id="hatch-0072B2""#));
        assert_eq!(defs([sector("A_PublicPower")]), "");
    }
}
