//! Activity without emissions (issue 23): the Guidebook's own fallbacks
//! applied by hand-computed factors, every activity without a factor named
//! by compile, detail.csv and check, declared cases, Russian fuel names.

use crate::harness::{Dir, csv_rows};

const HEADER: &str = "year,nfr,fuel,value,unit,tier,technology\n";

fn inventory(d: &Dir, activity: &str, extra: &str) {
    d.write(
        "inv/inventory.toml",
        &format!("name = \"T\"\ncountry = \"KZ\"\nactivity = [\"a.csv\"]\n{extra}"),
    );
    let rows: String = activity.lines().map(|l| format!("{l},\n")).collect();
    d.write("inv/a.csv", &format!("{HEADER}{rows}"));
}

/// detail.csv's lines of a row and fuel: (pollutant, factor_table, emission, why).
fn detail(d: &Dir, code: &str, fuel: &str) -> Vec<(String, String, String, String)> {
    let (h, rows) = csv_rows(&d.path("out/detail.csv"));
    let at = |n: &str| h.iter().position(|c| c == n).unwrap();
    rows.iter()
        .filter(|r| r[at("code")] == code && r[at("fuel")] == fuel)
        .map(|r| {
            (
                r[at("pollutant")].clone(),
                r[at("factor_table")].clone(),
                r[at("emission")].clone(),
                r[at("why")].clone(),
            )
        })
        .collect()
}

fn emission(lines: &[(String, String, String, String)], p: &str) -> (String, String, String) {
    let l = lines
        .iter()
        .find(|l| l.0 == p)
        .unwrap_or_else(|| panic!("no {p} line in {lines:?}"));
    (l.1.clone(), l.2.clone(), l.3.clone())
}

#[test]
fn the_guidebooks_fallbacks_give_the_factor_they_cite() {
    let d = Dir::new();
    inventory(
        &d,
        "2022,1A1b,Refinery Gas,1000,TJ,2\n\
         2022,1A1c,Natural gas,1000,TJ,\n\
         2022,1A1c,Coke oven gas,1000,TJ,\n\
         2022,1A3ei,Natural gas,1000,TJ,\n",
        "",
    );
    d.run_ok(&["compile", "inv", "--out", "out", "-q"]);
    // 1.A.1.b Tier 2 Table 4-4 (refinery gas; the export labels it residual
    // oil, emission-factors/corrections.csv): NOx 63 g/GJ.
    // 1000 TJ = 10^6 GJ × 63 g = 63 t = 0.063 kt.
    let (table, e, why) = emission(&detail(&d, "1A1b", "Refinery Gas"), "NOx");
    assert_eq!((table.as_str(), e.as_str()), ("Table_4-4", "0.063"));
    assert!(
        why.contains("corrections.csv") && why.contains("used 'Refinery Gas'"),
        "{why}"
    );
    // 1A1c natural gas: the 1.A.1.a Tier 1 natural gas factor (Table 3-4),
    // NOx 89 g/GJ: 0.089 kt; SOx (KZ, outside the EU) 0.281 g/GJ.
    let gas = detail(&d, "1A1c", "Natural gas");
    let (table, e, why) = emission(&gas, "NOx");
    assert_eq!((table.as_str(), e.as_str()), ("Table_3-4", "0.089"));
    assert!(
        why.contains("Guidebook guidance") && why.contains("1A1a"),
        "{why}"
    );
    assert_eq!(emission(&gas, "SOx").1, "0.000281");
    // Coke-oven gas in 1A1c: 1.A.1.a Table 3-5 (derived gases), NOx 25 g/GJ.
    let (table, e, _) = emission(&detail(&d, "1A1c", "Coke oven gas"), "NOx");
    assert_eq!((table.as_str(), e.as_str()), ("Table_3-5", "0.025"));
    // Pipeline compressors: the 1.A.2 Tier 1 gaseous fuels (Table 3-3),
    // NOx 74 g/GJ: 0.074 kt.
    let (table, e, why) = emission(&detail(&d, "1A3ei", "Natural gas"), "NOx");
    assert_eq!((table.as_str(), e.as_str()), ("Table_3-3", "0.074"));
    assert!(why.contains("1.A.3.e.i"), "{why}");
    // The Annex I cell is the sum: 1A1c NOx 0.089 + 0.025.
    let (h, rows) = csv_rows(&d.path("out/annex1_2022.csv"));
    let code = h.iter().position(|c| c == "code").unwrap();
    let row = rows.iter().find(|r| r[code] == "1A1c").unwrap();
    let nox = h.iter().position(|c| c == "NOx").unwrap();
    assert_eq!(row[nox], "0.114");
}

#[test]
fn activity_without_a_factor_is_named_by_compile_detail_and_check() {
    let d = Dir::new();
    // Crude oil burnt at oil fields: 1.A.1.a (the 1A1c fallback) has no
    // table for it, nor has 1A1c.
    inventory(
        &d,
        "2022,1A1c,Natural gas,900,TJ,\n2022,1A1c,Crude oil,100,TJ,\n",
        "",
    );
    let out = d.run_ok(&["compile", "inv", "--out", "out", "-q"]);
    assert!(
        out.contains("2022 1A1c Crude oil: 100 TJ (10 % of the row) without a factor for NOx"),
        "{out}"
    );
    assert!(
        out.contains("2022: fuel without a NOx factor 100 TJ (100 TJ not declared)"),
        "{out}"
    );
    let crude = detail(&d, "1A1c", "Crude oil");
    let (table, e, why) = emission(&crude, "NOx");
    assert_eq!((table.as_str(), e.as_str()), ("", ""));
    assert!(
        why.starts_with("no NOx factor: fuel 'Crude oil'") && why.contains("1A1c, then 1A1a"),
        "{why}"
    );
    // check: an error at the cell, exit 1.
    let o = d.airinv().args(["check", "inv"]).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let text = String::from_utf8_lossy(&o.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("completeness.activity-without-factor") && l.contains("E16"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("error") && line.contains("Crude oil 100 TJ"),
        "{line}"
    );
    // Declared with its reason: an info naming it, no error of the check.
    inventory(
        &d,
        "2022,1A1c,Natural gas,900,TJ,\n2022,1A1c,Crude oil,100,TJ,\n",
        "\n[[without_factor]]\ncode = \"1A1c\"\nfuel = \"crude oil\"\nreason = \"no Guidebook factor for crude oil burnt; national factor being measured\"\n",
    );
    let out = d.run_ok(&["compile", "inv", "--out", "out", "-q"]);
    assert!(out.contains("(0 TJ not declared)"), "{out}");
    let o = d.airinv().args(["check", "inv"]).output().unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        !text
            .lines()
            .any(|l| l.contains("activity-without-factor") && l.contains("error")),
        "{text}"
    );
    assert!(text.contains("national factor being measured"), "{text}");
}

#[test]
fn a_key_no_factor_fits_for_any_pollutant_has_a_detail_line() {
    let d = Dir::new();
    // Car and house fires (5E): the Guidebook has no Tier 1 factor.
    inventory(
        &d,
        "2022,5E,,40,fires,\n2022,1A4bi,Natural gas,10,TJ,\n",
        "",
    );
    d.run_ok(&["compile", "inv", "--out", "out", "-q"]);
    let lines = detail(&d, "5E", "");
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].0, "");
    assert!(
        lines[0].3.starts_with("no factor for any pollutant"),
        "{}",
        lines[0].3
    );
}

#[test]
fn a_misspelt_declaration_is_named_at_its_line() {
    let d = Dir::new();
    inventory(
        &d,
        "2022,1A1c,Crude oil,100,TJ,\n",
        "\n[[without_factor]]\ncode = \"1A1c\"\nfuels = \"Crude oil\"\nreason = \"x\"\n",
    );
    let o = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("line 7") && err.contains("fuels"), "{err}");
    inventory(
        &d,
        "2022,1A1c,Crude oil,100,TJ,\n",
        "\n[[without_factor]]\ncode = \"1A1c\"\n",
    );
    let o = d
        .airinv()
        .args(["compile", "inv", "--out", "out"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line 5") && err.contains("without_factor entry 1: reason"),
        "{err}"
    );
}

#[test]
fn a_russian_named_activity_file_compiles_as_its_english_twin() {
    let d = Dir::new();
    let english = "year,nfr,fuel,value,unit,technology\n\
        2022,1A1a,Hard Coal,1200,TJ,\n\
        2022,1A1a,natural gas,800,TJ,\n\
        2022,1A4bi,Brown Coal,25,kt,\n\
        2022,1A4bi,fuelwood,30,TJ,\n\
        2022,1A3bi,gasoline,50000,t,\n\
        2022,1A3biii,diesel,60000,t,\n\
        2022,1A2gviii,heavy fuel oil,300,TJ,\n\
        2022,1A4ai,LPG,2,kt,\n";
    let russian = "year,nfr,fuel,value,unit,technology\n\
        2022,1A1a,Уголь каменный,1200,ТДж,\n\
        2022,1A1a,ПРИРОДНЫЙ ГАЗ,800,ТДж,\n\
        2022,1A4bi,бурый уголь,25,тыс. т,\n\
        2022,1A4bi,Дрова,30,ТДж,\n\
        2022,1A3bi,бензин автомобильный,50000,т,\n\
        2022,1A3biii,дизельное топливо,60000,т,\n\
        2022,1A2gviii,мазут топочный,300,ТДж,\n\
        2022,1A4ai,сжиженный газ,2,тыс. т,\n";
    d.write("en.csv", english);
    d.write("ru.csv", russian);
    d.run_ok(&["compile", "en.csv", "--out", "en", "-q", "--country", "KZ"]);
    d.run_ok(&["compile", "ru.csv", "--out", "ru", "-q", "--country", "KZ"]);
    let table = d.read("en/annex1_2022.csv");
    assert_eq!(d.read("ru/annex1_2022.csv"), table);
    // A real value: 1A1a NOx = 1200 TJ × 209 g/GJ (hard coal, 1.A.1.a Table
    // 3-2) + 800 TJ × 89 g/GJ (natural gas, Table 3-4) = 0.2508 + 0.0712.
    let (h, rows) = csv_rows(&d.path("ru/annex1_2022.csv"));
    let nox = h.iter().position(|c| c == "NOx").unwrap();
    let code = h.iter().position(|c| c == "code").unwrap();
    assert_eq!(
        rows.iter().find(|r| r[code] == "1A1a").unwrap()[nox],
        "0.322"
    );
}
