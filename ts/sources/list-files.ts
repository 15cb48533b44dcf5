import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isDataFileName } from './file-formats'

/**
 * The data files of a folder and its subfolders (partitions such as `year=2024/`), sorted by
 * their path relative to the folder, compared by code unit so the order does not depend on the
 * locale. Hidden and `_`-prefixed entries (`.crc`, `_SUCCESS`, `_tmp/`) are skipped. Only files
 * with a data extension count, unless the caller named the format (`anyExtension`), which lets
 * extension-less shards such as `part-00000` be read.
 */
export function listDataFiles(dir: string, anyExtension = false): string[] {
  const found: string[] = []
  walk(dir, '', found, anyExtension)
  found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  return found.map((rel) => join(dir, rel))
}

function walk(root: string, rel: string, out: string[], anyExtension: boolean): void {
  for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
    const child = rel === '' ? entry.name : `${rel}/${entry.name}`
    if (entry.isDirectory()) {
      if (!entry.name.startsWith('.') && !entry.name.startsWith('_')) walk(root, child, out, anyExtension)
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isDataFileName(entry.name, anyExtension)) {
      out.push(child)
    }
  }
}
