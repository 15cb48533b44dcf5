/**
 * Value kinds of a columnar batch: `ValueKind` in crates/ringstream-core/src/columnar.rs. A
 * batch without kinds holds text only.
 */
export const TEXT = 0
export const NUMBER = 1
export const TRUE = 2
export const FALSE = 3
export const NULL = 4
/** Whatever is not one of the above, left as JSON text for `JSON.parse`. */
export const JSON_VALUE = 5
