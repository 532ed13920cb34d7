//! Reclassifications in the activity statistics, spliced as the IPCC
//! prescribes.
//!
//! A statistics office sometimes moves consumers from one line of its
//! balance to another: in 2024 Kazakhstan's energy balance classes the power
//! plants of metal and mining works as main-activity producers, so their
//! coal leaves industry (1A2) for public electricity and heat (1A1a). The
//! fuel burnt did not change, but the two rows have different emission
//! factors, so the national totals jump. The IPCC 2006 Guidelines (Vol. 1,
//! ch. 5 "Time series consistency") ask for such a series to be made
//! consistent: keep each year's total of the rows involved and split it with
//! one allocation across the years. airinv does it from a declaration in
//! inventory.toml, so the re-allocated activity is reproducible, shown in
//! `detail.csv` (column `splice`) and `airinv explain`, and listed by
//! `airinv check` (`splice.applied`):
//!
//! ```toml
//! [[splice]]
//! nfr = ["1A1a", "1A2b", "1A2gviii"]   # the rows the statistics moved activity between
//! fuels = ["Hard Coal", "Brown Coal"]  # and/or fuel_groups = ["solid"]; neither: every series of the rows
//! years = [2021, 2022, 2023, 2024]     # the years re-allocated
//! basis = "shares"                     # shares | reported
//! shares_of = [2021, 2022, 2023]       # the years whose split is kept (basis = "shares")
//! reason = "from 2024 the balance classes the plants of metal and mining works as main-activity producers"
//! ```
//!
//! | basis | a row's activity in a year t |
//! |---|---|
//! | `shares` | the rows' total of t × the row's share of the rows' total over the `shares_of` years: x_r(t) = T(t) × Σ_b x_r(b) / Σ_b T(b) |
//! | `reported` | as reported: the reclassification is declared and explained by its reason, not re-allocated (`check` names it as explained instead of warning) |
//!
//! (The plants' shares from a plant register are the next basis to come:
//! [`Basis`] is where it goes.)
//!
//! A series is the activity of one fuel with the same pins, unit and
//! abatement in every row (the rows' keys but for the row and the year);
//! each series is split on its own, so each fuel's total of the rows is kept
//! in every year. The row with the largest share takes the rest (the total
//! less the other rows' parts), so that the rows' total of each year is kept
//! to the last digit; the others are rounded at 28 significant digits at
//! most. A row with no share gets nothing; a row with a share and no
//! activity that year gets a key of its own. Two declarations may not
//! re-allocate the same activity, and the `shares_of` years must have
//! activity in the rows: airinv never guesses a share.

use crate::calculate::{Accumulator, ActivityKey, KeyTotal, RowRecord};
use crate::error::{Error, Location, Result};
use crate::fuel::{FuelGroup, FuelId, Fuels};
use crate::gap_fill::years_text;
use crate::inventory::{Inventory, OneOrMany, SpliceEntry};
use crate::nfr::Row;
use crate::number::format_decimal;
use crate::pins::Name;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::Path;

/// How the rows' total of a year is split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Basis {
    /// Each row's share of the rows' total over these years.
    Shares(Vec<i32>),
    /// As the statistics report it: the reclassification is declared and
    /// explained, not re-allocated.
    Reported,
}

impl Basis {
    /// The basis, in words.
    pub fn describe(&self) -> String {
        match self {
            Basis::Shares(years) => format!(
                "each year's total of the rows kept and split with their shares of {} (IPCC 2006 Vol. 1, ch. 5)",
                years_text(years)
            ),
            Basis::Reported => "kept as the statistics report it".into(),
        }
    }
}

/// A fuel a splice names, with the fuel of airinv's table it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpliceFuel {
    /// As written in inventory.toml.
    pub name: Name,
    pub id: FuelId,
    pub group: FuelGroup,
}

/// One `[[splice]]` declaration, checked.
#[derive(Debug, Clone)]
pub struct Splice {
    /// Its position among the `[[splice]]` tables, from 1.
    pub number: usize,
    /// The line of inventory.toml where it starts.
    pub line: u64,
    /// The rows, in template order.
    pub rows: Vec<&'static Row>,
    /// The fuels named (with `fuel_groups` empty too: every series).
    pub fuels: Vec<SpliceFuel>,
    pub fuel_groups: Vec<FuelGroup>,
    pub years: Vec<i32>,
    pub basis: Basis,
    pub reason: String,
}

impl Splice {
    /// True when the splice takes every series of its rows.
    fn every_series(&self) -> bool {
        self.fuels.is_empty() && self.fuel_groups.is_empty()
    }

    /// True when the splice takes an activity key's series (of any year).
    pub fn selects(&self, key: &ActivityKey, fuels: &Fuels) -> bool {
        if !self.rows.contains(&key.row) {
            return false;
        }
        if self.every_series() {
            return true;
        }
        let Some(id) = key.fuel.as_ref().and_then(|f| f.id) else {
            return false;
        };
        self.fuels.iter().any(|f| f.id == id) || self.fuel_groups.contains(&fuels.fuel(id).group)
    }

    /// True when the splice takes fuels of a group (`None`: the activity
    /// that is not fuel).
    pub fn takes_group(&self, group: Option<FuelGroup>) -> bool {
        if self.every_series() {
            return true;
        }
        group.is_some_and(|g| {
            self.fuel_groups.contains(&g) || self.fuels.iter().any(|f| f.group == g)
        })
    }

    /// The rows and fuels, in words: `1A1a, 1A2b, 1A2gviii (Hard Coal, solid fuels)`.
    pub fn what(&self) -> String {
        let rows: Vec<&str> = self.rows.iter().map(|r| r.code.as_str()).collect();
        let mut fuels: Vec<String> = self.fuels.iter().map(|f| f.name.to_string()).collect();
        fuels.extend(
            self.fuel_groups
                .iter()
                .map(|g| g.column_name().to_lowercase()),
        );
        if fuels.is_empty() {
            rows.join(", ")
        } else {
            format!("{} ({})", rows.join(", "), fuels.join(", "))
        }
    }
}

/// Checks the `[[splice]]` tables of an inventory, with its fuel table
/// (the inventory's own fuel names included).
pub fn declarations(inv: &Inventory, fuels: &Fuels) -> Result<Vec<Splice>> {
    let path = inv.dir.join("inventory.toml");
    let mut splices: Vec<Splice> = Vec::new();
    for (i, (line, entry)) in inv.splices.iter().enumerate() {
        let number = i + 1;
        let at = || Location::file(&path).with_line(*line);
        let splice = parse(number, *line, entry, &inv.years, fuels).map_err(|problem| {
            Error::input(at(), format!("[[splice]] entry {number}: {problem}"))
        })?;
        if let Some(other) = splices.iter().find(|o| overlap(o, &splice, fuels)) {
            return Err(Error::input(
                at(),
                format!(
                    "[[splice]] entry {number}: {} in {} is declared by [[splice]] entry {} already; one declaration per row, fuel and year",
                    splice.what(),
                    years_text(&splice.years),
                    other.number
                ),
            ));
        }
        splices.push(splice);
    }
    Ok(splices)
}

/// True when two declarations take the same row, year and fuel.
fn overlap(a: &Splice, b: &Splice, fuels: &Fuels) -> bool {
    let common_year = a.years.iter().any(|y| b.years.contains(y));
    let common_row = a.rows.iter().any(|r| b.rows.contains(r));
    if !common_year || !common_row {
        return false;
    }
    // A fuel both take: every fuel of the table is tried, and the activity
    // that is not fuel when both take every series.
    (a.every_series() && b.every_series())
        || fuels.all().iter().any(|f| {
            let taken = |s: &Splice| {
                s.every_series()
                    || s.fuel_groups.contains(&f.group)
                    || s.fuels.iter().any(|x| fuels.fuel(x.id).name == f.name)
            };
            taken(a) && taken(b)
        })
}

fn parse(
    number: usize,
    line: u64,
    t: &SpliceEntry,
    inventory_years: &[i32],
    fuels: &Fuels,
) -> std::result::Result<Splice, String> {
    let list = |v: &Option<OneOrMany>| -> Vec<String> {
        match v {
            Some(OneOrMany::One(s)) => vec![s.clone()],
            Some(OneOrMany::Many(l)) => l.clone(),
            None => Vec::new(),
        }
    };
    let codes = list(&t.nfr);
    let mut rows: Vec<&'static Row> = Vec::new();
    for c in &codes {
        let row = crate::nfr::find(c).ok_or_else(|| crate::nfr::unknown_code_message(c))?;
        if !row.takes_activity() {
            return Err(format!(
                "'{}' is not a row that takes activity data",
                row.code
            ));
        }
        if !rows.contains(&row) {
            rows.push(row);
        }
    }
    if rows.len() < 2 {
        return Err("nfr needs two rows or more: the rows the statistics moved activity between (nfr = [\"1A1a\", \"1A2gviii\"])".into());
    }
    rows.sort_by_key(|r| r.number);
    let mut named = Vec::new();
    for f in list(&t.fuels) {
        let name =
            Name::new(&f).ok_or("fuels: an empty name; leave fuels out to take every fuel")?;
        let id = fuels.id(&name).ok_or_else(|| {
            format!(
                "fuels: '{name}' is not a fuel of airinv's fuel table nor of [fuels]{}",
                fuels.did_you_mean(&name)
            )
        })?;
        named.push(SpliceFuel {
            group: fuels.fuel(id).group,
            name,
            id,
        });
    }
    let mut fuel_groups = Vec::new();
    for g in list(&t.fuel_groups) {
        let group = FuelGroup::parse(&g).ok_or_else(|| {
            format!("fuel_groups: '{g}' is none of liquid, solid, gaseous, biomass, other")
        })?;
        if !fuel_groups.contains(&group) {
            fuel_groups.push(group);
        }
    }
    let years_of =
        |key: &str, list: &[crate::config::Scalar]| -> std::result::Result<Vec<i32>, String> {
            let mut ys = Vec::new();
            for y in list {
                let year = y.year().map_err(|e| format!("{key}: {e}"))?;
                if !inventory_years.is_empty() && !inventory_years.contains(&year) {
                    return Err(format!(
                        "{key}: {year} is not one of the inventory's years ({})",
                        years_text(inventory_years)
                    ));
                }
                ys.push(year);
            }
            ys.sort();
            ys.dedup();
            Ok(ys)
        };
    let years = years_of("years", &t.years)?;
    if years.is_empty() {
        return Err("years is required: the years whose activity is re-allocated".into());
    }
    let basis_text = t
        .basis
        .as_deref()
        .map(str::trim)
        .ok_or("basis is required: shares (split with the shares of the years in shares_of) or reported (kept as reported, explained by the reason)")?;
    let shares_of = years_of("shares_of", &t.shares_of)?;
    let basis = match basis_text.to_ascii_lowercase().as_str() {
        "shares" => {
            if shares_of.is_empty() {
                return Err("basis = \"shares\" needs shares_of: the years whose split of the rows' total is kept (e.g. the years before the break)".into());
            }
            Basis::Shares(shares_of)
        }
        "reported" => {
            if !shares_of.is_empty() {
                return Err("shares_of is not used by basis = \"reported\" (the activity is kept as reported)".into());
            }
            Basis::Reported
        }
        "plants" => return Err("basis = \"plants\" (the plants' shares from a plant register) is not available yet; use shares".into()),
        other => {
            return Err(format!(
                "basis '{other}' is none of shares, reported"
            ));
        }
    };
    let reason = t.reason.as_deref().map(str::trim).unwrap_or_default();
    if reason.is_empty() {
        return Err("reason is required: what the statistics changed, and why the series is spliced or kept (the IPCC asks for it to be documented)".into());
    }
    Ok(Splice {
        number,
        line,
        rows,
        fuels: named,
        fuel_groups,
        years,
        basis,
        reason: reason.to_string(),
    })
}

/// The activity of one row in one year, after a splice.
#[derive(Debug, Clone)]
pub struct Moved {
    /// The `[[splice]]` entry, from 1.
    pub splice: usize,
    pub key: ActivityKey,
    /// The activity as reported (`None`: the row had none that year).
    pub reported: Option<Decimal>,
    pub value: Decimal,
    /// How, in words, with the values used.
    pub how: String,
}

/// What splicing did to the activity.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub moved: Vec<Moved>,
}

impl Outcome {
    /// The lines that say what was re-allocated: one per splice, year and
    /// series, with each row's activity as reported and after.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "splicing: {} activity value(s) re-allocated between rows as inventory.toml [[splice]] declares (detail.csv, column splice)",
            self.moved.len()
        )];
        let mut i = 0;
        while i < self.moved.len() {
            let first = &self.moved[i];
            let same = |m: &Moved| {
                m.splice == first.splice
                    && m.key.year == first.key.year
                    && series_of(&m.key) == series_of(&first.key)
            };
            let mut parts = Vec::new();
            while i < self.moved.len() && same(&self.moved[i]) {
                let m = &self.moved[i];
                parts.push(format!(
                    "{} {} → {}",
                    m.key.code(),
                    m.reported.map(short).unwrap_or_else(|| "none".into()),
                    short(m.value)
                ));
                i += 1;
            }
            lines.push(format!(
                "  {} {} ({}): {} ([[splice]] {})",
                first.key.year,
                series_words(&first.key),
                first.key.unit,
                parts.join(", "),
                first.splice
            ));
        }
        lines
    }
}

/// A value for the console: six decimals at most.
fn short(v: Decimal) -> String {
    format_decimal(v.round_dp(6).normalize())
}

/// A series: the parts of an activity key but the year and the row.
type Series = (
    Option<crate::fuel::ActivityFuel>,
    crate::pins::Pins,
    crate::unit::ActivityUnit,
    Option<crate::activity::Efficiency>,
);

fn series_of(k: &ActivityKey) -> Series {
    (
        k.fuel.clone(),
        k.pins.clone(),
        k.unit.clone(),
        k.efficiency.clone(),
    )
}

/// A series in words: its fuel and pins (`Hard Coal`, `Dairy cows Solid`).
fn series_words(k: &ActivityKey) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !k.fuel_text().is_empty() {
        parts.push(k.fuel_text().to_string());
    }
    parts.extend(
        k.pins
            .texts()
            .iter()
            .filter(|t| !t.is_empty())
            .map(|t| t.to_string()),
    );
    if parts.is_empty() {
        "activity".into()
    } else {
        parts.join(" ")
    }
}

/// One series of a splice: its activity by year and row.
type ByYear = BTreeMap<i32, BTreeMap<&'static Row, Decimal>>;

/// Re-allocates the activity of `acc` as the splices declare.
pub fn apply(
    acc: &mut Accumulator,
    splices: &[Splice],
    fuels: &Fuels,
    toml: &Path,
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    for splice in splices {
        let bad = |problem: String| {
            Error::input(
                Location::file(toml).with_line(splice.line),
                format!("[[splice]] entry {}: {problem}", splice.number),
            )
        };
        let mut series: BTreeMap<Series, ByYear> = BTreeMap::new();
        for (k, t) in &acc.keys {
            if !splice.selects(k, fuels) {
                continue;
            }
            if t.overflow {
                return Err(bad(format!(
                    "the activity of {} {} in {} is beyond the range of exact decimals",
                    k.code(),
                    series_words(k),
                    k.year
                )));
            }
            series
                .entry(series_of(k))
                .or_default()
                .entry(k.year)
                .or_default()
                .insert(k.row, t.value);
        }
        if series.is_empty() {
            return Err(bad(format!(
                "no activity of {} in any year; a splice re-allocates activity the rows have",
                splice.what()
            )));
        }
        let Basis::Shares(basis) = &splice.basis else {
            continue;
        };
        for (s, by_year) in &series {
            let words = series_words(&key_of(s, splice.rows[0], 0));
            let shares =
                Shares::of(splice, by_year, basis).map_err(|p| bad(format!("{words}: {p}")))?;
            for &year in &splice.years {
                let Some(reported) = by_year.get(&year) else {
                    continue;
                };
                let moved = shares
                    .split(
                        splice,
                        year,
                        reported,
                        &words,
                        &key_of(s, splice.rows[0], year).unit,
                    )
                    .map_err(|p| bad(format!("{words} {year}: {p}")))?;
                for (row, value, how) in moved {
                    outcome.moved.push(Moved {
                        splice: splice.number,
                        key: key_of(s, row, year),
                        reported: reported.get(row).copied(),
                        value,
                        how,
                    });
                }
            }
        }
    }
    for m in &outcome.moved {
        write_back(acc, m, toml);
    }
    Ok(outcome)
}

/// The key of a series in a row and year.
fn key_of(s: &Series, row: &'static Row, year: i32) -> ActivityKey {
    ActivityKey {
        year,
        row,
        fuel: s.0.clone(),
        pins: s.1.clone(),
        unit: s.2.clone(),
        efficiency: s.3.clone(),
    }
}

/// The rows' activity over the basis years: each row's and the total.
struct Shares<'a> {
    /// The years the shares are taken from.
    years: &'a [i32],
    by_row: Vec<(&'static Row, Decimal)>,
    total: Decimal,
    /// The row that takes the rest: the largest share (the first in
    /// template order among equal ones).
    rest: &'static Row,
}

impl<'a> Shares<'a> {
    fn of(
        splice: &Splice,
        by_year: &ByYear,
        basis: &'a [i32],
    ) -> std::result::Result<Shares<'a>, String> {
        let overflow =
            || "the basis years' activity leaves the range of exact decimals".to_string();
        let mut by_row = Vec::new();
        let mut total = Decimal::ZERO;
        for &row in &splice.rows {
            let mut sum = Decimal::ZERO;
            for y in basis {
                if let Some(v) = by_year.get(y).and_then(|m| m.get(row)) {
                    sum = sum.checked_add(*v).ok_or_else(overflow)?;
                }
            }
            total = total.checked_add(sum).ok_or_else(overflow)?;
            by_row.push((row, sum));
        }
        if total <= Decimal::ZERO {
            return Err(format!(
                "the rows have no activity in {} to take shares from; leave this fuel out (fuels, fuel_groups) or choose years with activity in shares_of",
                years_text(basis)
            ));
        }
        let rest = by_row
            .iter()
            .fold(None::<(&'static Row, Decimal)>, |best, (r, v)| match best {
                Some((_, b)) if b >= *v => best,
                _ => Some((r, *v)),
            })
            .map(|(r, _)| r)
            .expect("two rows or more");
        Ok(Shares {
            years: basis,
            by_row,
            total,
            rest,
        })
    }

    /// A row's share in per cent, for messages.
    fn percent(&self, part: Decimal) -> String {
        part.checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|p| p.checked_div(self.total))
            .map(|p| format_decimal(p.round_dp(2).normalize()))
            .unwrap_or_default()
    }

    /// The year's total split by the shares: each row with a share or with
    /// activity that year, its new activity and how.
    fn split(
        &self,
        splice: &Splice,
        year: i32,
        reported: &BTreeMap<&'static Row, Decimal>,
        words: &str,
        unit: &crate::unit::ActivityUnit,
    ) -> std::result::Result<Vec<(&'static Row, Decimal, String)>, String> {
        let overflow = || "the re-allocation leaves the range of exact decimals".to_string();
        let total = reported
            .values()
            .try_fold(Decimal::ZERO, |a, v| a.checked_add(*v))
            .ok_or_else(overflow)?;
        let mut parts: Vec<(&'static Row, Decimal)> = Vec::new();
        let mut others = Decimal::ZERO;
        for &(row, part) in &self.by_row {
            if row == self.rest {
                continue;
            }
            let value = total
                .checked_mul(part)
                .and_then(|v| v.checked_div(self.total))
                .ok_or_else(overflow)?
                .normalize();
            others = others.checked_add(value).ok_or_else(overflow)?;
            parts.push((row, value));
        }
        parts.push((self.rest, (total - others).normalize()));
        parts.sort_by_key(|(r, _)| r.number);
        let as_reported: Vec<String> = splice
            .rows
            .iter()
            .map(|r| {
                format!(
                    "{} {}",
                    r.code,
                    reported
                        .get(r)
                        .map(|v| format_decimal(*v))
                        .unwrap_or_else(|| "none".into())
                )
            })
            .collect();
        let basis: Vec<String> = self
            .by_row
            .iter()
            .map(|(r, v)| format!("{} {}", r.code, format_decimal(*v)))
            .collect();
        Ok(parts
            .into_iter()
            .filter(|(row, value)| !value.is_zero() || reported.contains_key(row))
            .map(|(row, value)| {
                let mine = self
                    .by_row
                    .iter()
                    .find(|(r, _)| *r == row)
                    .map(|(_, v)| *v)
                    .unwrap_or_default();
                let rest = if row == self.rest {
                    ", and takes the rest so that the total is kept"
                } else {
                    ""
                };
                let how = format!(
                    "[[splice]] {}: re-allocated, not as reported: the {year} {words} of {} ({} {unit} in all; as reported {}) split with the rows' shares of {} ({} {unit}); {} has {} %{rest}; {}",
                    splice.number,
                    splice.rows.iter().map(|r| r.code.as_str()).collect::<Vec<_>>().join(", "),
                    format_decimal(total),
                    as_reported.join(", "),
                    years_text(self.years),
                    basis.join(", "),
                    row.code,
                    self.percent(mine),
                    splice.reason
                );
                (row, value, how)
            })
            .collect())
    }
}

/// Writes a re-allocated activity into the accumulator: the key's value
/// and how it was made; with per-row lineage, a row of the difference at
/// the declaration (so the rows still add up to the key).
fn write_back(acc: &mut Accumulator, m: &Moved, toml: &Path) {
    let at = Location::file(format!("{} [[splice]] {}", toml.display(), m.splice));
    let keep_rows = acc.keep_rows;
    let total = acc.keys.entry(m.key.clone()).or_insert_with(|| KeyTotal {
        first_rows: vec![at.clone()],
        ..KeyTotal::default()
    });
    let difference = m.value - total.value;
    if keep_rows && !difference.is_zero() {
        total.rows.push(RowRecord {
            at,
            value: difference,
            source_id: format!("splice {}", m.splice),
            extra: Vec::new(),
        });
    }
    total.value = m.value;
    total.spliced = m.how.clone();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    fn fuels() -> &'static Fuels {
        Fuels::built_in()
    }

    fn inventory(toml_text: &str) -> Inventory {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("inventory.toml"), toml_text).unwrap();
        Inventory::load(dir.path()).unwrap()
    }

    const HEAD: &str = "name = \"t\"\nyears = [2021, 2022, 2023]\nactivity = [\"a.csv\"]\n";

    fn splices(body: &str) -> std::result::Result<Vec<Splice>, String> {
        declarations(&inventory(&format!("{HEAD}{body}")), fuels()).map_err(|e| e.to_string())
    }

    fn key(year: i32, code: &str, fuel: &str) -> ActivityKey {
        ActivityKey {
            year,
            row: crate::nfr::find(code).unwrap(),
            fuel: crate::fuel::ActivityFuel::read(fuel, fuels()),
            pins: crate::pins::Pins::default(),
            unit: crate::unit::ActivityUnit::parse("TJ").unwrap(),
            efficiency: None,
        }
    }

    fn acc(values: &[(i32, &str, &str, &str)], keep_rows: bool) -> Accumulator {
        let mut a = Accumulator::new(keep_rows);
        for (y, code, fuel, v) in values {
            a.keys.insert(
                key(*y, code, fuel),
                KeyTotal {
                    value: d(v),
                    count: 1,
                    first_rows: vec![Location::file("a.csv").with_row(2)],
                    rows: if keep_rows {
                        vec![RowRecord {
                            at: Location::file("a.csv").with_row(2),
                            value: d(v),
                            source_id: String::new(),
                            extra: Vec::new(),
                        }]
                    } else {
                        Vec::new()
                    },
                    ..KeyTotal::default()
                },
            );
        }
        a
    }

    const SPLICE: &str = "[[splice]]\nnfr = [\"1A2gviii\", \"1A1a\", \"1A2b\"]\nfuels = \"Hard Coal\"\nyears = [2021, 2022, 2023]\nbasis = \"shares\"\nshares_of = [2021, 2022]\nreason = \"autoproducers classed as main-activity plants in 2023\"\n";

    /// Hard coal, TJ: the rows' total is 1 000 in 2021 and 2022 and 1 020
    /// in 2023, when 1A2b's coal is classed in 1A1a. Shares of 2021-2022:
    /// 1A1a 1 410, 1A2b 200, 1A2gviii 390 of 2 000 (70.5 %, 10 %, 19.5 %).
    fn autoproducers(keep_rows: bool) -> Accumulator {
        acc(
            &[
                (2021, "1A1a", "Hard Coal", "700"),
                (2021, "1A2b", "Hard Coal", "100"),
                (2021, "1A2gviii", "Hard Coal", "200"),
                (2022, "1A1a", "Hard Coal", "710"),
                (2022, "1A2b", "Hard Coal", "100"),
                (2022, "1A2gviii", "Hard Coal", "190"),
                (2023, "1A1a", "Hard Coal", "1000"),
                (2023, "1A2gviii", "Hard Coal", "20"),
                (2023, "1A1a", "Natural gas", "500"),
            ],
            keep_rows,
        )
    }

    #[test]
    fn each_years_total_is_split_with_the_shares_of_the_basis_years() {
        let s = splices(SPLICE).unwrap();
        assert_eq!(
            s[0].rows
                .iter()
                .map(|r| r.code.as_str())
                .collect::<Vec<_>>(),
            ["1A1a", "1A2b", "1A2gviii"]
        );
        let mut a = autoproducers(false);
        let out = apply(&mut a, &s, fuels(), Path::new("inventory.toml")).unwrap();
        let v = |y, code| a.keys[&key(y, code, "Hard Coal")].value;
        // 2023: 1 020 × 200 / 2 000 = 102 (1A2b, which reported none);
        // 1 020 × 390 / 2 000 = 198.9; 1A1a, the largest share, the rest:
        // 1 020 − 102 − 198.9 = 719.1 (= 1 020 × 70.5 %).
        assert_eq!(
            (v(2023, "1A1a"), v(2023, "1A2b"), v(2023, "1A2gviii")),
            (d("719.1"), d("102"), d("198.9"))
        );
        // 2021: 1 000 × 19.5 % = 195, × 10 % = 100, the rest 705.
        assert_eq!(
            (v(2021, "1A1a"), v(2021, "1A2b"), v(2021, "1A2gviii")),
            (d("705"), d("100"), d("195"))
        );
        assert_eq!(v(2022, "1A2gviii"), d("195"));
        // Each year's total is kept; the gas of 1A1a is not touched.
        for y in [2021, 2022, 2023] {
            let total: Decimal = ["1A1a", "1A2b", "1A2gviii"].iter().map(|c| v(y, c)).sum();
            assert_eq!(total, if y == 2023 { d("1020") } else { d("1000") });
        }
        assert_eq!(a.keys[&key(2023, "1A1a", "Natural gas")].value, d("500"));
        assert!(a.keys[&key(2023, "1A1a", "Natural gas")].spliced.is_empty());
        // Every row of every year is told how: 9 values.
        assert_eq!(out.moved.len(), 9);
        let b = &a.keys[&key(2023, "1A2b", "Hard Coal")];
        assert_eq!(b.count, 0);
        assert!(b.spliced.starts_with("[[splice]] 1: re-allocated, not as reported: the 2023 Hard Coal of 1A1a, 1A2b, 1A2gviii (1020 TJ in all; as reported 1A1a 1000, 1A2b none, 1A2gviii 20) split with the rows' shares of 2021-2022 (1A1a 1410, 1A2b 200, 1A2gviii 390 TJ); 1A2b has 10 %"), "{}", b.spliced);
        assert!(
            a.keys[&key(2023, "1A1a", "Hard Coal")]
                .spliced
                .contains("1A1a has 70.5 %, and takes the rest")
        );
        let lines = out.lines();
        assert!(lines.contains(&"  2023 Hard Coal (TJ): 1A1a 1000 → 719.1, 1A2b none → 102, 1A2gviii 20 → 198.9 ([[splice]] 1)".to_string()), "{lines:?}");
    }

    #[test]
    fn with_per_row_lineage_a_row_of_the_difference_keeps_the_rows_adding_up() {
        let s = splices(SPLICE).unwrap();
        let mut a = autoproducers(true);
        apply(&mut a, &s, fuels(), Path::new("inventory.toml")).unwrap();
        for (k, t) in &a.keys {
            let rows: Decimal = t.rows.iter().map(|r| r.value).sum();
            assert_eq!(rows, t.value, "{k:?}");
        }
        let main = &a.keys[&key(2023, "1A1a", "Hard Coal")];
        assert_eq!(main.rows[1].value, d("-280.9"));
        assert_eq!(main.rows[1].at.to_string(), "inventory.toml [[splice]] 1");
        assert_eq!(main.rows[1].source_id, "splice 1");
    }

    #[test]
    fn fuel_groups_take_every_fuel_of_the_group_each_on_its_own() {
        let s =
            splices(&SPLICE.replace("fuels = \"Hard Coal\"", "fuel_groups = [\"solid\"]")).unwrap();
        let mut a = autoproducers(false);
        for (y, code, v) in [
            (2021, "1A2b", "10"),
            (2022, "1A2gviii", "30"),
            (2023, "1A1a", "8"),
        ] {
            a.keys.insert(
                key(y, code, "Brown Coal"),
                a.keys[&key(y, code, "Hard Coal")].clone(),
            );
            a.keys.get_mut(&key(y, code, "Brown Coal")).unwrap().value = d(v);
        }
        apply(&mut a, &s, fuels(), Path::new("inventory.toml")).unwrap();
        // Brown coal 2021-2022: 1A2b 10, 1A2gviii 30 of 40; 2023's 8 TJ →
        // 1A2b 8 × 10/40 = 2, 1A2gviii the rest, 6; 1A1a has no share: 0.
        let v = |code| a.keys[&key(2023, code, "Brown Coal")].value;
        assert_eq!(
            (v("1A1a"), v("1A2b"), v("1A2gviii")),
            (d("0"), d("2"), d("6"))
        );
        assert_eq!(a.keys[&key(2023, "1A2b", "Hard Coal")].value, d("102"));
    }

    #[test]
    fn a_reclassification_kept_as_reported_changes_nothing() {
        let body = SPLICE.replace(
            "basis = \"shares\"\nshares_of = [2021, 2022]\n",
            "basis = \"reported\"\n",
        );
        let s = splices(&body).unwrap();
        assert_eq!(s[0].basis, Basis::Reported);
        let mut a = autoproducers(false);
        let before = a.keys.clone();
        let out = apply(&mut a, &s, fuels(), Path::new("inventory.toml")).unwrap();
        assert!(out.moved.is_empty());
        assert_eq!(a.keys.len(), before.len());
        assert!(
            a.keys
                .iter()
                .all(|(k, t)| before[k].value == t.value && t.spliced.is_empty())
        );
    }

    #[test]
    fn shares_are_never_guessed() {
        // No activity of the rows in the basis years.
        let s = splices(
            &SPLICE
                .replace("shares_of = [2021, 2022]", "shares_of = [2023]")
                .replace("years = [2021, 2022, 2023]", "years = [2022]"),
        )
        .unwrap();
        let mut a = acc(
            &[
                (2022, "1A1a", "Hard Coal", "5"),
                (2023, "1A1a", "Natural gas", "1"),
            ],
            false,
        );
        let e = apply(&mut a, &s, fuels(), Path::new("inventory.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("inventory.toml, line 4: [[splice]] entry 1: Hard Coal: the rows have no activity in 2023 to take shares from"), "{e}");
        // No activity of the rows at all: a misnamed row or fuel.
        let mut a = acc(&[(2022, "1A4bi", "Hard Coal", "5")], false);
        let e = apply(&mut a, &s, fuels(), Path::new("inventory.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no activity of 1A1a, 1A2b, 1A2gviii (Hard Coal) in any year"),
            "{e}"
        );
    }

    #[test]
    fn declarations_are_checked_at_their_line() {
        let e = |body: &str| splices(body).unwrap_err();
        let at = |body: &str, what: &str| {
            let m = e(body);
            assert!(
                m.contains("line 4: [[splice]] entry 1: ") && m.contains(what),
                "{m}"
            );
        };
        at(
            &SPLICE.replace("fuels = \"Hard Coal\"", "fuels = \"Hard Cole\""),
            "fuels: 'Hard Cole' is not a fuel of airinv's fuel table nor of [fuels]; did you mean 'Hard Coal'",
        );
        at(
            &SPLICE.replace("fuels = \"Hard Coal\"", "fuel_groups = \"coal\""),
            "fuel_groups: 'coal' is none of liquid, solid, gaseous, biomass, other",
        );
        at(
            &SPLICE.replace("[\"1A2gviii\", \"1A1a\", \"1A2b\"]", "\"1A1a\""),
            "nfr needs two rows or more",
        );
        at(
            &SPLICE.replace("basis = \"shares\"", "basis = \"plants\""),
            "basis = \"plants\" (the plants' shares from a plant register) is not available yet",
        );
        at(
            &SPLICE.replace("basis = \"shares\"", "basis = \"guess\""),
            "basis 'guess' is none of shares, reported",
        );
        at(
            &SPLICE.replace("shares_of = [2021, 2022]\n", ""),
            "basis = \"shares\" needs shares_of",
        );
        at(
            &SPLICE.replace("years = [2021, 2022, 2023]", "years = [2024]"),
            "years: 2024 is not one of the inventory's years (2021-2023)",
        );
        at(
            &SPLICE.replace(
                "reason = \"autoproducers classed as main-activity plants in 2023\"\n",
                "",
            ),
            "reason is required",
        );
        // Two declarations of one row, fuel and year.
        let m = e(&format!(
            "{SPLICE}\n{}",
            SPLICE.replace("fuels = \"Hard Coal\"", "fuel_groups = \"solid\"")
        ));
        assert!(m.contains("line 12: [[splice]] entry 2: 1A1a, 1A2b, 1A2gviii (solid fuels) in 2021-2023 is declared by [[splice]] entry 1 already"), "{m}");
        // A misspelt setting, named with its line when the file is read.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("inventory.toml"),
            format!("{HEAD}{SPLICE}share_of = [2021]\n"),
        )
        .unwrap();
        let m = Inventory::load(dir.path()).unwrap_err().to_string();
        assert!(
            m.contains("line 11") && m.contains("'share_of' is not a setting"),
            "{m}"
        );
    }
}
