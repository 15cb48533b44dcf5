// Generates the benchmark inputs deterministically: wide JSON Lines (12 mixed fields, a nested
// object, a small array, some non-ASCII), the same rows as CSV, and a narrow numeric CSV.
import { createWriteStream } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { once } from 'node:events'
import { join } from 'node:path'

const CITIES = ['Amsterdam', 'São Paulo', 'Kraków', 'Zürich', 'Tōkyō', 'Paris', 'Oslo', 'Lima']
const TAGS = ['new', 'vip', 'mobile', 'promo', 'returning']

/** A tiny deterministic generator, so every run measures the same bytes. */
export function makeRandom(seed = 1) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function wideRecord(i, rnd) {
  return {
    id: i,
    uuid: `${(rnd() * 1e16).toString(16)}-${i.toString(16)}`,
    name: `user ${i}`,
    city: CITIES[Math.floor(rnd() * CITIES.length)],
    active: rnd() < 0.5,
    score: Math.round(rnd() * 1e6) / 100,
    visits: Math.floor(rnd() * 1000),
    ratio: rnd(),
    created: new Date(1.7e12 + Math.floor(rnd() * 3e10)).toISOString(),
    note: rnd() < 0.1 ? 'said "hi", then left' : 'ok',
    address: { street: `${Math.floor(rnd() * 200)} Main St`, zip: String(10000 + Math.floor(rnd() * 89999)) },
    tags: [TAGS[Math.floor(rnd() * TAGS.length)], TAGS[Math.floor(rnd() * TAGS.length)]],
  }
}

const WIDE_CSV_HEADER = ['id', 'uuid', 'name', 'city', 'active', 'score', 'visits', 'ratio', 'created', 'note', 'street', 'zip', 'tags']

export function wideCsvRow(r) {
  const cells = [r.id, r.uuid, r.name, r.city, r.active, r.score, r.visits, r.ratio, r.created, r.note, r.address.street, r.address.zip, r.tags.join('|')]
  return cells.map(csvCell).join(',')
}

function csvCell(v) {
  const s = String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function narrowCsvRow(i, rnd) {
  return `${i},${Math.floor(rnd() * 1e6)},${(rnd() * 1000).toFixed(3)},${Math.floor(rnd() * 100)}`
}

export const DATASETS = ['wide.jsonl', 'wide.csv', 'narrow.csv']

/**
 * Writes `<dir>/wide.jsonl`, `wide.csv` and `narrow.csv` (or only the `kinds` named), each about
 * `bytes` long. Returns their paths by name.
 */
export async function generate(dir, bytes, kinds = DATASETS) {
  await mkdir(dir, { recursive: true })
  const files = {}
  for (const kind of kinds) {
    const path = join(dir, kind)
    const out = createWriteStream(path)
    const rnd = makeRandom(7)
    let written = 0
    let pending = kind === 'wide.csv' ? WIDE_CSV_HEADER.join(',') + '\n' : kind === 'narrow.csv' ? 'id,value,price,qty\n' : ''
    for (let i = 0; written < bytes; i++) {
      const line = kind === 'wide.jsonl' ? JSON.stringify(wideRecord(i, rnd)) : kind === 'wide.csv' ? wideCsvRow(wideRecord(i, rnd)) : narrowCsvRow(i, rnd)
      pending += line + '\n'
      if (pending.length > 1 << 20) {
        written += Buffer.byteLength(pending)
        if (!out.write(pending)) await once(out, 'drain')
        pending = ''
      }
    }
    if (pending) out.write(pending)
    out.end()
    await once(out, 'finish')
    files[kind] = path
  }
  return files
}
