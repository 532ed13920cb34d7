//! `airinv compare`: changes against protocol base years computed by hand
//! from the table cells, commitments, scenarios, the total used, the picture.

use crate::harness::{Dir, annex_cell, csv_rows, dec, repo};
use rust_decimal::Decimal;

fn compile_example(d: &Dir) {
    let example = repo().join("inventories/example");
    d.airinv()
        .args([
            "compile",
            example.to_str().unwrap(),
            "--out",
            "out",
            "--reporting-date",
            "15.02.2024",
        ])
        .assert()
        .success();
}

/// The CSV output of compare, as rows keyed by pollutant.
fn compare_csv(d: &Dir, args: &[&str]) -> Vec<Vec<String>> {
    let out = d
        .airinv()
        .args(["compare"])
        .args(args)
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    d.write("cmp.csv", &String::from_utf8_lossy(&out.stdout));
    let (header, rows) = csv_rows(&d.path("cmp.csv"));
    assert_eq!(header[0], "pollutant");
    rows
}

fn col(rows: &[Vec<String>], pollutant: &str, index: usize) -> String {
    rows.iter()
        .find(|r| r[0] == pollutant)
        .unwrap_or_else(|| panic!("no {pollutant}"))[index]
        .clone()
}

#[test]
fn gothenburg_changes_are_computed_from_the_national_total_cells() {
    let d = Dir::new();
    compile_example(&d);
    let rows = compare_csv(&d, &["out", "--year", "2022", "--party", "BE"]);
    // Columns: pollutant,unit,protocol,total,base_year,base,year,value,change_pct,reduction_pct,ceiling,gap,status,...
    for (p, reduction) in [("SOx", "43"), ("NOx", "41"), ("NMVOC", "21")] {
        let base = dec(&annex_cell(
            &d.path("out/annex1_2005.csv"),
            "NATIONAL TOTAL",
            p,
        ));
        let value = dec(&annex_cell(
            &d.path("out/annex1_2022.csv"),
            "NATIONAL TOTAL",
            p,
        ));
        assert_eq!(col(&rows, p, 3), "NATIONAL TOTAL");
        assert_eq!(col(&rows, p, 4), "2005");
        assert_eq!(dec(&col(&rows, p, 5)), base, "{p}");
        assert_eq!(dec(&col(&rows, p, 7)), value, "{p}");
        assert_eq!(
            dec(&col(&rows, p, 8)),
            (value - base) / base * Decimal::ONE_HUNDRED,
            "{p}"
        );
        let ceiling = base * (Decimal::ONE_HUNDRED - dec(reduction)) / Decimal::ONE_HUNDRED;
        assert_eq!(col(&rows, p, 9), reduction);
        assert_eq!(dec(&col(&rows, p, 10)), ceiling, "{p}");
        assert_eq!(dec(&col(&rows, p, 11)), value - ceiling, "{p}");
        assert_eq!(
            col(&rows, p, 12),
            if value <= ceiling { "met" } else { "not met" },
            "{p}"
        );
    }
    // Belgium's NH3 and PM2.5 commitments are not verified: unknown, not guessed.
    assert_eq!(col(&rows, "NH3", 12), "commitment unknown");
    assert_eq!(col(&rows, "NH3", 10), "");
    // Heavy metals and POPs: no 1990 in this series.
    assert_eq!(col(&rows, "Pb", 12), "cannot compare");
    assert!(col(&rows, "Pb", 13).contains("1990 is not in the time series"));
}

#[test]
fn a_ratification_scenario_sets_the_commitments() {
    let d = Dir::new();
    compile_example(&d);
    d.write(
        "what-if.csv",
        "pollutant,reduction_pct\nSO2,50\nNH3,5\nPb,\n",
    );
    let rows = compare_csv(
        &d,
        &["out", "--year", "2022", "--commitments", "what-if.csv"],
    );
    let base = dec(&annex_cell(
        &d.path("out/annex1_2005.csv"),
        "NATIONAL TOTAL",
        "NH3",
    ));
    let value = dec(&annex_cell(
        &d.path("out/annex1_2022.csv"),
        "NATIONAL TOTAL",
        "NH3",
    ));
    assert_eq!(dec(&col(&rows, "NH3", 10)), base * dec("0.95"));
    // NH3 rose: the 5 % cut is not met and the gap is what is left to cut.
    assert!(value > base * dec("0.95"));
    assert_eq!(col(&rows, "NH3", 12), "not met");
    assert_eq!(dec(&col(&rows, "NH3", 11)), value - base * dec("0.95"));
    assert_eq!(col(&rows, "SOx", 9), "50");
    // No Party given: NOx has no commitment.
    assert_eq!(col(&rows, "NOx", 12), "commitment unknown");
    // The same in TOML.
    d.write(
        "what-if.toml",
        "[[commitment]]\npollutant = \"NH3\"\nreduction_pct = 5\n",
    );
    let rows = compare_csv(
        &d,
        &["out", "--year", "2022", "--commitments", "what-if.toml"],
    );
    assert_eq!(dec(&col(&rows, "NH3", 10)), base * dec("0.95"));
}

#[test]
fn bad_requests_get_clear_messages() {
    let d = Dir::new();
    compile_example(&d);
    let run = |args: &[&str]| {
        let out = d.airinv().arg("compare").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    assert!(
        run(&["out", "--year", "2019"])
            .contains("the time series has no 2019 (its years: 2005, 2022)")
    );
    // A base year outside the series, what-if or not, is refused, saying
    // what the series has (and the message starts with the problem, no
    // empty field before it).
    let e = run(&["out", "--year", "2022", "--base", "1984"]);
    assert!(
        e.starts_with(
            "error: the base year 1984 is not in the time series (its years: 2005, 2022)"
        ),
        "{e}"
    );
    assert!(
        run(&["out", "--year", "2022", "--base", "1990"])
            .contains("the base year 1990 is not in the time series")
    );
    d.write("bad.csv", "pollutant,reduction_pct\nCO2,10\n");
    let e = run(&["out", "--year", "2022", "--commitments", "bad.csv"]);
    assert!(
        e.contains("bad.csv, row 2") && e.contains("'CO2' is not a pollutant"),
        "{e}"
    );
    d.write("bad2.csv", "pollutant,reduction_pct\nCO,10\n");
    assert!(
        run(&["out", "--year", "2022", "--commitments", "bad2.csv"])
            .contains("not covered by a protocol commitment")
    );
}

#[test]
fn a_notation_key_in_the_base_year_is_said_not_computed() {
    let d = Dir::new();
    compile_example(&d);
    // Make the 2005 national total of SOx a key.
    let text = d.read("out/annex1_2005.csv");
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    for l in lines.iter_mut().filter(|l| l.starts_with("141,")) {
        let mut cells: Vec<String> = l.split(',').map(String::from).collect();
        cells[6] = "NE".into(); // SOx
        *l = cells.join(",");
    }
    d.write("out/annex1_2005.csv", &(lines.join("\n") + "\n"));
    let rows = compare_csv(&d, &["out", "--year", "2022", "--party", "BE"]);
    assert_eq!(col(&rows, "SOx", 12), "cannot compare");
    assert_eq!(col(&rows, "SOx", 13), "2005 is NE, not a number");
    assert_eq!(col(&rows, "SOx", 8), "");
}

#[test]
fn the_compliance_total_is_used_when_road_transport_is_reported_on_fuel_used() {
    let d = Dir::new();
    d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit\n\
         2005,1A3bi,Petrol,Passenger cars,1000,t\n2005,1A3bi(fu),Petrol,Passenger cars,800,t\n\
         2022,1A3bi,Petrol,Passenger cars,900,t\n2022,1A3bi(fu),Petrol,Passenger cars,700,t\n",
    );
    d.airinv()
        .args(["compile", "a.csv", "--out", "out"])
        .assert()
        .success();
    let rows = compare_csv(&d, &["out", "--year", "2022", "--party", "BE"]);
    assert_eq!(col(&rows, "NOx", 3), "COMPLIANCE TOTAL (CLRTAP)");
    // Compliance = national total + (fuel used − fuel sold) = the fuel-used rows here.
    let fu_2022 = dec(&annex_cell(
        &d.path("out/annex1_2022.csv"),
        "1A3bi(fu)",
        "NOx",
    ));
    let fu_2005 = dec(&annex_cell(
        &d.path("out/annex1_2005.csv"),
        "1A3bi(fu)",
        "NOx",
    ));
    assert_eq!(dec(&col(&rows, "NOx", 7)), fu_2022);
    assert_eq!(dec(&col(&rows, "NOx", 5)), fu_2005);
    // 1.A.3.b.i petrol: 3.98 g NOx/kg → 700 t × 3.98 kg/t = 2.786 t = 0.002786 kt.
    assert_eq!(fu_2022, dec("0.002786"));
}

#[test]
fn sector_shares_add_up_to_the_whole_change() {
    let d = Dir::new();
    compile_example(&d);
    let out = d
        .airinv()
        .args([
            "compare", "out", "--year", "2022", "--party", "BE", "--by", "nfr", "--format", "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for p in ["SOx", "NOx", "NH3", "NMVOC", "PM2.5"] {
        let sectors: Vec<&serde_json::Value> = v["sectors"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["pollutant"] == p)
            .collect();
        let change: Decimal = sectors
            .iter()
            .map(|s| dec(s["change"].as_str().unwrap()))
            .sum();
        let line = v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["pollutant"] == p)
            .unwrap();
        let total_change =
            dec(line["value"].as_str().unwrap()) - dec(line["base"].as_str().unwrap());
        // Exact, except where an NCV division (1A4cii diesel in TJ) was
        // carried to 28 significant digits: then within the 28th digit.
        assert!(
            (change - total_change).abs() < dec("0.00000000000000000001"),
            "{p}: {change} vs {total_change}"
        );
        let shares: Decimal = sectors
            .iter()
            .filter_map(|s| s["share_pct"].as_str())
            .map(dec)
            .sum();
        assert!(
            (shares - Decimal::ONE_HUNDRED).abs() < dec("0.000000000000000001"),
            "{p}: {shares}"
        );
    }
}

#[test]
fn the_picture_shows_every_protocol_pollutant_with_its_lines() {
    let d = Dir::new();
    compile_example(&d);
    d.airinv()
        .args([
            "compare",
            "out",
            "--year",
            "2022",
            "--party",
            "BE",
            "--plot",
            "picture.svg",
        ])
        .assert()
        .success();
    let svg = d.read("picture.svg");
    assert!(svg.starts_with("<svg"));
    for p in [
        "SOx", "NOx", "NH3", "NMVOC", "PM2.5", "Pb", "Cd", "Hg", "PAH1-4", "PCDD/F", "HCB",
    ] {
        assert!(svg.contains(&format!("data-pollutant=\"{p}\"")), "{p}");
    }
    // Belgium has SO2, NOx, VOC commitments: three ceiling lines; five base-year lines.
    assert_eq!(svg.matches("class=\"ceiling\"").count(), 3);
    assert_eq!(svg.matches("class=\"base\"").count(), 5);
    assert!(svg.contains("commitment -43 % of 2005"));
    if cfg!(feature = "png") {
        d.airinv()
            .args(["compare", "out", "--year", "2022", "--plot", "picture.png"])
            .assert()
            .success();
        let png = std::fs::read(d.path("picture.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}

#[test]
fn past_submissions_and_compiled_years_make_one_series() {
    let d = Dir::new();
    compile_example(&d);
    // A past submission with 2005 and 2022, and an inventory that compiles 2022 only.
    std::fs::create_dir_all(d.path("inv/past")).unwrap();
    std::fs::copy(
        d.path("out/annex1_2005.csv"),
        d.path("inv/past/annex1_2005.csv"),
    )
    .unwrap();
    std::fs::copy(
        d.path("out/annex1_2005.csv"),
        d.path("inv/past/annex1_2022.csv"),
    )
    .unwrap();
    d.write(
        "inv/a.csv",
        "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,10000,TJ\n",
    );
    d.write(
        "inv/inventory.toml",
        "country = \"BE\"\nyears = [2022]\nactivity = [\"a.csv\"]\nhistory = [\"past\"]\n",
    );
    let out = d
        .airinv()
        .args(["compare", "inv", "--year", "2022"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("2005: imported from"), "{text}");
    assert!(
        text.contains("2022: compiled from the activity data")
            && text.contains("replaces the imported year"),
        "{text}"
    );
    let rows = compare_csv(&d, &["inv", "--year", "2022"]);
    // 2022 is the compiled 1A1a natural gas alone: 0.89 kt NOx; 2005 the imported total.
    assert_eq!(col(&rows, "NOx", 7), "0.89");
    assert_eq!(
        dec(&col(&rows, "NOx", 5)),
        dec(&annex_cell(
            &d.path("out/annex1_2005.csv"),
            "NATIONAL TOTAL",
            "NOx"
        ))
    );
    // The country of the inventory chose Belgium's commitments.
    assert_eq!(col(&rows, "NOx", 9), "41");
}

#[test]
fn the_trend_table_puts_every_year_side_by_side() {
    let d = Dir::new();
    compile_example(&d);
    let (header, rows) = csv_rows(&d.path("out/annex1_trend.csv"));
    assert_eq!(header, ["pollutant", "unit", "2005", "2022"]);
    assert_eq!(rows.len(), 26);
    for r in &rows {
        for (i, year) in ["2005", "2022"].iter().enumerate() {
            assert_eq!(
                r[2 + i],
                annex_cell(
                    &d.path(&format!("out/annex1_{year}.csv")),
                    "NATIONAL TOTAL",
                    &r[0]
                )
            );
        }
    }
    use calamine::{Reader, open_workbook_auto};
    let wb = open_workbook_auto(d.path("out/annex1.xlsx")).unwrap();
    assert_eq!(wb.sheet_names().last().map(String::as_str), Some("Trend"));
}

/// A pollutant's compliance total (CLRTAP) of a Wallonia sheet, by hand from
/// its cells: Σ rows 14-140 + Σ fuel-used rows 143-149 − Σ rows 27-33
/// (1A3bi-1A3bvii), the file having no adjustments (row 151 is empty).
fn wallonia_compliance(range: &calamine::Range<calamine::Data>, column: u32) -> Decimal {
    let cell = |row: u32| match range.get_value((row - 1, column)) {
        Some(calamine::Data::Float(f)) => airinv::number::from_excel(*f).unwrap(),
        Some(calamine::Data::Int(i)) => Decimal::from(*i),
        _ => Decimal::ZERO,
    };
    let sectors: Decimal = (14..=140).map(cell).sum();
    let fuel_used: Decimal = (143..=149).map(cell).sum();
    let road_sold: Decimal = (27..=33).map(cell).sum();
    assert!(
        matches!(
            range.get_value((150, column)),
            None | Some(calamine::Data::Empty)
        ),
        "row 151 empty"
    );
    sectors + fuel_used - road_sold
}

#[test]
fn wallonia_changes_are_the_hand_computed_changes_of_its_compliance_total() {
    use calamine::{Reader, open_workbook_auto};
    let fixture = crate::harness::wallonia();
    let d = Dir::new();
    let rows = compare_csv(
        &d,
        &[
            fixture.to_str().unwrap(),
            "--year",
            "2019",
            "--party",
            "BE",
            "--plot",
            "wallonia.svg",
        ],
    );
    let mut wb = open_workbook_auto(&fixture).unwrap();
    let mut sheet = |y: &str| wb.worksheet_range(y).unwrap();
    let (s1990, s2005, s2019) = (sheet("1990"), sheet("2005"), sheet("2019"));
    // Columns: E NOx (4), G SOx (6), N Pb (13), W PCDD/F (22).
    for (p, column, base_sheet, base_year) in [
        ("NOx", 4, &s2005, "2005"),
        ("SOx", 6, &s2005, "2005"),
        ("Pb", 13, &s1990, "1990"),
        ("PCDD/F", 22, &s1990, "1990"),
    ] {
        // Wallonia reports road transport on fuel used: the compliance total is used.
        assert_eq!(col(&rows, p, 3), "COMPLIANCE TOTAL (CLRTAP)", "{p}");
        assert_eq!(col(&rows, p, 4), base_year);
        let base = wallonia_compliance(base_sheet, column);
        let value = wallonia_compliance(&s2019, column);
        assert_eq!(dec(&col(&rows, p, 5)), base, "{p} base");
        assert_eq!(dec(&col(&rows, p, 7)), value, "{p} 2019");
        assert_eq!(
            dec(&col(&rows, p, 8)),
            (value - base) / base * Decimal::ONE_HUNDRED,
            "{p} change"
        );
    }
    // 2019 NOx: 64.877829449142220201 kt national total, 63.489391913063170221 kt on fuel used.
    assert_eq!(col(&rows, "NOx", 7), "63.489391913063170221");
    // Belgium's NOx commitment: -41 % of 2005; Pb must stay below 1990.
    assert_eq!(col(&rows, "NOx", 9), "41");
    assert_eq!(col(&rows, "Pb", 12), "met");
    let svg = d.read("wallonia.svg");
    assert_eq!(svg.matches("class=\"panel\"").count(), 11);
    assert_eq!(
        svg.matches("<circle").count(),
        11 * 30,
        "one dot per year and pollutant"
    );
}

#[test]
fn any_year_of_the_series_is_a_labelled_what_if_base_for_every_protocol() {
    let d = Dir::new();
    compile_example(&d);
    let out = d
        .airinv()
        .args([
            "compare", "out", "--year", "2022", "--base", "2005", "--party", "BE", "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let line = |p: &str| {
        v["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["pollutant"] == p)
            .unwrap()
            .clone()
    };
    // Gothenburg on 2005: its own base year; Heavy Metals on 2005: a what-if.
    assert_eq!(line("SOx")["what_if"], serde_json::Value::Null);
    assert_eq!(line("SOx")["commitment"]["of"], "Party BE");
    let pb = line("Pb");
    assert_eq!(pb["base_year"], 2005);
    assert_eq!(pb["protocol_base_year"], 1990);
    assert!(pb["what_if"].as_str().unwrap().starts_with("what-if"));
    // The table says it beside the year.
    let out = d
        .airinv()
        .args(["compare", "out", "--year", "2022", "--base", "2005"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Heavy Metals       2005 what-if"), "{text}");
    assert!(
        text.contains("Heavy Metals: base year 2005 is a what-if (the Protocol's base year: 1990"),
        "{text}"
    );
}
