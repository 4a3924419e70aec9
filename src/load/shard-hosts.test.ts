import { describe, expect, it } from 'vitest'
import { mergeSummaries } from './results/index.ts'
import { RunError, runScenario } from './runner.ts'
import { defineScenario, type ScenarioInput } from './scenario/index.ts'
import { shardHostsProblem } from './shard-hosts.ts'

const none = { mode: 'none', maxAttempts: 1 } as const
const standard = { mode: 'standard', maxAttempts: 3 } as const

describe('shardHostsProblem', () => {
  it('accepts shards that split the hosts, and hosts without per-host state', () => {
    const plain = [{ variant: { name: 'baseline', mitigations: [] }, retry: none }]
    const retrying = [{ variant: { name: 'baseline', mitigations: [] }, retry: standard }]
    expect(shardHostsProblem(6, { index: 1, count: 3 }, retrying)).toBeUndefined()
    expect(shardHostsProblem(1, { index: 0, count: 1 }, retrying)).toBeUndefined()
    expect(shardHostsProblem(1, { index: 1, count: 2 }, plain)).toBeUndefined()
  })

  it('names the variant, what it keeps per host and the shard counts that work', () => {
    const cached = [
      { variant: { name: 'baseline', mitigations: [] }, retry: none },
      { variant: { name: 'cache', mitigations: [{ name: 'data-key-cache' }] }, retry: none },
    ]
    expect(shardHostsProblem(1, { index: 2, count: 3 }, cached)).toBe(
      "shard 3 of 3: the fleet's 1 host cannot be split across 3 shards (3 does not divide 1), so every host runs in 3 shards, each copy with its own SDK client and mitigation state; variant 'cache' keeps per-host state (mitigations (data-key-cache)), so the merged shards would count those hosts' retries and cache misses once per copy. Give the fleet a multiple of 3 hosts (fleet.hosts, or --hosts for the ad-hoc form), or run with --retry none and no mitigations",
    )
    const retrying = [{ variant: { name: 'baseline', mitigations: [] }, retry: standard }]
    expect(shardHostsProblem(6, { index: 0, count: 4 }, retrying)).toMatch(
      /^shard 1 of 4: the fleet's 6 hosts cannot be split across 4 shards \(4 does not divide 6\), so some hosts run in several shards.*SDK retries, standard mode: a retry quota per host.*run 2 or 3 shards, or run with --retry none/,
    )
  })
})

describe('a sharded run with fewer hosts than shards', () => {
  // One host, 400 requests/s against 100/s: the host's retry quota and cache decide the figures.
  const input: ScenarioInput = {
    name: 'one-host',
    duration: 3,
    seed: 3,
    keys: [{ name: 'k' }],
    fleet: { hosts: 1 },
    quotas: { symmetric: 100 },
    arrivals: { shape: 'constant', rate: 400 },
    requests: [{ kind: 'envelope-encrypt', key: 'k', payloadBytes: 100 }],
  }

  it('refuses to run when the host would keep retry state in two shards (no double counting)', async () => {
    const s = defineScenario(input)
    const run = runScenario(s, { shard: { index: 1, count: 2 }, latency: 'none' })
    await expect(run).rejects.toThrow(RunError)
    await expect(runScenario(s, { shard: { index: 0, count: 2 }, latency: 'none' })).rejects.toThrow(
      /shard 1 of 2: the fleet's 1 host cannot be split across 2 shards .*variant 'baseline' keeps per-host state \(SDK retries, standard mode/,
    )
  })

  it('without per-host state the shards merge into exactly the one run', async () => {
    const s = defineScenario(input)
    const options = { retry: none, latency: 'none' } as const
    const whole = await runScenario(s, options)
    const parts = await Promise.all([0, 1].map((index) => runScenario(s, { ...options, shard: { index, count: 2 } })))
    const merged = await mergeSummaries(parts)
    const [w, m] = [whole.variants[0]!, merged.variants[0]!]
    expect(m.offered.requests).toBe(w.offered.requests)
    expect(m.completed).toEqual(w.completed)
    expect(m.kms.calls).toBe(w.kms.calls)
    expect(m.kms.throttled).toBe(w.kms.throttled)
  })
})
