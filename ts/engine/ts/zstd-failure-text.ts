/**
 * What a zstd decoding failure means, after zstd's own name for it (`ZSTD_getErrorName`), as the
 * engines word it: the native engine's decoder (libzstd) gives only the name, the TS engine's
 * frame walker (`unzstd.ts`) finds the same failures, and both say the same thing through this
 * function and `zstd_failure_text` in the core's `zstd_words.rs`. `inputEmpty`: not one byte came.
 * A name without a meaning here is returned as it is.
 */
export function zstdFailureText(name: string, inputEmpty: boolean): string {
  // No dictionary is ever given, so libzstd's word for damaged entropy tables in a block can only
  // mean damaged data, which is what the TS walker calls it.
  if (name === 'Dictionary is corrupted') return zstdFailureText('Data corruption detected', inputEmpty)
  const meaning = MEANINGS[name]
  if (name === INCOMPLETE_FRAME) return `${name}: ${inputEmpty ? 'the input is empty' : 'the zstd data is cut short'}`
  return meaning === undefined ? name : `${name}: ${meaning}`
}

/** Where the decoder ran out of input inside a frame (or before the first), in the words of the zstd crate's reader. */
export const INCOMPLETE_FRAME = 'incomplete frame'

const MEANINGS: Readonly<Record<string, string>> = {
  "Restored data doesn't match checksum": 'the checksum of a frame does not match: its bytes are damaged',
  'Data corruption detected': 'the zstd data is damaged',
  'Unknown frame descriptor': 'the bytes after a zstd frame are not another frame',
  'Unsupported frame parameter': 'a frame header sets a bit that zstd reserves',
  'Frame requires too much memory for decoding': 'a frame needs a window over 128 MiB, the most zstd decodes unless given --memory',
  'Dictionary mismatch': 'a frame needs a zstd dictionary, which ringstream does not take',
  'Destination buffer is too small': 'a frame holds more bytes than its header declares',
}
