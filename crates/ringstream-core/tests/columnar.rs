//! The columnar hand-off against the JSON text one: random inputs of every format read with
//! both encoders must give the same records (decoded here as JavaScript decodes them), the same
//! positions and the same faults.

mod common;

use std::io;

use common::*;
use proptest::prelude::*;
use ringstream_core::testing::{normalize, ColumnarDecoder};
use ringstream_core::{
    BatchOptions, BatchReader, ByteSource, ColumnarBatch, ColumnarEncoder, Compression, Format,
    ParseOptions, ValueTypes,
};

/// Reads `input` with the columnar encoder.
fn columnar_batches(
    input: &[u8],
    options: &ParseOptions,
    reading: (usize, usize, usize),
) -> Vec<ColumnarBatch> {
    read_with(input, options, reading, ColumnarEncoder::new(options.types))
}

fn read_with(
    input: &[u8],
    options: &ParseOptions,
    (buffer_size, chunk, batch_size): (usize, usize, usize),
    encoder: ColumnarEncoder,
) -> Vec<ColumnarBatch> {
    let source =
        ByteSource::from_reader(ChunkedReader::new(input, chunk), Compression::None).unwrap();
    let batch = BatchOptions { batch_size, buffer_size, ..BatchOptions::default() };
    BatchReader::with_encoder(source, options, &batch, encoder)
        .collect::<io::Result<Vec<_>>>()
        .unwrap()
}

/// What a count sees of batches: each record's position and each fault, in input order.
fn positions_and_faults(batches: &[ColumnarBatch]) -> Vec<String> {
    let mut seen = Vec::new();
    for batch in batches {
        let mut faults = batch.faults.iter().peekable();
        for i in 0..batch.len() {
            while let Some((_, fault)) = faults.next_if(|(index, _)| *index <= i) {
                seen.push(format!(
                    "{} {}:{} {}",
                    fault.code, fault.line, fault.byte_offset, fault.excerpt
                ));
            }
            seen.push(format!("record {}:{}", batch.lines[i], batch.byte_offsets[i]));
        }
        seen.extend(
            faults.map(|(_, fault)| format!("{} {}:{}", fault.code, fault.line, fault.byte_offset)),
        );
    }
    seen
}

/// Reads `input` in columns with its records counted after `after`, and checks that every
/// batch that starts after that many records, and no other, is counted and holds no value,
/// and that the positions and faults are those of a read that builds every record.
fn check_counting(
    input: &[u8],
    options: &ParseOptions,
    reading: (usize, usize, usize),
    after: usize,
) {
    let built = columnar_batches(input, options, reading);
    let counted = read_with(
        input,
        options,
        reading,
        ColumnarEncoder::new(options.types).counting_after(after),
    );
    assert_eq!(positions_and_faults(&counted), positions_and_faults(&built));
    let mut before = 0;
    for batch in &counted {
        assert_eq!(batch.counted, before >= after, "batch after {before} records");
        if batch.counted {
            assert!(batch.text.is_empty() && batch.ends.is_empty() && batch.numbers.is_empty());
            assert!(batch.row_encodings.is_empty() && batch.shapes.is_empty());
        }
        before += batch.len();
    }
}

/// Items (records with positions, faults) from columnar batches, as `flatten` makes them from
/// JSON text batches.
fn flatten_columnar(batches: &[ColumnarBatch]) -> Vec<Item> {
    let mut decoder = ColumnarDecoder::default();
    let mut items = Vec::new();
    for batch in batches {
        let records = decoder.records(batch);
        assert!(!records.is_empty() || !batch.faults.is_empty(), "empty batch");
        let mut faults = batch.faults.iter().peekable();
        for (i, record) in records.into_iter().enumerate() {
            while let Some((_, fault)) = faults.next_if(|(index, _)| *index <= i) {
                items.push(f(fault.code, fault.line, fault.byte_offset, &fault.excerpt));
            }
            items.push(r(batch.lines[i] as u64, batch.byte_offsets[i], normalize(record)));
        }
        for (_, fault) in faults {
            items.push(f(fault.code, fault.line, fault.byte_offset, &fault.excerpt));
        }
    }
    items
}

fn normalized(items: Vec<Item>) -> Vec<Item> {
    items
        .into_iter()
        .map(|item| match item {
            Item::R(line, offset, value) => Item::R(line, offset, normalize(value)),
            fault => fault,
        })
        .collect()
}

fn both(
    input: &[u8],
    options: &ParseOptions,
    reading: (usize, usize, usize),
) -> (Vec<Item>, Vec<Item>) {
    let json = normalized(flatten(&batches(input, options, reading.0, reading.1, reading.2)));
    let columnar = flatten_columnar(&columnar_batches(input, options, reading));
    (json, columnar)
}

fn reading() -> impl Strategy<Value = (usize, usize, usize)> {
    (prop_oneof![1usize..80, 80usize..5000], prop_oneof![Just(usize::MAX), 1usize..40], 1usize..8)
}

/// The CSV parser takes runs of plain records (ASCII, unquoted, of the header's width) in one
/// go for the columnar encoder; the JSON text encoder takes every record one at a time. Every
/// way a run can stop — a quote, non-ASCII text, `\r\n`, a lone `\r`, an empty line, a wrong
/// field count, a record too large, invalid UTF-8, a full batch, the end of what was read —
/// must leave the same records, positions and faults.
#[test]
fn plain_runs_read_as_record_by_record() {
    let input: Vec<u8> = [
        "id,name,city\n1,ann,oslo\n2,bob,rome\n3,cy,\"new\nyork\"\n4,dé,lima\n".as_bytes(),
        b"5,eve,kyiv\r\n6,fay,nuuk\r7,gus,bern\n\n\r\n8,hal,baku\n9,ivy\n10,jo,a,b\n",
        b"11,kim,this-city-name-is-longer-than-the-limit\n12,lu,x\xffy\n13,mo,lagos\n",
        b"14,ned,\n,,\n15,ola,quito\r\n16,pam,riga",
    ]
    .concat();
    for header in [true, false] {
        let mut options = ParseOptions::new(Format::Csv);
        options.header = header;
        options.max_record_bytes = 32;
        for buffer_size in (1..=64).chain([100, 1000, 1 << 20]) {
            for chunk in [1, 7, usize::MAX] {
                for batch_size in [1, 2, 5, 1000] {
                    let (json, columnar) = both(&input, &options, (buffer_size, chunk, batch_size));
                    assert_eq!(
                        columnar, json,
                        "header {header}, buffer {buffer_size}, chunk {chunk}, batch {batch_size}"
                    );
                }
            }
        }
    }
}

/// Text made of what CSV and the infer rules care about.
fn csv_input() -> impl Strategy<Value = Vec<u8>> {
    let tokens = vec![
        "a",
        "b",
        ",",
        ",",
        "\"",
        "\n",
        "\r\n",
        "\r",
        " ",
        "é",
        "😀",
        "0",
        "1",
        "-",
        ".",
        "e",
        "7",
        "true",
        "False",
        "-0",
        "007",
        "1e400",
        "9007199254740993",
        "__proto__",
        "\u{2028}",
    ];
    (prop::collection::vec(prop::sample::select(tokens), 0..60), any::<bool>()).prop_map(
        |(tokens, invalid)| {
            let mut bytes = tokens.concat().into_bytes();
            if invalid {
                bytes.insert(bytes.len() / 2, 0xff);
            }
            bytes
        },
    )
}

fn json_input() -> impl Strategy<Value = Vec<u8>> {
    let tokens = vec![
        "{\"a\":1}",
        "[1,2]",
        "\"é😀\"",
        "-0",
        "1.5e3",
        "null",
        "true",
        "{",
        "x",
        "\n",
        "\r\n",
        " ",
        ",",
        "[",
        "]",
        r#"{"b":{"c":[true,null]},"a":"x","b":2}"#,
        r#"{"a":"\u00e9\n\"\/","b":"\ud83d\ude00"}"#,
        r#"{"__proto__":1,"2":3,"1":[]}"#,
        r#"{"e":{},"f":[{}]}"#,
        "[0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2,3,4,5,6,7,8,9,0,1,2]",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
        r#"{"big":12345678901234567890}"#,
    ];
    prop::collection::vec(prop::sample::select(tokens), 0..30).prop_map(|t| t.concat().into_bytes())
}

/// JSON records that mostly share a shape, so most are read against the shape of the
/// record before them, with the ways a record can almost share it: other values of every kind
/// in the same places (escapes, an array long enough to be left whole; not lone surrogates,
/// which `serde_json` refuses in the JSON text side of the comparison), other
/// whitespace, a renamed, missing or extra member, a leaf turned container, a cut or trailing
/// byte.
fn repeated_shape_records() -> impl Strategy<Value = Vec<String>> {
    let text = prop::sample::select(vec![
        "\"a\"",
        "\"\"",
        "\"é😀\"",
        "\"q\\\"uote\\n\"",
        "\"\\u00e9\"",
        "\"a long enough text value\"",
    ]);
    let leaf = prop_oneof![
        (-1000i64..1000).prop_map(|n| n.to_string()),
        Just("1.5e3".to_string()),
        Just("12345678901234567890".to_string()),
        Just("-0".to_string()),
        text.prop_map(str::to_string),
        prop::sample::select(vec!["true", "false", "null"]).prop_map(str::to_string),
    ];
    let tags = (0usize..40).prop_map(|n| format!("[{}]", vec!["1"; n].join(",")));
    let ok = prop::sample::select(vec!["true", "null", "{}", "[]", "{\"x\":1}", "\"t\""]);
    let record = (leaf.clone(), leaf.clone(), tags, ok, 0usize..14).prop_map(
        |(id, name, tags, ok, variant)| match variant {
            0 => format!(r#"{{ "id" : {id} , "name":{name},"geo":{{"x":1,"y":2}},"tags":{tags},"ok":{ok} }}"#),
            1 => format!(r#"{{"id":{id},"nam":{name},"geo":{{"x":1,"y":2}},"tags":{tags},"ok":{ok}}}"#),
            2 => format!(r#"{{"id":{id},"name":{name},"geo":{{"x":1,"y":2}},"tags":{tags}}}"#),
            3 => format!(r#"{{"id":{id},"name":{name},"geo":{{"x":1,"y":2}},"tags":{tags},"ok":{ok},"more":1}}"#),
            4 => format!(r#"{{"id":{id},"name":{name},"geo":{{"x":1,"y":2}},"tags":{tags},"ok":{ok}"#),
            5 => format!(r#"{{"id":{id},"name":{name},"geo":{{"x":1,"y":2}},"tags":{tags},"ok":{ok}}}x"#),
            6 => format!(r#"{{"id":{id},"name":{name},"geo":[1,2],"tags":{tags},"ok":{ok}}}"#),
            7 => format!(r#"{{"id":{id},"nome":{name},"geo":{{"x":1,"y":2}},"tags":{tags},"ok":{ok}}}"#),
            _ => format!(r#"{{"id":{id},"name":{name},"geo":{{"x":1,"y":2}},"tags":{tags},"ok":{ok}}}"#),
        },
    );
    prop::collection::vec(record, 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn records_read_against_the_last_shape_are_the_same_in_columns(
        records in repeated_shape_records(),
        array in any::<bool>(),
        reading in reading(),
    ) {
        // As JSON Lines, or as the elements of a JSON array.
        let (input, format) = if array {
            (format!("[{}]", records.join(",\n")), Format::JsonArray)
        } else {
            (records.join("\n") + "\n", Format::JsonLines)
        };
        let (json, columnar) = both(input.as_bytes(), &ParseOptions::new(format), reading);
        prop_assert_eq!(columnar, json);
    }

    #[test]
    fn csv_records_are_the_same_in_columns(
        input in csv_input(),
        header in any::<bool>(),
        infer in any::<bool>(),
        tsv in any::<bool>(),
        reading in reading(),
    ) {
        let mut options = ParseOptions::new(if tsv { Format::Tsv } else { Format::Csv });
        options.delimiter = b',';
        options.header = header;
        options.types = if infer { ValueTypes::Infer } else { ValueTypes::Strings };
        let (json, columnar) = both(&input, &options, reading);
        prop_assert_eq!(columnar, json);
    }

    #[test]
    fn json_values_are_the_same_in_columns(
        input in json_input(),
        array in any::<bool>(),
        reading in reading(),
    ) {
        let format = if array { Format::JsonArray } else { Format::JsonLines };
        let mut input = input;
        if array {
            input.insert(0, b'[');
        }
        let (json, columnar) = both(&input, &ParseOptions::new(format), reading);
        prop_assert_eq!(columnar, json);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn counted_csv_batches_keep_every_position_and_fault(
        input in csv_input(),
        header in any::<bool>(),
        reading in reading(),
        after in 0usize..5,
    ) {
        let mut options = ParseOptions::new(Format::Csv);
        options.header = header;
        check_counting(&input, &options, reading, after);
    }

    #[test]
    fn counted_json_batches_keep_every_position_and_fault(
        input in json_input(),
        array in any::<bool>(),
        reading in reading(),
        after in 0usize..5,
    ) {
        let format = if array { Format::JsonArray } else { Format::JsonLines };
        let mut input = input;
        if array {
            input.insert(0, b'[');
        }
        check_counting(&input, &ParseOptions::new(format), reading, after);
    }
}

#[test]
fn repeated_and_empty_header_names_and_non_ascii() {
    let mut options = ParseOptions::new(Format::Csv);
    options.types = ValueTypes::Infer;
    let input = "a,a,,é\n1,-0,TRUE,Zürich 😀\n\"x,\"\"y\",,007,\n".as_bytes();
    let (json, columnar) = both(input, &options, (1 << 20, usize::MAX, 1000));
    assert_eq!(columnar, json);
    assert_eq!(columnar.len(), 2);
}
