import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/results/index.ts'
import { loadFixture } from './fixtures/load.ts'
import { escapeXml, renderJunitXml } from './junit.ts'

describe('renderJunitXml', () => {
  const s3 = loadFixture('s3-throttling.summary.json')

  it('has one test case per threshold and per variant, and a failure for each threshold that failed or variant that lost requests', () => {
    const xml = renderJunitXml(s3)
    // 3 thresholds (1 failed) + 5 variants (the baseline lost requests to throttling, the adaptive
    // client to its deadline).
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kms-bench" tests="8" failures="3" errors="0" time="30.000">',
      ),
    ).toBe(true)
    expect(xml).toContain(
      '<testsuite name="kms-bench s3-sse-kms-uploads" tests="8" failures="3" errors="0" skipped="0" time="30.000" hostname="embedded">',
    )
    // A virtual run has no real start time: no timestamp that CI would show as one.
    expect(s3.clock).toBe('virtual')
    expect(xml).not.toContain('timestamp=')
    const real = renderJunitXml({ ...s3, clock: 'real', startedAt: '2026-03-04T05:06:07.890Z' })
    expect(real).toContain(' timestamp="2026-03-04T05:06:07" ')
    expect(xml.match(/<testcase /g)).toHaveLength(8)
    expect(xml).toContain(
      '<testcase classname="kms-bench s3-sse-kms-uploads.bucket-keys" name="served every request" time="0"/>',
    )
    expect(xml).toContain(
      '<failure message="baseline: lost 69,050 of 370,000 requests (18.7%): 69,050 throttled (ThrottlingException)" type="lost-service">',
    )
    expect(xml).toContain(
      '<failure message="retry-adaptive: lost 87,640 of 370,000 requests (23.7%): 87,640 timed out at the deadline" type="lost-service">',
    )
    expect(xml).toContain(
      '<testcase classname="kms-bench s3-sse-kms-uploads.bucket-keys" name="throttleRate == 0" time="0"/>',
    )
    expect(xml).toContain(
      '<testcase classname="kms-bench s3-sse-kms-uploads.baseline" name="throttleRate &lt; 0.01" time="0">',
    )
    expect(xml).toMatch(
      /<failure message="throttleRate &lt; 0\.01 failed for variant baseline: actual 0\.186622" type="threshold">/,
    )
    expect(xml).toContain('<property name="seed" value="42"/>')
    expect(xml.trim().endsWith('</testsuites>')).toBe(true)
  })

  it('has only the service cases when the run had no thresholds', () => {
    const none: RunSummary = { ...s3, thresholds: [] }
    const xml = renderJunitXml(none)
    expect(xml).toContain('tests="5" failures="2" errors="0"')
    expect(xml).not.toContain('type="threshold"')
  })

  it('reports an interrupted run as an error, never as an empty pass', () => {
    const cut: RunSummary = {
      ...structuredClone(s3),
      complete: false,
      thresholds: [],
      variants: [{ ...structuredClone(s3.variants[1]!), ranSeconds: 7 }],
    }
    const xml = renderJunitXml(cut)
    expect(xml).toContain('tests="2" failures="0" errors="1"')
    expect(xml).toMatch(
      /<error message="the run did not complete \(interrupted or failed part-way\): it covers at most 7 s of 30 s/,
    )
    expect(xml).toContain('s and 1 variant; its figures are partial')
    // The suite took the 7 s that ran, not the 30 s it was scheduled for.
    expect(xml).toMatch(/<testsuites [^>]*time="7\.000"/)
    expect(xml).toMatch(/<testsuite [^>]*time="7\.000"/)
  })

  it('escapes markup and drops characters XML forbids', () => {
    expect(escapeXml('a<b>&"\'\u0001\u0008c')).toBe('a&lt;b&gt;&amp;&quot;&apos;c')
    const odd: RunSummary = structuredClone(s3)
    odd.thresholds[0]!.variant = '"><x y="\u0000'
    expect(renderJunitXml(odd)).toContain('classname="kms-bench s3-sse-kms-uploads.&quot;&gt;&lt;x y=&quot;"')
  })
})
