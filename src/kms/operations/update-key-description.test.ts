import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

describe('UpdateKeyDescription', () => {
  it('replaces the description; an empty string clears it', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey({ Description: 'old' })
    expect(call('UpdateKeyDescription', { KeyId: keyId, Description: 'new' })).toEqual({})
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.Description).toBe('new')
    call('UpdateKeyDescription', { KeyId: keyId, Description: '' })
    expect(call('DescribeKey', { KeyId: keyId }).KeyMetadata?.Description).toBe('')
  })

  it('refuses keys pending deletion and AWS managed keys', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(failure(() => call('UpdateKeyDescription', { KeyId: keyId, Description: 'x' })).name).toBe(
      'KMSInvalidStateException',
    )
    expect(
      failure(() => call('UpdateKeyDescription', { KeyId: keyIdOf(call, 'alias/aws/rds'), Description: 'x' })).name,
    ).toBe('AccessDeniedException')
  })

  it('validates Description (required, at most 8192 characters)', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(failure(() => call('UpdateKeyDescription', { KeyId: keyId } as never)).message).toBe(
      "1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null",
    )
    expect(
      failure(() => call('UpdateKeyDescription', { KeyId: keyId, Description: 'd'.repeat(8193) })).message,
    ).toContain("at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192")
    call('UpdateKeyDescription', { KeyId: keyId, Description: 'd'.repeat(8192) })
  })
})
