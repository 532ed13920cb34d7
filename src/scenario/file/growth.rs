//! Growth rules: how activity grows from the base year, per NFR code (or
//! prefix) and fuel, as a compound annual rate, as activity values per
//! year, or as projected activity in a CSV file (`activity_file`).

use super::CodePattern;
use super::check::Checker;
use super::raw::RawGrowth;
use crate::error::{Error, Result};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// How activity grows from the base year.
#[derive(Debug, Clone)]
pub enum GrowthKind {
    /// Compound annual rate: activity × (1 + rate)^(year − base year).
    Rate(Decimal),
    /// The activity of the matched keys together, per year (in their unit);
    /// each key is scaled by value ÷ base-year sum. Years between two given
    /// ones are not interpolated: every projection year must be given.
    Activity(BTreeMap<i32, Decimal>),
}

#[derive(Debug, Clone)]
pub struct Growth {
    pub line: usize,
    /// Where the rule is written (`wm.toml, line 12`, `projected.csv, row 3`).
    pub at: String,
    /// The unit of explicit activity values, when the rule says it.
    pub unit: Option<String>,
    pub nfr: CodePattern,
    pub fuel: Option<String>,
    pub kind: GrowthKind,
}

/// One `[[growth]]` rule, checked; every projection year must have a value
/// when the rule gives activity values.
pub(super) fn growth_rule(g: &Spanned<RawGrowth>, years: &[i32], c: &Checker) -> Result<Growth> {
    let line = c.line(&g.span());
    let r = g.get_ref();
    let nfr =
        CodePattern::parse(&r.nfr).map_err(|e| c.at(g.span(), format!("[[growth]] nfr: {e}")))?;
    let kind = match (&r.rate, &r.activity) {
        (Some(rate), None) => {
            let v = c.num(rate, "[[growth]] rate")?;
            if v <= -Decimal::ONE {
                return Err(c.at(
                    rate.span(),
                    "[[growth]] rate: a compound annual rate above -1 (0.02 for +2 % a year)"
                        .into(),
                ));
            }
            GrowthKind::Rate(v)
        }
        (None, Some(values)) => {
            let mut by_year = BTreeMap::new();
            for (k, n) in values {
                let y = c.year_key(k, n.span(), "[[growth]] activity")?;
                by_year.insert(y, c.non_negative(n, &format!("[[growth]] activity {k}"))?);
            }
            for y in years {
                if !by_year.contains_key(y) {
                    return Err(c.at(
                        g.span(),
                        format!(
                            "[[growth]] {}: activity gives no value for the projection year {y}",
                            r.nfr
                        ),
                    ));
                }
            }
            GrowthKind::Activity(by_year)
        }
        _ => {
            return Err(c.at(
                g.span(),
                format!(
                    "[[growth]] {}: give either rate (compound annual, 0.02 for +2 %) or activity ({{ 2030 = ..., 2040 = ... }}), not both or neither",
                    r.nfr
                ),
            ));
        }
    };
    Ok(Growth {
        line,
        at: format!("{}, line {line}", c.path.display()),
        unit: None,
        nfr,
        fuel: r.fuel.clone().filter(|f| !f.trim().is_empty()),
        kind,
    })
}

/// Projected activity in the activity format (`year,nfr,fuel,value,unit`;
/// other columns are ignored): one explicit-activity growth rule per code
/// and fuel, which must give every projection year.
pub(super) fn read_activity_file(path: &Path, years: &[i32]) -> Result<Vec<Growth>> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .map_err(|e| Error::file(path, format!("cannot be read as CSV: {e}")))?;
    let header: Vec<String> = r
        .headers()
        .map_err(|e| Error::file(path, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let col = |name: &str| {
        header.iter().position(|h| h == name).ok_or_else(|| {
            Error::file(
                path,
                format!("has no column {name} (projected activity: year,nfr,fuel,value,unit)"),
            )
        })
    };
    let (cy, cn, cf, cv, cu) = (
        col("year")?,
        col("nfr")?,
        col("fuel")?,
        col("value")?,
        col("unit")?,
    );
    // (code, fuel) → (first row, unit, values by year)
    type Group = (u64, String, BTreeMap<i32, Decimal>);
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for (i, rec) in r.records().enumerate() {
        let row = i as u64 + 2;
        let at = |c: &str| {
            crate::error::Location::file(path)
                .with_row(row)
                .with_column(c)
        };
        let rec = rec.map_err(|e| Error::input(at("year"), e.to_string()))?;
        let get = |c: usize| rec.get(c).unwrap_or("").trim();
        let year = crate::activity::parse_year(get(cy)).map_err(|e| Error::input(at("year"), e))?;
        let code = crate::nfr::find(get(cn))
            .ok_or_else(|| Error::input(at("nfr"), crate::nfr::unknown_code_message(get(cn))))?
            .code
            .clone();
        let value = crate::number::parse_decimal(get(cv))
            .map_err(|e| Error::input(at("value"), format!("'{}': {e}", get(cv))))?;
        if value < Decimal::ZERO {
            return Err(Error::input(at("value"), "activity must not be negative"));
        }
        let unit = get(cu).to_string();
        let g = groups.entry((code, get(cf).to_string())).or_insert((
            row,
            unit.clone(),
            BTreeMap::new(),
        ));
        if !g.1.eq_ignore_ascii_case(&unit) {
            return Err(Error::input(
                at("unit"),
                format!(
                    "{unit}, where row {} of the same code and fuel has {}",
                    g.0, g.1
                ),
            ));
        }
        if g.2.insert(year, value).is_some() {
            return Err(Error::input(
                at("year"),
                format!("a second value for {year} of the same code and fuel"),
            ));
        }
    }
    let mut out = Vec::new();
    for ((code, fuel), (row, unit, values)) in groups {
        if let Some(y) = years.iter().find(|y| !values.contains_key(y)) {
            return Err(Error::input(
                crate::error::Location::file(path).with_row(row),
                format!("{code} {fuel}: no value for the projection year {y}"),
            ));
        }
        out.push(Growth {
            line: row as usize,
            at: format!("{}, row {row}", path.display()),
            unit: Some(unit),
            nfr: CodePattern::Exact(code),
            fuel: Some(fuel).filter(|f| !f.is_empty()),
            kind: GrowthKind::Activity(values),
        });
    }
    Ok(out)
}
