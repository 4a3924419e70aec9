import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

const DAY = 86_400_000

describe('CancelKeyDeletion', () => {
  it('cancels a scheduled deletion: the key is Disabled and survives its old deletion date', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    clock.advance(3 * DAY)
    expect(call('CancelKeyDeletion', { KeyId: keyId })).toEqual({
      KeyId: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`,
    })
    const md = call('DescribeKey', { KeyId: keyId }).KeyMetadata
    expect(md).toMatchObject({ KeyState: 'Disabled', Enabled: false })
    expect(md?.DeletionDate).toBeUndefined()
    clock.advance(30 * DAY)
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.KeyState).toBe('Disabled')
    call('EnableKey', { KeyId: keyId })
    expect(call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) }).KeyId).toContain(keyId)
  })

  it("refuses keys that are not pending deletion with AWS's message", () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`
    expect(failure(() => call('CancelKeyDeletion', { KeyId: keyId }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${arn} is not pending deletion.`,
    })
    call('DisableKey', { KeyId: keyId })
    expect(failure(() => call('CancelKeyDeletion', { KeyId: keyId })).message).toBe(`${arn} is not pending deletion.`)
  })

  it('cannot bring back a deleted key', () => {
    const { clock, call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 })
    clock.advance(7 * DAY)
    expect(failure(() => call('CancelKeyDeletion', { KeyId: keyId })).name).toBe('NotFoundException')
  })

  it('reports bad input', () => {
    const { call } = coreHarness()
    expect(failure(() => call('CancelKeyDeletion', { KeyId: 'x'.repeat(2049) })).message).toContain(
      "at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048",
    )
    expect(failure(() => call('CancelKeyDeletion', { KeyId: keyIdOf(call, 'alias/aws/s3') })).name).toBe(
      'AccessDeniedException',
    )
  })
})
