import { execFileSync } from 'node:child_process'
import { constants, createHash, createPublicKey, verify } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import type { KeySpec, SigningAlgorithmSpec } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

const hashOf = (algorithm: SigningAlgorithmSpec) => `sha${algorithm.slice(-3)}` as 'sha256' | 'sha384' | 'sha512'

/** node:crypto verification options for a KMS signing algorithm (PSS salt = digest length, as KMS signs). */
function nodeOptions(algorithm: SigningAlgorithmSpec, der: Uint8Array) {
  const key = createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' })
  if (algorithm.startsWith('RSASSA_PSS'))
    return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(algorithm.slice(-3)) / 8 }
  if (algorithm.startsWith('RSASSA_PKCS1')) return { key, padding: constants.RSA_PKCS1_PADDING }
  return { key, dsaEncoding: 'der' as const }
}

/** Verifies with the openssl CLI, given GetPublicKey's DER, over the original message. */
function opensslVerifies(
  algorithm: SigningAlgorithmSpec,
  der: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'kms-sign-'))
  try {
    writeFileSync(join(dir, 'pub.der'), der)
    writeFileSync(join(dir, 'msg'), message)
    writeFileSync(join(dir, 'sig'), signature)
    const pss = algorithm.startsWith('RSASSA_PSS')
      ? ['-sigopt', 'rsa_padding_mode:pss', '-sigopt', `rsa_pss_saltlen:${Number(algorithm.slice(-3)) / 8}`]
      : []
    const out = execFileSync(
      'openssl',
      [
        'dgst',
        `-${hashOf(algorithm)}`,
        '-keyform',
        'DER',
        '-verify',
        join(dir, 'pub.der'),
        ...pss,
        '-signature',
        join(dir, 'sig'),
        join(dir, 'msg'),
      ],
      {
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    )
    return out.toString().includes('Verified OK')
  } catch {
    return false
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const CASES: Array<[KeySpec, SigningAlgorithmSpec]> = [
  ['RSA_2048', 'RSASSA_PSS_SHA_256'],
  ['RSA_2048', 'RSASSA_PSS_SHA_384'],
  ['RSA_2048', 'RSASSA_PSS_SHA_512'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_256'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_384'],
  ['RSA_2048', 'RSASSA_PKCS1_V1_5_SHA_512'],
  ['ECC_NIST_P256', 'ECDSA_SHA_256'],
  ['ECC_NIST_P384', 'ECDSA_SHA_384'],
  ['ECC_NIST_P521', 'ECDSA_SHA_512'],
  ['ECC_SECG_P256K1', 'ECDSA_SHA_256'],
]

describe('Sign', () => {
  const { core, call, createKey, record } = coreHarness()
  const keys = new Map<KeySpec, { KeyId: string; Arn: string }>()
  const keyFor = (spec: KeySpec) => {
    let k = keys.get(spec)
    if (k === undefined) {
      k = createKey(spec, 'SIGN_VERIFY')
      keys.set(spec, k)
    }
    return k
  }
  const message = Buffer.from('test message !%$@ 1234567890')

  it.each(CASES)(
    '%s %s: RAW and DIGEST signatures verify with node:crypto and openssl given GetPublicKey',
    (spec, algorithm) => {
      const key = keyFor(spec)
      const der = call('GetPublicKey', { KeyId: key.KeyId }).PublicKey as Uint8Array
      const digest = createHash(hashOf(algorithm)).update(message).digest()
      for (const [MessageType, Message] of [
        ['RAW', message],
        ['DIGEST', digest],
      ] as const) {
        const out = call('Sign', { KeyId: key.KeyId, Message, MessageType, SigningAlgorithm: algorithm })
        expect(out).toMatchObject({ KeyId: key.Arn, SigningAlgorithm: algorithm })
        const signature = out.Signature as Uint8Array
        expect(verify(hashOf(algorithm), message, nodeOptions(algorithm, der), signature), MessageType).toBe(true)
        expect(opensslVerifies(algorithm, der, message, signature), `openssl ${MessageType}`).toBe(true)
        expect(verify(hashOf(algorithm), Buffer.from('other'), nodeOptions(algorithm, der), signature)).toBe(false)
        if (MessageType === 'RAW') expect(opensslVerifies(algorithm, der, Buffer.from('other'), signature)).toBe(false)
      }
    },
  )

  it('RSA signatures are modulus-sized; ECDSA signatures are DER SEQUENCEs; signing is randomized except PKCS #1 v1.5', () => {
    const rsa = keyFor('RSA_2048')
    expect(
      call('Sign', { KeyId: rsa.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }).Signature
        ?.byteLength,
    ).toBe(256)
    const a = call('Sign', { KeyId: rsa.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })
      .Signature as Uint8Array
    const b = call('Sign', { KeyId: rsa.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PKCS1_V1_5_SHA_256' })
      .Signature as Uint8Array
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true)
    const p1 = call('Sign', { KeyId: rsa.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })
      .Signature as Uint8Array
    const p2 = call('Sign', { KeyId: rsa.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })
      .Signature as Uint8Array
    expect(Buffer.from(p1).equals(Buffer.from(p2))).toBe(false)
    const ec = call('Sign', {
      KeyId: keyFor('ECC_NIST_P521').KeyId,
      Message: createHash('sha512').update(message).digest(),
      MessageType: 'DIGEST',
      SigningAlgorithm: 'ECDSA_SHA_512',
    }).Signature as Uint8Array
    expect(ec[0]).toBe(0x30)
  })

  it('checks the DIGEST length (message recorded against AWS)', () => {
    const key = keyFor('RSA_2048')
    for (const algorithm of ['RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512'] as const) {
      expect(
        failure(() =>
          call('Sign', { KeyId: key.KeyId, Message: message, MessageType: 'DIGEST', SigningAlgorithm: algorithm }),
        ),
      ).toMatchObject({
        name: 'ValidationException',
        message: `Digest is invalid length for algorithm ${algorithm}.`,
      })
    }
    expect(
      failure(() =>
        call('Sign', {
          KeyId: keyFor('ECC_NIST_P256').KeyId,
          Message: message,
          MessageType: 'DIGEST',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ).message,
    ).toBe('Digest is invalid length for algorithm ECDSA_SHA_256.')
  })

  it('the algorithm must fit the key: ECDSA hash follows the curve, no ECDSA on RSA', () => {
    expect(
      failure(() =>
        call('Sign', { KeyId: keyFor('ECC_NIST_P256').KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' }),
      ),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: 'Algorithm ECDSA_SHA_384 is incompatible with key spec ECC_NIST_P256.',
    })
    expect(
      failure(() =>
        call('Sign', { KeyId: keyFor('RSA_2048').KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
      ).name,
    ).toBe('InvalidKeyUsageException')
    expect(
      failure(() =>
        call('Sign', {
          KeyId: keyFor('ECC_NIST_P256').KeyId,
          Message: message,
          SigningAlgorithm: 'RSASSA_PSS_SHA_256',
        }),
      ).name,
    ).toBe('InvalidKeyUsageException')
  })

  it('needs a SIGN_VERIFY key (messages recorded against AWS)', () => {
    const hmac = createKey('HMAC_224', 'GENERATE_VERIFY_MAC')
    expect(
      failure(() => call('Sign', { KeyId: hmac.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${hmac.Arn} key usage is GENERATE_VERIFY_MAC which is not valid for Sign.`,
    })
    const enc = createKey('RSA_2048', 'ENCRYPT_DECRYPT')
    expect(
      failure(() => call('Sign', { KeyId: enc.KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' })).name,
    ).toBe('InvalidKeyUsageException')
    expect(
      failure(() =>
        call('Sign', { KeyId: createKey().KeyId, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      ).name,
    ).toBe('InvalidKeyUsageException')
  })

  it('message limits come from the model: 1..4096 bytes', () => {
    const key = keyFor('ECC_NIST_P256')
    expect(
      call('Sign', { KeyId: key.KeyId, Message: new Uint8Array(4096), SigningAlgorithm: 'ECDSA_SHA_256' }).Signature,
    ).toBeDefined()
    expect(
      failure(() =>
        call('Sign', { KeyId: key.KeyId, Message: new Uint8Array(4097), SigningAlgorithm: 'ECDSA_SHA_256' }),
      ).name,
    ).toBe('ValidationException')
    expect(
      failure(() => call('Sign', { KeyId: key.KeyId, Message: new Uint8Array(0), SigningAlgorithm: 'ECDSA_SHA_256' }))
        .name,
    ).toBe('ValidationException')
  })

  it('DryRun, key state, authorization and audit', () => {
    const key = keyFor('ECC_NIST_P384')
    expect(
      failure(() =>
        call('Sign', { KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384', DryRun: true }),
      ).name,
    ).toBe('DryRunOperationException')
    const asked: AccessRequest[] = []
    const saved = core.authorizer
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    try {
      call('Sign', {
        KeyId: key.Arn,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_384',
        GrantTokens: ['g'],
      })
    } finally {
      core.authorizer = saved
    }
    expect(asked[0]).toMatchObject({
      action: 'kms:Sign',
      grantTokens: ['g'],
      conditions: { 'kms:SigningAlgorithm': 'ECDSA_SHA_384', 'kms:MessageType': 'RAW' },
    })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    record(key.KeyId).state = 'Disabled'
    expect(
      failure(() => call('Sign', { KeyId: key.KeyId, Message: message, SigningAlgorithm: 'ECDSA_SHA_384' })).name,
    ).toBe('DisabledException')
    record(key.KeyId).state = 'Enabled'
  })
})
