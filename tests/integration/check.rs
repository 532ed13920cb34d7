//! `airinv check`: a clean series of Annex I tables passes; each injected
//! fault is found at its cell; text and JSON output; exit codes; the
//! recalculation table; the example inventory.

use crate::harness::{Dir, csv_rows, repo};
use airinv::annex1::{Annex1Year, Header};
use airinv::nfr::{self, RowKind};
use airinv::notation_key::{Cell, NotationKey};
use airinv::pollutant::Pollutant;
use rust_decimal::Decimal;

fn d(s: &str) -> Decimal {
    Decimal::from_str_exact(s).unwrap()
}

/// A complete table: every sector and memo cell NA, a few numbers that
/// nest (PM2.5 ≤ PM10 ≤ TSP), and the totals by the template's rules.
fn table(year: i32) -> Annex1Year {
    let mut t = Annex1Year::empty(Header {
        year,
        ..Header::default()
    });
    for r in nfr::rows()
        .iter()
        .filter(|r| matches!(r.kind, RowKind::Sector | RowKind::Memo))
    {
        let cells = t.rows.get_mut(&r.number).unwrap();
        for p in Pollutant::ALL {
            cells.set(p, Cell::Key(NotationKey::NA));
        }
        for f in cells.fuels.iter_mut() {
            *f = Cell::Key(NotationKey::NA);
        }
        cells.other_activity = Cell::Key(NotationKey::NA);
    }
    // A steady series with a little noise (σ > 0), in 1A1a and 1A4bi.
    let noise = Decimal::new(i64::from(year % 3), 2);
    let r = t.row_mut("1A1a").unwrap();
    r.set(Pollutant::NOx, Cell::Number(d("10") + noise));
    let r = t.row_mut("1A4bi").unwrap();
    r.set(Pollutant::NOx, Cell::Number(d("20") - noise));
    r.set(Pollutant::PM25, Cell::Number(d("1.5")));
    r.set(Pollutant::PM10, Cell::Number(d("1.6")));
    r.set(Pollutant::TSP, Cell::Number(d("1.8")));
    r.set(Pollutant::BC, Cell::Number(d("0.2")));
    t.derive_pah_totals();
    t.compute_totals();
    t
}

/// Writes annex1_<YEAR>.csv for 2010-2019 into a folder.
fn series(d: &Dir, folder: &str) {
    faulty_series(d, folder, 0, |_| {}, |_| {});
}

/// The series with a fault in one year: `before` changes cells before the
/// totals are computed (as a workbook's formulas would follow), `after`
/// changes them after (a total typed over).
fn faulty_series(
    d: &Dir,
    folder: &str,
    fault_year: i32,
    before: impl Fn(&mut Annex1Year),
    after: impl Fn(&mut Annex1Year),
) {
    std::fs::create_dir_all(d.path(folder)).unwrap();
    for year in 2010..2020 {
        let mut t = table(year);
        if year == fault_year {
            before(&mut t);
            t.derive_pah_totals();
            t.compute_totals();
            after(&mut t);
        }
        let mut bytes = Vec::new();
        airinv::annex1::write_csv(&mut bytes, &t).unwrap();
        std::fs::write(d.path(&format!("{folder}/annex1_{year}.csv")), bytes).unwrap();
    }
}

fn set(t: &mut Annex1Year, code: &str, p: Pollutant, value: &str) {
    let cell = match value {
        "" => Cell::Empty,
        v => Cell::Number(self::d(v)),
    };
    t.row_mut(code).unwrap().set(p, cell);
}

/// Sets one cell of an annex1_<YEAR>.csv by NFR code and column name.
fn set_cell(d: &Dir, file: &str, code: &str, column: &str, value: &str) {
    let path = d.path(file);
    let (header, mut rows) = csv_rows(&path);
    let col = header.iter().position(|h| h == column).unwrap();
    let row = rows.iter_mut().find(|r| r[2] == code).unwrap();
    row[col] = value.to_string();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_path(&path)
        .unwrap();
    w.write_record(&header).unwrap();
    for r in rows {
        w.write_record(&r).unwrap();
    }
    w.flush().unwrap();
}

/// Runs `airinv check out --format json`: exit code and findings.
fn check_json(d: &Dir, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
    let out = d
        .airinv()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings: Vec<serde_json::Value> = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), findings)
}

fn with_check<'a>(findings: &'a [serde_json::Value], id: &str) -> Vec<&'a serde_json::Value> {
    findings.iter().filter(|f| f["check"] == id).collect()
}

#[test]
fn a_clean_series_has_no_finding_and_exits_0() {
    let d = Dir::new();
    series(&d, "out");
    let (code, findings) = check_json(&d, &["out"]);
    assert_eq!(findings, Vec::<serde_json::Value>::new());
    assert_eq!(code, 0);
    let out = d.airinv().args(["check", "out"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("10 year(s) (2010-2019) checked: 0 error(s), 0 warning(s), 0 info(s)"),
        "{text}"
    );
}

/// (check, year, cell) of every finding that is not info.
fn problems(f: &[serde_json::Value]) -> Vec<(String, i64, String)> {
    f.iter()
        .filter(|x| x["severity"] != "info")
        .map(|x| {
            // Findings name the year's sheet.
            assert_eq!(x["sheet"].as_str().unwrap(), x["year"].to_string());
            (
                x["check"].as_str().unwrap().to_string(),
                x["year"].as_i64().unwrap(),
                x["cell"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn p(check: &str, year: i64, cell: &str) -> (String, i64, String) {
    (check.to_string(), year, cell.to_string())
}

#[test]
fn every_injected_fault_is_found_at_its_cell() {
    // A changed total: typed over, with the compliance totals following it
    // (as their formulas would): only the national total is wrong.
    let d = Dir::new();
    faulty_series(
        &d,
        "out",
        2011,
        |_| {},
        |t| {
            for code in [
                "NATIONAL TOTAL",
                "COMPLIANCE TOTAL (CLRTAP)",
                "COMPLIANCE TOTAL (NECD)",
            ] {
                set(t, code, Pollutant::NOx, "31");
            }
        },
    );
    let (code, f) = check_json(&d, &["out"]);
    assert_eq!(code, 1);
    assert_eq!(problems(&f), [p("sum.national-total", 2011, "E141")]);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("NATIONAL TOTAL NOx (E141) is 31 but should be 30 (difference 1), the sum of rows 14-140"),
        "{}",
        f[0]
    );

    // PM2.5 > PM10 in 1A4bi, and so in the totals that carry it; 1.7 in a
    // series of 1.5 is a jump as well.
    let d = Dir::new();
    faulty_series(
        &d,
        "out",
        2012,
        |t| set(t, "1A4bi", Pollutant::PM25, "1.7"),
        |_| {},
    );
    let (code, f) = check_json(&d, &["out"]);
    assert_eq!(code, 1);
    assert_eq!(
        problems(&f),
        [
            p("consistency.pm-order", 2012, "I41"),
            p("consistency.pm-order", 2012, "I141"),
            p("consistency.pm-order", 2012, "I152"),
            p("consistency.pm-order", 2012, "I154"),
            p("time-series.dip-jump", 2012, "I41"),
        ]
    );
    assert_eq!(f[0]["pollutant"], "PM2.5");
    assert_eq!(f[0]["code"], "1A4bi");

    // A negative emission.
    let d = Dir::new();
    faulty_series(
        &d,
        "out",
        2013,
        |t| set(t, "2A1", Pollutant::NOx, "-0.5"),
        |_| {},
    );
    let (code, f) = check_json(&d, &["out"]);
    assert_eq!(code, 1);
    assert_eq!(problems(&f), [p("consistency.negative", 2013, "E57")]);

    // An empty cell.
    let d = Dir::new();
    faulty_series(
        &d,
        "out",
        2014,
        |t| set(t, "1B1a", Pollutant::NH3, ""),
        |_| {},
    );
    let (code, f) = check_json(&d, &["out"]);
    assert_eq!(code, 1);
    assert_eq!(problems(&f), [p("completeness.empty", 2014, "H48")]);

    // A bad key, typed in the CSV.
    let d = Dir::new();
    series(&d, "out");
    set_cell(&d, "out/annex1_2015.csv", "3B1a", "NMVOC", "N/A");
    let (code, f) = check_json(&d, &["out"]);
    assert_eq!(code, 1);
    assert_eq!(problems(&f), [p("notation-key.invalid", 2015, "F99")]);
    let message = f[0]["message"].as_str().unwrap();
    assert!(
        message.contains("'N/A' in F99 (out/annex1_2015.csv, row 87, column NMVOC) is neither a number nor a notation key")
            && message.contains("did you mean NA?"),
        "{message}"
    );

    // A jump in a series (the totals follow it).
    let d = Dir::new();
    faulty_series(
        &d,
        "out",
        2016,
        |t| set(t, "1A1a", Pollutant::NOx, "30"),
        |_| {},
    );
    let (code, f) = check_json(&d, &["out"]);
    assert_eq!(code, 0, "a jump is a warning");
    assert_eq!(problems(&f), [p("time-series.dip-jump", 2016, "E14")]);
    assert!(
        f[0]["message"]
            .as_str()
            .unwrap()
            .contains("1A1a NOx 2016 (E14) = 30 kt is a jump in the series 2010-2019"),
        "{}",
        f[0]
    );
}

#[test]
fn json_findings_have_exactly_the_documented_fields() {
    let d = Dir::new();
    faulty_series(
        &d,
        "out",
        2019,
        |t| set(t, "2A1", Pollutant::NOx, "-0.5"),
        |_| {},
    );
    let (code, f) = check_json(&d, &["out"]);
    assert_eq!(code, 1);
    assert_eq!(f.len(), 1, "{f:#?}");
    let keys: Vec<&String> = f[0].as_object().unwrap().keys().collect();
    let mut expected = [
        "severity",
        "check",
        "year",
        "code",
        "pollutant",
        "sheet",
        "cell",
        "message",
    ];
    expected.sort();
    let mut keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    keys.sort();
    assert_eq!(keys, expected);
    assert_eq!(
        f[0],
        serde_json::json!({
            "severity": "error",
            "check": "consistency.negative",
            "year": 2019,
            "code": "2A1",
            "pollutant": "NOx",
            "sheet": "2019",
            "cell": "E57",
            "message": "2A1 NOx (E57) is -0.5; emissions cannot be negative (only the ADJUSTMENTS rows are)",
        })
    );
}

#[test]
fn recalculations_are_listed_and_written_as_a_table() {
    let d = Dir::new();
    series(&d, "old");
    faulty_series(
        &d,
        "new",
        2018,
        |t| {
            set(t, "1A1a", Pollutant::NOx, "10.5");
            t.row_mut("1A2a").unwrap().fuels[2] = Cell::Number(self::d("1200"));
        },
        |_| {},
    );
    let (code, f) = check_json(
        &d,
        &["new", "--previous", "old", "--recalculations", "recalc.csv"],
    );
    assert_eq!(code, 0, "{f:#?}");
    let changed = with_check(&f, "recalculation.changed");
    assert_eq!(changed.len(), 5, "{changed:#?}");
    assert!(
        changed[0]["message"]
            .as_str()
            .unwrap()
            .contains("1A1a NOx 2018 (E14) changed from 10.02 to 10.5 kt: +0.48 (+4.79 %)"),
        "{}",
        changed[0]
    );
    let (h, rows) = csv_rows(&d.path("recalc.csv"));
    assert_eq!(
        h,
        [
            "year",
            "sheet",
            "cell",
            "code",
            "name",
            "column",
            "unit",
            "previous",
            "current",
            "change",
            "change_percent"
        ]
    );
    assert_eq!(rows.len(), 5);
    assert_eq!(
        rows[0],
        [
            "2018",
            "2018",
            "E14",
            "1A1a",
            "Public electricity and heat production",
            "NOx",
            "kt",
            "10.02",
            "10.5",
            "0.48",
            "4.7904"
        ]
    );
    let gas = rows.iter().find(|r| r[2] == "AH17").unwrap();
    assert_eq!(gas[7..], ["NA", "1200", "", ""]);
    // --recalculations without --previous is refused by the command line.
    let out = d
        .airinv()
        .args(["check", "new", "--recalculations", "r.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_example_inventory_is_checked_as_compiled() {
    // Compiled in memory. The export's Tier 1 PM factors for 1.A.4.a.i liquid
    // fuels (Table 3-9) give PM10 21 g/GJ > TSP 20 g/GJ; corrections.csv caps
    // PM10 at TSP, so the check no longer finds PM10 above TSP in 1A4ai.
    // 1A5a is IE in 1A4ai, whose NH3 is NE.
    let d = Dir::new();
    let example = repo().join("inventories/example");
    let (code, f) = check_json(&d, &[example.to_str().unwrap()]);
    assert_eq!(code, 0, "{f:#?}");
    assert!(with_check(&f, "consistency.pm-order").is_empty());
    // 2022 against 2005: 1A4ai liquid fuels 4 000 → 1 500 TJ (× 0.38) is a break.
    assert!(
        with_check(&f, "time-series.activity-break")
            .iter()
            .any(|x| x["cell"] == "AF39"
                && x["year"] == 2022
                && x["message"].as_str().unwrap().contains("× 0.38"))
    );
    let ie = with_check(&f, "notation-key.ie-target");
    assert_eq!(ie.len(), 2);
    assert_eq!(ie[0]["cell"], "H46");
    assert!(
        ie[0]["message"]
            .as_str()
            .unwrap()
            .contains("included in 1A4ai by inventory.toml, but 1A4ai NH3 (H39) is NE"),
        "{}",
        ie[0]
    );
    // The compiled example is complete and its totals add up.
    for id in [
        "completeness.empty",
        "sum.national-total",
        "sum.pah",
        "sum.compliance",
    ] {
        assert!(with_check(&f, id).is_empty(), "{id}: {f:#?}");
    }
}

#[test]
fn unreadable_input_exits_2() {
    let d = Dir::new();
    let out = d.airinv().args(["check", "nothing-here"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing-here: does not exist"));
    d.write("empty/readme.txt", "no tables here");
    let out = d.airinv().args(["check", "empty"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("neither an inventory folder nor an output folder")
    );
}
