import { execFileSync } from 'node:child_process'
import { createPublicKey } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import type { KeySpec, KeyUsageType } from '../model.generated.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('GetPublicKey', () => {
  const { core, call, createKey, record } = coreHarness()

  it('returns DER SPKI with spec, usage and the algorithms of the usage only', () => {
    const cases: Array<[KeySpec, KeyUsageType, Record<string, unknown>, string, string | number]> = [
      [
        'RSA_2048',
        'ENCRYPT_DECRYPT',
        { EncryptionAlgorithms: ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'] },
        'rsa',
        2048,
      ],
      [
        'RSA_2048',
        'SIGN_VERIFY',
        {
          SigningAlgorithms: [
            'RSASSA_PSS_SHA_256',
            'RSASSA_PSS_SHA_384',
            'RSASSA_PSS_SHA_512',
            'RSASSA_PKCS1_V1_5_SHA_256',
            'RSASSA_PKCS1_V1_5_SHA_384',
            'RSASSA_PKCS1_V1_5_SHA_512',
          ],
        },
        'rsa',
        2048,
      ],
      ['ECC_NIST_P256', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }, 'ec', 'prime256v1'],
      ['ECC_NIST_P384', 'KEY_AGREEMENT', { KeyAgreementAlgorithms: ['ECDH'] }, 'ec', 'secp384r1'],
      ['ECC_NIST_P521', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_512'] }, 'ec', 'secp521r1'],
      ['ECC_SECG_P256K1', 'SIGN_VERIFY', { SigningAlgorithms: ['ECDSA_SHA_256'] }, 'ec', 'secp256k1'],
    ]
    for (const [spec, usage, algorithms, type, size] of cases) {
      const key = createKey(spec, usage)
      const out = call('GetPublicKey', { KeyId: key.KeyId })
      const { PublicKey, ...rest } = out
      expect(rest).toEqual({
        KeyId: key.Arn,
        KeySpec: spec,
        CustomerMasterKeySpec: spec,
        KeyUsage: usage,
        ...algorithms,
      })
      const parsed = createPublicKey({ key: Buffer.from(PublicKey as Uint8Array), format: 'der', type: 'spki' })
      expect(parsed.asymmetricKeyType).toBe(type)
      expect(
        type === 'rsa' ? parsed.asymmetricKeyDetails?.modulusLength : parsed.asymmetricKeyDetails?.namedCurve,
      ).toBe(size)
      // DescribeKey lists the same algorithms.
      expect(call('DescribeKey', { KeyId: key.KeyId }).KeyMetadata).toMatchObject(algorithms)
    }
  })

  it('openssl reads the DER', () => {
    const key = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
    const dir = mkdtempSync(join(tmpdir(), 'kms-pub-'))
    try {
      const der = call('GetPublicKey', { KeyId: key.KeyId }).PublicKey as Uint8Array
      writeFileSync(join(dir, 'pub.der'), der)
      const text = execFileSync(
        'openssl',
        ['pkey', '-pubin', '-inform', 'DER', '-in', join(dir, 'pub.der'), '-noout', '-text'],
        { stdio: ['ignore', 'pipe', 'ignore'] },
      ).toString()
      expect(text).toContain('P-256')
      const roundTrip = execFileSync('openssl', [
        'pkey',
        '-pubin',
        '-inform',
        'DER',
        '-in',
        join(dir, 'pub.der'),
        '-outform',
        'DER',
      ])
      expect(roundTrip.equals(Buffer.from(der))).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('symmetric and HMAC keys have no public key: UnsupportedOperationException', () => {
    for (const [spec, usage] of [
      ['SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT'],
      ['HMAC_256', 'GENERATE_VERIFY_MAC'],
    ] as const) {
      const key = createKey(spec, usage)
      expect(failure(() => call('GetPublicKey', { KeyId: key.KeyId }))).toMatchObject({
        name: 'UnsupportedOperationException',
        message: `${key.Arn} key spec is ${spec} which is not valid for GetPublicKey.`,
      })
    }
  })

  it('key state, not found, authorization and audit', () => {
    const key = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
    expect(failure(() => call('GetPublicKey', { KeyId: 'alias/nothing' })).name).toBe('NotFoundException')
    const asked: AccessRequest[] = []
    const saved = core.authorizer
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    try {
      call('GetPublicKey', { KeyId: key.Arn, GrantTokens: ['g'] })
    } finally {
      core.authorizer = saved
    }
    expect(asked[0]).toMatchObject({ action: 'kms:GetPublicKey', grantTokens: ['g'] })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([key.Arn])
    record(key.KeyId).state = 'Disabled'
    expect(failure(() => call('GetPublicKey', { KeyId: key.KeyId })).name).toBe('DisabledException')
  })
})
