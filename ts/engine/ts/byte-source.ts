import { closeSync, openSync, read as readCallback, readSync } from 'node:fs'
import { RingstreamError } from '../../errors'
import type { Compression } from '../types'
import { type Inflater, makeInflater } from './inflater'

/**
 * A file's bytes in chunks, decompressed when the name says so. The same object serves `for…of`
 * (blocking reads) and `for await…of` (reads on libuv's thread pool). The file is opened at the
 * first read, so a reader that is never read opens nothing.
 */
export class ByteSource {
  private fd: number | null = null
  private closed = false
  private eof = false
  private inFlight = false
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
    this.buffer = Buffer.allocUnsafe(bufferSize)
    this.readSize = Math.min(bufferSize, FIRST_READ_BYTES)
    this.inflate = compression === 'none' ? null : makeInflater(compression, path)
  }

  /** The next chunk, or `null` at the end. The chunk is valid until the next call. */
  readSync(): Uint8Array | null {
    for (;;) {
      if (this.inflate?.hasOutput()) return this.inflate.take()
      if (this.eof || this.closed) return null
      const n = this.ioSync(() => readSync(this.open(), this.buffer, 0, this.nextReadSize(), null))
      const chunk = this.accept(n)
      if (chunk !== null) return chunk
    }
  }

  async read(): Promise<Uint8Array | null> {
    for (;;) {
      if (this.inflate?.hasOutput()) return this.inflate.take()
      if (this.eof || this.closed) return null
      const fd = this.ioSync(() => this.open())
      const size = this.nextReadSize()
      this.inFlight = true
      let n: number
      try {
        n = await new Promise<number>((resolve, reject) =>
          readCallback(fd, this.buffer, 0, size, null, (err, bytes) => (err ? reject(err) : resolve(bytes))),
        )
      } catch (cause) {
        throw ioError(this.path, cause)
      } finally {
        this.inFlight = false
        // close() during the read deferred the real close until the read was done with the fd.
        if (this.closed) this.release()
      }
      if (this.closed) return null
      const chunk = this.accept(n)
      if (chunk !== null) return chunk
    }
  }

  close(): void {
    this.closed = true
    if (!this.inFlight) this.release()
  }

  private nextReadSize(): number {
    const size = this.readSize
    this.readSize = Math.min(this.buffer.length, size * 2)
    return size
  }

  private accept(n: number): Uint8Array | null {
    this.bytesRead += n
    if (n === 0) {
      this.eof = true
      this.release()
      this.inflate?.finish()
      return null
    }
    const chunk = this.buffer.subarray(0, n)
    if (this.inflate === null) return chunk
    this.inflate.push(chunk)
    return null
  }

  private open(): number {
    if (this.fd === null) this.fd = openSync(this.path, 'r')
    return this.fd
  }

  private release(): void {
    if (this.fd === null) return
    const fd = this.fd
    this.fd = null
    closeSync(fd)
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

function ioError(path: string, cause: unknown): RingstreamError {
  const code = (cause as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT') return new RingstreamError('ERR_NOT_FOUND', `no such file or folder: ${path}`, { cause })
  return new RingstreamError('ERR_IO', `cannot read ${path}: ${(cause as Error)?.message ?? String(cause)}`, { cause })
}
