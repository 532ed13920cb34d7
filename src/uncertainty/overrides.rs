//! The user's uncertainties: a CSV (or workbook sheet) with the columns
//! `nfr,fuel,pollutant,activity_pct,factor_pct`, each a 95 % half-width in
//! % (`5`), or the lower and upper sides of an asymmetric interval (`50/200`:
//! −50 % / +200 %); `factor_pct` may also be a data-quality rating (`C`: the
//! rating's default, [`super::defaults::rating`]). `0` declares an input
//! exact (the only way one is). An empty fuel or pollutant means all; an
//! empty percentage leaves that uncertainty to a less specific row or to the
//! default. For each line the most specific row wins: one naming the fuel
//! before one naming only the pollutant, before one naming neither.

use super::Spread;
use crate::error::{Error, Location, Result};
use crate::number::{format_decimal, parse_decimal};
use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::path::Path;

/// The columns of an uncertainty file.
pub const COLUMNS: &str = "nfr,fuel,pollutant,activity_pct,factor_pct";

/// One row of an uncertainty file.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub at: Location,
    /// Template row number.
    pub row: u32,
    /// Lower-case fuel, empty for all.
    pub fuel: String,
    pub pollutant: Option<Pollutant>,
    pub activity_pct: Option<Given>,
    pub factor_pct: Option<Given>,
}

/// An uncertainty as a file gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// % below and above (equal for a symmetric half-width).
    Pct(Decimal, Decimal),
    /// A data-quality rating's default.
    Rating(&'static super::defaults::RatingDefault),
}

impl Given {
    fn spread(&self, at: &Location) -> Spread {
        match self {
            Given::Pct(lo, hi) => Spread {
                source: if lo == hi {
                    format!("{} % from {at}", format_decimal(*lo))
                } else {
                    format!(
                        "−{} % / +{} % from {at}",
                        format_decimal(*lo),
                        format_decimal(*hi)
                    )
                },
                below: *lo,
                above: *hi,
                default: false,
                placeholder: false,
            },
            Given::Rating(r) => r.spread(&format!("{at}: ")),
        }
    }
}

impl Override {
    fn specificity(&self) -> u8 {
        2 * u8::from(!self.fuel.is_empty()) + u8::from(self.pollutant.is_some())
    }

    fn fits(&self, row: u32, fuel: &str, p: Pollutant) -> bool {
        self.row == row
            && (self.fuel.is_empty() || self.fuel == fuel.trim().to_lowercase())
            && self.pollutant.is_none_or(|q| q == p)
    }
}

/// Every row of the uncertainty files given.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub rows: Vec<Override>,
}

impl Overrides {
    /// Reads the files, in order (a later file's row of the same
    /// specificity wins over an earlier one's).
    pub fn read(paths: &[std::path::PathBuf]) -> Result<Overrides> {
        let mut rows = Vec::new();
        for p in paths {
            rows.extend(read_file(p)?);
        }
        Ok(Overrides { rows })
    }

    fn pick(
        &self,
        row: u32,
        fuel: &str,
        p: Pollutant,
        field: impl Fn(&Override) -> Option<&Given>,
    ) -> Option<(&Given, &Override)> {
        self.rows
            .iter()
            .filter(|o| o.fits(row, fuel, p))
            .filter_map(|o| field(o).map(|v| (v, o)))
            .max_by_key(|(_, o)| o.specificity())
    }

    /// The activity uncertainty the files give a line.
    pub fn activity(&self, row: u32, fuel: &str, p: Pollutant) -> Option<Spread> {
        self.pick(row, fuel, p, |o| o.activity_pct.as_ref())
            .map(|(v, o)| v.spread(&o.at))
    }

    /// The factor uncertainty the files give a line.
    pub fn factor(&self, row: u32, fuel: &str, p: Pollutant) -> Option<Spread> {
        self.pick(row, fuel, p, |o| o.factor_pct.as_ref())
            .map(|(v, o)| v.spread(&o.at))
    }
}

fn read_file(path: &Path) -> Result<Vec<Override>> {
    let sheet = crate::sheet::read(path, None)?;
    let mut rows = sheet
        .rows
        .iter()
        .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()));
    let header = rows.next().ok_or_else(|| {
        Error::file(
            path,
            format!("the uncertainty file is empty; its columns are {COLUMNS}"),
        )
    })?;
    let names: Vec<String> = header
        .cells
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    let col = |n: &str| names.iter().position(|x| x == n);
    let missing: Vec<&str> = COLUMNS.split(',').filter(|n| col(n).is_none()).collect();
    if !missing.is_empty() {
        return Err(Error::input(
            Location::file(path).with_row(header.number),
            format!(
                "the header lacks {}; an uncertainty file has the columns {COLUMNS}",
                missing.join(", ")
            ),
        ));
    }
    let mut out: Vec<Override> = Vec::new();
    for r in rows {
        let get = |n: &str| {
            col(n)
                .and_then(|i| r.cells.get(i))
                .map(|c| c.trim().to_string())
                .unwrap_or_default()
        };
        let at = |n: &str| Location::file(path).with_row(r.number).with_column(n);
        let code = get("nfr");
        let row = crate::nfr::find(&code)
            .filter(|row| row.takes_activity())
            .ok_or_else(|| {
                Error::input(
                    at("nfr"),
                    if code.is_empty() {
                        "the NFR code is empty: each row names an Annex I row".to_string()
                    } else {
                        crate::nfr::unknown_code_message(&code)
                    },
                )
            })?;
        let pollutant = match get("pollutant") {
            t if t.is_empty() => None,
            t => Some(Pollutant::parse(&t).ok_or_else(|| {
                Error::input(
                    at("pollutant"),
                    format!(
                        "'{t}' is not a pollutant of the template; they are {}",
                        Pollutant::id_list()
                    ),
                )
            })?),
        };
        let pct = |n: &str| -> Result<Option<Given>> {
            let t = get(n);
            if t.is_empty() {
                return Ok(None);
            }
            if n == "factor_pct"
                && let Some(r) = super::defaults::rating(&t)
            {
                return Ok(Some(Given::Rating(r)));
            }
            let number = |x: &str| -> Result<Decimal> {
                let x = x
                    .trim()
                    .trim_start_matches(['+', '−', '-'])
                    .trim_end_matches('%');
                let v = parse_decimal(x.trim()).map_err(|_| {
                    Error::input(
                        at(n),
                        format!(
                            "'{t}' is not a percentage (write 5 for ±5 %, 50/200 for −50 % / +200 %{})",
                            if n == "factor_pct" {
                                format!(", or a rating: {}", super::defaults::rating_list())
                            } else {
                                String::new()
                            }
                        ),
                    )
                })?;
                Ok(v)
            };
            if t.trim_start().starts_with('-') && !t.contains('/') {
                return Err(Error::input(
                    at(n),
                    format!("'{t}' is negative; a 95 % half-width is 0 or more"),
                ));
            }
            let (lo, hi) = match t.split_once('/') {
                Some((lo, hi)) => (number(lo)?, number(hi)?),
                None => {
                    let v = number(&t)?;
                    (v, v)
                }
            };
            if lo != hi && lo > Decimal::ONE_HUNDRED {
                return Err(Error::input(
                    at(n),
                    format!(
                        "'{t}': the lower side is at most 100 % (a value cannot fall below zero)"
                    ),
                ));
            }
            Ok(Some(Given::Pct(lo, hi)))
        };
        let o = Override {
            at: Location::file(path).with_row(r.number),
            row: row.number,
            fuel: get("fuel").to_lowercase(),
            pollutant,
            activity_pct: pct("activity_pct")?,
            factor_pct: pct("factor_pct")?,
        };
        if let Some(prev) = out
            .iter()
            .find(|p| p.row == o.row && p.fuel == o.fuel && p.pollutant == o.pollutant)
        {
            return Err(Error::input(
                o.at.clone(),
                format!(
                    "repeats the row, fuel and pollutant of {}; give each once",
                    prev.at
                ),
            ));
        }
        out.push(o);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap()
    }

    #[test]
    fn the_most_specific_row_wins() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.csv");
        std::fs::write(
            &p,
            "nfr,fuel,pollutant,activity_pct,factor_pct\n1A1a,,,3,\n1A1a,,NOx,,40\n1A1a,Hard coal,,7,\n1A1a,Hard coal,NOx,,25\n",
        )
        .unwrap();
        let o = Overrides::read(std::slice::from_ref(&p)).unwrap();
        let row = crate::nfr::find("1A1a").unwrap().number;
        assert_eq!(
            o.activity(row, "Natural gas", Pollutant::NOx)
                .unwrap()
                .above,
            d("3")
        );
        assert_eq!(
            o.activity(row, "hard coal", Pollutant::NOx).unwrap().above,
            d("7")
        );
        assert_eq!(
            o.factor(row, "Natural gas", Pollutant::NOx).unwrap().above,
            d("40")
        );
        assert_eq!(
            o.factor(row, "Hard coal", Pollutant::NOx).unwrap().above,
            d("25")
        );
        assert!(o.factor(row, "Hard coal", Pollutant::SOx).is_none());
        let s = o.factor(row, "Hard coal", Pollutant::NOx).unwrap();
        assert!(s.source.contains("u.csv, row 5"), "{}", s.source);
    }

    #[test]
    fn bad_rows_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("u.csv");
        std::fs::write(
            &p,
            "nfr,fuel,pollutant,activity_pct,factor_pct\n1A1z,,,3,\n",
        )
        .unwrap();
        let e = Overrides::read(std::slice::from_ref(&p))
            .unwrap_err()
            .to_string();
        assert!(e.contains("row 2, column nfr"), "{e}");
        std::fs::write(
            &p,
            "nfr,fuel,pollutant,activity_pct,factor_pct\n1A1a,,,-3,\n",
        )
        .unwrap();
        let e = Overrides::read(std::slice::from_ref(&p))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("row 2, column activity_pct") && e.contains("negative"),
            "{e}"
        );
        std::fs::write(&p, "nfr,fuel,activity_pct\n").unwrap();
        let e = Overrides::read(&[p]).unwrap_err().to_string();
        assert!(e.contains("lacks pollutant, factor_pct"), "{e}");
    }
}
