//! A `[[measure]]` with `limits = "SET"`: the base's plants (of `nfr`,
//! `fuel` and `plants`, all by default) brought to a limit-value set from
//! the years of its shares. Its removals and cost come from the plant gap
//! assessment on the compiled base (`crate::scenario::limits::resolve`);
//! here only what it names is checked.

use super::CodePattern;
use super::check::Checker;
use super::measure::{CostSpec, Input, LimitsSpec, Measure, Money, shares};
use super::raw::RawMeasure;
use crate::error::Result;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use toml::Spanned;

/// Keys a limits measure takes no value for: its removals and costs are the
/// assessment's.
const NOT_WITH_LIMITS: [&str; 12] = [
    "library",
    "guidebook",
    "removal",
    "annual_cost",
    "investment",
    "lifetime",
    "fixed_om_pct",
    "fixed_om",
    "variable_cost",
    "cost_per_tonne",
    "per",
    "pollutant",
];

/// A limits measure, checked.
pub(super) fn limits_measure(
    m: &Spanned<RawMeasure>,
    line: usize,
    money: &Money,
    c: &Checker,
) -> Result<Measure> {
    let r = m.get_ref();
    let span = m.span();
    let set_text = r.limits.clone().unwrap_or_default();
    let id = r.id.clone().unwrap_or_else(|| format!("ELV {set_text}"));
    let given = [
        r.library.is_some(),
        r.guidebook.is_some(),
        !r.removal.is_empty(),
        r.annual_cost.is_some(),
        r.investment.is_some(),
        r.lifetime.is_some(),
        r.fixed_om_pct.is_some(),
        r.fixed_om.is_some(),
        r.variable_cost.is_some(),
        r.cost_per_tonne.is_some(),
        r.per.is_some(),
        r.pollutant.is_some(),
    ];
    if let Some(k) = given.iter().position(|g| *g) {
        return Err(c.at(
            span,
            format!(
                "[[measure]] {id}: {} is not given with limits: a limits measure takes its removals and costs from the plants' gap assessment (airinv plants)",
                NOT_WITH_LIMITS[k]
            ),
        ));
    }
    // A file is relative to the scenario's folder; a shipped name stays.
    let dir = c.path.parent().unwrap_or(std::path::Path::new(""));
    let set = if crate::limits::SHIPPED
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(set_text.trim()))
    {
        set_text.trim().to_string()
    } else {
        dir.join(set_text.trim()).display().to_string()
    };
    crate::limits::LimitSet::load(&set)
        .map_err(|e| c.at(span.clone(), format!("[[measure]] {id}: limits: {e}")))?;
    let ratification_year = r
        .ratification_year
        .map(|y| {
            c.year(
                y,
                span.clone(),
                &format!("[[measure]] {id}: ratification_year"),
            )
        })
        .transpose()?;
    let nfr = match &r.nfr {
        Some(t) => CodePattern::parse(t)
            .map_err(|e| c.at(span.clone(), format!("[[measure]] {id}: nfr: {e}")))?,
        None => CodePattern::Prefix(String::new()),
    };
    let input = Input {
        raw: r,
        span: span.clone(),
        lib: None,
        id: id.clone(),
    };
    let (max_share, share, start_year) = shares(&input, c)?;
    Ok(Measure {
        line,
        name: r
            .name
            .clone()
            .unwrap_or_else(|| format!("plants brought to the limit values {set_text}")),
        id,
        nfr,
        fuel: r.fuel.as_ref().map(|f| f.list()).unwrap_or_default(),
        removal: BTreeMap::new(),
        primary: Pollutant::SOx,
        group: r.group.clone().unwrap_or_else(|| "limits".into()),
        cost: CostSpec::annual(
            Decimal::ZERO,
            money.currency,
            money.price_year,
            String::new(),
        ),
        unit: "TJ".into(),
        max_share,
        share,
        start_year,
        source: r.source.clone().unwrap_or_default(),
        limits: Some(LimitsSpec {
            set,
            ratification_year,
            plants: r.plants.as_ref().map(|p| p.list()).unwrap_or_default(),
        }),
    })
}
