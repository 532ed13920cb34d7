//! The uncertainty of a source, as `airinv uncertainty` reports it (and
//! `airinv report`, with the same defaults): Approach 1 for every pollutant
//! with an emission in the year or the base year (with the lineage of an
//! inventory folder, line by line; else from the Annex I table with
//! defaults), the Monte Carlo where there is lineage, and the key
//! categories by Approach 1 and 2 (Approach 2 weighs by the rows' combined
//! uncertainties, which every row has; `airinv kca` takes them from
//! [`key_uncertainties`]).
//!
//! ```text
//! Source ─┬─ inventory: compile_lineage ─► Lineage ─► rows per pollutant ─┐
//!         └─ tables: table_rows (defaults, uncertainty files) ────────────┤
//!                                                                         ▼
//!            approach1::compute ─► monte_carlo::run (lineage only) ─► kca ─► Analysis
//! ```

use super::approach1;
use super::{
    CompiledLineage, Lineage, PollutantUncertainty, monte_carlo, sampled, split_mc, table_rows,
};
use crate::annex1::Annex1Year;
use crate::error::{Error, Result};
use crate::kca::{self, PollutantKca, RowUncertainties};
use crate::pollutant::Pollutant;
use crate::source::Source;
use serde::Serialize;
use std::path::{Path, PathBuf};

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
    /// Rows' lines whose activity or factor uncertainty is a placeholder
    /// (no verified source gives it), over every pollutant.
    pub placeholders: usize,
    /// Every pollutant with an emission in the year or the base year, in
    /// template order.
    pub pollutants: Vec<PollutantUncertainty>,
    /// The key categories by Approach 1 and 2 (what `airinv kca` gives).
    #[serde(skip)]
    pub key_categories: Vec<PollutantKca>,
}

const NOTE_LINEAGE: &str = "factor uncertainties from the 95 % intervals of the factors used (a factor without one: the median interval of the Guidebook Tier 1 factors of its row, else a data-quality rating's default); activity uncertainties from the sector defaults unless given; asymmetric intervals kept apart in Approach 1 and reproduced in the Monte Carlo";
const NOTE_TABLES: &str = "no lineage (Annex I tables): Approach 1 only, with default uncertainties per row (activity: sector default; factor: median interval of the row's Guidebook Tier 1 factors, else a data-quality rating's default) unless given; the Monte Carlo needs an inventory folder";

/// Analyses a source: an inventory folder is compiled in memory (its
/// lineage), any other source read as Annex I tables.
pub fn analyse(source: &Source, opts: &Options) -> Result<Analysis> {
    let path = source.path();
    match source.inventory() {
        Some(inventory) => {
            let c = super::compile_lineage(inventory)?;
            let tables: Vec<&Annex1Year> = c.tables.iter().collect();
            analyse_with(&tables, Some(&c), path, opts)
        }
        None => {
            let tables = source.tables()?.years;
            let tables: Vec<&Annex1Year> = tables.iter().map(|t| &t.table).collect();
            analyse_with(&tables, None, path, opts)
        }
    }
}

/// What Approach 1 of every pollutant needs, and gives.
struct Approach1All<'a> {
    year: &'a Annex1Year,
    base: Option<&'a Annex1Year>,
    lineage: Option<Lineage>,
    pollutants: Vec<PollutantUncertainty>,
}

/// Approach 1 of every pollutant with an emission in the year or the base
/// year, from the lineage of a compiled inventory, else from the tables.
fn approach1_all<'a>(
    tables: &[&'a Annex1Year],
    compiled: Option<&CompiledLineage>,
    path: &Path,
    opts: &Options,
) -> Result<Approach1All<'a>> {
    let years: Vec<i32> = std::iter::once(opts.year).chain(opts.base).collect();
    let find = |y: i32| -> Result<&'a Annex1Year> {
        tables
            .iter()
            .copied()
            .find(|t| t.header.year == y)
            .ok_or_else(|| {
                crate::source::missing_year(path, y, tables.iter().map(|t| t.header.year))
            })
    };
    let year = find(opts.year)?;
    let base = opts.base.map(find).transpose()?;
    let mut files = compiled
        .map(|c| c.uncertainty_files.clone())
        .unwrap_or_default();
    files.extend(opts.uncertainties.iter().cloned());
    let overrides = super::read_overrides(&files)?;
    let lineage =
        compiled.map(|c| Lineage::from_results(&c.results, &years, &c.factors, &overrides));
    let guidebook = match compiled {
        Some(_) => Vec::new(),
        None => crate::emission_factor::embedded()?,
    };
    let mut pollutants = Vec::new();
    for p in Pollutant::ALL {
        let rows = match &lineage {
            Some(l) => l.rows(p, opts.year, opts.base),
            None => table_rows(year, base, p, &guidebook, &overrides),
        };
        if rows.is_empty() {
            continue;
        }
        pollutants.push(PollutantUncertainty {
            approach1: approach1::compute(p, rows, opts.base.is_some()),
            monte_carlo: None,
        });
    }
    Ok(Approach1All {
        year,
        base,
        lineage,
        pollutants,
    })
}

/// Each row's combined uncertainty (Approach 1, the mean of its sides, %)
/// for Approach 2 of the key categories: every row with an emission in the
/// year or the base year, as `airinv uncertainty` computes it.
pub fn key_uncertainties(
    tables: &[&Annex1Year],
    compiled: Option<&CompiledLineage>,
    path: &Path,
    opts: &Options,
) -> Result<RowUncertainties> {
    Ok(row_uncertainties(
        &approach1_all(tables, compiled, path, opts)?.pollutants,
    ))
}

fn row_uncertainties(pollutants: &[PollutantUncertainty]) -> RowUncertainties {
    let mut row_u = RowUncertainties::new();
    for u in pollutants {
        for r in &u.approach1.rows {
            row_u.insert((u.approach1.pollutant, r.input.row), r.combined_pct);
        }
    }
    row_u
}

/// Analyses the tables of a source (and the lineage of an inventory, when
/// compiled): Approach 1, the Monte Carlo (lineage only), the key
/// categories by Approach 1 and 2.
pub fn analyse_with(
    tables: &[&Annex1Year],
    compiled: Option<&CompiledLineage>,
    path: &Path,
    opts: &Options,
) -> Result<Analysis> {
    if opts.iterations == 0 {
        return Err(Error::file(path, "--iterations must be at least 1"));
    }
    let years: Vec<i32> = std::iter::once(opts.year).chain(opts.base).collect();
    let Approach1All {
        year: year_table,
        base: base_table,
        lineage,
        mut pollutants,
    } = approach1_all(tables, compiled, path, opts)?;

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

    let key_categories = key_categories(&mut pollutants, year_table, base_table);
    let placeholders = pollutants
        .iter()
        .flat_map(|u| &u.approach1.rows)
        .map(|r| r.input.placeholders)
        .sum();
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
        placeholders,
        pollutants,
        key_categories,
    })
}

/// The key categories (Approach 1, and Approach 2 by the rows' combined
/// uncertainties), with each row's criteria set in the tables.
fn key_categories(
    pollutants: &mut [PollutantUncertainty],
    year: &Annex1Year,
    base: Option<&Annex1Year>,
) -> Vec<PollutantKca> {
    let row_u = row_uncertainties(pollutants);
    let all = kca::analyse(year, base, Some(&row_u));
    for k in &all {
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
    all
}
