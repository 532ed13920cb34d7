//! A corpus of real-world variants of an Annex I workbook, generated from
//! the Wallonia fixture by editing its XML in a temporary folder (never
//! committed as copies): total rows labelled NECR, a removed row 154,
//! sheets renamed to other name forms and in reverse order, a cover sheet,
//! Excel error cells, a check row and a helper column, numbers stored as
//! text (with thousands separators), header texts with line breaks,
//! compliance totals with and without the fuel-used correction, and a
//! pollutant whose rows are all notation keys summed to 0 by row 141.
//!
//! Each variant must import with exactly the original's numbers wherever
//! its cells are unchanged.

use crate::harness::Dir;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// The parts of an xlsx container, edited in memory.
struct Book {
    parts: Vec<(String, Vec<u8>)>,
}

impl Book {
    fn open(path: &Path) -> Book {
        let mut zin = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
        let mut parts = Vec::new();
        for i in 0..zin.len() {
            let mut f = zin.by_index(i).unwrap();
            let name = f.name().unwrap().into_owned();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            parts.push((name, bytes));
        }
        Book { parts }
    }

    fn text(&self, part: &str) -> String {
        let (_, b) = self
            .parts
            .iter()
            .find(|(n, _)| n == part)
            .unwrap_or_else(|| panic!("no part {part}"));
        String::from_utf8(b.clone()).unwrap()
    }

    fn edit(&mut self, part: &str, change: impl FnOnce(&str) -> String) {
        let new = change(&self.text(part));
        match self.parts.iter_mut().find(|(n, _)| n == part) {
            Some(p) => p.1 = new.into_bytes(),
            None => self.parts.push((part.to_string(), new.into_bytes())),
        }
    }

    /// The worksheet part of a sheet, by its name.
    fn sheet_part(&self, sheet: &str) -> String {
        let wb = self.text("xl/workbook.xml");
        let tag = wb
            .split("<sheet ")
            .skip(1)
            .find(|t| t.contains(&format!("name=\"{sheet}\"")))
            .unwrap_or_else(|| panic!("no sheet {sheet}"));
        let rid = attr(tag, "r:id");
        let rels = self.text("xl/_rels/workbook.xml.rels");
        let rel = rels
            .split("<Relationship ")
            .find(|r| r.contains(&format!("Id=\"{rid}\"")))
            .unwrap();
        format!("xl/{}", attr(rel, "Target"))
    }

    /// Edits the XML of a sheet.
    fn edit_sheet(&mut self, sheet: &str, change: impl FnOnce(&str) -> String) {
        let part = self.sheet_part(sheet);
        self.edit(&part, change);
    }

    /// Keeps only these sheets, in this order, with these names.
    fn keep_sheets(&mut self, sheets: &[(&str, &str)]) {
        self.edit("xl/workbook.xml", |wb| {
            let start = wb.find("<sheets>").unwrap() + "<sheets>".len();
            let end = wb.find("</sheets>").unwrap();
            let tags: Vec<&str> = wb[start..end]
                .split("<sheet ")
                .filter(|t| !t.is_empty())
                .collect();
            let mut kept = String::new();
            for (old, new) in sheets {
                let tag = tags
                    .iter()
                    .find(|t| t.contains(&format!("name=\"{old}\"")))
                    .unwrap();
                kept.push_str("<sheet ");
                kept.push_str(&tag.replace(&format!("name=\"{old}\""), &format!("name=\"{new}\"")));
            }
            // Names defined on sheets no longer there would point nowhere.
            let mut out = format!("{}{kept}{}", &wb[..start], &wb[end..]);
            if let (Some(a), Some(b)) = (out.find("<definedNames>"), out.find("</definedNames>")) {
                out.replace_range(a..b + "</definedNames>".len(), "");
            }
            out
        });
    }

    /// Adds a worksheet in front of the others (a cover sheet).
    fn add_first_sheet(&mut self, name: &str, sheet_xml: &str) {
        let part = "xl/worksheets/sheet_cover.xml";
        self.parts
            .push((part.to_string(), sheet_xml.as_bytes().to_vec()));
        self.edit("xl/_rels/workbook.xml.rels", |r| {
            r.replace("</Relationships>", "<Relationship Id=\"rIdCover\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet_cover.xml\"/></Relationships>")
        });
        self.edit("[Content_Types].xml", |c| {
            c.replace("</Types>", "<Override PartName=\"/xl/worksheets/sheet_cover.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>")
        });
        self.edit("xl/workbook.xml", |wb| {
            wb.replacen(
                "<sheets>",
                &format!("<sheets><sheet name=\"{name}\" sheetId=\"999\" r:id=\"rIdCover\"/>"),
                1,
            )
        });
    }

    fn save(&self, path: &Path) {
        let mut zout = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, bytes) in &self.parts {
            zout.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
                .unwrap();
            zout.write_all(bytes).unwrap();
        }
        zout.finish().unwrap();
    }
}

fn attr<'a>(tag: &'a str, name: &str) -> &'a str {
    let start = tag
        .find(&format!(" {name}=\""))
        .or_else(|| tag.find(&format!("{name}=\"")))
        .unwrap();
    let rest = &tag[start..];
    let rest = &rest[rest.find('"').unwrap() + 1..];
    &rest[..rest.find('"').unwrap()]
}

/// The element of cell `r` (`<c r="E14" ...>...</c>` or `<c r="E14" .../>`).
fn cell_span(xml: &str, r: &str) -> (usize, usize) {
    let start = xml
        .find(&format!("<c r=\"{r}\" "))
        .or_else(|| xml.find(&format!("<c r=\"{r}\">")))
        .unwrap_or_else(|| panic!("no cell {r}"));
    let open_end = start + xml[start..].find('>').unwrap();
    if xml.as_bytes()[open_end - 1] == b'/' {
        return (start, open_end + 1);
    }
    let end = open_end + xml[open_end..].find("</c>").unwrap() + 4;
    (start, end)
}

/// The cached value of a cell (`<v>` text), if any.
fn cell_value(xml: &str, r: &str) -> Option<String> {
    let (a, b) = cell_span(xml, r);
    let c = &xml[a..b];
    let v = c.find("<v>")?;
    Some(c[v + 3..c.find("</v>")?].to_string())
}

/// Replaces cell `r` with new content (the element's inner XML and type).
fn set_cell(xml: &str, r: &str, t: Option<&str>, inner: &str) -> String {
    let (a, b) = cell_span(xml, r);
    let t = t.map(|t| format!(" t=\"{t}\"")).unwrap_or_default();
    format!("{}<c r=\"{r}\"{t}>{inner}</c>{}", &xml[..a], &xml[b..])
}

fn number(xml: &str, r: &str, v: &str) -> String {
    set_cell(xml, r, None, &format!("<v>{v}</v>"))
}

fn text(xml: &str, r: &str, s: &str) -> String {
    set_cell(xml, r, Some("inlineStr"), &format!("<is><t>{s}</t></is>"))
}

fn error(xml: &str, r: &str, e: &str) -> String {
    set_cell(xml, r, Some("e"), &format!("<v>{e}</v>"))
}

/// Appends cells at the end of an existing row (columns beyond AO).
fn append_to_row(xml: &str, row: u32, cells: &str) -> String {
    let start = xml.find(&format!("<row r=\"{row}\"")).unwrap();
    let end = start + xml[start..].find("</row>").unwrap();
    format!("{}{cells}{}", &xml[..end], &xml[end..])
}

/// Adds a row at the end of the sheet data.
fn add_row(xml: &str, row_xml: &str) -> String {
    xml.replacen("</sheetData>", &format!("{row_xml}</sheetData>"), 1)
}

fn remove_row(xml: &str, row: u32) -> String {
    let start = xml.find(&format!("<row r=\"{row}\"")).unwrap();
    let end = start + xml[start..].find("</row>").unwrap() + 6;
    format!("{}{}", &xml[..start], &xml[end..])
}

const POLLUTANT_COLUMNS: [&str; 26] = [
    "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O", "P", "Q", "R", "S", "T", "U", "V", "W",
    "X", "Y", "Z", "AA", "AB", "AC", "AD",
];

/// Imports a workbook; the exit code, stderr and the CSVs by year.
fn import(d: &Dir, file: &Path, out: &str) -> (i32, String, BTreeMap<i32, Vec<Vec<String>>>) {
    let o = d
        .airinv()
        .arg("import")
        .arg(file)
        .arg("--out")
        .arg(d.path(out))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let mut csvs = BTreeMap::new();
    if let Ok(entries) = std::fs::read_dir(d.path(out)) {
        for e in entries {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(y) = name
                .strip_prefix("annex1_")
                .and_then(|n| n.strip_suffix(".csv"))
                .and_then(|y| y.parse::<i32>().ok())
            {
                let mut r = csv::Reader::from_path(&p).unwrap();
                let rows: Vec<Vec<String>> = r
                    .records()
                    .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
                    .collect();
                csvs.insert(y, rows);
            }
        }
    }
    (o.status.code().unwrap_or(-1), stderr, csvs)
}

/// The CSV header's column index of a pollutant or activity column name.
fn column_index(name: &str) -> usize {
    airinv::annex1::csv_header()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Every cell of `a` equals the cell of `b`, except those listed
/// (year, template row, csv column).
fn same_except(
    a: &BTreeMap<i32, Vec<Vec<String>>>,
    b: &BTreeMap<i32, Vec<Vec<String>>>,
    except: &[(i32, u32, usize)],
) -> usize {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same years"
    );
    let mut compared = 0;
    for (year, rows) in a {
        let other = &b[year];
        assert_eq!(rows.len(), other.len());
        for (ra, rb) in rows.iter().zip(other) {
            let row: u32 = ra[0].parse().unwrap();
            for (i, (x, y)) in ra.iter().zip(rb).enumerate() {
                if except.contains(&(*year, row, i)) {
                    continue;
                }
                assert_eq!(x, y, "{year}, row {row}, column {}", i);
                compared += 1;
            }
        }
    }
    compared
}

/// The three sheets most variants keep (for speed): 1990, 2005, 2019.
fn three_sheets(src: &Path) -> Book {
    let mut b = Book::open(src);
    b.keep_sheets(&[("1990", "1990"), ("2005", "2005"), ("2019", "2019")]);
    b
}

#[test]
fn a_workbook_with_every_quirk_imports_with_the_originals_numbers() {
    let src = crate::harness::wallonia();
    let d = Dir::new();
    let original = d.path("original.xlsx");
    three_sheets(&src).save(&original);
    let (code, stderr, base) = import(&d, &original, "base");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(base.len(), 3);

    let mut b = three_sheets(&src);
    // Sheets in other name forms, newest first, and a cover sheet.
    b.keep_sheets(&[
        ("2019", "2019"),
        ("2005", "NFR-19 2005"),
        ("1990", "Annex I 1990"),
    ]);
    b.add_first_sheet(
        "Cover",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Belgium - Wallonia, submission 2021</t></is></c></row><row r="2"><c r="A2"><v>2021</v></c></row></sheetData></worksheet>"#,
    );
    // The UK's labels, line breaks in header texts, in every sheet.
    b.edit("xl/sharedStrings.xml", |s| {
        s.replace(
            "<t>COMPLIANCE TOTAL (NECD)</t>",
            "<t>COMPLIANCE TOTAL (NECR)</t>",
        )
        .replace(
            "<t>ADJUSTMENTS AND FLEXIBILITIES</t>",
            "<t>ADJUSTMENTS AND\nFLEXIBILITIES (NECR)</t>",
        )
        .replace("<t>Liquid Fuels</t>", "<t>Liquid\nFuels</t>")
        .replace("<t>NFR Code</t>", "<t>NFR\ncode</t>")
    });
    // 2005: no rows 153-154 (a Party outside the EU).
    b.edit_sheet("NFR-19 2005", |x| remove_row(&remove_row(x, 154), 153));
    // Error cells in activity and pollutant columns.
    b.edit_sheet("2019", |x| error(x, "AK98", "#VALUE!"));
    b.edit_sheet("NFR-19 2005", |x| error(x, "AF30", "#N/A"));
    b.edit_sheet("Annex I 1990", |x| {
        error(&error(x, "E20", "#REF!"), "F20", "#DIV/0!")
    });
    // Numbers stored as text: as Excel would show them, one with
    // non-breaking spaces between thousands.
    let sheet_2019 = b.text(&b.sheet_part("2019"));
    // As Excel shows the double (the XML may hold 17 digits).
    let shown = |v: String| v.parse::<f64>().unwrap().to_string();
    let e14 = shown(cell_value(&sheet_2019, "E14").unwrap());
    // The first activity cell of 1000 TJ or more.
    let (big_cell, af17) = (14..=140)
        .flat_map(|r| ["AF", "AG", "AH"].map(|c| format!("{c}{r}")))
        .find_map(|cell| {
            let v = cell_value(&sheet_2019, &cell)?;
            let v = v.parse::<f64>().ok()?;
            (1000.0..1e15).contains(&v).then(|| (cell, v.to_string()))
        })
        .unwrap();
    let (int, frac) = af17.split_once('.').unwrap_or((&af17, ""));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(ch);
    }
    if !frac.is_empty() {
        grouped = format!("{grouped}.{frac}");
    }
    b.edit_sheet("2019", |x| text(&text(x, "E14", &e14), &big_cell, &grouped));
    // A check row below the table and a helper column beside it, in every sheet.
    for sheet in ["2019", "NFR-19 2005", "Annex I 1990"] {
        b.edit_sheet(sheet, |x| {
            let mut row = String::from(
                "<row r=\"173\"><c r=\"B173\" t=\"inlineStr\"><is><t>som</t></is></c>",
            );
            for c in POLLUTANT_COLUMNS {
                row.push_str(&format!("<c r=\"{c}173\"><v>1.5</v></c>"));
            }
            row.push_str("</row>");
            let mut x = add_row(x, &row);
            if sheet == "2019" {
                for r in 14..=141 {
                    x = append_to_row(&x, r, &format!("<c r=\"AQ{r}\"><v>{r}</v></c>"));
                }
            }
            x
        });
    }
    let variant = d.path("variant.xlsx");
    b.save(&variant);

    let (code, stderr, read) = import(&d, &variant, "variant");
    // Written, with findings: the error cells.
    assert_eq!(code, 1, "{stderr}");
    for (sheet, cell, e) in [
        ("2019", "AK98", "#VALUE!"),
        ("NFR-19 2005", "AF30", "#N/A"),
        ("Annex I 1990", "E20", "#REF!"),
        ("Annex I 1990", "F20", "#DIV/0!"),
    ] {
        let line = format!(
            "unreadable: {}, sheet {sheet}, cell {cell}: shows the Excel error {e}",
            variant.display()
        );
        assert_eq!(stderr.matches(&line).count(), 1, "{line}\n{stderr}");
    }
    // One finding per sheet and block.
    assert_eq!(
        stderr.matches("row 173 below the table holds 26 values (E173:AD173): not part of the template, ignored").count(),
        3,
        "{stderr}"
    );
    assert_eq!(
        stderr
            .matches("column AQ beside the table holds 128 values in rows 14-141 (AQ14:AQ141)")
            .count(),
        1,
        "{stderr}"
    );
    assert_eq!(stderr.matches("skipped:").count(), 4 + 1, "{stderr}");
    assert!(
        stderr.contains("sheet NFR-19 2005, column B: the sheet has no row for ADJUSTMENTS AND FLEXIBILITIES (row 153), COMPLIANCE TOTAL (NECD) (row 154) of NFR 2019-1 (the NEC Directive's rows"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "a number stored as text ('{grouped}'), read as {}",
            af17.trim_end_matches('0').trim_end_matches('.')
        )),
        "{stderr}"
    );
    // Exactly the original's numbers everywhere else.
    let (ak, af, e, f) = (
        column_index("other_activity"),
        column_index("liquid_fuels_tj"),
        column_index("NOx"),
        column_index("NMVOC"),
    );
    let mut except = vec![(2019, 98, ak), (2005, 30, af), (1990, 20, e), (1990, 20, f)];
    for i in 4..base[&2005][0].len() {
        except.push((2005, 153, i));
        except.push((2005, 154, i));
    }
    let compared = same_except(&base, &read, &except);
    assert!(compared > 3 * 150 * 30, "{compared}");
    // The changed cells are empty in the variant.
    let cell = |y: i32, row: u32, col: usize| -> String {
        read[&y].iter().find(|r| r[0] == row.to_string()).unwrap()[col].clone()
    };
    assert_eq!(cell(2019, 98, ak), "");
    assert_eq!(cell(1990, 20, e), "");

    // check: the same findings on the numbers, plus the reading's.
    let check = |file: &Path| -> serde_json::Value {
        let o = d
            .airinv()
            .arg("check")
            .arg(file)
            .arg("--format")
            .arg("json")
            .output()
            .unwrap();
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let count = |v: &serde_json::Value, id: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .filter(|f| f["check"] == id)
            .count()
    };
    let (cb, cv) = (check(&original), check(&variant));
    assert_eq!(count(&cv, "format.cell-error"), 4);
    assert_eq!(count(&cb, "sum.national-total"), 0);
    // The two pollutant cells read as empty in 1990 are missing from its
    // national total (which Excel computed before they became errors):
    // exactly those two totals, nothing else.
    let nt: Vec<(String, String)> = cv
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "sum.national-total")
        .map(|f| {
            (
                f["sheet"].as_str().unwrap().to_string(),
                f["cell"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        nt,
        vec![
            ("Annex I 1990".to_string(), "E141".to_string()),
            ("Annex I 1990".to_string(), "F141".to_string())
        ]
    );
    assert_eq!(count(&cv, "sum.pah"), count(&cb, "sum.pah"));
    assert_eq!(count(&cv, "format.other-sheet"), 1);
    assert_eq!(
        count(&cv, "format.outside-table"),
        count(&cb, "format.outside-table") + 4
    );
    // compare reads it too.
    let o = d
        .airinv()
        .args(["compare"])
        .arg(&variant)
        .args(["--year", "2019", "--party", "BE"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("compliance totals: 1990, 2005, 2019 computed by note (c)"),
        "{out}"
    );
}

/// Row 152 of every sheet set to row 141's values (no adjustments): a
/// compliance total without the fuel-used correction; or to row 141 +
/// Σ(fuel used) − Σ(fuel sold) computed from the imported cells: with it.
#[test]
fn compliance_totals_with_or_without_the_fuel_used_correction_are_accepted() {
    let src = crate::harness::wallonia();
    let d = Dir::new();
    let original = d.path("original.xlsx");
    three_sheets(&src).save(&original);
    let (_, _, base) = import(&d, &original, "base");
    let row_of = |y: i32, r: u32| {
        base[&y]
            .iter()
            .find(|x| x[0] == r.to_string())
            .unwrap()
            .clone()
    };
    let dec = |s: &str| rust_decimal::Decimal::from_str_exact(s).ok();

    let make = |name: &str, with_correction: bool, spoil: bool| -> PathBuf {
        let mut b = three_sheets(&src);
        for (y, sheet) in [(1990, "1990"), (2005, "2005"), (2019, "2019")] {
            let nt = row_of(y, 141);
            b.edit_sheet(sheet, |x| {
                let mut x = x.to_string();
                for (i, c) in POLLUTANT_COLUMNS.iter().enumerate() {
                    let col = 4 + i;
                    let Some(mut v) = dec(&nt[col]) else { continue };
                    if with_correction {
                        let sum = |rows: std::ops::RangeInclusive<u32>| {
                            rows.filter_map(|r| dec(&row_of(y, r)[col]))
                                .sum::<rust_decimal::Decimal>()
                        };
                        let fu = sum(143..=149);
                        let sold = sum(27..=33);
                        if (143..=149).any(|r| dec(&row_of(y, r)[col]).is_some()) {
                            v = v + fu - sold;
                        }
                    }
                    if spoil && *c == "E" {
                        v += rust_decimal::Decimal::ONE;
                    }
                    x = number(&x, &format!("{c}152"), &v.to_string());
                }
                x
            });
        }
        let p = d.path(name);
        b.save(&p);
        p
    };
    let check = |file: &Path| -> Vec<serde_json::Value> {
        let o = d
            .airinv()
            .arg("check")
            .arg(file)
            .arg("--format")
            .arg("json")
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array().unwrap().clone()
    };
    let of = |v: &[serde_json::Value], id: &str, code: &str| -> Vec<serde_json::Value> {
        v.iter()
            .filter(|f| f["check"] == id && f["code"] == code)
            .cloned()
            .collect()
    };
    for (name, with) in [("without.xlsx", false), ("with.xlsx", true)] {
        let f = check(&make(name, with, false));
        let errors = of(&f, "sum.compliance", "COMPLIANCE TOTAL (CLRTAP)");
        assert!(errors.is_empty(), "{name}: {errors:?}");
        let basis = of(&f, "sum.compliance-basis", "COMPLIANCE TOTAL (CLRTAP)");
        assert_eq!(basis.len(), 1, "{name}: {basis:?}");
        let m = basis[0]["message"].as_str().unwrap();
        let words = if with {
            "is computed with the fuel-used correction"
        } else {
            "is computed without the fuel-used correction"
        };
        assert!(
            m.contains(words) && m.contains("in 1990, 2005, 2019"),
            "{m}"
        );
        assert_eq!(basis[0]["severity"], "info");
    }
    // A total that matches neither basis: one error per sheet, for NOx.
    let f = check(&make("neither.xlsx", false, true));
    let errors = of(&f, "sum.compliance", "COMPLIANCE TOTAL (CLRTAP)");
    assert_eq!(errors.len(), 3, "{errors:?}");
    assert!(
        errors
            .iter()
            .all(|e| e["cell"] == "E152" && e["severity"] == "error")
    );

    // compare takes the Party's own row 152 and says on which basis.
    let o = d
        .airinv()
        .arg("compare")
        .arg(d.path("without.xlsx"))
        .args(["--year", "2019", "--party", "BE", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let reason = v["total_reason"].as_str().unwrap();
    assert!(
        reason.contains("2019 the Party's own row 152, without the fuel-used correction"),
        "{reason}"
    );
}

/// The false `sum.national-total` errors: a pollutant whose sector rows
/// all hold notation keys, summed by row 141's `=SUM(AC14:AC140)` to 0.
#[test]
fn a_national_total_of_zero_over_keys_is_excels_sum_not_an_error() {
    let src = crate::harness::wallonia();
    let d = Dir::new();
    let mut b = three_sheets(&src);
    b.edit_sheet("2019", |x| {
        let mut x = x.to_string();
        for r in 14..=140 {
            x = text(&x, &format!("AC{r}"), "NA");
        }
        // Row 141 keeps its formula; its cached value is what Excel computes.
        let (a, e) = cell_span(&x, "AC141");
        let cell = &x[a..e];
        let v0 = cell.find("<v>").unwrap();
        let v1 = cell.find("</v>").unwrap();
        let new = format!("{}<v>0</v>{}", &cell[..v0], &cell[v1 + 4..]);
        format!("{}{new}{}", &x[..a], &x[e..])
    });
    let p = d.path("keys.xlsx");
    b.save(&p);
    let o = d
        .airinv()
        .arg("check")
        .arg(&p)
        .arg("--format")
        .arg("csv")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.starts_with("severity,check,year,code,pollutant,sheet,cell,message\n"),
        "{out}"
    );
    assert!(!out.contains("sum.national-total"), "{out}");
    // A 0 over rows that do hold numbers is still an error.
    let mut b = three_sheets(&src);
    b.edit_sheet("2019", |x| {
        let (a, e) = cell_span(x, "AC141");
        let cell = &x[a..e];
        let v0 = cell.find("<v>").unwrap();
        let v1 = cell.find("</v>").unwrap();
        let new = format!("{}<v>0</v>{}", &cell[..v0], &cell[v1 + 4..]);
        format!("{}{new}{}", &x[..a], &x[e..])
    });
    let p = d.path("zero.xlsx");
    b.save(&p);
    let o = d
        .airinv()
        .arg("check")
        .arg(&p)
        .arg("--format")
        .arg("csv")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("sum.national-total"))
        .collect();
    assert_eq!(lines.len(), 1, "{out}");
    assert!(
        lines[0].starts_with("error,sum.national-total,2019,NATIONAL TOTAL,HCB,2019,AC141,"),
        "{}",
        lines[0]
    );
}

/// The year of B6 against the sheet name: the header block is read, and
/// the disagreement is a finding.
#[test]
fn a_year_cell_that_disagrees_with_the_sheet_name_is_reported() {
    let src = crate::harness::wallonia();
    let d = Dir::new();
    let mut b = Book::open(&src);
    b.keep_sheets(&[("2019", "NFR-19 2018"), ("2005", "2005")]);
    let p = d.path("year.xlsx");
    b.save(&p);
    let (code, stderr, read) = import(&d, &p, "out");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(read.keys().copied().collect::<Vec<_>>(), vec![2005, 2019]);
    assert!(
        stderr.contains("warning: ") && stderr.contains("sheet NFR-19 2018, cell B6: the header block says year 2019 but the sheet name 'NFR-19 2018' says 2018"),
        "{stderr}"
    );
}

/// A sheet without the `NFR Code` header cell (another vintage or
/// language): the table is found by its column of NFR codes, and reads
/// with the original's numbers.
#[test]
fn a_table_without_its_header_cell_is_found_by_its_codes() {
    let src = crate::harness::wallonia();
    let d = Dir::new();
    let mut b = Book::open(&src);
    b.keep_sheets(&[("2019", "2019")]);
    let original = d.path("original.xlsx");
    b.save(&original);
    b.edit("xl/sharedStrings.xml", |s| {
        assert!(s.contains("<t>NFR Code</t>"));
        s.replace("<t>NFR Code</t>", "<t>Kod</t>")
    });
    let variant = d.path("variant.xlsx");
    b.save(&variant);
    let (code, stderr, base) = import(&d, &original, "base");
    assert_eq!(code, 0, "{stderr}");
    let (code, stderr, read) = import(&d, &variant, "variant");
    assert_eq!(code, 0, "{stderr}");
    let compared = same_except(&base, &read, &[]);
    // 148 rows of the CSV (14-164 less the headings) × 37 columns.
    assert_eq!(compared, 148 * 37, "every cell of every row");
    assert_eq!(compared, base[&2019].len() * base[&2019][0].len());
}

/// A number stored as text in a sector row, which Excel's `=SUM` leaves
/// out of row 141: the total is reported, and the message says why.
#[test]
fn a_total_that_leaves_out_a_number_stored_as_text_says_so() {
    let src = crate::harness::wallonia();
    let d = Dir::new();
    let mut b = Book::open(&src);
    b.keep_sheets(&[("2019", "2019")]);
    b.edit_sheet("2019", |x| {
        let v14: f64 = cell_value(x, "E14").unwrap().parse().unwrap();
        let v141: f64 = cell_value(x, "E141").unwrap().parse().unwrap();
        let x = text(x, "E14", &v14.to_string());
        // What Excel computes without the text: the sum of the other rows.
        let (a, e) = cell_span(&x, "E141");
        let cell = &x[a..e];
        let v0 = cell.find("<v>").unwrap();
        let v1 = cell.find("</v>").unwrap();
        let new = format!("{}<v>{}</v>{}", &cell[..v0], v141 - v14, &cell[v1 + 4..]);
        format!("{}{new}{}", &x[..a], &x[e..])
    });
    let p = d.path("text.xlsx");
    b.save(&p);
    let o = d
        .airinv()
        .arg("check")
        .arg(&p)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let nt: Vec<&serde_json::Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["check"] == "sum.national-total")
        .collect();
    assert_eq!(nt.len(), 1, "{nt:?}");
    assert_eq!(nt[0]["cell"], "E141");
    let m = nt[0]["message"].as_str().unwrap();
    assert!(
        m.contains(
            "it is the sum without the numbers stored as text in E14, which Excel's SUM leaves out"
        ),
        "{m}"
    );
}
