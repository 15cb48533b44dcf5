//! Decimal text to `f64`, as `Number(text)` and `JSON.parse` give it.
//!
//! Most numbers in data are short plain decimals (`42`, `-3`, `61.958`). For those the value is
//! the digits as an integer divided by a power of ten, and when both are exact in an `f64` (an
//! integer of at most 2^53, at most 22 digits after the point) one IEEE division rounds
//! correctly: Clinger's fast path, which std's parser also takes, reached here without checking
//! the text as UTF-8 again or handling exponents, signs and special words. Anything else goes to
//! `fast-float2` (the Eisel-Lemire algorithm std also uses), which reads bytes: std's parser
//! needs a `&str`, and checking each number as UTF-8 first cost as much as a third of its time.

/// Powers of ten exact in an `f64`: 10^0 to 10^22.
const POWERS_OF_TEN: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
/// Integers up to 2^53 are exact in an `f64`.
const MAX_EXACT_MANTISSA: u64 = 1 << 53;
/// At most this many digits always fit a `u64`.
const MAX_U64_DIGITS: usize = 19;

/// The `f64` of `text` as Rust's `str::parse::<f64>` reads it, or `None` where that fails.
///
/// ```
/// # use ringstream_core::parse_decimal;
/// assert_eq!(parse_decimal(b"61.958"), Some(61.958));
/// assert_eq!(parse_decimal(b"-0").map(f64::to_bits), Some((-0.0f64).to_bits()));
/// assert_eq!(parse_decimal(b"1e400"), Some(f64::INFINITY));
/// assert_eq!(parse_decimal(b"12345678901234567890"), Some(12345678901234567890.0));
/// assert_eq!(parse_decimal(b"1.2.3"), None);
/// ```
pub fn parse_decimal(text: &[u8]) -> Option<f64> {
    plain_decimal(text).or_else(|| fast_float2::parse(text).ok())
}

/// `-?[0-9]+(\.[0-9]+)?` whose digits make an integer of at most 2^53, exactly; `None` for
/// anything else.
fn plain_decimal(text: &[u8]) -> Option<f64> {
    let (negative, unsigned) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut digits = 0;
    let mut fraction_digits = None;
    for (i, &b) in unsigned.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                digits += 1;
                if digits > MAX_U64_DIGITS {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(b - b'0');
            }
            // A point between digits, once.
            b'.' if fraction_digits.is_none() && i > 0 && i + 1 < unsigned.len() => {
                fraction_digits = Some(unsigned.len() - i - 1);
            }
            _ => return None,
        }
    }
    if digits == 0 || mantissa > MAX_EXACT_MANTISSA {
        return None;
    }
    let magnitude = mantissa as f64;
    let value = match fraction_digits {
        Some(k) => magnitude / *POWERS_OF_TEN.get(k)?,
        None => magnitude,
    };
    Some(if negative { -value } else { value })
}

/// The JSON number at `s[start..]`, read in one pass when it is `-?(0|[1-9][0-9]*)(\.[0-9]+)?`
/// with an exact mantissa: where it ends and its value, the same as `json_syntax::number_end`
/// and then [`parse_decimal`] give. `None` for anything else (an exponent, a long mantissa, text
/// that is not a number), which those two then read. Most numbers in JSON data are this simple,
/// and reading them once instead of twice is a tenth of the JSON reader's time.
#[inline]
pub(crate) fn plain_json_number(s: &[u8], start: usize) -> Option<(usize, f64)> {
    let negative = s.get(start) == Some(&b'-');
    let integer_start = start + usize::from(negative);
    let mut mantissa: u64 = 0;
    let mut i = integer_start;
    let mut digits = |i: &mut usize| {
        let from = *i;
        while let Some(eight) = eight_digits(s, *i) {
            mantissa = mantissa.wrapping_mul(100_000_000).wrapping_add(eight);
            *i += 8;
        }
        while let Some(digit) = s.get(*i).map(|b| b.wrapping_sub(b'0')).filter(|&d| d <= 9) {
            // Wraps only past `MAX_U64_DIGITS` digits, which are turned down below.
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(digit));
            *i += 1;
        }
        *i - from
    };
    let integer_digits = digits(&mut i);
    // JSON allows no leading zero ("01").
    if integer_digits == 0 || (integer_digits > 1 && s[integer_start] == b'0') {
        return None;
    }
    let mut fraction_digits = 0;
    if s.get(i) == Some(&b'.') {
        i += 1;
        fraction_digits = digits(&mut i);
        if fraction_digits == 0 {
            return None;
        }
    }
    if matches!(s.get(i), Some(b'e' | b'E'))
        || integer_digits + fraction_digits > MAX_U64_DIGITS
        || mantissa > MAX_EXACT_MANTISSA
    {
        return None;
    }
    let magnitude = mantissa as f64;
    let value = match fraction_digits {
        0 => magnitude,
        k => magnitude / *POWERS_OF_TEN.get(k)?,
    };
    Some((i, if negative { -value } else { value }))
}

/// The value of the eight ASCII digits at `s[at..]`, if there are eight there: read as one
/// word, with the multiplications of Lemire's "Faster integer parsing" (fast_float's
/// `parse_8digits`).
#[inline]
fn eight_digits(s: &[u8], at: usize) -> Option<u64> {
    let word = u64::from_le_bytes(s.get(at..at + 8)?.try_into().ok()?);
    // A byte below '0' borrows into its high bit, one above '9' carries into it.
    let below = word.wrapping_sub(0x3030_3030_3030_3030);
    let above = word.wrapping_add(0x4646_4646_4646_4646);
    if (below | above) & 0x8080_8080_8080_8080 != 0 {
        return None;
    }
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    const MUL1: u64 = 0x000F_4240_0000_0064; // 100 + (1,000,000 << 32)
    const MUL2: u64 = 0x0000_2710_0000_0001; // 1 + (10,000 << 32)
    let pairs = below.wrapping_mul(10).wrapping_add(below >> 8);
    let value =
        ((pairs & MASK).wrapping_mul(MUL1).wrapping_add(((pairs >> 16) & MASK).wrapping_mul(MUL2)))
            >> 32;
    Some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn std_parse(text: &[u8]) -> Option<f64> {
        std::str::from_utf8(text).ok()?.parse().ok()
    }

    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        a.map(f64::to_bits) == b.map(f64::to_bits)
    }

    #[test]
    fn agrees_with_std_on_edges() {
        for text in [
            "0",
            "-0",
            "0.0",
            "-0.0",
            "00",
            "007",
            "1",
            "-1",
            "9",
            "10",
            "0.1",
            "0.5",
            "1.5",
            "61.958",
            "521.445",
            "999999999999999",
            "-999999999999999",
            "9999999999999999",
            "0.000000000000001",
            "1234567.89012345",
            "123456789012345.6",
            "9007199254740993",
            "0.1234567890123456789012",
            "9007199254740992",
            "-9007199254740992.5",
            "0.4055216880515218",
            "0.020176114281639457",
            "9999999999999999999",
            "99999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "1.00000000000000000000000001",
            "1.",
            ".5",
            "-",
            "-.5",
            "+1",
            "1e3",
            "1E-3",
            "1.5e+2",
            "",
            ".",
            "1..2",
            "1.2.3",
            "--1",
            "1-",
            "inf",
            "NaN",
            "Infinity",
            "infinity",
            "+inf",
            "-nan",
            "1e",
            "e5",
            "1e+",
            " 1",
            "1 ",
            "0x10",
            "1_000",
        ] {
            let bytes = text.as_bytes();
            assert!(same(parse_decimal(bytes), std_parse(bytes)), "{text:?}");
        }
    }

    #[test]
    fn eight_digits_are_read_as_one_word() {
        for text in ["00000000", "12345678", "99999999", "10000001", "40552168"] {
            assert_eq!(eight_digits(text.as_bytes(), 0), text.parse().ok(), "{text}");
        }
        for text in ["1234567", "1234567/", "1234567:", "/2345678", ":2345678", "1234 678"] {
            assert_eq!(eight_digits(text.as_bytes(), 0), None, "{text}");
        }
        assert_eq!(eight_digits(b"x87654321", 1), Some(87_654_321));
    }

    proptest! {
        #[test]
        fn agrees_with_std_on_plain_decimals(
            negative in any::<bool>(),
            int in "[0-9]{1,17}",
            frac in proptest::option::of("[0-9]{1,24}"),
        ) {
            let text = format!("{}{}{}", if negative { "-" } else { "" }, int, frac.map(|f| format!(".{f}")).unwrap_or_default());
            prop_assert!(same(parse_decimal(text.as_bytes()), std_parse(text.as_bytes())), "{}", text);
        }

        #[test]
        fn agrees_with_std_on_any_bytes(bytes in proptest::collection::vec(prop_oneof![
            Just(b'-'), Just(b'+'), Just(b'.'), Just(b'e'), Just(b'0'), Just(b'5'), Just(b'9'), any::<u8>()
        ], 0..24)) {
            prop_assert!(same(parse_decimal(&bytes), std_parse(&bytes)), "{:?}", bytes);
        }

        #[test]
        fn one_pass_json_numbers_agree_with_two_passes(bytes in proptest::collection::vec(prop_oneof![
            Just(b'-'), Just(b'.'), Just(b'e'), Just(b'E'), Just(b'0'), Just(b'5'), Just(b'9'),
            Just(b','), Just(b']'), any::<u8>()
        ], 0..28)) {
            let two_passes = crate::json_syntax::number_end(&bytes, 0)
                .and_then(|end| Some((end, parse_decimal(&bytes[..end])?)));
            if let Some((end, value)) = plain_json_number(&bytes, 0) {
                let (expected_end, expected) = two_passes.expect("a number both ways");
                prop_assert_eq!(end, expected_end, "{:?}", bytes);
                prop_assert!(same(Some(value), Some(expected)), "{:?}", bytes);
            }
        }

        #[test]
        fn one_pass_reads_plain_json_numbers(
            negative in any::<bool>(),
            int in "0|[1-9][0-9]{0,8}",
            frac in proptest::option::of("[0-9]{1,6}"),
            after in proptest::sample::select(vec!["", ",", "]", "}", " "]),
        ) {
            let number = format!("{}{}{}", if negative { "-" } else { "" }, int, frac.map(|f| format!(".{f}")).unwrap_or_default());
            let text = format!("{number}{after}");
            let (end, value) = plain_json_number(text.as_bytes(), 0).expect("read in one pass");
            prop_assert_eq!(end, number.len());
            prop_assert!(same(Some(value), std_parse(number.as_bytes())), "{}", text);
        }
    }
}
