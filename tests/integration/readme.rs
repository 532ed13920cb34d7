//! The README's outputs are the program's: every `text` block of README.md
//! that shows a command's output (`$ airinv ...`) or a file it writes is
//! produced again here and compared, so a change of numbers fails until the
//! README is updated.
//!
//! A README line matches an output line when its pieces between `...`
//! appear in it in order (`NOx 569.7 kt, ...` matches the whole line); a
//! line `...` alone stands for lines left out; each README line must match
//! a line of the output (in any order: stdout and stderr interleave). On a
//! mismatch the test prints every out-of-date block with the whole output,
//! to paste into the README.
//!
//! Commands run from the repository root; files the README names without a
//! path are taken from `tests/data/` (the Wallonia workbook) or `../shared`
//! (the Kazakh balance: the block is skipped, as `harness::skip` says, when
//! it is not there);
//! outputs (`--out`, `--plot`) go to a temporary folder, and its path is
//! written back as the README writes it.

use crate::harness::{Dir, repo};
use assert_cmd::Command;

/// A fenced `text` block of the README: the line it starts on and its lines.
struct Block {
    line: usize,
    lines: Vec<String>,
}

fn text_blocks() -> Vec<Block> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<Block> = None;
    for (i, line) in readme.lines().enumerate() {
        match current.take() {
            None if line.trim_start() == "```text" => {
                current = Some(Block {
                    line: i + 1,
                    lines: Vec::new(),
                })
            }
            None => {}
            Some(b) if line.trim_start().starts_with("```") => blocks.push(b),
            Some(mut b) => {
                b.lines.push(line.to_string());
                current = Some(b);
            }
        }
    }
    blocks
}

/// True when `expected` (a README line, `...` for elided text) matches `actual`.
fn line_matches(expected: &str, actual: &str) -> bool {
    let mut rest = actual.trim_end();
    let pieces: Vec<&str> = expected.trim_end().split("...").collect();
    for (i, piece) in pieces.iter().enumerate() {
        if piece.is_empty() {
            continue;
        }
        let found = if i == 0 {
            rest.starts_with(piece).then_some(0)
        } else {
            rest.find(piece)
        };
        match found {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    // The last piece ends the line unless the README line ends with `...`.
    pieces.last().is_none_or(|p| p.is_empty()) || rest.is_empty()
}

/// The README lines that appear in no line of `actual` (empty: all do).
/// Order is not compared: a command's stdout and stderr interleave.
fn missing(expected: &[String], actual: &str) -> Vec<String> {
    expected
        .iter()
        .filter(|e| e.trim() != "..." && !e.trim().is_empty())
        .filter(|e| !actual.lines().any(|a| line_matches(e, a)))
        .cloned()
        .collect()
}

/// The failure of a block, with the output to paste, when it is out of date.
fn check_block(block: &Block, expected: &[String], actual: &str, what: &str) -> Option<String> {
    let missing = missing(expected, actual);
    (!missing.is_empty()).then(|| {
        format!(
            "README.md block at line {} ({what}) is out of date; these lines are not in the output:\n{}\n\nthe output is:\n{actual}",
            block.line,
            missing.join("\n")
        )
    })
}

/// Splits a README command (`$ airinv ...`, continued with `\`) into its words.
fn command_words(block: &Block) -> (Vec<String>, usize) {
    let mut text = String::new();
    let mut n = 0;
    for line in &block.lines {
        n += 1;
        let l = line.trim();
        let l = l.strip_prefix("$ ").unwrap_or(l);
        match l.strip_suffix('\\') {
            Some(part) => {
                text.push_str(part);
                text.push(' ');
            }
            None => {
                text.push_str(l);
                break;
            }
        }
    }
    // A word in single quotes is given without them, as a shell does
    // (`'2005!E14'`: `!` means something to bash).
    let words = text
        .split_whitespace()
        .map(|w| {
            w.strip_prefix('\'')
                .and_then(|w| w.strip_suffix('\''))
                .unwrap_or(w)
                .to_string()
        })
        .collect();
    (words, n)
}

/// Runs a README command; `None` when a file it needs is not here.
fn run_command(block: &Block, dir: &Dir) -> Option<(String, Vec<String>)> {
    let (words, n) = command_words(block);
    assert_eq!(words[0], "airinv", "block at line {}", block.line);
    let mut args: Vec<String> = Vec::new();
    // Files written beside an output (`energy-balance.cells.csv`) are under
    // the temporary folder too.
    let mut back: Vec<(String, String)> = vec![(
        format!(
            "{}/",
            dir.path("").display().to_string().trim_end_matches('/')
        ),
        String::new(),
    )];
    let mut i = 1;
    while i < words.len() {
        let w = &words[i];
        // `airinv explain out ...` reads the example compiled into `out`
        // (the tour's compile, made again in the temporary folder).
        if i == 2 && words[1] == "explain" && w == "out" {
            let target = dir.path("out").display().to_string();
            back.push((target.clone(), w.clone()));
            args.push(target);
            i += 1;
            continue;
        }
        if w == "--out" || w == "--plot" {
            let target = dir.path(&words[i + 1]).display().to_string();
            back.push((target.clone(), words[i + 1].clone()));
            args.extend([w.clone(), target]);
            i += 2;
            continue;
        }
        // Files the README names by their own name: the committed
        // Wallonia workbook, and the energy balance of ../shared.
        let file = match w.as_str() {
            "master_TJ_wide.csv" => Some(crate::harness::shared(
                "data/kz-energy-balance/master_TJ_wide.csv",
            )?),
            "BEW_2021-annex1-nfr2019.xlsx" => Some(crate::harness::wallonia()),
            _ => None,
        };
        match file {
            Some(p) => {
                let p = p.display().to_string();
                back.push((p.clone(), w.clone()));
                args.push(p);
            }
            None => args.push(w.clone()),
        }
        i += 1;
    }
    let out = Command::cargo_bin("airinv")
        .unwrap()
        .current_dir(repo())
        .args(&args)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    // Longest paths first, so a file's path is not cut by its folder's.
    back.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
    for (path, shown) in back {
        text = text.replace(&path, &shown);
    }
    Some((text, block.lines[n..].to_vec()))
}

/// Compiles an inventory of the repository into `dir/out`.
fn compile(dir: &Dir, inventory: &str, extra: &[&str]) {
    let out = dir.path("out");
    Command::cargo_bin("airinv")
        .unwrap()
        .current_dir(repo())
        .args(["compile", inventory, "--out"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn every_output_shown_in_the_readme_is_the_programs() {
    let blocks = text_blocks();
    assert!(
        blocks.len() >= 10,
        "README.md has {} text blocks",
        blocks.len()
    );
    let (mut checked, mut skipped) = (0, 0);
    let mut failures: Vec<String> = Vec::new();
    for block in &blocks {
        let first = block.lines.first().map(String::as_str).unwrap_or("");
        let dir = Dir::new();
        if first.starts_with("$ airinv explain out ") {
            compile(&dir, "inventories/example", &[]);
        }
        if first.starts_with("$ airinv") {
            if let Some((actual, expected)) = run_command(block, &dir) {
                failures.extend(check_block(block, &expected, &actual, first));
                checked += 1;
            } else {
                skipped += 1;
            }
        } else if first.starts_with("year,nfr,fuel,technology,value,unit,") {
            let file = std::fs::read_to_string(
                repo().join("inventories/kazakhstan/activity/energy-balance.csv"),
            )
            .unwrap();
            failures.extend(check_block(
                block,
                &block.lines,
                &file,
                "energy-balance.csv",
            ));
            checked += 1;
        } else if first.starts_with("row,gnfr,code,") {
            compile(&dir, "inventories/example", &[]);
            failures.extend(check_block(
                block,
                &block.lines,
                &dir.read("out/annex1_2022.csv"),
                "the example's annex1_2022.csv",
            ));
            checked += 1;
        } else if first.starts_with("year,code,fuel,") {
            compile(&dir, "inventories/example", &["--detail", "rows"]);
            failures.extend(check_block(
                block,
                &block.lines,
                &dir.read("out/detail.csv"),
                "the example's detail.csv with --detail rows",
            ));
            checked += 1;
        } else {
            panic!(
                "README.md block at line {} shows output that no test makes: add it to tests/integration/readme.rs ({first})",
                block.line
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // Every block was compared or skipped (saying why): 15 blocks when
    // this was written, one of which reads ../shared's energy balance.
    assert_eq!(checked + skipped, blocks.len());
    assert!(
        checked >= 14 && skipped <= 1,
        "README.md: {checked} of {} text blocks compared, {skipped} skipped",
        blocks.len()
    );
}

#[test]
fn elisions_match_what_they_stand_for_and_nothing_else() {
    assert!(line_matches(
        "NOx 569.7 kt, ...",
        "NOx 569.7 kt, SOx 1193 kt"
    ));
    assert!(line_matches("a ... c", "a b c"));
    assert!(!line_matches(
        "NOx 567.2 kt, ...",
        "NOx 569.7 kt, SOx 1193 kt"
    ));
    assert!(!line_matches(
        "wrote out/annex1.xlsx",
        "wrote out/annex1.xlsx.tmp"
    ));
    let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert!(missing(&lines(&["a", "...", "c"]), "a\nb\nc\n").is_empty());
    assert_eq!(missing(&lines(&["c", "d", "a"]), "a\nb\nc\n"), ["d"]);
}
