import { createRequire } from 'node:module'

/**
 * A dependency loaded the first time it is used rather than when ringstream is imported. pako
 * and fzstd serve only the TS engine's compressed files, and loading them at import was about
 * half of `require('ringstream')` (bench/startup.mjs).
 */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined
  return () => (loaded ??= createRequire(__filename)(id) as T)
}
