import { resolve } from 'node:path'
// esbuild comes with tsup (a devDependency of this package).
import { buildSync } from 'esbuild'

/**
 * Bundles the library's TypeScript sources into one CommonJS file at `outfile`, for code that runs
 * outside vitest's module loader: child processes and worker threads. Built from the sources at
 * every run, so it never lags behind them the way a stale `dist/` can.
 */
export function bundleLibrary(outfile: string): string {
  buildSync({
    entryPoints: [resolve(__dirname, '../../ts/index.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    outfile,
    // A native addon is loaded from where the package keeps it, never bundled.
    external: ['*.node'],
    logLevel: 'error',
  })
  return outfile
}
