import { describe, expect, it } from 'vitest'
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
})
