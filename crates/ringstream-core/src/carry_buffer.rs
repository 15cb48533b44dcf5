//! The read buffer: a fixed-capacity window over the input in which a record that straddles
//! the end of one read is carried over to the next.

use std::io::{self, Read};

/// A window `[start, end)` of input bytes in a buffer of fixed capacity.
///
/// Parsers look at [`data`](Self::data), [`consume`](Self::consume) what they are done with,
/// and ask for more with [`fill`](Self::fill) when the bytes at hand do not hold a whole record.
/// `fill` first moves the unconsumed bytes (the start of a record: possibly part of a UTF-8
/// sequence, of a `\r\n`, or of a quoted field) to the front, then reads into the free space.
/// Only when the window already fills the whole buffer does it grow (doubling, up to
/// `max_capacity`); once the large record is consumed, the next `fill` shrinks it back to its
/// base capacity. Parsers never let a record grow past `max_record_bytes`, and `max_capacity`
/// is one byte more than that, so memory stays bounded.
///
/// ```
/// use std::io::Cursor;
/// use ringstream_core::CarryBuffer;
///
/// let mut input = Cursor::new(b"ab\ncd".to_vec());
/// let mut buffer = CarryBuffer::new(4, 16);
/// assert_eq!(buffer.fill(&mut input)?, 4);
/// assert_eq!(buffer.data(), b"ab\nc");
/// buffer.consume(3);
/// assert_eq!(buffer.offset(), 3);
/// buffer.fill(&mut input)?; // "c" is carried to the front, "d" read after it
/// assert_eq!(buffer.data(), b"cd");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct CarryBuffer {
    buf: Vec<u8>,
    start: usize,
    end: usize,
    base_capacity: usize,
    max_capacity: usize,
    offset: u64,
    /// `buf[start..utf8_valid_end]` is known to be valid UTF-8 (from a char boundary at or
    /// before `start`), once `utf8_checked` says it was computed since the last read.
    utf8_valid_end: usize,
    utf8_checked: bool,
}

impl CarryBuffer {
    /// A buffer of `capacity` bytes (at least 1) that may grow to `max_capacity` bytes.
    pub fn new(capacity: usize, max_capacity: usize) -> CarryBuffer {
        let capacity = capacity.max(1);
        CarryBuffer {
            buf: vec![0; capacity],
            start: 0,
            end: 0,
            base_capacity: capacity,
            max_capacity: max_capacity.max(capacity),
            offset: 0,
            utf8_valid_end: 0,
            utf8_checked: false,
        }
    }

    /// Sets the stream offset of the next byte to be read (for a source that starts inside a
    /// file). Only meaningful before the first `fill`.
    pub fn set_offset(&mut self, offset: u64) {
        self.offset = offset;
    }

    /// The unconsumed bytes.
    #[inline]
    pub fn data(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Number of unconsumed bytes.
    #[inline]
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// Whether every byte read so far was consumed.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Stream offset of `data()[0]`.
    #[inline]
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Marks the first `n` unconsumed bytes as done with (at most [`len`](Self::len)).
    #[inline]
    pub fn consume(&mut self, n: usize) {
        let n = n.min(self.len());
        self.start += n;
        self.offset += n as u64;
    }

    /// How many of the unconsumed bytes are known to be valid UTF-8, checked once per read.
    ///
    /// Any piece of that prefix that starts and ends at character boundaries is valid UTF-8 on
    /// its own; a record that starts and ends next to ASCII bytes (its terminators) is such a
    /// piece. Records past the first invalid byte must be checked on their own.
    ///
    /// ```
    /// use std::io::Cursor;
    /// use ringstream_core::CarryBuffer;
    /// let mut buffer = CarryBuffer::new(16, 16);
    /// buffer.fill(&mut Cursor::new(b"ok\n\xffbad\n\xc3".to_vec()))?;
    /// assert_eq!(buffer.utf8_valid_len(), 3); // up to the invalid byte
    /// buffer.consume(4);
    /// assert_eq!(buffer.utf8_valid_len(), 4); // "bad\n"; the lone lead byte may yet complete
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn utf8_valid_len(&mut self) -> usize {
        if self.utf8_valid_end < self.start {
            // The invalid byte that stopped the check was consumed: check again from here.
            self.utf8_valid_end = self.start;
            self.utf8_checked = false;
        }
        if !self.utf8_checked {
            let unchecked = &self.buf[self.utf8_valid_end..self.end];
            // simdutf8's `compat` check: std's answer (`valid_up_to`), with SIMD where the CPU has it.
            self.utf8_valid_end += match simdutf8::compat::from_utf8(unchecked) {
                Ok(_) => unchecked.len(),
                Err(e) => e.valid_up_to(),
            };
            self.utf8_checked = true;
        }
        self.utf8_valid_end - self.start
    }

    /// The current capacity.
    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Reads once from `source` after the unconsumed bytes, carrying them to the front first
    /// and growing or shrinking the buffer as described on the type. Returns how many bytes
    /// were read: 0 means the end of the input (or a full buffer at `max_capacity`, which the
    /// parsers never ask for).
    pub fn fill<R: Read + ?Sized>(&mut self, source: &mut R) -> io::Result<usize> {
        let pending = self.len();
        if self.buf.len() > self.base_capacity && pending < self.base_capacity {
            let mut smaller = vec![0; self.base_capacity];
            smaller[..pending].copy_from_slice(self.data());
            self.buf = smaller;
        } else if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
        }
        // The validated prefix moves with the bytes (and the next read may complete a sequence
        // the check stopped at).
        self.utf8_valid_end = self.utf8_valid_end.saturating_sub(self.start).min(pending);
        self.utf8_checked = false;
        self.start = 0;
        self.end = pending;
        if self.end == self.buf.len() {
            let grown = self.buf.len().saturating_mul(2).min(self.max_capacity);
            if grown <= self.buf.len() {
                return Ok(0);
            }
            self.buf.resize(grown, 0);
        }
        loop {
            match source.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[test]
    fn grows_when_full_and_shrinks_back() {
        let mut input = Cursor::new(vec![b'x'; 100]);
        let mut buffer = CarryBuffer::new(8, 64);
        while buffer.len() < 64 {
            assert!(buffer.fill(&mut input).unwrap() > 0);
        }
        assert_eq!(buffer.capacity(), 64);
        // Full at max capacity: no more room, reports 0.
        assert_eq!(buffer.fill(&mut input).unwrap(), 0);
        buffer.consume(60);
        buffer.fill(&mut input).unwrap();
        assert_eq!(buffer.capacity(), 8);
        assert_eq!(buffer.data(), &[b'x'; 8][..]);
        assert_eq!(buffer.offset(), 60);
    }

    #[test]
    fn offsets_follow_consumption() {
        let mut input = Cursor::new(b"0123456789".to_vec());
        let mut buffer = CarryBuffer::new(3, 3);
        buffer.set_offset(100);
        let mut seen = Vec::new();
        loop {
            if buffer.fill(&mut input).unwrap() == 0 {
                break;
            }
            assert_eq!(buffer.offset(), 100 + seen.len() as u64);
            seen.push(buffer.data()[0]);
            buffer.consume(1);
        }
        seen.extend_from_slice(buffer.data());
        assert_eq!(seen, b"0123456789");
    }
}
