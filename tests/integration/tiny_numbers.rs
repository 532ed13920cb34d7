//! Tiny numbers kept (issue 29): a value with digits beyond the 28th
//! decimal place is rounded to 28 places and marked, in a workbook and in a
//! CSV activity file; only values beyond the range of decimals (`1e308`)
//! are unreadable.

use crate::harness::{Dir, annex_cell};
use crate::import::template_workbook;

/// 1.80952540538742e-15 = 0.00000000000000180952540538742: 14 zeros after
/// the point, then 15 digits, 29 places. Rounded to 28 places the last
/// digit (2) goes, down: 0.0000000000000018095254053874.
const TINY: f64 = 1.80952540538742e-15;
const TINY_28: &str = "0.0000000000000018095254053874";

#[test]
fn a_tiny_workbook_value_imports_rounded_to_28_places_and_marked() {
    let d = Dir::new();
    // The UK's 2024 submission has this value (sheet NFR-19 2003, AI21);
    // here in H27 (1A3bi, NH3) of a template sheet.
    template_workbook(&d, "tiny.xlsx", |ws| {
        ws.write_number(26, 7, TINY)?;
        Ok(())
    });
    let out = d
        .airinv()
        .args(["import", "tiny.xlsx", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Kept: no finding, exit 0.
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "sheet 2019, cell H27: 1.80952540538742e-15 has digits beyond the 28th decimal place, which exact decimals do not hold: rounded to {TINY_28}"
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("unreadable"), "{stderr}");
    let csv = d.path("out/annex1_2019.csv");
    assert_eq!(annex_cell(&csv, "1A3bi", "NH3"), TINY_28);
    assert_eq!(annex_cell(&csv, "1A1a", "NOx"), "3.29811832");
}

#[test]
fn a_workbook_value_beyond_the_range_of_decimals_is_unreadable() {
    let d = Dir::new();
    template_workbook(&d, "huge.xlsx", |ws| {
        ws.write_number(26, 7, 1e308)?;
        Ok(())
    });
    let out = d
        .airinv()
        .args(["import", "huge.xlsx", "--out", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Written with a finding: exit 1 (README, import).
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "unreadable: huge.xlsx, sheet 2019, cell H27: '1e308' is beyond the range of exact decimals"
        ),
        "{stderr}"
    );
    assert_eq!(
        annex_cell(&d.path("out/annex1_2019.csv"), "1A3bi", "NH3"),
        ""
    );
}

#[test]
fn a_tiny_csv_activity_value_is_rounded_to_28_places_and_a_huge_one_rejected() {
    for detail in ["keys", "rows"] {
        let d = Dir::new();
        d.write(
            "a.csv",
            "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,1.80952540538742e-15,TJ\n2022,1A1b,Natural gas,,1e308,TJ\n",
        );
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
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{detail}: {stderr}");
        assert!(
            stderr.contains(
                "a.csv, row 3, column value: '1e308' is beyond the range of exact decimals"
            ),
            "{detail}: {stderr}"
        );
        assert!(
            stdout.contains("rows read 2 = used 1 + rejected 1"),
            "{detail}: {stdout}"
        );
        assert!(
            stdout.contains("1 activity value(s) had digits beyond the 28th decimal place, which exact decimals do not hold: rounded to 28 places"),
            "{detail}: {stdout}"
        );
        let csv = d.path("out/annex1_2022.csv");
        assert_eq!(annex_cell(&csv, "1A1a", "gaseous_fuels_tj"), TINY_28);
    }
}

#[test]
fn a_tiny_number_in_inventory_toml_is_rounded_to_28_places_marked_and_a_huge_one_refused() {
    let activity = "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,10000,TJ\n";
    // As text and as a TOML float: the same 28-place value.
    for written in ["\"1.80952540538742e-15\"", "1.80952540538742e-15"] {
        let d = Dir::new();
        d.write(
            "inv/inventory.toml",
            &format!("country = \"KZ\"\nyears = [2022]\nactivity = [\"a.csv\"]\n[sulphur]\nDiesel = {written}\n"),
        );
        d.write("inv/a.csv", activity);
        let source = airinv::Source::open_activity(&d.path("inv")).unwrap();
        assert_eq!(
            source.inventory().unwrap().sulphur,
            vec![("Diesel".to_string(), crate::harness::dec(TINY_28))],
            "{written}"
        );
        // And compile says so.
        let out = d
            .airinv()
            .args(["compile", "inv", "--out", "out"])
            .output()
            .unwrap();
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(out.status.code(), Some(0), "{all}");
        let line = all
            .lines()
            .find(|l| l.contains("inventory.toml [sulphur] Diesel: "))
            .unwrap_or_else(|| panic!("{written}: no line on the value: {all}"));
        assert!(
            line.ends_with(&format!(
                "has digits beyond the 28th decimal place, which exact decimals do not hold: rounded to {TINY_28}"
            )),
            "{line}"
        );
    }
    let d = Dir::new();
    d.write(
        "inv/inventory.toml",
        "years = [2022]\nactivity = [\"a.csv\"]\n[sulphur]\nDiesel = 1e308\n",
    );
    d.write("inv/a.csv", activity);
    let err = match airinv::Source::open_activity(&d.path("inv")) {
        Ok(_) => panic!("1e308 is refused"),
        Err(e) => e.to_string(),
    };
    assert!(
        err.contains("Diesel: '1e308' is beyond the range of exact decimals"),
        "{err}"
    );
}
