//! Decodes fuzzed bytes as gzip and as zstd through the core's byte source, read in fuzzed piece
//! sizes with `WouldBlock` between pieces (as a chunk feed that waits for its next push says):
//! decoding must never panic, and what comes out before the end or the error, and the error's
//! words, must not depend on how the input was cut. The checked-in seeds are small valid files
//! (gzip members, zstd frames with raw, RLE and compressed blocks) for the fuzzer to damage.
#![no_main]

use std::io::{self, Read};

use libfuzzer_sys::fuzz_target;
use ringstream_core::{ByteSource, Compression};

/// Hands out `data` at most `step` bytes per read, with `WouldBlock` before each piece.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    step: usize,
    blocked: bool,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.blocked = !self.blocked;
        if self.blocked && self.at < self.data.len() {
            return Err(io::Error::new(io::ErrorKind::WouldBlock, "no bytes pushed yet"));
        }
        let n = buf.len().min(self.step).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Everything decoded from `data` read `step` bytes at a time, read into `out_step` bytes at a
/// time, and the error that ended it.
fn decode(
    compression: Compression,
    data: &[u8],
    step: usize,
    out_step: usize,
) -> (Vec<u8>, Option<String>) {
    let trickle = Trickle { data: data.to_vec(), at: 0, step, blocked: false };
    let mut source = match ByteSource::from_reader(trickle, compression) {
        Ok(source) => source,
        Err(error) => return (Vec::new(), Some(error.to_string())),
    };
    let mut out = Vec::new();
    let mut buf = vec![0; out_step];
    loop {
        match source.read(&mut buf) {
            Ok(0) => return (out, None),
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return (out, Some(error.to_string())),
        }
        // A decompression bomb is not what this target looks for.
        if out.len() > 1 << 24 {
            return (out, Some("too much output".into()));
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&sizes, data)) = input.split_first() else { return };
    let step = usize::from(sizes & 0x1f) + 1;
    let out_step = usize::from(sizes >> 5) * 97 + 1;
    for compression in [Compression::Gzip, Compression::Zstd] {
        let whole = decode(compression, data, usize::MAX, 1 << 16);
        let cut = decode(compression, data, step, out_step);
        if whole.1.as_deref() == Some("too much output")
            || cut.1.as_deref() == Some("too much output")
        {
            continue;
        }
        assert_eq!(cut, whole, "{compression:?}, read {step} bytes at a time into {out_step}");
    }
});
