//! The excerpt of a bad record, exactly as the format contract defines it.
//!
//! > the record's first 80 raw bytes, cut back to the start of a UTF-8 sequence if the cut
//! > splits one, decoded with U+FFFD replacement, with `…` appended when the record is longer
//! > than what is shown.
//!
//! The cut (as `DESIGN.md`, "Details both engines keep", pins it down): when byte 80 is a
//! continuation byte (`10xxxxxx`), the cut moves back to the lead byte of the sequence holding
//! it — at most 3 bytes back — and only when that lead byte announces a sequence reaching past
//! the cut. Stray continuation bytes are not a sequence and do not move the cut, so invalid
//! input gets a well-defined excerpt too.

/// How many raw bytes of a record an excerpt shows at most.
pub const EXCERPT_BYTES: usize = 80;

/// How many leading bytes of a record must be kept to build its excerpt later: the 80 shown
/// plus the one after them, which tells whether the cut splits a UTF-8 sequence.
pub const EXCERPT_HEAD_BYTES: usize = EXCERPT_BYTES + 1;

/// The excerpt of a record whose raw bytes are all at hand.
///
/// ```
/// use ringstream_core::excerpt;
/// assert_eq!(excerpt(b"{\"a\": oops}"), "{\"a\": oops}");
/// let long = "é".repeat(50); // 100 bytes; byte 80 starts a sequence
/// assert_eq!(excerpt(long.as_bytes()), format!("{}…", "é".repeat(40)));
/// let shifted = format!("x{long}"); // byte 80 is in the middle of an 'é'
/// assert_eq!(excerpt(shifted.as_bytes()), format!("x{}…", "é".repeat(39)));
/// assert_eq!(excerpt(b"\xff\xfe"), "\u{fffd}\u{fffd}");
/// ```
pub fn excerpt(raw: &[u8]) -> String {
    excerpt_from_head(raw, raw.len() as u64)
}

/// The excerpt of a record of `record_len` bytes of which `head` holds the first bytes (at
/// least [`EXCERPT_HEAD_BYTES`] of them, or all when the record is shorter).
///
/// ```
/// use ringstream_core::excerpt::{excerpt_from_head, EXCERPT_HEAD_BYTES};
/// let record = vec![b'a'; 1000];
/// let shown = excerpt_from_head(&record[..EXCERPT_HEAD_BYTES], 1000);
/// assert_eq!(shown, format!("{}…", "a".repeat(80)));
/// ```
pub fn excerpt_from_head(head: &[u8], record_len: u64) -> String {
    let len = usize::try_from(record_len).unwrap_or(usize::MAX);
    let mut cut = len.min(EXCERPT_BYTES).min(head.len());
    if len > EXCERPT_BYTES && head.get(EXCERPT_BYTES).is_some_and(|&b| is_continuation(b)) {
        let mut lead = EXCERPT_BYTES - 1;
        while lead > EXCERPT_BYTES - 4 && is_continuation(head[lead]) {
            lead -= 1;
        }
        if sequence_len(head[lead]) > EXCERPT_BYTES - lead {
            cut = lead;
        }
    }
    let mut text = String::from_utf8_lossy(&head[..cut]).into_owned();
    if len > cut {
        text.push('…');
    }
    text
}

fn is_continuation(byte: u8) -> bool {
    byte & 0xC0 == 0x80
}

/// Length of the sequence a lead byte announces; 0 for a byte that cannot lead one.
fn sequence_len(lead: u8) -> usize {
    match lead {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 0,
    }
}

/// The first bytes and the length of a record that is not kept whole: a record being skipped
/// because it is too large, or a CSV record streamed through the parser.
///
/// ```
/// use ringstream_core::excerpt::RecordHead;
/// let mut head = RecordHead::default();
/// head.observe(b"abc");
/// head.observe(b"def");
/// assert_eq!(head.len(), 6);
/// assert_eq!(head.excerpt(), "abcdef");
/// ```
#[derive(Debug, Clone, Default)]
pub struct RecordHead {
    bytes: Vec<u8>,
    len: u64,
}

impl RecordHead {
    /// Adds the record's next raw bytes.
    pub fn observe(&mut self, bytes: &[u8]) {
        let room = EXCERPT_HEAD_BYTES.saturating_sub(self.bytes.len());
        if room > 0 {
            self.bytes.extend_from_slice(&bytes[..room.min(bytes.len())]);
        }
        self.len += bytes.len() as u64;
    }

    /// The record's raw length so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether no byte was observed yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The first bytes observed (at most [`EXCERPT_HEAD_BYTES`]).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The excerpt of the bytes observed so far.
    pub fn excerpt(&self) -> String {
        excerpt_from_head(&self.bytes, self.len)
    }

    /// The excerpt of the record as if it were `len` bytes long (e.g. without a trailing `\r`
    /// that JSON Lines drops).
    pub fn excerpt_of_len(&self, len: u64) -> String {
        excerpt_from_head(&self.bytes, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_records_are_shown_whole_without_ellipsis() {
        assert_eq!(excerpt(b""), "");
        let eighty = "a".repeat(80);
        assert_eq!(excerpt(eighty.as_bytes()), eighty);
        let eighty_one = "a".repeat(81);
        assert_eq!(excerpt(eighty_one.as_bytes()), format!("{eighty}…"));
    }

    #[test]
    fn cut_never_splits_a_sequence() {
        // A 4-byte sequence at every alignment around the cut.
        for pad in 70..=80 {
            let text = format!("{}{}", "a".repeat(pad), "😀".repeat(5));
            let shown = excerpt(text.as_bytes());
            assert!(!shown.contains('\u{fffd}'), "pad {pad}: {shown}");
            let kept = shown.trim_end_matches('…');
            assert!(kept.len() <= 80 && kept.len() > 76, "pad {pad}");
            assert!(text.starts_with(kept));
        }
    }

    #[test]
    fn invalid_bytes_are_replaced() {
        let mut raw = vec![b'a'; 10];
        raw.push(0xff);
        assert_eq!(excerpt(&raw), format!("{}\u{fffd}", "a".repeat(10)));
        // Stray continuation bytes across the cut do not move it.
        let raw = vec![0x80; 100];
        assert_eq!(excerpt(&raw), format!("{}…", "\u{fffd}".repeat(80)));
        // A lead byte whose sequence ends before the cut does not move it either.
        let mut raw = vec![b'a'; 78];
        raw.extend_from_slice(&[0xC3, 0xA9, 0x80, 0x80]);
        assert_eq!(excerpt(&raw), format!("{}é…", "a".repeat(78)));
        // A lead byte announcing a sequence past the cut moves it, even if the bytes are bad.
        let mut raw = vec![b'a'; 78];
        raw.extend_from_slice(&[0xE0, 0x80, 0x80, 0x80]);
        assert_eq!(excerpt(&raw), format!("{}…", "a".repeat(78)));
        // Only continuation bytes are walked over: an ASCII byte stops the search.
        let mut raw = vec![b'a'; 77];
        raw.extend_from_slice(&[0xF0, 0x41, 0x80, 0x80, 0x80]);
        assert_eq!(excerpt(&raw), format!("{}\u{fffd}A\u{fffd}…", "a".repeat(77)));
        let mut raw = vec![b'a'; 79];
        raw.extend_from_slice(&[0xFF, 0x80]);
        assert_eq!(excerpt(&raw), format!("{}\u{fffd}…", "a".repeat(79)));
    }

    #[test]
    fn head_keeps_enough_for_the_cut() {
        let text = format!("x{}", "é".repeat(100));
        let mut head = RecordHead::default();
        for chunk in text.as_bytes().chunks(7) {
            head.observe(chunk);
        }
        assert_eq!(head.excerpt(), excerpt(text.as_bytes()));
    }
}
