import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator } from '../../emulator.ts'

const DAY = 86_400_000

describe('DisableKeyRotation', () => {
  it('turns automatic rotation off and keeps every material version', () => {
    const clock = new VirtualClock()
    const kms = createEmulator({ clock, profile: 'none' })
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 })
    const old = kms.callSync('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1, 2, 3]) }).CiphertextBlob!
    clock.advance(90 * DAY)
    expect(kms.callSync('DisableKeyRotation', { KeyId: keyId })).toEqual({})
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId })).toEqual({ KeyId: keyId, KeyRotationEnabled: false })
    clock.advance(1000 * DAY)
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }).Rotations).toHaveLength(1)
    expect([...kms.callSync('Decrypt', { CiphertextBlob: old }).Plaintext!]).toEqual([1, 2, 3])
    // Disabling twice is fine.
    kms.callSync('DisableKeyRotation', { KeyId: keyId })
  })

  it('fails as AWS does for bad keys and states', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    expect(() => kms.callSync('DisableKeyRotation', { KeyId: 'nope' })).toThrow(
      expect.objectContaining({ name: 'NotFoundException', message: "Invalid keyId 'nope'" }),
    )
    // @ts-expect-error KeyId is required
    expect(() => kms.callSync('DisableKeyRotation', {})).toThrow(
      expect.objectContaining({
        name: 'ValidationException',
        message:
          "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      }),
    )
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('DisableKey', { KeyId: keyId })
    expect(() => kms.callSync('DisableKeyRotation', { KeyId: keyId })).toThrow(
      expect.objectContaining({ name: 'DisabledException' }),
    )
    const ecc = kms.callSync('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }).KeyMetadata!.KeyId
    expect(() => kms.callSync('DisableKeyRotation', { KeyId: ecc })).toThrow(
      expect.objectContaining({ name: 'UnsupportedOperationException' }),
    )
  })
})
