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
    // --plants: each plant above its limit value as `airinv plants` finds
    // it, its excess and the tonnes to remove as the run computes them.
    d.run_ok(&[
        "plants",
        inv,
        "--limits",
        "protocols-1999",
        "--ratification-year",
        "2026",
        "--out",
        "plants",
    ]);
    d.run_ok(&["report", inv, "--out", "with-plants", "--plants", "plants"]);
    let with_plants = d.read("with-plants/index.html");
    let (header, gaps) = crate::harness::csv_rows(&d.path("plants/plant-gaps.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let above: Vec<&Vec<String>> = gaps
        .iter()
        .filter(|g| {
            rust_decimal::Decimal::from_str_exact(&g[col("excess_pct")])
                .is_ok_and(|e| e > rust_decimal::Decimal::ZERO)
        })
        .collect();
    assert!(!above.is_empty());
    assert!(with_plants.contains(&format!(
        "{} lines of the limit-value run; {} are above their limit value.",
        gaps.len(),
        above.len()
    )));
    let first = above[0];
    let row = rows_starting(
        &with_plants,
        &format!("{} ({})", first[col("name")], first[col("plant")]),
    );
    assert!(!row.is_empty(), "{}", first[col("plant")]);
    let excess = rust_decimal::Decimal::from_str_exact(&first[col("excess_pct")]).unwrap();
    assert!(
        row[0].contains(&format!(
            "+{:.1} %",
            excess.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        )),
        "{:?}",
        row[0]
    );
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
        // The year's cell of the pollutant's row: its last number (the
        // change, a percentage, comes after it).
        let row = page
            .split(&format!("<tr><td>{}</td>", r[0]))
            .nth(1)
            .and_then(|x| x.split("</tr>").next())
            .unwrap_or_else(|| panic!("no row of {} on the page", r[0]));
        let cells: Vec<&str> = row
            .split("<td class=\"n\">")
            .skip(1)
            .map(|c| c.split("</td>").next().unwrap())
            .collect();
        let cell = *cells.iter().rfind(|c| !c.ends_with('%')).unwrap();
        let places = cell.split(',').nth(1).map_or(0, str::len) as u32;
        let ru = russian(v, places);
        assert_eq!(cell, ru, "{} {}", r[0], r[2]);
        shown.push(ru);
    }
    assert_eq!(shown.len(), 26, "{rows:?}");
    assert!(!shown.iter().any(|s| s.contains('.')), "{shown:?}");
    shown
}

/// A number as a Russian reader writes it, by hand: `places` decimals, half
/// away from zero, no-break spaces between thousands, a decimal comma.
fn russian(v: rust_decimal::Decimal, places: u32) -> String {
    use rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    let rounded = format!(
        "{:.*}",
        places as usize,
        v.round_dp_with_strategy(places, MidpointAwayFromZero)
    );
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

/// The Chromium of this machine, if any.
fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
}

/// Renders the page in headless Chromium: it loads without errors and its
/// charts are drawn (SVG elements in the DOM, and a screenshot that is not blank).
#[test]
fn chromium_renders_the_page() {
    let Some(chromium) = chromium() else {
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

/// The text nodes of a page (HTML and inline SVG, tooltips included;
/// styles and pattern definitions left out), entities decoded, trimmed.
fn text_nodes(page: &str) -> Vec<String> {
    let mut body = page.to_string();
    for (open, close) in [("<style>", "</style>"), ("<defs>", "</defs>")] {
        while let Some(a) = body.find(open) {
            let b = body[a..]
                .find(close)
                .map_or(body.len(), |b| a + b + close.len());
            body.replace_range(a..b, "");
        }
    }
    body.split('>')
        .filter_map(|part| part.split('<').next())
        .map(|t| {
            t.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
                .trim()
                .to_string()
        })
        .filter(|t| !t.is_empty())
        .collect()
}

/// A token that is a number, a code (NFR, Guidebook, pollutant, notation
/// key, check id) or a file name: no language in it.
fn no_language(token: &str) -> bool {
    let number_chars =
        |c: char| c.is_ascii_digit() || " .,%+-−–—±×/<>*#=\u{a0}\u{202f}[]".contains(c);
    token.chars().all(number_chars)
        || token.starts_with(|c: char| c.is_ascii_digit())
        || airinv::pollutant::Pollutant::parse(token).is_some()
        || airinv::notation_key::NotationKey::parse(token).is_some()
        || [
            "I-TEQ", "PCDD/F", "PAH1-4", "U", "L1", "L2", "T1", "T2", "L1/L2", "T1/T2",
        ]
        .contains(&token)
        || token.contains('/')
        || [".csv", ".svg", ".png", ".toml", ".json", ".html", ".xlsx"]
            .iter()
            .any(|e| token.ends_with(e))
        || (token.contains('.')
            && token
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c)))
}

/// Whether a text node holds words (not only numbers, codes and file names).
fn has_words(node: &str) -> bool {
    !node
        .split(|c: char| c.is_whitespace() || ",;:()…".contains(c))
        .filter(|t| !t.is_empty())
        .all(no_language)
}

fn cyrillic(s: &str) -> bool {
    s.chars()
        .any(|c| ('а'..='я').contains(&c) || ('А'..='Я').contains(&c) || c == 'ё' || c == 'Ё')
}

/// The Kazakhstan inventory's page in Russian: Cyrillic in at least 90 %
/// of the text nodes that hold words, no English text of the page's
/// catalogue (outside the inventory's own words, marked as such), and
/// decimal commas in every number.
#[test]
fn the_russian_kazakhstan_page_is_in_russian() {
    let d = Dir::new();
    let inv = repo().join("inventories/kazakhstan");
    d.run_ok(&[
        "report",
        inv.to_str().unwrap(),
        "--out",
        "r",
        "--lang",
        "ru",
    ]);
    let page = d.read("r/index.html");
    let nodes = text_nodes(&page);
    let words: Vec<&String> = nodes.iter().filter(|n| has_words(n)).collect();
    let russian = words.iter().filter(|n| cyrillic(n)).count();
    let share = russian as f64 / words.len() as f64;
    let english: Vec<&&String> = words.iter().filter(|n| !cyrillic(n)).collect();
    assert!(
        words.len() > 500 && share >= 0.9,
        "{russian} of {} text nodes with words are in Cyrillic ({:.1} %); not: {:?}",
        words.len(),
        share * 100.0,
        &english[..english.len().min(40)]
    );
    // No English text of the catalogue, outside the inventory's own words.
    let mut ours = page.clone();
    while let Some(a) = ours.find("<span class=\"own\">") {
        let b = ours[a..].find("</span>").map_or(ours.len(), |b| a + b + 7);
        ours.replace_range(a..b, "");
    }
    let ours = text_nodes(&ours);
    let whole_word = |hay: &str, needle: &str| {
        hay.match_indices(needle).any(|(i, _)| {
            let before = hay[..i].chars().next_back();
            let after = hay[i + needle.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
    };
    let mut left = Vec::new();
    for (en, ru) in airinv::report::i18n::english_texts() {
        if en == ru {
            continue;
        }
        for fragment in en.split(['{', '}']).step_by(2) {
            let fragment = fragment.trim_matches(|c: char| !c.is_alphanumeric());
            let letters = fragment.chars().filter(char::is_ascii_alphabetic).count();
            if letters < 3 || !fragment.chars().any(|c| c.is_ascii_lowercase()) {
                continue;
            }
            if let Some(n) = ours
                .iter()
                .find(|n| has_words(n) && whole_word(n, fragment))
            {
                left.push(format!("{fragment:?} in {n:?}"));
            }
        }
    }
    assert!(left.is_empty(), "English on the Russian page: {left:#?}");
    // Decimal commas: no digit.digit in a text node but in codes and names.
    let points: Vec<&String> = ours
        .iter()
        .filter(|n| {
            n.split(|c: char| c.is_whitespace() || ",;:()…".contains(c))
                .filter(|t| {
                    airinv::pollutant::Pollutant::parse(t).is_none()
                        && !t.contains('/')
                        && !t.ends_with(".csv")
                        && !t.starts_with(|c: char| c.is_ascii_digit() && t.contains(".A."))
                })
                .any(|t| {
                    let b = t.as_bytes();
                    b.windows(3)
                        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
                })
        })
        .collect();
    assert!(points.is_empty(), "decimal points: {points:?}");
}

/// The numbers of a page's table cell, `1,234.5` or `1 234,5`, as a decimal.
fn shown_number(cell: &str, lang_ru: bool) -> Option<rust_decimal::Decimal> {
    let plain: String = cell
        .chars()
        .filter(|c| !matches!(c, '\u{a0}' | ' ') && (lang_ru || *c != ','))
        .map(|c| if lang_ru && c == ',' { '.' } else { c })
        .collect();
    plain.parse().ok()
}

/// The cells of the page's table rows that start with `first` (the text of
/// their first cell), tags removed.
fn rows_starting(page: &str, first: &str) -> Vec<Vec<String>> {
    page.split("<tr>")
        .filter(|r| r.starts_with(&format!("<td>{first}</td>")))
        .map(|r| {
            r.split("</tr>")
                .next()
                .unwrap()
                .split("</td>")
                .map(|c| {
                    let mut out = String::new();
                    let mut tag = false;
                    for ch in c.chars() {
                        match ch {
                            '<' => tag = true,
                            '>' => tag = false,
                            _ if !tag => out.push(ch),
                            _ => {}
                        }
                    }
                    out.replace("&amp;", "&")
                })
                .filter(|c| !c.is_empty())
                .collect()
        })
        .collect()
}

/// `--ratification` shows the options as `airinv ratification` computes
/// them: each number of options.csv on the page, rounded no further than
/// its column shows (ceiling, with existing measures, at least cost, the
/// yearly cost in millions, per tonne and at the margin); the measures
/// bought; and `--scenarios` the options of a scenario run. Without them,
/// each part says so in one line.
#[test]
fn the_plan_shows_the_ratification_runs_numbers() {
    use crate::scenario::{COAL, hand_case};
    let d = Dir::new();
    d.write("coal.csv", COAL);
    d.write("wam.toml", &hand_case("60"));
    d.write(
        "options.toml",
        "scenario = \"wam.toml\"\nyears = [2030]\n\n[[option]]\nname = \"SO2 -60 %\"\nprotocols = [\"Gothenburg\"]\ncommitments = { SOx = 60 }\nbase_year = 2005\nsource = \"test\"\n\n[[option]]\nname = \"Heavy Metals\"\nprotocols = [\"HeavyMetals\"]\nbase_year = 2024\n",
    );
    d.run_ok(&["ratification", "options.toml", "--out", "rat"]);
    d.run_ok(&["scenario", "wam.toml", "--out", "sc", "--optimize"]);
    let inv = repo().join("inventories/example");
    let inv = inv.to_str().unwrap();
    d.run_ok(&["report", inv, "--out", "bare"]);
    let bare = d.read("bare/index.html");
    for line in [
        "The options need the output folder of a scenario run (--scenarios).",
        "The plants need the limit-value gaps of the plants run (--plants plant-gaps.csv).",
        "The ratification options need the output folder of the ratification run (--ratification).",
    ] {
        assert!(bare.contains(line), "{line}");
    }
    d.run_ok(&[
        "report",
        inv,
        "--out",
        "r",
        "--ratification",
        "rat",
        "--scenarios",
        "sc",
    ]);
    let page = d.read("r/index.html");
    assert!(!page.contains("--ratification)."));
    let (header, lines) = crate::harness::csv_rows(&d.path("rat/options.csv"));
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    // The options table's row (the measures' rows start with the option too).
    let rows: Vec<Vec<String>> = rows_starting(&page, "SO2 -60 %")
        .into_iter()
        .filter(|r| r.len() == 12)
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let sox = lines.iter().find(|l| l[col("pollutant")] == "SOx").unwrap();
    let exact = |c: &str| rust_decimal::Decimal::from_str_exact(&sox[col(c)]).unwrap();
    let million = rust_decimal::Decimal::from(1_000_000);
    // The page's row: option, year, requirement, unit, then the numbers.
    let row = &rows[0];
    assert_eq!(row[1], sox[col("year")]);
    assert!(
        row[2].contains("SOx") && row[2].contains("60 % below 2005"),
        "{row:?}"
    );
    for (cell, value) in [
        (4, exact("ceiling")),
        (5, exact("existing_measures")),
        (7, exact("least_cost_emission")),
        (9, exact("annual_cost") / million),
        (10, exact("cost_per_t")),
        (11, exact("marginal_cost_per_t")),
    ] {
        let shown = shown_number(&row[cell], false).unwrap_or_else(|| panic!("{row:?}"));
        let places = row[cell].split('.').nth(1).map_or(0, str::len) as u32;
        assert_eq!(shown, value.round_dp(places), "column {cell}: {row:?}");
    }
    assert_eq!((row[6].as_str(), row[8].as_str()), ("no", "yes"));
    // The option's yearly cost, as the run sums it: 3 467 271 EUR, 3.47 million.
    assert!(
        page.contains("SO2 -60 % 2030: 3.47 million EUR"),
        "the option's cost"
    );
    // The measures bought, with their shares.
    let (_, measures) = crate::harness::csv_rows(&d.path("rat/options_measures.csv"));
    assert_eq!(measures.len(), 2);
    assert!(page.contains("<td>washing</td>"));
    assert!(d.path("r/charts/plan-ratification-costs.svg").exists());
    // The scenario run: the SOx target of 2030 against its emission.
    let summary: serde_json::Value = serde_json::from_str(&d.read("sc/summary.json")).unwrap();
    let target = &summary["scenarios"][0]["years"][0]["targets"][0];
    let ceiling =
        rust_decimal::Decimal::from_str_exact(target["target"].as_str().unwrap()).unwrap();
    assert!(
        page.contains(&format!(
            "(target {})",
            ceiling.round_sf(4).unwrap().normalize()
        )),
        "{ceiling}"
    );
}

/// The legend entries of a chart: (paint, name) of each box followed by its text.
fn legend_entries(svg: &str) -> Vec<(String, String)> {
    svg.split("<rect ")
        .skip(1)
        .filter_map(|r| {
            let fill = r.split("fill=\"").nth(1)?.split('"').next()?.to_string();
            let after = r.split("/>").nth(1)?;
            let name = after
                .strip_prefix("<text")?
                .split('>')
                .nth(1)?
                .split("</text")
                .next()?
                .replace("&amp;", "&");
            Some((fill, name))
        })
        .collect()
}

/// Every chart of the Kazakhstan and example pages (English and Russian)
/// and of `compare --plot` keeps its labels inside the canvas, clear of the
/// series and of each other; a GNFR sector has one paint on every chart,
/// its letter's place in the Okabe–Ito order (A blue, B orange, C green...,
/// hatched from H); `compare --plot` marks the years beside a missing one.
#[test]
fn every_chart_is_legible_and_a_sector_has_one_paint() {
    let d = Dir::new();
    let mut paints: std::collections::BTreeMap<String, String> = Default::default();
    let mut checked = 0;
    for (inventory, year) in [("example", "2022"), ("kazakhstan", "2024")] {
        let inv = repo().join("inventories").join(inventory);
        let inv = inv.to_str().unwrap();
        for lang in ["en", "ru"] {
            let out = format!("{inventory}-{lang}");
            d.run_ok(&["report", inv, "--out", &out, "--lang", lang]);
            for entry in std::fs::read_dir(d.path(&format!("{out}/charts"))).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_none_or(|e| e != "svg") {
                    continue;
                }
                let svg = std::fs::read_to_string(&path).unwrap();
                let problems = airinv::chart::geometry::problems(&svg);
                assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
                checked += 1;
                for (fill, name) in legend_entries(&svg) {
                    // A sector's name starts with its letter and a space.
                    let mut chars = name.chars();
                    let (Some(letter @ 'A'..='P'), Some(' ')) = (chars.next(), chars.next()) else {
                        continue;
                    };
                    let place = letter as usize - 'A' as usize;
                    let colour = airinv::chart::colour::OKABE_ITO[place % 7];
                    assert!(
                        fill.trim_start_matches("url(#hatch-")
                            .trim_start_matches("url(#dots-")
                            .trim_end_matches(')')
                            .eq_ignore_ascii_case(colour.trim_start_matches('#'))
                            || fill.eq_ignore_ascii_case(colour),
                        "{name}: {fill} in {}",
                        path.display()
                    );
                    let key = format!("{lang} {name}");
                    let first = paints.entry(key).or_insert_with(|| fill.clone());
                    assert_eq!(*first, fill, "{name} in {}", path.display());
                }
            }
        }
        d.run_ok(&["compile", inv, "--out", &format!("{inventory}-out")]);
        d.run_ok(&[
            "compare",
            &format!("{inventory}-out"),
            "--year",
            year,
            "--plot",
            &format!("{inventory}-compare.svg"),
        ]);
        let svg = d.read(&format!("{inventory}-compare.svg"));
        let problems = airinv::chart::geometry::problems(&svg);
        assert!(
            problems.is_empty(),
            "compare --plot {inventory}: {problems:#?}"
        );
        checked += 1;
    }
    assert!(checked >= 30, "{checked} charts");
    // Sectors on several charts: public power (A) and industry (B) at least.
    assert!(paints.keys().any(|k| k.starts_with("en A ")));
    assert!(paints.keys().any(|k| k.starts_with("ru B ")));
    // A year missing from a series: a gap, the years beside it marked.
    let inv = repo().join("inventories/example");
    d.run_ok(&["compile", inv.to_str().unwrap(), "--out", "gap"]);
    std::fs::copy(d.path("gap/annex1_2022.csv"), d.path("gap/annex1_2020.csv")).unwrap();
    let text = d.read("gap/annex1_2020.csv").replacen("2022", "2020", 1);
    d.write("gap/annex1_2020.csv", &text);
    std::fs::copy(d.path("gap/annex1_2022.csv"), d.path("gap/annex1_2018.csv")).unwrap();
    let text = d.read("gap/annex1_2018.csv").replacen("2022", "2018", 1);
    d.write("gap/annex1_2018.csv", &text);
    d.run_ok(&["compare", "gap", "--year", "2022", "--plot", "gap.svg"]);
    let svg = d.read("gap.svg");
    assert!(
        svg.contains("class=\"mark gap\""),
        "the years beside a gap are marked"
    );
    assert!(airinv::chart::geometry::problems(&svg).is_empty());
}

/// The Kazakhstan page, English and Russian, is under 15 000 px tall at
/// 1 400 px wide in headless Chromium (its height read by a script added
/// to a copy of the page: the page itself has none).
#[test]
fn the_kazakhstan_page_is_under_15000_px_at_1400_px_wide() {
    let Some(chromium) = chromium() else {
        eprintln!("SKIPPED: no Chromium on this machine; the page's height is not measured");
        return;
    };
    let d = Dir::new();
    let inv = repo().join("inventories/kazakhstan");
    for lang in ["en", "ru"] {
        d.run_ok(&[
            "report",
            inv.to_str().unwrap(),
            "--out",
            lang,
            "--lang",
            lang,
        ]);
        let page = d.read(&format!("{lang}/index.html"));
        assert!(!page.contains("<script"));
        let measured = page.replace(
            "</body></html>",
            "<script>document.body.setAttribute('data-height', document.documentElement.scrollHeight)</script></body></html>",
        );
        d.write(&format!("{lang}/measured.html"), &measured);
        let dom = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--window-size=1400,1000",
            ])
            .arg(format!("--user-data-dir={}", d.path("profile").display()))
            .arg("--dump-dom")
            .arg(format!(
                "file://{}",
                d.path(&format!("{lang}/measured.html")).display()
            ))
            .output()
            .unwrap();
        let dom = String::from_utf8_lossy(&dom.stdout);
        let height: u32 = dom
            .split("data-height=\"")
            .nth(1)
            .and_then(|h| h.split('"').next())
            .and_then(|h| h.parse().ok())
            .unwrap_or_else(|| panic!("no height measured ({lang})"));
        assert!(
            (5_000..15_000).contains(&height),
            "{lang}: {height} px tall"
        );
    }
}
