import { readdirSync, readlinkSync } from 'node:fs'

/** Whether open file descriptors can be listed (Linux `/proc/self/fd`). */
export const CAN_LIST_FDS = process.platform === 'linux'

/** How many file descriptors this process has open. */
export function openFdCount(): number {
  return readdirSync('/proc/self/fd').length
}

/**
 * The file descriptors of this process that point into `prefix` (a file or a folder). Counting
 * only those keeps the test independent of what the test runner opens meanwhile.
 */
export function fdsOpenOn(prefix: string): string[] {
  const found: string[] = []
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`)
    } catch {
      continue // closed while we looked (including the descriptor readdirSync itself used)
    }
    if (target === prefix || target.startsWith(`${prefix}/`)) found.push(target)
  }
  return found
}
