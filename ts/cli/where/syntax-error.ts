/**
 * A mistake in a `--where` expression, with the 1-based column where it was found, so the
 * command line can point at it with a caret.
 */
export class WhereSyntaxError extends Error {
  /** 1-based column of the offending character in the expression. */
  readonly column: number

  constructor(message: string, column: number) {
    super(message)
    this.name = 'WhereSyntaxError'
    this.column = column
  }

  /** The message, the expression and a caret under the column, as the CLI prints them. */
  explain(expression: string, indent = '  '): string {
    // Tabs would shift the caret; show the expression as it is, with tabs as spaces.
    const shown = expression.replace(/[\t\r\n]/g, ' ')
    return `${this.message} at column ${this.column}\n${indent}${shown}\n${indent}${' '.repeat(this.column - 1)}^`
  }
}
