import { UsageError } from './exit-codes'
import { closest } from './suggest'

export const COMMAND_NAMES = ['head', 'count', 'describe', 'cat', 'sample'] as const
export type CommandName = (typeof COMMAND_NAMES)[number]

export type InputFormat = 'jsonl' | 'csv' | 'tsv' | 'json'
export type OutputFormat = 'jsonl' | 'json' | 'csv' | 'tsv'

/** Everything the command line can set, after checking. */
export interface CliOptions {
  format: InputFormat | undefined
  compression: 'gzip' | 'zstd' | 'none' | undefined
  select: string[]
  where: string[]
  limit: number | undefined
  skip: number | undefined
  onError: 'skip' | 'raise'
  maxErrors: number | undefined
  engine: 'ts' | 'native' | undefined
  catalog: string | undefined
  types: 'string' | 'infer' | undefined
  delimiter: string | undefined
  /** `null`: no quoting. */
  quote: string | null | undefined
  maxRecordBytes: number | undefined
  header: boolean
  to: OutputFormat
  json: boolean
  number: number | undefined
  seed: string | undefined
  verbose: boolean
  progress: boolean
}

export type ParsedArgs =
  | { kind: 'help'; command: CommandName | 'where' | null }
  | { kind: 'version' }
  | { kind: 'run'; command: CommandName; inputs: string[]; options: CliOptions }

export function defaultOptions(): CliOptions {
  return {
    format: undefined,
    compression: undefined,
    select: [],
    where: [],
    limit: undefined,
    skip: undefined,
    onError: 'skip',
    maxErrors: undefined,
    engine: undefined,
    catalog: undefined,
    types: undefined,
    delimiter: undefined,
    quote: undefined,
    maxRecordBytes: undefined,
    header: true,
    to: 'jsonl',
    json: false,
    number: undefined,
    seed: undefined,
    verbose: false,
    progress: true,
  }
}

/** One command-line option: its spellings, its argument, where it applies and what it sets. */
export interface OptionSpec {
  long: string
  short?: string
  /** The argument's placeholder in help (`N`, `EXPR`); absent for a flag. */
  arg?: string
  /** Commands that accept it; absent for every command. */
  commands?: readonly CommandName[]
  help: string
  apply(options: CliOptions, value: string, flag: string): void
}

const RECORD_COMMANDS: readonly CommandName[] = ['head', 'count', 'cat', 'sample']

/** Every option, in the order help lists them. */
export const OPTIONS: readonly OptionSpec[] = [
  {
    long: 'number',
    short: 'n',
    arg: 'N',
    commands: ['head', 'sample'],
    help: 'how many records (default 10)',
    apply: (o, v, flag) => {
      o.number = count(v, flag)
    },
  },
  {
    long: 'to',
    arg: 'FORMAT',
    commands: ['head', 'cat', 'sample'],
    help: 'output format: jsonl (default), json, csv or tsv',
    apply: (o, v, flag) => {
      o.to = oneOf(v === 'ndjson' ? 'jsonl' : v, flag, ['jsonl', 'json', 'csv', 'tsv'] as const)
    },
  },
  {
    long: 'json',
    commands: ['describe'],
    help: 'print the metadata as JSON instead of a table',
    apply: (o) => {
      o.json = true
    },
  },
  {
    long: 'seed',
    arg: 'S',
    commands: ['sample'],
    help: 'seed of the random choice, for the same sample every run',
    apply: (o, v, flag) => {
      if (v === '') throw new UsageError(`${flag} needs a value`)
      o.seed = v
    },
  },
  {
    long: 'format',
    short: 'f',
    arg: 'FORMAT',
    help: 'input format: jsonl, csv, tsv or json (default: from the file extension)',
    apply: (o, v, flag) => {
      o.format = oneOf(v === 'ndjson' ? 'jsonl' : v, flag, ['jsonl', 'csv', 'tsv', 'json'] as const)
    },
  },
  {
    long: 'compression',
    arg: 'MODE',
    help: 'input compression: gzip, zstd or none (default: from the file extension, .gz or .zst)',
    apply: (o, v, flag) => {
      o.compression = oneOf(v, flag, ['gzip', 'zstd', 'none'] as const)
    },
  },
  {
    long: 'select',
    short: 's',
    arg: 'A,B',
    commands: RECORD_COMMANDS,
    help: 'keep only these top-level fields, in this order',
    apply: (o, v, flag) => {
      const fields = v.split(',').map((f) => f.trim())
      if (fields.some((f) => f === '')) throw new UsageError(`${flag} needs field names separated by commas, got ${JSON.stringify(v)}`)
      o.select.push(...fields)
    },
  },
  {
    long: 'where',
    short: 'w',
    arg: 'EXPR',
    commands: RECORD_COMMANDS,
    help: "keep records matching EXPR, e.g. 'status >= 500 && path startsWith \"/api\"'",
    apply: (o, v) => {
      o.where.push(v)
    },
  },
  {
    long: 'limit',
    short: 'l',
    arg: 'N',
    commands: RECORD_COMMANDS,
    help: 'stop after N records (after --where and --skip)',
    apply: (o, v, flag) => {
      o.limit = count(v, flag)
    },
  },
  {
    long: 'skip',
    arg: 'N',
    commands: RECORD_COMMANDS,
    help: 'leave out the first N records (after --where)',
    apply: (o, v, flag) => {
      o.skip = count(v, flag)
    },
  },
  {
    long: 'on-error',
    arg: 'MODE',
    help: 'skip (default): leave bad records out and go on; raise: stop at the first',
    apply: (o, v, flag) => {
      o.onError = oneOf(v, flag, ['skip', 'raise'] as const)
    },
  },
  {
    long: 'max-errors',
    arg: 'N',
    help: 'stop after more than N bad records (default: no limit)',
    apply: (o, v, flag) => {
      o.maxErrors = count(v, flag)
    },
  },
  {
    long: 'engine',
    arg: 'NAME',
    help: 'ts or native (default: RINGSTREAM_ENGINE, else the best available)',
    apply: (o, v, flag) => {
      o.engine = oneOf(v, flag, ['ts', 'native'] as const)
    },
  },
  {
    long: 'catalog',
    arg: 'DIR',
    help: 'folder of named datasets (default: RINGSTREAM_DATA, else ./datasets)',
    apply: (o, v, flag) => {
      if (v === '') throw new UsageError(`${flag} needs a folder`)
      o.catalog = v
    },
  },
  {
    long: 'types',
    arg: 'MODE',
    help: 'CSV/TSV values: string (default) or infer (numbers, booleans, null)',
    apply: (o, v, flag) => {
      o.types = oneOf(v, flag, ['string', 'infer'] as const)
    },
  },
  {
    long: 'delimiter',
    short: 'd',
    arg: 'C',
    help: "CSV/TSV field delimiter, one character ('tab' or '\\t' for a tab)",
    apply: (o, v, flag) => {
      const d = v === 'tab' || v === '\\t' ? '\t' : v
      if (d.length !== 1) throw new UsageError(`${flag} needs exactly one character, got ${JSON.stringify(v)}`)
      o.delimiter = d
    },
  },
  {
    long: 'quote',
    arg: 'C',
    help: "CSV/TSV quote character, one character, or 'none': quotes are data (TSV that never quotes)",
    apply: (o, v, flag) => {
      if (v === 'none') o.quote = null
      else if (v.length !== 1) throw new UsageError(`${flag} needs exactly one character or 'none', got ${JSON.stringify(v)}`)
      else o.quote = v
    },
  },
  {
    long: 'max-record-bytes',
    arg: 'N',
    help: 'longest record accepted, in bytes (default 64 MiB); longer ones are bad records',
    apply: (o, v, flag) => {
      o.maxRecordBytes = count(v, flag)
      if (o.maxRecordBytes === 0) throw new UsageError(`${flag} must be at least 1`)
    },
  },
  {
    long: 'no-header',
    help: 'CSV/TSV: the first row is data; records are arrays',
    apply: (o) => {
      o.header = false
    },
  },
  {
    long: 'verbose',
    help: 'details of the first bad records and other notes on stderr',
    apply: (o) => {
      o.verbose = true
    },
  },
  {
    long: 'no-progress',
    help: 'never draw the progress bar',
    apply: (o) => {
      o.progress = false
    },
  },
  {
    long: 'help',
    short: 'h',
    help: 'show help (also: ringstream help COMMAND)',
    apply: () => undefined,
  },
  {
    long: 'version',
    short: 'V',
    help: 'print the version',
    apply: () => undefined,
  },
]

/**
 * Parses `argv` (without `node` and the script): `[options] COMMAND [inputs…] [options]`.
 * Options may come before or after the command and the inputs; `--opt=value` and `--opt value`
 * both work; `--` ends the options. Throws {@link UsageError} for anything it cannot accept —
 * unless `--help` or `--version` was asked for, which win over other mistakes.
 */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  let command: CommandName | 'help' | null = null
  const positionals: string[] = []
  const given: { spec: OptionSpec; value: string; flag: string }[] = []
  let help = false
  let version = false
  let problem: UsageError | null = null
  const fail = (error: UsageError): void => {
    problem ??= error
  }

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1))
      break
    }
    if (arg === '-' || !arg.startsWith('-')) {
      if (command === null && positionals.length === 0) {
        if (arg === 'help' || (COMMAND_NAMES as readonly string[]).includes(arg)) {
          command = arg as CommandName | 'help'
          continue
        }
        const guess = closest(arg, [...COMMAND_NAMES, 'help'])
        fail(
          new UsageError(
            guess
              ? `unknown command '${arg}'; did you mean '${guess}'?`
              : `unknown command '${arg}'; the commands are ${COMMAND_NAMES.join(', ')} (for a file, put the command first: ringstream cat ${arg})`,
          ),
        )
      }
      positionals.push(arg)
      continue
    }
    let name: string
    let inline: string | undefined
    let spec: OptionSpec | undefined
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=')
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
      inline = eq < 0 ? undefined : arg.slice(eq + 1)
      spec = OPTIONS.find((o) => o.long === name)
      if (spec === undefined) {
        const guess = closest(name, OPTIONS.map((o) => o.long))
        fail(new UsageError(`unknown option --${name}${guess ? `; did you mean --${guess}?` : ''}`, command === 'help' ? null : command))
        continue
      }
    } else {
      name = arg.slice(1, 2)
      inline = arg.length > 2 ? arg.slice(2).replace(/^=/, '') : undefined
      spec = OPTIONS.find((o) => o.short === name)
      if (spec === undefined) {
        fail(new UsageError(`unknown option -${name}`, command === 'help' ? null : command))
        continue
      }
    }
    const flag = arg.startsWith('--') ? `--${spec.long}` : `-${spec.short}`
    if (spec.long === 'help') help = true
    if (spec.long === 'version') version = true
    let value = ''
    if (spec.arg !== undefined) {
      if (inline !== undefined) value = inline
      else if (i + 1 < argv.length) value = argv[++i]
      else {
        fail(new UsageError(`${flag} needs a value (${spec.arg})`, command === 'help' ? null : command))
        continue
      }
    } else if (inline !== undefined) {
      fail(new UsageError(`${flag} takes no value`, command === 'help' ? null : command))
      continue
    }
    given.push({ spec, value, flag })
  }

  if (command === 'help') {
    if (positionals.length > 1) throw new UsageError(`help takes at most one command, got ${positionals.join(' ')}`)
    const topic = positionals[0]
    if (topic === undefined) return { kind: 'help', command: null }
    if (topic === 'where') return { kind: 'help', command: 'where' }
    if (!(COMMAND_NAMES as readonly string[]).includes(topic)) {
      const guess = closest(topic, COMMAND_NAMES)
      throw new UsageError(`no help for '${topic}': the topics are ${COMMAND_NAMES.join(', ')} and where${guess ? `; did you mean '${guess}'?` : ''}`)
    }
    return { kind: 'help', command: topic as CommandName }
  }
  if (help) return { kind: 'help', command }
  if (version) return { kind: 'version' }
  if (problem !== null) throw problem
  if (command === null) throw new UsageError('no command given; the commands are ' + COMMAND_NAMES.join(', '))

  const options = defaultOptions()
  for (const { spec, value, flag } of given) {
    if (spec.commands !== undefined && !spec.commands.includes(command)) {
      const where = spec.commands.length === 1 ? `an option of ${spec.commands[0]}` : `an option of ${spec.commands.join(', ')}`
      const reason = command === 'describe' && spec.commands === RECORD_COMMANDS ? ' (describe reads no records)' : ''
      throw new UsageError(`${flag} is ${where}, not of ${command}${reason}`, command)
    }
    try {
      spec.apply(options, value, flag)
    } catch (error) {
      if (error instanceof UsageError) throw new UsageError(error.message, command)
      throw error
    }
  }
  if (positionals.length === 0) {
    throw new UsageError(`${command} needs an input: a file, a folder, a dataset name, or - for stdin`, command)
  }
  if (positionals.includes('-')) {
    if (positionals.length > 1) throw new UsageError('- (stdin) cannot be combined with other inputs', command)
    if (options.format === undefined) throw new UsageError('reading stdin (-) needs --format jsonl, csv, tsv or json', command)
  }
  return { kind: 'run', command, inputs: positionals, options }
}

function count(value: string, flag: string): number {
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} needs a whole number (0 or more), got ${JSON.stringify(value)}`)
  }
  return Number(value)
}

function oneOf<const T extends string>(value: string, flag: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  const guess = closest(value, allowed)
  throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}${guess ? `; did you mean ${guess}?` : ''}`)
}
