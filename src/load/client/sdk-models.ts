/**
 * The retry behaviour of each AWS SDK a fleet may run, per retry mode: how many attempts, which
 * errors are retried (and which count as throttling), the backoff, the per-client retry quota
 * and its refunds, and whether a client-side rate limiter is added.
 *
 * Constants come from the installed package where one is installed (`@smithy/*` for JS v3) and
 * are cited from source otherwise; `sdk-models.test.ts` checks the boto3 ones against the
 * machine's botocore (`botocore/retries/standard.py`, `quota.py`, `data/_retry.json`,
 * `retryhandler.py`) and runs real boto3 against `kms-bench serve` in each mode.
 *
 * Sources (read 2026-12):
 * - JS v3: `@smithy/core/retry` (`StandardRetryStrategy`, `Retry`, `DefaultRateLimiter`), installed.
 * - boto3: botocore `retries/standard.py` (standard), `retries/adaptive.py` (adaptive),
 *   `data/_retry.json` + `retryhandler.py` (legacy, the default: 5 attempts, `rand · 2^(n-1)` s,
 *   no retry quota); boto3 guide https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html
 * - Java v2: aws/aws-sdk-java-v2 `core/retries/.../DefaultRetryStrategy.java` (Standard, Legacy,
 *   Adaptive constants), `internal/BaseRetryStrategy.java` (token bucket, release of
 *   `max(acquired, 1)`), `backoff/ExponentialDelayWithJitter.java`, `core/retry/RetryMode.java`
 *   (default LEGACY), `awscore/internal/AwsErrorCode.java` (throttling codes); `ADAPTIVE_V2`
 *   replaced `ADAPTIVE` in 2.25 (aws/aws-sdk-java-v2#5123).
 * - Go v2: aws/aws-sdk-go-v2 `aws/retry/standard.go` (3 attempts, 500 tokens, cost 5, timeout
 *   cost 10, +1 per successful attempt), `jitter_backoff.go` (`rand · 2^attempt` s, flat 20 s
 *   past attempt 4, aws/aws-sdk-go-v2#3091), `adaptive.go` + `adaptive_ratelimit.go`;
 *   `ratelimit.None` disables the quota (aws/aws-sdk-go-v2#1576).
 */
import { isThrottlingError, isTransientError } from '@smithy/core/retry'
import {
  DEFAULT_MAX_ATTEMPTS,
  INITIAL_RETRY_TOKENS,
  MAXIMUM_RETRY_DELAY,
  NO_RETRY_INCREMENT,
  Retry,
} from '@smithy/util-retry'
import { DEFAULT_MODE, isSdkName, SDK_NAMES, type SdkName, type SdkRetryMode, sdkModes } from '../scenario/index.ts'

/** How an SDK classifies a failed attempt. */
export type RetryClass = 'THROTTLING' | 'TRANSIENT' | 'NOT_RETRYABLE'

/** The per-client retry quota ("retry token bucket") of a mode. */
export interface RetryQuotaModel {
  /** tokens at start, also the cap */
  readonly initial: number
  /** tokens a retry after a throttle takes */
  readonly throttlingCost: number
  /** tokens a retry after any other retryable error takes (not a socket timeout) */
  readonly transientCost: number
  /**
   * Tokens given back when an attempt succeeds: `retried` says whether the request was retried
   * and `lastCost` is what its last retry took.
   */
  refund(retried: boolean, lastCost: number): number
}

/** One SDK's retry behaviour in one mode. */
export interface SdkRetryModel {
  readonly sdk: SdkName
  readonly mode: SdkRetryMode
  /** attempts including the first */
  readonly maxAttempts: number
  /** whether the client-side adaptive rate limiter is on */
  readonly limiter: boolean
  /** `undefined`: no retry quota (boto3 legacy, Go with `ratelimit.None`) */
  readonly quota: RetryQuotaModel | undefined
  /** classifies a failed attempt by error code and HTTP status */
  classify(error: { readonly name: string; readonly httpStatus?: number }): RetryClass
  /** backoff in ms before retry number `retry` (1 = the first retry), with `u` uniform in [0, 1) */
  backoffMs(retry: number, cls: RetryClass, u: number): number
  /** the constants, as reported */
  readonly constants: Readonly<Record<string, number | string | boolean>>
  /** where the behaviour comes from */
  readonly source: string
}

/** Options of {@link sdkRetryModel}. */
export interface SdkRetryModelOptions {
  /** @default the SDK's default mode: `standard` for JS v3 and Go v2, `legacy` for boto3 and Java v2 */
  mode?: SdkRetryMode
  /** attempts including the first. @default the mode's (3; boto3 legacy 5; Java legacy 4) */
  maxAttempts?: number
  /** Go v2 only: `false` is `ratelimit.None` (no retry quota). @default true */
  retryQuota?: boolean
}

const TRANSIENT_STATUS = new Set([500, 502, 503, 504])

/** botocore `standard.ThrottledRetryableChecker._THROTTLED_ERROR_CODES` (also Go v2's `DefaultThrottleErrorCodes`). */
export const BOTO3_THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
  'TransactionInProgressException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'LimitExceededException',
  'RequestThrottled',
  'SlowDown',
  'PriorRequestNotComplete',
  'EC2ThrottledException',
])

/** botocore `data/_retry.json` `__default__` policies with a service error code (legacy mode). */
export const BOTO3_LEGACY_THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'ProvisionedThroughputExceededException',
])
/** `_retry.json` `__default__` status-only policies: 429 (throttling) and 500, 502, 503, 504, 509. */
export const BOTO3_LEGACY_STATUS: ReadonlySet<number> = new Set([429, 500, 502, 503, 504, 509])

/** Java v2 `AwsErrorCode.THROTTLING_ERROR_CODES` (no `LimitExceededException`: it is not retried). */
const JAVA_THROTTLING_CODES: ReadonlySet<string> = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'BandwidthLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'EC2ThrottledException',
])
const JAVA_RETRYABLE_CODES: ReadonlySet<string> = new Set(['PriorRequestNotComplete', 'RequestTimeout'])
const TRANSIENT_CODES: ReadonlySet<string> = new Set(['RequestTimeout', 'RequestTimeoutException'])

function byCodes(
  throttling: ReadonlySet<string>,
  transient: ReadonlySet<string>,
): (e: { name: string; httpStatus?: number }) => RetryClass {
  return (e) => {
    const status = e.httpStatus ?? 400
    if (throttling.has(e.name) || status === 429) return 'THROTTLING'
    if (transient.has(e.name) || TRANSIENT_STATUS.has(status)) return 'TRANSIENT'
    return 'NOT_RETRYABLE'
  }
}

const jsClassCache = new Map<string, RetryClass>()
/** The same for HTTP 400, by error name alone: no key string built per throttled call (the hot path). */
const jsClassCache400 = new Map<string, RetryClass>()
/** JS v3: the installed SDK's own predicates (`isThrottlingError`, `isTransientError`). */
function classifyJs(e: { name: string; httpStatus?: number }): RetryClass {
  const status = e.httpStatus ?? 400
  if (status === 400) {
    const known = jsClassCache400.get(e.name)
    if (known !== undefined) return known
  }
  const key = `${e.name}/${status}`
  let c = jsClassCache.get(key)
  if (c === undefined) {
    const err = Object.assign(new Error(e.name), { name: e.name, $metadata: { httpStatusCode: status } })
    const sdkError = err as unknown as Parameters<typeof isThrottlingError>[0]
    c = isThrottlingError(sdkError) ? 'THROTTLING' : isTransientError(sdkError) ? 'TRANSIENT' : 'NOT_RETRYABLE'
    jsClassCache.set(key, c)
  }
  if (status === 400) jsClassCache400.set(e.name, c)
  return c
}

function classifyBotoLegacy(e: { name: string; httpStatus?: number }): RetryClass {
  const status = e.httpStatus ?? 400
  // _retry.json: the code policies also require HTTP 400, as KMS sends for ThrottlingException.
  if ((BOTO3_LEGACY_THROTTLING_CODES.has(e.name) && status === 400) || status === 429) return 'THROTTLING'
  return BOTO3_LEGACY_STATUS.has(status) ? 'TRANSIENT' : 'NOT_RETRYABLE'
}

/** Full jitter `floor(u · min(base · 2^(retry-1), cap))`, the shape of JS v3, boto3 standard and Java v2. */
function fullJitter(baseMs: number, capMs: number): (retry: number, u: number) => number {
  return (retry, u) => Math.floor(u * Math.min(baseMs * 2 ** (retry - 1), capMs))
}

function quota(initial: number, throttlingCost: number, transientCost: number, refund: RetryQuotaModel['refund']) {
  return { initial, throttlingCost, transientCost, refund }
}

type Builder = (maxAttempts: number | undefined, o: SdkRetryModelOptions) => Omit<SdkRetryModel, 'sdk' | 'mode'>

function jsStandard(adaptive: boolean): Builder {
  const throttleBase = Retry.throttlingDelay()
  const base = Retry.delay()
  const throttlingCost = Retry.throttlingCost()
  const transientCost = Retry.cost()
  return (maxAttempts) => ({
    maxAttempts: maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    limiter: adaptive,
    quota: quota(INITIAL_RETRY_TOKENS, throttlingCost, transientCost, (retried, last) =>
      retried ? last : NO_RETRY_INCREMENT,
    ),
    classify: classifyJs,
    backoffMs: (r, c, u) => fullJitter(c === 'THROTTLING' ? throttleBase : base, MAXIMUM_RETRY_DELAY)(r, u),
    constants: {
      baseDelayMs: base,
      throttlingBaseDelayMs: throttleBase,
      maxBackoffMs: MAXIMUM_RETRY_DELAY,
      retryQuota: INITIAL_RETRY_TOKENS,
      throttlingCost,
      transientCost,
    },
    source: '@smithy/core/retry StandardRetryStrategy (installed)',
  })
}

// botocore retries/standard.py and quota.py (AWS_NEW_RETRIES_2026 unset).
const BOTO3 = { maxAttempts: 3, quota: 500, cost: 5, timeoutCost: 10, noRetryIncrement: 1, maxBackoffS: 20 }

function boto3Standard(adaptive: boolean): Builder {
  return (maxAttempts) => ({
    maxAttempts: maxAttempts ?? BOTO3.maxAttempts,
    limiter: adaptive,
    // RetryQuotaChecker: _RETRY_COST for every error but socket timeouts (_TIMEOUT_RETRY_REQUEST).
    quota: quota(BOTO3.quota, BOTO3.cost, BOTO3.cost, (retried, last) => (retried ? last : BOTO3.noRetryIncrement)),
    classify: byCodes(BOTO3_THROTTLING_CODES, new Set([...TRANSIENT_CODES, 'PriorRequestNotComplete'])),
    // ExponentialBackoff.delay_amount: rand · min(2^(attempt-1), 20) s for every error class.
    backoffMs: (r, _c, u) => u * Math.min(2 ** (r - 1), BOTO3.maxBackoffS) * 1000,
    constants: {
      baseDelayMs: 1000,
      maxBackoffMs: BOTO3.maxBackoffS * 1000,
      retryQuota: BOTO3.quota,
      throttlingCost: BOTO3.cost,
      transientCost: BOTO3.cost,
      timeoutCost: BOTO3.timeoutCost,
    },
    source: adaptive ? 'botocore retries/standard.py + adaptive.py' : 'botocore retries/standard.py',
  })
}

const boto3Legacy: Builder = (maxAttempts) => ({
  maxAttempts: maxAttempts ?? 5,
  limiter: false,
  quota: undefined,
  classify: classifyBotoLegacy,
  // retryhandler.delay_exponential(base='rand', growth_factor=2): rand · 2^(attempts-1) s, no cap.
  backoffMs: (r, _c, u) => u * 2 ** (r - 1) * 1000,
  constants: { baseDelayMs: 1000, growthFactor: 2, retryQuota: false },
  source: 'botocore data/_retry.json __default__ + retryhandler.py',
})

// aws-sdk-java-v2 DefaultRetryStrategy.Standard / .Legacy.
const JAVA = { base: 100, throttledBase: 1000, legacyThrottledBase: 500, max: 20_000, bucket: 500, cost: 5 }
const javaRefund: RetryQuotaModel['refund'] = (_retried, last) => Math.max(last, 1)
const javaClassify = byCodes(JAVA_THROTTLING_CODES, JAVA_RETRYABLE_CODES)

function javaStandard(adaptive: boolean): Builder {
  return (maxAttempts) => ({
    maxAttempts: maxAttempts ?? 3,
    limiter: adaptive,
    quota: quota(JAVA.bucket, JAVA.cost, JAVA.cost, javaRefund),
    classify: javaClassify,
    backoffMs: (r, c, u) => fullJitter(c === 'THROTTLING' ? JAVA.throttledBase : JAVA.base, JAVA.max)(r, u),
    constants: {
      baseDelayMs: JAVA.base,
      throttlingBaseDelayMs: JAVA.throttledBase,
      maxBackoffMs: JAVA.max,
      retryQuota: JAVA.bucket,
      throttlingCost: JAVA.cost,
      transientCost: JAVA.cost,
    },
    source: adaptive
      ? 'aws-sdk-java-v2 DefaultAdaptiveRetryStrategy (RetryMode.ADAPTIVE_V2)'
      : 'aws-sdk-java-v2 DefaultStandardRetryStrategy',
  })
}

const javaLegacy: Builder = (maxAttempts) => ({
  maxAttempts: maxAttempts ?? 4,
  limiter: false,
  // Legacy.THROTTLE_EXCEPTION_TOKEN_COST = 0: throttles never drain the bucket.
  quota: quota(JAVA.bucket, 0, JAVA.cost, javaRefund),
  classify: javaClassify,
  backoffMs: (r, c, u) => {
    if (c !== 'THROTTLING') return fullJitter(JAVA.base, JAVA.max)(r, u)
    // exponentialDelayHalfJitter: ceil/2 + u · ceil/2
    const ceil = Math.min(JAVA.legacyThrottledBase * 2 ** (r - 1), JAVA.max)
    return Math.floor(ceil / 2 + u * (ceil / 2))
  },
  constants: {
    baseDelayMs: JAVA.base,
    throttlingBaseDelayMs: JAVA.legacyThrottledBase,
    maxBackoffMs: JAVA.max,
    retryQuota: JAVA.bucket,
    throttlingCost: 0,
    transientCost: JAVA.cost,
  },
  source: 'aws-sdk-java-v2 DefaultLegacyRetryStrategy (RetryMode.LEGACY, the default)',
})

// aws-sdk-go-v2 aws/retry/standard.go.
const GO = { maxAttempts: 3, maxBackoffS: 20, tokens: 500, cost: 5, timeoutCost: 10, noRetryIncrement: 1 }

function goStandard(adaptive: boolean): Builder {
  return (maxAttempts, o) => ({
    maxAttempts: maxAttempts ?? GO.maxAttempts,
    limiter: adaptive,
    // Each successful attempt adds NoRetryIncrement; a successful retry also refunds its token.
    quota:
      o.retryQuota === false
        ? undefined
        : quota(GO.tokens, GO.cost, GO.cost, (retried, last) => (retried ? last : 0) + GO.noRetryIncrement),
    classify: byCodes(BOTO3_THROTTLING_CODES, TRANSIENT_CODES),
    // ExponentialJitterBackoff: rand · 2^attempt s (attempt = 1 before the first retry); past
    // log2(20) attempts the delay is a flat 20 s without jitter (aws/aws-sdk-go-v2#3091).
    backoffMs: (r, _c, u) => (r > Math.floor(Math.log2(GO.maxBackoffS)) ? GO.maxBackoffS : u * 2 ** r) * 1000,
    constants: {
      maxBackoffMs: GO.maxBackoffS * 1000,
      retryQuota: o.retryQuota === false ? false : GO.tokens,
      throttlingCost: GO.cost,
      transientCost: GO.cost,
      timeoutCost: GO.timeoutCost,
    },
    source: adaptive ? 'aws-sdk-go-v2 aws/retry AdaptiveMode' : 'aws-sdk-go-v2 aws/retry Standard',
  })
}

const BUILDERS: Readonly<Record<SdkName, Partial<Record<SdkRetryMode, Builder>>>> = {
  'js-v3': { standard: jsStandard(false), adaptive: jsStandard(true) },
  boto3: { legacy: boto3Legacy, standard: boto3Standard(false), adaptive: boto3Standard(true) },
  'java-v2': { legacy: javaLegacy, standard: javaStandard(false), adaptive: javaStandard(true) },
  'go-v2': { standard: goStandard(false), adaptive: goStandard(true) },
}

/**
 * The retry model of `sdk` in `options.mode` (the SDK's default mode when not given).
 * Throws a RangeError naming the problem for an unknown SDK or a mode the SDK lacks.
 */
export function sdkRetryModel(sdk: SdkName, options: SdkRetryModelOptions = {}): SdkRetryModel {
  if (!isSdkName(sdk)) throw new RangeError(`sdk must be one of ${SDK_NAMES.join(', ')}, got ${JSON.stringify(sdk)}`)
  const mode = options.mode ?? DEFAULT_MODE[sdk]
  if (!sdkModes(sdk).includes(mode))
    throw new RangeError(`${sdk} has no retry mode ${JSON.stringify(mode)} (it has ${sdkModes(sdk).join(', ')})`)
  const m = options.maxAttempts
  if (m !== undefined && (!Number.isInteger(m) || m < 1))
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${m}`)
  if (mode === 'none') {
    const base = (BUILDERS[sdk][DEFAULT_MODE[sdk]] as Builder)(1, options)
    return { ...base, sdk, mode, maxAttempts: 1, limiter: false, quota: undefined, constants: {} }
  }
  return { sdk, mode, ...(BUILDERS[sdk][mode] as Builder)(m, options) }
}

/** Why a failed attempt was not retried. */
export type RetryRefusal = 'not-retryable' | 'max-attempts' | 'quota'

/** A client's retry quota in use: the decisions of the SDK's retry loop for one client instance. */
export class RetryBudget {
  readonly model: SdkRetryModel
  /** tokens left (Infinity without a quota) */
  capacity: number

  constructor(model: SdkRetryModel) {
    this.model = model
    this.capacity = model.quota?.initial ?? Number.POSITIVE_INFINITY
  }

  /** Tokens a retry after an error of this class takes. */
  cost(cls: RetryClass): number {
    const q = this.model.quota
    if (q === undefined) return 0
    return cls === 'THROTTLING' ? q.throttlingCost : q.transientCost
  }

  /** `undefined` when the SDK retries after attempt number `attempt` (1-based) failed with `cls`. */
  refusal(attempt: number, cls: RetryClass): RetryRefusal | undefined {
    if (cls === 'NOT_RETRYABLE') return 'not-retryable'
    if (attempt >= this.model.maxAttempts) return 'max-attempts'
    if (this.capacity < this.cost(cls)) return 'quota'
    return undefined
  }

  /** Takes a retry's cost and returns it. */
  take(cls: RetryClass): number {
    const c = this.cost(cls)
    this.capacity -= c
    return c
  }

  /** An attempt succeeded: the quota gets its refund, capped at the initial capacity. */
  success(retried: boolean, lastCost: number): void {
    const q = this.model.quota
    if (q !== undefined) this.capacity = Math.min(q.initial, this.capacity + q.refund(retried, lastCost))
  }
}

/** What a client did with one request, given the outcome of each attempt. */
export interface ReplayedRequest {
  /** attempts the model makes (one more than the outcomes given when it would retry again) */
  attempts: number
  refusal: RetryRefusal | undefined
  /** the retry quota after the request */
  capacity: number
}

/**
 * Replays the attempt outcomes of a sequence of requests (as a server's audit log shows them:
 * the error code of each attempt, `undefined` for a success) through one client's retry budget.
 * A model that agrees with the real client makes exactly as many attempts as the log shows.
 */
export function replayRequests(
  model: SdkRetryModel,
  requests: readonly (readonly ({ name: string; httpStatus?: number } | undefined)[])[],
): ReplayedRequest[] {
  const budget = new RetryBudget(model)
  return requests.map((outcomes) => {
    let lastCost = 0
    for (let i = 0; ; i++) {
      if (i >= outcomes.length) return { attempts: i + 1, refusal: undefined, capacity: budget.capacity }
      const error = outcomes[i]
      if (error === undefined) {
        budget.success(i > 0, lastCost)
        return { attempts: i + 1, refusal: undefined, capacity: budget.capacity }
      }
      const cls = model.classify(error)
      const refusal = budget.refusal(i + 1, cls)
      if (refusal !== undefined) return { attempts: i + 1, refusal, capacity: budget.capacity }
      lastCost = budget.take(cls)
    }
  })
}
