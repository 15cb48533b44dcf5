import type { Compression, Format } from '../engine/types'

/** What a file's name says about its contents. */
export interface FileKind {
  format: Format | null
  compression: Compression
}

const FORMAT_BY_EXTENSION: Record<string, Format> = {
  jsonl: 'jsonl',
  ndjson: 'jsonl',
  csv: 'csv',
  tsv: 'tsv',
  tab: 'tsv',
  json: 'json',
}

const COMPRESSION_BY_EXTENSION: Record<string, Compression> = { gz: 'gzip', zst: 'zstd' }

/** `events.jsonl.gz` → `{ format: 'jsonl', compression: 'gzip' }`; unknown extensions give `format: null`. */
export function fileKind(path: string): FileKind {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase()
  const parts = name.split('.')
  let compression: Compression = 'none'
  if (parts.length > 2 && Object.hasOwn(COMPRESSION_BY_EXTENSION, parts[parts.length - 1])) {
    compression = COMPRESSION_BY_EXTENSION[parts.pop() as string]
  } else if (parts.length === 2 && Object.hasOwn(COMPRESSION_BY_EXTENSION, parts[1])) {
    return { format: null, compression: COMPRESSION_BY_EXTENSION[parts[1]] }
  }
  const ext = parts.length > 1 ? parts[parts.length - 1] : ''
  return { format: Object.hasOwn(FORMAT_BY_EXTENSION, ext) ? FORMAT_BY_EXTENSION[ext] : null, compression }
}

/** Whether a file in a dataset folder is data (as opposed to `_SUCCESS`, `.crc`, a manifest, …). */
export function isDataFileName(name: string, anyExtension = false): boolean {
  if (name.startsWith('.') || name.startsWith('_') || name === MANIFEST_FILE) return false
  return anyExtension || fileKind(name).format !== null
}

/** The optional manifest of a dataset folder. */
export const MANIFEST_FILE = 'ringstream.json'

/** Extensions tried, in order, when a dataset name is looked up in a catalog. */
export const CATALOG_EXTENSIONS = ['jsonl', 'ndjson', 'csv', 'tsv', 'json'].flatMap((ext) => [ext, `${ext}.gz`, `${ext}.zst`])
