/**
 * The verdicts of issue 12's findings, on summaries shaped like the runs that showed them:
 * every non-success is lost service, named by cause; nothing is called throttling that was
 * not; costs compare at equal service; partial runs are not ranked over different windows.
 */
import { describe, expect, it } from 'vitest'
import type { RunSummary, VariantSummary } from '../load/results/index.ts'
import { verdict, notices } from './facts.ts'
import { loadFixture } from './fixtures/load.ts'
import { renderHtml } from './html.ts'
import { renderJunitXml } from './junit.ts'
import { renderMarkdown } from './markdown.ts'
import { rankVariants, tierOf } from './rank.ts'
import { costAtFullService, lossCauses, lossSentence, lostRequests, timeToFailure } from './service.ts'

const s3 = loadFixture('s3-throttling.summary.json')
const base = s3.variants.find((v) => v.name === 'bucket-keys') as VariantSummary

/** A clean variant (no throttling, nothing lost) with these counts patched in. */
function variant(name: string, patch: (v: VariantSummary) => void = () => undefined): VariantSummary {
  const v = structuredClone(base)
  v.name = name
  v.mitigations = []
  v.quotaOverrides = {}
  patch(v)
  return v
}

function failing(v: VariantSummary, failed: number, code: string): void {
  v.completed.failed = failed
  v.completed.succeeded = v.offered.requests - failed
  v.completed.errors = { [code]: failed }
}

function run(variants: VariantSummary[], patch: Partial<RunSummary> = {}): RunSummary {
  return { ...structuredClone(s3), thresholds: [], variants, ...patch }
}

describe('lost service', () => {
  it('counts every non-success and names the causes by AWS code, biggest first', () => {
    const v = variant('v', (x) => {
      x.offered.requests = 800
      x.completed = {
        succeeded: 700,
        throttled: 5,
        failed: 59,
        timedOut: 30,
        dropped: 6,
        errors: { InvalidCiphertextException: 59, ThrottlingException: 5, TimedOut: 30, Dropped: 6 },
      }
    })
    expect(lostRequests(v)).toBe(100)
    expect(lossCauses(v)).toEqual([
      '59 failed: InvalidCiphertextException',
      '30 timed out at the deadline',
      '6 dropped (not sent)',
      '5 throttled (ThrottlingException)',
    ])
    expect(lossSentence(v)).toBe(
      'lost 100 of 800 requests (12.5%): 59 failed: InvalidCiphertextException, 30 timed out at the deadline, 6 dropped (not sent), 5 throttled (ThrottlingException)',
    )
  })

  it('gives failures their own time to failure', () => {
    const v = variant('v', (x) => {
      x.outcomes.failed.latencyMs = { p50: 12, p90: 20, p99: 40, p999: 41, max: 42, mean: 15, count: 10 }
      x.outcomes.timedOut = {
        latencyMs: { p50: 10_000, p90: 10_000, p99: 10_000, p999: 10_000, max: 10_000, mean: 10_000, count: 3 },
        histogram: '',
      }
    })
    expect(timeToFailure(v)).toBe('failed p50 12 ms, p99 40 ms, max 42 ms; timed out after 10,000 ms')
    expect(timeToFailure(base)).toBe('')
  })
})

describe('finding 3: an endpoint run that fails without throttling', () => {
  // 800 requests, 59 InvalidCiphertextException, no throttled call anywhere; the quota variant's
  // override was not applied to the endpoint, so it has none recorded.
  const baseline = variant('baseline', (x) => {
    x.offered.requests = 800
    failing(x, 59, 'InvalidCiphertextException')
  })
  const quota = variant('quota-20k', (x) => {
    x.offered.requests = 800
    failing(x, 61, 'InvalidCiphertextException')
  })
  const summary = run([baseline, quota], { target: 'http://127.0.0.1:4599', clock: 'real', scale: 0.01 })

  it('names the failure cause and never claims throttling', () => {
    const lines = verdict(summary, rankVariants(summary.variants))
    expect(lines[0]).toMatch(/^baseline: lost 59 of 800 requests \(7\.38%\): 59 failed: InvalidCiphertextException;/)
    expect(lines[1]).toMatch(/^No variant served every request, and none was throttled/)
    expect(lines.join(' ')).not.toContain('No variant removed the throttling')
    expect(lines.join(' ')).not.toContain('quota increase')
  })

  it('badges the variant as losing requests, not as throttling', () => {
    expect(tierOf(quota)).toBe('fails')
    const html = renderHtml(summary)
    expect(html).toContain('<span class="tier tier-fails">loses requests</span><strong>quota-20k</strong>')
    expect(html).not.toContain('still throttles')
  })

  it("says the endpoint's quotas are its own when --scale ran against it", () => {
    const n = notices(summary).join(' ')
    expect(n).toContain("the endpoint's quotas are its own")
    expect(n).not.toContain('quota limits multiplied')
  })
})

describe('finding 4: dropped requests', () => {
  it('are lost service in the headline', () => {
    const v = variant('baseline', (x) => {
      x.offered.requests = 25_000
      x.completed = {
        succeeded: 517,
        throttled: 35,
        failed: 0,
        timedOut: 0,
        dropped: 24_448,
        errors: { ThrottlingException: 35, Dropped: 24_448 },
      }
      x.kms.throttled = 40
    })
    const line = verdict(run([v]), rankVariants([v]))[0]
    expect(line).toMatch(
      /^baseline: lost 24,483 of 25,000 requests \(97\.9%\): 24,448 dropped \(not sent\), 35 throttled \(ThrottlingException\)/,
    )
  })
})

describe('finding 5: cost at equal service', () => {
  it('prices every offered request at the cost per succeeded request', () => {
    // Billed $75 of requests + $1 of keys for 750 of 1,000 requests: $100 + $1 at full service.
    const v = variant('v', (x) => {
      x.offered.requests = 1000
      x.completed = { succeeded: 750, throttled: 250, failed: 0, timedOut: 0, dropped: 0, errors: {} }
      x.costUsd.monthly = { requests: 75, keys: 1, total: 76 }
    })
    expect(costAtFullService(v)).toBe(101)
  })
})

describe('finding 7: a partial run', () => {
  it('does not rank a variant over a shorter window than the baseline, and says so', () => {
    const full = variant('baseline', (x) => {
      x.completed.throttled = 10
      x.completed.succeeded -= 10
    })
    const cut = variant('quota-15k', (x) => {
      x.ranSeconds = 52
    })
    const summary = run([full, cut], { complete: false, durationSeconds: 240 })
    const ranking = rankVariants(summary.variants, { durationSeconds: 240 })
    expect(ranking.ranked).toEqual([])
    expect(ranking.unranked.map((u) => u.variant.name)).toEqual(['quota-15k'])
    const md = renderMarkdown(summary)
    expect(md).not.toContain('Best: quota-15k')
    expect(md).toContain('quota-15k not ranked: it ran 52 s of the schedule and baseline ran 4 min')
    expect(renderJunitXml(summary)).toContain('errors="1"')
  })
})

describe('finding 2: latency', () => {
  it("flags the 'none' latency model of a virtual run", () => {
    expect(notices(run([base], { latencyModel: 'none' })).join(' ')).toContain("Latency model 'none'")
    expect(notices(run([base], { latencyModel: 'aws' })).join(' ')).not.toContain("Latency model 'none'")
  })

  it('never ranks a variant that fails requests above one that serves them, however fast its failures are', () => {
    const fast = variant('no-retries', (x) => {
      failing(x, 68, 'ThrottlingException')
      x.completed.throttled = 68
      x.completed.failed = 0
      x.kms.throttled = 68
      x.outcomes.succeeded.latencyMs.p99 = 0
    })
    const slow = variant('standard', (x) => {
      x.outcomes.succeeded.latencyMs.p99 = 900
    })
    const r = rankVariants([variant('baseline'), fast, slow])
    expect(r.ranked.map((x) => x.variant.name)).toEqual(['standard', 'no-retries'])
  })
})
