// The command line over one file three ways, per engine: given as a path; as a pipe on stdin
// (`cat file | ringstream count - --format …`, which the CLI reads as /dev/stdin); and as a
// socket on stdin (what a Node.js parent's `spawn` gives a child), which the CLI reads through
// process.stdin and the TS parsers. One process per run, interleaved in rotating order; medians
// of the whole process's wall time.
//
//   node bench/stdin.mjs [--runs 7] [--engines native,ts] [--ways path,pipe,socket] [--builds /tmp/before,.]
//                        [--data-dir DIR] [--size-mb 100] [--dataset wide.jsonl] [--command count]
//
// The CLI is each build's dist/cli.js (`npm run build` first); a build is a folder holding
// `dist/` and `native/`, as for compare-builds.mjs.
import { spawn } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { describeMachine, listOption, median, pick, prepareData, printTable } from './common.mjs'

const ROOT = resolve(fileURLToPath(import.meta.url), '..', '..')
const FORMATS = { 'wide.jsonl': 'jsonl', 'wide.csv': 'csv', 'narrow.csv': 'csv' }

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    engines: { type: 'string', default: 'native,ts' },
    ways: { type: 'string', default: 'path,pipe,socket' },
    builds: { type: 'string', default: ROOT },
    'data-dir': { type: 'string' },
    'size-mb': { type: 'string', default: '100' },
    dataset: { type: 'string', default: 'wide.jsonl' },
    command: { type: 'string', default: 'count' },
  },
})
const runs = Number(options.runs)
const engines = pick(listOption(options.engines), ['native', 'ts'], 'engine')
const ways = pick(listOption(options.ways), ['path', 'pipe', 'socket'], 'way')
const builds = listOption(options.builds).map((build) => resolve(build))
const [dataset] = pick([options.dataset], Object.keys(FORMATS), 'dataset')
const data = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets: [dataset] })
const file = data.files[dataset]
const format = FORMATS[dataset]

/** Wall time of one CLI process, in ms; its output is counted and thrown away. */
function runOnce(build, way, engine) {
  const CLI = resolve(build, 'dist', 'cli.js')
  const env = { ...process.env, RINGSTREAM_ENGINE: engine }
  const began = performance.now()
  const child =
    way === 'path'
      ? spawn(process.execPath, [CLI, options.command, file, '--no-progress'], { env, stdio: ['ignore', 'pipe', 'inherit'] })
      : way === 'pipe'
        ? spawn('sh', ['-c', `cat "$0" | "$1" "$2" ${options.command} - --format ${format} --no-progress`, file, process.execPath, CLI], { env, stdio: ['ignore', 'pipe', 'inherit'] })
        : spawn(process.execPath, [CLI, options.command, '-', '--format', format, '--no-progress'], { env, stdio: ['pipe', 'pipe', 'inherit'] })
  if (way === 'socket') createReadStream(file).pipe(child.stdin)
  let bytes = 0
  child.stdout.on('data', (chunk) => {
    bytes += chunk.length
  })
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject)
    child.on('close', (code) => (code === 0 ? resolvePromise({ ms: performance.now() - began, bytes }) : reject(new Error(`${way} ${engine}: exit ${code}`))))
  })
}

const variants = builds.flatMap((build) => engines.flatMap((engine) => ways.map((way) => ({ build, way, engine }))))
const samples = variants.map(() => [])
for (let run = 0; run < runs; run++) {
  for (let k = 0; k < variants.length; k++) {
    const v = (run + k) % variants.length
    samples[v].push(await runOnce(variants[v].build, variants[v].way, variants[v].engine))
  }
}

data.cleanup()
console.log(describeMachine())
console.log(`ringstream ${options.command} over ${dataset} (${options['size-mb']} MiB), ${runs} processes per row; medians\n`)
const medianMs = (k) => median(samples[k].map((s) => s.ms))
const pathIndex = (build, engine) => variants.findIndex((v) => v.build === build && v.engine === engine && v.way === 'path')
const WAY_NAMES = { path: 'a path', pipe: '- (a pipe)', socket: '- (a socket)' }
printTable(
  [...(builds.length > 1 ? ['build'] : []), 'engine', 'input', 'ms', 'vs the path'],
  variants.map(({ build, way, engine }, k) => {
    const path = pathIndex(build, engine)
    const ratio = path === -1 ? '–' : `${(medianMs(path) / medianMs(k)).toFixed(2)}×`
    return [...(builds.length > 1 ? [build] : []), engine, WAY_NAMES[way], medianMs(k).toFixed(0), ratio]
  }),
)
