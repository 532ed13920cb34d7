//! Benchmark helper for the uncertainty Monte Carlo (see benches/README.md).
//!
//! ```sh
//! # write the model of an inventory (dimensions, variables, lines) as CSVs for the NumPy run,
//! # then time airinv's Monte Carlo on it: N iterations with 2 threads and with 1 thread
//! cargo run --release --example bench_monte_carlo -- inventories/kazakhstan 2024 2021 target/bench-data/mc 1000000
//! ```

use airinv::pollutant::Pollutant;
use airinv::uncertainty::{Lineage, monte_carlo};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 5 {
        return Err("usage: bench_monte_carlo INVENTORY YEAR BASE OUT_DIR ITERATIONS".into());
    }
    let (year, base): (i32, i32) = (args[1].parse()?, args[2].parse()?);
    let out = Path::new(&args[3]);
    let n: u64 = args[4].parse()?;
    std::fs::create_dir_all(out)?;
    let source = airinv::Source::open_activity(Path::new(&args[0]))?;
    let inventory = source.inventory().ok_or("not an inventory")?;
    let c = airinv::uncertainty::compile_lineage(inventory)?;
    let overrides = airinv::uncertainty::read_overrides(&c.uncertainty_files)?;
    let lineage = Lineage::from_results(&c.results, &[year, base], &c.factors, &overrides);
    let pollutants: Vec<Pollutant> = Pollutant::ALL
        .iter()
        .copied()
        .filter(|p| {
            lineage
                .lines
                .iter()
                .any(|l| l.pollutant == *p && l.year == year)
        })
        .collect();
    let model = lineage.mc_model(&pollutants, year, Some(base));

    // The model, for benches/numpy_monte_carlo.py.
    let mut w = std::fs::File::create(out.join("vars.csv"))?;
    writeln!(w, "dim,kind,param")?;
    for (d, dist) in &model.vars {
        match dist {
            monte_carlo::Dist::Normal { s } => writeln!(w, "{d},normal,{s:e}")?,
            monte_carlo::Dist::LogNormal { sigma } => writeln!(w, "{d},lognormal,{sigma:e}")?,
            monte_carlo::Dist::TwoPiece { below, above } => {
                writeln!(w, "{d},twopiece,{below:e}/{above:e}")?
            }
        }
    }
    let mut w = std::fs::File::create(out.join("lines.csv"))?;
    writeln!(w, "quantity,emission,v0,v1,v2")?;
    for l in &model.lines {
        writeln!(
            w,
            "{},{:e},{},{},{}",
            l.quantity, l.emission, l.vars[0], l.vars[1], l.vars[2]
        )?;
    }
    let mut w = std::fs::File::create(out.join("model.txt"))?;
    writeln!(
        w,
        "dims {} vars {} lines {} quantities {} pollutants {}",
        model.dims,
        model.vars.len() - 1,
        model.lines.len(),
        model.quantities,
        pollutants
            .iter()
            .map(|p| p.id())
            .collect::<Vec<_>>()
            .join(" ")
    )?;

    let time =
        |threads: usize| -> Result<(f64, monte_carlo::McResult), Box<dyn std::error::Error>> {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()?;
            let t = Instant::now();
            let r = pool.install(|| monte_carlo::run(&model, n, 1));
            Ok((t.elapsed().as_secs_f64(), r))
        };
    let (two, r2) = time(2)?;
    let (one, r1) = time(1)?;
    let same = format!("{r1:?}") == format!("{r2:?}");
    // Per pollutant: mean and 2.5/97.5 percentiles of the year total, and of the trend.
    let mut w = std::fs::File::create(out.join("airinv.csv"))?;
    writeln!(w, "pollutant,mean,lower,upper,trend_lower,trend_upper")?;
    for (i, p) in pollutants.iter().enumerate() {
        let q = r2.quantities[2 * i];
        let t = r2.ratios[i];
        writeln!(
            w,
            "{},{},{},{},{},{}",
            p.id(),
            q.mean,
            q.lower,
            q.upper,
            (t.lower - 1.0) * 100.0,
            (t.upper - 1.0) * 100.0
        )?;
    }
    println!(
        "dims {} vars {} lines {} quantities {}: airinv {two:.2} s (2 threads), {one:.2} s (1 thread), identical {same}",
        model.dims,
        model.vars.len() - 1,
        model.lines.len(),
        model.quantities
    );
    if !same {
        return Err("the results of 1 and 2 threads differ".into());
    }
    Ok(())
}
