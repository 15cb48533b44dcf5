//! zstd, a whole unit at a time: libzstd (the `zstd` crate's raw decoder) is given one whole
//! unit of a file — a frame header, a block, the last block's checksum after the block — and its
//! output is drained before the next unit goes in; skippable frames are passed over here. The
//! unit buffer takes the place of the `zstd` crate reader's input buffer (128 KiB, as
//! `memory.rs` counts). So everything decoded before
//! a damaged unit is handed out, and nothing of a unit the input stops inside, as the TS engine's
//! frame walker (`ts/engine/ts/unzstd.ts`) does. The `zstd` crate's reader gives libzstd all the
//! input it has: libzstd then drops the output of a call that fails (its output position is left
//! where it was), which may hold several whole blocks before the damaged one, and it hands out
//! the start of a raw block that the input stops inside; the engines read different records
//! before the same error.

use std::io::{self, Read};

use zstd::stream::raw::{Decoder, InBuffer, Operation, OutBuffer};

const FRAME_MAGIC: u32 = 0xfd2f_b528;
const SKIPPABLE_MASK: u32 = 0xffff_fff0;
const SKIPPABLE_MAGIC: u32 = 0x184d_2a50;
const BLOCK_HEADER_BYTES: usize = 3;
const RLE_BLOCK: u32 = 1;
/// The largest block content zstd allows; a block header that says more is damage, which
/// libzstd reports when it is given the header.
const MAX_BLOCK_BYTES: usize = 128 * 1024;
const CHECKSUM_BYTES: usize = 4;

/// Where the walk of the input is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Next {
    /// A frame's magic number (or a skippable frame's, or neither: damage).
    Magic,
    /// A block of a frame, which ends with a checksum when `checksum`.
    Block { checksum: bool },
}

/// The unit the input goes on with.
enum Unit {
    /// Whole in `unit`, `unit_len` bytes: libzstd takes it.
    Whole,
    /// A skippable frame of this many bytes after its header, which nothing reads.
    Skippable(u64),
    /// The input ended between frames.
    End,
}

/// A reader of the content of the zstd frames in `inner`, a whole unit at a time.
pub(crate) struct ZstdUnits<R> {
    inner: R,
    decoder: Decoder<'static>,
    next: Next,
    /// The unit being gathered, then fed.
    unit: Vec<u8>,
    /// Its whole length once it is gathered; 0 while none is under way.
    unit_len: usize,
    /// Bytes of `unit` libzstd has taken.
    fed: usize,
    /// Where feeding pauses for the output to be drained: before a frame's checksum, so that the
    /// last block's output goes out even when the checksum then fails (libzstd would drop it
    /// with the error when given both at once); else `unit_len`.
    pause_at: usize,
    /// The unit has been fed: its output is drained before the next is gathered.
    draining: bool,
    /// libzstd said a frame ended (its hint 0): it is reset before the next frame.
    frame_ended: bool,
    /// Bytes of a skippable frame still to pass over.
    skip: u64,
    /// A frame began: an input without one is an error, as in zstd.
    saw_frame: bool,
    inner_ended: bool,
}

impl<R: Read> ZstdUnits<R> {
    pub(crate) fn new(inner: R) -> io::Result<ZstdUnits<R>> {
        Ok(ZstdUnits {
            inner,
            decoder: Decoder::new()?,
            next: Next::Magic,
            unit: Vec::with_capacity(MAX_BLOCK_BYTES + BLOCK_HEADER_BYTES + CHECKSUM_BYTES),
            unit_len: 0,
            fed: 0,
            pause_at: 0,
            draining: false,
            frame_ended: false,
            skip: 0,
            saw_frame: false,
            inner_ended: false,
        })
    }

    /// Reads into `unit` until it holds `len` bytes, or the input ends (`false`). A read that
    /// fails (`WouldBlock` from a chunk feed that waits for more) leaves what was gathered.
    fn gather(&mut self, len: usize) -> io::Result<bool> {
        while self.unit.len() < len {
            if self.inner_ended {
                return Ok(false);
            }
            let start = self.unit.len();
            self.unit.resize(len, 0);
            match self.inner.read(&mut self.unit[start..]) {
                Ok(n) => {
                    self.unit.truncate(start + n);
                    self.inner_ended = n == 0;
                }
                Err(error) => {
                    self.unit.truncate(start);
                    if error.kind() != io::ErrorKind::Interrupted {
                        return Err(error);
                    }
                }
            }
        }
        Ok(true)
    }

    /// Gathers the next unit whole, as its header says how long it is; an input that ends inside
    /// one, or before any frame, is an `incomplete frame`, as the `zstd` crate says. Nothing
    /// changes until the unit is whole but a block's header, which libzstd takes once, so a read
    /// that fails part way can be made again.
    fn next_unit(&mut self) -> io::Result<Unit> {
        let (len, next, checksum_bytes) = match self.next {
            Next::Magic => {
                if !self.gather(4)? {
                    return if self.unit.is_empty() && self.saw_frame {
                        Ok(Unit::End)
                    } else {
                        Err(incomplete_frame())
                    };
                }
                let magic =
                    u32::from_le_bytes([self.unit[0], self.unit[1], self.unit[2], self.unit[3]]);
                if magic & SKIPPABLE_MASK == SKIPPABLE_MAGIC {
                    if !self.gather(8)? {
                        return Err(incomplete_frame());
                    }
                    self.saw_frame = true;
                    let size = [self.unit[4], self.unit[5], self.unit[6], self.unit[7]];
                    return Ok(Unit::Skippable(u64::from(u32::from_le_bytes(size))));
                }
                if magic != FRAME_MAGIC {
                    // libzstd says what these bytes are not.
                    (4, Next::Magic, 0)
                } else {
                    if !self.gather(5)? {
                        return Err(incomplete_frame());
                    }
                    let descriptor = self.unit[4];
                    let single_segment = usize::from((descriptor >> 5) & 1);
                    let dictionary_id_bytes = [0, 1, 2, 4][usize::from(descriptor & 3)];
                    let content_size_bytes =
                        [single_segment, 2, 4, 8][usize::from(descriptor >> 6)];
                    let len = 5 + (1 - single_segment) + dictionary_id_bytes + content_size_bytes;
                    (len, Next::Block { checksum: (descriptor >> 2) & 1 == 1 }, 0)
                }
            }
            Next::Block { checksum } => {
                if !self.gather(BLOCK_HEADER_BYTES)? {
                    return Err(incomplete_frame());
                }
                if self.fed == 0 {
                    self.feed_block_header()?;
                }
                let bits = u32::from_le_bytes([self.unit[0], self.unit[1], self.unit[2], 0]);
                let last = bits & 1 == 1;
                let size = (bits >> 3) as usize;
                let next = if last { Next::Magic } else { self.next };
                // An RLE block holds one byte whatever size it gives; libzstd checks that size
                // with the byte.
                let body = if (bits >> 1) & 3 == RLE_BLOCK { 1 } else { size };
                if body > MAX_BLOCK_BYTES {
                    // libzstd has refused the header: this is never gathered.
                    (BLOCK_HEADER_BYTES, next, 0)
                } else {
                    let checksum_bytes = if last && checksum { CHECKSUM_BYTES } else { 0 };
                    (BLOCK_HEADER_BYTES + body + checksum_bytes, next, checksum_bytes)
                }
            }
        };
        if !self.gather(len)? {
            return Err(incomplete_frame());
        }
        if matches!(next, Next::Block { .. }) && self.next == Next::Magic {
            self.saw_frame = true;
        }
        self.next = next;
        self.unit_len = len;
        self.pause_at = len - checksum_bytes;
        Ok(Unit::Whole)
    }

    /// Gives libzstd a block's header before its body is gathered: libzstd judges the header
    /// alone (a reserved block type, a size past the frame's window), and a damaged header that
    /// claims more bytes than the input holds is then the damage it is, not a cut-short input.
    /// A header makes no output.
    fn feed_block_header(&mut self) -> io::Result<()> {
        let mut input = InBuffer::around(&self.unit[..BLOCK_HEADER_BYTES]);
        let mut output = OutBuffer::around(&mut [][..]);
        let hint = self.decoder.run(&mut input, &mut output)?;
        self.fed = input.pos();
        if hint == 0 {
            self.frame_ended = true;
        }
        Ok(())
    }

    /// libzstd's output into `buf` for what it has been given, after it takes what it will of
    /// the rest of `unit` when `feed`.
    fn run(&mut self, buf: &mut [u8], feed: bool) -> io::Result<usize> {
        let until = if self.fed < self.pause_at { self.pause_at } else { self.unit_len };
        let input = if feed { &self.unit[self.fed..until] } else { &[][..] };
        let mut input = InBuffer::around(input);
        let mut output = OutBuffer::around(buf);
        let hint = self.decoder.run(&mut input, &mut output)?;
        self.fed += input.pos();
        if hint == 0 {
            self.frame_ended = true;
        }
        Ok(output.pos())
    }

    fn clear_unit(&mut self) {
        self.unit.clear();
        self.unit_len = 0;
        self.fed = 0;
        self.pause_at = 0;
    }
}

impl<R: Read> Read for ZstdUnits<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.draining {
                let made = self.run(buf, false)?;
                if made > 0 {
                    return Ok(made);
                }
                self.draining = false;
                if self.fed == self.unit_len {
                    self.clear_unit();
                }
            }
            if self.skip > 0 {
                let mut sink = [0; 4096];
                let n = self.inner.read(&mut sink[..self.skip.min(4096) as usize])?;
                if n == 0 {
                    return Err(incomplete_frame());
                }
                self.skip -= n as u64;
                continue;
            }
            if self.unit_len == 0 {
                match self.next_unit()? {
                    Unit::End => return Ok(0),
                    Unit::Skippable(size) => {
                        self.skip = size;
                        self.clear_unit();
                        continue;
                    }
                    Unit::Whole if self.frame_ended => {
                        // What follows a frame libzstd has finished: it starts afresh.
                        self.decoder.reinit()?;
                        self.frame_ended = false;
                    }
                    Unit::Whole => {}
                }
            }
            let made = self.run(buf, true)?;
            if self.fed == self.pause_at || self.fed == self.unit_len {
                self.draining = true;
            }
            if made > 0 {
                return Ok(made);
            }
        }
    }
}

/// The `zstd` crate's words for input that ends inside a frame, or holds none.
fn incomplete_frame() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "incomplete frame")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per read, and `WouldBlock` before each, as a
    /// chunk feed waiting for its next push does.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
        blocked: bool,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.blocked = !self.blocked;
            if self.blocked && !self.bytes.is_empty() {
                return Err(io::Error::new(io::ErrorKind::WouldBlock, "no bytes pushed yet"));
            }
            let n = buf.len().min(self.step).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Everything read from `input`, `step` bytes at a time, and the error that ended it.
    fn decode(input: &[u8], step: usize) -> (Vec<u8>, Option<String>) {
        let mut units =
            ZstdUnits::new(Trickle { bytes: input, step, blocked: false }).expect("made");
        let mut out = Vec::new();
        let mut buf = vec![0; 1000];
        loop {
            match units.read(&mut buf) {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return (out, Some(error.to_string())),
            }
        }
    }

    /// A single-segment frame of raw blocks of `block` bytes each, with a checksum.
    fn stored(content: &[u8], block: usize) -> Vec<u8> {
        // Descriptor: a 2-byte content size (less 256), single segment, a checksum.
        let mut frame = vec![0x28, 0xb5, 0x2f, 0xfd, 0x40 | 0x20 | 0x04];
        frame.extend_from_slice(&u16::try_from(content.len() - 256).expect("small").to_le_bytes());
        let blocks: Vec<&[u8]> = content.chunks(block).collect();
        for (i, part) in blocks.iter().enumerate() {
            let header = u32::from(i == blocks.len() - 1) | ((part.len() as u32) << 3);
            frame.extend_from_slice(&header.to_le_bytes()[..3]);
            frame.extend_from_slice(part);
        }
        frame.extend_from_slice(&xxh64_low32(content).to_le_bytes());
        frame
    }

    /// The content checksum zstd writes for `content`: the low 32 bits of its XXH64.
    fn xxh64_low32(content: &[u8]) -> u32 {
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).expect("encoder");
        encoder.include_checksum(true).expect("checksum");
        std::io::Write::write_all(&mut encoder, content).expect("written");
        let written = encoder.finish().expect("finished");
        u32::from_le_bytes(written[written.len() - 4..].try_into().expect("4 bytes"))
    }

    #[test]
    fn reads_frames_and_skips_skippable_ones_whatever_the_reads() {
        let one = zstd::encode_all(&b"one\n".repeat(5000)[..], 3).expect("compressed");
        let two = zstd::encode_all(&b"two\n"[..], 19).expect("compressed");
        let skippable = [&[0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0][..], b"abc"].concat();
        let input = [one, skippable, two].concat();
        let expected = [b"one\n".repeat(5000), b"two\n".to_vec()].concat();
        for step in [1, 2, 7, 4096, 1 << 20] {
            assert_eq!(decode(&input, step), (expected.clone(), None), "step {step}");
        }
    }

    #[test]
    fn hands_out_every_whole_block_before_the_damage_and_nothing_of_a_cut_block() {
        let content: Vec<u8> =
            (0..1000u32).flat_map(|i| format!("{i:>9}\n").into_bytes()).collect();
        let frame = stored(&content, 4000);
        let blocks_start = 7;
        let outcome = |input: &[u8]| {
            let (out, error) = decode(input, 4096);
            (out.len(), content.starts_with(&out), error)
        };
        assert_eq!(outcome(&frame), (10_000, true, None));
        // Cut inside the third raw block: the two before it, not the start of it.
        let cut = &frame[..blocks_start + 2 * 4003 + 100];
        assert_eq!(outcome(cut), (8000, true, Some("incomplete frame".into())));
        // A changed checksum: every block first, then the error.
        let mut checksum = frame.clone();
        let last = checksum.len() - 1;
        checksum[last] ^= 1;
        assert_eq!(
            outcome(&checksum),
            (10_000, true, Some("Restored data doesn't match checksum".into()))
        );
        // A reserved block type in the third block: the two before it.
        let mut reserved = frame.clone();
        reserved[blocks_start + 2 * 4003] |= 0b110;
        assert_eq!(outcome(&reserved), (8000, true, Some("Data corruption detected".into())));
    }

    #[test]
    fn a_damaged_block_header_that_claims_more_than_the_input_holds_is_damage() {
        let content: Vec<u8> =
            (0..1000u32).flat_map(|i| format!("{i:>9}\n").into_bytes()).collect();
        let frame = stored(&content, 4000);
        let third = 7 + 2 * 4003;
        let with_header = |bits: u32| {
            let mut damaged = frame.clone();
            damaged[third..third + 3].copy_from_slice(&bits.to_le_bytes()[..3]);
            damaged
        };
        // A reserved type that says 60,000 bytes follow, and a raw block past the frame's window
        // (its 10,000 bytes of content): libzstd refuses either header before any body is read.
        for damaged in [with_header(0b110 | (60_000 << 3)), with_header(20_000 << 3)] {
            for step in [1, 4096] {
                let (out, error) = decode(&damaged, step);
                assert_eq!((out.len(), error), (8000, Some("Data corruption detected".into())));
            }
        }
    }

    #[test]
    fn an_rle_block_size_is_judged_with_its_byte() {
        // Window 128 KiB; a last RLE block of 200,000 bytes, with its byte and without.
        let header = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 7 << 3];
        let rle = (1 | (1 << 1) | (200_000u32 << 3)).to_le_bytes();
        let cut = [&header[..], &rle[..3]].concat();
        let whole = [&cut[..], b"x"].concat();
        assert_eq!(decode(&whole, 1), (vec![], Some("Data corruption detected".into())));
        assert_eq!(decode(&cut, 1), (vec![], Some("incomplete frame".into())));
    }

    #[test]
    fn an_input_without_a_frame_is_incomplete() {
        assert_eq!(decode(b"", 10), (vec![], Some("incomplete frame".into())));
        assert_eq!(decode(&[0x28, 0xb5], 10), (vec![], Some("incomplete frame".into())));
    }
}
