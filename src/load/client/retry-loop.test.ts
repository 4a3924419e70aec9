import { describe, expect, it } from 'vitest'
import { MinHeap } from '../../heap.ts'
import { directKms, kmsCall } from '../engine/index.ts'
import type { Effect, EffectGenerator, KmsCallSpec, KmsInvoker, KmsOutcome, WaitEffect } from '../scenario/index.ts'
import { Random } from '../../random.ts'
import { AdaptiveLimiter } from './adaptive-limiter.ts'
import { classify, countRefusal, emptyRetryStats, RetryCall, type RetryClient } from './retry-loop.ts'
import { RetryBudget, sdkRetryModel } from './sdk-models.ts'

/** The generator RetryCall replaced (retry.ts before issue 17), verbatim but for names. */
function* referenceLoop(c: RetryClient, call: KmsCallSpec, first?: KmsOutcome): Generator<Effect, KmsOutcome, unknown> {
  let retries = 0
  let lastCost = 0
  let out = first
  for (;;) {
    if (out === undefined) {
      if (c.limiter !== undefined) {
        const waited = yield* c.limiter.sendToken()
        if (waited > 0) {
          c.stats.limiterWaitMs += waited
          c.stats.limiterDelayed++
        }
      }
      out = (c.direct ? yield call : yield* c.next(call)) as KmsOutcome
    }
    if (out.ok) {
      c.limiter?.update(false)
      c.budget.success(retries > 0, lastCost)
      if (retries > 0) c.stats.retriedThenSucceeded++
      return out
    }
    const cls = classify(c, out)
    c.limiter?.update(cls === 'THROTTLING')
    if (c.budget.refusal(retries + 1, cls) !== undefined) {
      countRefusal(c, retries + 1, cls)
      if (retries > 0) c.stats.retriedThenFailed++
      return out
    }
    const delay = Math.floor(c.model.backoffMs(retries + 1, cls, c.random.next()))
    lastCost = c.budget.take(cls)
    if (retries === 0) c.stats.requestsRetried++
    retries++
    c.stats.retries++
    c.stats.backoffMs += delay
    if (delay > 0) yield { kind: 'sleep', ms: delay }
    out = undefined
  }
}

const THROTTLED: KmsOutcome = {
  ok: false,
  error: { name: 'ThrottlingException', message: 'You have exceeded the rate', httpStatus: 400 } as never,
}
const INTERNAL: KmsOutcome = {
  ok: false,
  error: { name: 'KMSInternalException', message: 'x', httpStatus: 500 } as never,
}
const OK: KmsOutcome = { ok: true, output: {} as never }
const call = kmsCall('GenerateDataKey', { KeyId: 'k', KeySpec: 'AES_256' }, { account: '111122223333' })

interface World {
  time: { now: number }
  client: RetryClient
}

function world(mode: 'standard' | 'adaptive', next: KmsInvoker = directKms): World {
  const time = { now: 1_000 }
  const model = sdkRetryModel('js-v3', { mode })
  const limiter = mode === 'adaptive' ? new AdaptiveLimiter(() => time.now) : undefined
  return {
    time,
    client: {
      next,
      direct: next === directKms,
      model,
      budget: new RetryBudget(model),
      random: new Random(42, 0),
      limiter,
      stats: emptyRetryStats(),
    },
  }
}

/**
 * A discrete-event run of `n` requests through `start` (one every `gapMs`), against a KMS that
 * admits `quota` calls per second (THROTTLED beyond, every 17th admitted call INTERNAL) with
 * 3 ms of service time; requests not done by `deadlineMs` are closed (`return()`), as the
 * engine does. Returns the trace of every effect and outcome.
 */
function simulate(
  w: World,
  start: (c: RetryClient, call: KmsCallSpec) => EffectGenerator<KmsOutcome>,
  o: { n: number; gapMs: number; quota: number; deadlineMs: number },
): string[] {
  const { time } = w
  const trace: string[] = []
  const queue = new MinHeap<{ at: number; seq: number; run: () => void }>()
  const schedule = (at: number, run: () => void): void => {
    queue.push({ at, seq: 0, run })
  }
  let window = -1
  let used = 0
  let admitted = 0
  const answer = (): KmsOutcome => {
    const s = Math.floor(time.now / 1000)
    if (s !== window) {
      window = s
      used = 0
    }
    if (used >= o.quota) return THROTTLED
    used++
    return ++admitted % 17 === 0 ? INTERNAL : OK
  }
  const step = (id: number, g: EffectGenerator<KmsOutcome>, task: { done: boolean }, value: unknown): void => {
    for (;;) {
      const r = g.next(value)
      if (r.done === true) {
        task.done = true
        trace.push(`${time.now} #${id} done ${r.value.ok ? 'ok' : r.value.error.name}`)
        return
      }
      const e = r.value
      trace.push(`${time.now} #${id} ${e.kind}${e.kind === 'sleep' ? ` ${e.ms}` : ''}`)
      if (e.kind === 'sleep') {
        schedule(time.now + e.ms, () => !task.done && step(id, g, task, undefined))
        return
      }
      if (e.kind === 'wait') {
        if (e.flight.settled) {
          value = e.flight.value
          continue
        }
        e.flight.onSettled((v) => schedule(time.now, () => !task.done && step(id, g, task, v)))
        return
      }
      const out = answer()
      schedule(time.now + 3, () => !task.done && step(id, g, task, out))
      return
    }
  }
  const limiter = w.client.limiter
  if (limiter !== undefined) {
    const d = limiter.dispatch()
    const bg = (value: unknown): void => {
      for (;;) {
        const r = d.next(value)
        if (r.done === true) return
        const e = r.value
        // (A wait shorter than this time's float resolution would not move it: at least 1 ns.)
        if (e.kind === 'sleep') {
          schedule(time.now + Math.max(e.ms, 1e-6), () => bg(undefined))
          return
        }
        if (e.kind === 'wait') {
          if (e.flight.settled) {
            value = e.flight.value
            continue
          }
          e.flight.onSettled(() => schedule(time.now, () => bg(undefined)))
          return
        }
      }
    }
    bg(undefined)
  }
  const t0 = time.now
  for (let i = 0; i < o.n; i++) {
    const at = t0 + i * o.gapMs
    schedule(at, () => {
      w.client.stats.calls++
      const task = { done: false }
      const g = start(w.client, call)
      schedule(at + o.deadlineMs, () => {
        if (task.done) return
        task.done = true
        trace.push(`${time.now} #${i} closed`)
        g.return(undefined as unknown as KmsOutcome)
      })
      step(i, g, task, undefined)
    })
  }
  let guard = 0
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    if (++guard > 2_000_000)
      throw new Error(`runaway at ${time.now}: ${trace.slice(-5).join('; ')} ${JSON.stringify(snapshot(w))}`)
    time.now = Math.max(time.now, next.at)
    next.run()
  }
  return trace
}

const LIMITER_FIELDS = [
  'enabled',
  'availableTokens',
  'fillRate',
  'measuredTxRate',
  'lastMaxRate',
  'maxCapacity',
] as const

function snapshot(w: World): Record<string, unknown> {
  const l = w.client.limiter as unknown as Record<string, unknown> | undefined
  return {
    stats: { ...w.client.stats },
    capacity: w.client.budget.capacity,
    limiter: l === undefined ? undefined : Object.fromEntries(LIMITER_FIELDS.map((f) => [f, l[f]])),
    waiting: w.client.limiter?.waiting,
  }
}

describe('RetryCall (the SDK retry loop as a state machine)', () => {
  const load = { n: 4_000, gapMs: 0.5, quota: 1_500, deadlineMs: 1_500 }

  for (const mode of ['standard', 'adaptive'] as const) {
    it(`${mode}: the same effects, at the same times, as the generator it replaced`, () => {
      const a = world(mode)
      const b = world(mode)
      const expected = simulate(a, (c, k) => referenceLoop(c, k), load)
      const actual = simulate(b, (c, k) => new RetryCall(c, k), load)
      expect(actual).toEqual(expected)
      expect(snapshot(b)).toEqual(snapshot(a))
      // The run exercises what it compares: retries, refusals, and in adaptive mode waits and closed waiters.
      const s = b.client.stats
      expect(s.retries).toBeGreaterThan(20)
      if (mode === 'standard') expect(s.exhausted + s.quotaRefusals).toBeGreaterThan(0)
      else {
        expect(s.limiterDelayed).toBeGreaterThan(10)
        expect(actual.filter((l) => l.endsWith('closed')).length).toBeGreaterThan(100)
      }
    })
  }

  it('starting from a first attempt already made gives what the generator gave', () => {
    for (const first of [THROTTLED, INTERNAL, OK]) {
      const a = world('standard')
      const b = world('standard')
      const expected = simulate(a, (c, k) => referenceLoop(c, k, first), { ...load, n: 200 })
      expect(simulate(b, (c, k) => new RetryCall(c, k, first), { ...load, n: 200 })).toEqual(expected)
      expect(snapshot(b)).toEqual(snapshot(a))
    }
  })

  it('passes a wrapped invoker’s effects through, and its return and throw, as yield* does', () => {
    const cleanups: string[] = []
    const inner: KmsInvoker = function* (k: KmsCallSpec): EffectGenerator<KmsOutcome> {
      try {
        yield { kind: 'sleep', ms: 2 }
        return (yield k) as KmsOutcome
      } finally {
        cleanups.push('inner finally')
      }
    }
    const a = world('adaptive', inner)
    const b = world('adaptive', inner)
    const expected = simulate(a, (c, k) => referenceLoop(c, k), { ...load, n: 1_500 })
    const n = cleanups.length
    expect(simulate(b, (c, k) => new RetryCall(c, k), { ...load, n: 1_500 })).toEqual(expected)
    expect(cleanups.length).toBe(2 * n)
    expect(snapshot(b)).toEqual(snapshot(a))

    // return() mid-attempt closes the inner generator; throw() goes into it.
    const c = world('standard', inner).client
    const closed = new RetryCall(c, call)
    expect(closed.next().value).toEqual({ kind: 'sleep', ms: 2 })
    expect(closed.return(OK)).toEqual({ done: true, value: OK })
    expect(closed.next()).toEqual({ done: true, value: undefined })
    const thrown = new RetryCall(c, call)
    thrown.next()
    expect(() => thrown.throw(new Error('boom'))).toThrow('boom')
    expect(thrown.next().done).toBe(true)
  })

  it('a call closed while waiting for a token lets go of it but still takes its token', () => {
    const w = world('adaptive')
    const limiter = w.client.limiter as AdaptiveLimiter
    limiter.update(true) // a throttle turns the limiter on with an empty bucket
    const waiting = new RetryCall(w.client, call)
    const r = waiting.next()
    expect(r.value).toMatchObject({ kind: 'wait' })
    const turn = (r.value as WaitEffect).flight
    expect(limiter.waiting).toBe(1)
    waiting.return(OK)
    expect(limiter.waiting).toBe(1) // the slot keeps its place
    expect(turn.settled).toBe(false)
    // A second waiter is served only after the abandoned slot's token.
    const second = new RetryCall(w.client, call)
    const turn2 = (second.next().value as WaitEffect).flight
    const d = limiter.dispatch()
    const sleep = d.next().value as { kind: string; ms: number }
    expect(sleep.kind).toBe('sleep')
    w.time.now += sleep.ms
    d.next()
    expect(turn2.settled).toBe(false)
    expect(limiter.waiting).toBe(1)
  })
})
