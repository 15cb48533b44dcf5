//! How much memory a [`Reader`](crate::Reader) holds, from its configuration.

use crate::config::ReaderConfig;
use crate::source::Compression;

/// Bytes a gzip decoder keeps: a 32 KiB window plus its input buffer.
const GZIP_DECODER_BYTES: u64 = 64 << 10;
/// Bytes a Zstandard decoder keeps for the usual window of levels 1–19 (8 MiB) plus buffers.
const ZSTD_DECODER_BYTES: u64 = (8 << 20) + (256 << 10);
/// Position bytes per record in a batch (a line and a byte offset).
const POSITION_BYTES: u64 = 16;

/// An estimate of a reader's memory, in bytes, by part.
///
/// The bound the design promises is `buffer_size + queue_depth × batch`: the read buffer plus
/// the batches in flight. Here a batch counts at its hand-off size (`max_batch_bytes` of
/// encoded records plus positions), and besides the `queue_depth` queued batches there are
/// the one the producer is filling and the one the consumer holds.
///
/// ```
/// use ringstream_core::{estimate_memory, Format, ReaderConfig};
/// let config = ReaderConfig::new("big.jsonl", Format::JsonLines);
/// let estimate = estimate_memory(&config);
/// assert_eq!(estimate.buffer, 64 << 10);
/// assert_eq!(estimate.batches, 4 * ((8 << 20) + 16 * 1024)); // (2 queued + 2) batches
/// assert!(estimate.worst_case() > estimate.steady());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryEstimate {
    /// The read buffer at its base size.
    pub buffer: u64,
    /// The batches in flight: `(queue_depth + 2) × (max_batch_bytes + 16 × batch_size)`.
    pub batches: u64,
    /// The decompressor's state (0 for plain files).
    pub decoder: u64,
    /// What one record longer than the buffer may add for as long as it is read: the buffer
    /// grown to `max_record_bytes` (CSV: its unquoted fields, plus 8 bytes per field), and
    /// the record's encoding in a batch past `max_batch_bytes` (in columns: up to 9 bytes
    /// per record byte, see [`ColumnarEncoder`](crate::ColumnarEncoder)).
    pub large_record: u64,
}

impl MemoryEstimate {
    /// Memory while records are shorter than the buffer.
    pub fn steady(&self) -> u64 {
        self.buffer + self.batches + self.decoder
    }

    /// Memory at most, when a record of `max_record_bytes` is being read.
    pub fn worst_case(&self) -> u64 {
        self.steady() + self.large_record
    }
}

/// Estimates the memory a [`Reader`](crate::Reader) opened with `config` holds.
pub fn estimate_memory(config: &ReaderConfig) -> MemoryEstimate {
    let batch = &config.batch;
    let per_batch =
        batch.max_batch_bytes as u64 + POSITION_BYTES.saturating_mul(batch.batch_size as u64);
    let compression = config.compression.unwrap_or_else(|| Compression::from_path(&config.path));
    let decoder = match compression {
        Compression::None => 0,
        Compression::Gzip => GZIP_DECODER_BYTES,
        Compression::Zstd => ZSTD_DECODER_BYTES,
    };
    let max_record = config.parse.max_record_bytes as u64;
    // The grown buffer (or CSV field buffer) plus the record's encoding in a batch. CSV field
    // ends add up to 8 bytes per record byte for a record made only of delimiters, and the
    // columnar encoding of a record up to 9 (17 bytes for the number value of `1,` in a record
    // sent as UTF-16): 1 + 8 + 9.
    let large_record = if config.parse.format.is_delimited() {
        max_record.saturating_mul(18)
    } else {
        max_record.saturating_mul(2)
    };
    MemoryEstimate {
        buffer: batch.buffer_size as u64,
        batches: (config.queue_depth as u64 + 2).saturating_mul(per_batch),
        decoder,
        large_record,
    }
}
