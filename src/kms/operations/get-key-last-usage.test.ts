import { describe, expect, it } from 'vitest'
import { coreHarness, failure } from '../test-support.ts'

describe('GetKeyLastUsage', () => {
  it('reports the last successful cryptographic call and its time; empty before any', () => {
    const { call, clock, newKey } = coreHarness()
    const KeyId = newKey()
    const created = call('DescribeKey', { KeyId }).KeyMetadata?.CreationDate
    expect(call('GetKeyLastUsage', { KeyId })).toEqual({ KeyId, KeyLastUsage: {}, TrackingStartDate: created })
    clock.advance(5000)
    call('Encrypt', { KeyId, Plaintext: new Uint8Array([1]) })
    call('DescribeKey', { KeyId }) // not a cryptographic operation: not tracked
    expect(
      failure(() => call('Sign', { KeyId, Message: new Uint8Array([1]), SigningAlgorithm: 'ECDSA_SHA_256' })).name,
    ).toBe('InvalidKeyUsageException')
    expect(call('GetKeyLastUsage', { KeyId }).KeyLastUsage).toEqual({
      Operation: 'Encrypt',
      Timestamp: new Date(clock.now()),
    })
    expect(failure(() => call('GetKeyLastUsage', { KeyId: 'alias/aws/s3' })).message).toBe(
      "Invalid keyId 'alias/aws/s3'",
    )
  })
})
