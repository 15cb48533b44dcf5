import type { ParseOptions, SourceFault } from '../types'

/** Receives what a parser finds, in input order. */
export interface ParseSink {
  record(value: unknown, line: number, byteOffset: number): void
  fault(fault: SourceFault): void
}

/**
 * A push parser for one file's bytes. `push` may be called with chunks of any size, split
 * anywhere (inside a UTF-8 sequence, a CRLF, a quoted field); the parser never keeps a reference
 * to a chunk after `push` returns, so callers may reuse their buffer. `end` flushes the last
 * record and reports faults that only the end of input reveals.
 */
export interface FormatParser {
  push(chunk: Uint8Array): void
  end(): void
  /**
   * Values in each record, where the format fixes it and the parser knows it yet (CSV: the
   * first record's field count); 0 otherwise. It sizes the slices of a read (`sliced-parser.ts`).
   */
  recordWidth?(): number
  /** Gives memory the parser holds to the next parser (spare-buffers.ts); it is not used again. */
  release?(): void
}

/**
 * Makes a parser. `countOnly`: only how many records there are is wanted
 * (`FileReadRequest.countOnly`); a parser that can tell good records from bad without building
 * them may then hand `null` to `sink.record` for those past the first `RECORDS_BUILT_WHEN_COUNTING`.
 */
export type FormatParserFactory = (options: ParseOptions, sink: ParseSink, countOnly?: boolean) => FormatParser
