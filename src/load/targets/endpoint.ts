/**
 * Endpoint targets: a KMS endpoint (kms-bench serve, moto's server, LocalStack) by URL,
 * or real AWS, through the real `@aws-sdk/client-kms`. Every application host gets its own
 * `KMSClient` (its own keep-alive connection pool and its own retry quota, as a real fleet
 * has), per account and Region it calls. The SDK does the retrying (`retryMode`,
 * `maxAttempts`); a middleware below the retry middleware records every attempt (operation,
 * outcome, latency), and `$metadata.attempts` gives the retries.
 *
 * Accounts: kms-bench serve takes the account from a 12-digit access key id, so without
 * credentials in the environment each account's clients sign with its id as access key.
 * Principals and `kms:ViaService` cannot travel over the wire; calls S3 would make are sent
 * by the harness itself. Attribution (`kms.byCaller`) is therefore counted here, attempt by
 * attempt, under the caller the scenario made each call for (source `client`, or
 * `client-credentials` when one set of credentials signs every call).
 */
import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type * as Sdk from '@aws-sdk/client-kms'
import { createHash, createHmac } from 'node:crypto'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import type { Checksum, SourceData } from '@smithy/types'
import type { Clock } from '../../clock.ts'
import type { CallerInput, OperationInputs, OperationName, OperationOutputs } from '../../kms/index.ts'
import type { PoolUsage, QuotaUsage, UsageSecond } from '../../quota/index.ts'
import { operationIndex, type HostState } from '../engine/index.ts'
import { toMicros } from '../results/index.ts'
import type { ClientRetryConfig, KmsCallSpec, KmsOutcome, SetupKms } from '../scenario/index.ts'
import {
  noResponseMessage,
  responseDeadline,
  SETUP_RESPONSE_TIMEOUT_MS,
  STOPPED_RESPONSE_TIMEOUT_MS,
} from './response-deadline.ts'
import {
  SetupError,
  trackKeys,
  type QuotaOverrideCheck,
  type SessionOptions,
  type Target,
  type TargetSession,
} from './target.ts'

/** Static credentials. */
export interface EndpointCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

/** Options of {@link endpointTarget}. */
export interface EndpointTargetOptions {
  /** `http(s)://host:port`; omit for real AWS (`kind: 'aws'`) */
  url?: string
  /** credentials for every client. @default endpoints: the account id as access key; aws: the SDK's default chain */
  credentials?: EndpointCredentials
  /** sockets per host client. @default 64 */
  maxSockets?: number
  /** per-attempt timeout, ms. @default 30000 */
  requestTimeoutMs?: number
  /** ScheduleKeyDeletion waiting period for keys created on `aws`. @default 7 */
  pendingWindowInDays?: number
  /**
   * How long each call outside the measured requests (setup calls, the quota route, the usage
   * meter) may wait for an answer, retries included, before the run ends with a clear error.
   * @default SETUP_RESPONSE_TIMEOUT_MS (10 s)
   */
  setupTimeoutMs?: number
}

/** Any KMS command, as `KMSClient.send` takes it (its input and output the union of the operations'). */
type KmsCommand = Parameters<Sdk.KMSClient['send']>[0]
/** A command class of `@aws-sdk/client-kms`, looked up by operation name. */
type CommandClass = new (input: unknown) => KmsCommand
type SendResult = { $metadata?: { attempts?: number } }

/**
 * The AWS SDK modules a session sends with, loaded when the first session opens: a run on the
 * embedded emulator never loads them (the client and its HTTP handler are about 6 MB of heap
 * and a few hundred modules to resolve at start-up).
 */
interface SdkModules {
  readonly sdk: typeof Sdk
  readonly NodeHttpHandler: typeof import('@smithy/node-http-handler').NodeHttpHandler
}

async function loadSdk(): Promise<SdkModules> {
  const [sdk, handler] = await Promise.all([import('@aws-sdk/client-kms'), import('@smithy/node-http-handler')])
  return { sdk, NodeHttpHandler: handler.NodeHttpHandler }
}

function commandClass(sdk: typeof Sdk, op: string): CommandClass {
  const c = (sdk as unknown as Record<string, unknown>)[`${op}Command`]
  if (typeof c !== 'function') throw new Error(`@aws-sdk/client-kms has no ${op}Command`)
  return c as CommandClass
}

/** The error name and message of an SDK error (network errors keep their code). */
function errorOf(e: unknown): { name: string; message: string } {
  const err = e as { name?: string; message?: string; code?: string }
  const name = err.name !== undefined && err.name !== 'Error' ? err.name : (err.code ?? 'Error')
  return { name, message: err.message ?? String(e) }
}

/** An endpoint (URL) or real AWS through the AWS SDK. */
export function endpointTarget(options: EndpointTargetOptions = {}): Target {
  const url = options.url
  const kind = url === undefined ? 'aws' : 'endpoint'
  const agents: (HttpAgent | HttpsAgent)[] = []
  const newAgent = (): HttpAgent | HttpsAgent => {
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 64 }
    const a = url?.startsWith('http:') ? new HttpAgent(agentOptions) : new HttpsAgent(agentOptions)
    agents.push(a)
    return a
  }
  const setupTimeoutMs = options.setupTimeoutMs ?? SETUP_RESPONSE_TIMEOUT_MS
  const endpointName = url ?? 'AWS KMS'
  const makeClient = (
    { sdk, NodeHttpHandler }: SdkModules,
    account: string,
    region: string,
    retry: ClientRetryConfig | undefined,
    agent: HttpAgent | HttpsAgent = newAgent(),
  ): Sdk.KMSClient => {
    const credentials =
      options.credentials ?? (url !== undefined ? { accessKeyId: account, secretAccessKey: 'kms-bench' } : undefined)
    return new sdk.KMSClient({
      region,
      ...(url !== undefined ? { endpoint: url } : {}),
      ...(credentials !== undefined ? { credentials } : {}),
      maxAttempts: retry?.maxAttempts ?? 1,
      retryMode: retry?.mode ?? 'standard',
      requestHandler: new NodeHttpHandler({
        ...(url?.startsWith('http:') === true
          ? { httpAgent: agent as HttpAgent }
          : { httpsAgent: agent as HttpsAgent }),
        connectionTimeout: 5000,
        requestTimeout: options.requestTimeoutMs ?? 30_000,
        throwOnRequestTimeout: true,
      }),
    })
  }
  const clients: Sdk.KMSClient[] = []

  return {
    kind,
    name: url ?? 'aws',
    async checkQuotaOverrides(check: QuotaOverrideCheck): Promise<void> {
      const first = check.variants.find((v) => Object.keys(v.quotas).length > 0)
      if (first === undefined) return
      const admin =
        url !== undefined
          ? adminClient(
              url,
              options.credentials,
              check.defaultAccount,
              check.region,
              check.clock,
              setupTimeoutMs,
              endpointName,
            )
          : undefined
      const previous = admin !== undefined ? await admin.get() : undefined
      if (previous === undefined) throw quotaOverrideUnsupported(first.quotas, first.name, url ?? 'aws')
    },
    async session(o: SessionOptions): Promise<TargetSession> {
      const modules = await loadSdk()
      const createdKeys: string[] = []
      const rec = o.recorder
      // Real AWS signs with the default credential chain's one identity, like explicit credentials.
      rec.attribution.source = options.credentials !== undefined || url === undefined ? 'client-credentials' : 'client'
      const attribute = (call: KmsCallSpec, code: number): void =>
        rec.attribution.count(call.caller, call.meta.caller, call.meta.keyName, code)
      const clock: Clock = o.clock
      const observe = (client: Sdk.KMSClient): Sdk.KMSClient => {
        // Below the retry middleware: sees every attempt.
        client.middlewareStack.add(
          (next, context) => async (args) => {
            const op = String(context.commandName ?? '').replace(/Command$/, '')
            const t0 = clock.now()
            try {
              const r = await next(args)
              const t = clock.now()
              rec.kms(operationIndex(op), 0, toMicros(t - t0), Math.floor((t - o.startMs()) / 1000))
              return r
            } catch (e) {
              const t = clock.now()
              rec.kms(
                operationIndex(op),
                errorOf(e).name === 'ThrottlingException' ? 1 : 2,
                toMicros(t - t0),
                Math.floor((t - o.startMs()) / 1000),
              )
              throw e
            }
          },
          { step: 'deserialize', name: 'kmsBenchAttemptObserver', priority: 'high' },
        )
        clients.push(client)
        return client
      }
      const hostClients = new Map<number, Map<string, Sdk.KMSClient>>()
      const clientFor = (host: HostState, caller: CallerInput): Sdk.KMSClient => {
        let m = hostClients.get(host.index)
        if (m === undefined) hostClients.set(host.index, (m = new Map()))
        const account = caller.account ?? o.defaultAccount
        const region = caller.region ?? o.region
        const k = `${account}/${region}`
        let c = m.get(k)
        if (c === undefined) m.set(k, (c = observe(makeClient(modules, account, region, o.clientRetry))))
        return c
      }
      const setupClients = new Map<string, { client: Sdk.KMSClient; agent: HttpAgent | HttpsAgent }>()
      const setupClientFor = (
        caller: CallerInput | undefined,
      ): { client: Sdk.KMSClient; agent: HttpAgent | HttpsAgent } => {
        const account = caller?.account ?? o.defaultAccount
        const region = caller?.region ?? o.region
        const k = `${account}/${region}`
        let c = setupClients.get(k)
        if (c === undefined) {
          const agent = newAgent()
          c = { client: makeClient(modules, account, region, { mode: 'standard', maxAttempts: 5 }, agent), agent }
          clients.push(c.client)
          setupClients.set(k, c)
        }
        return c
      }
      const setup: SetupKms = {
        async call<Op extends OperationName>(
          operation: Op,
          input: OperationInputs[Op],
          caller?: CallerInput,
        ): Promise<OperationOutputs[Op]> {
          const { client, agent } = setupClientFor(caller)
          // A target that accepts the connection and never answers gets a clear error in
          // setupTimeoutMs, not minutes of SDK retries on a 30 s socket timeout.
          // The run's stop signal aborts it too: SIGINT during setup ends the run at once.
          const deadline = responseDeadline(clock, setupTimeoutMs, {
            agent: agent as HttpAgent,
            ...(o.stop !== undefined ? { stop: o.stop } : {}),
          })
          try {
            // the SDK's output shapes are the emulator's (one Smithy model), without its index signatures
            const out = (await client.send(new (commandClass(modules.sdk, operation))(input), {
              abortSignal: deadline.signal,
            })) as unknown as OperationOutputs[Op]
            trackKeys(operation, out, createdKeys)
            return out
          } catch (e) {
            if (o.stop?.aborted === true && !deadline.expired)
              throw new SetupError(
                operation,
                'Interrupted',
                'the run was interrupted (SIGINT/SIGTERM) during its setup',
              )
            if (deadline.expired)
              throw new SetupError(
                operation,
                'NoResponse',
                noResponseMessage(endpointName, setupTimeoutMs, deadline.connected),
              )
            const err = errorOf(e)
            throw new SetupError(operation, err.name, err.message)
          } finally {
            deadline.done()
          }
        },
      }
      const asyncKms = async (call: KmsCallSpec, host: HostState, signal?: AbortSignal): Promise<KmsOutcome> => {
        const client = clientFor(host, call.caller)
        try {
          // The request's deadline aborts the call, its SDK retries and backoffs included.
          const command = new (commandClass(modules.sdk, call.operation))(call.input)
          // Below the retry middleware, like the attempt observer: every attempt is attributed.
          command.middlewareStack.add(
            (next) => async (args) => {
              try {
                const r = await next(args)
                attribute(call, 0)
                return r
              } catch (e) {
                attribute(call, errorOf(e).name === 'ThrottlingException' ? 1 : 2)
                throw e
              }
            },
            { step: 'deserialize', name: 'kmsBenchAttribution', priority: 'high' },
          )
          const out = await (signal !== undefined
            ? client.send(command, { abortSignal: signal })
            : client.send(command))
          const attempts = out.$metadata?.attempts ?? 1
          if (attempts > 1) rec.sdkRetries += attempts - 1
          return { ok: true, output: out as OperationOutputs[OperationName] }
        } catch (e) {
          const attempts = (e as SendResult).$metadata?.attempts ?? 1
          if (attempts > 1) rec.sdkRetries += attempts - 1
          return { ok: false, error: errorOf(e) }
        }
      }
      let before: QuotaUsage | undefined
      // The meter and the quota route wait setupTimeoutMs at most, STOPPED_RESPONSE_TIMEOUT_MS once the run was stopped.
      const readUsage = async (u: string, unresponsive = false): Promise<QuotaUsage | undefined> => {
        const ms = o.stop?.aborted === true || unresponsive ? STOPPED_RESPONSE_TIMEOUT_MS : setupTimeoutMs
        const deadline = responseDeadline(clock, ms)
        try {
          return await fetchUsage(u, deadline.signal)
        } finally {
          deadline.done()
        }
      }
      const admin =
        url !== undefined
          ? adminClient(url, options.credentials, o.defaultAccount, o.region, clock, setupTimeoutMs, endpointName)
          : undefined
      const restore = await applyQuotas(admin, o.quotas, o.variant, url ?? 'aws')
      return {
        kind,
        setup,
        asyncKms,
        createdKeys,
        async beginRun(): Promise<void> {
          if (url !== undefined) before = await readUsage(url)
        },
        async usage(usageOptions): Promise<QuotaUsage | undefined> {
          if (url === undefined) return undefined
          const after = await readUsage(url, usageOptions?.unresponsive === true)
          if (after === undefined) return undefined
          return diffUsage(before, after, Math.floor(o.startMs() / 1000))
        },
        async close(): Promise<void> {
          if (kind === 'aws') {
            // Never leave billed keys behind: schedule deletion of every key this run created.
            for (const arn of createdKeys) {
              const region = arn.split(':')[3] ?? o.region
              const account = arn.split(':')[4] ?? o.defaultAccount
              await setup
                .call(
                  'ScheduleKeyDeletion',
                  { KeyId: arn, PendingWindowInDays: options.pendingWindowInDays ?? 7 },
                  { account, region },
                )
                .catch(() => undefined)
            }
          }
          for (const m of hostClients.values()) for (const c of m.values()) c.destroy()
          hostClients.clear()
          // The variant's quota overrides end with it: the endpoint gets its own back.
          if (restore !== undefined && admin !== undefined) await admin.put(restore).catch(() => undefined)
        },
      }
    },
    close(): Promise<void> {
      for (const c of clients) c.destroy()
      for (const a of agents) a.destroy()
      return Promise.resolve()
    },
  }
}

/** The quota meter of a kms-bench endpoint (`GET /kms-bench/usage`); `undefined` for other servers. */
export async function fetchUsage(url: string, signal?: AbortSignal): Promise<QuotaUsage | undefined> {
  try {
    const res = await fetch(new URL('/kms-bench/usage', url), signal !== undefined ? { signal } : {})
    if (!res.ok) return undefined
    const body = (await res.json()) as QuotaUsage
    return Array.isArray(body.pools) && Array.isArray(body.seconds) ? body : undefined
  } catch {
    return undefined
  }
}

/** Usage between two readings of a cumulative meter, restricted to seconds from `fromEpochSecond`. */
export function diffUsage(before: QuotaUsage | undefined, after: QuotaUsage, fromEpochSecond: number): QuotaUsage {
  const prev = new Map<string, PoolUsage>((before?.pools ?? []).map((p) => [`${p.account}/${p.region}/${p.pool}`, p]))
  const seconds: UsageSecond[] = after.seconds.filter((s) => s.epochSecond >= fromEpochSecond)
  const pools: PoolUsage[] = []
  for (const p of after.pools) {
    const key = `${p.account}/${p.region}/${p.pool}`
    const b = prev.get(key)
    const accepted = p.accepted - (b?.accepted ?? 0)
    const throttled = p.throttled - (b?.throttled ?? 0)
    if (accepted === 0 && throttled === 0) continue
    let peak = 0
    let throttledSeconds = 0
    for (const s of seconds) {
      if (s.key !== key) continue
      peak = Math.max(peak, s.accepted + s.throttled)
      if (s.throttled > 0) throttledSeconds++
    }
    pools.push({
      ...p,
      accepted,
      throttled,
      peakPerSecond: peak,
      utilization: p.limit > 0 ? peak / p.limit : 0,
      throttledSeconds,
    })
  }
  return { pools, seconds }
}

/** SHA-256 for SignatureV4 (node:crypto; the SDK's own hash is not a direct dependency). */
class Sha256 implements Checksum {
  readonly #secret: Buffer | undefined
  #h: ReturnType<typeof createHash> | ReturnType<typeof createHmac>
  constructor(secret?: SourceData) {
    this.#secret =
      secret === undefined
        ? undefined
        : typeof secret === 'string'
          ? Buffer.from(secret)
          : ArrayBuffer.isView(secret)
            ? Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength)
            : Buffer.from(secret)
    this.#h = this.#fresh()
  }
  #fresh(): ReturnType<typeof createHash> | ReturnType<typeof createHmac> {
    return this.#secret !== undefined ? createHmac('sha256', this.#secret) : createHash('sha256')
  }
  update(data: Uint8Array): void {
    this.#h.update(data)
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#h.digest()))
  }
  reset(): void {
    this.#h = this.#fresh()
  }
}

/** The quota route of a kms-bench endpoint (`/kms-bench/quotas`), signed like the SDK's calls. */
interface AdminClient {
  get(): Promise<Record<string, number> | undefined>
  put(quotas: Record<string, number>): Promise<void>
}

function adminClient(
  url: string,
  credentials: EndpointCredentials | undefined,
  account: string,
  region: string,
  clock: Clock,
  timeoutMs: number,
  endpointName: string,
): AdminClient {
  const signer = new SignatureV4({
    credentials: credentials ?? { accessKeyId: account, secretAccessKey: 'kms-bench' },
    region,
    service: 'kms',
    sha256: Sha256,
  })
  const send = async (method: 'GET' | 'PUT', body?: string): Promise<Response> => {
    const u = new URL('/kms-bench/quotas', url)
    const request = new HttpRequest({
      method,
      protocol: u.protocol,
      hostname: u.hostname,
      ...(u.port !== '' ? { port: Number(u.port) } : {}),
      path: u.pathname,
      headers: { host: u.host, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body } : {}),
    })
    const signed = await signer.sign(request)
    const deadline = responseDeadline(clock, timeoutMs)
    try {
      return await fetch(u, {
        method,
        headers: signed.headers as Record<string, string>,
        ...(body !== undefined ? { body } : {}),
        signal: deadline.signal,
      })
    } catch (e) {
      if (deadline.expired)
        throw new SetupError('PutQuotas', 'NoResponse', noResponseMessage(endpointName, timeoutMs, undefined))
      throw e
    } finally {
      deadline.done()
    }
  }
  return {
    async get() {
      try {
        const res = await send('GET')
        if (!res.ok) return undefined
        const json = (await res.json()) as { quotas?: Record<string, number> }
        return json.quotas !== undefined && typeof json.quotas === 'object' ? json.quotas : undefined
      } catch {
        return undefined
      }
    },
    async put(quotas) {
      const res = await send('PUT', JSON.stringify({ quotas }))
      if (!res.ok) {
        const text = await res.text().catch(() => '')
        let message = text
        try {
          const j = JSON.parse(text) as { message?: string; Message?: string; __type?: string }
          message = `${j.__type ?? res.status}: ${j.message ?? j.Message ?? text}`
        } catch {
          // not JSON: the text as it came
        }
        throw new SetupError('PutQuotas', 'QuotaOverrideRefused', `PUT /kms-bench/quotas was refused: ${message}`)
      }
    },
  }
}

/**
 * Applies a variant's quota overrides to the endpoint: only `kms-bench serve` can (its
 * `/kms-bench/quotas` route); any other endpoint, and real AWS, refuse the variant, so that
 * nothing is ever reported as a quota increase that was not applied. Returns the overrides to
 * restore after the variant (`undefined` when there was nothing to apply).
 */
async function applyQuotas(
  admin: AdminClient | undefined,
  quotas: Record<string, number>,
  variant: string | undefined,
  target: string,
): Promise<Record<string, number> | undefined> {
  const entries = Object.entries(quotas)
  if (entries.length === 0) return undefined
  const previous = admin !== undefined ? await admin.get() : undefined
  if (admin === undefined || previous === undefined) throw quotaOverrideUnsupported(quotas, variant, target)
  await admin.put({ ...previous, ...quotas })
  return previous
}

/** The refusal of a variant whose quota overrides `target` cannot apply. */
function quotaOverrideUnsupported(
  quotas: Record<string, number>,
  variant: string | undefined,
  target: string,
): SetupError {
  const entries = Object.entries(quotas)
  const what = `variant '${variant ?? '?'}' changes quotas (${entries.map(([p, l]) => `${p}=${l}`).join(', ')})`
  return new SetupError(
    'PutQuotas',
    'QuotaOverrideUnsupported',
    `${what}, which only the embedded target or a kms-bench serve endpoint can apply (PUT /kms-bench/quotas); ${target} cannot: leave the variant out (--variant) or run it against kms-bench serve`,
  )
}
