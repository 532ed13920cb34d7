//! Hardening against bad input: the corpus of bad files (`tests/data/bad/`),
//! bombs and oversized sheets, CSV files as Excel writes them in other
//! locales, wrong things in cells, text that must not become a formula, and
//! atomic outputs.

use crate::harness::{Dir, annex_cell, csv_rows, repo};
use std::io::Write;
use std::path::Path;

/// What `compile` must say about each file of the corpus (besides its name).
const CORPUS: &[(&str, &str)] = &[
    (
        "ambiguous-decimal.csv",
        "row 3, column value: '1.500' is ambiguous",
    ),
    ("bad-toml", "is not valid TOML"),
    ("billion-cells.xlsx", "a range of 17179869184 cells"),
    ("bom-cp1251.csv", "row 2: byte 33 of the line is not UTF-8"),
    ("bom-only.csv", "the activity file is empty"),
    (
        "duplicated-header.csv",
        "row 1: the column 'value' appears twice",
    ),
    ("empty-container.ods", "cannot open the workbook"),
    ("empty.csv", "the activity file is empty"),
    ("garbage.csv", "holds binary data"),
    ("garbage.ods", "it is not a zip container"),
    ("garbage.xls", "cannot open the workbook"),
    ("garbage.xlsx", "is not an xlsx workbook"),
    (
        "huge-dimensions.xls",
        "a sheet declares 4000000000 rows × 6 columns",
    ),
    ("inventory-missing-activity", "missing.csv: does not exist"),
    (
        "lying-shared-strings.xlsx",
        "declares 4000000000000 strings",
    ),
    (
        "mixed-delimiters.csv",
        "row 3: this line is separated by ';' but the header (row 1) by ','",
    ),
    (
        "no-columns.csv",
        "lacks the column(s) year, nfr, fuel, technology, value, unit",
    ),
    (
        "output-folder-bad-header",
        "is a folder without inventory.toml",
    ),
    ("output-folder-binary", "is a folder without inventory.toml"),
    (
        "overlong-reference.xlsx",
        "names the cell or row 'AAAAAAAAAAAA2'",
    ),
    ("text-named.xlsx", "is not an xlsx workbook"),
    ("truncated.xlsx", "is not an xlsx workbook"),
    ("unterminated-quote.csv", "row 2: a quoted field opens here"),
    ("workbook-named.csv", "is a workbook (a zip container"),
    ("zip-not-xlsx.xlsx", "cannot open the workbook"),
];

/// Runs airinv and returns (exit code, stderr).
fn run(d: &Dir, args: &[&str]) -> (i32, String) {
    let out = d.airinv().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_bad_file_of_the_corpus_is_a_clear_error_with_exit_2() {
    let dir = repo().join("tests/data/bad");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md")
        .collect();
    names.sort();
    let listed: Vec<&str> = CORPUS.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names, listed,
        "every file of the corpus has its expected message"
    );
    for (name, expected) in CORPUS {
        let d = Dir::new();
        let path = dir.join(name);
        let path = path.to_str().unwrap();
        let (code, stderr) = run(&d, &["compile", path, "--out", "out"]);
        assert_eq!(code, 2, "compile {name}: {stderr}");
        assert!(stderr.starts_with("error: "), "compile {name}: {stderr}");
        assert!(stderr.contains(name), "compile {name} names it: {stderr}");
        assert!(stderr.contains(expected), "compile {name}: {stderr}");
        assert!(!stderr.contains("panicked"), "compile {name}: {stderr}");
        assert!(!d.path("out/annex1.xlsx").exists(), "{name}");
        let (code, stderr) = run(&d, &["check", path]);
        assert_eq!(code, 2, "check {name}: {stderr}");
        assert!(stderr.starts_with("error: "), "check {name}: {stderr}");
        assert!(stderr.contains(name), "check {name} names it: {stderr}");
        assert!(!stderr.contains("panicked"), "check {name}: {stderr}");
    }
}

/// An xlsx container (the parts calamine needs) with an extra part of
/// `extra` zero bytes, written compressed.
fn xlsx_with_zeros(path: &Path, extra: u64) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let deflate = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    zip.start_file("xl/media/zeros.bin", deflate).unwrap();
    let chunk = vec![0u8; 1 << 20];
    let mut left = extra;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        zip.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    zip.start_file("[Content_Types].xml", deflate).unwrap();
    zip.write_all(b"<Types/>").unwrap();
    zip.finish().unwrap();
}

#[test]
fn a_zip_bomb_is_refused_before_it_is_unpacked_into_memory() {
    // 257 MB of zeros packed into about 250 kB: one byte more than a part may unpack to.
    let d = Dir::new();
    let bomb = d.path("bomb.xlsx");
    xlsx_with_zeros(&bomb, airinv::sheet::MAX_PART_BYTES + 1);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 2_000_000);
    for args in [
        vec!["compile", "bomb.xlsx", "--out", "out"],
        vec!["check", "bomb.xlsx"],
    ] {
        let (code, stderr) = run(&d, &args);
        assert_eq!(code, 2, "{stderr}");
        assert!(
            stderr.contains("bomb.xlsx: part xl/media/zeros.bin")
                && stderr.contains("268435457 bytes, more than airinv")
                && stderr.contains("(268435456 bytes)"),
            "{stderr}"
        );
    }
}

#[test]
fn an_xls_activity_sheet_passes_the_bounds_check_and_is_read() {
    // tests/data/activity.xls: two activity rows saved as .xls by LibreOffice
    // (bad/huge-dimensions.xls, the same file declaring 4 000 000 000 rows,
    // is refused in the corpus test).
    let d = Dir::new();
    let xls = repo().join("tests/data/activity.xls");
    let (code, stderr) = run(
        &d,
        &[
            "compile",
            xls.to_str().unwrap(),
            "--out",
            "out",
            "--country",
            "KZ",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let csv = d.path("out/annex1_2022.csv");
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "0.89");
    assert_eq!(annex_cell(&csv, "1A4bi", "biomass_tj"), "1234.25");
}

#[test]
fn an_activity_sheet_spanning_a_billion_cells_is_refused() {
    let d = Dir::new();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["year", "nfr", "fuel", "technology", "value", "unit"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 2022.0).unwrap();
    ws.write_string(1, 1, "1A1a").unwrap();
    ws.write_string(1, 2, "Natural gas").unwrap();
    ws.write_number(1, 4, 10000.0).unwrap();
    ws.write_string(1, 5, "TJ").unwrap();
    // One more cell, in the last row and column of a sheet.
    ws.write_number(1_048_575, 16_383, 1.0).unwrap();
    wb.save(d.path("big.xlsx")).unwrap();
    let (code, stderr) = run(&d, &["compile", "big.xlsx", "--out", "out"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "big.xlsx: sheet 'Sheet1' spreads its cells from A1 to XFD1048576, a range of 17179869184 cells"
        ),
        "{stderr}"
    );
    // Without the stray cell the same sheet compiles.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["year", "nfr", "fuel", "technology", "value", "unit"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 2022.0).unwrap();
    ws.write_string(1, 1, "1A1a").unwrap();
    ws.write_string(1, 2, "Natural gas").unwrap();
    ws.write_number(1, 4, 10000.0).unwrap();
    ws.write_string(1, 5, "TJ").unwrap();
    wb.save(d.path("small.xlsx")).unwrap();
    let (code, stderr) = run(
        &d,
        &["compile", "small.xlsx", "--out", "out", "--country", "KZ"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "1A1a", "NOx"),
        "0.89"
    );
}

const PLAIN: &str = "year,nfr,fuel,technology,value,unit,source_id\n\
2022,1A1a,Natural gas,,10000.5,TJ,Котельная №1\n\
2022,1A4bi,Fuelwood,,1234.25,TJ,Алматы\n";

/// The same activity as Excel writes it in a Russian or Kazakh locale:
/// `;` separators, decimal commas, thousands separators, Windows-1251.
fn cp1251_semicolons() -> Vec<u8> {
    let text = "year;nfr;fuel;technology;value;unit;source_id\r\n\
2022;1A1a;Natural gas;;10 000,5;TJ;Котельная №1\r\n\
2022;1A4bi;Fuelwood;;1 234,25;TJ;Алматы\r\n";
    encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
}

#[test]
fn csv_exports_of_other_locales_compile_exactly_like_plain_csv() {
    let d = Dir::new();
    d.write("plain.csv", PLAIN);
    std::fs::write(d.path("cp1251.csv"), cp1251_semicolons()).unwrap();
    // UTF-8 with a byte-order mark, ; and decimal commas (Excel "CSV UTF-8" in Europe).
    let bom = format!(
        "\u{feff}{}",
        PLAIN
            .replace(',', ";")
            .replace("10000.5", "10000,5")
            .replace("1234.25", "1.234,25")
    );
    d.write("bom.csv", &bom);
    // UTF-16 with tabs (Excel "Unicode text").
    let mut utf16 = vec![0xFF, 0xFE];
    for u in PLAIN
        .replace(',', "\t")
        .replace("10000.5", "10000,5")
        .replace("1234.25", "1234,25")
        .encode_utf16()
    {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    std::fs::write(d.path("utf16.csv"), utf16).unwrap();
    let mut outputs = Vec::new();
    for name in ["plain", "cp1251", "bom", "utf16"] {
        let (code, stderr) = run(
            &d,
            &[
                "compile",
                &format!("{name}.csv"),
                "--out",
                name,
                "--country",
                "KZ",
                "--reporting-date",
                "01.02.2024",
                "--detail",
                "rows",
            ],
        );
        assert_eq!(code, 0, "{name}: {stderr}");
        outputs.push(d.read(&format!("{name}/annex1_2022.csv")));
        // The Cyrillic source ids reach detail.csv intact, as UTF-8.
        let (h, rows) = csv_rows(&d.path(&format!("{name}/detail.csv")));
        let col = h.iter().position(|c| c == "source_id").unwrap();
        let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| r[col].as_str()).collect();
        assert_eq!(
            ids.into_iter().collect::<Vec<_>>(),
            ["Алматы", "Котельная №1"],
            "{name}"
        );
    }
    assert!(outputs.iter().all(|o| *o == outputs[0]));
    // 10 000.5 TJ, not 100 005 or 10.0005: 1A1a NOx 10000.5 × 89 g/GJ = 0.8900445 kt.
    assert_eq!(
        annex_cell(
            &d.path("cp1251/annex1_2022.csv"),
            "1A1a",
            "gaseous_fuels_tj"
        ),
        "10000.5"
    );
    assert_eq!(
        annex_cell(&d.path("cp1251/annex1_2022.csv"), "1A1a", "NOx"),
        "0.8900445"
    );
}

#[test]
fn csv_settings_can_be_forced_and_wrong_ones_are_explained() {
    let d = Dir::new();
    // A comma file whose numbers are quoted with decimal commas: only read
    // so when asked (a quoted "1,5" could be 1 500 in an English file).
    d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,\"10000,5\",TJ\n",
    );
    let (code, stderr) = run(&d, &["compile", "a.csv", "--out", "out", "--country", "KZ"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains(
            "a.csv, row 2, column value: '10000,5' is not a number (use a dot as decimal separator"
        ),
        "{stderr}"
    );
    let (code, stderr) = run(
        &d,
        &[
            "compile",
            "a.csv",
            "--out",
            "out",
            "--country",
            "KZ",
            "--decimal-comma",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "1A1a", "gaseous_fuels_tj"),
        "10000.5"
    );
    // The separator and the encoding, forced.
    std::fs::write(d.path("b.csv"), cp1251_semicolons()).unwrap();
    let (code, stderr) = run(
        &d,
        &[
            "compile",
            "b.csv",
            "--out",
            "out2",
            "--country",
            "KZ",
            "--delimiter",
            ";",
            "--encoding",
            "cp1251",
            "--decimal-comma",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // Read as forced: 10 000,5 TJ and 1 234,25 TJ; 1A1a NOx 10 000.5 TJ ×
    // 89 g/GJ = 0.8900445 kt.
    let out2 = d.path("out2/annex1_2022.csv");
    assert_eq!(annex_cell(&out2, "1A1a", "gaseous_fuels_tj"), "10000.5");
    assert_eq!(annex_cell(&out2, "1A4bi", "biomass_tj"), "1234.25");
    assert_eq!(annex_cell(&out2, "1A1a", "NOx"), "0.8900445");
    // Forced wrongly: UTF-8 on Windows-1251 bytes names the row and byte.
    let (code, stderr) = run(
        &d,
        &["compile", "b.csv", "--out", "out3", "--encoding", "utf-8"],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("b.csv, row 2: byte 36 of the line is not UTF-8, as --encoding says"),
        "{stderr}"
    );
    for (flag, value, expected) in [
        (
            "--delimiter",
            "::",
            "--delimiter: '::' is not a CSV separator",
        ),
        (
            "--encoding",
            "koi8-r",
            "--encoding: 'koi8-r' is not an encoding airinv reads",
        ),
    ] {
        let (code, stderr) = run(&d, &["compile", "a.csv", "--out", "o", flag, value]);
        assert_eq!(code, 2);
        assert!(stderr.contains(expected), "{stderr}");
    }
}

#[test]
fn wrong_things_in_cells_are_rejected_with_file_row_and_column() {
    let d = Dir::new();
    d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit\n\
2022,1A1a,Natural gas,,10000,TJ\n\
2022,1A1a,Natural gas,,ten,TJ\n\
2022,1A1a,Natural gas,,NaN,TJ\n\
\n\
,,,,,\n\
2022,1A1a,Natural gas,,-inf,TJ\n\
2022,1A1a,Natural gas,,1e40,TJ\n\
2022,1A1a,Natural gas,,99999999999999999999999999999999,TJ\n\
2022,1A1a,Natural gas,,10000000000000,TJ\n\
2022,1A1a,Natural gas,,-5,TJ\n\
2022,1A2gix,Natural gas,,5,TJ\n\
2022,1A1a,Natural gas,,5,barrels\n",
    );
    let out = d
        .airinv()
        .args(["compile", "a.csv", "--out", "out", "--country", "KZ"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Two empty lines (5 and 6) are skipped and not counted as rows.
    assert!(
        stdout.contains("rows read 10 = used 1 + rejected 9"),
        "{stdout}"
    );
    let (_, rows) = csv_rows(&d.path("out/rejected.csv"));
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r[2].clone(), r[3].clone(), r[4].clone()))
        .collect();
    let expect = [
        ("3", "value", "'ten' is not a number"),
        ("4", "value", "'NaN' is not a finite number"),
        ("7", "value", "'-inf' is not a finite number"),
        ("8", "value", "'1e40' is beyond the range of exact decimals"),
        (
            "9",
            "value",
            "'99999999999999999999999999999999' is beyond the range of exact decimals",
        ),
        (
            "10",
            "value",
            "10000000000000 TJ is beyond any national activity",
        ),
        ("11", "value", "the activity -5 is negative"),
        (
            "12",
            "nfr",
            "'1A2gix' is not an NFR code of the Annex I template (NFR 2019-1); did you mean 1A2gvii",
        ),
        ("13", "unit", "unit 'barrels': "),
    ];
    assert_eq!(got.len(), expect.len(), "{got:#?}");
    for ((row, col, reason), (erow, ecol, ereason)) in got.iter().zip(expect) {
        assert_eq!((row.as_str(), col.as_str()), (erow, ecol), "{reason}");
        assert!(reason.contains(ereason), "row {row}: {reason}");
    }
    // The unknown unit lists the accepted ones.
    assert!(
        got[8].2.contains("accepted units: energy J kJ MJ GJ TJ"),
        "{}",
        got[8].2
    );
}

#[test]
fn text_users_typed_cannot_become_a_formula_in_csv_or_xlsx() {
    let d = Dir::new();
    d.write(
        "inv/inventory.toml",
        "name = \"X\"\ncountry = \"KZ\"\nyears = [2022]\nversion = \"=HYPERLINK(\\\"http://x\\\",\\\"v1\\\")\"\nactivity = [\"a.csv\"]\n",
    );
    d.write(
        "inv/a.csv",
        "year,nfr,fuel,technology,value,unit,source_id,note\n\
2022,1A1a,Natural gas,,10000,TJ,=1+2,@SUM(A1)\n\
2022,1A1a,Natural gas,,5,TJ,+cmd,-2+3\n\
2022,=cmd|' /C calc'!A0,Natural gas,,5,TJ,x,y\n",
    );
    // The rejected row is listed in rejected.csv; --keep-going writes the rest.
    let (code, stderr) = run(
        &d,
        &[
            "compile",
            "inv",
            "--out",
            "out",
            "--keep-going",
            "--reporting-date",
            "01.02.2024",
            "--detail",
            "rows",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let detail = d.read("out/detail.csv");
    for text in ["'=1+2", "'+cmd"] {
        assert!(
            detail.contains(&format!(",{text},")) || detail.contains(&format!(",{text}\n")),
            "{text} in {detail}"
        );
    }
    assert!(!detail.contains(",=1+2,"), "{detail}");
    // A file named like a formula, in rejected.csv's file column.
    d.write(
        "=cmd.csv",
        "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,ten,TJ\n",
    );
    let (code, _) = run(&d, &["compile", "=cmd.csv", "--out", "out2"]);
    assert_eq!(code, 2);
    let rejected = d.read("out2/rejected.csv");
    assert_eq!(
        rejected.lines().nth(1),
        Some("'=cmd.csv,,2,value,'ten' is not a number"),
        "{rejected}"
    );
    // In the workbook the version is a text cell, not a formula.
    use calamine::{Data, Reader, open_workbook_auto};
    let mut wb = open_workbook_auto(d.path("out/annex1.xlsx")).unwrap();
    let formulas = wb.worksheet_formula("2022").unwrap();
    let values = wb.worksheet_range("2022").unwrap();
    assert_eq!(
        values.get_value((6, 1)),
        Some(&Data::String("=HYPERLINK(\"http://x\",\"v1\")".into()))
    );
    assert!(
        formulas.get_value((6, 1)).is_none_or(|f| f.is_empty()),
        "{:?}",
        formulas.get_value((6, 1))
    );
}

#[test]
fn a_failed_run_leaves_earlier_outputs_whole_and_no_temporary_files() {
    let d = Dir::new();
    d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,10000,TJ\n",
    );
    let (code, _) = run(&d, &["compile", "a.csv", "--out", "out", "--country", "KZ"]);
    assert_eq!(code, 0);
    let before = std::fs::read(d.path("out/annex1.xlsx")).unwrap();
    let csv_before = d.read("out/annex1_2022.csv");
    d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,ten,TJ\n",
    );
    let (code, _) = run(&d, &["compile", "a.csv", "--out", "out", "--country", "KZ"]);
    assert_eq!(code, 2);
    assert_eq!(std::fs::read(d.path("out/annex1.xlsx")).unwrap(), before);
    assert_eq!(d.read("out/annex1_2022.csv"), csv_before);
    let leftovers: Vec<String> = std::fs::read_dir(d.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("airinv-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// Every file airinv writes goes through `output::write_atomically` (a
/// temporary file renamed over the target): no other code creates files.
#[test]
fn no_writer_bypasses_the_atomic_write() {
    let mut offenders = Vec::new();
    let mut stack = vec![repo().join("src")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().and_then(|e| e.to_str()) != Some("rs") || p.ends_with("output.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            // Unit tests (after #[cfg(test)]) may write their fixtures.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for (i, line) in code.lines().enumerate() {
                if ["File::create(", "fs::write(", ".save(", "OpenOptions"]
                    .iter()
                    .any(|w| line.contains(w))
                {
                    offenders.push(format!("{}:{}: {}", p.display(), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
}

#[test]
fn an_activity_sum_beyond_the_range_of_decimals_is_a_rejection_not_a_crash() {
    // 80 000 rows of 10^24 J (each at the bound of one row) sum beyond
    // 7.9 × 10^28, the largest exact decimal.
    let d = Dir::new();
    let mut text = String::from("year,nfr,fuel,technology,value,unit\n");
    for _ in 0..80_000 {
        text.push_str("2022,1A1a,Natural gas,,1000000000000000000000000,J\n");
    }
    d.write("a.csv", &text);
    let (code, stderr) = run(&d, &["compile", "a.csv", "--out", "out", "--country", "KZ"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(
            "a.csv, row 2: the sum of the activity of these rows is beyond the range of exact decimals (year 2022, 80000 row(s)"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}
