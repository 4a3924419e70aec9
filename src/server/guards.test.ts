import { request } from 'node:http'
import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '../emulator.ts'
import { parseCredentialsFile } from './credentials.ts'
import { hostName } from './guards.ts'
import { startKmsServer, type KmsServer } from './http.ts'
import { NodeSha256 } from './sigv4.ts'

interface Reply {
  status: number
  body: string
}

/** A raw HTTP request (fetch cannot set Host or Origin). */
function call(
  server: KmsServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body = '',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers, setHost: !('host' in headers) },
      (res) => {
        let text = ''
        res.on('data', (d: Buffer) => (text += d.toString()))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }))
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

const CREDENTIALS = parseCredentialsFile({
  credentials: [
    {
      accessKeyId: 'AKIAAPPEXAMPLE000001',
      secretAccessKey: 'app-secret',
      principal: 'arn:aws:iam::111122223333:role/app',
    },
    {
      accessKeyId: 'AKIAOPSEXAMPLE000001',
      secretAccessKey: 'ops-secret',
      principal: 'arn:aws:iam::111122223333:user/ops',
      admin: true,
    },
  ],
})

/** Headers of a SigV4-signed request, signed as an SDK would for `method path`. */
async function signedHeaders(
  server: KmsServer,
  method: string,
  path: string,
  body: string,
  accessKeyId: string,
  secret: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: { accessKeyId, secretAccessKey: secret },
    region: 'us-east-1',
    service: 'kms',
    sha256: NodeSha256,
  })
  const host = `127.0.0.1:${server.port}`
  const signed = await signer.sign(
    new HttpRequest({ method, protocol: 'http:', hostname: '127.0.0.1', path, headers: { host, ...extra }, body }),
  )
  return { ...signed.headers }
}

function keyCount(emulator: Emulator): number {
  return emulator.callSync('ListKeys', {}).Keys?.length ?? 0
}

describe('admin routes under --auth sigv4 (issue 18.1)', () => {
  let emulator: Emulator
  let server: KmsServer
  beforeAll(async () => {
    emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    server = await startKmsServer({ emulator, port: 0, auth: 'sigv4', credentials: CREDENTIALS })
  })
  afterAll(() => server.close())

  it('refuses an unsigned reset and keeps every key', async () => {
    emulator.callSync('CreateKey', {})
    for (const path of ['/kms-bench/reset', '/moto-api/reset']) {
      const r = await call(server, 'POST', path, {})
      expect(r.status).toBe(400)
      expect(r.body).toContain('MissingAuthenticationTokenException')
    }
    expect(keyCount(emulator)).toBe(1)
  })

  it('refuses a reset signed by a credential without admin, and a forged signature', async () => {
    const app = await signedHeaders(server, 'POST', '/kms-bench/reset', '', 'AKIAAPPEXAMPLE000001', 'app-secret')
    const r = await call(server, 'POST', '/kms-bench/reset', app)
    expect(r.status).toBe(400)
    expect(JSON.parse(r.body)).toMatchObject({ __type: 'AccessDeniedException' })
    const forged = await signedHeaders(server, 'POST', '/kms-bench/reset', '', 'AKIAOPSEXAMPLE000001', 'guess')
    expect((await call(server, 'POST', '/kms-bench/reset', forged)).body).toContain('InvalidSignatureException')
    expect(keyCount(emulator)).toBe(1)
  })

  it('resets for an admin credential', async () => {
    const ops = await signedHeaders(server, 'POST', '/moto-api/reset', '', 'AKIAOPSEXAMPLE000001', 'ops-secret')
    const r = await call(server, 'POST', '/moto-api/reset', ops)
    expect(r).toEqual({ status: 200, body: '{"status":"ok"}' })
    expect(keyCount(emulator)).toBe(0)
  })

  it('needs a valid signature for usage; health stays open', async () => {
    expect((await call(server, 'GET', '/kms-bench/usage', {})).body).toContain('MissingAuthenticationTokenException')
    const app = await signedHeaders(server, 'GET', '/kms-bench/usage', '', 'AKIAAPPEXAMPLE000001', 'app-secret')
    expect((await call(server, 'GET', '/kms-bench/usage', app)).status).toBe(200)
    expect(await call(server, 'GET', '/kms-bench/health', {})).toEqual({ status: 200, body: '{"status":"ok"}' })
  })
})

describe('reset refuses cross-site requests in every mode (issue 18.1)', () => {
  let emulator: Emulator
  let server: KmsServer
  beforeAll(async () => {
    emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    server = await startKmsServer({ emulator, port: 0 })
  })
  afterAll(() => server.close())

  it('refuses a foreign Origin and the Content-Types a web page can send', async () => {
    emulator.callSync('CreateKey', {})
    const refused: Record<string, string>[] = [
      { origin: 'https://attacker.example' },
      { origin: 'null' },
      { 'content-type': 'text/plain' },
      { 'content-type': 'application/x-www-form-urlencoded' },
      { 'content-type': 'multipart/form-data; boundary=x' },
    ]
    for (const headers of refused) {
      const r = await call(server, 'POST', '/kms-bench/reset', headers, 'x')
      expect(r.status, JSON.stringify(headers)).toBe(403)
      expect(JSON.parse(r.body)).toMatchObject({ __type: 'AccessDeniedException' })
    }
    expect(keyCount(emulator)).toBe(1)
  })

  it("still resets for curl and boto3's requests.post (no Origin, no or a JSON Content-Type)", async () => {
    expect((await call(server, 'POST', '/moto-api/reset', {})).status).toBe(200)
    emulator.callSync('CreateKey', {})
    expect((await call(server, 'POST', '/kms-bench/reset', { 'content-type': 'application/json' }, '{}')).status).toBe(
      200,
    )
    expect(keyCount(emulator)).toBe(0)
  })
})

describe('Host check when bound to loopback (issue 18.5)', () => {
  let server: KmsServer
  let open: KmsServer
  beforeAll(async () => {
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0 } })
    server = await startKmsServer({ emulator, port: 0, allowedHosts: ['kms.internal'] })
    open = await startKmsServer({ emulator, host: '0.0.0.0', port: 0 })
  })
  afterAll(async () => {
    await server.close()
    await open.close()
  })

  const api = { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.ListKeys' }

  it('refuses a foreign Host on every route (a DNS-rebinding page)', async () => {
    for (const [method, path] of [
      ['POST', '/'],
      ['GET', '/kms-bench/health'],
      ['POST', '/moto-api/reset'],
    ] as const) {
      const r = await call(
        server,
        method,
        path,
        { ...api, host: `attacker.example:${server.port}` },
        method === 'GET' ? '' : '{}',
      )
      expect(r.status, `${method} ${path} ${r.body}`).toBe(403)
      expect(r.body).toContain("Host header 'attacker.example' is not allowed")
      expect(r.body).toContain('--allow-host attacker.example')
    }
  })

  it('answers loopback names and the allowed ones', async () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'app.localhost', 'KMS.internal']) {
      const r = await call(server, 'POST', '/', { ...api, host: `${host}:${server.port}` }, '{}')
      expect(r.status, host).toBe(200)
    }
  })

  it('does not check Host when bound to a non-loopback interface', async () => {
    const r = await call(open, 'POST', '/', { ...api, host: 'kms.example.com' }, '{}')
    expect(r.status).toBe(200)
  })

  it('parses host names with ports and IPv6 brackets', () => {
    expect(hostName('Example.COM:4599')).toBe('example.com')
    expect(hostName('[::1]:80')).toBe('[::1]')
    expect(hostName('localhost')).toBe('localhost')
  })
})
