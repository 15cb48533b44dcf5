import { COMMAND_NAMES, type CommandName, OPTIONS, type OptionSpec } from './args'
import { COMMANDS } from './commands/index'
import { EXIT_CODE_HELP } from './exit-codes'

const INPUTS = [
  'INPUT is a file (.jsonl/.ndjson, .csv, .tsv, .json, optionally .gz or .zst), a folder (every',
  'data file in it and its subfolders, in path order), a dataset name looked up in the catalog',
  'folder, several files, or - for stdin (which needs --format, and --compression when compressed).',
]

/** The `--where` language in brief, for `ringstream help where` and the commands' help. */
export const WHERE_HELP = [
  'Expressions (--where):',
  '  fields     status   user.name   tags[0]   `first name`   "first name" (facing a value)',
  "  values     42  -1.5  'text'  \"text\"  true  false  null",
  '  compare    ==  !=  <  <=  >  >=        (a string field compared with a number is read as one)',
  "  tests      x in [1, 2]   x not in ['a']   'admin' in roles   msg contains 'time'",
  "             path startsWith '/api'   path endsWith '.png'   agent matches /bot|crawl/i",
  '             exists(user.email)       flag (true when present and not null, false, 0 or \'\')',
  '  combine    && and   || or   ! not   ( … )',
  "  example    --where 'status >= 500 && (method == \"POST\" || path startsWith \"/api\")'",
  'A double-quoted word is a field when the other side of its test is a value, and a string when',
  "it is a field: \"first name\" == 'Ann', name == \"Ann\", \"admin\" in roles. A missing field equals null",
  'and is never < or > anything. Only own fields of a record can be read; nothing can be called',
  'but exists().',
]

/** `ringstream --help`. */
export function programHelp(version: string): string {
  const lines = [
    `ringstream ${version} — stream JSON Lines, CSV/TSV and JSON-array files, folders and datasets`,
    '',
    'Usage: ringstream COMMAND INPUT… [options]',
    '       ringstream help COMMAND',
    '',
    'Commands:',
    ...COMMAND_NAMES.map((name) => `  ${name.padEnd(10)}${COMMANDS[name].summary}`),
    `  ${'help'.padEnd(10)}show help for a command, or for --where: ringstream help where`,
    '',
    ...INPUTS,
    '',
    'Options (those in [brackets] belong to some commands only):',
    ...optionLines(OPTIONS, true),
    '',
    ...WHERE_HELP,
    '',
    ...exitCodeLines(),
    '',
    'Examples:',
    '  ringstream describe events',
    '  ringstream head -n 5 datasets/cities.csv --types infer',
    "  ringstream count events --where 'status >= 500'",
    '  ringstream cat events --select ts,path,status --to csv > events.csv',
    '  ringstream sample -n 100 --seed 7 events',
  ]
  return `${lines.join('\n')}\n`
}

/** `ringstream help COMMAND` and `ringstream COMMAND --help`. */
export function commandHelp(name: CommandName): string {
  const command = COMMANDS[name]
  const own = OPTIONS.filter((o) => o.commands !== undefined && o.commands.includes(name) && o.commands.length < COMMAND_NAMES.length - 1)
  const common = OPTIONS.filter((o) => !own.includes(o) && (o.commands === undefined || o.commands.includes(name)))
  const lines = [`Usage: ${command.usage}`, '', `${capitalize(command.summary)}.`, '']
  for (const paragraph of command.description) lines.push(...wrap(paragraph, 96), '')
  lines.push(...INPUTS, '')
  if (own.length > 0) lines.push(`Options of ${name}:`, ...optionLines(own), '')
  lines.push('Options:', ...optionLines(common), '')
  if (name !== 'describe') lines.push(...WHERE_HELP, '')
  lines.push(...exitCodeLines(), '', 'Examples:', ...command.examples.map((e) => `  ${e}`))
  return `${lines.join('\n')}\n`
}

/** `ringstream help where`. */
export function whereHelp(): string {
  return `${WHERE_HELP.join('\n')}\n`
}

function optionLines(options: readonly OptionSpec[], scoped = false): string[] {
  const names = options.map((o) => `${o.short ? `-${o.short}, ` : '    '}--${o.long}${o.arg ? ` ${o.arg}` : ''}`)
  const width = Math.max(...names.map((n) => n.length)) + 2
  return options.map((o, i) => {
    const scope = scoped && o.commands !== undefined && o.commands.length < COMMAND_NAMES.length - 1 ? ` [${o.commands.join(', ')}]` : ''
    return `  ${names[i].padEnd(width)}${o.help}${scope}`
  })
}

function exitCodeLines(): string[] {
  return ['Exit codes:', ...EXIT_CODE_HELP.map(([code, meaning]) => `  ${code}  ${meaning}`)]
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(line)
  return lines
}
