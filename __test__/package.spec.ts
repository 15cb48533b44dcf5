import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { ENGINES } from './support/engines'
import { makeTempDir } from './support/temp'

const root = join(__dirname, '..')
const built = existsSync(join(root, 'dist', 'index.js')) && existsSync(join(root, 'dist', 'index.mjs'))

/**
 * The package as users load it: `dist/` through the `exports` map, by `require` and by `import`.
 * `npm ci` builds `dist/` (the prepare script), so CI always runs these.
 */
describe.runIf(built)('the built package', () => {
  const sample = join(root, 'datasets', 'cities.csv')

  it('loads with require and reads a file', () => {
    const out = execFileSync(
      process.execPath,
      ['-e', `const { stream } = require('ringstream'); stream(${JSON.stringify(sample)}).count().then((n) => console.log(n))`],
      { cwd: root, encoding: 'utf8' },
    )
    expect(out.trim()).toBe('12')
  })

  it('loads with import and reads a file', () => {
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import { stream, RingstreamError } from 'ringstream'; console.log(typeof RingstreamError, await stream(${JSON.stringify(sample)}).count())`],
      { cwd: root, encoding: 'utf8' },
    )
    expect(out.trim()).toBe('function 12')
  })

  /**
   * Which of pako and fzstd are loaded after reading a plain, a .gz and a .zst file in turn with
   * `engine`, `metadata()` first, and then the .gz's bytes as a stream.
   */
  function decompressorsLoaded(engine: 'ts' | 'native'): string {
    const temp = makeTempDir()
    const gz = temp.file('cities.csv.gz', gzipSync(readFileSync(sample)))
    const zst = join(root, '__test__', 'fixtures', 'events.jsonl.zst')
    const script = `
      const { stream } = require('ringstream')
      const loaded = () => Object.keys(require.cache).flatMap((p) => p.match(/node_modules[\\\\/](pako|fzstd)[\\\\/]/)?.[1] ?? []).sort().join(',') || 'none'
      const seen = [loaded()]
      ;(async () => {
        for (const file of ${JSON.stringify([sample, gz, zst])}) {
          await stream(file, { engine: '${engine}' }).metadata()
          for (const _ of stream(file, { engine: '${engine}' }));
          seen.push(loaded())
        }
        const { Readable } = require('node:stream')
        const bytes = require('node:fs').readFileSync(${JSON.stringify(gz)})
        await stream(Readable.from([bytes]), { engine: '${engine}', format: 'csv', compression: 'gzip' }).count()
        seen.push(loaded())
        console.log(seen.join(' / '))
      })()`
    try {
      return execFileSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' }).trim()
    } finally {
      temp.remove()
    }
  }

  it('loads its decompressors only when the TS engine first reads a compressed file', () => {
    expect(decompressorsLoaded('ts')).toBe('none / none / pako / fzstd,pako / fzstd,pako')
  })

  it.runIf(ENGINES.includes('native'))('never loads them when the native engine reads compressed files and streams, head samples and metadata() included', () => {
    expect(decompressorsLoaded('native')).toBe('none / none / none / none / none')
  })

  it('ships type declarations for both', () => {
    expect(existsSync(join(root, 'dist', 'index.d.ts'))).toBe(true)
    expect(existsSync(join(root, 'dist', 'index.d.mts'))).toBe(true)
  })
})
