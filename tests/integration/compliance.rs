//! Compliance totals of `compile`: road transport on fuel used (rows
//! 143-149) and approved adjustments (rows 151, 153), by the template's
//! notes (c) and (e).

use crate::harness::{Dir, annex_cell, dec};
use rust_decimal::Decimal;

const ACTIVITY: &str = "year,nfr,fuel,technology,value,unit
2022,1A1a,Natural gas,,10000,TJ
2022,1A3bi,Petrol,Passenger cars,1000,t
2022,1A3bi(fu),Petrol,Passenger cars,800,t
";

fn cell(d: &Dir, code: &str, column: &str) -> Decimal {
    dec(&annex_cell(&d.path("out/annex1_2022.csv"), code, column))
}

#[test]
fn fuel_used_activity_fills_the_fu_rows_and_the_compliance_totals_use_them() {
    let d = Dir::new();
    d.write("a.csv", ACTIVITY);
    d.airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "KZ"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    // The (fu) row is computed with the factors of 1A3bi: 800 t is 0.8 of 1000 t
    // (in tonnes, so no NCV division rounds anything).
    for p in ["NOx", "NMVOC", "CO", "NH3"] {
        assert_eq!(
            cell(&d, "1A3bi(fu)", p),
            cell(&d, "1A3bi", p) * dec("0.8"),
            "{p}"
        );
    }
    // 800 t × 44.3 GJ/t (IPCC 2006 default NCV of motor gasoline) = 35.44 TJ.
    assert_eq!(annex_cell(&csv, "1A3bi(fu)", "liquid_fuels_tj"), "35.44");
    // The other (fu) rows have no fuel-used activity and no declared key:
    // NE (not estimated), not a silent NO.
    assert_eq!(annex_cell(&csv, "1A3bii(fu)", "NOx"), "NE");
    // The national total stays on fuel sold.
    assert_eq!(
        cell(&d, "NATIONAL TOTAL", "NOx"),
        cell(&d, "1A1a", "NOx") + cell(&d, "1A3bi", "NOx")
    );
    // Note (c): CLRTAP = national total + Σ (fu) − Σ 1A3bi-vii (no adjustments);
    // (e): NECD the same (no 3B/3D here).
    for p in ["NOx", "NMVOC", "CO"] {
        let expected =
            cell(&d, "NATIONAL TOTAL", p) + cell(&d, "1A3bi(fu)", p) - cell(&d, "1A3bi", p);
        assert_eq!(cell(&d, "COMPLIANCE TOTAL (CLRTAP)", p), expected, "{p}");
        assert_eq!(cell(&d, "COMPLIANCE TOTAL (NECD)", p), expected, "{p}");
        assert!(expected < cell(&d, "NATIONAL TOTAL", p));
    }
    // Without fuel-used activity the (fu) rows stay empty and the totals are the national total.
    let d = Dir::new();
    d.write(
        "a.csv",
        &ACTIVITY.replace("2022,1A3bi(fu),Petrol,Passenger cars,800,t\n", ""),
    );
    d.airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "KZ"])
        .assert()
        .success();
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "1A3bi(fu)", "NOx"), "");
    assert_eq!(
        cell(&d, "COMPLIANCE TOTAL (CLRTAP)", "NOx"),
        cell(&d, "NATIONAL TOTAL", "NOx")
    );
}

/// Writes `inv/`: road transport on fuel sold and used, two CLRTAP
/// adjustments of NOx (-0.25 and -0.05) and one NECD (-0.125), for 2022
/// (also explained in explain.rs).
pub(crate) fn adjusted_inventory(d: &Dir) {
    d.write("inv/activity.csv", ACTIVITY);
    d.write(
        "inv/inventory.toml",
        r#"
country = "KZ"
years = [2022]
activity = ["activity.csv"]
[[adjustments]]
year = 2022
pollutant = "NOx"
value = "-0.25"
row = "clrtap"
[[adjustments]]
year = 2022
pollutant = "NOx"
value = "-0.05"
row = "clrtap"
[[adjustments]]
year = 2022
pollutant = "NOx"
value = "-0.125"
row = "necd"
"#,
    );
}

#[test]
fn approved_adjustments_go_to_rows_151_and_153_and_into_the_compliance_totals() {
    let d = Dir::new();
    adjusted_inventory(&d);
    d.airinv()
        .args(["compile", "inv", "--out", "out"])
        .assert()
        .success();
    // Two CLRTAP adjustments are summed in row 151.
    assert_eq!(cell(&d, "ADJUSTMENTS", "NOx"), dec("-0.3"));
    assert_eq!(
        cell(&d, "ADJUSTMENTS AND FLEXIBILITIES", "NOx"),
        dec("-0.125")
    );
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "ADJUSTMENTS", "SOx"),
        ""
    );
    let fu = cell(&d, "1A3bi(fu)", "NOx") - cell(&d, "1A3bi", "NOx");
    let nt = cell(&d, "NATIONAL TOTAL", "NOx");
    assert_eq!(
        cell(&d, "COMPLIANCE TOTAL (CLRTAP)", "NOx"),
        nt - dec("0.3") + fu
    );
    assert_eq!(
        cell(&d, "COMPLIANCE TOTAL (NECD)", "NOx"),
        nt - dec("0.125") + fu
    );
    // Recorded in run.json.
    let run: serde_json::Value = serde_json::from_str(&d.read("out/run.json")).unwrap();
    assert_eq!(run["adjustments"][0]["value"], "-0.25");
    assert_eq!(run["adjustments"][2]["row"], "necd");
}

#[test]
fn a_positive_adjustment_is_refused() {
    let d = Dir::new();
    d.write("inv/activity.csv", ACTIVITY);
    d.write(
        "inv/inventory.toml",
        "years = [2022]\nactivity = [\"activity.csv\"]\n[[adjustments]]\nyear = 2022\npollutant = \"NH3\"\nvalue = 0.4\nrow = \"clrtap\"\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("inventory.toml, line 3: adjustments entry 1: value 0.4 is positive"),
        "{stderr}"
    );
    assert!(!d.path("out/annex1.xlsx").exists());
}
