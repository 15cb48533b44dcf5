import { validateFunction } from '../validate'
import type { Stage } from './stage'

/** Calls `fn(item, index)` for its side effect and passes the item on unchanged. */
export function tapStage(fn: unknown): Stage {
  validateFunction(fn, 'tap(fn)')
  const callback = fn as (item: unknown, index: number) => unknown
  return {
    name: 'tap',
    start() {
      let index = 0
      return { invoke: (item) => callback(item, index++), settle: (item) => item }
    },
  }
}
