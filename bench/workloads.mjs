// The three workloads every reader runs, over every dataset it can read:
//   W1  every record becomes a JS object; count them (the full parsing cost)
//   W2  keep the records whose filter field matches, then keep three fields of each
//   W3  read the first 1,000 records and stop (start-up cost: opening, sampling, first batch)
// Each run resolves to the number of records it produced, which the scripts compare across
// readers before timing anything, so a reader that silently drops or invents rows is caught.

/** Records W3 reads before stopping. */
export const FIRST_RECORDS = 1000

/**
 * Per dataset: the W2 filter and the three fields kept. The predicates work on JSON numbers and
 * on CSV strings alike (CSV values stay strings, as ringstream's default `types: 'string'` gives),
 * and keep about an eighth (`city`) and a tenth (`qty`) of the records.
 */
export const FILTERS = {
  'wide.jsonl': { describe: "city === 'Paris' → { id, name, score }", keep: (r) => r.city === 'Paris', fields: ['id', 'name', 'score'] },
  'wide.csv': { describe: "city === 'Paris' → { id, name, score }", keep: (r) => r.city === 'Paris', fields: ['id', 'name', 'score'] },
  'narrow.csv': { describe: 'Number(qty) < 10 → { id, value, price }', keep: (r) => Number(r.qty) < 10, fields: ['id', 'value', 'price'] },
}

export const WORKLOADS = {
  W1: 'every record to a JS object, count them',
  W2: 'filter on one field, keep three fields',
  W3: `time to the first ${FIRST_RECORDS.toLocaleString('en')} records`,
}

/**
 * Runs `workload` with `reader` on the file at `path` (a dataset named `dataset`). Returns the
 * record count, or a promise of it for the asynchronous readers.
 */
export function runWorkload(reader, workload, dataset, path) {
  const filter = FILTERS[dataset]
  if (reader.open) return runOnRingstream(reader.open(path), workload, filter)
  return runOnForEach(reader.forEachRecord, workload, filter, path)
}

function runOnRingstream(records, workload, filter) {
  let count = 0
  if (workload === 'W1') {
    for (const _ of records) count++
  } else if (workload === 'W2') {
    for (const _ of records.filter(filter.keep).select(...filter.fields)) count++
  } else if (workload === 'W3') {
    for (const _ of records.limit(FIRST_RECORDS)) count++
  } else {
    throw new Error(`unknown workload ${workload}`)
  }
  return count
}

function runOnForEach(forEachRecord, workload, filter, path) {
  let count = 0
  let onRecord
  if (workload === 'W1') {
    onRecord = () => {
      count++
    }
  } else if (workload === 'W2') {
    const [a, b, c] = filter.fields
    // A new object per kept record, as `select` makes, so both sides pay for the allocation;
    // keeping the last one stops V8 from optimising the allocation away.
    let lastKept
    onRecord = (record) => {
      if (!filter.keep(record)) return
      lastKept = { [a]: record[a], [b]: record[b], [c]: record[c] }
      count++
    }
  } else if (workload === 'W3') {
    onRecord = () => ++count < FIRST_RECORDS
  } else {
    throw new Error(`unknown workload ${workload}`)
  }
  const done = forEachRecord(path, onRecord)
  return done instanceof Promise ? done.then(() => count) : count
}
