// What handing one native batch to JavaScript costs the JS thread: `nextBatchSync` timed alone,
// after `waitForBatch` has let the reader thread finish the batch, so the time is the batch's
// conversion into typed arrays and nothing else. Two ways, alternating round by round:
// `arena` hands each call the previous batch's arena, as the engine does (DESIGN.md, "One arena
// per reader"); `new` hands none, so every batch gets a new ArrayBuffer.
//
//   node bench/handoff-cost.mjs [--size-mb 100] [--rounds 5] [--batches 200] [--datasets …] [--data-dir dir]
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { DATASETS } from './datasets.mjs'
import { describeBuild, describeMachine, listOption, median, pick, prepareData, printTable } from './common.mjs'

const MODES = ['arena', 'new']
/** The first batches of a file are small (64 records, then twice as many each time). */
const RAMP_UP_BATCHES = 8

const { values: options } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '100' },
    rounds: { type: 'string', default: '5' },
    batches: { type: 'string', default: '200' },
    datasets: { type: 'string' },
    'data-dir': { type: 'string' },
  },
})

const entry = fileURLToPath(import.meta.resolve('ringstream'))
const { NativeReader } = createRequire(entry)(join(dirname(entry), '..', 'native', 'binding.js'))
const datasets = pick(listOption(options.datasets), DATASETS, 'dataset')
const { files, cleanup } = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })

/** Times `batches` hand-offs of one file; returns the microseconds of each and the records. */
async function measure(path, mode, batches) {
  const format = path.endsWith('.csv') ? 'csv' : 'jsonl'
  const reader = new NativeReader({
    path, format, compression: 'none', header: format === 'csv', delimiter: ',', quote: '"', types: 'string',
    maxRecordBytes: 64 << 20, batchSize: 4096, bufferSize: 64 << 10, handoff: 'columnar',
  })
  const micros = []
  let records = 0
  let arena = null
  try {
    for (let k = 0; k < RAMP_UP_BATCHES + batches; k++) {
      await reader.waitForBatch()
      const started = performance.now()
      const batch = reader.nextBatchSync(mode === 'arena' ? arena : null)
      const elapsed = performance.now() - started
      if (batch === null) break
      arena = batch.arena
      if (k < RAMP_UP_BATCHES) continue
      micros.push(elapsed * 1000)
      records += batch.positions.length / 2
    }
  } finally {
    reader.close()
  }
  return { micros, records }
}

console.log(describeMachine())
console.log(describeBuild())
const rows = []
for (const name of datasets) {
  const byMode = Object.fromEntries(MODES.map((mode) => [mode, { micros: [], records: 0 }]))
  for (let round = 0; round < Number(options.rounds); round++) {
    for (const mode of round % 2 === 0 ? MODES : [...MODES].reverse()) {
      const { micros, records } = await measure(files[name], mode, Number(options.batches))
      byMode[mode].micros.push(...micros)
      byMode[mode].records += records
    }
  }
  for (const mode of MODES) {
    const { micros, records } = byMode[mode]
    const perBatch = median(micros)
    const recordsPerBatch = records / micros.length
    rows.push([name, mode, micros.length, Math.round(recordsPerBatch), perBatch.toFixed(0), ((perBatch * 1000) / recordsPerBatch).toFixed(1)])
  }
}
printTable(['dataset', 'arena', 'batches', 'records per batch', 'median µs per batch', 'ns per record'], rows)
cleanup()
