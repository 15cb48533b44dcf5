import type { OutputFormat } from '../args'
import { CsvWriter } from './csv'

/** Turns records into output text, one call per record, plus whatever closes the output. */
export interface RecordFormatter {
  record(record: unknown): string
  end(): string
  /** A note for stderr about data the format could not hold, if any. */
  note(): string | null
}

/**
 * The formatter for `--to`: JSON Lines (one JSON value per line), a JSON array, or CSV/TSV with
 * a header row (from `columns` when `--select` named them, else from the first record's keys).
 */
export function formatterFor(format: OutputFormat, columns: readonly string[] | null): RecordFormatter {
  switch (format) {
    case 'jsonl':
      return {
        record: (r) => `${JSON.stringify(r) ?? 'null'}\n`,
        end: () => '',
        note: () => null,
      }
    case 'json': {
      let first = true
      return {
        record(r) {
          const text = `${first ? '[\n' : ',\n'}${JSON.stringify(r) ?? 'null'}`
          first = false
          return text
        },
        end: () => (first ? '[]\n' : '\n]\n'),
        note: () => null,
      }
    }
    case 'csv':
    case 'tsv': {
      const writer = new CsvWriter(format === 'csv' ? ',' : '\t', columns)
      return {
        record: (r) => writer.record(r),
        end: () => writer.end(),
        note: () =>
          writer.droppedRecords === 0
            ? null
            : `${writer.droppedRecords} record${writer.droppedRecords === 1 ? '' : 's'} had fields not in the ${format.toUpperCase()} header (first: ${JSON.stringify(writer.firstDropped)}); those fields were left out — use --select to choose the columns`,
      }
    }
  }
}
