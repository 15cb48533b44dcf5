import type { Command } from '../command'
import { eachRecord } from '../each-record'
import { writeRecords } from '../output/write-records'
import { createRandom } from '../random'
import { Reservoir } from '../reservoir'
import { DEFAULT_COUNT } from './head'

export const sample: Command = {
  name: 'sample',
  summary: 'print N records chosen uniformly at random (default 10)',
  usage: 'ringstream sample [-n N] [--seed S] INPUT… [options]',
  description: [
    'Reads the whole input once and keeps N records by reservoir sampling: every record (after --where, --skip, --limit) is equally likely to be chosen, and only N records are held in memory. They are printed in input order.',
    '--seed makes the choice repeatable: the same seed on the same input gives the same sample.',
  ],
  examples: ['ringstream sample events', 'ringstream sample -n 100 --seed 42 events --to csv > sample.csv'],
  async run(context) {
    const reservoir = new Reservoir<unknown>(context.options.number ?? DEFAULT_COUNT, createRandom(context.options.seed))
    await eachRecord(
      context.records(),
      context.async,
      (record) => {
        reservoir.offer(record)
      },
      () => false,
    )
    await writeRecords(context, reservoir.items())
  },
}
