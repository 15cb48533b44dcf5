import { constants, gzipSync, inflateRawSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { Gunzip } from '../../ts/engine/ts/gunzip'

/** What `Gunzip` makes of `input` pushed in pieces of `step` bytes, and the error at its end. */
function decode(input: Uint8Array, step: number): { length: number; error: string | null } {
  const gunzip = new Gunzip()
  let length = 0
  try {
    for (let at = 0; at < input.length; at += step) {
      gunzip.push(input.subarray(at, at + step))
      for (let piece = gunzip.next(); piece !== null; piece = gunzip.next()) length += piece.length
    }
    gunzip.finish()
  } catch (error) {
    return { length, error: (error as Error).message }
  }
  return { length, error: null }
}

describe('Gunzip', () => {
  // 256 KiB that compress 250-fold: a few input bytes make 64 KiB pieces of output.
  const content = Buffer.concat([Buffer.alloc(1 << 18, 'a'), Buffer.from('the end\n')])
  const gz = gzipSync(content)

  it('hands out everything a member cut short decodes to before saying it is cut short, wherever the cut', () => {
    // Every cut after the 10-byte header, and zlib itself, told to give what it has, to compare:
    // a cut where a piece of output fills up used to leave zlib's last bytes unread.
    for (let end = 11; end < gz.length - 8; end++) {
      const cut = gz.subarray(0, end)
      const expected = inflateRawSync(cut.subarray(10), { finishFlush: constants.Z_SYNC_FLUSH }).length
      for (const step of [1, 7, cut.length]) {
        expect(decode(cut, step), `cut at ${end}, pieces of ${step}`).toEqual({ length: expected, error: 'unexpected end of file: the gzip data is cut short' })
      }
    }
  })

  it('reads a whole member whatever the pieces', () => {
    for (const step of [1, 7, 100, gz.length]) expect(decode(gz, step)).toEqual({ length: content.length, error: null })
  })
})
