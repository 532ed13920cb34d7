//! SO2 from the sulphur content of fuel (Tier 1 for road transport, rail,
//! off-road machinery and navigation): SO2 = 2 × S × fuel.
//!
//! The defaults are the legal ceilings of the fuel standards in force, per
//! country group and year (`emission-factors/fuel-sulphur.csv`: the EU's
//! directives, Kazakhstan's classes of TR CU 013/2011); an inventory gives
//! the content it knows in inventory.toml (`[sulphur] Diesel = 8`, mg per kg
//! of fuel), which replaces the defaults for that fuel in every year. Each
//! becomes a factor of `2 × S` mg SO2 per kg of fuel, used for SOx where the
//! Guidebook has no Tier 1 SOx factor for the row and fuel.

use crate::emission_factor::{Factor, FactorKind, Origin};
use crate::pollutant::Pollutant;
use crate::unit::parse_factor_unit;
use rust_decimal::Decimal;
use std::sync::LazyLock;

/// The rows where SO2 comes from fuel sulphur: road exhaust, rail,
/// navigation, mobile machinery.
pub const ROWS: [&str; 12] = [
    "1A3bi", "1A3bii", "1A3biii", "1A3biv", "1A3c", "1A3dii", "1A2gvii", "1A4aii", "1A4bii",
    "1A4cii", "1A4ciii", "1A5b",
];

/// The last year an open-ended default applies to.
const LAST_YEAR: i32 = 2100;

/// One default of fuel-sulphur.csv.
#[derive(Debug, Clone)]
pub struct Default {
    pub group: String,
    pub fuel: String,
    pub mg_per_kg: Decimal,
    pub from: i32,
    pub to: i32,
    pub standard: String,
    pub source: String,
}

static DEFAULTS: LazyLock<Vec<Default>> = LazyLock::new(|| {
    let mut reader = crate::data::reader(include_str!("../../emission-factors/fuel-sulphur.csv"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("embedded fuel-sulphur.csv is valid CSV");
            Default {
                group: r[0].to_string(),
                fuel: r[1].to_string(),
                mg_per_kg: Decimal::from_str_exact(&r[2]).expect("fuel-sulphur.csv value"),
                from: r[3].parse().expect("fuel-sulphur.csv from"),
                to: if r[4].is_empty() {
                    LAST_YEAR
                } else {
                    r[4].parse().expect("fuel-sulphur.csv to")
                },
                standard: r[5].to_string(),
                source: r[6].to_string(),
            }
        })
        .collect()
});

/// The defaults' country group of a country (ISO2): `EU`, `KZ`, or none.
pub fn group(country: Option<&str>) -> Option<&'static str> {
    let c = country?.trim().to_ascii_uppercase();
    if crate::matching::is_eu_member(&c) {
        Some("EU")
    } else if c == "KZ" {
        Some("KZ")
    } else {
        None
    }
}

fn factor(
    fuel: &str,
    mg_per_kg: Decimal,
    years: Vec<i32>,
    id: String,
    reference: String,
) -> Factor {
    let unit_text = "mg/kg fuel";
    Factor {
        id,
        annex1_codes: ROWS.iter().map(|s| s.to_string()).collect(),
        source_code: "SO2 from fuel sulphur".into(),
        kind: FactorKind::EmissionFactor,
        fuel: crate::pins::Name::new(fuel),
        pins: crate::pins::Pins {
            table: crate::pins::Name::new("SO2 = 2 × S × fuel"),
            tier: Some(crate::pins::Tier::One),
            ..crate::pins::Pins::default()
        },
        pollutant: Pollutant::SOx,
        value: mg_per_kg * Decimal::TWO,
        unit_text: unit_text.into(),
        unit: parse_factor_unit(unit_text).expect("mg/kg fuel"),
        ci_lower: None,
        ci_upper: None,
        note: format!(
            "SO2 from fuel sulphur (Guidebook Tier 1: SO2 = 2 × S × fuel): S = {} mg/kg, {reference}",
            crate::number::format_decimal(mg_per_kg)
        ),
        reference,
        origin: Origin::Guidebook,
        years,
    }
}

/// The SO2-from-sulphur factors of an inventory: its own contents
/// (`[sulphur]`, every year), and the defaults of its country group for the
/// fuels it does not give.
pub fn factors(country: Option<&str>, own: &[(String, Decimal)]) -> Vec<Factor> {
    let fuels = crate::fuel::Fuels::built_in();
    let same = |a: &str, b: &str| match (fuels.find(a), fuels.find(b)) {
        (Some(x), Some(y)) => x.name == y.name,
        _ => crate::fuel::fuel_key(a) == crate::fuel::fuel_key(b),
    };
    let mut out: Vec<Factor> = own
        .iter()
        .map(|(fuel, s)| {
            factor(
                fuel,
                *s,
                Vec::new(),
                format!("S-own-{}", crate::fuel::fuel_key(fuel).replace(' ', "-")),
                "inventory.toml [sulphur]".into(),
            )
        })
        .collect();
    if let Some(g) = group(country) {
        for d in DEFAULTS
            .iter()
            .filter(|d| d.group == g && !own.iter().any(|(f, _)| same(f, &d.fuel)))
        {
            out.push(factor(
                &d.fuel,
                d.mg_per_kg,
                (d.from..=d.to).collect(),
                format!("S-{}-{}-{}", d.group, d.fuel, d.from),
                format!(
                    "{} default for {}-{}: {} ({})",
                    d.group,
                    d.from,
                    if d.to == LAST_YEAR {
                        String::new()
                    } else {
                        d.to.to_string()
                    },
                    d.standard,
                    d.source
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakhstan_defaults_follow_its_fuel_classes() {
        let f = factors(Some("KZ"), &[]);
        let diesel = |year: i32| {
            f.iter()
                .find(|x| crate::pins::text(&x.fuel) == "Diesel" && x.years.contains(&year))
                .map(|x| x.value)
        };
        // 2 × the sulphur content: K2 500, K3 350, K4 50 mg/kg.
        assert_eq!(diesel(2015), Some(Decimal::from(1000)));
        assert_eq!(diesel(2017), Some(Decimal::from(700)));
        assert_eq!(diesel(2024), Some(Decimal::from(100)));
        assert_eq!(diesel(2010), None);
        assert_eq!(group(Some("de")), Some("EU"));
        assert!(factors(Some("US"), &[]).is_empty());
    }

    #[test]
    fn an_inventory_s_own_content_replaces_the_default() {
        let own = vec![("gas oil".to_string(), Decimal::from(8))];
        let f = factors(Some("KZ"), &own);
        // Gas oil and Diesel are different fuels of the table: the own value
        // is for gas oil, the Diesel defaults stay.
        assert!(
            f.iter()
                .any(|x| crate::pins::text(&x.fuel) == "gas oil" && x.value == Decimal::from(16))
        );
        let own = vec![("DERV".to_string(), Decimal::from(8))];
        let f = factors(Some("KZ"), &own);
        assert!(
            !f.iter().any(|x| crate::pins::text(&x.fuel) == "Diesel"),
            "replaced by DERV = Diesel"
        );
    }
}
