//! The mapping file format: reading a mapping's TOML in two stages.
//!
//! 1. serde reads the text into raw structs that mirror the file
//!    ([`super::file`], `deny_unknown_fields`), so a misspelt key or a value
//!    of the wrong kind is an error naming the key, what is accepted, and
//!    its line;
//! 2. a checking pass (here) turns the raw structs into a [`Mapping`]:
//!    names, years and year ranges, units, Guidebook fuels, NFR codes, each
//!    kind of line taking its own settings ([`super::file::LineKind`]), targets whose
//!    shares add up ([`super::targets`]). Its messages name the entry
//!    (`lines entry 3 (Road), target 2: ...`).

use super::file::{
    ByYear, Problem, RawAccepted, RawColumn, RawExcept, RawFuel, RawLine, RawNameList, RawNames,
    RawSheet, read_raw,
};
use super::rules::{
    Accepted, Except, FuelRole, FuelRule, Layout, LineRole, LineRule, Mapping, NameSpec, Subtotal,
    YearSource, name_key,
};
use super::targets::targets;
use crate::number::parse_year;
use rust_decimal::Decimal;
use std::path::Path;

/// Text as the mapping means it: trimmed.
fn text(value: &Option<String>) -> Option<String> {
    value.as_ref().map(|s| s.trim().to_string())
}

/// A row number as the spreadsheet shows it (1, 2, ...).
fn row_number(value: Option<i64>, key: &str) -> std::result::Result<Option<u64>, Problem> {
    match value {
        None => Ok(None),
        Some(i) if i >= 1 => Ok(Some(i as u64)),
        Some(_) => Err(format!(
            "[sheet]: {key} must be a row number as the spreadsheet shows it (1, 2, ...)"
        )),
    }
}

pub(super) fn parse(toml_text: &str, path: &Path) -> std::result::Result<Mapping, Problem> {
    let raw = read_raw(toml_text)?;
    let layout = match &raw.sheet {
        Some(sheet) => layout(sheet)?,
        None => {
            return Err(
                "has no [sheet] table saying where the line names, years and fuels are".into(),
            );
        }
    };
    let fuels = raw
        .fuels
        .iter()
        .enumerate()
        .map(|(i, f)| fuel(i + 1, f, &format!("fuels entry {}", i + 1)))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let mapped_fuels: Vec<&str> = fuels
        .iter()
        .filter_map(|f| match &f.role {
            FuelRole::Fuel(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let lines = raw
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| line(i + 1, l, &format!("lines entry {}", i + 1), &mapped_fuels))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    if lines.is_empty() {
        return Err("has no [[lines]] entries: nothing would be mapped".into());
    }
    Ok(Mapping {
        path: path.to_path_buf(),
        name: text(&raw.name).unwrap_or_default(),
        source: text(&raw.source).unwrap_or_default(),
        layout,
        fuels,
        lines,
    })
}

fn layout(s: &RawSheet) -> std::result::Result<Layout, Problem> {
    let line_column = match &s.line_column {
        None => 0,
        Some(RawColumn::Number(i)) if *i >= 1 => (*i - 1) as usize,
        Some(RawColumn::Letters(l)) => column_index(l).ok_or_else(|| {
            format!("[sheet]: line_column '{l}' is not a column letter (A, B, ... AA) or number")
        })?,
        Some(RawColumn::Number(_)) => {
            return Err("[sheet]: line_column is a column letter (\"A\") or number (1)".into());
        }
    };
    let year = match (row_number(s.year_row, "year_row")?, &s.year) {
        (Some(_), Some(_)) => {
            return Err(
                "[sheet]: give either year_row (years in a header row) or year (one year for the sheet), not both"
                    .into(),
            );
        }
        (Some(r), None) => YearSource::Row(r),
        (None, Some(y)) => YearSource::Fixed(y.year().map_err(|p| format!("[sheet]: year: {p}"))?),
        (None, None) => {
            return Err(
                "[sheet]: say where the years are: year_row = <row> or year = <year>".into(),
            );
        }
    };
    let fuel_row = row_number(s.fuel_row, "fuel_row")?
        .ok_or("[sheet]: fuel_row (the row holding the fuel names) is required")?;
    let last_header = match year {
        YearSource::Row(r) => r.max(fuel_row),
        YearSource::Fixed(_) => fuel_row,
    };
    let first_data_row = row_number(s.first_data_row, "first_data_row")?.unwrap_or(last_header + 1);
    if first_data_row <= last_header {
        return Err(format!(
            "[sheet]: first_data_row {first_data_row} is not below the header rows (row {last_header})"
        ));
    }
    let unit = text(&s.unit)
        .ok_or("[sheet]: unit (the unit of the sheet's numbers, e.g. \"TJ\") is required")?;
    let write_unit = text(&s.write_unit).unwrap_or_else(|| unit.clone());
    let from =
        crate::unit::parse_activity_unit(&unit).map_err(|p| format!("[sheet]: unit: {p}"))?;
    let to = crate::unit::parse_activity_unit(&write_unit)
        .map_err(|p| format!("[sheet]: write_unit: {p}"))?;
    if from.dimension != to.dimension {
        return Err(format!(
            "[sheet]: unit '{unit}' ({}) cannot be written as '{write_unit}' ({})",
            from.dimension.describe(),
            to.dimension.describe()
        ));
    }
    let (factor, exact) = crate::unit::ratio(from.scale, to.scale)?;
    if !exact {
        return Err(format!(
            "[sheet]: 1 {unit} is not an exact decimal number of {write_unit}; write the numbers in another unit"
        ));
    }
    let empty = s
        .empty
        .iter()
        .flatten()
        .map(|e| e.trim().to_string())
        .collect();
    let mut years = s
        .years
        .iter()
        .flatten()
        .map(|y| y.year().map_err(|p| format!("[sheet]: years: {p}")))
        .collect::<std::result::Result<Vec<i32>, Problem>>()?;
    years.sort();
    years.dedup();
    Ok(Layout {
        sheet: text(&s.name).filter(|s| !s.is_empty()),
        line_column,
        year,
        fuel_row,
        first_data_row,
        write_unit,
        factor,
        empty,
        years,
    })
}

/// The 0-based index of a column given as letters (`A`, `AB`) or a number (`1`).
fn column_index(text: &str) -> Option<usize> {
    let t = text.trim();
    if let Ok(n) = t.parse::<usize>() {
        return n.checked_sub(1);
    }
    if t.is_empty() || t.len() > 3 || !t.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    let mut n = 0usize;
    for c in t.to_ascii_uppercase().bytes() {
        n = n * 26 + (c - b'A' + 1) as usize;
    }
    Some(n - 1)
}

/// Names for all years, or by year (or `first-last`); none may be empty.
fn name_specs(raw: &RawNames, label: &str) -> std::result::Result<Vec<NameSpec>, Problem> {
    let spec = |name: &String, years| NameSpec {
        name: name_key(name),
        years,
    };
    let specs: Vec<NameSpec> = match raw {
        RawNames::One(name) => vec![spec(name, None)],
        RawNames::List(list) => list.iter().map(|n| spec(n, None)).collect(),
        RawNames::ByYear(ByYear(entries)) => {
            let mut out = Vec::new();
            for (key, list) in entries {
                let years = Some(
                    crate::number::parse_year_range(key).map_err(|e| format!("{label}: {e}"))?,
                );
                match list {
                    RawNameList::One(name) => out.push(spec(name, years)),
                    RawNameList::List(l) => out.extend(l.iter().map(|n| spec(n, years))),
                }
            }
            out
        }
    };
    if specs.is_empty() || specs.iter().any(|s| s.name.is_empty()) {
        return Err(format!("{label}: a name is empty"));
    }
    Ok(specs)
}

fn fuel(entry: usize, f: &RawFuel, label: &str) -> std::result::Result<FuelRule, Problem> {
    let names = name_specs(
        f.names
            .as_ref()
            .ok_or_else(|| format!("{label}: names (the fuel's names in the sheet) is required"))?,
        label,
    )?;
    let role = match (text(&f.fuel), text(&f.exclude), f.total.unwrap_or(false)) {
        (Some(name), None, false) => {
            let known = crate::fuel::Fuels::built_in().find(&name).ok_or_else(|| {
                format!(
                    "{label}: '{name}' is not a Guidebook fuel or alias; the fuels are: {}",
                    crate::fuel::Fuels::built_in().names()
                )
            })?;
            FuelRole::Fuel(known.name.clone())
        }
        (None, Some(reason), false) if !reason.is_empty() => FuelRole::Exclude(reason),
        (None, None, true) => FuelRole::Total,
        _ => {
            return Err(format!(
                "{label}: give exactly one of fuel = \"<Guidebook fuel>\", exclude = \"<why>\" or total = true"
            ));
        }
    };
    Ok(FuelRule { entry, names, role })
}

/// Refuses a setting the line's kind does not take.
fn check_settings(l: &RawLine, label: &str) -> std::result::Result<(), Problem> {
    match l.setting_not_taken() {
        Some(key) => Err(format!(
            "{label}: '{key}' is not a setting here; the settings are {}",
            l.kind().settings().join(", ")
        )),
        None => Ok(()),
    }
}

fn line(
    entry: usize,
    l: &RawLine,
    label: &str,
    mapped_fuels: &[&str],
) -> std::result::Result<LineRule, Problem> {
    let names = name_specs(
        l.names
            .as_ref()
            .ok_or_else(|| format!("{label}: names (the line's names in the sheet) is required"))?,
        label,
    )?;
    let short = text(&l.label)
        .filter(|l| !l.is_empty())
        .unwrap_or_else(|| names[0].name.clone());
    let label = format!("{label} ({short})");
    let label = label.as_str();
    check_settings(l, label)?;
    let role = if let Some(reason) = text(&l.exclude) {
        if reason.is_empty() {
            return Err(format!("{label}: exclude needs a reason"));
        }
        LineRole::Exclude(reason)
    } else if let Some(parts) = &l.subtotal_of {
        let parts = name_specs(parts, &format!("{label}: subtotal_of"))?;
        let tolerance = match &l.tolerance {
            Some(t) => t
                .decimal()
                .map_err(|e| format!("{label}: tolerance: {e}"))?,
            None => Decimal::ZERO,
        };
        if tolerance < Decimal::ZERO {
            return Err(format!("{label}: tolerance cannot be negative"));
        }
        let remainder = match &l.remainder {
            Some(r) => Some(targets(
                &r.targets(),
                &format!("{label}: remainder"),
                mapped_fuels,
            )?),
            None => None,
        };
        let accept = l
            .accept
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, a)| accepted(a, &format!("{label}: accept {}", i + 1)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        LineRole::Subtotal(Subtotal {
            parts,
            tolerance,
            remainder,
            accept,
        })
    } else {
        if l.nfr.is_none() && l.to.is_none() {
            return Err(format!(
                "{label}: say what the line is: nfr = \"<code>\", to = [...], exclude = \"<why>\" or subtotal_of = [...]"
            ));
        }
        let mut targets = targets(&l.targets(), label, mapped_fuels)?;
        targets.except = l
            .except
            .iter()
            .flatten()
            .enumerate()
            .map(|(i, x)| except(x, &format!("{label}: except {}", i + 1)))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        LineRole::Map(targets)
    };
    Ok(LineRule {
        entry,
        label: short,
        names,
        role,
    })
}

/// The `year` and `fuel` (the fuel's name in the sheet) of an entry that
/// names one cell of the sheet.
fn year_and_fuel(
    year: Option<i64>,
    fuel: &Option<String>,
    label: &str,
) -> std::result::Result<(i32, String), Problem> {
    let year = match year {
        Some(i) => parse_year(&i.to_string()).map_err(|p| format!("{label}: {p}"))?,
        None => return Err(format!("{label}: year is required")),
    };
    let fuel = text(fuel)
        .ok_or_else(|| format!("{label}: fuel (the fuel's name in the sheet) is required"))?;
    Ok((year, name_key(&fuel)))
}

fn except(x: &RawExcept, label: &str) -> std::result::Result<Except, Problem> {
    let (year, fuel) = year_and_fuel(x.year, &x.fuel, label)?;
    let reason = text(&x.reason)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{label}: reason is required"))?;
    Ok(Except { year, fuel, reason })
}

fn accepted(a: &RawAccepted, label: &str) -> std::result::Result<Accepted, Problem> {
    let (year, fuel) = year_and_fuel(a.year, &a.fuel, label)?;
    let difference = a
        .difference
        .as_ref()
        .ok_or_else(|| format!("{label}: difference (subtotal minus parts, exact) is required"))?
        .decimal()
        .map_err(|e| format!("{label}: difference: {e}"))?;
    let note = text(&a.note)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("{label}: note (why the difference is accepted) is required"))?;
    Ok(Accepted {
        year,
        fuel,
        difference,
        note,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::test_support::{SHEET, load};

    #[test]
    fn a_minimal_mapping_reads() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"natural gas\"\n[[lines]]\nnames = \"Power\"\nnfr = \"1.A.1.a\"\n"
        ))
        .unwrap();
        assert_eq!(m.layout.first_data_row, 3);
        assert_eq!(m.layout.factor, Decimal::ONE);
        assert_eq!(m.fuels[0].role, FuelRole::Fuel("Natural gas".into()));
        let LineRole::Map(t) = &m.lines[0].role else {
            panic!()
        };
        assert_eq!(t.to[0].nfr, "1A1a");
        assert_eq!(t.to[0].share, Decimal::ONE);
    }

    #[test]
    fn per_year_names_and_ranges() {
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = {{ 2021 = \"Coal1)\", \"2022-2024\" = [\"Energy  coal\", \"Coal\"] }}\nfuel = \"Hard Coal\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap();
        let names = &m.fuels[0].names;
        assert_eq!(names.len(), 3);
        assert_eq!(names[0].years, Some((2021, 2021)));
        assert_eq!(names[1].name, "Energy coal");
        assert_eq!(names[2].years, Some((2022, 2024)));
        assert!(names[2].covers(2023) && !names[2].covers(2021));
    }

    #[test]
    fn shares_must_be_exact_at_most_one_and_the_rest_explained() {
        let base = format!(
            "{SHEET}[[fuels]]\nnames = \"Petrol\"\nfuel = \"Gasoline\"\n[[fuels]]\nnames = \"Diesel\"\nfuel = \"Diesel\"\n[[lines]]\nnames = \"Road\"\n"
        );
        let ok = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", fuels = [\"Gasoline\"], share = \"0.9\" }}, {{ nfr = \"1A3biv\", fuels = [\"Gasoline\"], share = \"0.1\" }}, {{ nfr = \"1A3biii\" }}]\n"
        ))
        .unwrap();
        let LineRole::Map(t) = &ok.lines[0].role else {
            panic!()
        };
        assert_eq!(t.for_fuel("Gasoline").len(), 2);
        assert_eq!(t.for_fuel("Diesel")[0].nfr, "1A3biii");
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", share = \"0.7\" }}, {{ nfr = \"1A3bii\", share = \"0.4\" }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("sum to 1.1, more than 1"), "{e}");
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", share = \"0.7\" }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("sum to 0.7") && e.contains("rest ="), "{e}");
        assert!(
            load(&format!(
                "{base}to = [{{ nfr = \"1A3bi\", share = \"0.7\" }}]\nrest = \"30 % is off-road\"\n"
            ))
            .is_ok()
        );
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", share = \"1.5\" }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("at most 1"), "{e}");
        let e = load(&format!(
            "{base}to = [{{ nfr = \"1A3bi\", fuels = [\"LPG\"] }}]\n"
        ))
        .unwrap_err();
        assert!(e.contains("no [[fuels]] entry maps to 'LPG'"), "{e}");
    }

    #[test]
    fn mistakes_are_named() {
        let e = load("[sheet]\nfuel_row = 2\nunit = \"TJ\"\n").unwrap_err();
        assert!(e.contains("year_row"), "{e}");
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nnfr = \"1A9z\"\n"
        ))
        .unwrap_err();
        assert!(
            e.contains("lines entry 1 (P)") && e.contains("not an NFR code"),
            "{e}"
        );
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nnrf = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert!(
            e.contains("m.toml, line 7: 'nrf' is not a setting here; the settings are names,"),
            "{e}"
        );
        let e = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"X\"\nfuel = \"unobtainium\"\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("not a Guidebook fuel"), "{e}");
        let e = load(&format!("{SHEET}[[lines]]\nnames = \"P\"\n")).unwrap_err();
        assert!(e.contains("say what the line is"), "{e}");
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = {{ \"2024-2022\" = \"P\" }}\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert!(e.contains("first year is after the last"), "{e}");
        assert!(column_index("A") == Some(0) && column_index("AB") == Some(27));
        assert_eq!(column_index("3"), Some(2));
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_named_with_its_key_and_line() {
        let e = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = 5\n[[lines]]\nnames = \"P\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "m.toml, line 7: fuel: invalid type: integer `5`, expected text in quotes"
        );
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nto = [{{ nfr = \"1A1a\", share = true }}]\n"
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "m.toml, line 7: share: expected a number, e.g. \"0.9\" or 12"
        );
        let e = load("[sheet]\nyear_row = \"1\"\n").unwrap_err();
        assert_eq!(
            e,
            "m.toml, line 2: year_row: invalid type: string \"1\", expected a whole number"
        );
        // Not TOML at all: said with toml's words and the line (fuzzing
        // found syntax errors named no line: issue 17).
        let e = load("[[lines]\n").unwrap_err();
        assert!(e.starts_with("m.toml, line 1: is not valid TOML: "), "{e}");
        let e = load("name = \"x\"\nsource = \"y\"\nunit\n").unwrap_err();
        assert!(
            e.starts_with("m.toml, line 3: is not valid TOML: key with no value"),
            "{e}"
        );
    }

    #[test]
    fn each_kind_of_line_takes_its_own_settings() {
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"P\"\nexclude = \"exports\"\nnfr = \"1A1a\"\n"
        ))
        .unwrap_err();
        assert_eq!(
            e,
            "m.toml: lines entry 1 (P): 'nfr' is not a setting here; the settings are names, label, exclude, note"
        );
        let e = load(&format!(
            "{SHEET}[[lines]]\nnames = \"T\"\nsubtotal_of = [\"P\"]\nrest = \"x\"\n"
        ))
        .unwrap_err();
        assert!(
            e.contains("lines entry 1 (T): 'rest' is not a setting here; the settings are names, label, subtotal_of,"),
            "{e}"
        );
        // A note may be anything: it is for the reader of the mapping.
        let m = load(&format!(
            "{SHEET}[[fuels]]\nnames = \"Gas\"\nfuel = \"Natural gas\"\nnote = [\"since 2021\", 2021]\n[[lines]]\nnames = \"P\"\nexclude = \"exports\"\nnote = 3\n"
        ))
        .unwrap();
        assert!(matches!(&m.lines[0].role, LineRole::Exclude(r) if r == "exports"));
        assert_eq!(m.fuels[0].role, FuelRole::Fuel("Natural gas".into()));
    }

    #[test]
    fn years_and_numbers_are_read_as_written() {
        let m = load(
            "[sheet]\nyear = \"2022\"\nfuel_row = 1\nunit = \"TJ\"\nyears = [2022, \"2022\"]\nempty = [\" - \"]\nline_column = \"B\"\n[[lines]]\nnames = \"T\"\nsubtotal_of = { \"2021-2022\" = [\"P\", \"Q\"] }\ntolerance = 0.5\n",
        )
        .unwrap();
        assert_eq!(m.layout.year, YearSource::Fixed(2022));
        assert_eq!(m.layout.years, [2022]);
        assert_eq!(m.layout.empty, ["-"]);
        assert_eq!(m.layout.line_column, 1);
        let LineRole::Subtotal(sub) = &m.lines[0].role else {
            panic!("a subtotal")
        };
        assert_eq!(sub.tolerance, Decimal::new(5, 1));
        assert_eq!(sub.parts.len(), 2);
        assert_eq!(sub.parts[1].years, Some((2021, 2022)));
    }
}
