import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { type Format, type ItemError, type RingstreamError, stream } from '../ts/index'
import { CHUNK_RECORDS } from '../ts/engine/native/chunks'
import { loadNativeEngine } from '../ts/engine/native-engine'
import { tsEngine } from '../ts/engine/ts/ts-engine'
import type { Engine } from '../ts/engine/types'
import { zstdWholeUnitsEnd } from '../ts/sources/compression-ratio'
import { ENGINES } from './support/engines'
import { makeTempDir } from './support/temp'
import { nodeWritesZstd, nodeZstd, zstdStored } from './support/zstd-frames'

/**
 * Differential tests: random inputs — valid and broken — read by both engines at random buffer
 * sizes must give the same records and the same errors (code, position, excerpt). Only `detail`,
 * a parser's own wording, may differ, so messages are not compared.
 */
/** Runs of each property below that takes no count of its own: `PARITY_RUNS` searches deeper (README, "Development"). */
const PARITY_RUNS = Number(process.env.PARITY_RUNS ?? 150)
/** The suite's 60 s a test is for 150 runs; a deeper search gets as much more time as it has more runs. */
const TIMEOUT_MS = 60_000 * Math.max(1, PARITY_RUNS / 150)
/** Runs of a property between two turns of the event loop (see `assertDeep`). */
const SLICE_RUNS = 500

/**
 * `fc.assert` of `property` over `runs` runs, a slice of `SLICE_RUNS` at a time with a turn of
 * the event loop between slices: a vitest worker whose loop is blocked for a minute loses its
 * link to the runner ("Timeout calling onTaskUpdate"), which a deep search (`PARITY_RUNS`)
 * reached. Each slice draws its own seed, which a failure reports.
 */
async function assertDeep<T>(property: fc.IProperty<T>, runs: number): Promise<void> {
  for (let done = 0; done < runs; done += SLICE_RUNS) {
    fc.assert(property, { numRuns: Math.min(SLICE_RUNS, runs - done) })
    await new Promise((resolve) => setImmediate(resolve))
  }
}

describe.runIf(ENGINES.includes('native') && ENGINES.includes('ts'))('the engines agree on random input', { timeout: TIMEOUT_MS }, () => {
  const tmp = makeTempDir('ringstream-parity-')
  afterAll(() => tmp.remove())
  let fileNumber = 0

  interface Reading {
    records: unknown[]
    errors: Array<Pick<ItemError, 'code' | 'line' | 'byteOffset' | 'excerpt' | 'kind' | 'stage' | 'message'>>
    /** Where the errors fall between the records: `r` for a record, `e` for an error, in order. */
    order: string
  }

  /** A reading's start: where the records and errors go, and the `onError` that records the errors. */
  const startReading = (path: unknown): { reading: Reading; onError: (e: ItemError) => void } => {
    const reading: Reading = { records: [], errors: [], order: '' }
    const onError = (e: ItemError) => {
      reading.errors.push({
        code: e.code,
        line: e.line,
        byteOffset: e.byteOffset,
        excerpt: e.excerpt,
        kind: e.kind,
        stage: e.stage,
        // The compressed copy of an input has a path of its own.
        message: typeof path === 'string' ? e.message.replaceAll(path, '<input>') : e.message,
      })
      reading.order += 'e'
    }
    return { reading, onError }
  }

  /** `handoff` picks the native engine's hand-off (RINGSTREAM_NATIVE_HANDOFF, read per file). */
  const read = (path: string | (() => Iterable<Uint8Array>), engine: 'ts' | 'native', options: ReadOptions, handoff = ''): Reading => {
    const { reading, onError } = startReading(path)
    const saved = process.env.RINGSTREAM_NATIVE_HANDOFF
    process.env.RINGSTREAM_NATIVE_HANDOFF = handoff
    try {
      for (const record of stream<unknown>(path as string, { ...options, engine, onError })) {
        reading.records.push(record)
        reading.order += 'r'
      }
      return reading
    } finally {
      if (saved === undefined) delete process.env.RINGSTREAM_NATIVE_HANDOFF
      else process.env.RINGSTREAM_NATIVE_HANDOFF = saved
    }
  }

  /** `read`, with `for await` over chunks an async generator hands out. */
  const readAsync = async (chunks: () => AsyncIterable<Uint8Array>, engine: 'ts' | 'native', options: ReadOptions & { format: Format }): Promise<Reading> => {
    const { reading, onError } = startReading(chunks)
    for await (const record of stream<unknown>(chunks, { ...options, engine, onError })) {
      reading.records.push(record)
      reading.order += 'r'
    }
    return reading
  }

  interface ReadOptions {
    format: Format
    bufferSize: number
    maxRecordBytes: number
    header?: boolean
    types?: 'string' | 'infer'
    delimiter?: string
    /** `null`: no quoting. */
    quote?: string | null
    batchSize?: number
    compression?: 'none' | 'gzip' | 'zstd'
  }

  /** `compressed`: the same bytes as gzip members or zstd frames, read by both engines as they read `bytes`. */
  const compare = (bytes: Uint8Array, options: ReadOptions, compressed?: { extension: 'gz' | 'zst'; bytes: Uint8Array }) => {
    const path = tmp.file(`input-${fileNumber++}.${options.format}`, bytes)
    const plain = read(path, 'ts', options)
    const compressedPath = compressed === undefined ? path : tmp.file(`input-${fileNumber++}.${options.format}.${compressed.extension}`, compressed.bytes)
    const ts = compressed === undefined ? plain : read(compressedPath, 'ts', options)
    if (compressed !== undefined) {
      expect(ts.errors, compressed.extension).toEqual(plain.errors)
      expect(ts.records, compressed.extension).toEqual(plain.records)
      expect(ts.order, compressed.extension).toBe(plain.order)
    }
    // Both hand-offs, whichever is the format's default (ts/engine/native/handoff.ts).
    for (const handoff of ['json', 'columnar']) {
      const native = read(compressedPath, 'native', options, handoff)
      expect(native.errors, handoff).toEqual(ts.errors)
      expect(native.records, handoff).toEqual(ts.records)
      expect(native.order, handoff).toBe(ts.order)
      // Key order at every depth, which toEqual does not check.
      expect(native.records.map((r) => JSON.stringify(r)), handoff).toEqual(ts.records.map((r) => JSON.stringify(r)))
    }
  }

  const encoder = new TextEncoder()
  const bufferSize = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 4096 }))
  const maxRecordBytes = fc.oneof(fc.constant(64 << 20), fc.integer({ min: 1, max: 200 }))
  /** Text with the characters that break parsers: quotes, separators, line breaks, multi-byte. */
  const trickyText = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ',', ';', '\t', '"', '\\', '\n', '\r', 'é', '€', '😀', '{', '}', '[', ']', ':', '0', '1', '-', '.'), maxLength: 20 })
  /** Occasional invalid UTF-8 and BOMs dropped into the bytes. */
  const withNoise = (text: fc.Arbitrary<string>) =>
    fc.tuple(text, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.constantFrom([0xff], [0xc3], [0xe2, 0x82], [0x80])), { maxLength: 2 })).map(([t, bom, noise]) => {
      let bytes = Array.from(encoder.encode(t))
      for (const [at, bad] of noise) bytes.splice(bytes.length === 0 ? 0 : at % bytes.length, 0, ...bad)
      if (bom) bytes = [0xef, 0xbb, 0xbf, ...bytes]
      return Uint8Array.from(bytes)
    })

  const jsonLine = fc.oneof(
    { weight: 5, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: trickyText },
    { weight: 1, arbitrary: fc.constantFrom('', '   ', '\t', '{', '[1,', '{"a":1}x', 'null') },
  )
  const joinLines = (lines: fc.Arbitrary<string[]>) =>
    lines.chain((l) => fc.tuple(fc.constant(l), fc.constantFrom('\n', '\r\n'), fc.boolean())).map(([l, eol, trailing]) => l.join(eol) + (trailing ? eol : ''))
  const jsonLines = joinLines(fc.array(jsonLine, { maxLength: 12 }))

  /**
   * JSON written by hand, so it can hold what `JSON.stringify` never writes: repeated keys,
   * `__proto__`, escapes of every kind (lone surrogates too), numbers out of range, arrays long
   * enough and nesting deep enough for the core to leave them to `JSON.parse`. Records draw their
   * keys from a small set, so shapes repeat across records and batches.
   */
  const jsonKey = fc.constantFrom('a', 'b', '__proto__', '1', '10', 'é😀', '', 'constructor', 'a', 'a long key name', '\ud800', 'k\udc00}')
  const jsonLeaf = fc.oneof(
    fc.double().map((n) => JSON.stringify(n)),
    fc.constantFrom('-0', '1e400', '-1E-400', '12345678901234567890', '0.1', '1.5e+3', 'true', 'false', 'null'),
    fc.oneof(fc.string({ maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom('\ud800', 'a\udc00b', '😀x', '\u2028', '\0', 'é'.repeat(14), 'an ascii text longer than 13')).map((t) => JSON.stringify(t)),
    fc.constantFrom(String.raw`"\ud83d\ude00"`, String.raw`"\u00e9\/\b\f\t"`, String.raw`"\udc00"`, String.raw`"\ud800\u0041"`),
  )
  const { jsonText } = fc.letrec<{ jsonText: string; jsonObject: string; jsonArrayText: string }>((tie) => ({
    jsonText: fc.oneof({ depthSize: 'small', withCrossShrink: true }, jsonLeaf, tie('jsonObject'), tie('jsonArrayText')),
    jsonObject: fc
      .array(fc.tuple(jsonKey, tie('jsonText'), fc.constantFrom('', ' ')), { maxLength: 5 })
      .map((members) => `{${members.map(([k, v, ws]) => `${ws}${JSON.stringify(k)}${ws}:${ws}${v}`).join(',')}}`),
    jsonArrayText: fc.oneof(fc.array(tie('jsonText'), { maxLength: 4 }), fc.array(jsonLeaf, { minLength: 30, maxLength: 40 })).map((items) => `[${items.join(',')}]`),
  }))
  const deepJson = fc.integer({ min: 28, max: 40 }).map((depth) => `${'{"d":['.repeat(depth)}1${']}'.repeat(depth)}`)
  const shapedJsonLines = fc
    .array(fc.oneof({ weight: 6, arbitrary: jsonText }, { weight: 1, arbitrary: deepJson }, { weight: 1, arbitrary: trickyText }), { maxLength: 14 })
    .map((lines) => lines.join('\n') + '\n')

  const csvRow = fc.array(fc.oneof(trickyText, fc.string({ maxLength: 6 }).map((s) => `"${s.replace(/"/g, '""')}"`)), { minLength: 1, maxLength: 4 })
  const csvRows = (rows: fc.Arbitrary<string[][]>) =>
    rows.chain((r) => fc.tuple(fc.constant(r), fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())).map(([r, eol, trailing]) => r.map((row) => row.join(',')).join(eol) + (trailing ? eol : ''))
  const csvText = csvRows(fc.array(csvRow, { maxLength: 10 }))
  /**
   * Enough records for native batches of several chunks (`CHUNK_RECORDS`), bad ones among them:
   * the core's first batches hold 64 and 128 records, and batches double from there.
   */
  const manyJsonLines = joinLines(fc.array(jsonLine, { minLength: 3 * CHUNK_RECORDS, maxLength: 8 * CHUNK_RECORDS }))
  const manyCsvRows = csvRows(fc.array(csvRow, { minLength: 3 * CHUNK_RECORDS, maxLength: 8 * CHUNK_RECORDS }))
  const largeBatchSize = fc.option(fc.integer({ min: 1, max: 4 * CHUNK_RECORDS }), { nil: undefined })

  const jsonArray = fc.oneof(
    fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 8 }).map((a) => JSON.stringify(a, null, 1)),
    fc.array(fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), trickyText), { maxLength: 6 }).map((parts) => `[${parts.join(',')}`),
    trickyText,
  )

  it('JSON Lines', async () => {
    await assertDeep(
      fc.property(withNoise(jsonLines), bufferSize, maxRecordBytes, (bytes, size, max) => compare(bytes, { format: 'jsonl', bufferSize: size, maxRecordBytes: max })),
      PARITY_RUNS,
    )
  })

  it('JSON Lines of hand-written JSON: repeated keys, escapes, long arrays, deep nesting', async () => {
    await assertDeep(
      fc.property(shapedJsonLines, bufferSize, fc.integer({ min: 1, max: 9 }), (text, size, batchSize) =>
        compare(encoder.encode(text), { format: 'jsonl', bufferSize: size, maxRecordBytes: 64 << 20, batchSize }),
      ),
      PARITY_RUNS,
    )
  })

  it('CSV, with and without a header, strings and inferred types, quoting on and off', async () => {
    const quote = fc.constantFrom<string | null | undefined>(undefined, undefined, null)
    await assertDeep(
      fc.property(withNoise(csvText), bufferSize, maxRecordBytes, fc.boolean(), fc.constantFrom('string' as const, 'infer' as const), quote, (bytes, size, max, header, types, q) =>
        compare(bytes, { format: 'csv', bufferSize: size, maxRecordBytes: max, header, types, ...(q === undefined ? {} : { quote: q }) }),
      ),
      PARITY_RUNS,
    )
  })

  it('CSV with any delimiter and quote character, TSV among them', async () => {
    // Characters a delimiter or quote may be (any ASCII but a line break), the awkward ones most:
    // what numbers and JSON are made of, a space, a backslash, NUL.
    const special = fc.constantFrom(',', '\t', ';', '|', ' ', "'", '"', '.', '-', '0', 'e', '\\', '\0', '#', 'a')
    const dialect = fc.tuple(special, fc.oneof(fc.constant(undefined), fc.constant(null), special)).filter(([delimiter, quote]) => delimiter !== (quote === undefined ? '"' : quote))
    const text = dialect.chain(([delimiter, quote]) => {
      const q = quote === undefined ? '"' : quote
      const unit = fc.constantFrom(delimiter, q ?? '"', 'a', 'b', ' ', '0', '1', '.', '-', 'e', '\n', '\r', 'é', '😀', '"', ',')
      const field = fc.oneof(
        { weight: 3, arbitrary: fc.string({ unit, maxLength: 8 }) },
        { weight: 1, arbitrary: fc.string({ unit, maxLength: 6 }).map((s) => (q === null ? s : `${q}${s.replaceAll(q, q + q)}${q}`)) },
      )
      const rows = fc.array(fc.array(field, { minLength: 1, maxLength: 4 }), { maxLength: 10 })
      return fc.tuple(fc.constant(delimiter), fc.constant(quote), rows, fc.constantFrom('\n', '\r\n', '\r'), fc.boolean())
    })
    await assertDeep(
      fc.property(text, bufferSize, fc.boolean(), fc.constantFrom('string' as const, 'infer' as const), fc.boolean(), ([delimiter, quote, rows, eol, trailing], size, header, types, tsv) => {
        const bytes = encoder.encode(rows.map((row) => row.join(delimiter)).join(eol) + (trailing ? eol : ''))
        // A tab-delimited dialect read as `format: 'tsv'` (its default delimiter) as well as `csv`.
        const format = tsv && delimiter === '\t' ? 'tsv' : 'csv'
        compare(bytes, { format, bufferSize: size, maxRecordBytes: 64 << 20, header, types, ...(format === 'tsv' ? {} : { delimiter }), ...(quote === undefined ? {} : { quote }) })
      }),
      PARITY_RUNS,
    )
  })

  /**
   * The native engine builds records with constructors generated from the header's names and
   * the JSON keys (ts/engine/record-makers.ts): any text must come out as that key, with
   * what would break a generated literal among them.
   */
  it('keys and header names of any text', async () => {
    const anyKey = fc.oneof(
      fc.constantFrom('\u2028', '\u2029', '"', '\\', "'", '`', '${k}', '*/', '//', '</script>', '\0', '__proto__', 'constructor', 'toString'),
      fc.constantFrom('0', '01', '-1', '1.5', '4294967294', '4294967295', '9007199254740993', '', ' '),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    )
    const leaf = fc.oneof(fc.integer(), fc.string({ maxLength: 4 }), fc.boolean(), fc.constant(null))
    // A few shapes, each used by several records, so a constructor serves more than one record.
    const keyedJsonLines = fc
      .array(fc.object({ key: anyKey, values: [leaf], maxDepth: 2, maxKeys: 5 }), { minLength: 1, maxLength: 3 })
      .chain((shapes) => fc.array(fc.constantFrom(...shapes), { minLength: 1, maxLength: 10 }))
      .map((records) => records.map((r) => JSON.stringify(r)).join('\n') + '\n')
    await assertDeep(
      fc.property(keyedJsonLines, bufferSize, (text, size) => compare(encoder.encode(text), { format: 'jsonl', bufferSize: size, maxRecordBytes: 64 << 20 })),
      PARITY_RUNS,
    )
    const quoted = (text: string) => `"${text.replace(/"/g, '""')}"`
    const keyedCsv = fc
      .array(anyKey, { minLength: 1, maxLength: 5 })
      .chain((names) => fc.tuple(fc.constant(names), fc.array(fc.array(fc.string({ maxLength: 4 }), { minLength: names.length, maxLength: names.length }), { maxLength: 6 })))
      .map(([names, rows]) => [names, ...rows].map((row) => row.map(quoted).join(',')).join('\n') + '\n')
    await assertDeep(
      fc.property(keyedCsv, bufferSize, fc.constantFrom('string' as const, 'infer' as const), (text, size, types) =>
        compare(encoder.encode(text), { format: 'csv', bufferSize: size, maxRecordBytes: 64 << 20, header: true, types }),
      ),
      PARITY_RUNS,
    )
  })

  it('more records than a chunk, bad ones among them, in large batches', () => {
    const few = { numRuns: 40 }
    fc.assert(
      fc.property(withNoise(manyJsonLines), fc.integer({ min: 1, max: 1 << 16 }), largeBatchSize, (bytes, size, batchSize) =>
        compare(bytes, { format: 'jsonl', bufferSize: size, maxRecordBytes: 64 << 20, batchSize }),
      ),
      few,
    )
    fc.assert(
      fc.property(withNoise(manyCsvRows), fc.integer({ min: 1, max: 1 << 16 }), largeBatchSize, fc.boolean(), fc.constantFrom('string' as const, 'infer' as const), (bytes, size, batchSize, header, types) =>
        compare(bytes, { format: 'csv', bufferSize: size, maxRecordBytes: 64 << 20, batchSize, header, types }),
      ),
      few,
    )
  })

  /** `bytes` cut at `cuts` (positions, any order) into consecutive parts. */
  const cutAt = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
    const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
    return [0, ...at, bytes.length].slice(1).map((end, k, ends) => bytes.subarray(k === 0 ? 0 : ends[k - 1], end))
  }

  /**
   * Random JSON Lines cut into parts, each compressed on its own at one of `levels` (gzip
   * members or zstd frames), read by both engines as the plain bytes are read.
   */
  const compressedParity = (extension: 'gz' | 'zst', levels: number[], compress: (part: Uint8Array, level: number) => Uint8Array) =>
    fc.assert(
      fc.property(withNoise(jsonLines), fc.array(fc.nat(), { maxLength: 3 }), fc.array(fc.constantFrom(...levels), { minLength: 1, maxLength: 3 }), bufferSize, (bytes, cuts, chosen, size) => {
        const compressed = Buffer.concat(cutAt(bytes, cuts).map((part, k) => compress(part, chosen[k % chosen.length])))
        compare(bytes, { format: 'jsonl', bufferSize: size, maxRecordBytes: 64 << 20 }, { extension, bytes: compressed })
      }),
      { numRuns: 60 },
    )

  it('gzip files of one or more members, cut anywhere, at any read size', () => {
    compressedParity('gz', [0, 1, 6, 9], (part, level) => gzipSync(part, { level }))
  })

  it('zstd files of one or more frames, cut anywhere, at any read size', () => {
    // Frames of raw blocks everywhere; compressed ones too where node:zlib writes zstd.
    compressedParity('zst', [0, 1, 3, 19], (part, level) => (level === 0 || !nodeWritesZstd ? zstdStored(part) : nodeZstd(part, level)))
  })

  /** Records up to the error that ends the read, and that error's code and message. */
  const readDamaged = (path: string, engine: 'ts' | 'native', bufferSize: number) => {
    const records: unknown[] = []
    try {
      for (const record of stream(path, { engine, format: 'jsonl', bufferSize, onError: () => undefined })) records.push(record)
    } catch (error) {
      return { records, failure: `${(error as RingstreamError).code}: ${(error as Error).message.replaceAll(path, '<input>')}` }
    }
    return { records, failure: null }
  }

  it('damaged gzip files: a changed byte, a cut, bytes after the end — the same records, then the same error', () => {
    const damage = fc.oneof(
      fc.record({ flip: fc.nat(), by: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ cut: fc.nat() }),
      fc.record({ append: fc.uint8Array({ minLength: 1, maxLength: 12 }) }),
    )
    fc.assert(
      fc.property(withNoise(jsonLines), fc.array(fc.nat(), { maxLength: 3 }), fc.constantFrom(0, 1, 9), damage, bufferSize, (bytes, cuts, level, change, size) => {
        const gz = Buffer.concat(cutAt(bytes, cuts).map((part) => gzipSync(part, { level })))
        let damaged: Buffer
        if ('flip' in change) {
          damaged = Buffer.from(gz)
          damaged[change.flip % gz.length] ^= change.by
        } else if ('cut' in change) damaged = gz.subarray(0, change.cut % gz.length)
        else damaged = Buffer.concat([gz, change.append])
        const path = tmp.file(`damaged-${fileNumber++}.jsonl.gz`, damaged)
        const ts = readDamaged(path, 'ts', size)
        const native = readDamaged(path, 'native', size)
        expect(native.failure).toBe(ts.failure)
        expect(native.records).toEqual(ts.records)
        // Added bytes are always found (a member takes 18 or more); a cut may fall between
        // members, and a changed byte may make other valid data.
        if ('append' in change) expect(ts.failure).toMatch(/^ERR_IO: cannot decompress <input>: /)
      }),
      { numRuns: 3000 },
    )
  })

  it('zstd files cut short anywhere (an interrupted download): the same records, then the same error', () => {
    // What the zstd tool wrote, and node:zlib's zstd at random levels where it has one. (Frames
    // of raw blocks are left out: libzstd hands out part of a raw block, the TS walker none.)
    const written = ['events.jsonl.zst', 'events.fast.jsonl.zst', 'events.nocheck.jsonl.zst'].map((name) => readFileSync(join(__dirname, 'fixtures', name)))
    const file = nodeWritesZstd
      ? fc.oneof(fc.constantFrom(...written), fc.tuple(withNoise(jsonLines), fc.integer({ min: 1, max: 19 })).map(([bytes, level]) => nodeZstd(bytes, level)))
      : fc.constantFrom(...written)
    fc.assert(
      fc.property(file, fc.nat(), bufferSize, (zst, cut, size) => {
        const path = tmp.file(`cut-${fileNumber++}.jsonl.zst`, zst.subarray(0, cut % zst.length))
        const ts = readDamaged(path, 'ts', size)
        const native = readDamaged(path, 'native', size)
        expect(native.failure).toBe(ts.failure)
        expect(native.records).toEqual(ts.records)
        expect(ts.failure).toMatch(/^ERR_IO: cannot decompress <input>: incomplete frame: /)
      }),
      { numRuns: 100 },
    )
  })

  it('zstd files with a changed byte: every record before the damaged block from both, then the same error, or each decoder\'s verdict on that block', () => {
    const written = ['events.jsonl.zst', 'events.fast.jsonl.zst', 'events.nocheck.jsonl.zst'].map((name) => readFileSync(join(__dirname, 'fixtures', name)))
    /**
     * Whether a failure (or none) is a decoder's verdict on a damaged block: fzstd and libzstd
     * each refuse some blocks the other decodes into other bytes, which the frame's checksum then
     * catches, or nothing does in a frame without one.
     */
    const blockVerdict = (failure: string | null) => failure === null || /(doesn't match checksum|Data corruption detected|Destination buffer is too small)/.test(failure)
    fc.assert(
      fc.property(fc.constantFrom(...written), fc.nat(), fc.integer({ min: 1, max: 255 }), bufferSize, (zst, at, flip, size) => {
        const damaged = Buffer.from(zst)
        damaged[at % damaged.length] ^= flip
        const path = tmp.file(`flipped-${fileNumber++}.jsonl.zst`, damaged)
        const ts = readDamaged(path, 'ts', size)
        const native = readDamaged(path, 'native', size)
        if (blockVerdict(native.failure) && blockVerdict(ts.failure) && (native.failure ?? ts.failure) !== null) {
          // One decoder may refuse the damaged block (with these words or others) and the other
          // hand out what it made of it: every record of the blocks before it comes from both.
          const [fewer, more] = native.records.length <= ts.records.length ? [native.records, ts.records] : [ts.records, native.records]
          expect(more.slice(0, fewer.length)).toEqual(fewer)
          return
        }
        // Every whole block before the damage, from both, and the same words for it.
        expect(native.failure).toBe(ts.failure)
        expect(native.records).toEqual(ts.records)
      }),
      // libzstd refuses the first block of this one, fzstd decodes it into 572 records; both then
      // say "Data corruption detected". The last block's header made a raw block, then a header
      // (of a reserved type; of an RLE block over 128 KiB) claiming more bytes than are left:
      // damage, judged on the header alone, not an input cut short. scripts/zstd-damage-scan.mjs
      // goes through the changes in order.
      { numRuns: 150, examples: [[written[2], 8834, 173, 134], [written[1], 38955, 173, 134], [written[1], 38955, 13, 134]] },
    )
  })

  it('count the same decoded bytes of compressed data cut anywhere (what metadata() estimates records from)', async () => {
    const native = loadNativeEngine().engine as Engine
    const compressions = fc.constantFrom(
      ...(['gzip-1', 'gzip-9', 'zstd-stored', ...(nodeWritesZstd ? ['zstd-3', 'zstd-19'] : [])] as const),
    )
    await assertDeep(
      fc.property(withNoise(jsonLines), fc.array(fc.nat(), { maxLength: 3 }), compressions, fc.nat(), fc.nat(), (bytes, cuts, kind, cut, limit) => {
        const [compression, level] = kind.split('-') as ['gzip' | 'zstd', string]
        const pack = (part: Uint8Array) =>
          compression === 'gzip' ? gzipSync(part, { level: Number(level) }) : level === 'stored' ? zstdStored(part) : nodeZstd(part, Number(level))
        const packed = Buffer.concat(cutAt(bytes, cuts).map(pack))
        const cutHead = packed.subarray(0, cut % (packed.length + 1))
        // zstd where a block (with its frame's header or checksum) ends, as metadata() cuts it.
        const head = compression === 'gzip' ? cutHead : cutHead.subarray(0, zstdWholeUnitsEnd(cutHead))
        const max = limit % 2 === 0 ? Number.MAX_SAFE_INTEGER : limit % 500
        const ts = tsEngine.decodedLength(compression, head, max)
        expect(native.decodedLength(compression, head, max)).toBe(ts)
        // All of it, whatever the read sizes, when nothing stops the count.
        if (head.length === packed.length && max === Number.MAX_SAFE_INTEGER) expect(ts).toBe(bytes.length)
      }),
      PARITY_RUNS,
    )
  })

  it('chunks of bytes cut anywhere, compressed or not, read by either engine as the same file', async () => {
    const input = fc.oneof(
      withNoise(jsonLines).map((bytes) => ({ bytes, format: 'jsonl' as const })),
      withNoise(shapedJsonLines).map((bytes) => ({ bytes, format: 'jsonl' as const })),
      withNoise(csvText).map((bytes) => ({ bytes, format: 'csv' as const })),
      withNoise(jsonArray).map((bytes) => ({ bytes, format: 'json' as const })),
    )
    const compressions = fc.constantFrom('none' as const, 'gzip' as const, 'zstd' as const)
    const withoutMessage = ({ message: _, ...rest }: Reading['errors'][number]) => rest
    await assertDeep(
      fc.property(input, fc.array(fc.nat(), { maxLength: 8 }), compressions, maxRecordBytes, ({ bytes, format }, cuts, compression, max) => {
        const options: ReadOptions = { format, bufferSize: 64 << 10, maxRecordBytes: max }
        const file = read(tmp.file(`input-${fileNumber++}.${format}`, bytes), 'ts', options)
        const packed = compression === 'gzip' ? gzipSync(bytes) : compression === 'zstd' ? zstdStored(bytes) : bytes
        const parts = cutAt(packed, cuts)
        const [ts, native] = (['ts', 'native'] as const).map((engine) => read(() => parts.values(), engine, { ...options, compression }))
        for (const [engine, chunks] of [['ts', ts], ['native', native]] as const) {
          expect(chunks.records, engine).toEqual(file.records)
          expect(chunks.order, engine).toBe(file.order)
          // A stream's errors name no file, so their messages differ from the file's.
          expect(chunks.errors.map(withoutMessage), engine).toEqual(file.errors.map(withoutMessage))
        }
        expect(native.errors).toEqual(ts.errors)
        expect(native.records.map((r) => JSON.stringify(r))).toEqual(ts.records.map((r) => JSON.stringify(r)))
      }),
      PARITY_RUNS,
    )
  })

  it('more than a MiB of chunks (the native engine parses past it on a thread), for…of and for await, read as the same file', async () => {
    const large = fc.oneof(
      withNoise(manyJsonLines).map((bytes) => ({ bytes, format: 'jsonl' as const })),
      withNoise(manyCsvRows).map((bytes) => ({ bytes, format: 'csv' as const })),
    )
    const withoutMessage = ({ message: _, ...rest }: Reading['errors'][number]) => rest
    await fc.assert(
      fc.asyncProperty(large, fc.integer({ min: 1000, max: 1 << 18 }), fc.boolean(), fc.constantFrom('none' as const, 'zstd' as const), async ({ bytes, format }, piece, useAsync, compression) => {
        // Copies of the random text, past the MiB the native engine parses on the calling thread.
        const whole = Buffer.concat(Array.from({ length: Math.ceil((1.2 * (1 << 20)) / Math.max(1, bytes.length)) }, () => bytes))
        const options: ReadOptions = { format, header: false, bufferSize: 64 << 10, maxRecordBytes: 64 << 20 }
        const file = read(tmp.file(`large-${fileNumber++}.${format}`, whole), 'ts', options)
        // zstd in raw blocks, so that the bytes pushed pass the MiB too.
        const packed = compression === 'zstd' ? zstdStored(whole) : whole
        const parts: Uint8Array[] = []
        for (let at = 0; at < packed.length; at += piece) parts.push(packed.subarray(at, at + piece))
        for (const engine of ['ts', 'native'] as const) {
          const chunked = { ...options, compression }
          const got = useAsync
            ? await readAsync(async function* () {
                yield* parts
              }, engine, chunked)
            : read(() => parts.values(), engine, chunked)
          expect(got.records, engine).toEqual(file.records)
          expect(got.order, engine).toBe(file.order)
          expect(got.errors.map(withoutMessage), engine).toEqual(file.errors.map(withoutMessage))
        }
      }),
      { numRuns: 6 },
    )
  })

  it('JSON arrays, complete, cut short and not arrays at all', async () => {
    await assertDeep(
      fc.property(withNoise(jsonArray), bufferSize, maxRecordBytes, (bytes, size, max) => compare(bytes, { format: 'json', bufferSize: size, maxRecordBytes: max })),
      PARITY_RUNS,
    )
  })
})
