import { describe, expect, it } from 'vitest'
import { excerptOf } from '../../ts/engine/ts/excerpt'

function excerpt(bytes: Uint8Array | string): string {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
  return excerptOf(b, 0, b.length, b.length)
}

describe('excerpt', () => {
  it('shows a record of up to 80 bytes whole', () => {
    expect(excerpt('')).toBe('')
    expect(excerpt('a'.repeat(80))).toBe('a'.repeat(80))
  })

  it('shows the first 80 bytes of a longer record with …', () => {
    expect(excerpt('a'.repeat(81))).toBe(`${'a'.repeat(80)}…`)
  })

  it('cuts back to the start of a sequence the cut would split', () => {
    expect(excerpt(`${'a'.repeat(78)}\u00e9`)).toBe(`${'a'.repeat(78)}\u00e9`)
    expect(excerpt(`${'a'.repeat(79)}\u00e9`)).toBe(`${'a'.repeat(79)}…`)
    expect(excerpt(`${'a'.repeat(79)}\u00e9b`)).toBe(`${'a'.repeat(79)}…`)
    expect(excerpt(`${'a'.repeat(78)}\u00e9b`)).toBe(`${'a'.repeat(78)}\u00e9…`)
    expect(excerpt(`${'a'.repeat(77)}\u{1F600}`)).toBe(`${'a'.repeat(77)}…`)
    expect(excerpt(`${'a'.repeat(79)}\u{1F600}`)).toBe(`${'a'.repeat(79)}…`)
    expect(excerpt(`${'a'.repeat(76)}\u{1F600}b`)).toBe(`${'a'.repeat(76)}\u{1F600}…`)
  })

  it('decodes invalid bytes as U+FFFD and leaves stray continuation bytes where they are', () => {
    expect(excerpt(new Uint8Array([0x61, 0xff, 0x62]))).toBe('a\uFFFDb')
    const stray = new Uint8Array(100).fill(0x80)
    expect(excerpt(stray)).toBe(`${'\uFFFD'.repeat(80)}…`)
  })

  it('uses only the head it is given and the total length for …', () => {
    const head = Buffer.from('a'.repeat(81))
    expect(excerptOf(head, 0, 81, 1_000_000)).toBe(`${'a'.repeat(80)}…`)
    expect(excerptOf(Buffer.from('xxabc'), 2, 5, 3)).toBe('abc')
  })
})
