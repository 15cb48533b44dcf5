// Measures how many heap bytes one byte of input takes once records are JS objects — the factor
// behind `memoryEstimateMb`. Each case runs in its own process so one case's garbage cannot skew
// another's. Run: node bench/object-expansion.mjs
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stream } from 'ringstream'
import { generate } from './datasets.mjs'

const [, , path, types] = process.argv
if (path) {
  const bytes = readFileSync(path).length
  globalThis.gc()
  const before = process.memoryUsage().heapUsed
  const records = await stream(path, { types, engine: 'ts' }).toArray()
  globalThis.gc()
  const after = process.memoryUsage().heapUsed
  console.log(`${records.length} records: ${((after - before) / bytes).toFixed(2)} heap bytes per input byte`)
} else {
  const dir = join(tmpdir(), `ringstream-expansion-${process.pid}`)
  const files = await generate(dir, 8 << 20)
  for (const [name, file] of Object.entries(files)) {
    for (const t of name.endsWith('.csv') ? ['string', 'infer'] : ['string']) {
      const run = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), file, t], { encoding: 'utf8' })
      console.log(`${name.padEnd(11)} types=${t.padEnd(6)} ${(run.stdout || run.stderr).trim()}`)
    }
  }
  rmSync(dir, { recursive: true, force: true })
}
