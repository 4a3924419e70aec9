/**
 * The shipped example (examples/cloudtrail-day): a generated CloudTrail log of a day's peak
 * imported, replayed, attributed, and the CloudWatch alarm that stays silent while a Lambda
 * cold start throttles. The log is generated at test time (nothing real is committed).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { writeExampleDay } from '../examples/cloudtrail-day/generate.ts'
import type { CliIo } from '../src/cli/io.ts'
import { main } from '../src/cli/main.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-day-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const io = (): CliIo => ({
  stdout: { write: () => true },
  stderr: { write: () => true },
  env: {},
  cwd: dir,
  signal: new AbortController().signal,
})

describe('examples/cloudtrail-day', () => {
  it('imports, replays and attributes the day; the usage alarm stays silent while the cold start throttles', async () => {
    expect(writeExampleDay(join(dir, 'logs'))).toHaveLength(2)
    expect(await main(['import-cloudtrail', 'logs', '--out', 'replay', '--quiet'], io())).toBe(0)
    const imp = JSON.parse(await readFile(join(dir, 'replay', 'import.json'), 'utf8'))
    // 180 s × (5 S3 + 3 × 2 Lambda + 1 consumer) + 3 s × 30 cold-start calls = 2,250.
    expect(imp.replayed).toBe(2250)
    expect(imp.byAccount['444455556666'].calls).toBe(180)
    expect(await main(['run', 'replay/scenario.ts', '--quota', 'symmetric=20', '--out', 'run', '--quiet'], io())).toBe(
      0,
    )
    const v = JSON.parse(await readFile(join(dir, 'run', 'summary.json'), 'utf8')).variants[0]
    expect(v.offered.requests).toBe(2250)
    expect(v.kms.byCaller['arn:aws:sts::444455556666:assumed-role/analytics-reader/session']).toEqual({
      calls: 180,
      throttled: 0,
    })
    expect(Object.keys(v.kms.byCaller)).toContain('s3.amazonaws.com')
    const own = v.cloudwatch.series.find((s: { account: string }) => s.account === '111122223333')
    // Per minute: 660 calls (11/s) outside the cold start; the cold start's minute has 892 with
    // the SDK's retries, 14.9/s on average: under 80 % of 20/s, so the alarm never fires,
    // while 178 calls are throttled in 5 seconds.
    expect(own.callCount.slice(0, 3)).toEqual([660, 892, 660])
    expect(own.firedAtSecond).toBeNull()
    expect(own.silentThrottledCalls).toBe(178)
    expect(own.silentThrottledSeconds).toBe(5)
    const report = await readFile(join(dir, 'run', 'report.md'), 'utf8')
    expect(report).toContain('while the alarm was silent (it never fired)')
  })
})
