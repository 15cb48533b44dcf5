import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { inferValue } from '../../ts/engine/ts/infer-value'

describe('inferValue', () => {
  it.each<[string, unknown]>([
    ['', null],
    ['true', true],
    ['TRUE', true],
    ['True', true],
    ['false', false],
    ['FALSE', false],
    ['False', false],
    ['tRUE', 'tRUE'],
    ['truex', 'truex'],
    ['t', 't'],
    ['yes', 'yes'],
    ['0', 0],
    ['7', 7],
    ['-12', -12],
    ['123456', 123456],
    ['1.5', 1.5],
    ['-0.25', -0.25],
    ['0.0', 0],
    ['1e3', 1000],
    ['1E-2', 0.01],
    ['2.5e+2', 250],
    ['-1.5E3', -1500],
    ['9007199254740991', 9007199254740991],
    ['-9007199254740991', -9007199254740991],
    ['9007199254740992', '9007199254740992'],
    ['9007199254740993', '9007199254740993'],
    ['12345678901234567890', '12345678901234567890'],
    ['12345678901234567890.5', 12345678901234567000],
    ['1e400', '1e400'],
    ['-1e400', '-1e400'],
    ['1e-400', 0],
    ['007', '007'],
    ['00', '00'],
    ['-07', '-07'],
    ['+1', '+1'],
    ['.5', '.5'],
    ['1.', '1.'],
    ['-', '-'],
    ['-.5', '-.5'],
    ['1e', '1e'],
    ['1e+', '1e+'],
    ['1.5.2', '1.5.2'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['0x10', '0x10'],
    ['0b1', '0b1'],
    [' 1', ' 1'],
    ['1 ', '1 '],
    ['1_000', '1_000'],
    ['١', '١'],
    ['null', 'null'],
  ])('%j → %j', (text, expected) => {
    expect(inferValue(text)).toStrictEqual(expected)
  })

  it('keeps the sign of -0 as Number does', () => {
    expect(Object.is(inferValue('-0'), -0)).toBe(true)
  })

  it('agrees with the rule written as a RegExp and Number()', () => {
    const decimal = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/
    const reference = (text: string): unknown => {
      if (text === '') return null
      if (['true', 'TRUE', 'True'].includes(text)) return true
      if (['false', 'FALSE', 'False'].includes(text)) return false
      if (!decimal.test(text)) return text
      const value = Number(text)
      if (!/[.eE]/.test(text)) return Number.isSafeInteger(value) ? value : text
      return Number.isFinite(value) ? value : text
    }
    const unit = fc.constantFrom('-', '+', '0', '1', '5', '9', '.', 'e', 'E', 'x')
    fc.assert(
      fc.property(fc.oneof(
          fc.string({ unit, maxLength: 24 }),
          fc.bigInt().map(String),
          fc.double().map(String),
          fc.stringMatching(/^-?(0|[1-9][0-9]{0,16})(\.[0-9]{1,17})?$/),
        ), (text) => {
        expect(inferValue(text)).toStrictEqual(reference(text))
      }),
      { numRuns: 5000 },
    )
  })
})
