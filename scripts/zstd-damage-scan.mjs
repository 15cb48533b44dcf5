// Changes bytes of the checked-in zstd fixtures one at a time and reads each damaged file with
// both engines, listing every case where they disagree beyond what a decoder's own verdict on a
// damaged block allows (the rule of the changed-byte property in parity.property.spec.ts). The
// property tries 150 random changes per run; this goes through them in order, to find a rare
// disagreement before a random seed does. Needs `npm run build` and `npm run build:native`.
//
//   node scripts/zstd-damage-scan.mjs --headers              # every frame and block header byte, all 255 changes (~1 min)
//   node scripts/zstd-damage-scan.mjs --every 3 --by 37,142  # every third byte, two changes each
//
// Exits 1 when it finds a disagreement, with the first cases of each kind.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { stream } = await import(join(root, 'dist', 'index.mjs'))
const { values } = parseArgs({
  options: {
    headers: { type: 'boolean', default: false },
    every: { type: 'string', default: '1' },
    by: { type: 'string' },
  },
})
const every = Number(values.every)
const changes = values.by === undefined ? (values.headers ? range(1, 255) : [1, 0x80, 0xff]) : values.by.split(',').map(Number)
const fixtures = ['events.jsonl.zst', 'events.fast.jsonl.zst', 'events.nocheck.jsonl.zst']

/** A decoder's verdict on a damaged block (or none): the engines may differ here, as the property allows. */
const blockVerdict = (failure) => failure === null || /(doesn't match checksum|Data corruption detected|Destination buffer is too small)/.test(failure)

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i)
}

function read(path, engine) {
  const records = []
  try {
    for (const record of stream(path, { engine, format: 'jsonl', onError: () => undefined })) records.push(record)
  } catch (error) {
    return { records, failure: `${error.code}: ${error.message.replaceAll(path, '<input>').split('\n')[0]}` }
  }
  return { records, failure: null }
}

function agree(native, ts) {
  if (blockVerdict(native.failure) && blockVerdict(ts.failure) && (native.failure ?? ts.failure) !== null) {
    const [fewer, more] = native.records.length <= ts.records.length ? [native.records, ts.records] : [ts.records, native.records]
    return JSON.stringify(more.slice(0, fewer.length)) === JSON.stringify(fewer)
  }
  return native.failure === ts.failure && JSON.stringify(native.records) === JSON.stringify(ts.records)
}

/** The offsets of a single frame's header and block headers, and its checksum. */
function headerOffsets(zst) {
  const offsets = []
  let at = 4
  const descriptor = zst[at++]
  const singleSegment = (descriptor >> 5) & 1
  at += (1 - singleSegment) + [0, 1, 2, 4][descriptor & 3] + [singleSegment, 2, 4, 8][descriptor >> 6]
  offsets.push(...range(0, at - 1))
  for (;;) {
    const bits = zst[at] | (zst[at + 1] << 8) | (zst[at + 2] << 16)
    offsets.push(at, at + 1, at + 2)
    at += 3 + (((bits >> 1) & 3) === 1 ? 1 : bits >>> 3)
    if (bits & 1) break
  }
  offsets.push(...range(at, zst.length - 1))
  return offsets
}

const dir = mkdtempSync(join(tmpdir(), 'zstd-damage-'))
const path = join(dir, 'damaged.jsonl.zst')
const kinds = new Map()
let cases = 0
try {
  for (const name of fixtures) {
    const zst = readFileSync(join(root, '__test__', 'fixtures', name))
    const offsets = values.headers ? headerOffsets(zst) : range(0, zst.length - 1).filter((at) => at % every === 0)
    for (const at of offsets) {
      for (const change of changes) {
        const damaged = Buffer.from(zst)
        damaged[at] ^= change
        writeFileSync(path, damaged)
        const native = read(path, 'native')
        const ts = read(path, 'ts')
        cases++
        if (agree(native, ts)) continue
        const kind = `native: ${native.failure} | ts: ${ts.failure}`
        if (!kinds.has(kind)) kinds.set(kind, [])
        kinds.get(kind).push({ fixture: name, at, change, records: [native.records.length, ts.records.length] })
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
console.log(`${cases} damaged files read by both engines`)
for (const [kind, found] of kinds) console.log(`${found.length}× ${kind}\n  ${found.slice(0, 5).map((c) => JSON.stringify(c)).join('\n  ')}`)
process.exitCode = kinds.size === 0 ? 0 : 1
