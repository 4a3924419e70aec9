import { createPrivateKey, createPublicKey } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('GenerateDataKeyPairWithoutPlaintext', () => {
  it('returns the public key and the encrypted private key only; Decrypt gives the matching PKCS #8 key', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    for (const spec of ['RSA_2048', 'ECC_NIST_P256', 'ECC_SECG_P256K1'] as const) {
      const out = call('GenerateDataKeyPairWithoutPlaintext', {
        KeyId: key.KeyId,
        KeyPairSpec: spec,
        EncryptionContext: { k: 'v' },
      })
      expect(Object.keys(out).sort()).toEqual([
        'KeyId',
        'KeyMaterialId',
        'KeyPairSpec',
        'PrivateKeyCiphertextBlob',
        'PublicKey',
      ])
      expect(out).toMatchObject({ KeyId: key.Arn, KeyPairSpec: spec })
      const pkcs8 = call('Decrypt', {
        CiphertextBlob: out.PrivateKeyCiphertextBlob as Uint8Array,
        EncryptionContext: { k: 'v' },
      }).Plaintext as Uint8Array
      const derived = createPublicKey(
        createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
      ).export({ type: 'spki', format: 'der' })
      expect(derived.equals(Buffer.from(out.PublicKey as Uint8Array))).toBe(true)
      expect(failure(() => call('Decrypt', { CiphertextBlob: out.PrivateKeyCiphertextBlob as Uint8Array })).name).toBe(
        'InvalidCiphertextException',
      )
    }
  })

  it('checks like GenerateDataKeyPair and names itself', () => {
    const { core, call, createKey, record } = coreHarness()
    const key = createKey()
    expect(
      failure(() =>
        call('GenerateDataKeyPairWithoutPlaintext', { KeyId: key.KeyId, KeyPairSpec: 'RSA_2048', DryRun: true }),
      ).message,
    ).toBe('The request would have succeeded, but the DryRun option is set.')
    const signing = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
    expect(
      failure(() => call('GenerateDataKeyPairWithoutPlaintext', { KeyId: signing.KeyId, KeyPairSpec: 'ECC_NIST_P256' }))
        .message,
    ).toBe(`${signing.Arn} key usage is SIGN_VERIFY which is not valid for GenerateDataKeyPairWithoutPlaintext.`)
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('GenerateDataKeyPairWithoutPlaintext', { KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' })
    expect(asked[0]).toMatchObject({
      action: 'kms:GenerateDataKeyPairWithoutPlaintext',
      conditions: { 'kms:DataKeyPairSpec': 'ECC_NIST_P256' },
    })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    record(key.KeyId).state = 'PendingDeletion'
    expect(
      failure(() => call('GenerateDataKeyPairWithoutPlaintext', { KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P256' }))
        .name,
    ).toBe('KMSInvalidStateException')
  })
})
