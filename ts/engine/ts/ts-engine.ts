import type { Engine } from '../types'
import { TsFileReader } from './file-reader'

/** The pure-TypeScript engine: runs everywhere Node runs; the reference the native engine matches. */
export const tsEngine: Engine = {
  name: 'ts',
  openFile: (request) => new TsFileReader(request),
  // One read buffer, and the records of one read waiting in the queue (counted with the batch).
  readerMemoryBytes: (request) => request.bufferSize,
}
