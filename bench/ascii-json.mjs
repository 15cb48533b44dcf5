// Why the native engine's JSON text is ASCII: the same batches of wide.jsonl (4,096 lines framed
// as one JSON array, as the core frames them) turned into records two ways, side by side in one
// process — the UTF-8 text decoded into a string and parsed, and the text with every non-ASCII
// character as a `\u` escape taken as a one-byte (Latin-1) string and parsed. Prints the median
// milliseconds of each over --repeat passes, decoding alone and decoding plus `JSON.parse`.
//
//   node bench/ascii-json.mjs [--size-mb 30] [--repeat 9] [--data-dir DIR]
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { describeMachine, median, prepareData, printTable } from './common.mjs'

const BATCH_LINES = 4096

const { values: options } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '30' },
    repeat: { type: 'string', default: '9' },
    'data-dir': { type: 'string' },
  },
})

const { files, cleanup } = await prepareData({ dataDir: options['data-dir'], sizeMb: Number(options['size-mb']), datasets: ['wide.jsonl'] })
const lines = readFileSync(files['wide.jsonl'], 'utf8').split('\n').filter((line) => line.length > 0)
cleanup()

const escapeNonAscii = (text) => text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
const utf8Batches = []
const asciiBatches = []
for (let i = 0; i < lines.length; i += BATCH_LINES) {
  const json = `[${lines.slice(i, i + BATCH_LINES).join(',')}]`
  utf8Batches.push(Buffer.from(json, 'utf8'))
  asciiBatches.push(Buffer.from(escapeNonAscii(json), 'latin1'))
}

const ways = {
  'UTF-8 text': { batches: utf8Batches, decode: (b) => b.toString('utf8') },
  'ASCII text (\\u escapes), Latin-1': { batches: asciiBatches, decode: (b) => b.toString('latin1') },
}

function medianMs(batches, work) {
  const times = []
  for (let pass = 0; pass < Number(options.repeat); pass++) {
    const started = performance.now()
    for (const batch of batches) work(batch)
    times.push(performance.now() - started)
  }
  return median(times)
}

console.log(describeMachine())
const nonAscii = lines.filter((line) => /[^\x00-\x7f]/.test(line)).length
console.log(`wide.jsonl: ${lines.length} lines, ${nonAscii} with a non-ASCII character; ${utf8Batches.length} batches of ${BATCH_LINES}\n`)
const rows = []
for (const [name, { batches, decode }] of Object.entries(ways)) {
  let records = 0
  const decodeMs = medianMs(batches, decode)
  const parseMs = medianMs(batches, (batch) => {
    records += JSON.parse(decode(batch)).length
  })
  if (records !== lines.length * Number(options.repeat)) throw new Error(`${name}: parsed ${records} records`)
  rows.push([name, decodeMs.toFixed(1), parseMs.toFixed(1)])
}
printTable(['batch text', 'decode, median ms', 'decode + JSON.parse, median ms'], rows)
