import { describe, expect, it } from 'vitest'
import type { Clock } from '../clock.ts'
import type { KmsCore } from './core.ts'
import { DAY_MS, deleteKeyNow, hasReplicas, scheduleDeletion } from './deletion.ts'
import { newReplicaRecord } from './key-factory.ts'
import { coreHarness, failure, type CoreHarness } from './test-support.ts'

/** A multi-Region primary in us-east-1 with replicas in the given Regions (ReplicateKey belongs to another module). */
function multiRegionKey(core: KmsCore, call: CoreHarness<Clock>['call'], replicaRegions: string[]) {
  const primary = core.store
    .region('111122223333', 'us-east-1')
    .keys.get(call('CreateKey', { MultiRegion: true }).KeyMetadata?.KeyId as string)
  if (primary === undefined) throw new Error('no primary')
  const replicas = replicaRegions.map((region) => {
    const replica = newReplicaRecord(primary, region, core.clock.now(), undefined, undefined, undefined)
    core.store.region('111122223333', region).keys.set(replica.keyId, replica)
    return replica
  })
  return { primary, replicas }
}

describe('key deletion', () => {
  it('deletes the key and its aliases when the window ends, in virtual time, and records DeleteKey', () => {
    const { clock, core, call } = coreHarness()
    const keyId = call('CreateKey', {}).KeyMetadata?.KeyId as string
    call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: keyId })
    const key = core.store.region('111122223333', 'us-east-1').keys.get(keyId)
    if (key === undefined) throw new Error('no key')
    scheduleDeletion(core, key, 7, clock.now())
    expect(key.deletionDate).toBe(clock.now() + 7 * DAY_MS)
    clock.advance(7 * DAY_MS - 1)
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.KeyState).toBe('PendingDeletion')
    clock.advance(1)
    expect(failure(() => call('DescribeKey', { KeyId: keyId })).name).toBe('NotFoundException')
    expect(core.store.region('111122223333', 'us-east-1').aliases.has('alias/doomed')).toBe(false)
    const deleteEvent = core.audit.events().find((e) => e.eventName === 'DeleteKey')
    expect(deleteEvent).toMatchObject({
      eventType: 'AwsServiceEvent',
      userIdentity: { invokedBy: 'kms.amazonaws.com', accountId: '111122223333' },
      additionalEventData: { keyId },
      eventTime: new Date(key.deletionDate as number).toISOString(),
      resources: [{ ARN: key.arn, type: 'AWS::KMS::Key' }],
    })
  })

  it('a multi-Region primary waits in PendingReplicaDeletion until its last replica is deleted', () => {
    const { clock, core, call } = coreHarness()
    const { primary, replicas } = multiRegionKey(core, call, ['eu-west-1', 'ap-southeast-2'])
    expect(hasReplicas(primary)).toBe(true)
    expect(hasReplicas(replicas[0] as never)).toBe(false)
    scheduleDeletion(core, primary, 7, clock.now())
    expect(primary.state).toBe('PendingReplicaDeletion')
    expect(primary.deletionDate).toBeUndefined()
    const md = call('DescribeKey', { KeyId: primary.keyId }).KeyMetadata
    expect(md?.PendingDeletionWindowInDays).toBe(7)
    expect(md?.DeletionDate).toBeUndefined()

    // Replicas scheduled with different windows; the primary waits for the later one.
    call('ScheduleKeyDeletion', { KeyId: primary.keyId, PendingWindowInDays: 10 }, { region: 'eu-west-1' })
    call('ScheduleKeyDeletion', { KeyId: primary.keyId, PendingWindowInDays: 20 }, { region: 'ap-southeast-2' })
    clock.advance(10 * DAY_MS)
    expect(failure(() => call('DescribeKey', { KeyId: primary.keyId }, { region: 'eu-west-1' })).name).toBe(
      'NotFoundException',
    )
    expect(call('DescribeKey', { KeyId: primary.keyId }).KeyMetadata?.KeyState).toBe('PendingReplicaDeletion')
    clock.advance(10 * DAY_MS)
    // Last replica deleted at day 20: the primary's 7-day window starts then.
    const after = call('DescribeKey', { KeyId: primary.keyId }).KeyMetadata
    expect(after?.KeyState).toBe('PendingDeletion')
    expect(after?.DeletionDate?.getTime()).toBe(clock.now() + 7 * DAY_MS)
    expect(after?.PendingDeletionWindowInDays).toBeUndefined()
    expect(after?.MultiRegionConfiguration?.ReplicaKeys).toEqual([])
    clock.advance(7 * DAY_MS)
    expect(failure(() => call('DescribeKey', { KeyId: primary.keyId })).name).toBe('NotFoundException')
  })

  it('CancelKeyDeletion stops the pending task; rescheduling starts a new window', () => {
    const { clock, core, call } = coreHarness()
    const keyId = call('CreateKey', {}).KeyMetadata?.KeyId as string
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    clock.advance(DAY_MS)
    call('CancelKeyDeletion', { KeyId: keyId })
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    clock.advance(6 * DAY_MS) // the first window's end: the key must survive it
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.KeyState).toBe('PendingDeletion')
    clock.advance(DAY_MS)
    expect(failure(() => call('DescribeKey', { KeyId: keyId })).name).toBe('NotFoundException')
    expect(core.scheduler.size).toBe(0)
  })

  it('deleteKeyNow leaves a key that is no longer stored alone', () => {
    const { core, call, clock } = coreHarness()
    const keyId = call('CreateKey', {}).KeyMetadata?.KeyId as string
    const key = core.store.region('111122223333', 'us-east-1').keys.get(keyId)
    if (key === undefined) throw new Error('no key')
    deleteKeyNow(core, key, clock.now())
    const events = core.audit.count
    deleteKeyNow(core, key, clock.now())
    expect(core.audit.count).toBe(events)
  })
})
