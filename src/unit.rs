//! Units of emission factors and of activity data, with exact conversions.
//!
//! An emission factor unit is read as a mass of pollutant (the numerator)
//! per quantity of activity (the denominator): `g/GJ`, `mg/ kg fuel`,
//! `g/Mg clinker`, `kg a–1 AAP–1 NH3` (kg NH3 per animal place and year),
//! `g km-1 vehicle-1`, `g/vehicle/day`. BC factors given as `% of PM2.5` are
//! a share of another pollutant's emission from the same activity.
//!
//! The inventory is annual: activity values are yearly totals (TJ burnt in
//! the year) or yearly averages of stocks (animal places, vehicles, m² under
//! construction). So "per year" in a denominator (`a–1`, `/year`) needs no
//! conversion, and "per day" (`g/vehicle/day`) is multiplied by 365 days, as
//! in the Guidebook's Tier 1 formula for gasoline evaporation (1.A.3.b.v).
//!
//! Every conversion factor is an exact decimal (10^n, 41.868 GJ per toe,
//! 3.6 MJ per kWh). An activity converts to a factor's denominator only when
//! both have the same dimension; otherwise the row is rejected naming both
//! units.

use rust_decimal::Decimal;
use std::fmt;

/// What a quantity measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// Energy of fuel (net calorific value); base unit J.
    Energy,
    /// Electricity produced; base unit J (MWh electricity).
    Electricity,
    /// Mass; base unit g.
    Mass,
    /// Volume; base unit m³.
    Volume,
    /// Area; base unit m².
    Area,
    /// Distance driven (vehicle-km); base unit km.
    Distance,
    /// A number of things of one kind.
    Count(CountKind),
}

/// The kind of things counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CountKind {
    /// Animals or animal places (head, AAP).
    Animal,
    Vehicle,
    /// Persons (inhabitants, capita).
    Person,
    /// Bodies cremated.
    Body,
    Fire,
    /// Landing/take-off cycles.
    Lto,
    Pair,
    Hole,
    /// A plain number (`number`, `count`): fits any kind of count.
    Any,
}

impl Dimension {
    pub fn describe(self) -> &'static str {
        match self {
            Dimension::Energy => "energy",
            Dimension::Electricity => "electricity produced",
            Dimension::Mass => "mass",
            Dimension::Volume => "volume",
            Dimension::Area => "area",
            Dimension::Distance => "distance (vehicle-km)",
            Dimension::Count(CountKind::Animal) => "number of animals",
            Dimension::Count(CountKind::Vehicle) => "number of vehicles",
            Dimension::Count(CountKind::Person) => "number of persons",
            Dimension::Count(CountKind::Body) => "number of bodies",
            Dimension::Count(CountKind::Fire) => "number of fires",
            Dimension::Count(CountKind::Lto) => "number of LTO cycles",
            Dimension::Count(CountKind::Pair) => "number of pairs",
            Dimension::Count(CountKind::Hole) => "number of holes drilled",
            Dimension::Count(CountKind::Any) => "a number",
        }
    }

    /// True when an activity of dimension `self` can be used with a factor
    /// whose denominator has dimension `other`.
    pub fn fits(self, other: Dimension) -> bool {
        match (self, other) {
            (Dimension::Count(a), Dimension::Count(b)) => {
                a == b || a == CountKind::Any || b == CountKind::Any
            }
            (a, b) => a == b,
        }
    }
}

/// A quantity unit: its dimension, how many base units one of it holds, and
/// the words that say what is measured (`clinker`, `fuel`, `NCV`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quantity {
    pub dimension: Dimension,
    /// Base units (J, g, m³, m², km, items) in one of this unit.
    pub scale: Decimal,
    /// The unit symbol as understood (`GJ`, `Mg`, `head`).
    pub symbol: String,
    /// What is measured, when the unit says it (`clinker`, `fuel`).
    pub basis: String,
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.basis.is_empty() {
            f.write_str(&self.symbol)
        } else {
            write!(f, "{} {}", self.symbol, self.basis)
        }
    }
}

/// Per what time a factor is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Per year or no time at all: applies to the annual activity as it is.
    Year,
    /// Per day: × 365 days for the year.
    Day,
}

/// An emission factor unit as understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactorUnit {
    /// Mass of pollutant per quantity of activity.
    Rate {
        /// Grams in one numerator unit (1000 for kg).
        grams: Decimal,
        mass_symbol: String,
        /// What the mass is expressed as, when the unit says it
        /// (`NH3`, `NO2`, `I-TEQ`).
        substance: String,
        per: Quantity,
        period: Period,
    },
    /// A percentage of another pollutant's emission from the same activity
    /// (`% of PM2.5`).
    ShareOf(crate::pollutant::Pollutant),
    /// An abatement efficiency, as a fraction of 1.
    Efficiency,
}

impl FactorUnit {
    /// The canonical text of the unit, which this module reads back to the
    /// same unit (`g/GJ`, `g/Mg clinker`, `kg NH3/AAP/year`, `% of PM2.5`).
    pub fn canonical(&self) -> String {
        match self {
            FactorUnit::Rate {
                mass_symbol,
                substance,
                per,
                period,
                ..
            } => {
                let mut s = mass_symbol.clone();
                if !substance.is_empty() {
                    s.push(' ');
                    s.push_str(substance);
                }
                s.push('/');
                s.push_str(&per.to_string());
                match period {
                    Period::Day => s.push_str("/day"),
                    Period::Year
                        if matches!(per.dimension, Dimension::Count(_) | Dimension::Area) =>
                    {
                        s.push_str("/year")
                    }
                    Period::Year => {}
                }
                s
            }
            FactorUnit::ShareOf(p) => format!("% of {}", p.id()),
            FactorUnit::Efficiency => "fraction".to_string(),
        }
    }
}

/// Normalises the spellings of the factor database: dashes, micro signs,
/// superscripts, non-breaking spaces and repeated spaces.
pub fn normalise(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.trim().chars() {
        match c {
            '–' | '—' | '−' | '‑' => s.push('-'),
            'µ' | 'μ' => s.push('u'),
            '³' => s.push('3'),
            '²' => s.push('2'),
            '\u{a0}' | '\t' => s.push(' '),
            _ => s.push(c),
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut prev_space = false;
    for c in s.chars() {
        if c == ' ' {
            if !prev_space {
                out.push(' ');
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
    out.trim().to_string()
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str_exact(s).expect("unit scale constant")
}

/// Grams in one mass unit, and its canonical symbol.
fn mass_unit(token: &str) -> Option<(Decimal, &'static str)> {
    let r = match token {
        "ng" => (dec("0.000000001"), "ng"),
        "ug" => (dec("0.000001"), "ug"),
        "mg" => (dec("0.001"), "mg"),
        "g" => (Decimal::ONE, "g"),
        "kg" | "кг" => (dec("1000"), "kg"),
        "t" | "tonne" | "tonnes" | "ton" | "tons" | "Mg" | "MG" | "te" | "т" | "тонн" | "тонна"
        | "тонны" => (dec("1000000"), "t"),
        "kt" | "kton" | "ktonne" | "ktonnes" | "Gg" | "тыс.т" => (dec("1000000000"), "kt"),
        "Mt" | "Tg" => (dec("1000000000000"), "Mt"),
        _ => return None,
    };
    Some(r)
}

/// A unit token of an activity quantity (anything but time).
fn quantity_unit(token: &str) -> Option<(Dimension, Decimal, &'static str)> {
    use CountKind::*;
    use Dimension::*;
    if let Some((g, sym)) = mass_unit(token) {
        return Some((Mass, g, sym));
    }
    let lower = token.to_ascii_lowercase();
    let r = match token {
        "J" => (Energy, Decimal::ONE, "J"),
        "kJ" => (Energy, dec("1000"), "kJ"),
        "MJ" => (Energy, dec("1000000"), "MJ"),
        "PJ" => (Energy, dec("1000000000000000"), "PJ"),
        "kWh" => (Energy, dec("3600000"), "kWh"),
        "MWh" => (Energy, dec("3600000000"), "MWh"),
        "GWh" => (Energy, dec("3600000000000"), "GWh"),
        "TWh" => (Energy, dec("3600000000000000"), "TWh"),
        // 1 toe = 41.868 GJ (IEA/OECD/Eurostat definition).
        "toe" => (Energy, dec("41868000000"), "toe"),
        "ktoe" => (Energy, dec("41868000000000"), "ktoe"),
        "Mtoe" => (Energy, dec("41868000000000000"), "Mtoe"),
        // The International Table calorie, 1 cal = 4.1868 J exactly (NIST SP
        // 811, B.8; the calorie of CIS energy statistics and of the toe).
        "kcal" | "ккал" => (Energy, dec("4186.8"), "kcal"),
        "Mcal" | "Мкал" => (Energy, dec("4186800"), "Mcal"),
        "Gcal" | "gcal" | "GCal" | "Гкал" | "гкал" => (Energy, dec("4186800000"), "Gcal"),
        "Tcal" | "Ткал" => (Energy, dec("4186800000000"), "Tcal"),
        // Tonne of coal equivalent (standard fuel, 7 Gcal = 29.3076 GJ): the
        // unit of CIS energy balances.
        "tce" | "t.c.e." | "TCE" | "tut" | "т.у.т." | "тут" => {
            (Energy, dec("29307600000"), "tce")
        }
        "ktce" | "kTCE" | "kt.c.e." => (Energy, dec("29307600000000"), "ktce"),
        "Mtce" | "MTCE" | "Mt.c.e." => (Energy, dec("29307600000000000"), "Mtce"),
        "TJ" | "ТДж" => (Energy, dec("1000000000000"), "TJ"),
        "GJ" | "ГДж" => (Energy, dec("1000000000"), "GJ"),
        "МДж" => (Energy, dec("1000000"), "MJ"),
        "ПДж" => (Energy, dec("1000000000000000"), "PJ"),
        _ => match lower.as_str() {
            "m3" | "m^3" | "м3" | "куб.м" => (Volume, Decimal::ONE, "m3"),
            // Billion cubic metres (of natural gas).
            "bcm" => (Volume, dec("1000000000"), "bcm"),
            "l" | "litre" | "litres" | "liter" | "liters" => (Volume, dec("0.001"), "l"),
            "hl" => (Volume, dec("0.1"), "hl"),
            "m2" | "m^2" => (Area, Decimal::ONE, "m2"),
            "ha" => (Area, dec("10000"), "ha"),
            "km2" => (Area, dec("1000000"), "km2"),
            "km" | "vkm" | "veh-km" | "vehicle-km" | "vehicle-kilometres" => {
                (Distance, Decimal::ONE, "km")
            }
            "aap" | "head" | "heads" | "animal" | "animals" | "place" | "places"
            | "animal-place" | "animal-places" => (Count(Animal), Decimal::ONE, "AAP"),
            "vehicle" | "vehicles" | "car" | "cars" | "bus" | "buses" | "veh" => {
                (Count(Vehicle), Decimal::ONE, "vehicle")
            }
            "person" | "persons" | "capita" | "inhabitant" | "inhabitants" | "people"
            | "population" => (Count(Person), Decimal::ONE, "person"),
            "body" | "bodies" | "corpse" | "corpses" | "cremation" | "cremations" => {
                (Count(Body), Decimal::ONE, "body")
            }
            "fire" | "fires" => (Count(Fire), Decimal::ONE, "fire"),
            "lto" | "ltos" => (Count(Lto), Decimal::ONE, "LTO"),
            "pair" | "pairs" => (Count(Pair), Decimal::ONE, "pair"),
            "hole" | "holes" => (Count(Hole), Decimal::ONE, "hole"),
            "number" | "count" | "pieces" | "items" | "pcs" => (Count(Any), Decimal::ONE, "number"),
            _ => return None,
        },
    };
    Some(r)
}

fn period_token(token: &str) -> Option<Period> {
    match token.to_ascii_lowercase().as_str() {
        "a" | "yr" | "year" | "years" | "annum" => Some(Period::Year),
        "d" | "day" | "days" => Some(Period::Day),
        _ => None,
    }
}

/// Substances a factor's mass may be expressed as.
fn substance_token(token: &str) -> Option<&'static str> {
    match token.to_ascii_uppercase().as_str() {
        "NH3" => Some("NH3"),
        "NO2" => Some("NO2"),
        "NMVOC" => Some("NMVOC"),
        "SO2" => Some("SO2"),
        "I-TEQ" | "ITEQ" | "TEQ" => Some("I-TEQ"),
        "WHO-TEG" | "WHO-TEQ" => Some("WHO-TEQ"),
        "NH3-N" => Some("NH3-N"),
        "N2O-N" => Some("N2O-N"),
        "NO-N" | "NOX-N" => Some("NOx-N"),
        _ => None,
    }
}

/// A numerator: mass unit and the substance it is expressed as.
fn parse_numerator(words: &[String]) -> Result<(Decimal, &'static str, String), String> {
    let mut mass = None;
    let mut substance = String::new();
    for w in words {
        let w = w.as_str();
        if let Some(m) = mass_unit(w) {
            if mass.is_some() {
                return Err("two mass units in the numerator".into());
            }
            mass = Some(m);
        } else if let Some(s) = substance_token(w) {
            substance = s.to_string();
        } else if let Some(rest) = w.strip_prefix('g').filter(|r| substance_token(r).is_some()) {
            // `gTEQ`
            mass = Some((Decimal::ONE, "g"));
            substance = substance_token(rest).unwrap_or_default().to_string();
        } else {
            return Err(format!("'{w}' is not a mass unit or a substance"));
        }
    }
    let (grams, symbol) = mass.ok_or_else(|| "the numerator is not a mass".to_string())?;
    Ok((grams, symbol, substance))
}

/// One denominator term: a quantity (unit + basis words) or a time.
enum Term {
    Quantity(Quantity),
    Period(Period),
}

fn parse_term(text: &str) -> Result<Vec<Term>, String> {
    let text = text
        .trim()
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    let words: Vec<&str> = text.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let Some(first) = words.first() else {
        return Err("an empty denominator".into());
    };
    if let Some(p) = period_token(first)
        && words.len() == 1
    {
        return Ok(vec![Term::Period(p)]);
    }
    // `g of NMVOC in gas flared`: a mass of something.
    let (unit, rest) = match quantity_unit(first) {
        Some(u) => (u, &words[1..]),
        None => return Err(format!("'{first}' is not a unit of activity")),
    };
    let mut terms = Vec::new();
    let mut basis: Vec<&str> = Vec::new();
    for w in rest {
        // `(AAP d)`: a count per day.
        if let Some(p) = period_token(w).filter(|_| rest.len() == 1 && unit.0 != Dimension::Mass) {
            terms.push(Term::Period(p));
        } else {
            basis.push(w);
        }
    }
    let mut basis = basis.join(" ").replace(['(', ')'], "");
    if let Some(b) = basis.strip_prefix("of ") {
        basis = b.to_string();
    }
    let dimension =
        if unit.0 == Dimension::Energy && basis.to_ascii_lowercase().contains("electricity") {
            Dimension::Electricity
        } else {
            unit.0
        };
    terms.insert(
        0,
        Term::Quantity(Quantity {
            dimension,
            scale: unit.1,
            symbol: unit.2.to_string(),
            basis,
        }),
    );
    Ok(terms)
}

/// Reads an emission factor unit as the factor database writes it.
///
/// Returns why the unit cannot be used when it cannot (a number in the unit
/// column, a compound denominator such as `g/m3 throughput/kPa TVP`, a mass
/// expressed as nitrogen).
pub fn parse_factor_unit(text: &str) -> Result<FactorUnit, String> {
    let t = normalise(text);
    if t.is_empty() {
        return Err("no unit is given".into());
    }
    if t.chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return Err(format!(
            "the unit column holds a number ('{t}'), not a unit"
        ));
    }
    if let Some(rest) = t.strip_prefix('%') {
        let rest = rest.trim();
        if rest.is_empty() {
            return Ok(FactorUnit::Efficiency);
        }
        let of = rest
            .strip_prefix("of")
            .map(str::trim)
            .unwrap_or(rest)
            .trim_end_matches('*');
        return match crate::pollutant::Pollutant::parse(of) {
            Some(p) => Ok(FactorUnit::ShareOf(p)),
            None => Err(format!(
                "'{of}' is not an Annex I pollutant to take a share of"
            )),
        };
    }
    if t.eq_ignore_ascii_case("fraction") {
        return Ok(FactorUnit::Efficiency);
    }
    let (numerator_words, terms) = if t.contains('/') {
        split_slash_form(&t)?
    } else {
        split_exponent_form(&t)?
    };
    let (grams, mass_symbol, substance) = parse_numerator(&numerator_words)?;
    let mut per: Option<Quantity> = None;
    let mut period = Period::Year;
    for term in terms {
        match term {
            Term::Period(p) => {
                if p == Period::Day {
                    if period == Period::Day {
                        return Err("two periods in the denominator".into());
                    }
                    period = Period::Day;
                }
            }
            Term::Quantity(q) => {
                if let Some(prev) = &per {
                    // `g km-1 vehicle-1`: per vehicle-km is a distance driven.
                    let pair = (prev.dimension, q.dimension);
                    if pair == (Dimension::Distance, Dimension::Count(CountKind::Vehicle))
                        || pair == (Dimension::Count(CountKind::Vehicle), Dimension::Distance)
                    {
                        per = Some(Quantity {
                            dimension: Dimension::Distance,
                            scale: Decimal::ONE,
                            symbol: "km".into(),
                            basis: String::new(),
                        });
                        continue;
                    }
                    return Err(format!(
                        "the unit is per {} and per {} at once, which airinv cannot apply to one activity",
                        prev.dimension.describe(),
                        q.dimension.describe()
                    ));
                }
                per = Some(q);
            }
        }
    }
    let per = per.ok_or_else(|| "the unit has no activity in its denominator".to_string())?;
    if matches!(substance.as_str(), "NH3-N" | "N2O-N" | "NOx-N") {
        return Err(format!(
            "the mass is expressed as nitrogen ({substance}); converting to the reported compound is not exact, give the factor in your own factor file"
        ));
    }
    if period == Period::Day && !matches!(per.dimension, Dimension::Count(_)) {
        return Err("a per-day factor must be per vehicle, animal or other count".into());
    }
    Ok(FactorUnit::Rate {
        grams,
        mass_symbol: mass_symbol.to_string(),
        substance,
        per,
        period,
    })
}

/// `g/Mg clinker`, `g/vehicle/day`, `I-Teq ng/GJ`, `g/(g of S in gas flared)`.
fn split_slash_form(t: &str) -> Result<(Vec<String>, Vec<Term>), String> {
    let mut parts = t.split('/');
    let numerator = parts.next().unwrap_or_default();
    let numerator_words = numerator
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect();
    let mut terms = Vec::new();
    for part in parts {
        terms.extend(parse_term(part)?);
    }
    Ok((numerator_words, terms))
}

/// `kg a-1 AAP-1 NH3`, `g km-1 vehicle-1`, `kg NH3 kg-1 fertiliser N applied`,
/// `kg NH3 capita -1`, `kg ha-1`, `kg NH3-N (AAP d)-1`.
fn split_exponent_form(t: &str) -> Result<(Vec<String>, Vec<Term>), String> {
    let words = exponent_words(t);
    let first_den = words
        .iter()
        .position(|w| w.ends_with("-1"))
        .ok_or_else(|| format!("'{t}' has no '/' and no '-1' to say what it is per"))?;
    let mut numerator_words = words[..first_den].to_vec();
    let mut words = words;
    // A substance after the last denominator (`kg a-1 AAP-1 NH3`) says what
    // the numerator's mass is of.
    if words.len() > first_den + 1
        && !words[words.len() - 1].ends_with("-1")
        && words[words.len() - 2].ends_with("-1")
        && substance_token(&words[words.len() - 1]).is_some()
    {
        numerator_words.extend(words.pop());
    }
    let mut terms = Vec::new();
    let mut i = first_den;
    while i < words.len() {
        let unit = words[i].strip_suffix("-1").unwrap_or(&words[i]);
        // Words after a denominator say what it is per (`kg-1 fertiliser N
        // applied`); they may only follow the last one.
        let mut j = i + 1;
        while j < words.len() && !words[j].ends_with("-1") {
            j += 1;
        }
        let basis = &words[i + 1..j];
        if !basis.is_empty() && j < words.len() {
            return Err(format!(
                "cannot read '{}' between two denominators",
                basis.join(" ")
            ));
        }
        let text = std::iter::once(unit)
            .chain(basis.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ");
        terms.extend(parse_term(&text)?);
        i = j;
    }
    Ok((numerator_words, terms))
}

/// Splits on spaces outside parentheses, gluing a detached exponent
/// (`capita -1` → `capita-1`).
fn exponent_words(t: &str) -> Vec<String> {
    let glued = t.replace(" -1", "-1");
    let mut words = Vec::new();
    let mut depth = 0i32;
    let mut current = String::new();
    for c in glued.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if c == ' ' && depth <= 0 {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Reads the unit of an activity value: `TJ`, `TJ NCV`, `kt`, `t clinker`,
/// `1000 head`, `10^6 km`, `thousand toe`, `ktoe`, `MWh electricity`,
/// `Mileage [10^6 km]`.
pub fn parse_activity_unit(text: &str) -> Result<Quantity, String> {
    let t = normalise(text);
    if t.is_empty() {
        return Err("no unit is given".into());
    }
    // The template's texts put the unit in brackets: `Clinker produced [kt]`.
    if let Some(inner) = bracketed(&t)
        && let Ok(q) = parse_activity_unit(inner)
    {
        return Ok(q);
    }
    let words: Vec<&str> = t.split(' ').filter(|w| !w.is_empty()).collect();
    let (multiplier, rest) = match multiplier(words[0]) {
        Some(m) if words.len() > 1 => (m, &words[1..]),
        _ => (Decimal::ONE, &words[..]),
    };
    let Some((dimension, scale, symbol)) = quantity_unit(rest[0]) else {
        return Err(format!(
            "'{}' is not a unit airinv knows{}; {}",
            rest[0],
            crate::suggest::did_you_mean(rest[0], UNIT_NAMES.iter().copied()),
            ACCEPTED_ACTIVITY_UNITS
        ));
    };
    let basis = rest[1..].join(" ");
    if basis.to_ascii_uppercase().contains("GCV") {
        return Err(
            "the Guidebook's factors are per net calorific value (NCV); convert gross (GCV) figures to NCV first"
                .into(),
        );
    }
    let dimension =
        if dimension == Dimension::Energy && basis.to_ascii_lowercase().contains("electricity") {
            Dimension::Electricity
        } else {
            dimension
        };
    let symbol = if multiplier == Decimal::ONE {
        symbol.to_string()
    } else {
        format!("{} {symbol}", crate::number::format_decimal(multiplier))
    };
    Ok(Quantity {
        dimension,
        scale: scale * multiplier,
        symbol,
        basis,
    })
}

/// The unit of an activity, read once: the text as written (normalised,
/// what detail.csv and messages show) and the quantity it is. Ordered and
/// compared as the text (the quantity follows from it).
#[derive(Debug, Clone)]
pub struct ActivityUnit {
    text: crate::pins::Name,
    quantity: Quantity,
}

impl ActivityUnit {
    /// Reads an activity unit ([`parse_activity_unit`]), keeping its
    /// normalised text.
    pub fn parse(text: &str) -> Result<ActivityUnit, String> {
        let quantity = parse_activity_unit(text)?;
        let text = crate::pins::Name::new(&normalise(text)).ok_or("no unit is given")?;
        Ok(ActivityUnit { text, quantity })
    }

    /// The unit as written, normalised (`TJ`, `1000 head`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub fn quantity(&self) -> &Quantity {
        &self.quantity
    }
}

impl fmt::Display for ActivityUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for ActivityUnit {
    fn eq(&self, other: &ActivityUnit) -> bool {
        self.text == other.text
    }
}

impl Eq for ActivityUnit {}

impl std::hash::Hash for ActivityUnit {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

impl PartialOrd for ActivityUnit {
    fn partial_cmp(&self, other: &ActivityUnit) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ActivityUnit {
    fn cmp(&self, other: &ActivityUnit) -> std::cmp::Ordering {
        self.text.cmp(&other.text)
    }
}

/// The unit symbols suggested for a misspelt one.
const UNIT_NAMES: [&str; 44] = [
    "J",
    "kJ",
    "MJ",
    "GJ",
    "TJ",
    "PJ",
    "kWh",
    "MWh",
    "GWh",
    "TWh",
    "toe",
    "ktoe",
    "Mtoe",
    "kcal",
    "Mcal",
    "Gcal",
    "Tcal",
    "tce",
    "ktce",
    "Mtce",
    "g",
    "kg",
    "t",
    "kt",
    "Mt",
    "l",
    "hl",
    "m3",
    "bcm",
    "m2",
    "ha",
    "km2",
    "km",
    "head",
    "AAP",
    "vehicles",
    "inhabitants",
    "persons",
    "bodies",
    "fires",
    "LTO",
    "pairs",
    "number",
    "tonnes",
];

/// The accepted activity units, for messages.
pub const ACCEPTED_ACTIVITY_UNITS: &str = "accepted units: energy J kJ MJ GJ TJ PJ, kWh MWh GWh TWh, toe ktoe Mtoe, kcal Mcal Gcal Tcal, tce ktce Mtce; \
mass g kg t (tonne, Mg) kt (Gg) Mt; volume l hl m3 bcm (gases: with a calorific value per m3); area m2 ha km2; distance km (vehicle-km); \
counts head (AAP, animals), vehicles, persons (inhabitants, capita), bodies, fires, LTO, pairs, number; \
each may be preceded by a multiplier (1000, 10^6, thousand, million) and followed by words saying what is measured (t clinker, TJ NCV)";

fn bracketed(t: &str) -> Option<&str> {
    for (open, close) in [('[', ']'), ('(', ')')] {
        if let (Some(a), Some(b)) = (t.find(open), t.rfind(close))
            && a < b
        {
            return Some(t[a + 1..b].trim());
        }
    }
    None
}

fn multiplier(word: &str) -> Option<Decimal> {
    let r = match word.to_ascii_lowercase().as_str() {
        "1000" | "10^3" | "10³" | "thousand" | "thous." | "'000" | "тыс." | "тыс" => {
            dec("1000")
        }
        "10^6" | "1000000" | "million" | "mln" | "mio" | "млн" | "млн." => dec("1000000"),
        "10^9" | "billion" | "bn" | "млрд" | "млрд." => dec("1000000000"),
        "100" => dec("100"),
        _ => return None,
    };
    Some(r)
}

/// The factor that turns an amount of `activity` into the factor's
/// denominator unit `per`, and whether it is exact.
///
/// The ratio of two scales is exact whenever it is a finite decimal, which
/// it is for every unit pair of the same family (powers of ten, toe, kWh).
pub fn conversion(activity: &Quantity, per: &Quantity) -> Result<(Decimal, bool), String> {
    if !activity.dimension.fits(per.dimension) {
        return Err(format!(
            "the activity is in {} ({}) but the factor is per {} ({})",
            activity,
            activity.dimension.describe(),
            per,
            per.dimension.describe()
        ));
    }
    ratio(activity.scale, per.scale)
}

/// True when an activity of dimension `activity` and a factor per `per`
/// are fuel energy and fuel mass, which a net calorific value converts.
pub fn fuel_mass_or_energy(activity: Dimension, per: &Quantity) -> bool {
    let fuel_basis = per.basis.is_empty() || per.basis.to_ascii_lowercase().contains("fuel");
    match (activity, per.dimension) {
        (Dimension::Energy, Dimension::Mass) => fuel_basis,
        (Dimension::Mass, Dimension::Energy) => true,
        _ => false,
    }
}

/// The conversion of an activity amount into a factor's denominator
/// through a net calorific value (GJ per tonne), as a fraction
/// `(numerator, denominator)` of exact decimals.
///
/// Energy to mass divides by the NCV (1 TJ of diesel at 43 GJ/t is
/// 23.2558... t), so the caller multiplies everything else first and
/// divides once at the end: 430 TJ at 43 GJ/t gives exactly 10 000 t.
pub fn conversion_via_ncv(
    activity: &Quantity,
    per: &Quantity,
    ncv_gj_per_t: Decimal,
) -> Result<(Decimal, Decimal), String> {
    // NCV in J per g: GJ/t = 10^9 J / 10^6 g = 1000 J/g.
    let too_large = || {
        format!(
            "the net calorific value {ncv_gj_per_t} GJ/t takes the conversion beyond the range of exact decimals; check the fuel's NCV under [ncv] in inventory.toml"
        )
    };
    let j_per_g = ncv_gj_per_t
        .checked_mul(Decimal::ONE_THOUSAND)
        .ok_or_else(too_large)?;
    match (activity.dimension, per.dimension) {
        (Dimension::Energy, Dimension::Mass) => Ok((
            activity.scale,
            j_per_g.checked_mul(per.scale).ok_or_else(too_large)?,
        )),
        (Dimension::Mass, Dimension::Energy) => Ok((
            activity.scale.checked_mul(j_per_g).ok_or_else(too_large)?,
            per.scale,
        )),
        _ => Err(format!(
            "{activity} and {per} are not fuel energy and fuel mass"
        )),
    }
}

/// A volume of gas as the energy it holds, at a net calorific value per
/// volume in MJ per m³ (= GJ per thousand m³): `1 million m3` at 33.821
/// MJ/m³ is 33 821 GJ. The product of two exact decimals, so exact; the
/// unit's symbol and basis stay as written, for the lineage.
pub fn volume_as_energy(volume: &Quantity, mj_per_m3: Decimal) -> Result<Quantity, String> {
    if volume.dimension != Dimension::Volume {
        return Err(format!("{volume} is not a volume"));
    }
    let scale = volume
        .scale
        .checked_mul(mj_per_m3)
        .and_then(|s| s.checked_mul(dec("1000000")))
        .ok_or("the volume in joules is beyond the range of exact decimals")?;
    Ok(Quantity {
        dimension: Dimension::Energy,
        scale,
        symbol: volume.symbol.clone(),
        basis: volume.basis.clone(),
    })
}

/// `a / b`, and whether the quotient is exact.
pub fn ratio(a: Decimal, b: Decimal) -> Result<(Decimal, bool), String> {
    let q = a.checked_div(b).ok_or("the conversion is out of range")?;
    // A quotient that fills all 28 digits was rounded by the division (a
    // product check alone would round the same way and miss it).
    let digits = q.mantissa().unsigned_abs().to_string().len();
    let exact = digits < 28 && q.checked_mul(b) == Some(a);
    Ok((q.normalize(), exact))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pollutant::Pollutant;

    fn rate(text: &str) -> (Decimal, String, Quantity, Period) {
        match parse_factor_unit(text).unwrap_or_else(|e| panic!("{text}: {e}")) {
            FactorUnit::Rate {
                grams,
                substance,
                per,
                period,
                ..
            } => (grams, substance, per, period),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn cis_energy_units_are_exact() {
        let gj = parse_activity_unit("GJ").unwrap();
        let in_gj = |u: &str| {
            let q = parse_activity_unit(u).unwrap_or_else(|e| panic!("{u}: {e}"));
            assert_eq!(q.dimension, Dimension::Energy, "{u}");
            ratio(q.scale, gj.scale).unwrap()
        };
        // International Table calorie: 1 Gcal = 4.1868 GJ.
        assert_eq!(in_gj("Gcal"), (dec("4.1868"), true));
        assert_eq!(in_gj("Гкал"), (dec("4.1868"), true));
        assert_eq!(in_gj("thousand Gcal"), (dec("4186.8"), true));
        assert_eq!(in_gj("million Gcal"), (dec("4186800"), true));
        assert_eq!(in_gj("Tcal"), (dec("4186.8"), true));
        // 1 tce = 7 Gcal = 29.3076 GJ.
        assert_eq!(in_gj("tce"), (dec("29.3076"), true));
        assert_eq!(in_gj("thousand tce"), (dec("29307.6"), true));
        assert_eq!(in_gj("ktce"), (dec("29307.6"), true));
        assert_eq!(in_gj("Mtce"), (dec("29307600"), true));
        assert_eq!(in_gj("тыс. т.у.т."), (dec("29307.6"), true));
        assert_eq!(
            in_gj("tce").0,
            in_gj("Gcal").0 * Decimal::from(7),
            "tce is 7 Gcal"
        );
    }

    #[test]
    fn gas_volumes_become_energy_at_their_calorific_value() {
        let bcm = parse_activity_unit("bcm").unwrap();
        assert_eq!(
            (bcm.dimension, bcm.scale),
            (Dimension::Volume, dec("1000000000"))
        );
        let mcm = parse_activity_unit("million m3").unwrap();
        assert_eq!(mcm.scale, dec("1000000"));
        assert_eq!(parse_activity_unit("млн м³").unwrap().scale, dec("1000000"));
        // 1 million m3 at 33.821 MJ/m3 = 33 821 GJ.
        let e = volume_as_energy(&mcm, dec("33.821")).unwrap();
        assert_eq!(e.dimension, Dimension::Energy);
        let gj = parse_activity_unit("GJ").unwrap();
        assert_eq!(ratio(e.scale, gj.scale).unwrap(), (dec("33821"), true));
        assert_eq!(e.symbol, "1000000 m3");
        assert!(volume_as_energy(&gj, dec("33.821")).is_err());
    }

    #[test]
    fn energy_factors() {
        let (g, _, per, p) = rate("g/GJ");
        assert_eq!(
            (g, per.dimension, per.scale, p),
            (dec("1"), Dimension::Energy, dec("1000000000"), Period::Year)
        );
        assert_eq!(rate("mg/GJ").0, dec("0.001"));
        assert_eq!(rate("µg/GJ").0, dec("0.000001"));
        assert_eq!(rate("ug/GJ").0, dec("0.000001"));
        assert_eq!(rate("μg/GJ").0, dec("0.000001"));
        let (g, s, _, _) = rate("ng I-TEQ/GJ");
        assert_eq!((g, s.as_str()), (dec("0.000000001"), "I-TEQ"));
        let (g, s, _, _) = rate("I-Teq ng/GJ");
        assert_eq!((g, s.as_str()), (dec("0.000000001"), "I-TEQ"));
        let (_, _, per, _) = rate("g/MWh electricity produced");
        assert_eq!(per.dimension, Dimension::Electricity);
    }

    #[test]
    fn mass_factors_keep_what_they_are_per() {
        let (g, _, per, _) = rate("g/tonnes fuel");
        assert_eq!(
            (g, per.dimension, per.scale, per.basis.as_str()),
            (dec("1"), Dimension::Mass, dec("1000000"), "fuel")
        );
        assert_eq!(rate("g/tonne fuel").2.scale, dec("1000000"));
        let (g, _, per, _) = rate("mg/ kg fuel");
        assert_eq!((g, per.scale), (dec("0.001"), dec("1000")));
        assert_eq!(rate("g/Mg clinker").2.basis, "clinker");
        assert_eq!(rate("g/MG crude oil input").2.scale, dec("1000000"));
        assert_eq!(rate("g/te clinker").2.scale, dec("1000000"));
        assert_eq!(rate("g/(g of S in gas flared)").2.basis, "S in gas flared");
        assert_eq!(rate("g/Mg (100% Acid)").2.dimension, Dimension::Mass);
        assert_eq!(rate("ton/kton produced").0, dec("1000000"));
        assert_eq!(rate("gTEQ/t PCP applied").1, "I-TEQ");
        // In a slash unit the words after the denominator are what it is per.
        let (_, s, per, _) = rate("kg/ton NH3");
        assert_eq!((s.as_str(), per.basis.as_str()), ("", "NH3"));
    }

    #[test]
    fn livestock_and_per_capita_factors() {
        let (g, s, per, p) = rate("kg a–1 AAP–1 NH3");
        assert_eq!(
            (g, s.as_str(), per.dimension, p),
            (
                dec("1000"),
                "NH3",
                Dimension::Count(CountKind::Animal),
                Period::Year
            )
        );
        let (_, s, per, _) = rate("kg a–1 AAP–1 NO2");
        assert_eq!(
            (s.as_str(), per.dimension),
            ("NO2", Dimension::Count(CountKind::Animal))
        );
        assert_eq!(
            rate("kg AAP–1 a–1").2.dimension,
            Dimension::Count(CountKind::Animal)
        );
        let (_, s, per, _) = rate("kg NH3 kg–1 fertiliser N applied");
        assert_eq!(
            (s.as_str(), per.dimension, per.basis.as_str()),
            ("NH3", Dimension::Mass, "fertiliser N applied")
        );
        assert_eq!(
            rate("kg NH3 capita -1").2.dimension,
            Dimension::Count(CountKind::Person)
        );
        assert_eq!(rate("kg NO2 capita–1").1, "NO2");
        assert_eq!(
            rate("g/person").2.dimension,
            Dimension::Count(CountKind::Person)
        );
        assert_eq!(
            rate("kg/person/year").2.dimension,
            Dimension::Count(CountKind::Person)
        );
        assert_eq!(
            rate("mg/body").2.dimension,
            Dimension::Count(CountKind::Body)
        );
        assert_eq!(rate("kg ha–1").2.dimension, Dimension::Area);
        assert_eq!(rate("kg/m2/year").2.dimension, Dimension::Area);
        assert_eq!(rate("Mg/ha/year").0, dec("1000000"));
    }

    #[test]
    fn transport_factors() {
        let (_, _, per, p) = rate("g/vehicle/day");
        assert_eq!(
            (per.dimension, p),
            (Dimension::Count(CountKind::Vehicle), Period::Day)
        );
        assert_eq!(rate("g km-1 vehicle-1").2.dimension, Dimension::Distance);
        assert_eq!(rate("g/km").2.dimension, Dimension::Distance);
        assert_eq!(rate("kg/LTO").2.dimension, Dimension::Count(CountKind::Lto));
    }

    #[test]
    fn shares_and_efficiencies() {
        assert_eq!(
            parse_factor_unit("% of PM2.5"),
            Ok(FactorUnit::ShareOf(Pollutant::PM25))
        );
        assert_eq!(
            parse_factor_unit("% of TSP*"),
            Ok(FactorUnit::ShareOf(Pollutant::TSP))
        );
        assert_eq!(parse_factor_unit("%"), Ok(FactorUnit::Efficiency));
        assert!(parse_factor_unit("% of PM1.8").is_err());
    }

    #[test]
    fn units_that_cannot_be_used_say_why() {
        for bad in [
            "",
            "0",
            "1.5",
            "0,55",
            "kg/hr",
            "g/m3 throughput/kPa TVP",
            "kg NMVOC kg dm–1 ha–1",
            "kg NH3-N (AAP d)–1",
            "kg N2O-N (kg TAN entering store)–1",
            "MJ/km",
            "kg NMVOC kg/MJ feed intake",
        ] {
            let r = parse_factor_unit(bad);
            assert!(r.is_err(), "{bad} should not be understood: {r:?}");
        }
        assert!(
            parse_factor_unit("kg NH3-N (AAP d)–1")
                .unwrap_err()
                .contains("nitrogen")
        );
    }

    #[test]
    fn canonical_text_reads_back_to_the_same_unit() {
        for text in [
            "g/GJ",
            "mg/ kg fuel",
            "kg a–1 AAP–1 NH3",
            "g/vehicle/day",
            "g km-1 vehicle-1",
            "ng I-TEQ/GJ",
            "% of PM2.5",
            "g/Mg clinker",
            "kg/m2/year",
            "g/MWh electricity produced",
            "%",
        ] {
            let u = parse_factor_unit(text).unwrap();
            let again = parse_factor_unit(&u.canonical()).unwrap();
            assert_eq!(u, again, "{text} -> {}", u.canonical());
        }
        assert_eq!(
            parse_factor_unit("kg a–1 AAP–1 NH3").unwrap().canonical(),
            "kg NH3/AAP/year"
        );
        assert_eq!(
            parse_factor_unit("mg/ kg fuel").unwrap().canonical(),
            "mg/kg fuel"
        );
    }

    #[test]
    fn activity_units() {
        let q = parse_activity_unit("TJ").unwrap();
        assert_eq!(
            (q.dimension, q.scale),
            (Dimension::Energy, dec("1000000000000"))
        );
        assert_eq!(
            parse_activity_unit("TJ NCV").unwrap().scale,
            dec("1000000000000")
        );
        assert_eq!(
            parse_activity_unit("ktoe").unwrap().scale,
            dec("41868000000000")
        );
        assert_eq!(
            parse_activity_unit("thousand toe").unwrap().scale,
            dec("41868000000000")
        );
        assert_eq!(
            parse_activity_unit("GWh").unwrap().scale,
            dec("3600000000000")
        );
        assert_eq!(
            parse_activity_unit("1000 head").unwrap().dimension,
            Dimension::Count(CountKind::Animal)
        );
        assert_eq!(parse_activity_unit("1000 head").unwrap().scale, dec("1000"));
        assert_eq!(
            parse_activity_unit("Mileage [10^6 km]").unwrap().scale,
            dec("1000000")
        );
        assert_eq!(
            parse_activity_unit("Clinker produced [kt]").unwrap().scale,
            dec("1000000000")
        );
        assert_eq!(
            parse_activity_unit("Population size (1000 head)")
                .unwrap()
                .scale,
            dec("1000")
        );
        assert_eq!(
            parse_activity_unit("Number of m³ treated (m³)")
                .unwrap()
                .dimension,
            Dimension::Volume
        );
        assert_eq!(
            parse_activity_unit("Corpses [Number]").unwrap().dimension,
            Dimension::Count(CountKind::Any)
        );
        assert_eq!(parse_activity_unit("t clinker").unwrap().basis, "clinker");
        assert!(parse_activity_unit("TJ GCV").unwrap_err().contains("NCV"));
        assert!(
            parse_activity_unit("furlongs")
                .unwrap_err()
                .contains("accepted units")
        );
    }

    #[test]
    fn conversions_are_exact_or_refused() {
        let tj = parse_activity_unit("TJ").unwrap();
        let gj = match parse_factor_unit("g/GJ").unwrap() {
            FactorUnit::Rate { per, .. } => per,
            _ => unreachable!(),
        };
        assert_eq!(conversion(&tj, &gj).unwrap(), (dec("1000"), true));
        let toe = parse_activity_unit("ktoe").unwrap();
        assert_eq!(conversion(&toe, &gj).unwrap(), (dec("41868"), true));
        let kt = parse_activity_unit("kt").unwrap();
        let err = conversion(&kt, &gj).unwrap_err();
        assert!(err.contains("kt") && err.contains("GJ"), "{err}");
        let head = parse_activity_unit("1000 head").unwrap();
        let number = parse_activity_unit("number").unwrap();
        let aap = parse_activity_unit("AAP").unwrap();
        assert_eq!(conversion(&head, &aap).unwrap(), (dec("1000"), true));
        assert!(conversion(&number, &aap).is_ok());
        // Through a net calorific value: 1 t of diesel at 43 GJ/t is 43 GJ
        // exactly; 1 TJ is 1000/43 t, a quotient that is not a finite decimal.
        let t = parse_activity_unit("t").unwrap();
        let (n, d) = conversion_via_ncv(&t, &gj, dec("43")).unwrap();
        assert_eq!(ratio(n, d).unwrap(), (dec("43"), true));
        let kg_fuel = match parse_factor_unit("g/kg fuel").unwrap() {
            FactorUnit::Rate { per, .. } => per,
            _ => unreachable!(),
        };
        let (n, d) = conversion_via_ncv(&tj, &kg_fuel, dec("43")).unwrap();
        let (q, exact) = ratio(n, d).unwrap();
        assert!(!exact);
        assert_eq!(q.round_dp(6), dec("23255.813953"));
        // Divided last, 430 TJ is exactly 10 000 t (10^7 kg).
        assert_eq!(ratio(dec("430") * n, d).unwrap(), (dec("10000000"), true));
        let veh = parse_activity_unit("vehicles").unwrap();
        assert!(conversion(&veh, &aap).is_err());
        // A quotient that is not a finite decimal is flagged inexact.
        let gj_act = parse_activity_unit("GJ").unwrap();
        let kwh = parse_activity_unit("kWh").unwrap();
        assert!(!conversion(&gj_act, &kwh).unwrap().1);
    }

    #[test]
    fn an_activity_unit_is_parsed_once_and_keeps_its_text() {
        let u = ActivityUnit::parse(" 1000  head ").unwrap();
        assert_eq!(u.as_str(), "1000 head");
        assert_eq!(u.to_string(), "1000 head");
        assert_eq!(u.quantity().dimension, Dimension::Count(CountKind::Animal));
        assert_eq!(u.quantity().scale, Decimal::from(1000));
        let tj = ActivityUnit::parse("TJ").unwrap();
        assert_eq!(tj.quantity().scale, Decimal::from(1_000_000_000_000u64));
        // Ordered and compared as the text: "1000 head" < "TJ" < "t".
        let t = ActivityUnit::parse("t").unwrap();
        let mut units = [t.clone(), tj.clone(), u.clone()];
        units.sort();
        let texts: Vec<&str> = units.iter().map(ActivityUnit::as_str).collect();
        assert_eq!(texts, ["1000 head", "TJ", "t"]);
        assert_ne!(ActivityUnit::parse("kt").unwrap(), t);
        assert!(ActivityUnit::parse("").is_err());
        assert!(ActivityUnit::parse("furlongs").is_err());
    }
}
