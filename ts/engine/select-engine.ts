import { RingstreamError } from '../errors'
import { validateOneOf } from '../validate'
import { loadNativeEngine } from './native-engine'
import { tsEngine } from './ts/ts-engine'
import type { Engine } from './types'

export type EngineName = 'ts' | 'native'

/**
 * Picks the engine for a reader: the option, else `RINGSTREAM_ENGINE`, else native when its
 * binary loads and TypeScript when it does not. Asking for `'native'` where it cannot load is an
 * error that says why.
 */
export function selectEngine(requested: EngineName | undefined): Engine {
  const name = requested ?? engineFromEnvironment()
  if (name === 'ts') return tsEngine
  const native = loadNativeEngine()
  if (native.engine !== null) return native.engine
  if (name === 'native') {
    throw new RingstreamError('ERR_UNSUPPORTED', `the native engine cannot be used here: ${native.reason}`, {
      hint: "leave out { engine: 'native' } (or RINGSTREAM_ENGINE=native) to use the TypeScript engine",
    })
  }
  warnFallbackOnce(native.reason)
  return tsEngine
}

// Whether the binary loads is a fact about the process, so the notice about it is too.
let fallbackWarned = false

function warnFallbackOnce(reason: string): void {
  if (fallbackWarned) return
  fallbackWarned = true
  process.emitWarning(
    `ringstream is using its TypeScript engine: ${reason}. Results are the same, only slower. ` +
      'Set RINGSTREAM_ENGINE=ts (or pass { engine: "ts" }) to choose it and silence this notice.',
    { code: 'RINGSTREAM_NATIVE_UNAVAILABLE' },
  )
}

function engineFromEnvironment(): EngineName | undefined {
  const value = process.env.RINGSTREAM_ENGINE
  if (value === undefined || value === '') return undefined
  validateOneOf(value, 'RINGSTREAM_ENGINE', ['ts', 'native'])
  return value
}
