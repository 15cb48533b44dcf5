/**
 * Functions generated from source text, for the hot paths that build objects with keys known
 * only at run time (record constructors, `select`): a literal or named store per key keeps V8's
 * inline caches monomorphic where a loop over the keys would be megamorphic. Keys are data, never
 * code: they enter the source only as `JSON.stringify` string literals (`propertyKey` in object
 * literals).
 */

/** `new Function(...parameters, body)` in strict mode, or `null` where code generation from strings is disallowed. */
export function generateFunction<F>(parameters: string[], body: string): F | null {
  try {
    return new Function(...parameters, `'use strict'; ${body}`) as F
  } catch {
    // --disallow-code-generation-from-strings, or a policy that forbids it.
    return null
  }
}

/**
 * A key as an object-literal key. `JSON.stringify` makes a string literal of any string.
 * `"__proto__": v` in a literal would set the prototype, where `JSON.parse` (and the TS engine)
 * make an own property, so that one key is computed: `["__proto__"]: v`.
 */
export function propertyKey(name: string): string {
  const literal = JSON.stringify(name)
  return name === '__proto__' ? `[${literal}]` : literal
}
