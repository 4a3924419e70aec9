import { describe, expect, it } from 'vitest'
import { Random } from '../../random.ts'
import {
  AWS_LATENCY_SPEC,
  createLatencyModel,
  describeKeyStoreTerm,
  inverseNormal,
  LatencySpecError,
  parseLatencySpec,
} from './latency-model.ts'

/** The project's seeded PRNG, as a uniform source. */
function seeded(seed: number): () => number {
  const r = new Random(seed)
  return () => r.next()
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
}

describe('inverseNormal', () => {
  it('matches known quantiles of the standard normal', () => {
    expect(inverseNormal(0.5)).toBeCloseTo(0, 9)
    expect(inverseNormal(0.975)).toBeCloseTo(1.959963985, 7)
    expect(inverseNormal(0.01)).toBeCloseTo(-2.326347874, 7)
    expect(inverseNormal(0.999)).toBeCloseTo(3.090232306, 7)
    expect(inverseNormal(1e-6)).toBeCloseTo(-4.753424309, 6)
  })
  it('stays finite at the edges', () => {
    expect(Number.isFinite(inverseNormal(0))).toBe(true)
    expect(Number.isFinite(inverseNormal(1))).toBe(true)
  })
})

describe('createLatencyModel', () => {
  it("'none' is always zero and says so", () => {
    const m = createLatencyModel('none', Math.random)
    expect(m.isZero).toBe(true)
    expect(m.sample('Encrypt')).toBe(0)
    expect(m.sample('CreateKey', { newConnection: true })).toBe(0)
  })

  it("'aws' has the documented p50 and p99 and a rare multi-second tail", () => {
    const m = createLatencyModel('aws', seeded(42))
    expect(m.isZero).toBe(false)
    const n = 200_000
    const xs = Array.from({ length: n }, () => m.sample('Encrypt')).sort((a, b) => a - b)
    expect(quantile(xs, 0.5)).toBeGreaterThan(15 * 0.97)
    expect(quantile(xs, 0.5)).toBeLessThan(15 * 1.03)
    expect(quantile(xs, 0.99)).toBeGreaterThan(60 * 0.95)
    expect(quantile(xs, 0.99)).toBeLessThan(60 * 1.05)
    // 1e-4 of 200,000 = 20 expected tail samples (>= 1 s); the lognormal alone never gets there.
    const tail = xs.filter((x) => x >= 1000).length
    expect(tail).toBeGreaterThan(5)
    expect(tail).toBeLessThan(45)
    expect(xs.every((x) => x > 0 && x <= 5000)).toBe(true)
  })

  it('is reproducible: the same seed gives the same samples, two draws per sample', () => {
    const a = createLatencyModel('aws', seeded(7))
    const b = createLatencyModel('aws', seeded(7))
    const sa = Array.from({ length: 1000 }, () => a.sample('Decrypt'))
    const sb = Array.from({ length: 1000 }, () => b.sample('Decrypt'))
    expect(sa).toEqual(sb)
    let draws = 0
    const counting = createLatencyModel({ default: { type: 'constant', ms: 3 } }, () => {
      draws++
      return 0.5
    })
    counting.sample('Encrypt')
    expect(draws).toBe(2)
  })

  it('uses per-operation distributions and adds the new-connection penalty only when asked', () => {
    const m = createLatencyModel(
      {
        default: { type: 'constant', ms: 5 },
        operations: { CreateKey: { type: 'constant', ms: 200 } },
        newConnection: { type: 'constant', ms: 100 },
      },
      Math.random,
    )
    expect(m.name).toBe('custom')
    expect(m.sample('Encrypt')).toBe(5)
    expect(m.sample('CreateKey')).toBe(200)
    expect(m.sample('Encrypt', { newConnection: true })).toBe(105)
  })

  it('samples uniform distributions inside their bounds', () => {
    const m = createLatencyModel({ default: { type: 'uniform', minMs: 10, maxMs: 20 } }, seeded(1))
    for (let i = 0; i < 1000; i++) {
      const x = m.sample('Encrypt')
      expect(x).toBeGreaterThanOrEqual(10)
      expect(x).toBeLessThanOrEqual(20)
    }
  })

  it('the aws preset is what the docs say', () => {
    expect(AWS_LATENCY_SPEC.default).toMatchObject({ type: 'lognormal', p50Ms: 15, p99Ms: 60 })
  })
})

describe('parseLatencySpec', () => {
  it('accepts the documented file format', () => {
    const spec = parseLatencySpec({
      default: { type: 'lognormal', p50Ms: 15, p99Ms: 60, tail: { probability: 0.0001, minMs: 1000, maxMs: 5000 } },
      operations: { CreateKey: { type: 'uniform', minMs: 80, maxMs: 250 } },
      newConnection: { type: 'constant', ms: 120 },
    })
    expect(spec.operations?.['CreateKey']).toEqual({ type: 'uniform', minMs: 80, maxMs: 250 })
  })

  it('defaults to zero when default is omitted', () => {
    expect(createLatencyModel(parseLatencySpec({}), Math.random).isZero).toBe(true)
  })

  it('rejects bad specs naming every problem', () => {
    const bad = (v: unknown): string => {
      try {
        parseLatencySpec(v)
      } catch (e) {
        expect(e).toBeInstanceOf(LatencySpecError)
        return (e as Error).message
      }
      throw new Error('accepted a bad spec')
    }
    expect(bad({ default: { type: 'lognormal', p50Ms: 60, p99Ms: 15 } })).toContain('p99Ms >= p50Ms')
    expect(bad({ default: { type: 'constant', ms: -1 } })).toContain('default.ms')
    expect(bad({ default: { type: 'gamma' } })).toContain('default.type')
    expect(bad({ operations: { encrypt: { type: 'none' } } })).toContain('operations.encrypt: not a KMS operation name')
    expect(bad({ defualt: { type: 'none' } })).toContain('defualt')
    expect(bad([])).toContain('(root)')
  })

  it('adds the custom key store term once per HSM / proxy round trip, only when asked', () => {
    // u = 0.5: the lognormal's median exactly (15 ms), never the 1e-4 tail.
    const half = () => 0.5
    const aws = createLatencyModel('aws', half)
    expect(aws.usesKeyStores).toBe(true)
    expect(aws.sample('Encrypt')).toBeCloseTo(15, 9)
    expect(aws.sample('Encrypt', { keyStores: [] })).toBeCloseTo(15, 9)
    // The preset's constants: CloudHSM 5 ms, XKS 20 ms (CUSTOM_KEY_STORE_LATENCY_MS).
    expect(aws.sample('Encrypt', { keyStores: ['AWS_CLOUDHSM'] })).toBeCloseTo(20, 9)
    expect(aws.sample('Decrypt', { keyStores: ['EXTERNAL_KEY_STORE'] })).toBeCloseTo(35, 9)
    expect(aws.sample('ReEncrypt', { keyStores: ['AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] })).toBeCloseTo(40, 9)
    expect(describeKeyStoreTerm('aws')).toBe('CloudHSM constant 5 ms, XKS proxy constant 20 ms')
    expect(createLatencyModel('none', half).usesKeyStores).toBe(false)
    expect(describeKeyStoreTerm('none')).toBeUndefined()

    // A spec with only a key store term is not zero; the term draws two numbers per trip.
    const spec = parseLatencySpec({
      customKeyStore: { EXTERNAL_KEY_STORE: { type: 'uniform', minMs: 100, maxMs: 200 } },
    })
    let draws = 0
    const counting = () => {
      draws++
      return 0.25
    }
    const m = createLatencyModel(spec, counting)
    expect([m.isZero, m.usesKeyStores]).toEqual([false, true])
    expect(m.sample('Encrypt', { keyStores: ['EXTERNAL_KEY_STORE', 'AWS_CLOUDHSM'] })).toBe(125)
    expect(draws).toBe(4) // 2 for the default, 2 for the one store with a term
    expect(parseLatencySpec({ customKeyStore: {} }).customKeyStore).toEqual({})
    expect(() => parseLatencySpec({ customKeyStore: { HSM: { type: 'none' } } })).toThrow(/customKeyStore/)
  })
})
