// What reading a compressed file costs each engine: W1 (`for…of` over every record) over a
// dataset as it is, gzipped and zstd-compressed, one child process per run, the variants taking
// turns. The compressed files are written next to the dataset (and reused): gzip by node:zlib,
// zstd by node:zlib where it has zstd (Node.js 22.15 on) or else by the `zstd` tool on the PATH.
//
//   node bench/compressed.mjs [--size-mb 100] [--repeat 5] [--datasets wide.jsonl,narrow.csv]
//                             [--engines ts,native] [--gzip-level 6] [--zstd-level 3] [--data-dir dir]
import { execFileSync } from 'node:child_process'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import * as zlib from 'node:zlib'
import { describeBuild, describeMachine, listOption, median, pick, prepareData, printTable, speedRatio } from './common.mjs'

const SCRIPT = fileURLToPath(import.meta.url)
const CHILD_FLAG = '--child'

if (process.argv[2] === CHILD_FLAG) {
  const [path, engine] = process.argv.slice(3)
  const { stream } = await import('ringstream')
  const started = performance.now()
  let records = 0
  for (const _ of stream(path, { engine })) records++
  const ms = performance.now() - started
  process.stdout.write(JSON.stringify({ records, ms, peakRssMib: process.resourceUsage().maxRSS / 1024 }))
  process.exit(0)
}

const { values: options } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '100' },
    repeat: { type: 'string', default: '5' },
    datasets: { type: 'string', default: 'wide.jsonl,narrow.csv' },
    engines: { type: 'string', default: 'ts,native' },
    'gzip-level': { type: 'string', default: '6' },
    'zstd-level': { type: 'string', default: '3' },
    'data-dir': { type: 'string' },
  },
})
const datasets = pick(listOption(options.datasets), ['wide.jsonl', 'wide.csv', 'narrow.csv'], 'dataset')
const engines = pick(listOption(options.engines), ['ts', 'native'], 'engine')
const repeat = Number(options.repeat)
const gzipLevel = Number(options['gzip-level'])
const zstdLevel = Number(options['zstd-level'])

console.log(describeMachine())
console.log(describeBuild())
const { files, cleanup } = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })

/** Writes `path.gz` and `path.zst` unless they exist; returns the variants to read. */
async function compressedVariants(path) {
  const variants = { none: path, gzip: `${path}.gz` }
  if (!existsSync(variants.gzip)) await pipeline(createReadStream(path), zlib.createGzip({ level: gzipLevel }), createWriteStream(variants.gzip))
  const zst = `${path}.zst`
  if (!existsSync(zst)) {
    if (typeof zlib.createZstdCompress === 'function') {
      const params = { [zlib.constants.ZSTD_c_compressionLevel]: zstdLevel, [zlib.constants.ZSTD_c_checksumFlag]: 1 }
      await pipeline(createReadStream(path), zlib.createZstdCompress({ params }), createWriteStream(zst))
    } else {
      try {
        execFileSync('zstd', ['-q', '-f', `-${zstdLevel}`, path, '-o', zst])
      } catch {
        console.log(`no zstd here (neither node:zlib's nor the zstd tool): ${zst} is left out`)
      }
    }
  }
  if (existsSync(zst)) variants.zstd = zst
  return variants
}

const rows = []
for (const dataset of datasets) {
  const variants = await compressedVariants(files[dataset])
  const runs = []
  for (const engine of engines) for (const compression of Object.keys(variants)) runs.push({ engine, compression, results: [] })
  process.stdout.write(`${dataset} `)
  for (let round = 0; round < repeat; round++) {
    for (const run of runs) {
      const output = execFileSync(process.execPath, [SCRIPT, CHILD_FLAG, variants[run.compression], run.engine], { encoding: 'utf8' })
      run.results.push(JSON.parse(output))
      process.stdout.write('.')
    }
  }
  console.log()
  for (const run of runs) {
    const ms = median(run.results.map((r) => r.ms))
    const gzip = runs.find((r) => r.engine === run.engine && r.compression === 'gzip')
    rows.push([dataset, run.engine, run.compression, ms.toFixed(0), speedRatio(median(gzip.results.map((r) => r.ms)), ms), median(run.results.map((r) => r.peakRssMib)).toFixed(1)])
  }
}
console.log()
printTable(['dataset', 'engine', 'compression', 'median ms', 'speed vs gzip', 'median peak RSS MiB'], rows)
cleanup()
