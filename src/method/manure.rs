//! Livestock NH3 over 3B, 3Da2a and 3Da3 from one population.
//!
//! Table 3-2 of the Guidebook 2023 chapter 3.B gives, per animal place and
//! manure type, the NH3 of housing, storage and yards (reported in 3B), of
//! the manure applied to soils (3.D.a.2, Annex I row 3Da2a) and of grazing
//! (3.D.a.3, row 3Da3); their sum is the table's Total (checked on the
//! export: within 0.1 kg wherever the three parts are given). So animals
//! entered once, in their 3B row, give all three. A compiler who estimates
//! 3Da2a or 3Da3 from other data (kg of manure N applied) enters those rows
//! in the year: the part of the animals for that row is then not added, so
//! nothing is counted twice.

/// The parts of the population's NH3 reported outside 3B: the Annex I row,
/// the export's abatement text that selects the part in Table 3-2, and the
/// words for detail.csv.
pub const PARTS: [(&str, &str, &str); 2] = [
    ("3Da2a", "Manure application", "manure applied to soils"),
    (
        "3Da3",
        "Grazed pastures",
        "urine and dung deposited by grazing",
    ),
];

/// True for the Annex I rows of animal populations (manure management, 3B).
pub fn is_livestock_row(code: &str) -> bool {
    code.starts_with("3B")
}

/// What detail.csv says of a part computed from a 3B population.
pub fn why(source_code: &str, part: &str) -> String {
    format!(
        "Guidebook Tier 1 manure NH3 split (chapter 3.B Table 3-2): the {source_code} animals' NH3 of {part}; housing and storage stay in {source_code}; not added in a year whose activity has rows of its own for this row"
    )
}
