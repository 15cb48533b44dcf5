//! Differential: every JSON Lines line that `serde_json` accepts must come out as a record with
//! the same value, and every line the parser rejects must be rejected by `serde_json` too.
//! (`JSON.parse` accepts a little more than `serde_json` — lone surrogate escapes, numbers out
//! of range, nesting deeper than 128 — so a record `serde_json` rejects is not a failure.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use ringstream_core::{push_ascii_json, ErrorCode, Format, ParseOptions};
use serde_json::Value;

#[path = "common.rs"]
// Each target uses part of what the targets share.
#[allow(dead_code)]
mod common;
use common::Item;

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions::new(Format::JsonLines);
    let items = common::read(data, &options, 1 + data.len() % 61, 1 + data.len() % 13, 3);
    let mut items = items.into_iter().peekable();
    let body = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let base = data.len() - body.len();
    let mut offset = base;
    let mut lines = body.split(|&b| b == b'\n').enumerate().peekable();
    while let Some((index, raw)) = lines.next() {
        let start = offset;
        offset += raw.len() + 1;
        if raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
            continue;
        }
        let terminated = lines.peek().is_some();
        let text = match raw {
            [rest @ .., b'\r'] if terminated => rest,
            _ => raw,
        };
        let item = items.next().expect("an item per non-blank line");
        let expected_line = index as u64 + 1;
        match (item, std::str::from_utf8(raw)) {
            (Item::Fault(fault), Err(_)) => {
                assert_eq!(fault.code, ErrorCode::InvalidUtf8);
                assert_eq!((fault.line, fault.byte_offset), (expected_line, start as u64));
            }
            (Item::Fault(fault), Ok(_)) => {
                assert_eq!(fault.code, ErrorCode::Parse);
                assert_eq!((fault.line, fault.byte_offset), (expected_line, start as u64));
                assert!(serde_json::from_slice::<Value>(text).is_err(), "rejected valid JSON");
            }
            (Item::Record(json, line, byte_offset), Ok(_)) => {
                assert_eq!((line, byte_offset), (expected_line, start as u64));
                let mut expected_text = Vec::new();
                push_ascii_json(&mut expected_text, text.trim_ascii());
                assert_eq!(json.as_bytes(), expected_text);
                if let Ok(expected) = serde_json::from_slice::<Value>(text) {
                    assert_eq!(serde_json::from_str::<Value>(&json).ok(), Some(expected));
                }
            }
            (Item::Record(..), Err(_)) => panic!("a record that is not UTF-8"),
        }
    }
    assert!(items.next().is_none());
});
