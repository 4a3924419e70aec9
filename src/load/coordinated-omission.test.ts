/**
 * Coordinated omission, tested: the real-time engine on a clock that stalls mid-run.
 *
 * A process that freezes (a GC pause, a blocked event loop, a descheduled VM) sends nothing
 * while frozen; when it wakes, every request due meanwhile goes out at once. A load generator
 * that measures from the actual send hides the stall (each late request looks fast); measuring
 * from the intended send time shows it. The clock here is simulated, so the run is exact on
 * any machine: time moves only when the engine waits (a sleep or an event-loop turn moves it
 * by that long) and, once, jumps by the stall, as a frozen process sees it on waking.
 */
import { describe, expect, it } from 'vitest'
import { VIRTUAL_EPOCH_MS, VirtualClock, type RealTimeClock } from '../clock.ts'
import { runScenario } from './runner.ts'
import { defineScenario } from './scenario/index.ts'

/** An event-loop turn of the simulated process, in ms. */
const TURN_MS = 0.25

/**
 * Simulated wall time for a real-time run: waiting moves time (timers due on the way fire in
 * order), and at `stallAtMs` the process freezes for `stallMs`: the next reading of the clock
 * is `stallMs` later, and nothing ran meanwhile. It sets no real timer.
 */
class StallingClock extends VirtualClock implements RealTimeClock {
  readonly #stallAt: number
  readonly #stallMs: number
  #offset = 0

  constructor(stallAtMs: number, stallMs: number) {
    super(VIRTUAL_EPOCH_MS)
    this.#stallAt = stallAtMs
    this.#stallMs = stallMs
  }

  override now(): number {
    const t = super.now()
    if (this.#offset === 0 && t >= this.#stallAt) this.#offset = this.#stallMs
    return t + this.#offset
  }

  override sleep(ms: number): Promise<void> {
    this.advance(ms)
    return Promise.resolve()
  }

  yieldToEventLoop(): Promise<void> {
    this.advance(TURN_MS)
    return Promise.resolve()
  }
}

const STALL_MS = 500
/**
 * The run's second 0 is the first whole second at least 50 ms after the clock's start; the
 * stall starts 1,007 ms into the run, between two requests (sent at 1,000 and 1,010 ms; with
 * a 5 ms service time, the first is answered by 1,005 ms): no request is in flight across it.
 */
const RUN_START = VIRTUAL_EPOCH_MS + 1000
const STALL_AT = RUN_START + 1007

function scenario(latencyMs: number | undefined) {
  return defineScenario({
    name: 'stall',
    duration: 2,
    keys: [{ name: 'k' }],
    arrivals: { shape: 'constant', rate: 100 },
    requests: [{ kind: 'encrypt', key: 'k' }],
    ...(latencyMs !== undefined ? { latency: { default: { type: 'constant', ms: latencyMs } } } : {}),
  })
}

async function stalledRun(latencyMs: number | undefined) {
  const clock = new StallingClock(STALL_AT, STALL_MS)
  const r = await runScenario(scenario(latencyMs), { clock: 'real', wallClock: clock, localCrypto: false })
  expect(r.clock).toBe('real')
  return r.variants[0]!
}

describe('coordinated omission: a 500 ms stall of the real-time engine', () => {
  // Requests due during the stall (1,010 ... 1,500 ms) go out together when the process wakes
  // (its first clock reading after the stall, at 1,509 ms): 49 of them more than 10 ms late
  // (the 1,500 ms one is 9 ms late, within the lateness tolerance).
  const dueDuringStall = 50
  const lateOnes = 49

  it.each([
    ['answered at once (embedded, synchronous path)', undefined],
    ['with a 5 ms service time (asynchronous completion)', 5],
  ])('%s: latency from the intended time shows the stall; late sends are counted', async (_label, latencyMs) => {
    const v = await stalledRun(latencyMs)
    const service = latencyMs ?? 0
    expect(v.offered.requests).toBe(200)
    expect(v.achieved.requests).toBe(200)
    expect(v.completed).toMatchObject({ succeeded: 200, dropped: 0, failed: 0 })
    // The service time (from the actual send) never sees the stall ...
    expect(v.serviceTimeMs.max).toBeCloseTo(service, 1)
    // ... the latency from the intended time does: the 1,010 ms request waited 499 ms to go out.
    expect(v.latencyMs.max - v.serviceTimeMs.max).toBeGreaterThan(STALL_MS - 10)
    expect(v.latencyMs.max - v.serviceTimeMs.max).toBeLessThanOrEqual(STALL_MS)
    // The requests sent on time keep their service time as latency (p50), the stalled ones
    // spread from 9 ms to the stall over the slowest quarter.
    expect(v.latencyMs.p50).toBeCloseTo(service, 1)
    expect(v.latencyMs.p90).toBeGreaterThan(250)
    expect(v.outcomes.succeeded.latencyMs.count).toBe(200)
    // Late sends are counted, in the second they went out.
    expect(v.achieved.late).toBe(lateOnes)
    expect(v.timeline[1]?.late).toBe(lateOnes)
    expect(v.timeline[1]?.achieved).toBe(100)
    expect(dueDuringStall).toBeGreaterThan(lateOnes)
  })
})
