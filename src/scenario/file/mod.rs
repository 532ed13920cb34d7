//! The scenario file (TOML), read in two stages: raw serde structs that
//! refuse unknown keys (a misspelt key is an error naming the key and its
//! line), then a validating pass that turns them into [`Scenario`], naming
//! the table, the key and the line of every value it refuses.
//!
//! ```toml
//! name = "WM"                       # the scenario's name in every output
//! base = ".."                       # inventory folder or activity file, relative to this file
//! base_year = 2024                  # the year projected from (compiled from `base`)
//! years = [2030, 2040]              # projection years
//! discount_rate = 0.04              # for the capital recovery factor
//! currency = "EUR"                  # the currency and price year costs are shown in
//! price_year = 2024
//! [exchange_rates]                  # units of `currency` per unit of another currency
//! USD = 0.9
//! [price_index]                     # any index by year: a cost of year Y × index[price_year] / index[Y]
//! 2011 = 100
//! 2024 = 131
//!
//! [[growth]]                        # activity growth: a compound annual rate ...
//! nfr = "1A1a"                      # an NFR code, or a prefix ending in * ("1A4*", "*")
//! fuel = "Hard coal"                # optional
//! rate = 0.01
//! [[growth]]                        # ... or activity values per year (the activity unit: TJ for fuels)
//! nfr = "1A3bi"
//! activity = { 2030 = 120000, 2040 = 130000 }
//! # activity_file = "projected.csv" # or projected activity in the activity format (year,nfr,fuel,value,unit)
//!
//! [[measure]]                       # or library = "B01" (emission-factors/abatement-measures.csv);
//!                                   # guidebook = ["GB23-..."]: removals from Guidebook Tier 2 abatement efficiencies
//! id = "FGD"
//! nfr = "1A1a"
//! fuel = "Hard coal"
//! removal = { SOx = 0.95, Hg = 0.64 }
//! group = "SOx"                     # alternatives share a group (default: `pollutant`, else the first written in removal)
//! investment = 1500                 # per unit of activity per year of capacity (or per kW, see `per`)
//! lifetime = 20
//! fixed_om_pct = 2
//! variable_cost = 30                # per unit of activity
//! max_share = 0.9
//! share = { 2030 = 0.5 }            # decided (WM): a floor for --optimize
//! start_year = 2028
//!
//! [[measure]]                       # plants brought to a limit-value set (airinv plants):
//! id = "ELV"                        # one measure per row and fuel of the plants, with the
//! limits = "protocols-1999"         # reductions and the cheapest measures' costs of the gap
//! ratification_year = 2026          # assessment on the base year (crate::scenario::limits)
//! nfr = "1A1a"                      # optional: the plants' rows (and fuel, plants = ["id", ...])
//! share = { 2030 = 1 }
//!
//! [[target]]
//! pollutant = "SOx"
//! year = 2030
//! reduction_pct = 59
//! base_year = 2005                  # compiled from `base`, or given as base_emission (kt) with its source
//! ```
//!
//! One file per job: `raw` (the serde structs), `check` (numbers,
//! years, fractions, with the line of each refusal), `growth`,
//! `measure` and `target` (each section checked), this module (the
//! general keys, and the order of it all).

use crate::error::{Error, Result};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

mod check;
mod growth;
mod limits;
mod measure;
mod raw;
mod target;

pub use growth::{Growth, GrowthKind};
pub use measure::{CostBasis, CostSpec, LimitsSpec, Measure};
pub use target::{Target, TargetKind};

use check::Checker;
use raw::RawScenario;

/// Which activity keys a growth rule or a measure reaches: an NFR code, or
/// a prefix (`1A4*`; `*` is every row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodePattern {
    Exact(String),
    Prefix(String),
}

impl CodePattern {
    fn parse(text: &str) -> std::result::Result<CodePattern, String> {
        let t = text.trim();
        if let Some(prefix) = t.strip_suffix('*') {
            return Ok(CodePattern::Prefix(prefix.to_string()));
        }
        match crate::nfr::find(t) {
            Some(row) => Ok(CodePattern::Exact(row.code.clone())),
            None => Err(crate::nfr::unknown_code_message(t)),
        }
    }

    pub fn matches(&self, code: &str) -> bool {
        match self {
            CodePattern::Exact(c) => c == code,
            CodePattern::Prefix(p) => code.starts_with(p.as_str()),
        }
    }

    /// Larger is more specific: an exact code, then the longer prefix.
    pub fn specificity(&self) -> usize {
        match self {
            CodePattern::Exact(_) => usize::MAX,
            CodePattern::Prefix(p) => p.len(),
        }
    }
}

impl std::fmt::Display for CodePattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodePattern::Exact(c) => write!(f, "{c}"),
            CodePattern::Prefix(p) => write!(f, "{p}*"),
        }
    }
}

/// A validated scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub path: PathBuf,
    pub name: String,
    /// The inventory folder or activity file, resolved against the scenario's folder.
    pub base: PathBuf,
    pub country: Option<String>,
    pub base_year: i32,
    /// Projection years, ascending.
    pub years: Vec<i32>,
    pub discount_rate: Decimal,
    pub currency: String,
    pub price_year: Option<i32>,
    pub exchange_rates: BTreeMap<String, Decimal>,
    pub price_index: BTreeMap<i32, Decimal>,
    pub growth: Vec<Growth>,
    pub measures: Vec<Measure>,
    pub targets: Vec<Target>,
}

/// Reads and validates a scenario file.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    parse(&text, path)
}

/// Validates the text of a scenario file (`path` names it in messages and
/// is what relative paths are resolved against).
pub fn parse(text: &str, path: &Path) -> Result<Scenario> {
    let c = Checker { text, path };
    let raw: RawScenario = toml::from_str(text).map_err(|e| match e.span() {
        // At its line, in the words of what is wrong (the TOML parser's own
        // message when the text is not TOML at all).
        Some(span) if e.message() == raw::DOTTED_KEY => c.at(span, e.message().to_string()),
        _ => Error::file(path, format!("not a valid scenario file: {e}")),
    })?;
    let dir = path.parent().unwrap_or(Path::new(""));
    for (what, name) in std::iter::once(("base", &raw.base))
        .chain(raw.activity_file.as_ref().map(|f| ("activity_file", f)))
    {
        crate::config::check_file_name(name.get_ref())
            .map_err(|e| c.at(name.span(), format!("{what}: {e}")))?;
    }
    let (base_year, years) = projection_years(&raw, &c)?;
    let prices = prices(&raw, &c)?;
    let mut growth = raw
        .growth
        .iter()
        .map(|g| growth::growth_rule(g, &years, &c))
        .collect::<Result<Vec<_>>>()?;
    if let Some(f) = &raw.activity_file {
        growth.extend(growth::read_activity_file(&dir.join(f.get_ref()), &years)?);
    }
    let money = measure::Money {
        currency: &prices.currency,
        price_year: prices.price_year,
    };
    let measures = measures(&raw.measure, &money, &c)?;
    let mut targets: Vec<Target> = Vec::new();
    for t in &raw.target {
        let target = target::target(t, &years, &c)?;
        if targets
            .iter()
            .any(|o| o.pollutant == target.pollutant && o.year == target.year)
        {
            return Err(c.at(
                t.span(),
                format!(
                    "[[target]] {} {}: a second target",
                    target.pollutant.id(),
                    target.year
                ),
            ));
        }
        targets.push(target);
    }
    Ok(Scenario {
        path: path.to_path_buf(),
        name: raw.name.clone().unwrap_or_else(|| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("scenario")
                .to_string()
        }),
        base: dir.join(raw.base.get_ref()),
        country: raw.country.clone(),
        base_year,
        years,
        discount_rate: prices.discount_rate,
        currency: prices.currency,
        price_year: prices.price_year,
        exchange_rates: prices.exchange_rates,
        price_index: prices.price_index,
        growth,
        measures,
        targets,
    })
}

/// The base year and the projection years (after it, ascending, each once).
fn projection_years(raw: &RawScenario, c: &Checker) -> Result<(i32, Vec<i32>)> {
    let base_year = c.year(*raw.base_year.get_ref(), raw.base_year.span(), "base_year")?;
    let mut years = Vec::new();
    for y in raw.years.get_ref() {
        let y = c.year(*y, raw.years.span(), "years")?;
        if y <= base_year {
            return Err(c.at(
                raw.years.span(),
                format!(
                    "years: {y} is not after base_year {base_year}; projection years come after the base year"
                ),
            ));
        }
        if !years.contains(&y) {
            years.push(y);
        }
    }
    if years.is_empty() {
        return Err(c.at(
            raw.years.span(),
            "years is empty: give the projection years, e.g. [2030, 2040]".into(),
        ));
    }
    years.sort_unstable();
    Ok((base_year, years))
}

/// What costs are discounted and shown in.
struct Prices {
    discount_rate: Decimal,
    currency: String,
    price_year: Option<i32>,
    exchange_rates: BTreeMap<String, Decimal>,
    price_index: BTreeMap<i32, Decimal>,
}

/// The discount rate, the currency and price year costs are shown in, and
/// the exchange rates and price index that bring other costs to them.
fn prices(raw: &RawScenario, c: &Checker) -> Result<Prices> {
    let discount_rate = c.num(&raw.discount_rate, "discount_rate")?;
    if discount_rate <= Decimal::ZERO || discount_rate >= Decimal::ONE {
        return Err(c.at(
            raw.discount_rate.span(),
            format!(
                "discount_rate = {}: a rate per year as a fraction above 0 and below 1 (0.04 for 4 %)",
                crate::number::format_decimal(discount_rate)
            ),
        ));
    }
    let currency = raw.currency.clone().unwrap_or_else(|| "EUR".to_string());
    let price_year = match &raw.price_year {
        Some(p) => Some(c.year(*p.get_ref(), p.span(), "price_year")?),
        None => None,
    };
    let mut exchange_rates = BTreeMap::new();
    for (cur, n) in &raw.exchange_rates {
        let v = c.num(n, &format!("exchange_rates {cur}"))?;
        if v <= Decimal::ZERO {
            return Err(c.at(n.span(), format!("exchange_rates {cur}: must be above 0")));
        }
        exchange_rates.insert(cur.trim().to_string(), v);
    }
    let mut price_index = BTreeMap::new();
    for (k, n) in &raw.price_index {
        let y = c.year_key(k, n.span(), "price_index")?;
        let v = c.num(n, &format!("price_index {k}"))?;
        if v <= Decimal::ZERO {
            return Err(c.at(n.span(), format!("price_index {k}: must be above 0")));
        }
        price_index.insert(y, v);
    }
    Ok(Prices {
        discount_rate,
        currency,
        price_year,
        exchange_rates,
        price_index,
    })
}

/// Every `[[measure]]`, checked, in the file's order (a `limits` measure by
/// [`limits`], the others by [`measure`]); two measures may not share an id.
fn measures(
    raw: &[toml::Spanned<raw::RawMeasure>],
    money: &measure::Money,
    c: &Checker,
) -> Result<Vec<Measure>> {
    let mut guidebook = None;
    let mut out: Vec<Measure> = Vec::new();
    for m in raw {
        let line = c.line(&m.span());
        let measure = if m.get_ref().limits.is_some() {
            limits::limits_measure(m, line, money, c)?
        } else {
            measure::plain_measure(m, line, &mut guidebook, money, c)?
        };
        if out.iter().any(|o| o.id == measure.id) {
            return Err(c.at(
                m.span(),
                format!("[[measure]] {}: a second measure with this id", measure.id),
            ));
        }
        out.push(measure);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pollutant::Pollutant;

    const HEAD: &str =
        "base = \"inv\"\nbase_year = 2024\nyears = [2040, 2030]\ndiscount_rate = 0.04\n";

    fn parse_text(text: &str) -> Result<Scenario> {
        parse(text, Path::new("scen/wm.toml"))
    }

    fn message(text: &str) -> String {
        parse_text(text).unwrap_err().to_string()
    }

    #[test]
    fn a_file_name_with_a_control_character_is_named_with_its_line() {
        let m = message(&HEAD.replace("\"inv\"", "\"\\u0000inv\""));
        assert_eq!(
            m,
            "scen/wm.toml, line 1: base: '\\0inv' is not a file name: it holds the control character U+0000"
        );
        let m = message(&format!("{HEAD}activity_file = \"a\\tb.csv\"\n"));
        assert!(
            m.contains("line 5: activity_file: 'a\\tb.csv' is not a file name"),
            "{m}"
        );
    }

    #[test]
    fn a_scenario_is_read_with_exact_numbers_and_paths_from_its_folder() {
        let s = parse_text(&format!(
            "{HEAD}[[growth]]\nnfr = \"1A4*\"\nfuel = \"lignite\"\nrate = 0.015\n\n[[measure]]\nid = \"FGD\"\nnfr = \"1.A.1.a\"\nfuel = [\"Hard coal\", \"lignite\"]\nremoval = {{ SOx = 0.95, Hg = \"0.64\" }}\ninvestment = 1500\nlifetime = 20\nfixed_om_pct = 2\nvariable_cost = 30\nmax_share = 0.9\nshare = {{ 2030 = 0.25 }}\n"
        ))
        .unwrap();
        assert_eq!(s.base, Path::new("scen/inv"));
        assert_eq!(s.years, vec![2030, 2040]);
        assert_eq!(s.discount_rate, Decimal::new(4, 2));
        assert_eq!(s.growth[0].nfr, CodePattern::Prefix("1A4".into()));
        assert!(matches!(s.growth[0].kind, GrowthKind::Rate(r) if r == Decimal::new(15, 3)));
        let m = &s.measures[0];
        assert_eq!(m.nfr, CodePattern::Exact("1A1a".into()));
        assert_eq!(m.fuel, vec!["Hard coal", "lignite"]);
        assert_eq!(m.removal[&Pollutant::SOx], Decimal::new(95, 2));
        assert_eq!(m.removal[&Pollutant::Hg], Decimal::new(64, 2));
        // The first pollutant written is the primary one and names the group.
        assert_eq!(m.primary, Pollutant::SOx);
        assert_eq!(m.group, "SOx");
        assert_eq!(m.decided_share(2029), Decimal::ZERO);
        assert_eq!(m.decided_share(2035), Decimal::new(25, 2));
        assert_eq!(m.cost.currency, "EUR");
        assert_eq!(m.line, 10, "the line of its [[measure]] header");
    }

    #[test]
    fn refusals_name_the_table_the_key_and_the_line() {
        let m = message(&format!(
            "{HEAD}\n[[growth]]\nnfr = \"1A9z\"\nrate = 0.01\n"
        ));
        assert!(
            m.starts_with("scen/wm.toml, line 6: [[growth]] nfr:"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[measure]]\nid = \"A\"\nnfr = \"1A1a\"\nremoval = {{ SOx = 0.5 }}\ninvestment = 10\n"
        ));
        assert!(
            m.contains("line 6: [[measure]] A: an investment needs a lifetime"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[measure]]\nid = \"A\"\nnfr = \"1A1a\"\nremoval = {{ SOx = 0.5 }}\nannual_cost = 1\nmax_share = 0.5\nshare = {{ 2030 = 0.8 }}\n"
        ));
        assert!(
            m.contains("line 12: [[measure]] A: share 2030 = 0.8: above max_share 0.5"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[target]]\npollutant = \"SO2\"\nyear = 2035\nceiling = 10\n"
        ));
        assert!(
            m.contains("[[target]] SOx 2035: 2035 is not one of the projection years (2030, 2040)"),
            "{m}"
        );
        let m = message(&format!(
            "{HEAD}\n[[target]]\npollutant = \"NOx\"\nyear = 2030\nreduction_pct = 42\nbase_year = 2005\nbase_emission = 100\n"
        ));
        assert!(
            m.contains("a base_emission given by hand needs its source"),
            "{m}"
        );
        let m = message("base = \"x\"\nbase_year = 2024\nyears = [2020]\ndiscount_rate = 0.04\n");
        assert!(
            m.contains("line 3: years: 2020 is not after base_year 2024"),
            "{m}"
        );
        let m = message(&format!("{HEAD}\n[[measure]]\nlibrary = \"B99\"\n"));
        assert!(m.contains("library = 'B99': no such measure"), "{m}");
    }

    #[test]
    fn a_measure_can_take_its_removals_from_guidebook_abatement_efficiencies() {
        // 2.C.1 Table 3-25: venturi scrubbers or ESP, Zn 0.95 (Kakareka 1998).
        let s = parse_text(&format!(
            "{HEAD}\n[[measure]]\nid = \"ESP\"\nguidebook = \"GB23-ecc53d584b0f\"\nunit = \"t\"\nannual_cost = 1\n"
        ))
        .unwrap();
        let m = &s.measures[0];
        assert_eq!(m.nfr, CodePattern::Exact("2C1".into()));
        assert_eq!(m.removal[&Pollutant::Zn], Decimal::new(95, 2));
        assert!(m.source.contains("Kakareka (1998)"), "{}", m.source);
        let e = message(&format!(
            "{HEAD}\n[[measure]]\nid = \"X\"\nguidebook = \"GB23-2cd17450cf9f\"\nannual_cost = 1\n"
        ));
        assert!(e.contains("is not a Guidebook abatement efficiency"), "{e}");
    }

    #[test]
    fn a_library_measure_needs_what_the_library_cannot_say() {
        // B01's costs are per kW: without full-load hours the scenario is refused.
        let m = message(&format!("{HEAD}\n[[measure]]\nlibrary = \"B01\"\n"));
        assert!(
            m.contains("[[measure]] B01: per: costs per kW need full_load_hours"),
            "{m}"
        );
        // B24 gives a method, not a removal.
        let m = message(&format!("{HEAD}\n[[measure]]\nlibrary = \"B24\"\n"));
        assert!(
            m.contains("[[measure]] B24: removal: give the fraction it removes"),
            "{m}"
        );
        let s = parse_text(&format!("{HEAD}\n[[measure]]\nlibrary = \"B06\"\n")).unwrap();
        let b06 = &s.measures[0];
        assert_eq!(b06.removal.len(), 3);
        assert_eq!(b06.primary, Pollutant::SOx);
        assert_eq!(b06.cost.currency, "USD");
        assert_eq!(b06.cost.price_year, Some(1997));
        assert!(b06.source.contains("CoST"));
    }
}
