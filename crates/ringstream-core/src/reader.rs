//! The threaded reader: a producer thread reads and parses ahead into a bounded queue of
//! batches, so I/O and parsing overlap with the consumer's work. The first buffer of a regular,
//! uncompressed file is read on the calling thread instead, batch by batch as they are asked
//! for, and the producer thread takes over from the second: a file that fits in one read has
//! nothing to overlap, and starting a thread and waking the consumer from it cost more than
//! reading it (a folder of 3,000 two-record files took the native engine seven times as long as
//! the TypeScript engine; `bench/small-files.mjs`); a larger file's first records come sooner.
//! Chunks pushed by the caller ([`Reader::open_pushed`]) are parsed on the calling thread until
//! 1 MiB of them has been read, then by a producer thread that waits for the next push when it
//! has used them up. A compressed file (whose first buffer may hold any amount) and a pipe
//! (whose reads wait for its writer) get their thread at once.
//!
//! Memory is bounded by the read buffer plus the batches in flight: the producer's read buffer
//! (`buffer_size`), up to `queue_depth` finished batches in the queue, the one it is filling and
//! the one the consumer holds — see [`estimate_memory`](crate::estimate_memory).

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{RecvTimeoutError, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::batch_queue::{batch_queue, QueueReceiver, QueueSender};
use crate::batch_reader::BatchReader;
use crate::chunk_feed::ChunkFeed;
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
    receiver: Option<QueueReceiver<Result<Produced<B>, ReadError>>>,
    thread: Option<JoinHandle<()>>,
    /// Batches made on the calling thread: set instead of `receiver` and `thread` until more
    /// than `inline_bytes` have been read (see the module's documentation).
    inline: Option<Box<dyn Batches<B>>>,
    inline_bytes: u64,
    /// The producer's queue, in batches, for a thread started later.
    queue_depth: usize,
    /// Whether a producer thread was started, for the life of the reader.
    reads_ahead: bool,
    /// The whole input is one read on the calling thread: a regular file no longer than the
    /// read buffer, uncompressed.
    fits_one_read: bool,
    stop: Arc<AtomicBool>,
    bytes_read: Arc<AtomicU64>,
    path: PathBuf,
    done: bool,
    /// The source is a pipe or a device, whose reads may wait for a writer ([`ByteSource::is_live`]).
    live: bool,
    /// The chunks read, for a reader of pushed chunks ([`open_pushed`](Self::open_pushed)).
    feed: Option<ChunkFeed>,
    /// The last batch asked for was `None` because the chunks pushed were used up: the first
    /// `starved_pushes` of them.
    awaits_input: bool,
    starved_pushes: u64,
}

/// What the producer thread sends.
enum Produced<B> {
    Batch(B),
    /// It used up the chunks pushed, this many, and waits for the next
    /// ([`Reader::open_pushed`]).
    Starved(u64),
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
        let read_here = !live && compression_of(&config) == Compression::None;
        let inline_bytes = config.batch.buffer_size as u64;
        let fits_one_read = read_here && source.file_len().is_some_and(|len| len <= inline_bytes);
        let mut reader = Reader::on_calling_thread(source, config, encoder, None, inline_bytes);
        reader.live = live;
        reader.fits_one_read = fits_one_read;
        if !read_here {
            reader.start_thread()?;
        }
        Ok(reader)
    }

    /// A reader of chunks pushed into the returned [`ChunkFeed`] (the bytes of a JavaScript
    /// stream; `config.path` names them in errors). The first are parsed on the calling thread
    /// as batches are asked for; once more than `INLINE_PUSHED_BYTES` have been pushed, on a
    /// producer thread while the caller pushes more and takes batches. When the chunks pushed
    /// are used up, the records parsed so far are handed out (the feed may be live) and
    /// [`next_batch`](Self::next_batch) returns `None` with [`awaits_input`](Self::awaits_input)
    /// set: push the next chunk, or [`end`](ChunkFeed::end) the feed.
    ///
    /// ```
    /// use ringstream_core::{Format, Reader, ReaderConfig};
    ///
    /// let config = ReaderConfig::new("<stdin>", Format::JsonLines);
    /// let encoder = ringstream_core::JsonTextEncoder::new(config.parse.types);
    /// let (feed, mut reader) = Reader::open_pushed(config, encoder)?;
    /// feed.push(b"{\"n\":1}\n{\"n\"");
    /// assert_eq!(reader.next_batch()?.map(|b| b.json), Some(br#"[{"n":1}]"#.to_vec()));
    /// assert!(reader.next_batch()?.is_none() && reader.awaits_input());
    /// feed.push(b":2}");
    /// feed.end();
    /// assert_eq!(reader.next_batch()?.map(|b| b.json), Some(br#"[{"n":2}]"#.to_vec()));
    /// assert!(reader.next_batch()?.is_none() && !reader.awaits_input());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open_pushed<E>(
        config: ReaderConfig,
        encoder: E,
    ) -> Result<(ChunkFeed, Reader<B>), ReadError>
    where
        E: BatchEncoder<Batch = B> + 'static,
    {
        let (feed, chunks) = ChunkFeed::new();
        let compression = config.compression.unwrap_or(Compression::None);
        let source = ByteSource::from_reader(chunks, compression)
            .map_err(|e| ReadError::io(&config.path, &e))?;
        let reader = Reader::on_calling_thread(
            source,
            config,
            encoder,
            Some(feed.clone()),
            INLINE_PUSHED_BYTES,
        );
        Ok((feed, reader))
    }

    /// A reader that makes its batches on the calling thread until more than `inline_bytes`
    /// have been read, or `start_thread`.
    fn on_calling_thread<E>(
        source: ByteSource,
        config: ReaderConfig,
        encoder: E,
        feed: Option<ChunkFeed>,
        inline_bytes: u64,
    ) -> Reader<B>
    where
        E: BatchEncoder<Batch = B> + 'static,
    {
        let bytes_read = source.bytes_read_counter();
        let stop = Arc::new(AtomicBool::new(false));
        let mut batches = BatchReader::with_encoder(source, &config.parse, &config.batch, encoder);
        batches.set_stop_flag(Arc::clone(&stop));
        Reader {
            receiver: None,
            thread: None,
            inline: Some(Box::new(batches)),
            inline_bytes,
            queue_depth: config.queue_depth,
            reads_ahead: false,
            fits_one_read: false,
            stop,
            bytes_read,
            path: config.path,
            done: false,
            live: false,
            feed,
            awaits_input: false,
            starved_pushes: 0,
        }
    }

    /// Moves the making of batches to a producer thread.
    fn start_thread(&mut self) -> Result<(), ReadError> {
        let Some(mut batches) = self.inline.take() else { return Ok(()) };
        // The consumer waits for the thread's first batch as for a reader's first.
        batches.ramp_up_again();
        let (sender, mut receiver) = batch_queue(self.queue_depth);
        let path = self.path.clone();
        let feed = self.feed.clone();
        // Named for what it reads, in debuggers and /proc (Linux keeps 15 bytes).
        let name = if self.feed.is_some() { "ringstream-push" } else { "ringstream-reader" };
        let thread = std::thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || produce(batches, sender, path, feed))
            .map_err(|e| ReadError::io(&self.path, &e))?;
        receiver.set_producer(thread.thread().clone());
        self.receiver = Some(receiver);
        self.thread = Some(thread);
        self.reads_ahead = true;
        Ok(())
    }

    /// Whether the batches are still made on the calling thread: until more than
    /// `inline_bytes` have been read (a thread then takes over, between two batches).
    fn stays_inline(&mut self) -> Result<bool, ReadError> {
        if self.inline.is_none() {
            return Ok(false);
        }
        if self.bytes_read() > self.inline_bytes {
            self.start_thread()?;
            return Ok(false);
        }
        Ok(true)
    }

    /// The next batch, blocking until the producer has one; `None` at the end of the file or
    /// once closed. A read error is returned once, after every batch read before it.
    pub fn next_batch(&mut self) -> Result<Option<B>, ReadError> {
        if self.done {
            return Ok(None);
        }
        if self.stays_inline()? {
            return self.next_inline();
        }
        loop {
            let Some(receiver) = self.receiver.as_ref() else { return Ok(None) };
            let message = receiver.recv();
            if let Some(batch) = self.received(message) {
                return batch;
            }
        }
    }

    /// Like [`next_batch`](Self::next_batch), but gives up with [`Polled::Pending`] soon after
    /// `cancelled` is set (it looks every `CANCEL_CHECK`), so that another thread can close the
    /// reader while this one waits for a live source whose writer has gone quiet.
    pub fn next_batch_unless(&mut self, cancelled: &AtomicBool) -> Result<Polled<B>, ReadError> {
        if self.done {
            return Ok(Polled::Ready(None));
        }
        if self.stays_inline()? {
            return self.next_inline().map(Polled::Ready);
        }
        loop {
            let Some(receiver) = self.receiver.as_ref() else { return Ok(Polled::Ready(None)) };
            let message = match receiver.recv_timeout(CANCEL_CHECK) {
                Ok(message) => Some(message),
                Err(RecvTimeoutError::Disconnected) => None,
                Err(RecvTimeoutError::Timeout) if cancelled.load(Ordering::Relaxed) => {
                    return Ok(Polled::Pending)
                }
                Err(RecvTimeoutError::Timeout) => continue,
            };
            if let Some(batch) = self.received(message) {
                return batch.map(Polled::Ready);
            }
        }
    }

    /// Makes the next batch on this thread. Like the producer thread's, a panic while reading
    /// ends the reader with an error rather than unwinding into the caller.
    fn next_inline(&mut self) -> Result<Option<B>, ReadError> {
        self.awaits_input = false;
        let Some(batches) = self.inline.as_mut() else { return Ok(None) };
        let result = match catch_unwind(AssertUnwindSafe(|| batches.next_batch())) {
            Ok(result) => result,
            Err(_) => Err(io::Error::other("the reader panicked")),
        };
        match result {
            Ok(Some(batch)) => Ok(Some(batch)),
            Ok(None) if batches.awaits_input() => {
                self.awaits_input = true;
                self.starved_pushes = self.feed.as_ref().map_or(0, ChunkFeed::starved_at);
                Ok(None)
            }
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

    /// Whether the whole input is one read made on the calling thread: a regular, uncompressed
    /// file no longer than the read buffer, which never gets a producer thread.
    pub fn fits_one_read(&self) -> bool {
        self.fits_one_read
    }

    /// Whether the source is live (a pipe, a device, a socket): [`close`](Self::close) then does
    /// not wait for the producer thread, which may be waiting in a read only the writer can end.
    pub fn is_live(&self) -> bool {
        self.live
    }

    /// Whether a producer thread reads ahead; `false` while the batches are made on the calling
    /// thread (for good for a file that fits in one read).
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
        if self.stays_inline()? {
            return self.next_inline().map(Polled::Ready);
        }
        loop {
            let Some(receiver) = self.receiver.as_ref() else { return Ok(Polled::Ready(None)) };
            let message = match receiver.try_recv() {
                Ok(message) => Some(message),
                Err(TryRecvError::Empty) => return Ok(Polled::Pending),
                Err(TryRecvError::Disconnected) => None,
            };
            if let Some(batch) = self.received(message) {
                return batch.map(Polled::Ready);
            }
        }
    }

    /// Whether the last batch asked for was `None` because every chunk pushed was used up
    /// ([`open_pushed`](Self::open_pushed)), rather than at the end; `false` again once a chunk
    /// is pushed or the feed ends (the reader is then parsing on: ask for the next batch).
    pub fn awaits_input(&self) -> bool {
        self.awaits_input
            && self.feed.as_ref().is_some_and(|feed| feed.unchanged_since(self.starved_pushes))
    }

    /// What to hand out for what came from the producer (`message`; `None` when it has gone),
    /// or `None` for word that it starved which a push since has made stale.
    fn received(
        &mut self,
        message: Option<Result<Produced<B>, ReadError>>,
    ) -> Option<Result<Option<B>, ReadError>> {
        self.awaits_input = false;
        Some(match message {
            Some(Ok(Produced::Batch(batch))) => Ok(Some(batch)),
            Some(Ok(Produced::Starved(pushes))) => {
                let feed = self.feed.as_ref()?;
                if !feed.unchanged_since(pushes) {
                    return None;
                }
                self.awaits_input = true;
                self.starved_pushes = pushes;
                Ok(None)
            }
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
                    return Some(Err(ReadError::io(&self.path, &error)));
                }
                Ok(None)
            }
        })
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
        self.awaits_input = false;
        self.inline = None;
        self.stop.store(true, Ordering::Relaxed);
        // Dropping the receiver wakes a producer blocked on a full queue: its send fails; closing
        // the feed wakes one waiting for a push.
        self.receiver = None;
        if let Some(feed) = &self.feed {
            feed.close();
        }
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

/// A [`BatchReader`] whatever its encoder, to move to a producer thread.
trait Batches<B>: Send {
    fn next_batch(&mut self) -> io::Result<Option<B>>;
    fn awaits_input(&self) -> bool;
    fn ramp_up_again(&mut self);
}

impl<E: BatchEncoder + Send> Batches<E::Batch> for BatchReader<E> {
    fn next_batch(&mut self) -> io::Result<Option<E::Batch>> {
        BatchReader::next_batch(self)
    }

    fn awaits_input(&self) -> bool {
        BatchReader::awaits_input(self)
    }

    fn ramp_up_again(&mut self) {
        BatchReader::ramp_up_again(self);
    }
}

/// Bytes of pushed chunks parsed on the calling thread before a producer thread takes over: a
/// small input (a short HTTP body) would spend more on starting the thread and waking the
/// consumer from it than on its parsing.
const INLINE_PUSHED_BYTES: u64 = 1 << 20;

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

/// The producer thread's body. `batches` (and with it the file) is dropped when it returns. With
/// `feed`, it says when it has used up the chunks pushed, then waits for the next push.
fn produce<B>(
    mut batches: Box<dyn Batches<B>>,
    sender: QueueSender<Result<Produced<B>, ReadError>>,
    path: PathBuf,
    feed: Option<ChunkFeed>,
) {
    loop {
        match batches.next_batch() {
            Ok(Some(batch)) => {
                if !sender.send(Ok(Produced::Batch(batch))) {
                    break; // the consumer closed the reader
                }
            }
            Ok(None) => {
                let Some(feed) = feed.as_ref().filter(|_| batches.awaits_input()) else { break };
                let used = feed.starved_at();
                if !sender.send(Ok(Produced::Starved(used))) || !feed.wait_for_push(used) {
                    break;
                }
            }
            Err(error) => {
                sender.send(Err(ReadError::io(&path, &error)));
                break;
            }
        }
    }
}
