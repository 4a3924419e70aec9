/**
 * `kms-bench run` against real KMS endpoints over HTTP, through the real AWS SDK: the
 * project's own `kms-bench serve` (a child process, with quotas) and moto's server (a
 * foreign endpoint; skipped with a clear message only where python3 or moto is missing).
 */
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliWorkspace } from './support/cli.ts'
import { freePort, motoUnavailableReason, startMoto, type MotoServer } from './support/moto.ts'
import { startServeChild, type ServeChild } from './support/serve-child.ts'

const ws = cliWorkspace('run-endpoints')
const { cli, summaryIn } = ws

/** `run --op OP --rate RPS --duration D --target URL`, then more options: the ad-hoc form. */
const adHoc = (op: string, rate: number, duration: string, target: string, ...more: string[]): string[] => [
  'run',
  '--op',
  op,
  '--rate',
  String(rate),
  '--duration',
  duration,
  '--target',
  target,
  ...more,
]

/**
 * A scenario with a quota-changing variant (issue 12): 300 requests/s for 2 s, retries off, a
 * baseline and `quota-20k` (the symmetric quota raised to 20,000/s). Against kms-bench serve the
 * runner applies the override for that variant only and restores the endpoint's own quotas;
 * against any other endpoint the variant is refused.
 */
const QUOTA_20K = `export default {
  name: 'quota-20k', duration: '2s', seed: 7, keys: [{ name: 'k' }], fleet: { hosts: 2 },
  arrivals: { shape: 'constant', rate: 300 },
  requests: [{ kind: 'op', operation: 'Encrypt', key: 'k' }],
  variants: [
    { name: 'baseline', retry: { mode: 'none', maxAttempts: 1 } },
    { name: 'quota-20k', quotas: { symmetric: 20000 }, retry: { mode: 'none', maxAttempts: 1 } },
  ],
}
`

/** How many keys moto holds for the scenarios' default account (ListKeys through the real SDK, signed as the run signs). */
async function motoKeyCount(url: string): Promise<number> {
  const kms = new KMSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: '111122223333', secretAccessKey: 'kms-bench' },
  })
  try {
    return ((await kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys ?? []).length
  } finally {
    kms.destroy()
  }
}

/** The quota overrides an endpoint has in force (`GET /kms-bench/quotas`). */
async function quotasOf(url: string): Promise<unknown> {
  const res = await fetch(new URL('/kms-bench/quotas', url), { signal: AbortSignal.timeout(10_000) })
  expect(res.status).toBe(200)
  return res.json()
}

describe('against kms-bench serve', () => {
  let server: ServeChild
  beforeAll(async () => {
    server = await startServeChild(['--quota', 'symmetric=100'])
  })
  afterAll(async () => {
    await server?.stop('SIGKILL').catch(() => {})
  })

  it('reproduces the endpoint quota: 300/s offered against 100/s, two thirds throttled', async () => {
    const r = await cli(adHoc('GenerateDataKey', 300, '3s', server.url, '--retry', 'none', '--out', 'serve-none'))
    expect(r.code, r.err).toBe(0)
    const s = await summaryIn('serve-none')
    expect(s).toMatchObject({ target: server.url, clock: 'real', complete: true })
    const v = s.variants[0]!
    expect(v.offered.requests).toBe(900)
    expect(v.completed.dropped).toBe(0)
    expect(v.completed.succeeded + v.completed.throttled).toBe(900)
    // One-second windows aligned with the run's seconds: 100 accepted per second.
    expect(v.completed.succeeded).toBeGreaterThanOrEqual(290)
    expect(v.completed.succeeded).toBeLessThanOrEqual(310)
    expect(v.kms.calls).toBe(900)
    expect(v.kmsCallLatency.latencyMs.count).toBe(900)
    // The endpoint's own meter (GET /kms-bench/usage) for the run.
    const pool = v.quota.find((p) => p.pool === 'symmetric')
    expect(pool).toMatchObject({ limit: 100, throttledSeconds: 3 })
    expect(pool!.accepted + pool!.throttled).toBe(900)
  })

  it("applies a variant's quota override through the admin route for that variant only, and restores it", async () => {
    await writeFile(
      join(ws.dir, 'serve-quotas.ts'),
      `export default {
  name: 'serve-quotas', duration: '2s', seed: 5, keys: [{ name: 'k' }], fleet: { hosts: 2 },
  arrivals: { shape: 'constant', rate: 300 },
  requests: [{ kind: 'op', operation: 'Encrypt', key: 'k' }],
  variants: [
    { name: 'raised', quotas: { symmetric: 1000 }, retry: { mode: 'none', maxAttempts: 1 } },
    { name: 'after', retry: { mode: 'none', maxAttempts: 1 } },
  ],
}
`,
    )
    const r = await cli(['run', 'serve-quotas.ts', '--target', server.url, '--clock', 'real', '--out', 'serve-quotas'])
    expect(r.code, r.err).toBe(0)
    const s = await summaryIn('serve-quotas')
    const [raised, after] = s.variants
    // The override was applied: 600 requests in all, under 1,000/s however late they went out
    // (nothing throttled), and serve's usage meter reports the pool's limit as 1,000.
    expect(raised?.completed.throttled).toBe(0)
    expect(raised?.quota.find((q) => q.pool === 'symmetric')?.limit).toBe(1000)
    // ... and restored: the next variant meets serve's own 100/s again.
    expect(after?.quota.find((q) => q.pool === 'symmetric')?.limit).toBe(100)
    expect(after?.completed.throttled).toBeGreaterThan(0)
  })

  it('runs a quota-20k variant with the override applied through PUT /kms-bench/quotas, then restores it (GET)', async () => {
    await writeFile(join(ws.dir, 'quota-20k.ts'), QUOTA_20K)
    expect(await quotasOf(server.url)).toEqual({ quotas: { symmetric: 100 } })
    const r = await cli(['run', 'quota-20k.ts', '--target', server.url, '--out', 'quota-20k'])
    expect(r.code, r.err).toBe(0)
    const [baseline, raised] = (await summaryIn('quota-20k')).variants
    // The baseline meets serve's own 100/s (600 requests over 2 s and a bit: 200 to 300 accepted).
    expect(baseline?.quota.find((q) => q.pool === 'symmetric')?.limit).toBe(100)
    expect(baseline?.completed.throttled).toBeGreaterThan(0)
    // The variant ran under 20,000/s on the endpoint (its usage meter says so): nothing throttled.
    expect(raised?.quotaOverrides).toEqual({ symmetric: 20000 })
    expect(raised?.quota.find((q) => q.pool === 'symmetric')?.limit).toBe(20000)
    expect(raised?.completed).toMatchObject({ succeeded: 600, throttled: 0, failed: 0, timedOut: 0, dropped: 0 })
    // The last variant's override does not outlive the run.
    expect(await quotasOf(server.url)).toEqual({ quotas: { symmetric: 100 } })
  })

  it('restores the endpoint quotas when a quota variant is interrupted', async () => {
    await writeFile(join(ws.dir, 'quota-20k.ts'), QUOTA_20K)
    const stop = new AbortController()
    const running = cli(['run', 'quota-20k.ts', '--variant', 'quota-20k', '--target', server.url, '--out', 'cut'], {
      signal: stop.signal,
    })
    // Interrupt once the override is in force (the run is then sending under it).
    for (let i = 0; i < 200; i++) {
      const q = (await quotasOf(server.url)) as { quotas: Record<string, number> }
      if (q.quotas['symmetric'] === 20000) break
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await quotasOf(server.url)).toEqual({ quotas: { symmetric: 20000 } })
    stop.abort()
    const r = await running
    // 130, as after Ctrl-C.
    expect(r.code).toBe(130)
    expect(r.err).not.toMatch(/\n\s+at /)
    expect(await quotasOf(server.url)).toEqual({ quotas: { symmetric: 100 } })
  })

  it('attributes calls to the principal of each host group, counted by the client, and says so', async () => {
    await writeFile(
      join(ws.dir, 'groups-scenario.ts'),
      `export default {
        name: 'groups', duration: 2, keys: [{ name: 'k' }],
        principals: ['arn:aws:iam::111122223333:role/web', 'arn:aws:iam::111122223333:role/batch'],
        fleet: { hosts: 2, groups: [
          { name: 'web', hosts: 1, principal: 'arn:aws:iam::111122223333:role/web' },
          { name: 'batch', hosts: 1, principal: 'arn:aws:iam::111122223333:role/batch' },
        ] },
        arrivals: { shape: 'constant', rate: 150 },
        requests: [{ kind: 'op', operation: 'Encrypt', key: 'k' }],
      }\n`,
    )
    const r = await cli(['run', 'groups-scenario.ts', '--target', server.url, '--retry', 'none', '--out', 'groups'])
    expect(r.code, r.err).toBe(0)
    const v = (await summaryIn('groups')).variants[0]!
    expect(v.completed.dropped).toBe(0)
    // Arrivals alternate between the two hosts: 150 calls each, throttles where the endpoint threw them.
    const web = v.kms.byCaller?.['arn:aws:iam::111122223333:role/web']
    const batch = v.kms.byCaller?.['arn:aws:iam::111122223333:role/batch']
    expect(web?.calls).toBe(150)
    expect(batch?.calls).toBe(150)
    expect(v.kms.throttled).toBeGreaterThan(0)
    expect((web?.throttled ?? 0) + (batch?.throttled ?? 0)).toBe(v.kms.throttled)
    expect(v.kms.byAccount).toEqual({ '111122223333': { calls: 300, throttled: v.kms.throttled } })
    expect(v.kms.byKey?.['k']?.calls).toBe(300)
    expect(v.kms.byCallerSource).toBe('client')
    const report = await ws.read('groups/report.md')
    expect(report).toContain('## Who uses the quota')
    expect(report).toContain('Source: the load client, attempt by attempt')
  })

  it('lets the real SDK retry (standard mode) and counts the attempts', async () => {
    const r = await cli(adHoc('Encrypt', 150, '2s', server.url, '--out', 'serve-standard'))
    expect(r.code, r.err).toBe(0)
    const v = (await summaryIn('serve-standard')).variants[0]!
    expect(v.retries).toBeGreaterThan(0)
    expect(v.kms.calls).toBe(v.offered.requests + v.retries)
    expect(v.mitigations[0]).toMatchObject({ name: 'sdk-retry', params: { mode: 'standard', maxAttempts: 3 } })
  })

  it('sends from worker threads that start each variant together, and merges them exactly', async () => {
    const r = await cli(
      // Workers split hosts (each host keeps one SDK client and retry quota): two hosts, two workers.
      adHoc(
        'GenerateDataKey',
        300,
        '3s',
        server.url,
        '--retry',
        'none',
        '--hosts',
        '2',
        '--workers',
        '2',
        '--out',
        'serve-workers',
      ),
    )
    expect(r.code, r.err).toBe(0)
    const s = await summaryIn('serve-workers')
    expect(s.shards).toEqual([{ index: 0, count: 1 }])
    expect(s.assumptions.some((a) => a.startsWith('Ran in 2 worker threads'))).toBe(true)
    const v = s.variants[0]!
    expect(v.offered.requests).toBe(900)
    expect(v.completed.succeeded + v.completed.throttled).toBe(900)
    expect(v.completed.succeeded).toBeGreaterThanOrEqual(290)
    expect(v.completed.succeeded).toBeLessThanOrEqual(310)
    expect(v.timeline.every((e) => e.histogram === undefined)).toBe(true)
  })

  it('exits 2 for an unreachable endpoint', async () => {
    const port = await freePort()
    const r = await cli(adHoc('Encrypt', 10, '1s', `http://127.0.0.1:${port}`))
    expect(r.code).toBe(2)
    expect(r.err).toMatch(/cannot reach the KMS endpoint http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/)
  })
})

describe('against kms-bench serve with SigV4 verification', () => {
  let server: ServeChild
  beforeAll(async () => {
    await writeFile(
      join(ws.dir, 'creds.json'),
      JSON.stringify({
        credentials: [
          {
            accessKeyId: 'AKIDKMSBENCHTEST0001',
            secretAccessKey: 'right-secret',
            principal: 'arn:aws:iam::111122223333:root',
          },
        ],
      }),
    )
    server = await startServeChild(['--auth', 'sigv4', '--credentials', join(ws.dir, 'creds.json')])
  })
  afterAll(async () => {
    await server?.stop('SIGKILL').catch(() => {})
  })

  it('runs with the right credentials and exits 2 with bad ones', async () => {
    const good = await cli(
      ['run', '--op', 'Encrypt', '--rate', '20', '--duration', '1s', '--target', server.url, '--out', 'sigv4-ok'],
      {
        env: { AWS_ACCESS_KEY_ID: 'AKIDKMSBENCHTEST0001', AWS_SECRET_ACCESS_KEY: 'right-secret' },
      },
    )
    expect(good.code, good.err).toBe(0)
    const ok = (await summaryIn('sigv4-ok')).variants[0]!
    expect(ok.completed.succeeded).toBe(20)
    // One set of credentials signed every call: the attribution says so.
    expect(ok.kms.byCallerSource).toBe('client-credentials')
    expect(Object.values(ok.kms.byCaller ?? {}).reduce((a, c) => a + c.calls, 0)).toBe(20)
    const bad = await cli(adHoc('Encrypt', 20, '1s', server.url), {
      env: { AWS_ACCESS_KEY_ID: 'AKIDKMSBENCHTEST0001', AWS_SECRET_ACCESS_KEY: 'wrong-secret' },
    })
    expect(bad.code).toBe(2)
    expect(bad.err).toMatch(/rejected the credentials/)
    expect(bad.err).not.toMatch(/\n\s+at /)
  })
})

const motoReason = motoUnavailableReason()
if (motoReason !== undefined) console.warn(`run-endpoints: moto tests skipped: ${motoReason}`)

describe.skipIf(motoReason !== undefined)("against moto's server", () => {
  let moto: MotoServer
  beforeAll(async () => {
    moto = await startMoto()
  })
  afterAll(async () => {
    await moto?.stop()
  })

  it('runs the ad-hoc form: every request succeeds (moto has no quotas)', async () => {
    const r = await cli(adHoc('Encrypt', 100, '2s', moto.url, '--out', 'moto-adhoc'))
    expect(r.code, r.err).toBe(0)
    const v = (await summaryIn('moto-adhoc')).variants[0]!
    expect(v.completed).toEqual({ succeeded: 200, throttled: 0, failed: 0, timedOut: 0, dropped: 0, errors: {} })
    expect(v.kms.calls).toBe(200)
    expect(v.latencyMs.p50).toBeGreaterThan(0)
    // moto has no /kms-bench/usage: no pool figures, and no error.
    expect(v.quota).toEqual([])
  })

  it('refuses a variant that changes quotas with exit 2, naming the variant (moto cannot apply it)', async () => {
    // The same scenario that kms-bench serve runs with the override applied.
    await writeFile(join(ws.dir, 'moto-quotas.ts'), QUOTA_20K)
    const keysBefore = await motoKeyCount(moto.url)
    const r = await cli(['run', 'moto-quotas.ts', '--target', moto.url, '--out', 'moto-quotas'])
    expect(r.code).toBe(2)
    expect(r.err).toMatch(
      /variant 'quota-20k' changes quotas \(symmetric=20000\), which only the embedded target or a kms-bench serve endpoint can apply/,
    )
    expect(r.err).not.toMatch(/\n\s+at /)
    // Refused before any variant ran: the baseline (listed first) made no key and sent nothing.
    expect(await motoKeyCount(moto.url)).toBe(keysBefore)
  })

  it('runs a scenario with ciphertexts made before the run, S3 calls and envelope decryption', async () => {
    await writeFile(
      join(ws.dir, 'moto-scenario.ts'),
      `export default {
        name: 'moto-mix', duration: 2, keys: [{ name: 'k', alias: 'alias/moto-mix' }], tenants: 5,
        arrivals: { shape: 'constant', rate: 60 },
        requests: [
          { kind: 'decrypt', key: 'k', weight: 1 },
          { kind: 'envelope-decrypt', key: 'k', payloadBytes: 4096, weight: 1 },
          { kind: 's3-put', key: 'k', bucket: 'moto-bucket', objects: 10, payloadBytes: 1024, weight: 1 },
        ],
      }\n`,
    )
    const first = await cli(['run', 'moto-scenario.ts', '--target', moto.url, '--out', 'moto-scenario'])
    expect(first.code, first.err).toBe(0)
    const v = (await summaryIn('moto-scenario')).variants[0]!
    expect(v.completed.succeeded).toBe(120)
    expect(v.kms.byOperation['Decrypt']!.calls + v.kms.byOperation['GenerateDataKey']!.calls).toBe(120)
    // A second run on the same long-lived endpoint finds the alias taken and moves it.
    expect(
      (await cli(['run', 'moto-scenario.ts', '--target', moto.url, '--duration', '1s', '--out', 'moto-again'])).code,
    ).toBe(0)
  })
})
