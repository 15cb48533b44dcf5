import { spawn, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { bundleEntry, root } from './bundle'

export { root }

/**
 * Bundles the `ringstream` command from its TypeScript sources (ts/cli/main.ts) into one
 * CommonJS file, as tsup builds dist/cli.js, so tests never run a stale build. Written inside the
 * package (under node_modules/.cache/) so the native engine and package.json are found from it
 * as they are from dist/.
 */
export function bundleCli(name: string): string {
  return bundleEntry(join(root, 'ts', 'cli', 'main.ts'), `${name}-cli.js`)
}

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliRunOptions {
  cwd?: string
  /** Written to the command's stdin, which is then closed; stdin is empty otherwise. */
  input?: string | Uint8Array
  env?: Record<string, string | undefined>
}

/**
 * Runs the bundled command with `args` and collects its output. The TypeScript engine is chosen
 * (RINGSTREAM_ENGINE=ts) unless `env` says otherwise, so results do not depend on a native build.
 */
export function runCli(cli: string, args: readonly string[], options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [cli, ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, RINGSTREAM_ENGINE: 'ts', RINGSTREAM_DATA: undefined, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      resolvePromise({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
    })
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}

/** Whether bash and the usual tools (yes, head, wc, sleep) are here: not on Windows or bare Alpine. */
export const hasPosixShell =
  process.platform !== 'win32' && spawnSync('bash', ['-c', 'command -v yes && command -v head && command -v wc && command -v sleep'], { stdio: 'ignore' }).status === 0

/** Runs a shell command line with bash and collects its output. */
export function runShell(command: string, options: CliRunOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: options.cwd ?? root,
      env: { ...process.env, RINGSTREAM_ENGINE: 'ts', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', (code, signal) => {
      resolvePromise({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') })
    })
  })
}

/** Quotes a word for bash. */
export function sh(word: string): string {
  return `'${word.replace(/'/g, "'\\''")}'`
}

/** Parses JSON Lines output. */
export function lines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown)
}
