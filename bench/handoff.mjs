// The native engine's two hand-offs side by side: how a batch read by the Rust core becomes JS
// records (DESIGN.md, "Hand-off"; ts/engine/native/handoff.ts).
//
//   native-json      the core writes one JSON array text per batch; V8's JSON.parse builds it
//   native-columnar  the core hands a text blob, offsets, kinds and parsed numbers; the records
//                    are built in JS by a constructor generated once per header
//
// Workload W1 (every record to a JS object, count them) on wide.csv, narrow.csv and wide.jsonl,
// each run in a fresh child process (no reader inherits another's heap or JIT state) that times
// the whole read, from opening the file to the last record (module loading excluded), and
// reports its peak RSS. Runs are repeated in rotating order (default 7 rounds), so the slow
// phases of a noisy machine fall on every reader alike; tables show medians and ratios of
// medians. The TS engine and the usual competitors (uDSV and csv-parse for CSV, readline for
// JSON Lines) are reference columns.
//
//   node bench/handoff.mjs [--size-mb 50] [--repeat 7] [--datasets …] [--types string|infer]
//
// Needs dist/ (npx tsup) and the native binary (npm run build:native).
import { execFile } from 'node:child_process'
import { statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { stream } from 'ringstream'
import { DATASETS } from './datasets.mjs'
import { findReader, formatOf, nativeEngineUnavailableReason } from './readers.mjs'
import { runWorkload } from './workloads.mjs'
import { describeBuild, describeMachine, listOption, MB, median, pick, prepareData, printTable, speedRatio } from './common.mjs'

const SCRIPT = fileURLToPath(import.meta.url)
/** Differences of medians below this fraction are within this kind of machine's noise (bench/README.md, "Machine"). */
const NOISE = 0.15
const CHILD_FLAG = '--child'
const execFileAsync = promisify(execFile)

/**
 * The readers compared. The ringstream ones run `for (const r of stream(path, options))`; the
 * hand-off is chosen through `RINGSTREAM_NATIVE_HANDOFF`, which the native engine reads at
 * every file it opens. The others are the readers of readers.mjs.
 */
const READERS = [
  { name: 'native-json', formats: ['csv', 'jsonl'], engine: 'native', env: { RINGSTREAM_NATIVE_HANDOFF: 'json' } },
  { name: 'native-columnar', formats: ['csv', 'jsonl'], engine: 'native', env: { RINGSTREAM_NATIVE_HANDOFF: 'columnar' } },
  { name: 'ts', formats: ['csv', 'jsonl'], engine: 'ts', env: {} },
  { name: 'udsv', formats: ['csv'], strings: true },
  { name: 'csv-parse', formats: ['csv'], strings: true },
  { name: 'readline', formats: ['jsonl'], strings: true },
]

const DESCRIPTIONS = {
  'native-json': "stream(f, { engine: 'native' }) with RINGSTREAM_NATIVE_HANDOFF=json: one JSON text per batch, JSON.parse",
  'native-columnar': "stream(f, { engine: 'native' }) with RINGSTREAM_NATIVE_HANDOFF=columnar: text blob + offsets + kinds + numbers, records built in JS",
  ts: "stream(f, { engine: 'ts' })",
  udsv: 'uDSV incremental chunk() API, stringObjs, row callback (readers.mjs)',
  'csv-parse': 'csv-parse streaming API, columns: true (readers.mjs)',
  readline: 'readline over fs.createReadStream + JSON.parse per line (readers.mjs)',
}

/** In the child: one W1 over the whole file; prints `{ records, seconds, peakRssBytes }`. */
async function runChild([readerName, dataset, path, types]) {
  const reader = READERS.find((r) => r.name === readerName)
  const started = performance.now()
  let records = 0
  if (reader.engine) {
    for (const _ of stream(path, { engine: reader.engine, types })) records++
  } else {
    records = await runWorkload(await findReader(readerName), 'W1', dataset, path)
  }
  const seconds = (performance.now() - started) / 1000
  process.stdout.write(JSON.stringify({ records, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }) + '\n')
}

async function measureInChild(reader, dataset, path, types) {
  const { stdout } = await execFileAsync(process.execPath, [SCRIPT, CHILD_FLAG, reader.name, dataset, path, types], {
    maxBuffer: 1 << 20,
    env: { ...process.env, RINGSTREAM_NATIVE_HANDOFF: '', ...reader.env },
  })
  return JSON.parse(stdout.trim().split('\n').pop())
}

async function runParent() {
  const USAGE = `usage: node bench/handoff.mjs [options]

  --datasets a,b   datasets (default: all): ${DATASETS.join(', ')}
  --readers a,b    readers (default: all): ${READERS.map((r) => r.name).join(', ')}
  --size-mb n      size of each generated file in MiB (default 50)
  --repeat n       rounds, one child process per reader and dataset each (default 7)
  --types t        ringstream's types option, string (default) or infer; with infer only
                   ringstream's readers run (the others give strings)
  --data-dir dir   keep the generated files there for the next run (default: a temp dir)
  --json file      also write the results as JSON
`
  const { values: options } = parseArgs({
    options: {
      datasets: { type: 'string' },
      readers: { type: 'string' },
      'size-mb': { type: 'string' },
      repeat: { type: 'string' },
      types: { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (options.help) return console.log(USAGE)
  const datasets = pick(listOption(options.datasets), DATASETS, 'dataset')
  const types = options.types ?? 'string'
  if (types !== 'string' && types !== 'infer') throw new Error('--types is string or infer')
  let readers = READERS.filter((r) => pick(listOption(options.readers), READERS.map((x) => x.name), 'reader').includes(r.name))
  if (types === 'infer') readers = readers.filter((r) => !r.strings)
  const unavailable = await nativeEngineUnavailableReason()
  if (unavailable !== null) throw new Error(`the native engine does not load: ${unavailable}`)
  const repeat = Number(options.repeat ?? 7)
  const sizeMb = Number(options['size-mb'] ?? 50)
  console.log(`machine: ${describeMachine()}`)
  console.log(`build: ${describeBuild()}`)
  console.log(`W1, types: '${types}'; files: ${sizeMb} MiB each; ${repeat} rounds, one child process per reader each\n`)
  const data = await prepareData({ dataDir: options['data-dir'], sizeMb, datasets })
  const results = []
  try {
    for (const dataset of datasets) {
      const datasetReaders = readers.filter((r) => r.formats.includes(formatOf(dataset)))
      if (datasetReaders.length === 0) continue
      process.stdout.write(`${dataset} `)
      const result = await measure(datasetReaders, dataset, data.files[dataset], repeat, types)
      results.push(result)
      printResult(result)
    }
  } finally {
    data.cleanup()
  }
  printSummary(results)
  console.log('\nreaders:')
  for (const reader of readers) console.log(`  ${reader.name.padEnd(16)} ${DESCRIPTIONS[reader.name]}`)
  if (options.json) {
    writeFileSync(options.json, JSON.stringify({ machine: describeMachine(), build: describeBuild(), types, sizeMb, repeat, results }, null, 2) + '\n')
    console.log(`\nwrote ${options.json}`)
  }
}

async function measure(readers, dataset, path, repeat, types) {
  const runs = new Map(readers.map((r) => [r.name, []]))
  for (let round = 0; round < repeat; round++) {
    for (let i = 0; i < readers.length; i++) {
      const reader = readers[(i + round) % readers.length]
      runs.get(reader.name).push(await measureInChild(reader, dataset, path, types))
      process.stdout.write('.')
    }
  }
  process.stdout.write('\n')
  const fileBytes = statSync(path).size
  const summaries = [...runs].map(([reader, list]) => ({
    reader,
    records: list[0].records,
    medianSeconds: median(list.map((run) => run.seconds)),
    minSeconds: Math.min(...list.map((run) => run.seconds)),
    maxSeconds: Math.max(...list.map((run) => run.seconds)),
    medianPeakRssBytes: median(list.map((run) => run.peakRssBytes)),
    runs: list,
  }))
  const counts = new Set(summaries.flatMap((s) => s.runs.map((run) => run.records)))
  if (counts.size !== 1) throw new Error(`readers disagree on the records of ${dataset}: ${summaries.map((s) => `${s.reader}=${s.records}`).join(', ')}`)
  return { dataset, fileBytes, summaries }
}

function printResult({ dataset, fileBytes, summaries }) {
  const time = (name) => summaries.find((s) => s.reader === name)?.medianSeconds
  const references = ['native-json', 'ts', 'udsv'].filter((name) => time(name) !== undefined)
  console.log(`\n### ${dataset} (${(fileBytes / MB).toFixed(0)} MiB, ${summaries[0].records} records)`)
  printTable(
    ['reader', 'median ms', 'range ms', 'MiB/s', 'median peak RSS MiB', ...references.map((name) => `speed vs ${name}`)],
    summaries.map((s) => [
      s.reader,
      (s.medianSeconds * 1000).toFixed(0),
      `${(s.minSeconds * 1000).toFixed(0)}–${(s.maxSeconds * 1000).toFixed(0)}`,
      (fileBytes / MB / s.medianSeconds).toFixed(1),
      (s.medianPeakRssBytes / MB).toFixed(1),
      ...references.map((name) => speedRatio(time(name), s.medianSeconds)),
    ]),
  )
  console.log('')
}

/** The decision: columnar's speed relative to JSON text per dataset, and where the native engine stands. */
function printSummary(results) {
  const rows = results.map(({ dataset, summaries }) => {
    const time = (name) => summaries.find((s) => s.reader === name)?.medianSeconds
    const json = time('native-json')
    const columnar = time('native-columnar')
    const faster = !json || !columnar ? '–' : Math.abs(json / columnar - 1) < NOISE ? 'neither (within noise)' : columnar < json ? 'columnar' : 'json'
    const best = Math.min(json ?? Infinity, columnar ?? Infinity)
    return [dataset, speedRatio(json, columnar), faster, speedRatio(time('ts'), best), speedRatio(time('udsv') ?? time('readline'), best)]
  })
  console.log('## Summary (ratios of median times; >1× = the first is faster)')
  printTable(['dataset', 'columnar vs json', 'faster hand-off', 'best native vs ts', 'best native vs udsv / readline'], rows)
}

if (process.argv[2] === CHILD_FLAG) {
  await runChild(process.argv.slice(3))
} else {
  await runParent()
}
