import { describe, expect, it } from 'vitest'
import { csvRecordMaker, csvTextRecordMaker, csvTypedRecordMaker, jsonShape } from '../ts/engine/record-makers'
import { FALSE, JSON_VALUE, NULL, NUMBER, TEXT, TRUE } from '../ts/engine/value-kinds'

describe('record constructors', () => {
  it('are made once per shape or header and kept for the next file', () => {
    const description = '[1,"id",0,"geo",[1,"x",0],"tags",[2,0,0]]'
    expect(jsonShape(description)).toBe(jsonShape(description))
    expect(jsonShape('[1,"id",0]')).not.toBe(jsonShape('[1,"ID",0]'))
    expect(csvRecordMaker(['a', 'b'], 2)).toBe(csvRecordMaker(['a', 'b'], 2))
    expect(csvRecordMaker(['a', 'b'], 2)).not.toBe(csvRecordMaker(null, 2))
    expect(csvTextRecordMaker(['a'], 1, 1)).not.toBe(csvTextRecordMaker(['a'], 1, 0))
    expect(csvTypedRecordMaker(['a', 'b'], 2)).toBe(csvTypedRecordMaker(['a', 'b'], 2))
  })

  it('are not kept for a header too long to use as a key', () => {
    const names = Array.from({ length: 900 }, (_, k) => `a fairly long column name ${k}`)
    expect(csvRecordMaker(names, names.length)).not.toBe(csvRecordMaker(names, names.length))
  })

  it('build typed records from the columns, each value by its own kind', () => {
    const shape = jsonShape('[1,"t",0,"n",0,"y",0,"f",0,"z",0,"j",0,"deep",[2,0,0]]')
    // Values' text end to end: "a" and "[1,2]" and "b"; the numbers 7 and 8.
    const source = 'a[1,2]b'
    const ends = Uint32Array.from([1, 1, 1, 1, 1, 6, 6, 7])
    // The kinds lie elsewhere than the ends, as in an arena: from index 3 here.
    const kinds = Uint8Array.from([NUMBER, NUMBER, NUMBER, TEXT, NUMBER, TRUE, FALSE, NULL, JSON_VALUE, NUMBER, TEXT])
    const cursor = { next: 0 }
    const record = shape.fromColumns?.(source, ends, 0, 0, kinds, 3, Float64Array.from([7, 8]), cursor, 0, JSON.parse)
    expect(record).toEqual({ t: 'a', n: 7, y: true, f: false, z: null, j: [1, 2], deep: [8, 'b'] })
    expect(cursor.next).toBe(2)
    expect(shape.width).toBe(8)
  })
})
