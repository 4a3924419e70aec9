/**
 * Custom key stores end to end: the real `@aws-sdk/client-kms` against `kms-bench serve` as a
 * child process. Both store types are created, connected (CONNECTING, then CONNECTED after
 * `--key-store-connect` of clock time), hold keys that encrypt and decrypt, answer the
 * documented errors once disconnected (API_DisconnectCustomKeyStore.html; cryptographic calls
 * "return KMSInvalidStateException for all failures related to the ... connection state",
 * xks-troubleshooting.html), fail connecting with a documented ConnectionErrorCode, count in
 * both the shared pool and the store's own pool exactly (requests-per-second.html, "Custom key
 * store request quotas"), and pay the latency model's customKeyStore term.
 */
import {
  ConnectCustomKeyStoreCommand,
  CreateCustomKeyStoreCommand,
  CreateKeyCommand,
  CustomKeyStoreInvalidStateException,
  DecryptCommand,
  DescribeCustomKeyStoresCommand,
  DescribeKeyCommand,
  DisconnectCustomKeyStoreCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateRandomCommand,
  KMSInvalidStateException,
  type KMSClient,
  ReEncryptCommand,
  XksProxyUriUnreachableException,
} from '@aws-sdk/client-kms'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { HSM_STORE as HSM, XKS_STORE as XKS } from '../src/kms/test-support.ts'
import { startServeChild, type ServeChild } from './support/serve-child.ts'
import { localClient } from './support/sdk-script.ts'

const children: ServeChild[] = []
let dir = ''
afterAll(async () => {
  for (const c of children.splice(0)) await c.stop('SIGKILL').catch(() => {})
  if (dir !== '') await rm(dir, { recursive: true, force: true })
})

const CONNECT_MS = 400
const XKS_TRIP_MS = 300

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const plain = Buffer.from('secret')

async function state(kms: KMSClient, id: string) {
  return (await kms.send(new DescribeCustomKeyStoresCommand({ CustomKeyStoreId: id }))).CustomKeyStores?.[0]
}

/** Polls until the store leaves CONNECTING (bounded: the connect time plus slack). */
async function settled(kms: KMSClient, id: string) {
  const deadline = Date.now() + CONNECT_MS + 10_000
  for (;;) {
    const s = await state(kms, id)
    if (s?.ConnectionState !== 'CONNECTING' || Date.now() > deadline) return s
    await sleep(250) // DescribeCustomKeyStores: 5/s
  }
}

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now()
  await f()
  return performance.now() - t0
}

describe('custom key stores through the SDK and kms-bench serve', () => {
  it('create, connect in clock time, keys, crypto, disconnect errors, FAILED, both quota pools, proxy latency', async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-bench-cks-'))
    const latency = join(dir, 'latency.json')
    await writeFile(
      latency,
      JSON.stringify({ customKeyStore: { EXTERNAL_KEY_STORE: { type: 'constant', ms: XKS_TRIP_MS } } }),
    )
    const server = await startServeChild([
      '--profile',
      'aws-default',
      '--key-store-connect',
      `${CONNECT_MS}ms`,
      '--latency',
      latency,
    ])
    children.push(server)
    // Control-plane calls here have 5/s quotas: the SDK's standard retries absorb a throttle.
    const kms = localClient(server.url, { maxAttempts: 5 })

    // Create both types; a public proxy that cannot resolve is refused up front.
    const hsm = (await kms.send(new CreateCustomKeyStoreCommand(HSM))).CustomKeyStoreId as string
    const xks = (await kms.send(new CreateCustomKeyStoreCommand(XKS))).CustomKeyStoreId as string
    const unreachable = await kms
      .send(
        new CreateCustomKeyStoreCommand({
          ...XKS,
          CustomKeyStoreName: 'gone',
          XksProxyUriEndpoint: 'https://a.invalid',
        }),
      )
      .catch((e: unknown) => e)
    expect(unreachable).toBeInstanceOf(XksProxyUriUnreachableException)
    expect((await state(kms, hsm))?.ConnectionState).toBe('DISCONNECTED')

    // Connect: CONNECTING right after the call, CONNECTED once the connect time has passed.
    const t0 = Date.now()
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }))
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: xks }))
    expect((await state(kms, hsm))?.ConnectionState).toBe('CONNECTING')
    const early = await kms
      .send(new CreateKeyCommand({ CustomKeyStoreId: hsm, Origin: 'AWS_CLOUDHSM' }))
      .catch((e: unknown) => e)
    expect(early).toBeInstanceOf(CustomKeyStoreInvalidStateException)
    expect((await settled(kms, hsm))?.ConnectionState).toBe('CONNECTED')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(CONNECT_MS)
    expect((await settled(kms, xks))?.ConnectionState).toBe('CONNECTED')

    // Keys in the stores: the documented metadata, and real encryption (our own key material).
    const hsmKey = (await kms.send(new CreateKeyCommand({ CustomKeyStoreId: hsm, Origin: 'AWS_CLOUDHSM' })))
      .KeyMetadata!
    expect(hsmKey).toMatchObject({
      Origin: 'AWS_CLOUDHSM',
      CustomKeyStoreId: hsm,
      CloudHsmClusterId: HSM.CloudHsmClusterId,
      KeyState: 'Enabled',
    })
    const xksKey = (
      await kms.send(new CreateKeyCommand({ CustomKeyStoreId: xks, Origin: 'EXTERNAL_KEY_STORE', XksKeyId: 'ext-1' }))
    ).KeyMetadata!
    expect(xksKey).toMatchObject({ Origin: 'EXTERNAL_KEY_STORE', XksKeyConfiguration: { Id: 'ext-1' } })
    expect((await kms.send(new DescribeKeyCommand({ KeyId: xksKey.KeyId }))).KeyMetadata?.XksKeyConfiguration?.Id).toBe(
      'ext-1',
    )
    const plainKey = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!

    // Quotas: every store call counts in the symmetric pool and in that store's pool.
    const before = await usage(server.url)
    const ct = (await kms.send(new EncryptCommand({ KeyId: hsmKey.KeyId, Plaintext: plain }))).CiphertextBlob!
    for (let i = 0; i < 4; i++) await kms.send(new EncryptCommand({ KeyId: hsmKey.KeyId, Plaintext: plain }))
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: ct }))
    expect(Buffer.from(back.Plaintext!).toString()).toBe('secret')
    expect(back.KeyId).toBe(hsmKey.Arn)
    await kms.send(new GenerateDataKeyCommand({ KeyId: hsmKey.KeyId, KeySpec: 'AES_256' }))
    await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: hsm }))
    for (let i = 0; i < 3; i++) await kms.send(new EncryptCommand({ KeyId: plainKey.KeyId, Plaintext: plain }))
    // ReEncrypt from the HSM key to the XKS key: both stores once, the symmetric pool once.
    const moved = await kms.send(new ReEncryptCommand({ CiphertextBlob: ct, DestinationKeyId: xksKey.KeyId }))
    expect(moved.SourceKeyId).toBe(hsmKey.Arn)
    await kms.send(new DescribeKeyCommand({ KeyId: hsmKey.KeyId })) // an API-pool call: no store pool
    const after = await usage(server.url)
    const delta = (pool: string) => (after.get(pool) ?? 0) - (before.get(pool) ?? 0)
    // HSM store: 5 Encrypt + 1 Decrypt + 1 GenerateDataKey + 1 GenerateRandom + 1 ReEncrypt.
    expect(delta(`custom-key-store:${hsm}`)).toBe(9)
    expect(delta(`custom-key-store:${xks}`)).toBe(1)
    // Symmetric: those 9 (ReEncrypt counts once for its two symmetric keys) + 3 on the plain key.
    expect(delta('symmetric')).toBe(12)
    expect(delta('api:DescribeKey')).toBe(1)

    // The proxy round trip (latency model's customKeyStore term) on XKS calls only.
    const xksMs = await timed(() => kms.send(new EncryptCommand({ KeyId: xksKey.KeyId, Plaintext: plain })))
    const hsmMs = await timed(() => kms.send(new EncryptCommand({ KeyId: hsmKey.KeyId, Plaintext: plain })))
    expect(xksMs).toBeGreaterThanOrEqual(XKS_TRIP_MS)
    expect(hsmMs).toBeLessThan(xksMs)

    // Disconnected: crypto answers KMSInvalidStateException, store calls the store's exception.
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }))
    const dec = await kms.send(new DecryptCommand({ CiphertextBlob: ct })).catch((e: unknown) => e)
    expect(dec).toBeInstanceOf(KMSInvalidStateException)
    expect((dec as Error).message).toBe(`${hsmKey.Arn} is unavailable.`)
    const rnd = await kms
      .send(new GenerateRandomCommand({ NumberOfBytes: 16, CustomKeyStoreId: hsm }))
      .catch((e: unknown) => e)
    expect(rnd).toBeInstanceOf(CustomKeyStoreInvalidStateException)
    const again = await kms
      .send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }))
      .catch((e: unknown) => e)
    expect(again).toBeInstanceOf(CustomKeyStoreInvalidStateException)
    expect((await kms.send(new DescribeKeyCommand({ KeyId: hsmKey.KeyId }))).KeyMetadata?.KeyState).toBe('Unavailable')

    // FAILED: a simulated cluster problem (admin route), then cleared and reconnected.
    const fail = (code: string | null) =>
      fetch(`${server.url}/kms-bench/custom-key-store-failure`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ CustomKeyStoreId: hsm, ConnectionErrorCode: code }),
      })
    const wrongType = await fail('XKS_PROXY_TIMED_OUT')
    expect(wrongType.status).toBe(400)
    expect(await wrongType.text()).toContain('not documented for a AWS_CLOUDHSM key store')
    expect((await fail('INSUFFICIENT_CLOUDHSM_HSMS')).status).toBe(200)
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }))
    expect(await settled(kms, hsm)).toMatchObject({
      ConnectionState: 'FAILED',
      ConnectionErrorCode: 'INSUFFICIENT_CLOUDHSM_HSMS',
    })
    const reconnect = await kms
      .send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }))
      .catch((e: unknown) => e)
    expect(reconnect).toBeInstanceOf(CustomKeyStoreInvalidStateException)
    expect((await fail(null)).status).toBe(200)
    await kms.send(new DisconnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }))
    await kms.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: hsm }))
    expect((await settled(kms, hsm))?.ConnectionState).toBe('CONNECTED')
    const ok = await kms.send(new DecryptCommand({ CiphertextBlob: ct }))
    expect(Buffer.from(ok.Plaintext!).toString()).toBe('secret')

    // The store's own pool throttles on its own: 1/s, three calls at once.
    const limited = await startServeChild(['--profile', 'aws-default', '--quota', 'custom-key-store=1'])
    children.push(limited)
    const k2 = localClient(limited.url)
    const s2 = (await k2.send(new CreateCustomKeyStoreCommand(HSM))).CustomKeyStoreId as string
    await k2.send(new ConnectCustomKeyStoreCommand({ CustomKeyStoreId: s2 }))
    expect((await settled(k2, s2))?.ConnectionState).toBe('CONNECTED')
    const key2 = (await k2.send(new CreateKeyCommand({ CustomKeyStoreId: s2, Origin: 'AWS_CLOUDHSM' }))).KeyMetadata!
    const outcomes = await Promise.all(
      [0, 1, 2].map(() =>
        k2.send(new EncryptCommand({ KeyId: key2.KeyId, Plaintext: plain })).then(
          () => 'ok',
          (e: unknown) => ((e as Error).name === 'ThrottlingException' ? 'throttled' : String(e)),
        ),
      ),
    )
    const u2 = await usageRows(limited.url)
    const storeRow = u2.find((p) => p.pool === `custom-key-store:${s2}`)
    const symRow = u2.find((p) => p.pool === 'symmetric')
    const okCount = outcomes.filter((o) => o === 'ok').length
    expect(okCount + outcomes.filter((o) => o === 'throttled').length).toBe(3)
    expect(okCount).toBeLessThanOrEqual(2) // at most two one-second windows
    expect(storeRow).toMatchObject({ accepted: okCount, throttled: 3 - okCount })
    // A call the store throttled is throttled as a whole: the shared pool counts only the accepted ones.
    expect(symRow?.accepted).toBe(okCount)
  }, 60_000)
})

interface UsageRow {
  pool: string
  accepted: number
  throttled: number
}

async function usageRows(url: string): Promise<UsageRow[]> {
  const u = (await (await fetch(`${url}/kms-bench/usage`)).json()) as { pools: UsageRow[] }
  return u.pools
}

/** Accepted calls per pool (one account and Region here). */
async function usage(url: string): Promise<Map<string, number>> {
  return new Map((await usageRows(url)).map((p) => [p.pool, p.accepted]))
}
