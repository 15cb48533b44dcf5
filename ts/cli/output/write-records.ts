import type { Stream } from '../../index'
import type { CommandContext } from '../command'
import { eachRecord } from '../each-record'
import { formatterFor } from './formats'

/** Writes the items of `s` (or of an array) to stdout in the `--to` format. */
export async function writeRecords(context: CommandContext, records: Stream<unknown> | readonly unknown[]): Promise<void> {
  const { out, options } = context
  const formatter = formatterFor(options.to, options.select.length > 0 ? options.select : null)
  const write = (record: unknown): Promise<void> | undefined => out.write(formatter.record(record))
  if (Array.isArray(records)) {
    for (const record of records) {
      const pending = write(record)
      if (pending) await pending
      if (out.closed) break
    }
  } else {
    await eachRecord(records as Stream<unknown>, context.async, write, () => out.closed)
  }
  if (out.closed) return
  out.write(formatter.end())
  const note = formatter.note()
  if (note !== null) context.note(note)
}
