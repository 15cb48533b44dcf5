//! What `metadata()` and the facade's batch sizing ask of a file without a reader: the memory a
//! reader would hold, the line breaks and bytes at its head, and how much compressed bytes
//! decode to.

use napi::bindgen_prelude::Buffer;
use napi::Result;
use napi_derive::napi;
use ringstream_core::{decoded_length, estimate_memory, head_bytes, head_lines, ReadError};

use crate::errors::read_error;
use crate::options::{compression_of, reader_config, NativeReaderOptions};
use crate::shared_arenas::ARENA_HEADROOM;

/// Bytes a reader opened with `options` holds besides its records while they are shorter than
/// its buffer: the read buffer, any decompressor, the batch being filled, and the arenas the
/// batches are laid out in (a file read ahead keeps its queue's depth plus three, each a
/// sixteenth bigger than a batch: see shared_arenas.rs), which is more than a reader that copies
/// each batch into one arena holds. With records of `average_record_bytes`, a batch is handed off
/// before it reaches its byte cap.
#[napi]
pub fn native_memory_bytes(options: NativeReaderOptions, average_record_bytes: f64) -> Result<f64> {
    let mut config = reader_config(&options)?;
    let typical_batch = (average_record_bytes.max(1.0) * config.batch.batch_size as f64) as usize;
    config.batch.max_batch_bytes = config.batch.max_batch_bytes.min(typical_batch.max(1));
    let core = estimate_memory(&config);
    let depth = config.queue_depth as u64;
    // The core counts its queue's batches, the one being filled and the one JavaScript holds.
    let batch = core.batches / (depth + 2);
    let arenas = (depth + 3) * (batch + batch / ARENA_HEADROOM as u64);
    Ok((core.buffer + core.decoder + batch + arenas) as f64)
}

/// The line breaks at a file's head (see `head_lines` in the core).
#[napi(object)]
pub struct NativeHeadLines {
    pub bytes: f64,
    pub line_breaks: f64,
    pub last_break_end: f64,
}

/// Counts the line breaks in the first `limit_bytes` (decompressed) of the file at `path`,
/// stopping at the `enough_lines`-th: what the facade sizes batches from, decompressed here so
/// that a compressed file's head is not decoded in JavaScript too.
#[napi]
pub fn native_head_lines(
    path: String,
    compression: String,
    limit_bytes: u32,
    enough_lines: u32,
) -> Result<NativeHeadLines> {
    let compression = compression_of(&compression)?;
    let path = std::path::Path::new(&path);
    let head = head_lines(path, compression, limit_bytes as usize, u64::from(enough_lines))
        .map_err(|error| read_error(ReadError::io(path, &error)))?;
    Ok(NativeHeadLines {
        bytes: head.bytes as f64,
        line_breaks: head.line_breaks as f64,
        last_break_end: head.last_break_end as f64,
    })
}

/// The first `limit_bytes` (decompressed) of the file at `path`, which `metadata()` samples
/// records from; decompressed here so that a compressed head is not decoded in JavaScript too.
#[napi]
pub fn native_head_bytes(path: String, compression: String, limit_bytes: u32) -> Result<Buffer> {
    let compression = compression_of(&compression)?;
    let path = std::path::Path::new(&path);
    let head = head_bytes(path, compression, limit_bytes as usize)
        .map_err(|error| read_error(ReadError::io(path, &error)))?;
    Ok(head.into())
}

/// How many bytes `compressed` decodes to, or `limit` when that is fewer (it may stop inside a
/// member or frame); `null` when it is damaged: what `metadata()` estimates a compressed file's records from.
#[napi]
pub fn native_decoded_length(
    compression: String,
    compressed: Buffer,
    limit: f64,
) -> Result<Option<f64>> {
    let compression = compression_of(&compression)?;
    Ok(decoded_length(compression, &compressed, limit as u64).map(|n| n as f64))
}
