import type { EngineBatch, SourceFault } from '../types'
import type { ParseSink } from './format-parser'

/**
 * Collects what a parser finds and hands it out in batches of a given size, keeping faults in
 * their place between records. Holds at most one read chunk's worth of records beyond a batch.
 */
export class ParsedQueue implements ParseSink {
  private records: unknown[] = []
  private lines: number[] = []
  private offsets: number[] = []
  private faults: Array<SourceFault & { index: number }> = []

  record(value: unknown, line: number, byteOffset: number): void {
    this.records.push(value)
    this.lines.push(line)
    this.offsets.push(byteOffset)
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
    if (this.records.length <= max) {
      const batch: EngineBatch = { records: this.records, lines: this.lines, byteOffsets: this.offsets, first: 0, faults: this.faults }
      this.records = []
      this.lines = []
      this.offsets = []
      this.faults = []
      return batch
    }
    const records = this.records.splice(0, max)
    const lines = this.lines.splice(0, max)
    const byteOffsets = this.offsets.splice(0, max)
    let split = 0
    while (split < this.faults.length && this.faults[split].index <= max) split++
    const faults = this.faults.splice(0, split)
    for (const f of this.faults) f.index -= max
    return { records, lines, byteOffsets, first: 0, faults }
  }
}
