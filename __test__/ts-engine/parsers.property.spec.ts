import fc from 'fast-check'
import { parse as csvParse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { createCsvParser } from '../../ts/engine/ts/csv-parser'
import { createJsonArrayParser } from '../../ts/engine/ts/json-array-parser'
import { createJsonlParser } from '../../ts/engine/ts/jsonl-parser'
import { parserFor } from '../../ts/engine/ts/parsers'
import { parse, type ParsedRecord } from './parse-helper'

const chunkSizes = fc.array(fc.integer({ min: 1, max: 48 }), { minLength: 1, maxLength: 8 })

/** Builds a text piece by piece, tracking byte offsets and lines (`\r\n`, `\r`, `\n` as given). */
class TextBuilder {
  text = ''
  bytes = 0
  line = 1

  constructor(private readonly lineBreaks: RegExp) {}

  add(piece: string): void {
    this.text += piece
    this.bytes += Buffer.byteLength(piece)
    this.line += piece.match(this.lineBreaks)?.length ?? 0
  }
}

describe('property: JSON Lines', () => {
  const line = fc.record({
    value: fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'grapheme' })),
    blanksBefore: fc.array(fc.constantFrom('', ' ', '\t', ' \t\r ', '\r'), { maxLength: 2 }),
    crlf: fc.boolean(),
    indent: fc.constantFrom('', ' ', '\t'),
  })

  it('yields JSON.parse of each line, at its position, for any chunking', () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), fc.boolean(), fc.boolean(), chunkSizes, (lines, bom, finalBreak, sizes) => {
        const text = new TextBuilder(/\n/g)
        const expected: ParsedRecord[] = []
        if (bom) text.add('\uFEFF')
        lines.forEach((entry, k) => {
          const newline = entry.crlf ? '\r\n' : '\n'
          for (const blank of entry.blanksBefore) text.add(blank + newline)
          const json = entry.indent + JSON.stringify(entry.value)
          expected.push({ value: JSON.parse(json), line: text.line, byteOffset: text.bytes })
          text.add(json)
          if (k < lines.length - 1 || finalBreak) text.add(newline)
        })
        const result = parse(createJsonlParser, text.text, { format: 'jsonl' }, sizes)
        expect(result.faults).toEqual([])
        expect(result.records).toEqual(expected)
      }),
      { numRuns: 150 },
    )
  })
})

describe('property: CSV against csv-parse', () => {
  const unit = fc.constantFrom('a', 'Z', '0', ' ', '\t', 'é', '世', '😀', ',', '"', '\n', '\r\n', '\r', ';')
  const field = fc.record({ text: fc.string({ unit, maxLength: 6 }), quoted: fc.boolean() })

  function serialize(text: string, quoted: boolean, delimiter: string, alone: boolean): string {
    // Quotes are needed for anything special, and for an empty lone field (else an empty line).
    const needsQuotes = quoted || /["\r\n]/.test(text) || text.includes(delimiter) || (alone && text === '')
    return needsQuotes ? `"${text.replaceAll('"', '""')}"` : text
  }

  it('reads what csv-parse reads, with positions, for any chunking', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((width) =>
          fc.array(fc.record({ fields: fc.array(field, { minLength: width, maxLength: width }), blanksBefore: fc.nat(2) }), { maxLength: 10 }),
        ),
        fc.constantFrom('\n', '\r\n'),
        fc.constantFrom(',', '\t'),
        fc.boolean(),
        chunkSizes,
        (records, newline, delimiter, finalBreak, sizes) => {
          const text = new TextBuilder(/\r\n|\r|\n/g)
          const expected: ParsedRecord[] = []
          records.forEach((record, k) => {
            text.add(newline.repeat(record.blanksBefore))
            expected.push({ value: record.fields.map((f) => f.text), line: text.line, byteOffset: text.bytes })
            text.add(record.fields.map((f) => serialize(f.text, f.quoted, delimiter, record.fields.length === 1)).join(delimiter))
            if (k < records.length - 1 || finalBreak) text.add(newline)
          })
          const reference: unknown = csvParse(text.text, { relax_column_count: true, skip_empty_lines: true, delimiter })
          const format = delimiter === ',' ? 'csv' : 'tsv'
          const result = parse(parserFor(format), text.text, { format, header: false, delimiter }, sizes)
          expect(result.faults).toEqual([])
          expect(result.values).toEqual(reference)
          expect(result.records).toEqual(expected)
        },
      ),
      { numRuns: 200 },
    )
  })

  it('gives objects keyed by the header with the same values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.string({ unit, maxLength: 4 }), { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        chunkSizes,
        (rows, sizes) => {
          const names = ['id', 'name', 'note']
          const text = [names, ...rows].map((row) => row.map((v) => serialize(v, false, ',', false)).join(',')).join('\r\n')
          const result = parse(createCsvParser, text, { format: 'csv' }, sizes)
          expect(result.values).toEqual(rows.map(([id, name, note]) => ({ id, name, note })))
        },
      ),
      { numRuns: 100 },
    )
  })
})

describe('property: JSON array', () => {
  /** JSON text of `value` with whitespace from `spaces` (cycled) between all tokens. */
  function spaced(value: unknown, spaces: readonly string[], text: TextBuilder, positions?: ParsedRecord[]): void {
    let k = 0
    const space = () => text.add(spaces[k++ % spaces.length])
    const write = (v: unknown, top: boolean): void => {
      if (Array.isArray(v)) {
        text.add('[')
        v.forEach((item, i) => {
          if (i > 0) text.add(',')
          space()
          if (top) positions?.push({ value: item, line: text.line, byteOffset: text.bytes })
          write(item, false)
          space()
        })
        if (v.length === 0) space()
        text.add(']')
      } else if (v !== null && typeof v === 'object') {
        text.add('{')
        Object.entries(v).forEach(([key, item], i) => {
          if (i > 0) text.add(',')
          space()
          text.add(JSON.stringify(key))
          space()
          text.add(':')
          space()
          write(item, false)
          space()
        })
        text.add('}')
      } else {
        text.add(JSON.stringify(v))
      }
    }
    space()
    write(value, true)
    space()
  }

  it('yields the elements of any array, at their positions, for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.jsonValue(), fc.jsonValue({ stringUnit: 'grapheme' })), { maxLength: 8 }),
        fc.array(fc.constantFrom('', ' ', '\n', '\t', '\r\n', '  \n '), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        chunkSizes,
        (array, spaces, bom, sizes) => {
          const value: unknown[] = JSON.parse(JSON.stringify(array))
          const text = new TextBuilder(/\n/g)
          if (bom) text.add('\uFEFF')
          const positions: ParsedRecord[] = []
          spaced(value, spaces, text, positions)
          const result = parse(createJsonArrayParser, text.text, { format: 'json' }, sizes)
          expect(result.faults).toEqual([])
          expect(result.values).toEqual(value)
          expect(result.records).toEqual(positions)
        },
      ),
      { numRuns: 150 },
    )
  })
})
