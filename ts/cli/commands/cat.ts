import type { Command } from '../command'
import { writeRecords } from '../output/write-records'

export const cat: Command = {
  name: 'cat',
  summary: 'print every record, converting the format (--to jsonl, json, csv, tsv)',
  usage: 'ringstream cat INPUT… [--to FORMAT] [options]',
  description: [
    'Streams every record to stdout with constant memory: JSON Lines by default; --to json writes one JSON array; --to csv and --to tsv write a header row (the --select fields, else the first record\'s keys) and quote fields that hold the delimiter, a quote or a line break.',
    'Bad records are skipped and summed up on stderr (exit code 3); --on-error raise stops at the first (exit code 5). Closing the pipe early (| head -1) ends quietly.',
  ],
  examples: [
    'ringstream cat datasets/cities.csv --types infer > cities.jsonl',
    'ringstream cat events --where "status >= 500" --select ts,path,status --to csv > errors.csv',
    'gzip -dc log.jsonl.gz | ringstream cat - --format jsonl --where "level == \'error\'"',
  ],
  async run(context) {
    await writeRecords(context, context.records())
  },
}
