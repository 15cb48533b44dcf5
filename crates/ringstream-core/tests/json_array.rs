//! JSON arrays: every rule of the format contract, at every buffer size.

mod common;

use common::*;
use ringstream_core::{ErrorCode::*, Format, ParseOptions};
use serde_json::json;

fn array() -> ParseOptions {
    options(Format::JsonArray)
}

#[test]
fn elements_with_positions() {
    case(
        "[1, {\"a\":[2]},\n \"s,]\" ,null,\n[[]]]",
        &array(),
        vec![
            r(1, 1, json!(1)),
            r(1, 4, json!({"a": [2]})),
            r(2, 16, json!("s,]")),
            r(2, 23, json!(null)),
            r(3, 29, json!([[]])),
        ],
    );
}

#[test]
fn strings_hide_structure() {
    case(
        r#"["a\"]", "\\", "]}", "{[", "\\\""]"#,
        &array(),
        vec![
            r(1, 1, json!("a\"]")),
            r(1, 9, json!("\\")),
            r(1, 15, json!("]}")),
            r(1, 21, json!("{[")),
            r(1, 27, json!("\\\"")),
        ],
    );
}

#[test]
fn whitespace_and_bom_before_the_array() {
    case("\u{feff} \r\n\t[1]", &array(), vec![r(2, 8, json!(1))]);
    case("", &array(), vec![]);
    case(" \n\t\r ", &array(), vec![]);
    case("\u{feff}", &array(), vec![]);
}

#[test]
fn empty_arrays() {
    case("[]", &array(), vec![]);
    case("[ \n ]\n", &array(), vec![]);
}

#[test]
fn not_an_array() {
    // The excerpt is the first bytes found instead of `[`: at most four, up to a line break.
    case("{\"a\":1}\n{\"a\":2}", &array(), vec![f(NotAnArray, 1, 0, "{\"a\"")]);
    case("\n  x[1]", &array(), vec![f(NotAnArray, 2, 3, "x[1]")]);
    case("\u{feff}\u{feff}[]", &array(), vec![f(NotAnArray, 1, 3, "\u{feff}[")]);
    case("x\r\n[1]", &array(), vec![f(NotAnArray, 1, 0, "x")]);
    case("ab", &array(), vec![f(NotAnArray, 1, 0, "ab")]);
    // gzip's and zstd's first bytes, which tell a pipe of compressed bytes from text.
    let gzip: &[u8] = &[0x1f, 0x8b, 0x08, 0x00, 0x0a];
    let zstd: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd, 0x00];
    assert_eq!(excerpts(gzip), ["\u{1f}\u{fffd}\u{8}\u{0}"]);
    assert_eq!(excerpts(zstd), ["(\u{fffd}/\u{fffd}"]);
}

/// The excerpts of the faults of `input` read as a JSON array, alike for every buffer size.
fn excerpts(input: &[u8]) -> Vec<String> {
    let all: Vec<Vec<String>> = [1, 2, 3, 5, 1 << 20]
        .iter()
        .map(|&buffer| {
            flatten(&batches(input, &array(), buffer, 1, 10))
                .into_iter()
                .filter_map(|item| match item {
                    Item::F(_, _, _, excerpt) => Some(excerpt),
                    _ => None,
                })
                .collect()
        })
        .collect();
    assert!(all.iter().all(|one| *one == all[0]), "{all:?}");
    all[0].clone()
}

#[test]
fn empty_elements_are_parse_errors_at_their_terminator() {
    case("[1,,2]", &array(), vec![r(1, 1, json!(1)), f(Parse, 1, 3, ""), r(1, 4, json!(2))]);
    case("[1, ]", &array(), vec![r(1, 1, json!(1)), f(Parse, 1, 4, "")]);
    case("[,]", &array(), vec![f(Parse, 1, 1, ""), f(Parse, 1, 2, "")]);
    case("[ , 1]", &array(), vec![f(Parse, 1, 2, ""), r(1, 4, json!(1))]);
}

#[test]
fn bad_elements_are_parse_errors_and_the_stream_goes_on() {
    case(
        "[1, tru  \n , {\"a\" 1}, 'x', 01, 2]",
        &array(),
        vec![
            r(1, 1, json!(1)),
            f(Parse, 1, 4, "tru"),
            f(Parse, 2, 13, "{\"a\" 1}"),
            f(Parse, 2, 22, "'x'"),
            f(Parse, 2, 27, "01"),
            r(2, 31, json!(2)),
        ],
    );
    // A `}` at the array's own level is an ordinary byte of the element.
    case("[1}, 2]", &array(), vec![f(Parse, 1, 1, "1}"), r(1, 5, json!(2))]);
    case("[1, }, 2]", &array(), vec![r(1, 1, json!(1)), f(Parse, 1, 4, "}"), r(1, 7, json!(2))]);
    // At the end of the input the excerpt is trimmed too, even inside a string.
    case("[\"ab  \n", &array(), vec![f(Parse, 1, 1, "\"ab"), f(Truncated, 2, 7, "")]);
    // Brackets of either kind open and close levels.
    case("[{]], 2]", &array(), vec![f(Parse, 1, 1, "{]"), f(TrailingContent, 1, 4, "")]);
}

#[test]
fn trailing_content() {
    case("[1] x y", &array(), vec![r(1, 1, json!(1)), f(TrailingContent, 1, 4, "")]);
    case("[1]\n\n[2]", &array(), vec![r(1, 1, json!(1)), f(TrailingContent, 3, 5, "")]);
    case("[1] \r\n\t", &array(), vec![r(1, 1, json!(1))]);
}

#[test]
fn truncated_arrays() {
    case("[1, 2", &array(), vec![r(1, 1, json!(1)), r(1, 4, json!(2)), f(Truncated, 1, 5, "")]);
    case("[1, 2 \n", &array(), vec![r(1, 1, json!(1)), r(1, 4, json!(2)), f(Truncated, 2, 7, "")]);
    case("[1,", &array(), vec![r(1, 1, json!(1)), f(Truncated, 1, 3, "")]);
    case("[", &array(), vec![f(Truncated, 1, 1, "")]);
    case(
        "[1, {\"a\":",
        &array(),
        vec![r(1, 1, json!(1)), f(Parse, 1, 4, "{\"a\":"), f(Truncated, 1, 9, "")],
    );
    case("[\"ab\ncd", &array(), vec![f(Parse, 1, 1, "\"ab\ncd"), f(Truncated, 2, 7, "")]);
    case("[\"a\\", &array(), vec![f(Parse, 1, 1, "\"a\\"), f(Truncated, 1, 4, "")]);
}

#[test]
fn lines_count_newlines_only() {
    case(
        "[\r\n1,\r2,\n\n3]",
        &array(),
        vec![r(2, 3, json!(1)), r(2, 6, json!(2)), r(4, 10, json!(3))],
    );
}

#[test]
fn invalid_utf8_in_an_element() {
    check_splits(
        b"[\"\xff\", \"\xc3\xa9\"]",
        &array(),
        &[f(InvalidUtf8, 1, 1, "\"\u{fffd}\""), r(1, 6, json!("é"))],
    );
}

#[test]
fn invalid_utf8_excerpt_stops_at_the_last_non_whitespace_byte() {
    // Found by the `parsers` fuzz target: the one-pass path kept the whitespace.
    check_splits(
        b"[}, \"~],*,\xff\xff3 br \"\n]~",
        &array(),
        &[
            f(Parse, 1, 1, "}"),
            f(InvalidUtf8, 1, 4, "\"~],*,\u{fffd}\u{fffd}3 br \""),
            f(TrailingContent, 2, 20, ""),
        ],
    );
}

#[test]
fn split_utf8_sequences_are_carried_over() {
    case(
        "[\"😀€é\",\"😀€é\" , \"😀€é\"]",
        &array(),
        vec![r(1, 1, json!("😀€é")), r(1, 13, json!("😀€é")), r(1, 27, json!("😀€é"))],
    );
}

#[test]
fn too_large_elements() {
    let mut o = array();
    o.max_record_bytes = 5;
    case(
        "[12345, 123456, [1, 2, 3], 1     , 2]",
        &o,
        vec![
            r(1, 1, json!(12345)),
            f(RecordTooLarge, 1, 8, "123456"),
            f(RecordTooLarge, 1, 16, "[1, 2, 3]"),
            // Whitespace before the terminator counts in the raw length, not in the excerpt.
            f(RecordTooLarge, 1, 27, "1"),
            r(1, 35, json!(2)),
        ],
    );
    // At the end of the input.
    case(
        "[1, \"abcdefgh",
        &o,
        vec![r(1, 1, json!(1)), f(RecordTooLarge, 1, 4, "\"abcdefgh"), f(Truncated, 1, 13, "")],
    );
    // An element longer than its head keeps its raw length for the `…` decision.
    let long = format!("[{}{}]", "7".repeat(79), " ".repeat(10));
    case(&long, &o, vec![f(RecordTooLarge, 1, 1, &format!("{} …", "7".repeat(79)))]);
    let short = format!("[{}{}]", "7".repeat(70), " ".repeat(11));
    case(&short, &o, vec![f(RecordTooLarge, 1, 1, &"7".repeat(70))]);
}

#[test]
fn a_huge_element_is_skipped_in_pieces() {
    let big = format!("[{}]", "[1,\"]\"],".repeat(200_000) + "0");
    let input = format!("[1, {big}, 2]");
    let mut o = array();
    o.max_record_bytes = 100_000;
    let got = flatten(&batches(input.as_bytes(), &o, 4096, usize::MAX, 10));
    let excerpt = format!("{}…", &big[..80]);
    assert_eq!(
        got,
        [
            r(1, 1, json!(1)),
            f(RecordTooLarge, 1, 4, &excerpt),
            r(1, 4 + big.len() as u64 + 2, json!(2))
        ]
    );
    // With the default limit it grows the buffer instead, and parses.
    let got = flatten(&batches(input.as_bytes(), &array(), 4096, 10_000, 10));
    assert_eq!(got.len(), 3);
    assert_eq!(got[2], r(1, 4 + big.len() as u64 + 2, json!(2)));
}

#[test]
fn json_parse_semantics_in_elements() {
    let deep = format!("{}{}", "{\"a\":[".repeat(500), "]}".repeat(500));
    let input = format!("[\"\\udc00\", -1e999, {deep}]");
    let batch = &batches(input.as_bytes(), &array(), 1 << 20, usize::MAX, 100)[0];
    assert_eq!(batch.json, format!("[\"\\udc00\",-1e999,{deep}]").into_bytes());
    assert!(batch.faults.is_empty());
}
