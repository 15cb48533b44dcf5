import { describe, expect, it } from 'vitest'
import { ParsedQueue } from '../../ts/engine/ts/parsed-queue'
import type { EngineBatch } from '../../ts/engine/types'

/** A batch's records with their positions, as the iteration reads them. */
function positioned(batch: EngineBatch): Array<[unknown, number, number]> {
  return batch.records.map((record, i) => [record, batch.lines[batch.first + i], batch.byteOffsets[batch.first + i]])
}

describe('ParsedQueue', () => {
  it('keeps each record with its position across batches that leave records behind', () => {
    const queue = new ParsedQueue()
    const fault = { code: 'ERR_FIELD_COUNT' as const, line: 0, byteOffset: 0, excerpt: '', detail: '' }
    for (let i = 0; i < 10; i++) {
      if (i === 6) queue.fault({ ...fault, line: 1000 })
      queue.record(`r${i}`, i + 1, i * 10)
    }
    const first = queue.take(4)
    expect(positioned(first)).toEqual([0, 1, 2, 3].map((i) => [`r${i}`, i + 1, i * 10]))
    expect(first.faults).toEqual([])
    for (let i = 10; i < 13; i++) queue.record(`r${i}`, i + 1, i * 10)
    const second = queue.take(5)
    expect(positioned(second)).toEqual([4, 5, 6, 7, 8].map((i) => [`r${i}`, i + 1, i * 10]))
    expect(second.faults.map((f) => [f.line, f.index])).toEqual([[1000, 2]])
    const third = queue.take(100)
    expect(positioned(third)).toEqual([9, 10, 11, 12].map((i) => [`r${i}`, i + 1, i * 10]))
    expect(queue.isEmpty).toBe(true)
    queue.record('last', 99, 990)
    expect(positioned(queue.take(1))).toEqual([['last', 99, 990]])
  })

  it('hands out records in arrays of their own, which later records do not touch', () => {
    const queue = new ParsedQueue()
    queue.record('a', 1, 0)
    const batch = queue.take(10)
    queue.record('b', 2, 5)
    queue.take(10)
    expect(batch.records).toEqual(['a'])
  })
})
