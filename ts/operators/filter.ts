import { validateFunction } from '../validate'
import { DROP, type Stage } from './stage'

/** Keeps the items for which `predicate(item, index)` is truthy; `index` counts the items it saw. */
export function filterStage(predicate: unknown): Stage {
  validateFunction(predicate, 'filter(predicate)')
  const fn = predicate as (item: unknown, index: number) => unknown
  return {
    name: 'filter',
    start() {
      let index = 0
      return {
        invoke: (item) => fn(item, index++),
        settle: (item, keep) => (keep ? item : DROP),
      }
    },
  }
}
