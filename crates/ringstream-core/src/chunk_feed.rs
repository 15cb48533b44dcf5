//! Bytes handed over a chunk at a time by a caller who has them — the chunks of a JavaScript
//! byte stream (an HTTP body, a socket) — read by a [`BatchReader`](crate::BatchReader), on the
//! caller's thread or on a producer thread ([`Reader::open_pushed`](crate::Reader::open_pushed)).
//! When no chunk is waiting, a read says so with [`io::ErrorKind::WouldBlock`] instead of
//! waiting, and the batch reader hands back what it has (see
//! [`BatchReader::awaits_input`](crate::BatchReader::awaits_input)); the caller then pushes the
//! next chunk. A producer thread that found the feed empty waits for that push with
//! [`ChunkFeed::wait_for_push`].

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

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
#[derive(Debug, Clone)]
pub struct ChunkFeed {
    shared: Arc<Shared>,
}

/// The reading end, a [`Read`] over the chunks pushed so far.
#[derive(Debug)]
pub struct ChunkReader {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    chunks: Mutex<Chunks>,
    /// Signalled by every push, the end and a close, for [`ChunkFeed::wait_for_push`].
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Chunks {
    queue: VecDeque<Vec<u8>>,
    /// Bytes of the front chunk already read.
    offset: usize,
    /// Bytes queued and not read yet.
    pending: usize,
    /// Chunks pushed so far.
    pushes: u64,
    /// `pushes` when a read last found no bytes.
    starved_at: u64,
    ended: bool,
    /// No more reads will be made: a waiting producer stops waiting.
    closed: bool,
}

impl ChunkFeed {
    /// A feed and the reader of what is pushed into it.
    pub fn new() -> (ChunkFeed, ChunkReader) {
        let shared = Arc::new(Shared::default());
        (ChunkFeed { shared: Arc::clone(&shared) }, ChunkReader { shared })
    }

    /// Queues a copy of `chunk` (an empty one, or one pushed after a close, is dropped).
    pub fn push(&self, chunk: &[u8]) {
        let mut chunks = self.shared.lock();
        if !chunk.is_empty() && !chunks.closed {
            chunks.queue.push_back(chunk.to_vec());
            chunks.pending += chunk.len();
            chunks.pushes += 1;
            self.shared.changed.notify_all();
        }
    }

    /// No more chunks: once the queued ones are read, reads return 0.
    pub fn end(&self) {
        self.shared.lock().ended = true;
        self.shared.changed.notify_all();
    }

    /// No more reads will be made (the reader was closed): wakes a
    /// [`wait_for_push`](Self::wait_for_push), and frees the queued chunks.
    pub fn close(&self) {
        let mut chunks = self.shared.lock();
        chunks.closed = true;
        chunks.queue.clear();
        chunks.pending = 0;
        self.shared.changed.notify_all();
    }

    /// Bytes pushed and not read yet.
    pub fn pending(&self) -> usize {
        self.shared.lock().pending
    }

    /// Whether nothing has changed since `pushes` chunks had been pushed: no chunk pushed since,
    /// and no [`end`](Self::end). A reader that used up those chunks still awaits input.
    pub fn unchanged_since(&self, pushes: u64) -> bool {
        let chunks = self.shared.lock();
        chunks.pushes == pushes && !chunks.ended
    }

    /// How many chunks had been pushed when a read last found none to read: the reader has
    /// used up every chunk pushed up to then.
    pub fn starved_at(&self) -> u64 {
        self.shared.lock().starved_at
    }

    /// Waits until a chunk beyond the first `pushes` is pushed, the input ends or the feed is
    /// closed; `false` when it was closed.
    pub fn wait_for_push(&self, pushes: u64) -> bool {
        let mut chunks = self.shared.lock();
        while chunks.pushes <= pushes && !chunks.ended && !chunks.closed {
            chunks = self.shared.changed.wait(chunks).unwrap_or_else(|p| p.into_inner());
        }
        !chunks.closed
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut chunks = self.shared.lock();
        let offset = chunks.offset;
        let Some(front) = chunks.queue.front() else {
            return if chunks.ended || chunks.closed {
                Ok(0)
            } else {
                chunks.starved_at = chunks.pushes;
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
        chunks.pending -= n;
        Ok(n)
    }
}

impl Shared {
    /// The chunks behind the lock; a panic while it was held left nothing half-changed that
    /// matters.
    fn lock(&self) -> MutexGuard<'_, Chunks> {
        self.chunks.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
