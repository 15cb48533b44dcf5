/**
 * The syntax tree of a `--where` expression. Conditions (`Condition`) evaluate to true or false;
 * operands (`Operand`) to a value taken from the record or written in the expression. There are
 * no other node kinds: nothing in the tree can call a function or reach past a record's own
 * fields.
 */

/** A field path: names of own properties and array indexes, from the record down. */
export interface FieldNode {
  type: 'field'
  path: readonly (string | number)[]
  /** The path as written, for messages. */
  text: string
}

export interface LiteralNode {
  type: 'literal'
  value: string | number | boolean | null
}

export type Operand = FieldNode | LiteralNode

export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>='
export type TextOperator = 'contains' | 'startsWith' | 'endsWith'

export type Condition =
  | { type: 'and'; left: Condition; right: Condition }
  | { type: 'or'; left: Condition; right: Condition }
  | { type: 'not'; operand: Condition }
  | { type: 'compare'; operator: CompareOperator; left: Operand; right: Operand }
  /** `left in [a, b]` (a list written out) or `left in field` (an array in the record). */
  | { type: 'in'; left: Operand; right: readonly LiteralNode[] | FieldNode }
  | { type: 'text'; operator: TextOperator; left: Operand; right: Operand }
  | { type: 'matches'; left: Operand; regex: RegExp }
  | { type: 'exists'; field: FieldNode }
  /** An operand on its own: true when its value is present and not null, false, 0 or ''. */
  | { type: 'truthy'; operand: Operand }
