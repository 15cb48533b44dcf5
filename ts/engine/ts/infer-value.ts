/** A CSV value after `types: 'infer'`. */
export type InferredValue = string | number | boolean | null

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}

/** Powers of ten that doubles hold exactly. */
const POWERS_OF_TEN = Array.from({ length: 16 }, (_, k) => 10 ** k)

/** Digits a double holds exactly whatever they are (10^15 < 2^53). */
const EXACT_DIGITS = 15

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
  // The digits are gathered into `digits` on the way, for the fast path at the end.
  const negative = first === 45
  let i = negative ? 1 : 0
  if (i >= n) return text
  let c = text.charCodeAt(i)
  let digits = 0
  if (c === 48) {
    i++
  } else if (c >= 49 && c <= 57) {
    digits = c - 48
    i++
    while (i < n) {
      c = text.charCodeAt(i)
      if (!isDigit(c)) break
      digits = digits * 10 + (c - 48)
      i++
    }
  } else {
    return text
  }
  const integerEnd = i
  let fractionDigits = 0
  if (i < n && text.charCodeAt(i) === 46) {
    i++
    const fractionStart = i
    while (i < n) {
      c = text.charCodeAt(i)
      if (!isDigit(c)) break
      digits = digits * 10 + (c - 48)
      i++
    }
    fractionDigits = i - fractionStart
    if (fractionDigits === 0) return text
  }
  const integer = fractionDigits === 0
  if (i < n) {
    c = text.charCodeAt(i)
    if (c !== 101 && c !== 69) return text
    i++
    if (i < n) {
      c = text.charCodeAt(i)
      if (c === 43 || c === 45) i++
    }
    const exponentStart = i
    while (i < n && isDigit(text.charCodeAt(i))) i++
    if (i === exponentStart || i !== n) return text
    const value = Number(text)
    return Number.isFinite(value) ? value : text
  }
  // No exponent. With at most 15 significant digits both `digits` and the power of ten are exact,
  // so one correctly rounded division gives exactly what `Number(text)` would.
  const significant = integerEnd - (negative ? 1 : 0) + fractionDigits
  if (significant <= EXACT_DIGITS) {
    const value = fractionDigits === 0 ? digits : digits / POWERS_OF_TEN[fractionDigits]
    return negative ? -value : value
  }
  const value = Number(text)
  if (integer) return Number.isSafeInteger(value) ? value : text
  return Number.isFinite(value) ? value : text
}
