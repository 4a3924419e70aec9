import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/results/index.ts'
import { FIXTURE_NAMES, loadFixture } from './fixtures/load.ts'
import { renderMarkdown } from './markdown.ts'

const NON_FINITE = /\bNaN\b|\bundefined\b|Infinity/

describe('renderMarkdown', () => {
  const s3 = loadFixture('s3-throttling.summary.json')
  const md = renderMarkdown(s3)

  it('leads with the verdict: what throttles and which mitigation fixes it', () => {
    const lines = md.split('\n')
    expect(lines[0]).toBe('# kms-bench: s3-sse-kms-uploads')
    const verdict = lines.find((l) => l.startsWith('**baseline:'))
    expect(verdict).toMatch(
      /^\*\*baseline: lost 69,050 of 370,000 requests \(18\.7%\): 69,050 throttled \(ThrottlingException\); 161,980 KMS calls throttled \(92,930 retries\); peak 18,360\/s on the symmetric pool against a limit of 10,000\/s \(184% utilisation, throttled in 26 s\)\.\*\*/,
    )
    expect(md).toMatch(
      /\*\*Best: bucket-keys: removes all throttling and serves every request, at the lowest monthly cost/,
    )
    expect(md).toContain('**1 of 3 thresholds failed.**')
  })

  it('has a side-by-side table with every metric the brief names, one column per variant', () => {
    const header = md.split('\n').find((l) => l.startsWith('|  | baseline'))
    expect(header).toBe('|  | baseline | bucket-keys | esdk-cache | quota-increase | retry-adaptive |')
    for (const row of [
      'Offered',
      'Achieved',
      'KMS calls',
      'KMS calls per request',
      'Throttled requests',
      'Lost requests',
      'Timed out',
      'Causes',
      'Throttled KMS calls',
      'Retries',
      'p50 (succeeded)',
      'p90 (succeeded)',
      'p99 (succeeded)',
      'p99.9 (succeeded)',
      'max (succeeded)',
      'Time to failure',
      'Cost per month',
      'Cost per month at full service',
      'Security exposure',
    ]) {
      expect(md, row).toMatch(new RegExp(`^\\| ${row.replace(/[.()]/g, '\\$&')} \\|`, 'm'))
    }
    // Full-size counts of the 0.1 scale model (what ran × 10).
    expect(md).toContain('| Throttled requests | 69,050 (18.7%) | 0 | 0 | 0 | 0 |')
    expect(md).toContain('| Timed out | 0 | 0 | 0 | 0 | 87,640 (23.7%) |')
    // 161,980 / 462,930 calls; 2,300 / 284,880.
    expect(md).toContain('| Throttled KMS calls | 161,980 (35%) | 0 | 0 | 0 | 2,300 (0.81%) |')
    expect(md).toContain('| Cost per month | $79,091 | $48,811 | $58,621 | $97,237 | $74,263 |')
    // Billed cost favours the lossy variants; at full service (monthly requests × offered ÷
    // succeeded, plus the key) the baseline costs what the quota increase does.
    expect(md).toContain('| Cost per month at full service | $97,237 | $48,811 | $58,621 | $97,237 | $97,313 |')
    expect(md).toContain(
      '| Causes | 69,050 throttled (ThrottlingException) | none | none | none | 87,640 timed out at the deadline |',
    )
    expect(md).toContain('730-hour month')
    expect(md).not.toContain('30 days')
  })

  it('ranks the mitigations with reasons and says how it ranks', () => {
    expect(md).toContain('## Mitigations, ranked')
    expect(md).toContain('Ranked by (1) lost service')
    expect(md).toMatch(/^1\. \*\*bucket-keys\*\*: removes all throttling/m)
    expect(md).toMatch(/^3\. \*\*quota-increase\*\*: .*needs a quota increase \(symmetric 20,000\/s at full size\)/m)
    expect(md).toMatch(
      /^4\. \*\*retry-adaptive\*\*: still loses 23\.7% of requests \(87,640 timed out at the deadline\)/m,
    )
  })

  it('lists quota pools, operations, thresholds and assumptions', () => {
    expect(md).toContain(
      '| Variant | Pool | Limit | Peak | Utilisation | Throttled seconds | Accepted calls | Throttled calls |',
    )
    expect(md).toContain('| baseline | symmetric | 10,000/s | 18,360/s | 184% | 26 | 300,950 | 161,980 |')
    expect(md).toContain('| bucket-keys | GenerateDataKey | 147,800 | 0 | 0 |')
    expect(md).toContain('| FAIL | baseline | throttleRate \\< 0.01 |')
    expect(md).toContain(
      '- S3 Bucket Keys: a bucket-level key is used for 300 s per (bucket, KMS key, requester) (the default: AWS publishes no lifetime, only "short-lived"); a requester\'s decrypted copy of a bucket key lasts as long. (bucket-keys / s3-bucket-keys)',
    )
  })

  it('says when a scale model ran and when the run was incomplete', () => {
    const single = renderMarkdown(loadFixture('single-variant.summary.json'))
    expect(single).toMatch(/> \*\*Note:\*\* This run did not complete/)
    expect(single).toMatch(/> \*\*Note:\*\* Scale model: this run ran at 0\.01× full size/)
    expect(single).toContain('Only one variant (baseline) ran: nothing to rank.')
    expect(md).toMatch(/> \*\*Note:\*\* Scale model: this run ran at 0\.1× full size/)
    expect(md).not.toContain('This run did not complete')
    expect(renderMarkdown({ ...s3, scale: 1 })).not.toContain('Scale model')
  })

  it('splits many variants into tables of five, and every table row has the same number of cells', () => {
    const many = renderMarkdown(loadFixture('many-variants.summary.json'))
    expect(many.match(/^\| {2}\| /gm)).toHaveLength(4)
    for (const block of many.split('\n\n').filter((b) => b.startsWith('|'))) {
      const cells = block.split('\n').map((l) => l.replace(/\\\|/g, '').split('|').length)
      expect(new Set(cells).size, block.slice(0, 80)).toBe(1)
    }
  })

  it('never prints NaN, undefined or Infinity, for every fixture', () => {
    for (const name of FIXTURE_NAMES) expect(renderMarkdown(loadFixture(name)), name).not.toMatch(NON_FINITE)
    // A run of no time at all (the engine never makes one; a hand-edited or truncated file might).
    const instant = { ...loadFixture('zero-requests.summary.json'), durationSeconds: 0 }
    expect(renderMarkdown(instant)).not.toMatch(NON_FINITE)
  })

  it('fits a GitHub step summary (1 MiB), also with 20 variants', () => {
    expect(Buffer.byteLength(renderMarkdown(loadFixture('many-variants.summary.json')))).toBeLessThan(64 * 1024)
  })

  it('escapes names that would break a table or inject HTML', () => {
    const evil: RunSummary = structuredClone(s3)
    evil.variants[1]!.name = 'a|b <script>alert(1)</script>'
    const out = renderMarkdown(evil)
    expect(out).toContain('a\\|b \\<script\\>alert(1)\\</script\\>')
    expect(out).not.toContain('<script>')
  })

  it('lists the findings mitigations report (e.g. the Service Quotas request), and omits the section when there are none', () => {
    expect(md).toContain('## Findings')
    expect(md).toContain(
      '- **quota-increase / quota-increase**: symmetric in 111122223333/eu-north-1: peak demand 14,000 calls/s (first attempts, retries excluded) against a quota of 10,000/s (full-size figures of a run scaled by 0.1)',
    )
    expect(md).toMatch(
      /^- \*\*bucket-keys \/ s3-bucket-keys\*\*: S3 Bucket Keys: 2 KMS calls for 18,429 SSE-KMS requests/m,
    )
    const none = structuredClone(s3)
    for (const v of none.variants) for (const m of v.mitigations) delete m.findings
    expect(renderMarkdown(none)).not.toContain('## Findings')
    const variant = none.variants.find((v) => v.name === 'esdk-cache')
    const mitigation = variant?.mitigations.find((m) => m.name === 'data-key-cache')
    if (variant === undefined || mitigation === undefined) throw new Error('fixture has no esdk-cache variant')
    mitigation.findings = ['a quota of at least 16,500/s removes the throttling']
    const out = renderMarkdown(none)
    expect(out).toContain('## Findings')
    expect(out).toContain('- **esdk-cache / data-key-cache**: a quota of at least 16,500/s removes the throttling')
  })
})
