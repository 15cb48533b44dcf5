import { WhereSyntaxError } from './syntax-error'

/**
 * The tokens of a `--where` expression. `name` is a bare word (a field or a keyword), `quoted` a
 * backtick-quoted field name, `dstring`/`sstring` a double-/single-quoted string (the parser
 * decides whether a double-quoted one names a field), `regex` a `/pattern/flags` literal.
 */
export type Token =
  | { kind: 'name'; text: string; start: number }
  | { kind: 'quoted'; text: string; start: number }
  | { kind: 'dstring'; text: string; start: number }
  | { kind: 'sstring'; text: string; start: number }
  | { kind: 'number'; value: number; text: string; start: number }
  | { kind: 'regex'; pattern: string; flags: string; start: number }
  | { kind: 'punct'; text: Punct; start: number }
  | { kind: 'end'; start: number }

export type Punct = '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '!' | '(' | ')' | '[' | ']' | ',' | '.' | '-'

const NAME_START = /[\p{L}_$]/u
const NAME_PART = /[\p{L}\p{N}_$-]/u
const DIGIT = /[0-9]/
const NUMBER = /^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/

/** Splits an expression into tokens; the last one is always `end`. Columns are 0-based here. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i]
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++
      continue
    }
    const start = i
    if (NAME_START.test(c)) {
      i++
      // A hyphen inside a word belongs to it (`user-agent`), as nothing subtracts here.
      while (i < source.length && NAME_PART.test(source[i])) i++
      tokens.push({ kind: 'name', text: source.slice(start, i), start })
      continue
    }
    if (DIGIT.test(c)) {
      const match = NUMBER.exec(source.slice(i))
      const text = match ? match[0] : c
      i += text.length
      if (i < source.length && NAME_PART.test(source[i])) {
        throw new WhereSyntaxError(`unexpected ${JSON.stringify(source[i])} after the number ${text}`, i + 1)
      }
      tokens.push({ kind: 'number', value: Number(text), text, start })
      continue
    }
    if (c === '"' || c === "'" || c === '`') {
      const { text, end } = readQuoted(source, i)
      i = end
      tokens.push({ kind: c === '"' ? 'dstring' : c === "'" ? 'sstring' : 'quoted', text, start })
      continue
    }
    if (c === '/') {
      const { pattern, flags, end } = readRegex(source, i)
      i = end
      tokens.push({ kind: 'regex', pattern, flags, start })
      continue
    }
    const two = source.slice(i, i + 2)
    if (two === '==' || two === '!=' || two === '<=' || two === '>=' || two === '&&' || two === '||') {
      tokens.push({ kind: 'punct', text: two, start })
      i += 2
      continue
    }
    if (c === '<' || c === '>' || c === '!' || c === '(' || c === ')' || c === '[' || c === ']' || c === ',' || c === '.' || c === '-') {
      tokens.push({ kind: 'punct', text: c, start })
      i++
      continue
    }
    if (c === '=') throw new WhereSyntaxError("a single '=' does not compare; write '=='", start + 1)
    if (c === '&') throw new WhereSyntaxError("a single '&' is not an operator; write '&&' or 'and'", start + 1)
    if (c === '|') throw new WhereSyntaxError("a single '|' is not an operator; write '||' or 'or'", start + 1)
    throw new WhereSyntaxError(`unexpected character ${JSON.stringify(c)}`, start + 1)
  }
  tokens.push({ kind: 'end', start: source.length })
  return tokens
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '0': '\0', '\\': '\\', "'": "'", '"': '"', '`': '`' }

/** Reads a string quoted with the character at `start`; `\` escapes the usual characters. */
function readQuoted(source: string, start: number): { text: string; end: number } {
  const quote = source[start]
  let text = ''
  let i = start + 1
  while (i < source.length) {
    const c = source[i]
    if (c === quote) return { text, end: i + 1 }
    if (c === '\\') {
      const next = source[i + 1]
      if (next === undefined) break
      if (next === 'u') {
        const hex = /^[0-9a-fA-F]{4}/.exec(source.slice(i + 2))
        if (hex === null) throw new WhereSyntaxError('\\u must be followed by four hex digits', i + 1)
        text += String.fromCharCode(parseInt(hex[0], 16))
        i += 6
        continue
      }
      const escaped = Object.hasOwn(ESCAPES, next) ? ESCAPES[next] : undefined
      if (escaped === undefined) throw new WhereSyntaxError(`unknown escape \\${next}`, i + 1)
      text += escaped
      i += 2
      continue
    }
    text += c
    i++
  }
  const what = quote === '`' ? 'field name' : 'string'
  throw new WhereSyntaxError(`this ${what} is never closed (missing ${quote})`, start + 1)
}

/** Reads `/pattern/flags`; a `/` inside `[…]` or after `\` does not end the pattern. */
function readRegex(source: string, start: number): { pattern: string; flags: string; end: number } {
  let i = start + 1
  let inClass = false
  while (i < source.length) {
    const c = source[i]
    if (c === '\\') {
      i += 2
      continue
    }
    if (c === '[') inClass = true
    else if (c === ']') inClass = false
    else if (c === '/' && !inClass) {
      const pattern = source.slice(start + 1, i)
      let end = i + 1
      while (end < source.length && /[a-zA-Z]/.test(source[end])) end++
      return { pattern, flags: source.slice(i + 1, end), end }
    }
    i++
  }
  throw new WhereSyntaxError('this regular expression is never closed (missing /)', start + 1)
}
