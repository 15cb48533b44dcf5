import type { ParseOptions } from '../engine/types'

/** Delimiters of CSV files that are read as one column when taken for commas. */
const LIKELY_DELIMITERS = [';', '\t', '|']

/**
 * The delimiter a CSV file with a header most likely uses when it was read with the default one
 * and came out as a single column: the header's one name and the first record's one value both
 * split on it into the same number (two or more) of fields — a `;`-delimited export read as
 * comma-separated. `null` when nothing suggests so. Such a file is read without an error (a CSV
 * of one column is valid), so the caller only warns.
 */
export function likelyDelimiter(first: unknown, parse: ParseOptions): string | null {
  if (!parse.header || first === null || typeof first !== 'object' || Array.isArray(first)) return null
  const names = Object.keys(first)
  if (names.length !== 1) return null
  const name = names[0]
  const value = (first as Record<string, unknown>)[name]
  if (typeof value !== 'string') return null
  for (const candidate of LIKELY_DELIMITERS) {
    if (candidate === parse.delimiter) continue
    const fields = name.split(candidate).length
    if (fields >= 2 && value.split(candidate).length === fields) return candidate
  }
  return null
}

/**
 * Emits `RINGSTREAM_ONE_COLUMN` when `first`, the first record of the CSV source `subject` (a
 * path, or words for chunks of bytes), suggests another delimiter (`likelyDelimiter`); returns
 * whether it did.
 */
export function warnIfOneColumn(first: unknown, parse: ParseOptions, subject: string): boolean {
  if (parse.format !== 'csv' && parse.format !== 'tsv') return false
  const delimiter = likelyDelimiter(first, parse)
  if (delimiter === null) return false
  const name = Object.keys(first as object)[0]
  const shown = delimiter === '\t' ? '\\t' : delimiter
  const fields = name.split(delimiter).length
  const message = `${subject} was read as one column, ${JSON.stringify(name)}, but its header and first record both split on '${shown}' into ${fields} fields: if it is '${shown}'-delimited, pass { delimiter: '${shown}' }`
  process.emitWarning(message, { code: 'RINGSTREAM_ONE_COLUMN' })
  return true
}
