import type { EngineBatch, SourceFault } from '../types'
import type { ParseSink } from './format-parser'

/**
 * Collects what a parser finds and hands it out in batches of a given size, keeping faults in
 * their place between records. Holds at most one read chunk's worth of records beyond a batch.
 */
export class ParsedQueue implements ParseSink {
  private records: unknown[] = []
  /**
   * Positions of `records`, `[0, records.length)`, in arrays kept from batch to batch: a batch's
   * positions need to last only until the next batch is asked for (`EngineBatch`), so two pairs
   * take turns, and a position is a store at an index of an array already grown rather than a
   * push onto a new one (growing new arrays and `push` calls were 8% of the TS engine's W1 over
   * narrow.csv).
   */
  private lines: number[] = []
  private offsets: number[] = []
  private spareLines: number[] = []
  private spareOffsets: number[] = []
  private faults: Array<SourceFault & { index: number }> = []

  record(value: unknown, line: number, byteOffset: number): void {
    const at = this.records.length
    this.records.push(value)
    this.lines[at] = line
    this.offsets[at] = byteOffset
  }

  fault(fault: SourceFault): void {
    this.faults.push({ ...fault, index: this.records.length })
  }

  /** Records waiting to be taken. */
  get size(): number {
    return this.records.length
  }

  get isEmpty(): boolean {
    return this.records.length === 0 && this.faults.length === 0
  }

  /** Up to `max` records and the faults that come before the next record left behind. */
  take(max: number): EngineBatch {
    const { lines, offsets } = this
    if (this.records.length <= max) {
      const batch: EngineBatch = { records: this.records, lines, byteOffsets: offsets, first: 0, faults: this.faults }
      this.records = []
      this.faults = []
      this.turnPositions(0)
      return batch
    }
    const records = this.records.splice(0, max)
    let split = 0
    while (split < this.faults.length && this.faults[split].index <= max) split++
    const faults = this.faults.splice(0, split)
    for (const f of this.faults) f.index -= max
    this.turnPositions(max)
    return { records, lines, byteOffsets: offsets, first: 0, faults }
  }

  /** Hands the positions to the batch going out and carries those of the records after `taken` over to the spare pair, which becomes the current one. */
  private turnPositions(taken: number): void {
    const { lines, offsets, spareLines, spareOffsets } = this
    const left = this.records.length
    for (let i = 0; i < left; i++) {
      spareLines[i] = lines[taken + i]
      spareOffsets[i] = offsets[taken + i]
    }
    this.lines = spareLines
    this.offsets = spareOffsets
    this.spareLines = lines
    this.spareOffsets = offsets
  }
}
