/**
 * Faults only a network endpoint can have (`serve --fault reset`, `--fault hang`): the
 * connection is reset before an answer (the SDKs see ECONNRESET and retry it as a transient
 * error), or the request is never answered (the client's own timeout ends it; the server cuts
 * it when it closes). Neither reaches KMS, so neither is in the audit log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FaultKind } from '../faults/index.ts'

/** Injects a transport fault; resolves when the request is done with (at once for a reset, on close for a hang). */
export function injectTransportFault(kind: FaultKind, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (kind === 'reset') {
    req.socket.resetAndDestroy()
    return Promise.resolve()
  }
  // A hang: nothing is written; the request ends when the client or the server closes the socket.
  return new Promise<void>((resolve) => {
    res.on('close', () => resolve())
  })
}
