import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('GenerateDataKey', () => {
  it('returns a fresh data key of the requested length, in plaintext and encrypted under the key', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    for (const [input, length] of [
      [{ KeySpec: 'AES_256' as const }, 32],
      [{ KeySpec: 'AES_128' as const }, 16],
      [{ NumberOfBytes: 1 }, 1],
      [{ NumberOfBytes: 1024 }, 1024],
    ] as const) {
      const out = call('GenerateDataKey', { KeyId: key.KeyId, ...input, EncryptionContext: { purpose: 'dek' } })
      expect(out.KeyId).toBe(key.Arn)
      expect(out.Plaintext?.byteLength).toBe(length)
      expect(out.CiphertextBlob?.byteLength).toBe(length + 112)
      const back = call('Decrypt', {
        CiphertextBlob: out.CiphertextBlob as Uint8Array,
        EncryptionContext: { purpose: 'dek' },
      })
      expect(Buffer.from(back.Plaintext as Uint8Array).equals(Buffer.from(out.Plaintext as Uint8Array))).toBe(true)
    }
    const a = call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256' }).Plaintext as Uint8Array
    const b = call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256' }).Plaintext as Uint8Array
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false)
  })

  it('needs exactly one of KeySpec and NumberOfBytes (moto mirrors this AWS text)', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    for (const input of [{}, { KeySpec: 'AES_256' as const, NumberOfBytes: 32 }]) {
      expect(failure(() => call('GenerateDataKey', { KeyId: key.KeyId, ...input }))).toMatchObject({
        name: 'ValidationException',
        message: 'Please specify either number of bytes or key spec.',
      })
    }
    expect(failure(() => call('GenerateDataKey', { KeyId: key.KeyId, NumberOfBytes: 1025 })).message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    )
  })

  it('the encrypted key needs its encryption context to decrypt (as recorded)', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const out = call('GenerateDataKey', {
      KeyId: key.KeyId,
      KeySpec: 'AES_256',
      EncryptionContext: { 'context-key': 'context-value' },
    })
    expect(
      failure(() => call('Decrypt', { CiphertextBlob: out.CiphertextBlob as Uint8Array, KeyId: key.KeyId })),
    ).toMatchObject({
      name: 'InvalidCiphertextException',
      message: '',
    })
  })

  it('needs a symmetric encryption key', () => {
    const { call, createKey } = coreHarness()
    const hmac = createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
    expect(failure(() => call('GenerateDataKey', { KeyId: hmac.KeyId, KeySpec: 'AES_256' }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKey.`,
    })
    const rsa = createKey('RSA_2048', 'ENCRYPT_DECRYPT')
    expect(failure(() => call('GenerateDataKey', { KeyId: rsa.KeyId, KeySpec: 'AES_256' })).name).toBe(
      'InvalidKeyUsageException',
    )
  })

  it('follows key state, DryRun, Recipient', () => {
    const { call, createKey, record } = coreHarness()
    const key = createKey()
    expect(failure(() => call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true })).name).toBe(
      'DryRunOperationException',
    )
    expect(
      failure(() =>
        call('GenerateDataKey', {
          KeyId: key.KeyId,
          KeySpec: 'AES_256',
          Recipient: { AttestationDocument: new Uint8Array(4) },
        }),
      ).name,
    ).toBe('UnsupportedOperationException')
    record(key.KeyId).state = 'PendingImport'
    expect(failure(() => call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256' }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is pending import.`,
    })
  })

  it('asks kms:GenerateDataKey with the context and audits the key', () => {
    const { core, call, createKey } = coreHarness()
    const key = createKey()
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('GenerateDataKey', { KeyId: key.Arn, KeySpec: 'AES_256', EncryptionContext: { t: '1' }, GrantTokens: ['g'] })
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({ action: 'kms:GenerateDataKey', encryptionContext: { t: '1' }, grantTokens: ['g'] })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
  })
})
