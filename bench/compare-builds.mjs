// Two or more builds of ringstream side by side: a workload (W1, every record to a JS object, by
// default; see workloads.mjs) over each dataset, one child process per run, the builds' runs interleaved in rotating order, so a slow
// phase of a noisy machine falls on every build alike. Prints each build's median time per run,
// its speed relative to the first build, and (on Linux) the CPU time of the JS thread and of the
// other threads (with the native engine, mostly its reader thread): a change that frees one
// thread shows in the time only if it is the thread the other waits for. This is how a change to
// the engine is measured before it lands.
//
// A build is a folder holding `dist/` (npm run build) and, for the native engine, `native/`
// (npm run build:native), as a checkout of another commit has them:
//
//   git worktree add /tmp/before HEAD~1 && (cd /tmp/before && npm install && npm run build:native)
//   node bench/compare-builds.mjs --builds /tmp/before,. --datasets narrow.csv,wide.csv --repeat 9
//   node bench/compare-builds.mjs --builds /tmp/before,. --consume count --repeat 5   # W1 through a terminal
//
// With `--instructions`, each child runs once under valgrind's callgrind instead, which counts
// each thread's instructions apart: the JS thread's count does not move with the machine's load,
// so a change of a few percent shows where timings on a shared machine cannot. V8 then compiles
// on the JS thread (`--no-concurrent-recompilation`), so the counts include compiling; JIT
// timing still moves them by about ±1%. Needs valgrind; use small files (20 MiB: ~30 s a run).
// `--chain filter` puts a filter that keeps every record before the consumer, to measure what
// the stages' machinery costs each way of taking the records.
//
//   node bench/compare-builds.mjs --builds /tmp/before,. --chain filter --instructions --size-mb 20 --datasets narrow.csv
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { DATASETS } from './datasets.mjs'
import { runWorkload, WORKLOADS } from './workloads.mjs'
import { describeMachine, jsThreadCpuMs, listOption, MB, median, pick, prepareData, printTable } from './common.mjs'

const SCRIPT = fileURLToPath(import.meta.url)
const CHILD_FLAG = '--child'

/** Ways to take every record of a stream (W1), each resolving to the number of records. */
const CONSUMERS = {
  'for-of': (records) => {
    let count = 0
    for (const _ of records) count++
    return count
  },
  'for-await': async (records) => {
    let count = 0
    for await (const _ of records) count++
    return count
  },
  count: (records) => records.count(),
  forEach: async (records) => {
    let count = 0
    await records.forEach(() => {
      count++
    })
    return count
  },
  reduce: (records) => records.reduce((count) => count + 1, 0),
  toArray: async (records) => (await records.toArray()).length,
}

/** What may stand between the stream and the consumer (`--chain`). */
const CHAINS = {
  none: (records) => records,
  filter: (records) => records.filter(() => true),
}

const USAGE = `usage: node bench/compare-builds.mjs --builds a,b[,…] [options]

  --builds a,b       folders of the builds to compare, each with dist/ (and native/); the first is the baseline
  --engine e         native (default) or ts
  --workload w       ${Object.keys(WORKLOADS).join(', ')} (default W1)
  --consume c        W1 only: how the records are taken, ${Object.keys(CONSUMERS).join(', ')} (default for-of)
  --chain c          W1 only: none (default), or filter: a filter that keeps every record, before the consumer
  --datasets a,b     datasets (default: all): ${DATASETS.join(', ')}
  --size-mb n        size of each generated file in MiB (default 100)
  --repeat n         runs per build and dataset (default 9)
  --data-dir dir     generate the files there and keep them for the next run (default: a temp dir)
  --instructions     count the JS thread's instructions under valgrind's callgrind instead of timing
`

if (process.argv[2] === CHILD_FLAG) {
  await runChild(process.argv.slice(3))
} else {
  try {
    await main()
  } catch (error) {
    console.error(`error: ${error.message}`)
    process.exit(1)
  }
}

/** In the child: runs the workload with one build and prints one JSON line. */
async function runChild([build, engine, workload, consumeAndChain, dataset, path]) {
  const { stream } = await import(pathToFileURL(resolve(build, 'dist/index.mjs')).href)
  const [consume, chain = 'none'] = consumeAndChain.split('+')
  const reader = { name: `ringstream-${engine}`, open: (file) => CHAINS[chain](stream(file, { engine })) }
  const cpuBefore = process.cpuUsage()
  const jsBefore = jsThreadCpuMs()
  const started = performance.now()
  const records = await (consume === 'for-of' ? runWorkload(reader, workload, dataset, path) : CONSUMERS[consume](reader.open(path)))
  const ms = performance.now() - started
  const { user, system } = process.cpuUsage(cpuBefore)
  const jsAfter = jsThreadCpuMs()
  const jsCpuMs = jsBefore === null || jsAfter === null ? null : jsAfter - jsBefore
  console.log(JSON.stringify({ records, ms, cpuMs: (user + system) / 1000, jsCpuMs }))
}

async function main() {
  const { values: options } = parseArgs({
    options: {
      builds: { type: 'string' },
      engine: { type: 'string', default: 'native' },
      workload: { type: 'string', default: 'W1' },
      consume: { type: 'string', default: 'for-of' },
      chain: { type: 'string', default: 'none' },
      datasets: { type: 'string' },
      'size-mb': { type: 'string', default: '100' },
      repeat: { type: 'string', default: '9' },
      'data-dir': { type: 'string' },
      instructions: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (options.help) return console.log(USAGE)
  const builds = listOption(options.builds).map((build) => resolve(build))
  if (builds.length < 2) throw new Error(`--builds takes at least two folders\n\n${USAGE}`)
  for (const build of builds) {
    if (!existsSync(resolve(build, 'dist/index.mjs'))) throw new Error(`${build} has no dist/index.mjs: run \`npm run build\` there`)
  }
  if (!['native', 'ts'].includes(options.engine)) throw new Error(`--engine is native or ts, not '${options.engine}'`)
  const workload = pick([options.workload], Object.keys(WORKLOADS), 'workload')[0]
  const consume = pick([options.consume], Object.keys(CONSUMERS), 'way to consume')[0]
  if (consume !== 'for-of' && workload !== 'W1') throw new Error('--consume applies to W1 only')
  const chain = pick([options.chain], Object.keys(CHAINS), 'chain')[0]
  if (chain !== 'none' && workload !== 'W1') throw new Error('--chain applies to W1 only')
  // The child takes the way and the chain as one argument, `forEach+filter`.
  const way = chain === 'none' ? consume : `${consume}+${chain}`
  const datasets = pick(listOption(options.datasets), DATASETS, 'dataset')
  const repeat = Number(options.repeat)
  if (options.instructions) return countInstructions(builds, options, workload, way, datasets)
  console.log(`machine: ${describeMachine()}`)
  console.log(`engine: ${options.engine}, workload ${workload} (${way}); ${repeat} runs per build and dataset, builds in rotating order`)
  const data = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })
  const rows = []
  try {
    for (const dataset of datasets) {
      const times = builds.map(() => [])
      const jsCpu = builds.map(() => [])
      const otherCpu = builds.map(() => [])
      const counts = new Set()
      for (let run = 0; run < repeat; run++) {
        for (let k = 0; k < builds.length; k++) {
          const index = (run + k) % builds.length
          const output = execFileSync(process.execPath, [SCRIPT, CHILD_FLAG, builds[index], options.engine, workload, way, dataset, data.files[dataset]], { encoding: 'utf8' })
          const { records, ms, cpuMs, jsCpuMs } = JSON.parse(output)
          counts.add(records)
          times[index].push(ms)
          if (jsCpuMs !== null) {
            jsCpu[index].push(jsCpuMs)
            otherCpu[index].push(cpuMs - jsCpuMs)
          }
        }
        process.stdout.write('.')
      }
      console.log()
      if (counts.size !== 1) throw new Error(`the builds read different numbers of records from ${dataset}: ${[...counts].join(', ')}`)
      const baseline = median(times[0])
      const mibs = statSync(data.files[dataset]).size / MB
      builds.forEach((build, index) => {
        const ms = median(times[index])
        const range = `${Math.min(...times[index]).toFixed(1)}–${Math.max(...times[index]).toFixed(1)}`
        const cpu = jsCpu[index].length === 0 ? 'n/a' : `${median(jsCpu[index]).toFixed(0)} + ${median(otherCpu[index]).toFixed(0)}`
        rows.push([dataset, build, ms.toFixed(1), range, workload === 'W3' ? '–' : (mibs / (ms / 1000)).toFixed(1), `${(baseline / ms).toFixed(2)}×`, cpu])
      })
    }
  } finally {
    data.cleanup()
  }
  console.log()
  printTable(['dataset', 'build', 'median ms', 'range ms', 'MiB/s', 'speed vs first build', 'median CPU ms: JS thread + other threads'], rows)
}

/** `execFileSync` of `valgrind`, saying what to install where there is none. */
function callgrind(command, args, options) {
  try {
    return execFileSync(command, args, options)
  } catch (error) {
    if (error.code === 'ENOENT') throw new Error('--instructions needs valgrind (Debian and Ubuntu: apt install valgrind)')
    throw error
  }
}

/** `--instructions`: each build's child once per dataset under callgrind; the JS thread's count. */
async function countInstructions(builds, options, workload, way, datasets) {
  console.log(`machine: ${describeMachine()}`)
  console.log(`engine: ${options.engine}, workload ${workload} (${way}); JS-thread instructions under callgrind, one run per build and dataset`)
  const data = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })
  const rows = []
  try {
    for (const dataset of datasets) {
      const counts = []
      for (const build of builds) {
        const folder = mkdtempSync(join(tmpdir(), 'ringstream-callgrind-'))
        try {
          const output = callgrind(
            'valgrind',
            ['--tool=callgrind', '--separate-threads=yes', `--callgrind-out-file=${join(folder, 'out')}`, process.execPath, '--no-concurrent-recompilation', SCRIPT, CHILD_FLAG, build, options.engine, workload, way, dataset, data.files[dataset]],
            { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
          )
          // Thread 1 is the JS thread; callgrind writes a file per thread, `out-01` first.
          const summary = /^summary: (\d+)/m.exec(readFileSync(join(folder, 'out-01'), 'utf8'))
          if (summary === null) throw new Error(`callgrind left no summary for ${build}`)
          counts.push({ build, records: JSON.parse(output).records, instructions: Number(summary[1]) })
        } finally {
          rmSync(folder, { recursive: true, force: true })
        }
        process.stdout.write('.')
      }
      if (new Set(counts.map((c) => c.records)).size !== 1) throw new Error(`the builds read different numbers of records from ${dataset}`)
      for (const { build, records, instructions } of counts) {
        rows.push([dataset, build, (instructions / 1e6).toFixed(0), (instructions / records).toFixed(0), `${(instructions / counts[0].instructions).toFixed(3)}×`])
      }
    }
  } finally {
    data.cleanup()
  }
  console.log('\n')
  printTable(['dataset', 'build', 'JS-thread instructions (M)', 'per item counted (startup included)', 'vs first build'], rows)
}
