import { Buffer, isAscii } from 'node:buffer'
import { latin1, SLICE_COPIES_BELOW, utf8 } from '../buffer-text'
import { csvFieldRecordMaker, csvRecordMaker, type RecordMaker, type TextRecordMaker } from '../record-makers'
import { type ParseOptions, RECORDS_BUILT_WHEN_COUNTING, type SourceErrorCode } from '../types'
import { skippingBom, type ByteStreamParser } from './bom'
import { ByteBuffer } from './byte-buffer'
import { excerptOf } from './excerpt'
import type { FormatParserFactory, ParseSink } from './format-parser'
import { headerNames } from './header-names'
import { inferValue } from './infer-value'
import { RecordCarry } from './record-carry'
import { giveBackBuffer } from './spare-buffers'
import { isUtf8Range, Utf8Guard } from './utf8-guard'

/** The unquoted bytes of a record's fields: room for most records without growing. */
const FIELD_BUFFER_BYTES = 1 << 16
const NO_BYTES = Buffer.alloc(0)

const LF = 10
const CR = 13
/** The quote of a reader without quoting: no byte equals it, so no field is ever quoted. */
const NO_QUOTE = -1

// The states of csv-core's reader (default config) that matter once the `\r\n` state is folded
// into START_RECORD: csv-core's CRLF state only swallows a `\n`, which START_RECORD discards
// anyway as an empty line. Only line counting tells them apart, and it is done separately.
/** Between records: terminators here are empty lines and are skipped. */
const START_RECORD = 0
/** At a field's first byte: only here does a quote open a quoted field. */
const START_FIELD = 1
const IN_FIELD = 2
const IN_QUOTED = 3
/** Just after a quote inside a quoted field: a second quote is data, anything else closes it. */
const QUOTE_IN_QUOTED = 4

/** Field count above which the per-record field arrays are emptied after the record. */
const SHRINK_FIELDS_ABOVE = 1 << 16

/**
 * CSV and TSV with the record semantics of `csv-core` (DESIGN.md, "CSV and TSV"). A record that
 * starts in the chunk and has no quoted field is read in place, each field's end in `fieldEnds`;
 * one with a quoted field, or that runs past the chunk, has its field bytes unquoted into `out`
 * instead. A finished record is decoded at once and cut into fields, then built by the header's
 * generated constructor (`record-makers.ts`).
 */
class CsvParser implements ByteStreamParser {
  /** Stream offset of the next byte to arrive. */
  private offset = 0
  private line = 1
  private state = START_RECORD
  /** The byte before the current chunk was `\r`, so a `\n` opening the chunk completes a CRLF. */
  private previousWasCr = false
  private recordLine = 0
  private recordOffset = 0
  /** Unquoted field bytes of the record being read. */
  private readonly out = new ByteBuffer(FIELD_BUFFER_BYTES)
  private readonly fieldEnds: number[] = []
  private fieldCount = 0
  /** Decoded fields of the record being finished; reused from record to record. */
  private readonly texts: string[] = []
  /** The inferred values of the record being finished, with `types: 'infer'`; reused likewise. */
  private readonly values: unknown[] = []
  /** The chunk being pushed is all ASCII, so its text can stand in for its bytes (string index = byte index). */
  private chunkAscii = false
  /**
   * That text, decoded when a record first takes its fields from it (`textOfChunk`): a chunk
   * whose records all have a long field (wide.csv) never needs it.
   */
  private chunkText: string | null = null
  /**
   * Raw bytes of the record being read, once it runs past the end of a chunk. When it outgrows
   * `maxRecordBytes` (`carry.skipping`), the machine runs on to find its end, keeping nothing but its head.
   */
  private readonly carry: RecordCarry
  private readonly utf8 = new Utf8Guard()
  /** Fields every record must have; -1 until the first good record sets it. */
  private expectedFields = -1
  /**
   * Builds a record from its values, once the first record set the field count: an object
   * keyed by the header's names, or an array (`record-makers.ts`).
   */
  private make: RecordMaker | null = null
  /** Builds a record of strings straight from the chunk's text and `fieldEnds` (see `finishRecord`). */
  private makeFromText: TextRecordMaker | null = null
  private readonly delimiter: number
  private readonly stops = new Uint8Array(256)
  private readonly quote: number
  private readonly header: boolean
  private readonly infer: boolean

  /** Records built so far, while only `RECORDS_BUILT_WHEN_COUNTING` are (`countOnly`). */
  private built = 0

  constructor(
    options: ParseOptions,
    private readonly sink: ParseSink,
    /** The records are only counted: past the first few, a good record is `null`, not built. */
    private readonly countOnly = false,
  ) {
    this.delimiter = options.delimiter.charCodeAt(0)
    this.quote = options.quote === null ? NO_QUOTE : options.quote.charCodeAt(0)
    this.stops[this.delimiter] = 1
    this.stops[CR] = 1
    this.stops[LF] = 1
    this.header = options.header
    this.infer = options.types === 'infer'
    this.carry = new RecordCarry(options.maxRecordBytes)
  }

  skip(n: number): void {
    this.offset += n
  }

  push(bytes: Uint8Array): void {
    // A record read `direct` is decoded from the chunk itself, which takes a Buffer.
    const chunk = bytes instanceof Buffer ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    const n = chunk.length
    if (n === 0) return
    // One decode for the chunk instead of one per record: a native call per record cost as much
    // as the decoding on a narrow file.
    const ascii = isAscii(chunk)
    this.chunkAscii = ascii
    if (ascii) this.utf8.prepareAscii(n)
    else this.utf8.prepare(chunk)
    // A chunk adds at most `n` output bytes, so one reservation covers every write below.
    this.out.reserve(n)
    const out = this.out.bytes
    let outLength = this.out.length
    const delimiter = this.delimiter
    const quote = this.quote
    /** Bytes that end an unquoted field: the delimiter, `\r`, `\n`. */
    const stops = this.stops
    const fieldEnds = this.fieldEnds
    let fieldCount = this.fieldCount
    let state = this.state
    let line = this.line
    /** Where the current record starts in this chunk; -1 when it began in an earlier one. */
    let recordStart = -1
    /**
     * The current record began in this chunk and has no quoted field so far: its fields are
     * not copied into `out`, and `fieldEnds` hold their ends from `recordStart` (see `copyFields`).
     */
    let direct = false
    let i = 0
    while (i < n) {
      switch (state) {
        case START_RECORD: {
          const b = chunk[i]
          if (b === CR) {
            line++
            i++
          } else if (b === LF) {
            if (i > 0 ? chunk[i - 1] !== CR : !this.previousWasCr) line++
            i++
          } else {
            recordStart = i
            direct = true
            this.recordLine = line
            this.recordOffset = this.offset + i
            state = START_FIELD
          }
          break
        }
        case START_FIELD:
        case IN_FIELD: {
          if (state === START_FIELD && chunk[i] === quote) {
            if (direct) outLength = this.copyFields(chunk, recordStart, fieldCount, i)
            direct = false
            state = IN_QUOTED
            i++
            break
          }
          // Unquoted fields follow one another here without a trip through the switch.
          state = IN_FIELD
          for (;;) {
            let b = 0
            if (direct) {
              while (i < n) {
                b = chunk[i]
                if (stops[b] !== 0) break
                i++
              }
            } else {
              while (i < n) {
                b = chunk[i]
                if (stops[b] !== 0) break
                out[outLength++] = b
                i++
              }
            }
            if (i === n) break
            fieldEnds[fieldCount++] = direct ? i - recordStart : outLength
            i++
            if (b !== delimiter) {
              this.fieldCount = fieldCount
              this.out.length = outLength
              this.endRecord(chunk, recordStart, i - 1, direct)
              fieldCount = 0
              outLength = 0
              // The terminator ends a field, so the byte before it is not a `\r`: it counts.
              line++
              state = START_RECORD
              break
            }
            if (i === n) {
              state = START_FIELD
              break
            }
            if (chunk[i] === quote) {
              if (direct) outLength = this.copyFields(chunk, recordStart, fieldCount, i)
              direct = false
              state = IN_QUOTED
              i++
              break
            }
          }
          break
        }
        case IN_QUOTED: {
          while (i < n) {
            const b = chunk[i]
            if (b === quote) break
            // Line breaks inside quotes still count as lines; a `\n` after `\r` completes one.
            if (b === CR) line++
            else if (b === LF && (i > 0 ? chunk[i - 1] !== CR : !this.previousWasCr)) line++
            out[outLength++] = b
            i++
          }
          if (i < n) {
            state = QUOTE_IN_QUOTED
            i++
          }
          break
        }
        case QUOTE_IN_QUOTED: {
          const b = chunk[i]
          if (b === quote) {
            out[outLength++] = b
            state = IN_QUOTED
            i++
          } else if (b === delimiter) {
            fieldEnds[fieldCount++] = outLength
            state = START_FIELD
            i++
          } else if (b === CR || b === LF) {
            fieldEnds[fieldCount++] = outLength
            this.fieldCount = fieldCount
            this.out.length = outLength
            this.endRecord(chunk, recordStart, i, false)
            fieldCount = 0
            outLength = 0
            line++
            state = START_RECORD
            i++
          } else {
            // `"ab"cd`: bytes after the closing quote join the field as in an unquoted one.
            state = IN_FIELD
          }
          break
        }
      }
    }
    // The record goes on in the next chunk, which cannot hold a view of this one.
    if (direct && state !== START_RECORD) outLength = this.copyFields(chunk, recordStart, fieldCount, n)
    this.fieldCount = fieldCount
    this.state = state
    this.line = line
    this.previousWasCr = chunk[n - 1] === CR
    if (state !== START_RECORD) this.carry.add(chunk, recordStart < 0 ? 0 : recordStart, n)
    if (this.carry.skipping) {
      // Nothing of a skipped record is used, so its output need not outlive the chunk.
      outLength = 0
      this.fieldCount = 0
    }
    this.out.length = outLength
    if (outLength === 0) this.out.clear(4 * n)
    this.offset += n
    this.chunkAscii = false
    this.chunkText = null
  }

  recordWidth(): number {
    return Math.max(0, this.expectedFields)
  }

  release(): void {
    giveBackBuffer(this.out.bytes)
    this.out.bytes = NO_BYTES
  }

  end(): void {
    const state = this.state
    if (state === START_RECORD) return
    this.state = START_RECORD
    const rawLength = this.offset - this.recordOffset
    // push() carried every byte of the unfinished record (or, when skipping, its head).
    const raw = this.carry.bytes
    if (this.carry.exceeds(rawLength)) {
      this.tooLarge(rawLength)
    } else if (state === IN_QUOTED) {
      // csv-core would end the field silently; an open quote at the end usually means lost data.
      this.fault('ERR_UNTERMINATED_QUOTE', excerptOf(raw.bytes, 0, raw.length, rawLength), 'quoted field not closed at end of input')
    } else {
      this.fieldEnds[this.fieldCount++] = this.out.length
      this.finishRecord(raw.bytes, 0, raw.length, isUtf8Range(raw.bytes, 0, raw.length), false)
    }
    this.resetRecord()
  }

  /**
   * The record that started at `recordStart` (-1: in an earlier chunk) ends at `chunk[end]`;
   * `direct` when its fields are still in `chunk` rather than in `out`.
   */
  private endRecord(chunk: Uint8Array, recordStart: number, end: number, direct: boolean): void {
    const rawLength = this.offset + end - this.recordOffset
    if (this.carry.exceeds(rawLength, chunk, recordStart < 0 ? 0 : recordStart, end)) {
      this.tooLarge(rawLength)
    } else if (recordStart >= 0) {
      this.finishRecord(chunk, recordStart, end, this.utf8.isValid(chunk, recordStart, end), direct)
    } else {
      const raw = this.carry.complete(chunk, 0, end)
      this.finishRecord(raw.bytes, 0, raw.length, isUtf8Range(raw.bytes, 0, raw.length), false)
    }
    this.resetRecord()
  }

  /**
   * Copies the fields of a record read `direct` so far (those done, then the bytes of the one
   * under way up to `to`) into `out`, for a record that turned out to need it: a quoted field
   * is unquoted there, and a record that runs past its chunk is gathered there. Returns the
   * length of `out`.
   */
  private copyFields(chunk: Uint8Array, recordStart: number, fieldCount: number, to: number): number {
    const out = this.out.bytes
    const ends = this.fieldEnds
    let outLength = 0
    let start = recordStart
    for (let k = 0; k < fieldCount; k++) {
      const end = recordStart + ends[k]
      out.set(chunk.subarray(start, end), outLength)
      outLength += end - start
      ends[k] = outLength
      // Past the one-byte delimiter.
      start = end + 1
    }
    out.set(chunk.subarray(start, to), outLength)
    return outLength + (to - start)
  }

  private resetRecord(): void {
    this.out.length = 0
    // A record with a huge number of fields leaves these arrays long; give the memory back.
    if (this.fieldCount > SHRINK_FIELDS_ABOVE) {
      this.fieldEnds.length = 0
      this.texts.length = 0
      this.values.length = 0
    }
    this.fieldCount = 0
    this.carry.reset()
  }

  /** Reports the current record as too large; `carry.head` holds its first bytes. */
  private tooLarge(rawLength: number): void {
    this.fault('ERR_RECORD_TOO_LARGE', this.carry.head.excerpt(rawLength), `record is longer than ${this.carry.maxRecordBytes} bytes`)
  }

  /** Turns the fields in `out` into a record; `raw[rawStart, rawEnd)` are its raw bytes. */
  private finishRecord(raw: Uint8Array, rawStart: number, rawEnd: number, validUtf8: boolean, direct: boolean): void {
    if (!validUtf8) {
      this.fault('ERR_INVALID_UTF8', excerptOf(raw, rawStart, rawEnd, rawEnd - rawStart), 'record is not valid UTF-8')
      return
    }
    const count = this.fieldCount
    if (this.expectedFields < 0) {
      this.expectedFields = count
      if (this.header) {
        const names = headerNames(this.texts.slice(0, this.decodeFields(raw, rawStart, rawEnd, direct)))
        this.make = csvRecordMaker(names, count)
        this.makeFromText = csvFieldRecordMaker(names, count)
        return
      }
      this.make = csvRecordMaker(null, count)
      this.makeFromText = csvFieldRecordMaker(null, count)
    } else if (count !== this.expectedFields) {
      this.fault('ERR_FIELD_COUNT', excerptOf(raw, rawStart, rawEnd, rawEnd - rawStart), `expected ${this.expectedFields} fields, found ${count}`)
      return
    }
    if (this.countOnly) {
      // A record that got here is good; what its fields hold cannot make it bad.
      if (this.built === RECORDS_BUILT_WHEN_COUNTING) return this.sink.record(null, this.recordLine, this.recordOffset)
      this.built++
    }
    if (direct && this.chunkAscii && !this.infer && this.slicesAreCopies(count)) {
      // The values as `decodeFields` would cut them, sliced by the record's literal itself:
      // storing each in `texts` first (an old array holding new strings) cost a write barrier
      // per value, and narrow.csv's W1 a sixth of its time.
      this.sink.record((this.makeFromText as TextRecordMaker)(this.textOfChunk(raw), this.fieldEnds, 0, rawStart), this.recordLine, this.recordOffset)
      return
    }
    this.decodeFields(raw, rawStart, rawEnd, direct)
    let values: unknown[] = this.texts
    if (this.infer) {
      values = this.values
      for (let k = 0; k < count; k++) values[k] = inferValue(this.texts[k])
    }
    this.sink.record((this.make as RecordMaker)(values), this.recordLine, this.recordOffset)
  }

  /**
   * Decodes the record's fields into `texts[0, count)` and returns `count`: from `out`, or for a
   * record read `direct` from its raw bytes `raw[rawStart, rawEnd)`, where one delimiter byte
   * follows each field. The record is decoded once and cut into fields: by byte index when it is
   * all ASCII (string length equals byte length), else by counting each field's characters.
   */
  private decodeFields(raw: Uint8Array, rawStart: number, rawEnd: number, direct: boolean): number {
    const bytes = direct ? (raw as Buffer) : this.out.bytes
    const base = direct ? rawStart : 0
    const length = direct ? rawEnd - rawStart : this.out.length
    const gap = direct ? 1 : 0
    const ends = this.fieldEnds
    const texts = this.texts
    const count = this.fieldCount
    if (direct && this.chunkAscii && this.slicesAreCopies(count)) {
      // Copies, so a kept value holds none of the chunk's text.
      const chunkText = this.textOfChunk(raw)
      let start = 0
      for (let k = 0; k < count; k++) {
        const end = ends[k]
        texts[k] = chunkText.slice(base + start, base + end)
        start = end + 1
      }
      return count
    }
    const text = utf8(bytes, base, base + length)
    let start = 0
    if (text.length === length) {
      for (let k = 0; k < count; k++) {
        const end = ends[k]
        texts[k] = text.slice(start, end)
        start = end + gap
      }
    } else {
      // Byte and string indexes part at the first character beyond ASCII: count the UTF-16 units
      // of each field's bytes (a byte that does not continue a sequence starts a character; one
      // of four bytes makes two units) rather than decode each field on its own, which took a
      // native call per field.
      let unit = 0
      for (let k = 0; k < count; k++) {
        const end = ends[k]
        const from = unit
        for (let b = base + start; b < base + end; b++) {
          const byte = bytes[b]
          if ((byte & 0xc0) !== 0x80) unit += byte >= 0xf0 ? 2 : 1
        }
        texts[k] = text.slice(from, unit)
        start = end + gap
        unit += gap
      }
    }
    return count
  }

  /** The text of the chunk being pushed, `chunk`, which is all ASCII: decoded once, when first wanted. */
  private textOfChunk(chunk: Uint8Array): string {
    if (this.chunkText === null) this.chunkText = latin1(chunk as Buffer, 0, chunk.length)
    return this.chunkText
  }

  /** Whether every field of a record read `direct` is short enough that V8 copies its slice. */
  private slicesAreCopies(count: number): boolean {
    const ends = this.fieldEnds
    let start = 0
    for (let k = 0; k < count; k++) {
      if (ends[k] - start >= SLICE_COPIES_BELOW) return false
      start = ends[k] + 1
    }
    return true
  }

  private fault(code: SourceErrorCode, excerpt: string, detail: string): void {
    this.sink.fault({ code, line: this.recordLine, byteOffset: this.recordOffset, excerpt, detail })
  }
}

/** CSV and TSV; `options.delimiter` and `options.quote` pick the dialect. */
export const createCsvParser: FormatParserFactory = (options, sink, countOnly) => skippingBom(new CsvParser(options, sink, countOnly))
