// Whole-process throughput and peak memory. Every (dataset, reader) pair reads the whole file
// (workload W1: every record to a JS object) in a fresh child process, so no reader inherits
// another's heap or JIT state; the child reports MiB/s (timed from opening the file to the last
// record, module loading excluded) and its peak RSS (`process.resourceUsage().maxRSS`). Runs are
// repeated (default 5) in rotating reader order, so slow phases of a noisy machine fall on every
// reader alike; the tables show medians and speed ratios (ratios of median MiB/s) against
// readline + JSON.parse (JSON Lines) and csv-parse and uDSV (CSV).
//
// --rss reads each dataset at 100 MiB and at 1 GiB (generated on demand in os.tmpdir() and
// deleted afterwards) with ringstream's engines, and says whether the peak RSS at 1 GiB stays
// within 10% of the peak at 100 MiB — the constant-memory promise.
//
//   node bench/throughput.mjs [--size-mb 50] [--repeat 5] [--datasets …] [--readers …]
//   node bench/throughput.mjs --rss [--repeat 3]
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { DATASETS, generate } from './datasets.mjs'
import { ALL_READERS, BASELINES, findReader, formatOf, READER_DESCRIPTIONS, selectReaders } from './readers.mjs'
import { runWorkload } from './workloads.mjs'
import { describeBuild, describeMachine, listOption, MB, median, pick, prepareData, printTable, speedRatio } from './common.mjs'

const SCRIPT = fileURLToPath(import.meta.url)
const CHILD_FLAG = '--child'
const execFileAsync = promisify(execFile)

/** The two input sizes of --rss mode, in MiB (--rss-sizes changes them, for smoke runs). */
const DEFAULT_RSS_SIZES_MB = [100, 1024]
/** How much the peak RSS may grow from the small to the large input and still count as constant. */
const RSS_TOLERANCE = 0.1

/**
 * In the child: reads the whole file with one reader and prints one JSON line. The child loads
 * that reader's package only (before the clock starts); with the reader `idle` it loads none and
 * reads nothing, which gives the RSS of Node.js and the benchmark's own modules.
 */
async function runChild([readerName, dataset, path]) {
  let records = 0
  const reader = readerName === 'idle' ? null : await findReader(readerName)
  const started = performance.now()
  if (reader !== null) records = await runWorkload(reader, 'W1', dataset, path)
  const seconds = (performance.now() - started) / 1000
  // maxRSS is in KiB.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024
  process.stdout.write(JSON.stringify({ records, seconds, peakRssBytes }) + '\n')
}


async function measureInChild(readerName, dataset, path) {
  const { stdout } = await execFileAsync(process.execPath, [SCRIPT, CHILD_FLAG, readerName, dataset, path ?? ''], {
    maxBuffer: 1 << 20,
  })
  return JSON.parse(stdout.trim().split('\n').pop())
}

async function runParent() {
  const USAGE = `usage: node bench/throughput.mjs [options]

  --datasets a,b   datasets to run (default: all): ${DATASETS.join(', ')}
  --readers a,b    readers to run: ${ALL_READERS.map((r) => r.name).join(', ')}
                   (default: all available; with --rss, ringstream's engines)
  --size-mb n      size of each generated file in MiB (default 50; ignored with --rss)
  --repeat n       child processes per dataset and reader (default 5, with --rss 3)
  --rss            peak-RSS mode: each dataset at ${DEFAULT_RSS_SIZES_MB.join(' and ')} MiB, is the peak within ${RSS_TOLERANCE * 100}%?
  --rss-sizes a,b  the two sizes in MiB for --rss (default ${DEFAULT_RSS_SIZES_MB.join(',')}; the larger is generated in os.tmpdir())
  --data-dir dir   keep the smaller generated files there for the next run (default: a temp dir)
  --json file      also write the results as JSON
`
  const { values: options } = parseArgs({
    options: {
      datasets: { type: 'string' },
      readers: { type: 'string' },
      'size-mb': { type: 'string' },
      repeat: { type: 'string' },
      rss: { type: 'boolean', default: false },
      'rss-sizes': { type: 'string' },
      'data-dir': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  if (options.help) {
    console.log(USAGE)
    return
  }
  const datasets = pick(listOption(options.datasets), DATASETS, 'dataset')
  const repeat = Number(options.repeat ?? (options.rss ? 3 : 5))
  console.log(`machine: ${describeMachine()}`)
  console.log(`build: ${describeBuild()}`)
  const readerNames = listOption(options.readers)
  const readers = await selectReaders(readerNames.length > 0 || !options.rss ? readerNames : ['ringstream-ts', 'ringstream-native'])
  if (readers.length === 0) throw new Error('no reader left to run')
  const idle = await measureInChild('idle', '', '')
  console.log(`a child that loads no reader and reads nothing peaks at ${mib(idle.peakRssBytes)} MiB RSS`)

  const output = { machine: describeMachine(), build: describeBuild(), repeat, idleRssBytes: idle.peakRssBytes }
  if (options.rss) {
    const sizesMb = options['rss-sizes'] ? listOption(options['rss-sizes']).map(Number) : DEFAULT_RSS_SIZES_MB
    if (sizesMb.length !== 2 || !(sizesMb[0] < sizesMb[1])) throw new Error('--rss-sizes takes two sizes in MiB, smaller first')
    output.rss = await runRssMode({ datasets, readers, repeat, sizesMb, dataDir: options['data-dir'] })
  } else {
    const sizeMb = Number(options['size-mb'] ?? 50)
    console.log(`files: ${sizeMb} MiB each; ${repeat} child processes per dataset and reader\n`)
    output.sizeMb = sizeMb
    output.throughput = await runThroughputMode({ datasets, readers, repeat, sizeMb, dataDir: options['data-dir'] })
  }
  console.log('\nreaders:')
  for (const reader of readers) console.log(`  ${reader.name.padEnd(17)} ${READER_DESCRIPTIONS[reader.name]}`)
  if (options.json) {
    writeFileSync(options.json, JSON.stringify(output, null, 2) + '\n')
    console.log(`\nwrote ${options.json}`)
  }
}

/**
 * Runs every reader that can read `path` `repeat` times, rotating the order each round. Returns
 * per reader the medians and ranges; fails when readers disagree on the record count.
 */
async function measureReaders({ readers, dataset, path, repeat }) {
  const datasetReaders = readers.filter((reader) => reader.formats.includes(formatOf(dataset)))
  const runs = new Map(datasetReaders.map((reader) => [reader.name, []]))
  for (let round = 0; round < repeat; round++) {
    const order = datasetReaders.map((_, i) => datasetReaders[(i + round) % datasetReaders.length])
    for (const reader of order) {
      runs.get(reader.name).push(await measureInChild(reader.name, dataset, path))
      process.stdout.write('.')
    }
  }
  process.stdout.write('\n')
  const fileBytes = statSync(path).size
  const summaries = [...runs].map(([reader, readerRuns]) => {
    const speeds = readerRuns.map((run) => fileBytes / MB / run.seconds)
    const rss = readerRuns.map((run) => run.peakRssBytes)
    return {
      reader,
      records: readerRuns[0].records,
      medianMibPerSecond: median(speeds),
      minMibPerSecond: Math.min(...speeds),
      maxMibPerSecond: Math.max(...speeds),
      medianPeakRssBytes: median(rss),
      maxPeakRssBytes: Math.max(...rss),
      runs: readerRuns,
    }
  })
  const counts = new Set(summaries.flatMap((summary) => summary.runs.map((run) => run.records)))
  if (counts.size !== 1) {
    throw new Error(`readers disagree on the records of ${dataset}: ${summaries.map((s) => `${s.reader}=${s.records}`).join(', ')}`)
  }
  return { dataset, fileBytes, readers: summaries }
}

async function runThroughputMode({ datasets, readers, repeat, sizeMb, dataDir }) {
  const data = await prepareData({ dataDir, sizeMb, datasets })
  const results = []
  try {
    for (const dataset of datasets) {
      if (!readers.some((reader) => reader.formats.includes(formatOf(dataset)))) continue
      process.stdout.write(`${dataset} `)
      const result = await measureReaders({ readers, dataset, path: data.files[dataset], repeat })
      results.push(result)
      printThroughputTable(result)
    }
  } finally {
    data.cleanup()
  }
  printThroughputSummary(results, readers)
  return results
}

function printThroughputTable({ dataset, fileBytes, readers: summaries }) {
  const baselines = BASELINES[formatOf(dataset)].filter((name) => summaries.some((s) => s.reader === name))
  const speedOf = (name) => summaries.find((s) => s.reader === name).medianMibPerSecond
  console.log(`\n### ${dataset} (${mib(fileBytes)} MiB, ${summaries[0].records} records), W1`)
  printTable(
    ['reader', 'median MiB/s', 'range MiB/s', 'median peak RSS MiB', ...baselines.map((name) => `speed vs ${name}`)],
    summaries.map((s) => [
      s.reader,
      s.medianMibPerSecond.toFixed(1),
      `${s.minMibPerSecond.toFixed(1)}–${s.maxMibPerSecond.toFixed(1)}`,
      mib(s.medianPeakRssBytes),
      ...baselines.map((name) => speedRatio(s.medianMibPerSecond, speedOf(name))),
    ]),
  )
  console.log('')
}

/** ringstream-ts against every competitor: ts median MiB/s ÷ competitor median MiB/s. */
function printThroughputSummary(results, readers) {
  const measuredReaders = new Set(results.flatMap((result) => result.readers.map((summary) => summary.reader)))
  const competitors = readers.map((reader) => reader.name).filter((name) => !name.startsWith('ringstream-') && measuredReaders.has(name))
  const hasNative = readers.some((reader) => reader.name === 'ringstream-native')
  const rows = []
  for (const { dataset, readers: summaries } of results) {
    const find = (name) => summaries.find((s) => s.reader === name)
    const ts = find('ringstream-ts')
    if (!ts) continue
    rows.push([
      dataset,
      ts.medianMibPerSecond.toFixed(1),
      mib(ts.medianPeakRssBytes),
      ...(hasNative ? [speedRatio(find('ringstream-native')?.medianMibPerSecond, ts.medianMibPerSecond)] : []),
      ...competitors.map((name) => speedRatio(ts.medianMibPerSecond, find(name)?.medianMibPerSecond)),
    ])
  }
  if (rows.length === 0) return
  console.log('## Summary: ringstream-ts whole-file speed relative to each reader (>1× = ringstream-ts is faster)')
  printTable(
    ['dataset', 'ts MiB/s', 'ts peak RSS MiB', ...(hasNative ? ['native speed vs ts'] : []), ...competitors.map((name) => `vs ${name}`)],
    rows,
  )
}

/**
 * Peak RSS at two sizes (100 MiB and 1 GiB). The large file of one dataset at a time is
 * generated in os.tmpdir() and deleted before the next, so at most one such file is on disk.
 */
async function runRssMode({ datasets, readers, repeat, sizesMb, dataDir }) {
  const [smallMb, largeMb] = sizesMb
  console.log(`peak RSS at ${smallMb} MiB and ${largeMb} MiB; ${repeat} child processes per dataset, reader and size\n`)
  const small = await prepareData({ dataDir, sizeMb: smallMb, datasets })
  const largeDir = mkdtempSync(join(tmpdir(), 'ringstream-bench-1g-'))
  const removeLargeDir = () => rmSync(largeDir, { recursive: true, force: true })
  // The 1 GiB files must not outlive an interrupted run.
  const onInterrupt = () => {
    removeLargeDir()
    small.cleanup()
    process.exit(130)
  }
  process.once('SIGINT', onInterrupt)
  const rows = []
  const results = []
  try {
    for (const dataset of datasets) {
      if (!readers.some((reader) => reader.formats.includes(formatOf(dataset)))) continue
      process.stdout.write(`${dataset} ${smallMb} MiB `)
      const atSmall = await measureReaders({ readers, dataset, path: small.files[dataset], repeat })
      console.log(`generating ${dataset} (${largeMb} MiB) in ${largeDir} …`)
      const largeFiles = await generate(largeDir, largeMb * MB, [dataset])
      process.stdout.write(`${dataset} ${largeMb} MiB `)
      const atLarge = await measureReaders({ readers, dataset, path: largeFiles[dataset], repeat })
      rmSync(largeFiles[dataset], { force: true })
      for (const smallSummary of atSmall.readers) {
        const largeSummary = atLarge.readers.find((s) => s.reader === smallSummary.reader)
        const growth = largeSummary.medianPeakRssBytes / smallSummary.medianPeakRssBytes - 1
        const constant = Math.abs(growth) <= RSS_TOLERANCE
        results.push({ dataset, reader: smallSummary.reader, small: smallSummary, large: largeSummary, growth, constant })
        rows.push([
          dataset,
          smallSummary.reader,
          mib(smallSummary.medianPeakRssBytes),
          mib(largeSummary.medianPeakRssBytes),
          `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%`,
          constant ? 'yes' : 'NO',
          smallSummary.medianMibPerSecond.toFixed(1),
          largeSummary.medianMibPerSecond.toFixed(1),
        ])
      }
    }
  } finally {
    process.removeListener('SIGINT', onInterrupt)
    removeLargeDir()
    small.cleanup()
  }
  console.log(`\n## Peak RSS (median of ${repeat}), W1 over the whole file`)
  printTable(
    ['dataset', 'reader', `peak RSS @${smallMb} MiB`, `peak RSS @${largeMb} MiB`, 'change', `within ${RSS_TOLERANCE * 100}%`, `MiB/s @${smallMb}`, `MiB/s @${largeMb}`],
    rows,
  )
  return results
}

function mib(bytes) {
  return (bytes / MB).toFixed(1)
}

// Last, so every declaration above is initialised before it runs.
if (process.argv[2] === CHILD_FLAG) {
  await runChild(process.argv.slice(3))
} else {
  try {
    await runParent()
  } catch (error) {
    // Bad options and readers that disagree are for the user to fix: the message says it all.
    console.error(`error: ${error.message}`)
    process.exit(1)
  }
}
