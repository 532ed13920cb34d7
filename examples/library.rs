//! Using airinv as a library: compile the shipped example inventory in
//! memory and print the 2022 NOx of each sector row, then read the same
//! tables back from a source (here the inventory folder again; an output
//! folder or an Annex I workbook are read the same way).
//!
//! Run with `cargo run --example library`.

use airinv::{Cell, CompileOptions, Pollutant, Source, compute};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let source = Source::open_activity("inventories/example".as_ref())?;
    let inventory = source.inventory().expect("an inventory folder");
    let compiled = compute(
        inventory,
        &CompileOptions {
            reporting_date: Some("15.02.2024".into()),
            ..CompileOptions::default()
        },
    )?;
    let counts = compiled.report.counts;
    println!(
        "rows read {} = used {} + rejected {}",
        counts.read, counts.used, counts.rejected
    );
    let table = compiled
        .tables
        .iter()
        .find(|t| t.header.year == 2022)
        .expect("the example has 2022");
    for (number, row) in &table.rows {
        if let Cell::Number(v) = row.get(Pollutant::NOx) {
            let nfr = airinv::nfr::rows().iter().find(|r| r.number == *number);
            let code = nfr.map(|r| r.code.as_str()).unwrap_or("");
            println!("row {number:>3} {code:>14}: NOx {v} kt");
        }
    }
    let years = Source::open("inventories/example".as_ref())?
        .tables()?
        .years;
    println!(
        "read back {} years: {:?}",
        years.len(),
        years
            .iter()
            .map(|y| y.table.header.year)
            .collect::<Vec<_>>()
    );
    Ok(())
}
