import { execFile } from 'node:child_process'
import { closeSync, openSync, writeSync } from 'node:fs'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ENGINES } from './support/engines'
import { bundleLibrary } from './support/bundle'
import { makeTempDir } from './support/temp'

const execFileAsync = promisify(execFile)
const MiB = 1 << 20

/**
 * A record kept by the caller must not keep its batch alive (the batch text, the other records,
 * a reused read buffer). The child keeps one record in 500 of a ~64 MiB file and reports the
 * heap after a full GC: were batches retained, that would be most of the file.
 */
const CHILD = `
const { stream } = require(process.argv[2])
const kept = []
let i = 0
for (const record of stream(process.argv[3], { engine: process.argv[4] })) {
  if (i++ % 500 === 0) kept.push(record)
}
globalThis.gc()
const m = process.memoryUsage()
process.stdout.write(JSON.stringify({ kept: kept.length, heapUsed: m.heapUsed, external: m.external + m.arrayBuffers, lastId: kept[kept.length - 1].id }))
`

describe('records handed out keep nothing else alive', () => {
  let tmp: ReturnType<typeof makeTempDir> | null = null
  const files = { bundle: '', child: '', data: '' }
  let records = 0

  beforeAll(() => {
    tmp = makeTempDir('ringstream-retention-')
    files.bundle = bundleLibrary('retention.cjs')
    files.child = tmp.file('child.cjs', CHILD)
    files.data = tmp.path('data.jsonl')
    const fd = openSync(files.data, 'w')
    try {
      const line = (id: number) => `${JSON.stringify({ id, name: `name ${id}`, city: 'Zürich', text: 'x'.repeat(200), n: id / 7 })}\n`
      for (let block = 0; block < 64; block++) {
        let chunk = ''
        while (chunk.length < MiB) chunk += line(records++)
        writeSync(fd, chunk)
      }
    } finally {
      closeSync(fd)
    }
  })

  afterAll(() => tmp?.remove())

  it.each(ENGINES)('keeps only the kept records (%s engine)', async (engine) => {
    const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', files.child, files.bundle, files.data, engine], { maxBuffer: MiB })
    const result = JSON.parse(stdout) as { kept: number; heapUsed: number; external: number; lastId: number }
    expect(result.kept).toBe(Math.ceil(records / 500))
    expect(result.lastId).toBe(Math.floor((records - 1) / 500) * 500)
    // ~520 kept records of ~260 bytes need well under 1 MiB; the file is 64 MiB.
    expect(result.heapUsed + result.external, JSON.stringify(result)).toBeLessThan(24 * MiB)
  })
})
