import { describe, expect, it } from 'vitest'
import { type StreamOptions, stream } from '../ts/index'
import { readAll, summarize } from './support/collect'
import { ENGINES } from './support/engines'
import { useTempDir } from './support/temp'
import { recordWarnings, warningCode } from './support/warnings'

/** Read sizes that put buffer edges everywhere: inside BOMs, CRLFs, UTF-8 sequences and quotes. */
const BUFFER_SIZES = [1, 2, 3, 7, 64, 1 << 20] as const

/** The 0-based byte offset of the first `needle` in `text`. */
function byteOffsetOf(text: string, needle: string): number {
  const at = text.indexOf(needle)
  if (at < 0) throw new Error(`fixture error: ${JSON.stringify(needle)} is not in the text`)
  return Buffer.byteLength(text.slice(0, at))
}

describe.each(ENGINES)('formats at stream level (%s engine)', (engine) => {
  const tmp = useTempDir()

  describe.each(BUFFER_SIZES)('bufferSize %i', (bufferSize) => {
    const read = (name: string, content: string | Uint8Array, options: StreamOptions = {}) =>
      readAll(tmp.file(name, content), { engine, bufferSize, ...options })

    describe('JSON Lines', () => {
      it('skips a BOM, and offsets still count it', async () => {
        const { items, errors } = await read('bom.jsonl', '\uFEFFbad\n{"a":1}\n')
        expect(items).toEqual([{ a: 1 }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_PARSE', line: 1, byteOffset: 3 }])
        expect(errors[0].excerpt).toBe('bad')
      })

      it('reads a first record right after the BOM', async () => {
        expect((await read('bom.jsonl', '\uFEFF{"a":1}\n{"a":2}')).items).toEqual([{ a: 1 }, { a: 2 }])
      })

      it('reads CRLF line ends', async () => {
        const text = '{"a":1}\r\n{"a":2}\r\nnope\r\n{"a":4}'
        const { items, errors } = await read('crlf.jsonl', text)
        expect(items).toEqual([{ a: 1 }, { a: 2 }, { a: 4 }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_PARSE', line: 3, byteOffset: byteOffsetOf(text, 'nope') }])
      })

      it('keeps a lone CR inside the line', async () => {
        const { items, errors } = await read('cr.jsonl', '{"a":\r1}\n{"a":2}\r{"a":3}\n{"a":4}\n')
        expect(items).toEqual([{ a: 1 }, { a: 4 }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_PARSE', line: 2, byteOffset: 9 }])
      })

      it('skips blank and whitespace-only lines but counts them', async () => {
        const text = '\n{"a":1}\n   \n\t\r\n\nbad\n{"a":2}\n\n'
        const { items, errors } = await read('blank.jsonl', text)
        expect(items).toEqual([{ a: 1 }, { a: 2 }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_PARSE', line: 6, byteOffset: byteOffsetOf(text, 'bad') }])
      })

      it('reads a last line without a newline', async () => {
        expect((await read('tail.jsonl', '{"a":1}\n{"a":2}')).items).toEqual([{ a: 1 }, { a: 2 }])
      })

      it('reads any JSON value on a line', async () => {
        const { items } = await read('values.jsonl', '1\n"two"\n[3]\nnull\ntrue\n{"six":6}\n-7.5e1\n')
        expect(items).toEqual([1, 'two', [3], null, true, { six: 6 }, -75])
      })

      it('decodes multi-byte UTF-8 split across reads', async () => {
        const records = [{ s: 'héllo wörld' }, { s: '✓ ünïcödé ✓' }, { s: '😀🎉 emoji' }, { 'ключ': 'значение' }]
        const { items } = await read('utf8.jsonl', records.map((r) => JSON.stringify(r)).join('\n'))
        expect(items).toEqual(records)
      })

      it('parses like JSON.parse: last duplicate key wins, __proto__ is an own key', async () => {
        const { items } = await read('keys.jsonl', '{"a":1,"a":2}\n{"__proto__":{"x":1}}\n')
        expect(items[0]).toEqual({ a: 2 })
        const second = items[1] as Record<string, unknown>
        expect(Object.keys(second)).toEqual(['__proto__'])
        expect(Object.getPrototypeOf(second)).toBe(Object.prototype)
      })

      it('reports invalid UTF-8 as ERR_INVALID_UTF8 on that record and goes on', async () => {
        const bytes = Buffer.concat([Buffer.from('{"a":1}\n{"s":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n{"a":3}\n')])
        const { items, errors } = await read('latin.jsonl', bytes)
        expect(items).toEqual([{ a: 1 }, { a: 3 }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_INVALID_UTF8', line: 2, byteOffset: 8 }])
      })

      it('reports an encoded surrogate and a truncated sequence as ERR_INVALID_UTF8', async () => {
        const bytes = Buffer.concat([
          Buffer.from('"'),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('"\n"'),
          Buffer.from([0xe2, 0x82]),
          Buffer.from('"\n"ok"\n'),
        ])
        const { items, errors } = await read('bad-utf8.jsonl', bytes)
        expect(items).toEqual(['ok'])
        expect(errors.map((e) => [e.code, e.line])).toEqual([
          ['ERR_INVALID_UTF8', 1],
          ['ERR_INVALID_UTF8', 2],
        ])
      })

      it('reports a record longer than maxRecordBytes as ERR_RECORD_TOO_LARGE and resumes at the next', async () => {
        const text = `{"a":1}\n{"big":"${'x'.repeat(100)}"}\n{"a":3}\n`
        const { items, errors } = await read('big.jsonl', text, { maxRecordBytes: 50 })
        expect(items).toEqual([{ a: 1 }, { a: 3 }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_RECORD_TOO_LARGE', line: 2, byteOffset: 8 }])
        expect(errors[0].message).toContain('maxRecordBytes (50 bytes)')
      })

      it('accepts a record of exactly maxRecordBytes', async () => {
        const record = `{"s":"${'y'.repeat(20)}"}`
        const { items, errors } = await read('exact.jsonl', `${record}\n`, { maxRecordBytes: Buffer.byteLength(record) })
        expect(errors).toEqual([])
        expect(items).toHaveLength(1)
      })
    })

    describe('CSV', () => {
      it('reads a header and records', async () => {
        const { items } = await read('a.csv', 'id,name\n1,ann\n2,bob')
        expect(items).toEqual([
          { id: '1', name: 'ann' },
          { id: '2', name: 'bob' },
        ])
      })

      it('skips a BOM before the header', async () => {
        const { items } = await read('bom.csv', '\uFEFFid,name\n1,ann\n')
        expect(items).toEqual([{ id: '1', name: 'ann' }])
        expect(Object.keys(items[0] as object)).toEqual(['id', 'name'])
      })

      it('ends records at CRLF, LF and a lone CR', async () => {
        const { items } = await read('ends.csv', 'a,b\r\n1,2\r3,4\n5,6\r\n')
        expect(items).toEqual([
          { a: '1', b: '2' },
          { a: '3', b: '4' },
          { a: '5', b: '6' },
        ])
      })

      it('skips empty lines', async () => {
        const { items } = await read('empty.csv', '\na,b\n\n1,2\r\n\r\n3,4\n\n')
        expect(items).toEqual([
          { a: '1', b: '2' },
          { a: '3', b: '4' },
        ])
      })

      it('keeps delimiters, doubled quotes and line breaks inside quoted fields', async () => {
        const { items } = await read('quoted.csv', 'a,b\n"x, y","say ""hi"""\n"line1\r\nline2\nline3",z\n')
        expect(items).toEqual([
          { a: 'x, y', b: 'say "hi"' },
          { a: 'line1\r\nline2\nline3', b: 'z' },
        ])
      })

      it('appends bytes after a closing quote, and treats a quote inside a field as data', async () => {
        const { items } = await read('odd.csv', 'a,b\n"ab"cd,x"y\n')
        expect(items).toEqual([{ a: 'abcd', b: 'x"y' }])
      })

      it('decodes multi-byte UTF-8 split across reads', async () => {
        const { items } = await read('utf8.csv', 'wört,emoji\nGrüße,😀✓\n')
        expect(items).toEqual([{ wört: 'Grüße', emoji: '😀✓' }])
      })

      it('reports ERR_FIELD_COUNT on the line where the record starts and goes on', async () => {
        const text = 'a,b\n1,2\n"multi\nline",2,3\n4,5\n6\n7,8\n'
        const { items, errors } = await read('count.csv', text)
        expect(items).toEqual([
          { a: '1', b: '2' },
          { a: '4', b: '5' },
          { a: '7', b: '8' },
        ])
        expect(summarize(errors)).toEqual([
          { code: 'ERR_FIELD_COUNT', line: 3, byteOffset: byteOffsetOf(text, '"multi') },
          { code: 'ERR_FIELD_COUNT', line: 6, byteOffset: byteOffsetOf(text, '6\n') },
        ])
      })

      it('counts lines of quoted line breaks for the records after them', async () => {
        const text = 'a\n"1\n2\r\n3"\nbad,row\n'
        const { errors } = await read('lines.csv', text)
        expect(summarize(errors)).toEqual([{ code: 'ERR_FIELD_COUNT', line: 5, byteOffset: byteOffsetOf(text, 'bad') }])
      })

      it('reports a quote left open at the end as ERR_UNTERMINATED_QUOTE at the record', async () => {
        const text = 'a,b\n1,2\n3,"never closed\n4,5\n'
        const { items, errors } = await read('open.csv', text)
        expect(items).toEqual([{ a: '1', b: '2' }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_UNTERMINATED_QUOTE', line: 3, byteOffset: byteOffsetOf(text, '3,') }])
      })

      it('yields arrays of strings with header: false, sized by the first record', async () => {
        const { items, errors } = await read('nohead.csv', 'a,b\n1,2\n3\n', { header: false })
        expect(items).toEqual([
          ['a', 'b'],
          ['1', '2'],
        ])
        expect(errors.map((e) => [e.code, e.line])).toEqual([['ERR_FIELD_COUNT', 3]])
      })

      it('names empty header fields column_<n> and numbers repeated ones', async () => {
        const { items } = await read('names.csv', 'id,,id,id\n1,2,3,4\n')
        expect(items).toEqual([{ id: '1', column_2: '2', id_2: '3', id_3: '4' }])
      })

      it("converts values with types: 'infer' and nothing else", async () => {
        const header = 'a,b,c,d,e,f,g,h,i,j,k,l,m,n'
        const row = ',true,False,TRUE,-12,3.5e2,007,+1,.5,1.,NaN,9007199254740993,9007199254740991,x'
        const { items } = await read('types.csv', `${header}\n${row}\n`, { types: 'infer' })
        expect(items).toEqual([
          {
            a: null,
            b: true,
            c: false,
            d: true,
            e: -12,
            f: 350,
            g: '007',
            h: '+1',
            i: '.5',
            j: '1.',
            k: 'NaN',
            l: '9007199254740993',
            m: 9007199254740991,
            n: 'x',
          },
        ])
      })

      it('keeps every value a string by default', async () => {
        const { items } = await read('strings.csv', 'a,b,c\n1,true,\n')
        expect(items).toEqual([{ a: '1', b: 'true', c: '' }])
      })

      it('honours a custom delimiter and quote', async () => {
        const { items } = await read('custom.csv', "a;b\n'x;y';'it''s'\n", { delimiter: ';', quote: "'" })
        expect(items).toEqual([{ a: 'x;y', b: "it's" }])
      })

      it('may split on the usual quote character once quoting is off', async () => {
        const { items, errors } = await read('q.csv', 'a"b\n1"2\n', { quote: null, delimiter: '"' })
        expect(errors).toEqual([])
        expect(items).toEqual([{ a: '1', b: '2' }])
      })

      it('hints at the right delimiter for a semicolon file read with commas', async () => {
        const { errors } = await read('semi.csv', 'a;b;c\n1;2;3\n4;5;6,7\n')
        expect(errors.map((e) => e.code)).toEqual(['ERR_FIELD_COUNT'])
        expect(errors[0].hint).toContain('{ delimiter: ";" }')
      })

      it('reports invalid UTF-8 in a record as ERR_INVALID_UTF8 and goes on', async () => {
        const bytes = Buffer.concat([Buffer.from('a,b\n1,'), Buffer.from([0xc3]), Buffer.from('\n3,4\n')])
        const { items, errors } = await read('latin.csv', bytes)
        expect(items).toEqual([{ a: '3', b: '4' }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_INVALID_UTF8', line: 2, byteOffset: 4 }])
      })

      it('reports a record longer than maxRecordBytes and resumes at the next', async () => {
        const text = `a\n1\n"${'z'.repeat(80)}\nstill quoted"\n3\n`
        const { items, errors } = await read('big.csv', text, { maxRecordBytes: 40 })
        expect(items).toEqual([{ a: '1' }, { a: '3' }])
        expect(summarize(errors)).toEqual([{ code: 'ERR_RECORD_TOO_LARGE', line: 3, byteOffset: 4 }])
      })
    })

    describe('TSV', () => {
      it('splits on tabs, keeps commas, and quotes like CSV', async () => {
        const { items } = await read('a.tsv', 'a\tb\n1,5\t"x\ty"\n')
        expect(items).toEqual([{ a: '1,5', b: 'x\ty' }])
      })

      it('reads every quote as data with quote: null, at a field start and left open too', async () => {
        const text = 'title\tyear\n"Weird Al" Yankovic\t1983\n"Hello\t1990\n5" screen\t2000\n""\t"\n'
        const { items, errors } = await read('imdb.tsv', text, { quote: null })
        expect(errors).toEqual([])
        expect(items).toEqual([
          { title: '"Weird Al" Yankovic', year: '1983' },
          { title: '"Hello', year: '1990' },
          { title: '5" screen', year: '2000' },
          { title: '""', year: '"' },
        ])
      })

      it('reports ERR_FIELD_COUNT with a hint naming the delimiter it saw', async () => {
        const { errors } = await read('b.tsv', 'a\tb\n1\t2\n3,4,5\n')
        expect(errors.map((e) => [e.code, e.line])).toEqual([['ERR_FIELD_COUNT', 3]])
        expect(errors[0].hint).toContain('{ delimiter: "," }')
      })
    })

    describe('JSON array', () => {
      it('streams the elements, skipping structure inside strings and nested values', async () => {
        const { items } = await read('a.json', ' \n[ {"a":"],[{"}, [1, [2, {"b":3}]], "x\\"]", 4 ,null]\n')
        expect(items).toEqual([{ a: '],[{' }, [1, [2, { b: 3 }]], 'x"]', 4, null])
      })

      it('skips a BOM', async () => {
        expect((await read('bom.json', '\uFEFF[1,2]')).items).toEqual([1, 2])
      })

      it('gives no records for an empty array or a whitespace-only file', async () => {
        expect(await read('empty.json', '[ ]')).toEqual({ items: [], errors: [] })
        expect(await read('blank.json', ' \r\n\t ')).toEqual({ items: [], errors: [] })
      })

      it('gives elements their own line and byte offset', async () => {
        const text = '[\n  1,\n  bad,\n  3\n]'
        const { items, errors } = await read('pos.json', text)
        expect(items).toEqual([1, 3])
        expect(summarize(errors)).toEqual([{ code: 'ERR_PARSE', line: 3, byteOffset: byteOffsetOf(text, 'bad') }])
      })

      it('reports ERR_NOT_AN_ARRAY once, with the jsonl hint, for an object', async () => {
        const text = '  {"a":1}\n{"a":2}\n'
        const { items, errors } = await read('obj.json', text)
        expect(items).toEqual([])
        expect(summarize(errors)).toEqual([{ code: 'ERR_NOT_AN_ARRAY', line: 1, byteOffset: 2 }])
        expect(errors[0].hint).toContain("format: 'jsonl'")
        expect(errors[0].excerpt).toBe('{"a"')
      })

      it('reports an empty element as ERR_PARSE at the comma or bracket that ends it', async () => {
        const text = '[1,,2,]'
        const { items, errors } = await read('holes.json', text)
        expect(items).toEqual([1, 2])
        expect(summarize(errors)).toEqual([
          { code: 'ERR_PARSE', line: 1, byteOffset: 3 },
          { code: 'ERR_PARSE', line: 1, byteOffset: 6 },
        ])
      })

      it('reports content after the closing bracket once as ERR_TRAILING_CONTENT', async () => {
        const text = '[1]\n  [2]\n{"x":3}'
        const { items, errors } = await read('trail.json', text)
        expect(items).toEqual([1])
        expect(summarize(errors)).toEqual([{ code: 'ERR_TRAILING_CONTENT', line: 2, byteOffset: 6 }])
      })

      it('reports a cut-off array as ERR_TRUNCATED at the end, after its complete elements', async () => {
        const text = '[1, 2,\n 3'
        const { items, errors } = await read('cut.json', text)
        expect(items).toEqual([1, 2, 3])
        expect(summarize(errors)).toEqual([{ code: 'ERR_TRUNCATED', line: 2, byteOffset: Buffer.byteLength(text) }])
      })

      it('reports invalid UTF-8 in an element and goes on', async () => {
        const bytes = Buffer.concat([Buffer.from('[1,"'), Buffer.from([0x80]), Buffer.from('",3]')])
        const { items, errors } = await read('latin.json', bytes)
        expect(items).toEqual([1, 3])
        expect(summarize(errors)).toEqual([{ code: 'ERR_INVALID_UTF8', line: 1, byteOffset: 3 }])
      })

      it('reports an element longer than maxRecordBytes and goes on', async () => {
        const text = `[1, "${'q'.repeat(100)}", 3]`
        const { items, errors } = await read('big.json', text, { maxRecordBytes: 20 })
        expect(items).toEqual([1, 3])
        expect(summarize(errors)).toEqual([{ code: 'ERR_RECORD_TOO_LARGE', line: 1, byteOffset: 4 }])
      })
    })
  })

  describe('a CSV file read as one column', () => {
    const warningsOf = async (path: string, options: StreamOptions = {}) => {
      await new Promise((resolve) => setImmediate(resolve)) // let earlier tests' warnings go by
      const recorder = recordWarnings()
      try {
        const records = [...stream(path, { engine, ...options })]
        await recorder.settle()
        return { records, warnings: recorder.warnings.filter((w) => warningCode(w) === 'RINGSTREAM_ONE_COLUMN').map((w) => w.message) }
      } finally {
        recorder.stop()
      }
    }

    it.each([
      [';', 'id;name;city\n1;Ann;Paris\n2;Bob;Lyon\n', "';'", 3],
      ['tab', 'id\tname\n1\tAnn\n', "'\\t'", 2],
      ['|', 'id|name\n1|Ann\n', "'|'", 2],
    ])('delimited by %s warns once, naming the delimiter to pass, and reads it as it is', async (_name, text, shown, fields) => {
      const path = tmp.file('export.csv', text)
      const { records, warnings } = await warningsOf(path)
      expect(records).toHaveLength(text.split('\n').length - 2)
      expect(Object.keys(records[0] as object)).toHaveLength(1)
      expect(warnings).toEqual([
        `${path} was read as one column, ${JSON.stringify(text.split('\n')[0])}, but its header and first record both split on ${shown} into ${fields} fields: if it is ${shown}-delimited, pass { delimiter: ${shown} }`,
      ])
    })

    it('without a header, warns when the first two records split alike', async () => {
      const path = tmp.file('rows.csv', '1;Ann;Paris\n2;Bob;Lyon\n3;Cy;Nice\n')
      const { records, warnings } = await warningsOf(path, { header: false })
      expect(records).toEqual([['1;Ann;Paris'], ['2;Bob;Lyon'], ['3;Cy;Nice']])
      expect(warnings).toEqual([
        `${path} was read as one column, but its first two records, "1;Ann;Paris" and "2;Bob;Lyon", both split on ';' into 3 fields: if it is ';'-delimited, pass { delimiter: ';' }`,
      ])
    })

    it('warns once per iteration, for the first file of a folder that is so', async () => {
      tmp.file('parts/a.csv', 'id,name\n1,Ann\n')
      tmp.file('parts/b.csv', 'id;name\n2;Bob\n')
      tmp.file('parts/c.csv', 'id;name\n3;Cy\n')
      const { warnings } = await warningsOf(tmp.path('parts'), { onError: () => undefined })
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain('b.csv was read as one column')
    })

    it.each([
      ['a delimiter given', 'id;name\n1;Ann\n', { delimiter: ',' }],
      ['no header and one record', '1;Ann\n', { header: false }],
      ['no header and records that do not split alike', '1;Ann\n2\n', { header: false }],
      ['a one-column file whose values do not split alike', 'note;s\nfine\n', {}],
      ['a file of two columns', 'id,note\n1,a;b\n', {}],
    ] as const)('does not warn with %s', async (_name, text, options) => {
      const { warnings } = await warningsOf(tmp.file('quiet.csv', text), options)
      expect(warnings).toEqual([])
    })
  })

  describe('records of several MiB', () => {
    const big = (size: number, seed: string) => seed.repeat(Math.ceil(size / seed.length)).slice(0, size)

    it.each([4096, 1 << 16, 1 << 20])('reads 3 MiB JSON Lines records with bufferSize %i', async (bufferSize) => {
      const a = big(3 << 20, 'abcdefgh✓')
      const b = big(3 << 20, 'xyz😀')
      const path = tmp.file('huge.jsonl', `${JSON.stringify({ a })}\n{"small":1}\n${JSON.stringify({ b })}\n`)
      const { items, errors } = await readAll(path, { engine, bufferSize })
      expect(errors).toEqual([])
      expect(items).toHaveLength(3)
      expect((items[0] as { a: string }).a === a).toBe(true)
      expect(items[1]).toEqual({ small: 1 })
      expect((items[2] as { b: string }).b === b).toBe(true)
    })

    it('reads a 3 MiB quoted CSV field with line breaks', async () => {
      const field = big(3 << 20, 'line, with "quotes"\n')
      const path = tmp.file('huge.csv', `id,text\n1,"${field.replaceAll('"', '""')}"\n2,short\n`)
      const { items, errors } = await readAll(path, { engine, bufferSize: 4096 })
      expect(errors).toEqual([])
      expect(items).toHaveLength(2)
      expect((items[0] as { text: string }).text === field).toBe(true)
      expect(items[1]).toEqual({ id: '2', text: 'short' })
    })

    it('skips a 5 MiB record over maxRecordBytes and reads what follows', async () => {
      const path = tmp.file('huge.jsonl', `{"a":1}\n${JSON.stringify({ s: big(5 << 20, 'x') })}\n{"a":3}\n`)
      const { items, errors } = await readAll(path, { engine, bufferSize: 1 << 16, maxRecordBytes: 1 << 20 })
      expect(items).toEqual([{ a: 1 }, { a: 3 }])
      expect(summarize(errors)).toEqual([{ code: 'ERR_RECORD_TOO_LARGE', line: 2, byteOffset: 8 }])
    })
  })
})
