import type { Metadata } from '../../index'
import type { Command } from '../command'
import { displayPath } from '../paths'
import { formatBytes } from '../progress-bar'

const FILES_SHOWN = 10

export const describe: Command = {
  name: 'describe',
  summary: 'show the metadata: format, files, size, estimated records, batch size, memory',
  usage: 'ringstream describe INPUT… [--json] [options]',
  description: [
    'Describes the input from its file sizes and a sample of its head (256 KiB), without reading it all: format, compression, files, total size, estimated records, average record size, the recommended batch size and the expected memory of one pass.',
    '--json prints the same metadata as a JSON object, with the library\'s field names.',
  ],
  examples: ['ringstream describe events', 'ringstream describe datasets/cities.csv --json'],
  async run(context) {
    const meta = await context.source().metadata()
    const text = context.options.json ? `${JSON.stringify(meta, null, 2)}\n` : metadataTable(context.inputs.join(' '), meta)
    context.out.write(text)
  },
}

/** The metadata as a two-column table, labels padded to line up. */
export function metadataTable(input: string, meta: Metadata): string {
  const rows: [string, string][] = [['input', input]]
  if (meta.description) rows.push(['description', meta.description])
  rows.push(['format', meta.format ?? 'unknown'], ['compression', meta.compression])
  rows.push(['files', String(meta.files.length)])
  for (const file of meta.files.slice(0, FILES_SHOWN)) rows.push(['', displayPath(file)])
  if (meta.files.length > FILES_SHOWN) rows.push(['', `… and ${meta.files.length - FILES_SHOWN} more`])
  rows.push(['total size', meta.totalBytes === null ? 'unknown' : `${formatBytes(meta.totalBytes)} (${meta.totalBytes.toLocaleString('en-US')} bytes)`])
  rows.push(['estimated records', meta.estimatedRecords === null ? 'unknown' : `~${meta.estimatedRecords.toLocaleString('en-US')}`])
  rows.push(['average record', meta.averageRecordBytes === null ? 'unknown' : `${meta.averageRecordBytes} bytes`])
  rows.push(['recommended batch', `${meta.recommendedBatchSize.toLocaleString('en-US')} records`])
  rows.push(['memory estimate', meta.memoryEstimateMb === null ? 'unknown' : `${meta.memoryEstimateMb} MiB`])
  rows.push(['streaming', meta.streamingSupported ? 'yes' : 'no'])
  rows.push(['engine', meta.engine])
  // A custom source may add fields of its own; show them too.
  const known = new Set(['streamingSupported', 'recommendedBatchSize', 'memoryEstimateMb', 'format', 'compression', 'files', 'totalBytes', 'estimatedRecords', 'averageRecordBytes', 'engine', 'description'])
  for (const [key, value] of Object.entries(meta)) if (!known.has(key)) rows.push([key, typeof value === 'string' ? value : JSON.stringify(value)])
  const width = Math.max(...rows.map(([label]) => label.length)) + 2
  return rows.map(([label, value]) => `${label.padEnd(width)}${value}`.trimEnd()).join('\n') + '\n'
}
