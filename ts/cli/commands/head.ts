import type { Command } from '../command'
import { writeRecords } from '../output/write-records'

export const DEFAULT_COUNT = 10

export const head: Command = {
  name: 'head',
  summary: 'print the first N records (default 10)',
  usage: 'ringstream head [-n N] INPUT… [options]',
  description: [
    'Prints the first N records as JSON Lines (or --to json, csv, tsv) and stops reading: the rest of the input is never opened.',
    '--where, --skip and --limit apply first, so "head -n 3 --where EXPR" shows the first three matches.',
  ],
  examples: ['ringstream head events', 'ringstream head -n 3 datasets/cities.csv --types infer --select name,population', "ringstream head big.jsonl --where 'status >= 500'"],
  async run(context) {
    await writeRecords(context, context.records().limit(context.options.number ?? DEFAULT_COUNT))
  },
}
