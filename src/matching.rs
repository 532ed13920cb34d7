//! Matching activities to emission factors.
//!
//! An activity is matched by its Annex I row, fuel and technology,
//! optionally narrowed by table, abatement, region and tier:
//!
//! 1. **The user's factors first.** A factor from a `--factors` file fits
//!    when its row is the activity's and each of its fuel, technology,
//!    table, abatement and region is not given or equal to the activity's;
//!    the most specific fitting factor wins, and it takes precedence over
//!    the Guidebook for its pollutant. The query ([`Query`]) borrows the
//!    activity's key: its fuel is an id into the fuel table, its pins are
//!    `None` where not given.
//! 2. **The Guidebook.** Tier 1 unless the activity names a tier or a table.
//!    The fuel is looked up by name and alias, and when the chapter has no
//!    factor for it, through the broader fuels it falls back to
//!    (`emission-factors/fuels.csv`: natural gas → Gaseous Fuels in 1.A.2).
//!    A named technology selects that technology's factors, or the chapter's
//!    technology-generic ones when it has none. Only factors per a quantity
//!    of the activity's dimension (energy, mass, head...) are kept.
//! 3. **One factor per pollutant.** Several candidates that give the same
//!    value in the same unit are one factor. Otherwise the curated choices of
//!    `emission-factors/guidebook-defaults.csv` decide (the Guidebook's
//!    default, or the EU / non-EU value by the inventory's country); if they
//!    do not, the run stops and lists the candidates with how to pin one.
//!    Nothing is picked silently.

use crate::activity::ActivityKey;
use crate::emission_factor::{Factor, FactorKind};
use crate::fuel::{ActivityFuel, Fuels, fuel_key};
use crate::pins::{Name, Pins, Tier, text};
use crate::pollutant::Pollutant;
use crate::unit::{Dimension, FactorUnit};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::LazyLock;

/// A curated choice among duplicate Guidebook factors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// The Guidebook's default among the candidates.
    Default,
    /// The value for EU Member States.
    Eu,
    /// The value for countries outside the EU.
    NonEu,
    /// No default: the compiler must choose; the reason says on what.
    Ask,
}

#[derive(Debug, Clone)]
pub struct Curated {
    pub choice: Choice,
    pub reason: String,
}

static CURATED: LazyLock<HashMap<String, Curated>> = LazyLock::new(|| {
    let mut map = HashMap::new();
    let mut reader =
        crate::data::reader(include_str!("../emission-factors/guidebook-defaults.csv"));
    let headers = reader
        .headers()
        .expect("guidebook-defaults.csv header")
        .clone();
    let col = |n: &str| {
        headers
            .iter()
            .position(|h| h == n)
            .expect("guidebook-defaults.csv column")
    };
    let (id, choice, reason) = (col("id"), col("choice"), col("reason"));
    for record in reader.records() {
        let r = record.expect("embedded guidebook-defaults.csv is valid CSV");
        let choice = match &r[choice] {
            "default" => Choice::Default,
            "EU" => Choice::Eu,
            "non-EU" => Choice::NonEu,
            "ask" => Choice::Ask,
            other => panic!("unknown choice {other} in guidebook-defaults.csv"),
        };
        map.insert(
            r[id].to_string(),
            Curated {
                choice,
                reason: r[reason].to_string(),
            },
        );
    }
    map
});

static EU: LazyLock<HashSet<String>> = LazyLock::new(|| {
    let mut reader = crate::data::reader(include_str!("../emission-factors/eu-member-states.csv"));
    reader
        .records()
        .map(|r| r.expect("eu-member-states.csv")[0].to_string())
        .collect()
});

/// True when an ISO2 code is an EU Member State.
pub fn is_eu_member(iso2: &str) -> bool {
    EU.contains(&iso2.trim().to_ascii_uppercase())
}

/// The curated choice for a factor id, if any.
pub fn curated(id: &str) -> Option<&'static Curated> {
    CURATED.get(id)
}

/// What an activity asks for: its key, borrowed, with what the calculation
/// knows of its unit.
#[derive(Debug, Clone, Copy)]
pub struct Query<'k> {
    /// The activity's year (a user factor may be for some years only), row,
    /// fuel and pins.
    pub key: &'k ActivityKey,
    /// The code the factors are filed under: the row's, without `(fu)`.
    pub code: &'k str,
    pub dimension: Option<Dimension>,
    /// True when the activity's fuel has a net calorific value and the row
    /// is fuel combustion (1A): energy and fuel mass then convert into each
    /// other, and factors per GJ or per tonne of fuel both fit.
    pub ncv_known: bool,
}

impl<'k> Query<'k> {
    /// The query of a key: its unit's dimension, no NCV known.
    pub fn new(key: &'k ActivityKey) -> Query<'k> {
        Query {
            key,
            code: key.code().trim_end_matches("(fu)"),
            dimension: Some(key.unit.quantity().dimension),
            ncv_known: false,
        }
    }

    fn fuel(&self) -> Option<&'k ActivityFuel> {
        self.key.fuel.as_ref()
    }

    fn pins(&self) -> &'k Pins {
        &self.key.pins
    }

    /// `1A1a fuel 'Hard Coal' technology ''`, for messages.
    fn describe(&self) -> String {
        format!(
            "{} fuel '{}' technology '{}'",
            self.code,
            self.key.fuel_text(),
            text(&self.pins().technology)
        )
    }
}

/// The factor chosen for one pollutant, and why.
#[derive(Debug, Clone)]
pub struct Chosen<'a> {
    pub factor: &'a Factor,
    /// How the factor was chosen, in words for detail.csv.
    pub why: String,
}

/// The factors chosen for an activity, by pollutant.
#[derive(Debug, Clone, Default)]
pub struct Selection<'a> {
    pub by_pollutant: BTreeMap<Pollutant, Chosen<'a>>,
}

/// Why an activity cannot be matched.
#[derive(Debug, Clone)]
pub enum MatchError {
    /// Factors exist but none is per a quantity the activity's unit converts to.
    Unit(String),
    /// Several factors fit and nothing says which.
    Ambiguous(String),
}

/// All factors, indexed for matching.
pub struct FactorIndex {
    guidebook: Vec<Factor>,
    user: Vec<Factor>,
    guidebook_by_code: HashMap<String, Vec<usize>>,
    /// The Guidebook's factors by id.
    guidebook_by_id: HashMap<String, usize>,
    user_by_code: HashMap<String, Vec<usize>>,
    fuels: Fuels,
    /// The inventory's country, to choose EU / non-EU values.
    country: Option<String>,
    /// Factors of Tier 1 methods (SO2 from fuel sulphur: `method::sulphur`),
    /// used for a pollutant only where neither the user nor the Guidebook
    /// has a factor.
    methods: Vec<Factor>,
}

fn eq_text(a: &str, b: &str) -> bool {
    crate::fuel::same_key(a, b)
}

/// Lines of `emission-factors/technologies.csv`: names of one technology.
static TECHNOLOGIES: LazyLock<Vec<Vec<String>>> = LazyLock::new(|| {
    let mut reader = crate::data::reader(include_str!("../emission-factors/technologies.csv"));
    reader
        .records()
        .map(|r| {
            let r = r.expect("embedded technologies.csv is valid CSV");
            std::iter::once(fuel_key(&r[0]))
                .chain(r[1].split('|').map(fuel_key))
                .filter(|s| !s.is_empty())
                .collect()
        })
        .collect()
});

/// True when a factor's technology is the activity's, by name or by a line
/// of technologies.csv.
pub fn same_technology(factor: &str, activity: &str) -> bool {
    let (f, a) = (fuel_key(factor), fuel_key(activity));
    f == a
        || TECHNOLOGIES
            .iter()
            .any(|names| names.contains(&f) && names.contains(&a))
}

fn by_code(factors: &[Factor]) -> HashMap<String, Vec<usize>> {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in factors.iter().enumerate() {
        if f.kind != FactorKind::EmissionFactor {
            continue;
        }
        for code in &f.annex1_codes {
            map.entry(code.clone()).or_default().push(i);
        }
    }
    map
}

/// How a factor's unit fits an activity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fit {
    /// The activity converts to the factor's denominator by units alone.
    Direct,
    /// Through the fuel's net calorific value (TJ of diesel to t of diesel).
    ViaNcv,
}

fn fit(f: &Factor, q: &Query) -> Option<Fit> {
    match (&f.unit, q.dimension) {
        (FactorUnit::ShareOf(_), _) => Some(Fit::Direct),
        (FactorUnit::Rate { .. }, None) => Some(Fit::Direct),
        (FactorUnit::Rate { per, .. }, Some(d)) => {
            if d.fits(per.dimension) {
                Some(Fit::Direct)
            } else if q.ncv_known && crate::unit::fuel_mass_or_energy(d, per) {
                Some(Fit::ViaNcv)
            } else {
                None
            }
        }
        (FactorUnit::Efficiency, _) => None,
    }
}

fn fits_dimension(f: &Factor, q: &Query) -> bool {
    fit(f, q).is_some()
}

impl FactorIndex {
    pub fn new(
        guidebook: Vec<Factor>,
        user: Vec<Factor>,
        fuels: Fuels,
        country: Option<String>,
    ) -> FactorIndex {
        FactorIndex {
            guidebook_by_code: by_code(&guidebook),
            guidebook_by_id: guidebook
                .iter()
                .enumerate()
                .map(|(i, f)| (f.id.clone(), i))
                .collect(),
            user_by_code: by_code(&user),
            guidebook,
            user,
            fuels,
            country,
            methods: Vec::new(),
        }
    }

    /// Adds the factors of Tier 1 methods (after the Guidebook's).
    pub fn with_methods(mut self, methods: Vec<Factor>) -> FactorIndex {
        self.methods = methods;
        self
    }

    /// The factors of Tier 1 methods.
    pub fn methods(&self) -> &[Factor] {
        &self.methods
    }

    pub fn fuels(&self) -> &Fuels {
        &self.fuels
    }

    pub fn guidebook(&self) -> &[Factor] {
        &self.guidebook
    }

    pub fn user(&self) -> &[Factor] {
        &self.user
    }

    /// Chooses one factor per pollutant for an activity.
    pub fn select(&self, q: &Query) -> Result<Selection<'_>, MatchError> {
        let mut selection = Selection::default();
        let gb = self.guidebook_candidates(q)?;
        for (pollutant, chosen) in self.user_choices(q)? {
            selection.by_pollutant.insert(pollutant, chosen);
        }
        for (pollutant, candidates) in &gb.by_pollutant {
            match selection.by_pollutant.get_mut(pollutant) {
                // A user factor takes precedence: say over what.
                Some(chosen) => {
                    let ids: Vec<&str> = candidates.iter().map(|f| f.id.as_str()).collect();
                    chosen.why.push_str(&format!(
                        "; takes precedence over Guidebook {}",
                        ids.join(", ")
                    ));
                }
                None => {
                    let chosen =
                        self.resolve(q, *pollutant, candidates, &gb.how_for(*pollutant))?;
                    selection.by_pollutant.insert(*pollutant, chosen);
                }
            }
        }
        // Tier 1 methods for what neither gives (the first that fits).
        if let Some(fuel) = q.fuel()
            && !crate::manure::is_manure_row(q.code)
        {
            let chain = self.fuels.chain_of(fuel);
            for f in &self.methods {
                if selection.by_pollutant.contains_key(&f.pollutant)
                    || !f.annex1_codes.iter().any(|c| c == q.code)
                    || !(f.years.is_empty() || f.years.contains(&q.key.year))
                    || !f
                        .fuel
                        .as_ref()
                        .is_some_and(|ff| chain.iter().any(|n| self.same_fuel(n, ff)))
                    || !fits_dimension(f, q)
                {
                    continue;
                }
                selection.by_pollutant.insert(
                    f.pollutant,
                    Chosen {
                        factor: f,
                        why: f.note.clone(),
                    },
                );
            }
        }
        Ok(selection)
    }

    /// How specifically a user factor fits a query (the number of its
    /// non-empty descriptive fields), or `None` when it does not fit.
    fn user_fit(&self, f: &Factor, q: &Query) -> Option<usize> {
        if !fits_dimension(f, q) || !(f.years.is_empty() || f.years.contains(&q.key.year)) {
            return None;
        }
        let mut specificity = 0;
        if let Some(fuel) = &f.fuel {
            // A manure type (agriculture rows) is compared by name, never
            // through the fuel table: 'Solid' manure is not Solid Fuels.
            let same = q.fuel().is_some_and(|a| {
                if crate::manure::is_manure_row(q.code) {
                    eq_text(fuel, &a.name)
                } else {
                    self.same_as_activity(fuel, a)
                }
            });
            if !same {
                return None;
            }
            specificity += 1;
        }
        let (have, want) = (&f.pins, q.pins());
        if let Some(t) = &have.technology {
            if !want
                .technology
                .as_ref()
                .is_some_and(|w| same_technology(t, w))
            {
                return None;
            }
            specificity += 1;
        }
        for (have, want) in [
            (&have.table, &want.table),
            (&have.abatement, &want.abatement),
            (&have.region, &want.region),
        ] {
            if let Some(have) = have {
                if !want.as_ref().is_some_and(|w| eq_text(have, w)) {
                    return None;
                }
                specificity += 1;
            }
        }
        Some(specificity)
    }

    /// The user's factors for a query: the most specific per pollutant.
    fn user_choices(&self, q: &Query) -> Result<BTreeMap<Pollutant, Chosen<'_>>, MatchError> {
        let mut best: BTreeMap<Pollutant, (usize, Vec<&Factor>)> = BTreeMap::new();
        for &i in self
            .user_by_code
            .get(q.code)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let f = &self.user[i];
            let Some(specificity) = self.user_fit(f, q) else {
                continue;
            };
            let entry = best.entry(f.pollutant).or_insert((specificity, Vec::new()));
            if specificity > entry.0 {
                *entry = (specificity, vec![f]);
            } else if specificity == entry.0 {
                entry.1.push(f);
            }
        }
        let mut out = BTreeMap::new();
        for (pollutant, (_, fs)) in best {
            let first = fs[0];
            if !fs
                .iter()
                .all(|f| f.value == first.value && f.unit == first.unit)
            {
                let list: Vec<String> =
                    fs.iter().map(|f| format!("  - {}", f.describe())).collect();
                return Err(MatchError::Ambiguous(format!(
                    "{}: several of your factors fit equally for {pollutant} and disagree:\n{}\nGive them distinct technology, table, abatement or region values, or keep one.",
                    q.describe(),
                    list.join("\n")
                )));
            }
            let why = match &first.origin {
                crate::emission_factor::Origin::User(at) => format!("user factor ({at})"),
                crate::emission_factor::Origin::Guidebook => "user factor".into(),
            };
            out.insert(pollutant, Chosen { factor: first, why });
        }
        Ok(out)
    }

    fn same_fuel(&self, a: &str, b: &str) -> bool {
        if eq_text(a, b) {
            return true;
        }
        match (self.fuels.id(a), self.fuels.id(b)) {
            (Some(x), Some(y)) => x == y,
            _ => false,
        }
    }

    /// True when a factor's fuel is an activity's: the same name, or names
    /// of the same fuel of the table.
    fn same_as_activity(&self, factor: &str, activity: &ActivityFuel) -> bool {
        self.fuels.is_activity_fuel(factor, activity)
    }

    /// The Guidebook's candidates for a query: the fuel's own factors in
    /// its row; else the guidance of guidebook-fallbacks.csv that names the
    /// fuel; else the fuel's broader names in its row; else the guidance for
    /// its group ([`crate::fallback`]).
    fn guidebook_candidates(&self, q: &Query) -> Result<GuidebookCandidates<'_>, MatchError> {
        let fallbacks = crate::fallback::Fallbacks::built_in();
        let fuel = q.fuel().filter(|_| !crate::manure::is_manure_row(q.code));
        if let Some(fuel) = fuel
            && !self.row_has_fuel(q.code, q.pins(), &fuel.name)
            && let Some(entry) = fallbacks.named(q.code, fuel, &self.fuels)
            && let Some(found) = self.fallback_candidates(q, entry)?
        {
            return Ok(found);
        }
        let own = self.candidates_in(q, q.code, q.pins(), None)?;
        if own.by_pollutant.is_empty()
            && (fuel.is_some() || q.fuel().is_none())
            && let Some(entry) = fallbacks.by_group(q.code, self.group_of(q))
            && let Some(found) = self.fallback_candidates(q, entry)?
        {
            return Ok(found);
        }
        Ok(own)
    }

    /// The fuel group of a query's fuel (none for manure types and names
    /// the fuel table does not know).
    fn group_of(&self, q: &Query) -> Option<crate::fuel::FuelGroup> {
        q.fuel()
            .filter(|_| !crate::manure::is_manure_row(q.code))
            .and_then(|f| f.id)
            .map(|id| self.fuels.fuel(id).group)
    }

    /// True when a row has Guidebook factors (at the pins' tier) for the
    /// fuel by its own name.
    fn row_has_fuel(&self, code: &str, pins: &Pins, fuel: &str) -> bool {
        let tier = tier_of(pins);
        self.guidebook_by_code.get(code).is_some_and(|ids| {
            ids.iter().map(|&i| &self.guidebook[i]).any(|f| {
                tier.is_none_or(|t| f.pins.tier.as_ref() == Some(t))
                    && f.fuel.as_ref().is_some_and(|ff| self.same_fuel(ff, fuel))
            })
        })
    }

    /// The candidates of a fallback entry: in each of its rows in turn, the
    /// fuel (or the entry's fuel) at the activity's tier (or in the entry's
    /// table); `None` when none gives factors.
    fn fallback_candidates(
        &self,
        q: &Query,
        entry: &crate::fallback::Fallback,
    ) -> Result<Option<GuidebookCandidates<'_>>, MatchError> {
        let mut pins = q.pins().clone();
        if let Some(table) = &entry.use_table {
            pins.table = Name::new(table);
            pins.tier = None;
        }
        let chain = entry.use_fuel.as_ref().map(|f| vec![f.clone()]);
        for code in &entry.uses {
            let found = match self.candidates_in(q, code, &pins, chain.clone()) {
                Ok(found) => found,
                // Factors of another unit in that row: the next one.
                Err(MatchError::Unit(_)) => continue,
                Err(e) => return Err(e),
            };
            if found.by_pollutant.is_empty() {
                continue;
            }
            let mut found = found;
            let mut how = entry.describe(code);
            push_how(&mut how, &found.how);
            found.how = how;
            return Ok(Some(found));
        }
        Ok(None)
    }

    /// The Guidebook's candidates in a row for the query's fuel (or the
    /// names of `chain`) at the tier or table of `pins`.
    fn candidates_in(
        &self,
        q: &Query,
        code: &str,
        pins: &Pins,
        chain: Option<Vec<String>>,
    ) -> Result<GuidebookCandidates<'_>, MatchError> {
        let mut out = GuidebookCandidates::default();
        let Some(indices) = self.guidebook_by_code.get(code) else {
            return Ok(out);
        };
        // Tier 1 unless the activity names a tier or a table.
        let tier = tier_of(pins);
        let base: Vec<&Factor> = indices
            .iter()
            .map(|&i| &self.guidebook[i])
            .filter(|f| tier.is_none_or(|t| f.pins.tier.as_ref() == Some(t)))
            .collect();
        // Fuel: the activity's own, then what it falls back to; for
        // pollutants the chosen fuel has no factor for, the chapter's
        // fuel-generic factors (manure types in 3.B).
        let mut how = String::new();
        let fuel_generic: Vec<&Factor> =
            base.iter().copied().filter(|f| f.fuel.is_none()).collect();
        let (with_fuel, generic_fuel): (Vec<&Factor>, Vec<&Factor>) = match q.fuel() {
            None => (fuel_generic, Vec::new()),
            Some(fuel) => {
                let mut found = Vec::new();
                // Fuel rows: the fuel, then what it falls back to. Manure
                // rows: the manure type as written, nothing else.
                let chain = if crate::manure::is_manure_row(q.code) {
                    vec![fuel.name.to_string()]
                } else {
                    chain.unwrap_or_else(|| self.fuels.chain_of(fuel))
                };
                for (step, name) in chain.iter().enumerate() {
                    found = base
                        .iter()
                        .copied()
                        .filter(|f| f.fuel.as_ref().is_some_and(|ff| eq_text(ff, name)))
                        .collect();
                    if !found.is_empty() {
                        if step > 0 || !eq_text(name, &fuel.name) {
                            how = format!(
                                "fuel '{}' as Guidebook fuel '{}'",
                                fuel.name,
                                text(&found[0].fuel)
                            );
                        }
                        break;
                    }
                }
                (found, fuel_generic)
            }
        };
        let technology = pins.technology.as_ref();
        let specific = by_technology(with_fuel, technology, &mut how);
        let generic = by_technology(generic_fuel, technology, &mut how);
        let mut by_pollutant: BTreeMap<Pollutant, Vec<&Factor>> = BTreeMap::new();
        for f in &specific {
            by_pollutant.entry(f.pollutant).or_default().push(f);
        }
        let mut generic_used = Vec::new();
        for f in &generic {
            if !specific.iter().any(|s| s.pollutant == f.pollutant) {
                by_pollutant.entry(f.pollutant).or_default().push(f);
                if !generic_used.contains(&f.pollutant) {
                    generic_used.push(f.pollutant);
                }
            }
        }
        // Pins: a table, abatement or region given with the activity keeps,
        // for each pollutant, the candidates that have it (and leaves the
        // others alone where none has it).
        type Field = fn(&Pins) -> &Option<Name>;
        for (pin, field) in [
            (&pins.table, (|p: &Pins| &p.table) as Field),
            (&pins.abatement, |p: &Pins| &p.abatement),
            (&pins.region, |p: &Pins| &p.region),
        ] {
            let Some(pin) = pin else {
                continue;
            };
            let has = |f: &&Factor| field(&f.pins).as_ref().is_some_and(|v| eq_text(v, pin));
            for candidates in by_pollutant.values_mut() {
                if candidates.iter().any(has) {
                    candidates.retain(has);
                }
            }
        }
        // Units: per pollutant, factors that fit by units alone win over
        // those that need the fuel's NCV.
        let all: Vec<&Factor> = by_pollutant.values().flatten().copied().collect();
        let has_rate = all
            .iter()
            .any(|f| matches!(f.unit, FactorUnit::Rate { .. }));
        let mut any_rate_fits = false;
        for (pollutant, candidates) in by_pollutant {
            let best = candidates.iter().filter_map(|f| fit(f, q)).min();
            let fitting: Vec<&Factor> = candidates
                .into_iter()
                .filter(|f| best.is_some() && fit(f, q) == best)
                .collect();
            any_rate_fits |= fitting
                .iter()
                .any(|f| matches!(f.unit, FactorUnit::Rate { .. }));
            if !fitting.is_empty() {
                out.by_pollutant.insert(pollutant, fitting);
            }
        }
        if has_rate && !any_rate_fits {
            let mut units: Vec<String> = all
                .iter()
                .filter_map(|f| match &f.unit {
                    FactorUnit::Rate { per, .. } => Some(format!("per {per}")),
                    _ => None,
                })
                .collect();
            units.sort();
            units.dedup();
            return Err(MatchError::Unit(format!(
                "the activity is {} but the Guidebook factors for {} {} are {}; give the activity in one of those units",
                q.dimension.map(|d| d.describe()).unwrap_or("?"),
                code,
                match q.fuel() {
                    None => String::new(),
                    Some(fuel) => format!("'{}'", fuel.name),
                },
                units.join(", ")
            )));
        }
        out.how = how;
        out.generic = generic_used;
        Ok(out)
    }

    fn resolve<'a>(
        &self,
        q: &Query,
        pollutant: Pollutant,
        candidates: &[&'a Factor],
        how: &str,
    ) -> Result<Chosen<'a>, MatchError> {
        let first = candidates[0];
        let tier_table = |f: &Factor| {
            format!(
                "Guidebook Tier {} {}",
                text(&f.pins.tier),
                text(&f.pins.table)
            )
        };
        let mut why = tier_table(first);
        if !how.is_empty() {
            why = format!("{why}; {how}");
        }
        if candidates.len() == 1 {
            return Ok(Chosen { factor: first, why });
        }
        if candidates
            .iter()
            .all(|f| f.value == first.value && f.unit == first.unit)
        {
            return Ok(Chosen {
                factor: first,
                why: format!(
                    "{why}; {} rows of the database give this same value",
                    candidates.len()
                ),
            });
        }
        let in_eu = self.country.as_deref().map(is_eu_member);
        let mut picked: Vec<(&'a Factor, &Curated)> = Vec::new();
        let mut ask: Option<&Curated> = None;
        for f in candidates {
            if let Some(c) = curated(&f.id) {
                match (&c.choice, in_eu) {
                    (Choice::Default, _) => picked.push((f, c)),
                    (Choice::Eu, Some(true)) | (Choice::NonEu, Some(false)) => picked.push((f, c)),
                    (Choice::Ask, _) => ask = Some(c),
                    _ => {}
                }
            }
        }
        if picked.len() == 1 {
            let (f, c) = picked[0];
            return Ok(Chosen {
                factor: f,
                why: format!(
                    "{}; chosen among {} candidates: {}",
                    tier_table(f),
                    candidates.len(),
                    c.reason
                ),
            });
        }
        let mut msg = format!(
            "{}: {} Guidebook factors fit for {pollutant} and nothing says which to use:\n",
            q.describe(),
            candidates.len()
        );
        for f in candidates {
            let [technology, table, abatement, region, _] = f.pins.texts();
            msg.push_str(&format!(
                "  - {} table {table}, technology '{technology}', fuel '{}', abatement '{abatement}', region '{region}': {} {} ({})\n",
                f.id,
                text(&f.fuel),
                crate::number::format_decimal(f.value),
                f.unit_text,
                f.reference
            ));
        }
        if let Some(c) = ask {
            msg.push_str(&format!("The choice is yours: {}\n", c.reason));
        }
        let eu_needed = candidates.iter().any(|f| {
            curated(&f.id).is_some_and(|c| matches!(c.choice, Choice::Eu | Choice::NonEu))
        });
        if eu_needed && in_eu.is_none() {
            msg.push_str("The choice depends on whether the country is an EU Member State: set country = \"XX\" (ISO2) in inventory.toml or pass --country.\n");
        }
        msg.push_str(
            "Pin one by adding a column table, abatement, region or tier to the activity row with the candidate's value, or give your own factor with --factors.",
        );
        Err(MatchError::Ambiguous(msg))
    }
}

/// What the Guidebook's Tier 1 covers for an activity, to name the
/// pollutants an activity key has no factor for ([`crate::calculate`]'s
/// lines without a factor).
impl FactorIndex {
    /// The rows whose Tier 1 factors an activity may take: its own, then
    /// those of the fallback entries for its fuel.
    fn rows_searched<'q>(&'q self, q: &'q Query) -> Vec<&'q str> {
        let fallbacks = crate::fallback::Fallbacks::built_in();
        let mut rows = vec![q.code];
        let named = q
            .fuel()
            .filter(|_| !crate::manure::is_manure_row(q.code))
            .and_then(|f| fallbacks.named(q.code, f, &self.fuels));
        for entry in named
            .into_iter()
            .chain(fallbacks.by_group(q.code, self.group_of(q)))
        {
            for u in &entry.uses {
                if !rows.contains(&u.as_str()) {
                    rows.push(u);
                }
            }
        }
        rows
    }

    /// The Guidebook's Tier 1 factors that define what an activity is
    /// expected to emit: those of its row (and its fallback rows) for fuels
    /// of its fuel group and its technology; all of the rows' Tier 1 factors
    /// when none is for its group (a fuel the chapter has no table for).
    fn tier1_expected<'a>(&'a self, q: &Query) -> Vec<&'a Factor> {
        let all: Vec<&Factor> = self
            .rows_searched(q)
            .into_iter()
            .filter_map(|code| self.guidebook_by_code.get(code))
            .flatten()
            .map(|&i| &self.guidebook[i])
            .filter(|f| f.pins.tier == Some(Tier::One))
            .collect();
        let technology = q.pins().technology.as_ref();
        let of_technology: Vec<&Factor> = all
            .iter()
            .copied()
            .filter(|f| {
                technology.is_none_or(|t| {
                    f.pins
                        .technology
                        .as_ref()
                        .is_none_or(|ft| same_technology(ft, t))
                })
            })
            .collect();
        let set = if of_technology.is_empty() {
            all
        } else {
            of_technology
        };
        let Some(group) = self.group_of(q) else {
            return set;
        };
        let same: Vec<&Factor> = set
            .iter()
            .copied()
            .filter(|f| {
                f.fuel
                    .as_deref()
                    .and_then(|n| self.fuels.group(n))
                    .is_some_and(|g| g == group)
            })
            .collect();
        if same.is_empty() { set } else { same }
    }

    /// The pollutants an activity is expected to emit, given the factors
    /// it got (`used`, by id): those of the Guidebook tables it took factors
    /// from (a table says what it covers for its fuel); when it took none
    /// from the Guidebook, those the Tier 1 gives for its row, fuel group
    /// and technology (see [`Self::tier1_expected`]).
    pub fn expected(&self, q: &Query, used: &[&str]) -> std::collections::BTreeSet<Pollutant> {
        let tables: Vec<&Factor> = used
            .iter()
            .filter_map(|id| self.guidebook_by_id.get(*id))
            .map(|&i| &self.guidebook[i])
            .collect();
        if tables.is_empty() {
            return self
                .tier1_expected(q)
                .into_iter()
                .map(|f| f.pollutant)
                .collect();
        }
        let mut out = std::collections::BTreeSet::new();
        for t in tables {
            for code in &t.annex1_codes {
                for &i in self
                    .guidebook_by_code
                    .get(code)
                    .map(Vec::as_slice)
                    .unwrap_or(&[])
                {
                    let f = &self.guidebook[i];
                    if f.pins.table == t.pins.table
                        && f.pins.technology == t.pins.technology
                        && f.fuel == t.fuel
                    {
                        out.insert(f.pollutant);
                    }
                }
            }
        }
        out
    }

    /// Why an activity has no factor for a pollutant (`None`: for any), in
    /// words for detail.csv: which fuel and fallbacks were searched in which
    /// rows, and what the Guidebook's Tier 1 gives there.
    pub fn searched(&self, q: &Query, pollutant: Option<Pollutant>) -> String {
        let rows = self.rows_searched(q).join(", then ");
        let fuel = match q.fuel() {
            Some(f) if crate::manure::is_manure_row(q.code) => format!("'{}'", f.name),
            Some(f) => {
                let chain = self.fuels.chain_of(f);
                if chain.len() > 1 {
                    format!("'{}' (and {})", f.name, chain[1..].join(", "))
                } else {
                    format!("'{}'", f.name)
                }
            }
            None => "no fuel".to_string(),
        };
        let tier = match (&q.pins().tier, &q.pins().table) {
            (_, Some(t)) => format!("table {t}"),
            (Some(t), None) => format!("Tier {t}"),
            (None, None) => "Tier 1".to_string(),
        };
        let what = match pollutant {
            Some(p) => format!("no {p} factor"),
            None => "no factor for any pollutant".to_string(),
        };
        let mut gives: Vec<String> = self
            .tier1_expected(q)
            .into_iter()
            .filter(|f| pollutant.is_none_or(|p| f.pollutant == p))
            .map(|f| {
                format!(
                    "{} {}",
                    f.fuel.as_deref().unwrap_or("no fuel"),
                    text(&f.pins.table)
                )
            })
            .collect();
        gives.sort();
        gives.dedup();
        let gives = if gives.is_empty() {
            "the Guidebook has no Tier 1 factor there".to_string()
        } else {
            format!("the Guidebook's Tier 1 there is for {}", gives.join(", "))
        };
        format!(
            "{what}: fuel {fuel} searched at {tier} in {rows} (guidebook-fallbacks.csv), and in the user's factors; {gives}. Give a factor (--factors) or declare the case in inventory.toml ([[without_factor]])"
        )
    }
}

/// The tier a query's pins ask for: theirs, Tier 1 unless they name a
/// table, any tier for a table.
fn tier_of(pins: &Pins) -> Option<&Tier> {
    match (&pins.tier, &pins.table) {
        (Some(t), _) => Some(t),
        (None, None) => Some(&Tier::One),
        (None, Some(_)) => None,
    }
}

/// The factors of a technology: those filed under its names, or the
/// chapter's technology-generic ones when it has none.
fn by_technology<'a>(
    set: Vec<&'a Factor>,
    technology: Option<&Name>,
    how: &mut String,
) -> Vec<&'a Factor> {
    let Some(technology) = technology else {
        return set;
    };
    let named: Vec<&Factor> = set
        .iter()
        .copied()
        .filter(|f| {
            f.pins
                .technology
                .as_ref()
                .is_some_and(|t| same_technology(t, technology))
        })
        .collect();
    if !named.is_empty() {
        return named;
    }
    let generic: Vec<&Factor> = set
        .into_iter()
        .filter(|f| f.pins.technology.is_none())
        .collect();
    if !generic.is_empty() && !how.contains("technology-generic") {
        push_how(
            how,
            &format!("no factor for technology '{technology}', the technology-generic one"),
        );
    }
    generic
}

fn push_how(how: &mut String, more: &str) {
    if !how.is_empty() {
        how.push_str("; ");
    }
    how.push_str(more);
}

#[derive(Default)]
struct GuidebookCandidates<'a> {
    by_pollutant: BTreeMap<Pollutant, Vec<&'a Factor>>,
    how: String,
    /// The pollutants whose factor is the chapter's fuel-generic one (the
    /// fuel has none of its own for them).
    generic: Vec<Pollutant>,
}

impl GuidebookCandidates<'_> {
    /// How one pollutant's factor was found: what applies to all of the
    /// key's pollutants, and the fuel-generic fallback only where this
    /// pollutant took it.
    fn how_for(&self, p: Pollutant) -> String {
        let mut how = self.how.clone();
        if self.generic.contains(&p) {
            push_how(
                &mut how,
                &format!("fuel-generic factor (the fuel has no {p} factor of its own)"),
            );
        }
        how
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_choice_tables_load() {
        assert!(
            is_eu_member("be") && is_eu_member("EL") && !is_eu_member("KZ") && !is_eu_member("NO")
        );
        assert!(same_technology("Dairy cattle", "dairy cows"));
        assert!(same_technology("‘Swine’ - Sows", "Sows"));
        assert!(same_technology("Ducks and Geese", "Geese"));
        assert!(!same_technology("Ducks", "Geese"));
        let curated_ids: Vec<&String> = CURATED.keys().collect();
        assert!(!curated_ids.is_empty());
        // Every curated id is a factor of the embedded database.
        let factors = crate::emission_factor::embedded().unwrap();
        for id in curated_ids {
            assert!(
                factors.iter().any(|f| &f.id == id),
                "{id} is not in the database"
            );
        }
    }

    #[test]
    fn a_query_borrows_its_key_and_finds_the_tier_1_factor() {
        let key = ActivityKey {
            year: 2022,
            row: crate::nfr::find("1A1a").unwrap(),
            fuel: ActivityFuel::read("natural gas", Fuels::built_in()),
            pins: Pins::default(),
            unit: crate::unit::ActivityUnit::parse("TJ").unwrap(),
            efficiency: None,
        };
        let q = Query::new(&key);
        assert!(std::ptr::eq(q.key, &key));
        assert_eq!(q.code, "1A1a");
        assert_eq!(q.dimension, Some(Dimension::Energy));
        let index = FactorIndex::new(
            crate::emission_factor::embedded().unwrap(),
            Vec::new(),
            Fuels::built_in().clone(),
            Some("KZ".into()),
        );
        let selection = index.select(&q).unwrap();
        // EMEP/EEA Guidebook 2023, 1.A.1 Table 3-4: natural gas, NOx 89 g/GJ.
        let nox = &selection.by_pollutant[&Pollutant::NOx];
        assert_eq!(nox.factor.value, rust_decimal::Decimal::from(89));
        assert_eq!(nox.factor.pins.tier, Some(Tier::One));
        assert_eq!(text(&nox.factor.fuel), "Natural gas");
        // A road row on a fuel-used basis asks for its sector's factors.
        let fu = ActivityKey {
            row: crate::nfr::find("1A3bi(fu)").unwrap(),
            ..key.clone()
        };
        assert_eq!(Query::new(&fu).code, "1A3bi");
    }
}
