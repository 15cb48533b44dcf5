//! Bytes handed over a chunk at a time by a caller who has them — the chunks of a JavaScript
//! byte stream (an HTTP body, a socket) — read by a [`BatchReader`](crate::BatchReader) on the
//! same thread. When no chunk is waiting, a read says so with [`io::ErrorKind::WouldBlock`]
//! instead of waiting, and the batch reader hands back what it has (see
//! [`BatchReader::awaits_input`](crate::BatchReader::awaits_input)); the caller then pushes the
//! next chunk.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, Mutex, MutexGuard};

/// The caller's end: [`push`](Self::push) chunks, then [`end`](Self::end).
///
/// ```
/// use std::io::{ErrorKind, Read};
/// use ringstream_core::ChunkFeed;
///
/// let (feed, mut reader) = ChunkFeed::new();
/// let mut buf = [0; 8];
/// assert_eq!(reader.read(&mut buf).map_err(|e| e.kind()), Err(ErrorKind::WouldBlock));
/// feed.push(b"ab");
/// assert_eq!(reader.read(&mut buf)?, 2);
/// feed.end();
/// assert_eq!(reader.read(&mut buf)?, 0);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct ChunkFeed {
    shared: Arc<Mutex<Chunks>>,
}

/// The reading end, a [`Read`] over the chunks pushed so far.
#[derive(Debug)]
pub struct ChunkReader {
    shared: Arc<Mutex<Chunks>>,
}

#[derive(Debug, Default)]
struct Chunks {
    queue: VecDeque<Vec<u8>>,
    /// Bytes of the front chunk already read.
    offset: usize,
    ended: bool,
}

impl ChunkFeed {
    /// A feed and the reader of what is pushed into it.
    pub fn new() -> (ChunkFeed, ChunkReader) {
        let shared = Arc::new(Mutex::new(Chunks::default()));
        (ChunkFeed { shared: Arc::clone(&shared) }, ChunkReader { shared })
    }

    /// Queues a copy of `chunk` (an empty one is dropped).
    pub fn push(&self, chunk: &[u8]) {
        if !chunk.is_empty() {
            lock(&self.shared).queue.push_back(chunk.to_vec());
        }
    }

    /// No more chunks: once the queued ones are read, reads return 0.
    pub fn end(&self) {
        lock(&self.shared).ended = true;
    }

    /// Bytes pushed and not read yet.
    pub fn pending(&self) -> usize {
        let chunks = lock(&self.shared);
        chunks.queue.iter().map(Vec::len).sum::<usize>() - chunks.offset
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut chunks = lock(&self.shared);
        let offset = chunks.offset;
        let Some(front) = chunks.queue.front() else {
            return if chunks.ended {
                Ok(0)
            } else {
                Err(io::Error::new(io::ErrorKind::WouldBlock, "no bytes pushed yet"))
            };
        };
        let rest = front.get(offset..).unwrap_or_default();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        if offset + n == front.len() {
            chunks.queue.pop_front();
            chunks.offset = 0;
        } else {
            chunks.offset = offset + n;
        }
        Ok(n)
    }
}

/// The chunks behind the lock; a panic while it was held left nothing half-changed that matters.
fn lock(shared: &Mutex<Chunks>) -> MutexGuard<'_, Chunks> {
    shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
