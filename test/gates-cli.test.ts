/**
 * Gates end to end, in-process through `main()`: `run --threshold` and scenario thresholds
 * (exit 1 when one fails, 2 for a bad expression), and `kms-bench compare` on virtual-time
 * results (exact) and on repeated real-time runs (statistical: one deterministic regression;
 * the gate's handling of noise is unit-tested on synthetic runs in src/report/compare.test.ts).
 */
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliWorkspace } from './support/cli.ts'

const ws = cliWorkspace('gates')
const { cli, summaryIn } = ws

const adHoc = ['run', '--op', 'Encrypt', '--rate', '12000', '--duration', '3s', '--quota', 'symmetric=10000', '--quiet']

describe('run --threshold', () => {
  it('exits 0 when every threshold passes and records them in summary.json and junit.xml', async () => {
    const r = await cli([
      ...adHoc,
      '--out',
      'pass',
      '--threshold',
      'kms.callsPerRequest < 2',
      '--threshold',
      'baseline: latencyMs.p99 <= 5000',
    ])
    expect(r.code).toBe(0)
    const s = await summaryIn('pass')
    expect(s.thresholds).toEqual([
      {
        expression: 'kms.callsPerRequest < 2',
        variant: 'baseline',
        actual: s.variants[0]?.kms.callsPerRequest,
        passed: true,
      },
      { expression: 'latencyMs.p99 <= 5000', variant: 'baseline', actual: s.variants[0]?.latencyMs.p99, passed: true },
    ])
    const junit = await readFile(join(ws.dir, 'pass', 'junit.xml'), 'utf8')
    // Two thresholds, and the one variant's "served every request" case (it lost throttled requests).
    expect(junit).toContain('tests="3" failures="1"')
  })

  it('exits 1 when one fails and prints which, with the actual value', async () => {
    const r = await cli([
      ...adHoc,
      '--out',
      'fail',
      '--threshold',
      'throttleRate < 0.001',
      '--threshold',
      'kms.callsPerRequest < 2',
    ])
    expect(r.code).toBe(1)
    const s = await summaryIn('fail')
    const rate = s.variants[0]?.throttleRate as number
    expect(rate).toBeGreaterThan(0.1) // 12,000/s against 10,000/s: the gate has something real to catch
    expect(r.err).toContain('thresholds: 1 of 2 FAILED')
    expect(r.err).toContain(`FAIL baseline: throttleRate < 0.001 (actual ${Number(rate.toPrecision(6))})`)
    expect(s.thresholds.map((t) => t.passed)).toEqual([false, true])
    expect(await readFile(join(ws.dir, 'fail', 'junit.xml'), 'utf8')).toMatch(
      /<failure message="throttleRate &lt; 0\.001 failed for variant baseline/,
    )
    expect(await readFile(join(ws.dir, 'fail', 'report.md'), 'utf8')).toMatch(
      /\| FAIL \| baseline \| throttleRate &lt; 0\.001 \||\| FAIL \| baseline \| throttleRate \\< 0\.001 \|/,
    )
  })

  it.each([
    [['--threshold', 'throtleRate < 0.001'], /unknown metric 'throtleRate' \(did you mean throttleRate\?\)/],
    [['--threshold', 'throttleRate = 0'], /did you mean '=='/],
    [['--threshold', 'cached: throttleRate == 0'], /names variant 'cached', which this run does not include/],
    [['--threshold', 'latencyMs.p99 < soon'], /'soon' is not a number/],
  ])('a bad expression is a usage error (exit 2): %j', async (extra, message) => {
    const r = await cli([...adHoc, '--out', 'bad', ...extra])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(
      r.err
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('hint:')),
    ).toHaveLength(1)
  })

  it("evaluates a scenario file's thresholds, scenario-level and per variant", async () => {
    await writeFile(
      join(ws.dir, 'gated.ts'),
      `export default {
        name: 'gated', duration: 3, keys: [{ name: 'k' }], arrivals: { shape: 'constant', rate: 12000 },
        requests: [{ kind: 'encrypt', key: 'k' }], quotas: { symmetric: 10000 },
        thresholds: ['kms.callsPerRequest < 5', 'raised: throttleRate == 0'],
        variants: [{ name: 'baseline', thresholds: ['throttleRate < 0.001'] }, { name: 'raised', quotas: { symmetric: 20000 } }],
      }\n`,
    )
    const r = await cli(['run', 'gated.ts', '--out', 'gated', '--quiet'])
    expect(r.code).toBe(1)
    const s = await summaryIn('gated')
    expect(s.thresholds.map((t) => [t.variant, t.expression, t.passed])).toEqual([
      ['baseline', 'kms.callsPerRequest < 5', true],
      ['raised', 'kms.callsPerRequest < 5', true],
      ['raised', 'throttleRate == 0', true],
      ['baseline', 'throttleRate < 0.001', false],
    ])
    // Only the raised variant: the baseline's threshold has nothing to gate, and the run passes.
    expect((await cli(['run', 'gated.ts', '--variant', 'raised', '--out', 'gated-raised', '--quiet'])).code).toBe(0)
  })

  it('--runs needs real time', async () => {
    const r = await cli([...adHoc, '--runs', '3'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/--runs needs real time/)
  })
})

describe('kms-bench compare, virtual time', () => {
  beforeAll(async () => {
    const base = ['run', '--op', 'GenerateDataKey', '--rate', '12000', '--duration', '3s', '--quiet']
    expect((await cli([...base, '--quota', 'symmetric=10000', '--out', 'v-a'])).code).toBe(0)
    expect((await cli([...base, '--quota', 'symmetric=10000', '--out', 'v-b'])).code).toBe(0)
    expect((await cli([...base, '--quota', 'symmetric=9000', '--out', 'v-worse'])).code).toBe(0)
  })

  it('equal results pass (exit 0) with a Markdown diff', async () => {
    const r = await cli(['compare', 'v-a/summary.json', 'v-b'])
    expect(r.code).toBe(0)
    expect(r.out).toContain('# kms-bench compare: adhoc-GenerateDataKey')
    expect(r.out).toContain('**PASS: no regression beyond the thresholds (4 checks).**')
    expect(r.out).toMatch(/\| KMS calls per request \| 1\.\d+ \| 1\.\d+ \| ±0 \|/)
    expect(r.out).toMatch(
      /compare: PASS \(4 checks; exact comparison; thresholds: kms\.callsPerRequest \+0%, throttleRate \+1%, lostRate \+1%, latencyMs\.p99 \+10%\)/,
    )
  })

  it('a worse result fails (exit 1), saying which rule and why', async () => {
    const r = await cli(['compare', 'v-a', 'v-worse'])
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/\*\*FAIL: \d of 4 checks regressed beyond their thresholds\.\*\*/)
    expect(r.out).toMatch(/- \*\*baseline\*\*: `throttleRate \+1%`: 0\.\d+ → 0\.\d+ \(\+\d+(\.\d+)?%\): beyond \+1%/)
    // The reverse direction is an improvement: it passes. (With service times, the run that is
    // throttled less retries a few more calls before its per-host retry quota is spent: +0.03%
    // calls per request, so the reverse check allows 1 %.)
    expect((await cli(['compare', 'v-worse', 'v-a', '--quiet', '--threshold', 'kms.callsPerRequest +1%'])).code).toBe(0)
  })

  it('writes the Markdown to --out atomically, creating its directory; an unwritable one is exit 2', async () => {
    const r = await cli(['compare', 'v-a', 'v-b', '--out', 'diffs/a-b/diff.md', '--quiet'])
    expect(r.code).toBe(0)
    const md = await ws.read('diffs/a-b/diff.md')
    expect(md).toContain('# kms-bench compare: adhoc-GenerateDataKey')
    expect(r.out).not.toContain(md)
    await writeFile(join(ws.dir, 'a-file'), 'not a directory')
    const bad = await cli(['compare', 'v-a', 'v-b', '--out', 'a-file/diff.md', '--quiet'])
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/^kms-bench: cannot write .*a-file: a part of the path is not a directory\nhint: /)
    expect(bad.err).not.toMatch(/\n\s+at /)
  })

  it('a threshold on the command line replaces the default of its metric in the summary line too', async () => {
    const r = await cli(['compare', 'v-a', 'v-b', '--threshold', 'throttleRate +5%', '--quiet'])
    expect(r.code).toBe(0)
    expect(r.out).toMatch(
      /thresholds: throttleRate \+5%, kms\.callsPerRequest \+0%, lostRate \+1%, latencyMs\.p99 \+10%\)/,
    )
    expect(r.out).not.toContain('throttleRate +1%')
  })

  it('refuses different scenarios or variant sets unless --allow-different', async () => {
    const r = await cli(['compare', 'v-a', 'gated', '--quiet'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/different scenarios \(adhoc-GenerateDataKey and gated\).*--allow-different/)
    const allowed = await cli(['compare', 'v-a', 'gated', '--quiet', '--allow-different'])
    expect(allowed.code).not.toBe(2)
    expect(allowed.out).toMatch(/^compare: (PASS|FAIL) /m)
  })

  it('takes relative and absolute thresholds, and --no-defaults', async () => {
    expect(
      (await cli(['compare', 'v-a', 'v-worse', '--no-defaults', '--threshold', 'kms.calls +50%', '--quiet'])).code,
    ).toBe(0)
    expect(
      (await cli(['compare', 'v-a', 'v-worse', '--no-defaults', '--threshold', 'throttleRate < 0.01', '--quiet'])).code,
    ).toBe(1)
  })

  it.each([
    [['compare', 'nothere.json', 'v-a'], /cannot read .*nothere\.json: no such file/],
    [['compare', 'v-a'], /compare needs two results/],
    [['compare', 'bad.json', 'v-a'], /bad\.json is not valid JSON/],
    [['compare', 'other.json', 'v-a'], /other\.json is not a kms-bench result/],
    [['compare', 'future.json', 'v-a'], /schemaVersion 99 is not supported by this build/],
    [['compare', 'v-a', 'v-a', '--threshold', 'latencyMs.p99 ++10%'], /--threshold: .*is not a bound|--threshold: /],
    [['compare', 'v-a', 'v-a', '--alpha', '2'], /--alpha must be a number between 0 and 1/],
  ])('bad input exits 2 with one message: %j', async (args, message) => {
    await writeFile(join(ws.dir, 'bad.json'), '{ not json')
    await writeFile(join(ws.dir, 'other.json'), JSON.stringify({ hello: 'world' }))
    await writeFile(
      join(ws.dir, 'future.json'),
      JSON.stringify({
        ...(JSON.parse(await readFile(join(ws.dir, 'v-a', 'summary.json'), 'utf8')) as object),
        schemaVersion: 99,
      }),
    )
    const r = await cli(args)
    expect(r.code).toBe(2)
    expect(r.err).toMatch(message)
    expect(r.err).not.toMatch(/\n\s+at /)
    expect(
      r.err
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('hint:')),
    ).toHaveLength(1)
  })
})

describe('kms-bench compare, real time (repeated runs)', () => {
  // The statistical gate's decisions (noise passes, regressions fail, outliers, too few runs)
  // are unit-tested on synthetic runs in src/report/compare.test.ts. Here, once end to end:
  // `run --runs 5` in real time, then `compare`, on a regression that is not noise. At 400/s
  // for half a second, the baseline never reaches its 10,000/s quota (exactly 1 KMS call per
  // request in every run); under a 100/s quota half the requests are throttled at least once
  // and retried (at least 1.5 calls per request in every run).
  const rt = ['run', '--op', 'Encrypt', '--rate', '400', '--duration', '500ms', '--clock', 'real', '--runs', '5']

  it('a throttled set of runs fails against an unthrottled one; the reverse passes', async () => {
    expect((await cli([...rt, '--quiet', '--out', 'rt-a'])).code).toBe(0)
    expect((await cli([...rt, '--quiet', '--quota', 'symmetric=100', '--out', 'rt-worse'])).code).toBe(0)
    const a = await summaryIn('rt-a')
    expect(a.runs).toHaveLength(5)
    expect(a.runs?.map((r) => r.variants[0]?.offered.requests)).toEqual([200, 200, 200, 200, 200])
    expect(a.runs?.map((r) => r.variants[0]?.kms.callsPerRequest)).toEqual([1, 1, 1, 1, 1])
    const worse = await summaryIn('rt-worse')
    for (const r of worse.runs ?? []) expect(r.variants[0]?.kms.callsPerRequest).toBeGreaterThanOrEqual(1.5)

    const gate = ['--no-defaults', '--threshold', 'kms.callsPerRequest +0%']
    const failed = await cli(['compare', 'rt-a', 'rt-worse', ...gate])
    expect(failed.code).toBe(1)
    expect(failed.out).toContain('Statistical comparison: both results ran in real time')
    expect(failed.out).toContain('Runs: 5 baseline, 5 current.')
    expect(failed.out).toMatch(
      /`kms\.callsPerRequest \+0%`: regression: median 1 → \d\.\d+ .*significant \(Mann-Whitney U \(one-sided, exact, 5 vs 5 runs\) p = 0\.00397 ≤ α = 0\.01\)/,
    )
    expect((await cli(['compare', 'rt-worse', 'rt-a', ...gate, '--quiet'])).code).toBe(0)

    // 5 runs against 1: the test cannot decide. --quiet still says so; CI mode fails it unless accepted.
    expect((await cli([...rt.slice(0, -2), '--quiet', '--quota', 'symmetric=100', '--out', 'rt-one'])).code).toBe(0)
    const ci = await cli(['compare', 'rt-a', 'rt-one', '--quiet'])
    expect(ci.code).toBe(1)
    expect(ci.out).toMatch(
      /^compare: FAIL \(\d+ checks; \d+ of \d+ inconclusive \(the statistical test cannot decide: baseline: .*fails in CI mode \(pass --accept-inconclusive to accept\)/m,
    )
    const accepted = await cli(['compare', 'rt-a', 'rt-one', '--quiet', '--accept-inconclusive'])
    expect(accepted.code).toBe(0)
    expect(accepted.out).toMatch(/^compare: PASS \(\d+ checks; \d+ of \d+ inconclusive/m)
    const local = await cli(['compare', 'rt-a', 'rt-one', '--quiet'], { env: { CI: undefined } })
    expect(local.code).toBe(0)
    expect(local.out).toMatch(/inconclusive/)
  })
})
