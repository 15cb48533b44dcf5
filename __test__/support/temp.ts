import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

/** A folder of fixtures for one test, created before it and removed after it. */
export interface TempDir {
  /** The folder's absolute path. */
  readonly dir: string
  /** The absolute path of `name` inside the folder (nothing is created). */
  path(name: string): string
  /** Writes `content` to `name` (creating subfolders) and returns its absolute path. */
  file(name: string, content: string | Uint8Array): string
  /** Creates the subfolder `name` and returns its absolute path. */
  mkdir(name: string): string
}

/** A temporary folder, deleted with everything in it by `remove()`. */
export function makeTempDir(prefix = 'ringstream-test-'): TempDir & { remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  return {
    dir,
    path: (name) => join(dir, name),
    file(name, content) {
      const path = join(dir, name)
      mkdirSync(dirname(path), { recursive: true })
      writeFileSync(path, content)
      return path
    },
    mkdir(name) {
      const path = join(dir, name)
      mkdirSync(path, { recursive: true })
      return path
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/**
 * Registers `beforeEach`/`afterEach` hooks giving every test of the enclosing `describe` a fresh
 * temporary folder. Read its properties inside tests only.
 */
export function useTempDir(): TempDir {
  let current: (TempDir & { remove(): void }) | null = null
  beforeEach(() => {
    current = makeTempDir()
  })
  afterEach(() => {
    current?.remove()
    current = null
  })
  const get = (): TempDir => {
    if (current === null) throw new Error('useTempDir(): the folder exists only while a test runs')
    return current
  }
  return {
    get dir() {
      return get().dir
    },
    path: (name) => get().path(name),
    file: (name, content) => get().file(name, content),
    mkdir: (name) => get().mkdir(name),
  }
}

/** JSON Lines text of `records`, one per line, ending with a newline. */
export function jsonl(records: readonly unknown[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('')
}

/** `{ id: 0 } … { id: n - 1 }` as records. */
export function ids(n: number): { id: number }[] {
  return Array.from({ length: n }, (_, id) => ({ id }))
}
