import { describe, expect, it } from 'vitest'
import { runScenario } from '../load/index.ts'
import { defineScenario, type ScenarioInput } from '../load/scenario/index.ts'
import { dataKeyCache } from './data-key-cache.ts'
import { singleFlight, type SingleFlightOptions } from './single-flight.ts'

function scenario(
  mitigations: ScenarioInput['variants'] extends (infer V)[] | undefined
    ? V extends { mitigations?: infer M }
      ? M
      : never
    : never,
  latencyMs: number,
): ScenarioInput {
  return {
    name: 'single-flight-unit',
    duration: 10,
    keys: [{ name: 'k' }],
    arrivals: { shape: 'constant', rate: 100 },
    requests: [{ kind: 'envelope-decrypt', key: 'k', payloadBytes: 100, dataKeysInStore: 'per-tenant' }],
    latency: { default: { type: 'constant', ms: latencyMs } },
    variants: [{ name: 'baseline' }, { name: 'coalesced', mitigations }],
  }
}

describe('single flight', () => {
  it('concurrent Decrypts of one ciphertext share one call: every 10 ms, 50 ms each, 5 requests per call', async () => {
    const r = await runScenario(defineScenario(scenario([singleFlight()], 50)), {
      retry: { mode: 'none', maxAttempts: 1 },
    })
    const [baseline, sf] = r.variants
    expect(baseline!.kms.calls).toBe(1000)
    // A call starts at 0, 50, 100, ... ms: requests at +10..+40 ms wait for it.
    expect(sf!.kms.calls).toBe(200)
    expect(sf!.completed.succeeded).toBe(1000)
    expect(sf!.mitigations.find((m) => m.name === 'single-flight')!.stats).toEqual({ flights: 200, coalesced: 800 })
    // Waiters finish with the call they joined: no request waits longer than one call
    // (50 ms, within the histogram's 3 significant digits).
    expect(sf!.latencyMs.max).toBeLessThan(50.1)
  })

  it('does nothing without service time (nothing is concurrent)', async () => {
    const r = await runScenario(defineScenario(scenario([singleFlight()], 0)), {
      retry: { mode: 'none', maxAttempts: 1 },
    })
    expect(r.variants[1]!.kms.calls).toBe(1000)
  })

  it('under a cache it joins misses of one entry (cache above, single flight below)', async () => {
    // Cache entries live 1 s; a miss's Decrypt takes 50 ms, during which 4 more requests miss.
    const r = await runScenario(defineScenario(scenario([singleFlight(), dataKeyCache({ maxAge: 1 })], 50)), {
      retry: { mode: 'none', maxAttempts: 1 },
    })
    // Refreshes at 0, 1.06 s, ... 9.54 s (as dataKeyCache({ singleFlight: true }) would).
    expect(r.variants[1]!.kms.calls).toBe(10)
  })

  it('refuses GenerateDataKey (sharing a data key is caching) and unknown operations', () => {
    const p = (o: unknown): string[] =>
      (singleFlight(o as SingleFlightOptions).problems ?? []).map((x) => `${x.path.join('.')}: ${x.message}`)
    expect(p({ operations: ['GenerateDataKey'] })[0]).toMatch(
      /^operations.0: GenerateDataKey returns a new data key on every call: sharing one between requests is caching/,
    )
    expect(p({ operations: ['Frobnicate'] })[0]).toMatch(/^operations.0: 'Frobnicate' cannot be coalesced/)
    expect(p({ operation: ['Decrypt'] })[0]).toMatch(
      /^operation: unknown option 'operation' \(did you mean 'operations'\?\)/,
    )
    expect(p({})).toEqual([])
  })
})
