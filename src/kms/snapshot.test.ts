import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../clock.ts'
import { createEmulator, type Emulator } from '../emulator.ts'
import { restoreSnapshot, SnapshotError, SNAPSHOT_VERSION, takeSnapshot } from './snapshot.ts'

const ACCOUNT = '111122223333'
const us = { account: ACCOUNT, region: 'us-east-1' }
const eu = { account: ACCOUNT, region: 'eu-west-1' }
const DAY = 86_400_000

function emulator(clock: VirtualClock): Emulator {
  return createEmulator({ clock, profile: 'none', audit: { capacity: 0 } })
}

/** Saves through JSON text, as the server does. */
function roundTrip(from: Emulator, to: Emulator): void {
  restoreSnapshot(to.core, JSON.parse(JSON.stringify(takeSnapshot(from.core))))
}

describe('snapshot', () => {
  it('restores keys of every kind so old ciphertext, signatures and MACs still verify', () => {
    const clock = new VirtualClock()
    const a = emulator(clock)
    const sym = a.callSync('CreateKey', { Description: 'sym', Tags: [{ TagKey: 'team', TagValue: 'pay' }] }, us)
      .KeyMetadata!
    a.callSync('CreateAlias', { AliasName: 'alias/app', TargetKeyId: sym.KeyId }, us)
    const rsa = a.callSync('CreateKey', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }, us).KeyMetadata!
    const ecc = a.callSync('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }, us).KeyMetadata!
    const hmac = a.callSync('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }, us).KeyMetadata!
    const data = new TextEncoder().encode('hello')

    const ct1 = a.callSync('Encrypt', { KeyId: 'alias/app', Plaintext: data, EncryptionContext: { a: '1' } }, us)
      .CiphertextBlob!
    a.callSync('RotateKeyOnDemand', { KeyId: sym.KeyId }, us)
    const ct2 = a.callSync('Encrypt', { KeyId: sym.KeyId, Plaintext: data }, us).CiphertextBlob!
    const rsaSig = a.callSync('Sign', { KeyId: rsa.KeyId, Message: data, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }, us)
      .Signature!
    const eccSig = a.callSync('Sign', { KeyId: ecc.KeyId, Message: data, SigningAlgorithm: 'ECDSA_SHA_256' }, us)
      .Signature!
    const mac = a.callSync('GenerateMac', { KeyId: hmac.KeyId, Message: data, MacAlgorithm: 'HMAC_SHA_256' }, us).Mac!
    a.putIdentityPolicy(
      `arn:aws:iam::${ACCOUNT}:role/app`,
      'kms',
      JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }),
    )

    const b = emulator(clock)
    roundTrip(a, b)
    expect(
      Buffer.from(b.callSync('Decrypt', { CiphertextBlob: ct1, EncryptionContext: { a: '1' } }, us).Plaintext!),
    ).toEqual(Buffer.from(data))
    expect(Buffer.from(b.callSync('Decrypt', { CiphertextBlob: ct2 }, us).Plaintext!)).toEqual(Buffer.from(data))
    expect(
      b.callSync(
        'Verify',
        { KeyId: rsa.KeyId, Message: data, Signature: rsaSig, SigningAlgorithm: 'RSASSA_PSS_SHA_256' },
        us,
      ).SignatureValid,
    ).toBe(true)
    expect(
      b.callSync(
        'Verify',
        { KeyId: ecc.KeyId, Message: data, Signature: eccSig, SigningAlgorithm: 'ECDSA_SHA_256' },
        us,
      ).SignatureValid,
    ).toBe(true)
    expect(
      b.callSync('VerifyMac', { KeyId: hmac.KeyId, Message: data, Mac: mac, MacAlgorithm: 'HMAC_SHA_256' }, us)
        .MacValid,
    ).toBe(true)
    // The public key is the same DER.
    expect(Buffer.from(b.callSync('GetPublicKey', { KeyId: rsa.KeyId }, us).PublicKey!)).toEqual(
      Buffer.from(a.callSync('GetPublicKey', { KeyId: rsa.KeyId }, us).PublicKey!),
    )
    // Metadata, aliases, tags, rotations, identity policies.
    expect(b.callSync('DescribeKey', { KeyId: sym.KeyId }, us).KeyMetadata).toEqual(
      a.callSync('DescribeKey', { KeyId: sym.KeyId }, us).KeyMetadata,
    )
    expect(b.callSync('ListAliases', {}, us).Aliases).toEqual(a.callSync('ListAliases', {}, us).Aliases)
    expect(b.callSync('ListResourceTags', { KeyId: sym.KeyId }, us).Tags).toEqual([{ TagKey: 'team', TagValue: 'pay' }])
    expect(b.callSync('ListKeyRotations', { KeyId: sym.KeyId }, us).Rotations).toEqual(
      a.callSync('ListKeyRotations', { KeyId: sym.KeyId }, us).Rotations,
    )
    expect(b.listIdentityPolicies(`arn:aws:iam::${ACCOUNT}:role/app`)).toEqual(['kms'])
    // New ciphertext uses the current (rotated) material, as before the restart.
    const ct3 = b.callSync('Encrypt', { KeyId: sym.KeyId, Plaintext: data }, us).CiphertextBlob!
    expect(Buffer.from(a.callSync('Decrypt', { CiphertextBlob: ct3 }, us).Plaintext!)).toEqual(Buffer.from(data))
  })

  it('keeps a multi-Region key one key across Regions (shared material and rotation)', () => {
    const clock = new VirtualClock()
    const a = emulator(clock)
    const mrk = a.callSync('CreateKey', { MultiRegion: true }, us).KeyMetadata!
    a.callSync('ReplicateKey', { KeyId: mrk.KeyId, ReplicaRegion: 'eu-west-1' }, us)
    const data = new TextEncoder().encode('x')
    const b = emulator(clock)
    roundTrip(a, b)
    const usKey = b.core.store.peekRegion(ACCOUNT, 'us-east-1')!.keys.get(mrk.KeyId)!
    const euKey = b.core.store.peekRegion(ACCOUNT, 'eu-west-1')!.keys.get(mrk.KeyId)!
    expect(euKey.material).toBe(usKey.material)
    expect(euKey.rotation).toBe(usKey.rotation)
    expect(euKey.multiRegion).toBe(usKey.multiRegion)
    expect([...usKey.multiRegion!.regions].sort()).toEqual(['eu-west-1', 'us-east-1'])
    // A rotation of the restored primary applies to the replica: ciphertext crosses Regions.
    b.callSync('RotateKeyOnDemand', { KeyId: mrk.KeyId }, us)
    const ct = b.callSync('Encrypt', { KeyId: mrk.KeyId, Plaintext: data }, us).CiphertextBlob!
    expect(Buffer.from(b.callSync('Decrypt', { CiphertextBlob: ct }, eu).Plaintext!)).toEqual(Buffer.from(data))
  })

  it('keeps grants', () => {
    const clock = new VirtualClock()
    const a = emulator(clock)
    const key = a.callSync('CreateKey', {}, us).KeyMetadata!
    const g = a.callSync(
      'CreateGrant',
      {
        KeyId: key.KeyId,
        GranteePrincipal: `arn:aws:iam::${ACCOUNT}:role/app`,
        Operations: ['Encrypt', 'Decrypt'],
        Name: 'g1',
      },
      us,
    )
    const b = emulator(clock)
    roundTrip(a, b)
    const grants = b.callSync('ListGrants', { KeyId: key.KeyId }, us).Grants!
    expect(grants.map((x) => x.GrantId)).toEqual([g.GrantId])
    expect(grants).toEqual(a.callSync('ListGrants', { KeyId: key.KeyId }, us).Grants)
  })

  it('re-creates scheduled work: a pending deletion and an automatic rotation happen on time after a restore', () => {
    const clock = new VirtualClock()
    const a = emulator(clock)
    const doomed = a.callSync('CreateKey', {}, us).KeyMetadata!
    a.callSync('ScheduleKeyDeletion', { KeyId: doomed.KeyId, PendingWindowInDays: 7 }, us)
    const rotating = a.callSync('CreateKey', {}, us).KeyMetadata!
    a.callSync('EnableKeyRotation', { KeyId: rotating.KeyId, RotationPeriodInDays: 90 }, us)
    clock.advance(DAY)
    const b = emulator(clock)
    roundTrip(a, b)
    expect(b.callSync('DescribeKey', { KeyId: doomed.KeyId }, us).KeyMetadata!.KeyState).toBe('PendingDeletion')
    clock.advance(6 * DAY - 1)
    expect(b.callSync('DescribeKey', { KeyId: doomed.KeyId }, us).KeyMetadata!.KeyState).toBe('PendingDeletion')
    clock.advance(1)
    expect(() => b.callSync('DescribeKey', { KeyId: doomed.KeyId }, us)).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    )
    expect(b.callSync('ListKeyRotations', { KeyId: rotating.KeyId }, us).Rotations).toEqual([])
    clock.advance(83 * DAY)
    expect(b.callSync('ListKeyRotations', { KeyId: rotating.KeyId }, us).Rotations).toHaveLength(1)
  })

  it('moves the state version on state changes only', () => {
    const a = emulator(new VirtualClock())
    const v0 = a.core.stateVersion
    const key = a.callSync('CreateKey', {}, us).KeyMetadata!
    const v1 = a.core.stateVersion
    expect(v1).toBeGreaterThan(v0)
    a.callSync('Encrypt', { KeyId: key.KeyId, Plaintext: new Uint8Array(3) }, us)
    a.callSync('DescribeKey', { KeyId: key.KeyId }, us)
    expect(a.core.stateVersion).toBe(v1)
    // An AWS managed key created on first use is a change, even through a read-only call.
    a.callSync(
      'Encrypt',
      { KeyId: 'alias/aws/s3', Plaintext: new Uint8Array(3) },
      { ...us, viaService: 's3.us-east-1.amazonaws.com' },
    )
    expect(a.core.stateVersion).toBeGreaterThan(v1)
  })

  it('counts a scheduled rotation as a change even when the triggering call is read-only', () => {
    const clock = new VirtualClock()
    const a = emulator(clock)
    const key = a.callSync('CreateKey', {}, us).KeyMetadata!
    a.callSync('EnableKeyRotation', { KeyId: key.KeyId, RotationPeriodInDays: 90 }, us)
    const v = a.core.stateVersion
    clock.advance(90 * DAY)
    a.callSync('Encrypt', { KeyId: key.KeyId, Plaintext: new Uint8Array(3) }, us)
    expect(a.core.stateVersion).toBeGreaterThan(v)
  })

  it('rejects bad snapshots with a clear error and leaves the core unchanged', () => {
    const a = emulator(new VirtualClock())
    const key = a.callSync('CreateKey', {}, us).KeyMetadata!
    const good = JSON.parse(JSON.stringify(takeSnapshot(a.core))) as Record<string, unknown>
    expect(good['version']).toBe(SNAPSHOT_VERSION)
    for (const [bad, message] of [
      [{}, 'not a kms-bench state snapshot'],
      [{ ...good, version: 99 }, 'unsupported snapshot version 99'],
      [
        { ...good, regions: [{ account: ACCOUNT, region: 'us-east-1', fields: { keys: { $ref: 12345 } } }] },
        'bad reference',
      ],
      [
        { ...good, regions: [{ account: ACCOUNT, region: 'us-east-1', fields: { keys: 'nope' } }] },
        'keys must be a map',
      ],
      [{ ...good, identityPolicies: [{ principal: 1 }] }, 'bad identity policy entry #0'],
      [
        { ...good, identityPolicies: [{ principal: `arn:aws:iam::${ACCOUNT}:role/app`, name: 'p', document: '{' }] },
        'bad identity policy entry #0 (p of',
      ],
      [
        { ...good, regions: [{ account: ACCOUNT, region: 'us-est-1', fields: {} }] },
        "bad region entry #0: 'us-est-1' is not an AWS Region",
      ],
      [
        { ...good, regions: [{ account: 'acct', region: 'us-east-1', fields: {} }] },
        "bad region entry #0: account 'acct' is not",
      ],
    ] as const) {
      expect(() => restoreSnapshot(a.core, bad)).toThrow(SnapshotError)
      expect(() => restoreSnapshot(a.core, bad)).toThrow(message)
    }
    expect(a.callSync('DescribeKey', { KeyId: key.KeyId }, us).KeyMetadata!.KeyId).toBe(key.KeyId)
  })

  it('refuses to save a class instance it has no codec for, naming where it is', () => {
    const a = emulator(new VirtualClock())
    const key = a.callSync('CreateKey', {}, us).KeyMetadata!
    const record = a.core.store.peekRegion(ACCOUNT, 'us-east-1')!.keys.get(key.KeyId)! as unknown as Record<
      string,
      unknown
    >
    record['cache'] = new (class Cache {})()
    expect(() => takeSnapshot(a.core)).toThrow(/cannot save .*keys\.get\([^)]+\)\.cache: a Cache instance/)
  })
})
