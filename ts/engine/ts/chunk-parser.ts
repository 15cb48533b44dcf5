import type { ChunkParser, ChunkParseRequest, EngineBatch } from '../types'
import { type Inflater, makeInflater } from './inflater'
import { ParsedQueue } from './parsed-queue'
import { parserFor } from './parsers'
import { SlicedParser } from './sliced-parser'

/**
 * The TS engine's `ChunkParser`: the format's parser over the chunks, decompressed first when
 * they are compressed, a decompressed piece (at most 64 KiB) at a time, so that a chunk that
 * inflates a thousandfold is never held whole; each chunk or piece is parsed a slice at a time
 * (`sliced-parser.ts`), as the file reader parses its reads.
 */
export class TsChunkParser implements ChunkParser {
  private readonly queue = new ParsedQueue()
  private readonly slices: SlicedParser
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
    this.slices = new SlicedParser(parserFor(request.format)(request, this.queue), this.queue)
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
    const { queue, slices, inflater } = this
    // What one slice completes goes out at once: a byte stream may be a live feed, whose records
    // must not wait for a batch to fill.
    while (queue.isEmpty && !this.inputEnded) {
      if (slices.hasInput) {
        slices.parseSlice()
        continue
      }
      // The inflater's piece is read until the slices have used it up.
      if (inflater?.hasOutput()) {
        slices.feed(inflater.take())
        continue
      }
      const chunk = this.pending.shift()
      if (chunk !== undefined) {
        if (inflater === null) slices.feed(chunk)
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
        slices.parser.end()
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
    this.slices.clear()
  }
}
