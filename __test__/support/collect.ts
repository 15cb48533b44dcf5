import { expect } from 'vitest'
import { type ItemError, type StreamOptions, stream } from '../../ts/index'

/** What one pass over a file gave: its items, and the item errors an `onError` handler saw. */
export interface Outcome {
  items: unknown[]
  errors: ItemError[]
}

/** A comparable summary of an item error. */
export interface ErrorSummary {
  code: string
  line: number | null
  byteOffset: number | null
}

export function summarize(errors: readonly ItemError[]): ErrorSummary[] {
  return errors.map((e) => ({ code: e.code, line: e.line, byteOffset: e.byteOffset }))
}

/**
 * Reads `source` with `for…of` and again with `for await…of`, each time collecting item errors
 * through an `onError` handler that drops the record, and checks that both passes agree.
 */
export async function readAll(source: string | readonly string[], options: StreamOptions): Promise<Outcome> {
  const syncErrors: ItemError[] = []
  const syncItems = [...stream<unknown>(source, { ...options, onError: (e) => void syncErrors.push(e) })]
  const asyncErrors: ItemError[] = []
  const asyncItems = await stream<unknown>(source, { ...options, onError: (e) => void asyncErrors.push(e) }).toArray()
  expect(asyncItems).toEqual(syncItems)
  expect(summarize(asyncErrors)).toEqual(summarize(syncErrors))
  return { items: syncItems, errors: syncErrors }
}

/**
 * Reads `path` with `for…of`, skipping bad records, until the end or an error that ends the
 * iteration (a damaged compressed file): the records read before it, and the error (`null` for none).
 */
export function readUntilError(path: string, options: StreamOptions): { records: unknown[]; error: unknown } {
  const records: unknown[] = []
  try {
    for (const record of stream(path, { ...options, onError: () => undefined })) records.push(record)
  } catch (error) {
    return { records, error }
  }
  return { records, error: null }
}
