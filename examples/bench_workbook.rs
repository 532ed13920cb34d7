//! Benchmark helper for reading Annex I workbooks.
//!
//! ```sh
//! # a 33-year workbook (1990-2022) from a filled template, its years repeated
//! cargo run --release --example bench_workbook -- make ../shared/fixtures/BEW_2021-annex1-nfr2019.xlsx bench-33.xlsx 33
//! # seconds to read it, best of N runs, and the cells read
//! cargo run --release --example bench_workbook -- read bench-33.xlsx 5
//! ```

use airinv::annex1;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("make") if args.len() == 4 => {
            let book = airinv::workbook::read(Path::new(&args[1]))?;
            let n: usize = args[3].parse()?;
            let tables: Vec<annex1::Annex1Year> = (0..n)
                .map(|i| {
                    let mut t = book.years[i % book.years.len()].table.clone();
                    t.header.year = 1990 + i as i32;
                    t
                })
                .collect();
            annex1::write_xlsx(Path::new(&args[2]), &tables, |_| Ok(()))?;
            let cells: usize = tables.iter().map(filled).sum();
            println!("wrote {} sheets, {cells} filled cells", tables.len());
        }
        Some("read") if args.len() == 3 => {
            let runs: usize = args[2].parse()?;
            let mut best = f64::MAX;
            let mut cells = 0;
            for _ in 0..runs {
                let start = Instant::now();
                let book = airinv::workbook::read(Path::new(&args[1]))?;
                best = best.min(start.elapsed().as_secs_f64());
                cells = book.years.iter().map(|y| filled(&y.table)).sum();
            }
            println!("{best:.3} s, {cells} filled cells");
        }
        _ => {
            return Err(
                "usage: bench_workbook make FILLED.xlsx OUT.xlsx YEARS | read WORKBOOK.xlsx RUNS"
                    .into(),
            );
        }
    }
    Ok(())
}

/// Cells of a table that hold a number or a key.
fn filled(t: &annex1::Annex1Year) -> usize {
    t.rows
        .values()
        .map(|r| {
            r.pollutants
                .iter()
                .chain(r.fuels.iter())
                .chain([&r.other_activity])
                .filter(|c| !c.is_empty())
                .count()
        })
        .sum()
}
