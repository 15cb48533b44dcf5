import type { CompareOperator, Condition, FieldNode, LiteralNode, Operand, TextOperator } from './ast'
import { WhereSyntaxError } from './syntax-error'
import { type Punct, type Token, tokenize } from './tokenizer'

/**
 * Parses a `--where` expression into a {@link Condition} by recursive descent:
 *
 *     or        := and (('||' | 'or') and)*
 *     and       := not (('&&' | 'and') not)*
 *     not       := ('!' | 'not') not | primary
 *     primary   := '(' or ')' | 'exists' '(' field ')' | operand [test]
 *     test      := ('==' | '!=' | '<' | '<=' | '>' | '>=') operand
 *                | ['not'] 'in' (list | field)
 *                | ('contains' | 'startsWith' | 'endsWith') operand
 *                | 'matches' (/regex/flags | string)
 *     operand   := number | '-' number | 'string' | "string" | true | false | null | field
 *     field     := (name | `name` | "name") ('.' (name | `name` | "name" | integer) | '[' (integer | string) ']')*
 *     list      := '[' [literal (',' literal)*] ']'
 *
 * Single quotes always make a string and backticks always a field name. A double-quoted word is
 * read by what stands on the other side of its test: a field name when the other side is a value
 * (`"first name" == 'Ann'`, `"first name" in ['Ann']`), a string when the other side is a field
 * (`name == "Ann"`, `"admin" in roles`); with double quotes on both sides the left one is the
 * field. Alone, in `exists(…)`, before `matches`, or followed by `.`/`[`, it is a field; in a
 * list, a string. Throws {@link WhereSyntaxError} with the column of the problem.
 */
export function parseWhere(source: string): Condition {
  if (source.trim() === '') throw new WhereSyntaxError('the expression is empty', 1)
  const parser = new Parser(tokenize(source))
  const condition = parser.parseOr()
  parser.expectEnd()
  return condition
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'contains', 'startsWith', 'endsWith', 'matches', 'exists', 'true', 'false', 'null'])
const COMPARE: ReadonlySet<string> = new Set<CompareOperator>(['==', '!=', '<', '<=', '>', '>='])
const TEXT: ReadonlySet<string> = new Set<TextOperator>(['contains', 'startsWith', 'endsWith'])
const ALLOWED_REGEX_FLAGS = 'imsu'

class Parser {
  private pos = 0

  constructor(private readonly tokens: readonly Token[]) {}

  parseOr(): Condition {
    let left = this.parseAnd()
    while (this.atPunct('||') || this.atWord('or')) {
      this.pos++
      left = { type: 'or', left, right: this.parseAnd() }
    }
    return left
  }

  expectEnd(): void {
    const t = this.peek()
    if (t.kind === 'end') return
    if (t.kind === 'punct' && t.text === ')') throw this.error("this ')' closes nothing", t)
    throw this.error(`unexpected ${describe(t)}; expected an operator (==, <, in, contains, …), 'and', 'or' or the end`, t)
  }

  private parseAnd(): Condition {
    let left = this.parseNot()
    while (this.atPunct('&&') || this.atWord('and')) {
      this.pos++
      left = { type: 'and', left, right: this.parseNot() }
    }
    return left
  }

  private parseNot(): Condition {
    if (this.atPunct('!') || this.atWord('not')) {
      this.pos++
      return { type: 'not', operand: this.parseNot() }
    }
    return this.parsePrimary()
  }

  private parsePrimary(): Condition {
    const t = this.peek()
    if (t.kind === 'punct' && t.text === '(') {
      this.pos++
      const inner = this.parseOr()
      this.expectPunct(')', "expected ')' to close the '(' at column " + (t.start + 1))
      return inner
    }
    if (t.kind === 'name' && t.text === 'exists') {
      this.pos++
      this.expectPunct('(', "expected '(' after exists, as in exists(field)")
      const field = this.parseField()
      this.expectPunct(')', "expected ')' after the field of exists(…)")
      return { type: 'exists', field }
    }
    const left = this.parseOperand()
    const op = this.peek()
    if (op.kind === 'punct' && COMPARE.has(op.text)) {
      this.pos++
      const [l, r] = resolvePair(left, this.parseOperand())
      return { type: 'compare', operator: op.text as CompareOperator, left: l, right: r }
    }
    if (op.kind === 'name') {
      const negated = op.text === 'not' && this.atWord('in', 1)
      if (negated || op.text === 'in') {
        this.pos += negated ? 2 : 1
        const target = this.parseInTarget()
        // `"x" in [..]` tests a field; `"x" in roles` tests a string.
        const test: Condition = { type: 'in', left: Array.isArray(target) ? asField(left) : asLiteral(left), right: target }
        return negated ? { type: 'not', operand: test } : test
      }
      if (TEXT.has(op.text)) {
        this.pos++
        const [l, r] = resolvePair(left, this.parseOperand())
        return { type: 'text', operator: op.text as TextOperator, left: l, right: r }
      }
      if (op.text === 'matches') {
        this.pos++
        return { type: 'matches', left: asField(left), regex: this.parseRegex() }
      }
    }
    return { type: 'truthy', operand: asField(left) }
  }

  /**
   * A value or a field. A double-quoted word not followed by `.` or `[` is returned undecided
   * (`dquoted`); the test it stands in decides (see {@link resolvePair}).
   */
  private parseOperand(): Parsed {
    const t = this.peek()
    switch (t.kind) {
      case 'number':
        this.pos++
        return { type: 'literal', value: t.value }
      case 'sstring':
        this.pos++
        return { type: 'literal', value: t.text }
      case 'dstring':
        if (this.atPunct('.', 1) || this.atPunct('[', 1)) return this.parseField()
        this.pos++
        return { type: 'dquoted', text: t.text }
      case 'quoted':
        return this.parseField()
      case 'name':
        if (t.text === 'true' || t.text === 'false') {
          this.pos++
          return { type: 'literal', value: t.text === 'true' }
        }
        if (t.text === 'null') {
          this.pos++
          return { type: 'literal', value: null }
        }
        return this.parseField()
      case 'punct':
        if (t.text === '-') {
          const n = this.tokens[this.pos + 1]
          if (n.kind !== 'number') throw this.error("'-' must be followed by a number", n)
          this.pos += 2
          return { type: 'literal', value: -n.value }
        }
        if (t.text === '[') throw this.error("a list […] can only follow 'in'", t)
        throw this.error(`expected a field or a value, found ${describe(t)}`, t)
      case 'regex':
        throw this.error("a regular expression can only follow 'matches'", t)
      case 'end':
        throw this.error('expected a field or a value, found the end of the expression', t)
    }
  }

  /** A field path; its first name may not be a keyword, later ones may (`user.in`). */
  private parseField(): FieldNode {
    const first = this.peek()
    const path: (string | number)[] = []
    let text: string
    if (first.kind === 'name') {
      if (KEYWORDS.has(first.text)) {
        throw this.error(`'${first.text}' is a keyword; to use a field of that name, quote it with backticks: \`${first.text}\``, first)
      }
      if (this.atPunct('(', 1)) {
        throw this.error(`'${first.text}(…)' is not allowed: the only function is exists(field)`, first)
      }
      path.push(first.text)
      text = first.text
    } else if (first.kind === 'quoted' || first.kind === 'dstring') {
      path.push(first.text)
      text = quoteName(first.text)
    } else {
      throw this.error(`expected a field name, found ${describe(first)}`, first)
    }
    this.pos++
    for (;;) {
      if (this.atPunct('.')) {
        this.pos++
        const t = this.peek()
        if (t.kind === 'name' || t.kind === 'quoted' || t.kind === 'dstring') {
          path.push(t.text)
          text += t.kind === 'name' ? `.${t.text}` : `.${quoteName(t.text)}`
        } else if (t.kind === 'number' && Number.isSafeInteger(t.value) && /^[0-9]+$/.test(t.text)) {
          path.push(t.value)
          text += `.${t.text}`
        } else {
          throw this.error(`expected a field name after '.', found ${describe(t)}`, t)
        }
        this.pos++
        if (t.kind === 'name' && this.atPunct('(')) {
          throw this.error(`'${t.text}(…)' is not allowed: the only function is exists(field)`, t)
        }
      } else if (this.atPunct('[')) {
        this.pos++
        const t = this.peek()
        if (t.kind === 'number' && Number.isSafeInteger(t.value) && /^[0-9]+$/.test(t.text)) {
          path.push(t.value)
          text += `[${t.text}]`
        } else if (t.kind === 'sstring' || t.kind === 'dstring') {
          path.push(t.text)
          text += `[${JSON.stringify(t.text)}]`
        } else {
          throw this.error(`expected an index (0, 1, …) or a quoted name inside […], found ${describe(t)}`, t)
        }
        this.pos++
        this.expectPunct(']', "expected ']'")
      } else {
        return { type: 'field', path, text }
      }
    }
  }

  private parseInTarget(): readonly LiteralNode[] | FieldNode {
    const t = this.peek()
    if (t.kind === 'punct' && t.text === '[') {
      this.pos++
      const items: LiteralNode[] = []
      if (this.atPunct(']')) {
        this.pos++
        return items
      }
      for (;;) {
        const item = asLiteral(this.parseOperand())
        if (item.type !== 'literal') throw this.error('a list holds values only (numbers, strings, true, false, null)', this.tokens[this.pos - 1])
        items.push(item)
        if (this.atPunct(',')) {
          this.pos++
          continue
        }
        this.expectPunct(']', "expected ',' or ']' in the list")
        return items
      }
    }
    if (t.kind === 'name' || t.kind === 'quoted') {
      const field = this.parseOperand()
      if (field.type === 'field') return field
    }
    throw this.error(`'in' needs a list such as [1, 2] or an array field, found ${describe(t)}`, t)
  }

  private parseRegex(): RegExp {
    const t = this.peek()
    let pattern: string
    let flags = ''
    if (t.kind === 'regex') {
      pattern = t.pattern
      flags = t.flags
      for (const [k, f] of [...flags].entries()) {
        if (!ALLOWED_REGEX_FLAGS.includes(f)) {
          throw new WhereSyntaxError(`the regular expression flag '${f}' is not supported (use i, m, s or u)`, t.start + pattern.length + 3 + k)
        }
      }
    } else if (t.kind === 'sstring' || t.kind === 'dstring') {
      pattern = t.text
    } else {
      throw this.error(`'matches' needs a regular expression such as /^a.*z$/i or a quoted pattern, found ${describe(t)}`, t)
    }
    this.pos++
    try {
      return new RegExp(pattern, flags)
    } catch (e) {
      const why = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e)
      throw new WhereSyntaxError(`invalid regular expression: ${why}`, t.start + 1)
    }
  }

  private peek(): Token {
    return this.tokens[this.pos]
  }

  private atPunct(text: Punct, ahead = 0): boolean {
    const t = this.tokens[this.pos + ahead]
    return t !== undefined && t.kind === 'punct' && t.text === text
  }

  private atWord(text: string, ahead = 0): boolean {
    const t = this.tokens[this.pos + ahead]
    return t !== undefined && t.kind === 'name' && t.text === text
  }

  private expectPunct(text: Punct, message: string): void {
    const t = this.peek()
    if (t.kind === 'punct' && t.text === text) {
      this.pos++
      return
    }
    throw this.error(`${message}, found ${describe(t)}`, t)
  }

  private error(message: string, at: Token): WhereSyntaxError {
    return new WhereSyntaxError(message, at.start + 1)
  }
}

/** An operand, or a double-quoted word whose role its test decides. */
type Parsed = Operand | { type: 'dquoted'; text: string }

function asField(p: Parsed): Operand {
  return p.type === 'dquoted' ? { type: 'field', path: [p.text], text: quoteName(p.text) } : p
}

function asLiteral(p: Parsed): Operand {
  return p.type === 'dquoted' ? { type: 'literal', value: p.text } : p
}

/** Double-quoted words: a field facing a value, a string facing a field; the left one if both. */
function resolvePair(left: Parsed, right: Parsed): [Operand, Operand] {
  if (left.type === 'dquoted') {
    if (right.type === 'dquoted') return [asField(left), asLiteral(right)]
    return [right.type === 'field' ? asLiteral(left) : asField(left), right]
  }
  if (right.type === 'dquoted') return [left, left.type === 'field' ? asLiteral(right) : asField(right)]
  return [left, right]
}

function quoteName(name: string): string {
  return `\`${name.replace(/[`\\]/g, (c) => `\\${c}`)}\``
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'name':
      return `'${t.text}'`
    case 'quoted':
      return quoteName(t.text)
    case 'dstring':
    case 'sstring':
      return `the string ${JSON.stringify(t.text)}`
    case 'number':
      return `the number ${t.text}`
    case 'regex':
      return `the regular expression /${t.pattern}/${t.flags}`
    case 'punct':
      return `'${t.text}'`
    case 'end':
      return 'the end of the expression'
  }
}
