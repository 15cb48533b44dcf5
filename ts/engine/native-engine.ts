import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { decompressionHint } from '../error-messages'
import { loadBinding } from './load-binding'
import { call, type NativeBinding, nativeOptions } from './native/binding'
import { NativeChunkParser } from './native/chunk-parser'
import { NativeFileReader } from './native/file-reader'
import type { Engine } from './types'

export type NativeLoad = { engine: Engine; reason: null } | { engine: null; reason: string }

/**
 * Loads the native engine if this package carries a binary for the running platform. The
 * result is the same for the whole process (the binary either loads or it does not), so it is
 * computed once; `require` caches the module itself.
 */
export function loadNativeEngine(): NativeLoad {
  if (loaded === undefined) loaded = tryLoad()
  return loaded
}

let loaded: NativeLoad | undefined

function tryLoad(): NativeLoad {
  const bindingPath = findBinding()
  if (bindingPath === null) return { engine: null, reason: 'this copy of ringstream has no native/binding.js (build it with `npm run build:native`)' }
  let binding: NativeBinding
  try {
    binding = loadBinding(bindingPath) as NativeBinding
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error)
    return { engine: null, reason: `no native binary loads for ${process.platform}-${process.arch}: ${message}` }
  }
  return {
    engine: {
      name: 'native',
      openFile: (request) => new NativeFileReader(binding, request),
      readerMemoryBytes: (request, averageRecordBytes) => binding.nativeMemoryBytes(nativeOptions(request), averageRecordBytes),
      // Decompressed natively: the TS decoders took 20–80 ms of a compressed file's first record.
      headLines: (path, compression, limitBytes, enoughLines) =>
        call(() => binding.nativeHeadLines(path, compression, limitBytes, enoughLines), compression === 'none' ? null : decompressionHint(compression)),
      headBytes: (path, compression, limitBytes) =>
        call(() => binding.nativeHeadBytes(path, compression, limitBytes), compression === 'none' ? null : decompressionHint(compression)),
      decodedLength: (compression, compressed, limit) => binding.nativeDecodedLength(compression, compressed, limit),
      openChunks: (request) => new NativeChunkParser(binding, request),
    },
    reason: null,
  }
}

/** `native/binding.js` of this package, found from this file whether it runs from `ts/` or `dist/`. */
function findBinding(): string | null {
  let dir = __dirname
  for (let depth = 0; depth < 4; depth++) {
    const candidate = join(dir, 'native', 'binding.js')
    if (existsSync(candidate)) return candidate
    dir = dirname(dir)
  }
  return null
}
