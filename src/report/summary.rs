//! The summary (national totals of the 26 pollutants) and the protocols'
//! commitments: the Gothenburg, Heavy Metals and POPs Protocols by name,
//! their pollutants and base years, whether the country is a Party
//! (`src/data/protocol-parties.csv`: only what is verified; otherwise the
//! page says it is not recorded), compare's line of each pollutant, and a
//! what-if base year (the series' first year) when the series starts after
//! the protocol's.

use super::Material;
use super::format::percent;
use super::html::{Files, Layout, Value, file_note, missing, note, section, table, table_in};
use super::i18n::{Lang, fill, text, unit};
use crate::commitment::{Commitment, Protocol};
use crate::compare::{Line, Status};
use crate::error::{Error, Result};
use crate::number::format_decimal;
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::fmt::Write as _;
use std::sync::LazyLock;

/// The groups of the totals table, slices of the template's order: main
/// pollutants and particles (NOx-CO), heavy metals (Pb-Zn), POPs
/// (PCDD/F-PCBs).
const GROUPS: [(&str, &[Pollutant]); 3] = [
    ("group_main", Pollutant::ALL.split_at(9).0),
    ("group_metals", Pollutant::ALL.split_at(18).0.split_at(9).1),
    ("group_pops", Pollutant::ALL.split_at(18).1),
];

/// The national totals of the year (and of the series' first year, with
/// the change), in three tables side by side.
pub fn totals(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "summary", t("summary"));
    let total_of = |year: i32| {
        m.tables
            .iter()
            .find(|y| y.table.header.year == year)
            .and_then(|y| y.table.row("NATIONAL TOTAL"))
    };
    let total = total_of(m.year)
        .ok_or_else(|| Error::Ambiguous("the table has no NATIONAL TOTAL row".into()))?;
    let first_year = m
        .tables
        .iter()
        .map(|y| y.table.header.year)
        .min()
        .filter(|y| *y < m.year);
    let first = first_year.and_then(total_of);
    h.push_str("<div class=\"side\">\n");
    for (title, pollutants) in GROUPS {
        let units: Vec<String> = pollutants.iter().map(|p| unit(lang, p.unit())).collect();
        let one_unit = units.windows(2).all(|w| w[0] == w[1]);
        let in_header = |year: i32| {
            if one_unit {
                format!("{year}, {}", units[0])
            } else {
                year.to_string()
            }
        };
        let mut headers = vec![t("pollutant").to_string()];
        if !one_unit {
            headers.push(t("unit").into());
        }
        if let Some(f) = first_year {
            headers.push(in_header(f));
        }
        headers.push(in_header(m.year));
        if first_year.is_some() {
            headers.push(t("change").into());
        }
        let mut rows = Vec::new();
        for (p, u) in pollutants.iter().zip(&units) {
            let mut r = vec![Value::Text(p.id().to_string())];
            if !one_unit {
                r.push(Value::Text(u.clone()));
            }
            let now = total.get(*p);
            let before = first.map(|f| f.get(*p));
            if let Some(b) = before {
                r.push(value(&b));
            }
            r.push(value(&now));
            if let Some(b) = before {
                r.push(match (b.number(), now.number()) {
                    (Some(b), Some(v)) if !b.is_zero() => {
                        Value::Shown(percent((v - b) / b * Decimal::ONE_HUNDRED, lang))
                    }
                    _ => Value::Empty,
                });
            }
            rows.push(r);
        }
        let _ = writeln!(h, "<div><h3>{}</h3>", crate::chart::esc(t(title)));
        table_in(h, &headers, &rows, lang, Layout::Shared);
        h.push_str("</div>\n");
    }
    h.push_str("</div>\n");
    let rows: Vec<Vec<String>> = Pollutant::ALL
        .iter()
        .map(|p| {
            vec![
                p.id().to_string(),
                p.info().unit.clone(),
                exact(&total.get(*p)),
            ]
        })
        .collect();
    let rel = files.csv(
        "national-totals",
        &["pollutant", "unit", "national_total"],
        &rows,
    )?;
    file_note(h, t("table_file"), &rel);
    h.push_str("</section>\n");
    Ok(())
}

fn value(c: &crate::notation_key::Cell) -> Value {
    match c {
        crate::notation_key::Cell::Number(d) => Value::Number(*d),
        crate::notation_key::Cell::Key(k) => Value::Shown(k.as_str().to_string()),
        crate::notation_key::Cell::Empty => Value::Empty,
    }
}

fn exact(c: &crate::notation_key::Cell) -> String {
    match c {
        crate::notation_key::Cell::Number(d) => format_decimal(*d),
        crate::notation_key::Cell::Key(k) => k.as_str().to_string(),
        crate::notation_key::Cell::Empty => String::new(),
    }
}

/// Whether a Party is a Party to a protocol, as far as the data records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Membership {
    Party,
    NotParty,
    NotRecorded,
}

/// (ISO2, English name, Russian name, protocol key, party?) of the data file.
static PARTIES: LazyLock<Vec<[String; 5]>> = LazyLock::new(|| {
    let mut reader = crate::data::reader(include_str!("../data/protocol-parties.csv"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("protocol-parties.csv is valid CSV");
            [0, 1, 2, 3, 4].map(|i| r[i].to_string())
        })
        .collect()
});

/// The data file's key of a protocol.
fn protocol_key(p: Protocol) -> &'static str {
    match p {
        Protocol::Gothenburg => "gothenburg",
        Protocol::HeavyMetals => "heavy_metals",
        Protocol::Pops => "pops",
    }
}

/// Whether `party` (ISO2) is a Party to the protocol.
pub fn membership(party: &str, protocol: Protocol) -> Membership {
    let party = party.trim().to_ascii_uppercase();
    match PARTIES
        .iter()
        .find(|r| r[0] == party && r[3] == protocol_key(protocol))
        .map(|r| r[4].as_str())
    {
        Some("party") => Membership::Party,
        Some("not_party") => Membership::NotParty,
        _ => Membership::NotRecorded,
    }
}

/// A Party's name in the language (its ISO2 code when the data has none).
pub fn party_name(party: &str, lang: Lang) -> String {
    let party = party.trim().to_ascii_uppercase();
    PARTIES
        .iter()
        .find(|r| r[0] == party)
        .map(|r| match lang {
            Lang::En => r[1].clone(),
            Lang::Ru => r[2].clone(),
        })
        .unwrap_or(party)
}

/// A commitment in words: `−59 % of 2005`, `below the 1990 level`.
fn commitment_words(c: &Commitment, lang: Lang) -> String {
    let year = c.base_year.to_string();
    match c.reduction_pct {
        Some(r) => fill(
            lang,
            "commitment_reduction",
            &[
                (
                    "pct",
                    &crate::number::with_separators(&format_decimal(r), lang.separators()),
                ),
                ("year", &year),
            ],
        ),
        None => fill(lang, "commitment_below", &[("year", &year)]),
    }
}

/// The status of a line in words, and its class on the page.
fn status_words(
    l: &Line,
    membership: Membership,
    m: &Material,
    lang: Lang,
) -> (String, &'static str) {
    let t = |k: &str| text(lang, k);
    let years: Vec<i32> = m.tables.iter().map(|y| y.table.header.year).collect();
    let plain = match l.status {
        Status::Met => (t("met").to_string(), "met"),
        Status::NotMet => (t("not_met").to_string(), "not-met"),
        Status::NoCommitment => (t("no_commitment").to_string(), ""),
        Status::CannotCompare if !years.contains(&l.base_year) => (
            fill(
                lang,
                "base_not_in_series",
                &[("year", &l.base_year.to_string())],
            ),
            "",
        ),
        Status::CannotCompare => (t("cannot_compare").to_string(), ""),
    };
    match membership {
        Membership::NotParty => {
            let (words, _) = plain;
            (format!("{}; {}", t("status_not_party"), words), "")
        }
        _ => plain,
    }
}

/// The commitments section.
pub fn commitments(h: &mut String, m: &Material, lang: Lang, files: &mut Files) -> Result<()> {
    let t = |k: &str| text(lang, k);
    section(h, "commitments", t("commitments"));
    let Some(c) = &m.comparison else {
        missing(h, m.comparison_note.as_deref().unwrap_or(""));
        h.push_str("</section>\n");
        return Ok(());
    };
    let party = c.party.clone();
    let name = party.as_deref().map(|p| party_name(p, lang));
    let years: Vec<i32> = m.tables.iter().map(|y| y.table.header.year).collect();
    let first = years.iter().copied().min().filter(|y| *y < m.year);
    // The protocols by name, what they cover, and the Party's standing.
    for protocol in [Protocol::Gothenburg, Protocol::HeavyMetals, Protocol::Pops] {
        let key = protocol_key(protocol);
        let base = c
            .lines
            .iter()
            .find(|l| l.protocol == protocol)
            .map(|l| l.base_year)
            .unwrap_or(protocol.default_base());
        let _ = writeln!(
            h,
            "<h3>{}</h3>",
            crate::chart::esc(t(&format!("protocol_{key}")))
        );
        let mut words = fill(
            lang,
            &format!("scope_{key}"),
            &[("base", &base.to_string())],
        );
        words.push(' ');
        words.push_str(&match (&party, &name) {
            (Some(p), Some(n)) => match membership(p, protocol) {
                Membership::Party => fill(
                    lang,
                    "is_party",
                    &[("party", n), ("protocol", t(&format!("protocol_{key}_of")))],
                ),
                Membership::NotParty => fill(
                    lang,
                    "not_party",
                    &[("party", n), ("protocol", t(&format!("protocol_{key}_of")))],
                ),
                Membership::NotRecorded => fill(
                    lang,
                    "party_not_recorded",
                    &[("party", n), ("protocol", t(&format!("protocol_{key}_of")))],
                ),
            },
            _ => t("no_party").to_string(),
        });
        let _ = writeln!(h, "<p>{}</p>", crate::chart::esc(&words));
    }
    // The table: one line per protocol pollutant.
    let whatif = first.filter(|f| c.lines.iter().any(|l| l.base_year < *f));
    let mut headers: Vec<String> = vec![
        t("pollutant").into(),
        t("unit").into(),
        t("protocol").into(),
        t("base_year").into(),
        t("base_value").into(),
        m.year.to_string(),
        t("change").into(),
    ];
    if let Some(f) = whatif {
        headers.push(fill(lang, "whatif_column", &[("year", &f.to_string())]));
    }
    headers.push(t("commitment").into());
    headers.push(t("status").into());
    let total = m.table().row("NATIONAL TOTAL");
    let first_total = whatif.and_then(|f| {
        m.tables
            .iter()
            .find(|y| y.table.header.year == f)
            .map(|y| &y.table)
    });
    let mut rows = Vec::new();
    let mut csv = Vec::new();
    for l in &c.lines {
        let membership = party
            .as_deref()
            .map(|p| membership(p, l.protocol))
            .unwrap_or(Membership::NotRecorded);
        let value = l
            .value
            .or_else(|| total.and_then(|t| t.get(l.pollutant).number()));
        let (status, class) = status_words(l, membership, m, lang);
        let commitment = l
            .commitment
            .as_ref()
            .map(|c| commitment_words(c, lang))
            .unwrap_or_default();
        let mut r = vec![
            Value::Text(l.pollutant.id().to_string()),
            Value::Text(unit(lang, l.unit)),
            Value::Text(t(&format!("protocol_{}_short", protocol_key(l.protocol))).to_string()),
            Value::Shown(l.base_year.to_string()),
            l.base.map(Value::Number).unwrap_or(Value::Empty),
            value.map(Value::Number).unwrap_or(Value::Empty),
            l.change_pct
                .map(|p| Value::Shown(percent(p, lang)))
                .unwrap_or(Value::Empty),
        ];
        let mut whatif_change = None;
        if whatif.is_some() {
            let before = first_total
                .and_then(|t| crate::compare::total(t, c.total_used, l.pollutant).number());
            whatif_change = match (before, value) {
                (Some(b), Some(v)) if !b.is_zero() && l.base_year < whatif.unwrap_or(0) => {
                    Some((v - b) / b * Decimal::ONE_HUNDRED)
                }
                _ => None,
            };
            r.push(
                whatif_change
                    .map(|p| Value::Shown(percent(p, lang)))
                    .unwrap_or(Value::Empty),
            );
        }
        r.push(Value::Text(commitment.clone()));
        r.push(if class.is_empty() {
            Value::Text(status.clone())
        } else {
            Value::Html(format!(
                r#"<span class="{class}">{}</span>"#,
                crate::chart::esc(&status)
            ))
        });
        rows.push(r);
        csv.push(vec![
            l.pollutant.id().to_string(),
            l.unit.to_string(),
            protocol_key(l.protocol).to_string(),
            l.base_year.to_string(),
            l.base.map(format_decimal).unwrap_or_default(),
            value.map(format_decimal).unwrap_or_default(),
            l.change_pct.map(format_decimal).unwrap_or_default(),
            whatif.map(|y| y.to_string()).unwrap_or_default(),
            whatif_change
                .map(|x| format_decimal(x.round_dp(6).normalize()))
                .unwrap_or_default(),
            l.commitment
                .as_ref()
                .map(|c| c.describe())
                .unwrap_or_default(),
            l.status.as_str().to_string(),
            match membership {
                Membership::Party => "party",
                Membership::NotParty => "not party",
                Membership::NotRecorded => "not recorded",
            }
            .to_string(),
        ]);
    }
    table(h, &headers, &rows, lang);
    if let Some(f) = whatif {
        note(
            h,
            &fill(
                lang,
                "whatif_note",
                &[
                    ("first", &f.to_string()),
                    (
                        "column",
                        &fill(lang, "whatif_column", &[("year", &f.to_string())]),
                    ),
                ],
            ),
        );
    }
    note(
        h,
        match c.total_used {
            crate::compare::TotalUsed::NationalTotal => t("checked_on_national_total"),
            crate::compare::TotalUsed::ComplianceTotal => t("checked_on_compliance_total"),
        },
    );
    let rel = files.csv(
        "commitments",
        &[
            "pollutant",
            "unit",
            "protocol",
            "base_year",
            "base",
            "value",
            "change_pct",
            "whatif_base_year",
            "whatif_change_pct",
            "commitment",
            "status",
            "party",
        ],
        &csv,
    )?;
    file_note(h, t("table_file"), &rel);
    h.push_str("</section>\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakhstan_is_a_party_to_no_protocol_and_others_are_not_recorded() {
        for p in [Protocol::Gothenburg, Protocol::HeavyMetals, Protocol::Pops] {
            assert_eq!(membership("kz", p), Membership::NotParty);
            assert_eq!(membership("XX", p), Membership::NotRecorded);
        }
        assert_eq!(party_name("KZ", Lang::Ru), "Казахстан");
        assert_eq!(party_name("XX", Lang::Ru), "XX");
    }

    #[test]
    fn commitments_in_words() {
        let c = Commitment {
            pollutant: Pollutant::SOx,
            base_year: 2005,
            reduction_pct: Some(Decimal::new(595, 1)),
            source: String::new(),
            of: crate::commitment::CommitmentOf::Protocol,
        };
        assert_eq!(commitment_words(&c, Lang::Ru), "−59,5 % к уровню 2005 г.");
        assert_eq!(commitment_words(&c, Lang::En), "−59.5 % of 2005");
        let below = Commitment {
            reduction_pct: None,
            base_year: 1990,
            ..c
        };
        assert_eq!(commitment_words(&below, Lang::Ru), "ниже уровня 1990 г.");
    }
}
