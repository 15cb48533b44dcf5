import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = join(__dirname, '..')
const built = existsSync(join(root, 'dist', 'index.js'))

/**
 * Engine choice where the native binary cannot load: a copy of the built package without its
 * `native/` folder, run in child processes so the once-per-process notice can be counted.
 */
describe.runIf(built)('a package whose native binary cannot load', () => {
  let dir = ''
  let data = ''

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ringstream-no-native-'))
    cpSync(join(root, 'dist'), join(dir, 'node_modules', 'ringstream', 'dist'), { recursive: true })
    cpSync(join(root, 'package.json'), join(dir, 'node_modules', 'ringstream', 'package.json'))
    const { dependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }
    for (const dependency of Object.keys(dependencies)) cpSync(join(root, 'node_modules', dependency), join(dir, 'node_modules', dependency), { recursive: true })
    data = join(dir, 'a.jsonl')
    writeFileSync(data, '{"n":1}\n{"n":2}\n')
  })

  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("makes { engine: 'native' } an ERR_UNSUPPORTED error that says why", () => {
    const { stdout } = execRun(`
      const { stream } = require('ringstream')
      stream(${JSON.stringify(data)}, { engine: 'native' }).toArray().catch((e) => console.log(e.code, e.message.split('\\n')[0]))`)
    expect(stdout).toMatch(/^ERR_UNSUPPORTED the native engine cannot be used here: .*native\/binding\.js/)
  })

  it('falls back to the TS engine by default with one notice per process', () => {
    const script = `
      const { stream } = require('ringstream')
      ;(async () => {
        const a = await stream(${JSON.stringify(data)}).toArray()
        const b = await stream(${JSON.stringify(data)}).toArray()
        console.log(JSON.stringify([a, b, (await stream(${JSON.stringify(data)}).metadata()).engine]))
      })()`
    const { stdout, stderr } = execRun(script)
    expect(JSON.parse(stdout)).toEqual([[{ n: 1 }, { n: 2 }], [{ n: 1 }, { n: 2 }], 'ts'])
    expect(stderr.match(/RINGSTREAM_NATIVE_UNAVAILABLE/g)).toHaveLength(1)
    expect(stderr).toContain('RINGSTREAM_ENGINE=ts')
  })

  it('gives no notice when the TS engine is chosen', () => {
    const { stderr } = execRun(`require('ringstream').stream(${JSON.stringify(data)}).count()`, { RINGSTREAM_ENGINE: 'ts' })
    expect(stderr).not.toContain('RINGSTREAM_NATIVE_UNAVAILABLE')
  })

  /** Runs a script and keeps stderr even when it succeeds (warnings go there). */
  function execRun(script: string, env: Record<string, string> = {}) {
    const { RINGSTREAM_ENGINE: _ignored, ...inherited } = process.env
    const result = spawnSync(process.execPath, ['-e', script], { cwd: dir, encoding: 'utf8', env: { ...inherited, ...env } })
    if (result.error) throw result.error
    return { stdout: result.stdout, stderr: result.stderr }
  }
})
