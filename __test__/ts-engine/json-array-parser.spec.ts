import { describe, expect, it } from 'vitest'
import { createJsonArrayParser } from '../../ts/engine/ts/json-array-parser'
import { bytesOf, parse, peakGrowthWhilePushing, withoutDetail } from './parse-helper'

const json = { format: 'json' as const }

function faults(input: string | Uint8Array, options = {}) {
  return parse(createJsonArrayParser, input, { ...json, ...options }).faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])
}

describe('JSON array parser', () => {
  it('yields each element with its position', () => {
    const result = parse(createJsonArrayParser, '[\n  {"a": 1},\n  [2, 3] ,\n  "s", null, -1.5e2\n]\n', json)
    expect(result.records).toEqual([
      { value: { a: 1 }, line: 2, byteOffset: 4 },
      { value: [2, 3], line: 3, byteOffset: 16 },
      { value: 's', line: 4, byteOffset: 27 },
      { value: null, line: 4, byteOffset: 32 },
      { value: -150, line: 4, byteOffset: 38 },
    ])
    expect(result.faults).toEqual([])
  })

  it('yields nothing for an empty array or whitespace-only input', () => {
    for (const input of ['[]', ' [ \n\t\r ] \n', '', ' \r\n\t', '\uFEFF', '\uFEFF[]']) {
      expect(parse(createJsonArrayParser, input, json).events).toEqual([])
    }
  })

  it('skips a BOM and counts it in offsets', () => {
    expect(parse(createJsonArrayParser, '\uFEFF[1]', json).records).toEqual([{ value: 1, line: 1, byteOffset: 4 }])
  })

  it('finds element ends by structure: nested values, strings with brackets, commas and escapes', () => {
    const value = [{ a: [1, { b: ']},[{"}]}' }], 'c"]': '\\' }, ['[', ',', { x: '\\"' }], ']', '\\', '{"', [[[{}]]], {}]
    const input = JSON.stringify(value)
    expect(input).toContain('\\\\\\"')
    expect(parse(createJsonArrayParser, input, json).values).toEqual(JSON.parse(input))
  })

  it('reports an element that does not parse and goes on', () => {
    const result = parse(createJsonArrayParser, '[1, {bad}, tru, 2 3, 4]', json)
    expect(result.values).toEqual([1, 4])
    expect(result.faults.map((f) => [f.code, f.byteOffset, f.excerpt])).toEqual([
      ['ERR_PARSE', 4, '{bad}'],
      ['ERR_PARSE', 11, 'tru'],
      ['ERR_PARSE', 16, '2 3'],
    ])
  })

  it('reports an empty element at the , or ] that ends it', () => {
    expect(faults('[1,,2]')).toEqual([['ERR_PARSE', 1, 3, '']])
    expect(faults('[1,\n ]')).toEqual([['ERR_PARSE', 2, 5, '']])
    expect(faults('[,]')).toEqual([
      ['ERR_PARSE', 1, 1, ''],
      ['ERR_PARSE', 1, 2, ''],
    ])
    expect(parse(createJsonArrayParser, '[1,,2]', json).values).toEqual([1, 2])
  })

  it('treats a stray } at the array level as element content', () => {
    const result = parse(createJsonArrayParser, '[1, }, 2]', json)
    expect(result.values).toEqual([1, 2])
    expect(result.faults.map((f) => [f.code, f.byteOffset, f.excerpt])).toEqual([['ERR_PARSE', 4, '}']])
  })

  it('reports anything but whitespace after ] once, and ignores the rest', () => {
    const result = parse(createJsonArrayParser, '[1]\n x [2] ,', json)
    expect(result.values).toEqual([1])
    expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])).toEqual([['ERR_TRAILING_CONTENT', 2, 5, '']])
    expect(faults('[1] ]')).toEqual([['ERR_TRAILING_CONTENT', 1, 4, '']])
  })

  it('reports a non-array once and nothing else, with its first bytes (at most four, to a line break)', () => {
    expect(faults('\n {"a": [1, 2]}\n')).toEqual([['ERR_NOT_AN_ARRAY', 2, 2, '{"a"']])
    expect(faults('1, 2')).toEqual([['ERR_NOT_AN_ARRAY', 1, 0, '1, 2']])
    expect(faults('\uFEFF"x"')).toEqual([['ERR_NOT_AN_ARRAY', 1, 3, '"x"']])
    expect(faults('x\r\n[1]')).toEqual([['ERR_NOT_AN_ARRAY', 1, 0, 'x']])
    // Alike however the bytes come: gzip's first bytes, one at a time or at once.
    const gzip = Uint8Array.from([0x1f, 0x8b, 0x08, 0x00, 0x0a, 0x41])
    for (const size of [1, 2, 3, 100]) {
      const result = parse(createJsonArrayParser, gzip, json, size)
      expect(result.faults.map((f) => [f.code, f.byteOffset, f.excerpt])).toEqual([['ERR_NOT_AN_ARRAY', 0, '\x1f\ufffd\x08\x00']])
    }
  })

  it('parses a pending element at end of input, then reports ERR_TRUNCATED at the end', () => {
    let result = parse(createJsonArrayParser, '[1, {"a": 2}', json)
    expect(result.values).toEqual([1, { a: 2 }])
    expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])).toEqual([['ERR_TRUNCATED', 1, 12, '']])
    result = parse(createJsonArrayParser, '[1, {"a": \n', json)
    expect(result.values).toEqual([1])
    expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])).toEqual([
      ['ERR_PARSE', 1, 4, '{"a":'],
      ['ERR_TRUNCATED', 2, 11, ''],
    ])
    expect(faults('[1,')).toEqual([['ERR_TRUNCATED', 1, 3, '']])
    expect(faults('[')).toEqual([['ERR_TRUNCATED', 1, 1, '']])
    expect(faults('["ab\\')).toEqual([
      ['ERR_PARSE', 1, 1, '"ab\\'],
      ['ERR_TRUNCATED', 1, 5, ''],
    ])
  })

  it('reports invalid UTF-8 per element and goes on', () => {
    const input = Buffer.concat([Buffer.from('["a", "'), Buffer.from([0xe4, 0xb8]), Buffer.from('", "\u00e9"]')])
    for (const size of [1, 2, 100]) {
      const result = parse(createJsonArrayParser, input, json, size)
      expect(result.values).toEqual(['a', 'é'])
      expect(result.faults.map((f) => [f.code, f.byteOffset, f.excerpt])).toEqual([['ERR_INVALID_UTF8', 6, '"\uFFFD"']])
    }
  })

  it('gives the same result for every chunk size, with escapes, UTF-8 and brackets split anywhere', () => {
    const input = '\uFEFF[ {"k\u00e9":"\\"]\\\\", "v":[1,{"w":"\u{1F600}"}]},\r\n "\u4e16\\\\\\"",, {bad} ,\n\t[[]], 7 ] \n '
    const expected = parse(createJsonArrayParser, input, json)
    expect(expected.values).toEqual([{ 'k\u00e9': '"]\\', v: [1, { w: '\u{1F600}' }] }, '\u4e16\\"', [[]], 7])
    expect(expected.faults.map((f) => f.code)).toEqual(['ERR_PARSE', 'ERR_PARSE'])
    const length = bytesOf(input).length
    for (let size = 1; size <= length; size++) {
      expect(withoutDetail(parse(createJsonArrayParser, input, json, size).events)).toEqual(withoutDetail(expected.events))
    }
    expect(withoutDetail(parse(createJsonArrayParser, input, json, [1, 2, 3, 5, 7, 11]).events)).toEqual(withoutDetail(expected.events))
  })

  it('parses an element of several MiB split over many chunks', () => {
    const big = { s: '\u00e9"\\]'.repeat(1024 * 1024), n: Array.from({ length: 100000 }, (_, i) => [i]) }
    const result = parse(createJsonArrayParser, JSON.stringify([1, big, 2]), json, 65536)
    expect(result.values).toEqual([1, big, 2])
  })

  describe('maxRecordBytes', () => {
    it('reports an element longer than the limit at its position and resumes', () => {
      const long = JSON.stringify({ a: ['],'.repeat(20)] })
      const input = `[1, ${long} , 2]`
      for (const size of [1, 6, 1000]) {
        const result = parse(createJsonArrayParser, input, { ...json, maxRecordBytes: 30 }, size)
        expect(result.values).toEqual([1, 2])
        expect(result.faults.map((f) => [f.code, f.byteOffset, f.excerpt])).toEqual([['ERR_RECORD_TOO_LARGE', 4, long]])
      }
    })

    it('counts whitespace before the , in the raw length', () => {
      expect(faults('[123   ,1]', { maxRecordBytes: 5 })).toEqual([['ERR_RECORD_TOO_LARGE', 1, 1, '123']])
      expect(faults('[123  ,1]', { maxRecordBytes: 5 })).toEqual([])
    })

    it('reports a too-large pending element at end of input, then ERR_TRUNCATED', () => {
      expect(faults('[1, "abcdefghij', { maxRecordBytes: 5 }).map((f) => f[0])).toEqual(['ERR_RECORD_TOO_LARGE', 'ERR_TRUNCATED'])
    })

    it('does not hold the bytes of an element it skips', () => {
      const parser = createJsonArrayParser({ format: 'json', header: true, delimiter: ',', quote: '"', types: 'string', maxRecordBytes: 1 << 20 }, {
        record: () => undefined,
        fault: () => undefined,
      })
      const chunk = new Uint8Array(1 << 20).fill(0x5b)
      parser.push(new Uint8Array([0x5b]))
      parser.push(chunk)
      expect(peakGrowthWhilePushing((c) => parser.push(c), chunk, 64)).toBeLessThan(16 << 20)
      parser.end()
    })
  })
})
