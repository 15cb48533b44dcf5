//! Line counting for CSV, where `\n`, `\r\n` and a lone `\r` each end one line.

/// Counts line breaks in bytes fed in pieces; a `\r\n` split between two pieces counts once.
///
/// ```
/// use ringstream_core::LineCounter;
/// let mut lines = LineCounter::new();
/// lines.advance(b"a\r");
/// lines.advance(b"\nb\rc\n");
/// assert_eq!(lines.line(), 4);
/// ```
#[derive(Debug, Clone)]
pub struct LineCounter {
    line: u64,
    after_cr: bool,
}

impl Default for LineCounter {
    fn default() -> LineCounter {
        LineCounter::new()
    }
}

impl LineCounter {
    /// A counter at line 1.
    pub fn new() -> LineCounter {
        LineCounter { line: 1, after_cr: false }
    }

    /// The 1-based number of the line the next byte stands on.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Counts the line breaks in the next bytes of the input.
    pub fn advance(&mut self, bytes: &[u8]) {
        let Some(&last) = bytes.last() else { return };
        for i in memchr::memchr2_iter(b'\r', b'\n', bytes) {
            let newline_after_cr =
                bytes[i] == b'\n' && if i == 0 { self.after_cr } else { bytes[i - 1] == b'\r' };
            if !newline_after_cr {
                self.line += 1;
            }
        }
        self.after_cr = last == b'\r';
    }

    /// Counts a line of text without line breaks (at least one byte) ended by `terminator`
    /// (`\r` or `\n`): the same as [`advance`](Self::advance) over those bytes, without
    /// reading them again.
    pub(crate) fn advance_past_line(&mut self, terminator: u8) {
        self.line += 1;
        self.after_cr = terminator == b'\r';
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_split_counts_the_same() {
        let text = b"a\r\nb\rc\n\n\r\r\nd";
        for size in 1..=text.len() {
            let mut lines = LineCounter::new();
            for piece in text.chunks(size) {
                lines.advance(piece);
            }
            assert_eq!(lines.line(), 7, "pieces of {size}");
        }
    }
}
