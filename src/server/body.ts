/**
 * Reading a request body with a size limit: a body over the limit is an HTTP 413 answered
 * without reading the rest. The listeners are shared functions (no closure per request).
 */
import type { IncomingMessage } from 'node:http'
import { HttpError } from './errors.ts'
import { at } from '../util/index.ts'

/** Reads a request body up to `max` bytes; a longer one is an HTTP 413 without reading the rest. */
export function readBody(
  req: IncomingMessage,
  max: number,
  done: (error: unknown, body: Buffer | undefined) => void,
): void {
  const declared = Number(req.headers['content-length'])
  if (declared > max) {
    done(tooLarge(max), undefined)
    return
  }
  const state: BodyState = { chunks: [], size: 0, max, done, settled: false }
  ;(req as BodyRequest)[BODY] = state
  req.on('data', onBodyData)
  req.on('end', onBodyEnd)
  req.on('error', onBodyError)
  req.on('close', onBodyClose)
}

/** Per-request body state, kept on the request so the listeners can be shared functions. */
interface BodyState {
  chunks: Buffer[]
  size: number
  readonly max: number
  readonly done: (error: unknown, body: Buffer | undefined) => void
  settled: boolean
}
const BODY = Symbol('kms-bench body')
type BodyRequest = IncomingMessage & { [BODY]?: BodyState }

function settle(req: BodyRequest, error: unknown, body: Buffer | undefined): void {
  const s = req[BODY]
  if (s === undefined || s.settled) return
  s.settled = true
  s.chunks = []
  req.off('data', onBodyData)
  req.off('end', onBodyEnd)
  req.off('error', onBodyError)
  req.off('close', onBodyClose)
  s.done(error, body)
}

function onBodyData(this: BodyRequest, chunk: Buffer): void {
  const s = this[BODY]
  if (s === undefined) return
  s.size += chunk.length
  if (s.size > s.max) {
    this.pause()
    settle(this, tooLarge(s.max), undefined)
    return
  }
  s.chunks.push(chunk)
}

function onBodyEnd(this: BodyRequest): void {
  const s = this[BODY]
  if (s === undefined) return
  settle(this, undefined, s.chunks.length === 1 ? at(s.chunks, 0) : Buffer.concat(s.chunks, s.size))
}

// The client went away mid-body: nothing will be answered, but the request must settle.
function onBodyError(this: BodyRequest, e: Error): void {
  settle(this, new HttpError(400, 'SerializationException', `Could not read the request body: ${e.message}`), undefined)
}

function onBodyClose(this: BodyRequest): void {
  settle(
    this,
    new HttpError(400, 'SerializationException', 'The client closed the connection before sending the whole body'),
    undefined,
  )
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'RequestEntityTooLargeException', `Request body is larger than ${max} bytes`)
}
