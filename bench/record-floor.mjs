// How far the native engine's JS thread is from the least any reader's JS thread must do for W1
// on a CSV file: build every record, an object of string values. The floor is a tight loop that
// builds the same records with the same kind of generated literal, slicing each value from a
// string of 64 records, the input already split and decoded (none of that is timed). Against it,
// W1 through ringstream's `for…of`, as the JS thread's CPU time (Linux's per-thread scheduler
// statistics; the wall time elsewhere), so the reader thread's work is not counted; and uDSV
// (which has one thread) for the same records, with a third of its time: what "3× uDSV" leaves a
// reader, to set beside the floor. The last columns are the wall times of the same rounds:
// ringstream's above its JS thread's CPU is that thread waiting for batches (batch-waits.mjs).
//
//   node bench/record-floor.mjs [--size-mb 50] [--rounds 5] [--datasets narrow.csv,wide.csv] [--data-dir dir]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { stream } from 'ringstream'
import { describeBuild, describeMachine, jsThreadCpuMs, listOption, median, pick, prepareData, printTable } from './common.mjs'
import { findReader } from './readers.mjs'

const CHUNK_RECORDS = 64

const { values: options } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '50' },
    rounds: { type: 'string', default: '5' },
    datasets: { type: 'string', default: 'narrow.csv,wide.csv' },
    'data-dir': { type: 'string' },
  },
})
const datasets = pick(listOption(options.datasets), ['narrow.csv', 'wide.csv'], 'dataset')
const rounds = Number(options.rounds)
const { files, cleanup } = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets })

/** Runs `fn`, returning its JS-thread CPU time (or, where that is not known, its wall time) and its wall time in ms. */
function timed(fn) {
  const cpu = jsThreadCpuMs()
  const started = performance.now()
  fn()
  const wall = performance.now() - started
  const cpuAfter = jsThreadCpuMs()
  return { cpu: cpu === null || cpuAfter === null ? wall : cpuAfter - cpu, wall }
}

/** The file's records as chunks: a string of 64 records' values and where each value ends. */
function chunksOf(path) {
  const [header, ...lines] = readFileSync(path, 'utf8').split('\n')
  const names = header.split(',')
  const chunks = []
  for (let i = 0; i < lines.length; i += CHUNK_RECORDS) {
    const rows = lines.slice(i, i + CHUNK_RECORDS).filter((line) => line.length > 0)
    const ends = new Uint32Array(rows.length * names.length)
    const starts = new Uint32Array(rows.length)
    let offset = 0
    let v = 0
    for (let r = 0; r < rows.length; r++) {
      starts[r] = offset
      let end = 0
      for (const value of rows[r].split(',')) {
        end += value.length
        ends[v++] = end
        end += 1
      }
      offset += rows[r].length
    }
    chunks.push({ text: rows.join(''), ends, starts, count: rows.length })
  }
  return { names, chunks }
}

/** The generated literal that builds one record from its chunk's text, as the engine's does. */
function recordMaker(names) {
  const ends = names.map((_, k) => `e${k} = b + e[v + ${k}]`)
  const items = names.map((name, k) => `${JSON.stringify(name)}: s.slice(${k === 0 ? 'b' : `e${k - 1} + 1`}, e${k})`)
  return new Function('s', 'e', 'v', 'b', `const ${ends.join(', ')}; return {${items.join(', ')}}`)
}

function floor({ names, chunks }) {
  const make = recordMaker(names)
  const width = names.length
  let kept = 0
  for (const { text, ends, starts, count } of chunks) {
    const records = new Array(count)
    for (let r = 0; r < count; r++) records[r] = make(text, ends, r * width, starts[r])
    for (let r = 0; r < count; r++) if (records[r] !== null) kept++
  }
  return kept
}

function engine(path) {
  let count = 0
  for (const _ of stream(path, { engine: 'native' })) count++
  return count
}

const udsvReader = await findReader('udsv')

function udsv(path) {
  let count = 0
  udsvReader.forEachRecord(path, () => {
    count++
  })
  return count
}

console.log(`machine: ${describeMachine()}`)
console.log(`build: ${describeBuild()}`)
console.log(`JS-thread ${jsThreadCpuMs() === null ? 'wall' : 'CPU'} time per record, median of ${rounds} rounds\n`)
const rows = []
try {
  for (const dataset of datasets) {
    const records = engine(files[dataset])
    if (udsv(files[dataset]) !== records) throw new Error(`uDSV and ringstream disagree on how many records ${dataset} holds`)
    const engineRuns = []
    const udsvRuns = []
    for (let round = 0; round < rounds; round++) {
      engineRuns.push(timed(() => engine(files[dataset])))
      udsvRuns.push(timed(() => udsv(files[dataset])))
    }
    // The floor's input (the whole file, split) is made only now: alive, it slowed uDSV by half.
    const input = chunksOf(files[dataset])
    const floorRuns = []
    for (let round = 0; round < rounds; round++) floorRuns.push(timed(() => floor(input)))
    const perRecord = (runs, kind) => (median(runs.map((run) => run[kind])) * 1e6) / records
    const [f, e, u] = [perRecord(floorRuns, 'cpu'), perRecord(engineRuns, 'cpu'), perRecord(udsvRuns, 'cpu')]
    const [engineWall, udsvWall] = [perRecord(engineRuns, 'wall'), perRecord(udsvRuns, 'wall')]
    rows.push([
      dataset,
      records.toLocaleString('en'),
      f.toFixed(1),
      e.toFixed(1),
      (e - f).toFixed(1),
      u.toFixed(1),
      (u / 3).toFixed(1),
      engineWall.toFixed(1),
      udsvWall.toFixed(1),
      `${(udsvWall / engineWall).toFixed(2)}×`,
    ])
  }
} finally {
  cleanup()
}
printTable(
  ['dataset', 'records', 'floor ns/record', 'ringstream-native ns/record', 'above the floor', 'udsv ns/record', 'a third of udsv', 'ringstream wall ns/record', 'udsv wall ns/record', 'wall: udsv / ringstream'],
  rows,
)
