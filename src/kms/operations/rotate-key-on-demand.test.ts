import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { parseSymmetricHeader } from '../ciphertext.ts'
import { createEmulator, type Emulator } from '../../emulator.ts'

const DAY = 86_400_000
const MINUTE = 60_000

function setup(): { kms: Emulator; clock: VirtualClock } {
  const clock = new VirtualClock()
  return { clock, kms: createEmulator({ clock, profile: 'none' }) }
}

describe('RotateKeyOnDemand', () => {
  it('rotates now: new ciphertext uses new material, old ciphertext still decrypts', () => {
    const { kms, clock } = setup()
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const old = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([7]) }).CiphertextBlob!
    expect(kms.callSync('RotateKeyOnDemand', { KeyId: keyId })).toEqual({
      KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
    })
    const fresh = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([8]) }).CiphertextBlob!
    expect(parseSymmetricHeader(fresh)?.materialVersion).toBe(1)
    expect([...kms.callSync('Decrypt', { CiphertextBlob: old }).Plaintext!]).toEqual([7])
    const current = kms.callSync('DescribeKey', { KeyId: keyId }).KeyMetadata?.CurrentKeyMaterialId
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }).Rotations).toEqual([
      {
        KeyId: keyId,
        RotationDate: new Date(clock.now()),
        RotationType: 'ON_DEMAND',
        KeyMaterialId: current,
        KeyMaterialState: 'CURRENT',
      },
    ])
    // ALL_KEY_MATERIAL adds the first material, which has no rotation date or type.
    const all = kms.callSync('ListKeyRotations', { KeyId: keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }).Rotations
    expect(all?.map((r) => [r.KeyMaterialState, r.RotationType])).toEqual([
      ['NON_CURRENT', undefined],
      ['CURRENT', 'ON_DEMAND'],
    ])
    expect(all?.[0]?.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/)
    expect(all?.[0]?.KeyMaterialId).not.toBe(current)
    // Automatic rotation stays off.
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({ KeyId: keyId, KeyRotationEnabled: false })
    const events = kms.auditEvents()
    const i = events.findIndex((e) => e.eventName === 'RotateKeyOnDemand')
    expect(events[i]).toMatchObject({
      eventType: 'AwsApiCall',
      requestParameters: { keyId },
      responseElements: { keyId },
    })
    // The rotation itself is a RotateKey service event, as for automatic rotations.
    expect(events[i - 1]).toMatchObject({
      eventName: 'RotateKey',
      eventType: 'AwsServiceEvent',
      serviceEventDetails: { rotationType: 'ON_DEMAND', keyId },
    })
  })

  it('allows 10 per key, then LimitExceededException with AWS message', () => {
    const { kms } = setup()
    const meta = kms.callSync('CreateKey', {}).KeyMetadata!
    for (let i = 0; i < 10; i++) kms.callSync('RotateKeyOnDemand', { KeyId: meta.KeyId })
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: meta.KeyId })).toThrow(
      expect.objectContaining({
        name: 'LimitExceededException',
        message: `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${meta.Arn}`,
      }),
    )
    expect(kms.callSync('ListKeyRotations', { KeyId: meta.KeyId }).Rotations).toHaveLength(10)
  })

  it('conflicts with an automatic rotation due within 20 minutes', () => {
    const { kms, clock } = setup()
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const due = clock.now() + 90 * DAY
    clock.advanceTo(due - 20 * MINUTE - 1)
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId })
    clock.advanceTo(due - 20 * MINUTE)
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: keyId })).toThrow(
      expect.objectContaining({
        name: 'ConflictException',
        message:
          'The request was rejected because an automatic rotation of this key is currently in progress or scheduled to begin within the next 20 minutes.',
      }),
    )
    clock.advanceTo(due + 1)
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId })
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }).Rotations?.map((r) => r.RotationType)).toEqual([
      'ON_DEMAND',
      'AUTOMATIC',
      'ON_DEMAND',
    ])
  })

  it('conflicts while an earlier on-demand rotation is still in progress', () => {
    const { kms, clock } = setup()
    kms.core.asyncDelays.onDemandRotationMs = 10_000
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId })
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: keyId })).toThrow(
      expect.objectContaining({ name: 'ConflictException' }),
    )
    clock.advance(10_000)
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId })
  })

  it('fails with AWS errors for unknown, disabled, asymmetric and HMAC keys', () => {
    const { kms } = setup()
    const missing = '11111111-2222-4333-8444-555555555555'
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: missing })).toThrow(
      expect.objectContaining({
        name: 'NotFoundException',
        message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${missing}' does not exist`,
      }),
    )
    const disabled = kms.callSync('CreateKey', {}).KeyMetadata!
    kms.callSync('DisableKey', { KeyId: disabled.KeyId })
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: disabled.KeyId })).toThrow(
      expect.objectContaining({ name: 'DisabledException', message: `${disabled.Arn} is disabled.` }),
    )
    const asymmetric = kms.callSync('CreateKey', { KeySpec: 'ECC_NIST_P384', KeyUsage: 'SIGN_VERIFY' }).KeyMetadata!
      .KeyId
    const hmac = kms.callSync('CreateKey', { KeySpec: 'HMAC_224', KeyUsage: 'GENERATE_VERIFY_MAC' }).KeyMetadata!.KeyId
    for (const keyId of [asymmetric, hmac]) {
      // AWS answers with an empty message here (LocalStack's AWS-recorded snapshot).
      expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: keyId })).toThrow(
        expect.objectContaining({ name: 'UnsupportedOperationException', message: '' }),
      )
    }
    const pending = kms.callSync('CreateKey', {}).KeyMetadata!
    kms.callSync('ScheduleKeyDeletion', { KeyId: pending.KeyId })
    expect(() => kms.callSync('RotateKeyOnDemand', { KeyId: pending.KeyId })).toThrow(
      expect.objectContaining({ name: 'KMSInvalidStateException', message: `${pending.Arn} is pending deletion.` }),
    )
  })
})
