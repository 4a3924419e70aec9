/**
 * The endpoint's own routes beside the KMS API:
 * - `POST /moto-api/reset` (answers `{"status":"ok"}`, as moto's server does) and
 *   `POST /kms-bench/reset`: forget all state, so boto3 suites written for moto's server mode
 *   run against this endpoint. Refused cross-site in every mode (`guards.ts`); under
 *   `--auth sigv4` they need a SigV4 signature by a credential flagged `admin`.
 * - `GET /kms-bench/usage`: the quota meter (`emulator.usage()`); under `--auth sigv4` it
 *   needs a valid signature (any known credential: it shows request counts, no key data).
 * - `GET /metrics`: Prometheus text format (`metrics.ts`); authenticated like the usage meter,
 *   or with `Authorization: Bearer TOKEN` when the server has a metrics token (a Prometheus
 *   scraper cannot sign SigV4); the token opens this route only.
 * - `GET /kms-bench/health`: `{"status":"ok"}`, or `"degraded"` with the problems (audit
 *   delivery failing); unauthenticated, it shows no state.
 * - `GET /kms-bench/quotas`: the quota overrides in force (`{"quotas":{"symmetric":20000}}`);
 *   `PUT /kms-bench/quotas` with `{"quotas":{POOL:RPS}}` replaces them (the quota meter starts
 *   afresh): how `kms-bench run` applies a variant's quota increase to this endpoint and
 *   restores the old quotas after it. PUT is an admin route like reset (cross-site refused;
 *   under `--auth sigv4` a credential flagged `admin`); GET needs any valid signature.
 * - `PUT /kms-bench/custom-key-store-failure` with `{"CustomKeyStoreId": "cks-…",
 *   "ConnectionErrorCode": "USER_LOCKED_OUT"}` gives a custom key store a simulated problem of
 *   its HSM cluster or proxy: its connection attempts end FAILED with that code (one AWS
 *   documents for the store's type) until `"ConnectionErrorCode": null` clears it
 *   (`kms/custom-key-stores.ts`). An admin route like reset; answers the store id and code.
 */
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Emulator } from '../emulator.ts'
import { AccessDeniedException, setConnectionFailure, ValidationException } from '../kms/index.ts'
import { QuotaConfigError } from '../quota/index.ts'
import type { StateSink } from './api.ts'
import { refuseCrossSite } from './guards.ts'
import type { ServerMetrics } from './metrics.ts'
import type { RequestAuthenticator, RequestIdentity } from './identity.ts'
import { type ResponderState, send } from './respond.ts'
import { at } from '../util/index.ts'

/** Extra health facts (for example audit delivery); `problems` non-empty makes the status `degraded`. */
export interface HealthReport {
  readonly problems: readonly string[]
  readonly [k: string]: unknown
}

/** What the admin routes work with. */
export interface AdminDeps {
  readonly emulator: Emulator
  readonly authenticator: RequestAuthenticator
  readonly persistence: (StateSink & { reset?(): Promise<void> }) | undefined
  readonly responder: ResponderState
  readonly health: (() => HealthReport) | undefined
  readonly metrics: ServerMetrics
  /** the bearer token that may scrape `/metrics` without a signature (`serve --metrics-token-file`) */
  readonly metricsToken?: string
}

const RESET_PATHS = new Set(['/moto-api/reset', '/kms-bench/reset'])
/** The quota overrides route (see the module comment). */
export const QUOTAS_PATH = '/kms-bench/quotas'
/** The custom key store failure route (see the module comment). */
export const KEY_STORE_FAILURE_PATH = '/kms-bench/custom-key-store-failure'

/** True when `method path` is one of the admin routes. */
export function isAdminRoute(method: string, path: string): boolean {
  return (
    (method === 'POST' && RESET_PATHS.has(path)) ||
    (method === 'GET' &&
      (path === '/kms-bench/usage' || path === '/kms-bench/health' || path === '/metrics' || path === QUOTAS_PATH)) ||
    (method === 'PUT' && (path === QUOTAS_PATH || path === KEY_STORE_FAILURE_PATH))
  )
}

/** `{"quotas": {POOL: RPS}}` → the overrides; throws ValidationException naming the problem. */
function parseQuotasBody(body: Buffer): Record<string, number> {
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    throw new ValidationException('PUT /kms-bench/quotas: the body is not JSON; send {"quotas": {"symmetric": 20000}}')
  }
  const quotas = (json as { quotas?: unknown } | null)?.quotas
  if (quotas === null || typeof quotas !== 'object' || Array.isArray(quotas))
    throw new ValidationException('PUT /kms-bench/quotas: send {"quotas": {POOL: requests per second}}')
  const out: Record<string, number> = {}
  for (const [pool, rps] of Object.entries(quotas)) {
    if (typeof rps !== 'number' || !Number.isFinite(rps) || rps <= 0)
      throw new ValidationException(
        `PUT /kms-bench/quotas: quota '${pool}' must be a positive number, got ${JSON.stringify(rps)}`,
      )
    out[pool] = rps
  }
  return out
}

/** `{"CustomKeyStoreId": ID, "ConnectionErrorCode": CODE | null}`; throws ValidationException naming the problem. */
function parseFailureBody(body: Buffer): { id: string; code: string | undefined } {
  const usage = `PUT ${KEY_STORE_FAILURE_PATH}: send {"CustomKeyStoreId": "cks-...", "ConnectionErrorCode": "NETWORK_ERRORS"} (null clears it)`
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    throw new ValidationException(`${usage}; the body is not JSON`)
  }
  const o = json as { CustomKeyStoreId?: unknown; ConnectionErrorCode?: unknown } | null
  if (o === null || typeof o !== 'object' || typeof o.CustomKeyStoreId !== 'string')
    throw new ValidationException(usage)
  const code = o.ConnectionErrorCode
  if (code !== null && typeof code !== 'string') throw new ValidationException(usage)
  return { id: o.CustomKeyStoreId, code: code ?? undefined }
}

/** Serves an admin route (see {@link isAdminRoute}). */
export async function serveAdmin(
  deps: AdminDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: Buffer,
  requestId: string,
): Promise<void> {
  if (path === '/kms-bench/health') {
    const extra = deps.health?.()
    const status = extra !== undefined && extra.problems.length > 0 ? 'degraded' : 'ok'
    send(deps.responder, res, 200, JSON.stringify({ status, ...extra }), requestId, 'application/json')
    return
  }
  if (path === '/metrics') {
    // Like the usage meter: request counts, no key data; under --auth sigv4 a valid signature,
    // or the metrics bearer token.
    if (!hasBearer(req, deps.metricsToken)) await authenticate(deps, req, body, path, false)
    const { text, contentType } = await deps.metrics.render()
    send(deps.responder, res, 200, text, requestId, contentType)
    return
  }
  if (path === '/kms-bench/usage') {
    await authenticate(deps, req, body, path, false)
    send(deps.responder, res, 200, JSON.stringify(deps.emulator.usage()), requestId, 'application/json')
    return
  }
  if (path === QUOTAS_PATH) {
    if (req.method === 'PUT') {
      refuseCrossSite(req, `PUT ${path}`)
      await authenticate(deps, req, body, path, true)
      const quotas = parseQuotasBody(body)
      try {
        deps.emulator.setQuotaOverrides(quotas)
      } catch (e) {
        if (e instanceof QuotaConfigError) throw new ValidationException(`PUT /kms-bench/quotas: ${e.message}`)
        throw e
      }
    } else await authenticate(deps, req, body, path, false)
    send(
      deps.responder,
      res,
      200,
      JSON.stringify({ quotas: deps.emulator.quotaOverrides() }),
      requestId,
      'application/json',
    )
    return
  }
  if (path === KEY_STORE_FAILURE_PATH) {
    refuseCrossSite(req, `PUT ${path}`)
    await authenticate(deps, req, body, path, true)
    const { id, code } = parseFailureBody(body)
    const store = setConnectionFailure(deps.emulator.core.store, id, code)
    await deps.persistence?.commit()
    const out = { CustomKeyStoreId: store.id, ConnectionErrorCode: store.simulatedFailure ?? null }
    send(deps.responder, res, 200, JSON.stringify(out), requestId, 'application/json')
    return
  }
  refuseCrossSite(req, `POST ${path}`)
  await authenticate(deps, req, body, path, true)
  deps.emulator.reset()
  const p = deps.persistence
  if (p !== undefined) await (p.reset !== undefined ? p.reset() : p.commit())
  send(deps.responder, res, 200, JSON.stringify({ status: 'ok' }), requestId, 'application/json')
}

/** True when the request carries `Authorization: Bearer <token>` with this token (compared in constant time). */
function hasBearer(req: IncomingMessage, token: string | undefined): boolean {
  if (token === undefined) return false
  const m = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))
  if (m === null) return false
  const a = createHash('sha256').update(at(m, 1)).digest()
  const b = createHash('sha256').update(token).digest()
  return timingSafeEqual(a, b)
}

/** Under `--auth sigv4`: a valid signature, and for `admin` routes a credential flagged admin. */
async function authenticate(
  deps: AdminDeps,
  req: IncomingMessage,
  body: Buffer,
  path: string,
  admin: boolean,
): Promise<RequestIdentity | undefined> {
  if (deps.authenticator.mode !== 'sigv4') return undefined
  const identity = await deps.authenticator.identify({
    method: req.method ?? 'POST',
    url: req.url ?? path,
    headers: req.headers,
    body,
  })
  if (admin && identity.admin !== true)
    throw new AccessDeniedException(
      `${identity.principal ?? identity.accessKeyId ?? 'caller'} is not authorized to perform ${req.method ?? 'POST'} ${path}: it needs a credential with "admin": true in the credentials file`,
    )
  return identity
}
