//! A reclassification in the activity statistics, spliced (`[[splice]]`):
//! a small inventory whose statistics class the coal of an industry's
//! power plants as public electricity in its last year, compiled, checked
//! and explained with and without the declaration.

use crate::harness::{Dir, annex_cell, csv_rows, dec};

const INVENTORY: &str = r#"
name = "Reclassified"
country = "XX"
years = [2021, 2022, 2023]
activity = ["energy.csv"]
"#;

/// Hard coal, TJ: the three rows burn 1 000 000 TJ in 2021 and 2022 and
/// 1 020 000 TJ in 2023, when the statistics class the non-ferrous works'
/// power plants (1A2b) and most autoproducers (1A2gviii) as main-activity
/// plants (1A1a).
const ENERGY: &str = "year,nfr,fuel,technology,value,unit\n\
    2021,1A1a,Hard Coal,,700000,TJ\n\
    2021,1A2b,Hard Coal,,100000,TJ\n\
    2021,1A2gviii,Hard Coal,,200000,TJ\n\
    2022,1A1a,Hard Coal,,710000,TJ\n\
    2022,1A2b,Hard Coal,,100000,TJ\n\
    2022,1A2gviii,Hard Coal,,190000,TJ\n\
    2023,1A1a,Hard Coal,,1000000,TJ\n\
    2023,1A2gviii,Hard Coal,,20000,TJ\n\
    2021,1A1a,Natural gas,,50000,TJ\n\
    2022,1A1a,Natural gas,,50000,TJ\n\
    2023,1A1a,Natural gas,,50000,TJ\n";

const SPLICE: &str = r#"
[[splice]]
nfr = ["1A1a", "1A2b", "1A2gviii"]
fuels = ["Hard Coal"]
years = [2021, 2022, 2023]
basis = "shares"
shares_of = [2021, 2022]
reason = "in 2023 the statistics class the plants of metal works as main-activity producers"
"#;

fn inventory(d: &Dir, splice: &str) {
    d.write("inv/inventory.toml", &format!("{INVENTORY}{splice}"));
    d.write("inv/energy.csv", ENERGY);
}

#[test]
fn a_reclassification_is_spliced_as_computed_by_hand() {
    let d = Dir::new();
    inventory(&d, SPLICE);
    let stdout = d.run_ok(&["compile", "inv", "--out", "out"]);
    // Shares of 2021-2022: 1A1a 1 410 000, 1A2b 200 000, 1A2gviii 390 000
    // of 2 000 000 TJ. 2023: 1A2b 1 020 000 × 0.1 = 102 000 TJ, 1A2gviii
    // 1 020 000 × 0.195 = 198 900 TJ, 1A1a the rest, 719 100 TJ.
    assert!(
        stdout.contains("  2023 Hard Coal (TJ): 1A1a 1000000 → 719100, 1A2b none → 102000, 1A2gviii 20000 → 198900 ([[splice]] 1)"),
        "{stdout}"
    );
    let y2023 = d.path("out/annex1_2023.csv");
    assert_eq!(annex_cell(&y2023, "1A2b", "solid_fuels_tj"), "102000");
    assert_eq!(annex_cell(&y2023, "1A2gviii", "solid_fuels_tj"), "198900");
    // 1A1a: 719 100 TJ of coal and 50 000 of gas, as reported.
    assert_eq!(annex_cell(&y2023, "1A1a", "solid_fuels_tj"), "719100");
    assert_eq!(annex_cell(&y2023, "1A1a", "gaseous_fuels_tj"), "50000");
    // Guidebook 2023 Tier 1 PM2.5: 1.A.1 hard coal 3.4 g/GJ, 1.A.2 solid
    // fuels 108 g/GJ. 1A2b 2023: 102 000 TJ × 108 g/GJ = 11.016 kt;
    // 1A2gviii 198 900 × 108 = 21.4812 kt; 1A1a coal 719 100 × 3.4 = 2.44494 kt.
    assert_eq!(annex_cell(&y2023, "1A2b", "PM2.5"), "11.016");
    assert_eq!(annex_cell(&y2023, "1A2gviii", "PM2.5"), "21.4812");
    // 2021: 1A2gviii 1 000 000 × 0.195 = 195 000 TJ × 108 = 21.06 kt.
    let y2021 = d.path("out/annex1_2021.csv");
    assert_eq!(annex_cell(&y2021, "1A2gviii", "PM2.5"), "21.06");
    // detail.csv says how each value was made.
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let line = |year: &str, code: &str, fuel: &str| {
        rows.iter()
            .find(|r| {
                r[c("year")] == year
                    && r[c("code")] == code
                    && r[c("fuel")] == fuel
                    && r[c("pollutant")] == "PM2.5"
            })
            .unwrap_or_else(|| panic!("{year} {code} {fuel}"))
    };
    let b = line("2023", "1A2b", "Hard Coal");
    assert_eq!(dec(&b[c("activity")]), dec("102000"));
    assert_eq!(b[c("activity_rows")], "0");
    assert!(
        b[c("splice")].contains("as reported 1A1a 1000000, 1A2b none, 1A2gviii 20000) split with the rows' shares of 2021-2022 (1A1a 1410000, 1A2b 200000, 1A2gviii 390000 TJ); 1A2b has 10 %"),
        "{b:?}"
    );
    assert!(line("2023", "1A1a", "Natural gas")[c("splice")].is_empty());
    // explain shows it under the line.
    let explained = d.run_ok(&["explain", "out", "2023!I18"]);
    assert!(
        explained.contains("   splice: [[splice]] 1: re-allocated, not as reported: the 2023 Hard Coal of 1A1a, 1A2b, 1A2gviii"),
        "{explained}"
    );
    // check lists each re-allocated row (3 rows × 3 years; the console
    // groups them by row, --format csv lists every one) and finds no
    // reclassification left.
    let checked = d.run_ok(&["check", "inv"]);
    assert!(checked.contains("9 info splice.reallocated"), "{checked}");
    let every = d.run_ok(&["check", "inv", "--format", "csv"]);
    let b2023 = every
        .lines()
        .find(|l| l.starts_with("info,splice.reallocated,2023,1A2b,"))
        .unwrap_or_else(|| panic!("{every}"));
    assert!(
        b2023.contains("2023 1A2b: activity re-allocated by airinv, not as reported: Hard Coal none → 102000 TJ ([[splice]] entry 1 of inventory.toml"),
        "{b2023}"
    );
    assert_eq!(
        every
            .lines()
            .filter(|l| l.starts_with("info,splice.reallocated,"))
            .count(),
        9
    );
    assert!(
        !checked.contains("warning time-series.reclassification"),
        "{checked}"
    );
}

#[test]
fn the_rows_of_a_splice_add_up_with_per_row_lineage() {
    let d = Dir::new();
    inventory(&d, SPLICE);
    d.run_ok(&["compile", "inv", "--out", "out", "--detail", "rows"]);
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    let of = |code: &str| -> Vec<&Vec<String>> {
        rows.iter()
            .filter(|r| {
                r[c("year")] == "2023"
                    && r[c("code")] == code
                    && r[c("pollutant")] == "PM2.5"
                    && r[c("fuel")] == "Hard Coal"
            })
            .collect()
    };
    // 1A1a: the input row as reported, then the row of the difference at
    // the declaration: 719 100 − 1 000 000 = −280 900 TJ.
    let main = of("1A1a");
    assert_eq!(main.len(), 2);
    assert_eq!(dec(&main[0][c("activity")]), dec("1000000"));
    assert_eq!(dec(&main[1][c("activity")]), dec("-280900"));
    assert!(
        main[1][c("input_row")].ends_with("inventory.toml [[splice]] 1"),
        "{:?}",
        main[1]
    );
    // The emissions of the rows add up to the cell: 3.4 − 0.95506 = 2.44494 kt.
    let sum: rust_decimal::Decimal = main.iter().map(|r| dec(&r[c("emission")])).sum();
    assert_eq!(sum, dec("2.44494"));
}

#[test]
fn check_names_a_reclassification_until_it_is_spliced_or_explained() {
    let d = Dir::new();
    inventory(&d, "");
    let out = d
        .airinv()
        .args(["check", "inv", "--format", "csv"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    // PM2.5 2022: 710 000 × 3.4 + 100 000 × 108 + 190 000 × 108 g/GJ of
    // coal and 50 000 × 0.89 g/GJ of gas (1.A.1 Table 3-4) = 2.414 + 10.8 +
    // 20.52 + 0.0445 = 33.7785 kt; 2023: 1 000 000 × 3.4 + 20 000 × 108 +
    // 50 000 × 0.89 = 3.4 + 2.16 + 0.0445 = 5.6045 kt (5.6045 / 33.7785 − 1
    // = −83.4 %), shown to 0.001, while 1A1a's coal took what 1A2gviii's lost.
    let warning = stdout
        .lines()
        .find(|l| l.starts_with("warning,time-series.reclassification,2023,NATIONAL TOTAL,PM2.5"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        warning.contains("NATIONAL TOTAL PM2.5 2023 = 5.604 kt against 33.778 kt in 2022 (−83.4 %), a change of more than 20 %: most of it is in 1A2gviii (−18.36 kt)"),
        "{warning}"
    );
    assert!(
        warning.contains("1A2gviii solid fuels (AG24) went from 190000 to 20000 TJ while 1A1a +290000 TJ moved the other way"),
        "{warning}"
    );
    // Declared for other years only: still a warning, saying so.
    inventory(
        &d,
        &SPLICE.replace("years = [2021, 2022, 2023]", "years = [2021, 2022]"),
    );
    let stdout = d.run_ok(&["check", "inv", "--format", "csv"]);
    let warning = stdout
        .lines()
        .find(|l| l.starts_with("warning,time-series.reclassification,2023,NATIONAL TOTAL,PM2.5"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        warning.contains(
            "1A2gviii is declared reclassified by [[splice]] entry 1 for 2021-2022, not for 2023"
        ),
        "{warning}"
    );
    // Kept as reported with its reason: explained, an info.
    inventory(
        &d,
        &SPLICE.replace(
            "basis = \"shares\"\nshares_of = [2021, 2022]\n",
            "basis = \"reported\"\n",
        ),
    );
    let stdout = d.run_ok(&["check", "inv", "--format", "csv"]);
    assert!(
        !stdout.contains("warning,time-series.reclassification"),
        "{stdout}"
    );
    let info = stdout
        .lines()
        .find(|l| l.starts_with("info,time-series.reclassification,2023,NATIONAL TOTAL,PM2.5"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        info.contains("1A2gviii is declared reclassified by [[splice]] entry 1 (kept as the statistics report it), kept as reported and explained: in 2023 the statistics class"),
        "{info}"
    );
    assert!(stdout.contains("info,splice.kept,2023"), "{stdout}");
    // The PM2.5 of 2023 is as reported: 5.6045 kt.
    d.run_ok(&["compile", "inv", "--out", "out"]);
    assert_eq!(
        annex_cell(&d.path("out/annex1_2023.csv"), "NATIONAL TOTAL", "PM2.5"),
        "5.6045"
    );
}

#[test]
fn a_splice_that_cannot_be_made_stops_the_compile_at_its_line() {
    let d = Dir::new();
    inventory(
        &d,
        &SPLICE.replace("shares_of = [2021, 2022]", "shares_of = [2019]"),
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("inv/inventory.toml, line 7: [[splice]] entry 1: shares_of: 2019 is not one of the inventory's years (2021-2023)"),
        "{stderr}"
    );
    assert!(!d.path("out/annex1.xlsx").exists());
}
