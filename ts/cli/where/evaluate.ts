import type { CompareOperator, Condition, FieldNode, Operand } from './ast'

/**
 * Evaluates a parsed `--where` condition against one record. Never throws and never calls
 * anything found in a record: fields are read as own properties only, so `constructor`,
 * `__proto__` or `toString` name data fields or nothing at all.
 *
 * Values are compared the way data files need:
 * - a string compared with a number or a boolean is read as one when it looks like one
 *   (`"42" == 42`, `"true" == true`), so CSV values work without `--types infer`;
 * - `null` equals a missing field;
 * - `<`, `<=`, `>`, `>=` compare numbers as numbers and strings in code-unit order (ISO dates
 *   sort right); other pairs are never ordered, so the test is false;
 * - arrays and objects are equal when their contents are.
 */
export function evaluate(condition: Condition, record: unknown): boolean {
  switch (condition.type) {
    case 'and':
      return evaluate(condition.left, record) && evaluate(condition.right, record)
    case 'or':
      return evaluate(condition.left, record) || evaluate(condition.right, record)
    case 'not':
      return !evaluate(condition.operand, record)
    case 'compare':
      return compare(condition.operator, value(condition.left, record), value(condition.right, record))
    case 'in': {
      const left = value(condition.left, record)
      if (Array.isArray(condition.right)) return condition.right.some((item) => equals(left, item.value))
      const list = lookup(record, (condition.right as FieldNode).path)
      return Array.isArray(list) && list.some((item) => equals(left, item))
    }
    case 'text': {
      const left = value(condition.left, record)
      const right = value(condition.right, record)
      if (condition.operator === 'contains' && Array.isArray(left)) return left.some((item) => equals(item, right))
      const haystack = asText(left)
      const needle = asText(right)
      if (haystack === null || needle === null) return false
      if (condition.operator === 'contains') return haystack.includes(needle)
      if (condition.operator === 'startsWith') return haystack.startsWith(needle)
      return haystack.endsWith(needle)
    }
    case 'matches': {
      const text = asText(value(condition.left, record))
      return text !== null && condition.regex.test(text)
    }
    case 'exists':
      return lookup(record, condition.field.path) !== undefined
    case 'truthy': {
      const v = value(condition.operand, record)
      return v !== undefined && v !== null && v !== false && v !== 0 && v !== ''
    }
  }
}

function value(operand: Operand, record: unknown): unknown {
  return operand.type === 'literal' ? operand.value : lookup(record, operand.path)
}

/** Follows a path through own properties and array elements; `undefined` when it leads nowhere. */
export function lookup(record: unknown, path: readonly (string | number)[]): unknown {
  let current = record
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined
    if (typeof segment === 'number' && Array.isArray(current)) {
      current = segment < current.length ? (current as unknown[])[segment] : undefined
      continue
    }
    const key = String(segment)
    if (!Object.hasOwn(current, key)) return undefined
    current = (current as Record<string, unknown>)[key]
  }
  return current
}

const NUMERIC = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/

/** A string read as a number, when it is written as one (the rules of `--types infer`). */
function numberFrom(text: string): number | null {
  const trimmed = text.trim()
  if (!NUMERIC.test(trimmed)) return null
  const n = Number(trimmed)
  return Number.isFinite(n) ? n : null
}

function booleanFrom(text: string): boolean | null {
  if (text === 'true' || text === 'True' || text === 'TRUE') return true
  if (text === 'false' || text === 'False' || text === 'FALSE') return false
  return null
}

/** Strings and numbers as text, for contains/startsWith/endsWith/matches; nothing else. */
function asText(v: unknown): string | null {
  if (typeof v === 'string') return v
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  return null
}

export function equals(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true
  if (typeof a === 'string' && typeof b === 'number') return numberFrom(a) === b
  if (typeof a === 'number' && typeof b === 'string') return numberFrom(b) === a
  if (typeof a === 'string' && typeof b === 'boolean') return booleanFrom(a) === b
  if (typeof a === 'boolean' && typeof b === 'string') return booleanFrom(b) === a
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => equals(item, b[i]))
  if (isPlainData(a) && isPlainData(b)) {
    const keys = Object.keys(a)
    if (keys.length !== Object.keys(b).length) return false
    return keys.every((k) => Object.hasOwn(b, k) && equals(a[k], b[k]))
  }
  return false
}

function isPlainData(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
}

/** -1, 0 or 1 when the two can be ordered; `null` when they cannot. */
function order(a: unknown, b: unknown): number | null {
  let x: number | string | null = null
  let y: number | string | null = null
  if (typeof a === 'number' && typeof b === 'number') [x, y] = [a, b]
  else if (typeof a === 'string' && typeof b === 'string') [x, y] = [a, b]
  else if (typeof a === 'number' && typeof b === 'string') [x, y] = [a, numberFrom(b)]
  else if (typeof a === 'string' && typeof b === 'number') [x, y] = [numberFrom(a), b]
  if (x === null || y === null || Number.isNaN(x) || Number.isNaN(y)) return null
  return x < y ? -1 : x > y ? 1 : 0
}

function compare(operator: CompareOperator, a: unknown, b: unknown): boolean {
  if (operator === '==') return equals(a, b)
  if (operator === '!=') return !equals(a, b)
  const o = order(a, b)
  if (o === null) return false
  switch (operator) {
    case '<':
      return o < 0
    case '<=':
      return o <= 0
    case '>':
      return o > 0
    case '>=':
      return o >= 0
  }
}
