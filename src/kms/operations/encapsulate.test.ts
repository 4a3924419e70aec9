import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../../clock.ts'
import { createEmulator } from '../../emulator.ts'
import { DECAPSULATE_UNSUPPORTED } from './decapsulate.ts'
import { ENCAPSULATE_UNSUPPORTED } from './encapsulate.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('Encapsulate / Decapsulate (ML-KEM, missing from node:crypto)', () => {
  it('answers UnsupportedOperationException naming what is missing, after resolving the key', () => {
    const { call, newKey } = coreHarness()
    const KeyId = newKey()
    const e = failure(() => call('Encapsulate', { KeyId, EncapsulationAlgorithm: 'ML_KEM' }))
    expect([e.name, e.message]).toEqual(['UnsupportedOperationException', ENCAPSULATE_UNSUPPORTED])
    expect(e.message).toMatch(/ML-KEM.*node:crypto/)
    const d = failure(() =>
      call('Decapsulate', { KeyId, EncapsulationAlgorithm: 'ML_KEM', SharedSecretCiphertextBlob: new Uint8Array(768) }),
    )
    expect([d.name, d.message]).toEqual(['UnsupportedOperationException', DECAPSULATE_UNSUPPORTED])
    // A missing key is still NotFoundException, and bad input a ValidationException.
    expect(failure(() => call('Encapsulate', { KeyId: 'alias/none', EncapsulationAlgorithm: 'ML_KEM' })).name).toBe(
      'NotFoundException',
    )
    expect(failure(() => call('Encapsulate', { KeyId, EncapsulationAlgorithm: 'X' } as never)).name).toBe(
      'ValidationException',
    )
  })

  it('counts against no quota pool: the request quota table has no ML-KEM row (kms-facts.md §1)', () => {
    // Every shared pool at 1/s and every API at 1/s: any pool these calls touched would throttle the 2nd.
    const kms = createEmulator({
      clock: new VirtualClock(),
      profile: 'aws-default',
      quotas: { symmetric: 1, rsa: 1, ecc: 1, 'ml-dsa': 1, 'api:DescribeKey': 1 },
      audit: { capacity: 0 },
    })
    const KeyId = kms.callSync('CreateKey', {}).KeyMetadata?.KeyId as string
    const names = new Set<string>()
    for (let i = 0; i < 50; i++) {
      const e = kms.tryCall('Encapsulate', { KeyId, EncapsulationAlgorithm: 'ML_KEM' })
      const d = kms.tryCall('Decapsulate', {
        KeyId,
        EncapsulationAlgorithm: 'ML_KEM',
        SharedSecretCiphertextBlob: new Uint8Array(768),
      })
      for (const r of [e, d]) names.add(r.ok ? 'ok' : r.error.name)
    }
    expect([...names]).toEqual(['UnsupportedOperationException'])
    const pools = kms.usage().pools.map((p) => p.pool)
    expect(pools).toEqual(['api:CreateKey'])
    // The symmetric pool is still whole for the key's own calls.
    expect(kms.tryCall('Encrypt', { KeyId, Plaintext: new Uint8Array([1]) }).ok).toBe(true)
  })
})
