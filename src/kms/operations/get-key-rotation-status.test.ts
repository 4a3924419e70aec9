import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator } from '../../emulator.ts'

describe('GetKeyRotationStatus', () => {
  it('reports only KeyId and false for a key without automatic rotation', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({ KeyId: keyId, KeyRotationEnabled: false })
  })

  it('works in every key state and across accounts by key ARN', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('EnableKeyRotation', { KeyId: keyId })
    kms.callSync('DisableKey', { KeyId: keyId })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId }).KeyRotationEnabled).toBe(true)
    // Cross-account use: yes, when the key policy lets the other account in.
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'owner',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::444455556666:root' },
          Action: 'kms:*',
          Resource: '*',
        },
        {
          Sid: 'reader',
          Effect: 'Allow',
          Principal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 'kms:GetKeyRotationStatus',
          Resource: '*',
        },
      ],
    })
    const other = kms.callSync('CreateKey', { Policy: policy }, { account: '444455556666' }).KeyMetadata!
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: other.Arn! })).toEqual({
      KeyId: other.KeyId,
      KeyRotationEnabled: false,
    })
    const closed = kms.callSync('CreateKey', {}, { account: '444455556666' }).KeyMetadata!
    expect(() => kms.callSync('GetKeyRotationStatus', { KeyId: closed.Arn! })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    )
  })

  it('shows OnDemandRotationStartDate while an on-demand rotation is in progress', () => {
    const clock = new VirtualClock()
    const kms = createEmulator({ clock, profile: 'none' })
    kms.core.asyncDelays.onDemandRotationMs = 60_000
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const started = clock.now()
    kms.callSync('RotateKeyOnDemand', { KeyId: keyId })
    clock.advance(59_999)
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({
      KeyId: keyId,
      KeyRotationEnabled: false,
      OnDemandRotationStartDate: new Date(started),
    })
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }).Rotations).toEqual([])
    clock.advance(1)
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({ KeyId: keyId, KeyRotationEnabled: false })
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }).Rotations).toMatchObject([
      { KeyId: keyId, RotationDate: new Date(started + 60_000), RotationType: 'ON_DEMAND' },
    ])
  })

  it('refuses keys without rotation (asymmetric, HMAC) and unknown keys', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const hmac = kms.callSync('CreateKey', { KeySpec: 'HMAC_512', KeyUsage: 'GENERATE_VERIFY_MAC' }).KeyMetadata!.KeyId
    expect(() => kms.callSync('GetKeyRotationStatus', { KeyId: hmac })).toThrow(
      expect.objectContaining({ name: 'UnsupportedOperationException' }),
    )
    expect(() => kms.callSync('GetKeyRotationStatus', { KeyId: 'mrk-00000000000000000000000000000000' })).toThrow(
      expect.objectContaining({
        name: 'NotFoundException',
        message: "Key 'arn:aws:kms:us-east-1:111122223333:key/mrk-00000000000000000000000000000000' does not exist",
      }),
    )
  })
})
