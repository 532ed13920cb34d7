//! Writing a conversion: the activity table (the file `convert` writes and
//! the rows `compile` reads are the same cells) and the ledger of every cell.

use super::records::{Conversion, Outcome};
use crate::error::Location;
use crate::number::format_decimal;
use crate::sheet::{Sheet, SheetRow};

/// The columns of the activity file a conversion writes.
pub const ACTIVITY_HEADER: [&str; 14] = [
    "year",
    "nfr",
    "fuel",
    "technology",
    "value",
    "unit",
    "table",
    "abatement",
    "region",
    "tier",
    "source_id",
    "source_line",
    "source_fuel",
    "share",
];

impl Conversion {
    /// The activity table as text cells: the header, then one row per
    /// activity row. What is written to the activity file and what compile
    /// reads are the same cells.
    pub fn activity_cells(&self) -> Vec<Vec<String>> {
        let mut out = vec![ACTIVITY_HEADER.iter().map(|s| s.to_string()).collect()];
        for r in &self.rows {
            let [technology, table, abatement, region, tier] = r.pins.texts();
            out.push(vec![
                r.year.to_string(),
                r.nfr.clone(),
                r.fuel.clone(),
                technology.to_string(),
                format_decimal(r.value),
                r.unit.clone(),
                table.to_string(),
                abatement.to_string(),
                region.to_string(),
                tier.to_string(),
                r.source_id.clone(),
                crate::output::csv_safe(&r.source_line).into_owned(),
                crate::output::csv_safe(&r.source_fuel).into_owned(),
                format_decimal(r.share),
            ]);
        }
        out
    }

    /// The activity rows as a table that [`crate::activity`] reads, located
    /// at `at` (the sheet through the mapping).
    pub fn activity_table(&self, at: Location) -> Sheet {
        Sheet {
            at,
            lettered: false,
            rows: self
                .activity_cells()
                .into_iter()
                .enumerate()
                .map(|(i, cells)| SheetRow {
                    number: i as u64 + 1,
                    cells,
                })
                .collect(),
        }
    }

    /// Writes the activity file (CSV).
    pub fn write_activity(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut c = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        for row in self.activity_cells() {
            c.write_record(&row)?;
        }
        c.flush()
    }

    /// Writes the ledger of every cell and remainder (CSV).
    pub fn write_cells(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        let mut c = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(w);
        c.write_record([
            "cell", "kind", "year", "line", "fuel", "value", "unit", "outcome", "mapped", "nfr",
            "reason",
        ])?;
        for r in &self.cells {
            let (outcome, reason) = match &r.outcome {
                Outcome::Mapped => ("mapped", r.rest.clone().unwrap_or_default()),
                Outcome::Excluded(why) => ("excluded", why.clone()),
                Outcome::Unmapped(why) => ("unmapped", why.clone()),
            };
            c.write_record([
                r.cell.as_str(),
                if r.remainder { "remainder" } else { "cell" },
                &r.year.map(|y| y.to_string()).unwrap_or_default(),
                &crate::output::csv_safe(&r.line),
                &crate::output::csv_safe(&r.fuel),
                &format_decimal(r.value),
                &self.unit,
                outcome,
                &format_decimal(r.mapped),
                &r.codes.join(" "),
                &match &r.beyond_range {
                    Some(text) => format!("{reason}; rounded to 28 decimal places from {text}"),
                    None => reason,
                },
            ])?;
        }
        c.flush()
    }
}
