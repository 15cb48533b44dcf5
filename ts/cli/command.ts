import type { Readable, Writable } from 'node:stream'
import type { Stream, StreamOptions } from '../index'
import type { CliOptions, CommandName } from './args'
import type { ErrorLog } from './error-log'
import type { OutputSink } from './output/sink'

/** The process streams a run uses; injected so the program can also run inside tests. */
export interface CliIO {
  /** Called only when the input is `-` and `stdinPath` gives no path, so stdin is not touched otherwise. */
  stdin: () => Readable
  /**
   * A path that reads stdin (`/dev/stdin`) when it is a pipe, else `null`. Read as a path, a
   * pipe goes to the engine in use, natively by default, instead of through `stdin()`.
   */
  stdinPath: () => string | null
  stdout: Writable & { isTTY?: boolean }
  stderr: Writable & { isTTY?: boolean; columns?: number }
}

/** What a command gets to do its work. */
export interface CommandContext {
  inputs: readonly string[]
  options: CliOptions
  io: CliIO
  out: OutputSink
  errors: ErrorLog
  /** The options given to `stream()` (format, engine, onError, progress, …). */
  streamOptions: StreamOptions
  /** The input as `stream()` reads it, before --where/--skip/--limit/--select. */
  source(): Stream<unknown>
  /** The records with --where, --skip, --limit and --select applied, in that order. */
  records(): Stream<unknown>
  /** Whether records must be read with `for await` (stdin), rather than `for…of` (files). */
  async: boolean
  /** Writes `ringstream: <text>` on stderr (after wiping the progress bar). */
  note(text: string): void
}

/** One subcommand: its help and its work. */
export interface Command {
  name: CommandName
  /** One line for the command list. */
  summary: string
  usage: string
  /** Paragraphs for `ringstream help <command>`. */
  description: readonly string[]
  examples: readonly string[]
  run(context: CommandContext): Promise<void>
}
