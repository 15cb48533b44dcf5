//! The head of a file: its line breaks, counted cheaply, which the facade sizes an iteration's
//! batches from before the first record (`headRecordBytes` in `ts/metadata.ts`, which counts the
//! same way on the TS engine, so both engines pick the same batch size); and its first bytes,
//! decompressed, which `metadata()` samples records from.

use std::io::{self, Read};
use std::path::Path;

use crate::{ByteSource, Compression};

/// Bytes read from the source at a time.
const READ_BYTES: usize = 16 * 1024;

/// What the first bytes of a file (decompressed) hold: the count stops at the `enough_lines`-th
/// line break or after `limit` bytes, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HeadLines {
    /// Bytes looked at: up to and including the last line break counted when there are
    /// `enough_lines`, else `limit` or the whole file if it is shorter.
    pub bytes: u64,
    /// Line breaks (`\n`) counted.
    pub line_breaks: u64,
    /// The offset just past the last line break counted (0 when there is none).
    pub last_break_end: u64,
}

/// Counts the line breaks at the head of the file at `path`, decompressed as `compression` says.
///
/// ```
/// use ringstream_core::{head_lines, Compression, HeadLines};
/// # let dir = std::env::temp_dir().join(format!("rs-doc-head-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let path = dir.join("a.jsonl");
/// std::fs::write(&path, "{}\n{\"a\":1}\n{}\n")?;
/// let head = head_lines(&path, Compression::None, 1024, 2)?;
/// assert_eq!(head, HeadLines { bytes: 11, line_breaks: 2, last_break_end: 11 });
/// let head = head_lines(&path, Compression::None, 5, 64)?;
/// assert_eq!(head, HeadLines { bytes: 5, line_breaks: 1, last_break_end: 3 });
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn head_lines(
    path: &Path,
    compression: Compression,
    limit: usize,
    enough_lines: u64,
) -> io::Result<HeadLines> {
    let mut source = ByteSource::open(path, compression)?;
    let mut buffer = vec![0; READ_BYTES];
    let mut head = HeadLines::default();
    while head.bytes < limit as u64 && head.line_breaks < enough_lines {
        let room = (limit as u64 - head.bytes).min(READ_BYTES as u64) as usize;
        let chunk = match source.read(buffer.get_mut(..room).unwrap_or_default()) {
            Ok(0) => break,
            Ok(n) => buffer.get(..n).unwrap_or_default(),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(error) => return Err(error),
        };
        let start = head.bytes;
        head.bytes += chunk.len() as u64;
        for at in memchr::memchr_iter(b'\n', chunk) {
            head.line_breaks += 1;
            head.last_break_end = start + at as u64 + 1;
            if head.line_breaks == enough_lines {
                head.bytes = head.last_break_end;
                break;
            }
        }
    }
    Ok(head)
}

/// The first `limit` bytes of the file at `path`, decompressed as `compression` says (fewer when
/// the file is shorter): what the facade's `metadata()` parses for its record sample, decoded
/// here so that a compressed head is not decoded in JavaScript.
///
/// ```
/// use ringstream_core::{head_bytes, Compression};
/// # let dir = std::env::temp_dir().join(format!("rs-doc-head-bytes-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let path = dir.join("a.jsonl");
/// std::fs::write(&path, "{}\n{\"a\":1}\n")?;
/// assert_eq!(head_bytes(&path, Compression::None, 4)?, b"{}\n{");
/// assert_eq!(head_bytes(&path, Compression::None, 1024)?.len(), 11);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn head_bytes(path: &Path, compression: Compression, limit: usize) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(limit.min(1 << 20));
    ByteSource::open(path, compression)?.take(limit as u64).read_to_end(&mut head)?;
    Ok(head)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("rs-head-lines-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn counts_across_reads_and_stops_at_either_bound() {
        let text = "x".repeat(99) + "\n";
        let path = file("long.jsonl", text.repeat(1000).as_bytes());
        let head = head_lines(&path, Compression::None, 64 * 1024, 64).unwrap();
        assert_eq!(head, HeadLines { bytes: 6400, line_breaks: 64, last_break_end: 6400 });
        let head = head_lines(&path, Compression::None, 20_050, 1000).unwrap();
        assert_eq!(head, HeadLines { bytes: 20_050, line_breaks: 200, last_break_end: 20_000 });
    }

    #[test]
    fn reads_a_short_file_whole_and_a_file_without_breaks_to_the_limit() {
        let path = file("short.csv", b"a,b\n1,2");
        let head = head_lines(&path, Compression::None, 1024, 64).unwrap();
        assert_eq!(head, HeadLines { bytes: 7, line_breaks: 1, last_break_end: 4 });
        let path = file("one.json", &[b' '; 5000]);
        let head = head_lines(&path, Compression::None, 4096, 64).unwrap();
        assert_eq!(head, HeadLines { bytes: 4096, line_breaks: 0, last_break_end: 0 });
    }

    #[test]
    fn counts_decompressed_bytes_and_reports_damage() {
        let text = "{\"id\":1}\n".repeat(100);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        let path = file("a.jsonl.gz", &gz);
        let head = head_lines(&path, Compression::Gzip, 64 * 1024, 64).unwrap();
        assert_eq!(head, HeadLines { bytes: 576, line_breaks: 64, last_break_end: 576 });
        let zst = zstd::encode_all(text.as_bytes(), 3).unwrap();
        let path = file("a.jsonl.zst", &zst);
        assert_eq!(head_lines(&path, Compression::Zstd, 64 * 1024, 64).unwrap(), head);
        let path = file("damaged.jsonl.gz", &gz[..gz.len() / 2]);
        let error = head_lines(&path, Compression::Gzip, 64 * 1024, 1000).unwrap_err();
        assert!(crate::is_decompression_error(&error), "{error}");
    }
}
