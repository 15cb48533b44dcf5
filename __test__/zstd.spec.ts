import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { type RingstreamError, stream } from '../ts/index'
import { readUntilError } from './support/collect'
import { ENGINES } from './support/engines'
import { codeOf, rejectionOf } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'
import { skippable, zstdOverlongMatches, zstdStored } from './support/zstd-frames'

/** Files written by the zstd tool (`fixtures/make-zstd-fixtures.sh`), next to the texts they hold. */
const FIXTURES = join(__dirname, 'fixtures')
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name))

const MAGIC = [0x28, 0xb5, 0x2f, 0xfd]

const text = (s: string) => new TextEncoder().encode(s)

describe.each(ENGINES)('.zst files (%s engine)', (engine) => {
  const tmp = useTempDir()
  const readAll = (path: string, bufferSize?: number) => [...stream(path, { engine, bufferSize })]

  it.each(['events.jsonl.zst', 'events.fast.jsonl.zst', 'events.nocheck.jsonl.zst'])(
    'reads %s, as the zstd tool wrote it, record for record as its text',
    async (name) => {
      const expected = readAll(join(FIXTURES, 'events.jsonl'))
      expect(expected).toHaveLength(1100)
      expect(readAll(join(FIXTURES, name))).toEqual(expected)
      expect(readAll(join(FIXTURES, name), 100)).toEqual(expected)
      expect(await stream(join(FIXTURES, name), { engine }).toArray()).toEqual(expected)
    },
  )

  it('reads a .csv.zst file, quoted line breaks and CRLF included', () => {
    const expected = readAll(join(FIXTURES, 'events.csv'))
    expect(expected).toHaveLength(500)
    expect(readAll(join(FIXTURES, 'events.csv.zst'), 64)).toEqual(expected)
  })

  it('reads every frame, passing over skippable ones, whichever way reads split them', async () => {
    const frame = fixture('events.csv.zst')
    const path = tmp.file('frames.csv.zst', Buffer.concat([frame, skippable(text('not csv, skipped')), zstdStored(text('1,buy,u1,2.5,last\n'))]))
    const expected = readAll(join(FIXTURES, 'events.csv'))
    expected.push({ id: '1', kind: 'buy', user: 'u1', amount: '2.5', note: 'last' })
    // Reads of the first frame's length end there; one byte at a time ends everywhere.
    for (const bufferSize of [frame.length, 1, 7]) {
      expect(readAll(path, bufferSize), `bufferSize ${bufferSize}`).toEqual(expected)
    }
    expect(await stream(path, { engine, bufferSize: 1 }).toArray()).toEqual(expected)
  })

  it('reads frames without a checksum, an empty frame and a file of a skippable frame first', () => {
    const path = tmp.file('mixed.jsonl.zst', Buffer.concat([skippable(new Uint8Array(3)), zstdStored(text('{"id":0}\n'), { checksum: false }), zstdStored(new Uint8Array(0)), zstdStored(text('{"id":1}\n'))]))
    expect(readAll(path)).toEqual(ids(2))
  })

  it('reports line and byte positions in the decompressed bytes', async () => {
    const path = tmp.file('bad.jsonl.zst', zstdStored(text('{"id":0}\nbroken\n')))
    const errors: Array<[number | null, number | null]> = []
    await stream(path, { engine, onError: (e) => void errors.push([e.line, e.byteOffset]) }).toArray()
    expect(errors).toEqual([[2, 9]])
  })

  it('estimates records from the whole blocks at its head, not a block cut by the sample', async () => {
    // Frames of raw blocks, ~40 KiB each: the 64 KiB measured hold one whole and part of the next.
    const records = ids(12_000)
    const frames = Array.from({ length: 4 }, (_, k) => zstdStored(text(jsonl(records.slice(k * 3000, (k + 1) * 3000)))))
    expect(frames[0].length).toBeGreaterThan(32 * 1024)
    const path = tmp.file('frames.jsonl.zst', Buffer.concat(frames))
    const estimate = (await stream(path, { engine }).metadata()).estimatedRecords as number
    expect(Math.abs(estimate - records.length) / records.length).toBeLessThan(0.1)
  })

  it('gives metadata from a head sample', async () => {
    const meta = await stream(join(FIXTURES, 'events.jsonl.zst'), { engine }).metadata()
    expect(meta.compression).toBe('zstd')
    expect(meta.format).toBe('jsonl')
    expect(meta.averageRecordBytes).toBeGreaterThan(100)
    // From how well the head compresses.
    expect(Math.abs((meta.estimatedRecords as number) - 1100) / 1100).toBeLessThan(0.1)
    // The decoder's window (8 MiB at the usual levels) is most of what a reader holds.
    expect(meta.memoryEstimateMb).toBeGreaterThanOrEqual(8)
  })

  describe('a .zst file that is not intact is an ERR_IO error, after the records before the damage', () => {
    // Past the head that a read samples first (64 KiB), so the engine's own reader meets the damage.
    const count = 20000
    const body = text(jsonl(ids(count)))
    // zstdStored writes single-segment frames: magic, descriptor, then the 4-byte content size.
    const CONTENT_SIZE_AT = 5

    const checksum = "Restored data doesn't match checksum: the checksum of a frame does not match: its bytes are damaged"
    const damaged = 'Data corruption detected: the zstd data is damaged'
    const cut = 'incomplete frame: the zstd data is cut short'
    const trailing = 'Unknown frame descriptor: the bytes after a zstd frame are not another frame'

    // The same words from both engines (zstd_words.rs, zstd-failure-text.ts).
    it.each([
      [
        'a changed byte (checksum)',
        checksum,
        () => {
          const zst = zstdStored(body)
          const at = zst.indexOf(Buffer.from('"id":15000'))
          zst[at + 6] = '7'.charCodeAt(0)
          return zst
        },
      ],
      [
        'a changed checksum',
        checksum,
        () => {
          const zst = zstdStored(body)
          zst[zst.length - 1] ^= 0xff
          return zst
        },
      ],
      [
        'a content size one byte short',
        'Destination buffer is too small: a frame holds more bytes than its header declares',
        () => {
          const zst = zstdStored(body)
          zst.writeUInt32LE(zst.readUInt32LE(CONTENT_SIZE_AT) - 1, CONTENT_SIZE_AT)
          return zst
        },
      ],
      [
        'a content size one byte long',
        damaged,
        () => {
          const zst = zstdStored(body)
          zst.writeUInt32LE(zst.readUInt32LE(CONTENT_SIZE_AT) + 1, CONTENT_SIZE_AT)
          return zst
        },
      ],
      ['a cut end', cut, () => zstdStored(body).subarray(0, -5)],
      ['a cut header', cut, () => zstdStored(body).subarray(0, 7)],
      ['trailing zeros', trailing, () => Buffer.concat([zstdStored(body), Buffer.alloc(16)])],
      ['trailing text', trailing, () => Buffer.concat([zstdStored(body), Buffer.from('not zstd\n')])],
      ['no bytes at all', 'incomplete frame: the input is empty', () => Buffer.alloc(0)],
      ['text, not zstd', "not zstd data: it starts with 7b 22 69 64 ('{\"id'), and a zstd frame starts with 28 b5 2f fd", () => Buffer.from(jsonl(ids(3)))],
      ['a reserved block type', damaged, () => Buffer.from([...MAGIC, 0x20, 0x09, 0x01 | (3 << 1) | (9 << 3), 0x00, 0x00, ...text('{"id":0}\n')])],
      ['a block over 128 KiB', damaged, () => Buffer.from([...MAGIC, 0x00, 7 << 3, 0x01 | ((200_000 & 0x1f) << 3), (200_000 >> 5) & 0xff, (200_000 >> 13) & 0xff])],
      // A header is judged before the bytes it claims are looked for, as zstd judges it.
      ['a block past the end that is larger than the window', damaged, () => Buffer.from([...MAGIC, 0x20, 0x09, 0x01 | ((20_000 & 0x1f) << 3), (20_000 >> 5) & 0xff, (20_000 >> 13) & 0xff])],
      // An RLE block holds one byte whatever size it gives: the size is judged with that byte.
      ['an RLE block over 128 KiB', damaged, () => Buffer.from([...MAGIC, 0x00, 7 << 3, 0x01 | (1 << 1) | ((200_000 & 0x1f) << 3), (200_000 >> 5) & 0xff, (200_000 >> 13) & 0xff, 0x78])],
      ['a cut RLE block over 128 KiB', cut, () => Buffer.from([...MAGIC, 0x00, 7 << 3, 0x01 | (1 << 1) | ((200_000 & 0x1f) << 3), (200_000 >> 5) & 0xff, (200_000 >> 13) & 0xff])],
      ['a reserved bit in the frame header', 'Unsupported frame parameter: a frame header sets a bit that zstd reserves', () => Buffer.from([...MAGIC, 0x28, 0x09, 0x01, 0x00, 0x00])],
      ['a cut frame header with a reserved bit', cut, () => Buffer.from([...MAGIC, 0x28])],
    ])('%s', (name, reason, bytes) => {
      const path = tmp.file(`damaged-${name.replace(/\W+/g, '-')}.jsonl.zst`, bytes())
      const { records, error } = readUntilError(path, { engine })
      expect(codeOf(error), name).toBe('ERR_IO')
      expect((error as Error).message.split('\n')[0]).toBe(`cannot decompress ${path}: ${reason}`)
      // What to try follows from what went wrong.
      const hint = (error as RingstreamError).hint
      if (name === 'no bytes at all') expect(hint).toBe('the file is empty: whatever wrote it wrote nothing')
      else if (name === 'text, not zstd') expect(hint).toBe("if it is not compressed, pass { compression: 'none' }")
      else if (name.startsWith('a cut')) expect(hint).toBe('the file stops part way, as a download or copy that was cut off does; check it with zstd -t, and fetch it again')
      else expect(hint).toBe("the file's bytes are damaged; check it with zstd -t, and fetch an intact copy")
      // What came before the damage is read (the changed record with it: the checksum comes at
      // the frame's end); nothing else is made up.
      expect(records.length).toBeLessThanOrEqual(count)
      expect(records).toEqual(ids(records.length).map((r) => (r.id === 15000 ? records[15000] : r)))
      // Both engines hand over every block of a frame whose checksum (checked at its end) fails.
      if (name.includes('checksum')) expect(records.length).toBe(count)
    })

    it('is a compressed block whose sequences make more than a block holds, refused before they are run', () => {
      // 20,000 matches of 128 KiB: run one by one, they kept the TS engine busy for minutes.
      const path = tmp.file('overlong.jsonl.zst', Buffer.concat([zstdStored(body), zstdOverlongMatches(20_000)]))
      const { records, error } = readUntilError(path, { engine })
      expect(codeOf(error)).toBe('ERR_IO')
      expect((error as Error).message.split('\n')[0]).toBe(`cannot decompress ${path}: Data corruption detected: the zstd data is damaged`)
      expect(records).toEqual(ids(count))
    })

    it('is damaged Huffman weights that would never run out, refused at once', () => {
      // One changed byte in the first block's Huffman tree description: fzstd looped for ever.
      const damaged = fixture('events.nocheck.jsonl.zst')
      damaged[17] ^= 0x80
      const path = tmp.file('endless-weights.jsonl.zst', damaged)
      const { records, error } = readUntilError(path, { engine })
      expect(records).toEqual([])
      expect((error as Error).message.split('\n')[0]).toBe(`cannot decompress ${path}: Data corruption detected: the zstd data is damaged`)
    })

    it('is damage in a compressed block too', () => {
      const zst = fixture('events.jsonl.zst')
      for (const at of [20, Math.floor(zst.length / 2), zst.length - 6]) {
        const damaged = Buffer.from(zst)
        damaged[at] ^= 0x5a
        const path = tmp.file(`flipped-${at}.jsonl.zst`, damaged)
        const { error } = readUntilError(path, { engine })
        expect(codeOf(error), `byte ${at}`).toBe('ERR_IO')
        // zstd's words on either engine, whichever part of the reader found the damage.
        expect((error as Error).message, `byte ${at}`).toMatch(/Data corruption detected|doesn't match checksum|Destination buffer is too small/)
      }
    })
  })

  it('refuses a frame that needs a window over 128 MiB, as zstd does by default', async () => {
    // Window descriptor: exponent 18, so 2^28 bytes; then an empty last raw block.
    const path = tmp.file('wide-window.jsonl.zst', Buffer.from([...MAGIC, 0x00, 18 << 3, 0x01, 0x00, 0x00]))
    const error = await rejectionOf(stream(path, { engine }).toArray())
    expect(codeOf(error)).toBe('ERR_IO')
    expect((error as Error).message.split('\n')[0]).toBe(
      `cannot decompress ${path}: Frame requires too much memory for decoding: a frame needs a window over 128 MiB, the most zstd decodes unless given --memory`,
    )
  })

  it('refuses a frame that needs a dictionary', async () => {
    const path = tmp.file('dictionary.jsonl.zst', Buffer.from([...MAGIC, 0x21, 0x07, 0x00, 0x01, 0x00, 0x00]))
    const error = await rejectionOf(stream(path, { engine }).toArray())
    expect(codeOf(error)).toBe('ERR_IO')
    expect((error as Error).message.split('\n')[0]).toBe(`cannot decompress ${path}: Dictionary mismatch: a frame needs a zstd dictionary, which ringstream does not take`)
  })
})
