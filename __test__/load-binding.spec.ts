import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadBinding } from '../ts/engine/load-binding'
import { bundleEntry, bundleLibrary, root } from './support/bundle'
import { useTempDir } from './support/temp'

const bindingPath = join(root, 'native', 'binding.js')
const hasBinding = existsSync(bindingPath)
/** Where the quick check applies: glibc Linux on the architectures the package ships. */
const quickCheckApplies =
  process.platform === 'linux' && ['x64', 'arm64'].includes(process.arch) && existsSync('/usr/bin/ldd') && !readFileSync('/usr/bin/ldd', 'latin1').includes('musl')

/** Runs `script` in a fresh Node.js with `process.report.getReport` counted; returns what it prints. */
function runCounted(script: string): string {
  const counted = `let reports = 0
    const getReport = process.report.getReport.bind(process.report)
    process.report.getReport = (...args) => (reports++, getReport(...args))
    ${script}`
  const result = spawnSync(process.execPath, ['-e', counted], { encoding: 'utf8', env: { ...process.env, RINGSTREAM_ENGINE: 'native' } })
  if (result.status !== 0) throw new Error(result.stderr)
  return result.stdout
}

describe('loading the native binding', () => {
  const tmp = useTempDir()

  it.runIf(hasBinding && quickCheckApplies)('skips the diagnostic report the generated loader asks for, and loads the same binary', () => {
    const loader = bundleEntry(join(root, 'ts', 'engine', 'load-binding.ts'), 'load-binding.js')
    const out = runCounted(`
      const quick = require(${JSON.stringify(loader)}).loadBinding(${JSON.stringify(bindingPath)})
      const quickReports = reports
      const generated = require(${JSON.stringify(bindingPath)})
      console.log(JSON.stringify([quickReports, quick === generated || quick.NativeReader === generated.NativeReader, typeof quick.NativeReader]))`)
    const [quickReports, same, readerType] = JSON.parse(out) as [number, boolean, string]
    expect(quickReports).toBe(0)
    expect(readerType).toBe('function')
    // require() caches the binary: the generated loader finds the very module the shortcut loaded.
    expect(same).toBe(true)
  })

  it.runIf(hasBinding && quickCheckApplies)('reads a file with the native engine without a diagnostic report', () => {
    const library = bundleLibrary('load-binding-library.js')
    const data = tmp.file('a.jsonl', '{"n":1}\n{"n":2}\n')
    const out = runCounted(`
      const { stream } = require(${JSON.stringify(library)})
      stream(${JSON.stringify(data)}).toArray().then(async (records) => {
        console.log(JSON.stringify([records, (await stream(${JSON.stringify(data)}).metadata()).engine, reports]))
      })`)
    expect(JSON.parse(out)).toEqual([[{ n: 1 }, { n: 2 }], 'native', 0])
  })

  it('falls back to the generated loader when the shortcut finds no binary that loads', () => {
    // A folder whose loader is a stand-in and whose binary is not one: the shortcut's require fails.
    const loader = tmp.file('native/binding.js', 'module.exports = { generated: true }\n')
    writeFileSync(join(tmp.dir, 'native', `ringstream.linux-${process.arch}-gnu.node`), 'not a shared library')
    writeFileSync(join(tmp.dir, 'native', `ringstream.linux-${process.arch}-musl.node`), 'not a shared library')
    expect(loadBinding(loader)).toEqual({ generated: true })
  })

  it("reports the generated loader's error when nothing loads", () => {
    const loader = tmp.file('broken/binding.js', "throw new Error('Failed to load native binding')\n")
    expect(() => loadBinding(loader)).toThrow('Failed to load native binding')
  })
})
