import { closeSync, constants, openSync, read as readCallback, readSync, statSync } from 'node:fs'
import { RingstreamError } from '../../errors'
import type { Compression } from '../types'
import { type Inflater, makeInflater } from './inflater'
import { PipeChunks } from './pipe-chunks'
import { giveBackBuffer, takeBuffer } from './spare-buffers'

/**
 * A file's bytes in chunks, decompressed when the name says so. The same object serves `for…of`
 * (blocking reads) and `for await…of` (reads on libuv's thread pool, or, for a pipe, in its event
 * loop through `PipeChunks`, so that closing ends a read that waits for a stalled writer). The
 * file is opened at the first read, so a reader that is never read opens nothing.
 */
export class ByteSource {
  private fd: number | null = null
  private closed = false
  private eof = false
  private inFlight = false
  /** The pipe's reader once an asynchronous read opened a FIFO (it owns `fd` then); `null` for other files. */
  private pipe: PipeChunks | null = null
  private readonly buffer: Buffer
  /**
   * Bytes asked for by the next read: small at first so the first records reach the consumer
   * without parsing a whole `bufferSize` chunk, then doubling up to `bufferSize`.
   */
  private readSize: number
  private readonly inflate: Inflater | null
  /** Bytes read from disk. */
  bytesRead = 0

  constructor(
    private readonly path: string,
    compression: Compression,
    bufferSize: number,
  ) {
    this.buffer = takeBuffer(bufferSize)
    this.readSize = Math.min(bufferSize, FIRST_READ_BYTES)
    this.inflate = compression === 'none' ? null : makeInflater(compression, path)
  }

  /** The next chunk, or `null` at the end. The chunk is valid until the next call. */
  readSync(): Uint8Array | null {
    for (;;) {
      if (this.inflate?.hasOutput()) return this.inflate.take()
      if (this.eof || this.closed) return null
      const n = this.ioSync(() => readSync(this.open(), this.buffer, 0, this.nextReadSize(), null))
      const chunk = this.accept(this.buffer.subarray(0, n))
      if (chunk !== null) return chunk
    }
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.inflate?.hasOutput()) return this.inflate.take()
      if (this.eof || this.closed) return null
      const fd = this.ioSync(() => this.openForEventLoop())
      const pipe = this.pipe
      this.inFlight = true
      let read: Uint8Array
      try {
        read = pipe !== null ? ((await pipe.read()) ?? EMPTY) : await this.readOnPool(fd)
      } catch (cause) {
        throw ioError(this.path, cause)
      } finally {
        this.inFlight = false
        // close() during the read deferred the real close until the read was done with the fd.
        if (this.closed) this.release()
      }
      if (this.closed) return null
      const chunk = this.accept(read)
      if (chunk !== null) return chunk
    }
  }

  close(): void {
    this.closed = true
    // A pipe's read ends when its socket closes; a thread-pool read must finish with the fd first.
    if (!this.inFlight || this.pipe) this.release()
  }

  /** The next read of `fd` on libuv's thread pool, into `buffer`. */
  private readOnPool(fd: number): Promise<Uint8Array> {
    const size = this.nextReadSize()
    return new Promise((resolve, reject) =>
      readCallback(fd, this.buffer, 0, size, null, (err, bytes) => (err ? reject(err) : resolve(this.buffer.subarray(0, bytes)))),
    )
  }

  private nextReadSize(): number {
    const size = this.readSize
    this.readSize = Math.min(this.buffer.length, size * 2)
    return size
  }

  /** Takes a chunk just read (empty at the end): the chunk to hand out, or `null` for none yet. */
  private accept(chunk: Uint8Array): Uint8Array | null {
    this.bytesRead += chunk.length
    if (chunk.length === 0) {
      this.eof = true
      this.release()
      this.inflate?.finish()
      return null
    }
    if (this.inflate === null) return chunk
    this.inflate.push(chunk)
    return null
  }

  private open(): number {
    if (this.fd === null) this.fd = openSync(this.path, 'r')
    return this.fd
  }

  /**
   * The file opened for reads that must not block the event loop: a FIFO is read through
   * `PipeChunks`, and on Linux opened without waiting for its writer (a blocking open stopped the
   * whole event loop until one came); Linux's pipe reports no end to a reader until a writer has
   * come and gone, so the socket waits for the first writer as a blocking open would. Elsewhere a
   * non-blocking open of a FIFO without a writer may read as an end at once, so it stays blocking.
   */
  private openForEventLoop(): number {
    if (this.fd === null) {
      const fifo = READS_FIFOS_IN_EVENT_LOOP && statSync(this.path).isFIFO()
      this.fd = openSync(this.path, fifo && OPENS_FIFOS_WITHOUT_WAITING ? constants.O_RDONLY | constants.O_NONBLOCK : 'r')
      this.pipe = fifo ? new PipeChunks(this.fd) : null
    }
    return this.fd
  }

  /** Closes the file, at its end or on `close`; the buffer, read no more, goes to the next reader. */
  private release(): void {
    if (this.fd === null) return
    const fd = this.fd
    this.fd = null
    giveBackBuffer(this.buffer)
    if (this.pipe) this.pipe.close()
    else closeSync(fd)
  }

  private ioSync<T>(fn: () => T): T {
    try {
      return fn()
    } catch (cause) {
      throw ioError(this.path, cause)
    }
  }
}

const FIRST_READ_BYTES = 16 * 1024
/** A FIFO's descriptor can become a socket (libuv makes it non-blocking); not so a Windows pipe opened as a file. */
const READS_FIFOS_IN_EVENT_LOOP = process.platform !== 'win32'
/** Where a non-blocking open of a FIFO waits for its first writer when read (see `openForEventLoop`). */
const OPENS_FIFOS_WITHOUT_WAITING = process.platform === 'linux'
const EMPTY = new Uint8Array(0)

function ioError(path: string, cause: unknown): RingstreamError {
  const code = (cause as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT') return new RingstreamError('ERR_NOT_FOUND', `no such file or folder: ${path}`, { cause })
  return new RingstreamError('ERR_IO', `cannot read ${path}: ${(cause as Error)?.message ?? String(cause)}`, { cause })
}
