//! What fuzzing found (issue 17): each reproducer of
//! `../shared/fuzz-repro/README.md`, copied into `tests/data/fuzz/`, gives
//! what a user expects (a clear error with exit 2, or the value as
//! written); and a differential property test demands that the streaming
//! reader and the general reader give the same rows, counts and rejections
//! on generated files.
//!
//! The property tests run 64 cases in `cargo test`; set
//! `AIRINV_FUZZ_CASES` (e.g. 200000) to run longer.

use crate::harness::{Dir, annex_cell, repo};
use airinv::activity::{self, Counts, ReadOptions, Rejection};
use airinv::calculate::Accumulator;
use airinv::fuel::Fuels;
use airinv::stream::{self, Progress};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn fuzz(rel: &str) -> PathBuf {
    repo().join("tests/data/fuzz").join(rel)
}

/// Runs airinv with `args` and returns (exit code, stderr + stdout).
fn run(d: &Dir, args: &[&str]) -> (i32, String) {
    let out = d.airinv().args(args).output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    (out.status.code().unwrap_or(-1), text)
}

fn refused(args: &[&str], expected: &str) {
    let d = Dir::new();
    let (code, text) = run(&d, args);
    assert_eq!(code, 2, "{args:?}: {text}");
    assert!(text.contains(expected), "{args:?}: {text}");
    assert!(!text.contains("panicked"), "{args:?}: {text}");
}

#[test]
fn absurd_settings_are_errors_naming_the_setting_not_overflows() {
    let ncv = fuzz("ncv-overflow");
    let adj = fuzz("adjustments-overflow");
    let cmp = fuzz("adjustment-compare-overflow");
    for cmd in ["compile", "check"] {
        let mut args = vec![cmd, ncv.to_str().unwrap()];
        if cmd == "compile" {
            args.extend(["--out", "o"]);
        }
        refused(
            &args,
            "ncv: Diesel: 79228162514264337593543950335 GJ/t is not a net calorific value",
        );
    }
    refused(
        &["compile", adj.to_str().unwrap(), "--out", "o"],
        "adjustments entry 1: value -79228162514264337593543950335 is beyond any national total",
    );
    refused(
        &["compare", cmp.to_str().unwrap(), "--year", "2022"],
        "adjustments entry 1: value -79228162514264337593543950335 is beyond any national total",
    );
}

#[test]
fn xlsx_parts_are_read_as_xml_and_checked_against_their_crc() {
    let sst = fuzz("sst-count-single-quotes.xlsx");
    let charref = fuzz("char-ref-in-number.xlsx");
    for cmd in ["import", "check"] {
        let mut args = vec![cmd, sst.to_str().unwrap()];
        if cmd == "import" {
            args.extend(["--out", "o"]);
        }
        refused(&args, "declares 4000000000000 strings in 18565 bytes");
    }
    refused(
        &["import", charref.to_str().unwrap(), "--out", "o"],
        "the number of cell E14 (part xl/worksheets/sheet2.xml) holds a character or entity reference",
    );
    // A part whose checksum does not match its bytes: the central
    // directory's CRC-32 of the first part changed by one bit.
    let d = Dir::new();
    let mut bytes = std::fs::read(&charref).unwrap();
    let central = bytes
        .windows(4)
        .position(|w| w == [0x50, 0x4b, 0x01, 0x02])
        .expect("a central directory");
    bytes[central + 16] ^= 1;
    let bad = d.path("bad-crc.xlsx");
    std::fs::write(&bad, &bytes).unwrap();
    for cmd in ["import", "check", "compare"] {
        let mut args = vec![cmd, bad.to_str().unwrap()];
        match cmd {
            "import" => args.extend(["--out", "o"]),
            "compare" => args.extend(["--year", "2022"]),
            _ => {}
        }
        refused(
            &args,
            "cannot be unpacked as it was written (Invalid checksum)",
        );
    }
    // The reproducer itself (../shared/fuzz-repro/bad-crc-stored.xlsx),
    // made here from the committed Wallonia workbook: its parts stored
    // uncompressed, then one digit of a number changed in the file's bytes
    // (3.298 read as 9.298 before the CRC was checked).
    let mut bytes = crate::fuzz_inputs::zip_parts(
        &crate::fuzz_inputs::unzip(&crate::harness::wallonia()),
        true,
    );
    let sheet = bytes
        .windows(7)
        .position(|w| w == b"<c r=\"E")
        .expect("a cell of column E");
    let digit = sheet
        + bytes[sheet..]
            .windows(3)
            .position(|w| w[0] == b'>' && w[1].is_ascii_digit() && w[2] == b'.')
            .expect("a number")
        + 1;
    bytes[digit] = if bytes[digit] == b'9' { b'1' } else { b'9' };
    let wallonia = d.path("bad-crc-stored.xlsx");
    std::fs::write(&wallonia, &bytes).unwrap();
    for cmd in ["import", "compare", "check"] {
        let mut args = vec![cmd, wallonia.to_str().unwrap()];
        match cmd {
            "import" => args.extend(["--out", "o"]),
            "compare" => args.extend(["--year", "2019"]),
            _ => {}
        }
        refused(&args, "Invalid checksum");
    }
}

/// A copy of `from` with one part's bytes replaced (the others as they are).
fn with_part(from: &Path, to: &Path, part: &str, bytes: &[u8]) {
    let mut parts = crate::fuzz_inputs::unzip(from);
    for (name, b) in &mut parts {
        if name == part {
            *b = bytes.to_vec();
        }
    }
    std::fs::write(to, crate::fuzz_inputs::zip_parts(&parts, false)).unwrap();
}

/// Found by the hour of fuzzing: a mismatched end tag before the `<sst>`
/// element hid its count from a strict XML reader, while calamine reads
/// past it and reserved 96 TB (abort, exit 134).
#[test]
fn a_shared_string_count_behind_broken_xml_is_still_bounded() {
    let d = Dir::new();
    let bad = d.path("sst-behind-end-tag.xlsx");
    with_part(
        &fuzz("sst-count-single-quotes.xlsx"),
        &bad,
        "xl/sharedStrings.xml",
        br#"<?xml version="1.0"?><a></b><sst count="1" uniqueCount="96000000000000"><si><t>x</t></si></sst>"#,
    );
    for cmd in ["import", "check"] {
        let mut args = vec![cmd, bad.to_str().unwrap()];
        if cmd == "import" {
            args.extend(["--out", "o"]);
        }
        refused(&args, "declares 96000000000000 strings");
    }
}

/// Compiles a reproducer CSV in one reading mode; (exit code, output, dir).
fn compile_csv(file: &str, rows: bool) -> (i32, String, Dir) {
    let d = Dir::new();
    let path = fuzz(file);
    let mut args = vec![
        "compile",
        path.to_str().unwrap(),
        "--country",
        "XX",
        "--out",
        "o",
        "--keep-going",
    ];
    if rows {
        args.extend(["--detail", "rows"]);
    }
    let (code, text) = run(&d, &args);
    (code, text, d)
}

#[test]
fn every_row_is_read_as_written_in_both_modes() {
    for rows in [false, true] {
        // Old Mac line ends: both rows read (5C1bv 2005 and 2022).
        let (code, text, d) = compile_csv("cr-only-line-ends.csv", rows);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("rows read 2 = used 2 + rejected 0"), "{text}");
        // 21000 bodies × 0.825 kg NOx/body = 17.325 t = 0.017325 kt.
        let annex = d.path("o/annex1_2005.csv");
        assert_eq!(annex_cell(&annex, "5C1bv", "NOx"), "0.017325");
        // One lone CR among LF line ends: three rows, the 2022 one kept.
        let (code, text, d) = compile_csv("lone-cr-row-dropped.csv", rows);
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("rows read 3 = used 3 + rejected 0"), "{text}");
        // 38000 × 0.825 kg = 0.03135 kt.
        let annex = d.path("o/annex1_2022.csv");
        assert_eq!(annex_cell(&annex, "5C1bv", "NOx"), "0.03135");
        // More cells than the header: the row is rejected with its row.
        let (_, text, _) = compile_csv("extra-field-dropped.csv", rows);
        assert!(text.contains("rows read 1 = used 0 + rejected 1"), "{text}");
        assert!(
            text.contains("row 2") && text.contains("more cells than the header"),
            "{text}"
        );
        // A superscript is no digit.
        let (_, text, _) = compile_csv("superscript-digit.csv", rows);
        assert!(text.contains("rows read 1 = used 0 + rejected 1"), "{text}");
        assert!(text.contains("'²' (U+00B2)"), "{text}");
        // 66 columns, one row.
        let (_, text, _) = compile_csv("many-columns.csv", rows);
        assert!(text.contains("rows read 1 = used 1 + rejected 0"), "{text}");
        // 1000 × 1.000…0 is 1000 in both modes: 1000 × 0.825 kg = 0.000825 kt.
        let (code, text, d) = compile_csv("false-overflow.csv", rows);
        assert_eq!(code, 0, "{text}");
        assert!(
            text.contains("rows read 1000 = used 1000 + rejected 0"),
            "{text}"
        );
        assert_eq!(
            annex_cell(&d.path("o/annex1_2005.csv"), "5C1bv", "NOx"),
            "0.000825"
        );
        // A stray quote: the whole file is refused at the quote in both modes.
        let (code, text, _) = compile_csv("stray-quote-swallows-rows.csv", rows);
        assert_eq!(code, 2, "{text}");
        assert!(text.contains("row 3: a quoted field opens here"), "{text}");
    }
}

#[test]
fn rounded_emissions_are_not_marked_exact_and_negative_factors_are_refused() {
    let (code, text, d) = compile_csv("exact-flag-rounded.csv", true);
    assert_eq!(code, 0, "{text}");
    let (header, rows) = crate::harness::csv_rows(&d.path("o/detail.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let tiny: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[col("activity")] == "0.000000000000000000123456789")
        .collect();
    assert!(!tiny.is_empty());
    // 1.23456789e-19 × 8.25e-7 = 1.01851850925e-25 does not fit 28 decimals.
    let nox = tiny.iter().find(|r| r[col("pollutant")] == "NOx").unwrap();
    assert_eq!(nox[col("emission")], "0.0000000000000000000000001019");
    assert_eq!(nox[col("exact")], "rounded at 28 digits");
    // 1e9 bodies × 0.825 kg = 825 kt: exact.
    let big = rows
        .iter()
        .find(|r| r[col("activity")] == "1000000000" && r[col("pollutant")] == "NOx")
        .unwrap();
    assert_eq!(big[col("emission")], "825");
    assert_eq!(big[col("exact")], "yes");

    let factors = fuzz("negative-factor.csv");
    let waste = repo().join("inventories/example/activity/waste.csv");
    refused(
        &[
            "compile",
            waste.to_str().unwrap(),
            "--country",
            "XX",
            "--factors",
            factors.to_str().unwrap(),
            "--out",
            "o",
        ],
        "negative-factor.csv, row 2, column value: the factor -5 is negative",
    );
}

#[test]
fn devices_huge_lines_and_huge_cells_are_bounded() {
    #[cfg(unix)]
    refused(
        &["compile", "/dev/zero", "--country", "XX", "--out", "o"],
        "/dev/zero: is not a regular file",
    );
    let d = Dir::new();
    // A header of 2 MB with no line end.
    let path = d.path("long.csv");
    std::fs::write(&path, "a".repeat(2 << 20)).unwrap();
    for rows in [false, true] {
        let mut args = vec!["compile", "long.csv", "--country", "XX", "--out", "o"];
        if rows {
            args.extend(["--detail", "rows"]);
        }
        let (code, text) = run(&d, &args);
        assert_eq!(code, 2, "{text}");
        assert!(
            text.contains("row 1") && text.contains("longer than 1048576 bytes"),
            "{text}"
        );
    }
    // A 100 kB field: an error with its row and field, in both modes.
    let big = format!(
        "year,nfr,fuel,technology,value,unit\n2022,5C1bv,,,1,bodies\n2022,{},,,1,bodies\n",
        "1A".repeat(50_000)
    );
    d.write("big.csv", &big);
    for rows in [false, true] {
        let mut args = vec!["compile", "big.csv", "--country", "XX", "--out", "o"];
        if rows {
            args.extend(["--detail", "rows"]);
        }
        let started = std::time::Instant::now();
        let (code, text) = run(&d, &args);
        assert_eq!(code, 2, "{text}");
        assert!(
            text.contains("row 3: field 2 is 100000 bytes long"),
            "{text}"
        );
        assert!(started.elapsed().as_secs() < 10);
    }
    // A 20 kB NFR code is rejected quickly, and the message is short.
    let code = "1A".repeat(10_000);
    d.write(
        "code.csv",
        &format!("year,nfr,fuel,technology,value,unit\n2022,{code},,,1,bodies\n"),
    );
    let started = std::time::Instant::now();
    let (_, text) = run(
        &d,
        &[
            "compile",
            "code.csv",
            "--country",
            "XX",
            "--out",
            "o",
            "--keep-going",
        ],
    );
    assert!(started.elapsed().as_secs() < 10, "{text}");
    assert!(text.contains("rows read 1 = used 0 + rejected 1"), "{text}");
    assert!(text.len() < 5_000, "{} bytes of output", text.len());
}

// ---------------------------------------------------------------------------
// The two reading modes agree on generated files.

fn options(fuels: &Fuels) -> ReadOptions<'_> {
    ReadOptions {
        years: vec![2022, 2005],
        fuels: Some(fuels),
        ..ReadOptions::default()
    }
}

type Reading = (Vec<(String, String)>, Vec<(Option<u64>, String)>, Counts);

/// The sums per key, the rejections and the counts, or the error.
fn general(path: &Path, fuels: &Fuels) -> Result<Reading, String> {
    let mut acc = Accumulator::new(false);
    let mut rejected = Vec::new();
    let counts = activity::read_file(path, None, &options(fuels), &mut rejected, |a| acc.add(a))
        .map_err(|e| e.to_string())?;
    Ok(reading(&acc, &rejected, counts))
}

/// Sums are compared as numbers (trailing zeros of the scale written are
/// not a difference: outputs print them normalised).
fn reading(acc: &Accumulator, rejected: &[Rejection], counts: Counts) -> Reading {
    let mut keys: Vec<(String, String)> = acc
        .keys
        .iter()
        .map(|(k, t)| {
            (
                format!("{k:?}"),
                format!("{} × {}", t.value.normalize(), t.count),
            )
        })
        .collect();
    keys.sort();
    let rejections = rejected
        .iter()
        .map(|r| (r.at.row, r.reason.clone()))
        .collect();
    (keys, rejections, counts)
}

fn cases() -> u32 {
    crate::harness::fuzz_cases(64)
}

/// A field: valid texts, numbers of every form, quotes, separators,
/// spaces of several kinds, digits of other scripts and long texts.
fn field() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("2022".to_string()),
        Just("2005".to_string()),
        Just("5C1bv".to_string()),
        Just("1A1a".to_string()),
        Just("bodies".to_string()),
        Just("TJ".to_string()),
        Just("Natural gas".to_string()),
        Just("1.00000000000000000000000000".to_string()),
        Just("\"a, b\"".to_string()),
        Just("\"".to_string()),
        Just("x\"y".to_string()),
        Just(" ".to_string()),
        Just("\u{a0}".to_string()),
        Just("10²".to_string()),
        Just("\0".to_string()),
        Just("1e3".to_string()),
        Just("-1".to_string()),
        "[0-9]{1,30}(\\.[0-9]{0,30})?",
        "[ -~]{0,12}",
        Just("z".repeat(300)),
    ]
}

fn line_end() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r\n"), Just("\r")]
}

/// A file: a header (sometimes wide), then rows of generated fields, blank
/// and whitespace lines, with any line ends.
fn file() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        Just("year,nfr,fuel,technology,value,unit".to_string()),
        Just("year,nfr,fuel,technology,value,unit,source_id".to_string()),
        (60usize..80).prop_map(|n| {
            let extra: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
            format!("year,nfr,fuel,technology,value,unit,{}", extra.join(","))
        }),
    ];
    let row = prop_oneof![
        4 => (field(), field(), field()).prop_map(|(value, extra, tech)| {
            format!("2022,5C1bv,,{tech},{value},bodies,{extra}")
        }),
        2 => proptest::collection::vec(field(), 0..9).prop_map(|f| f.join(",")),
        1 => Just(String::new()),
        1 => Just("  \t ".to_string()),
        1 => Just(",,,,".to_string()),
        1 => Just("\u{a0}".to_string()),
        1 => Just(format!("2022,5C1bv,,,1,bodies{}", ",".repeat(70))),
    ];
    (
        header,
        proptest::collection::vec((row, line_end()), 0..12),
        any::<bool>(),
    )
        .prop_map(|(header, rows, end)| {
            let mut text = header + "\n";
            for (r, e) in rows {
                text.push_str(&r);
                text.push_str(e);
            }
            if !end {
                text.pop();
            }
            text
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn both_reading_modes_give_the_same_rows_counts_and_rejections(text in file(), block in 1usize..64) {
        let d = Dir::new();
        let path = d.write("a.csv", &text);
        let fuels = Fuels::built_in().clone();
        let expected = general(&path, &fuels);
        let streamed = stream::read_csv_in_blocks(&path, &options(&fuels), &Progress::default(), block)
            .map_err(|e| e.to_string());
        match streamed {
            // Handed to the general reader: nothing to compare.
            Ok(None) => {}
            Ok(Some(s)) => {
                let got = reading(&s.acc, &s.rejected, s.counts);
                prop_assert_eq!(Ok(got), expected, "{:?}", text);
            }
            Err(e) => prop_assert_eq!(Err(e), expected.map(|_| ()), "{:?}", text),
        }
    }
}

// ---------------------------------------------------------------------------
// The output folder as one transaction.

const ONE_ROW: &str = "year,nfr,fuel,technology,value,unit\n2022,5C1bv,,,38000,bodies\n";

#[test]
fn a_run_replaces_its_own_previous_set_and_leaves_other_files_alone() {
    let d = Dir::new();
    let example = repo().join("inventories/example");
    let (code, text) = run(&d, &["compile", example.to_str().unwrap(), "--out", "S"]);
    assert_eq!(code, 0, "{text}");
    assert!(d.path("S/annex1_2005.csv").exists());
    // A user's own files in the folder, a planted symlink under a
    // temporary name, and a killed run's leftovers.
    d.write("S/notes.txt", "mine");
    d.write("S/rejected.csv", "my own list");
    d.write("S/.detail.csv.airinv-tmp-4242", "half a file");
    std::fs::create_dir(d.path("S/.airinv-stage-0123456789abcdef")).unwrap();
    d.write("S/.airinv-stage-0123456789abcdef/detail.csv", "half");
    #[cfg(unix)]
    std::os::unix::fs::symlink("../victim", d.path("S/.run.json.airinv-tmp-1")).unwrap();
    d.write("a.csv", ONE_ROW);
    let (code, text) = run(&d, &["compile", "a.csv", "--country", "XX", "--out", "S"]);
    assert_eq!(code, 0, "{text}");
    // The 2005 table of the earlier run is gone (compare would read it as
    // a base year); the new 2022 one is there: 38000 × 0.825 kg = 0.03135 kt.
    assert!(!d.path("S/annex1_2005.csv").exists());
    assert_eq!(
        annex_cell(&d.path("S/annex1_2022.csv"), "5C1bv", "NOx"),
        "0.03135"
    );
    assert_eq!(d.read("S/notes.txt"), "mine");
    assert_eq!(d.read("S/rejected.csv"), "my own list");
    assert!(!d.path("victim").exists(), "a planted symlink was followed");
    let left: Vec<String> = std::fs::read_dir(d.path("S"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("airinv-tmp") || n.starts_with(".airinv-stage-"))
        .collect();
    assert!(left.is_empty(), "leftovers: {left:?}");
}

#[test]
fn a_second_run_into_a_locked_folder_stops_with_a_message() {
    let d = Dir::new();
    d.write("a.csv", ONE_ROW);
    std::fs::create_dir(d.path("S")).unwrap();
    // Another run holds the folder's lock.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(d.path("S/.airinv.lock"))
        .unwrap();
    lock.lock().unwrap();
    let (code, text) = run(&d, &["compile", "a.csv", "--country", "XX", "--out", "S"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("another airinv run is writing into this folder"),
        "{text}"
    );
    assert!(!d.path("S/run.json").exists());
    drop(lock);
    let (code, text) = run(&d, &["compile", "a.csv", "--country", "XX", "--out", "S"]);
    assert_eq!(code, 0, "{text}");
    assert!(d.path("S/run.json").exists());
}

#[test]
fn no_command_writes_over_its_own_input() {
    let d = Dir::new();
    d.write("d/detail.csv", ONE_ROW);
    let (code, text) = run(
        &d,
        &["compile", "d/detail.csv", "--country", "XX", "--out", "d"],
    );
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("detail.csv: is one of this run's inputs"),
        "{text}"
    );
    assert_eq!(d.read("d/detail.csv"), ONE_ROW);
    // An Annex I workbook imported into its own folder.
    let (code, text) = run(
        &d,
        &["compile", "d/detail.csv", "--country", "XX", "--out", "o"],
    );
    assert_eq!(code, 0, "{text}");
    let before = std::fs::read(d.path("o/annex1.xlsx")).unwrap();
    let (code, text) = run(&d, &["import", "o/annex1.xlsx", "--out", "o"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("annex1.xlsx: is one of this run's inputs"),
        "{text}"
    );
    assert_eq!(std::fs::read(d.path("o/annex1.xlsx")).unwrap(), before);
}

#[test]
fn an_activity_file_listed_twice_is_an_error() {
    let d = Dir::new();
    d.write("inv/activity/waste.csv", ONE_ROW);
    d.write(
        "inv/inventory.toml",
        "country = \"XX\"\nyears = [2022]\nactivity = [\"activity/waste.csv\", \"activity/../activity/waste.csv\"]\n",
    );
    let (code, text) = run(&d, &["compile", "inv", "--out", "o"]);
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("activity: entries 1 and 2 name the same file"),
        "{text}"
    );
}

#[test]
fn convert_does_not_write_over_its_sheet_or_mapping() {
    let d = Dir::new();
    d.write("sheet.csv", "line,coal\nPower,1\n");
    d.write("m.toml", "# a mapping\n");
    for out in ["sheet.csv", "m.toml"] {
        let (code, text) = run(
            &d,
            &["convert", "sheet.csv", "--mapping", "m.toml", "--out", out],
        );
        assert_eq!(code, 2, "{text}");
        assert!(text.contains("is one of this run's inputs"), "{text}");
    }
    assert_eq!(d.read("sheet.csv"), "line,coal\nPower,1\n");
    assert_eq!(d.read("m.toml"), "# a mapping\n");
}

#[test]
fn a_row_with_a_bad_value_and_no_unit_is_rejected_for_its_value_in_both_modes() {
    // Found by the differential test at 100 000 cases: the streaming reader
    // named the missing unit, the general reader the value.
    let d = Dir::new();
    let path = d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit\n2022,5C1bv,, ,zz,\n",
    );
    let fuels = Fuels::built_in().clone();
    let expected = general(&path, &fuels).unwrap();
    assert_eq!(
        expected.1,
        vec![(Some(2), "'zz' is not a number".to_string())]
    );
    let s = stream::read_csv_in_blocks(&path, &options(&fuels), &Progress::default(), 7)
        .unwrap()
        .expect("a plain file is streamed");
    assert_eq!(reading(&s.acc, &s.rejected, s.counts), expected);
}

/// The files of an output folder a user sees (not the hidden ones), each
/// with its digest; for run.json (which names the output folder) the
/// inventory it records.
fn visible_set(dir: &Path) -> std::collections::BTreeMap<String, String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .map(|n| {
            let p = dir.join(&n);
            let print = if n == "run.json" {
                let record: serde_json::Value =
                    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
                record["inventory"].to_string()
            } else if n.ends_with(".xlsx") {
                xlsx_print(&p)
            } else {
                airinv::digest::file(&p).unwrap()
            };
            (n, print)
        })
        .collect()
}

/// The parts of a workbook but its document properties (which hold the time
/// it was made), in one text.
fn xlsx_print(path: &Path) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut print = String::new();
    for i in 0..zip.len() {
        let part = zip.by_index(i).unwrap();
        let name = part.name().unwrap().into_owned();
        if name != "docProps/core.xml" {
            print.push_str(&format!("{name}:{} ", part.crc32()));
        }
    }
    print
}

/// Copies an output folder (hidden files too: the list of outputs).
fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// The seed of the delays of the kill and concurrency tests: fixed, so a
/// run is repeatable; `AIRINV_TEST_SEED` sets another (the seed is
/// printed when a test fails).
fn seed() -> u64 {
    std::env::var("AIRINV_TEST_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_a1b2_c3d4)
}

/// A small deterministic generator of delays (a linear congruential one).
fn next(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

/// The compile of `inventory` into `out`, as a child process.
fn spawn_compile(d: &Dir, inventory: &Path, out: &str) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin!("airinv"))
        .current_dir(d.path(""))
        .args(["compile", inventory.to_str().unwrap(), "--out", out])
        .args(["--detail", "rows"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// The old and the new set of outputs, each from a clean run.
fn reference_sets(d: &Dir) -> (PathBuf, PathBuf) {
    let (old, new) = (
        repo().join("inventories/example"),
        repo().join("inventories/kazakhstan"),
    );
    for (inv, out) in [(&old, "old"), (&new, "new")] {
        let status = spawn_compile(d, inv, out).wait().unwrap();
        assert!(status.success(), "{}", inv.display());
    }
    (d.path("old"), d.path("new"))
}

/// kill -9 at random moments of a run (spread over its whole length,
/// before, during and after writing) leaves either the old set with its
/// run.json, or no run.json and a journal; the next command reading the
/// folder completes the new set.
#[test]
fn a_run_killed_at_random_points_leaves_the_old_set_or_the_new_one() {
    let d = Dir::new();
    let (old, new) = reference_sets(&d);
    let (old_set, new_set) = (visible_set(&old), visible_set(&new));
    assert_ne!(
        old_set.keys().collect::<Vec<_>>(),
        new_set.keys().collect::<Vec<_>>()
    );
    // How long a whole run takes here.
    let started = std::time::Instant::now();
    copy_folder(&old, &d.path("t"));
    assert!(
        spawn_compile(&d, &repo().join("inventories/kazakhstan"), "t")
            .wait()
            .unwrap()
            .success()
    );
    let whole = started.elapsed().as_micros() as u64;
    assert_eq!(visible_set(&d.path("t")), new_set);

    let mut seed = seed();
    let first_seed = seed;
    let trials = 12u64;
    let (mut saw_old, mut saw_new, mut saw_journal) = (0, 0, 0);
    for trial in 0..trials {
        let out = format!("k{trial}");
        let dir = d.path(&out);
        copy_folder(&old, &dir);
        // One moment in each twelfth of 1.2 × the run's length.
        let span = whole * 12 / 10 / trials;
        let at = span * trial + next(&mut seed) % span.max(1);
        let mut child = spawn_compile(&d, &repo().join("inventories/kazakhstan"), &out);
        std::thread::sleep(std::time::Duration::from_micros(at));
        let _ = child.kill(); // SIGKILL; the run may have ended already
        child.wait().unwrap();
        let now = visible_set(&dir);
        match now.get("run.json") {
            Some(r) if Some(r) == old_set.get("run.json") => {
                assert_eq!(
                    now, old_set,
                    "trial {trial}, killed at {at} µs, seed {first_seed}"
                );
                saw_old += 1;
            }
            Some(_) => {
                assert_eq!(
                    now, new_set,
                    "trial {trial}, killed at {at} µs, seed {first_seed}"
                );
                saw_new += 1;
            }
            None => {
                assert!(
                    dir.join(".airinv-commit").exists(),
                    "trial {trial}: no run.json, no journal (seed {first_seed})"
                );
                saw_journal += 1;
            }
        }
        // Any command reading the folder completes a stopped commit.
        let (_, text) = run(&d, &["check", &out]);
        assert!(!text.contains("another airinv run"), "{text}");
        let after = visible_set(&dir);
        assert!(
            after == old_set || after == new_set,
            "trial {trial}: a mix after check"
        );
        assert!(!dir.join(".airinv-commit").exists());
    }
    eprintln!("killed runs left: old set {saw_old}, new set {saw_new}, journal {saw_journal}");
    // The first kill comes in the first twelfth of the run, long before
    // anything is put in place: the kills did reach into the run.
    assert!(saw_old >= 1, "no kill left the old set");
}

/// A copy of the Kazakhstan inventory under another name (the same work,
/// different outputs).
fn kazakhstan_named(d: &Dir, name: &str) -> PathBuf {
    let from = repo().join("inventories/kazakhstan");
    let to = d.path(name);
    copy_folder(&from, &to);
    copy_folder(&from.join("activity"), &to.join("activity"));
    let toml = std::fs::read_to_string(to.join("inventory.toml")).unwrap();
    let toml = toml.replacen("name = \"Kazakhstan\"", &format!("name = \"{name}\""), 1);
    std::fs::write(to.join("inventory.toml"), toml).unwrap();
    to
}

/// Sends a signal (`STOP`, `CONT`) to a child process.
fn signal(child: &std::process::Child, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success(), "kill -{name}");
}

/// Whether a run holds `out`'s lock: its staging folder exists only then.
fn staging_in(out: &Path) -> bool {
    std::fs::read_dir(out).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".airinv-stage-")
        })
    })
}

/// Two real runs into one folder. First with the overlap forced: run A
/// is stopped (SIGSTOP) while it holds the folder's lock and writes; run
/// B, started then, must stop with the message and leave A's writing
/// alone; A, continued, writes its whole set. Then rounds started
/// together with a seeded delay between them (`AIRINV_TEST_SEED`): each
/// run writes its whole set or stops with the message, never a mix.
#[test]
fn two_runs_into_one_folder_never_interleave() {
    let d = Dir::new();
    let (a, b) = (kazakhstan_named(&d, "KZ-A"), kazakhstan_named(&d, "KZ-B"));
    for (inv, out) in [(&a, "ref-a"), (&b, "ref-b")] {
        assert!(spawn_compile(&d, inv, out).wait().unwrap().success());
    }
    let (set_a, set_b) = (visible_set(&d.path("ref-a")), visible_set(&d.path("ref-b")));
    assert_ne!(set_a["run.json"], set_b["run.json"]);
    let finish = |mut child: std::process::Child| -> (Option<i32>, String) {
        let status = child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        (status.code(), err)
    };
    // The forced overlap: A caught holding the lock (a few tries, in case
    // a run writes its set before it is caught).
    let mut forced = false;
    for attempt in 0..5 {
        let out = format!("f{attempt}");
        let first = spawn_compile(&d, &a, &out);
        let started = std::time::Instant::now();
        while !staging_in(&d.path(&out)) && started.elapsed().as_secs() < 120 {
            std::thread::yield_now();
        }
        signal(&first, "STOP");
        if !staging_in(&d.path(&out)) {
            signal(&first, "CONT");
            let (code, err) = finish(first);
            assert_eq!(code, Some(0), "{err}");
            continue;
        }
        let (code, err) = finish(spawn_compile(&d, &b, &out));
        signal(&first, "CONT");
        assert_eq!(code, Some(2), "B ran while A held the folder: {err}");
        assert!(
            err.contains("another airinv run is writing into this folder"),
            "{err}"
        );
        let (code, err) = finish(first);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(visible_set(&d.path(&out)), set_a, "A's whole set");
        forced = true;
        break;
    }
    assert!(forced, "run A was never caught holding the folder's lock");
    let mut seed = seed();
    let first_seed = seed;
    let mut refused = 0;
    for round in 0..3 {
        let out = format!("c{round}");
        let first = spawn_compile(&d, &a, &out);
        std::thread::sleep(std::time::Duration::from_millis(next(&mut seed) % 200));
        let second = spawn_compile(&d, &b, &out);
        let mut ok = 0;
        for child in [first, second] {
            match finish(child) {
                (Some(0), _) => ok += 1,
                (code, err) => {
                    assert_eq!(code, Some(2), "{err}");
                    assert!(
                        err.contains("another airinv run is writing into this folder"),
                        "{err}"
                    );
                    refused += 1;
                }
            }
        }
        assert!(
            ok >= 1,
            "round {round} (seed {first_seed}): neither run wrote"
        );
        let now = visible_set(&d.path(&out));
        assert!(
            now == set_a || now == set_b,
            "round {round} (seed {first_seed}): a mix"
        );
    }
    eprintln!("runs refused because the other held the folder: {refused} of 6");
}
