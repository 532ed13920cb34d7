//! `airinv report`: the IIR's material in one page, checked against the
//! compiled tables, in both languages, and rendered in a real browser.

use crate::harness::{Dir, dec, repo};
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
    // Self-contained: no script, nothing fetched. An address is only an
    // SVG namespace or a link a reader may follow (`<a href=`).
    for fetching in [
        "<script",
        "<link",
        "<iframe",
        "<object",
        "<embed",
        "@import",
        "url(http",
        "src=\"http",
    ] {
        assert!(!page.contains(fetching), "{fetching}");
    }
    let mut rest = page.as_str();
    while let Some(at) = rest.find("http") {
        let before = &rest[..at];
        assert!(
            before.ends_with("xmlns=\"")
                || before.ends_with("xmlns:xlink=\"")
                || before.ends_with("<a href=\""),
            "an address outside a namespace or a link: ...{}",
            rest[at..].chars().take(80).collect::<String>()
        );
        rest = &rest[at + 4..];
    }
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
    // The page shows them rounded, with separators: SOx 1 193 kt in 2024.
    let sox: rust_decimal::Decimal = rows.iter().find(|r| r[0] == "SOx").unwrap()[2]
        .parse()
        .unwrap();
    let shown = format!("{}", sox.round_sf(4).unwrap().normalize());
    let with_comma = format!("{},{}", &shown[..1], &shown[1..]);
    assert!(
        page.contains(&format!(
            "<td>SOx</td><td>kt</td><td class=\"n\">{with_comma}</td>"
        )),
        "{with_comma}"
    );
    // The same totals on the Russian page: no-break spaces between
    // thousands (SOx 1 201 kt), decimal commas.
    d.run_ok(&["report", inv, "--out", "report-ru", "--lang", "ru"]);
    let shown = russian_totals_shown(&d, "report-ru");
    assert!(shown.iter().any(|s| s.contains('\u{a0}')), "{shown:?}");
    assert!(shown.iter().any(|s| s.contains(',')), "{shown:?}");
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

/// Each national total of a Russian page's table, formatted here by hand
/// from the exact value of the table's CSV, is on the page; the texts.
fn russian_totals_shown(d: &Dir, report: &str) -> Vec<String> {
    let page = d.read(&format!("{report}/index.html"));
    let rows = csv_rows(&d.path(&format!("{report}/tables/national-totals.csv")));
    let mut shown = Vec::new();
    for r in &rows {
        let Ok(v) = r[2].parse::<rust_decimal::Decimal>() else {
            continue;
        };
        let ru = russian(v);
        assert!(
            page.contains(&format!(
                "<td>{}</td><td>{}</td><td class=\"n\">{ru}</td>",
                r[0], r[1]
            )),
            "{} {} shown as {ru:?}",
            r[0],
            r[2]
        );
        shown.push(ru);
    }
    assert_eq!(shown.len(), 26, "{rows:?}");
    assert!(!shown.iter().any(|s| s.contains('.')), "{shown:?}");
    shown
}

/// A number as a Russian reader writes it, by hand: 4 significant digits
/// (all of the integer part), half away from zero, no-break spaces between
/// thousands, a decimal comma.
fn russian(v: rust_decimal::Decimal) -> String {
    use rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    let rounded = if v.abs() >= rust_decimal::Decimal::from(1000) {
        v.round_dp_with_strategy(0, MidpointAwayFromZero)
    } else {
        v.round_sf_with_strategy(4, MidpointAwayFromZero).unwrap()
    }
    .normalize()
    .to_string();
    let (sign, digits) = match rounded.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", rounded.as_str()),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push('\u{a0}');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped},{frac}")
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
    // Russian numbers: a decimal comma (the example's totals are all below
    // 1 000; the Kazakhstan page checks the no-break spaces).
    let shown = russian_totals_shown(&d, "r");
    assert!(shown.iter().any(|s| s.contains(',')), "{shown:?}");
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
    let compiled_nox = crate::harness::annex_cell(&path, "1A1a", "NOx");
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
    // E14 (1A1a NOx, 2022) is the one cell changed: previous 1, current
    // the compiled value, the change between them and in % of the previous.
    assert_eq!(rows.len(), 1, "only E14 changed: {rows:?}");
    let r = &rows[0];
    assert_eq!(
        r[..7],
        [
            "2022",
            "2022",
            "E14",
            "1A1a",
            "Public electricity and heat production",
            "NOx",
            "kt"
        ]
    );
    let current = dec(&compiled_nox);
    assert_eq!((dec(&r[7]), dec(&r[8])), (dec("1"), current));
    assert_eq!(dec(&r[9]), current - dec("1"));
    assert_eq!(dec(&r[10]), (current - dec("1")) * dec("100"));
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
        return crate::harness::skip(
            "no Chromium on this machine (Debian: apt-get install chromium); the page is not rendered",
        );
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
