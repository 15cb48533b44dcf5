//! JSON Lines: every rule of the format contract, at every buffer size.

mod common;

use common::*;
use ringstream_core::{ErrorCode::*, Format, ParseOptions};
use serde_json::json;

fn jsonl() -> ParseOptions {
    options(Format::JsonLines)
}

fn with_max(max_record_bytes: usize) -> ParseOptions {
    let mut o = jsonl();
    o.max_record_bytes = max_record_bytes;
    o
}

#[test]
fn values_of_any_type_with_positions() {
    case(
        "{\"a\":1}\n[1,2]\n\"s\"\n3.5\ntrue\nnull\n",
        &jsonl(),
        vec![
            r(1, 0, json!({"a": 1})),
            r(2, 8, json!([1, 2])),
            r(3, 14, json!("s")),
            r(4, 18, json!(3.5)),
            r(5, 22, json!(true)),
            r(6, 27, json!(null)),
        ],
    );
}

#[test]
fn bom_is_skipped_but_counted_in_offsets() {
    case("\u{feff}{\"a\":1}\n2\n", &jsonl(), vec![r(1, 3, json!({"a": 1})), r(2, 11, json!(2))]);
    // Only at byte 0: a second BOM is part of the line (and not JSON whitespace).
    let second = "\u{feff}\u{feff}1\n";
    case(second, &jsonl(), vec![f(Parse, 1, 3, "\u{feff}1")]);
    // A file that is only a BOM, or a BOM cut short.
    case("\u{feff}", &jsonl(), vec![]);
    check_splits(b"\xef\xbb", &jsonl(), &[f(InvalidUtf8, 1, 0, "\u{fffd}")]);
}

#[test]
fn crlf_drops_one_cr_and_lone_cr_stays() {
    case("1\r\n2\r\n", &jsonl(), vec![r(1, 0, json!(1)), r(2, 3, json!(2))]);
    // A lone CR is JSON whitespace inside the line, not a line break.
    case("[1,\r2]\n3", &jsonl(), vec![r(1, 0, json!([1, 2])), r(2, 7, json!(3))]);
    case("1\r\r\n2", &jsonl(), vec![r(1, 0, json!(1)), r(2, 4, json!(2))]);
    // The dropped CR is not part of the excerpt.
    case("{x\r\n", &jsonl(), vec![f(Parse, 1, 0, "{x")]);
    case("{x\r", &jsonl(), vec![f(Parse, 1, 0, "{x\r")]);
}

#[test]
fn blank_lines_are_skipped_but_counted() {
    case("\n  \n\t\r\n1\n \r \n\n2\n\n", &jsonl(), vec![r(4, 7, json!(1)), r(7, 14, json!(2))]);
    case("", &jsonl(), vec![]);
    case("\n\n\n", &jsonl(), vec![]);
    case("   ", &jsonl(), vec![]);
}

#[test]
fn last_line_needs_no_newline() {
    case("1\n2", &jsonl(), vec![r(1, 0, json!(1)), r(2, 2, json!(2))]);
    case("{\"a\":\"b\"}", &jsonl(), vec![r(1, 0, json!({"a": "b"}))]);
    case("1\n{bad", &jsonl(), vec![r(1, 0, json!(1)), f(Parse, 2, 2, "{bad")]);
}

#[test]
fn whitespace_around_a_value_is_fine() {
    case("  {\"a\" : [ 1 ] }  \t\n", &jsonl(), vec![r(1, 0, json!({"a": [1]}))]);
}

#[test]
fn parse_errors_and_the_stream_goes_on() {
    case(
        "1\n{\"a\":}\n[1,]\n'x'\nNaN\n1 2\n2\n",
        &jsonl(),
        vec![
            r(1, 0, json!(1)),
            f(Parse, 2, 2, "{\"a\":}"),
            f(Parse, 3, 9, "[1,]"),
            f(Parse, 4, 14, "'x'"),
            f(Parse, 5, 18, "NaN"),
            f(Parse, 6, 22, "1 2"),
            r(7, 26, json!(2)),
        ],
    );
}

#[test]
fn json_parse_semantics() {
    // Duplicate keys: last wins; __proto__ is an ordinary key.
    case(
        "{\"a\":1,\"a\":2}\n{\"__proto__\":{\"x\":1}}\n",
        &jsonl(),
        vec![r(1, 0, json!({"a": 2})), r(2, 14, json!({"__proto__": {"x": 1}}))],
    );
    // Values serde_json would refuse but JSON.parse accepts travel verbatim in the batch text.
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    let input = format!("\"\\ud800\"\n1e400\n{deep}\n");
    let batch = &batches(input.as_bytes(), &jsonl(), 1 << 20, usize::MAX, 100)[0];
    assert_eq!(batch.json, format!("[\"\\ud800\",1e400,{deep}]").into_bytes());
    assert!(batch.faults.is_empty());
}

#[test]
fn invalid_utf8_is_an_error_on_that_line_only() {
    check_splits(
        b"1\n\"a\xffb\"\n\"\xc3\xa9\"\n{\xe2\x82}\n",
        &jsonl(),
        &[
            r(1, 0, json!(1)),
            f(InvalidUtf8, 2, 2, "\"a\u{fffd}b\""),
            r(3, 8, json!("é")),
            f(InvalidUtf8, 4, 13, "{\u{fffd}}"),
        ],
    );
    // Invalid UTF-8 wins over invalid JSON.
    check_splits(b"\xff\n", &jsonl(), &[f(InvalidUtf8, 1, 0, "\u{fffd}")]);
}

#[test]
fn split_utf8_sequences_are_carried_over() {
    let line = "\"😀€é\"";
    let input = format!("{line}\n{line}\n{line}");
    case(
        &input,
        &jsonl(),
        vec![r(1, 0, json!("😀€é")), r(2, 12, json!("😀€é")), r(3, 24, json!("😀€é"))],
    );
}

#[test]
fn records_larger_than_the_limit_are_skipped() {
    let long = format!("[{}]", "1,".repeat(20) + "1"); // 43 bytes
    let input = format!("1\n{long}\n2\n");
    let expected_excerpt = long.clone();
    case(
        &input,
        &with_max(42),
        vec![r(1, 0, json!(1)), f(RecordTooLarge, 2, 2, &expected_excerpt), r(3, 46, json!(2))],
    );
    // Exactly at the limit is fine.
    case(
        &input,
        &with_max(43),
        vec![r(1, 0, json!(1)), r(2, 2, json!(long_value())), r(3, 46, json!(2))],
    );
    // The raw length counts a CR before the LF; the excerpt does not show it.
    case("1234\r\n5", &with_max(4), vec![f(RecordTooLarge, 1, 0, "1234"), r(2, 6, json!(5))]);
    let eighty = "8".repeat(80);
    case(&format!("{eighty}\r\n"), &with_max(4), vec![f(RecordTooLarge, 1, 0, &eighty)]);
    case(
        &format!("{eighty}\r"),
        &with_max(4),
        vec![f(RecordTooLarge, 1, 0, &format!("{eighty}…"))],
    );
    // A too-large last line without a newline.
    case("1\n123456", &with_max(5), vec![r(1, 0, json!(1)), f(RecordTooLarge, 2, 2, "123456")]);
    // A long blank line is not a record, so it is not too large either.
    case("1\n          \n2", &with_max(3), vec![r(1, 0, json!(1)), r(3, 13, json!(2))]);
}

fn long_value() -> serde_json::Value {
    serde_json::Value::Array(vec![json!(1); 21])
}

#[test]
fn too_large_excerpt_is_the_first_80_bytes() {
    let long = format!("\"{}\"", "é".repeat(100));
    let input = format!("{long}\n1\n");
    let excerpt = format!("\"{}…", "é".repeat(39)); // byte 80 falls inside an é: cut back
    for buffer in [1, 7, 64, 1000] {
        let got = flatten(&batches(input.as_bytes(), &with_max(100), buffer, 5, 10));
        assert_eq!(
            got,
            [f(RecordTooLarge, 1, 0, &excerpt), r(2, 203, json!(1))],
            "buffer {buffer}"
        );
    }
}

#[test]
fn a_huge_record_grows_the_buffer_then_shrinks_it() {
    let big = format!("\"{}\"", "x".repeat(3 << 20));
    let input = format!("1\n{big}\n2\n");
    let got = flatten(&batches(input.as_bytes(), &jsonl(), 64 << 10, 100_000, 10));
    assert_eq!(got.len(), 3);
    assert_eq!(got[1], r(2, 2, json!("x".repeat(3 << 20))));
    assert_eq!(got[2], r(3, 2 + big.len() as u64 + 1, json!(2)));
}

#[test]
fn a_huge_record_over_the_limit_is_never_kept() {
    // 10 MiB line, 1 MiB limit, 64 KiB buffer: skipped in pieces.
    let big = "7".repeat(10 << 20);
    let input = format!("1\n{big}\n2");
    let got = flatten(&batches(input.as_bytes(), &with_max(1 << 20), 64 << 10, usize::MAX, 10));
    let excerpt = format!("{}…", "7".repeat(80));
    assert_eq!(
        got,
        [r(1, 0, json!(1)), f(RecordTooLarge, 2, 2, &excerpt), r(3, 3 + (10 << 20), json!(2))]
    );
}

#[test]
fn batches_respect_batch_size_and_fault_indices() {
    let input = "1\nx\n2\n3\ny\nz\n4\n";
    let all = batches(input.as_bytes(), &jsonl(), 1 << 20, usize::MAX, 2);
    assert!(all.iter().all(|b| b.len() <= 2 && b.faults.len() <= 2));
    let got = flatten(&all);
    assert_eq!(
        got,
        [
            r(1, 0, json!(1)),
            f(Parse, 2, 2, "x"),
            r(3, 4, json!(2)),
            r(4, 6, json!(3)),
            f(Parse, 5, 8, "y"),
            f(Parse, 6, 10, "z"),
            r(7, 12, json!(4)),
        ]
    );
}
