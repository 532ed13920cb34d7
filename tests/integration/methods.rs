//! Guidebook Tier 1 methods beyond one factor per row (issue 12), each
//! against a hand computation from the Guidebook's factors.

use crate::harness::{Dir, annex_cell, csv_rows, dec, repo};

const HEADER: &str = "year,nfr,fuel,technology,value,unit,abatement\n";

/// Compiles `rows` (after the header) in a folder with `settings` added to
/// inventory.toml, and returns the folder. The inventory's years are those
/// of the rows: a year without activity is refused.
fn compile(rows: &str, settings: &str) -> Dir {
    let d = Dir::new();
    d.write("a.csv", &format!("{HEADER}{rows}"));
    let years: std::collections::BTreeSet<&str> = rows
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter(|y| !y.is_empty())
        .collect();
    let years = years.into_iter().collect::<Vec<_>>().join(", ");
    d.write(
        "inv/inventory.toml",
        &format!("name = \"t\"\nyears = [{years}]\nactivity = [\"../a.csv\"]\n{settings}\n"),
    );
    d.run_ok(&["compile", "inv", "--out", "out"]);
    d
}

fn cell(d: &Dir, year: i32, code: &str, column: &str) -> String {
    annex_cell(&d.path(&format!("out/annex1_{year}.csv")), code, column)
}

/// The detail lines of a row and pollutant: (why, emission).
fn detail(d: &Dir, code: &str, pollutant: &str) -> Vec<(String, String)> {
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    rows.iter()
        .filter(|r| r[col("code")] == code && r[col("pollutant")] == pollutant)
        .map(|r| (r[col("why")].clone(), r[col("emission")].clone()))
        .collect()
}

#[test]
fn solid_manure_dairy_cows_give_nh3_in_3b_3da2a_and_3da3() {
    // 'Solid' is the manure type of Table 3-2, not Solid Fuels.
    let d = compile(
        "2022,3B1a,Solid,Dairy cows,100000,head,Silage feeding\n",
        "country = \"XX\"",
    );
    // 100 000 animal places × 16.1 kg (housing, storage and yards) = 1.61 kt.
    assert_eq!(dec(&cell(&d, 2022, "3B1a", "NH3")), dec("1.61"));
    // × 0.236 kg NO2 (Table 3-3, solid manure) = 0.0236 kt.
    assert_eq!(dec(&cell(&d, 2022, "3B1a", "NOx")), dec("0.0236"));
    // The same animals' manure applied to soils, 6 kg: 0.6 kt; grazing 4.4 kg: 0.44 kt.
    assert_eq!(dec(&cell(&d, 2022, "3Da2a", "NH3")), dec("0.6"));
    assert_eq!(dec(&cell(&d, 2022, "3Da3", "NH3")), dec("0.44"));
    // The population is the activity of 3B1a only (in the template's 1000 head).
    assert_eq!(dec(&cell(&d, 2022, "3B1a", "other_activity")), dec("100"));
    // 3Da2a's activity (kg N applied) is not known from a head count: no
    // number there.
    let other = cell(&d, 2022, "3Da2a", "other_activity");
    assert!(other.parse::<rust_decimal::Decimal>().is_err(), "{other}");
    let why = &detail(&d, "3Da2a", "NH3")[0].0;
    assert!(why.contains("manure NH3 split"), "{why}");
    assert!(why.contains("Table_3-2"), "{why}");
}

#[test]
fn a_compiler_s_own_3da2a_rows_are_not_double_counted() {
    let d = compile(
        "2022,3B1a,Solid,Dairy cows,100000,head,Silage feeding\n2022,3Da2a,,,1000000,kg N,\n",
        "country = \"XX\"",
    );
    // 3Da2a is the compiler's: 1 000 000 kg N × 0.04 kg NO2 (the corrected
    // unit) = 0.04 kt NOx, and no NH3 of the animals added to it.
    assert_eq!(dec(&cell(&d, 2022, "3Da2a", "NOx")), dec("0.04"));
    assert!(
        detail(&d, "3Da2a", "NH3")
            .iter()
            .all(|(why, _)| !why.contains("manure NH3 split"))
    );
    // No Tier 1 factor gives NH3 per kg N applied: NE, not the animals'
    // 0.6 kt added to the compiler's own row.
    assert_eq!(cell(&d, 2022, "3Da2a", "NH3"), "NE");
    // Grazing still comes from the animals.
    assert_eq!(dec(&cell(&d, 2022, "3Da3", "NH3")), dec("0.44"));
}

#[test]
fn jet_kerosene_gets_jet_lto_factors_never_the_avgas_table() {
    let d = compile(
        "2022,1A3aii(i),Jet fuel,,1000,t,\n2024,1A3aii(i),avgas,,1000,t,\n",
        "country = \"XX\"",
    );
    // B737 LTO: 8 kg CO per LTO over 824.65 kg of fuel per LTO
    // = 9.7010853089... kg/t; × 1000 t = 9.70 t = 0.0097 kt.
    let co = dec(&cell(&d, 2022, "1A3aii(i)", "CO"));
    assert!(co > dec("0.0097010853") && co < dec("0.0097010854"), "{co}");
    // NOx: 10.3 / 824.65 × 1000 kg/t × 1000 t = 12.49 t.
    let nox = dec(&cell(&d, 2022, "1A3aii(i)", "NOx"));
    assert!(nox > dec("0.01249014") && nox < dec("0.01249015"), "{nox}");
    let why = &detail(&d, "1A3aii(i)", "CO")[0].0;
    assert!(why.contains("B737"), "{why}");
    // Aviation gasoline (piston engines) keeps Table 3-3: 1 200 kg CO/t.
    assert_eq!(dec(&cell(&d, 2024, "1A3aii(i)", "CO")), dec("1.2"));
}

#[test]
fn hdv_diesel_exhaust_pm_is_pm25_and_so2_comes_from_sulphur() {
    let d = compile(
        "2022,1A3biii,Diesel,Heavy-duty vehicles,1000,t,\n2024,1A3biii,Diesel,Heavy-duty vehicles,1000,t,\n",
        "country = \"XX\"\n[sulphur]\nDiesel = \"10\"",
    );
    // 1 000 t × 0.55 g/kg (Table 3-6, filed as TSP) = 550 kg = 0.00055 kt.
    for p in ["TSP", "PM10", "PM2.5"] {
        assert_eq!(dec(&cell(&d, 2022, "1A3biii", p)), dec("0.00055"), "{p}");
    }
    // SO2 = 2 × 10 mg S/kg × 1 000 000 kg = 20 kg = 0.00002 kt.
    assert_eq!(dec(&cell(&d, 2022, "1A3biii", "SOx")), dec("0.00002"));
    let why = &detail(&d, "1A3biii", "SOx")[0].0;
    assert!(why.contains("2 × S"), "{why}");
    // Kazakhstan's default from 2018 is the K4 ceiling, 50 mg/kg:
    // 2 × 50 × 10^-6 × 1000 t = 0.1 t = 0.0001 kt.
    let d = compile(
        "2024,1A3biii,Diesel,Heavy-duty vehicles,1000,t,\n",
        "country = \"KZ\"",
    );
    assert_eq!(dec(&cell(&d, 2024, "1A3biii", "SOx")), dec("0.0001"));
    // No default for other countries: SOx stays NE.
    let d = compile(
        "2024,1A3biii,Diesel,Heavy-duty vehicles,1000,t,\n",
        "country = \"US\"",
    );
    assert_eq!(cell(&d, 2024, "1A3biii", "SOx"), "NE");
}

#[test]
fn fertiliser_nox_uses_the_corrected_unit() {
    let d = compile("2022,3Da1,,,131000,t N,\n", "country = \"XX\"");
    // 131 000 t N × 0.04 kg NO2 per kg N = 5 240 t = 5.24 kt.
    assert_eq!(dec(&cell(&d, 2022, "3Da1", "NOx")), dec("5.24"));
    let why = &detail(&d, "3Da1", "NOx")[0].0;
    assert!(
        why.contains("corrected") && why.contains("row 13275"),
        "{why}"
    );
}

#[test]
fn coverage_lists_every_row_and_pollutant() {
    let d = Dir::new();
    let out = d.airinv().args(["factors", "--coverage"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("code,name,pollutant,coverage,detail\n"));
    assert!(
        text.lines()
            .any(|l| l.starts_with("1A3biii,") && l.contains(",PM2.5,computed by a Tier 1 method"))
    );
    assert!(text.lines().any(|l| l.starts_with("2A1,")
        && l.contains(",PM2.5,needs an activity airinv cannot derive")
        && l.contains("clinker")));
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("no Tier 1 in the Guidebook"), "{summary}");
}

#[test]
fn problems_list_the_corrections() {
    let d = Dir::new();
    let out = d.airinv().args(["factors", "--problems"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let mut corrected: Vec<u64> = text
        .lines()
        .filter(|l| l.contains("corrected, used"))
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    corrected.sort_unstable();
    // Every export row of emission-factors/corrections.csv, read here with
    // the csv crate alone, is listed as corrected and used, and no other.
    let file = std::fs::read_to_string(repo().join("emission-factors/corrections.csv")).unwrap();
    let body: String = file
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut rows: Vec<u64> = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].parse().unwrap())
        .collect();
    rows.sort_unstable();
    rows.dedup();
    assert_eq!(corrected, rows);
    // Export row 396: 1.A.1.b Table 4-4's NOx, published under residual oil,
    // is the refinery-gas table's 63 g/GJ (Guidebook 2023, 1.A.1.b Table 4-4).
    let row = text.lines().find(|l| l.starts_with("396,")).unwrap();
    assert!(
        row.contains(",NOx,63,g/GJ,\"corrected, used\"") && row.contains("used 'Refinery Gas'"),
        "{row}"
    );
}
