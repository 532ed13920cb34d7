//! The trend table: every year side by side, national total per pollutant,
//! written as `annex1_trend.csv` and as the last sheet (`Trend`) of
//! `annex1.xlsx`.

use crate::annex1::Annex1Year;
use crate::notation_key::Cell;
use crate::pollutant::Pollutant;

/// The national total of each pollutant in each year, in year order.
pub fn national_totals(tables: &[Annex1Year]) -> Vec<(Pollutant, Vec<Cell>)> {
    Pollutant::ALL
        .iter()
        .map(|p| {
            let cells = tables
                .iter()
                .map(|t| {
                    t.row("NATIONAL TOTAL")
                        .map(|r| r.get(*p))
                        .unwrap_or(Cell::Empty)
                })
                .collect();
            (*p, cells)
        })
        .collect()
}

/// Writes `annex1_trend.csv`: `pollutant,unit,<year>...`.
pub fn write_csv<W: std::io::Write>(out: W, tables: &[Annex1Year]) -> std::io::Result<()> {
    let mut w = crate::output::csv_writer(out);
    let mut header = vec!["pollutant".to_string(), "unit".to_string()];
    header.extend(tables.iter().map(|t| t.header.year.to_string()));
    w.write_record(&header)?;
    for (p, cells) in national_totals(tables) {
        let mut rec = vec![p.id().to_string(), p.unit().to_string()];
        rec.extend(cells.iter().map(|c| c.to_string()));
        w.write_record(&rec)?;
    }
    w.flush()
}

/// Adds the `Trend` sheet to a workbook.
pub fn add_sheet(
    wb: &mut rust_xlsxwriter::Workbook,
    tables: &[Annex1Year],
) -> Result<(), rust_xlsxwriter::XlsxError> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let ws = wb.add_worksheet();
    ws.set_name("Trend")?;
    ws.write_string_with_format(0, 0, "National total (row 141) by year", &bold)?;
    ws.write_string_with_format(2, 0, "pollutant", &bold)?;
    ws.write_string_with_format(2, 1, "unit", &bold)?;
    for (i, t) in tables.iter().enumerate() {
        ws.write_number_with_format(2, 2 + i as u16, f64::from(t.header.year), &bold)?;
    }
    for (r, (p, cells)) in national_totals(tables).iter().enumerate() {
        let row = 3 + r as u32;
        ws.write_string(row, 0, p.id())?;
        ws.write_string(row, 1, p.unit())?;
        for (i, c) in cells.iter().enumerate() {
            let col = 2 + i as u16;
            match c {
                Cell::Number(d) => {
                    ws.write_number(row, col, crate::number::to_excel(*d))?;
                }
                Cell::Key(k) => {
                    ws.write_string(row, col, k.as_str())?;
                }
                Cell::Empty => {}
            }
        }
    }
    ws.set_column_width(0, 12)?;
    Ok(())
}
