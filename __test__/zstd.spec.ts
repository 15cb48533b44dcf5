import { describe, expect, it } from 'vitest'
import { RingstreamError, stream } from '../ts/index'
import { ENGINES } from './support/engines'
import { useTempDir } from './support/temp'

/**
 * A Zstandard frame made of raw (stored) blocks: valid zstd that any decoder must read, built
 * here so the test needs no compressor. Layout per RFC 8878: magic, a frame header with the
 * single-segment flag and a 4-byte content size, then blocks of at most 128 KiB.
 */
function zstdStored(content: Uint8Array): Uint8Array {
  const parts: number[] = [0x28, 0xb5, 0x2f, 0xfd, (2 << 6) | (1 << 5)]
  const size = content.length
  parts.push(size & 0xff, (size >>> 8) & 0xff, (size >>> 16) & 0xff, (size >>> 24) & 0xff)
  const maxBlock = 128 * 1024
  let offset = 0
  do {
    const n = Math.min(maxBlock, size - offset)
    const last = offset + n >= size ? 1 : 0
    const header = last | (0 << 1) | (n << 3)
    parts.push(header & 0xff, (header >>> 8) & 0xff, (header >>> 16) & 0xff)
    for (let i = 0; i < n; i++) parts.push(content[offset + i])
    offset += n
  } while (offset < size)
  return Uint8Array.from(parts)
}

describe('.zst files', () => {
  const tmp = useTempDir()
  const lines = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ id: i, name: `név ${i}` }))
  const text = `${lines.join('\n')}\n{bad\n`

  it.runIf(ENGINES.includes('native'))('are read by the native engine, with positions in the decompressed bytes', () => {
    const path = tmp.file('events.jsonl.zst', zstdStored(new TextEncoder().encode(text)))
    const errors: RingstreamError[] = []
    const records = [...stream(path, { engine: 'native', onError: (e) => void errors.push(e) })]
    expect(records).toHaveLength(5000)
    expect(records[4999]).toEqual({ id: 4999, name: 'név 4999' })
    expect(errors.map((e) => [e.code, (e as { line?: number }).line])).toEqual([['ERR_PARSE', 5001]])
  })

  it('are an ERR_UNSUPPORTED error on the TS engine, naming a way out', async () => {
    const path = tmp.file('events.jsonl.zst', zstdStored(new TextEncoder().encode(text)))
    const error = await stream(path, { engine: 'ts' })
      .toArray()
      .then(
        () => null,
        (e: unknown) => e,
      )
    expect(error).toBeInstanceOf(RingstreamError)
    expect((error as RingstreamError).code).toBe('ERR_UNSUPPORTED')
    expect((error as RingstreamError).hint).toContain("engine: 'native'")
  })

  it('still give metadata without a head sample on the TS side', async () => {
    const path = tmp.file('events.jsonl.zst', zstdStored(new TextEncoder().encode(text)))
    const meta = await stream(path, { engine: 'ts' }).metadata()
    expect(meta.compression).toBe('zstd')
    expect(meta.format).toBe('jsonl')
    expect(meta.estimatedRecords).toBeNull()
  })
})
