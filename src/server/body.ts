/**
 * Reading a request body with a size limit: a body over the limit is an HTTP 413 answered
 * without reading the rest. The listeners are shared functions (no closure per request), they
 * stay attached once the body is read (a settled read ignores them: nothing to detach per
 * request), and a body that arrives in one chunk (every KMS request of the SDKs) is not copied.
 */
import type { IncomingMessage } from 'node:http'
import { HttpError } from './errors.ts'

/**
 * Reads a request body up to `max` bytes, then calls `done(context, error, body)` once; a longer
 * body is an HTTP 413 without reading the rest. `context` is handed back as is, so that the
 * caller needs no closure per request.
 */
export function readBody<C>(
  req: IncomingMessage,
  max: number,
  context: C,
  done: (context: C, error: unknown, body: Buffer | undefined) => void,
): void {
  const declared = Number(req.headers['content-length'])
  if (declared > max) {
    done(context, tooLarge(max), undefined)
    return
  }
  const state: BodyState<C> = { first: undefined, more: undefined, size: 0, max, context, done, settled: false }
  ;(req as BodyRequest)[BODY] = state as BodyState<unknown>
  req.on('data', onBodyData)
  req.on('end', onBodyEnd)
  // The client went away mid-body (or the request was destroyed): nothing will be answered,
  // but the read must settle. Without an 'error' listener node emits no 'error' on a request
  // (IncomingMessage#_destroy), so 'close' is the one signal; after 'end' it is a no-op.
  req.on('close', onBodyClose)
}

/** Per-request body state, kept on the request so the listeners can be shared functions. */
interface BodyState<C> {
  /** the first chunk; the only one for a body that arrives in one piece */
  first: Buffer | undefined
  /** the chunks after the first, when there are some */
  more: Buffer[] | undefined
  size: number
  readonly max: number
  readonly context: C
  readonly done: (context: C, error: unknown, body: Buffer | undefined) => void
  settled: boolean
}
const BODY = Symbol('kms-bench body')
type BodyRequest = IncomingMessage & { [BODY]?: BodyState<unknown> }

function settle(s: BodyState<unknown>, error: unknown, body: Buffer | undefined): void {
  s.settled = true
  s.first = undefined
  s.more = undefined
  s.done(s.context, error, body)
}

function onBodyData(this: BodyRequest, chunk: Buffer): void {
  const s = this[BODY]
  if (s === undefined || s.settled) return
  s.size += chunk.length
  if (s.size > s.max) {
    this.pause()
    settle(s, tooLarge(s.max), undefined)
    return
  }
  if (s.first === undefined) s.first = chunk
  else if (s.more === undefined) s.more = [chunk]
  else s.more.push(chunk)
}

function onBodyEnd(this: BodyRequest): void {
  const s = this[BODY]
  if (s === undefined || s.settled) return
  const first = s.first ?? EMPTY
  settle(s, undefined, s.more === undefined ? first : Buffer.concat([first, ...s.more], s.size))
}

function onBodyClose(this: BodyRequest): void {
  const s = this[BODY]
  if (s === undefined || s.settled) return
  settle(
    s,
    new HttpError(400, 'SerializationException', 'The client closed the connection before sending the whole body'),
    undefined,
  )
}

const EMPTY = Buffer.alloc(0)

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'RequestEntityTooLargeException', `Request body is larger than ${max} bytes`)
}
