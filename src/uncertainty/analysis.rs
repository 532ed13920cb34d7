//! The uncertainty of a source, as `airinv uncertainty` reports it: Approach
//! 1 for every pollutant with an emission (with the lineage of an inventory
//! folder, line by line; else from the Annex I table with defaults), the
//! Monte Carlo where there is lineage, and each row's key-category criteria
//! (Approach 1 and 2, by the rows' combined uncertainties).
//!
//! ```text
//! Source ─┬─ inventory: compile_lineage ─► Lineage ─► rows per pollutant ─┐
//!         └─ tables: table_rows (defaults, uncertainty files) ────────────┤
//!                                                                         ▼
//!            approach1::compute ─► monte_carlo::run (lineage only) ─► kca ─► Analysis
//! ```

use super::approach1;
use super::{Lineage, PollutantUncertainty, monte_carlo, sampled, split_mc, table_rows};
use crate::annex1::Annex1Year;
use crate::error::{Error, Result};
use crate::kca::{self, RowUncertainties};
use crate::pollutant::Pollutant;
use crate::source::Source;
use serde::Serialize;
use std::path::PathBuf;

/// The Monte Carlo's default number of iterations.
pub const DEFAULT_ITERATIONS: u64 = 100_000;
/// The default seed (a fixed one: the same command gives the same output).
pub const DEFAULT_SEED: u64 = 1;

/// What to analyse.
#[derive(Debug, Clone)]
pub struct Options {
    pub year: i32,
    pub base: Option<i32>,
    /// Uncertainty files, after the inventory's own.
    pub uncertainties: Vec<PathBuf>,
    pub iterations: u64,
    pub seed: u64,
    /// Threads of the Monte Carlo (all cores when not given).
    pub threads: Option<usize>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            year: 0,
            base: None,
            uncertainties: Vec::new(),
            iterations: DEFAULT_ITERATIONS,
            seed: DEFAULT_SEED,
            threads: None,
        }
    }
}

/// The uncertainty of a year (and of the trend from a base year).
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    pub year: i32,
    pub base: Option<i32>,
    /// The source, as given.
    pub source: String,
    /// Whether the source had lineage (an inventory folder): the Monte
    /// Carlo ran.
    pub lineage: bool,
    /// What the inputs are, in words.
    pub note: &'static str,
    #[serde(skip)]
    pub iterations: u64,
    #[serde(skip)]
    pub seed: u64,
    /// Every pollutant with an emission, in template order.
    pub pollutants: Vec<PollutantUncertainty>,
}

const NOTE_LINEAGE: &str = "factor uncertainties from the 95 % intervals of the factors used (asymmetric: lognormal in the Monte Carlo, the larger side in Approach 1); activity uncertainties from the sector defaults unless given";
const NOTE_TABLES: &str = "no lineage (Annex I tables): Approach 1 only, with default uncertainties per row (activity: sector default; factor: median interval of the row's Guidebook Tier 1 factors) unless given; the Monte Carlo needs an inventory folder";

/// Analyses a source.
pub fn analyse(source: &Source, opts: &Options) -> Result<Analysis> {
    let path = source.path();
    if opts.iterations == 0 {
        return Err(Error::file(path, "--iterations must be at least 1"));
    }
    let years: Vec<i32> = std::iter::once(opts.year).chain(opts.base).collect();
    let (tables, lineage, overrides): (Vec<Annex1Year>, Option<Lineage>, _) =
        match source.inventory() {
            Some(inventory) => {
                let c = super::compile_lineage(inventory)?;
                let mut files = c.uncertainty_files.clone();
                files.extend(opts.uncertainties.iter().cloned());
                let overrides = super::read_overrides(&files)?;
                let lineage = Lineage::from_results(&c.results, &years, &c.factors, &overrides);
                (c.tables, Some(lineage), overrides)
            }
            None => {
                let overrides = super::read_overrides(&opts.uncertainties)?;
                let tables = source.tables()?.years.into_iter().map(|t| t.table);
                (tables.collect(), None, overrides)
            }
        };
    let find = |y: i32| -> Result<&Annex1Year> {
        tables.iter().find(|t| t.header.year == y).ok_or_else(|| {
            crate::source::missing_year(path, y, tables.iter().map(|t| t.header.year))
        })
    };
    let year_table = find(opts.year)?;
    let base_table = opts.base.map(find).transpose()?;
    let guidebook = crate::emission_factor::embedded()?;

    // Approach 1, per pollutant with an emission.
    let mut pollutants: Vec<PollutantUncertainty> = Vec::new();
    for p in Pollutant::ALL {
        let rows = match &lineage {
            Some(l) => l.rows(p, opts.year, opts.base),
            None => table_rows(year_table, base_table, p, &guidebook, &overrides),
        };
        if rows.iter().all(|r| r.emission.is_zero()) {
            continue;
        }
        pollutants.push(PollutantUncertainty {
            approach1: approach1::compute(p, rows, opts.base.is_some()),
            monte_carlo: None,
        });
    }

    // Approach 2, with lineage.
    if let Some(l) = &lineage {
        let ps: Vec<Pollutant> = pollutants.iter().map(|u| u.approach1.pollutant).collect();
        let model = l.mc_model(&ps, opts.year, opts.base);
        let go = || monte_carlo::run(&model, opts.iterations, opts.seed);
        let result = match opts.threads {
            Some(n) => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::file(path, format!("cannot start {n} threads: {e}")))?
                .install(go),
            None => go(),
        };
        for (i, mut mc) in split_mc(&result, ps.len(), opts.base.is_some())
            .into_iter()
            .enumerate()
        {
            mc.sampled = sampled(l, &[ps[i]], &years);
            pollutants[i].monte_carlo = Some(mc);
        }
    }

    key_categories(&mut pollutants, year_table, base_table);
    Ok(Analysis {
        year: opts.year,
        base: opts.base,
        source: path.display().to_string(),
        lineage: lineage.is_some(),
        note: if lineage.is_some() {
            NOTE_LINEAGE
        } else {
            NOTE_TABLES
        },
        iterations: opts.iterations,
        seed: opts.seed,
        pollutants,
    })
}

/// Each row's key-category criteria (Approach 1, and Approach 2 by the
/// rows' combined uncertainties), for the tables.
fn key_categories(
    pollutants: &mut [PollutantUncertainty],
    year: &Annex1Year,
    base: Option<&Annex1Year>,
) {
    let mut row_u = RowUncertainties::new();
    for u in pollutants.iter() {
        for r in &u.approach1.rows {
            if !r.input.emission.is_zero() {
                row_u.insert((u.approach1.pollutant, r.input.row), r.combined_pct);
            }
        }
    }
    for k in kca::analyse(year, base, Some(&row_u)) {
        let Some(u) = pollutants
            .iter_mut()
            .find(|u| u.approach1.pollutant == k.pollutant)
        else {
            continue;
        };
        for c in k.key_categories() {
            if let Some(r) = u.approach1.rows.iter_mut().find(|r| r.input.row == c.row) {
                r.key = c.criteria.clone();
            }
        }
    }
}
