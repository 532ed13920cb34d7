//! The library's layers, checked from its source: every top-level module of
//! `src/` belongs to one layer, imports (`crate::x`) only go to its own
//! layer or below, nothing but `main.rs` and `src/cmd/` imports `cmd`, and
//! no two modules import each other, directly or through others.
//!
//! Anyone can run the same check by hand: `cargo test --test integration layers`.

use crate::harness::repo;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layers, lowest first. A new module must be placed here.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "vocabulary",
        &[
            "error",
            "number",
            "date",
            "data",
            "digest",
            "output",
            "suggest",
            "unit",
            "nfr",
            "pollutant",
            "notation_key",
            "fuel",
            "manure",
            "annex1",
        ],
    ),
    (
        "reading",
        &[
            "config",
            "sheet",
            "activity",
            "workbook",
            "inventory",
            "mapping",
            "commitment",
        ],
    ),
    (
        "factors",
        &["emission_factor", "guidebook", "method", "matching"],
    ),
    (
        "calculation",
        &[
            "calculate",
            "gap_fill",
            "stream",
            "aggregate",
            "lineage",
            "trend",
            "compile",
        ],
    ),
    (
        "analyses",
        &[
            "source",
            "check",
            "compare",
            "explain",
            "chart",
            "plot",
            "coverage",
            "kca",
            "uncertainty",
            "scenario",
            "report",
        ],
    ),
    ("commands", &["cmd"]),
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS
        .iter()
        .position(|(_, modules)| modules.contains(&module))
}

/// The `crate::` modules a source text names, outside comments and test modules.
fn imports(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    let mut found = BTreeSet::new();
    for line in code.lines() {
        let line = line.trim_start();
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // use crate::{a, b::c};
                let end = group.find('}').unwrap_or(group.len());
                for part in group[..end].split(',') {
                    let name: String = part
                        .trim()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        found.insert(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        }
    }
    found
}

fn collect(dir: &Path, top: Option<&str>, graph: &mut BTreeMap<String, BTreeSet<String>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if path.is_dir() {
            collect(&path, Some(top.unwrap_or(&name)), graph);
        } else if let Some(stem) = name.strip_suffix(".rs") {
            let module = top.unwrap_or(stem).to_string();
            if top.is_none() && (stem == "lib" || stem == "main") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let entry = graph.entry(module.clone()).or_default();
            for m in imports(&text) {
                if m != module {
                    entry.insert(m);
                }
            }
        }
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut g = BTreeMap::new();
    collect(&repo().join("src"), None, &mut g);
    g
}

#[test]
fn every_module_is_in_a_layer_and_imports_only_below_or_beside() {
    let g = graph();
    let mut wrong = Vec::new();
    for (module, deps) in &g {
        let Some(own) = layer_of(module) else {
            wrong.push(format!(
                "{module} is in no layer: place it in LAYERS (tests/integration/layers.rs) and the README's architecture section"
            ));
            continue;
        };
        for d in deps {
            match layer_of(d) {
                Some(l) if l <= own => {}
                Some(l) => wrong.push(format!(
                    "{module} ({}) imports {d}, which is above it ({})",
                    LAYERS[own].0, LAYERS[l].0
                )),
                None => wrong.push(format!("{module} imports {d}, which is in no layer")),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn no_module_imports_another_that_imports_it_back() {
    let g = graph();
    // Every module's reach, by depth-first search; a module that reaches
    // itself is in a cycle.
    let mut cycles = Vec::new();
    for start in g.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<(&str, Vec<&str>)> = vec![(start.as_str(), vec![start.as_str()])];
        while let Some((m, path)) = stack.pop() {
            for d in g.get(m).into_iter().flatten() {
                if d == start {
                    let mut p = path.clone();
                    p.push(d);
                    cycles.push(p.join(" → "));
                } else if seen.insert(d.as_str()) {
                    let mut p = path.clone();
                    p.push(d);
                    stack.push((d, p));
                }
            }
        }
    }
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn only_commands_import_cmd() {
    let g = graph();
    let offenders: Vec<&String> = g
        .iter()
        .filter(|(m, deps)| *m != "cmd" && deps.contains("cmd"))
        .map(|(m, _)| m)
        .collect();
    assert!(offenders.is_empty(), "modules importing cmd: {offenders:?}");
}

#[test]
fn the_import_reader_sees_grouped_and_path_imports() {
    let found = imports(
        "use crate::{number::parse_decimal, unit};\n// crate::cmd in a comment\nlet x = crate::nfr::find(c);\n#[cfg(test)]\nuse crate::cmd;",
    );
    let expected: BTreeSet<String> = ["number", "unit", "nfr"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, expected);
}
