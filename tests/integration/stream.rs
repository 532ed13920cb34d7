//! The streaming reader of large activity files gives exactly what the
//! general reader gives, whatever the block size (tiny blocks cut rows,
//! quoted fields and line ends everywhere) and the number of threads.

use crate::harness::{Dir, repo};
use airinv::activity::{self, Counts, ReadOptions, Rejection};
use airinv::calculate::Accumulator;
use airinv::fuel::Fuels;
use airinv::stream::{self, Progress};

/// Rows of every kind a compiler's export may have.
const TRICKY: &str = "\u{feff}\
year,nfr,fuel,technology,value,unit,source_id,note\r\n\
2022,1A1a,Natural gas,,10000,TJ,plant 1,\r\n\
2022,1A1a,Natural gas,,0.125,TJ,plant 2,ok\n\
\n\
,,,,,,,\n\
2022,1A1a,natural_gas,,7.5,TJ,\"plant 3, north\",\"a note\nover two lines\"\n\
2022,1A1a,Natural gas,,1e3,TJ,exponent,\n\
2022,1A1a,Natural gas,,+5,TJ,plus,\n\
2022,1A1a,Natural gas,, 6 ,TJ,spaces,\n\
2022,1A1a,Natural gas,,1.5.2,TJ,bad value,\n\
2022,1A1a,Natural gas,,-3,TJ,negative,\n\
2022,1A2gix,Natural gas,,5,TJ,bad code,\n\
2019,1A1a,Natural gas,,5,TJ,bad year,\n\
2022,1A1a,Natural gas,,5,furlongs,bad unit,\n\
2022,1A1a,Natural gas,,10000000000000,TJ,too big,\n\
2022,1A1a,Unobtainium,,5,TJ,unknown fuel,\n\
2022,3B1a,Slurry,Dairy cows,100,1000 head,cows,\"quoted \"\"word\"\"\"\n\
2022,1A2gix,Natural gas,,6,TJ,bad code again,\n\
2022,1A3bi,Petrol,Passenger cars,1000,t,cars\n\
2022,1A3bi,Petrol,Passenger cars,1000.000,t,cars again,\n\
2022,1A3bi,Petrol,Passenger cars,0.5,t,\n\
\n\
2022,1A1a,Natural gas,,1,TJ,last row without line end";

fn options(fuels: &Fuels) -> ReadOptions<'_> {
    ReadOptions {
        years: vec![2022],
        fuels: Some(fuels),
        ..ReadOptions::default()
    }
}

fn general(path: &std::path::Path, fuels: &Fuels) -> (Accumulator, Vec<Rejection>, Counts) {
    let mut acc = Accumulator::new(false);
    let mut rejected = Vec::new();
    let counts =
        activity::read_file(path, None, &options(fuels), &mut rejected, |a| acc.add(a)).unwrap();
    (acc, rejected, counts)
}

fn same(
    what: &str,
    a: &(Accumulator, Vec<Rejection>, Counts),
    b: &(Accumulator, Vec<Rejection>, Counts),
) {
    assert_eq!(a.2, b.2, "{what}: counts");
    let reasons = |r: &[Rejection]| {
        r.iter()
            .map(|r| (r.at.row, r.at.column.clone(), r.reason.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(reasons(&a.1), reasons(&b.1), "{what}: rejections");
    let keys = |acc: &Accumulator| {
        acc.keys
            .iter()
            .map(|(k, t)| {
                (
                    format!("{k:?}"),
                    t.value,
                    t.count,
                    t.first_rows.iter().map(|l| l.row).collect::<Vec<_>>(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&a.0), keys(&b.0), "{what}: sums");
}

#[test]
fn every_block_size_and_thread_count_reads_like_the_general_reader() {
    let d = Dir::new();
    // Quoted fields are read by the general reader (the streaming reader
    // hands such files over, tested below): the rows without quotes.
    let plain: String = TRICKY
        .split_inclusive('\n')
        .filter(|l| !l.contains('"') && !l.starts_with("over two lines"))
        .collect();
    let path = d.write("a.csv", &plain);
    let fuels = Fuels::built_in().clone();
    let expected = general(&path, &fuels);
    // The file is as described: 17 rows with text, 8 of them rejected, and 3
    // empty lines (two blank, one of commas only).
    assert_eq!(expected.2.read, 17, "{:?}", expected.2);
    assert_eq!(expected.2.rejected, 8);
    assert_eq!(expected.2.empty, 3);
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for block in [1, 2, 7, 16, 64, 333, 1 << 20] {
            let s = pool
                .install(|| {
                    stream::read_csv_in_blocks(&path, &options(&fuels), &Progress::default(), block)
                })
                .unwrap()
                .expect("a plain UTF-8 CSV is streamed");
            same(
                &format!("{threads} threads, blocks of {block}"),
                &expected,
                &(s.acc, s.rejected, s.counts),
            );
            assert_eq!(s.blake3, airinv::digest::file(&path).unwrap());
        }
    }
}

#[test]
fn files_the_streaming_reader_does_not_take_go_to_the_general_reader() {
    let d = Dir::new();
    let fuels = Fuels::built_in().clone();
    let plain = "year,nfr,fuel,technology,value,unit\n2022,1A1a,Natural gas,,10000,TJ\n";
    for (name, bytes) in [
        ("semicolons.csv", plain.replace(',', ";").into_bytes()),
        ("cp1251.csv", b"year,nfr,fuel,technology,value,unit,source_id\n2022,1A1a,Natural gas,,5,TJ,\xca\xee\xf2\n".to_vec()),
        ("open-quote.csv", format!("{plain}2022,1A1a,\"Natural gas,,5,TJ\n").into_bytes()),
        ("mixed.csv", format!("{plain}2022;1A1a;Natural gas;;5;TJ\n").into_bytes()),
        ("quoted.csv", TRICKY.as_bytes().to_vec()),
        ("lone-cr.csv", plain.replace('\n', "\r").into_bytes()),
        ("nul.csv", format!("{plain}2022,1A1a,Natural gas,,5,TJ\0\n").into_bytes()),
    ] {
        let path = d.path(name);
        std::fs::write(&path, bytes).unwrap();
        let s = stream::read_csv(&path, &options(&fuels), &Progress::default()).unwrap();
        assert!(s.is_none(), "{name} should go to the general reader");
    }
}

#[test]
fn the_example_compiles_alike_by_rows_and_by_keys() {
    // --detail rows reads every file whole; --detail keys streams the CSVs.
    let d = Dir::new();
    let example = repo().join("inventories/example");
    for (detail, out) in [("rows", "rows"), ("keys", "keys")] {
        d.airinv()
            .args([
                "compile",
                example.to_str().unwrap(),
                "--out",
                out,
                "--detail",
                detail,
                "--reporting-date",
                "15.02.2024",
            ])
            .assert()
            .success();
    }
    for f in ["annex1_2005.csv", "annex1_2022.csv", "annex1_trend.csv"] {
        assert_eq!(
            d.read(&format!("rows/{f}")),
            d.read(&format!("keys/{f}")),
            "{f}"
        );
    }
}
