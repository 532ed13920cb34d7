//! The embedded factors checked against the EEA export independently of
//! the importer: the export and the shipped files are read with the csv
//! crate alone, and every export row with a plain number is either in
//! `emission-factors/emep-eea-2023.csv` with that value and that unit, or
//! listed among the problems (with a reason) or the corrections.

use crate::harness::{repo, shared};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// The export's pollutant names that the shipped file writes as Annex I
/// ids (the NO of manure management is given as NO2, reported as NOx).
const POLLUTANT_IDS: [(&str, &str); 7] = [
    ("Benzo(a)pyrene", "BaP"),
    ("Benzo(b)fluoranthene", "BbF"),
    ("Benzo(k)fluoranthene", "BkF"),
    ("Indeno(1,2,3-cd)pyrene", "IcdP"),
    ("PCB", "PCBs"),
    ("SO2", "SOx"),
    ("NO", "NOx"),
];

/// Rows of a CSV file (comment lines starting with `#` skipped, a BOM
/// dropped) as maps from column name to text, each with the line it
/// starts on.
fn rows(path: &std::path::Path) -> Vec<(u64, HashMap<String, String>)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut r = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let line = rec.position().unwrap().line();
            let map = header
                .iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect();
            (line, map)
        })
        .collect()
}

/// A plain number as the export writes it: digits, an optional point and
/// exponent, nothing else.
fn plain_number(t: &str) -> Option<Decimal> {
    let mantissa = t.split(['e', 'E']).next().unwrap();
    let plain = !t.is_empty()
        && t.trim() == t
        && mantissa
            .trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && mantissa.chars().filter(|c| *c == '.').count() <= 1;
    if !plain {
        return None;
    }
    if t.contains(['e', 'E']) {
        Decimal::from_scientific(t).ok()
    } else {
        Decimal::from_str_exact(t).ok()
    }
}

/// Fuel names compared by their letters and digits only ("NA" is none):
/// the shipped file normalises spaces and dashes.
fn fuel_letters(t: &str) -> String {
    if t.trim() == "NA" {
        return String::new();
    }
    t.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// What identifies a factor and what is checked: code, table, fuel,
/// pollutant, value (to 20 decimals) and unit as written.
type Key = (String, String, String, String, Decimal, String);

fn key(row: &HashMap<String, String>, names: [&str; 4], value: Decimal, unit: &str) -> Key {
    (
        row[names[0]].clone(),
        row[names[1]].clone(),
        fuel_letters(&row[names[2]]),
        row[names[3]].clone(),
        value.round_dp(20).normalize(),
        unit.to_string(),
    )
}

#[test]
fn every_plain_factor_of_the_export_is_shipped_with_its_value_and_unit_or_listed() {
    let Some(export) = shared("reference/emep-eea-2023-efdb.csv") else {
        return;
    };
    let factors = repo().join("emission-factors");
    let problems: BTreeMap<u64, HashMap<String, String>> =
        rows(&factors.join("emep-eea-2023-problems.csv"))
            .into_iter()
            .map(|(_, r)| (r["row"].parse().unwrap(), r))
            .collect();
    let corrections: BTreeMap<u64, HashMap<String, String>> =
        rows(&factors.join("corrections.csv"))
            .into_iter()
            .map(|(_, r)| (r["row"].parse().unwrap(), r))
            .collect();
    let shipped = rows(&factors.join("emep-eea-2023.csv"));
    let mut unmatched: HashMap<Key, usize> = HashMap::new();
    for (_, r) in &shipped {
        let value = Decimal::from_str_exact(&r["value"]).unwrap();
        let k = key(
            r,
            ["guidebook_code", "table", "fuel", "pollutant"],
            value,
            &r["unit"],
        );
        *unmatched.entry(k).or_default() += 1;
    }
    let ids: HashMap<&str, &str> = POLLUTANT_IDS.into_iter().collect();
    let (mut plain, mut listed, mut corrected, mut missing) = (0, 0, 0, Vec::new());
    let export_rows = rows(&export);
    assert_eq!(export_rows.len(), 13_336);
    for (line, mut r) in export_rows {
        let Some(mut value) = plain_number(&r["Value"]) else {
            // Not a number (na, NC, "0,0066 or 0,13", empty): listed.
            let p = problems.get(&line).unwrap_or_else(|| {
                panic!(
                    "export row {line} ({}) is neither used nor listed",
                    r["Value"]
                )
            });
            assert!(!p["reason"].trim().is_empty(), "problem row {line}");
            continue;
        };
        plain += 1;
        let mut unit = r["Unit"].clone();
        if let Some(c) = corrections.get(&line) {
            // A correction names the row by its code, table and pollutant.
            assert_eq!(
                (&c["nfr"], &c["table"], &c["pollutant"]),
                (&r["NFR"], &r["Table"], &r["Pollutant"]),
                "correction of row {line}"
            );
            assert!(!c["reason"].is_empty(), "correction of row {line}");
            corrected += 1;
            match c["column"].as_str() {
                "row" => continue,
                "value" => value = Decimal::from_str_exact(&c["used"]).unwrap(),
                "unit" => unit = c["used"].clone(),
                // A fuel label the export prints wrongly (1.A.1.b Table 4-4
                // is the refinery-gas table): shipped under the right one.
                "fuel" => {
                    assert_eq!(c["published"], r["Fuel"], "correction of row {line}");
                    r.insert("Fuel".into(), c["used"].clone());
                }
                other => panic!("correction of row {line}: column {other}"),
            }
        } else if let Some(p) = problems.get(&line) {
            assert!(!p["reason"].trim().is_empty(), "problem row {line}");
            assert_eq!(
                (&p["nfr"], &p["pollutant"], &p["unit"]),
                (&r["NFR"], &r["Pollutant"], &r["Unit"]),
                "problem row {line}"
            );
            listed += 1;
            continue;
        }
        // NH3 given as N is shipped as NH3: × 17/14, the molar masses.
        if unit.contains("NH3-N") {
            value = value * Decimal::from(17) / Decimal::from(14);
        }
        let pollutant = r["Pollutant"].clone();
        r.insert(
            "Pollutant".into(),
            ids.get(pollutant.as_str())
                .map_or(pollutant.clone(), |s| s.to_string()),
        );
        let k = key(&r, ["NFR", "Table", "Fuel", "Pollutant"], value, &unit);
        match unmatched.get_mut(&k) {
            Some(n) if *n > 0 => *n -= 1,
            _ => missing.push(format!("row {line}: {k:?}")),
        }
    }
    assert!(
        missing.is_empty(),
        "{} export rows have no shipped factor with their value and unit and are not listed: {:#?}",
        missing.len(),
        &missing[..missing.len().min(20)]
    );
    assert!(
        plain > 13_000 && listed > 2_000 && corrected >= 10,
        "{plain} {listed} {corrected}"
    );
    // What is left are factors airinv derived, each saying how, with the
    // arithmetic (x kg/LTO ÷ y kg of fuel per LTO × 1000) checked here.
    let derived: Vec<&HashMap<String, String>> = shipped
        .iter()
        .map(|(_, r)| r)
        .filter(|r| {
            let value = Decimal::from_str_exact(&r["value"]).unwrap();
            let k = key(
                r,
                ["guidebook_code", "table", "fuel", "pollutant"],
                value,
                &r["unit"],
            );
            unmatched.get(&k).is_some_and(|n| *n > 0)
        })
        .collect();
    assert_eq!(derived.len(), 8, "{derived:#?}");
    for r in derived {
        let note = &r["note"];
        let numbers: Vec<Decimal> = note
            .split([' ', '(', ')'])
            .filter_map(|w| Decimal::from_str_exact(w).ok())
            .collect();
        assert!(note.starts_with("derived by airinv: "), "{note}");
        let (per_lto, fuel_per_lto) = (numbers[0], numbers[1]);
        let expected = per_lto / fuel_per_lto * Decimal::from(1000);
        let value = Decimal::from_str_exact(&r["value"]).unwrap();
        assert!(
            (value - expected).abs() < Decimal::new(1, 20),
            "{note}: {value}"
        );
        assert_eq!(r["unit"], "kg/tonne fuel");
    }
}
