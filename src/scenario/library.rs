//! The measure library (`emission-factors/abatement-measures.csv`, embedded):
//! 34 abatement measures with their removal efficiencies and costs in the
//! currency and price year of their source, each with its source. A
//! scenario takes one with `library = "B01"` and states what the library
//! cannot (full-load hours, efficiency, exchange rates, price indices).

use crate::pollutant::Pollutant;
use rust_decimal::Decimal;
use std::sync::LazyLock;

/// One measure of the library.
#[derive(Debug, Clone)]
pub struct LibraryMeasure {
    pub id: String,
    pub name: String,
    /// An NFR code or a prefix with `*`.
    pub nfr: String,
    pub fuel: Vec<String>,
    /// Empty where the source gives a method, not a number.
    pub removal: Vec<(Pollutant, Decimal)>,
    pub primary: Pollutant,
    /// `kW` when the capital and fixed costs are per kW of capacity.
    pub per: Option<String>,
    pub investment: Option<Decimal>,
    pub fixed_om: Option<Decimal>,
    pub variable_cost: Option<Decimal>,
    /// Per metric tonne of the primary pollutant removed.
    pub cost_per_tonne: Option<Decimal>,
    /// False where the source gives no cost (`cost_basis` none).
    pub cost_given: bool,
    pub lifetime: Option<u32>,
    pub currency: Option<String>,
    pub price_year: Option<i32>,
    pub confidence: String,
    pub source: String,
    /// How the source's numbers were turned into these.
    pub cost_note: String,
}

/// Metric tonnes in a US short ton (2000 lb × 0.45359237 kg/lb), exact.
pub const TONNES_PER_SHORT_TON: Decimal = Decimal::from_parts(90_718_474, 0, 0, false, 8);

/// The library's measures, in file order.
pub fn measures() -> &'static [LibraryMeasure] {
    static LIBRARY: LazyLock<Vec<LibraryMeasure>> = LazyLock::new(|| {
        parse(include_str!(
            "../../emission-factors/abatement-measures.csv"
        ))
        .expect("embedded abatement-measures.csv")
    });
    &LIBRARY
}

fn parse(text: &str) -> Result<Vec<LibraryMeasure>, String> {
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name}"))
    };
    let c: Vec<usize> = [
        "id",
        "measure",
        "nfr",
        "fuel",
        "removal",
        "pollutant",
        "cost_basis",
        "investment",
        "fixed_om",
        "variable_cost",
        "cost_per_tonne",
        "cost_mass_unit",
        "currency",
        "price_year",
        "lifetime",
        "confidence",
        "source",
        "note",
    ]
    .iter()
    .map(|n| col(n))
    .collect::<Result<_, _>>()?;
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let f = |i: usize| rec.get(c[i]).unwrap_or("").trim().to_string();
        let id = f(0);
        let bad = |what: String| format!("measure {id}: {what}");
        let dec = |i: usize| -> Result<Option<Decimal>, String> {
            let t = f(i);
            if t.is_empty() {
                return Ok(None);
            }
            crate::number::parse_decimal(&t)
                .map(Some)
                .map_err(|e| bad(format!("'{t}': {e}")))
        };
        let mut removal = Vec::new();
        for part in f(4).split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (p, v) = part
                .split_once('=')
                .ok_or_else(|| bad(format!("removal '{part}'")))?;
            let p = Pollutant::parse(p).ok_or_else(|| bad(format!("pollutant '{p}'")))?;
            let v = crate::number::parse_decimal(v.trim()).map_err(|e| bad(e.to_string()))?;
            removal.push((p, v));
        }
        let primary = Pollutant::parse(&f(5)).ok_or_else(|| bad("primary pollutant".into()))?;
        let basis = f(6);
        let currency = Some(f(12)).filter(|s| !s.is_empty());
        let price_year = match f(13) {
            t if t.is_empty() => None,
            t => Some(t.parse::<i32>().map_err(|e| bad(e.to_string()))?),
        };
        let (per, cost_per_tonne, cost_note) = match basis.as_str() {
            "kW" => (
                Some("kW".to_string()),
                None,
                format!(
                    "library {id}: investment and fixed O&M per kW electric, variable cost per MWh electric ({} of {})",
                    currency.clone().unwrap_or_default(),
                    price_year.unwrap_or_default()
                ),
            ),
            "tonne" => {
                let v = dec(10)?.ok_or_else(|| bad("cost_per_tonne".into()))?;
                match f(11).as_str() {
                    "short ton" => (
                        None,
                        Some(v / TONNES_PER_SHORT_TON),
                        format!(
                            "library {id}: {} {} per short ton of {} removed = {} per t (1 short ton = 0.90718474 t)",
                            crate::number::format_decimal(v),
                            currency.clone().unwrap_or_default(),
                            primary.id(),
                            crate::number::format_decimal((v / TONNES_PER_SHORT_TON).round_dp(4))
                        ),
                    ),
                    "t" => (None, Some(v), format!("library {id}: per t removed")),
                    other => return Err(bad(format!("cost_mass_unit '{other}'"))),
                }
            }
            "none" => (None, None, String::new()),
            other => return Err(bad(format!("cost_basis '{other}'"))),
        };
        let (investment, fixed_om, variable_cost) = if basis == "kW" {
            (dec(7)?, dec(8)?, dec(9)?)
        } else {
            (None, None, None)
        };
        out.push(LibraryMeasure {
            name: f(1),
            nfr: f(2),
            fuel: f(3)
                .split(';')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            removal,
            primary,
            per,
            investment,
            fixed_om,
            variable_cost,
            cost_per_tonne,
            cost_given: basis != "none",
            lifetime: match f(14) {
                t if t.is_empty() => None,
                t => Some(t.parse::<u32>().map_err(|e| bad(e.to_string()))?),
            },
            currency,
            price_year,
            confidence: f(15),
            source: f(16),
            cost_note,
            id,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_library_has_the_34_measures_each_with_its_source() {
        let all = measures();
        assert_eq!(all.len(), 34);
        assert_eq!(all[0].id, "B01");
        assert_eq!(all[30].id, "B31");
        assert!(all.iter().all(|m| !m.source.is_empty()));
        // Euro VI lorries: 1 − 0.315 / 5.101 g/km (Guidebook 1.A.3.b.iii
        // Table 3-21) = 0.93825, to 4 decimals; no cost in any source.
        let b32 = &all[31];
        assert_eq!(b32.removal[0], (Pollutant::NOx, "0.9382".parse().unwrap()));
        assert!(!b32.cost_given && b32.source.contains("Table 3-21"));
        // Every measure with a cost keeps its currency and price year.
        for m in all {
            if m.investment.is_some() || m.cost_per_tonne.is_some() {
                assert_eq!(m.currency.as_deref(), Some("USD"), "{}", m.id);
                assert!(m.price_year.is_some(), "{}", m.id);
            }
        }
    }

    #[test]
    fn library_values_are_the_sources_numbers() {
        let b01 = &measures()[0];
        assert_eq!(b01.removal, vec![(Pollutant::SOx, "0.96".parse().unwrap())]);
        assert_eq!(b01.investment, Some(Decimal::from(544)));
        assert_eq!(b01.fixed_om, Some("8.6".parse().unwrap()));
        assert_eq!(b01.variable_cost, Some("2.3".parse().unwrap()));
        assert_eq!(b01.price_year, Some(2011));
        assert_eq!(b01.per.as_deref(), Some("kW"));
        // B05: 1069 USD(2003) per short ton of SO2 = 1069 / 0.90718474 per t.
        let b05 = measures().iter().find(|m| m.id == "B05").unwrap();
        let per_t = b05.cost_per_tonne.unwrap();
        assert_eq!(per_t.round_dp(4), "1178.3708".parse().unwrap());
        assert_eq!(b05.price_year, Some(2003));
    }
}
