//! The 26 pollutants of the Annex I template, in template order, with their
//! ids, template columns and reporting units.
//!
//! Ids are used everywhere a pollutant is named (CSV headers, CLI options):
//! `NOx NMVOC SOx NH3 PM2.5 PM10 TSP BC CO Pb Cd Hg As Cr Cu Ni Se Zn PCDD/F
//! BaP BbF BkF IcdP PAH1-4 HCB PCBs`. NOx is reported as NO2, SOx as SO2 and
//! PCDD/F in I-TEQ. Columns and units come from `src/data/annex1-columns.csv`.

use rust_decimal::Decimal;
use std::sync::LazyLock;

/// An Annex I pollutant. The discriminant is its position in the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pollutant {
    NOx,
    NMVOC,
    SOx,
    NH3,
    PM25,
    PM10,
    TSP,
    BC,
    CO,
    Pb,
    Cd,
    Hg,
    As,
    Cr,
    Cu,
    Ni,
    Se,
    Zn,
    PCDDF,
    BaP,
    BbF,
    BkF,
    IcdP,
    PAH14,
    HCB,
    PCBs,
}

/// Reporting facts of one pollutant column of the template.
#[derive(Debug, Clone)]
pub struct PollutantInfo {
    pub id: String,
    /// Column letter in the template (E for NOx ... AD for PCBs).
    pub column: String,
    pub group: String,
    /// Name as the template writes it (`NOx (as NO2)`).
    pub name: String,
    /// Reporting unit (`kt`, `t`, `g I-TEQ`, `kg`).
    pub unit: String,
    /// Grams in one reporting unit.
    pub grams_per_unit: Decimal,
}

/// An activity-data column of the template (AF-AL).
#[derive(Debug, Clone)]
pub struct ActivityColumn {
    pub id: String,
    pub column: String,
    pub name: String,
    pub unit: String,
}

struct Columns {
    pollutants: Vec<PollutantInfo>,
    activity: Vec<ActivityColumn>,
}

static COLUMNS: LazyLock<Columns> = LazyLock::new(|| {
    let mut pollutants = Vec::new();
    let mut activity = Vec::new();
    let mut reader = crate::data::reader(include_str!("data/annex1-columns.csv"));
    for record in reader.records() {
        let r = record.expect("embedded annex1-columns.csv is valid CSV");
        match &r[0] {
            "pollutant" => pollutants.push(PollutantInfo {
                id: r[1].to_string(),
                column: r[2].to_string(),
                group: r[3].to_string(),
                name: r[4].to_string(),
                unit: r[5].to_string(),
                grams_per_unit: Decimal::from_str_exact(&r[6])
                    .expect("grams_per_unit is a decimal"),
            }),
            _ => activity.push(ActivityColumn {
                id: r[1].to_string(),
                column: r[2].to_string(),
                name: r[4].to_string(),
                unit: r[5].to_string(),
            }),
        }
    }
    assert_eq!(
        pollutants.len(),
        Pollutant::ALL.len(),
        "26 pollutant columns"
    );
    Columns {
        pollutants,
        activity,
    }
});

impl Pollutant {
    pub const ALL: [Pollutant; 26] = [
        Pollutant::NOx,
        Pollutant::NMVOC,
        Pollutant::SOx,
        Pollutant::NH3,
        Pollutant::PM25,
        Pollutant::PM10,
        Pollutant::TSP,
        Pollutant::BC,
        Pollutant::CO,
        Pollutant::Pb,
        Pollutant::Cd,
        Pollutant::Hg,
        Pollutant::As,
        Pollutant::Cr,
        Pollutant::Cu,
        Pollutant::Ni,
        Pollutant::Se,
        Pollutant::Zn,
        Pollutant::PCDDF,
        Pollutant::BaP,
        Pollutant::BbF,
        Pollutant::BkF,
        Pollutant::IcdP,
        Pollutant::PAH14,
        Pollutant::HCB,
        Pollutant::PCBs,
    ];

    /// Position in the template (0 for NOx).
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn info(self) -> &'static PollutantInfo {
        &COLUMNS.pollutants[self.index()]
    }

    /// The id used in CSV headers and on the command line (`PM2.5`).
    pub fn id(self) -> &'static str {
        &self.info().id
    }

    pub fn unit(self) -> &'static str {
        &self.info().unit
    }

    pub fn column(self) -> &'static str {
        &self.info().column
    }

    /// Grams in one reporting unit of this pollutant.
    pub fn grams_per_unit(self) -> Decimal {
        self.info().grams_per_unit
    }

    /// Tonnes in one reporting unit (1 000 for kt, 10^-6 for g).
    pub fn tonnes_per_unit(self) -> Decimal {
        self.grams_per_unit() / Decimal::from(1_000_000)
    }

    /// The pollutant for an id (exact, case-insensitive) or for a name the
    /// Guidebook or the template uses for it (`SO2`, `Benzo(a)pyrene`, `PCB`).
    pub fn parse(text: &str) -> Option<Pollutant> {
        let t = text.trim();
        if let Some(p) = Pollutant::ALL
            .iter()
            .find(|p| p.id().eq_ignore_ascii_case(t))
        {
            return Some(*p);
        }
        let key: String = t
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        ALIASES.iter().find(|(a, _)| *a == key).map(|(_, p)| *p)
    }

    /// The ids of all pollutants, for messages that list what is accepted.
    pub fn id_list() -> String {
        Pollutant::ALL
            .iter()
            .map(|p| p.id())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The main pollutants, those of the Gothenburg Protocol's ceilings: the
    /// national totals `compile` shows, and the ones whose NE in a row with
    /// activity is worth a line on the console.
    pub const MAIN: [Pollutant; 5] = [
        Pollutant::NOx,
        Pollutant::NMVOC,
        Pollutant::SOx,
        Pollutant::NH3,
        Pollutant::PM25,
    ];

    /// The four PAHs that make up `PAH1-4` (Total 1-4).
    pub const PAHS: [Pollutant; 4] = [
        Pollutant::BaP,
        Pollutant::BbF,
        Pollutant::BkF,
        Pollutant::IcdP,
    ];
}

/// A pollutant is written by its id (`PM2.5`), in JSON as everywhere.
impl serde::Serialize for Pollutant {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

impl std::fmt::Display for Pollutant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// Names the Guidebook or the template uses for a pollutant, lower case
/// and without spaces.
const ALIASES: [(&str, Pollutant); 18] = [
    ("nox(asno2)", Pollutant::NOx),
    ("so2", Pollutant::SOx),
    ("sox(asso2)", Pollutant::SOx),
    ("pm25", Pollutant::PM25),
    ("pm2,5", Pollutant::PM25),
    ("pcdd/pcdf", Pollutant::PCDDF),
    ("pcdd/pcdf(dioxins/furans)", Pollutant::PCDDF),
    ("dioxins", Pollutant::PCDDF),
    ("benzo(a)pyrene", Pollutant::BaP),
    ("b(a)p", Pollutant::BaP),
    ("benzo(b)fluoranthene", Pollutant::BbF),
    ("benzo(k)fluoranthene", Pollutant::BkF),
    ("indeno(1,2,3-cd)pyrene", Pollutant::IcdP),
    ("pah", Pollutant::PAH14),
    ("pahs", Pollutant::PAH14),
    ("total1-4", Pollutant::PAH14),
    ("pahtotal1-4", Pollutant::PAH14),
    ("pcb", Pollutant::PCBs),
];

/// On the command line a pollutant is its id (any case) or a name of
/// [`Pollutant::parse`]'s.
impl clap::ValueEnum for Pollutant {
    fn value_variants<'a>() -> &'a [Self] {
        &Pollutant::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        let aliases = ALIASES.iter().filter(|(_, p)| p == self).map(|(a, _)| *a);
        Some(clap::builder::PossibleValue::new(self.id()).aliases(aliases))
    }
}

/// The activity-data columns AF-AL of the template.
pub fn activity_columns() -> &'static [ActivityColumn] {
    &COLUMNS.activity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_columns_are_in_template_order() {
        let ids: Vec<&str> = Pollutant::ALL.iter().map(|p| p.id()).collect();
        assert_eq!(
            ids.join(" "),
            "NOx NMVOC SOx NH3 PM2.5 PM10 TSP BC CO Pb Cd Hg As Cr Cu Ni Se Zn PCDD/F BaP BbF BkF IcdP PAH1-4 HCB PCBs"
        );
        assert_eq!(Pollutant::NOx.column(), "E");
        assert_eq!(Pollutant::PCBs.column(), "AD");
        assert_eq!(Pollutant::PCDDF.unit(), "g I-TEQ");
        assert_eq!(Pollutant::HCB.unit(), "kg");
        assert_eq!(Pollutant::Pb.unit(), "t");
        assert_eq!(
            Pollutant::NOx.grams_per_unit(),
            Decimal::from(1_000_000_000)
        );
        let act: Vec<&str> = activity_columns()
            .iter()
            .map(|c| c.column.as_str())
            .collect();
        assert_eq!(act, ["AF", "AG", "AH", "AI", "AJ", "AK", "AL"]);
    }

    #[test]
    fn guidebook_names_are_understood() {
        assert_eq!(Pollutant::parse("pm2.5"), Some(Pollutant::PM25));
        assert_eq!(Pollutant::parse("SO2"), Some(Pollutant::SOx));
        assert_eq!(
            Pollutant::parse("Indeno(1,2,3-cd)pyrene"),
            Some(Pollutant::IcdP)
        );
        assert_eq!(Pollutant::parse("PCB"), Some(Pollutant::PCBs));
        assert_eq!(Pollutant::parse("CO2"), None);
        assert_eq!(Pollutant::parse("N2O"), None);
    }
}
