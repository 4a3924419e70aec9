import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator, type Emulator } from '../../emulator.ts'

const east = { region: 'us-east-1' }
const west = { region: 'us-west-2' }

function setup(): { kms: Emulator; keyId: string } {
  const kms = createEmulator({ clock: new VirtualClock(), profile: 'none' })
  const keyId = kms.callSync('CreateKey', { MultiRegion: true }, east).KeyMetadata!.KeyId
  kms.callSync('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'us-west-2' }, east)
  return { kms, keyId }
}

describe('UpdatePrimaryRegion', () => {
  it('swaps primary and replica, by key id or key ARN, and audits both keys', () => {
    const { kms, keyId } = setup()
    kms.callSync(
      'UpdatePrimaryRegion',
      { KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, PrimaryRegion: 'us-west-2' },
      east,
    )
    expect(
      kms.callSync('DescribeKey', { KeyId: keyId }, west).KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType,
    ).toBe('PRIMARY')
    expect(
      kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType,
    ).toBe('REPLICA')
    expect(
      kms
        .auditEvents()
        .at(-3)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([`arn:aws:kms:us-east-1:111122223333:key/${keyId}`, `arn:aws:kms:us-west-2:111122223333:key/${keyId}`])
    // And back again, from the new primary's Region.
    kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'us-east-1' }, west)
    expect(
      kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType,
    ).toBe('PRIMARY')
  })

  it('must be called on the primary, for a Region holding a replica', () => {
    const { kms, keyId } = setup()
    expect(() => kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'us-east-1' }, west)).toThrow(
      expect.objectContaining({
        name: 'UnsupportedOperationException',
        message: `arn:aws:kms:us-west-2:111122223333:key/${keyId} is not a multi-region primary key.`,
      }),
    )
    expect(() => kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'eu-west-1' }, east)).toThrow(
      expect.objectContaining({
        name: 'NotFoundException',
        message: `Key 'arn:aws:kms:eu-west-1:111122223333:key/${keyId}' does not exist`,
      }),
    )
    expect(() => kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'us-east-1' }, east)).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    )
    expect(() => kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'us-gov-west-1' }, east)).toThrow(
      expect.objectContaining({ name: 'ValidationException' }),
    )
    const single = kms.callSync('CreateKey', {}, east).KeyMetadata!
    expect(() =>
      kms.callSync('UpdatePrimaryRegion', { KeyId: single.KeyId, PrimaryRegion: 'us-west-2' }, east),
    ).toThrow(
      expect.objectContaining({
        name: 'UnsupportedOperationException',
        message: `${single.Arn} is not a multi-region key.`,
      }),
    )
  })

  it('refuses keys pending deletion on either side', () => {
    const { kms, keyId } = setup()
    kms.callSync('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }, west)
    expect(() => kms.callSync('UpdatePrimaryRegion', { KeyId: keyId, PrimaryRegion: 'us-west-2' }, east)).toThrow(
      expect.objectContaining({
        name: 'KMSInvalidStateException',
        message: `arn:aws:kms:us-west-2:111122223333:key/${keyId} is pending deletion.`,
      }),
    )
    expect(
      kms.callSync('DescribeKey', { KeyId: keyId }, east).KeyMetadata?.MultiRegionConfiguration?.MultiRegionKeyType,
    ).toBe('PRIMARY')
  })
})
