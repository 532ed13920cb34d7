//! Fuels: the Guidebook's fuel names, the Annex I fuel group of each, the
//! broader fuels an activity falls back to, and the names compilers use.
//!
//! The table is `emission-factors/fuels.csv`, embedded. An inventory may add
//! its own names (`[fuels]` in inventory.toml: `"Energy hard coal" = "Hard Coal"`).
//!
//! An activity's fuel is read once into an [`ActivityFuel`]: the name as
//! written and, when the name (or an alias) is a fuel of the table, that
//! fuel's [`FuelId`]. A name the table does not know (a manure type of 3B,
//! a fuel only the compiler's own factors name) keeps no id; an activity
//! with no fuel (an empty cell, or `NA`/`-` as the factor database writes
//! it) has `None` for its fuel.

use crate::pins::Name;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The fuel groups of the Annex I activity-data columns AF-AJ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FuelGroup {
    Liquid,
    Solid,
    Gaseous,
    Biomass,
    Other,
}

impl FuelGroup {
    pub const ALL: [FuelGroup; 5] = [
        FuelGroup::Liquid,
        FuelGroup::Solid,
        FuelGroup::Gaseous,
        FuelGroup::Biomass,
        FuelGroup::Other,
    ];

    pub fn parse(text: &str) -> Option<FuelGroup> {
        match text.trim().to_ascii_lowercase().as_str() {
            "liquid" => Some(FuelGroup::Liquid),
            "solid" => Some(FuelGroup::Solid),
            "gaseous" => Some(FuelGroup::Gaseous),
            "biomass" => Some(FuelGroup::Biomass),
            "other" | "other_fuels" => Some(FuelGroup::Other),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// The template's name of the column (`Liquid Fuels`).
    pub fn column_name(self) -> &'static str {
        match self {
            FuelGroup::Liquid => "Liquid Fuels",
            FuelGroup::Solid => "Solid Fuels",
            FuelGroup::Gaseous => "Gaseous Fuels",
            FuelGroup::Biomass => "Biomass",
            FuelGroup::Other => "Other Fuels",
        }
    }
}

/// One fuel of the table.
#[derive(Debug, Clone)]
pub struct Fuel {
    /// The Guidebook's spelling.
    pub name: String,
    pub group: FuelGroup,
    /// Broader Guidebook fuels to try, in order, when a chapter has no
    /// factor for this one.
    pub falls_back_to: Vec<String>,
}

/// The fuel table with its name index and net calorific values.
#[derive(Debug, Clone)]
pub struct Fuels {
    fuels: Vec<Fuel>,
    by_key: HashMap<String, usize>,
    /// NCV in GJ per tonne by fuel index, and where it comes from.
    ncv: HashMap<usize, (Decimal, String)>,
    /// NCV of gases in MJ per m³ by fuel index: the defaults, then the
    /// inventory's, each for some years (none: all); the last that fits wins.
    volume_ncv: HashMap<usize, Vec<VolumeNcv>>,
}

/// A fuel of the table, by its position. Every table of a run is the
/// built-in one with names and values added (never fuels), so an id means
/// the same fuel in each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FuelId(u16);

/// The fuel of an activity: its name as written and the fuel of the table
/// the name stands for (`None`: a name the table does not know). Ordered
/// and compared as the name (the id follows from it).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ActivityFuel {
    pub name: Name,
    pub id: Option<FuelId>,
}

impl ActivityFuel {
    /// The fuel of an activity's fuel cell, looked up in `fuels`; `None`
    /// when the cell says no fuel (empty, `NA`, `n/a`, `-`).
    pub fn read(text: &str, fuels: &Fuels) -> Option<ActivityFuel> {
        if is_none(text) {
            return None;
        }
        let name = Name::new(text)?;
        let id = fuels.id(&name);
        Some(ActivityFuel { name, id })
    }
}

impl AsRef<str> for ActivityFuel {
    fn as_ref(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Display for ActivityFuel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// A fuel name of a factor or a setting: `None` for the texts that say no
/// fuel (empty, `NA`, `n/a`, `-`).
pub fn name(text: &str) -> Option<Name> {
    if is_none(text) { None } else { Name::new(text) }
}

/// A net calorific value per volume (MJ per m³) for some years.
#[derive(Debug, Clone)]
pub struct VolumeNcv {
    /// First and last year it applies to; `None`: every year.
    pub years: Option<(i32, i32)>,
    pub mj_per_m3: Decimal,
    pub source: String,
}

/// The comparison key of a fuel name: lower case, without quotes,
/// underscores or repeated spaces.
pub fn fuel_key(name: &str) -> String {
    key_chars(name).collect()
}

/// True when two names have the same comparison key ([`fuel_key`]),
/// compared as they are read, without building the keys (matching compares
/// a key's fuel with many factors' fuels).
pub fn same_key(a: &str, b: &str) -> bool {
    a == b || key_chars(a).eq(key_chars(b))
}

/// The characters of a name's comparison key.
fn key_chars(name: &str) -> impl Iterator<Item = char> + '_ {
    // A run of spaces is one space between words, none at either end.
    let (mut space, mut started) = (false, false);
    name.chars()
        .map(|c| match c {
            '_' | '\u{a0}' => ' ',
            c => c,
        })
        .filter(|c| !matches!(c, '\'' | '"' | '‘' | '’' | '“' | '”'))
        .flat_map(char::to_lowercase)
        // Russian texts write 'ё' or 'е' for the same letter.
        .map(|c| if c == 'ё' { 'е' } else { c })
        .flat_map(move |c| {
            if c.is_whitespace() {
                space = started;
                return [None, None].into_iter().flatten();
            }
            let before = space.then_some(' ');
            (space, started) = (false, true);
            [before, Some(c)].into_iter().flatten()
        })
}

/// True for the texts the factor database uses for "no fuel" (`NA`, empty).
pub fn is_none(name: &str) -> bool {
    let k = fuel_key(name);
    k.is_empty() || k == "na" || k == "n/a" || k == "-"
}

static BUILT_IN: LazyLock<Fuels> = LazyLock::new(|| {
    let mut fuels = Vec::new();
    let mut aliases = Vec::new();
    let mut reader = crate::data::reader(include_str!("../emission-factors/fuels.csv"));
    for record in reader.records() {
        let r = record.expect("embedded fuels.csv is valid CSV");
        let list = |s: &str| -> Vec<String> {
            s.split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        let index = fuels.len();
        fuels.push(Fuel {
            name: r[0].to_string(),
            group: FuelGroup::parse(&r[1]).expect("fuel group in fuels.csv"),
            falls_back_to: list(&r[2]),
        });
        aliases.extend(list(&r[3]).into_iter().map(|a| (a, index)));
    }
    let mut table = Fuels {
        by_key: fuels
            .iter()
            .enumerate()
            .map(|(i, f)| (fuel_key(&f.name), i))
            .collect(),
        fuels,
        ncv: HashMap::new(),
        volume_ncv: HashMap::new(),
    };
    for (alias, index) in aliases {
        table.by_key.entry(fuel_key(&alias)).or_insert(index);
    }
    let mut reader = crate::data::reader(include_str!("../emission-factors/ncv.csv"));
    for record in reader.records() {
        let r = record.expect("embedded ncv.csv is valid CSV");
        let index = *table
            .by_key
            .get(&fuel_key(&r[0]))
            .expect("ncv.csv names a fuel of fuels.csv");
        let value = Decimal::from_str_exact(&r[1]).expect("ncv.csv value");
        table
            .ncv
            .insert(index, (value, format!("IPCC 2006 default NCV ({})", &r[2])));
    }
    let mut reader = crate::data::reader(include_str!("../emission-factors/ncv-volume.csv"));
    for record in reader.records() {
        let r = record.expect("embedded ncv-volume.csv is valid CSV");
        let value = Decimal::from_str_exact(&r[1]).expect("ncv-volume.csv value");
        table
            .set_volume_ncv(&r[0], None, value, &r[2])
            .expect("ncv-volume.csv names a fuel of fuels.csv");
    }
    table
});

impl Fuels {
    /// The table shipped in `emission-factors/fuels.csv`.
    pub fn built_in() -> &'static Fuels {
        &BUILT_IN
    }

    /// The fuel a name (or alias) stands for.
    pub fn find(&self, name: &str) -> Option<&Fuel> {
        self.by_key.get(&fuel_key(name)).map(|&i| &self.fuels[i])
    }

    /// The id of the fuel a name (or alias) stands for.
    pub fn id(&self, name: &str) -> Option<FuelId> {
        self.by_key.get(&fuel_key(name)).map(|&i| FuelId(i as u16))
    }

    /// True when `name` names an activity's fuel: the same name, or a name
    /// of the same fuel of the table.
    pub fn is_activity_fuel(&self, name: &str, fuel: &ActivityFuel) -> bool {
        same_key(name, &fuel.name) || fuel.id.is_some_and(|id| self.id(name) == Some(id))
    }

    /// The fuel of an id.
    pub fn fuel(&self, id: FuelId) -> &Fuel {
        &self.fuels[usize::from(id.0)]
    }

    /// [`Fuels::chain`] of an activity's fuel: from its fuel of the table,
    /// or its name alone when the table does not know it.
    pub fn chain_of(&self, fuel: &ActivityFuel) -> Vec<String> {
        match fuel.id {
            Some(id) => self.chain(&self.fuel(id).name),
            None => vec![fuel.name.to_string()],
        }
    }

    /// The net calorific value (GJ per tonne) of a fuel of the table, and its source.
    pub fn ncv_of(&self, id: FuelId) -> Option<&(Decimal, String)> {
        self.ncv.get(&usize::from(id.0))
    }

    /// The net calorific value per volume of a gas of the table in a year.
    pub fn volume_ncv_of(&self, id: FuelId, year: i32) -> Option<&VolumeNcv> {
        self.volume_ncv
            .get(&usize::from(id.0))?
            .iter()
            .rev()
            .find(|v| {
                v.years
                    .is_none_or(|(first, last)| first <= year && year <= last)
            })
    }

    /// Adds a compiler's own name for a fuel of the table.
    pub fn add_alias(&mut self, alias: &str, fuel: &str) -> Result<(), String> {
        let index = *self.by_key.get(&fuel_key(fuel)).ok_or_else(|| {
            format!(
                "'{fuel}' is not a fuel of emission-factors/fuels.csv; known fuels: {}",
                self.names()
            )
        })?;
        self.by_key.insert(fuel_key(alias), index);
        Ok(())
    }

    /// The Guidebook fuel names to try for a fuel, in order: the fuel
    /// itself, then what it falls back to, then what those fall back to
    /// (breadth first, each name once): jet fuel → Liquid Fuels → 'Other'
    /// Liquid Fuels.
    pub fn chain(&self, name: &str) -> Vec<String> {
        let Some(first) = self.find(name) else {
            return vec![name.trim().to_string()];
        };
        let mut chain = vec![first.name.clone()];
        let mut i = 0;
        while i < chain.len() {
            if let Some(f) = self.find(&chain[i]) {
                for next in &f.falls_back_to {
                    if !chain.iter().any(|c| fuel_key(c) == fuel_key(next)) {
                        chain.push(next.clone());
                    }
                }
            }
            i += 1;
        }
        chain
    }

    pub fn group(&self, name: &str) -> Option<FuelGroup> {
        self.find(name).map(|f| f.group)
    }

    /// The net calorific value of a fuel in GJ per tonne, and its source.
    pub fn ncv(&self, name: &str) -> Option<&(Decimal, String)> {
        self.ncv_of(self.id(name)?)
    }

    /// Sets a fuel's NCV (GJ per tonne), as a country gives it.
    pub fn set_ncv(&mut self, name: &str, value: Decimal, source: &str) -> Result<(), String> {
        let index = *self.by_key.get(&fuel_key(name)).ok_or_else(|| {
            format!(
                "'{name}' is not a fuel of emission-factors/fuels.csv; known fuels: {}",
                self.names()
            )
        })?;
        if value <= Decimal::ZERO {
            return Err(format!("the NCV of {name} must be positive, not {value}"));
        }
        self.ncv.insert(index, (value, source.to_string()));
        Ok(())
    }

    /// The net calorific value per volume (MJ per m³) of a gas in a year.
    pub fn volume_ncv(&self, name: &str, year: i32) -> Option<&VolumeNcv> {
        self.volume_ncv_of(self.id(name)?, year)
    }

    /// Sets a gas's NCV per volume (MJ per m³) for some years (`None`: all).
    pub fn set_volume_ncv(
        &mut self,
        name: &str,
        years: Option<(i32, i32)>,
        mj_per_m3: Decimal,
        source: &str,
    ) -> Result<(), String> {
        let index = *self.by_key.get(&fuel_key(name)).ok_or_else(|| {
            format!(
                "'{name}' is not a fuel of emission-factors/fuels.csv; known fuels: {}",
                self.names()
            )
        })?;
        if mj_per_m3 <= Decimal::ZERO {
            return Err(format!(
                "the NCV of {name} must be positive, not {mj_per_m3}"
            ));
        }
        self.volume_ncv.entry(index).or_default().push(VolumeNcv {
            years,
            mj_per_m3,
            source: source.to_string(),
        });
        Ok(())
    }

    /// `; did you mean 'Natural gas'?` for a name that is no fuel or alias,
    /// naming the fuel each close name stands for; empty when none is close.
    pub fn did_you_mean(&self, name: &str) -> String {
        let mut keys: Vec<(&str, usize)> =
            self.by_key.iter().map(|(k, i)| (k.as_str(), *i)).collect();
        keys.sort();
        let close = crate::suggest::closest(name, keys.iter().map(|(k, _)| *k), 6);
        let mut names: Vec<&str> = Vec::new();
        for k in close {
            let fuel = self.fuels[self.by_key[k]].name.as_str();
            if !names.contains(&fuel) {
                names.push(fuel);
            }
        }
        names.truncate(3);
        if names.is_empty() {
            return String::new();
        }
        let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
        format!("; did you mean {}?", quoted.join(" or "))
    }

    /// The fuel names of the table, for messages.
    pub fn names(&self) -> String {
        self.fuels
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn all(&self) -> &[Fuel] {
        &self.fuels
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_keys_lower_case_and_close_spaces_and_compare_alike() {
        let names = [
            "Hard Coal",
            "  hard   COAL ",
            "hard_coal",
            "Hard\u{a0}Coal",
            "'Hard' \"Coal\"",
            "Hard\tCoal\n",
            "",
            "   ",
            "_",
            "Natural gas ",
            "Природный газ",
            "ПРИРОДНЫЙ  ГАЗ",
            "Мазут топочный",
            "Ёлка",
            "елка",
            "İstanbul",
            "i̇stanbul",
            "Gas/Diesel Oil",
            "Gas / Diesel Oil",
        ];
        assert_eq!(fuel_key("  hard   COAL "), "hard coal");
        assert_eq!(fuel_key("'Hard' \"Coal\""), "hard coal");
        assert_eq!(fuel_key("Hard\u{a0}Coal"), "hard coal");
        assert_eq!(fuel_key("Ёлка"), "елка");
        assert_eq!(fuel_key("   "), "");
        for a in names {
            for b in names {
                assert_eq!(same_key(a, b), fuel_key(a) == fuel_key(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn volume_ncv_by_year_overrides_the_default() {
        let d = |s: &str| Decimal::from_str_exact(s).unwrap();
        let mut f = Fuels::built_in().clone();
        // Default: IPCC 48.0 TJ/Gg x 0.679 kg/m3.
        assert_eq!(
            f.volume_ncv("natural gas", 2022).unwrap().mj_per_m3,
            d("32.592")
        );
        assert_eq!(
            f.volume_ncv("coke oven gas", 2022).unwrap().mj_per_m3,
            d("16.705332")
        );
        assert!(f.volume_ncv("Diesel", 2022).is_none());
        f.set_volume_ncv("Natural gas", Some((2022, 2024)), d("33.821"), "national")
            .unwrap();
        assert_eq!(f.volume_ncv("NG", 2023).unwrap().mj_per_m3, d("33.821"));
        assert_eq!(f.volume_ncv("NG", 2023).unwrap().source, "national");
        assert_eq!(f.volume_ncv("NG", 2021).unwrap().mj_per_m3, d("32.592"));
        assert!(
            f.set_volume_ncv("Natural gas", None, Decimal::ZERO, "x")
                .is_err()
        );
        assert!(f.did_you_mean("Natual gas").contains("'Natural gas'"));
    }

    #[test]
    fn names_and_aliases_find_the_guidebook_fuel() {
        let f = Fuels::built_in();
        assert_eq!(f.find("natural_gas").unwrap().name, "Natural gas");
        assert_eq!(f.find("Natural Gas").unwrap().name, "Natural gas");
        assert_eq!(f.find("  NATURAL   GAS ").unwrap().name, "Natural gas");
        assert_eq!(
            f.find("Other Liquid Fuels").unwrap().name,
            "'Other' Liquid Fuels"
        );
        assert_eq!(f.find("lignite").unwrap().name, "Brown Coal");
        assert_eq!(f.group("LPG"), Some(FuelGroup::Liquid));
        assert_eq!(f.group("Coke oven gas"), Some(FuelGroup::Solid));
        assert_eq!(f.group("Biogas"), Some(FuelGroup::Biomass));
        assert!(f.find("unobtainium").is_none());
    }

    #[test]
    fn natural_gas_falls_back_to_gaseous_fuels() {
        let chain = Fuels::built_in().chain("natural gas");
        assert_eq!(chain, ["Natural gas", "Gaseous Fuels", "CNG (Buses)"]);
    }

    #[test]
    fn fallbacks_are_followed_through() {
        let chain = Fuels::built_in().chain("avgas");
        assert_eq!(
            chain,
            [
                "Aviation gasoline",
                "Jet Gasoline and Aviation Gasoline",
                "Liquid Fuels",
                "'Other' Liquid Fuels"
            ]
        );
        // Jet kerosene never falls back to the piston-engine avgas factors.
        assert_eq!(Fuels::built_in().chain("jet fuel"), ["Jet kerosene"]);
    }

    /// The lines of fuels.csv: (fuel, aliases).
    fn lines() -> Vec<(String, Vec<String>)> {
        let mut reader = crate::data::reader(include_str!("../emission-factors/fuels.csv"));
        reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                let aliases = r[3]
                    .split('|')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(String::from)
                    .collect();
                (r[0].to_string(), aliases)
            })
            .collect()
    }

    #[test]
    fn every_alias_stands_for_its_own_fuel_and_none_is_a_manure_type() {
        let f = Fuels::built_in();
        let mut n = 0;
        for (fuel, aliases) in lines() {
            assert_eq!(f.find(&fuel).unwrap().name, fuel);
            assert!(crate::manure::find(&fuel).is_none(), "{fuel}");
            for alias in aliases {
                // An alias shadowed by an earlier line would silently reach
                // another fuel's factors.
                assert_eq!(f.find(&alias).unwrap().name, fuel, "alias {alias}");
                assert!(
                    crate::manure::find(&alias).is_none(),
                    "alias {alias} of {fuel} is a manure type"
                );
                n += 1;
            }
        }
        assert!(n > 100, "{n} aliases");
    }

    #[test]
    fn every_fuel_reaches_guidebook_rows_of_its_own_name_or_fallbacks() {
        let factors = crate::emission_factor::embedded().unwrap();
        let f = Fuels::built_in();
        let mut unreached = Vec::new();
        for (fuel, _) in lines() {
            let chain = f.chain(&fuel);
            let reached = chain.iter().find(|name| {
                factors
                    .iter()
                    .any(|x| fuel_key(crate::pins::text(&x.fuel)) == fuel_key(name))
            });
            match reached {
                Some(r) if fuel == "Jet kerosene" => assert_eq!(r, "Jet kerosene"),
                Some(_) => {}
                None => unreached.push(fuel),
            }
        }
        // Waste is a fuel group of the template (other fuels) with no
        // factor of its own in the export: its rows are NE unless the
        // compiler gives factors.
        assert_eq!(unreached, ["Waste"]);
    }

    #[test]
    fn every_fallback_is_a_fuel_of_the_table() {
        let f = Fuels::built_in();
        for fuel in f.all() {
            for fb in &fuel.falls_back_to {
                assert!(
                    f.find(fb).is_some(),
                    "{} falls back to unknown {fb}",
                    fuel.name
                );
            }
        }
    }

    #[test]
    fn net_calorific_values_come_from_ipcc_2006_unless_given() {
        let mut f = Fuels::built_in().clone();
        assert_eq!(
            f.ncv("diesel").unwrap().0,
            Decimal::from_str_exact("43.0").unwrap()
        );
        assert_eq!(f.ncv("natural gas").unwrap().0, Decimal::from(48));
        assert!(f.ncv("Liquid Fuels").is_none());
        f.set_ncv(
            "Diesel",
            Decimal::from_str_exact("42.6").unwrap(),
            "national",
        )
        .unwrap();
        assert_eq!(f.ncv("transport diesel").unwrap().1, "national");
        assert!(f.set_ncv("Diesel", Decimal::ZERO, "x").is_err());
    }

    #[test]
    fn net_calorific_values_by_coal_type_gas_and_aviation_fuel() {
        // IPCC 2006 Vol. 2 Table 1.2, GJ per tonne.
        let f = Fuels::built_in();
        let ncv = |name: &str| f.ncv(name).unwrap().0.to_string();
        assert_eq!(ncv("anthracite"), "26.7");
        assert_eq!(ncv("coal concentrate"), "28.2");
        assert_eq!(ncv("sub-bituminous coal"), "18.9");
        assert_eq!(ncv("other bituminous coal"), "25.8");
        assert_eq!(ncv("BOF gas"), "7.06");
        assert_eq!(ncv("blast furnace gas"), "2.47");
        assert_eq!(ncv("avgas"), "44.3");
        assert_eq!(ncv("jet fuel"), "44.1");
        // Coal types keep the hard coal factors.
        assert_eq!(f.chain("anthracite")[1], "Hard Coal");
    }

    #[test]
    fn compilers_can_add_names() {
        let mut f = Fuels::built_in().clone();
        f.add_alias("Energy hard coal", "Hard Coal").unwrap();
        assert_eq!(f.find("energy hard coal").unwrap().name, "Hard Coal");
        assert!(f.add_alias("x", "no such fuel").is_err());
    }

    #[test]
    fn an_activity_fuel_is_read_once_into_the_table() {
        let mut fuels = Fuels::built_in().clone();
        fuels.add_alias("Ekibastuz coal", "Hard Coal").unwrap();
        let read = |t: &str| ActivityFuel::read(t, &fuels);
        // A name and an alias of the same fuel: the same id, each keeping
        // its name as written.
        let coal = read(" Hard Coal ").unwrap();
        let alias = read("Ekibastuz coal").unwrap();
        assert_eq!(coal.name.as_str(), "Hard Coal");
        assert_eq!(alias.name.as_str(), "Ekibastuz coal");
        assert!(coal.id.is_some() && coal.id == alias.id);
        assert_eq!(fuels.fuel(alias.id.unwrap()).name, "Hard Coal");
        assert_ne!(coal, alias, "keys keep the name as written");
        // The alias is the inventory's own: the built-in table does not know it.
        assert_eq!(
            ActivityFuel::read("Ekibastuz coal", Fuels::built_in())
                .unwrap()
                .id,
            None
        );
        // No fuel: empty, NA, -.
        for none in ["", "  ", "NA", "n/a", "-"] {
            assert_eq!(read(none), None, "{none:?}");
        }
        // A manure type is a name the table does not know.
        let manure = read("Solid").unwrap();
        assert_eq!((manure.name.as_str(), manure.id), ("Solid", None));
        assert_eq!(fuels.chain_of(&manure), ["Solid"]);
        // By id, the NCV and the chain are the fuel's.
        let diesel = read("transport diesel").unwrap();
        assert_eq!(
            fuels.ncv_of(diesel.id.unwrap()).unwrap().0,
            Decimal::from_str_exact("43.0").unwrap()
        );
        assert_eq!(
            fuels.chain_of(&read("natural gas").unwrap())[1],
            "Gaseous Fuels"
        );
    }
}
