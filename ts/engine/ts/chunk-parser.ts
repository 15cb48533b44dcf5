import type { ChunkParser, ChunkParseRequest, EngineBatch } from '../types'
import { type Inflater, makeInflater } from './inflater'
import { ParsedQueue } from './parsed-queue'
import { parserFor } from './parsers'

/**
 * The TS engine's `ChunkParser`: the format's parser over the chunks, decompressed first when
 * they are compressed, a decompressed piece (at most 64 KiB) at a time, so that a chunk that
 * inflates a thousandfold is never held whole.
 */
export class TsChunkParser implements ChunkParser {
  private readonly queue = new ParsedQueue()
  private readonly parser: { push(chunk: Uint8Array): void; end(): void }
  private readonly inflater: Inflater | null
  /** Chunks pushed and not yet handed to the parser or the inflater. */
  private readonly pending: Uint8Array[] = []
  private ended = false
  /** The inflater was told the chunks have ended. */
  private finishing = false
  /** Every byte has reached the parser, and the parser has ended. */
  private inputEnded = false
  awaitsInput = false
  /** Chunks are parsed as batches are asked for: none is wanted before then. */
  readonly wantsInput = false

  constructor(private readonly request: ChunkParseRequest) {
    this.parser = parserFor(request.format)(request, this.queue)
    this.inflater = request.compression === 'none' ? null : makeInflater(request.compression, null)
  }

  push(chunk: Uint8Array): void {
    this.pending.push(chunk)
  }

  end(): void {
    this.ended = true
  }

  next(): EngineBatch | null {
    this.awaitsInput = false
    const { queue, parser, inflater } = this
    // What one chunk (or one decompressed piece) completes goes out at once: a byte stream may
    // be a live feed, whose records must not wait for a batch to fill.
    while (queue.isEmpty && !this.inputEnded) {
      if (inflater?.hasOutput()) {
        parser.push(inflater.take())
        continue
      }
      const chunk = this.pending.shift()
      if (chunk !== undefined) {
        if (inflater === null) parser.push(chunk)
        else inflater.push(chunk)
      } else if (!this.ended) {
        this.awaitsInput = true
        return null
      } else if (!this.finishing) {
        this.finishing = true
        // Input cut inside a compressed frame is an error here; what the end still flushes comes out next.
        inflater?.finish()
      } else {
        this.inputEnded = true
        parser.end()
      }
    }
    return queue.isEmpty ? null : queue.take(this.request.batchSize)
  }

  ready(): boolean {
    return true
  }

  whenReady(): Promise<void> {
    return Promise.resolve()
  }

  close(): void {
    this.pending.length = 0
  }
}
