import { execFileSync } from 'node:child_process'
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import type { DataKeyPairSpec } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const EXPECTED: Record<Exclude<DataKeyPairSpec, 'SM2'>, { type: string; bits?: number; curve?: string }> = {
  RSA_2048: { type: 'rsa', bits: 2048 },
  RSA_3072: { type: 'rsa', bits: 3072 },
  RSA_4096: { type: 'rsa', bits: 4096 },
  ECC_NIST_P256: { type: 'ec', curve: 'prime256v1' },
  ECC_NIST_P384: { type: 'ec', curve: 'secp384r1' },
  ECC_NIST_P521: { type: 'ec', curve: 'secp521r1' },
  ECC_SECG_P256K1: { type: 'ec', curve: 'secp256k1' },
}

describe('GenerateDataKeyPair', () => {
  const { core, call, createKey, record } = coreHarness()
  const key = createKey()

  it.each(Object.entries(EXPECTED))(
    '%s: PKCS #8 private key, SPKI public key of the pair, private key encrypted with the context',
    (spec, expected) => {
      const out = call('GenerateDataKeyPair', {
        KeyId: key.KeyId,
        KeyPairSpec: spec as DataKeyPairSpec,
        EncryptionContext: { app: 'x' },
      })
      expect(out).toMatchObject({ KeyId: key.Arn, KeyPairSpec: spec })
      const privateKey = createPrivateKey({
        key: Buffer.from(out.PrivateKeyPlaintext as Uint8Array),
        format: 'der',
        type: 'pkcs8',
      })
      const publicKey = createPublicKey({ key: Buffer.from(out.PublicKey as Uint8Array), format: 'der', type: 'spki' })
      expect(privateKey.asymmetricKeyType).toBe(expected.type)
      if (expected.bits !== undefined) expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(expected.bits)
      if (expected.curve !== undefined) expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe(expected.curve)
      // The public key is the private key's.
      expect(
        createPublicKey(privateKey)
          .export({ type: 'spki', format: 'der' })
          .equals(Buffer.from(out.PublicKey as Uint8Array)),
      ).toBe(true)
      const sig = sign('sha256', Buffer.from('pair'), privateKey)
      expect(verify('sha256', Buffer.from('pair'), publicKey, sig)).toBe(true)
      // The ciphertext is an ordinary symmetric ciphertext of the PKCS #8 bytes, bound to the context.
      const back = call('Decrypt', {
        CiphertextBlob: out.PrivateKeyCiphertextBlob as Uint8Array,
        EncryptionContext: { app: 'x' },
      })
      expect(Buffer.from(back.Plaintext as Uint8Array).equals(Buffer.from(out.PrivateKeyPlaintext as Uint8Array))).toBe(
        true,
      )
      expect(
        failure(() => call('Decrypt', { CiphertextBlob: out.PrivateKeyCiphertextBlob as Uint8Array, KeyId: key.KeyId }))
          .name,
      ).toBe('InvalidCiphertextException')
    },
  )

  it('openssl reads the private key and derives the same public key', () => {
    const out = call('GenerateDataKeyPair', { KeyId: key.KeyId, KeyPairSpec: 'ECC_NIST_P384' })
    const dir = mkdtempSync(join(tmpdir(), 'kms-pair-'))
    try {
      writeFileSync(join(dir, 'priv.der'), out.PrivateKeyPlaintext as Uint8Array)
      const pub = execFileSync('openssl', [
        'pkey',
        '-inform',
        'DER',
        '-in',
        join(dir, 'priv.der'),
        '-pubout',
        '-outform',
        'DER',
      ])
      expect(pub.equals(Buffer.from(out.PublicKey as Uint8Array))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('needs a symmetric encryption key; SM2 only in China Regions', () => {
    const rsa = createKey('RSA_2048', 'ENCRYPT_DECRYPT')
    expect(failure(() => call('GenerateDataKeyPair', { KeyId: rsa.KeyId, KeyPairSpec: 'ECC_NIST_P256' })).name).toBe(
      'InvalidKeyUsageException',
    )
    const hmac = createKey('HMAC_512', 'GENERATE_VERIFY_MAC')
    expect(
      failure(() => call('GenerateDataKeyPair', { KeyId: hmac.KeyId, KeyPairSpec: 'ECC_NIST_P256' })).message,
    ).toBe(`${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for GenerateDataKeyPair.`)
    expect(failure(() => call('GenerateDataKeyPair', { KeyId: key.KeyId, KeyPairSpec: 'SM2' })).name).toBe(
      'ValidationException',
    )
    expect(
      failure(() => call('GenerateDataKeyPair', { KeyId: key.KeyId, KeyPairSpec: 'RSA_1024' as DataKeyPairSpec })).name,
    ).toBe('ValidationException')
  })

  it('DryRun (AWS message), key state, Recipient', () => {
    expect(
      failure(() => call('GenerateDataKeyPair', { KeyId: key.KeyId, KeyPairSpec: 'RSA_2048', DryRun: true })),
    ).toMatchObject({
      name: 'DryRunOperationException',
      message: 'The request would have succeeded, but the DryRun option is set.',
    })
    expect(
      failure(() =>
        call('GenerateDataKeyPair', {
          KeyId: key.KeyId,
          KeyPairSpec: 'RSA_2048',
          Recipient: { AttestationDocument: new Uint8Array(3) },
        }),
      ).name,
    ).toBe('UnsupportedOperationException')
    const disabled = createKey()
    record(disabled.KeyId).state = 'Disabled'
    expect(
      failure(() => call('GenerateDataKeyPair', { KeyId: disabled.KeyId, KeyPairSpec: 'ECC_NIST_P256' })).name,
    ).toBe('DisabledException')
  })

  it('asks kms:GenerateDataKeyPair with kms:DataKeyPairSpec and the context, and audits the key', () => {
    const asked: AccessRequest[] = []
    const saved = core.authorizer
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    let privateKey = ''
    try {
      const out = call('GenerateDataKeyPair', {
        KeyId: key.KeyId,
        KeyPairSpec: 'ECC_NIST_P256',
        EncryptionContext: { t: '1' },
      })
      privateKey = Buffer.from(out.PrivateKeyPlaintext as Uint8Array).toString('base64')
    } finally {
      core.authorizer = saved
    }
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({
      action: 'kms:GenerateDataKeyPair',
      encryptionContext: { t: '1' },
      conditions: { 'kms:DataKeyPairSpec': 'ECC_NIST_P256' },
    })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    expect(JSON.stringify(core.audit.events().at(-1))).not.toContain(privateKey)
  })
})
