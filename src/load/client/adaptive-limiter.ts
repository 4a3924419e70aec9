/**
 * The AWS SDK's client-side rate limiter of `retryMode: 'adaptive'` (`DefaultRateLimiter` in
 * `@smithy/core/retry`), on an injected clock. The SDK class reads the wall clock and sleeps with
 * `setTimeout`, and keeps every member private, so it cannot run in virtual time; this is the
 * same algorithm (a CUBIC-style token bucket, kms-facts.md §2.4) with its constants read from
 * the installed class, and `adaptive-limiter.test.ts` checks it against the real class step
 * by step.
 *
 * It is off until the first throttle; after that every send takes one token from a bucket
 * refilled at `fillRate` tokens/s, and a send that finds the bucket empty waits for one.
 */
import { DefaultRateLimiter } from '@smithy/util-retry'
import { Flight } from '../engine/index.ts'
import type { EffectGenerator } from '../scenario/index.ts'

/** The limiter's tuning constants (the SDK's defaults unless given). */
export interface AdaptiveLimiterOptions {
  /** multiplicative decrease on a throttle. @default 0.7 (the SDK's) */
  beta?: number
  /** smallest bucket capacity. @default 1 */
  minCapacity?: number
  /** smallest fill rate, tokens/s. @default 0.5 */
  minFillRate?: number
  /** CUBIC scale constant C. @default 0.4 */
  scaleConstant?: number
  /** weight of the newest measured-rate bucket. @default 0.8 */
  smooth?: number
}

/** The installed SDK's defaults, read from a real instance so a new SDK version is followed. */
function sdkDefaults(): Required<AdaptiveLimiterOptions> {
  const ref = new DefaultRateLimiter() as unknown as Record<string, unknown>
  const pick = (k: string, fallback: number): number => (typeof ref[k] === 'number' ? (ref[k] as number) : fallback)
  return {
    beta: pick('beta', 0.7),
    minCapacity: pick('minCapacity', 1),
    minFillRate: pick('minFillRate', 0.5),
    scaleConstant: pick('scaleConstant', 0.4),
    smooth: pick('smooth', 0.8),
  }
}

/** The SDK defaults (beta 0.7, minCapacity 1, minFillRate 0.5, C 0.4, smooth 0.8 in @smithy/core 3.x). */
export const SDK_ADAPTIVE_DEFAULTS: Readonly<Required<AdaptiveLimiterOptions>> = Object.freeze(sdkDefaults())

/** A client-side adaptive rate limiter on a given clock (one per SDK client, i.e. per host). */
export class AdaptiveLimiter {
  readonly beta: number
  readonly minCapacity: number
  readonly minFillRate: number
  readonly scaleConstant: number
  readonly smooth: number
  readonly #nowMs: () => number
  enabled = false
  availableTokens = 0
  lastMaxRate = 0
  measuredTxRate = 0
  requestCount = 0
  fillRate: number
  lastThrottleTime: number
  lastTimestamp = 0
  lastTxRateBucket: number
  maxCapacity: number
  timeWindow = 0
  /**
   * The last `lastMaxRate` the time window was computed for, and that window: it changes only
   * on a throttle, but the SDK recomputes it (a cube root and a decimal rounding through a
   * string) after every response.
   */
  #windowRate = Number.NaN
  #window = 0
  /**
   * Requests waiting for a token, in order; `null` for one that stopped waiting (its deadline
   * passed): it keeps its place and still takes its token, as the SDK's sleep loop of an
   * abandoned call does, but holds nothing of the request, so a long backlog costs a slot each.
   */
  #queue: (Flight<void> | null)[] = []
  #head = 0
  /** Position in line of `#queue[0]`, counted since the limiter was made. */
  #base = 0
  #idle: Flight<void> | undefined

  /**
   * @param nowMs the clock, in epoch milliseconds
   * @param options tuning constants. @default the SDK's
   */
  constructor(nowMs: () => number, options: AdaptiveLimiterOptions = {}) {
    this.#nowMs = nowMs
    this.beta = options.beta ?? SDK_ADAPTIVE_DEFAULTS.beta
    this.minCapacity = options.minCapacity ?? SDK_ADAPTIVE_DEFAULTS.minCapacity
    this.minFillRate = options.minFillRate ?? SDK_ADAPTIVE_DEFAULTS.minFillRate
    this.scaleConstant = options.scaleConstant ?? SDK_ADAPTIVE_DEFAULTS.scaleConstant
    this.smooth = options.smooth ?? SDK_ADAPTIVE_DEFAULTS.smooth
    this.lastThrottleTime = this.#seconds()
    this.lastTxRateBucket = Math.floor(this.#seconds())
    this.fillRate = this.minFillRate
    this.maxCapacity = this.minCapacity
  }

  #seconds(): number {
    return this.#nowMs() / 1000
  }

  /**
   * Takes a send token: the SDK's `getSendToken()`. Returns at once while the limiter is off
   * or a token is there; otherwise the request joins the queue and waits until
   * {@link dispatch} hands it a token. Returns the milliseconds waited.
   *
   * Concurrent waiters: in the SDK every waiting request sleeps `(1 - tokens) / fillRate`
   * and checks again, so one token goes out per token period at the *current* fill rate and
   * the others sleep again (O(waiters) wake-ups per token). Here the waiters queue and one
   * dispatcher per client sleeps one token period at a time, recomputed with the current fill
   * rate after every grant: the same send rate, following the same rate changes, without the
   * wake-ups (open-loop runs can have thousands of waiters). A lone request waits exactly as
   * long as in the SDK (adaptive-limiter.test.ts).
   */
  *sendToken(): EffectGenerator<number> {
    if (this.tryAcquire()) return 0
    const t0 = this.#nowMs()
    const turn = new Flight<void>()
    const place = this.enqueue(turn)
    try {
      // The wait effect itself rather than `yield* wait(turn)` (the turn is new, never settled
      // here): one generator less per waiting request.
      yield { kind: 'wait', flight: turn as Flight<unknown> }
    } finally {
      this.leave(turn, place)
    }
    return this.#nowMs() - t0
  }

  /**
   * The first half of {@link sendToken} for callers that are not generators (the retry loop,
   * `retry-loop.ts`): takes a token at once when the limiter is off, or when nobody waits and a
   * token is there. When it returns false the caller {@link enqueue}s a turn and waits for it.
   */
  tryAcquire(): boolean {
    if (!this.enabled) return true
    this.#refill()
    if (this.#head === this.#queue.length && this.availableTokens >= 1) {
      this.availableTokens -= 1
      return true
    }
    return false
  }

  /**
   * Joins the queue of requests waiting for a token: {@link dispatch} resolves `turn` when its
   * token comes. Returns the request's place in line, for {@link leave}.
   */
  enqueue(turn: Flight<void>): number {
    const place = this.#base + this.#queue.length
    this.#queue.push(turn)
    this.#idle?.resolve()
    return place
  }

  /**
   * A request stopped waiting (closed at its deadline) before its turn came: its slot lets go
   * of it but keeps its place, so it still takes its token when its turn comes (as the SDK's
   * sleep loop of an abandoned call does). No effect once the turn was served.
   */
  leave(turn: Flight<void>, place: number): void {
    const i = place - this.#base
    if (!turn.settled && i >= this.#head && this.#queue[i] === turn) this.#queue[i] = null
  }

  /** The limiter's clock, epoch ms (what a wait is measured on). */
  now(): number {
    return this.#nowMs()
  }

  /** Requests waiting for a token. */
  get waiting(): number {
    return this.#queue.length - this.#head
  }

  /**
   * The client's token dispatcher: a background process (one per client) that hands tokens
   * to waiting requests in order as the bucket refills. Idle while nobody waits.
   */
  *dispatch(): EffectGenerator<void> {
    for (;;) {
      if (this.#head === this.#queue.length) {
        this.#base += this.#queue.length
        this.#queue = []
        this.#head = 0
        const idle = new Flight<void>()
        this.#idle = idle
        // The wait effect itself (the flight is new, never settled here), as in sendToken.
        yield { kind: 'wait', flight: idle as Flight<unknown> }
        this.#idle = undefined
        continue
      }
      this.#refill()
      while (this.#head < this.#queue.length && this.availableTokens >= 1) {
        this.availableTokens -= 1
        const turn = this.#queue[this.#head]
        this.#queue[this.#head++] = null
        turn?.resolve()
      }
      // Drop the slots already served once they are most of the array (amortised O(1) per request).
      if (this.#head >= 4096 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head)
        this.#base += this.#head
        this.#head = 0
      }
      if (this.#head < this.#queue.length) {
        // Sleeps until the next token is due: the sleep effect itself, not `yield* sleep(ms)` (no
        // generator per token, the dispatcher's garbage). A deficit so small that the clock
        // cannot move by its refill time (float error after a refill: a few 1e-16 tokens at an
        // epoch-ms clock) is no deficit: the token is granted, since sleeping would not advance
        // time and the dispatcher would spin forever in virtual time. (The SDK's `setTimeout`
        // waits at least 1 ms there.)
        const ms = ((1 - this.availableTokens) / this.fillRate) * 1000
        const now = this.#nowMs()
        if (now + ms === now) this.availableTokens = 1
        else if (ms > 0) yield { kind: 'sleep', ms }
      }
    }
  }

  /**
   * Updates the sending rate after a response: the SDK's `updateClientSendingRate`, with
   * the throttling classification done by the caller (the SDK's own `isThrottlingError`).
   */
  update(throttled: boolean): void {
    let calculatedRate: number
    this.#updateMeasuredRate()
    if (throttled) {
      const rateToUse = !this.enabled ? this.measuredTxRate : Math.min(this.measuredTxRate, this.fillRate)
      this.lastMaxRate = rateToUse
      this.#calculateTimeWindow()
      this.lastThrottleTime = this.#seconds()
      calculatedRate = precise(rateToUse * this.beta)
      this.enabled = true
    } else {
      this.#calculateTimeWindow()
      calculatedRate = precise(
        this.scaleConstant * (this.#seconds() - this.lastThrottleTime - this.timeWindow) ** 3 + this.lastMaxRate,
      )
    }
    const newRate = Math.min(calculatedRate, 2 * this.measuredTxRate)
    this.#refill()
    this.fillRate = Math.max(newRate, this.minFillRate)
    this.maxCapacity = Math.max(newRate, this.minCapacity)
    this.availableTokens = Math.min(this.availableTokens, this.maxCapacity)
  }

  #refill(): void {
    const timestamp = this.#seconds()
    if (!this.lastTimestamp) {
      this.lastTimestamp = timestamp
      return
    }
    const fillAmount = (timestamp - this.lastTimestamp) * this.fillRate
    this.availableTokens = Math.min(this.maxCapacity, this.availableTokens + fillAmount)
    this.lastTimestamp = timestamp
  }

  #calculateTimeWindow(): void {
    if (this.lastMaxRate !== this.#windowRate) {
      this.#windowRate = this.lastMaxRate
      this.#window = precise(((this.lastMaxRate * (1 - this.beta)) / this.scaleConstant) ** (1 / 3))
    }
    this.timeWindow = this.#window
  }

  #updateMeasuredRate(): void {
    const t = this.#seconds()
    const timeBucket = Math.floor(t * 2) / 2
    this.requestCount++
    if (timeBucket > this.lastTxRateBucket) {
      const currentRate = this.requestCount / (timeBucket - this.lastTxRateBucket)
      this.measuredTxRate = precise(currentRate * this.smooth + this.measuredTxRate * (1 - this.smooth))
      this.requestCount = 0
      this.lastTxRateBucket = timeBucket
    }
  }
}

/** The SDK rounds rates to 8 decimals (`parseFloat(n.toFixed(8))`). */
function precise(n: number): number {
  return parseFloat(n.toFixed(8))
}
