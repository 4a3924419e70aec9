/**
 * The SDK's retry loop around one host's invoker (`sdkRetry`, retry.ts), for one KMS call at a
 * time: wait for the adaptive limiter's send token (adaptive mode), send, classify the outcome,
 * take a retry token from the quota and back off, until the call succeeds or the SDK gives up.
 *
 * A call is a small state machine ({@link RetryCall}) that the engine steps like a generator
 * (it is an `EffectGenerator`: `next`, `return`, `throw`), not nested generators: an open-loop
 * run can hold tens of thousands of calls waiting for the limiter's tokens at once, and each
 * holds only this object and its limiter turn (issue 17: memory flat in the simulated duration).
 * `retry-loop.test.ts` checks it step by step against the generator it replaced, and
 * retry.test.ts against the SDK's own strategy classes.
 */
import { Flight } from '../engine/index.ts'
import type { Effect, EffectGenerator, KmsCallSpec, KmsErrorLike, KmsInvoker, KmsOutcome } from '../scenario/index.ts'
import type { Random } from '../../random.ts'
import type { AdaptiveLimiter } from './adaptive-limiter.ts'
import type { RetryBudget, RetryClass, SdkRetryModel } from './sdk-models.ts'

/** What the retry layer counts (the variant's `mitigations[].stats` of `sdk-retry`). */
export interface RetryStats {
  /** KMS calls the layer was asked to make (first attempts): (calls + retries) / calls is the retry amplification */
  calls: number
  retries: number
  requestsRetried: number
  /** calls retried at least once that then succeeded */
  retriedThenSucceeded: number
  /** calls retried at least once that still failed (the retries only added load and latency) */
  retriedThenFailed: number
  /** calls that still failed with a retryable error after the last attempt allowed */
  exhausted: number
  /** retries refused because the retry quota was empty */
  quotaRefusals: number
  /** backoff slept, ms */
  backoffMs: number
  /** waited for the adaptive limiter's send token, ms */
  limiterWaitMs: number
  /** sends the adaptive limiter delayed */
  limiterDelayed: number
}

/** Fresh {@link RetryStats}: every count zero. */
export function emptyRetryStats(): RetryStats {
  return {
    calls: 0,
    retries: 0,
    requestsRetried: 0,
    retriedThenSucceeded: 0,
    retriedThenFailed: 0,
    exhausted: 0,
    quotaRefusals: 0,
    backoffMs: 0,
    limiterWaitMs: 0,
    limiterDelayed: 0,
  }
}

/** One host's SDK client as its retry loop sees it: shared by every call of the host. */
export interface RetryClient {
  /** the invoker the retries wrap */
  readonly next: KmsInvoker
  /** `next` is the engine's direct invoker: yield the call itself */
  readonly direct: boolean
  readonly model: SdkRetryModel
  readonly budget: RetryBudget
  /** the backoff jitter's stream */
  readonly random: Random
  /** adaptive mode's client-side limiter */
  readonly limiter: AdaptiveLimiter | undefined
  readonly stats: RetryStats
}

/** Counts why a failed attempt is not retried (attempt is 1-based). */
export function countRefusal(client: RetryClient, attempt: number, cls: RetryClass): void {
  const why = client.budget.refusal(attempt, cls)
  if (why === 'max-attempts') client.stats.exhausted++
  else if (why === 'quota') client.stats.quotaRefusals++
}

/** The class of a failed attempt, by the client's SDK. */
export function classify(client: RetryClient, out: KmsOutcome & { ok: false }): RetryClass {
  return client.model.classify(out.error as KmsErrorLike & { httpStatus?: number })
}

// States of a RetryCall.
/** not started: `first` (an attempt already made) or `inner` (one under way) may be set */
const START = 0
/** waiting for the limiter's token (`turn`) */
const WAITING = 1
/** the call was yielded to the engine: resumes with its outcome */
const SENT = 2
/** the attempt is `inner`'s (a wrapped invoker): effects pass through */
const DELEGATING = 3
/** backing off: resumes for the next attempt */
const BACKING_OFF = 4
const DONE = 5

/**
 * One KMS call through the SDK's retry loop: the same effects, decisions and counts as
 *
 * ```ts
 * function* loop(call, first) {
 *   let retries = 0, lastCost = 0, out = first
 *   for (;;) {
 *     if (out === undefined) {
 *       if (limiter) { const waited = yield* limiter.sendToken(); if (waited > 0) count it }
 *       out = direct ? yield call : yield* next(call)
 *     }
 *     if (out.ok) { limiter?.update(false); budget.success(retries > 0, lastCost); return out }
 *     const cls = classify(out); limiter?.update(cls === 'THROTTLING')
 *     if (budget.refusal(retries + 1, cls)) return out
 *     const delay = floor(backoffMs(retries + 1, cls, random.next()))
 *     lastCost = budget.take(cls); retries++
 *     if (delay > 0) yield { kind: 'sleep', ms: delay }
 *     out = undefined
 *   }
 * }
 * ```
 *
 * `return()` (the engine closes a request at its deadline) while waiting for a token leaves
 * the limiter's queue as the generator's `finally` did: the slot keeps its place and still
 * takes its token, but no longer holds the call.
 */
export class RetryCall implements EffectGenerator<KmsOutcome> {
  readonly #c: RetryClient
  readonly #call: KmsCallSpec
  #state = START
  /** START: the outcome of an attempt already made (the synchronous fast path) */
  #first: KmsOutcome | undefined
  #inner: EffectGenerator<KmsOutcome> | undefined
  #retries = 0
  #lastCost = 0
  /** WAITING: the limiter's clock when the wait began, the turn and its place in line */
  #t0 = 0
  #turn: Flight<void> | undefined
  #place = 0

  /**
   * @param client the host's client
   * @param call the KMS call
   * @param first the outcome of a first attempt already made. @default none: the loop makes it
   * @param inner a first attempt under way (a wrapped invoker's continuation). @default none
   */
  constructor(client: RetryClient, call: KmsCallSpec, first?: KmsOutcome, inner?: EffectGenerator<KmsOutcome>) {
    this.#c = client
    this.#call = call
    this.#first = first
    this.#inner = inner
  }

  get [Symbol.toStringTag](): string {
    return 'RetryCall'
  }

  [Symbol.iterator](): this {
    return this
  }

  next(value?: unknown): IteratorResult<Effect, KmsOutcome> {
    switch (this.#state) {
      case START: {
        const first = this.#first
        this.#first = undefined
        if (first !== undefined) return this.#handle(first)
        const inner = this.#inner
        return inner !== undefined ? this.#step(inner.next()) : this.#attempt()
      }
      case WAITING: {
        const waited = (this.#c.limiter as AdaptiveLimiter).now() - this.#t0
        this.#turn = undefined
        if (waited > 0) {
          this.#c.stats.limiterWaitMs += waited
          this.#c.stats.limiterDelayed++
        }
        return this.#send()
      }
      case SENT:
        return this.#handle(value as KmsOutcome)
      case DELEGATING:
        return this.#step((this.#inner as EffectGenerator<KmsOutcome>).next(value))
      case BACKING_OFF:
        return this.#attempt()
      default:
        return { done: true, value: undefined as unknown as KmsOutcome }
    }
  }

  return(value: KmsOutcome): IteratorResult<Effect, KmsOutcome> {
    if (this.#state === DELEGATING) {
      const r = (this.#inner as EffectGenerator<KmsOutcome>).return(value)
      // An inner `finally` that yields keeps the delegation going, as `yield*` does.
      if (r.done !== true) return r
      this.#end()
      return { done: true, value: r.value }
    }
    this.#end()
    return { done: true, value }
  }

  throw(e: unknown): IteratorResult<Effect, KmsOutcome> {
    if (this.#state === DELEGATING) {
      let r: IteratorResult<Effect, KmsOutcome>
      try {
        r = (this.#inner as EffectGenerator<KmsOutcome>).throw(e)
      } catch (thrown) {
        this.#end()
        throw thrown
      }
      return this.#step(r)
    }
    this.#end()
    throw e
  }

  /** Finished or closed: a turn still waited for leaves the limiter's queue. */
  #end(): void {
    const turn = this.#turn
    if (this.#state === WAITING && turn !== undefined) (this.#c.limiter as AdaptiveLimiter).leave(turn, this.#place)
    this.#state = DONE
    this.#turn = undefined
    this.#inner = undefined
    this.#first = undefined
  }

  /** Before an attempt: the limiter's send token (at once, or wait for a turn). */
  #attempt(): IteratorResult<Effect, KmsOutcome> {
    const limiter = this.#c.limiter
    if (limiter !== undefined && !limiter.tryAcquire()) {
      this.#t0 = limiter.now()
      const turn = new Flight<void>()
      this.#turn = turn
      this.#place = limiter.enqueue(turn)
      this.#state = WAITING
      return { done: false, value: { kind: 'wait', flight: turn as Flight<unknown> } }
    }
    return this.#send()
  }

  #send(): IteratorResult<Effect, KmsOutcome> {
    const c = this.#c
    if (c.direct) {
      this.#state = SENT
      return { done: false, value: this.#call }
    }
    const inner = c.next(this.#call)
    this.#inner = inner
    return this.#step(inner.next())
  }

  /** A step of the wrapped invoker: its effect passes through, its outcome is the attempt's. */
  #step(r: IteratorResult<Effect, KmsOutcome>): IteratorResult<Effect, KmsOutcome> {
    if (r.done !== true) {
      this.#state = DELEGATING
      return r
    }
    this.#inner = undefined
    return this.#handle(r.value)
  }

  /** An attempt's outcome: done, or back off and try again. */
  #handle(out: KmsOutcome): IteratorResult<Effect, KmsOutcome> {
    const c = this.#c
    const stats = c.stats
    const retries = this.#retries
    if (out.ok) {
      c.limiter?.update(false)
      c.budget.success(retries > 0, this.#lastCost)
      if (retries > 0) stats.retriedThenSucceeded++
      this.#state = DONE
      return { done: true, value: out }
    }
    const cls = classify(c, out)
    c.limiter?.update(cls === 'THROTTLING')
    if (c.budget.refusal(retries + 1, cls) !== undefined) {
      countRefusal(c, retries + 1, cls)
      if (retries > 0) stats.retriedThenFailed++
      this.#state = DONE
      return { done: true, value: out }
    }
    const delay = Math.floor(c.model.backoffMs(retries + 1, cls, c.random.next()))
    this.#lastCost = c.budget.take(cls)
    if (retries === 0) stats.requestsRetried++
    this.#retries = retries + 1
    stats.retries++
    stats.backoffMs += delay
    if (delay > 0) {
      this.#state = BACKING_OFF
      return { done: false, value: { kind: 'sleep', ms: delay } }
    }
    return this.#attempt()
  }
}
