// How ringstream's batch size and read-buffer size change its speed and peak RSS (W1: every
// record to a JS object). Each (engine, dataset, batchSize, bufferSize) runs in a fresh child
// process, --repeat times in rotating order; the table shows median MiB/s and median peak RSS.
// `default` is what ringstream picks by itself (`recommendedBatchSize`, the default buffer).
//
//   node bench/batch-size.mjs [--size-mb 30] [--repeat 3] [--datasets …] [--engines ts,native]
//                             [--batch-sizes default,256,1024,8192] [--buffer-sizes default,65536,1048576]
import { execFile } from 'node:child_process'
import { statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { stream } from 'ringstream'
import { DATASETS } from './datasets.mjs'
import { describeBuild, describeMachine, listOption, MB, median, pick, prepareData, printTable } from './common.mjs'

const SCRIPT = fileURLToPath(import.meta.url)
const CHILD_FLAG = '--child'
const execFileAsync = promisify(execFile)

/** In the child: reads the whole file once and prints records, seconds and peak RSS. */
function runChild([engine, path, batchSize, bufferSize]) {
  const options = { engine }
  if (batchSize !== 'default') options.batchSize = Number(batchSize)
  if (bufferSize !== 'default') options.bufferSize = Number(bufferSize)
  let records = 0
  const started = performance.now()
  for (const _ of stream(path, options)) records++
  const seconds = (performance.now() - started) / 1000
  process.stdout.write(JSON.stringify({ records, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n')
}

async function runParent() {
  const { values: options } = parseArgs({
    options: {
      'size-mb': { type: 'string', default: '30' },
      repeat: { type: 'string', default: '3' },
      datasets: { type: 'string' },
      engines: { type: 'string', default: 'ts,native' },
      'batch-sizes': { type: 'string', default: 'default,256,1024,8192' },
      'buffer-sizes': { type: 'string', default: 'default,1048576' },
      'data-dir': { type: 'string' },
    },
  })
  const datasets = pick(listOption(options.datasets), DATASETS, 'dataset')
  const engines = listOption(options.engines)
  const batchSizes = listOption(options['batch-sizes'])
  const bufferSizes = listOption(options['buffer-sizes'])
  const repeat = Number(options.repeat)
  console.log(`machine: ${describeMachine()}`)
  console.log(`build: ${describeBuild()}`)
  const { files, cleanup } = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })
  try {
    const rows = []
    for (const dataset of datasets) {
      const path = files[dataset]
      const configs = engines.flatMap((engine) => batchSizes.flatMap((batch) => bufferSizes.map((buffer) => ({ engine, batch, buffer, runs: [] }))))
      for (let round = 0; round < repeat; round++) {
        for (let i = 0; i < configs.length; i++) {
          const config = configs[(i + round) % configs.length]
          const { stdout } = await execFileAsync(process.execPath, [SCRIPT, CHILD_FLAG, config.engine, path, config.batch, config.buffer])
          config.runs.push(JSON.parse(stdout.trim().split('\n').pop()))
        }
      }
      const fileMb = statSync(path).size / MB
      for (const { engine, batch, buffer, runs } of configs) {
        if (new Set(runs.map((run) => run.records)).size !== 1) throw new Error(`${dataset} ${engine}: record counts differ between runs`)
        rows.push([
          dataset,
          engine,
          batch,
          buffer,
          median(runs.map((run) => fileMb / run.seconds)).toFixed(1),
          median(runs.map((run) => run.peakRssBytes / MB)).toFixed(1),
        ])
      }
    }
    console.log(`\n${Number(options['size-mb'])} MiB per file, ${repeat} child processes per row\n`)
    printTable(['dataset', 'engine', 'batchSize', 'bufferSize', 'median MiB/s', 'median peak RSS MiB'], rows)
  } finally {
    cleanup()
  }
}

if (process.argv[2] === CHILD_FLAG) runChild(process.argv.slice(3))
else await runParent()
