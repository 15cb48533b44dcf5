import type * as Net from 'node:net'
import { lazyRequire } from './lazy-require'

/** Loaded by the first pipe read: loading it took ~2 ms, a third of `require('ringstream')`. */
const net = lazyRequire<typeof Net>('node:net')

/**
 * The chunks of a pipe (a FIFO, `/dev/stdin` fed by a pipe) read through libuv's event loop, for
 * `for await…of`. A read on libuv's thread pool (`fs.read`) cannot be called off: one waiting for
 * a writer that has stalled kept the process alive after the loop had ended (by `break`, an
 * abort or an error) until the writer wrote again or left. A socket over the pipe's descriptor
 * waits in the event loop instead, and `close` ends the wait and closes the descriptor at once.
 * The descriptor must be open already: opening a FIFO waits for its writer, which a
 * non-blocking open would not (it would read an end of input at once).
 */
export class PipeChunks {
  private readonly socket: Net.Socket
  private readonly chunks: AsyncIterator<Buffer>
  private closed = false

  constructor(fd: number) {
    this.socket = new (net().Socket)({ fd, readable: true, writable: false })
    this.chunks = this.socket[Symbol.asyncIterator]()
  }

  /** The next chunk (a new buffer), or `null` at the end of the input or once closed. */
  async read(): Promise<Buffer | null> {
    try {
      const { value, done } = await this.chunks.next()
      return done === true || this.closed ? null : value
    } catch (error) {
      if (this.closed) return null
      throw error
    }
  }

  /** Ends a read under way (it gives `null`) and closes the descriptor. */
  close(): void {
    this.closed = true
    this.socket.destroy()
  }
}
