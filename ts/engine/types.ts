/**
 * The contract between the facade and an engine (pure TypeScript or native). An engine turns one
 * file into batches of records plus the source faults found between them; everything else —
 * stages, error policy, messages, hints — lives in the facade so both engines behave alike.
 */

/** Formats every engine parses. `tsv` is CSV with a tab delimiter. */
export type Format = 'jsonl' | 'csv' | 'tsv' | 'json'

/** Compression of a file's bytes: from its extension, or `options.compression`. */
export type Compression = 'none' | 'gzip' | 'zstd'

/** Codes of errors about one record (or one spot) of a file. See DESIGN.md, "Error codes". */
export type SourceErrorCode =
  | 'ERR_PARSE'
  | 'ERR_INVALID_UTF8'
  | 'ERR_RECORD_TOO_LARGE'
  | 'ERR_FIELD_COUNT'
  | 'ERR_UNTERMINATED_QUOTE'
  | 'ERR_NOT_AN_ARRAY'
  | 'ERR_TRAILING_CONTENT'
  | 'ERR_TRUNCATED'

/** What an engine reports about a bad record; the facade turns it into an `ItemError`. */
export interface SourceFault {
  code: SourceErrorCode
  /** 1-based line where the record starts. */
  line: number
  /** 0-based offset of the record's first byte in the file's (decompressed) bytes. */
  byteOffset: number
  /** First 80 raw bytes of the record, decoded; see DESIGN.md "Excerpt". */
  excerpt: string
  /** The parser's own words; free text, not compared between engines. */
  detail: string
}

/** Parsing options every engine honours, already validated and defaulted by the facade. */
export interface ParseOptions {
  format: Format
  /** CSV/TSV: the first record names the fields. */
  header: boolean
  /** CSV/TSV: one single-byte character. */
  delimiter: string
  /** CSV/TSV: one single-byte character, or `null` for no quoting (every quote is data). */
  quote: string | null
  /** CSV/TSV: `'infer'` converts values by the rules in DESIGN.md. */
  types: 'string' | 'infer'
  maxRecordBytes: number
}

/** One batch handed from an engine to the facade. */
export interface EngineBatch {
  records: unknown[]
  /**
   * `lines[first + i]` and `byteOffsets[first + i]` are the position of `records[i]`. The native
   * engine hands out a batch's chunks with the batch's position arrays and each chunk's `first`,
   * since a view per chunk cost more than the rest of the chunk's hand-off.
   */
  lines: ArrayLike<number>
  byteOffsets: ArrayLike<number>
  first: number
  /**
   * Faults in input order; `index` is the number of records of this batch that came before the
   * fault in the input (a fault with index 0 comes before `records[0]`).
   */
  faults: Array<SourceFault & { index: number }>
}

/**
 * Reads one file as batches. Created per iteration; never shared between iterators. A batch's
 * `lines` and `byteOffsets` are valid until the next batch is asked for (the native engine
 * copies the next batch into the same memory); its records and faults are the caller's.
 */
export interface FileBatchReader {
  /** The next batch, or `null` at the end. Blocks the thread; for `for…of`. */
  nextBatchSync(): EngineBatch | null
  /**
   * The next batch, or `null` at the end, without blocking; for `for await…of` and the terminals.
   * A batch already at hand is returned as it is; only one that must be waited for comes as a
   * promise (see `BatchCursor.next`).
   */
  nextBatch(): EngineBatch | null | Promise<EngineBatch | null>
  /**
   * Releases the file handle and any buffers at once. `done` (the default): the batches handed
   * out are read no more, so their memory may go too; `false` keeps the last one readable (a
   * spent `limit` closes the file while items after it may still report that batch's positions).
   * Idempotent; a later call may be done.
   */
  close(done?: boolean): void
  /** Bytes read from the file so far (compressed bytes for a compressed file). */
  readonly bytesRead: number
}

/** Everything an engine needs to open one file. */
export interface FileReadRequest extends ParseOptions {
  path: string
  compression: Compression
  /** Records per batch. */
  batchSize: number
  /** Bytes read from the file per read call (the TS engine) or ring-buffer size (native). */
  bufferSize: number
  /**
   * Only how many records there are is wanted (a `count()` with no stages): the engine may hand
   * out `null`s for the records of each batch that starts after the file's first
   * `RECORDS_BUILT_WHEN_COUNTING`, instead of building them. Faults and positions come as ever.
   */
  countOnly?: boolean
}

/**
 * Records a `countOnly` read still builds at the start of each file: those the one-column check
 * looks at (sources/one-column-check.ts).
 */
export const RECORDS_BUILT_WHEN_COUNTING = 2

/**
 * The line breaks at the head of a file (decompressed): the count stops at the `enoughLines`-th
 * or after `limitBytes`, whichever comes first. Both engines count alike (`head_lines.rs`).
 */
export interface HeadLines {
  /** Bytes looked at: through the last break counted when there were enough, else the limit or the whole file. */
  bytes: number
  lineBreaks: number
  /** The offset just past the last line break counted (0 when there is none). */
  lastBreakEnd: number
}

/** Everything an engine needs to parse chunks of bytes that JavaScript has (a byte stream's). */
export interface ChunkParseRequest extends ParseOptions {
  compression: Compression
  /** Records per batch at most. */
  batchSize: number
}

/**
 * Parses chunks of bytes pushed one at a time — a `Readable`'s, a `fetch()` body's, any
 * iterable's given a format — as the engine parses a file: the TS engine on the calling thread as
 * batches are asked for, the native engine on its producer thread while more chunks are pushed.
 * `push` chunks (ahead while `wantsInput`), then take batches with `next` until it returns `null`:
 * then `awaitsInput` says whether it has parsed every chunk pushed and wants the next (or
 * `end()`), else it has ended. A batch holds what the chunks so far complete, never waiting for
 * a full one, so a live feed's records keep flowing.
 */
export interface ChunkParser {
  push(chunk: Uint8Array): void
  /** No more chunks will come. */
  end(): void
  /** The next batch; blocks while a producer thread is still parsing what was pushed. */
  next(): EngineBatch | null
  readonly awaitsInput: boolean
  /** Whether a chunk pushed now would be parsed ahead, while JavaScript handles the records before it. */
  readonly wantsInput: boolean
  /** Whether `next` would return without blocking. */
  ready(): boolean
  /** Resolves once `next` would not block, having waited off this thread. */
  whenReady(): Promise<void>
  /** Stops parsing; lets go of the chunks and batches held (`done`: as `FileBatchReader.close`). */
  close(done?: boolean): void
}

/** An engine: a way to open files. */
export interface Engine {
  readonly name: 'ts' | 'native'
  openFile(request: FileReadRequest): FileBatchReader
  /** Bytes a reader of `request` holds besides the records handed to JS: buffers, read-ahead. */
  readerMemoryBytes(request: FileReadRequest, averageRecordBytes: number): number
  /** Counts the line breaks at the head of a file, which an iteration sizes its batches from. */
  headLines(path: string, compression: Compression, limitBytes: number, enoughLines: number): HeadLines
  /** The first `limitBytes` of a file, decompressed (fewer when it is shorter): what `metadata()` samples records from. */
  headBytes(path: string, compression: Compression, limitBytes: number): Uint8Array
  /**
   * How many bytes `compressed` decodes to, or `limit` when that is fewer (decoding stops there),
   * where it may stop inside a gzip member or zstd frame, as a file's head does; `null` when it is
   * damaged. Both engines count the same (`decoded_length` in the core) for gzip cut anywhere and
   * for zstd cut where a unit ends (`zstdWholeUnitsEnd`): libzstd hands out part of a raw block
   * and a last block before its checksum, the TS engine's walker neither.
   */
  decodedLength(compression: Exclude<Compression, 'none'>, compressed: Uint8Array, limit: number): number | null
  /** A parser of chunks of bytes that are not a file's (errors call them `the input stream's gzip bytes`). */
  openChunks(request: ChunkParseRequest): ChunkParser
}

/** Codes an engine may throw (not item errors): reading failed, or a file is gone or unsupported. */
export type ErrorCodeOfEngine = 'ERR_IO' | 'ERR_NOT_FOUND' | 'ERR_UNSUPPORTED' | 'ERR_INVALID_ARGUMENT'
