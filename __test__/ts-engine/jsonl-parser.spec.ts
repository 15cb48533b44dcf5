import { describe, expect, it } from 'vitest'
import { createJsonlParser } from '../../ts/engine/ts/jsonl-parser'
import { bytesOf, parse, peakGrowthWhilePushing, withoutDetail } from './parse-helper'

const jsonl = { format: 'jsonl' as const }

describe('JSON Lines parser', () => {
  it('parses one value of any type per line with positions', () => {
    const result = parse(createJsonlParser, '{"a":1}\n[1,2]\n"s"\n3.5\nnull\ntrue\n', jsonl)
    expect(result.records).toEqual([
      { value: { a: 1 }, line: 1, byteOffset: 0 },
      { value: [1, 2], line: 2, byteOffset: 8 },
      { value: 's', line: 3, byteOffset: 14 },
      { value: 3.5, line: 4, byteOffset: 18 },
      { value: null, line: 5, byteOffset: 22 },
      { value: true, line: 6, byteOffset: 27 },
    ])
    expect(result.faults).toEqual([])
  })

  it('skips a BOM but counts it in offsets', () => {
    const result = parse(createJsonlParser, '\uFEFF{"a":1}\n{"b":2}', jsonl)
    expect(result.records).toEqual([
      { value: { a: 1 }, line: 1, byteOffset: 3 },
      { value: { b: 2 }, line: 2, byteOffset: 11 },
    ])
  })

  it('skips a BOM split over chunks of one byte', () => {
    const result = parse(createJsonlParser, '\uFEFF1\n2', jsonl, 1)
    expect(result.records).toEqual([
      { value: 1, line: 1, byteOffset: 3 },
      { value: 2, line: 2, byteOffset: 5 },
    ])
  })

  it('treats a partial BOM as data', () => {
    const input = new Uint8Array([0xef, 0xbb, 0x31, 0x0a, 0x32])
    for (const size of [1, 2, 5]) {
      const result = parse(createJsonlParser, input, jsonl, size)
      expect(result.faults.map((f) => [f.code, f.byteOffset])).toEqual([['ERR_INVALID_UTF8', 0]])
      expect(result.records).toEqual([{ value: 2, line: 2, byteOffset: 4 }])
    }
    expect(parse(createJsonlParser, new Uint8Array([0xef, 0xbb]), jsonl, 1).faults[0].code).toBe('ERR_INVALID_UTF8')
  })

  it('a BOM only counts at byte 0', () => {
    const result = parse(createJsonlParser, '1\n\uFEFF2\n', jsonl)
    expect(result.faults.map((f) => [f.code, f.line, f.byteOffset])).toEqual([['ERR_PARSE', 2, 2]])
  })

  it('drops one \\r before \\n and keeps a lone \\r as whitespace', () => {
    const result = parse(createJsonlParser, '{"a":1}\r\n{"b":\r2}\n3\r', jsonl)
    expect(result.records).toEqual([
      { value: { a: 1 }, line: 1, byteOffset: 0 },
      { value: { b: 2 }, line: 2, byteOffset: 9 },
      { value: 3, line: 3, byteOffset: 18 },
    ])
  })

  it('counts \\n only, so a lone \\r does not start a line', () => {
    const result = parse(createJsonlParser, '1\r2\n3', jsonl)
    expect(result.faults.map((f) => [f.code, f.line])).toEqual([['ERR_PARSE', 1]])
    expect(result.records).toEqual([{ value: 3, line: 2, byteOffset: 4 }])
  })

  it('skips blank lines of spaces, tabs and \\r but counts them', () => {
    const result = parse(createJsonlParser, '\n  \t \r\n\r\n1\n\r\r\n \n2\n\n', jsonl)
    expect(result.records).toEqual([
      { value: 1, line: 4, byteOffset: 9 },
      { value: 2, line: 7, byteOffset: 16 },
    ])
    expect(result.faults).toEqual([])
  })

  it('parses a last line without a newline, and nothing from empty input', () => {
    expect(parse(createJsonlParser, '1\n2', jsonl).values).toEqual([1, 2])
    expect(parse(createJsonlParser, '', jsonl).events).toEqual([])
    expect(parse(createJsonlParser, '\uFEFF', jsonl).events).toEqual([])
    expect(parse(createJsonlParser, '   ', jsonl).events).toEqual([])
  })

  it('reports a line that does not parse and goes on', () => {
    const result = parse(createJsonlParser, '{"a":1}\n{bad json}\r\n[1,\n{"b":2}\n', jsonl)
    expect(result.values).toEqual([{ a: 1 }, { b: 2 }])
    expect(result.faults.map(({ code, line, byteOffset, excerpt }) => ({ code, line, byteOffset, excerpt }))).toEqual([
      { code: 'ERR_PARSE', line: 2, byteOffset: 8, excerpt: '{bad json}' },
      { code: 'ERR_PARSE', line: 3, byteOffset: 20, excerpt: '[1,' },
    ])
    // The native core's words, and bytes of the line rather than UTF-16 units (json-syntax.ts).
    expect(result.faults.map((f) => f.detail)).toEqual(['expected a string key at byte 1', 'unexpected end of input, expected a value at byte 3'])
  })

  it('parses JSON.parse semantics: last duplicate key wins, __proto__ is an own key', () => {
    const [dup, proto] = parse(createJsonlParser, '{"a":1,"a":2}\n{"__proto__":{"x":1}}\n', jsonl).values as Array<Record<string, unknown>>
    expect(dup).toEqual({ a: 2 })
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype)
    expect(Object.keys(proto)).toEqual(['__proto__'])
    expect(proto).toEqual(JSON.parse('{"__proto__":{"x":1}}'))
  })

  it('reports invalid UTF-8 per line and goes on', () => {
    const input = Buffer.concat([Buffer.from('"ok"\n"a'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n"\u00e9"\n')])
    for (const size of [1, 3, 1000]) {
      const result = parse(createJsonlParser, input, jsonl, size)
      expect(result.values).toEqual(['ok', 'é'])
      expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])).toEqual([['ERR_INVALID_UTF8', 2, 5, '"a\uFFFD("']])
    }
  })

  it('gives the same result for every chunk size, with UTF-8 and CRLF split anywhere', () => {
    const input = '\uFEFF{"k":"h\u00e9llo \u4e16\u754c \u{1F600}"}\r\n\r\n  \n["\\"", "\u{1F600}\\\\"]\r\n{"x":\r1}\r\n\u00e9\n"\u00e9"'
    const expected = parse(createJsonlParser, input, jsonl)
    expect(expected.values).toEqual([{ k: 'héllo 世界 😀' }, ['"', '😀\\'], { x: 1 }, 'é'])
    expect(expected.faults.map((f) => f.code)).toEqual(['ERR_PARSE'])
    const length = bytesOf(input).length
    for (let size = 1; size <= length; size++) {
      expect(withoutDetail(parse(createJsonlParser, input, jsonl, size).events)).toEqual(withoutDetail(expected.events))
    }
    expect(withoutDetail(parse(createJsonlParser, input, jsonl, [1, 2, 3, 5, 7, 11]).events)).toEqual(withoutDetail(expected.events))
  })

  it('parses a record of several MiB split over many chunks', () => {
    const big = 'x\u00e9'.repeat(3 * 1024 * 1024)
    const input = `1\n${JSON.stringify({ big })}\n2\n`
    const result = parse(createJsonlParser, input, jsonl, 65536)
    expect(result.values.length).toBe(3)
    expect((result.values[1] as { big: string }).big).toBe(big)
    expect(result.records[2]).toEqual({ value: 2, line: 3, byteOffset: bytesOf(input).length - 2 })
  })

  describe('maxRecordBytes', () => {
    const line40 = JSON.stringify('x'.repeat(38))

    it('reports a line longer than the limit at its position and resumes', () => {
      const input = `1\n${line40}\n2\n${line40}`
      for (const size of [1, 4, 1000]) {
        const result = parse(createJsonlParser, input, { ...jsonl, maxRecordBytes: 39 }, size)
        expect(result.values).toEqual([1, 2])
        expect(result.faults.map((f) => [f.code, f.line, f.byteOffset, f.excerpt])).toEqual([
          ['ERR_RECORD_TOO_LARGE', 2, 2, line40],
          ['ERR_RECORD_TOO_LARGE', 4, 45, line40],
        ])
      }
    })

    it('accepts a line exactly at the limit', () => {
      expect(parse(createJsonlParser, `${line40}\n`, { ...jsonl, maxRecordBytes: 40 }, 3).faults).toEqual([])
    })

    it('counts a \\r before \\n in the raw length but not in the excerpt', () => {
      const result = parse(createJsonlParser, `${line40}\r\n`, { ...jsonl, maxRecordBytes: 40 }, 7)
      expect(result.faults.map((f) => [f.code, f.excerpt])).toEqual([['ERR_RECORD_TOO_LARGE', line40]])
    })

    it('excerpts the first 80 bytes of a skipped line, cut at a character boundary', () => {
      const value = `"${'a'.repeat(78)}\u00e9${'b'.repeat(500)}"`
      const result = parse(createJsonlParser, `${value}\n1`, { ...jsonl, maxRecordBytes: 100 }, 16)
      expect(result.faults[0].excerpt).toBe(`"${'a'.repeat(78)}…`)
      expect(result.values).toEqual([1])
    })

    it('never reports a blank line, whatever its length', () => {
      const result = parse(createJsonlParser, `${' '.repeat(500)}\r\n1`, { ...jsonl, maxRecordBytes: 10 }, 7)
      expect(result.events.map((e) => e.kind)).toEqual(['record'])
    })

    it('does not hold the bytes of a line it skips', () => {
      const parser = createJsonlParser({ format: 'jsonl', header: true, delimiter: ',', quote: '"', types: 'string', maxRecordBytes: 1 << 20 }, {
        record: () => undefined,
        fault: () => undefined,
      })
      const chunk = new Uint8Array(1 << 20).fill(0x61)
      parser.push(chunk)
      expect(peakGrowthWhilePushing((c) => parser.push(c), chunk, 128)).toBeLessThan(16 << 20)
      parser.end()
    })
  })
})
