//! The mapping file as written: the raw structs serde reads a mapping's
//! TOML into (stage 1 of [`super::config`]), each refusing keys it does not
//! know (`deny_unknown_fields`), and the reading itself, whose messages
//! name the key, what is accepted and the line.

use crate::number::{parse_decimal, parse_year};
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// What is wrong with a mapping, said in the user's terms.
pub(super) type Problem = String;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMapping {
    pub(super) name: Option<String>,
    pub(super) source: Option<String>,
    pub(super) sheet: Option<RawSheet>,
    #[serde(default)]
    pub(super) fuels: Vec<RawFuel>,
    #[serde(default)]
    pub(super) lines: Vec<RawLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [sheet] table")]
pub(super) struct RawSheet {
    pub(super) name: Option<String>,
    pub(super) line_column: Option<RawColumn>,
    pub(super) year_row: Option<i64>,
    pub(super) year: Option<RawYear>,
    pub(super) fuel_row: Option<i64>,
    pub(super) first_data_row: Option<i64>,
    pub(super) unit: Option<String>,
    pub(super) write_unit: Option<String>,
    pub(super) empty: Option<Vec<String>>,
    pub(super) years: Option<Vec<RawYear>>,
}

/// `line_column = "B"` or `line_column = 2`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "line_column is a column letter (\"A\") or number (1)"
)]
pub(super) enum RawColumn {
    Number(i64),
    Letters(String),
}

/// A number as TOML may write it: text in quotes (exact), a whole number,
/// or a float (read through the audited shortest-text conversion, so `0.9`
/// is 0.9).
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a number, e.g. \"0.9\" or 12")]
pub(super) enum RawNumber {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl RawNumber {
    pub(super) fn decimal(&self) -> std::result::Result<Decimal, Problem> {
        match self {
            RawNumber::Text(s) => parse_decimal(s).map_err(|e| e.to_string()),
            RawNumber::Integer(i) => Ok(Decimal::from(*i)),
            RawNumber::Float(f) => crate::number::from_excel(*f).map_err(|e| e.to_string()),
        }
    }
}

/// A year as TOML may write it: `2022`, `"2022"` (or `2022.0`).
#[derive(Deserialize)]
#[serde(untagged, expecting = "expected a year, e.g. 2022")]
pub(super) enum RawYear {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl RawYear {
    pub(super) fn year(&self) -> std::result::Result<i32, Problem> {
        match self {
            RawYear::Text(s) => parse_year(s),
            RawYear::Integer(i) => parse_year(&i.to_string()),
            RawYear::Float(f) => parse_year(&f.to_string()),
        }
    }
}

/// `names = "A"`, `names = ["A", "B"]` or `names = { 2021 = "A", "2022-2024" = ["B"] }`.
#[derive(Deserialize)]
#[serde(
    untagged,
    expecting = "names are a text, a list of texts, or a table of years, e.g. { 2021 = \"A\", \"2022-2024\" = \"B\" }"
)]
pub(super) enum RawNames {
    One(String),
    List(Vec<String>),
    ByYear(ByYear),
}

/// `"2022-2024" = "B"` entries, in the order the file gives them.
pub(super) struct ByYear(pub(super) Vec<(String, RawNameList)>);

impl<'de> Deserialize<'de> for ByYear {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ByYear;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a table of years, e.g. { 2021 = \"A\", \"2022-2024\" = \"B\" }")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<ByYear, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    out.push(entry);
                }
                Ok(ByYear(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "names are texts in quotes")]
pub(super) enum RawNameList {
    One(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[fuels]] table")]
pub(super) struct RawFuel {
    pub(super) names: Option<RawNames>,
    pub(super) fuel: Option<String>,
    pub(super) exclude: Option<String>,
    pub(super) total: Option<bool>,
    /// A note for the reader of the mapping (any value; not read).
    #[serde(rename = "note")]
    pub(super) _note: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a [[lines]] table")]
pub(super) struct RawLine {
    pub(super) names: Option<RawNames>,
    pub(super) label: Option<String>,
    // A mapped line.
    pub(super) nfr: Option<String>,
    pub(super) to: Option<Vec<RawTarget>>,
    pub(super) rest: Option<String>,
    pub(super) except: Option<Vec<RawExcept>>,
    pub(super) technology: Option<String>,
    pub(super) table: Option<String>,
    pub(super) abatement: Option<String>,
    pub(super) region: Option<String>,
    pub(super) tier: Option<String>,
    // A line left out.
    pub(super) exclude: Option<String>,
    // A subtotal.
    pub(super) subtotal_of: Option<RawNames>,
    pub(super) tolerance: Option<RawNumber>,
    pub(super) remainder: Option<RawRemainder>,
    pub(super) accept: Option<Vec<RawAccepted>>,
    pub(super) note: Option<IgnoredAny>,
}

/// What a `[[lines]]` entry is: a line mapped to codes, a line left out
/// (`exclude`), or a subtotal (`subtotal_of`). The file gives every kind's
/// settings in one table; each kind takes only its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum LineKind {
    Mapped,
    Excluded,
    Subtotal,
}

impl LineKind {
    /// The settings a kind of line takes, in the order messages list them.
    pub(super) fn settings(self) -> &'static [&'static str] {
        match self {
            LineKind::Excluded => &["names", "label", "exclude", "note"],
            LineKind::Subtotal => &[
                "names",
                "label",
                "subtotal_of",
                "tolerance",
                "remainder",
                "accept",
                "note",
            ],
            LineKind::Mapped => &[
                "names",
                "label",
                "nfr",
                "to",
                "rest",
                "except",
                "note",
                "technology",
                "table",
                "abatement",
                "region",
                "tier",
            ],
        }
    }
}

/// The pins as written, in the order of [`crate::pins::Pins::NAMES`].
pub(super) type RawPins<'a> = [&'a Option<String>; 5];

/// The [`RawPins`] of a raw struct holding the five pin settings (a line,
/// a remainder, a target).
macro_rules! raw_pins {
    ($raw:expr) => {
        [
            &$raw.technology,
            &$raw.table,
            &$raw.abatement,
            &$raw.region,
            &$raw.tier,
        ]
    };
}

impl RawLine {
    /// What the line is, by the setting that says it.
    pub(super) fn kind(&self) -> LineKind {
        if self.exclude.is_some() {
            LineKind::Excluded
        } else if self.subtotal_of.is_some() {
            LineKind::Subtotal
        } else {
            LineKind::Mapped
        }
    }

    /// The first setting given that the line's kind does not take.
    pub(super) fn setting_not_taken(&self) -> Option<&'static str> {
        let given = [
            ("names", self.names.is_some()),
            ("label", self.label.is_some()),
            ("nfr", self.nfr.is_some()),
            ("to", self.to.is_some()),
            ("rest", self.rest.is_some()),
            ("except", self.except.is_some()),
            ("note", self.note.is_some()),
            ("technology", self.technology.is_some()),
            ("table", self.table.is_some()),
            ("abatement", self.abatement.is_some()),
            ("region", self.region.is_some()),
            ("tier", self.tier.is_some()),
            ("exclude", self.exclude.is_some()),
            ("subtotal_of", self.subtotal_of.is_some()),
            ("tolerance", self.tolerance.is_some()),
            ("remainder", self.remainder.is_some()),
            ("accept", self.accept.is_some()),
        ];
        let taken = self.kind().settings();
        given
            .into_iter()
            .find(|(key, on)| *on && !taken.contains(key))
            .map(|(key, _)| key)
    }

    pub(super) fn targets(&self) -> RawTargets<'_> {
        RawTargets {
            nfr: self.nfr.as_deref(),
            to: self.to.as_deref(),
            rest: self.rest.as_deref(),
            pins: raw_pins!(self),
        }
    }
}

/// `[lines.remainder]`: where what a subtotal's parts do not explain goes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table ([lines.remainder])")]
pub(super) struct RawRemainder {
    pub(super) nfr: Option<String>,
    pub(super) to: Option<Vec<RawTarget>>,
    pub(super) rest: Option<String>,
    pub(super) technology: Option<String>,
    pub(super) table: Option<String>,
    pub(super) abatement: Option<String>,
    pub(super) region: Option<String>,
    pub(super) tier: Option<String>,
}

impl RawRemainder {
    pub(super) fn targets(&self) -> RawTargets<'_> {
        RawTargets {
            nfr: self.nfr.as_deref(),
            to: self.to.as_deref(),
            rest: self.rest.as_deref(),
            pins: raw_pins!(self),
        }
    }
}

/// One of `to = [...]`.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a target, e.g. { nfr = \"1A1a\", share = \"0.5\" }"
)]
pub(super) struct RawTarget {
    pub(super) nfr: Option<String>,
    pub(super) share: Option<RawNumber>,
    pub(super) fuels: Option<Vec<String>>,
    pub(super) technology: Option<String>,
    pub(super) table: Option<String>,
    pub(super) abatement: Option<String>,
    pub(super) region: Option<String>,
    pub(super) tier: Option<String>,
}

impl RawTarget {
    pub(super) fn pins(&self) -> RawPins<'_> {
        raw_pins!(self)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "{ year, fuel, reason }")]
pub(super) struct RawExcept {
    pub(super) year: Option<i64>,
    pub(super) fuel: Option<String>,
    pub(super) reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "{ year, fuel, difference, note }")]
pub(super) struct RawAccepted {
    pub(super) year: Option<i64>,
    pub(super) fuel: Option<String>,
    pub(super) difference: Option<RawNumber>,
    pub(super) note: Option<String>,
}

/// The targets part of a line or a remainder: `nfr = ...` (with pins) or
/// `to = [...]`, and `rest`.
pub(super) struct RawTargets<'a> {
    pub(super) nfr: Option<&'a str>,
    pub(super) to: Option<&'a [RawTarget]>,
    pub(super) rest: Option<&'a str>,
    pub(super) pins: RawPins<'a>,
}

/// Reads the TOML into the raw structs. A syntax error says so with its
/// line; a key or value serde refuses is named with its line.
pub(super) fn read_raw(text: &str) -> std::result::Result<RawMapping, Problem> {
    text.parse::<toml::Table>().map_err(|e: toml::de::Error| {
        let message = e.message().trim();
        match e.span() {
            Some(span) => format!(
                "line {}: is not valid TOML: {message}",
                crate::config::line_of(text, span.start)
            ),
            None => format!("is not valid TOML: {message}"),
        }
    })?;
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let message = plain_words(e.message());
        let Some(span) = e.span() else {
            return message;
        };
        let before = &text[..span.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        match key_before(before) {
            Some(key) if !message.starts_with('\'') => format!("line {line}: {key}: {message}"),
            _ => format!("line {line}: {message}"),
        }
    })
}

/// The key of the value that starts after `before` (`key = ` just before
/// it), if there is one: the name of a setting whose value is refused.
fn key_before(before: &str) -> Option<&str> {
    let rest = before.trim_end().strip_suffix('=')?.trim_end();
    let start = rest
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(0, |i| i + 1);
    let key = &rest[start..];
    (!key.is_empty()).then_some(key)
}

/// serde's words for what it refuses, in the words the rest of the messages use.
fn plain_words(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `")
        && let Some((key, expected)) = rest.split_once('`')
    {
        let settings = expected
            .trim_start_matches(", expected ")
            .trim_start_matches("one of ")
            .replace('`', "");
        return format!("'{key}' is not a setting here; the settings are {settings}");
    }
    message
        .replace("expected a string", "expected text in quotes")
        .replace("expected a sequence", "expected a list")
        .replace("expected i64", "expected a whole number")
        .replace("expected a boolean", "expected true or false")
}
