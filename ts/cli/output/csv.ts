/**
 * CSV/TSV output, RFC 4180 style: a field is quoted when it holds the delimiter, a quote, a
 * carriage return or a line feed, and quotes inside it are doubled. Lines end with `\n`.
 */

/** One value as the text of a field: `null`/missing → empty, objects and arrays → JSON. */
export function fieldText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  return JSON.stringify(value) ?? ''
}

/** A field, quoted when it must be. */
export function quoteField(text: string, delimiter: string): string {
  if (text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r')) {
    return `"${text.replace(/"/g, '""')}"`
  }
  return text
}

/** One line of fields, with its line feed. */
export function csvLine(values: readonly unknown[], delimiter: string): string {
  let line = ''
  for (let i = 0; i < values.length; i++) {
    if (i > 0) line += delimiter
    line += quoteField(fieldText(values[i]), delimiter)
  }
  return `${line}\n`
}

/**
 * Writes records as CSV lines. The header is the given field list (from `--select`), else the
 * keys of the first record that is an object; every later record is written in that column
 * order, a missing field as an empty value. Fields a later record has beyond the header cannot
 * be shown; they are counted in `droppedFields` so the command can say so. Arrays (as from
 * `--no-header` input) are written as rows without a header; other values as one-field rows.
 */
export class CsvWriter {
  private columns: readonly string[] | null
  private started = false
  private columnSet: Set<string> | null = null
  /** How many records had fields that are not in the header. */
  droppedRecords = 0
  /** The first field name left out, for the note. */
  firstDropped: string | null = null

  constructor(
    private readonly delimiter: string,
    columns: readonly string[] | null,
  ) {
    this.columns = columns
  }

  /** The text for one record: the header line first, on the first record. */
  record(record: unknown): string {
    let text = ''
    if (!this.started) {
      this.started = true
      if (this.columns === null && isObject(record)) this.columns = Object.keys(record)
      if (this.columns !== null) text += csvLine(this.columns, this.delimiter)
    }
    if (Array.isArray(record)) return text + csvLine(record, this.delimiter)
    if (!isObject(record)) return text + csvLine([record], this.delimiter)
    const columns = this.columns ?? []
    const values = new Array<unknown>(columns.length)
    for (let i = 0; i < columns.length; i++) values[i] = Object.hasOwn(record, columns[i]) ? record[columns[i]] : undefined
    this.noteExtraFields(record, columns)
    return text + csvLine(values, this.delimiter)
  }

  /** At the end: the header alone when there were no records but the columns were given. */
  end(): string {
    if (!this.started && this.columns !== null && this.columns.length > 0) {
      this.started = true
      return csvLine(this.columns, this.delimiter)
    }
    return ''
  }

  private noteExtraFields(record: Record<string, unknown>, columns: readonly string[]): void {
    const keys = Object.keys(record)
    // The usual case: the same keys in the same order as the header.
    if (keys.length === columns.length && keys.every((k, i) => k === columns[i])) return
    this.columnSet ??= new Set(columns)
    const set = this.columnSet
    const extra = keys.find((k) => !set.has(k))
    if (extra === undefined) return
    this.droppedRecords++
    this.firstDropped ??= extra
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
