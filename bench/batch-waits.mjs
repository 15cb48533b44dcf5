// How long the JS thread of a native `for…of` waits for the reader thread: W1 over each dataset,
// timing every `nextBatchSync` call (the only place the JS thread blocks), beside the wall time
// and the JS thread's CPU time of the same read. With `--queue-depths`, the reader's queue of
// finished batches (2 by default) is set to each depth in turn, round by round in one process, to
// see whether a deeper queue takes the waiting away.
//
// It wraps the addon's `NativeReader` in place (the module object the engine loaded), so it
// needs the addon beside dist/ (`npm run build:native`) on a platform whose binary is loaded
// from there; it says so and stops otherwise.
//
//   node bench/batch-waits.mjs [--size-mb 100] [--rounds 5] [--datasets narrow.csv] [--queue-depths 2,4,8] [--data-dir dir]
import { readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { stream } from 'ringstream'
import { DATASETS } from './datasets.mjs'
import { describeBuild, describeMachine, jsThreadCpuMs, listOption, median, pick, prepareData, printTable } from './common.mjs'

/** A call to `nextBatchSync` longer than this waited for the reader thread (a batch at hand takes a few µs). */
const WAIT_MS = 0.05

const { values: options } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
    datasets: { type: 'string', default: 'narrow.csv' },
    'queue-depths': { type: 'string', default: '2' },
    'data-dir': { type: 'string' },
  },
})
const datasets = pick(listOption(options.datasets), DATASETS, 'dataset')
const depths = listOption(options['queue-depths']).map(Number)
if (depths.some((depth) => !Number.isInteger(depth) || depth < 0)) throw new Error('--queue-depths takes whole numbers, 0 or more')
const rounds = Number(options.rounds)

const entry = fileURLToPath(import.meta.resolve('ringstream'))
const nativeFolder = join(dirname(entry), '..', 'native')
const addonFile = readdirSync(nativeFolder).find((name) => name.startsWith('ringstream.') && name.endsWith('.node'))
if (addonFile === undefined) {
  console.log(`no addon in ${nativeFolder}: run npm run build:native first`)
  process.exit(0)
}
const addon = createRequire(entry)(join(nativeFolder, addonFile))

/** What the wrapped reader has seen since the last `reset`. */
const seen = { calls: 0, waitedMs: 0, waits: 0, depth: 2 }
const { NativeReader } = addon
const nextBatchSync = NativeReader.prototype.nextBatchSync
NativeReader.prototype.nextBatchSync = function timedNextBatchSync(arena) {
  const started = performance.now()
  try {
    return nextBatchSync.call(this, arena)
  } finally {
    const ms = performance.now() - started
    seen.calls++
    seen.waitedMs += ms
    if (ms > WAIT_MS) seen.waits++
  }
}
addon.NativeReader = class extends NativeReader {
  constructor(readerOptions) {
    super({ ...readerOptions, queueDepth: seen.depth })
  }
}

const { files, cleanup } = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })

/** W1 with `for…of` over `path` with the reader's queue `depth` deep. */
function read(path, depth) {
  Object.assign(seen, { calls: 0, waitedMs: 0, waits: 0, depth })
  const cpu = jsThreadCpuMs()
  const started = performance.now()
  let records = 0
  for (const _ of stream(path, { engine: 'native' })) records++
  const wallMs = performance.now() - started
  const cpuAfter = jsThreadCpuMs()
  return { records, wallMs, cpuMs: cpu === null || cpuAfter === null ? null : cpuAfter - cpu, ...seen }
}

console.log(`machine: ${describeMachine()}`)
console.log(`build: ${describeBuild()}`)
console.log(`W1 for…of, native engine, medians of ${rounds} rounds (the depths alternate within each round, after one read each to warm up)\n`)
const rows = []
try {
  for (const dataset of datasets) {
    const results = new Map(depths.map((depth) => [depth, []]))
    for (const depth of depths) {
      if (read(files[dataset], depth).calls === 0) throw new Error(`the engine did not read through ${addonFile}: nothing to time on this platform`)
    }
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < depths.length; k++) {
        const depth = depths[(k + round) % depths.length]
        results.get(depth).push(read(files[dataset], depth))
      }
    }
    const baseWall = median(results.get(depths[0]).map((r) => r.wallMs))
    for (const depth of depths) {
      const runs = results.get(depth)
      const cpu = runs.every((r) => r.cpuMs !== null) ? median(runs.map((r) => r.cpuMs)).toFixed(0) : '–'
      const wall = median(runs.map((r) => r.wallMs))
      rows.push([
        dataset,
        String(depth),
        wall.toFixed(0),
        `${(baseWall / wall).toFixed(3)}×`,
        cpu,
        median(runs.map((r) => r.waitedMs)).toFixed(1),
        median(runs.map((r) => r.waits)).toFixed(0),
        String(runs[0].calls),
      ])
    }
  }
} finally {
  cleanup()
}
printTable(['dataset', 'queue depth', 'wall ms', 'speed vs first depth', 'JS-thread CPU ms', 'ms in nextBatchSync', `calls over ${WAIT_MS * 1000} µs`, 'batches'], rows)
