//! Reads a file with the core alone, on this thread, into columnar batches (what the native
//! engine's reader thread does), and prints the median and fastest time of several runs. It
//! measures the reader thread's work without JavaScript on the other side:
//!
//! ```text
//! cargo run --release -p ringstream-core --example core_throughput -- FILE [RUNS] [infer]
//! ```
//!
//! `.csv`, `.tsv` and anything else as JSON Lines; `infer` reads CSV values with
//! `types: 'infer'`. For instruction counts, which do not move with the machine's load, run the
//! built example under `valgrind --tool=cachegrind --cache-sim=no` with one run.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use ringstream_core::{
    BatchOptions, BatchReader, ByteSource, ColumnarEncoder, Compression, Format, ParseOptions,
    ValueTypes,
};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().ok_or("usage: core_throughput FILE [RUNS] [infer]")?;
    let runs: usize = args.get(1).map(|n| n.parse()).transpose()?.unwrap_or(5).max(1);
    let format = match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("csv") => Format::Csv,
        Some("tsv") => Format::Tsv,
        _ => Format::JsonLines,
    };
    let mut parse = ParseOptions::new(format);
    if args.get(2).map(String::as_str) == Some("infer") {
        parse.types = ValueTypes::Infer;
    }
    let mut times = Vec::with_capacity(runs);
    let mut records = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let source = ByteSource::open(Path::new(path), Compression::None)?;
        let encoder = ColumnarEncoder::new(parse.types);
        let mut reader =
            BatchReader::with_encoder(source, &parse, &BatchOptions::default(), encoder);
        records = 0;
        while let Some(batch) = reader.next_batch()? {
            records += batch.len();
        }
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let mib = std::fs::metadata(path)?.len() as f64 / (1024.0 * 1024.0);
    println!(
        "{path}: {records} records, median {median:.1} ms ({:.0} MiB/s), fastest {:.1} ms, {runs} runs",
        mib / (median / 1000.0),
        times[0],
    );
    Ok(())
}
