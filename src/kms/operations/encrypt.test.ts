import { execFileSync } from 'node:child_process'
import { constants, createPublicKey, privateDecrypt } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SystemClock, VirtualClock, type Clock } from '../../clock.ts'
import type { AccessRequest } from '../context.ts'
import { AccessDeniedException } from '../errors.ts'
import { newKeyMaterial } from '../key-material.ts'
import type { KmsKey } from '../key.ts'
import { coreHarness, failure } from '../test-support.ts'

const ACCOUNT = '111122223333'
const REGION = 'us-east-1'

const bytes = (s: string) => Buffer.from(s, 'utf8')
const contextArb = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.string({ maxLength: 12 }), {
  maxKeys: 5,
})

describe('Encrypt (symmetric)', () => {
  it('returns the key ARN, SYMMETRIC_DEFAULT and a ciphertext of plaintext + 112 bytes', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    const out = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('hello') })
    expect(out).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' })
    expect(out.CiphertextBlob?.byteLength).toBe(5 + 112)
  })

  it('accepts every form of KeyId: id, ARN, alias name, alias ARN', () => {
    const { core, call, createKey } = coreHarness()
    const key = createKey()
    core.store
      .region(ACCOUNT, REGION)
      .aliases.set('alias/app', { aliasName: 'alias/app', targetKeyId: key.KeyId, createdAt: 0, updatedAt: 0 })
    for (const KeyId of [key.KeyId, key.Arn, 'alias/app', `arn:aws:kms:${REGION}:${ACCOUNT}:alias/app`]) {
      expect(call('Encrypt', { KeyId, Plaintext: bytes('x') }).KeyId).toBe(key.Arn)
    }
  })

  it('takes exactly 1..4096 bytes, with AWS model messages', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    expect(call('Encrypt', { KeyId: key.KeyId, Plaintext: new Uint8Array(4096) }).CiphertextBlob?.byteLength).toBe(
      4096 + 112,
    )
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: new Uint8Array(4097) }))).toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    })
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: new Uint8Array(0) })).name).toBe(
      'ValidationException',
    )
  })

  it('refuses an algorithm the key spec does not support', () => {
    const { call, createKey } = coreHarness()
    const key = createKey()
    expect(
      failure(() =>
        call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }),
      ),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm RSAES_OAEP_SHA_256 is incompatible with key spec SYMMETRIC_DEFAULT.',
    })
  })

  it('refuses keys whose usage is not ENCRYPT_DECRYPT (AWS message)', () => {
    const { call, createKey } = coreHarness()
    const signing = createKey('RSA_2048', 'SIGN_VERIFY')
    expect(failure(() => call('Encrypt', { KeyId: signing.KeyId, Plaintext: bytes('x') }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${signing.Arn} key usage is SIGN_VERIFY which is not valid for Encrypt.`,
    })
    const hmac = createKey('HMAC_256', 'GENERATE_VERIFY_MAC')
    expect(failure(() => call('Encrypt', { KeyId: hmac.KeyId, Plaintext: bytes('x') })).message).toBe(
      `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Encrypt.`,
    )
  })

  it('follows the key state table: disabled, pending deletion', () => {
    const { call, createKey, record } = coreHarness()
    const key = createKey()
    record(key.KeyId).state = 'Disabled'
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') }))).toMatchObject({
      name: 'DisabledException',
      message: `${key.Arn} is disabled.`,
    })
    record(key.KeyId).state = 'PendingDeletion'
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') }))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${key.Arn} is pending deletion.`,
    })
  })

  it('DryRun: checks everything, then refuses with DryRunOperationException', () => {
    const { call, createKey, record } = coreHarness()
    const key = createKey()
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x'), DryRun: true }))).toMatchObject({
      name: 'DryRunOperationException',
      message: 'The request would have succeeded, but the DryRun option is set.',
    })
    record(key.KeyId).state = 'Disabled'
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x'), DryRun: true })).name).toBe(
      'DisabledException',
    )
  })

  it('asks for kms:Encrypt with the context, alias, grant tokens and algorithm, and audits the key', () => {
    const { core, call, createKey } = coreHarness()
    const key = createKey()
    core.store
      .region(ACCOUNT, REGION)
      .aliases.set('alias/app', { aliasName: 'alias/app', targetKeyId: key.KeyId, createdAt: 0, updatedAt: 0 })
    const asked: AccessRequest[] = []
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    call('Encrypt', { KeyId: 'alias/app', Plaintext: bytes('x'), EncryptionContext: { t: '1' }, GrantTokens: ['tok'] })
    expect(asked).toHaveLength(1)
    expect(asked[0]).toMatchObject({
      action: 'kms:Encrypt',
      encryptionContext: { t: '1' },
      requestAlias: 'alias/app',
      grantTokens: ['tok'],
      conditions: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' },
    })
    expect(asked[0]?.key?.arn).toBe(key.Arn)
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    core.authorizer = {
      authorize: () => {
        throw new AccessDeniedException('denied')
      },
    }
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') })).name).toBe(
      'AccessDeniedException',
    )
  })
})

describe('Encrypt (RSA)', () => {
  const { call, createKey, record } = coreHarness()
  const key = createKey('RSA_2048', 'ENCRYPT_DECRYPT')

  it('returns bare RSAES-OAEP ciphertext (modulus length) that the private key opens', () => {
    for (const [algorithm, oaepHash] of [
      ['RSAES_OAEP_SHA_1', 'sha1'],
      ['RSAES_OAEP_SHA_256', 'sha256'],
    ] as const) {
      const out = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('rsa secret'), EncryptionAlgorithm: algorithm })
      expect(out).toMatchObject({ KeyId: key.Arn, EncryptionAlgorithm: algorithm })
      expect(out.CiphertextBlob?.byteLength).toBe(256)
      const privateKey = record(key.KeyId).material.versions[0]?.privateKey
      if (privateKey === undefined) throw new Error('no private key')
      const plain = privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
        out.CiphertextBlob as Uint8Array,
      )
      expect(plain.toString()).toBe('rsa secret')
    }
  })

  it('requires an RSA algorithm (AWS message for the SYMMETRIC_DEFAULT default)', () => {
    expect(failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x') }))).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm SYMMETRIC_DEFAULT is incompatible with key spec RSA_2048.',
    })
    expect(
      failure(() => call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x'), EncryptionAlgorithm: 'SM2PKE' }))
        .message,
    ).toMatch(/^1 validation error detected: Value 'SM2PKE' at 'encryptionAlgorithm' .*enum value set: \[(?!.*SM2)/)
  })

  it('refuses an encryption context', () => {
    const e = failure(() =>
      call('Encrypt', {
        KeyId: key.KeyId,
        Plaintext: bytes('x'),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        EncryptionContext: { a: 'b' },
      }),
    )
    expect(e.name).toBe('ValidationException')
    // An empty context is no context.
    expect(
      call('Encrypt', {
        KeyId: key.KeyId,
        Plaintext: bytes('x'),
        EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
        EncryptionContext: {},
      }).CiphertextBlob?.byteLength,
    ).toBe(256)
  })

  it('enforces the OAEP plaintext limits of every RSA key spec with the messages recorded against AWS', () => {
    const limits = { RSA_2048: [214, 190], RSA_3072: [342, 318], RSA_4096: [470, 446] } as const
    for (const spec of ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const) {
      const k = spec === 'RSA_2048' ? key : createKey(spec, 'ENCRYPT_DECRYPT')
      const [sha1, sha256] = limits[spec]
      for (const [algorithm, limit] of [
        ['RSAES_OAEP_SHA_1', sha1],
        ['RSAES_OAEP_SHA_256', sha256],
      ] as const) {
        expect(
          call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array(limit), EncryptionAlgorithm: algorithm })
            .CiphertextBlob?.byteLength,
        ).toBe(Number(spec.slice(4)) / 8)
        expect(
          failure(() =>
            call('Encrypt', { KeyId: k.KeyId, Plaintext: new Uint8Array(limit + 1), EncryptionAlgorithm: algorithm }),
          ),
        ).toMatchObject({
          name: 'ValidationException',
          message: `Algorithm ${algorithm} and key spec ${spec} cannot encrypt data larger than ${limit} bytes.`,
        })
      }
    }
  })

  it('DryRun on an RSA key', () => {
    expect(
      failure(() =>
        call('Encrypt', {
          KeyId: key.KeyId,
          Plaintext: bytes('x'),
          EncryptionAlgorithm: 'RSAES_OAEP_SHA_1',
          DryRun: true,
        }),
      ).name,
    ).toBe('DryRunOperationException')
  })

  it('ciphertext made by openssl with the GetPublicKey DER decrypts in KMS', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kms-enc-'))
    try {
      const der = call('GetPublicKey', { KeyId: key.KeyId }).PublicKey as Uint8Array
      writeFileSync(join(dir, 'pub.der'), der)
      writeFileSync(join(dir, 'msg'), 'made by openssl')
      const ct = execFileSync('openssl', [
        'pkeyutl',
        '-encrypt',
        '-pubin',
        '-keyform',
        'DER',
        '-inkey',
        join(dir, 'pub.der'),
        '-in',
        join(dir, 'msg'),
        '-pkeyopt',
        'rsa_padding_mode:oaep',
        '-pkeyopt',
        'rsa_oaep_md:sha256',
        '-pkeyopt',
        'rsa_mgf1_md:sha256',
      ])
      const out = call('Decrypt', { KeyId: key.KeyId, CiphertextBlob: ct, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' })
      expect(Buffer.from(out.Plaintext as Uint8Array).toString()).toBe('made by openssl')
      expect(createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' }).asymmetricKeyType).toBe('rsa')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/**
 * Property tests of Encrypt/Decrypt, run with the system clock and again in virtual time
 * (the clock moving by random steps between calls).
 */
describe.each([
  ['system time', () => new SystemClock() as Clock],
  ['virtual time', () => new VirtualClock() as Clock],
])('Encrypt/Decrypt properties (%s)', (_label, makeClock) => {
  const clock = makeClock()
  const { call, createKey, core } = coreHarness(clock)
  const key = createKey()
  const tick = (ms: number) => {
    if (clock instanceof VirtualClock) clock.advance(ms)
  }

  it('round-trips any plaintext of 1..4096 bytes under any encryption context', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        contextArb,
        fc.nat(5_000),
        (plaintext, context, step) => {
          const { CiphertextBlob } = call('Encrypt', {
            KeyId: key.KeyId,
            Plaintext: plaintext,
            EncryptionContext: context,
          })
          tick(step)
          const out = call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionContext: context })
          expect(Buffer.from(out.Plaintext as Uint8Array).equals(Buffer.from(plaintext))).toBe(true)
          expect(out.KeyId).toBe(key.Arn)
        },
      ),
      { numRuns: 150 },
    )
  })

  it('rejects any single flipped byte with InvalidCiphertextException', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        contextArb,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.boolean(),
        (plaintext, context, at, mask, withKeyId) => {
          const blob = Buffer.from(
            call('Encrypt', { KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: context })
              .CiphertextBlob as Uint8Array,
          )
          const i = at % blob.length
          blob[i] = (blob[i] as number) ^ mask
          tick(1)
          const e = failure(() =>
            call('Decrypt', {
              CiphertextBlob: blob,
              EncryptionContext: context,
              ...(withKeyId ? { KeyId: key.KeyId } : {}),
            }),
          )
          expect(e.name).toBe('InvalidCiphertextException')
          expect(e.message).toBe('')
        },
      ),
      { numRuns: 300 },
    )
  })

  it('rejects any different encryption context, including a re-split of the same characters', () => {
    const differs = fc
      .tuple(contextArb, contextArb)
      .filter(([a, b]) => JSON.stringify(Object.entries(a).sort()) !== JSON.stringify(Object.entries(b).sort()))
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), differs, (plaintext, [used, given]) => {
        const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: used })
        expect(
          failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionContext: given }))
            .name,
        ).toBe('InvalidCiphertextException')
      }),
      { numRuns: 200 },
    )
    // Same characters, split differently between key and value, or across pairs.
    const resplits: Array<[Record<string, string>, Record<string, string>]> = [
      [{ ab: 'c' }, { a: 'bc' }],
      [
        { a: 'b', c: 'd' },
        { a: 'bc', '': 'd' },
      ],
      [{ 'k=v': '' }, { k: '=v' }],
    ]
    for (const [used, given] of resplits) {
      const { CiphertextBlob } = call('Encrypt', { KeyId: key.KeyId, Plaintext: bytes('x'), EncryptionContext: used })
      expect(
        failure(() => call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionContext: given })).name,
      ).toBe('InvalidCiphertextException')
    }
  })

  it('does not depend on the order of encryption context pairs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), contextArb, (plaintext, context) => {
        const reversed = Object.fromEntries(Object.entries(context).reverse())
        const { CiphertextBlob } = call('Encrypt', {
          KeyId: key.KeyId,
          Plaintext: plaintext,
          EncryptionContext: context,
        })
        const out = call('Decrypt', { CiphertextBlob: CiphertextBlob as Uint8Array, EncryptionContext: reversed })
        expect(Buffer.from(out.Plaintext as Uint8Array).equals(Buffer.from(plaintext))).toBe(true)
      }),
      { numRuns: 100 },
    )
  })

  it('still decrypts ciphertext of an older key material version', () => {
    const record = core.store.region(ACCOUNT, REGION).keys.get(key.KeyId) as KmsKey
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 256 }), contextArb, (plaintext, context) => {
        const old = call('Encrypt', { KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: context })
          .CiphertextBlob as Uint8Array
        const version = record.material.versions.length
        record.material.versions.push(newKeyMaterial('SYMMETRIC_DEFAULT', version, clock.now(), core.random))
        record.material.current = version
        tick(86_400_000)
        const fresh = call('Encrypt', { KeyId: key.KeyId, Plaintext: plaintext, EncryptionContext: context })
          .CiphertextBlob as Uint8Array
        for (const blob of [old, fresh]) {
          const out = call('Decrypt', { CiphertextBlob: blob, EncryptionContext: context })
          expect(Buffer.from(out.Plaintext as Uint8Array).equals(Buffer.from(plaintext))).toBe(true)
        }
      }),
      { numRuns: 20 },
    )
    expect(record.material.versions.length).toBeGreaterThanOrEqual(21)
  })
})
