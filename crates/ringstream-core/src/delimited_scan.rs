//! Splitting a CSV record without quotes: one pass over its bytes finds its delimiters, the `\n`
//! or `\r` that ends it, and any quote byte (which leaves the record to `csv-core`), sixteen or
//! eight bytes at a time. Records of a few short fields are the common case, and for them a `memchr` call
//! per record and per field cost more in setting up than in searching.

const ONES: u64 = 0x0101_0101_0101_0101;
const LOWS: u64 = 0x7F7F_7F7F_7F7F_7F7F;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that equals `byte`, exactly (no carry crosses a byte:
/// adding `0x7F` to a byte's low seven bits stays within it).
#[inline(always)]
fn equal_bytes(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    !(((x & LOWS).wrapping_add(LOWS)) | x) & HIGHS
}

/// Where the record at the start of `data` ends (the index of the first `\n` or `\r`), with the
/// index of each `delimiter` before it appended to `ends`; `None` when a `quote` byte comes
/// first or `data` holds no `\n` or `\r` (`ends` then holds some of the delimiters). With no
/// `quote` (quoting off) no byte stops the split but a line break.
///
/// ```
/// # use ringstream_core::split_delimited;
/// let mut ends = Vec::new();
/// assert_eq!(split_delimited(b"id,name,city\r\n1,2,3", b',', Some(b'"'), &mut ends), Some(12));
/// assert_eq!(ends, [2, 7]);
/// assert_eq!(split_delimited(b"1,\"a\",3\n", b',', Some(b'"'), &mut ends), None);
/// ends.clear();
/// assert_eq!(split_delimited(b"1,\"a\",3\n", b',', None, &mut ends), Some(7));
/// assert_eq!(ends, [1, 5]);
/// ```
// Inlined into the parser's loop over records: there the test of `quote` cost the reader 0.6%
// more instructions on narrow.csv than before quoting could be off, and 1.2% behind a call.
#[inline(always)]
pub fn split_delimited(
    data: &[u8],
    delimiter: u8,
    quote: Option<u8>,
    ends: &mut Vec<usize>,
) -> Option<usize> {
    match quote {
        Some(quote) => split::<true>(data, delimiter, quote, ends),
        None => split::<false>(data, delimiter, 0, ends),
    }
}

/// `split_delimited`, compiled once with quotes (`QUOTED`) and once without, so neither pays
/// for a test of the other in its loop.
#[inline(always)]
fn split<const QUOTED: bool>(
    data: &[u8],
    delimiter: u8,
    quote: u8,
    ends: &mut Vec<usize>,
) -> Option<usize> {
    let mut at = 0;
    // Sixteen bytes at a time where SSE2 is at hand: on narrow.csv's 25-byte records the reader
    // ran 13% fewer instructions than with eight at a time alone.
    #[cfg(target_arch = "x86_64")]
    while let Some(block) = data.get(at..at + 16).and_then(|w| <&[u8; 16]>::try_from(w).ok()) {
        if let Some(end) = settle::<QUOTED>(at, sse2::masks(block, delimiter, quote), 0, ends) {
            return end;
        }
        at += 16;
    }
    while let Some(word) = data.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let word = u64::from_le_bytes(word);
        let masks = Masks {
            delimiters: equal_bytes(word, delimiter),
            terminators: equal_bytes(word, b'\n') | equal_bytes(word, b'\r'),
            quotes: if QUOTED { equal_bytes(word, quote) } else { 0 },
        };
        // Byte `i` is bit `8 i + 7`.
        if let Some(end) = settle::<QUOTED>(at, masks, 3, ends) {
            return end;
        }
        at += 8;
    }
    for (i, &b) in data.iter().enumerate().skip(at) {
        if QUOTED && b == quote {
            return None;
        }
        if b == b'\n' || b == b'\r' {
            return Some(i);
        }
        if b == delimiter {
            ends.push(i);
        }
    }
    None
}

/// Which bytes of a block starting at byte `at` are delimiters, line breaks and quotes: byte
/// `i` of the block is bit `i << shift` (or a bit above it within its byte's share).
struct Masks {
    delimiters: u64,
    terminators: u64,
    quotes: u64,
}

/// Appends the block's delimiters before the record's end to `ends`, and says whether the block
/// settles the record: `Some(Some(end))` when a line break ends it, `Some(None)` when a quote
/// comes first, `None` when the record goes on past the block.
#[inline(always)]
fn settle<const QUOTED: bool>(
    at: usize,
    masks: Masks,
    shift: u32,
    ends: &mut Vec<usize>,
) -> Option<Option<usize>> {
    let stops = masks.terminators | if QUOTED { masks.quotes } else { 0 };
    let mut delimiters = masks.delimiters;
    let mut settled = None;
    if stops != 0 {
        let stop = stops.trailing_zeros();
        if QUOTED && masks.quotes & (1u64 << stop) != 0 {
            return Some(None);
        }
        delimiters &= (1u64 << stop) - 1;
        settled = Some(Some(at + (stop >> shift) as usize));
    }
    while delimiters != 0 {
        ends.push(at + (delimiters.trailing_zeros() >> shift) as usize);
        delimiters &= delimiters - 1;
    }
    settled
}

/// Sixteen bytes compared at once, through `safe_arch`'s safe wrappers of the SSE2 intrinsics
/// (SSE2 is part of every x86-64 processor, so no detection is needed).
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use safe_arch::{
        bitor_m128i, cmp_eq_mask_i8_m128i, load_unaligned_m128i, m128i, move_mask_i8_m128i,
        set_splat_i8_m128i,
    };

    use super::Masks;

    #[inline(always)]
    pub(super) fn masks(block: &[u8; 16], delimiter: u8, quote: u8) -> Masks {
        let bytes = load_unaligned_m128i(block);
        let terminators = bitor_m128i(equal(bytes, b'\n'), equal(bytes, b'\r'));
        Masks {
            delimiters: bits(equal(bytes, delimiter)),
            terminators: bits(terminators),
            quotes: bits(equal(bytes, quote)),
        }
    }

    #[inline(always)]
    fn equal(bytes: m128i, byte: u8) -> m128i {
        cmp_eq_mask_i8_m128i(bytes, set_splat_i8_m128i(byte as i8))
    }

    /// The high bit of each byte, as bit `i` for byte `i`.
    #[inline(always)]
    fn bits(mask: m128i) -> u64 {
        u64::from(move_mask_i8_m128i(mask) as u16)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn naive(data: &[u8], delimiter: u8, quote: Option<u8>) -> (Option<usize>, Vec<usize>) {
        let stop = data.iter().position(|&b| b == b'\n' || b == b'\r' || Some(b) == quote);
        let end = stop.filter(|&i| Some(data[i]) != quote);
        let scanned = &data[..end.unwrap_or(data.len())];
        let ends = scanned.iter().enumerate().filter(|(_, &b)| b == delimiter).map(|(i, _)| i);
        (end, ends.collect())
    }

    #[test]
    fn finds_every_delimiter_before_the_end() {
        for (delimiter, quote) in [b',', b'\t', b';', b'|', 0x80, 0xFF, 0x00]
            .into_iter()
            .flat_map(|delimiter| [(delimiter, Some(b'"')), (delimiter, None)])
        {
            let data = [b'a', delimiter, b'"', delimiter, b'\r', b'\n', delimiter, b'"', b'b'];
            for len in 0..=data.len() {
                for start in 0..len {
                    let mut ends = Vec::new();
                    let end = split_delimited(&data[start..len], delimiter, quote, &mut ends);
                    let (expected_end, expected) = naive(&data[start..len], delimiter, quote);
                    assert_eq!(end, expected_end, "{delimiter:#x} {quote:?} {start}..{len}");
                    if end.is_some() {
                        assert_eq!(ends, expected);
                    }
                }
            }
        }
    }

    #[test]
    fn finds_the_end_at_every_place_in_a_block() {
        // Records long enough for blocks of sixteen and of eight bytes and a tail after them,
        // with the byte that ends or leaves them at every place.
        for len in 1..=41 {
            for stop_at in 0..len {
                for stop in [b'\n', b'\r', b'"'] {
                    let mut data: Vec<u8> =
                        (0..len).map(|i| if i % 3 == 1 { b',' } else { b'7' }).collect();
                    data[stop_at] = stop;
                    for quote in [Some(b'"'), None] {
                        let mut ends = Vec::new();
                        let end = split_delimited(&data, b',', quote, &mut ends);
                        let (expected_end, expected) = naive(&data, b',', quote);
                        assert_eq!(end, expected_end, "{len} {stop_at} {stop} {quote:?}");
                        if end.is_some() {
                            assert_eq!(ends, expected, "{len} {stop_at} {stop} {quote:?}");
                        }
                    }
                }
            }
        }
    }

    proptest! {
        #[test]
        fn agrees_with_a_byte_by_byte_scan(
            data in proptest::collection::vec(prop_oneof![
                Just(b','), Just(b'\t'), Just(b'\n'), Just(b'\r'), Just(b'"'), Just(b'a'),
                Just(0x80u8), Just(0xAC), Just(0x7F), any::<u8>()
            ], 0..80),
            delimiter in prop_oneof![Just(b','), Just(b'\t'), any::<u8>()],
            quote in prop_oneof![Just(Some(b'"')), Just(Some(b'\'')), any::<u8>().prop_map(Some), Just(None)],
        ) {
            prop_assume!(![b'\n', b'\r'].contains(&delimiter) && Some(delimiter) != quote);
            prop_assume!(quote != Some(b'\n') && quote != Some(b'\r'));
            let mut ends = Vec::new();
            let end = split_delimited(&data, delimiter, quote, &mut ends);
            let (expected_end, expected) = naive(&data, delimiter, quote);
            prop_assert_eq!(end, expected_end);
            if end.is_some() {
                prop_assert_eq!(ends, expected);
            }
        }
    }
}
