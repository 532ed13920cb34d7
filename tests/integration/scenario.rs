//! `airinv scenario`: projections, measures and costs computed by hand; the
//! least-cost shares of the issue's hand-solved case; an impossible target;
//! the scenario file's messages; the Annex IV workbook; the Kazakhstan example.

use crate::harness::{Dir, csv_rows, dec, repo};
use rust_decimal::Decimal;

/// 100 000 TJ of hard coal in 1A1a in 2024 (SOx 820 g/GJ: 82 kt), 150 000 TJ in 2005 (123 kt).
pub(crate) const COAL: &str = "year,nfr,fuel,technology,value,unit\n\
2005,1A1a,Hard coal,,150000,TJ\n\
2024,1A1a,Hard coal,,100000,TJ\n";

/// Coal washing and wet FGD as the issue gives them, and a target.
pub(crate) fn hand_case(target_pct: &str) -> String {
    format!(
        r#"name = "WAM"
base = "coal.csv"
country = "KZ"
base_year = 2024
years = [2030]
discount_rate = 0.04

[[measure]]
id = "washing"
nfr = "1A1a"
fuel = "Hard coal"
removal = {{ SOx = 0.30 }}
annual_cost = 10

[[measure]]
id = "FGD"
nfr = "1A1a"
fuel = "Hard coal"
removal = {{ SOx = 0.95 }}
investment = 1500
lifetime = 20
fixed_om_pct = 2
variable_cost = 30
max_share = 0.9

[[target]]
pollutant = "SOx"
year = 2030
reduction_pct = {target_pct}
base_year = 2005
"#
    )
}

fn summary(d: &Dir) -> serde_json::Value {
    serde_json::from_str(&d.read("out/summary.json")).expect("summary.json is JSON")
}

fn num(v: &serde_json::Value) -> Decimal {
    dec(v
        .as_str()
        .unwrap_or_else(|| panic!("{v} is not a decimal text")))
}

#[test]
fn the_hand_solved_case_holds() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("60"));
    let out = d
        .airinv()
        .args(["scenario", "wam.toml", "--out", "out", "--optimize"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&d);
    let y = &s["scenarios"][0]["years"][0];
    assert_eq!(y["year"], 2030);
    assert_eq!(y["optimized"], true);
    // Washing everywhere it can go, FGD on the rest: 0.3 w + 0.95 f = 0.4, w + f = 1
    // → f = 2/13 = 15.3846 %, w = 11/13 = 84.6154 %.
    let share = |id: &str| {
        let m = y["measures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == id)
            .unwrap();
        num(&m["share"])
    };
    assert_eq!(
        (share("washing") * Decimal::ONE_HUNDRED).round_dp(4),
        dec("84.6154")
    );
    assert_eq!(
        (share("FGD") * Decimal::ONE_HUNDRED).round_dp(4),
        dec("15.3846")
    );
    // SOx: 123 kt in 2005 × 0.4 = 49.2 kt.
    let t = &y["targets"][0];
    assert_eq!(num(&t["base_emission"]), dec("123"));
    assert_eq!(num(&t["target"]), dec("49.2"));
    assert_eq!(num(&t["emission"]).round_dp(6), dec("49.2"));
    assert_eq!(t["met"], true);
    // FGD per TJ: 1500 × CRF(4 %, 20) 0.0735817503 + 1500 × 2 % + 30 = 170.3726 EUR;
    // cost = 100 000 TJ × (10 × 11/13 + 170.3726 × 2/13) = 3 467 271.16 EUR/yr.
    assert_eq!(num(&y["total_annual_cost"]).round_dp(0), dec("3467271"));
    let (header, rows) = csv_rows(&d.path("out/measures.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let fgd = rows.iter().find(|r| r[col("measure")] == "FGD").unwrap();
    assert_eq!(dec(&fgd[col("unit_cost")]).round_dp(4), dec("170.3726"));
    // Tonnes removed: 100 000 TJ × 2/13 × 820 g/GJ × 0.95 = 11.984615 kt.
    assert_eq!(
        dec(&fgd[col("removed_SOx_kt")]).round_dp(6),
        dec("11.984615")
    );
    assert!(stdout.contains("FGD on 15.3846 %"), "{stdout}");
    // The projection: 1A1a SOx in 2030 is the national total.
    let (_, proj) = csv_rows(&d.path("out/projection.csv"));
    let sox_2030: Vec<&Vec<String>> = proj
        .iter()
        .filter(|r| r[1] == "2030" && r[3] == "SOx")
        .collect();
    assert_eq!(sox_2030.len(), 2, "1A1a and NATIONAL TOTAL");
    assert_eq!(dec(&sox_2030[0][4]).round_dp(6), dec("49.2"));
    // The base year as compiled: 82 kt.
    assert!(
        proj.iter()
            .any(|r| r[1] == "2024" && r[2] == "1A1a" && r[3] == "SOx" && r[4] == "82")
    );
}

#[test]
fn an_impossible_target_reports_the_best_reachable_and_exits_1() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("95"));
    let out = d
        .airinv()
        .args(["scenario", "wam.toml", "--out", "out", "--optimize"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // At most: FGD on 90 %, washing on the other 10 %: 82 × (1 − 0.855 − 0.03) = 9.43 kt,
    // −92.3 % from 123 kt; the target is 6.15 kt.
    assert!(
        stdout.contains("the best reachable is 9.43 kt (-92.3 %), 3.28 kt short of the target"),
        "{stdout}"
    );
    let s = summary(&d);
    let t = &s["scenarios"][0]["years"][0]["targets"][0];
    assert_eq!(num(&t["best_reachable"]).round_dp(6), dec("9.43"));
    assert_eq!(
        num(&t["best_reachable_change_pct"]).round_dp(1),
        dec("-92.3")
    );
    assert_eq!(t["met"], false);
    assert_eq!(s["scenarios"][0]["years"][0]["feasible"], false);
    assert_eq!(s["scenarios"][0]["all_targets_met"], false);
}

#[test]
fn decided_shares_and_growth_are_applied_exactly() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write(
        "wm.toml",
        r#"name = "WM"
base = "coal.csv"
base_year = 2024
years = [2030, 2040]
discount_rate = "0.04"

[[growth]]
nfr = "1A1a"
rate = 0.02

[[measure]]
id = "FGD"
nfr = "1A1a"
removal = { SOx = 0.95 }
annual_cost = 100
share = { 2030 = 0.5 }
start_year = 2028
"#,
    );
    d.run_ok(&["scenario", "wm.toml", "--out", "out"]);
    let (_, proj) = csv_rows(&d.path("out/projection.csv"));
    let get = |year: &str, p: &str| {
        dec(&proj
            .iter()
            .find(|r| r[1] == year && r[2] == "1A1a" && r[3] == p)
            .unwrap()[4])
    };
    // 82 kt × 1.02^6 × (1 − 0.5 × 0.95) = 82 × 1.126162419264 × 0.525 exactly.
    assert_eq!(get("2030", "SOx"), dec("48.4812921493152"));
    // 2040: × 1.02^16, the share of 2030 carries on.
    let g16 = (0..16).fold(Decimal::ONE, |a, _| a * dec("1.02"));
    assert_eq!(get("2040", "SOx"), dec("82") * g16 * dec("0.525"));
    // NOx has no measure: it only grows.
    let nox_2024 = get("2024", "NOx");
    assert_eq!(get("2030", "NOx"), nox_2024 * dec("1.126162419264"));
    // Cost: 100 EUR/TJ × half of 100 000 × 1.02^6 TJ.
    let (header, rows) = csv_rows(&d.path("out/measures.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(dec(&rows[0][col("annual_cost")]), dec("5630812.1"));
    assert_eq!(rows[0][col("activity_treated")], "56308.1209632");
}

#[test]
fn scenario_file_mistakes_name_the_key_and_the_line() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    let base = "base = \"coal.csv\"\nbase_year = 2024\nyears = [2030]\ndiscount_rate = 0.04\n";
    // A misspelt key.
    d.write(
        "a.toml",
        &format!("{base}\n[[measure]]\nid = \"X\"\nnfr = \"1A1a\"\nremovals = {{ SOx = 0.5 }}\n"),
    );
    let out = d
        .airinv()
        .args(["scenario", "a.toml", "--out", "o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown field `removals`") && err.contains("line 9"),
        "{err}"
    );
    // A removal that is not a fraction.
    d.write(
        "b.toml",
        &format!("{base}\n[[measure]]\nid = \"X\"\nnfr = \"1A1a\"\nremoval = {{ SOx = 95 }}\nannual_cost = 1\n"),
    );
    let out = d
        .airinv()
        .args(["scenario", "b.toml", "--out", "o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 9: [[measure]] X: removal SOx = 95: a fraction from 0 to 1"),
        "{err}"
    );
    // A reduction from a year the base does not compile, with no base emission given.
    d.write(
        "c.toml",
        &format!("{base}\n[[target]]\npollutant = \"SOx\"\nyear = 2030\nreduction_pct = 50\nbase_year = 2010\n"),
    );
    let out = d
        .airinv()
        .args(["scenario", "c.toml", "--out", "o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 6: [[target]] SOx 2030: base_year 2010 is not a year the base compiles (2005, 2024)"),
        "{err}"
    );
    // Alternatives whose decided shares exceed the activity.
    d.write(
        "e.toml",
        &format!(
            "{base}\n[[measure]]\nid = \"A\"\nnfr = \"1A1a\"\nremoval = {{ SOx = 0.5 }}\nannual_cost = 1\nshare = {{ 2030 = 0.6 }}\n\n[[measure]]\nid = \"B\"\nnfr = \"1A1a\"\nremoval = {{ SOx = 0.9 }}\nannual_cost = 2\nshare = {{ 2030 = 0.6 }}\n"
        ),
    );
    let out = d
        .airinv()
        .args(["scenario", "e.toml", "--out", "o"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the shares of A (0.6), B (0.6) on 1A1a Hard coal add up to 1.2"),
        "{err}"
    );
}

#[test]
fn a_library_measure_is_costed_with_the_scenarios_stated_conversions() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write(
        "s.toml",
        r#"base = "coal.csv"
base_year = 2024
years = [2030]
discount_rate = 0.04
currency = "EUR"
price_year = 2024
exchange_rates = { USD = 0.9 }
price_index = { 2011 = 100, 2024 = 131 }

[[measure]]
library = "B01"
full_load_hours = 6000
efficiency = 0.35
share = { 2030 = 1 }
"#,
    );
    d.run_ok(&["scenario", "s.toml", "--out", "out"]);
    let (header, rows) = csv_rows(&d.path("out/measures.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // B01 (CoST, USD of 2011): 544 USD/kW × CRF(4 %, 15) 0.0899411 + 8.6 USD/kW-yr, over
    // 6000 h × 0.0000036 TJ/kWh ÷ 0.35 = 0.0617143 TJ of fuel per kW; + 2.3 USD/MWh × 0.35 ÷ 0.0036
    // = 1155.7771 USD(2011)/TJ; × 0.9 EUR/USD × 131/100 = 1362.6612 EUR(2024)/TJ.
    assert_eq!(
        dec(&rows[0][col("unit_cost")]).round_dp(4),
        dec("1362.6612")
    );
    let how = &rows[0][col("how_costed")];
    assert!(
        how.contains("× 0.9 EUR/USD × price index 2024/2011 = 131/100"),
        "{how}"
    );
    assert!(how.contains("CRF(4 %, 15 y)"), "{how}");
    assert!(rows[0][col("source")].contains("CoST"));
    // SOx removed: 82 kt × 0.96.
    assert_eq!(dec(&rows[0][col("removed_SOx_kt")]), dec("78.72"));
}

#[test]
fn annex4_has_the_template_layout_and_opens_in_libreoffice() {
    use calamine::{Reader, Xlsx, open_workbook};
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("60"));
    d.airinv()
        .args([
            "scenario",
            "wam.toml",
            "--out",
            "out",
            "--optimize",
            "--reporting-date",
            "01.03.2027",
        ])
        .assert()
        .success();
    let path = d.path("out/annex4.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    // The template's sheets: Introduction, the historic 2005 (the base
    // compiles it), the projections base year, the projections.
    assert_eq!(
        wb.sheet_names(),
        vec!["Introduction", "2005", "PROJ_BASE_YEAR", "2030_WAM"]
    );
    let ws = wb.worksheet_range("2030_WAM").unwrap();
    let text = |r: u32, c: u32| {
        ws.get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        text(0, 0),
        "ANNEX IV: Emission projections reporting template - with additional measures"
    );
    assert_eq!(text(1, 0), "NFR 2019-1");
    assert_eq!(text(3, 1), "KZ");
    assert_eq!(text(4, 1), "01.03.2027");
    assert_eq!(text(5, 1), "2030");
    assert_eq!(text(11, 6), "SOx (as SO2)");
    assert_eq!(text(12, 6), "kt");
    assert_eq!(text(13, 1), "1A1a");
    assert_eq!(text(140, 1), "NATIONAL TOTAL");
    // G14 = 1A1a SOx, G141 the national total: 49.2 kt.
    for row in [13, 140] {
        let v: f64 = text(row, 6).parse().unwrap();
        assert!((v - 49.2).abs() < 1e-9, "{v}");
    }
    // Solid fuels (AG14): 100 000 TJ (activity constant: no growth given).
    assert_eq!(text(13, 32), "100000");
    // Compliance rows on projection sheets, not on the base-year sheet;
    // row 151 as the template labels it; each marker points to its note.
    assert_eq!(text(150, 1), "ADJUSTMENTS AND FLEXIBILITIES");
    assert_eq!(text(151, 1), "COMPLIANCE TOTAL (CLRTAP)");
    for (row, marker) in [
        (140, "(a)"),
        (142, "(b)"),
        (150, "(c)"),
        (151, "(d)"),
        (152, "(c)"),
        (153, "(e)"),
    ] {
        assert_eq!(text(row, 3), marker, "D{}", row + 1);
    }
    assert!(text(155, 0).starts_with("(a) National total"));
    assert!(text(157, 0).starts_with("(c) Adjustments"));
    // Fuel used not reported: NA, as AK141:AL141.
    assert_eq!(text(142, 4), "NA");
    assert_eq!(text(140, 36), "NA");
    let base = wb.worksheet_range("PROJ_BASE_YEAR").unwrap();
    assert_eq!(
        base.get_value((5, 0)).map(|v| v.to_string()).as_deref(),
        Some("YEAR (a):")
    );
    assert!(
        base.get_value((150, 1))
            .is_none_or(|v| v.to_string().is_empty())
    );
    // B7: the year of the submission; notes from row 152, (a) the base year.
    assert_eq!(
        base.get_value((6, 1)).map(|v| v.to_string()).as_deref(),
        Some("2027")
    );
    assert!(
        base.get_value((151, 0))
            .is_some_and(|v| v.to_string().starts_with("(a) Projections base year"))
    );
    assert_eq!(
        base.get_value((140, 3)).map(|v| v.to_string()).as_deref(),
        Some("(c)")
    );
    // Every sheet kind's markers and notes as the template data has them.
    for (kind, sheet) in [
        ("historic", "2005"),
        ("base", "PROJ_BASE_YEAR"),
        ("projection", "2030_WAM"),
    ] {
        let ws = wb.worksheet_range(sheet).unwrap();
        let at = |r: u32, c: u32| {
            ws.get_value((r - 1, c))
                .map(|v| v.to_string())
                .unwrap_or_default()
        };
        let (_, notes) = airinv::scenario::annex4::notes()
            .into_iter()
            .find(|(k, _)| *k == kind)
            .unwrap();
        for (row, marker) in &notes.markers {
            assert_eq!(at(*row, 3), *marker, "{sheet}!D{row}");
        }
        for (i, note) in notes.footnotes.iter().enumerate() {
            assert_eq!(
                at(notes.footnote_row + i as u32, 0),
                *note,
                "{sheet} note {i}"
            );
        }
        // Each note's letter is a marker of the sheet, or of its labels (A1, A6, A7).
        for note in &notes.footnotes {
            let letter = &note[..3];
            let used = notes.markers.values().any(|m| m == letter)
                || [(1, 0), (6, 0), (7, 0)]
                    .iter()
                    .any(|(r, c)| at(*r, *c).contains(letter));
            assert!(used, "{sheet}: {letter} points nowhere");
        }
    }
    let intro = wb.worksheet_range("Introduction").unwrap();
    let cell = |r: u32, c: u32| {
        intro
            .get_value((r, c))
            .map(|v| v.to_string())
            .unwrap_or_default()
    };
    assert_eq!(cell(0, 0), "Introduction");
    assert_eq!(cell(4, 0), "Table");
    // One row per data sheet from row 6 (A6, the template's rows 6-13), in
    // the workbook's order; the notes after one empty row (the template's A15
    // after its eight sheets).
    assert_eq!(cell(5, 0), "2005");
    assert_eq!(cell(5, 2), "Historic national sectoral emissions for 2005");
    assert_eq!(cell(6, 0), "PROJ_BASE_YEAR");
    assert_eq!(
        cell(6, 2),
        "National sectoral emissions for the projections base year 2024"
    );
    assert_eq!(cell(7, 0), "2030_WAM");
    assert_eq!(cell(7, 1), "Reporting Template");
    assert_eq!(
        cell(7, 2),
        "Projected national sectoral emissions (With Additional Measures) for 2030"
    );
    assert_eq!(cell(8, 0), "");
    assert!(cell(9, 0).starts_with("WM (\"with measures\") projections are required"));
    assert_eq!(
        wb.sheet_names(),
        ["Introduction", "2005", "PROJ_BASE_YEAR", "2030_WAM"]
    );
    let historic = wb.worksheet_range("2005").unwrap();
    assert_eq!(
        historic.get_value((0, 0)).map(|v| v.to_string()).as_deref(),
        Some("ANNEX IV: Emission projections reporting template - 2005")
    );
    // LibreOffice reads it as a spreadsheet.
    let Ok(probe) = std::process::Command::new("soffice")
        .arg("--version")
        .output()
    else {
        return crate::harness::skip(
            "the LibreOffice part: soffice is not installed (Debian: apt-get install libreoffice-calc)",
        );
    };
    assert!(probe.status.success());
    let conv = std::process::Command::new("soffice")
        .args([
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76",
            "--outdir",
        ])
        .arg(d.path("lo"))
        .arg(&path)
        .env("HOME", d.path("home"))
        .output()
        .unwrap();
    assert!(
        conv.status.success(),
        "{}",
        String::from_utf8_lossy(&conv.stderr)
    );
    let csv = String::from_utf8_lossy(&std::fs::read(d.path("lo/annex4.csv")).unwrap()).to_string();
    // The first sheet, as LibreOffice reads it: the Introduction.
    assert!(csv.contains("Introduction"));
    assert!(csv.contains("PROJ_BASE_YEAR"));
    assert!(csv.contains("Reporting Template"));
}

#[test]
fn the_kazakhstan_example_runs_from_the_readme() {
    let d = Dir::new();
    let dir = repo().join("inventories/kazakhstan/scenarios");
    let out = d
        .airinv()
        .args(["scenario"])
        .arg(dir.join("wm.toml"))
        .arg(dir.join("wam.toml"))
        .args(["--out", "out", "--optimize"])
        .output()
        .unwrap();
    let code = out.status.code();
    assert!(
        code == Some(0) || code == Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s = summary(&d);
    let all_met = s["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .all(|x| x["all_targets_met"] == true);
    assert_eq!(code == Some(0), all_met);
    // Both scenarios project 2030 and 2040, with SO2 and NOx targets.
    for sc in s["scenarios"].as_array().unwrap() {
        let years: Vec<i64> = sc["years"]
            .as_array()
            .unwrap()
            .iter()
            .map(|y| y["year"].as_i64().unwrap())
            .collect();
        assert_eq!(years, vec![2030, 2040]);
    }
    // The base year in projection.csv is the compiled 2024 national total.
    let (_, proj) = csv_rows(&d.path("out/projection.csv"));
    let sox_2024 = proj
        .iter()
        .find(|r| r[0] == "WM" && r[1] == "2024" && r[2] == "NATIONAL TOTAL" && r[3] == "SOx")
        .unwrap();
    d.airinv()
        .args(["compile"])
        .arg(repo().join("inventories/kazakhstan"))
        .args(["--out", "compiled"])
        .assert()
        .success();
    let compiled =
        crate::harness::annex_cell(&d.path("compiled/annex1_2024.csv"), "NATIONAL TOTAL", "SOx");
    assert_eq!(dec(&sox_2024[4]), dec(&compiled));
    // WM grows activity 1.5 % a year in 1A1a and 1 % elsewhere,
    // compounded, with no measure: 2030 = 2024 × 1.015^6 (1.01^6), 2040 =
    // 2024 × 1.015^16, by hand from the compiled 2024 cells.
    let projected = |year: &str, code: &str, p: &str| {
        dec(&proj
            .iter()
            .find(|r| r[0] == "WM" && r[1] == year && r[2] == code && r[3] == p)
            .unwrap_or_else(|| panic!("WM {year} {code} {p}"))[4])
    };
    let near = |a: Decimal, b: Decimal| (a - b).abs() <= b.abs() * dec("0.000000000000000001");
    let pow = |rate: &str, n: usize| (0..n).fold(Decimal::ONE, |acc, _| acc * dec(rate));
    let cell2024 = |code: &str, p: &str| {
        dec(&crate::harness::annex_cell(
            &d.path("compiled/annex1_2024.csv"),
            code,
            p,
        ))
    };
    for (year, n) in [("2030", 6), ("2040", 16)] {
        let (got, want) = (
            projected(year, "1A1a", "SOx"),
            cell2024("1A1a", "SOx") * pow("1.015", n),
        );
        assert!(near(got, want), "WM {year} 1A1a SOx {got}, by hand {want}");
        let (got, want) = (
            projected(year, "1A4bi", "NOx"),
            cell2024("1A4bi", "NOx") * pow("1.01", n),
        );
        assert!(near(got, want), "WM {year} 1A4bi NOx {got}, by hand {want}");
    }
    // The targets: 59 % (SOx) and 42 % (NOx) below the compiled 2021
    // national totals; met when the projection is at or below them; the
    // exit code is 1 because WM (no measures) meets none.
    let total2021 = |p: &str| {
        dec(&crate::harness::annex_cell(
            &d.path("compiled/annex1_2021.csv"),
            "NATIONAL TOTAL",
            p,
        ))
    };
    for sc in s["scenarios"].as_array().unwrap() {
        for y in sc["years"].as_array().unwrap() {
            for t in y["targets"].as_array().unwrap() {
                let p = t["pollutant"].as_str().unwrap();
                let share = if p == "SOx" { "0.41" } else { "0.58" };
                let target = dec(t["target"].as_str().unwrap());
                assert!(near(target, total2021(p) * dec(share)), "{p}: {target}");
                let emission = dec(t["emission"].as_str().unwrap());
                assert_eq!(
                    t["met"] == true,
                    emission <= target + dec("0.000000001"),
                    "{t}"
                );
                if sc["scenario"] == "WM" {
                    assert_eq!(emission, dec(y["emissions"][p].as_str().unwrap()));
                    assert!(emission > target, "WM {p} {}: {emission}", y["year"]);
                }
            }
        }
    }
    assert_eq!(code, Some(1));
    assert!(d.path("out/annex4.xlsx").exists());
    assert!(d.path("out/cost_curves_2030_WAM.svg").exists());
}

#[test]
fn projected_activity_can_come_from_a_file_in_the_activity_format() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write(
        "projected.csv",
        "year,nfr,fuel,value,unit,note\n2030,1A1a,Hard coal,120000,TJ,plan\n2040,1A1a,Hard coal,90000,TJ,plan\n",
    );
    d.write(
        "s.toml",
        "base = \"coal.csv\"\nbase_year = 2024\nyears = [2030, 2040]\ndiscount_rate = 0.04\nactivity_file = \"projected.csv\"\n",
    );
    d.run_ok(&["scenario", "s.toml", "--out", "out"]);
    let (_, proj) = csv_rows(&d.path("out/projection.csv"));
    let sox = |y: &str| {
        dec(&proj
            .iter()
            .find(|r| r[1] == y && r[2] == "1A1a" && r[3] == "SOx")
            .unwrap()[4])
    };
    // 120 000 TJ × 820 g/GJ = 98.4 kt; 90 000 TJ: 73.8 kt.
    assert_eq!(sox("2030"), dec("98.4"));
    assert_eq!(sox("2040"), dec("73.8"));
    // A projection year missing from the file is named with the row.
    d.write(
        "short.csv",
        "year,nfr,fuel,value,unit\n2030,1A1a,Hard coal,1,TJ\n",
    );
    d.write(
        "t.toml",
        "base = \"coal.csv\"\nbase_year = 2024\nyears = [2030, 2040]\ndiscount_rate = 0.04\nactivity_file = \"short.csv\"\n",
    );
    let out = d
        .airinv()
        .args(["scenario", "t.toml", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("short.csv, row 2: 1A1a Hard coal: no value for the projection year 2040"),
        "{err}"
    );
}

/// A scenario's outputs are one set: a second run replaces the first (the
/// cost curves of a scenario no longer run go, a user's file stays), and
/// a run does not write over its own scenario file.
#[test]
fn a_second_run_replaces_the_set_of_the_first() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("60"));
    d.write(
        "wm.toml",
        &hand_case("60").replace("name = \"WAM\"", "name = \"WM\""),
    );
    let run = |files: &[&str]| {
        let mut args = vec!["scenario"];
        args.extend_from_slice(files);
        args.extend(["--out", "out", "--optimize"]);
        let out = d.airinv().args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["wam.toml", "wm.toml"]);
    assert!(d.path("out/cost_curves_2030_WAM.svg").exists());
    assert!(d.path("out/cost_curves_2030_WM.svg").exists());
    d.write("out/notes.txt", "mine");
    run(&["wm.toml"]);
    assert!(
        !d.path("out/cost_curves_2030_WAM.svg").exists(),
        "a stale curve"
    );
    assert!(d.path("out/cost_curves_2030_WM.svg").exists());
    assert_eq!(summary(&d)["scenarios"].as_array().unwrap().len(), 1);
    assert_eq!(d.read("out/notes.txt"), "mine");
    // The scenario file itself in the output folder is not written over.
    d.write(
        "out/summary.json",
        &hand_case("60").replace("base = \"coal.csv\"", "base = \"../coal.csv\""),
    );
    let out = d
        .airinv()
        .args(["scenario", "out/summary.json", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("summary.json: is one of this run's inputs"),
        "{err}"
    );
}

#[test]
fn no_scenario_input_is_silent() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    let run = |text: &str, extra: &[&str]| {
        d.write("s.toml", text);
        d.airinv()
            .args(["scenario", "s.toml", "--out", "out"])
            .args(extra)
            .output()
            .unwrap()
    };
    // A growth rule whose fuel the row does not burn: an error with its line.
    let head = hand_case("60");
    let out = run(
        &head.replace(
            "[[measure]]\nid = \"washing\"",
            "[[growth]]\nnfr = \"1A1a\"\nfuel = \"Natural gas\"\nrate = 0.02\n\n[[measure]]\nid = \"washing\"",
        ),
        &[],
    );
    let e = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        e.contains("s.toml, line 8: [[growth]] 1A1a fuel = \"Natural gas\" fits no activity of the base: 1A1a burns Hard coal in 2024"),
        "{e}"
    );
    // A measure on a row without activity: a warning with its line; --strict refuses.
    let stray = format!(
        "{head}\n[[measure]]\nid = \"SCR-gas\"\nnfr = \"1A2a\"\nremoval = {{ NOx = 0.8 }}\nannual_cost = 1\n"
    );
    let out = run(&stray, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "warning: s.toml, line 32: [[measure]] SCR-gas (1A2a) treats no activity of 2024"
        ),
        "{text}"
    );
    let out = run(&stray, &["--strict"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--strict: 1 warning(s), nothing written")
    );
    // Not met without --optimize: feasible false, and how far the measures could go.
    let out = run(&head, &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let y = &s["scenarios"][0]["years"][0];
    assert_eq!(y["feasible"], false);
    // Best: FGD on 90 %, washing on 10 %: 82 × (1 − 0.855 − 0.03) = 9.43 kt.
    assert_eq!(
        dec(y["targets"][0]["best_reachable"].as_str().unwrap()).round_dp(6),
        dec("9.43")
    );
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("some targets are not met (summary.json"), "{e}");
    assert!(!e.contains("see above"), "{e}");
    // A measure costed per tonne of fuel on fuel held in TJ: how to give it, the path once.
    let out = run(
        &head.replace("annual_cost = 10", "annual_cost = 10\nunit = \"t\""),
        &[],
    );
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains(
            "s.toml, line 8: [[measure]] washing: its costs are per t but 1A1a Hard coal is in TJ"
        ),
        "{e}"
    );
    assert!(e.contains("× 1000 ÷ the NCV in GJ/t"), "{e}");
    assert_eq!(e.matches("s.toml").count(), 1, "{e}");
}

#[test]
fn a_multi_pollutant_measures_group_is_its_first_pollutant_as_written() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write(
        "s.toml",
        &format!(
            "{}\n[[measure]]\nid = \"filter\"\nnfr = \"1A1a\"\nremoval = {{ \"PM2.5\" = 0.99, SOx = 0.1 }}\nannual_cost = 1\nshare = {{ 2030 = 1 }}\n",
            hand_case("0")
        ),
    );
    // Were its group SOx (template order), the filter at share 1 and FGD would
    // be alternatives; as written it is a dust measure beside them.
    d.run_ok(&["scenario", "s.toml", "--out", "out", "--optimize"]);
    let (header, rows) = csv_rows(&d.path("out/measures.csv"));
    let col = header.iter().position(|h| h == "per_tonne_of").unwrap();
    let f = rows.iter().find(|r| r[2] == "filter").unwrap();
    assert_eq!(f[col], "PM2.5");
}

/// `PM2.5 = 0.99` unquoted is, in TOML, `PM2 = { 5 = 0.99 }`: the message
/// says so, at the file and line, and how to write it.
#[test]
fn an_unquoted_pm2_5_is_explained_at_its_line() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    let text = format!(
        "{}\n[[measure]]\nid = \"filter\"\nnfr = \"1A1a\"\nremoval = {{ PM2.5 = 0.99, SOx = 0.1 }}\nannual_cost = 1\nshare = {{ 2030 = 1 }}\n",
        hand_case("0")
    );
    let line = 1 + text
        .lines()
        .position(|l| l.starts_with("removal = { PM2.5"))
        .unwrap();
    d.write("s.toml", &text);
    let out = d
        .airinv()
        .args(["scenario", "s.toml", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains(&format!(
            "s.toml, line {line}: a table where a number belongs"
        )),
        "{e}"
    );
    assert!(
        e.contains("write the key in quotes: \"PM2.5\" = 0.9"),
        "{e}"
    );
    assert!(!e.contains("untagged"), "{e}");
    assert!(!d.path("out").exists(), "no half-written output");
}
