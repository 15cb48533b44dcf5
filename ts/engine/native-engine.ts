import type { Engine } from './types'

export type NativeLoad = { engine: Engine; reason: null } | { engine: null; reason: string }

/** Loads the native engine if this package carries a binary for the running platform. */
export function loadNativeEngine(): NativeLoad {
  return { engine: null, reason: `no native binary is built for ${process.platform}-${process.arch} in this package` }
}
