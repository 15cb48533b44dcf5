// The readers the benchmarks compare: ringstream's engines and the usual ways to read the same
// files in Node.js. Every competitor is written as `forEachRecord(path, onRecord)`, where
// `onRecord` returns `false` to stop early; the workloads (workloads.mjs) are built on top of it.
// ringstream is driven through its own chain (`filter`, `select`, `limit`) instead, because that
// is how its users run those workloads.
//
// Each competitor gets its fastest documented streaming mode, with options that make it do the
// same job as ringstream (header row → objects of strings, quote-aware CSV, UTF-8 decoded safely
// across chunk boundaries), so the comparison is about parsing, not about configuration.
//
// A reader's package is imported only when the reader is loaded (`loadReaders`), so a child
// process that measures one reader's peak RSS holds that reader's code and no other's.
import { closeSync, createReadStream, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { StringDecoder } from 'node:string_decoder'

/** The packages of the loaded readers, by name: see `PACKAGES` and `loadReaders`. */
const loaded = {}

/** Bytes per read for the synchronous readers; the same as ringstream's default `bufferSize`. */
const READ_CHUNK_BYTES = 1 << 20

/**
 * `readline` over a file stream, one `JSON.parse` per line: what most Node.js code does.
 */
async function readlineJsonParse(path, onRecord) {
  const input = createReadStream(path)
  const lines = createInterface({ input, crlfDelay: Infinity })
  try {
    for await (const line of lines) {
      if (line.length === 0) continue
      if (onRecord(JSON.parse(line)) === false) break
    }
  } finally {
    // Leaving the loop closes the interface but not the file stream it reads.
    lines.close()
    input.destroy()
  }
}

/**
 * The fastest simple pure-JS JSON Lines reader: synchronous 1 MiB reads, each chunk decoded to
 * a string once (StringDecoder keeps a UTF-8 sequence split by the chunk edge for the next
 * chunk), lines found with `indexOf('\n')`, then `JSON.parse`. `Buffer#indexOf(10)` plus one
 * `toString` per line measured the same here (medians within noise over 10 interleaved runs on
 * 50 MB), and needs a Buffer.concat for lines split across reads, so the string form is kept.
 */
function handRolledJsonl(path, onRecord) {
  const fd = openSync(path, 'r')
  const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES)
  const decoder = new StringDecoder('utf8')
  let partialLine = ''
  try {
    for (;;) {
      const bytesRead = readSync(fd, chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      const text = partialLine + decoder.write(chunk.subarray(0, bytesRead))
      let lineStart = 0
      let newline
      while ((newline = text.indexOf('\n', lineStart)) !== -1) {
        if (newline > lineStart && onRecord(JSON.parse(text.slice(lineStart, newline))) === false) return
        lineStart = newline + 1
      }
      partialLine = text.slice(lineStart)
    }
    const lastLine = partialLine + decoder.end()
    if (lastLine.trim().length > 0) onRecord(JSON.parse(lastLine))
  } finally {
    closeSync(fd)
  }
}

/**
 * csv-parse's streaming API with `columns: true`, fed by a file stream and consumed with
 * `for await`, as its documentation shows.
 */
async function csvParseStream(path, onRecord) {
  const input = createReadStream(path)
  const parser = input.pipe(loaded['csv-parse'].parse({ columns: true }))
  try {
    for await (const record of parser) {
      if (onRecord(record) === false) break
    }
  } finally {
    // `pipe` does not destroy the source when the destination is destroyed.
    parser.destroy()
    input.destroy()
  }
}

/**
 * Papa Parse on a file stream with `header: true`. The `chunk` callback (one array of rows per
 * read) is Papa Parse's fastest streaming mode; `step` calls back once per row and is slower.
 * The stream is opened with `encoding: 'utf8'` because Papa Parse would otherwise call
 * `toString()` on each Buffer and break characters split across reads.
 */
function papaparseStream(path, onRecord) {
  return new Promise((resolve, reject) => {
    const input = createReadStream(path, { encoding: 'utf8' })
    loaded.papaparse.default.parse(input, {
      header: true,
      delimiter: ',',
      skipEmptyLines: true,
      chunk(results, parser) {
        for (const row of results.data) {
          if (onRecord(row) === false) {
            parser.abort()
            return
          }
        }
      },
      complete(results) {
        // After abort() Papa Parse stops parsing but leaves the file stream flowing.
        if (results?.meta?.aborted) input.destroy()
        resolve()
      },
      error(error) {
        input.destroy()
        reject(error)
      },
    })
  })
}

/**
 * uDSV through its incremental `chunk()` API (it has no stream API of its own), rows delivered
 * as objects of strings (`stringObjs`) to a callback so nothing accumulates. It is fed by
 * synchronous 1 MiB reads decoded with StringDecoder. The schema is inferred from the first
 * chunk, as uDSV's streaming example does, but the delimiter and quote are given: uDSV otherwise
 * turns quote handling off when the first chunk has no `"`, which would be wrong for a later
 * quoted field and would not be the job the other parsers do.
 */
function udsvChunks(path, onRecord) {
  const fd = openSync(path, 'r')
  const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES)
  const decoder = new StringDecoder('utf8')
  let parser = null
  let stopped = false
  const onRow = (row) => {
    if (onRecord(row) === false) {
      stopped = true
      return false
    }
  }
  try {
    while (!stopped) {
      const bytesRead = readSync(fd, chunk, 0, chunk.length, null)
      if (bytesRead === 0) break
      const text = decoder.write(chunk.subarray(0, bytesRead))
      parser ??= loaded.udsv.initParser(loaded.udsv.inferSchema(text, { col: ',', encl: '"' }))
      parser.chunk(text, parser.stringObjs, onRow)
    }
    if (parser !== null && !stopped) {
      const rest = decoder.end()
      if (rest) parser.chunk(rest, parser.stringObjs, onRow)
      parser.end()
    }
  } finally {
    closeSync(fd)
  }
}

/** A ringstream engine as a reader: the workloads use its chain, not `forEachRecord`. */
function ringstreamReader(engine) {
  return {
    name: `ringstream-${engine}`,
    formats: ['jsonl', 'csv'],
    open: (path) => loaded.ringstream.stream(path, { engine }),
  }
}

/** Every reader, in the order tables print them. `formats` says which files each can read. */
export const ALL_READERS = [
  ringstreamReader('ts'),
  ringstreamReader('native'),
  { name: 'readline', formats: ['jsonl'], forEachRecord: readlineJsonParse },
  { name: 'hand-rolled', formats: ['jsonl'], forEachRecord: handRolledJsonl },
  { name: 'csv-parse', formats: ['csv'], forEachRecord: csvParseStream },
  { name: 'papaparse', formats: ['csv'], forEachRecord: papaparseStream },
  { name: 'udsv', formats: ['csv'], forEachRecord: udsvChunks },
]

/** The package each reader needs loaded, if any. */
const PACKAGES = {
  'ringstream-ts': 'ringstream',
  'ringstream-native': 'ringstream',
  'csv-parse': 'csv-parse',
  papaparse: 'papaparse',
  udsv: 'udsv',
}

/** Imports the packages `readers` need (once per process) and returns `readers`. */
export async function loadReaders(readers) {
  for (const reader of readers) {
    const name = PACKAGES[reader.name]
    if (name !== undefined) loaded[name] ??= await import(name)
  }
  return readers
}

/** What each reader is, for table footers and the README. */
export const READER_DESCRIPTIONS = {
  'ringstream-ts': 'ringstream, `{ engine: "ts" }`, synchronous `for…of`',
  'ringstream-native': 'ringstream, `{ engine: "native" }`, synchronous `for…of`',
  readline: '`readline` over `fs.createReadStream` + `JSON.parse` per line',
  'hand-rolled': '`fs.readSync` 1 MiB chunks → StringDecoder → `indexOf("\\n")` → `JSON.parse`',
  'csv-parse': 'csv-parse streaming API, `columns: true`, `for await` over the piped file stream',
  papaparse: 'Papa Parse, `header: true`, file stream (utf8), `chunk` callback',
  udsv: 'uDSV incremental `chunk()` API with `stringObjs` and a row callback, fed by `fs.readSync` 1 MiB chunks',
}

/** The format a dataset file is read as, from its extension. */
export function formatOf(datasetName) {
  return datasetName.endsWith('.jsonl') ? 'jsonl' : 'csv'
}

/**
 * Whether `stream(x, { engine: 'native' })` works here: reads one record of a tiny file of each
 * format. Returns `null` when it works, else the reason (the engine's own message).
 */
export async function nativeEngineUnavailableReason() {
  loaded.ringstream ??= await import('ringstream')
  const dir = mkdtempSync(join(tmpdir(), 'ringstream-native-probe-'))
  try {
    const probes = { 'probe.jsonl': '{"a":1}\n', 'probe.csv': 'a\n1\n' }
    for (const [name, content] of Object.entries(probes)) {
      const path = join(dir, name)
      writeFileSync(path, content)
      let records = 0
      for (const _ of loaded.ringstream.stream(path, { engine: 'native' })) records++
      if (records !== 1) return `read ${records} records from a one-record ${name}`
    }
    return null
  } catch (error) {
    return error?.message?.split('\n')[0] ?? String(error)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The readers selected by name (all when `names` is empty), loaded, without the native engine
 * when it cannot run here, in which case a note saying why is printed.
 */
export async function selectReaders(names, log = console.log) {
  const unknown = names.filter((name) => !ALL_READERS.some((reader) => reader.name === name))
  if (unknown.length > 0) {
    throw new Error(`unknown reader ${unknown.join(', ')}; choose from ${ALL_READERS.map((r) => r.name).join(', ')}`)
  }
  let readers = names.length > 0 ? ALL_READERS.filter((reader) => names.includes(reader.name)) : ALL_READERS
  if (readers.some((reader) => reader.name === 'ringstream-native')) {
    const reason = await nativeEngineUnavailableReason()
    if (reason !== null) {
      log(`note: skipping ringstream-native, the native engine is not available: ${reason}`)
      readers = readers.filter((reader) => reader.name !== 'ringstream-native')
    }
  }
  return loadReaders(readers)
}

/** The reader named `name`, loaded. */
export async function findReader(name) {
  const reader = ALL_READERS.find((candidate) => candidate.name === name)
  if (!reader) throw new Error(`unknown reader ${name}`)
  await loadReaders([reader])
  return reader
}

/** The readers ratios are quoted against: the usual choice per format, and the fastest CSV parser. */
export const BASELINES = { jsonl: ['readline'], csv: ['csv-parse', 'udsv'] }
