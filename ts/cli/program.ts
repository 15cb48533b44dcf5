import { ItemError, RingstreamError } from '../index'
import { type CliOptions, type CommandName, parseArgs, type ParsedArgs } from './args'
import { inCliWords } from './cli-words'
import type { CliIO, CommandContext } from './command'
import { COMMANDS } from './commands/index'
import { ErrorLog } from './error-log'
import { ExitCode, type ExitCodeValue, UsageError, exitCodeFor, isInvalidArgument } from './exit-codes'
import { commandHelp, programHelp, whereHelp } from './help'
import { applyFilters, openSource, streamOptionsFor } from './open-stream'
import { OutputSink } from './output/sink'
import { ProgressBar } from './progress-bar'
import { packageVersion } from './version'
import { WhereSyntaxError, compileWhere } from './where/index'

/**
 * Runs one `ringstream` command line and resolves to its exit code. Writes data to `io.stdout`
 * and everything else (usage errors, the progress bar, the error summary) to `io.stderr`; never
 * exits the process itself.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<ExitCodeValue> {
  let parsed: ParsedArgs
  try {
    parsed = parseArgs(argv)
  } catch (error) {
    if (error instanceof UsageError) return usageError(io, error.message, error.command)
    throw error
  }
  if (parsed.kind === 'help' || parsed.kind === 'version') {
    const text =
      parsed.kind === 'version'
        ? `${packageVersion()}\n`
        : parsed.command === null
          ? programHelp(packageVersion())
          : parsed.command === 'where'
            ? whereHelp()
            : commandHelp(parsed.command)
    const out = new OutputSink(io.stdout)
    out.write(text)
    await out.end()
    return ExitCode.OK
  }
  const { command, inputs, options } = parsed

  // Every mistake in the arguments is reported before anything is read.
  let where: ((record: unknown) => boolean) | null
  try {
    where = combineWhere(options.where)
  } catch (error) {
    if (error instanceof WhereExpressionError) return usageError(io, `--where: ${error.cause.explain(error.expression)}`, command)
    throw error
  }

  const errors = new ErrorLog()
  const bar = showProgress(command, options, io) ? new ProgressBar(io.stderr) : null
  const out = new OutputSink(io.stdout)
  const note = (text: string): void => {
    bar?.clear()
    io.stderr.write(`ringstream: ${text}\n`)
  }
  const streamOptions = streamOptionsFor(options, options.onError === 'raise' ? 'raise' : errors.handler, bar === null ? null : bar.update)

  let code: ExitCodeValue = ExitCode.OK
  try {
    // stream() checks the options now (a bad --delimiter is a usage error), and reads nothing.
    const source = openSource(inputs, streamOptions, io)
    const context: CommandContext = {
      inputs,
      options,
      io,
      out,
      errors,
      streamOptions,
      async: inputs.length === 1 && inputs[0] === '-',
      source: () => source,
      records: () => applyFilters(source, options, where),
      note,
    }
    await COMMANDS[command].run(context)
  } catch (error) {
    bar?.clear()
    code = exitCodeFor(error)
    if (code === ExitCode.USAGE) {
      await out.end()
      return usageError(io, error instanceof Error ? error.message : String(error), command)
    }
    io.stderr.write(`ringstream: ${describeFailure(error, options)}\n`)
  } finally {
    bar?.clear()
  }
  await out.end()
  if (out.error !== null) {
    io.stderr.write(`ringstream: cannot write the output: ${out.error.message}\n`)
    if (code === ExitCode.OK) code = ExitCode.FAILURE
  }
  const summary = errors.summary()
  if (summary !== null && code !== ExitCode.STOPPED) {
    io.stderr.write(`ringstream: ${summary}${options.verbose ? '' : '; --verbose shows details'}\n`)
    if (options.verbose) io.stderr.write(`${errors.details()}\n`)
    if (code === ExitCode.OK) code = ExitCode.SKIPPED
  }
  return code
}

/** When to draw the bar: stderr is a terminal, and stdout is not that terminal being filled with data. */
function showProgress(command: CommandName, options: CliOptions, io: CliIO): boolean {
  if (!options.progress || io.stderr.isTTY !== true || command === 'describe') return false
  if (command === 'count' || command === 'sample') return true
  return io.stdout.isTTY !== true
}

class WhereExpressionError extends Error {
  constructor(
    readonly expression: string,
    override readonly cause: WhereSyntaxError,
  ) {
    super(cause.message)
  }
}

/** All `--where` expressions must hold (several are joined by `&&`). */
function combineWhere(expressions: readonly string[]): ((record: unknown) => boolean) | null {
  const predicates = expressions.map((expression) => {
    try {
      return compileWhere(expression)
    } catch (error) {
      if (error instanceof WhereSyntaxError) throw new WhereExpressionError(expression, error)
      throw error
    }
  })
  if (predicates.length === 0) return null
  if (predicates.length === 1) return predicates[0]
  return (record) => predicates.every((p) => p(record))
}

function usageError(io: CliIO, message: string, command: string | null): ExitCodeValue {
  io.stderr.write(`ringstream: ${message}\nTry 'ringstream ${command === null ? '--help' : `${command} --help`}' for more.\n`)
  return ExitCode.USAGE
}

/** The words for an error that ended a command. */
function describeFailure(error: unknown, options: CliOptions): string {
  if (error instanceof ItemError) return `stopped at a bad record (--on-error raise): ${inCliWords(error.message)}`
  if (error instanceof RingstreamError) return inCliWords(error.message)
  if (isInvalidArgument(error)) return error.message
  if (error instanceof Error) return options.verbose && error.stack ? error.stack : `${error.name}: ${error.message}`
  return String(error)
}
