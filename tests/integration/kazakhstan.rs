//! The Kazakhstan inventory beyond fuel combustion (livestock, fertiliser,
//! fugitive emissions, industry, solvents) and gap filling (`[[fill]]`),
//! on the committed inventory and on small inventories written here.

use crate::harness::{Dir, annex_cell, csv_rows, dec, repo};
use rust_decimal::Decimal;

fn kz() -> std::path::PathBuf {
    repo().join("inventories/kazakhstan")
}

fn compile_kz(d: &Dir) -> String {
    let out = d
        .airinv()
        .args([
            "compile",
            kz().to_str().unwrap(),
            "--out",
            "out",
            "--reporting-date",
            "15.02.2025",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn kazakhstan_estimates_every_sector_with_data_from_its_activity_and_tier1_factors() {
    let d = Dir::new();
    let stdout = compile_kz(&d);
    // 1B2ai 2023: 89.9796 Mt of oil (Energy Institute) × 2.1 kg NMVOC/t
    // (Guidebook 1.B.2.a.i Tier 1 Table 3-1) = 188.95716 kt.
    let y2023 = d.path("out/annex1_2023.csv");
    assert_eq!(annex_cell(&y2023, "1B2ai", "NMVOC"), "188.95716");
    // 1B1a 2023: 116.3521 Mt of coal × 0.8 kg NMVOC/t (Table 3-1) = 93.08168 kt,
    // and × 0.042 kg PM10/t = 4.8867882 kt.
    assert_eq!(annex_cell(&y2023, "1B1a", "NMVOC"), "93.08168");
    assert_eq!(annex_cell(&y2023, "1B1a", "PM10"), "4.8867882");
    // 3Da1 2022: 71 400 t N (FAOSTAT) × 0.085 kg NH3/kg N = 6.069 kt.
    let y2022 = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&y2022, "3Da1", "NH3"), "6.069");
    // 2A1 2023: 12 151 kt cement × 0.75 clinker = 9 113.25 kt clinker
    // × 234 g PM10/t clinker = 2.1325005 kt.
    assert_eq!(annex_cell(&y2023, "2A1", "PM10"), "2.1325005");
    // 2D3a 2024: 20 592 571 inhabitants × 1.2 kg NMVOC (other countries) = 24.7110852 kt.
    let y2024 = d.path("out/annex1_2024.csv");
    assert_eq!(annex_cell(&y2024, "2D3a", "NMVOC"), "24.7110852");
    // Gas throughput and flaring come in m3 and t, not the template's TJ:
    // column AK holds them and AL says their unit in the template's words
    // (a 0 TJ beside their emissions would hide the activity). 2024's
    // marketed gas is extrapolated from 2021-2023 ([[fill]]).
    let row = |year: &std::path::Path, code: &str| -> (String, String) {
        (
            annex_cell(year, code, "other_activity"),
            annex_cell(year, code, "other_activity_unit"),
        )
    };
    assert_eq!(
        row(&y2023, "1B2b"),
        ("30822900000".into(), "Gas throughput [m3]".into())
    );
    assert_eq!(
        row(&y2024, "1B2c"),
        ("791030.4".into(), "Gas vented flared [t]".into())
    );
    let record = d.read("out/run.json");
    assert!(!record.contains("cannot be summed"), "{record}");
    // 3B1b 2023: 5 271.484 thousand other cattle × 3.602 kg NMVOC (without
    // silage) = 18.987885368 kt.
    assert_eq!(annex_cell(&y2023, "3B1b", "NMVOC"), "18.987885368");
    // Manure NH3, Guidebook Tier 1 split (chapter 3.B Table 3-2, solid
    // manure): 3B1a 2023 keeps housing and storage, 1 345.352 thousand dairy
    // cows × 16.1 kg NH3 = 21.6601672 kt.
    assert_eq!(annex_cell(&y2023, "3B1a", "NH3"), "21.6601672");
    // 3Da3 (grazing) is derived from the same 2023 populations (thousand
    // head × kg NH3 per head): dairy cows 1 345.352 × 4.4 + other cattle
    // 5 271.484 × 2.0 + sheep 16 961.692 × 0.8 + goats 1 705.701 × 0.8
    // + horses 3 851.185 × 6.1 = 5.9195488 + 10.542968 + 13.5693536
    // + 1.3645608 + 23.4922285 = 54.8886597 kt (poultry and pigs: 0).
    assert_eq!(annex_cell(&y2023, "3Da3", "NH3"), "54.8886597");
    // Every row was used: the rows of basis years (2015-2020) for fills only.
    assert!(
        stdout.contains("39 value(s) filled as inventory.toml [[fill]] declares"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rows read 1010 = used 1010 + rejected 0"),
        "{stdout}"
    );
    // The national total is the sum of the sector rows.
    for year in ["2021", "2022", "2023", "2024"] {
        let annex = d.path(&format!("out/annex1_{year}.csv"));
        let (h, rows) = csv_rows(&annex);
        for pollutant in ["NOx", "NMVOC", "SOx", "NH3", "PM2.5", "PM10", "CO"] {
            let i = h.iter().position(|x| x == pollutant).unwrap();
            let sum: Decimal = rows
                .iter()
                .filter(|r| (14..=140).contains(&r[0].parse::<u32>().unwrap_or(0)))
                .filter_map(|r| Decimal::from_str_exact(&r[i]).ok())
                .sum();
            assert_eq!(
                dec(&annex_cell(&annex, "NATIONAL TOTAL", pollutant)),
                sum,
                "{year} {pollutant}"
            );
        }
    }
}

#[test]
fn kazakhstans_gaps_are_filled_as_declared_and_flagged_in_the_detail() {
    let d = Dir::new();
    compile_kz(&d);
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let line = |year: &str, code: &str, technology: &str, pollutant: &str| {
        rows.iter()
            .find(|r| {
                r[c("year")] == year
                    && r[c("code")] == code
                    && r[c("technology")] == technology
                    && r[c("pollutant")] == pollutant
            })
            .unwrap_or_else(|| panic!("{year} {code} {technology} {pollutant}"))
            .clone()
    };
    // Dairy cows 2024: the least-squares line through FAOSTAT 2019-2023
    // (1198, 1237, 1277, 1302, 1345.352 thousand): slope 359.704 / 10 =
    // 35.9704, 2024 = 6359.352 / 5 + 3 × 35.9704 = 1379.7816 thousand.
    let cows = line("2024", "3B1a", "Dairy cows", "NMVOC");
    assert_eq!(cows[c("activity")], "1379.7816");
    assert_eq!(cows[c("activity_rows")], "0");
    assert!(
        cows[c("gap_fill")].contains("least-squares linear trend of 2019-2023"),
        "{cows:?}"
    );
    // × 8.047 kg NMVOC per head = 11.1031025352 kt.
    assert_eq!(cows[c("emission")], "11.1031025352");
    // Data are not flagged.
    assert_eq!(
        line("2023", "3B1a", "Dairy cows", "NMVOC")[c("gap_fill")],
        ""
    );
    // Steel 2021 from its surrogate, pig iron (2020 3212 kt, 2021 3070 kt):
    // 4002.808 × 3070 / 3212 kt; PM10 180 g/t.
    let steel = line("2021", "2C1", "", "PM10");
    let expected = dec("4002.808") * dec("3070") / dec("3212");
    assert_eq!(dec(&steel[c("activity")]), expected);
    assert!(steel[c("gap_fill")].contains("surrogate"), "{steel:?}");
    // Steel 2022 between 2020 (4002.808) and 2023 (3920): 4002.808 − 2 × 82.808 / 3.
    let steel22 = line("2022", "2C1", "", "PM10");
    assert_eq!(
        dec(&steel22[c("activity")]),
        dec("4002.808") + (dec("3920") - dec("4002.808")) * dec("2") / dec("3")
    );
    // `check` lists each filled value and finds no error.
    let out = d
        .airinv()
        .args(["check", kz().to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(" 0 error(s)"), "{stdout}");
    assert!(
        stdout.contains("info: sheet 2024: 2024 3B1a: activity filled by airinv, not data: extrapolation of the least-squares linear trend of 2019-2023"),
        "{stdout}"
    );
    assert!(stdout.contains("38 info gap-fill.filled"), "{stdout}");
}

/// The activity rows of one of Kazakhstan's activity files, as header and rows.
fn kz_activity(file: &str) -> (Vec<String>, Vec<Vec<String>>) {
    csv_rows(&kz().join("activity").join(file))
}

/// The sum of a file's values for a year, code and (if given) technology.
fn kz_activity_sum(file: &str, year: &str, code: &str, technology: Option<&str>) -> Decimal {
    let (h, rows) = kz_activity(file);
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    rows.iter()
        .filter(|r| r[c("year")] == year && r[c("nfr")] == code)
        .filter(|r| technology.is_none_or(|t| r[c("technology")] == t))
        .map(|r| dec(&r[c("value")]))
        .sum()
}

const NEW_ACTIVITY: [&str; 4] = [
    "road-vehicle-km.csv",
    "crop-areas.csv",
    "mining-metals.csv",
    "waste-open-burning.csv",
];

#[test]
fn kazakhstans_sectors_beyond_the_balance_are_activity_times_the_tier1_factor() {
    let d = Dir::new();
    compile_kz(&d);
    let y2021 = d.path("out/annex1_2021.csv");
    let y2022 = d.path("out/annex1_2022.csv");
    // Vehicle-km from road fuel: 204 597.437 TJ of 2022 gasoline × 1000 /
    // 44.3 GJ/t = 4 618 452.303611... t, × 10^6 g/t / 61.9 g/km (Guidebook
    // Table 3-15, petrol cars) = 74 611 507 310 km (rounded to 1 km).
    let cars = kz_activity_sum(
        "road-vehicle-km.csv",
        "2022",
        "1A3bvi",
        Some("Passenger Cars"),
    );
    let gasoline_km =
        (dec("204597.437") * dec("1000") / dec("44.3") * dec("1000000") / dec("61.9")).round();
    assert_eq!(gasoline_km, dec("74611507310"));
    // LPG: 25 353.048 TJ / 47.3 GJ/t / 58.1 g/km.
    let lpg_km =
        (dec("25353.048") * dec("1000") / dec("47.3") * dec("1000000") / dec("58.1")).round();
    assert_eq!(cars, gasoline_km + lpg_km);
    let hgv = kz_activity_sum("road-vehicle-km.csv", "2022", "1A3bvi", Some("HGVs"));
    // Tyre and brake wear PM10 (Tier 1 Table 3-1b/d): cars 0.0184, HGVs
    // 0.059 g/km; road abrasion (Table 3-2b/d): 0.0075 and 0.038 g/km.
    let kt = dec("1000000000");
    assert_eq!(
        dec(&annex_cell(&y2022, "1A3bvi", "PM10")),
        (cars * dec("0.0184") + hgv * dec("0.059")) / kt
    );
    assert_eq!(
        dec(&annex_cell(&y2022, "1A3bvii", "PM10")),
        (cars * dec("0.0075") + hgv * dec("0.038")) / kt
    );
    // Crop operations 2022: the FAOSTAT areas of the file and the forage
    // area interpolated between 2019 (3 300 000 ha) and 2023 (3 116 500 ha):
    // 3 300 000 − 183 500 × 3 / 4 = 3 162 375 ha; × 1.56 kg PM10/ha (3Dc
    // Table 3-1) and × 0.86 kg NMVOC/ha (3De Table 3-1).
    let fao = kz_activity_sum("crop-areas.csv", "2022", "3Dc", None);
    let area = fao + dec("3162375");
    assert_eq!(
        dec(&annex_cell(&y2022, "3Dc", "PM10")),
        area * dec("1.56") / dec("1000000")
    );
    assert_eq!(
        dec(&annex_cell(&y2022, "3De", "NMVOC")),
        area * dec("0.86") / dec("1000000")
    );
    assert_eq!(area, dec("23549386"));
    // Metallic ores mined 2022: 316.2 Mt × 50 g PM10/t (2A5a Table 3-1) = 15.81 kt.
    assert_eq!(annex_cell(&y2022, "2A5a", "PM10"), "15.81");
    // Copper 2021 between 2020 (480.816 kt) and 2022 (453 kt), × 3 000 g SOx/t.
    assert_eq!(
        dec(&annex_cell(&y2021, "2C7a", "SOx")),
        (dec("480.816") + dec("453")) / dec("2") * dec("3000") / dec("1000000")
    );
    // Lead: 125 kt × 2 050 g SOx/t = 0.25625 kt.
    assert_eq!(annex_cell(&y2022, "2C5", "SOx"), "0.25625");
    // Open burning 2022: Wiedinmyer's 2010 waste burnt (1 183 686 + 817 792 t)
    // scaled by population (20 034 609 / 16 323 287), × 4.51 kg PM10/t (5C2 Table 3-1).
    let burnt = (dec("1183686") + dec("817792")) * (dec("20034609") / dec("16323287"));
    let pm10 = dec(&annex_cell(&y2022, "5C2", "PM10"));
    assert!(
        (pm10 - burnt * dec("4.51") / dec("1000000")).abs() < dec("0.000000001"),
        "{pm10}"
    );
    // Each row of the new files names its source, an identifier and a note.
    for file in NEW_ACTIVITY {
        let (h, rows) = kz_activity(file);
        let c = |n: &str| h.iter().position(|x| x == n).unwrap();
        assert!(!rows.is_empty(), "{file}");
        for r in &rows {
            for col in ["source", "source_id", "note"] {
                assert!(r[c(col)].len() > 10, "{file}: {col} of {r:?}");
            }
        }
    }
}

#[test]
fn every_annex_row_of_kazakhstan_is_a_number_or_a_key_declared_with_its_reason() {
    let d = Dir::new();
    compile_kz(&d);
    let inventory = airinv::inventory::Inventory::load(&kz()).unwrap();
    for year in [2021, 2022, 2023, 2024] {
        let (h, rows) = csv_rows(&d.path(&format!("out/annex1_{year}.csv")));
        let first = h.iter().position(|x| x == "NOx").unwrap();
        let last = h.iter().position(|x| x == "PCBs").unwrap();
        let sector_or_memo = |n: u32| (14..=140).contains(&n) || n >= 155;
        for r in rows
            .iter()
            .filter(|r| sector_or_memo(r[0].parse().unwrap_or(0)))
        {
            let code = &r[2];
            if code.is_empty() {
                continue; // the memo items' header line
            }
            let cells = &r[first..=last];
            assert!(
                cells.iter().all(|v| !v.is_empty()),
                "{year} {code}: {cells:?}"
            );
            // A row without any number has its key declared in inventory.toml, with a note.
            if cells.iter().all(|v| Decimal::from_str_exact(v).is_err()) {
                let declared = inventory
                    .keys
                    .iter()
                    .find(|k| {
                        &k.code == code
                            && k.pollutants.is_empty()
                            && (k.years.is_empty() || k.years.contains(&year))
                    })
                    .unwrap_or_else(|| panic!("{year} {code} has no number and no declared key"));
                assert!(declared.note.len() > 20, "{code}: {}", declared.note);
                assert!(
                    cells.iter().all(|v| *v == declared.key.to_string()),
                    "{code}"
                );
            }
        }
    }
}

const FILLED: &str = r#"
name = "Filled"
country = "XX"
years = [2022, 2023]
activity = ["activity.csv"]

[[fill]]
nfr = "3B2"
technology = "Sheep"
years = [2023]
method = "extrapolation"
basis = [2019, 2020, 2021, 2022]
note = "census of 2023 not published yet"
"#;

#[test]
fn a_declared_fill_extends_a_series_and_reads_its_basis_years_only_for_it() {
    let d = Dir::new();
    d.write("inv/inventory.toml", FILLED);
    d.write(
        "inv/activity.csv",
        "year,nfr,fuel,technology,value,unit,abatement\n\
         2019,3B2,,Sheep,100,1000 head,Without silage feeding\n\
         2020,3B2,,Sheep,110,1000 head,Without silage feeding\n\
         2021,3B2,,Sheep,125,1000 head,Without silage feeding\n\
         2022,3B2,,Sheep,125,1000 head,Without silage feeding\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out", "--detail", "rows"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    // x̄ = 2020.5, ȳ = 115; Σ(x−x̄)(y−ȳ) = −1.5·−15 − 0.5·−5 + 0.5·10 + 1.5·10 = 45,
    // Σ(x−x̄)² = 5: slope 9; 2023 = 115 + 2.5 × 9 = 137.5 thousand sheep.
    assert!(
        stdout.contains("2023 3B2 Sheep: 137.5 1000 head ([[fill]] 1, extrapolation)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3 row(s) of other years read as their basis"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rows read 4 = used 4 + rejected 0"),
        "{stdout}"
    );
    // 137.5 thousand × 0.169 kg NMVOC = 0.0232375 kt; 2022: 125 × 0.169 = 0.021125.
    assert_eq!(
        annex_cell(&d.path("out/annex1_2023.csv"), "3B2", "NMVOC"),
        "0.0232375"
    );
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "3B2", "NMVOC"),
        "0.021125"
    );
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let filled: Vec<_> = rows
        .iter()
        .filter(|r| !r[c("gap_fill")].is_empty())
        .collect();
    assert!(!filled.is_empty());
    for r in &filled {
        assert_eq!(r[c("year")], "2023");
        assert!(
            r[c("input_row")].ends_with("inventory.toml [[fill]] 1"),
            "{r:?}"
        );
        assert!(
            r[c("gap_fill")].contains("census of 2023 not published yet"),
            "{r:?}"
        );
    }
}

#[test]
fn a_fill_that_would_replace_data_or_a_row_no_fill_uses_is_refused() {
    let d = Dir::new();
    d.write("inv/inventory.toml", FILLED);
    // 2023 has data: a fill never replaces it.
    d.write(
        "inv/activity.csv",
        "year,nfr,fuel,technology,value,unit,abatement\n\
         2019,3B2,,Sheep,100,1000 head,Without silage feeding\n\
         2020,3B2,,Sheep,110,1000 head,Without silage feeding\n\
         2021,3B2,,Sheep,125,1000 head,Without silage feeding\n\
         2022,3B2,,Sheep,125,1000 head,Without silage feeding\n\
         2023,3B2,,Sheep,130,1000 head,Without silage feeding\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[[fill]] entry 1: 3B2 Sheep (1000 head) has activity in 2023; a fill never replaces data"),
        "{stderr}"
    );
    // A row of a year outside the inventory that no fill uses is rejected, as before.
    d.write(
        "inv/activity.csv",
        "year,nfr,fuel,technology,value,unit,abatement\n\
         2019,3B2,,Sheep,100,1000 head,Without silage feeding\n\
         2020,3B2,,Sheep,110,1000 head,Without silage feeding\n\
         2021,3B2,,Sheep,125,1000 head,Without silage feeding\n\
         2022,3B2,,Sheep,125,1000 head,Without silage feeding\n\
         2020,3B4d,,Goats,10,1000 head,Without silage feeding\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(
        stdout.contains("rows read 5 = used 4 + rejected 1"),
        "{stdout}"
    );
    let rejected = d.read("out/rejected.csv");
    assert!(
        rejected.contains("2020 is not one of the inventory's years (2022, 2023) and no [[fill]] uses it as basis for 3B4d"),
        "{rejected}"
    );
}
