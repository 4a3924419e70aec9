/**
 * `junit.xml`: the run's thresholds (gates) as JUnit XML, the test-report format CI systems
 * (GitHub Actions reporters, GitLab, Jenkins, Buildkite) display. Follows the Ant JUnit schema
 * most of them read: `testsuites` > `testsuite` (tests, failures, errors, skipped, time,
 * timestamp) > `testcase` (classname, name, time) > optional `failure` (message, type, text).
 */
import type { RunSummary } from '../load/summary.ts'
import { fmtNum } from './format.ts'

/** Escapes text for XML content and attribute values, dropping characters XML 1.0 forbids. */
export function escapeXml(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '')
    .replace(/[&<>"']/g, (c) =>
      c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
    )
}

/** ISO timestamp without zone or fraction, as the Ant schema's `timestamp` pattern wants. */
function antTimestamp(iso: string): string | undefined {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/.exec(iso)
  return m?.[1]
}

/**
 * Renders `junit.xml`: one test suite per run, one test case per threshold, a `failure` for each
 * threshold that failed. A run without thresholds gives an empty suite (`tests="0"`), so CI
 * configurations can always point at the file.
 */
export function renderJunitXml(summary: RunSummary): string {
  const tests = summary.thresholds.length
  const failures = summary.thresholds.filter((t) => !t.passed).length
  const suite = `kms-bench ${summary.scenario}`
  const ts = antTimestamp(summary.startedAt)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kms-bench" tests="${tests}" failures="${failures}" errors="0" time="${fmtTime(summary.durationSeconds)}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${tests}" failures="${failures}" errors="0" skipped="0" time="${fmtTime(summary.durationSeconds)}"${ts !== undefined ? ` timestamp="${ts}"` : ''} hostname="${escapeXml(summary.target)}">`,
    '    <properties>',
    ...[
      ['scenario', summary.scenario],
      ['target', summary.target],
      ['clock', summary.clock],
      ['seed', String(summary.seed)],
      ['region', summary.region],
      ['scale', String(summary.scale)],
      ['complete', String(summary.complete)],
    ].map(([k, v]) => `      <property name="${escapeXml(k ?? '')}" value="${escapeXml(v ?? '')}"/>`),
    '    </properties>',
  ]
  for (const t of summary.thresholds) {
    const open = `    <testcase classname="${escapeXml(`${suite}.${t.variant}`)}" name="${escapeXml(t.expression)}" time="0"`
    if (t.passed) {
      lines.push(`${open}/>`)
    } else {
      const message = `${t.expression} failed for variant ${t.variant}: actual ${fmtNum(t.actual, 6)}`
      lines.push(
        `${open}>`,
        `      <failure message="${escapeXml(message)}" type="threshold">${escapeXml(message)}</failure>`,
        '    </testcase>',
      )
    }
  }
  lines.push('  </testsuite>', '</testsuites>')
  return `${lines.join('\n')}\n`
}

function fmtTime(seconds: number): string {
  return Number.isFinite(seconds) && seconds >= 0 ? seconds.toFixed(3) : '0.000'
}
