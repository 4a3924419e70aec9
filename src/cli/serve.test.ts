import { spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeSha256 } from '../server/sigv4.ts'
import type { CliIo } from './io.ts'
import { main } from './main.ts'
import { isLoopbackHost } from './serve.ts'

interface Captured {
  io: CliIo
  out: () => string
  err: () => string
  abort: () => void
}

function capture(cwd: string): Captured {
  let out = ''
  let err = ''
  const controller = new AbortController()
  return {
    io: {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (err += t) },
      env: {},
      cwd,
      signal: controller.signal,
    },
    out: () => out,
    err: () => err,
    abort: () => controller.abort(new Error('SIGTERM')),
  }
}

/** A raw GET (fetch cannot set Host, which a SigV4 signature covers). */
function rawGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'GET', path, headers, setHost: !('host' in headers) },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

async function waitFor(f: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-bench-serve-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('kms-bench serve (in-process)', () => {
  it('prints the listening line, serves, and exits 0 when the signal aborts', async () => {
    const c = capture(dir)
    const done = main(
      ['serve', '--port', '0', '--account', '444455556666', '--region', 'eu-west-1', '--audit', 'audit.jsonl'],
      c.io,
    )
    await waitFor(() => c.out().includes('listening on'))
    const url = /listening on (http:\/\/\S+)/.exec(c.out())?.[1] as string
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    // No Authorization header: the default account and Region apply.
    const res = await fetch(`${url}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.CreateKey' },
      body: '{}',
    })
    expect(((await res.json()) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn).toMatch(
      /^arn:aws:kms:eu-west-1:444455556666:key\//,
    )
    c.abort()
    expect(await done).toBe(0)
    const audit = (await readFile(join(dir, 'audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { eventName: string; awsRegion: string })
    expect(audit.map((e) => e.eventName)).toContain('CreateKey')
    expect(audit[0]?.awsRegion).toBe('eu-west-1')
  })

  it('seeds keys, applies --quota, and serves the usage meter', async () => {
    await writeFile(
      join(dir, 'seed.json'),
      JSON.stringify({ keys: [{ aliases: ['alias/seeded'], description: 'from the seed' }] }),
    )
    const c = capture(dir)
    const done = main(
      ['serve', '--port', '0', '--seed', 'seed.json', '--quota', 'symmetric=1', '--latency', 'none'],
      c.io,
    )
    await waitFor(() => c.out().includes('listening on'))
    const url = /listening on (http:\/\/\S+)/.exec(c.out())?.[1] as string
    const call = (target: string, body: unknown) =>
      fetch(`${url}/`, {
        method: 'POST',
        headers: { 'x-amz-target': `TrentService.${target}` },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }))
    expect((await call('DescribeKey', { KeyId: 'alias/seeded' })).json).toMatchObject({
      KeyMetadata: { Description: 'from the seed' },
    })
    const results = await Promise.all([1, 2, 3].map(() => call('GenerateRandom', { NumberOfBytes: 8 })))
    expect(
      results.filter((r) => r.status === 400 && r.json['__type'] === 'ThrottlingException').length,
    ).toBeGreaterThanOrEqual(1)
    const usage = (await (await fetch(`${url}/kms-bench/usage`)).json()) as { pools: { pool: string; limit: number }[] }
    expect(usage.pools.find((p) => p.pool === 'symmetric')?.limit).toBe(1)
    c.abort()
    expect(await done).toBe(0)
    expect(c.err()).toContain('seed: 1 key(s) created')
  })

  it('GET /metrics under --auth sigv4: unsigned scrapes are refused; a signed one or the metrics bearer token gets text promtool accepts', async () => {
    await writeFile(
      join(dir, 'metrics-creds.json'),
      JSON.stringify({
        credentials: [
          {
            accessKeyId: 'AKIAMETRICSEXAMPLE01',
            secretAccessKey: 'metrics-secret',
            principal: 'arn:aws:iam::111122223333:root',
          },
        ],
      }),
    )
    const token = 'f'.repeat(8) + '0123456789abcdef0123456789abcdef'
    await writeFile(join(dir, 'metrics-token'), `${token}\n`, { mode: 0o600 })
    await writeFile(join(dir, 'short-token'), 'tooshort\n')
    const bad = capture(dir)
    expect(
      await main(
        ['serve', '--auth', 'sigv4', '--credentials', 'metrics-creds.json', '--metrics-token-file', 'short-token'],
        bad.io,
      ),
    ).toBe(2)
    expect(bad.err()).toContain('the token (first line) must be at least 32 printable characters')

    const c = capture(dir)
    const done = main(
      [
        'serve',
        '--port',
        '0',
        '--auth',
        'sigv4',
        '--credentials',
        'metrics-creds.json',
        '--metrics-token-file',
        'metrics-token',
        '--quota',
        'symmetric=2',
      ],
      c.io,
    )
    await waitFor(() => c.out().includes('listening on'))
    const url = /listening on (http:\/\/\S+)/.exec(c.out())?.[1] as string
    const port = Number(new URL(url).port)
    // Real SDK calls, signed: a key and 3 Encrypts in one second against 2/s (1 throttled at least).
    const kms = new KMSClient({
      endpoint: url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAMETRICSEXAMPLE01', secretAccessKey: 'metrics-secret' },
      maxAttempts: 1,
    })
    const key = await kms.send(new CreateKeyCommand({}))
    const sent = await Promise.allSettled(
      [1, 2, 3].map(() =>
        kms.send(new EncryptCommand({ KeyId: key.KeyMetadata?.KeyId, Plaintext: Buffer.from('hi') })),
      ),
    )
    kms.destroy()
    const throttled = sent.filter((r) => r.status === 'rejected').length
    expect(throttled).toBeGreaterThanOrEqual(1)

    const get = (headers: Record<string, string>) => rawGet(port, '/metrics', headers)
    // Unsigned and wrong-token scrapes are refused (issue 18.1: every route that reads state).
    const unsigned = await get({})
    expect(unsigned.status).toBe(400)
    expect(unsigned.body).toContain('MissingAuthenticationTokenException')
    expect((await get({ authorization: `Bearer ${token.slice(0, -1)}x` })).status).toBe(400)
    // The token opens /metrics only: the usage meter still needs a signature.
    expect((await rawGet(port, '/kms-bench/usage', { authorization: `Bearer ${token}` })).status).toBe(400)
    // Signed like the SDK signs, or with the bearer token: the Prometheus text.
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIAMETRICSEXAMPLE01', secretAccessKey: 'metrics-secret' },
      region: 'us-east-1',
      service: 'kms',
      sha256: NodeSha256,
    })
    const signed = await signer.sign(
      new HttpRequest({
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        port,
        path: '/metrics',
        headers: { host: `127.0.0.1:${port}` },
      }),
    )
    for (const headers of [signed.headers as Record<string, string>, { authorization: `Bearer ${token}` }]) {
      const r = await get(headers)
      expect(r.status, r.body).toBe(200)
      expect(r.body).toContain('kms_bench_requests_total{operation="Encrypt",outcome="ok"}')
      expect(r.body).toContain(
        `kms_bench_requests_total{operation="Encrypt",outcome="ThrottlingException"} ${throttled}`,
      )
      const checked = spawnSync('promtool', ['check', 'metrics'], { input: r.body, encoding: 'utf8' })
      if (checked.error !== undefined) {
        console.warn(
          'promtool not found (Debian package prometheus, which .ci/run installs): the exposition format was not checked by a parser',
        )
        continue
      }
      expect(`${checked.stdout}${checked.stderr}`).toBe('')
      expect(checked.status).toBe(0)
    }
    c.abort()
    expect(await done).toBe(0)
    // The token never appears in any output.
    expect(c.out() + c.err()).not.toContain(token)
  })

  it.each([
    [['--port', 'abc'], "--port must be an integer from 0 to 65535, got 'abc'"],
    [['--port', '70000'], '--port must be an integer'],
    [['--account', '123'], "--account must be a 12-digit AWS account id, got '123'"],
    [['--region', 'us-est-1'], "--region: unknown Region 'us-est-1' (did you mean us-east-1?)"],
    [['--auth', 'basic'], "--auth must be 'none' or 'sigv4', got 'basic'"],
    [['--auth', 'sigv4'], '--auth sigv4 needs --credentials FILE'],
    [['--latency', 'nope.json'], '--latency: cannot read'],
    [['--credentials', 'nope.json'], '--credentials: cannot read'],
    [['--quota', 'symmetric'], "--quota 'symmetric' must be POOL=RPS"],
    [['--profile', 'aws-defualt'], 'aws-defualt'],
    [['--bogus'], "unknown option '--bogus'"],
    [['extra'], "unexpected argument 'extra'"],
  ])('exits 2 naming the flag: %j', async (args, message) => {
    const c = capture(dir)
    expect(await main(['serve', ...args], c.io)).toBe(2)
    expect(c.err()).toContain(message)
    expect(c.out()).toBe('')
  })

  it('exits 2 for bad files: latency spec, credentials, seed, corrupt state', async () => {
    await writeFile(join(dir, 'latency.json'), JSON.stringify({ default: { type: 'lognormal', p50Ms: 50, p99Ms: 10 } }))
    await writeFile(
      join(dir, 'creds.json'),
      JSON.stringify({ credentials: [{ accessKeyId: 'AKIA1', secretAccessKey: 's', principal: 'nobody' }] }),
    )
    await writeFile(join(dir, 'bad-seed.json'), JSON.stringify({ keys: [{ aliases: ['noprefix'] }] }))
    await rm(join(dir, 'state'), { recursive: true, force: true })
    await writeFile(join(dir, 'state-file'), 'x')
    const cases: [string[], string][] = [
      [['--latency', 'latency.json'], 'lognormal needs p99Ms >= p50Ms'],
      [['--credentials', 'creds.json'], 'credentials.0.principal: must be an IAM principal ARN'],
      [['--seed', 'bad-seed.json'], 'keys.0.aliases.0'],
      [['--state', 'state-file'], '--state: cannot create state directory'],
    ]
    for (const [args, message] of cases) {
      const c = capture(dir)
      expect(await main(['serve', '--port', '0', ...args], c.io)).toBe(2)
      expect(c.err()).toContain(message)
    }
  })

  it('exits 2 when the port is taken, naming it', async () => {
    const first = capture(dir)
    const done = main(['serve', '--port', '0'], first.io)
    await waitFor(() => first.out().includes('listening on'))
    const port = /:(\d+)\s*$/.exec(first.out().trim())?.[1] as string
    const second = capture(dir)
    expect(await main(['serve', '--port', port], second.io)).toBe(2)
    expect(second.err()).toContain(`--port ${port}: address 127.0.0.1:${port} is already in use`)
    first.abort()
    expect(await done).toBe(0)
  })
})

describe('serve: state directory lock, audit failures, pseudo-filesystems (issue 18)', () => {
  it('a second server on the same --state exits 2 naming the holder; a stale lock is taken over (18.7)', async () => {
    const state = join(dir, 'locked-state')
    const first = capture(dir)
    const done = main(['serve', '--port', '0', '--state', state], first.io)
    await waitFor(() => first.out().includes('listening on'))
    expect((await readFile(join(state, 'lock'), 'utf8')).trim()).toBe(String(process.pid))
    const second = capture(dir)
    expect(await main(['serve', '--port', '0', '--state', state], second.io)).toBe(2)
    expect(second.err()).toContain(`state directory ${state} is in use by process ${process.pid}`)
    expect(second.out()).toBe('')
    first.abort()
    expect(await done).toBe(0)
    // Released on a clean stop.
    await expect(readFile(join(state, 'lock'), 'utf8')).rejects.toThrow(/ENOENT/)
    // A lock left by a process that is gone (kill -9): pid 2^22 + 1 is above Linux's pid_max.
    await writeFile(join(state, 'lock'), '4194305\n')
    const third = capture(dir)
    const again = main(['serve', '--port', '0', '--state', state], third.io)
    await waitFor(() => third.out().includes('listening on'))
    third.abort()
    expect(await again).toBe(0)
  })

  it('audit write failures (ENOSPC on /dev/full) never fail KMS calls and show on stderr and in health (18.10)', async () => {
    const c = capture(dir)
    const done = main(['serve', '--port', '0', '--audit', '/dev/full'], c.io)
    await waitFor(() => c.out().includes('listening on'))
    const url = /listening on (http:\/\/\S+)/.exec(c.out())?.[1] as string
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${url}/`, {
        method: 'POST',
        headers: { 'x-amz-target': 'TrentService.CreateKey' },
        body: '{}',
      })
      expect(res.status).toBe(200)
      await res.arrayBuffer()
    }
    await waitFor(() => c.err().includes('audit: cannot write /dev/full'))
    const health = (await (await fetch(`${url}/kms-bench/health`)).json()) as Record<string, unknown>
    expect(health).toMatchObject({ status: 'degraded', audit: { file: '/dev/full', written: 0 } })
    expect((health['audit'] as { dropped: number }).dropped).toBeGreaterThanOrEqual(1)
    expect(String(health['problems'])).toContain('ENOSPC')
    // Reported once per distinct error, not once per event.
    expect(c.err().split('audit: cannot write').length - 1).toBe(1)
    c.abort()
    expect(await done).toBe(0)
  })

  it('--state and run --out under /proc exit 2 quickly, naming the path (18.12)', async () => {
    const c = capture(dir)
    expect(await main(['serve', '--port', '0', '--state', '/proc/kms-bench-state'], c.io)).toBe(2)
    expect(c.err()).toContain('/proc/kms-bench-state')
    expect(c.err()).toContain('pseudo-filesystem')
    const r = capture(dir)
    const code = await main(
      ['run', '--op', 'Encrypt', '--rate', '10', '--duration', '1s', '--out', '/proc/kms-bench-out', '--quiet'],
      r.io,
    )
    expect(code).toBe(2)
    expect(r.err()).toContain('/proc/kms-bench-out')
  })
})

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.0.0.2', 'localhost', '::1']) expect(isLoopbackHost(h)).toBe(true)
    for (const h of ['0.0.0.0', '10.0.0.1', '::', 'example.com']) expect(isLoopbackHost(h)).toBe(false)
  })
})
