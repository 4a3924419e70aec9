import { constants, createPublicKey, publicEncrypt } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { INCORRECT_KEY_MESSAGE, UNKNOWN_CIPHERTEXT_KEY_MESSAGE } from '../symmetric.ts'
import { coreHarness, failure } from '../test-support.ts'

const ACCOUNT = '111122223333'
const REGION = 'us-east-1'

const bytes = (s: string) => Buffer.from(s, 'utf8')
const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array()).toString('utf8')

describe('Decrypt (symmetric)', () => {
  it('needs no KeyId: the ciphertext names its key; returns the key ARN and algorithm', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', {
      KeyId: key.KeyId,
      Plaintext: bytes('hello'),
      EncryptionContext: { a: '1' },
    })
    const out = call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionContext: { a: '1' } })
    expect(out).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    expect(text(out.Plaintext)).toBe('hello')
    expect(
      text(
        call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionContext: { a: '1' }, KeyId: key.Arn })
          .Plaintext,
      ),
    ).toBe('hello')
  })

  it('needs the same encryption context: none given for one used is InvalidCiphertextException (empty message, as recorded)', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', {
      KeyId: key.KeyId,
      Plaintext: bytes('x'),
      EncryptionContext: { 'context-key': 'context-value' },
    })
    expect(
      failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, KeyId: key.KeyId })),
    ).toMatchObject({
      name: 'InvalidCiphertextException',
      message: '',
    })
  })

  it('a KeyId that is not the ciphertext key is IncorrectKeyException, also for an HMAC key (as recorded)', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const other = createKey()
    const hmac = createKey('HMAC_224', 'GENERATE_VERIFY_MAC')
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    for (const KeyId of [other.KeyId, hmac.KeyId]) {
      expect(failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, KeyId }))).toMatchObject({
        name: 'IncorrectKeyException',
        message: INCORRECT_KEY_MESSAGE,
      })
    }
  })

  it('a KeyId that does not exist is NotFoundException', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    expect(
      failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, KeyId: 'alias/none' })).name,
    ).toBe('NotFoundException')
  })

  it('ciphertext whose key is gone or in another Region is AccessDeniedException with AWS text', () => {
    const { core, call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    expect(
      failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array }, { region: 'eu-west-1' })),
    ).toMatchObject({
      name: 'AccessDeniedException',
      message: UNKNOWN_CIPHERTEXT_KEY_MESSAGE,
    })
    core.store.region(ACCOUNT, REGION).keys.delete(key.KeyId)
    expect(failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array })).name).toBe(
      'AccessDeniedException',
    )
  })

  it('ciphertext of a multi-Region key decrypts in a replica Region without a KeyId', () => {
    const { call } = coreHarness()
    const primary = call('CreateKey', { MultiRegion: true }).KeyMetadata as { KeyId: string; Arn: string }
    call('ReplicateKey', { KeyId: primary.KeyId, ReplicaRegion: 'eu-west-1' })
    const { CiphertextBlob } = call('Encrypt', {
      KeyId: primary.KeyId,
      Plaintext: bytes('everywhere'),
      EncryptionContext: { r: '1' },
    })
    const out = call(
      'Decrypt',
      { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionContext: { r: '1' } },
      { region: 'eu-west-1' },
    )
    expect(text(out.Plaintext)).toBe('everywhere')
    expect(out.KeyId).toBe(primary.Arn.replace(':us-east-1:', ':eu-west-1:'))
  })

  it('garbage and truncated blobs are InvalidCiphertextException', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    const blob = Buffer.from(CiphertextBlob as Uint8Array)
    for (const bad of [
      new Uint8Array(1),
      blob.subarray(10),
      Buffer.concat([blob, bytes('bad_data')]),
      blob.subarray(0, blob.length - 1),
    ]) {
      expect(failure(() => call('Decrypt', { CiphertextBlob: bad })).name).toBe('InvalidCiphertextException')
    }
  })

  it('refuses an asymmetric algorithm for symmetric ciphertext', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    expect(
      failure(() =>
        call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      ),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm RSAES_OAEP_SHA_1 is incompatible with key spec SYMMETRIC_DEFAULT.',
    })
  })

  it('follows key state: a disabled key cannot decrypt', () => {
    const { call, createKey, record } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    record(key.KeyId).state = 'Disabled'
    expect(failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array })).name).toBe(
      'DisabledException',
    )
  })

  it('DryRun', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    expect(failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, DryRun: true })).name).toBe(
      'DryRunOperationException',
    )
    expect(failure(() => call('Decrypt', { CiphertextBlob: new Uint8Array(5), DryRun: true })).name).toBe(
      'InvalidCiphertextException',
    )
  })

  it('asks kms:Decrypt for the ciphertext key with context, alias and grant tokens, and audits it', () => {
    const { core, call, createKey } = coreHarness()
    const key = createKey()
    core.store
      .region(ACCOUNT, REGION)
      .aliases.set('alias/app', { aliasName: 'alias/app', targetKeyId: key.KeyId, createdAt: 0, updatedAt: 0 })
    const { CiphertextBlob } = call('Encrypt', {
      KeyId: key.KeyId,
      Plaintext: bytes('x'),
      EncryptionContext: { t: '1' },
    })
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('Decrypt', {
      CiphertextBlob: CiphertextBlob as Uint8Array,
      KeyId: 'alias/app',
      EncryptionContext: { t: '1' },
      GrantTokens: ['g'],
    })
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({
      action: 'kms:Decrypt',
      encryptionContext: { t: '1' },
      requestAlias: 'alias/app',
      grantTokens: ['g'],
    })
    expect(asked[0]?.key?.arn).toBe(key.Arn)
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
  })

  it('refuses the Recipient parameter (attestation) rather than returning plaintext', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })
    const e = failure(() =>
      call('Decrypt', {
        CiphertextBlob: CiphertextBlob as Uint8Array,
        Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: new Uint8Array(8) },
      }),
    )
    expect(e.name).toBe('UnsupportedOperationException')
  })
})

describe('Decrypt (RSA)', () => {
  const { call, createKey } = coreHarness()
  const key = createKey('RSA_2048', 'ENCRYPT_DECRYPT')
  const signing = createKey('RSA_2048', 'SIGN_VERIFY')

  it('needs the KeyId and the algorithm used; decrypts ciphertext made offline with GetPublicKey', () => {
    const der = call('GetPublicKey', { KeyId: key.KeyId }).PublicKey as Uint8Array
    const publicKey = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' })
    const offline = publicEncrypt(
      { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
      bytes('offline'),
    )
    const out = call('Decrypt', {
      KeyId: key.KeyId,
      CiphertextBlob: offline,
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    })
    expect(out).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
    expect(text(out.Plaintext)).toBe('offline')
    // Without a KeyId the bare RSA bytes name no key.
    expect(
      failure(() => call('Decrypt', { CiphertextBlob: offline, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })).name,
    ).toBe('InvalidCiphertextException')
    // The other OAEP hash does not open it.
    expect(
      failure(() =>
        call('Decrypt', { KeyId: key.KeyId, CiphertextBlob: offline, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      ),
    ).toMatchObject({
      name: 'InvalidCiphertextException',
      message: '',
    })
    // The default (SYMMETRIC_DEFAULT) is not an RSA algorithm.
    expect(failure(() => call('Decrypt', { KeyId: key.KeyId, CiphertextBlob: offline }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
    })
  })

  it('rejects an encryption context, a corrupted ciphertext and one of another RSA key', () => {
    const { CiphertextBlob } = call('Encrypt', {
      KeyId: key.KeyId,
      Plaintext: bytes('x'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
    })
    const blob = Buffer.from(CiphertextBlob as Uint8Array)
    expect(
      failure(() =>
        call('Decrypt', {
          KeyId: key.KeyId,
          CiphertextBlob: blob,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
          EncryptionContext: { a: 'b' },
        }),
      ).name,
    ).toBe('ValidationException')
    const flipped = Buffer.from(blob)
    flipped[100] = (flipped[100] as number) ^ 1
    expect(
      failure(() =>
        call('Decrypt', { KeyId: key.KeyId, CiphertextBlob: flipped, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      ).name,
    ).toBe('InvalidCiphertextException')
    const other = createKey('RSA_2048', 'ENCRYPT_DECRYPT')
    expect(
      failure(() =>
        call('Decrypt', { KeyId: other.KeyId, CiphertextBlob: blob, EncryptionAlgorithm: 'RSAES_OAEP_SHA_1' }),
      ).name,
    ).toBe('InvalidCiphertextException')
    expect(
      failure(() =>
        call('Decrypt', {
          KeyId: key.KeyId,
          CiphertextBlob: blob.subarray(1),
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        }),
      ).name,
    ).toBe('InvalidCiphertextException')
  })

  it('property: any plaintext within the OAEP limit round-trips with either algorithm', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(['RSAES_OAEP_SHA_1', 214] as const, ['RSAES_OAEP_SHA_256', 190] as const),
        fc.uint8Array({ minLength: 1, maxLength: 214 }),
        ([algorithm, limit], plaintext) => {
          const p = plaintext.subarray(0, limit)
          const blob = call('Encrypt', { KeyId: key.KeyId, Plaintext: p, EncryptionAlgorithm: algorithm })
            .CiphertextBlob as Uint8Array
          const out = call('Decrypt', { KeyId: key.KeyId, CiphertextBlob: blob, EncryptionAlgorithm: algorithm })
          expect(Buffer.from(out.Plaintext as Uint8Array).equals(Buffer.from(p))).toBe(true)
        },
      ),
      { numRuns: 50 },
    )
  })

  it('a symmetric ciphertext with an RSA KeyId is IncorrectKeyException', () => {
    const sym = createKey()
    const { CiphertextBlob } = call('Encrypt', { KeyId: sym.KeyId, Plaintext: bytes('x') })
    expect(
      failure(() => call('Decrypt', { KeyId: key.KeyId, CiphertextBlob: CiphertextBlob as Uint8Array })).name,
    ).toBe('IncorrectKeyException')
  })

  it('a signing key cannot decrypt (AWS key-usage message)', () => {
    expect(
      failure(() =>
        call('Decrypt', {
          KeyId: signing.KeyId,
          CiphertextBlob: new Uint8Array(256),
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        }),
      ),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${signing.Arn} key usage is SIGN_VERIFY which is not valid for Decrypt.`,
    })
  })

  it('DryRun', () => {
    const { CiphertextBlob } = call('Encrypt', {
      KeyId: key.KeyId,
      Plaintext: bytes('x'),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
    })
    expect(
      failure(() =>
        call('Decrypt', {
          KeyId: key.KeyId,
          CiphertextBlob: CiphertextBlob as Uint8Array,
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
          DryRun: true,
        }),
      ).name,
    ).toBe('DryRunOperationException')
  })

  it('names the key material used (KeyMaterialId), the old one after a rotation; ReEncrypt names both', () => {
    const { call, clock, createKey } = coreHarness()
    const key = createKey()
    const first = call('DescribeKey', { KeyId: key.KeyId }).KeyMetadata?.CurrentKeyMaterialId as string
    expect(first).toMatch(/^[0-9a-f]{64}$/)
    const old = call('Encrypt', { KeyId: key.KeyId, Plaintext: new Uint8Array([1]) }).CiphertextBlob as Uint8Array
    expect(call('Decrypt', { CiphertextBlob: old }).KeyMaterialId).toBe(first)
    expect(call('GenerateDataKey', { KeyId: key.KeyId, KeySpec: 'AES_256' }).KeyMaterialId).toBe(first)
    call('RotateKeyOnDemand', { KeyId: key.KeyId })
    clock.advance(1)
    const second = call('DescribeKey', { KeyId: key.KeyId }).KeyMetadata?.CurrentKeyMaterialId as string
    expect(second).not.toBe(first)
    expect(call('Decrypt', { CiphertextBlob: old }).KeyMaterialId).toBe(first)
    const moved = call('ReEncrypt', { CiphertextBlob: old, DestinationKeyId: key.KeyId })
    expect([moved.SourceKeyMaterialId, moved.DestinationKeyMaterialId]).toEqual([first, second])
    expect(call('Decrypt', { CiphertextBlob: moved.CiphertextBlob as Uint8Array }).KeyMaterialId).toBe(second)
    // Asymmetric keys have no key material id (API_Decrypt.html: "only ... a symmetric encryption KMS key").
    const rsa = createKey('RSA_2048')
    const ct = call('Encrypt', {
      KeyId: rsa.KeyId,
      Plaintext: new Uint8Array([1]),
      EncryptionAlgorithm: 'RSAES_OAEP_SHA_256',
    }).CiphertextBlob as Uint8Array
    const out = call('Decrypt', { KeyId: rsa.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
    expect('KeyMaterialId' in out).toBe(false)
  })
})
