/**
 * Writing answers: one place sets the headers every response carries (`x-amzn-RequestId`,
 * `Connection: close` while the server drains) and turns errors into their wire form.
 */
import type { ServerResponse } from 'node:http'
import { toWireError } from './errors.ts'

/** awsJson1_1's content type. */
export const JSON_11 = 'application/x-amz-json-1.1'

/** What the responders need to know of the server. */
export interface ResponderState {
  /** The server is draining: answers ask the client to close the connection. */
  closing: boolean
  /** Receives a line per unexpected error. */
  readonly log: (line: string) => void
}

/**
 * Writes a whole response. Headers and body go out together in one write: the header block is
 * built by `writeHead` and node sends it with the first (here: only) body chunk.
 */
export function send(
  state: ResponderState,
  res: ServerResponse,
  status: number,
  body: string,
  requestId: string,
  contentType = JSON_11,
): void {
  if (res.headersSent || res.destroyed) return
  const headers: Record<string, string | number> = {
    'Content-Type': contentType,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  }
  if (state.closing) headers['Connection'] = 'close'
  res.writeHead(status, headers)
  res.end(body)
}

/** Answers an error (a KMS error, an HTTP error, or a bug, logged and answered as KMSInternalException). */
export function sendError(state: ResponderState, res: ServerResponse, e: unknown, requestId: string): void {
  const w = toWireError(e)
  if (w.unexpected !== undefined) {
    const err = w.unexpected
    state.log(
      `kms-bench serve: internal error (request ${requestId}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    )
  }
  if (w.status === 413) {
    // The rest of the body is never read: close the connection once the answer is out.
    if (!res.headersSent) res.setHeader('Connection', 'close')
    const socket = res.socket
    res.once('finish', () => socket?.destroy())
  }
  send(state, res, w.status, w.body, requestId)
}
