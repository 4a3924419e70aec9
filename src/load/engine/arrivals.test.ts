import { describe, expect, it } from 'vitest'
import { ArrivalStream } from './arrivals.ts'
import { parseDuration } from '../scenario/index.ts'
import { Random } from '../../random.ts'
import { compileShape, type Schedule } from './schedule.ts'

/** Counts arrivals per whole second. */
function perSecond(
  schedule: Schedule,
  seconds: number,
  options: { factor?: number; phase?: number; seed?: number } = {},
): { counts: number[]; times: number[] } {
  const stream = new ArrivalStream({
    shape: compileShape(schedule, seconds, parseDuration),
    durationMs: seconds * 1000,
    random: new Random(options.seed ?? 1),
    ...(options.factor !== undefined ? { factor: options.factor } : {}),
    ...(options.phase !== undefined ? { phase: options.phase } : {}),
  })
  const counts = new Array<number>(seconds).fill(0)
  const times: number[] = []
  let last = -1
  let ordered = true
  for (let t = stream.next(); t !== Infinity; t = stream.next()) {
    if (t < last || t >= seconds * 1000) ordered = false
    last = t
    times.push(t)
    ;(counts as number[])[Math.floor(t / 1000)]!++
  }
  expect(ordered, 'times ascend and stay inside the run').toBe(true)
  return { counts, times }
}

describe('arrival schedules: counts per second', () => {
  it('constant: exactly the rate every second, evenly spaced from the start', () => {
    const { counts, times } = perSecond({ shape: 'constant', rate: 1000 }, 5)
    expect(counts).toEqual([1000, 1000, 1000, 1000, 1000])
    expect(times.slice(0, 3)).toEqual([0, 1, 2])
    expect(times[4999]).toBe(4999)
    // A rate that does not divide 1000 ms still gives exact counts (times from the start, not summed gaps).
    expect(perSecond({ shape: 'constant', rate: 3 }, 4).counts).toEqual([3, 3, 3, 3])
    expect(perSecond({ shape: 'constant', rate: 7777 }, 3).counts).toEqual([7777, 7777, 7777])
  })

  it('ramp: each second gets the integral of the rate over it (±1)', () => {
    const { counts } = perSecond({ shape: 'ramp', from: 100, to: 1100, over: 10 }, 12)
    for (let s = 0; s < 10; s++) expect(Math.abs((counts[s] as number) - (150 + 100 * s))).toBeLessThanOrEqual(1)
    expect(counts.slice(10)).toEqual([1100, 1100])
  })

  it('steps: exact counts per step, holding the last rate', () => {
    const { counts } = perSecond(
      {
        shape: 'steps',
        steps: [
          { rate: 10, duration: 2 },
          { rate: 50, duration: '1s' },
        ],
      },
      5,
    )
    expect(counts).toEqual([10, 10, 50, 50, 50])
    const repeated = perSecond(
      {
        shape: 'steps',
        steps: [
          { rate: 10, duration: 1 },
          { rate: 30, duration: 1 },
        ],
        repeat: true,
      },
      4,
    )
    expect(repeated.counts).toEqual([10, 30, 10, 30])
  })

  it('spike: the burst lands in the right seconds, once or recurring', () => {
    expect(perSecond({ shape: 'spike', base: 100, peak: 1000, at: 2, duration: 2 }, 6).counts).toEqual([
      100, 100, 1000, 1000, 100, 100,
    ])
    expect(perSecond({ shape: 'spike', base: 10, peak: 100, at: 1, duration: 1, every: 3 }, 7).counts).toEqual([
      10, 100, 10, 10, 100, 10, 10,
    ])
    // A burst of half a second inside one second: 500 ms at 2000/s + 500 ms at 0/s.
    expect(perSecond({ shape: 'spike', base: 0, peak: 2000, at: '1250ms', duration: '500ms' }, 3).counts).toEqual([
      0, 1000, 0,
    ])
  })

  it('sine: counts follow the integral of the curve (±1 per second) and the mean over a period', () => {
    const { counts } = perSecond({ shape: 'sine', mean: 1000, amplitude: 500, period: 20 }, 20)
    for (let s = 0; s < 20; s++) {
      const expected =
        1000 +
        ((500 * 20) / (2 * Math.PI)) * (Math.cos((2 * Math.PI * s) / 20) - Math.cos((2 * Math.PI * (s + 1)) / 20))
      expect(Math.abs((counts[s] as number) - expected)).toBeLessThanOrEqual(1)
    }
    expect(Math.abs(counts.reduce((a, b) => a + b, 0) - 20_000)).toBeLessThanOrEqual(1)
  })

  it('trace: replays the per-second rates, looping when the run is longer', () => {
    expect(perSecond({ shape: 'trace', rates: [5, 0, 20] }, 5).counts).toEqual([5, 0, 20, 5, 0])
  })

  it('poisson: seeded, with Poisson counts per second (mean and variance ≈ rate)', () => {
    const a = perSecond({ shape: 'poisson', rate: 500 }, 200, { seed: 3 })
    const b = perSecond({ shape: 'poisson', rate: 500 }, 200, { seed: 3 })
    expect(a.times).toEqual(b.times)
    const mean = a.counts.reduce((x, y) => x + y, 0) / 200
    const variance = a.counts.reduce((x, y) => x + (y - mean) ** 2, 0) / 199
    expect(Math.abs(mean - 500)).toBeLessThan(500 * 0.02)
    expect(variance / 500).toBeGreaterThan(0.7)
    expect(variance / 500).toBeLessThan(1.3)
    // Any shape can be a Poisson process: a step from 100/s to 1000/s shows in the counts.
    const stepped = perSecond(
      {
        shape: 'steps',
        steps: [
          { rate: 100, duration: 50 },
          { rate: 1000, duration: 50 },
        ],
        process: 'poisson',
      },
      100,
      { seed: 4 },
    )
    const low = stepped.counts.slice(0, 50).reduce((x, y) => x + y, 0) / 50
    const high = stepped.counts.slice(50).reduce((x, y) => x + y, 0) / 50
    expect(Math.abs(low - 100)).toBeLessThan(10)
    expect(Math.abs(high - 1000)).toBeLessThan(30)
  })

  it('shards: the union of N uniform shard streams is exactly the unsharded stream', () => {
    const schedule: Schedule = { shape: 'ramp', from: 300, to: 900, over: 4 }
    const whole = perSecond(schedule, 4).times
    const union = [0, 1, 2]
      .flatMap((i) => perSecond(schedule, 4, { factor: 1 / 3, phase: i / 3 }).times)
      .sort((x, y) => x - y)
    expect(union.length).toBe(whole.length)
    for (let i = 0; i < whole.length; i++)
      expect(Math.abs((union[i] as number) - (whole[i] as number))).toBeLessThan(1e-6)
  })

  it('scale multiplies the rate', () => {
    expect(perSecond({ shape: 'constant', rate: 1000 }, 2, { factor: 0.1 }).counts).toEqual([100, 100])
  })
})
