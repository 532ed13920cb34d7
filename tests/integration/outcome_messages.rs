//! One outcome, one message (issue 29): a compile that writes nothing says
//! so first and prints no totals, its errors list the inventory's `years`
//! (not the basis years of gap filling), every exit code is the README's,
//! and a line of only separators and blanks is counted.

use crate::harness::{Dir, annex_cell, repo};

const HEADER: &str = "year,nfr,fuel,technology,value,unit\n";

/// An inventory of 2022 and 2023 whose 1A4bi fill for 2023 reads 2020 and
/// 2021 as basis years (read for the fill only), with `extra` activity rows.
fn inventory_with_a_fill(d: &Dir, extra: &str) {
    d.write(
        "inv/inventory.toml",
        "country = \"KZ\"\nyears = [2022, 2023]\nactivity = [\"a.csv\"]\n\n\
         [[fill]]\nnfr = \"1A4bi\"\nyears = [2023]\nmethod = \"extrapolation\"\n\
         basis = [2020, 2021, 2022]\nnote = \"no 2023 census yet\"\n",
    );
    d.write(
        "inv/a.csv",
        &format!(
            "{HEADER}2020,1A4bi,Natural gas,,100,TJ\n2021,1A4bi,Natural gas,,110,TJ\n2022,1A4bi,Natural gas,,120,TJ\n\
             2022,1A1a,Natural gas,,10000,TJ\n{extra}"
        ),
    );
}

#[test]
fn a_row_of_a_year_not_in_years_stops_the_compile_and_says_so_first() {
    let d = Dir::new();
    inventory_with_a_fill(&d, "2025,1A1a,Natural gas,,5000,TJ\n");
    let out = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // README, compile's exit codes: 2, nothing written.
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(!d.path("out/annex1.xlsx").exists());
    assert!(!d.path("out/annex1_2022.csv").exists());
    // The first line says it was not written, with the number of rows.
    assert_eq!(
        stderr.lines().next().unwrap_or(""),
        "error: the inventory was not written: 1 input row(s) were rejected; fix them (listed below and in rejected.csv) or run with --keep-going to write it without them",
        "{stderr}"
    );
    // No national totals of what was not written (10 000 TJ × 89 g/GJ
    // would print 0.89 kt of NOx).
    assert!(!stdout.contains("national total"), "{stdout}");
    assert!(!stdout.contains("0.89"), "{stdout}");
    // The years listed are the inventory's (2022, 2023), not the basis
    // years 2020 and 2021 the fill reads.
    assert!(
        stderr.contains(
            "a.csv, row 6, column year: 2025 is not one of the inventory's years (2022, 2023); add it to years in inventory.toml or remove the row"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("2020, 2021"), "{stderr}");
    // Rows 2-6: the five rows are read, one rejected.
    assert!(
        stdout.contains("rows read 5 = used 4 + rejected 1"),
        "{stdout}"
    );
    // With the row removed, the same inventory compiles (exit 0) and prints
    // the national totals: NOx 10 000 TJ × 89 g/GJ (1A1a) + 120 TJ × 51 g/GJ
    // (1A4bi) = 0.89 + 0.00612 = 0.89612 kt, shown to 4 digits.
    let d = Dir::new();
    inventory_with_a_fill(&d, "");
    let stdout = d.run_ok(&["compile", "inv", "--out", "out"]);
    assert!(
        stdout.contains("2022 national total: NOx 0.8961 kt"),
        "{stdout}"
    );
    assert_eq!(
        annex_cell(&d.path("out/annex1_2022.csv"), "1A1a", "NOx"),
        "0.89"
    );
}

/// Compile's exit code and whether annex1.xlsx was written.
fn compile_outcome(d: &Dir, args: &[&str]) -> (Option<i32>, bool) {
    let out = d.airinv().args(args).output().unwrap();
    let code = out.status.code();
    let written = d.path("out/annex1.xlsx").exists();
    let _ = std::fs::remove_dir_all(d.path("out"));
    (code, written)
}

#[test]
fn compiles_exit_codes_are_the_readmes() {
    // The README's sentence on compile's exit codes, as it is written.
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let flat = readme.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains(
            "Exit codes: 0 done, 1 written but some input rows were rejected (with --keep-going), 2 input unusable or rows rejected without --keep-going (nothing written)."
        ),
        "README's compile exit codes changed: update this test"
    );
    let d = Dir::new();
    d.write(
        "good.csv",
        &format!("{HEADER}2022,1A1a,Natural gas,,10000,TJ\n"),
    );
    d.write(
        "bad.csv",
        &format!("{HEADER}2022,1A1a,Natural gas,,10000,TJ\n2022,1A1a,Natural gas,,abc,TJ\n"),
    );
    d.write("unusable.csv", "year,code,amount\n2022,1A1a,5\n");
    let base = ["--out", "out", "--country", "KZ"];
    let run = |file: &str, more: &[&str]| {
        let mut a = vec!["compile", file];
        a.extend(base);
        a.extend(more);
        compile_outcome(&d, &a)
    };
    // 0: done.
    assert_eq!(run("good.csv", &[]), (Some(0), true));
    // 1: written, a row rejected (with --keep-going).
    assert_eq!(run("bad.csv", &["--keep-going"]), (Some(1), true));
    // 2: a row rejected without --keep-going: nothing written.
    assert_eq!(run("bad.csv", &[]), (Some(2), false));
    // 2: not activity data: nothing written.
    assert_eq!(run("unusable.csv", &[]), (Some(2), false));
    assert_eq!(run("unusable.csv", &["--keep-going"]), (Some(2), false));
    // 2: a file that is not there.
    assert_eq!(run("missing.csv", &[]), (Some(2), false));
}

#[test]
fn a_line_of_separators_and_blanks_is_counted_as_blank() {
    // Line 3 holds only separators and blanks, line 5 nothing; semicolons
    // (read whole) and commas (streamed with --detail keys, read whole with
    // --detail rows) count them alike.
    for (sep, detail) in [(";", "keys"), (",", "keys"), (",", "rows")] {
        let d = Dir::new();
        let text = "year;nfr;fuel;technology;value;unit\n2022;1A1a;Natural gas;;10000;TJ\n ; ; \n2022;1A1a;Natural gas;;5000;TJ\n\n2022;1A1a;Natural gas;;x;TJ\n"
            .replace(';', sep);
        d.write("a.csv", &text);
        let out = d
            .airinv()
            .args([
                "compile",
                "a.csv",
                "--out",
                "out",
                "--country",
                "KZ",
                "--keep-going",
                "--detail",
                detail,
            ])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{sep} {detail}: {stdout}");
        // Five lines after the header: two rows used, one rejected, two blank.
        assert!(
            stdout.contains("rows read 3 = used 2 + rejected 1; 2 blank line(s) skipped as blank"),
            "{sep} {detail}: {stdout}"
        );
        // 15 000 TJ × 89 g/GJ = 1.335 kt NOx.
        assert_eq!(
            annex_cell(&d.path("out/annex1_2022.csv"), "1A1a", "NOx"),
            "1.335"
        );
    }
}
