import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('GenerateDataKeyWithoutPlaintext', () => {
  it('returns only the encrypted data key, which Decrypt opens to a key of the requested length', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const out = call('GenerateDataKeyWithoutPlaintext', {
      KeyId: key.KeyId,
      KeySpec: 'AES_256',
      EncryptionContext: { a: 'b' },
    })
    expect(Object.keys(out).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId'])
    expect(out.KeyId).toBe(key.Arn)
    const back = call('Decrypt', { CiphertextBlob: out.CiphertextBlob as Uint8Array, EncryptionContext: { a: 'b' } })
    expect(back.Plaintext?.byteLength).toBe(32)
    expect(Buffer.from(back.Plaintext as Uint8Array).equals(Buffer.alloc(32))).toBe(false)
    expect(
      call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, NumberOfBytes: 7 }).CiphertextBlob?.byteLength,
    ).toBe(7 + 112)
  })

  it('without the context the encrypted key does not decrypt (as recorded)', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const out = call('GenerateDataKeyWithoutPlaintext', {
      KeyId: key.KeyId,
      KeySpec: 'AES_256',
      EncryptionContext: { 'context-key': 'context-value' },
    })
    expect(
      failure(() => call('Decrypt', { CiphertextBlob: out.CiphertextBlob as Uint8Array, KeyId: key.KeyId })).name,
    ).toBe('InvalidCiphertextException')
  })

  it('validates like GenerateDataKey and names itself in key-usage errors', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    expect(failure(() => call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId })).message).toBe(
      'Please specify either number of bytes or key spec.',
    )
    const signing = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
    expect(
      failure(() => call('GenerateDataKeyWithoutPlaintext', { KeyId: signing.KeyId, KeySpec: 'AES_128' })).message,
    ).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyWithoutPlaintext.`)
  })

  it('key state, DryRun, authorization and audit', () => {
    const { core, call, createKey, record } = coreHarness()
    const key = createKey()
    expect(
      failure(() => call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true }))
        .name,
    ).toBe('DryRunOperationException')
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: { t: '1' } })
    expect(asked[0]).toMatchObject({ action: 'kms:GenerateDataKeyWithoutPlaintext', encryptionContext: { t: '1' } })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    record(key.KeyId).state = 'Disabled'
    expect(failure(() => call('GenerateDataKeyWithoutPlaintext', { KeyId: key.KeyId, KeySpec: 'AES_256' })).name).toBe(
      'DisabledException',
    )
  })
})
