import { InvalidArgumentError } from '../errors'
import { generateFunction, propertyKey } from '../codegen'
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
 * A picker generated for the field list: when the record has every field (the usual case), one
 * object literal, which V8 allocates with its final shape at once; otherwise a named store per
 * field it has (`o["id"] = s["id"]`) where the loop's keyed ones are megamorphic. Ownership is
 * asked of `Object.prototype.hasOwnProperty`, which V8's optimizing compiler handles better than
 * `Object.hasOwn`: together a quarter of the time per record on Node.js 20 and half on Node.js 26
 * (three fields, records that have them).
 */
function generatedPicker(keys: string[]): Picker | null {
  const owns = keys.map((key) => `hop.call(s, ${JSON.stringify(key)})`)
  const fields = keys.map((key) => `${propertyKey(key)}: s[${JSON.stringify(key)}]`)
  const stores = keys.map((key, k) => {
    const literal = JSON.stringify(key)
    return key === '__proto__' ? `if (${owns[k]}) define(o, ${literal}, s[${literal}])` : `if (${owns[k]}) o[${literal}] = s[${literal}]`
  })
  const body = `return (s) => { if (${owns.join(' && ')}) return { ${fields.join(', ')} }; const o = {}; ${stores.join('; ')}; return o }`
  const make = generateFunction<(hop: typeof Object.prototype.hasOwnProperty, define: typeof defineOwn) => Picker>(['hop', 'define'], body)
  return make === null ? null : make(Object.prototype.hasOwnProperty, defineOwn)
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
