/**
 * The KMS endpoint: a node:http listener speaking awsJson1_1 over an {@link Emulator}
 * (DESIGN.md, "Endpoint behaviour"; kms-facts.md §7). A thin codec: the API call path is in
 * `api.ts` (caller, decode, `emulator.tryCall`, commit, service time, encode), the endpoint's
 * own routes in `admin-routes.ts`, browser protections in `guards.ts`. No KMS logic lives here.
 *
 * Routes:
 * - `POST /` with `X-Amz-Target: TrentService.<Operation>`: the KMS API.
 * - `POST /moto-api/reset`, `POST /kms-bench/reset`, `GET /kms-bench/usage`,
 *   `GET /kms-bench/health`, `GET /metrics` (Prometheus): see `admin-routes.ts`.
 *
 * Every request first passes the Host check (`guards.ts`) when the server is bound to loopback.
 *
 * Throughput: the requests whose bodies one event-loop turn read are answered back to back once
 * that turn's I/O is handled (`afterPendingIo`, see `onRead`), and what a connection repeats
 * (Host, target, credential scope, caller) is remembered on its socket, not looked up per request.
 *
 * Robustness: a body over `maxBodyBytes` is answered 413 without being read; bad JSON or
 * values of the wrong type are SerializationException; anything unexpected is a 500
 * KMSInternalException; slow or stalled requests are cut by node's request timeout. Every
 * response carries `x-amzn-RequestId`.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { afterPendingIo, type Clock, type TimerHandle } from '../clock.ts'
import type { Emulator } from '../emulator.ts'
import { createLatencyModel, type LatencyModel } from '../load/index.ts'
import { type AdminDeps, type HealthReport, isAdminRoute, serveAdmin } from './admin-routes.ts'
import { ApiHandler, type ApiRequest, type StateSink } from './api.ts'
import { BodyMessage, readBody } from './body.ts'
import type { CredentialStore } from './credentials.ts'
import { HttpError } from './errors.ts'
import { HostGuard } from './guards.ts'
import { ServerMetrics } from './metrics.ts'
import { type AuthMode, RequestAuthenticator } from './identity.ts'
import { JSON_11, type ResponderState, sendError } from './respond.ts'
import { SigV4Verifier } from './sigv4.ts'

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
  readonly persistence?: StateSink & { reset?(): Promise<void> }
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
  /**
   * Host names answered besides localhost, 127.0.0.0/8 and [::1] when bound to loopback
   * (DNS rebinding protection, `guards.ts`). @default none
   */
  readonly allowedHosts?: readonly string[]
  /** Extra facts for `GET /kms-bench/health` (audit delivery). @default none */
  readonly health?: () => HealthReport
  /**
   * A bearer token that may scrape `GET /metrics` without a SigV4 signature (a Prometheus
   * scraper cannot sign: `authorization: { credentials_file }` in its scrape config). Only
   * `/metrics` accepts it; with `auth: 'none'` the route is open anyway. @default none
   */
  readonly metricsToken?: string
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

/** Mutable state of one running server, shared by its request handlers. */
interface ServerState extends ResponderState {
  inFlight: number
  drained: (() => void) | undefined
  /** Requests read in this event-loop turn, answered together once its I/O is handled. */
  batch: ReadRequest[]
}

/** A request on its way: known when it arrives, completed once its body is read. */
interface ReadRequest extends ApiRequest {
  readonly h: Handlers
  arrivedMs: number
  error: unknown
  body: Buffer | undefined
}

/** Marks a connection that has carried a request (a property on the socket: no lookup table). */
const SEEN = Symbol('kms-bench seen connection')
/** The last Host header a connection's requests passed the Host check with (a client repeats it). */
const PASSED_HOST = Symbol('kms-bench passed host')
type SeenSocket = Socket & { [SEEN]?: true; [PASSED_HOST]?: string }

/** Everything a request needs, built once per server. */
interface Handlers {
  readonly state: ServerState
  readonly api: ApiHandler
  readonly admin: AdminDeps
  readonly hosts: HostGuard
  readonly maxBody: number
  /** the server's clock: when each request's body was read */
  readonly clock: Clock
}

function buildAuthenticator(options: KmsServerOptions, clock: Clock): RequestAuthenticator {
  const core = options.emulator.core
  const auth = options.auth ?? 'none'
  if (auth === 'sigv4' && options.credentials === undefined) throw new Error("auth 'sigv4' needs credentials")
  return new RequestAuthenticator({
    auth,
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    ...(auth === 'sigv4' && options.credentials !== undefined
      ? { verifier: new SigV4Verifier({ credentials: options.credentials, clock }) }
      : {}),
    defaultAccount: core.defaultAccount,
    defaultRegion: core.defaultRegion,
  })
}

function buildHandlers(options: KmsServerOptions, host: string): Handlers {
  const emulator = options.emulator
  const clock = options.clock ?? emulator.clock
  const state: ServerState = {
    closing: false,
    log: options.log ?? (() => {}),
    inFlight: 0,
    drained: undefined,
    batch: [],
  }
  const authenticator = buildAuthenticator(options, clock)
  const persistence = options.persistence
  const metrics = new ServerMetrics(emulator)
  const api = new ApiHandler({
    metrics,
    emulator,
    authenticator,
    latency: options.latency ?? createLatencyModel('none', Math.random),
    clock,
    persistence,
    responder: state,
  })
  const admin: AdminDeps = {
    emulator,
    authenticator,
    persistence,
    responder: state,
    health: options.health,
    metrics,
    ...(options.metricsToken !== undefined ? { metricsToken: options.metricsToken } : {}),
  }
  const hosts = new HostGuard(host, options.allowedHosts ?? [])
  return { state, api, admin, hosts, maxBody: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES, clock }
}

function route(h: Handlers, r: ReadRequest, body: Buffer): Promise<void> | undefined {
  const { req, res, requestId } = r
  const host = req.headers.host
  const socket = req.socket as SeenSocket
  if (host !== socket[PASSED_HOST]) {
    h.hosts.check(host)
    socket[PASSED_HOST] = host
  }
  const url = req.url ?? '/'
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  const method = req.method ?? 'GET'
  if (method === 'POST' && path === '/') return h.api.serve(r, body)
  if (isAdminRoute(method, path)) return serveAdmin(h.admin, req, res, path, body, requestId)
  throw new HttpError(
    404,
    'UnknownOperationException',
    `No route for ${method} ${path}: the KMS API is POST / with an X-Amz-Target header`,
  )
}

function finished(state: ServerState): void {
  state.inFlight--
  if (state.inFlight === 0 && state.drained !== undefined) state.drained()
}

/**
 * A body is read: the request joins this turn's batch. The batch is answered once the turn's
 * I/O is handled (`afterPendingIo`), so that the requests that arrived together on many
 * connections are served back to back: the code stays hot in the CPU caches and the answers
 * leave together, which wakes a waiting client once per turn instead of once per answer. A
 * lone request waits for nothing: the check phase follows the poll phase it was read in.
 */
function onRead(r: ReadRequest, error: unknown, body: Buffer | undefined): void {
  r.arrivedMs = r.h.clock.now()
  r.error = error
  r.body = body
  const state = r.h.state
  if (state.batch.length === 0) afterPendingIo(() => answerBatch(state))
  state.batch.push(r)
}

function answerBatch(state: ServerState): void {
  const batch = state.batch
  state.batch = []
  for (const r of batch) answerRequest(r)
}

function answerRequest(r: ReadRequest): void {
  const { h, res, requestId } = r
  let pending: Promise<void> | undefined
  try {
    if (r.body === undefined) throw r.error
    pending = route(h, r, r.body)
  } catch (e) {
    sendError(h.state, res, e, requestId)
  }
  if (pending === undefined) finished(h.state)
  else
    pending.then(
      () => finished(h.state),
      (e: unknown) => {
        sendError(h.state, res, e, requestId)
        finished(h.state)
      },
    )
}

/** A socket error (client reset, parse error) must never take the process down. */
function onClientError(err: Error, socket: Duplex): void {
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
}

function createListener(h: Handlers, requestTimeout: number): Server {
  const server: Server = createServer(
    {
      IncomingMessage: BodyMessage,
      requestTimeout,
      headersTimeout: Math.min(20_000, requestTimeout),
      // How often node looks for requests past their timeout.
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, requestTimeout / 4)),
      // Longer than the SDKs' idle sockets live, so a client rarely reuses a socket we are closing.
      keepAliveTimeout: 65_000,
      noDelay: true,
    },
    (req, res) => {
      h.state.inFlight++
      const socket = req.socket as SeenSocket
      const firstOnSocket = socket[SEEN] !== true
      if (firstOnSocket) socket[SEEN] = true
      const r: ReadRequest = {
        h,
        req,
        res,
        requestId: randomUUID(),
        firstOnSocket,
        arrivedMs: 0,
        error: undefined,
        body: undefined,
      }
      readBody(req, h.maxBody, r, onRead)
    },
  )
  server.on('clientError', onClientError)
  return server
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

/** Stops accepting, waits for in-flight requests up to the drain timeout, then cuts what is left. */
async function drainAndClose(server: Server, state: ServerState, clock: Clock, drainTimeoutMs: number): Promise<void> {
  state.closing = true
  const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
  server.closeIdleConnections()
  if (state.inFlight > 0) {
    let timer: TimerHandle | undefined
    await new Promise<void>((resolve) => {
      state.drained = resolve
      timer = clock.setTimer(drainTimeoutMs, resolve)
    })
    timer?.cancel()
  }
  // Whatever is still open now is idle or past the drain timeout.
  server.closeAllConnections()
  await serverClosed
}

/** Starts an endpoint; resolves once it is listening. */
export async function startKmsServer(options: KmsServerOptions): Promise<KmsServer> {
  const host = options.host ?? '127.0.0.1'
  const h = buildHandlers(options, host)
  const server = createListener(h, options.requestTimeoutMs ?? 30_000)
  await listen(server, options.port ?? DEFAULT_PORT, host)
  const address = server.address() as AddressInfo
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const clock = options.clock ?? options.emulator.clock
  let closed: Promise<void> | undefined
  return {
    url: `http://${urlHost}:${address.port}`,
    host: address.address,
    port: address.port,
    get inFlight() {
      return h.state.inFlight
    },
    close() {
      closed ??= drainAndClose(server, h.state, clock, options.drainTimeoutMs ?? 10_000)
      return closed
    },
  }
}
