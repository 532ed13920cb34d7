//! Cells the template makes from other cells: PAH1-4 of a row (X + Y + Z +
//! AA), NATIONAL TOTAL, the adjustments (from run.json) and the compliance
//! totals, each listed with its terms and recomputed with compile's rules
//! ([`crate::annex1::Annex1Year`]).

use super::explanation::{Agreement, Explanation, Term, Value, agree, sum_in_order};
use super::record::RunRecord;
use super::target::{Column, cell_name};
use crate::annex1::Annex1Year;
use crate::nfr::{self, Row, RowKind};
use crate::notation_key::Cell;
use crate::number::parse_decimal;
use crate::pollutant::Pollutant;

/// PAH1-4 (AB) of a sector row: BaP + BbF + BkF + IcdP of the row.
pub(super) fn pah_total(e: &mut Explanation, table: &Annex1Year, row: &Row) {
    e.rule = "PAH1-4 (Total 1-4) = BaP + BbF + BkF + IcdP of the row (X + Y + Z + AA)".into();
    let cells = &table.rows[&row.number];
    e.terms = Pollutant::PAHS
        .iter()
        .map(|p| {
            term(
                table.header.year,
                row,
                Column::Pollutant(*p),
                cells.get(*p),
                false,
            )
        })
        .collect();
    let mut recomputed = table.clone();
    recomputed.derive_pah_totals();
    recomputed_agree(e, recomputed.rows[&row.number].get(Pollutant::PAH14));
}

fn term(year: i32, row: &Row, column: Column, cell: Cell, subtract: bool) -> Term {
    Term {
        cell: Some(cell_name(year, column, row.number)),
        code: row.code.clone(),
        name: row.name.clone(),
        subtract,
        value: Value::of(cell),
    }
}

/// Compares the cell with the value the template's rule gives.
fn recomputed_agree(e: &mut Explanation, recomputed: Cell) {
    match recomputed {
        Cell::Number(d) => agree(e, Some(d), false),
        other => {
            e.sum = Some(Value::of(other));
            e.agreement = if Value::of(other) == e.value {
                if other.is_empty() {
                    Agreement::Words
                } else {
                    Agreement::Exact
                }
            } else {
                Agreement::Differs
            };
        }
    }
}

/// NATIONAL TOTAL and the compliance rows: the cells summed into them by
/// the template's notes, the value recomputed with compile's rules.
pub(super) fn total(
    e: &mut Explanation,
    table: &Annex1Year,
    row: &Row,
    p: Pollutant,
    run: &RunRecord,
) {
    let year = table.header.year;
    let col = Column::Pollutant(p);
    let rows_of = |kind: RowKind| nfr::rows().iter().filter(move |r| r.kind == kind);
    let add_rows =
        |terms: &mut Vec<Term>, rows: &mut dyn Iterator<Item = &'static Row>, minus: bool| {
            for r in rows {
                terms.push(term(year, r, col, table.rows[&r.number].get(p), minus));
            }
        };
    let national = nfr::find("NATIONAL TOTAL").expect("row 141");
    let mut terms = Vec::new();
    match row.code.as_str() {
        "NATIONAL TOTAL" => {
            e.rule =
                "the sum of the sector rows 14-140 (template note (a)); memo items are outside it"
                    .into();
            add_rows(&mut terms, &mut rows_of(RowKind::Sector), false);
        }
        "ADJUSTMENTS" | "ADJUSTMENTS AND FLEXIBILITIES" => {
            let which = if row.code == "ADJUSTMENTS" {
                "clrtap"
            } else {
                "necd"
            };
            e.rule = "the sum of the approved adjustments inventory.toml declares ([[adjustments]]), as run.json records them".into();
            for a in run
                .adjustments
                .iter()
                .filter(|a| a.year == year && a.row == which)
            {
                let same = Pollutant::parse(&a.pollutant).or_else(|| {
                    Pollutant::ALL
                        .into_iter()
                        .find(|q| format!("{q:?}") == a.pollutant)
                });
                if same == Some(p) {
                    let value = parse_decimal(&a.value)
                        .map(Cell::Number)
                        .unwrap_or_default();
                    terms.push(Term {
                        cell: None,
                        code: row.code.clone(),
                        name: if a.note.is_empty() {
                            "inventory.toml [[adjustments]]".into()
                        } else {
                            a.note.clone()
                        },
                        subtract: false,
                        value: Value::of(value),
                    });
                }
            }
        }
        _ => {
            let necd = row.code == "COMPLIANCE TOTAL (NECD)";
            let adjustment = nfr::find(if necd {
                "ADJUSTMENTS AND FLEXIBILITIES"
            } else {
                "ADJUSTMENTS"
            })
            .expect("row 151 or 153");
            e.rule = format!(
                "NATIONAL TOTAL + {}{} (template note {})",
                adjustment.code,
                " + road transport on fuel used − road transport on fuel sold (rows 143-149 − 1A3bi-1A3bvii), when fuel used is reported with numbers",
                if necd {
                    "(e); for NOx and NMVOC in 2005 and from 2020 on, − sectors 3B and 3D"
                } else {
                    "(c)"
                }
            );
            add_rows(&mut terms, &mut [national, adjustment].into_iter(), false);
            let fuel_used: Vec<&'static Row> = rows_of(RowKind::FuelUsed).collect();
            if fuel_used
                .iter()
                .any(|r| table.rows[&r.number].get(p).number().is_some())
            {
                add_rows(&mut terms, &mut fuel_used.iter().copied(), false);
                let sold = fuel_used
                    .iter()
                    .filter_map(|r| nfr::find(r.code.trim_end_matches("(fu)")));
                add_rows(&mut terms, &mut sold.collect::<Vec<_>>().into_iter(), true);
            }
            if necd
                && matches!(p, Pollutant::NOx | Pollutant::NMVOC)
                && (year == 2005 || year >= 2020)
            {
                let agri = nfr::sector_rows()
                    .filter(|r| r.code.starts_with("3B") || r.code.starts_with("3D"));
                add_rows(&mut terms, &mut agri.collect::<Vec<_>>().into_iter(), true);
            }
        }
    }
    e.terms = terms;
    if row.code.starts_with("ADJUSTMENTS") {
        let sum = sum_in_order(e.terms.iter().filter_map(|t| t.value.number));
        if sum.is_none() && e.value.number.is_none() {
            e.reasons
                .push(format!("run.json records no adjustment of {p} for {year}"));
        }
        agree(e, sum.map(|s| s.0), false);
        return;
    }
    let mut recomputed = table.clone();
    recomputed.compute_totals();
    recomputed_agree(e, recomputed.rows[&row.number].get(p));
}
