//! Differential: the `csv` crate (the same `csv-core` underneath, flexible, no headers) yields
//! one record for each record or fault the parser reports (with the default record limit), in
//! the same order, and every record the parser yields has the same fields. Inputs of odd length
//! are read with quoting off, as both readers offer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringstream_core::{ErrorCode, Format, ParseOptions};

#[path = "common.rs"]
// Each target uses part of what the targets share.
#[allow(dead_code)]
mod common;
use common::Item;

fuzz_target!(|data: &[u8]| {
    let mut options = ParseOptions::new(Format::Csv);
    options.header = false;
    if data.len() % 2 == 1 {
        options.quote = None;
    }
    let items = common::read(data, &options, 1 + data.len() % 61, 1 + data.len() % 13, 3);
    let mut reference = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .quoting(options.quote.is_some())
        .from_reader(data);
    let records: Vec<csv::ByteRecord> =
        reference.byte_records().map(|r| r.expect("csv reads from memory")).collect();
    assert_eq!(items.len(), records.len(), "one item per csv record");
    for (item, record) in items.iter().zip(&records) {
        match item {
            Item::Record(json, ..) => {
                let fields: Vec<String> = serde_json::from_str(json).expect("an array of strings");
                let expected: Vec<&[u8]> = record.iter().collect();
                let got: Vec<&[u8]> = fields.iter().map(|f| f.as_bytes()).collect();
                assert_eq!(got, expected);
            }
            Item::Fault(fault) => assert!(matches!(
                fault.code,
                ErrorCode::InvalidUtf8 | ErrorCode::FieldCount | ErrorCode::UnterminatedQuote
            )),
        }
    }
});
