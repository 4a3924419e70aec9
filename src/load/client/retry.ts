/**
 * The AWS SDK's client retries as a mitigation layer: `retryMode` `standard` (the default)
 * or `adaptive`, with `maxAttempts` (3 by default, counting the first attempt).
 *
 * On endpoint targets the real SDK client retries (each host's `KMSClient` gets `retryMode`
 * and `maxAttempts`, see {@link Mitigation.clientRetry}). On the embedded target, where
 * calls are synchronous and time may be virtual, this layer makes the same decisions as
 * `StandardRetryStrategy` / `AdaptiveRetryStrategy` of the installed `@smithy/core`:
 *
 * - errors are classified by the SDK's own `isThrottlingError` / `isTransientError` /
 *   `isServerError`; only THROTTLING and TRANSIENT are retried;
 * - a retry needs `attempts < maxAttempts` and a token from the per-client retry quota
 *   (`INITIAL_RETRY_TOKENS`, cost `Retry.throttlingCost()` for throttles, `Retry.cost()`
 *   otherwise; a success gives back the last retry's cost, or `NO_RETRY_INCREMENT`);
 * - the backoff is full jitter, `floor(random · min(base · 2^retries, MAXIMUM_RETRY_DELAY))`
 *   with base `Retry.throttlingDelay()` for throttles and `Retry.delay()` otherwise;
 * - adaptive mode adds the client-side rate limiter (`adaptive-limiter.ts`).
 *
 * The constants are read from the installed package, so a new SDK version is followed.
 * The jitter draws from a seeded stream instead of `Math.random` (the decisions are the
 * same; only the random numbers differ), which keeps virtual runs reproducible.
 * `retry.test.ts` checks all of this against the real strategy classes.
 *
 * One retry quota and one limiter per host: the SDK keeps them per client instance, and
 * every host of a fleet has its own client.
 */
import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry'
import { INITIAL_RETRY_TOKENS, MAXIMUM_RETRY_DELAY, NO_RETRY_INCREMENT, Retry } from '@smithy/util-retry'
import { directKms, isContinuation } from '../engine/index.ts'
import type {
  KmsErrorLike,
  KmsInvoker,
  ClientRetryConfig,
  Host,
  Mitigation,
  MitigationContext,
  MitigationRun,
  ClientRetrySetting,
  HostGroupClient,
  SdkName,
  SdkRetryMode,
} from '../scenario/index.ts'
import { Random } from '../../random.ts'
import { RetryBudget, type SdkRetryModel, sdkRetryModel } from './sdk-models.ts'
import { AdaptiveLimiter, type AdaptiveLimiterOptions } from './adaptive-limiter.ts'
import { classify, countRefusal, emptyRetryStats, RetryCall, type RetryClient, type RetryStats } from './retry-loop.ts'

/** `none` disables retries (one attempt); `legacy` exists for boto3 and Java v2. */
export type RetryMode = SdkRetryMode

/** Options of {@link sdkRetry}. */
export interface SdkRetryOptions extends ClientSetting {
  /** adaptive limiter constants. @default the SDK's */
  limiter?: AdaptiveLimiterOptions
  /** host ranges with another client (a mixed fleet). @default none */
  groups?: readonly HostGroupClient[]
}

/** The SDK's error classes, as its retry middleware computes them. */
export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR'

const typeCache = new Map<string, RetryErrorType>()

/**
 * Classifies an error the way the SDK's retry middleware does (`getRetryErrorType`), using
 * the SDK's own predicates on the error's name and HTTP status (memoized per name and status).
 */
export function retryErrorType(error: KmsErrorLike & { httpStatus?: number }): RetryErrorType {
  // The hot case of a throttled run; the SDK lists ThrottlingException as throttling (tested).
  if (error.name === 'ThrottlingException') return 'THROTTLING'
  const status = error.httpStatus ?? 400
  const cacheKey = status === 400 ? error.name : `${error.name}/${status}`
  let t = typeCache.get(cacheKey)
  if (t === undefined) {
    const sdkError = Object.assign(new Error(error.message), {
      name: error.name,
      $metadata: { httpStatusCode: status },
    }) as unknown as Parameters<typeof isThrottlingError>[0]
    t = isThrottlingError(sdkError)
      ? 'THROTTLING'
      : isTransientError(sdkError)
        ? 'TRANSIENT'
        : isServerError(sdkError)
          ? 'SERVER_ERROR'
          : 'CLIENT_ERROR'
    typeCache.set(cacheKey, t)
  }
  return t
}

// The installed SDK's retry parameters, read once (they are static).
const THROTTLING_COST = Retry.throttlingCost()
const OTHER_COST = Retry.cost()
const MODIFIED_COST_TYPE: string = Retry.modifiedCostType()
const THROTTLING_BASE_DELAY = Retry.throttlingDelay()
const BASE_DELAY = Retry.delay()

/** The per-client retry quota and backoff of `StandardRetryStrategy`, synchronous. */
export class RetryQuota {
  /** tokens left (starts at INITIAL_RETRY_TOKENS) */
  capacity = INITIAL_RETRY_TOKENS
  readonly maxAttempts: number

  constructor(maxAttempts: number) {
    this.maxAttempts = maxAttempts
  }

  /** Cost of a retry after an error of this type. */
  cost(type: RetryErrorType): number {
    return type === MODIFIED_COST_TYPE ? THROTTLING_COST : OTHER_COST
  }

  /**
   * Whether the SDK would retry after the `retries`-th retry failed with `type`
   * (`retryCode() === 0`): retryable type, attempts left, enough tokens.
   */
  shouldRetry(retries: number, type: RetryErrorType): boolean {
    const retryable = type === 'THROTTLING' || type === 'TRANSIENT'
    return retryable && retries + 1 < this.maxAttempts && this.capacity >= this.cost(type)
  }

  /** The backoff before retry number `retries + 1`, full jitter, with `u` uniform in [0, 1). */
  delay(retries: number, type: RetryErrorType, u: number): number {
    const base = type === 'THROTTLING' ? THROTTLING_BASE_DELAY : BASE_DELAY
    return Math.floor(u * Math.min(base * 2 ** retries, MAXIMUM_RETRY_DELAY))
  }

  /** Takes the retry's cost from the quota and returns it. */
  take(type: RetryErrorType): number {
    const c = this.cost(type)
    this.capacity -= c
    return c
  }

  /** `recordSuccess`: gives back the last retry's cost, or NO_RETRY_INCREMENT after a first-try success. */
  recordSuccess(lastCost: number | undefined): void {
    this.capacity = Math.min(INITIAL_RETRY_TOKENS, this.capacity + (lastCost ?? NO_RETRY_INCREMENT))
  }
}

/** One SDK client setting: which SDK, its retry mode and attempts. */
export interface ClientSetting {
  /** @default 'js-v3' */
  sdk?: SdkName
  /** @default the SDK's default mode (`standard` for JS v3 and Go v2, `legacy` for boto3 and Java v2) */
  mode?: SdkRetryMode
  /** attempts including the first. @default the mode's */
  maxAttempts?: number
}

function modelOf(c: ClientSetting, fallbackMode?: RetryMode): SdkRetryModel {
  const sdk = c.sdk ?? 'js-v3'
  const mode = c.mode ?? (sdk === 'js-v3' ? (fallbackMode ?? 'standard') : undefined)
  return sdkRetryModel(sdk, {
    ...(mode !== undefined ? { mode } : {}),
    ...(c.maxAttempts !== undefined ? { maxAttempts: c.maxAttempts } : {}),
  })
}

/**
 * The client model's retries for a resolved client setting: what the load engine applies to
 * every variant unless the caller passes its own layer (`RunOptions.retryLayer`). The setting
 * comes from the run, the variant, the scenario or the SDK default (standard mode, 3 attempts,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html); `mode: 'none'`
 * gives one attempt.
 */
export function clientRetryLayer(setting: ClientRetrySetting): Mitigation {
  return sdkRetry(setting)
}

/**
 * The SDK retry layer. `sdkRetry()` is the JavaScript SDK's default (standard, 3 attempts);
 * `sdkRetry({ mode: 'adaptive' })` adds the client-side limiter; `sdkRetry({ mode: 'none' })`
 * makes one attempt; `sdkRetry({ sdk: 'boto3' })` is boto3's default client (legacy mode,
 * 5 attempts, no retry quota; `sdk-models.ts`). `groups` give host ranges another client (a
 * mixed fleet).
 */
export function sdkRetry(options: SdkRetryOptions = {}): Mitigation {
  const mode = options.mode
  if (mode !== undefined && !['none', 'legacy', 'standard', 'adaptive'].includes(mode))
    throw new RangeError(`mode must be 'none', 'legacy', 'standard' or 'adaptive', got ${JSON.stringify(mode)}`)
  if (options.maxAttempts !== undefined && (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1))
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${options.maxAttempts}`)
  const base = modelOf(options)
  const groups = (options.groups ?? []).map((g) => ({ ...g, model: modelOf({ ...options, ...g }) }))
  const models = [base, ...groups.map((g) => g.model)]
  const maxAttempts = base.maxAttempts
  const jsOnly = models.every((m) => m.sdk === 'js-v3')
  // On endpoint targets a fleet of JS clients is the real SDK; other SDKs are modelled in-process
  // over a one-attempt client.
  const clientRetry: ClientRetryConfig | undefined =
    jsOnly && groups.length === 0
      ? {
          mode: base.mode === 'adaptive' ? 'adaptive' : 'standard',
          maxAttempts: base.mode === 'none' ? 1 : maxAttempts,
        }
      : undefined
  const describe = (m: SdkRetryModel) => `${m.sdk} ${m.mode}, ${m.maxAttempts} attempts (${m.source})`
  const assumptions = models.some((m) => m.mode !== 'none')
    ? [
        `SDK retries: ${[...new Set(models.map(describe))].join('; ')}; in-process runs draw the backoff jitter from a seeded stream.`,
      ]
    : []
  return {
    name: 'sdk-retry',
    params: {
      ...(base.sdk !== 'js-v3' || groups.length > 0 ? { sdk: base.sdk } : {}),
      mode: base.mode,
      maxAttempts,
      ...base.constants,
      ...(groups.length > 0
        ? { groups: groups.map((g) => `${g.name}: ${g.model.sdk} ${g.model.mode} ×${g.model.maxAttempts}`).join('; ') }
        : {}),
    },
    assumptions,
    ...(clientRetry !== undefined ? { clientRetry } : {}),
    start(ctx: MitigationContext): MitigationRun {
      const stats = emptyRetryStats()
      const streamBase = ctx.random.uint32()
      const limiters = new Map<number, AdaptiveLimiter>()
      const modelFor = (index: number): SdkRetryModel =>
        groups.find((g) => index >= g.first && index < g.first + g.count)?.model ?? base
      return {
        wrap(next: KmsInvoker, host: Host): KmsInvoker {
          const model = modelFor(host.index)
          if (model.mode === 'none') return next
          const budget = new RetryBudget(model)
          const random = new Random(streamBase, host.index)
          const limiter = model.limiter ? new AdaptiveLimiter(() => host.now(), options.limiter) : undefined
          if (limiter !== undefined) limiters.set(host.index, limiter)
          return retryInvoker(next, model, budget, random, limiter, stats)
        },
        // Adaptive mode: each client's limiter hands out send tokens from a background process.
        background: (host: Host) => limiters.get(host.index)?.dispatch(),
        stats: () => ({ ...stats }),
      }
    },
  }
}

/** The SDK's retry loop around one host's invoker: one {@link RetryCall} per call. */
function retryInvoker(
  next: KmsInvoker,
  model: SdkRetryModel,
  budget: RetryBudget,
  random: Random,
  limiter: AdaptiveLimiter | undefined,
  stats: RetryStats,
): KmsInvoker {
  const direct = next === directKms
  const client: RetryClient = { next, direct, model, budget, random, limiter, stats }
  const invoker: KmsInvoker = (call) => {
    stats.calls++
    return new RetryCall(client, call)
  }
  const nextSync = next.sync
  if (nextSync !== undefined) {
    invoker.sync = (call, exec) => {
      stats.calls++
      // An enabled adaptive limiter may make the first send wait: take the stepped path.
      if (limiter?.enabled) return new RetryCall(client, call)
      const r = direct ? exec(call) : nextSync(call, exec)
      if (isContinuation(r)) return new RetryCall(client, call, undefined, r)
      if (r.ok) {
        limiter?.update(false)
        budget.success(false, 0)
        return r
      }
      const cls = classify(client, r)
      if (budget.refusal(1, cls) === undefined) return new RetryCall(client, call, r)
      limiter?.update(cls === 'THROTTLING')
      countRefusal(client, 1, cls)
      return r
    }
  }
  return invoker
}
