import { InvalidArgumentError } from '../errors'
import type { Stage } from './stage'

/**
 * Keeps only the named fields of each record, in the order given. A field the record lacks is
 * left out rather than set to `undefined`, so the result serialises like the input did.
 */
export function selectStage(fields: readonly unknown[]): Stage {
  const names = (fields.length === 1 && Array.isArray(fields[0]) ? fields[0] : fields) as unknown[]
  if (names.length === 0) throw new InvalidArgumentError('select(...fields) needs at least one field name')
  for (const f of names) {
    if (typeof f !== 'string') throw new InvalidArgumentError(`select(...fields) takes field names (strings), got ${typeof f}`)
  }
  const keys = names as string[]
  return {
    name: 'select',
    start() {
      return {
        invoke: (item) => {
          if (item === null || typeof item !== 'object' || Array.isArray(item)) {
            throw new TypeError(`select needs object records, got ${Array.isArray(item) ? 'an array' : item === null ? 'null' : typeof item}`)
          }
          const source = item as Record<string, unknown>
          const picked: Record<string, unknown> = {}
          for (const key of keys) {
            if (!Object.prototype.hasOwnProperty.call(source, key)) continue
            // Assignment keeps V8's fast object shapes (defineProperty per key was a third of a
            // filter-and-select pipeline); only `__proto__` needs defining to stay an own field.
            if (key === '__proto__') Object.defineProperty(picked, key, { value: source[key], enumerable: true, writable: true, configurable: true })
            else picked[key] = source[key]
          }
          return picked
        },
        settle: (_item, result) => result,
      }
    },
  }
}
