import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bundleCli, hasPosixShell, runCli, runShell, sh } from './support/cli'
import { makeTempDir } from './support/temp'

/**
 * The progress bar, on a real pseudo-terminal: `script` (util-linux) runs the command with a
 * terminal as stdin, stdout and stderr and copies what reaches the terminal to its own stdout.
 */
const hasScript = hasPosixShell && spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0

let cli: string
let tmp: ReturnType<typeof makeTempDir>
const RECORDS = 50_000

beforeAll(() => {
  cli = bundleCli('terminal')
  tmp = makeTempDir('ringstream-tty-')
  tmp.file('big.jsonl', Array.from({ length: RECORDS }, (_, id) => `${JSON.stringify({ id, payload: 'y'.repeat(60) })}\n`).join(''))
  tmp.file('small.jsonl', '{"a":1}\n{"a":2}\n')
})

afterAll(() => tmp.remove())

/** What a terminal shows while `command` runs with all three streams on it. */
function onTerminal(command: string): Promise<{ code: number | null; screen: string }> {
  const line = `${sh(process.execPath)} ${sh(cli)} ${command}`
  return runShell(`cd ${sh(tmp.dir)} && script -qfec ${sh(line)} /dev/null`).then((r) => ({ code: r.code, screen: r.stdout }))
}

const BAR = /\r {0,2}\d{1,3}% \[[#.]+\] [\d.]+ (B|KiB|MiB) \/ [\d.]+ (KiB|MiB) {2}[\d,]+ records {2}[\d.]+k? records\/s/

describe.runIf(hasScript).concurrent('the progress bar on a terminal', () => {
  it('count draws it on stderr, then wipes it and prints the count', async () => {
    const { code, screen } = await onTerminal('count big.jsonl')
    expect(code).toBe(0)
    expect(screen).toMatch(BAR)
    expect(screen).toContain('\r\x1b[K')
    // After the wipe only the result remains on the line.
    expect(screen.slice(screen.lastIndexOf('\r\x1b[K') + 4)).toBe(`${RECORDS}\r\n`)
  })

  it('cat with stdout redirected shows the bar on the terminal and keeps the file pure data', async () => {
    const { code, screen } = await onTerminal('cat big.jsonl --where "id >= 10" > out.jsonl')
    expect(code).toBe(0)
    expect(screen).toMatch(BAR)
    const out = readFileSync(tmp.path('out.jsonl'), 'utf8')
    expect(out).not.toContain('records/s')
    expect(out.split('\n').filter((l) => l !== '')).toHaveLength(RECORDS - 10)
  })

  it('sample shows it; describe never does', async () => {
    expect((await onTerminal('sample -n 2 --seed 1 big.jsonl')).screen).toMatch(BAR)
    expect((await onTerminal('describe big.jsonl')).screen).not.toContain('records/s')
  })

  it('cat to the terminal itself, and --no-progress, draw no bar', async () => {
    const toScreen = await onTerminal('cat small.jsonl')
    expect(toScreen.screen).toBe('{"a":1}\r\n{"a":2}\r\n')
    const quiet = await onTerminal('count big.jsonl --no-progress')
    expect(quiet.screen).toBe(`${RECORDS}\r\n`)
  })

  it('with stderr redirected away from the terminal, nothing but data appears', async () => {
    const { screen } = await onTerminal('count big.jsonl 2> err.txt')
    expect(screen).toBe(`${RECORDS}\r\n`)
    expect(readFileSync(tmp.path('err.txt'), 'utf8')).toBe('')
  })
})

describe.concurrent('no terminal: no bar', () => {
  it('count and cat with stderr piped write nothing to stderr', async () => {
    const count = await runCli(cli, ['count', 'big.jsonl'], { cwd: tmp.dir })
    expect(count).toMatchObject({ code: 0, stdout: `${RECORDS}\n`, stderr: '' })
    const cat = await runCli(cli, ['cat', 'big.jsonl', '--limit', '3'], { cwd: tmp.dir })
    expect(cat.stderr).toBe('')
    expect(cat.stdout.split('\n')).toHaveLength(4)
  })
})
