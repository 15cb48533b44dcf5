import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { jsonSyntaxError } from '../../ts/engine/ts/json-syntax'

const encoder = new TextEncoder()
const check = (text: string): string | null => {
  const bytes = encoder.encode(text)
  return jsonSyntaxError(bytes, 0, bytes.length)
}
const parses = (text: string): boolean => {
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/**
 * The TS engine's words for a record `JSON.parse` rejects; the native core's validator says the
 * same (crates/ringstream-core/src/json_syntax.rs), which the differential tests hold both to.
 */
describe('jsonSyntaxError', () => {
  it('finds nothing wrong with what JSON.parse accepts', () => {
    for (const ok of [
      '0',
      '-0',
      '-0.0e+0',
      '1E5',
      '123.456e-789',
      '1e400',
      'true',
      ' false ',
      '\tnull\r\n',
      '""',
      String.raw`"\ud800"`,
      String.raw`"\/\b\f\n\r\t\"\\"`,
      '"\u2028\u007fé😀"',
      '[ ]',
      '{ }',
      '[1,[2,[3,{}]]]',
      '{"a":1,"a":2}',
      '{"__proto__":{}}',
      '[\n1\n,\n2\n]',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
    ]) {
      expect(check(ok), ok.slice(0, 20)).toBeNull()
    }
  })

  it('says what is wrong and at which byte', () => {
    const cases: Array<[string, string]> = [
      ['', 'unexpected end of input, expected a value at byte 0'],
      ['{"a":tru}', 'unexpected character, expected a value at byte 5'],
      ['{"a":1,}', 'expected a string key at byte 7'],
      ['{"a" 1}', "expected ':' at byte 5"],
      ['{"a":"x', 'unterminated string at byte 7'],
      ['[1,2', 'unexpected end of input at byte 4'],
      ['{"a":01}', "expected ',' or '}' at byte 6"],
      ['[1 2]', "expected ',' or ']' at byte 3"],
      ['-x', 'expected a digit at byte 1'],
      ['1.', "expected a digit after '.' at byte 2"],
      ['1e+', 'expected a digit in the exponent at byte 3'],
      [String.raw`"\u12g4"`, String.raw`expected 4 hex digits after \u at byte 5`],
      [String.raw`"\x"`, 'invalid escape in string at byte 2'],
      ['"a\tb"', 'control character in string at byte 2'],
      ['[1]x', 'unexpected character after the value at byte 3'],
      // Bytes, not UTF-16 units: "é" is two bytes.
      ['["é",]', 'unexpected character, expected a value at byte 6'],
      [`${'['.repeat(100_000)}`, 'unexpected end of input, expected a value at byte 100000'],
    ]
    for (const [text, reason] of cases) expect(check(text), text.slice(0, 20)).toBe(reason)
  })

  it('reads only its range of the bytes', () => {
    const bytes = encoder.encode('xx[1,]yy')
    expect(jsonSyntaxError(bytes, 2, 6)).toBe("unexpected character, expected a value at byte 3")
    expect(jsonSyntaxError(bytes, 2, 5)).toBe('unexpected end of input, expected a value at byte 3')
  })

  it('rejects exactly what JSON.parse rejects', () => {
    const unit = fc.constantFrom('{', '}', '[', ']', ',', ':', '"', '\\', 'u', 'a', 'e', 'E', '0', '1', '9', '-', '+', '.', ' ', '\t', '\n', 't', 'r', 'n', 'l', 'é', '\u0001')
    const nearlyJson = fc.oneof(
      fc.string({ unit, maxLength: 24 }),
      fc.tuple(fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)), fc.nat(), fc.nat({ max: 3 }), fc.string({ unit, maxLength: 2 })).map(
        ([json, at, cut, insert]) => {
          const i = at % (json.length + 1)
          return json.slice(0, i) + insert + json.slice(Math.min(json.length, i + cut))
        },
      ),
    )
    fc.assert(
      fc.property(nearlyJson, (text) => {
        expect(check(text) === null, text).toBe(parses(text))
      }),
      { numRuns: 2000 },
    )
  })
})
