//! Byte sources: a file, a byte range of a file, or any reader, decompressed by extension,
//! counting the bytes read from below the decompressor (what progress reports).

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::compressed_head::CheckedHead;
use crate::gzip_members::GzipMembers;
use crate::zstd_units::ZstdUnits;
use crate::zstd_words::ZstdWords;

/// Compressed bytes read at a time for the gzip decoder (what flate2's own gzip reader took).
const GZIP_INPUT_BYTES: usize = 32 * 1024;

/// The compression of a file's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip, one or more members (`.gz`), read with zlib's gzip decoding (`flate2` on zlib-rs).
    Gzip,
    /// Zstandard, one or more frames (`.zst`), read a whole block at a time with libzstd.
    Zstd,
}

impl Compression {
    /// The compression a file's extension implies: `.gz` gzip, `.zst` Zstandard, else none.
    ///
    /// ```
    /// use ringstream_core::Compression;
    /// assert_eq!(Compression::from_path("a/events.jsonl.gz"), Compression::Gzip);
    /// assert_eq!(Compression::from_path("rows.csv.zst"), Compression::Zstd);
    /// assert_eq!(Compression::from_path("rows.csv"), Compression::None);
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Compression {
        match path.as_ref().extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("gz") => Compression::Gzip,
            Some(ext) if ext.eq_ignore_ascii_case("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The facade's name: `"none"`, `"gzip"` or `"zstd"`.
    pub const fn name(self) -> &'static str {
        match self {
            Compression::None => "none",
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
        }
    }

    /// The compression with the facade's name `name`, if any.
    ///
    /// ```
    /// use ringstream_core::Compression;
    /// assert_eq!(Compression::from_name("zstd"), Some(Compression::Zstd));
    /// assert_eq!(Compression::from_name("bz2"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Compression> {
        [Compression::None, Compression::Gzip, Compression::Zstd]
            .into_iter()
            .find(|compression| compression.name() == name)
    }
}

/// The decompressed bytes of one file (or part of one), plus a shared counter of the raw bytes
/// read so far, which another thread may read for progress.
///
/// ```
/// use std::io::{Cursor, Read};
/// use ringstream_core::{ByteSource, Compression};
///
/// let mut source = ByteSource::from_reader(Cursor::new(b"hello".to_vec()), Compression::None)?;
/// let mut text = String::new();
/// source.read_to_string(&mut text)?;
/// assert_eq!(text, "hello");
/// assert_eq!(source.bytes_read(), 5);
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct ByteSource {
    reader: Box<dyn Read + Send>,
    bytes_read: Arc<AtomicU64>,
    start_offset: u64,
    live: bool,
    /// The length of the regular file opened whole.
    file_len: Option<u64>,
}

impl std::fmt::Debug for ByteSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ByteSource")
            .field("bytes_read", &self.bytes_read())
            .field("start_offset", &self.start_offset)
            .field("live", &self.live)
            .finish_non_exhaustive()
    }
}

impl ByteSource {
    /// Opens a whole file, decompressing it as `compression` says. A path that is not a
    /// regular file (a pipe, a device, a socket) is [live](Self::is_live). A named pipe (FIFO) is
    /// opened by the first read instead, on the thread that reads: opening one waits for its
    /// writer, which must not hold up the thread that opens the source (JavaScript's).
    pub fn open(path: impl AsRef<Path>, compression: Compression) -> io::Result<ByteSource> {
        let path = path.as_ref();
        // Statting a FIFO does not wait for a writer, as opening one does.
        let metadata = std::fs::metadata(path)?;
        let kind = metadata.file_type();
        if is_fifo(kind) {
            let opened = OpenOnRead { path: path.to_owned(), file: None };
            return Ok(ByteSource::from_reader(opened, compression)?.live(true));
        }
        let file = File::open(path)?;
        let mut source = ByteSource::from_reader(file, compression)?.live(!kind.is_file());
        source.file_len = kind.is_file().then_some(metadata.len());
        Ok(source)
    }

    /// Opens bytes `range` of an uncompressed file (a range of compressed bytes cannot be
    /// decoded on its own). Reading stops at `range.end` or at the end of the file.
    ///
    /// ```
    /// use std::io::Read;
    /// use ringstream_core::ByteSource;
    /// # let dir = std::env::temp_dir().join(format!("rs-doc-range-{}", std::process::id()));
    /// # std::fs::create_dir_all(&dir)?;
    /// let path = dir.join("data.jsonl");
    /// std::fs::write(&path, "0123456789")?;
    /// let mut source = ByteSource::open_range(&path, 2..5)?;
    /// let mut text = String::new();
    /// source.read_to_string(&mut text)?;
    /// assert_eq!((text.as_str(), source.start_offset()), ("234", 2));
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn open_range(path: impl AsRef<Path>, range: Range<u64>) -> io::Result<ByteSource> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(range.start))?;
        let len = range.end.saturating_sub(range.start);
        let mut source = ByteSource::from_reader(file.take(len), Compression::None)?;
        source.start_offset = range.start;
        Ok(source)
    }

    /// Wraps any reader of (possibly compressed) bytes; `bytes_read` counts the bytes taken
    /// from `reader` itself.
    pub fn from_reader<R: Read + Send + 'static>(
        reader: R,
        compression: Compression,
    ) -> io::Result<ByteSource> {
        let bytes_read = Arc::new(AtomicU64::new(0));
        let counted = CountingReader { inner: reader, count: Arc::clone(&bytes_read) };
        let reader: Box<dyn Read + Send> = match compression {
            Compression::None => Box::new(counted),
            Compression::Gzip => Box::new(Decoding(GzipMembers::new(BufReader::with_capacity(
                GZIP_INPUT_BYTES,
                CheckedHead::new(Undecoded(counted), compression),
            )))),
            Compression::Zstd => Box::new(Decoding(ZstdWords::new(
                ZstdUnits::new(CheckedHead::new(Undecoded(counted), compression))?,
                Arc::clone(&bytes_read),
            ))),
        };
        Ok(ByteSource { reader, bytes_read, start_offset: 0, live: false, file_len: None })
    }

    /// Marks the source as live (or not): its reads may wait for bytes that do not exist yet,
    /// as a pipe's do for its writer.
    pub fn live(mut self, live: bool) -> ByteSource {
        self.live = live;
        self
    }

    /// The length of the file, when a regular file was [opened](Self::open) whole (compressed
    /// bytes for a compressed file); `None` for a pipe, a device, a range or any other reader.
    pub fn file_len(&self) -> Option<u64> {
        self.file_len
    }

    /// Whether a read may wait for bytes still to come (a pipe, a device): a
    /// [`BatchReader`](crate::BatchReader) then hands out what it has parsed before each read,
    /// so a live feed's records do not wait for a batch to fill.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// Raw bytes read so far (compressed bytes for a compressed source).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// The counter behind [`bytes_read`](Self::bytes_read), to read it from another thread.
    pub fn bytes_read_counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.bytes_read)
    }

    /// The file offset of the first byte this source yields (0 unless a range was opened).
    pub fn start_offset(&self) -> u64 {
        self.start_offset
    }
}

impl Read for ByteSource {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read(buf)
    }
}

/// Why a compressed source could not be decoded: the error a decoder raised about the bytes it
/// was given (damaged, cut short, not that format), as opposed to a failure to read them.
/// [`ByteSource`] returns it as the payload of an [`io::Error`]; see [`is_decompression_error`].
#[derive(Debug)]
pub struct DecompressionError(io::Error);

impl std::fmt::Display for DecompressionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for DecompressionError {}

/// Whether `error` came from decoding a compressed source rather than from reading its bytes.
///
/// ```
/// use std::io::Read;
/// use ringstream_core::{is_decompression_error, ByteSource, Compression};
/// let mut source = ByteSource::from_reader(&b"not gzip at all"[..], Compression::Gzip)?;
/// let error = source.read_to_end(&mut Vec::new()).expect_err("these bytes are not gzip");
/// assert!(is_decompression_error(&error));
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn is_decompression_error(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<DecompressionError>())
}

/// A failure to read the compressed bytes, passed through the decoder untouched.
#[derive(Debug)]
struct ReadFailure(io::Error);

impl std::fmt::Display for ReadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for ReadFailure {}

/// Whether `error` is a failure to read the bytes under a decoder, not the decoder's own.
pub(crate) fn is_read_failure(error: &io::Error) -> bool {
    error.get_ref().is_some_and(|inner| inner.is::<ReadFailure>())
}

/// The bytes under a decoder: its read errors are marked, so that [`Decoding`] can tell them
/// from the decoder's own.
struct Undecoded<R>(R);

impl<R: Read> Read for Undecoded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|error| io::Error::new(error.kind(), ReadFailure(error)))
    }
}

/// A decoder whose errors are [`DecompressionError`]s, except read failures from below, which
/// come out as they were.
struct Decoding<D>(D);

impl<D: Read> Read for Decoding<D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|error| {
            let kind = error.kind();
            match error.into_inner() {
                Some(inner) => match inner.downcast::<ReadFailure>() {
                    Ok(failure) => failure.0,
                    Err(other) => {
                        io::Error::new(kind, DecompressionError(io::Error::new(kind, other)))
                    }
                },
                None => io::Error::new(kind, DecompressionError(io::Error::from(kind))),
            }
        })
    }
}

#[cfg(unix)]
fn is_fifo(kind: std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo()
}

#[cfg(not(unix))]
fn is_fifo(_kind: std::fs::FileType) -> bool {
    false
}

/// A file opened by its first read.
struct OpenOnRead {
    path: std::path::PathBuf,
    file: Option<File>,
}

impl Read for OpenOnRead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(file) => file.read(buf),
            None => self.file.insert(File::open(&self.path)?).read(buf),
        }
    }
}

/// Counts the bytes read from the underlying reader.
struct CountingReader<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};

    fn read_all(mut source: ByteSource) -> Vec<u8> {
        let mut out = Vec::new();
        source.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn decoders_errors_are_decompression_errors_and_read_failures_are_not() {
        struct Failing;
        impl Read for Failing {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::new(io::ErrorKind::PermissionDenied, "no access"))
            }
        }
        for compression in [Compression::Gzip, Compression::Zstd] {
            let mut damaged = ByteSource::from_reader(&b"plain text"[..], compression).unwrap();
            let error = damaged.read_to_end(&mut Vec::new()).unwrap_err();
            assert!(is_decompression_error(&error), "{compression:?}: {error}");
            let mut failing = ByteSource::from_reader(Failing, compression).unwrap();
            let error = failing.read_to_end(&mut Vec::new()).unwrap_err();
            assert!(!is_decompression_error(&error), "{compression:?}: {error}");
            assert_eq!(
                (error.kind(), error.to_string()),
                (io::ErrorKind::PermissionDenied, "no access".to_string())
            );
        }
        let mut truncated = ByteSource::from_reader(
            std::io::Cursor::new(zstd::encode_all(&b"one\n"[..], 1).unwrap()[..8].to_vec()),
            Compression::Zstd,
        )
        .unwrap();
        let error = truncated.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(is_decompression_error(&error), "{error}");
    }

    #[test]
    fn gzip_members_are_all_read() {
        let mut data = Vec::new();
        for part in [&b"first\n"[..], b"second\n"] {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(part).unwrap();
            data.extend(enc.finish().unwrap());
        }
        let len = data.len() as u64;
        let source = ByteSource::from_reader(Cursor::new(data), Compression::Gzip).unwrap();
        let counter = source.bytes_read_counter();
        assert_eq!(read_all(source), b"first\nsecond\n");
        assert_eq!(counter.load(Ordering::Relaxed), len);
    }

    #[test]
    fn zstd_frames_are_all_read() {
        let mut data = zstd::encode_all(&b"one\n"[..], 1).unwrap();
        data.extend(zstd::encode_all(&b"two\n"[..], 3).unwrap());
        let source = ByteSource::from_reader(Cursor::new(data), Compression::Zstd).unwrap();
        assert_eq!(read_all(source), b"one\ntwo\n");
    }

    #[test]
    fn corrupt_gzip_is_an_io_error() {
        let source =
            ByteSource::from_reader(Cursor::new(b"not gzip at all".to_vec()), Compression::Gzip)
                .unwrap();
        let mut out = Vec::new();
        let mut source = source;
        assert!(source.read_to_end(&mut out).is_err());
    }

    #[test]
    fn extension_names_compression() {
        assert_eq!(Compression::from_path("x.GZ"), Compression::Gzip);
        assert_eq!(Compression::from_path("x.zst"), Compression::Zstd);
        assert_eq!(Compression::from_path("x.jsonl"), Compression::None);
        assert_eq!(Compression::from_path("gz"), Compression::None);
    }
}
