import { execFileSync } from 'node:child_process'
import { createPublicKey, diffieHellman, generateKeyPairSync } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { AccessRequest } from '../context.ts'
import { coreHarness, failure } from '../test-support.ts'

describe('DeriveSharedSecret', () => {
  const { core, call, createKey, record } = coreHarness()
  const a = createKey('ECC_NIST_P256', 'KEY_AGREEMENT')
  const b = createKey('ECC_NIST_P256', 'KEY_AGREEMENT')
  const pubA = call('GetPublicKey', { KeyId: a.KeyId }).PublicKey as Uint8Array
  const pubB = call('GetPublicKey', { KeyId: b.KeyId }).PublicKey as Uint8Array

  it('two KMS keys derive the same secret from each other public keys (as recorded), with AWS output shape', () => {
    const s1 = call('DeriveSharedSecret', { KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pubB })
    const s2 = call('DeriveSharedSecret', { KeyId: b.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pubA })
    expect(s1).toMatchObject({ KeyId: a.Arn, KeyAgreementAlgorithm: 'ECDH', KeyOrigin: 'AWS_KMS' })
    expect(s1.SharedSecret?.byteLength).toBe(32)
    expect(Buffer.from(s1.SharedSecret as Uint8Array).equals(Buffer.from(s2.SharedSecret as Uint8Array))).toBe(true)
  })

  it('matches node:crypto and openssl for a peer key made outside KMS, on every NIST curve', () => {
    for (const [spec, curve] of [
      ['ECC_NIST_P256', 'prime256v1'],
      ['ECC_NIST_P384', 'secp384r1'],
      ['ECC_NIST_P521', 'secp521r1'],
    ] as const) {
      const kmsKey = spec === 'ECC_NIST_P256' ? a : createKey(spec, 'KEY_AGREEMENT')
      const kmsPublic = call('GetPublicKey', { KeyId: kmsKey.KeyId }).PublicKey as Uint8Array
      const peer = generateKeyPairSync('ec', { namedCurve: curve })
      const out = call('DeriveSharedSecret', {
        KeyId: kmsKey.KeyId,
        KeyAgreementAlgorithm: 'ECDH',
        PublicKey: peer.publicKey.export({ type: 'spki', format: 'der' }),
      })
      const local = diffieHellman({
        privateKey: peer.privateKey,
        publicKey: createPublicKey({ key: Buffer.from(kmsPublic), format: 'der', type: 'spki' }),
      })
      expect(Buffer.from(out.SharedSecret as Uint8Array).equals(local), spec).toBe(true)
      const dir = mkdtempSync(join(tmpdir(), 'kms-ecdh-'))
      try {
        writeFileSync(join(dir, 'peer.pem'), peer.privateKey.export({ type: 'pkcs8', format: 'pem' }))
        writeFileSync(join(dir, 'kms.der'), kmsPublic)
        const viaOpenssl = execFileSync('openssl', [
          'pkeyutl',
          '-derive',
          '-inkey',
          join(dir, 'peer.pem'),
          '-peerkey',
          join(dir, 'kms.der'),
          '-peerform',
          'DER',
        ])
        expect(viaOpenssl.equals(local), `openssl ${spec}`).toBe(true)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    }
  })

  it('a public key that does not parse, or is on another curve, is ValidationException with an empty message (as recorded)', () => {
    expect(
      failure(() =>
        call('DeriveSharedSecret', {
          KeyId: a.KeyId,
          KeyAgreementAlgorithm: 'ECDH',
          PublicKey: Buffer.from('InvalidPublicKey'),
        }),
      ),
    ).toMatchObject({
      name: 'ValidationException',
      message: '',
    })
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey.export({
      type: 'spki',
      format: 'der',
    })
    expect(
      failure(() => call('DeriveSharedSecret', { KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: p384 }))
        .name,
    ).toBe('ValidationException')
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' })
    expect(
      failure(() => call('DeriveSharedSecret', { KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: rsa })).name,
    ).toBe('ValidationException')
  })

  it('needs a KEY_AGREEMENT key (messages recorded against AWS) and the ECDH algorithm', () => {
    const signing = createKey('ECC_NIST_P256', 'SIGN_VERIFY')
    expect(
      failure(() =>
        call('DeriveSharedSecret', { KeyId: signing.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pubB }),
      ),
    ).toMatchObject({
      name: 'InvalidKeyUsageException',
      message: `${signing.Arn} key usage is SIGN_VERIFY which is not valid for DeriveSharedSecret.`,
    })
    const sym = createKey()
    expect(
      failure(() => call('DeriveSharedSecret', { KeyId: sym.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pubB }))
        .message,
    ).toBe(`${sym.Arn} key usage is ENCRYPT_DECRYPT which is not valid for DeriveSharedSecret.`)
    expect(
      failure(() =>
        call('DeriveSharedSecret', { KeyId: a.KeyId, KeyAgreementAlgorithm: 'INVALID' as 'ECDH', PublicKey: pubB }),
      ).message,
    ).toBe(
      "1 validation error detected: Value 'INVALID' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]",
    )
  })

  it('DryRun, Recipient, key state, authorization and audit', () => {
    expect(
      failure(() =>
        call('DeriveSharedSecret', { KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pubB, DryRun: true }),
      ).name,
    ).toBe('DryRunOperationException')
    expect(
      failure(() =>
        call('DeriveSharedSecret', {
          KeyId: a.KeyId,
          KeyAgreementAlgorithm: 'ECDH',
          PublicKey: pubB,
          Recipient: { AttestationDocument: new Uint8Array(2) },
        }),
      ).name,
    ).toBe('UnsupportedOperationException')
    const asked: AccessRequest[] = []
    const saved = core.authorizer
    core.authorizer = { authorize: (_ctx, req) => void asked.push(req) }
    let secret = ''
    try {
      secret = Buffer.from(
        call('DeriveSharedSecret', { KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pubB })
          .SharedSecret as Uint8Array,
      ).toString('base64')
    } finally {
      core.authorizer = saved
    }
    expect(asked[0]).toMatchObject({
      action: 'kms:DeriveSharedSecret',
      conditions: { 'kms:KeyAgreementAlgorithm': 'ECDH' },
    })
    expect(
      core.audit
        .events()
        .at(-1)
        ?.resources?.map((r) => r.ARN),
    ).toEqual([a.Arn])
    expect(JSON.stringify(core.audit.events().at(-1))).not.toContain(secret)
    record(a.KeyId).state = 'Disabled'
    expect(
      failure(() => call('DeriveSharedSecret', { KeyId: a.KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: pubB }))
        .name,
    ).toBe('DisabledException')
    record(a.KeyId).state = 'Enabled'
  })
})
