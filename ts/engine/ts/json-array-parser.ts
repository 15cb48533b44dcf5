import { utf8 } from '../buffer-text'
import { Buffer } from 'node:buffer'
import type { ParseOptions, SourceErrorCode } from '../types'
import { skippingBom, type ByteStreamParser } from './bom'
import { asBuffer } from './byte-buffer'
import { messageOf } from './error-message'
import { jsonSyntaxError } from './json-syntax'
import { excerptOf } from './excerpt'
import type { FormatParserFactory, ParseSink } from './format-parser'
import { RecordCarry } from './record-carry'
import { isUtf8Range, Utf8Guard } from './utf8-guard'

const LF = 10
const CR = 13
const QUOTE = 34
const BACKSLASH = 92
const COMMA = 44
const OPEN_SQUARE = 91
const CLOSE_SQUARE = 93
const OPEN_CURLY = 123
const CLOSE_CURLY = 125

/** Before the opening `[`. */
const BEFORE = 0
/** In the array at its own level, where an element may start. */
const BETWEEN = 1
/** In an element, outside strings. */
const ELEMENT = 2
/** In a string inside an element. */
const STRING = 3
/** After the closing `]`: only whitespace may follow. */
const AFTER = 4
/** Nothing more is read (not an array, or trailing content found). */
const DONE = 5
/** Before the `[`, after a first byte that is not one: gathering the bytes its fault shows. */
const NOT_AN_ARRAY = 6

/**
 * Bytes an `ERR_NOT_AN_ARRAY` shows at most (`NOT_AN_ARRAY_HEAD_BYTES` in the core): enough for
 * a compressed file's signature, which tells a pipe of compressed bytes from text
 * (sources/file-signature.ts).
 */
const NOT_AN_ARRAY_HEAD_BYTES = 4

/** Where the first byte that is not `[` was found, and the bytes from it (up to a line break). */
interface NotAnArray {
  line: number
  byteOffset: number
  found: number
  head: number[]
}

function isWhitespace(b: number): boolean {
  return b === 32 || b === 10 || b === 13 || b === 9
}

/** Bytes an element scan must stop at; everything else is skipped in a tight loop. */
const STRUCTURAL = new Uint8Array(256)
for (const b of [LF, QUOTE, COMMA, OPEN_SQUARE, CLOSE_SQUARE, OPEN_CURLY, CLOSE_CURLY]) STRUCTURAL[b] = 1

/**
 * A top-level JSON array, streamed element by element (DESIGN.md, "JSON array"). A structural scan
 * finds each element's end without parsing it; the element's bytes are then parsed with
 * `JSON.parse`. Elements inside a chunk are parsed straight from it; one that runs past the chunk's
 * end is copied into `carry`.
 */
class JsonArrayParser implements ByteStreamParser {
  /** Stream offset of the next byte to arrive. */
  private offset = 0
  private line = 1
  private state = BEFORE
  /** Nesting inside the current element; the array's own level is 0. */
  private depth = 0
  /** The previous byte in the current string was an unescaped `\`, possibly in an earlier chunk. */
  private escaped = false
  /** A `,` came since the last element, so a `]` now closes an empty element. */
  private afterComma = false
  private elementLine = 0
  private elementOffset = 0
  /** The current element's bytes once it runs past a chunk; past `maxRecordBytes` the scan goes on, keeping only its head. */
  private readonly carry: RecordCarry
  private readonly utf8 = new Utf8Guard()
  private notAnArray: NotAnArray | null = null
  private viewOf: Uint8Array | null = null
  private view: Buffer = Buffer.alloc(0)

  constructor(options: ParseOptions, private readonly sink: ParseSink) {
    this.carry = new RecordCarry(options.maxRecordBytes)
  }

  skip(n: number): void {
    this.offset += n
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length
    if (n === 0) return
    let state = this.state
    if (state === DONE) {
      this.offset += n
      return
    }
    if (state !== AFTER) this.utf8.prepare(chunk)
    let line = this.line
    /** Where the current element starts in this chunk; -1 when it began in an earlier one. */
    let elementStart = -1
    let i = 0
    while (i < n) {
      switch (state) {
        case BEFORE:
        case BETWEEN:
        case AFTER: {
          let b = 0
          while (i < n) {
            b = chunk[i]
            if (!isWhitespace(b)) break
            if (b === LF) line++
            i++
          }
          if (i === n) break
          if (state === BEFORE) {
            if (b === OPEN_SQUARE) {
              state = BETWEEN
              i++
            } else {
              this.notAnArray = { line, byteOffset: this.offset + i, found: b, head: [] }
              state = NOT_AN_ARRAY
            }
          } else if (state === AFTER) {
            this.sink.fault({ code: 'ERR_TRAILING_CONTENT', line, byteOffset: this.offset + i, excerpt: '', detail: "unexpected content after the array's closing ']'" })
            state = DONE
            i = n
          } else if (b === COMMA) {
            this.sink.fault({ code: 'ERR_PARSE', line, byteOffset: this.offset + i, excerpt: '', detail: "empty array element before ','" })
            this.afterComma = true
            i++
          } else if (b === CLOSE_SQUARE) {
            if (this.afterComma) {
              this.sink.fault({ code: 'ERR_PARSE', line, byteOffset: this.offset + i, excerpt: '', detail: "empty array element before ']'" })
            }
            state = AFTER
            i++
          } else {
            elementStart = i
            this.elementLine = line
            this.elementOffset = this.offset + i
            this.depth = 0
            state = ELEMENT
          }
          break
        }
        case ELEMENT:
        case STRING: {
          this.line = line
          this.state = state
          i = this.scanElement(chunk, i, elementStart)
          line = this.line
          state = this.state
          break
        }
        case NOT_AN_ARRAY: {
          // The excerpt is the same whatever the chunks: its bytes may come in several.
          const { head } = this.notAnArray as NotAnArray
          while (i < n && head.length < NOT_AN_ARRAY_HEAD_BYTES && chunk[i] !== LF && chunk[i] !== CR) head.push(chunk[i++])
          if (i < n || head.length === NOT_AN_ARRAY_HEAD_BYTES) {
            this.reportNotAnArray()
            state = DONE
          }
          i = n
          break
        }
        default:
          i = n
      }
    }
    this.state = state
    this.line = line
    // The caller reuses the chunk's memory; holding no view of it keeps that obvious.
    this.viewOf = null
    if (state === ELEMENT || state === STRING) this.carry.add(chunk, elementStart < 0 ? 0 : elementStart, n)
    this.offset += n
  }

  /**
   * Scans the current element from `chunk[i]` to its end (or the chunk's end) and returns where
   * the scan stopped. Kept apart from `push` because V8 compiles this small hot loop far better
   * on its own. Strings are scanned inline: elements are mostly short strings and numbers, and a
   * trip through `push`'s switch per string would cost more than the scan itself.
   */
  private scanElement(chunk: Uint8Array, start: number, elementStart: number): number {
    const n = chunk.length
    let i = start
    let line = this.line
    let depth = this.depth
    let inString = this.state === STRING
    let escaped = this.escaped
    let state = ELEMENT
    while (i < n) {
      if (inString) {
        if (escaped) {
          escaped = false
          if (chunk[i] === LF) line++
          i++
        }
        while (i < n) {
          const b = chunk[i]
          if (b === QUOTE) break
          if (b === BACKSLASH) {
            if (i + 1 === n) {
              // The `\` escapes the next chunk's first byte.
              escaped = true
              i = n
              break
            }
            if (chunk[i + 1] === LF) line++
            i += 2
            continue
          }
          if (b === LF) line++
          i++
        }
        if (i === n) break
        inString = false
        i++
      }
      while (i < n && STRUCTURAL[chunk[i]] === 0) i++
      if (i === n) break
      const b = chunk[i]
      i++
      if (b === QUOTE) {
        inString = true
      } else if (b === OPEN_SQUARE || b === OPEN_CURLY) {
        depth++
      } else if (b === CLOSE_CURLY) {
        // A stray `}` at the array's level cannot close the array; it is element content,
        // and JSON.parse will reject the element.
        if (depth > 0) depth--
      } else if (b === LF) {
        line++
      } else if (depth > 0) {
        if (b === CLOSE_SQUARE) depth--
      } else {
        // `,` or `]` at the array's level ends the element.
        this.line = line
        this.endElement(chunk, elementStart, i - 1)
        this.afterComma = b === COMMA
        state = b === COMMA ? BETWEEN : AFTER
        break
      }
    }
    this.line = line
    this.depth = depth
    this.escaped = escaped
    this.state = state === ELEMENT && inString ? STRING : state
    return i
  }

  end(): void {
    const state = this.state
    this.state = DONE
    if (state === NOT_AN_ARRAY) return this.reportNotAnArray()
    if (state === BEFORE || state === AFTER || state === DONE) return
    if (state === ELEMENT || state === STRING) {
      // A truncated file keeps what it can: the pending element is parsed as if it ended here.
      const rawLength = this.offset - this.elementOffset
      if (this.carry.exceeds(rawLength)) {
        this.tooLarge(rawLength)
      } else {
        const carried = this.carry.bytes
        this.parseElement(carried.bytes, 0, carried.length, isUtf8Range(carried.bytes, 0, carried.length))
      }
      this.resetElement()
    }
    this.sink.fault({ code: 'ERR_TRUNCATED', line: this.line, byteOffset: this.offset, excerpt: '', detail: 'the input ends inside the JSON array' })
  }

  private reportNotAnArray(): void {
    const { line, byteOffset, found, head } = this.notAnArray as NotAnArray
    const bytes = Uint8Array.from(head)
    const excerpt = excerptOf(bytes, 0, bytes.length, bytes.length)
    this.sink.fault({ code: 'ERR_NOT_AN_ARRAY', line, byteOffset, excerpt, detail: `expected '[', found ${describe(found)}` })
    this.notAnArray = null
  }

  /** The element that started at `elementStart` (-1: in an earlier chunk) ends at `chunk[end]`. */
  private endElement(chunk: Uint8Array, elementStart: number, end: number): void {
    const rawLength = this.offset + end - this.elementOffset
    if (this.carry.exceeds(rawLength, chunk, elementStart < 0 ? 0 : elementStart, end)) {
      this.tooLarge(rawLength)
    } else if (elementStart >= 0) {
      this.parseElement(this.bufferOf(chunk), elementStart, end, this.utf8.isValid(chunk, elementStart, end))
    } else {
      const carried = this.carry.complete(chunk, 0, end)
      this.parseElement(carried.bytes, 0, carried.length, isUtf8Range(carried.bytes, 0, carried.length))
    }
    this.resetElement()
  }

  /** `chunk` as a `Buffer` for decoding, made once per chunk rather than once per element. */
  private bufferOf(chunk: Uint8Array): Buffer {
    if (this.viewOf !== chunk) {
      this.viewOf = chunk
      this.view = asBuffer(chunk)
    }
    return this.view
  }

  private resetElement(): void {
    this.carry.reset()
    this.escaped = false
  }

  /** Parses the element `bytes[start, end)`; `end` is where its terminating `,`/`]` (or the input) ends it. */
  private parseElement(bytes: Buffer, start: number, end: number, validUtf8: boolean): void {
    // The element is its bytes up to its last non-whitespace byte; it starts at a non-whitespace one.
    let last = end
    while (last > start && isWhitespace(bytes[last - 1])) last--
    if (!validUtf8) {
      this.fault('ERR_INVALID_UTF8', excerptOf(bytes, start, last, last - start), 'element is not valid UTF-8')
      return
    }
    let value: unknown
    try {
      value = JSON.parse(utf8(bytes, start, last))
    } catch (error) {
      this.fault('ERR_PARSE', excerptOf(bytes, start, last, last - start), jsonSyntaxError(bytes, start, last) ?? messageOf(error))
      return
    }
    this.sink.record(value, this.elementLine, this.elementOffset)
  }

  /** Reports the current element as too large; `carry.head` holds its first bytes. */
  private tooLarge(rawLength: number): void {
    // Like a parsed element, the excerpt ends at the last non-whitespace byte when the head shows
    // the whole element; a longer element's trailing whitespace is beyond the excerpt anyway.
    const head = this.carry.head
    let shown = rawLength
    if (shown <= head.length) while (shown > 0 && isWhitespace(head.bytes[shown - 1])) shown--
    this.fault('ERR_RECORD_TOO_LARGE', head.excerpt(shown), `element is longer than ${this.carry.maxRecordBytes} bytes`)
  }

  private fault(code: SourceErrorCode, excerpt: string, detail: string): void {
    this.sink.fault({ code, line: this.elementLine, byteOffset: this.elementOffset, excerpt, detail })
  }
}

/** A byte for a message: printable ASCII as itself, anything else as hex. */
function describe(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `byte 0x${b.toString(16).padStart(2, '0')}`
}

/** JSON arrays (`.json`) per DESIGN.md, "JSON array". */
export const createJsonArrayParser: FormatParserFactory = (options, sink) => skippingBom(new JsonArrayParser(options, sink))
