import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator, type Emulator } from '../../emulator.ts'

const DAY = 86_400_000

function setup(): { kms: Emulator; clock: VirtualClock } {
  const clock = new VirtualClock()
  return { clock, kms: createEmulator({ clock, profile: 'none' }) }
}

const arnOf = (keyId: string, region = 'us-east-1', account = '111122223333'): string =>
  `arn:aws:kms:${region}:${account}:key/${keyId}`

describe('EnableKeyRotation', () => {
  it('enables yearly rotation by default, or every RotationPeriodInDays', () => {
    const { kms, clock } = setup()
    const a = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    const b = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    expect(kms.callSync('EnableKeyRotation', { KeyId: a })).toEqual({})
    kms.callSync('EnableKeyRotation', { KeyId: arnOf(b), RotationPeriodInDays: 2560 })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: a })).toMatchObject({
      KeyRotationEnabled: true,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date(clock.now() + 365 * DAY),
    })
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: b })).toMatchObject({
      RotationPeriodInDays: 2560,
      NextRotationDate: new Date(clock.now() + 2560 * DAY),
    })
  })

  it('checks RotationPeriodInDays against the model (90-2560) with AWS message format', () => {
    const { kms } = setup()
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 89 })).toThrow(
      expect.objectContaining({
        name: 'ValidationException',
        message:
          "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
      }),
    )
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 2561 })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    )
    expect(kms.callSync('GetKeyRotationStatus', { KeyId: keyId }).KeyRotationEnabled).toBe(false)
  })

  it('fails for unknown keys, aliases and other accounts', () => {
    const { kms } = setup()
    const missing = '0a1b2c3d-0000-4000-8000-000000000000'
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: missing })).toThrow(
      expect.objectContaining({ name: 'NotFoundException', message: `Key '${arnOf(missing)}' does not exist` }),
    )
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: 'alias/anything' })).toThrow(
      expect.objectContaining({ name: 'NotFoundException' }),
    )
    const other = kms.callSync('CreateKey', {}, { account: '444455556666' }).KeyMetadata!
    // Cross-account use: No.
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: other.Arn! })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    )
  })

  it('follows the key-state table: DisabledException, KMSInvalidStateException', () => {
    const { kms } = setup()
    const disabled = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('DisableKey', { KeyId: disabled })
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: disabled })).toThrow(
      expect.objectContaining({ name: 'DisabledException', message: `${arnOf(disabled)} is disabled.` }),
    )
    const pending = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('ScheduleKeyDeletion', { KeyId: pending })
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: pending })).toThrow(
      expect.objectContaining({ name: 'KMSInvalidStateException', message: `${arnOf(pending)} is pending deletion.` }),
    )
  })

  it('refuses asymmetric, HMAC, AWS managed keys and multi-Region replicas', () => {
    const { kms } = setup()
    const asymmetric = kms.callSync('CreateKey', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }).KeyMetadata!
      .KeyId
    const hmac = kms.callSync('CreateKey', { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' }).KeyMetadata!.KeyId
    for (const keyId of [asymmetric, hmac]) {
      expect(() => kms.callSync('EnableKeyRotation', { KeyId: keyId })).toThrow(
        expect.objectContaining({ name: 'UnsupportedOperationException' }),
      )
    }
    const managed = kms.callSync('DescribeKey', { KeyId: 'alias/aws/ebs' }).KeyMetadata!.KeyId
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: managed })).toThrow(
      expect.objectContaining({ name: 'AccessDeniedException' }),
    )
    const mrk = kms.callSync('CreateKey', { MultiRegion: true }).KeyMetadata!.KeyId
    kms.callSync('ReplicateKey', { KeyId: mrk, ReplicaRegion: 'us-west-2' })
    expect(() => kms.callSync('EnableKeyRotation', { KeyId: mrk }, { region: 'us-west-2' })).toThrow(
      expect.objectContaining({
        name: 'UnsupportedOperationException',
        message: `${arnOf(mrk, 'us-west-2')} is not a multi-region primary key.`,
      }),
    )
    kms.callSync('EnableKeyRotation', { KeyId: mrk })
  })

  it('is audited with the key and the requested period', () => {
    const { kms } = setup()
    const keyId = kms.callSync('CreateKey', {}).KeyMetadata!.KeyId
    kms.callSync('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 180 })
    expect(kms.auditEvents().at(-1)).toMatchObject({
      eventName: 'EnableKeyRotation',
      readOnly: false,
      requestParameters: { keyId, rotationPeriodInDays: 180 },
      resources: [{ ARN: arnOf(keyId) }],
    })
  })
})
