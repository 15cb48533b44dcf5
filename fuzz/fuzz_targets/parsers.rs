//! Drains each parser to the end of a fuzzed input with fuzzed buffer, read-chunk and batch
//! sizes (and options), checks every batch's invariants, and checks that the result does not
//! depend on where the input was split, nor on whether it was read or pushed a chunk at a time.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
// Each target uses part of what the targets share.
#[allow(dead_code)]
mod common;

fuzz_target!(|input: &[u8]| {
    let Some((options, sizes, data)) = common::setup(input) else { return };
    let reference = common::read(data, &options, 1 << 20, usize::MAX, 1 << 20);
    let split = common::read(data, &options, sizes.0, sizes.1, sizes.2);
    assert_eq!(split, reference);
    let pushed = common::read_pushed(data, &options, sizes.0, sizes.1, sizes.2);
    assert_eq!(pushed, reference);
});
