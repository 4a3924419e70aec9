import { describe, expect, it } from 'vitest'
import { defineScenario, isScenario, ScenarioError, scenarioSeconds } from './define.ts'
import { mitigationTable } from './mitigation-table.ts'
import type { Mitigation } from './types.ts'

const minimal = {
  name: 'minimal',
  keys: [{ name: 'k' }],
  arrivals: { shape: 'constant' as const, rate: 10 },
  requests: [{ kind: 'encrypt' as const, key: 'k' }],
}

describe('defineScenario', () => {
  it('fills in defaults', () => {
    const s = defineScenario(minimal)
    expect(isScenario(s)).toBe(true)
    expect(s).toMatchObject({
      region: 'us-east-1',
      duration: 60,
      seed: 1,
      accounts: [{ id: '111122223333' }],
      fleet: { hosts: 1 },
      tenants: 1,
      profile: 'aws-default',
    })
    expect(s.variants).toEqual([{ name: 'baseline', mitigations: [] }])
    expect(s.requests[0]).toMatchObject({ weight: 1, payloadBytes: 256 })
    expect(scenarioSeconds(defineScenario({ ...minimal, duration: '2m' }))).toBe(120)
    // A validated scenario passes through unchanged.
    expect(defineScenario(s)).toBe(s)
  })

  it('reports every problem at once, each with its path', () => {
    let error: ScenarioError | undefined
    try {
      defineScenario({
        name: 'bad name!',
        region: 'us-east-9',
        duration: '5x',
        keys: [{ name: 'k' }, { name: 'k', account: '999999999999' }],
        arrivals: { shape: 'sine', mean: 10, amplitude: 20, period: 60 },
        requests: [
          { kind: 'encrypt', key: 'missing', payloadBytes: 10_000 },
          // @ts-expect-error an unknown request kind
          { kind: 'teleport', key: 'k' },
        ],
        variants: [{ name: 'a' }, { name: 'a', mitigations: [{ nope: true } as never] }],
      })
    } catch (e) {
      error = e as ScenarioError
    }
    expect(error).toBeInstanceOf(ScenarioError)
    const text = error!.problems.join('\n')
    expect(text).toMatch(/^name: /m)
    expect(text).toMatch(/^region: 'us-east-9' is not a known AWS Region/m)
    expect(text).toMatch(/^duration: '5x' is not a duration/m)
    expect(text).toMatch(/^arrivals.amplitude: amplitude must not exceed mean/m)
    expect(text).toMatch(/^requests\.1\.kind: /m)
    expect(text).toMatch(/^variants\.1\.mitigations\.0: must be a mitigation/m)
    expect(error!.problems.length).toBeGreaterThanOrEqual(6)
  })

  it('checks cross references once the shapes are right', () => {
    expect(() =>
      defineScenario({
        ...minimal,
        keys: [{ name: 'k' }, { name: 'k' }],
        requests: [{ kind: 'encrypt', key: 'missing', payloadBytes: 10_000 }],
        variants: [{ name: 'a' }, { name: 'a' }],
        principals: ['arn:aws:iam::222233334444:role/x'],
      }),
    ).toThrow(ScenarioError)
    let error: unknown
    try {
      defineScenario({
        ...minimal,
        keys: [{ name: 'k' }, { name: 'k' }, { name: 'rsa', spec: 'RSA_2048', customKeyStore: 'AWS_CLOUDHSM' }],
        requests: [{ kind: 'encrypt', key: 'missing', payloadBytes: 10_000 }],
        variants: [{ name: 'a' }, { name: 'a' }],
      })
    } catch (e) {
      error = e
    }
    // (Asserted outside the catch: a scenario accepted by mistake must fail the test.)
    expect(error).toBeInstanceOf(ScenarioError)
    const p = (error as ScenarioError).problems.join('\n')
    expect(p).toContain("keys.1.name: duplicate key name 'k'")
    expect(p).toContain('keys.2.customKeyStore: a key in a custom key store is a single-Region SYMMETRIC_DEFAULT')
    expect(p).toContain("requests.0.key: unknown key 'missing'")
    expect(p).toContain('requests.0.payloadBytes: Encrypt takes at most 4096 bytes')
    expect(p).toContain("variants.1.name: duplicate variant name 'a'")
  })

  it('accepts every request kind and schedule shape', () => {
    const s = defineScenario({
      name: 'everything',
      keys: [{ name: 'k' }, { name: 'mac', spec: 'HMAC_256' }, { name: 'managed', manager: 'aws', service: 's3' }],
      tenants: { count: 10, distribution: { zipf: 1 } },
      arrivals: { shape: 'trace', rates: [1, 2, 3], process: 'poisson' },
      requests: [
        { kind: 'encrypt', key: 'k', context: { tenant: '{tenant}' } },
        { kind: 'decrypt', key: 'k' },
        { kind: 'envelope-encrypt', key: 'k', payloadBytes: { choices: [1024, 4096], weights: [3, 1] } },
        { kind: 'envelope-decrypt', key: 'k' },
        { kind: 's3-put', key: 'managed', bucket: 'b-1' },
        { kind: 's3-get', key: 'managed', bucket: 'b-1' },
        { kind: 'op', operation: 'GenerateMac', key: 'mac' },
        { kind: 'sequence', name: 'seq', steps: [{ operation: 'GenerateRandom' }] },
        // eslint-disable-next-line require-yield
        {
          kind: 'custom',
          name: 'c',
          *run() {
            return 'succeeded'
          },
        },
      ],
    })
    expect(s.requests).toHaveLength(9)
  })

  describe('mitigation tables', () => {
    /** A user's own mitigation: a factory with its own options type. */
    const own = (options: { level: number }): Mitigation => ({
      name: 'own',
      params: { level: options.level },
      start: () => ({ wrap: (next) => next }),
    })
    const declared = { ...minimal, variants: [{ name: 'v', mitigations: [{ name: 'own', level: 3 }] }] }

    it('resolves a declaratively named mitigation in the table passed in', () => {
      const s = defineScenario(declared, { mitigations: mitigationTable({ own }) })
      expect(s.variants[0]?.mitigations[0]?.params).toEqual({ level: 3 })
    })

    it('knows no names without a table, and says which names the table has', () => {
      expect(() => defineScenario(declared)).toThrow(/variants\.0\.mitigations\.0\.name: unknown mitigation 'own'$/m)
      expect(() => defineScenario(declared, { mitigations: mitigationTable({ owned: own }) })).toThrow(
        /unknown mitigation 'own' \(did you mean 'owned'\?\); known: owned/,
      )
    })

    it('tables are read-only', () => {
      const t = mitigationTable({ own })
      expect(Object.isFrozen(t)).toBe(true)
    })
  })
})
