//! How much a piece of compressed data decodes to: what `metadata()` estimates a compressed
//! file's records from (the facade's `ts/sources/compression-ratio.ts`), decoded here so that the
//! native engine never loads the TS engine's decoders.

use std::io::{self, Cursor, Read};

use crate::source::{ByteSource, Compression};

/// The bytes `compressed` decodes to, or `limit` when that is fewer (decoding stops there), where
/// `compressed` may stop anywhere, inside a gzip member or a zstd frame, as the start of a file
/// does; `None` when it is damaged or not in that compression. The TS engine's
/// `decodedLength` counts the same.
///
/// ```
/// use std::io::Write;
/// use ringstream_core::{decoded_length, Compression};
/// let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
/// encoder.write_all(&b"a line of text\n".repeat(1000))?;
/// let gzip = encoder.finish()?;
/// assert_eq!(decoded_length(Compression::Gzip, &gzip, u64::MAX), Some(15_000));
/// assert_eq!(decoded_length(Compression::Gzip, b"plain text", u64::MAX), None);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn decoded_length(compression: Compression, compressed: &[u8], limit: u64) -> Option<u64> {
    let mut source = ByteSource::from_reader(Cursor::new(compressed.to_vec()), compression).ok()?;
    let mut buf = vec![0; 64 * 1024];
    let mut total = 0;
    while total < limit {
        match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => total += n as u64,
            // The decoders' word for input that stops inside a member or frame.
            Err(error) if error.kind() == io::ErrorKind::UnexpectedEof => break,
            Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    Some(total.min(limit))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_what_comes_out_before_the_input_stops() {
        let text = b"{\"id\":1,\"name\":\"a name\"}\n".repeat(5000);
        let zstd = zstd::encode_all(&text[..], 3).expect("compressed");
        assert_eq!(decoded_length(Compression::Zstd, &zstd, u64::MAX), Some(text.len() as u64));
        // A frame cut before its last block: nothing of the block that is not whole.
        let cut = decoded_length(Compression::Zstd, &zstd[..zstd.len() - 10], u64::MAX);
        assert!(cut.is_some_and(|n| n < text.len() as u64), "{cut:?}");
        assert_eq!(decoded_length(Compression::Zstd, &zstd, 1000), Some(1000));
        assert_eq!(decoded_length(Compression::Zstd, b"", u64::MAX), Some(0));
        let mut damaged = zstd.clone();
        damaged[4] |= 8;
        assert_eq!(decoded_length(Compression::Zstd, &damaged, u64::MAX), None);
    }
}
