//! Measures: control options on an activity, each with the fraction of
//! each pollutant it removes, its cost and the shares of the activity it
//! may or must treat. A measure may start from the library
//! (`emission-factors/abatement-measures.csv`) and take its removals from
//! Guidebook Tier 2 abatement efficiencies; the scenario's own values come
//! on top.

use super::CodePattern;
use super::check::Checker;
use super::raw::{Num, RawMeasure};
use crate::emission_factor::{Factor, FactorKind};
use crate::error::Result;
use crate::pollutant::Pollutant;
use crate::scenario::library::{self, LibraryMeasure};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::ops::Range;
use toml::Spanned;

/// What a measure's capital and fixed costs are per.
#[derive(Debug, Clone, PartialEq)]
pub enum CostBasis {
    /// Per unit of activity (per TJ of fuel per year).
    Activity,
    /// Investment and fixed O&M per kW of electric capacity, variable cost
    /// per MWh of electricity: turned into per TJ of fuel with the full-load
    /// hours and the electric efficiency the scenario states.
    Kw {
        full_load_hours: Decimal,
        efficiency: Decimal,
    },
}

/// The cost of a measure, as the scenario gives it (currency and price
/// year of its source, converted in [`crate::scenario::cost`]).
#[derive(Debug, Clone)]
pub struct CostSpec {
    pub annual_cost: Option<Decimal>,
    pub investment: Option<Decimal>,
    pub lifetime: Option<u32>,
    /// Fixed O&M as % of the investment per year.
    pub fixed_om_pct: Option<Decimal>,
    /// Fixed O&M as an amount per unit (of activity, or per kW) per year.
    pub fixed_om: Option<Decimal>,
    pub variable_cost: Option<Decimal>,
    /// A cost per tonne of the primary pollutant removed (sources that give
    /// no engineering costs): the annual cost is this × the tonnes removed.
    pub cost_per_tonne: Option<Decimal>,
    /// How library costs were turned into these numbers (unit conversions).
    pub note: String,
    /// False for a library measure whose source gives no cost: it can be
    /// decided (its effect shown, "cost not given") but not chosen by the LP.
    pub priced: bool,
    pub basis: CostBasis,
    pub currency: String,
    pub price_year: Option<i32>,
}

impl CostSpec {
    /// An annual cost per unit of activity, and nothing else (a `limits`
    /// measure's, whose cost the plants' gap assessment makes).
    pub fn annual(
        per_activity: Decimal,
        currency: &str,
        price_year: Option<i32>,
        note: String,
    ) -> CostSpec {
        CostSpec {
            annual_cost: Some(per_activity),
            investment: None,
            lifetime: None,
            fixed_om_pct: None,
            fixed_om: None,
            variable_cost: None,
            cost_per_tonne: None,
            note,
            priced: true,
            basis: CostBasis::Activity,
            currency: currency.to_string(),
            price_year,
        }
    }
}

/// One control option on an activity.
#[derive(Debug, Clone)]
pub struct Measure {
    pub line: usize,
    pub id: String,
    pub name: String,
    pub nfr: CodePattern,
    /// The fuels it treats (empty: every fuel of the row).
    pub fuel: Vec<String>,
    /// Fraction of each pollutant's emission removed from the treated activity.
    pub removal: BTreeMap<Pollutant, Decimal>,
    /// The pollutant its cost per tonne is shown for.
    pub primary: Pollutant,
    /// Measures of one group on one activity are alternatives (their
    /// shares sum to at most 1); measures of different groups (FGD and SCR)
    /// combine. Default: the primary pollutant's id.
    pub group: String,
    pub cost: CostSpec,
    /// The activity unit costs are per (`TJ` for fuels).
    pub unit: String,
    pub max_share: Decimal,
    /// Shares already decided, by year (a floor for the optimisation).
    pub share: BTreeMap<i32, Decimal>,
    pub start_year: Option<i32>,
    pub source: String,
    /// A measure bringing plants to a limit-value set, made into plain
    /// measures on the base (`crate::scenario::limits::resolve`).
    pub limits: Option<LimitsSpec>,
}

/// What a limits measure names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitsSpec {
    /// A shipped set's name or a file (relative to the scenario's folder).
    pub set: String,
    pub ratification_year: Option<i32>,
    /// Plant ids; empty: every plant of the measure's rows and fuels.
    pub plants: Vec<String>,
}

impl Measure {
    /// The share decided for a year: the latest given year at or before it.
    pub fn decided_share(&self, year: i32) -> Decimal {
        self.share
            .range(..=year)
            .next_back()
            .map(|(_, s)| *s)
            .unwrap_or(Decimal::ZERO)
    }

    /// The most of the activity it can treat in a year (0 before it starts).
    pub fn upper_share(&self, year: i32) -> Decimal {
        match self.start_year {
            Some(s) if year < s => Decimal::ZERO,
            _ => self.max_share,
        }
    }
}

/// A `[[measure]]` being checked: its raw values, where it is, the library
/// measure it starts from and its id.
pub(super) struct Input<'a> {
    pub(super) raw: &'a RawMeasure,
    pub(super) span: Range<usize>,
    pub(super) lib: Option<&'a LibraryMeasure>,
    pub(super) id: String,
}

impl Input<'_> {
    /// A key of the measure in messages (`[[measure]] FGD: removal`).
    fn what(&self, key: &str) -> String {
        format!("[[measure]] {}: {key}", self.id)
    }
}

/// The scenario's currency and price year, which a measure's costs are in
/// unless it says otherwise.
pub(super) struct Money<'a> {
    pub currency: &'a str,
    pub price_year: Option<i32>,
}

/// A `[[measure]]` without `limits`, checked: its library measure, the
/// Guidebook's efficiencies it names (the factors read once, into
/// `guidebook`, when a measure first names one), its removals and costs.
pub(super) fn plain_measure(
    m: &Spanned<RawMeasure>,
    line: usize,
    guidebook: &mut Option<Vec<Factor>>,
    money: &Money,
    c: &Checker,
) -> Result<Measure> {
    let input = input(m, library::measures(), c)?;
    if input.raw.guidebook.is_some() && guidebook.is_none() {
        *guidebook = Some(crate::emission_factor::embedded()?);
    }
    let from_guidebook = guidebook_efficiencies(&input, guidebook.as_deref(), c)?;
    measure(&input, line, &from_guidebook, money, c)
}

/// The library measure a `[[measure]]` starts from, and its id.
fn input<'a>(
    m: &'a Spanned<RawMeasure>,
    library: &'a [LibraryMeasure],
    c: &Checker,
) -> Result<Input<'a>> {
    let span = m.span();
    let r = m.get_ref();
    // A library measure: its values, with the scenario's own on top.
    let lib = match &r.library {
        Some(id) => Some(
            library
                .iter()
                .find(|l| l.id.eq_ignore_ascii_case(id.trim()))
                .ok_or_else(|| {
                    c.at(
                        span.clone(),
                        format!(
                            "[[measure]] library = '{id}': no such measure in emission-factors/abatement-measures.csv (ids {})",
                            library
                                .iter()
                                .map(|l| l.id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                })?,
        ),
        None => None,
    };
    let id =
        r.id.clone()
            .or_else(|| lib.map(|l| l.id.clone()))
            .ok_or_else(|| c.at(span.clone(), "[[measure]] has no id".into()))?;
    Ok(Input {
        raw: r,
        span,
        lib,
        id,
    })
}

/// The Guidebook Tier 2 abatement efficiencies a measure names by id.
fn guidebook_efficiencies<'g>(
    input: &Input,
    guidebook: Option<&'g [Factor]>,
    c: &Checker,
) -> Result<Vec<&'g Factor>> {
    let (Some(ids), Some(all)) = (&input.raw.guidebook, guidebook) else {
        return Ok(Vec::new());
    };
    let mut found = Vec::new();
    for gid in ids.list() {
        let f = all
            .iter()
            .find(|f| f.id.eq_ignore_ascii_case(&gid))
            .filter(|f| f.kind == FactorKind::AbatementEfficiency)
            .ok_or_else(|| {
                c.at(
                    input.span.clone(),
                    format!(
                        "{}: '{gid}' is not a Guidebook abatement efficiency (ids GB23-...: airinv factors CODE lists them)",
                        input.what("guidebook")
                    ),
                )
            })?;
        found.push(f);
    }
    Ok(found)
}

/// One measure, checked: where it applies, what it removes, its cost and
/// its shares.
fn measure(
    input: &Input,
    line: usize,
    from_guidebook: &[&Factor],
    money: &Money,
    c: &Checker,
) -> Result<Measure> {
    let (r, lib) = (input.raw, input.lib);
    let nfr_text = r
        .nfr
        .clone()
        .or_else(|| lib.map(|l| l.nfr.clone()))
        .or_else(|| {
            from_guidebook
                .first()
                .and_then(|f| f.annex1_codes.first().cloned())
        })
        .ok_or_else(|| {
            c.at(
                input.span.clone(),
                format!("{}: give the NFR code it applies to", input.what("nfr")),
            )
        })?;
    let nfr = CodePattern::parse(&nfr_text)
        .map_err(|e| c.at(input.span.clone(), format!("{}: {e}", input.what("nfr"))))?;
    let removal = removals(input, from_guidebook, c)?;
    let primary = primary(input, &removal, from_guidebook, c)?;
    let cost = cost(input, money, c)?;
    let (max_share, share, start_year) = shares(input, c)?;
    Ok(Measure {
        line,
        name: r
            .name
            .clone()
            .or_else(|| lib.map(|l| l.name.clone()))
            .unwrap_or_else(|| input.id.clone()),
        id: input.id.clone(),
        nfr,
        fuel: match &r.fuel {
            Some(f) => f.list(),
            None => lib.map(|l| l.fuel.clone()).unwrap_or_default(),
        },
        removal,
        group: r.group.clone().unwrap_or_else(|| primary.id().to_string()),
        primary,
        cost,
        unit: r.unit.clone().unwrap_or_else(|| "TJ".to_string()),
        max_share,
        share,
        start_year,
        source: sources(input, from_guidebook),
        limits: None,
    })
}

/// The fraction of each pollutant removed: the library's, the Guidebook's,
/// then the scenario's own; at least one.
fn removals(
    input: &Input,
    from_guidebook: &[&Factor],
    c: &Checker,
) -> Result<BTreeMap<Pollutant, Decimal>> {
    let mut removal = BTreeMap::new();
    if let Some(l) = input.lib {
        removal.extend(l.removal.iter().map(|(p, v)| (*p, *v)));
    }
    for f in from_guidebook {
        removal.insert(f.pollutant, f.value);
    }
    for (k, n) in &input.raw.removal {
        let p = Pollutant::parse(k).ok_or_else(|| {
            c.at(
                n.span(),
                format!(
                    "{}: '{k}' is not a pollutant ({})",
                    input.what("removal"),
                    Pollutant::id_list()
                ),
            )
        })?;
        removal.insert(p, c.fraction(n, &format!("{} {k}", input.what("removal")))?);
    }
    if removal.is_empty() {
        return Err(c.at(
            input.span.clone(),
            format!(
                "{}: give the fraction it removes of at least one pollutant, e.g. removal = {{ SOx = 0.95 }}",
                input.what("removal")
            ),
        ));
    }
    Ok(removal)
}

/// The pollutant its cost per tonne is shown for, whose id is its
/// default group: the one named (`pollutant = "..."`, or the library's; it
/// must be removed), else the first written in `removal` (not the first in
/// template order: a fabric filter written `{ PM2.5 = 0.99, SOx = 0.1 }`
/// is a dust measure, not an alternative to sorbent injection), else the
/// first Guidebook efficiency it names.
fn primary(
    input: &Input,
    removal: &BTreeMap<Pollutant, Decimal>,
    from_guidebook: &[&Factor],
    c: &Checker,
) -> Result<Pollutant> {
    let named = input
        .raw
        .pollutant
        .as_deref()
        .or(input.lib.map(|l| l.primary.id()));
    let Some(p) = named else {
        let first_written = input
            .raw
            .removal
            .iter()
            .min_by_key(|(_, n)| n.span().start)
            .and_then(|(k, _)| Pollutant::parse(k));
        return Ok(first_written
            .or(from_guidebook.first().map(|f| f.pollutant))
            .unwrap_or(*removal.keys().next().expect("not empty")));
    };
    let p = Pollutant::parse(p).ok_or_else(|| {
        c.at(
            input.span.clone(),
            format!("{}: '{p}' is not a pollutant", input.what("pollutant")),
        )
    })?;
    if !removal.contains_key(&p) {
        return Err(c.at(
            input.span.clone(),
            format!(
                "{}: {} is not among the pollutants it removes",
                input.what("pollutant"),
                p.id()
            ),
        ));
    }
    Ok(p)
}

/// The cost as given (the scenario's values, else the library's), in the
/// measure's currency and price year; an investment needs a lifetime, and
/// there must be some cost.
fn cost(input: &Input, money: &Money, c: &Checker) -> Result<CostSpec> {
    let (r, lib, span) = (input.raw, input.lib, &input.span);
    let opt = |n: &Option<Num>, key: &str| -> Result<Option<Decimal>> {
        n.as_ref()
            .map(|n| c.non_negative(n, &input.what(key)))
            .transpose()
    };
    let pick = |own: Option<Decimal>, from_lib: fn(&LibraryMeasure) -> Option<Decimal>| {
        own.or_else(|| lib.and_then(from_lib))
    };
    let lifetime = match &r.lifetime {
        Some(n) => {
            let v = c.num(n, &input.what("lifetime"))?;
            if v < Decimal::ONE || v.fract() != Decimal::ZERO || v > Decimal::from(100) {
                return Err(c.at(
                    n.span(),
                    format!("{}: whole years from 1 to 100", input.what("lifetime")),
                ));
            }
            Some(u32::try_from(v.mantissa()).unwrap_or(1))
        }
        None => lib.and_then(|l| l.lifetime),
    };
    let basis = cost_basis(input, c)?;
    let cost = CostSpec {
        annual_cost: opt(&r.annual_cost, "annual_cost")?,
        investment: pick(opt(&r.investment, "investment")?, |l| l.investment),
        lifetime,
        fixed_om_pct: opt(&r.fixed_om_pct, "fixed_om_pct")?,
        fixed_om: pick(opt(&r.fixed_om, "fixed_om")?, |l| l.fixed_om),
        variable_cost: pick(opt(&r.variable_cost, "variable_cost")?, |l| l.variable_cost),
        cost_per_tonne: pick(opt(&r.cost_per_tonne, "cost_per_tonne")?, |l| {
            l.cost_per_tonne
        }),
        note: lib.map(|l| l.cost_note.clone()).unwrap_or_default(),
        priced: true,
        basis,
        currency: r
            .currency
            .clone()
            .or_else(|| lib.and_then(|l| l.currency.clone()))
            .unwrap_or_else(|| money.currency.to_string()),
        price_year: r
            .price_year
            .map(|y| c.year(y, span.clone(), &input.what("price_year")))
            .transpose()?
            .or(lib.and_then(|l| l.price_year))
            .or(money.price_year),
    };
    let id = &input.id;
    if cost.annual_cost.is_some() && cost.investment.is_some() {
        return Err(c.at(
            span.clone(),
            format!(
                "[[measure]] {id}: give annual_cost or investment (with lifetime, fixed_om_pct, variable_cost), not both"
            ),
        ));
    }
    if cost.investment.is_some() && cost.lifetime.is_none() {
        return Err(c.at(
            span.clone(),
            format!("[[measure]] {id}: an investment needs a lifetime (years) to be annualised"),
        ));
    }
    let none = cost.annual_cost.is_none()
        && cost.investment.is_none()
        && cost.variable_cost.is_none()
        && cost.fixed_om.is_none()
        && cost.cost_per_tonne.is_none();
    // A library measure whose source gives no cost: decided shares only.
    if none && lib.is_some_and(|l| !l.cost_given) {
        return Ok(CostSpec {
            priced: false,
            ..cost
        });
    }
    if none {
        return Err(c.at(
            span.clone(),
            format!(
                "[[measure]] {id}: no cost: give annual_cost, or investment with lifetime, fixed_om_pct and variable_cost, or cost_per_tonne{}",
                if lib.is_some() {
                    " (the library gives no cost usable per unit of activity for this measure)"
                } else {
                    ""
                }
            ),
        ));
    }
    Ok(cost)
}

/// What the costs are per: activity, or kW of electric capacity with the
/// full-load hours and the efficiency that turn them into per TJ of fuel.
fn cost_basis(input: &Input, c: &Checker) -> Result<CostBasis> {
    let r = input.raw;
    let per = r
        .per
        .clone()
        .or_else(|| input.lib.and_then(|l| l.per.clone()));
    match per.as_deref().map(str::trim) {
        None | Some("activity") => Ok(CostBasis::Activity),
        Some(p) if p.eq_ignore_ascii_case("kw") => {
            let flh = r.full_load_hours.as_ref().ok_or_else(|| {
                c.at(
                    input.span.clone(),
                    format!(
                        "{}: costs per kW need full_load_hours (hours a year at full load) and efficiency (electric, 0.35) to become costs per TJ of fuel",
                        input.what("per")
                    ),
                )
            })?;
            let eff = r.efficiency.as_ref().ok_or_else(|| {
                c.at(
                    input.span.clone(),
                    format!(
                        "{}: costs per kW need efficiency (electric efficiency, a fraction such as 0.35)",
                        input.what("per")
                    ),
                )
            })?;
            let full_load_hours = c.non_negative(flh, &input.what("full_load_hours"))?;
            if full_load_hours.is_zero() || full_load_hours > Decimal::from(8784) {
                return Err(c.at(
                    flh.span(),
                    format!(
                        "{}: hours from above 0 to 8784",
                        input.what("full_load_hours")
                    ),
                ));
            }
            let efficiency = c.fraction(eff, &input.what("efficiency"))?;
            if efficiency.is_zero() {
                return Err(c.at(
                    eff.span(),
                    format!("{}: must be above 0", input.what("efficiency")),
                ));
            }
            Ok(CostBasis::Kw {
                full_load_hours,
                efficiency,
            })
        }
        Some(other) => Err(c.at(
            input.span.clone(),
            format!("{}: '{other}' (accepted: activity, kW)", input.what("per")),
        )),
    }
}

/// The largest share, the shares decided by year (not above the largest,
/// none before the start year) and the start year.
pub(super) fn shares(
    input: &Input,
    c: &Checker,
) -> Result<(Decimal, BTreeMap<i32, Decimal>, Option<i32>)> {
    let r = input.raw;
    let max_share = match &r.max_share {
        Some(n) => c.fraction(n, &input.what("max_share"))?,
        None => Decimal::ONE,
    };
    let mut share = BTreeMap::new();
    for (k, n) in &r.share {
        let y = c.year_key(k, n.span(), &input.what("share"))?;
        let v = c.fraction(n, &format!("{} {k}", input.what("share")))?;
        if v > max_share {
            return Err(c.at(
                n.span(),
                format!(
                    "{} {k} = {}: above max_share {}",
                    input.what("share"),
                    crate::number::format_decimal(v),
                    crate::number::format_decimal(max_share)
                ),
            ));
        }
        share.insert(y, v);
    }
    let start_year = r
        .start_year
        .map(|y| c.year(y, input.span.clone(), &input.what("start_year")))
        .transpose()?;
    if let Some(s) = start_year
        && let Some((y, _)) = share.iter().find(|(y, v)| **y < s && !v.is_zero())
    {
        return Err(c.at(
            input.span.clone(),
            format!(
                "{}: a share in {y}, before start_year {s}",
                input.what("share")
            ),
        ));
    }
    Ok((max_share, share, start_year))
}

/// The sources of a measure: the scenario's or the library's, then each
/// Guidebook efficiency it takes.
fn sources(input: &Input, from_guidebook: &[&Factor]) -> String {
    let mut sources: Vec<String> = input
        .raw
        .source
        .clone()
        .or_else(|| input.lib.map(|l| format!("{} ({})", l.source, l.id)))
        .into_iter()
        .collect();
    for f in from_guidebook {
        sources.push(format!(
            "EMEP/EEA Guidebook 2023 {} {} {}: {} {} = {} ({}; {})",
            f.source_code,
            crate::pins::text(&f.pins.table),
            crate::pins::text(&f.pins.technology),
            crate::pins::text(&f.pins.abatement),
            f.pollutant.id(),
            crate::number::format_decimal(f.value),
            f.reference,
            f.id
        ));
    }
    sources.join("; ")
}
