//! `airinv convert` and sheets read through a mapping: a small balance
//! written by each test (hand-computed outcomes), then Kazakhstan's energy
//! balance (when `../shared` is there) and its committed inventory.

use crate::harness::{Dir, annex_cell, csv_rows, dec, repo, shared};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

/// A balance as statistics offices lay it out: years and fuels across two
/// header rows, lines sorted alphabetically, a Total column, a subtotal, a
/// fuel renamed between the years. "Industry total" = Steel + Textiles.
const BALANCE: &str = "\
line,2021,2021,2021,2021,2022,2022,2022,2022
,Gas,Coal1),Electricity,Total,Gas,Hard coal,Electricity,Total
Exports,-10,,,-10,-12,,,-12
Households,100.5,20,30,150.5,110,25,35,170
Industry total,300.25,80,70,450.25,310,70,60,440
Power plants,500,400,,900,520,380,,900
Road,40,,,40,45,,,45
Steel,200.25,60,40,300.25,210,50,40,300
Textiles,100,20,30,150,100,20,20,140
";

const FUELS: &str = r#"
[sheet]
year_row = 1
fuel_row = 2
unit = "TJ"

[[fuels]]
fuel = "Natural gas"
names = "Gas"

[[fuels]]
fuel = "Hard Coal"
names = { 2021 = "Coal1)", 2022 = "Hard coal" }

[[fuels]]
names = "Electricity"
exclude = "not burnt where it is used"

[[fuels]]
names = "Total"
total = true
"#;

const LINES: &str = r#"
[[lines]]
names = "Power plants"
nfr = "1A1a"

[[lines]]
names = "Steel"
nfr = "1A2a"

[[lines]]
names = "Households"
to = [{ nfr = "1A4bi", share = "0.9" }, { nfr = "1A4ai", share = "0.1" }]

[[lines]]
names = "Exports"
exclude = "supply, not a use"
"#;

const SUBTOTAL: &str = r#"
[[lines]]
names = "Industry total"
subtotal_of = ["Steel", "Textiles"]
tolerance = "0"
"#;

fn mapping() -> String {
    format!("{FUELS}{LINES}{SUBTOTAL}")
}

#[test]
fn a_wide_balance_becomes_activity_rows_and_every_cell_is_accounted_for() {
    let d = Dir::new();
    d.write("balance.csv", BALANCE);
    d.write("mapping.toml", &mapping());
    let out = d
        .airinv()
        .args([
            "convert",
            "balance.csv",
            "--mapping",
            "mapping.toml",
            "--out",
            "out/activity.csv",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Road and Textiles are not in the mapping: a finding, exit 1.
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    // 46 non-empty cells: 12 of mapped lines and fuels, 6 of Road and
    // Textiles (gas, coal), the rest Total, electricity, exports, subtotal.
    assert!(
        stdout.contains("cells read 46 = mapped 12 + excluded 28 + unmapped 6"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "B7 2021 'Road' / 'Gas': 40 TJ, unmapped: the line 'Road' is not in the mapping"
        ),
        "{stdout}"
    );
    // Households split 0.9 / 0.1, exactly: 100.5 × 0.9 = 90.45.
    assert_eq!(
        d.read("out/activity.csv"),
        "\
year,nfr,fuel,technology,value,unit,table,abatement,region,tier,source_id,source_line,source_fuel,share
2021,1A1a,Natural gas,,500,TJ,,,,,balance.csv!B6,Power plants,Gas,1
2021,1A1a,Hard Coal,,400,TJ,,,,,balance.csv!C6,Power plants,Coal1),1
2021,1A2a,Natural gas,,200.25,TJ,,,,,balance.csv!B8,Steel,Gas,1
2021,1A2a,Hard Coal,,60,TJ,,,,,balance.csv!C8,Steel,Coal1),1
2021,1A4ai,Natural gas,,10.05,TJ,,,,,balance.csv!B4,Households,Gas,0.1
2021,1A4ai,Hard Coal,,2,TJ,,,,,balance.csv!C4,Households,Coal1),0.1
2021,1A4bi,Natural gas,,90.45,TJ,,,,,balance.csv!B4,Households,Gas,0.9
2021,1A4bi,Hard Coal,,18,TJ,,,,,balance.csv!C4,Households,Coal1),0.9
2022,1A1a,Natural gas,,520,TJ,,,,,balance.csv!F6,Power plants,Gas,1
2022,1A1a,Hard Coal,,380,TJ,,,,,balance.csv!G6,Power plants,Hard coal,1
2022,1A2a,Natural gas,,210,TJ,,,,,balance.csv!F8,Steel,Gas,1
2022,1A2a,Hard Coal,,50,TJ,,,,,balance.csv!G8,Steel,Hard coal,1
2022,1A4ai,Natural gas,,11,TJ,,,,,balance.csv!F4,Households,Gas,0.1
2022,1A4ai,Hard Coal,,2.5,TJ,,,,,balance.csv!G4,Households,Hard coal,0.1
2022,1A4bi,Natural gas,,99,TJ,,,,,balance.csv!F4,Households,Gas,0.9
2022,1A4bi,Hard Coal,,22.5,TJ,,,,,balance.csv!G4,Households,Hard coal,0.9
"
    );
    // Industry total 2021: 450.25 TJ over the fuels; Steel's gas and coal
    // mapped (260.25), electricity excluded (40 + 30), Textiles unmapped (120).
    assert!(
        stdout.contains("2021 Industry total: 450.25 TJ, of which mapped 260.25 (57.8 %), excluded 70 (15.5 %), unmapped 120 (26.7 %)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("subtotal checks: 8 cells, 8 within tolerance"),
        "{stdout}"
    );
    let report = d.read("out/activity.report.txt");
    assert!(
        report.contains("    excluded 70 (15.5 %): not burnt where it is used"),
        "{report}"
    );
    assert!(report.contains("unmapped cells (6):"), "{report}");
    // The ledger has every cell once, with its outcome.
    let (h, cells) = csv_rows(&d.path("out/activity.cells.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    assert_eq!(cells.len(), 46);
    let refs: BTreeSet<&str> = cells.iter().map(|r| r[col("cell")].as_str()).collect();
    assert_eq!(refs.len(), 46);
    let b4 = cells.iter().find(|r| r[col("cell")] == "B4").unwrap();
    assert_eq!(
        (b4[col("outcome")].as_str(), b4[col("mapped")].as_str()),
        ("mapped", "100.5")
    );
    assert_eq!(b4[col("nfr")], "1A4bi 1A4ai");
    let d9 = cells.iter().find(|r| r[col("cell")] == "D9").unwrap();
    assert_eq!(d9[col("reason")], "not burnt where it is used");
}

#[test]
fn a_subtotal_that_differs_from_its_parts_is_reported_accepted_or_refused() {
    let d = Dir::new();
    // Steel's 2022 gas is 211, one more than the subtotal says.
    d.write(
        "balance.csv",
        &BALANCE.replace(
            "Steel,200.25,60,40,300.25,210,50,40,300",
            "Steel,200.25,60,40,300.25,211,50,40,301",
        ),
    );
    d.write("mapping.toml", &format!("{}\n[[lines]]\nnames = \"Textiles\"\nnfr = \"1A2gviii\"\n[[lines]]\nnames = \"Road\"\nnfr = \"1A3bi\"\n", mapping()));
    let run = |d: &Dir| {
        d.airinv()
            .args([
                "convert",
                "balance.csv",
                "-m",
                "mapping.toml",
                "-o",
                "a.csv",
            ])
            .output()
            .unwrap()
    };
    let out = run(&d);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("FAILED 2022 Industry total / Gas (cell F5): subtotal 310, parts 311, difference -1 TJ (tolerance 0)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("FAILED 2022 Industry total / Total (cell I5)"),
        "{stdout}"
    );
    // Accepted, exactly, with a note: no finding left.
    let accept = r#"accept = [
  { year = 2022, fuel = "Gas", difference = "-1", note = "the office's subtotal is one short" },
  { year = 2022, fuel = "Total", difference = "-1", note = "the same, in the Total column" },
]
"#;
    d.write(
        "mapping.toml",
        &format!(
            "{FUELS}{LINES}{SUBTOTAL}{accept}\n[[lines]]\nnames = \"Textiles\"\nnfr = \"1A2gviii\"\n[[lines]]\nnames = \"Road\"\nnfr = \"1A3bi\"\n"
        ),
    );
    let out = run(&d);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("2 accepted, 0 failed"), "{stdout}");
    assert!(
        d.read("a.report.txt")
            .contains("the office's subtotal is one short")
    );
    // An accepted difference the sheet does not show is an error.
    d.write("balance.csv", BALANCE);
    let out = run(&d);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("accepts a difference of -1 for 'Gas' in 2022, but the sheet does not show that difference"),
        "{stderr}"
    );
}

#[test]
fn the_remainder_of_a_subtotal_maps_the_parts_a_sheet_does_not_show() {
    let d = Dir::new();
    d.write("balance.csv", BALANCE);
    // Only Steel is listed: Textiles' gas and coal are the remainder.
    let sub = r#"
[[lines]]
names = "Industry total"
subtotal_of = ["Steel"]

[lines.remainder]
nfr = "1A2gviii"

[[lines]]
names = ["Textiles", "Road"]
exclude = "counted through the remainder of Industry total, or not burnt"
"#;
    d.write("mapping.toml", &format!("{FUELS}{LINES}{sub}"));
    d.airinv()
        .args([
            "convert",
            "balance.csv",
            "-m",
            "mapping.toml",
            "-o",
            "a.csv",
        ])
        .assert()
        .success();
    let (h, rows) = csv_rows(&d.path("a.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let rest: Vec<(String, String, String)> = rows
        .iter()
        .filter(|r| r[col("nfr")] == "1A2gviii")
        .map(|r| {
            (
                r[col("year")].clone(),
                r[col("value")].clone(),
                r[col("source_id")].clone(),
            )
        })
        .collect();
    // 300.25 - 200.25 = 100 of gas, 80 - 60 = 20 of coal in 2021; 2022: 100, 20.
    assert_eq!(
        rest,
        [
            ("2021".into(), "100".into(), "balance.csv!B5-B8".into()),
            ("2021".into(), "20".into(), "balance.csv!C5-C8".into()),
            ("2022".into(), "100".into(), "balance.csv!F5-F8".into()),
            ("2022".into(), "20".into(), "balance.csv!G5-G8".into()),
        ]
    );
    let report = d.read("a.report.txt");
    // The electricity remainder (70 - 40 = 30) is excluded with the fuel's reason.
    assert!(
        report.contains("D5-D8 2021 'Industry total minus its parts' / 'Electricity': 30 TJ, excluded: not burnt where it is used"),
        "{report}"
    );
    assert!(
        report.contains("2021 Industry total: 450.25 TJ, of which mapped 380.25 (84.5 %), excluded 70 (15.5 %), unmapped 0 (0 %)"),
        "{report}"
    );
}

#[test]
fn names_the_sheet_lacks_and_cells_that_are_not_numbers_are_errors_with_their_place() {
    let d = Dir::new();
    d.write("balance.csv", BALANCE);
    // The 2022 coal is "Hard coal": naming "Coal1)" for 2022 is an error.
    d.write(
        "mapping.toml",
        &mapping().replace(
            "{ 2021 = \"Coal1)\", 2022 = \"Hard coal\" }",
            "{ \"2021-2022\" = \"Coal1)\" }",
        ),
    );
    let out = d
        .airinv()
        .args([
            "convert",
            "balance.csv",
            "-m",
            "mapping.toml",
            "-o",
            "a.csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("mapping.toml: fuels entry 2 names 'Coal1)' (2021-2022) but the sheet has no such fuel in 2022"),
        "{stderr}"
    );
    d.write(
        "mapping.toml",
        &mapping().replace("names = \"Steel\"", "names = \"Steel works\""),
    );
    let out = d
        .airinv()
        .args([
            "convert",
            "balance.csv",
            "-m",
            "mapping.toml",
            "-o",
            "a.csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("lines entry 2 (Steel works) names the line 'Steel works' but the sheet has no such line; names like it: 'Steel'"),
        "{stderr}"
    );
    // A word where a number belongs, and a negative consumption.
    d.write("mapping.toml", &mapping());
    d.write(
        "balance.csv",
        &BALANCE
            .replace("Households,100.5", "Households,n/a")
            .replace("Steel,200.25", "Steel,-200.25"),
    );
    let out = d
        .airinv()
        .args([
            "convert",
            "balance.csv",
            "-m",
            "mapping.toml",
            "-o",
            "a.csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("balance.csv, row 4, column B: 'n/a' is not a number"),
        "{stderr}"
    );
    assert!(
        stderr.contains("balance.csv, row 8, column B: -200.25 (Steel, 2021) is negative"),
        "{stderr}"
    );
    assert!(!d.path("a.csv").exists());
}

#[test]
fn a_workbook_sheet_with_merged_year_cells_converts_like_the_csv() {
    use rust_xlsxwriter::{Format, Workbook};
    let d = Dir::new();
    d.write("balance.csv", BALANCE);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Balance").unwrap();
    ws.write_string(0, 0, "Energy balance, TJ").unwrap();
    // Years in merged cells: the year is in the first cell of each merge.
    ws.merge_range(1, 1, 1, 4, "2021", &Format::new()).unwrap();
    ws.merge_range(1, 5, 1, 8, "2022", &Format::new()).unwrap();
    for (i, line) in BALANCE.lines().enumerate().skip(1) {
        let row = i as u32 + 1;
        for (c, cell) in line.split(',').enumerate() {
            let c = c as u16;
            if cell.is_empty() {
                continue;
            }
            match cell.parse::<f64>() {
                Ok(v) if i > 1 => ws.write_number(row, c, v).map(|_| ()).unwrap(),
                _ => ws.write_string(row, c, cell).map(|_| ()).unwrap(),
            }
        }
    }
    wb.save(d.path("balance.xlsx")).unwrap();
    d.write("csv.toml", &mapping());
    d.write(
        "xlsx.toml",
        &mapping().replace(
            "year_row = 1\nfuel_row = 2",
            "name = \"Balance\"\nyear_row = 2\nfuel_row = 3",
        ),
    );
    for (file, m, out) in [
        ("balance.csv", "csv.toml", "csv.csv"),
        ("balance.xlsx", "xlsx.toml", "xlsx.csv"),
    ] {
        d.airinv()
            .args(["convert", file, "-m", m, "-o", out])
            .assert()
            .code(1);
    }
    let (_, from_csv) = csv_rows(&d.path("csv.csv"));
    let (h, from_xlsx) = csv_rows(&d.path("xlsx.csv"));
    let sid = h.iter().position(|c| c == "source_id").unwrap();
    assert_eq!(from_csv.len(), 16);
    for (a, b) in from_csv.iter().zip(&from_xlsx) {
        // The workbook's rows are one lower (the title row): B6 → B7.
        let shifted = {
            let (file, cell) = a[sid].split_once('!').unwrap();
            let split = cell.find(|c: char| c.is_ascii_digit()).unwrap();
            let row: u32 = cell[split..].parse().unwrap();
            format!(
                "{}!{}{}",
                file.replace(".csv", ".xlsx"),
                &cell[..split],
                row + 1
            )
        };
        assert_eq!(b[sid], shifted);
        let mut a = a.clone();
        let mut b = b.clone();
        a.remove(sid);
        b.remove(sid);
        assert_eq!(a, b);
    }
}

#[test]
fn compile_reads_a_sheet_through_its_mapping_in_one_step() {
    let d = Dir::new();
    d.write("inv/balance.csv", BALANCE);
    d.write("inv/mapping.toml", &mapping());
    d.write(
        "inv/inventory.toml",
        "country = \"KZ\"\nyears = [2021, 2022]\nactivity = [{ file = \"balance.csv\", mapping = \"mapping.toml\" }]\n",
    );
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("converted by inv/mapping.toml: cells read 46 = mapped 12 + excluded 28 + unmapped 6; 16 activity rows"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rows read 16 = used 16 + rejected 0"),
        "{stdout}"
    );
    // The unmapped Road and Textiles cells are a warning, not lost silently.
    assert!(
        stderr
            .contains("warning: inv/balance.csv converted by inv/mapping.toml: 6 unmapped cell(s)"),
        "{stderr}"
    );
    // 1A1a 2021: 500 TJ gas × 89 g/GJ + 400 TJ coal × 209 g/GJ (Guidebook
    // 2023 1.A.1.a Tables 3-4 and 3-2) = 0.0445 + 0.0836 = 0.1281 kt NOx.
    let csv = d.path("out/annex1_2021.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "0.1281");
    assert_eq!(annex_cell(&csv, "1A1a", "gaseous_fuels_tj"), "500");
    assert_eq!(annex_cell(&csv, "1A1a", "solid_fuels_tj"), "400");
    assert_eq!(annex_cell(&csv, "1A4bi", "gaseous_fuels_tj"), "90.45");
    let run: serde_json::Value = serde_json::from_str(&d.read("out/run.json")).unwrap();
    assert_eq!(
        run["inputs"][0]["mapping"]["blake3"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
}

// ---------------------------------------------------------------------------
// Kazakhstan
// ---------------------------------------------------------------------------

const KZ_BALANCE: &str = "data/kz-energy-balance/master_TJ_wide.csv";

fn kz() -> std::path::PathBuf {
    repo().join("inventories/kazakhstan")
}

/// The balance as text cells: rows of the CSV, as written.
fn raw_cells(path: &Path) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// A number as written in the balance (`16266.555999999999`, `5.49e-12`).
fn number(text: &str) -> Decimal {
    rounded_number(text).0
}

/// A number as written, and whether it has digits beyond the 28th decimal
/// place: those are rounded half away from zero to 28 places, the README's
/// rule for tiny numbers (issue 29). Done here from the digits and the
/// exponent, apart from the program's reading.
fn rounded_number(text: &str) -> (Decimal, bool) {
    let t = text.trim();
    let (mantissa, exponent) = match t.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i64>().unwrap()),
        None => (t, 0),
    };
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits: i128 = format!("{whole}{fraction}").parse().unwrap();
    // value = digits × 10^-scale
    let scale = fraction.len() as i64 - exponent;
    assert!(scale >= 0, "{t}");
    let (mut digits, mut rounded) = (digits, false);
    let mut scale = scale;
    while scale > 28 {
        let last = digits % 10;
        digits = digits / 10 + i128::from(last >= 5);
        rounded |= last != 0;
        scale -= 1;
    }
    let value =
        Decimal::from_i128_with_scale(if negative { -digits } else { digits }, scale as u32);
    (value, rounded)
}

/// `AB37` → (row index, column index), 0-based.
fn a1(cell: &str) -> (usize, usize) {
    let split = cell.find(|c: char| c.is_ascii_digit()).unwrap();
    let col = cell[..split]
        .bytes()
        .fold(0usize, |n, b| n * 26 + (b - b'A' + 1) as usize)
        - 1;
    (cell[split..].parse::<usize>().unwrap() - 1, col)
}

fn convert_kz(d: &Dir) -> Option<std::process::Output> {
    let balance = shared(KZ_BALANCE)?;
    Some(
        d.airinv()
            .args([
                "convert",
                balance.to_str().unwrap(),
                "--mapping",
                kz().join("mapping.toml").to_str().unwrap(),
                "--out",
                "energy-balance.csv",
            ])
            .output()
            .unwrap(),
    )
}

#[test]
fn kazakhstans_balance_converts_to_exactly_the_committed_activity_file() {
    let d = Dir::new();
    let Some(out) = convert_kz(&d) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert_eq!(
        d.read("energy-balance.csv"),
        std::fs::read_to_string(kz().join("activity/energy-balance.csv")).unwrap()
    );
    assert_eq!(
        d.read("energy-balance.report.txt"),
        std::fs::read_to_string(kz().join("activity/energy-balance.report.txt")).unwrap()
    );
    assert!(stdout.contains("0 failed"), "{stdout}");
}

#[test]
fn every_number_cell_of_kazakhstans_balance_is_accounted_for_once() {
    let d = Dir::new();
    let Some(out) = convert_kz(&d) else { return };
    let stdout = String::from_utf8_lossy(&out.stdout);
    // The cells of the balance, read here with the csv crate alone: every
    // non-empty cell below the two header rows, right of the line names.
    let raw = raw_cells(&shared(KZ_BALANCE).unwrap());
    let mut expected: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for (r, row) in raw.iter().enumerate().skip(2) {
        for (c, text) in row.iter().enumerate().skip(1) {
            if !text.trim().is_empty() {
                expected.insert((r, c), text.trim().to_string());
            }
        }
    }
    let (h, ledger) = csv_rows(&d.path("energy-balance.cells.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let mut seen: BTreeMap<(usize, usize), (String, String)> = BTreeMap::new();
    let mut by_outcome: HashMap<String, usize> = HashMap::new();
    for r in ledger.iter().filter(|r| r[col("kind")] == "cell") {
        let key = a1(&r[col("cell")]);
        assert!(
            seen.insert(key, (r[col("value")].clone(), r[col("reason")].clone()))
                .is_none(),
            "{r:?} twice"
        );
        *by_outcome.entry(r[col("outcome")].clone()).or_default() += 1;
        assert!(
            r[col("outcome")] != "mapped" || !r[col("nfr")].is_empty(),
            "{r:?}"
        );
        assert!(
            r[col("outcome")] != "excluded" || !r[col("reason")].is_empty(),
            "{r:?}"
        );
    }
    assert_eq!(
        seen.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    // Values as written: 16266.555999999999 stays 16266.555999999999; a
    // float artefact with digits beyond the 28th place (-2.842170943040401e-14
    // in 2023's naphtha) is rounded to 28 places, and marked with the text as
    // written; no other cell is marked.
    let mut rounded = 0;
    for (key, text) in &expected {
        let (value, reason) = &seen[key];
        let (expected_value, was_rounded) = rounded_number(text);
        assert_eq!(dec(value), expected_value, "{key:?} {text}");
        let mark = format!("; rounded to 28 decimal places from {text}");
        assert_eq!(
            reason.ends_with(&mark),
            was_rounded,
            "{key:?} {text} {reason}"
        );
        rounded += usize::from(was_rounded);
    }
    assert_eq!(rounded, 2);
    assert!(
        stdout.contains("2 cell(s) hold numbers with digits beyond the 28th decimal place (float artefacts); they are rounded to 28 places"),
        "{stdout}"
    );
    let n = expected.len();
    let line = format!(
        "cells read {n} = mapped {} + excluded {} + unmapped {}",
        by_outcome.get("mapped").copied().unwrap_or(0),
        by_outcome.get("excluded").copied().unwrap_or(0),
        by_outcome.get("unmapped").copied().unwrap_or(0)
    );
    assert!(stdout.contains(&line), "{line}\n{stdout}");
    assert_eq!(by_outcome.get("unmapped"), None);
}

/// Compiles the committed Kazakhstan inventory into `out` (its speed is
/// measured by `benches/run.sh`, not here).
fn compile_kz(d: &Dir, out: &str) {
    d.airinv()
        .args([
            "compile",
            kz().to_str().unwrap(),
            "--out",
            out,
            "--reporting-date",
            "15.02.2025",
            "--detail",
            "rows",
        ])
        .assert()
        .success();
}

/// The fuel group (Annex I activity column) of each Guidebook fuel, read
/// from emission-factors/fuels.csv.
fn fuel_groups() -> HashMap<String, String> {
    let text = std::fs::read_to_string(repo().join("emission-factors/fuels.csv")).unwrap();
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].to_string(), format!("{}_fuels_tj", &r[1]))
        })
        .map(|(f, g)| (f, g.replace("biomass_fuels_tj", "biomass_tj")))
        .collect()
}

#[test]
fn kazakhstans_annex_activity_is_the_sum_of_the_mapped_balance_cells() {
    let Some(balance) = shared(KZ_BALANCE) else {
        return;
    };
    let d = Dir::new();
    compile_kz(&d, "out");
    let raw = raw_cells(&balance);
    let cell = |r: usize, c: usize| -> Decimal { number(&raw[r][c]) };
    let groups = fuel_groups();
    // Each activity row is its cells of the balance (a subtotal minus its
    // parts for a remainder) times its share, from the cell's year, line and fuel.
    let (h, rows) = csv_rows(&kz().join("activity/energy-balance.csv"));
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    let mut sums: BTreeMap<(String, String, String), Decimal> = BTreeMap::new();
    let mut by_fuel: BTreeMap<(String, String, String), Decimal> = BTreeMap::new();
    for row in &rows {
        let cells: Vec<(usize, usize)> = row[col("source_id")]
            .strip_prefix("master_TJ_wide.csv!")
            .unwrap()
            .split('-')
            .map(a1)
            .collect();
        let (r0, c0) = cells[0];
        let mut value = cell(r0, c0);
        for &(r, c) in &cells[1..] {
            assert_eq!(c, c0);
            if !raw[r][c].trim().is_empty() {
                value -= cell(r, c);
            }
        }
        assert_eq!(
            dec(&row[col("value")]),
            value * dec(&row[col("share")]),
            "{row:?}"
        );
        assert_eq!(raw[0][c0], row[col("year")], "{row:?}");
        assert_eq!(raw[1][c0], row[col("source_fuel")], "{row:?}");
        if cells.len() == 1 {
            assert_eq!(raw[r0][0], row[col("source_line")], "{row:?}");
        }
        *sums
            .entry((
                row[col("year")].clone(),
                row[col("nfr")].clone(),
                groups[&row[col("fuel")]].clone(),
            ))
            .or_default() += dec(&row[col("value")]);
        *by_fuel
            .entry((
                row[col("year")].clone(),
                row[col("nfr")].clone(),
                row[col("fuel")].clone(),
            ))
            .or_default() += dec(&row[col("value")]);
    }
    // The reclassifications inventory.toml splices ([[splice]], issue 30),
    // by hand from the same sums: in each year, each fuel's total over the
    // rows is kept and split with the rows' shares of the shares_of years;
    // the row with the largest share takes the rest.
    // (rows, fuels, years, shares_of)
    type Splice<'a> = (&'a [&'a str], &'a [&'a str], &'a [&'a str], &'a [&'a str]);
    let splices: [Splice; 2] = [
        (
            &["1A1a", "1A2b", "1A2gviii"],
            &["Hard Coal", "Brown Coal"],
            &["2021", "2022", "2023", "2024"],
            &["2021", "2022", "2023"],
        ),
        (
            &["1A4ai", "1A4bi"],
            &["Gas oil", "LPG"],
            &["2022", "2023"],
            &["2021", "2024"],
        ),
    ];
    let at = |y: &str, r: &str, f: &str| {
        by_fuel
            .get(&(y.to_string(), r.to_string(), f.to_string()))
            .copied()
            .unwrap_or_default()
    };
    let mut expected = sums.clone();
    // (year, group, rows): the total the splice keeps, exactly.
    let mut kept: Vec<(String, String, Vec<String>, Decimal)> = Vec::new();
    for (rows, fuels, years, shares_of) in splices {
        for fuel in fuels {
            let of_row = |r: &str| shares_of.iter().map(|y| at(y, r, fuel)).sum::<Decimal>();
            let all: Decimal = rows.iter().map(|r| of_row(r)).sum();
            let largest = rows.iter().copied().max_by_key(|r| of_row(r)).unwrap();
            for year in years {
                let total: Decimal = rows.iter().map(|r| at(year, r, fuel)).sum();
                let mut rest = total;
                let group = groups[*fuel].clone();
                for r in rows.iter().filter(|r| **r != largest) {
                    let split = total * of_row(r) / all;
                    rest -= split;
                    let key = (year.to_string(), r.to_string(), group.clone());
                    *expected.entry(key).or_default() += split - at(year, r, fuel);
                }
                let key = (year.to_string(), largest.to_string(), group.clone());
                *expected.entry(key).or_default() += rest - at(year, largest, fuel);
                let rows: Vec<String> = rows.iter().map(|r| r.to_string()).collect();
                match kept
                    .iter_mut()
                    .find(|k| k.0 == *year && k.1 == group && k.2 == rows)
                {
                    Some(k) => k.3 += total,
                    None => kept.push((year.to_string(), group, rows, total)),
                }
            }
        }
    }
    let spliced = |y: &str, r: &str, g: &str| {
        kept.iter()
            .any(|k| k.0 == y && k.1 == g && k.2.iter().any(|x| x == r))
    };
    let mut annex_value: BTreeMap<(String, String, String), Decimal> = BTreeMap::new();
    let (mut checked, mut split) = (0, 0);
    for year in ["2021", "2022", "2023", "2024"] {
        let annex = d.path(&format!("out/annex1_{year}.csv"));
        let (ah, arows) = csv_rows(&annex);
        // Fuel combustion: road wear (1A3bvi-vii) is per vehicle-km, not fuel.
        for r in arows
            .iter()
            .filter(|r| r[2].starts_with("1A") && !r[2].starts_with("1A3bv"))
        {
            for column in [
                "liquid_fuels_tj",
                "solid_fuels_tj",
                "gaseous_fuels_tj",
                "biomass_tj",
                "other_fuels_tj",
            ] {
                let text = &r[ah.iter().position(|c| c == column).unwrap()];
                let key = (year.to_string(), r[2].clone(), column.to_string());
                match expected.get(&key) {
                    // A spliced row: the hand split, to the 28 digits of a
                    // decimal (a share is a quotient).
                    Some(sum) if spliced(year, &r[2], column) => {
                        let value = dec(text);
                        assert!(
                            (value - *sum).abs() <= dec("0.000000000000000001"),
                            "{key:?}: {value} against {sum} by hand"
                        );
                        annex_value.insert(key, value);
                        split += 1;
                    }
                    Some(sum) => assert_eq!(dec(text), *sum, "{key:?}"),
                    None => assert!(
                        ["NO", "NE", "IE", ""].contains(&text.as_str()),
                        "{key:?}: {text}"
                    ),
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100);
    // 3 rows × 4 years (solid) + 2 rows × 2 years (liquid).
    assert_eq!(split, 16);
    // A splice keeps each year's total of its rows exactly: the Annex I
    // cells of the spliced rows add up to the balance's cells.
    for (year, group, rows, total) in &kept {
        let unspliced: Decimal = rows
            .iter()
            .map(|r| {
                let key = (year.clone(), r.clone(), group.clone());
                sums.get(&key).copied().unwrap_or_default()
            })
            .sum();
        let annex: Decimal = rows
            .iter()
            .map(|r| annex_value[&(year.clone(), r.clone(), group.clone())])
            .sum();
        assert_eq!(
            annex, unspliced,
            "{year} {group} {rows:?} (spliced {total})"
        );
    }
    // A few rows straight from the balance by line and fuel names, by hand:
    let find = |line: &str, year: &str, fuel: &str| -> Decimal {
        let r = raw.iter().position(|row| row[0] == line).unwrap();
        let c = (1..raw[0].len())
            .find(|&c| raw[0][c] == year && raw[1][c] == fuel)
            .unwrap();
        cell(r, c)
    };
    let annex = |year: &str, code: &str, column: &str| {
        dec(&annex_cell(
            &d.path(&format!("out/annex1_{year}.csv")),
            code,
            column,
        ))
    };
    // 2021 public power: natural gas of main-activity electricity, CHP and heat plants.
    assert_eq!(
        annex("2021", "1A1a", "gaseous_fuels_tj"),
        find(
            "Main Activity Producer Electricity Plants",
            "2021",
            "Natural gas"
        ) + find("Main Activity Producer CHP Plants", "2021", "Natural gas")
            + find("Main Activity Producer Heat Plants", "2021", "Natural gas")
    );
    // 353 352 TJ: 93 269.2 + 112 920.5 + 147 162.3.
    assert_eq!(annex("2021", "1A1a", "gaseous_fuels_tj"), dec("353352"));
    // 2023 railways: gas/diesel oil and hard coal, with the file's float digits.
    assert_eq!(annex("2023", "1A3c", "liquid_fuels_tj"), dec("48985.299"));
    assert_eq!(
        annex("2023", "1A3c", "solid_fuels_tj"),
        find("Railway transport", "2023", "Energy hard coal1)")
    );
    // 2021 refineries: own use of refinery gas, the own-use subtotal minus
    // its named parts (which burn none).
    assert_eq!(
        annex("2021", "1A1b", "liquid_fuels_tj"),
        find(
            "Consumption in Energy Sector (Own Use)",
            "2021",
            "Rafinery gas"
        )
    );
    // 2024 agriculture: gas/diesel oil to machinery (1A4cii), the rest stationary.
    assert_eq!(
        annex("2024", "1A4cii", "liquid_fuels_tj"),
        find("Agriculture/forestry", "2024", "Heating and other gas oils")
    );
}

#[test]
fn kazakhstan_each_emission_is_activity_times_its_factor() {
    let d = Dir::new();
    compile_kz(&d, "out");
    // NCVs (GJ/t) of emission-factors/ncv.csv, IPCC 2006: the inventory gives none.
    let ncv_text = std::fs::read_to_string(repo().join("emission-factors/ncv.csv")).unwrap();
    let ncv: HashMap<String, Decimal> = ncv_text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("fuel,"))
        .map(|l| {
            let mut f = l.split(',');
            (f.next().unwrap().to_string(), dec(f.next().unwrap()))
        })
        .collect();
    let grams = |unit: &str| -> Decimal {
        match unit.trim() {
            "g" | "g I-TEQ" => dec("1"),
            "kg" => dec("1000"),
            "t" => dec("1000000"),
            "kt" => dec("1000000000"),
            "mg" => dec("0.001"),
            "ug" | "µg" | "ug I-TEQ" | "µg I-TEQ" => dec("0.000001"),
            "ng" | "ng I-TEQ" => dec("0.000000001"),
            other => panic!("mass unit {other}"),
        }
    };
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let c = |n: &str| h.iter().position(|x| x == n).unwrap();
    // Lines of activity without a factor (no factor, no emission) say why;
    // every other line is activity × factor.
    let (without, rows): (Vec<Vec<String>>, Vec<Vec<String>>) =
        rows.into_iter().partition(|r| r[c("factor_id")].is_empty());
    assert!(!without.is_empty());
    for r in &without {
        assert_eq!(r[c("emission")], "");
        assert!(r[c("why")].starts_with("no "), "{}", r[c("why")]);
    }
    // A line's activity: every column before the pollutant (a splice's or
    // a plant's lines share their input row across fuels and tiers).
    let key = |r: &Vec<String>| r[..c("pollutant")].to_vec();
    let pm25: HashMap<_, Decimal> = rows
        .iter()
        .filter(|r| r[c("pollutant")] == "PM2.5")
        .map(|r| {
            (
                key(r),
                dec(&r[c("emission")]) * grams(&r[c("emission_unit")]),
            )
        })
        .collect();
    let (mut exact, mut rounded, mut shares) = (0, 0, 0);
    // The fuel combustion rows (1A), from the energy balance; the other
    // sectors, and road wear (1A3bvi-vii, per vehicle-km), are tested in
    // tests/integration/kazakhstan.rs.
    for r in rows
        .iter()
        .filter(|r| r[c("code")].starts_with("1A") && !r[c("code")].starts_with("1A3bv"))
    {
        assert_eq!(r[c("activity_unit")], "TJ");
        let gj = dec(&r[c("activity")]) * dec("1000");
        let factor = dec(&r[c("factor_value")]);
        let emission_g = dec(&r[c("emission")]) * grams(&r[c("emission_unit")]);
        let unit = r[c("factor_unit")].clone();
        if unit == "% of PM2.5" {
            // A share of the PM2.5 emission of the same activity.
            let expected = factor / dec("100") * pm25[&key(r)];
            assert!(
                (emission_g - expected).abs() <= dec("0.000000000001"),
                "{r:?}"
            );
            shares += 1;
            continue;
        }
        let (mass, per) = unit.split_once('/').unwrap();
        let per = per.trim();
        // kt = GJ × factor, or for factors per fuel mass: GJ ÷ NCV (t) × factor.
        let expected = if per == "GJ" {
            gj * factor * grams(mass)
        } else {
            let tonnes_per_unit = match per {
                "kg fuel" => dec("0.001"),
                "tonne fuel" | "tonnes fuel" | "tonne" => dec("1"),
                other => panic!("per {other}"),
            };
            gj * factor * grams(mass) / tonnes_per_unit / ncv[&r[c("fuel")]]
        };
        if r[c("exact")] == "yes" {
            assert_eq!(emission_g, expected, "{r:?}");
            exact += 1;
        } else {
            let tolerance = expected.abs() * dec("0.000000000000000001");
            assert!((emission_g - expected).abs() <= tolerance, "{r:?}");
            rounded += 1;
        }
        // Tier 1, except the refinery rows pinned to Tier 2 in the mapping.
        if r[c("code")] == "1A1b" {
            assert_eq!(r[c("factor_tier")], "2", "{r:?}");
        } else {
            assert_eq!(r[c("factor_tier")], "1", "{r:?}");
        }
    }
    assert!(
        exact > 5000 && rounded > 100 && shares > 100,
        "{exact} {rounded} {shares}"
    );
    // The national total is the sum of the sector rows (14-140).
    for year in ["2021", "2024"] {
        let annex = d.path(&format!("out/annex1_{year}.csv"));
        let (ah, arows) = csv_rows(&annex);
        for pollutant in ["NOx", "SOx", "PM2.5"] {
            let i = ah.iter().position(|x| x == pollutant).unwrap();
            let sum: Decimal = arows
                .iter()
                .filter(|r| (14..=140).contains(&r[0].parse::<u32>().unwrap_or(0)))
                .filter_map(|r| Decimal::from_str_exact(&r[i]).ok())
                .sum();
            assert_eq!(
                annex_cell(&annex, "NATIONAL TOTAL", pollutant),
                sum.normalize().to_string()
            );
        }
        assert_eq!(annex_cell(&annex, "2C2", "NOx"), "NE");
        assert_eq!(annex_cell(&annex, "1A3bii", "NOx"), "IE");
    }
}

#[test]
fn kazakhstan_compiled_from_the_balance_and_its_mapping_equals_the_committed_activity() {
    let Some(balance) = shared(KZ_BALANCE) else {
        return;
    };
    let d = Dir::new();
    compile_kz(&d, "committed");
    let toml = std::fs::read_to_string(kz().join("inventory.toml")).unwrap();
    // The balance through its mapping in place of the committed file; the
    // other activity files of the inventory where they are.
    let direct = toml
        .replace(
            "\"activity/energy-balance.csv\"",
            &format!(
                "{{ file = {:?}, mapping = {:?} }}",
                balance.display().to_string(),
                kz().join("mapping.toml").display().to_string()
            ),
        )
        .replace(
            "\"activity/",
            &format!("\"{}/", kz().join("activity").display()),
        )
        // The plant register (issue 25), beside inventory.toml.
        .replace(
            "plants = [\"plants.csv\"]",
            &format!(
                "plants = [{:?}]",
                kz().join("plants.csv").display().to_string()
            ),
        );
    assert_ne!(direct, toml);
    assert!(!direct.contains("\"plants.csv\""), "{direct}");
    d.write("kz/inventory.toml", &direct);
    let out = d
        .airinv()
        .args([
            "compile",
            "kz",
            "--out",
            "direct",
            "--reporting-date",
            "15.02.2025",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(
            "cells read 4065 = mapped 699 + excluded 3366 + unmapped 0; 713 activity rows"
        ),
        "{stdout}"
    );
    for year in ["2021", "2022", "2023", "2024"] {
        let f = format!("annex1_{year}.csv");
        assert_eq!(
            d.read(&format!("direct/{f}")),
            d.read(&format!("committed/{f}")),
            "{f}"
        );
    }
}
