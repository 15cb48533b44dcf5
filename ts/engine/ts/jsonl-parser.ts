import { utf8 } from '../buffer-text'
import type { Buffer } from 'node:buffer'
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

/** Whether `bytes[start, end)` holds only spaces, tabs and `\r` — a line JSON Lines skips. */
function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = bytes[i]
    if (b !== 32 && b !== 9 && b !== CR) return false
  }
  return true
}

/**
 * JSON Lines: one JSON value per `\n`-terminated line. Lines inside a chunk are parsed straight
 * from it; only a line that runs past the chunk's end is copied, into `carry`.
 */
class JsonlParser implements ByteStreamParser {
  /** Stream offset of the next byte to arrive. */
  private offset = 0
  /** Line number of the line being read (the pending one, or the next to start). */
  private line = 1
  /** A line started in an earlier chunk and has not ended yet. */
  private pending = false
  private pendingStart = 0
  /** The pending line's bytes; once it outgrows `maxRecordBytes` (`carry.skipping`), only its head. */
  private readonly carry: RecordCarry
  /** The pending line so far is only spaces, tabs and `\r`: skipped, however long, when it ends. */
  private pendingBlank = true
  /** Last byte of the pending line so far: a `\r` there is dropped when `\n` follows. */
  private pendingLastByte = 0
  private readonly utf8 = new Utf8Guard()
  private readonly maxRecordBytes: number

  constructor(options: ParseOptions, private readonly sink: ParseSink) {
    this.maxRecordBytes = options.maxRecordBytes
    this.carry = new RecordCarry(options.maxRecordBytes)
  }

  skip(n: number): void {
    this.offset += n
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length
    if (n === 0) return
    let pos = 0
    if (this.pending) {
      const newline = chunk.indexOf(LF)
      this.extendPending(chunk, 0, newline === -1 ? n : newline)
      if (newline === -1) {
        this.offset += n
        return
      }
      this.finishPending(true, this.offset + newline - this.pendingStart)
      this.line++
      pos = newline + 1
    }
    let newline = chunk.indexOf(LF, pos)
    if (newline !== -1) {
      const buffer = asBuffer(chunk)
      this.utf8.prepare(chunk)
      do {
        this.parseLine(buffer, pos, newline, true, this.offset + pos, this.utf8.isValid(chunk, pos, newline))
        this.line++
        pos = newline + 1
        newline = chunk.indexOf(LF, pos)
      } while (newline !== -1)
    }
    if (pos < n) {
      this.pending = true
      this.pendingStart = this.offset + pos
      this.extendPending(chunk, pos, n)
    }
    this.offset += n
  }

  end(): void {
    if (this.pending) this.finishPending(false, this.offset - this.pendingStart)
  }

  /** Adds `chunk[start, end)` to the pending line, switching to skipping once it is too large. */
  private extendPending(chunk: Uint8Array, start: number, end: number): void {
    if (end === start) return
    this.pendingLastByte = chunk[end - 1]
    if (this.pendingBlank) this.pendingBlank = isBlank(chunk, start, end)
    this.carry.add(chunk, start, end)
  }

  /**
   * Ends the pending line, `length` raw bytes in all (its `\n` excluded); `terminated` is false at
   * end of input (no `\n`).
   */
  private finishPending(terminated: boolean, length: number): void {
    this.pending = false
    const carry = this.carry
    const blank = this.pendingBlank
    this.pendingBlank = true
    if (carry.exceeds(length)) {
      carry.reset()
      // A blank line is not a record, so it is skipped whatever its length.
      if (blank) return
      const shown = length - (terminated && this.pendingLastByte === CR ? 1 : 0)
      this.fault('ERR_RECORD_TOO_LARGE', this.pendingStart, carry.head.excerpt(shown), `line is longer than ${this.maxRecordBytes} bytes`)
      return
    }
    const carried = carry.bytes
    this.parseLine(carried.bytes, 0, carried.length, terminated, this.pendingStart, isUtf8Range(carried.bytes, 0, carried.length))
    carry.reset()
  }

  /**
   * Parses the line `bytes[start, end)`: `end` is its `\n` (or the end of input when not
   * `terminated`), so `end - start` is its raw length.
   */
  private parseLine(bytes: Buffer, start: number, end: number, terminated: boolean, byteOffset: number, validUtf8: boolean): void {
    let contentEnd = end
    if (terminated && contentEnd > start && bytes[contentEnd - 1] === CR) contentEnd--
    let first = start
    while (first < contentEnd) {
      const b = bytes[first]
      if (b !== 32 && b !== 9 && b !== CR) break
      first++
    }
    if (first === contentEnd) return
    if (end - start > this.maxRecordBytes) {
      this.fault('ERR_RECORD_TOO_LARGE', byteOffset, excerptOf(bytes, start, contentEnd, contentEnd - start), `line is longer than ${this.maxRecordBytes} bytes`)
      return
    }
    if (!validUtf8) {
      this.fault('ERR_INVALID_UTF8', byteOffset, excerptOf(bytes, start, contentEnd, contentEnd - start), 'line is not valid UTF-8')
      return
    }
    let value: unknown
    try {
      value = JSON.parse(utf8(bytes, start, contentEnd))
    } catch (error) {
      this.fault('ERR_PARSE', byteOffset, excerptOf(bytes, start, contentEnd, contentEnd - start), jsonSyntaxError(bytes, start, contentEnd) ?? messageOf(error))
      return
    }
    this.sink.record(value, this.line, byteOffset)
  }

  private fault(code: SourceErrorCode, byteOffset: number, excerpt: string, detail: string): void {
    this.sink.fault({ code, line: this.line, byteOffset, excerpt, detail })
  }
}

/** JSON Lines (`.jsonl`, `.ndjson`) per DESIGN.md, "JSON Lines". */
export const createJsonlParser: FormatParserFactory = (options, sink) => skippingBom(new JsonlParser(options, sink))
