import { constants, createHash, createPrivateKey, sign as nodeSign } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import type { OperationInputs, SigningAlgorithmSpec } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const message = Buffer.from('test message !%$@ 1234567890')
const hashOf = (algorithm: SigningAlgorithmSpec) => `sha${algorithm.slice(-3)}`

describe('Verify', () => {
  const { core, call, createKey, record } = coreHarness()
  const rsa = createKey('RSA_2048', 'SIGN_VERIFY')
  const p256 = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
  const p384 = createKey('ECC_NIST_P384', 'SIGN_VERIFY')
  const cases: Array<[{ KeyId: string; Arn: string }, SigningAlgorithmSpec]> = [
    [rsa, 'RSASSA_PSS_SHA_256'],
    [rsa, 'RSASSA_PSS_SHA_512'],
    [rsa, 'RSASSA_PKCS1_V1_5_SHA_384'],
    [p256, 'ECDSA_SHA_256'],
    [p384, 'ECDSA_SHA_384'],
  ]

  it('accepts a Sign signature as RAW and as DIGEST of the same message (SignatureValid: true)', () => {
    for (const [key, algorithm] of cases) {
      const digest = createHash(hashOf(algorithm)).update(message).digest()
      for (const [signType, verifyType] of [
        ['RAW', 'DIGEST'],
        ['DIGEST', 'RAW'],
        ['RAW', 'RAW'],
        ['DIGEST', 'DIGEST'],
      ] as const) {
        const Signature = call('Sign', {
          KeyId: key.KeyId,
          Message: signType === 'RAW' ? message : digest,
          MessageType: signType,
          SigningAlgorithm: algorithm,
        }).Signature as Uint8Array
        const out = call('Verify', {
          KeyId: key.KeyId,
          Message: verifyType === 'RAW' ? message : digest,
          MessageType: verifyType,
          Signature,
          SigningAlgorithm: algorithm,
        })
        expect(out, `${algorithm} ${signType}->${verifyType}`).toEqual({
          KeyId: key.Arn,
          SignatureValid: true,
          SigningAlgorithm: algorithm,
        })
      }
    }
  })

  it('accepts signatures made offline with the private key (node:crypto)', () => {
    const privateKey = record(rsa.KeyId).material.versions[0]?.privateKey
    if (privateKey === undefined) throw new Error('no private key')
    const pss = nodeSign('sha256', message, {
      key: privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    })
    expect(
      call('Verify', { KeyId: rsa.KeyId, Message: message, Signature: pss, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })
        .SignatureValid,
    ).toBe(true)
    const pemKey = createPrivateKey(
      record(p256.KeyId).material.versions[0]?.privateKey?.export({ type: 'pkcs8', format: 'pem' }) as string,
    )
    const ecdsa = nodeSign('sha256', message, { key: pemKey, dsaEncoding: 'der' })
    const digest = createHash('sha256').update(message).digest()
    expect(
      call('Verify', {
        KeyId: p256.KeyId,
        Message: digest,
        MessageType: 'DIGEST',
        Signature: ecdsa,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }).SignatureValid,
    ).toBe(true)
  })

  it('a wrong signature, message, digest or algorithm is KMSInvalidSignatureException with an empty message (as recorded)', () => {
    for (const [key, algorithm] of cases) {
      const good = call('Sign', { KeyId: key.KeyId, Message: message, SigningAlgorithm: algorithm })
        .Signature as Uint8Array
      const bad = call('Sign', { KeyId: key.KeyId, Message: Buffer.from('bad'), SigningAlgorithm: algorithm })
        .Signature as Uint8Array
      const flipped = Buffer.from(good)
      flipped[flipped.length - 3] = (flipped[flipped.length - 3] as number) ^ 0x10
      const wrongDigest = createHash(hashOf(algorithm)).update('bad message 321').digest()
      const attempts: Array<OperationInputs['Verify']> = [
        { KeyId: key.KeyId, Message: message, Signature: bad, SigningAlgorithm: algorithm },
        { KeyId: key.KeyId, Message: Buffer.from('bad message 321'), Signature: good, SigningAlgorithm: algorithm },
        { KeyId: key.KeyId, Message: message, Signature: flipped, SigningAlgorithm: algorithm },
        { KeyId: key.KeyId, Message: wrongDigest, MessageType: 'DIGEST', Signature: good, SigningAlgorithm: algorithm },
        { KeyId: key.KeyId, Message: message, Signature: Buffer.from('random text'), SigningAlgorithm: algorithm },
        {
          KeyId: key.KeyId,
          Message: message,
          Signature: good.subarray(0, good.length - 1),
          SigningAlgorithm: algorithm,
        },
      ]
      for (const input of attempts) {
        expect(failure(() => call('Verify', input))).toMatchObject({
          name: 'KMSInvalidSignatureException',
          message: '',
        })
      }
    }
    const pss = call('Sign', { KeyId: rsa.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })
      .Signature as Uint8Array
    expect(
      failure(() =>
        call('Verify', {
          KeyId: rsa.KeyId,
          Message: message,
          Signature: pss,
          SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256',
        }),
      ).name,
    ).toBe('KMSInvalidSignatureException')
  })

  it('checks DIGEST length, algorithm and usage before verifying (messages recorded against AWS)', () => {
    const sig = call('Sign', { KeyId: p256.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })
      .Signature as Uint8Array
    expect(
      failure(() =>
        call('Verify', {
          KeyId: p256.KeyId,
          Message: message,
          MessageType: 'DIGEST',
          Signature: sig,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: 'Digest is invalid length for algorithm ECDSA_SHA_256.',
    })
    expect(
      failure(() =>
        call('Verify', { KeyId: p256.KeyId, Message: message, Signature: sig, SigningAlgorithm: 'ECDSA_SHA_512' }),
      ).message,
    ).toBe('Algorithm ECDSA_SHA_512 is incompatible with key spec ECC_NIST_P256.')
    const enc = createKey()
    expect(
      failure(() =>
        call('Verify', {
          KeyId: enc.KeyId,
          Message: message,
          Signature: Buffer.from('random text'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${enc.Arn} key usage is ENCRYPT_DECRYPT which is not valid for Verify.`,
    })
  })

  it('property: Sign then Verify holds for any message, as RAW or as its digest; any changed message byte fails', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        fc.uint8Array({ minLength: 1, maxLength: 4096 }),
        fc.boolean(),
        fc.nat(),
        (c, msg, digestMode, at) => {
          const [key, algorithm] = c
          const payload = (m: Uint8Array) => (digestMode ? createHash(hashOf(algorithm)).update(m).digest() : m)
          const MessageType = digestMode ? 'DIGEST' : 'RAW'
          const Signature = call('Sign', {
            KeyId: key.KeyId,
            Message: payload(msg),
            MessageType,
            SigningAlgorithm: algorithm,
          }).Signature as Uint8Array
          expect(
            call('Verify', {
              KeyId: key.KeyId,
              Message: payload(msg),
              MessageType,
              Signature,
              SigningAlgorithm: algorithm,
            }).SignatureValid,
          ).toBe(true)
          const changed = Buffer.from(msg)
          changed[at % changed.length] = (changed[at % changed.length] as number) ^ 0x01
          expect(
            failure(() =>
              call('Verify', {
                KeyId: key.KeyId,
                Message: payload(changed),
                MessageType,
                Signature,
                SigningAlgorithm: algorithm,
              }),
            ).name,
          ).toBe('KMSInvalidSignatureException')
        },
      ),
      { numRuns: 60 },
    )
  })

  it('DryRun, key state, authorization and audit', () => {
    const sig = call('Sign', { KeyId: p256.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' })
      .Signature as Uint8Array
    expect(
      failure(() =>
        call('Verify', {
          KeyId: p256.KeyId,
          Message: message,
          Signature: sig,
          SigningAlgorithm: 'ECDSA_SHA_256',
          DryRun: true,
        }),
      ).name,
    ).toBe('DryRunOperationException')
    const asked: AccessRequest[] = []
    const saved = core.authorizer
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    try {
      call('Verify', { KeyId: p256.KeyId, Message: message, Signature: sig, SigningAlgorithm: 'ECDSA_SHA_256' })
    } finally {
      core.authorizer = saved
    }
    expect(asked[0]).toMatchObject({
      action: 'kms:Verify',
      conditions: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256', 'kms:MessageType': 'RAW' },
    })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([p256.Arn])
    record(p256.KeyId).state = 'PendingDeletion'
    expect(
      failure(() =>
        call('Verify', { KeyId: p256.KeyId, Message: message, Signature: sig, SigningAlgorithm: 'ECDSA_SHA_256' }),
      ).name,
    ).toBe('KMSInvalidStateException')
    record(p256.KeyId).state = 'Enabled'
  })
})
