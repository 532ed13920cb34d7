//! Filling gaps in activity time series, as the IPCC prescribes.
//!
//! Statistics do not always cover every year of an inventory: FAOSTAT has no
//! livestock numbers for the latest year yet, a metal's production is known
//! for some years only. The IPCC 2006 Guidelines (Vol. 1, ch. 5 "Time series
//! consistency", section 5.3 "Resolving data gaps") give the splicing
//! techniques an inventory may use, each to be documented; airinv computes
//! them from a declaration in inventory.toml, so the filled value is
//! reproducible, flagged in `detail.csv` (column `gap_fill`) and listed by
//! `airinv check` (`gap-fill.filled`):
//!
//! ```toml
//! [[fill]]
//! nfr = "3B1a"                        # the series: its NFR code (or a list of codes),
//! technology = "Dairy cows"           # and, where the code has several series,
//! fuel = "Solid"                      # its technology and fuel (omitted: every series)
//! years = [2024]                      # the inventory years to fill
//! method = "extrapolation"            # interpolation | extrapolation | surrogate | overlap
//! basis = [2019, 2020, 2021, 2022, 2023]
//! note = "FAOSTAT has no 2024 livestock yet"
//! ```
//!
//! | method | value of year t | basis |
//! |---|---|---|
//! | `interpolation` | linear between the nearest years before and after t with data: y₀ + (y₁ − y₀)(t − t₀)/(t₁ − t₀) | the two years (optional: the nearest ones read) |
//! | `extrapolation` | the least-squares line through the basis years, at t: ȳ + b (t − x̄), b = Σ(x − x̄)(y − ȳ) / Σ(x − x̄)² | two or more years |
//! | `surrogate` | the surrogate s, scaled to the series: s(t) × mean over the basis years of y/s (IPCC eq. 5.2, with the ratio averaged over several years when given) | one or more years, and `surrogate = { YEAR = "value", ... }` |
//! | `overlap` | the series of the previous method x, scaled to the new one: x(t) × mean over the overlap years of y/x (IPCC eq. 5.1) | the overlap years, and `surrogate = { ... }` holding x |
//!
//! The basis years may lie outside the inventory's years: their rows are read
//! for the fill only (counted as used, and not compiled). A row of another
//! year that no fill uses is rejected as before. Every quantity is an exact
//! decimal; a division is rounded at 28 significant digits. A fill never
//! replaces data: a year that has activity in the series is an error, and so
//! is a negative result (a trend that would fall below zero needs another
//! method, not a clamp).

use crate::activity::Rejection;
use crate::calculate::{Accumulator, ActivityKey, KeyTotal, RowRecord};
use crate::error::{Error, Location, Result};
use crate::inventory::{FillEntry, Inventory, OneOrMany};
use crate::nfr::Row;
use crate::number::format_decimal;
use crate::pins::{Name, text};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// A splicing technique of IPCC 2006 Vol. 1 ch. 5.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Interpolation,
    Extrapolation,
    Surrogate,
    Overlap,
}

impl Method {
    const ALL: [(&'static str, Method); 4] = [
        ("interpolation", Method::Interpolation),
        ("extrapolation", Method::Extrapolation),
        ("surrogate", Method::Surrogate),
        ("overlap", Method::Overlap),
    ];

    fn parse(text: &str) -> Option<Method> {
        let t = text.trim().to_ascii_lowercase();
        Method::ALL.iter().find(|(n, _)| *n == t).map(|(_, m)| *m)
    }

    pub fn name(self) -> &'static str {
        Method::ALL
            .iter()
            .find(|(_, m)| *m == self)
            .map(|(n, _)| *n)
            .unwrap_or("")
    }
}

/// One `[[fill]]` declaration, checked.
#[derive(Debug, Clone)]
pub struct Fill {
    /// Its position among the `[[fill]]` tables, from 1.
    pub number: usize,
    pub rows: Vec<&'static Row>,
    /// `None`: every fuel (or technology) of the rows.
    pub fuel: Option<Name>,
    pub technology: Option<Name>,
    pub years: Vec<i32>,
    pub method: Method,
    pub basis: Vec<i32>,
    /// The surrogate series (or the previous method's series, for overlap).
    pub surrogate: BTreeMap<i32, Decimal>,
    pub note: String,
}

impl Fill {
    /// The series it fills, in words: `3B1a Dairy cows, Solid`.
    pub fn series(&self) -> String {
        let codes: Vec<&str> = self.rows.iter().map(|r| r.code.as_str()).collect();
        let mut s = codes.join(", ");
        if let Some(t) = &self.technology {
            s.push_str(&format!(" technology '{t}'"));
        }
        if let Some(f) = &self.fuel {
            s.push_str(&format!(" fuel '{f}'"));
        }
        s
    }

    /// The method and its basis, in words.
    pub fn describe(&self) -> String {
        let basis = years_text(&self.basis);
        match self.method {
            Method::Interpolation if self.basis.is_empty() => {
                "interpolation between the nearest years with data (IPCC 2006 Vol. 1, 5.3)".into()
            }
            Method::Interpolation => {
                format!("interpolation between {basis} (IPCC 2006 Vol. 1, 5.3)")
            }
            Method::Extrapolation => format!(
                "extrapolation of the least-squares linear trend of {basis} (IPCC 2006 Vol. 1, 5.3)"
            ),
            Method::Surrogate => format!(
                "surrogate data, scaled by the ratio of the series to the surrogate in {basis} (IPCC 2006 Vol. 1, 5.3, eq. 5.2)"
            ),
            Method::Overlap => format!(
                "overlap with the previous method's series in {basis} (IPCC 2006 Vol. 1, 5.3, eq. 5.1)"
            ),
        }
    }
}

/// Years in words: `2019-2023` when they follow each other, else `2019, 2021`.
pub(crate) fn years_text(years: &[i32]) -> String {
    let contiguous = years.windows(2).all(|w| w[1] == w[0] + 1);
    match years {
        [] => String::new(),
        [y] => y.to_string(),
        [first, .., last] if contiguous => format!("{first}-{last}"),
        _ => years
            .iter()
            .map(i32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// Checks the `[[fill]]` tables of an inventory.
pub fn declarations(inv: &Inventory) -> Result<Vec<Fill>> {
    let path = inv.dir.join("inventory.toml");
    let mut fills = Vec::new();
    for (i, (line, t)) in inv.fills.iter().enumerate() {
        let number = i + 1;
        let fill = parse(number, t, &inv.years).map_err(|problem| {
            Error::input(
                crate::error::Location::file(&path).with_row(*line),
                format!("[[fill]] entry {number}: {problem}"),
            )
        })?;
        fills.push(fill);
    }
    Ok(fills)
}

fn parse(
    number: usize,
    t: &FillEntry,
    inventory_years: &[i32],
) -> std::result::Result<Fill, String> {
    let text = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string());
    let codes: Vec<String> = match &t.nfr {
        Some(OneOrMany::One(s)) => vec![s.clone()],
        Some(OneOrMany::Many(list)) => list.clone(),
        None => return Err("nfr is required: the NFR code of the series".into()),
    };
    let mut rows = Vec::new();
    for c in &codes {
        let row = crate::nfr::find(c).ok_or_else(|| crate::nfr::unknown_code_message(c))?;
        if !row.takes_activity() {
            return Err(format!(
                "'{}' is not a row that takes activity data",
                row.code
            ));
        }
        rows.push(row);
    }
    let years_of =
        |key: &str, list: &[crate::config::Scalar]| -> std::result::Result<Vec<i32>, String> {
            let mut ys = Vec::new();
            for y in list {
                ys.push(y.year().map_err(|e| format!("{key}: {e}"))?);
            }
            ys.sort();
            ys.dedup();
            Ok(ys)
        };
    let years = years_of("years", &t.years)?;
    if years.is_empty() {
        return Err("years is required: the inventory years to fill".into());
    }
    if let Some(y) = years.iter().find(|y| !inventory_years.contains(y)) {
        return Err(format!(
            "{y} is not one of the inventory's years; a fill makes activity for the years compiled"
        ));
    }
    let method_text = text(&t.method)
        .ok_or("method is required: interpolation, extrapolation, surrogate or overlap")?;
    let method = Method::parse(&method_text).ok_or_else(|| {
        format!(
            "method '{method_text}' is none of interpolation, extrapolation, surrogate, overlap"
        )
    })?;
    let basis = years_of("basis", &t.basis)?;
    if let Some(y) = basis.iter().find(|y| years.contains(y)) {
        return Err(format!("{y} is both a year to fill and a basis year"));
    }
    let mut surrogate = BTreeMap::new();
    for (k, v) in &t.surrogate {
        let year = crate::number::parse_year(k).map_err(|e| format!("surrogate: {e}"))?;
        let value = v.decimal().map_err(|e| format!("surrogate {k}: {e}"))?;
        if value < Decimal::ZERO {
            return Err(format!("surrogate {k}: {value} is negative"));
        }
        surrogate.insert(year, value);
    }
    match method {
        Method::Interpolation => {
            if !basis.is_empty() && basis.len() != 2 {
                return Err("interpolation takes two basis years (one before, one after), or none for the nearest years with data".into());
            }
            if let [a, b] = basis[..]
                && let Some(y) = years.iter().find(|y| **y < a || **y > b)
            {
                return Err(format!(
                    "{y} is not between the basis years {a} and {b}: interpolation fills years inside its basis; use extrapolation outside"
                ));
            }
        }
        Method::Extrapolation => {
            if basis.len() < 2 {
                return Err("extrapolation needs two or more basis years for its trend".into());
            }
        }
        Method::Surrogate | Method::Overlap => {
            if basis.is_empty() {
                return Err(format!(
                    "{} needs basis years, in which both the series and the other one have data",
                    method.name()
                ));
            }
            if let Some(y) = basis
                .iter()
                .chain(&years)
                .find(|y| !surrogate.contains_key(y))
            {
                return Err(format!(
                    "{} needs the other series' value of {y} in surrogate = {{ {y} = \"...\" }}",
                    method.name()
                ));
            }
        }
    }
    if !matches!(method, Method::Surrogate | Method::Overlap) && !surrogate.is_empty() {
        return Err(format!("surrogate is not used by {}", method.name()));
    }
    let note = text(&t.note).unwrap_or_default();
    if note.is_empty() {
        return Err("note is required: why the gap is filled this way (the IPCC asks every fill to be documented)".into());
    }
    Ok(Fill {
        number,
        rows,
        fuel: selector(&t.fuel, "fuel")?,
        technology: selector(&t.technology, "technology")?,
        years,
        method,
        basis,
        surrogate,
        note,
    })
}

/// A fuel or technology a fill names (`None` when not given); an empty
/// text names nothing and is refused, so that it is not taken for "every".
fn selector(value: &Option<String>, key: &str) -> std::result::Result<Option<Name>, String> {
    match value {
        None => Ok(None),
        Some(v) => Name::new(v).map(Some).ok_or_else(|| {
            format!("{key} is empty; leave {key} out to fill every {key} of the codes")
        }),
    }
}

/// The years whose rows are read: the inventory's and the basis years of
/// its fills (empty: any year, when the inventory names none).
pub fn read_years(fills: &[Fill], inventory_years: &[i32]) -> Vec<i32> {
    if inventory_years.is_empty() {
        return Vec::new();
    }
    let mut ys: Vec<i32> = fills
        .iter()
        .flat_map(|f| f.basis.iter().copied())
        .chain(inventory_years.iter().copied())
        .collect();
    ys.sort();
    ys.dedup();
    ys
}

/// A value a fill made.
#[derive(Debug, Clone)]
pub struct Filled {
    pub fill: usize,
    pub method: Method,
    pub key: ActivityKey,
    pub value: Decimal,
    /// How, in words, with the values used.
    pub how: String,
}

/// What filling did to the activity.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub filled: Vec<Filled>,
    /// Rows of years outside the inventory's, read as basis of a fill.
    pub basis_rows: u64,
    /// Rows of years outside the inventory's that no fill uses, with their count.
    pub rejected: Vec<(Rejection, u64)>,
}

impl Outcome {
    /// Moves the rejected rows into a run's counts and rejections, and
    /// gives the lines that say what was filled.
    pub fn account(
        self,
        counts: &mut crate::activity::Counts,
        rejected: &mut Vec<Rejection>,
    ) -> Vec<String> {
        for (r, n) in self.rejected {
            counts.used -= n;
            counts.rejected += n;
            rejected.push(r);
        }
        let mut lines = vec![format!(
            "gap filling: {} value(s) filled as inventory.toml [[fill]] declares (detail.csv, column gap_fill); {} row(s) of other years read as their basis",
            self.filled.len(),
            self.basis_rows
        )];
        for f in &self.filled {
            let k = &f.key;
            let what = series_words(k);
            lines.push(format!(
                "  {} {what}: {} {} ([[fill]] {}, {})",
                k.year,
                format_decimal(f.value.round_dp(6).normalize()),
                k.unit,
                f.fill,
                f.method.name()
            ));
        }
        lines
    }
}

/// A series in words: its code, technology and fuel (`3B1a Dairy cows Solid`).
fn series_words(k: &ActivityKey) -> String {
    let mut what = k.code().to_string();
    for part in [text(&k.pins.technology), k.fuel_text()] {
        if !part.is_empty() {
            what.push_str(&format!(" {part}"));
        }
    }
    what
}

/// The series of an accumulator: keys equal but for the year.
fn series_of(key: &ActivityKey) -> ActivityKey {
    ActivityKey {
        year: 0,
        ..key.clone()
    }
}

/// Fills the declared gaps in `acc`, then takes out the rows of years that
/// are not the inventory's (the basis of fills, or rejected).
pub fn apply(
    acc: &mut Accumulator,
    fills: &[Fill],
    inventory_years: &[i32],
    toml: PathBuf,
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    // Every series: its values by year.
    let mut series: BTreeMap<ActivityKey, BTreeMap<i32, Decimal>> = BTreeMap::new();
    for (k, t) in &acc.keys {
        series
            .entry(series_of(k))
            .or_default()
            .insert(k.year, t.value);
    }
    // Which (series, year) a fill uses as basis.
    let mut used: Vec<(ActivityKey, i32)> = Vec::new();
    for fill in fills {
        let bad = |problem: String| {
            Error::file(&toml, format!("[[fill]] entry {}: {problem}", fill.number))
        };
        let matching: Vec<(&ActivityKey, &BTreeMap<i32, Decimal>)> = series
            .iter()
            .filter(|(s, _)| {
                let same = |want: &Option<Name>, have: &str| {
                    want.as_ref().is_none_or(|w| w.eq_ignore_ascii_case(have))
                };
                fill.rows.contains(&s.row)
                    && same(&fill.fuel, s.fuel_text())
                    && same(&fill.technology, text(&s.pins.technology))
            })
            .collect();
        if matching.is_empty() {
            return Err(bad(format!(
                "no activity rows of {} (of any year read); a fill extends a series that has data",
                fill.series()
            )));
        }
        for (s, values) in matching {
            for &year in &fill.years {
                let what = || format!("{} ({})", series_words(s), s.unit);
                if let Some(earlier) = outcome
                    .filled
                    .iter()
                    .find(|f| f.key.year == year && series_of(&f.key) == *s)
                {
                    return Err(bad(format!(
                        "{} {year} is filled by [[fill]] entry {} already",
                        what(),
                        earlier.fill
                    )));
                }
                if values.contains_key(&year) {
                    return Err(bad(format!(
                        "{} has activity in {year}; a fill never replaces data: remove {year} from years or the rows",
                        what()
                    )));
                }
                let (value, basis_used, how) =
                    compute(fill, values, year).map_err(|p| bad(format!("{}: {p}", what())))?;
                if value < Decimal::ZERO {
                    return Err(bad(format!(
                        "{}: {} gives {} for {year}, below zero; choose another method or basis",
                        what(),
                        fill.method.name(),
                        format_decimal(value)
                    )));
                }
                for b in basis_used {
                    used.push((s.clone(), b));
                }
                let key = ActivityKey { year, ..s.clone() };
                outcome.filled.push(Filled {
                    fill: fill.number,
                    method: fill.method,
                    key,
                    value,
                    how: format!("[[fill]] {}: {how}; {}", fill.number, fill.note),
                });
            }
        }
    }
    for f in &outcome.filled {
        let at = Location::file(format!("{} [[fill]] {}", toml.display(), f.fill));
        let rows = if acc.keep_rows {
            vec![RowRecord {
                at: at.clone(),
                value: f.value,
                source_id: format!("gap fill {}", f.fill),
                extra: Vec::new(),
            }]
        } else {
            Vec::new()
        };
        acc.keys.insert(
            f.key.clone(),
            KeyTotal {
                value: f.value,
                first_rows: vec![at],
                rows,
                filled: f.how.clone(),
                ..KeyTotal::default()
            },
        );
    }
    // Years that are not the inventory's: basis, or rejected.
    let outside: Vec<ActivityKey> = acc
        .keys
        .keys()
        .filter(|k| !inventory_years.contains(&k.year))
        .cloned()
        .collect();
    let list = inventory_years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    for k in outside {
        let total = acc.keys.remove(&k).expect("listed above");
        if used.contains(&(series_of(&k), k.year)) {
            outcome.basis_rows += total.count;
        } else {
            let at = total.first_rows.first().cloned().unwrap_or_default();
            outcome.rejected.push((
                Rejection {
                    at,
                    reason: format!(
                        "{} is not one of the inventory's years ({list}) and no [[fill]] uses it as basis for {}; add it to years in inventory.toml or remove the row",
                        k.year,
                        k.code()
                    ),
                },
                total.count,
            ));
        }
    }
    Ok(outcome)
}

/// The value of one year of a series, the basis years used, and how.
fn compute(
    fill: &Fill,
    values: &BTreeMap<i32, Decimal>,
    year: i32,
) -> std::result::Result<(Decimal, Vec<i32>, String), String> {
    let need = |y: i32| -> std::result::Result<Decimal, String> {
        values
            .get(&y)
            .copied()
            .ok_or_else(|| format!("the basis year {y} has no activity"))
    };
    let overflow = || "the computation leaves the range of exact decimals".to_string();
    let shown = |pairs: &[(i32, Decimal)]| -> String {
        pairs
            .iter()
            .map(|(y, v)| format!("{y}: {}", format_decimal(*v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match fill.method {
        Method::Interpolation => {
            let (a, b) = match fill.basis[..] {
                [a, b] => (a, b),
                _ => {
                    let before = values.range(..year).next_back().map(|(y, _)| *y);
                    let after = values.range(year + 1..).next().map(|(y, _)| *y);
                    match (before, after) {
                        (Some(a), Some(b)) => (a, b),
                        _ => {
                            return Err(format!(
                                "interpolation needs data before and after {year}; use extrapolation"
                            ));
                        }
                    }
                }
            };
            let (ya, yb) = (need(a)?, need(b)?);
            let value = (yb - ya)
                .checked_mul(Decimal::from(year - a))
                .and_then(|d| d.checked_div(Decimal::from(b - a)))
                .and_then(|d| d.checked_add(ya))
                .ok_or_else(overflow)?;
            Ok((
                value,
                vec![a, b],
                format!(
                    "{} ({})",
                    describe_basis(fill, &[a, b]),
                    shown(&[(a, ya), (b, yb)])
                ),
            ))
        }
        Method::Extrapolation => {
            let pairs: Vec<(i32, Decimal)> = fill
                .basis
                .iter()
                .map(|&y| need(y).map(|v| (y, v)))
                .collect::<std::result::Result<_, _>>()?;
            let n = Decimal::from(pairs.len());
            let sum_x: Decimal = pairs.iter().map(|(x, _)| Decimal::from(*x)).sum();
            let sum_y = pairs
                .iter()
                .try_fold(Decimal::ZERO, |s, (_, y)| s.checked_add(*y))
                .ok_or_else(overflow)?;
            // Centred years are small integers: exact.
            let mean_x = sum_x / n;
            let mean_y = sum_y.checked_div(n).ok_or_else(overflow)?;
            let mut sxy = Decimal::ZERO;
            let mut sxx = Decimal::ZERO;
            for (x, y) in &pairs {
                let dx = Decimal::from(*x) - mean_x;
                sxy = (*y - mean_y)
                    .checked_mul(dx)
                    .and_then(|d| d.checked_add(sxy))
                    .ok_or_else(overflow)?;
                sxx += dx * dx;
            }
            let slope = sxy.checked_div(sxx).ok_or_else(overflow)?;
            let value = slope
                .checked_mul(Decimal::from(year) - mean_x)
                .and_then(|d| d.checked_add(mean_y))
                .ok_or_else(overflow)?;
            Ok((
                value,
                fill.basis.clone(),
                format!(
                    "{} ({}; slope {} per year)",
                    fill.describe(),
                    shown(&pairs),
                    format_decimal(slope.round_dp(6).normalize())
                ),
            ))
        }
        Method::Surrogate | Method::Overlap => {
            let mut ratios = Decimal::ZERO;
            let mut pairs = Vec::new();
            for &b in &fill.basis {
                let y = need(b)?;
                let s = fill.surrogate[&b];
                if s.is_zero() {
                    return Err(format!(
                        "the other series is zero in {b}, so no ratio can be taken"
                    ));
                }
                ratios = y
                    .checked_div(s)
                    .and_then(|r| r.checked_add(ratios))
                    .ok_or_else(overflow)?;
                pairs.push((b, y));
            }
            let ratio = ratios / Decimal::from(fill.basis.len());
            let s_t = fill.surrogate[&year];
            let value = s_t.checked_mul(ratio).ok_or_else(overflow)?;
            Ok((
                value,
                fill.basis.clone(),
                format!(
                    "{} (series {}; other series {}: {}, ratio {})",
                    fill.describe(),
                    shown(&pairs),
                    year,
                    format_decimal(s_t),
                    format_decimal(ratio.round_dp(9).normalize())
                ),
            ))
        }
    }
}

fn describe_basis(fill: &Fill, basis: &[i32]) -> String {
    Fill {
        basis: basis.to_vec(),
        ..fill.clone()
    }
    .describe()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn fill(toml_text: &str, years: &[i32]) -> std::result::Result<Fill, String> {
        let t: FillEntry = crate::config::parse(toml_text, std::path::Path::new("inventory.toml"))
            .map_err(|e| e.to_string())?;
        parse(1, &t, years)
    }

    fn key(year: i32, code: &str, technology: &str) -> ActivityKey {
        ActivityKey {
            year,
            row: crate::nfr::find(code).unwrap(),
            fuel: None,
            pins: crate::pins::Pins {
                technology: Name::new(technology),
                ..Default::default()
            },
            unit: crate::unit::ActivityUnit::parse("1000 head").unwrap(),
            efficiency: None,
        }
    }

    fn acc(values: &[(i32, &str, &str, &str)]) -> Accumulator {
        let mut a = Accumulator::new(false);
        for (y, code, tech, v) in values {
            a.keys.insert(
                key(*y, code, tech),
                KeyTotal {
                    value: d(v),
                    count: 1,
                    first_rows: vec![Location::file("a.csv").with_row(2)],
                    ..KeyTotal::default()
                },
            );
        }
        a
    }

    const YEARS: [i32; 4] = [2021, 2022, 2023, 2024];

    #[test]
    fn extrapolation_is_the_least_squares_line() {
        // FAOSTAT dairy cows (milk animals) of Kazakhstan 2019-2023, in 1000 head:
        // x̄ = 2021, ȳ = 6359.352 / 5 = 1271.8704,
        // Σ(x−x̄)(y−ȳ) = −2(1198 − ȳ) − (1237 − ȳ) + (1302 − ȳ) + 2(1345.352 − ȳ)
        //              = −2·1198 − 1237 + 1302 + 2·1345.352 = 359.704,
        // Σ(x−x̄)² = 10, slope 35.9704; 2024 = 1271.8704 + 3 × 35.9704 = 1379.7816.
        let f = fill(
            "nfr = \"3B1a\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2019, 2020, 2021, 2022, 2023]\nnote = \"FAOSTAT ends in 2023\"",
            &YEARS,
        )
        .unwrap();
        let mut a = acc(&[
            (2019, "3B1a", "Dairy cows", "1198"),
            (2020, "3B1a", "Dairy cows", "1237"),
            (2021, "3B1a", "Dairy cows", "1277"),
            (2022, "3B1a", "Dairy cows", "1302"),
            (2023, "3B1a", "Dairy cows", "1345.352"),
        ]);
        let out = apply(&mut a, &[f], &YEARS, PathBuf::from("inventory.toml")).unwrap();
        assert_eq!(out.filled.len(), 1);
        assert_eq!(out.filled[0].value, d("1379.7816"));
        let t = &a.keys[&key(2024, "3B1a", "Dairy cows")];
        assert_eq!(t.value, d("1379.7816"));
        assert!(
            t.filled.contains("least-squares linear trend of 2019-2023"),
            "{}",
            t.filled
        );
        assert!(t.filled.contains("slope 35.9704 per year"), "{}", t.filled);
        // 2019 and 2020 were read as basis only: not compiled, not rejected.
        assert_eq!(out.basis_rows, 2);
        assert!(out.rejected.is_empty());
        assert!(!a.keys.contains_key(&key(2019, "3B1a", "Dairy cows")));
        assert_eq!(a.keys.len(), 4);
    }

    #[test]
    fn interpolation_is_linear_between_the_nearest_years() {
        // Crude steel 2020 4002.808 kt, 2023 3920 kt: 2021 = 4002.808 − 82.808/3,
        // 2022 = 4002.808 − 2 × 82.808/3.
        let f = fill(
            "nfr = \"2C1\"\nyears = [2021, 2022]\nmethod = \"interpolation\"\nbasis = [2020, 2023]\nnote = \"n\"",
            &YEARS,
        )
        .unwrap();
        let mut a = acc(&[(2020, "2C1", "", "4002.808"), (2023, "2C1", "", "3920")]);
        let out = apply(&mut a, &[f], &YEARS, PathBuf::from("inventory.toml")).unwrap();
        let v21 = a.keys[&key(2021, "2C1", "")].value;
        let v22 = a.keys[&key(2022, "2C1", "")].value;
        assert_eq!(v21.round_dp(6), d("3975.205333"));
        assert_eq!(v22.round_dp(6), d("3947.602667"));
        // The steps are equal: a straight line.
        assert_eq!((v21 - v22).round_dp(20), (d("4002.808") - v21).round_dp(20));
        assert_eq!(out.basis_rows, 1);
    }

    #[test]
    fn surrogate_and_overlap_scale_the_other_series() {
        // Marketed gas 2023 30.8229 bcm; raw gas 2023 59.063, 2024 59.0:
        // 2024 = 59.0 × 30.8229 / 59.063.
        let f = fill(
            "nfr = \"1B2b\"\nyears = [2024]\nmethod = \"surrogate\"\nbasis = [2023]\nsurrogate = { 2023 = \"59.063\", 2024 = \"59.0\" }\nnote = \"raw gas\"",
            &YEARS,
        )
        .unwrap();
        let mut a = acc(&[(2023, "1B2b", "", "30.8229")]);
        apply(&mut a, &[f], &YEARS, PathBuf::from("inventory.toml")).unwrap();
        let v = a.keys[&key(2024, "1B2b", "")].value;
        assert_eq!(
            v.round_dp(9),
            (d("59.0") * d("30.8229") / d("59.063")).round_dp(9)
        );
        assert_eq!(v.round_dp(4), d("30.7900"));
        // Overlap: the mean of the ratios over the overlap years (eq. 5.1):
        // new/old = 1.1 in 2021 and 1.3 in 2022, mean 1.2; 2024 = 50 × 1.2 = 60.
        let f = fill(
            "nfr = \"2A1\"\nyears = [2024]\nmethod = \"overlap\"\nbasis = [2021, 2022]\nsurrogate = { 2021 = \"10\", 2022 = \"10\", 2024 = \"50\" }\nnote = \"n\"",
            &YEARS,
        )
        .unwrap();
        let mut a = acc(&[(2021, "2A1", "", "11"), (2022, "2A1", "", "13")]);
        apply(&mut a, &[f], &YEARS, PathBuf::from("inventory.toml")).unwrap();
        assert_eq!(a.keys[&key(2024, "2A1", "")].value, d("60"));
    }

    #[test]
    fn a_fill_never_replaces_data_nor_goes_below_zero() {
        let f = fill(
            "nfr = \"2C1\"\nyears = [2023]\nmethod = \"interpolation\"\nnote = \"n\"",
            &YEARS,
        )
        .unwrap();
        let mut a = acc(&[
            (2022, "2C1", "", "1"),
            (2023, "2C1", "", "2"),
            (2024, "2C1", "", "3"),
        ]);
        let e = apply(&mut a, &[f], &YEARS, PathBuf::from("inventory.toml")).unwrap_err();
        assert!(e.to_string().contains("has activity in 2023"), "{e}");
        // A falling trend: 40, 25, 10 → 2024 would be −5.
        let f = fill(
            "nfr = \"2C1\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2021, 2022, 2023]\nnote = \"n\"",
            &YEARS,
        )
        .unwrap();
        let mut a = acc(&[
            (2021, "2C1", "", "40"),
            (2022, "2C1", "", "25"),
            (2023, "2C1", "", "10"),
        ]);
        let e = apply(&mut a, &[f], &YEARS, PathBuf::from("inventory.toml")).unwrap_err();
        assert!(
            e.to_string().contains("gives -5 for 2024, below zero"),
            "{e}"
        );
    }

    #[test]
    fn rows_of_other_years_no_fill_uses_are_rejected() {
        let f = fill(
            "nfr = \"3B1a\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2022, 2023]\nnote = \"n\"",
            &YEARS,
        )
        .unwrap();
        let mut a = acc(&[
            (2022, "3B1a", "Dairy cows", "10"),
            (2023, "3B1a", "Dairy cows", "12"),
            (2019, "3B2", "Sheep", "5"),
        ]);
        let out = apply(&mut a, &[f], &YEARS, PathBuf::from("inventory.toml")).unwrap();
        assert_eq!(a.keys[&key(2024, "3B1a", "Dairy cows")].value, d("14"));
        assert_eq!(out.rejected.len(), 1);
        assert!(
            out.rejected[0]
                .0
                .reason
                .contains("2019 is not one of the inventory's years")
        );
        assert_eq!(out.rejected[0].0.at.to_string(), "a.csv, row 2");
    }

    #[test]
    fn declarations_are_checked() {
        let e = |t: &str| fill(t, &YEARS).unwrap_err();
        assert!(
            e("nfr = \"3B1a\"\nyears = [2024]\nmethod = \"guess\"\nnote = \"n\"")
                .contains("none of interpolation")
        );
        assert!(e("nfr = \"3B1a\"\nyears = [2030]\nmethod = \"extrapolation\"\nbasis = [2021, 2022]\nnote = \"n\"").contains("2030 is not one of the inventory's years"));
        assert!(e("nfr = \"3B1a\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2023]\nnote = \"n\"").contains("two or more basis years"));
        assert!(e("nfr = \"3B1a\"\nyears = [2024]\nmethod = \"surrogate\"\nbasis = [2023]\nsurrogate = { 2023 = \"1\" }\nnote = \"n\"").contains("value of 2024"));
        assert!(
            e("nfr = \"3B1a\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2022, 2023]")
                .contains("note is required")
        );
        assert!(e("nfr = \"3B1a\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2022, 2023]\nnote = \"n\"\nbase = [1]").contains("'base' is not a setting"));
        assert!(e("nfr = \"3Z9\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2022, 2023]\nnote = \"n\"").contains("3Z9"));
    }

    #[test]
    fn a_fill_names_a_fuel_or_technology_or_leaves_it_out() {
        let base = "nfr = \"3B1a\"\nyears = [2024]\nmethod = \"extrapolation\"\nbasis = [2021, 2022]\nnote = \"n\"\n";
        let f = fill(&format!("{base}technology = \" Dairy cows \""), &YEARS).unwrap();
        assert_eq!(f.technology.as_deref(), Some("Dairy cows"));
        assert_eq!(f.fuel, None);
        // An empty text is no selector: said, not taken for "every fuel".
        let e = fill(&format!("{base}fuel = \"\""), &YEARS).unwrap_err();
        assert!(e.contains("fuel is empty; leave fuel out"), "{e}");
    }
}
