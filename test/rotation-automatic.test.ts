/**
 * Automatic key rotation in virtual time: it happens exactly when the clock reaches the due
 * date (not a millisecond before), old ciphertext keeps decrypting, disabled keys and keys
 * pending deletion are skipped and catch up when enabled again, AWS managed keys rotate
 * yearly, and each rotation is audited as a RotateKey service event.
 */
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../src/clock.ts'
import { createEmulator, type Emulator } from '../src/emulator.ts'
import { parseSymmetricHeader } from '../src/kms/ciphertext.ts'

const DAY = 86_400_000
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array | undefined): string => new TextDecoder().decode(b)

function setup(): { kms: Emulator; clock: VirtualClock } {
  const clock = new VirtualClock()
  return { clock, kms: createEmulator({ clock, profile: 'none' }) }
}

function newKey(kms: Emulator): string {
  return kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
}

/** The key material version a ciphertext was made with (the blob's cleartext header). */
function versionOf(blob: Uint8Array | undefined): number {
  const header = parseSymmetricHeader(blob!)
  if (header === undefined) throw new Error('not a symmetric ciphertext')
  return header.materialVersion
}

function rotations(kms: Emulator, keyId: string): { type: string | undefined; at: number | undefined }[] {
  return (kms.callSync('ListKeyRotations', { KeyId: keyId }).Rotations ?? []).map((r) => ({
    type: r.RotationType,
    at: r.RotationDate?.getTime(),
  }))
}

describe('automatic rotation', () => {
  it('rotates exactly at the due date, not a millisecond before, then every period', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    const t0 = clock.now()
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const due = t0 + 90 * DAY
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({
      KeyId: keyId,
      KeyRotationEnabled: true,
      RotationPeriodInDays: 90,
      NextRotationDate: new Date(due),
    })

    clock.advanceTo(due - 1)
    expect(versionOf(kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('before') }).CiphertextBlob)).toBe(0)
    expect(rotations(kms, keyId)).toEqual([])

    clock.advanceTo(due)
    expect(versionOf(kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('after') }).CiphertextBlob)).toBe(1)
    expect(rotations(kms, keyId)).toEqual([{ type: 'AUTOMATIC', at: due }])
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId }).NextRotationDate).toEqual(new Date(due + 90 * DAY))

    // A jump over several periods rotates once per period, each at its own due date.
    clock.advanceTo(due + 3 * 90 * DAY + 5)
    expect(rotations(kms, keyId)).toEqual([0, 1, 2, 3].map((i) => ({ type: 'AUTOMATIC', at: due + i * 90 * DAY })))
  })

  it('keeps every old ciphertext decryptable; new ciphertext uses the new material', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const blobs: Uint8Array[] = []
    for (let i = 0; i < 4; i++) {
      const blob = kms.callSync('Encrypt', {
        KeyId: keyId,
        Plaintext: text(`message ${i}`),
        EncryptionContext: { i: String(i) },
      }).CiphertextBlob!
      expect(versionOf(blob)).toBe(i)
      blobs.push(blob)
      clock.advance(90 * DAY)
    }
    blobs.forEach((blob, i) => {
      expect(
        str(kms.callSync('Decrypt', { CiphertextBlob: blob, EncryptionContext: { i: String(i) } }).Plaintext),
      ).toBe(`message ${i}`)
    })
    // Each version is a different AES key: a blob relabelled with another version fails.
    const forged = Buffer.from(blobs[0]!)
    forged.writeUInt32BE(1, 28)
    expect(() => kms.callSync('Decrypt', { CiphertextBlob: forged, EncryptionContext: { i: '0' } })).toThrow(
      expect.objectContaining({ name: 'InvalidCiphertextException' }),
    )
  })

  it('audits each automatic rotation as a RotateKey AwsServiceEvent at the rotation time', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    const arn = kms.callSync('DescribeKey', { KeyId: keyId }).KeyMetadata!.Arn
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const due = clock.now() + 90 * DAY
    clock.advance(100 * DAY)
    kms.callSync('DescribeKey', { KeyId: keyId })
    const events = kms.auditEvents()
    const rotate = events.find((e) => e.eventName === 'RotateKey')
    expect(rotate).toMatchObject({
      eventType: 'AwsServiceEvent',
      eventSource: 'kms.amazonaws.com',
      eventTime: new Date(due).toISOString(),
      awsRegion: 'us-east-1',
      userIdentity: { accountId: '111122223333', invokedBy: 'AWS Internal' },
      resources: [{ ARN: arn, type: 'AWS::KMS::Key' }],
      serviceEventDetails: { rotationType: 'AUTOMATIC', keyId, keyOrigin: 'AWS_KMS' },
    })
    // Recorded before the call that observed it (it happened first).
    expect(events.map((e) => e.eventName).slice(-2)).toEqual(['RotateKey', 'DescribeKey'])
  })

  it('does not rotate a disabled key; rotates it at once when re-enabled past its date', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const due = clock.now() + 90 * DAY
    kms.callSync('DisableKey', { KeyId: keyId })
    clock.advanceTo(due + 10 * DAY)
    expect(rotations(kms, keyId)).toEqual([])
    // "The key rotation status does not change when you disable a KMS key."
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      KeyRotationEnabled: true,
      NextRotationDate: new Date(due),
    })
    const enabledAt = clock.now()
    kms.callSync('EnableKey', { KeyId: keyId })
    expect(rotations(kms, keyId)).toEqual([{ type: 'AUTOMATIC', at: enabledAt }])
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId }).NextRotationDate).toEqual(
      new Date(enabledAt + 90 * DAY),
    )
    expect(versionOf(kms.callSync('Encrypt', { KeyId: keyId, Plaintext: text('x') }).CiphertextBlob)).toBe(1)
  })

  it('keeps the schedule of a key disabled and re-enabled before its date', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const due = clock.now() + 90 * DAY
    kms.callSync('DisableKey', { KeyId: keyId })
    clock.advance(30 * DAY)
    kms.callSync('EnableKey', { KeyId: keyId })
    expect(rotations(kms, keyId)).toEqual([])
    clock.advanceTo(due)
    expect(rotations(kms, keyId)).toEqual([{ type: 'AUTOMATIC', at: due }])
  })

  it('shows false and does not rotate while pending deletion; cancelling brings the setting back', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const due = clock.now() + 90 * DAY
    clock.advanceTo(due - 5 * DAY)
    kms.callSync('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 30 })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({ KeyId: keyId, KeyRotationEnabled: false })
    clock.advanceTo(due + DAY)
    expect(rotations(kms, keyId)).toEqual([])
    kms.callSync('CancelKeyDeletion', { KeyId: keyId })
    // Cancelled: Disabled, status true again, still not rotated until enabled.
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 90,
    })
    expect(rotations(kms, keyId)).toEqual([])
    const enabledAt = clock.now()
    kms.callSync('EnableKey', { KeyId: keyId })
    expect(rotations(kms, keyId)).toEqual([{ type: 'AUTOMATIC', at: enabledAt }])
  })

  it('stops rotating a key once it is deleted', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    clock.advance(80 * DAY)
    kms.callSync('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    clock.advance(400 * DAY)
    expect(() => kms.callSync('DescribeKey', { KeyId: keyId })).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    )
    expect(kms.auditEvents().filter((e) => e.eventName === 'RotateKey')).toEqual([])
    expect(kms.core.rotationWatch.size).toBe(0)
  })

  it('rotates AWS managed keys every year, and only KMS may change that', () => {
    const { kms, clock } = setup()
    const created = clock.now()
    const keyId = kms.callSync('DescribeKey', { KeyId: 'alias/aws/s3' }).KeyMetadata!.KeyId
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({
      KeyId: keyId,
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(created + 365 * DAY),
    })
    // An AWS managed key is used only through its service (its fixed key policy requires kms:ViaService).
    const viaS3 = { viaService: 's3.us-east-1.amazonaws.com' }
    const old = kms.callSync('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: text('s3 object key') }, viaS3)
      .CiphertextBlob!
    clock.advanceTo(created + 365 * DAY - 1)
    expect(rotations(kms, keyId)).toEqual([])
    clock.advanceTo(created + 2 * 365 * DAY)
    expect(rotations(kms, keyId)).toEqual([
      { type: 'AUTOMATIC', at: created + 365 * DAY },
      { type: 'AUTOMATIC', at: created + 2 * 365 * DAY },
    ])
    expect(
      versionOf(kms.callSync('Encrypt', { KeyId: 'alias/aws/s3', Plaintext: text('new') }, viaS3).CiphertextBlob),
    ).toBe(2)
    expect(str(kms.callSync('Decrypt', { CiphertextBlob: old }, viaS3).Plaintext)).toBe('s3 object key')
    for (const op of ['EnableKeyRotation', 'DisableKeyRotation', 'RotateKeyOnDemand'] as const) {
      expect(() => kms.callSync(op, { KeyId: keyId })).toThrow(
        expect.objectContaining({ name: 'AccessDeniedException' }),
      )
    }
  })

  it('is not moved by on-demand rotations', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 730 })
    const due = clock.now() + 730 * DAY
    clock.advance(100 * DAY)
    const onDemandAt = clock.now()
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId }).NextRotationDate).toEqual(new Date(due))
    clock.advanceTo(due)
    expect(rotations(kms, keyId)).toEqual([
      { type: 'ON_DEMAND', at: onDemandAt },
      { type: 'AUTOMATIC', at: due },
    ])
  })

  it('re-enabling with a new period keeps the start of the current cycle', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    const t0 = clock.now()
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 365 })
    clock.advance(30 * DAY)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 180 })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      RotationPeriodInDays: 180,
      NextRotationDate: new Date(t0 + 180 * DAY),
    })
    // A period whose end has already passed rotates right away.
    clock.advanceTo(t0 + 170 * DAY)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const now = clock.now()
    kms.callSync('DescribeKey', { KeyId: keyId })
    expect(rotations(kms, keyId)).toEqual([{ type: 'AUTOMATIC', at: now }])
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId }).NextRotationDate).toEqual(new Date(now + 90 * DAY))
  })

  it('disabling rotation cancels the schedule; enabling again starts a full period from then', () => {
    const { kms, clock } = setup()
    const keyId = newKey(kms)
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    clock.advance(60 * DAY)
    kms.callSync('DisableKeyRotation', { KeyId: keyId })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({ KeyId: keyId, KeyRotationEnabled: false })
    clock.advance(60 * DAY)
    expect(rotations(kms, keyId)).toEqual([])
    const again = clock.now()
    kms.callSync('EnableKeyRotation', { KeyId: keyId })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toMatchObject({
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(again + 365 * DAY),
    })
  })
})
