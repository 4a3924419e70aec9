import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/summary.ts'
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
      /^\*\*baseline: lost 139,501 of 737,500 requests \(18\.9%\): 139,501 throttled \(ThrottlingException\); 258,857 KMS calls throttled \(119,356 retries\); peak 16,500\/s on the symmetric pool against a limit of 10,000\/s \(165% utilisation, throttled in 51 s\)\.\*\*/,
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
    expect(md).toContain('| Throttled requests | 139,501 (18.9%) | 0 | 0 | 0 | 4,597 (0.62%) |')
    expect(md).toContain('| Cost per month | $77,502 | $1.98 | $38.26 | $95,581 | $76,410 |')
    // Billed cost favours the lossy variants; at full service the quota increase costs what the baseline would.
    expect(md).toContain('| Cost per month at full service | $95,581 | $1.98 | $38.26 | $95,581 | $95,581 |')
    expect(md).toContain(
      '| Causes | 139,501 throttled (ThrottlingException) | none | none | none | 143,325 dropped (not sent); 4,597 throttled (ThrottlingException) |',
    )
    expect(md).toContain('730-hour month')
    expect(md).not.toContain('30 days')
  })

  it('ranks the mitigations with reasons and says how it ranks', () => {
    expect(md).toContain('## Mitigations, ranked')
    expect(md).toContain('Ranked by (1) lost service')
    expect(md).toMatch(/^1\. \*\*bucket-keys\*\*: removes all throttling/m)
    expect(md).toMatch(/^4\. \*\*retry-adaptive\*\*: still loses 20\.1% of requests/m)
  })

  it('lists quota pools, operations, thresholds and assumptions', () => {
    expect(md).toContain(
      '| Variant | Pool | Limit | Peak | Utilisation | Throttled seconds | Accepted calls | Throttled calls |',
    )
    expect(md).toContain('| baseline | symmetric | 10,000/s | 16,500/s | 165% | 51 |')
    expect(md).toContain('| bucket-keys | GenerateDataKey | 4 | 0 | 0 |')
    expect(md).toContain('| FAIL | baseline | throttleRate \\< 0.01 |')
    expect(md).toContain(
      '- S3 Bucket Key lifetime modelled as 300 s per (bucket, KMS key, requester); AWS documents it only as "short-lived". (bucket-keys / s3-bucket-keys)',
    )
  })

  it('says when a scale model ran and when the run was incomplete', () => {
    const single = renderMarkdown(loadFixture('single-variant.summary.json'))
    expect(single).toMatch(/> \*\*Note:\*\* This run did not complete/)
    expect(single).toMatch(/> \*\*Note:\*\* Scale model: this run ran at 0\.01× full size/)
    expect(single).toContain('Only one variant (baseline) ran: nothing to rank.')
    expect(md).not.toContain('Scale model')
    expect(md).not.toContain('This run did not complete')
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
    expect(md).not.toContain('## Findings')
    const withFindings = structuredClone(s3)
    const variant = withFindings.variants.find((v) => v.mitigations.length > 0)
    const mitigation = variant?.mitigations[0]
    if (variant === undefined || mitigation === undefined) throw new Error('fixture has no variant with a mitigation')
    mitigation.findings = ['a quota of at least 16,500/s removes the throttling']
    const out = renderMarkdown(withFindings)
    expect(out).toContain('## Findings')
    expect(out).toContain(
      `- **${variant.name} / ${mitigation.name}**: a quota of at least 16,500/s removes the throttling`,
    )
  })
})
