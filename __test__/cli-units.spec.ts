import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { Metadata, Progress } from '../ts/index'
import { parseArgs } from '../ts/cli/args'
import { inCliWords } from '../ts/cli/cli-words'
import { metadataTable } from '../ts/cli/commands/describe'
import { UsageError } from '../ts/cli/exit-codes'
import { CsvWriter, csvLine, quoteField } from '../ts/cli/output/csv'
import { formatterFor } from '../ts/cli/output/formats'
import { displayPath } from '../ts/cli/paths'
import { ProgressBar, renderProgress } from '../ts/cli/progress-bar'
import { createRandom } from '../ts/cli/random'
import { Reservoir } from '../ts/cli/reservoir'

function usage(argv: string[]): string {
  try {
    parseArgs(argv)
  } catch (error) {
    if (error instanceof UsageError) return error.message
    throw error
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`)
}

describe('argument parsing', () => {
  it('takes options before and after the command and the input', () => {
    const parsed = parseArgs(['--format', 'csv', 'cat', 'x.csv', '--limit=5', '--no-header'])
    expect(parsed).toMatchObject({ kind: 'run', command: 'cat', inputs: ['x.csv'], options: { format: 'csv', limit: 5, header: false } })
  })

  it('reads short options with and without a space, and -- ends the options', () => {
    expect(parseArgs(['head', '-n5', 'a.jsonl'])).toMatchObject({ options: { number: 5 } })
    expect(parseArgs(['head', '-n', '5', 'a.jsonl'])).toMatchObject({ options: { number: 5 } })
    expect(parseArgs(['cat', '--', '--odd-name.jsonl'])).toMatchObject({ inputs: ['--odd-name.jsonl'] })
  })

  it('joins repeated --select and --where', () => {
    expect(parseArgs(['cat', 'x', '-s', 'a,b', '--select', ' c ', '-w', 'a', '--where', 'b'])).toMatchObject({
      options: { select: ['a', 'b', 'c'], where: ['a', 'b'] },
    })
  })

  it('takes several inputs, or - alone with --format', () => {
    expect(parseArgs(['count', 'a.csv', 'b.csv'])).toMatchObject({ inputs: ['a.csv', 'b.csv'] })
    expect(parseArgs(['count', '-', '--format', 'ndjson'])).toMatchObject({ inputs: ['-'], options: { format: 'jsonl' } })
  })

  it('reads --quote none as no quoting', () => {
    expect(parseArgs(['cat', 'x', '--quote', 'none'])).toMatchObject({ options: { quote: null } })
    expect(parseArgs(['cat', 'x', '--quote', "'"])).toMatchObject({ options: { quote: "'" } })
  })

  it('maps tab spellings of --delimiter', () => {
    expect(parseArgs(['cat', 'x', '--delimiter', 'tab'])).toMatchObject({ options: { delimiter: '\t' } })
    expect(parseArgs(['cat', 'x', '-d', '\\t'])).toMatchObject({ options: { delimiter: '\t' } })
  })

  it('lets --help and --version win over other mistakes', () => {
    expect(parseArgs(['cat', '--bogus', '--help'])).toEqual({ kind: 'help', command: 'cat' })
    expect(parseArgs(['--help'])).toEqual({ kind: 'help', command: null })
    expect(parseArgs(['help', 'sample'])).toEqual({ kind: 'help', command: 'sample' })
    expect(parseArgs(['help', 'where'])).toEqual({ kind: 'help', command: 'where' })
    expect(parseArgs(['-V'])).toEqual({ kind: 'version' })
  })

  it.each([
    [[], 'no command'],
    [['cta', 'x'], "did you mean 'cat'"],
    [['data.jsonl'], 'put the command first'],
    [['cat'], 'needs an input'],
    [['cat', 'x', '--limt', '5'], 'did you mean --limit'],
    [['cat', 'x', '--limit', '-1'], 'whole number'],
    [['cat', 'x', '--limit', '1.5'], 'whole number'],
    [['cat', 'x', '--limit'], 'needs a value'],
    [['cat', 'x', '--to', 'xml'], 'must be one of jsonl, json, csv, tsv'],
    [['cat', 'x', '--format', 'cvs'], 'did you mean csv'],
    [['cat', 'x', '--on-error', 'ignore'], 'skip, raise'],
    [['cat', 'x', '--engine', 'rust'], 'ts, native'],
    [['cat', 'x', '--verbose=1'], 'takes no value'],
    [['cat', 'x', '--delimiter', ';;'], 'exactly one character'],
    [['cat', 'x', '--quote', ''], "exactly one character or 'none'"],
    [['cat', 'x', '--compression', 'bz2'], 'gzip, zstd, none'],
    [['cat', 'x', '--select', 'a,,b'], 'field names'],
    [['cat', 'x', '--seed', '1'], 'an option of sample'],
    [['count', 'x', '--to', 'csv'], 'an option of head, cat, sample'],
    [['describe', 'x', '--where', 'a'], 'describe reads no records'],
    [['cat', '-'], 'needs --format'],
    [['cat', '-', 'x', '--format', 'csv'], 'cannot be combined'],
    [['help', 'bogus'], 'no help for'],
  ])('%j is a usage error', (argv, message) => {
    expect(usage(argv)).toContain(message)
  })
})

describe('CSV output', () => {
  it('quotes fields holding the delimiter, quotes or line breaks, and doubles quotes', () => {
    expect(quoteField('plain', ',')).toBe('plain')
    expect(quoteField('a,b', ',')).toBe('"a,b"')
    expect(quoteField('a,b', '\t')).toBe('a,b')
    expect(quoteField('say "hi"', ',')).toBe('"say ""hi"""')
    expect(quoteField('two\nlines', ',')).toBe('"two\nlines"')
    expect(quoteField('cr\r', ',')).toBe('"cr\r"')
    expect(csvLine(['x', 1, true, null, undefined, { a: 1 }, [1, 2]], ',')).toBe('x,1,true,,,"{""a"":1}","[1,2]"\n')
  })

  it('takes the header from the first record and fills later ones in its order', () => {
    const w = new CsvWriter(',', null)
    const text = [{ a: 1, b: 'x' }, { b: 'y', a: 2 }, { a: 3 }, { a: 4, b: 5, c: 6 }].map((r) => w.record(r)).join('') + w.end()
    expect(text).toBe('a,b\n1,x\n2,y\n3,\n4,5\n')
    expect(w.droppedRecords).toBe(1)
    expect(w.firstDropped).toBe('c')
  })

  it('uses the --select columns as the header, even with no records', () => {
    const w = new CsvWriter(',', ['b', 'a'])
    expect(w.end()).toBe('b,a\n')
    const v = new CsvWriter(',', ['b', 'a'])
    expect(v.record({ a: 1 }) + v.end()).toBe('b,a\n,1\n')
  })

  it('writes arrays as rows without a header', () => {
    const w = new CsvWriter('\t', null)
    expect(w.record(['a', 'b c']) + w.record(['1', '2'])).toBe('a\tb c\n1\t2\n')
  })

  it('JSON output is one array, empty or not', () => {
    const empty = formatterFor('json', null)
    expect(empty.end()).toBe('[]\n')
    const f = formatterFor('json', null)
    const text = f.record({ a: 1 }) + f.record([2]) + f.end()
    expect(JSON.parse(text)).toEqual([{ a: 1 }, [2]])
  })
})

describe('sampling', () => {
  it('the seeded generator repeats and stays in [0, 1)', () => {
    const a = createRandom('42')
    const b = createRandom('42')
    const xs = Array.from({ length: 1000 }, () => a())
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()))
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(createRandom('43')()).not.toBe(xs[0])
  })

  it('keeps every item equally often, and returns them in input order', () => {
    const random = createRandom('uniform')
    const hits = new Array<number>(10).fill(0)
    const trials = 20_000
    for (let t = 0; t < trials; t++) {
      const r = new Reservoir<number>(3, random)
      for (let i = 0; i < 10; i++) r.offer(i)
      const items = r.items()
      expect(items).toEqual([...items].sort((x, y) => x - y))
      for (const i of items) hits[i]++
    }
    const expected = (trials * 3) / 10
    for (const h of hits) expect(Math.abs(h - expected) / expected).toBeLessThan(0.05)
  })

  it('keeps everything when there are fewer items than asked', () => {
    const r = new Reservoir<string>(5, createRandom('x'))
    r.offer('a')
    r.offer('b')
    expect(r.items()).toEqual(['a', 'b'])
    expect(r.offered).toBe(2)
  })
})

describe('the progress bar', () => {
  const progress = (over: Partial<Progress>): Progress => ({
    bytesRead: 512 * 1024,
    totalBytes: 1024 * 1024,
    records: 50_000,
    errors: 0,
    elapsedMs: 2000,
    path: 'x.jsonl',
    done: false,
    ...over,
  })

  it('shows the share of bytes, records per second and the time left', () => {
    const text = renderProgress(progress({ errors: 3 }), 120)
    expect(text).toBe(' 50% [###############...............] 512.0 KiB / 1.0 MiB  50,000 records  25.0k records/s  3 errors  ETA 0:02')
  })

  it('without a total, shows what was read and the time so far', () => {
    expect(renderProgress(progress({ totalBytes: null, bytesRead: null }), 80)).toBe('50,000 records  25.0k records/s  0:02')
  })

  it('fits narrow terminals', () => {
    for (const columns of [20, 40, 60]) expect(renderProgress(progress({}), columns).length).toBeLessThanOrEqual(columns - 1)
  })

  it('redraws at most every 100 ms and wipes itself at the end', () => {
    const written: string[] = []
    let now = 0
    const bar = new ProgressBar({ write: (t: string) => written.push(t), columns: 100 }, () => now)
    bar.update(progress({}))
    now = 50
    bar.update(progress({}))
    now = 120
    bar.update(progress({}))
    expect(written).toHaveLength(2)
    expect(written[0].startsWith('\r')).toBe(true)
    bar.update(progress({ done: true }))
    expect(written[2]).toBe('\r\x1b[K')
    bar.clear()
    expect(written).toHaveLength(3)
  })
})

describe('words for the command line', () => {
  it('turns stream() options in hints into flags', () => {
    expect(inCliWords("is this file CSV? pass { format: 'csv' }")).toBe('is this file CSV? pass --format csv')
    expect(inCliWords("pass { format: 'jsonl' }, 'csv', 'tsv' or 'json'")).toBe('pass --format jsonl, csv, tsv or json')
    expect(inCliWords('pass { catalog: dir } or set RINGSTREAM_DATA')).toBe('pass --catalog DIR or set RINGSTREAM_DATA')
    expect(inCliWords('more ";" than ",": pass { delimiter: ";" }?')).toBe(`more ";" than ",": pass --delimiter ';'?`)
    expect(inCliWords("leave out { engine: 'native' }")).toBe('leave out --engine native')
    expect(inCliWords('raise { maxRecordBytes } if')).toBe('raise --max-record-bytes if')
  })

  it('shows paths inside the working folder relative to it', () => {
    const work = resolve('/work')
    expect(displayPath(join(work, 'a', 'b.jsonl'), work)).toBe(join('a', 'b.jsonl'))
    expect(displayPath(resolve('/elsewhere/b.jsonl'), work)).toBe(resolve('/elsewhere/b.jsonl'))
    expect(displayPath('rel/b.jsonl', work)).toBe('rel/b.jsonl')
  })

  it('describes metadata as an aligned table', () => {
    const meta: Metadata = {
      streamingSupported: true,
      recommendedBatchSize: 4096,
      memoryEstimateMb: 2.7,
      format: 'jsonl',
      compression: 'none',
      files: ['a.jsonl'],
      totalBytes: 2048,
      estimatedRecords: 20,
      averageRecordBytes: 102.4,
      engine: 'ts',
      description: null,
    }
    const rows = metadataTable('a.jsonl', meta).trimEnd().split('\n')
    expect(rows).toContain('total size         2.0 KiB (2,048 bytes)')
    expect(rows).toContain('                   a.jsonl')
    const valueColumn = rows[0].indexOf('a.jsonl')
    for (const row of rows) expect(row.slice(0, valueColumn).trim() === '' || row[valueColumn - 1] === ' ').toBe(true)
  })
})
