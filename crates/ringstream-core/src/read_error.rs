//! Errors that end a read: I/O failures (including corrupt compressed data) and requests a
//! reader cannot serve. They are returned as values, never panics.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why reading a file failed. Unlike a [`Fault`](crate::Fault), it ends the read.
///
/// ```
/// use ringstream_core::{Format, Reader, ReaderConfig};
/// let error = Reader::open(ReaderConfig::new("/no/such/file.jsonl", Format::JsonLines))
///     .err()
///     .expect("the file does not exist");
/// assert_eq!(error.code(), "ERR_IO");
/// assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
/// assert_eq!(error.path(), std::path::Path::new("/no/such/file.jsonl"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    code: &'static str,
    path: PathBuf,
    kind: io::ErrorKind,
    message: String,
    decompression: bool,
}

impl ReadError {
    /// The code of an I/O failure.
    pub const IO: &'static str = "ERR_IO";
    /// The code of a request a reader cannot serve (e.g. a byte range of a compressed file).
    pub const UNSUPPORTED: &'static str = "ERR_UNSUPPORTED";

    /// An I/O failure while reading `path`.
    pub fn io(path: &Path, error: &io::Error) -> ReadError {
        ReadError {
            code: ReadError::IO,
            path: path.to_owned(),
            kind: error.kind(),
            message: error.to_string(),
            decompression: crate::is_decompression_error(error),
        }
    }

    /// A request about `path` that cannot be served.
    pub fn unsupported(path: &Path, message: impl Into<String>) -> ReadError {
        ReadError {
            code: ReadError::UNSUPPORTED,
            path: path.to_owned(),
            kind: io::ErrorKind::Unsupported,
            message: message.into(),
            decompression: false,
        }
    }

    /// The stable code: `"ERR_IO"` or `"ERR_UNSUPPORTED"`.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The file being read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The I/O error kind (`NotFound` lets a caller report `ERR_NOT_FOUND`).
    pub fn kind(&self) -> io::ErrorKind {
        self.kind
    }

    /// The system's or decoder's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the file's bytes were read but could not be decompressed (damaged, cut short,
    /// or not in the format its compression says), rather than not read.
    pub fn is_decompression(&self) -> bool {
        self.decompression
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} ({})", self.code, self.message, self.path.display())
    }
}

impl std::error::Error for ReadError {}
