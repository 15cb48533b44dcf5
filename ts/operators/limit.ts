import { validateInteger } from '../validate'
import { DROP, type Stage } from './stage'

/**
 * Passes the first `n` items and then ends the iteration: once the n-th item is through, the
 * source is closed at once instead of being read to its end.
 */
export function limitStage(n: unknown, name = 'limit'): Stage {
  validateInteger(n, `${name}(n)`, 0, Number.MAX_SAFE_INTEGER)
  return {
    name,
    start(control) {
      let passed = 0
      if (n === 0) control.exhaust()
      return {
        invoke: (item) => {
          if (passed >= n) return DROP
          if (++passed === n) control.exhaust()
          return item
        },
        settle: (_item, result) => result,
      }
    },
  }
}
