import { validateInteger } from '../validate'
import { DROP, type Stage } from './stage'

/** Drops the first `n` items and passes the rest. */
export function skipStage(n: unknown): Stage {
  validateInteger(n, 'skip(n)', 0, Number.MAX_SAFE_INTEGER)
  return {
    name: 'skip',
    start() {
      let skipped = 0
      return {
        invoke: (item) => (skipped < n ? (skipped++, DROP) : item),
        settle: (_item, result) => result,
      }
    },
  }
}
