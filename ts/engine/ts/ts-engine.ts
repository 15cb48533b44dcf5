import type { Compression, Engine } from '../types'
import { TsFileReader } from './file-reader'
import { TsChunkParser } from './chunk-parser'
import { decodedLength } from './decoded-length'
import { headBytes, headLines } from './head-lines'

/** The pure-TypeScript engine: runs everywhere Node runs; the reference the native engine matches. */
export const tsEngine: Engine = {
  name: 'ts',
  openFile: (request) => new TsFileReader(request),
  // One read buffer and the decompressor's state; the records of one read waiting in the queue
  // are counted with the batch.
  readerMemoryBytes: (request) => request.bufferSize + DECOMPRESSOR_BYTES[request.compression],
  headLines,
  headBytes,
  decodedLength,
  openChunks: (request) => new TsChunkParser(request),
}

/**
 * What a decompressor holds: for gzip, zlib's 32 KiB window and one 64 KiB piece of output; for
 * zstd, the window of levels 1 to 19 (8 MiB; a frame may ask for up to 128 MiB), the block being
 * gathered and fzstd's two block buffers (128 KiB each). The native engine counts the same.
 */
const DECOMPRESSOR_BYTES: Record<Compression, number> = {
  none: 0,
  gzip: 96 << 10,
  zstd: (8 << 20) + (384 << 10),
}
