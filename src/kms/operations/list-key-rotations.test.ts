import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator } from '../../emulator.ts'

describe('ListKeyRotations', () => {
  it('lists nothing for a key never rotated', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId })).toEqual({ Rotations: [], Truncated: false })
  })

  it('pages oldest first with Limit, NextMarker and Truncated', () => {
    const clock = new VirtualClock()
    const kms = createEmulator({ clock, profile: 'none' })
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      clock.advance(1000)
      times.push(clock.now())
      kms.callSync('RotateKeyOnDemand', { KeyId: keyId })
    }
    const seen: number[] = []
    let marker: string | undefined
    let pages = 0
    do {
      const page = kms.callSync('ListKeyRotations', {
        KeyId: keyId,
        Limit: 2,
        ...(marker !== undefined ? { Marker: marker } : {}),
      })
      pages++
      seen.push(...(page.Rotations ?? []).map((r) => r.RotationDate!.getTime()))
      expect(page.Truncated).toBe(page.NextMarker !== undefined)
      marker = page.NextMarker
    } while (marker !== undefined)
    expect(pages).toBe(3)
    expect(seen).toEqual(times)
    expect(kms.callSync('ListKeyRotations', { KeyId: keyId }).Rotations).toHaveLength(5)
  })

  it('refuses markers of another listing, bad Limits, and keys without rotation', () => {
    const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
    const a = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const b = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    for (let i = 0; i < 3; i++) kms.callSync('RotateKeyOnDemand', { KeyId: a })
    const marker = kms.callSync('ListKeyRotations', { KeyId: a, Limit: 1 }).NextMarker!
    expect(() => kms.callSync('ListKeyRotations', { KeyId: b, Marker: marker })).toThrow(
      expect.objectContaining({ name: 'InvalidMarkerException' }),
    )
    expect(() => kms.callSync('ListKeyRotations', { KeyId: a, Marker: 'garbage!' })).toThrow(
      expect.objectContaining({ name: 'InvalidMarkerException' }),
    )
    expect(() => kms.callSync('ListKeyRotations', { KeyId: a, Limit: 0 })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    )
    const asymmetric = kms.callSync('CreateKey', { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }).KeyMetadata!
      .KeyId
    expect(() => kms.callSync('ListKeyRotations', { KeyId: asymmetric })).toThrow(
      expect.objectContaining({ name: 'UnsupportedOperationException' }),
    )
    const other = kms.callSync('CreateKey', {}, { account: '444455556666' }).KeyMetadata!
    expect(() => kms.callSync('ListKeyRotations', { KeyId: other.Arn! })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    )
  })
})
