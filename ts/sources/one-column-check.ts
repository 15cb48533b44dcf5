import type { ParseOptions } from '../engine/types'

/** Delimiters of CSV files that are read as one column when taken for commas. */
const LIKELY_DELIMITERS = [';', '\t', '|']

/** The first two lines of a CSV source read as one column. */
type OneColumnLines = [string, string]

/**
 * The first two lines of a CSV source read as one column: the header's one name and the first
 * record's one value, or without a header the first two records' one value each. `null` when the
 * records are not one column of text, or (without a header) there is only one.
 */
function oneColumnLines(records: ReadonlyArray<unknown>, parse: ParseOptions): OneColumnLines | null {
  const [first, second] = records
  if (parse.header) {
    if (first === null || typeof first !== 'object' || Array.isArray(first)) return null
    const names = Object.keys(first)
    if (names.length !== 1) return null
    const value = (first as Record<string, unknown>)[names[0]]
    return typeof value === 'string' ? [names[0], value] : null
  }
  const only = (record: unknown) => (Array.isArray(record) && record.length === 1 && typeof record[0] === 'string' ? (record[0] as string) : null)
  const a = only(first)
  const b = only(second)
  return a !== null && b !== null ? [a, b] : null
}

/**
 * The delimiter a CSV source most likely uses when it was read with the default one and came out
 * as a single column: its first two lines (see `oneColumnLines`) both split on it into the same
 * number (two or more) of fields — a `;`-delimited export read as comma-separated. `null` when
 * nothing suggests so. Such a file is read without an error (a CSV of one column is valid), so
 * the caller only warns.
 */
function likelyDelimiter([a, b]: OneColumnLines, parse: ParseOptions): string | null {
  for (const candidate of LIKELY_DELIMITERS) {
    if (candidate === parse.delimiter) continue
    const fields = a.split(candidate).length
    if (fields >= 2 && b.split(candidate).length === fields) return candidate
  }
  return null
}

/**
 * Looks at the first records of one CSV source read with the default delimiter, as its batches
 * come, and warns once if they suggest another (`warnIfOneColumn`). It decides at the first
 * record with a header and at the second without one, whichever batches they come in.
 */
export class OneColumnCheck {
  private readonly first: unknown[] = []
  private decided = false

  /** `subject`: the source in the warning's words (a path, or words for chunks of bytes). */
  constructor(
    private readonly parse: ParseOptions,
    private readonly subject: string,
  ) {}

  /** Looks at the next batch's records; returns whether it warned. */
  look(records: ReadonlyArray<unknown>): boolean {
    if (this.decided) return false
    const wanted = this.parse.header ? 1 : 2
    for (let i = 0; i < records.length && this.first.length < wanted; i++) this.first.push(records[i])
    if (this.first.length < wanted) return false
    this.decided = true
    return warnIfOneColumn(this.first, this.parse, this.subject)
  }
}

/**
 * Emits `RINGSTREAM_ONE_COLUMN` when `records`, the first records of the CSV source `subject`,
 * suggest another delimiter (`likelyDelimiter`); returns whether it did.
 */
function warnIfOneColumn(records: ReadonlyArray<unknown>, parse: ParseOptions, subject: string): boolean {
  if (parse.format !== 'csv' && parse.format !== 'tsv') return false
  const lines = oneColumnLines(records, parse)
  const delimiter = lines === null ? null : likelyDelimiter(lines, parse)
  if (lines === null || delimiter === null) return false
  const shown = delimiter === '\t' ? '\\t' : delimiter
  const [a, b] = lines
  const what = parse.header ? `, ${JSON.stringify(a)}, but its header and first record` : `, but its first two records, ${JSON.stringify(a)} and ${JSON.stringify(b)},`
  const message = `${subject} was read as one column${what} both split on '${shown}' into ${a.split(delimiter).length} fields: if it is '${shown}'-delimited, pass { delimiter: '${shown}' }`
  process.emitWarning(message, { code: 'RINGSTREAM_ONE_COLUMN' })
  return true
}
