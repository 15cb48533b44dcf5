//! CSV/TSV: every rule of the format contract, at every buffer size.

mod common;

use common::*;
use ringstream_core::{ErrorCode::*, Format, ParseOptions, ValueTypes};
use serde_json::json;

fn csv() -> ParseOptions {
    options(Format::Csv)
}

fn no_header() -> ParseOptions {
    csv_options(false, ValueTypes::Strings)
}

#[test]
fn header_names_the_fields() {
    case(
        "name,age\nAnn,31\nBob,27\n",
        &csv(),
        vec![
            r(2, 9, json!({"name": "Ann", "age": "31"})),
            r(3, 16, json!({"name": "Bob", "age": "27"})),
        ],
    );
    // Only a header: no records.
    case("a,b\n", &csv(), vec![]);
    case("", &csv(), vec![]);
}

#[test]
fn tsv_uses_tabs() {
    case(
        "a\tb\n1,2\t\"x\ty\"\n",
        &options(Format::Tsv),
        vec![r(2, 4, json!({"a": "1,2", "b": "x\ty"}))],
    );
}

#[test]
fn custom_delimiter_and_quote() {
    let mut o = no_header();
    o.delimiter = b';';
    o.quote = Some(b'\'');
    case(
        "a;'b;c'\n'it''s';\"x\"\n",
        &o,
        vec![r(1, 0, json!(["a", "b;c"])), r(2, 8, json!(["it's", "\"x\""]))],
    );
}

#[test]
fn without_quoting_a_quote_is_data_wherever_it_stands() {
    let mut o = options(Format::Tsv);
    o.quote = None;
    case(
        "title\tyear\n\"Weird Al\" Yankovic\t1983\n\"Hello\t1990\n5\" screen\t2000\n\"\"\t\"\n",
        &o,
        vec![
            r(2, 11, json!({"title": "\"Weird Al\" Yankovic", "year": "1983"})),
            r(3, 36, json!({"title": "\"Hello", "year": "1990"})),
            r(4, 48, json!({"title": "5\" screen", "year": "2000"})),
            r(5, 63, json!({"title": "\"\"", "year": "\""})),
        ],
    );
    // A delimiter may then be the character that usually quotes.
    o.delimiter = b'"';
    case("a\"b\n1\"2\n", &o, vec![r(2, 4, json!({"a": "1", "b": "2"}))]);
}

#[test]
fn every_terminator_ends_a_record_and_a_line() {
    case(
        "name,age\nAnn,31\r\nBob,27\rCy,5",
        &csv(),
        vec![
            r(2, 9, json!({"name": "Ann", "age": "31"})),
            r(3, 17, json!({"name": "Bob", "age": "27"})),
            r(4, 24, json!({"name": "Cy", "age": "5"})),
        ],
    );
}

#[test]
fn empty_lines_are_skipped_and_counted() {
    case("\r\n\na\n\n\r\r\n1\n\n", &csv(), vec![r(7, 9, json!({"a": "1"}))]);
    // A one-column file needs "" for an empty value.
    case("a\n\"\"\n\nx\n", &csv(), vec![r(2, 2, json!({"a": ""})), r(4, 6, json!({"a": "x"}))]);
    // Whitespace is not an empty line.
    case("a\n \n", &csv(), vec![r(2, 2, json!({"a": " "}))]);
}

#[test]
fn quoting_follows_csv_core() {
    case(
        "a,\"b,c\",\"d\"\"e\",f\"g,\"h\"i,\"\"\n",
        &no_header(),
        vec![r(1, 0, json!(["a", "b,c", "d\"e", "f\"g", "hi", ""]))],
    );
    // Quoted line breaks are data, and still count as lines.
    case(
        "h\n\"x\ny\r\nz\rw\"\n1\n",
        &csv(),
        vec![r(2, 2, json!({"h": "x\ny\r\nz\rw"})), r(6, 13, json!({"h": "1"}))],
    );
    // A quote closes, then the rest up to the delimiter is appended: "ab"cd -> abcd.
    case("\"ab\"cd,\"x\"\"\"\n", &no_header(), vec![r(1, 0, json!(["abcd", "x\""]))]);
    case("\"a\"b\"c\"\n", &no_header(), vec![r(1, 0, json!(["ab\"c\""]))]);
}

#[test]
fn records_with_and_without_quotes_read_alike() {
    // Records without a quote byte are split at their delimiters without csv-core; these mix
    // them with quoted ones (a quote that opens a field, one inside a field, one in the next
    // record, one after a line break in quotes) and every terminator, so each way meets the other.
    case(
        "a,b\r\nx,y\r1,\"q,\n\"\n,\nf\"g,h\n\n\r\n3,\"\"\n4,5",
        &no_header(),
        vec![
            r(1, 0, json!(["a", "b"])),
            r(2, 5, json!(["x", "y"])),
            r(3, 9, json!(["1", "q,\n"])),
            r(5, 17, json!(["", ""])),
            r(6, 19, json!(["f\"g", "h"])),
            r(9, 28, json!(["3", ""])),
            r(10, 33, json!(["4", "5"])),
        ],
    );
    // A record's own delimiter count decides its fields, quoted or not.
    case(
        "h1\th2\n1\t2\t3\n\"4\"\t5\n6\t7\n",
        &options(Format::Tsv),
        vec![
            f(FieldCount, 2, 6, "1\t2\t3"),
            r(3, 12, json!({"h1": "4", "h2": "5"})),
            r(4, 18, json!({"h1": "6", "h2": "7"})),
        ],
    );
}

#[test]
fn unterminated_quote_at_end_of_input() {
    case(
        "a,b\n1,2\n3,\"open\nstill open",
        &csv(),
        vec![
            r(2, 4, json!({"a": "1", "b": "2"})),
            f(UnterminatedQuote, 3, 8, "3,\"open\nstill open"),
        ],
    );
    case("\"", &no_header(), vec![f(UnterminatedQuote, 1, 0, "\"")]);
    // A closed quote right at the end is fine, and so is an escaped quote pair.
    case("\"x\"", &no_header(), vec![r(1, 0, json!(["x"]))]);
    case("\"x\"\"\"", &no_header(), vec![r(1, 0, json!(["x\""]))]);
    case("\"x\"\"", &no_header(), vec![f(UnterminatedQuote, 1, 0, "\"x\"\"")]);
}

#[test]
fn field_count_must_match_the_header() {
    case(
        "a,b\n1\n1,2\n1,2,3\n4,5",
        &csv(),
        vec![
            f(FieldCount, 2, 4, "1"),
            r(3, 6, json!({"a": "1", "b": "2"})),
            f(FieldCount, 4, 10, "1,2,3"),
            r(5, 16, json!({"a": "4", "b": "5"})),
        ],
    );
    // Without a header, the first record sets the count.
    case(
        "1,2\n3\n4,5\n",
        &no_header(),
        vec![r(1, 0, json!(["1", "2"])), f(FieldCount, 2, 4, "3"), r(3, 6, json!(["4", "5"]))],
    );
}

#[test]
fn header_names_are_made_unique() {
    case(
        "id,,id,id_2,\n1,2,3,4,5\n",
        &csv(),
        vec![r(
            2,
            13,
            json!({"id": "1", "column_2": "2", "id_2": "3", "id_2_2": "4", "column_5": "5"}),
        )],
    );
}

#[test]
fn the_header_is_the_first_record_that_is_not_an_error() {
    check_splits(
        b"\xff,x\na,b\n1,2\n",
        &csv(),
        &[f(InvalidUtf8, 1, 0, "\u{fffd},x"), r(3, 8, json!({"a": "1", "b": "2"}))],
    );
    let mut o = csv();
    o.max_record_bytes = 5;
    case(
        "abcdefg\na,b\n1,2\n",
        &o,
        vec![f(RecordTooLarge, 1, 0, "abcdefg"), r(3, 12, json!({"a": "1", "b": "2"}))],
    );
}

#[test]
fn invalid_utf8_is_checked_on_raw_bytes() {
    check_splits(
        b"a\n\"\xc3\"\xa9\n\"\xc3\xa9\"\n",
        &csv(),
        &[f(InvalidUtf8, 2, 2, "\"\u{fffd}\"\u{fffd}"), r(3, 7, json!({"a": "é"}))],
    );
    // Split sequences in fields are carried over.
    case("a,b\n😀,€é\n", &csv(), vec![r(2, 4, json!({"a": "😀", "b": "€é"}))]);
}

#[test]
fn bom_is_skipped_once() {
    case("\u{feff}a\n1\n", &csv(), vec![r(2, 5, json!({"a": "1"}))]);
    case("\u{feff}\u{feff}a\n1\n", &csv(), vec![r(2, 8, json!({"\u{feff}a": "1"}))]);
}

#[test]
fn too_large_records_are_skipped() {
    let mut o = no_header();
    o.max_record_bytes = 6;
    case(
        "ab,cd\n\"abc\ndef\",g\nxy,z\n1234567\n123456\n",
        &o,
        vec![
            r(1, 0, json!(["ab", "cd"])),
            f(RecordTooLarge, 2, 6, "\"abc\ndef\",g"),
            r(4, 18, json!(["xy", "z"])),
            f(RecordTooLarge, 5, 23, "1234567"),
            f(FieldCount, 6, 31, "123456"),
        ],
    );
    // Too large wins over an open quote at the end.
    case("\"1234567", &o, vec![f(RecordTooLarge, 1, 0, "\"1234567")]);
}

#[test]
fn a_huge_record_streams_through() {
    let big = "x".repeat(3 << 20);
    let input = format!("a,b\n\"{big}\",1\n2,3\n");
    let got = flatten(&batches(input.as_bytes(), &csv(), 4096, 100_000, 10));
    assert_eq!(got[0], r(2, 4, json!({"a": big, "b": "1"})));
    assert_eq!(got[1], r(3, 4 + big.len() as u64 + 5, json!({"a": "2", "b": "3"})));
    let mut o = csv();
    o.max_record_bytes = 1 << 20;
    let got = flatten(&batches(input.as_bytes(), &o, 4096, usize::MAX, 10));
    assert_eq!(got[0], f(RecordTooLarge, 2, 4, &format!("\"{}…", "x".repeat(79))));
    assert_eq!(got.len(), 2);
}

#[test]
fn types_infer() {
    let o = csv_options(true, ValueTypes::Infer);
    case(
        "a,b,c,d,e,f,g\n1,-2.5e3,true,False,,007,9007199254740993\n0,1e999,TRUE,x,\"\",+1,9007199254740991\n",
        &o,
        vec![
            r(2, 14, json!({"a": 1, "b": -2500.0, "c": true, "d": false, "e": null, "f": "007", "g": "9007199254740993"})),
            r(3, 56, json!({"a": 0, "b": "1e999", "c": true, "d": "x", "e": null, "f": "+1", "g": 9007199254740991u64})),
        ],
    );
    // Numbers keep their text in the batch, so JSON.parse gives exactly Number(text).
    let batch = &batches(b"n\n1.50\n-0\n1E2\n", &o, 1 << 20, usize::MAX, 10)[0];
    assert_eq!(batch.json, br#"[{"n":1.50},{"n":-0},{"n":1E2}]"#);
    // Without a header, arrays are typed too.
    let o = csv_options(false, ValueTypes::Infer);
    case("1,x,\n", &o, vec![r(1, 0, json!([1, "x", null]))]);
}

#[test]
fn strings_are_escaped_for_json() {
    case(
        "a\n\"q\"\"\\\t\u{1}\u{2028}\"\n",
        &csv(),
        vec![r(2, 2, json!({"a": "q\"\\\t\u{1}\u{2028}"}))],
    );
}
