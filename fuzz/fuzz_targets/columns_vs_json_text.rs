//! Differential: the columnar hand-off against the JSON text one. Any input, in any format and
//! with any options, split anywhere, must give the same records — built from columns as
//! JavaScript builds them (`ringstream_core::testing`) — at the same positions, and the same
//! faults. Where `serde_json` cannot read a record's JSON text (a lone surrogate, a number out of
//! range), only its position is compared. Batches whose records are only counted
//! (`counting_after`, for a `count()`) must keep every position and fault too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringstream_core::testing::{normalize, ColumnarDecoder};
use ringstream_core::{ColumnarBatch, Fault};
use serde_json::Value;

#[path = "common.rs"]
// Each target uses part of what the targets share.
#[allow(dead_code)]
mod common;

use common::Item;

fuzz_target!(|input: &[u8]| {
    let Some((options, sizes, data)) = common::setup(input) else { return };
    let json_items = common::read(data, &options, sizes.0, sizes.1, sizes.2);
    let mut decoder = ColumnarDecoder::default();
    let mut columnar_items = Vec::new();
    let columnar = common::read_columnar(data, &options, sizes);
    let after = data.len() % 4;
    let counted = common::read_counted(data, &options, sizes, after);
    assert_eq!(positions_and_faults(&counted), positions_and_faults(&columnar));
    let mut before = 0;
    for batch in &counted {
        assert_eq!(batch.counted, before >= after);
        assert!(!batch.counted || (batch.text.is_empty() && batch.ends.is_empty()));
        before += batch.len();
    }
    for batch in columnar {
        let records = decoder.records(&batch);
        let mut faults = batch.faults.iter().peekable();
        for (i, record) in records.into_iter().enumerate() {
            while let Some((_, fault)) = faults.next_if(|(index, _)| *index <= i) {
                columnar_items.push(Err(fault.clone()));
            }
            columnar_items.push(Ok((record, batch.lines[i] as u64, batch.byte_offsets[i])));
        }
        columnar_items.extend(faults.map(|(_, fault)| Err(fault.clone())));
    }
    assert_eq!(columnar_items.len(), json_items.len());
    for (columnar, json) in columnar_items.into_iter().zip(json_items) {
        match (columnar, json) {
            (Ok((record, line, offset)), Item::Record(text, json_line, json_offset)) => {
                assert_eq!((line, offset), (json_line, json_offset));
                if let Ok(value) = serde_json::from_str::<Value>(&text) {
                    assert_eq!(record, normalize(value), "record {text}");
                }
            }
            (Err(fault), Item::Fault(json_fault)) => assert_eq!(fault, json_fault),
            (columnar, json) => panic!("columns gave {columnar:?}, JSON text gave {json:?}"),
        }
    }
});

/// What a count sees of `batches`: each record's position and each fault, in input order.
fn positions_and_faults(batches: &[ColumnarBatch]) -> Vec<Result<(u64, u64), Fault>> {
    let mut seen = Vec::new();
    for batch in batches {
        let mut faults = batch.faults.iter().peekable();
        for i in 0..batch.len() {
            while let Some((_, fault)) = faults.next_if(|(index, _)| *index <= i) {
                seen.push(Err(fault.clone()));
            }
            seen.push(Ok((batch.lines[i] as u64, batch.byte_offsets[i])));
        }
        seen.extend(faults.map(|(_, fault)| Err(fault.clone())));
    }
    seen
}
