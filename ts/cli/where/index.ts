import type { Condition } from './ast'
import { evaluate } from './evaluate'
import { parseWhere } from './parser'

export { WhereSyntaxError } from './syntax-error'
export { parseWhere } from './parser'
export { evaluate } from './evaluate'
export type { Condition } from './ast'

/** Compiles a `--where` expression into a predicate over records; throws `WhereSyntaxError`. */
export function compileWhere(expression: string): (record: unknown) => boolean {
  const condition: Condition = parseWhere(expression)
  return (record) => evaluate(condition, record)
}
