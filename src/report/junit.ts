/**
 * `junit.xml`: the run's thresholds (gates) as JUnit XML, the test-report format CI systems
 * (GitHub Actions reporters, GitLab, Jenkins, Buildkite) display. Follows the Ant JUnit schema
 * most of them read: `testsuites` > `testsuite` (tests, failures, errors, skipped, time,
 * timestamp) > `testcase` (classname, name, time) > optional `failure` (message, type, text).
 */
import type { RunSummary } from '../load/index.ts'
import { fmtNum, plural } from './format.ts'
import { lossSentence, lostRequests } from './service.ts'

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

/** One test case: its name, class, and an optional failure or error (type, message). */
interface Case {
  readonly classname: string
  readonly name: string
  readonly failure?: { readonly type: string; readonly message: string }
  readonly error?: { readonly type: string; readonly message: string }
}

/** The cases of a run: its thresholds, one "served every request" case per variant, and an error when it did not complete. */
function casesOf(summary: RunSummary, suite: string): Case[] {
  const cases: Case[] = summary.thresholds.map((t) => ({
    classname: `${suite}.${t.variant}`,
    name: t.expression,
    ...(t.passed
      ? {}
      : {
          failure: {
            type: 'threshold',
            message: `${t.expression} failed for variant ${t.variant}: actual ${fmtNum(t.actual, 6)}`,
          },
        }),
  }))
  // Every non-success is lost service: a variant that lost requests is a failed case naming why.
  for (const v of summary.variants) {
    const lost = lostRequests(v)
    cases.push({
      classname: `${suite}.${v.name}`,
      name: 'served every request',
      ...(lost > 0 ? { failure: { type: 'lost-service', message: `${v.name}: ${lossSentence(v)}` } } : {}),
    })
  }
  if (!summary.complete) {
    const ran = ranSeconds(summary)
    cases.push({
      classname: suite,
      name: 'run completed',
      error: {
        type: 'incomplete',
        message: `the run did not complete (interrupted or failed part-way): it covers at most ${fmtNum(ran, 4)} s of ${fmtNum(summary.durationSeconds, 4)} s and ${plural(summary.variants.length, 'variant')}; its figures are partial`,
      },
    })
  }
  return cases
}

/** The longest time any variant ran (the whole duration for variants that completed). */
function ranSeconds(summary: RunSummary): number {
  return Math.max(0, ...summary.variants.map((v) => v.ranSeconds ?? summary.durationSeconds))
}

/**
 * Renders `junit.xml`: one test suite per run; one test case per threshold (a `failure` when it
 * failed); one case per variant, "served every request", failed with the causes when the
 * variant lost requests (throttled, failed, timed out, dropped); and an `error` case when the
 * run did not complete, so CI never reads a partial run as a clean one.
 */
export function renderJunitXml(summary: RunSummary): string {
  const suite = `kms-bench ${summary.scenario}`
  const cases = casesOf(summary, suite)
  const tests = cases.length
  const failures = cases.filter((c) => c.failure !== undefined).length
  const errors = cases.filter((c) => c.error !== undefined).length
  // A virtual-time run has no wall-clock start (startedAt is the virtual clock's fixed epoch):
  // CI would show that date as when the suite ran, so a virtual run's suite has no timestamp.
  const ts = summary.clock === 'virtual' ? undefined : antTimestamp(summary.startedAt)
  // An interrupted run took the time that ran, not its schedule's duration.
  const seconds = summary.complete ? summary.durationSeconds : ranSeconds(summary)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kms-bench" tests="${tests}" failures="${failures}" errors="${errors}" time="${fmtTime(seconds)}">`,
    `  <testsuite name="${escapeXml(suite)}" tests="${tests}" failures="${failures}" errors="${errors}" skipped="0" time="${fmtTime(seconds)}"${ts !== undefined ? ` timestamp="${ts}"` : ''} hostname="${escapeXml(summary.target)}">`,
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
  for (const c of cases) {
    const open = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="0"`
    const problem = c.failure ?? c.error
    if (problem === undefined) {
      lines.push(`${open}/>`)
      continue
    }
    const tag = c.failure !== undefined ? 'failure' : 'error'
    lines.push(
      `${open}>`,
      `      <${tag} message="${escapeXml(problem.message)}" type="${escapeXml(problem.type)}">${escapeXml(problem.message)}</${tag}>`,
      '    </testcase>',
    )
  }
  lines.push('  </testsuite>', '</testsuites>')
  return `${lines.join('\n')}\n`
}

function fmtTime(seconds: number): string {
  return Number.isFinite(seconds) && seconds >= 0 ? seconds.toFixed(3) : '0.000'
}
