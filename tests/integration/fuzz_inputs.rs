//! Fuzzing of the inputs a user hands airinv (issue 17, item 6): generated
//! and mutated xlsx workbooks (their XML and the zip around it),
//! `inventory.toml` files and mappings, run through the library in-process.
//!
//! Every generator demands the same of every input: no panic, and either a
//! result or an error whose message names a place (the file, and a sheet,
//! cell, line or key). Where an input is valid by construction, the values
//! must come back exactly as written.
//!
//! Each property runs a few cases in `cargo test` (see [`fuzz_cases`]);
//! `AIRINV_FUZZ_CASES` runs more, and `tests/fuzz.sh SECONDS` runs every
//! fuzz target round after round with fresh seeds. The reproducers of
//! `tests/data/fuzz/` are mutation bases (seed corpus) where they fit.

use crate::harness::{Dir, dec, fuzz_cases, repo};
use airinv::activity::{self, ReadOptions};
use airinv::calculate::Accumulator;
use airinv::fuel::Fuels;
use airinv::{Cell, Pollutant};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::io::{Read, Write};
use std::path::Path;

// ---------------------------------------------------------------------------
// Workbooks, written part by part.

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;

const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="NFR-19 2022" sheetId="1" r:id="rId1"/><sheet name="activity" sheetId="2" r:id="rId2"/></sheets></workbook>"#;

const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// The shared strings: the labels of the Annex I sheet and the text cells
/// of the activity sheet, by index.
const STRINGS: [&str; 15] = [
    "NFR Code",     // 0
    "NOx (as NO2)", // 1
    "NMVOC",        // 2
    "SOx (as SO2)", // 3
    "kt",           // 4
    "1A1a",         // 5
    "1A2a",         // 6
    "year",         // 7
    "nfr",          // 8
    "value",        // 9
    "unit",         // 10
    "5C1bv",        // 11
    "bodies",       // 12
    "fuel",         // 13
    "technology",   // 14
];

/// How the XML of a part is written: the quotes around attribute values
/// and the spaces around `=` (both are XML; a reader must take either).
#[derive(Debug, Clone, Copy)]
struct Style {
    single_quotes: bool,
    spaced: bool,
}

impl Style {
    fn attr(self, name: &str, value: &str) -> String {
        let q = if self.single_quotes { '\'' } else { '"' };
        let eq = if self.spaced { " = " } else { "=" };
        format!(" {name}{eq}{q}{value}{q}")
    }
}

fn shared_strings(style: Style) -> String {
    let n = STRINGS.len().to_string();
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"{}{}>",
        style.attr("count", &n),
        style.attr("uniqueCount", &n)
    );
    for s in STRINGS {
        x.push_str(&format!("<si><t>{s}</t></si>"));
    }
    x.push_str("</sst>");
    x
}

/// A cell: `t="s"` with a shared-string index, or a number.
fn cell(style: Style, r: &str, shared: Option<usize>, number: &str) -> String {
    match shared {
        Some(i) => format!(
            "<c{}{}><v>{i}</v></c>",
            style.attr("r", r),
            style.attr("t", "s")
        ),
        None => format!("<c{}><v>{number}</v></c>", style.attr("r", r)),
    }
}

fn sheet(style: Style, rows: &[(u32, Vec<String>)]) -> String {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for (r, cells) in rows {
        x.push_str(&format!("<row{}>", style.attr("r", &r.to_string())));
        for c in cells {
            x.push_str(c);
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

/// The Annex I year sheet: header row 12, units row 13, NOx, NMVOC and SOx
/// of 1A1a and 1A2a in rows 14-15 (the values given as text).
fn annex_sheet(style: Style, values: &[String; 6]) -> String {
    let s = |r: &str, i: usize| cell(style, r, Some(i), "");
    let n = |r: &str, v: &str| cell(style, r, None, v);
    sheet(
        style,
        &[
            (12, vec![s("A12", 0), s("C12", 1), s("D12", 2), s("E12", 3)]),
            (13, vec![s("C13", 4), s("D13", 4), s("E13", 4)]),
            (
                14,
                vec![
                    s("A14", 5),
                    n("C14", &values[0]),
                    n("D14", &values[1]),
                    n("E14", &values[2]),
                ],
            ),
            (
                15,
                vec![
                    s("A15", 6),
                    n("C15", &values[3]),
                    n("D15", &values[4]),
                    n("E15", &values[5]),
                ],
            ),
        ],
    )
}

/// The activity sheet: one row of cremations (5C1bv, bodies) in 2022.
fn activity_sheet(style: Style, value: &str) -> String {
    let s = |r: &str, i: usize| cell(style, r, Some(i), "");
    let n = |r: &str, v: &str| cell(style, r, None, v);
    sheet(
        style,
        &[
            (
                1,
                vec![
                    s("A1", 7),
                    s("B1", 8),
                    s("C1", 13),
                    s("D1", 14),
                    s("E1", 9),
                    s("F1", 10),
                ],
            ),
            (
                2,
                vec![n("A2", "2022"), s("B2", 11), n("E2", value), s("F2", 12)],
            ),
        ],
    )
}

/// The parts of a workbook, by name.
pub type Parts = Vec<(String, Vec<u8>)>;

fn parts(style: Style, annex: &[String; 6], activity: &str) -> Parts {
    vec![
        ("[Content_Types].xml".into(), CONTENT_TYPES.into()),
        ("_rels/.rels".into(), RELS.into()),
        ("xl/workbook.xml".into(), WORKBOOK.into()),
        ("xl/_rels/workbook.xml.rels".into(), WORKBOOK_RELS.into()),
        ("xl/sharedStrings.xml".into(), shared_strings(style).into()),
        (
            "xl/worksheets/sheet1.xml".into(),
            annex_sheet(style, annex).into(),
        ),
        (
            "xl/worksheets/sheet2.xml".into(),
            activity_sheet(style, activity).into(),
        ),
    ]
}

pub fn zip_parts(parts: &Parts, stored: bool) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let method = if stored {
        zip::CompressionMethod::Stored
    } else {
        zip::CompressionMethod::Deflated
    };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, bytes) in parts {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The parts of an xlsx file of the seed corpus.
pub fn unzip(path: &Path) -> Parts {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            (f.name().unwrap().to_string(), bytes)
        })
        .collect()
}

/// What a reader gave: Ok, or the error's message, which must name the file.
fn names_the_file(result: Result<(), String>, file: &str) -> Result<(), TestCaseError> {
    if let Err(e) = result {
        prop_assert!(e.contains(file), "the error does not name the file: {e}");
    }
    Ok(())
}

/// Reads a workbook as every command does: as an Annex I workbook, as an
/// activity sheet, and as a sheet for a mapping. Panics fail the test
/// (proptest catches them); errors must name the file.
fn read_every_way(path: &Path) -> Result<(), TestCaseError> {
    let file = path.file_name().unwrap().to_str().unwrap();
    names_the_file(
        airinv::workbook::read(path)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        file,
    )?;
    names_the_file(
        airinv::workbook::read_lenient(path)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        file,
    )?;
    let fuels = Fuels::built_in().clone();
    let options = ReadOptions {
        years: vec![2022],
        fuels: Some(&fuels),
        ..ReadOptions::default()
    };
    let mut rejected = Vec::new();
    let read = activity::read_file(path, Some("activity"), &options, &mut rejected, |_| {});
    names_the_file(read.map(|_| ()).map_err(|e| e.to_string()), file)?;
    for r in &rejected {
        prop_assert!(r.at.to_string().contains(file), "{:?}", r);
    }
    names_the_file(
        airinv::sheet::read(path, None)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        file,
    )
}

/// Decimals an Excel number cell holds exactly (at most 15 significant
/// digits), written as text.
fn excel_decimal() -> impl Strategy<Value = String> {
    (-999_999_999_999_999i64..=999_999_999_999_999, 0u32..=12)
        .prop_map(|(m, scale)| Decimal::new(m, scale).to_string())
}

/// A text of an XML part mutated where it is read: cell types, references,
/// quoting, entities and character references, comments, CDATA, broken
/// tags, huge and impossible numbers, encodings and a BOM.
fn xml_mutation() -> impl Strategy<Value = (u8, prop::sample::Index, &'static str)> {
    let snippet = prop::sample::select(vec![
        " t=\"s\"",
        " t=\"n\"",
        " t=\"str\"",
        " t=\"inlineStr\"",
        " t=\"b\"",
        " t=\"e\"",
        " t=\"d\"",
        " t='s'",
        " r=\"A1\"",
        " r=\"XFD1048576\"",
        " r=\"XFE1048577\"",
        " r=\"a1\"",
        " r=\"\"",
        " r=\"C0\"",
        " r=\"ZZZZZZ99999999999\"",
        " r = 'B2'",
        "&#51;",
        "&#x33;",
        "&#0;",
        "&#1114112;",
        "&amp;",
        "&lt;",
        "&nosuch;",
        "&",
        "<!-- comment -->",
        "<!--",
        "<![CDATA[7]]>",
        "<![CDATA[",
        "<v>",
        "</v>",
        "<v/>",
        "</c>",
        "<c r=\"C14\"><v>1</v></c>",
        "<is><t>9</t></is>",
        "</row>",
        "<row r=\"14\">",
        "<row r=\"0\">",
        "<row r=\"99999999999\">",
        "</sheetData>",
        "1e400",
        "-1e400",
        "1e-400",
        "NaN",
        "inf",
        "-0",
        "79228162514264337593543950336",
        "0.0000000000000000000000000001",
        "99999999999999999999999999999999999999",
        "4000000000000",
        "-1",
        "2147483648",
        "\u{feff}",
        "\u{0}",
        "\u{a0}",
        "²",
        "٣",
        "\"",
        "'",
        "<",
        ">",
        "=",
        " ",
        "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?>",
        "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>",
        "&b;",
        " count=\"4000000000000\"",
        " count='4000000000000'",
        " uniqueCount = \"18446744073709551616\"",
        "<si><t>extra</t></si>",
        "<si><r><t>ri</t></r><r><t>ch</t></r></si>",
        "</si>",
        "<t xml:space=\"preserve\"> 1A1a </t>",
        // What calamine reads past and a strict reader does not (the hour
        // of fuzzing found a count behind a mismatched end tag).
        "</b>",
        "<b>",
        " uniqueCount=\"96000000000000\"",
        "<dimension ref=\"A1:XFD1048576\"/>",
    ]);
    // 0-4: insert; 5: delete a span; 6: truncate; 7: replace a span.
    (0u8..8, any::<prop::sample::Index>(), snippet)
}

/// Applies XML mutations to a part's text, at character boundaries.
fn mutate_text(text: &str, mutations: &[(u8, prop::sample::Index, &'static str)]) -> Vec<u8> {
    let mut t = text.to_string();
    for (kind, at, snippet) in mutations {
        let boundaries: Vec<usize> = t
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(t.len()))
            .collect();
        let i = boundaries[at.index(boundaries.len())];
        let end = boundaries
            .iter()
            .copied()
            .find(|b| *b >= i + 1 + snippet.len() % 7)
            .unwrap_or(t.len());
        match kind {
            0..=4 => t.insert_str(i, snippet),
            5 => t.replace_range(i..end, ""),
            6 => t.truncate(i),
            _ => t.replace_range(i..end, snippet),
        }
    }
    t.into_bytes()
}

/// Byte-level mutations of a whole file: bit flips, overwritten bytes,
/// truncation (CRCs left as they are).
fn mutate_bytes(bytes: &mut Vec<u8>, mutations: &[(u8, prop::sample::Index, u8)]) {
    for (kind, at, b) in mutations {
        if bytes.is_empty() {
            return;
        }
        let i = at.index(bytes.len());
        match kind {
            0..=3 => bytes[i] ^= 1 << (b % 8),
            4 | 5 => bytes[i] = *b,
            6 => bytes.truncate(i),
            _ => bytes.insert(i, *b),
        }
    }
}

/// A workbook to mutate: the generated one (in any quoting, stored or
/// deflated) or one of the seed corpus.
fn base_parts() -> impl Strategy<Value = (Parts, bool)> {
    let generated = (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(q, s, stored)| {
        let style = Style {
            single_quotes: q,
            spaced: s,
        };
        let values = ["1.5", "0", "22", "0.000001", "3.853", "7"].map(String::from);
        (parts(style, &values, "38000"), stored)
    });
    let seeds = prop::sample::select(vec![
        "char-ref-in-number.xlsx",
        "sst-count-single-quotes.xlsx",
    ])
    .prop_map(|name| (unzip(&repo().join("tests/data/fuzz").join(name)), false));
    prop_oneof![4 => generated, 1 => seeds]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(48)))]

    /// Workbooks whose XML is mutated (in the parts that hold cells and
    /// strings) and then rezipped with good CRCs.
    #[test]
    fn fuzz_xlsx_xml_mutants_are_read_or_refused_with_their_place(
        (base, stored) in base_parts(),
        part in prop::sample::select(vec!["sheet1.xml", "sheet2.xml", "sharedStrings.xml", "workbook.xml"]),
        mutations in proptest::collection::vec(xml_mutation(), 1..4),
    ) {
        let mut parts = base;
        for (name, bytes) in parts.iter_mut() {
            if name.ends_with(part) {
                let text = String::from_utf8_lossy(bytes).into_owned();
                *bytes = mutate_text(&text, &mutations);
            }
        }
        let d = Dir::new();
        let path = d.path("w.xlsx");
        std::fs::write(&path, zip_parts(&parts, stored)).unwrap();
        read_every_way(&path)?;
    }

    /// Workbooks whose zip bytes are mutated (bit flips, truncation,
    /// inserted bytes), CRCs left as they were.
    #[test]
    fn fuzz_xlsx_zip_mutants_are_read_or_refused_with_their_place(
        (base, stored) in base_parts(),
        mutations in proptest::collection::vec((0u8..8, any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut bytes = zip_parts(&base, stored);
        mutate_bytes(&mut bytes, &mutations);
        let d = Dir::new();
        let path = d.path("w.xlsx");
        std::fs::write(&path, &bytes).unwrap();
        read_every_way(&path)?;
    }

    /// Valid workbooks (any quoting, stored or deflated): every number cell
    /// is read as the decimal written, in the Annex I table and as activity.
    #[test]
    fn fuzz_xlsx_numbers_are_read_as_written(
        single_quotes in any::<bool>(),
        spaced in any::<bool>(),
        stored in any::<bool>(),
        values in proptest::array::uniform6(excel_decimal()),
        activity_value in excel_decimal(),
    ) {
        let style = Style { single_quotes, spaced };
        let d = Dir::new();
        let path = d.path("w.xlsx");
        std::fs::write(&path, zip_parts(&parts(style, &values, &activity_value), stored)).unwrap();

        let book = airinv::workbook::read(&path).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(book.years.len(), 1);
        let table = &book.years[0].table;
        prop_assert_eq!(table.header.year, 2022);
        let pollutants = [Pollutant::NOx, Pollutant::NMVOC, Pollutant::SOx];
        for (i, code) in ["1A1a", "1A2a"].iter().enumerate() {
            let row = table.row(code).unwrap();
            for (j, p) in pollutants.iter().enumerate() {
                let written = dec(&values[i * 3 + j]);
                match row.get(*p) {
                    Cell::Number(v) => prop_assert_eq!(v, written, "{} {:?}", code, p),
                    other => prop_assert!(false, "{} {:?}: {:?}, written {}", code, p, other, written),
                }
            }
        }

        let fuels = Fuels::built_in().clone();
        let options = ReadOptions { years: vec![2022], fuels: Some(&fuels), ..ReadOptions::default() };
        let mut acc = Accumulator::new(false);
        let mut rejected = Vec::new();
        let read = activity::read_file(&path, Some("activity"), &options, &mut rejected, |a| acc.add(a));
        let written = dec(&activity_value);
        if written < Decimal::ZERO {
            // A negative activity is refused, with its cell.
            prop_assert_eq!(rejected.len(), 1);
            prop_assert!(rejected[0].at.to_string().contains("cell E2"), "{:?}", rejected[0]);
        } else {
            let counts = read.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(counts.used, 1, "{:?}", rejected);
            let totals: Vec<Decimal> = acc.keys.values().map(|t| t.value).collect();
            prop_assert_eq!(totals, vec![written]);
        }
    }
}

// ---------------------------------------------------------------------------
// inventory.toml and mappings, from a grammar of their real keys.

/// A TOML value: right and wrong types, absurd numbers, unicode, nesting.
fn toml_value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("\"XX\"".to_string()),
        Just("\"KZ\"".to_string()),
        Just("\"Казахстан\"".to_string()),
        Just("\"1A1a\"".to_string()),
        Just("\"5C1bv\"".to_string()),
        Just("\"NOx\"".to_string()),
        Just("\"all\"".to_string()),
        Just("\"NO\"".to_string()),
        Just("\"IE\"".to_string()),
        Just("\"Diesel\"".to_string()),
        Just("\"Natural gas\"".to_string()),
        Just("\"activity/a.csv\"".to_string()),
        Just("\"extrapolation\"".to_string()),
        Just("\"42.9\"".to_string()),
        Just("\"-42.9\"".to_string()),
        Just("\"0\"".to_string()),
        Just("\"1e30\"".to_string()),
        Just("\"79228162514264337593543950335\"".to_string()),
        Just("\"NaN\"".to_string()),
        Just("\"10²\"".to_string()),
        Just("\"\"".to_string()),
        Just("2022".to_string()),
        Just("2005".to_string()),
        Just("0".to_string()),
        Just("-1".to_string()),
        Just("9223372036854775807".to_string()),
        Just("1e30".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just("-inf".to_string()),
        Just("42.9".to_string()),
        Just("0.1".to_string()),
        Just("true".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("{}".to_string()),
        Just("[]".to_string()),
        Just(format!("{}1{}", "[".repeat(40), "]".repeat(40))),
        "\"[\\PC]{0,12}\"".prop_map(|s| s.replace('\\', "")),
        (-100_000i64..100_000, 0u32..6).prop_map(|(m, s)| format!("\"{}\"", Decimal::new(m, s))),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4)
                .prop_map(|v| format!("[{}]", v.join(", "))),
            proptest::collection::vec((toml_key(), inner), 0..3).prop_map(|kv| {
                let fields: Vec<String> = kv.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", fields.join(", "))
            }),
        ]
    })
}

/// A key: the real keys of inventory.toml and mappings, misspelt ones,
/// quoted ones and years.
fn toml_key() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "name",
        "country",
        "years",
        "version",
        "activity",
        "factors",
        "history",
        "uncertainties",
        "code",
        "pollutants",
        "pollutant",
        "key",
        "included_in",
        "note",
        "group",
        "year",
        "value",
        "row",
        "nfr",
        "fuel",
        "technology",
        "method",
        "basis",
        "surrogate",
        "file",
        "sheet",
        "mapping",
        "Diesel",
        "\"Natural gas\"",
        "Petrol",
        "\"Light heating oil\"",
        "2021",
        "\"2022-2024\"",
        "source",
        "line_column",
        "year_row",
        "fuel_row",
        "first_data_row",
        "unit",
        "write_unit",
        "empty",
        "names",
        "exclude",
        "total",
        "label",
        "to",
        "rest",
        "except",
        "table",
        "abatement",
        "region",
        "tier",
        "subtotal_of",
        "tolerance",
        "share",
        "fuels",
        "reason",
        "difference",
        "accept",
        "nmae",
        "contry",
        "activty",
        "pollutnts",
        "\"\"",
        "\"ключ\"",
        "a.b.c",
    ])
    .prop_map(String::from)
}

/// A table header: the real ones, misspelt ones, nested and repeated.
fn toml_table() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "[fuels]",
        "[ncv]",
        "[sulphur]",
        "[ncv_volume]",
        "[[notation_keys]]",
        "[[default_keys]]",
        "[[adjustments]]",
        "[[fill]]",
        "[sheet]",
        "[[fuels]]",
        "[[lines]]",
        "[lines.remainder]",
        "[[lines.accept]]",
        "[[lines.to]]",
        "[ncv.Diesel]",
        "[[notation_key]]",
        "[nvc]",
        "[a.b.c.d.e.f]",
        "[\"ключ\"]",
    ])
    .prop_map(String::from)
}

/// A TOML file: key = value lines and tables of them, then text-level
/// mutations (truncation, inserted and deleted spans).
fn toml_file(bases: Vec<String>) -> impl Strategy<Value = String> {
    let line = || (toml_key(), toml_value()).prop_map(|(k, v)| format!("{k} = {v}"));
    let section = (toml_table(), proptest::collection::vec(line(), 0..5))
        .prop_map(|(t, lines)| format!("{t}\n{}", lines.join("\n")));
    let snippet = prop::sample::select(vec![
        "=",
        "\"",
        "'",
        "[",
        "]",
        "[[",
        "{",
        "}",
        ",",
        "\n",
        "#",
        "\\",
        "\\u0000",
        "\u{feff}",
        "\0",
        "\r",
        "\"\"\"",
        "'''",
        "1e30",
        "nan",
        "-",
        "ncv",
        "[ncv]\n",
        "Diesel = \"-1\"\n",
    ]);
    let mutation = (0u8..8, any::<prop::sample::Index>(), snippet)
        .prop_map(|(k, i, s): (u8, prop::sample::Index, &'static str)| (k, i, s));
    (
        prop_oneof![
            3 => prop::sample::select(bases),
            1 => Just(String::new()),
        ],
        proptest::collection::vec(line(), 0..3),
        proptest::collection::vec(section, 0..4),
        prop_oneof![
            2 => Just(Vec::new()),
            1 => proptest::collection::vec(mutation, 1..3),
        ],
    )
        .prop_map(|(base, top, sections, mutations)| {
            // Top-level keys only before an empty base (else most files
            // would repeat a key of the base, and say no more than that).
            let top = if base.is_empty() {
                top.join("\n")
            } else {
                String::new()
            };
            let text = format!("{top}\n{base}\n{}\n", sections.join("\n"));
            String::from_utf8_lossy(&mutate_text(&text, &mutations)).into_owned()
        })
}

/// The settings of inventory.toml and mappings, as messages name them.
const SETTINGS: [&str; 27] = [
    "name",
    "country",
    "years",
    "version",
    "activity",
    "factors",
    "history",
    "uncertainties",
    "fuels",
    "ncv",
    "sulphur",
    "ncv_volume",
    "notation_keys",
    "default_keys",
    "adjustments",
    "fill",
    "sheet",
    "lines",
    "source",
    "line_column",
    "year_row",
    "fuel_row",
    "first_data_row",
    "unit",
    "write_unit",
    "empty",
    "pollutants",
];

/// An error of a configuration file names the file, and a line, a cell or
/// the setting.
fn names_the_place(e: &str, files: &[&str]) -> Result<(), TestCaseError> {
    prop_assert!(
        files.iter().any(|f| e.contains(f)),
        "the error names none of {:?}: {}",
        files,
        e
    );
    let at = [", row ", "line ", "cell ", ", column ", "does not exist"]
        .iter()
        .any(|p| e.contains(p));
    let setting = SETTINGS.iter().any(|k| {
        [
            format!("{k}:"),
            format!("{k} ="),
            format!("[{k}]"),
            format!("{k} entry"),
        ]
        .iter()
        .any(|form| e.contains(form.as_str()))
    });
    prop_assert!(
        at || setting,
        "the error names no line, cell or setting: {}",
        e
    );
    Ok(())
}

const INVENTORY: &str = r#"name = "Fuzz"
country = "XX"
years = [2022]
activity = ["activity/a.csv"]

[ncv]
Diesel = "42.9"

[sulphur]
Diesel = "10"

[[notation_keys]]
code = "1A5a"
key = "IE"
included_in = "1A4ai"

[[default_keys]]
group = "2B"
key = "NO"

[[adjustments]]
year = 2022
pollutant = "NOx"
row = "clrtap"
value = "-0.5"
note = "fuzz"
"#;

const ACTIVITY: &str =
    "year,nfr,fuel,technology,value,unit\n2022,5C1bv,,,38000,bodies\n2022,1A3biii,Diesel,,120,kt\n";

/// The inventories to mutate: [`INVENTORY`] and those of the seed corpus
/// (absurd NCVs and adjustments).
fn inventories() -> Vec<String> {
    let mut v = vec![INVENTORY.to_string()];
    for seed in [
        "ncv-overflow",
        "adjustments-overflow",
        "adjustment-compare-overflow",
    ] {
        let p = repo()
            .join("tests/data/fuzz")
            .join(seed)
            .join("inventory.toml");
        v.push(std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display())));
    }
    v
}

/// Loads an inventory folder and, when it loads, compiles it in memory.
fn load_and_compile(dir: &Path) -> Result<(), String> {
    let source = airinv::Source::open_activity(dir).map_err(|e| e.to_string())?;
    let inv = source.inventory().expect("an inventory folder");
    airinv::compile::inventory_fuels(inv).map_err(|e| e.to_string())?;
    airinv::compute(inv, &airinv::CompileOptions::default())
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// The mapping of the generated balance sheet (`balance.csv`).
const MAPPING: &str = r#"name = "Fuzz balance"
source = "generated"

[sheet]
line_column = "A"
year_row = 1
fuel_row = 2
unit = "TJ"

[[fuels]]
fuel = "Hard Coal"
names = "Coal"

[[fuels]]
fuel = "Natural Gas"
names = { 2022 = "Gas" }

[[fuels]]
names = ["Total"]
total = true

[[lines]]
names = ["Power plants"]
nfr = "1A1a"

[[lines]]
names = ["Households"]
to = [{ nfr = "1A4bi", share = "0.9" }]
rest = "the rest is burnt elsewhere"

[[lines]]
names = ["Total"]
subtotal_of = ["Power plants", "Households"]
tolerance = "0.5"
"#;

fn balance(values: &[String; 4]) -> String {
    format!(
        ",2022,2022,2022\n,Coal,Gas,Total\nPower plants,{},{},0\nHouseholds,{},{},0\nTotal,0,0,0\n",
        values[0], values[1], values[2], values[3]
    )
}

fn convert(d: &Dir) -> Result<airinv::mapping::Conversion, String> {
    airinv::mapping::convert_source(&d.path("balance.csv"), None, &d.path("mapping.toml"))
        .map(|(_, conversion)| conversion)
        .map_err(|e| e.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(48)))]

    /// Generated and mutated inventory.toml files: loaded and compiled, or
    /// refused with the file and a line or key.
    #[test]
    fn fuzz_inventory_toml_is_loaded_or_refused_with_its_place(text in toml_file(inventories())) {
        let d = Dir::new();
        d.write("inv/inventory.toml", &text);
        d.write("inv/activity/a.csv", ACTIVITY);
        d.write("inv/a.csv", ACTIVITY);
        if let Err(e) = load_and_compile(&d.path("inv")) {
            names_the_place(&e, &["inventory.toml", "/inv/"])?;
        }
    }

    /// An NCV and a sulphur content written in inventory.toml are read
    /// exactly, whatever their form (text, integer).
    #[test]
    fn fuzz_inventory_settings_are_read_as_written(
        m in 1i64..=1000,
        scale in 0u32..6,
        as_text in any::<bool>(),
    ) {
        // NCVs lie in (0, 1000] GJ/t.
        let expected = Decimal::new(m, if as_text { scale } else { 0 });
        let written = if as_text { format!("\"{expected}\"") } else { expected.to_string() };
        let d = Dir::new();
        d.write("inv/inventory.toml", &format!("years = [2022]\nactivity = [\"activity/a.csv\"]\n[ncv]\nDiesel = {written}\n"));
        d.write("inv/activity/a.csv", ACTIVITY);
        match airinv::Source::open_activity(&d.path("inv")) {
            Ok(source) => prop_assert_eq!(source.inventory().unwrap().ncv.clone(), vec![("Diesel".to_string(), expected)]),
            Err(e) => prop_assert!(false, "{}: {}", written, e),
        }
    }

    /// Generated and mutated mappings, and balance sheets of any numbers:
    /// converted, or refused with the mapping or the sheet and a place.
    #[test]
    fn fuzz_mapping_toml_is_converted_or_refused_with_its_place(
        text in toml_file(vec![MAPPING.to_string()]),
        values in proptest::array::uniform4(prop_oneof![
            excel_decimal(),
            Just("1e30".to_string()),
            Just("-".to_string()),
            Just("79228162514264337593543950335".to_string()),
            Just("\"1,5\"".to_string()),
        ]),
    ) {
        let d = Dir::new();
        d.write("mapping.toml", &text);
        d.write("balance.csv", &balance(&values));
        if let Err(e) = convert(&d) {
            names_the_place(&e, &["mapping.toml", "balance.csv"])?;
        }
    }

    /// Through the shipped-shape mapping, every cell of the balance comes
    /// out as written (times its share).
    #[test]
    fn fuzz_mapped_cells_are_converted_as_written(
        values in proptest::array::uniform4((0i64..10_000_000_000, 0u32..6).prop_map(|(m, s)| Decimal::new(m, s).to_string())),
    ) {
        let d = Dir::new();
        d.write("mapping.toml", MAPPING);
        d.write("balance.csv", &balance(&values));
        let report = convert(&d).map_err(TestCaseError::fail)?;
        let rows = &report.rows;
        let value = |nfr: &str, fuel: &str| {
            rows.iter()
                .filter(|r| r.nfr == nfr && r.fuel == fuel)
                .map(|r| r.value)
                .sum::<Decimal>()
        };
        prop_assert_eq!(value("1A1a", "Hard Coal"), dec(&values[0]));
        prop_assert_eq!(value("1A1a", "Natural gas"), dec(&values[1]));
        prop_assert_eq!(value("1A4bi", "Hard Coal"), dec(&values[2]) * dec("0.9"));
        prop_assert_eq!(value("1A4bi", "Natural gas"), dec(&values[3]) * dec("0.9"));
    }
}

// ---------------------------------------------------------------------------
// The CSV files of the seed corpus, mutated byte by byte: both reading
// modes give the same (fuzz.rs's differential test generates its files from
// a grammar; this one starts from the reproducers).

/// The activity files of the seed corpus.
fn csv_seeds() -> Vec<Vec<u8>> {
    [
        "cr-only-line-ends.csv",
        "exact-flag-rounded.csv",
        "extra-field-dropped.csv",
        "false-overflow.csv",
        "lone-cr-row-dropped.csv",
        "many-columns.csv",
        "stray-quote-swallows-rows.csv",
        "superscript-digit.csv",
    ]
    .iter()
    .map(|f| std::fs::read(repo().join("tests/data/fuzz").join(f)).unwrap())
    .collect()
}

/// What a reading gave: the sums per key, the rejections and the counts.
fn summary(
    acc: &Accumulator,
    rejected: &[activity::Rejection],
    counts: activity::Counts,
) -> String {
    let keys: Vec<String> = acc
        .keys
        .iter()
        .map(|(k, t)| format!("{k:?} = {} × {}", t.value.normalize(), t.count))
        .collect();
    let rejections: Vec<String> = rejected
        .iter()
        .map(|r| format!("{:?}: {}", r.at.row, r.reason))
        .collect();
    format!("{keys:#?}\n{rejections:#?}\n{counts:?}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(48)))]

    #[test]
    fn fuzz_csv_seed_mutants_read_the_same_in_both_modes(
        base in prop::sample::select(csv_seeds()),
        mutations in proptest::collection::vec(
            (0u8..8, any::<prop::sample::Index>(), prop::sample::select(b",\"\r\n\0 9.-e\xc2\xb2".to_vec())),
            1..5,
        ),
        block in 1usize..64,
    ) {
        let mut bytes = base;
        mutate_bytes(&mut bytes, &mutations);
        let d = Dir::new();
        let path = d.path("a.csv");
        std::fs::write(&path, &bytes).unwrap();
        let fuels = Fuels::built_in().clone();
        let options = ReadOptions { years: vec![2022, 2005], fuels: Some(&fuels), ..ReadOptions::default() };
        let mut acc = Accumulator::new(false);
        let mut rejected = Vec::new();
        let general = activity::read_file(&path, None, &options, &mut rejected, |a| acc.add(a))
            .map(|counts| summary(&acc, &rejected, counts))
            .map_err(|e| e.to_string());
        if let Err(e) = &general {
            prop_assert!(e.contains("a.csv"), "{}", e);
        }
        let streamed = airinv::stream::read_csv_in_blocks(&path, &options, &airinv::stream::Progress::default(), block)
            .map_err(|e| e.to_string());
        match streamed {
            // Handed to the general reader: nothing to compare.
            Ok(None) => {}
            Ok(Some(s)) => prop_assert_eq!(Ok(summary(&s.acc, &s.rejected, s.counts)), general, "{:?}", String::from_utf8_lossy(&bytes)),
            Err(e) => prop_assert_eq!(Err(e), general.map(|_| ()), "{:?}", String::from_utf8_lossy(&bytes)),
        }
    }
}

/// Found by the seed-corpus fuzzing: a header lacking `nfr` above a quote
/// left open was "the header lacks nfr" when streamed and "a quoted field
/// ... is never closed" when read whole. The streaming reader now hands
/// such a file to the general reader: one error, the same in both modes.
#[test]
fn a_bad_header_above_an_open_quote_gives_one_error_in_both_modes() {
    let d = Dir::new();
    let path = d.write(
        "a.csv",
        "year,nfv,fuel,technology,value,unit,source_id\n2005,5C1bv,,,21000,bodies,a\"\n\"b\n2022,5C1bv,,,38000,bodies,c\n",
    );
    let fuels = Fuels::built_in().clone();
    let options = ReadOptions {
        years: vec![2022, 2005],
        fuels: Some(&fuels),
        ..ReadOptions::default()
    };
    let streamed = airinv::stream::read_csv_in_blocks(
        &path,
        &options,
        &airinv::stream::Progress::default(),
        8,
    )
    .unwrap();
    assert!(streamed.is_none(), "the stream reader kept the file");
    let e = activity::read_file(&path, None, &options, &mut Vec::new(), |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.ends_with("a.csv, row 3: a quoted field opens here (\") and is never closed, so the rest of the file would be read into it; close the quote"),
        "{e}"
    );
    // A bad header alone is said as before, at its row, by both.
    let path = d.write(
        "b.csv",
        "year,nfv,fuel,technology,value,unit\n2022,5C1bv,,,1,bodies\n",
    );
    let e = activity::read_file(&path, None, &options, &mut Vec::new(), |_| {})
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("b.csv, row 1: the header lacks the column(s) nfr"),
        "{e}"
    );
}

/// Found by the seed-corpus fuzzing: a line holding only a vertical tab
/// (0x0B, a space to `trim`) was an empty line to the general reader and a
/// row with no year ("'' is not a year") to the streaming reader.
#[test]
fn a_vertical_tab_line_is_empty_in_both_modes() {
    let d = Dir::new();
    let path = d.write(
        "a.csv",
        "year,nfr,fuel,technology,value,unit\n2022,5C1bv,,,38000,bodies\n\u{b}\n,\u{b},\n",
    );
    let fuels = Fuels::built_in().clone();
    let options = ReadOptions {
        years: vec![2022],
        fuels: Some(&fuels),
        ..ReadOptions::default()
    };
    let mut acc = Accumulator::new(false);
    let mut rejected = Vec::new();
    let counts = activity::read_file(&path, None, &options, &mut rejected, |a| acc.add(a)).unwrap();
    assert_eq!((counts.read, counts.used, counts.empty), (1, 1, 2));
    let general = summary(&acc, &rejected, counts);
    for block in [1, 4, 64] {
        let s = airinv::stream::read_csv_in_blocks(
            &path,
            &options,
            &airinv::stream::Progress::default(),
            block,
        )
        .unwrap()
        .expect("read by the stream reader");
        assert_eq!(
            summary(&s.acc, &s.rejected, s.counts),
            general,
            "block {block}"
        );
    }
}

/// Pieces of the text of a number cell: as written in the XML, and as an
/// XML reader resolves it (references replaced, comments dropped, CDATA
/// unwrapped).
fn number_piece() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(vec![
        ("0", "0"),
        ("1", "1"),
        ("3", "3"),
        ("7", "7"),
        ("9", "9"),
        (".", "."),
        ("-", "-"),
        ("e2", "e2"),
        (" ", " "),
        ("&#51;", "3"),
        ("&#x34;", "4"),
        ("&#46;", "."),
        ("<!--c-->", ""),
        ("<![CDATA[5]]>", "5"),
        ("&amp;", "&"),
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(fuzz_cases(48)))]

    /// The text of a number cell built from digits, points, references,
    /// comments and CDATA: a number read from it is the number its text
    /// resolves to (never `3&#51;.853` read as 3), and a plain decimal of
    /// at most 15 digits is read, exactly.
    #[test]
    fn fuzz_xlsx_number_cell_text_is_read_as_written_or_refused(
        pieces in proptest::collection::vec(number_piece(), 1..8),
    ) {
        let xml: String = pieces.iter().map(|(x, _)| *x).collect();
        let resolved: String = pieces.iter().map(|(_, r)| *r).collect();
        let style = Style { single_quotes: false, spaced: false };
        let values = [xml.clone(), "1".into(), "2".into(), "3".into(), "4".into(), "5".into()];
        let d = Dir::new();
        let path = d.path("w.xlsx");
        std::fs::write(&path, zip_parts(&parts(style, &values, "1"), false)).unwrap();
        // Spaces may group thousands in a number stored as text (`1 234`).
        // The number the text says, read independently of airinv: the
        // standard library says whether it is a number, rust_decimal reads
        // its exact value.
        let text = resolved.replace(' ', "");
        let exact = text
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && !text.contains(['+', 'i', 'n', 'N', 'I']))
            .and_then(|_| {
                if text.contains('e') {
                    rust_decimal::Decimal::from_scientific(&text).ok()
                } else {
                    rust_decimal::Decimal::from_str_exact(&text).ok()
                }
            })
            .filter(|v| v.normalize().mantissa().unsigned_abs().to_string().len() <= 15);
        let plain = xml == resolved
            && !xml.contains(['e', ' '])
            && exact.is_some();
        match airinv::workbook::read(&path) {
            Ok(book) => {
                let cell = book.years[0].table.row("1A1a").unwrap().get(Pollutant::NOx);
                if let (Cell::Number(v), Some(e)) = (&cell, exact) {
                    prop_assert_eq!(*v, e, "{:?} read as {}", xml, v);
                }
                if let Cell::Number(v) = &cell {
                    prop_assert!(exact.is_some() || resolved.contains('e'), "{:?} read as {}", xml, v);
                }
                if plain {
                    prop_assert_eq!(cell, Cell::Number(exact.unwrap()), "{:?}", xml);
                }
            }
            Err(e) => {
                let e = e.to_string();
                prop_assert!(!plain, "{:?} refused: {}", xml, e);
                prop_assert!(e.contains("w.xlsx") && e.contains("cell C14"), "{}", e);
            }
        }
    }
}
