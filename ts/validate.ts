import { InvalidArgumentError, OutOfRangeError } from './errors'

/**
 * Argument checks that run at the call, so `stream(x).limit(-1)` fails where it is written and
 * not somewhere inside a later loop. Every error they throw is a `TypeError` or `RangeError` with
 * `code: 'ERR_INVALID_ARGUMENT'`.
 */

export function validateFunction(value: unknown, name: string): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') throw new InvalidArgumentError(`${name} must be a function, got ${describe(value)}`)
}

export function validateInteger(value: unknown, name: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new InvalidArgumentError(`${name} must be an integer, got ${describe(value)}`)
  }
  if (value < min || value > max) throw new OutOfRangeError(`${name} must be between ${min} and ${max}, got ${value}`)
}

export function validateOneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`)
  }
}

export function validateObject(value: unknown, name: string): asserts value is object {
  if (value === null || typeof value !== 'object') throw new InvalidArgumentError(`${name} must be an object, got ${describe(value)}`)
}

/** A single character that is one byte in UTF-8, as CSV delimiters and quotes must be. */
export function validateChar(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length !== 1 || value.charCodeAt(0) > 0x7f) {
    throw new InvalidArgumentError(`${name} must be one ASCII character, got ${describe(value)}`)
  }
  if (value === '\n' || value === '\r') throw new OutOfRangeError(`${name} cannot be a line break`)
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value)
  if (typeof value === 'function') return 'a function'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}
