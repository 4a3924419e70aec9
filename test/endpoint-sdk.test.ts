/**
 * The endpoint in-process, driven by the real `@aws-sdk/client-kms` (and the AWS Encryption
 * SDK on top of it): modeled errors arrive as the SDK's own classes, ThrottlingException is
 * classified as throttling and retried by the SDK's standard strategy, SigV4 is verified.
 */
import { buildClient, CommitmentPolicy, getClient, KMS, KmsKeyringNode } from '@aws-crypto/client-node'
import {
  CreateKeyCommand,
  DescribeKeyCommand,
  EncryptCommand,
  KMSClient,
  KMSServiceException,
  ListKeysCommand,
  NotFoundException,
} from '@aws-sdk/client-kms'
import { isThrottlingError } from '@smithy/core/retry'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEmulator, type Emulator } from '../src/emulator.ts'
import type { AuditEvent } from '../src/kms/audit.ts'
import { parseCredentialsFile, startKmsServer, type KmsServer } from '../src/server/index.ts'
import { localClient, runSdkScript } from './support/sdk-script.ts'

describe('endpoint with the AWS SDK', () => {
  let server: KmsServer
  beforeAll(async () => {
    server = await startKmsServer({ emulator: createEmulator({ profile: 'none', audit: { capacity: 0 } }), port: 0 })
  })
  afterAll(async () => {
    await server.close()
  })

  it('runs the whole SDK script (modeled errors as the SDK classes)', async () => {
    const kms = localClient(server.url)
    const steps = await runSdkScript(kms, 'sdk')
    kms.destroy()
    expect(steps.filter((s) => !s.pass)).toEqual([])
  })

  it('keeps Regions and accounts apart (Region from the SigV4 scope, account from a 12-digit key id)', async () => {
    const a = localClient(server.url, { region: 'eu-west-1', accessKeyId: '444455556666' })
    const b = localClient(server.url, { region: 'ap-southeast-2', accessKeyId: '444455556666' })
    const key = (await a.send(new CreateKeyCommand({}))).KeyMetadata!
    expect(key.Arn).toMatch(/^arn:aws:kms:eu-west-1:444455556666:key\//)
    const err = await b.send(new DescribeKeyCommand({ KeyId: key.KeyId })).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(NotFoundException)
    expect((await b.send(new ListKeysCommand({}))).Keys).toEqual([])
    a.destroy()
    b.destroy()
  })

  it('serves the AWS Encryption SDK unchanged', async () => {
    const kms = localClient(server.url, { region: 'us-west-2', accessKeyId: '111122223333' })
    const arn = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!
    kms.destroy()
    const keyring = new KmsKeyringNode({
      generatorKeyId: arn,
      clientProvider: getClient(KMS, {
        endpoint: server.url,
        credentials: { accessKeyId: '111122223333', secretAccessKey: 'x' },
      }),
    })
    const { encrypt, decrypt } = buildClient(CommitmentPolicy.REQUIRE_ENCRYPT_REQUIRE_DECRYPT)
    const { result } = await encrypt(keyring, 'a message for the encryption sdk', {
      encryptionContext: { tenant: 't1' },
    })
    const { plaintext, messageHeader } = await decrypt(keyring, result)
    expect(plaintext.toString()).toBe('a message for the encryption sdk')
    expect(messageHeader.encryptionContext).toMatchObject({ tenant: 't1' })
  })
})

/** A ThrottlingException as the SDK surfaces it: not modeled, so a KMSServiceException the retry strategy classifies as throttling. */
function expectThrottling(error: unknown): void {
  const e = error as KMSServiceException
  expect(e).toBeInstanceOf(KMSServiceException)
  expect(e.name).toBe('ThrottlingException')
  expect(e.message).toBe('You have exceeded the rate at which you may call KMS. Reduce the frequency of your calls.')
  expect(e.$fault).toBe('client')
  expect(e.$metadata.httpStatusCode).toBe(400)
  expect(isThrottlingError(e as unknown as Parameters<typeof isThrottlingError>[0])).toBe(true)
}

describe('throttling through the SDK', () => {
  let emulator: Emulator
  let server: KmsServer
  beforeAll(async () => {
    emulator = createEmulator({ quotas: { symmetric: 3 }, audit: { capacity: 0 } })
    server = await startKmsServer({ emulator, port: 0 })
  })
  afterAll(async () => {
    await server.close()
  })

  it('is classified as throttling and retried by the standard strategy', async () => {
    const setup = localClient(server.url)
    const keyId = (await setup.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!
    setup.destroy()
    // The SDK's defaults: retry mode standard, 3 attempts.
    const kms = new KMSClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    })
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) })).then(
          (r) => ({ ok: true as const, attempts: r.$metadata.attempts ?? 1, delay: r.$metadata.totalRetryDelay ?? 0 }),
          (e: unknown) => ({ ok: false as const, error: e }),
        ),
      ),
    )
    kms.destroy()
    const retried = results.filter((r) => r.ok && r.attempts > 1)
    expect(retried.length).toBeGreaterThan(0)
    // Throttling backoff starts at 500 ms × random (THROTTLING_RETRY_DELAY_BASE).
    expect(retried.every((r) => r.ok && r.delay > 0)).toBe(true)
    for (const r of results) {
      if (r.ok) continue
      expectThrottling(r.error)
      expect((r.error as KMSServiceException).$metadata.attempts).toBe(3)
    }
    // The quota meter, read over HTTP, saw the throttles.
    const usage = (await (await fetch(`${server.url}/kms-bench/usage`)).json()) as {
      pools: { pool: string; throttled: number; accepted: number; limit: number }[]
    }
    const sym = usage.pools.find((p) => p.pool === 'symmetric')
    expect(sym).toMatchObject({ limit: 3 })
    expect(sym!.throttled).toBeGreaterThan(0)
    expect(sym!.accepted).toBe(results.filter((r) => r.ok).length)
    // Without retries, 10 calls at once meet a 3/s quota: at most 6 fit, even across a window edge.
    const once = localClient(server.url)
    const single = await Promise.all(
      Array.from({ length: 10 }, () =>
        once.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) })).then(
          () => undefined,
          (e: unknown) => e,
        ),
      ),
    )
    once.destroy()
    const throttled = single.filter((e) => e !== undefined)
    expect(throttled.length).toBeGreaterThan(0)
    for (const e of throttled) {
      expectThrottling(e)
      expect((e as KMSServiceException).$metadata.attempts).toBe(1)
    }
  })
})

describe('SigV4 verification through the SDK', () => {
  const events: AuditEvent[] = []
  let server: KmsServer
  beforeAll(async () => {
    const credentials = parseCredentialsFile({
      credentials: [
        {
          accessKeyId: 'AKIAKMSBENCH00000001',
          secretAccessKey: 'right-secret',
          principal: 'arn:aws:iam::111122223333:user/alice',
        },
        {
          accessKeyId: 'AKIAKMSBENCH00000002',
          secretAccessKey: 'bobs-secret',
          principal: 'arn:aws:iam::111122223333:user/bob',
        },
      ],
    })
    const emulator = createEmulator({ profile: 'none', audit: { capacity: 0, sink: (e) => events.push(e) } })
    // Access is enforced as AWS does: alice has an identity policy, bob has none.
    emulator.putIdentityPolicy(
      'arn:aws:iam::111122223333:user/alice',
      'kms-all',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    )
    server = await startKmsServer({ emulator, port: 0, auth: 'sigv4', credentials })
  })
  afterAll(async () => {
    await server.close()
  })

  it('accepts the right secret and acts as the mapped principal', async () => {
    const kms = localClient(server.url, {
      region: 'eu-west-2',
      accessKeyId: 'AKIAKMSBENCH00000001',
      secretAccessKey: 'right-secret',
    })
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!
    expect(key.Arn).toMatch(/^arn:aws:kms:eu-west-2:111122223333:key\//)
    kms.destroy()
    const created = events.find((e) => e.eventName === 'CreateKey' && e.errorCode === undefined)
    expect(created?.userIdentity).toMatchObject({
      type: 'IAMUser',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
    })
    expect(created?.awsRegion).toBe('eu-west-2')
  })

  it('denies a principal without permissions with AccessDeniedException (text in `Message`, as AWS sends it)', async () => {
    const bob = localClient(server.url, {
      region: 'eu-west-2',
      accessKeyId: 'AKIAKMSBENCH00000002',
      secretAccessKey: 'bobs-secret',
    })
    const e = (await bob.send(new CreateKeyCommand({})).catch((x: unknown) => x)) as KMSServiceException
    bob.destroy()
    expect(e.name).toBe('AccessDeniedException')
    expect(e.message).toMatch(/^User: arn:aws:iam::111122223333:user\/bob is not authorized to perform: kms:CreateKey/)
  })

  it('rejects a wrong secret and an unknown access key as AWS does', async () => {
    const wrong = localClient(server.url, { accessKeyId: 'AKIAKMSBENCH00000001', secretAccessKey: 'wrong-secret' })
    const e1 = (await wrong.send(new ListKeysCommand({})).catch((e: unknown) => e)) as KMSServiceException
    expect(e1.name).toBe('InvalidSignatureException')
    expect(e1.$metadata.httpStatusCode).toBe(400)
    wrong.destroy()
    const unknown = localClient(server.url, { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' })
    const e2 = (await unknown.send(new ListKeysCommand({})).catch((e: unknown) => e)) as KMSServiceException
    expect(e2.name).toBe('UnrecognizedClientException')
    expect(e2.message).toBe('The security token included in the request is invalid.')
    unknown.destroy()
    const res = await fetch(`${server.url}/`, {
      method: 'POST',
      headers: { 'x-amz-target': 'TrentService.ListKeys' },
      body: '{}',
    })
    expect(await res.json()).toEqual({
      __type: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    })
  })
})
