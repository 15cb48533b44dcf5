//! The threaded reader: files, compression, byte ranges, errors, and closing.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::*;
use ringstream_core::{
    Batch, BatchEncoder, Compression, CsvFields, ErrorCode, Fault, Format, Polled, Reader,
    ReaderConfig,
};
use serde_json::json;

/// A file in a fresh temporary folder, removed on drop.
struct TempFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TempFile {
    fn new(name: &str, contents: &[u8]) -> TempFile {
        let unique = format!(
            "ringstream-core-{}-{}-{name}",
            std::process::id(),
            std::thread::current().name().unwrap_or("t").replace("::", "-")
        );
        let dir = std::env::temp_dir().join(unique);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        TempFile { dir, path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn drain(mut reader: Reader) -> Vec<Batch> {
    let mut out = Vec::new();
    while let Some(batch) = reader.next_batch().unwrap() {
        out.push(batch);
    }
    out
}

fn gzip(parts: &[&[u8]]) -> Vec<u8> {
    let mut data = Vec::new();
    for part in parts {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(part).unwrap();
        data.extend(enc.finish().unwrap());
    }
    data
}

/// Open descriptors of this process that point at `path` (Linux).
fn open_handles(path: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else { return 0 };
    entries
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter(|target| target == path)
        .count()
}

fn jsonl_lines(n: usize) -> String {
    (0..n).map(|i| format!("{{\"i\":{i},\"s\":\"{}\"}}\n", "x".repeat(i % 50))).collect()
}

#[test]
fn reads_a_plain_file() {
    let file = TempFile::new("plain.jsonl", b"{\"a\":1}\n{\"a\":2}\n");
    let reader = Reader::open(ReaderConfig::new(&file.path, Format::JsonLines)).unwrap();
    let batches = drain(reader);
    assert_eq!(flatten(&batches), [r(1, 0, json!({"a": 1})), r(2, 8, json!({"a": 2}))]);
    assert_eq!(batches.last().unwrap().bytes_read, 16);
}

#[test]
fn reads_gzip_with_several_members() {
    let text = jsonl_lines(5000);
    let (first, second) = text.split_at(text.len() / 2 + 7); // a member ends inside a line
    let compressed = gzip(&[first.as_bytes(), second.as_bytes()]);
    let file = TempFile::new("data.jsonl.gz", &compressed);
    let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
    config.batch.buffer_size = 1000;
    let mut reader = Reader::open(config).unwrap();
    let mut records = 0;
    let mut last_read = 0;
    while let Some(batch) = reader.next_batch().unwrap() {
        assert!(batch.bytes_read >= last_read);
        last_read = batch.bytes_read;
        records += batch.len();
        assert!(batch.faults.is_empty());
    }
    assert_eq!(records, 5000);
    assert_eq!(reader.bytes_read(), compressed.len() as u64);
    let plain = items(text.as_bytes(), &options(Format::JsonLines));
    let batches = drain(Reader::open(ReaderConfig::new(&file.path, Format::JsonLines)).unwrap());
    assert_eq!(flatten(&batches), plain);
}

#[test]
fn reads_zstd_frames() {
    let text = "a,b\n1,2\n3,4\n";
    let mut compressed = zstd::encode_all(&text.as_bytes()[..6], 3).unwrap();
    compressed.extend(zstd::encode_all(&text.as_bytes()[6..], 19).unwrap());
    let file = TempFile::new("data.csv.zst", &compressed);
    let batches = drain(Reader::open(ReaderConfig::new(&file.path, Format::Csv)).unwrap());
    assert_eq!(
        flatten(&batches),
        [r(2, 4, json!({"a": "1", "b": "2"})), r(3, 8, json!({"a": "3", "b": "4"}))]
    );
}

#[test]
fn compression_can_be_named_explicitly() {
    let file = TempFile::new("data.bin", &gzip(&[b"[1,2]"]));
    let mut config = ReaderConfig::new(&file.path, Format::JsonArray);
    config.compression = Some(Compression::Gzip);
    let batches = drain(Reader::open(config).unwrap());
    assert_eq!(flatten(&batches), [r(1, 1, json!(1)), r(1, 3, json!(2))]);
}

#[test]
fn corrupt_compressed_data_is_an_io_error_after_the_good_records() {
    let mut data = gzip(&[jsonl_lines(2000).as_bytes()]);
    let cut = data.len() / 2;
    data.truncate(cut);
    let file = TempFile::new("broken.jsonl.gz", &data);
    let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
    config.batch.batch_size = 100;
    let mut reader = Reader::open(config).unwrap();
    let mut records = 0;
    let error = loop {
        match reader.next_batch() {
            Ok(Some(batch)) => records += batch.len(),
            Ok(None) => panic!("a truncated gzip stream must fail"),
            Err(error) => break error,
        }
    };
    assert!(records > 0);
    assert_eq!(error.code(), "ERR_IO");
    assert_eq!(error.path(), file.path);
    assert!(reader.next_batch().unwrap().is_none());
}

#[test]
fn missing_file_fails_at_open() {
    let error = Reader::open(ReaderConfig::new("/definitely/not/here.jsonl", Format::JsonLines))
        .unwrap_err();
    assert_eq!(error.code(), "ERR_IO");
    assert_eq!(error.kind(), std::io::ErrorKind::NotFound);
    assert!(error.to_string().contains("/definitely/not/here.jsonl"));
}

#[test]
fn byte_ranges_keep_file_offsets() {
    let file = TempFile::new("range.jsonl", b"\xef\xbb\xbf0\n1\n2\n3\n");
    let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
    config.range = Some(5..9);
    let batches = drain(Reader::open(config).unwrap());
    assert_eq!(flatten(&batches), [r(1, 5, json!(1)), r(2, 7, json!(2))]);
    // A BOM is only a BOM at byte 0 of the file.
    let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
    config.range = Some(0..5);
    assert_eq!(flatten(&drain(Reader::open(config).unwrap())), [r(1, 3, json!(0))]);
    // No range of a compressed file.
    let mut config = ReaderConfig::new("x.jsonl.gz", Format::JsonLines);
    config.range = Some(0..5);
    assert_eq!(Reader::open(config).unwrap_err().code(), "ERR_UNSUPPORTED");
}

#[test]
fn close_while_the_producer_is_blocked_on_a_full_queue() {
    let file = TempFile::new("big.jsonl", jsonl_lines(200_000).as_bytes());
    let path = std::fs::canonicalize(&file.path).unwrap();
    for queue_depth in [0, 1, 2] {
        let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
        config.batch.batch_size = 10;
        config.batch.buffer_size = 4096;
        config.queue_depth = queue_depth;
        let mut reader = Reader::open(config).unwrap();
        assert!(reader.next_batch().unwrap().is_some());
        std::thread::sleep(Duration::from_millis(50)); // let the producer fill the queue
        let read_so_far = reader.bytes_read();
        assert!(read_so_far < std::fs::metadata(&path).unwrap().len(), "producer is bounded");
        assert_eq!(open_handles(&path), 1);
        let started = Instant::now();
        reader.close();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(open_handles(&path), 0, "the file is closed when close() returns");
        assert!(reader.is_closed());
        assert!(reader.next_batch().unwrap().is_none());
        reader.close(); // idempotent
    }
}

#[test]
fn drop_closes_the_file() {
    let file = TempFile::new("dropped.csv", format!("a\n{}", "1\n".repeat(100_000)).as_bytes());
    let path = std::fs::canonicalize(&file.path).unwrap();
    let mut config = ReaderConfig::new(&file.path, Format::Csv);
    config.batch.batch_size = 5;
    let mut reader = Reader::open(config).unwrap();
    assert_eq!(reader.next_batch().unwrap().unwrap().len(), 5);
    drop(reader);
    assert_eq!(open_handles(&path), 0);
}

#[test]
fn concurrent_readers_of_one_file_agree() {
    let file = TempFile::new("shared.jsonl", jsonl_lines(20_000).as_bytes());
    let expected =
        flatten(&drain(Reader::open(ReaderConfig::new(&file.path, Format::JsonLines)).unwrap()));
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let path = file.path.clone();
                scope.spawn(move || {
                    let mut config = ReaderConfig::new(path, Format::JsonLines);
                    config.batch.batch_size = 7 + i * 100;
                    config.batch.buffer_size = 1000 + i * 5000;
                    flatten(&drain(Reader::open(config).unwrap()))
                })
            })
            .collect();
        for handle in handles {
            assert_eq!(handle.join().unwrap(), expected);
        }
    });
}

/// An encoder that only counts: the hand-off is pluggable.
#[derive(Default)]
struct Counting {
    records: usize,
    faults: usize,
}

impl BatchEncoder for Counting {
    type Batch = (usize, usize);
    fn json_value(&mut self, _: &[u8], _: u64, _: u64) {
        self.records += 1;
    }
    fn csv_header(&mut self, _: &[String]) {}
    fn csv_record(&mut self, _: &CsvFields<'_>, _: u64, _: u64) {
        self.records += 1;
    }
    fn fault(&mut self, _: Fault) {
        self.faults += 1;
    }
    fn record_count(&self) -> usize {
        self.records
    }
    fn fault_count(&self) -> usize {
        self.faults
    }
    fn encoded_bytes(&self) -> usize {
        0
    }
    fn take_batch(&mut self, _: u64) -> (usize, usize) {
        let counts = (self.records, self.faults);
        *self = Counting::default();
        counts
    }
}

#[test]
fn a_custom_encoder_plugs_in() {
    let file = TempFile::new("custom.json", b"[1, x, 2, 3]");
    let mut config = ReaderConfig::new(&file.path, Format::JsonArray);
    config.batch.batch_size = 2;
    let mut reader = Reader::open_with(config, Counting::default()).unwrap();
    let mut got = Vec::new();
    while let Some(counts) = reader.next_batch().unwrap() {
        got.push(counts);
    }
    assert_eq!(got, [(2, 1), (1, 0)]);
    let _ = ErrorCode::Parse;
}

/// Polls until the producer has something, as an event loop would between its other work.
fn poll_until_ready(reader: &mut Reader) -> Result<Option<Batch>, ringstream_core::ReadError> {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match reader.poll_batch()? {
            Polled::Ready(batch) => return Ok(batch),
            Polled::Pending => {
                assert!(Instant::now() < deadline, "the producer never got ready");
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    }
}

#[test]
fn polling_hands_out_what_waiting_does() {
    let file = TempFile::new("polled.jsonl", jsonl_lines(3000).as_bytes());
    let open = || {
        let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
        config.batch.batch_size = 128;
        Reader::open(config).unwrap()
    };
    let waited = drain(open());
    let mut reader = open();
    let mut polled = Vec::new();
    while let Some(batch) = poll_until_ready(&mut reader).unwrap() {
        polled.push(batch);
    }
    assert_eq!(flatten(&polled), flatten(&waited));
    assert_eq!(reader.poll_batch().unwrap(), Polled::Ready(None));
    assert!(reader.next_batch().unwrap().is_none());
}

#[test]
fn polling_gives_a_read_error_once_after_the_good_records() {
    let mut data = gzip(&[jsonl_lines(2000).as_bytes()]);
    data.truncate(data.len() / 2);
    let file = TempFile::new("broken-polled.jsonl.gz", &data);
    let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
    config.batch.batch_size = 100;
    let mut reader = Reader::open(config).unwrap();
    let mut records = 0;
    let error = loop {
        match poll_until_ready(&mut reader) {
            Ok(Some(batch)) => records += batch.len(),
            Ok(None) => panic!("a truncated gzip stream must fail"),
            Err(error) => break error,
        }
    };
    assert!(records > 0);
    assert_eq!(error.code(), "ERR_IO");
    assert_eq!(reader.poll_batch().unwrap(), Polled::Ready(None));
}

/// A reader of a named pipe: the producer blocks in its read until the writer writes, so a
/// poll in between must say so rather than wait.
#[cfg(unix)]
#[test]
fn polling_is_pending_while_the_producer_waits_for_input() {
    let file = TempFile::new("pipe-dir-marker", b"");
    let fifo = file.dir.join("events.jsonl");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let (go, wait_for_go) = std::sync::mpsc::channel::<()>();
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        // Opening a pipe for writing waits for its reader, and the other way round.
        let mut pipe = std::fs::OpenOptions::new().write(true).open(writer_path).unwrap();
        wait_for_go.recv().unwrap();
        pipe.write_all(b"{\"a\":1}\n").unwrap();
    });
    let mut reader = Reader::open(ReaderConfig::new(&fifo, Format::JsonLines)).unwrap();
    assert_eq!(reader.poll_batch().unwrap(), Polled::Pending);
    go.send(()).unwrap();
    writer.join().unwrap();
    let batch = poll_until_ready(&mut reader).unwrap().expect("the written record");
    assert_eq!(flatten(&[batch]), [r(1, 0, json!({"a": 1}))]);
    assert!(poll_until_ready(&mut reader).unwrap().is_none());
}

#[test]
fn a_file_s_first_buffer_is_read_on_the_calling_thread_alike_then_a_thread_takes_over() {
    let text = jsonl_lines(300);
    let file = TempFile::new("small.jsonl", text.as_bytes());
    let path = std::fs::canonicalize(&file.path).unwrap();
    let open = |buffer_size: usize| {
        let mut config = ReaderConfig::new(&file.path, Format::JsonLines);
        config.batch.batch_size = 16;
        config.batch.buffer_size = buffer_size;
        Reader::open(config).unwrap()
    };
    // One byte short of the file: the first buffer's batches come from this thread, then a
    // producer thread reads the rest.
    let mut threaded = open(text.len() - 1);
    assert!(!threaded.reads_ahead());
    let mut batches = Vec::new();
    while let Some(batch) = threaded.next_batch().unwrap() {
        batches.push(batch);
    }
    assert!(threaded.reads_ahead());
    let expected = flatten(&batches);
    assert_eq!(expected.len(), 300);

    // The whole file in one read: never a thread.
    let mut inline = open(text.len());
    let mut batches = Vec::new();
    while let Some(batch) = inline.next_batch().unwrap() {
        batches.push(batch);
    }
    assert!(!inline.reads_ahead());
    assert_eq!(flatten(&batches), expected);

    // Polled, every batch is ready at once; the file closes at the end and on close.
    let mut polled = open(text.len());
    let mut records = Vec::new();
    loop {
        match polled.poll_batch().unwrap() {
            Polled::Ready(Some(batch)) => records.push(batch),
            Polled::Ready(None) => break,
            Polled::Pending => panic!("a file read on the calling thread is never pending"),
        }
    }
    assert_eq!(flatten(&records), expected);
    assert_eq!(open_handles(&path), 0);
    let mut closed = open(text.len());
    assert_eq!(closed.next_batch().unwrap().unwrap().len(), 16);
    assert_eq!(open_handles(&path), 1);
    closed.close();
    assert_eq!(open_handles(&path), 0);
    assert!(closed.next_batch().unwrap().is_none());
}

#[test]
fn compressed_files_read_ahead_at_once_and_ranges_read_their_first_buffer_here() {
    // A small compressed file may hold any amount.
    let gz = TempFile::new("small.jsonl.gz", &gzip(&[b"{\"a\":1}\n"]));
    assert!(Reader::open(ReaderConfig::new(&gz.path, Format::JsonLines)).unwrap().reads_ahead());
    let plain = TempFile::new("ranged.jsonl", b"{\"a\":1}\n{\"a\":2}\n");
    let mut config = ReaderConfig::new(&plain.path, Format::JsonLines);
    config.range = Some(8..16);
    let mut ranged = Reader::open(config).unwrap();
    assert!(!ranged.reads_ahead());
    let batch = ranged.next_batch().unwrap().expect("the range's record");
    assert_eq!(flatten(&[batch]), [r(1, 8, json!({"a": 2}))]);
    assert!(ranged.next_batch().unwrap().is_none() && !ranged.reads_ahead());
}

/// A named pipe whose writer sends `{}\n`, then keeps it open until told to go (at most five
/// seconds: it then records that it gave up, so a reader that waited for it fails, not hangs).
#[cfg(unix)]
fn stalled_pipe(
    name: &str,
) -> (TempFile, std::sync::mpsc::Sender<()>, std::thread::JoinHandle<bool>) {
    let fifo = TempFile::new(name, b"");
    std::fs::remove_file(&fifo.path).unwrap();
    let made = std::process::Command::new("mkfifo").arg(&fifo.path).status().unwrap();
    assert!(made.success());
    let (go, told) = std::sync::mpsc::channel::<()>();
    let path = fifo.path.clone();
    let writer = std::thread::spawn(move || {
        let mut pipe = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        pipe.write_all(b"{}\n").unwrap();
        pipe.flush().unwrap();
        let gave_up = told.recv_timeout(Duration::from_secs(5)).is_err();
        drop(pipe);
        gave_up
    });
    (fifo, go, writer)
}

#[cfg(unix)]
#[test]
fn a_stalled_pipe_hands_out_what_came_and_closes_without_waiting_for_its_writer() {
    let (fifo, go, writer) = stalled_pipe("stalled.jsonl");
    let mut reader = Reader::open(ReaderConfig::new(&fifo.path, Format::JsonLines)).unwrap();
    let first = reader.next_batch().unwrap().expect("the record that came");
    assert_eq!(first.json, b"[{}]");
    reader.close();
    // Only now is the writer told to finish: a close that waited for it would have waited out
    // its five seconds.
    go.send(()).unwrap();
    assert!(!writer.join().unwrap(), "close waited for the pipe's writer");
}

#[cfg(unix)]
#[test]
fn a_wait_for_a_stalled_pipe_gives_up_once_cancelled() {
    let (fifo, go, writer) = stalled_pipe("cancelled.jsonl");
    let mut reader = Reader::open(ReaderConfig::new(&fifo.path, Format::JsonLines)).unwrap();
    let cancelled = std::sync::atomic::AtomicBool::new(false);
    let first = reader.next_batch_unless(&cancelled).unwrap();
    assert!(matches!(first, Polled::Ready(Some(ref batch)) if batch.json == b"[{}]"));
    cancelled.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(matches!(reader.next_batch_unless(&cancelled).unwrap(), Polled::Pending));
    reader.close();
    go.send(()).unwrap();
    assert!(!writer.join().unwrap(), "the wait outlasted the pipe's writer");
}
