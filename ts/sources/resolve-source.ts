import { statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type { Compression, Format, ParseOptions } from '../engine/types'
import { InvalidArgumentError, RingstreamError } from '../errors'
import { DEFAULT_MAX_RECORD_BYTES, type StreamOptions } from '../options'
import { type DatasetManifest, catalogFolders, findDataset, readManifest } from './catalog'
import { type DataSource, type Source, isAsyncIterable, isDataSource, isIterable, isReadable } from './data-source'
import { fileKind } from './file-formats'
import { listDataFiles } from './list-files'

/** One file to read, with everything known before opening it. */
export interface PlannedFile {
  path: string
  format: Format
  compression: Compression
  /**
   * Size on disk, in bytes; `null` for what is not a regular file: a pipe or a device
   * (`/dev/stdin`, a shell's `<(zcat …)`), whose length is unknown and whose bytes can be read only
   * once, so nothing samples its head before the read.
   */
  size: number | null
  parse: ParseOptions
  /**
   * Read uncompressed because its name names no compression (no `compression` option): a
   * compression signature at its start is an error (`file-signature.ts`).
   */
  plainByName: boolean
  /** No `delimiter` option was given: a CSV read as one column is checked for another (`one-column-check.ts`). */
  delimiterByDefault: boolean
}

/** Files to read one after the other, as one stream. */
export interface FilePlan {
  kind: 'files'
  files: PlannedFile[]
  description: string | null
  /** Batch size from the options or manifest, if either set one. */
  batchSize: number | undefined
}

/** A source that is not a file: the user's object, iterable or Readable, ready to iterate once. */
export interface CustomPlan {
  kind: 'custom'
  source: DataSource | Iterable<unknown> | AsyncIterable<unknown> | Readable
  /**
   * How to parse the source's bytes — a byte `Readable`, or any iterable or `Readable` given
   * with `options.format`, whose items are chunks of bytes; `null` when the items are records.
   */
  parse: ParseOptions | null
  /** How those bytes are compressed (`'none'` when the items are records). */
  compression: Compression
  batchSize: number | undefined
}

export type SourcePlan = FilePlan | CustomPlan

/**
 * Checks the kind of a source at the `stream()` call, without touching the file system. A byte
 * `Readable` given directly needs `options.format`, which is known here already.
 */
export function validateSource(source: unknown, options: StreamOptions): void {
  if (typeof source === 'string') {
    if (source.length === 0) throw new InvalidArgumentError('stream(source): the path or dataset name is empty')
    return
  }
  if (Array.isArray(source) && source.length > 0 && source.every((s) => typeof s === 'string')) return
  if (isReadable(source) || isDataSource(source) || isIterable(source) || isAsyncIterable(source)) {
    checkItemsOrBytes(source, options)
    return
  }
  if (typeof source === 'function') return
  throw new InvalidArgumentError(
    'stream(source) takes a path, a folder, a dataset name, an array of paths, a data source with readBatches(), an iterable or async iterable, a Readable, or a function returning one of those',
  )
}

/**
 * Whether a source that is not a path yields records or bytes, and whether the options fit. A
 * data source yields records; a byte `Readable` yields bytes and needs a format; anything else
 * iterable yields records unless `options.format` says its items are chunks of bytes to parse —
 * a `fetch()` body, `process.stdin`'s iterator, a generator of strings.
 */
function checkItemsOrBytes(source: DataSource | Iterable<unknown> | AsyncIterable<unknown> | Readable, options: StreamOptions): 'records' | 'bytes' {
  if (isDataSource(source)) {
    if (options.format !== undefined || options.compression !== undefined) throw dataSourceYieldsRecords()
  } else {
    if (options.format !== undefined) return 'bytes'
    if (isReadable(source) && !source.readableObjectMode) throw byteReadableNeedsFormat()
    if (options.compression !== undefined) throw compressionNeedsFormat()
  }
  const parseOption = PARSE_OPTIONS.find((name) => options[name] !== undefined)
  if (parseOption !== undefined) throw parseOptionForRecords(parseOption, isDataSource(source))
  return 'records'
}

/** Options that say how bytes are parsed, which records (already parsed) cannot honour. */
const PARSE_OPTIONS = ['header', 'delimiter', 'quote', 'types', 'maxRecordBytes'] as const

/**
 * Turns a source into a plan. Runs at the start of every iteration — never at `stream()` — so a
 * missing path errors where iteration begins, and a folder's new files are seen by the next loop.
 */
export function resolveSource(source: Source, options: StreamOptions): SourcePlan {
  const given = typeof source === 'function' && !isDataSource(source) ? (source as () => unknown)() : source
  if (typeof given === 'string') return planFiles([given], options, true)
  if (Array.isArray(given) && given.length > 0 && given.every((s) => typeof s === 'string')) {
    return planFiles(given as string[], options, false)
  }
  if (isReadable(given) && (given.readableEnded || given.destroyed)) {
    throw new RingstreamError('ERR_SOURCE_CONSUMED', 'this stream reads a Readable that has already been read to its end or destroyed', {
      hint: 'pass a function that returns a fresh Readable, e.g. stream(() => fs.createReadStream(path), …), to iterate more than once',
    })
  }
  if (isReadable(given) || isDataSource(given) || isIterable(given) || isAsyncIterable(given)) {
    if (checkItemsOrBytes(given, options) === 'records') {
      return { kind: 'custom', source: given, parse: null, compression: 'none', batchSize: options.batchSize }
    }
    const parse = parseOptionsFor(options.format as Format, options)
    return { kind: 'custom', source: given, parse, compression: options.compression ?? 'none', batchSize: options.batchSize }
  }
  throw new TypeError('the source function must return an iterable, an async iterable, a data source or a Readable')
}

function planFiles(paths: string[], options: StreamOptions, mayBeName: boolean): FilePlan {
  const files: PlannedFile[] = []
  let description: string | null = null
  let manifestOptions: DatasetManifest['options'] = {}
  for (const given of paths) {
    const stat = statOrNull(given)
    let target = given
    let isDir = stat?.isDirectory() ?? false
    if (stat === null) {
      if (!mayBeName) throw notFound(given)
      const entry = findDataset(given, catalogFolders(options.catalog))
      target = entry.path
      isDir = statOrNull(target)?.isDirectory() ?? false
      description = entry.manifest?.description ?? null
      manifestOptions = entry.manifest?.options ?? {}
    } else if (isDir) {
      const manifest = readManifest(given)
      description = manifest?.description ?? description
      manifestOptions = manifest?.options ?? manifestOptions
    }
    const effective: StreamOptions = { ...manifestOptions, ...options }
    const members = isDir ? listDataFiles(target, effective.format !== undefined) : [target]
    for (const path of members) files.push(planFile(path, effective))
  }
  return { kind: 'files', files, description, batchSize: options.batchSize ?? manifestOptions.batchSize }
}

function planFile(path: string, options: StreamOptions): PlannedFile {
  const kind = fileKind(path)
  const format = options.format ?? kind.format
  if (format === null) {
    throw new RingstreamError('ERR_UNSUPPORTED', `cannot tell the format of ${path} from its name`, {
      hint: "pass { format: 'jsonl' }, 'csv', 'tsv' or 'json'",
    })
  }
  const stat = statOrNull(path)
  if (stat === null) throw notFound(path)
  const compression = options.compression ?? kind.compression
  const plainByName = options.compression === undefined && compression === 'none'
  return { path, format, compression, size: stat.isFile() ? stat.size : null, parse: parseOptionsFor(format, options), plainByName, delimiterByDefault: options.delimiter === undefined }
}

/** The files' sizes added up; `null` when one of them has none (a pipe or a device). */
export function totalSize(files: readonly PlannedFile[]): number | null {
  let total = 0
  for (const file of files) {
    if (file.size === null) return null
    total += file.size
  }
  return total
}

/** The parse options for one format, with the documented defaults filled in. */
export function parseOptionsFor(format: Format, options: StreamOptions): ParseOptions {
  return {
    format,
    header: options.header ?? true,
    delimiter: options.delimiter ?? (format === 'tsv' ? '\t' : ','),
    quote: options.quote === undefined ? '"' : options.quote,
    types: options.types ?? 'string',
    maxRecordBytes: options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path)
  } catch {
    return null
  }
}

function byteReadableNeedsFormat(): InvalidArgumentError {
  return new InvalidArgumentError("a byte Readable needs { format } to know how to parse it: pass { format: 'jsonl' }, 'csv', 'tsv' or 'json'")
}

function compressionNeedsFormat(): InvalidArgumentError {
  return new InvalidArgumentError(
    "options.compression applies to bytes, and without options.format this source's items are taken as records (an object-mode Readable's objects, an iterable's items): pass { format } as well to parse its items as chunks of bytes, or drop compression",
  )
}

function parseOptionForRecords(name: (typeof PARSE_OPTIONS)[number], dataSource: boolean): InvalidArgumentError {
  const remedy = dataSource ? 'drop it' : 'drop it, or pass { format } as well to parse the items as chunks of bytes'
  return new InvalidArgumentError(
    `options.${name} says how bytes are parsed, and this source's items are records (already parsed), which it would not change: ${remedy}`,
  )
}

function dataSourceYieldsRecords(): InvalidArgumentError {
  return new InvalidArgumentError(
    "options.format and options.compression apply to bytes, and a data source's readBatches() yields records: drop them, or pass the bytes themselves (a Readable or an iterable of chunks) with { format }",
  )
}

function notFound(path: string): RingstreamError {
  return new RingstreamError('ERR_NOT_FOUND', `no such file or folder: ${path}`)
}
