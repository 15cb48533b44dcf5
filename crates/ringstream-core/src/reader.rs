//! The threaded reader: a producer thread reads and parses ahead into a bounded queue of
//! batches, so I/O and parsing overlap with the consumer's work. A file that fits in one read
//! is read on the calling thread instead, batch by batch as they are asked for: there is nothing
//! to overlap, and starting a thread and waking the consumer from it cost more than reading it
//! (a folder of 3,000 two-record files took the native engine seven times as long as the
//! TypeScript engine; `bench/small-files.mjs`).
//!
//! Memory is bounded by the read buffer plus the batches in flight: the producer's read buffer
//! (`buffer_size`), up to `queue_depth` finished batches in the queue, the one it is filling and
//! the one the consumer holds — see [`estimate_memory`](crate::estimate_memory).

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::batch_reader::BatchReader;
use crate::config::ReaderConfig;
use crate::encode::BatchEncoder;
use crate::json_text::{Batch, JsonTextEncoder};
use crate::read_error::ReadError;
use crate::source::{ByteSource, Compression};

/// What [`Reader::poll_batch`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Polled<B> {
    /// The next batch, or `None` at the end.
    Ready(Option<B>),
    /// The producer is still working on the next batch.
    Pending,
}

impl<B> Polled<B> {
    /// `Some` of the ready batch (or of `None`, the end); `None` while pending.
    pub fn ready(self) -> Option<Option<B>> {
        match self {
            Polled::Ready(batch) => Some(batch),
            Polled::Pending => None,
        }
    }
}

/// Reads one file on a producer thread, handing out batches in order.
///
/// [`next_batch`](Self::next_batch) blocks until the producer has a batch. [`close`](Self::close)
/// (also run on drop) stops the producer, waits for its thread to end and so closes the file
/// before it returns — even when the producer is blocked on a full queue. (A producer blocked
/// inside a read of a slow device is only stopped once that read returns.)
///
/// ```
/// use ringstream_core::{Format, Reader, ReaderConfig};
/// # let dir = std::env::temp_dir().join(format!("rs-doc-reader-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir)?;
/// let path = dir.join("people.csv");
/// std::fs::write(&path, "name,age\nAnn,31\nBob,27\n")?;
///
/// let mut config = ReaderConfig::new(&path, Format::Csv);
/// config.batch.batch_size = 1;
/// let mut reader = Reader::open(config)?;
/// let first = reader.next_batch()?.expect("a batch");
/// assert_eq!(first.json, br#"[{"name":"Ann","age":"31"}]"#);
/// reader.close(); // the file is closed when this returns
/// assert!(reader.next_batch()?.is_none());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Reader<B: Send + 'static = Batch> {
    receiver: Option<Receiver<Result<B, ReadError>>>,
    thread: Option<JoinHandle<()>>,
    /// The next batch, made on the calling thread: set instead of `receiver` and `thread` for a
    /// file that fits in one read.
    inline: Option<NextBatch<B>>,
    /// Whether a producer thread was started, for the life of the reader.
    reads_ahead: bool,
    stop: Arc<AtomicBool>,
    bytes_read: Arc<AtomicU64>,
    path: PathBuf,
    done: bool,
    /// The source is a pipe or a device, whose reads may wait for a writer ([`ByteSource::is_live`]).
    live: bool,
}

impl Reader<Batch> {
    /// Opens `config.path` and starts reading it into JSON-text batches. Fails at once if the
    /// file cannot be opened.
    pub fn open(config: ReaderConfig) -> Result<Reader<Batch>, ReadError> {
        let encoder = JsonTextEncoder::new(config.parse.types);
        Reader::open_with(config, encoder)
    }
}

impl<B: Send + 'static> Reader<B> {
    /// Opens `config.path` and starts reading it into batches packaged by `encoder`.
    pub fn open_with<E>(config: ReaderConfig, encoder: E) -> Result<Reader<B>, ReadError>
    where
        E: BatchEncoder<Batch = B> + 'static,
    {
        let source = open_source(&config)?;
        let live = source.is_live();
        let bytes_read = source.bytes_read_counter();
        let stop = Arc::new(AtomicBool::new(false));
        let mut batches = BatchReader::with_encoder(source, &config.parse, &config.batch, encoder);
        batches.set_stop_flag(Arc::clone(&stop));
        if fits_one_read(&config) {
            return Ok(Reader {
                receiver: None,
                thread: None,
                inline: Some(Box::new(move || batches.next_batch())),
                reads_ahead: false,
                stop,
                bytes_read,
                path: config.path,
                done: false,
                live,
            });
        }
        let (sender, receiver) = sync_channel(config.queue_depth);
        let path = config.path.clone();
        let thread = std::thread::Builder::new()
            .name("ringstream-reader".to_owned())
            .spawn(move || produce(batches, sender, path))
            .map_err(|e| ReadError::io(&config.path, &e))?;
        Ok(Reader {
            receiver: Some(receiver),
            thread: Some(thread),
            inline: None,
            reads_ahead: true,
            stop,
            bytes_read,
            path: config.path,
            done: false,
            live,
        })
    }

    /// The next batch, blocking until the producer has one; `None` at the end of the file or
    /// once closed. A read error is returned once, after every batch read before it.
    pub fn next_batch(&mut self) -> Result<Option<B>, ReadError> {
        if self.done {
            return Ok(None);
        }
        if self.inline.is_some() {
            return self.next_inline();
        }
        let Some(receiver) = self.receiver.as_ref() else { return Ok(None) };
        let message = receiver.recv().ok();
        self.received(message)
    }

    /// Like [`next_batch`](Self::next_batch), but gives up with [`Polled::Pending`] soon after
    /// `cancelled` is set (it looks every `CANCEL_CHECK`), so that another thread can close the
    /// reader while this one waits for a live source whose writer has gone quiet.
    pub fn next_batch_unless(&mut self, cancelled: &AtomicBool) -> Result<Polled<B>, ReadError> {
        if self.done {
            return Ok(Polled::Ready(None));
        }
        if self.inline.is_some() {
            return self.next_inline().map(Polled::Ready);
        }
        let message = loop {
            let Some(receiver) = self.receiver.as_ref() else { return Ok(Polled::Ready(None)) };
            match receiver.recv_timeout(CANCEL_CHECK) {
                Ok(message) => break Some(message),
                Err(RecvTimeoutError::Disconnected) => break None,
                Err(RecvTimeoutError::Timeout) if cancelled.load(Ordering::Relaxed) => {
                    return Ok(Polled::Pending)
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
        };
        self.received(message).map(Polled::Ready)
    }

    /// Makes the next batch on this thread. Like the producer thread's, a panic while reading
    /// ends the reader with an error rather than unwinding into the caller.
    fn next_inline(&mut self) -> Result<Option<B>, ReadError> {
        let Some(next) = self.inline.as_mut() else { return Ok(None) };
        let result = match catch_unwind(AssertUnwindSafe(next)) {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the reader panicked")),
        };
        match result {
            Ok(Some(batch)) => Ok(Some(batch)),
            Ok(None) => {
                self.close();
                Ok(None)
            }
            Err(error) => {
                self.close();
                Err(ReadError::io(&self.path, &error))
            }
        }
    }

    /// Whether a producer thread reads ahead; `false` for a file read on the calling thread
    /// because it fits in one read.
    pub fn reads_ahead(&self) -> bool {
        self.reads_ahead
    }

    /// What [`next_batch`](Self::next_batch) would return if the producer has it ready (a
    /// batch, the end, or an error), without blocking; [`Polled::Pending`] while it is still
    /// reading or parsing. A file read on the calling thread is always ready: its next batch is
    /// made now, from at most one read.
    pub fn poll_batch(&mut self) -> Result<Polled<B>, ReadError> {
        if self.done {
            return Ok(Polled::Ready(None));
        }
        if self.inline.is_some() {
            return self.next_inline().map(Polled::Ready);
        }
        let Some(receiver) = self.receiver.as_ref() else { return Ok(Polled::Ready(None)) };
        let message = match receiver.try_recv() {
            Ok(message) => Some(message),
            Err(TryRecvError::Empty) => return Ok(Polled::Pending),
            Err(TryRecvError::Disconnected) => None,
        };
        self.received(message).map(Polled::Ready)
    }

    /// Hands out what came from the producer; `None` when it has gone.
    fn received(&mut self, message: Option<Result<B, ReadError>>) -> Result<Option<B>, ReadError> {
        match message {
            Some(Ok(batch)) => Ok(Some(batch)),
            Some(Err(error)) => {
                self.close();
                Err(error)
            }
            None => {
                // The producer is gone: either it finished, or it panicked.
                let panicked = self.thread.take().is_some_and(|t| t.join().is_err());
                self.close();
                if panicked {
                    let error = io::Error::other("the reader thread panicked");
                    return Err(ReadError::io(&self.path, &error));
                }
                Ok(None)
            }
        }
    }

    /// Raw bytes read from the file so far (compressed bytes for a compressed file).
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Whether the reader was closed or reached its end.
    pub fn is_closed(&self) -> bool {
        self.done
    }

    /// Stops the producer and waits for its thread to end, which closes the file and frees the
    /// buffers and queued batches. A live source's producer (a pipe's, a device's) is not waited
    /// for: it ends, closing the file, once the read it may be waiting in returns. Idempotent.
    pub fn close(&mut self) {
        self.done = true;
        self.inline = None;
        self.stop.store(true, Ordering::Relaxed);
        // Dropping the receiver wakes a producer blocked on a full queue: its send fails.
        self.receiver = None;
        if let Some(thread) = self.thread.take() {
            // A live source's producer may be waiting in a read that only its writer can end
            // (a stalled pipe): it is left to stop at that read's end, closing the file then,
            // rather than holding up the caller (and a process's exit) until the writer acts.
            if !self.live {
                let _ = thread.join();
            }
        }
    }
}

impl<B: Send + 'static> Drop for Reader<B> {
    fn drop(&mut self) {
        self.close();
    }
}

impl<B: Send + 'static> std::fmt::Debug for Reader<B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.path)
            .field("bytes_read", &self.bytes_read())
            .field("closed", &self.done)
            .finish()
    }
}

/// Makes the next batch of a file read on the calling thread.
type NextBatch<B> = Box<dyn FnMut() -> io::Result<Option<B>> + Send>;

/// Whether the file is read whole by the first read: a regular file, not compressed (a small
/// compressed file may hold any amount), no longer than the read buffer, read from its start.
fn fits_one_read(config: &ReaderConfig) -> bool {
    config.range.is_none()
        && compression_of(config) == Compression::None
        && std::fs::metadata(&config.path)
            .is_ok_and(|m| m.is_file() && m.len() <= config.batch.buffer_size as u64)
}

fn compression_of(config: &ReaderConfig) -> Compression {
    config.compression.unwrap_or_else(|| Compression::from_path(&config.path))
}

fn open_source(config: &ReaderConfig) -> Result<ByteSource, ReadError> {
    let compression = compression_of(config);
    let opened = match &config.range {
        Some(_) if compression != Compression::None => {
            let message = format!(
                "a byte range of a {}-compressed file cannot be read on its own",
                compression.name()
            );
            return Err(ReadError::unsupported(&config.path, message));
        }
        Some(range) => ByteSource::open_range(&config.path, range.clone()),
        None => ByteSource::open(&config.path, compression),
    };
    opened.map_err(|e| ReadError::io(&config.path, &e))
}

/// How often [`Reader::next_batch_unless`] looks at its flag while it waits.
const CANCEL_CHECK: Duration = Duration::from_millis(20);

/// The producer thread's body. `batches` (and with it the file) is dropped when it returns.
fn produce<E: BatchEncoder>(
    mut batches: BatchReader<E>,
    sender: SyncSender<Result<E::Batch, ReadError>>,
    path: PathBuf,
) {
    loop {
        match batches.next_batch() {
            Ok(Some(batch)) => {
                if sender.send(Ok(batch)).is_err() {
                    break; // the consumer closed the reader
                }
            }
            Ok(None) => break,
            Err(error) => {
                let _ = sender.send(Err(ReadError::io(&path, &error)));
                break;
            }
        }
    }
}
