//! `airinv ratification`: options side by side on the scenario tests'
//! hand-solved case (coal washing and wet FGD on 100 000 TJ of coal), their
//! numbers by hand and by the LP's dual; the marginal cost and the costs
//! attributed per target in `airinv scenario`; the options file's messages.

use crate::harness::{Dir, csv_rows, dec};
use crate::scenario::{COAL, hand_case};
use rust_decimal::Decimal;

/// The dual of the hand case by hand. Shares w (washing, 0.30 of SOx,
/// 10 EUR/TJ) and f (FGD, 0.95, 1500 × CRF(4 %, 20) + 2 % + 30 EUR/TJ) on
/// 100 000 TJ emitting 82 kt of SOx; both between their bounds at the
/// optimum (w + f = 1, 24.6 w + 77.9 f = 32.8 kt), so both reduced costs
/// are zero: c_w = λ·24.6 kt − μ and c_f = λ·77.9 kt − μ, whence
/// λ = (c_f − c_w) / 53.3 kt, the shadow price of the SOx constraint.
fn dual_by_hand() -> Decimal {
    let q = (0..20).fold(Decimal::ONE, |q, _| q * dec("1.04"));
    let crf = dec("0.04") * q / (q - Decimal::ONE);
    let fgd = dec("1500") * crf + dec("30") + dec("30");
    (fgd - dec("10")) * dec("100000") / dec("53300")
}

#[test]
fn the_marginal_cost_of_a_target_is_the_lps_dual() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("60"));
    let out = d
        .airinv()
        .args(["scenario", "wam.toml", "--out", "out", "--optimize"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let s: serde_json::Value = serde_json::from_str(&d.read("out/summary.json")).unwrap();
    let y = &s["scenarios"][0]["years"][0];
    let t = &y["targets"][0];
    let lambda = dec(t["marginal_cost_per_t"].as_str().unwrap());
    assert!((lambda - dual_by_hand()).abs() < dec("0.01"), "{lambda}");
    assert_eq!(dual_by_hand().round_dp(2), dec("300.89"));
    // Both measures remove SOx alone: the whole cost is the target's.
    assert_eq!(t["annual_cost"], y["total_annual_cost"]);
    assert_eq!(t["drives_cost"], true);
    assert_eq!(y["measures"][0]["cost_split"], "one");
    let (header, rows) = csv_rows(&d.path("out/measures.csv"));
    let col = header.iter().position(|h| h == "cost_for_targets").unwrap();
    assert!(rows[0][col].starts_with("SOx="), "{:?}", rows[0]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("marginal cost 301 EUR/t"), "{stdout}");
}

/// An options file on the hand case: SO2 −60 % on 2005 (the Protocol's own
/// base year) and the Heavy Metals on 2024 (a what-if).
const OPTIONS: &str = r#"scenario = "wam.toml"
years = [2030]

[[option]]
name = "SO2 -60 %"
protocols = ["Gothenburg"]
commitments = { SOx = 60 }
base_year = 2005
source = "test"

[[option]]
name = "Heavy Metals"
protocols = ["HeavyMetals"]
base_year = 2024
limits = "LCP"
ratification_year = 2030
"#;

#[test]
fn options_are_compared_with_their_costs_by_hand() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("60"));
    d.write("options.toml", OPTIONS);
    let out = d
        .airinv()
        .args(["ratification", "options.toml", "--out", "out"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (header, rows) = csv_rows(&d.path("out/options.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let sox = rows.iter().find(|r| r[col("pollutant")] == "SOx").unwrap();
    // 123 kt in 2005 × 0.4 = 49.2 kt; 82 kt with the existing (no) measures.
    assert_eq!(dec(&sox[col("ceiling")]), dec("49.2"));
    assert_eq!(dec(&sox[col("existing_measures")]), dec("82"));
    assert_eq!(sox[col("existing_met")], "no");
    assert_eq!(
        dec(&sox[col("least_cost_emission")]).round_dp(6),
        dec("49.2")
    );
    assert_eq!(sox[col("met")], "yes");
    assert_eq!(sox[col("what_if")], "");
    // 100 000 TJ × (10 × 11/13 + 170.3726 × 2/13) = 3 467 271 EUR a year,
    // for 32.8 kt: 105.71 EUR/t on average, 300.89 at the margin.
    assert_eq!(dec(&sox[col("annual_cost")]).round_dp(0), dec("3467271"));
    assert_eq!(dec(&sox[col("cost_per_t")]).round_dp(1), dec("105.7"));
    let lambda = dec(&sox[col("marginal_cost_per_t")]);
    assert!((lambda - dual_by_hand()).abs() < dec("0.01"), "{lambda}");
    assert_eq!(sox[col("drives_cost")], "yes");
    // Heavy Metals below 2024 (a what-if): the activity does not grow, so
    // Hg stays at its 2024 level, met at no cost.
    let hg = rows.iter().find(|r| r[col("pollutant")] == "Hg").unwrap();
    assert!(hg[col("what_if")].starts_with("what-if"), "{hg:?}");
    assert_eq!(hg[col("requirement")], "below 2024 level");
    assert_eq!(hg[col("existing_measures")], hg[col("base_emission")]);
    assert_eq!(hg[col("met")], "yes");
    assert_eq!(dec(&hg[col("annual_cost")]), Decimal::ZERO);
    assert!(hg[col("limits")].contains("needs the plant register (issue 25)"));
    // The measures, the JSON and the workbook.
    let (_, measures) = csv_rows(&d.path("out/options_measures.csv"));
    assert_eq!(measures.len(), 2, "{measures:?}");
    let json: serde_json::Value = serde_json::from_str(&d.read("out/ratification.json")).unwrap();
    assert_eq!(json["options"][0]["years"][0]["feasible"], true);
    assert_eq!(json["options"][1]["limits"]["assessed"], false);
    assert!(d.path("out/ratification.xlsx").exists());
    assert!(stdout.contains("SOx 60 % below 2005"), "{stdout}");
    assert!(stdout.contains("Hg below 2024 level*"), "{stdout}");
}

#[test]
fn an_options_file_is_refused_with_its_line() {
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("60"));
    let run = |text: &str| {
        d.write("o.toml", text);
        let out = d
            .airinv()
            .args(["ratification", "o.toml", "--out", "out"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let e = run(
        "scenario = \"wam.toml\"\nyears = [2035]\n[[option]]\nname = \"A\"\nprotocols = [\"POPs\"]\n",
    );
    assert!(
        e.contains("o.toml, line 3: [[option]] A: 2035 is not a projection year of"),
        "{e}"
    );
    let e = run(
        "scenario = \"wam.toml\"\nyears = [2030]\n[[option]]\nname = \"A\"\nprotocols = [\"POPs\"]\nbase_year = 2019\n",
    );
    assert!(
        e.contains(
            "line 3: [[option]] A: POPs base year 2019 is not a year the base compiles (2005, 2024)"
        ),
        "{e}"
    );
    let e = run("scenario = \"wam.toml\"\n[[option]]\nname = \"A\"\nprotocol = \"POPs\"\n");
    assert!(e.contains("o.toml, line 4"), "{e}");
}
