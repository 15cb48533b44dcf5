import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/**
 * The package's version, from the nearest `package.json` named `ringstream` above this file
 * (`dist/cli.js` → `package.json`; a test bundle finds the same one).
 */
export function packageVersion(): string {
  let dir = __dirname
  for (;;) {
    try {
      const manifest: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
      if (isManifest(manifest) && manifest.name === 'ringstream') return manifest.version
    } catch {
      // No readable package.json here; keep climbing.
    }
    const parent = dirname(dir)
    if (parent === dir) return 'unknown'
    dir = parent
  }
}

function isManifest(value: unknown): value is { name: string; version: string } {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { name?: unknown }).name === 'string' &&
    typeof (value as { version?: unknown }).version === 'string'
  )
}
