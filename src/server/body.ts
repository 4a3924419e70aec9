/**
 * Reading a request body with a size limit: a body over the limit is an HTTP 413 answered
 * without reading the rest.
 *
 * The listener's requests are {@link BodyMessage}s (node:http's `IncomingMessage` option): node's
 * parser hands a request's body to it chunk by chunk through `push`, the method by which a
 * Readable's implementation feeds it, and `push(null)` once the message is complete. A body
 * being read is kept right there, instead of going through the stream machinery a 'data'
 * listener starts (flowing mode, a resume and an 'end' scheduled on the next tick, three
 * listeners per request): about a tenth of a bare node:http server's CPU time per request
 * under wrk. A body that arrives in one chunk (every KMS request of the SDKs) is not copied.
 */
import { IncomingMessage } from 'node:http'
import { HttpError } from './errors.ts'

/** Per-request body state, kept on the request. */
interface BodyState {
  /** the first chunk; the only one for a body that arrives in one piece */
  first: Buffer | undefined
  /** the chunks after the first, when there are some */
  more: Buffer[] | undefined
  size: number
  readonly max: number
  readonly context: unknown
  readonly done: (context: unknown, error: unknown, body: Buffer | undefined) => void
  settled: boolean
}
const BODY = Symbol('kms-bench body')

/**
 * The endpoint's request class: while {@link readBody} reads its body, the chunks node's parser
 * pushes are kept by the reader; otherwise it is node's IncomingMessage unchanged.
 */
export class BodyMessage extends IncomingMessage {
  [BODY]: BodyState | undefined = undefined

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    const s = this[BODY]
    if (s === undefined) return super.push(chunk, encoding)
    // A settled read (the body was too large) takes nothing more: `false` stops the socket's reads.
    if (s.settled) return false
    if (chunk === null) {
      // The message is complete: nothing is left for node to pull off the wire for it (its
      // own flag for a body someone consumed; without it node would resume the stream to dump it).
      ;(this as { _consuming?: boolean })._consuming = true
      const first = s.first ?? EMPTY
      settle(s, undefined, s.more === undefined ? first : Buffer.concat([first, ...s.more], s.size))
      return false
    }
    const buf = chunk as Buffer
    s.size += buf.length
    if (s.size > s.max) {
      settle(s, tooLarge(s.max), undefined)
      return false
    }
    if (s.first === undefined) s.first = buf
    else if (s.more === undefined) s.more = [buf]
    else s.more.push(buf)
    return true
  }

  /** Destroyed before its body was complete (the client went away, the request timed out): the read settles. */
  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const s = this[BODY]
    if (s !== undefined && !s.settled)
      settle(
        s,
        new HttpError(400, 'SerializationException', 'The client closed the connection before sending the whole body'),
        undefined,
      )
    super._destroy(error, callback)
  }
}

/**
 * Reads a request body up to `max` bytes, then calls `done(context, error, body)` once; a longer
 * body is an HTTP 413 without reading the rest. `context` is handed back as is, so that the
 * caller needs no closure per request. Call it when the request arrives (the 'request' event),
 * before its body is parsed.
 */
export function readBody<C>(
  req: BodyMessage,
  max: number,
  context: C,
  done: (context: C, error: unknown, body: Buffer | undefined) => void,
): void {
  const declared = Number(req.headers['content-length'])
  if (declared > max) {
    done(context, tooLarge(max), undefined)
    return
  }
  req[BODY] = {
    first: undefined,
    more: undefined,
    size: 0,
    max,
    context,
    done: done as BodyState['done'],
    settled: false,
  }
}

function settle(s: BodyState, error: unknown, body: Buffer | undefined): void {
  s.settled = true
  s.first = undefined
  s.more = undefined
  s.done(s.context, error, body)
}

const EMPTY = Buffer.alloc(0)

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'RequestEntityTooLargeException', `Request body is larger than ${max} bytes`)
}
