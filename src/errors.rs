//! How failures cross into JavaScript: `Error`s whose message starts with a stable code.

use std::sync::{Mutex, MutexGuard};

use napi::{Error, Result};
use ringstream_core::ReadError;

/// Errors cross into JS as `Error` objects whose message starts with the stable code and names
/// the file, as the TS engine's do; the facade turns them into `RingstreamError`s with that
/// `code`.
pub(crate) fn read_error(error: ReadError) -> Error {
    let path = error.path().display();
    let message = error.message();
    Error::from_reason(if error.kind() == std::io::ErrorKind::NotFound {
        format!("ERR_NOT_FOUND: no such file or folder: {path}")
    } else if error.code() == ReadError::IO && error.is_decompression() {
        // The TS engine's words for the same failure.
        format!("ERR_IO: cannot decompress {path}: {message}")
    } else if error.code() == ReadError::IO {
        format!("ERR_IO: cannot read {path}: {message}")
    } else {
        format!("{}: {message} ({path})", error.code())
    })
}

/// An option the facade should not have let through (it validates them all first).
pub(crate) fn invalid(message: String) -> Error {
    Error::from_reason(format!("ERR_INVALID_ARGUMENT: {message}"))
}

/// The lock of a reader's state; poisoned only by a panic in an earlier call.
pub(crate) fn lock<T>(state: &Mutex<T>) -> Result<MutexGuard<'_, T>> {
    state.lock().map_err(|_| Error::from_reason("ERR_IO: a previous read panicked"))
}
