import { describe, expect, it } from 'vitest'
import type { VariantSummary } from '../load/results/index.ts'
import { loadFixture } from './fixtures/load.ts'
import { describeExposure, pickBaseline, rankVariants, RANKING_METHOD, tierOf } from './rank.ts'

const s3 = loadFixture('s3-throttling.summary.json')
const variant = (name: string): VariantSummary => {
  const v = s3.variants.find((x) => x.name === name)
  if (v === undefined) throw new Error(name)
  return v
}

function patched(v: VariantSummary, name: string, patch: (v: VariantSummary) => void): VariantSummary {
  const copy = structuredClone(v)
  copy.name = name
  patch(copy)
  return copy
}

describe('rankVariants', () => {
  const ranking = rankVariants(s3.variants)

  it('compares against the baseline and ranks: no throttling first, then by monthly cost', () => {
    expect(ranking.baseline.name).toBe('baseline')
    // Bucket keys remove S3's calls (the PUTs' GenerateDataKey and GETs' Decrypt: 185,730 KMS calls
    // left), the client-side cache only the envelope encryptions' GenerateDataKey (each stored
    // message has its own data key, so its Decrypts stay: 223,060 calls): $48,811 < $58,621 a month.
    expect(ranking.ranked.map((r) => r.variant.name)).toEqual([
      'bucket-keys',
      'esdk-cache',
      'quota-increase',
      'retry-adaptive',
    ])
    expect(ranking.ranked.map((r) => r.rank)).toEqual([1, 2, 3, 4])
    // The adaptive client's limiter holds requests until 87,640 of 370,000 reach their deadline.
    expect(ranking.ranked.map((r) => r.tier)).toEqual(['clean', 'clean', 'clean', 'throttles'])
    expect(ranking.method).toBe(RANKING_METHOD)
  })

  it('gives the reason for each rank', () => {
    const [first, second, third, fourth] = ranking.ranked
    expect(first?.reason).toMatch(
      /^removes all throttling and serves every request, at the lowest monthly cost among the 3 variants that do; \$48,811\/month at full service \(−49\.8% vs baseline\)/,
    )
    // 58,621.108 − 48,810.784 = $9,810.32 a month.
    expect(second?.reason).toMatch(
      /^removes all throttling and serves every request, but costs \$9,810\/month more than bucket-keys/,
    )
    // A result with asRun states its counts and quota overrides at full size already.
    expect(third?.reason).toContain('needs a quota increase (symmetric 20,000/s) through Service Quotas')
    // At equal service a quota increase costs what the baseline would if it served everyone:
    // 1 + 79,089.6 × 370,000 / 300,950 = $97,236.93 against its own $97,236.94.
    expect(third?.reason).toContain('$97,237/month at full service (+<0.01% vs baseline)')
    // 87,640 / 370,000 = 23.69% lost; 1 + 74,261.964 × 370,000 / 282,360 = $97,313 (+0.08%).
    expect(fourth?.reason).toMatch(
      /^still loses 23\.7% of requests \(87,640 timed out at the deadline\); \$97,313\/month at full service \(\+0\.08% vs baseline; billed \$74,263\/month\)/,
    )
    for (const r of ranking.ranked)
      expect(r.reason).toMatch(
        /KMS calls? per request \(baseline: 1\.25\); p99 of succeeded requests .+ \(baseline: 2,150 ms\)/,
      )
    const lossy = patched(variant('baseline'), 'lossy', (v) => {
      v.completed.dropped = 50
      v.completed.errors = { ...v.completed.errors, Dropped: 50 }
    })
    const lossyReason = rankVariants([variant('baseline'), lossy]).ranked[0]?.reason
    // (69,050 + 50) / 370,000 = 18.68%; the cost at full service is the baseline's.
    expect(lossyReason).toMatch(
      /^still loses 18\.7% of requests \(69,050 throttled \(ThrottlingException\), 50 dropped \(not sent\)\); \$97,237\/month at full service \(billed \$79,091\/month\)/,
    )
  })

  it('states the exposure trade-off of caching and bucket keys', () => {
    expect(ranking.ranked[0]?.exposure).toContain('one data key protects up to 14,738 messages for up to 30 s')
    expect(ranking.ranked[0]?.exposure).toContain('stop matching')
    // 8 hosts × the cache's 100 entries (filled by the Decrypts' own data keys).
    expect(ranking.ranked[1]?.exposure).toContain(
      'one data key protects up to 368 messages for up to 5 s; 800 plaintext data keys held in memory at peak',
    )
    expect(describeExposure(variant('baseline'))).toBe('')
  })

  it('puts variants whose retries absorb throttling between clean and throttling ones', () => {
    const absorbed = patched(variant('quota-increase'), 'retries-absorb', (v) => {
      v.kms.throttled = 500
      v.retries = 500
      v.costUsd.monthly.total = 0.5 // cheaper than anything: cost must not outrank throttling
    })
    const lossy = patched(variant('baseline'), 'lossy', () => undefined)
    const r = rankVariants([variant('baseline'), absorbed, lossy, variant('esdk-cache')])
    expect(r.ranked.map((x) => [x.variant.name, x.tier])).toEqual([
      ['esdk-cache', 'clean'],
      ['retries-absorb', 'absorbed'],
      ['lossy', 'throttles'],
    ])
    expect(r.ranked[1]?.reason).toMatch(/^every request completed, but 500 KMS calls were throttled and retried/)
    expect(r.ranked[0]?.reason).toMatch(/the only variant that does/)
  })

  it('orders throttling variants by the share of requests lost, then breaks cost ties by p99 and exposure', () => {
    const lossy = patched(variant('baseline'), 'lossy', () => undefined)
    const worse = patched(variant('baseline'), 'worse', (v) => {
      v.completed.dropped += 5_000
    })
    expect(rankVariants([variant('baseline'), worse, lossy]).ranked.map((x) => x.variant.name)).toEqual([
      'lossy',
      'worse',
    ])
    const a = patched(variant('esdk-cache'), 'a', (v) => {
      v.costUsd.monthly = { requests: 10, keys: 0, total: 10 }
      v.outcomes.succeeded.latencyMs.p99 = 5
    })
    const b = patched(variant('esdk-cache'), 'b', (v) => {
      v.costUsd.monthly = { requests: 10, keys: 0, total: 10 }
      v.outcomes.succeeded.latencyMs.p99 = 1
    })
    const c = patched(variant('esdk-cache'), 'c', (v) => {
      v.costUsd.monthly = { requests: 10, keys: 0, total: 10 }
      v.outcomes.succeeded.latencyMs.p99 = 1
      v.exposure.maxMessagesPerDataKey = 10
    })
    expect(rankVariants([variant('baseline'), a, b, c]).ranked.map((x) => x.variant.name)).toEqual(['c', 'b', 'a'])
  })

  it('words it differently when the baseline does not throttle either', () => {
    const calm = rankVariants(
      [variant('quota-increase'), variant('esdk-cache')].map((v, i) =>
        patched(v, i === 0 ? 'baseline' : 'cache', () => undefined),
      ),
    )
    expect(calm.ranked[0]?.reason).toMatch(/^does not throttle \(nor does baseline\)/)
  })

  it('says "1 KMS call per request", singular, when a variant makes exactly one', () => {
    const one = patched(variant('quota-increase'), 'one-call', (v) => {
      v.kms.callsPerRequest = 1
    })
    const reason = rankVariants([variant('baseline'), one]).ranked[0]?.reason
    expect(reason).toContain('; 1 KMS call per request (baseline: 1.25)')
  })

  it('ranks nothing when only one variant ran', () => {
    const r = rankVariants([variant('baseline')])
    expect(r.baseline.name).toBe('baseline')
    expect(r.ranked).toEqual([])
  })
})

describe('pickBaseline and tierOf', () => {
  it('picks a variant named baseline, else the first without mitigations or overrides, else the first', () => {
    const a = patched(variant('esdk-cache'), 'a', () => undefined)
    const plain = patched(variant('baseline'), 'plain', () => undefined)
    expect(pickBaseline([a, plain]).name).toBe('plain')
    expect(pickBaseline([a, patched(variant('bucket-keys'), 'b', () => undefined)]).name).toBe('a')
    expect(pickBaseline([a, plain, patched(variant('esdk-cache'), 'Baseline', () => undefined)]).name).toBe('Baseline')
    expect(() => pickBaseline([])).toThrow(RangeError)
  })

  it('classifies by throttled calls and lost requests', () => {
    expect(tierOf(variant('baseline'))).toBe('throttles')
    expect(tierOf(variant('bucket-keys'))).toBe('clean')
    // 2,300 throttled KMS calls and 87,640 requests lost at their deadline.
    expect(tierOf(variant('retry-adaptive'))).toBe('throttles')
  })

  it('states the quota increase to request at full size when a scale model ran', () => {
    const r = rankVariants(s3.variants, { scale: 0.1 })
    const q = r.ranked.find((x) => x.variant.name === 'quota-increase')
    expect(q?.reason).toContain('needs a quota increase (symmetric 20,000/s at full size) through Service Quotas')
  })
})
