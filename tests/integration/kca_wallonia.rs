//! `airinv kca` on the real Annex I workbook of Wallonia (2021 submission):
//! the NOx key categories of 2019 (level, and trend from 1990) equal a
//! computation from the workbook's cells. The workbook is committed:
//! `tests/data/BEW_2021-annex1-nfr2019.xlsx`.

use crate::harness::Dir;
use calamine::{Data, Reader, open_workbook_auto};
use std::collections::BTreeSet;

/// (code, NOx) of the sector rows 14-140 (column B, column E): numbers as
/// they are, notation keys and empty cells as 0.
fn nox_rows(path: &std::path::Path, sheet: &str) -> Vec<(String, f64)> {
    let mut wb = open_workbook_auto(path).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    (13u32..140)
        .map(|r| {
            let code = match range.get_value((r, 1)) {
                Some(Data::String(s)) => s.trim().to_string(),
                other => panic!("{sheet}!B{}: {other:?}", r + 1),
            };
            let v = match range.get_value((r, 4)) {
                Some(Data::Float(x)) => *x,
                Some(Data::Int(i)) => *i as f64,
                _ => 0.0,
            };
            (code, v)
        })
        .collect()
}

/// Codes key at 80 %, by descending share (ties in row order).
fn key_codes(shares: &[(String, f64)]) -> BTreeSet<String> {
    let mut order: Vec<&(String, f64)> = shares.iter().filter(|s| s.1 > 0.0).collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let total: f64 = shares.iter().map(|s| s.1).sum();
    let mut cum = 0.0;
    let mut key = BTreeSet::new();
    for (code, s) in order {
        if cum < 0.8 * total {
            key.insert(code.clone());
        }
        cum += s;
    }
    key
}

#[test]
fn nox_key_categories_of_wallonia_equal_a_computation_from_the_cells() {
    let fixture = crate::harness::wallonia();
    let year = nox_rows(&fixture, "2019");
    let base = nox_rows(&fixture, "1990");
    let level: Vec<(String, f64)> = year.iter().map(|(c, v)| (c.clone(), v.abs())).collect();
    let (et, e0): (f64, f64) = (
        year.iter().map(|r| r.1).sum(),
        base.iter().map(|r| r.1).sum(),
    );
    let trend: Vec<(String, f64)> = year
        .iter()
        .zip(&base)
        .map(|((c, x), (_, x0))| (c.clone(), (x - x0 * et / e0).abs() / e0))
        .collect();
    let want_level = key_codes(&level);
    let want_trend = key_codes(&trend);
    assert!(want_level.len() >= 3, "{want_level:?}");

    let d = Dir::new();
    let out = d
        .airinv()
        .args([
            "kca",
            fixture.to_str().unwrap(),
            "--year",
            "2019",
            "--base",
            "1990",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let nox = v["pollutants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pollutant"] == "NOx")
        .unwrap();
    let cats = nox["categories"].as_array().unwrap();
    let keys = |field: &str| -> BTreeSet<String> {
        cats.iter()
            .filter(|c| c[field] == true)
            .map(|c| c["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(keys("key_level"), want_level);
    assert_eq!(keys("key_trend"), want_trend);
    // The total is the sum of the sector rows (E14:E140).
    let total: f64 = nox["total"].as_str().unwrap().parse().unwrap();
    assert!((total - et).abs() < 1e-9 * et, "{total} vs {et}");
    // The categories are in descending order of level, and the first one's
    // level is its share of the cells' total.
    let first = &cats[0];
    let e: f64 = first["emission"].as_str().unwrap().parse().unwrap();
    let l: f64 = first["level"].as_str().unwrap().parse().unwrap();
    assert!((l - e / et * 100.0).abs() < 1e-9);
    assert!(level.iter().all(|(_, x)| *x <= e + 1e-12));
}
