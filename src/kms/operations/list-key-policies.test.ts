import { describe, expect, it } from 'vitest'
import { coreHarness, failure, keyIdOf } from '../test-support.ts'

describe('ListKeyPolicies', () => {
  it('lists the single policy name, default', () => {
    const { call, newKey } = coreHarness()
    const keyId = newKey()
    expect(call('ListKeyPolicies', { KeyId: keyId })).toEqual({ PolicyNames: ['default'], Truncated: false })
    expect(call('ListKeyPolicies', { KeyId: keyId, Limit: 1 })).toEqual({ PolicyNames: ['default'], Truncated: false })
    call('ScheduleKeyDeletion', { KeyId: keyId })
    expect(call('ListKeyPolicies', { KeyId: keyId }).PolicyNames).toEqual(['default'])
    expect(call('ListKeyPolicies', { KeyId: keyIdOf(call, 'alias/aws/s3') }).PolicyNames).toEqual(['default'])
  })

  it('reports unknown keys, bad markers and bad input', () => {
    const { call, newKey } = coreHarness()
    expect(failure(() => call('ListKeyPolicies', { KeyId: 'alias/none' })).name).toBe('NotFoundException')
    expect(failure(() => call('ListKeyPolicies', { KeyId: newKey(), Marker: 'x' })).name).toBe('InvalidMarkerException')
    expect(failure(() => call('ListKeyPolicies', { KeyId: newKey(), Limit: 0 })).name).toBe('ValidationException')
  })
})
