//! Wide inputs in flat memory (issue 29): Kazakhstan's energy balance with
//! thousands of empty extra columns compiles in both detail modes under a
//! memory limit, its peak memory does not grow with the width, and
//! detail.csv does not carry the empty columns.
//!
//! The limit is `prlimit --as` (address space, util-linux) and the peak
//! resident memory is GNU time's `%M` (`/usr/bin/time -o`), on the airinv
//! process alone; without either tool the test is skipped.

use crate::harness::{Dir, repo, skip};
use std::path::Path;
use std::process::Command;

/// The address space airinv may take: 1 GiB.
const LIMIT: u64 = 1 << 30;

/// The energy balance with `width` empty columns (`x0`, `x1`...) added to
/// its header and every row.
fn widened(width: usize) -> String {
    let text =
        std::fs::read_to_string(repo().join("inventories/kazakhstan/activity/energy-balance.csv"))
            .unwrap();
    let mut out = String::new();
    for (i, line) in text.lines().enumerate() {
        out.push_str(line);
        if i == 0 {
            for c in 0..width {
                out.push_str(&format!(",x{c}"));
            }
        } else {
            out.push_str(&",".repeat(width));
        }
        out.push('\n');
    }
    out
}

/// Compiles `inv` (one activity file, the balance) with `--detail detail`
/// under [`LIMIT`]; its peak resident memory in KiB.
fn compile_peak(d: &Dir, inv: &str, detail: &str) -> u64 {
    let time_out = d.path(&format!("{inv}-{detail}.time"));
    let out = Command::new("prlimit")
        .arg(format!("--as={LIMIT}"))
        .arg("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(&time_out)
        .arg(assert_cmd::cargo::cargo_bin("airinv"))
        .args(["compile", inv, "--out"])
        .arg(format!("{inv}-{detail}-out"))
        .args(["--detail", detail])
        .current_dir(d.path(""))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{inv} --detail {detail} under a {LIMIT}-byte limit: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&time_out).unwrap();
    text.lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or_else(|| panic!("no peak memory in {text}"))
}

fn tools_present() -> bool {
    let ok = |p: &str, arg: &str| {
        Command::new(p)
            .arg(arg)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    ok("prlimit", "--version") && Path::new("/usr/bin/time").exists()
}

#[test]
fn the_energy_balance_with_5000_empty_columns_compiles_in_flat_memory() {
    if !tools_present() {
        skip("prlimit or /usr/bin/time is not installed");
        return;
    }
    let d = Dir::new();
    let toml = "country = \"KZ\"\nyears = [2021, 2022, 2023, 2024]\nactivity = [\"balance.csv\"]\n";
    d.write("narrow/inventory.toml", toml);
    d.write("wide/inventory.toml", toml);
    d.write("narrow/balance.csv", &widened(0));
    // 713 rows × 5 000 empty cells: 3.6 million cells, 3.6 MB of commas.
    d.write("wide/balance.csv", &widened(5000));
    for detail in ["keys", "rows"] {
        let narrow = compile_peak(&d, "narrow", detail);
        let wide = compile_peak(&d, "wide", detail);
        // Kept as strings, 3.6 million empty cells would take more than
        // 24 bytes each (86 MB); the file's text is 3.6 MB.
        assert!(
            wide < narrow + 32 * 1024,
            "--detail {detail}: {wide} KiB with 5 000 empty columns against {narrow} KiB without"
        );
        // The outputs are those of the balance without the columns:
        // detail.csv carries none of them.
        for file in ["detail.csv", "annex1_2022.csv"] {
            let a = d
                .read(&format!("narrow-{detail}-out/{file}"))
                .replace("narrow/balance.csv", "wide/balance.csv");
            let b = d.read(&format!("wide-{detail}-out/{file}"));
            let first = a.lines().zip(b.lines()).find(|(x, y)| x != y);
            assert!(a == b, "--detail {detail}: {file} differs: {first:?}");
        }
        let detail_csv = d.read(&format!("wide-{detail}-out/detail.csv"));
        let header = detail_csv.lines().next().unwrap();
        assert!(!header.split(',').any(|c| c == "x0"), "{header}");
    }
}
