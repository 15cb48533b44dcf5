//! The first check of a compressed input: do its first bytes open that format at all? A file
//! named `.gz` that holds plain text is a common mistake, and the decoders' own words for it
//! ("invalid gzip header", "unexpected end of file", "Unknown frame descriptor") neither say
//! what the bytes are nor match the TS engine's; this check says both, in the same words as
//! `ts/engine/ts/compressed-head.ts`.

use std::io::{self, Read};

use crate::source::Compression;

/// Bytes looked at: enough for a zstd frame's magic number.
const HEAD_BYTES: usize = 4;

/// Why `head` (the input's first bytes, up to four; fewer only at its end) cannot open
/// `compression`'s data, or `None` when it can, or when there are too few bytes to tell (the
/// decoder then says the input ends too soon).
///
/// ```
/// use ringstream_core::{not_compressed_reason, Compression};
/// assert_eq!(
///     not_compressed_reason(Compression::Gzip, b"{\"a\"").as_deref(),
///     Some("not gzip data: it starts with 7b 22 61 22 ('{\"a\"'), and gzip data starts with 1f 8b")
/// );
/// assert_eq!(not_compressed_reason(Compression::Gzip, b"\x1f\x8b\x08\x00"), None);
/// assert_eq!(not_compressed_reason(Compression::Zstd, b"\x28\xb5"), None);
/// ```
pub fn not_compressed_reason(compression: Compression, head: &[u8]) -> Option<String> {
    let opens = match compression {
        Compression::None => return None,
        Compression::Gzip => may_open(head, |i, byte| byte == [0x1f, 0x8b][i], 2),
        // A frame (28 b5 2f fd), or a skippable frame (5? 2a 4d 18), in either order in a file.
        Compression::Zstd => {
            may_open(head, |i, byte| byte == [0x28, 0xb5, 0x2f, 0xfd][i], 4)
                || may_open(
                    head,
                    |i, byte| [byte & 0xf0 == 0x50, byte == 0x2a, byte == 0x4d, byte == 0x18][i],
                    4,
                )
        }
    };
    if opens || head.is_empty() {
        return None;
    }
    let expected = match compression {
        Compression::Gzip => "gzip data starts with 1f 8b",
        _ => "a zstd frame starts with 28 b5 2f fd",
    };
    let shown = &head[..head.len().min(HEAD_BYTES)];
    let hex: Vec<String> = shown.iter().map(|byte| format!("{byte:02x}")).collect();
    let text = if shown.iter().all(|&byte| (0x20..0x7f).contains(&byte)) {
        format!(" ('{}')", String::from_utf8_lossy(shown))
    } else {
        String::new()
    };
    Some(format!(
        "not {} data: it starts with {}{text}, and {expected}",
        compression.name(),
        hex.join(" ")
    ))
}

/// Whether `head` agrees with a magic number of `len` bytes as far as it goes.
fn may_open(head: &[u8], matches: impl Fn(usize, u8) -> bool, len: usize) -> bool {
    head.iter().take(len).enumerate().all(|(i, &byte)| matches(i, byte))
}

/// A reader that looks at its input's first bytes before the decoder does, and fails with
/// [`not_compressed_reason`] when they cannot open the format; then it reads on unchanged.
pub(crate) struct CheckedHead<R> {
    inner: R,
    compression: Compression,
    head: [u8; HEAD_BYTES],
    head_len: usize,
    /// Bytes of `head` already handed on; `None` until the head has been read and checked.
    served: Option<usize>,
}

impl<R: Read> CheckedHead<R> {
    pub(crate) fn new(inner: R, compression: Compression) -> CheckedHead<R> {
        CheckedHead { inner, compression, head: [0; HEAD_BYTES], head_len: 0, served: None }
    }
}

impl<R: Read> Read for CheckedHead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let served = match self.served {
            Some(served) => served,
            None => {
                while self.head_len < HEAD_BYTES {
                    let n = self.inner.read(&mut self.head[self.head_len..])?;
                    if n == 0 {
                        break;
                    }
                    self.head_len += n;
                }
                let head = &self.head[..self.head_len];
                if let Some(reason) = not_compressed_reason(self.compression, head) {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, reason));
                }
                0
            }
        };
        if served < self.head_len {
            let n = buf.len().min(self.head_len - served);
            buf[..n].copy_from_slice(&self.head[served..served + n]);
            self.served = Some(served + n);
            return Ok(n);
        }
        self.served = Some(served);
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per read.
    struct OneByte<'a>(&'a [u8]);

    impl Read for OneByte<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.is_empty()) {
                (Some((&byte, rest)), false) => {
                    buf[0] = byte;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    fn read_through(input: &[u8], compression: Compression) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        CheckedHead::new(OneByte(input), compression).read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn hands_on_every_byte_of_an_input_that_opens_the_format() {
        for (input, compression) in [
            (&b"\x1f\x8b\x08\x00rest of it"[..], Compression::Gzip),
            (b"\x28\xb5\x2f\xfdframe", Compression::Zstd),
            (b"\x5e\x2a\x4d\x18skippable", Compression::Zstd),
            (b"\x1f", Compression::Gzip),
            (b"\x28\xb5\x2f", Compression::Zstd),
            (b"", Compression::Gzip),
        ] {
            assert_eq!(read_through(input, compression).ok().as_deref(), Some(input));
        }
    }

    #[test]
    fn refuses_an_input_that_cannot_open_it_saying_what_it_starts_with() {
        let error = read_through(b"a,b\n1,2\n", Compression::Gzip).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some("not gzip data: it starts with 61 2c 62 0a, and gzip data starts with 1f 8b")
        );
        let error = read_through(b"\x1f\x8b\x08", Compression::Zstd).err().map(|e| e.to_string());
        assert_eq!(
            error.as_deref(),
            Some(
                "not zstd data: it starts with 1f 8b 08, and a zstd frame starts with 28 b5 2f fd"
            )
        );
        assert_eq!(
            not_compressed_reason(Compression::Gzip, b"x").as_deref(),
            Some("not gzip data: it starts with 78 ('x'), and gzip data starts with 1f 8b")
        );
    }
}
