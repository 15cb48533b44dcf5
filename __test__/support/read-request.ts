import type { FileReadRequest } from '../../ts/engine/types'

/** A request to open `path` straight from an engine, as the facade would make it: CSV defaults, 1 MiB buffer and record limit. */
export function fileReadRequest(path: string, overrides: Partial<FileReadRequest> = {}): FileReadRequest {
  return {
    path,
    format: 'csv',
    compression: 'none',
    header: true,
    delimiter: ',',
    quote: '"',
    types: 'string',
    maxRecordBytes: 1 << 20,
    batchSize: 1 << 20,
    bufferSize: 1 << 20,
    ...overrides,
  }
}
