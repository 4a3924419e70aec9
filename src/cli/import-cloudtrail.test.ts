import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { generateKmsTrail, packTrailFiles } from '../traffic/index.ts'
import type { CliIo } from './io.ts'
import { main } from './main.ts'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-ct-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

function io(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = []
  const err: string[] = []
  return {
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
    env: {},
    cwd: dir,
    signal: new AbortController().signal,
    out,
    err,
  }
}

const KEY = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'

/** 20 s: S3 for Alice 2.5/s (GenerateDataKey/Decrypt), a Lambda 3/s Decrypt, a cross-account role 1/s; 5/s quota in the log. */
async function writeLogs(): Promise<Record<string, unknown>[]> {
  const records = generateKmsTrail({
    start: '2026-05-20T08:04:50Z',
    seconds: 20,
    quota: 5,
    actors: [
      {
        kind: 's3',
        identity: 'arn:aws:iam::111122223333:user/Alice',
        keyArn: KEY,
        operations: { GenerateDataKey: 1, Decrypt: 1 },
        rate: () => 2.5,
        contexts: 50,
      },
      {
        kind: 'lambda',
        identity: 'arn:aws:iam::111122223333:role/fn-role',
        functionName: 'thumbnailer',
        keyArn: KEY,
        operations: { Decrypt: 1 },
        rate: () => 3,
      },
      {
        kind: 'role',
        identity: 'arn:aws:iam::444455556666:role/consumer',
        keyArn: KEY,
        operations: { Decrypt: 1 },
        rate: () => 1,
      },
    ],
  })
  // Files in reverse order of time, one of them not gzipped: order and compression do not matter.
  const files = packTrailFiles(records).reverse()
  for (const [i, f] of files.entries()) {
    const path = join(dir, 'logs', f.path)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(i === 0 ? path.replace(/\.gz$/, '') : path, i === 0 ? gunzip(f.bytes) : f.bytes)
  }
  return records
}

function gunzip(b: Uint8Array): Uint8Array {
  return new Uint8Array(gunzipSync(b))
}

describe('kms-bench import-cloudtrail', () => {
  it('imports S3-delivered logs and the replay offers exactly the log per second and per operation', async () => {
    const records = await writeLogs()
    const byOp = (op: string): number => records.filter((r) => r.eventName === op).length
    const c = io()
    expect(await main(['import-cloudtrail', 'logs', '--out', 'imp'], c)).toBe(0)
    const imp = JSON.parse(await readFile(join(dir, 'imp', 'import.json'), 'utf8'))
    // Hand count: S3 2.5/s × 20 s = 50, Lambda 3 × 20 = 60, consumer 20; the log throttled the
    // account 111122223333's 5.5/s above 5/s: 0.5/s × 20 s = 10 throttled.
    expect(imp.replayed).toBe(130)
    expect(imp.throttled).toBe(10)
    expect(imp.byCaller['s3.amazonaws.com'].calls).toBe(50)
    expect(imp.byCaller['arn:aws:sts::111122223333:assumed-role/fn-role/thumbnailer'].calls).toBe(60)
    expect(imp.byAccount).toEqual({
      '111122223333': { calls: 110, throttled: 10 },
      '444455556666': { calls: 20, throttled: 0 },
    })
    expect(imp.byOperation.Decrypt.calls).toBe(byOp('Decrypt'))
    expect(imp.byOperation.GenerateDataKey.calls).toBe(byOp('GenerateDataKey'))
    const report = await readFile(join(dir, 'imp', 'import-report.md'), 'utf8')
    expect(report).toContain('**Throttled calls are demand.** 10 recorded calls were throttled')
    // Values of encryption contexts never leave the importer.
    for (const f of ['calls.csv', 'scenario.ts', 'import.json', 'import-report.md'])
      expect(await readFile(join(dir, 'imp', f), 'utf8')).not.toContain('example-bucket')

    const r = io()
    expect(
      await main(['run', 'imp/scenario.ts', '--retry', 'none', '--quota', 'symmetric=5', '--out', 'run', '--quiet'], r),
    ).toBe(0)
    const s = JSON.parse(await readFile(join(dir, 'run', 'summary.json'), 'utf8'))
    const v = s.variants[0]
    expect(v.offered.requests).toBe(130)
    expect(v.kms.byOperation.Decrypt.calls).toBe(byOp('Decrypt'))
    expect(v.kms.byOperation.GenerateDataKey.calls).toBe(byOp('GenerateDataKey'))
    // Per second: the timeline's offered column is the log's count.
    const perSecond = new Map<number, number>()
    for (const rec of records) {
      const sec = (Date.parse(rec.eventTime as string) - Date.parse('2026-05-20T08:04:50Z')) / 1000
      perSecond.set(sec, (perSecond.get(sec) ?? 0) + 1)
    }
    const timeline = (await readFile(join(dir, 'run', 'timeline.csv'), 'utf8')).trim().split('\n')
    const head = (timeline[0] as string).split(',')
    const offered = head.indexOf('offered')
    const second = head.indexOf('second')
    for (const line of timeline.slice(1)) {
      const f = line.split(',')
      expect(Number(f[offered]), `second ${f[second]}`).toBe(perSecond.get(Number(f[second])) ?? 0)
    }
    // The same quota throttles the replay: 0.5/s above it in account 111122223333 for 20 s.
    expect(v.kms.throttled).toBe(10)
    expect(s.assumptions.join('\n')).toContain('they are replayed as demand')
    // Attribution: S3 for Alice, the Lambda role session, the cross-account consumer.
    expect(v.kms.byCaller['s3.amazonaws.com'].calls).toBe(50)
    expect(v.kms.byCaller['arn:aws:sts::111122223333:assumed-role/fn-role/thumbnailer'].calls).toBe(60)
    expect(v.kms.byCaller['arn:aws:sts::444455556666:assumed-role/consumer/session']).toEqual({
      calls: 20,
      throttled: 0,
    })
    expect(v.kms.byAccount).toEqual({
      '111122223333': { calls: 110, throttled: 10 },
      '444455556666': { calls: 20, throttled: 0 },
    })
    expect(v.kms.byCallerSource).toBe('emulator')
    // CloudWatch: 110 calls in the minute = 1.8/s on average, far below 80 % of 5/s: silent while 10 calls throttle.
    const cw = v.cloudwatch.series.find((x: { account: string }) => x.account === '111122223333')
    expect(cw.resource).toBe('CryptographicOperationsSymmetric')
    expect(cw.firedAtSecond).toBeNull()
    expect(cw.silentThrottledCalls).toBe(10)
    const runReport = await readFile(join(dir, 'run', 'report.md'), 'utf8')
    expect(runReport).toContain('## Who uses the quota')
    expect(runReport).toContain('throttled 10 calls in 10 seconds while the alarm was silent (it never fired)')
  })

  it('a replay split across shards replays disjoint parts that merge into exactly the log, per second and operation', async () => {
    const records = await writeLogs()
    expect(await main(['import-cloudtrail', 'logs', '--out', 'imp', '--quiet'], io())).toBe(0)
    const start = Date.parse('2026-05-20T08:04:50Z')
    const log = new Map<string, number>()
    const logCallers = new Map<string, number>()
    const imp = JSON.parse(await readFile(join(dir, 'imp', 'import.json'), 'utf8'))
    for (const rec of records) {
      const k = `${(Date.parse(rec.eventTime as string) - start) / 1000}/${rec.eventName}`
      log.set(k, (log.get(k) ?? 0) + 1)
    }
    for (const [caller, c] of Object.entries(imp.byCaller as Record<string, { calls: number }>))
      logCallers.set(caller, c.calls)
    // Quotas far above the log and no retries: every offered request is exactly one KMS call.
    const flags = ['--retry', 'none', '--quota', 'symmetric=1000', '--quiet']
    const shards: { perSecondOp: Map<string, number>; calls: number }[] = []
    for (const i of [1, 2, 3]) {
      expect(await main(['run', 'imp/scenario.ts', '--shard', `${i}/3`, '--out', `shard-${i}`, ...flags], io())).toBe(0)
      const v = JSON.parse(await readFile(join(dir, `shard-${i}`, 'summary.json'), 'utf8')).variants[0]
      const perSecondOp = new Map<string, number>()
      for (const e of v.timeline)
        for (const [op, n] of Object.entries(e.kmsByOperation as Record<string, number>))
          if (n > 0) perSecondOp.set(`${e.second}/${op}`, n)
      shards.push({ perSecondOp, calls: v.kms.calls })
    }
    // Each shard replays a part of its own (130 calls in all: 44, 43, 43 by the lattice k·3 + I).
    expect(shards.map((x) => x.calls).sort()).toEqual([43, 43, 44])
    // Disjoint and complete: per second and operation the shards add up to the log, never more.
    const summed = new Map<string, number>()
    for (const x of shards) for (const [k, n] of x.perSecondOp) summed.set(k, (summed.get(k) ?? 0) + n)
    expect(Object.fromEntries([...summed].sort())).toEqual(Object.fromEntries([...log].sort()))

    const m = io()
    expect(await main(['merge', 'shard-1', 'shard-2', 'shard-3', '--out', 'merged', '--quiet'], m)).toBe(0)
    const merged = JSON.parse(await readFile(join(dir, 'merged', 'summary.json'), 'utf8')).variants[0]
    expect(merged.offered.requests).toBe(130)
    expect(merged.kms.calls).toBe(130)
    const mergedPerSecondOp = new Map<string, number>()
    for (const e of merged.timeline)
      for (const [op, n] of Object.entries(e.kmsByOperation as Record<string, number>))
        if (n > 0) mergedPerSecondOp.set(`${e.second}/${op}`, n)
    expect(Object.fromEntries([...mergedPerSecondOp].sort())).toEqual(Object.fromEntries([...log].sort()))
    // The merged attribution is the log's, caller by caller.
    expect(
      Object.fromEntries(
        Object.entries(merged.kms.byCaller as Record<string, { calls: number }>).map(([k, c]) => [k, c.calls]),
      ),
    ).toEqual(Object.fromEntries(logCallers))
  })

  it('exits 2 naming the file and record of a malformed log', async () => {
    await mkdir(join(dir, 'logs'))
    await writeFile(join(dir, 'logs', 'good.json'), JSON.stringify({ Records: [] }))
    await writeFile(
      join(dir, 'logs', 'bad.json'),
      JSON.stringify({ Records: [{ eventSource: 'kms.amazonaws.com', eventName: 'Decrypt', awsRegion: 'us-east-1' }] }),
    )
    const c = io()
    expect(await main(['import-cloudtrail', 'logs', '--out', 'imp'], c)).toBe(2)
    expect(c.err.join('')).toContain('logs/bad.json: Records[0]: has no eventTime')
    const m = io()
    expect(await main(['import-cloudtrail', 'nope', '--out', 'imp'], m)).toBe(2)
    expect(m.err.join('')).toContain("cannot read 'nope'")
    const o = io()
    expect(await main(['import-cloudtrail', 'logs'], o)).toBe(2)
    expect(o.err.join('')).toContain('--out DIR is required')
  })
})
