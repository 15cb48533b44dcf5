//! What a zstd decoding failure means, after zstd's own name for it: libzstd (through the `zstd`
//! crate) gives only the name ("Data corruption detected"), and the TS engine's frame walker
//! (`ts/engine/ts/unzstd.ts`) finds the same failures; both engines then say the same thing, in
//! the words of [`zstd_failure_text`] here and `ts/engine/ts/zstd-failure-text.ts`.

use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::source::is_read_failure;

/// The zstd crate's words for input that ends inside a frame (or before the first).
const INCOMPLETE_FRAME: &str = "incomplete frame";
/// zstd's name for damaged data.
const CORRUPTED: &str = "Data corruption detected";

/// `name` followed by what it means for the data; `input_empty`: not one byte came. A name
/// without a meaning here is returned as it is.
///
/// ```text
/// Data corruption detected: the zstd data is damaged
/// incomplete frame: the zstd data is cut short
/// ```
fn zstd_failure_text(name: &str, input_empty: bool) -> String {
    // No dictionary is ever given, so libzstd's word for damaged entropy tables in a block can
    // only mean damaged data; the TS engine's walker calls that damage what it is.
    let name = if name == "Dictionary is corrupted" { CORRUPTED } else { name };
    let meaning = match name {
        INCOMPLETE_FRAME if input_empty => "the input is empty",
        INCOMPLETE_FRAME => "the zstd data is cut short",
        "Restored data doesn't match checksum" => {
            "the checksum of a frame does not match: its bytes are damaged"
        }
        CORRUPTED => "the zstd data is damaged",
        "Unknown frame descriptor" => "the bytes after a zstd frame are not another frame",
        "Unsupported frame parameter" => "a frame header sets a bit that zstd reserves",
        "Frame requires too much memory for decoding" => {
            "a frame needs a window over 128 MiB, the most zstd decodes unless given --memory"
        }
        "Dictionary mismatch" => "a frame needs a zstd dictionary, which ringstream does not take",
        "Destination buffer is too small" => "a frame holds more bytes than its header declares",
        _ => return name.to_string(),
    };
    format!("{name}: {meaning}")
}

/// A zstd decoder whose own errors say what they mean ([`zstd_failure_text`]); failures to read
/// the compressed bytes pass unchanged.
pub(crate) struct ZstdWords<D> {
    decoder: D,
    /// Compressed bytes read so far, to tell an empty input from one cut short.
    compressed_read: Arc<AtomicU64>,
}

impl<D: Read> ZstdWords<D> {
    pub(crate) fn new(decoder: D, compressed_read: Arc<AtomicU64>) -> ZstdWords<D> {
        ZstdWords { decoder, compressed_read }
    }
}

impl<D: Read> Read for ZstdWords<D> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.decoder.read(buf).map_err(|error| {
            if is_read_failure(&error) {
                return error;
            }
            let empty = self.compressed_read.load(Ordering::Relaxed) == 0;
            io::Error::new(error.kind(), zstd_failure_text(&error.to_string(), empty))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_the_meaning_of_a_name_it_knows_and_leaves_others() {
        assert_eq!(
            zstd_failure_text("Data corruption detected", false),
            "Data corruption detected: the zstd data is damaged"
        );
        assert_eq!(
            zstd_failure_text(INCOMPLETE_FRAME, true),
            "incomplete frame: the input is empty"
        );
        assert_eq!(
            zstd_failure_text(INCOMPLETE_FRAME, false),
            "incomplete frame: the zstd data is cut short"
        );
        assert_eq!(zstd_failure_text("not zstd data: …", false), "not zstd data: …");
        assert_eq!(
            zstd_failure_text("Dictionary is corrupted", false),
            "Data corruption detected: the zstd data is damaged"
        );
    }
}
