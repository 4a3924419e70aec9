import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { AccessDeniedException } from '../errors.ts'
import { newKeyMaterial } from '../key-material.ts'
import { INCORRECT_KEY_MESSAGE } from '../symmetric.ts'
import { coreHarness, failure } from '../test-support.ts'

const message = Buffer.from('test message 123 !%$@ 1234567890')
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8')

describe('ReEncrypt', () => {
  it('symmetric to symmetric: new ciphertext under the destination with its context; ARNs and algorithms out (as recorded)', () => {
    const { call, createKey } = coreHarness()
    const src = createKey()
    const dst = createKey()
    const { CiphertextBlob } = call('Encrypt', {
      KeyId: src.KeyId,
      Plaintext: message,
      EncryptionContext: { from: 'a' },
    })
    const out = call('ReEncrypt', {
      CiphertextBlob: CiphertextBlob as Uint8Array,
      SourceEncryptionContext: { from: 'a' },
      DestinationKeyId: dst.KeyId,
      DestinationEncryptionContext: { to: 'b' },
    })
    expect(out).toMatchObject({
      SourceKeyId: src.Arn,
      KeyId: dst.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
    })
    expect(
      text(
        call('Decrypt', { CiphertextBlob: out.CiphertextBlob as Uint8Array, EncryptionContext: { to: 'b' } }).Plaintext,
      ),
    ).toBe(message.toString())
    expect(
      call('Decrypt', { CiphertextBlob: out.CiphertextBlob as Uint8Array, EncryptionContext: { to: 'b' } }).KeyId,
    ).toBe(dst.Arn)
    // The source context is still required on the source side.
    expect(
      failure(() => call('ReEncrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, DestinationKeyId: dst.KeyId }))
        .name,
    ).toBe('InvalidCiphertextException')
  })

  it('re-encrypts under the same key with the current material (what rotation tooling does)', () => {
    const { core, call, createKey, record } = coreHarness()
    const key = createKey()
    const old = call('Encrypt', { KeyId: key.KeyId, Plaintext: message }).CiphertextBlob as Uint8Array
    const rec = record(key.KeyId)
    rec.material.versions.push(newKeyMaterial('SYMMETRIC_DEFAULT', 1, core.clock.now(), core.random))
    rec.material.current = 1
    const out = call('ReEncrypt', { CiphertextBlob: old, DestinationKeyId: key.Arn })
    expect(Buffer.from(out.CiphertextBlob as Uint8Array).readUInt32BE(28)).toBe(1)
    expect(text(call('Decrypt', { CiphertextBlob: out.CiphertextBlob as Uint8Array }).Plaintext)).toBe(
      message.toString(),
    )
  })

  it('RSA to RSA and symmetric to RSA and back (as recorded for RSA_2048/OAEP_SHA_256)', () => {
    const { call, createKey } = coreHarness()
    const rsa1 = createKey('RSA_2048', 'ENCRYPT_DECRYPT')
    const rsa2 = createKey('RSA_2048', 'ENCRYPT_DECRYPT')
    const sym = createKey()
    const c1 = call('Encrypt', { KeyId: rsa1.KeyId, Plaintext: message, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
      .CiphertextBlob as Uint8Array
    const r = call('ReEncrypt', {
      CiphertextBlob: c1,
      SourceKeyId: rsa1.KeyId,
      DestinationKeyId: rsa2.KeyId,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    })
    expect(r).toMatchObject({
      SourceKeyId: rsa1.Arn,
      KeyId: rsa2.Arn,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    })
    expect(r.CiphertextBlob?.byteLength).toBe(256)
    expect(
      text(
        call('Decrypt', {
          KeyId: rsa2.KeyId,
          CiphertextBlob: r.CiphertextBlob as Uint8Array,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        }).Plaintext,
      ),
    ).toBe(message.toString())
    const toSym = call('ReEncrypt', {
      CiphertextBlob: r.CiphertextBlob as Uint8Array,
      SourceKeyId: rsa2.Arn,
      SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
      DestinationKeyId: sym.KeyId,
    })
    expect(text(call('Decrypt', { CiphertextBlob: toSym.CiphertextBlob as Uint8Array }).Plaintext)).toBe(
      message.toString(),
    )
    // RSA ciphertext names no key: SourceKeyId is required.
    expect(
      failure(() =>
        call('ReEncrypt', {
          CiphertextBlob: c1,
          DestinationKeyId: sym.KeyId,
          SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
        }),
      ).name,
    ).toBe('InvalidCiphertextException')
    // Plaintext too long for the destination's OAEP limit.
    const big = call('Encrypt', { KeyId: sym.KeyId, Plaintext: new Uint8Array(300) }).CiphertextBlob as Uint8Array
    expect(
      failure(() =>
        call('ReEncrypt', {
          CiphertextBlob: big,
          DestinationKeyId: rsa1.KeyId,
          DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        }),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: 'Algorithm RSAES_OAEP_SHA_1 and key spec RSA_2048 cannot encrypt data larger than 214 bytes.',
    })
    // No encryption context on an RSA side.
    expect(
      failure(() =>
        call('ReEncrypt', {
          CiphertextBlob: c1,
          SourceKeyId: rsa1.KeyId,
          SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
          DestinationKeyId: rsa2.KeyId,
          DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
          DestinationEncryptionContext: { a: 'b' },
        }),
      ).name,
    ).toBe('ValidationException')
  })

  it('a SourceKeyId that is not the ciphertext key is IncorrectKeyException (as recorded, with an HMAC key)', () => {
    const { call, createKey } = coreHarness()
    const src = createKey()
    const hmac = createKey('HMAC_224', 'GENERATE_VERIFY_MAC')
    const { CiphertextBlob } = call('Encrypt', { KeyId: src.KeyId, Plaintext: message })
    expect(
      failure(() =>
        call('ReEncrypt', {
          CiphertextBlob: CiphertextBlob as Uint8Array,
          SourceKeyId: hmac.KeyId,
          DestinationKeyId: hmac.KeyId,
          SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
          DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        }),
      ),
    ).toMatchObject({ name: 'IncorrectKeyException', message: INCORRECT_KEY_MESSAGE })
  })

  it('a destination that cannot encrypt is InvalidKeyUsageException naming ReEncrypt; algorithms must fit', () => {
    const { call, createKey } = coreHarness()
    const src = createKey()
    const signing = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
    const { CiphertextBlob } = call('Encrypt', { KeyId: src.KeyId, Plaintext: message })
    expect(
      failure(() =>
        call('ReEncrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, DestinationKeyId: signing.KeyId }),
      ),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${signing.Arn} key usage is SIGN_VERIFY which is not valid for ReEncrypt.`,
    })
    expect(
      failure(() =>
        call('ReEncrypt', {
          CiphertextBlob: CiphertextBlob as Uint8Array,
          DestinationKeyId: src.KeyId,
          DestinationEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        }),
      ).message,
    ).toBe('Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT.')
    expect(
      failure(() =>
        call('ReEncrypt', {
          CiphertextBlob: CiphertextBlob as Uint8Array,
          DestinationKeyId: src.KeyId,
          SourceEncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        }),
      ).name,
    ).toBe('InvalidKeyUsageException')
  })

  it('needs kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination, each with its own context; audits both keys', () => {
    const { core, call, createKey } = coreHarness()
    const src = createKey()
    const dst = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: src.KeyId, Plaintext: message, EncryptionContext: { s: '1' } })
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('ReEncrypt', {
      CiphertextBlob: CiphertextBlob as Uint8Array,
      SourceEncryptionContext: { s: '1' },
      DestinationKeyId: dst.KeyId,
      DestinationEncryptionContext: { d: '2' },
      GrantTokens: ['g'],
    })
    expect(
      asked.map((r) => [
        r.action,
        r.key?.arn,
        r.encryptionContext,
        r.grantTokens,
        r.conditions?.['kms:ReEncryptOnSameKey'],
      ]),
    ).toEqual([
      ['kms:ReEncryptFrom', src.Arn, { s: '1' }, ['g'], false],
      ['kms:ReEncryptTo', dst.Arn, { d: '2' }, ['g'], false],
    ])
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([src.Arn, dst.Arn])
    // Denied on the destination: nothing is produced.
    core.authorizer = {
      authorize: (_ctx, req) => {
        if (req.action === 'kms:ReEncryptTo') throw new AccessDeniedException(`not allowed: ${req.action}`)
      },
    }
    expect(
      failure(() =>
        call('ReEncrypt', {
          CiphertextBlob: CiphertextBlob as Uint8Array,
          SourceEncryptionContext: { s: '1' },
          DestinationKeyId: dst.KeyId,
        }),
      ).name,
    ).toBe('AccessDeniedException')
  })

  it('DryRun and key state on either side', () => {
    const { call, createKey, record } = coreHarness()
    const src = createKey()
    const dst = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: src.KeyId, Plaintext: message })
    expect(
      failure(() =>
        call('ReEncrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, DestinationKeyId: dst.KeyId, DryRun: true }),
      ).name,
    ).toBe('DryRunOperationException')
    record(dst.KeyId).state = 'Disabled'
    expect(
      failure(() => call('ReEncrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, DestinationKeyId: dst.KeyId }))
        .message,
    ).toBe(`${dst.Arn} is disabled.`)
    record(dst.KeyId).state = 'Enabled'
    record(src.KeyId).state = 'PendingDeletion'
    expect(
      failure(() => call('ReEncrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, DestinationKeyId: dst.KeyId }))
        .message,
    ).toBe(`${src.Arn} is pending deletion.`)
  })

  it('property: any plaintext and contexts survive ReEncrypt; a flipped byte is InvalidCiphertextException', () => {
    const { call, createKey } = coreHarness()
    const src = createKey()
    const dst = createKey()
    const ctx = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 })
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), ctx, ctx, fc.nat(), (plaintext, from, to, at) => {
        const blob = Buffer.from(
          call('Encrypt', { KeyId: src.KeyId, Plaintext: plaintext, EncryptionContext: from })
            .CiphertextBlob as Uint8Array,
        )
        const out = call('ReEncrypt', {
          CiphertextBlob: blob,
          SourceEncryptionContext: from,
          DestinationKeyId: dst.KeyId,
          DestinationEncryptionContext: to,
        })
        const back = call('Decrypt', { CiphertextBlob: out.CiphertextBlob as Uint8Array, EncryptionContext: to })
        expect(Buffer.from(back.Plaintext as Uint8Array).equals(Buffer.from(plaintext))).toBe(true)
        blob[at % blob.length] = (blob[at % blob.length] as number) ^ 0x80
        expect(
          failure(() =>
            call('ReEncrypt', { CiphertextBlob: blob, SourceEncryptionContext: from, DestinationKeyId: dst.KeyId }),
          ).name,
        ).toBe('InvalidCiphertextException')
      }),
      { numRuns: 100 },
    )
  })
})
