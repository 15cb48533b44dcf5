/**
 * The `ringstream` command (bin/ringstream.js loads the build of this file, dist/cli.js).
 * Wires the process to {@link runCli}: its streams, warnings, Ctrl-C and the exit code.
 */
import { fstatSync } from 'node:fs'
import { inCliWords } from './cli-words'
import { ExitCode } from './exit-codes'
import { runCli } from './program'

const verbose = process.argv.includes('--verbose')

// The CLI reports what matters itself (the summary of skipped records). Node's own printing of
// process warnings is replaced: the engine fallback notice only with --verbose, others as one line.
process.removeAllListeners('warning')
process.on('warning', (warning: Error & { code?: unknown }) => {
  if (warning.code === 'RINGSTREAM_SKIPPED_ERRORS') return
  if (warning.code === 'RINGSTREAM_NATIVE_UNAVAILABLE' && !verbose) return
  process.stderr.write(`ringstream: note: ${inCliWords(warning.message)}\n`)
})

// Nothing useful can be done about a stderr that went away.
process.stderr.on('error', () => undefined)

process.on('SIGINT', () => {
  // Leave no half-drawn progress bar behind.
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K')
  if (process.platform === 'win32') process.exit(ExitCode.INTERRUPTED)
  // Die of the signal itself (a shell sees status 130, ExitCode.INTERRUPTED): process.exit()
  // would first wait for libuv's threads, one of which may be in a read of a stalled pipe on
  // stdin (`tail -f app.log | ringstream cat -`) that only the pipe's writer can end.
  process.removeAllListeners('SIGINT')
  process.kill(process.pid, 'SIGINT')
})

/** `/dev/stdin` when stdin is a pipe (`cmd | ringstream cat -`), which a path reads as fast as a file. */
function stdinPipePath(): string | null {
  if (process.platform === 'win32') return null
  try {
    return fstatSync(0).isFIFO() ? '/dev/stdin' : null
  } catch {
    return null
  }
}

runCli(process.argv.slice(2), { stdin: () => process.stdin, stdinPath: stdinPipePath, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    // Output is flushed; exit now rather than wait for stdin or other handles to close.
    process.exit(code)
  },
  (error: unknown) => {
    process.stderr.write(`ringstream: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(ExitCode.FAILURE)
  },
)
