//! `airinv uncertainty` and `airinv kca` on a three-row NOx inventory whose
//! results are computed by hand (IPCC 2006 Table 3.2, Eq. 4.1-4.2).

use crate::harness::Dir;
use serde_json::Value;

/// 1A1a, 1A2a and 1A4bi burning natural gas, NOx by the inventory's own
/// factors of 100 g/GJ (so 10 000 TJ give 1 kt), with 95 % intervals of
/// ±20 %, ±30 % and ±100 %; 2005: 50, 40, 10 kt; 2022: 45, 30, 15 kt.
fn three_rows(d: &Dir) {
    d.write(
        "inv/inventory.toml",
        "name = \"three rows\"\ncountry = \"KZ\"\nyears = [2005, 2022]\nactivity = [\"activity.csv\"]\nfactors = [\"factors.csv\"]\nuncertainties = [\"uncertainties.csv\"]\n",
    );
    d.write(
        "inv/activity.csv",
        "year,nfr,fuel,technology,value,unit\n\
         2005,1A1a,Natural gas,,500000,TJ\n2005,1A2a,Natural gas,,400000,TJ\n2005,1A4bi,Natural gas,,100000,TJ\n\
         2022,1A1a,Natural gas,,450000,TJ\n2022,1A2a,Natural gas,,300000,TJ\n2022,1A4bi,Natural gas,,150000,TJ\n",
    );
    d.write(
        "inv/factors.csv",
        "nfr,fuel,technology,pollutant,value,unit,ci_lower,ci_upper\n\
         1A1a,Natural gas,,NOx,100,g/GJ,80,120\n\
         1A2a,Natural gas,,NOx,100,g/GJ,70,130\n\
         1A4bi,Natural gas,,NOx,100,g/GJ,0,200\n",
    );
    // Activity: 5 % (the 1A default) for 1A1a and 1A2a, 20 % for 1A4bi.
    d.write(
        "inv/uncertainties.csv",
        "nfr,fuel,pollutant,activity_pct,factor_pct\n1A4bi,,,20,\n",
    );
}

fn json(d: &Dir, args: &[&str]) -> Value {
    let out = d
        .airinv()
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn nox(v: &Value) -> &Value {
    v["pollutants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pollutant"] == "NOx")
        .expect("NOx")
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        other => other
            .as_f64()
            .unwrap_or_else(|| panic!("{other} is not a number")),
    }
}

/// Approach 1 by hand: G = √(E² + F²) = √425, √925, √10400;
/// H = G²·(D/90)² = 106.25, 102.777…, 288.888…; U = √497.91666… = 22.3140463983…%.
/// Trend −10 %; Type A = 0, −0.0597609…, 0.0599400…; Type B = 0.45, 0.3,
/// 0.15; M = (A·F)² + (B·E·√2)² = 10.125, 7.7142346…, 53.9281078…;
/// U_trend = √71.7673425… = 8.4715608096… percentage points.
#[test]
fn approach_1_of_three_rows_equals_the_hand_computation() {
    let d = Dir::new();
    three_rows(&d);
    let v = json(
        &d,
        &[
            "uncertainty",
            "inv",
            "--year",
            "2022",
            "--base",
            "2005",
            "--iterations",
            "1000",
        ],
    );
    let n = nox(&v);
    assert_eq!(num(&n["total"]), 90.0);
    assert_eq!(num(&n["base_total"]), 100.0);
    assert!(
        (num(&n["uncertainty_pct"]) - 22.314_046_398_326_47).abs() < 1e-9,
        "{n}"
    );
    assert_eq!(num(&n["trend_pct"]), -10.0);
    assert!(
        (num(&n["trend_uncertainty_pct"]) - 8.471_560_809_606_88).abs() < 1e-9,
        "{n}"
    );
    let cats = n["categories"].as_array().unwrap();
    let by = |code: &str| cats.iter().find(|c| c["code"] == code).unwrap();
    assert_eq!(num(&by("1A1a")["activity_pct"]), 5.0);
    assert_eq!(num(&by("1A4bi")["activity_pct"]), 20.0);
    assert_eq!(num(&by("1A2a")["factor_pct"]), 30.0);
    assert!(
        (num(&by("1A4bi")["contribution_pct"]) - 288.888_888_888_9 / 497.916_666_666_7 * 100.0)
            .abs()
            < 1e-6
    );
    assert!((num(&by("1A2a")["trend_contribution"]) - 7.714_234_694_687_386).abs() < 1e-9);
    assert_eq!(v["lineage"], true);
    let mc = &n["monte_carlo"];
    assert_eq!(mc["iterations"], 1000);
    assert_eq!(mc["sampled_activities"], 6);
    assert_eq!(mc["sampled_factors"], 3);
}

/// Level: 45, 30, 15 of 90 = 50, 33.3…, 16.6… %: 1A1a (0 % before it) and
/// 1A2a (50 % before) are key, 1A4bi (83.3 % before) is not.
/// Trend: T = |D − C·0.9| / 100 = 0, 0.06, 0.06 → 0, 50, 50 %: 1A2a and
/// 1A4bi are key.
#[test]
fn key_categories_of_three_rows_equal_the_hand_computation() {
    let d = Dir::new();
    three_rows(&d);
    let v = json(&d, &["kca", "inv", "--year", "2022", "--base", "2005"]);
    let n = nox(&v);
    let cats = n["categories"].as_array().unwrap();
    let codes: Vec<&str> = cats.iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["1A1a", "1A2a", "1A4bi"]);
    let key_level: Vec<bool> = cats
        .iter()
        .map(|c| c["key_level"].as_bool().unwrap())
        .collect();
    assert_eq!(key_level, [true, true, false]);
    assert_eq!(num(&cats[0]["level"]), 50.0);
    assert!((num(&cats[1]["cumulative"]) - (50.0 + 100.0 / 3.0)).abs() < 1e-12);
    let trend: Vec<f64> = cats.iter().map(|c| num(&c["trend"])).collect();
    assert_eq!(trend, [0.0, 50.0, 50.0]);
    let key_trend: Vec<bool> = cats
        .iter()
        .map(|c| c["key_trend"].as_bool().unwrap())
        .collect();
    assert_eq!(key_trend, [false, true, true]);
    // Approach 2 (an inventory folder has each row's uncertainty): L·U =
    // 50·√425, 33.3·√925, 16.7·√10400 → 27.1, 26.7, 46.2 %: all three key;
    // T·U = 0, 50·√925, 50·√10400 → 0, 23.0, 77.0 %: 1A4bi and 1A2a key.
    assert_eq!(cats[2]["key_level_u"], true);
    assert_eq!(cats[2]["criteria"], "T1/L2/T2");
    assert_eq!(cats[0]["criteria"], "L1/L2");
}

/// Small symmetric uncertainties (factors ±4 %, ±6 %, ±8 %; activity ±2 %,
/// ±2 %, ±3 %): the Monte Carlo's 95 % interval of the total and of the trend
/// equals Approach 1's within sampling error (10^5 iterations: about 0.5 %
/// of the half-width) and the slight non-linearity of products.
#[test]
fn monte_carlo_agrees_with_approach_1_for_small_symmetric_uncertainties() {
    let d = Dir::new();
    three_rows(&d);
    d.write(
        "small.csv",
        "nfr,fuel,pollutant,activity_pct,factor_pct\n1A1a,,,2,4\n1A2a,,,2,6\n1A4bi,,,3,8\n",
    );
    let v = json(
        &d,
        &[
            "uncertainty",
            "inv",
            "--year",
            "2022",
            "--base",
            "2005",
            "--uncertainties",
            "small.csv",
            "--iterations",
            "100000",
            "--seed",
            "7",
        ],
    );
    let n = nox(&v);
    let mc = &n["monte_carlo"];
    let total = 90.0;
    let u1 = num(&n["uncertainty_pct"]);
    let half_mc = (num(&mc["upper"]) - num(&mc["lower"])) / 2.0 / total * 100.0;
    assert!(
        (half_mc - u1).abs() / u1 < 0.02,
        "MC ±{half_mc} %, Approach 1 ±{u1} %"
    );
    assert!((num(&mc["mean"]) - total).abs() / total < 0.001, "{mc}");
    let t1 = num(&n["trend_uncertainty_pct"]);
    let tr = &mc["trend_pct"];
    let half_t = (num(&tr["upper"]) - num(&tr["lower"])) / 2.0;
    assert!(
        (half_t - t1).abs() / t1 < 0.03,
        "MC trend ±{half_t} pp, Approach 1 ±{t1} pp"
    );
    assert!((num(&tr["median"]) + 10.0).abs() < 0.1, "{tr}");
}

#[test]
fn the_same_seed_gives_identical_output_on_1_and_2_threads() {
    let d = Dir::new();
    three_rows(&d);
    let run = |threads: &str| {
        d.airinv()
            .args([
                "uncertainty",
                "inv",
                "--year",
                "2022",
                "--base",
                "2005",
                "--iterations",
                "30000",
                "--seed",
                "42",
                "--threads",
                threads,
                "--format",
                "json",
            ])
            .output()
            .unwrap()
    };
    let (one, two) = (run("1"), run("2"));
    assert!(one.status.success());
    assert_eq!(one.stdout, two.stdout);
    let v: Value = serde_json::from_slice(&one.stdout).unwrap();
    assert_eq!(nox(&v)["monte_carlo"]["seed"], 42);
}

#[test]
fn tables_workbook_and_chart_are_written() {
    let d = Dir::new();
    three_rows(&d);
    d.airinv()
        .args([
            "uncertainty",
            "inv",
            "--year",
            "2022",
            "--iterations",
            "2000",
            "--format",
            "csv",
            "--xlsx",
            "u.xlsx",
            "--plot",
            "u.svg",
        ])
        .assert()
        .success();
    let book = calamine::open_workbook_auto(d.path("u.xlsx")).unwrap();
    use calamine::Reader;
    let names = book.sheet_names();
    assert_eq!(names[0], "Summary");
    assert!(names.iter().any(|n| n == "NOx"));
    // PCDD/F: Excel forbids / in sheet names.
    assert!(names.iter().any(|n| n == "PCDD_F"), "{names:?}");
    let svg = d.read("u.svg");
    assert!(svg.contains("<title>1A4bi: "), "{svg}");
    let out = d
        .airinv()
        .args([
            "uncertainty",
            "inv",
            "--year",
            "2022",
            "--iterations",
            "2000",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    // Issue 24: each side of an interval in its own column, then their mean.
    assert!(
        header.starts_with(
            "pollutant,code,name,base_emission,emission,activity_lower_pct,activity_upper_pct,\
             factor_lower_pct,factor_upper_pct,combined_lower_pct,combined_upper_pct,combined_pct,\
             variance_share_pct,"
        ),
        "{header}"
    );
    let line = text.lines().find(|l| l.starts_with("NOx,1A4bi,")).unwrap();
    // 1A4bi: activity ±20 % (the file), factor 0-200 of 100 = −100 / +100 %;
    // G = √(20² + 100²) = 101.98039027185569660056448218… on both sides;
    // variance share (G·E)² / Σ(G·E)² = 10400·15² / (10400·15² + 425·45²
    // + 925·30²) = 2 340 000 / 4 033 125 = 58.019525801952580195…%.
    let g = "101.98039027185569660056448";
    assert!(
        line.contains(&format!(
            ",15,20,20,100,100,{g}218,{g}218,{g}218,58.0195258019525801952580195"
        )),
        "{line}"
    );
    // Key by Approach 2 only (16.7 % of the level, but the largest L·U);
    // where each uncertainty comes from.
    assert!(
        line.ends_with(
            ",L2,0,\"20 % from inv/uncertainties.csv, row 2\",factors:4 95 % interval 0-200 g/GJ"
        ),
        "{line}"
    );
    // The total: √4 033 125 / 90 = 22.314046398326…% on both sides.
    let total = text.lines().find(|l| l.starts_with("NOx,TOTAL,")).unwrap();
    assert!(total.contains(",90,,,,,22.314046398326"), "{total}");
}

#[test]
fn bad_input_is_named_and_exits_2() {
    let d = Dir::new();
    three_rows(&d);
    d.write(
        "bad.csv",
        "nfr,fuel,pollutant,activity_pct,factor_pct\n1A1a,,NOx,five,\n",
    );
    let out = d
        .airinv()
        .args([
            "uncertainty",
            "inv",
            "--year",
            "2022",
            "--uncertainties",
            "bad.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv, row 2, column activity_pct: 'five' is not a percentage"),
        "{err}"
    );
    let out = d
        .airinv()
        .args(["kca", "inv", "--year", "2019"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("has no year 2019; its years are 2005, 2022")
    );
}

/// The outputs README.md shows for `kca` and `uncertainty` on the example
/// are what the commands print: every line of the README's block (but
/// `...`) is a line of the output.
#[test]
fn readme_examples_are_what_the_commands_print() {
    let readme = std::fs::read_to_string(crate::harness::repo().join("README.md")).unwrap();
    for command in [
        "airinv kca inventories/example --year 2022 --base 2005",
        "airinv uncertainty inventories/example --year 2022 --base 2005 --iterations 20000",
    ] {
        let start = readme
            .find(&format!("$ {command}\n"))
            .unwrap_or_else(|| panic!("README shows no `{command}`"));
        let block: Vec<&str> = readme[start..]
            .lines()
            .skip(1)
            .take_while(|l| !l.starts_with("```"))
            .filter(|l| *l != "...")
            .collect();
        assert!(block.len() >= 3, "{block:?}");
        let d = Dir::new();
        let out = d
            .airinv()
            .current_dir(crate::harness::repo())
            .args(command.split(' ').skip(1))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8(out.stdout).unwrap();
        let lines: Vec<&str> = stdout.lines().map(str::trim_end).collect();
        for l in block {
            assert!(
                lines.contains(&l.trim_end()),
                "`{command}` does not print\n{l}\nbut\n{stdout}"
            );
        }
    }
}
