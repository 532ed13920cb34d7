//! `airinv import` and the Annex I workbook: the Wallonia fixture read cell
//! by cell, round trips, the template's positions and texts, compliance
//! totals on the fixture, and bad workbooks.

use crate::harness::{Dir, annex_cell, csv_rows, dec, repo};
use airinv::annex1::{Annex1Year, Header};
use airinv::notation_key::{Cell, NotationKey};
use airinv::number::{format_decimal, from_excel, parse_decimal};
use airinv::pollutant::Pollutant;
use calamine::{Data, Reader, Xlsx, open_workbook, open_workbook_auto};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

/// The template letters of the 32 value columns (E-AD, AF-AK) and AL, with
/// the CSV column of each.
fn value_columns() -> Vec<(&'static str, String)> {
    let mut v: Vec<(&'static str, String)> = Pollutant::ALL
        .iter()
        .map(|p| (p.column(), p.id().to_string()))
        .collect();
    for (letter, name) in [
        ("AF", "liquid_fuels_tj"),
        ("AG", "solid_fuels_tj"),
        ("AH", "gaseous_fuels_tj"),
        ("AI", "biomass_tj"),
        ("AJ", "other_fuels_tj"),
        ("AK", "other_activity"),
        ("AL", "other_activity_unit"),
    ] {
        v.push((letter, name.to_string()));
    }
    v
}

fn col(letters: &str) -> u32 {
    u32::from(airinv::annex1::column_index(letters))
}

/// A workbook cell as the CSV must carry it, read here on its own: numbers
/// through the audited conversion, texts trimmed (keys, numbers stored as
/// text), nothing as nothing.
fn expected_text(v: &Data) -> String {
    match v {
        Data::Empty => String::new(),
        Data::Float(f) => format_decimal(from_excel(*f).unwrap()),
        Data::Int(i) => i.to_string(),
        Data::String(s) => {
            let t = s.trim();
            if t.is_empty() || NotationKey::parse(t).is_some() {
                t.to_string()
            } else {
                format_decimal(parse_decimal(t).unwrap_or_else(|e| panic!("{t}: {e}")))
            }
        }
        other => panic!("unexpected cell {other:?}"),
    }
}

#[test]
fn import_reproduces_every_number_and_key_of_every_year_sheet_of_the_fixture() {
    let fixture = crate::harness::wallonia();
    let d = Dir::new();
    let out = d
        .airinv()
        .args(["import", fixture.to_str().unwrap(), "--out", "out"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    // 30 sheets × 147 rows × 32 value cells, counted on their own with openpyxl too.
    assert!(
        stdout.contains("cells read 141120 = numbers 38810 + keys 94836 + empty 7474"),
        "{stdout}"
    );
    // The seven stray numbers of sheet 2019 above the table are listed as
    // one block, not lost silently.
    assert!(
        stderr.contains("sheet 2019, cell E8: row 8 above the table's header rows holds 7 values (E8:K8): not part of the template's table, ignored"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("skipped:").count(), 1, "{stderr}");
    // The run record names the workbook by its BLAKE3 and carries the same
    // counts and the block not read.
    let record: serde_json::Value = serde_json::from_str(&d.read("out/run.json")).unwrap();
    assert_eq!(record["command"], "import");
    assert_eq!(
        record["workbook"]["blake3"],
        airinv::digest::file(&fixture).unwrap()
    );
    assert_eq!(record["cells"]["read"], 141120);
    assert_eq!(record["cells"]["numbers"], 38810);
    assert_eq!(record["years"].as_array().unwrap().len(), 30);
    assert_eq!(record["not_read"].as_array().unwrap().len(), 1);
    assert!(
        stderr.contains("sheet 1991, cell AK54: a number stored as text ('118454.36')"),
        "{stderr}"
    );

    // Every cell of every year sheet, read independently by fixed positions.
    let mut wb = open_workbook_auto(&fixture).unwrap();
    let names = wb.sheet_names().to_vec();
    assert_eq!(names.len(), 30);
    let columns = value_columns();
    let mut compared = 0usize;
    let mut numbers = 0usize;
    for name in &names {
        let ws = wb.worksheet_range(name).unwrap();
        let cell = |r: u32, c: u32| ws.get_value((r - 1, c)).cloned().unwrap_or(Data::Empty);
        let year = match cell(6, 1) {
            Data::Float(f) => f as i32,
            other => panic!("{name}: B6 {other:?}"),
        };
        assert_eq!(name, &year.to_string());
        let (header, rows) = csv_rows(&d.path(&format!("out/annex1_{year}.csv")));
        let by_code: BTreeMap<&str, &Vec<String>> =
            rows.iter().map(|r| (r[2].as_str(), r)).collect();
        let mut codes = 0;
        for r in 14..=164u32 {
            let code = match cell(r, 1) {
                Data::String(s) if !s.trim().is_empty() => s.trim().to_string(),
                _ => continue,
            };
            codes += 1;
            let row = by_code
                .get(code.as_str())
                .unwrap_or_else(|| panic!("{name} {code}: not in the CSV"));
            assert_eq!(row[0], r.to_string(), "{name} {code}: template row");
            for (letter, csv_name) in &columns {
                let i = header.iter().position(|h| h == csv_name).unwrap();
                let v = cell(r, col(letter));
                let want = if *letter == "AL" {
                    match &v {
                        Data::String(s) => s.clone(),
                        Data::Empty => String::new(),
                        other => panic!("{other:?}"),
                    }
                } else {
                    expected_text(&v)
                };
                if matches!(v, Data::Float(_)) {
                    numbers += 1;
                }
                assert_eq!(row[i], want, "{name}!{letter}{r} ({code} {csv_name})");
                compared += 1;
            }
        }
        assert_eq!(codes, 147, "{name}");
    }
    assert_eq!(compared, 30 * 147 * 33);
    assert!(numbers > 38_000, "{numbers}");
    // A few cells by hand (sheet 2019): G14 is the double 0.30310896000000004.
    let csv = d.path("out/annex1_2019.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "SOx"), "0.30310896000000004");
    assert_eq!(annex_cell(&csv, "1A1a", "liquid_fuels_tj"), "60.527");
    assert_eq!(annex_cell(&csv, "1A1a", "solid_fuels_tj"), "0");
    assert_eq!(annex_cell(&csv, "1A1b", "NOx"), "");
    assert_eq!(annex_cell(&csv, "1A1b", "NH3"), "NE");
    assert_eq!(annex_cell(&csv, "11C", "PM2.5"), "NR");
    assert_eq!(
        annex_cell(&csv, "NATIONAL TOTAL", "NOx"),
        "64.8778294491422"
    );
    assert_eq!(
        annex_cell(&csv, "1A3bii(fu)", "Cd"),
        "0.00001824399560320852"
    );
    assert_eq!(
        annex_cell(&csv, "1A3bvi(fu)", "other_activity_unit"),
        "Mileage [10^6 km]"
    );
    assert_eq!(annex_cell(&csv, "COMPLIANCE TOTAL (CLRTAP)", "NOx"), "");
}

#[test]
fn the_fixture_header_blocks_are_read() {
    let fixture = crate::harness::wallonia();
    let book = airinv::workbook::read(&fixture).unwrap();
    assert_eq!(book.years.len(), 30);
    assert!(book.other_sheets.is_empty());
    let y = &book.years[29];
    assert_eq!(y.sheet, "2019");
    assert_eq!(y.template_version, "NFR 2019-1");
    assert_eq!(
        y.table.header,
        Header {
            country: "BEW".into(),
            reporting_date: "2021".into(),
            year: 2019,
            version: String::new(),
        }
    );
    // Where each table cell is, for findings.
    assert_eq!(
        y.cells
            .cell(27, airinv::workbook::Column::Pollutant(Pollutant::NH3))
            .as_deref(),
        Some("H27")
    );
    let at = y
        .cells
        .location("1A3bi", airinv::workbook::Column::Pollutant(Pollutant::NH3))
        .unwrap();
    assert!(at.to_string().ends_with("sheet 2019, cell H27"), "{at}");
    let years: Vec<i32> = book.years.iter().map(|y| y.table.header.year).collect();
    assert_eq!(years, (1990..=2019).collect::<Vec<_>>());
}

#[test]
fn the_fixture_round_trips_through_the_written_workbook_without_loss() {
    let fixture = crate::harness::wallonia();
    let d = Dir::new();
    d.airinv()
        .args(["import", fixture.to_str().unwrap(), "--out", "one"])
        .assert()
        .success();
    // The workbook airinv wrote, read again: the same CSVs, byte for byte.
    d.airinv()
        .args(["import", "one/annex1.xlsx", "--out", "two"])
        .assert()
        .success();
    for year in 1990..=2019 {
        let f = format!("annex1_{year}.csv");
        assert_eq!(
            d.read(&format!("one/{f}")),
            d.read(&format!("two/{f}")),
            "{f}"
        );
    }
    // And the tables, headers included, are equal.
    let first = airinv::workbook::read(&fixture).unwrap();
    let second = airinv::workbook::read(&d.path("one/annex1.xlsx")).unwrap();
    assert_eq!(first.years.len(), second.years.len());
    for (a, b) in first.years.iter().zip(&second.years) {
        assert_eq!(a.table, b.table, "sheet {}", a.sheet);
        assert_eq!(a.counts, b.counts, "sheet {}", a.sheet);
    }
    assert!(second.skipped.is_empty() && second.notes.is_empty());
}

/// The fixed texts of the fixture's sheet 2019: every text cell of the
/// header rows (1-13), of columns A-D and of the notes, except the
/// country's own values (B4, B5, B7, A10).
fn template_texts(path: &Path, sheet: &str) -> BTreeMap<(u32, u32), String> {
    let mut wb = open_workbook_auto(path).unwrap();
    let ws = wb.worksheet_range(sheet).unwrap();
    let mut out = BTreeMap::new();
    for (r, c, v) in ws.used_cells() {
        let (r, c) = (r as u32 + 1, c as u32);
        let Data::String(s) = v else { continue };
        if (r > 13 && c > 3) || [(4, 1), (5, 1), (7, 1), (10, 0)].contains(&(r, c)) {
            continue;
        }
        out.insert((r, c), s.clone());
    }
    out
}

#[test]
fn a_compiled_workbook_has_the_template_texts_positions_and_merges_of_the_fixture() {
    let fixture = crate::harness::wallonia();
    let d = Dir::new();
    let example = repo().join("inventories/example");
    d.airinv()
        .args(["compile", example.to_str().unwrap(), "--out", "out"])
        .assert()
        .success();
    let want = template_texts(&fixture, "2019");
    // Title, version, header block labels and hints, rows 10-13, and columns
    // A-D of rows 14-170 (GNFR, code, long name, note marker, memo heading, notes).
    assert_eq!(want.len(), 533);
    let got = template_texts(&d.path("out/annex1.xlsx"), "2022");
    for ((r, c), text) in &want {
        let at = format!("{}{r}", airinv::error::column_letters(*c as usize));
        assert_eq!(got.get(&(r.to_owned(), *c)), Some(text), "cell {at}");
    }
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the written sheet has texts where the template has none"
    );
    // The same merged ranges.
    let merges = |p: &Path, sheet: &str| {
        let mut wb: Xlsx<_> = open_workbook(p).unwrap();
        let mut m: Vec<_> = wb
            .merge_cells_by_sheet_name(sheet)
            .unwrap()
            .iter()
            .map(|d| (d.start, d.end))
            .collect();
        m.sort();
        m
    };
    let template_merges = merges(&fixture, "2019");
    assert_eq!(template_merges.len(), 15);
    assert_eq!(merges(&d.path("out/annex1.xlsx"), "2022"), template_merges);
}

#[test]
fn a_compiled_workbook_reads_back_with_the_same_values_and_keys() {
    let d = Dir::new();
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
    let source = airinv::Source::open_activity(&example).unwrap();
    let compiled = airinv::compute(
        source.inventory().unwrap(),
        &airinv::CompileOptions {
            reporting_date: Some("15.02.2024".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let book = airinv::workbook::read(&d.path("out/annex1.xlsx")).unwrap();
    assert_eq!(book.years.len(), 2);
    assert!(book.skipped.is_empty(), "{:?}", book.skipped);
    let (mut exact, mut rounded) = (0, 0);
    for (read, made) in book.years.iter().zip(&compiled.tables) {
        assert_eq!(read.table.header, made.header);
        for (number, cells) in &made.rows {
            let back = &read.table.rows[number];
            assert_eq!(back.other_activity_unit, cells.other_activity_unit);
            let pairs = cells
                .pollutants
                .iter()
                .chain(&cells.fuels)
                .chain([&cells.other_activity])
                .zip(
                    back.pollutants
                        .iter()
                        .chain(&back.fuels)
                        .chain([&back.other_activity]),
                );
            for (made_cell, read_cell) in pairs {
                match made_cell {
                    // A workbook cell is a double: a decimal of up to 15
                    // significant digits comes back exactly; a longer one
                    // (a 28-digit quotient) as the double nearest to it,
                    // that is the decimal of the double's shortest text
                    // (the standard library's parsing and `{:e}`, not
                    // airinv's conversion under test).
                    Cell::Number(v) => {
                        let double: f64 = v.to_string().parse().unwrap();
                        let via_double = Decimal::from_scientific(&format!("{double:e}")).unwrap();
                        assert_eq!(*read_cell, Cell::Number(via_double), "row {number}");
                        if via_double == *v {
                            exact += 1;
                        } else {
                            rounded += 1;
                            let rel = ((via_double - *v) / *v).abs();
                            assert!(rel < dec("0.000000000000001"), "{v} {via_double}");
                        }
                    }
                    other => assert_eq!(read_cell, other, "row {number}"),
                }
            }
        }
    }
    assert!(exact > 100, "{exact} exact, {rounded} rounded");
}

/// A small valid workbook in the template layout, written by airinv,
/// with `change` applied to sheet 2019 afterwards.
fn template_workbook(
    d: &Dir,
    name: &str,
    change: impl FnOnce(&mut rust_xlsxwriter::Worksheet) -> Result<(), rust_xlsxwriter::XlsxError>,
) -> std::path::PathBuf {
    let mut y = Annex1Year::empty(Header {
        country: "XX".into(),
        reporting_date: "15.02.2024".into(),
        year: 2019,
        version: "v1.0".into(),
    });
    y.row_mut("1A1a")
        .unwrap()
        .set(Pollutant::NOx, Cell::Number(dec("3.29811832")));
    y.row_mut("1A1a")
        .unwrap()
        .set(Pollutant::NH3, Cell::Key(NotationKey::NE));
    let path = d.path(name);
    airinv::annex1::write_xlsx(&path, &[y], |wb| {
        let ws = wb.worksheet_from_name("2019")?;
        change(ws)
    })
    .unwrap();
    path
}

/// Runs `airinv import` and returns (exit code, stderr).
fn import_fails(d: &Dir, file: &str) -> (Option<i32>, String) {
    let out = d
        .airinv()
        .args(["import", file, "--out", "out"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_small_template_workbook_reads_its_values_keys_and_empty_cells() {
    let d = Dir::new();
    template_workbook(&d, "ok.xlsx", |ws| {
        // A stray space after a code, as compilers leave them.
        ws.write_string(22, 1, "1A2gvii ")?;
        ws.write_number(22, 5, 0.125)?;
        Ok(())
    });
    d.airinv()
        .args(["import", "ok.xlsx", "--out", "out"])
        .assert()
        .success()
        .stdout(predicates::str::contains(
            "sheet 2019 (NFR 2019-1): year 2019, 4704 cells = 2 numbers + 1 keys + 4701 empty",
        ));
    let csv = d.path("out/annex1_2019.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "3.29811832");
    assert_eq!(annex_cell(&csv, "1A1a", "NH3"), "NE");
    assert_eq!(annex_cell(&csv, "1A1a", "SOx"), "");
    assert_eq!(annex_cell(&csv, "1A2gvii", "NMVOC"), "0.125");
    // Totals are as the file has them (here none): import computes nothing.
    assert_eq!(annex_cell(&csv, "NATIONAL TOTAL", "NOx"), "");
}

#[test]
fn a_text_that_is_neither_number_nor_key_is_named_by_sheet_and_cell() {
    let d = Dir::new();
    template_workbook(&d, "bad.xlsx", |ws| {
        ws.write_string(26, 7, "n/a")?;
        Ok(())
    });
    // Read as empty and reported: written, with findings (exit 1).
    let (code, stderr) = import_fails(&d, "bad.xlsx");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("unreadable: bad.xlsx, sheet 2019, cell H27: 'n/a' is neither a number nor a notation key (NO, NE, NA, IE, C, NR)"),
        "{stderr}"
    );
    assert_eq!(
        annex_cell(&d.path("out/annex1_2019.csv"), "1A3bi", "NH3"),
        ""
    );
    assert_eq!(
        annex_cell(&d.path("out/annex1_2019.csv"), "1A1a", "NOx"),
        "3.29811832"
    );
}

#[test]
fn a_missing_code_or_column_is_named() {
    let d = Dir::new();
    template_workbook(&d, "nocode.xlsx", |ws| {
        ws.clear_cell(17, 1);
        Ok(())
    });
    // Each is read around, reported, and makes the exit code 1.
    let (code, stderr) = import_fails(&d, "nocode.xlsx");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("error: nocode.xlsx, sheet 2019, column B: the sheet has no row for 1A2b (row 18) of NFR 2019-1"),
        "{stderr}"
    );
    template_workbook(&d, "nocolumn.xlsx", |ws| {
        ws.clear_cell(11, 28);
        Ok(())
    });
    let (code, stderr) = import_fails(&d, "nocolumn.xlsx");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("nocolumn.xlsx, sheet 2019, row 12: no column is named HCB (column AC)"),
        "{stderr}"
    );
    assert_eq!(
        annex_cell(&d.path("out/annex1_2019.csv"), "1A1a", "HCB"),
        ""
    );
    template_workbook(&d, "unit.xlsx", |ws| {
        ws.write_string(12, 13, "kg")?;
        Ok(())
    });
    let (code, stderr) = import_fails(&d, "unit.xlsx");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "sheet 2019, cell N13: the unit of Pb is 'kg' but the template reports Pb in t; the column is not read"
        ),
        "{stderr}"
    );
    // The same mass under another name is the template's unit.
    template_workbook(&d, "gg.xlsx", |ws| {
        ws.write_string(12, 4, "Gg")?;
        Ok(())
    });
    let (code, stderr) = import_fails(&d, "gg.xlsx");
    assert_eq!(code, Some(0), "{stderr}");
    // Read as kt, not converted: the value written, 3.29811832 (kt).
    assert_eq!(
        dec(&annex_cell(&d.path("out/annex1_2019.csv"), "1A1a", "NOx")),
        dec("3.29811832")
    );
    template_workbook(&d, "twice.xlsx", |ws| {
        ws.write_string(19, 1, "1A1a")?;
        Ok(())
    });
    let (code, stderr) = import_fails(&d, "twice.xlsx");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("sheet 2019, cell B20: 1A1a is also on row 14"),
        "{stderr}"
    );
}

#[test]
fn a_value_in_a_row_that_is_not_a_template_row_is_listed_and_the_exit_code_says_so() {
    let d = Dir::new();
    template_workbook(&d, "extra.xlsx", |ws| {
        ws.write_string(141, 1, "1A3bviii")?;
        ws.write_number(141, 4, 2.5)?;
        Ok(())
    });
    let out = d
        .airinv()
        .args(["import", "extra.xlsx", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("skipped: extra.xlsx, sheet 2019, cell E142: '1A3bviii' is not an NFR code"),
        "{stderr}"
    );
    // The rest is written.
    assert_eq!(
        annex_cell(&d.path("out/annex1_2019.csv"), "1A1a", "NOx"),
        "3.29811832"
    );
    // compare reads the rest and says what it could not place.
    let source = airinv::Source::open(&d.path("extra.xlsx")).unwrap();
    let (years, notes) = (source.tables().unwrap().years, source.notes());
    assert_eq!(years.len(), 1);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("cell E142: '1A3bviii' is not an NFR code")),
        "{notes:?}"
    );
}

#[test]
fn workbooks_that_are_not_annex_i_templates_are_refused_plainly() {
    let d = Dir::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("Data").unwrap();
    ws.write_string(0, 0, "year").unwrap();
    ws.write_number(1, 0, 2019).unwrap();
    wb.save(d.path("data.xlsx")).unwrap();
    let (code, stderr) = import_fails(&d, "data.xlsx");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("data.xlsx: is not an Annex I workbook: no sheet holds an Annex I table (a column of NFR codes under an 'NFR Code' header, pollutant columns named NOx (as NO2) ... PCBs, as in rows 12-13 of NFR 2019-1): sheet 'Data': no 'NFR Code' header cell and no column of NFR codes"),
        "{stderr}"
    );
    // Corrupt: not a zip container.
    d.write("corrupt.xlsx", "this is not a workbook");
    let (code, stderr) = import_fails(&d, "corrupt.xlsx");
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("corrupt.xlsx: is not an xlsx workbook"),
        "{stderr}"
    );
    // Truncated: the first half of a real workbook.
    let good = template_workbook(&d, "good.xlsx", |_| Ok(()));
    let bytes = std::fs::read(&good).unwrap();
    std::fs::write(d.path("truncated.xlsx"), &bytes[..bytes.len() / 2]).unwrap();
    let (code, stderr) = import_fails(&d, "truncated.xlsx");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("truncated.xlsx: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    // Password protected: Excel stores those as an OLE compound file.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    std::fs::write(d.path("protected.xlsx"), ole).unwrap();
    let (code, stderr) = import_fails(&d, "protected.xlsx");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("password protected"), "{stderr}");
    // Not an xlsx file at all.
    d.write("annex.ods", "x");
    let (code, stderr) = import_fails(&d, "annex.ods");
    assert_eq!(code, Some(2));
    assert!(stderr.contains("save it as an .xlsx workbook"), "{stderr}");
}

#[test]
fn a_sheet_declaring_a_huge_range_is_read_within_bounds() {
    // A cell at XFD1048576 makes the sheet's dimension A1:XFD1048576: read
    // as one rectangle that would be 17 billion cells.
    let d = Dir::new();
    template_workbook(&d, "huge.xlsx", |ws| {
        ws.write_number(1_048_575, 16_383, 1.0)?;
        Ok(())
    });
    let started = std::time::Instant::now();
    let out = d
        .airinv()
        .args(["import", "huge.xlsx", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("sheet 2019, cell XFD1048576: 1 cell(s) lie beyond row 2000"),
        "{stderr}"
    );
    assert!(started.elapsed().as_secs() < 30);
    assert_eq!(
        annex_cell(&d.path("out/annex1_2019.csv"), "1A1a", "NOx"),
        "3.29811832"
    );
}

#[test]
fn an_older_layout_is_read_by_codes_and_column_names() {
    // An NFR 2014-2 style sheet as airinv expects it may differ: no GNFR
    // column (codes in A), pollutant columns from D, codes written with
    // dots, a sheet name with a prefix, and rows the 2019-1 layout has not.
    let d = Dir::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("NFR-14 2016").unwrap();
    ws.write_string(1, 0, "NFR 2014-2").unwrap();
    for (r, label, value) in [
        (3, "country:", "XX"),
        (4, "reporting:", "15.02.2018"),
        (5, "year:", "2016"),
        (6, "version:", "v2.0"),
    ] {
        ws.write_string(r, 0, label).unwrap();
        ws.write_string(r, 1, value).unwrap();
    }
    let t = airinv::annex1::texts();
    // Column names in row 12 and units in row 13, one column left of 2019-1.
    let shift = |letter: &str| airinv::annex1::column_index(letter) - 1;
    for (letter, name) in &t.column_names {
        ws.write_string(11, shift(letter), name).unwrap();
    }
    for p in Pollutant::ALL {
        ws.write_string(12, shift(p.column()), p.unit()).unwrap();
    }
    ws.write_string(12, 0, "NFR Code").unwrap();
    ws.write_string(12, 1, "Longname").unwrap();
    ws.write_string(13, 0, "1.A.1.a").unwrap();
    ws.write_number(13, shift("E"), 12.5).unwrap();
    ws.write_string(13, shift("H"), "NO").unwrap();
    ws.write_number(13, shift("AH"), 1000).unwrap();
    ws.write_string(13, shift("AL"), "TJ NCV").unwrap();
    ws.write_string(14, 0, "1A3bi ").unwrap();
    ws.write_number(14, shift("F"), 0.75).unwrap();
    ws.write_string(15, 0, "NATIONAL TOTAL").unwrap();
    ws.write_number(15, shift("E"), 12.5).unwrap();
    wb.save(d.path("old.xlsx")).unwrap();
    let out = d
        .airinv()
        .args(["import", "old.xlsx", "--out", "out"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(
        stdout.contains("sheet NFR-14 2016 (NFR 2014-2): year 2016"),
        "{stdout}"
    );
    // Rows the sheet does not have are left empty, and said so.
    assert!(
        stderr.contains("NFR 2014-2 has no row for 1A1b (row 15 of NFR 2019-1)"),
        "{stderr}"
    );
    let csv = d.path("out/annex1_2016.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "12.5");
    assert_eq!(annex_cell(&csv, "1A1a", "NH3"), "NO");
    assert_eq!(annex_cell(&csv, "1A1a", "gaseous_fuels_tj"), "1000");
    assert_eq!(annex_cell(&csv, "1A1a", "other_activity_unit"), "TJ NCV");
    assert_eq!(annex_cell(&csv, "1A3bi", "NMVOC"), "0.75");
    assert_eq!(annex_cell(&csv, "NATIONAL TOTAL", "NOx"), "12.5");
    assert_eq!(annex_cell(&csv, "1A1b", "NOx"), "");
    assert_eq!(annex_cell(&csv, "1A1b", "other_activity_unit"), "");
}

#[test]
fn compare_and_check_sources_accept_a_workbook() {
    let d = Dir::new();
    template_workbook(&d, "sub.xlsx", |_| Ok(()));
    let years = airinv::Source::open(&d.path("sub.xlsx"))
        .unwrap()
        .tables()
        .unwrap()
        .years;
    assert_eq!(years.len(), 1);
    assert_eq!(years[0].table.header.year, 2019);
    assert!(
        years[0].origin.ends_with("sub.xlsx, sheet 2019"),
        "{}",
        years[0].origin
    );
    assert_eq!(
        years[0].table.row("1A1a").unwrap().get(Pollutant::NOx),
        Cell::Number(dec("3.29811832"))
    );
}

/// Σ of the numbers of a column over rows, from raw workbook cells.
fn raw_sum(cell: &dyn Fn(u32, u32) -> Data, rows: &[u32], c: u32) -> (Decimal, bool) {
    let mut sum = Decimal::ZERO;
    let mut any = false;
    for r in rows {
        match cell(*r, c) {
            Data::Float(f) => {
                sum += from_excel(f).unwrap();
                any = true;
            }
            Data::String(s) if parse_decimal(&s).is_ok() => {
                sum += parse_decimal(&s).unwrap();
                any = true;
            }
            _ => {}
        }
    }
    (sum, any)
}

#[test]
fn compliance_totals_of_the_fixture_follow_notes_c_and_e() {
    let fixture = crate::harness::wallonia();
    let book = airinv::workbook::read(&fixture).unwrap();
    let mut wb = open_workbook_auto(&fixture).unwrap();
    let sectors: Vec<u32> = (14..=140).collect();
    let fuel_used: Vec<u32> = (143..=149).collect();
    let road_sold: Vec<u32> = (27..=33).collect();
    let agri: Vec<u32> = (99..=122).collect(); // 3B1a ... 3Df
    for year in [2005, 2015, 2019] {
        let ws = wb.worksheet_range(&year.to_string()).unwrap();
        let cell = |r: u32, c: u32| ws.get_value((r - 1, c)).cloned().unwrap_or(Data::Empty);
        let sheet = book
            .years
            .iter()
            .find(|y| y.table.header.year == year)
            .unwrap();
        // The imported table keeps the file's own totals: the compliance rows are empty.
        assert_eq!(
            sheet
                .table
                .row("COMPLIANCE TOTAL (CLRTAP)")
                .unwrap()
                .get(Pollutant::NOx),
            Cell::Empty
        );
        let mut computed = sheet.table.clone();
        computed.compute_totals();
        for p in Pollutant::ALL {
            let c = col(p.column());
            let (nt, _) = raw_sum(&cell, &sectors, c);
            let (fu, fu_reported) = raw_sum(&cell, &fuel_used, c);
            let (sold, _) = raw_sum(&cell, &road_sold, c);
            // (c): national total + adjustments (none here) + fuel used − fuel sold.
            let mut clrtap = nt;
            if fu_reported {
                clrtap += fu - sold;
            }
            // (e): the same, minus 3B and 3D for NOx and NMVOC in 2005 and from 2020.
            let mut necd = clrtap;
            if matches!(p, Pollutant::NOx | Pollutant::NMVOC) && year == 2005 {
                necd -= raw_sum(&cell, &agri, c).0;
            }
            let got = |code: &str| computed.row(code).unwrap().get(p);
            assert_eq!(got("NATIONAL TOTAL"), Cell::Number(nt), "{year} {p}");
            assert_eq!(
                got("COMPLIANCE TOTAL (CLRTAP)"),
                Cell::Number(clrtap),
                "{year} {p}"
            );
            assert_eq!(
                got("COMPLIANCE TOTAL (NECD)"),
                Cell::Number(necd),
                "{year} {p}"
            );
            // Excel's own SUM in row 141 agrees with the exact sum to double precision.
            if let Data::Float(f) = cell(141, c) {
                let file = from_excel(f).unwrap();
                assert!(
                    (file - nt).abs() <= nt.abs() * dec("0.0000000000001"),
                    "{year} {p}: {file} vs {nt}"
                );
            }
        }
    }
    // 2019 NOx, summed by hand (Python decimals of the cells' shortest texts):
    // Σ E14:E140 = 64.877829449142220201 (Excel's SUM in E141 shows 64.8778294491422),
    // Σ E143:E149 (fuel used) = 25.76819980306316982, Σ E27:E33 (fuel sold) =
    // 27.1566373391422198, so COMPLIANCE TOTAL (CLRTAP) = 63.489391913063170221.
    let y2019 = book
        .years
        .iter()
        .find(|y| y.table.header.year == 2019)
        .unwrap();
    let mut t = y2019.table.clone();
    t.compute_totals();
    let nox = |code: &str| t.row(code).unwrap().get(Pollutant::NOx);
    assert_eq!(
        nox("NATIONAL TOTAL"),
        Cell::Number(dec("64.877829449142220201"))
    );
    assert_eq!(
        nox("COMPLIANCE TOTAL (CLRTAP)"),
        Cell::Number(dec("63.489391913063170221"))
    );
    // 2019 is neither 2005 nor from 2020 on: NECD keeps 3B and 3D.
    assert_eq!(
        nox("COMPLIANCE TOTAL (NECD)"),
        Cell::Number(dec("63.489391913063170221"))
    );
}

#[test]
fn the_written_workbook_opens_in_libreoffice() {
    let office = ["libreoffice", "soffice"].into_iter().find(|p| {
        std::process::Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    let Some(office) = office else {
        return crate::harness::skip(
            "LibreOffice is not installed (libreoffice --headless is needed; Debian: apt-get install libreoffice-calc)",
        );
    };
    let d = Dir::new();
    let example = repo().join("inventories/example");
    d.airinv()
        .args(["compile", example.to_str().unwrap(), "--out", "out"])
        .assert()
        .success();
    let status = std::process::Command::new(office)
        .args(["--headless", "--convert-to", "csv", "--outdir"])
        .arg(d.path("lo"))
        .arg(d.path("out/annex1.xlsx"))
        .env("HOME", d.path("home"))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    // The first sheet (2005) as LibreOffice reads it: row 14 is 1A1a, row 141 NATIONAL TOTAL.
    // LibreOffice writes its CSV in the system's 8-bit encoding by default;
    // header texts span lines, so the file is read as CSV records.
    let bytes = std::fs::read(d.path("lo/annex1.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes.as_slice())
        .byte_records()
        .map(|r| {
            r.unwrap()
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect()
        })
        .collect();
    // The first sheet (2005) as LibreOffice reads it: row 14 is 1A1a, row 141 NATIONAL TOTAL.
    assert_eq!(rows[13][..2], ["A_PublicPower", "1A1a"]);
    assert_eq!(rows[140][1], "NATIONAL TOTAL");
    assert_eq!(rows[12][4], "kt");
    assert_eq!(rows[5][..2], ["year:", "2005"]);
    // A10 is the template's formula, computed by LibreOffice.
    assert!(
        rows[9][0].starts_with("XX: ") && rows[9][0].ends_with(": 2005"),
        "{:?}",
        rows[9]
    );
    // E14 holds the compiled NOx of 1A1a (LibreOffice prints it in its own format).
    let nox: f64 = rows[13][4].parse().unwrap();
    let compiled: f64 = annex_cell(&d.path("out/annex1_2005.csv"), "1A1a", "NOx")
        .parse()
        .unwrap();
    assert!(
        (nox - compiled).abs() <= compiled.abs() * 1e-9,
        "{nox} {compiled}"
    );
}

/// A copy of a workbook with one part's text changed, repacked.
fn repack(from: &Path, to: &Path, part: &str, change: impl Fn(&str) -> String) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(from).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(to).unwrap());
    let mut changed = false;
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name == part {
            bytes = change(&String::from_utf8(bytes).unwrap()).into_bytes();
            changed = true;
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
    assert!(changed, "no part {part}");
}

#[test]
fn malformed_xml_inside_a_workbook_is_an_error_not_a_crash() {
    let d = Dir::new();
    let good = template_workbook(&d, "good.xlsx", |_| Ok(()));
    // A shared string table declaring more strings than its bytes can hold:
    // calamine would reserve memory for all of them first.
    repack(&good, &d.path("sst.xlsx"), "xl/sharedStrings.xml", |xml| {
        let start = xml.find("uniqueCount=\"").unwrap() + 13;
        let end = start + xml[start..].find('"').unwrap();
        format!("{}400000000000000{}", &xml[..start], &xml[end..])
    });
    let (code, stderr) = import_fails(&d, "sst.xlsx");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "sst.xlsx: is malformed: part xl/sharedStrings.xml declares 400000000000000 strings"
        ),
        "{stderr}"
    );
    // A cell reference too long to be a cell.
    repack(
        &good,
        &d.path("ref.xlsx"),
        "xl/worksheets/sheet1.xml",
        |xml| xml.replacen("r=\"A1\"", "r=\"AAAAAAAAAAAAAAAA1\"", 1),
    );
    // It is refused before calamine reads it, as every workbook of a
    // source is (the container's bounds; calamine's column arithmetic would
    // overflow on it): exit 2 with the cell named, nothing written.
    let (code, stderr) = import_fails(&d, "ref.xlsx");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("ref.xlsx: part xl/worksheets/sheet1.xml names the cell or row 'AAAAAAAAAAAAAAAA1', beyond the limits of a sheet (XFD1048576)"),
        "{stderr}"
    );
    assert!(!d.path("out/annex1_2019.csv").exists());
    // A sheet cut short.
    repack(
        &good,
        &d.path("cut.xlsx"),
        "xl/worksheets/sheet1.xml",
        |xml| xml[..xml.len() / 2].to_string(),
    );
    let (code, stderr) = import_fails(&d, "cut.xlsx");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("cut.xlsx: sheet '2019' cannot be read"),
        "{stderr}"
    );
}
