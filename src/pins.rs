//! The parts that tell one activity, or one factor, of an Annex I row from
//! another: technology, table, abatement, region and tier (the "pins"), as
//! names that are never empty and a tier that is an enum.
//!
//! Files write these parts as text cells where an empty cell means "not
//! given"; they are read into these types once, at the edge (an activity
//! row, a factor file, a mapping target), and written back as text only
//! where a file or a message shows them. Inside, "not given" is `None`:
//!
//! ```text
//!  activity cell / factor cell / mapping setting ──► Name::new, Tier::parse
//!        ──► Pins ──► activity::ActivityKey, emission_factor::Factor,
//!                     mapping::Target ──► matching (a pin given narrows
//!                     the factors to those that have it)
//! ```
//!
//! The fuel is not a pin: an activity's fuel is resolved into the fuel
//! table ([`crate::fuel::ActivityFuel`]), a factor's is the name its source
//! writes.

use std::cmp::Ordering;
use std::fmt;
use std::sync::Arc;

/// A name as written (a technology, a table, a fuel ...): trimmed, never
/// empty. Cheap to clone (keys holding names are cloned per block of a
/// large file); ordered and compared as its text.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Arc<str>);

impl Name {
    /// The name of a text, trimmed; `None` for an empty (or blank) text.
    pub fn new(text: &str) -> Option<Name> {
        let t = text.trim();
        (!t.is_empty()).then(|| Name(Arc::from(t)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for Name {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// The text of a part that may be absent, as files and messages show it:
/// empty when it is not given.
pub fn text<T: AsRef<str>>(part: &Option<T>) -> &str {
    part.as_ref().map_or("", AsRef::as_ref)
}

/// The tier of a method: the Guidebook's Tier 1 and 2, Tier 3 (facility
/// data, models), country-specific, or a tier named otherwise.
///
/// Read from `1`, `2`, `3`, `CS`, with or without `Tier`/`T` before the
/// number (`Tier 2`, `T2`); shown as `1`, `2`, `3`, `CS` (what the factor
/// database and detail.csv write), another name as written. Ordered as its
/// text, so keys sort as their texts did.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tier {
    One,
    Two,
    Three,
    CountrySpecific,
    /// A tier named otherwise (`3b`), as written.
    Other(Name),
}

impl Tier {
    /// The tier a text names; `None` for an empty text.
    pub fn parse(text: &str) -> Option<Tier> {
        let name = Name::new(text)?;
        let lower = name.to_ascii_lowercase();
        let level = lower
            .strip_prefix("tier")
            .or_else(|| lower.strip_prefix('t'))
            .unwrap_or(&lower)
            .trim();
        Some(match level {
            "1" => Tier::One,
            "2" => Tier::Two,
            "3" => Tier::Three,
            "cs" => Tier::CountrySpecific,
            _ => Tier::Other(name),
        })
    }

    /// As files show it: `1`, `2`, `3`, `CS`, or the name as written.
    pub fn as_str(&self) -> &str {
        match self {
            Tier::One => "1",
            Tier::Two => "2",
            Tier::Three => "3",
            Tier::CountrySpecific => "CS",
            Tier::Other(name) => name,
        }
    }
}

impl AsRef<str> for Tier {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialOrd for Tier {
    fn partial_cmp(&self, other: &Tier) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Tier {
    fn cmp(&self, other: &Tier) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

/// The pins of an activity, a factor or a mapping target: each `None` when
/// not given. Ordered as listed (technology first), as activity keys sort.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pins {
    pub technology: Option<Name>,
    pub table: Option<Name>,
    pub abatement: Option<Name>,
    pub region: Option<Name>,
    pub tier: Option<Tier>,
}

impl Pins {
    /// The settings' names, in the order files list them.
    pub const NAMES: [&'static str; 5] = ["technology", "table", "abatement", "region", "tier"];

    /// The pins of five texts in the order of [`Pins::NAMES`] (empty: not given).
    pub fn parse(texts: [&str; 5]) -> Pins {
        let [technology, table, abatement, region, tier] = texts;
        Pins {
            technology: Name::new(technology),
            table: Name::new(table),
            abatement: Name::new(abatement),
            region: Name::new(region),
            tier: Tier::parse(tier),
        }
    }

    /// The texts in the order of [`Pins::NAMES`], empty where not given.
    pub fn texts(&self) -> [&str; 5] {
        [
            text(&self.technology),
            text(&self.table),
            text(&self.abatement),
            text(&self.region),
            text(&self.tier),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_trimmed_and_never_empty() {
        assert_eq!(Name::new("  Dairy cows ").unwrap().as_str(), "Dairy cows");
        assert_eq!(Name::new(""), None);
        assert_eq!(Name::new(" \t "), None);
        assert_eq!(text(&Name::new("")), "");
        assert_eq!(text(&Name::new("x")), "x");
    }

    #[test]
    fn tiers_are_read_in_the_ways_compilers_write_them() {
        for t in ["2", "Tier 2", "tier2", "T2", " t 2 "] {
            assert_eq!(Tier::parse(t), Some(Tier::Two), "{t}");
        }
        assert_eq!(Tier::parse("1"), Some(Tier::One));
        assert_eq!(Tier::parse("Tier 3"), Some(Tier::Three));
        assert_eq!(Tier::parse("cs"), Some(Tier::CountrySpecific));
        assert_eq!(Tier::parse(""), None);
        let other = Tier::parse("3b").unwrap();
        assert_eq!(other, Tier::Other(Name::new("3b").unwrap()));
        assert_eq!(other.to_string(), "3b");
        assert_eq!(Tier::parse("Tier 2").unwrap().to_string(), "2");
        assert_eq!(Tier::CountrySpecific.to_string(), "CS");
    }

    #[test]
    fn parts_order_as_their_texts_with_none_first() {
        // As the strings they replace sorted: "" < "2" < "3" < "3b" < "CS".
        let mut tiers = [
            Tier::parse("CS"),
            Tier::parse("3b"),
            None,
            Tier::parse("3"),
            Tier::parse("2"),
        ];
        tiers.sort();
        let shown: Vec<&str> = tiers.iter().map(text).collect();
        assert_eq!(shown, ["", "2", "3", "3b", "CS"]);
        let a = Pins::parse(["Dairy cows", "", "", "", ""]);
        let b = Pins::parse(["Dairy cows", "Table_3-1", "", "", ""]);
        let c = Pins::parse(["", "Table_3-1", "", "", "2"]);
        assert!(c < a && a < b);
        assert_eq!(b.texts(), ["Dairy cows", "Table_3-1", "", "", ""]);
        assert_eq!(c.texts(), ["", "Table_3-1", "", "", "2"]);
    }
}
