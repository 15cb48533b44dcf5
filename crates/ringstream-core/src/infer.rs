//! The contract's `types: 'infer'` rules for CSV/TSV values.
//!
//! > empty → `null`; `true`/`false` (also `TRUE`, `True`, `FALSE`, `False`) → boolean; a decimal
//! > matching `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` → number when the result is
//! > finite, and, for an integer without fraction or exponent, only when it is a safe integer
//! > (|n| ≤ 2^53 − 1). Everything else stays a string.

/// What a CSV value becomes under `types: 'infer'`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InferredValue {
    /// The empty value: `null`.
    Null,
    /// `true`/`True`/`TRUE` or `false`/`False`/`FALSE`.
    Boolean(bool),
    /// A number; its text is valid JSON number syntax, and `Number(text)` is its value.
    Number,
    /// Anything else: the value stays a string.
    Text,
}

/// Largest safe integer in JavaScript: 2^53 − 1.
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// Classifies one CSV value by the contract's rules.
///
/// ```
/// use ringstream_core::{infer_value, InferredValue};
/// assert_eq!(infer_value(""), InferredValue::Null);
/// assert_eq!(infer_value("True"), InferredValue::Boolean(true));
/// assert_eq!(infer_value("-12.5e3"), InferredValue::Number);
/// assert_eq!(infer_value("9007199254740991"), InferredValue::Number);
/// assert_eq!(infer_value("9007199254740992"), InferredValue::Text); // not a safe integer
/// assert_eq!(infer_value("1e309"), InferredValue::Text); // Infinity
/// assert_eq!(infer_value("007"), InferredValue::Text);
/// ```
pub fn infer_value(value: &str) -> InferredValue {
    infer_value_bytes(value.as_bytes())
}

/// [`infer_value`] on the bytes of a value.
pub(crate) fn infer_value_bytes(value: &[u8]) -> InferredValue {
    match value {
        b"" => InferredValue::Null,
        b"true" | b"True" | b"TRUE" => InferredValue::Boolean(true),
        b"false" | b"False" | b"FALSE" => InferredValue::Boolean(false),
        _ => match decimal_shape(value) {
            Some(Shape::Integer) if is_safe_integer(value) => InferredValue::Number,
            Some(Shape::Real) if is_finite_number(value) => InferredValue::Number,
            _ => InferredValue::Text,
        },
    }
}

/// Whether a decimal (already matched, so ASCII) is finite as a double.
fn is_finite_number(value: &[u8]) -> bool {
    crate::decimal::parse_decimal(value).is_some_and(f64::is_finite)
}

enum Shape {
    Integer,
    Real,
}

/// Matches `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`.
fn decimal_shape(s: &[u8]) -> Option<Shape> {
    let mut i = usize::from(s.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    match s.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return None,
    }
    let mut shape = Shape::Integer;
    if s.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return None;
        }
        shape = Shape::Real;
    }
    if let Some(b'e' | b'E') = s.get(i) {
        i += 1;
        if let Some(b'+' | b'-') = s.get(i) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return None;
        }
        shape = Shape::Real;
    }
    (i == s.len()).then_some(shape)
}

/// Whether an integer (already matched: `-?(0|[1-9][0-9]*)`) is at most 2^53 − 1 in size.
fn is_safe_integer(s: &[u8]) -> bool {
    let magnitude = s.strip_prefix(b"-").unwrap_or(s);
    magnitude.len() <= 16
        && magnitude
            .iter()
            .try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d.wrapping_sub(b'0'))))
            .is_some_and(|n| n <= MAX_SAFE_INTEGER)
}

#[cfg(test)]
mod tests {
    use super::*;
    use InferredValue::*;

    #[test]
    fn contract_table() {
        let cases = [
            ("", Null),
            ("true", Boolean(true)),
            ("TRUE", Boolean(true)),
            ("True", Boolean(true)),
            ("false", Boolean(false)),
            ("FALSE", Boolean(false)),
            ("False", Boolean(false)),
            ("tRUE", Text),
            ("yes", Text),
            ("null", Text),
            (" ", Text),
            ("0", Number),
            ("-0", Number),
            ("42", Number),
            ("-42", Number),
            ("3.14", Number),
            ("-0.5", Number),
            ("1e5", Number),
            ("1E-5", Number),
            ("2.5e+10", Number),
            ("1.7976931348623157e308", Number),
            ("1e-400", Number),
            ("9007199254740991", Number),
            ("-9007199254740991", Number),
            ("9007199254740992", Text),
            ("9007199254740993", Text),
            ("12345678901234567890", Text),
            ("9007199254740993.0", Number),
            ("1e309", Text),
            ("-1e309", Text),
            ("1.8e308", Text),
            ("007", Text),
            ("00", Text),
            ("-01", Text),
            ("+1", Text),
            (".5", Text),
            ("1.", Text),
            ("1.e5", Text),
            ("1e", Text),
            ("1e+", Text),
            ("--1", Text),
            ("-", Text),
            ("NaN", Text),
            ("Infinity", Text),
            ("-Infinity", Text),
            ("0x10", Text),
            ("1_000", Text),
            (" 1", Text),
            ("1 ", Text),
            ("١", Text),
        ];
        for (value, expected) in cases {
            assert_eq!(infer_value(value), expected, "{value:?}");
        }
    }
}
