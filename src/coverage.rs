//! Tier 1 coverage: for every Annex I row and pollutant, whether airinv
//! computes it by a Guidebook Tier 1 method from fuel use, needs an activity
//! it cannot derive from an energy balance (and which), or whether the
//! Guidebook has no Tier 1 for it.
//!
//! Read from the embedded factor database (with its corrections and derived
//! jet factors) and the methods of `method/`: road exhaust PM2.5 and PM10
//! from TSP, SO2 from fuel sulphur, manure NH3 of 3Da2a and 3Da3 from the 3B
//! populations, BC as a share of PM2.5.

use crate::emission_factor::{Factor, FactorKind};
use crate::pollutant::Pollutant;
use crate::unit::{Dimension, FactorUnit};
use std::collections::BTreeMap;

/// How a row × pollutant is covered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// A Tier 1 factor per energy or tonne of fuel: computed from fuel use,
    /// for the fuels the text names (the row's own, and those of the rows
    /// guidebook-fallbacks.csv sends other fuels to).
    Fuel(String),
    /// A Tier 1 method of airinv (the text says which).
    Method(String),
    /// Tier 1 factors per another activity (animals, clinker, kg N...).
    Activity(String),
    /// No Tier 1 in the Guidebook.
    None,
}

impl Status {
    pub fn label(&self) -> &'static str {
        match self {
            Status::Fuel(_) => "computed from fuel use",
            Status::Method(_) => "computed by a Tier 1 method",
            Status::Activity(_) => "needs an activity airinv cannot derive",
            Status::None => "no Tier 1 in the Guidebook",
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Status::Fuel(s) | Status::Method(s) | Status::Activity(s) => s,
            _ => "",
        }
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Line {
    pub code: String,
    pub name: String,
    pub pollutant: Pollutant,
    pub status: Status,
}

fn is_fuel(f: &Factor) -> bool {
    match &f.unit {
        FactorUnit::Rate { per, .. } => {
            per.dimension == Dimension::Energy
                || (per.dimension == Dimension::Mass && per.basis.contains("fuel"))
        }
        _ => false,
    }
}

/// The Guidebook fuels of factors per fuel: `Biogas, Biomass`.
fn fuels_of(fs: &[&Factor]) -> String {
    let mut names: Vec<&str> = fs
        .iter()
        .filter(|f| is_fuel(f))
        .map(|f| f.fuel.as_deref().unwrap_or("no fuel"))
        .collect();
    names.sort();
    names.dedup();
    names.join(", ")
}

/// The rows (with their fuels) whose Tier 1 factors for a pollutant
/// guidebook-fallbacks.csv gives a row's other fuels: `1A1a (Natural gas, ...)`.
fn fallback_fuels(
    tier1: &BTreeMap<(&str, Pollutant), Vec<&Factor>>,
    code: &str,
    p: Pollutant,
) -> Vec<String> {
    let mut out = Vec::new();
    for e in crate::fallback::Fallbacks::built_in()
        .entries()
        .iter()
        .filter(|e| e.code == code && e.use_table.is_none())
    {
        for u in &e.uses {
            let fs = tier1
                .get(&(u.as_str(), p))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            if fs.iter().any(|f| is_fuel(f)) {
                out.push(format!("{u} ({})", fuels_of(fs)));
            }
        }
    }
    out
}

/// The coverage of every row that takes activity, for every pollutant.
pub fn table(factors: &[Factor]) -> Vec<Line> {
    let mut tier1: BTreeMap<(&str, Pollutant), Vec<&Factor>> = BTreeMap::new();
    for f in factors.iter().filter(|f| {
        f.pins.tier == Some(crate::pins::Tier::One) && f.kind == FactorKind::EmissionFactor
    }) {
        for c in &f.annex1_codes {
            tier1.entry((c.as_str(), f.pollutant)).or_default().push(f);
        }
    }
    let mut out = Vec::new();
    for row in crate::nfr::rows().iter().filter(|r| r.takes_activity()) {
        let code = row.code.trim_end_matches("(fu)");
        let status_of = |p: Pollutant| -> Status {
            let fs = tier1.get(&(code, p)).map(Vec::as_slice).unwrap_or(&[]);
            let by_fallback = fallback_fuels(&tier1, code, p);
            if fs.iter().any(|f| is_fuel(f)) || !by_fallback.is_empty() {
                let mut detail = format!("for {}", fuels_of(fs));
                if fs.iter().all(|f| !is_fuel(f)) {
                    detail = String::from("no fuel of its own");
                }
                if !by_fallback.is_empty() {
                    detail.push_str(&format!(
                        "; other fuels by guidebook-fallbacks.csv: {}",
                        by_fallback.join(", ")
                    ));
                }
                return Status::Fuel(detail);
            }
            let mut per: Vec<String> = fs
                .iter()
                .filter_map(|f| match &f.unit {
                    FactorUnit::Rate { per, .. } => Some(per.to_string()),
                    _ => None,
                })
                .collect();
            per.sort();
            per.dedup();
            if !per.is_empty() {
                return Status::Activity(format!("per {}", per.join(", per ")));
            }
            Status::None
        };
        let tsp = status_of(Pollutant::TSP);
        for p in Pollutant::ALL {
            let mut status = status_of(p);
            if p == Pollutant::NH3
                && crate::method::manure::PARTS
                    .iter()
                    .any(|(c, ..)| *c == code)
            {
                status = Status::Method(
                    "NH3 from the 3B animal populations (Table 3-2); other sources per kg N".into(),
                );
            } else if status == Status::None {
                if matches!(p, Pollutant::PM10 | Pollutant::PM25)
                    && crate::method::road::exhaust_pm_is_fine(code)
                    && matches!(tsp, Status::Fuel(_))
                {
                    status = Status::Method("exhaust PM2.5 = PM10 = TSP".into());
                } else if p == Pollutant::SOx && crate::method::sulphur::ROWS.contains(&code) {
                    status = Status::Method(
                        "SO2 = 2 × S × fuel (defaults for the EU and Kazakhstan, or [sulphur])"
                            .into(),
                    );
                }
            }
            // A share of another pollutant is covered as that pollutant is.
            if let Some(fs) = tier1.get(&(code, p))
                && !fs.is_empty()
                && fs.iter().all(|f| matches!(f.unit, FactorUnit::ShareOf(_)))
                && let FactorUnit::ShareOf(of) = fs[0].unit
            {
                status = match status_of(of) {
                    Status::Fuel(s) => Status::Fuel(format!("{s} (as % of {of})")),
                    Status::Activity(s) => Status::Activity(format!("{s} (as % of {of})")),
                    _ => Status::None,
                };
            }
            out.push(Line {
                code: row.code.clone(),
                name: row.name.clone(),
                pollutant: p,
                status,
            });
        }
    }
    out
}

/// The table as CSV, then nothing else.
pub fn write_csv<W: std::io::Write>(out: W, lines: &[Line]) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(out);
    w.write_record(["code", "name", "pollutant", "coverage", "detail"])?;
    for l in lines {
        w.write_record([
            l.code.as_str(),
            &l.name,
            l.pollutant.id(),
            l.status.label(),
            l.status.detail(),
        ])?;
    }
    w.flush()
}

/// Counts by coverage, for a summary.
pub fn summary(lines: &[Line]) -> BTreeMap<&'static str, usize> {
    let mut m = BTreeMap::new();
    for l in lines {
        *m.entry(l.status.label()).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coverage_of_known_rows() {
        let factors = crate::emission_factor::embedded().unwrap();
        let t = table(&factors);
        let get = |code: &str, p: Pollutant| {
            t.iter()
                .find(|l| l.code == code && l.pollutant == p)
                .unwrap()
                .status
                .clone()
        };
        assert_eq!(
            get("1A1a", Pollutant::NOx).label(),
            "computed from fuel use"
        );
        // NH3 of 1A1a: biogas only, said per fuel.
        assert_eq!(
            get("1A1a", Pollutant::NH3),
            Status::Fuel("for Biogas".into())
        );
        // Pipeline compressors: no factor of their own, 1.A.2's by the
        // Guidebook's guidance.
        match get("1A3ei", Pollutant::NOx) {
            Status::Fuel(s) => assert!(
                s.contains("1A2gviii (") && s.contains("Gaseous Fuels"),
                "{s}"
            ),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            get("1A3biii", Pollutant::PM25).label(),
            "computed by a Tier 1 method"
        );
        assert_eq!(
            get("1A3c", Pollutant::SOx).label(),
            "computed by a Tier 1 method"
        );
        assert_eq!(
            get("3Da2a", Pollutant::NH3).label(),
            "computed by a Tier 1 method"
        );
        // Jet kerosene: the derived factors per tonne of LTO fuel.
        assert_eq!(
            get("1A3aii(i)", Pollutant::CO).label(),
            "computed from fuel use"
        );
        match get("2A1", Pollutant::PM25) {
            Status::Activity(s) => assert!(s.contains("clinker"), "{s}"),
            other => panic!("{other:?}"),
        }
        // Fertiliser NOx, per kg N (the corrected unit).
        assert!(matches!(get("3Da1", Pollutant::NOx), Status::Activity(_)));
        // Every row × pollutant once.
        let rows = crate::nfr::rows()
            .iter()
            .filter(|r| r.takes_activity())
            .count();
        assert_eq!(t.len(), rows * Pollutant::ALL.len());
    }
}
