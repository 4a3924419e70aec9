import { describe, expect, it } from 'vitest'
import { parseDuration } from '../scenario/index.ts'
import { randomFor } from '../../random.ts'
import { ArrivalStream } from './arrivals.ts'
import { mergedArrivals } from './own-arrivals.ts'
import { compileShape, constantRate } from './schedule.ts'

const main = (rate: number, seconds: number) => ({
  shape: compileShape(constantRate(rate), seconds, parseDuration),
  durationMs: seconds * 1000,
  random: randomFor(1, 'arrivals'),
})

function drain(a: { next(): number }): number[] {
  const out: number[] = []
  for (let t = a.next(); t !== Infinity; t = a.next()) out.push(t)
  return out
}

describe('mergedArrivals', () => {
  it('without own rates it is the scenario stream itself', () => {
    const a = mergedArrivals(main(10, 2), [], true, () => {})
    expect(a).toBeInstanceOf(ArrivalStream)
    expect(drain(a)).toHaveLength(20)
  })

  it('merges own-rate streams in time order and says where each arrival came from', () => {
    const sources: number[] = []
    const times = drain(mergedArrivals(main(4, 2), [1, 0.5], true, (s) => sources.push(s)))
    // 8 from the schedule, 2 at 1/s, 1 at 0.5/s; ties go to the earlier stream
    expect(times).toEqual([0, 0, 0, 250, 500, 750, 1000, 1000, 1250, 1500, 1750])
    expect(sources).toEqual([0, 1, 2, 0, 0, 0, 0, 1, 0, 0, 0])
    expect([...times].sort((x, y) => x - y)).toEqual(times)
  })

  it('drops the schedule when no kind is left in the mix', () => {
    const sources: number[] = []
    const times = drain(mergedArrivals(main(100, 3), [2], false, (s) => sources.push(s)))
    expect(times).toEqual([0, 500, 1000, 1500, 2000, 2500])
    expect(new Set(sources)).toEqual(new Set([1]))
  })

  it('shards an own rate like the schedule: 1/N each, the union is the whole stream', () => {
    const whole = drain(mergedArrivals(main(0, 10), [3], false, () => {}))
    const parts = [0, 1, 2].flatMap((i) =>
      drain(mergedArrivals({ ...main(0, 10), factor: 1 / 3, phase: i / 3 }, [3], false, () => {})),
    )
    // the same times, to float rounding (as the schedule's own shards)
    expect(parts.sort((x, y) => x - y).map((t) => Math.round(t * 1e6))).toEqual(whole.map((t) => Math.round(t * 1e6)))
    expect(whole).toHaveLength(30)
  })
})
