import { decompressionHint, type IoHint } from '../../error-messages'
import type { ChunkParser, ChunkParseRequest, EngineBatch } from '../types'
import { call, type NativeBinding, type NativeChunkParserHandle, nativeOptions } from './binding'
import type { BatchChunks } from './chunks'
import { createBatchDecoder } from './handoff'

/**
 * Chunks of bytes that are not a file's, parsed by the core on this thread as they are pushed
 * (src/chunk_parser.rs); batches cross in columns and are built a chunk of records at a time,
 * as a file's are.
 */
export class NativeChunkParser implements ChunkParser {
  private readonly handle: NativeChunkParserHandle
  private readonly decode = createBatchDecoder()
  private chunks: BatchChunks | null = null
  /** The memory the last batch was copied into, handed back for the next (see `NativeFileReader`). */
  private arena: ArrayBuffer | null = null
  private readonly ioHint: IoHint | null

  constructor(binding: NativeBinding, request: ChunkParseRequest) {
    const { compression } = request
    // Named as the TS engine names them in its errors.
    const path = `the input stream's ${compression} bytes`
    this.ioHint = compression === 'none' ? null : decompressionHint(compression, 'stream')
    const options = { ...nativeOptions({ ...request, path, bufferSize: CHUNK_BUFFER_BYTES }), handoff: 'columnar' as const }
    this.handle = call(() => new binding.NativeChunkParser(options), this.ioHint)
  }

  get awaitsInput(): boolean {
    return this.chunks === null && this.handle.awaitsInput
  }

  push(chunk: Uint8Array): void {
    this.handle.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
  }

  end(): void {
    this.handle.end()
  }

  next(): EngineBatch | null {
    for (;;) {
      const chunk = this.chunks?.next() ?? null
      if (chunk !== null) return chunk
      this.chunks = null
      const batch = call(() => this.handle.nextBatch(this.arena), this.ioHint)
      if (batch === null) return null
      this.arena = batch.arena
      this.chunks = this.decode(batch)
    }
  }
}

/** The core's read buffer for pushed chunks: a chunk is parsed this much at a time. */
const CHUNK_BUFFER_BYTES = 64 << 10
