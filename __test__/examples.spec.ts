import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENGINES } from './support/engines'

/** `npm start`, the README's first command: the bundled example over the sample data in datasets/. */
function runExample(engine: string): string {
  return execFileSync(process.execPath, [join('examples', 'pipeline.mjs')], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, RINGSTREAM_ENGINE: engine },
    encoding: 'utf8',
  })
}

describe('the bundled example (npm start)', () => {
  const outputs = new Map(ENGINES.map((engine) => [engine, runExample(engine)]))

  it.each(ENGINES)('runs on the sample data with the %s engine and shows what the README promises', (engine) => {
    const output = outputs.get(engine) ?? ''
    expect(output).toContain(`${engine} engine`)
    // The truncated record, reported with where it is and what to try, and the stream going on.
    expect(output).toMatch(/skipped ERR_PARSE at line 1235 of .*part-0002\.jsonl \(byte 141116\)/)
    expect(output).toContain('hint: the record looks cut short')
    expect(output).toContain('read 5001 records (571177 bytes), 508 slow requests, 1 error')
    expect(output).toContain('capitals:')
  })

  it.runIf(ENGINES.length > 1)('prints the same on both engines, but for the engine named and its memory estimate', () => {
    // The native engine's estimate counts its ring buffer and the arenas its thread fills.
    const [first, ...rest] = ENGINES.map((engine) =>
      (outputs.get(engine) ?? '').replaceAll(`${engine} engine`, '<engine> engine').replace(/~[\d.]+ MB per batch/, '~<n> MB per batch'),
    )
    for (const output of rest) expect(output).toBe(first)
  })
})
