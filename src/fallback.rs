//! The Guidebook's own fallbacks, as data: where a chapter has no factor
//! table for an activity and says which factors serve it (other energy
//! industries take the 1.A.1.a factors, pipeline compressors those of
//! 1.A.2, petroleum coke in refineries the residual-oil table), read from
//! `emission-factors/guidebook-fallbacks.csv`.
//!
//! [`crate::matching`] consults an entry that names the activity's fuel
//! before the fuel's broader names in its own row, and an entry that names
//! its group (or every fuel) after them: [`Fallbacks::named`] and
//! [`Fallbacks::by_group`].

use crate::fuel::{ActivityFuel, FuelGroup, Fuels};
use std::sync::LazyLock;

/// Which fuels an entry is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuelSet {
    /// Every fuel (`*`).
    Any,
    /// Fuels by name (as fuels.csv names them) and groups.
    Some {
        names: Vec<String>,
        groups: Vec<FuelGroup>,
    },
}

/// One entry of guidebook-fallbacks.csv.
#[derive(Debug, Clone)]
pub struct Fallback {
    /// The Annex I row of the activity (`1A1c`).
    pub code: String,
    pub fuels: FuelSet,
    /// The rows whose factors serve, in order: the first that gives
    /// factors wins.
    pub uses: Vec<String>,
    /// The Guidebook fuel to look up there instead of the activity's.
    pub use_fuel: Option<String>,
    /// The table to look in instead of the activity's tier.
    pub use_table: Option<String>,
    /// The chapter and tables the entry follows.
    pub guidebook: String,
    pub reason: String,
}

impl Fallback {
    /// `Guidebook guidance for 1A1c (1.A.1 ..., section 5): the 1A1a
    /// factors`, for detail.csv's `why`.
    pub fn describe(&self, used: &str) -> String {
        let mut what = format!("the {used} factors");
        if let Some(fuel) = &self.use_fuel {
            what.push_str(&format!(" of '{fuel}'"));
        }
        if let Some(table) = &self.use_table {
            what.push_str(&format!(" ({table})"));
        }
        format!(
            "no factor of {}'s own for the fuel: Guidebook guidance ({}), {what}: {}",
            self.code, self.guidebook, self.reason
        )
    }
}

/// The entries of guidebook-fallbacks.csv.
#[derive(Debug, Clone)]
pub struct Fallbacks {
    entries: Vec<Fallback>,
}

static BUILT_IN: LazyLock<Fallbacks> = LazyLock::new(|| {
    let mut reader =
        crate::data::reader(include_str!("../emission-factors/guidebook-fallbacks.csv"));
    let entries = reader
        .records()
        .map(|r| {
            let r = r.expect("embedded guidebook-fallbacks.csv is valid CSV");
            let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
            let fuels = if r[1].trim() == "*" {
                FuelSet::Any
            } else {
                let (mut names, mut groups) = (Vec::new(), Vec::new());
                for part in r[1].split('|').map(str::trim) {
                    match FuelGroup::parse(part) {
                        Some(g) => groups.push(g),
                        None => names.push(part.to_string()),
                    }
                }
                FuelSet::Some { names, groups }
            };
            Fallback {
                code: r[0].trim().to_string(),
                fuels,
                uses: r[2].split('|').map(|s| s.trim().to_string()).collect(),
                use_fuel: some(&r[3]),
                use_table: some(&r[4]),
                guidebook: r[5].to_string(),
                reason: r[6].to_string(),
            }
        })
        .collect();
    Fallbacks { entries }
});

impl Fallbacks {
    /// The entries shipped with airinv.
    pub fn built_in() -> &'static Fallbacks {
        &BUILT_IN
    }

    pub fn entries(&self) -> &[Fallback] {
        &self.entries
    }

    /// The entry of a row that names this fuel (or one of its names).
    pub fn named(&self, code: &str, fuel: &ActivityFuel, fuels: &Fuels) -> Option<&Fallback> {
        self.entries.iter().find(|e| {
            e.code == code
                && match &e.fuels {
                    FuelSet::Any => false,
                    FuelSet::Some { names, .. } => {
                        names.iter().any(|n| fuels.is_activity_fuel(n, fuel))
                    }
                }
        })
    }

    /// The entry of a row for the fuel's group, or for every fuel.
    pub fn by_group(&self, code: &str, group: Option<FuelGroup>) -> Option<&Fallback> {
        self.entries.iter().find(|e| {
            e.code == code
                && match &e.fuels {
                    FuelSet::Any => true,
                    FuelSet::Some { groups, .. } => group.is_some_and(|g| groups.contains(&g)),
                }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_names_template_rows_and_known_fuels() {
        let fuels = Fuels::built_in();
        for e in Fallbacks::built_in().entries() {
            assert!(crate::nfr::find(&e.code).is_some(), "{}", e.code);
            for u in &e.uses {
                assert!(crate::nfr::find(u).is_some(), "{u}");
            }
            if let FuelSet::Some { names, .. } = &e.fuels {
                for n in names {
                    assert!(fuels.id(n).is_some(), "{n} is not in fuels.csv");
                }
            }
            assert!(!e.guidebook.is_empty() && !e.reason.is_empty());
        }
        let gas = ActivityFuel::read("natural gas", fuels).unwrap();
        let b = Fallbacks::built_in();
        assert!(b.named("1A1c", &gas, fuels).is_none());
        assert_eq!(
            b.by_group("1A1c", Some(FuelGroup::Gaseous)).unwrap().uses,
            ["1A1a"]
        );
        let cog = ActivityFuel::read("coke oven gas", fuels).unwrap();
        assert!(b.named("1A1c", &cog, fuels).is_some());
        assert!(b.by_group("1A1c", Some(FuelGroup::Solid)).is_none());
        assert_eq!(b.by_group("1A3ei", None).unwrap().uses, ["1A2gviii"]);
    }
}
