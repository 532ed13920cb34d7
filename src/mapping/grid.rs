//! The sheet as a mapping reads it: the year and fuel of each column (from
//! the header rows), the `[[fuels]]` entry of each column, the `[[lines]]`
//! entries claiming each data row, and the rows of each subtotal's parts.
//! Every name a mapping gives must be in the sheet; a name that is not is
//! an error with the names like it.

use super::rules::{FuelRole, FuelRule, LineRole, Mapping, NameSpec, YearSource, name_key};
use crate::error::{Error, Location, Result, column_letters};
use crate::sheet::{Sheet, SheetRow};
use crate::suggest::names_like_it;
use std::collections::HashMap;

/// Index → (index, years): the rules claiming a sheet row, or the rows
/// that are the parts of a subtotal rule, each for all years (`None`) or some.
pub(super) type Claims = Vec<(usize, Option<(i32, i32)>)>;

/// A column of the sheet as the header rows describe it.
pub(super) struct Column {
    pub(super) index: usize,
    pub(super) year: Option<i32>,
    pub(super) fuel: String,
    /// The `[[fuels]]` entry naming it for its year.
    pub(super) rule: Option<usize>,
}

/// The sheet as the mapping reads it: its columns with their year, fuel
/// and fuel entry; its data rows with the line entries claiming them; the
/// rows of each subtotal's parts.
pub(super) struct Grid<'a> {
    pub(super) mapping: &'a Mapping,
    pub(super) table: &'a Sheet,
    pub(super) columns: Vec<Column>,
    pub(super) rows: Vec<&'a SheetRow>,
    pub(super) years: Vec<i32>,
    pub(super) rows_by_name: HashMap<String, Vec<usize>>,
    /// Data row → the line entries claiming it, for all or some years.
    pub(super) line_rules: HashMap<usize, Claims>,
    /// Subtotal line entry → the data rows of its parts.
    pub(super) parts: HashMap<usize, Claims>,
}

impl<'a> Grid<'a> {
    pub(super) fn new(mapping: &'a Mapping, table: &'a Sheet) -> Result<Grid<'a>> {
        let layout = &mapping.layout;
        let rows: Vec<&SheetRow> = table
            .rows
            .iter()
            .filter(|r| r.number >= layout.first_data_row)
            .collect();
        let mut rows_by_name: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            let name = r
                .cells
                .get(layout.line_column)
                .map(|c| name_key(c))
                .unwrap_or_default();
            if !name.is_empty() {
                rows_by_name.entry(name).or_default().push(i);
            }
        }
        let mut grid = Grid {
            mapping,
            table,
            columns: Vec::new(),
            rows,
            years: Vec::new(),
            rows_by_name,
            line_rules: HashMap::new(),
            parts: HashMap::new(),
        };
        grid.read_header()?;
        grid.resolve_fuels()?;
        grid.resolve_lines()?;
        Ok(grid)
    }

    fn header_cell(&self, row: u64, col: usize) -> String {
        self.table
            .rows
            .iter()
            .find(|r| r.number == row)
            .and_then(|r| r.cells.get(col))
            .map(|c| name_key(c))
            .unwrap_or_default()
    }

    /// The columns' years and fuels, and the years read.
    fn read_header(&mut self) -> Result<()> {
        let layout = &self.mapping.layout;
        let width = self
            .table
            .rows
            .iter()
            .map(|r| r.cells.len())
            .max()
            .unwrap_or(0);
        let mut last_year: Option<i32> = None;
        for index in (0..width).filter(|&i| i != layout.line_column) {
            let year = match layout.year {
                YearSource::Fixed(y) => Some(y),
                // A year starts a run of columns (merged cells show it in
                // the first only); other text (a "unit" heading) ends it.
                YearSource::Row(r) => {
                    let text = self.header_cell(r, index);
                    if !text.is_empty() {
                        last_year = crate::number::parse_year(&text).ok();
                    }
                    last_year
                }
            };
            let fuel = self.header_cell(layout.fuel_row, index);
            self.columns.push(Column {
                index,
                year,
                fuel,
                rule: None,
            });
        }
        let mut sheet_years: Vec<i32> = self.columns.iter().filter_map(|c| c.year).collect();
        sheet_years.sort();
        sheet_years.dedup();
        if sheet_years.is_empty() {
            return Err(Error::input(
                self.table.at.clone(),
                "no column has a year: check year_row or year in the mapping's [sheet]",
            ));
        }
        for y in &layout.years {
            if !sheet_years.contains(y) {
                return Err(Error::file(
                    &self.mapping.path,
                    format!(
                        "[sheet] years names {y} but the sheet has no {y} columns; its years are {}",
                        join_years(&sheet_years)
                    ),
                ));
            }
        }
        self.years = if layout.years.is_empty() {
            sheet_years
        } else {
            layout.years.clone()
        };
        Ok(())
    }

    /// Each column's `[[fuels]]` entry; every name an entry gives must be
    /// in the sheet (in each of its years).
    fn resolve_fuels(&mut self) -> Result<()> {
        let mapping = self.mapping;
        for col in self.columns.iter_mut() {
            let Some(year) = col.year else { continue };
            if col.fuel.is_empty() {
                continue;
            }
            let claims: Vec<&FuelRule> = mapping
                .fuels
                .iter()
                .filter(|r| r.names.iter().any(|s| s.name == col.fuel && s.covers(year)))
                .collect();
            match claims.as_slice() {
                [] => {}
                [one] => col.rule = Some(one.entry - 1),
                [a, b, ..] => {
                    return Err(Error::file(
                        &mapping.path,
                        format!(
                            "fuels entries {} and {} both name '{}' for {year}",
                            a.entry, b.entry, col.fuel
                        ),
                    ));
                }
            }
        }
        for rule in &mapping.fuels {
            for spec in &rule.names {
                let found = |y: i32| {
                    self.columns
                        .iter()
                        .any(|c| c.year == Some(y) && c.fuel == spec.name)
                };
                let missing: Vec<i32> = match spec.years {
                    None if self.years.iter().any(|&y| found(y)) => Vec::new(),
                    None => self.years.clone(),
                    Some((a, b)) => (a..=b)
                        .filter(|y| mapping.layout.years.is_empty() || self.years.contains(y))
                        .filter(|&y| !found(y))
                        .collect(),
                };
                if !missing.is_empty() {
                    let in_years = self
                        .columns
                        .iter()
                        .filter(|c| c.year.is_some_and(|y| missing.contains(&y)))
                        .map(|c| c.fuel.as_str());
                    return Err(Error::file(
                        &mapping.path,
                        format!(
                            "fuels entry {} names {} but the sheet has no such fuel in {}{}",
                            rule.entry,
                            spec.describe(),
                            join_years(&missing),
                            names_like_it(&spec.name, in_years)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    /// The data row of a name: it must be there, once.
    pub(super) fn find_row(&self, spec: &NameSpec, what: &str) -> Result<usize> {
        match self.rows_by_name.get(&spec.name).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) => Err(Error::file(
                &self.mapping.path,
                format!(
                    "{what} names '{}', which is the name of several rows of the sheet ({}); the mapping cannot tell them apart",
                    spec.name,
                    many.iter()
                        .map(|&i| format!("row {}", self.rows[i].number))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            None => Err(Error::file(
                &self.mapping.path,
                format!(
                    "{what} names the line '{}' but the sheet has no such line{}",
                    spec.name,
                    names_like_it(&spec.name, self.rows_by_name.keys().map(String::as_str))
                ),
            )),
        }
    }

    /// The rows each line entry claims (no row claimed twice for a year),
    /// and the rows of each subtotal's parts.
    fn resolve_lines(&mut self) -> Result<()> {
        let mapping = self.mapping;
        for (ri, rule) in mapping.lines.iter().enumerate() {
            for spec in &rule.names {
                let row = self.find_row(spec, &mapping.describe_line(rule))?;
                let claims = self.line_rules.entry(row).or_default();
                for &(other, years) in claims.iter() {
                    let overlap = match (years, spec.years) {
                        (None, _) | (_, None) => true,
                        (Some((a, b)), Some((c, d))) => a <= d && c <= b,
                    };
                    if overlap && other != ri {
                        return Err(Error::file(
                            &mapping.path,
                            format!(
                                "{} and {} both name the line '{}' for the same years",
                                mapping.describe_line(&mapping.lines[other]),
                                mapping.describe_line(rule),
                                spec.name
                            ),
                        ));
                    }
                }
                claims.push((ri, spec.years));
            }
            if let LineRole::Subtotal(s) = &rule.role {
                let what = format!("{}: subtotal_of", mapping.describe_line(rule));
                let mut list = Vec::new();
                for spec in &s.parts {
                    list.push((self.find_row(spec, &what)?, spec.years));
                }
                self.parts.insert(ri, list);
            }
        }
        Ok(())
    }

    /// The line entry of a data row in a year.
    pub(super) fn rule_of(&self, row: usize, year: i32) -> Option<usize> {
        self.line_rules.get(&row).and_then(|claims| {
            claims
                .iter()
                .find(|(_, ys)| covers(*ys, year))
                .map(|(r, _)| *r)
        })
    }

    /// The data rows of a subtotal entry's parts in a year.
    pub(super) fn parts_of(&self, rule: usize, year: i32) -> Vec<usize> {
        self.parts
            .get(&rule)
            .map(|list| {
                list.iter()
                    .filter(|(_, ys)| covers(*ys, year))
                    .map(|(r, _)| *r)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub(super) fn line_name(&self, row: usize) -> String {
        self.rows[row]
            .cells
            .get(self.mapping.layout.line_column)
            .map(|c| name_key(c))
            .unwrap_or_default()
    }

    pub(super) fn fuel_role(&self, col: &Column) -> Option<&'a FuelRole> {
        col.rule.map(|i| &self.mapping.fuels[i].role)
    }

    /// `AB37`: the A1 reference of a data cell.
    pub(super) fn cell_ref(&self, row: usize, index: usize) -> String {
        format!("{}{}", column_letters(index), self.rows[row].number)
    }

    pub(super) fn location(&self, row: usize, index: usize) -> Location {
        self.location_at(self.rows[row].number, index)
    }

    fn location_at(&self, number: u64, index: usize) -> Location {
        self.table
            .at
            .clone()
            .with_row(number)
            .with_column(column_letters(index))
    }
}

pub(super) fn covers(years: Option<(i32, i32)>, year: i32) -> bool {
    years.is_none_or(|(a, b)| (a..=b).contains(&year))
}

pub(super) fn join_years(years: &[i32]) -> String {
    years
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}
