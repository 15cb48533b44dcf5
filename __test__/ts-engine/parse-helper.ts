import type { Format, ParseOptions, SourceFault } from '../../ts/engine/types'
import type { FormatParserFactory } from '../../ts/engine/ts/format-parser'

export interface ParsedRecord {
  value: unknown
  line: number
  byteOffset: number
}

export type ParseEvent = ({ kind: 'record' } & ParsedRecord) | ({ kind: 'fault' } & SourceFault)

export interface ParseResult {
  records: ParsedRecord[]
  values: unknown[]
  faults: SourceFault[]
  /** Records and faults interleaved in the order the parser reported them. */
  events: ParseEvent[]
}

const DELIMITERS: Record<Format, string> = { jsonl: ',', csv: ',', tsv: '\t', json: ',' }

export function optionsFor(format: Format, overrides: Partial<ParseOptions> = {}): ParseOptions {
  return {
    format,
    header: true,
    delimiter: DELIMITERS[format],
    quote: '"',
    types: 'string',
    maxRecordBytes: 64 * 1024 * 1024,
    ...overrides,
  }
}

export function bytesOf(input: string | Uint8Array): Uint8Array {
  return typeof input === 'string' ? new TextEncoder().encode(input) : input
}

/**
 * Feeds `input` to a fresh parser in chunks of `chunkSizes` (cycled; a single number is a fixed
 * size; omitted means one chunk). Every chunk is copied into one reused buffer that is scribbled
 * over right after `push` returns, so a parser that keeps a reference to a chunk shows up as
 * corrupted records.
 */
export function parse(
  factory: FormatParserFactory,
  input: string | Uint8Array,
  options: Partial<ParseOptions> & { format?: Format } = {},
  chunkSizes: number | readonly number[] = Number.MAX_SAFE_INTEGER,
): ParseResult {
  const bytes = bytesOf(input)
  const sizes = typeof chunkSizes === 'number' ? [chunkSizes] : chunkSizes
  const result: ParseResult = { records: [], values: [], faults: [], events: [] }
  const parser = factory(optionsFor(options.format ?? 'jsonl', options), {
    record(value, line, byteOffset) {
      result.records.push({ value, line, byteOffset })
      result.values.push(value)
      result.events.push({ kind: 'record', value, line, byteOffset })
    },
    fault(fault) {
      result.faults.push(fault)
      result.events.push({ kind: 'fault', ...fault })
    },
  })
  const largest = Math.min(bytes.length, Math.max(...sizes))
  const reused = new Uint8Array(Math.max(1, largest))
  let position = 0
  for (let k = 0; position < bytes.length; k++) {
    const size = Math.min(sizes[k % sizes.length], bytes.length - position)
    reused.set(bytes.subarray(position, position + size))
    parser.push(reused.subarray(0, size))
    reused.fill(0xee)
    position += size
  }
  parser.end()
  return result
}

/** Drops `detail`, the one fault field that is free text. */
export function withoutDetail(events: readonly ParseEvent[]): unknown[] {
  return events.map((event) => {
    if (event.kind === 'record') return event
    const { detail: _detail, ...rest } = event
    return rest
  })
}

/**
 * Peak growth of `ArrayBuffer` memory while `push` is called `times` times with `chunk`,
 * sampled after every push; for checking that skipped bytes are not kept.
 */
export function peakGrowthWhilePushing(push: (chunk: Uint8Array) => void, chunk: Uint8Array, times: number): number {
  const before = process.memoryUsage().arrayBuffers
  let peak = before
  for (let k = 0; k < times; k++) {
    push(chunk)
    peak = Math.max(peak, process.memoryUsage().arrayBuffers)
  }
  return peak - before
}
