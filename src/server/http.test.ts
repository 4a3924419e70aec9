import { Agent, request } from 'node:http'
import { connect } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '../emulator.ts'
import { OPERATION_NAMES } from '../kms/model.generated.ts'
import { createLatencyModel } from '../load/scenario/index.ts'
import { SERVER_FAULT_TYPES } from './errors.ts'
import { startKmsServer, type KmsServer } from './http.ts'

interface Answer {
  status: number
  type: string | undefined
  body: string
  requestId: string | null
}

async function post(
  server: KmsServer,
  target: string | undefined,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${server.url}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(target !== undefined ? { 'x-amz-target': target } : {}),
      ...headers,
    },
    body,
    signal: AbortSignal.timeout(10_000),
  })
  const text = await res.text()
  let type: string | undefined
  try {
    type = (JSON.parse(text) as { __type?: string }).__type
  } catch {
    type = undefined
  }
  return { status: res.status, type, body: text, requestId: res.headers.get('x-amzn-requestid') }
}

/**
 * Writes `raw` on a fresh loopback connection (then half-closes it when `end`) and resolves
 * with everything the server sent once the connection closes.
 */
function rawExchange(port: number, raw: string, options: { end?: boolean } = {}): Promise<string> {
  return new Promise((resolve) => {
    let got = ''
    const s = connect(port, '127.0.0.1', () => {
      s.write(raw)
      if (options.end === true) s.end()
    })
    s.on('data', (d: Buffer) => (got += d.toString()))
    s.on('close', () => resolve(got))
    s.on('error', () => resolve(got))
  })
}

/** Everything the endpoint may answer: a 2xx, a 4xx, or a 5xx of a declared server fault. */
function expectDeclared(a: Answer): void {
  expect(a.requestId).toMatch(/^[0-9a-f-]{36}$/)
  if (a.status >= 500) expect(SERVER_FAULT_TYPES.has(a.type ?? '')).toBe(true)
  else expect(a.status === 200 || (a.status >= 400 && a.status < 500)).toBe(true)
  if (a.status >= 400) expect(a.type).toBeTypeOf('string')
}

describe('KMS endpoint (in-process)', () => {
  let emulator: Emulator
  let server: KmsServer
  let keyId: string

  beforeAll(async () => {
    emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    server = await startKmsServer({ emulator, port: 0 })
    keyId = emulator.callSync('CreateKey', {}).KeyMetadata!.KeyId
  })
  afterAll(async () => {
    await server.close()
  })

  it('serves an operation and answers the AWS JSON shape with a request id', async () => {
    const a = await post(
      server,
      'TrentService.Encrypt',
      JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from('hi').toString('base64') }),
    )
    expect(a.status).toBe(200)
    const out = JSON.parse(a.body) as { CiphertextBlob: string; KeyId: string }
    expect(out.KeyId).toContain(keyId)
    expect(Buffer.from(out.CiphertextBlob, 'base64').length).toBeGreaterThan(100)
    expectDeclared(a)
  })

  it('answers every request of one connection on its own headers (target, Host, credential scope, user agent change between requests)', async () => {
    // A server of its own, auditing: the audit log shows the caller of each call.
    const audited = createEmulator({ profile: 'none' })
    const own = await startKmsServer({ emulator: audited, port: 0 })
    const keyId = audited.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const port = Number(new URL(own.url).port)
    const encrypt = JSON.stringify({ KeyId: keyId, Plaintext: Buffer.from('hi').toString('base64') })
    const request = (headers: Record<string, string>, body = encrypt): string =>
      `POST / HTTP/1.1\r\n${Object.entries({
        host: `127.0.0.1:${port}`,
        'content-type': 'application/x-amz-json-1.1',
        ...headers,
        'content-length': String(Buffer.byteLength(body)),
      })
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('')}\r\n${body}`
    const scope = (region: string): string =>
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/${region}/kms/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`
    const enc = { 'x-amz-target': 'TrentService.Encrypt' }
    // Pipelined on one keep-alive connection, answered in order.
    const raw = await rawExchange(
      port,
      [
        request({ ...enc, authorization: scope('us-east-1'), 'user-agent': 'a' }),
        request({ ...enc, authorization: scope('us-east-1'), 'user-agent': 'a', host: 'evil.example' }),
        request({ ...enc, authorization: scope('xx-nowhere-1'), 'user-agent': 'a' }),
        request({ 'x-amz-target': 'TrentService.Nope', authorization: scope('us-east-1'), 'user-agent': 'a' }),
        request({ ...enc, authorization: scope('us-east-1'), 'user-agent': 'b' }),
        request({ ...enc }),
        request({ 'x-amz-target': 'TrentService.ListKeys' }, '{}'),
      ].join(''),
      { end: true },
    )
    const answers = raw.split(/(?=HTTP\/1\.1 )/).map((a) => ({
      status: Number(a.slice(9, 12)),
      type: /"__type":"([^"]+)"/.exec(a)?.[1],
      keys: a.includes('"Keys"'),
    }))
    expect(answers.map((a) => a.status)).toEqual([200, 403, 400, 400, 200, 200, 200])
    expect(answers[1]?.type).toBe('AccessDeniedException')
    expect(answers[2]?.type).toBe('InvalidSignatureException')
    expect(answers[3]?.type).toBe('UnknownOperationException')
    expect(answers[6]?.keys).toBe(true)
    // The callers the core saw: the user agent of each request, not the connection's first.
    const encrypts = audited.auditEvents().filter((e) => e.eventName === 'Encrypt' && e.errorCode === undefined)
    expect(encrypts.map((e) => e.userAgent)).toEqual(['a', 'b', 'unknown'])
    await own.close()
  })

  it('authenticates each encryption context as sent, when a connection repeats one or changes it', async () => {
    const audited = createEmulator({ profile: 'none' })
    const own = await startKmsServer({ emulator: audited, port: 0 })
    const keyId = audited.callSync('CreateKey', {}).KeyMetadata!.KeyId
    // One keep-alive connection for every call.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    const ports = new Set<number>()
    const call = (target: string, input: unknown): Promise<{ status: number; json: Record<string, unknown> }> =>
      new Promise((resolve, reject) => {
        const body = JSON.stringify(input)
        const req = request(
          `${own.url}/`,
          {
            method: 'POST',
            agent,
            headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}` },
          },
          (res) => {
            ports.add(res.socket.localPort ?? 0)
            let text = ''
            res.on('data', (d: Buffer) => (text += d.toString()))
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as Record<string, unknown> }),
            )
          },
        )
        req.on('error', reject)
        req.end(body)
      })
    const plaintext = Buffer.from('hi').toString('base64')
    const ctx = { tenant: 'a', app: 'x' }
    const c1 = (await call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: ctx })).json
    const c2 = (await call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: { ...ctx } })).json
    const decrypt = (blob: unknown, context: Record<string, string>) =>
      call('Decrypt', { CiphertextBlob: blob, EncryptionContext: context })
    // Same keys in the same order as the connection's last context, another value.
    const wrong = await decrypt(c2['CiphertextBlob'], { tenant: 'a', app: 'y' })
    expect([wrong.status, wrong.json['__type']]).toEqual([400, 'InvalidCiphertextException'])
    expect((await decrypt(c1['CiphertextBlob'], { app: 'x', tenant: 'a' })).status).toBe(200)
    expect((await decrypt(c2['CiphertextBlob'], { tenant: 'a' })).status).toBe(400)
    expect((await decrypt(c2['CiphertextBlob'], { tenant: 'a', app: 'x', more: '1' })).status).toBe(400)
    const right = await decrypt(c2['CiphertextBlob'], { tenant: 'a', app: 'x' })
    expect([right.status, right.json['Plaintext']]).toEqual([200, plaintext])
    expect(ports.size).toBe(1)
    // The audit log has each call's context as sent.
    const contexts = audited
      .auditEvents()
      .filter((e) => e.eventName === 'Encrypt' || e.eventName === 'Decrypt')
      .map((e) => JSON.stringify((e.requestParameters as { encryptionContext?: unknown } | null)?.encryptionContext))
    expect(contexts).toEqual([
      '{"tenant":"a","app":"x"}',
      '{"tenant":"a","app":"x"}',
      '{"tenant":"a","app":"y"}',
      '{"app":"x","tenant":"a"}',
      '{"tenant":"a"}',
      '{"tenant":"a","app":"x","more":"1"}',
      '{"tenant":"a","app":"x"}',
    ])
    agent.destroy()
    await own.close()
  })

  it('answers protocol errors as AWS does', async () => {
    expect(await post(server, 'TrentService.Nope', '{}')).toMatchObject({
      status: 400,
      type: 'UnknownOperationException',
    })
    expect(await post(server, 'Other.Encrypt', '{}')).toMatchObject({ status: 400, type: 'UnknownOperationException' })
    expect(await post(server, undefined, '{}')).toMatchObject({ status: 400, type: 'UnknownOperationException' })
    expect(await post(server, 'TrentService.Encrypt', '{"KeyId":')).toMatchObject({
      status: 400,
      type: 'SerializationException',
    })
    expect(await post(server, 'TrentService.Encrypt', '{"KeyId":5}')).toMatchObject({
      status: 400,
      type: 'SerializationException',
    })
    expect(
      await post(server, 'TrentService.Encrypt', JSON.stringify({ KeyId: keyId, Plaintext: '%%%' })),
    ).toMatchObject({ status: 400, type: 'SerializationException' })
    expect(await post(server, 'TrentService.DescribeKey', '{}')).toMatchObject({
      status: 400,
      type: 'ValidationException',
    })
    expect(await post(server, 'TrentService.DescribeKey', '{"KeyId":"alias/missing"}')).toMatchObject({
      status: 400,
      type: 'NotFoundException',
    })
    // 400 as recorded against real AWS (localstack-kms-aws-snapshot.json), not the model's 412.
    expect(
      await post(server, 'TrentService.Encrypt', JSON.stringify({ KeyId: keyId, Plaintext: 'aGk=', DryRun: true })),
    ).toMatchObject({ status: 400, type: 'DryRunOperationException' })
  })

  it('answers 413 to a body over 1 MiB without reading it, declared or chunked', async () => {
    const big = new Uint8Array(1024 * 1024 + 10).fill(0x20)
    expect(await post(server, 'TrentService.Encrypt', big)).toMatchObject({
      status: 413,
      type: 'RequestEntityTooLargeException',
    })
    // Chunked (no content-length): the limit applies while reading.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 20; i++) controller.enqueue(new Uint8Array(128 * 1024).fill(0x20))
        controller.close()
      },
    })
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.Encrypt' },
      body: stream,
      duplex: 'half',
      signal: AbortSignal.timeout(10_000),
    } as RequestInit).catch((e: unknown) => e)
    if (res instanceof Response) expect(res.status).toBe(413)
    // Either way the server is still fine.
    expect((await fetch(`${server.url}/kms-bench/health`)).status).toBe(200)
  })

  it('answers 413 to a chunked body once it passes the limit, before it ends', async () => {
    // A small limit, so the whole over-limit body fits in one socket read and the server
    // closes with a FIN: the client always gets to read the answer (fetch above may see a reset).
    const small = await startKmsServer({ emulator, port: 0, maxBodyBytes: 1000 })
    try {
      const chunk = '{'.padEnd(800, ' ')
      // Two 800-byte chunks and no terminating chunk: only the limit can end this request.
      const answer = await rawExchange(
        small.port,
        `POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.Encrypt\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n${chunk}\r\n320\r\n${chunk}\r\n`,
      )
      expect(answer).toMatch(/^HTTP\/1\.1 413/)
      expect(answer).toContain('"__type":"RequestEntityTooLargeException"')
      expect(answer).toContain('Request body is larger than 1000 bytes')
      expect(small.inFlight).toBe(0)
    } finally {
      await small.close()
    }
  })

  it('serves the usage meter, moto-style reset and health', async () => {
    const usage = (await (await fetch(`${server.url}/kms-bench/usage`)).json()) as {
      pools: unknown[]
      seconds: unknown[]
    }
    expect(Array.isArray(usage.pools)).toBe(true)
    const tmp = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    const s2 = await startKmsServer({ emulator: tmp, port: 0 })
    try {
      tmp.callSync('CreateKey', {})
      const res = await fetch(`${s2.url}/moto-api/reset`, { method: 'POST' })
      expect(await res.json()).toEqual({ status: 'ok' })
      expect(tmp.callSync('ListKeys', {}).Keys).toEqual([])
      tmp.callSync('CreateKey', {})
      await fetch(`${s2.url}/kms-bench/reset`, { method: 'POST' })
      expect(tmp.callSync('ListKeys', {}).Keys).toEqual([])
    } finally {
      await s2.close()
    }
    expect((await fetch(`${server.url}/nowhere`)).status).toBe(404)
  })

  it('takes the Region from the credential scope and the account from a 12-digit access key id', async () => {
    const auth =
      'AWS4-HMAC-SHA256 Credential=210987654321/20250101/eu-central-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
      '0'.repeat(64)
    const a = await post(server, 'TrentService.CreateKey', '{}', { authorization: auth })
    expect(a.status).toBe(200)
    expect((JSON.parse(a.body) as { KeyMetadata: { Arn: string } }).KeyMetadata.Arn).toMatch(
      /^arn:aws:kms:eu-central-1:210987654321:key\//,
    )
    const bad = await post(server, 'TrentService.ListKeys', '{}', {
      authorization: auth.replace('eu-central-1', 'eu-centrl-1'),
    })
    expect(bad).toMatchObject({ status: 400, type: 'InvalidSignatureException' })
    expect(bad.body).toContain("not 'eu-centrl-1'")
  })

  it('never crashes, hangs or sends an undeclared 5xx on random and mutated requests (fuzz)', async () => {
    const valid = { KeyId: keyId, Plaintext: Buffer.from('fuzz').toString('base64'), EncryptionContext: { a: 'b' } }
    const jsonValue = fc.jsonValue({ maxDepth: 4 })
    const body = fc.oneof(
      fc.string({ maxLength: 200 }),
      jsonValue.map((v) => JSON.stringify(v)),
      // Valid requests with one member replaced by a random JSON value.
      fc
        .record({
          member: fc.constantFrom(
            'KeyId',
            'Plaintext',
            'EncryptionContext',
            'GrantTokens',
            'DryRun',
            'NumberOfBytes',
            'KeySpec',
            'Tags',
          ),
          value: jsonValue,
        })
        .map(({ member, value }) => JSON.stringify({ ...valid, [member]: value })),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
    )
    const target = fc.oneof(
      fc.constantFrom(...OPERATION_NAMES).map((op) => `TrentService.${op}`),
      fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    )
    const printable = fc.stringMatching(/^[\x20-\x7e]{0,60}$/)
    const authorization = fc
      .tuple(
        fc.stringMatching(/^[A-Za-z0-9]{0,14}$/),
        fc.constantFrom('20250101', '2025', ''),
        fc.constantFrom('us-east-1', 'eu-west-1', 'xx-nowhere-1', ''),
        fc.constantFrom('kms', 's3', ''),
        printable,
      )
      .map(
        ([ak, d, r, svc, rest]) =>
          `AWS4-HMAC-SHA256 Credential=${ak}/${d}/${r}/${svc}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${rest}`,
      )
    const header = fc.oneof(
      fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/), printable),
      fc.tuple(fc.constant('authorization'), fc.oneof(authorization, printable)),
      fc.tuple(fc.constantFrom('x-amz-date', 'content-type', 'x-amz-content-sha256', 'user-agent'), printable),
    )
    await fc.assert(
      fc.asyncProperty(target, body, fc.array(header, { maxLength: 4 }), async (t, b, hs) => {
        const headers = Object.fromEntries(
          hs.filter(
            ([k]) =>
              ![
                'content-length',
                'host',
                'transfer-encoding',
                'connection',
                'expect',
                'upgrade',
                'keep-alive',
                'te',
                'trailer',
              ].includes(k),
          ),
        )
        const a = await post(server, t, b, headers)
        expectDeclared(a)
        // A 500 here would be a bug in a handler (KMSInternalException): none expected.
        expect(a.status).toBeLessThan(500)
      }),
      { numRuns: 300 },
    )
  })

  it('survives raw garbage on the socket', async () => {
    for (const raw of [
      'GARBAGE\r\n\r\n',
      'POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n{',
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      '\x00\x01\x02',
    ]) {
      await rawExchange(server.port, raw, { end: true })
    }
    expect((await fetch(`${server.url}/kms-bench/health`)).status).toBe(200)
  })
})

describe('KMS endpoint latency and shutdown', () => {
  it('adds the modelled service time before answering', async () => {
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    const server = await startKmsServer({
      emulator,
      port: 0,
      latency: createLatencyModel({ default: { type: 'constant', ms: 150 } }, Math.random),
    })
    try {
      const t0 = performance.now()
      const a = await post(server, 'TrentService.ListKeys', '{}')
      expect(a.status).toBe(200)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(145)
    } finally {
      await server.close()
    }
  })

  it('drains in-flight requests on close, then refuses new connections', async () => {
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    const server = await startKmsServer({
      emulator,
      port: 0,
      latency: createLatencyModel({ default: { type: 'constant', ms: 300 } }, Math.random),
    })
    const pending = post(server, 'TrentService.CreateKey', '{}')
    await new Promise((r) => setTimeout(r, 50))
    expect(server.inFlight).toBe(1)
    const closed = server.close()
    const a = await pending
    expect(a.status).toBe(200)
    await closed
    await expect(fetch(`${server.url}/kms-bench/health`)).rejects.toThrow()
  })

  it('answers 408 to a request whose body never finishes, and settles it', async () => {
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    const server = await startKmsServer({ emulator, port: 0, requestTimeoutMs: 400 })
    try {
      const answer = await rawExchange(
        server.port,
        'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: TrentService.ListKeys\r\nContent-Length: 10\r\n\r\n{}',
      )
      expect(answer).toMatch(/^HTTP\/1\.1 408/)
      expect(answer).toContain('RequestTimeoutException')
      await new Promise((r) => setTimeout(r, 50))
      expect(server.inFlight).toBe(0)
    } finally {
      await server.close()
    }
  })

  it('reads a body sent in pieces, and settles a request whose client leaves mid-body', async () => {
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    const server = await startKmsServer({ emulator, port: 0 })
    const head = (length: number): string =>
      `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: TrentService.GenerateRandom\r\nContent-Length: ${length}\r\n\r\n`
    const body = '{"NumberOfBytes":       16}'
    try {
      // Headers, then the body in three writes some time apart: one request, answered once whole.
      const answer = await new Promise<string>((resolve) => {
        let got = ''
        const s = connect(server.port, '127.0.0.1', () => {
          s.write(head(body.length) + body.slice(0, 5))
          setTimeout(() => s.write(body.slice(5, 12)), 30)
          setTimeout(() => s.write(body.slice(12)), 60)
        })
        s.on('data', (d: Buffer) => {
          got += d.toString()
          if (got.includes('"Plaintext"')) s.end()
        })
        s.on('close', () => resolve(got))
      })
      expect(answer).toMatch(/^HTTP\/1\.1 200/)
      expect(Buffer.from(/"Plaintext":"([^"]+)"/.exec(answer)?.[1] ?? '', 'base64').length).toBe(16)
      // Half a body, then the client is gone: nothing is answered, and the request settles.
      await new Promise<void>((resolve) => {
        const s = connect(server.port, '127.0.0.1', () => {
          s.write(head(body.length) + body.slice(0, 5))
          setTimeout(() => s.destroy(), 30)
        })
        s.on('close', () => resolve())
      })
      for (let i = 0; i < 50 && server.inFlight > 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(server.inFlight).toBe(0)
      expect((await post(server, 'TrentService.ListKeys', '{}')).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it('logs an unexpected error and answers KMSInternalException', async () => {
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    const lines: string[] = []
    const broken = {
      ...emulator,
      tryCall: () => {
        throw new TypeError('boom')
      },
    } as unknown as typeof emulator
    const server = await startKmsServer({ emulator: broken, port: 0, log: (l) => lines.push(l) })
    try {
      const a = await post(server, 'TrentService.ListKeys', '{}')
      expect(a).toMatchObject({ status: 500, type: 'KMSInternalException' })
      expect(lines.join('\n')).toContain('boom')
      expect(lines.join('\n')).toContain(a.requestId)
    } finally {
      await server.close()
    }
  })
})
