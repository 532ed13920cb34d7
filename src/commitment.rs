//! Protocol commitments: which pollutants each protocol of the Air
//! Convention covers, against which base year, and by how much a Party has
//! committed to reduce them.
//!
//! - Gothenburg Protocol as amended in 2012: SO2 (SOx), NOx, NH3, VOC (NMVOC)
//!   and PM2.5, reduction commitments for 2020 and beyond as % of the Party's
//!   2005 level (`src/data/gothenburg-2020-commitments.csv`, verified values
//!   with their sources; others are unknown, never guessed).
//! - Heavy Metals Protocol: Pb, Cd, Hg below the level of 1990, or of an
//!   alternative year from 1985 to 1995 that the Party specified on ratification.
//! - POPs Protocol: PAHs (the four indicator compounds, Total 1-4), PCDD/F and
//!   HCB, likewise below the reference year level.
//!
//! A compiler may give a scenario (`--commitments FILE`): "what if we
//! committed to −X % SO2".

use crate::error::{Error, Location, Result};
use crate::number::parse_decimal;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::path::Path;

/// A protocol of the Air Convention (in JSON, its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Protocol {
    Gothenburg,
    HeavyMetals,
    Pops,
}

impl Protocol {
    pub fn name(self) -> &'static str {
        match self {
            Protocol::Gothenburg => "Gothenburg (2012)",
            Protocol::HeavyMetals => "Heavy Metals",
            Protocol::Pops => "POPs",
        }
    }

    /// The default base year.
    pub fn default_base(self) -> i32 {
        match self {
            Protocol::Gothenburg => 2005,
            Protocol::HeavyMetals | Protocol::Pops => 1990,
        }
    }
}

impl serde::Serialize for Protocol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The protocol pollutants, in reporting order, with their protocol.
pub const PROTOCOL_POLLUTANTS: [(Pollutant, Protocol); 11] = [
    (Pollutant::SOx, Protocol::Gothenburg),
    (Pollutant::NOx, Protocol::Gothenburg),
    (Pollutant::NH3, Protocol::Gothenburg),
    (Pollutant::NMVOC, Protocol::Gothenburg),
    (Pollutant::PM25, Protocol::Gothenburg),
    (Pollutant::Pb, Protocol::HeavyMetals),
    (Pollutant::Cd, Protocol::HeavyMetals),
    (Pollutant::Hg, Protocol::HeavyMetals),
    (Pollutant::PAH14, Protocol::Pops),
    (Pollutant::PCDDF, Protocol::Pops),
    (Pollutant::HCB, Protocol::Pops),
];

/// The protocol a pollutant's commitment falls under, if any.
pub fn protocol_of(p: Pollutant) -> Option<Protocol> {
    PROTOCOL_POLLUTANTS
        .iter()
        .find(|(q, _)| *q == p)
        .map(|(_, pr)| *pr)
}

/// Whose commitment it is: the Party's (verified, embedded), a file the
/// user gave, or the Protocol's own rule (Heavy Metals, POPs: below the
/// base-year level). In JSON, in words (`Party EU`, `file what-if.csv`,
/// `Protocol`); the chart names it in each panel's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommitmentOf {
    Party(String),
    File(String),
    Protocol,
}

impl CommitmentOf {
    pub fn label(&self) -> String {
        match self {
            CommitmentOf::Party(p) => format!("Party {p}"),
            CommitmentOf::File(f) => format!("file {f}"),
            CommitmentOf::Protocol => "Protocol".to_string(),
        }
    }
}

impl serde::Serialize for CommitmentOf {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.label())
    }
}

/// What a Party committed to for a pollutant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Commitment {
    #[serde(skip)]
    pub pollutant: Pollutant,
    /// The base year the reduction applies to (a what-if when the Protocol
    /// sets another: see [`protocol_base`]).
    pub base_year: i32,
    /// Reduction from the base-year level, in %; `None` for "below the
    /// base-year level" (Heavy Metals and POPs Protocols).
    #[serde(serialize_with = "crate::number::exact_opt")]
    pub reduction_pct: Option<Decimal>,
    /// Where the figure comes from.
    pub source: String,
    /// Whose it is.
    pub of: CommitmentOf,
}

impl Commitment {
    /// The highest emission that meets the commitment, for a base-year emission.
    pub fn ceiling(&self, base: Decimal) -> Decimal {
        match self.reduction_pct {
            // Divided first only where multiplying first would overflow (a
            // base near the largest decimal, read from an Annex I file).
            Some(r) => base
                .checked_mul(Decimal::ONE_HUNDRED - r)
                .map(|x| x / Decimal::ONE_HUNDRED)
                .unwrap_or_else(|| base / Decimal::ONE_HUNDRED * (Decimal::ONE_HUNDRED - r)),
            None => base,
        }
    }

    pub fn describe(&self) -> String {
        match self.reduction_pct {
            Some(r) => format!(
                "-{} % of {}",
                crate::number::format_decimal(r),
                self.base_year
            ),
            None => format!("below {} level", self.base_year),
        }
    }
}

/// The verified Gothenburg 2020 commitments of a Party (ISO2, or `EU`).
pub fn gothenburg(party: &str) -> Vec<Commitment> {
    let party = party.trim().to_ascii_uppercase();
    let mut reader = crate::data::reader(include_str!("data/gothenburg-2020-commitments.csv"));
    reader
        .records()
        .map(|r| r.expect("embedded gothenburg-2020-commitments.csv"))
        .filter(|r| r[0] == *party)
        .map(|r| Commitment {
            pollutant: Pollutant::parse(&r[2]).expect("pollutant id in commitments"),
            base_year: r[3].parse().expect("base year"),
            reduction_pct: Some(Decimal::from_str_exact(&r[4]).expect("reduction")),
            source: r[5].to_string(),
            of: CommitmentOf::Party(party.clone()),
        })
        .collect()
}

/// The name of a Party in the commitments data.
pub fn party_name(party: &str) -> Option<String> {
    let party = party.trim().to_ascii_uppercase();
    let mut reader = crate::data::reader(include_str!("data/gothenburg-2020-commitments.csv"));
    reader
        .records()
        .map(|r| r.expect("embedded gothenburg-2020-commitments.csv"))
        .find(|r| r[0] == *party)
        .map(|r| r[1].to_string())
}

/// The base year a Protocol itself sets for a Party that chose `year`:
/// Gothenburg 2005; Heavy Metals and POPs the year the Party specifies on
/// ratification, from 1985 to 1995, else 1990. A base year other than this
/// is a what-if (a Party that has no inventory of those years may still
/// ask where it stands against a year it has).
pub fn protocol_base(protocol: Protocol, year: i32) -> i32 {
    match protocol {
        Protocol::Gothenburg => 2005,
        Protocol::HeavyMetals | Protocol::Pops if (1985..=1995).contains(&year) => year,
        Protocol::HeavyMetals | Protocol::Pops => 1990,
    }
}

/// A base year that is not the Protocol's own, said beside it.
pub fn what_if_label(protocol: Protocol, year: i32) -> Option<String> {
    let own = protocol_base(protocol, year);
    (own != year).then(|| {
        format!(
            "what-if (the Protocol's base year: {})",
            match protocol {
                Protocol::Gothenburg => "2005",
                _ => "1990, or a year from 1985 to 1995 the Party chooses",
            }
        )
    })
}

/// Reads a scenario of commitments: a CSV with `pollutant,reduction_pct`
/// and optionally `base_year,source` (a TOML with `[[commitment]]` tables
/// of the same keys works too). An empty reduction means "below the base
/// year level".
pub fn read_file(path: &Path) -> Result<Vec<Commitment>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let is_toml = path.extension().and_then(|e| e.to_str()) == Some("toml");
    let mut out = Vec::new();
    let mut push = |at: Location,
                    pollutant: &str,
                    reduction: &str,
                    base: &str,
                    source: &str|
     -> Result<()> {
        let p = Pollutant::parse(pollutant).ok_or_else(|| {
            Error::input(
                at.clone(),
                format!(
                    "'{pollutant}' is not a pollutant; the ids are {}",
                    Pollutant::id_list()
                ),
            )
        })?;
        let protocol = protocol_of(p).ok_or_else(|| {
            Error::input(
                at.clone(),
                format!("{p} is not covered by a protocol commitment (Gothenburg: SOx NOx NH3 NMVOC PM2.5; Heavy Metals: Pb Cd Hg; POPs: PAH1-4 PCDD/F HCB)"),
            )
        })?;
        let base_year = if base.trim().is_empty() {
            protocol.default_base()
        } else {
            crate::number::parse_year(base).map_err(|e| Error::input(at.clone(), e))?
        };
        let reduction_pct = if reduction.trim().is_empty() {
            None
        } else {
            let r = parse_decimal(reduction.trim_end_matches('%'))
                .map_err(|e| Error::input(at.clone(), e.to_string()))?;
            if r < Decimal::ZERO || r > Decimal::ONE_HUNDRED {
                return Err(Error::input(
                    at,
                    format!("a reduction of {r} % is not between 0 and 100"),
                ));
            }
            Some(r)
        };
        out.push(Commitment {
            pollutant: p,
            base_year,
            reduction_pct,
            source: if source.is_empty() {
                format!("scenario {}", path.display())
            } else {
                source.to_string()
            },
            of: CommitmentOf::File(
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string()),
            ),
        });
        Ok(())
    };
    if is_toml {
        /// A scenario of commitments in TOML: `[[commitment]]` tables.
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            commitment: Vec<toml::Spanned<Entry>>,
        }
        #[derive(serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Entry {
            pollutant: String,
            reduction_pct: Option<crate::config::Scalar>,
            base_year: Option<crate::config::Scalar>,
            #[serde(default)]
            source: String,
        }
        let file: File = crate::config::parse(&text, path)?;
        let scalar = |v: &Option<crate::config::Scalar>| -> String {
            match v {
                Some(crate::config::Scalar::Text(t)) => t.clone(),
                Some(other) => other
                    .decimal()
                    .map(crate::number::format_decimal)
                    .unwrap_or_default(),
                None => String::new(),
            }
        };
        for entry in &file.commitment {
            let at =
                Location::file(path).with_line(crate::config::line_of(&text, entry.span().start));
            let e = entry.get_ref();
            push(
                at,
                &e.pollutant,
                &scalar(&e.reduction_pct),
                &scalar(&e.base_year),
                &e.source,
            )?;
        }
    } else {
        let sheet = crate::sheet::read(path, None)?;
        let mut rows = sheet
            .rows
            .iter()
            .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()));
        let header = rows.next().ok_or_else(|| Error::file(path, "is empty"))?;
        let names: Vec<String> = header
            .cells
            .iter()
            .map(|c| c.trim().to_ascii_lowercase())
            .collect();
        let col = |n: &str| names.iter().position(|c| c == n);
        let (Some(pc), Some(rc)) = (col("pollutant"), col("reduction_pct")) else {
            return Err(Error::input(
                Location::file(path).with_row(header.number),
                "a commitments file needs the columns pollutant,reduction_pct (and optionally base_year,source)",
            ));
        };
        for r in rows {
            let get = |i: Option<usize>| {
                i.and_then(|i| r.cells.get(i))
                    .map(|s| s.trim().to_string())
                    .unwrap_or_default()
            };
            push(
                Location::file(path).with_row(r.number),
                &get(Some(pc)),
                &get(Some(rc)),
                &get(col("base_year")),
                &get(col("source")),
            )?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_commitments_are_embedded_with_sources() {
        let be = gothenburg("be");
        let so2 = be.iter().find(|c| c.pollutant == Pollutant::SOx).unwrap();
        assert_eq!(so2.reduction_pct, Some(Decimal::from(43)));
        assert_eq!(so2.base_year, 2005);
        assert!(so2.source.contains("2016/2284"));
        // Not verified: unknown, not guessed.
        assert!(be.iter().all(|c| c.pollutant != Pollutant::NH3));
        assert!(gothenburg("KZ").is_empty());
        assert_eq!(party_name("NO").as_deref(), Some("Norway"));
    }

    #[test]
    fn ceilings() {
        let c = Commitment {
            pollutant: Pollutant::SOx,
            base_year: 2005,
            reduction_pct: Some(Decimal::from(43)),
            source: String::new(),
            of: CommitmentOf::Protocol,
        };
        assert_eq!(c.ceiling(Decimal::from(200)), Decimal::from(114));
        assert_eq!(protocol_base(Protocol::HeavyMetals, 1984), 1990);
        assert_eq!(protocol_base(Protocol::Pops, 1995), 1995);
        assert_eq!(protocol_base(Protocol::Gothenburg, 2021), 2005);
        assert!(what_if_label(Protocol::Pops, 1995).is_none());
        assert_eq!(
            what_if_label(Protocol::Gothenburg, 2021).as_deref(),
            Some("what-if (the Protocol's base year: 2005)")
        );
    }
}
