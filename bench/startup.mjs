// How long a fresh process waits for ringstream: `require('ringstream')`, then the first record of
// a small file (the bundled datasets/cities.csv) with each engine, the native one including the
// binary's load. One child process per run, the builds' and engines' runs interleaved in rotating
// order so a slow phase of a noisy machine falls on each alike; medians. A process that only
// starts Node.js and exits is timed alongside, as the floor. With --metadata, the child awaits
// `metadata()` of the file instead of its first record.
//
//   node bench/startup.mjs [--runs 30] [--engines native,ts] [--builds /tmp/before,.] [--file path] [--metadata]
//
// A build is a folder holding `dist/` and `native/`, as for compare-builds.mjs.
// Only Node.js's own modules are imported statically: a child loads nothing but ringstream.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const SCRIPT = fileURLToPath(import.meta.url)
const ROOT = resolve(SCRIPT, '..', '..')
const CHILD_FLAG = '--child'

if (process.argv[2] === CHILD_FLAG) {
  const [, , , build, engine, file, what] = process.argv
  const began = performance.now()
  const { stream } = createRequire(SCRIPT)(resolve(build, 'dist', 'index.js'))
  const imported = performance.now()
  let first = null
  if (what === 'metadata') {
    await stream(file, { engine }).metadata()
    first = performance.now()
  } else {
    for (const _ of stream(file, { engine })) {
      first ??= performance.now()
    }
  }
  process.stdout.write(JSON.stringify({ importMs: imported - began, firstRecordMs: (first ?? performance.now()) - imported }))
  process.exit(0)
}

const { describeMachine, listOption, median, pick, printTable } = await import('./common.mjs')
const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '30' },
    engines: { type: 'string', default: 'native,ts' },
    builds: { type: 'string', default: ROOT },
    file: { type: 'string', default: resolve(ROOT, 'datasets', 'cities.csv') },
    metadata: { type: 'boolean', default: false },
  },
})
const runs = Number(options.runs)
const engines = pick(listOption(options.engines), ['native', 'ts'], 'engine')
const builds = listOption(options.builds).map((build) => resolve(build))

/** Wall time of one child process, from spawn to exit, and what it measured inside. */
function runChild(args) {
  const began = performance.now()
  const out = execFileSync(process.execPath, args, { encoding: 'utf8' })
  return { processMs: performance.now() - began, ...(out ? JSON.parse(out) : {}) }
}

const variants = [{ name: 'node alone', args: ['-e', ''] }]
for (const build of builds) {
  for (const engine of engines) variants.push({ name: `${builds.length > 1 ? build + ' ' : ''}${engine}`, args: [SCRIPT, CHILD_FLAG, build, engine, options.file, options.metadata ? 'metadata' : 'first'] })
}
const samples = variants.map(() => [])
for (let run = 0; run < runs; run++) {
  for (let k = 0; k < variants.length; k++) {
    const v = (run + k) % variants.length
    samples[v].push(runChild(variants[v].args))
  }
}

console.log(describeMachine())
console.log(`${runs} processes per row; file ${options.file}; medians in ms\n`)
const column = (rows, key) => (rows[0][key] === undefined ? '–' : median(rows.map((r) => r[key])).toFixed(1))
printTable(
  ['process', 'require', options.metadata ? 'metadata()' : 'first record', 'whole process'],
  variants.map((variant, k) => [variant.name, column(samples[k], 'importMs'), column(samples[k], 'firstRecordMs'), column(samples[k], 'processMs')]),
)
