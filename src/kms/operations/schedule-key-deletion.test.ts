import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

const DAY = 86_400_000

describe('ScheduleKeyDeletion', () => {
  it('schedules deletion after 30 days by default and answers with the key ARN', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey()
    const out = call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(out).toEqual({
      KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
      DeletionDate: new Date(clock.now() + 30 * DAY),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 30,
    })
  })

  it('really deletes the key when its window ends in virtual time (and not 1 ms before)', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey()
    call('CreateAlias', { AliasName: 'alias/short-lived', TargetKeyId: keyId })
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    clock.advance(7 * DAY - 1)
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.KeyState).toBe('PendingDeletion')
    expect(call('ListKeys', {}).Keys).toHaveLength(1)
    expect(call('ListAliases', { KeyId: keyId }).Aliases).toHaveLength(1)
    clock.advance(1)
    expect(failure(() => call('DescribeKey', { KeyId: keyId }))).toMatchObject({
      name: 'NotFoundException',
      message: `Key 'arn:aws:kms:us-east-1:111122223333:key/${keyId}' does not exist`,
    })
    expect(call('ListKeys', {}).Keys).toEqual([])
    expect(failure(() => call('DescribeKey', { KeyId: 'alias/short-lived' })).name).toBe('NotFoundException')
    expect((call('ListAliases', {}).Aliases ?? []).map((a) => a.AliasName)).not.toContain('alias/short-lived')
    // The name is free again.
    call('CreateAlias', { AliasName: 'alias/short-lived', TargetKeyId: newKey() })
  })

  it('accepts 7 to 30 days; other values get AWS messages', () => {
    const { call, newKey } = coreHarness()
    for (const days of [6, 31, 365]) {
      expect(failure(() => call('ScheduleKeyDeletion', { KeyId: newKey(), PendingWindowInDays: days }))).toMatchObject({
        name: 'ValidationException',
        message: 'PendingWindowInDays must be between 7 and 30',
      })
    }
    expect(failure(() => call('ScheduleKeyDeletion', { KeyId: newKey(), PendingWindowInDays: 0 })).message).toBe(
      "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1",
    )
    expect(
      failure(() => call('ScheduleKeyDeletion', { KeyId: newKey(), PendingWindowInDays: '7' } as never)).name,
    ).toBe('ValidationException')
    expect(call('ScheduleKeyDeletion', { KeyId: newKey(), PendingWindowInDays: 7 }).PendingWindowInDays).toBe(7)
    expect(call('ScheduleKeyDeletion', { KeyId: newKey(), PendingWindowInDays: 30 }).PendingWindowInDays).toBe(30)
  })

  it('a key pending deletion cannot be used, nor scheduled again', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId })
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`
    expect(failure(() => call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${arn} is pending deletion.`,
    })
    expect(failure(() => call('ScheduleKeyDeletion', { KeyId: keyId }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${arn} is pending deletion.`,
    })
  })

  it('schedules disabled keys too, by ARN; an alias is refused (key ID or key ARN only)', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('DisableKey', { KeyId: keyId })
    call('CreateAlias', { AliasName: 'alias/old', TargetKeyId: keyId })
    expect(failure(() => call('ScheduleKeyDeletion', { KeyId: 'alias/old' })).name).toBe('NotFoundException')
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`
    expect(call('ScheduleKeyDeletion', { KeyId: arn })).toMatchObject({ KeyId: arn, KeyState: 'PendingDeletion' })
  })

  it("refuses AWS managed keys, other accounts' keys and unknown keys", () => {
    const { core, call, newKey } = coreHarness()
    expect(failure(() => call('ScheduleKeyDeletion', { KeyId: keyIdOf(call, 'alias/aws/s3') })).name).toBe(
      'AccessDeniedException',
    )
    const other = `arn:aws:kms:us-east-1:444455556666:key/${newKey({}, { account: '444455556666' })}`
    expect(failure(() => call('ScheduleKeyDeletion', { KeyId: other })).name).toBe('AccessDeniedException')
    expect(core.store.region('444455556666', 'us-east-1').keys.values().next().value?.state).toBe('Enabled')
    expect(failure(() => call('ScheduleKeyDeletion', { KeyId: 'alias/none' })).name).toBe('NotFoundException')
  })

  it('passes the window to the authorizer (kms:ScheduleKeyDeletionPendingWindowInDays)', () => {
    const { core, call, newKey } = coreHarness()
    const seen: unknown[] = []
    core.authorizer = {
      authorize: (_ctx, r) => void seen.push(r.conditions?.['kms:ScheduleKeyDeletionPendingWindowInDays']),
    }
    call('ScheduleKeyDeletion', { KeyId: newKey(), PendingWindowInDays: 9 })
    expect(seen.at(-1)).toBe('9')
  })
})

describe('ScheduleKeyDeletion of multi-Region keys', () => {
  it('a primary with replicas is PendingReplicaDeletion (no DeletionDate) until its last replica is deleted', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey({ MultiRegion: true })
    call('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'eu-west-1' })
    clock.advance(1000) // let the replica leave its transient Creating state
    const out = call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    expect(out).toEqual({
      KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
      KeyState: 'PendingReplicaDeletion',
      PendingWindowInDays: 7,
    })
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata).toMatchObject({
      KeyState: 'PendingReplicaDeletion',
      PendingDeletionWindowInDays: 7,
      Enabled: false,
    })
    expect(failure(() => call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) })).name).toBe(
      'KMSInvalidStateException',
    )
    clock.advance(60 * DAY)
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.KeyState).toBe('PendingReplicaDeletion')
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 30 }, { region: 'eu-west-1' })
    clock.advance(30 * DAY)
    expect(failure(() => call('DescribeKey', { KeyId: keyId }, { region: 'eu-west-1' })).name).toBe('NotFoundException')
    const md = call('DescribeKey', { KeyId: keyId }).KeyMetadata
    expect(md?.KeyState).toBe('PendingDeletion')
    expect(md?.DeletionDate?.getTime()).toBe(clock.now() + 7 * DAY)
    clock.advance(7 * DAY - 1)
    expect(call('ListKeys', {}).Keys).toHaveLength(1)
    clock.advance(1)
    expect(call('ListKeys', {}).Keys).toEqual([])
  })

  it('cancelling a primary that waits for its replicas makes it Disabled', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey({ MultiRegion: true })
    call('ReplicateKey', { KeyId: keyId, ReplicaRegion: 'ap-southeast-2' })
    clock.advance(1000)
    call('ScheduleKeyDeletion', { KeyId: keyId })
    call('CancelKeyDeletion', { KeyId: keyId })
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata).toMatchObject({ KeyState: 'Disabled' })
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.PendingDeletionWindowInDays).toBeUndefined()
  })
})
