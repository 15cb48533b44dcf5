//! gzip, member after member, decoded by zlib's own gzip code (flate2's `Decompress` in gzip
//! mode, on zlib-rs). The TS engine runs the same zlib code (pako's port of it) and walks the
//! members the same way (`ts/engine/ts/gunzip.ts`), so the engines stop at the same byte of a
//! damaged file and say why in the same words: zlib's, followed by what they mean for the data
//! ([`failure_text`]).

use std::io::{self, BufRead, Read};

use flate2::{Decompress, FlushDecompress, Status};

/// zlib's `windowBits` for the largest window (32 KiB), which gzip writers use.
const WINDOW_BITS: u8 = 15;

/// A reader of the bytes that the gzip members in `inner` hold. Whatever follows a member must
/// be another member: trailing zeros or garbage are an error, as are an empty input and one that
/// stops inside a member (as `gzip -t` has it).
pub(crate) struct GzipMembers<R> {
    inner: R,
    decoder: Decompress,
    /// The member being decoded, from 1.
    member: u64,
    /// The compressed byte at which it starts.
    member_start: u64,
    /// Compressed bytes taken by the decoder so far.
    consumed: u64,
    /// The member has ended: the next byte must start another.
    member_ended: bool,
    /// The last call filled the output buffer: zlib may hold more output for input it took.
    output_full: bool,
    /// The decoder's error, returned from every read after the output decoded before it.
    failure: Option<String>,
}

impl<R: BufRead> GzipMembers<R> {
    pub(crate) fn new(inner: R) -> GzipMembers<R> {
        GzipMembers {
            inner,
            decoder: Decompress::new_gzip(WINDOW_BITS),
            member: 1,
            member_start: 0,
            consumed: 0,
            member_ended: false,
            output_full: false,
            failure: None,
        }
    }

    fn fail(&self, zlib_message: &str) -> io::Error {
        let kind = match zlib_message {
            UNEXPECTED_END => io::ErrorKind::UnexpectedEof,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(
            kind,
            failure_text(zlib_message, self.member, self.member_start, self.consumed),
        )
    }
}

impl<R: BufRead> Read for GzipMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(message) = &self.failure {
            return Err(io::Error::new(io::ErrorKind::InvalidData, message.clone()));
        }
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            // An output buffer that was filled may have left zlib with more to write for input
            // it has taken: that comes out before more input is read, or the end is reported.
            let draining = self.output_full;
            let input = if draining { &[][..] } else { self.inner.fill_buf()? };
            if input.is_empty() && !draining {
                return if self.member_ended { Ok(0) } else { Err(self.fail(UNEXPECTED_END)) };
            }
            if self.member_ended {
                self.decoder.reset(true);
                self.member_ended = false;
                self.member += 1;
                self.member_start = self.consumed;
            }
            let (in_before, out_before) = (self.decoder.total_in(), self.decoder.total_out());
            let status = self.decoder.decompress(input, buf, FlushDecompress::None);
            let used = (self.decoder.total_in() - in_before) as usize;
            let made = (self.decoder.total_out() - out_before) as usize;
            self.inner.consume(used);
            self.consumed += used as u64;
            self.output_full = made == buf.len();
            match status {
                Ok(Status::StreamEnd) => {
                    self.member_ended = true;
                    self.output_full = false;
                }
                Ok(_) if used == 0 && made == 0 && !draining => return Err(self.fail(NO_PROGRESS)),
                Ok(_) => {}
                Err(error) => {
                    // zlib refuses to go on after an error, so every later read gets this one.
                    let failure = self.fail(error.message().unwrap_or("invalid gzip data"));
                    self.failure = Some(failure.to_string());
                    // What was decoded before the damage goes out first, as in the TS engine.
                    if made == 0 {
                        return Err(failure);
                    }
                }
            }
            if made > 0 {
                return Ok(made);
            }
        }
    }
}

/// zlib's words for input that stops inside a member, which zlib itself never reports (it waits
/// for more); `gzip -t` says the same.
const UNEXPECTED_END: &str = "unexpected end of file";
/// Never expected of zlib, but a loop must not spin if it happens.
const NO_PROGRESS: &str = "zlib made no progress";

/// The words for a decoding failure in `member` (from 1), which starts at compressed byte
/// `member_start`, when `consumed` compressed bytes have been taken: zlib's message where it names
/// a check of the gzip format, then what it means for the data. zlib's finer words for damaged
/// deflate data ("invalid distance too far back", "invalid block type", …) become "invalid deflate
/// data": they help no reader of the file, and zlib-rs 0.6 loses them when its fast decoding loop
/// finds the damage (it reports "repeated call with bad state" instead), which would set the
/// engines apart. `ts/engine/ts/gunzip.ts` words it the same.
///
/// ```text
/// incorrect data check: the CRC-32 of the gzip data does not match: its bytes are damaged
/// incorrect header check: the bytes from compressed byte 98609 on, after gzip member 1, are not another gzip member
/// ```
fn failure_text(zlib_message: &str, member: u64, member_start: u64, consumed: u64) -> String {
    let subject = if member == 1 {
        "the gzip data".to_string()
    } else {
        format!("gzip member {member} (from compressed byte {member_start})")
    };
    match zlib_message {
        UNEXPECTED_END if consumed == 0 => format!("{UNEXPECTED_END}: the input is empty"),
        UNEXPECTED_END => format!("{UNEXPECTED_END}: {subject} is cut short"),
        "incorrect data check" => {
            format!("{zlib_message}: the CRC-32 of {subject} does not match: its bytes are damaged")
        }
        "incorrect length check" => format!(
            "{zlib_message}: the length of {subject} does not match: bytes are missing or damaged"
        ),
        "incorrect header check" if member > 1 => format!(
            "{zlib_message}: the bytes from compressed byte {member_start} on, after gzip member {}, are not another gzip member",
            member - 1
        ),
        "incorrect header check" | "unknown compression method" | "unknown header flags set"
        | "header crc mismatch" => format!("{zlib_message}: the header of {subject} is damaged"),
        _ => format!("invalid deflate data: {subject} is damaged"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::{BufReader, Write};

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(bytes).expect("written");
        encoder.finish().expect("finished")
    }

    /// Decodes `input` read `chunk` bytes at a time: the output before the error, and the error.
    fn decode(input: &[u8], chunk: usize) -> (Vec<u8>, Option<String>) {
        decode_into(input, chunk, 7)
    }

    /// Decodes `input` read `chunk` bytes at a time into reads of `out_step` bytes.
    fn decode_into(input: &[u8], chunk: usize, out_step: usize) -> (Vec<u8>, Option<String>) {
        let mut members = GzipMembers::new(BufReader::with_capacity(chunk, input));
        let mut out = Vec::new();
        let mut buf = vec![0; out_step];
        loop {
            match members.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(error) => return (out, Some(error.to_string())),
            }
        }
    }

    #[test]
    fn reads_every_member_whatever_the_chunks() {
        let input = [gzip(b"one\n"), gzip(b""), gzip(b"two\nthree\n")].concat();
        for chunk in [1, 2, 3, 10, 4096] {
            assert_eq!(decode(&input, chunk), (b"one\ntwo\nthree\n".to_vec(), None), "{chunk}");
        }
    }

    #[test]
    fn hands_out_all_a_cut_member_decodes_to_whatever_the_buffers() {
        // Compresses a hundredfold and more: a few input bytes fill many reads, and a read that fills up as the
        // input ends used to leave zlib's last bytes unread.
        let content = [vec![b'a'; 1 << 14], b"the end\n".to_vec()].concat();
        let gzip = gzip(&content);
        for end in 11..gzip.len() {
            let cut = &gzip[..end];
            let reference = decode_into(cut, 1 << 20, 1 << 20);
            for (chunk, out_step) in [(1, 1), (3, 98), (7, 258), (1 << 20, 100)] {
                assert_eq!(decode_into(cut, chunk, out_step), reference, "cut at {end}");
            }
        }
    }

    #[test]
    fn says_what_is_wrong_and_in_which_member() {
        let first = gzip(b"one\n");
        let second = gzip(b"two\n");
        let both = [first.clone(), second.clone()].concat();
        let mut checksum = both.clone();
        let crc_at = both.len() - 8;
        checksum[crc_at] ^= 1;
        let mut length = first.clone();
        let length_at = first.len() - 4;
        length[length_at] ^= 1;
        let cases: [(Vec<u8>, &[u8], String); 6] = [
            (vec![], b"", "unexpected end of file: the input is empty".into()),
            (
                first[..first.len() - 3].to_vec(),
                b"one\n",
                "unexpected end of file: the gzip data is cut short".into(),
            ),
            (
                both[..both.len() - 1].to_vec(),
                b"one\ntwo\n",
                format!(
                    "unexpected end of file: gzip member 2 (from compressed byte {}) is cut short",
                    first.len()
                ),
            ),
            (
                checksum,
                b"one\ntwo\n",
                format!(
                    "incorrect data check: the CRC-32 of gzip member 2 (from compressed byte {}) \
                     does not match: its bytes are damaged",
                    first.len()
                ),
            ),
            (
                length,
                b"one\n",
                "incorrect length check: the length of the gzip data does not match: bytes are \
                 missing or damaged"
                    .into(),
            ),
            (
                [first.clone(), vec![0; 16]].concat(),
                b"one\n",
                format!(
                    "incorrect header check: the bytes from compressed byte {} on, after gzip \
                     member 1, are not another gzip member",
                    first.len()
                ),
            ),
        ];
        for (input, output, message) in cases {
            for chunk in [1, 5, 4096] {
                assert_eq!(decode(&input, chunk), (output.to_vec(), Some(message.clone())));
            }
        }
    }

    #[test]
    fn names_the_damaged_part() {
        let mut header = gzip(b"one\n");
        header[3] = 0xe0;
        let (_, error) = decode(&header, 4096);
        assert_eq!(
            error.as_deref(),
            Some("unknown header flags set: the header of the gzip data is damaged")
        );
        // `["  "]` and two line breaks at level 9, its first deflate byte changed (8b to c3): a
        // distance too far back, which zlib-rs words two ways (see `failure_text`).
        let body = b"\x1f\x8b\x08\0\0\0\0\0\x02\x03\xc3\x56\x52\x50\x50\x8a\xe5\xe2\x02\0\xbc\xe9\x44\x87\x08\0\0\0";
        let (_, error) = decode(body, 4096);
        assert_eq!(error.as_deref(), Some("invalid deflate data: the gzip data is damaged"));
    }
}
