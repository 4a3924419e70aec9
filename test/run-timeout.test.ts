/**
 * `run --timeout D` (issue 12): every request has a deadline; one not done by then stops and
 * counts as timed out, a failure, in summary.json, the verdict and junit.xml. Hand-worked in
 * virtual time with a constant 2,000 ms service time and no retries: 100/s for 2 s is 200
 * requests, each done at 2,000 ms, so a 1.5 s deadline times out all 200 (each failing at
 * 1,500 ms) and a 3 s deadline lets all 200 succeed (at 2,000 ms).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { cliWorkspace } from './support/cli.ts'

const ws = cliWorkspace('run-timeout')
const { cli, summaryIn } = ws
const run = ['run', '--op', 'Encrypt', '--rate', '100', '--duration', '2s', '--retry', 'none']

describe('run --timeout', () => {
  beforeAll(async () => {
    await writeFile(join(ws.dir, 'slow.json'), JSON.stringify({ default: { type: 'constant', ms: 2000 } }))
  })

  it('times out every request slower than the deadline, and counts it as lost everywhere', async () => {
    const r = await cli([...run, '--latency', 'slow.json', '--timeout', '1500ms', '--out', 'short'])
    expect(r.code, r.err).toBe(0)
    const s = await summaryIn('short')
    expect(s.deadline).toMatchObject({ ms: 1500 })
    const v = s.variants[0]!
    expect(v.completed).toEqual({
      succeeded: 0,
      throttled: 0,
      failed: 0,
      timedOut: 200,
      dropped: 0,
      errors: { TimedOut: 200 },
    })
    expect(v.kms.calls).toBe(200)
    // Time to failure is the deadline (HDR histograms keep 3 significant digits).
    expect(v.outcomes.timedOut?.latencyMs.count).toBe(200)
    expect(v.outcomes.timedOut?.latencyMs.max).toBeCloseTo(1500, -1)
    expect(r.out).toMatch(/^baseline: 200 requests, 0% throttled, 100% lost \(200 timed out at the deadline\), /m)
    const md = await ws.read('short/report.md')
    expect(md).toContain('lost 200 of 200 requests (100%): 200 timed out at the deadline')
    const junit = await ws.read('short/junit.xml')
    expect(junit).toContain(
      '<failure message="baseline: lost 200 of 200 requests (100%): 200 timed out at the deadline"',
    )
  })

  it('lets requests that finish within it succeed', async () => {
    const r = await cli([...run, '--latency', 'slow.json', '--timeout', '3s', '--out', 'long', '--quiet'])
    expect(r.code, r.err).toBe(0)
    const v = (await summaryIn('long')).variants[0]!
    expect(v.completed).toEqual({ succeeded: 200, throttled: 0, failed: 0, timedOut: 0, dropped: 0, errors: {} })
    expect(v.outcomes.succeeded.latencyMs.p50).toBeCloseTo(2000, -1)
  })

  it('refuses a deadline that is not a positive duration', async () => {
    const zero = await cli([...run, '--timeout', '0s'])
    expect(zero.code).toBe(2)
    expect(zero.err).toMatch(/--timeout must be longer than 0/)
    expect((await cli([...run, '--timeout', 'soon'])).err).toMatch(/--timeout: 'soon' is not a duration/)
  })
})
