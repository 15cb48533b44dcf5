import { execFile } from 'node:child_process'
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleLibrary } from './support/bundle'
import { ENGINES } from './support/engines'
import { makeTempDir } from './support/temp'

/**
 * Constant memory, measured where nothing else shares the heap: a child process streams a JSON
 * Lines file of about 300 MB through filter + transform and reports its peak RSS. The same run
 * over a file ten times smaller must peak at about the same height.
 */

const MiB = 1 << 20
const LARGE_MB = 300
const SMALL_MB = 30
/** Peak RSS the large run must stay under; about half of it is Node itself. */
const PEAK_BOUND = 200 * MiB
/** How much higher the large run may peak than the small one: generous, as GC timing varies. */
const GROWTH_FACTOR = 1.5

const execFileAsync = promisify(execFile)

interface Run {
  records: number
  maxRss: number
}

/** The child: streams one file with one engine, sync or async, and prints what it saw. */
const CHILD = `
const { stream } = require(process.argv[2])
const [path, engine, mode] = process.argv.slice(3)
let records = 0
let sum = 0
const s = stream(path, { engine }).filter((r) => r.k % 3 !== 0).transform((r) => ({ id: r.id, v: r.v * 2 }))
function report() {
  if (!(sum > 0)) throw new Error('nothing was read')
  process.stdout.write(JSON.stringify({ records, maxRss: process.resourceUsage().maxRSS * 1024 }))
}
if (mode === 'async') {
  ;(async () => {
    for await (const r of s) { records++; sum += r.v }
    report()
  })().catch((e) => { console.error(e); process.exit(1) })
} else {
  for (const r of s) { records++; sum += r.v }
  report()
}
`

/**
 * Writes about `mb` MiB of JSON Lines by repeating one varied 1 MiB block; returns how many records
 * the child's filter keeps (k = id % 7; k % 3 !== 0 keeps k = 1, 2, 4, 5).
 */
function writeJsonLines(path: string, mb: number): number {
  const lines: string[] = []
  let size = 0
  let kept = 0
  for (let i = 0; size < MiB - 256; i++) {
    if ((i % 7) % 3 !== 0) kept++
    const line = `${JSON.stringify({ id: i, k: i % 7, v: i * 0.5 + 1, name: `user-${i}`, tags: ['a', 'b'], text: `lorem ipsum ${(i * 7919) % 10007}` })}\n`
    lines.push(line)
    size += line.length
  }
  const block = Buffer.from(lines.join(''))
  const blocks = Math.ceil((mb * MiB) / block.length)
  const fd = openSync(path, 'w')
  try {
    for (let i = 0; i < blocks; i++) writeSync(fd, block)
  } finally {
    closeSync(fd)
  }
  return blocks * kept
}

/** Runs `CHILD` (written to `child`, loading `bundle`) over one file and returns what it saw. */
async function runChild(files: { child: string; bundle: string }, path: string, engine: string, mode: 'sync' | 'async'): Promise<Run> {
  const { stdout } = await execFileAsync(process.execPath, [files.child, files.bundle, path, engine, mode], { maxBuffer: MiB })
  const parsed: unknown = JSON.parse(stdout)
  if (parsed === null || typeof parsed !== 'object') throw new Error(`unexpected child output: ${stdout}`)
  const { records, maxRss } = parsed as Record<string, unknown>
  if (typeof records !== 'number' || typeof maxRss !== 'number') throw new Error(`unexpected child output: ${stdout}`)
  return { records, maxRss }
}

describe('memory stays flat as the input grows 10×', () => {
  let tmp: ReturnType<typeof makeTempDir> | null = null
  const files = { bundle: '', child: '', large: '', small: '' }
  const kept = { large: 0, small: 0 }

  beforeAll(() => {
    tmp = makeTempDir('ringstream-memory-')
    const { dir } = tmp
    const child = (files.child = join(dir, 'child.cjs'))
    files.large = join(dir, 'large.jsonl')
    files.small = join(dir, 'small.jsonl')
    files.bundle = bundleLibrary('memory.cjs')
    writeFileSync(child, CHILD)
    kept.large = writeJsonLines(files.large, LARGE_MB)
    kept.small = writeJsonLines(files.small, SMALL_MB)
  })

  afterAll(() => tmp?.remove())

  const run = (path: string, engine: string, mode: 'sync' | 'async'): Promise<Run> => runChild(files, path, engine, mode)

  it.each(ENGINES)(
    'peaks under 200 MB for a 300 MB file and about as high as for a 30 MB file (%s engine)',
    async (engine) => {
      const [largeSync, smallSync, largeAsync, smallAsync] = await Promise.all([
        run(files.large, engine, 'sync'),
        run(files.small, engine, 'sync'),
        run(files.large, engine, 'async'),
        run(files.small, engine, 'async'),
      ])
      expect([largeSync.records, smallSync.records, largeAsync.records, smallAsync.records]).toEqual([kept.large, kept.small, kept.large, kept.small])
      const mb = (n: number) => `${(n / MiB).toFixed(1)} MB`
      const summary = `for…of: ${mb(smallSync.maxRss)} → ${mb(largeSync.maxRss)}; for await: ${mb(smallAsync.maxRss)} → ${mb(largeAsync.maxRss)}`
      expect(largeSync.maxRss, summary).toBeLessThan(PEAK_BOUND)
      expect(largeAsync.maxRss, summary).toBeLessThan(PEAK_BOUND)
      expect(largeSync.maxRss, summary).toBeLessThan(smallSync.maxRss * GROWTH_FACTOR)
      expect(largeAsync.maxRss, summary).toBeLessThan(smallAsync.maxRss * GROWTH_FACTOR)
    },
    180_000,
  )
})

/**
 * Compressed files that compress a thousandfold: one compressed read holds dozens of MiB of
 * records. Decompressing a read's output at once held all of it; pieces pulled as the parser
 * needs them keep the peak where a file a hundredth of the size has it.
 */
describe.each([
  [
    '.gz',
    '200 gzip members',
    () => {
      const member = gzipSync(Buffer.from(`${RECORD}\n`.repeat(50_000)), { level: 9 })
      return { bomb: Buffer.concat(Array.from({ length: 200 }, () => member)), small: Buffer.concat([member, member]) }
    },
  ],
  [
    // One frame, as the zstd tool writes it (__test__/fixtures/make-zstd-fixtures.sh): each frame
    // has a window of its own, which the TS engine's decoder allocates anew.
    '.zst',
    'one zstd frame',
    () => {
      const frame = readFileSync(join(__dirname, 'fixtures', 'repeated.jsonl.zst'))
      return { bomb: readFileSync(join(__dirname, 'fixtures', 'repeated-10m.jsonl.zst')), small: Buffer.concat([frame, frame]) }
    },
  ],
] as const)('a %s file that compresses a thousandfold (%s) is read in constant memory', (extension, _made, make) => {
  let tmp: ReturnType<typeof makeTempDir> | null = null
  const files = { bundle: '', child: '', bomb: '', small: '' }

  beforeAll(() => {
    const { bomb, small } = make()
    tmp = makeTempDir('ringstream-memory-compressed-')
    files.bundle = bundleLibrary('memory.cjs')
    files.child = tmp.file('child.cjs', CHILD)
    files.bomb = tmp.file(`bomb.jsonl${extension}`, bomb)
    files.small = tmp.file(`small.jsonl${extension}`, small)
  })

  afterAll(() => tmp?.remove())

  it.each(ENGINES)(
    'peaks about as high as for a file a hundredth of its size (%s engine)',
    async (engine) => {
      const [bomb, small] = await Promise.all([runChild(files, files.bomb, engine, 'sync'), runChild(files, files.small, engine, 'sync')])
      expect([bomb.records, small.records]).toEqual([10_000_000, 100_000])
      const summary = `${(small.maxRss / MiB).toFixed(1)} MB → ${(bomb.maxRss / MiB).toFixed(1)} MB`
      expect(bomb.maxRss, summary).toBeLessThan(small.maxRss * GROWTH_FACTOR)
    },
    120_000,
  )
})

/**
 * A process that reads one file after another: each closed reader's memory must go with it. The
 * native engine's arenas were let go of at close but, promoted to the old generation, waited
 * for a full collection, which a loop that builds records seldom brings: 60 reads of a 100 MiB
 * file kept 50 MiB of them. A child process reads the file 20 times and reports how much its
 * `arrayBuffers` grew (nothing is collected by hand; vitest's own process collects too often to
 * tell).
 */
const SEQUENTIAL_CHILD = `
const { stream } = require(process.argv[2])
const [path, engine, mode] = process.argv.slice(3)
// 'break': leaves each loop after 30,000 records, holding a batch of the file being read.
const readAll = () => { let records = 0; for (const _ of stream(path, { engine })) if (++records === 30000 && mode === 'break') break; return records }
const first = readAll()
const before = process.memoryUsage().arrayBuffers
let records = 0
for (let k = 0; k < 20; k++) records += readAll()
process.stdout.write(JSON.stringify({ first, records, grown: process.memoryUsage().arrayBuffers - before }))
`

describe('one file read after another', () => {
  const tmp = makeTempDir('ringstream-sequential-')
  const ROWS = 60_000
  const files = { bundle: '', child: '', rows: '' }
  beforeAll(() => {
    files.bundle = bundleLibrary('sequential.cjs')
    files.child = tmp.file('child.cjs', SEQUENTIAL_CHILD)
    // ~2.7 MB: more than one read, so the native engine's thread lays its batches out in arenas.
    files.rows = tmp.file('rows.csv', ['id,text', ...Array.from({ length: ROWS }, (_, k) => `${k},${'x'.repeat(40)}`)].join('\n'))
  })
  afterAll(() => tmp.remove())

  it.each(ENGINES.flatMap((engine) => [[engine, 'whole'], [engine, 'break']]))('keeps nothing of the readers closed before (%s engine, %s files)', async (engine, mode) => {
    const { stdout } = await execFileAsync(process.execPath, [files.child, files.bundle, files.rows, engine, mode], { maxBuffer: MiB })
    const { first, records, grown } = JSON.parse(stdout) as { first: number; records: number; grown: number }
    const each = mode === 'break' ? 30_000 : ROWS
    expect([first, records]).toEqual([each, 20 * each])
    // Before closed readers freed their buffers: 12.6 MiB (native) and 2.7 MiB (TS) here.
    expect(grown).toBeLessThan(MiB)
  })
})

/** The one record the compressed files repeat. */
const RECORD = '{"id":1,"k":1,"v":2}'
