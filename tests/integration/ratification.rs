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
limits = "protocols-1999"
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
    // The hand case's base has no plant register: the limit values are
    // named, and the option is assessed without them (no measure added).
    assert_eq!(
        hg[col("limits")],
        "limit values 'protocols-1999' from 2030: the base inventory has no plant register \
         (plants = [...] in inventory.toml); the option is assessed without them"
    );
    // The measures, the JSON and the workbook.
    let (_, measures) = csv_rows(&d.path("out/options_measures.csv"));
    assert_eq!(measures.len(), 2, "{measures:?}");
    let json: serde_json::Value = serde_json::from_str(&d.read("out/ratification.json")).unwrap();
    assert_eq!(json["options"][0]["years"][0]["feasible"], true);
    assert_eq!(json["options"][1]["limits"]["assessed"], false);
    assert_eq!(json["options"][1]["limits"]["set"], "protocols-1999");
    assert_eq!(json["options"][1]["limits"]["ratification_year"], 2030);
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

/// One existing 600 MWth coal boiler in the base (Tier 3: 10 000 of the
/// 100 000 TJ, 4·10^9 Nm3 at 1 000 mg SO2/Nm3 = 4 kt; the other 90 000 TJ at
/// 820 g/GJ = 73.8 kt: 77.8 kt). The 1999 Protocol's 400 mg/Nm3 (existing,
/// above 500 MWth) takes 2 400 t off it; the library's cheapest measure that
/// reaches 60 % is B07 at 140 USD per short ton removed.
#[test]
fn an_options_limit_values_close_a_plants_gap_at_its_cost() {
    let d = Dir::new();
    d.write(
        "inv/inventory.toml",
        "name = \"coal\"\ncountry = \"KZ\"\nyears = [2005, 2024]\nactivity = [\"activity.csv\"]\nfactors = [\"factors.csv\"]\nplants = [\"plants.csv\"]\n",
    );
    d.write(
        "inv/activity.csv",
        "year,nfr,fuel,technology,value,unit\n2005,1A1a,Hard coal,,150000,TJ\n2024,1A1a,Hard coal,,100000,TJ\n",
    );
    d.write(
        "inv/factors.csv",
        "nfr,fuel,technology,pollutant,value,unit\n1A1a,Hard coal,,SOx,820,g/GJ\n",
    );
    d.write(
        "inv/plants.csv",
        "id,year,nfr,fuel,thermal_input_mw,commissioning_year,hours,fuel_use,fuel_unit,o2_pct,flue_gas_nm3,SOx_mg_nm3\n\
         P1,2024,1A1a,Hard coal,600,1980,8000,10000,TJ,6,4000000000,1000\n",
    );
    // The hand case on this base, with the prices that turn the library's
    // USD of 1995 into EUR of 2024.
    d.write(
        "wam.toml",
        &hand_case("60").replace("base = \"coal.csv\"", "base = \"inv\"").replace(
            "discount_rate = 0.04",
            "discount_rate = 0.04\nprice_year = 2024\nexchange_rates = { USD = 0.9 }\nprice_index = { 1995 = 50, 2024 = 100 }",
        ),
    );
    // The same without prices: the library's USD cannot be costed in EUR.
    d.write(
        "plain.toml",
        &hand_case("60").replace("base = \"coal.csv\"", "base = \"inv\""),
    );
    let option = |name: &str, limits: &str| {
        format!(
            "[[option]]\nname = \"{name}\"\nprotocols = [\"Gothenburg\"]\ncommitments = {{ SOx = 60 }}\nbase_year = 2005\n{limits}\n"
        )
    };
    d.write(
        "options.toml",
        &format!(
            "scenario = \"wam.toml\"\nyears = [2030]\n\n{}{}{}",
            option("without", ""),
            option(
                "with",
                "limits = \"protocols-1999\"\nratification_year = 2026"
            ),
            option(
                "uncosted",
                "limits = \"protocols-1999\"\nratification_year = 2026\nscenario = \"plain.toml\""
            )
        ),
    );
    let out = d
        .airinv()
        .args(["ratification", "options.toml", "--out", "out"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (header, rows) = csv_rows(&d.path("out/options.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let of = |name: &str| rows.iter().find(|r| r[col("option")] == name).unwrap();
    let (without, with) = (of("without"), of("with"));
    assert_eq!(dec(&without[col("existing_measures")]), dec("77.8"));
    // 77.8 − 2.4, through the removal 2.4 / 77.8 (a recurring decimal: equal
    // to 20 places).
    assert_eq!(
        dec(&with[col("existing_measures")]).round_dp(20),
        dec("75.4")
    );
    // The gap's cost: 2 400 t × 140 USD ÷ 0.90718474 t × 0.9 EUR/USD × 100/50.
    let elv = dec("2400") * dec("140") / dec("0.90718474") * dec("0.9") * dec("2");
    assert_eq!(elv.round_dp(2), dec("666677.88"));
    let (_, measures) = csv_rows(&d.path("out/options_measures.csv"));
    let m = measures
        .iter()
        .find(|r| r[2] == "ELV protocols-1999 1A1a Hard coal")
        .unwrap_or_else(|| panic!("{measures:?}"));
    assert!((dec(&m[6]) - elv).abs() < dec("0.01"), "{m:?}");
    // Washing w and FGD f = 1 − w remove 0.3 + 0.65 f of 77.8 kt: 28.6 kt
    // without the limits, 28.6 − 2.4 with them, so f falls by
    // 2.4 / (77.8 × 0.65) and the option saves (c_f − c_w) × 100 000 TJ × that.
    let q = (0..20).fold(Decimal::ONE, |q, _| q * dec("1.04"));
    let fgd = dec("1500") * dec("0.04") * q / (q - Decimal::ONE) + dec("30") + dec("30");
    let saved = (fgd - dec("10")) * dec("100000") * dec("2.4") / dec("50.57");
    let change = dec(&with[col("annual_cost")]) - dec(&without[col("annual_cost")]);
    assert!((change - (elv - saved)).abs() < dec("0.05"), "{change}");
    assert_eq!((elv - saved).round_dp(0), dec("-94434"));
    // Without prices the gap has no cost: the option's cost leaves it out
    // and says so, with what to give.
    let json: serde_json::Value = serde_json::from_str(&d.read("out/ratification.json")).unwrap();
    let note = json["options"][2]["limits"]["note"].as_str().unwrap();
    assert!(
        note.contains("ELV protocols-1999 1A1a Hard coal: 1 gap(s) without a costed measure are not in the cost (e.g. plant P1: "),
        "{note}"
    );
    assert!(
        note.contains(
            "B07: measure B07 costs are in USD and the scenario's in EUR: give exchange_rates USD"
        ),
        "{note}"
    );
    assert!(
        json["options"][1]["limits"]["note"]
            .as_str()
            .unwrap()
            .ends_with("cheapest measure of each plant)")
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("uncosted: limit values 'protocols-1999' from 2026"),
        "{stdout}"
    );
}
