import { validateFunction } from '../validate'
import { Many, type Stage } from './stage'

/** Replaces each item with the items of the iterable `fn(item, index)` returns (possibly none). */
export function flatMapStage(fn: unknown): Stage {
  validateFunction(fn, 'flatMap(fn)')
  const callback = fn as (item: unknown, index: number) => unknown
  return {
    name: 'flatMap',
    start() {
      let index = 0
      return {
        passesMany: true,
        invoke: (item) => callback(item, index++),
        settle: (_item, result) => {
          if (result === null || typeof result !== 'object' || !(Symbol.iterator in result)) {
            throw new TypeError(`flatMap callback must return an iterable (such as an array), got ${result === null ? 'null' : typeof result}`)
          }
          return new Many(result as Iterable<unknown>)
        },
      }
    },
  }
}
