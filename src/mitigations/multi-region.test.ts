import { describe, expect, it } from 'vitest'
import { runScenario } from '../load/index.ts'
import { defineScenario, type ScenarioInput } from '../load/scenario/index.ts'
import { multiRegion, type MultiRegionOptions } from './multi-region.ts'

function scenario(
  kind: 'envelope-encrypt' | 'envelope-decrypt',
  options: MultiRegionOptions,
  multiRegionKey = true,
): ScenarioInput {
  return {
    name: 'mrk-unit',
    region: 'eu-north-1',
    duration: 10,
    keys: [{ name: 'k', multiRegion: multiRegionKey }],
    arrivals: { shape: 'constant', rate: 30 },
    requests: [{ kind, key: 'k', payloadBytes: 100 }],
    // 10/s in every Region (a scale model of a 10,000/s quota).
    quotas: { symmetric: 10 },
    variants: [{ name: 'baseline' }, { name: 'spread', mitigations: [multiRegion(options)] }],
  }
}

const run = async (input: ScenarioInput) =>
  (await runScenario(defineScenario(input), { retry: { mode: 'none', maxAttempts: 1 } })).variants

describe('multi-Region spreading', () => {
  it('three Regions, three quotas: 30/s against 10/s each is no longer throttled', async () => {
    const [baseline, spread] = await run(scenario('envelope-encrypt', { regions: ['eu-west-3', 'eu-south-1'] }))
    expect(baseline!.completed.throttled).toBe(200)
    expect(spread!.completed.throttled).toBe(0)
    expect(spread!.completed.succeeded).toBe(300)
    // Least-loaded routing of one host alternates: 10 calls/s in each Region.
    expect(spread!.mitigations.find((m) => m.name === 'multi-region')!.stats).toEqual({
      replicas: 2,
      'calls:eu-north-1': 100,
      'calls:eu-west-3': 100,
      'calls:eu-south-1': 100,
    })
    for (const region of ['eu-north-1', 'eu-west-3', 'eu-south-1']) {
      expect(spread!.quota.find((q) => q.region === region && q.pool === 'symmetric')).toMatchObject({
        accepted: 100,
        throttled: 0,
        peakPerSecond: 10,
      })
    }
    // Each replica is a billed key.
    expect(baseline!.costUsd.billedKeys).toBe(1)
    expect(spread!.costUsd.billedKeys).toBe(3)
    expect(spread!.costUsd.monthly.keys).toBeCloseTo(3 * baseline!.costUsd.monthly.keys, 9)
  })

  it('decrypts where the data is by default; spreads Decrypt only when asked', async () => {
    const [, home] = await run(scenario('envelope-decrypt', { regions: ['eu-west-3', 'eu-south-1'] }))
    // Ciphertexts made before the run are in the home Region: Decrypt stays there.
    expect(home!.completed.throttled).toBe(200)
    expect(home!.mitigations.find((m) => m.name === 'multi-region')!.stats['calls:eu-north-1']).toBe(300)
    const [, anywhere] = await run(
      scenario('envelope-decrypt', { regions: ['eu-west-3', 'eu-south-1'], decrypt: 'spread' }),
    )
    expect(anywhere!.completed.throttled).toBe(0)
    expect(anywhere!.completed.succeeded).toBe(300)
  })

  it('decrypts a ciphertext in the Region that made it', async () => {
    const input: ScenarioInput = {
      ...scenario('envelope-encrypt', { regions: ['eu-west-3'] }),
      requests: [
        {
          kind: 'sequence',
          name: 'round-trip',
          steps: [
            { operation: 'GenerateDataKey', key: 'k', input: { KeySpec: 'AES_256' } },
            { operation: 'Decrypt', key: 'k', ciphertextFrom: 0 },
          ],
        },
      ],
      quotas: { symmetric: 1000 },
    }
    const [, spread] = await run(input)
    expect(spread!.completed).toMatchObject({ succeeded: 300, failed: 0 })
    expect(spread!.mitigations.find((m) => m.name === 'multi-region')!.stats).toMatchObject({
      'calls:eu-north-1': 300,
      'calls:eu-west-3': 300,
    })
  })

  it('needs a multi-Region key, and checks its parameters', async () => {
    await expect(run(scenario('envelope-encrypt', { regions: ['eu-west-3'] }, false))).rejects.toThrow(
      /multiRegion: true/,
    )
    const p = (o: unknown): string[] =>
      (multiRegion(o as MultiRegionOptions).problems ?? []).map((x) => `${x.path.join('.')}: ${x.message}`)
    expect(p({ regions: [] })).toEqual(['regions: regions must name at least one Region to add replicas in'])
    expect(p({ regions: ['eu-wst-3'] })[0]).toMatch(
      /^regions.0: 'eu-wst-3' is not a known AWS Region \(did you mean eu-west-3\?\)/,
    )
    expect(p({ regions: ['eu-west-3', 'eu-west-3'] })).toEqual(['regions: Region eu-west-3 is listed twice'])
    expect(p({ regions: ['eu-west-3'], decrypt: 'nearest' })[0]).toMatch(
      /^decrypt: decrypt must be one of 'home', 'spread'/,
    )
  })
})
