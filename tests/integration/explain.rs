//! `airinv explain`: every cell explained is recomputed here from what the
//! command prints (its JSON): the sum of the lines' emissions is the cell
//! of annex1_<YEAR>.csv, exactly, and each line's activity × multiplier is
//! its emission; on the example and Kazakhstan inventories, with both
//! layouts of detail.csv.

use crate::harness::{Dir, annex_cell, csv_rows, dec, repo};
use rust_decimal::Decimal;
use serde_json::Value;

/// Compiles an inventory of the repository into `dir/<out>`.
fn compile(d: &Dir, inventory: &str, out: &str, detail: &str) {
    let inv = repo().join("inventories").join(inventory);
    d.run_ok(&[
        "compile",
        inv.to_str().unwrap(),
        "--out",
        out,
        "--detail",
        detail,
        "--quiet",
    ]);
}

/// `airinv explain` with `args` as JSON, and its exit code.
fn explain(d: &Dir, args: &[&str]) -> (i32, Value) {
    let out = d
        .airinv()
        .arg("explain")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "airinv explain {args:?}: exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: {e}: {}", String::from_utf8_lossy(&out.stdout)));
    (code, json)
}

/// The exit code and standard error of a failing explain.
fn explain_fails(d: &Dir, args: &[&str]) -> (i32, String) {
    let out = d.airinv().arg("explain").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn num(v: &Value) -> Decimal {
    dec(v
        .as_str()
        .unwrap_or_else(|| panic!("not a decimal string: {v}")))
}

/// Recomputes a pollutant cell from the lines explain printed: their
/// emissions summed in order are the cell (to the last digit, or, for
/// `--detail rows` lines rounded at 28 digits, to 27 digits), and each
/// line's activity × multiplier is its emission (exactly, unless the
/// multiplier is a quotient rounded at 28 digits). Returns the number of
/// lines.
fn recompute(e: &Value, csv_value: &str) -> usize {
    let cell = e["cell"].as_str().unwrap();
    assert_eq!(e["value"]["text"], csv_value, "{cell}");
    let lines = e["lines"].as_array().unwrap();
    let Ok(value) = Decimal::from_str_exact(csv_value) else {
        assert!(lines.is_empty(), "{cell} holds {csv_value} but has lines");
        assert!(
            !e["reasons"].as_array().unwrap().is_empty(),
            "{cell}: a key without a reason"
        );
        return 0;
    };
    assert!(!lines.is_empty(), "{cell}: a number without lines");
    let mut sum = Decimal::ZERO;
    for l in lines {
        assert_eq!(l["pollutant"], e["quantity"], "{cell}");
        let (activity, multiplier, emission) = (
            num(&l["activity"]),
            num(&l["multiplier"]),
            num(&l["emission"]),
        );
        let product = activity * multiplier;
        if l["multiplier_rounded"] == false {
            assert_eq!(
                product, emission,
                "{cell}, detail.csv line {}",
                l["detail_line"]
            );
        } else {
            // Half a unit in the multiplier's last place, times the activity,
            // plus the emission's own rounding at 28 digits.
            let ulp = Decimal::new(1, multiplier.scale());
            let bound = activity.abs() * ulp + emission.abs() * Decimal::new(1, 26);
            assert!(
                (product - emission).abs() <= bound,
                "{cell}, line {}: {activity} × {multiplier} = {product}, not {emission}",
                l["detail_line"]
            );
        }
        assert_eq!(num(&l["in_cell"]), emission);
        sum += emission;
    }
    assert_eq!(num(&e["sum"]["number"]), sum, "{cell}");
    match e["agreement"].as_str().unwrap() {
        "exact" => assert_eq!(sum, value, "{cell}"),
        "rounding" => {
            assert_eq!(e["detail"], "rows", "{cell}: rounding with --detail keys");
            assert!(
                (sum - value).abs() <= value.abs() * Decimal::new(1, 26),
                "{cell}: {sum} against {value}"
            );
        }
        other => panic!("{cell}: {other}"),
    }
    lines.len()
}

/// Explains every cell of `columns` in the rows of `codes` of one year and
/// recomputes it; returns (cells with lines, lines, cells that are rounded).
fn sweep(d: &Dir, out: &str, year: i32, codes: &[&str], columns: &[&str]) -> (usize, usize, usize) {
    let csv = d.path(&format!("{out}/annex1_{year}.csv"));
    let (header, rows) = csv_rows(&csv);
    let (mut cells, mut lines, mut rounded) = (0, 0, 0);
    for code in codes {
        let row = rows.iter().find(|r| r[2] == *code).unwrap();
        let number = &row[0];
        for col in columns {
            let p = airinv::Pollutant::ALL
                .iter()
                .find(|p| p.column() == *col)
                .unwrap();
            let at = header.iter().position(|h| h == p.id()).unwrap();
            let (code, e) = explain(d, &[out, &format!("{year}!{col}{number}")]);
            assert_eq!(code, 0, "{year}!{col}{number}");
            let n = recompute(&e, &row[at]);
            cells += usize::from(n > 0);
            lines += n;
            rounded += usize::from(e["agreement"] == "rounding");
        }
    }
    (cells, lines, rounded)
}

const COLUMNS: [&str; 8] = ["E", "F", "G", "H", "I", "L", "N", "W"];

#[test]
fn the_example_s_cells_are_the_sums_of_their_lines_in_both_detail_layouts() {
    let d = Dir::new();
    compile(&d, "example", "keys", "keys");
    compile(&d, "example", "rows", "rows");
    // Fuel combustion, road and rail, machinery (a BC share of PM2.5 and an
    // NCV division), cement, livestock, the manure NH3 split (3Da2a, made
    // from 3B animals), fertiliser, cremation.
    let codes = [
        "1A1a", "1A2a", "1A3bi", "1A3c", "1A4bi", "1A4cii", "2A1", "3B1a", "3Da2a", "3Da1", "5C1bv",
    ];
    for year in [2005, 2022] {
        let keys = sweep(&d, "keys", year, &codes, &COLUMNS);
        let rows = sweep(&d, "rows", year, &codes, &COLUMNS);
        assert!(keys.0 >= 40, "{year}: {keys:?}");
        assert_eq!(keys.2, 0, "{year}: --detail keys sums as compile did");
        // One line per input row: at least as many lines, the same cells.
        assert_eq!(rows.0, keys.0);
        assert!(rows.1 >= keys.1);
    }
}

#[test]
fn the_kazakhstan_cells_are_the_sums_of_their_lines_in_both_detail_layouts() {
    let d = Dir::new();
    compile(&d, "kazakhstan", "keys", "keys");
    compile(&d, "kazakhstan", "rows", "rows");
    // Coal power, autoproducers (NCV divisions), rail, households, the
    // gap-filled dairy cows, the manure split, oil production, cement.
    let codes = [
        "1A1a", "1A2gvii", "1A2gviii", "1A3c", "1A4bi", "3B1a", "3Da2a", "1B2ai", "2A1",
    ];
    let keys = sweep(&d, "keys", 2024, &codes, &COLUMNS);
    let rows = sweep(&d, "rows", 2024, &codes, &COLUMNS);
    assert!(keys.0 >= 30, "{keys:?}");
    assert_eq!(keys.2, 0);
    assert_eq!(rows.0, keys.0);
    assert!(
        rows.1 > keys.1,
        "several input rows per key: {rows:?} {keys:?}"
    );
    // 2022 with --detail rows: rows of 1A2gvii whose emissions are rounded
    // one by one at 28 digits (TJ ÷ 43 GJ/t), where compile rounded the
    // key's once; recompute() accepts them only to 27 digits.
    let rounded = sweep(
        &d,
        "rows",
        2022,
        &["1A2gvii"],
        &["G", "I", "J", "K", "R", "T", "X"],
    );
    assert!(rounded.2 > 0, "{rounded:?}");
    // The railways' gas oil of 2024 (README): 62 590.9 TJ ÷ 43 GJ/t
    // × 52.4 kg NOx/t = 76.27 kt.
    let (_, e) = explain(
        &d,
        &[
            "keys",
            "--year",
            "2024",
            "--code",
            "1.A.3.c",
            "--pollutant",
            "nox",
        ],
    );
    let gas_oil = e["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["fuel"] == "Gas oil")
        .unwrap();
    assert_eq!(num(&gas_oil["activity"]), dec("62590.9"));
    assert_eq!(num(&gas_oil["factor"]["value"]), dec("52.4"));
    assert_eq!(gas_oil["factor"]["unit"], "kg/tonne fuel");
    // TJ × 1000 GJ/TJ ÷ 43 GJ/t × 52.4 kg/t ÷ 10^6 kg/kt.
    let expected = dec("62590.9") * dec("1000") / dec("43") * dec("52.4") / dec("1000000");
    assert!((num(&gas_oil["emission"]) - expected).abs() < Decimal::new(1, 20));
    assert_eq!(gas_oil["exact"], false);
}

#[test]
fn the_1a1a_nox_of_2005_is_the_guidebook_factors_times_the_fuel_burnt() {
    let d = Dir::new();
    compile(&d, "example", "out", "keys");
    let (code, e) = explain(&d, &["out", "2005!E14"]);
    assert_eq!(code, 0);
    assert_eq!(
        (
            e["code"].as_str(),
            e["quantity"].as_str(),
            e["unit"].as_str()
        ),
        (Some("1A1a"), Some("NOx"), Some("kt"))
    );
    let line = |fuel: &str| {
        e["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["fuel"] == fuel)
            .unwrap_or_else(|| panic!("no {fuel} line"))
            .clone()
    };
    // Guidebook 2023 1.A.1 Table 3-2 (hard coal): 209 g NOx/GJ;
    // 210 000 TJ × 1000 GJ/TJ × 209 g/GJ = 43.89 × 10^9 g = 43.89 kt.
    let coal = line("Hard coal");
    assert_eq!(num(&coal["activity"]), dec("210000"));
    assert_eq!(coal["activity_unit"], "TJ");
    assert_eq!(num(&coal["factor"]["value"]), dec("209"));
    assert_eq!(coal["factor"]["unit"], "g/GJ");
    assert_eq!(coal["factor"]["tier"], "1");
    assert_eq!(coal["factor"]["table"], "Table_3-2");
    assert_eq!(coal["conversion"], "1 TJ = 1000 GJ");
    assert_eq!(num(&coal["multiplier"]), dec("0.000209"));
    assert_eq!(num(&coal["emission"]), dec("43.89"));
    assert!(
        coal["input_row"]
            .as_str()
            .unwrap()
            .ends_with("inventories/example/activity/energy.csv, row 3"),
        "{}",
        coal["input_row"]
    );
    // Table 3-6 (heavy fuel oil) 142 g/GJ × 15 000 TJ = 2.13 kt; Table 3-4
    // (natural gas) 89 g/GJ × 120 000 TJ = 10.68 kt; the cell is their sum.
    assert_eq!(num(&line("Heavy fuel oil")["emission"]), dec("2.13"));
    assert_eq!(num(&line("Natural gas")["emission"]), dec("10.68"));
    assert_eq!(e["lines"].as_array().unwrap().len(), 3);
    let cell = annex_cell(&d.path("out/annex1_2005.csv"), "1A1a", "NOx");
    assert_eq!(dec(&cell), dec("43.89") + dec("2.13") + dec("10.68"));
    assert_eq!(e["agreement"], "exact");
    // The text: each number to 4 significant digits with the exact value
    // beside when they differ, the sum said equal to the cell.
    let text = d.run_ok(&["explain", "out", "2005!E14"]);
    assert!(
        text.contains("emission: 210000 TJ × 0.000209 = 43.89 kt"),
        "{text}"
    );
    assert!(text.contains("factor: 209 g/GJ (GB23-"), "{text}");
    assert!(text.contains("= the cell, exactly"), "{text}");
    let total = annex_cell(&d.path("out/annex1_2022.csv"), "NATIONAL TOTAL", "NOx");
    let short = dec(&total)
        .round_sf_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .unwrap()
        .normalize();
    assert_ne!(short.to_string(), total);
    let text = d.run_ok(&["explain", "out", "2022!e141"]);
    assert!(
        text.contains(&format!("value: {short} (exact {total}) kt")),
        "{text}"
    );
    // CSV: one line per detail line, whose emissions sum to the cell.
    let csv = d.run_ok(&["explain", "out", "'2005'!E14", "--format", "csv"]);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let at = r
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "emission")
        .unwrap();
    let sum: Decimal = r.records().map(|rec| dec(&rec.unwrap()[at])).sum();
    assert_eq!(sum, dec(&cell));
}

/// The terms of a total as JSON, with their signs, summed.
fn terms_sum(e: &Value) -> Decimal {
    e["terms"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| {
            let n = t["value"]["number"].as_str().map(dec)?;
            Some(if t["subtract"] == true { -n } else { n })
        })
        .sum()
}

#[test]
fn totals_and_pah_are_the_cells_summed_into_them() {
    let d = Dir::new();
    compile(&d, "example", "out", "keys");
    let year = d.path("out/annex1_2022.csv");
    // NATIONAL TOTAL: the 127 sector rows.
    let (_, e) = explain(&d, &["out", "2022!E141"]);
    assert_eq!(e["terms"].as_array().unwrap().len(), 127);
    assert_eq!(
        terms_sum(&e),
        dec(&annex_cell(&year, "NATIONAL TOTAL", "NOx"))
    );
    assert_eq!(e["agreement"], "exact");
    // NECD compliance total of 2022 NOx: national total − 3B − 3D (note (e)).
    let (_, e) = explain(&d, &["out", "2022!E154"]);
    let necd = dec(&annex_cell(&year, "COMPLIANCE TOTAL (NECD)", "NOx"));
    assert_eq!(terms_sum(&e), necd);
    assert!(necd < dec(&annex_cell(&year, "NATIONAL TOTAL", "NOx")));
    assert!(
        e["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["subtract"] == true && t["code"] == "3Da1")
    );
    // PAH1-4 of 1A1a: X14 + Y14 + Z14 + AA14.
    let (_, e) = explain(&d, &["out", "2022!AB14"]);
    let cells: Vec<&str> = e["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["cell"].as_str().unwrap())
        .collect();
    assert_eq!(cells, ["2022!X14", "2022!Y14", "2022!Z14", "2022!AA14"]);
    let four: Decimal = ["BaP", "BbF", "BkF", "IcdP"]
        .iter()
        .map(|p| dec(&annex_cell(&year, "1A1a", p)))
        .sum();
    assert_eq!(terms_sum(&e), four);
    assert_eq!(dec(&annex_cell(&year, "1A1a", "PAH1-4")), four);
    // Activity data: the hard coal of 1A1a in 2005 is its solid fuels (AG14).
    let (_, e) = explain(&d, &["out", "2005!AG14"]);
    let lines = e["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["fuel"], "Hard coal");
    assert_eq!(num(&lines[0]["in_cell"]), dec("210000"));
    assert_eq!(
        dec(&annex_cell(
            &d.path("out/annex1_2005.csv"),
            "1A1a",
            "solid_fuels_tj"
        )),
        dec("210000")
    );
    assert_eq!(e["agreement"], "exact");
    // The fuel the example calls "Light heating oil" ([fuels] of inventory.toml)
    // is gas oil, a liquid fuel: known with --inventory only.
    let (_, e) = explain(&d, &["out", "2005!AF39"]);
    assert_eq!(e["agreement"], "partial");
    let inv = repo().join("inventories/example");
    let (_, e) = explain(
        &d,
        &["out", "2005!AF39", "--inventory", inv.to_str().unwrap()],
    );
    assert_eq!(e["agreement"], "exact");
    assert_eq!(e["lines"][0]["fuel"], "Light heating oil");
}

#[test]
fn a_notation_key_says_why_as_far_as_the_folder_and_the_inventory_tell() {
    let d = Dir::new();
    compile(&d, "example", "out", "keys");
    let reasons = |e: &Value| -> String {
        e["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
            .join("\n")
    };
    // NE in a row with activity: no factor gave NH3 for 1A1a.
    let (_, e) = explain(&d, &["out", "2005!H14"]);
    assert_eq!(e["value"]["text"], "NE");
    assert!(
        reasons(&e).contains("no factor gave NH3"),
        "{}",
        reasons(&e)
    );
    // NE in a row nothing was given for.
    let (_, e) = explain(&d, &["out", "2022!E28"]);
    assert_eq!(e["value"]["text"], "NE");
    assert!(reasons(&e).contains("a row nothing was given for is NE"));
    // IE: the folder does not record where; inventory.toml does.
    let (_, e) = explain(&d, &["out", "2005!E46"]);
    assert_eq!(e["value"]["text"], "IE");
    assert!(reasons(&e).contains("--inventory"));
    let inv = repo().join("inventories/example");
    let (_, e) = explain(
        &d,
        &["out", "2005!E46", "--inventory", inv.to_str().unwrap()],
    );
    let r = reasons(&e);
    assert!(
        r.contains("declares IE ([[notation_keys]] code = \"1A5a\")"),
        "{r}"
    );
    assert!(r.contains("military buildings"), "{r}");
    let there = annex_cell(&d.path("out/annex1_2005.csv"), "1A4ai", "NOx");
    assert!(
        r.contains(&format!(
            "included in 1A4ai Commercial/Institutional: Stationary: 2005!E39 = {there}"
        )),
        "{r}"
    );
    // NO of a group ([[default_keys]] group = "1B1").
    let (_, e) = explain(
        &d,
        &["out", "2005!E50", "--inventory", inv.to_str().unwrap()],
    );
    assert_eq!(e["value"]["text"], "NO");
    assert!(
        reasons(&e).contains("[[default_keys]] group = \"1B1\""),
        "{}",
        reasons(&e)
    );
}

#[test]
fn what_cannot_be_explained_is_an_error_naming_what_there_is() {
    let d = Dir::new();
    compile(&d, "example", "out", "keys");
    for (args, says) in [
        (
            vec!["out", "2030!E14"],
            "has no annex1_2030.csv: the years it holds are 2005, 2022",
        ),
        (vec!["out", "2022!B14"], "column B holds the row's labels"),
        (vec!["out", "2022!E13"], "row 13 holds no values"),
        (vec!["out", "2022!AL14"], "explain AK"),
        (vec!["out", "E14"], "YEAR!CELL"),
        (vec!["out"], "which cell?"),
        (vec!["out", "2022!E14", "--year", "2022"], "not both"),
        (
            vec![
                "out",
                "--year",
                "2022",
                "--code",
                "1A9z",
                "--pollutant",
                "NOx",
            ],
            "1A9z",
        ),
        (
            vec![
                "out",
                "--year",
                "2022",
                "--code",
                "1A1a",
                "--pollutant",
                "CO2",
            ],
            "is not a pollutant",
        ),
        (vec!["missing", "2022!E14"], "missing: does not exist"),
    ] {
        let (code, stderr) = explain_fails(&d, &args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // An inventory folder, and a folder of tables without the lineage.
    let inv = repo().join("inventories/example");
    let (code, stderr) = explain_fails(&d, &[inv.to_str().unwrap(), "2022!E14"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is an inventory folder"), "{stderr}");
    d.write("tables/annex1_2022.csv", &d.read("out/annex1_2022.csv"));
    let (code, stderr) = explain_fails(&d, &["tables", "2022!E14"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("has no detail.csv and no run.json")
            && stderr.ends_with("it holds annex1_2022.csv\n"),
        "{stderr}"
    );
    // A cell changed after the compile no longer is the sum of its lines: exit 1.
    let path = d.path("out/annex1_2005.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let old = annex_cell(&path, "1A1a", "NOx");
    let line = text.lines().find(|l| l.starts_with("14,")).unwrap();
    std::fs::write(
        &path,
        text.replace(line, &line.replacen(&format!(",{old},"), ",57,", 1)),
    )
    .unwrap();
    let (code, e) = explain(&d, &["out", "2005!E14"]);
    assert_eq!(code, 1);
    assert_eq!(e["agreement"], "differs");
    assert_eq!(num(&e["difference"]), dec(&old) - dec("57"));
}

#[test]
fn adjustments_and_the_fuel_used_correction_are_terms_of_the_compliance_totals() {
    let d = Dir::new();
    crate::compliance::adjusted_inventory(&d);
    d.run_ok(&["compile", "inv", "--out", "out"]);
    let year = d.path("out/annex1_2022.csv");
    // Row 151: the two adjustments run.json records, -0.25 + -0.05.
    let (_, e) = explain(&d, &["out", "2022!E151"]);
    let values: Vec<Decimal> = e["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| num(&t["value"]["number"]))
        .collect();
    assert_eq!(values, [dec("-0.25"), dec("-0.05")]);
    assert_eq!(e["terms"][0]["name"], "inventory.toml [[adjustments]]");
    assert_eq!(dec(&annex_cell(&year, "ADJUSTMENTS", "NOx")), dec("-0.3"));
    assert_eq!(e["agreement"], "exact");
    // Row 152: national total + adjustments + (fuel used − fuel sold).
    let (_, e) = explain(&d, &["out", "2022!E152"]);
    let subtracted: Vec<&str> = e["terms"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["subtract"] == true && t["value"]["number"].is_string())
        .map(|t| t["code"].as_str().unwrap())
        .collect();
    assert_eq!(subtracted, ["1A3bi"]);
    let clrtap = dec(&annex_cell(&year, "COMPLIANCE TOTAL (CLRTAP)", "NOx"));
    assert_eq!(terms_sum(&e), clrtap);
    assert_eq!(
        clrtap,
        dec(&annex_cell(&year, "NATIONAL TOTAL", "NOx")) - dec("0.3")
            + dec(&annex_cell(&year, "1A3bi(fu)", "NOx"))
            - dec(&annex_cell(&year, "1A3bi", "NOx"))
    );
    assert_eq!(e["agreement"], "exact");
    // Row 153: the NECD adjustment; no adjustment of SOx: empty, and said so.
    let (_, e) = explain(&d, &["out", "2022!E153"]);
    assert_eq!(terms_sum(&e), dec("-0.125"));
    let (_, e) = explain(&d, &["out", "2022!G151"]);
    assert_eq!(e["value"]["text"], "");
    assert!(
        e["reasons"][0]
            .as_str()
            .unwrap()
            .contains("no adjustment of SOx for 2022")
    );
}
