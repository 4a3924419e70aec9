/**
 * One KMS API call over HTTP (`POST /` with `X-Amz-Target: TrentService.<Op>`): find the
 * caller (`identity.ts`), decode the input (`wire.ts`), call `emulator.tryCall`, make the
 * change durable when the call changed the state, wait the modelled service time, answer.
 * Synchronous unless something has to be waited for, so the common path allocates no Promise.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { LRUCache } from 'lru-cache'
import type { Clock } from '../clock.ts'
import type { CallResult, Emulator } from '../emulator.ts'
import { type CallerInput, type OperationName, UnknownOperationException } from '../kms/index.ts'
import { TRANSPORT_FAULTS } from '../faults/index.ts'
import type { LatencyModel } from '../load/index.ts'
import type { RequestAuthenticator, RequestIdentity } from './identity.ts'
import { type ResponderState, send, sendError } from './respond.ts'
import type { ServerMetrics } from './metrics.ts'
import { injectTransportFault } from './transport-faults.ts'
import { encodeResponse, decodeRequest } from './wire.ts'

const TARGET_PREFIX = 'TrentService.'

/**
 * What a connection's last request resolved, kept on its socket: a client sends the same target
 * and credential scope and rarely changes identity on one connection, and comparing a header
 * with the last one is cheaper than parsing it and hashing it into a lookup table per request.
 */
const MEMO = Symbol('kms-bench connection memo')
interface ConnectionMemo {
  readonly handler: ApiHandler
  /** the last valid `X-Amz-Target` header and its operation */
  target: string | undefined
  op: OperationName | undefined
  /** the last `Authorization` header resolved without verification (auth none) and its caller */
  authorization: string | string[] | undefined
  identity: RequestIdentity | undefined
  /** the last caller input, for this identity and user agent */
  callerIdentity: RequestIdentity | undefined
  ua: string | undefined
  caller: CallerInput | undefined
}
type MemoSocket = Socket & { [MEMO]?: ConnectionMemo }

/** Where state changes are made durable before they are answered (`persistence.ts`). */
export interface StateSink {
  /** Resolves once every change made so far is durable; rejects when it could not be. */
  commit(): Promise<void>
}

/** What {@link ApiHandler} works with. */
export interface ApiDeps {
  readonly emulator: Emulator
  readonly authenticator: RequestAuthenticator
  readonly latency: LatencyModel
  readonly clock: Clock
  readonly persistence: StateSink | undefined
  readonly responder: ResponderState
  /** counts every answered call for `GET /metrics` */
  readonly metrics?: ServerMetrics
}

/** One HTTP request to the API, as the listener (`http.ts`) read it. */
export interface ApiRequest {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** its `x-amzn-RequestId` */
  readonly requestId: string
  /** the first request on its connection (the latency model's new-connection cost) */
  readonly firstOnSocket: boolean
  /** when its body had been read, ms of the server's clock: where its duration (`/metrics`) starts */
  readonly arrivedMs: number
}

/** Serves KMS API calls. */
export class ApiHandler {
  readonly #deps: ApiDeps
  /** One CallerInput object per distinct caller: the core caches its resolution per object. */
  readonly #callers = new LRUCache<string, CallerInput>({ max: 1000 })

  constructor(deps: ApiDeps) {
    this.#deps = deps
  }

  /**
   * Serves one call. Returns undefined when answered synchronously, else a Promise that
   * settles once answered (a signature to verify, a commit to disk, a modelled service time).
   */
  serve(r: ApiRequest, body: Buffer): Promise<void> | undefined {
    const req = r.req
    const memo = this.#memoOf(req.socket)
    const target = req.headers['x-amz-target']
    let op = memo.op
    if (target !== memo.target || op === undefined) {
      if (typeof target !== 'string' || target === '')
        throw new UnknownOperationException(
          'Missing X-Amz-Target header: it names the operation, e.g. TrentService.Encrypt',
        )
      const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : ''
      if (!this.#deps.emulator.core.isOperation(name))
        throw new UnknownOperationException(`Unknown operation ${target}`)
      op = name
      memo.target = target
      memo.op = op
    }
    const authenticator = this.#deps.authenticator
    if (authenticator.mode === 'sigv4') {
      const operation = op
      return authenticator
        .identify({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers, body })
        .then((identity) => this.#callAndAnswer(operation, identity, r, body, memo))
    }
    const authorization = req.headers['authorization']
    let identity = memo.identity
    if (identity === undefined || authorization !== memo.authorization) {
      // Throws for a scope naming an unknown Region: nothing is kept then.
      identity = authenticator.identifyUnverified(authorization)
      memo.authorization = authorization
      memo.identity = identity
    }
    return this.#callAndAnswer(op, identity, r, body, memo)
  }

  #memoOf(socket: Socket): ConnectionMemo {
    const s = socket as MemoSocket
    const known = s[MEMO]
    if (known !== undefined && known.handler === this) return known
    const memo: ConnectionMemo = {
      handler: this,
      target: undefined,
      op: undefined,
      authorization: undefined,
      identity: undefined,
      callerIdentity: undefined,
      ua: undefined,
      caller: undefined,
    }
    s[MEMO] = memo
    return memo
  }

  #callAndAnswer(
    op: OperationName,
    identity: RequestIdentity,
    r: ApiRequest,
    body: Buffer,
    memo: ConnectionMemo,
  ): Promise<void> | undefined {
    const { emulator, persistence, latency } = this.#deps
    const input = decodeRequest(op, body)
    const caller = this.#callerInput(identity, r.req, memo)
    const transport = emulator.faults?.pick(op, this.#deps.clock.now(), TRANSPORT_FAULTS)
    if (transport !== undefined) return injectTransportFault(transport.kind, r.req, r.res)
    const core = emulator.core
    const before = core.stateVersion
    let result: CallResult<OperationName> | undefined
    let failure: unknown
    try {
      result = emulator.tryCall(op, input, caller)
    } catch (e) {
      failure = e
    }
    // Persist before answering whatever the outcome: a call can fail after scheduled work ran.
    const mustCommit = persistence !== undefined && core.stateVersion !== before
    // A successful call on a key in a custom key store also waits for its HSM or proxy.
    const keyStores =
      latency.usesKeyStores === true && result?.ok === true ? emulator.keyStoresOf(op, input, caller) : undefined
    const newConnection = r.firstOnSocket
    const ms =
      (latency.isZero
        ? 0
        : latency.sample(op, keyStores !== undefined ? { newConnection, keyStores } : { newConnection })) +
      (result?.delayMs ?? 0)
    if (!mustCommit && ms <= 0) {
      this.#answer(r, op, result, failure)
      return undefined
    }
    return this.#answerLater(r, op, result, failure, mustCommit, ms)
  }

  async #answerLater(
    r: ApiRequest,
    op: OperationName,
    result: CallResult<OperationName> | undefined,
    failure: unknown,
    mustCommit: boolean,
    ms: number,
  ): Promise<void> {
    // A failed commit rejects: the request is answered as an internal error, never as done.
    if (mustCommit) await (this.#deps.persistence as StateSink).commit()
    if (ms > 0) await this.#deps.clock.sleep(ms)
    this.#answer(r, op, result, failure)
  }

  #answer(r: ApiRequest, op: OperationName, result: CallResult<OperationName> | undefined, failure: unknown): void {
    const state = this.#deps.responder
    const outcome =
      result === undefined
        ? ((failure as { name?: string })?.name ?? 'InternalError')
        : result.ok
          ? 'ok'
          : result.error.name
    this.#deps.metrics?.observe(op, outcome, Math.max(0, this.#deps.clock.now() - r.arrivedMs) / 1000)
    if (result === undefined) sendError(state, r.res, failure, r.requestId)
    else if (result.ok) send(state, r.res, 200, encodeResponse(op, result.output), r.requestId)
    else sendError(state, r.res, result.error, r.requestId)
  }

  #callerInput(identity: RequestIdentity, req: IncomingMessage, memo: ConnectionMemo): CallerInput {
    const ua = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : 'unknown'
    if (memo.caller !== undefined && memo.callerIdentity === identity && memo.ua === ua) return memo.caller
    const ip = req.socket.remoteAddress ?? '127.0.0.1'
    const key = `${identity.account}\n${identity.region}\n${identity.principal ?? ''}\n${ip}\n${ua}`
    let c = this.#callers.get(key)
    if (c === undefined) {
      c = {
        account: identity.account,
        region: identity.region,
        sourceIp: ip,
        userAgent: ua,
        ...(identity.principal !== undefined ? { principal: identity.principal } : {}),
      }
      this.#callers.set(key, c)
    }
    memo.callerIdentity = identity
    memo.ua = ua
    memo.caller = c
    return c
  }
}
