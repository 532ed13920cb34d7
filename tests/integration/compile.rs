//! `airinv compile`: hand-computed cells from Guidebook factors, exactness,
//! thread independence, the workbook read back, rejected input.

use crate::harness::{Dir, annex_cell, csv_rows, dec, repo};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

const HEADER: &str = "year,nfr,fuel,technology,value,unit\n";

#[test]
fn natural_gas_in_public_power_is_activity_times_the_tier1_factor() {
    // 10 000 TJ × 89 g/GJ NOx (Guidebook 2023, 1.A.1.a Table 3-4) = 0.89 kt.
    let d = Dir::new();
    d.write(
        "a.csv",
        &format!("{HEADER}2022,1A1a,Natural gas,,10000,TJ\n"),
    );
    d.airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "KZ"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "0.89");
    // NMVOC 2.6 g/GJ, CO 39.3 g/GJ, PM2.5 0.89 g/GJ, Hg 0.1 mg/GJ (t).
    assert_eq!(annex_cell(&csv, "1A1a", "NMVOC"), "0.026");
    assert_eq!(annex_cell(&csv, "1A1a", "CO"), "0.393");
    assert_eq!(annex_cell(&csv, "1A1a", "PM2.5"), "0.0089");
    assert_eq!(annex_cell(&csv, "1A1a", "Hg"), "0.001");
    // SOx: outside the EU the US EPA value 0.281 g/GJ (curated choice).
    assert_eq!(annex_cell(&csv, "1A1a", "SOx"), "0.00281");
    // No factor for NH3 in Table 3-4: NE. No activity elsewhere, and no
    // key declared: NE (not estimated), never a silent NO.
    assert_eq!(annex_cell(&csv, "1A1a", "NH3"), "NE");
    assert_eq!(annex_cell(&csv, "1A1b", "NOx"), "NE");
    // The activity is gaseous fuel in TJ NCV.
    assert_eq!(annex_cell(&csv, "1A1a", "gaseous_fuels_tj"), "10000");
    assert_eq!(annex_cell(&csv, "1A1a", "solid_fuels_tj"), "NO");
    assert_eq!(annex_cell(&csv, "NATIONAL TOTAL", "NOx"), "0.89");
}

#[test]
fn eu_member_states_get_the_eu_region_value() {
    // 1.A.1.a natural gas SOx: 0.244 g/GJ for EU Member States.
    let d = Dir::new();
    d.write(
        "a.csv",
        &format!("{HEADER}2022,1A1a,natural_gas,,10000,TJ\n"),
    );
    d.airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "BE"])
        .assert()
        .success();
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "1A1a", "SOx"),
        "0.00244"
    );
}

#[test]
fn an_activity_value_survives_exactly() {
    let d = Dir::new();
    d.write(
        "a.csv",
        &format!("{HEADER}2022,1A1a,Natural gas,,1234567890.123456789,TJ\n"),
    );
    d.airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "KZ"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(
        annex_cell(&csv, "1A1a", "gaseous_fuels_tj"),
        "1234567890.123456789"
    );
    // × 1000 GJ/TJ × 89 g/GJ ÷ 10^9 g/kt, by hand: 109876.542220987654221 kt.
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "109876.542220987654221");
    let detail = d.read("out/detail.csv");
    assert!(detail.contains(",1234567890.123456789,TJ,"), "{detail}");
}

#[test]
fn bc_given_as_a_share_of_pm25_follows_the_pm25_of_the_same_activity() {
    // 2.A.1 Table 3-1: PM2.5 130 g/Mg clinker, BC 3 % of PM2.5.
    let d = Dir::new();
    d.write("a.csv", &format!("{HEADER}2022,2A1,,,1000,kt clinker\n"));
    d.airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "2A1", "PM2.5"), "0.13");
    assert_eq!(annex_cell(&csv, "2A1", "BC"), "0.0039");
    // Other activity in the template's unit (kt clinker).
    assert_eq!(annex_cell(&csv, "2A1", "other_activity"), "1000");
    assert_eq!(
        annex_cell(&csv, "2A1", "other_activity_unit"),
        "Clinker produced [kt]"
    );
}

#[test]
fn livestock_uses_the_housing_and_storage_factor_for_3b() {
    // 3.B.1.a dairy cows, slurry: 22 kg NH3 per animal place and year
    // (housing, storage and yards; the Total column includes 3D).
    let d = Dir::new();
    d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit,abatement\n2022,3B1a,Slurry,Dairy cows,100,1000 head,Without silage feeding\n",
    );
    d.airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    // The abatement pin only chose among the NMVOC factors: 8.047 kg per place.
    assert_eq!(annex_cell(&csv, "3B1a", "NMVOC"), "0.8047");
    // 100 000 head × 22 kg = 2 200 000 kg = 2.2 kt
    assert_eq!(annex_cell(&csv, "3B1a", "NH3"), "2.2");
    assert_eq!(annex_cell(&csv, "3B1a", "other_activity"), "100");
}

#[test]
fn factors_that_cannot_be_told_apart_stop_the_run_with_the_candidates() {
    // Dairy cattle NMVOC: with and without silage feeding.
    let d = Dir::new();
    d.write(
        "a.csv",
        &format!("{HEADER}2022,3B1a,Slurry,Dairy cows,100,1000 head\n"),
    );
    // NH3 is resolved; NMVOC comes from 'Dairy cattle' rows that differ by feeding.
    let out = d
        .airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .output()
        .unwrap();
    // The NMVOC rows have no fuel: they are only used as fuel-generic factors
    // when nothing else gives NMVOC, and then they are ambiguous.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("Silage feeding") && stderr.contains("Without silage feeding"),
        "{stderr}"
    );
    assert!(stderr.contains("Pin one"), "{stderr}");
    assert!(!d.path("out/annex1.xlsx").exists());
    // Pinning the feeding resolves it: 17.937 kg NMVOC per animal place.
    d.write(
        "b.csv",
        "year,nfr,fuel,technology,value,unit,abatement\n2022,3B1a,Slurry,Dairy cows,100,1000 head,Silage feeding\n",
    );
    d.airinv()
        .args(["compile", "b.csv", "--out", "out"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "3B1a", "NMVOC"), "1.7937");
    assert_eq!(annex_cell(&csv, "3B1a", "NH3"), "2.2");
}

#[test]
fn a_users_factor_takes_precedence_and_says_so() {
    let d = Dir::new();
    d.write(
        "a.csv",
        &format!("{HEADER}2022,1A1a,Natural gas,,10000,TJ\n"),
    );
    d.write(
        "cs.csv",
        "nfr,fuel,technology,pollutant,value,unit,reference\n1A1a,Natural gas,,NOx,50,g/GJ,National measurements 2021\n",
    );
    d.airinv()
        .args([
            "compile",
            "a.csv",
            "--out",
            "out",
            "--factors",
            "cs.csv",
            "--country",
            "KZ",
        ])
        .assert()
        .success();
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "1A1a", "NOx"),
        "0.5"
    );
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let nox = rows.iter().find(|r| r[col("pollutant")] == "NOx").unwrap();
    assert!(
        nox[col("factor_source")].contains("cs.csv, row 2"),
        "{nox:?}"
    );
    assert!(
        nox[col("why")].contains("takes precedence over Guidebook"),
        "{nox:?}"
    );
    assert_eq!(nox[col("factor_value")], "50");
}

#[test]
fn energy_activity_converts_to_fuel_mass_through_the_ncv() {
    // 1.A.3.c rail: 52.4 kg NOx per tonne of diesel. 430 TJ at 43 GJ/t
    // (IPCC 2006 default) = 10 000 t → 524 t = 0.524 kt.
    let d = Dir::new();
    d.write("a.csv", &format!("{HEADER}2022,1A3c,Diesel,,430,TJ\n"));
    d.airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "1A3c", "NOx"), "0.524");
    assert_eq!(annex_cell(&csv, "1A3c", "liquid_fuels_tj"), "430");
    // Given in tonnes, the same fuel lands in the TJ column through the NCV.
    let d = Dir::new();
    d.write("a.csv", &format!("{HEADER}2022,1A3c,Diesel,,10000,t\n"));
    d.airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "1A3c", "NOx"), "0.524");
    assert_eq!(annex_cell(&csv, "1A3c", "liquid_fuels_tj"), "430");
}

#[test]
fn rejected_rows_are_located_and_counted_and_nothing_is_written() {
    let d = Dir::new();
    d.write(
        "a.csv",
        &format!(
            "{HEADER}2022,1A1a,Natural gas,,10000,TJ\n2022,1A2gix,Natural gas,,5,TJ\n2022,1A1a,Natural gas,,1.5.2,TJ\n\n2022,1A1a,Gas oil,,7,m3\n2022,1A1a,Natural gas,,-3,TJ\n2022,1A1a,Natural gas,,3,furlongs\n"
        ),
    );
    let out = d
        .airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "KZ"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stdout.contains("rows read 6 = used 1 + rejected 5"),
        "{stdout}"
    );
    assert!(
        stderr.contains("a.csv, row 3, column nfr: '1A2gix' is not an NFR code"),
        "{stderr}"
    );
    assert!(stderr.contains("did you mean 1A2gvii"), "{stderr}");
    assert!(
        stderr.contains("a.csv, row 4, column value: '1.5.2' is not a number"),
        "{stderr}"
    );
    assert!(
        stderr.contains("row 7, column value") && stderr.contains("negative"),
        "{stderr}"
    );
    assert!(
        stderr.contains("row 8, column unit") && stderr.contains("accepted units"),
        "{stderr}"
    );
    // m3 of gas oil in 1A1a: the factors are per GJ and gas oil has no
    // calorific value per volume (the empty line 5 is counted).
    assert!(
        stderr.contains("row 6")
            && stderr.contains("volume")
            && stderr.contains("per GJ")
            && stderr.contains("[ncv_volume]"),
        "{stderr}"
    );
    assert!(!d.path("out/annex1.xlsx").exists());
    let rejected = d.read("out/rejected.csv");
    assert_eq!(rejected.lines().count(), 6, "{rejected}");
    // With --keep-going the rest is written and the exit code says rows were rejected.
    d.airinv()
        .args([
            "compile",
            "a.csv",
            "--out",
            "out",
            "--keep-going",
            "--country",
            "KZ",
        ])
        .assert()
        .code(1);
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "1A1a", "gaseous_fuels_tj"),
        "10000"
    );
}

#[test]
fn a_file_that_is_not_activity_data_is_a_clear_error() {
    let d = Dir::new();
    d.write("a.csv", "year,code,amount\n2022,1A1a,5\n");
    let out = d
        .airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a.csv, row 1")
            && stderr.contains("lacks the column(s) nfr, fuel, technology, value, unit"),
        "{stderr}"
    );
    let out = d
        .airinv()
        .args(["compile", "missing.csv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv: does not exist"));
}

/// Runs the example with a thread count and returns its CSV outputs.
fn example_outputs(d: &Dir, threads: &str, out: &str) -> BTreeMap<String, String> {
    let example = repo().join("inventories/example");
    d.airinv()
        .args([
            "compile",
            example.to_str().unwrap(),
            "--out",
            out,
            "--threads",
            threads,
            "--reporting-date",
            "15.02.2024",
        ])
        .assert()
        .success();
    ["annex1_2005.csv", "annex1_2022.csv", "detail.csv"]
        .iter()
        .map(|f| (f.to_string(), d.read(&format!("{out}/{f}"))))
        .collect()
}

#[test]
fn results_are_identical_with_1_and_4_threads() {
    let d = Dir::new();
    let one = example_outputs(&d, "1", "one");
    let four = example_outputs(&d, "4", "four");
    assert_eq!(one, four);
}

#[test]
fn national_total_is_the_sum_of_the_sector_rows_and_detail_adds_up_to_the_cells() {
    let d = Dir::new();
    example_outputs(&d, "2", "out");
    for year in ["2005", "2022"] {
        let (header, rows) = csv_rows(&d.path(&format!("out/annex1_{year}.csv")));
        for (col, name) in header.iter().enumerate().skip(4).take(26) {
            let mut sum = Decimal::ZERO;
            let mut any = false;
            for r in rows
                .iter()
                .filter(|r| (14..=140).contains(&r[0].parse::<u32>().unwrap()))
            {
                if let Ok(v) = Decimal::from_str_exact(&r[col]) {
                    sum += v;
                    any = true;
                }
            }
            let total = &rows.iter().find(|r| r[2] == "NATIONAL TOTAL").unwrap()[col];
            if any {
                assert_eq!(dec(total), sum, "{year} {name}");
            }
        }
        // Every cell is the sum of its detail lines.
        let (dh, drows) = csv_rows(&d.path("out/detail.csv"));
        let c = |n: &str| dh.iter().position(|h| h == n).unwrap();
        let mut by_cell: BTreeMap<(String, String), Decimal> = BTreeMap::new();
        for r in drows.iter().filter(|r| r[c("year")] == year) {
            *by_cell
                .entry((r[c("code")].clone(), r[c("pollutant")].clone()))
                .or_default() += dec(&r[c("emission")]);
        }
        for ((code, pollutant), v) in by_cell {
            let cell = annex_cell(
                &d.path(&format!("out/annex1_{year}.csv")),
                &code,
                &pollutant,
            );
            assert_eq!(dec(&cell), v, "{year} {code} {pollutant}");
        }
    }
}

#[test]
fn every_energy_line_of_the_example_is_tj_times_the_factor_it_names() {
    // By hand: kt = TJ × 1000 GJ/TJ × factor (g, mg, µg per GJ) ÷ grams per reporting unit.
    let d = Dir::new();
    example_outputs(&d, "2", "out");
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let mut checked = 0;
    for r in &rows {
        let grams_per_factor_unit = match r[c("factor_unit")].as_str() {
            "g/GJ" => dec("1"),
            "mg/GJ" => dec("0.001"),
            "µg/GJ" | "ug/GJ" => dec("0.000001"),
            _ => continue,
        };
        if r[c("activity_unit")] != "TJ" || !r[c("abatement_efficiency")].is_empty() {
            continue;
        }
        let grams_per_reporting_unit = match r[c("emission_unit")].as_str() {
            "kt" => dec("1000000000"),
            "t" => dec("1000000"),
            "kg" => dec("1000"),
            "g I-TEQ" => dec("1"),
            other => panic!("unit {other}"),
        };
        let expected = dec(&r[c("activity")])
            * dec("1000")
            * dec(&r[c("factor_value")])
            * grams_per_factor_unit
            / grams_per_reporting_unit;
        assert_eq!(dec(&r[c("emission")]), expected, "{r:?}");
        checked += 1;
    }
    assert!(checked > 100, "only {checked} lines checked");
}

#[test]
fn the_workbook_reads_back_with_the_same_values() {
    use calamine::{Data, Reader, open_workbook_auto};
    let d = Dir::new();
    example_outputs(&d, "2", "out");
    let mut wb = open_workbook_auto(d.path("out/annex1.xlsx")).unwrap();
    assert_eq!(wb.sheet_names(), ["2005", "2022", "Trend"]);
    let ws = wb.worksheet_range("2022").unwrap();
    let cell = |r: u32, c: u32| ws.get_value((r - 1, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(4, 1), Data::String("XX".into()));
    assert_eq!(cell(5, 1), Data::String("15.02.2024".into()));
    assert_eq!(cell(2, 0), Data::String("NFR 2019-1".into()));
    assert_eq!(cell(14, 1), Data::String("1A1a".into()));
    assert_eq!(cell(141, 1), Data::String("NATIONAL TOTAL".into()));
    assert_eq!(cell(13, 4), Data::String("kt".into()));
    let csv = d.path("out/annex1_2022.csv");
    // E14 = NOx of 1A1a, as the CSV's exact decimal rounded to the nearest double.
    let nox: f64 = annex_cell(&csv, "1A1a", "NOx").parse().unwrap();
    assert_eq!(cell(14, 4), Data::Float(nox));
    // Keys stay keys.
    assert_eq!(cell(15, 4), Data::String("NO".into()));
    assert_eq!(annex_cell(&csv, "1A5a", "NOx"), "IE");
    let row_1a5a = airinv::nfr::find("1A5a").unwrap().number;
    assert_eq!(cell(row_1a5a, 4), Data::String("IE".into()));
}

#[test]
fn run_json_records_inputs_counts_and_the_factor_database() {
    let d = Dir::new();
    example_outputs(&d, "2", "out");
    let run: serde_json::Value = serde_json::from_str(&d.read("out/run.json")).unwrap();
    assert_eq!(run["program"], "airinv");
    assert_eq!(run["country"], "XX");
    let rows = &run["rows"];
    assert_eq!(
        rows["read"],
        rows["used"].as_u64().unwrap() + rows["rejected"].as_u64().unwrap()
    );
    assert_eq!(run["inputs"].as_array().unwrap().len(), 5);
    assert_eq!(run["inputs"][0]["blake3"].as_str().unwrap().len(), 64);
    assert!(run["factor_database"]["factors"].as_u64().unwrap() > 10_000);
}

#[test]
fn the_csv_reads_back_to_the_same_table() {
    let d = Dir::new();
    example_outputs(&d, "2", "out");
    let source = airinv::Source::open_activity(&repo().join("inventories/example")).unwrap();
    let compiled = airinv::compute(source.inventory().unwrap(), &Default::default()).unwrap();
    let loaded = airinv::Source::open(&d.path("out"))
        .unwrap()
        .tables()
        .unwrap()
        .years;
    assert_eq!(loaded.len(), 2);
    for (read, made) in loaded.iter().zip(&compiled.tables) {
        assert_eq!(read.table.header.year, made.header.year);
        assert_eq!(read.table.rows, made.rows, "{}", made.header.year);
    }
}

/// An inventory folder with one activity file.
fn inventory(d: &Dir, toml: &str, activity: &str) {
    d.write(
        "inv/inventory.toml",
        &format!("country = \"KZ\"\nactivity = [\"a.csv\"]\n{toml}"),
    );
    d.write("inv/a.csv", &format!("{HEADER}{activity}"));
}

/// The detail.csv lines of a code and pollutant, as maps of column → value.
fn detail_lines(d: &Dir, code: &str, pollutant: &str) -> Vec<BTreeMap<String, String>> {
    let (header, rows) = csv_rows(&d.path("out/detail.csv"));
    rows.into_iter()
        .map(|r| header.iter().cloned().zip(r).collect::<BTreeMap<_, _>>())
        .filter(|m| m["code"] == code && m["pollutant"] == pollutant)
        .collect()
}

#[test]
fn cis_statistics_in_gcal_tce_and_million_m3_compile_exactly() {
    let d = Dir::new();
    // 1A1a natural gas, Tier 1 NOx 89 g/GJ (Table 3-4, as above).
    inventory(
        &d,
        "years = [2021, 2022]\n[ncv_volume]\n\"Natural gas\" = { 2022 = \"33.821\" }\n",
        "2022,1A1a,Natural gas,,1000,thousand Gcal\n\
         2022,1A1a,Natural gas,,100,million m3\n\
         2022,1A1a,Natural gas,,1000,tce\n\
         2021,1A1a,Natural gas,,1,bcm\n",
    );
    d.airinv()
        .args(["compile", "inv", "--out", "out"])
        .assert()
        .success();
    // 2022: 10^6 Gcal × 4.1868 GJ = 4 186 800 GJ; 10^8 m3 × 33.821 MJ/m3 =
    // 3 382 100 GJ; 1000 tce × 29.3076 GJ = 29 307.6 GJ; × 89 g/GJ:
    // 0.3726252 + 0.3010069 + 0.0026083764 kt.
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "0.6762404764");
    assert_eq!(annex_cell(&csv, "1A1a", "gaseous_fuels_tj"), "7598.2076");
    // 2021: no value of the inventory, so the default 32.592 MJ/m3
    // (IPCC 48.0 TJ/Gg × 0.679 kg/m3): 10^9 m3 = 32 592 000 GJ × 89 g/GJ.
    let csv = d.path("out/annex1_2021.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "2.900688");
    assert_eq!(annex_cell(&csv, "1A1a", "gaseous_fuels_tj"), "32592");
    let lines = detail_lines(&d, "1A1a", "NOx");
    let conversion = |unit: &str, year: &str| {
        lines
            .iter()
            .find(|l| l["activity_unit"] == unit && l["year"] == year)
            .unwrap_or_else(|| panic!("no detail line in {unit}: {lines:?}"))["conversion"]
            .clone()
    };
    assert_eq!(
        conversion("million m3", "2022"),
        "1 million m3 = 33821 GJ at NCV 33.821 MJ/m3 (inventory.toml [ncv_volume])"
    );
    assert_eq!(
        conversion("thousand Gcal", "2022"),
        "1 thousand Gcal = 4186.8 GJ"
    );
    assert_eq!(conversion("tce", "2022"), "1 tce = 29.3076 GJ");
    assert!(
        conversion("bcm", "2021").starts_with("1 bcm = 32592000 GJ at NCV 32.592 MJ/m3 (IPCC 2006"),
        "{}",
        conversion("bcm", "2021")
    );
    assert!(lines.iter().all(|l| l["exact"] == "yes"), "{lines:?}");
}

#[test]
fn rows_without_activity_are_ne_unless_the_inventory_declares_their_key() {
    let d = Dir::new();
    inventory(
        &d,
        "years = [2022]\n\
         [[default_keys]]\ngroup = \"1B\"\nkey = \"NO\"\nnote = \"no mining\"\n\
         [[default_keys]]\ngroup = \"1B2b\"\nkey = \"NE\"\nnote = \"gas distribution not estimated\"\n\
         [[notation_keys]]\ncode = \"2A1\"\nkey = \"NO\"\nnote = \"no cement plant\"\n\
         [[notation_keys]]\ncode = \"1A4ai\"\nkey = \"NO\"\nnote = \"no services\"\n",
        "2022,1A1a,Natural gas,,10000,TJ\n2022,1A4ai,Gas oil,,5,m3\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out", "--keep-going"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let csv = d.path("out/annex1_2022.csv");
    // Nothing given and nothing declared: NE, in the pollutant and activity cells.
    assert_eq!(annex_cell(&csv, "1A2a", "NOx"), "NE");
    assert_eq!(annex_cell(&csv, "1A2a", "solid_fuels_tj"), "NE");
    // A sector group's default, and a more specific group's over it.
    assert_eq!(annex_cell(&csv, "1B1a", "NMVOC"), "NO");
    assert_eq!(annex_cell(&csv, "1B2c", "NMVOC"), "NO");
    assert_eq!(annex_cell(&csv, "1B2b", "NMVOC"), "NE");
    assert_eq!(annex_cell(&csv, "2A1", "PM2.5"), "NO");
    // 1A4ai is declared NO, but its activity (gas oil in m3) was rejected: NE.
    assert_eq!(annex_cell(&csv, "1A4ai", "NOx"), "NE");
    assert!(
        stderr.contains(
            "2022 1A4ai: inventory.toml declares NO but the activity given for it was rejected"
        ),
        "{stderr}"
    );
    // The summary: 127 sector rows + 8 memo rows = 135 rows that take
    // activity; 1A1a has activity, 1B (9 rows: 8 NO, 1B2b NE) and 2A1 are
    // declared, 1A4ai was rejected: 135 - 1 - 9 - 1 - 1 = 123 NE for want of data.
    assert!(
        stdout.contains("notation keys declared in inventory.toml: NO 9, NE 1 row(s)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("123 row(s) NE because nothing was given for them"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 row(s) NE because all their input rows were rejected: 1A4ai"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 row(s) with activity have NE for a main pollutant (no factor fits; give one with --factors, or declare the key): 1A1a NH3"),
        "{stdout}"
    );
    // Rounded on the console, exact in the files.
    assert!(
        stdout.contains("2022 national total: NOx 0.89 kt, NMVOC 0.026 kt, SOx 0.00281 kt, NH3 NE, PM2.5 0.0089 kt"),
        "{stdout}"
    );
}

#[test]
fn a_year_without_activity_is_an_error_naming_it() {
    let d = Dir::new();
    inventory(
        &d,
        "years = [2021, 2022, 2023]\n",
        "2022,1A1a,Natural gas,,10000,TJ\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("years: no activity row is of 2021, 2023"),
        "{stderr}"
    );
    assert!(!d.path("out/annex1_2022.csv").exists());
}

#[test]
fn a_key_over_an_estimate_is_one_line_naming_the_pollutants() {
    let d = Dir::new();
    inventory(
        &d,
        "years = [2022]\n[[notation_keys]]\ncode = \"1A1a\"\nkey = \"NO\"\n",
        "2022,1A1a,Natural gas,,10000,TJ\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| l.contains("1A1a")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].contains(
            "2022 1A1a: inventory.toml sets NO but the activity data give an estimate for"
        ) && lines[0].contains("(NOx 0.89 kt, "),
        "{stderr}"
    );
}

#[test]
fn a_misspelt_fuel_gets_the_closest_names() {
    let d = Dir::new();
    d.write("a.csv", &format!("{HEADER}2022,1A1a,Natual gas,,10,TJ\n"));
    let out = d
        .airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a.csv, row 2, column fuel: 'Natual gas' is not a fuel airinv knows; did you mean 'Natural gas'"),
        "{stderr}"
    );
    assert!(!stderr.contains("= \"Hard Coal\""), "{stderr}");
    // The row is rejected: exit 2, the list of rejected rows, no inventory.
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let (_, rejected) = csv_rows(&d.path("out/rejected.csv"));
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert!(!d.path("out/annex1_2022.csv").exists());
}

#[test]
fn thousands_grouped_by_spaces_in_workbook_text_cells_are_read_as_in_csv() {
    let d = Dir::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["year", "nfr", "fuel", "technology", "value", "unit"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    // A space and a non-breaking space, as Excel in Russian writes them.
    for (r, v) in [(1, "12 500"), (2, "2\u{a0}500")] {
        ws.write_number(r, 0, 2022.0).unwrap();
        ws.write_string(r, 1, "1A1a").unwrap();
        ws.write_string(r, 2, "Natural gas").unwrap();
        ws.write_string(r, 4, v).unwrap();
        ws.write_string(r, 5, "TJ").unwrap();
    }
    wb.save(d.path("a.xlsx")).unwrap();
    d.airinv()
        .args(["compile", "a.xlsx", "--out", "out", "--country", "KZ"])
        .assert()
        .success();
    // 15 000 TJ × 89 g/GJ = 1.335 kt.
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "gaseous_fuels_tj"), "15000");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "1.335");
}

#[test]
fn a_misspelt_technology_is_named_with_the_closest_ones() {
    let d = Dir::new();
    d.write(
        "a.csv",
        &format!("{HEADER}2022,3B1a,Slurry,Dairy cow,10,1000 head\n"),
    );
    let out = d
        .airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "KZ"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("warning: 2022 3B1a: no factor has technology 'Dairy cow', so every pollutant is NE; did you mean 'Dairy cows'"),
        "{stderr}"
    );
    // A warning: the inventory is written, 3B1a NE with its 10 thousand head.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let csv = d.path("out/annex1_2022.csv");
    for p in ["NOx", "NMVOC", "SOx", "NH3", "PM2.5"] {
        assert_eq!(annex_cell(&csv, "3B1a", p), "NE", "{p}");
    }
    assert_eq!(annex_cell(&csv, "3B1a", "other_activity"), "10");
}
