//! Generates a synthetic facility-level activity file for benchmarks:
//! N rows over real Guidebook 2023 Tier 1 combustion keys (NFR × fuel,
//! factors per GJ), in TJ, three years (2021-2023), 50 000 facility ids.
//!
//! ```sh
//! cargo run --release --example generate_facilities -- 10000000 bench-data/activity-1e7.csv
//! ```
//!
//! The keys are those for which airinv chooses one factor per pollutant for
//! a non-EU country (`--country KZ`), so the file compiles without pins.
//! The output is deterministic for a given N.

use airinv::activity::ActivityKey;
use airinv::emission_factor::{self, FactorKind};
use airinv::fuel::ActivityFuel;
use airinv::matching::{FactorIndex, Query};
use airinv::pins::{Pins, Tier};
use airinv::unit::{ActivityUnit, Dimension, FactorUnit};
use std::io::Write;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .ok_or("usage: generate_facilities N OUT.csv")?
        .parse()?;
    let out = args.next().ok_or("usage: generate_facilities N OUT.csv")?;

    // Tier 1 combustion keys per GJ, as the Guidebook names them.
    let factors = emission_factor::embedded()?;
    let mut keys: Vec<(String, String)> = factors
        .iter()
        .filter(|f| f.pins.tier == Some(Tier::One) && f.kind == FactorKind::EmissionFactor)
        .filter(|f| matches!(&f.unit, FactorUnit::Rate { per, .. } if per.dimension == Dimension::Energy))
        .filter_map(|f| Some((f, f.fuel.clone()?)))
        .flat_map(|(f, fuel)| f.annex1_codes.iter().map(move |c| (c.clone(), fuel.to_string())))
        .filter(|(c, _)| c.starts_with("1A1") || c.starts_with("1A2") || c.starts_with("1A4") || c.starts_with("1A5"))
        .collect();
    keys.sort();
    keys.dedup();
    let index = FactorIndex::new(
        factors,
        Vec::new(),
        airinv::fuel::Fuels::built_in().clone(),
        Some("KZ".into()),
    );
    let tj = ActivityUnit::parse("TJ")?;
    keys.retain(|(code, fuel)| {
        let Some(row) = airinv::nfr::find(code) else {
            return false;
        };
        let key = ActivityKey {
            year: 2022,
            row,
            fuel: ActivityFuel::read(fuel, index.fuels()),
            pins: Pins::default(),
            unit: tj.clone(),
            efficiency: None,
        };
        index.select(&Query::new(&key)).is_ok()
    });
    eprintln!("{} NFR × fuel keys", keys.len());

    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    writeln!(w, "year,nfr,fuel,technology,value,unit,source_id")?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ n);
    for _ in 0..n {
        let (code, fuel) = &keys[rng.below(keys.len() as u64) as usize];
        let year = 2021 + rng.below(3);
        let milli = 1 + rng.below(5_000_000); // 0.001 to 5000.000 TJ
        let facility = 1 + rng.below(50_000);
        writeln!(
            w,
            "{year},{code},{fuel},,{}.{:03},TJ,F{facility:05}",
            milli / 1000,
            milli % 1000
        )?;
    }
    w.flush()?;
    Ok(())
}
