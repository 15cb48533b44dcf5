//! The N-API binding of ringstream: converts types and forwards calls to `ringstream-core`.
//! Everything that parses, buffers or decides lives in the core crate.
//!
//! - `native_reader`: the `NativeReader` class, which reads one file or pushed chunks;
//! - `reader_state`: the core reader behind it and the batch it has waited for;
//! - `handoff`: how a batch crosses into JavaScript;
//! - `shared_arenas`: the arenas the reader thread lays columnar batches out in;
//! - `metadata`: what `metadata()` asks of a file without a reader;
//! - `options`, `errors`: the options coming in and the errors going out.

// The modules that define `#[napi]` items are public: their items are reached only through
// napi's registration, which a test build does not generate, so private ones would be dead code.
mod errors;
pub mod handoff;
pub mod metadata;
pub mod native_reader;
pub mod options;
mod reader_state;
mod shared_arenas;
