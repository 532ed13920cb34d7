//! Targets: an emission ceiling, or a % reduction from a base year, per
//! pollutant and projection year.

use super::check::Checker;
use super::raw::RawTarget;
use crate::error::Result;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use toml::Spanned;

/// Where a target's reference level comes from.
#[derive(Debug, Clone)]
pub enum TargetKind {
    /// A % reduction from a base year's emission: compiled from the base
    /// inventory, or given (`base_emission`, with its source).
    Reduction {
        pct: Decimal,
        base_year: i32,
        base_emission: Option<Decimal>,
    },
    /// An emission ceiling in the template unit (kt for the main pollutants).
    Ceiling(Decimal),
}

#[derive(Debug, Clone)]
pub struct Target {
    pub line: usize,
    pub pollutant: Pollutant,
    pub year: i32,
    pub kind: TargetKind,
    pub source: String,
}

/// One `[[target]]`, checked: its year must be a projection year.
pub(super) fn target(t: &Spanned<RawTarget>, years: &[i32], c: &Checker) -> Result<Target> {
    let line = c.line(&t.span());
    let r = t.get_ref();
    let pollutant = Pollutant::parse(&r.pollutant).ok_or_else(|| {
        c.at(
            t.span(),
            format!(
                "[[target]] pollutant: '{}' is not a pollutant ({})",
                r.pollutant,
                Pollutant::id_list()
            ),
        )
    })?;
    let what = format!("[[target]] {} {}", pollutant.id(), r.year);
    let y = c.year(r.year, t.span(), "[[target]] year")?;
    if !years.contains(&y) {
        return Err(c.at(
            t.span(),
            format!(
                "{what}: {y} is not one of the projection years ({}); add it to `years` or target one of them",
                years
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let kind = match (&r.reduction_pct, &r.ceiling) {
        (Some(pct), None) => {
            let v = c.num(pct, &format!("{what} reduction_pct"))?;
            if v < Decimal::ZERO || v > Decimal::ONE_HUNDRED {
                return Err(c.at(
                    pct.span(),
                    format!("{what}: reduction_pct is a % from 0 to 100 (59 for -59 %)"),
                ));
            }
            let base_year = match r.base_year {
                Some(b) => c.year(b, t.span(), &format!("{what} base_year"))?,
                None => {
                    return Err(c.at(
                        t.span(),
                        format!(
                            "{what}: reduction_pct needs base_year (2005 for the Gothenburg Protocol)"
                        ),
                    ));
                }
            };
            let base_emission = r
                .base_emission
                .as_ref()
                .map(|n| c.non_negative(n, &format!("{what} base_emission")))
                .transpose()?;
            if base_emission.is_some() && r.source.as_deref().unwrap_or("").trim().is_empty() {
                return Err(c.at(
                    t.span(),
                    format!(
                        "{what}: a base_emission given by hand needs its source (source = \"...\")"
                    ),
                ));
            }
            TargetKind::Reduction {
                pct: v,
                base_year,
                base_emission,
            }
        }
        (None, Some(ceiling)) => {
            TargetKind::Ceiling(c.non_negative(ceiling, &format!("{what} ceiling"))?)
        }
        _ => {
            return Err(c.at(
                t.span(),
                format!(
                    "{what}: give either reduction_pct (with base_year) or ceiling ({}), not both or neither",
                    pollutant.unit()
                ),
            ));
        }
    };
    Ok(Target {
        line,
        pollutant,
        year: y,
        kind,
        source: r.source.clone().unwrap_or_default(),
    })
}
