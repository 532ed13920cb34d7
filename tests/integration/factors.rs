//! `airinv factors`: lookup, import of the EEA export, problems.

use crate::harness::{Dir, repo, shared};

#[test]
fn lookup_prints_factor_unit_ci_and_reference() {
    let d = Dir::new();
    let out = d
        .airinv()
        .args(["factors", "1A1a", "--fuel", "Natural gas"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let nox = text
        .lines()
        .find(|l| l.contains(": NOx "))
        .expect("a NOx line");
    assert!(nox.contains("NOx 89 g/GJ, "), "{nox}");
    assert!(nox.contains("95% CI 15.6-180"), "{nox}");
    assert!(nox.contains("US EPA (1998), chapter 1.4"), "{nox}");
    // An alias finds the chapter's fuel group.
    let out = d
        .airinv()
        .args([
            "factors",
            "1.A.2.a",
            "--fuel",
            "natural_gas",
            "--pollutant",
            "NOx",
            "--tier",
            "1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("fuel Gaseous Fuels: NOx 74 g/GJ"), "{text}");
}

#[test]
fn lookup_is_sorted_with_one_unit_spelling_and_other_formats() {
    let d = Dir::new();
    let out = d
        .airinv()
        .args(["factors", "1A1a", "--fuel", "Hard coal"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("Tier")).collect();
    assert!(lines.len() > 20, "{text}");
    // Tier 1 before Tier 2; within a table, pollutants in template order.
    let first_tier2 = lines.iter().position(|l| l.starts_with("Tier 2"));
    if let Some(i) = first_tier2 {
        assert!(lines[i..].iter().all(|l| l.starts_with("Tier 2")), "{text}");
    }
    let nox = lines.iter().position(|l| l.contains(": NOx ")).unwrap();
    let hg = lines.iter().position(|l| l.contains(": Hg ")).unwrap();
    assert!(nox < hg, "{text}");
    // Micrograms one way, and the unit once.
    assert!(!text.contains(" ug/"), "{text}");
    assert!(!text.contains('['), "{text}");
    assert!(text.contains(" µg/GJ"), "{text}");
    // CSV: a header and one line per factor.
    let out = d
        .airinv()
        .args(["factors", "1A1a", "--fuel", "Hard coal", "--format", "csv"])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.starts_with("id,codes,tier,table,fuel,technology,abatement,region,pollutant,value,unit,ci_lower,ci_upper,reference\n"), "{csv}");
    assert_eq!(csv.lines().count(), lines.len() + 1);
    // JSON: the same factors as objects.
    let out = d
        .airinv()
        .args([
            "factors",
            "1A1a",
            "--fuel",
            "Natural gas",
            "--pollutant",
            "NOx",
            "--tier",
            "1",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["value"], "89");
    assert_eq!(v[0]["unit"], "g/GJ");
    assert_eq!(v[0]["pollutant"], "NOx");
}

#[test]
fn an_unknown_fuel_is_an_error_with_the_closest_names() {
    let d = Dir::new();
    let out = d
        .airinv()
        .args(["factors", "1A4bi", "--fuel", "Natual gas"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--fuel 'Natual gas' is not a fuel")
            && err.contains("did you mean 'Natural gas'"),
        "{err}"
    );
    let out = d
        .airinv()
        .args(["factors", "1A4bi", "--fuel", "ugol"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn problems_of_one_code() {
    let d = Dir::new();
    let out = d
        .airinv()
        .args(["factors", "--problems", "1A1a"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<&str> = text.lines().skip(1).collect();
    assert!(!rows.is_empty(), "{text}");
    // Every row is of 1.A.1.a (the first such row of the export is row 42).
    assert!(
        rows.iter().all(|r| r.split(',').nth(1) == Some("1.A.1.a")),
        "{text}"
    );
    assert!(rows[0].starts_with("42,1.A.1.a,Table_3-2,"), "{text}");
}

#[test]
fn the_shipped_factor_file_is_what_the_importer_makes_of_the_export() {
    let Some(export) = shared("reference/emep-eea-2023-efdb.csv") else {
        return;
    };
    let d = Dir::new();
    let out = d
        .airinv()
        .args([
            "factors",
            "import",
            export.to_str().unwrap(),
            "--out",
            "f.csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    // Every row is accounted for.
    let line = report.lines().next().unwrap();
    let nums: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect();
    assert_eq!(nums[0], 13_336, "{line}");
    assert_eq!(nums[0], nums[1] + nums[2], "{line}");
    // The committed files are reproducible from the export.
    assert_eq!(
        d.read("f.csv"),
        std::fs::read_to_string(repo().join("emission-factors/emep-eea-2023.csv")).unwrap()
    );
    assert_eq!(
        d.read("f-problems.csv"),
        std::fs::read_to_string(repo().join("emission-factors/emep-eea-2023-problems.csv"))
            .unwrap()
    );
}

#[test]
fn problems_list_row_and_reason_of_what_is_not_used() {
    let d = Dir::new();
    let out = d.airinv().args(["factors", "--problems"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("row,nfr,table,type,technology,fuel,pollutant,value,unit,category,reason")
    );
    assert!(
        text.contains("0,0066 or 0,13"),
        "the two-value cell is listed"
    );
    assert!(
        text.lines()
            .any(|l| l.contains(",na,") && l.contains("value not usable"))
    );
    assert!(text.lines().any(|l| l.contains("WHO-TEQ")));
    assert!(
        text.lines().skip(1).all(|l| !l.ends_with(',')),
        "every problem has a reason"
    );
}

#[test]
fn an_export_with_other_columns_is_refused() {
    let d = Dir::new();
    d.write("x.csv", "NFR,Pollutant,Value\n1.A.1.a,NOx,89\n");
    let out = d
        .airinv()
        .args(["factors", "import", "x.csv", "--out", "f.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not an EMEP/EEA emission factor export")
    );
    assert!(!d.path("f.csv").exists());
}

#[test]
fn the_1a2_tier1_set_is_the_same_for_every_1a2_stationary_row() {
    // Why 1.A.2.a's factors are applied to 1A2f (the export has no 1.A.2.f rows).
    let factors = airinv::emission_factor::embedded().unwrap();
    let set = |code: &str| -> Vec<String> {
        let mut v: Vec<String> = factors
            .iter()
            .filter(|f| f.source_code == code && f.pins.tier == Some(airinv::pins::Tier::One))
            .map(|f| {
                format!(
                    "{}|{}|{}|{}",
                    airinv::pins::text(&f.fuel),
                    f.pollutant,
                    f.value,
                    f.unit_text
                )
            })
            .collect();
        v.sort();
        v
    };
    let a = set("1.A.2.a");
    assert!(!a.is_empty());
    for code in ["1.A.2.b", "1.A.2.c", "1.A.2.d", "1.A.2.e", "1.A.2.g.viii"] {
        assert_eq!(set(code), a, "{code}");
    }
    assert!(
        factors
            .iter()
            .any(|f| f.source_code == "1.A.2.a" && f.annex1_codes.contains(&"1A2f".to_string()))
    );
}

/// A closed pipe (`airinv factors --problems | head -1`) ends the program
/// quietly with exit 0, as ripgrep and xsv do, never with a panic.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("airinv"))
        .args(["factors", "--problems"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one line, then close the pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 64];
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0);
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_unknown_code_is_said_without_an_empty_place() {
    let d = Dir::new();
    let out = d.airinv().args(["factors", "1A4b"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with("error: '1A4b' is not an NFR code of the Annex I template (NFR 2019-1); did you mean 1A4bi"),
        "{err}"
    );
}

/// `--pollutant` takes an id in any case or a Guidebook name (SO2 is SOx,
/// PM25 is PM2.5); anything else is refused by the command line, exit 2,
/// with the ids; `--format text` is the table.
#[test]
fn pollutants_are_ids_or_guidebook_names_and_text_is_the_table() {
    let d = Dir::new();
    let lookup = |pollutant: &str, format: &str| {
        d.airinv()
            .args(["factors", "1A1a", "--fuel", "Natural gas", "--tier", "1"])
            .args(["--pollutant", pollutant, "--format", format])
            .output()
            .unwrap()
    };
    let table = lookup("SOx", "table");
    assert!(table.status.success());
    let table = String::from_utf8_lossy(&table.stdout).to_string();
    // The Guidebook's Table 3-4 (natural gas in public electricity): SOx
    // 0.244 g/GJ (EU region) and 0.281 g/GJ (US region).
    assert!(table.contains("EU Region: SOx 0.244 g/GJ"), "{table}");
    assert!(table.contains("US Region: SOx 0.281 g/GJ"), "{table}");
    for (name, format) in [("so2", "table"), ("sox", "text"), ("SO2", "text")] {
        let out = lookup(name, format);
        assert_eq!(String::from_utf8_lossy(&out.stdout), table, "{name}");
    }
    let pm = lookup("pm25", "json");
    let v: serde_json::Value = serde_json::from_slice(&pm.stdout).unwrap();
    assert!(v.as_array().is_some_and(|a| !a.is_empty()));
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|f| f["pollutant"] == "PM2.5")
    );
    let bad = lookup("CO2", "table");
    assert_eq!(bad.status.code(), Some(2));
    let e = String::from_utf8_lossy(&bad.stderr);
    assert!(
        e.contains("'CO2'") && e.contains("PM2.5") && e.contains("PCDD/F"),
        "{e}"
    );
}
