import { describe, expect, it } from 'vitest'
import { loadFixture } from '../../report/fixtures/load.ts'
import { defineScenario, ScenarioError } from '../scenario/index.ts'
import {
  evaluateThresholds,
  parseCompareRule,
  parseThreshold,
  parseThresholdNumber,
  resolveMetric,
  scenarioThresholds,
  ThresholdError,
} from './thresholds.ts'

const summary = loadFixture('s3-throttling.summary.json')
const byName = (n: string): (typeof summary.variants)[number] =>
  summary.variants.find((v) => v.name === n) as (typeof summary.variants)[number]
const ctx = { durationSeconds: summary.durationSeconds }

describe('threshold grammar', () => {
  it('parses METRIC OP NUMBER with every operator', () => {
    for (const op of ['<', '<=', '>', '>=', '==', '!='] as const) {
      const t = parseThreshold(`latencyMs.p99 ${op} 50`)
      expect(t).toMatchObject({ operator: op, value: 50, expression: `latencyMs.p99 ${op} 50` })
      expect(t.variant).toBeUndefined()
    }
    expect(parseThreshold('throttleRate<0.001')).toMatchObject({ operator: '<', value: 0.001 })
  })

  it('takes a variant prefix', () => {
    const t = parseThreshold('cached: throttleRate == 0')
    expect(t.variant).toBe('cached')
    expect(t.expression).toBe('throttleRate == 0')
    expect(parseThreshold('v1.2-x:kms.calls<=5').variant).toBe('v1.2-x')
  })

  it('reads numbers, underscores, exponents and percentages', () => {
    expect(parseThresholdNumber('0.001')).toBe(0.001)
    expect(parseThresholdNumber('1e-3')).toBe(0.001)
    expect(parseThresholdNumber('10_000')).toBe(10_000)
    expect(parseThresholdNumber('-5')).toBe(-5)
    expect(parseThresholdNumber('.5')).toBe(0.5)
    expect(parseThresholdNumber('0.1%')).toBeCloseTo(0.001, 15)
    expect(parseThresholdNumber('ten')).toBeUndefined()
    expect(parseThresholdNumber('1x')).toBeUndefined()
  })

  it.each([
    ['throtleRate < 0.001', /unknown metric 'throtleRate' \(did you mean throttleRate\?\)/],
    ['latencyMs.p99 = 50', /'=' is not an operator \(did you mean '=='\?\)/],
    ['latencyMs.p99 50', /is not METRIC OP NUMBER/],
    ['latencyMs.p99 < fast', /'fast' is not a number/],
    ['kms.byOperation.Encrpyt.calls < 5', /'Encrpyt' is not a KMS operation \(did you mean Encrypt\?\)/],
    ['kms.byOperation.Encrypt.bytes < 5', /kms\.byOperation\.Encrypt has calls, throttled, failed/],
    ['quota[symmetric].speed < 5', /a quota pool has limit, accepted/],
    ['', /empty threshold/],
  ])('rejects %j, naming the problem', (text, message) => {
    expect(() => parseThreshold(text)).toThrow(ThresholdError)
    expect(() => parseThreshold(text)).toThrow(message)
  })

  it('resolves summary paths, per-operation counters, quota pools and derived figures', () => {
    const base = byName('baseline')
    expect(resolveMetric('kms.callsPerRequest').read(base, ctx)).toBe(base.kms.callsPerRequest)
    expect(resolveMetric('costUsd.monthly.total').read(base, ctx)).toBe(base.costUsd.monthly.total)
    expect(resolveMetric('completed.failed').read(base, ctx)).toBe(base.completed.failed)
    expect(resolveMetric('throughput').read(base, ctx)).toBeCloseTo(
      base.completed.succeeded / summary.durationSeconds,
      9,
    )
    const ops = Object.entries(base.kms.byOperation)
    const [op, c] = ops[0] as [string, { calls: number }]
    expect(resolveMetric(`kms.byOperation.${op}.calls`).read(base, ctx)).toBe(c.calls)
    // An operation never called reads as 0.
    expect(resolveMetric('kms.byOperation.Sign.calls').read(base, ctx)).toBe(0)
    const pool = base.quota[0]
    if (pool !== undefined) {
      expect(resolveMetric(`quota[${pool.pool}].utilization`).read(base, ctx)).toBe(pool.utilization)
      expect(resolveMetric('quota.maxUtilization').read(base, ctx)).toBe(
        Math.max(...base.quota.map((q) => q.utilization)),
      )
    }
    expect(resolveMetric('quota[no-such-pool].throttled').read(base, ctx)).toBe(0)
    // DynamoDB figures read as 0 without a mitigation that makes DynamoDB requests, else the field's.
    expect(resolveMetric('dynamodb.costUsd.monthly').read(base, ctx)).toBe(0)
    const withDynamodb = {
      ...base,
      dynamodb: {
        getItem: 40,
        transactWriteItems: 1,
        readUnits: 40,
        writeUnits: 6,
        costUsd: { total: 8.75e-6, monthly: 0.219 },
      },
    }
    expect(resolveMetric('dynamodb.costUsd.monthly').read(withDynamodb, ctx)).toBe(0.219)
    expect(resolveMetric('dynamodb.getItem').read(withDynamodb, ctx)).toBe(40)
  })
})

describe('evaluateThresholds', () => {
  it('gives one result per variant without a prefix, one with', () => {
    const results = evaluateThresholds(summary, [
      parseThreshold('throttleRate < 0.001'),
      parseThreshold('esdk-cache: kms.callsPerRequest <= 0.02'),
    ])
    expect(results).toHaveLength(summary.variants.length + 1)
    for (const v of summary.variants) {
      const r = results.find((x) => x.variant === v.name && x.expression === 'throttleRate < 0.001')
      expect(r).toEqual({
        expression: 'throttleRate < 0.001',
        variant: v.name,
        actual: v.throttleRate,
        passed: v.throttleRate < 0.001,
      })
    }
    const cache = results.at(-1)
    expect(cache).toEqual({
      expression: 'kms.callsPerRequest <= 0.02',
      variant: 'esdk-cache',
      actual: byName('esdk-cache').kms.callsPerRequest,
      passed: byName('esdk-cache').kms.callsPerRequest <= 0.02,
    })
    // The fixture's baseline throttles: the gate must see it.
    expect(byName('baseline').throttleRate).toBeGreaterThan(0.001)
    expect(results.find((r) => r.variant === 'baseline')?.passed).toBe(false)
  })

  it('refuses a variant the run does not include', () => {
    expect(() => evaluateThresholds(summary, [parseThreshold('cached: throttleRate == 0')])).toThrow(
      /names variant 'cached', which this run does not include/,
    )
  })
})

describe('scenario thresholds', () => {
  const base = {
    name: 'gates',
    keys: [{ name: 'k' }],
    arrivals: { shape: 'constant' as const, rate: 10 },
    requests: [{ kind: 'encrypt' as const, key: 'k' }],
  }

  it('accepts scenario-level and variant-level thresholds, and binds the latter to their variant', () => {
    const s = defineScenario({
      ...base,
      thresholds: ['throttleRate < 0.01', 'cached: kms.callsPerRequest <= 0.5'],
      variants: [{ name: 'baseline' }, { name: 'cached', thresholds: ['latencyMs.p99 < 50'] }],
    })
    const ts = scenarioThresholds(s)
    expect(ts.map((t) => [t.variant, t.expression])).toEqual([
      [undefined, 'throttleRate < 0.01'],
      ['cached', 'kms.callsPerRequest <= 0.5'],
      ['cached', 'latencyMs.p99 < 50'],
    ])
  })

  it('lists every bad threshold with its path', () => {
    let err: unknown
    try {
      defineScenario({
        ...base,
        thresholds: ['throtleRate < 1', 'nope: throttleRate < 1'],
        variants: [{ name: 'baseline', thresholds: ['other: kms.calls < 5'] }],
      })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ScenarioError)
    const problems = (err as ScenarioError).problems.join('\n')
    expect(problems).toMatch(/thresholds\.0: .*unknown metric 'throtleRate'/)
    expect(problems).toMatch(/thresholds\.1: names variant 'nope', which is not declared/)
    expect(problems).toMatch(/variants\.0\.thresholds\.0: names variant 'other' inside variant 'baseline'/)
  })
})

describe('compare rules', () => {
  it('parses relative rises, drops, amounts and both', () => {
    expect(parseCompareRule('latencyMs.p99 +10%')).toMatchObject({
      kind: 'relative',
      bound: { direction: 'rise', fraction: 0.1 },
    })
    expect(parseCompareRule('throughput -5%')).toMatchObject({
      kind: 'relative',
      bound: { direction: 'drop', fraction: 0.05 },
    })
    expect(parseCompareRule('latencyMs.p99 +1')).toMatchObject({
      kind: 'relative',
      bound: { direction: 'rise', amount: 1 },
    })
    expect(parseCompareRule('cached: latencyMs.p99 +10% +1')).toMatchObject({
      kind: 'relative',
      variant: 'cached',
      bound: { direction: 'rise', fraction: 0.1, amount: 1 },
    })
    expect(parseCompareRule('kms.callsPerRequest +0%')).toMatchObject({ bound: { direction: 'rise', fraction: 0 } })
  })

  it('keeps the absolute form', () => {
    const r = parseCompareRule('throttleRate < 0.001')
    expect(r.kind).toBe('absolute')
    if (r.kind === 'absolute') expect(r.threshold.test(0.0005)).toBe(true)
  })

  it.each([
    ['latencyMs.p99 +10% -1', /same sign/],
    ['latencyMs.p99 +10% +20%', /two relative bounds/],
    ['latencyMs.p99 +abc', /'\+abc' is not a bound/],
    ['latencyMz.p99 +10%', /unknown metric 'latencyMz\.p99'/],
  ])('rejects %j', (text, message) => {
    expect(() => parseCompareRule(text)).toThrow(message)
  })
})
