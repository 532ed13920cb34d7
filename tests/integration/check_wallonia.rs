//! `airinv check` on the real Annex I workbook of Wallonia (2021
//! submission, sheets 1990-2019), and on a copy with injected faults.
//! The workbook is committed: `tests/data/BEW_2021-annex1-nfr2019.xlsx`.

use crate::harness::{Dir, csv_rows};
use calamine::{Data, Reader, open_workbook_auto};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Runs `airinv check ARGS --format json`.
fn check_json(d: &Dir, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = d
        .airinv()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), findings)
}

type Key = (String, String, String, String);

/// (severity, check, sheet, cell) of each finding.
fn keys(f: &[serde_json::Value]) -> BTreeSet<Key> {
    f.iter()
        .map(|x| {
            let s = |k: &str| x[k].as_str().unwrap_or("").to_string();
            (s("severity"), s("check"), s("sheet"), s("cell"))
        })
        .collect()
}

fn key(severity: &str, check: &str, sheet: &str, cell: &str) -> Key {
    (severity.into(), check.into(), sheet.into(), cell.into())
}

fn find<'a>(
    f: &'a [serde_json::Value],
    check: &str,
    sheet: &str,
    cell: &str,
) -> &'a serde_json::Value {
    f.iter()
        .find(|x| x["check"] == check && x["sheet"] == sheet && x["cell"] == cell)
        .unwrap_or_else(|| panic!("no {check} at {sheet}!{cell}"))
}

#[test]
fn the_wallonia_workbook_findings_are_what_the_workbook_shows() {
    let fixture = crate::harness::wallonia();
    let d = Dir::new();
    let (code, f) = check_json(&d, &[fixture.to_str().unwrap()]);
    assert_eq!(code, 1, "empty cells are errors");
    // Every finding names a year sheet and, but for notes, a cell.
    for x in &f {
        let sheet = x["sheet"].as_str().unwrap_or("");
        if x["check"] != "format.note" {
            assert!(
                (1990..=2019).contains(&sheet.parse::<i32>().unwrap_or(0)),
                "{x}"
            );
            assert!(x["cell"].is_string(), "{x}");
        }
    }
    // The totals are the template's SUM formulas, and PM nests: no finding.
    for id in [
        "sum.national-total",
        "consistency.pm-order",
        "consistency.negative",
        "consistency.adjustment",
        "consistency.magnitude",
        "notation-key.invalid",
        "notation-key.nr",
    ] {
        assert!(
            f.iter().all(|x| x["check"] != id),
            "{id}: {:?}",
            f.iter().find(|x| x["check"] == id)
        );
    }
    // Completeness: the empty pollutant cells of the sector rows of sheet
    // 2019, as the workbook shows them (1A1b: all but H and X-AD; 1A3di(ii)
    // row 35 and 1A4ciii row 45: most main pollutants).
    let empty_2019: BTreeSet<&str> = f
        .iter()
        .filter(|x| x["check"] == "completeness.empty" && x["sheet"] == "2019")
        .filter(|x| x["severity"] == "error")
        .map(|x| x["cell"].as_str().unwrap())
        .collect();
    // (The list was made independently, with openpyxl, from the workbook.)
    let expected: BTreeSet<&str> = [
        "AC130", "E15", "E35", "E45", "E88", "E93", "F126", "F130", "F15", "F35", "F45", "F63",
        "G15", "G35", "G45", "G55", "G88", "G93", "H35", "I15", "I35", "I45", "J15", "J35", "J45",
        "K15", "K35", "K45", "L15", "L35", "L45", "M15", "M35", "N15", "N35", "O15", "O35", "P15",
        "P35", "Q15", "Q35", "R15", "S15", "S35", "T15", "T35", "U15", "U35", "V15", "V35", "W135",
        "W15", "W63", "W98",
    ]
    .into_iter()
    .collect();
    assert_eq!(empty_2019, expected);
    // A PAH total that is not the sum of its four PAHs, by hand:
    // 0.000275184 + 0.000275184 + 0.0000550368 + 0.0000275184 = 0.0006329232.
    let pah = find(&f, "sum.pah", "1990", "AB36");
    assert_eq!(pah["severity"], "error");
    assert!(
        pah["message"]
            .as_str()
            .unwrap()
            .contains("1A3dii PAH1-4 (AB36) is 0.000632688 but should be 0.00063292320000000008"),
        "{pah}"
    );
    // A PAH total of 0 over four NE: a key written as a number.
    assert_eq!(find(&f, "sum.pah", "2019", "AB52")["severity"], "warning");
    // The compliance totals are empty; note (c) gives them.
    let c = find(&f, "sum.compliance", "2019", "E152:AD152");
    assert!(c["message"].as_str().unwrap().contains("is empty"), "{c}");
    // 1A2a NOx 2019: 1.35196131 kt over 126.451 + 170.426 + 11800.837 TJ =
    // 111.75 g/GJ; the Tier 1 intervals weighted by those TJ give 50.2-110.8.
    let ief = find(&f, "implied-factor.outside-interval", "2019", "E17");
    let m = ief["message"].as_str().unwrap();
    assert!(
        m.contains("111.8 g/GJ (E17 = 1.35196131 kt over 12097.714 TJ in AF17 + AG17 + AH17)")
            && m.contains("above 50.2-110.8 g/GJ"),
        "{m}"
    );
    // A number stored as text in AK82 of 1990 is read, and said so.
    assert!(f.iter().any(|x| {
        x["check"] == "format.note"
            && x["message"]
                .as_str()
                .unwrap()
                .contains("sheet 1990, cell AK82: a number stored as text ('3243661')")
    }),);
    // The formulas of row 8 (E8-K8) are outside the table: one finding
    // for the block.
    let row8 = find(&f, "format.outside-table", "2019", "E8:K8");
    assert_eq!(row8["severity"], "info");
    assert!(
        row8["message"]
            .as_str()
            .unwrap()
            .starts_with("row 8 above the table's header rows holds 7 values (E8:K8)"),
        "{row8}"
    );
    assert_eq!(
        f.iter()
            .filter(|x| x["check"] == "format.outside-table")
            .count(),
        1
    );
    // IE cannot be followed in a workbook: said once per row and pollutant.
    let ie = find(&f, "notation-key.ie-unexplained", "2019", "AC22");
    assert!(
        ie["message"]
            .as_str()
            .unwrap()
            .contains("1A2f HCB (AC22) is IE in 1990-2019"),
        "{ie}"
    );
}

/// Copies a workbook's cell values (formulas as their cached values) into a
/// new workbook, with some cells changed: (sheet, A1 cell) → new value.
fn copy_with(from: &Path, to: &Path, changes: &BTreeMap<(&str, &str), Data>) {
    let mut source = open_workbook_auto(from).unwrap();
    let mut book = rust_xlsxwriter::Workbook::new();
    for name in source.sheet_names().to_vec() {
        let range = source.worksheet_range(&name).unwrap();
        let ws = book.add_worksheet();
        ws.set_name(&name).unwrap();
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let mut cells: BTreeMap<(u32, u16), Data> = BTreeMap::new();
        for (r, row) in range.rows().enumerate() {
            for (c, v) in row.iter().enumerate() {
                cells.insert((r0 + r as u32, (c0 as usize + c) as u16), v.clone());
            }
        }
        for ((sheet, cell), v) in changes {
            if *sheet == name {
                let (r, c) = a1(cell);
                cells.insert((r, c), v.clone());
            }
        }
        for ((r, c), v) in cells {
            match v {
                Data::Float(x) => {
                    ws.write_number(r, c, x).unwrap();
                }
                Data::Int(i) => {
                    ws.write_number(r, c, i as f64).unwrap();
                }
                Data::String(s) => {
                    ws.write_string(r, c, s).unwrap();
                }
                Data::Bool(b) => {
                    ws.write_boolean(r, c, b).unwrap();
                }
                Data::DateTime(x) => {
                    ws.write_number(r, c, x.as_f64()).unwrap();
                }
                _ => {}
            }
        }
    }
    book.save(to).unwrap();
}

/// 0-based (row, column) of an A1 reference.
fn a1(cell: &str) -> (u32, u16) {
    let letters: String = cell
        .chars()
        .take_while(|c| c.is_ascii_uppercase())
        .collect();
    let row: u32 = cell[letters.len()..].parse().unwrap();
    (row - 1, airinv::annex1::column_index(&letters))
}

/// A number cell of the fixture.
fn number(path: &Path, sheet: &str, cell: &str) -> f64 {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    let (r, c) = a1(cell);
    match range.get_value((r, u32::from(c))) {
        Some(Data::Float(x)) => *x,
        other => panic!("{sheet}!{cell}: {other:?}"),
    }
}

#[test]
fn faults_injected_in_a_copy_of_the_wallonia_workbook_are_found_at_their_cells() {
    let fixture = crate::harness::wallonia();
    let d = Dir::new();
    let n = |sheet: &str, cell: &str| number(&fixture, sheet, cell);
    // Each fault in its own year; where a sector cell changes, the national
    // total changes with it, as the template's SUM formula would.
    let mut changes: BTreeMap<(&str, &str), Data> = BTreeMap::new();
    // A changed total.
    changes.insert(("2019", "E141"), Data::Float(66.0));
    // PM2.5 above PM10 (1A2b, 0.00133908 each).
    changes.insert(("2018", "I18"), Data::Float(0.0013391));
    // A negative value (5E NMVOC 0.05387).
    changes.insert(("2016", "F139"), Data::Float(-0.05387));
    changes.insert(
        ("2016", "F141"),
        Data::Float(n("2016", "F141") - 2.0 * 0.05387),
    );
    // An empty cell (1A1c NOx 0.155832).
    changes.insert(("2014", "E16"), Data::Empty);
    changes.insert(
        ("2014", "E141"),
        Data::Float(n("2014", "E141") - n("2014", "E16")),
    );
    // A bad key (1A1b NH3 NE).
    changes.insert(("2015", "H15"), Data::String("n.e.".into()));
    // A jump in a series: 1A1a NOx 2012 four times its value.
    let e14 = n("2012", "E14");
    changes.insert(("2012", "E14"), Data::Float(4.0 * e14));
    changes.insert(("2012", "E141"), Data::Float(n("2012", "E141") + 3.0 * e14));
    let copy = d.path("faulty.xlsx");
    copy_with(&fixture, &copy, &changes);

    let (_, original) = check_json(&d, &[fixture.to_str().unwrap()]);
    let (code, faulty) = check_json(&d, &[copy.to_str().unwrap()]);
    assert_eq!(code, 1);
    let before = keys(&original);
    let after = keys(&faulty);
    let new: BTreeSet<&Key> = after.difference(&before).collect();
    // Every new error is one of the faults, at its cell.
    let new_errors: BTreeSet<Key> = new
        .iter()
        .filter(|k| k.0 == "error")
        .map(|k| (*k).clone())
        .collect();
    let expected: BTreeSet<Key> = [
        key("error", "sum.national-total", "2019", "E141"),
        key("error", "consistency.pm-order", "2018", "I18"),
        key("error", "consistency.negative", "2016", "F139"),
        key("error", "completeness.empty", "2014", "E16"),
        key("error", "notation-key.invalid", "2015", "H15"),
    ]
    .into_iter()
    .collect();
    assert_eq!(new_errors, expected);
    // And the jump is found in its year and cell.
    assert!(
        new.contains(&key("warning", "time-series.dip-jump", "2012", "E14")),
        "{new:#?}"
    );
    let jump = find(&faulty, "time-series.dip-jump", "2012", "E14");
    assert!(
        jump["message"]
            .as_str()
            .unwrap()
            .contains("1A1a NOx 2012 (E14) = 11.53940716 kt is a jump"),
        "{jump}"
    );
    let total = find(&faulty, "sum.national-total", "2019", "E141");
    assert!(
        total["message"]
            .as_str()
            .unwrap()
            .contains("NATIONAL TOTAL NOx (E141) is 66 but should be 64.8778294491"),
        "{total}"
    );
    let key_finding = find(&faulty, "notation-key.invalid", "2015", "H15");
    assert!(
        key_finding["message"]
            .as_str()
            .unwrap()
            .contains("did you mean NE?"),
        "{key_finding}"
    );

    // The recalculation table between the two lists exactly the changed
    // cells (a text that is no key is read as empty: NE → empty).
    let out = d
        .airinv()
        .args([
            "check",
            copy.to_str().unwrap(),
            "--previous",
            fixture.to_str().unwrap(),
            "--recalculations",
            "recalc.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let (_, rows) = csv_rows(&d.path("recalc.csv"));
    let changed: BTreeSet<(String, String)> =
        rows.iter().map(|r| (r[1].clone(), r[2].clone())).collect();
    let expected: BTreeSet<(String, String)> = [
        ("2012", "E14"),
        ("2012", "E141"),
        ("2014", "E16"),
        ("2014", "E141"),
        ("2015", "H15"),
        ("2016", "F139"),
        ("2016", "F141"),
        ("2018", "I18"),
        ("2019", "E141"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(changed, expected);
    let e14 = rows
        .iter()
        .find(|r| r[1] == "2012" && r[2] == "E14")
        .unwrap();
    // 2.88485179 → 11.53940716: +8.65455537 (+300 %).
    assert_eq!(e14[7..], ["2.88485179", "11.53940716", "8.65455537", "300"]);
}
