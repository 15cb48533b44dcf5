import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CliResult, bundleCli, hasPosixShell, lines, root, runCli, runShell, sh } from './support/cli'
import { makeTempDir } from './support/temp'

/**
 * The `ringstream` command end to end: the CLI bundled from its sources, run as a child process
 * on fixtures written to one temporary folder (tests run concurrently and only read it).
 */

const people = [
  { id: 0, name: 'Ann', age: 34, city: 'Utrecht', user: { role: 'admin' } },
  { id: 1, name: 'Bob', age: 27, city: 'Gent', user: { role: 'dev' } },
  { id: 2, name: 'Chen', age: 41, city: 'Utrecht', user: { role: 'dev' } },
  { id: 3, name: 'Dee', age: 19, city: 'Lyon', user: { role: 'ops' } },
  { id: 4, name: 'Eve', age: 52, city: 'Gent', user: { role: 'admin' } },
]
const numbered = Array.from({ length: 25 }, (_, id) => ({ id, even: id % 2 === 0 }))

let cli: string
let tmp: ReturnType<typeof makeTempDir>
const path = (name: string): string => tmp.path(name)
const run = (args: string[], input?: string | Uint8Array): Promise<CliResult> => runCli(cli, args, { cwd: tmp.dir, input })

beforeAll(() => {
  cli = bundleCli('main')
  tmp = makeTempDir('ringstream-cli-')
  const jsonl = (rows: readonly unknown[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('')
  tmp.file('people.jsonl', jsonl(people))
  tmp.file('numbered.jsonl', jsonl(numbered))
  tmp.file('bad.jsonl', `${JSON.stringify({ id: 0 })}\n{"id": 1}\n{"id": 2,\n{"id": 3}\nnot json\n{"id": 5}\n`)
  tmp.file('mixed.jsonl', `{"name":"a"}\n42\n{"name":"b"}\n`)
  tmp.file(
    'tricky.jsonl',
    jsonl([
      { id: 1, text: 'plain', note: null },
      { id: 2, text: 'comma, inside', note: 'say "hi"' },
      { id: 3, text: 'two\nlines', note: { nested: [1, 2] } },
    ]),
  )
  tmp.file('cities.csv', 'name,country,population\nAmsterdam,NL,921402\n"Rio de Janeiro, RJ",BR,6748000\nGent,BE,265086\n')
  tmp.file('semi.csv', 'a;b\n1;2\n3;4\n')
  tmp.file('titles.tsv', 'title\tyear\n"Weird Al" Yankovic\t1983\n"Hello\t1990\n')
  tmp.file('notes.txt', 'hello\n')
  tmp.file('shards/part-1.jsonl', jsonl(people.slice(0, 2)))
  tmp.file('shards/part-2.jsonl', jsonl(people.slice(2)))
  tmp.file('catalog/shop/ringstream.json', JSON.stringify({ description: 'Orders of the shop', options: { format: 'csv', types: 'infer' } }))
  tmp.file('catalog/shop/orders.csv', 'order,total\n1,9.5\n2,20\n')
  tmp.file('big.jsonl', jsonl(Array.from({ length: 60_000 }, (_, id) => ({ id, payload: 'x'.repeat(40) }))))
})

afterAll(() => tmp.remove())

describe.concurrent('ringstream head', () => {
  it('prints the first 10 records as JSON Lines', async () => {
    const r = await run(['head', path('numbered.jsonl')])
    expect(r).toMatchObject({ code: 0, stderr: '' })
    expect(lines(r.stdout)).toEqual(numbered.slice(0, 10))
  })

  it('-n, --where, --skip, --limit and --select', async () => {
    const r = await run(['head', '-n', '3', path('numbered.jsonl'), '--where', 'even', '--skip', '1', '--select', 'id'])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual([{ id: 2 }, { id: 4 }, { id: 6 }])
    const limited = await run(['head', '-n', '5', path('numbered.jsonl'), '--limit', '2'])
    expect(lines(limited.stdout)).toEqual(numbered.slice(0, 2))
  })
})

describe.concurrent('ringstream count', () => {
  it('counts records of a file, a folder, several files and a dataset', async () => {
    expect((await run(['count', path('numbered.jsonl')])).stdout).toBe('25\n')
    expect((await run(['count', path('shards')])).stdout).toBe('5\n')
    expect((await run(['count', path('people.jsonl'), path('numbered.jsonl')])).stdout).toBe('30\n')
    expect((await run(['count', 'shop', '--catalog', path('catalog')])).stdout).toBe('2\n')
  })

  it('counts matches of --where, after --skip and --limit', async () => {
    expect((await run(['count', path('people.jsonl'), '--where', 'city == "Utrecht" or user.role == \'ops\''])).stdout).toBe('3\n')
    expect((await run(['count', path('numbered.jsonl'), '--where', 'id >= 10', '--skip', '3', '--limit', '100'])).stdout).toBe('12\n')
    expect((await run(['count', path('cities.csv'), '--where', 'population > 500000'])).stdout).toBe('2\n')
  })
})

describe.concurrent('ringstream describe', () => {
  it('prints the metadata as an aligned table', async () => {
    const r = await run(['describe', path('shards')])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^input {14}.*shards$/m)
    expect(r.stdout).toMatch(/^format {13}jsonl$/m)
    expect(r.stdout).toMatch(/^files {14}2$/m)
    expect(r.stdout).toMatch(/^ {19}.*part-1\.jsonl$/m)
    expect(r.stdout).toMatch(/^engine {13}ts$/m)
  })

  it('--json prints the metadata object', async () => {
    const r = await run(['describe', 'shop', '--catalog', path('catalog'), '--json'])
    const meta = JSON.parse(r.stdout) as Record<string, unknown>
    expect(meta).toMatchObject({ format: 'csv', description: 'Orders of the shop', estimatedRecords: 2, streamingSupported: true, engine: 'ts' })
  })

  it('describes the bundled sample from the repository root', async () => {
    const r = await runCli(cli, ['describe', 'events'], { cwd: root })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Web server events')
    expect(r.stdout).toMatch(/^files {14}2$/m)
  })
})

describe.concurrent('ringstream cat', () => {
  it('writes every record as JSON Lines by default', async () => {
    const r = await run(['cat', path('people.jsonl')])
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual(people)
  })

  it('--to csv writes a header and quotes what needs quoting', async () => {
    const r = await run(['cat', path('tricky.jsonl'), '--to', 'csv'])
    expect(r.stdout).toBe('id,text,note\n1,plain,\n2,"comma, inside","say ""hi"""\n3,"two\nlines","{""nested"":[1,2]}"\n')
  })

  it('--to csv with --select uses those columns; --to tsv uses tabs', async () => {
    const csv = await run(['cat', path('people.jsonl'), '--select', 'name,city', '--to', 'csv', '--limit', '2'])
    expect(csv.stdout).toBe('name,city\nAnn,Utrecht\nBob,Gent\n')
    const tsv = await run(['cat', path('cities.csv'), '--to', 'tsv'])
    expect(tsv.stdout).toBe('name\tcountry\tpopulation\nAmsterdam\tNL\t921402\nRio de Janeiro, RJ\tBR\t6748000\nGent\tBE\t265086\n')
  })

  it('--to json writes one array; CSV input with --types infer', async () => {
    const r = await run(['cat', path('cities.csv'), '--types', 'infer', '--to', 'json'])
    expect(JSON.parse(r.stdout)).toEqual([
      { name: 'Amsterdam', country: 'NL', population: 921402 },
      { name: 'Rio de Janeiro, RJ', country: 'BR', population: 6748000 },
      { name: 'Gent', country: 'BE', population: 265086 },
    ])
  })

  it('--delimiter, --no-header and --format', async () => {
    expect(lines((await run(['cat', path('semi.csv'), '--delimiter', ';'])).stdout)).toEqual([
      { a: '1', b: '2' },
      { a: '3', b: '4' },
    ])
    expect(lines((await run(['cat', path('semi.csv'), '-d', ';', '--no-header'])).stdout)).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
    ])
    expect(lines((await run(['cat', path('notes.txt'), '--format', 'csv', '--no-header'])).stdout)).toEqual([['hello']])
  })

  it('--compression names what the file name does not say', async () => {
    const path = tmp.file('cities.blob', gzipSync(readFileSync(join(tmp.dir, 'cities.csv'))))
    const result = await run(['count', path, '--format', 'csv', '--compression', 'gzip'])
    expect(result.stdout.trim()).toBe('3')
    expect(result.code).toBe(0)
  })

  it('a compressed file whose name does not say so fails with --compression in its hint (exit 1)', async () => {
    const path = tmp.file('packed.csv', gzipSync(readFileSync(join(tmp.dir, 'cities.csv'))))
    const r = await run(['count', path])
    expect(r).toMatchObject({ code: 1, stdout: '' })
    expect(r.stderr).toContain('packed.csv holds gzip-compressed data')
    expect(r.stderr).toContain('hint: pass --compression gzip, or rename the file to end in .gz')
  })

  it('a CSV read as one column gets a note with the --delimiter to pass', async () => {
    const semicolons = await run(['count', tmp.file('export.csv', 'id;name\n1;Ann\n2;Bob\n')])
    expect(semicolons).toMatchObject({ code: 0, stdout: '2\n' })
    expect(semicolons.stderr).toContain("ringstream: note: ")
    expect(semicolons.stderr).toContain("if it is ';'-delimited, pass --delimiter ';'")
    const tabs = await run(['count', tmp.file('tabs.csv', 'id\tname\n1\tAnn\n')])
    expect(tabs.stderr).toContain("if it is '\\t'-delimited, pass --delimiter tab")
    expect((await run(['count', tmp.file('tabs.csv', 'id\tname\n1\tAnn\n'), '--delimiter', 'tab'])).stderr).toBe('')
  })

  it('--quote none reads quotes as data', async () => {
    const result = await run(['cat', path('titles.tsv'), '--quote', 'none'])
    expect(result.code).toBe(0)
    expect(lines(result.stdout)).toEqual([
      { title: '"Weird Al" Yankovic', year: '1983' },
      { title: '"Hello', year: '1990' },
    ])
  })

  it('a file of unknown type fails with a hint in command-line words (exit 1)', async () => {
    const r = await run(['cat', path('notes.txt')])
    expect(r).toMatchObject({ code: 1, stdout: '' })
    expect(r.stderr).toContain('cannot tell the format')
    expect(r.stderr).toContain('--format jsonl, csv, tsv or json')
  })

  it.runIf(hasPosixShell)('keeps up with a slow reader (back-pressure) and writes everything', async () => {
    const r = await runShell(`${sh(process.execPath)} ${sh(cli)} cat ${sh(path('big.jsonl'))} | (sleep 0.3; wc -l)`)
    expect(r.stdout.trim()).toBe('60000')
    expect(r.stderr).toBe('')
  })
})

describe.concurrent('ringstream sample', () => {
  it('picks N distinct records in input order, the same for the same seed', async () => {
    const args = ['sample', '-n', '5', '--seed', '7', path('numbered.jsonl')]
    const a = await run(args)
    const b = await run(args)
    expect(a.code).toBe(0)
    const ids = (lines(a.stdout) as { id: number }[]).map((r) => r.id)
    expect(ids).toHaveLength(5)
    expect(new Set(ids).size).toBe(5)
    expect(ids).toEqual([...ids].sort((x, y) => x - y))
    expect(b.stdout).toBe(a.stdout)
    const other = await run(['sample', '-n', '5', '--seed', '8', path('numbered.jsonl')])
    expect(other.stdout).not.toBe(a.stdout)
  })

  it('samples after --where and returns everything when N is larger', async () => {
    const r = await run(['sample', '-n', '100', path('people.jsonl'), '--where', 'city == "Gent"', '--to', 'csv', '--select', 'name'])
    expect(r.stdout).toBe('name\nBob\nEve\n')
  })
})

describe.concurrent('stdin', () => {
  it('reads - with --format', async () => {
    const r = await run(['cat', '-', '--format', 'jsonl', '--where', 'age > 40', '--select', 'name'], readFileSync(path('people.jsonl'), 'utf8'))
    expect(r.code).toBe(0)
    expect(lines(r.stdout)).toEqual([{ name: 'Chen' }, { name: 'Eve' }])
    const count = await run(['count', '-', '--format', 'csv'], 'a,b\n1,2\n3,4\n')
    expect(count.stdout).toBe('2\n')
  })

  it.runIf(hasPosixShell)('head on an endless stdin stops reading once it has its records', async () => {
    const r = await runShell(`yes '{"a":1}' | ${sh(process.execPath)} ${sh(cli)} head -n 2 - --format jsonl; echo "status=\${PIPESTATUS[1]}" >&2`)
    expect(r.stdout).toBe('{"a":1}\n{"a":1}\n')
    expect(r.stderr).toBe('status=0\n')
  }, 10_000)

  it('reads a compressed - with --compression', async () => {
    const gzipped = await run(['count', '-', '--format', 'csv', '--compression', 'gzip'], gzipSync('a,b\n1,2\n3,4\n'))
    expect(gzipped).toMatchObject({ code: 0, stdout: '2\n' })
    const zstd = await run(['count', '-', '--format', 'jsonl', '--compression', 'zstd'], readFileSync(join(root, '__test__', 'fixtures', 'events.jsonl.zst')))
    expect(zstd).toMatchObject({ code: 0, stdout: '1100\n' })
    const notGzip = await run(['count', '-', '--format', 'csv', '--compression', 'gzip'], 'a,b\n1,2\n')
    expect(notGzip.code).toBe(4)
    expect(notGzip.stderr).toContain("cannot decompress the input stream's gzip bytes")
  })

  // A pipe is read through /dev/stdin by the engine in use; both engines are run.
  describe.runIf(hasPosixShell).each(['native', 'ts'])('a pipe on stdin (%s engine)', (engine) => {
    const cmd = (args: string): string => `${sh(process.execPath)} ${sh(cli)} ${args}`
    const env = { RINGSTREAM_ENGINE: engine }

    it('is read whole, decompressed as --compression says, its bad records named by line', async () => {
      const count = await runShell(`cat ${sh(path('people.jsonl'))} | ${cmd('count - --format jsonl')}`, { env })
      expect(count).toMatchObject({ code: 0, stdout: `${people.length}\n` })
      const gz = path('pipe.csv.gz')
      writeFileSync(gz, gzipSync('a,b\n1,2\n3,4\n'))
      expect(await runShell(`cat ${sh(gz)} | ${cmd('count - --format csv --compression gzip')}`, { env })).toMatchObject({ code: 0, stdout: '2\n' })
      const bad = await runShell(`printf '{"a":1}\\nbad\\n' | ${cmd('cat - --format jsonl')}`, { env })
      expect(bad).toMatchObject({ code: 3, stdout: '{"a":1}\n' })
      expect(bad.stderr).toContain('ERR_PARSE at line 2 of /dev/stdin')
    })

    /**
     * Runs `command` with a pipe on stdin whose writer sends one record and then stalls until
     * the test is over (or five seconds have passed: it then creates `gave-up`). `then` runs
     * while the command is running, with its pid in `$pid`; `wait` gives its status.
     */
    const withStalledWriter = (name: string, command: string, then: string): Promise<CliResult> => {
      const done = path(`${name}-${engine}.done`)
      const gaveUp = path(`${name}-${engine}.gave-up`)
      const writer = `printf '{"a":1}\\n'; i=0; until [ -e ${sh(done)} ]; do i=$((i+1)); if [ $i -gt 100 ]; then : > ${sh(gaveUp)}; break; fi; sleep 0.05; done`
      return runShell(
        // Stdin from a process substitution (a pipe), so that $! is the command alone, not a pipeline.
        `${cmd(command)} < <(${writer}) > /dev/null & pid=$!; ${then}; wait $pid; status=$?; ` +
          `[ -e ${sh(gaveUp)} ] && echo 'waited for the writer' >&2; : > ${sh(done)}; echo "status=$status" >&2`,
        { env },
      )
    }

    it('ends on Ctrl-C (SIGINT) at once, exit status 130, while the pipe waits for its writer', async () => {
      const r = await withStalledWriter('interrupted', 'cat - --format jsonl', 'sleep 1; kill -INT $pid')
      expect(r.stderr).toBe('status=130\n')
    }, 15_000)

    it('head ends once it has its records, while the pipe waits for its writer', async () => {
      const r = await withStalledWriter('head', 'head -n 1 - --format jsonl', ':')
      expect(r.stderr).toBe('status=0\n')
    }, 15_000)

    it('writes each record out as it arrives, while the writer waits for it', async () => {
      const out = path(`live-${engine}.jsonl`)
      const gaveUp = path(`live-${engine}.gave-up`)
      // The writer sends the second record once the first is in the output, or after five seconds.
      const writer = `printf '{"n":1}\\n'; i=0; until [ -s ${sh(out)} ]; do i=$((i+1)); if [ $i -gt 100 ]; then : > ${sh(gaveUp)}; break; fi; sleep 0.05; done; printf '{"n":2}\\n'`
      const r = await runShell(`(${writer}) | ${cmd('cat - --format jsonl')} > ${sh(out)}`, { env })
      expect(r).toMatchObject({ code: 0, stderr: '' })
      expect(readFileSync(out, 'utf8')).toBe('{"n":1}\n{"n":2}\n')
      expect(existsSync(gaveUp)).toBe(false)
    }, 15_000)
  })

  it('- without --format is a usage error', async () => {
    const r = await run(['count', '-'], '{}\n')
    expect(r).toMatchObject({ code: 2, stdout: '' })
    expect(r.stderr).toContain('needs --format')
  })
})

describe.concurrent('help and version', () => {
  it('--help lists the commands, the options and the exit codes', async () => {
    const r = await run(['--help'])
    expect(r).toMatchObject({ code: 0, stderr: '' })
    for (const word of ['head', 'count', 'describe', 'cat', 'sample', '--where EXPR', '--on-error MODE', 'Exit codes:', '  3  finished, but bad records were skipped']) {
      expect(r.stdout).toContain(word)
    }
  })

  it.each(['head', 'count', 'describe', 'cat', 'sample'])('%s --help and help %s say the same', async (command) => {
    const a = await run([command, '--help'])
    const b = await run(['help', command])
    expect(a).toMatchObject({ code: 0, stderr: '' })
    expect(a.stdout).toMatch(new RegExp(`^Usage: ringstream ${command} `))
    expect(a.stdout).toContain('Exit codes:')
    expect(b.stdout).toBe(a.stdout)
  })

  it('help where explains the expression language', async () => {
    const r = await run(['help', 'where'])
    expect(r.stdout).toContain('startsWith')
    expect(r.stdout).toContain('exists(')
  })

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }
    expect(await run(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' })
  })
})

describe.concurrent('usage errors: exit 2, a message on stderr, nothing on stdout', () => {
  it.each([
    [[], 'no command'],
    [['frobnicate', 'x.jsonl'], 'unknown command'],
    [['cat'], 'needs an input'],
    [['cat', 'x.jsonl', '--limit', 'many'], '--limit needs a whole number'],
    [['cat', 'x.jsonl', '--to', 'xml'], '--to must be one of'],
    [['head', 'x.jsonl', '--bogus'], 'unknown option --bogus'],
    [['describe', 'x.jsonl', '--where', 'a == 1'], 'describe reads no records'],
    [['cat', 'people.jsonl', '--delimiter', '"'], 'must differ'],
    [['cat', 'people.jsonl', '--where', 'name == '], '--where: expected a field or a value'],
  ])('%j', async (args, message) => {
    const r = await run(args)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(message)
    expect(r.stderr.startsWith('ringstream: ')).toBe(true)
    expect(r.stderr).toMatch(/Try 'ringstream .*--help' for more\.\n$/)
  })

  it('a --where syntax error points at its column before anything is read', async () => {
    const r = await run(['cat', 'missing.jsonl', '--where', 'age > 30 and city = "Gent"'])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(
      "ringstream: --where: a single '=' does not compare; write '==' at column 19\n" +
        '  age > 30 and city = "Gent"\n' +
        '                    ^\n' +
        "Try 'ringstream cat --help' for more.\n",
    )
  })
})

describe.concurrent('failures and their exit codes', () => {
  it('a missing input exits 4 and says where it looked', async () => {
    const r = await run(['cat', 'nope.jsonl'])
    expect(r).toMatchObject({ code: 4, stdout: '' })
    expect(r.stderr).toContain('no file, folder or dataset named "nope.jsonl"')
    expect(r.stderr).toContain('--catalog DIR')
    expect((await run(['describe', 'nope', '--catalog', path('catalog')])).code).toBe(4)
  })

  it('skipped records: exit 3 and one summary line, without the library warning', async () => {
    const r = await run(['cat', 'bad.jsonl'])
    expect(r.code).toBe(3)
    expect(lines(r.stdout)).toEqual([{ id: 0 }, { id: 1 }, { id: 3 }, { id: 5 }])
    expect(r.stderr).toBe('ringstream: 2 records skipped (first: ERR_PARSE at line 3 of bad.jsonl); --verbose shows details\n')
    expect((await run(['count', 'bad.jsonl'])).stdout).toBe('4\n')
  })

  it('--verbose lists the first errors with their record and hint', async () => {
    const r = await run(['count', 'bad.jsonl', '--verbose'])
    expect(r.code).toBe(3)
    const [summary, ...details] = r.stderr.trimEnd().split('\n')
    expect(summary).toBe('ringstream: 2 records skipped (first: ERR_PARSE at line 3 of bad.jsonl)')
    expect(details[0]).toMatch(/^ {2}ERR_PARSE: line 3 of .*bad\.jsonl \(byte 19\) is not valid JSON/)
    expect(details).toContain('    record: {"id": 2,')
    expect(details.some((l) => l.startsWith('    hint: '))).toBe(true)
    expect(details.some((l) => l.startsWith('  ERR_PARSE: line 5 of'))).toBe(true)
  })

  it('a processing error (--select on a record that is not an object) is skipped too', async () => {
    const r = await run(['cat', 'mixed.jsonl', '--select', 'name'])
    expect(r.code).toBe(3)
    expect(lines(r.stdout)).toEqual([{ name: 'a' }, { name: 'b' }])
    expect(r.stderr).toContain('1 record skipped (first: ERR_CALLBACK in select at line 2 of mixed.jsonl)')
  })

  it('--on-error raise stops at the first bad record: exit 5 after the good ones', async () => {
    const r = await run(['cat', 'bad.jsonl', '--on-error', 'raise'])
    expect(r.code).toBe(5)
    expect(lines(r.stdout)).toEqual([{ id: 0 }, { id: 1 }])
    expect(r.stderr).toMatch(/^ringstream: stopped at a bad record \(--on-error raise\): line 3 of .*bad\.jsonl/)
    expect(r.stderr).not.toContain('skipped')
  })

  it('--max-errors stops after too many: exit 5', async () => {
    const r = await run(['count', 'bad.jsonl', '--max-errors', '1'])
    expect(r).toMatchObject({ code: 5, stdout: '' })
    expect(r.stderr).toContain('stopped after 2 item errors (--max-errors is 1)')
    expect((await run(['count', 'bad.jsonl', '--max-errors', '2'])).code).toBe(3)
  })

  it('--engine ts is accepted; a clean run exits 0', async () => {
    expect(await run(['count', 'people.jsonl', '--engine', 'ts'])).toMatchObject({ code: 0, stdout: '5\n', stderr: '' })
  })
})

describe('interruption', () => {
  it.runIf(hasPosixShell)('Ctrl-C (SIGINT) ends a long run with exit code 130', async () => {
    const r = await runShell(
      `yes '{"a":1}' | ${sh(process.execPath)} ${sh(cli)} count - --format jsonl & pid=$!; sleep 0.5; kill -INT $pid; wait $pid; echo "status=$?" >&2`,
    )
    expect(r.stdout).toBe('')
    expect(r.stderr).toBe('status=130\n')
  }, 10_000)
})

describe.runIf(hasPosixShell)('a reader that goes away', () => {
  it('cat big.jsonl | head -1 ends quietly with exit 0', async () => {
    const r = await runShell(`${sh(process.execPath)} ${sh(cli)} cat ${sh(path('big.jsonl'))} | head -1; echo "status=\${PIPESTATUS[0]}" >&2`)
    expect(r.stdout).toBe('{"id":0,"payload":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}\n')
    expect(r.stderr).toBe('status=0\n')
  })

  it('also with --to csv, and when the reader closes at once', async () => {
    const r = await runShell(`${sh(process.execPath)} ${sh(cli)} cat ${sh(path('big.jsonl'))} --to csv | true; echo "status=\${PIPESTATUS[0]}" >&2`)
    expect(r.stderr).toBe('status=0\n')
  })
})

describe.runIf(existsSync(join(root, 'dist', 'cli.js')))('the package bin', () => {
  it('package.json names bin/ringstream.js, which loads dist/cli.js', async () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { bin: Record<string, string>; files: string[] }
    expect(pkg.bin).toEqual({ ringstream: 'bin/ringstream.js' })
    expect(pkg.files).toContain('bin')
    expect(readFileSync(join(root, 'bin', 'ringstream.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true)
    const r = await runCli(join(root, 'bin', 'ringstream.js'), ['count', 'datasets/cities.csv'], { cwd: root })
    expect(r).toMatchObject({ code: 0, stdout: '12\n', stderr: '' })
  })
})
