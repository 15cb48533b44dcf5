//! A core reader of either hand-off behind one type, the batch it has waited for, and the task
//! that waits for it off the JavaScript thread.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use napi::{Env, Result, Task};
use ringstream_core::{Batch, ReadError, Reader};

use crate::errors::{lock, read_error};
use crate::shared_arenas::PlacedBatch;

/// A reader of either hand-off.
pub enum AnyReader {
    Json(Reader<Batch>),
    Columnar(Reader<PlacedBatch>),
}

/// A batch of either hand-off, before conversion.
pub enum AnyBatch {
    Json(Batch),
    Columnar(Box<PlacedBatch>),
}

/// Runs `$body` on the reader inside an `AnyReader`, whichever hand-off it has: what does not
/// depend on the batch type is written once.
macro_rules! on_either {
    ($any:expr, $reader:ident => $body:expr) => {
        match $any {
            AnyReader::Json($reader) => $body,
            AnyReader::Columnar($reader) => $body,
        }
    };
}

impl AnyReader {
    pub(crate) fn next_batch(&mut self) -> std::result::Result<Option<AnyBatch>, ReadError> {
        Ok(match self {
            AnyReader::Json(reader) => reader.next_batch()?.map(AnyBatch::Json),
            AnyReader::Columnar(reader) => {
                reader.next_batch()?.map(|b| AnyBatch::Columnar(Box::new(b)))
            }
        })
    }

    /// The next batch if the producer has it ready: `Some` of what `next_batch` would return.
    pub(crate) fn poll_batch(
        &mut self,
    ) -> std::result::Result<Option<Option<AnyBatch>>, ReadError> {
        Ok(match self {
            AnyReader::Json(reader) => reader.poll_batch()?.ready().map(|b| b.map(AnyBatch::Json)),
            AnyReader::Columnar(reader) => {
                reader.poll_batch()?.ready().map(|b| b.map(|b| AnyBatch::Columnar(Box::new(b))))
            }
        })
    }

    /// `next_batch`, given up (`None`) once `cancelled` is set.
    pub(crate) fn next_batch_unless(
        &mut self,
        cancelled: &AtomicBool,
    ) -> std::result::Result<Option<Option<AnyBatch>>, ReadError> {
        Ok(match self {
            AnyReader::Json(reader) => {
                reader.next_batch_unless(cancelled)?.ready().map(|b| b.map(AnyBatch::Json))
            }
            AnyReader::Columnar(reader) => reader
                .next_batch_unless(cancelled)?
                .ready()
                .map(|b| b.map(|b| AnyBatch::Columnar(Box::new(b)))),
        })
    }

    pub(crate) fn close(&mut self) {
        on_either!(self, reader => reader.close())
    }

    pub(crate) fn bytes_read(&self) -> u64 {
        on_either!(self, reader => reader.bytes_read())
    }

    pub(crate) fn reads_ahead(&self) -> bool {
        on_either!(self, reader => reader.reads_ahead())
    }

    pub(crate) fn fits_one_read(&self) -> bool {
        on_either!(self, reader => reader.fits_one_read())
    }

    /// Whether the reader thread may lay batches out in shared arenas (see shared_arenas.rs): it
    /// reads ahead, and closing it waits for it (a live source's thread is not waited for).
    pub(crate) fn shares_arenas(&self) -> bool {
        matches!(self, AnyReader::Columnar(_))
            && self.reads_ahead()
            && !on_either!(self, reader => reader.is_live())
    }

    pub(crate) fn is_closed(&self) -> bool {
        on_either!(self, reader => reader.is_closed())
    }

    pub(crate) fn awaits_input(&self) -> bool {
        on_either!(self, reader => reader.awaits_input())
    }
}

/// A reader and the batch it has waited for but not yet handed over.
pub struct ReaderState {
    pub(crate) reader: AnyReader,
    /// Set by `waitForBatch`: the next batch (`None` at the end), taken by `nextBatchSync`.
    pub(crate) ready: Option<Option<AnyBatch>>,
}

impl ReaderState {
    /// Waits for the next batch (or the end) unless `closing` is set meanwhile: `close` sets it
    /// before it takes the lock this holds, so that it never waits on a stalled pipe's writer.
    pub(crate) fn wait(&mut self, closing: &AtomicBool) -> std::result::Result<(), ReadError> {
        self.forget_stale_starving();
        if self.ready.is_none() {
            self.ready = self.reader.next_batch_unless(closing)?;
        }
        Ok(())
    }

    /// Whether `take` would return without blocking: the batch (or the end) is taken from the
    /// producer into `ready` if it has one.
    pub(crate) fn poll(&mut self) -> std::result::Result<bool, ReadError> {
        self.forget_stale_starving();
        if self.ready.is_none() {
            self.ready = self.reader.poll_batch()?;
        }
        Ok(self.ready.is_some())
    }

    /// Forgets a `None` kept for want of input (pushed chunks) that a push or the end has made
    /// stale since: the reader is parsing on, and its next batch is to be waited for, not a
    /// chunk the source may take long to give.
    fn forget_stale_starving(&mut self) {
        if matches!(self.ready, Some(None))
            && !self.reader.is_closed()
            && !self.reader.awaits_input()
        {
            self.ready = None;
        }
    }

    pub(crate) fn take(&mut self) -> std::result::Result<Option<AnyBatch>, ReadError> {
        match self.ready.take() {
            Some(batch) => Ok(batch),
            None => self.reader.next_batch(),
        }
    }
}

/// `waitForBatch`'s work on libuv's thread pool: `ReaderState::wait`.
pub struct WaitForBatch {
    pub(crate) state: Arc<Mutex<ReaderState>>,
    pub(crate) closing: Arc<AtomicBool>,
}

impl Task for WaitForBatch {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> Result<()> {
        lock(&self.state)?.wait(&self.closing).map_err(read_error)
    }

    fn resolve(&mut self, _env: Env, _output: ()) -> Result<()> {
        Ok(())
    }
}
