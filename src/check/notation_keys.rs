//! Notation keys: only the six keys, each used where it means something.
//!
//! - `notation-key.invalid` (error): a cell whose text is neither a number
//!   nor one of NO, NE, NA, IE, C, NR (`N/A`, `n.e.`, `-`, `1,5`), with the
//!   key or number it probably means.
//! - `notation-key.nr` (warning): NR says reporting is not required, which
//!   holds for PM2.5, PM10, TSP and BC before 2000 and for the additional
//!   heavy metals (As, Cr, Cu, Ni, Se, Zn, voluntary); elsewhere in the
//!   sector rows the pollutant is required. Memo items are not tested.
//! - IE must say where the emission is included. An inventory folder says it
//!   with `included_in` in `[[notation_keys]]`: `notation-key.ie-target`
//!   (warning) when the row it points to has no number for the pollutant. A
//!   workbook or CSV table has no such pointer: `notation-key.ie-unexplained`
//!   (info, one per row and pollutant over the years) says so, without
//!   guessing where.
//! - `notation-key.ne-tier1` (info): NE in a sector row for which the
//!   Guidebook 2023 gives a Tier 1 factor for the pollutant (for 1A rows with
//!   fuel activity, a factor of a fuel group the row burns) is a candidate
//!   for estimation. One finding per row and pollutant over the years.

use super::implied_factors::Tier1;
use super::{Finding, Kind, Severity, Submission, YearView, year_ranges};
use crate::fuel::FuelGroup;
use crate::nfr::{self, Row, RowKind};
use crate::notation_key::{Cell, NotationKey};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

pub fn check(years: &[YearView], submission: &Submission, tier1: &Tier1, out: &mut Vec<Finding>) {
    invalid(years, submission, out);
    not_relevant(years, out);
    if submission.kind == Kind::Inventory {
        ie_targets(years, submission, out);
    } else {
        ie_unexplained(years, submission.kind, out);
    }
    ne_with_tier1(years, tier1, out);
}

/// The pollutants whose reporting is voluntary (the template's
/// "Additional Heavy Metals (from 1990, voluntary reporting)").
pub const VOLUNTARY: [Pollutant; 6] = [
    Pollutant::As,
    Pollutant::Cr,
    Pollutant::Cu,
    Pollutant::Ni,
    Pollutant::Se,
    Pollutant::Zn,
];

/// What a text that is not a key probably means, for messages.
pub fn suggestion(text: &str) -> Option<String> {
    let letters: String = text
        .chars()
        .filter(|c| c.is_ascii_alphabetic())
        .collect::<String>()
        .to_ascii_uppercase();
    if !letters.is_empty()
        && letters.len() == text.chars().filter(|c| !c.is_whitespace()).count() - punctuation(text)
        && let Some(k) = NotationKey::parse(&letters)
    {
        return Some(format!("did you mean {k}?"));
    }
    let t = text.trim();
    if t.contains(',') && !t.contains('.') {
        let dotted = t.replace(',', ".");
        if crate::number::parse_decimal(&dotted).is_ok() {
            return Some(format!(
                "if it is the number {dotted}, write it with a decimal point"
            ));
        }
    }
    None
}

fn punctuation(text: &str) -> usize {
    text.chars()
        .filter(|c| matches!(c, '.' | '/' | '-' | '_' | '\''))
        .count()
}

fn invalid(years: &[YearView], submission: &Submission, out: &mut Vec<Finding>) {
    for u in &submission.unreadable {
        let Some(row) = nfr::by_number(u.row) else {
            continue;
        };
        let hint = suggestion(&u.text)
            .map(|s| format!("; {s}"))
            .unwrap_or_default();
        // An Excel error (`#VALUE!`) is a formula that cannot be computed,
        // not a key typed wrong.
        let (check, message) = if u.problem.starts_with("shows the Excel error") {
            (
                "format.cell-error",
                format!(
                    "{} {}{} ({}) {}",
                    row.code, u.column, u.row, u.at, u.problem
                ),
            )
        } else {
            (
                "notation-key.invalid",
                format!(
                    "'{}' in {}{} ({}) is neither a number nor a notation key; a cell holds a number or one of NO, NE, NA, IE, C, NR{hint}",
                    u.text, u.column, u.row, u.at
                ),
            )
        };
        let mut f = match years.iter().find(|y| y.year() == u.year) {
            Some(y) => Finding::at(Severity::Error, check, y, row, &u.column, message),
            None => Finding::new(Severity::Error, check, message),
        };
        if let Some(p) = Pollutant::ALL.iter().find(|p| p.column() == u.column) {
            f = f.with_pollutant(*p);
        }
        out.push(f);
    }
}

fn not_relevant(years: &[YearView], out: &mut Vec<Finding>) {
    for y in years {
        for row in nfr::sector_rows() {
            for p in Pollutant::ALL {
                if y.cell(row, p) != Cell::Key(NotationKey::NR) || VOLUNTARY.contains(&p) {
                    continue;
                }
                let pm = super::completeness::PM.contains(&p);
                if pm && y.year() < super::completeness::PM_FROM {
                    continue;
                }
                let cell = format!("{}{}", p.column(), row.number);
                let message = if pm {
                    format!(
                        "{} {p} ({cell}) is NR (reporting not required), but {p} must be reported from {}; report the emission or the key that applies (NE, NA, NO, IE)",
                        row.code,
                        super::completeness::PM_FROM
                    )
                } else {
                    format!(
                        "{} {p} ({cell}) is NR (reporting not required), but {p} is a pollutant every Party reports; report the emission or the key that applies (NE, NA, NO, IE)",
                        row.code
                    )
                };
                out.push(
                    Finding::at(
                        Severity::Warning,
                        "notation-key.nr",
                        y,
                        row,
                        p.column(),
                        message,
                    )
                    .with_pollutant(p),
                );
            }
        }
    }
}

fn ie_targets(years: &[YearView], submission: &Submission, out: &mut Vec<Finding>) {
    for y in years {
        for row in nfr::sector_rows() {
            for p in Pollutant::ALL {
                if y.cell(row, p) != Cell::Key(NotationKey::IE) {
                    continue;
                }
                let cell = format!("{}{}", p.column(), row.number);
                let pointer = submission.key_overrides.iter().find(|o| {
                    o.key == NotationKey::IE
                        && nfr::find(&o.code).is_some_and(|r| r.number == row.number)
                        && (o.pollutants.is_empty() || o.pollutants.contains(&p))
                        && (o.years.is_empty() || o.years.contains(&y.year()))
                });
                let Some(target) = pointer.and_then(|o| nfr::find(&o.included_in)) else {
                    out.push(
                        Finding::at(
                            Severity::Warning,
                            "notation-key.ie-target",
                            y,
                            row,
                            p.column(),
                            format!(
                                "{} {p} ({cell}) is IE but inventory.toml does not say where it is included; add a [[notation_keys]] entry with included_in",
                                row.code
                            ),
                        )
                        .with_pollutant(p),
                    );
                    continue;
                };
                let there = y.cell(target, p);
                if there.number().is_some() {
                    continue;
                }
                let what = match there {
                    Cell::Empty => "empty".to_string(),
                    other => other.to_string(),
                };
                out.push(
                    Finding::at(
                        Severity::Warning,
                        "notation-key.ie-target",
                        y,
                        row,
                        p.column(),
                        format!(
                            "{} {p} ({cell}) is IE, included in {} by inventory.toml, but {} {p} ({}{}) is {what}: the emission is not there; estimate it in {} or change the key of {}",
                            row.code,
                            target.code,
                            target.code,
                            p.column(),
                            target.number,
                            target.code,
                            row.code
                        ),
                    )
                    .with_pollutant(p),
                );
            }
        }
    }
}

/// Years of a (row, pollutant), with the view of the last.
struct Occurrences<'v, 'a> {
    years: Vec<i32>,
    last: &'v YearView<'a>,
    notes: BTreeSet<String>,
}

fn ie_unexplained(years: &[YearView], kind: Kind, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<(u32, Pollutant), Occurrences> = BTreeMap::new();
    for y in years {
        for row in nfr::sector_rows() {
            for p in Pollutant::ALL {
                if y.cell(row, p) == Cell::Key(NotationKey::IE) {
                    let o = seen.entry((row.number, p)).or_insert(Occurrences {
                        years: Vec::new(),
                        last: y,
                        notes: BTreeSet::new(),
                    });
                    o.years.push(y.year());
                    o.last = y;
                }
            }
        }
    }
    let source = match kind {
        Kind::Workbook => "a workbook",
        _ => "an annex1_<YEAR>.csv table",
    };
    for ((number, p), o) in seen {
        let Some(row) = nfr::by_number(number) else {
            continue;
        };
        out.push(
            Finding::at(
                Severity::Info,
                "notation-key.ie-unexplained",
                o.last,
                row,
                p.column(),
                format!(
                    "{} {p} ({}{}) is IE in {}: {source} cannot say where the emission is included, so airinv cannot check it; say it in the IIR, as CEIP asks (an inventory folder says it with included_in)",
                    row.code,
                    p.column(),
                    row.number,
                    year_ranges(&o.years)
                ),
            )
            .with_pollutant(p),
        );
    }
}

/// The fuel groups a 1A row burns in a year (AF-AJ above zero), or `None`
/// when the row is not fuel combustion or reports no fuel.
fn burnt_groups(y: &YearView, row: &Row) -> Option<Vec<FuelGroup>> {
    if !row.code.starts_with("1A") {
        return None;
    }
    let cells = y.table.rows.get(&row.number)?;
    let groups: Vec<FuelGroup> = FuelGroup::ALL
        .iter()
        .copied()
        .filter(|g| {
            cells.fuels[g.index()]
                .number()
                .is_some_and(|v| v > Decimal::ZERO)
        })
        .collect();
    (!groups.is_empty()).then_some(groups)
}

fn ne_with_tier1(years: &[YearView], tier1: &Tier1, out: &mut Vec<Finding>) {
    let mut seen: BTreeMap<(u32, Pollutant), Occurrences> = BTreeMap::new();
    for y in years {
        for row in nfr::rows().iter().filter(|r| r.kind == RowKind::Sector) {
            let groups = burnt_groups(y, row);
            for p in Pollutant::ALL {
                if p == Pollutant::PAH14 || y.cell(row, p) != Cell::Key(NotationKey::NE) {
                    continue;
                }
                let factors = tier1.factors(&row.code, p, groups.as_deref());
                if factors.is_empty() {
                    continue;
                }
                let o = seen.entry((row.number, p)).or_insert(Occurrences {
                    years: Vec::new(),
                    last: y,
                    notes: BTreeSet::new(),
                });
                o.years.push(y.year());
                o.last = y;
                for f in factors {
                    let what = [&f.fuel, &f.pins.technology]
                        .into_iter()
                        .flatten()
                        .map(|s| s.as_str())
                        .filter(|s| !crate::fuel::is_none(s))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let table = crate::pins::text(&f.pins.table);
                    let table = if what.is_empty() {
                        table.to_string()
                    } else {
                        format!("{table} {what}")
                    };
                    o.notes
                        // Six significant digits: factors derived at import
                        // (per t of LTO fuel) carry 28.
                        .insert(format!(
                            "{table}: {} {}",
                            crate::number::show(f.value, 6),
                            f.unit_text
                        ));
                }
            }
        }
    }
    for ((number, p), o) in seen {
        let Some(row) = nfr::by_number(number) else {
            continue;
        };
        let shown: Vec<String> = o.notes.iter().take(3).cloned().collect();
        let more = if o.notes.len() > 3 {
            format!(" and {} more", o.notes.len() - 3)
        } else {
            String::new()
        };
        out.push(
            Finding::at(
                Severity::Info,
                "notation-key.ne-tier1",
                o.last,
                row,
                p.column(),
                format!(
                    "{} {p} ({}{}) is NE in {}, but the Guidebook 2023 gives Tier 1 factors for it ({}{more}): a candidate for estimation (`airinv factors {} --pollutant {p}`)",
                    row.code,
                    p.column(),
                    row.number,
                    year_ranges(&o.years),
                    shown.join("; "),
                    row.code
                ),
            )
            .with_pollutant(p),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::super::Submission;
    use super::*;
    use crate::annex1::{Annex1Year, Header};
    use crate::inventory::KeyOverride;
    use std::sync::LazyLock;

    static TIER1: LazyLock<Tier1> = LazyLock::new(|| Tier1::embedded().unwrap());

    fn table(year: i32) -> Annex1Year {
        Annex1Year::empty(Header {
            year,
            ..Header::default()
        })
    }

    fn run(s: &Submission) -> Vec<Finding> {
        let views: Vec<YearView> = s.years.iter().map(|y| s.view(y, &y.table)).collect();
        let mut out = Vec::new();
        check(&views, s, &TIER1, &mut out);
        out
    }

    fn key(k: NotationKey) -> Cell {
        Cell::Key(k)
    }

    #[test]
    fn nr_is_for_pm_before_2000_and_the_voluntary_metals() {
        let mut t = table(1995);
        t.row_mut("1A1a")
            .unwrap()
            .set(Pollutant::PM25, key(NotationKey::NR));
        t.row_mut("1A1a")
            .unwrap()
            .set(Pollutant::As, key(NotationKey::NR));
        let mut u = t.clone();
        u.header.year = 2005;
        u.row_mut("1A1a")
            .unwrap()
            .set(Pollutant::NOx, key(NotationKey::NR));
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t, u]);
        let findings = run(&s);
        let f: Vec<(Option<i32>, Option<&str>)> = findings
            .iter()
            .filter(|f| f.check == "notation-key.nr")
            .map(|f| (f.year, f.cell.as_deref()))
            .collect();
        assert_eq!(f, [(Some(2005), Some("E14")), (Some(2005), Some("I14"))]);
    }

    #[test]
    fn ne_is_a_candidate_only_where_a_tier1_factor_fits_the_fuels_burnt() {
        // 1A1a burning gas only: the Guidebook's gas table has no NH3 factor.
        let mut t = table(2022);
        let r = t.row_mut("1A1a").unwrap();
        r.set(Pollutant::NH3, key(NotationKey::NE));
        r.fuels[crate::fuel::FuelGroup::Gaseous.index()] = Cell::Number(1000.into());
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t.clone()]);
        assert!(run(&s).iter().all(|f| f.check != "notation-key.ne-tier1"));
        // With biomass burnt too, the biogas factor (Table 3-9) is a candidate.
        t.row_mut("1A1a").unwrap().fuels[crate::fuel::FuelGroup::Biomass.index()] =
            Cell::Number(10.into());
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t]);
        let f = run(&s);
        let ne: Vec<&Finding> = f
            .iter()
            .filter(|f| f.check == "notation-key.ne-tier1")
            .collect();
        assert_eq!(ne.len(), 1);
        assert_eq!(ne[0].cell.as_deref(), Some("H14"));
        assert!(
            ne[0].message.contains("Table_3-9 Biogas: 0.23 g/GJ"),
            "{}",
            ne[0].message
        );
    }

    #[test]
    fn a_derived_factor_is_quoted_in_six_significant_digits() {
        // 1A3ai(i) jet kerosene NOx per t of LTO fuel, derived at import from
        // the per-aircraft table (15.41680877… kg/t).
        let mut t = table(2022);
        let r = t.row_mut("1A3ai(i)").unwrap();
        r.set(Pollutant::NOx, key(NotationKey::NE));
        r.fuels[crate::fuel::FuelGroup::Liquid.index()] = Cell::Number(1000.into());
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t]);
        let f = run(&s);
        let ne = f
            .iter()
            .find(|f| f.check == "notation-key.ne-tier1")
            .expect("a candidate");
        assert!(
            ne.message.contains("Jet kerosene: 15.4168 kg/tonne fuel"),
            "{}",
            ne.message
        );
    }

    #[test]
    fn ie_must_point_at_an_estimate() {
        let mut t = table(2022);
        t.row_mut("1A5a")
            .unwrap()
            .set(Pollutant::NOx, key(NotationKey::IE));
        t.row_mut("1A5a")
            .unwrap()
            .set(Pollutant::SOx, key(NotationKey::IE));
        t.row_mut("1A4ai")
            .unwrap()
            .set(Pollutant::NOx, Cell::Number(2.into()));
        t.row_mut("1A4ai")
            .unwrap()
            .set(Pollutant::SOx, key(NotationKey::NE));
        let mut s = Submission::from_tables(Kind::Inventory, vec![t.clone()]);
        s.key_overrides = vec![KeyOverride {
            code: "1A5a".into(),
            pollutants: vec![],
            years: vec![],
            key: NotationKey::IE,
            included_in: "1A4ai".into(),
            note: String::new(),
        }];
        let f = run(&s);
        let ie: Vec<&Finding> = f
            .iter()
            .filter(|f| f.check == "notation-key.ie-target")
            .collect();
        assert_eq!(ie.len(), 1, "{f:?}");
        assert_eq!(ie[0].cell.as_deref(), Some("G46"));
        assert!(
            ie[0].message.contains("but 1A4ai SOx (G39) is NE"),
            "{}",
            ie[0].message
        );
        // A table cannot say where: one info per row and pollutant.
        let s = Submission::from_tables(Kind::AnnexCsv, vec![t]);
        let f = run(&s);
        let ie: Vec<&str> = f
            .iter()
            .filter(|f| f.check == "notation-key.ie-unexplained")
            .filter_map(|f| f.cell.as_deref())
            .collect();
        assert_eq!(ie, ["E46", "G46"]);
    }

    #[test]
    fn texts_that_are_not_keys_get_a_suggestion() {
        assert_eq!(suggestion("N/A").as_deref(), Some("did you mean NA?"));
        assert_eq!(suggestion("n.e.").as_deref(), Some("did you mean NE?"));
        assert_eq!(
            suggestion("1,5").as_deref(),
            Some("if it is the number 1.5, write it with a decimal point")
        );
        assert_eq!(suggestion("-"), None);
        assert_eq!(suggestion("none"), None);
        assert_eq!(suggestion("NE x"), None);
    }
}
