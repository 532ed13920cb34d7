//! A mapped line's targets, checked: each code takes activity data, its
//! share is above 0 and at most 1, the fuels it names are mapped, and for
//! every fuel the shares add up to 1 or say why the rest is not mapped.

use super::file::{Problem, RawNumber, RawPins, RawTargets};
use super::rules::{Target, Targets};
use crate::number::format_decimal;
use crate::pins::Pins;
use rust_decimal::Decimal;

/// One target: the code, the share and fuels (in `to = [...]` only), the pins.
fn target(
    nfr: Option<&str>,
    share: Option<&RawNumber>,
    fuels: Option<&[String]>,
    pins: RawPins,
    label: &str,
    mapped_fuels: &[&str],
) -> std::result::Result<Target, Problem> {
    let code = nfr
        .map(str::trim)
        .ok_or_else(|| format!("{label}: nfr is required"))?;
    let row = crate::nfr::find(code)
        .ok_or_else(|| format!("{label}: {}", crate::nfr::unknown_code_message(code)))?;
    if !row.takes_activity() {
        return Err(format!(
            "{label}: '{}' is not a row that takes activity data",
            row.code
        ));
    }
    let share = match share {
        Some(s) => s.decimal().map_err(|e| format!("{label}: share: {e}"))?,
        None => Decimal::ONE,
    };
    if share <= Decimal::ZERO || share > Decimal::ONE {
        return Err(format!(
            "{label}: share {share} is not above 0 and at most 1"
        ));
    }
    let mut names = Vec::new();
    for name in fuels.into_iter().flatten() {
        let fuel = crate::fuel::Fuels::built_in()
            .find(name)
            .ok_or_else(|| format!("{label}: '{name}' is not a Guidebook fuel or alias"))?;
        if !mapped_fuels.contains(&fuel.name.as_str()) {
            return Err(format!(
                "{label}: no [[fuels]] entry maps to '{}', so this target would never apply",
                fuel.name
            ));
        }
        if !names.contains(&fuel.name) {
            names.push(fuel.name.clone());
        }
    }
    Ok(Target {
        nfr: row.code.clone(),
        share,
        fuels: names,
        pins: Pins::parse(pins.map(|p| p.as_deref().unwrap_or(""))),
    })
}

/// `nfr = ...` (with pins) or `to = [...]`, and `rest`.
pub(super) fn targets(
    raw: &RawTargets,
    label: &str,
    mapped_fuels: &[&str],
) -> std::result::Result<Targets, Problem> {
    let rest = raw
        .rest
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let to = match (raw.nfr, raw.to) {
        (Some(_), Some(_)) => {
            return Err(format!(
                "{label}: give nfr = \"...\" for the whole line or to = [...] targets, not both"
            ));
        }
        (Some(nfr), None) => vec![target(
            Some(nfr),
            None,
            None,
            raw.pins,
            label,
            mapped_fuels,
        )?],
        (None, Some(items)) => {
            if let Some((p, _)) = Pins::NAMES.iter().zip(raw.pins).find(|(_, v)| v.is_some()) {
                return Err(format!("{label}: with to = [...], give {p} in each target"));
            }
            let mut out = Vec::new();
            for (i, t) in items.iter().enumerate() {
                out.push(target(
                    t.nfr.as_deref(),
                    t.share.as_ref(),
                    t.fuels.as_deref(),
                    t.pins(),
                    &format!("{label}, target {}", i + 1),
                    mapped_fuels,
                )?);
            }
            if out.is_empty() {
                return Err(format!("{label}: to = [] maps nothing"));
            }
            out
        }
        (None, None) => return Err(format!("{label}: nfr or to is required")),
    };
    let targets = Targets {
        to,
        rest,
        except: Vec::new(),
    };
    check_shares(&targets, label)?;
    Ok(targets)
}

/// For every fuel, the shares of the targets that apply sum to at most 1,
/// and to less only with a reason for the rest.
fn check_shares(targets: &Targets, label: &str) -> std::result::Result<(), Problem> {
    let mut sets: Vec<(String, Vec<&Target>)> = Vec::new();
    let generic: Vec<&Target> = targets.to.iter().filter(|t| t.fuels.is_empty()).collect();
    if !generic.is_empty() {
        sets.push(("the fuels no target names".into(), generic));
    }
    let mut named: Vec<&String> = targets.to.iter().flat_map(|t| &t.fuels).collect();
    named.sort();
    named.dedup();
    for f in named {
        sets.push((f.clone(), targets.for_fuel(f)));
    }
    for (what, set) in sets {
        let sum: Decimal = set.iter().map(|t| t.share).sum();
        if sum > Decimal::ONE {
            return Err(format!(
                "{label}: the shares for {what} sum to {}, more than 1",
                format_decimal(sum)
            ));
        }
        let mut codes: Vec<&str> = set.iter().map(|t| t.nfr.as_str()).collect();
        codes.sort();
        if codes.windows(2).any(|w| w[0] == w[1]) {
            return Err(format!(
                "{label}: two targets for {what} have the same code; give one target with the sum of their shares"
            ));
        }
        if sum < Decimal::ONE && targets.rest.is_none() {
            return Err(format!(
                "{label}: the shares for {what} sum to {}; say why the rest is not mapped with rest = \"...\"",
                format_decimal(sum)
            ));
        }
    }
    Ok(())
}
