import type { Command } from '../command'

export const count: Command = {
  name: 'count',
  summary: 'count the records (after --where, --skip, --limit)',
  usage: 'ringstream count INPUT… [options]',
  description: [
    'Reads the whole input and prints how many records it holds, or how many match --where. Bad records are not counted; they are summed up on stderr (exit code 3).',
  ],
  examples: ['ringstream count events', "ringstream count events --where 'status >= 500 and method == \"POST\"'", 'cat x.csv | ringstream count - --format csv'],
  async run(context) {
    // `count()` rather than a loop: with no --where, --skip or --limit the records need not be
    // built, and the terminal gives the event loop its turns as it reads.
    const n = await context.records().count()
    context.out.write(`${n}\n`)
  },
}
