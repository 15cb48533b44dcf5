import { InvalidArgumentError } from '../errors'
import { generateFunction } from '../codegen'
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
  const pick = generatedPicker(keys) ?? loopPicker(keys)
  return {
    name: 'select',
    start() {
      return {
        invoke: (item) => {
          if (item === null || typeof item !== 'object' || Array.isArray(item)) {
            throw new TypeError(`select needs object records, got ${Array.isArray(item) ? 'an array' : item === null ? 'null' : typeof item}`)
          }
          return pick(item as Record<string, unknown>)
        },
        settle: (_item, result) => result,
      }
    },
  }
}

type Picker = (source: Record<string, unknown>) => Record<string, unknown>

/**
 * A picker generated for the field list: a named load and store per field (`o["id"] = s["id"]`)
 * where the loop's keyed ones are megamorphic; `__proto__` is defined, to stay an own field.
 */
function generatedPicker(keys: string[]): Picker | null {
  const steps = keys.map((key) => {
    const literal = JSON.stringify(key)
    return key === '__proto__' ? `if (has(s, ${literal})) define(o, ${literal}, s[${literal}])` : `if (has(s, ${literal})) o[${literal}] = s[${literal}]`
  })
  const make = generateFunction<(has: typeof Object.hasOwn, define: typeof defineOwn) => Picker>(['has', 'define'], `return (s) => { const o = {}; ${steps.join('; ')}; return o }`)
  return make === null ? null : make(Object.hasOwn, defineOwn)
}

/** The same as a loop, where code cannot be generated. */
function loopPicker(keys: string[]): Picker {
  return (source) => {
    const picked: Record<string, unknown> = {}
    for (const key of keys) {
      if (!Object.hasOwn(source, key)) continue
      // Assignment keeps V8's fast object shapes (defineProperty per key was a third of a
      // filter-and-select pipeline); only `__proto__` needs defining to stay an own field.
      if (key === '__proto__') defineOwn(picked, key, source[key])
      else picked[key] = source[key]
    }
    return picked
  }
}

function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}
