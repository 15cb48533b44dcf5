import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { delimiter as PATH_LIST_DELIMITER, join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type DataSource, RingstreamError, type StreamOptions, stream } from '../ts/index'
import { readUntilError } from './support/collect'
import { ENGINES } from './support/engines'
import { codeOf, rejectionOf, thrownBy } from './support/errors'
import { ids, jsonl, useTempDir } from './support/temp'
import { recordWarnings, warningCode } from './support/warnings'

const FIXTURES = join(__dirname, 'fixtures')

describe.each(ENGINES)('file sources (%s engine)', (engine) => {
  const tmp = useTempDir()

  describe('one file', () => {
    it('reads a .jsonl file', async () => {
      const path = tmp.file('a.jsonl', jsonl(ids(3)))
      expect(await stream(path, { engine }).toArray()).toEqual(ids(3))
    })

    it('reads a .ndjson file as JSON Lines', async () => {
      const path = tmp.file('a.ndjson', '{"x":1}\n{"x":2}\n')
      expect(await stream(path, { engine }).toArray()).toEqual([{ x: 1 }, { x: 2 }])
    })

    it('reads a .csv file with its header', async () => {
      const path = tmp.file('a.csv', 'name,age\nann,31\nbob,42\n')
      expect(await stream(path, { engine }).toArray()).toEqual([
        { name: 'ann', age: '31' },
        { name: 'bob', age: '42' },
      ])
    })

    it('reads a .tsv file with tabs', async () => {
      const path = tmp.file('a.tsv', 'a\tb\n1,5\t2\n')
      expect(await stream(path, { engine }).toArray()).toEqual([{ a: '1,5', b: '2' }])
    })

    it('reads a .json file as an array, element by element', async () => {
      const path = tmp.file('a.json', '[{"x":1}, 2, "three"]')
      expect(await stream(path, { engine }).toArray()).toEqual([{ x: 1 }, 2, 'three'])
    })

    it('lets options.format override the extension', async () => {
      const path = tmp.file('data.txt', 'a;b\n1;2\n')
      expect(await stream(path, { engine, format: 'csv', delimiter: ';' }).toArray()).toEqual([{ a: '1', b: '2' }])
    })

    it('throws ERR_UNSUPPORTED for an unknown extension without a format', () => {
      const path = tmp.file('data.txt', '{"a":1}\n')
      const error = thrownBy(() => [...stream(path, { engine })])
      expect(codeOf(error)).toBe('ERR_UNSUPPORTED')
      expect((error as RingstreamError).hint).toContain('format')
    })

    it('reads a gzip-compressed .jsonl.gz file in for…of and for await', async () => {
      const path = tmp.file('a.jsonl.gz', gzipSync(jsonl(ids(500))))
      expect([...stream(path, { engine, bufferSize: 64 })]).toEqual(ids(500))
      expect(await stream(path, { engine }).toArray()).toEqual(ids(500))
    })

    it('reads a .csv.gz file', async () => {
      const path = tmp.file('a.csv.gz', gzipSync('k,v\na,1\nb,2\n'))
      expect(await stream(path, { engine }).toArray()).toEqual([
        { k: 'a', v: '1' },
        { k: 'b', v: '2' },
      ])
    })

    it('reads concatenated gzip members as one stream', async () => {
      const gz = Buffer.concat([gzipSync(jsonl(ids(2))), gzipSync(jsonl([{ id: 2 }]))])
      const path = tmp.file('multi.jsonl.gz', gz)
      expect(await stream(path, { engine }).toArray()).toEqual(ids(3))
    })

    it('reads every gzip member when one ends exactly where a read ends', async () => {
      const first = gzipSync(jsonl(ids(300)))
      const rest = [gzipSync(jsonl(ids(600).slice(300))), gzipSync(jsonl(ids(700).slice(600)))]
      const path = tmp.file('aligned.jsonl.gz', Buffer.concat([first, ...rest]))
      // Reads of the first member's length end there; one byte at a time ends at every member.
      for (const bufferSize of [first.length, 1]) {
        expect([...stream(path, { engine, bufferSize })], `bufferSize ${bufferSize}`).toEqual(ids(700))
        expect(await stream(path, { engine, bufferSize }).toArray(), `bufferSize ${bufferSize}`).toEqual(ids(700))
      }
    })

    it.each([
      ['a.jsonl.gz', '{"a":1}\n', "not gzip data: it starts with 7b 22 61 22 ('{\"a\"'), and gzip data starts with 1f 8b"],
      ['a.csv.zst', 'id\n1\n', 'not zstd data: it starts with 69 64 0a 31, and a zstd frame starts with 28 b5 2f fd'],
      ['b.jsonl.zst', Buffer.from(gzipSync('{"a":1}\n')), 'not zstd data: it starts with 1f 8b 08 00, and a zstd frame starts with 28 b5 2f fd'],
      ['b.csv.gz', 'x', "not gzip data: it starts with 78 ('x'), and gzip data starts with 1f 8b"],
    ])('says what a %s file that is not so compressed starts with, and how to read it', (name, content, reason) => {
      const path = tmp.file(name, content)
      const error = thrownBy(() => [...stream(path, { engine })])
      expect(codeOf(error)).toBe('ERR_IO')
      expect((error as RingstreamError).message.split('\n')[0]).toBe(`cannot decompress ${path}: ${reason}`)
      expect((error as RingstreamError).hint).toContain("if it is not compressed, pass { compression: 'none' }")
      expect(() => [...stream(path, { engine, compression: 'none' })]).not.toThrow()
    })

    describe('a .gz file that is not intact is an ERR_IO error, after the records before the damage', () => {
      // Past the head that a read samples first (64 KiB), so the engine's own reader meets the damage.
      const count = 20000
      const body = jsonl(ids(count))
      /** Stored (level 0) deflate blocks, so a changed byte changes the text and only the checksum can tell. */
      const stored = () => gzipSync(body, { level: 0 })

      const trailing = `incorrect header check: the bytes from compressed byte ${stored().length} on, after gzip member 1, are not another gzip member`

      // The same words from both engines, which run the same zlib code (gzip_members.rs, gunzip.ts).
      it.each([
        ['a changed byte (checksum)', 'incorrect data check: the CRC-32 of the gzip data does not match: its bytes are damaged', () => {
          const gz = stored()
          const at = gz.indexOf(Buffer.from('"id":15000'))
          gz[at + 6] = '7'.charCodeAt(0)
          return gz
        }],
        ['a changed length', 'incorrect length check: the length of the gzip data does not match: bytes are missing or damaged', () => {
          const gz = stored()
          gz[gz.length - 4] ^= 1
          return gz
        }],
        ['a cut end', 'unexpected end of file: the gzip data is cut short', () => stored().subarray(0, -5)],
        ['a cut second member', `unexpected end of file: gzip member 2 (from compressed byte ${stored().length}) is cut short`, () => Buffer.concat([stored(), gzipSync('{"id":20000}\n').subarray(0, 12)])],
        ['trailing zeros', trailing, () => Buffer.concat([stored(), Buffer.alloc(16)])],
        ['trailing text', trailing, () => Buffer.concat([stored(), Buffer.from('not gzip\n')])],
        ['a damaged header', 'unknown compression method: the header of the gzip data is damaged', () => {
          const gz = stored()
          gz[2] = 7
          return gz
        }],
        ['no bytes at all', 'unexpected end of file: the input is empty', () => Buffer.alloc(0)],
      ])('%s', (name, reason, bytes) => {
        const path = tmp.file(`damaged-${name.replace(/\W+/g, '-')}.jsonl.gz`, bytes())
        const { records, error } = readUntilError(path, { engine })
        expect(codeOf(error), name).toBe('ERR_IO')
        expect((error as Error).message.split('\n')[0]).toBe(`cannot decompress ${path}: ${reason}`)
        // What to try follows from what went wrong.
        const hint = (error as RingstreamError).hint
        if (name === 'no bytes at all') expect(hint).toBe('the file is empty: whatever wrote it wrote nothing')
        else if (name.startsWith('a cut')) expect(hint).toBe('the file stops part way, as a download or copy that was cut off does; check it with gzip -t, and fetch it again')
        else expect(hint).toBe("the file's bytes are damaged; check it with gzip -t, and fetch an intact copy")
        // What came before the damage is read (the changed record with it: the checksum comes
        // at the member's end); nothing else is made up.
        expect(records.length).toBeLessThanOrEqual(count)
        expect(records).toEqual(ids(records.length).map((r) => (r.id === 15000 ? records[15000] : r)))
        // Both engines hand over every byte of a member before its checksum (at its end) fails.
        if (name.includes('checksum')) expect(records.length).toBe(count)
      })
    })

    it('takes the compression from options.compression over the name', async () => {
      const gz = tmp.file('data.csv', gzipSync('a,b\n1,2\n'))
      expect(await stream(gz, { engine, compression: 'gzip' }).toArray()).toEqual([{ a: '1', b: '2' }])
      expect((await stream(gz, { engine, compression: 'gzip' }).metadata()).compression).toBe('gzip')
      const zst = tmp.file('events.bin', readFileSync(join(__dirname, 'fixtures', 'events.jsonl.zst')))
      const expected = await stream(join(__dirname, 'fixtures', 'events.jsonl'), { engine }).toArray()
      expect(await stream(zst, { engine, format: 'jsonl', compression: 'zstd' }).toArray()).toEqual(expected)
      const plain = tmp.file('plain.jsonl.gz', '{"a":1}\n')
      expect([...stream(plain, { engine, compression: 'none' })]).toEqual([{ a: 1 }])
    })

    describe('a file whose first bytes cannot start UTF-8 text', () => {
      const utf32le = (text: string) =>
        Buffer.from(
          Array.from(`\ufeff${text}`).flatMap((c) => {
            const cp = c.codePointAt(0) ?? 0
            return [cp & 0xff, (cp >> 8) & 0xff, cp >> 16, 0]
          }),
        )
      it.each([
        ['UTF-16LE', 'UTF-16', () => Buffer.from('\ufeffid,name\r\n1,Ann\r\n', 'utf16le')],
        ['UTF-16BE', 'UTF-16', () => Buffer.from('\ufeffid,name\r\n1,Ann\r\n', 'utf16le').swap16()],
        ['UTF-32LE', 'UTF-32', () => utf32le('id,name\n1,Ann\n')],
      ] as const)('%s text is one ERR_UNSUPPORTED error that says how to convert it, not records of NULs', async (_written, encoding, bytes) => {
        const path = tmp.file('excel.csv', bytes())
        const records: unknown[] = []
        const error = thrownBy(() => {
          for (const record of stream(path, { engine, onError: () => undefined })) records.push(record)
        })
        expect(records).toEqual([])
        expect(codeOf(error)).toBe('ERR_UNSUPPORTED')
        expect((error as RingstreamError).message.split('\n')[0]).toBe(`${path} holds ${encoding} text (it starts with a byte-order mark); ringstream reads UTF-8`)
        expect((error as RingstreamError).hint).toBe(`convert it to UTF-8 first, for example: iconv -f ${encoding} -t UTF-8 in > out`)
        expect(codeOf(await rejectionOf(stream(path, { engine }).metadata()))).toBe('ERR_UNSUPPORTED')
        // Whatever compression option is given for it.
        expect(codeOf(thrownBy(() => [...stream(path, { engine, compression: 'none' })]))).toBe('ERR_UNSUPPORTED')
      })
    })

    describe('a compressed file whose name does not say so', () => {
      const zstdEvents = () => readFileSync(join(__dirname, 'fixtures', 'events.jsonl.zst'))
      // What pzstd writes first: a skippable frame (magic, length, 4 bytes of its own).
      const skippable = Buffer.from([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 0x15, 0, 0, 0])
      it.each([
        ['gzip', 'events.jsonl', () => gzipSync(jsonl(ids(50))), "gzip's signature, 1f 8b", '.gz'],
        ['zstd', 'events.jsonl', zstdEvents, "zstd's signature, 28 b5 2f fd", '.zst'],
        ['zstd', 'pzstd.jsonl', () => Buffer.concat([skippable, zstdEvents()]), 'a skippable zstd frame, 5? 2a 4d 18', '.zst'],
        ['gzip', 'table.csv', () => gzipSync('a,b\n1,2\n'), "gzip's signature, 1f 8b", '.gz'],
        ['gzip', 'list.json', () => gzipSync('[1,2]'), "gzip's signature, 1f 8b", '.gz'],
      ] as const)('%s in %s is one ERR_UNSUPPORTED error that names the compression, whatever onError says', async (compression, name, bytes, signature, extension) => {
        const path = tmp.file(name, bytes())
        const errors: unknown[] = []
        for (const onError of ['skip', 'raise', (e: unknown) => void errors.push(e)] as const) {
          const error = thrownBy(() => [...stream(path, { engine, onError })])
          expect(codeOf(error)).toBe('ERR_UNSUPPORTED')
          expect((error as RingstreamError).message.split('\n')[0]).toBe(`${path} holds ${compression}-compressed data (it starts with ${signature}), but its name does not end in ${extension}`)
          expect((error as RingstreamError).hint).toBe(`pass { compression: '${compression}' }, or rename the file to end in ${extension}`)
        }
        expect(errors).toEqual([])
        expect(codeOf(await rejectionOf(stream(path, { engine }).metadata()))).toBe('ERR_UNSUPPORTED')
        // As its advice says.
        expect((await stream(path, { engine, compression }).toArray()).length).toBeGreaterThan(0)
      })

      it('is read as it is when options.compression says none', () => {
        const path = tmp.file('events.jsonl', gzipSync(jsonl(ids(50))))
        const codes: string[] = []
        expect([...stream(path, { engine, compression: 'none', onError: (e) => void codes.push(e.code) })]).toEqual([])
        expect(codes.length).toBeGreaterThan(0)
        expect(new Set(codes)).toEqual(new Set(['ERR_INVALID_UTF8']))
      })

      it('is found in each file of a folder, after the records of the files before it', () => {
        tmp.file('shards/a.jsonl', jsonl(ids(3)))
        tmp.file('shards/b.jsonl', gzipSync(jsonl(ids(3))))
        const records: unknown[] = []
        const error = thrownBy(() => {
          for (const record of stream(tmp.path('shards'), { engine })) records.push(record)
        })
        expect(records).toEqual(ids(3))
        expect((error as RingstreamError).message).toContain(`b.jsonl holds gzip-compressed data`)
      })

      it.each([
        // `(` is also the first byte of zstd's signature.
        ['( before a record', Buffer.from('({"id":0}\n{"id":1}\n'), 'ERR_PARSE'],
        // Bytes that are not UTF-8 look alike in an excerpt (one U+FFFD each), marks or not.
        ['ff ff', Buffer.from([0xff, 0xff, 0x0a, ...Buffer.from('{"id":1}\n')]), 'ERR_INVALID_UTF8'],
        ['a JPEG signature, ff d8 ff', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x0a, ...Buffer.from('{"id":1}\n')]), 'ERR_INVALID_UTF8'],
        ['1f and another byte that is not gzip', Buffer.from([0x1f, 0x8c, 0x0a, ...Buffer.from('{"id":1}\n')]), 'ERR_INVALID_UTF8'],
      ] as const)('leaves a file whose first record is bad, starting with %s, to the usual item errors', (_name, bytes, code) => {
        const path = tmp.file('bad-first.jsonl', bytes)
        const codes: string[] = []
        expect([...stream(path, { engine, onError: (e) => void codes.push(e.code) })]).toEqual([{ id: 1 }])
        expect(codes).toEqual([code])
      })
    })

    it('reports line and byte positions in the decompressed bytes of a .gz file', async () => {
      const path = tmp.file('bad.jsonl.gz', gzipSync('{"id":0}\nbroken\n'))
      const errors: Array<[number | null, number | null]> = []
      await stream(path, { engine, onError: (e) => void errors.push([e.line, e.byteOffset]) }).toArray()
      expect(errors).toEqual([[2, 9]])
    })

    it('throws ERR_IO for a .gz file that is not gzip', async () => {
      const path = tmp.file('fake.jsonl.gz', '{"not":"compressed"}\n')
      const error = await rejectionOf(stream(path, { engine }).toArray())
      expect(codeOf(error)).toBe('ERR_IO')
    })
  })

  // A pipe's bytes can be read once: a head sample taken before the read would eat them, and
  // the read after it would wait for a writer that has gone.
  describe.skipIf(process.platform === 'win32')('a named pipe', () => {
    /**
     * A pipe at `name` that a separate process fills with `content` once a reader opens it. Five
     * seconds later it opens the pipe once more and closes it at once: a reader still waiting for
     * a writer (one that opened the pipe a second time) then ends, and the test fails rather
     * than hangs. Kill it once the test is done.
     */
    function pipeOf(name: string, content: string | Uint8Array): { path: string; writer: ChildProcess } {
      const path = tmp.path(name)
      execFileSync('mkfifo', [path])
      const source = tmp.file(`${name}.source`, content)
      const writer = spawn('sh', ['-c', 'cat "$0" > "$1"; sleep 5; : > "$1"', source, path], { stdio: 'ignore' })
      return { path, writer }
    }

    const records = ids(3000)

    it('is read once, in full, by for…of', () => {
      const { path, writer } = pipeOf('in.jsonl', jsonl(records))
      try {
        expect([...stream(path, { engine })]).toEqual(records)
      } finally {
        writer.kill()
      }
    })

    it('is read once, in full, by a terminal, CSV too', async () => {
      const { path, writer } = pipeOf('in.csv', 'id\n' + records.map((r) => `${r.id}\n`).join(''))
      try {
        expect(await stream(path, { engine }).toArray()).toEqual(records.map((r) => ({ id: String(r.id) })))
      } finally {
        writer.kill()
      }
    })

    it('is decompressed as options.compression says, its name saying nothing', () => {
      const { path, writer } = pipeOf('stdin', gzipSync(jsonl(records)))
      try {
        expect([...stream(path, { engine, format: 'jsonl', compression: 'gzip' })]).toEqual(records)
      } finally {
        writer.kill()
      }
    })

    it.each(['jsonl', 'json'] as const)('of gzip without options.compression is one ERR_UNSUPPORTED error that says to give it (%s)', (format) => {
      const { path, writer } = pipeOf('stdin', gzipSync(format === 'json' ? JSON.stringify(records) : jsonl(records)))
      try {
        const error = thrownBy(() => [...stream(path, { engine, format })])
        expect((error as RingstreamError).message.split('\n')[0]).toBe(`${path} holds gzip-compressed data (it starts with gzip's signature, 1f 8b), but no compression was given`)
        expect((error as RingstreamError).hint).toBe("pass { compression: 'gzip' }")
      } finally {
        writer.kill()
      }
    })

    /**
     * A pipe `<name>.jsonl` whose writer sends `first`, then waits for the reader to create
     * `<name>.go` before it sends `rest` and closes. After five seconds it stops waiting, creates
     * `<name>.gave-up` and sends the rest anyway, so a reader that waits for more than it has
     * fails instead of hanging.
     */
    function livePipe(name: string, first: string, rest: string): { path: string; go: string; gaveUp: string; writer: ChildProcess } {
      const path = tmp.path(`${name}.jsonl`)
      const go = tmp.path(`${name}.go`)
      const gaveUp = tmp.path(`${name}.gave-up`)
      execFileSync('mkfifo', [path])
      const script = 'exec 3>"$0"; printf "$1" >&3; i=0; while [ ! -e "$3" ]; do i=$((i+1)); if [ $i -gt 100 ]; then : > "$4"; break; fi; sleep 0.05; done; printf "$2" >&3'
      const writer = spawn('sh', ['-c', script, path, first, rest, go, gaveUp], { stdio: 'ignore' })
      return { path, go, gaveUp, writer }
    }

    it('hands over records as they arrive, not when a batch is full, in for…of and for await', async () => {
      for (const loop of ['sync', 'async'] as const) {
        const { path, go, gaveUp, writer } = livePipe(loop, '{"n":1}\\n{"n"', ':2}\\n')
        try {
          const seen: Array<[unknown, boolean]> = []
          const take = (record: unknown): void => {
            seen.push([record, existsSync(gaveUp)])
            writeFileSync(go, '')
          }
          if (loop === 'sync') for (const record of stream(path, { engine })) take(record)
          else for await (const record of stream(path, { engine })) take(record)
          expect(seen, loop).toEqual([
            [{ n: 1 }, false],
            [{ n: 2 }, false],
          ])
        } finally {
          writer.kill()
        }
      }
    })

    it('lets go of a pipe at once when the loop breaks, its writer still holding it open', async () => {
      for (const loop of ['sync', 'async'] as const) {
        // The writer is never told to go: it gives up after five seconds.
        const { path, gaveUp, writer } = livePipe(`stalled-${loop}`, '{"n":1}\\n{"n"', ':2}\\n')
        try {
          const seen: unknown[] = []
          if (loop === 'sync') {
            for (const record of stream(path, { engine })) {
              seen.push(record)
              break
            }
          } else {
            for await (const record of stream(path, { engine })) {
              seen.push(record)
              break
            }
          }
          expect(seen, loop).toEqual([{ n: 1 }])
          expect(existsSync(gaveUp), `${loop}: the loop waited for the writer`).toBe(false)
        } finally {
          writer.kill()
        }
      }
    })

    /** The reads and pipes under way in this process, which keep it alive while they last. */
    const pendingIo = (): string[] => process.getActiveResourcesInfo().filter((kind) => kind === 'FSReqCallback' || kind === 'PipeWrap')

    it('ends a wait on a pipe at once when the signal aborts, its writer still holding it open', async () => {
      // The writer is never told to go: it gives up after five seconds.
      const { path, gaveUp, writer } = livePipe('aborted', '{"n":1}\\n', '{"n":2}\\n')
      const ioBefore = pendingIo()
      try {
        const controller = new AbortController()
        const seen: unknown[] = []
        const error = await rejectionOf(
          (async () => {
            for await (const record of stream(path, { engine, signal: controller.signal })) {
              seen.push(record)
              // Aborted while the next read waits for the writer.
              setTimeout(() => controller.abort(), 50)
            }
          })(),
        )
        expect(seen).toEqual([{ n: 1 }])
        expect((error as Error).name).toBe('AbortError')
        expect(existsSync(gaveUp), 'the loop waited for the writer').toBe(false)
        // Nothing is left waiting for the writer, which would keep the process from exiting (a
        // read on libuv's thread pool cannot be called off); a closed handle goes a turn later.
        await new Promise((resolve) => setImmediate(resolve))
        expect(pendingIo()).toEqual(ioBefore)
      } finally {
        writer.kill()
      }
    })

    /**
     * A pipe `<name>.jsonl` whose writer opens it, sends `content` and closes only once the reader
     * creates `<name>.go`; after five seconds it stops waiting, creates `<name>.gave-up` and
     * goes on, so a reader that holds up the event loop fails instead of hanging.
     */
    function lateWriter(name: string, content: string): { path: string; go: string; gaveUp: string; writer: ChildProcess } {
      const path = tmp.path(`${name}.jsonl`)
      const go = tmp.path(`${name}.go`)
      const gaveUp = tmp.path(`${name}.gave-up`)
      execFileSync('mkfifo', [path])
      const script = 'i=0; while [ ! -e "$2" ]; do i=$((i+1)); if [ $i -gt 100 ]; then : > "$3"; break; fi; sleep 0.05; done; printf "$1" > "$0"'
      const writer = spawn('sh', ['-c', script, path, content, go, gaveUp], { stdio: 'ignore' })
      return { path, go, gaveUp, writer }
    }

    // The TS engine opens a FIFO without waiting for its writer on Linux only (byte-source.ts).
    it.skipIf(engine === 'ts' && process.platform !== 'linux')('waits for the writer of a pipe without holding up the event loop, in for await', async () => {
      const { path, go, gaveUp, writer } = lateWriter('late', '{"n":1}\\n')
      try {
        // The writer comes when a timer says so, which it can only while the event loop runs.
        setTimeout(() => writeFileSync(go, ''), 20)
        const seen: unknown[] = []
        for await (const record of stream(path, { engine })) seen.push(record)
        expect(seen).toEqual([{ n: 1 }])
        expect(existsSync(gaveUp), 'the event loop waited for the writer').toBe(false)
      } finally {
        writer.kill()
      }
    })

    it.skipIf(engine === 'ts' && process.platform !== 'linux')('lets go of a pipe no writer has opened yet when the signal aborts', async () => {
      // The writer is never told to come: it gives up after five seconds.
      const { path, gaveUp, writer } = lateWriter('never', '{"n":1}\\n')
      const ioBefore = pendingIo()
      try {
        const controller = new AbortController()
        setTimeout(() => controller.abort(), 20)
        const error = await rejectionOf(stream(path, { engine, signal: controller.signal }).toArray())
        expect((error as Error).name).toBe('AbortError')
        expect(existsSync(gaveUp), 'the event loop waited for the writer').toBe(false)
        await new Promise((resolve) => setImmediate(resolve))
        expect(pendingIo()).toEqual(ioBefore)
      } finally {
        writer.kill()
      }
    })

    it('has metadata that reads none of it, and no size', async () => {
      const { path, writer } = pipeOf('in.jsonl', jsonl(records))
      try {
        const meta = await stream(path, { engine }).metadata()
        expect(meta).toMatchObject({ totalBytes: null, estimatedRecords: null, averageRecordBytes: null, memoryEstimateMb: null, recommendedBatchSize: 1024 })
        expect(await stream(path, { engine }).count()).toBe(records.length)
      } finally {
        writer.kill()
      }
    })
  })

  describe('a folder', () => {
    it('reads its data files recursively, sorted by relative path in code-unit order', async () => {
      for (const name of ['b.jsonl', 'a10.jsonl', 'a2.jsonl', 'B.jsonl', 'a.jsonl', 'a/z.jsonl', 'year=2024/m=01.jsonl']) {
        tmp.file(`ds/${name}`, jsonl([{ f: name }]))
      }
      const names = (await stream(tmp.path('ds'), { engine }).toArray()).map((r) => r.f)
      expect(names).toEqual(['B.jsonl', 'a.jsonl', 'a/z.jsonl', 'a10.jsonl', 'a2.jsonl', 'b.jsonl', 'year=2024/m=01.jsonl'])
    })

    it('skips hidden and _-prefixed files and folders and files without a data extension', async () => {
      tmp.file('ds/part-1.jsonl', jsonl([{ f: 1 }]))
      tmp.file('ds/.part-0.jsonl', jsonl([{ f: 'hidden' }]))
      tmp.file('ds/_tmp.jsonl', jsonl([{ f: 'underscore' }]))
      tmp.file('ds/_SUCCESS', '')
      tmp.file('ds/.part-1.jsonl.crc', 'crc')
      tmp.file('ds/_temporary/part-2.jsonl', jsonl([{ f: 'temporary' }]))
      tmp.file('ds/.git/x.jsonl', jsonl([{ f: 'git' }]))
      tmp.file('ds/README.md', '# not data')
      tmp.file('ds/sub/part-3.jsonl', jsonl([{ f: 3 }]))
      expect(await stream(tmp.path('ds'), { engine }).toArray()).toEqual([{ f: 1 }, { f: 3 }])
    })

    it('reads extension-less shards when format is given', async () => {
      tmp.file('ds/part-00000', jsonl([{ f: 0 }]))
      tmp.file('ds/part-00001', jsonl([{ f: 1 }]))
      tmp.file('ds/_SUCCESS', '')
      expect(await stream(tmp.path('ds'), { engine, format: 'jsonl' }).toArray()).toEqual([{ f: 0 }, { f: 1 }])
    })

    it('parses every file by its own extension, each CSV with its own header', async () => {
      tmp.file('ds/1.csv', 'a,b\n1,2\n')
      tmp.file('ds/2.csv', 'b,a\n3,4\n')
      tmp.file('ds/3.jsonl', '{"a":"5"}\n')
      expect(await stream(tmp.path('ds'), { engine }).toArray()).toEqual([{ a: '1', b: '2' }, { b: '3', a: '4' }, { a: '5' }])
    })

    it('gives nothing for an empty folder', async () => {
      expect(await stream(tmp.mkdir('empty'), { engine }).toArray()).toEqual([])
    })

    it('counts lines per file in errors', async () => {
      tmp.file('ds/a.jsonl', '{"a":1}\n{"a":2}\n')
      const b = tmp.file('ds/b.jsonl', '{"b":1}\nbad\n')
      const errors: Array<[string | null, number | null]> = []
      await stream(tmp.path('ds'), { engine, onError: (e) => void errors.push([e.path, e.line]) }).toArray()
      expect(errors).toEqual([[b, 2]])
    })
  })

  describe('an array of paths', () => {
    it('reads the files in the order given', async () => {
      const a = tmp.file('a.jsonl', jsonl([{ f: 'a' }]))
      const b = tmp.file('b.jsonl', jsonl([{ f: 'b' }]))
      expect(await stream([b, a, b], { engine }).toArray()).toEqual([{ f: 'b' }, { f: 'a' }, { f: 'b' }])
    })

    it('may mix files and folders', async () => {
      const a = tmp.file('a.csv', 'x\n1\n')
      tmp.file('ds/b.jsonl', '{"x":"2"}\n')
      expect(await stream([tmp.path('ds'), a], { engine }).toArray()).toEqual([{ x: '2' }, { x: '1' }])
    })

    it('throws ERR_NOT_FOUND naming a missing member at iteration', () => {
      const a = tmp.file('a.jsonl', jsonl(ids(1)))
      const missing = tmp.path('missing.jsonl')
      const s = stream([a, missing], { engine })
      const error = thrownBy(() => [...s])
      expect(codeOf(error)).toBe('ERR_NOT_FOUND')
      expect((error as Error).message).toContain(missing)
    })
  })

  describe('a dataset name', () => {
    const env = { saved: undefined as string | undefined }
    beforeEach(() => {
      env.saved = process.env.RINGSTREAM_DATA
    })
    afterEach(() => {
      if (env.saved === undefined) delete process.env.RINGSTREAM_DATA
      else process.env.RINGSTREAM_DATA = env.saved
    })

    it('finds <catalog>/<name>.<ext> through options.catalog', async () => {
      tmp.file('catalog/sales.csv', 'id,total\n1,9.5\n')
      expect(await stream('sales', { engine, catalog: tmp.path('catalog') }).toArray()).toEqual([{ id: '1', total: '9.5' }])
    })

    it('finds a compressed <name>.jsonl.gz', async () => {
      tmp.file('catalog/logs.jsonl.gz', gzipSync(jsonl(ids(2))))
      expect(await stream('logs', { engine, catalog: tmp.path('catalog') }).toArray()).toEqual(ids(2))
    })

    it('finds a dataset folder <catalog>/<name>/ and reads its shards', async () => {
      tmp.file('catalog/events/p1.jsonl', jsonl([{ p: 1 }]))
      tmp.file('catalog/events/p2.jsonl', jsonl([{ p: 2 }]))
      expect(await stream('events', { engine, catalog: tmp.path('catalog') }).toArray()).toEqual([{ p: 1 }, { p: 2 }])
    })

    it('searches the RINGSTREAM_DATA path list in order when no catalog is given', async () => {
      tmp.file('first/other.jsonl', jsonl([{ from: 'first' }]))
      tmp.file('second/wanted.jsonl', jsonl([{ from: 'second' }]))
      tmp.file('third/wanted.jsonl', jsonl([{ from: 'third' }]))
      process.env.RINGSTREAM_DATA = [tmp.path('first'), tmp.path('second'), tmp.path('third')].join(PATH_LIST_DELIMITER)
      expect(await stream('wanted', { engine }).toArray()).toEqual([{ from: 'second' }])
    })

    it('prefers options.catalog over RINGSTREAM_DATA', async () => {
      tmp.file('env/d.jsonl', jsonl([{ from: 'env' }]))
      tmp.file('opt/d.jsonl', jsonl([{ from: 'option' }]))
      process.env.RINGSTREAM_DATA = tmp.path('env')
      expect(await stream('d', { engine, catalog: tmp.path('opt') }).toArray()).toEqual([{ from: 'option' }])
    })

    it('applies the options of the folder’s ringstream.json manifest', async () => {
      tmp.file('catalog/sales/ringstream.json', JSON.stringify({ description: 'Daily sales', options: { format: 'csv', types: 'infer', delimiter: ';' } }))
      tmp.file('catalog/sales/part-0', 'id;total;paid\n1;9.5;true\n')
      expect(await stream('sales', { engine, catalog: tmp.path('catalog') }).toArray()).toEqual([{ id: 1, total: 9.5, paid: true }])
    })

    it('lets the caller’s options win over the manifest’s', async () => {
      tmp.file('catalog/sales/ringstream.json', JSON.stringify({ options: { format: 'csv', types: 'infer' } }))
      tmp.file('catalog/sales/a.csv', 'id\n1\n')
      expect(await stream('sales', { engine, catalog: tmp.path('catalog'), types: 'string' }).toArray()).toEqual([{ id: '1' }])
    })

    it('applies the manifest when the folder is given as a path too', async () => {
      tmp.file('ds/ringstream.json', JSON.stringify({ options: { header: false } }))
      tmp.file('ds/a.csv', 'x,y\n')
      expect(await stream(tmp.path('ds'), { engine }).toArray()).toEqual([['x', 'y']])
    })

    it('does not read the manifest as data', async () => {
      tmp.file('ds/ringstream.json', JSON.stringify({ description: 'd' }))
      tmp.file('ds/a.json', '[1]')
      expect(await stream(tmp.path('ds'), { engine }).toArray()).toEqual([1])
    })

    it('throws ERR_INVALID_ARGUMENT at iteration for a manifest that is not JSON', () => {
      tmp.file('ds/ringstream.json', '{ description: oops')
      tmp.file('ds/a.jsonl', '{}\n')
      const s = stream(tmp.path('ds'), { engine })
      const error = thrownBy(() => [...s])
      expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
      expect((error as Error).message).toContain('ringstream.json')
    })

    it('throws ERR_INVALID_ARGUMENT for a manifest option that does not exist', () => {
      tmp.file('ds/ringstream.json', JSON.stringify({ options: { onError: 'raise' } }))
      tmp.file('ds/a.jsonl', '{}\n')
      const error = thrownBy(() => [...stream(tmp.path('ds'), { engine })])
      expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
      expect((error as Error).message).toContain('onError')
    })

    it('throws ERR_NOT_FOUND listing every place it looked and the closest names', async () => {
      tmp.file('catalog/events/p.jsonl', '{}\n')
      tmp.file('catalog/eventz.csv', 'a\n')
      tmp.file('catalog/unrelated.jsonl', '{}\n')
      const catalog = tmp.path('catalog')
      const error = await rejectionOf(stream('evnts', { engine, catalog }).toArray())
      expect(error).toBeInstanceOf(RingstreamError)
      expect(codeOf(error)).toBe('ERR_NOT_FOUND')
      const message = (error as Error).message
      expect(message).toContain('"evnts"')
      expect(message).toContain(join(catalog, 'evnts'))
      expect(message).toContain(join(catalog, 'evnts.{'))
      const hint = (error as RingstreamError).hint ?? ''
      expect(hint).toContain('"events"')
      expect(hint).toContain('"eventz"')
      expect(hint).not.toContain('unrelated')
    })

    it('lists every RINGSTREAM_DATA folder it looked in', () => {
      process.env.RINGSTREAM_DATA = [tmp.mkdir('one'), tmp.mkdir('two')].join(PATH_LIST_DELIMITER)
      const error = thrownBy(() => [...stream('ghost', { engine })])
      expect(codeOf(error)).toBe('ERR_NOT_FOUND')
      expect((error as Error).message).toContain(join(tmp.path('one'), 'ghost'))
      expect((error as Error).message).toContain(join(tmp.path('two'), 'ghost'))
    })

    it('suggests the catalog setting when no name is close', () => {
      const error = thrownBy(() => [...stream('zzzzzzzz', { engine, catalog: tmp.mkdir('empty') })])
      expect((error as RingstreamError).hint).toMatch(/catalog|RINGSTREAM_DATA/)
    })
  })
})

describe('custom sources', () => {
  describe('a data source with readBatches', () => {
    it('receives options.batchSize and its batches become the records', () => {
      const sizes: number[] = []
      const source: DataSource<number> = {
        *readBatches(size) {
          sizes.push(size)
          yield [1, 2]
          yield []
          yield [3]
        },
      }
      expect([...stream(source, { batchSize: 7 })]).toEqual([1, 2, 3])
      expect(sizes).toEqual([7])
    })

    it('leaves the arrays it yields as they were', async () => {
      const batches = [
        [1, 2, 3],
        [4, 5],
      ]
      const source: DataSource<number> = {
        *readBatches() {
          yield* batches
        },
      }
      expect([...stream(source)]).toEqual([1, 2, 3, 4, 5])
      expect(await stream(source).toArray()).toEqual([1, 2, 3, 4, 5])
      expect(batches).toEqual([
        [1, 2, 3],
        [4, 5],
      ])
    })

    it('is called again at every iteration', async () => {
      let calls = 0
      const source: DataSource<number> = {
        *readBatches() {
          calls++
          yield [calls]
        },
      }
      const s = stream(source)
      expect([...s]).toEqual([1])
      expect(await s.toArray()).toEqual([2])
    })

    it('gets its own recommendedBatchSize when no batchSize is given', () => {
      const sizes: number[] = []
      const source: DataSource<number> = {
        *readBatches(size) {
          sizes.push(size)
        },
        metadata: () => ({ recommendedBatchSize: 33 }),
      }
      ;[...stream(source)]
      expect(sizes).toEqual([33])
    })

    it('does not ask metadata() for a batch size when batchSize is given', () => {
      let asked = 0
      const source: DataSource<number> = {
        *readBatches() {
          yield [1]
        },
        metadata: () => {
          asked++
          return { recommendedBatchSize: 33 }
        },
      }
      expect([...stream(source, { batchSize: 5 })]).toEqual([1])
      expect(asked).toBe(0)
    })

    it('reads a source whose async metadata() rejects, leaving no unhandled rejection', async () => {
      const unhandled: unknown[] = []
      const listener = (reason: unknown) => void unhandled.push(reason)
      process.on('unhandledRejection', listener)
      try {
        const source: DataSource<number> = {
          *readBatches(size) {
            yield [size]
          },
          metadata: async () => {
            throw new Error('metadata service down')
          },
        }
        expect([...stream(source)]).toEqual([1024])
        await new Promise((resolve) => setTimeout(resolve, 10))
      } finally {
        process.off('unhandledRejection', listener)
      }
      expect(unhandled).toEqual([])
    })

    it('gets 1024 when nothing suggests a batch size', () => {
      const sizes: number[] = []
      ;[...stream({ *readBatches(size: number) { sizes.push(size) } })]
      expect(sizes).toEqual([1024])
    })

    it('may be asynchronous for for await', async () => {
      const sizes: number[] = []
      const source: DataSource<string> = {
        async *readBatches(size) {
          sizes.push(size)
          yield ['a']
          await new Promise((resolve) => setImmediate(resolve))
          yield ['b', 'c']
        },
      }
      expect(await stream(source, { batchSize: 5 }).toArray()).toEqual(['a', 'b', 'c'])
      expect(sizes).toEqual([5])
    })

    it('throws ERR_ASYNC_IN_SYNC in for…of when asynchronous', () => {
      const source: DataSource<string> = {
        async *readBatches() {
          yield ['a']
        },
      }
      const error = thrownBy(() => [...stream(source)])
      expect(codeOf(error)).toBe('ERR_ASYNC_IN_SYNC')
    })

    it('throws a TypeError when a batch is not an array', () => {
      const source = {
        *readBatches() {
          yield 5 as unknown as number[]
        },
      }
      expect(() => [...stream(source)]).toThrow(TypeError)
    })
  })

  describe('iterables', () => {
    it('reads a sync iterable of records in for…of and for await', async () => {
      const s = stream(new Set([{ a: 1 }, { a: 2 }]))
      expect([...s]).toEqual([{ a: 1 }, { a: 2 }])
      expect(await s.toArray()).toEqual([{ a: 1 }, { a: 2 }])
    })

    it('reads an array of non-strings as records, again at every iteration', () => {
      const s = stream([1, 2, 3])
      expect([...s]).toEqual([1, 2, 3])
      expect([...s]).toEqual([1, 2, 3])
    })

    it('groups a sync iterable into batches of batchSize', () => {
      let pulled = 0
      const it = stream(function* () {
        for (let i = 0; i < 100; i++) {
          pulled++
          yield i
        }
      }, { batchSize: 10 })[Symbol.iterator]()
      it.next()
      expect(pulled).toBe(10)
      it.return()
    })

    it('reads an async iterable in for await, handing on each record as it arrives', async () => {
      let pulled = 0
      async function* feed() {
        for (let i = 0; ; i++) {
          pulled++
          yield i
        }
      }
      const it = stream(feed, { batchSize: 100 })[Symbol.asyncIterator]()
      expect(await it.next()).toEqual({ done: false, value: 0 })
      expect(pulled).toBe(1)
      await it.return()
    })

    it('throws ERR_ASYNC_IN_SYNC when an async iterable meets for…of', () => {
      async function* feed() {
        yield 1
      }
      const error = thrownBy(() => [...stream(feed())])
      expect(error).toBeInstanceOf(RingstreamError)
      expect(codeOf(error)).toBe('ERR_ASYNC_IN_SYNC')
      expect((error as RingstreamError).hint).toContain('for await')
    })

    it('makes a generator re-iterable through a function source', async () => {
      let calls = 0
      const s = stream(function* () {
        calls++
        yield 'x'
        yield 'y'
      })
      expect([...s]).toEqual(['x', 'y'])
      expect(await s.toArray()).toEqual(['x', 'y'])
      expect(calls).toBe(2)
    })

    it('runs a generator’s finally block when the loop breaks', () => {
      let cleaned = false
      const s = stream(function* () {
        try {
          for (let i = 0; ; i++) yield i
        } finally {
          cleaned = true
        }
      }, { batchSize: 4 })
      for (const n of s) if (n === 1) break
      expect(cleaned).toBe(true)
    })
  })

  describe('Node Readable', () => {
    it('reads an object-mode Readable in for await', async () => {
      const readable = Readable.from([{ a: 1 }, { a: 2 }])
      expect(await stream(readable).toArray()).toEqual([{ a: 1 }, { a: 2 }])
    })

    it('throws ERR_ASYNC_IN_SYNC when a Readable meets for…of', () => {
      const error = thrownBy(() => [...stream(Readable.from([{ a: 1 }]))])
      expect(codeOf(error)).toBe('ERR_ASYNC_IN_SYNC')
    })

    it('parses a byte Readable as options.format, with records split across chunks', async () => {
      const chunks = ['{"a":1}\n{"a"', ':2}\n{"a":3', '}'].map((s) => Buffer.from(s))
      const readable = Readable.from(chunks, { objectMode: false })
      expect(await stream(readable, { format: 'jsonl' }).toArray()).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }])
    })

    it('parses a CSV byte Readable with its header', async () => {
      const readable = Readable.from([Buffer.from('x,y\n1,"a\nb"\n')], { objectMode: false })
      expect(await stream(readable, { format: 'csv' }).toArray()).toEqual([{ x: '1', y: 'a\nb' }])
    })

    it('reports source errors of a byte Readable with line and byte offset but no path', async () => {
      const readable = Readable.from([Buffer.from('{"a":1}\noops\n')], { objectMode: false })
      const errors: Array<[string, string | null, number | null, number | null]> = []
      await stream(readable, { format: 'jsonl', onError: (e) => void errors.push([e.code, e.path, e.line, e.byteOffset]) }).toArray()
      expect(errors).toEqual([['ERR_PARSE', null, 2, 8]])
    })

    // A byte Readable is parsed by the engine in use (its chunk parser); both engines are run.
    describe.each(ENGINES)('compressed, as options.compression says (engine option %s)', (engine) => {
      const csv = 'id,city\n' + ids(3000).map(({ id }) => `${id},Zürich ${id % 7}\n`).join('')
      const expected = ids(3000).map(({ id }) => ({ id: String(id), city: `Zürich ${id % 7}` }))
      const bytes = (data: Uint8Array, size: number): Readable => {
        const chunks: Buffer[] = []
        for (let i = 0; i < data.length; i += size) chunks.push(Buffer.from(data.subarray(i, i + size)))
        return Readable.from(chunks, { objectMode: false })
      }
      /** Reads until the stream fails; the records before the failure, and the failure. */
      const readToError = async (readable: Readable, options: StreamOptions): Promise<{ records: unknown[]; error: unknown }> => {
        const records: unknown[] = []
        try {
          for await (const record of stream(readable, options)) records.push(record)
        } catch (error) {
          return { records, error }
        }
        return { records, error: null }
      }

      it('refuses gzip or zstd bytes, or UTF-16 text, given without options.compression, with one error that says what they are', async () => {
        const zstd = readFileSync(join(__dirname, 'fixtures', 'events.jsonl.zst'))
        for (const [data, what] of [
          [gzipSync(csv), "the source's bytes are gzip-compressed data (they start with gzip's signature, 1f 8b), but no compression was given"],
          [zstd, "the source's bytes are zstd-compressed data (they start with zstd's signature, 28 b5 2f fd), but no compression was given"],
          [Buffer.from(`\ufeff${csv}`, 'utf16le'), "the source's bytes are UTF-16 text (they start with a byte-order mark); ringstream reads UTF-8"],
        ] as const) {
          for (const size of [1, 4096]) {
            const { records, error } = await readToError(bytes(data, size), { engine, format: 'csv' })
            expect(records).toEqual([])
            expect(codeOf(error)).toBe('ERR_UNSUPPORTED')
            expect((error as Error).message.split('\n')[0]).toBe(what)
          }
        }
        // A JSON array's parser sees a first byte that is not '[' before any bad UTF-8, and
        // says so once the source's first chunk is in: it must hold the whole signature.
        for (const data of [gzipSync('[{"a":1},{"a":2}]'), zstd]) {
          for (const size of [4, 4096]) {
            const { records, error } = await readToError(bytes(data, size), { engine, format: 'json' })
            expect(records).toEqual([])
            expect(codeOf(error)).toBe('ERR_UNSUPPORTED')
          }
        }
        expect((await readToError(bytes(gzipSync(csv), 100), { engine, format: 'csv' })).error).toMatchObject({ hint: "pass { compression: 'gzip' }" })
        // compression: 'none' reads the bytes as they are, one bad record after another.
        const codes: string[] = []
        const { error } = await readToError(bytes(gzipSync(csv), 100), { engine, format: 'csv', compression: 'none', onError: (e) => void codes.push(e.code) })
        expect(error).toBe(null)
        expect(codes).toContain('ERR_INVALID_UTF8')
      })

      it('gunzips a gzip Readable, whatever its chunks', async () => {
        const gzipped = gzipSync(csv)
        for (const size of [1, 7, 4096, gzipped.length]) {
          expect(await stream(bytes(gzipped, size), { engine, format: 'csv', compression: 'gzip' }).toArray()).toEqual(expected)
        }
      })

      it('reads every member of a multi-member gzip Readable', async () => {
        const twoMembers = Buffer.concat([gzipSync('{"a":1}\n'), gzipSync('{"a":2}\n')])
        expect(await stream(bytes(twoMembers, 5), { engine, format: 'jsonl', compression: 'gzip' }).toArray()).toEqual([{ a: 1 }, { a: 2 }])
      })

      it('decompresses a zstd Readable as it does the same file', async () => {
        const zst = readFileSync(join(FIXTURES, 'events.jsonl.zst'))
        const plain = await stream(join(FIXTURES, 'events.jsonl'), { engine }).toArray()
        expect(await stream(bytes(zst, 1000), { engine, format: 'jsonl', compression: 'zstd' }).toArray()).toEqual(plain)
      })

      it('reads a chunk that inflates a hundredfold and more', async () => {
        const line = `${JSON.stringify({ text: 'x'.repeat(100) })}\n`
        const gzipped = gzipSync(line.repeat(50_000))
        expect(gzipped.length * 100).toBeLessThan(line.length * 50_000)
        let count = 0
        for await (const record of stream(bytes(gzipped, gzipped.length), { engine, format: 'jsonl', compression: 'gzip' })) {
          expect(record).toEqual({ text: 'x'.repeat(100) })
          count++
        }
        expect(count).toBe(50_000)
      })

      it('ends in ERR_IO for bytes that are not gzip, and for a stream cut short, after the records before the damage', async () => {
        const notGzip = await readToError(bytes(Buffer.from(csv), 100), { engine, format: 'csv', compression: 'gzip' })
        expect(notGzip.records).toEqual([])
        expect(codeOf(notGzip.error)).toBe('ERR_IO')
        expect((notGzip.error as RingstreamError).message).toMatch(
          /^cannot decompress the input stream's gzip bytes: not gzip data: it starts with 69 64 2c 63 \('id,c'\), and gzip data starts with 1f 8b\n/,
        )
        expect((notGzip.error as RingstreamError).hint).toBe("if they are not compressed, pass { compression: 'none' }")
        const gzipped = gzipSync(csv)
        const cut = await readToError(bytes(gzipped.subarray(0, gzipped.length - 100), 50), { engine, format: 'csv', compression: 'gzip' })
        expect(cut.records.length).toBeGreaterThan(0)
        expect(cut.records).toEqual(expected.slice(0, cut.records.length))
        expect(codeOf(cut.error)).toBe('ERR_IO')
        expect((cut.error as RingstreamError).message.split('\n')[0]).toBe("cannot decompress the input stream's gzip bytes: unexpected end of file: the gzip data is cut short")
        expect((cut.error as RingstreamError).hint).toBe('the stream stopped part way; save them to a file and check it with gzip -t')
      })

      it('checks the first bytes however they are cut into chunks', async () => {
        for (const [compression, data] of [['gzip', Buffer.from(csv)], ['zstd', gzipSync(csv)]] as const) {
          const { records, error } = await readToError(bytes(data, 1), { engine, format: 'csv', compression })
          expect(records).toEqual([])
          expect((error as RingstreamError).message).toContain(`: not ${compression} data: it starts with `)
          expect((error as RingstreamError).hint).toContain("if they are not compressed, pass { compression: 'none' }")
        }
        expect(await stream(bytes(gzipSync(csv), 1), { engine, format: 'csv', compression: 'gzip' }).toArray()).toEqual(expected)
      })

      it('ends in ERR_IO for a zstd Readable that is not zstd', async () => {
        const { error } = await readToError(bytes(gzipSync(csv), 100), { engine, format: 'csv', compression: 'zstd' })
        expect(codeOf(error)).toBe('ERR_IO')
        expect((error as RingstreamError).message).toContain("cannot decompress the input stream's zstd bytes")
      })

      it("reads compression 'none' as it reads no compression", async () => {
        expect(await stream(bytes(Buffer.from(csv), 999), { engine, format: 'csv', compression: 'none' }).toArray()).toEqual(expected)
      })

      it('says the compression in metadata()', async () => {
        const metadata = await stream(bytes(gzipSync(csv), 100), { engine, format: 'csv', compression: 'gzip' }).metadata()
        expect(metadata).toMatchObject({ format: 'csv', compression: 'gzip', files: [], totalBytes: null })
      })

      it('refuses compression without a format for an object-mode Readable: a TypeError at the call, or at iteration from a function', async () => {
        const error = thrownBy(() => stream(Readable.from([{ a: 1 }]), { engine, compression: 'gzip' }))
        expect(error).toBeInstanceOf(TypeError)
        expect((error as Error).message).toContain('object-mode Readable')
        expect((error as Error).message).toContain('{ format }')
        const later = await rejectionOf(stream(() => Readable.from([{ a: 1 }]), { engine, compression: 'gzip' }).toArray())
        expect(codeOf(later)).toBe('ERR_INVALID_ARGUMENT')
      })
    })

    it('needs options.format for a byte Readable: a TypeError at the call', () => {
      const readable = Readable.from([Buffer.from('{}\n')], { objectMode: false })
      const error = thrownBy(() => stream(readable))
      expect(error).toBeInstanceOf(TypeError)
      expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
      expect((error as Error).message).toContain('format')
    })

    it('needs options.format for a byte Readable from a function source, at iteration', async () => {
      const s = stream(() => Readable.from([Buffer.from('{}\n')], { objectMode: false }))
      const error = await rejectionOf(s.toArray())
      expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
    })

    it('throws ERR_SOURCE_CONSUMED when the Readable was already read', async () => {
      const s = stream(Readable.from([{ a: 1 }]))
      expect(await s.toArray()).toEqual([{ a: 1 }])
      const error = await rejectionOf(s.toArray())
      expect(error).toBeInstanceOf(RingstreamError)
      expect(codeOf(error)).toBe('ERR_SOURCE_CONSUMED')
      expect((error as RingstreamError).hint).toContain('function')
    })

    it('throws ERR_SOURCE_CONSUMED for a Readable ended before stream() saw it', async () => {
      const readable = Readable.from([1])
      for await (const _ of readable) {
        // consumed elsewhere
      }
      const error = await rejectionOf(stream(readable).toArray())
      expect(codeOf(error)).toBe('ERR_SOURCE_CONSUMED')
    })

    it('is re-iterable through a function source', async () => {
      const s = stream(() => Readable.from([{ n: 1 }, { n: 2 }]))
      expect(await s.toArray()).toEqual([{ n: 1 }, { n: 2 }])
      expect(await s.toArray()).toEqual([{ n: 1 }, { n: 2 }])
    })

    it('destroys the Readable when the loop breaks', async () => {
      const readable = Readable.from(
        (function* () {
          for (let i = 0; ; i++) yield i
        })(),
      )
      for await (const n of stream(readable)) if (n === 2) break
      expect(readable.destroyed).toBe(true)
    })
  })

  // Chunks are parsed by the engine in use (its chunk parser); both engines are run.
  describe.each(ENGINES)('chunks of bytes given with options.format (engine option %s)', (engine) => {
    const csv = 'id,city\n' + ids(500).map(({ id }) => `${id},Zürich ${id % 7}\n`).join('')
    const expected = ids(500).map(({ id }) => ({ id: String(id), city: `Zürich ${id % 7}` }))
    /** `data` cut every `size` bytes, so multi-byte characters and records straddle the cuts. */
    const pieces = (data: Uint8Array, size: number): Uint8Array[] => {
      const out: Uint8Array[] = []
      for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size))
      return out
    }

    it('warns once of semicolon-separated text read as one column, unless a delimiter is given', async () => {
      const text = 'id;city\n1;Paris\n2;Lyon\n'
      const oneColumnWarnings = async (options: StreamOptions) => {
        await new Promise((resolve) => setImmediate(resolve)) // let earlier tests' warnings go by
        const recorder = recordWarnings()
        try {
          const records = await stream(pieces(Buffer.from(text), 5), { engine, format: 'csv', ...options }).toArray()
          await recorder.settle()
          return { records, messages: recorder.warnings.filter((w) => warningCode(w) === 'RINGSTREAM_ONE_COLUMN').map((w) => w.message) }
        } finally {
          recorder.stop()
        }
      }
      const read = await oneColumnWarnings({})
      expect(read.records).toEqual([{ 'id;city': '1;Paris' }, { 'id;city': '2;Lyon' }])
      expect(read.messages).toEqual([`the source was read as one column, "id;city", but its header and first record both split on ';' into 2 fields: if it is ';'-delimited, pass { delimiter: ';' }`])
      const given = await oneColumnWarnings({ delimiter: ';' })
      expect(given.records).toEqual([{ id: '1', city: 'Paris' }, { id: '2', city: 'Lyon' }])
      expect(given.messages).toEqual([])
      // Without a header it takes two records, which chunks of 5 bytes bring in different batches.
      const headerless = await oneColumnWarnings({ header: false })
      expect(headerless.records).toEqual([['id;city'], ['1;Paris'], ['2;Lyon']])
      expect(headerless.messages).toEqual([
        `the source was read as one column, but its first two records, "id;city" and "1;Paris", both split on ';' into 2 fields: if it is ';'-delimited, pass { delimiter: ';' }`,
      ])
    })

    it('parses a generator of strings in for…of, records split across chunks', () => {
      const s = stream(
        function* () {
          yield '{"a":1}\n{"a"'
          yield ':2}\n{"a":3'
          yield '}'
        },
        { engine, format: 'jsonl' },
      )
      expect([...s]).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }])
      expect([...s]).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }])
    })

    it('parses Uint8Array chunks cut inside multi-byte characters, sync and async alike', async () => {
      const bytes = Buffer.from(csv)
      for (const size of [1, 3, 7, 1000]) {
        expect([...stream(() => pieces(bytes, size).values(), { engine, format: 'csv' })]).toEqual(expected)
        const asyncChunks = async function* () {
          yield* pieces(bytes, size)
        }
        expect(await stream(asyncChunks, { engine, format: 'csv' }).toArray()).toEqual(expected)
      }
    })

    it('reads a web ReadableStream, as a fetch() body is', async () => {
      const body = new Blob([csv]).stream()
      expect(await stream(body, { engine, format: 'csv' }).toArray()).toEqual(expected)
    })

    it('parses an object-mode Readable of strings, and decompresses chunks as options.compression says', async () => {
      expect(await stream(Readable.from(['x,y\n1,"a', '\nb"\n']), { engine, format: 'csv' }).toArray()).toEqual([{ x: '1', y: 'a\nb' }])
      const gzipped = pieces(gzipSync(csv), 100)
      expect(await stream(Readable.from(gzipped), { engine, format: 'csv', compression: 'gzip' }).toArray()).toEqual(expected)
      expect([...stream(() => gzipped.values(), { engine, format: 'csv', compression: 'gzip' })]).toEqual(expected)
    })

    it('reports a bad record with its line and byte offset across chunks, and goes on', () => {
      const errors: Array<[string, number | null, number | null]> = []
      const s = stream(['{"a":1}\nnot', ' json\n{"a":2}\n'].values(), {
        engine,
        format: 'jsonl',
        onError: (e) => void errors.push([e.code, e.line, e.byteOffset]),
      })
      expect([...s]).toEqual([{ a: 1 }, { a: 2 }])
      expect(errors).toEqual([['ERR_PARSE', 2, 8]])
    })

    it('stops at an item that is not bytes, naming it, after the records before it', () => {
      const records: unknown[] = []
      const error = thrownBy(() => {
        for (const record of stream(['{"a":1}\n', { a: 2 }].values(), { engine, format: 'jsonl' })) records.push(record)
      })
      expect(records).toEqual([{ a: 1 }])
      expect(error).toBeInstanceOf(RingstreamError)
      expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
      expect((error as Error).message).toContain("with { format: 'jsonl' } the source's items are chunks of bytes to parse, and item 1 is an object")
      expect((error as RingstreamError).hint).toContain('drop options.format')
    })

    describe('more bytes than are parsed before a native parser thread takes over (1 MiB)', () => {
      const tmp = useTempDir()
      // Numbers that compress poorly, so that gzip bytes pass 1 MiB too; bad lines and
      // multi-byte characters among them.
      let state = 7
      const lines = Array.from({ length: 130_000 }, (_, i) => {
        state = (state * 48271) % 2147483647
        return i % 997 === 5 ? 'not json\n' : `{"n":${i},"v":${state},"w":"ü${state % 1000}"}\n`
      })
      const big = Buffer.from(lines.join(''))
      const good = lines.filter((line) => line.startsWith('{')).length
      const gzipped = gzipSync(big)
      /** The threads of this process that the core parses pushed chunks on (Linux names them in /proc). */
      const readerThreads = () =>
        process.platform !== 'linux'
          ? 0
          : readdirSync('/proc/self/task').filter((task) => {
              try {
                return readFileSync(`/proc/self/task/${task}/comm`, 'utf8').startsWith('ringstream-push')
              } catch {
                return false // a thread that ended while the folder was read
              }
            }).length
      /**
       * Those threads once the ones joined are gone from /proc: the kernel lists a thread a little
       * after its joiner has returned.
       */
      const readerThreadsLeft = async () => {
        for (let waited = 0; readerThreads() > 0 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10))
        return readerThreads()
      }
      const readUntilThrown = async (read: (records: unknown[]) => void | Promise<void>) => {
        const records: unknown[] = []
        try {
          await read(records)
        } catch (error) {
          return { records, error }
        }
        return { records, error: null }
      }
      const outcome = (path: string, options: StreamOptions) => {
        const errors: Array<[string, number | null, number | null]> = []
        const records = [...stream(path, { ...options, onError: (e) => void errors.push([e.code, e.line, e.byteOffset]) })]
        return { records, errors }
      }

      it('read as the same bytes in a file are, from a generator, an async generator and a Readable', async () => {
        expect(gzipped.length).toBeGreaterThan(1 << 20)
        const file = outcome(tmp.file('big.jsonl', big), { engine })
        expect(file.records.length).toBe(good)
        for (const [bytes, compression] of [
          [big, 'none'],
          [gzipped, 'gzip'],
        ] as const) {
          for (const size of [65_536, 1_000_003]) {
            const chunks = pieces(bytes, size)
            const errors: Array<[string, number | null, number | null]> = []
            const options = { engine, format: 'jsonl', compression, onError: (e: { code: string; line: number | null; byteOffset: number | null }) => void errors.push([e.code, e.line, e.byteOffset]) } as const
            expect([...stream(() => chunks.values(), options)]).toEqual(file.records)
            expect(errors).toEqual(file.errors)
            const asyncChunks = async function* () {
              yield* chunks
            }
            expect(await stream(asyncChunks, options).toArray()).toEqual(file.records)
            expect(await stream(() => Readable.from(chunks), options).toArray()).toEqual(file.records)
            expect(errors).toEqual([...file.errors, ...file.errors, ...file.errors])
          }
        }
      })

      it('hands on every record parsed while a live source waits for its next chunk', async () => {
        let seenAll: () => void = () => undefined
        const allSeen = new Promise<void>((resolve) => {
          seenAll = resolve
        })
        const live = async function* () {
          yield* pieces(big, 65_536)
          // The next chunk comes only once the consumer has had every record so far.
          await allSeen
          yield '{"n":"last"}\n'
        }
        let count = 0
        let last: unknown = null
        let threadsWhileWaiting = 0
        for await (const record of stream(live, { engine, format: 'jsonl', onError: () => undefined })) {
          count++
          last = record
          if (count === good) {
            threadsWhileWaiting = readerThreads()
            seenAll()
          }
        }
        expect(count).toBe(good + 1)
        expect(last).toEqual({ n: 'last' })
        // The native engine parsed on its thread, which ended with the input.
        if (process.platform === 'linux') {
          if (engine === 'native') expect(threadsWhileWaiting).toBeGreaterThanOrEqual(1)
          else expect(threadsWhileWaiting).toBe(0)
          expect(await readerThreadsLeft()).toBe(0)
        }
      })

      it('parses a small input on the calling thread', async () => {
        expect(await readerThreadsLeft()).toBe(0)
        const s = stream(() => pieces(big.subarray(0, 100_000), 1000).values(), { engine, format: 'jsonl', onError: () => undefined })
        let threads = 0
        for (const _ of s) threads = Math.max(threads, readerThreads())
        if (process.platform === 'linux') expect(threads).toBe(0)
      })

      it('gives the records before a source fails, then its error', async () => {
        const failing = function* () {
          yield* pieces(big, 65_536)
          throw new Error('connection reset')
        }
        const asyncFailing = async function* () {
          yield* failing()
        }
        for (const run of [
          () => readUntilThrown((records) => {
            for (const record of stream(failing, { engine, format: 'jsonl', onError: () => undefined })) records.push(record)
          }),
          () => readUntilThrown(async (records) => {
            for await (const record of stream(asyncFailing, { engine, format: 'jsonl', onError: () => undefined })) records.push(record)
          }),
        ]) {
          const { records, error } = await run()
          expect(records.length).toBe(good)
          expect((error as Error).message).toBe('connection reset')
        }
      })

      it('stops the parser and runs the generator’s finally block when the loop breaks', async () => {
        for (const loop of ['sync', 'async'] as const) {
          let cleaned = false
          const s = stream(
            function* () {
              try {
                yield* pieces(big, 65_536)
                yield* pieces(big, 65_536)
              } finally {
                cleaned = true
              }
            },
            { engine, format: 'jsonl', onError: () => undefined },
          )
          let count = 0
          if (loop === 'sync') {
            for (const _ of s) if (++count === 100_000) break
          } else {
            for await (const _ of s) if (++count === 100_000) break
          }
          expect(cleaned).toBe(true)
          expect(await s.limit(3).toArray()).toEqual([{ n: 0, v: expect.any(Number), w: expect.any(String) }, { n: 1, v: expect.any(Number), w: expect.any(String) }, { n: 2, v: expect.any(Number), w: expect.any(String) }])
        }
      })
    })

    it('runs the generator’s finally block when the loop breaks', () => {
      let cleaned = false
      const s = stream(
        function* () {
          try {
            for (let i = 0; ; i++) yield `{"n":${i}}\n`
          } finally {
            cleaned = true
          }
        },
        { engine, format: 'jsonl' },
      )
      for (const record of s) if ((record as { n: number }).n === 3) break
      expect(cleaned).toBe(true)
    })

    it('says the format and compression in metadata()', async () => {
      const metadata = await stream(() => pieces(gzipSync(csv), 50).values(), { engine, format: 'csv', compression: 'gzip' }).metadata()
      expect(metadata).toMatchObject({ format: 'csv', compression: 'gzip', files: [], totalBytes: null })
    })

    it('needs the format for compression: an iterable without one yields records', async () => {
      const error = thrownBy(() => stream([{ a: 1 }].values(), { engine, compression: 'gzip' }))
      expect(error).toBeInstanceOf(TypeError)
      expect(codeOf(error)).toBe('ERR_INVALID_ARGUMENT')
      expect((error as Error).message).toContain('pass { format }')
      expect(codeOf(await rejectionOf(stream(() => [{ a: 1 }].values(), { engine, compression: 'zstd' }).toArray()))).toBe('ERR_INVALID_ARGUMENT')
    })

    it('refuses the options that say how bytes are parsed for a source of records', async () => {
      const source: DataSource = { *readBatches() { yield [{ a: '1' }] } }
      for (const options of [{ types: 'infer' }, { header: false }, { delimiter: ';' }, { quote: null }, { maxRecordBytes: 10 }] as const) {
        const name = Object.keys(options)[0]
        for (const records of [[{ a: '1' }].values(), Readable.from([{ a: '1' }]), source]) {
          const error = thrownBy(() => stream(records, { engine, ...options }))
          expect(error, name).toBeInstanceOf(TypeError)
          expect((error as Error).message).toContain(`options.${name} says how bytes are parsed, and this source's items are records`)
        }
        const later = await rejectionOf(stream(() => [{ a: '1' }].values(), { engine, ...options }).toArray())
        expect(codeOf(later)).toBe('ERR_INVALID_ARGUMENT')
        expect((later as Error).message).toContain('pass { format } as well')
      }
      expect(await stream(() => ['a;b\n', '1;2\n'].values(), { engine, format: 'csv', delimiter: ';', types: 'infer' }).toArray()).toEqual([{ a: 1, b: 2 }])
    })

    it('refuses a format or compression for a data source, whose batches are records', async () => {
      const source: DataSource = { *readBatches() { yield [{ a: 1 }] } }
      for (const options of [{ format: 'csv' }, { compression: 'gzip' }] as const) {
        const error = thrownBy(() => stream(source, { engine, ...options }))
        expect(error).toBeInstanceOf(TypeError)
        expect((error as Error).message).toContain("a data source's readBatches() yields records")
        expect(codeOf(await rejectionOf(stream(() => source, { engine, ...options }).toArray()))).toBe('ERR_INVALID_ARGUMENT')
      }
    })
  })

  describe('function sources', () => {
    it('are called once per iteration and not at stream()', () => {
      let calls = 0
      const s = stream(() => {
        calls++
        return [calls]
      })
      expect(calls).toBe(0)
      expect([...s]).toEqual([1])
      expect([...s]).toEqual([2])
      expect(calls).toBe(2)
    })

    it('throw a TypeError at iteration when they return something that is not a source', () => {
      const s = stream((() => 42) as unknown as () => number[])
      expect(() => [...s]).toThrow(TypeError)
    })
  })
})
