import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
// esbuild comes with tsup (a devDependency of this package).
import { buildSync } from 'esbuild'

export const root = resolve(__dirname, '../..')

/**
 * Bundles the library's TypeScript sources into one CommonJS file, for code that runs outside
 * vitest's module loader: child processes and worker threads. Built from the sources at every
 * run, so it never lags behind them the way a stale `dist/` can. The bundle is written inside
 * the package (under `node_modules/.cache/`) because the native engine finds `native/binding.js`
 * by walking up from the file that loads it, as it does from `dist/`.
 */
export function bundleLibrary(name: string): string {
  return bundleEntry(join(root, 'ts', 'index.ts'), name)
}

/** Bundles the TypeScript module `entry` the same way, as `node_modules/.cache/…/<pid>-<name>`. */
export function bundleEntry(entry: string, name: string): string {
  const dir = join(root, 'node_modules', '.cache', 'ringstream-test')
  mkdirSync(dir, { recursive: true })
  const outfile = join(dir, `${process.pid}-${name}`)
  buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    // A native addon is loaded from where the package keeps it, never bundled.
    external: ['*.node'],
    logLevel: 'error',
  })
  return outfile
}
