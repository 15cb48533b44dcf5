import { ItemError, RingstreamError, TooManyErrorsError } from '../index'

/** How `ringstream` ends, so scripts can tell the cases apart. */
export const ExitCode = {
  /** Every record was read and written. */
  OK: 0,
  /** Any other failure: an unsupported format, compression or engine, an output that failed. */
  FAILURE: 1,
  /** Bad arguments or a bad `--where` expression; nothing was read and nothing written. */
  USAGE: 2,
  /** The command finished, but bad records were skipped (see the summary on stderr). */
  SKIPPED: 3,
  /** The input does not exist or cannot be read (`ERR_NOT_FOUND`, `ERR_IO`). */
  NOT_FOUND: 4,
  /** Stopped at a bad record by `--on-error raise`, or after more than `--max-errors`. */
  STOPPED: 5,
  /** Interrupted (Ctrl-C). */
  INTERRUPTED: 130,
} as const

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]

/** The rows of the exit-code table that `--help` prints. */
export const EXIT_CODE_HELP: readonly (readonly [number, string])[] = [
  [ExitCode.OK, 'success'],
  [ExitCode.FAILURE, 'other failure (unsupported format or engine, output error)'],
  [ExitCode.USAGE, 'usage error: bad arguments or --where syntax (nothing is read)'],
  [ExitCode.SKIPPED, 'finished, but bad records were skipped (summary on stderr)'],
  [ExitCode.NOT_FOUND, 'input not found or unreadable (ERR_NOT_FOUND, ERR_IO)'],
  [ExitCode.STOPPED, 'stopped by --on-error raise or --max-errors'],
]

/** A problem with the command line itself; exits with {@link ExitCode.USAGE}. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose help the message points to, if known. */
    readonly command: string | null = null,
  ) {
    super(message)
    this.name = 'UsageError'
  }
}

/** The exit code for an error thrown while a command ran. */
export function exitCodeFor(error: unknown): ExitCodeValue {
  if (error instanceof UsageError) return ExitCode.USAGE
  if (error instanceof TooManyErrorsError || error instanceof ItemError) return ExitCode.STOPPED
  if (error instanceof RingstreamError) {
    if (error.code === 'ERR_NOT_FOUND' || error.code === 'ERR_IO') return ExitCode.NOT_FOUND
    return ExitCode.FAILURE
  }
  if (isInvalidArgument(error)) return ExitCode.USAGE
  return ExitCode.FAILURE
}

/** A `TypeError`/`RangeError` from `stream()`'s checks (`code: 'ERR_INVALID_ARGUMENT'`). */
export function isInvalidArgument(error: unknown): error is Error {
  return error instanceof Error && (error as Error & { code?: unknown }).code === 'ERR_INVALID_ARGUMENT'
}
