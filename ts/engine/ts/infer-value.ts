/** A CSV value after `types: 'infer'`. */
export type InferredValue = string | number | boolean | null

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/**
 * Converts one CSV value by the `types: 'infer'` rules of DESIGN.md and nothing else. Leading
 * zeros, signs other than `-`, bare `.5`/`1.`, and integers beyond 2^53 − 1 stay strings: such
 * values are identifiers far more often than numbers, and converting them would lose digits.
 */
export function inferValue(text: string): InferredValue {
  const n = text.length
  if (n === 0) return null
  const first = text.charCodeAt(0)
  if (first === 116 || first === 84) {
    return text === 'true' || text === 'TRUE' || text === 'True' ? true : text
  }
  if (first === 102 || first === 70) {
    return text === 'false' || text === 'FALSE' || text === 'False' ? false : text
  }
  if (first !== 45 && !isDigit(first)) return text
  // -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, checked by hand: a RegExp per value is slower.
  let i = first === 45 ? 1 : 0
  if (i >= n) return text
  let c = text.charCodeAt(i)
  if (c === 48) {
    i++
  } else if (c >= 49 && c <= 57) {
    i++
    while (i < n && isDigit(text.charCodeAt(i))) i++
  } else {
    return text
  }
  let integer = true
  if (i < n && text.charCodeAt(i) === 46) {
    integer = false
    i++
    const digits = i
    while (i < n && isDigit(text.charCodeAt(i))) i++
    if (i === digits) return text
  }
  if (i < n) {
    c = text.charCodeAt(i)
    if (c !== 101 && c !== 69) return text
    integer = false
    i++
    if (i < n) {
      c = text.charCodeAt(i)
      if (c === 43 || c === 45) i++
    }
    const digits = i
    while (i < n && isDigit(text.charCodeAt(i))) i++
    if (i === digits) return text
  }
  if (i !== n) return text
  const value = Number(text)
  if (integer) return Number.isSafeInteger(value) ? value : text
  return Number.isFinite(value) ? value : text
}
