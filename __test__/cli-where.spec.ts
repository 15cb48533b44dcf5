import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compileWhere, evaluate, parseWhere, WhereSyntaxError } from '../ts/cli/where/index'
import { tokenize } from '../ts/cli/where/tokenizer'

const ann = {
  id: 7,
  name: 'Ann',
  'first name': 'Ann Marie',
  age: 34,
  score: 4.5,
  active: true,
  deleted: false,
  nothing: null,
  empty: '',
  zero: 0,
  status: '503',
  path: '/api/items/3',
  agent: 'Mozilla/5.0 (compatible; Googlebot/2.1)',
  tags: ['admin', 'beta'],
  user: { name: 'ann', address: { city: 'Utrecht' }, 'e-mail': 'ann@example.org' },
  ts: '2026-11-01T10:00:00Z',
  in: 'keyword field',
}

function where(expression: string, record: unknown = ann): boolean {
  return compileWhere(expression)(record)
}

function syntaxError(expression: string): WhereSyntaxError {
  try {
    parseWhere(expression)
  } catch (error) {
    if (error instanceof WhereSyntaxError) return error
    throw error
  }
  throw new Error(`expected a syntax error for ${expression}`)
}

describe('--where: the tokenizer', () => {
  it('splits words, numbers, strings, regexes and operators, with positions', () => {
    const tokens = tokenize("user-agent >= -1.5e3 && `a b` != 'x\\'y' || p matches /a\\/b[/]/i")
    expect(tokens.map((t) => t.kind)).toEqual(['name', 'punct', 'punct', 'number', 'punct', 'quoted', 'punct', 'sstring', 'punct', 'name', 'name', 'regex', 'end'])
    expect(tokens[0]).toMatchObject({ text: 'user-agent', start: 0 })
    expect(tokens[3]).toMatchObject({ value: 1500, start: 15 })
    expect(tokens[7]).toMatchObject({ text: "x'y" })
    expect(tokens[11]).toMatchObject({ pattern: 'a\\/b[/]', flags: 'i' })
  })
})

describe('--where: evaluation', () => {
  it.each([
    ['id == 7', true],
    ['id != 7', false],
    ['age > 30 && age <= 34', true],
    ['age < 34', false],
    ['score >= 4.5', true],
    ['name == "Ann"', true],
    ["name == 'ann'", false],
    ['user.name == "ann"', true],
    ['user.address.city == "Utrecht"', true],
    ['user.`e-mail` endsWith "example.org"', true],
    ['user."e-mail" contains "@"', true],
    ['`first name` == "Ann Marie"', true],
    ['"first name" startsWith "Ann"', true],
    ['user["address"].city == "Utrecht"', true],
    ['tags[0] == "admin"', true],
    ['tags.1 == "beta"', true],
    ['tags[5] == null', true],
    ['status == 503', true],
    ['status > 500', true],
    ['status >= "600"', false],
    ['ts > "2026-10-31" and ts < "2026-11-02"', true],
    ['active', true],
    ['active == true', true],
    ['deleted', false],
    ['!deleted', true],
    ['not deleted and active', true],
    ['nothing', false],
    ['empty', false],
    ['zero', false],
    ['missing', false],
    ['missing == null', true],
    ['nothing == null', true],
    ['missing < 5 || missing >= 5', false],
    ['exists(nothing)', true],
    ['exists(missing)', false],
    ['exists(user.address.city)', true],
    ['!exists(user.phone)', true],
    ['name in ["Bob", "Ann"]', true],
    ['id in [1, 2, 3]', false],
    ['status in [503]', true],
    ['name not in ["Bob"]', true],
    ['"admin" in tags', true],
    ["'root' in tags", false],
    ['tags contains "beta"', true],
    ['path contains "items"', true],
    ['path startsWith "/api" && path endsWith "/3"', true],
    ['agent matches /googlebot|bingbot/i', true],
    ['agent matches "^Mozilla"', true],
    ['agent matches /^googlebot/i', false],
    ['id matches /^7$/', true],
    ['(id == 1 || id == 7) && !(name == "Bob")', true],
    ['id == 1 || id == 2 && id == 7', false],
    ['id == 7 || id == 2 && id == 3', true],
    ['`in` == "keyword field"', true],
    ['age == -34', false],
    ['-34 < age', true],
    ['user == null', false],
    ['tags == tags', true],
    ['"Ann" == name', true],
    ['"first name" == "Ann Marie"', true],
    ['\'Ann Marie\' == "first name"', true],
    ['"first name" in ["Ann Marie", "Bob"]', true],
    ['"first name"', true],
    ['exists("first name")', true],
    ['"first name" matches /marie$/i', true],
    ['"user".name == "ann"', true],
    ['"beta" in tags && "admin" in tags', true],
  ])('%s → %s', (expression, expected) => {
    expect(where(expression)).toBe(expected)
  })

  it('works on records that are not objects', () => {
    expect(where('x == 1', 42)).toBe(false)
    expect(where('exists(x)', null)).toBe(false)
    expect(where('`0` == "a"', ['a', 'b'])).toBe(true)
  })

  it('joins and/or left to right with and binding tighter', () => {
    const tree = parseWhere('a or b and c')
    expect(tree).toMatchObject({ type: 'or', right: { type: 'and' } })
  })
})

describe('--where: syntax errors name the column', () => {
  it.each([
    ['', 'empty', 1],
    ['status ==', 'expected a field or a value', 10],
    ['status = 5', "single '='", 8],
    ['a & b', "single '&'", 3],
    ['a | b', "single '|'", 3],
    ['a == 1)', "closes nothing", 7],
    ['(a == 1', "expected ')'", 8],
    ['a == 1 b', 'unexpected', 8],
    ['name == "Ann', 'never closed', 9],
    ['p matches /a(/', 'invalid regular expression', 11],
    ['p matches /abc', 'never closed', 11],
    ['p matches /a/g', "flag 'g'", 14],
    ['p matches 5', "'matches' needs", 11],
    ['x in 5', "'in' needs", 6],
    ['x in [1, y]', 'values only', 10],
    ['in == 1', 'keyword', 1],
    ['a == [1]', "can only follow 'in'", 6],
    ['a == /x/', "can only follow 'matches'", 6],
    ['a.', 'expected a field name', 3],
    ['a[x]', 'expected an index', 3],
    ['a == - b', "'-' must be followed by a number", 8],
    ['a == 5x', 'after the number', 7],
    ['a # b', 'unexpected character', 3],
    ["s == 'bad \\q escape'", 'unknown escape', 11],
  ])('%j', (expression, message, column) => {
    const error = syntaxError(expression)
    expect(error.message).toContain(message)
    expect(error.column).toBe(column)
  })

  it('draws a caret under the column', () => {
    const error = syntaxError('status >= 500 && method = "POST"')
    expect(error.explain('status >= 500 && method = "POST"')).toBe(
      `a single '=' does not compare; write '==' at column 25\n  status >= 500 && method = "POST"\n                          ^`,
    )
  })
})

describe('--where: nothing but own fields can be reached', () => {
  it.each([
    'constructor(1)',
    'toString()',
    'constructor.constructor("return process")()',
    'name.toUpperCase() == "ANN"',
    'eval("1")',
    'Function("x")',
    'require("fs")',
    'process.exit(1)',
  ])('%s is not a call', (expression) => {
    const error = syntaxError(expression)
    expect(error.message).toMatch(/not allowed: the only function is exists\(field\)|keyword/)
  })

  it('inherited properties are not fields', () => {
    const record = { a: 1 }
    expect(where('constructor == null', record)).toBe(true)
    expect(where('exists(constructor)', record)).toBe(false)
    expect(where('exists(__proto__)', record)).toBe(false)
    expect(where('exists(toString)', record)).toBe(false)
    expect(where('exists(hasOwnProperty)', record)).toBe(false)
    expect(where('constructor.name == "Object"', record)).toBe(false)
    expect(where('__proto__.constructor.name == "Object"', record)).toBe(false)
    expect(where('a.constructor == null', record)).toBe(true)
    expect(where('a.toFixed == null', record)).toBe(true)
    expect(where('name.length == 3', { name: 'Ann' })).toBe(false)
  })

  it('own fields with those names are data like any other', () => {
    const record = JSON.parse('{"__proto__": {"admin": true}, "constructor": "x"}') as unknown
    expect(where('exists(__proto__)', record)).toBe(true)
    expect(where('__proto__.admin == true', record)).toBe(true)
    expect(where('constructor == "x"', record)).toBe(true)
    expect(({} as Record<string, unknown>).admin).toBeUndefined()
  })

  it('evaluating never changes Object.prototype', () => {
    const before = Object.getOwnPropertyNames(Object.prototype).sort()
    for (const e of ['__proto__.polluted == 1', 'constructor.prototype.x == 1', 'exists(__proto__.x)']) where(e, JSON.parse('{"__proto__": {"polluted": 1}}'))
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(before)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('the expression code uses no eval or Function', () => {
    const dir = join(__dirname, '..', 'ts', 'cli', 'where')
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), 'utf8')
      expect(text, file).not.toMatch(/\beval\s*\(|\bFunction\s*\(|new Function/)
    }
  })

  it('a condition tree holds only data: evaluate works on a parsed tree', () => {
    const tree = parseWhere('a == 1')
    expect(JSON.parse(JSON.stringify(tree))).toEqual(tree)
    expect(evaluate(tree, { a: '1' })).toBe(true)
  })
})
