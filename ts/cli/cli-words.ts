/**
 * The library's messages and hints speak in `stream()` options (`pass { format: 'csv' }`); on the
 * command line the same advice is a flag (`pass --format csv`). This rewrites the known forms.
 */
export function inCliWords(text: string): string {
  return text
    .replace(/\{ format: 'jsonl' \}, 'csv', 'tsv' or 'json'/g, '--format jsonl, csv, tsv or json')
    .replace(/\{ catalog: dir \}/g, '--catalog DIR')
    .replace(/\{ maxRecordBytes \}/g, '--max-record-bytes')
    .replace(/\(maxErrors is/g, '(--max-errors is')
    .replace(/\{ onError: handler \}/g, '--verbose')
    .replace(/\{ delimiter: '\\t' \}/g, '--delimiter tab')
    .replace(/\{ (\w+): (['"])([^'"]*)\2 \}/g, (_m, key: string, _q: string, value: string) => `--${kebab(key)} ${shellWord(value)}`)
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

function shellWord(value: string): string {
  if (value === '\t') return 'tab'
  return /^[\w.-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`
}
