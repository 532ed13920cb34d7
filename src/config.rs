//! Configuration files (TOML) in two stages: serde reads the file into raw
//! structs that refuse unknown keys (`#[serde(deny_unknown_fields)]`), then
//! each file's own validation turns them into the typed settings the library
//! uses. This module holds what every configuration file shares: parsing
//! with errors that name the file and the line, a scalar that may be written
//! as a TOML number or as text, and read exactly as a decimal.

use crate::error::{Error, Location, Result};
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, Visitor};
use std::path::Path;

/// A problem found in a configuration file, as an error at its place: a
/// problem that starts `line N: ` is placed at that line
/// (`wm.toml, line 17: ...`, as every place is said), any other at the file.
pub fn problem_at(path: &Path, problem: String) -> Error {
    let placed = problem.strip_prefix("line ").and_then(|rest| {
        let (n, what) = rest.split_once(": ")?;
        Some((n.parse::<u64>().ok()?, what))
    });
    match placed {
        Some((line, what)) => Error::input(Location::file(path).with_line(line), what),
        None => Error::file(path, problem),
    }
}

/// A file name as written in a configuration file: an error (the problem,
/// for the caller to place) when it holds a control character, such as a
/// NUL pasted from elsewhere, which no file name can hold.
pub fn check_file_name(name: &str) -> std::result::Result<(), String> {
    match name.chars().find(|c| c.is_control()) {
        Some(c) => Err(format!(
            "'{}' is not a file name: it holds the control character U+{:04X}",
            name.escape_debug(),
            u32::from(c)
        )),
        None => Ok(()),
    }
}

/// Reads a TOML text into `T`; a mistake (bad TOML, an unknown key, a value
/// of the wrong kind) is an error naming the file and the line.
pub fn parse<T: de::DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let line = e.span().map(|s| line_of(text, s.start));
        let message = explain(e.message().trim());
        match line {
            Some(line) => Error::input(Location::file(path).with_line(line), message),
            None => Error::file(path, message),
        }
    })
}

/// The line (from 1) of a byte offset.
pub fn line_of(text: &str, offset: usize) -> u64 {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
        + 1
}

/// serde's messages, in the words of a person editing the file.
fn explain(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let names: Vec<&str> = expected
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s)
            .collect();
        return if names.is_empty() {
            format!("'{key}' is not a setting here")
        } else {
            format!(
                "'{key}' is not a setting here; the settings are {}",
                names.join(", ")
            )
        };
    }
    if message.starts_with("invalid type") || message.starts_with("invalid value") {
        return message.to_string();
    }
    if message.contains("TOML") || message.starts_with("missing field") {
        return message.to_string();
    }
    format!("is not valid TOML: {message}")
}

/// A value written as text (`"42.9"`), a whole number (`2022`) or a TOML
/// float (`42.9`), kept as text so it can be read exactly.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Integer(i64),
    Float(f64),
}

impl Scalar {
    /// The value as an exact decimal: text as written, integers as they
    /// are, floats through the audited shortest-text conversion (so `42.9`
    /// is 42.9).
    pub fn decimal(&self) -> std::result::Result<Decimal, String> {
        self.read().map(|r| r.value)
    }

    /// [`Scalar::decimal`], saying whether the value was rounded to 28
    /// decimal places ([`crate::number::read_decimal`]).
    pub fn read(&self) -> std::result::Result<crate::number::Read, String> {
        match self {
            Scalar::Text(s) => crate::number::read_decimal(s).map_err(|e| e.to_string()),
            Scalar::Integer(i) => Ok(crate::number::Read {
                value: Decimal::from(*i),
                rounded: false,
            }),
            Scalar::Float(f) => crate::number::read_excel(*f).map_err(|e| e.to_string()),
        }
    }

    /// The value as a year of an inventory (1980-2100).
    pub fn year(&self) -> std::result::Result<i32, String> {
        crate::number::parse_year(&self.text())
    }

    /// The value as written.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Integer(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
        }
    }
}

impl<'de> de::Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Scalar, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, or a number in quotes")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Integer(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Scalar, E> {
                i64::try_from(v)
                    .map(Scalar::Integer)
                    .map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Scalar, E> {
                Ok(Scalar::Float(v))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    struct T {
        #[allow(dead_code)]
        value: Scalar,
    }

    #[test]
    fn a_problem_naming_its_line_is_placed_at_the_line() {
        let p = Path::new("wm.toml");
        assert_eq!(
            problem_at(p, "line 17: base: missing".into()).to_string(),
            "wm.toml, line 17: base: missing"
        );
        assert_eq!(
            problem_at(p, "lines entry 1 (P): bad".into()).to_string(),
            "wm.toml: lines entry 1 (P): bad"
        );
    }

    #[test]
    fn scalars_are_exact_whatever_their_spelling() {
        let d = |s: &str| parse::<T>(s, Path::new("t.toml")).unwrap().value.decimal();
        assert_eq!(d("value = 42.9"), Ok(Decimal::new(429, 1)));
        assert_eq!(d("value = \"42.9\""), Ok(Decimal::new(429, 1)));
        assert_eq!(d("value = 7"), Ok(Decimal::from(7)));
    }

    #[test]
    fn unknown_keys_are_named_at_their_line() {
        let e = parse::<T>("value = 1\nvalu = 2\n", Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("t.toml, line 2: 'valu' is not a setting here; the settings are value"),
            "{e}"
        );
    }
}
