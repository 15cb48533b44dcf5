import type { Format } from '../types'
import { createCsvParser } from './csv-parser'
import type { FormatParserFactory } from './format-parser'
import { createJsonArrayParser } from './json-array-parser'
import { createJsonlParser } from './jsonl-parser'

const FACTORIES: Record<Format, FormatParserFactory> = {
  jsonl: createJsonlParser,
  // TSV differs from CSV only in `options.delimiter`, which the facade sets.
  csv: createCsvParser,
  tsv: createCsvParser,
  json: createJsonArrayParser,
}

/** The pure-TypeScript parser of `format`. */
export function parserFor(format: Format): FormatParserFactory {
  return FACTORIES[format]
}
