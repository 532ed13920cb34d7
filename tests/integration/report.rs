//! `airinv report`: the IIR's material in one page, checked against the
//! compiled tables, in both languages, and rendered in a real browser.

use crate::harness::{Dir, repo};
use std::path::Path;
use std::process::Command;

fn csv_rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

#[test]
fn the_kazakhstan_page_has_every_section_and_the_compiled_totals() {
    let d = Dir::new();
    let inv = repo().join("inventories/kazakhstan");
    let inv = inv.to_str().unwrap();
    d.run_ok(&["compile", inv, "--out", "out"]);
    d.run_ok(&["report", inv, "--out", "report"]);
    let page = d.read("report/index.html");
    for id in [
        "summary",
        "trends",
        "kca",
        "methods",
        "keys",
        "recalculations",
        "uncertainty",
        "quality",
    ] {
        assert!(
            page.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
        assert!(
            page.contains(&format!("href=\"#{id}\"")),
            "contents entry {id}"
        );
    }
    // Self-contained: no script, nothing fetched.
    assert!(!page.contains("<script"));
    assert!(
        !page.contains("http://") && !page.contains("https://")
            || page.contains("xmlns=\"http://www.w3.org/2000/svg\"")
    );
    assert!(!page.contains("src=\"http"));
    // The national totals of the page's table are the compiled ones, exactly.
    let latest = d.read("out/annex1_2024.csv");
    let mut annex = csv::Reader::from_reader(latest.as_bytes());
    let header = annex.headers().unwrap().clone();
    let total = annex
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[2] == "NATIONAL TOTAL")
        .expect("row 141");
    let rows = csv_rows(&d.path("report/tables/national-totals.csv"));
    assert_eq!(rows.len(), 26);
    for r in &rows {
        let col = header.iter().position(|h| h == r[0]).unwrap();
        assert_eq!(r[2], total[col], "{}", r[0]);
    }
    // The page shows them with separators and the same decimals down the
    // table (the main pollutants' 2021 and 2024 columns): SOx 2024 is the
    // exact total rounded to those decimals.
    let sox: rust_decimal::Decimal = rows.iter().find(|r| r[0] == "SOx").unwrap()[2]
        .parse()
        .unwrap();
    let cells = |row: &str| -> Vec<String> {
        row.split("<td class=\"n\">")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap().to_string())
            .collect()
    };
    let block = page
        .split("<tr><td>NOx</td>")
        .nth(1)
        .and_then(|r| r.split("</tbody>").next())
        .expect("the main pollutants' totals");
    let places: Vec<usize> = block
        .split("</tr>")
        .flat_map(|r| cells(r).into_iter().rev().skip(1).collect::<Vec<_>>())
        .map(|c| c.split('.').nth(1).map_or(0, str::len))
        .collect();
    assert!(
        places.len() >= 16 && places.windows(2).all(|w| w[0] == w[1]),
        "{places:?}"
    );
    let shown = format!("{:.*}", places[0], sox.round_dp(places[0] as u32));
    let (whole, fraction) = shown.split_once('.').unwrap_or((&shown, ""));
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    if !fraction.is_empty() {
        grouped = format!("{grouped}.{fraction}");
    }
    let sox_row = page
        .split("<tr><td>SOx</td>")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .expect("a SOx row in the totals");
    assert_eq!(cells(sox_row)[1], grouped, "{sox_row}");
    // The trend CSV's sectors add up to the national total of each year.
    let trend = csv_rows(&d.path("report/tables/trend-NOx.csv"));
    let sum: rust_decimal::Decimal = trend
        .iter()
        .map(|r| r[4].parse::<rust_decimal::Decimal>().unwrap())
        .sum();
    let nox_col = header.iter().position(|h| h == "NOx").unwrap();
    assert_eq!(
        sum,
        total[nox_col].parse::<rust_decimal::Decimal>().unwrap()
    );
    // Each chart is there as SVG (and PNG with the default features).
    assert!(d.path("report/charts/trend-NOx.svg").exists());
    assert!(d.path("report/charts/kca-SOx.svg").exists());
    // The key categories of SOx cover 80 %: the last key one starts below 80 %.
    let kca = csv_rows(&d.path("report/tables/kca-SOx.csv"));
    let keys: Vec<_> = kca.iter().filter(|r| r[4] == "true").collect();
    assert!(!keys.is_empty());
    let last_key_cumulative: f64 = keys.last().unwrap()[3].parse().unwrap();
    assert!(last_key_cumulative >= 80.0);
    if keys.len() < kca.len() {
        let before_last: f64 = if keys.len() >= 2 {
            keys[keys.len() - 2][3].parse().unwrap()
        } else {
            0.0
        };
        assert!(before_last < 80.0);
    }
}

#[test]
fn the_page_speaks_russian() {
    let d = Dir::new();
    let out = d
        .airinv()
        .args(["report"])
        .arg(repo().join("inventories/example"))
        .args(["--out", "r", "--lang", "ru"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = d.read("r/index.html");
    assert!(page.contains("<html lang=\"ru\">"));
    assert!(page.contains("<h2>Ключевые категории</h2>"));
    assert!(page.contains("<h2>Условные обозначения</h2>"));
    // Russian numbers: no-break space for thousands, comma for decimals.
    assert!(page.contains('\u{a0}') || page.contains(','));
    // Without --previous the recalculations say so in one line.
    assert!(page.contains("Предыдущая представленная версия не указана"));
    let e = d
        .airinv()
        .args(["report"])
        .arg(repo().join("inventories/example"))
        .args(["--out", "r2", "--lang", "kk"])
        .output()
        .unwrap();
    assert_eq!(e.status.code(), Some(2));
}

#[test]
fn recalculations_against_a_previous_submission() {
    let d = Dir::new();
    let inv = repo().join("inventories/example");
    let inv = inv.to_str().unwrap();
    d.run_ok(&["compile", inv, "--out", "old"]);
    // The previous submission had 40 kt less NOx in 1A1a 2022 (row 14, column E).
    let path = d.path("old/annex1_2022.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let changed: String = text
        .lines()
        .map(|l| {
            if l.starts_with("14,") {
                let mut cells: Vec<String> = l.split(',').map(String::from).collect();
                cells[4] = "1".into();
                cells.join(",")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&path, changed + "\n").unwrap();
    d.run_ok(&["report", inv, "--out", "r", "--previous", "old"]);
    let rows = csv_rows(&d.path("r/tables/recalculations.csv"));
    assert!(
        rows.iter().any(|r| r.iter().any(|c| c == "E14")),
        "{rows:?}"
    );
    // The report folder is one set: the same report without --previous
    // removes the recalculations table of the first run, and leaves a
    // user's own file alone.
    d.write("r/tables/my-notes.csv", "mine");
    d.run_ok(&["report", inv, "--out", "r"]);
    assert!(!d.path("r/tables/recalculations.csv").exists());
    assert_eq!(d.read("r/tables/my-notes.csv"), "mine");
    assert!(!d.read("r/index.html").contains("recalculations.csv"));
}

/// Renders the page in headless Chromium: it loads without errors and its
/// charts are drawn (SVG elements in the DOM, and a screenshot that is not blank).
#[test]
fn chromium_renders_the_page() {
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        eprintln!(
            "SKIPPED: no Chromium on this machine (Debian: apt-get install chromium); the page is not rendered"
        );
        return;
    };
    let d = Dir::new();
    let out = d
        .airinv()
        .args(["report"])
        .arg(repo().join("inventories/example"))
        .args(["--out", "r"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let page = d.path("r/index.html");
    let profile = d.path("profile");
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ];
    let dom = Command::new(chromium)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<section id=\"quality\">"),
        "the page loaded whole"
    );
    assert!(
        dom.matches("<svg").count() >= 7,
        "the charts are in the DOM"
    );
    assert!(
        dom.matches("class=\"bar\"").count() > 10,
        "the charts have bars"
    );
    let shot = d.path("shot.png");
    let run = Command::new(chromium)
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1200,2400")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "a drawn page, {} bytes",
        png.len()
    );
}
