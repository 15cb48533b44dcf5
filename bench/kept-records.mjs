// What records a caller keeps hold alive, per reader: every reader reads the whole file, the
// caller keeps one record in 500 (as a `filter` + `toArray` would), and after a full GC the child
// reports the heap. A reader whose records are views into the text it decoded (V8 makes a
// `slice` of 13 characters or more a view of the sliced string) keeps that text alive with them;
// ringstream's records keep at most their own record's text (DESIGN.md, "Hand-off"). This is
// the price of the speed of some parsers, not visible in throughput numbers.
//
//   node bench/kept-records.mjs [--size-mb 100] [--datasets …] [--readers …] [--data-dir dir]

import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { DATASETS } from './datasets.mjs'
import { findReader, formatOf, selectReaders } from './readers.mjs'
import { describeBuild, describeMachine, listOption, MB, pick, prepareData, printTable } from './common.mjs'

const SCRIPT = fileURLToPath(import.meta.url)
const CHILD_FLAG = '--child'
/** The caller keeps one record in this many. */
const KEEP_ONE_IN = 500
const execFileAsync = promisify(execFile)

/**
 * In the child: reads the file with one reader keeping one record in 500, and prints how much
 * the heap (after a full GC) shrinks when the kept records are let go: what they hold alive.
 */
async function runChild([readerName, path]) {
  const reader = await findReader(readerName)
  const kept = []
  let seen = 0
  const onRecord = (record) => {
    if (seen++ % KEEP_ONE_IN === 0) kept.push(record)
  }
  if (reader.open) {
    for (const record of reader.open(path)) onRecord(record)
  } else {
    await reader.forEachRecord(path, onRecord)
  }
  const heapBytes = () => {
    globalThis.gc()
    const memory = process.memoryUsage()
    return memory.heapUsed + memory.external + memory.arrayBuffers
  }
  const withKept = heapBytes()
  const keptCount = kept.length
  kept.length = 0
  const heldBytes = withKept - heapBytes()
  process.stdout.write(JSON.stringify({ seen, kept: keptCount, heldBytes }) + '\n')
}

async function measureInChild(readerName, path) {
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', SCRIPT, CHILD_FLAG, readerName, path], { maxBuffer: 1 << 20 })
  return JSON.parse(stdout.trim().split('\n').pop())
}

const USAGE = `usage: node bench/kept-records.mjs [options]

  --size-mb n      size of each generated file in MiB (default 100)
  --datasets a,b   datasets (default: all): ${DATASETS.join(', ')}
  --readers a,b    readers (default: all)
  --data-dir dir   generate the files there and keep them for the next run (default: a temp dir)
`

async function main() {
  const { values: options } = parseArgs({
    options: {
      help: { type: 'boolean' },
      'size-mb': { type: 'string' },
      datasets: { type: 'string' },
      readers: { type: 'string' },
      'data-dir': { type: 'string' },
    },
  })
  if (options.help) {
    console.log(USAGE)
    return
  }
  const sizeMb = Number(options['size-mb'] ?? 100)
  const datasets = pick(listOption(options.datasets), DATASETS, 'dataset')
  const readers = await selectReaders(listOption(options.readers))
  console.log(`machine: ${describeMachine()}`)
  console.log(`build: ${describeBuild()}`)
  console.log(`files: ${sizeMb} MiB each; one record in ${KEEP_ONE_IN} kept; held = heapUsed + external + arrayBuffers after a full GC, less the same once they are let go\n`)
  const data = await prepareData({ dataDir: options['data-dir'], sizeMb, datasets })
  try {
    for (const dataset of datasets) {
      const rows = []
      for (const reader of readers.filter((r) => r.formats.includes(formatOf(dataset)))) {
        const result = await measureInChild(reader.name, data.files[dataset])
        const perRecord = result.heldBytes / result.kept
        rows.push([reader.name, result.kept, (result.heldBytes / MB).toFixed(2), perRecord >= 10 * 1024 ? `${(perRecord / 1024).toFixed(0)} KiB` : `${perRecord.toFixed(0)} B`])
      }
      console.log(`### ${dataset}`)
      printTable(['reader', 'records kept', 'held MiB', 'held per kept record'], rows)
      console.log('')
    }
  } finally {
    data.cleanup()
  }
}

if (process.argv[2] === CHILD_FLAG) {
  await runChild(process.argv.slice(3))
} else {
  await main()
}
