//! Drains each parser to the end of a fuzzed input with fuzzed buffer, read-chunk and batch
//! sizes (and options), checks every batch's invariants, and checks that the result does not
//! depend on where the input was split.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringstream_core::{Format, ParseOptions, ValueTypes};

#[path = "common.rs"]
mod common;

fuzz_target!(|input: &[u8]| {
    let Some((&[format, buffer, chunk, flags], data)) = input.split_first_chunk::<4>() else {
        return;
    };
    let format =
        [Format::JsonLines, Format::Csv, Format::Tsv, Format::JsonArray][format as usize % 4];
    let mut options = ParseOptions::new(format);
    options.header = flags & 1 != 0;
    options.types = if flags & 2 != 0 { ValueTypes::Infer } else { ValueTypes::Strings };
    if flags & 4 != 0 {
        options.max_record_bytes = 1 + (flags as usize >> 3);
    }
    let reference = common::read(data, &options, 1 << 20, usize::MAX, 1 << 20);
    let split = common::read(
        data,
        &options,
        1 + buffer as usize % 64,
        1 + chunk as usize % 17,
        1 + flags as usize % 5,
    );
    assert_eq!(split, reference);
});
