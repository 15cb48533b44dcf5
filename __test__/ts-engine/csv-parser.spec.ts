import { describe, expect, it } from 'vitest'
import { createCsvParser } from '../../ts/engine/ts/csv-parser'
import { headerNames } from '../../ts/engine/ts/header-names'
import type { ParseOptions } from '../../ts/engine/types'
import { bytesOf, parse, peakGrowthWhilePushing, withoutDetail } from './parse-helper'

const rows = { format: 'csv' as const, header: false }
const objects = { format: 'csv' as const, header: true }

function csvRows(input: string | Uint8Array, options: Partial<ParseOptions> = {}, chunks: number | number[] = Number.MAX_SAFE_INTEGER) {
  return parse(createCsvParser, input, { ...rows, ...options }, chunks)
}

function codes(input: string, options: Partial<ParseOptions> = {}) {
  return csvRows(input, options).faults.map((f) => [f.code, f.line, f.byteOffset])
}

describe('CSV parser', () => {
  it('reads a record the same wherever a chunk ends, plain fields before a quoted one or not, characters of 1 to 4 bytes', () => {
    // Plain fields are decoded from the chunk itself until a quote or a chunk end makes the
    // parser gather the record; every cut exercises one way in.
    const input = 'id,név,note\r\n7,Zoë😀,"say ""hi"",\nthen go"\n8,é€,plain😀x\n"q",x,\n'
    const expected = [['id', 'név', 'note'], ['7', 'Zoë😀', 'say "hi",\nthen go'], ['8', 'é€', 'plain😀x'], ['q', 'x', '']]
    const bytes = bytesOf(input)
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { records, faults } = csvRows(bytes, {}, [cut, bytes.length])
      expect(faults, `cut at ${cut}`).toEqual([])
      expect(records.map((r) => r.value), `cut at ${cut}`).toEqual(expected)
    }
  })

  it('reads rows with positions', () => {
    expect(csvRows('a,b\nc,d\n').records).toEqual([
      { value: ['a', 'b'], line: 1, byteOffset: 0 },
      { value: ['c', 'd'], line: 2, byteOffset: 4 },
    ])
  })

  it('ends records at \\n, \\r\\n and a lone \\r, counting each once', () => {
    expect(csvRows('a\r\nb\rc\nd').records).toEqual([
      { value: ['a'], line: 1, byteOffset: 0 },
      { value: ['b'], line: 2, byteOffset: 3 },
      { value: ['c'], line: 3, byteOffset: 5 },
      { value: ['d'], line: 4, byteOffset: 7 },
    ])
  })

  it('skips empty lines of any terminator; \\n\\r is a terminator and an empty line', () => {
    expect(csvRows('\r\n\na\n\r\n\rb\n\rc\r\n').records).toEqual([
      { value: ['a'], line: 3, byteOffset: 3 },
      { value: ['b'], line: 6, byteOffset: 8 },
      { value: ['c'], line: 8, byteOffset: 11 },
    ])
  })

  it('keeps whitespace-only lines as records and fields as they are', () => {
    expect(csvRows(' \n\t\n').values).toEqual([[' '], ['\t']])
    expect(csvRows(' a , b \n').values).toEqual([[' a ', ' b ']])
  })

  it('reads empty fields, and needs quotes for an empty one-column record', () => {
    expect(csvRows(',\na,\n,b\n').values).toEqual([['', ''], ['a', ''], ['', 'b']])
    expect(csvRows('a\n\n""\n\nb\n').values).toEqual([['a'], [''], ['b']])
  })

  it('skips a BOM and counts it in offsets', () => {
    expect(csvRows('\uFEFFa,b\n1,2').records).toEqual([
      { value: ['a', 'b'], line: 1, byteOffset: 0 + 3 },
      { value: ['1', '2'], line: 2, byteOffset: 4 + 3 },
    ])
    expect(parse(createCsvParser, '\uFEFFid\n1', objects).values).toEqual([{ id: '1' }])
  })

  it('reads the last record without a terminator, including a trailing empty field', () => {
    expect(csvRows('a,b\nc,').values).toEqual([['a', 'b'], ['c', '']])
    expect(csvRows('a,"b"').values).toEqual([['a', 'b']])
  })

  it('handles quoted fields like csv-core', () => {
    expect(csvRows('"a,b","c""d","e\nf","g\r\nh"\n').values).toEqual([['a,b', 'c"d', 'e\nf', 'g\r\nh']])
    // A quote opens a quoted field only as its first byte.
    expect(csvRows('a"b,c""\n').values).toEqual([['a"b', 'c""']])
    expect(csvRows(' "a",b\n').values).toEqual([[' "a"', 'b']])
    // Bytes after the closing quote join the field.
    expect(csvRows('"ab"cd,"x""y"z\n').values).toEqual([['abcd', 'x"yz']])
    expect(csvRows('"a"b"c"\n').values).toEqual([['ab"c"']])
    expect(csvRows('"",""""\n').values).toEqual([['', '"']])
  })

  it('counts line breaks inside quotes for the lines of later records', () => {
    expect(csvRows('"a\r\nb\rc\nd",1\nx,2\n').records).toEqual([
      { value: ['a\r\nb\rc\nd', '1'], line: 1, byteOffset: 0 },
      { value: ['x', '2'], line: 5, byteOffset: 13 },
    ])
  })

  it('reports a quoted field open at end of input as ERR_UNTERMINATED_QUOTE', () => {
    const result = csvRows('a,b\nc,"d\ne,f\n')
    expect(result.values).toEqual([['a', 'b']])
    expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])).toEqual([['ERR_UNTERMINATED_QUOTE', 2, 4, 'c,"d\ne,f\n']])
    // A closed quote at the end is fine.
    expect(csvRows('"a"').values).toEqual([['a']])
    expect(csvRows('"a""').faults.map((f) => f.code)).toEqual(['ERR_UNTERMINATED_QUOTE'])
  })

  it('reads TSV with a tab delimiter and the same quoting', () => {
    const result = parse(createCsvParser, 'a\tb,c\n"x\ty"\t"q"""\n', { format: 'tsv', header: false })
    expect(result.values).toEqual([['a', 'b,c'], ['x\ty', 'q"']])
  })

  it('reports a record with the wrong field count and goes on', () => {
    const result = parse(createCsvParser, 'a,b\n1,2\n3\n4,5,6\n7,8\n', objects)
    expect(result.values).toEqual([{ a: '1', b: '2' }, { a: '7', b: '8' }])
    expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt, f.detail])).toEqual([
      ['ERR_FIELD_COUNT', 3, 8, '3', 'expected 2 fields, found 1'],
      ['ERR_FIELD_COUNT', 4, 10, '4,5,6', 'expected 2 fields, found 3'],
    ])
    expect(codes('a,b\nc\n')).toEqual([['ERR_FIELD_COUNT', 2, 4]])
  })

  it('takes the header from the first record that is not an error', () => {
    const input = Buffer.concat([Buffer.from('\xff,x\n', 'latin1'), Buffer.from('id,name\n1,ann\n')])
    const result = parse(createCsvParser, input, objects)
    expect(result.faults.map((f) => [f.code, f.line])).toEqual([['ERR_INVALID_UTF8', 1]])
    expect(result.records).toEqual([{ value: { id: '1', name: 'ann' }, line: 3, byteOffset: 12 }])
    const rowsResult = parse(createCsvParser, input, rows)
    expect(rowsResult.values).toEqual([['id', 'name'], ['1', 'ann']])
  })

  it('yields nothing for a header-only or empty file', () => {
    expect(parse(createCsvParser, 'a,b\n', objects).events).toEqual([])
    expect(parse(createCsvParser, '', objects).events).toEqual([])
    expect(parse(createCsvParser, '\r\n\r\n', objects).events).toEqual([])
  })

  it('names empty and repeated header fields', () => {
    expect(parse(createCsvParser, 'a,,a,b,a,\n1,2,3,4,5,6\n', objects).values).toEqual([
      { a: '1', column_2: '2', a_2: '3', b: '4', a_3: '5', column_6: '6' },
    ])
    expect(headerNames(['a', 'a', 'a_2'])).toEqual(['a', 'a_2', 'a_2_2'])
    expect(headerNames(['a_2', 'a', 'a'])).toEqual(['a_2', 'a', 'a_3'])
    expect(headerNames(['column_2', ''])).toEqual(['column_2', 'column_2_2'])
  })

  it('keeps keys in header order', () => {
    const [record] = parse(createCsvParser, 'z,a,m\n1,2,3\n', objects).values as object[]
    expect(Object.keys(record)).toEqual(['z', 'a', 'm'])
  })

  it('makes a __proto__ header an ordinary own property, like JSON.parse', () => {
    const [record] = parse(createCsvParser, 'a,__proto__,constructor\n1,2,3\n', objects).values as Array<Record<string, unknown>>
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
    expect(Object.keys(record)).toEqual(['a', '__proto__', 'constructor'])
    expect(Object.getOwnPropertyDescriptor(record, '__proto__')).toEqual({ value: '2', writable: true, enumerable: true, configurable: true })
    expect(record).toEqual(JSON.parse('{"a":"1","__proto__":"2","constructor":"3"}'))
    expect(({} as Record<string, unknown>).a).toBeUndefined()
  })

  it('infers types per column value with types: infer', () => {
    const result = parse(createCsvParser, 'a,b,c,d,e\n1,,true,007,-2.5e3\n', { ...objects, types: 'infer' })
    expect(result.values).toEqual([{ a: 1, b: null, c: true, d: '007', e: -2500 }])
    expect(parse(createCsvParser, 'x,TRUE,1.5\n', { ...rows, types: 'infer' }).values).toEqual([['x', true, 1.5]])
  })

  it('reports invalid UTF-8 on the raw record bytes and goes on', () => {
    const input = Buffer.concat([Buffer.from('a\n"'), Buffer.from([0xc3]), Buffer.from('"'), Buffer.from([0xa9]), Buffer.from('\nb\n')])
    for (const size of [1, 2, 100]) {
      const result = csvRows(input, {}, size)
      expect(result.values).toEqual([['a'], ['b']])
      expect(result.faults.map((f) => [f.code, f.line, f.byteOffset])).toEqual([['ERR_INVALID_UTF8', 2, 2]])
    }
  })

  it('gives the same result for every chunk size, with UTF-8, CRLF and quotes split anywhere', () => {
    const input = '\uFEFFn\u00e4me,"v,al"\r\n"h\u00e9\r\nllo","\u{1F600}"""\r\n\r\n\u4e16,"a"b\r"x""\ny",\n\u00e9,"open'
    const expected = parse(createCsvParser, input, objects)
    expect(expected.values).toEqual([
      { 'n\u00e4me': 'h\u00e9\r\nllo', 'v,al': '\u{1F600}"' },
      { 'n\u00e4me': '\u4e16', 'v,al': 'ab' },
      { 'n\u00e4me': 'x"\ny', 'v,al': '' },
    ])
    expect(expected.faults.map((f) => [f.code, f.line])).toEqual([['ERR_UNTERMINATED_QUOTE', 8]])
    const length = bytesOf(input).length
    for (let size = 1; size <= length; size++) {
      expect(withoutDetail(parse(createCsvParser, input, objects, size).events)).toEqual(withoutDetail(expected.events))
    }
    expect(withoutDetail(parse(createCsvParser, input, objects, [1, 2, 3, 5, 7, 11]).events)).toEqual(withoutDetail(expected.events))
  })

  it('parses a record of several MiB split over many chunks', () => {
    const big = '\u00e9,"\n'.repeat(1024 * 1024)
    const quoted = `"${big.replaceAll('"', '""')}"`
    const input = `a,b\n1,${quoted}\n2,x`
    const result = parse(createCsvParser, input, objects, 65536)
    expect(result.values).toEqual([{ a: '1', b: big }, { a: '2', b: 'x' }])
    expect(result.records[1].line).toBe(2 + 1024 * 1024 + 1)
  })

  describe('maxRecordBytes', () => {
    it('reports a record longer than the limit and resumes after it, following quotes', () => {
      const long = `"${'x\n,'.repeat(20)}"`
      const input = `h\n1\n${long}\n2\n`
      for (const size of [1, 5, 1000]) {
        const result = csvRows(input, { maxRecordBytes: 30 }, size)
        expect(result.values).toEqual([['h'], ['1'], ['2']])
        expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])).toEqual([['ERR_RECORD_TOO_LARGE', 3, 4, long]])
      }
    })

    it('measures the raw length up to the terminator', () => {
      expect(codes('abcde\r\nabcdef\n', { maxRecordBytes: 5 })).toEqual([['ERR_RECORD_TOO_LARGE', 2, 7]])
      expect(codes('abcdef', { maxRecordBytes: 5 })).toEqual([['ERR_RECORD_TOO_LARGE', 1, 0]])
    })

    it('reports a too-large record open at end of input as too large', () => {
      expect(codes(`"${'x'.repeat(100)}`, { maxRecordBytes: 10 })).toEqual([['ERR_RECORD_TOO_LARGE', 1, 0]])
    })

    it('excerpts a skipped record from its first 80 bytes', () => {
      const result = csvRows(`${'\u4e16'.repeat(40)}\n`, { maxRecordBytes: 50 }, 7)
      expect(result.faults[0].excerpt).toBe(`${'\u4e16'.repeat(26)}…`)
    })

    it('does not hold the bytes of a record it skips', () => {
      const parser = createCsvParser({ format: 'csv', header: false, delimiter: ',', quote: '"', types: 'string', maxRecordBytes: 1 << 20 }, {
        record: () => undefined,
        fault: () => undefined,
      })
      const chunk = new Uint8Array(1 << 20).fill(0x61)
      for (let k = 0; k < chunk.length; k += 64) chunk[k] = 0x2c
      parser.push(chunk)
      expect(peakGrowthWhilePushing((c) => parser.push(c), chunk, 64)).toBeLessThan(16 << 20)
      parser.end()
    })
  })
})
