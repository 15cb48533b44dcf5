import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

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

  it('ships type declarations for both', () => {
    expect(existsSync(join(root, 'dist', 'index.d.ts'))).toBe(true)
    expect(existsSync(join(root, 'dist', 'index.d.mts'))).toBe(true)
  })
})
