//! Finding the end of a run of "plain" JSON string bytes: bytes that need no escaping and end
//! nothing (everything but `"`, `\` and the control characters U+0000–U+001F). Shared by the
//! validator and the escaper, which both spend most of their time in such runs.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// A mask with the high bit set in the bytes of `word` (little-endian) that are `"`, `\` or
/// below 0x20 — exact up to and including the lowest such byte, which is all that is used. Each
/// test is the classic "has a zero byte" bit trick: a false positive can only appear above a
/// true one, where a borrow ran on.
#[inline]
fn special_mask(word: u64) -> u64 {
    let below_space = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (below_space | quote | backslash) & HIGHS
}

/// Whether `b` needs escaping in, or ends, a JSON string.
#[inline]
pub(crate) fn is_special(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

/// The length of the longest prefix of `bytes` made of plain string bytes.
///
/// ```
/// # use ringstream_core::plain_prefix_len;
/// assert_eq!(plain_prefix_len(b"hello, world\" and more"), 12);
/// assert_eq!(plain_prefix_len("é😀 no specials".as_bytes()), 18);
/// assert_eq!(plain_prefix_len(b"tab\there"), 3);
/// ```
#[inline]
pub fn plain_prefix_len(bytes: &[u8]) -> usize {
    let mut i = 0;
    while let Some(word) = bytes.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let mask = special_mask(u64::from_le_bytes(word));
        if mask != 0 {
            return i + (mask.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if is_special(b) {
            break;
        }
        i += 1;
    }
    i
}

/// Where the JSON string literal starting at `bytes[start]` (a `"`) ends, past its closing
/// quote, when it holds only plain bytes; `None` when it holds an escape or a control
/// character or is cut short (the validator then reads it, and says which). Most strings in
/// data are plain, and this is the whole of their scan.
///
/// ```
/// # use ringstream_core::plain_string_end;
/// assert_eq!(plain_string_end(br#"{"key":1}"#, 1), Some(6));
/// assert_eq!(plain_string_end(br#""a\"b""#, 0), None);
/// assert_eq!(plain_string_end(br#""open"#, 0), None);
/// ```
#[inline]
pub fn plain_string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let body = start + 1;
    let end = body + plain_prefix_len(bytes.get(body..)?);
    (bytes.get(end) == Some(&b'"')).then_some(end + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_byte_test_everywhere() {
        for special in (0u8..0x20).chain([b'"', b'\\']) {
            for at in 0..20 {
                for filler in [b'a', 0x7f, 0x80, 0xff, b' ', b'!', b'#', b'[', b']'] {
                    let mut bytes = vec![filler; 20];
                    bytes[at] = special;
                    assert_eq!(plain_prefix_len(&bytes), at, "{special:#x} at {at} in {filler:#x}");
                }
            }
        }
        // Several specials and arbitrary bytes: the first special is found exactly.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..20_000 {
            let bytes: Vec<u8> = (0..24)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let b = (state >> 24) as u8;
                    if b % 5 == 0 {
                        [0u8, 0x1f, b'"', b'\\', 0x20][(b / 5 % 5) as usize]
                    } else {
                        b
                    }
                })
                .collect();
            let naive = bytes.iter().position(|&b| is_special(b)).unwrap_or(bytes.len());
            assert_eq!(plain_prefix_len(&bytes), naive, "{bytes:?}");
        }
        let all_plain: Vec<u8> = (0x20u8..=0xff).filter(|&b| !is_special(b)).collect();
        assert_eq!(plain_prefix_len(&all_plain), all_plain.len());
    }
}
