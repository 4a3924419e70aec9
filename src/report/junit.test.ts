import { describe, expect, it } from 'vitest'
import type { RunSummary } from '../load/summary.ts'
import { loadFixture } from './fixtures/load.ts'
import { escapeXml, renderJunitXml } from './junit.ts'

describe('renderJunitXml', () => {
  const s3 = loadFixture('s3-throttling.summary.json')

  it('has one test case per threshold and a failure for each that failed', () => {
    const xml = renderJunitXml(s3)
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="kms-bench" tests="3" failures="1" errors="0" time="60.000">',
      ),
    ).toBe(true)
    expect(xml).toContain(
      '<testsuite name="kms-bench s3-sse-kms-uploads" tests="3" failures="1" errors="0" skipped="0" time="60.000" timestamp="2025-01-01T00:00:00"',
    )
    expect(xml.match(/<testcase /g)).toHaveLength(3)
    expect(xml).toContain(
      '<testcase classname="kms-bench s3-sse-kms-uploads.bucket-keys" name="throttleRate == 0" time="0"/>',
    )
    expect(xml).toContain(
      '<testcase classname="kms-bench s3-sse-kms-uploads.baseline" name="throttleRate &lt; 0.01" time="0">',
    )
    expect(xml).toMatch(
      /<failure message="throttleRate &lt; 0\.01 failed for variant baseline: actual 0\.18915\d*" type="threshold">/,
    )
    expect(xml).toContain('<property name="seed" value="42"/>')
    expect(xml.trim().endsWith('</testsuites>')).toBe(true)
  })

  it('is an empty suite when the run had no thresholds', () => {
    const none: RunSummary = { ...s3, thresholds: [] }
    const xml = renderJunitXml(none)
    expect(xml).toContain('tests="0" failures="0"')
    expect(xml).not.toContain('<testcase')
  })

  it('escapes markup and drops characters XML forbids', () => {
    expect(escapeXml('a<b>&"\'\u0001\u0008c')).toBe('a&lt;b&gt;&amp;&quot;&apos;c')
    const odd: RunSummary = structuredClone(s3)
    odd.thresholds[0]!.variant = '"><x y="\u0000'
    expect(renderJunitXml(odd)).toContain('classname="kms-bench s3-sse-kms-uploads.&quot;&gt;&lt;x y=&quot;"')
  })
})
