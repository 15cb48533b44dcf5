//! Differential: the columnar hand-off against the JSON text one. Any input, in any format and
//! with any options, split anywhere, must give the same records — built from columns as
//! JavaScript builds them (`ringstream_core::testing`) — at the same positions, and the same
//! faults. Where `serde_json` cannot read a record's JSON text (a lone surrogate, a number out of
//! range), only its position is compared.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringstream_core::testing::{normalize, ColumnarDecoder};
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
    for batch in common::read_columnar(data, &options, sizes) {
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
