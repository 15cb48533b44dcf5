//! The bounded queue between a [`Reader`](crate::Reader)'s producer thread and its consumer.
//!
//! A plain bounded channel wakes a producer blocked on a full queue every time the consumer takes
//! a batch: when the producer is the faster of the two (CSV, most of all), it makes one batch,
//! finds the queue full again and sleeps, so every batch costs the consumer a wake-up system
//! call (a futex wake, which in a virtual machine is an inter-processor interrupt) and the
//! producer a context switch. This queue lets a producer that found it full sleep until the
//! consumer has taken it down to `resume_at` batches (`(depth - 1) / 2`, rounded down: none for a
//! queue of two), so that it then makes several batches in a row and is woken once per several.
//!
//! The queue is a `std::sync::mpsc::sync_channel` plus a count of the batches in it: the
//! producer counts before it sends, the consumer after it takes, and each looks at the other's
//! flag after writing its own (sequentially consistent), so that a wake-up is never missed.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::mpsc::{
    sync_channel, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError,
};
use std::sync::Arc;
use std::thread::{self, Thread};
use std::time::Duration;

/// What the two sides share besides the channel.
#[derive(Debug)]
struct Backlog {
    /// Messages sent and not yet taken (for a moment, one more: see [`QueueSender::send`]).
    queued: AtomicUsize,
    /// The producer found the queue full and is asleep, or about to be.
    waiting: AtomicBool,
    /// The receiver is gone: a producer waiting for room must stop waiting.
    closed: AtomicBool,
    /// A waiting producer is woken once the queue holds this many messages or fewer.
    resume_at: usize,
    /// Whether the producer waits for `resume_at` (a queue of two or more) rather than for the
    /// channel's next free slot (a queue of one, or none: each message handed over directly).
    batched_wake: bool,
}

/// A bounded queue of `depth` messages (0: each message is handed over directly).
pub(crate) fn batch_queue<T>(depth: usize) -> (QueueSender<T>, QueueReceiver<T>) {
    let (sender, receiver) = sync_channel(depth);
    let backlog = Arc::new(Backlog {
        queued: AtomicUsize::new(0),
        waiting: AtomicBool::new(false),
        closed: AtomicBool::new(false),
        resume_at: depth.saturating_sub(1) / 2,
        batched_wake: depth >= 2,
    });
    let producer = QueueSender { sender, backlog: Arc::clone(&backlog) };
    (producer, QueueReceiver { receiver, backlog, producer: None })
}

/// The producer's end.
#[derive(Debug)]
pub(crate) struct QueueSender<T> {
    sender: SyncSender<T>,
    backlog: Arc<Backlog>,
}

impl<T> QueueSender<T> {
    /// Sends `message`, waiting while the queue is full; `false` once the receiver is gone. Must
    /// be called from the thread the receiver was told of ([`QueueReceiver::set_producer`]).
    pub(crate) fn send(&self, mut message: T) -> bool {
        let backlog = &*self.backlog;
        if !backlog.batched_wake {
            backlog.queued.fetch_add(1, SeqCst);
            return self.sender.send(message).is_ok();
        }
        loop {
            // Counted before it is sent, so that the consumer never takes a message it has not
            // counted; taken back if the channel refuses it.
            backlog.queued.fetch_add(1, SeqCst);
            match self.sender.try_send(message) {
                Ok(()) => return true,
                Err(TrySendError::Disconnected(_)) => return false,
                Err(TrySendError::Full(refused)) => {
                    backlog.queued.fetch_sub(1, SeqCst);
                    message = refused;
                    self.wait_for_room();
                }
            }
        }
    }

    /// Sleeps until the consumer has taken the queue down to `resume_at`, or has gone.
    fn wait_for_room(&self) {
        let backlog = &*self.backlog;
        backlog.waiting.store(true, SeqCst);
        while backlog.queued.load(SeqCst) > backlog.resume_at && !backlog.closed.load(SeqCst) {
            // May return without an `unpark`, or for an older one: the loop looks again.
            thread::park();
        }
        backlog.waiting.store(false, SeqCst);
    }
}

/// The consumer's end. Dropping it wakes a producer waiting for room, whose send then fails.
#[derive(Debug)]
pub(crate) struct QueueReceiver<T> {
    receiver: Receiver<T>,
    backlog: Arc<Backlog>,
    /// The thread that sends, to wake.
    producer: Option<Thread>,
}

impl<T> QueueReceiver<T> {
    /// Names the thread that sends: it must be known before that thread can wait for room, so
    /// set it before taking any message (a wake-up sent before it sleeps is kept for it).
    pub(crate) fn set_producer(&mut self, producer: Thread) {
        self.producer = Some(producer);
    }

    /// The next message, waiting for it; `None` once the sender is gone and the queue empty.
    pub(crate) fn recv(&self) -> Option<T> {
        let message = self.receiver.recv().ok()?;
        self.took_one();
        Some(message)
    }

    /// As [`recv`](Self::recv), waiting at most `timeout`.
    pub(crate) fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        let message = self.receiver.recv_timeout(timeout)?;
        self.took_one();
        Ok(message)
    }

    /// The next message if one is queued, without waiting.
    pub(crate) fn try_recv(&self) -> Result<T, TryRecvError> {
        let message = self.receiver.try_recv()?;
        self.took_one();
        Ok(message)
    }

    fn took_one(&self) {
        let backlog = &*self.backlog;
        let left = backlog.queued.fetch_sub(1, SeqCst) - 1;
        if left <= backlog.resume_at && backlog.waiting.load(SeqCst) {
            self.wake_producer();
        }
    }

    fn wake_producer(&self) {
        if let Some(producer) = &self.producer {
            producer.unpark();
        }
    }
}

impl<T> Drop for QueueReceiver<T> {
    fn drop(&mut self) {
        self.backlog.closed.store(true, SeqCst);
        self.wake_producer();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use std::time::Instant;

    /// Starts a producer that sends `0..count` and counts how often it had to wait for room.
    fn producer(
        depth: usize,
        count: usize,
    ) -> (QueueReceiver<usize>, thread::JoinHandle<usize>, Arc<AtomicUsize>) {
        let (sender, mut receiver) = batch_queue(depth);
        let sent = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&sent);
        let handle = thread::spawn(move || {
            let mut delivered = 0;
            for i in 0..count {
                if !sender.send(i) {
                    break;
                }
                delivered += 1;
                counter.store(delivered, SeqCst);
            }
            delivered
        });
        receiver.set_producer(handle.thread().clone());
        (receiver, handle, sent)
    }

    fn wait_until(condition: impl Fn() -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !condition() {
            assert!(Instant::now() < deadline, "timed out");
            thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn every_message_arrives_in_order_at_every_depth() {
        for depth in 0..6 {
            let (receiver, handle, _) = producer(depth, 10_000);
            let received: Vec<usize> = std::iter::from_fn(|| receiver.recv()).collect();
            assert_eq!(received, (0..10_000).collect::<Vec<_>>(), "depth {depth}");
            assert_eq!(handle.join().ok(), Some(10_000));
        }
    }

    #[test]
    fn a_full_queue_resumes_only_once_taken_down_to_half() {
        let (receiver, handle, sent) = producer(4, 100);
        wait_until(|| sent.load(SeqCst) == 4);
        // Full at 4; taking one leaves 3 and the producer asleep (resume_at is 1).
        assert_eq!(receiver.recv(), Some(0));
        thread::sleep(Duration::from_millis(50));
        assert_eq!(sent.load(SeqCst), 4);
        assert_eq!(receiver.recv(), Some(1));
        thread::sleep(Duration::from_millis(50));
        assert_eq!(sent.load(SeqCst), 4);
        // Down to 1: it wakes and fills the queue again.
        assert_eq!(receiver.try_recv().ok(), Some(2));
        wait_until(|| sent.load(SeqCst) == 7);
        let rest: Vec<usize> = std::iter::from_fn(|| receiver.recv()).collect();
        assert_eq!(rest, (3..100).collect::<Vec<_>>());
        assert_eq!(handle.join().ok(), Some(100));
    }

    #[test]
    fn dropping_the_receiver_ends_a_producer_waiting_for_room() {
        for depth in 0..4 {
            let (receiver, handle, sent) = producer(depth, 100);
            wait_until(|| sent.load(SeqCst) == depth);
            drop(receiver);
            assert_eq!(handle.join().ok(), Some(depth), "depth {depth}");
        }
    }

    #[test]
    fn a_receiver_dropped_before_the_producer_sends_ends_it_too() {
        let (sender, mut receiver) = batch_queue::<usize>(2);
        let handle = thread::spawn(move || (0..10).take_while(|&i| sender.send(i)).count());
        receiver.set_producer(handle.thread().clone());
        drop(receiver);
        assert!(handle.join().is_ok_and(|delivered| delivered <= 2));
    }

    #[test]
    fn a_timed_wait_takes_what_arrives() {
        let (receiver, handle, _) = producer(2, 3);
        let mut received = Vec::new();
        loop {
            match receiver.recv_timeout(Duration::from_millis(200)) {
                Ok(message) => received.push(message),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("timed out"),
            }
        }
        assert_eq!(received, [0, 1, 2]);
        assert_eq!(handle.join().ok(), Some(3));
    }
}
