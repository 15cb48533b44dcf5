import type { ItemError } from '../index'
import { inCliWords } from './cli-words'
import { displayPath } from './paths'

const KEPT = 5

/**
 * Counts the bad records a command skipped and keeps the first few. Its `handler` is passed as
 * the stream's `onError`: it returns `undefined`, so the record is dropped, and because the
 * policy is a handler the library emits no `RINGSTREAM_SKIPPED_ERRORS` warning of its own.
 */
export class ErrorLog {
  count = 0
  readonly first: ItemError[] = []

  readonly handler = (error: ItemError): undefined => {
    this.count++
    if (this.first.length < KEPT) this.first.push(error)
    return undefined
  }

  /** `3 records skipped (first: ERR_PARSE at line 7 of x.jsonl)`, or `null` when none were. */
  summary(): string | null {
    const first = this.first[0]
    if (this.count === 0 || first === undefined) return null
    return `${this.count} record${this.count === 1 ? '' : 's'} skipped (first: ${where(first)})`
  }

  /** The first few errors in full: code, place, message, excerpt and hint. */
  details(): string {
    const lines: string[] = []
    for (const e of this.first) {
      lines.push(`  ${e.code}${e.kind === 'processing' ? ` in ${e.stage}` : ''}: ${firstLine(e.message)}`)
      if (e.excerpt !== '') lines.push(`    record: ${e.excerpt}`)
      if (e.hint) lines.push(`    hint: ${inCliWords(e.hint)}`)
    }
    if (this.count > this.first.length) lines.push(`  … and ${this.count - this.first.length} more`)
    return lines.join('\n')
  }
}

/** `ERR_PARSE at line 7 of x.jsonl`, or `ERR_CALLBACK in select at record 3`. */
export function where(e: ItemError): string {
  const place = e.path !== null && e.line !== null ? `line ${e.line} of ${displayPath(e.path)}` : e.location
  return e.kind === 'processing' ? `${e.code} in ${e.stage} at ${place}` : `${e.code} at ${place}`
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n')
  return nl < 0 ? text : text.slice(0, nl)
}
