//! Manure types: how the Guidebook's livestock tables (chapter 3.B and the
//! per-animal rows of 3.D) tell manure systems apart, in the column that
//! holds the fuel in energy rows.
//!
//! A manure type is never a fuel: `Solid` manure is not Solid Fuels. In
//! agriculture rows (NFR 3) the activity's fuel column is read as a manure
//! type and compared by name only; the fuel table (`fuel.rs`) and its
//! aliases are used in every other row. The names are those of the
//! EMEP/EEA Guidebook 2023 export (chapter 3.B, Tables 3-2 and 3-3).

#[cfg(test)]
use crate::fuel::fuel_key;

/// The manure types of the Guidebook's livestock tables (the tests check
/// the export names no other, and that no fuel alias is one of them).
#[cfg(test)]
pub const TYPES: [&str; 4] = ["Slurry", "Solid", "Litter", "Outdoor"];

/// True for the Annex I rows whose fuel column holds a manure type (or
/// nothing): agriculture, NFR sector 3.
pub fn is_manure_row(code: &str) -> bool {
    code.trim_start().starts_with('3')
}

/// The Guidebook's spelling of a manure type, if the text is one.
#[cfg(test)]
pub fn find(text: &str) -> Option<&'static str> {
    let k = fuel_key(text);
    TYPES.iter().copied().find(|t| fuel_key(t) == k)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manure_types_are_found_by_name_and_only_in_agriculture_rows() {
        assert_eq!(find(" solid "), Some("Solid"));
        assert_eq!(find("SLURRY"), Some("Slurry"));
        assert_eq!(find("Solid Fuels"), None);
        assert!(is_manure_row("3B1a") && is_manure_row("3Da2a"));
        assert!(!is_manure_row("1A4bi"));
    }

    #[test]
    fn every_manure_type_of_the_export_is_known() {
        // The Tier 1 rows of 3.B name no other manure type (Tier 2 tables
        // describe systems in words: 'Solid, can be stacked').
        let factors = crate::emission_factor::embedded().unwrap();
        for f in factors.iter().filter(|f| {
            f.source_code.starts_with("3.B") && f.pins.tier == Some(crate::pins::Tier::One)
        }) {
            assert!(
                f.fuel.as_ref().is_none_or(|m| find(m).is_some()),
                "{} names manure type '{}'",
                f.id,
                crate::pins::text(&f.fuel)
            );
        }
    }
}
