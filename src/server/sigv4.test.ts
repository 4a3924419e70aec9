import { HttpRequest } from '@smithy/protocol-http'
import { SignatureV4 } from '@smithy/signature-v4'
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { parseCredentialsFile } from './credentials.ts'
import { NodeSha256, parseAmzDate, parseAuthorization, SigV4Verifier, type ReceivedRequest } from './sigv4.ts'

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0)
const store = parseCredentialsFile({
  credentials: [
    {
      accessKeyId: 'AKIAKMSBENCHTEST0001',
      secretAccessKey: 'secret/one',
      principal: 'arn:aws:iam::111122223333:role/app',
    },
  ],
})

/** Signs a KMS request the way the SDK does (SignatureV4 over the headers it sends). */
async function signed(
  options: {
    secret?: string
    accessKeyId?: string
    at?: number
    region?: string
    service?: string
    body?: string
  } = {},
): Promise<ReceivedRequest> {
  const body = options.body ?? '{"KeyId":"alias/app"}'
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: options.accessKeyId ?? 'AKIAKMSBENCHTEST0001',
      secretAccessKey: options.secret ?? 'secret/one',
    },
    region: options.region ?? 'eu-west-1',
    service: options.service ?? 'kms',
    sha256: NodeSha256,
  })
  const req = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4599,
      path: '/',
      headers: {
        host: '127.0.0.1:4599',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'TrentService.DescribeKey',
        'content-length': String(Buffer.byteLength(body)),
        'amz-sdk-request': 'attempt=1; max=3',
        'user-agent': 'aws-sdk-js/3',
      },
      body,
    }),
    { signingDate: new Date(options.at ?? NOW) },
  )
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v
  return { method: 'POST', url: '/', headers, body: Buffer.from(body) }
}

function verifier(): SigV4Verifier {
  return new SigV4Verifier({ credentials: store, clock: new VirtualClock(NOW) })
}

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p
  } catch (e) {
    return e as { name: string; message: string }
  }
  throw new Error('verification passed')
}

describe('NodeSha256', () => {
  it('computes SHA-256 and HMAC-SHA256 (RFC 4231 test case 2)', async () => {
    const h = new NodeSha256()
    h.update(new TextEncoder().encode('abc'))
    expect(Buffer.from(await h.digest()).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    const m = new NodeSha256('Jefe')
    m.update(new TextEncoder().encode('what do ya want for nothing?'))
    expect(Buffer.from(await m.digest()).toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    )
  })
})

describe('parseAuthorization', () => {
  it('reads the credential scope, signed headers and signature', () => {
    const a = parseAuthorization(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/kms/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    )
    expect(a).toMatchObject({
      accessKeyId: 'AKIDEXAMPLE',
      scopeDate: '20150830',
      region: 'us-east-1',
      service: 'kms',
      signedHeaders: ['host', 'x-amz-date'],
    })
  })

  it("answers IncompleteSignatureException with AWS's wording", () => {
    const bad = (h: string): string => {
      try {
        parseAuthorization(h)
      } catch (e) {
        expect((e as Error).name).toBe('IncompleteSignatureException')
        return (e as Error).message
      }
      throw new Error('parsed')
    }
    expect(bad('Bearer abc')).toContain(
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter.",
    )
    expect(bad('AWS4-HMAC-SHA256 Credential AKID/20150830/us-east-1/kms/aws4_request')).toContain(
      'not a valid key=value pair (missing equal-sign)',
    )
    expect(bad('AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/aws4_request, SignedHeaders=host')).toContain(
      "requires 'Signature' parameter",
    )
    expect(bad('AWS4-HMAC-SHA512 Credential=x')).toContain("Unsupported AWS 'algorithm'")
    expect(
      bad(
        `AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/kms/wrong, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
      ),
    ).toContain("terminator: 'aws4_request'")
    expect(
      bad(
        `AWS4-HMAC-SHA256 Credential=AKID/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=${'a'.repeat(64)}`,
      ),
    ).toContain('Credential should be of the form')
  })
})

describe('parseAmzDate', () => {
  it('parses the X-Amz-Date form and rejects impossible dates', () => {
    expect(parseAmzDate('20150830T123600Z')).toBe(Date.UTC(2015, 7, 30, 12, 36, 0))
    expect(parseAmzDate('20250231T000000Z')).toBeUndefined()
    expect(parseAmzDate('2015-08-30T12:36:00Z')).toBeUndefined()
  })
})

describe('SigV4Verifier', () => {
  it('accepts the AWS SigV4 test suite request get-vanilla', async () => {
    const v = new SigV4Verifier({
      credentials: parseCredentialsFile({
        credentials: [
          {
            accessKeyId: 'AKIDEXAMPLE',
            secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
            principal: 'arn:aws:iam::111122223333:user/test',
          },
        ],
      }),
      clock: new VirtualClock(Date.UTC(2015, 7, 30, 12, 36, 0)),
      service: 'service',
    })
    const credential = await v.verify({
      method: 'GET',
      url: '/',
      headers: {
        host: 'example.amazonaws.com',
        'x-amz-date': '20150830T123600Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
      },
      body: new Uint8Array(0),
    })
    expect(credential.principal).toBe('arn:aws:iam::111122223333:user/test')
  })

  it('accepts a request signed with the right secret and maps it to its principal and account', async () => {
    const c = await verifier().verify(await signed())
    expect(c).toMatchObject({ principal: 'arn:aws:iam::111122223333:role/app', account: '111122223333' })
  })

  it('rejects a wrong secret, a tampered body or header, as InvalidSignatureException', async () => {
    expect(await failure(verifier().verify(await signed({ secret: 'other' })))).toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining('does not match the signature you provided'),
    })
    const tampered = await signed()
    expect(
      await failure(verifier().verify({ ...tampered, body: Buffer.from('{"KeyId":"alias/other"}') })),
    ).toMatchObject({ name: 'InvalidSignatureException' })
    expect(
      await failure(
        verifier().verify({
          ...tampered,
          headers: { ...tampered.headers, 'x-amz-target': 'TrentService.ScheduleKeyDeletion' },
        }),
      ),
    ).toMatchObject({ name: 'InvalidSignatureException' })
    const { host: _host, ...noHost } = tampered.headers
    expect(await failure(verifier().verify({ ...tampered, headers: noHost }))).toMatchObject({
      name: 'InvalidSignatureException',
    })
  })

  it('rejects unknown access keys as UnrecognizedClientException', async () => {
    expect(await failure(verifier().verify(await signed({ accessKeyId: 'AKIAUNKNOWN000000000' })))).toEqual(
      expect.objectContaining({
        name: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      }),
    )
  })

  it('rejects a missing Authorization header as MissingAuthenticationTokenException', async () => {
    const req = await signed()
    const { authorization: _a, ...headers } = req.headers
    expect(await failure(verifier().verify({ ...req, headers }))).toMatchObject({
      name: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    })
  })

  it("rejects dates more than 5 minutes away with AWS's message, accepts them within (issue 18.3)", async () => {
    expect(await failure(verifier().verify(await signed({ at: NOW - 6 * 60_000 })))).toMatchObject({
      name: 'InvalidSignatureException',
      message: 'Signature expired: 20250115T115400Z is now earlier than 20250115T115500Z (20250115T120000Z - 5 min.)',
    })
    expect(await failure(verifier().verify(await signed({ at: NOW + 6 * 60_000 })))).toMatchObject({
      name: 'InvalidSignatureException',
      message:
        'Signature not yet current: 20250115T120600Z is still later than 20250115T120500Z (20250115T120000Z + 5 min.)',
    })
    await expect(verifier().verify(await signed({ at: NOW - 4 * 60_000 }))).resolves.toBeDefined()
    await expect(verifier().verify(await signed({ at: NOW + 4 * 60_000 }))).resolves.toBeDefined()
  })

  it('never takes UNSIGNED-PAYLOAD: a signed request with its body swapped is refused (issue 18.2)', async () => {
    // Signed for one key, with the payload hash claimed as UNSIGNED-PAYLOAD and signed as such.
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIAKMSBENCHTEST0001', secretAccessKey: 'secret/one' },
      region: 'eu-west-1',
      service: 'kms',
      sha256: NodeSha256,
    })
    const body = '{"KeyId":"alias/app"}'
    const req = await signer.sign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        headers: {
          host: '127.0.0.1:4599',
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'TrentService.DescribeKey',
          'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
        },
        body,
      }),
      { signingDate: new Date(NOW) },
    )
    const headers: Record<string, string> = {}
    for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v
    const swapped = Buffer.from('{"KeyId":"alias/other"}')
    expect(await failure(verifier().verify({ method: 'POST', url: '/', headers, body: swapped }))).toMatchObject({
      name: 'InvalidSignatureException',
    })
    // Even the original body is refused: the hash signed must be the body's SHA-256.
    expect(
      await failure(verifier().verify({ method: 'POST', url: '/', headers, body: Buffer.from(body) })),
    ).toMatchObject({ name: 'InvalidSignatureException' })
    // And an honest request with a swapped body fails the signature.
    const honest = await signed()
    expect(await failure(verifier().verify({ ...honest, body: swapped }))).toMatchObject({
      name: 'InvalidSignatureException',
    })
  })

  it('refuses a session token that was not issued, accepts the listed one (issue 18.4)', async () => {
    const sts = parseCredentialsFile({
      credentials: [
        {
          accessKeyId: 'AKIAKMSBENCHTEST0001',
          secretAccessKey: 'secret/one',
          principal: 'arn:aws:iam::111122223333:root',
        },
        {
          accessKeyId: 'ASIAKMSBENCHTEST0002',
          secretAccessKey: 'secret/two',
          sessionToken: 'issued-token',
          principal: 'arn:aws:sts::111122223333:assumed-role/app/s1',
        },
      ],
    })
    const v = new SigV4Verifier({ credentials: sts, clock: new VirtualClock(NOW) })
    const invalid = {
      name: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    }
    const withToken = async (accessKeyId: string, secret: string, token: string | undefined) => {
      const signer = new SignatureV4({
        credentials: { accessKeyId, secretAccessKey: secret, ...(token !== undefined ? { sessionToken: token } : {}) },
        region: 'eu-west-1',
        service: 'kms',
        sha256: NodeSha256,
      })
      const r = await signer.sign(
        new HttpRequest({
          method: 'POST',
          protocol: 'http:',
          hostname: '127.0.0.1',
          path: '/',
          headers: { host: '127.0.0.1:4599', 'x-amz-target': 'TrentService.ListKeys' },
          body: '{}',
        }),
        { signingDate: new Date(NOW) },
      )
      const headers: Record<string, string> = {}
      for (const [k, val] of Object.entries(r.headers)) headers[k.toLowerCase()] = val
      return { method: 'POST', url: '/', headers, body: Buffer.from('{}') }
    }
    // A made-up token on a long-term key, a wrong token, a missing token on temporary credentials.
    expect(await failure(v.verify(await withToken('AKIAKMSBENCHTEST0001', 'secret/one', 'made-up')))).toMatchObject(
      invalid,
    )
    expect(await failure(v.verify(await withToken('ASIAKMSBENCHTEST0002', 'secret/two', 'other')))).toMatchObject(
      invalid,
    )
    expect(await failure(v.verify(await withToken('ASIAKMSBENCHTEST0002', 'secret/two', undefined)))).toMatchObject(
      invalid,
    )
    await expect(
      v.verify(await withToken('ASIAKMSBENCHTEST0002', 'secret/two', 'issued-token')),
    ).resolves.toMatchObject({
      principal: 'arn:aws:sts::111122223333:assumed-role/app/s1',
    })
    await expect(v.verify(await withToken('AKIAKMSBENCHTEST0001', 'secret/one', undefined))).resolves.toBeDefined()
  })

  it('keeps refusing presigned (query-string) SigV4 (issue 18.6)', async () => {
    const signer = new SignatureV4({
      credentials: { accessKeyId: 'AKIAKMSBENCHTEST0001', secretAccessKey: 'secret/one' },
      region: 'eu-west-1',
      service: 'kms',
      sha256: NodeSha256,
    })
    const pre = await signer.presign(
      new HttpRequest({
        method: 'POST',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        headers: { host: '127.0.0.1:4599', 'x-amz-target': 'TrentService.ListKeys' },
        body: '{}',
      }),
      { signingDate: new Date(NOW), expiresIn: 300 },
    )
    const query = new URLSearchParams(pre.query as Record<string, string>).toString()
    expect(query).toContain('X-Amz-Signature=')
    const headers: Record<string, string> = {}
    for (const [k, val] of Object.entries(pre.headers)) headers[k.toLowerCase()] = val
    expect(
      await failure(verifier().verify({ method: 'POST', url: `/?${query}`, headers, body: Buffer.from('{}') })),
    ).toMatchObject({ name: 'MissingAuthenticationTokenException' })
  })

  it('rejects a scope for another service or an unknown Region', async () => {
    expect(await failure(verifier().verify(await signed({ service: 's3' })))).toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining("correct service: 'kms'"),
    })
    expect(await failure(verifier().verify(await signed({ region: 'mars-north-1' })))).toMatchObject({
      name: 'InvalidSignatureException',
      message: expect.stringContaining("valid region, not 'mars-north-1'"),
    })
  })

  it('rejects an x-amz-content-sha256 that does not match the body', async () => {
    const req = await signed()
    expect(
      await failure(
        verifier().verify({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': 'ab'.repeat(32) } }),
      ),
    ).toMatchObject({ name: 'InvalidSignatureException' })
  })
})

describe('parseCredentialsFile', () => {
  it('names every problem', () => {
    expect(() =>
      parseCredentialsFile({
        credentials: [
          { accessKeyId: 'AK 1', secretAccessKey: '', principal: 'bob' },
          { accessKeyId: 'AKIA1', secretAccessKey: 's', principal: 'arn:aws:iam::111122223333:root' },
          { accessKeyId: 'AKIA1', secretAccessKey: 's', principal: 'arn:aws:iam::111122223333:root' },
        ],
      }),
    ).toThrow(
      /credentials\.0\.accessKeyId: .*credentials\.0\.secretAccessKey: must not be empty.*credentials\.0\.principal: must be an IAM principal ARN.*duplicate access key id 'AKIA1'/,
    )
    expect(() => parseCredentialsFile({ credentials: [] })).toThrow('needs at least one credential')
    expect(() => parseCredentialsFile({ keys: [] })).toThrow(/credentials: .*|Unrecognized key/)
  })
})
