// A folder of many small files, the shape of a partitioned dataset: the time a `for…of` over
// the whole folder takes per engine, where the cost per file (opening it, and for the native
// engine its reader) outweighs the parsing. One child process per run, engines alternating;
// medians. The files are generated in os.tmpdir() and deleted.
//
//   node bench/small-files.mjs [--files 3000] [--records 2] [--runs 5] [--builds /tmp/before,.]
//
// A build is a folder holding `dist/` and `native/`, as for compare-builds.mjs.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const SCRIPT = fileURLToPath(import.meta.url)
const ROOT = resolve(SCRIPT, '..', '..')

if (process.argv[2] === '--child') {
  const [, , , build, engine, folder] = process.argv
  const { stream } = createRequire(SCRIPT)(resolve(build, 'dist', 'index.js'))
  const began = performance.now()
  let records = 0
  for (const _ of stream(folder, { engine })) records++
  process.stdout.write(JSON.stringify({ ms: performance.now() - began, records }))
  process.exit(0)
}

const { describeMachine, listOption, median, printTable } = await import('./common.mjs')
const { values: options } = parseArgs({
  options: {
    files: { type: 'string', default: '3000' },
    records: { type: 'string', default: '2' },
    runs: { type: 'string', default: '5' },
    builds: { type: 'string', default: ROOT },
  },
})
const files = Number(options.files)
const recordsPerFile = Number(options.records)
const builds = listOption(options.builds).map((build) => resolve(build))

const folder = mkdtempSync(join(tmpdir(), 'ringstream-small-files-'))
try {
  for (let f = 0; f < files; f++) {
    let text = ''
    for (let r = 0; r < recordsPerFile; r++) text += `${JSON.stringify({ file: f, record: r, name: `item ${f}-${r}` })}\n`
    writeFileSync(join(folder, `part-${String(f).padStart(6, '0')}.jsonl`), text)
  }
  const variants = builds.flatMap((build) => ['native', 'ts'].map((engine) => ({ build, engine })))
  const times = variants.map(() => [])
  for (let run = 0; run < Number(options.runs); run++) {
    for (let k = 0; k < variants.length; k++) {
      const v = (run + k) % variants.length
      const { build, engine } = variants[v]
      const out = JSON.parse(execFileSync(process.execPath, [SCRIPT, '--child', build, engine, folder], { encoding: 'utf8' }))
      if (out.records !== files * recordsPerFile) throw new Error(`${engine} read ${out.records} records, expected ${files * recordsPerFile}`)
      times[v].push(out.ms)
    }
  }
  console.log(describeMachine())
  console.log(`${files} files of ${recordsPerFile} JSON Lines records; ${options.runs} processes per row; ms for the whole folder\n`)
  printTable(
    ['build', 'engine', 'median ms', 'range ms', 'µs per file'],
    variants.map(({ build, engine }, k) => [
      build,
      engine,
      median(times[k]).toFixed(0),
      `${Math.min(...times[k]).toFixed(0)}–${Math.max(...times[k]).toFixed(0)}`,
      ((median(times[k]) * 1000) / files).toFixed(0),
    ]),
  )
} finally {
  rmSync(folder, { recursive: true, force: true })
}
