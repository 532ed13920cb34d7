//! Using airinv as a library: compile the shipped example inventory and
//! print NOx per sector for 2022 from the CSV it writes.
//!
//! Run with `cargo run --example library`.

use airinv::cmd::compile::run;
use airinv::compile::CompileOptions;
use airinv::pollutant::Pollutant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::temp_dir().join("airinv-library-example");
    let report = run(&CompileOptions {
        source: "inventories/example".into(),
        out: out.clone(),
        reporting_date: Some("15.02.2024".into()),
        ..CompileOptions::default()
    })?;
    println!(
        "rows read {} = used {} + rejected {}",
        report.counts.read, report.counts.used, report.counts.rejected
    );
    // The outputs are plain CSV: read the 2022 table back.
    let mut table = csv::Reader::from_path(out.join("annex1_2022.csv"))?;
    let headers = table.headers()?.clone();
    let nox = headers
        .iter()
        .position(|h| h == Pollutant::NOx.id())
        .expect("NOx column");
    for row in table.records() {
        let row = row?;
        if row[nox].parse::<f64>().is_ok() {
            println!("{:>14} {:<60} {} kt", &row[2], &row[3], &row[nox]);
        }
    }
    println!("written to {}", out.display());
    Ok(())
}
