//! Property tests: random inputs against reference parsers (`serde_json`, the `csv` crate),
//! at random buffer sizes, read chunks and batch sizes.

mod common;

use common::*;
use proptest::prelude::*;
use ringstream_core::{excerpt, header_names, ErrorCode, Format, ParseOptions, ValueTypes};
use serde_json::{json, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(|x| json!(x)),
        any::<String>().prop_map(Value::String),
        "[a-z\"\\\\/é😀\u{2028}\u{1}]{0,6}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,4}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn whitespace(newlines: bool) -> impl Strategy<Value = String> {
    let pieces: Vec<&'static str> =
        if newlines { vec!["", " ", "\t", "\r", "\n", "\r\n"] } else { vec!["", " ", "\t", "\r"] };
    prop::collection::vec(prop::sample::select(pieces), 0..3).prop_map(|v| v.concat())
}

/// Text that is often not JSON, from tokens that cannot form a number out of range, a lone
/// surrogate escape or deep nesting (where `serde_json` and `JSON.parse` differ).
fn garbage() -> impl Strategy<Value = String> {
    let tokens = vec![
        "[", "]", "{", "}", "\"", ",", ":", "0", "1", "-", ".", "true", "null", "x", " ", "\t",
        "\\", "é", "\"a\"", "\r",
    ];
    prop::collection::vec(prop::sample::select(tokens), 1..12).prop_map(|v| v.concat())
}

#[derive(Debug, Clone)]
enum Line {
    Text(String),
    Bytes(Vec<u8>),
}

fn jsonl_line() -> impl Strategy<Value = Line> {
    prop_oneof![
        4 => (whitespace(false), json_value(), whitespace(false)).prop_map(|(a, v, b)| {
            Line::Text(format!("{a}{}{b}", serde_json::to_string(&v).unwrap()))
        }),
        2 => garbage().prop_map(Line::Text),
        1 => whitespace(false).prop_map(Line::Text),
        1 => (garbage(), prop::sample::select(vec![&b"\xff"[..], b"\xc3", b"\xe2\x82", b"\xed\xa0\x80"]))
            .prop_map(|(g, bad)| {
                let mut bytes = g.into_bytes();
                bytes.extend_from_slice(bad);
                Line::Bytes(bytes)
            }),
    ]
}

/// Buffer size, read chunk, batch size.
fn reading() -> impl Strategy<Value = (usize, usize, usize)> {
    (prop_oneof![1usize..80, 80usize..5000], prop_oneof![Just(usize::MAX), 1usize..40], 1usize..8)
}

fn run(input: &[u8], options: &ParseOptions, reading: (usize, usize, usize)) -> Vec<Item> {
    flatten(&batches(input, options, reading.0, reading.1, reading.2))
}

fn line_breaks_crlf(bytes: &[u8]) -> u64 {
    let mut lines = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\r' || (b == b'\n' && (i == 0 || bytes[i - 1] != b'\r')) {
            lines += 1;
        }
    }
    lines
}

fn newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn jsonl_matches_serde_json_per_line(
        lines in prop::collection::vec((jsonl_line(), any::<bool>()), 0..20),
        final_newline in any::<bool>(),
        reading in reading(),
    ) {
        let mut input = Vec::new();
        let mut expected = Vec::new();
        let count = lines.len();
        for (index, (line, crlf)) in lines.into_iter().enumerate() {
            let offset = input.len() as u64;
            let line_no = index as u64 + 1;
            let content = match line { Line::Text(t) => t.into_bytes(), Line::Bytes(b) => b };
            let terminated = index + 1 < count || final_newline;
            let mut raw = content;
            if terminated && crlf {
                raw.push(b'\r');
            }
            input.extend_from_slice(&raw);
            if terminated {
                input.push(b'\n');
            }
            if raw.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r')) {
                continue;
            }
            // One CR directly before the LF is dropped, whichever generator put it there.
            let text = match &raw[..] {
                [rest @ .., b'\r'] if terminated => rest,
                _ => &raw[..],
            };
            let item = match std::str::from_utf8(&raw) {
                Err(_) => f(ErrorCode::InvalidUtf8, line_no, offset, &excerpt(text)),
                Ok(_) => match serde_json::from_slice::<Value>(text) {
                    Ok(value) => r(line_no, offset, value),
                    Err(_) => f(ErrorCode::Parse, line_no, offset, &excerpt(text)),
                },
            };
            expected.push(item);
        }
        prop_assert_eq!(run(&input, &options(Format::JsonLines), reading), expected);
    }

    #[test]
    fn csv_matches_the_csv_crate(
        width in 1usize..4,
        rows in prop::collection::vec(
            (prop::collection::vec("[ab,\"\n\r é😀\t]{0,5}", 1..4), any::<bool>()), 1..15),
        blank_lines in prop::collection::vec(prop::sample::select(vec!["", "", "\n", "\r\n", "\r"]), 15),
        crlf in any::<bool>(),
        final_terminator in any::<bool>(),
        header in any::<bool>(),
        reading in reading(),
    ) {
        // Most rows have `width` fields; some keep their own count.
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|(mut fields, keep)| {
                if !keep {
                    fields.resize(width, String::from("w"));
                }
                fields
            })
            .collect();
        let mut input = Vec::new();
        let mut starts = Vec::new();
        let mut raws = Vec::new();
        for (index, fields) in rows.iter().enumerate() {
            let mut writer = csv::WriterBuilder::new()
                .terminator(if crlf { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') })
                .from_writer(Vec::new());
            writer.write_record(fields).unwrap();
            let mut bytes = writer.into_inner().unwrap();
            let terminator_len = if crlf { 2 } else { 1 };
            raws.push(bytes[..bytes.len() - terminator_len].to_vec());
            if index + 1 == rows.len() && !final_terminator {
                bytes.truncate(bytes.len() - terminator_len);
            }
            starts.push(input.len());
            input.extend_from_slice(&bytes);
            if index + 1 < rows.len() || final_terminator {
                input.extend_from_slice(blank_lines[index].as_bytes());
            }
        }
        // The reference reads the same records back.
        let mut reference = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&input[..]);
        let parsed: Vec<Vec<String>> = reference
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        prop_assert_eq!(&parsed, &rows);

        let mut expected = Vec::new();
        let mut names: Option<Vec<String>> = None;
        let mut count = None;
        for (index, fields) in parsed.iter().enumerate() {
            let start = starts[index];
            let line = 1 + line_breaks_crlf(&input[..start]);
            let offset = start as u64;
            if header && names.is_none() {
                let header = header_names(fields.iter().map(String::as_str));
                count = Some(header.len());
                names = Some(header);
                continue;
            }
            let expected_count = *count.get_or_insert(fields.len());
            if fields.len() != expected_count {
                expected.push(f(ErrorCode::FieldCount, line, offset, &excerpt(&raws[index])));
                continue;
            }
            let value = match &names {
                Some(names) => Value::Object(
                    names.iter().cloned().zip(fields.iter().cloned().map(Value::String)).collect(),
                ),
                None => json!(fields),
            };
            expected.push(r(line, offset, value));
        }
        let options = csv_options(header, ValueTypes::Strings);
        prop_assert_eq!(run(&input, &options, reading), expected);
    }

    #[test]
    fn json_arrays_match_serde_json(
        elements in prop::collection::vec((whitespace(true), json_value(), whitespace(true), any::<bool>()), 0..10),
        outer in (whitespace(true), whitespace(true), whitespace(true)),
        reading in reading(),
    ) {
        let mut text = format!("{}[{}", outer.0, outer.1);
        let mut expected = Vec::new();
        for (index, (before, value, after, pretty)) in elements.iter().enumerate() {
            if index > 0 {
                text.push(',');
            }
            text.push_str(before);
            let line = 1 + newlines(text.as_bytes());
            let offset = text.len() as u64;
            let encoded = if *pretty {
                serde_json::to_string_pretty(value).unwrap()
            } else {
                serde_json::to_string(value).unwrap()
            };
            text.push_str(&encoded);
            text.push_str(after);
            expected.push(r(line, offset, value.clone()));
        }
        text.push(']');
        text.push_str(&outer.2);
        prop_assert_eq!(run(text.as_bytes(), &options(Format::JsonArray), reading), expected.clone());

        // Cut anywhere inside the array: the records before the cut come out unchanged, and the
        // end is reported as truncated.
        let close = text.rfind(']').unwrap();
        for cut in [close / 3, close / 2, close.saturating_sub(1)] {
            if !text.is_char_boundary(cut) || cut <= text.find('[').unwrap() {
                continue;
            }
            let got = run(&text.as_bytes()[..cut], &options(Format::JsonArray), reading);
            let last = got.last().cloned();
            prop_assert_eq!(last, Some(f(ErrorCode::Truncated, 1 + newlines(&text.as_bytes()[..cut]), cut as u64, "")));
            let records = &got[..got.len() - 1];
            let complete = records.len().saturating_sub(1);
            for (got, want) in records[..complete].iter().zip(&expected) {
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn any_jsonl_bytes_parse_the_same_at_any_split(
        input in prop::collection::vec(prop::sample::select(b"{}[]\",:01 \t\r\n\n\\x\xff\xc3\xa9\xef\xbb\xbf".to_vec()), 0..120),
        max_record_bytes in prop_oneof![Just(64 << 20), 1usize..12],
        reading in reading(),
    ) {
        let mut o = options(Format::JsonLines);
        o.max_record_bytes = max_record_bytes;
        prop_assert_eq!(run(&input, &o, reading), items(&input, &o));
    }

    #[test]
    fn any_csv_bytes_parse_the_same_at_any_split(
        input in prop::collection::vec(prop::sample::select(b"ab,\"\"\t\r\n\n \xff\xc3\xa9\xef\xbb\xbf".to_vec()), 0..120),
        header in any::<bool>(),
        infer in any::<bool>(),
        max_record_bytes in prop_oneof![Just(64 << 20), 1usize..12],
        reading in reading(),
    ) {
        let mut o = csv_options(header, if infer { ValueTypes::Infer } else { ValueTypes::Strings });
        o.max_record_bytes = max_record_bytes;
        prop_assert_eq!(run(&input, &o, reading), items(&input, &o));
    }

    #[test]
    fn any_csv_bytes_match_the_csv_crate_record_for_record(
        input in prop::collection::vec(prop::sample::select(b"ab,,\"\"\t\r\n\n \xff\xc3\xa9".to_vec()), 0..120),
        reading in reading(),
    ) {
        // The csv crate (flexible, no headers; csv-core underneath) yields one record for each
        // record or fault, in order, and the same fields for each record.
        let got = run(&input, &csv_options(false, ValueTypes::Strings), reading);
        let records: Vec<csv::ByteRecord> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(&input[..])
            .byte_records()
            .map(Result::unwrap)
            .collect();
        prop_assert_eq!(got.len(), records.len());
        for (item, record) in got.iter().zip(&records) {
            match item {
                Item::R(_, _, value) => {
                    let expected: Vec<Value> = record
                        .iter()
                        .map(|f| Value::String(String::from_utf8(f.to_vec()).unwrap()))
                        .collect();
                    prop_assert_eq!(value, &Value::Array(expected));
                }
                Item::F(code, ..) => prop_assert!(matches!(
                    code,
                    ErrorCode::InvalidUtf8 | ErrorCode::FieldCount | ErrorCode::UnterminatedQuote
                )),
            }
        }
    }

    #[test]
    fn any_json_array_bytes_parse_the_same_at_any_split(
        input in prop::collection::vec(prop::sample::select(b"[[[]]]{}\",,:01 \t\r\n\\x\xff\xc3\xa9".to_vec()), 0..120),
        max_record_bytes in prop_oneof![Just(64 << 20), 1usize..12],
        reading in reading(),
    ) {
        let mut o = options(Format::JsonArray);
        o.max_record_bytes = max_record_bytes;
        prop_assert_eq!(run(&input, &o, reading), items(&input, &o));
    }
}
