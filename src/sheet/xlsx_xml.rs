//! The parts of an xlsx container read as XML, before calamine reads them:
//! the shared-string table's declared count (calamine reserves that many
//! strings before reading one) and the number cells of worksheets (calamine
//! keeps only the text before a character reference or a comment, so
//! `<v>3&#51;.853</v>`, the number 33.853, would be read as 3).
//!
//! Both are read by a real XML reader (quick-xml, calamine's own, set up as
//! calamine sets it up), so an attribute is found in any quoting, spacing
//! and position; only where the `<sst>` element's attributes cannot be
//! parsed are the numbers after `uniqueCount` taken from its text, the
//! largest kept (a bound, never a value read).

use quick_xml::events::Event;
use std::io::BufRead;

/// What a part says that airinv refuses, or why it is not XML.
#[derive(Debug, PartialEq)]
pub enum PartProblem {
    /// The part is not well-formed XML (or cannot be unpacked).
    NotXml(String),
    /// The shared-string table declares this count, as written.
    Count(String),
    /// A number cell (`<v>`) of this cell reference holds a character
    /// reference, a comment, a CDATA section or an element.
    NumberCell { cell: String, what: &'static str },
}

/// An XML reader set up as calamine sets up its own (`xml_reader`): end
/// names and comments not checked, empty elements as a start and an end,
/// text as written. What calamine reads past, this reads past too, so no
/// check stops short of what calamine goes on to read.
fn as_calamine_reads<R: BufRead>(input: R) -> quick_xml::Reader<R> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let config = reader.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    config.expand_empty_elements = true;
    config.trim_text(false);
    reader
}

/// The `uniqueCount` the `<sst>` element of a shared-string part declares,
/// when it has one: `Ok(Some(n))`, or the text written when it is not a
/// plain count.
///
/// The part is read as calamine reads it (end names and comments not
/// checked, other elements before `<sst>` skipped), so that no `<sst>`
/// calamine would reserve strings for goes unseen: fuzzing found a
/// mismatched end tag before `<sst uniqueCount="96000000000000">`, which a
/// strict reader refused as not XML (and let through) while calamine read on
/// and asked for 96 TB. Where the attributes cannot be parsed, every number
/// written after a `uniqueCount` in the element counts, the largest kept.
pub fn shared_string_count<R: BufRead>(input: R) -> Result<Option<u128>, PartProblem> {
    let mut reader = as_calamine_reads(input);
    let mut buf = Vec::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| PartProblem::NotXml(e.to_string()))?;
        match event {
            Event::Start(e) if e.local_name().as_ref() == "sst" => {
                let parsed = unique_count(&e);
                let scanned = scanned_count(&e);
                return match (parsed, scanned) {
                    (Err(p), _) => Err(p),
                    (Ok(a), b) => Ok(a.max(b)),
                };
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
        buf.clear();
    }
}

/// The `uniqueCount` attribute, read as an attribute (in any quoting).
fn unique_count(e: &quick_xml::events::BytesStart) -> Result<Option<u128>, PartProblem> {
    for a in e.attributes().with_checks(false) {
        let Ok(a) = a else {
            // Not parseable as attributes: the scan decides.
            return Ok(None);
        };
        if a.key.as_ref() != "uniqueCount" {
            continue;
        }
        let raw = a.value.to_string();
        let digits = raw.trim();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PartProblem::Count(crate::suggest::clip(&raw)));
        }
        return Ok(Some(digits.parse().unwrap_or(u128::MAX)));
    }
    Ok(None)
}

/// The largest run of digits written after a `uniqueCount` in the element's
/// attribute text (the bound when the attributes cannot be parsed).
fn scanned_count(e: &quick_xml::events::BytesStart) -> Option<u128> {
    let text = e.attributes_raw().as_bytes();
    let key = b"uniqueCount";
    let mut largest: Option<u128> = None;
    let mut from = 0;
    while let Some(at) = text[from..].windows(key.len()).position(|w| w == key) {
        let rest = &text[from + at + key.len()..];
        let digits: Vec<u8> = rest
            .iter()
            .skip_while(|b| {
                !b.is_ascii_digit()
                    && matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'=' | b'"' | b'\'')
            })
            .take_while(|b| b.is_ascii_digit())
            .copied()
            .collect();
        if !digits.is_empty() {
            let n = std::str::from_utf8(&digits)
                .ok()
                .and_then(|d| d.parse().ok())
                .unwrap_or(u128::MAX);
            largest = Some(largest.map_or(n, |l: u128| l.max(n)));
        }
        from += at + key.len();
    }
    largest
}

/// Reads a worksheet part through and refuses a number cell that is not
/// plain text: within `<c r="B12"><v>…</v></c>` (a cell without a type or
/// of type `n`), a character or entity
/// reference, a comment, a CDATA section, a processing instruction or an
/// element. Excel never writes them; calamine would keep only the text
/// before them.
pub fn check_number_cells<R: BufRead>(input: R) -> Result<(), PartProblem> {
    let mut reader = as_calamine_reads(input);
    let mut buf = Vec::new();
    let mut cell = String::new();
    let mut in_value = false;
    // The cell at hand is a number cell (no type, or `t="n"`): text
    // results of formulas (`t="str"`) may hold `&amp;`.
    let mut numeric = true;
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| PartProblem::NotXml(e.to_string()))?;
        let refuse = |what: &'static str, cell: &str| PartProblem::NumberCell {
            cell: crate::suggest::clip(cell),
            what,
        };
        match event {
            Event::Start(_) | Event::Empty(_) if in_value => {
                return Err(refuse("an element", &cell));
            }
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "c" => {
                cell.clear();
                numeric = true;
                for a in e.attributes().with_checks(false).flatten() {
                    match a.key.local_name().as_ref() {
                        "r" => cell = a.value.to_string(),
                        "t" => numeric = matches!(a.value.as_ref(), "n" | ""),
                        _ => {}
                    }
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "v" => in_value = numeric,
            Event::End(e) if e.local_name().as_ref() == "v" => in_value = false,
            Event::GeneralRef(_) if in_value => {
                return Err(refuse("a character or entity reference (&…;)", &cell));
            }
            Event::Comment(_) if in_value => return Err(refuse("a comment (<!-- -->)", &cell)),
            Event::CData(_) if in_value => return Err(refuse("a CDATA section", &cell)),
            Event::PI(_) if in_value => return Err(refuse("a processing instruction", &cell)),
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_is_read_in_any_quoting_spacing_and_position() {
        let count = |xml: &str| shared_string_count(xml.as_bytes());
        assert_eq!(count(r#"<sst uniqueCount="4"/>"#), Ok(Some(4)));
        assert_eq!(
            count("<sst uniqueCount='4000000000000'/>"),
            Ok(Some(4_000_000_000_000))
        );
        assert_eq!(count("<sst  uniqueCount = \"7\" ></sst>"), Ok(Some(7)));
        let late = format!(
            "<?xml version=\"1.0\"?><x:sst xmlns:x=\"urn:a\" {} uniqueCount=\"9\"/>",
            "a=\"b\" ".repeat(3000)
        );
        assert_eq!(count(&late), Ok(Some(9)));
        assert_eq!(count("<sst count=\"3\"/>"), Ok(None));
        assert_eq!(
            count("<sst uniqueCount=\"4&#48;0\"/>"),
            Err(PartProblem::Count("4&#48;0".into()))
        );
        // Found by fuzzing: what calamine reads past (a mismatched end tag,
        // an element before <sst>, an unclosed comment's neighbour) must not
        // hide the count it reserves for.
        assert_eq!(
            count(r#"<a></b><sst uniqueCount="96000000000000"><si/></sst>"#),
            Ok(Some(96_000_000_000_000))
        );
        assert_eq!(
            count(r#"<x/><sst count="1" uniqueCount="96000000000000"/>"#),
            Ok(Some(96_000_000_000_000))
        );
        // Attributes that cannot be parsed: the numbers after uniqueCount.
        assert_eq!(
            count(r#"<sst a=b uniqueCount="96000000000000">"#),
            Ok(Some(96_000_000_000_000))
        );
    }

    #[test]
    fn a_number_cell_with_a_reference_or_comment_is_refused_with_its_cell() {
        let check = |v: &str| {
            check_number_cells(
                format!("<worksheet><sheetData><row r=\"7\"><c r=\"C7\"><v>{v}</v></c></row></sheetData></worksheet>").as_bytes(),
            )
        };
        assert_eq!(check("33.853"), Ok(()));
        // Behind a mismatched end tag, which calamine reads past.
        assert_eq!(
            check_number_cells(
                "<worksheet><x></y><sheetData><row><c r=\"C7\"><v>3&#51;.853</v></c></row></sheetData></worksheet>".as_bytes()
            ),
            Err(PartProblem::NumberCell {
                cell: "C7".into(),
                what: "a character or entity reference (&…;)"
            })
        );
        for (v, what) in [
            ("3&#51;.853", "a character or entity reference (&…;)"),
            ("&#x31;.5", "a character or entity reference (&…;)"),
            ("1<!---->2", "a comment (<!-- -->)"),
            ("<![CDATA[1]]>", "a CDATA section"),
        ] {
            assert_eq!(
                check(v),
                Err(PartProblem::NumberCell {
                    cell: "C7".into(),
                    what
                }),
                "{v}"
            );
        }
        // References in formulas and text results are not in number cells.
        assert_eq!(
            check_number_cells(&b"<worksheet><c r=\"A1\"><f>A&amp;B</f><v>2</v></c><c r=\"A2\" t=\"str\"><v>A&amp;B</v></c></worksheet>"[..]),
            Ok(())
        );
    }
}
