import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

describe('DisableKey', () => {
  it('disables a key: crypto fails with DisabledException, management still works', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(call('DisableKey', { KeyId: keyId })).toEqual({})
    const arn = `arn:aws:kms:us-east-1:111122223333:key/${keyId}`
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false })
    expect(failure(() => call('Encrypt', { KeyId: keyId, Plaintext: new Uint8Array([1]) }))).toMatchObject({
      name: 'DisabledException',
      message: `${arn} is disabled.`,
    })
    // Disabled keys can still be described, tagged, aliased, re-described and disabled again.
    call('DisableKey', { KeyId: keyId })
    call('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] })
    call('CreateAlias', { AliasName: 'alias/off', TargetKeyId: keyId })
    call('UpdateKeyDescription', { KeyId: keyId, Description: 'off' })
  })

  it('refuses keys pending deletion, AWS managed keys and unknown keys', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(failure(() => call('DisableKey', { KeyId: keyId })).name).toBe('KMSInvalidStateException')
    expect(failure(() => call('DisableKey', { KeyId: keyIdOf(call, 'alias/aws/lambda') })).name).toBe(
      'AccessDeniedException',
    )
    expect(call('DescribeKey', { KeyId: 'alias/aws/lambda' }).KeyMetadata?.KeyState).toBe('Enabled')
    expect(failure(() => call('DisableKey', { KeyId: '11111111-2222-3333-4444-555555555555' })).name).toBe(
      'NotFoundException',
    )
    expect(failure(() => call('DisableKey', { KeyId: ['x'] } as never)).name).toBe('ValidationException')
  })
})
