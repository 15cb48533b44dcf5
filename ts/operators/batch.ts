import { validateInteger } from '../validate'
import { DROP, type Stage } from './stage'

/**
 * Groups items into arrays of `size`; the last array may be shorter. Holds at most `size` items,
 * which is the only buffering a batch adds.
 */
export function batchStage(size: unknown): Stage {
  validateInteger(size, 'batch(size)', 1, 1 << 24)
  return {
    name: 'batch',
    start() {
      let buffer: unknown[] = []
      return {
        invoke: (item) => {
          buffer.push(item)
          if (buffer.length < size) return DROP
          const full = buffer
          buffer = []
          return full
        },
        settle: (_item, result) => result,
        flush: () => {
          if (buffer.length === 0) return DROP
          const rest = buffer
          buffer = []
          return rest
        },
      }
    },
  }
}
