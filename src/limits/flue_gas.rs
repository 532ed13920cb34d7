//! Specific dry flue-gas volumes (`emission-factors/flue-gas.csv`, US EPA
//! Method 19 F-factors) and the conversions of concentrations between O2
//! contents, in exact decimals (divisions rounded at 28 digits).
//!
//! ```text
//! V0 [Nm3/GJ NCV, 0 % O2] = F_d [dscm/J GCV, 20 °C] × 10^9 × 273.15 / 293.15 ÷ (NCV/GCV)
//! V(O2)                   = V0 × 21 / (21 − O2)
//! C(ref)                  = C(measured) × (21 − O2 ref) / (21 − O2 measured)
//! mg/Nm3                  = g/GJ ÷ V(O2 ref) × 1000
//! ```

use crate::fuel::{ActivityFuel, Fuels, fuel_key};
use crate::number::{format_decimal, parse_decimal};
use rust_decimal::Decimal;
use std::sync::LazyLock;

/// One Method 19 fuel class.
#[derive(Debug, Clone)]
pub struct FuelClass {
    pub class: String,
    /// F_d, dscm of dry flue gas at 0 % O2 per J of gross heat input (20 °C).
    pub f_d: Decimal,
    /// The same in dscf per million Btu, as the table gives it.
    pub f_d_english: Decimal,
    pub ncv_over_gcv: Decimal,
    pub fuels: Vec<String>,
    /// A class with no F factor (derived gases, waste): its fuels have no
    /// volume, whatever their fallbacks are.
    pub without_volume: bool,
}

/// The embedded table's source, for outputs.
pub const SOURCE: &str = "US EPA Method 19 (40 CFR 60 App. A-7) Table 19-2 F_d, at 0 °C per GJ NCV (emission-factors/flue-gas.csv)";

/// The classes of `emission-factors/flue-gas.csv`.
pub fn classes() -> &'static [FuelClass] {
    static TABLE: LazyLock<Vec<FuelClass>> = LazyLock::new(|| {
        parse(include_str!("../../emission-factors/flue-gas.csv")).expect("embedded flue-gas.csv")
    });
    &TABLE
}

fn parse(text: &str) -> Result<Vec<FuelClass>, String> {
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut r = csv::Reader::from_reader(body.as_bytes());
    let mut out = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| e.to_string())?;
        let without_volume = rec.get(1).unwrap_or("").trim().is_empty();
        let d = |i: usize| {
            let t = rec.get(i).unwrap_or("").trim();
            if without_volume && t.is_empty() {
                return Ok(Decimal::ZERO);
            }
            parse_decimal(t).map_err(|e| e.to_string())
        };
        out.push(FuelClass {
            without_volume,
            class: rec.get(0).unwrap_or("").to_string(),
            f_d: d(1)?,
            f_d_english: d(2)?,
            ncv_over_gcv: d(3)?,
            fuels: rec
                .get(4)
                .unwrap_or("")
                .split('|')
                .map(|s| s.trim().to_string())
                .collect(),
        });
    }
    Ok(out)
}

/// A fuel's specific dry flue-gas volume.
#[derive(Debug, Clone)]
pub struct Volume {
    pub class: &'static FuelClass,
    /// Nm3 (0 °C, 101.325 kPa) of dry flue gas at 0 % O2 per GJ NCV.
    pub v0: Decimal,
}

impl Volume {
    /// Nm3 per GJ NCV at a dry O2 content (%).
    pub fn at_o2(&self, o2: Decimal) -> Decimal {
        self.v0 * Decimal::from(21) / (Decimal::from(21) - o2)
    }

    /// How the volume was made, in words and numbers.
    pub fn text(&self, o2: Decimal) -> String {
        format!(
            "{} Nm3/GJ at {} % O2 (Method 19 {}: F_d {} dscm/J GCV × 10^9 × 273.15/293.15 ÷ NCV/GCV {} = {} Nm3/GJ at 0 % O2, × 21/(21 − {}))",
            show(self.at_o2(o2)),
            format_decimal(o2),
            self.class.class,
            format_decimal(self.class.f_d),
            format_decimal(self.class.ncv_over_gcv),
            show(self.v0),
            format_decimal(o2)
        )
    }
}

/// A value shown to 4 decimals in a lineage text (the numbers computed keep all their digits).
fn show(v: Decimal) -> String {
    format_decimal(v.round_dp(4).normalize())
}

/// The specific volume of a fuel: of its class, or of the first of its
/// fallbacks that has one; `None` for fuels of no class.
pub fn volume_of(fuels: &Fuels, fuel: &ActivityFuel) -> Option<Volume> {
    for name in fuels.chain_of(fuel) {
        if let Some(class) = classes()
            .iter()
            .find(|c| c.fuels.iter().any(|f| fuel_key(f) == fuel_key(&name)))
        {
            if class.without_volume {
                return None;
            }
            let v0 = class.f_d * Decimal::from(1_000_000_000) * Decimal::new(27315, 2)
                / Decimal::new(29315, 2)
                / class.ncv_over_gcv;
            return Some(Volume { class, v0 });
        }
    }
    None
}

/// A concentration at one dry O2 content brought to another:
/// C × (21 − to) / (21 − from).
pub fn to_o2(concentration: Decimal, from: Decimal, to: Decimal) -> Decimal {
    if from == to {
        return concentration;
    }
    concentration * (Decimal::from(21) - to) / (Decimal::from(21) - from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn the_volume_of_hard_coal_from_its_f_factor() {
        let fuels = Fuels::built_in();
        let coal = ActivityFuel::read("Hard coal", fuels).unwrap();
        let v = volume_of(fuels, &coal).unwrap();
        // 2.63e-7 × 1e9 = 263 m3/GJ GCV at 20 °C; × 273.15/293.15 = 245.0570...; ÷ 0.95 = 257.9547... Nm3/GJ NCV.
        assert_eq!(v.v0.round_dp(4), d("257.9547"));
        // At 6 % O2: × 21/15 = 361.1366 Nm3/GJ.
        assert_eq!(v.at_o2(d("6")).round_dp(4), d("361.1366"));
        // Natural gas: 234 × 273.15/293.15 ÷ 0.90 = 242.2616 Nm3/GJ.
        let gas = ActivityFuel::read("natural gas", fuels).unwrap();
        assert_eq!(
            volume_of(fuels, &gas).unwrap().v0.round_dp(4),
            d("242.2616")
        );
        // Coke oven gas has no class.
        let cog = ActivityFuel::read("coke oven gas", fuels).unwrap();
        assert!(volume_of(fuels, &cog).is_none());
    }

    #[test]
    fn a_concentration_at_another_o2() {
        // 1000 mg/Nm3 measured at 9 % O2 is 1000 × 15/12 = 1250 at 6 %.
        assert_eq!(to_o2(d("1000"), d("9"), d("6")), d("1250"));
        assert_eq!(to_o2(d("1000"), d("6"), d("6")), d("1000"));
    }
}
