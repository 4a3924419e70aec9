import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('GenerateRandom', () => {
  it('returns NumberOfBytes random bytes, different each time (lengths of the AWS-recorded test)', () => {
    const { call } = coreHarness()
    for (const n of [12, 44, 91, 1, 1024])
      expect(call('GenerateRandom', { NumberOfBytes: n }).Plaintext?.byteLength).toBe(n)
    const a = Buffer.from(call('GenerateRandom', { NumberOfBytes: 32 }).Plaintext as Uint8Array)
    const b = Buffer.from(call('GenerateRandom', { NumberOfBytes: 32 }).Plaintext as Uint8Array)
    expect(a.equals(b)).toBe(false)
  })

  it('needs NumberOfBytes in 1..1024, with the messages recorded against AWS', () => {
    const { call } = coreHarness()
    expect(failure(() => call('GenerateRandom', {}))).toMatchObject({
      name: 'ValidationException',
      message: 'NumberOfBytes is required.',
    })
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 0 })).message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    )
    expect(failure(() => call('GenerateRandom', { NumberOfBytes: 1025 })).message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    )
  })

  it('needs an existing custom key store, and takes no Recipient', () => {
    const { call } = coreHarness()
    expect(
      failure(() => call('GenerateRandom', { NumberOfBytes: 8, CustomKeyStoreId: 'cks-1234567890abcdef0' })).name,
    ).toBe('CustomKeyStoreNotFoundException')
    expect(
      failure(() => call('GenerateRandom', { NumberOfBytes: 8, Recipient: { AttestationDocument: new Uint8Array(4) } }))
        .name,
    ).toBe('UnsupportedOperationException')
  })

  it('is authorized by kms:GenerateRandom with no key, and audits no key', () => {
    const { core, call } = coreHarness()
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    const random = Buffer.from(call('GenerateRandom', { NumberOfBytes: 64 }).Plaintext as Uint8Array)
    expect(asked).toEqual([{ action: 'kms:GenerateRandom' }])
    const last = core.audit.events().at(-1)
    expect(last?.eventName).toBe('GenerateRandom')
    expect(last?.resources ?? []).toEqual([])
    expect(JSON.stringify(last)).not.toContain(random.toString('base64'))
    expect(JSON.stringify(last)).not.toContain(random.toString('hex'))
  })
})
