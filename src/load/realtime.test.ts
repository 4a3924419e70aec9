import { describe, expect, it } from 'vitest'
import { SystemClock } from '../clock.ts'
import { sdkRetry } from './client/index.ts'
import { type Mitigation, defineScenario } from './scenario/index.ts'
import { runScenario } from './runner.ts'
import { neverSettles } from './test-support.ts'

const retryLayer = (s: Parameters<typeof sdkRetry>[0]): Mitigation => sdkRetry(s)

describe('the real-time driver (embedded target, wall clock)', () => {
  it('keeps an open-loop schedule: every request sent, latency from the intended time', async () => {
    const s = defineScenario({
      name: 'rt',
      duration: 2,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 2000 },
      requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 1024 }],
    })
    const r = await runScenario(s, { retryLayer, clock: 'real' })
    const v = r.variants[0]!
    expect(r.clock).toBe('real')
    expect(v.offered.requests).toBe(4000)
    expect(v.achieved.requests).toBe(4000)
    expect(v.completed).toMatchObject({ succeeded: 4000, dropped: 0 })
    expect(v.kmsCallLatency.latencyMs.count).toBe(4000)
    // Intended-time latency includes any lateness; service time does not.
    expect(v.latencyMs.p50).toBeGreaterThanOrEqual(v.serviceTimeMs.p50)
  })

  it('drops requests beyond the in-flight limit and counts them, never sending them late silently', async () => {
    const s = defineScenario({
      name: 'rt-drop',
      duration: 2,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 200 },
      latency: { default: { type: 'constant', ms: 500 } },
      requests: [{ kind: 'encrypt', key: 'k' }],
    })
    const r = await runScenario(s, { retryLayer, clock: 'real', realTime: { maxInFlight: 10 } })
    const v = r.variants[0]!
    expect(v.offered.requests).toBe(400)
    expect(v.completed.dropped).toBeGreaterThan(300)
    expect(v.achieved.requests + v.completed.dropped).toBe(400)
    expect(v.completed.succeeded).toBe(v.achieved.requests)
    expect(v.timeline.reduce((a, e) => a + e.dropped, 0)).toBe(v.completed.dropped)
    // (Node timers may fire a fraction of a millisecond early against performance.now.)
    expect(v.latencyMs.p50).toBeGreaterThan(495)
  })

  it('a stop signal cuts the drain short: a run against a target that never answers still ends (issue 18.11)', async () => {
    const s = defineScenario({
      name: 'rt-stuck-stop',
      duration: 1,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 5 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
      variants: [{ name: 'v', mitigations: [neverSettles] }],
    })
    const controller = new AbortController()
    const wall = new SystemClock()
    const t0 = wall.now()
    const timer = wall.setTimer(1500, () => controller.abort(new Error('SIGINT')))
    const r = await runScenario(s, {
      retryLayer,
      clock: 'real',
      retry: { mode: 'none', maxAttempts: 1 },
      realTime: { drainMs: 60_000 },
      signal: controller.signal,
    })
    timer.cancel()
    // Stopped half a second into the 60 s drain, not at its end.
    expect(wall.now() - t0).toBeLessThan(4000)
    const v = r.variants[0]!
    // Every request sent is accounted for, none left hanging.
    expect(v.offered.requests).toBeGreaterThan(0)
    expect(v.completed.timedOut + v.completed.dropped).toBe(v.offered.requests)
    expect(v.completed.errors['Interrupted']).toBe(v.completed.timedOut)
  })

  it('aborts requests still in flight when the drain runs out and counts them as timed out, with the time they waited', async () => {
    const s = defineScenario({
      name: 'rt-stuck',
      duration: 1,
      keys: [{ name: 'k' }],
      arrivals: { shape: 'constant', rate: 5 },
      requests: [{ kind: 'op', operation: 'GenerateDataKey', key: 'k' }],
      variants: [{ name: 'v', mitigations: [neverSettles] }],
    })
    const r = await runScenario(s, {
      retryLayer,
      clock: 'real',
      retry: { mode: 'none', maxAttempts: 1 },
      realTime: { drainMs: 300 },
    })
    const v = r.variants[0]!
    expect(v.completed).toEqual({
      succeeded: 0,
      throttled: 0,
      failed: 0,
      timedOut: 5,
      dropped: 0,
      errors: { DrainAbort: 5 },
    })
    // Sent at 0, 0.2, ... 0.8 s, given up at least 300 ms after the last send.
    expect(v.outcomes.timedOut?.latencyMs.count).toBe(5)
    expect(v.outcomes.timedOut?.latencyMs.max).toBeGreaterThan(1090)
    expect(v.serviceTimeMs.p50).toBeGreaterThan(490)
    expect(
      r.assumptions.some((x) =>
        x.includes(
          '5 requests were still in flight at the end of the drain (0.3 s after the last arrival; run --drain D)',
        ),
      ),
    ).toBe(true)
  })
})
