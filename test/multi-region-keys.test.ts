/**
 * Multi-Region keys across Regions of one emulator: replicas share key id, material and
 * rotations; ciphertext from one Region decrypts in another only where the key has a record;
 * single-Region keys are invisible elsewhere; the primary can move; deleting a primary waits
 * for its replicas.
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../src/clock.ts'
import { createEmulator, type Emulator } from '../src/emulator.ts'
import type { CallerInput } from '../src/kms/caller.ts'
import { parseSymmetricHeader } from '../src/kms/ciphertext.ts'

const DAY = 86_400_000
const east: CallerInput = { region: 'us-east-1' }
const west: CallerInput = { region: 'eu-west-1' }
const tokyo: CallerInput = { region: 'ap-northeast-1' }
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array | undefined): string => new TextDecoder().decode(b)
const UNKNOWN_KEY =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.'

function setup(): { kms: Emulator; clock: VirtualClock } {
  const clock = new VirtualClock()
  return { clock, kms: createEmulator({ clock, profile: 'none' }) }
}

function mrk(kms: Emulator, description = 'primary'): string {
  return kms.callSync('CreateKey', { MultiRegion: true, Description: description }, east).KeyMetadata!.KeyId
}

function versionOf(blob: Uint8Array | undefined): number {
  return parseSymmetricHeader(blob!)!.materialVersion
}

describe('multi-Region keys', () => {
  it('replicates with the same key id, shows Creating in the response, then is Enabled', () => {
    const { kms } = setup()
    const keyId = mrk(kms)
    expect(keyId).toMatch(/^mrk-[0-9a-f]{32}$/)
    const out = kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    const primaryArn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`
    const replicaArn = `arn:aws:kms:eu-west-1:111122223333:key/${keyId}`
    expect(out.ReplicaKeyMetadata).toMatchObject({
      KeyId: keyId,
      Arn: replicaArn,
      Description: '',
      Enabled: false,
      KeyState: 'Creating',
      MultiRegion: true,
      MultiRegionConfiguration: {
        MultiRegionKeyType: 'REPLICA',
        PrimaryKey: { Arn: primaryArn, Region: 'us-east-1' },
        ReplicaKeys: [{ Arn: replicaArn, Region: 'eu-west-1' }],
      },
    })
    expect(out.ReplicaTags).toBeUndefined()
    expect(JSON.parse(out.ReplicaPolicy!)).toMatchObject({
      Id: 'key-default-1',
      Statement: [{ Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*' }],
    })
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, west).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      Enabled: true,
    })
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata?.MultiRegionConfiguration).toEqual({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Arn: primaryArn, Region: 'us-east-1' },
      ReplicaKeys: [{ Arn: replicaArn, Region: 'eu-west-1' }],
    })
  })

  it('decrypts in the other Region with no cross-Region call, both ways', () => {
    const { kms } = setup()
    const keyId = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    const fromEast = kms.callSync(
      'Encrypt',
      { KeyId: keyId, Plaintext: text('made in us-east-1'), EncryptionContext: { a: '1' } },
      east,
    ).CiphertextBlob!
    const fromWest = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('made in eu-west-1') }, west)
      .CiphertextBlob!
    const inWest = kms.callSync('Decrypt', { CiphertextBlob: fromEast, EncryptionContext: { a: '1' } }, west)
    expect(str(inWest.Plaintext)).toBe('made in us-east-1')
    expect(inWest.KeyId).toBe(`arn:aws:kms:eu-west-1:111122223333:key/${keyId}`)
    expect(str(kms.callSync('Decrypt', { CiphertextBlob: fromWest }, east).Plaintext)).toBe('made in eu-west-1')
    // Only Regions that hold the key can decrypt: AWS's AccessDeniedException elsewhere.
    expect(() => kms.callSync('Decrypt', { CiphertextBlob: fromEast }, tokyo)).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException', message: UNKNOWN_KEY }),
    )
  })

  it('keeps single-Region keys and unreplicated multi-Region keys in their Region', () => {
    const { kms } = setup()
    const single = kms.callSync('CreateKey', {}, east).KeyMetadata!
    const lonely = mrk(kms)
    expect(single.MultiRegion).toBe(false)
    expect(single.MultiRegionConfiguration).toBeUndefined()
    expect(() => kms.callSync('DescribeKey', { KeyId: single.KeyId }, west)).toThrow(
      expect.objectContaining({
        name: 'NotFoundException',
        message: `Key 'arn:aws:kms:eu-west-1:111122223333:key/${single.KeyId}' does not exist`,
      }),
    )
    expect(() => kms.callSync('DescribeKey', { KeyId: single.Arn! }, west)).toThrow(
      expect.objectContaining({ name: 'NotFoundException', message: 'Invalid arn us-east-1' }),
    )
    for (const keyId of [single.KeyId, lonely]) {
      const blob = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('x') }, east).CiphertextBlob!
      expect(() => kms.callSync('Decrypt', { CiphertextBlob: blob }, west)).toThrow(
        expect.objectContaining({ name: 'AccessDeniedException', message: UNKNOWN_KEY }),
      )
    }
  })

  it('shares rotations: the primary rotates, every replica uses the new material', () => {
    const { kms, clock } = setup()
    const keyId = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'ap-northeast-1' }, east)
    const old = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('v0') }, tokyo).CiphertextBlob!
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 }, east)
    // Replicas report the shared setting but cannot change it.
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId }, west)).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 90,
    })
    expect(() => kms.callSync('DisableKeyRotation', { KeyId: keyId }, west)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedOperationException',
        message: `arn:aws:kms:eu-west-1:111122223333:key/${keyId} is not a multi-region primary key.`,
      }),
    )
    const due = clock.now() + 90 * DAY
    clock.advanceTo(due)
    const blob = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('v1') }, west).CiphertextBlob!
    expect(versionOf(blob)).toBe(1)
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }, tokyo).Rotations).toMatchObject([
      { KeyId: keyId, RotationDate: new Date(due), RotationType: 'AUTOMATIC' },
    ])
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: keyId }, west)).toThrow(
      expect.objectContaining({ name: 'UnsupportedOperationException' }),
    )
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId }, east)
    expect(versionOf(kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('v2') }, tokyo).CiphertextBlob)).toBe(2)
    expect(str(kms.callSync('Decrypt', { CiphertextBlob: old }, east).Plaintext)).toBe('v0')
    expect(str(kms.callSync('Decrypt', { CiphertextBlob: blob }, tokyo).Plaintext)).toBe('v1')
    // One RotateKey service event per Region holding the key, per rotation.
    const rotateEvents = kms.auditEvents().filter((e) => e.eventName === 'RotateKey')
    expect(rotateEvents.map((e) => e.awsRegion).sort()).toEqual([
      'ap-northeast-1',
      'ap-northeast-1',
      'eu-west-1',
      'eu-west-1',
      'us-east-1',
      'us-east-1',
    ])
  })

  it('gives a late replica every earlier rotation', () => {
    const { kms } = setup()
    const keyId = mrk(kms)
    const v0 = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('v0') }, east).CiphertextBlob!
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId }, east)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    expect(str(kms.callSync('Decrypt', { CiphertextBlob: v0 }, west).Plaintext)).toBe('v0')
    expect(versionOf(kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('v1') }, west).CiphertextBlob)).toBe(1)
  })

  it('models Creating for core.asyncDelays.replicaCreationMs', () => {
    const { kms, clock } = setup()
    kms.core.asyncDelays.replicaCreationMs = 5_000
    const keyId = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    clock.advance(4_999)
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, west).KeyMetadata?.KeyState).toBe('Creating')
    expect(() => kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('x') }, west)).toThrow(
      expect.objectContaining({
        name: 'KMSInvalidStateException',
        message: `arn:aws:kms:eu-west-1:111122223333:key/${keyId} is creating.`,
      }),
    )
    // A Creating replica cannot become the primary yet.
    expect(() => kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'eu-west-1' }, east)).toThrow(
      expect.objectContaining({ name: 'KMSInvalidStateException' }),
    )
    clock.advance(1)
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, west).KeyMetadata?.KeyState).toBe('Enabled')
    kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('x') }, west)
  })

  it('moves the primary with UpdatePrimaryRegion; shared properties follow it', () => {
    const { kms, clock } = setup()
    const keyId = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 }, east)
    const due = clock.now() + 90 * DAY
    expect(kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'eu-west-1' }, east)).toEqual({})
    const west1 = kms.callSync('DescribeKey', { KeyId: keyId }, west).KeyMetadata!
    const east1 = kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata!
    expect(west1.MultiRegionConfiguration).toMatchObject({
      MultiRegionKeyType: 'PRIMARY',
      PrimaryKey: { Region: 'eu-west-1' },
      ReplicaKeys: [{ Region: 'us-east-1' }],
    })
    expect(east1.MultiRegionConfiguration).toMatchObject({
      MultiRegionKeyType: 'REPLICA',
      PrimaryKey: { Region: 'eu-west-1' },
    })
    expect([west1.KeyState, east1.KeyState]).toEqual(['Enabled', 'Enabled'])
    // Rotation is now managed in eu-west-1 and still happens on schedule.
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: keyId }, east)).toThrow(
      expect.objectContaining({ name: 'UnsupportedOperationException' }),
    )
    clock.advanceTo(due)
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }, east).Rotations).toHaveLength(1)
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId }, west)
    // Only the new primary can be replicated.
    expect(() => kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'ap-northeast-1' }, east)).toThrow(
      expect.objectContaining({ name: 'UnsupportedOperationException' }),
    )
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'ap-northeast-1' }, west)
    expect(
      kms.callSync('DescribeKey', { KeyId: keyId }, tokyo).KeyMetadata?.MultiRegionConfiguration?.PrimaryKey?.Region,
    ).toBe('eu-west-1')
  })

  it('models Updating for core.asyncDelays.primaryRegionUpdateMs, with crypto still working', () => {
    const { kms, clock } = setup()
    kms.core.asyncDelays.primaryRegionUpdateMs = 3_000
    const keyId = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    kms.callSync('DisableKey', { KeyId: keyId }, west)
    kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'eu-west-1' }, east)
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata?.KeyState).toBe('Updating')
    kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('during update') }, east)
    expect(() => kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'ap-northeast-1' }, west)).toThrow(
      expect.objectContaining({
        name: 'KMSInvalidStateException',
        message: `arn:aws:kms:eu-west-1:111122223333:key/${keyId} is updating.`,
      }),
    )
    clock.advance(3_000)
    // Each key gets its own former state back.
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata?.KeyState).toBe('Enabled')
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, west).KeyMetadata?.KeyState).toBe('Disabled')
  })

  it('starts the waiting period of a deleted primary when its last replica is deleted', () => {
    const { kms, clock } = setup()
    const keyId = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)
    const scheduled = kms.callSync('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, east)
    expect(scheduled.KeyState).toBe('PendingReplicaDeletion')
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata).toMatchObject({
      KeyState: 'PendingReplicaDeletion',
      PendingDeletionWindowInDays: 7,
    })
    clock.advance(20 * DAY)
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata?.KeyState).toBe('PendingReplicaDeletion')
    kms.callSync('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 10 }, west)
    const replicaGone = clock.now() + 10 * DAY
    clock.advanceTo(replicaGone)
    expect(() => kms.callSync('DescribeKey', { KeyId: keyId }, west)).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    )
    expect(kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata).toMatchObject({
      KeyState: 'PendingDeletion',
      DeletionDate: new Date(replicaGone + 7 * DAY),
    })
    // The Region is free for a new replica once the old one is gone... but not while the primary is pending deletion.
    expect(() => kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' }, east)).toThrow(
      expect.objectContaining({ name: 'KMSInvalidStateException' }),
    )
    clock.advanceTo(replicaGone + 7 * DAY)
    expect(() => kms.callSync('DescribeKey', { KeyId: keyId }, east)).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    )
  })

  it('audits ReplicateKey in the primary Region and CreateKey in the replica Region', () => {
    const { kms } = setup()
    const keyId = mrk(kms)
    kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1', Description: 'replica' }, east)
    const events = kms.auditEvents().slice(-2)
    expect(events.map((e) => [e.eventName, e.awsRegion])).toEqual([
      ['CreateKey', 'eu-west-1'],
      ['ReplicateKey', 'us-east-1'],
    ])
    expect(events[0]?.resources?.[0]?.ARN).toBe(`arn:aws:kms:eu-west-1:111122223333:key/${keyId}`)
    expect(events[1]?.requestParameters).toMatchObject({ keyId, replicaRegion: 'eu-west-1' })
  })
})
