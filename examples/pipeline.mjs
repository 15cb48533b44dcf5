// The main job on the bundled sample data: `npm start`.
// Reads the `events` dataset (a folder of JSON Lines shards with a manifest) and `cities.csv`
// from ./datasets, the default catalog folder.
import { stream } from 'ringstream'

const events = stream('events', {
  onError: (error) => {
    console.log(`  skipped ${error.code} at ${error.location}\n    ${error.excerpt}\n    hint: ${error.hint}`)
  },
})

const meta = await events.metadata()
console.log('events:', meta.description)
console.log(`  ${meta.files.length} files, ${meta.totalBytes} bytes, ~${meta.estimatedRecords} records,`,
  `batch ${meta.recommendedBatchSize}, ~${meta.memoryEstimateMb} MB per batch, ${meta.engine} engine`)

// A multi-stage pipeline: nothing is read until the loop starts, and only one batch is held.
const slowest = new Map()
const iterator = events
  .filter((e) => e.status < 500)
  .transform((e) => ({ day: e.ts.slice(0, 10), path: e.path, ms: e.ms }))
  .filter((e) => e.ms > 500)[Symbol.iterator]()
for (const e of iterator) {
  const key = `${e.day} ${e.path}`
  slowest.set(key, Math.max(slowest.get(key) ?? 0, e.ms))
}
const { records, yielded, errors, bytesRead } = iterator.stats
console.log(`  read ${records} records (${bytesRead} bytes), ${yielded} slow requests, ${errors} error`)
for (const [key, ms] of [...slowest].sort((a, b) => b[1] - a[1]).slice(0, 5)) console.log(`    ${ms} ms  ${key}`)

// Server errors per user, in batches of 500 records.
const perUser = {}
for (const batch of stream('events', { onError: () => undefined }).filter((e) => e.status >= 500).batch(500)) {
  for (const e of batch) perUser[e.user] = (perUser[e.user] ?? 0) + 1
}
console.log('  5xx per user:', JSON.stringify(perUser))

// CSV with typed values, explicit materialisation of a small result.
const capitals = await stream('cities.csv', { types: 'infer' })
  .filter((c) => c.capital)
  .select('name', 'country', 'population')
  .toArray()
console.log('capitals:')
for (const c of capitals) console.log(`  ${c.name.padEnd(18)} ${c.country}  ${c.population.toLocaleString('en')}`)
