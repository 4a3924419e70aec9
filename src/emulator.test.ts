import { describe, expect, it } from 'vitest'
import { VirtualClock, VIRTUAL_EPOCH_MS } from './clock.ts'
import { createEmulator, THROTTLED, type CallResult, type Emulator, type EmulatorOptions } from './emulator.ts'
import type { CallerInput } from './kms/caller.ts'
import { ThrottlingException, THROTTLING_MESSAGE } from './kms/errors.ts'
import { awsOwnedKeyCaller } from './kms/aws-owned-keys.ts'
import { newKeyRecord } from './kms/key-factory.ts'
import type { OperationInputs, OperationName } from './kms/model.generated.ts'
import { QuotaConfigError, type PoolUsage } from './quota/index.ts'

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('createEmulator', () => {
  it('creates a key and round-trips Encrypt/Decrypt with an encryption context', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    const caller = { account: '111122223333', region: 'us-east-1', principal: 'arn:aws:iam::111122223333:role/app' }
    kms.putIdentityPolicy(
      caller.principal,
      'app',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    )
    const { KeyMetadata } = await kms.call('CreateKey', {}, caller)
    expect(KeyMetadata?.KeyId).toMatch(/^[0-9a-f-]{36}$/)
    expect(KeyMetadata?.Arn).toBe(`arn:aws:kms:us-east-1:111122223333:key/${KeyMetadata?.KeyId}`)
    const out = await kms.call(
      'Encrypt',
      { KeyId: KeyMetadata!.KeyId, Plaintext: bytes('hello'), EncryptionContext: { tenant: 'a' } },
      caller,
    )
    expect(out.CiphertextBlob!.byteLength).toBe(5 + 112)
    const back = await kms.call(
      'Decrypt',
      { CiphertextBlob: out.CiphertextBlob!, EncryptionContext: { tenant: 'a' } },
      caller,
    )
    expect(new TextDecoder().decode(back.Plaintext)).toBe('hello')
    await expect(
      kms.call('Decrypt', { CiphertextBlob: out.CiphertextBlob!, EncryptionContext: { tenant: 'b' } }, caller),
    ).rejects.toMatchObject({
      name: 'InvalidCiphertextException',
    })
  })

  it('rejects with AWS error names and messages, never a TypeError', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    await expect(kms.call('DescribeKey', { KeyId: 'nope' })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: "Invalid keyId 'nope'",
    })
    await expect(kms.call('GenerateDataKey', { KeyId: 'alias/missing', KeySpec: 'AES_256' })).rejects.toMatchObject({
      name: 'NotFoundException',
      message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/missing is not found.',
    })
    // @ts-expect-error deliberately wrong input type
    await expect(kms.call('Encrypt', { KeyId: 5 })).rejects.toMatchObject({ name: 'ValidationException' })
    // @ts-expect-error deliberately unknown operation
    await expect(kms.call('Frobnicate', {})).rejects.toMatchObject({ name: 'UnknownOperationException' })
    await expect(kms.call('DescribeKey', { KeyId: 'x' }, { principal: 'not-an-arn' })).rejects.toMatchObject({
      name: 'ValidationException',
    })
  })

  it('creates AWS managed keys on first use of alias/aws/<service>', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    const a = await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' })
    const b = await kms.call('DescribeKey', { KeyId: 'alias/aws/s3' })
    expect(a.KeyMetadata?.KeyManager).toBe('AWS')
    expect(b.KeyMetadata?.KeyId).toBe(a.KeyMetadata?.KeyId)
  })

  it('audits every call, failures included, without plaintext', async () => {
    const kms = createEmulator({ clock: new VirtualClock() })
    const { KeyMetadata } = await kms.call('CreateKey', {})
    await kms.call('Encrypt', { KeyId: KeyMetadata!.KeyId, Plaintext: bytes('secret-value') })
    await kms.call('DescribeKey', { KeyId: 'nope' }).catch(() => undefined)
    const events = kms.auditEvents()
    expect(events.map((e) => e.eventName)).toEqual(['CreateKey', 'Encrypt', 'DescribeKey'])
    expect(events[1]?.resources?.[0]?.ARN).toBe(KeyMetadata?.Arn)
    expect(events[2]).toMatchObject({
      errorCode: 'NotFoundException',
      eventSource: 'kms.amazonaws.com',
      awsRegion: 'us-east-1',
    })
    expect(JSON.stringify(events)).not.toContain('secret-value')
    expect(events[0]?.eventTime).toBe('2025-01-01T00:00:00.000Z')
  })
})

// ---- quotas (requests-per-second.html, throttling.html; kms-facts.md §1) ------------------

const T0 = VIRTUAL_EPOCH_MS // a whole epoch second
const A = '111122223333'
const B = '444455556666'

/** Runs `perSecond` evenly spaced calls in each of `seconds` seconds from `start`; counts outcomes. */
function drive(
  clock: VirtualClock,
  seconds: number,
  perSecond: number,
  call: () => CallResult<OperationName>,
  start = clock.now(),
): { ok: number; throttled: number; other: number } {
  const n = { ok: 0, throttled: 0, other: 0 }
  for (let s = 0; s < seconds; s++) {
    for (let i = 0; i < perSecond; i++) {
      clock.advanceTo(start + s * 1000 + (i * 1000) / perSecond)
      const r = call()
      if (r.ok) n.ok++
      else if (r.error === THROTTLED) n.throttled++
      else n.other++
    }
  }
  clock.advanceTo(start + seconds * 1000)
  return n
}

function pool(kms: Emulator, name: string, account = A, region = 'us-east-1'): PoolUsage | undefined {
  return kms.usage().pools.find((p) => p.pool === name && p.account === account && p.region === region)
}

function setup(options: EmulatorOptions = {}): {
  kms: Emulator
  clock: VirtualClock
  key: (caller?: CallerInput, input?: OperationInputs['CreateKey']) => string
} {
  const clock = new VirtualClock(T0)
  const kms = createEmulator({ clock, audit: { capacity: 0 }, quotas: { 'api:CreateKey': 1000 }, ...options })
  return { kms, clock, key: (caller, input = {}) => kms.callSync('CreateKey', input, caller).KeyMetadata!.KeyId }
}

/** A symmetric key record in a custom key store (CreateKey does not model stores), stored directly. */
function customStoreKey(kms: Emulator, account: string, region: string, storeId: string): string {
  const key = newKeyRecord(
    {
      account,
      region,
      now: kms.clock.now(),
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      customKeyStoreId: storeId,
      origin: 'AWS_CLOUDHSM',
    },
    kms.core.random,
  )
  kms.core.store.region(account, region).keys.set(key.keyId, key)
  return key.arn
}

const pt = bytes('0123456789abcdef0123456789abcdef')

describe('quotas: fixed one-second windows', () => {
  it('offered 2× the symmetric quota for 2 s, accepts exactly 10,000 × 2 (ap-south-1, aws-default)', () => {
    const { kms, clock, key } = setup({ defaultRegion: 'ap-south-1' })
    const k = key()
    clock.advanceTo(T0 + 1000)
    const n = drive(clock, 2, 20_000, () => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }))
    expect(n).toEqual({ ok: 20_000, throttled: 20_000, other: 0 })
    expect(pool(kms, 'symmetric', A, 'ap-south-1')).toEqual({
      pool: 'symmetric',
      account: A,
      region: 'ap-south-1',
      limit: 10_000,
      accepted: 20_000,
      throttled: 20_000,
      peakPerSecond: 20_000,
      utilization: 2,
      throttledSeconds: 2,
    })
  })

  it('shares the symmetric pool between operations: 9,500 GenerateDataKey + 1,000 Encrypt in one second throttles 500', () => {
    // The docs' own example, with a 10,000/s quota.
    const { kms, clock, key } = setup({ defaultRegion: 'sa-east-1' })
    const k = key()
    clock.advanceTo(T0 + 1000)
    let throttled = 0
    for (let i = 0; i < 10_500; i++) {
      const r =
        i % 21 < 19
          ? kms.tryCall('GenerateDataKey', { KeyId: k, KeySpec: 'AES_256' })
          : kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt })
      if (!r.ok && r.error === THROTTLED) throttled++
    }
    expect(throttled).toBe(500)
  })

  it('resets on whole-second boundaries of the clock', () => {
    const { kms, clock, key } = setup({ quotas: { symmetric: 3, 'api:CreateKey': 10 } })
    const k = key()
    const enc = (): boolean => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }).ok
    clock.advanceTo(T0 + 1997)
    expect([enc(), enc(), enc(), enc()]).toEqual([true, true, true, false])
    clock.advanceTo(T0 + 1999)
    expect(enc()).toBe(false)
    clock.advanceTo(T0 + 2000) // the next second starts 3 ms after the quota was used: no sliding window
    expect([enc(), enc(), enc(), enc()]).toEqual([true, true, true, false])
  })

  it('keeps pools independent: symmetric, RSA, ECC, key pairs and per-API quotas', () => {
    const { kms, clock, key } = setup({
      quotas: { symmetric: 10, rsa: 4, 'api:CreateKey': 10, 'api:DescribeKey': 3, 'key-pair:ECC_NIST_P384': 2 },
    })
    const sym = key()
    const rsa = key(undefined, { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' })
    const ecc = key(undefined, { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' })
    clock.advanceTo(T0 + 1000)
    const count = (f: () => CallResult<OperationName>, times: number): number => {
      let ok = 0
      for (let i = 0; i < times; i++) if (f().ok) ok++
      return ok
    }
    const msg = bytes('m')
    expect(count(() => kms.tryCall('Encrypt', { KeyId: sym, Plaintext: pt }), 20)).toBe(10)
    expect(
      count(() => kms.tryCall('Sign', { KeyId: rsa, Message: msg, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }), 20),
    ).toBe(4)
    expect(count(() => kms.tryCall('Sign', { KeyId: ecc, Message: msg, SigningAlgorithm: 'ECDSA_SHA_256' }), 20)).toBe(
      20,
    ) // ecc: 1,000/s
    expect(count(() => kms.tryCall('DescribeKey', { KeyId: sym }), 20)).toBe(3)
    expect(count(() => kms.tryCall('GenerateDataKeyPair', { KeyId: sym, KeyPairSpec: 'ECC_NIST_P384' }), 5)).toBe(2) // its own quota
    expect(count(() => kms.tryCall('GenerateDataKeyPair', { KeyId: sym, KeyPairSpec: 'ECC_NIST_P256' }), 5)).toBe(5)
    expect(pool(kms, 'symmetric')).toMatchObject({ accepted: 10, throttled: 10 })
    expect(pool(kms, 'rsa')).toMatchObject({ accepted: 4, throttled: 16 })
    expect(pool(kms, 'key-pair:ECC_NIST_P384')).toMatchObject({ limit: 2, accepted: 2, throttled: 3 })
  })

  it('keeps Regions and accounts independent', () => {
    const { kms, clock, key } = setup({ quotas: { symmetric: 5, 'api:CreateKey': 10 } })
    const callers = [
      { account: A, region: 'us-east-1' },
      { account: A, region: 'eu-west-1' },
      { account: B, region: 'us-east-1' },
    ]
    const keys = callers.map((c) => key(c))
    clock.advanceTo(T0 + 1000)
    const oks = callers.map((c, i) => {
      let ok = 0
      for (let j = 0; j < 8; j++) if (kms.tryCall('Encrypt', { KeyId: keys[i]!, Plaintext: pt }, c).ok) ok++
      return ok
    })
    expect(oks).toEqual([5, 5, 5])
    expect(
      kms
        .usage()
        .pools.filter((p) => p.pool === 'symmetric')
        .map((p) => [p.account, p.region, p.accepted, p.throttled]),
    ).toEqual([
      [A, 'eu-west-1', 5, 3],
      [A, 'us-east-1', 5, 3],
      [B, 'us-east-1', 5, 3],
    ])
  })

  it("uses each Region's quota from the profile", () => {
    const { kms } = setup()
    expect(kms.quotaLimit('symmetric', 'us-east-1')).toBe(100_000)
    expect(kms.quotaLimit('symmetric', 'eu-west-2')).toBe(20_000)
    expect(kms.quotaLimit('symmetric', 'ca-central-1')).toBe(10_000)
    expect(kms.quotaLimit('api:CreateKey')).toBe(1000) // the override in setup()
    const old = setup({ profile: 'aws-2020', defaultRegion: 'ap-south-1', quotas: { 'api:CreateKey': 1000 } })
    const k = old.key()
    old.clock.advanceTo(T0 + 1000)
    expect(drive(old.clock, 1, 6000, () => old.kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }))).toEqual({
      ok: 5500,
      throttled: 500,
      other: 0,
    })
  })

  it('applies overrides (a quota increase) and quotaScale', () => {
    const { kms, clock, key } = setup({
      defaultRegion: 'ap-south-1',
      quotas: { symmetric: 12_000, 'api:CreateKey': 8 },
      quotaScale: 0.25,
    })
    expect(kms.quotaLimit('symmetric')).toBe(3000)
    expect(kms.quotaLimit('api:CreateKey')).toBe(2)
    const k = key()
    clock.advanceTo(T0 + 1000)
    expect(drive(clock, 2, 4000, () => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }))).toEqual({
      ok: 6000,
      throttled: 2000,
      other: 0,
    })
    expect(drive(clock, 2, 3, () => kms.tryCall('CreateKey', {}))).toEqual({ ok: 4, throttled: 2, other: 0 })
  })
})

describe('quotas: who is charged', () => {
  it('charges cross-account calls to the calling account, not the key owner', () => {
    const { kms, clock, key } = setup({ quotas: { symmetric: 5, 'api:CreateKey': 10 } })
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: [`arn:aws:iam::${B}:root`, `arn:aws:iam::${A}:root`] },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    })
    const keyArnInB = `arn:aws:kms:us-east-1:${B}:key/${key({ account: B }, { Policy: policy })}`
    clock.advanceTo(T0 + 1000)
    let ok = 0
    for (let i = 0; i < 8; i++) if (kms.tryCall('Encrypt', { KeyId: keyArnInB, Plaintext: pt }, { account: A }).ok) ok++
    expect(ok).toBe(5)
    expect(pool(kms, 'symmetric', A)).toMatchObject({ accepted: 5, throttled: 3 })
    expect(pool(kms, 'symmetric', B)).toBeUndefined()
    // the owner's own quota is untouched
    expect(kms.tryCall('Encrypt', { KeyId: keyArnInB, Plaintext: pt }, { account: B }).ok).toBe(true)
  })

  it("charges calls AWS services make on the caller's behalf (S3 SSE-KMS) to the caller's account", () => {
    const { kms, clock, key } = setup({ quotas: { symmetric: 4, 'api:CreateKey': 10 } })
    const k = key()
    clock.advanceTo(T0 + 1000)
    const role = `arn:aws:iam::${A}:role/app`
    kms.putIdentityPolicy(
      role,
      'kms',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    )
    const s3 = { account: A, principal: role, viaService: 's3.us-east-1.amazonaws.com' }
    const results = [0, 1, 2].map(() => kms.tryCall('GenerateDataKey', { KeyId: k, KeySpec: 'AES_256' }, s3).ok)
    results.push(...[0, 1].map(() => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }, { account: A }).ok))
    expect(results).toEqual([true, true, true, true, false])
    expect(pool(kms, 'symmetric')).toMatchObject({ accepted: 4, throttled: 1 })
  })

  it('charges nothing for AWS owned keys', () => {
    const { kms, clock } = setup({ quotas: { symmetric: 2, 'api:DescribeKey': 1 } })
    const owned = kms.core.createAwsOwnedKey('dynamodb', 'us-east-1')
    expect(owned.awsOwned).toBe(true)
    // DynamoDB calls KMS as itself (in its own account) to protect a customer's table
    const ddb = awsOwnedKeyCaller('dynamodb', 'us-east-1')
    clock.advanceTo(T0 + 1000)
    expect(
      drive(clock, 2, 50, () => kms.tryCall('GenerateDataKey', { KeyId: owned.arn, KeySpec: 'AES_256' }, ddb)),
    ).toEqual({ ok: 100, throttled: 0, other: 0 })
    const blob = kms.callSync('Encrypt', { KeyId: owned.arn, Plaintext: pt }, ddb).CiphertextBlob!
    expect(drive(clock, 1, 50, () => kms.tryCall('Decrypt', { CiphertextBlob: blob }, ddb))).toEqual({
      ok: 50,
      throttled: 0,
      other: 0,
    })
    // a customer cannot use it directly (AccessDenied), and is not charged for trying
    expect(
      drive(clock, 1, 10, () => kms.tryCall('Encrypt', { KeyId: owned.arn, Plaintext: pt }, { account: A })),
    ).toEqual({ ok: 0, throttled: 0, other: 10 })
    expect(kms.usage().pools.filter((p) => p.pool === 'symmetric' || p.pool === 'api:DescribeKey')).toEqual([])
  })
})

describe('quotas: custom key stores, ReEncrypt, ReplicateKey, UpdatePrimaryRegion, hot keys', () => {
  it('counts custom key store calls against the store (1,800/s) and the symmetric pool', () => {
    const { kms, clock, key } = setup({ defaultRegion: 'ap-south-1' })
    const store = 'cks-1234567890abcdef0'
    const inStore = customStoreKey(kms, A, 'ap-south-1', store)
    const inStore2 = customStoreKey(kms, A, 'ap-south-1', store)
    const plain = key()
    clock.advanceTo(T0 + 1000)
    // 2,500/s on two keys of one store: the store admits 1,800, charged to symmetric too
    let i = 0
    const n = drive(clock, 1, 2500, () =>
      kms.tryCall('Encrypt', { KeyId: i++ % 2 === 0 ? inStore : inStore2, Plaintext: pt }),
    )
    expect(n).toEqual({ ok: 1800, throttled: 700, other: 0 })
    expect(pool(kms, `custom-key-store:${store}`, A, 'ap-south-1')).toMatchObject({
      limit: 1800,
      accepted: 1800,
      throttled: 700,
    })
    expect(pool(kms, 'symmetric', A, 'ap-south-1')).toMatchObject({ accepted: 1800, throttled: 0 })
    // in the same kind of second, other keys get the rest of the symmetric quota: 10,000 − 1,800
    const start = clock.now()
    let inStoreOk = 0
    let plainOk = 0
    for (let j = 0; j < 1800; j++) if (kms.tryCall('Encrypt', { KeyId: inStore, Plaintext: pt }).ok) inStoreOk++
    for (let j = 0; j < 9000; j++) if (kms.tryCall('Encrypt', { KeyId: plain, Plaintext: pt }).ok) plainOk++
    expect(clock.now()).toBe(start)
    expect([inStoreOk, plainOk]).toEqual([1800, 8200])
  })

  it('charges a Decrypt that names no key to the store of the key its ciphertext names', () => {
    const { kms, clock } = setup({ quotas: { 'custom-key-store': 3 } })
    const inStore = customStoreKey(kms, A, 'us-east-1', 'cks-aaaaaaaaaaaaaaaaa')
    const blob = kms.callSync('Encrypt', { KeyId: inStore, Plaintext: pt }).CiphertextBlob!
    clock.advanceTo(T0 + 1000)
    const oks = [0, 1, 2, 3].map(() => kms.tryCall('Decrypt', { CiphertextBlob: blob }).ok)
    expect(oks).toEqual([true, true, true, false])
  })

  it('charges a ReEncrypt once to the pool of each key type it uses', () => {
    const { kms, clock, key } = setup()
    const sym1 = key()
    const sym2 = key()
    const rsa = key(undefined, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })
    const blob = kms.callSync('Encrypt', { KeyId: sym1, Plaintext: pt }).CiphertextBlob!
    clock.advanceTo(T0 + 1000)
    // (the Encrypt above was 1 symmetric request)
    expect(kms.tryCall('ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: sym2 }).ok).toBe(true)
    expect(pool(kms, 'symmetric')).toMatchObject({ accepted: 2 })
    expect(pool(kms, 'rsa')).toBeUndefined()
    kms.tryCall('ReEncrypt', {
      CiphertextBlob: blob,
      DestinationKeyId: rsa,
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    })
    expect(pool(kms, 'symmetric')).toMatchObject({ accepted: 3 })
    expect(pool(kms, 'rsa')).toMatchObject({ accepted: 1 })
  })

  it('throttles a ReEncrypt when either key type has no room, and then charges neither', () => {
    const { kms, clock, key } = setup({ quotas: { rsa: 1, 'api:CreateKey': 10 } })
    const sym = key()
    const rsa = key(undefined, { KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' })
    const blob = kms.callSync('Encrypt', { KeyId: sym, Plaintext: pt }).CiphertextBlob!
    clock.advanceTo(T0 + 1000)
    const re = (): CallResult<'ReEncrypt'> =>
      kms.tryCall('ReEncrypt', {
        CiphertextBlob: blob,
        DestinationKeyId: rsa,
        DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      })
    expect(re()).not.toMatchObject({ error: THROTTLED })
    expect(re()).toMatchObject({ ok: false, error: THROTTLED })
    expect(pool(kms, 'symmetric')).toMatchObject({ accepted: 2, throttled: 0 }) // the Encrypt and the first ReEncrypt
    expect(pool(kms, 'rsa')).toMatchObject({ accepted: 1, throttled: 1 })
  })

  it('counts ReplicateKey as 1 ReplicateKey here plus 2 CreateKey in the replica Region', () => {
    const { kms, clock, key } = setup({ quotas: {} })
    const mrk = key(undefined, { MultiRegion: true }) // CreateKey in us-east-1 at T0
    clock.advanceTo(T0 + 1000)
    const west = { region: 'us-west-2' }
    expect([0, 1].map(() => kms.tryCall('CreateKey', {}, west).ok)).toEqual([true, true]) // 2 of 5
    const first = kms.tryCall('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'us-west-2' })
    expect(first.ok || first.error !== THROTTLED).toBe(true) // admitted: 4 of 5 CreateKey in us-west-2
    expect(kms.tryCall('CreateKey', {}, west).ok).toBe(true) // 5 of 5
    expect(kms.tryCall('CreateKey', {}, west)).toMatchObject({ error: THROTTLED })
    // a ReplicateKey to a Region whose CreateKey quota is full is throttled and charges nothing here
    expect(kms.tryCall('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'us-west-2' })).toMatchObject({ error: THROTTLED })
    expect(pool(kms, 'api:ReplicateKey')).toMatchObject({ accepted: 1, throttled: 0 })
    expect(pool(kms, 'api:CreateKey', A, 'us-west-2')).toMatchObject({ accepted: 5, throttled: 3 })
  })

  it('counts UpdatePrimaryRegion once in each affected Region', () => {
    const { kms, clock, key } = setup({ quotas: { 'hot-key': 100 } })
    const mrk = key(undefined, { MultiRegion: true })
    clock.advanceTo(T0 + 1000)
    const east = { region: 'us-east-1' }
    const west = { region: 'us-west-2' }
    // 3 from us-east-1 toward us-west-2 and 2 from us-west-2 toward us-east-1: 5 in each Region
    for (let i = 0; i < 3; i++)
      expect(kms.tryCall('UpdatePrimaryRegion', { KeyId: mrk, PrimaryRegion: 'us-west-2' }, east)).not.toMatchObject({
        error: THROTTLED,
      })
    for (let i = 0; i < 2; i++)
      expect(kms.tryCall('UpdatePrimaryRegion', { KeyId: mrk, PrimaryRegion: 'us-east-1' }, west)).not.toMatchObject({
        error: THROTTLED,
      })
    // us-east-1 is full: a call from eu-west-1 toward it is throttled and charges eu-west-1 nothing
    expect(
      kms.tryCall('UpdatePrimaryRegion', { KeyId: mrk, PrimaryRegion: 'us-east-1' }, { region: 'eu-west-1' }),
    ).toMatchObject({ error: THROTTLED })
    expect(pool(kms, 'api:UpdatePrimaryRegion', A, 'us-east-1')).toMatchObject({ accepted: 5, throttled: 1 })
    expect(pool(kms, 'api:UpdatePrimaryRegion', A, 'us-west-2')).toMatchObject({ accepted: 5, throttled: 0 })
    expect(pool(kms, 'api:UpdatePrimaryRegion', A, 'eu-west-1')).toMatchObject({ accepted: 0, throttled: 0 })
  })

  it('throttles a volley of state changes on one key under the per-API quotas (hot key)', () => {
    const { kms, clock, key } = setup()
    const k = key()
    const other = key()
    clock.advanceTo(T0 + 1000)
    // 3 DisableKey + 3 EnableKey: each under its own 5/s quota, 6 state changes on one key > 5
    const results = [0, 1, 2].flatMap(() => [
      kms.tryCall('DisableKey', { KeyId: k }).ok,
      kms.tryCall('EnableKey', { KeyId: k }).ok,
    ])
    expect(results).toEqual([true, true, true, true, true, false])
    expect(kms.tryCall('DisableKey', { KeyId: other }).ok).toBe(true) // another key is not hot
    expect(pool(kms, 'hot-key')).toMatchObject({ limit: 5, accepted: 6, throttled: 1 })
    // the throttle is metered on the pool that had no room, not on EnableKey's own quota
    expect(pool(kms, 'api:EnableKey')).toMatchObject({ accepted: 2, throttled: 0 })
  })

  it("charges an unknown key to the operation's default pool; the core then answers as AWS would", () => {
    const { kms, clock } = setup({ quotas: { symmetric: 1 } })
    clock.advanceTo(T0 + 1000)
    const missing = '11111111-2222-3333-4444-555555555555'
    expect(kms.tryCall('Encrypt', { KeyId: missing, Plaintext: pt })).toMatchObject({
      ok: false,
      error: { name: 'NotFoundException' },
    })
    expect(kms.tryCall('Encrypt', { KeyId: missing, Plaintext: pt })).toMatchObject({ error: THROTTLED })
  })
})

describe('quotas: the throttled call', () => {
  it("does no work, costs nothing, and is audited with ThrottlingException and AWS's message", async () => {
    const clock = new VirtualClock(T0)
    const kms = createEmulator({ clock })
    for (let i = 0; i < 5; i++) kms.callSync('CreateKey', {})
    expect(() => kms.callSync('CreateKey', {})).toThrow(ThrottlingException)
    await expect(kms.call('CreateKey', {})).rejects.toMatchObject({
      name: 'ThrottlingException',
      message: THROTTLING_MESSAGE,
    })
    expect(kms.callSync('ListKeys', {}).Keys).toHaveLength(5)
    const events = kms.auditEvents().filter((e) => e.eventName === 'CreateKey')
    expect(events).toHaveLength(7)
    expect(events[6]).toMatchObject({ errorCode: 'ThrottlingException', errorMessage: THROTTLING_MESSAGE })
    // tryCall returns the one shared frozen error; callSync throws a fresh one
    const r1 = kms.tryCall('CreateKey', {})
    const r2 = kms.tryCall('CreateKey', {})
    expect(r1).toBe(r2)
    expect(r1).toMatchObject({ ok: false, error: THROTTLED })
    expect(Object.isFrozen(r1) && Object.isFrozen(THROTTLED)).toBe(true)
    let e1: unknown
    let e2: unknown
    try {
      kms.callSync('CreateKey', {})
    } catch (e) {
      e1 = e
    }
    try {
      kms.callSync('CreateKey', {})
    } catch (e) {
      e2 = e
    }
    expect(e1).toBeInstanceOf(ThrottlingException)
    expect(e1).not.toBe(e2)
    expect(e1).not.toBe(THROTTLED)
  })

  it('is decided before validation, as at the front door', () => {
    const { kms, clock } = setup({ quotas: { symmetric: 0 } })
    clock.advanceTo(T0 + 1000)
    // @ts-expect-error deliberately invalid input
    expect(kms.tryCall('Encrypt', { KeyId: 5 })).toMatchObject({ error: THROTTLED })
  })

  it("profile 'none' has no gate: nothing is throttled or metered", () => {
    const clock = new VirtualClock(T0)
    const kms = createEmulator({ clock, profile: 'none', audit: { capacity: 0 } })
    expect(kms.quotaConfig).toBeUndefined()
    expect(drive(clock, 1, 50, () => kms.tryCall('CreateKey', {}))).toEqual({ ok: 50, throttled: 0, other: 0 })
    expect(kms.usage()).toEqual({ pools: [], seconds: [] })
  })

  it('createEmulator rejects a bad profile or override with one QuotaConfigError naming every problem', () => {
    expect(() => createEmulator({ profile: 'aws-defualt' })).toThrow(QuotaConfigError)
    let err: unknown
    try {
      createEmulator({ quotas: { symetric: 1, rsa: -5 } })
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(QuotaConfigError)
    expect((err as QuotaConfigError).problems).toHaveLength(2)
    expect((err as Error).message).toMatch(/'symetric'.*did you mean 'symmetric'.*-5/)
  })
})

describe('quotas: token bucket and meter', () => {
  it('token-bucket mode lets a one-second burst straddle a boundary that fixed windows split', () => {
    for (const [mode, expected] of [
      ['fixed-window', 20],
      ['token-bucket', 10],
    ] as const) {
      const { kms, clock, key } = setup({ quotas: { symmetric: 10, 'api:CreateKey': 10 }, quotaMode: mode })
      const k = key()
      clock.advanceTo(T0 + 1999)
      let ok = 0
      for (let i = 0; i < 10; i++) if (kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }).ok) ok++
      clock.advanceTo(T0 + 2000)
      for (let i = 0; i < 10; i++) if (kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }).ok) ok++
      expect(ok, mode).toBe(expected)
    }
  })

  it('token-bucket mode admits the same long-run rate: 100/s offered 200/s for 10 s admits 100 × 10 + the initial bucket', () => {
    const { kms, clock, key } = setup({ quotas: { symmetric: 100, 'api:CreateKey': 10 }, quotaMode: 'token-bucket' })
    const k = key()
    clock.advanceTo(T0 + 1000)
    const n = drive(clock, 10, 200, () => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt }))
    expect(n.ok).toBeGreaterThanOrEqual(1099)
    expect(n.ok).toBeLessThanOrEqual(1100)
  })

  it('meters per pool and per second like AWS/Usage', () => {
    const { kms, clock, key } = setup({ quotas: { symmetric: 100, 'api:CreateKey': 10 } })
    const k = key()
    const s1 = T0 / 1000 + 1
    clock.advanceTo(T0 + 1000)
    drive(clock, 1, 150, () => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt })) // second s1: 100 + 50 throttled
    drive(clock, 1, 40, () => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt })) // second s1+1: 40
    clock.advanceTo(T0 + 5000)
    drive(clock, 1, 100, () => kms.tryCall('Encrypt', { KeyId: k, Plaintext: pt })) // second s1+4: 100
    const usage = kms.usage()
    expect(pool(kms, 'symmetric')).toEqual({
      pool: 'symmetric',
      account: A,
      region: 'us-east-1',
      limit: 100,
      accepted: 240,
      throttled: 50,
      peakPerSecond: 150,
      utilization: 1.5,
      throttledSeconds: 1,
    })
    const key1 = `${A}/us-east-1/symmetric`
    expect(usage.seconds.filter((s) => s.key === key1)).toEqual([
      { epochSecond: s1, key: key1, accepted: 100, throttled: 50 },
      { epochSecond: s1 + 1, key: key1, accepted: 40, throttled: 0 },
      { epochSecond: s1 + 4, key: key1, accepted: 100, throttled: 0 },
    ])
    expect(usage.seconds.map((s) => s.epochSecond)).toEqual(
      [...usage.seconds.map((s) => s.epochSecond)].sort((a, b) => a - b),
    )
    kms.reset()
    expect(kms.usage()).toEqual({ pools: [], seconds: [] })
  })
})
