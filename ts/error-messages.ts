import type { Format, SourceFault } from './engine/types'
import { ItemError, describeLocation } from './errors'

/**
 * Words for item errors. Engines report only codes and positions; the sentences and hints are
 * written here so both engines say the same thing.
 */

export interface FaultContext {
  path: string | null
  format: Format | null
  recordIndex: number
  maxRecordBytes: number
  delimiter: string
}

export function sourceItemError(fault: SourceFault, ctx: FaultContext): ItemError {
  const where = describeLocation(ctx.path, fault.line, fault.byteOffset, ctx.recordIndex)
  const detail = fault.detail ? ` (${fault.detail})` : ''
  let message: string
  let hint: string | null = null
  switch (fault.code) {
    case 'ERR_PARSE':
      message = ctx.format === 'json' ? `the element at ${where} is not valid JSON${detail}` : `${where} is not valid JSON${detail}`
      hint = ctx.format === 'json' ? null : jsonLinesHint(fault)
      break
    case 'ERR_INVALID_UTF8':
      message = `the record at ${where} is not valid UTF-8`
      hint = 're-encode the file as UTF-8, for example: iconv -f latin1 -t utf-8 in > out'
      break
    case 'ERR_RECORD_TOO_LARGE':
      message = `the record at ${where} is longer than maxRecordBytes (${ctx.maxRecordBytes} bytes)`
      hint =
        ctx.format === 'csv' || ctx.format === 'tsv'
          ? 'raise { maxRecordBytes } if records this large are expected; an unclosed quote also makes one record swallow the rest of a file'
          : 'raise { maxRecordBytes } if records this large are expected; a file without line breaks also looks like one huge record'
      break
    case 'ERR_FIELD_COUNT':
      message = `${where} has the wrong number of fields${detail}`
      hint = fieldCountHint(fault.excerpt, ctx.delimiter)
      break
    case 'ERR_UNTERMINATED_QUOTE':
      message = `the record at ${where} opens a quoted field that is never closed`
      hint = 'look for a stray quote character in that record; inside a quoted field a quote is written twice ("")'
      break
    case 'ERR_NOT_AN_ARRAY':
      message = `${ctx.path ?? 'the input'} does not hold a top-level JSON array (${where})${detail}`
      hint = "if the file holds one JSON value per line, pass { format: 'jsonl' }"
      break
    case 'ERR_TRAILING_CONTENT':
      message = `unexpected content after the JSON array's closing ] at ${where}`
      hint = 'the rest of the file was ignored; check that the file holds exactly one array'
      break
    case 'ERR_TRUNCATED':
      message = `the input ends inside the JSON array (${where}); the file looks cut short`
      hint = 'check that the file was written completely'
      break
  }
  return new ItemError(message, {
    code: fault.code,
    kind: 'source',
    stage: 'source',
    stageIndex: 0,
    path: ctx.path,
    line: fault.line,
    byteOffset: fault.byteOffset,
    recordIndex: ctx.recordIndex,
    excerpt: fault.excerpt,
    hint,
  })
}

function jsonLinesHint(fault: SourceFault): string | null {
  const text = fault.excerpt.trimStart()
  const first = text.charAt(0)
  if (first !== '{' && first !== '[' && first !== '"') {
    if (text.includes('\t')) return "is this file TSV? pass { format: 'tsv' }"
    if (text.includes(',') || text.includes(';')) return "is this file CSV? pass { format: 'csv' }"
    return null
  }
  if (fault.line === 1 && (text === '[' || text.startsWith('[{') || text.startsWith('[ '))) {
    return "is this one JSON array rather than JSON Lines? pass { format: 'json' }"
  }
  if (text === '{' || text === '[' || (first === '"' && /^"[^"]*"\s*:/.test(text))) {
    return 'this looks like pretty-printed JSON; JSON Lines needs each record on one line'
  }
  const last = text.trimEnd().slice(-1)
  if (!fault.excerpt.endsWith('…') && ((first === '{' && last !== '}') || (first === '[' && last !== ']'))) {
    return 'the record looks cut short: was the file truncated, or did a writer interleave lines?'
  }
  return null
}

const CANDIDATE_DELIMITERS = [',', ';', '\t', '|']

function fieldCountHint(excerpt: string, delimiter: string): string {
  let best = delimiter
  let bestCount = countOf(excerpt, delimiter)
  for (const candidate of CANDIDATE_DELIMITERS) {
    const n = countOf(excerpt, candidate)
    if (n > bestCount) {
      best = candidate
      bestCount = n
    }
  }
  if (best !== delimiter) return `the record has more ${JSON.stringify(best)} than ${JSON.stringify(delimiter)}: pass { delimiter: ${JSON.stringify(best)} }?`
  return 'check the delimiter and quoting of that line, or whether the header row is the one you expect'
}

function countOf(text: string, ch: string): number {
  let n = 0
  for (let i = text.indexOf(ch); i >= 0; i = text.indexOf(ch, i + 1)) n++
  return n
}

export interface CallbackErrorContext {
  stage: string
  stageIndex: number
  item: unknown
  path: string | null
  line: number | null
  byteOffset: number | null
  recordIndex: number
  /**
   * The item is a batch (a `batch` stage came before the failing one): the position is that of
   * the record read when the batch was completed, not of each record in it.
   */
  batched: boolean
}

export function processingItemError(cause: unknown, ctx: CallbackErrorContext): ItemError {
  const where = describeLocation(ctx.path, ctx.line, ctx.byteOffset, ctx.recordIndex)
  const reason = cause instanceof Error ? cause.message : String(cause)
  const subject = ctx.batched ? `a batch completed at the record from ${where}` : `the record from ${where}`
  return new ItemError(`${ctx.stage} (stage ${ctx.stageIndex}) failed on ${subject}: ${reason}`, {
    code: 'ERR_CALLBACK',
    kind: 'processing',
    stage: ctx.stage,
    stageIndex: ctx.stageIndex,
    path: ctx.path,
    line: ctx.line,
    byteOffset: ctx.byteOffset,
    recordIndex: ctx.recordIndex,
    excerpt: renderItem(ctx.item),
    item: ctx.item,
    hint: null,
    cause,
  })
}

const EXCERPT_CHARS = 80

/** A short, safe rendering of an item for messages; never throws (cycles, BigInt, getters). */
export function renderItem(item: unknown): string {
  let text: string
  try {
    text = typeof item === 'string' ? JSON.stringify(item) : (JSON.stringify(item) ?? String(item))
  } catch {
    text = Object.prototype.toString.call(item)
  }
  return text.length > EXCERPT_CHARS ? `${text.slice(0, EXCERPT_CHARS)}…` : text
}

/** The hint for an `ERR_IO` with a given message, or `null` when there is none. */
export type IoHint = (message: string) => string | null

/**
 * What to try when compressed input cannot be read to its end, for either engine, told from the
 * message (`cannot decompress <what>: <why>`, the same words from both): bytes that are not
 * compressed at all, none at all, a file cut short (an interrupted download or copy), or damaged
 * bytes. `input`: a file, or the bytes of a `Readable`. A failure to read rather than to
 * decompress gets none.
 */
export function decompressionHint(compression: 'gzip' | 'zstd', input: 'file' | 'stream' = 'file'): IoHint {
  const file = input === 'file'
  const check = file ? `check it with ${compression} -t` : `save them to a file and check it with ${compression} -t`
  return (message) => {
    if (!message.startsWith('cannot decompress ')) return null
    if (message.includes(`: not ${compression} data: `)) {
      return file ? "if it is not compressed, pass { compression: 'none' }" : "if they are not compressed, pass { compression: 'none' }"
    }
    if (message.endsWith(': the input is empty')) return file ? 'the file is empty: whatever wrote it wrote nothing' : 'the stream ended before any bytes came'
    if (message.endsWith(' is cut short')) {
      return file ? `the file stops part way, as a download or copy that was cut off does; ${check}, and fetch it again` : `the stream stopped part way; ${check}`
    }
    return file ? `the file's bytes are damaged; ${check}, and fetch an intact copy` : `the stream's bytes are damaged; ${check}`
  }
}
