import { describe, expect, it } from 'vitest'
import { ArrivalStream } from './arrivals.ts'
import { parseDuration } from '../scenario/index.ts'
import { Random } from '../../random.ts'
import { parseReplayTable, ReplayCalls, ReplayTableError, renderReplayTable, type ReplayRow } from './replay.ts'
import { compileShape } from './schedule.ts'

const times = (spread: 'even' | 'seeded', rates: number[], seed = 1): number[] => {
  const s = new ArrivalStream({
    shape: compileShape({ shape: 'trace', rates, spread }, rates.length, parseDuration),
    durationMs: rates.length * 1000,
    random: new Random(seed),
  })
  const out: number[] = []
  for (let t = s.next(); t !== Infinity; t = s.next()) out.push(t)
  return out
}

describe('seeded spread of trace arrivals', () => {
  it('keeps the exact count per second, each arrival inside its own 1/n slot, in order', () => {
    const rates = [4, 0, 1, 7, 3]
    const t = times('seeded', rates)
    expect(t).toHaveLength(15)
    const counts = rates.map((_, s) => t.filter((x) => x >= s * 1000 && x < (s + 1) * 1000).length)
    expect(counts).toEqual(rates)
    // Second 0: 4 arrivals, slot i is [250 i, 250 (i+1)).
    for (let i = 0; i < 4; i++) expect(Math.floor((t[i] as number) / 250)).toBe(i)
    for (let i = 1; i < t.length; i++) expect(t[i] as number).toBeGreaterThan(t[i - 1] as number)
    // Not the lattice, and seeded: the same seed gives the same times.
    expect(t).not.toEqual(times('even', rates))
    expect(times('seeded', rates)).toEqual(t)
    expect(times('seeded', rates, 2)).not.toEqual(t)
  })
})

const row = (second: number, operation: ReplayRow['operation'], count: number): ReplayRow => ({
  second,
  operation,
  key: '',
  principal: '',
  via: '',
  caller: 'c',
  account: '111122223333',
  region: 'us-east-1',
  context: -1,
  count,
  throttled: 0,
})

describe('calls table', () => {
  it('round-trips and each second yields a seeded shuffle of exactly its own calls', () => {
    const rows = [row(0, 'GenerateRandom', 3), row(0, 'ListKeys', 2), row(1, 'ListAliases', 1)]
    const parsed = parseReplayTable(renderReplayTable(rows), 'calls.csv')
    expect(parsed).toEqual(rows)
    const calls = new ReplayCalls(
      parsed,
      { keys: new Map(), fixture: () => new Uint8Array(), payload: (n) => new Uint8Array(n), seed: 7, seconds: 2 },
      'r0',
    )
    const second0 = Array.from({ length: 5 }, () => calls.next(0).operation).sort()
    expect(second0).toEqual(['GenerateRandom', 'GenerateRandom', 'GenerateRandom', 'ListKeys', 'ListKeys'])
    expect(calls.next(1).operation).toBe('ListAliases')
  })

  it('global arrival numbers pick disjoint calls: shards (k·N + I) together make every call once', () => {
    const rows = [row(0, 'GenerateRandom', 3), row(0, 'ListKeys', 2), row(1, 'ListAliases', 1), row(2, 'ListKeys', 4)]
    const env = { keys: new Map(), fixture: () => new Uint8Array(), payload: (n: number) => new Uint8Array(n), seed: 7 }
    const made = new Map<string, number>()
    // 10 calls: before(0) = 0, before(1) = 5, before(2) = 6; shard I of 3 gets arrivals I, I + 3, ...
    for (const shard of [0, 1, 2]) {
      const calls = new ReplayCalls(rows, { ...env, seconds: 3 }, 'r0')
      for (let g = shard; g < 10; g += 3) {
        const second = g < 5 ? 0 : g < 6 ? 1 : 2
        const k = `${second}/${calls.next(second, g).operation}`
        made.set(k, (made.get(k) ?? 0) + 1)
      }
    }
    expect(Object.fromEntries(made)).toEqual({
      '0/GenerateRandom': 3,
      '0/ListKeys': 2,
      '1/ListAliases': 1,
      '2/ListKeys': 4,
    })
    // An arrival that lands at the end of the previous second still makes its own second's call.
    const calls = new ReplayCalls(rows, { ...env, seconds: 3 }, 'r0')
    expect(calls.next(0, 5).operation).toBe('ListAliases')
    // At scale 0.5 second 2's arrivals start at ceil(0.5 × 6) = 3: positions 0 and 1 of its shuffle.
    const half = new ReplayCalls(rows, { ...env, seconds: 3, scale: 0.5 }, 'r0')
    expect([half.next(2, 3).operation, half.next(2, 4).operation]).toEqual(['ListKeys', 'ListKeys'])
  })

  it('refuses a bad table naming the row', () => {
    expect(() => parseReplayTable('second,operation\n', 'c.csv')).toThrow(ReplayTableError)
    const text = renderReplayTable([row(0, 'ListKeys', 1)]).replace('ListKeys', 'CreateKey')
    expect(() => parseReplayTable(text, 'c.csv')).toThrow("c.csv: row 2: 'CreateKey' is not a replayable operation")
  })
})
