//! The Informative Inventory Report's material in one page (`airinv report`).
//!
//! ```text
//! Source ──► check::Submission::from_source (every year's Annex I table,
//!    │        read once; an inventory folder compiled once, keeping the
//!    │        lineage of each cell and the inventory's notation keys)
//!    ▼
//! Material (per section: its rows, exact decimals)
//!    ├─ summary: national totals (26 pollutants); commitments: the
//!    │   Gothenburg, Heavy Metals and POPs Protocols by name, their base
//!    │   years, whether the country is a Party, compare's lines
//!    ├─ trends: GNFR sums per year and main pollutant
//!    ├─ key categories: level (and trend with --base) per pollutant
//!    ├─ methods: per NFR row, as a reader writes them (Guidebook chapter,
//!    │   table, tier, fuels), from the lineage and the factors
//!    ├─ notation keys: key × GNFR sector counts, IE targets, the NE rows
//!    │   with a Guidebook Tier 1 method and the data they need
//!    ├─ recalculations (--previous), uncertainty, data quality (check)
//!    ├─ plan (--scenarios, --plants, --ratification): the National Action
//!    │   Plan's material read from those runs' files
//!    ▼
//! page (one self-contained page: inline CSS and SVG, no scripts), its
//! words from i18n (English or Russian), numbers from format
//! + charts/*.svg, charts/*.png, tables/*.csv beside it
//! ```
//!
//! Sections whose input is missing say so in one line. Numbers on the page
//! have the same decimals down a table's column ([`format::Column`]) and
//! the language's separators; the CSV files keep the exact decimals.

pub mod format;
mod html;
pub mod i18n;
mod keys;
mod methods;
mod page;
pub mod plan;
mod quality;
pub mod ratification;
mod summary;
mod trends;

use crate::annex1::Annex1Year;
use crate::calculate::KeyResult;
use crate::check::{self, Finding, Submission};
use crate::compare::{self, Comparison};
use crate::error::{Error, Result};
use crate::inventory::KeyOverride;
use crate::nfr::{self, RowKind};
use crate::notation_key::{Cell, NotationKey};
use crate::pollutant::Pollutant;
use crate::source::{Source, YearTable};
use i18n::Lang;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// How to report and where.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub out: PathBuf,
    /// The year reported on (the latest by default).
    pub year: Option<i32>,
    /// The base year of the key category trend assessment.
    pub base: Option<i32>,
    /// An earlier submission of the same years, for the recalculations.
    pub previous: Option<PathBuf>,
    /// The Party whose commitments apply (the source's country by default).
    pub party: Option<String>,
    pub lang: Lang,
    /// The output folder of a `scenario` run (summary.json, projection.csv,
    /// measures.csv): the options side by side.
    pub scenarios: Option<PathBuf>,
    /// The output folder of a ratification run.
    pub ratification: Option<PathBuf>,
    /// The limit-value gaps of the plants (`plant-gaps.csv` or its folder).
    pub plants: Option<PathBuf>,
}

/// The pollutants with a trend chart: the Gothenburg five, PM10 and CO.
pub const MAIN: [Pollutant; 7] = [
    Pollutant::NOx,
    Pollutant::NMVOC,
    Pollutant::SOx,
    Pollutant::NH3,
    Pollutant::PM25,
    Pollutant::PM10,
    Pollutant::CO,
];

/// One row of the methods table: how an NFR row's emissions were computed.
#[derive(Debug, Clone)]
pub struct Method {
    pub row: &'static nfr::Row,
    /// Each way the row's emissions were computed, with the fuels (or
    /// technologies) it was used for.
    pub ways: BTreeMap<Way, BTreeSet<String>>,
    pub activity_sources: BTreeSet<String>,
}

/// One way of computing emissions: a source of factors, the chapter (the
/// code the factor is filed under), its tables and the tier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Way {
    pub source: WaySource,
    /// `1.A.1.a`: the Guidebook's code of the factors.
    pub chapter: String,
    pub tier: String,
}

/// Where the factors of a [`Way`] come from.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum WaySource {
    /// The Guidebook 2023's tables (`3-2`, `3-5`), as numbered in the chapter.
    Guidebook(BTreeSet<String>),
    /// SO2 from the fuel's sulphur (Guidebook Tier 1: SO2 = 2 × S × fuel).
    Sulphur,
    /// The inventory's own factors (file, row).
    Own(BTreeSet<String>),
}

/// A notation key of the year on one row, with the pollutants it covers.
#[derive(Debug, Clone)]
pub struct KeyUse {
    pub code: String,
    pub name: String,
    pub key: NotationKey,
    pub pollutants: Vec<Pollutant>,
    pub included_in: String,
    pub explanation: String,
}

/// Everything the page shows, exact.
pub struct Material {
    pub source: PathBuf,
    pub year: i32,
    pub tables: Vec<YearTable>,
    pub comparison: Option<Comparison>,
    pub comparison_note: Option<String>,
    pub methods: Option<Vec<Method>>,
    pub keys: Vec<KeyUse>,
    pub ne_tier1: Vec<Finding>,
    /// Key categories of the year (level, and trend with --base; Approach 1
    /// and 2) per main pollutant, as `airinv kca` gives them.
    pub key_categories: Vec<crate::kca::PollutantKca>,
    /// Approach 1 (and the Monte Carlo, for inventory folders) per main
    /// pollutant, as `airinv uncertainty` gives them.
    pub uncertainty: Option<Vec<crate::uncertainty::PollutantUncertainty>>,
    /// The Monte Carlo's iterations and seed (`airinv uncertainty`'s defaults).
    pub iterations: u64,
    pub seed: u64,
    /// Lines with a placeholder uncertainty (no verified default).
    pub placeholders: usize,
    pub recalculation: Option<check::recalculation::Recalculation>,
    pub findings: Vec<Finding>,
}

impl Material {
    /// The table of the year reported on.
    pub fn table(&self) -> &Annex1Year {
        &self
            .tables
            .iter()
            .find(|t| t.table.header.year == self.year)
            .expect("the year is one of the tables")
            .table
    }
}

/// What was written.
#[derive(Debug, Clone)]
pub struct Written {
    pub page: PathBuf,
    pub files: Vec<PathBuf>,
}

/// Gathers the material of every section.
pub fn gather(source: &Source, opts: &Options) -> Result<Material> {
    // The tables as `check` reads them (workbooks leniently, every cell that
    // cannot be read a finding), read once for every section.
    // An inventory folder is compiled once: its tables and its lineage.
    let (submission, compiled) = Submission::from_source(source)?;
    let inventory = source.inventory();
    let lineage = match (compiled, inventory) {
        (Some(c), Some(inv)) => Some(crate::uncertainty::lineage_of(c, inv)?),
        _ => None,
    };
    let tables = submission.years.clone();
    let years: Vec<i32> = tables.iter().map(|t| t.table.header.year).collect();
    let year = match opts.year {
        Some(y) if years.contains(&y) => y,
        Some(y) => {
            return Err(Error::file(
                source.path(),
                format!(
                    "has no year {y}; its years are {}",
                    check::year_ranges(&years)
                ),
            ));
        }
        None => *years
            .iter()
            .max()
            .ok_or_else(|| check::no_years(source.path()))?,
    };
    let party = opts.party.clone().or_else(|| {
        inventory.and_then(|inv| inv.country.clone()).or_else(|| {
            tables
                .iter()
                .map(|t| t.table.header.country.trim().to_string())
                .find(|c| c.len() == 2)
        })
    });
    let (comparison, comparison_note) = match compare::compare(
        &tables,
        &compare::Options {
            year,
            base: opts.base,
            party,
            ..Default::default()
        },
    ) {
        Ok(c) => (Some(c), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let methods = lineage
        .as_ref()
        .map(|c| methods(&c.results, &c.factors, year));
    let overrides: &[KeyOverride] = inventory.map(|inv| inv.keys.as_slice()).unwrap_or(&[]);
    let defaults: &[KeyOverride] = inventory
        .map(|inv| inv.default_keys.as_slice())
        .unwrap_or(&[]);
    let previous = match &opts.previous {
        Some(p) => Some(Submission::from_source(&Source::open(p)?)?.0),
        None => None,
    };
    let findings = check::run(
        &submission,
        &check::Options {
            previous: previous.as_ref(),
        },
    )?;
    let recalculation = previous
        .as_ref()
        .map(|p| check::recalculation::compare(p, &submission));
    let ne_tier1 = findings
        .iter()
        .filter(|f| f.check == "notation-key.ne-tier1" && f.year == Some(year))
        .cloned()
        .collect();
    let mut material = Material {
        source: source.path().to_path_buf(),
        year,
        tables,
        comparison,
        comparison_note,
        methods,
        keys: Vec::new(),
        ne_tier1,
        key_categories: Vec::new(),
        uncertainty: None,
        iterations: crate::uncertainty::DEFAULT_ITERATIONS,
        seed: crate::uncertainty::DEFAULT_SEED,
        placeholders: 0,
        recalculation,
        findings,
    };
    material.keys = keys(material.table(), year, overrides, defaults);
    uncertainty_and_key_categories(&mut material, lineage.as_ref(), opts.base)?;
    Ok(material)
}

/// The sector rows (14-140).
fn sector_rows() -> impl Iterator<Item = &'static nfr::Row> {
    nfr::rows().iter().filter(|r| r.kind == RowKind::Sector)
}

/// The SO2-from-sulphur method's table name in the lineage (method::sulphur).
const SULPHUR_TABLE: &str = "SO2 = 2 × S × fuel";

/// The table of a Guidebook factor as the chapter numbers it: `3-5` for
/// `Table_3-5_01` (the export's part 01 of table 3-5), `3-4-k` for
/// `Table_3-4-k per t LTO fuel`.
pub fn table_number(table: &str) -> String {
    let t = table.trim();
    let t = t
        .strip_prefix("Table_")
        .or_else(|| t.strip_prefix("Table "))
        .unwrap_or(t);
    let head = t.split(' ').next().unwrap_or(t);
    // `3-5_01`: the part after `_` is the export's, not the Guidebook's.
    head.split('_').next().unwrap_or(head).to_string()
}

/// Per NFR row with emissions in the year: the ways its emissions were
/// computed (Guidebook chapter, tables and tier; the sulphur method; the
/// inventory's own factors) with their fuels, and the activity files.
fn methods(
    results: &[KeyResult],
    factors: &[crate::emission_factor::Factor],
    year: i32,
) -> Vec<Method> {
    let chapters: std::collections::HashMap<&str, &str> = factors
        .iter()
        .map(|f| (f.id.as_str(), f.source_code.as_str()))
        .collect();
    let mut by_row: BTreeMap<u32, Method> = BTreeMap::new();
    for r in results.iter().filter(|r| r.key.year == year) {
        if r.lines.iter().all(|l| l.emission.is_zero()) {
            continue;
        }
        let row = r.key.row;
        let m = by_row.entry(row.number).or_insert_with(|| Method {
            row,
            ways: BTreeMap::new(),
            activity_sources: BTreeSet::new(),
        });
        let what = [r.key.fuel_text(), crate::pins::text(&r.key.pins.technology)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        for l in r.lines.iter().filter(|l| !l.emission.is_zero()) {
            let tier = l
                .factor_tier
                .as_ref()
                .map(|t| t.as_str().to_string())
                .unwrap_or_default();
            let chapter = chapters
                .get(l.factor_id.as_str())
                .map(|c| c.to_string())
                .unwrap_or_else(|| methods::dotted(&row.code));
            let source = if l.factor_table == SULPHUR_TABLE {
                WaySource::Sulphur
            } else if l.factor_source.starts_with("EMEP/EEA Guidebook") {
                WaySource::Guidebook(
                    std::iter::once(table_number(&l.factor_table))
                        .filter(|t| !t.is_empty())
                        .collect(),
                )
            } else {
                WaySource::Own(std::iter::once(l.factor_source.clone()).collect())
            };
            // Ways differing only in their tables (or own files) are one,
            // with all the tables.
            let key = Way {
                source: match &source {
                    WaySource::Guidebook(_) => WaySource::Guidebook(BTreeSet::new()),
                    WaySource::Own(_) => WaySource::Own(BTreeSet::new()),
                    WaySource::Sulphur => WaySource::Sulphur,
                },
                chapter,
                tier,
            };
            let existing = m.ways.keys().find(|w| {
                w.chapter == key.chapter
                    && w.tier == key.tier
                    && std::mem::discriminant(&w.source) == std::mem::discriminant(&key.source)
            });
            let mut way = existing.cloned().unwrap_or(key);
            let fuels = m.ways.remove(&way).unwrap_or_default();
            match (&mut way.source, source) {
                (WaySource::Guidebook(all), WaySource::Guidebook(new))
                | (WaySource::Own(all), WaySource::Own(new)) => all.extend(new),
                _ => {}
            }
            let entry = m.ways.entry(way).or_insert(fuels);
            if !what.is_empty() {
                entry.insert(what.clone());
            }
        }
        for at in &r.total.first_rows {
            let file = Path::new(&at.file)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_else(|| at.file.clone());
            m.activity_sources.insert(file);
        }
    }
    by_row.into_values().collect()
}

/// Every notation key of the year's sector rows, one line per row and key,
/// with the declaration of inventory.toml that gives it: a `[[notation_keys]]`
/// entry of the row (the last that applies), else a `[[default_keys]]`
/// entry of its group with the same key (the narrowest group).
fn keys(
    table: &Annex1Year,
    year: i32,
    overrides: &[KeyOverride],
    defaults: &[KeyOverride],
) -> Vec<KeyUse> {
    let mut out = Vec::new();
    for row in sector_rows() {
        let Some(cells) = table.rows.get(&row.number) else {
            continue;
        };
        let mut by_key: BTreeMap<NotationKey, Vec<Pollutant>> = BTreeMap::new();
        for p in Pollutant::ALL {
            if let Cell::Key(k) = cells.get(p) {
                by_key.entry(k).or_default().push(p);
            }
        }
        for (key, pollutants) in by_key {
            let in_year = |o: &&KeyOverride| o.years.is_empty() || o.years.contains(&year);
            let declared = overrides
                .iter()
                .filter(in_year)
                .rfind(|o| {
                    nfr::find(&o.code).is_some_and(|r| r.number == row.number)
                        && o.key == key
                        && (o.pollutants.is_empty()
                            || pollutants.iter().any(|p| o.pollutants.contains(p)))
                })
                .or_else(|| {
                    defaults
                        .iter()
                        .filter(in_year)
                        .filter(|o| o.key == key && crate::inventory::in_group(row, &o.code))
                        .max_by_key(|o| o.code.len())
                });
            out.push(KeyUse {
                code: row.code.clone(),
                name: row.name.clone(),
                key,
                pollutants,
                included_in: declared.map(|d| d.included_in.clone()).unwrap_or_default(),
                explanation: declared.map(|d| d.note.clone()).unwrap_or_default(),
            });
        }
    }
    out
}

/// The uncertainty and the key categories of the main pollutants: the
/// analysis `airinv uncertainty SOURCE --year Y [--base B]` makes, with its
/// default iterations and seed (so the page's numbers are the command's),
/// and its key categories by Approach 1 and 2 (those of `airinv kca`).
fn uncertainty_and_key_categories(
    material: &mut Material,
    lineage: Option<&crate::uncertainty::CompiledLineage>,
    base: Option<i32>,
) -> Result<()> {
    let tables: Vec<&Annex1Year> = material.tables.iter().map(|t| &t.table).collect();
    let base = base.filter(|b| tables.iter().any(|t| t.header.year == *b));
    let analysis = crate::uncertainty::analyse_with(
        &tables,
        lineage,
        &material.source,
        &crate::uncertainty::Options {
            year: material.year,
            base,
            ..Default::default()
        },
    )?;
    material.iterations = analysis.iterations;
    material.seed = analysis.seed;
    material.placeholders = analysis.placeholders;
    material.key_categories = analysis
        .key_categories
        .into_iter()
        .filter(|k| MAIN.contains(&k.pollutant))
        .collect();
    material.uncertainty = Some(
        analysis
            .pollutants
            .into_iter()
            .filter(|u| MAIN.contains(&u.approach1.pollutant))
            .collect(),
    );
    Ok(())
}

/// The GNFR sums of a pollutant per year: (GNFR sector, value per year).
pub fn gnfr_series(tables: &[YearTable], p: Pollutant) -> Vec<(String, Vec<Decimal>)> {
    let mut sectors: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
    for (i, t) in tables.iter().enumerate() {
        for row in sector_rows() {
            let v = t
                .table
                .rows
                .get(&row.number)
                .and_then(|c| c.get(p).number())
                .unwrap_or(Decimal::ZERO);
            let entry = sectors
                .entry(row.gnfr.clone())
                .or_insert_with(|| vec![Decimal::ZERO; tables.len()]);
            entry[i] += v;
        }
    }
    sectors.into_iter().collect()
}

/// Writes the page, its charts and its tables into `opts.out`.
pub fn write(source: &Source, opts: &Options) -> Result<Written> {
    let material = gather(source, opts)?;
    page::write(&material, opts)
}
