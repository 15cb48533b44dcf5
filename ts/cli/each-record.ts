import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Stream } from '../index'

const CHECK_EVERY = 1024
const YIELD_MS = 50

/**
 * Runs `fn` on every item of `s`, awaiting it when it returns a promise, until the stream ends
 * or `stop()` says so (the output was closed). Files are read with `for…of`, the fast path;
 * stdin with `for await…of`. Every ~50 ms the loop lets the event loop run, so Ctrl-C, a closed
 * pipe and timers are noticed even when no output is written (`count`, `sample`).
 */
export async function eachRecord<T>(s: Stream<T>, async: boolean, fn: (item: T) => Promise<void> | undefined | void, stop: () => boolean): Promise<void> {
  let sinceCheck = 0
  let lastYield = Date.now()
  const pace = async (): Promise<void> => {
    sinceCheck = 0
    const now = Date.now()
    if (now - lastYield < YIELD_MS) return
    lastYield = now
    await nextTurn()
  }
  if (stop()) return
  if (async) {
    for await (const item of s) {
      const pending = fn(item)
      if (pending) await pending
      if (stop()) break
      if (++sinceCheck >= CHECK_EVERY) await pace()
    }
    return
  }
  for (const item of s) {
    const pending = fn(item)
    if (pending) await pending
    if (stop()) break
    if (++sinceCheck >= CHECK_EVERY) await pace()
  }
}
