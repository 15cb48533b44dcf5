import { validateFunction } from '../validate'
import { passResult, type Stage } from './stage'

/** Replaces each item with `fn(item, index)` (awaited in `for await`). */
export function transformStage(fn: unknown, name = 'transform'): Stage {
  validateFunction(fn, `${name}(fn)`)
  const callback = fn as (item: unknown, index: number) => unknown
  return {
    name,
    start() {
      let index = 0
      return { invoke: (item) => callback(item, index++), settle: passResult }
    },
  }
}
