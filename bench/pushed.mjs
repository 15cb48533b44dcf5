// Bytes that JavaScript has, parsed by each engine: a file's bytes given as chunks — a generator
// of 64 KiB Buffers read with `for…of`, and a file `Readable` read with `for await` — against the
// same file given as a path. Every record is taken (W1). In one process, variants interleaved in
// rotating order; medians of wall time, and the JS thread's CPU time per run (Linux).
//
//   node bench/pushed.mjs [--runs 9] [--builds /tmp/before,.] [--engines native,ts]
//                         [--data-dir DIR] [--size-mb 20] [--datasets wide.jsonl,narrow.csv]
//
// A build is a folder holding `dist/` and `native/`, as for compare-builds.mjs.
import { closeSync, createReadStream, openSync, readSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { describeMachine, jsThreadCpuMs, listOption, median, pick, prepareData, printTable } from './common.mjs'

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..')
const FORMATS = { 'wide.jsonl': 'jsonl', 'wide.csv': 'csv', 'narrow.csv': 'csv' }
const CHUNK_BYTES = 64 << 10

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '9' },
    builds: { type: 'string', default: ROOT },
    engines: { type: 'string', default: 'native,ts' },
    'data-dir': { type: 'string' },
    'size-mb': { type: 'string', default: '20' },
    datasets: { type: 'string', default: 'wide.jsonl,narrow.csv' },
  },
})
const runs = Number(options.runs)
const engines = pick(listOption(options.engines), ['native', 'ts'], 'engine')
const datasets = pick(listOption(options.datasets), Object.keys(FORMATS), 'dataset')
const builds = listOption(options.builds).map((build) => resolve(build))
const require = createRequire(import.meta.url)
const libraries = builds.map((build) => require(resolve(build, 'dist', 'index.js')))
const data = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })

/** The file in fresh Buffers of `CHUNK_BYTES`, as a source of bytes hands them out. */
function* chunksOf(path) {
  const fd = openSync(path, 'r')
  try {
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES)
    for (let n; (n = readSync(fd, buffer)) > 0; ) yield Buffer.from(buffer.subarray(0, n))
  } finally {
    closeSync(fd)
  }
}

const SOURCES = {
  'a generator, for…of': { loop: 'sync', open: (lib, path, format, engine) => lib.stream(() => chunksOf(path), { format, engine }) },
  'a file Readable, for await': { loop: 'async', open: (lib, path, format, engine) => lib.stream(() => createReadStream(path), { format, engine }) },
  'the path, for…of': { loop: 'sync', open: (lib, path, _format, engine) => lib.stream(path, { engine }) },
}

/** One pass over every record: wall ms and the JS thread's CPU ms. */
async function runOnce(variant) {
  const { loop, open } = SOURCES[variant.source]
  const s = open(libraries[variant.build], data.files[variant.dataset], FORMATS[variant.dataset], variant.engine)
  const cpu = jsThreadCpuMs()
  const began = performance.now()
  let records = 0
  if (loop === 'sync') for (const _ of s) records++
  else for await (const _ of s) records++
  const ms = performance.now() - began
  return { ms, cpuMs: cpu === null ? null : jsThreadCpuMs() - cpu, records }
}

const variants = datasets.flatMap((dataset) =>
  builds.flatMap((_, build) => engines.flatMap((engine) => Object.keys(SOURCES).map((source) => ({ dataset, build, engine, source })))),
)
const samples = variants.map(() => [])
for (let run = 0; run < runs; run++) {
  for (let k = 0; k < variants.length; k++) {
    const v = (run + k) % variants.length
    samples[v].push(await runOnce(variants[v]))
  }
}
data.cleanup()

console.log(describeMachine())
console.log(`every record of ${options['size-mb']} MiB files, ${runs} runs per row, medians; chunks of ${CHUNK_BYTES >> 10} KiB\n`)
printTable(
  ['dataset', ...(builds.length > 1 ? ['build'] : []), 'engine', 'source', 'ms', 'JS thread CPU ms'],
  variants.map((v, k) => {
    const cpu = samples[k].map((s) => s.cpuMs)
    return [
      v.dataset,
      ...(builds.length > 1 ? [builds[v.build]] : []),
      v.engine,
      v.source,
      median(samples[k].map((s) => s.ms)).toFixed(0),
      cpu.includes(null) ? '–' : median(cpu).toFixed(0),
    ]
  }),
)
