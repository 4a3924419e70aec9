/**
 * The KMS endpoint: a node:http listener speaking awsJson1_1 over an {@link Emulator}
 * (DESIGN.md, "Endpoint behaviour"; kms-facts.md §7). A thin codec: it reads the body, finds
 * the caller (`identity.ts`), decodes the input (`wire.ts`), calls `emulator.tryCall`,
 * persists the state when the call changed it (`persistence.ts`), waits the modelled service
 * time (`load/latency-model.ts`) and encodes the output or the error (`errors.ts`). No KMS
 * logic lives here.
 *
 * Routes:
 * - `POST /` with `X-Amz-Target: TrentService.<Operation>`: the KMS API.
 * - `POST /moto-api/reset` (answers `{"status":"ok"}`, as moto's server does) and
 *   `POST /kms-bench/reset`: forget all state (keys, aliases, policies, grants, quota usage),
 *   so boto3 suites written for moto's server mode run against this endpoint.
 * - `GET /kms-bench/usage`: the quota meter (`emulator.usage()`) as JSON.
 * - `GET /kms-bench/health`: `{"status":"ok"}` once listening.
 *
 * Robustness: a body over `maxBodyBytes` is answered 413 without being read; bad JSON or
 * values of the wrong type are SerializationException; anything unexpected is a 500
 * KMSInternalException; slow or stalled requests are cut by node's request timeout. Every
 * response carries `x-amzn-RequestId`.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { LRUCache } from 'lru-cache'
import type { Clock, TimerHandle } from '../clock.ts'
import type { CallResult, Emulator } from '../emulator.ts'
import { type CallerInput, UnknownOperationException, type OperationName } from '../kms/index.ts'
import { createLatencyModel, type LatencyModel } from '../load/latency-model.ts'
import type { CredentialStore } from './credentials.ts'
import { HttpError, toWireError } from './errors.ts'
import { RequestAuthenticator, type AuthMode, type RequestIdentity } from './identity.ts'
import type { StatePersistence } from './persistence.ts'
import { SigV4Verifier } from './sigv4.ts'
import { decodeRequest, encodeResponse } from './wire.ts'

/** The default port of `kms-bench serve`. */
export const DEFAULT_PORT = 4599
/** Largest request body accepted (KMS's largest inputs are a few tens of KiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024

/** Options of {@link startKmsServer}. */
export interface KmsServerOptions {
  /** The emulator to serve (with its quotas, audit sink and clock). */
  readonly emulator: Emulator
  /** Interface to bind. @default '127.0.0.1' */
  readonly host?: string
  /** TCP port; 0 picks a free one. @default DEFAULT_PORT (4599) */
  readonly port?: number
  /** `none` accepts any signature; `sigv4` verifies it against `credentials`. @default 'none' */
  readonly auth?: AuthMode
  /** Access keys → secrets → principals; required for `auth: 'sigv4'`. */
  readonly credentials?: CredentialStore
  /** Service time added before answering each API call. @default no latency */
  readonly latency?: LatencyModel
  /** Where state-changing calls are made durable before they are answered. @default none (in memory) */
  readonly persistence?: StatePersistence
  /** Largest request body accepted; larger ones get 413. @default DEFAULT_MAX_BODY_BYTES (1 MiB) */
  readonly maxBodyBytes?: number
  /** Clock for service-time waits and the drain timeout. @default the emulator's clock */
  readonly clock?: Clock
  /** How long {@link KmsServer.close} waits for in-flight requests before cutting connections. @default 10000 */
  readonly drainTimeoutMs?: number
  /** How long a client may take to send a whole request before it gets 408 and is disconnected. @default 30000 */
  readonly requestTimeoutMs?: number
  /** Receives a line for each unexpected error (a bug: answered as KMSInternalException). @default ignore */
  readonly log?: (line: string) => void
}

/** A running endpoint. */
export interface KmsServer {
  /** `http://HOST:PORT` */
  readonly url: string
  readonly host: string
  readonly port: number
  /** Requests being served right now. */
  readonly inFlight: number
  /** Stops accepting connections, lets in-flight requests finish (up to the drain timeout), then resolves. */
  close(): Promise<void>
}

const JSON_11 = 'application/x-amz-json-1.1'
const TARGET_PREFIX = 'TrentService.'

/** Starts an endpoint; resolves once it is listening. */
export async function startKmsServer(options: KmsServerOptions): Promise<KmsServer> {
  const emulator = options.emulator
  const core = emulator.core
  const clock = options.clock ?? emulator.clock
  const latency = options.latency ?? createLatencyModel('none', Math.random)
  const persistence = options.persistence
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000
  const log = options.log ?? (() => {})
  const auth = options.auth ?? 'none'
  if (auth === 'sigv4' && options.credentials === undefined) throw new Error("auth 'sigv4' needs credentials")
  const authenticator = new RequestAuthenticator({
    auth,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(auth === 'sigv4' && options.credentials !== undefined
      ? { verifier: new SigV4Verifier({ credentials: options.credentials, clock }) }
      : {}),
    defaultAccount: core.defaultAccount,
    defaultRegion: core.defaultRegion,
  })
  // One CallerInput object per distinct caller: the core caches its resolution per object.
  const callers = new LRUCache<string, CallerInput>({ max: 1000 })
  // The last caller of each connection: a client rarely changes identity on one connection.
  const lastCaller = new WeakMap<Socket, { identity: RequestIdentity; ua: string; caller: CallerInput }>()
  const seenSockets = new WeakSet<Socket>()
  let inFlight = 0
  let closing = false
  let drained: (() => void) | undefined

  function send(res: ServerResponse, status: number, body: string, requestId: string, contentType = JSON_11): void {
    if (res.headersSent || res.destroyed) return
    const headers: Record<string, string | number> = {
      'Content-Type': contentType,
      'Content-Length': Buffer.byteLength(body),
      'x-amzn-RequestId': requestId,
    }
    if (closing) headers['Connection'] = 'close'
    res.writeHead(status, headers)
    res.end(body)
  }

  function sendError(res: ServerResponse, e: unknown, requestId: string): void {
    const w = toWireError(e)
    if (w.unexpected !== undefined) {
      const err = w.unexpected
      log(
        `kms-bench serve: internal error (request ${requestId}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      )
    }
    if (w.status === 413) {
      // The rest of the body is never read: close the connection once the answer is out.
      if (!res.headersSent) res.setHeader('Connection', 'close')
      const socket = res.socket
      res.once('finish', () => socket?.destroy())
    }
    send(res, w.status, w.body, requestId)
  }

  function callerInput(identity: RequestIdentity, req: IncomingMessage): CallerInput {
    const ua = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : 'unknown'
    const socket = req.socket
    const last = lastCaller.get(socket)
    if (last !== undefined && last.identity === identity && last.ua === ua) return last.caller
    const ip = socket.remoteAddress ?? '127.0.0.1'
    const key = `${identity.account}\n${identity.region}\n${identity.principal ?? ''}\n${ip}\n${ua}`
    let c = callers.get(key)
    if (c === undefined) {
      c = {
        account: identity.account,
        region: identity.region,
        sourceIp: ip,
        userAgent: ua,
        ...(identity.principal !== undefined ? { principal: identity.principal } : {}),
      }
      callers.set(key, c)
    }
    lastCaller.set(socket, { identity, ua, caller: c })
    return c
  }

  /**
   * Serves one KMS API call. Synchronous (returns undefined) unless something has to be
   * waited for: a signature to verify, a commit to disk, a modelled service time.
   */
  function serveApi(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    requestId: string,
    firstOnSocket: boolean,
  ): Promise<void> | undefined {
    const target = req.headers['x-amz-target']
    if (typeof target !== 'string' || target === '')
      throw new UnknownOperationException(
        'Missing X-Amz-Target header: it names the operation, e.g. TrentService.Encrypt',
      )
    const op = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
    if (!core.isOperation(op)) throw new UnknownOperationException(`Unknown operation ${target}`)
    if (authenticator.mode === 'sigv4') {
      return authenticator
        .identify({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body })
        .then((identity) => callAndAnswer(op, identity, req, res, body, requestId, firstOnSocket))
    }
    return callAndAnswer(
      op,
      authenticator.identifyUnverified(req.headers['authorization']),
      req,
      res,
      body,
      requestId,
      firstOnSocket,
    )
  }

  function callAndAnswer(
    op: OperationName,
    identity: RequestIdentity,
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    requestId: string,
    firstOnSocket: boolean,
  ): Promise<void> | undefined {
    const input = decodeRequest(op, body)
    const caller = callerInput(identity, req)
    const before = core.stateVersion
    let result: CallResult<OperationName> | undefined
    let failure: unknown
    try {
      result = emulator.tryCall(op, input as never, caller)
    } catch (e) {
      failure = e
    }
    // Persist before answering whatever the outcome: a call can fail after scheduled work ran.
    const mustCommit = persistence !== undefined && core.stateVersion !== before
    const ms = latency.isZero ? 0 : latency.sample(op, { newConnection: firstOnSocket })
    if (!mustCommit && ms <= 0) {
      answer(res, op, result, failure, requestId)
      return undefined
    }
    return (async () => {
      if (mustCommit) await (persistence as StatePersistence).commit()
      if (ms > 0) await clock.sleep(ms)
      answer(res, op, result, failure, requestId)
    })()
  }

  // Not a closure per request: under tsx (esbuild keepNames) every named closure costs a
  // defineProperty call each time it is created.
  function answer(
    res: ServerResponse,
    op: OperationName,
    result: CallResult<OperationName> | undefined,
    failure: unknown,
    requestId: string,
  ): void {
    if (result === undefined) sendError(res, failure, requestId)
    else if (result.ok) send(res, 200, encodeResponse(op, result.output as never), requestId)
    else sendError(res, result.error, requestId)
  }

  async function reset(res: ServerResponse, requestId: string): Promise<void> {
    emulator.reset()
    if (persistence !== undefined) await persistence.commit()
    send(res, 200, JSON.stringify({ status: 'ok' }), requestId, 'application/json')
  }

  function route(
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    requestId: string,
    firstOnSocket: boolean,
  ): Promise<void> | undefined {
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const path = q < 0 ? url : url.slice(0, q)
    const method = req.method ?? 'GET'
    if (method === 'POST' && path === '/') return serveApi(req, res, body, requestId, firstOnSocket)
    if (method === 'POST' && (path === '/moto-api/reset' || path === '/kms-bench/reset')) return reset(res, requestId)
    if (method === 'GET' && path === '/kms-bench/usage')
      send(res, 200, JSON.stringify(emulator.usage()), requestId, 'application/json')
    else if (method === 'GET' && path === '/kms-bench/health')
      send(res, 200, JSON.stringify({ status: 'ok' }), requestId, 'application/json')
    else
      throw new HttpError(
        404,
        'UnknownOperationException',
        `No route for ${method} ${path}: the KMS API is POST / with an X-Amz-Target header`,
      )
    return undefined
  }

  function finished(): void {
    inFlight--
    if (inFlight === 0 && drained !== undefined) drained()
  }

  function onBody(
    req: IncomingMessage,
    res: ServerResponse,
    requestId: string,
    firstOnSocket: boolean,
    error: unknown,
    body: Buffer | undefined,
  ): void {
    let pending: Promise<void> | undefined
    try {
      if (body === undefined) throw error
      pending = route(req, res, body, requestId, firstOnSocket)
    } catch (e) {
      sendError(res, e, requestId)
    }
    if (pending === undefined) finished()
    else
      pending.then(finished, (e: unknown) => {
        sendError(res, e, requestId)
        finished()
      })
  }

  const requestTimeout = options.requestTimeoutMs ?? 30_000
  const server: Server = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(20_000, requestTimeout),
      // How often node looks for requests past their timeout.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, requestTimeout / 4)),
      // Longer than the SDKs' idle sockets live, so a client rarely reuses a socket we are closing.
      keepAliveTimeout: 65_000,
      noDelay: true,
    },
    (req, res) => {
      inFlight++
      const requestId = randomUUID()
      const socket = req.socket
      const firstOnSocket = !seenSockets.has(socket)
      if (firstOnSocket) seenSockets.add(socket)
      readBody(req, maxBody, (error, body) => onBody(req, res, requestId, firstOnSocket, error, body))
    },
  )
  // A socket error (client reset, parse error) must never take the process down.
  server.on('clientError', (err, socket) => {
    const code = (err as NodeJS.ErrnoException).code
    if (!socket.writable || code?.startsWith('ECONN') === true) {
      socket.destroy()
      return
    }
    // A request too slow to arrive (requestTimeout/headersTimeout) is a 408, which the SDKs retry.
    const timeout = code === 'ERR_HTTP_REQUEST_TIMEOUT'
    const body = JSON.stringify(
      timeout
        ? { __type: 'RequestTimeoutException', message: 'The request was not received in time.' }
        : { __type: 'SerializationException', message: `Malformed HTTP request: ${err.message}` },
    )
    socket.end(
      `HTTP/1.1 ${timeout ? '408 Request Timeout' : '400 Bad Request'}\r\nContent-Type: ${JSON_11}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  })

  const host = options.host ?? '127.0.0.1'
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address

  let closed: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    get inFlight() {
      return inFlight
    },
    close() {
      closed ??= (async () => {
        closing = true
        const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeIdleConnections()
        if (inFlight > 0) {
          let timer: TimerHandle | undefined
          await new Promise<void>((resolve) => {
            drained = resolve
            timer = clock.setTimer(drainTimeoutMs, resolve)
          })
          timer?.cancel()
        }
        // Whatever is still open now is idle or past the drain timeout.
        server.closeAllConnections()
        await serverClosed
      })()
      return closed
    },
  }
}

/** Reads a request body up to `max` bytes; a longer one is an HTTP 413 without reading the rest. */
function readBody(req: IncomingMessage, max: number, done: (error: unknown, body: Buffer | undefined) => void): void {
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
  settle(this, undefined, s.chunks.length === 1 ? (s.chunks[0] as Buffer) : Buffer.concat(s.chunks, s.size))
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
