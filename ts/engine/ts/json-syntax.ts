/**
 * Why bytes that `JSON.parse` rejected are not JSON, in the native core's words
 * (`crates/ringstream-core/src/json_syntax.rs`): the reason and the byte of the record where it
 * was found. The TS engine gives this as a parse error's detail instead of V8's message, which
 * counts UTF-16 units rather than bytes and is worded differently from one Node.js to the next,
 * so both engines on every Node.js say the same thing about the same record. It runs only once
 * `JSON.parse` has failed, so it is written for clarity rather than speed.
 *
 * `null` when the bytes are JSON after all; the caller then keeps `JSON.parse`'s message.
 */
export function jsonSyntaxError(bytes: Uint8Array, start: number, end: number): string | null {
  const cursor = new Cursor(bytes, start, end)
  try {
    cursor.skipWhitespace()
    cursor.value()
    cursor.skipWhitespace()
    if (cursor.peek() !== END) cursor.fail('unexpected character after the value')
    return null
  } catch (error) {
    if (error instanceof SyntaxFault) return `${error.reason} at byte ${error.offset}`
    throw error
  }
}

/** Past the last byte. */
const END = -1
const OBJECT = true
const ARRAY = false

const SPACE = 0x20
const TAB = 0x09
const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22
const BACKSLASH = 0x5c
const COMMA = 0x2c
const COLON = 0x3a
const MINUS = 0x2d
const PLUS = 0x2b
const DOT = 0x2e
const ZERO = 0x30
const NINE = 0x39
const OPEN_BRACE = 0x7b
const CLOSE_BRACE = 0x7d
const OPEN_SQUARE = 0x5b
const CLOSE_SQUARE = 0x5d
const LOWER_E = 0x65
const UPPER_E = 0x45
const LOWER_U = 0x75
/** The characters a backslash may escape besides `u`: `"`, `\`, `/`, `b`, `f`, `n`, `r`, `t`. */
const SHORT_ESCAPES = new Set([0x22, 0x5c, 0x2f, 0x62, 0x66, 0x6e, 0x72, 0x74])
const LITERALS = new Map([
  [0x74, 'true'],
  [0x66, 'false'],
  [0x6e, 'null'],
])

class SyntaxFault {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {}
}

const isDigit = (b: number): boolean => b >= ZERO && b <= NINE
const isHexDigit = (b: number): boolean => isDigit(b) || (b >= 0x61 && b <= 0x66) || (b >= 0x41 && b <= 0x46)

class Cursor {
  private i: number

  constructor(
    private readonly bytes: Uint8Array,
    private readonly start: number,
    private readonly end: number,
  ) {
    this.i = start
  }

  peek(): number {
    return this.i < this.end ? this.bytes[this.i] : END
  }

  fail(reason: string): never {
    throw new SyntaxFault(reason, this.i - this.start)
  }

  skipWhitespace(): void {
    for (let b = this.peek(); b === SPACE || b === TAB || b === LF || b === CR; b = this.peek()) this.i++
  }

  /** Reads one value, however deep, without recursing: `open` holds the containers open around it. */
  value(): void {
    const open: boolean[] = []
    for (;;) {
      if (this.openContainer(open)) continue
      // A value is complete: close the containers it completes, or go on to the next value.
      for (;;) {
        if (open.length === 0) return
        const kind = open[open.length - 1]
        this.skipWhitespace()
        const b = this.peek()
        if (b === COMMA) {
          this.i++
          this.skipWhitespace()
          if (kind === OBJECT) this.memberKey()
          break
        }
        if ((b === CLOSE_SQUARE && kind === ARRAY) || (b === CLOSE_BRACE && kind === OBJECT)) {
          this.i++
          open.pop()
          continue
        }
        if (b === END) this.fail('unexpected end of input')
        this.fail(kind === ARRAY ? "expected ',' or ']'" : "expected ',' or '}'")
      }
    }
  }

  /**
   * Reads a scalar or an empty container (`false`), or opens a container whose first value comes
   * next (`true`, with the container pushed onto `open`).
   */
  private openContainer(open: boolean[]): boolean {
    const b = this.peek()
    if (b === OPEN_BRACE || b === OPEN_SQUARE) {
      this.i++
      this.skipWhitespace()
      if (this.peek() === (b === OPEN_BRACE ? CLOSE_BRACE : CLOSE_SQUARE)) {
        this.i++
        return false
      }
      if (b === OPEN_BRACE) this.memberKey()
      open.push(b === OPEN_BRACE ? OBJECT : ARRAY)
      return true
    }
    if (b === QUOTE) this.string()
    else if (LITERALS.has(b)) this.literal(LITERALS.get(b) as string)
    else if (b === MINUS || isDigit(b)) this.number()
    else if (b === END) this.fail('unexpected end of input, expected a value')
    else this.fail('unexpected character, expected a value')
    return false
  }

  /** A member's key and its colon, leaving the cursor at the value. */
  private memberKey(): void {
    if (this.peek() !== QUOTE) this.fail('expected a string key')
    this.string()
    this.skipWhitespace()
    if (this.peek() !== COLON) this.fail("expected ':'")
    this.i++
    this.skipWhitespace()
  }

  private literal(word: string): void {
    for (let k = 0; k < word.length; k++) {
      if (this.i + k >= this.end || this.bytes[this.i + k] !== word.charCodeAt(k)) this.fail('unexpected character, expected a value')
    }
    this.i += word.length
  }

  private digits(): number {
    const from = this.i
    while (isDigit(this.peek())) this.i++
    return this.i - from
  }

  private number(): void {
    if (this.peek() === MINUS) this.i++
    const first = this.peek()
    if (first === ZERO) this.i++
    else if (isDigit(first)) this.digits()
    else this.fail('expected a digit')
    if (this.peek() === DOT) {
      this.i++
      if (this.digits() === 0) this.fail("expected a digit after '.'")
    }
    const e = this.peek()
    if (e === LOWER_E || e === UPPER_E) {
      this.i++
      const sign = this.peek()
      if (sign === PLUS || sign === MINUS) this.i++
      if (this.digits() === 0) this.fail('expected a digit in the exponent')
    }
  }

  /** Reads a string literal; bytes of 0x80 and above count as plain (UTF-8 is checked apart). */
  private string(): void {
    this.i++ // the opening quote
    for (;;) {
      const b = this.peek()
      if (b === QUOTE) {
        this.i++
        return
      }
      if (b === BACKSLASH) {
        this.i++
        const escape = this.peek()
        if (SHORT_ESCAPES.has(escape)) this.i++
        else if (escape === LOWER_U) {
          this.i++
          // Any four hex digits: lone surrogates are fine for JSON.parse.
          for (let k = 0; k < 4; k++) {
            if (!isHexDigit(this.peek())) this.fail('expected 4 hex digits after \\u')
            this.i++
          }
        } else this.fail('invalid escape in string')
      } else if (b === END) this.fail('unterminated string')
      else if (b < SPACE) this.fail('control character in string')
      else this.i++
    }
  }
}
