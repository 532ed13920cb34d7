//! A workbook cell as text: the one place a calamine value becomes the text
//! the readers see, numbers through [`crate::number::from_excel`].

use calamine::Data;

/// The text of a workbook cell: strings as they are, numbers as exact
/// decimals, booleans as TRUE/FALSE, errors as Excel shows them.
pub fn cell_text(value: &Data) -> Result<String, String> {
    Ok(match value {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) => {
            crate::number::format_decimal(crate::number::from_excel(*f).map_err(|e| e.to_string())?)
        }
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(d) => crate::number::format_decimal(
            crate::number::from_excel(d.as_f64()).map_err(|e| e.to_string())?,
        ),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => excel_error_text(e).to_string(),
    })
}

/// An Excel error as Excel shows it (calamine writes `#GETTING_DATA` as
/// `#DATA!`).
fn excel_error_text(e: &calamine::CellErrorType) -> &'static str {
    use calamine::CellErrorType as E;
    match e {
        E::Div0 => "#DIV/0!",
        E::NA => "#N/A",
        E::Name => "#NAME?",
        E::Null => "#NULL!",
        E::Num => "#NUM!",
        E::Ref => "#REF!",
        E::Value => "#VALUE!",
        E::GettingData => "#GETTING_DATA",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn excel_error_cells_read_as_excel_shows_them() {
        let cell = calamine::Data::Error(calamine::CellErrorType::Div0);
        assert_eq!(super::cell_text(&cell).unwrap(), "#DIV/0!");
    }
}
