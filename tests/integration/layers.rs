//! The library's layers, checked from its source: every module of `src/`
//! belongs to one layer, imports only go to its own layer or below, the
//! command line (`cmd`) belongs to the binary (`src/main.rs` declares it;
//! the library does not, and nothing but `cmd` imports it), and no two
//! modules import each other, directly or through others — between the
//! top-level modules and between the modules inside each folder alike.
//!
//! Every file is a module (`sheet/xls.rs` is `sheet::xls`, `sheet/mod.rs` is
//! `sheet`). Its imports are the paths its code names (outside comments and
//! test modules) that start with `crate::`, `super::`, `self::` (and, in the
//! binary's modules, `airinv::`, the library's root) or, in a
//! folder's `mod.rs`, the name of one of its submodules, in `use` trees
//! (grouped, nested, over several lines) and in expressions alike. A path
//! goes to the deepest module it names; a name that a module re-exports
//! (`pub use`) goes on to the module that defines it, so
//! `crate::sheet::MAX_PART_BYTES` is an import of `sheet::limits`.
//!
//! Cycles are looked for in every folder (the crate's root included) among
//! its direct submodules, each submodule standing for everything inside it.
//! A folder's `mod.rs` is the folder's front: it declares its submodules,
//! may use them and may hold types they share, so imports between it and
//! its own submodules are not cycles; imports between two submodules are.
//! A re-export in a `mod.rs` of its own submodules' items is only a name,
//! not an import.
//!
//! A folder may span layers: a submodule listed in [`LAYERS`] by its path
//! (`annex1::xlsx_read`) has that layer, any other module the layer of its
//! nearest listed ancestor.
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
            "pins",
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
            "annex1::csv",
            "annex1::xlsx_read",
            "activity",
            "inventory",
            "mapping",
            "commitment",
            "plant",
        ],
    ),
    (
        "factors",
        &[
            "emission_factor",
            "guidebook",
            "fallback",
            "method",
            "matching",
            "limits",
        ],
    ),
    (
        "calculation",
        &[
            "calculate",
            "gap_fill",
            "splice",
            "stream",
            "aggregate",
            "lineage",
            "trend",
            "without_factor",
            "compile",
            "tier3",
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
            "coverage",
            "kca",
            "uncertainty",
            "scenario",
            "report",
            "compliance",
            "ratification",
        ],
    ),
    ("commands", &["cmd"]),
];

/// Cycles allowed for now, by the modules they run through. Each entry is
/// TEMPORARY, named with the branch that removes the cycle; the lead deletes
/// the entry when merging it. A cycle is allowed when every module on it is
/// in one entry.
const TEMPORARY_CYCLE_ALLOWANCES: &[(&str, &[&str])] = &[];

fn layer_of(module: &str) -> Option<usize> {
    // The nearest listed ancestor: the longest listed path that is the
    // module or contains it.
    let mut best: Option<(usize, usize)> = None;
    for (layer, (_, modules)) in LAYERS.iter().enumerate() {
        for m in *modules {
            let inside = module == *m
                || module
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with("::"));
            if inside && best.is_none_or(|(len, _)| m.len() > len) {
                best = Some((m.len(), layer));
            }
        }
    }
    best.map(|(_, layer)| layer)
}

/// One module of `src/`: its path (`sheet::xls`; `""` for lib.rs), the
/// names of its submodules, and its code outside comments and tests.
struct Module {
    path: String,
    /// A module of the binary (declared by `src/main.rs`), which names the
    /// library as `airinv::`.
    binary: bool,
    children: BTreeSet<String>,
    code: String,
}

fn segments_of(path: &str) -> Vec<String> {
    if path.is_empty() {
        Vec::new()
    } else {
        path.split("::").map(String::from).collect()
    }
}

/// The code of a source text: line comments and test modules removed.
fn code_of(text: &str) -> String {
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    code.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The leaves of a path or `use` tree starting at `at`: `a::{b, c::{d, e}}`
/// gives `a::b`, `a::c::d`, `a::c::e`; `self` in a group names the group's
/// path; `as` aliases and `*` are dropped.
fn path_tree(text: &[char], at: &mut usize) -> Vec<Vec<String>> {
    let skip_space = |at: &mut usize| {
        while *at < text.len() && text[*at].is_whitespace() {
            *at += 1;
        }
    };
    skip_space(at);
    if *at < text.len() && text[*at] == '{' {
        *at += 1;
        let mut leaves = Vec::new();
        loop {
            skip_space(at);
            if *at >= text.len() {
                return leaves;
            }
            if text[*at] == '}' {
                *at += 1;
                return leaves;
            }
            let before = *at;
            leaves.extend(path_tree(text, at));
            skip_space(at);
            if *at < text.len() && text[*at] == ',' {
                *at += 1;
            } else if *at == before {
                // Not a use tree after all: stop.
                return leaves;
            }
        }
    }
    let start = *at;
    while *at < text.len() && is_ident(text[*at]) {
        *at += 1;
    }
    if *at == start {
        if *at < text.len() && text[*at] == '*' {
            *at += 1;
        }
        return vec![Vec::new()];
    }
    let name: String = text[start..*at].iter().collect();
    if text.get(*at) == Some(&':') && text.get(*at + 1) == Some(&':') {
        *at += 2;
        return path_tree(text, at)
            .into_iter()
            .map(|rest| {
                let mut p = vec![name.clone()];
                p.extend(rest);
                p
            })
            .collect();
    }
    if name == "self" {
        return vec![Vec::new()];
    }
    let mut after = *at;
    while after < text.len() && text[after].is_whitespace() {
        after += 1;
    }
    let alias: String = text[after..].iter().take(3).collect();
    if alias == "as " {
        *at = after + 3;
        skip_space(at);
        while *at < text.len() && is_ident(text[*at]) {
            *at += 1;
        }
    }
    vec![vec![name]]
}

/// The paths a module's code names, made absolute (segments from the
/// crate's root), each with whether it is a re-export (`pub use`).
fn named_paths(module: &Module) -> Vec<(Vec<String>, bool)> {
    let text: Vec<char> = module.code.chars().collect();
    let own = segments_of(&module.path);
    let mut found = Vec::new();
    let mut at = 0;
    while at < text.len() {
        let boundary = at == 0 || !(is_ident(text[at - 1]) || matches!(text[at - 1], ':' | '$'));
        if !boundary || !(text[at].is_ascii_alphabetic()) {
            at += 1;
            continue;
        }
        let word_end = (at..text.len())
            .find(|i| !is_ident(text[*i]))
            .unwrap_or(text.len());
        let word: String = text[at..word_end].iter().collect();
        let path_follows = text.get(word_end) == Some(&':') && text.get(word_end + 1) == Some(&':');
        let starts = matches!(word.as_str(), "crate" | "super" | "self")
            || (word == "airinv" && module.binary)
            || module.children.contains(&word);
        if !path_follows || !starts {
            at = word_end;
            continue;
        }
        // A re-export: the statement begins with `pub use` or `pub(...) use`.
        let line_start = text[..at]
            .iter()
            .rposition(|c| *c == ';' || *c == '}' || *c == '{')
            .map_or(0, |i| i + 1);
        let statement: String = text[line_start..at].iter().collect();
        let statement = statement.trim_start();
        let reexport = statement.starts_with("pub use")
            || (statement.starts_with("pub(") && statement.contains(") use"));
        let mut cursor = at;
        for leaf in path_tree(&text, &mut cursor) {
            let mut absolute = own.clone();
            let mut rest = leaf.as_slice();
            match rest.first().map(String::as_str) {
                Some("crate" | "airinv") => {
                    absolute.clear();
                    rest = &rest[1..];
                }
                Some("self") => rest = &rest[1..],
                _ => {}
            }
            while rest.first().map(String::as_str) == Some("super") {
                absolute.pop();
                rest = &rest[1..];
            }
            absolute.extend(rest.iter().cloned());
            found.push((absolute, reexport));
        }
        at = cursor.max(at + 1);
    }
    found
}

/// The modules the binary declares (`mod x;` in `src/main.rs`): they name
/// the library as `airinv::`.
fn binary_modules() -> BTreeSet<String> {
    let main = std::fs::read_to_string(repo().join("src/main.rs")).unwrap();
    main.lines()
        .filter_map(|l| l.trim().strip_prefix("mod ")?.strip_suffix(';'))
        .map(str::to_string)
        .collect()
}

/// Every module of `src/` (lib.rs as the root, main.rs left out: it is the
/// binary).
fn modules() -> BTreeMap<String, Module> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, Module>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        let mut children = BTreeSet::new();
        for path in &entries {
            let name = path.file_stem().unwrap().to_str().unwrap().to_string();
            if path.is_dir() {
                if path.join("mod.rs").exists() {
                    let mut sub = prefix.to_vec();
                    sub.push(name.clone());
                    walk(path, &sub, out);
                    children.insert(name);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && !matches!(name.as_str(), "mod" | "lib" | "main")
            {
                let mut sub = prefix.to_vec();
                sub.push(name.clone());
                let text = std::fs::read_to_string(path).unwrap();
                out.insert(
                    sub.join("::"),
                    Module {
                        path: sub.join("::"),
                        binary: binary_modules().contains(&sub[0]),
                        children: BTreeSet::new(),
                        code: code_of(&text),
                    },
                );
                children.insert(name);
            }
        }
        let front = if prefix.is_empty() {
            dir.join("lib.rs")
        } else {
            dir.join("mod.rs")
        };
        let text = std::fs::read_to_string(front).unwrap();
        out.insert(
            prefix.join("::"),
            Module {
                path: prefix.join("::"),
                binary: prefix.first().is_some_and(|p| binary_modules().contains(p)),
                children,
                code: code_of(&text),
            },
        );
    }
    let mut out = BTreeMap::new();
    walk(&repo().join("src"), &[], &mut out);
    out
}

/// The modules, their imports (module → modules it imports) and their
/// re-exports (module → name → the path it stands for).
struct Graph {
    modules: BTreeMap<String, Module>,
    reexports: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    imports: BTreeMap<String, BTreeSet<String>>,
}

impl Graph {
    fn load() -> Graph {
        Graph::of(modules())
    }

    fn of(modules: BTreeMap<String, Module>) -> Graph {
        let named: BTreeMap<String, Vec<(Vec<String>, bool)>> = modules
            .values()
            .map(|m| (m.path.clone(), named_paths(m)))
            .collect();
        let mut reexports: BTreeMap<String, BTreeMap<String, Vec<String>>> = BTreeMap::new();
        for (module, paths) in &named {
            for (path, reexport) in paths {
                if *reexport && let Some(name) = path.last() {
                    reexports
                        .entry(module.clone())
                        .or_default()
                        .insert(name.clone(), path.clone());
                }
            }
        }
        let mut g = Graph {
            modules,
            reexports,
            imports: BTreeMap::new(),
        };
        for (module, paths) in &named {
            let mut imports = BTreeSet::new();
            for (path, reexport) in paths {
                let Some(target) = g.resolve(path, 0) else {
                    continue;
                };
                // A front re-exporting its own submodules' items names them.
                let own_item = module.is_empty() || target.starts_with(&format!("{module}::"));
                if target == *module || target.is_empty() || (*reexport && own_item) {
                    continue;
                }
                imports.insert(target);
            }
            g.imports.insert(module.clone(), imports);
        }
        g
    }

    /// The module an absolute path leads to: the deepest module it names,
    /// following re-exports.
    fn resolve(&self, path: &[String], depth: usize) -> Option<String> {
        let mut known = 0;
        while known < path.len() && self.modules.contains_key(&path[..=known].join("::")) {
            known += 1;
        }
        let module = path[..known].join("::");
        if known == path.len() || depth > 8 {
            return Some(module);
        }
        match self
            .reexports
            .get(&module)
            .and_then(|r| r.get(&path[known]))
        {
            Some(target) if target.as_slice() != path => {
                let mut onward = target.clone();
                onward.extend(path[known + 1..].iter().cloned());
                self.resolve(&onward, depth + 1)
            }
            _ => Some(module),
        }
    }

    /// The direct submodule of `folder` that `module` is or is inside.
    fn child_of(folder: &str, module: &str) -> Option<String> {
        let rest = if folder.is_empty() {
            module
        } else {
            module.strip_prefix(folder)?.strip_prefix("::")?
        };
        rest.split("::").next().filter(|s| !s.is_empty()).map(|s| {
            if folder.is_empty() {
                s.to_string()
            } else {
                format!("{folder}::{s}")
            }
        })
    }

    /// The cycles among the direct submodules of each folder, each as the
    /// modules it runs through.
    fn cycles(&self) -> Vec<Vec<String>> {
        let mut cycles = Vec::new();
        let folders = self
            .modules
            .values()
            .filter(|m| !m.children.is_empty())
            .map(|m| m.path.clone());
        for folder in folders {
            let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for (from, targets) in &self.imports {
                let Some(a) = Graph::child_of(&folder, from) else {
                    continue;
                };
                for to in targets {
                    if let Some(b) = Graph::child_of(&folder, to)
                        && a != b
                    {
                        edges.entry(a.clone()).or_default().insert(b);
                    }
                }
            }
            for start in edges.keys() {
                // Depth-first from each module; one that reaches itself is
                // in a cycle.
                let mut seen = BTreeSet::new();
                let mut stack: Vec<(&str, Vec<&str>)> = vec![(start, vec![start])];
                while let Some((m, path)) = stack.pop() {
                    for d in edges.get(m).into_iter().flatten() {
                        if d == start {
                            let mut p: Vec<String> = path.iter().map(|s| s.to_string()).collect();
                            p.push(d.clone());
                            cycles.push(p);
                        } else if seen.insert(d.as_str()) {
                            let mut p = path.clone();
                            p.push(d);
                            stack.push((d, p));
                        }
                    }
                }
            }
        }
        cycles
    }
}

#[test]
fn every_module_is_in_a_layer_and_imports_only_below_or_beside() {
    let g = Graph::load();
    let mut wrong = Vec::new();
    for (module, deps) in &g.imports {
        if module.is_empty() {
            continue;
        }
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
    let g = Graph::load();
    let cycles: Vec<String> = g
        .cycles()
        .into_iter()
        .filter(|c| {
            !TEMPORARY_CYCLE_ALLOWANCES
                .iter()
                .any(|(_, allowed)| c.iter().all(|m| allowed.contains(&m.as_str())))
        })
        .map(|c| c.join(" → "))
        .collect();
    assert!(cycles.is_empty(), "import cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_temporary_cycle_allowances_are_still_needed() {
    // An allowance no cycle uses any more is one to delete.
    let cycles = Graph::load().cycles();
    for (why, allowed) in TEMPORARY_CYCLE_ALLOWANCES {
        assert!(
            cycles
                .iter()
                .any(|c| c.iter().all(|m| allowed.contains(&m.as_str()))),
            "no cycle runs through {allowed:?} any more: delete its allowance ({why})"
        );
    }
}

#[test]
fn the_command_line_belongs_to_the_binary() {
    let lib = std::fs::read_to_string(repo().join("src/lib.rs")).unwrap();
    assert!(
        !lib.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("pub mod cmd")
                || l.starts_with("mod cmd")
                || l.starts_with("pub(crate) mod cmd")
        }),
        "the library declares cmd: the commands are the binary's (src/main.rs)"
    );
    assert!(binary_modules().contains("cmd"));
}

#[test]
fn only_commands_import_cmd() {
    let g = Graph::load();
    let in_cmd = |m: &str| m == "cmd" || m.starts_with("cmd::");
    let offenders: Vec<&String> = g
        .imports
        .iter()
        .filter(|(m, deps)| !in_cmd(m) && deps.iter().any(|d| in_cmd(d)))
        .map(|(m, _)| m)
        .collect();
    assert!(offenders.is_empty(), "modules importing cmd: {offenders:?}");
}

/// A graph of modules written inline, for the tests of the reader.
fn graph_of(files: &[(&str, &str)]) -> Graph {
    let mut modules: BTreeMap<String, Module> = BTreeMap::new();
    for (path, text) in files {
        modules.insert(
            path.to_string(),
            Module {
                path: path.to_string(),
                binary: false,
                children: BTreeSet::new(),
                code: code_of(text),
            },
        );
    }
    let paths: Vec<String> = modules.keys().cloned().collect();
    for p in &paths {
        if let Some((parent, name)) = p.rsplit_once("::").or(Some(("", p.as_str())))
            && !p.is_empty()
        {
            modules
                .get_mut(parent)
                .expect("the parent of every module is given")
                .children
                .insert(name.to_string());
        }
    }
    Graph::of(modules)
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_import_reader_sees_grouped_nested_and_path_imports() {
    let g = graph_of(&[
        ("", "pub use notation_key::Cell;"),
        ("number", ""),
        ("unit", ""),
        ("nfr", ""),
        ("notation_key", ""),
        ("cmd", ""),
        (
            "activity",
            "use crate::{\n    number::parse_decimal,\n    unit::{self, Unit},\n};\n// crate::cmd in a comment\nlet x = crate::nfr::find(c);\nlet c: crate::Cell;\n#[cfg(test)]\nuse crate::cmd;",
        ),
    ]);
    assert_eq!(
        g.imports["activity"],
        set(&["number", "unit", "nfr", "notation_key"])
    );
}

#[test]
fn the_import_reader_follows_super_and_re_exports_inside_a_folder() {
    let g = graph_of(&[
        ("", ""),
        (
            "sheet",
            "pub use limits::MAX_CELLS;\nfn f() { xls::check() }",
        ),
        ("sheet::limits", ""),
        ("sheet::xls", "use super::MAX_CELLS;"),
        ("sheet::container", "use super::xls::{OLE, check};"),
        (
            "sheet::workbook",
            "use super::container::check as c;\nuse super::super::sheet::Sheet;",
        ),
    ]);
    // The front names its submodule; re-exporting one's items is no import.
    assert_eq!(g.imports["sheet"], set(&["sheet::xls"]));
    assert_eq!(g.imports["sheet::xls"], set(&["sheet::limits"]));
    assert_eq!(g.imports["sheet::container"], set(&["sheet::xls"]));
    assert_eq!(
        g.imports["sheet::workbook"],
        set(&["sheet", "sheet::container"])
    );
    assert!(g.cycles().is_empty());
}

#[test]
fn a_cycle_among_the_modules_of_a_folder_is_found() {
    let g = graph_of(&[
        ("", ""),
        ("sheet", "pub use workbook::MAX_CELLS;"),
        ("sheet::container", "use super::xls::OLE;"),
        ("sheet::xls", "use super::MAX_CELLS;"),
        ("sheet::workbook", "use crate::sheet::container::check;"),
    ]);
    let cycles = g.cycles();
    assert!(!cycles.is_empty());
    assert!(
        cycles.iter().all(|c| c.len() == 4 && c[0] == c[3]),
        "{cycles:?}"
    );
    // Between folders, each folder is one module.
    let g = graph_of(&[
        ("", ""),
        ("a", ""),
        ("a::x", "use crate::b::y;"),
        ("b", ""),
        ("b::y", "use crate::a::Thing;"),
    ]);
    assert_eq!(
        g.cycles(),
        vec![
            vec!["a".to_string(), "b".into(), "a".into()],
            vec!["b".to_string(), "a".into(), "b".into()]
        ]
    );
}

#[test]
fn a_submodule_listed_in_the_layers_has_its_own_layer() {
    assert_eq!(layer_of("annex1"), Some(0));
    assert_eq!(layer_of("annex1::table"), Some(0));
    assert_eq!(layer_of("annex1::xlsx_read::labels"), Some(1));
    assert_eq!(layer_of("sheet::xls"), Some(1));
    assert_eq!(layer_of("nowhere"), None);
}
