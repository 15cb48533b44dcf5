//! UTF-8 validation of a record that arrives in pieces (a CSV record streamed through
//! `csv-core`), where a multi-byte sequence may be split between two pieces.

/// Validates a byte sequence fed in pieces of any size.
///
/// ```
/// use ringstream_core::Utf8Stream;
/// let mut check = Utf8Stream::default();
/// let text = "naïve ☃".as_bytes();
/// for piece in text.chunks(1) {
///     check.feed(piece);
/// }
/// assert!(check.finish());
/// check.feed(b"\xe2\x98"); // a sequence cut short by the end of the record
/// assert!(!check.finish());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Utf8Stream {
    pending: [u8; 4],
    pending_len: usize,
    invalid: bool,
}

impl Utf8Stream {
    /// Feeds the next piece.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        if self.invalid || bytes.is_empty() {
            return;
        }
        if self.pending_len > 0 {
            // `pending` is a valid prefix of a sequence, so its first byte is a lead byte.
            let need = sequence_len(self.pending[0]);
            while self.pending_len < need && !bytes.is_empty() {
                self.pending[self.pending_len] = bytes[0];
                self.pending_len += 1;
                bytes = &bytes[1..];
            }
            if self.pending_len < need {
                if std::str::from_utf8(&self.pending[..self.pending_len])
                    .is_err_and(|e| e.error_len().is_some())
                {
                    self.invalid = true;
                }
                return;
            }
            if std::str::from_utf8(&self.pending[..need]).is_err() {
                self.invalid = true;
                return;
            }
            self.pending_len = 0;
        }
        if let Err(e) = std::str::from_utf8(bytes) {
            if e.error_len().is_some() {
                self.invalid = true;
            } else {
                let tail = &bytes[e.valid_up_to()..];
                self.pending[..tail.len()].copy_from_slice(tail);
                self.pending_len = tail.len();
            }
        }
    }

    /// Whether everything fed since the last `finish` was valid UTF-8; resets for the next
    /// sequence.
    pub fn finish(&mut self) -> bool {
        let valid = !self.invalid && self.pending_len == 0;
        *self = Utf8Stream::default();
        valid
    }
}

fn sequence_len(lead: u8) -> usize {
    match lead {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_split(bytes: &[u8]) -> bool {
        let expected = std::str::from_utf8(bytes).is_ok();
        for size in 1..=bytes.len().max(1) {
            let mut check = Utf8Stream::default();
            for piece in bytes.chunks(size) {
                check.feed(piece);
            }
            assert_eq!(check.finish(), expected, "{bytes:?} in pieces of {size}");
        }
        expected
    }

    #[test]
    fn agrees_with_std_at_every_split() {
        assert!(check_split("a€b😀c".as_bytes()));
        assert!(!check_split(b"a\xe2\x82"));
        assert!(!check_split(b"\xe2\x41\x82"));
        assert!(!check_split(b"\xed\xa0\x80")); // an encoded surrogate
        assert!(!check_split(b"\xf4\x90\x80\x80")); // above U+10FFFF
        assert!(!check_split(b"\xc0\xaf")); // overlong
        assert!(!check_split(b"\x80"));
        assert!(check_split(b""));
    }
}
