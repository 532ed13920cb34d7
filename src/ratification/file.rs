//! The options file (TOML), read in two stages: serde structs that refuse
//! unknown keys, then a check that names the line of every value refused.
//!
//! ```toml
//! scenario = "scenarios/wam.toml"   # the scenario every option projects with (relative to this file)
//! years = [2030, 2040]              # the years requirements apply in (projection years of the scenario)
//!
//! [[option]]
//! name = "Gothenburg, EU 2020 % on 2021"
//! protocols = ["Gothenburg"]        # Gothenburg, HeavyMetals, POPs
//! party = "EU"                      # the verified 2020 percentages of a Party (embedded)
//! commitments = { SOx = 59 }        # % reduction from base_year, by pollutant (over the Party's)
//! ceilings = { NOx = 400 }          # or ceilings, in the template unit (kt)
//! base_year = 2021                  # a what-if where the Protocol sets another (2005; 1990)
//! years = [2030]                    # optional: the file's years
//! scenario = "scenarios/wm.toml"    # optional: the file's scenario
//! limits = "protocols-1999"         # limit values for the base's plants: a shipped set or a file ...
//! ratification_year = 2027          # ... from this year
//! source = "..."                    # where the numbers come from
//! ```

use crate::commitment::{PROTOCOL_POLLUTANTS, Protocol};
use crate::config::{Scalar, line_of};
use crate::error::{Error, Location, Result};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: Option<Spanned<String>>,
    years: Option<Vec<i64>>,
    #[serde(default)]
    option: Vec<Spanned<RawOption>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    name: String,
    protocols: Vec<String>,
    party: Option<String>,
    #[serde(default)]
    commitments: BTreeMap<String, Scalar>,
    #[serde(default)]
    ceilings: BTreeMap<String, Scalar>,
    base_year: Option<i64>,
    years: Option<Vec<i64>>,
    scenario: Option<String>,
    limits: Option<String>,
    ratification_year: Option<i64>,
    source: Option<String>,
}

/// What an option requires of a pollutant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// A reduction from the option's base year, in % (0: below its level).
    Reduction(Decimal),
    /// A ceiling in the template unit.
    Ceiling(Decimal),
}

/// One requirement of an option.
#[derive(Debug, Clone)]
pub struct Requirement {
    pub protocol: Protocol,
    pub pollutant: Pollutant,
    pub need: Need,
    pub source: String,
}

/// Limit values for plants, applied from a ratification year to the plants
/// of the scenario base's register (`crate::scenario::limits`).
#[derive(Debug, Clone)]
pub struct Limits {
    pub set: String,
    pub ratification_year: i32,
}

/// One ratification option, checked.
#[derive(Debug, Clone)]
pub struct RatificationOption {
    pub line: u64,
    pub name: String,
    pub protocols: Vec<Protocol>,
    pub requirements: Vec<Requirement>,
    /// The base year of its reductions: the Protocols' own where not given.
    pub base_year: Option<i32>,
    pub years: Vec<i32>,
    pub scenario: PathBuf,
    pub limits: Option<Limits>,
}

/// The options file, checked.
#[derive(Debug, Clone)]
pub struct Options {
    pub path: PathBuf,
    pub options: Vec<RatificationOption>,
}

/// Reads and checks an options file.
pub fn load(path: &Path) -> Result<Options> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

/// Checks the text of an options file (relative paths from its folder).
pub fn parse(text: &str, path: &Path) -> Result<Options> {
    let raw: RawFile = crate::config::parse(text, path)?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let at = |offset: usize| Location::file(path).with_line(line_of(text, offset));
    if raw.option.is_empty() {
        return Err(Error::file(
            path,
            "no [[option]]: give at least one (name, protocols, and party, commitments or ceilings)",
        ));
    }
    let file_years = raw
        .years
        .as_deref()
        .map(|y| years(y, Location::file(path)))
        .transpose()?;
    let mut options: Vec<RatificationOption> = Vec::new();
    for o in &raw.option {
        let loc = at(o.span().start);
        let r = o.get_ref();
        let what = |m: String| Error::input(loc.clone(), format!("[[option]] {}: {m}", r.name));
        if options.iter().any(|x| x.name == r.name) {
            return Err(what("a second option with this name".into()));
        }
        let protocols = r
            .protocols
            .iter()
            .map(|p| {
                protocol(p).ok_or_else(|| {
                    what(format!(
                        "protocols: '{p}' is none of Gothenburg, HeavyMetals, POPs"
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if protocols.is_empty() {
            return Err(what(
                "protocols is empty: Gothenburg, HeavyMetals or POPs".into(),
            ));
        }
        let requirements = requirements(r, &protocols).map_err(what)?;
        let base_year = r
            .base_year
            .map(|y| year(y).map_err(|e| what(format!("base_year: {e}"))))
            .transpose()?;
        let years = match (&r.years, &file_years) {
            (Some(y), _) => years(y, loc.clone())?,
            (None, Some(y)) => y.clone(),
            (None, None) => {
                return Err(what(
                    "no years: give years = [2030] here or at the top of the file".into(),
                ));
            }
        };
        let scenario = match (&r.scenario, &raw.scenario) {
            (Some(s), _) => dir.join(s),
            (None, Some(s)) => dir.join(s.get_ref()),
            (None, None) => {
                return Err(what(
                    "no scenario: give scenario = \"wm.toml\" here or at the top of the file"
                        .into(),
                ));
            }
        };
        let limits = match (&r.limits, r.ratification_year) {
            (None, None) => None,
            (Some(set), Some(y)) => {
                // A shipped set's name stays; a file is relative to this file's folder.
                let shipped = crate::limits::SHIPPED
                    .iter()
                    .any(|(n, _)| n.eq_ignore_ascii_case(set.trim()));
                let set = if shipped {
                    set.trim().to_string()
                } else {
                    dir.join(set.trim()).display().to_string()
                };
                crate::limits::LimitSet::load(&set).map_err(|e| what(format!("limits: {e}")))?;
                Some(Limits {
                    set,
                    ratification_year: year(y)
                        .map_err(|e| what(format!("ratification_year: {e}")))?,
                })
            }
            _ => return Err(what("limits and ratification_year go together: the limit-value set and the year it applies from".into())),
        };
        options.push(RatificationOption {
            line: line_of(text, o.span().start),
            name: r.name.clone(),
            protocols,
            requirements,
            base_year,
            years,
            scenario,
            limits,
        });
    }
    Ok(Options {
        path: path.to_path_buf(),
        options,
    })
}

/// A protocol by its name in the file.
fn protocol(name: &str) -> Option<Protocol> {
    let key: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    match key.as_str() {
        "gothenburg" | "gothenburg2012" => Some(Protocol::Gothenburg),
        "heavymetals" | "hm" => Some(Protocol::HeavyMetals),
        "pops" => Some(Protocol::Pops),
        _ => None,
    }
}

fn year(y: i64) -> std::result::Result<i32, String> {
    if (1980..=2100).contains(&y) {
        Ok(y as i32)
    } else {
        Err(format!("{y} is not a year from 1980 to 2100"))
    }
}

fn years(ys: &[i64], at: Location) -> Result<Vec<i32>> {
    let mut out = ys
        .iter()
        .map(|y| year(*y).map_err(|e| Error::input(at.clone(), format!("years: {e}"))))
        .collect::<Result<Vec<_>>>()?;
    out.sort_unstable();
    out.dedup();
    if out.is_empty() {
        return Err(Error::input(
            at,
            "years is empty: give the years requirements apply in",
        ));
    }
    Ok(out)
}

/// A pollutant and a number of `commitments` or `ceilings`.
fn entry(
    key: &str,
    value: &Scalar,
    protocols: &[Protocol],
    table: &str,
) -> std::result::Result<(Protocol, Pollutant, Decimal), String> {
    let p = Pollutant::parse(key).ok_or_else(|| {
        format!(
            "{table}: '{key}' is not a pollutant ({})",
            Pollutant::id_list()
        )
    })?;
    let protocol = crate::commitment::protocol_of(p)
        .filter(|pr| protocols.contains(pr))
        .ok_or_else(|| {
            format!(
                "{table}: {} is not a pollutant of the option's protocols ({})",
                p.id(),
                protocols
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    let v = value
        .decimal()
        .map_err(|e| format!("{table} {}: {e}", p.id()))?;
    if v < Decimal::ZERO {
        return Err(format!("{table} {}: must not be negative", p.id()));
    }
    Ok((protocol, p, v))
}

/// The requirements of an option: the Party's verified Gothenburg
/// percentages, the option's own commitments over them, its ceilings, and
/// for the Heavy Metals and POPs Protocols "below the base-year level"
/// for each of their pollutants not given otherwise.
fn requirements(
    r: &RawOption,
    protocols: &[Protocol],
) -> std::result::Result<Vec<Requirement>, String> {
    let mut by: BTreeMap<Pollutant, Requirement> = BTreeMap::new();
    if let Some(party) = &r.party {
        if !protocols.contains(&Protocol::Gothenburg) {
            return Err("party gives Gothenburg commitments: add Gothenburg to protocols".into());
        }
        let verified = crate::commitment::gothenburg(party);
        if verified.is_empty() {
            return Err(format!(
                "party = '{party}': no verified Gothenburg commitments are embedded for it; give commitments = {{ SOx = ... }}"
            ));
        }
        for c in verified {
            by.insert(
                c.pollutant,
                Requirement {
                    protocol: Protocol::Gothenburg,
                    pollutant: c.pollutant,
                    need: Need::Reduction(c.reduction_pct.unwrap_or_default()),
                    source: c.source,
                },
            );
        }
    }
    let own = r
        .source
        .clone()
        .unwrap_or_else(|| "the options file".to_string());
    for (k, v) in &r.commitments {
        let (protocol, p, pct) = entry(k, v, protocols, "commitments")?;
        if pct > Decimal::ONE_HUNDRED {
            return Err(format!("commitments {}: a % from 0 to 100", p.id()));
        }
        by.insert(
            p,
            Requirement {
                protocol,
                pollutant: p,
                need: Need::Reduction(pct),
                source: own.clone(),
            },
        );
    }
    for (k, v) in &r.ceilings {
        let (protocol, p, c) = entry(k, v, protocols, "ceilings")?;
        if by.get(&p).is_some_and(|q| q.source == own) {
            return Err(format!("{}: a commitment and a ceiling; give one", p.id()));
        }
        by.insert(
            p,
            Requirement {
                protocol,
                pollutant: p,
                need: Need::Ceiling(c),
                source: own.clone(),
            },
        );
    }
    for (p, protocol) in PROTOCOL_POLLUTANTS {
        if protocol != Protocol::Gothenburg && protocols.contains(&protocol) && !by.contains_key(&p)
        {
            by.insert(
                p,
                Requirement {
                    protocol,
                    pollutant: p,
                    need: Need::Reduction(Decimal::ZERO),
                    source: format!(
                        "{} Protocol (1998), Article 3: below the reference year level",
                        protocol.name()
                    ),
                },
            );
        }
    }
    if protocols.contains(&Protocol::Gothenburg)
        && !by.values().any(|q| q.protocol == Protocol::Gothenburg)
    {
        return Err("Gothenburg needs commitments: party = \"EU\" (verified, embedded), commitments = { SOx = 59 } or ceilings".into());
    }
    // In the template's order of the protocols' pollutants.
    Ok(PROTOCOL_POLLUTANTS
        .iter()
        .filter_map(|(p, _)| by.remove(p))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        parse(text, Path::new("opt/options.toml"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn an_option_takes_a_partys_percentages_and_the_protocols_rules() {
        let o = parse(
            "scenario = \"wam.toml\"\nyears = [2030]\n[[option]]\nname = \"A\"\nprotocols = [\"Gothenburg\", \"HeavyMetals\"]\nparty = \"EU\"\ncommitments = { SOx = 50 }\nbase_year = 2021\n",
            Path::new("opt/options.toml"),
        )
        .unwrap();
        let a = &o.options[0];
        assert_eq!(a.scenario, Path::new("opt/wam.toml"));
        assert_eq!(a.line, 3);
        // EU: five Gothenburg pollutants, SOx overridden; Pb, Cd, Hg below 2021.
        assert_eq!(a.requirements.len(), 8);
        assert_eq!(a.requirements[0].pollutant, Pollutant::SOx);
        assert_eq!(a.requirements[0].need, Need::Reduction(Decimal::from(50)));
        assert_eq!(a.requirements[1].need, Need::Reduction(Decimal::from(42)));
        assert_eq!(a.requirements[5].pollutant, Pollutant::Pb);
        assert_eq!(a.requirements[5].need, Need::Reduction(Decimal::ZERO));
    }

    #[test]
    fn refusals_name_the_line() {
        let head = "scenario = \"wam.toml\"\nyears = [2030]\n";
        let m = message(&format!(
            "{head}[[option]]\nname = \"A\"\nprotocols = [\"Kyoto\"]\n"
        ));
        assert!(
            m.contains("options.toml, line 3: [[option]] A: protocols: 'Kyoto'"),
            "{m}"
        );
        let m = message(&format!(
            "{head}[[option]]\nname = \"A\"\nprotocols = [\"Gothenburg\"]\n"
        ));
        assert!(
            m.contains("line 3: [[option]] A: Gothenburg needs commitments"),
            "{m}"
        );
        let m = message(&format!(
            "{head}[[option]]\nname = \"A\"\nprotocols = [\"POPs\"]\ncommitments = {{ NOx = 10 }}\n"
        ));
        assert!(
            m.contains("NOx is not a pollutant of the option's protocols (POPs)"),
            "{m}"
        );
        let m = message(&format!(
            "{head}[[option]]\nname = \"A\"\nprotocols = [\"POPs\"]\nlimits = \"LCP\"\n"
        ));
        assert!(
            m.contains("limits and ratification_year go together"),
            "{m}"
        );
        let m = message(&format!(
            "{head}[[option]]\nname = \"A\"\nprotocols = [\"POPs\"]\nceiling = 1\n"
        ));
        assert!(m.contains("line 6"), "{m}");
    }
}
